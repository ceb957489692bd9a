//! The SQLite adapter of [`RecipeStore`]: the embedded default.
//!
//! One connection in WAL mode behind a mutex; every call runs on tokio's
//! blocking pool. Every write is one `BEGIN IMMEDIATE` transaction holding
//! the idempotency check and all of the write's effects, so concurrent
//! duplicates (in this process or another one on the same file) serialise
//! and the second one sees the first one's idempotency record.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::types::Type;
use rusqlite::{
    Connection, ErrorCode, OptionalExtension as _, Row, Transaction, TransactionBehavior, params,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{
    Cursor, IdempotencyKey, MAX_PAGE, MakeRef, MakeSummary, NewMake, NewRejection, NewVersion,
    Page, PageRequest, RecipeStore, RecipeSummary, StoreError, StoredMake, StoredRejection,
    StoredVersion, VersionSummary, Written, rejection_id,
};
use crate::diff::round4;
use crate::insights::MakeFacts;
use crate::model::{MakeId, RecipeId};
use crate::rejection::RejectReason;

/// What `PRAGMA user_version` says once [`SCHEMA_V1`] is in place; raise it
/// with each migration.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA_V1: &str = "
CREATE TABLE IF NOT EXISTS recipes (
    recipe_id       TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    rating          REAL,
    content_hash    TEXT NOT NULL,
    make_count      INTEGER NOT NULL DEFAULT 0,
    rating_sum      REAL NOT NULL DEFAULT 0,
    rated_count     INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    recipe_id    TEXT NOT NULL REFERENCES recipes (recipe_id),
    version      INTEGER NOT NULL,
    name         TEXT NOT NULL,
    rating       REAL,
    content_hash TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    document     TEXT NOT NULL,
    PRIMARY KEY (recipe_id, version)
);
CREATE TABLE IF NOT EXISTS makes (
    recipe_id    TEXT NOT NULL REFERENCES recipes (recipe_id),
    make_id      TEXT NOT NULL,
    version      INTEGER NOT NULL,
    made_at      TEXT,
    notes        TEXT,
    rating       REAL,
    created_at   TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    document     TEXT NOT NULL,
    diff         TEXT NOT NULL,
    summary      TEXT NOT NULL,
    scale_factor REAL,
    facts        TEXT NOT NULL,
    PRIMARY KEY (recipe_id, make_id)
);
CREATE TABLE IF NOT EXISTS rejections (
    rejection_id TEXT PRIMARY KEY NOT NULL,
    object_key   TEXT,
    kind         TEXT,
    code         TEXT NOT NULL,
    message      TEXT NOT NULL,
    path         TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    result     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
";

/// How long a write waits for another process's transaction before the
/// call fails as `Unavailable`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

// Idempotency records are kept per kind of write, so a key reused across
// kinds cannot make one write return another kind's result.
const VERSION_WRITE: &str = "version";
const MAKE_WRITE: &str = "make";
const REJECTION_WRITE: &str = "rejection";

// The list a cursor was handed out by, so another list refuses it.
const RECIPES_LIST: &str = "recipes";
const VERSIONS_LIST: &str = "versions";
const MAKES_LIST: &str = "makes";
const FACTS_LIST: &str = "make-facts";
const REJECTIONS_LIST: &str = "rejections";

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

/// The recipe store in one SQLite file.
pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens (creating if need be) the store in the file at `path`.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let opening = format!("opening the store at {}", path.display());
        let mut connection = Connection::open(path).map_err(|e| db_error(&opening, e))?;
        configure(&connection, path)?;
        migrate(&mut connection, path)?;
        Ok(SqliteStore {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `work` on the connection, off the async threads.
    async fn call<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let mut connection = connection.lock().map_err(|_| {
                StoreError::Internal(
                    "the store's connection is unusable: an earlier call panicked while using it"
                        .into(),
                )
            })?;
            work(&mut connection)
        })
        .await
        .map_err(|e| StoreError::Internal(format!("a store call did not finish: {e}")))?
    }
}

