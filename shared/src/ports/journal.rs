//! The erasure journal: every erasure, kept where a restore of the store
//! cannot roll it back, so that it can be applied again after one.
//!
//! A table restored from a backup or to a point in time brings back what
//! was erased since, and rolls back the erasures' tombstones with it. The
//! journal outlives that: in AWS it is objects in the upload bucket (under
//! [`JOURNAL_PREFIX`], which the chain does not follow), locally a file in
//! the data folder. It holds **only keyed hashes** of the erased ids, under
//! the tombstones' secret ([`ObjectIds`]), with the kind and the time: it
//! names nothing to whoever reads it without the secret, yet the recipe
//! server, which holds the secret, can hash the ids a restored store holds
//! and find the erased ones among them.
//!
//! An entry is recorded before the erasure removes anything, and recording
//! the same erasure again is idempotent: one entry per target, the time of
//! the latest recording ([`latest`]).

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::model::{MakeId, RecipeId};
use crate::object_id::ObjectIds;
use crate::store::ErasureTarget;

/// Where the journal lives in the upload bucket: outside the prefixes the
/// chain follows (`shared::keys::WATCHED_PREFIXES`), so that writing an
/// entry never becomes an upload.
pub const JOURNAL_PREFIX: &str = "erasures/";

/// What was erased.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ErasedKind {
    /// A recipe, with everything of it.
    Recipe,
    /// One make.
    Make,
}

/// One erasure, as the journal keeps it: hashes, the kind and the time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JournalEntry {
    /// A recipe or a make.
    pub kind: ErasedKind,
    /// The keyed hash of the recipe's id ([`recipe_hash`]): the erased
    /// recipe, or the recipe of the erased make.
    pub recipe: String,
    /// The keyed hash of the make ([`make_hash`]), for a make's erasure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub make: Option<String>,
    /// When the erasure was recorded (RFC 3339, UTC, milliseconds). A
    /// replay erases only records stored at or before it, so that a
    /// recipe added again after its erasure is not erased by a replay.
    pub at: String,
}

impl JournalEntry {
    /// The entry of erasing `target` at `at`, its ids hashed under `ids`.
    pub fn of(ids: &ObjectIds, target: &ErasureTarget, at: &str) -> Self {
        match target {
            ErasureTarget::Recipe { recipe_id } => Self {
                kind: ErasedKind::Recipe,
                recipe: recipe_hash(ids, recipe_id),
                make: None,
                at: at.to_owned(),
            },
            ErasureTarget::Make { recipe_id, make_id } => Self {
                kind: ErasedKind::Make,
                recipe: recipe_hash(ids, recipe_id),
                make: Some(make_hash(ids, recipe_id, make_id)),
                at: at.to_owned(),
            },
        }
    }

    /// The entry's name, the same for every recording of one erasure
    /// (`recipe-<hash>` or `make-<hash>`): what makes recording idempotent.
    /// Hexadecimal digits only, safe in an object key or a file name.
    pub fn name(&self) -> String {
        match (&self.kind, &self.make) {
            (ErasedKind::Make, Some(make)) => format!("make-{make}"),
            _ => format!("recipe-{}", self.recipe),
        }
    }

    /// Whether the entry is well formed: the hashes are 64 lower-case
    /// hexadecimal digits, and a make's entry names its make. Adapters
    /// refuse to record or read back anything else, so that the journal
    /// never holds free text.
    pub fn is_well_formed(&self) -> bool {
        let hash =
            |h: &str| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        let make_ok = match self.kind {
            ErasedKind::Recipe => self.make.is_none(),
            ErasedKind::Make => self.make.as_deref().is_some_and(hash),
        };
        hash(&self.recipe)
            && make_ok
            && self.at.len() <= 40
            && self.at.bytes().all(|b| b.is_ascii_graphic())
    }
}

/// The keyed hash of a recipe id under the tombstones' secret. Hashed as a
/// JSON array with a label, so that it never equals an object id (the hash
/// of a bare key) nor a make's hash.
pub fn recipe_hash(ids: &ObjectIds, recipe_id: &RecipeId) -> String {
    labelled(ids, &["erased-recipe", recipe_id.as_str()])
}

/// The keyed hash of a make (its recipe's id and its own, which is unique
/// only within the recipe), under the tombstones' secret.
pub fn make_hash(ids: &ObjectIds, recipe_id: &RecipeId, make_id: &MakeId) -> String {
    labelled(ids, &["erased-make", recipe_id.as_str(), make_id.as_str()])
}

