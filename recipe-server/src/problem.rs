//! Errors as `application/problem+json` (RFC 9457), each with a stable
//! `type` (`urn:recipe-diff:problem:<code>`) and `code`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use shared::store::StoreError;

use crate::service::Failure;

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error response.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable code (`recipe-not-found`); the `type` is derived from it.
    pub code: String,
    /// A short summary of the kind of problem.
    pub title: &'static str,
    /// What went wrong this time.
    pub detail: String,
    /// The JSON path the problem applies to, for invalid documents.
    pub path: Option<String>,
}

impl Problem {
    /// A problem with no JSON path.
    pub fn new(
        status: StatusCode,
        code: impl Into<String>,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code: code.into(),
            title,
            detail: detail.into(),
            path: None,
        }
    }

    /// The problem's `type` URI.
    pub fn type_uri(&self) -> String {
        format!("urn:recipe-diff:problem:{}", self.code)
    }

    /// 400: a path or query parameter, or a header, is unusable.
    pub fn bad_request(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, "Bad request", detail)
    }

    /// 404 for an unknown recipe (writes retry it later: the recipe may be on its way).
    pub fn recipe_not_found(recipe_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "recipe-not-found",
            "Recipe not found",
            format!("there is no recipe {recipe_id:?}"),
        )
    }

    /// 404 for anything else that does not exist.
    pub fn not_found(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, "Not found", detail)
    }

    /// 401: a write without valid credentials.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unauthorized",
            detail,
        )
    }

    /// 403: credentials that do not allow this.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
    }

    /// 422: a document the API will not take, with the JSON path at fault.
    pub fn invalid_document(
        code: impl Into<String>,
        detail: impl Into<String>,
        path: Option<String>,
    ) -> Self {
        Self {
            path,
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                code,
                "Invalid document",
                detail,
            )
        }
    }

    /// 500: a bug or corrupt data, logged by the caller; the client learns
    /// nothing more.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the server failed; the failure is logged",
        )
    }
}

impl From<Failure> for Problem {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Refused(refusal) => {
                Problem::invalid_document(refusal.code, refusal.message, refusal.path)
            }
            Failure::Conflict(error) => Problem::from(error),
            Failure::InvalidBody { code, path, detail } => {
                Problem::invalid_document(code, detail, Some(path))
            }
            Failure::RecipeWithdrawn(refusal) => {
                Problem::invalid_document(refusal.code, refusal.message, refusal.path)
            }
            Failure::RecipeNotFound(id) => Problem::recipe_not_found(id.as_str()),
            Failure::VersionNotFound(id, version) => Problem::not_found(
                "version-not-found",
                format!("recipe {:?} has no version {version}", id.as_str()),
            ),
            Failure::MakeNotFound(recipe_id, make_id) => Problem::not_found(
                "make-not-found",
                format!(
                    "recipe {:?} has no make {:?}",
                    recipe_id.as_str(),
                    make_id.as_str()
                ),
            ),
            Failure::Invalid(refusal) => {
                Problem::invalid_document(refusal.code, refusal.message, refusal.path)
            }
            Failure::Unavailable(detail) => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "uploads-unavailable",
                "Uploads unavailable",
                detail,
            ),
            Failure::NotHere(detail) => Problem::not_found("not-here", detail),
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
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store-unavailable",
                    "Store unavailable",
                    "the store did not answer; try again shortly",
                )
            }
            StoreError::InvalidCursor => Problem::bad_request(
                "invalid-cursor",
                "the cursor is not one this list handed out",
            ),
            StoreError::RecipeNotFound(id) => Problem::recipe_not_found(id.as_str()),
            StoreError::MakeConflict(id) => Problem::new(
                StatusCode::CONFLICT,
                "make-conflict",
                "Make conflict",
                format!("make {id} already exists with different content"),
            ),
            StoreError::Deleted(object_key) => Problem::new(
                StatusCode::GONE,
                "object-deleted",
                "Object deleted",
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
        let mut body = json!({
            "type": self.type_uri(),
            "code": self.code,
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        if let (Some(path), Value::Object(map)) = (&self.path, &mut body) {
            map.insert("path".into(), Value::from(path.as_str()));
        }
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        response
    }
}
