//! Who may call what. Writes come only from the chain (invariant 5): in
//! Lambda they must have passed API Gateway's IAM authorizer; on a socket
//! they must carry the local write token. Reads are open locally and follow
//! the configured mode behind API Gateway.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

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
    },
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuses requests the configured mode does not allow.
pub async fn authorise(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match check(state.auth(), &request) {
        Ok(()) => next.run(request).await,
        Err(problem) => {
            tracing::warn!(method = %request.method(), path = %request.uri().path(), code = %problem.code, "refused");
            problem.into_response()
        }
    }
}

fn check(auth: &Auth, request: &Request) -> Result<(), Problem> {
    let write = is_write(request.method());
    match auth {
        Auth::LocalToken(token) => {
            if !write {
                return Ok(());
            }
            let given = request
                .headers()
                .get(axum::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            match given {
                None => Err(Problem::unauthorized(
                    "writes need the local write token: Authorization: Bearer <token>",
                )),
                Some(given) if constant_time_eq(given.as_bytes(), token.as_bytes()) => Ok(()),
                Some(_) => Err(Problem::forbidden("the write token is not this server's")),
            }
        }
        #[cfg(feature = "lambda")]
        Auth::ApiGateway { public_reads } => api_gateway(request, write, *public_reads),
    }
}

#[cfg(feature = "lambda")]
fn api_gateway(request: &Request, write: bool, public_reads: bool) -> Result<(), Problem> {
    use lambda_http::request::RequestContext;
    let authorizer = match request.extensions().get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV2(context)) => context.authorizer.as_ref(),
        _ => None,
    };
    if write {
        // API Gateway refuses unsigned writes before they get here; this is
        // the second lock on the door, should a route ever lose its authorizer.
        return match authorizer.and_then(|a| a.iam.as_ref()) {
            Some(_) => Ok(()),
            None => Err(Problem::unauthorized(
                "writes must be signed with SigV4 and pass the IAM authorizer",
            )),
        };
    }
    if public_reads || authorizer.and_then(|a| a.jwt.as_ref()).is_some() {
        Ok(())
    } else {
        Err(Problem::unauthorized("reads need a signed-in user's token"))
    }
}

/// Compares secrets without leaking their common prefix through timing.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