fn labelled(ids: &ObjectIds, parts: &[&str]) -> String {
    // A JSON array of strings cannot fail to serialise; its text is
    // unambiguous however the parts are spelled.
    let text = serde_json::to_string(parts).unwrap_or_else(|_| parts.join("\u{0}"));
    ids.id(&text).as_str().to_owned()
}

/// One entry per erasure, the latest recording of each, in name order.
pub fn latest(entries: impl IntoIterator<Item = JournalEntry>) -> Vec<JournalEntry> {
    let mut by_name: BTreeMap<String, JournalEntry> = BTreeMap::new();
    for entry in entries {
        match by_name.get(&entry.name()) {
            Some(kept) if kept.at >= entry.at => {}
            _ => {
                by_name.insert(entry.name(), entry);
            }
        }
    }
    by_name.into_values().collect()
}

/// Why the journal could not be written or read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JournalError {
    /// Unreachable, throttled, or a file that cannot be written: try
    /// again; the erasure has removed nothing yet.
    #[error("the erasure journal is unavailable: {0}")]
    Unavailable(String),
    /// An entry that is not one the journal writes.
    #[error("the erasure journal holds an unreadable entry: {0}")]
    Corrupt(String),
}

/// Where erasures are journalled, apart from the store.
#[async_trait]
pub trait ErasureJournal: Send + Sync {
    /// Records `entry`; recording the same erasure again (the same
    /// [`JournalEntry::name`]) keeps one entry, the latest time. `Ok` only
    /// once the entry is durable.
    async fn record(&self, entry: &JournalEntry) -> Result<(), JournalError>;

    /// Every erasure recorded, one entry each ([`latest`]).
    async fn entries(&self) -> Result<Vec<JournalEntry>, JournalError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> RecipeId {
        RecipeId::parse(text).expect("an id")
    }

    #[test]
    fn entries_hold_keyed_hashes_never_the_ids() {
        let ids = ObjectIds::for_tests();
        let make = ErasureTarget::Make {
            recipe_id: id("anna-pie"),
            make_id: MakeId::parse("anna-birthday").expect("an id"),
        };
        let entry = JournalEntry::of(&ids, &make, "2026-12-07T10:00:00.000Z");
        let text = serde_json::to_string(&entry).expect("JSON");
        assert!(!text.contains("anna"), "{text}");
        assert!(entry.is_well_formed(), "{text}");
        assert_eq!(entry.recipe, recipe_hash(&ids, &id("anna-pie")));
        // Labelled apart: a recipe's hash is neither a make's nor an
        // object id of the same text.
        assert_ne!(Some(entry.recipe.clone()), entry.make);
        assert_ne!(entry.recipe, ids.id("anna-pie").as_str());
        // Another secret, other hashes.
        let other = ObjectIds::new(&[9; 32]).expect("secret");
        assert_ne!(recipe_hash(&other, &id("anna-pie")), entry.recipe);
    }

    #[test]
    fn the_latest_recording_of_each_erasure_is_kept() {
        let ids = ObjectIds::for_tests();
        let pie = ErasureTarget::Recipe {
            recipe_id: id("pie"),
        };
        let tart = ErasureTarget::Recipe {
            recipe_id: id("tart"),
        };
        let kept = latest([
            JournalEntry::of(&ids, &pie, "2026-01-02T00:00:00.000Z"),
            JournalEntry::of(&ids, &tart, "2026-01-01T00:00:00.000Z"),
            JournalEntry::of(&ids, &pie, "2026-01-01T00:00:00.000Z"),
        ]);
        assert_eq!(kept.len(), 2);
        let pie_entry = kept
            .iter()
            .find(|e| e.recipe == recipe_hash(&ids, &id("pie")))
            .expect("pie");
        assert_eq!(pie_entry.at, "2026-01-02T00:00:00.000Z");
    }

    #[test]
    fn free_text_is_not_a_well_formed_entry() {
        let ids = ObjectIds::for_tests();
        let pie = ErasureTarget::Recipe {
            recipe_id: id("pie"),
        };
        let good = JournalEntry::of(&ids, &pie, "2026-01-02T00:00:00.000Z");
        for bad in [
            JournalEntry {
                recipe: "pie".into(),
                ..good.clone()
            },
            JournalEntry {
                make: Some(good.recipe.clone()),
                ..good.clone()
            },
            JournalEntry {
                kind: ErasedKind::Make,
                ..good.clone()
            },
            JournalEntry {
                at: "the day Anna baked".into(),
                ..good.clone()
            },
        ] {
            assert!(!bad.is_well_formed(), "{bad:?}");
        }
        assert!(
            serde_json::from_str::<JournalEntry>(
                r#"{"kind":"recipe","recipe":"00","at":"x","recipeId":"pie"}"#
            )
            .is_err(),
            "no other field is read"
        );
    }
}
