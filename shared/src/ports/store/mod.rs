//! The `RecipeStore` port: recipe versions, makes with their diffs,
//! rejections, and what insights are computed from. Two adapters implement
//! it with the same semantics: DynamoDB (`adapters/aws`) and SQLite
//! (`adapters/embedded`). One contract test suite (`testkit::store_contract`)
//! runs against both.
//!
//! Semantics every adapter keeps:
//! - **Idempotency.** Every write carries an [`IdempotencyKey`]. A write whose
//!   key was seen before (for the same kind of write: versions, makes and
//!   rejections keep their keys apart) changes nothing and returns the first
//!   write's result ([`Written::Replayed`]), even if the data has changed
//!   since (a delayed duplicate never creates a new version or a second make).
//! - **Size.** Callers refuse a make over [`MAX_MAKE_BYTES`] before calling
//!   the store, so both adapters see only makes DynamoDB can hold.
//! - **Atomicity.** A make, its diff, its idempotency record and the recipe's
//!   counters are written together or not at all; so are a recipe version,
//!   its idempotency record and the recipe's current-version pointer.
//! - **Versions only on change.** A recipe upload whose canonical content
//!   equals the current version's creates nothing ([`Written::Unchanged`]).
//! - **Pagination** is by opaque [`Cursor`]s; an unreadable cursor is
//!   [`StoreError::InvalidCursor`]. Lists never scan the whole store.
//! - **Deletion follows the bucket.** A write that came from a bucket object
//!   records its [`Origin`]. [`RecipeStore::delete_object`] removes the
//!   makes and rejections that came from the object before the deletion
//!   and withdraws its recipe versions, and it remembers the deletion, so
//!   that an upload event delivered after it (S3 events are unordered)
//!   stores nothing ([`StoreError::Deleted`]). Order is the sequencer's
//!   ([`Origin::order`]), never arrival. The deletion is remembered under
//!   the key's [`ObjectId`], never the key itself.
//! - **Lineage.** A version keeps its [`VersionSource`]; a recipe keeps
//!   its [`Parent`] from the write that created it, and lists its
//!   variants. Each version counts its makes ([`MakeTally`]) in the same
//!   write as the make, and uncounts them when they go.
//! - **Erasure leaves nothing.** [`RecipeStore::begin_erasure`] remembers
//!   that a recipe (or one make) is being erased and answers the bucket
//!   objects its records came from; the caller removes those from the
//!   bucket, then [`RecipeStore::finish_erasure`] removes every record
//!   and its idempotency records and keeps only tombstones under object
//!   ids. An erasure begun and not finished (a crash) is listed by
//!   [`RecipeStore::pending_erasures`] until it is finished.

use async_trait::async_trait;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::canonical::content_hash;
use crate::diff::Summary;
use crate::insights::{InsightTally, MakeFacts};
use crate::keys::UploadKind;
use crate::model::{MakeId, RecipeId};
pub use crate::object_id::{ObjectId, ObjectIds};
use crate::refusal::Refusal;
pub use crate::wire::IdempotencyKey;

mod bucket;

pub use bucket::{
    ErasedObject, ErasureTarget, ObjectDeletion, Origin, Removed, Tombstone, merge_objects,
};

/// The most a stored make (its content, diff and facts, as JSON) may weigh:
/// below DynamoDB's 400 KB item limit with room for keys and attributes.
pub const MAX_MAKE_BYTES: usize = 350 * 1024;

/// The largest page a list returns.
pub const MAX_PAGE: u32 = 100;

/// The id of a rejection: its time, then a short hash of its key, so that
/// ids sort by time and the same key always gives the same id.
pub fn rejection_id(at: &str, key: &IdempotencyKey) -> String {
    use sha2::Digest as _;
    let hash = hex::encode(sha2::Sha256::digest(key.as_str().as_bytes()));
    format!("{at}~{}", &hash[..12])
}

/// An opaque position in a list, handed out with a page and given back for
/// the next one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cursor(String);

