//! The layers and fallbacks around every handler: the correlation id and
//! request log, the answer to a panic, and the problems for an unknown path
//! or method. (Authorisation is `auth::authorise`.)

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shared::clock::{compact, now_rfc3339};
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
    let span = tracing::info_span!("request", correlation_id = %id, method = %request.method(), path = %request.uri().path());
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

/// The answer when a handler panicked: logged, and a 500 problem.
pub fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    tracing::error!(%message, "handler panicked");
    Problem::internal().into_response()
}

/// 404 for paths the API does not have.
pub async fn no_route(request: Request) -> Problem {
    Problem::not_found(
        "no-route",
        format!("the API has no route {}", request.uri().path()),
    )
}

/// 405 for a method a path does not support.
pub async fn method_not_allowed(request: Request) -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        format!(
            "{} is not supported on {}",
            request.method(),
            request.uri().path()
        ),
    )
}
