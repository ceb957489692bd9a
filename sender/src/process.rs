//! One job becomes one write (or one rejection) on the recipe server; a
//! batch of messages is processed concurrently, and exactly the messages
//! that did not complete are reported back to the queue.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;
use shared::job::{Job, Payload};
use shared::keys::{UploadKind, is_cooklang_key};
use shared::parse::read_document;
use shared::ports::{ObjectError, ObjectRef, ObjectStore};
use shared::refusal::{Code, Refusal};
use shared::rejection::RejectReason;
use shared::{Limits, RecipeId};
use tokio::sync::Semaphore;
use tracing::Instrument as _;

use shared::ports::api::{ApiRequest, RecipeApi};
use shared::wire::{self, Route, Verdict};

/// How many messages of a batch are in flight at once, unless configured.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// What the sender works with: built once, in one call, and shared by
/// every message.
#[derive(Clone)]
pub struct Deps {
    /// The recipe server.
    api: Arc<dyn RecipeApi>,
    /// The bucket, for claim-checked payloads.
    objects: Arc<dyn ObjectStore>,
    /// The limits a claim-checked payload is read within, as the watcher
    /// read it: `max_bytes` for an object (the server's own limit),
    /// `max_archive_bytes` for an app's archive.
    limits: Limits,
    /// How many messages are processed at once.
    concurrency: usize,
}

impl Deps {
    /// Calls `api`, and reads claim-checked payloads from `objects` up to
    /// `limits.max_bytes` (`MAX_OBJECT_BYTES`: the watcher's and the
    /// server's limit too), an app's archive up to
    /// `limits.max_archive_bytes`; [`DEFAULT_CONCURRENCY`] messages at once.
    pub fn new(api: Arc<dyn RecipeApi>, objects: Arc<dyn ObjectStore>, limits: Limits) -> Self {
        Self {
            api,
            objects,
            limits,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

impl fmt::Debug for Deps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deps")
            .field("max_object_bytes", &self.limits.max_bytes)
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

/// One queue message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The queue's id for it (what `batchItemFailures` names).
    pub id: String,
    /// The body: a [`Job`], unless something went wrong upstream.
    pub body: String,
    /// How often the queue has delivered it, this time included (0 if unknown).
    pub receive_count: u32,
}

/// What became of one job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The recipe version or make is stored (created now, or before).
    Stored,
    /// The upload is recorded as a rejection with this code.
    Rejected {
        /// The rejection's code.
        code: Code,
    },
    /// The object was deleted, and what came from it is gone.
    Deleted,
    /// The upload's object was deleted after it: nothing was stored.
    Superseded,
    /// Not done: the queue delivers the message again (and, after its
    /// maximum receives, moves it to the DLQ).
    Failed {
        /// Why, for the logs.
        reason: String,
    },
}

impl Outcome {
    /// Whether the message must be delivered again.
    pub fn is_failure(&self) -> bool {
        matches!(self, Outcome::Failed { .. })
    }

