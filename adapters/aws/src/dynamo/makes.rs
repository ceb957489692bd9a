//! Makes: storing one (created, replayed, refused for an unknown recipe or
//! a taken make id, or recorded under a new key when it exists already),
//! reading one, and pages of makes and of their facts.

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use serde::de::DeserializeOwned;
use shared::insights::MakeFacts;
use shared::model::{MakeId, RecipeId};
// Ids and keys in error messages go by their pseudonyms: the messages are logged.
use shared::object_id::logged;
use shared::store::{
    MakeRef, MakeSummary, MakeTally, NewMake, Page, PageRequest, StoreError, StoredMake, Written,
};

use super::DynamoStore;
use super::items::{FactsItem, IdempotencyRecord, MakeItem, MakeSummaryItem, Pointer};
use super::keys::{Key, List, Write};
use super::transact::{NOT_EXISTS, Transaction, WRITE_ATTEMPTS, backoff, sdk_error};

/// A list of makes: the attributes it reads of each (a list reads only
/// what it shows, not the documents and diffs), and what it makes of them.
pub(super) struct MakeList<I, T> {
    projection: &'static [&'static str],
    into: fn(I) -> T,
}

/// [`shared::store::RecipeStore::makes`]: what a list shows of each make.
pub(super) const SUMMARIES: MakeList<MakeSummaryItem, MakeSummary> = MakeList {
    projection: &MakeSummaryItem::PROJECTION,
    into: MakeSummaryItem::into_summary,
};

/// [`shared::store::RecipeStore::make_facts`]: each make's facts.
pub(super) const FACTS: MakeList<FactsItem, MakeFacts> = MakeList {
    projection: &FactsItem::PROJECTION,
    into: FactsItem::into_facts,
};

impl DynamoStore {
    /// [`shared::store::RecipeStore::put_make`].
    pub(super) async fn store_make(&self, new: &NewMake) -> Result<Written<MakeRef>, StoreError> {
        const MAKE: usize = 0;
        const FIRST: usize = 1;
        const META: usize = 2;
        let make = &new.make;
        let made = make.to_ref();
        let make_item = MakeItem::item(new)?;
        let origin = new.origin.as_ref();
        for attempt in 0..WRITE_ATTEMPTS {
            backoff(attempt).await;
            // A make of an unknown recipe must fail as a whole (counting
            // it needs the recipe), so that its key is not burned and a
            // retry can succeed later.
            let [meta, directory] =
                self.count_make(&make.recipe_id, 1, make.rating, &make.created_at)?;
            let tally = self.read_tally(&make.recipe_id).await?;
            let mut items = vec![
                self.put(make_item.clone(), Some(NOT_EXISTS))?,
                self.put_first(Write::Make, &new.key, &made, &make.created_at)?,
                meta,
                directory,
                self.count_on_version(&make.recipe_id, 1, &MakeTally::of(new))?,
                self.put_key_pointer(&make.recipe_id, Write::Make, &new.key, Some(&make.make_id))?,
                self.count_in_tally(&make.recipe_id, tally, &new.facts, true)?,
            ];
            let pointer = origin.map(|o| Pointer::make(new, o));
            let guard = self.guard(&mut items, origin, pointer)?;
            let Transaction::Cancelled(cancelled) = self.transact("storing a make", items).await?
            else {
                return Ok(Written::Created(made));
            };
            self.refuse_if_deleted(&cancelled, guard, origin).await?;
            if cancelled.may_have_failed(FIRST)
                && let Some(first) = self.first_result::<MakeRef>(Write::Make, &new.key).await?
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
                if existing.content_hash() != make.content_hash {
                    return Err(StoreError::MakeConflict(make.make_id.clone()));
                }
                return Ok(Written::Replayed(
                    self.record_make_key(new, existing.to_ref()).await?,
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

    /// [`shared::store::RecipeStore::make`].
    pub(super) async fn read_make(
        &self,
        recipe_id: &RecipeId,
        make_id: &MakeId,
    ) -> Result<Option<StoredMake>, StoreError> {
        Ok(self
            .make_item(recipe_id, make_id)
            .await?
            .map(MakeItem::into_stored))
    }

    /// [`shared::store::RecipeStore::makes`] or
    /// [`shared::store::RecipeStore::make_facts`]: a page of `list`, a
    /// recipe's makes by make id; `None` for an unknown recipe.
    pub(super) async fn list_makes<I: DeserializeOwned, T>(
        &self,
        list: &MakeList<I, T>,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<T>>, StoreError> {
        let page: Option<Page<I>> = self
            .recipe_page(List::Makes(recipe_id), recipe_id, page, list.projection)
            .await?;
        Ok(page.map(|page| page.map(list.into)))
    }

    pub(super) async fn make_item(
        &self,
        recipe_id: &RecipeId,
        make_id: &MakeId,
    ) -> Result<Option<MakeItem>, StoreError> {
        self.get(Key::Make(recipe_id, make_id)).await
    }

    /// A stored make's facts; `None` when it is gone.
    pub(super) async fn stored_facts(
        &self,
        recipe_id: &RecipeId,
        make_id: &MakeId,
    ) -> Result<Option<MakeFacts>, StoreError> {
        let item: Option<FactsItem> = self
            .get_projected(Key::Make(recipe_id, make_id), &FactsItem::PROJECTION)
            .await?;
        Ok(item.map(FactsItem::into_facts))
    }

    /// Records `key` as leading to an existing make (a deliberate re-upload
    /// of the same make), and returns what the key leads to.
    async fn record_make_key(
        &self,
        new: &NewMake,
        existing: MakeRef,
    ) -> Result<MakeRef, StoreError> {
        // The key pointer first: one left without its record is harmless.
        let pointer = self.put_key_pointer(
            &existing.recipe_id,
            Write::Make,
            &new.key,
            Some(&existing.make_id),
        )?;
        if let Transaction::Cancelled(_) = self
            .transact("recording a make's key pointer", vec![pointer])
            .await?
        {
            return Err(StoreError::Unavailable(
                "recording a make's key pointer lost a race; try again".into(),
            ));
        }
        let item = IdempotencyRecord::item(Write::Make, &new.key, &existing, &new.make.created_at)?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(NOT_EXISTS)
            .send()
            .await;
        match result {
            Ok(_) => Ok(existing),
            Err(err)
                if matches!(
                    err.as_service_error(),
                    Some(PutItemError::ConditionalCheckFailedException(_))
                ) =>
            {
                // A concurrent attempt with this key recorded it first.
                let first = self.first_result(Write::Make, &new.key).await?;
                Ok(first.unwrap_or(existing))
            }
            Err(err) => Err(sdk_error("recording a make's idempotency key", err)),
        }
    }
}
