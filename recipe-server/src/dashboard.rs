//! The dashboard: static files (HTML, JavaScript modules, CSS, SVG) embedded
//! in the binary and served at `/` and `/assets/{file}`, and the sign-in
//! settings the page reads at start from `/dashboard/config.json`.
//!
//! There is no build step and nothing is fetched from elsewhere at run time:
//! the page reads this server's public API (same origin) and, when reads
//! need a signed-in user, talks to the stack's Cognito hosted UI. Its
//! `Content-Security-Policy` allows scripts and styles from this origin only
//! (no inline script), so a recipe named `<script>…` can never run.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::refusal::Code;
use shared::wire::PROBLEM_JSON;

use crate::AppState;
use crate::api::{DashboardConfig, Problem as ProblemDocument};
use crate::openapi::{AssetFile, NotModified, Revalidated};
use crate::problem::Problem;

/// The dashboard's paths: public even where reads need a token, since the
/// page must load before anyone can sign in. It holds no recipe data.
pub(crate) const PUBLIC_PATHS: &[&str] = &["/", "/assets/{file}", "/dashboard/config.json"];

/// How the dashboard signs its reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DashboardAuth {
    /// Reads are open (locally, or a stack deployed with public reads).
    Open,
    /// Reads need a Cognito user's token: the page signs in through the
    /// hosted UI (authorization code with PKCE) and sends it as a bearer token.
    Cognito {
        /// The hosted UI's origin, `https://<domain>`.
        origin: String,
        /// The app client's id.
        client_id: String,
    },
}

impl DashboardAuth {
    /// Cognito sign-in through the hosted UI at `domain` (`auth.example.com`,
    /// `prefix.auth.eu-west-1.amazoncognito.com`, or the same with
    /// `https://`; `http://` only for a loopback address, for tests).
    pub fn cognito(domain: &str, client_id: &str) -> Result<Self, String> {
        let domain = domain.trim().trim_end_matches('/');
        let (scheme, host) = match domain.split_once("://") {
            Some((scheme, host)) => (scheme.to_ascii_lowercase(), host),
            None => ("https".to_owned(), domain),
        };
        let host_ok = !host.is_empty()
            && host.len() <= 253
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'));
        if !host_ok {
            return Err(format!("COGNITO_DOMAIN {domain:?} is not a host name"));
        }
        let loopback = ["127.0.0.1", "localhost"]
            .iter()
            .any(|h| host == *h || host.starts_with(&format!("{h}:")));
        match scheme.as_str() {
            "https" => {}
            "http" if loopback => {}
            _ => {
                return Err(format!(
                    "COGNITO_DOMAIN {domain:?} must be served over https"
                ));
            }
        }
        let id_ok = !client_id.is_empty()
            && client_id.len() <= 128
            && client_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
        if !id_ok {
            return Err(format!(
                "COGNITO_CLIENT_ID {client_id:?} is not a client id"
            ));
        }
        Ok(Self::Cognito {
            origin: format!("{scheme}://{host}"),
            client_id: client_id.to_owned(),
        })
    }

    /// From `COGNITO_DOMAIN` and `COGNITO_CLIENT_ID` as `lookup` finds
    /// them (the environment, in the function); open when neither is set.
    ///
    /// # Errors
    /// When only one is set, or one is malformed.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let domain = lookup("COGNITO_DOMAIN").filter(|v| !v.is_empty());
        let client = lookup("COGNITO_CLIENT_ID").filter(|v| !v.is_empty());
        match (domain, client) {
            (None, None) => Ok(Self::Open),
            (Some(domain), Some(client)) => Self::cognito(&domain, &client),
            _ => Err("set both COGNITO_DOMAIN and COGNITO_CLIENT_ID, or neither".to_owned()),
        }
    }

    fn config(&self) -> DashboardConfig {
        match self {
            Self::Open => DashboardConfig::None,
            Self::Cognito { origin, client_id } => DashboardConfig::Cognito {
                domain: origin
                    .split_once("://")
                    .map_or(origin.as_str(), |(_, host)| host)
                    .to_owned(),
                origin: origin.clone(),
                client_id: client_id.clone(),
            },
        }
    }

    /// The page's Content-Security-Policy: this origin only, plus the hosted
    /// UI's token endpoint when it signs in with Cognito, and the bucket the
    /// upload forms post to (`uploads`) when it is not this server.
    fn content_security_policy(&self, uploads: Option<&str>) -> String {
        let mut connect = match self {
            Self::Open => "'self'".to_owned(),
            Self::Cognito { origin, .. } => format!("'self' {origin}"),
        };
        if let Some(uploads) = uploads {
            connect = format!("{connect} {uploads}");
        }
        format!(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
             connect-src {connect}; font-src 'self'; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'"
        )
    }
}

