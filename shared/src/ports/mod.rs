//! The ports: every way the domain reaches the world, each a trait that an
//! adapter crate implements (`adapters/aws`, `adapters/embedded`) and the
//! tests can fake.
//!
//! | port | who uses it | AWS | embedded |
//! |---|---|---|---|
//! | [`ObjectStore`] | watcher | S3 | a directory |
//! | [`JobSink`] | watcher | SQS `SendMessageBatch` | the SQLite queue |
//! | [`api::RecipeApi`] | sender | HTTPS + SigV4 | HTTP on loopback |
//! | [`store::RecipeStore`] | recipe server | DynamoDB | SQLite |
//! | [`ObjectPurge`] | recipe server (erasure) | S3, every version | the directory |
//! | [`JobPurge`] | recipe server (erasure) | the SQS dead-letter queue, the watcher's failure queue | the SQLite queue |
//! | [`journal::ErasureJournal`] | recipe server (erasure, and its replay after a restore) | objects under `erasures/` in the upload bucket | a file in the data folder |
//! | [`uploads::UploadForms`] | recipe server (the dashboard's uploads) | S3 presigned POST | the local server, into the directory |

pub mod api;
pub mod journal;
pub mod pages;
pub mod store;
pub mod uploads;

use async_trait::async_trait;

use crate::job::Job;
use crate::model::RecipeId;

/// Why reading an object failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ObjectError {
    /// Throttled, timed out, unreachable: try again later.
    #[error("the object store is unavailable: {0}")]
    Transient(String),
    /// The object is larger than the caller will read.
    #[error("the object is {size} bytes; the limit is {limit} bytes")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit asked for.
        limit: u64,
    },
    /// Anything retrying will not fix (access denied, a bad bucket name).
    #[error("the object cannot be read: {0}")]
    Permanent(String),
}

/// One object: its bucket, its key and, where the bucket keeps versions,
/// which version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectRef<'a> {
    /// The bucket (ignored by a directory).
    pub bucket: &'a str,
    /// The key, as decoded.
    pub key: &'a str,
    /// The version, when the event named one.
    pub version_id: Option<&'a str>,
}

impl<'a> ObjectRef<'a> {
    /// The object at `key` in `bucket`, in `version_id` if given.
    pub const fn new(bucket: &'a str, key: &'a str, version_id: Option<&'a str>) -> Self {
        Self {
            bucket,
            key,
            version_id,
        }
    }
}

/// Where uploads are kept: a bucket, or a directory.
#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// The object's size in bytes; `None` if it does not exist (any more).
    async fn size(&self, object: ObjectRef<'_>) -> Result<Option<u64>, ObjectError>;

    /// The object's bytes, refusing more than `max_bytes` with
    /// [`ObjectError::TooLarge`]; `None` if it does not exist (any more).
    async fn get(
        &self,
        object: ObjectRef<'_>,
        max_bytes: u64,
    ) -> Result<Option<Vec<u8>>, ObjectError>;
}

/// Where an erasure removes objects for good.
#[async_trait]
pub trait ObjectPurge: Send + Sync {
    /// Removes the object at `key` for good: in a versioned bucket every
    /// version and delete marker under the key, so that nothing can bring
    /// it back. Answers how many versions (or files) went; an object that
    /// is not there is no error.
    async fn purge(&self, key: &str) -> Result<u64, ObjectError>;
}

/// Where an erasure removes the jobs that would bring erased data back.
#[async_trait]
pub trait JobPurge: Send + Sync {
    /// Removes every job, waiting or dead-lettered, whose source is one of
    /// `object_keys` or whose document names `recipe_id` (when given: a
    /// recipe's erasure); answers how many went.
    async fn purge_jobs(
        &self,
        recipe_id: Option<&RecipeId>,
        object_keys: &[String],
    ) -> Result<u64, QueueError>;
}

/// Why putting jobs on the queue failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum QueueError {
    /// Some jobs could not be sent even after retries; try again later.
    #[error("{failed} of {total} jobs could not be queued: {reason}")]
    Transient {
        /// How many failed.
        failed: usize,
        /// How many were sent.
        total: usize,
        /// The last reason given.
        reason: String,
    },
    /// A job the queue will never accept (too large): a bug upstream.
    #[error("a job was refused by the queue: {0}")]
    Permanent(String),
}

/// Where the watcher puts jobs.
#[async_trait]
pub trait JobSink: Send + Sync {
    /// Puts every job on the queue, retrying entries the queue reports as
    /// failed; `Ok` only when all of them are queued.
    async fn send(&self, jobs: &[Job]) -> Result<(), QueueError>;
}
