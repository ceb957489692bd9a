//! The watcher's configuration, read once from the environment.

use shared::Limits;
use shared::object_id::ObjectIds;

/// What the watcher needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    /// `QUEUE_URL`: the jobs queue (required).
    pub queue_url: String,
    /// The document limits (`shared::limits::LIMIT_VARIABLES`): an upload
    /// beyond them is refused before the sender sees it.
    pub limits: Limits,
    /// `LOG_ID_SECRET`: the secret logs name objects under (64 or more
    /// hexadecimal digits); unset, a secret of the process.
    pub log_ids: Option<ObjectIds>,
    /// `RUST_LOG`: which log lines are written (`info` when unset).
    pub log_filter: Option<String>,
}

impl Config {
    /// Reads the configuration through `lookup` (`std::env::var` in
    /// Lambda); the error names the setting that is missing or bad.
    ///
    /// # Errors
    /// When `QUEUE_URL` is missing, or a limit or `LOG_ID_SECRET` is
    /// malformed.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let queue_url = lookup("QUEUE_URL")
            .filter(|url| !url.trim().is_empty())
            .ok_or("QUEUE_URL is not set: the function needs the jobs queue's URL")?
            .trim()
            .to_owned();
        let limits = Limits::from_lookup(&lookup)?;
        let log_ids = ObjectIds::log_ids_setting(&lookup)?;
        Ok(Self {
            queue_url,
            limits,
            log_ids,
            log_filter: lookup("RUST_LOG"),
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
    fn the_queue_is_required_and_a_bad_setting_is_named() {
        let missing = config(&[]).map(|c| c.queue_url);
        assert!(missing.is_err_and(|e| e.contains("QUEUE_URL")));
        let queue = ("QUEUE_URL", "https://sqs.example/jobs");
        let c = config(&[queue, ("MAX_OBJECT_BYTES", "2048")]).map(|c| c.limits.max_bytes);
        assert_eq!(c, Ok(2048));
        let bad = config(&[queue, ("MAX_OBJECT_BYTES", "big")]).map(|c| c.limits);
        assert!(bad.is_err_and(|e| e.contains("MAX_OBJECT_BYTES")));
        let bad = config(&[queue, ("LOG_ID_SECRET", "abcd")]).map(|c| c.log_ids);
        assert!(bad.is_err_and(|e| e.contains("LOG_ID_SECRET")));
    }
}
