//! How a failed SDK call is told in error messages, and so in the logs:
//! one definition for S3, SQS and DynamoDB, so that none of them quotes
//! what the call was about.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// The response headers that carry the id AWS knows a request by, in the
/// spellings of S3 and of the JSON protocols (SQS, DynamoDB).
const REQUEST_ID_HEADERS: [&str; 3] = ["x-amz-request-id", "x-amzn-requestid", "x-amzn-request-id"];

/// A failed call as error messages tell it: its kind (the HTTP status and
/// the service's error code, a timeout, the network and how it failed),
/// and the request id to ask AWS about, so that operators still see
/// throttling, 503s, timeouts and refusals.
///
/// Never the service's message or the raw response: an S3 error body names
/// the object key (`<Key>`, `<Resource>`), an access-denied message names
/// the object's ARN, DynamoDB's cancellation reasons may hold an item, and
/// the error's `Debug` (which `DisplayErrorContext` appends) holds the whole
/// raw response, body included.
pub(crate) fn describe<E>(err: &SdkError<E, Response>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match err {
        SdkError::ServiceError(context) => {
            let code = context.err().code().unwrap_or("(no error code)");
            format!(
                "HTTP {} {code}{}",
                context.raw().status().as_u16(),
                request_id(context.raw())
            )
        }
        SdkError::TimeoutError(_) => "timed out".to_owned(),
        SdkError::DispatchFailure(failure) => {
            let what = if failure.is_timeout() {
                "timed out before an answer"
            } else if failure.is_io() {
                "network failure"
            } else if failure.is_user() {
                "the request could not be sent (a client-side error)"
            } else {
                "the request could not be sent"
            };
            match io_kind(err) {
                Some(kind) => format!("{what} ({kind})"),
                None => what.to_owned(),
            }
        }
        SdkError::ResponseError(context) => format!(
            "the answer could not be read (HTTP {}{})",
            context.raw().status().as_u16(),
            request_id(context.raw())
        ),
        SdkError::ConstructionFailure(_) => "the request could not be built".to_owned(),
        _ => "the call failed".to_owned(),
    }
}

/// `, request <id>` when the response names its request, else nothing. Only
/// an id's characters are shown: a header is the server's to fill.
fn request_id(response: &Response) -> String {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| response.headers().get(*name))
        .filter(|id| {
            !id.is_empty()
                && id.len() <= 128
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'/' | b'='))
        })
        .map(|id| format!(", request {id}"))
        .unwrap_or_default()
}

/// The kind of the I/O error under a failure, if any ("connection refused"):
/// an enumeration, so it quotes nothing.
pub(crate) fn io_kind(err: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut source = Some(err);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = cause.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use aws_smithy_runtime_api::client::result::{ConnectorError, SdkError};
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    use super::*;

    /// A service error as the SDK builds it from `body`, with `code`.
    fn service_error(status: u16, code: &str, body: &str) -> SdkError<ErrorMetadata, Response> {
        let mut raw = Response::new(
            StatusCode::try_from(status).expect("a status"),
            SdkBody::from(body.to_owned()),
        );
        raw.headers_mut()
            .insert("x-amz-request-id", "4442587FB7D0A2F9");
        let meta = ErrorMetadata::builder()
            .code(code)
            .message(format!("about {body}"))
            .build();
        SdkError::service_error(meta, raw)
    }

    #[test]
    fn a_service_error_is_told_by_status_code_and_request_never_by_its_body() {
        let body = "<Error><Code>SlowDown</Code><Resource>/b/makes/anna.json</Resource></Error>";
        let told = describe(&service_error(503, "SlowDown", body));
        assert_eq!(told, "HTTP 503 SlowDown, request 4442587FB7D0A2F9");
    }

    #[test]
    fn no_answer_is_told_by_its_kind() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "to anna");
        let err: SdkError<ErrorMetadata, Response> =
            SdkError::dispatch_failure(ConnectorError::io(Box::new(refused)));
        let told = describe(&err);
        assert!(told.starts_with("network failure"), "{told}");
        assert!(!told.contains("anna"), "{told}");
        let err: SdkError<ErrorMetadata, Response> = SdkError::timeout_error("no answer from anna");
        assert_eq!(describe(&err), "timed out");
    }
}
