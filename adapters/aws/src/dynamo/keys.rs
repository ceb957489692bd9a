//! The table's keys: the partition and sort key of every item (the table in
//! [`DynamoStore`]'s documentation), the lists that queries read (a
//! partition and a sort-key prefix), and what an item is by its sort key.
//!
//! [`DynamoStore`]: super::DynamoStore

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use shared::model::{MakeId, RecipeId};
use shared::store::{IdempotencyKey, ObjectId, StoreError};

/// An item or a key, as the SDK takes it.
pub(super) type Item = HashMap<String, AttributeValue>;

const RECIPE_PREFIX: &str = "RECIPE#";
const META_SK: &str = "META";
/// A recipe's insight tally.
const INSIGHTS_SK: &str = "INSIGHTS";
const VERSION_PREFIX: &str = "VERSION#";
const MAKE_PREFIX: &str = "MAKE#";
/// In a recipe's partition, one of its variants (`VARIANT#<variant id>`).
const VARIANT_PREFIX: &str = "VARIANT#";
const DIRECTORY_PK: &str = "RECIPES";
const REJECTIONS_PK: &str = "REJECTIONS";
const REJECTION_PREFIX: &str = "REJ#";
const IDEMPOTENCY_PREFIX: &str = "IDEM#";
const OBJECT_PREFIX: &str = "OBJECT#";
/// The sort key of an object's tombstone.
pub(super) const DELETED_SK: &str = "DELETED";
/// The sort-key prefix of a key pointer: an idempotency key of a write to
/// the recipe, so that an erasure finds and removes its record.
const KEY_PREFIX: &str = "KEY#";
/// The partition of the erasures under way.
const ERASURES_PK: &str = "ERASURES";
const ERASURE_PREFIX: &str = "ERASE#";

/// A kind of write. Idempotency records are kept per kind (in the sort
/// key), as the SQLite store does, so a key reused across kinds cannot make
/// one write return another kind's result.
#[derive(Clone, Copy)]
pub(super) enum Write {
    Version,
    Make,
    Rejection,
}

impl Write {
    fn name(self) -> &'static str {
        match self {
            Self::Version => "version",
            Self::Make => "make",
            Self::Rejection => "rejection",
        }
    }
}