/// The sign-in the dashboard uses: as given in
/// [`Parts::dashboard`](crate::Parts::dashboard) (the Lambda `main` reads
/// `COGNITO_*` once, at start-up), or else open.
fn dashboard_auth(state: &AppState) -> DashboardAuth {
    state
        .dashboard_auth()
        .cloned()
        .unwrap_or(DashboardAuth::Open)
}

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    etag: u64,
}

/// FNV-1a, computed at compile time: the files' validators for `ETag`.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

macro_rules! asset {
    ($name:literal, $content_type:expr) => {{
        const BODY: &[u8] = include_bytes!(concat!("../dashboard/", $name));
        Asset {
            name: $name,
            content_type: $content_type,
            body: BODY,
            etag: fnv1a(BODY),
        }
    }};
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

const INDEX: Asset = asset!("index.html", "text/html; charset=utf-8");

/// The assets of each content type, by file name.
macro_rules! assets {
    ($($content_type:expr => [$($name:literal),* $(,)?]),* $(,)?) => {
        &[$($(asset!($name, $content_type),)*)*]
    };
}

const ASSETS: &[Asset] = assets![
    JS => [
        "app.js", "api.js", "auth.js", "dom.js", "format.js", "charts.js",
        "page-recipes.js", "page-recipe.js", "page-make.js", "page-insights.js", "page-across.js", "insight-sections.js",
        "page-rejections.js", "page-log.js", "page-add.js", "evolve.js",
    ],
    CSS => ["app.css"],
    SVG => ["icon.svg"],
];

/// The file, or 304 when the client's copy is current. Revalidated on every
/// use (`no-cache`), so a new deployment is picked up at once.
fn serve(asset: &Asset, request: &HeaderMap) -> Response {
    let etag = format!("\"{:016x}\"", asset.etag);
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.content_type)], asset.body).into_response()
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

// `GET /`: the page.
#[utoipa::path(
    get,
    path = "/",
    operation_id = "dashboard",
    tag = "dashboard",
    summary = "The dashboard (HTML). Its scripts and styles come from /assets/; it reads this API.",
    description = "Public even where reads need a token: the page holds no recipe data and must load before its user can sign in. Sent with a strict Content-Security-Policy (scripts, styles and connections to this origin only, no inline script; plus the Cognito hosted UI's origin for the token exchange when reads need a sign-in).",
    security(),
    params(Revalidated),
    responses(
        (status = 200, description = "The page.", content_type = "text/html", body = String, headers(
            ("ETag" = String, description = "The file's validator (it changes with each build)."),
            ("Cache-Control" = String, description = "Always `no-cache`: revalidated on each use, so a new deployment shows at once."),
            ("X-Content-Type-Options" = String, description = "`nosniff`."),
            ("Content-Security-Policy" = String, description = "`default-src 'self'; script-src 'self'; style-src 'self'; …`."),
            ("Referrer-Policy" = String, description = "`no-referrer`."),
            ("X-Frame-Options" = String, description = "`DENY`.")
        )),
        NotModified
    )
)]
pub async fn index(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let mut response = serve(&INDEX, &headers);
    let uploads = state.service().upload_origin();
    let policy = dashboard_auth(&state).content_security_policy(uploads.as_deref());
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

// `GET /assets/{file}`: a script, style sheet or picture.
#[utoipa::path(
    get,
    path = "/assets/{file}",
    operation_id = "dashboardAsset",
    tag = "dashboard",
    summary = "One of the dashboard's files: a JavaScript module, the style sheet or an SVG picture, embedded in the server.",
    security(),
    params(AssetFile, Revalidated),
    responses(
        (status = 200, description = "The file.",
            content((String = "text/javascript"), (String = "text/css"), (String = "image/svg+xml")),
            headers(
                ("ETag" = String, description = "The file's validator (it changes with each build)."),
                ("Cache-Control" = String, description = "Always `no-cache`: revalidated on each use, so a new deployment shows at once."),
                ("X-Content-Type-Options" = String, description = "`nosniff`.")
            )
        ),
        NotModified,
        (status = 400, description = "The path is unusable.", body = ProblemDocument, content_type = PROBLEM_JSON),
        (status = 404, description = "The dashboard has no such file (`asset-not-found`).", body = ProblemDocument, content_type = PROBLEM_JSON)
    )
)]
pub async fn asset(
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let Path(file) = path.map_err(|e| Problem::new(Code::InvalidPath, e.body_text()))?;
    match ASSETS.iter().find(|a| a.name == file) {
        Some(asset) => Ok(serve(asset, &headers)),
        None => Err(Problem::new(
            Code::AssetNotFound,
            format!("the dashboard has no file {file:?}"),
        )),
    }
}

