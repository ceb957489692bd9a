//! The embedded job queue: a SQLite table with SQS's semantics — a
//! visibility timeout, receive counts and a dead-letter table — durable
//! across `kill -9` (WAL; each operation one transaction). It also keeps
//! the local watcher's record of which files were queued, updated in the
//! same transaction as the jobs, so a file is queued exactly once.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Params, params};

use shared::job::Job;
use shared::model::RecipeId;
use shared::ports::{JobPurge, JobSink, QueueError};

/// How the queue treats messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueConfig {
    /// How long a received message stays invisible to other receivers.
    pub visibility_timeout: Duration,
    /// Receives after which a message goes to the dead-letter table instead.
    pub max_receives: u32,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            visibility_timeout: Duration::from_secs(30),
            max_receives: 5,
        }
    }
}

/// A message handed to a consumer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// Its id, for `ack` and `retry_later`.
    pub id: i64,
    /// The job, as sent.
    pub body: String,
    /// How many times it has been received, this time included.
    pub receive_count: u32,
}

/// How much is waiting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueStats {
    /// Messages waiting or in flight.
    pub depth: u64,
    /// Of those, received and not yet acknowledged.
    pub in_flight: u64,
    /// Messages in the dead-letter table.
    pub dead: u64,
}

/// The queue (cheap to clone; clones share one connection).
#[derive(Clone)]
pub struct SqliteQueue {
    conn: Arc<Mutex<Connection>>,
    config: QueueConfig,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn sql_error(what: &str, error: &rusqlite::Error) -> String {
    format!("queue: {what}: {error}")
}

/// Runs the statement `sql` once with each of `rows` as its parameters;
/// `preparing` and `running` name the two steps in errors.
fn execute_each<P: Params>(
    conn: &Connection,
    sql: &str,
    rows: impl IntoIterator<Item = P>,
    (preparing, running): (&str, &str),
) -> Result<(), String> {
    let mut statement = conn
        .prepare_cached(sql)
        .map_err(|e| sql_error(preparing, &e))?;
    for row in rows {
        statement.execute(row).map_err(|e| sql_error(running, &e))?;
    }
    Ok(())
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body TEXT NOT NULL,
    enqueued_at INTEGER NOT NULL,
    visible_at INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_by_visibility ON jobs (visible_at, id);
CREATE TABLE IF NOT EXISTS dead_jobs (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    enqueued_at INTEGER NOT NULL,
    receive_count INTEGER NOT NULL,
    died_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS queued_files (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    queued_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
";

impl SqliteQueue {
    /// Opens (or creates) the queue in the SQLite file at `path`.
    pub fn open(path: &Path, config: QueueConfig) -> Result<Self, String> {
        let conn = Connection::open(path)
            .map_err(|e| format!("queue: opening {}: {e}", path.display()))?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(|e| sql_error("setting the busy timeout", &e))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| sql_error("switching to WAL", &e))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| sql_error("setting synchronous", &e))?;
        // Deleted jobs are overwritten, not left in free pages: an erasure
        // must leave no document behind (see `purge_jobs`).
        conn.pragma_update(None, "secure_delete", "ON")
            .map_err(|e| sql_error("setting secure_delete", &e))?;
        conn.execute_batch(SCHEMA)
            .map_err(|e| sql_error("creating the schema", &e))?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            config,
        })
    }