/// The key of one item.
pub(super) enum Key<'a> {
    /// A recipe's `META` item.
    Recipe(&'a RecipeId),
    /// A recipe's entry in the directory (`RECIPES`).
    Directory(&'a RecipeId),
    /// A recipe's insight tally.
    Insights(&'a RecipeId),
    Version(&'a RecipeId, u32),
    Make(&'a RecipeId, &'a MakeId),
    /// In a parent's partition, one of its variants (parent, variant).
    Variant(&'a RecipeId, &'a RecipeId),
    Rejection(&'a str),
    /// What the first write of a kind with a key returned.
    Idempotency(Write, &'a IdempotencyKey),
    /// A key pointer: in a recipe's partition, the idempotency key of a
    /// write of a kind to it.
    IdempotencyPointer(&'a RecipeId, Write, &'a IdempotencyKey),
    /// The newest remembered deletion of an object.
    Tombstone(&'a ObjectId),
    /// In an object's partition, the pointer to a make that came from it.
    MakePointer(&'a ObjectId, &'a RecipeId, &'a MakeId),
    /// In an object's partition, the pointer to a version that came from it.
    VersionPointer(&'a ObjectId, &'a RecipeId, u32),
    /// In an object's partition, the pointer to a rejection of it.
    RejectionPointer(&'a ObjectId, &'a str),
    /// An erasure under way, by its target as JSON text.
    Erasure(&'a str),
}

impl Key<'_> {
    /// What the item holds, for messages.
    pub(super) fn what(&self) -> &'static str {
        match self {
            Self::Recipe(_) => "a recipe",
            Self::Directory(_) => "a recipe's directory entry",
            Self::Insights(_) => "a recipe's insight tally",
            Self::Version(..) => "a recipe version",
            Self::Make(..) => "a make",
            Self::Variant(..) => "a variant's entry",
            Self::Rejection(_) => "a rejection",
            Self::Idempotency(..) => "an idempotency record",
            Self::IdempotencyPointer(..) => "a key pointer",
            Self::Tombstone(_) => "a deletion's tombstone",
            Self::MakePointer(..) | Self::VersionPointer(..) | Self::RejectionPointer(..) => {
                "a pointer"
            }
            Self::Erasure(_) => "an erasure",
        }
    }

    pub(super) fn item(&self) -> Item {
        match *self {
            Self::Recipe(recipe_id) => item_key(recipe_pk(recipe_id), META_SK),
            Self::Directory(recipe_id) => item_key(DIRECTORY_PK, recipe_pk(recipe_id)),
            Self::Insights(recipe_id) => item_key(recipe_pk(recipe_id), INSIGHTS_SK),
            // Zero-padded so that versions sort by number.
            Self::Version(recipe_id, version) => item_key(
                recipe_pk(recipe_id),
                format!("{VERSION_PREFIX}{version:010}"),
            ),
            Self::Make(recipe_id, make_id) => {
                item_key(recipe_pk(recipe_id), format!("{MAKE_PREFIX}{make_id}"))
            }
            Self::Variant(parent, variant) => {
                item_key(recipe_pk(parent), format!("{VARIANT_PREFIX}{variant}"))
            }
            Self::Rejection(rejection_id) => item_key(REJECTIONS_PK, rejection_sk(rejection_id)),
            Self::Idempotency(kind, key) => idempotency_key(kind.name(), key.as_str()),
            Self::IdempotencyPointer(recipe_id, kind, key) => item_key(
                recipe_pk(recipe_id),
                format!("{KEY_PREFIX}{}#{}", kind.name(), key.as_str()),
            ),
            Self::Tombstone(object_id) => item_key(object_pk(object_id), DELETED_SK),
            // The recipe id's length first, so that ids holding `#` cannot
            // make two makes' pointers one.
            Self::MakePointer(object_id, recipe_id, make_id) => item_key(
                object_pk(object_id),
                format!(
                    "{MAKE_PREFIX}{}#{recipe_id}#{make_id}",
                    recipe_id.as_str().len()
                ),
            ),
            // The number is the last ten characters.
            Self::VersionPointer(object_id, recipe_id, version) => item_key(
                object_pk(object_id),
                format!("{VERSION_PREFIX}{recipe_id}#{version:010}"),
            ),
            Self::RejectionPointer(object_id, rejection_id) => {
                item_key(object_pk(object_id), rejection_sk(rejection_id))
            }
            Self::Erasure(target) => item_key(ERASURES_PK, format!("{ERASURE_PREFIX}{target}")),
        }
    }
}

/// What an item is, by its sort key, in a recipe's partition or an
/// object's.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Entry {
    /// A version, or an object's pointer to one.
    Version,
    /// A make, or an object's pointer to one.
    Make,
    /// An object's pointer to a rejection.
    Rejection,
    /// An object's tombstone.
    Tombstone,
    /// A recipe's entry for one of its variants.
    Variant,
}

impl Entry {
    pub(super) fn of(sk: &str) -> Option<Self> {
        if sk == DELETED_SK {
            Some(Self::Tombstone)
        } else if sk.starts_with(MAKE_PREFIX) {
            Some(Self::Make)
        } else if sk.starts_with(VERSION_PREFIX) {
            Some(Self::Version)
        } else if sk.starts_with(REJECTION_PREFIX) {
            Some(Self::Rejection)
        } else if sk.starts_with(VARIANT_PREFIX) {
            Some(Self::Variant)
        } else {
            None
        }
    }
}

/// A list: the items of one partition whose sort keys start with one
/// prefix, in the order it is read in.
#[derive(Clone, Copy)]
pub(super) enum List<'a> {
    /// The recipe directory, by recipe id.
    Recipes,
    /// A recipe's versions, oldest first.
    Versions(&'a RecipeId),
    /// A recipe's makes, by make id.
    Makes(&'a RecipeId),
    /// The key pointers of a recipe's writes.
    KeyPointers(&'a RecipeId),
    /// A recipe's variants, by id.
    Variants(&'a RecipeId),
    /// Every item of a recipe's partition.
    Recipe(&'a RecipeId),
    /// The rejections, newest first.
    Rejections,
    /// An object's tombstone and the pointers to what came from it.
    Object(&'a ObjectId),
    /// The erasures under way.
    Erasures,
}

impl List<'_> {
    pub(super) fn pk(&self) -> String {
        match self {
            Self::Recipes => DIRECTORY_PK.to_owned(),
            Self::Versions(recipe_id)
            | Self::Makes(recipe_id)
            | Self::KeyPointers(recipe_id)
            | Self::Variants(recipe_id)
            | Self::Recipe(recipe_id) => recipe_pk(recipe_id),
            Self::Rejections => REJECTIONS_PK.to_owned(),
            Self::Object(object_id) => object_pk(object_id),
            Self::Erasures => ERASURES_PK.to_owned(),
        }
    }

    /// The prefix of its sort keys; `None` for a whole partition.
    pub(super) fn prefix(&self) -> Option<&'static str> {
        match self {
            Self::Recipes => Some(RECIPE_PREFIX),
            Self::Versions(_) => Some(VERSION_PREFIX),
            Self::Makes(_) => Some(MAKE_PREFIX),
            Self::KeyPointers(_) => Some(KEY_PREFIX),
            Self::Variants(_) => Some(VARIANT_PREFIX),
            Self::Rejections => Some(REJECTION_PREFIX),
            Self::Erasures => Some(ERASURE_PREFIX),
            Self::Recipe(_) | Self::Object(_) => None,
        }
    }

    /// Whether it is read in ascending sort-key order.
    pub(super) fn forward(&self) -> bool {
        !matches!(self, Self::Rejections)
    }

    /// What it holds, for messages.
    pub(super) fn what(&self) -> &'static str {
        match self {
            Self::Recipes => "recipes",
            Self::Versions(_) => "recipe versions",
            Self::Makes(_) => "makes",
            Self::KeyPointers(_) => "a recipe's keys",
            Self::Variants(_) => "variants",
            Self::Recipe(_) => "a recipe's records",
            Self::Rejections => "rejections",
            Self::Object(_) => "what came from an object",
            Self::Erasures => "the erasures",
        }
    }
}

/// An item's sort key.
pub(super) fn sort_key(item: &Item) -> Result<&str, StoreError> {
    match item.get("sk") {
        Some(AttributeValue::S(sk)) => Ok(sk),
        _ => Err(StoreError::Internal(
            "an item has no string sort key".into(),
        )),
    }
}

/// An item's own key, as a query returns it with the item.
pub(super) fn key_of(item: &Item) -> Result<Item, StoreError> {
    match item.get("pk") {
        Some(AttributeValue::S(pk)) => Ok(item_key(pk.as_str(), sort_key(item)?)),
        _ => Err(StoreError::Internal(
            "an item has no string partition key".into(),
        )),
    }
}

/// The key of the idempotency record that a key pointer's sort key
/// (`KEY#<kind>#<key>`) names.
pub(super) fn record_of_key_pointer(sk: &str) -> Option<Item> {
    let (kind, key) = sk.strip_prefix(KEY_PREFIX)?.split_once('#')?;
    Some(idempotency_key(kind, key))
}

/// The variant that a parent's entry (`VARIANT#<id>`) names.
pub(super) fn variant_of_entry(sk: &str) -> Option<RecipeId> {
    RecipeId::parse(sk.strip_prefix(VARIANT_PREFIX)?).ok()
}

fn recipe_pk(recipe_id: &RecipeId) -> String {
    format!("{RECIPE_PREFIX}{recipe_id}")
}

fn rejection_sk(rejection_id: &str) -> String {
    format!("{REJECTION_PREFIX}{rejection_id}")
}

/// The partition of a bucket object, named by its id (a keyed hash of its
/// key): its deletion's tombstone and a pointer to each record that came
/// from it.
fn object_pk(object_id: &ObjectId) -> String {
    format!("{OBJECT_PREFIX}{object_id}")
}

fn idempotency_key(kind: &str, key: &str) -> Item {
    item_key(
        format!("{IDEMPOTENCY_PREFIX}{key}"),
        format!("{IDEMPOTENCY_PREFIX}{kind}"),
    )
}

fn item_key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(pk.into())),
        ("sk".to_owned(), AttributeValue::S(sk.into())),
    ])
}
