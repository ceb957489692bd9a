//! Item mapping: the table's keys, and the items that records become.

use super::*;

/// An item or a key, as the SDK takes it.
pub(super) type Item = HashMap<String, AttributeValue>;

pub(super) const RECIPE_PREFIX: &str = "RECIPE#";
pub(super) const META_SK: &str = "META";
pub(super) const VERSION_PREFIX: &str = "VERSION#";
pub(super) const MAKE_PREFIX: &str = "MAKE#";
pub(super) const DIRECTORY_PK: &str = "RECIPES";
pub(super) const REJECTIONS_PK: &str = "REJECTIONS";
pub(super) const REJECTION_PREFIX: &str = "REJ#";
pub(super) const IDEMPOTENCY_PREFIX: &str = "IDEM#";
pub(super) const OBJECT_PREFIX: &str = "OBJECT#";
pub(super) const DELETED_SK: &str = "DELETED";
/// The sort-key prefix of a key pointer: an idempotency key of a write to
/// the recipe, so that an erasure finds and removes its record.
pub(super) const KEY_PREFIX: &str = "KEY#";
/// The partition of the erasures under way.
pub(super) const ERASURES_PK: &str = "ERASURES";
pub(super) const ERASURE_PREFIX: &str = "ERASE#";

// Idempotency records are kept per kind of write (in the sort key), as the
// SQLite store does, so a key reused across kinds cannot make one write
// return another kind's result.
pub(super) const VERSION_WRITE: &str = "version";
pub(super) const MAKE_WRITE: &str = "make";
pub(super) const REJECTION_WRITE: &str = "rejection";

/// How long an idempotency record is kept: well beyond SQS's longest
/// retention (14 days), so no redelivery outlives its record.
pub(super) const IDEMPOTENCY_TTL: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// DynamoDB refuses items larger than this.
pub(super) const ITEM_LIMIT: usize = 400 * 1024;

/// How many times a write is tried when concurrent writes to the same
/// recipe keep winning the race.
pub(super) const WRITE_ATTEMPTS: u32 = 10;

/// The fields a version write sets on the recipe and its directory entry.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RecipeFields<'a> {
    pub(super) recipe_id: &'a RecipeId,
    pub(super) name: &'a str,
    pub(super) current_version: u32,
    // Written as NULL when absent, so that a version without a rating
    // clears the previous version's.
    pub(super) rating: Option<f64>,
    pub(super) content_hash: &'a str,
    /// The highest version number ever used (withdrawn versions keep
    /// theirs): the next version is one more.
    pub(super) latest_version: u32,
    /// Every version is withdrawn.
    pub(super) withdrawn: bool,
    pub(super) updated_at: &'a str,
}

/// A recipe's `META` item, or its directory entry.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RecipeItem {
    pub(super) recipe_id: RecipeId,
    pub(super) name: String,
    pub(super) current_version: u32,
    pub(super) rating: Option<f64>,
    pub(super) content_hash: String,
    // Counters appear with the first make (`ADD` creates them).
    #[serde(default)]
    pub(super) make_count: u64,
    #[serde(default)]
    pub(super) rating_sum: f64,
    #[serde(default)]
    pub(super) rated_count: u64,
    pub(super) updated_at: String,
    // Written since deletion follows the bucket; before, the current
    // version was always the latest and never withdrawn.
    #[serde(default)]
    pub(super) latest_version: Option<u32>,
    #[serde(default)]
    pub(super) withdrawn: bool,
}

impl RecipeItem {
    /// The highest version number ever used.
    pub(super) fn latest(&self) -> u32 {
        self.latest_version.unwrap_or(self.current_version)
    }

    pub(super) fn into_summary(self) -> RecipeSummary {
        RecipeSummary {
            recipe_id: self.recipe_id,
            name: self.name,
            current_version: self.current_version,
            withdrawn: self.withdrawn,
            rating: self.rating,
            make_count: self.make_count,
            average_make_rating: (self.rated_count > 0)
                .then(|| round4(self.rating_sum / self.rated_count as f64)),
            updated_at: self.updated_at,
            content_hash: self.content_hash,
        }
    }
}

/// The bucket object a version or make came from, as its item keeps it
/// (`originKey`, `originSeq`): absent on items written before deletion
/// followed the bucket, and on records not from the bucket.
#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct OriginFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) origin_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) origin_seq: Option<String>,
}

impl OriginFields {
    pub(super) fn of(origin: Option<&Origin>) -> Self {
        Self {
            origin_key: origin.map(|o| o.object_key.clone()),
            origin_seq: origin.and_then(|o| o.sequencer.clone()),
        }
    }

