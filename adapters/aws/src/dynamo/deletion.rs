//! Deletion following the bucket: the guard and the pointer that each write
//! from a bucket object adds to its transaction, the object's tombstone,
//! and [`RecipeStore::delete_object`], which follows the pointers.
//!
//! A write that came from a bucket object checks, in its own transaction,
//! that no later deletion of the object is remembered (the tombstone), and
//! leaves a pointer to its record under the object's partition, so that a
//! deletion finds what to remove with one `Query`.
//!
//! A deletion first raises the tombstone (`OBJECT#<object id>` / `DELETED`,
//! holding the newest deletion's sequencer), so that every write from an
//! older upload that commits afterwards fails its guard
//! ([`DynamoStore::guard`]). Then one strongly consistent `Query` of the
//! object's partition finds the pointers that writes left; as the tombstone
//! is in place, no older upload can add one after it. Each record older
//! than the deletion is then removed (makes, with their counters;
//! rejections) or withdrawn (versions) in a transaction of its own that
//! also deletes its pointer. Each is conditional on the record still being
//! the one the pointer names, so a deletion interrupted half-way and
//! delivered again finishes the work and removes nothing twice.
//!
//! [`RecipeStore::delete_object`]: shared::store::RecipeStore::delete_object

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
// Ids and keys in error messages go by their pseudonyms: the messages are logged.
use shared::object_id::logged;
use shared::store::{ObjectDeletion, ObjectId, Origin, Removed, StoreError, StoredRejection};

use super::DynamoStore;
use super::items::{Pointer, PointerItem, RecipeFields, TombstoneItem, VersionHead, from_item};
use super::keys::{Entry, Item, Key, List, key_of, sort_key};
use super::transact::{
    Cancelled, EXISTS, Expression, NOT_EXISTS, Transaction, WRITE_ATTEMPTS, backoff, sdk_error,
};

impl DynamoStore {
    /// Appends to `items` the check that the origin's object was not
    /// deleted after the upload and, when given, the put of the pointer to
    /// the record; returns the check's index, which
    /// [`DynamoStore::refuse_if_deleted`] takes. Nothing for a write that
    /// did not come from the bucket.
    pub(super) fn guard(
        &self,
        items: &mut Vec<TransactWriteItem>,
        origin: Option<&Origin>,
        pointer: Option<Pointer>,
    ) -> Result<Option<usize>, StoreError> {
        let Some(origin) = origin else {
            return Ok(None);
        };
        if let Some(pointer) = pointer {
            items.push(self.put(pointer.into_item()?, None)?);
        }
        // A tombstone always has a sequencer; an upload without one is older
        // than any deletion, so any tombstone refuses it.
        let mut condition = Expression::default();
        condition.text = match &origin.sequencer {
            Some(sequencer) => {
                let name = condition.name("sequencer");
                let value = condition.value("upload", AttributeValue::S(sequencer.clone()));
                format!("{NOT_EXISTS} OR {name} <= {value}")
            }
            None => NOT_EXISTS.to_owned(),
        };
        items.push(self.check(Key::Tombstone(&origin.object_id).item(), condition)?);
        Ok(Some(items.len() - 1))
    }

    /// `Deleted` when a cancelled write failed because its object was
    /// deleted after the upload: its guard failed, or, when the
    /// cancellation reasons do not say, the tombstone says so. Explained
    /// before anything else, so that a write delivered again after its
    /// object's deletion is refused rather than replayed.
    pub(super) async fn refuse_if_deleted(
        &self,
        cancelled: &Cancelled,
        guard: Option<usize>,
        origin: Option<&Origin>,
    ) -> Result<(), StoreError> {
        let (Some(guard), Some(origin)) = (guard, origin) else {
            return Ok(());
        };
        let deleted = match cancelled.failed(guard) {
            Some(failed) => failed,
            // Tombstones only ever rise: if it refuses the upload now, it
            // refused it then, or will on every retry.
            None => self.upload_is_deleted(origin).await?,
        };
        if deleted {
            return Err(StoreError::Deleted(origin.object_key.clone()));
        }
        Ok(())
    }

