//! The port the sender writes through (its HTTP adapter is the sender's
//! `http` module): one call to the recipe server, as
//! status and body, or the reason no answer came back.

use std::fmt;

use async_trait::async_trait;

use crate::wire::{Route, Verdict};

/// One write to the recipe server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiRequest {
    /// Where it goes.
    pub route: Route,
    /// The `Idempotency-Key` header: the same key, the same effect.
    pub idempotency_key: String,
    /// The `X-Correlation-Id` header: follows the job through the logs.
    pub correlation_id: String,
    /// The `X-Object-Key` header: the bucket key the upload came from, as
    /// decoded (the HTTP adapter percent-encodes it).
    pub object_key: String,
    /// The `X-Object-Sequencer` header: the upload's place in the order of
    /// events on its key, when known.
    pub object_sequencer: Option<String>,
    /// The JSON body.
    pub body: Vec<u8>,
}

/// The server's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The body, as sent.
    pub body: Vec<u8>,
}

impl ApiResponse {
    /// What the answer means for the write ([`Verdict::of_answer`]).
    pub fn verdict(&self) -> Verdict {
        Verdict::of_answer(self.status, &self.body)
    }
}

/// What kind of transport failure happened. Every kind is transient: the
/// message is retried later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// No connection could be made (nothing listening, DNS, TLS).
    Connect,
    /// The call took longer than the timeout.
    Timeout,
    /// The request could not be signed (no credentials yet).
    Signing,
    /// Anything else between sending the request and reading the body.
    Other,
}

/// No answer came back from the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportError {
    /// What kind of failure.
    pub kind: TransportErrorKind,
    /// What happened, for the logs.
    pub message: String,
}

impl TransportError {
    /// A transport error of `kind`.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Signing => "could not sign the request",
            TransportErrorKind::Other => "the call failed",
        };
        write!(f, "{kind}: {}", self.message)
    }
}

impl std::error::Error for TransportError {}

/// The recipe server, as the sender sees it: HTTP in production and the
/// local chain, fakes in tests.
#[async_trait]
pub trait RecipeApi: Send + Sync {
    /// Performs one write and returns the server's answer, whatever its
    /// status; `Err` only when no answer came back.
    async fn send(&self, request: &ApiRequest) -> Result<ApiResponse, TransportError>;
}
