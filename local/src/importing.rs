//! `recipe-chain import`: a recipe from where a cook keeps it. A link is
//! imported by the running chain (`POST /imports`, with the write token):
//! the server fetches the page under its SSRF guard and puts it into the
//! bucket folder. A file (a recipe document, a saved page, an app's
//! archive, a Cooklang file) is copied into the bucket folder as `drop`
//! copies it. Either way the chain then stores it as any upload.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::paths::Paths;

/// How long the command waits for the chain's answer: the server's own
/// fetch is bounded well within it.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

/// Whether `source` is a link rather than a file.
pub fn is_link(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Asks the chain running on `port` with the data folder `data` to import
/// the page at `url`; answers the key the page went into the bucket as.
pub fn import_link(data: &Path, port: u16, url: &str) -> Result<String, String> {
    let paths = Paths::new(data);
    let token = std::fs::read_to_string(&paths.token).map_err(|e| {
        format!(
            "no write token at {} ({e}): start the chain with `recipe-chain up` first",
            paths.token.display()
        )
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(ANSWER_TIMEOUT)
            .no_proxy()
            .build()
            .map_err(|e| format!("no HTTP client: {e}"))?;
        let endpoint = format!("http://127.0.0.1:{port}/imports");
        let response = client
            .post(&endpoint)
            .bearer_auth(token.trim())
            .json(&serde_json::json!({ "url": url }))
            .send()
            .await
            .map_err(|e| {
                format!("the chain on port {port} did not answer ({e}): is it running?")
            })?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .map_err(|e| format!("the chain answered HTTP {status} without JSON: {e}"))?;
        if status.is_success() {
            return body["key"]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("the chain answered {body} without a key"));
        }
        Err(format!(
            "{} ({})",
            body["detail"].as_str().unwrap_or("the import failed"),
            body["code"].as_str().unwrap_or("no code")
        ))
    })
}