    /// [`shared::store::RecipeStore::is_deleted`]: whether the upload is
    /// older than the newest remembered deletion of its object.
    pub(super) async fn upload_is_deleted(&self, origin: &Origin) -> Result<bool, StoreError> {
        Ok(self
            .tombstone(&origin.object_id)
            .await?
            .is_some_and(|t| origin.is_before(Some(&t.sequencer))))
    }

    /// The newest remembered deletion of an object.
    pub(super) async fn tombstone(
        &self,
        object_id: &ObjectId,
    ) -> Result<Option<TombstoneItem>, StoreError> {
        self.get(Key::Tombstone(object_id)).await
    }

    /// [`shared::store::RecipeStore::delete_object`].
    pub(super) async fn delete_from_object(
        &self,
        deletion: &ObjectDeletion,
    ) -> Result<Removed, StoreError> {
        let object_key = deletion.object_key.as_str();
        let before = deletion.sequencer.as_deref();
        if let Some(sequencer) = before {
            self.raise_tombstone(&deletion.object_id, sequencer, &deletion.at)
                .await?;
        }
        let items = self
            .query_all(List::Object(&deletion.object_id), &[])
            .await?;
        let mut removed = Removed::default();
        for item in items {
            let sk = sort_key(&item)?.to_owned();
            let entry = Entry::of(&sk);
            if entry == Some(Entry::Tombstone) {
                continue;
            }
            let key = key_of(&item)?;
            let pointer: PointerItem = from_item(item, "a pointer")?;
            let origin = Origin {
                object_key: object_key.to_owned(),
                object_id: deletion.object_id.clone(),
                sequencer: pointer.sequencer.clone(),
            };
            if !origin.is_before(before) {
                // A re-upload after this deletion: it stays.
                continue;
            }
            let at = Found {
                key,
                pointer: &pointer,
                origin: &origin,
                at: &deletion.at,
            };
            match entry {
                Some(Entry::Make) => removed.makes += u64::from(self.remove_make(&at).await?),
                Some(Entry::Version) => {
                    removed.versions += u64::from(self.withdraw_version(&at).await?);
                }
                Some(Entry::Rejection) => {
                    removed.rejections += u64::from(self.remove_rejection(&at).await?);
                }
                _ => {
                    return Err(StoreError::Internal(format!(
                        "the partition of {} holds {}, which is not a pointer",
                        logged(object_key),
                        logged(&sk)
                    )));
                }
            }
        }
        Ok(removed)
    }

