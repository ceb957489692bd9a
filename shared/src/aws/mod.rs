//! The AWS adapters of the watcher's ports: [`S3Objects`] reads uploads from
//! a bucket, [`SqsJobs`] puts jobs on a queue. Both take SDK clients built
//! once by the caller, so tests point them at moto with an endpoint override.

mod s3;
mod sqs;

/// Structured JSON logs for a Lambda function: one line per event, the
/// current span's fields (the correlation id) on each, no timestamp (Lambda
/// adds one), the level from `RUST_LOG` (default `info`). Call once at start.
pub fn init_lambda_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .without_time()
        .try_init();
}

pub use s3::S3Objects;
pub use sqs::{Backoff, SqsJobs};

/// Whether a service error is worth retrying: throttling, timeouts and
/// server faults are; anything else (access denied, a missing queue, a bad
/// request) will fail the same way again.
pub(crate) fn is_transient(status: u16, code: Option<&str>) -> bool {
    status >= 500
        || status == 429
        || matches!(
            code,
            Some(
                "SlowDown"
                    | "Throttling"
                    | "ThrottlingException"
                    | "RequestThrottled"
                    | "RequestLimitExceeded"
                    | "RequestTimeout"
                    | "RequestTimeoutException"
                    | "InternalError"
                    | "InternalFailure"
                    | "ServiceUnavailable"
                    | "KMS.ThrottlingException"
            )
        )
}

#[cfg(test)]
mod tests {
    use super::is_transient;

    #[test]
    fn throttling_and_server_faults_are_transient_and_refusals_are_not() {
        assert!(is_transient(503, Some("SlowDown")));
        assert!(is_transient(500, None));
        assert!(is_transient(400, Some("RequestThrottled")));
        assert!(is_transient(400, Some("RequestTimeout")));
        assert!(is_transient(429, None));
        assert!(!is_transient(403, Some("AccessDenied")));
        assert!(!is_transient(
            400,
            Some("AWS.SimpleQueueService.NonExistentQueue")
        ));
        assert!(!is_transient(403, None));
    }
}
