//! One upload to its jobs: the size check, the download within the limit,
//! parsing, and the payload (inline, claim check, or the reason it was
//! refused). A document is one job; an app's archive is one job per
//! recipe entry ([`shared::parse::archive`]). The Lambda and the local
//! chain both call [`handle_upload`].

use serde_json::Value;
use shared::Limits;
use shared::job::{Job, MAX_INLINE_BYTES, Payload, Source};
use shared::keys::{
    UploadKind, check_smoke_namespace, classify, has_document_suffix, is_archive_key,
    recipe_id_from_key,
};
use shared::object_id::logged;
use shared::parse::{make_from_value, read_document, recipe_from_value, recipe_id_path};
use shared::ports::{ObjectError, ObjectRef, ObjectStore};
use shared::refusal::{Code, Refusal};
use shared::rejection::{RejectReason, Rejection};
use tracing::Instrument as _;

use crate::Transient;

/// An object that appeared in the bucket (or the local bucket folder).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    /// The bucket (locally, the bucket folder's name).
    pub bucket: String,
    /// The object key, decoded (`makes/sunday dinner+1.json`).
    pub key: String,
    /// The object version, when the bucket is versioned.
    pub version_id: Option<String>,
    /// The object's entity tag.
    pub e_tag: Option<String>,
    /// S3's ordering token for events on one key (locally, a fingerprint).
    pub sequencer: Option<String>,
    /// The size the event announced, if it did; otherwise it is looked up.
    pub size: Option<u64>,
}

impl Upload {
    pub(crate) fn into_source(self) -> Source {
        Source {
            bucket: self.bucket,
            key: self.key,
            version_id: self.version_id,
            e_tag: self.e_tag,
            sequencer: self.sequencer,
            size: self.size,
            entry: None,
        }
    }
}

/// The jobs for one upload: none when the key is not under a followed
/// prefix; one for a document: a rejection job (nothing dropped) for a key
/// without a document suffix, an object that is too large, gone or
/// unreadable, and a document that is not a valid recipe or make; for an
/// app's archive, one per recipe entry (each a recipe or the entry's
/// rejection), or one rejection of the whole archive. `Err` only when the
/// object store is unavailable, so that the caller tries again later.
pub async fn handle_upload(
    upload: Upload,
    objects: &dyn ObjectStore,
    limits: &Limits,
) -> Result<Vec<Job>, Transient> {
    let Some(kind) = classify(&upload.key) else {
        tracing::debug!(bucket = %upload.bucket, key = %logged(&upload.key), "not under a followed prefix; ignored");
        return Ok(Vec::new());
    };
    let source = upload.into_source();
    let span = tracing::info_span!(
        "upload",
        correlation_id = %source.correlation_id(),
        kind = kind.as_str(),
        bucket = %source.bucket,
        key = %logged(&source.key),
    );
    async move {
        let judged = if is_archive_key(&source.key) {
            crate::archive::judge(kind, source, objects, limits).await
        } else {
            judge(kind, source, objects, limits).await.map(|job| vec![job])
        };
        match judged {
            Ok(jobs) => {
                jobs.iter().for_each(log_job);
                Ok(jobs)
            }
            Err(error) => {
                tracing::warn!(%error, "the object store is unavailable; the upload will be tried again");
                Err(error)
            }
        }
    }
    .instrument(span)
    .await
}

/// The job for an object deleted from the bucket (or hidden by a delete
/// marker): `None` when the key is not under a followed prefix. Nothing is
/// read: the object is gone, and the server removes what came from it.
pub fn handle_removal(removal: Upload) -> Option<Job> {
    let Some(kind) = classify(&removal.key) else {
        tracing::info!(bucket = %removal.bucket, key = %logged(&removal.key), "a deletion outside the followed prefixes; ignored");
        return None;
    };
    let job = Job::new(kind, removal.into_source(), None, Payload::Deleted);
    log_job(&job);
    Some(job)
}

/// The job for an upload whose key is not UTF-8 (an S3 event's key once
/// decoded, a local file's name), which cannot name an object: `None` when
/// the key is not under a followed prefix; otherwise a `bad-key`
/// rejection, so that the upload is refused rather than dropped.
/// `upload.key` has the bad bytes replaced (U+FFFD); `written` is the key
/// as it came (the event's encoded key, the file name), which the message
/// quotes.
pub fn handle_bad_key(upload: Upload, written: &str) -> Option<Job> {
    let kind = classify(&upload.key)?;
    let job = refused(
        kind,
        upload.into_source(),
        Code::BadKey,
        format!("the key {written:?} is not UTF-8, so it cannot name an object"),
    );
    log_job(&job);
    Some(job)
}

/// Logs what became of an upload, with the job's correlation id: the key
/// and the recipe id by their pseudonyms, a rejection by its code and JSON
/// path (its message may quote the document).
pub(crate) fn log_job(job: &Job) {
    let key = logged(&job.source.key);
    let recipe = job.recipe_id.as_deref().map(logged);
    let correlation_id = &job.correlation_id;
    match &job.payload {
        Payload::Inline { .. } => {
            tracing::info!(%correlation_id, %key, kind = job.kind.as_str(), recipe = ?recipe, payload = "inline", "upload accepted");
        }
        Payload::ClaimCheck { .. } => {
            tracing::info!(%correlation_id, %key, kind = job.kind.as_str(), recipe = ?recipe, payload = "claim-check", "upload accepted");
        }
        Payload::Rejected(Refusal { code, path, .. }) => {
            tracing::info!(%correlation_id, %key, kind = job.kind.as_str(), %code, %path, "upload rejected");
        }
        Payload::Deleted => {
            tracing::info!(%correlation_id, %key, kind = job.kind.as_str(), sequencer = ?job.source.sequencer, "deletion queued");
        }
    }
}

