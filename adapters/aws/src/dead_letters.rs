//! [`JobPurge`] on the SQS queues that keep what failed: an erasure reads
//! such a queue through, deletes the messages that would bring the erased
//! data back (or that name its objects), and makes the others visible
//! again. Two queues, one scan ([`ReadThrough`]):
//!
//! - the jobs' dead-letter queue ([`SqsDeadLetters`]): jobs;
//! - the watcher's failure queue ([`SqsFailedEvents`]): the records Lambda
//!   sends to the watcher's on-failure destination, each holding the S3
//!   event that failed, with its raw object keys.
//!
//! SQS removes one message only through its receipt handle, so a queue
//! is read through: each message seen is kept invisible until the scan
//! ends (so that the scan does not see it twice), and then released. The
//! jobs queue itself is not scanned: its messages are in flight with the
//! sender, and a job there that names an erased object is refused by the
//! store's tombstone when it arrives.

use std::collections::HashSet;

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use serde_json::Value;

use crate::described::describe;
use crate::transient::sdk_error_is_transient;
use shared::job::Job;
use shared::keys::{RECIPES_PREFIX, decode_key, recipe_id_from_key};
use shared::model::RecipeId;
use shared::ports::{JobPurge, QueueError};

/// How long a message seen by a scan stays invisible, in seconds: longer
/// than a scan takes.
const HOLD_SECONDS: i32 = 120;
/// The most messages one scan reads (a dead-letter queue that deep is an
/// incident of its own).
const MAX_SCANNED: usize = 100_000;

/// One queue read through by an erasure: what the two purges share.
#[derive(Clone, Debug)]
struct ReadThrough {
    client: Client,
    queue_url: String,
    /// What the queue holds, for error messages ("the dead letters").
    holds: &'static str,
}

impl ReadThrough {
    fn failed<E>(&self, doing: &str, err: &aws_sdk_sqs::error::SdkError<E>) -> QueueError
    where
        E: aws_sdk_sqs::error::ProvideErrorMetadata + std::error::Error + 'static,
    {
        QueueError::Transient {
            failed: 0,
            total: 0,
            reason: format!(
                "{doing} {}: {}{}",
                self.holds,
                describe(err),
                if sdk_error_is_transient(err) {
                    ""
                } else {
                    " (not transient)"
                }
            ),
        }
    }

    /// Deletes every message whose body `doomed` says must go, releases
    /// the others; answers how many went.
    async fn remove_where(
        &self,
        doomed: impl Fn(&str) -> bool + Send + Sync,
    ) -> Result<u64, QueueError> {
        let mut seen = HashSet::new();
        let mut held = Vec::new();
        let mut removed = 0;
        while seen.len() < MAX_SCANNED {
            let received = self
                .client
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .visibility_timeout(HOLD_SECONDS)
                // Long polling asks every server, so an empty answer means
                // an empty queue (of visible messages).
                .wait_time_seconds(1)
                .send()
                .await
                .map_err(|e| self.failed("reading", &e))?;
            let messages = received.messages.unwrap_or_default();
            if messages.is_empty() {
                break;
            }
            for message in messages {
                let (Some(id), Some(handle)) = (message.message_id, message.receipt_handle) else {
                    continue;
                };
                if !seen.insert(id) {
                    continue;
                }
                if message.body.as_deref().is_some_and(&doomed) {
                    self.client
                        .delete_message()
                        .queue_url(&self.queue_url)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .map_err(|e| self.failed("removing one of", &e))?;
                    removed += 1;
                } else {
                    held.push(handle);
                }
            }
        }
        // The others go back as they were.
        for handle in held {
            self.client
                .change_message_visibility()
                .queue_url(&self.queue_url)
                .receipt_handle(handle)
                .visibility_timeout(0)
                .send()
                .await
                .map_err(|e| self.failed("releasing one of", &e))?;
        }
        Ok(removed)
    }
}

/// The dead-letter queue at one URL.
#[derive(Clone, Debug)]
pub struct SqsDeadLetters {
    queue: ReadThrough,
}

impl SqsDeadLetters {
    /// Scans the queue at `queue_url` with `client`.
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            queue: ReadThrough {
                client,
                queue_url: queue_url.into(),
                holds: "the dead letters",
            },
        }
    }
}