impl Cursor {
    /// Wraps an adapter's position (any JSON) as an opaque cursor.
    pub fn encode(position: &Value) -> Self {
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(position.to_string()))
    }

    /// The adapter's position, or `InvalidCursor`.
    pub fn decode(&self) -> Result<Value, StoreError> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&self.0)
            .map_err(|_| StoreError::InvalidCursor)?;
        serde_json::from_slice(&bytes).map_err(|_| StoreError::InvalidCursor)
    }

    /// A cursor as a client sent it.
    pub fn from_client(text: &str) -> Self {
        Self(text.to_owned())
    }

    /// The cursor as text, for a response.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which page of a list to return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// At most this many items (1 to [`MAX_PAGE`]).
    pub limit: u32,
    /// Where the previous page ended.
    pub cursor: Option<Cursor>,
}

impl PageRequest {
    /// The first page of at most `limit` items (clamped to 1..=MAX_PAGE).
    pub fn first(limit: u32) -> Self {
        Self {
            limit: limit.clamp(1, MAX_PAGE),
            cursor: None,
        }
    }
}

/// One page of a list.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Where the next page starts; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Cursor>,
}

impl<T> Page<T> {
    /// The same page (and cursor), each item turned into another.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// What a write did.
#[derive(Clone, Debug, PartialEq)]
pub enum Written<T> {
    /// A new record.
    Created(T),
    /// The key was seen before: the first write's result, nothing changed.
    Replayed(T),
    /// Nothing to write: the content equals what is stored (recipe versions).
    Unchanged(T),
}

impl<T> Written<T> {
    /// The record, however it was reached.
    pub fn into_inner(self) -> T {
        match self {
            Written::Created(t) | Written::Replayed(t) | Written::Unchanged(t) => t,
        }
    }
    /// The same outcome, its record turned into another.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Written<U> {
        match self {
            Written::Created(t) => Written::Created(f(t)),
            Written::Replayed(t) => Written::Replayed(f(t)),
            Written::Unchanged(t) => Written::Unchanged(f(t)),
        }
    }
    /// Whether a new record was written.
    pub fn is_created(&self) -> bool {
        matches!(self, Written::Created(_))
    }
}

/// Why a store call failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// The store is unreachable, throttled or timed out: try again later.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// A cursor that this store did not hand out.
    #[error("the cursor is not one this list handed out")]
    InvalidCursor,
    /// Another make already has this id, with different content.
    #[error("make {0} already exists with different content")]
    MakeConflict(MakeId),
    /// The recipe a make refers to does not exist.
    #[error("recipe {0} does not exist")]
    RecipeNotFound(RecipeId),
    /// The object the write came from was deleted after it was uploaded:
    /// nothing was stored (the bucket no longer holds it).
    #[error("the object {0} was deleted after this upload")]
    Deleted(String),
    /// A bug or corrupt data: not retryable.
    #[error("store error: {0}")]
    Internal(String),
}

/// A recipe version to store.
#[derive(Clone, Debug, PartialEq)]
pub struct NewVersion {
    /// The recipe.
    pub recipe_id: RecipeId,
    /// Its name in this version.
    pub name: String,
    /// Its rating in this version.
    pub rating: Option<f64>,
    /// The canonical JSON of this version.
    pub document: Value,
    /// SHA-256 of the canonical JSON, hex.
    pub content_hash: String,
    /// The write's key.
    pub key: IdempotencyKey,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The bucket object it came from, when it came from one.
    pub origin: Option<Origin>,
    /// Where it came from: an upload, an adopted make, a restored version.
    pub source: VersionSource,
    /// The recipe it is a variant of, at its version then: kept only when
    /// this write creates the recipe (a recipe's parent never changes).
    pub variant_of: Option<Parent>,
}

impl NewVersion {
    /// This version as stored under the number `version`, with no makes yet.
    pub fn stored(&self, version: u32) -> StoredVersion {
        StoredVersion {
            recipe_id: self.recipe_id.clone(),
            head: VersionSummary {
                version,
                name: self.name.clone(),
                content_hash: self.content_hash.clone(),
                created_at: self.at.clone(),
                withdrawn_at: None,
                source: self.source.clone(),
                make_count: 0,
                average_make_rating: None,
                changed_share: None,
            },
            document: self.document.clone(),
        }
    }
}

