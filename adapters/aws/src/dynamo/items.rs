//! What the table's items hold: the attributes of each kind of item, and
//! the conversions between items and the domain's records (its key comes
//! from `keys`). The other modules name attributes only through what this
//! one exposes: the projections, and the conversions.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::diff::{Summary, round4};
use shared::insights::MakeFacts;
use shared::model::{MakeId, RecipeId};
use shared::object_id::scrubbed;
use shared::store::{
    ErasedObject, ErasureTarget, IdempotencyKey, MakeRef, MakeSummary, MakeTally, NewMake,
    NewVersion, Origin, Parent, RecipeSummary, StoreError, StoredMake, StoredRejection,
    StoredVersion, VersionSource, VersionSummary, version_figures,
};

use super::keys::{Item, Key, Write};

/// How long an idempotency record is kept: well beyond SQS's longest
/// retention (14 days), so no redelivery outlives its record.
const IDEMPOTENCY_TTL: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// DynamoDB refuses items larger than this.
pub(super) const ITEM_LIMIT: usize = 400 * 1024;

/// A record read from an item of the table.
pub(super) fn from_item<T: DeserializeOwned>(item: Item, what: &str) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| {
        // The parser's message may quote the item's values.
        StoreError::Internal(format!(
            "{what} in the table is unreadable: {}",
            scrubbed(&e.to_string())
        ))
    })
}

/// A rejection's item: its fields as [`StoredRejection`] writes them.
pub(super) fn rejection_item(stored: &StoredRejection) -> Result<Item, StoreError> {
    let key = Key::Rejection(&stored.rejection_id).item();
    Ok(with_key(to_item(stored, "a rejection")?, key))
}

/// The fields a write sets on a recipe's `META` item and its directory
/// entry.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RecipeFields<'a> {
    recipe_id: &'a RecipeId,
    name: &'a str,
    current_version: u32,
    // Written as NULL when absent, so that a version without a rating
    // clears the previous version's.
    rating: Option<f64>,
    content_hash: &'a str,
    /// The highest version number ever used (withdrawn versions keep
    /// theirs): the next version is one more.
    latest_version: u32,
    /// Every version is withdrawn.
    withdrawn: bool,
    updated_at: &'a str,
    /// The recipe's parent: set only by the write that creates the recipe.
    #[serde(skip_serializing_if = "Option::is_none")]
    variant_of: Option<&'a Parent>,
}

impl<'a> RecipeFields<'a> {
    /// The recipe once `version` is stored as its version `number`, its
    /// current and latest.
    pub(super) fn of_version(version: &'a NewVersion, number: u32) -> Self {
        Self {
            recipe_id: &version.recipe_id,
            name: &version.name,
            current_version: number,
            rating: version.rating,
            content_hash: &version.content_hash,
            latest_version: number,
            withdrawn: false,
            updated_at: &version.at,
            variant_of: None,
        }
    }

    /// The recipe created by `version`, stored as its version `number`:
    /// with its parent, if it is a variant.
    pub(super) fn of_new_recipe(version: &'a NewVersion, number: u32) -> Self {
        Self {
            variant_of: version.variant_of.as_ref(),
            ..Self::of_version(version, number)
        }
    }

    /// The recipe showing version `shown` after a withdrawal at `at`:
    /// `latest` is the highest number ever used, `withdrawn` says that
    /// every version is.
    pub(super) fn showing(
        recipe_id: &'a RecipeId,
        shown: &'a VersionHead,
        latest: u32,
        withdrawn: bool,
        at: &'a str,
    ) -> Self {
        Self {
            recipe_id,
            name: &shown.name,
            current_version: shown.version,
            rating: shown.rating,
            content_hash: &shown.content_hash,
            latest_version: latest,
            withdrawn,
            updated_at: at,
            variant_of: None,
        }
    }

    /// Its attributes, without a key.
    pub(super) fn attributes(&self) -> Result<Item, StoreError> {
        to_item(self, "a recipe")
    }
}

/// A recipe's `META` item, or its directory entry.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RecipeItem {
    recipe_id: RecipeId,
    name: String,
    current_version: u32,
    rating: Option<f64>,
    content_hash: String,
    // Counters appear with the first make (`ADD` creates them).
    #[serde(default)]
    make_count: u64,
    #[serde(default)]
    rating_sum: f64,
    #[serde(default)]
    rated_count: u64,
    updated_at: String,
    // Written since deletion follows the bucket; before, the current
    // version was always the latest and never withdrawn.
    #[serde(default)]
    latest_version: Option<u32>,
    #[serde(default)]
    withdrawn: bool,
    #[serde(default)]
    variant_of: Option<Parent>,
    #[serde(default)]
    parent_erased: bool,
}

