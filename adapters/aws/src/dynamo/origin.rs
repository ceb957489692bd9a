//! The write side of deletion: a write that came from a bucket object
//! checks, in its own transaction, that no later deletion of the object is
//! remembered (the tombstone), and leaves a pointer to its record under the
//! object's partition, so that a deletion finds what to remove with one
//! `Query`.

use super::*;

/// What a write from a bucket object adds to its transaction: the pointer
/// to its record, if it creates one.
pub(super) struct Pointer {
    pub(super) sk: String,
    pub(super) item: PointerItem,
}

impl Pointer {
    /// The pointer to make `make_id` of `recipe_id`.
    pub(super) fn make(new: &NewMake, origin: &Origin) -> Self {
        let make = &new.make;
        Self {
            sk: make_pointer_sk(&make.recipe_id, &make.make_id),
            item: PointerItem {
                recipe_id: Some(make.recipe_id.clone()),
                make_id: Some(make.make_id.clone()),
                rating: make.rating,
                sequencer: origin.sequencer.clone(),
                ..PointerItem::default()
            },
        }
    }

    /// The pointer to a recipe version.
    pub(super) fn version(recipe_id: &RecipeId, version: u32, origin: &Origin) -> Self {
        Self {
            sk: version_pointer_sk(recipe_id, version),
            item: PointerItem {
                recipe_id: Some(recipe_id.clone()),
                version: Some(version),
                sequencer: origin.sequencer.clone(),
                ..PointerItem::default()
            },
        }
    }

    /// The pointer to a rejection.
    pub(super) fn rejection(rejection_id: &str, origin: &Origin) -> Self {
        Self {
            sk: rejection_sk(rejection_id),
            item: PointerItem {
                rejection_id: Some(rejection_id.to_owned()),
                sequencer: origin.sequencer.clone(),
                ..PointerItem::default()
            },
        }
    }
}

impl DynamoStore {
    /// The put of a key pointer: the idempotency key `key` of a `kind`
    /// write to `recipe_id`, so that erasing the recipe (or the make
    /// `make_id`) removes the key's record.
    pub(super) fn put_key_pointer(
        &self,
        recipe_id: &RecipeId,
        kind: &str,
        key: &IdempotencyKey,
        make_id: Option<&MakeId>,
    ) -> Result<TransactWriteItem, StoreError> {
        let item = KeyPointerItem {
            make_id: make_id.cloned(),
        };
        let item = with_key(
            to_item(&item, "a key pointer")?,
            recipe_pk(recipe_id),
            key_pointer_sk(kind, key),
        );
        self.put(item, None)
    }

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
        let pk = object_pk(&origin.object_id);
        if let Some(pointer) = pointer {
            let item = with_key(to_item(&pointer.item, "a pointer")?, pk.clone(), pointer.sk);
            items.push(self.put(item, None)?);
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
        items.push(self.check(item_key(pk, DELETED_SK), condition)?);
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
            None => self
                .tombstone(&origin.object_id)
                .await?
                .is_some_and(|t| origin.is_before(Some(&t.sequencer))),
        };
        if deleted {
            return Err(StoreError::Deleted(origin.object_key.clone()));
        }
        Ok(())
    }

    /// The newest remembered deletion of an object.
    pub(super) async fn tombstone(
        &self,
        object_id: &ObjectId,
    ) -> Result<Option<TombstoneItem>, StoreError> {
        self.get(
            item_key(object_pk(object_id), DELETED_SK),
            "a deletion's tombstone",
        )
        .await
    }
}
