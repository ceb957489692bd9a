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

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters as _;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
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

use super::{
    Cursor, IdempotencyKey, MakeRef, MakeSummary, NewMake, NewRejection, NewVersion, Page,
    PageRequest, RecipeStore, RecipeSummary, StoreError, StoredMake, StoredRejection,
    StoredVersion, VersionSummary, Written, rejection_id,
};
use crate::diff::round4;
use crate::insights::MakeFacts;
use crate::model::{MakeId, RecipeId};

/// An item or a key, as the SDK takes it.
type Item = HashMap<String, AttributeValue>;

const RECIPE_PREFIX: &str = "RECIPE#";
const META_SK: &str = "META";
const VERSION_PREFIX: &str = "VERSION#";
const MAKE_PREFIX: &str = "MAKE#";
const DIRECTORY_PK: &str = "RECIPES";
const REJECTIONS_PK: &str = "REJECTIONS";
const REJECTION_PREFIX: &str = "REJ#";
const IDEMPOTENCY_PREFIX: &str = "IDEM#";

// Idempotency records are kept per kind of write (in the sort key), as the
// SQLite store does, so a key reused across kinds cannot make one write
// return another kind's result.
const VERSION_WRITE: &str = "version";
const MAKE_WRITE: &str = "make";
const REJECTION_WRITE: &str = "rejection";

/// How long an idempotency record is kept: well beyond SQS's longest
/// retention (14 days), so no redelivery outlives its record.
const IDEMPOTENCY_TTL: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// DynamoDB refuses items larger than this.
const ITEM_LIMIT: usize = 400 * 1024;

/// How many times a write is tried when concurrent writes to the same
/// recipe keep winning the race.
const WRITE_ATTEMPTS: u32 = 10;

