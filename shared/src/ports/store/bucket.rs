//! What the store keeps of the bucket: the [`Origin`] of each write, the
//! deletions that follow the bucket ([`ObjectDeletion`], [`Removed`]) and
//! the erasures that leave only [`Tombstone`]s.

use serde::{Deserialize, Serialize};

use super::{ObjectId, ObjectIds};
use crate::keys::UploadKind;
use crate::model::{MakeId, RecipeId};

/// The bucket object a write came from, and its place in the order of
/// events on its key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Origin {
    /// The object key.
    pub object_key: String,
    /// The key's keyed hash: what a deletion's tombstone is kept under.
    pub object_id: ObjectId,
    /// The upload's sequencer, in the store's fixed-width form
    /// ([`Origin::order`]); without one, the upload is older than any
    /// deletion of its key.
    pub sequencer: Option<String>,
}

impl Origin {
    /// An origin, its sequencer brought to the fixed-width form.
    pub fn new(ids: &ObjectIds, object_key: impl Into<String>, sequencer: Option<&str>) -> Self {
        let object_key = object_key.into();
        Self {
            object_id: ids.id(&object_key),
            object_key,
            sequencer: sequencer.map(Self::order),
        }
    }

    /// The origin of a write that names its object (and perhaps its
    /// sequencer, already fixed-width); `None` when it names none.
    pub fn of(
        ids: &ObjectIds,
        object_key: Option<&String>,
        sequencer: Option<&String>,
    ) -> Option<Self> {
        object_key.map(|key| Self {
            object_key: key.clone(),
            object_id: ids.id(key),
            sequencer: sequencer.cloned(),
        })
    }

    /// A sequencer as the stores keep it: 64 upper-case hexadecimal digits,
    /// so that comparing the text orders the events. The later of two
    /// events on one key has the greater hexadecimal value; S3's sequencers
    /// may differ in length, so they compare as numbers (leading zeros do
    /// not count), not as text. Text that is not hexadecimal (the wire
    /// refuses it) orders first.
    pub fn order(sequencer: &str) -> String {
        if sequencer.is_empty() || !sequencer.bytes().all(|b| b.is_ascii_hexdigit()) {
            return "0".repeat(64);
        }
        let digits = sequencer.trim_start_matches('0').to_ascii_uppercase();
        format!("{digits:0>64}")
    }

    /// The sequencer just after `sequencer` (both fixed-width): what an
    /// erasure's tombstone holds, so that it refuses the erased upload
    /// itself, not only older ones. The greatest sequencer stays itself.
    pub fn after(sequencer: &str) -> String {
        let mut digits: Vec<u8> = Self::order(sequencer).into_bytes();
        for digit in digits.iter_mut().rev() {
            match *digit {
                b'F' => *digit = b'0',
                b'9' => {
                    *digit = b'A';
                    return String::from_utf8_lossy(&digits).into_owned();
                }
                _ => {
                    *digit += 1;
                    return String::from_utf8_lossy(&digits).into_owned();
                }
            }
        }
        "F".repeat(64)
    }

    /// Whether this upload came before a deletion at `sequencer` (its
    /// fixed-width form): then the deletion removes it.
    pub fn is_before(&self, sequencer: Option<&str>) -> bool {
        match (self.sequencer.as_deref(), sequencer) {
            // A deletion without a sequencer removes everything.
            (_, None) => true,
            (None, Some(_)) => true,
            (Some(upload), Some(deletion)) => upload < deletion,
        }
    }
}

/// An object deleted from the bucket (or hidden by a delete marker).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectDeletion {
    /// The object key.
    pub object_key: String,
    /// The key's keyed hash, under which the deletion is remembered.
    pub object_id: ObjectId,
    /// What was under it.
    pub kind: UploadKind,
    /// The deletion's sequencer, fixed-width ([`Origin::order`]); without
    /// one, everything that came from the key goes, and nothing is
    /// remembered against later uploads.
    pub sequencer: Option<String>,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// What a deletion removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Removed {
    /// Makes removed, with their diffs and facts.
    pub makes: u64,
    /// Recipe versions withdrawn (by a deletion) or removed (by an erasure).
    pub versions: u64,
    /// Rejections removed.
    pub rejections: u64,
}

/// What an erasure takes away.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ErasureTarget {
    /// A recipe: every version, every make, the rejections of its objects.
    #[serde(rename_all = "camelCase")]
    Recipe {
        /// The recipe.
        recipe_id: RecipeId,
    },
    /// One make, with its diff and facts.
    #[serde(rename_all = "camelCase")]
    Make {
        /// The recipe it was made from.
        recipe_id: RecipeId,
        /// The make.
        make_id: MakeId,
    },
}

impl ErasureTarget {
    /// The recipe the target is or belongs to.
    pub fn recipe_id(&self) -> &RecipeId {
        match self {
            ErasureTarget::Recipe { recipe_id } | ErasureTarget::Make { recipe_id, .. } => {
                recipe_id
            }
        }
    }
}

/// A bucket object that records of an erased target came from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErasedObject {
    /// The object key.
    pub object_key: String,
    /// The newest sequencer of its uploads that the store holds
    /// (fixed-width), when any had one.
    pub sequencer: Option<String>,
}

/// An erased object, by its key's id: the store removes what it keeps
/// under the id (pointers to the erased records) and, when the object had a
/// sequencer, raises its tombstone, so that an older upload of it
/// delivered later stores nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tombstone {
    /// The object key's keyed hash.
    pub object_id: ObjectId,
    /// Just after the newest sequencer erased ([`Origin::after`]), so that
    /// the erased uploads are refused too; without one, no tombstone is
    /// raised (an upload without a sequencer is not ordered).
    pub sequencer: Option<String>,
}

impl Tombstone {
    /// The tombstones of `objects` under `ids`, one per object.
    pub fn of(ids: &ObjectIds, objects: &[ErasedObject]) -> Vec<Tombstone> {
        objects
            .iter()
            .map(|object| Tombstone {
                object_id: ids.id(&object.object_key),
                sequencer: object.sequencer.as_deref().map(Origin::after),
            })
            .collect()
    }
}

/// The bucket objects of one object key among `objects`, merged: the
/// newest sequencer of each key, sorted by key. Both stores answer
/// [`RecipeStore::begin_erasure`] through it.
pub fn merge_objects(objects: impl IntoIterator<Item = ErasedObject>) -> Vec<ErasedObject> {
    let mut newest: std::collections::BTreeMap<String, Option<String>> = Default::default();
    for object in objects {
        let entry = newest.entry(object.object_key).or_default();
        if object.sequencer > *entry {
            *entry = object.sequencer;
        }
    }
    newest
        .into_iter()
        .map(|(object_key, sequencer)| ErasedObject {
            object_key,
            sequencer,
        })
        .collect()
}