    /// Remembers the deletion, unless a later one of the key is remembered.
    pub(super) async fn raise_tombstone(
        &self,
        object_id: &ObjectId,
        sequencer: &str,
        at: &str,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Key::Tombstone(object_id).item()))
            .update_expression("SET #sequencer = :sequencer, #deletedAt = :at")
            .condition_expression(format!("{NOT_EXISTS} OR #sequencer < :sequencer"))
            .expression_attribute_names("#sequencer", "sequencer")
            .expression_attribute_names("#deletedAt", "deletedAt")
            .expression_attribute_values(":sequencer", AttributeValue::S(sequencer.to_owned()))
            .expression_attribute_values(":at", AttributeValue::S(at.to_owned()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // This deletion, or a later one, is remembered already.
            Err(err)
                if matches!(
                    err.as_service_error(),
                    Some(UpdateItemError::ConditionalCheckFailedException(_))
                ) =>
            {
                Ok(())
            }
            Err(err) => Err(sdk_error("remembering a deletion", err)),
        }
    }

    /// Removes a make and uncounts it on its recipe; false when it is gone
    /// already (only its pointer was left).
    async fn remove_make(&self, found: &Found<'_>) -> Result<bool, StoreError> {
        const MAKE: usize = 0;
        const META: usize = 1;
        let (Some(recipe_id), Some(make_id)) = (&found.pointer.recipe_id, &found.pointer.make_id)
        else {
            return Err(found.unreadable("make"));
        };
        // What it counted in its recipe's tally, to count out again.
        let Some(facts) = self.stored_facts(recipe_id, make_id).await? else {
            self.delete_pointer(found).await?;
            return Ok(false);
        };
        for attempt in 0..WRITE_ATTEMPTS {
            backoff(attempt).await;
            let [meta, directory] =
                self.count_make(recipe_id, -1, found.pointer.rating, found.at)?;
            let tally = self.read_tally(recipe_id).await?;
            let mut items = vec![
                self.delete(
                    Key::Make(recipe_id, make_id).item(),
                    Some(found.same_origin()),
                )?,
                meta,
                directory,
                self.delete(found.key.clone(), None)?,
                self.count_in_tally(recipe_id, tally, &facts, false)?,
            ];
            // A make stored before versions counted their makes was never
            // counted on its version; its pointer says nothing of it.
            if let Some(tally) = found.pointer.tally() {
                items.push(self.count_on_version(recipe_id, -1, &tally)?);
            }
            let Transaction::Cancelled(cancelled) = self
                .transact("removing a make of a deleted object", items)
                .await?
            else {
                return Ok(true);
            };
            let gone = match cancelled.failed(MAKE) {
                Some(failed) => failed,
                None => self
                    .make_item(recipe_id, make_id)
                    .await?
                    .is_none_or(|m| !m.is_from(found.origin)),
            };
            if gone {
                self.delete_pointer(found).await?;
                return Ok(false);
            }
            if cancelled.failed(META) == Some(true) {
                return Err(StoreError::Internal(format!(
                    "make {} of recipe {} is stored, but not its recipe",
                    logged(make_id.as_str()),
                    logged(recipe_id.as_str())
                )));
            }
            // A race with another write to the recipe: try again.
        }
        Err(StoreError::Unavailable(format!(
            "removing make {} of recipe {} lost {WRITE_ATTEMPTS} races; try again",
            logged(make_id.as_str()),
            logged(recipe_id.as_str())
        )))
    }

    /// Withdraws a version and points its recipe at the newest version not
    /// withdrawn (or marks it withdrawn, at its newest version, when every
    /// version is); false when it was withdrawn already.
    async fn withdraw_version(&self, found: &Found<'_>) -> Result<bool, StoreError> {
        let (Some(recipe_id), Some(number_of)) = (&found.pointer.recipe_id, found.pointer.version)
        else {
            return Err(found.unreadable("version"));
        };
        for attempt in 0..WRITE_ATTEMPTS {
            backoff(attempt).await;
            let recipe = self.recipe_item(recipe_id).await?;
            // Without the documents.
            let mut versions: Vec<VersionHead> = self
                .read_all(
                    List::Versions(recipe_id),
                    &VersionHead::PROJECTION,
                    "a recipe version",
                )
                .await?;
            // Newest first.
            versions.reverse();
            let target = versions.iter().find(|v| v.version() == number_of);
            let (Some(recipe), Some(target)) = (recipe, target) else {
                self.delete_pointer(found).await?;
                return Ok(false);
            };
            if target.is_withdrawn() || !target.is_from(found.origin) {
                self.delete_pointer(found).await?;
                return Ok(false);
            }
            let current = versions
                .iter()
                .find(|v| v.version() != number_of && !v.is_withdrawn());
            // Versions are newest first, and the target is one of them.
            let shown = current.or(versions.first()).unwrap_or(target);
            let latest = recipe.latest().max(shown.version());
            let fields =
                RecipeFields::showing(recipe_id, shown, latest, current.is_none(), found.at);
            // No version was added since the versions were read.
            let [meta, directory] = self.set_recipe(recipe_id, &fields, Some(&recipe))?;
            let mut withdraw = Expression::default();
            withdraw.text = format!(
                "SET {} = {}",
                withdraw.name("withdrawnAt"),
                withdraw.value("withdrawnAt", AttributeValue::S(found.at.to_owned()))
            );
            let unwithdrawn = format!(
                "{EXISTS} AND attribute_not_exists({})",
                withdraw.name("withdrawnAt")
            );
            let mut items = vec![
                self.update(
                    Key::Version(recipe_id, number_of).item(),
                    withdraw,
                    Some(unwithdrawn.clone()),
                )?,
                meta,
                directory,
                self.delete(found.key.clone(), None)?,
            ];
            if let Some(current) = current {
                // A concurrent deletion may be withdrawing it.
                let mut check = Expression::condition(unwithdrawn.clone());
                check.name("withdrawnAt");
                items.push(self.check(Key::Version(recipe_id, current.version()).item(), check)?);
            }
            match self
                .transact("withdrawing a version of a deleted object", items)
                .await?
            {
                Transaction::Committed => return Ok(true),
                // Read everything again: the loop sees a version withdrawn
                // meanwhile, or tries with the newer state.
                Transaction::Cancelled(_) => {}
            }
        }
        Err(StoreError::Unavailable(format!(
            "withdrawing version {number_of} of recipe {} lost {WRITE_ATTEMPTS} races; try again",
            logged(recipe_id.as_str())
        )))
    }

    /// Removes a rejection; false when it is gone already.
    async fn remove_rejection(&self, found: &Found<'_>) -> Result<bool, StoreError> {
        let Some(rejection_id) = &found.pointer.rejection_id else {
            return Err(found.unreadable("rejection"));
        };
        let items = vec![
            self.delete(
                Key::Rejection(rejection_id).item(),
                Some(Expression::condition(EXISTS)),
            )?,
            self.delete(found.key.clone(), None)?,
        ];
        // Rejections never change once stored: no race to lose.
        match self
            .transact("removing a rejection of a deleted object", items)
            .await?
        {
            Transaction::Committed => Ok(true),
            Transaction::Cancelled(_) => {
                let stored: Option<StoredRejection> =
                    self.get(Key::Rejection(rejection_id)).await?;
                if stored.is_some() {
                    return Err(StoreError::Unavailable(format!(
                        "rejection {rejection_id} could not be removed; try again"
                    )));
                }
                self.delete_pointer(found).await?;
                Ok(false)
            }
        }
    }

    /// Deletes a pointer whose record is gone.
    async fn delete_pointer(&self, found: &Found<'_>) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(found.key.clone()))
            .send()
            .await
            .map_err(|e| sdk_error("deleting a pointer", e))?;
        Ok(())
    }
}

/// A pointer a deletion found, and the deletion.
struct Found<'a> {
    /// The pointer's own key.
    key: Item,
    pointer: &'a PointerItem,
    /// The upload it records.
    origin: &'a Origin,
    /// When the object was deleted.
    at: &'a str,
}

impl Found<'_> {
    /// The condition that an item exists and came from the pointer's upload.
    fn same_origin(&self) -> Expression {
        let mut condition = Expression::default();
        let key = condition.equals(
            "originKey",
            AttributeValue::S(self.origin.object_key.clone()),
        );
        let sequencer = match &self.origin.sequencer {
            Some(s) => condition.equals("originSeq", AttributeValue::S(s.clone())),
            None => format!("attribute_not_exists({})", condition.name("originSeq")),
        };
        condition.text = format!("{EXISTS} AND {key} AND {sequencer}");
        condition
    }

    fn unreadable(&self, what: &str) -> StoreError {
        StoreError::Internal(format!(
            "a pointer to a {what} from {} lacks what names the {what}",
            logged(&self.origin.object_key)
        ))
    }
}