impl RecipeItem {
    /// The recipe's parent, if it is a variant.
    pub(super) fn variant_of(&self) -> Option<&Parent> {
        self.variant_of.as_ref()
    }

    pub(super) fn current_version(&self) -> u32 {
        self.current_version
    }

    /// The highest version number ever used.
    pub(super) fn latest(&self) -> u32 {
        self.latest_version.unwrap_or(self.current_version)
    }

    /// `latestVersion` as stored: absent on items written before deletion
    /// followed the bucket.
    pub(super) fn stored_latest(&self) -> Option<u32> {
        self.latest_version
    }

    /// Whether its current content is `content_hash`: a withdrawn recipe
    /// has no current content.
    pub(super) fn shows(&self, content_hash: &str) -> bool {
        !self.withdrawn && self.content_hash == content_hash
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
            variant_of: self.variant_of,
            parent_erased: self.parent_erased,
        }
    }
}

/// The bucket object a version or make came from, as its item keeps it
/// (`originKey`, `originSeq`): absent on items written before deletion
/// followed the bucket, and on records not from the bucket.
#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OriginFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    origin_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    origin_seq: Option<String>,
}

impl OriginFields {
    /// The attributes they are read from.
    const PROJECTION: [&str; 2] = ["originKey", "originSeq"];

    fn of(origin: Option<&Origin>) -> Self {
        Self {
            origin_key: origin.map(|o| o.object_key.clone()),
            origin_seq: origin.and_then(|o| o.sequencer.clone()),
        }
    }

    /// Whether they record `origin`'s upload: whether their record is the
    /// one a pointer from that upload names.
    fn is_from(&self, origin: &Origin) -> bool {
        self.origin_key.as_deref() == Some(origin.object_key.as_str())
            && self.origin_seq == origin.sequencer
    }
}

/// What a record says of its origin, read with only those attributes.
#[derive(Deserialize)]
#[serde(transparent)]
pub(super) struct OriginItem(OriginFields);

impl OriginItem {
    /// The attributes it is read from.
    pub(super) const PROJECTION: [&str; 2] = OriginFields::PROJECTION;

    /// The object it came from, if it came from one.
    pub(super) fn into_object(self) -> Option<ErasedObject> {
        let OriginFields {
            origin_key,
            origin_seq,
        } = self.0;
        origin_key.map(|object_key| ErasedObject {
            object_key,
            sequencer: origin_seq,
        })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct VersionItem {
    recipe_id: RecipeId,
    rating: Option<f64>,
    #[serde(with = "json_text")]
    document: Value,
    #[serde(flatten)]
    origin: OriginFields,
    /// What a list of versions reads of it.
    #[serde(flatten)]
    head: VersionSummaryItem,
}

fn is_uploaded(source: &VersionSource) -> bool {
    *source == VersionSource::Uploaded
}

/// A version's make counters. `ADD` creates them with its first make, so a
/// version item is written without them; items written before versions
/// counted their makes have none (their makes count from then on).
#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MakeCounts {
    #[serde(default, skip_serializing)]
    make_count: u64,
    #[serde(default, skip_serializing)]
    rating_sum: f64,
    #[serde(default, skip_serializing)]
    rated_count: u64,
    #[serde(default, skip_serializing)]
    changed_count: u64,
}

impl MakeCounts {
    /// The counters' attributes.
    const PROJECTION: [&str; 4] = ["makeCount", "ratingSum", "ratedCount", "changedCount"];