    async fn with<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, String> + Send + 'static,
    ) -> Result<T, String> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| "queue: the connection lock is poisoned".to_owned())?;
            work(&mut guard)
        })
        .await
        .map_err(|e| format!("queue: a blocking task {}", crate::objects::ended(&e)))?
    }

    /// Queues jobs and, in the same transaction, records the files they came
    /// from (`key`, `fingerprint`), so that a file is queued exactly once
    /// even if the process dies between the two.
    pub async fn send_for_files(
        &self,
        jobs: &[Job],
        files: &[(String, String)],
    ) -> Result<(), String> {
        let files = files.to_vec();
        self.send_recording(jobs, move |tx, now| {
            execute_each(
                tx,
                "INSERT INTO queued_files (key, fingerprint, queued_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, queued_at = excluded.queued_at",
                files.iter().map(|(key, fingerprint)| (key, fingerprint, now)),
                ("preparing a mark", "recording a file"),
            )
        })
        .await
    }

    /// Queues `jobs` and, in the same transaction, what `record` writes
    /// about the files they came from (given the transaction and the time).
    async fn send_recording(
        &self,
        jobs: &[Job],
        record: impl FnOnce(&rusqlite::Transaction<'_>, i64) -> Result<(), String> + Send + 'static,
    ) -> Result<(), String> {
        let bodies: Vec<String> = jobs.iter().map(Job::to_body).collect();
        self.with(move |conn| {
            let tx = conn.transaction().map_err(|e| sql_error("beginning", &e))?;
            let now = now_ms();
            execute_each(
                &tx,
                "INSERT INTO jobs (body, enqueued_at, visible_at) VALUES (?1, ?2, ?2)",
                bodies.iter().map(|body| (body, now)),
                ("preparing an insert", "inserting a job"),
            )?;
            record(&tx, now)?;
            tx.commit().map_err(|e| sql_error("committing", &e))
        })
        .await
    }

    /// Reserves `count` sequencers for the local watcher's jobs and returns
    /// the first: every call's are greater than any before, across restarts
    /// (S3's sequencers order the events on a key the same way).
    pub async fn reserve_sequencers(&self, count: u64) -> Result<u64, String> {
        let count = i64::try_from(count.max(1)).unwrap_or(i64::MAX);
        self.with(move |conn| {
            let last: i64 = conn
                .query_row(
                    "INSERT INTO counters (name, value) VALUES ('sequencer', ?1)
                     ON CONFLICT (name) DO UPDATE SET value = value + ?1
                     RETURNING value",
                    [count],
                    |row| row.get(0),
                )
                .map_err(|e| sql_error("reserving sequencers", &e))?;
            u64::try_from(last - count + 1).map_err(|e| format!("queue: a sequencer: {e}"))
        })
        .await
    }

    /// The keys of the files queued and not deleted since: at start-up, the
    /// ones whose file is gone were deleted while the chain was down.
    pub async fn queued_keys(&self) -> Result<Vec<String>, String> {
        self.with(|conn| {
            conn.prepare("SELECT key FROM queued_files ORDER BY key")
                .and_then(|mut statement| statement.query_map([], |row| row.get(0))?.collect())
                .map_err(|e| sql_error("listing the queued files", &e))
        })
        .await
    }

    /// Whether a file is recorded under `key` (queued, and not deleted since).
    pub async fn is_recorded(&self, key: &str) -> Result<bool, String> {
        let key = key.to_owned();
        self.with(move |conn| {
            conn.query_row("SELECT 1 FROM queued_files WHERE key = ?1", [key], |_| {
                Ok(())
            })
            .optional()
            .map(|found| found.is_some())
            .map_err(|e| sql_error("looking up a file", &e))
        })
        .await
    }

    /// Queues the deletion jobs of files that were deleted and, in the same
    /// transaction, forgets those files, so that each deletion is queued
    /// exactly once (and a file dropped again later is a new upload).
    pub async fn send_for_deletions(&self, jobs: &[Job], keys: &[String]) -> Result<(), String> {
        let keys = keys.to_vec();
        self.send_recording(jobs, move |tx, _| {
            execute_each(
                tx,
                "DELETE FROM queued_files WHERE key = ?1",
                keys.iter().map(|key| (key,)),
                ("preparing a removal", "forgetting a file"),
            )
        })
        .await
    }

    /// Whether the file `key` was queued with this `fingerprint`.
    pub async fn was_queued(&self, key: &str, fingerprint: &str) -> Result<bool, String> {
        let (key, fingerprint) = (key.to_owned(), fingerprint.to_owned());
        self.with(move |conn| {
            conn.query_row(
                "SELECT 1 FROM queued_files WHERE key = ?1 AND fingerprint = ?2",
                params![key, fingerprint],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(|e| sql_error("looking up a file", &e))
        })
        .await
    }

    /// Receives up to `max` visible messages, hiding them for the visibility
    /// timeout. A message already received `max_receives` times goes to the
    /// dead-letter table instead (as SQS's redrive policy does).
    pub async fn receive(&self, max: usize) -> Result<Vec<Received>, String> {
        let config = self.config;
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(|e| sql_error("beginning", &e))?;
            let now = now_ms();
            tx.execute(
                "INSERT INTO dead_jobs (id, body, enqueued_at, receive_count, died_at)
                 SELECT id, body, enqueued_at, receive_count, ?2 FROM jobs WHERE visible_at <= ?1 AND receive_count >= ?3",
                params![now, now, config.max_receives],
            )
            .map_err(|e| sql_error("dead-lettering", &e))?;
            tx.execute(
                "DELETE FROM jobs WHERE visible_at <= ?1 AND receive_count >= ?2",
                params![now, config.max_receives],
            )
            .map_err(|e| sql_error("dead-lettering", &e))?;
            let mut received = Vec::new();
            {
                let mut select = tx
                    .prepare_cached(
                        "SELECT id, body, receive_count FROM jobs WHERE visible_at <= ?1 ORDER BY visible_at, id LIMIT ?2",
                    )
                    .map_err(|e| sql_error("preparing a receive", &e))?;
                let rows = select
                    .query_map(params![now, i64::try_from(max).unwrap_or(i64::MAX)], |row| {
                        Ok(Received {
                            id: row.get(0)?,
                            body: row.get(1)?,
                            receive_count: row.get::<_, u32>(2)? + 1,
                        })
                    })
                    .map_err(|e| sql_error("receiving", &e))?;
                for row in rows {
                    received.push(row.map_err(|e| sql_error("reading a job", &e))?);
                }
            }
            let hidden_until = now.saturating_add(millis(config.visibility_timeout));
            execute_each(
                &tx,
                "UPDATE jobs SET receive_count = receive_count + 1, visible_at = ?2 WHERE id = ?1",
                received.iter().map(|message| (message.id, hidden_until)),
                ("preparing a hide", "hiding a job"),
            )?;
            tx.commit().map_err(|e| sql_error("committing", &e))?;
            Ok(received)
        })
        .await
    }

    /// Deletes handled messages.
    pub async fn ack(&self, ids: &[i64]) -> Result<(), String> {
        let ids = ids.to_vec();
        self.with(move |conn| {
            let tx = conn.transaction().map_err(|e| sql_error("beginning", &e))?;
            execute_each(
                &tx,
                "DELETE FROM jobs WHERE id = ?1",
                ids.iter().map(|&id| (id,)),
                ("preparing a delete", "acknowledging"),
            )?;
            tx.commit().map_err(|e| sql_error("committing", &e))
        })
        .await
    }

    /// Makes failed messages visible again after `delay` (a backoff).
    pub async fn retry_later(&self, ids: &[i64], delay: Duration) -> Result<(), String> {
        let ids = ids.to_vec();
        self.with(move |conn| {
            let tx = conn.transaction().map_err(|e| sql_error("beginning", &e))?;
            let at = now_ms().saturating_add(millis(delay));
            execute_each(
                &tx,
                "UPDATE jobs SET visible_at = ?2 WHERE id = ?1",
                ids.iter().map(|&id| (id, at)),
                ("preparing a retry", "scheduling a retry"),
            )?;
            tx.commit().map_err(|e| sql_error("committing", &e))
        })
        .await
    }

    /// Makes every in-flight message visible now: at start, when this
    /// process is the only consumer, work a crashed run left in flight
    /// need not wait out its visibility timeout.
    pub async fn release_in_flight(&self) -> Result<u64, String> {
        self.with(|conn| {
            conn.execute(
                "UPDATE jobs SET visible_at = ?1 WHERE visible_at > ?1",
                params![now_ms()],
            )
            .map(|n| n as u64)
            .map_err(|e| sql_error("releasing in-flight jobs", &e))
        })
        .await
    }

    /// Moves every dead-lettered message back to the queue, with its receive
    /// count reset; returns how many.
    pub async fn redrive(&self) -> Result<u64, String> {
        self.with(|conn| {
            let tx = conn.transaction().map_err(|e| sql_error("beginning", &e))?;
            let now = now_ms();
            let moved = tx
                .execute(
                    "INSERT INTO jobs (body, enqueued_at, visible_at, receive_count)
                     SELECT body, enqueued_at, ?1, 0 FROM dead_jobs ORDER BY id",
                    params![now],
                )
                .map_err(|e| sql_error("redriving", &e))?;
            tx.execute("DELETE FROM dead_jobs", [])
                .map_err(|e| sql_error("redriving", &e))?;
            tx.commit().map_err(|e| sql_error("committing", &e))?;
            Ok(moved as u64)
        })
        .await
    }

    /// How much is waiting, in flight and dead.
    pub async fn stats(&self) -> Result<QueueStats, String> {
        self.with(|conn| {
            let now = now_ms();
            let count = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<u64, String> {
                conn.query_row(sql, p, |row| row.get::<_, i64>(0))
                    .map(|n| u64::try_from(n).unwrap_or(0))
                    .map_err(|e| sql_error("counting", &e))
            };
            Ok(QueueStats {
                depth: count("SELECT COUNT(*) FROM jobs", &[])?,
                in_flight: count("SELECT COUNT(*) FROM jobs WHERE visible_at > ?1", &[&now])?,
                dead: count("SELECT COUNT(*) FROM dead_jobs", &[])?,
            })
        })
        .await
    }
}

