//! The layers and fallbacks around every handler: the correlation id and
//! request log, the security headers, the local server's host and origin
//! check, the answer to a panic, and the problems for an unknown path or
//! method. (Authorisation is `auth::authorise`.)

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shared::clock::{compact, now_rfc3339};
use shared::refusal::Code;
use shared::wire;

use crate::problem::Problem;

/// Gives every request a correlation id (the job's, or a new one), logs the
/// request in its span, and echoes the id in the response.
pub async fn correlate(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(wire::header::CORRELATION_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| format!("srv-{}", compact(&now_rfc3339())), str::to_owned);
    // The route's template (`/recipes/{recipeId}`), never the path: ids in
    // a path may name a dish or a person.
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("(no route)", |matched| matched.as_str())
        .to_owned();
    let span =
        tracing::info_span!("request", correlation_id = %id, method = %request.method(), %route);
    let started = std::time::Instant::now();
    let mut response = tracing::Instrument::instrument(next.run(request), span.clone()).await;
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "handled"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(wire::header::CORRELATION_ID, value);
    }
    response
}

/// `X-Content-Type-Options: nosniff` on every response: a browser never
/// guesses a type other than the one sent (a JSON body read as a page).
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The names the local server answers to: `127.0.0.1:PORT` and
/// `localhost:PORT`, and the origins of its own pages.
#[derive(Clone, Debug)]
pub struct LocalNames {
    hosts: [String; 2],
    origins: [String; 2],
}

impl LocalNames {
    /// The names of a server listening on 127.0.0.1:`port`.
    pub fn new(port: u16) -> Self {
        Self {
            hosts: [format!("127.0.0.1:{port}"), format!("localhost:{port}")],
            origins: [
                format!("http://127.0.0.1:{port}"),
                format!("http://localhost:{port}"),
            ],
        }
    }
}

/// Why a write from another site's page is refused.
const FOREIGN_WRITE: &str =
    "writes are taken only from this server's own pages and from clients that are not browsers";

/// The local server answers only to its own names, so that a web page on
/// another name (a DNS-rebinding attack: `evil.example` made to resolve to
/// 127.0.0.1) cannot read it: any other `Host` is 421. A write whose
/// `Origin` is another site's (or `null`) is 403, so that no page can post
/// to it either; clients that are not browsers send no `Origin`.
pub async fn local_only(State(names): State<LocalNames>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()));
    let known = host
        .as_deref()
        .is_some_and(|host| names.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)));
    if !known {
        return Problem::new(
            Code::MisdirectedRequest,
            format!(
                "this server answers only to {} and {}",
                names.hosts[0], names.hosts[1]
            ),
        )
        .into_response();
    }
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && let Some(origin) = request.headers().get(header::ORIGIN) {
        let ours = origin
            .to_str()
            .is_ok_and(|o| names.origins.iter().any(|n| n.eq_ignore_ascii_case(o)));
        if !ours {
            return Problem::new(Code::CrossOriginWrite, FOREIGN_WRITE).into_response();
        }
    }
    next.run(request).await
}

/// The answer when a handler panicked: logged, and a 500 problem. The log
/// line says that a panic happened, and (inside the request's span) on
/// which route; of the message, only its pseudonym: the text may quote
/// the data being handled (a string-slicing panic quotes up to 256 bytes).
pub fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = shared::object_id::logged_panic(panic.as_ref());
    tracing::error!(panic = %message, "handler panicked");
    Problem::internal().into_response()
}

/// 404 for paths the API does not have.
pub async fn no_route(request: Request) -> Problem {
    Problem::new(
        Code::NoRoute,
        format!("the API has no route {}", request.uri().path()),
    )
}

/// 405 for a method a path does not support.
pub async fn method_not_allowed(request: Request) -> Problem {
    Problem::new(
        Code::MethodNotAllowed,
        format!(
            "{} is not supported on {}",
            request.method(),
            request.uri().path()
        ),
    )
}
