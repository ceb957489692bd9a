//! Why a use case did not do what was asked ([`Failure`]), and an upload
//! refused for good as it is recorded ([`Refusal`]).

use shared::Rejection;
use shared::model::{MakeId, RecipeId};
use shared::store::StoreError;

/// Why a use case did not do what was asked.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// The upload was refused for good, and the refusal is recorded as a
    /// rejection.
    Refused(Refusal),
    /// The make's id is taken by other content; recorded as a rejection too.
    Conflict(StoreError),
    /// The body of a posted rejection or deletion breaks the wire
    /// contract (at `path`).
    InvalidBody {
        /// The problem's code: `invalid-rejection`, `invalid-deletion`.
        code: &'static str,
        /// The JSON path of the field.
        path: String,
        /// What is wrong with it.
        detail: String,
    },
    /// Every version of the recipe is withdrawn: a make of it is refused,
    /// and the refusal recorded.
    RecipeWithdrawn(Refusal),
    /// There is no such recipe.
    RecipeNotFound(RecipeId),
    /// The recipe has no such version.
    VersionNotFound(RecipeId, u32),
    /// The recipe has no such make.
    MakeNotFound(RecipeId, MakeId),
    /// A document refused and recorded nowhere: a preview's make, or a
    /// posted upload form that breaks its conditions.
    Invalid(Refusal),
    /// The uploads' bucket did not answer, or none is configured.
    Unavailable(String),
    /// This server does not take uploads itself: the bucket does.
    NotHere(String),
    /// The store failed (or refused, as with an unreadable cursor).
    Store(StoreError),
    /// A bug or corrupt data; the detail is for the logs only.
    Internal(String),
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure::Store(error)
    }
}

/// An upload refused for good, as it was recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    /// The stable code (`invalid-number`, `recipe-id-mismatch`, ...).
    pub code: String,
    /// The sentence for people.
    pub message: String,
    /// The JSON path it applies to, when it applies to one.
    pub path: Option<String>,
}

impl Refusal {
    pub(super) fn new(
        code: impl Into<String>,
        message: impl Into<String>,
        path: Option<&str>,
    ) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            path: path.map(str::to_owned),
        }
    }

    pub(super) fn from_rejection(rejection: &Rejection) -> Self {
        Self::new(
            rejection.code(),
            rejection.reason.to_string(),
            Some(&rejection.path.to_string()),
        )
    }
}
