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
//! tombstone (`origin`) and, when it creates a record, a pointer to it; a
//! failed check is explained before anything else, as
//! [`StoreError::Deleted`], so that a write delivered again after its
//! object's deletion is refused, never replayed. A deletion raises the
//! tombstone first, then reads the pointers with one strongly consistent
//! `Query` and removes or withdraws each older record in a transaction of
//! its own (`deletion`).

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters as _;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
// Ids and keys in error messages go by their pseudonyms: the messages are logged.
use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, KeySchemaElement, KeyType,
    Put, ScalarAttributeType, TimeToLiveSpecification, TransactWriteItem, Update,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shared::object_id::logged;

use shared::diff::{Summary, round4};
use shared::insights::MakeFacts;
use shared::model::{MakeId, RecipeId};
use shared::store::{
    Cursor, ErasedObject, ErasureTarget, IdempotencyKey, MakeRef, MakeSummary, NewMake,
    NewRejection, NewVersion, ObjectDeletion, ObjectId, Origin, Page, PageRequest, RecipeStore,
    RecipeSummary, RejectionRef, Removed, StoreError, StoredMake, StoredRejection, StoredVersion,
    Tombstone, VersionRef, VersionSummary, Written,
};

mod deletion;
mod erasure;
mod items;
mod origin;
mod reads;
mod table;
#[cfg(test)]
mod tests;
mod transact;

use items::*;
use origin::*;
use reads::*;
use transact::*;

/// The recipe store in one DynamoDB table.
///
/// The table has a string partition key `pk` and a string sort key `sk`,
/// on-demand billing, no secondary indexes, and time to live on `expiresAt`:
///
/// | item | `pk` | `sk` | attributes |
/// |---|---|---|---|
/// | a recipe | `RECIPE#<id>` | `META` | `recipeId`, `name`, `currentVersion`, `rating`, `contentHash`, `makeCount`, `ratingSum`, `ratedCount`, `updatedAt`; `latestVersion`, `withdrawn` |
/// | a version | `RECIPE#<id>` | `VERSION#<n, 10 digits>` | `recipeId`, `version`, `name`, `rating`, `contentHash`, `createdAt`, `document` (JSON text); `originKey`, `originSeq`, `withdrawnAt` |
/// | a make | `RECIPE#<id>` | `MAKE#<makeId>` | `recipeId`, `makeId`, `version`, `madeAt`, `notes`, `rating`, `createdAt`, `contentHash`, `scaleFactor`; `document`, `diff`, `facts`, `summary` (JSON text); `originKey`, `originSeq` |
/// | the recipe directory | `RECIPES` | `RECIPE#<id>` | as the recipe's `META` item |
/// | a rejection | `REJECTIONS` | `REJ#<rejectionId>` | the [`StoredRejection`] fields |
/// | an idempotency record | `IDEM#<key>` | `IDEM#<version\|make\|rejection>` | `first` (what the first write returned), `createdAt`, `expiresAt` (epoch seconds, 30 days on) |
/// | a deletion's tombstone | `OBJECT#<object key>` | `DELETED` | `sequencer` (the newest deletion's), `deletedAt` |
/// | a pointer to a make | `OBJECT#<object key>` | `MAKE#<recipe id's length>#<recipeId>#<makeId>` | `recipeId`, `makeId`, `rating`, `sequencer` |
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

