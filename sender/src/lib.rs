//! The sender: SQS batches of jobs become signed calls to the recipe
//! server.
//!
//! Each message carries a [`Job`](shared::job::Job). A recipe goes to
//! `POST /recipes`, a make to `POST /recipes/{recipeId}/makes`, and an
//! upload the watcher refused to `POST /rejections`, each with the job's
//! `Idempotency-Key`, so that redelivery never repeats an effect. What the
//! server answers decides the message's fate ([`shared::wire::Verdict`],
//! from each code's [`Handling`](shared::refusal::Handling)):
//!
//! | answer | the message |
//! |---|---|
//! | 2xx | done |
//! | no answer, timeout, 5xx, 429, 408, 401/403, 404 `recipe-not-found` | failed: the queue delivers it again |
//! | 410 `object-deleted` | done: the object was deleted after the upload |
//! | any other 4xx | recorded as a rejection through the API, then done |
//!
//! [`process_batch`] returns exactly the failed message ids, for SQS's
//! partial batch response; [`handle_event`] wraps it for Lambda.

mod config;
mod http;
mod process;
#[cfg(feature = "lambda")]
mod sigv4;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};

pub use config::Config;
pub use http::{DEFAULT_TIMEOUT, HttpApi, MAX_CONNECT_TIMEOUT, SetupError, Signer};
pub use process::{
    DEFAULT_CONCURRENCY, Deps, Message, Outcome, process_batch, process_job, process_message,
};
pub use shared::ports::api::{
    ApiRequest, ApiResponse, RecipeApi, TransportError, TransportErrorKind,
};
pub use shared::wire::Route;
#[cfg(feature = "lambda")]
pub use sigv4::{SERVICE, SigV4Signer};

/// The SQS attribute that counts deliveries.
const RECEIVE_COUNT: &str = "ApproximateReceiveCount";

/// An SQS record without a message id: it cannot be reported as failed on
/// its own, so the whole batch fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingMessageId;

impl std::fmt::Display for MissingMessageId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an SQS record has no messageId; the whole batch is retried")
    }
}

impl std::error::Error for MissingMessageId {}

impl Message {
    /// The message an SQS record carries. A record without a body becomes
    /// an empty body (which fails, and reaches the DLQ).
    pub fn from_sqs(record: SqsMessage) -> Result<Self, MissingMessageId> {
        let id = record.message_id.ok_or(MissingMessageId)?;
        let receive_count = record
            .attributes
            .get(RECEIVE_COUNT)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        Ok(Self {
            id,
            body: record.body.unwrap_or_default(),
            receive_count,
        })
    }
}

/// The Lambda handler: processes an SQS event and names the messages that
/// failed in `batchItemFailures` (the event source mapping needs
/// `ReportBatchItemFailures`).
pub async fn handle_event(
    event: SqsEvent,
    deps: &Deps,
) -> Result<SqsBatchResponse, MissingMessageId> {
    let messages = event
        .records
        .into_iter()
        .map(Message::from_sqs)
        .collect::<Result<Vec<_>, _>>()?;
    let count = messages.len();
    let failed = process_batch(messages, deps).await;
    tracing::info!(messages = count, failed = failed.len(), "batch processed");
    let mut response = SqsBatchResponse::default();
    response.set_failures(failed);
    Ok(response)
}
