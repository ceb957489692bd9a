//! The watcher: uploads become jobs for the sender.
//!
//! An S3 event notification ([`handle_event`]) or a file in the local
//! bucket folder ([`handle_upload`]) names an object; the watcher checks its
//! key and size, reads it within the limits, parses it, and puts one job per
//! upload on the queue: the document inline, a pointer to it when it is too
//! large for a message (claim check), or the reason it was refused, so that
//! nothing is dropped. Only transient failures are errors, so that Lambda's
//! retries and its on-failure destination deal with them.

mod archive;
mod config;
mod event;
mod upload;

use serde::Serialize;
use serde_json::Value;
use shared::Limits;
use shared::job::{Job, Payload};
use shared::ports::{JobSink, ObjectError, ObjectRef, ObjectStore, QueueError};

pub use config::Config;
pub use event::decode_key;
pub use upload::{Upload, handle_bad_key, handle_removal, handle_upload};

/// What the watcher works with, built once per execution environment in
/// one call: the bucket it reads uploads from, the queue it puts jobs on,
/// and the limits uploads are held to. It borrows the adapters: an event
/// is handled in one task.
pub struct Deps<'a> {
    objects: &'a dyn ObjectStore,
    jobs: &'a dyn JobSink,
    limits: Limits,
}

impl<'a> Deps<'a> {
    /// Reads uploads from `objects` within `limits` and puts their jobs on
    /// `jobs`.
    pub fn new(objects: &'a dyn ObjectStore, jobs: &'a dyn JobSink, limits: Limits) -> Self {
        Self {
            objects,
            jobs,
            limits,
        }
    }
}

/// The object store could not be reached (throttled, timed out, down): the
/// upload should be tried again later.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Transient(pub String);

