//! The DynamoDB adapter of the [`RecipeStore`] port: one table, every write
//! one `TransactWriteItems` call guarded by conditions, every list one
//! `Query` on one partition.
//!
//! Exactly-once effects come from the table itself, not from this process:
//! each write puts its idempotency record with `attribute_not_exists` in the
//! same transaction as its effects, so of any number of concurrent attempts
//! with one key, DynamoDB lets exactly one commit. A cancelled transaction is
//! then explained (from its cancellation reasons, or by reading the items
//! when the reasons do not say) as a replay, a missing recipe, a taken make
//! id, or a lost race that is retried.
//!
//! Deletion follows the bucket with a tombstone and pointers per object
//! key (see [`DynamoStore`]'s table). A write that came from a bucket
//! object adds to its transaction a `ConditionCheck` on the object's
//! tombstone and, when it creates a record, a pointer to it (`deletion`); a
//! failed check is explained before anything else, as
//! [`StoreError::Deleted`], so that a write delivered again after its
//! object's deletion is refused, never replayed. A deletion raises the
//! tombstone first, then reads the pointers with one strongly consistent
//! `Query` and removes or withdraws each older record in a transaction of
//! its own (`deletion`).

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use shared::insights::{InsightTally, MakeFacts};
use shared::model::{MakeId, RecipeId};
use shared::store::{
    ErasedObject, ErasureTarget, KeptTally, MakeRef, MakeSummary, NewMake, NewRejection,
    NewVersion, ObjectDeletion, Origin, Page, PageRequest, RecipeStore, RecipeSummary, Removed,
    StoreError, StoredMake, StoredRejection, StoredVersion, Tombstone, VersionSummary, Written,
};

mod deletion;
mod erasure;
mod insights;
mod items;
mod keys;
mod makes;
mod reads;
mod recipes;
mod rejections;
mod table;
#[cfg(test)]
mod tests;
mod transact;

/// The recipe store in one DynamoDB table.
///
/// The table has a string partition key `pk` and a string sort key `sk`,
/// on-demand billing, no secondary indexes, and time to live on `expiresAt`:
///
/// | item | `pk` | `sk` | attributes |
/// |---|---|---|---|
/// | a recipe | `RECIPE#<id>` | `META` | `recipeId`, `name`, `currentVersion`, `rating`, `contentHash`, `makeCount`, `ratingSum`, `ratedCount`, `updatedAt`; `latestVersion`, `withdrawn`, `variantOf` (a map: `recipeId`, `version`), `parentErased` |
/// | a version | `RECIPE#<id>` | `VERSION#<n, 10 digits>` | `recipeId`, `version`, `name`, `rating`, `contentHash`, `createdAt`, `document` (JSON text); `originKey`, `originSeq`, `withdrawnAt`, `source` (a map: `kind`, `makeId` or `version`); `makeCount`, `ratingSum`, `ratedCount`, `changedCount` (from its first make) |
/// | a recipe's variant | `RECIPE#<id>` | `VARIANT#<variant id>` | `variantId` |
/// | a make | `RECIPE#<id>` | `MAKE#<makeId>` | `recipeId`, `makeId`, `version`, `madeAt`, `notes`, `rating`, `createdAt`, `contentHash`, `scaleFactor`; `document`, `diff`, `facts`, `summary` (JSON text); `originKey`, `originSeq`, `countedOnVersion` |
/// | a recipe's insight tally | `RECIPE#<id>` | `INSIGHTS` | `tally` (an `InsightTally` as JSON text, once a first read kept it), `makeWrites` (makes stored or removed since it was counted) |
/// | the recipe directory | `RECIPES` | `RECIPE#<id>` | as the recipe's `META` item |
/// | a rejection | `REJECTIONS` | `REJ#<rejectionId>` | the [`StoredRejection`] fields |
/// | an idempotency record | `IDEM#<key>` | `IDEM#<version\|make\|rejection>` | `first` (what the first write returned), `createdAt`, `expiresAt` (epoch seconds, 30 days on) |
/// | a deletion's tombstone | `OBJECT#<object key>` | `DELETED` | `sequencer` (the newest deletion's), `deletedAt` |
/// | a pointer to a make | `OBJECT#<object key>` | `MAKE#<recipe id's length>#<recipeId>#<makeId>` | `recipeId`, `makeId`, `rating`, `version`, `changed`, `sequencer` |
/// | a pointer to a version | `OBJECT#<object key>` | `VERSION#<recipeId>#<n, 10 digits>` | `recipeId`, `version`, `sequencer` |
/// | a pointer to a rejection | `OBJECT#<object key>` | `REJ#<rejectionId>` | `rejectionId`, `sequencer` |
///
/// The directory copies each recipe's `META` item (in the same transactions)
/// so that listing recipes is one `Query` rather than a `Scan`. Documents are
/// JSON text because DynamoDB maps would turn `1.0` into `1` and refuse
/// nesting deeper than 32 levels. Idempotency records expire after 30
/// days, longer than any redelivery takes (SQS keeps a message at most 14
/// days), so that the table does not keep a record of every write ever
/// made; a duplicate later than that is still a replay when it names an
/// existing make with the same content, or an unchanged version when its
/// content equals the current version's.
///
/// Deletion: every attribute after a `;` above is newer than the rest and
/// optional when read, so items written before deletion followed the bucket
/// stay readable (a recipe without `latestVersion` has its current version
/// as its latest; without `withdrawn`, it is not). The tombstone and the
/// pointers of an object share its partition, so a deletion finds what
/// came from the object with one `Query` and no index; each write from the
/// object checks the tombstone (`attribute_not_exists(pk) OR sequencer <=
/// :upload`, only `attribute_not_exists(pk)` for an upload without a
/// sequencer) and puts its pointer in the transaction that stores its
/// record. A deletion first raises the tombstone (a conditional update: it
/// only ever rises), so any older upload committing afterwards fails its
/// check; the pointers it then reads with a strongly consistent `Query`
/// are therefore all there will be. Each record older than the deletion is
/// removed or withdrawn in its own transaction, with its pointer and its
/// recipe's counters or current version, on condition that it is still the
/// record the pointer names: a deletion redelivered after a crash finishes
/// the work and removes nothing twice. Withdrawing a version points the
/// recipe at the newest version not withdrawn (read without documents),
/// under the optimistic lock on `latestVersion` that new versions take, and
/// checks that that version is not being withdrawn at the same time. A
/// deletion without a sequencer removes everything the pointers name and
/// leaves no tombstone. Records stored before this change have no pointer,
/// so a deletion leaves them alone.
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    /// A store on the table `table`, which must exist (see
    /// [`DynamoStore::create_table`]).
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