/// Where a recipe version came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum VersionSource {
    /// Uploaded as it is (every version stored before sources were kept).
    #[default]
    Uploaded,
    /// A make made the recipe (`adoptedFrom`): its content, without its
    /// rating, notes and date.
    Adopted {
        /// The make; it may have been erased since.
        #[serde(rename = "makeId")]
        make_id: MakeId,
    },
    /// An earlier version's content again (`restoredFrom`).
    Restored {
        /// The version restored.
        #[cfg_attr(feature = "openapi", schema(minimum = 1))]
        version: u32,
    },
}

/// The recipe a variant was made from, at the version it was then.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Parent {
    /// The parent recipe.
    pub recipe_id: RecipeId,
    /// Its current version when the variant was stored.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub version: u32,
}

/// What a stored make adds to its version's figures (or takes away when
/// it is removed): one make, its rating, whether it changed the recipe.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MakeTally {
    /// The version it was diffed against.
    pub version: u32,
    /// Its rating.
    pub rating: Option<f64>,
    /// Whether its diff changed the recipe ([`Summary::changes_recipe`]).
    pub changed: bool,
}

impl MakeTally {
    /// The tally of a make about to be stored.
    pub fn of(new: &NewMake) -> Self {
        Self {
            version: new.make.version,
            rating: new.make.rating,
            changed: new.summary.changes_recipe(),
        }
    }
}

/// A recipe's insight tally as its store keeps it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeptTally {
    /// The tally, once kept ([`RecipeStore::keep_insight_tally`]): until
    /// then, a reader folds the recipe's makes.
    pub tally: Option<InsightTally>,
    /// How many times a make was stored or removed for the recipe since it
    /// was counted: what a fold checks before it is kept.
    pub make_writes: u64,
}

impl KeptTally {
    /// What a make stored (`add`) or removed (`!add`) does to the tally
    /// kept as `self`: counted in or out when one is kept, and one more
    /// make write either way.
    pub fn after(mut self, facts: &MakeFacts, add: bool) -> Self {
        if let Some(tally) = &mut self.tally {
            if add {
                tally.add(facts);
            } else {
                tally.remove(facts);
            }
        }
        self.make_writes += 1;
        self
    }
}

/// A version's make figures from its counters: the mean rating of its
/// rated makes and the share of its makes that changed the recipe, each
/// `None` without makes to count.
pub fn version_figures(
    make_count: u64,
    rating_sum: f64,
    rated_count: u64,
    changed_count: u64,
) -> (Option<f64>, Option<f64>) {
    let mean = |sum: f64, count: u64| (count > 0).then(|| crate::diff::round4(sum / count as f64));
    (
        mean(rating_sum, rated_count),
        mean(changed_count as f64, make_count),
    )
}

/// A stored recipe version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredVersion {
    /// The recipe.
    pub recipe_id: RecipeId,
    /// The version's figures, as its list shows them (their fields stand
    /// beside the recipe id in JSON).
    #[serde(flatten)]
    pub head: VersionSummary,
    /// The canonical JSON.
    pub document: Value,
}

/// A version in a list (without its document).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionSummary {
    /// 1, 2, 3, ...
    pub version: u32,
    /// Its name in this version.
    pub name: String,
    /// SHA-256 of the canonical JSON, hex.
    pub content_hash: String,
    /// When it was stored.
    pub created_at: String,
    /// When the object it came from was deleted; a withdrawn version is
    /// never current, and its makes are kept and marked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_at: Option<String>,
    /// Where it came from.
    #[serde(default)]
    pub source: VersionSource,
    /// How many makes were diffed against it.
    #[serde(default)]
    pub make_count: u64,
    /// The mean rating of its rated makes (`null` when none is rated).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required))]
    pub average_make_rating: Option<f64>,
    /// The share of its makes (0 to 1) that changed the recipe: anything
    /// but the rating (`null` without makes).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required))]
    pub changed_share: Option<f64>,
}