// `GET /dashboard/config.json`: how the page signs its reads.
#[utoipa::path(
    get,
    path = "/dashboard/config.json",
    operation_id = "dashboardConfig",
    tag = "dashboard",
    summary = "How the dashboard signs its reads.",
    description = "`{\"auth\": \"none\"}` where reads are open (locally, or a stack with public reads). Where reads need a Cognito user's token (`READ_AUTH=jwt` with `COGNITO_DOMAIN` and `COGNITO_CLIENT_ID` set), the hosted UI's domain and origin and the app client's id: the dashboard signs in with the authorization code flow and PKCE and sends `Authorization: Bearer <access token>` on reads.",
    security(),
    responses(
        (status = 200, description = "The sign-in settings.", body = DashboardConfig, headers(
            ("Cache-Control" = String, description = "`no-store`.")
        ))
    )
)]
pub async fn config(State(state): State<AppState>) -> Response {
    match serde_json::to_string(&dashboard_auth(&state).config()) {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "serialising the dashboard's settings");
            Problem::internal().into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cognito_domains_are_hosts_over_https() {
        let auth = DashboardAuth::cognito("pfx.auth.eu-west-1.amazoncognito.com", "abc123")
            .expect("a Cognito domain");
        assert_eq!(
            auth,
            DashboardAuth::Cognito {
                origin: "https://pfx.auth.eu-west-1.amazoncognito.com".into(),
                client_id: "abc123".into()
            }
        );
        assert!(DashboardAuth::cognito("https://auth.example.com/", "abc").is_ok());
        assert!(DashboardAuth::cognito("http://127.0.0.1:9000", "abc").is_ok());
        assert!(DashboardAuth::cognito("http://auth.example.com", "abc").is_err());
        assert!(DashboardAuth::cognito("auth.example.com; script-src *", "abc").is_err());
        assert!(DashboardAuth::cognito("auth.example.com", "a b").is_err());
    }

    #[test]
    fn the_policy_allows_the_hosted_ui_only_for_connections() {
        let auth = DashboardAuth::cognito("auth.example.com", "abc").expect("valid");
        let policy = auth.content_security_policy(None);
        assert!(policy.contains("connect-src 'self' https://auth.example.com;"));
        let with_bucket =
            auth.content_security_policy(Some("https://b.s3.eu-west-1.amazonaws.com"));
        assert!(with_bucket.contains(
            "connect-src 'self' https://auth.example.com https://b.s3.eu-west-1.amazonaws.com;"
        ));
        assert!(policy.contains("script-src 'self';"));
        assert_eq!(
            serde_json::to_value(auth.config()).expect("JSON"),
            serde_json::from_str::<serde_json::Value>(
                r#"{"auth": "cognito", "domain": "auth.example.com",
                   "origin": "https://auth.example.com", "clientId": "abc"}"#
            )
            .expect("JSON")
        );
    }

    #[test]
    fn every_asset_has_a_distinct_name() {
        for (i, a) in ASSETS.iter().enumerate() {
            assert!(
                ASSETS[i + 1..].iter().all(|b| b.name != a.name),
                "{}",
                a.name
            );
        }
    }
}
