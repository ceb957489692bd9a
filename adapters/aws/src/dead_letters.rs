//! [`JobPurge`] on an SQS dead-letter queue: an erasure receives every
//! message, deletes the jobs that would bring the erased data back, and
//! makes the others visible again.
//!
//! SQS removes one message only through its receipt handle, so the queue
//! is read through: each message seen is kept invisible until the scan
//! ends (so that the scan does not see it twice), and then released. The
//! jobs queue itself is not scanned: its messages are in flight with the
//! sender, and a job there that names an erased object is refused by the
//! store's tombstone when it arrives.

use std::collections::HashSet;

use async_trait::async_trait;
use aws_sdk_sqs::Client;

use crate::described::describe;
use crate::transient::sdk_error_is_transient;
use shared::job::Job;
use shared::model::RecipeId;
use shared::ports::{JobPurge, QueueError};

/// How long a message seen by a scan stays invisible, in seconds: longer
/// than a scan takes.
const HOLD_SECONDS: i32 = 120;
/// The most messages one scan reads (a dead-letter queue that deep is an
/// incident of its own).
const MAX_SCANNED: usize = 100_000;

/// The dead-letter queue at one URL.
#[derive(Clone, Debug)]
pub struct SqsDeadLetters {
    client: Client,
    queue_url: String,
}

impl SqsDeadLetters {
    /// Scans the queue at `queue_url` with `client`.
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }
}

fn failed<E>(doing: &str, err: &aws_sdk_sqs::error::SdkError<E>) -> QueueError
where
    E: aws_sdk_sqs::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    QueueError::Transient {
        failed: 0,
        total: 0,
        reason: format!(
            "{doing}: {}{}",
            describe(err),
            if sdk_error_is_transient(err) {
                ""
            } else {
                " (not transient)"
            }
        ),
    }
}

#[async_trait]
impl JobPurge for SqsDeadLetters {
    async fn purge_jobs(
        &self,
        recipe_id: Option<&RecipeId>,
        object_keys: &[String],
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
                .map_err(|e| failed("reading the dead letters", &e))?;
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
                let names = message
                    .body
                    .as_deref()
                    .and_then(|body| serde_json::from_str::<Job>(body).ok())
                    .is_some_and(|job| job.names(recipe_id, object_keys));
                if names {
                    self.client
                        .delete_message()
                        .queue_url(&self.queue_url)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .map_err(|e| failed("removing a dead letter", &e))?;
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
                .map_err(|e| failed("releasing a dead letter", &e))?;
        }
        Ok(removed)
    }
}
