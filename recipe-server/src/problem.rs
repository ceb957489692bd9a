//! Errors as `application/problem+json` (RFC 9457), each with a stable
//! `type` (`urn:recipe-diff:problem:<code>`) and `code`: the wire
//! contract's [`wire::Problem`], whose status and title come from its
//! [`Code`].

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::refusal::{Code, Refusal};
use shared::store::StoreError;
use shared::wire;

use crate::service::Failure;

/// The media type of problem documents.
pub use shared::wire::PROBLEM_JSON;

/// An error response: the wire contract's problem document, the type the
/// sender reads back. A wrapper only because axum's `IntoResponse` can be
/// implemented for a type of this crate and not for one of `shared`; boxed,
/// so that every `Result` with it stays small on its happy path.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem(Box<wire::Problem>);

impl Problem {
    /// The problem `code`, with the code's status and title, and `detail`.
    pub fn new(code: Code, detail: impl Into<String>) -> Self {
        Self(Box::new(wire::Problem::new(code, detail)))
    }

    /// The answer to a refused document: the refusal's code, its message
    /// and its JSON path.
    pub fn refused(refusal: Refusal) -> Self {
        Self(Box::new(wire::Problem::refused(refusal)))
    }

    /// 400 `invalid-id`: an id in the URL's path that is not one. The one
    /// code answered at a status not its own: an invalid id in a document
    /// is the upload's fault (422, as for any refused document), in a
    /// path the request's (400, as for any unusable path).
    pub fn invalid_path_id(detail: impl Into<String>) -> Self {
        let mut problem = wire::Problem::new(Code::InvalidId, detail);
        problem.status = StatusCode::BAD_REQUEST.as_u16();
        problem.title = Code::InvalidPath.title().to_owned();
        Self(Box::new(problem))
    }

    /// 404 for an unknown recipe (writes retry it later: the recipe may be on its way).
    pub fn recipe_not_found(recipe_id: &str) -> Self {
        Self::new(
            Code::RecipeNotFound,
            format!("there is no recipe {recipe_id:?}"),
        )
    }

    /// 500: a bug or corrupt data, logged by the caller; the client learns
    /// nothing more.
    pub fn internal() -> Self {
        Self::new(Code::Internal, "the server failed; the failure is logged")
    }

    /// The problem's code.
    pub fn code(&self) -> &Code {
        &self.0.code
    }

    /// The problem document.
    pub fn document(&self) -> &wire::Problem {
        &self.0
    }

    /// The HTTP status it is answered with.
    pub fn status(&self) -> StatusCode {
        // Every status in the table of codes is a valid one.
        StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<Failure> for Problem {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Refused(refusal)
            | Failure::RecipeWithdrawn(refusal)
            | Failure::Invalid(refusal)
            | Failure::InvalidBody(refusal) => Problem::refused(refusal),
            Failure::Conflict(error) => Problem::from(error),
            Failure::RecipeNotFound(id) => Problem::recipe_not_found(id.as_str()),
            Failure::ParentNotFound(id) => Problem::new(
                Code::ParentNotFound,
                format!(
                    "the recipe this one is a variant of, {:?}, is not stored (yet)",
                    id.as_str()
                ),
            ),
            Failure::VersionNotFound(id, version) => Problem::new(
                Code::VersionNotFound,
                format!("recipe {:?} has no version {version}", id.as_str()),
            ),
            Failure::MakeNotFound(recipe_id, make_id) => Problem::new(
                Code::MakeNotFound,
                format!(
                    "recipe {:?} has no make {:?}",
                    recipe_id.as_str(),
                    make_id.as_str()
                ),
            ),
            Failure::Unavailable(detail) => Problem::new(Code::UploadsUnavailable, detail),
            Failure::NotHere(detail) => Problem::new(Code::NotHere, detail),
            Failure::Store(error) => Problem::from(error),
            Failure::Internal(message) => {
                tracing::error!(%message, "internal failure");
                Problem::internal()
            }
        }
    }
}

impl From<StoreError> for Problem {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(message) => {
                tracing::warn!(%message, "store unavailable");
                Problem::new(
                    Code::StoreUnavailable,
                    "the store did not answer; try again shortly",
                )
            }
            StoreError::InvalidCursor => Problem::new(
                Code::InvalidCursor,
                "the cursor is not one this list handed out",
            ),
            StoreError::RecipeNotFound(id) => Problem::recipe_not_found(id.as_str()),
            StoreError::MakeConflict(id) => Problem::new(
                Code::MakeConflict,
                format!("make {id} already exists with different content"),
            ),
            StoreError::Deleted(object_key) => Problem::new(
                Code::ObjectDeleted,
                format!(
                    "the object {object_key:?} was deleted from the bucket after this upload; nothing was stored"
                ),
            ),
            StoreError::Internal(message) => {
                tracing::error!(%message, "store error");
                Problem::internal()
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match serde_json::to_string(self.document()) {
            Ok(body) => body,
            // A document of strings and a number always serialises; were
            // it not to, the client still gets a problem.
            Err(error) => {
                tracing::error!(%error, "a problem document did not serialise");
                format!(
                    r#"{{"type":"{}","code":"{}","status":{}}}"#,
                    self.0.type_uri,
                    self.0.code,
                    status.as_u16()
                )
            }
        };
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The answer is the wire contract's document, with the code's status.
    #[tokio::test]
    async fn a_problem_answers_with_its_code_s_status_and_document() {
        let refusal = Refusal::new(Code::InvalidNumber, "not an amount", "$.rating");
        let response = Problem::refused(refusal.clone()).into_response();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        let problem = wire::Problem::from_body(&body).expect("a problem");
        assert_eq!(problem, wire::Problem::refused(refusal));
        let path_id = Problem::invalid_path_id("recipeId: empty");
        assert_eq!(
            (path_id.status(), path_id.code()),
            (StatusCode::BAD_REQUEST, &Code::InvalidId)
        );
    }
}