fn configure(connection: &Connection, path: &Path) -> Result<(), StoreError> {
    let context = format!("configuring the store at {}", path.display());
    // First, so that switching to WAL waits for another process too.
    connection
        .busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| db_error(&context, e))?;
    let mode: String = connection
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(|e| db_error(&context, e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Internal(format!(
            "{context}: the file cannot be put in WAL mode (it stays in {mode} mode)"
        )));
    }
    // NORMAL is durable against process crashes in WAL mode; only a power
    // loss can undo the last commits.
    connection
        .pragma_update(None, "synchronous", "NORMAL")
        .and_then(|()| connection.pragma_update(None, "foreign_keys", "ON"))
        .map_err(|e| db_error(&context, e))
}

fn migrate(connection: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let context = format!("creating the tables of the store at {}", path.display());
    // IMMEDIATE, so two processes opening a new file do not both migrate it.
    let tx = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| db_error(&context, e))?;
    let found: i64 = tx
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|e| db_error(&context, e))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::Internal(format!(
            "the store at {} has schema version {found}, newer than this program's {SCHEMA_VERSION}",
            path.display()
        )));
    }
    if found < 1 {
        tx.execute_batch(SCHEMA_V1)
            .map_err(|e| db_error(&context, e))?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(|e| db_error(&context, e))?;
    }
    tx.commit().map_err(|e| db_error(&context, e))
}

/// Busy, locked and I/O failures can pass; anything else is a bug or
/// corrupt data.
fn db_error(context: &str, error: rusqlite::Error) -> StoreError {
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

fn db(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |error| db_error(context, error)
}

fn to_json<T: Serialize>(value: &T, what: &str) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Internal(format!("{what} cannot be written as JSON: {e}")))
}

/// Runs `effects` in one write transaction: all of them or none.
fn write<T>(
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
fn seen<T: DeserializeOwned>(
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
                    "the idempotency record of {kind} write {} is unreadable: {e}",
                    key.as_str()
                ))
            })
        })
        .transpose()
}

fn remember<T: Serialize>(
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

fn conversion(
    index: usize,
    error: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(error))
}

fn id_at<T>(
    row: &Row<'_>,
    index: usize,
    parse: fn(&str) -> Result<T, RejectReason>,
) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    parse(&text).map_err(|e| conversion(index, e))
}

fn json_at<T: DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|e| conversion(index, e))
}

fn recipe_exists(connection: &Connection, recipe_id: &RecipeId) -> Result<bool, StoreError> {
    connection
        .query_row(
            "SELECT 1 FROM recipes WHERE recipe_id = ?1",
            [recipe_id.as_str()],
            |_| Ok(()),
        )
        .optional()
        .map(|found| found.is_some())
        .map_err(db("looking up a recipe"))
}

/// A version, or the current one when `version` is `None`.
fn load_version(
    connection: &Connection,
    recipe_id: &RecipeId,
    version: Option<u32>,
) -> Result<Option<StoredVersion>, StoreError> {
    connection
        .query_row(
            "SELECT recipe_id, version, name, content_hash, created_at, document FROM versions
             WHERE recipe_id = ?1
               AND version = coalesce(?2, (SELECT current_version FROM recipes WHERE recipe_id = ?1))",
            params![recipe_id.as_str(), version],
            |row| {
                Ok(StoredVersion {
                    recipe_id: id_at(row, 0, RecipeId::parse)?,
                    version: row.get(1)?,
                    name: row.get(2)?,
                    content_hash: row.get(3)?,
                    created_at: row.get(4)?,
                    document: json_at(row, 5)?,
                })
            },
        )
        .optional()
        .map_err(db("reading a recipe version"))
}

