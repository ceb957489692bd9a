//! Deletion following the bucket: [`RecipeStore::delete_object`].
//!
//! First the tombstone is raised (`OBJECT#<object id>` / `DELETED`, holding the
//! newest deletion's sequencer), so that every write from an older upload
//! that commits afterwards fails its guard ([`DynamoStore::guard`]). Then
//! one strongly consistent `Query` of the object's partition finds the
//! pointers that writes left; as the tombstone is in place, no older
//! upload can add one after it. Each record older than the deletion is then
//! removed (makes, with their counters; rejections) or withdrawn (versions)
//! in a transaction of its own that also deletes its pointer. Each is
//! conditional on the record still being the one the pointer names, so a
//! deletion interrupted half-way and delivered again finishes the work and
//! removes nothing twice.

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use shared::store::{ObjectDeletion, Origin, Removed};

use super::*;

impl DynamoStore {
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
        let pk = object_pk(&deletion.object_id);
        let items = self
            .query_all(&pk, None, true, &[], "what came from an object")
            .await?;
        let mut removed = Removed::default();
        for mut item in items {
            let sk = match item.remove("sk") {
                Some(AttributeValue::S(sk)) => sk,
                _ => {
                    return Err(StoreError::Internal(format!(
                        "an item of {} has no string sort key",
                        logged(&pk)
                    )));
                }
            };
            if sk == DELETED_SK {
                continue;
            }
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
                key: item_key(pk.as_str(), sk.as_str()),
                pointer: &pointer,
                origin: &origin,
                at: &deletion.at,
            };
            if sk.starts_with(MAKE_PREFIX) {
                removed.makes += u64::from(self.remove_make(&at).await?);
            } else if sk.starts_with(VERSION_PREFIX) {
                removed.versions += u64::from(self.withdraw_version(&at).await?);
            } else if sk.starts_with(REJECTION_PREFIX) {
                removed.rejections += u64::from(self.remove_rejection(&at).await?);
            } else {
                return Err(StoreError::Internal(format!(
                    "{} holds {}, which is not a pointer",
                    logged(&pk),
                    logged(&sk)
                )));
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
            .set_key(Some(item_key(object_pk(object_id), DELETED_SK)))
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
        let pk = recipe_pk(recipe_id);
        for attempt in 0..WRITE_ATTEMPTS {
            backoff(attempt).await;
            let [meta, directory] = self.count_make(&pk, -1, found.pointer.rating, found.at)?;
            let items = vec![
                self.delete(
                    item_key(pk.clone(), make_sk(make_id)),
                    Some(found.same_origin()),
                )?,
                meta,
                directory,
                self.delete(found.key.clone(), None)?,
            ];
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
                    .is_none_or(|m| !m.origin.is_from(found.origin)),
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
        let pk = recipe_pk(recipe_id);
        for attempt in 0..WRITE_ATTEMPTS {
            backoff(attempt).await;
            let recipe = self.recipe_item(recipe_id).await?;
            // Newest first, without the documents.
            let versions: Vec<VersionHead> = self
                .query_all(
                    &pk,
                    Some(VERSION_PREFIX),
                    false,
                    &VersionHead::PROJECTION,
                    "a recipe's versions",
                )
                .await?
                .into_iter()
                .map(|item| from_item(item, "a recipe version"))
                .collect::<Result<_, _>>()?;
            let target = versions.iter().find(|v| v.version == number_of);
            let (Some(recipe), Some(target)) = (recipe, target) else {
                self.delete_pointer(found).await?;
                return Ok(false);
            };
            if target.withdrawn_at.is_some() || !target.origin.is_from(found.origin) {
                self.delete_pointer(found).await?;
                return Ok(false);
            }
            let current = versions
                .iter()
                .find(|v| v.version != number_of && v.withdrawn_at.is_none());
            // Versions are newest first, and the target is one of them.
            let shown = current.or(versions.first()).unwrap_or(target);
            let latest = recipe.latest().max(shown.version);
            let fields = RecipeFields {
                recipe_id,
                name: &shown.name,
                current_version: shown.version,
                rating: shown.rating,
                content_hash: &shown.content_hash,
                latest_version: latest,
                withdrawn: current.is_none(),
                updated_at: found.at,
            };
            // No version was added since the versions were read.
            let [meta, directory] = self.set_recipe(&pk, &fields, Some(&recipe))?;
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
                    item_key(pk.clone(), version_sk(number_of)),
                    withdraw,
                    Some(unwithdrawn.clone()),
                )?,
                meta,
                directory,
                self.delete(found.key.clone(), None)?,
            ];
            if let Some(current) = current {
                // A concurrent deletion may be withdrawing it.
                let mut check = Expression {
                    text: unwithdrawn.clone(),
                    ..Expression::default()
                };
                check.name("withdrawnAt");
                items.push(self.check(item_key(pk.clone(), version_sk(current.version)), check)?);
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
        let key = item_key(REJECTIONS_PK, rejection_sk(rejection_id));
        let exists = Expression {
            text: EXISTS.to_owned(),
            ..Expression::default()
        };
        let items = vec![
            self.delete(key.clone(), Some(exists))?,
            self.delete(found.key.clone(), None)?,
        ];
        // Rejections never change once stored: no race to lose.
        match self
            .transact("removing a rejection of a deleted object", items)
            .await?
        {
            Transaction::Committed => Ok(true),
            Transaction::Cancelled(_) => {
                let stored: Option<StoredRejection> = self.get(key, "a rejection").await?;
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