/// A recipe in the list of recipes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecipeSummary {
    /// The recipe.
    pub recipe_id: RecipeId,
    /// The current version's name.
    pub name: String,
    /// The current version: the newest one not withdrawn (the newest one,
    /// when all are).
    pub current_version: u32,
    /// Every version is withdrawn: the recipe's objects were deleted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawn: bool,
    /// The current version's rating.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub rating: Option<f64>,
    /// How many makes are stored.
    pub make_count: u64,
    /// The average rating of rated makes.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub average_make_rating: Option<f64>,
    /// When the recipe or one of its makes last changed.
    pub updated_at: String,
    /// SHA-256 of the current version's canonical JSON, hex: what a parsed
    /// version is cached under, so that a recipe erased and added again
    /// under the same id and number is never read from a stale cache.
    #[serde(default)]
    pub content_hash: String,
    /// The recipe this one is a variant of; absent for an original, and
    /// for a variant whose parent was erased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub variant_of: Option<Parent>,
    /// A variant whose parent was erased: nothing of the parent is kept,
    /// not even its id. Absent when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub parent_erased: bool,
}

/// A make to store: the make as it will be read back, and what is stored
/// beside it.
#[derive(Clone, Debug, PartialEq)]
pub struct NewMake {
    /// The make, whole; its `created_at` is when the write is made, and its
    /// `content_hash` tells a replay under another key (equal) from a
    /// conflict (different).
    pub make: StoredMake,
    /// The diff's summary counts, kept apart so that a list of makes does
    /// not read every diff whole.
    pub summary: Summary,
    /// What insights are computed from.
    pub facts: MakeFacts,
    /// The write's key.
    pub key: IdempotencyKey,
    /// The bucket object it came from, when it came from one.
    pub origin: Option<Origin>,
}

/// A stored make, whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredMake {
    /// The recipe it was made from.
    pub recipe_id: RecipeId,
    /// The make.
    pub make_id: MakeId,
    /// The recipe version it was diffed against.
    pub version: u32,
    /// When it was made.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub made_at: Option<String>,
    /// The cook's notes.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub notes: Option<String>,
    /// The make's rating.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub rating: Option<f64>,
    /// When it was stored.
    pub created_at: String,
    /// SHA-256 of the canonical JSON, hex.
    pub content_hash: String,
    /// The canonical JSON of what was cooked.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::CanonicalRecipe))]
    pub document: Value,
    /// The diff against `version`.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::diff::MakeDiff))]
    pub diff: Value,
    /// Who logged it from the dashboard: the user id its object key names
    /// (`makes/cooks/<id>/…`, [`crate::keys::cook_of`]); `None` for a make
    /// dropped anywhere else.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required))]
    pub logged_by: Option<String>,
}

impl StoredMake {
    /// The reference a write of this make returns.
    pub fn to_ref(&self) -> MakeRef {
        MakeRef {
            recipe_id: self.recipe_id.clone(),
            make_id: self.make_id.clone(),
            version: self.version,
        }
    }
}

/// A make in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MakeSummary {
    /// The make.
    pub make_id: MakeId,
    /// The recipe version it was diffed against.
    pub version: u32,
    /// When it was made.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub made_at: Option<String>,
    /// When it was stored.
    pub created_at: String,
    /// The make's rating.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub rating: Option<f64>,
    /// The diff's summary counts.
    pub summary: Summary,
    /// The scale factor, when the make scaled the recipe.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub scale_factor: Option<f64>,
}

/// A reference to a stored make: what a write returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MakeRef {
    /// The recipe.
    pub recipe_id: RecipeId,
    /// The make.
    pub make_id: MakeId,
    /// The recipe version it was diffed against.
    pub version: u32,
}

/// What is recorded of an upload the chain could not accept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedUpload {
    /// The object key in the bucket, when the upload came from one.
    pub object_key: Option<String>,
    /// A recipe or a make, when known.
    pub kind: Option<UploadKind>,
    /// Why: the code (one this build does not know reads back as it was
    /// stored), the sentence and the JSON path; its fields stand beside
    /// the others in JSON and in the stores.
    #[serde(flatten)]
    pub refusal: Refusal,
}

/// An upload the chain could not accept, to store.
#[derive(Clone, Debug, PartialEq)]
pub struct NewRejection {
    /// The write's key.
    pub key: IdempotencyKey,
    /// What is recorded.
    pub upload: RejectedUpload,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The upload's sequencer, fixed-width ([`Origin::order`]), when known.
    pub sequencer: Option<String>,
    /// The object key's keyed hash, when the upload came from the bucket.
    pub object_id: Option<ObjectId>,
}

