//! The web adapter: [`GuardedFetcher`] fetches the recipe pages cooks link
//! to (`POST /imports`), guarded against server-side request forgery.
//!
//! - Only `http` and `https` URLs with a host, and no user or password.
//! - A name is resolved once; every address it resolves to must be a
//!   public unicast one ([`shared::ports::pages::refused_class`]), and the
//!   connection goes to the addresses checked (pinned with reqwest's
//!   `resolve_to_addrs`), so a second lookup cannot swap in another.
//! - Redirects are followed by hand, at most [`MAX_REDIRECTS`], each hop
//!   checked as the first.
//! - Connect and total timeouts, a body cap (read in chunks, stopped at
//!   the cap), the media types of a web page or a JSON document only.
//! - A User-Agent that names the product.
//!
//! For tests only, one named host may be allowed to resolve to loopback
//! ([`GuardedFetcher::allowing_loopback_host`]), so that the happy path
//! runs against a page server on 127.0.0.1; by default that same server is
//! refused.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, LOCATION};
use shared::ports::pages::{FetchError, FetchedPage, PageFetcher, refused_class};

/// The most redirects an import follows.
pub const MAX_REDIRECTS: usize = 5;

/// How long connecting to a page may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long fetching a page may take in all, redirects included.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(15);

/// The User-Agent imports send.
pub const USER_AGENT: &str = concat!(
    "recipe-diff-import/",
    env!("CARGO_PKG_VERSION"),
    " (fetches one recipe page a cook linked to)"
);

/// The media types an import takes: a web page, or a JSON(-LD) document.
const ACCEPTED: [&str; 4] = [
    "text/html",
    "application/xhtml+xml",
    "application/ld+json",
    "application/json",
];

/// Fetches pages under the guard described in the module's docs.
#[derive(Clone, Debug)]
pub struct GuardedFetcher {
    loopback_host: Option<String>,
    connect_timeout: Duration,
    total_timeout: Duration,
}

impl Default for GuardedFetcher {
    fn default() -> Self {
        Self {
            loopback_host: None,
            connect_timeout: CONNECT_TIMEOUT,
            total_timeout: TOTAL_TIMEOUT,
        }
    }
}

impl GuardedFetcher {
    /// The fetcher with the default timeouts, refusing every non-public
    /// address.
    pub fn new() -> Self {
        Self::default()
    }

    /// For tests only: the host named `host` (a name, such as `localhost`,
    /// not an address) may resolve to a loopback address. Every other host,
    /// and every other class of address, is refused as before.
    #[must_use]
    pub fn allowing_loopback_host(mut self, host: impl Into<String>) -> Self {
        self.loopback_host = Some(host.into().to_ascii_lowercase());
        self
    }

    /// The same fetcher with other timeouts.
    #[must_use]
    pub fn with_timeouts(mut self, connect: Duration, total: Duration) -> Self {
        self.connect_timeout = connect;
        self.total_timeout = total;
        self
    }

    /// The addresses `url` may be fetched from: its host's, or those its
    /// name resolves to, once every one of them is checked.
    async fn checked_addresses(&self, url: &Url) -> Result<Vec<SocketAddr>, FetchError> {
        let host = url
            .host_str()
            .ok_or_else(|| FetchError::InvalidUrl(format!("{url} has no host")))?;
        let port = url
            .port_or_known_default()
            .ok_or_else(|| FetchError::InvalidUrl(format!("{url} has no port")))?;
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let addresses: Vec<IpAddr> = match bare.parse::<IpAddr>() {
            Ok(address) => vec![address],
            Err(_) => tokio::net::lookup_host((bare, port))
                .await
                .map_err(|e| FetchError::Unreachable(format!("{host} did not resolve: {e}")))?
                .map(|socket| socket.ip())
                .collect(),
        };
        let named_loopback =
            self.loopback_host.as_deref() == Some(bare) && bare.parse::<IpAddr>().is_err();
        for address in &addresses {
            if let Some(class) = refused_class(*address) {
                if named_loopback && address.is_loopback() {
                    continue;
                }
                return Err(FetchError::RefusedAddress {
                    host: host.to_owned(),
                    address: *address,
                    class,
                });
            }
        }
        if addresses.is_empty() {
            return Err(FetchError::Unreachable(format!(
                "{host} resolved to no address"
            )));
        }
        Ok(addresses
            .into_iter()
            .map(|address| SocketAddr::new(address, port))
            .collect())
    }
}

