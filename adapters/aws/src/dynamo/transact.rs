//! Writes as DynamoDB takes them: condition and update expressions, the
//! items of a transaction (put, update, delete, condition check), one
//! `TransactWriteItems` call with its cancellation explained, the pause
//! between attempts, and the SDK's failures as [`StoreError`]s.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::error::{BuildError, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, TransactWriteItem, Update,
};
use serde::Serialize;
use shared::store::{IdempotencyKey, StoreError};

use super::DynamoStore;
use super::items::IdempotencyRecord;
use super::keys::{Item, Write};

pub(super) const NOT_EXISTS: &str = "attribute_not_exists(pk)";
pub(super) const EXISTS: &str = "attribute_exists(pk)";

/// How many times a write is tried when concurrent writes to the same
/// recipe keep winning the race.
pub(super) const WRITE_ATTEMPTS: u32 = 10;

/// What a `TransactWriteItems` call did.
pub(super) enum Transaction {
    Committed,
    Cancelled(Cancelled),
}

/// Which of a cancelled transaction's items had a condition fail, when the
/// cancellation reasons say.
pub(super) struct Cancelled {
    failed: Option<Vec<bool>>,
}

impl Cancelled {
    /// Whether item `index`'s condition failed; `None` when unknown.
    pub(super) fn failed(&self, index: usize) -> Option<bool> {
        self.failed
            .as_ref()
            .map(|f| f.get(index).copied().unwrap_or(false))
    }

    pub(super) fn may_have_failed(&self, index: usize) -> bool {
        self.failed(index).unwrap_or(true)
    }
}

/// An update or condition expression with its placeholders.
#[derive(Default)]
pub(super) struct Expression {
    pub(super) text: String,
    names: BTreeMap<String, String>,
    values: BTreeMap<String, AttributeValue>,
}

impl Expression {
    /// A condition without placeholders.
    pub(super) fn condition(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// `SET` of every attribute of `fields`.
    pub(super) fn set_all(fields: Item) -> Self {
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
    pub(super) fn name(&mut self, attribute: &str) -> String {
        let placeholder = format!("#{attribute}");
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    pub(super) fn value(&mut self, attribute: &str, value: AttributeValue) -> String {
        let placeholder = format!(":{attribute}");
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// A condition that `attribute` equals `value`.
    pub(super) fn equals(&mut self, attribute: &str, value: AttributeValue) -> String {
        let name = self.name(attribute);
        let placeholder = format!(":expected{attribute}");
        self.values.insert(placeholder.clone(), value);
        format!("{name} = {placeholder}")
    }
}

/// A number attribute.
pub(super) fn number(value: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

impl DynamoStore {
    pub(super) fn put(
        &self,
        item: Item,
        condition: Option<&str>,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(str::to_owned))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Puts `item` if `check` holds, a condition over `condition`'s
    /// placeholders.
    pub(super) fn put_checked(
        &self,
        item: Item,
        condition: Expression,
        check: String,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(check)
            .set_expression_attribute_names(non_empty(condition.names))
            .set_expression_attribute_values(non_empty(condition.values))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Puts the idempotency record of a write, unless the key has one.
    pub(super) fn put_first<T: Serialize>(
        &self,
        kind: Write,
        key: &IdempotencyKey,
        first: &T,
        at: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let record = IdempotencyRecord::item(kind, key, first, at)?;
        self.put(record, Some(NOT_EXISTS))
    }

    pub(super) fn update(
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

    /// Deletes the item at `key`, if `condition` (the expression's text)
    /// holds.
    pub(super) fn delete(
        &self,
        key: Item,
        condition: Option<Expression>,
    ) -> Result<TransactWriteItem, StoreError> {
        let (text, names, values) = match condition {
            Some(c) => (Some(c.text), c.names, c.values),
            None => Default::default(),
        };
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .set_condition_expression(text)
            .set_expression_attribute_names(non_empty(names))
            .set_expression_attribute_values(non_empty(values))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Checks that `condition` (the expression's text) holds for the item at
    /// `key`, writing nothing.
    pub(super) fn check(
        &self,
        key: Item,
        condition: Expression,
    ) -> Result<TransactWriteItem, StoreError> {
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .condition_expression(condition.text)
            .set_expression_attribute_names(non_empty(condition.names))
            .set_expression_attribute_values(non_empty(condition.values))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    /// One `TransactWriteItems` call, with its cancellation explained.
    pub(super) async fn transact(
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
            return Ok(Transaction::Cancelled(Cancelled { failed: None }));
        }
        if codes.iter().any(|c| {
            matches!(
                *c,
                "ThrottlingError" | "ProvisionedThroughputExceeded" | "RequestLimitExceeded"
            )
        }) {
            return Err(StoreError::Unavailable(format!(
                "{doing}: {}; cancellation reasons {}",
                crate::described::describe(&err),
                codes.join(", ")
            )));
        }
        if codes
            .iter()
            .any(|c| !matches!(*c, "None" | "ConditionalCheckFailed"))
        {
            return Err(StoreError::Internal(format!(
                "{doing}: {}; cancellation reasons {}",
                crate::described::describe(&err),
                codes.join(", ")
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
}

/// DynamoDB refuses empty maps of placeholders: none at all instead.
fn non_empty<V>(map: BTreeMap<String, V>) -> Option<HashMap<String, V>> {
    (!map.is_empty()).then(|| map.into_iter().collect())
}

/// Waits before another attempt at a write that lost a race: a little
/// longer each time, with jitter so that racers spread out.
pub(super) async fn backoff(attempt: u32) {
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

pub(super) fn build_error(err: BuildError) -> StoreError {
    StoreError::Internal(format!("cannot build a DynamoDB request: {err}"))
}

/// Transient failures (throttling, timeouts, the network, 5xx) are
/// `Unavailable`, so that callers retry them; anything else is a bug or a
/// misconfiguration, `Internal`. The message tells the failure by its kind
/// only (`crate::described`): DynamoDB's messages and responses may quote
/// the items.
pub(super) fn sdk_error<E>(doing: &str, err: SdkError<E>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let transient = crate::transient::sdk_error_is_transient(&err);
    let message = format!("{doing}: {}", crate::described::describe(&err));
    if transient {
        StoreError::Unavailable(message)
    } else {
        StoreError::Internal(message)
    }
}