#[async_trait]
impl JobPurge for SqliteQueue {
    async fn purge_jobs(
        &self,
        recipe_id: Option<&RecipeId>,
        object_keys: &[String],
    ) -> Result<u64, QueueError> {
        let (recipe_id, keys) = (recipe_id.cloned(), object_keys.to_vec());
        self.with(move |conn| {
            let tx = conn.transaction().map_err(|e| sql_error("beginning", &e))?;
            let mut removed = 0;
            for table in ["jobs", "dead_jobs"] {
                let rows: Vec<(i64, String)> = tx
                    .prepare(&format!("SELECT id, body FROM {table}"))
                    .and_then(|mut s| {
                        s.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                            .collect()
                    })
                    .map_err(|e| sql_error("reading jobs", &e))?;
                for (id, body) in rows {
                    // A body that is not a job names nothing it could bring back.
                    let names = serde_json::from_str::<Job>(&body)
                        .is_ok_and(|job| job.names(recipe_id.as_ref(), &keys));
                    if names {
                        removed += tx
                            .execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])
                            .map_err(|e| sql_error("removing a job", &e))?
                            as u64;
                    }
                }
            }
            execute_each(
                &tx,
                "DELETE FROM queued_files WHERE key = ?1",
                keys.iter().map(|key| (key,)),
                ("preparing a removal", "forgetting a file"),
            )?;
            tx.commit().map_err(|e| sql_error("committing", &e))?;
            // What the deletions overwrote may still be in the log: fold it
            // into the file and empty it.
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .map_err(|e| sql_error("checkpointing", &e))?;
            Ok(removed)
        })
        .await
        .map_err(|reason| QueueError::Transient {
            failed: 0,
            total: 0,
            reason,
        })
    }
}

