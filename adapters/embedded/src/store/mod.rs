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
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use shared::diff::round4;
use shared::insights::MakeFacts;
use shared::keys::UploadKind;
use shared::model::{MakeId, RecipeId};
use shared::rejection::RejectReason;
use shared::store::{
    Cursor, IdempotencyKey, MAX_PAGE, MakeRef, MakeSummary, NewMake, NewRejection, NewVersion,
    ObjectDeletion, Origin, Page, PageRequest, RecipeStore, RecipeSummary, RejectedUpload,
    RejectionRef, Removed, StoreError, StoredMake, StoredRejection, StoredVersion, VersionRef,
    VersionSummary, Written,
};

mod erasure;
mod reads;
#[cfg(test)]
mod tests;
mod writes;

use reads::*;
use shared::store::{ErasedObject, ErasureTarget, Tombstone};
use writes::*;

/// What `PRAGMA user_version` says once every migration is in place; raise
/// it with each migration.
const SCHEMA_VERSION: i64 = 3;

/// The migrations, in order: the one at index `n` brings a store from
/// schema version `n` to `n + 1`.
const MIGRATIONS: [&str; 3] = [
    include_str!("schema.sql"),
    include_str!("schema-2.sql"),
    include_str!("schema-3.sql"),
];

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
        .map_err(|e| StoreError::Internal(format!("a store call {}", crate::objects::ended(&e))))?
    }

    /// How many bucket objects were deleted (each key counted once, at its
    /// latest deletion), for `recipe-chain status`.
    pub async fn deletion_count(&self) -> Result<u64, StoreError> {
        self.call(|connection| {
            connection
                .query_row("SELECT count(*) FROM deletions", [], |row| row.get(0))
                .map_err(db("counting deletions"))
        })
        .await
    }

    /// A page of one recipe's makes, each read from `columns` by `from_row`.
    async fn makes_list<T: Send + 'static>(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
        list: &'static str,
        columns: &'static str,
        from_row: fn(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<Page<T>>, StoreError> {
        let (recipe_id, page) = (recipe_id.clone(), page.clone());
        self.call(move |connection| {
            makes_page(connection, &recipe_id, &page, list, columns, from_row)
        })
        .await
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
        // Removed rows are overwritten, not left in free pages: an erasure
        // must leave no document behind.
        .and_then(|()| connection.pragma_update(None, "secure_delete", "ON"))
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
    for migration in MIGRATIONS.iter().skip(usize::try_from(found).unwrap_or(0)) {
        tx.execute_batch(migration)
            .map_err(|e| db_error(&context, e))?;
    }
    if found < SCHEMA_VERSION {
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
        self.makes_list(
            recipe_id,
            page,
            MAKES_LIST,
            MAKE_SUMMARY_COLUMNS,
            make_summary_from,
        )
        .await
    }

    async fn make_facts(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<MakeFacts>>, StoreError> {
        self.makes_list(recipe_id, page, FACTS_LIST, "facts", make_facts_from)
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

    async fn delete_object(&self, deletion: &ObjectDeletion) -> Result<Removed, StoreError> {
        let deletion = deletion.clone();
        self.call(move |connection| delete_object(connection, &deletion))
            .await
    }

    async fn is_deleted(&self, origin: &Origin) -> Result<bool, StoreError> {
        let origin = origin.clone();
        self.call(move |connection| is_deleted(connection, &origin))
            .await
    }

    async fn begin_erasure(
        &self,
        target: &ErasureTarget,
        at: &str,
    ) -> Result<Option<Vec<ErasedObject>>, StoreError> {
        let (target, at) = (target.clone(), at.to_owned());
        self.call(move |connection| erasure::begin_erasure(connection, &target, &at))
            .await
    }

    async fn finish_erasure(
        &self,
        target: &ErasureTarget,
        tombstones: &[Tombstone],
        at: &str,
    ) -> Result<Removed, StoreError> {
        let (target, tombstones, at) = (target.clone(), tombstones.to_vec(), at.to_owned());
        self.call(move |connection| {
            let removed = erasure::finish_erasure(connection, &target, &tombstones, &at)?;
            // The log may still hold the pages as they were before: fold
            // it into the file and empty it.
            connection
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .map_err(db("checkpointing after an erasure"))?;
            Ok(removed)
        })
        .await
    }

    async fn pending_erasures(&self) -> Result<Vec<ErasureTarget>, StoreError> {
        self.call(|connection| erasure::pending_erasures(connection))
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
