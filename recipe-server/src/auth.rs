//! Who may call what. Writes come only from the chain (invariant 5): in
//! Lambda they must have passed API Gateway's IAM authorizer as the
//! sender's role; on a socket they must carry the local write token.
//! Erasures (`DELETE`, and their replay: `POST /erasures/replay`) need
//! the IAM authorizer as a session of the named
//! eraser role (`ERASER_ROLE`), or of the deploy role (`SMOKE_ROLE`) for the
//! smoke test's own recipes only; locally the write token. Reads are open locally; behind API Gateway they
//! need a signed-in user in the readers' group, unless reads are public,
//! or the smoke test's machine identity, which may read only the smoke
//! test's own recipes.
//!
//! The dashboard's two routes that are not the chain's: a preview of a
//! make's diff (`POST /recipes/{recipeId}/diff`) is a read; an upload
//! form (`POST /uploads`) is a cook's. In AWS a cook is a signed-in user
//! in the uploaders' group (`UPLOAD_GROUP`, `cooks` by default). On this
//! machine it is the write
//! token's holder or a page of this server itself: the browser says so in
//! `Sec-Fetch-Site: same-origin`, which no page can set, and
//! `middleware::local_only` has already refused other sites' origins and
//! host names. A posted form (`POST /uploads/form`) carries its own
//! signature, which the bucket (here, the server) checks.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shared::refusal::Code;

use crate::AppState;
use crate::problem::Problem;

/// How requests are authorised.
#[derive(Clone, Debug)]
pub enum Auth {
    /// Standalone on a socket: writes need `Authorization: Bearer <token>`;
    /// reads are open (the server binds to loopback).
    LocalToken(String),
    /// Behind API Gateway (HTTP API): writes need the IAM authorizer in the
    /// request context; reads need the JWT authorizer unless `public_reads`.
    #[cfg(feature = "lambda")]
    ApiGateway {
        /// Whether reads are open to anyone (an explicit deployment choice).
        public_reads: bool,
        /// The Cognito group (`cognito:groups`) a signed-in user must be in
        /// to read.
        read_group: String,
        /// The IAM role whose sessions alone may write, by name: the
        /// sender's.
        writer_role: String,
        /// The OAuth scope of the smoke test's machine identity (a Cognito
        /// client-credentials client), if the deployment has one: a token
        /// with it may read the recipes whose ids start with
        /// [`SMOKE_RECIPES`], and nothing else.
        smoke_scope: Option<String>,
        /// The Cognito group a signed-in user must be in to upload.
        upload_group: String,
        /// Who may erase.
        erasers: Erasers,
    },
}

/// The IAM roles whose sessions may erase, by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Erasers {
    /// May erase any recipe or make: the bootstrap's eraser role, which
    /// only people signed in with MFA may assume.
    pub any: String,
    /// May erase the smoke test's own recipes ([`SMOKE_RECIPES`]…) and
    /// nothing else: the deploy role, which cleans up after the smoke test.
    pub smoke: Option<String>,
}

/// The uploader of a cook's request, as the key of an upload names them:
/// the signed-in user's id (`sub`) in AWS, `dashboard` on this machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cook(pub String);

/// The uploader the local dashboard uploads as.
pub const LOCAL_COOK: &str = "dashboard";

/// What a request asks for, as authorisation sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    /// Reads, and the preview of a diff.
    Read,
    /// The chain's writes.
    Write,
    /// An erasure (`DELETE`), or the replay of the erasure journal after a
    /// restore, which erases as the `DELETE`s did.
    Erase,
    /// An upload form for the dashboard.
    Cook,
    /// A posted upload form: its signature is its authority.
    Form,
}

/// The route that imports a recipe page from a link (a cook's, as
/// `POST /uploads`).
pub const IMPORTS: &str = "/imports";

/// The route that applies the erasure journal to the store again.
pub const ERASURES_REPLAY: &str = "/erasures/replay";

fn access_of(request: &Request) -> Access {
    let method = request.method();
    match (method, request.uri().path()) {
        (&Method::POST, path) if is_a_preview(path) => Access::Read,
        (&Method::POST, "/uploads" | IMPORTS) => Access::Cook,
        (&Method::POST, "/uploads/form") => Access::Form,
        (&Method::DELETE, _) | (&Method::POST, ERASURES_REPLAY) => Access::Erase,
        _ if is_write(method) => Access::Write,
        _ => Access::Read,
    }
}