impl NewRejection {
    /// Where the rejected upload came from, when it came from the bucket.
    pub fn origin(&self) -> Option<Origin> {
        Some(Origin {
            object_key: self.upload.object_key.clone()?,
            object_id: self.object_id.clone()?,
            sequencer: self.sequencer.clone(),
        })
    }

    /// The rejection as stored, with its id ([`rejection_id`]).
    pub fn to_stored(&self) -> StoredRejection {
        StoredRejection {
            rejection_id: rejection_id(&self.at, &self.key),
            upload: self.upload.clone(),
            created_at: self.at.clone(),
        }
    }
}

/// A stored rejection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredRejection {
    /// Its id: sortable by time.
    pub rejection_id: String,
    /// What is recorded (its fields stand beside the id in JSON).
    #[serde(flatten)]
    pub upload: RejectedUpload,
    /// When it was stored.
    pub created_at: String,
}

/// What a version write's idempotency record points at, in either store:
/// versions never change once stored, so the first result can be read back
/// from it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionRef {
    /// The recipe.
    pub recipe_id: RecipeId,
    /// The version the write stored (or found unchanged).
    pub version: u32,
}

/// What a rejection write's idempotency record points at, in either store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectionRef {
    /// The stored rejection's id.
    pub rejection_id: String,
}