    fn failed(reason: impl Into<String>) -> Self {
        Outcome::Failed {
            reason: reason.into(),
        }
    }
}

/// Processes a batch, each message in its own task, at most
/// `deps.concurrency` at once, and returns exactly the ids of the messages
/// that failed (for SQS `batchItemFailures`). A message whose task panics
/// has failed.
pub async fn process_batch(messages: Vec<Message>, deps: &Deps) -> Vec<String> {
    let permits = Arc::new(Semaphore::new(deps.concurrency.max(1)));
    let mut tasks = Vec::with_capacity(messages.len());
    for message in messages {
        let deps = deps.clone();
        let permits = Arc::clone(&permits);
        let id = message.id.clone();
        let task = tokio::spawn(async move {
            let Ok(_permit) = permits.acquire_owned().await else {
                return Outcome::failed("the batch was shut down");
            };
            process_message(&message, &deps).await
        });
        tasks.push((id, task));
    }
    let mut failed = Vec::new();
    for (id, task) in tasks {
        match task.await {
            Ok(outcome) if !outcome.is_failure() => {}
            Ok(_) => failed.push(id),
            Err(error) if error.is_panic() => {
                tracing::error!(message_id = %id, "processing the message panicked; it will be retried");
                failed.push(id);
            }
            Err(error) => {
                tracing::error!(message_id = %id, %error, "processing the message was cancelled; it will be retried");
                failed.push(id);
            }
        }
    }
    failed
}

/// Processes one message: reads its job and carries it out, logging the
/// outcome with the message and correlation ids.
pub async fn process_message(message: &Message, deps: &Deps) -> Outcome {
    let span = tracing::info_span!(
        "message",
        message_id = %message.id,
        receive_count = message.receive_count,
        correlation_id = tracing::field::Empty,
    );
    async {
        let job = match Job::from_body(&message.body) {
            Ok(job) => job,
            Err(reason) => {
                // It fails every time, and reaches the DLQ after the
                // queue's maximum receives. The parser's message may quote
                // the body: quoted text goes by its pseudonym.
                let reason = shared::object_id::scrubbed(&reason);
                tracing::error!(%reason, "the message is not a job");
                return Outcome::failed(reason);
            }
        };
        tracing::Span::current().record("correlation_id", job.correlation_id.as_str());
        let outcome = process_job(&job, deps).await;
        match &outcome {
            Outcome::Stored => {
                tracing::info!(kind = job.kind.as_str(), key = %shared::object_id::logged(&job.source.key), "stored");
            }
            Outcome::Rejected { code } => {
                tracing::info!(kind = job.kind.as_str(), key = %shared::object_id::logged(&job.source.key), %code, "rejected");
            }
            Outcome::Deleted => {
                tracing::info!(kind = job.kind.as_str(), key = %shared::object_id::logged(&job.source.key), "deleted");
            }
            Outcome::Superseded => {
                tracing::info!(kind = job.kind.as_str(), key = %shared::object_id::logged(&job.source.key), "superseded: the object was deleted after this upload");
            }
            Outcome::Failed { reason } if reason == wire::RECIPE_NOT_ARRIVED => {
                tracing::info!(kind = job.kind.as_str(), key = %shared::object_id::logged(&job.source.key), %reason, "waiting; the queue will deliver it again");
            }
            Outcome::Failed { reason } => {
                tracing::warn!(kind = job.kind.as_str(), key = %shared::object_id::logged(&job.source.key), %reason, "failed; the queue will deliver it again");
            }
        }
        outcome
    }
    .instrument(span)
    .await
}

/// Carries out one job: the write it stands for, or the rejection it
/// carries; a write the server refuses for good becomes a rejection.
pub async fn process_job(job: &Job, deps: &Deps) -> Outcome {
    let body = match &job.payload {
        Payload::Rejected(refusal) => {
            return record(job, deps, &job.idempotency_key, refusal.clone()).await;
        }
        Payload::Deleted => return delete(job, deps).await,
        Payload::Inline { document } => match serde_json::to_vec(document) {
            Ok(body) => body,
            Err(e) => return Outcome::failed(format!("serialising the document: {e}")),
        },
        Payload::ClaimCheck {
            bucket,
            key,
            version_id,
        } => {
            let version = version_id.as_deref();
            // An archive's entry: the archive is read, and the entry out of
            // it, with the watcher's code and limits.
            let entry = job.source.entry.as_deref();
            let max_bytes = match entry {
                Some(_) => deps.limits.max_archive_bytes,
                None => deps.limits.max_bytes,
            };
            match deps
                .objects
                .get(ObjectRef::new(bucket, key, version), max_bytes)
                .await
            {
                Ok(Some(bytes)) => match entry {
                    Some(entry) => match entry_body(&bytes, entry, &deps.limits) {
                        Ok(body) => body,
                        Err(refusal) => return reject(job, deps, refusal).await,
                    },
                    // A `.cook` object is Cooklang: read into JSON here, as
                    // the watcher read it, so that the server sees JSON as
                    // for any other upload (a page's bytes go as they are:
                    // the server reads a page by its content).
                    None if is_cooklang_key(key) => {
                        match read_document(&bytes, &deps.limits, Some(key)) {
                            Ok(document) => match serde_json::to_vec(&document) {
                                Ok(body) => body,
                                Err(e) => {
                                    return Outcome::failed(format!(
                                        "serialising the document: {e}"
                                    ));
                                }
                            },
                            Err(rejection) => {
                                return reject(job, deps, rejection.to_refusal()).await;
                            }
                        }
                    }
                    None => bytes,
                },
                Ok(None) => {
                    let refusal = Refusal::whole(
                        Code::ObjectGone,
                        format!(
                            "the upload {bucket}/{key}{} is no longer in the bucket",
                            version
                                .map(|v| format!(" (version {v})"))
                                .unwrap_or_default()
                        ),
                    );
                    return reject(job, deps, refusal).await;
                }
                Err(ObjectError::TooLarge { size, limit }) => {
                    let reason = RejectReason::TooLarge {
                        limit,
                        actual: size,
                    };
                    let refusal = Refusal::whole(reason.code(), reason.to_string());
                    return reject(job, deps, refusal).await;
                }
                Err(error @ ObjectError::Transient(_)) => {
                    return Outcome::failed(error.to_string());
                }
                Err(error @ ObjectError::Permanent(_)) => {
                    // Access denied and the like: the deployment's fault, not
                    // the upload's. The message waits in the DLQ for a fix.
                    tracing::error!(%error, "the claim-checked object cannot be read");
                    return Outcome::failed(error.to_string());
                }
            }
        }
    };
    let route = match job.kind {
        UploadKind::Recipe => Route::Recipes,
        UploadKind::Make => match make_route(job, &body) {
            Ok(route) => route,
            Err(refusal) => return reject(job, deps, refusal).await,
        },
    };
    let request = request(job, route, &job.idempotency_key, body);
    match deps.api.send(&request).await {
        Err(error) => Outcome::failed(error.to_string()),
        Ok(response) => match response.verdict() {
            Verdict::Done => Outcome::Stored,
            Verdict::Superseded => Outcome::Superseded,
            Verdict::Retry(reason) => Outcome::failed(reason),
            Verdict::Refused(refusal) => reject(job, deps, refusal).await,
        },
    }
}

/// The seed document of the archive entry `entry`, read out of the
/// archive's `bytes` again ([`shared::parse::archive::read_entry`]); a
/// refusal names the entry, as the watcher's do.
fn entry_body(bytes: &[u8], entry: &str, limits: &Limits) -> Result<Vec<u8>, Refusal> {
    let document =
        shared::parse::archive::read_entry(bytes, entry, limits).map_err(|refusal| Refusal {
            message: format!("the entry {entry:?} of the archive: {}", refusal.message),
            ..refusal
        })?;
    serde_json::to_vec(&document)
        .map_err(|e| Refusal::whole(Code::Refused, format!("serialising the entry: {e}")))
}

/// A write for `job` to `route` under the idempotency key `key`, carrying
/// the job's correlation id, object key and sequencer.
fn request(job: &Job, route: Route, key: &str, body: Vec<u8>) -> ApiRequest {
    ApiRequest {
        route,
        idempotency_key: key.to_owned(),
        correlation_id: job.correlation_id.clone(),
        object_key: job.source.key.clone(),
        object_sequencer: job.source.sequencer.clone(),
        body,
    }
}

/// Where a make goes: its recipe, named by the job or else by the
/// document, read by the domain's parsers ([`RecipeId::parse`],
/// [`RecipeId::from_json`]), which refuse what a URL cannot carry.
fn make_route(job: &Job, body: &[u8]) -> Result<Route, Refusal> {
    let at_id =
        |reason: RejectReason| Refusal::new(reason.code(), reason.to_string(), "$.recipeId");
    let id = match &job.recipe_id {
        Some(id) => RecipeId::parse(id),
        None => {
            let document = serde_json::from_slice::<Value>(body).unwrap_or(Value::Null);
            match document.get("recipeId") {
                None | Some(Value::Null) => Err(RejectReason::Missing {
                    field: "recipeId".into(),
                }),
                Some(value) => RecipeId::from_json(value),
            }
        }
    };
    Ok(Route::Makes(id.map_err(at_id)?.to_string()))
}

/// Records a write the chain refused for good.
async fn reject(job: &Job, deps: &Deps, refusal: Refusal) -> Outcome {
    record(
        job,
        deps,
        wire::rejection_key(&job.idempotency_key).as_str(),
        refusal,
    )
    .await
}

/// Records a rejection under `key`; the message is done only once the
/// rejection is stored, so nothing is lost (invariant 1).
async fn record(job: &Job, deps: &Deps, key: &str, refusal: Refusal) -> Outcome {
    let body = wire::RejectionBody::acceptable(&job.source.key, job.kind, &refusal);
    let code = body.code.clone();
    let body = match serde_json::to_vec(&body) {
        Ok(body) => body,
        Err(error) => return Outcome::failed(format!("recording rejection {code}: {error}")),
    };
    let request = request(job, Route::Rejections, key, body);
    match deps.api.send(&request).await {
        Err(error) => Outcome::failed(format!("recording rejection {code}: {error}")),
        Ok(response) => match response.verdict() {
            Verdict::Done => Outcome::Rejected { code },
            Verdict::Superseded => Outcome::Superseded,
            Verdict::Retry(reason) => {
                Outcome::failed(format!("recording rejection {code}: {reason}"))
            }
            Verdict::Refused(refused) => {
                // It will be refused every time: the message reaches the DLQ.
                tracing::error!(rejection = %code, refused = %refused.code, "the server refused the rejection itself");
                // The code and path say why; the detail may quote the
                // document or the key, and this reason is logged.
                Outcome::failed(format!(
                    "the rejection {code} was itself refused: {} at {}",
                    refused.code, refused.path
                ))
            }
        },
    }
}

/// Tells the server an object was deleted. A deletion is never dropped: if
/// the server refuses it, the message fails until it reaches the DLQ.
async fn delete(job: &Job, deps: &Deps) -> Outcome {
    let body = wire::DeletionBody {
        object_key: job.source.key.clone(),
        kind: job.kind,
        sequencer: job
            .source
            .sequencer
            .clone()
            .filter(|s| wire::sequencer_is_valid(s)),
    };
    let body = match serde_json::to_vec(&body) {
        Ok(body) => body,
        Err(error) => return Outcome::failed(format!("serialising the deletion: {error}")),
    };
    let request = request(job, Route::Deletions, &job.idempotency_key, body);
    match deps.api.send(&request).await {
        Err(error) => Outcome::failed(error.to_string()),
        Ok(response) => match response.verdict() {
            Verdict::Done | Verdict::Superseded => Outcome::Deleted,
            Verdict::Retry(reason) => Outcome::failed(reason),
            Verdict::Refused(refused) => {
                tracing::error!(refused = %refused.code, "the server refused a deletion");
                // The detail may quote the key: the code and path only.
                Outcome::failed(format!(
                    "the deletion was refused: {} at {}",
                    refused.code, refused.path
                ))
            }
        },
    }
}