    /// Whether they record `origin`'s upload: whether their record is the
    /// one a pointer from that upload names.
    pub(super) fn is_from(&self, origin: &Origin) -> bool {
        self.origin_key.as_deref() == Some(origin.object_key.as_str())
            && self.origin_seq == origin.sequencer
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct VersionItem {
    pub(super) recipe_id: RecipeId,
    pub(super) version: u32,
    pub(super) name: String,
    pub(super) rating: Option<f64>,
    pub(super) content_hash: String,
    pub(super) created_at: String,
    #[serde(with = "json_text")]
    pub(super) document: Value,
    #[serde(flatten)]
    pub(super) origin: OriginFields,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) withdrawn_at: Option<String>,
}

impl VersionItem {
    pub(super) fn from_stored(
        stored: &StoredVersion,
        rating: Option<f64>,
        origin: Option<&Origin>,
    ) -> Self {
        Self {
            recipe_id: stored.recipe_id.clone(),
            version: stored.head.version,
            name: stored.head.name.clone(),
            rating,
            content_hash: stored.head.content_hash.clone(),
            created_at: stored.head.created_at.clone(),
            document: stored.document.clone(),
            origin: OriginFields::of(origin),
            withdrawn_at: stored.head.withdrawn_at.clone(),
        }
    }

    pub(super) fn into_stored(self) -> StoredVersion {
        StoredVersion {
            recipe_id: self.recipe_id,
            head: VersionSummary {
                version: self.version,
                name: self.name,
                content_hash: self.content_hash,
                created_at: self.created_at,
                withdrawn_at: self.withdrawn_at,
            },
            document: self.document,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MakeItem {
    pub(super) recipe_id: RecipeId,
    pub(super) make_id: MakeId,
    pub(super) version: u32,
    pub(super) made_at: Option<String>,
    pub(super) notes: Option<String>,
    pub(super) rating: Option<f64>,
    pub(super) created_at: String,
    pub(super) content_hash: String,
    pub(super) scale_factor: Option<f64>,
    #[serde(with = "json_text")]
    pub(super) summary: Summary,
    #[serde(with = "json_text")]
    pub(super) document: Value,
    #[serde(with = "json_text")]
    pub(super) diff: Value,
    #[serde(with = "json_text")]
    pub(super) facts: MakeFacts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) logged_by: Option<String>,
    #[serde(flatten)]
    pub(super) origin: OriginFields,
}

impl MakeItem {
    pub(super) fn from_new(new: &NewMake) -> Self {
        let make = &new.make;
        Self {
            recipe_id: make.recipe_id.clone(),
            make_id: make.make_id.clone(),
            version: make.version,
            made_at: make.made_at.clone(),
            notes: make.notes.clone(),
            rating: make.rating,
            created_at: make.created_at.clone(),
            content_hash: make.content_hash.clone(),
            scale_factor: new.facts.scale_factor,
            // Kept apart from the diff so that a list of makes does not
            // read every diff whole.
            summary: new.summary.clone(),
            document: make.document.clone(),
            diff: make.diff.clone(),
            facts: new.facts.clone(),
            logged_by: make.logged_by.clone(),
            origin: OriginFields::of(new.origin.as_ref()),
        }
    }

    pub(super) fn into_stored(self) -> StoredMake {
        StoredMake {
            recipe_id: self.recipe_id,
            make_id: self.make_id,
            version: self.version,
            made_at: self.made_at,
            notes: self.notes,
            rating: self.rating,
            created_at: self.created_at,
            content_hash: self.content_hash,
            document: self.document,
            diff: self.diff,
            logged_by: self.logged_by,
        }
    }
}

/// What a deletion reads of a recipe's versions to find the current one.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct VersionHead {
    pub(super) version: u32,
    pub(super) name: String,
    pub(super) rating: Option<f64>,
    pub(super) content_hash: String,
    #[serde(default)]
    pub(super) withdrawn_at: Option<String>,
    #[serde(flatten)]
    pub(super) origin: OriginFields,
}

impl VersionHead {
    /// The attributes it is read from.
    pub(super) const PROJECTION: [&str; 7] = [
        "version",
        "name",
        "rating",
        "contentHash",
        "withdrawnAt",
        "originKey",
        "originSeq",
    ];
}

/// The attributes of a make that a list shows.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MakeSummaryItem {
    pub(super) make_id: MakeId,
    pub(super) version: u32,
    pub(super) made_at: Option<String>,
    pub(super) created_at: String,
    pub(super) rating: Option<f64>,
    #[serde(with = "json_text")]
    pub(super) summary: Summary,
    pub(super) scale_factor: Option<f64>,
}

impl MakeSummaryItem {
    pub(super) fn into_summary(self) -> MakeSummary {
        MakeSummary {
            make_id: self.make_id,
            version: self.version,
            made_at: self.made_at,
            created_at: self.created_at,
            rating: self.rating,
            summary: self.summary,
            scale_factor: self.scale_factor,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct FactsItem {
    #[serde(with = "json_text")]
    pub(super) facts: MakeFacts,
}

/// A key pointer (`pk = RECIPE#<id>`, `sk = KEY#<kind>#<key>`): the make
/// its write stored, for a make write.
#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct KeyPointerItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) make_id: Option<MakeId>,
}

/// What a pointer (`pk = OBJECT#<id>`) says about the record it indexes,
/// by its sort key's prefix: `MAKE#` (`recipeId`, `makeId`, `rating`),
/// `VERSION#` (`recipeId`, `version`) or `REJ#` (`rejectionId`); each with
/// the upload's `sequencer` when it had one.
#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PointerItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) recipe_id: Option<RecipeId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) make_id: Option<MakeId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) rating: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) version: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) rejection_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) sequencer: Option<String>,
}

/// The newest deletion of an object (`pk = OBJECT#<id>`, `sk = DELETED`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TombstoneItem {
    pub(super) sequencer: String,
}

/// An idempotency record: what the first write with a key returned.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct IdempotencyRecord<T> {
    pub(super) first: T,
    pub(super) created_at: String,
    /// Epoch seconds, for DynamoDB's time to live.
    pub(super) expires_at: u64,
}

