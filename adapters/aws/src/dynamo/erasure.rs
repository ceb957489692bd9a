//! Erasure: [`RecipeStore::begin_erasure`], [`RecipeStore::finish_erasure`]
//! and [`RecipeStore::pending_erasures`], and the key pointer that every
//! write to a recipe leaves so that an erasure finds its idempotency record.
//!
//! Beginning puts a marker (`ERASURES` / `ERASE#<target as JSON>`) and
//! reads the objects the target's records came from. Finishing goes in an
//! order that a crash can interrupt anywhere and a second call completes:
//!
//! 1. for each erased object (by id): its pointers to the target's records
//!    and the rejections they name go, and its tombstone is raised;
//! 2. the rejections of `recipes/` keys that name the recipe, read from
//!    the rejections' partition, go;
//! 3. a recipe: its entry among its parent's variants goes, then its
//!    `META` item and directory entry (it is gone from every read from
//!    then on), then the idempotency records its key pointers (`KEY#…`)
//!    name; each of its variants (`VARIANT#…`) forgets it and keeps only
//!    that its parent was erased; then the rest of its partition goes. A make: the
//!    make, uncounted from its recipe in one transaction, then its key
//!    pointers' records;
//! 4. the marker goes last.
//!
//! [`RecipeStore::begin_erasure`]: shared::store::RecipeStore::begin_erasure
//! [`RecipeStore::finish_erasure`]: shared::store::RecipeStore::finish_erasure
//! [`RecipeStore::pending_erasures`]: shared::store::RecipeStore::pending_erasures

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use shared::keys::{RECIPES_PREFIX, recipe_id_from_key};
use shared::model::{MakeId, RecipeId};
// Ids and keys in error messages go by their pseudonyms: the messages are logged.
use shared::object_id::logged;
use shared::store::{
    ErasedObject, ErasureTarget, IdempotencyKey, Removed, StoreError, Tombstone, merge_objects,
};

use super::DynamoStore;
use super::items::{ErasureItem, KeyPointerItem, OriginItem, PointerItem, RejectionKey, from_item};
use super::keys::{
    Entry, Item, Key, List, Write, key_of, record_of_key_pointer, sort_key, variant_of_entry,
};
use super::transact::{EXISTS, Expression, Transaction, WRITE_ATTEMPTS, backoff, sdk_error};

/// Items deleted per `TransactWriteItems` call.
const DELETES_PER_CALL: usize = 25;

/// Whether a `recipes/` key implies `recipe_id`.
fn names(object_key: &str, recipe_id: &RecipeId) -> bool {
    object_key.starts_with(RECIPES_PREFIX)
        && recipe_id_from_key(object_key).is_some_and(|id| id == *recipe_id)
}

impl DynamoStore {
    /// The put of a key pointer: the idempotency key `key` of a `kind`
    /// write to `recipe_id`, so that erasing the recipe (or the make
    /// `make_id`) removes the key's record.
    pub(super) fn put_key_pointer(
        &self,
        recipe_id: &RecipeId,
        kind: Write,
        key: &IdempotencyKey,
        make_id: Option<&MakeId>,
    ) -> Result<TransactWriteItem, StoreError> {
        self.put(KeyPointerItem::item(recipe_id, kind, key, make_id)?, None)
    }

