//! SigV4 signing for API Gateway's IAM authorizer (service `execute-api`),
//! with the function's role credentials, session token included.

use std::fmt;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use tokio::sync::Mutex;

use shared::ports::api::{TransportError, TransportErrorKind};

/// The service API Gateway checks signatures for.
pub const SERVICE: &str = "execute-api";

/// Credentials are fetched again when they expire sooner than this.
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);

/// Signs requests with SigV4.
pub struct SigV4Signer {
    provider: SharedCredentialsProvider,
    region: String,
    clock: fn() -> SystemTime,
    /// The provider may be slow (a network call); its answer is kept until
    /// it is about to expire.
    cached: Mutex<Option<Credentials>>,
}

impl fmt::Debug for SigV4Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigV4Signer")
            .field("service", &SERVICE)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl SigV4Signer {
    /// A signer for `region` with credentials from `provider` (in Lambda,
    /// the function's role, from `aws_config`).
    pub fn new(provider: SharedCredentialsProvider, region: impl Into<String>) -> Self {
        Self {
            provider,
            region: region.into(),
            clock: SystemTime::now,
            cached: Mutex::new(None),
        }
    }

    /// The same signer with its clock replaced: for tests that check a
    /// signature computed at a known time.
    pub fn with_clock(mut self, clock: fn() -> SystemTime) -> Self {
        self.clock = clock;
        self
    }

    async fn credentials(&self) -> Result<Credentials, TransportError> {
        let mut cached = self.cached.lock().await;
        let now = (self.clock)();
        let fresh = |c: &Credentials| {
            c.expiry()
                .is_none_or(|expiry| expiry > now + REFRESH_BEFORE_EXPIRY)
        };
        if let Some(credentials) = cached.as_ref().filter(|c| fresh(c)) {
            return Ok(credentials.clone());
        }
        let credentials = self.provider.provide_credentials().await.map_err(|e| {
            TransportError::new(
                TransportErrorKind::Signing,
                format!("no credentials to sign with: {e}"),
            )
        })?;
        *cached = Some(credentials.clone());
        Ok(credentials)
    }

    /// The headers that sign a request (`authorization`, `x-amz-date`,
    /// `x-amz-security-token`): the signature covers the method, the URI,
    /// `host` (from the URL), the `headers` given, and the body's hash.
    pub async fn sign(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Vec<(&'static str, String)>, TransportError> {
        let signing_error = |what: &str, e: &dyn fmt::Display| {
            TransportError::new(TransportErrorKind::Signing, format!("{what}: {e}"))
        };
        let identity = self.credentials().await?.into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(SERVICE)
            .time((self.clock)())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| signing_error("signing parameters", &e))?
            .into();
        let request = SignableRequest::new(
            method,
            url,
            headers.iter().copied(),
            SignableBody::Bytes(body),
        )
        .map_err(|e| signing_error("the request cannot be signed", &e))?;
        let (instructions, _signature) = sign(request, &params)
            .map_err(|e| signing_error("signing", &e))?
            .into_parts();
        let (headers, _query) = instructions.into_parts();
        Ok(headers
            .into_iter()
            .map(|h| (h.name(), h.value().to_owned()))
            .collect())
    }
}