/// Values kept as JSON text in an attribute.
pub(super) mod json_text {
    use serde::de::{DeserializeOwned, Error as _};
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<T: Serialize, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(value).map_err(S::Error::custom)?;
        serializer.serialize_str(&text)
    }

    pub(super) fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        let text = String::deserialize(deserializer)?;
        serde_json::from_str(&text).map_err(D::Error::custom)
    }
}

pub(super) fn recipe_pk(recipe_id: &RecipeId) -> String {
    format!("{RECIPE_PREFIX}{recipe_id}")
}

/// Zero-padded so that versions sort by number.
pub(super) fn version_sk(version: u32) -> String {
    format!("{VERSION_PREFIX}{version:010}")
}

pub(super) fn make_sk(make_id: &MakeId) -> String {
    format!("{MAKE_PREFIX}{make_id}")
}

pub(super) fn rejection_sk(rejection_id: &str) -> String {
    format!("{REJECTION_PREFIX}{rejection_id}")
}

/// The partition of a bucket object, named by its id (a keyed hash of its
/// key): its deletion's tombstone and a pointer to each record that came
/// from it.
pub(super) fn object_pk(object_id: &ObjectId) -> String {
    format!("{OBJECT_PREFIX}{object_id}")
}

/// The key pointer of an idempotency key of kind `kind` in a recipe's
/// partition.
pub(super) fn key_pointer_sk(kind: &str, key: &IdempotencyKey) -> String {
    format!("{KEY_PREFIX}{kind}#{}", key.as_str())
}

/// The pointer to a make: the recipe id's length first, so that ids
/// holding `#` cannot make two makes' pointers one.
pub(super) fn make_pointer_sk(recipe_id: &RecipeId, make_id: &MakeId) -> String {
    format!(
        "{MAKE_PREFIX}{}#{recipe_id}#{make_id}",
        recipe_id.as_str().len()
    )
}

/// The pointer to a version: the number is the last ten characters.
pub(super) fn version_pointer_sk(recipe_id: &RecipeId, version: u32) -> String {
    format!("{VERSION_PREFIX}{recipe_id}#{version:010}")
}

pub(super) fn item_key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(pk.into())),
        ("sk".to_owned(), AttributeValue::S(sk.into())),
    ])
}

pub(super) fn idempotency_key(kind: &str, key: &IdempotencyKey) -> Item {
    item_key(
        format!("{IDEMPOTENCY_PREFIX}{}", key.as_str()),
        format!("{IDEMPOTENCY_PREFIX}{kind}"),
    )
}

pub(super) fn idempotency_item<T: Serialize>(
    kind: &str,
    key: &IdempotencyKey,
    first: &T,
    at: &str,
) -> Result<Item, StoreError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let record = IdempotencyRecord {
        first,
        created_at: at.to_owned(),
        expires_at: (now + IDEMPOTENCY_TTL).as_secs(),
    };
    let mut item = to_item(&record, "an idempotency record")?;
    item.extend(idempotency_key(kind, key));
    Ok(item)
}

pub(super) fn with_key(mut item: Item, pk: impl Into<String>, sk: impl Into<String>) -> Item {
    item.extend(item_key(pk, sk));
    item
}

pub(super) fn to_item<T: Serialize>(value: &T, what: &str) -> Result<Item, StoreError> {
    serde_dynamo::to_item(value).map_err(|e| {
        StoreError::Internal(format!(
            "cannot write {what} as an item: {}",
            shared::object_id::scrubbed(&e.to_string())
        ))
    })
}

pub(super) fn from_item<T: DeserializeOwned>(item: Item, what: &str) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| {
        // The parser's message may quote the item's values.
        StoreError::Internal(format!(
            "{what} in the table is unreadable: {}",
            shared::object_id::scrubbed(&e.to_string())
        ))
    })
}

pub(super) fn number(value: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The size DynamoDB counts against its item limit: attribute names and
/// values, with a little for each map and list (an overestimate for
/// numbers, which DynamoDB packs two digits to a byte).
pub(super) fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

pub(super) fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) | AttributeValue::N(s) => s.len(),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Ss(v) | AttributeValue::Ns(v) => v.iter().map(String::len).sum(),
        AttributeValue::Bs(v) => v.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(list) => 3 + list.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(k, v)| 1 + k.len() + value_size(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}