/// Why an event was not fully handled. Every variant is worth retrying the
/// whole event for: jobs are idempotent, so the jobs already queued are
/// harmless duplicates, and an event that keeps failing ends in the
/// function's on-failure destination rather than being dropped.
#[derive(Debug, thiserror::Error)]
pub enum WatcherError {
    /// An object could not be read for now.
    #[error("cannot read an upload: {0}")]
    Objects(#[from] Transient),
    /// The jobs could not all be queued.
    #[error("cannot queue the jobs: {0}")]
    Queue(#[from] QueueError),
    /// The event is not an S3 event notification at all.
    #[error("not an S3 event notification: {0}")]
    NotAnS3Event(String),
    /// Some records could not be read (the others were handled).
    #[error("{failed} of {total} records could not be read: {reasons}")]
    BadRecords {
        /// How many.
        failed: usize,
        /// How many the event had.
        total: usize,
        /// What was wrong with each.
        reasons: String,
    },
}

/// What one event came to; Lambda returns it as the function's result.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventSummary {
    /// The event was S3's `s3:TestEvent`: nothing to do.
    pub test_event: bool,
    /// Records in the event.
    pub records: usize,
    /// Jobs queued (rejections included).
    pub jobs: usize,
    /// Of those, rejection jobs.
    pub rejected: usize,
    /// Of those, deletions.
    pub deleted: usize,
    /// Records not followed: other events, other prefixes, folder markers.
    pub ignored: usize,
}

/// Handles an S3 event notification: every `ObjectCreated` and
/// `ObjectRemoved` record under a followed prefix becomes one job (an
/// app's archive one per recipe entry), and all
/// of them go to `jobs` in one call. (A removal of one version for good is a
/// deletion only if nothing shows under the key afterwards.) The `s3:TestEvent` is acknowledged and ignored. Records are read
/// leniently (only the bucket and the key are required).
///
/// Returns an error when some upload could not be read for now, the jobs
/// could not be queued, or the event could not be read; the jobs that could
/// be made are queued first, and retrying the whole event is safe.
pub async fn handle_event(event: Value, deps: &Deps<'_>) -> Result<EventSummary, WatcherError> {
    let records = match event::read(event).map_err(WatcherError::NotAnS3Event)? {
        event::Notification::Test { bucket } => {
            tracing::info!(bucket = ?bucket, "s3:TestEvent ignored");
            return Ok(EventSummary {
                test_event: true,
                ..EventSummary::default()
            });
        }
        event::Notification::Records(records) => records,
    };
    let mut summary = EventSummary {
        records: records.len(),
        ..EventSummary::default()
    };
    let mut queued = Vec::new();
    let mut unavailable = None;
    let mut unreadable = Vec::new();
    for (index, record) in records.into_iter().enumerate() {
        let record = match record {
            Ok(record) => record,
            Err(reason) => {
                tracing::error!(index, %reason, "an event record cannot be read");
                unreadable.push(format!("record {index}: {reason}"));
                continue;
            }
        };
        let removal = record.removal();
        if removal.is_none() && !record.is_object_created() {
            tracing::debug!(index, event_name = ?record.event_name, "neither ObjectCreated nor ObjectRemoved; ignored");
            summary.ignored += 1;
            continue;
        }
        let object = record.s3.object;
        let (key, decoded) = match decode_key(&object.key) {
            Ok(key) => (key, true),
            Err(lossy) => (lossy, false),
        };
        let upload = Upload {
            bucket: record.s3.bucket.name,
            key,
            version_id: object.version_id,
            e_tag: object.e_tag,
            sequencer: object.sequencer,
            size: object.size,
        };
        let jobs = match removal {
            Some(removal) if decoded => removed(upload, removal, deps.objects)
                .await
                .map(Vec::from_iter),
            // A key that is not UTF-8 was refused when it was created, and
            // nothing else came from it.
            Some(_) => Ok(Vec::new()),
            None if decoded => handle_upload(upload, deps.objects, &deps.limits).await,
            None => Ok(Vec::from_iter(handle_bad_key(upload, &object.key))),
        };
        match jobs {
            Ok(jobs) if jobs.is_empty() => summary.ignored += 1,
            Ok(jobs) => queued.extend(jobs),
            Err(error) => unavailable = Some(error),
        }
    }
    summary.jobs = queued.len();
    summary.rejected = queued
        .iter()
        .filter(|job| matches!(job.payload, Payload::Rejected { .. }))
        .count();
    summary.deleted = queued
        .iter()
        .filter(|job| matches!(job.payload, Payload::Deleted))
        .count();
    if !queued.is_empty() {
        deps.jobs.send(&queued).await?;
    }
    if let Some(error) = unavailable {
        return Err(error.into());
    }
    if !unreadable.is_empty() {
        return Err(WatcherError::BadRecords {
            failed: unreadable.len(),
            total: summary.records,
            reasons: unreadable.join("; "),
        });
    }
    tracing::info!(
        records = summary.records,
        jobs = summary.jobs,
        rejected = summary.rejected,
        deleted = summary.deleted,
        ignored = summary.ignored,
        "event handled"
    );
    Ok(summary)
}

/// The deletion job for a removed object; a version removed for good while
/// the key still shows an object is not a deletion (the bucket still holds
/// the upload, whose own event brought it in).
async fn removed(
    upload: Upload,
    removal: event::Removal,
    objects: &dyn ObjectStore,
) -> Result<Option<Job>, Transient> {
    if removal == event::Removal::OneVersion {
        let current = objects
            .size(ObjectRef::new(&upload.bucket, &upload.key, None))
            .await;
        match current {
            Ok(Some(_)) => {
                tracing::info!(key = %shared::object_id::logged(&upload.key), version_id = ?upload.version_id, "one version deleted; the key still shows an object, so nothing is withdrawn");
                return Ok(None);
            }
            Ok(None) => {}
            Err(ObjectError::Transient(reason)) => return Err(Transient(reason)),
            // Too large or unreadable: it still shows.
            Err(error) => {
                tracing::info!(key = %shared::object_id::logged(&upload.key), %error, "one version deleted; the key still shows an object");
                return Ok(None);
            }
        }
    }
    Ok(handle_removal(upload))
}

#[cfg(test)]
mod tests;
