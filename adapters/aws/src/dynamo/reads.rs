//! Reads as DynamoDB takes them: one item by its key, the first result of
//! an idempotency key, every item of a list, and one page of a list behind
//! a cursor. All are strongly consistent.

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use shared::store::{Cursor, IdempotencyKey, MAX_PAGE, Page, PageRequest, StoreError};

use super::DynamoStore;
use super::items::{IdempotencyRecord, from_item};
use super::keys::{Item, Key, List, Write};
use super::transact::sdk_error;

impl DynamoStore {
    /// The item at `key`, read as a `T`.
    pub(super) async fn get<T: DeserializeOwned>(
        &self,
        key: Key<'_>,
    ) -> Result<Option<T>, StoreError> {
        let what = key.what();
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key.item()))
            // Read-your-writes, as the SQLite store gives: a client that
            // has just written must see it.
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading {what}"), e))?;
        output.item.map(|item| from_item(item, what)).transpose()
    }

    /// The item at `key` with only the `projection`'s attributes (at
    /// least one), read as a `T`.
    pub(super) async fn get_projected<T: DeserializeOwned>(
        &self,
        key: Key<'_>,
        projection: &[&str],
    ) -> Result<Option<T>, StoreError> {
        let what = key.what();
        let mut get = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key.item()))
            .consistent_read(true);
        let mut placeholders = Vec::with_capacity(projection.len());
        for attribute in projection {
            let placeholder = format!("#{attribute}");
            get = get.expression_attribute_names(&placeholder, *attribute);
            placeholders.push(placeholder);
        }
        let output = get
            .projection_expression(placeholders.join(", "))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading {what}"), e))?;
        output.item.map(|item| from_item(item, what)).transpose()
    }

    /// The first result recorded under `key` for a write of `kind`.
    pub(super) async fn first_result<T: DeserializeOwned>(
        &self,
        kind: Write,
        key: &IdempotencyKey,
    ) -> Result<Option<T>, StoreError> {
        let record: Option<IdempotencyRecord<T>> = self.get(Key::Idempotency(kind, key)).await?;
        Ok(record.map(IdempotencyRecord::into_first))
    }

    /// Every item of `list`, with only the `projection`'s attributes (all
    /// when empty) besides the keys: for the few items of one partition
    /// that a deletion or an erasure goes through.
    pub(super) async fn query_all(
        &self,
        list: List<'_>,
        projection: &[&str],
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .query(&list, projection)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("reading {}", list.what()), e))?;
            items.extend(output.items.unwrap_or_default());
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }

    /// Every item of `list`, each read as a `T` (`what` names one).
    pub(super) async fn read_all<T: DeserializeOwned>(
        &self,
        list: List<'_>,
        projection: &[&str],
        what: &str,
    ) -> Result<Vec<T>, StoreError> {
        self.query_all(list, projection)
            .await?
            .into_iter()
            .map(|item| from_item(item, what))
            .collect()
    }

    /// A strongly consistent `Query` of `list`, reading only the
    /// `projection`'s attributes (all when empty) besides the keys.
    fn query(&self, list: &List<'_>, projection: &[&str]) -> QueryFluentBuilder {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_values(":pk", AttributeValue::S(list.pk()))
            .scan_index_forward(list.forward())
            .consistent_read(true);
        query = match list.prefix() {
            Some(prefix) => query
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#sk", "sk")
                .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_owned())),
            None => query.key_condition_expression("#pk = :pk"),
        };
        if !projection.is_empty() {
            let mut placeholders = vec!["#pk".to_owned(), "#sk".to_owned()];
            query = query.expression_attribute_names("#sk", "sk");
            for attribute in projection {
                let placeholder = format!("#{attribute}");
                query = query.expression_attribute_names(&placeholder, *attribute);
                placeholders.push(placeholder);
            }
            query = query.projection_expression(placeholders.join(", "));
        }
        query
    }

    /// One page of `list`.
    pub(super) async fn page<T: DeserializeOwned>(
        &self,
        list: List<'_>,
        request: &PageRequest,
        projection: &[&str],
    ) -> Result<Page<T>, StoreError> {
        let what = list.what();
        let limit = request.limit.clamp(1, MAX_PAGE) as usize;
        let start = request
            .cursor
            .as_ref()
            .map(|cursor| start_key(cursor, &list))
            .transpose()?;
        let output = self
            .query(&list, projection)
            // One more than a page tells whether another page follows, so
            // that the last page has no cursor.
            .limit(i32::try_from(limit + 1).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("listing {what}"), e))?;
        let mut items = output.items.unwrap_or_default();
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|item| cursor_of(item, what)).transpose()?
        } else {
            // Fewer than asked for, yet more to read: DynamoDB stopped at
            // its 1 MB page size.
            output
                .last_evaluated_key
                .map(|key| cursor_of(&key, what))
                .transpose()?
        };
        let items = items
            .into_iter()
            .map(|item| from_item(item, what))
            .collect::<Result<Vec<T>, _>>()?;
        Ok(Page {
            items,
            next_cursor: next,
        })
    }
}

/// Where a page starts, from a cursor this list handed out.
pub(super) fn start_key(cursor: &Cursor, list: &List<'_>) -> Result<Item, StoreError> {
    let position = cursor.decode()?;
    let Some(object) = position.as_object().filter(|o| o.len() == 2) else {
        return Err(StoreError::InvalidCursor);
    };
    let (Some(Value::String(pk)), Some(Value::String(sk))) = (object.get("pk"), object.get("sk"))
    else {
        return Err(StoreError::InvalidCursor);
    };
    if *pk != list.pk() || !sk.starts_with(list.prefix().unwrap_or_default()) {
        return Err(StoreError::InvalidCursor);
    }
    Ok(Item::from([
        ("pk".to_owned(), AttributeValue::S(pk.clone())),
        ("sk".to_owned(), AttributeValue::S(sk.clone())),
    ]))
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
