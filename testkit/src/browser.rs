//! A real headless Chromium for tests: chromedriver on a free loopback
//! port, a session through it, and helpers that read and drive a page.
//! The Debian packages `chromium` and `chromium-driver` provide both
//! (`scripts/test-browser-setup`, which `make test` runs).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::Request;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};

/// A program on the PATH, or a failure that says how to install it.
fn program(names: &[&str]) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "{} is not installed: run scripts/test-browser-setup (make test runs it)",
        names.join(" or ")
    );
}

/// Chromium itself rather than Debian's wrapper script, when it is there.
fn chromium() -> PathBuf {
    let direct = PathBuf::from("/usr/lib/chromium/chromium");
    if direct.is_file() {
        direct
    } else {
        program(&["chromium", "chromium-browser"])
    }
}

/// chromedriver on a free loopback port, stopped (and its profile removed) on drop.
pub struct Driver {
    child: Child,
    url: String,
    profile: crate::TempDir,
}

impl Driver {
    /// Starts chromedriver and waits until it listens.
    pub fn start() -> Self {
        let binary = program(&["chromedriver"]);
        let port = crate::free_port();
        let profile = crate::temp_dir("recipe-dashboard-chromium-");
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            profile,
        }
    }

    /// A new headless Chromium session.
    pub async fn session(&self) -> Client {
        let capabilities = json!({
            "browserName": "chrome",
            "unhandledPromptBehavior": "ignore",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": chromium(),
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    // The network is closed here: without these Chromium
                    // floods refused connections to Google's services.
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--no-default-browser-check",
                    "--disable-extensions",
                    "--lang=en-GB",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", self.profile.path().display()),
                ],
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("an object")
        };
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a Chromium session through chromedriver")
    }

    /// The browser's console since the last call (chromedriver's log endpoint).
    pub async fn console(&self, client: &Client) -> Vec<Value> {
        let session = client
            .session_id()
            .await
            .expect("session id")
            .expect("a session");
        let http =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http::<Full<Bytes>>();
        let request = Request::post(format!("{}/session/{session}/se/log", self.url))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from_static(br#"{"type":"browser"}"#)))
            .expect("request");
        let response = http.request(request).await.expect("chromedriver answers");
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body: Value = serde_json::from_slice(&bytes).expect("json");
        body["value"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How long a page may take to load.
pub const WAIT: Duration = Duration::from_secs(20);

/// A JavaScript expression's value.
pub async fn js(client: &Client, expression: &str) -> Value {
    client
        .execute(&format!("return ({expression});"), vec![])
        .await
        .unwrap_or_else(|e| panic!("evaluating {expression}: {e}"))
}

/// Waits until `page` has finished loading in `state` (`ready`, `empty`, `error`).
pub async fn wait_for_page(client: &Client, page: &str, state: &str) {
    let selector = format!("main[data-page='{page}'][data-state='{state}']");
    let deadline = Instant::now() + WAIT;
    loop {
        if client.find(Locator::Css(&selector)).await.is_ok() {
            return;
        }
        if Instant::now() > deadline {
            let main = client
                .find(Locator::Css("main"))
                .await
                .ok()
                .map(|m| async move { m.html(false).await.unwrap_or_default() });
            let html = match main {
                Some(f) => f.await,
                None => String::new(),
            };
            panic!("the {page} page did not become {state}; main is:\n{html}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The element `selector` finds, which must exist.
pub async fn find(client: &Client, selector: &str) -> Element {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("no {selector}: {e}"))
}

/// The text of the element `selector` finds, which must exist.
pub async fn text_of(client: &Client, selector: &str) -> String {
    find(client, selector).await.text().await.expect("text")
}

/// The texts of every element `selector` finds.
pub async fn texts_of(client: &Client, selector: &str) -> Vec<String> {
    let mut out = Vec::new();
    for element in client
        .find_all(Locator::Css(selector))
        .await
        .expect("find_all")
    {
        out.push(element.text().await.expect("text"));
    }
    out
}

/// Clicks the element `selector` finds, which must exist.
pub async fn click(client: &Client, selector: &str) {
    find(client, selector)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {selector}: {e}"));
}

/// Clicks the element `selector` finds and waits until `page` is ready.
pub async fn click_to(client: &Client, selector: &str, page: &str) {
    click(client, selector).await;
    wait_for_page(client, page, "ready").await;
}

/// Asserts that the element `selector` finds shows every one of `needles`
/// in its text.
pub async fn assert_shows(client: &Client, selector: &str, needles: &[&str]) {
    let text = text_of(client, selector).await;
    for needle in needles {
        assert!(
            text.contains(needle),
            "{selector} lacks {needle:?}: {text:?}"
        );
    }
}