/// Whether `path` is the preview of a make's diff, `/recipes/{recipeId}/diff`
/// (the id one segment, as the router matches it): a read, though a POST.
fn is_a_preview(path: &str) -> bool {
    path.strip_prefix("/recipes/")
        .and_then(|rest| rest.strip_suffix("/diff"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// The start of the ids of the smoke test's recipes (`scripts/smoke`): the
/// only recipes its machine identity may read (the domain reserves them
/// for the smoke test's own uploads).
pub const SMOKE_RECIPES: &str = shared::keys::SMOKE_RECIPE_PREFIX;

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuses requests the configured mode does not allow.
pub async fn authorise(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    match check(state.auth(), &request) {
        Ok(cook) => {
            if let Some(cook) = cook {
                request.extensions_mut().insert(cook);
            }
            next.run(request).await
        }
        Err(problem) => {
            tracing::warn!(method = %request.method(), code = %problem.code(), "request refused");
            problem.into_response()
        }
    }
}

/// `Ok` with the cook when a cook's request is allowed, `Ok(None)` for
/// any other request allowed.
fn check(auth: &Auth, request: &Request) -> Result<Option<Cook>, Problem> {
    let access = access_of(request);
    match auth {
        Auth::LocalToken(token) => {
            let cook = (access == Access::Cook).then(|| Cook(LOCAL_COOK.to_owned()));
            match access {
                Access::Read | Access::Form => return Ok(None),
                Access::Cook if from_this_servers_page(request) => return Ok(cook),
                _ => {}
            }
            let given = request
                .headers()
                .get(axum::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            match given {
                None => Err(Problem::new(
                    Code::Unauthorized,
                    "writes need the local write token: Authorization: Bearer <token>",
                )),
                Some(given) if constant_time_eq(given.as_bytes(), token.as_bytes()) => Ok(cook),
                Some(_) => Err(Problem::new(
                    Code::Forbidden,
                    "the write token is not this server's",
                )),
            }
        }
        #[cfg(feature = "lambda")]
        Auth::ApiGateway {
            public_reads,
            read_group,
            writer_role,
            smoke_scope,
            upload_group,
            erasers,
        } => match access {
            Access::Cook => cook_behind_api_gateway(request, upload_group).map(Some),
            // The bucket takes posted forms in AWS; the handler says so.
            Access::Form => Ok(None),
            _ => api_gateway(
                request,
                matches!(access, Access::Write | Access::Erase),
                *public_reads,
                read_group,
                (writer_role, erasers),
                smoke_scope.as_deref(),
            )
            .map(|()| None),
        },
    }
}

/// Whether a browser says the request comes from a page of this server.
fn from_this_servers_page(request: &Request) -> bool {
    request
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"same-origin")
}

/// The signed-in user of a cook's request behind API Gateway, who must be
/// in `upload_group`.
#[cfg(feature = "lambda")]
fn cook_behind_api_gateway(request: &Request, upload_group: &str) -> Result<Cook, Problem> {
    use lambda_http::request::RequestContext;
    let jwt = match request.extensions().get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV2(context)) => {
            context.authorizer.as_ref().and_then(|a| a.jwt.as_ref())
        }
        _ => None,
    };
    let Some(jwt) = jwt else {
        return Err(Problem::new(
            Code::Unauthorized,
            "uploads need a signed-in user's token",
        ));
    };
    if !groups_of(jwt).any(|group| group == upload_group) {
        return Err(Problem::new(
            Code::Forbidden,
            format!("uploads need a user in the {upload_group} group"),
        ));
    }
    // The user's id, never their email: it goes into the object key.
    match jwt.claims.get("sub") {
        Some(sub)
            if !sub.is_empty() && sub.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
        {
            Ok(Cook(sub.clone()))
        }
        _ => Err(Problem::new(
            Code::Forbidden,
            "the token names no user id (sub)",
        )),
    }
}

#[cfg(feature = "lambda")]
fn api_gateway(
    request: &Request,
    write: bool,
    public_reads: bool,
    read_group: &str,
    (writer_role, erasers): (&str, &Erasers),
    smoke_scope: Option<&str>,
) -> Result<(), Problem> {
    use lambda_http::request::RequestContext;
    let authorizer = match request.extensions().get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV2(context)) => context.authorizer.as_ref(),
        _ => None,
    };
    if write {
        // API Gateway refuses unsigned writes before they get here; this is
        // the second lock on the door, should a route ever lose its authorizer.
        let Some(iam) = authorizer.and_then(|a| a.iam.as_ref()) else {
            return Err(Problem::new(
                Code::Unauthorized,
                "writes must be signed with SigV4 and pass the IAM authorizer",
            ));
        };
        let role = iam.user_arn.as_deref().and_then(assumed_role);
        // An erasure is the eraser role's, or the deploy role's for the
        // smoke test's recipes; every other write is the chain's.
        if access_of(request) == Access::Erase {
            return match role {
                Some(role) if role == erasers.any => Ok(()),
                Some(role)
                    if erasers.smoke.as_deref() == Some(role)
                        && is_a_smoke_recipe(request.uri().path()) =>
                {
                    Ok(())
                }
                _ => Err(Problem::new(
                    Code::Forbidden,
                    format!("erasures are taken only from the {} role", erasers.any),
                )),
            };
        }
        return match role {
            Some(role) if role == writer_role => Ok(()),
            _ => Err(Problem::new(
                Code::Forbidden,
                "writes are taken only from the chain's sender",
            )),
        };
    }
    if public_reads {
        return Ok(());
    }
    let Some(jwt) = authorizer.and_then(|a| a.jwt.as_ref()) else {
        return Err(Problem::new(
            Code::Unauthorized,
            "reads need a signed-in user's token",
        ));
    };
    if groups_of(jwt).any(|group| group == read_group) {
        return Ok(());
    }
    let smoke = smoke_scope.is_some_and(|scope| {
        let in_claim = jwt
            .claims
            .get("scope")
            .is_some_and(|claim| claim.split_whitespace().any(|s| s == scope));
        let listed = jwt
            .scopes
            .as_ref()
            .is_some_and(|scopes| scopes.iter().any(|s| s == scope));
        in_claim || listed
    });
    if !smoke {
        return Err(Problem::new(
            Code::Forbidden,
            format!("reads need a user in the {read_group} group"),
        ));
    }
    if is_a_smoke_recipe(request.uri().path()) {
        Ok(())
    } else {
        Err(Problem::new(
            Code::Forbidden,
            format!(
                "the smoke test's identity reads only /recipes/{SMOKE_RECIPES}… and what is under them"
            ),
        ))
    }
}