fn recipe_summary_from(row: &Row<'_>) -> rusqlite::Result<RecipeSummary> {
    let rating_sum: f64 = row.get(5)?;
    let rated_count: u64 = row.get(6)?;
    Ok(RecipeSummary {
        recipe_id: id_at(row, 0, RecipeId::parse)?,
        name: row.get(1)?,
        current_version: row.get(2)?,
        rating: row.get(3)?,
        make_count: row.get(4)?,
        average_make_rating: (rated_count > 0).then(|| round4(rating_sum / rated_count as f64)),
        updated_at: row.get(7)?,
    })
}

const RECIPE_SUMMARY_COLUMNS: &str =
    "recipe_id, name, current_version, rating, make_count, rating_sum, rated_count, updated_at";

fn rejection_from(row: &Row<'_>) -> rusqlite::Result<StoredRejection> {
    Ok(StoredRejection {
        rejection_id: row.get(0)?,
        object_key: row.get(1)?,
        kind: row.get(2)?,
        code: row.get(3)?,
        message: row.get(4)?,
        path: row.get(5)?,
        created_at: row.get(6)?,
    })
}

const REJECTION_COLUMNS: &str = "rejection_id, object_key, kind, code, message, path, created_at";

fn put_version(
    connection: &mut Connection,
    new: &NewVersion,
) -> Result<Written<StoredVersion>, StoreError> {
    write(connection, "storing a recipe version", |tx| {
        if let Some(first) = seen::<VersionRef>(tx, VERSION_WRITE, &new.key)? {
            let stored =
                load_version(tx, &first.recipe_id, Some(first.version))?.ok_or_else(|| {
                    StoreError::Internal(format!(
                        "key {} names version {} of recipe {}, which is missing",
                        new.key.as_str(),
                        first.version,
                        first.recipe_id
                    ))
                })?;
            return Ok(Written::Replayed(stored));
        }
        let recipe_id = new.recipe_id.as_str();
        let current: Option<(u32, String)> = tx
            .query_row(
                "SELECT current_version, content_hash FROM recipes WHERE recipe_id = ?1",
                [recipe_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(db("reading the recipe's current version"))?;
        if let Some((version, hash)) = &current {
            if *hash == new.content_hash {
                let stored =
                    load_version(tx, &new.recipe_id, Some(*version))?.ok_or_else(|| {
                        StoreError::Internal(format!(
                            "the current version {version} of recipe {recipe_id} is missing"
                        ))
                    })?;
                let first = VersionRef {
                    recipe_id: new.recipe_id.clone(),
                    version: *version,
                };
                remember(tx, VERSION_WRITE, &new.key, &first, &new.at)?;
                return Ok(Written::Unchanged(stored));
            }
        }
        let version = match current {
            Some((current, _)) => current.checked_add(1).ok_or_else(|| {
                StoreError::Internal(format!("recipe {recipe_id} has run out of version numbers"))
            })?,
            None => 1,
        };
        // The recipe row comes first: versions refer to it.
        tx.execute(
            "INSERT INTO recipes (recipe_id, name, current_version, rating, content_hash, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (recipe_id) DO UPDATE SET
                 name = excluded.name,
                 current_version = excluded.current_version,
                 rating = excluded.rating,
                 content_hash = excluded.content_hash,
                 updated_at = excluded.updated_at",
            params![recipe_id, new.name, version, new.rating, new.content_hash, new.at],
        )
        .map_err(db("updating the recipe's current version"))?;
        tx.execute(
            "INSERT INTO versions (recipe_id, version, name, rating, content_hash, created_at, document)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                recipe_id,
                version,
                new.name,
                new.rating,
                new.content_hash,
                new.at,
                to_json(&new.document, "a recipe version")?
            ],
        )
        .map_err(db("inserting a recipe version"))?;
        let first = VersionRef {
            recipe_id: new.recipe_id.clone(),
            version,
        };
        remember(tx, VERSION_WRITE, &new.key, &first, &new.at)?;
        Ok(Written::Created(StoredVersion {
            recipe_id: new.recipe_id.clone(),
            version,
            name: new.name.clone(),
            content_hash: new.content_hash.clone(),
            created_at: new.at.clone(),
            document: new.document.clone(),
        }))
    })
}

fn put_make(connection: &mut Connection, new: &NewMake) -> Result<Written<MakeRef>, StoreError> {
    write(connection, "storing a make", |tx| {
        if let Some(first) = seen::<MakeRef>(tx, MAKE_WRITE, &new.key)? {
            return Ok(Written::Replayed(first));
        }
        // Refused before anything is recorded, so a retry after the recipe
        // arrives still goes through.
        if !recipe_exists(tx, &new.recipe_id)? {
            return Err(StoreError::RecipeNotFound(new.recipe_id.clone()));
        }
        let existing: Option<(u32, String)> = tx
            .query_row(
                "SELECT version, content_hash FROM makes WHERE recipe_id = ?1 AND make_id = ?2",
                params![new.recipe_id.as_str(), new.make_id.as_str()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(db("looking up a make"))?;
        if let Some((version, hash)) = existing {
            if hash != new.content_hash {
                return Err(StoreError::MakeConflict(new.make_id.clone()));
            }
            let first = MakeRef {
                recipe_id: new.recipe_id.clone(),
                make_id: new.make_id.clone(),
                version,
            };
            remember(tx, MAKE_WRITE, &new.key, &first, &new.at)?;
            return Ok(Written::Replayed(first));
        }
        let summary = new.diff.get("summary").cloned().unwrap_or(Value::Null);
        tx.execute(
            "INSERT INTO makes (recipe_id, make_id, version, made_at, notes, rating, created_at, content_hash,
                                document, diff, summary, scale_factor, facts)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                new.recipe_id.as_str(),
                new.make_id.as_str(),
                new.version,
                new.made_at,
                new.notes,
                new.rating,
                new.at,
                new.content_hash,
                to_json(&new.document, "a make")?,
                to_json(&new.diff, "a make's diff")?,
                to_json(&summary, "a make's diff summary")?,
                new.facts.scale_factor,
                to_json(&new.facts, "a make's facts")?,
            ],
        )
        .map_err(db("inserting a make"))?;
        tx.execute(
            "UPDATE recipes SET
                 make_count = make_count + 1,
                 rating_sum = rating_sum + coalesce(?2, 0),
                 rated_count = rated_count + (?2 IS NOT NULL),
                 updated_at = ?3
             WHERE recipe_id = ?1",
            params![new.recipe_id.as_str(), new.rating, new.at],
        )
        .map_err(db("counting a make on its recipe"))?;
        let first = MakeRef {
            recipe_id: new.recipe_id.clone(),
            make_id: new.make_id.clone(),
            version: new.version,
        };
        remember(tx, MAKE_WRITE, &new.key, &first, &new.at)?;
        Ok(Written::Created(first))
    })
}

fn put_rejection(
    connection: &mut Connection,
    new: &NewRejection,
) -> Result<Written<StoredRejection>, StoreError> {
    write(connection, "storing a rejection", |tx| {
        if let Some(first) = seen::<RejectionRef>(tx, REJECTION_WRITE, &new.key)? {
            let stored = tx
                .query_row(
                    &format!("SELECT {REJECTION_COLUMNS} FROM rejections WHERE rejection_id = ?1"),
                    [&first.rejection_id],
                    rejection_from,
                )
                .optional()
                .map_err(db("reading a rejection"))?
                .ok_or_else(|| {
                    StoreError::Internal(format!(
                        "key {} names rejection {}, which is missing",
                        new.key.as_str(),
                        first.rejection_id
                    ))
                })?;
            return Ok(Written::Replayed(stored));
        }
        let stored = StoredRejection {
            rejection_id: rejection_id(&new.at, &new.key),
            object_key: new.object_key.clone(),
            kind: new.kind.clone(),
            code: new.code.clone(),
            message: new.message.clone(),
            path: new.path.clone(),
            created_at: new.at.clone(),
        };
        tx.execute(
            &format!(
                "INSERT INTO rejections ({REJECTION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ),
            params![
                stored.rejection_id,
                stored.object_key,
                stored.kind,
                stored.code,
                stored.message,
                stored.path,
                stored.created_at
            ],
        )
        .map_err(db("inserting a rejection"))?;
        let first = RejectionRef {
            rejection_id: stored.rejection_id.clone(),
        };
        remember(tx, REJECTION_WRITE, &new.key, &first, &new.at)?;
        Ok(Written::Created(stored))
    })
}

/// The page size asked for, within bounds: `PageRequest`'s fields are public.
fn limit(page: &PageRequest) -> u32 {
    page.limit.clamp(1, MAX_PAGE)
}

/// Where the previous page of `list` ended, from the request's cursor.
fn after<T: DeserializeOwned>(page: &PageRequest, list: &str) -> Result<Option<T>, StoreError> {
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
fn into_page<T>(mut items: Vec<T>, limit: u32, list: &str, key: impl Fn(&T) -> Value) -> Page<T> {
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

fn recipes(connection: &Connection, page: &PageRequest) -> Result<Page<RecipeSummary>, StoreError> {
    // Ids are never empty, so "" sorts before every recipe.
    let last: String = after(page, RECIPES_LIST)?.unwrap_or_default();
    let limit = limit(page);
    let mut statement = connection
        .prepare_cached(&format!(
            "SELECT {RECIPE_SUMMARY_COLUMNS} FROM recipes WHERE recipe_id > ?1 ORDER BY recipe_id LIMIT ?2"
        ))
        .map_err(db("listing recipes"))?;
    let items = statement
        .query_map(params![last, limit + 1], recipe_summary_from)
        .and_then(Iterator::collect)
        .map_err(db("listing recipes"))?;
    Ok(into_page(
        items,
        limit,
        RECIPES_LIST,
        |r: &RecipeSummary| json!(r.recipe_id.as_str()),
    ))
}

fn recipe_summary(
    connection: &Connection,
    recipe_id: &RecipeId,
) -> Result<Option<RecipeSummary>, StoreError> {
    connection
        .query_row(
            &format!("SELECT {RECIPE_SUMMARY_COLUMNS} FROM recipes WHERE recipe_id = ?1"),
            [recipe_id.as_str()],
            recipe_summary_from,
        )
        .optional()
        .map_err(db("reading a recipe"))
}

fn versions(
    connection: &mut Connection,
    recipe_id: &RecipeId,
    page: &PageRequest,
) -> Result<Option<Page<VersionSummary>>, StoreError> {
    let last: u32 = after(page, VERSIONS_LIST)?.unwrap_or(0);
    let limit = limit(page);
    // One read transaction, so the recipe cannot appear between the check
    // and the list when another process writes.
    let tx = connection.transaction().map_err(db("listing versions"))?;
    if !recipe_exists(&tx, recipe_id)? {
        return Ok(None);
    }
    let items = tx
        .prepare_cached(
            "SELECT version, name, content_hash, created_at FROM versions
             WHERE recipe_id = ?1 AND version > ?2 ORDER BY version LIMIT ?3",
        )
        .and_then(|mut statement| {
            statement
                .query_map(params![recipe_id.as_str(), last, limit + 1], |row| {
                    Ok(VersionSummary {
                        version: row.get(0)?,
                        name: row.get(1)?,
                        content_hash: row.get(2)?,
                        created_at: row.get(3)?,
                    })
                })?
                .collect()
        })
        .map_err(db("listing versions"))?;
    Ok(Some(into_page(
        items,
        limit,
        VERSIONS_LIST,
        |v: &VersionSummary| json!(v.version),
    )))
}

fn make(
    connection: &Connection,
    recipe_id: &RecipeId,
    make_id: &MakeId,
) -> Result<Option<StoredMake>, StoreError> {
    connection
        .query_row(
            "SELECT recipe_id, make_id, version, made_at, notes, rating, created_at, content_hash, document, diff
             FROM makes WHERE recipe_id = ?1 AND make_id = ?2",
            params![recipe_id.as_str(), make_id.as_str()],
            |row| {
                Ok(StoredMake {
                    recipe_id: id_at(row, 0, RecipeId::parse)?,
                    make_id: id_at(row, 1, MakeId::parse)?,
                    version: row.get(2)?,
                    made_at: row.get(3)?,
                    notes: row.get(4)?,
                    rating: row.get(5)?,
                    created_at: row.get(6)?,
                    content_hash: row.get(7)?,
                    document: json_at(row, 8)?,
                    diff: json_at(row, 9)?,
                })
            },
        )
        .optional()
        .map_err(db("reading a make"))
}

/// A page of a recipe's makes, by make id, each item read by `from_row`
/// from the `columns` asked for (after the make id, column 0); `None` for an
/// unknown recipe.
fn makes_page<T>(
    connection: &mut Connection,
    recipe_id: &RecipeId,
    page: &PageRequest,
    list: &'static str,
    columns: &str,
    from_row: fn(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Option<Page<T>>, StoreError> {
    // Ids are never empty, so "" sorts before every make.
    let last: String = after(page, list)?.unwrap_or_default();
    let limit = limit(page);
    let tx = connection.transaction().map_err(db("listing makes"))?;
    if !recipe_exists(&tx, recipe_id)? {
        return Ok(None);
    }
    let items = tx
        .prepare_cached(&format!(
            "SELECT make_id, {columns} FROM makes WHERE recipe_id = ?1 AND make_id > ?2 ORDER BY make_id LIMIT ?3"
        ))
        .and_then(|mut statement| {
            statement
                .query_map(params![recipe_id.as_str(), last, limit + 1], |row| {
                    Ok((row.get::<_, String>(0)?, from_row(row)?))
                })?
                .collect()
        })
        .map_err(db("listing makes"))?;
    // The cursor is the stored make id, whatever the item says.
    let page = into_page(items, limit, list, |(make_id, _): &(String, T)| {
        json!(make_id)
    });
    Ok(Some(Page {
        items: page.items.into_iter().map(|(_, item)| item).collect(),
        next_cursor: page.next_cursor,
    }))
}

const MAKE_SUMMARY_COLUMNS: &str = "version, made_at, created_at, rating, summary, scale_factor";

fn make_summary_from(row: &Row<'_>) -> rusqlite::Result<MakeSummary> {
    Ok(MakeSummary {
        make_id: id_at(row, 0, MakeId::parse)?,
        version: row.get(1)?,
        made_at: row.get(2)?,
        created_at: row.get(3)?,
        rating: row.get(4)?,
        summary: json_at(row, 5)?,
        scale_factor: row.get(6)?,
    })
}

fn make_facts_from(row: &Row<'_>) -> rusqlite::Result<MakeFacts> {
    json_at(row, 1)
}

fn rejections(
    connection: &Connection,
    page: &PageRequest,
) -> Result<Page<StoredRejection>, StoreError> {
    let last: Option<String> = after(page, REJECTIONS_LIST)?;
    let limit = limit(page);
    // Two statements rather than `?1 IS NULL OR ...`, which would keep
    // SQLite from seeking the index to the cursor.
    let items = match &last {
        None => connection
            .prepare_cached(&format!(
                "SELECT {REJECTION_COLUMNS} FROM rejections ORDER BY rejection_id DESC LIMIT ?1"
            ))
            .and_then(|mut statement| {
                statement
                    .query_map(params![limit + 1], rejection_from)?
                    .collect()
            }),
        Some(last) => connection
            .prepare_cached(&format!(
                "SELECT {REJECTION_COLUMNS} FROM rejections WHERE rejection_id < ?1
                 ORDER BY rejection_id DESC LIMIT ?2"
            ))
            .and_then(|mut statement| {
                statement
                    .query_map(params![last, limit + 1], rejection_from)?
                    .collect()
            }),
    }
    .map_err(db("listing rejections"))?;
    Ok(into_page(
        items,
        limit,
        REJECTIONS_LIST,
        |r: &StoredRejection| json!(r.rejection_id),
    ))
}

#[async_trait]
impl RecipeStore for SqliteStore {
    async fn put_version(
        &self,
        version: &NewVersion,
    ) -> Result<Written<StoredVersion>, StoreError> {
        let version = version.clone();
        self.call(move |connection| put_version(connection, &version))
            .await
    }

    async fn version(
        &self,
        recipe_id: &RecipeId,
        version: Option<u32>,
    ) -> Result<Option<StoredVersion>, StoreError> {
        let recipe_id = recipe_id.clone();
        self.call(move |connection| load_version(connection, &recipe_id, version))
            .await
    }

    async fn recipes(&self, page: &PageRequest) -> Result<Page<RecipeSummary>, StoreError> {
        let page = page.clone();
        self.call(move |connection| recipes(connection, &page))
            .await
    }

    async fn recipe_summary(
        &self,
        recipe_id: &RecipeId,
    ) -> Result<Option<RecipeSummary>, StoreError> {
        let recipe_id = recipe_id.clone();
        self.call(move |connection| recipe_summary(connection, &recipe_id))
            .await
    }

    async fn versions(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<VersionSummary>>, StoreError> {
        let (recipe_id, page) = (recipe_id.clone(), page.clone());
        self.call(move |connection| versions(connection, &recipe_id, &page))
            .await
    }

    async fn put_make(&self, make: &NewMake) -> Result<Written<MakeRef>, StoreError> {
        let make = make.clone();
        self.call(move |connection| put_make(connection, &make))
            .await
    }

    async fn make(
        &self,
        recipe_id: &RecipeId,
        make_id: &MakeId,
    ) -> Result<Option<StoredMake>, StoreError> {
        let (recipe_id, make_id) = (recipe_id.clone(), make_id.clone());
        self.call(move |connection| make(connection, &recipe_id, &make_id))
            .await
    }

    async fn makes(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<MakeSummary>>, StoreError> {
        let (recipe_id, page) = (recipe_id.clone(), page.clone());
        self.call(move |connection| {
            makes_page(
                connection,
                &recipe_id,
                &page,
                MAKES_LIST,
                MAKE_SUMMARY_COLUMNS,
                make_summary_from,
            )
        })
        .await
    }

    async fn make_facts(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<MakeFacts>>, StoreError> {
        let (recipe_id, page) = (recipe_id.clone(), page.clone());
        self.call(move |connection| {
            makes_page(
                connection,
                &recipe_id,
                &page,
                FACTS_LIST,
                "facts",
                make_facts_from,
            )
        })
        .await
    }

    async fn put_rejection(
        &self,
        rejection: &NewRejection,
    ) -> Result<Written<StoredRejection>, StoreError> {
        let rejection = rejection.clone();
        self.call(move |connection| put_rejection(connection, &rejection))
            .await
    }

    async fn rejections(&self, page: &PageRequest) -> Result<Page<StoredRejection>, StoreError> {
        let page = page.clone();
        self.call(move |connection| rejections(connection, &page))
            .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.call(|connection| {
            connection
                .query_row("SELECT 1", [], |_| Ok(()))
                .map_err(db("asking the store for a row"))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;

    use super::*;
    use crate::store::content_hash;

    /// A fresh directory for one test's database, removed afterwards.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("sqlite-store-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("temp dir");
            Self(dir)
        }

        fn file(&self) -> PathBuf {
            self.0.join("store.sqlite3")
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn version(recipe: &str, key: &str) -> NewVersion {
        let document = json!({"recipeId": recipe, "ingredients": []});
        NewVersion {
            recipe_id: RecipeId::parse(recipe).expect("id"),
            name: "Pie".into(),
            rating: None,
            content_hash: content_hash(&document),
            document,
            key: IdempotencyKey::parse(key).expect("key"),
            at: "2026-01-01T00:00:00.000Z".into(),
        }
    }

    fn make(recipe: &str, make: &str, key: &str) -> NewMake {
        let document = json!({"recipeId": recipe, "ingredients": [{"ingredientName": "salt"}]});
        let make_id = MakeId::parse(make).expect("id");
        NewMake {
            recipe_id: RecipeId::parse(recipe).expect("id"),
            make_id: make_id.clone(),
            version: 1,
            made_at: None,
            notes: None,
            rating: Some(3.0),
            content_hash: content_hash(&document),
            document,
            diff: json!({"summary": {"total": 0}, "changes": []}),
            facts: MakeFacts {
                make_id,
                version: 1,
                made_at: None,
                created_at: "2026-01-02T00:00:00.000Z".into(),
                rating: Some(3.0),
                scale_factor: None,
                ingredients: vec![],
                substitutions: vec![],
                steps: vec![],
                steps_added: 0,
            },
            key: IdempotencyKey::parse(key).expect("key"),
            at: "2026-01-02T00:00:00.000Z".into(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn duplicates_through_two_connections_to_one_file_create_one_make() {
        let scratch = Scratch::new("two-connections");
        let stores = [
            Arc::new(SqliteStore::open(&scratch.file()).expect("opens")),
            Arc::new(SqliteStore::open(&scratch.file()).expect("opens")),
        ];
        stores[0]
            .put_version(&version("r", "v"))
            .await
            .expect("put");
        let tasks: Vec<_> = (0..8)
            .map(|n| {
                let store = Arc::clone(&stores[n % 2]);
                tokio::spawn(async move { store.put_make(&make("r", &format!("m{n}"), "k")).await })
            })
            .collect();
        let mut created = 0;
        for task in tasks {
            created += usize::from(task.await.expect("task").expect("put").is_created());
        }
        assert_eq!(created, 1);
        let summary = stores[1]
            .recipe_summary(&RecipeId::parse("r").expect("id"))
            .await
            .expect("get");
        assert_eq!(
            summary.map(|s| (s.make_count, s.average_make_rating)),
            Some((1, Some(3.0)))
        );
    }

    #[tokio::test]
    async fn a_reopened_store_keeps_its_data_and_a_newer_schema_is_refused() {
        let scratch = Scratch::new("reopen");
        let store = SqliteStore::open(&scratch.file()).expect("opens");
        store.put_version(&version("r", "v")).await.expect("put");
        drop(store);
        let store = SqliteStore::open(&scratch.file()).expect("reopens");
        let replay = store.put_version(&version("r", "v")).await.expect("put");
        assert!(matches!(replay, Written::Replayed(v) if v.version == 1));
        drop(store);

        let connection = Connection::open(scratch.file()).expect("opens");
        connection
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .expect("pragma");
        drop(connection);
        let newer = SqliteStore::open(&scratch.file()).map(|_| ());
        assert!(
            matches!(&newer, Err(StoreError::Internal(m)) if m.contains("newer")),
            "{newer:?}"
        );
    }

    #[tokio::test]
    async fn a_cursor_from_another_list_is_refused() {
        let scratch = Scratch::new("cursor");
        let store = SqliteStore::open(&scratch.file()).expect("opens");
        store.put_version(&version("a", "a")).await.expect("put");
        store.put_version(&version("b", "b")).await.expect("put");
        // A limit below 1 is read as 1.
        let first = store
            .recipes(&PageRequest {
                limit: 0,
                cursor: None,
            })
            .await
            .expect("list");
        assert_eq!(first.items.len(), 1);
        let cursor = first.next_cursor.expect("a next page");
        let other = PageRequest {
            limit: 5,
            cursor: Some(cursor),
        };
        assert_eq!(
            store.rejections(&other).await.map(|_| ()),
            Err(StoreError::InvalidCursor)
        );
        let recipe = RecipeId::parse("a").expect("id");
        assert_eq!(
            store.makes(&recipe, &other).await.map(|_| ()),
            Err(StoreError::InvalidCursor)
        );
    }
}