/// Where recipes, makes and rejections are kept.
#[async_trait]
pub trait RecipeStore: Send + Sync + 'static {
    /// Stores a recipe version unless the key was seen (Replayed) or the
    /// content equals the current version (Unchanged).
    async fn put_version(&self, version: &NewVersion)
    -> Result<Written<StoredVersion>, StoreError>;

    /// A recipe version: the current one, or the one asked for.
    async fn version(
        &self,
        recipe_id: &RecipeId,
        version: Option<u32>,
    ) -> Result<Option<StoredVersion>, StoreError>;

    /// A recipe version's figures, without its document: what a caller
    /// that holds the version parsed (under its content hash) reads.
    async fn version_head(
        &self,
        recipe_id: &RecipeId,
        version: u32,
    ) -> Result<Option<VersionSummary>, StoreError>;

    /// Recipes, by id.
    async fn recipes(&self, page: &PageRequest) -> Result<Page<RecipeSummary>, StoreError>;

    /// One recipe's summary.
    async fn recipe_summary(
        &self,
        recipe_id: &RecipeId,
    ) -> Result<Option<RecipeSummary>, StoreError>;

    /// A recipe's versions, oldest first; `None` for an unknown recipe.
    async fn versions(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<VersionSummary>>, StoreError>;

    /// The recipes that are variants of `recipe_id`, by id; `None` for an
    /// unknown recipe.
    async fn variants(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<RecipeId>>, StoreError>;

    /// Stores a make with its diff, exactly once per key; a make id already
    /// taken by other content is `MakeConflict`, by the same content a replay.
    async fn put_make(&self, make: &NewMake) -> Result<Written<MakeRef>, StoreError>;

    /// One make, whole.
    async fn make(
        &self,
        recipe_id: &RecipeId,
        make_id: &MakeId,
    ) -> Result<Option<StoredMake>, StoreError>;

    /// A recipe's makes, by make id; `None` for an unknown recipe.
    async fn makes(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<MakeSummary>>, StoreError>;

    /// A recipe's makes' insight facts, by make id; `None` for an unknown recipe.
    async fn make_facts(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<MakeFacts>>, StoreError>;

    /// A recipe's insight tally as the store keeps it with its makes;
    /// nothing kept (the default) for a recipe it does not hold. Whether
    /// the recipe exists is its summary's to say, which a reader of its
    /// insights has read already: this is one read of the tally alone.
    async fn insight_tally(&self, recipe_id: &RecipeId) -> Result<KeptTally, StoreError>;

    /// Keeps `tally`, folded from every make of the recipe, as its insight
    /// tally, provided that none is kept yet and that no make was stored or
    /// removed since [`KeptTally::make_writes`] read `make_writes`; false
    /// otherwise (fold again and retry). From then on every make stored or
    /// removed counts itself in or out of it in its own write.
    async fn keep_insight_tally(
        &self,
        recipe_id: &RecipeId,
        tally: &InsightTally,
        make_writes: u64,
    ) -> Result<bool, StoreError>;

    /// Stores a rejection, exactly once per key.
    async fn put_rejection(
        &self,
        rejection: &NewRejection,
    ) -> Result<Written<StoredRejection>, StoreError>;

    /// Rejections, newest first.
    async fn rejections(&self, page: &PageRequest) -> Result<Page<StoredRejection>, StoreError>;

    /// An object was deleted from the bucket: removes the makes (with their
    /// diffs, facts and counts) and rejections that came from it before the
    /// deletion, withdraws the recipe versions that did, and remembers the
    /// deletion so that an older upload of the key delivered later stores
    /// nothing. Safe to repeat.
    async fn delete_object(&self, deletion: &ObjectDeletion) -> Result<Removed, StoreError>;

    /// Whether the object an upload came from was deleted after it (a
    /// later deletion of its key is remembered). A write of it would fail
    /// with [`StoreError::Deleted`]; this asks without writing, for an
    /// upload that cannot be stored yet (a make whose recipe has not
    /// arrived), so that it is not retried for nothing.
    async fn is_deleted(&self, origin: &Origin) -> Result<bool, StoreError>;

    /// Starts erasing `target`: remembers that its erasure is under way
    /// (until [`RecipeStore::finish_erasure`]) and answers the bucket
    /// objects its records came from ([`merge_objects`]), which the caller
    /// removes from the bucket before finishing. `None` when the target
    /// names nothing and no erasure of it is under way. Safe to repeat.
    async fn begin_erasure(
        &self,
        target: &ErasureTarget,
        at: &str,
    ) -> Result<Option<Vec<ErasedObject>>, StoreError>;

    /// Finishes erasing `target`: removes its records (a recipe's versions,
    /// makes, diffs, facts and counters, and its place among its parent's
    /// variants, while its own variants forget it and keep only that their
    /// parent was erased; a
    /// make and its share of the counters), the rejections of the objects that records came from
    /// (for a recipe, also those of `recipes/` keys that name it), and the
    /// idempotency records of all of these; raises `tombstones`; and
    /// forgets the erasure under way. Safe to repeat: a second call
    /// removes nothing more.
    async fn finish_erasure(
        &self,
        target: &ErasureTarget,
        tombstones: &[Tombstone],
        at: &str,
    ) -> Result<Removed, StoreError>;

    /// Erasures begun and not finished, oldest first.
    async fn pending_erasures(&self) -> Result<Vec<ErasureTarget>, StoreError>;

    /// Whether the store answers.
    async fn ping(&self) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequencers_order_as_hexadecimal_numbers() {
        use std::cmp::Ordering::{Equal, Greater, Less};
        for (a, b, order) in [
            ("0055AED6DCD90281E5", "0055AED6DCD90281E6", Less),
            // S3's sequencers may differ in length: the value decides.
            ("0055AED6DCD90281E5", "55AED6DCD90281E5", Equal),
            ("FF", "0100", Less),
            ("00ff", "FE", Greater),
            ("a", "A", Equal),
            ("not hex", "01", Less),
        ] {
            let (x, y) = (Origin::order(a), Origin::order(b));
            assert_eq!(x.len(), 64, "{a}");
            assert_eq!(x.cmp(&y), order, "{a} vs {b}");
        }
    }

    #[test]
    fn the_sequencer_after_is_one_more() {
        for (sequencer, after) in [("0A", "0B"), ("09", "0A"), ("0F", "10"), ("FF", "100")] {
            assert_eq!(
                Origin::after(sequencer),
                Origin::order(after),
                "{sequencer}"
            );
        }
        let greatest = "F".repeat(64);
        assert_eq!(Origin::after(&greatest), greatest);
    }

    #[test]
    fn a_deletion_removes_only_what_came_before_it() {
        let ids = ObjectIds::for_tests();
        let upload = Origin::new(&ids, "makes/a.json", Some("0A"));
        assert!(upload.is_before(Some(&Origin::order("0B"))));
        assert!(!upload.is_before(Some(&Origin::order("0A"))));
        assert!(!upload.is_before(Some(&Origin::order("09"))));
        assert!(
            upload.is_before(None),
            "a deletion without a sequencer removes all"
        );
        assert!(Origin::new(&ids, "makes/a.json", None).is_before(Some(&Origin::order("01"))));
    }
}