#[async_trait]
impl JobSink for SqliteQueue {
    async fn send(&self, jobs: &[Job]) -> Result<(), QueueError> {
        self.send_for_files(jobs, &[])
            .await
            .map_err(|reason| QueueError::Transient {
                failed: jobs.len(),
                total: jobs.len(),
                reason,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::job::{Payload, Source};
    use shared::keys::UploadKind;

    fn job(n: u32) -> Job {
        Job::new(
            UploadKind::Recipe,
            Source {
                bucket: "local".into(),
                key: format!("recipes/{n}.json"),
                version_id: None,
                e_tag: None,
                sequencer: Some(n.to_string()),
                size: None,
                entry: None,
            },
            None,
            Payload::Inline {
                document: serde_json::json!({"n": n}),
            },
        )
    }

    fn queue(name: &str, config: QueueConfig) -> (SqliteQueue, testkit::TempDir) {
        let dir = testkit::temp_dir(&format!("queue-{name}-"));
        (
            SqliteQueue::open(&dir.path().join("queue.sqlite3"), config).expect("opens"),
            dir,
        )
    }

    /// A queue's settings: the visibility timeout in milliseconds, and the
    /// receives before a message is dead-lettered.
    fn config(visibility_ms: u64, max_receives: u32) -> QueueConfig {
        QueueConfig {
            visibility_timeout: Duration::from_millis(visibility_ms),
            max_receives,
        }
    }

    #[tokio::test]
    async fn received_messages_are_hidden_until_acked_or_timed_out() {
        let config = config(200, 5);
        let (q, _dir) = queue("visibility", config);
        q.send(&[job(1), job(2)]).await.expect("send");
        let first = q.receive(10).await.expect("receive");
        assert_eq!(first.len(), 2);
        assert_eq!(first[0].receive_count, 1);
        assert!(
            q.receive(10).await.expect("receive").is_empty(),
            "hidden while in flight"
        );
        q.ack(&[first[0].id]).await.expect("ack");
        tokio::time::sleep(Duration::from_millis(250)).await;
        let again = q.receive(10).await.expect("receive");
        assert_eq!(
            again
                .iter()
                .map(|m| (m.id, m.receive_count))
                .collect::<Vec<_>>(),
            [(first[1].id, 2)]
        );
    }

    #[tokio::test]
    async fn a_message_received_too_often_is_dead_lettered_and_can_be_redriven() {
        let config = config(1, 3);
        let (q, _dir) = queue("dead", config);
        q.send(&[job(1)]).await.expect("send");
        for attempt in 1..=3 {
            let got = q.receive(10).await.expect("receive");
            assert_eq!(got.len(), 1, "attempt {attempt}");
            q.retry_later(&[got[0].id], Duration::ZERO)
                .await
                .expect("retry");
        }
        assert!(q.receive(10).await.expect("receive").is_empty());
        assert_eq!(
            q.stats().await.expect("stats"),
            QueueStats {
                depth: 0,
                in_flight: 0,
                dead: 1
            }
        );
        assert_eq!(q.redrive().await.expect("redrive"), 1);
        let back = q.receive(10).await.expect("receive");
        assert_eq!((back.len(), back[0].receive_count), (1, 1));
    }

    #[tokio::test]
    async fn files_are_recorded_with_their_jobs_and_survive_a_reopen() {
        let (q, dir) = queue("files", QueueConfig::default());
        q.send_for_files(&[job(1)], &[("recipes/1.json".into(), "10:123".into())])
            .await
            .expect("send");
        assert!(
            q.was_queued("recipes/1.json", "10:123")
                .await
                .expect("lookup")
        );
        assert!(
            !q.was_queued("recipes/1.json", "11:124")
                .await
                .expect("lookup")
        );
        let in_flight = q.receive(1).await.expect("receive");
        assert_eq!(in_flight.len(), 1);
        drop(q);
        let q = SqliteQueue::open(&dir.path().join("queue.sqlite3"), QueueConfig::default())
            .expect("reopens");
        assert!(
            q.was_queued("recipes/1.json", "10:123")
                .await
                .expect("lookup")
        );
        assert_eq!(q.release_in_flight().await.expect("release"), 1);
        assert_eq!(q.receive(10).await.expect("receive").len(), 1);
    }

    #[tokio::test]
    async fn a_deleted_file_is_forgotten_with_its_deletion_queued() {
        let (q, dir) = queue("deletions", QueueConfig::default());
        let files = [
            ("makes/a.json".to_owned(), "1:1".to_owned()),
            ("makes/b.json".to_owned(), "1:2".to_owned()),
        ];
        q.send_for_files(&[job(1), job(2)], &files)
            .await
            .expect("send");
        assert_eq!(
            q.queued_keys().await.expect("list"),
            ["makes/a.json", "makes/b.json"]
        );
        q.send_for_deletions(&[job(3)], &["makes/a.json".to_owned()])
            .await
            .expect("send");
        assert_eq!(q.queued_keys().await.expect("list"), ["makes/b.json"]);
        assert!(!q.was_queued("makes/a.json", "1:1").await.expect("lookup"));
        assert_eq!(q.stats().await.expect("stats").depth, 3);

        // Sequencers only grow, across a reopen too.
        let first = q.reserve_sequencers(5).await.expect("reserve");
        let next = q.reserve_sequencers(1).await.expect("reserve");
        assert_eq!(next, first + 5);
        drop(q);
        let q = SqliteQueue::open(&dir.path().join("queue.sqlite3"), QueueConfig::default())
            .expect("reopens");
        assert_eq!(q.reserve_sequencers(2).await.expect("reserve"), next + 1);
    }
}
