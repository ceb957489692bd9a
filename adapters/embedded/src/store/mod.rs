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
use rusqlite::{Connection, TransactionBehavior};
use shared::insights::{InsightTally, MakeFacts};
use shared::model::{MakeId, RecipeId};
use shared::store::{
    ErasedObject, ErasureTarget, KeptTally, MakeRef, MakeSummary, NewMake, NewRejection,
    NewVersion, ObjectDeletion, Origin, Page, PageRequest, RecipeStore, RecipeSummary, Removed,
    StoreError, StoredMake, StoredRejection, StoredVersion, Tombstone, VersionSummary, Written,
};

mod deletion;
mod erasure;
mod insights;
mod makes;
mod recipes;
mod rejections;
mod sql;
#[cfg(test)]
mod tests;

use sql::{db, db_error};

/// What `PRAGMA user_version` says once every migration is in place; raise
/// it with each migration.
const SCHEMA_VERSION: i64 = 5;

/// The migrations, in order: the one at index `n` brings a store from
/// schema version `n` to `n + 1`.
const MIGRATIONS: [&str; 5] = [
    include_str!("schema.sql"),
    include_str!("schema-2.sql"),
    include_str!("schema-3.sql"),
    include_str!("schema-4.sql"),
    include_str!("schema-5.sql"),
];

/// How long a write waits for another process's transaction before the
/// call fails as `Unavailable`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

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

    /// Runs `work` with `args` on the connection, off the async threads:
    /// each port method hands its arguments to the function of its family.
    async fn run<A, T>(
        &self,
        args: A,
        work: fn(&mut Connection, &A) -> Result<T, StoreError>,
    ) -> Result<T, StoreError>
    where
        A: Send + 'static,
        T: Send + 'static,
    {
        self.call(move |connection| work(connection, &args)).await
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

/// Each method is one use case, kept in the module of its family:
/// `recipes` (versions and recipes), `makes`, `rejections`, `deletion` and
/// `erasure`.
#[async_trait]
impl RecipeStore for SqliteStore {
    async fn put_version(
        &self,
        version: &NewVersion,
    ) -> Result<Written<StoredVersion>, StoreError> {
        self.run(version.clone(), recipes::put_version).await
    }

    async fn version(
        &self,
        recipe_id: &RecipeId,
        version: Option<u32>,
    ) -> Result<Option<StoredVersion>, StoreError> {
        self.run((recipe_id.clone(), version), |c, (id, n)| {
            recipes::version(c, id, *n)
        })
        .await
    }

    async fn version_head(
        &self,
        recipe_id: &RecipeId,
        version: u32,
    ) -> Result<Option<VersionSummary>, StoreError> {
        self.run((recipe_id.clone(), version), |c, (id, n)| {
            recipes::version_head(c, id, *n)
        })
        .await
    }

    async fn recipes(&self, page: &PageRequest) -> Result<Page<RecipeSummary>, StoreError> {
        self.run(page.clone(), |c, page| recipes::recipes(c, page))
            .await
    }

    async fn recipe_summary(
        &self,
        recipe_id: &RecipeId,
    ) -> Result<Option<RecipeSummary>, StoreError> {
        self.run(recipe_id.clone(), |c, id| recipes::recipe_summary(c, id))
            .await
    }

    async fn versions(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<VersionSummary>>, StoreError> {
        self.run((recipe_id.clone(), page.clone()), |c, (id, page)| {
            recipes::versions(c, id, page)
        })
        .await
    }

    async fn variants(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<RecipeId>>, StoreError> {
        self.run((recipe_id.clone(), page.clone()), |c, (id, page)| {
            recipes::variants(c, id, page)
        })
        .await
    }

    async fn put_make(&self, make: &NewMake) -> Result<Written<MakeRef>, StoreError> {
        self.run(make.clone(), makes::put_make).await
    }

    async fn make(
        &self,
        recipe_id: &RecipeId,
        make_id: &MakeId,
    ) -> Result<Option<StoredMake>, StoreError> {
        self.run((recipe_id.clone(), make_id.clone()), |c, (id, make)| {
            makes::make(c, id, make)
        })
        .await
    }

    async fn makes(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<MakeSummary>>, StoreError> {
        self.run((recipe_id.clone(), page.clone()), |c, (id, page)| {
            makes::makes(c, &makes::SUMMARIES, id, page)
        })
        .await
    }

    async fn make_facts(
        &self,
        recipe_id: &RecipeId,
        page: &PageRequest,
    ) -> Result<Option<Page<MakeFacts>>, StoreError> {
        self.run((recipe_id.clone(), page.clone()), |c, (id, page)| {
            makes::makes(c, &makes::FACTS, id, page)
        })
        .await
    }

    async fn insight_tally(&self, recipe_id: &RecipeId) -> Result<KeptTally, StoreError> {
        self.run(recipe_id.clone(), insights::insight_tally).await
    }

    async fn keep_insight_tally(
        &self,
        recipe_id: &RecipeId,
        tally: &InsightTally,
        make_writes: u64,
    ) -> Result<bool, StoreError> {
        self.run(
            (recipe_id.clone(), tally.clone(), make_writes),
            |c, (id, tally, make_writes)| insights::keep_insight_tally(c, id, tally, *make_writes),
        )
        .await
    }

    async fn put_rejection(
        &self,
        rejection: &NewRejection,
    ) -> Result<Written<StoredRejection>, StoreError> {
        self.run(rejection.clone(), rejections::put_rejection).await
    }

    async fn rejections(&self, page: &PageRequest) -> Result<Page<StoredRejection>, StoreError> {
        self.run(page.clone(), |c, page| rejections::rejections(c, page))
            .await
    }

    async fn delete_object(&self, deletion: &ObjectDeletion) -> Result<Removed, StoreError> {
        self.run(deletion.clone(), deletion::delete_object).await
    }

    async fn is_deleted(&self, origin: &Origin) -> Result<bool, StoreError> {
        self.run(origin.clone(), |c, origin| deletion::is_deleted(c, origin))
            .await
    }

    async fn begin_erasure(
        &self,
        target: &ErasureTarget,
        at: &str,
    ) -> Result<Option<Vec<ErasedObject>>, StoreError> {
        self.run((target.clone(), at.to_owned()), |c, (target, at)| {
            erasure::begin_erasure(c, target, at)
        })
        .await
    }

    async fn finish_erasure(
        &self,
        target: &ErasureTarget,
        tombstones: &[Tombstone],
        at: &str,
    ) -> Result<Removed, StoreError> {
        let args = (target.clone(), tombstones.to_vec(), at.to_owned());
        self.run(args, |c, (target, tombstones, at)| {
            erasure::finish_erasure(c, target, tombstones, at)
        })
        .await
    }

    async fn pending_erasures(&self) -> Result<Vec<ErasureTarget>, StoreError> {
        self.run((), |c, ()| erasure::pending_erasures(c)).await
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
