//! What every family's SQL shares: one write transaction, the idempotency
//! record of a write, values read from columns, pages behind a cursor, and
//! SQLite's failures as [`StoreError`]s.

use rusqlite::types::Type;
use rusqlite::{
    Connection, ErrorCode, OptionalExtension as _, Row, Transaction, TransactionBehavior, params,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use shared::rejection::RejectReason;
// Ids and keys in error messages go by their pseudonyms: the messages are logged.
use shared::object_id::{logged, scrubbed};
use shared::store::{Cursor, IdempotencyKey, MAX_PAGE, Page, PageRequest, StoreError};

// Idempotency records are kept per kind of write, so a key reused across
// kinds cannot make one write return another kind's result.
pub(super) const VERSION_WRITE: &str = "version";
pub(super) const MAKE_WRITE: &str = "make";
pub(super) const REJECTION_WRITE: &str = "rejection";

/// Runs `effects` in one write transaction: all of them or none.
pub(super) fn write<T>(
    connection: &mut Connection,
    what: &'static str,
    effects: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let tx = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db(what))?;
    // On an error the transaction is dropped, which rolls it back.
    let result = effects(&tx)?;
    tx.commit().map_err(db(what))?;
    Ok(result)
}

/// The first result of the write with this key, if there was one.
pub(super) fn seen<T: DeserializeOwned>(
    tx: &Transaction<'_>,
    kind: &str,
    key: &IdempotencyKey,
) -> Result<Option<T>, StoreError> {
    let result: Option<String> = tx
        .query_row(
            "SELECT result FROM idempotency WHERE kind = ?1 AND key = ?2",
            params![kind, key.as_str()],
            |row| row.get(0),
        )
        .optional()
        .map_err(db("reading an idempotency record"))?;
    result
        .map(|text| {
            serde_json::from_str(&text).map_err(|e| {
                StoreError::Internal(format!(
                    "the idempotency record of {kind} write {} is unreadable: {}",
                    logged(key.as_str()),
                    scrubbed(&e.to_string())
                ))
            })
        })
        .transpose()
}

/// Records what the write with this key returned.
pub(super) fn remember<T: Serialize>(
    tx: &Transaction<'_>,
    kind: &str,
    key: &IdempotencyKey,
    result: &T,
    at: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO idempotency (kind, key, result, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            kind,
            key.as_str(),
            to_json(result, "an idempotency record")?,
            at
        ],
    )
    .map_err(db("recording an idempotency key"))?;
    Ok(())
}

/// Busy, locked and I/O failures can pass; anything else is a bug or
/// corrupt data.
pub(super) fn db_error(context: &str, error: rusqlite::Error) -> StoreError {
    let retryable = matches!(
        error.sqlite_error_code(),
        Some(
            ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
                | ErrorCode::SystemIoFailure
                | ErrorCode::DiskFull
        )
    );
    let message = format!("{context}: {error}");
    if retryable {
        StoreError::Unavailable(message)
    } else {
        StoreError::Internal(message)
    }
}

pub(super) fn db(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |error| db_error(context, error)
}

pub(super) fn to_json<T: Serialize>(value: &T, what: &str) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Internal(format!("{what} cannot be written as JSON: {e}")))
}

/// A column's value that did not convert.
pub(super) fn conversion(
    index: usize,
    error: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(error))
}

/// An id, parsed from the text in column `index`.
pub(super) fn id_at<T>(
    row: &Row<'_>,
    index: usize,
    parse: fn(&str) -> Result<T, RejectReason>,
) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    parse(&text).map_err(|e| conversion(index, e))
}

/// A value kept as JSON text in column `index`.
pub(super) fn json_at<T: DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|e| conversion(index, e))
}

/// The page size asked for, within bounds: `PageRequest`'s fields are public.
pub(super) fn limit(page: &PageRequest) -> u32 {
    page.limit.clamp(1, MAX_PAGE)
}

/// Where the previous page of `list` ended, from the request's cursor.
pub(super) fn after<T: DeserializeOwned>(
    page: &PageRequest,
    list: &str,
) -> Result<Option<T>, StoreError> {
    let Some(cursor) = &page.cursor else {
        return Ok(None);
    };
    let position = cursor.decode()?;
    if position.get("list").and_then(Value::as_str) != Some(list) {
        return Err(StoreError::InvalidCursor);
    }
    let last = position
        .get("after")
        .cloned()
        .ok_or(StoreError::InvalidCursor)?;
    serde_json::from_value(last)
        .map(Some)
        .map_err(|_| StoreError::InvalidCursor)
}

/// A page from up to `limit + 1` rows: the extra row only says that there
/// is a next page.
pub(super) fn into_page<T>(
    mut items: Vec<T>,
    limit: u32,
    list: &str,
    key: impl Fn(&T) -> Value,
) -> Page<T> {
    let limit = limit as usize;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items
            .last()
            .map(|last| Cursor::encode(&json!({"list": list, "after": key(last)})))
    } else {
        None
    };
    Page { items, next_cursor }
}