/// Whether `path` is a smoke-test recipe or something under one, written
/// plainly: no percent-encoding and no `.` or `..` segment, so that no
/// spelling of another path passes for one.
#[cfg(feature = "lambda")]
fn is_a_smoke_recipe(path: &str) -> bool {
    let plain = !path.contains('%') && !path.split('/').any(|s| s == "." || s == "..");
    let id = path
        .strip_prefix("/recipes/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default();
    plain && id.len() > SMOKE_RECIPES.len() && id.starts_with(SMOKE_RECIPES)
}

/// The role of an assumed-role session's ARN
/// (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`).
#[cfg(feature = "lambda")]
fn assumed_role(arn: &str) -> Option<&str> {
    let (_, resource) = arn.split_once(":assumed-role/")?;
    let (role, _session) = resource.split_once('/')?;
    Some(role)
}

/// The groups of a user's `cognito:groups` claim as API Gateway passes
/// it on: `[a b]`, or a JSON array's text, or one name.
#[cfg(feature = "lambda")]
fn groups_of(
    jwt: &lambda_http::aws_lambda_events::apigw::ApiGatewayRequestAuthorizerJwtDescription,
) -> impl Iterator<Item = &str> {
    groups_in(
        jwt.claims
            .get("cognito:groups")
            .map(String::as_str)
            .unwrap_or_default(),
    )
}

/// The groups of a `cognito:groups` claim's text.
#[cfg(feature = "lambda")]
fn groups_in(claim: &str) -> impl Iterator<Item = &str> {
    claim
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|group| group.trim_matches('"'))
        .filter(|group| !group.is_empty())
}

#[cfg(all(test, feature = "lambda"))]
mod tests {
    use super::*;

    #[test]
    fn the_role_of_a_session_and_the_groups_of_a_claim_are_read() {
        assert_eq!(
            assumed_role("arn:aws:sts::123456789012:assumed-role/stack-sender/stack-sender"),
            Some("stack-sender")
        );
        assert_eq!(assumed_role("arn:aws:iam::123456789012:user/alice"), None);
        for (claim, groups) in [
            ("[readers cooks]", vec!["readers", "cooks"]),
            ("[\"readers\",\"cooks\"]", vec!["readers", "cooks"]),
            ("readers", vec!["readers"]),
            ("[]", vec![]),
            ("", vec![]),
        ] {
            assert_eq!(groups_in(claim).collect::<Vec<_>>(), groups, "{claim}");
        }
    }

    #[test]
    fn a_smoke_recipe_is_one_whose_id_starts_smoke_written_plainly() {
        for path in [
            "/recipes/smoke-20261202-1",
            "/recipes/smoke-1/makes/smoke-1-make/differences",
        ] {
            assert!(is_a_smoke_recipe(path), "{path}");
        }
        for path in [
            "/recipes",
            "/recipes/",
            "/recipes/smoke-",
            "/recipes/apple-pie",
            "/recipes/apple-smoke-1",
            "/recipes/smoke%2D1",
            "/recipes/smoke-1/../apple-pie",
            "/rejections",
            "/insights/smoke-1",
            "/smoke-1",
        ] {
            assert!(!is_a_smoke_recipe(path), "{path}");
        }
    }
}

/// Compares secrets without leaking their common prefix through timing.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