    /// The figures a version shows: its make count, mean rating and share
    /// changed.
    fn figures(&self) -> (u64, Option<f64>, Option<f64>) {
        let (average, share) = version_figures(
            self.make_count,
            self.rating_sum,
            self.rated_count,
            self.changed_count,
        );
        (self.make_count, average, share)
    }
}

/// The update of a version's make counters for a make tallied `tally`
/// added (`by` = 1) or removed (`by` = -1).
pub(super) fn version_counter_adds(by: i32, tally: &MakeTally) -> [(&'static str, f64); 4] {
    let by = f64::from(by);
    // `+ 0.0` makes a negative zero positive: DynamoDB is given "0".
    let times = |counted: bool, amount: f64| if counted { by * amount + 0.0 } else { 0.0 };
    [
        ("makeCount", by),
        ("ratingSum", times(true, tally.rating.unwrap_or(0.0))),
        ("ratedCount", times(tally.rating.is_some(), 1.0)),
        ("changedCount", times(tally.changed, 1.0)),
    ]
}

/// A parent's entry for one of its variants (`VARIANT#<id>` in the
/// parent's partition).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct VariantEntry {
    pub(super) variant_id: RecipeId,
}

/// The item of `parent`'s entry for its variant `variant`.
pub(super) fn variant_item(parent: &RecipeId, variant: &RecipeId) -> Item {
    let mut item = Key::Variant(parent, variant).item();
    item.insert(
        "variantId".to_owned(),
        AttributeValue::S(variant.as_str().to_owned()),
    );
    item
}

/// The attributes of a version that a list shows.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct VersionSummaryItem {
    version: u32,
    name: String,
    content_hash: String,
    created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    withdrawn_at: Option<String>,
    // Absent for an upload, and on items written before sources were kept.
    #[serde(default, skip_serializing_if = "is_uploaded")]
    source: VersionSource,
    #[serde(flatten)]
    counts: MakeCounts,
}

impl VersionSummaryItem {
    /// The attributes it is read from.
    pub(super) const PROJECTION: [&str; 10] = [
        "version",
        "name",
        "contentHash",
        "createdAt",
        "withdrawnAt",
        "source",
        MakeCounts::PROJECTION[0],
        MakeCounts::PROJECTION[1],
        MakeCounts::PROJECTION[2],
        MakeCounts::PROJECTION[3],
    ];

    pub(super) fn into_summary(self) -> VersionSummary {
        let (make_count, average_make_rating, changed_share) = self.counts.figures();
        VersionSummary {
            version: self.version,
            name: self.name,
            content_hash: self.content_hash,
            created_at: self.created_at,
            withdrawn_at: self.withdrawn_at,
            source: self.source,
            make_count,
            average_make_rating,
            changed_share,
        }
    }
}

impl VersionItem {
    /// The item of a stored version, rated `rating`, from `origin`.
    pub(super) fn item(
        stored: &StoredVersion,
        rating: Option<f64>,
        origin: Option<&Origin>,
    ) -> Result<Item, StoreError> {
        let item = Self {
            recipe_id: stored.recipe_id.clone(),
            rating,
            document: stored.document.clone(),
            origin: OriginFields::of(origin),
            head: VersionSummaryItem {
                version: stored.head.version,
                name: stored.head.name.clone(),
                content_hash: stored.head.content_hash.clone(),
                created_at: stored.head.created_at.clone(),
                withdrawn_at: stored.head.withdrawn_at.clone(),
                source: stored.head.source.clone(),
                counts: MakeCounts::default(),
            },
        };
        let key = Key::Version(&stored.recipe_id, stored.head.version).item();
        Ok(with_key(to_item(&item, "a recipe version")?, key))
    }

    pub(super) fn into_stored(self) -> StoredVersion {
        StoredVersion {
            recipe_id: self.recipe_id,
            head: self.head.into_summary(),
            document: self.document,
        }
    }
}