#[async_trait]
impl JobPurge for SqsDeadLetters {
    async fn purge_jobs(
        &self,
        recipe_id: Option<&RecipeId>,
        object_keys: &[String],
    ) -> Result<u64, QueueError> {
        self.queue
            .remove_where(|body| {
                serde_json::from_str::<Job>(body).is_ok_and(|job| job.names(recipe_id, object_keys))
            })
            .await
    }
}

/// The watcher's failure queue at one URL: the on-failure destination of
/// its asynchronous invocations. Each message is a record Lambda writes
/// when an S3 event failed every attempt:
///
/// ```json
/// {"version": "1.0", "timestamp": "…",
///  "requestContext": {"requestId": "…", "functionArn": "…",
///                     "condition": "RetriesExhausted", "approximateInvokeCount": 3},
///  "requestPayload": {"Records": [{"s3": {"bucket": {"name": "…"},
///                                         "object": {"key": "makes/…", …}}, …}]},
///  "responseContext": {"statusCode": 200, "executedVersion": "$LATEST",
///                      "functionError": "Unhandled"},
///  "responsePayload": {"errorMessage": "…", "errorType": "…"}}
/// ```
///
/// A record goes when one of its event's object keys (form-encoded, as
/// S3 writes them) is an erased object, or, for a recipe's erasure, a
/// `recipes/` key that names the recipe.
#[derive(Clone, Debug)]
pub struct SqsFailedEvents {
    queue: ReadThrough,
}

impl SqsFailedEvents {
    /// Scans the queue at `queue_url` with `client`.
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            queue: ReadThrough {
                client,
                queue_url: queue_url.into(),
                holds: "the watcher's failed events",
            },
        }
    }
}

/// The object keys of the S3 event a failure record holds, decoded.
fn failed_event_keys(body: &str) -> Vec<String> {
    let Ok(record) = serde_json::from_str::<Value>(body) else {
        return Vec::new();
    };
    let records = record
        .pointer("/requestPayload/Records")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    records
        .iter()
        .filter_map(|r| r.pointer("/s3/object/key").and_then(Value::as_str))
        .map(|key| decode_key(key).unwrap_or_else(|lossy| lossy))
        .collect()
}

/// Whether a failure record's event names what an erasure takes.
fn names_erased(body: &str, recipe_id: Option<&RecipeId>, object_keys: &[String]) -> bool {
    failed_event_keys(body).iter().any(|key| {
        object_keys.contains(key)
            || recipe_id.is_some_and(|recipe_id| {
                key.starts_with(RECIPES_PREFIX)
                    && recipe_id_from_key(key).as_ref() == Some(recipe_id)
            })
    })
}

#[async_trait]
impl JobPurge for SqsFailedEvents {
    async fn purge_jobs(
        &self,
        recipe_id: Option<&RecipeId>,
        object_keys: &[String],
    ) -> Result<u64, QueueError> {
        self.queue
            .remove_where(|body| names_erased(body, recipe_id, object_keys))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A failure record as Lambda sends it to an on-failure destination
    /// (the shape as documented for asynchronous invocation; built from
    /// that knowledge, not fetched), for an S3 event of `keys`.
    fn record(keys: &[&str]) -> String {
        let records: Vec<Value> = keys
            .iter()
            .map(|key| serde_json::json!({"s3": {"object": {"key": key}}}))
            .collect();
        serde_json::json!({
            "version": "1.0",
            "requestContext": {"condition": "RetriesExhausted"},
            "requestPayload": {"Records": records},
        })
        .to_string()
    }

    #[test]
    fn a_failed_event_is_erased_by_its_decoded_keys_or_the_recipe_they_name() {
        let pie = RecipeId::parse("apple pie").expect("an id");
        let erased = ["makes/sunday dinner.json".to_owned()];
        for (keys, recipe, doomed) in [
            (&["makes/sunday+dinner.json"][..], None, true),
            (&["makes%2Fsunday+dinner.json"][..], None, true),
            (
                &["makes/other.json", "makes/sunday+dinner.json"][..],
                None,
                true,
            ),
            (&["makes/other.json"][..], None, false),
            (&["recipes/apple+pie.json"][..], Some(&pie), true),
            (&["recipes/apple+pie.json"][..], None, false),
            (&["makes/apple+pie.json"][..], Some(&pie), false),
        ] {
            assert_eq!(
                names_erased(&record(keys), recipe, &erased),
                doomed,
                "{keys:?} {recipe:?}"
            );
        }
        for body in ["not JSON", "{}", r#"{"requestPayload": {"Records": 3}}"#] {
            assert!(!names_erased(body, Some(&pie), &erased), "{body}");
        }
    }
}
