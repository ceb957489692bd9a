//! Recipes and their versions: storing a version (unchanged, replayed, or
//! new under the optimistic lock on the recipe's versions), reading
//! versions and recipes, and the two items that every write to a recipe
//! keeps alike, its `META` item and its directory entry.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use serde::de::DeserializeOwned;
use shared::model::RecipeId;
// Ids and keys in error messages go by their pseudonyms: the messages are logged.
use shared::object_id::logged;
use shared::store::{
    IdempotencyKey, MakeTally, NewVersion, Page, PageRequest, RecipeSummary, StoreError,
    StoredVersion, VersionRef, VersionSummary, Written,
};

use super::DynamoStore;
use super::items::{
    Pointer, RecipeFields, RecipeItem, VariantEntry, VersionItem, VersionSummaryItem, variant_item,
    version_counter_adds,
};
use super::keys::{Key, List, Write};
use super::transact::{
    EXISTS, Expression, NOT_EXISTS, Transaction, WRITE_ATTEMPTS, backoff, number,
};

impl DynamoStore {
    /// [`shared::store::RecipeStore::put_version`].
    pub(super) async fn store_version(
        &self,
        version: &NewVersion,
    ) -> Result<Written<StoredVersion>, StoreError> {
        // Indexes of the idempotency records in the two transactions.
        const CHECKED_FIRST: usize = 0;
        const FIRST: usize = 3;
        let recipe_id = &version.recipe_id;
        let origin = version.origin.as_ref();
        for attempt in 0..WRITE_ATTEMPTS {
            backoff(attempt).await;
            let current = self.recipe_item(recipe_id).await?;
            // A withdrawn recipe has no current content to be unchanged
            // from: the same content again is a new version.
            if let Some(current) = current.as_ref().filter(|c| c.shows(&version.content_hash)) {
                // Recording the key even though nothing changes keeps a
                // later duplicate of this upload from becoming a version.
                let first = VersionRef {
                    recipe_id: recipe_id.clone(),
                    version: current.current_version(),
                };
                let mut check = Expression::default();
                let same = check.equals("currentVersion", number(current.current_version()));
                let withdrawn = check.name("withdrawn");
                let no = check.value("withdrawn", AttributeValue::Bool(false));
                check.text =
                    format!("{same} AND (attribute_not_exists({withdrawn}) OR {withdrawn} = {no})");
                let mut items = vec![
                    self.put_first(Write::Version, &version.key, &first, &version.at)?,
                    self.check(Key::Recipe(recipe_id).item(), check)?,
                    self.put_key_pointer(recipe_id, Write::Version, &version.key, None)?,
                ];
                let guard = self.guard(&mut items, origin, None)?;
                match self
                    .transact("storing an unchanged recipe version", items)
                    .await?
                {
                    Transaction::Committed => {
                        let stored = self
                            .version_item(recipe_id, current.current_version())
                            .await?;
                        return stored.map(Written::Unchanged).ok_or_else(|| {
                            StoreError::Internal(format!(
                                "the current version {} of recipe {} is missing",
                                current.current_version(),
                                logged(recipe_id.as_str())
                            ))
                        });
                    }
                    Transaction::Cancelled(cancelled) => {
                        self.refuse_if_deleted(&cancelled, guard, origin).await?;
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
                        logged(recipe_id.as_str())
                    ))
                })?,
                None => 1,
            };
            let stored = version.stored(number_of);
            // A recipe's parent comes with the write that creates it.
            let fields = match &current {
                Some(_) => RecipeFields::of_version(version, number_of),
                None => RecipeFields::of_new_recipe(version, number_of),
            };
            // The optimistic lock: this version follows the latest read above.
            let [meta, directory] = self.set_recipe(recipe_id, &fields, current.as_ref())?;
            let first = VersionRef {
                recipe_id: recipe_id.clone(),
                version: number_of,
            };
            let mut items = vec![
                self.put(
                    VersionItem::item(&stored, version.rating, origin)?,
                    Some(NOT_EXISTS),
                )?,
                meta,
                directory,
                self.put_first(Write::Version, &version.key, &first, &version.at)?,
                self.put_key_pointer(recipe_id, Write::Version, &version.key, None)?,
            ];
            if current.is_none()
                && let Some(parent) = &version.variant_of
            {
                // In the parent's partition, so that its variants are one
                // query away.
                items.push(self.put(variant_item(&parent.recipe_id, recipe_id), None)?);
            }
            let pointer = origin.map(|o| Pointer::version(recipe_id, number_of, o));
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
            logged(recipe_id.as_str())
        )))
    }

    /// [`shared::store::RecipeStore::version`].
    pub(super) async fn read_version(
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
            Some(recipe) => self.version_item(recipe_id, recipe.current_version()).await,
            None => Ok(None),
        }
    }

    /// [`shared::store::RecipeStore::version_head`]: the version's item
    /// without its document.
    pub(super) async fn read_version_head(
        &self,
        recipe_id: &RecipeId,
        version: u32,
    ) -> Result<Option<VersionSummary>, StoreError> {
        let item: Option<VersionSummaryItem> = self
            .get_projected(
                Key::Version(recipe_id, version),
                &VersionSummaryItem::PROJECTION,
            )
            .await?;
        Ok(item.map(VersionSummaryItem::into_summary))
    }

    /// [`shared::store::RecipeStore::recipes`].
    pub(super) async fn list_recipes(
        &self,
        page: &PageRequest,
    ) -> Result<Page<RecipeSummary>, StoreError> {
        let page: Page<RecipeItem> = self.page(List::Recipes, page, &[]).await?;
        Ok(page.map(RecipeItem::into_summary))
    }

    /// [`shared::store::RecipeStore::recipe_summary`].
    pub(super) async fn read_recipe_summary(
        &self,
        recipe_id: &RecipeId,
    ) -> Result<Option<RecipeSummary>, StoreError> {
        Ok(self
            .recipe_item(recipe_id)
            .await?
            .map(RecipeItem::into_summary))
    }

    /// [`shared::store::RecipeStore::versions`].
    pub(super) async fn list_versions(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<VersionSummary>>, StoreError> {
        let page: Option<Page<VersionSummaryItem>> = self
            .recipe_page(
                List::Versions(recipe_id),
                recipe_id,
                page,
                &VersionSummaryItem::PROJECTION,
            )
            .await?;
        Ok(page.map(|page| page.map(VersionSummaryItem::into_summary)))
    }

    /// [`shared::store::RecipeStore::variants`]: the entries in the
    /// recipe's partition, one per variant, by id.
    pub(super) async fn list_variants(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<RecipeId>>, StoreError> {
        let page: Option<Page<VariantEntry>> = self
            .recipe_page(List::Variants(recipe_id), recipe_id, page, &["variantId"])
            .await?;
        Ok(page.map(|page| page.map(|entry| entry.variant_id)))
    }

    pub(super) async fn recipe_item(
        &self,
        recipe_id: &RecipeId,
    ) -> Result<Option<RecipeItem>, StoreError> {
        self.get(Key::Recipe(recipe_id)).await
    }

    async fn version_item(
        &self,
        recipe_id: &RecipeId,
        version: u32,
    ) -> Result<Option<StoredVersion>, StoreError> {
        let item: Option<VersionItem> = self.get(Key::Version(recipe_id, version)).await?;
        Ok(item.map(VersionItem::into_stored))
    }

    /// The stored version a version write's key first led to.
    async fn replayed_version(
        &self,
        key: &IdempotencyKey,
    ) -> Result<Option<StoredVersion>, StoreError> {
        let Some(first) = self.first_result::<VersionRef>(Write::Version, key).await? else {
            return Ok(None);
        };
        let stored = self.version_item(&first.recipe_id, first.version).await?;
        stored.map(Some).ok_or_else(|| {
            StoreError::Internal(format!(
                "key {} names version {} of recipe {}, which is missing",
                logged(key.as_str()),
                first.version,
                logged(first.recipe_id.as_str())
            ))
        })
    }

    /// A page of `list`, one of the recipe's lists, or `None` when the
    /// recipe is unknown.
    pub(super) async fn recipe_page<T: DeserializeOwned>(
        &self,
        list: List<'_>,
        recipe_id: &RecipeId,
        request: &PageRequest,
        projection: &[&str],
    ) -> Result<Option<Page<T>>, StoreError> {
        let page = self.page(list, request, projection).await?;
        // Only an empty page needs the recipe looked up: any item in the
        // partition proves that it exists.
        if page.items.is_empty() && self.recipe_item(recipe_id).await?.is_none() {
            return Ok(None);
        }
        Ok(Some(page))
    }

    /// Sets `fields` on the recipe and on its directory entry, under the
    /// optimistic lock on its versions as `read` shows them (without
    /// `read`, on condition that the recipe does not exist).
    pub(super) fn set_recipe(
        &self,
        recipe_id: &RecipeId,
        fields: &RecipeFields<'_>,
        read: Option<&RecipeItem>,
    ) -> Result<[TransactWriteItem; 2], StoreError> {
        let fields = fields.attributes()?;
        let mut meta = Expression::set_all(fields.clone());
        let lock = match read {
            Some(recipe) => version_lock(&mut meta, recipe),
            None => NOT_EXISTS.to_owned(),
        };
        Ok([
            self.update(Key::Recipe(recipe_id).item(), meta, Some(lock))?,
            self.update(
                Key::Directory(recipe_id).item(),
                Expression::set_all(fields),
                None,
            )?,
        ])
    }

    /// Counts a make rated `rating` on its recipe, or uncounts it (`by` is
    /// 1 or -1), at `at`: the updates of its `META` item, on condition that
    /// it exists, and of its directory entry.
    pub(super) fn count_make(
        &self,
        recipe_id: &RecipeId,
        by: i32,
        rating: Option<f64>,
        at: &str,
    ) -> Result<[TransactWriteItem; 2], StoreError> {
        let counters = || make_counters(by, rating, at);
        Ok([
            self.update(
                Key::Recipe(recipe_id).item(),
                counters(),
                Some(EXISTS.to_owned()),
            )?,
            self.update(Key::Directory(recipe_id).item(), counters(), None)?,
        ])
    }

    /// Counts a make tallied `tally` on its version, or uncounts it (`by`
    /// is 1 or -1): the update of the version's item, on condition that it
    /// exists.
    pub(super) fn count_on_version(
        &self,
        recipe_id: &RecipeId,
        by: i32,
        tally: &MakeTally,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut version = Expression::default();
        let adds = version_counter_adds(by, tally).map(|(attribute, amount)| {
            format!(
                "{} {}",
                version.name(attribute),
                version.value(attribute, number(amount))
            )
        });
        version.text = format!("ADD {}", adds.join(", "));
        self.update(
            Key::Version(recipe_id, tally.version).item(),
            version,
            Some(EXISTS.to_owned()),
        )
    }
}

/// The optimistic lock of a write that depends on a recipe's versions as
/// `recipe` shows them: no version was added since. (Items written before
/// deletion followed the bucket have no `latestVersion`: their current
/// version is their latest.)
fn version_lock(expression: &mut Expression, recipe: &RecipeItem) -> String {
    match recipe.stored_latest() {
        Some(latest) => expression.equals("latestVersion", number(latest)),
        None => format!(
            "attribute_not_exists({}) AND {}",
            expression.name("latestVersion"),
            expression.equals("currentVersion", number(recipe.current_version()))
        ),
    }
}

/// The update of a recipe's make counters (`makeCount`, `ratedCount`,
/// `ratingSum`) and `updatedAt` when a make rated `rating` is added
/// (`by` = 1) or removed (`by` = -1) at `at`.
fn make_counters(by: i32, rating: Option<f64>, at: &str) -> Expression {
    let mut expression = Expression::default();
    let (rated, rating) = match rating {
        Some(rating) => (1, rating),
        None => (0, 0.0),
    };
    let adds = [
        ("makeCount", number(by)),
        ("ratedCount", number(by * rated)),
        ("ratingSum", number(f64::from(by) * rating)),
    ]
    .map(|(attribute, value)| {
        format!(
            "{} {}",
            expression.name(attribute),
            expression.value(attribute, value)
        )
    });
    let set = format!(
        "{} = {}",
        expression.name("updatedAt"),
        expression.value("updatedAt", AttributeValue::S(at.to_owned()))
    );
    expression.text = format!("ADD {} SET {set}", adds.join(", "));
    expression
}
