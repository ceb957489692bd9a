//! What `recipe-chain` reads from its environment, once, at start (its
//! data folder and port come from the command line).

use shared::Limits;

/// Set (by a test only) to hold every erasure for good after it removes its
/// first object from the bucket, so that the test can `kill -9` the chain
/// in the middle of one and see the next start finish it.
pub const HOLD_ERASURE: &str = "RECIPE_CHAIN_TEST_HOLD_ERASURE";

/// Set (by a test only) to a host name, such as `localhost`, that imports
/// may fetch from although it resolves to loopback, so that a test can
/// import from a page server on this machine. Unset, such a page is refused
/// as every loopback, private or otherwise non-public address is.
pub const IMPORT_LOOPBACK_HOST: &str = "RECIPE_CHAIN_TEST_IMPORT_HOST";

/// The chain's settings: the same for its watcher, its sender and its
/// server, as in AWS, where each function reads them alike.
#[derive(Clone, Debug)]
pub struct Config {
    /// The document limits (`shared::limits::LIMIT_VARIABLES`:
    /// `MAX_OBJECT_BYTES`, …), which the watcher checks uploads against,
    /// the sender reads claim-checked documents within, and the server
    /// holds documents to.
    pub limits: Limits,
    /// `RUST_LOG`: which log lines are written (`warn` when unset).
    pub log_filter: Option<String>,
    /// [`HOLD_ERASURE`] is set (tests only).
    pub hold_erasure: bool,
    /// [`IMPORT_LOOPBACK_HOST`] (tests only).
    pub import_loopback_host: Option<String>,
}

impl Config {
    /// Reads the settings through `lookup` (`std::env::var`); the error
    /// names the setting that is malformed.
    ///
    /// # Errors
    /// When a limit is not a whole number above zero.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        Ok(Self {
            limits: Limits::from_lookup(&lookup)?,
            log_filter: lookup("RUST_LOG"),
            hold_erasure: lookup(HOLD_ERASURE).is_some(),
            import_loopback_host: lookup(IMPORT_LOOPBACK_HOST).filter(|host| !host.is_empty()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raised_limit_is_read_and_a_bad_one_named() {
        let raised =
            Config::from_lookup(|name| (name == "MAX_OBJECT_BYTES").then(|| "2097152".into()));
        assert_eq!(raised.map(|c| c.limits.max_bytes), Ok(2 * 1024 * 1024));
        let bad = Config::from_lookup(|name| (name == "MAX_OBJECT_BYTES").then(|| "lots".into()));
        assert!(bad.is_err_and(|e| e.contains("MAX_OBJECT_BYTES")));
    }
}
