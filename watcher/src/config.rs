//! The watcher's configuration, read once from the environment.

use shared::Limits;
use shared::limits::required;
use shared::object_id::LogSettings;

/// What the watcher needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    /// `QUEUE_URL`: the jobs queue (required).
    pub queue_url: String,
    /// The document limits (`shared::limits::LIMIT_VARIABLES`): an upload
    /// beyond them is refused before the sender sees it.
    pub limits: Limits,
    /// `RUST_LOG` and `LOG_ID_SECRET`.
    pub logs: LogSettings,
}

impl Config {
    /// Reads the configuration through `lookup` (`std::env::var` in
    /// Lambda); the error names the setting that is missing or bad.
    ///
    /// # Errors
    /// When `QUEUE_URL` is missing, or a limit or `LOG_ID_SECRET` is
    /// malformed.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        Ok(Self {
            queue_url: required(
                &lookup,
                "QUEUE_URL",
                "the function needs the jobs queue's URL",
            )?,
            limits: Limits::from_lookup(&lookup)?,
            logs: LogSettings::from_lookup(&lookup)?,
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
    fn the_queue_is_required_and_a_bad_setting_is_named() {
        let missing = config(&[]).map(|c| c.queue_url);
        assert!(missing.is_err_and(|e| e.contains("QUEUE_URL")));
        let queue = ("QUEUE_URL", "https://sqs.example/jobs");
        let c = config(&[queue, ("MAX_OBJECT_BYTES", "2048")]).map(|c| c.limits.max_bytes);
        assert_eq!(c, Ok(2048));
        let bad = config(&[queue, ("MAX_OBJECT_BYTES", "big")]).map(|c| c.limits);
        assert!(bad.is_err_and(|e| e.contains("MAX_OBJECT_BYTES")));
        let bad = config(&[queue, ("LOG_ID_SECRET", "abcd")]).map(|c| c.logs);
        assert!(bad.is_err_and(|e| e.contains("LOG_ID_SECRET")));
    }
}