/// `text` as a URL an import may fetch.
fn parse_url(text: &str) -> Result<Url, FetchError> {
    let url = Url::parse(text.trim())
        .map_err(|e| FetchError::InvalidUrl(format!("{text:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::InvalidUrl(format!(
            "{text:?} is a {} URL; only http and https pages are imported",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(FetchError::InvalidUrl(format!("{text:?} has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(FetchError::InvalidUrl(format!(
            "{text:?} carries a user name or password; link to the page itself"
        )));
    }
    Ok(url)
}

/// A failed request, as the cook is told it.
fn request_error(url: &Url, error: &reqwest::Error) -> FetchError {
    if error.is_timeout() {
        FetchError::Timeout(format!("{url} did not answer in time"))
    } else {
        FetchError::Unreachable(format!("{url} could not be reached: {error}"))
    }
}

#[async_trait]
impl PageFetcher for GuardedFetcher {
    async fn fetch(&self, url: &str, max_bytes: u64) -> Result<FetchedPage, FetchError> {
        let started = Instant::now();
        let mut url = parse_url(url)?;
        for _ in 0..=MAX_REDIRECTS {
            let addresses = self.checked_addresses(&url).await?;
            let left = self
                .total_timeout
                .checked_sub(started.elapsed())
                .ok_or_else(|| FetchError::Timeout(format!("{url} did not answer in time")))?;
            let host = url.host_str().unwrap_or_default().to_owned();
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(self.connect_timeout)
                .timeout(left)
                .user_agent(USER_AGENT)
                .no_proxy()
                .resolve_to_addrs(&host, &addresses)
                .build()
                .map_err(|e| FetchError::Unreachable(format!("no HTTP client: {e}")))?;
            let mut response = client
                .get(url.clone())
                .header(
                    reqwest::header::ACCEPT,
                    "text/html, application/xhtml+xml, application/ld+json, application/json;q=0.9",
                )
                .send()
                .await
                .map_err(|e| request_error(&url, &e))?;
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|value| value.to_str().ok())
                    .ok_or_else(|| {
                        FetchError::Unreachable(format!("{url} redirects without a Location"))
                    })?;
                let next = url.join(location).map_err(|e| {
                    FetchError::InvalidUrl(format!("{url} redirects to {location:?}: {e}"))
                })?;
                url = parse_url(next.as_str())?;
                continue;
            }
            if !status.is_success() {
                return Err(FetchError::Unreachable(format!(
                    "{url} answered HTTP {}",
                    status.as_u16()
                )));
            }
            let content_type = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.split(';').next())
                .map(|value| value.trim().to_ascii_lowercase())
                .unwrap_or_default();
            if !ACCEPTED.contains(&content_type.as_str()) {
                return Err(FetchError::NotAPage { content_type });
            }
            if response.content_length().is_some_and(|n| n > max_bytes) {
                return Err(FetchError::TooLarge { limit: max_bytes });
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| request_error(&url, &e))?
            {
                bytes.extend_from_slice(&chunk);
                if bytes.len() as u64 > max_bytes {
                    return Err(FetchError::TooLarge { limit: max_bytes });
                }
            }
            return Ok(FetchedPage {
                url: url.to_string(),
                content_type,
                bytes,
            });
        }
        Err(FetchError::TooManyRedirects(MAX_REDIRECTS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_urls_with_a_host_and_no_credentials_are_fetched() {
        for refused in [
            "ftp://example.com/pie",
            "file:///etc/passwd",
            "gopher://example.com/",
            "javascript:alert(1)",
            "https://user:secret@example.com/pie",
            "not a url",
            "http://",
        ] {
            assert!(
                matches!(parse_url(refused), Err(FetchError::InvalidUrl(_))),
                "{refused}"
            );
        }
        assert!(parse_url("https://example.com/pie").is_ok());
        assert!(parse_url(" http://example.com:8080/pie?x=1 ").is_ok());
    }

    /// Every class of address is refused before any connection, as a
    /// literal host and in IPv6 brackets.
    #[tokio::test]
    async fn a_literal_non_public_address_is_refused_before_connecting() {
        let fetcher = GuardedFetcher::new();
        for url in [
            "http://127.0.0.1/",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/",
            "http://224.0.0.1/",
            "http://0.0.0.0/",
            "http://[::1]/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:10.0.0.1]/",
        ] {
            let error = fetcher.fetch(url, 1024).await;
            assert!(
                matches!(error, Err(FetchError::RefusedAddress { .. })),
                "{url}: {error:?}"
            );
        }
    }

    /// The loopback name allowed for tests lets that name alone through: an
    /// address literal for the same host is still refused.
    #[tokio::test]
    async fn the_allowed_loopback_name_does_not_allow_loopback_addresses() {
        let fetcher = GuardedFetcher::new().allowing_loopback_host("localhost");
        let error = fetcher.fetch("http://127.0.0.1:9/", 1024).await;
        assert!(
            matches!(error, Err(FetchError::RefusedAddress { .. })),
            "{error:?}"
        );
        let error = fetcher.fetch("http://[::1]:9/", 1024).await;
        assert!(
            matches!(error, Err(FetchError::RefusedAddress { .. })),
            "{error:?}"
        );
    }
}