#[async_trait]
impl RecipeStore for DynamoStore {
    async fn put_version(
        &self,
        version: &NewVersion,
    ) -> Result<Written<StoredVersion>, StoreError> {
        // Indexes of the idempotency records in the two transactions.
        const CHECKED_FIRST: usize = 0;
        const FIRST: usize = 3;
        let pk = recipe_pk(&version.recipe_id);
        for attempt in 0..WRITE_ATTEMPTS {
            backoff(attempt).await;
            let current = self.recipe_item(&version.recipe_id).await?;
            // A withdrawn recipe has no current content to be unchanged
            // from: the same content again is a new version.
            if let Some(current) = current
                .as_ref()
                .filter(|c| !c.withdrawn && c.content_hash == version.content_hash)
            {
                // Recording the key even though nothing changes keeps a
                // later duplicate of this upload from becoming a version.
                let first = VersionRef {
                    recipe_id: version.recipe_id.clone(),
                    version: current.current_version,
                };
                let mut check = Expression::default();
                let same = check.equals("currentVersion", number(current.current_version));
                let withdrawn = check.name("withdrawn");
                let no = check.value("withdrawn", AttributeValue::Bool(false));
                check.text =
                    format!("{same} AND (attribute_not_exists({withdrawn}) OR {withdrawn} = {no})");
                let mut items = vec![
                    self.put_first(VERSION_WRITE, &version.key, &first, &version.at)?,
                    self.check(item_key(pk.clone(), META_SK), check)?,
                    self.put_key_pointer(&version.recipe_id, VERSION_WRITE, &version.key, None)?,
                ];
                let guard = self.guard(&mut items, version.origin.as_ref(), None)?;
                match self
                    .transact("storing an unchanged recipe version", items)
                    .await?
                {
                    Transaction::Committed => {
                        let stored = self
                            .version_item(&version.recipe_id, current.current_version)
                            .await?;
                        return stored.map(Written::Unchanged).ok_or_else(|| {
                            StoreError::Internal(format!(
                                "the current version {} of recipe {} is missing",
                                current.current_version,
                                logged(version.recipe_id.as_str())
                            ))
                        });
                    }
                    Transaction::Cancelled(cancelled) => {
                        self.refuse_if_deleted(&cancelled, guard, version.origin.as_ref())
                            .await?;
                        if cancelled.may_have_failed(CHECKED_FIRST)
                            && let Some(first) = self.replayed_version(&version.key).await?
                        {
                            return Ok(Written::Replayed(first));
                        }
                        // The recipe moved on meanwhile: look again.
                        continue;
                    }
                }
            }

            // Withdrawn versions keep their numbers: the next one follows
            // the latest ever stored.
            let number_of = match &current {
                Some(c) => c.latest().checked_add(1).ok_or_else(|| {
                    StoreError::Internal(format!(
                        "recipe {} has run out of version numbers",
                        logged(version.recipe_id.as_str())
                    ))
                })?,
                None => 1,
            };
            let stored = version.stored(number_of);
            let fields = RecipeFields {
                recipe_id: &version.recipe_id,
                name: &version.name,
                current_version: number_of,
                rating: version.rating,
                content_hash: &version.content_hash,
                latest_version: number_of,
                withdrawn: false,
                updated_at: &version.at,
            };
            // The optimistic lock: this version follows the latest read above.
            let [meta, directory] = self.set_recipe(&pk, &fields, current.as_ref())?;
            let version_item = with_key(
                to_item(
                    &VersionItem::from_stored(&stored, version.rating, version.origin.as_ref()),
                    "a recipe version",
                )?,
                pk.clone(),
                version_sk(number_of),
            );
            let first = VersionRef {
                recipe_id: version.recipe_id.clone(),
                version: number_of,
            };
            let mut items = vec![
                self.put(version_item, Some(NOT_EXISTS))?,
                meta,
                directory,
                self.put_first(VERSION_WRITE, &version.key, &first, &version.at)?,
                self.put_key_pointer(&version.recipe_id, VERSION_WRITE, &version.key, None)?,
            ];
            let origin = version.origin.as_ref();
            let pointer = origin.map(|o| Pointer::version(&version.recipe_id, number_of, o));
            let guard = self.guard(&mut items, origin, pointer)?;
            match self.transact("storing a recipe version", items).await? {
                Transaction::Committed => return Ok(Written::Created(stored)),
                Transaction::Cancelled(cancelled) => {
                    self.refuse_if_deleted(&cancelled, guard, origin).await?;
                    if cancelled.may_have_failed(FIRST)
                        && let Some(first) = self.replayed_version(&version.key).await?
                    {
                        return Ok(Written::Replayed(first));
                    }
                    // Otherwise another version won the race for this
                    // number: read the new current version and try again.
                }
            }
        }
        Err(StoreError::Unavailable(format!(
            "recipe {} kept changing under {WRITE_ATTEMPTS} attempts to store a version; try again",
            logged(version.recipe_id.as_str())
        )))
    }

