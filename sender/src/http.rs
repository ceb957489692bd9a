//! [`RecipeApi`] over HTTP: reqwest with timeouts on every call, signed
//! with the local write token or (in AWS) SigV4.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

use shared::ports::api::{ApiRequest, ApiResponse, RecipeApi, TransportError, TransportErrorKind};
use shared::wire;

/// How long one call may take, connection included, unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long connecting may take, at most (less when the whole call may take less).
pub const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

const USER_AGENT: &str = concat!("recipe-diff-sender/", env!("CARGO_PKG_VERSION"));

/// How requests prove they come from the chain (invariant 5).
pub enum Signer {
    /// `Authorization: Bearer <token>`: the local chain's write token.
    Bearer(String),
    /// AWS Signature Version 4 for API Gateway's IAM authorizer.
    #[cfg(feature = "lambda")]
    SigV4(crate::sigv4::SigV4Signer),
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Signer::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            #[cfg(feature = "lambda")]
            Signer::SigV4(signer) => f.debug_tuple("SigV4").field(signer).finish(),
        }
    }
}

/// The base URL is unusable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupError(String);

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SetupError {}

/// The recipe server over HTTP(S).
#[derive(Debug)]
pub struct HttpApi {
    client: reqwest::Client,
    /// The base URL without a trailing slash (it may carry a stage path).
    base: String,
    signer: Signer,
}

impl HttpApi {
    /// A client for the server at `base_url` (`https://…execute-api…/` or
    /// `http://127.0.0.1:8080`), giving every call at most `timeout`.
    pub fn new(base_url: &str, signer: Signer, timeout: Duration) -> Result<Self, SetupError> {
        let url = reqwest::Url::parse(base_url)
            .map_err(|e| SetupError(format!("the API URL {base_url:?} is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(SetupError(format!(
                "the API URL {base_url:?} must be http(s)://host[:port][/stage]"
            )));
        }
        // Writes carry signatures and documents: in clear text only to this
        // machine.
        if url.scheme() == "http" && !is_loopback(&url) {
            return Err(SetupError(format!(
                "the API URL {base_url:?} must be https: http:// is allowed only to this machine (127.0.0.1, ::1 or localhost)"
            )));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(SetupError(format!(
                "the API URL {base_url:?} must not have a query or a fragment"
            )));
        }
        if timeout.is_zero() {
            return Err(SetupError("the API timeout must be more than zero".into()));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(timeout.min(MAX_CONNECT_TIMEOUT))
            .timeout(timeout)
            // A redirected POST would be replayed as a GET: never follow one.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| SetupError(format!("building the HTTP client: {e}")))?;
        Ok(Self {
            client,
            base: url.as_str().trim_end_matches('/').to_owned(),
            signer,
        })
    }
}

/// Whether `url` names this machine.
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A call that got no answer, as the logs may show it: reqwest's message
/// says `for url (…)`, and the URL of a make names its recipe
/// (`/recipes/{recipeId}/makes`), so the URL is taken out first.
fn transport(error: reqwest::Error) -> TransportError {
    let error = error.without_url();
    let kind = if error.is_timeout() {
        TransportErrorKind::Timeout
    } else if error.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Other
    };
    // The source chain says why (connection refused, …); Display alone does not.
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    TransportError::new(kind, message)
}

#[async_trait]
impl RecipeApi for HttpApi {
    async fn send(&self, request: &ApiRequest) -> Result<ApiResponse, TransportError> {
        let url = format!("{}{}", self.base, request.route.path());
        // The headers the signature covers (with the method, URI, host and body).
        let signed: [(&str, &str); 2] = [
            ("content-type", "application/json"),
            (wire::header::IDEMPOTENCY_KEY, &request.idempotency_key),
        ];
        let mut builder = self.client.post(&url);
        for (name, value) in signed {
            builder = builder.header(name, value);
        }
        builder = builder.header(wire::header::CORRELATION_ID, &request.correlation_id);
        match wire::object_key_header(&request.object_key) {
            Some(key) => builder = builder.header(wire::header::OBJECT_KEY, key),
            None => tracing::warn!(
                key = %shared::object_id::logged(&request.object_key),
                "the server would refuse this object key; sent without X-Object-Key"
            ),
        }
        if let Some(sequencer) = &request.object_sequencer {
            if wire::sequencer_is_valid(sequencer) {
                builder = builder.header(wire::header::OBJECT_SEQUENCER, sequencer);
            } else {
                tracing::warn!(%sequencer, "the server would refuse this sequencer; sent without X-Object-Sequencer");
            }
        }
        match &self.signer {
            Signer::Bearer(token) => builder = builder.bearer_auth(token),
            #[cfg(feature = "lambda")]
            Signer::SigV4(signer) => {
                for (name, value) in signer.sign("POST", &url, &signed, &request.body).await? {
                    builder = builder.header(name, value);
                }
            }
        }
        let response = builder
            .body(request.body.clone())
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(transport)?;
        Ok(ApiResponse {
            status,
            body: body.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked() {
        let ok = |url| HttpApi::new(url, Signer::Bearer("t".into()), DEFAULT_TIMEOUT);
        assert_eq!(
            ok("https://abc.execute-api.eu-west-1.amazonaws.com/prod/")
                .map(|api| api.base)
                .ok(),
            Some("https://abc.execute-api.eu-west-1.amazonaws.com/prod".to_owned())
        );
        assert!(ok("http://127.0.0.1:8080").is_ok());
        assert!(ok("http://localhost:8080/").is_ok());
        assert!(ok("http://[::1]:8080").is_ok());
        for clear in [
            "http://example.com",
            "http://10.0.0.1:8080",
            "http://localhost.example.com",
        ] {
            let refused = ok(clear).map(|_| ()).expect_err(clear);
            assert!(
                refused.to_string().contains("must be https"),
                "{clear}: {refused}"
            );
        }
        assert!(ok("ftp://example.com").is_err());
        assert!(ok("not a url").is_err());
        assert!(ok("https://example.com/?q=1").is_err());
        assert!(
            HttpApi::new(
                "http://127.0.0.1",
                Signer::Bearer("t".into()),
                Duration::ZERO
            )
            .is_err_and(|e| e.to_string().contains("timeout"))
        );
    }

    #[test]
    fn the_token_is_not_in_debug_output() {
        assert!(!format!("{:?}", Signer::Bearer("secret".into())).contains("secret"));
    }
}