/// Each method is one use case, kept in the module of its family:
/// `recipes` (versions and recipes), `makes`, `rejections`, `deletion` and
/// `erasure`; `table` answers the ping.
#[async_trait]
impl RecipeStore for DynamoStore {
    async fn put_version(
        &self,
        version: &NewVersion,
    ) -> Result<Written<StoredVersion>, StoreError> {
        self.store_version(version).await
    }

    async fn version(
        &self,
        recipe_id: &RecipeId,
        version: Option<u32>,
    ) -> Result<Option<StoredVersion>, StoreError> {
        self.read_version(recipe_id, version).await
    }

    async fn version_head(
        &self,
        recipe_id: &RecipeId,
        version: u32,
    ) -> Result<Option<VersionSummary>, StoreError> {
        self.read_version_head(recipe_id, version).await
    }

    async fn recipes(&self, page: &PageRequest) -> Result<Page<RecipeSummary>, StoreError> {
        self.list_recipes(page).await
    }

    async fn recipe_summary(
        &self,
        recipe_id: &RecipeId,
    ) -> Result<Option<RecipeSummary>, StoreError> {
        self.read_recipe_summary(recipe_id).await
    }

    async fn versions(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<VersionSummary>>, StoreError> {
        self.list_versions(recipe_id, page).await
    }

    async fn variants(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<RecipeId>>, StoreError> {
        self.list_variants(recipe_id, page).await
    }

    async fn put_make(&self, new: &NewMake) -> Result<Written<MakeRef>, StoreError> {
        self.store_make(new).await
    }

    async fn make(
        &self,
        recipe_id: &RecipeId,
        make_id: &MakeId,
    ) -> Result<Option<StoredMake>, StoreError> {
        self.read_make(recipe_id, make_id).await
    }

    async fn makes(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<MakeSummary>>, StoreError> {
        self.list_makes(&makes::SUMMARIES, recipe_id, page).await
    }

    async fn make_facts(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<MakeFacts>>, StoreError> {
        self.list_makes(&makes::FACTS, recipe_id, page).await
    }

    async fn insight_tally(&self, recipe_id: &RecipeId) -> Result<KeptTally, StoreError> {
        Ok(self.read_tally(recipe_id).await?.kept)
    }

    async fn keep_insight_tally(
        &self,
        recipe_id: &RecipeId,
        tally: &InsightTally,
        make_writes: u64,
    ) -> Result<bool, StoreError> {
        DynamoStore::keep_insight_tally(self, recipe_id, tally, make_writes).await
    }

    async fn put_rejection(
        &self,
        rejection: &NewRejection,
    ) -> Result<Written<StoredRejection>, StoreError> {
        self.store_rejection(rejection).await
    }

    async fn rejections(&self, page: &PageRequest) -> Result<Page<StoredRejection>, StoreError> {
        self.list_rejections(page).await
    }

    async fn is_deleted(&self, origin: &Origin) -> Result<bool, StoreError> {
        self.upload_is_deleted(origin).await
    }

    async fn delete_object(&self, deletion: &ObjectDeletion) -> Result<Removed, StoreError> {
        self.delete_from_object(deletion).await
    }

    async fn begin_erasure(
        &self,
        target: &ErasureTarget,
        at: &str,
    ) -> Result<Option<Vec<ErasedObject>>, StoreError> {
        self.start_erasure(target, at).await
    }

    async fn finish_erasure(
        &self,
        target: &ErasureTarget,
        tombstones: &[Tombstone],
        at: &str,
    ) -> Result<Removed, StoreError> {
        self.complete_erasure(target, tombstones, at).await
    }

    async fn pending_erasures(&self) -> Result<Vec<ErasureTarget>, StoreError> {
        self.erasures_under_way().await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.reach_table().await
    }
}