/// A job refusing `source` for a reason of the watcher's own.
pub(crate) fn refused(kind: UploadKind, source: Source, code: Code, message: String) -> Job {
    Job::new(
        kind,
        source,
        None,
        Payload::Rejected(Refusal::whole(code, message)),
    )
}

/// A job refusing `source` for what the parser found, and where.
fn rejected(kind: UploadKind, source: Source, rejection: &Rejection) -> Job {
    Job::new(
        kind,
        source,
        None,
        Payload::Rejected(rejection.to_refusal()),
    )
}

/// The rejection job for an object that could not be read: gone (`None`),
/// too large or unreadable; a transient failure stays an error.
pub(crate) fn refuse_read(
    kind: UploadKind,
    source: &Source,
    error: Option<ObjectError>,
) -> Result<Job, Transient> {
    let (code, message) = match error {
        None => (
            Code::ObjectGone,
            "the object was deleted before it could be read".to_owned(),
        ),
        Some(ObjectError::Transient(reason)) => return Err(Transient(reason)),
        Some(ObjectError::TooLarge { size, limit }) => (
            Code::TooLarge,
            RejectReason::TooLarge {
                limit,
                actual: size,
            }
            .to_string(),
        ),
        Some(ObjectError::Permanent(reason)) => (Code::Unreadable, reason),
    };
    Ok(refused(kind, source.clone(), code, message))
}

async fn judge(
    kind: UploadKind,
    mut source: Source,
    objects: &dyn ObjectStore,
    limits: &Limits,
) -> Result<Job, Transient> {
    if !has_document_suffix(&source.key) {
        return Ok(refused(
            kind,
            source,
            Code::BadKey,
            "only .json, .jsonld, .html, .htm and .cook documents are read".to_owned(),
        ));
    }

    // The size first, so that an oversize object is never downloaded.
    let size = match source.size {
        Some(size) => size,
        None => {
            let found = objects
                .size(ObjectRef::new(
                    &source.bucket,
                    &source.key,
                    source.version_id.as_deref(),
                ))
                .await;
            match found {
                Ok(Some(size)) => size,
                Ok(None) => return refuse_read(kind, &source, None),
                Err(error) => return refuse_read(kind, &source, Some(error)),
            }
        }
    };
    source.size = Some(size);
    if let Err(rejection) = limits.check_size(size) {
        return Ok(rejected(kind, source, &rejection));
    }

    let fetched = objects
        .get(
            ObjectRef::new(&source.bucket, &source.key, source.version_id.as_deref()),
            limits.max_bytes,
        )
        .await;
    let bytes = match fetched {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return refuse_read(kind, &source, None),
        Err(error) => return refuse_read(kind, &source, Some(error)),
    };

    // A saved web page becomes the JSON-LD block holding its recipe here,
    // and a `.cook` object (known by its key) the seed format's JSON, so
    // that the job, the sender and the server all carry JSON.
    let document = match read_document(&bytes, limits, Some(&source.key)) {
        Ok(document) => document,
        Err(rejection) => return Ok(rejected(kind, source, &rejection)),
    };
    let named = match kind {
        UploadKind::Recipe => {
            let fallback = recipe_id_from_key(&source.key);
            recipe_from_value(&document, limits, fallback.as_ref())
                .map(|recipe| recipe.id().clone())
        }
        UploadKind::Make => make_from_value(&document, limits).map(|make| make.recipe_id().clone()),
    };
    // The smoke test's namespace is decided here, where the key is known
    // (the server decides it again: a job may come from elsewhere).
    let named = named.and_then(|id| {
        check_smoke_namespace(Some(&source.key), &id)
            .map(|()| id)
            .map_err(|reason| Rejection::new(recipe_id_path(&document, kind), reason))
    });
    let recipe_id = match (kind, named) {
        // A recipe's job names no recipe: the server reads the id again
        // from the document, with the key's stem as the fallback.
        (UploadKind::Recipe, Ok(_)) => None,
        (UploadKind::Make, Ok(id)) => Some(id.to_string()),
        (_, Err(rejection)) => return Ok(rejected(kind, source, &rejection)),
    };
    let payload = if inline_size(&document) > MAX_INLINE_BYTES {
        Payload::ClaimCheck {
            bucket: source.bucket.clone(),
            key: source.key.clone(),
            version_id: source.version_id.clone(),
        }
    } else {
        Payload::Inline { document }
    };
    Ok(Job::new(kind, source, recipe_id, payload))
}

/// The bytes the document takes in a message: as serialised there, not as
/// uploaded (indentation goes; a few numbers grow).
pub(crate) fn inline_size(document: &Value) -> usize {
    serde_json::to_vec(document).map_or(usize::MAX, |bytes| bytes.len())
}
