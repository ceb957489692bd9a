//! What is worth retrying, for every AWS adapter: one definition, so that
//! S3, SQS and DynamoDB failures are told apart by the same rule.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Whether a service error is worth retrying: throttling, timeouts, server
/// faults and a transaction still in progress are; anything else (access
/// denied, a missing queue, a failed condition, a bad request) will fail the
/// same way again.
pub(crate) fn is_transient(status: u16, code: Option<&str>) -> bool {
    status >= 500
        || status == 429
        || matches!(
            code,
            Some(
                "SlowDown"
                    | "Throttling"
                    | "ThrottlingException"
                    | "ProvisionedThroughputExceededException"
                    | "RequestThrottled"
                    | "RequestLimitExceeded"
                    | "RequestTimeout"
                    | "RequestTimeoutException"
                    | "InternalError"
                    | "InternalFailure"
                    | "InternalServerError"
                    | "ServiceUnavailable"
                    | "TransactionInProgressException"
                    | "KMS.ThrottlingException"
            )
        )
}

/// Whether a failed SDK call is worth retrying: a transient service error
/// ([`is_transient`]), or no answer at all (a timeout, the network, a
/// response that could not be read). The three SDKs share this error type.
pub(crate) fn sdk_error_is_transient<E: ProvideErrorMetadata>(
    err: &SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> bool {
    match err {
        SdkError::ServiceError(context) => {
            is_transient(context.raw().status().as_u16(), context.err().code())
        }
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        _ => false,
    }
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

    #[test]
    fn dynamodb_throttling_and_busy_transactions_are_transient() {
        assert!(is_transient(
            400,
            Some("ProvisionedThroughputExceededException")
        ));
        assert!(is_transient(400, Some("TransactionInProgressException")));
        assert!(!is_transient(400, Some("ConditionalCheckFailedException")));
        assert!(!is_transient(400, Some("ValidationException")));
    }
}