    async fn version(
        &self,
        recipe_id: &RecipeId,
        version: Option<u32>,
    ) -> Result<Option<StoredVersion>, StoreError> {
        if let Some(version) = version {
            return self.version_item(recipe_id, version).await;
        }
        // The pointer, not the newest VERSION item: a query for that would
        // read a page of whole documents to keep one.
        match self.recipe_item(recipe_id).await? {
            Some(recipe) => self.version_item(recipe_id, recipe.current_version).await,
            None => Ok(None),
        }
    }

    async fn recipes(&self, page: &PageRequest) -> Result<Page<RecipeSummary>, StoreError> {
        let list = List::oldest_first(DIRECTORY_PK, RECIPE_PREFIX, "recipes");
        let page: Page<RecipeItem> = self.page(list, page, &[]).await?;
        Ok(page.map(RecipeItem::into_summary))
    }

    async fn recipe_summary(
        &self,
        recipe_id: &RecipeId,
    ) -> Result<Option<RecipeSummary>, StoreError> {
        Ok(self
            .recipe_item(recipe_id)
            .await?
            .map(RecipeItem::into_summary))
    }

    async fn versions(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<VersionSummary>>, StoreError> {
        let projection = ["version", "name", "contentHash", "createdAt", "withdrawnAt"];
        self.recipe_page(
            recipe_id,
            VERSION_PREFIX,
            "recipe versions",
            page,
            &projection,
        )
        .await
    }

    async fn put_make(&self, new: &NewMake) -> Result<Written<MakeRef>, StoreError> {
        const MAKE: usize = 0;
        const FIRST: usize = 1;
        const META: usize = 2;
        let make = &new.make;
        let pk = recipe_pk(&make.recipe_id);
        let made = make.to_ref();
        let make_item = with_key(
            to_item(&MakeItem::from_new(new), "a make")?,
            pk.clone(),
            make_sk(&make.make_id),
        );
        let size = item_size(&make_item);
        if size > ITEM_LIMIT {
            return Err(StoreError::Internal(format!(
                "make item is {size} bytes, over the 400 KB item limit"
            )));
        }
        let origin = new.origin.as_ref();
        for attempt in 0..WRITE_ATTEMPTS {
            backoff(attempt).await;
            // A make of an unknown recipe must fail as a whole (counting
            // it needs the recipe), so that its key is not burned and a
            // retry can succeed later.
            let [meta, directory] = self.count_make(&pk, 1, make.rating, &make.created_at)?;
            let mut items = vec![
                self.put(make_item.clone(), Some(NOT_EXISTS))?,
                self.put_first(MAKE_WRITE, &new.key, &made, &make.created_at)?,
                meta,
                directory,
                self.put_key_pointer(&make.recipe_id, MAKE_WRITE, &new.key, Some(&make.make_id))?,
            ];
            let pointer = origin.map(|o| Pointer::make(new, o));
            let guard = self.guard(&mut items, origin, pointer)?;
            let Transaction::Cancelled(cancelled) = self.transact("storing a make", items).await?
            else {
                return Ok(Written::Created(made));
            };
            self.refuse_if_deleted(&cancelled, guard, origin).await?;
            if cancelled.may_have_failed(FIRST)
                && let Some(first) = self.first_result::<MakeRef>(MAKE_WRITE, &new.key).await?
            {
                return Ok(Written::Replayed(first));
            }
            let recipe_missing = match cancelled.failed(META) {
                Some(failed) => failed,
                None => self.recipe_item(&make.recipe_id).await?.is_none(),
            };
            if recipe_missing {
                return Err(StoreError::RecipeNotFound(make.recipe_id.clone()));
            }
            if cancelled.may_have_failed(MAKE)
                && let Some(existing) = self.make_item(&make.recipe_id, &make.make_id).await?
            {
                if existing.content_hash != make.content_hash {
                    return Err(StoreError::MakeConflict(make.make_id.clone()));
                }
                let existing = MakeRef {
                    recipe_id: existing.recipe_id,
                    make_id: existing.make_id,
                    version: existing.version,
                };
                return Ok(Written::Replayed(
                    self.record_make_key(new, existing).await?,
                ));
            }
            // Nothing explains the cancellation but a race with another
            // transaction on these items: try again.
        }
        Err(StoreError::Unavailable(format!(
            "make {} of recipe {} lost {WRITE_ATTEMPTS} races with other writes; try again",
            logged(make.make_id.as_str()),
            logged(make.recipe_id.as_str())
        )))
    }

    async fn make(
        &self,
        recipe_id: &RecipeId,
        make_id: &MakeId,
    ) -> Result<Option<StoredMake>, StoreError> {
        Ok(self
            .make_item(recipe_id, make_id)
            .await?
            .map(MakeItem::into_stored))
    }

    async fn makes(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<MakeSummary>>, StoreError> {
        // A list reads only what it shows, not the documents and diffs.
        let projection = [
            "makeId",
            "version",
            "madeAt",
            "createdAt",
            "rating",
            "summary",
            "scaleFactor",
        ];
        let page: Option<Page<MakeSummaryItem>> = self
            .recipe_page(recipe_id, MAKE_PREFIX, "makes", page, &projection)
            .await?;
        Ok(page.map(|page| page.map(MakeSummaryItem::into_summary)))
    }

    async fn make_facts(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<MakeFacts>>, StoreError> {
        let page: Option<Page<FactsItem>> = self
            .recipe_page(recipe_id, MAKE_PREFIX, "make facts", page, &["facts"])
            .await?;
        Ok(page.map(|page| page.map(|item| item.facts)))
    }

    async fn put_rejection(
        &self,
        rejection: &NewRejection,
    ) -> Result<Written<StoredRejection>, StoreError> {
        const FIRST: usize = 1;
        let stored = rejection.to_stored();
        let sk = rejection_sk(&stored.rejection_id);
        let item = with_key(to_item(&stored, "a rejection")?, REJECTIONS_PK, sk.clone());
        let first = RejectionRef {
            rejection_id: stored.rejection_id.clone(),
        };
        let origin = rejection.origin();
        for attempt in 0..WRITE_ATTEMPTS {
            backoff(attempt).await;
            let mut items = vec![
                self.put(item.clone(), Some(NOT_EXISTS))?,
                self.put_first(REJECTION_WRITE, &rejection.key, &first, &rejection.at)?,
            ];
            let pointer = origin
                .as_ref()
                .map(|o| Pointer::rejection(&stored.rejection_id, o));
            let guard = self.guard(&mut items, origin.as_ref(), pointer)?;
            let Transaction::Cancelled(cancelled) =
                self.transact("storing a rejection", items).await?
            else {
                return Ok(Written::Created(stored));
            };
            self.refuse_if_deleted(&cancelled, guard, origin.as_ref())
                .await?;
            if cancelled.may_have_failed(FIRST)
                && let Some(first) = self.replayed_rejection(&rejection.key).await?
            {
                return Ok(Written::Replayed(first));
            }
            // The same id means the same key and time: this very rejection,
            // stored by a write whose idempotency record has expired.
            let existing: Option<StoredRejection> = self
                .get(item_key(REJECTIONS_PK, &sk), "a rejection")
                .await?;
            if let Some(existing) = existing {
                return Ok(Written::Replayed(existing));
            }
        }
        Err(StoreError::Unavailable(format!(
            "rejection {} lost {WRITE_ATTEMPTS} races with other writes; try again",
            stored.rejection_id
        )))
    }

    async fn rejections(&self, page: &PageRequest) -> Result<Page<StoredRejection>, StoreError> {
        let list = List::newest_first(REJECTIONS_PK, REJECTION_PREFIX, "rejections");
        self.page(list, page, &[]).await
    }

    async fn is_deleted(&self, origin: &Origin) -> Result<bool, StoreError> {
        Ok(self
            .tombstone(&origin.object_id)
            .await?
            .is_some_and(|t| origin.is_before(Some(&t.sequencer))))
    }

    async fn delete_object(&self, deletion: &ObjectDeletion) -> Result<Removed, StoreError> {
        self.delete_from_object(deletion).await
    }

    async fn begin_erasure(
        &self,
        target: &ErasureTarget,
        at: &str,
    ) -> Result<Option<Vec<ErasedObject>>, StoreError> {
        self.begin(target, at).await
    }

    async fn finish_erasure(
        &self,
        target: &ErasureTarget,
        tombstones: &[Tombstone],
        at: &str,
    ) -> Result<Removed, StoreError> {
        self.finish(target, tombstones, at).await
    }

    async fn pending_erasures(&self) -> Result<Vec<ErasureTarget>, StoreError> {
        self.pending().await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("describing table {}", self.table), e))?;
        Ok(())
    }
}
