//! The sender's configuration, read once from the environment.

use std::time::Duration;

use shared::Limits;
use shared::limits::required;
use shared::object_id::LogSettings;

use crate::http::DEFAULT_TIMEOUT;

/// The longest timeout accepted: a Lambda function runs at most 15 minutes.
const MAX_TIMEOUT_MS: u64 = 15 * 60 * 1000;

/// What the sender needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    /// `API_URL`: the recipe server's base URL (required).
    pub api_url: String,
    /// `API_TIMEOUT_MS`: the most one call may take (default 10 s).
    pub timeout: Duration,
    /// The server's limits (`MAX_OBJECT_BYTES`, …); claim-checked objects
    /// larger than `max_bytes` are not read.
    pub limits: Limits,
    /// `RUST_LOG` and `LOG_ID_SECRET`.
    pub logs: LogSettings,
}

impl Config {
    /// Reads the configuration through `lookup` (`std::env::var` in
    /// Lambda); the error names the setting that is missing or bad.
    ///
    /// # Errors
    /// When `API_URL` is missing, or `API_TIMEOUT_MS`, a limit or
    /// `LOG_ID_SECRET` is malformed.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let api_url = required(
            &lookup,
            "API_URL",
            "the sender needs the recipe server's URL",
        )?;
        let timeout = match lookup("API_TIMEOUT_MS") {
            None => DEFAULT_TIMEOUT,
            Some(text) => text
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|ms| (1..=MAX_TIMEOUT_MS).contains(ms))
                .map(Duration::from_millis)
                .ok_or_else(|| {
                    format!(
                        "API_TIMEOUT_MS={text:?}: expected milliseconds from 1 to {MAX_TIMEOUT_MS}"
                    )
                })?,
        };
        Ok(Self {
            logs: LogSettings::from_lookup(&lookup)?,
            limits: Limits::from_lookup(&lookup)?,
            api_url,
            timeout,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
        Config::from_lookup(shared::limits::lookup_in(vars))
    }

    #[test]
    fn the_url_is_required_and_the_timeout_defaults_to_ten_seconds() {
        assert!(config(&[]).is_err());
        let c = config(&[("API_URL", "https://api.example.com")]);
        assert_eq!(c.as_ref().map(|c| c.timeout), Ok(DEFAULT_TIMEOUT));
        let c = config(&[
            ("API_URL", "http://127.0.0.1:1"),
            ("API_TIMEOUT_MS", "2500"),
        ]);
        assert_eq!(c.map(|c| c.timeout), Ok(Duration::from_millis(2500)));
        assert!(config(&[("API_URL", "x"), ("API_TIMEOUT_MS", "0")]).is_err());
        assert!(config(&[("API_URL", "x"), ("API_TIMEOUT_MS", "soon")]).is_err());
    }

    #[test]
    fn a_bad_log_secret_or_limit_is_named() {
        let bad = config(&[("API_URL", "x"), ("LOG_ID_SECRET", "abcd")]).map(|c| c.logs);
        assert!(bad.is_err_and(|e| e.contains("LOG_ID_SECRET")));
        let bad = config(&[("API_URL", "x"), ("MAX_OBJECT_BYTES", "0")]).map(|c| c.limits);
        assert!(bad.is_err_and(|e| e.contains("MAX_OBJECT_BYTES")));
        let raised = config(&[("API_URL", "x"), ("MAX_OBJECT_BYTES", "4096")]);
        assert_eq!(raised.map(|c| c.limits.max_bytes), Ok(4096));
    }
}