    /// [`shared::store::RecipeStore::begin_erasure`].
    pub(super) async fn start_erasure(
        &self,
        target: &ErasureTarget,
        at: &str,
    ) -> Result<Option<Vec<ErasedObject>>, StoreError> {
        let pending: Option<ErasureItem> =
            self.get(Key::Erasure(&ErasureItem::text(target)?)).await?;
        let (exists, objects) = self.objects_of(target).await?;
        if !exists && pending.is_none() {
            return Ok(None);
        }
        if pending.is_none() {
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(ErasureItem::item(target, at)?))
                .send()
                .await
                .map_err(|e| sdk_error("remembering an erasure", e))?;
        }
        Ok(Some(merge_objects(objects)))
    }

    /// The objects of the records `target` names, and whether it names
    /// any record.
    async fn objects_of(
        &self,
        target: &ErasureTarget,
    ) -> Result<(bool, Vec<ErasedObject>), StoreError> {
        match target {
            ErasureTarget::Recipe { recipe_id } => {
                let exists = self.recipe_item(recipe_id).await?.is_some();
                let records: Vec<OriginItem> = self
                    .read_all(
                        List::Recipe(recipe_id),
                        &OriginItem::PROJECTION,
                        "a record's origin",
                    )
                    .await?;
                let mut objects: Vec<ErasedObject> = records
                    .into_iter()
                    .filter_map(OriginItem::into_object)
                    .collect();
                for rejection in self.rejection_keys().await? {
                    if let Some(key) = rejection.object_key.filter(|k| names(k, recipe_id)) {
                        objects.push(ErasedObject {
                            object_key: key,
                            sequencer: None,
                        });
                    }
                }
                Ok((exists, objects))
            }
            ErasureTarget::Make { recipe_id, make_id } => {
                let item: Option<OriginItem> = self.get(Key::Make(recipe_id, make_id)).await?;
                let exists = item.is_some();
                Ok((
                    exists,
                    item.and_then(OriginItem::into_object).into_iter().collect(),
                ))
            }
        }
    }

    /// Every rejection's id and object key.
    async fn rejection_keys(&self) -> Result<Vec<RejectionKey>, StoreError> {
        self.read_all(List::Rejections, &RejectionKey::PROJECTION, "a rejection")
            .await
    }

    /// [`shared::store::RecipeStore::finish_erasure`].
    pub(super) async fn complete_erasure(
        &self,
        target: &ErasureTarget,
        tombstones: &[Tombstone],
        at: &str,
    ) -> Result<Removed, StoreError> {
        let recipe_id = target.recipe_id();
        let mut removed = Removed::default();

        // 1. The objects' pointers, the rejections they name, tombstones.
        for tombstone in tombstones {
            let mut gone = Vec::new();
            for item in self
                .query_all(List::Object(&tombstone.object_id), &[])
                .await?
            {
                if Entry::of(sort_key(&item)?) == Some(Entry::Tombstone) {
                    continue;
                }
                let key = key_of(&item)?;
                let pointer: PointerItem = from_item(item, "a pointer")?;
                let ours = pointer.recipe_id.as_ref() == Some(recipe_id)
                    && match target {
                        ErasureTarget::Recipe { .. } => true,
                        ErasureTarget::Make { make_id, .. } => {
                            pointer.make_id.as_ref() == Some(make_id)
                        }
                    };
                if let Some(rejection_id) = &pointer.rejection_id {
                    gone.push(Key::Rejection(rejection_id).item());
                    removed.rejections += 1;
                } else if !ours {
                    continue;
                }
                gone.push(key);
            }
            self.delete_all(gone, "erasing what came from an object")
                .await?;
            if let Some(sequencer) = &tombstone.sequencer {
                self.raise_tombstone(&tombstone.object_id, sequencer, at)
                    .await?;
            }
        }

        // 2. Rejections of `recipes/` keys that name the recipe.
        if let ErasureTarget::Recipe { recipe_id } = target {
            let named: Vec<Item> = self
                .rejection_keys()
                .await?
                .into_iter()
                .filter(|r| r.object_key.as_deref().is_some_and(|k| names(k, recipe_id)))
                .map(|r| Key::Rejection(&r.rejection_id).item())
                .collect();
            removed.rejections += named.len() as u64;
            self.delete_all(named, "erasing the rejections of a recipe")
                .await?;
        }

        // 3. The records.
        match target {
            ErasureTarget::Recipe { .. } => {
                // Its entry among its parent's variants goes while the
                // recipe still names its parent.
                if let Some(parent) = self
                    .recipe_item(recipe_id)
                    .await?
                    .and_then(|recipe| recipe.variant_of().cloned())
                {
                    self.delete_all(
                        vec![Key::Variant(&parent.recipe_id, recipe_id).item()],
                        "erasing a variant's entry",
                    )
                    .await?;
                }
                self.delete_all(
                    vec![
                        Key::Recipe(recipe_id).item(),
                        Key::Directory(recipe_id).item(),
                    ],
                    "erasing a recipe",
                )
                .await?;
                // Only the keys are needed, but a projection names at
                // least one attribute.
                let items = self
                    .query_all(List::Recipe(recipe_id), &KeyPointerItem::PROJECTION)
                    .await?;
                let mut gone = Vec::new();
                for item in &items {
                    let sk = sort_key(item)?;
                    match Entry::of(sk) {
                        Some(Entry::Make) => removed.makes += 1,
                        Some(Entry::Version) => removed.versions += 1,
                        // Before its entry goes: a crash leaves it to be
                        // found again.
                        Some(Entry::Variant) => {
                            if let Some(variant) = variant_of_entry(sk) {
                                self.mark_parent_erased(&variant, recipe_id).await?;
                            }
                        }
                        _ => gone.extend(record_of_key_pointer(sk)),
                    }
                }
                self.delete_all(gone, "erasing a recipe's keys").await?;
                let all = items.iter().map(key_of).collect::<Result<Vec<_>, _>>()?;
                self.delete_all(all, "erasing a recipe's records").await?;
            }
            ErasureTarget::Make { make_id, .. } => {
                if self.erase_make(recipe_id, make_id, at).await? {
                    removed.makes = 1;
                }
                let mut gone = Vec::new();
                for item in self
                    .query_all(List::KeyPointers(recipe_id), &KeyPointerItem::PROJECTION)
                    .await?
                {
                    let sk = sort_key(&item)?.to_owned();
                    let key = key_of(&item)?;
                    let pointer: KeyPointerItem = from_item(item, "a key pointer")?;
                    if pointer.make_id() == Some(make_id) {
                        gone.extend(record_of_key_pointer(&sk));
                        gone.push(key);
                    }
                }
                self.delete_all(gone, "erasing a make's keys").await?;
            }
        }

        // 4. The marker.
        let marker = Key::Erasure(&ErasureItem::text(target)?).item();
        self.delete_all(vec![marker], "forgetting an erasure")
            .await?;
        Ok(removed)
    }

    /// Makes `variant` forget its parent, `parent`, keeping only that it
    /// was erased, on its `META` item and its directory entry; nothing when
    /// the variant is gone or names another parent.
    async fn mark_parent_erased(
        &self,
        variant: &RecipeId,
        parent: &RecipeId,
    ) -> Result<(), StoreError> {
        let mark = || {
            let mut expression = Expression::default();
            let variant_of = expression.name("variantOf");
            let erased = expression.name("parentErased");
            let id = expression.name("recipeId");
            let yes = expression.value("parentErased", AttributeValue::Bool(true));
            let parent = expression.value("parent", AttributeValue::S(parent.as_str().to_owned()));
            expression.text = format!("SET {erased} = {yes} REMOVE {variant_of}");
            let condition = format!("{variant_of}.{id} = {parent}");
            (expression, condition)
        };
        for key in [Key::Recipe(variant), Key::Directory(variant)] {
            let (expression, condition) = mark();
            let items = vec![self.update(key.item(), expression, Some(condition))?];
            // Cancelled: the variant is gone, or names another parent.
            self.transact("marking a variant's parent erased", items)
                .await?;
        }
        Ok(())
    }

    /// Removes a make and uncounts it; false when it is gone already.
    async fn erase_make(
        &self,
        recipe_id: &RecipeId,
        make_id: &MakeId,
        at: &str,
    ) -> Result<bool, StoreError> {
        for attempt in 0..WRITE_ATTEMPTS {
            backoff(attempt).await;
            let Some(make) = self.make_item(recipe_id, make_id).await? else {
                return Ok(false);
            };
            let [meta, directory] = self.count_make(recipe_id, -1, make.rating(), at)?;
            let tally = self.read_tally(recipe_id).await?;
            let mut items = vec![
                self.delete(
                    Key::Make(recipe_id, make_id).item(),
                    Some(Expression::condition(EXISTS)),
                )?,
                meta,
                directory,
                self.count_in_tally(recipe_id, tally, make.facts(), false)?,
            ];
            if let Some(tally) = make.tally() {
                items.push(self.count_on_version(recipe_id, -1, &tally)?);
            }
            if let Transaction::Committed = self.transact("erasing a make", items).await? {
                return Ok(true);
            }
        }
        Err(StoreError::Unavailable(format!(
            "erasing make {} of recipe {} lost {WRITE_ATTEMPTS} races; try again",
            logged(make_id.as_str()),
            logged(recipe_id.as_str())
        )))
    }

    /// Deletes every item of `keys`, a few per transaction; an item that is
    /// gone already is no error.
    async fn delete_all(&self, keys: Vec<Item>, doing: &str) -> Result<(), StoreError> {
        for chunk in keys.chunks(DELETES_PER_CALL) {
            let mut done = false;
            for attempt in 0..WRITE_ATTEMPTS {
                backoff(attempt).await;
                let items = chunk
                    .iter()
                    .map(|key| self.delete(key.clone(), None))
                    .collect::<Result<Vec<_>, _>>()?;
                if let Transaction::Committed = self.transact(doing, items).await? {
                    done = true;
                    break;
                }
            }
            if !done {
                return Err(StoreError::Unavailable(format!(
                    "{doing} lost {WRITE_ATTEMPTS} races; try again"
                )));
            }
        }
        Ok(())
    }

    /// [`shared::store::RecipeStore::pending_erasures`].
    pub(super) async fn erasures_under_way(&self) -> Result<Vec<ErasureTarget>, StoreError> {
        let erasures = self.read_all(List::Erasures, &[], "an erasure").await?;
        ErasureItem::targets(erasures)
    }
}
