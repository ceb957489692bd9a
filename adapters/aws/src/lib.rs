//! The AWS adapters of the domain's ports: [`S3Objects`] reads uploads from
//! a bucket, [`SqsJobs`] puts jobs on a queue, [`DynamoStore`] keeps
//! recipes, makes and rejections in one table; [`S3Forms`] signs the
//! dashboard's upload forms; [`S3Purge`], [`SqsDeadLetters`] and
//! [`SqsFailedEvents`] remove what an erasure takes, and [`S3Journal`]
//! records each erasure where a restore of the table cannot undo it. Each takes an SDK client
//! built once by the caller, so tests point them at moto with an endpoint
//! override. Features (`s3`, `sqs`, `dynamodb`; all by default) let each
//! function link only the SDKs it uses.

#[cfg(feature = "sqs")]
mod dead_letters;
#[cfg(any(feature = "s3", feature = "sqs", feature = "dynamodb"))]
mod described;
#[cfg(feature = "dynamodb")]
mod dynamo;
#[cfg(feature = "s3")]
mod forms;
#[cfg(feature = "s3")]
mod journal;
#[cfg(feature = "s3")]
mod s3;
#[cfg(feature = "sqs")]
mod sqs;
#[cfg(any(feature = "s3", feature = "sqs", feature = "dynamodb"))]
mod transient;

/// Structured JSON logs for a Lambda function: one line per event, the
/// current span's fields (the correlation id) on each, no timestamp (Lambda
/// adds one), the lines `settings.filter` lets through (the function's
/// `RUST_LOG`; `info` when it is unset or malformed); panics logged by
/// [`init_panic_log`]. Object keys and ids are named by keyed hashes under
/// `settings.ids` (the function's `LOG_ID_SECRET`:
/// [`shared::object_id::logged`]), so that every function names one object
/// alike; without it, by a secret of the process. The logs' secret is not
/// the tombstones' (`OBJECT_ID_SECRET`, the recipe server's alone): what
/// reads a log line cannot recognise a tombstone. Call once at start, with
/// the settings of the function's `Config`: nothing here reads the
/// environment.
pub fn init_lambda_logs(settings: shared::object_id::LogSettings) {
    init_panic_log();
    if let Some(ids) = settings.ids {
        shared::object_id::set_log_ids(ids);
    }
    let filter = settings
        .filter
        .as_deref()
        .and_then(|text| tracing_subscriber::EnvFilter::try_new(text).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .without_time()
        .try_init();
}

/// Logs every panic as one error line: where it happened (source file and
/// line) and the pseudonym of its message
/// ([`shared::object_id::logged_panic`]), never the message itself, which
/// may quote the data being handled (a string-slicing panic quotes up to
/// 256 bytes of it). It replaces Rust's default hook, which prints the
/// message to stderr, and so into the function's log.
pub fn init_panic_log() {
    std::panic::set_hook(Box::new(|info| {
        let (location, message) = shared::object_id::logged_panic_at(info);
        tracing::error!(%location, panic = %message, "panicked");
    }));
}

#[cfg(feature = "sqs")]
pub use dead_letters::{SqsDeadLetters, SqsFailedEvents};
#[cfg(feature = "dynamodb")]
pub use dynamo::DynamoStore;
#[cfg(feature = "s3")]
pub use forms::S3Forms;
#[cfg(feature = "s3")]
pub use journal::S3Journal;
#[cfg(feature = "s3")]
pub use s3::{S3Objects, S3Purge};
#[cfg(feature = "sqs")]
pub use sqs::{Backoff, SqsJobs};
