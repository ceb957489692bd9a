//! The `PageFetcher` port: how a recipe page a cook links to is fetched
//! (`POST /imports`). The page then goes into the bucket under the cook's
//! `recipes/` folder, through the same signed form as the dashboard's
//! uploads, and through the chain as any other upload.
//!
//! Fetching a URL a user names is a server-side request forgery risk: the
//! adapter refuses every address that is not a public unicast one
//! ([`refused_class`]), resolves a name once and connects to the address
//! it checked, checks each redirect again, and caps time and size.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use async_trait::async_trait;

/// A fetched page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedPage {
    /// The URL it was finally read from, after any redirects.
    pub url: String,
    /// Its media type, without parameters (`text/html`).
    pub content_type: String,
    /// Its body.
    pub bytes: Vec<u8>,
}

/// Why a page was not fetched. Each says what was wrong, for the cook.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// Not an http or https URL with a host.
    #[error("{0}")]
    InvalidUrl(String),
    /// The host is, or resolves to, an address the server may not reach.
    #[error("{host} is {address}, a {class} address, which imports may not reach")]
    RefusedAddress {
        /// The URL's host.
        host: String,
        /// The address it is or resolved to.
        address: IpAddr,
        /// What kind of address that is (`loopback`, `private`, …).
        class: &'static str,
    },
    /// The name did not resolve, the connection failed, or the page
    /// answered with an error status.
    #[error("{0}")]
    Unreachable(String),
    /// The page took longer than the fetch may.
    #[error("{0}")]
    Timeout(String),
    /// The page is larger than an upload may be.
    #[error("the page is larger than {limit} bytes")]
    TooLarge {
        /// The limit (`MAX_OBJECT_BYTES`).
        limit: u64,
    },
    /// The answer is not a web page or a JSON document.
    #[error("the link answers {content_type:?}, not a web page or JSON")]
    NotAPage {
        /// The media type it answered.
        content_type: String,
    },
    /// More redirects than the fetch follows.
    #[error("the link redirects more than {0} times")]
    TooManyRedirects(usize),
}

/// Fetches the pages cooks link to.
#[async_trait]
pub trait PageFetcher: Send + Sync {
    /// The page at `url`, at most `max_bytes` long.
    async fn fetch(&self, url: &str, max_bytes: u64) -> Result<FetchedPage, FetchError>;
}

/// Why an import may not reach `address`: the class of a non-public
/// address (`loopback`, `private`, `link-local`, `shared (CGNAT)`,
/// `multicast`, `unique-local`, `IPv4-mapped`, …), or `None` for a public
/// unicast one.
pub fn refused_class(address: IpAddr) -> Option<&'static str> {
    match address {
        IpAddr::V4(v4) => refused_v4(v4),
        IpAddr::V6(v6) => refused_v6(v6),
    }
}

fn refused_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match () {
        () if ip.is_unspecified() || a == 0 => "unspecified (this network)",
        () if ip.is_loopback() => "loopback",
        () if ip.is_private() => "private",
        () if ip.is_link_local() => "link-local",
        () if a == 100 && (64..128).contains(&b) => "shared (CGNAT)",
        () if ip.is_multicast() => "multicast",
        () if ip.is_broadcast() => "broadcast",
        () if a >= 240 => "reserved",
        () if a == 192 && b == 0 && c == 0 => "IETF protocol assignment",
        () if a == 198 && (b == 18 || b == 19) => "benchmarking",
        () if ip.is_documentation() => "documentation",
        () => return None,
    })
}

fn refused_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let segments = ip.segments();
    Some(match () {
        () if ip.is_unspecified() => "unspecified",
        () if ip.is_loopback() => "loopback",
        () if ip.to_ipv4_mapped().is_some() => "IPv4-mapped",
        // ::a.b.c.d, deprecated, reaches an IPv4 host.
        () if segments[..6] == [0; 6] => "IPv4-compatible",
        () if segments[0] == 0x64 && segments[1] == 0xff9b => "NAT64",
        () if segments[0] & 0xfe00 == 0xfc00 => "unique-local",
        () if segments[0] & 0xffc0 == 0xfe80 => "link-local",
        () if segments[0] & 0xff00 == 0xff00 => "multicast",
        () if segments[0] == 0x2002 => "6to4",
        () if segments[0] == 0x2001 && segments[1] == 0 => "Teredo",
        () if segments[0] == 0x2001 && segments[1] == 0xdb8 => "documentation",
        () if segments[0] & 0xe000 != 0x2000 => "not global unicast",
        () => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(text: &str) -> Option<&'static str> {
        refused_class(text.parse().expect("an address"))
    }

    #[test]
    fn every_class_of_address_an_import_may_not_reach_is_refused() {
        for (address, expected) in [
            ("127.0.0.1", "loopback"),
            ("127.255.0.9", "loopback"),
            ("0.0.0.0", "unspecified (this network)"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("192.168.1.1", "private"),
            ("169.254.169.254", "link-local"),
            ("100.64.0.1", "shared (CGNAT)"),
            ("100.127.255.254", "shared (CGNAT)"),
            ("224.0.0.1", "multicast"),
            ("255.255.255.255", "broadcast"),
            ("240.0.0.1", "reserved"),
            ("192.0.0.8", "IETF protocol assignment"),
            ("198.18.0.1", "benchmarking"),
            ("192.0.2.1", "documentation"),
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("::ffff:127.0.0.1", "IPv4-mapped"),
            ("::ffff:8.8.8.8", "IPv4-mapped"),
            ("::10.0.0.1", "IPv4-compatible"),
            ("64:ff9b::a00:1", "NAT64"),
            ("fc00::1", "unique-local"),
            ("fd12:3456::1", "unique-local"),
            ("fe80::1", "link-local"),
            ("ff02::1", "multicast"),
            ("2002:a00:1::1", "6to4"),
            ("2001:0:4136:e378::1", "Teredo"),
            ("2001:db8::1", "documentation"),
            ("4000::1", "not global unicast"),
        ] {
            assert_eq!(class(address), Some(expected), "{address}");
        }
    }

    #[test]
    fn public_unicast_addresses_may_be_reached() {
        for address in [
            "8.8.8.8",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700::1111",
            "2a00:1450:4001::200e",
        ] {
            assert_eq!(class(address), None, "{address}");
        }
    }
}