/// What a deletion reads of a recipe's versions to find the current one.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct VersionHead {
    version: u32,
    name: String,
    rating: Option<f64>,
    content_hash: String,
    #[serde(default)]
    withdrawn_at: Option<String>,
    #[serde(flatten)]
    origin: OriginFields,
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

    pub(super) fn version(&self) -> u32 {
        self.version
    }

    pub(super) fn is_withdrawn(&self) -> bool {
        self.withdrawn_at.is_some()
    }

    /// Whether it records `origin`'s upload.
    pub(super) fn is_from(&self, origin: &Origin) -> bool {
        self.origin.is_from(origin)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MakeItem {
    recipe_id: RecipeId,
    make_id: MakeId,
    version: u32,
    made_at: Option<String>,
    notes: Option<String>,
    rating: Option<f64>,
    created_at: String,
    content_hash: String,
    scale_factor: Option<f64>,
    #[serde(with = "json_text")]
    summary: Summary,
    #[serde(with = "json_text")]
    document: Value,
    #[serde(with = "json_text")]
    diff: Value,
    #[serde(with = "json_text")]
    facts: MakeFacts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    logged_by: Option<String>,
    #[serde(flatten)]
    origin: OriginFields,
    /// Counted on its version's figures (false for makes stored before).
    #[serde(default)]
    counted_on_version: bool,
}

impl MakeItem {
    /// The item of a new make; refused when DynamoDB would refuse it.
    pub(super) fn item(new: &NewMake) -> Result<Item, StoreError> {
        let make = &new.make;
        let item = Self {
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
            counted_on_version: true,
        };
        let key = Key::Make(&make.recipe_id, &make.make_id).item();
        let item = with_key(to_item(&item, "a make")?, key);
        let size = item_size(&item);
        if size > ITEM_LIMIT {
            return Err(StoreError::Internal(format!(
                "make item is {size} bytes, over the 400 KB item limit"
            )));
        }
        Ok(item)
    }

    pub(super) fn content_hash(&self) -> &str {
        &self.content_hash
    }

    pub(super) fn rating(&self) -> Option<f64> {
        self.rating
    }

    /// What it counts in its recipe's insight tally.
    pub(super) fn facts(&self) -> &MakeFacts {
        &self.facts
    }

    /// What it added to its version's figures; `None` for a make stored
    /// before versions counted their makes, which was never counted.
    pub(super) fn tally(&self) -> Option<MakeTally> {
        self.counted_on_version.then(|| MakeTally {
            version: self.version,
            rating: self.rating,
            changed: self.summary.changes_recipe(),
        })
    }

    /// Whether it records `origin`'s upload.
    pub(super) fn is_from(&self, origin: &Origin) -> bool {
        self.origin.is_from(origin)
    }

    pub(super) fn to_ref(&self) -> MakeRef {
        MakeRef {
            recipe_id: self.recipe_id.clone(),
            make_id: self.make_id.clone(),
            version: self.version,
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

/// The attributes of a make that a list shows.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MakeSummaryItem {
    make_id: MakeId,
    version: u32,
    made_at: Option<String>,
    created_at: String,
    rating: Option<f64>,
    #[serde(with = "json_text")]
    summary: Summary,
    scale_factor: Option<f64>,
}

impl MakeSummaryItem {
    /// The attributes it is read from.
    pub(super) const PROJECTION: [&str; 7] = [
        "makeId",
        "version",
        "madeAt",
        "createdAt",
        "rating",
        "summary",
        "scaleFactor",
    ];

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

/// A make's facts.
#[derive(Deserialize)]
pub(super) struct FactsItem {
    #[serde(with = "json_text")]
    facts: MakeFacts,
}

impl FactsItem {
    /// The attributes it is read from.
    pub(super) const PROJECTION: [&str; 1] = ["facts"];

    pub(super) fn into_facts(self) -> MakeFacts {
        self.facts
    }
}

/// A key pointer (`pk = RECIPE#<id>`, `sk = KEY#<kind>#<key>`): the make
/// its write stored, for a make write.
#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct KeyPointerItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    make_id: Option<MakeId>,
}

impl KeyPointerItem {
    /// The attributes it is read from.
    pub(super) const PROJECTION: [&str; 1] = ["makeId"];

    /// The key pointer of the idempotency key `key` of a `kind` write to
    /// `recipe_id` (which stored the make `make_id`).
    pub(super) fn item(
        recipe_id: &RecipeId,
        kind: Write,
        key: &IdempotencyKey,
        make_id: Option<&MakeId>,
    ) -> Result<Item, StoreError> {
        let item = Self {
            make_id: make_id.cloned(),
        };
        let key = Key::IdempotencyPointer(recipe_id, kind, key).item();
        Ok(with_key(to_item(&item, "a key pointer")?, key))
    }

    pub(super) fn make_id(&self) -> Option<&MakeId> {
        self.make_id.as_ref()
    }
}

/// A pointer that a write from a bucket object puts under the object's
/// partition: the record it created.
pub(super) struct Pointer {
    key: Item,
    item: PointerItem,
}

impl Pointer {
    /// The pointer to a new make.
    pub(super) fn make(new: &NewMake, origin: &Origin) -> Self {
        let make = &new.make;
        Self::at(
            origin,
            Key::MakePointer(&origin.object_id, &make.recipe_id, &make.make_id),
            PointerItem {
                recipe_id: Some(make.recipe_id.clone()),
                make_id: Some(make.make_id.clone()),
                rating: make.rating,
                version: Some(make.version),
                changed: Some(new.summary.changes_recipe()),
                ..PointerItem::default()
            },
        )
    }

    /// The pointer to a recipe version.
    pub(super) fn version(recipe_id: &RecipeId, version: u32, origin: &Origin) -> Self {
        Self::at(
            origin,
            Key::VersionPointer(&origin.object_id, recipe_id, version),
            PointerItem {
                recipe_id: Some(recipe_id.clone()),
                version: Some(version),
                ..PointerItem::default()
            },
        )
    }

    /// The pointer to a rejection.
    pub(super) fn rejection(rejection_id: &str, origin: &Origin) -> Self {
        Self::at(
            origin,
            Key::RejectionPointer(&origin.object_id, rejection_id),
            PointerItem {
                rejection_id: Some(rejection_id.to_owned()),
                ..PointerItem::default()
            },
        )
    }

    fn at(origin: &Origin, key: Key<'_>, item: PointerItem) -> Self {
        Self {
            key: key.item(),
            item: PointerItem {
                sequencer: origin.sequencer.clone(),
                ..item
            },
        }
    }

    pub(super) fn into_item(self) -> Result<Item, StoreError> {
        Ok(with_key(to_item(&self.item, "a pointer")?, self.key))
    }
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
    /// A make's: whether it changed the recipe (absent on pointers written
    /// before versions counted their makes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) changed: Option<bool>,
}

impl PointerItem {
    /// What its make added to its version's figures, when the pointer
    /// says (pointers written before versions counted makes do not).
    pub(super) fn tally(&self) -> Option<MakeTally> {
        Some(MakeTally {
            version: self.version?,
            rating: self.rating,
            changed: self.changed?,
        })
    }
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
    first: T,
    created_at: String,
    /// Epoch seconds, for DynamoDB's time to live.
    expires_at: u64,
}

impl<T: Serialize> IdempotencyRecord<T> {
    /// The record that a `kind` write with `key` returned `first` at `at`,
    /// kept for 30 days.
    pub(super) fn item(
        kind: Write,
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
        let item = to_item(&record, "an idempotency record")?;
        Ok(with_key(item, Key::Idempotency(kind, key).item()))
    }
}

impl<T> IdempotencyRecord<T> {
    pub(super) fn into_first(self) -> T {
        self.first
    }
}

/// An erasure under way (`pk = ERASURES`, `sk = ERASE#<target as JSON>`).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ErasureItem {
    /// The target as JSON text.
    target: String,
    begun_at: String,
}

impl ErasureItem {
    /// The target as its key names it: JSON text.
    pub(super) fn text(target: &ErasureTarget) -> Result<String, StoreError> {
        serde_json::to_string(target).map_err(|e| {
            StoreError::Internal(format!(
                "an erasure target as JSON: {}",
                scrubbed(&e.to_string())
            ))
        })
    }

    /// The item of the erasure of `target`, begun at `at`.
    pub(super) fn item(target: &ErasureTarget, at: &str) -> Result<Item, StoreError> {
        let text = Self::text(target)?;
        let key = Key::Erasure(&text).item();
        let item = Self {
            target: text,
            begun_at: at.to_owned(),
        };
        Ok(with_key(to_item(&item, "an erasure")?, key))
    }

    /// The targets of `erasures`, in the order they were begun.
    pub(super) fn targets(mut erasures: Vec<Self>) -> Result<Vec<ErasureTarget>, StoreError> {
        erasures.sort_by(|a, b| a.begun_at.cmp(&b.begun_at));
        erasures
            .iter()
            .map(|e| {
                serde_json::from_str(&e.target).map_err(|err| {
                    StoreError::Internal(format!(
                        "an erasure under way is unreadable: {}",
                        scrubbed(&err.to_string())
                    ))
                })
            })
            .collect()
    }
}

/// A rejection's id and object key.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RejectionKey {
    pub(super) rejection_id: String,
    #[serde(default)]
    pub(super) object_key: Option<String>,
}

impl RejectionKey {
    /// The attributes it is read from.
    pub(super) const PROJECTION: [&str; 2] = ["rejectionId", "objectKey"];
}

/// Values kept as JSON text in an attribute.
mod json_text {
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

/// `value` as the item at `key`.
pub(super) fn item_with_key<T: Serialize>(value: &T, key: Key<'_>) -> Result<Item, StoreError> {
    let what = key.what();
    Ok(with_key(to_item(value, what)?, key.item()))
}

fn with_key(mut item: Item, key: Item) -> Item {
    item.extend(key);
    item
}

fn to_item<T: Serialize>(value: &T, what: &str) -> Result<Item, StoreError> {
    serde_dynamo::to_item(value).map_err(|e| {
        StoreError::Internal(format!(
            "cannot write {what} as an item: {}",
            scrubbed(&e.to_string())
        ))
    })
}

/// The size DynamoDB counts against its item limit: attribute names and
/// values, with a little for each map and list (an overestimate for
/// numbers, which DynamoDB packs two digits to a byte).
fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

fn value_size(value: &AttributeValue) -> usize {
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
