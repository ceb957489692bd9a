//! Why a use case did not do what was asked ([`Failure`]). A refusal in it
//! is the chain's one [`Refusal`] type.

use shared::model::{MakeId, RecipeId};
use shared::refusal::Refusal;
use shared::store::StoreError;

/// Why a use case did not do what was asked.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// The upload was refused for good, and the refusal is recorded as a
    /// rejection.
    Refused(Refusal),
    /// The make's id is taken by other content; recorded as a rejection too.
    Conflict(StoreError),
    /// The body of a posted rejection, deletion or upload request breaks
    /// its contract (`invalid-rejection`, `invalid-deletion`,
    /// `invalid-upload`, at the field's path); recorded nowhere.
    InvalidBody(Refusal),
    /// Every version of the recipe is withdrawn: a make of it is refused,
    /// and the refusal recorded.
    RecipeWithdrawn(Refusal),
    /// There is no such recipe.
    RecipeNotFound(RecipeId),
    /// The recipe a variant names is not stored (yet): the sender retries.
    ParentNotFound(RecipeId),
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

impl Failure {
    /// The failure as a log line may show it: its kind, the store's and
    /// internal messages (which name ids and keys by their pseudonyms), and
    /// any id by its pseudonym; never the ids, keys or document text that
    /// the variants carry for the answer to the caller.
    pub fn for_logs(&self) -> String {
        use shared::object_id::logged;
        match self {
            Failure::Refused(refusal)
            | Failure::RecipeWithdrawn(refusal)
            | Failure::Invalid(refusal) => {
                format!("refused: {}", refusal.code)
            }
            Failure::Conflict(_) | Failure::Store(StoreError::MakeConflict(_)) => {
                "a make with this id and other content exists".to_owned()
            }
            Failure::InvalidBody(refusal) => format!("invalid body: {}", refusal.code),
            Failure::RecipeNotFound(id) | Failure::Store(StoreError::RecipeNotFound(id)) => {
                format!("no recipe {}", logged(id.as_str()))
            }
            Failure::ParentNotFound(id) => format!("no parent recipe {}", logged(id.as_str())),
            Failure::VersionNotFound(id, version) => {
                format!("no version {version} of recipe {}", logged(id.as_str()))
            }
            Failure::MakeNotFound(recipe_id, make_id) => format!(
                "no make {} of recipe {}",
                logged(make_id.as_str()),
                logged(recipe_id.as_str())
            ),
            // The detail may name a path in the bucket folder.
            Failure::Unavailable(_) => "the uploads' bucket is unavailable".to_owned(),
            Failure::NotHere(_) => "uploads go to the bucket, not here".to_owned(),
            Failure::Store(StoreError::Deleted(key)) => {
                format!("the object {} was deleted after this upload", logged(key))
            }
            Failure::Store(StoreError::InvalidCursor) => "an invalid cursor".to_owned(),
            Failure::Store(StoreError::Unavailable(message)) => {
                format!("the store is unavailable: {message}")
            }
            Failure::Store(StoreError::Internal(message)) | Failure::Internal(message) => {
                format!("internal: {message}")
            }
        }
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure::Store(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::object_id::logged;
    use shared::refusal::Code;

    /// What a failure says in a log names ids and keys by their pseudonyms,
    /// and quotes no refused text.
    #[test]
    fn a_failure_is_logged_by_its_kind_and_pseudonyms() {
        let recipe = RecipeId::parse("anna-stew").expect("an id");
        let make = MakeId::parse("anna-birthday").expect("an id");
        let failures = [
            Failure::MakeNotFound(recipe.clone(), make.clone()),
            Failure::Store(StoreError::RecipeNotFound(recipe.clone())),
            Failure::Store(StoreError::Deleted("makes/anna.json".into())),
            Failure::Refused(Refusal::whole(
                Code::InvalidNumber,
                "\"anna\" is not a number",
            )),
            Failure::Unavailable("/home/anna/bucket: no space left".into()),
        ];
        for failure in &failures {
            let shown = failure.for_logs();
            assert!(!shown.contains("anna"), "{failure:?}: {shown}");
        }
        assert_eq!(
            failures[0].for_logs(),
            format!(
                "no make {} of recipe {}",
                logged("anna-birthday"),
                logged("anna-stew")
            )
        );
        assert_eq!(failures[3].for_logs(), "refused: invalid-number");
    }
}
