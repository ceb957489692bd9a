//! The sender's configuration, read once from the environment.

use std::time::Duration;

use shared::Limits;

use crate::http::DEFAULT_TIMEOUT;

/// The longest timeout accepted: a Lambda function runs at most 15 minutes.
const MAX_TIMEOUT_MS: u64 = 15 * 60 * 1000;

/// What the sender needs to know.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// `API_URL`: the recipe server's base URL (required).
    pub api_url: String,
    /// `API_TIMEOUT_MS`: the most one call may take (default 10 s).
    pub timeout: Duration,
    /// The server's limits (`MAX_OBJECT_BYTES`, …); claim-checked objects
    /// larger than `max_bytes` are not read.
    pub limits: Limits,
}

impl Config {
    /// Reads the configuration through `lookup` (`std::env::var` in Lambda).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let api_url = lookup("API_URL")
            .filter(|url| !url.trim().is_empty())
            .ok_or("API_URL is not set: the sender needs the recipe server's URL")?
            .trim()
            .to_owned();
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
        let limits = Limits::from_lookup(&lookup)?;
        Ok(Self {
            api_url,
            timeout,
            limits,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
        Config::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
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
}