/// The recipe store in one DynamoDB table.
///
/// The table has a string partition key `pk` and a string sort key `sk`,
/// on-demand billing, no secondary indexes, and time to live on `expiresAt`:
///
/// | item | `pk` | `sk` | attributes |
/// |---|---|---|---|
/// | a recipe | `RECIPE#<id>` | `META` | `recipeId`, `name`, `currentVersion`, `rating`, `contentHash`, `makeCount`, `ratingSum`, `ratedCount`, `updatedAt` |
/// | a version | `RECIPE#<id>` | `VERSION#<n, 10 digits>` | `recipeId`, `version`, `name`, `rating`, `contentHash`, `createdAt`, `document` (JSON text) |
/// | a make | `RECIPE#<id>` | `MAKE#<makeId>` | `recipeId`, `makeId`, `version`, `madeAt`, `notes`, `rating`, `createdAt`, `contentHash`, `scaleFactor`; `document`, `diff`, `facts`, `summary` (JSON text) |
/// | the recipe directory | `RECIPES` | `RECIPE#<id>` | as the recipe's `META` item |
/// | a rejection | `REJECTIONS` | `REJ#<rejectionId>` | the [`StoredRejection`] fields |
/// | an idempotency record | `IDEM#<key>` | `IDEM#<version\|make\|rejection>` | `first` (what the first write returned), `createdAt`, `expiresAt` (epoch seconds, 30 days on) |
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

    /// Creates the table as [`DynamoStore`] describes it, unless it exists,
    /// and waits until it is active: for tests and local tools (production
    /// tables come from `template.yaml`).
    pub async fn create_table(client: &Client, name: &str) -> Result<(), StoreError> {
        let attribute = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(build_error)
        };
        let schema = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .map_err(build_error)
        };
        let created = client
            .create_table()
            .table_name(name)
            .attribute_definitions(attribute("pk")?)
            .attribute_definitions(attribute("sk")?)
            .key_schema(schema("pk", KeyType::Hash)?)
            .key_schema(schema("sk", KeyType::Range)?)
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await;
        let created = match created {
            Ok(_) => true,
            Err(err)
                if matches!(
                    err.as_service_error(),
                    Some(CreateTableError::ResourceInUseException(_))
                ) =>
            {
                false
            }
            Err(err) => return Err(sdk_error(&format!("creating table {name}"), err)),
        };
        client
            .wait_until_table_exists()
            .table_name(name)
            .wait(Duration::from_secs(300))
            .await
            .map_err(|e| {
                StoreError::Unavailable(format!(
                    "waiting for table {name} to become active: {}",
                    DisplayErrorContext(&e)
                ))
            })?;
        if created {
            let ttl = TimeToLiveSpecification::builder()
                .attribute_name("expiresAt")
                .enabled(true)
                .build()
                .map_err(build_error)?;
            client
                .update_time_to_live()
                .table_name(name)
                .time_to_live_specification(ttl)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("enabling time to live on table {name}"), e))?;
        }
        Ok(())
    }

    async fn get<T: DeserializeOwned>(
        &self,
        key: Item,
        what: &str,
    ) -> Result<Option<T>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            // Read-your-writes, as the SQLite store gives: a client that
            // has just written must see it.
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading {what}"), e))?;
        output.item.map(|item| from_item(item, what)).transpose()
    }

    async fn recipe_item(&self, recipe_id: &RecipeId) -> Result<Option<RecipeItem>, StoreError> {
        self.get(item_key(recipe_pk(recipe_id), META_SK), "a recipe")
            .await
    }

    async fn version_item(
        &self,
        recipe_id: &RecipeId,
        version: u32,
    ) -> Result<Option<StoredVersion>, StoreError> {
        let item: Option<VersionItem> = self
            .get(
                item_key(recipe_pk(recipe_id), version_sk(version)),
                "a recipe version",
            )
            .await?;
        Ok(item.map(VersionItem::into_stored))
    }

    async fn make_item(
        &self,
        recipe_id: &RecipeId,
        make_id: &MakeId,
    ) -> Result<Option<MakeItem>, StoreError> {
        self.get(item_key(recipe_pk(recipe_id), make_sk(make_id)), "a make")
            .await
    }

    /// The first result recorded under `key` for a write of `kind`.
    async fn first_result<T: DeserializeOwned>(
        &self,
        kind: &str,
        key: &IdempotencyKey,
    ) -> Result<Option<T>, StoreError> {
        let record: Option<IdempotencyRecord<T>> = self
            .get(idempotency_key(kind, key), "an idempotency record")
            .await?;
        Ok(record.map(|r| r.first))
    }

    /// The stored version a version write's key first led to.
    async fn replayed_version(
        &self,
        key: &IdempotencyKey,
    ) -> Result<Option<StoredVersion>, StoreError> {
        let Some(first) = self.first_result::<VersionRef>(VERSION_WRITE, key).await? else {
            return Ok(None);
        };
        let stored = self.version_item(&first.recipe_id, first.version).await?;
        stored.map(Some).ok_or_else(|| {
            StoreError::Internal(format!(
                "key {} names version {} of recipe {}, which is missing",
                key.as_str(),
                first.version,
                first.recipe_id
            ))
        })
    }

    /// The stored rejection a rejection write's key first led to.
    async fn replayed_rejection(
        &self,
        key: &IdempotencyKey,
    ) -> Result<Option<StoredRejection>, StoreError> {
        let Some(first) = self
            .first_result::<RejectionRef>(REJECTION_WRITE, key)
            .await?
        else {
            return Ok(None);
        };
        let stored: Option<StoredRejection> = self
            .get(
                item_key(REJECTIONS_PK, rejection_sk(&first.rejection_id)),
                "a rejection",
            )
            .await?;
        stored.map(Some).ok_or_else(|| {
            StoreError::Internal(format!(
                "key {} names rejection {}, which is missing",
                key.as_str(),
                first.rejection_id
            ))
        })
    }

    fn put(&self, item: Item, condition: Option<&str>) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(str::to_owned))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Puts the idempotency record of a write, unless the key has one.
    fn put_first<T: Serialize>(
        &self,
        kind: &str,
        key: &IdempotencyKey,
        first: &T,
        at: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        self.put(idempotency_item(kind, key, first, at)?, Some(NOT_EXISTS))
    }

    fn update(
        &self,
        key: Item,
        expression: Expression,
        condition: Option<String>,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression(expression.text)
            .set_condition_expression(condition)
            .set_expression_attribute_names(Some(expression.names.into_iter().collect()))
            .set_expression_attribute_values(Some(expression.values.into_iter().collect()))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// One `TransactWriteItems` call, with its cancellation explained.
    async fn transact(
        &self,
        doing: &str,
        items: Vec<TransactWriteItem>,
    ) -> Result<Transaction, StoreError> {
        let count = items.len();
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        let err = match result {
            Ok(_) => return Ok(Transaction::Committed),
            Err(err) => err,
        };
        let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
            err.as_service_error()
        else {
            return Err(sdk_error(doing, err));
        };
        let codes: Vec<&str> = cancelled
            .cancellation_reasons()
            .iter()
            .map(|reason| reason.code().unwrap_or("None"))
            .collect();
        if codes.contains(&"TransactionConflict") {
            // Another transaction held one of the items: DynamoDB's way of
            // losing a race, to be retried like one.
            return Ok(Transaction::Cancelled(Cancelled::unknown()));
        }
        if codes.iter().any(|c| {
            matches!(
                *c,
                "ThrottlingError" | "ProvisionedThroughputExceeded" | "RequestLimitExceeded"
            )
        }) {
            return Err(StoreError::Unavailable(format!(
                "{doing}: {}",
                DisplayErrorContext(&err)
            )));
        }
        if codes
            .iter()
            .any(|c| !matches!(*c, "None" | "ConditionalCheckFailed"))
        {
            return Err(StoreError::Internal(format!(
                "{doing}: {}",
                DisplayErrorContext(&err)
            )));
        }
        let failed: Vec<bool> = codes
            .iter()
            .map(|c| *c == "ConditionalCheckFailed")
            .collect();
        // Without one reason per item, or with none that failed, the reasons
        // explain nothing: the callers read the items instead.
        let known = failed.len() == count && failed.contains(&true);
        Ok(Transaction::Cancelled(Cancelled {
            failed: known.then_some(failed),
        }))
    }

    /// One page of `list`.
    async fn page<T: DeserializeOwned>(
        &self,
        list: List<'_>,
        request: &PageRequest,
        projection: &[&str],
    ) -> Result<Page<T>, StoreError> {
        let limit = request.limit.clamp(1, super::MAX_PAGE) as usize;
        let start = request
            .cursor
            .as_ref()
            .map(|cursor| start_key(cursor, &list))
            .transpose()?;
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_names("#sk", "sk")
            .expression_attribute_values(":pk", AttributeValue::S(list.pk.to_owned()))
            .expression_attribute_values(":prefix", AttributeValue::S(list.prefix.to_owned()))
            .scan_index_forward(list.forward)
            // One more than a page tells whether another page follows, so
            // that the last page has no cursor.
            .limit(i32::try_from(limit + 1).unwrap_or(i32::MAX))
            .consistent_read(true)
            .set_exclusive_start_key(start);
        if !projection.is_empty() {
            let mut placeholders = vec!["#pk".to_owned(), "#sk".to_owned()];
            for attribute in projection {
                let placeholder = format!("#{attribute}");
                query = query.expression_attribute_names(&placeholder, *attribute);
                placeholders.push(placeholder);
            }
            query = query.projection_expression(placeholders.join(", "));
        }
        let output = query
            .send()
            .await
            .map_err(|e| sdk_error(&format!("listing {}", list.what), e))?;
        let mut items = output.items.unwrap_or_default();
        let next = if items.len() > limit {
            items.truncate(limit);
            items
                .last()
                .map(|item| cursor_of(item, list.what))
                .transpose()?
        } else {
            // Fewer than asked for, yet more to read: DynamoDB stopped at
            // its 1 MB page size.
            output
                .last_evaluated_key
                .map(|key| cursor_of(&key, list.what))
                .transpose()?
        };
        let items = items
            .into_iter()
            .map(|item| from_item(item, list.what))
            .collect::<Result<Vec<T>, _>>()?;
        Ok(Page {
            items,
            next_cursor: next,
        })
    }

    /// A page of one recipe's items, or `None` when the recipe is unknown.
    async fn recipe_page<T: DeserializeOwned>(
        &self,
        recipe_id: &RecipeId,
        list: List<'_>,
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

    /// Records `key` as leading to an existing make (a deliberate re-upload
    /// of the same make), and returns what the key leads to.
    async fn record_make_key(
        &self,
        make: &NewMake,
        existing: MakeRef,
    ) -> Result<MakeRef, StoreError> {
        let item = idempotency_item(MAKE_WRITE, &make.key, &existing, &make.at)?;
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
                let first = self.first_result(MAKE_WRITE, &make.key).await?;
                Ok(first.unwrap_or(existing))
            }
            Err(err) => Err(sdk_error("recording a make's idempotency key", err)),
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
            if let Some(current) = current
                .as_ref()
                .filter(|c| c.content_hash == version.content_hash)
            {
                // Recording the key even though nothing changes keeps a
                // later duplicate of this upload from becoming a version.
                let first = VersionRef {
                    recipe_id: version.recipe_id.clone(),
                    version: current.current_version,
                };
                let mut check = Expression::default();
                let condition = check.equals("currentVersion", number(current.current_version));
                let check = ConditionCheck::builder()
                    .table_name(&self.table)
                    .set_key(Some(item_key(pk.clone(), META_SK)))
                    .condition_expression(condition)
                    .set_expression_attribute_names(Some(check.names.into_iter().collect()))
                    .set_expression_attribute_values(Some(check.values.into_iter().collect()))
                    .build()
                    .map_err(build_error)?;
                let items = vec![
                    self.put_first(VERSION_WRITE, &version.key, &first, &version.at)?,
                    TransactWriteItem::builder().condition_check(check).build(),
                ];
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
                                current.current_version, version.recipe_id
                            ))
                        });
                    }
                    Transaction::Cancelled(cancelled) => {
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

            let number_of = match &current {
                Some(c) => c.current_version.checked_add(1).ok_or_else(|| {
                    StoreError::Internal(format!(
                        "recipe {} has run out of version numbers",
                        version.recipe_id
                    ))
                })?,
                None => 1,
            };
            let stored = StoredVersion {
                recipe_id: version.recipe_id.clone(),
                version: number_of,
                name: version.name.clone(),
                content_hash: version.content_hash.clone(),
                created_at: version.at.clone(),
                document: version.document.clone(),
            };
            let fields = to_item(
                &RecipeFields {
                    recipe_id: &version.recipe_id,
                    name: &version.name,
                    current_version: number_of,
                    rating: version.rating,
                    content_hash: &version.content_hash,
                    updated_at: &version.at,
                },
                "a recipe",
            )?;
            let mut meta = Expression::set_all(fields.clone());
            // The optimistic lock: this version follows the one read above.
            let condition = match &current {
                Some(c) => meta.equals("currentVersion", number(c.current_version)),
                None => NOT_EXISTS.to_owned(),
            };
            let version_item = with_key(
                to_item(
                    &VersionItem::from_stored(&stored, version.rating),
                    "a recipe version",
                )?,
                pk.clone(),
                version_sk(number_of),
            );
            let first = VersionRef {
                recipe_id: version.recipe_id.clone(),
                version: number_of,
            };
            let items = vec![
                self.put(version_item, Some(NOT_EXISTS))?,
                self.update(item_key(pk.clone(), META_SK), meta, Some(condition))?,
                self.update(
                    item_key(DIRECTORY_PK, pk.clone()),
                    Expression::set_all(fields),
                    None,
                )?,
                self.put_first(VERSION_WRITE, &version.key, &first, &version.at)?,
            ];
            match self.transact("storing a recipe version", items).await? {
                Transaction::Committed => return Ok(Written::Created(stored)),
                Transaction::Cancelled(cancelled) => {
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
            version.recipe_id
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
        let list = List {
            pk: DIRECTORY_PK,
            prefix: RECIPE_PREFIX,
            forward: true,
            what: "recipes",
        };
        let page: Page<RecipeItem> = self.page(list, page, &[]).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(RecipeItem::into_summary)
                .collect(),
            next_cursor: page.next_cursor,
        })
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
        let pk = recipe_pk(recipe_id);
        let list = List {
            pk: &pk,
            prefix: VERSION_PREFIX,
            forward: true,
            what: "recipe versions",
        };
        self.recipe_page(
            recipe_id,
            list,
            page,
            &["version", "name", "contentHash", "createdAt"],
        )
        .await
    }

    async fn put_make(&self, make: &NewMake) -> Result<Written<MakeRef>, StoreError> {
        const MAKE: usize = 0;
        const FIRST: usize = 1;
        const META: usize = 2;
        let pk = recipe_pk(&make.recipe_id);
        let made = MakeRef {
            recipe_id: make.recipe_id.clone(),
            make_id: make.make_id.clone(),
            version: make.version,
        };
        let make_item = with_key(
            to_item(&MakeItem::from_new(make), "a make")?,
            pk.clone(),
            make_sk(&make.make_id),
        );
        let size = item_size(&make_item);
        if size > ITEM_LIMIT {
            return Err(StoreError::Internal(format!(
                "make item is {size} bytes, over the 400 KB item limit"
            )));
        }
        let counters = |updated: &str| {
            let mut expression = Expression::default();
            let (rated, rating) = match make.rating {
                Some(rating) => (1, rating),
                None => (0, 0.0),
            };
            let adds = [
                ("makeCount", number(1)),
                ("ratedCount", number(rated)),
                ("ratingSum", number(rating)),
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
                expression.value("updatedAt", AttributeValue::S(updated.to_owned()))
            );
            expression.text = format!("ADD {} SET {set}", adds.join(", "));
            expression
        };

        for attempt in 0..WRITE_ATTEMPTS {
            backoff(attempt).await;
            let items = vec![
                self.put(make_item.clone(), Some(NOT_EXISTS))?,
                self.put_first(MAKE_WRITE, &make.key, &made, &make.at)?,
                // A make of an unknown recipe must fail as a whole, so that
                // its key is not burned and a retry can succeed later.
                self.update(
                    item_key(pk.clone(), META_SK),
                    counters(&make.at),
                    Some(EXISTS.to_owned()),
                )?,
                self.update(item_key(DIRECTORY_PK, pk.clone()), counters(&make.at), None)?,
            ];
            let Transaction::Cancelled(cancelled) = self.transact("storing a make", items).await?
            else {
                return Ok(Written::Created(made));
            };
            if cancelled.may_have_failed(FIRST)
                && let Some(first) = self.first_result::<MakeRef>(MAKE_WRITE, &make.key).await?
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
                    self.record_make_key(make, existing).await?,
                ));
            }
            // Nothing explains the cancellation but a race with another
            // transaction on these items: try again.
        }
        Err(StoreError::Unavailable(format!(
            "make {} of recipe {} lost {WRITE_ATTEMPTS} races with other writes; try again",
            make.make_id, make.recipe_id
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
        let pk = recipe_pk(recipe_id);
        let list = List {
            pk: &pk,
            prefix: MAKE_PREFIX,
            forward: true,
            what: "makes",
        };
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
        let page: Option<Page<MakeSummaryItem>> =
            self.recipe_page(recipe_id, list, page, &projection).await?;
        Ok(page.map(|page| Page {
            items: page
                .items
                .into_iter()
                .map(MakeSummaryItem::into_summary)
                .collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn make_facts(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<MakeFacts>>, StoreError> {
        let pk = recipe_pk(recipe_id);
        let list = List {
            pk: &pk,
            prefix: MAKE_PREFIX,
            forward: true,
            what: "make facts",
        };
        let page: Option<Page<FactsItem>> =
            self.recipe_page(recipe_id, list, page, &["facts"]).await?;
        Ok(page.map(|page| Page {
            items: page.items.into_iter().map(|item| item.facts).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn put_rejection(
        &self,
        rejection: &NewRejection,
    ) -> Result<Written<StoredRejection>, StoreError> {
        const FIRST: usize = 1;
        let stored = StoredRejection {
            rejection_id: rejection_id(&rejection.at, &rejection.key),
            object_key: rejection.object_key.clone(),
            kind: rejection.kind.clone(),
            code: rejection.code.clone(),
            message: rejection.message.clone(),
            path: rejection.path.clone(),
            created_at: rejection.at.clone(),
        };
        let sk = rejection_sk(&stored.rejection_id);
        let item = with_key(to_item(&stored, "a rejection")?, REJECTIONS_PK, sk.clone());
        let first = RejectionRef {
            rejection_id: stored.rejection_id.clone(),
        };
        for attempt in 0..WRITE_ATTEMPTS {
            backoff(attempt).await;
            let items = vec![
                self.put(item.clone(), Some(NOT_EXISTS))?,
                self.put_first(REJECTION_WRITE, &rejection.key, &first, &rejection.at)?,
            ];
            let Transaction::Cancelled(cancelled) =
                self.transact("storing a rejection", items).await?
            else {
                return Ok(Written::Created(stored));
            };
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
        let list = List {
            pk: REJECTIONS_PK,
            prefix: REJECTION_PREFIX,
            forward: false,
            what: "rejections",
        };
        self.page(list, page, &[]).await
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

const NOT_EXISTS: &str = "attribute_not_exists(pk)";
const EXISTS: &str = "attribute_exists(pk)";

/// What a `TransactWriteItems` call did.
enum Transaction {
    Committed,
    Cancelled(Cancelled),
}

/// Which of a cancelled transaction's items had a condition fail, when the
/// cancellation reasons say.
struct Cancelled {
    failed: Option<Vec<bool>>,
}

impl Cancelled {
    fn unknown() -> Self {
        Self { failed: None }
    }

    /// Whether item `index`'s condition failed; `None` when unknown.
    fn failed(&self, index: usize) -> Option<bool> {
        self.failed
            .as_ref()
            .map(|f| f.get(index).copied().unwrap_or(false))
    }

    fn may_have_failed(&self, index: usize) -> bool {
        self.failed(index).unwrap_or(true)
    }
}

/// Which list a page is read from.
struct List<'a> {
    pk: &'a str,
    prefix: &'a str,
    forward: bool,
    /// For messages.
    what: &'a str,
}

/// An update or condition expression with its placeholders.
#[derive(Default)]
struct Expression {
    text: String,
    names: BTreeMap<String, String>,
    values: BTreeMap<String, AttributeValue>,
}

impl Expression {
    /// `SET` of every attribute of `fields`.
    fn set_all(fields: Item) -> Self {
        let mut expression = Self::default();
        let fields: BTreeMap<_, _> = fields.into_iter().collect();
        let clauses: Vec<String> = fields
            .into_iter()
            .map(|(attribute, value)| {
                format!(
                    "{} = {}",
                    expression.name(&attribute),
                    expression.value(&attribute, value)
                )
            })
            .collect();
        expression.text = format!("SET {}", clauses.join(", "));
        expression
    }

    /// The placeholder of an attribute name (some, like `name`, are
    /// reserved words).
    fn name(&mut self, attribute: &str) -> String {
        let placeholder = format!("#{attribute}");
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    fn value(&mut self, attribute: &str, value: AttributeValue) -> String {
        let placeholder = format!(":{attribute}");
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// A condition that `attribute` equals `value`.
    fn equals(&mut self, attribute: &str, value: AttributeValue) -> String {
        let name = self.name(attribute);
        let placeholder = format!(":expected{attribute}");
        self.values.insert(placeholder.clone(), value);
        format!("{name} = {placeholder}")
    }
}

/// The fields a version write sets on the recipe and its directory entry.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RecipeFields<'a> {
    recipe_id: &'a RecipeId,
    name: &'a str,
    current_version: u32,
    // Written as NULL when absent, so that a version without a rating
    // clears the previous version's.
    rating: Option<f64>,
    content_hash: &'a str,
    updated_at: &'a str,
}

/// A recipe's `META` item, or its directory entry.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecipeItem {
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
}

impl RecipeItem {
    fn into_summary(self) -> RecipeSummary {
        RecipeSummary {
            recipe_id: self.recipe_id,
            name: self.name,
            current_version: self.current_version,
            rating: self.rating,
            make_count: self.make_count,
            average_make_rating: (self.rated_count > 0)
                .then(|| round4(self.rating_sum / self.rated_count as f64)),
            updated_at: self.updated_at,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionItem {
    recipe_id: RecipeId,
    version: u32,
    name: String,
    rating: Option<f64>,
    content_hash: String,
    created_at: String,
    #[serde(with = "json_text")]
    document: Value,
}

impl VersionItem {
    fn from_stored(stored: &StoredVersion, rating: Option<f64>) -> Self {
        Self {
            recipe_id: stored.recipe_id.clone(),
            version: stored.version,
            name: stored.name.clone(),
            rating,
            content_hash: stored.content_hash.clone(),
            created_at: stored.created_at.clone(),
            document: stored.document.clone(),
        }
    }

    fn into_stored(self) -> StoredVersion {
        StoredVersion {
            recipe_id: self.recipe_id,
            version: self.version,
            name: self.name,
            content_hash: self.content_hash,
            created_at: self.created_at,
            document: self.document,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MakeItem {
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
    summary: Value,
    #[serde(with = "json_text")]
    document: Value,
    #[serde(with = "json_text")]
    diff: Value,
    #[serde(with = "json_text")]
    facts: MakeFacts,
}

impl MakeItem {
    fn from_new(make: &NewMake) -> Self {
        Self {
            recipe_id: make.recipe_id.clone(),
            make_id: make.make_id.clone(),
            version: make.version,
            made_at: make.made_at.clone(),
            notes: make.notes.clone(),
            rating: make.rating,
            created_at: make.at.clone(),
            content_hash: make.content_hash.clone(),
            scale_factor: make.facts.scale_factor,
            // Kept apart from the diff so that a list of makes does not
            // read every diff whole.
            summary: make.diff.get("summary").cloned().unwrap_or(Value::Null),
            document: make.document.clone(),
            diff: make.diff.clone(),
            facts: make.facts.clone(),
        }
    }

    fn into_stored(self) -> StoredMake {
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
        }
    }
}

/// The attributes of a make that a list shows.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MakeSummaryItem {
    make_id: MakeId,
    version: u32,
    made_at: Option<String>,
    created_at: String,
    rating: Option<f64>,
    #[serde(with = "json_text")]
    summary: Value,
    scale_factor: Option<f64>,
}

impl MakeSummaryItem {
    fn into_summary(self) -> MakeSummary {
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

#[derive(Deserialize)]
struct FactsItem {
    #[serde(with = "json_text")]
    facts: MakeFacts,
}

/// An idempotency record: what the first write with a key returned.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdempotencyRecord<T> {
    first: T,
    created_at: String,
    /// Epoch seconds, for DynamoDB's time to live.
    expires_at: u64,
}

/// What a version write's idempotency record points at; versions never
/// change once stored, so the first result can be read back from it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionRef {
    recipe_id: RecipeId,
    version: u32,
}

/// What a rejection write's idempotency record points at.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RejectionRef {
    rejection_id: String,
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

fn recipe_pk(recipe_id: &RecipeId) -> String {
    format!("{RECIPE_PREFIX}{recipe_id}")
}

/// Zero-padded so that versions sort by number.
fn version_sk(version: u32) -> String {
    format!("{VERSION_PREFIX}{version:010}")
}

fn make_sk(make_id: &MakeId) -> String {
    format!("{MAKE_PREFIX}{make_id}")
}

fn rejection_sk(rejection_id: &str) -> String {
    format!("{REJECTION_PREFIX}{rejection_id}")
}

fn item_key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(pk.into())),
        ("sk".to_owned(), AttributeValue::S(sk.into())),
    ])
}

fn idempotency_key(kind: &str, key: &IdempotencyKey) -> Item {
    item_key(
        format!("{IDEMPOTENCY_PREFIX}{}", key.as_str()),
        format!("{IDEMPOTENCY_PREFIX}{kind}"),
    )
}

fn idempotency_item<T: Serialize>(
    kind: &str,
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
    let mut item = to_item(&record, "an idempotency record")?;
    item.extend(idempotency_key(kind, key));
    Ok(item)
}

fn with_key(mut item: Item, pk: impl Into<String>, sk: impl Into<String>) -> Item {
    item.extend(item_key(pk, sk));
    item
}

fn to_item<T: Serialize>(value: &T, what: &str) -> Result<Item, StoreError> {
    serde_dynamo::to_item(value)
        .map_err(|e| StoreError::Internal(format!("cannot write {what} as an item: {e}")))
}

fn from_item<T: DeserializeOwned>(item: Item, what: &str) -> Result<T, StoreError> {
    serde_dynamo::from_item(item)
        .map_err(|e| StoreError::Internal(format!("{what} in the table is unreadable: {e}")))
}

fn number(value: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(value.to_string())
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

/// Where a page starts, from a cursor this list handed out.
fn start_key(cursor: &Cursor, list: &List<'_>) -> Result<Item, StoreError> {
    let position = cursor.decode()?;
    let Some(object) = position.as_object().filter(|o| o.len() == 2) else {
        return Err(StoreError::InvalidCursor);
    };
    let (Some(Value::String(pk)), Some(Value::String(sk))) = (object.get("pk"), object.get("sk"))
    else {
        return Err(StoreError::InvalidCursor);
    };
    if pk != list.pk || !sk.starts_with(list.prefix) {
        return Err(StoreError::InvalidCursor);
    }
    Ok(item_key(pk.as_str(), sk.as_str()))
}

/// The cursor that continues a list after `item`.
fn cursor_of(item: &Item, what: &str) -> Result<Cursor, StoreError> {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok());
    match (text("pk"), text("sk")) {
        (Some(pk), Some(sk)) => Ok(Cursor::encode(&json!({"pk": pk, "sk": sk}))),
        _ => Err(StoreError::Internal(format!(
            "an item in {what} has no string key"
        ))),
    }
}

/// Waits before another attempt at a write that lost a race: a little
/// longer each time, with jitter so that racers spread out.
async fn backoff(attempt: u32) {
    if attempt == 0 {
        return;
    }
    let jitter = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::from(d.subsec_nanos()) % 10)
        .unwrap_or(0);
    let millis = (10u64 << attempt.min(6)) + jitter;
    tokio::time::sleep(Duration::from_millis(millis)).await;
}

fn build_error(err: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Internal(format!("cannot build a DynamoDB request: {err}"))
}

/// Transient failures (throttling, timeouts, the network, 5xx) are
/// `Unavailable`, so that callers retry them; anything else is a bug or a
/// misconfiguration, `Internal`.
fn sdk_error<E>(doing: &str, err: SdkError<E>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let transient = match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(context) => {
            context.raw().status().is_server_error()
                || matches!(
                    context.err().code(),
                    Some(
                        "ThrottlingException"
                            | "ProvisionedThroughputExceededException"
                            | "RequestLimitExceeded"
                            | "InternalServerError"
                            | "ServiceUnavailable"
                            | "TransactionInProgressException"
                    )
                )
        }
        _ => false,
    };
    let message = format!("{doing}: {}", DisplayErrorContext(&err));
    if transient {
        StoreError::Unavailable(message)
    } else {
        StoreError::Internal(message)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::insights::MakeFacts;
    use crate::store::content_hash;

    fn recipe_id(text: &str) -> RecipeId {
        RecipeId::parse(text).expect("valid id")
    }

    fn key(text: &str) -> IdempotencyKey {
        IdempotencyKey::parse(text).expect("valid key")
    }

    fn version(recipe: &str, content: u32, k: &str) -> NewVersion {
        let document = json!({"recipeId": recipe, "ingredients": [{"quantity": content}]});
        NewVersion {
            recipe_id: recipe_id(recipe),
            name: "Pie".into(),
            rating: None,
            content_hash: content_hash(&document),
            document,
            key: key(k),
            at: "2026-01-01T00:00:00.000Z".into(),
        }
    }

    fn make(recipe: &str, id: &str, k: &str, document: Value) -> NewMake {
        let make_id = MakeId::parse(id).expect("valid id");
        NewMake {
            recipe_id: recipe_id(recipe),
            make_id: make_id.clone(),
            version: 1,
            made_at: None,
            notes: None,
            rating: None,
            content_hash: content_hash(&document),
            document,
            diff: json!({"summary": {}}),
            facts: MakeFacts {
                make_id,
                version: 1,
                made_at: None,
                created_at: "2026-01-02T00:00:00.000Z".into(),
                rating: None,
                scale_factor: None,
                ingredients: vec![],
                substitutions: vec![],
                steps: vec![],
                steps_added: 0,
            },
            key: key(k),
            at: "2026-01-02T00:00:00.000Z".into(),
        }
    }

    fn client(endpoint: &str) -> Client {
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "test", "test", None, None, "static",
            ))
            .build();
        Client::from_conf(config)
    }

    async fn store_on_moto(moto: &testkit::MotoServer) -> DynamoStore {
        let client = client(&moto.endpoint());
        DynamoStore::create_table(&client, "recipes")
            .await
            .expect("table created");
        DynamoStore::new(client, "recipes")
    }

    fn list(pk: &str) -> List<'_> {
        List {
            pk,
            prefix: MAKE_PREFIX,
            forward: true,
            what: "makes",
        }
    }

    #[test]
    fn a_cursor_from_another_list_or_of_another_shape_is_refused() {
        let ours = Cursor::encode(&json!({"pk": "RECIPE#a", "sk": "MAKE#x"}));
        assert!(start_key(&ours, &list("RECIPE#a")).is_ok());
        for position in [
            json!({"pk": "RECIPE#b", "sk": "MAKE#x"}),
            json!({"pk": "RECIPE#a", "sk": "VERSION#0000000001"}),
            json!({"pk": "RECIPE#a", "sk": "MAKE#x", "extra": 1}),
            json!({"pk": "RECIPE#a", "sk": 7}),
            json!(["RECIPE#a", "MAKE#x"]),
        ] {
            let cursor = Cursor::encode(&position);
            assert_eq!(
                start_key(&cursor, &list("RECIPE#a")),
                Err(StoreError::InvalidCursor),
                "{position}"
            );
        }
    }

    #[tokio::test]
    async fn a_make_over_the_item_limit_is_refused_before_anything_is_sent() {
        // Nothing listens on port 9: a request would fail as Unavailable.
        let store = DynamoStore::new(client("http://127.0.0.1:9"), "recipes");
        let big = make(
            "pie",
            "huge",
            "huge-k",
            json!({"notes": "x".repeat(ITEM_LIMIT)}),
        );
        let result = store.put_make(&big).await;
        assert!(
            matches!(&result, Err(StoreError::Internal(m)) if m.contains("over the 400 KB item limit")),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn an_unreachable_table_is_unavailable() {
        let store = DynamoStore::new(client("http://127.0.0.1:9"), "recipes");
        let result = store.ping().await;
        assert!(
            matches!(&result, Err(StoreError::Unavailable(_))),
            "{result:?}"
        );
    }

    // testkit runs moto one request at a time, because threaded moto does
    // not isolate concurrent TransactWriteItems; DynamoDB does.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_new_versions_get_consecutive_numbers() {
        let moto = testkit::MotoServer::start();
        let store = Arc::new(store_on_moto(&moto).await);
        let tasks: Vec<_> = (1..=6)
            .map(|n| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    store
                        .put_version(&version("race", n, &format!("race-{n}")))
                        .await
                })
            })
            .collect();
        let mut numbers = Vec::new();
        for task in tasks {
            let written = task.await.expect("task").expect("put");
            assert!(written.is_created(), "{written:?}");
            numbers.push(written.into_inner().version);
        }
        numbers.sort_unstable();
        assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
        let current = store
            .version(&recipe_id("race"), None)
            .await
            .expect("get")
            .expect("exists");
        assert_eq!(current.version, 6);
        let summary = store
            .recipe_summary(&recipe_id("race"))
            .await
            .expect("get")
            .expect("exists");
        assert_eq!(summary.current_version, 6);
        let listed = store.recipes(&PageRequest::first(10)).await.expect("list");
        assert_eq!(
            listed.items[0].current_version, 6,
            "the directory follows the recipe"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn one_key_for_two_kinds_of_write_is_two_writes() {
        let moto = testkit::MotoServer::start();
        let store = store_on_moto(&moto).await;
        store
            .put_version(&version("pie", 1, "shared-key"))
            .await
            .expect("put");
        let made = store
            .put_make(&make("pie", "m", "shared-key", json!({"a": 1})))
            .await
            .expect("put");
        assert!(made.is_created(), "{made:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_full_page_is_not_followed_by_an_empty_one() {
        let moto = testkit::MotoServer::start();
        let store = store_on_moto(&moto).await;
        store
            .put_version(&version("pie", 1, "v"))
            .await
            .expect("put");
        for n in 0..4 {
            let document = json!({"n": n});
            store
                .put_make(&make("pie", &format!("m{n}"), &format!("k{n}"), document))
                .await
                .expect("put");
        }
        let first = store
            .makes(&recipe_id("pie"), &PageRequest::first(2))
            .await
            .expect("list")
            .expect("exists");
        let second = PageRequest {
            limit: 2,
            cursor: first.next_cursor,
        };
        let second = store
            .makes(&recipe_id("pie"), &second)
            .await
            .expect("list")
            .expect("exists");
        assert_eq!(second.items.len(), 2);
        assert_eq!(second.next_cursor, None);
        let none = store
            .makes(&recipe_id("ghost"), &PageRequest::first(2))
            .await
            .expect("list");
        assert!(none.is_none());
    }
}
