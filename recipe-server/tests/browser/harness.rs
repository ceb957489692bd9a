//! The browser tests' harness: the seeded server on a free loopback port,
//! chromedriver and a headless Chromium session on it, and helpers that
//! read and drive a page.

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::Client;
use recipe_server::DashboardAuth;
use serde_json::{Value, json};
use testkit::router::Serving;

use crate::common::{TempStore, local_parts};
use crate::seed::seed;

// ------------------------------------------------------------ the server

/// The `Authorization` headers of the reads the server was sent.
pub type Seen = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

async fn record_authorization(
    axum::extract::State(seen): axum::extract::State<Seen>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if request.uri().path().starts_with("/recipes")
        && let Some(value) = request.headers().get("authorization")
        && let Ok(mut seen) = seen.lock()
    {
        seen.push(value.to_str().unwrap_or("").to_owned());
    }
    next.run(request).await
}

/// The seeded server on a free loopback port, recording the
/// `Authorization` headers of the reads it is sent.
pub struct Server {
    /// `http://127.0.0.1:port`.
    pub base: String,
    /// The `Authorization` headers of the reads it was sent.
    pub authorizations: Seen,
    serving: Serving,
    _store: TempStore,
}

impl Server {
    /// Seeds a fresh store and serves it.
    pub async fn start(dashboard: Option<DashboardAuth>) -> Self {
        let t = TempStore::new("browser");
        let state = recipe_server::AppState::new(recipe_server::Parts {
            dashboard,
            ..local_parts(t.store.clone())
        });
        seed(&recipe_server::router(state.clone())).await;
        let authorizations = Seen::default();
        let app = recipe_server::router(state).layer(axum::middleware::from_fn_with_state(
            authorizations.clone(),
            record_authorization,
        ));
        let serving = Serving::router(app).await;
        Self {
            base: serving.base(),
            authorizations,
            serving,
            _store: t,
        }
    }

    /// Stops serving.
    pub async fn stop(self) {
        self.serving.stop().await;
    }
}

/// A seeded server, chromedriver, and a Chromium session through it.
pub struct Browser {
    /// The server.
    pub server: Server,
    /// chromedriver.
    pub driver: Driver,
    /// The session.
    pub client: Client,
}

impl Browser {
    /// Asserts that the element `selector` finds shows every one of
    /// `needles` in its text.
    pub async fn shows(&self, selector: &str, needles: &[&str]) {
        testkit::browser::assert_shows(&self.client, selector, needles).await;
    }

    /// Starts the server (with `dashboard`'s sign-in, if any), chromedriver
    /// and a session; runs `walk` on them within `limit`; closes the
    /// session and stops chromedriver and the server.
    ///
    /// # Panics
    /// When `walk` fails, or takes more than `limit` (`what` names it).
    pub async fn run(
        dashboard: Option<DashboardAuth>,
        limit: Duration,
        what: &str,
        walk: impl AsyncFnOnce(&Browser),
    ) {
        let server = Server::start(dashboard).await;
        let driver = Driver::start();
        let client = driver.session().await;
        let browser = Browser {
            server,
            driver,
            client,
        };
        let outcome = tokio::time::timeout(limit, walk(&browser)).await;
        let Browser {
            server,
            driver,
            client,
        } = browser;
        let _ = client.close().await;
        drop(driver);
        server.stop().await;
        outcome
            .unwrap_or_else(|_| panic!("{what} took more than {} minutes", limit.as_secs() / 60));
    }

    /// The server's address, `http://127.0.0.1:port`.
    pub fn base(&self) -> &str {
        &self.server.base
    }
}

// ------------------------------------------------------------ the browser

pub use testkit::browser::{Driver, click, click_to, find, js, text_of, texts_of, wait_for_page};

// ------------------------------------------------------------ page helpers

/// Opens `route` on the server (`#/…`, or empty for the start page) and
/// waits until `page` has loaded in `state`.
pub async fn open(b: &Browser, route: &str, page: &str, state: &str) {
    let client = &b.client;
    client
        .goto(&format!("{}/{route}", b.base()))
        .await
        .expect("open");
    wait_for_page(client, page, state).await;
}

/// `screenshots/` in the workspace (git-ignored), kept for a look.
pub fn screenshots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../screenshots");
    std::fs::create_dir_all(&dir).expect("screenshots dir");
    dir.canonicalize().expect("screenshots dir")
}

/// A screenshot of the whole page (the window grows to the page's height).
pub async fn screenshot(client: &Client, name: &str) -> PathBuf {
    let (width, height) = client.get_window_size().await.expect("window size");
    let page_height = js(client, "document.documentElement.scrollHeight")
        .await
        .as_u64()
        .unwrap_or(height);
    let inner = js(client, "window.innerHeight")
        .await
        .as_u64()
        .unwrap_or(height);
    let chrome = height.saturating_sub(inner);
    let full = (page_height + chrome).clamp(height, 6000);
    client
        .set_window_size(width as u32, full as u32)
        .await
        .expect("resize");
    tokio::time::sleep(Duration::from_millis(150)).await;
    let png = client.screenshot().await.expect("screenshot");
    client
        .set_window_size(width as u32, height as u32)
        .await
        .expect("resize back");
    let path = screenshots_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).expect("save screenshot");
    println!("screenshot: {}", path.display());
    path
}

/// Text whose contrast with its background is under 4.5:1 (WCAG AA), as
/// `text (ratio)`; the background is the nearest opaque one behind it.
const LOW_CONTRAST: &str = r#"(() => {
  const parse = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg, .sr-only') || !el.offsetParent && el.tagName !== 'BODY') continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const fg = lum(parse(getComputedStyle(el).color));
    const bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) low.push(`${el.textContent.trim().slice(0, 40)} (${ratio.toFixed(2)})`);
  }
  return low;
})()"#;

/// Asserts that no text on `page` is under 4.5:1 contrast.
pub async fn assert_contrast(client: &Client, page: &str) {
    let low = js(client, LOW_CONTRAST).await;
    assert_eq!(
        low,
        json!([]),
        "text under 4.5:1 contrast on the {page} page"
    );
}

/// Asserts that no text on `page` is under 4.5:1 contrast, then saves a
/// screenshot of it as `name`.
pub async fn assert_contrast_and_screenshot(client: &Client, page: &str, name: &str) {
    assert_contrast(client, page).await;
    screenshot(client, name).await;
}

/// Asserts that no script opened an alert.
pub async fn no_alert(client: &Client) {
    if let Ok(text) = client.get_alert_text().await {
        panic!("a script ran: an alert says {text:?}");
    }
}

/// No console errors (and so no failed script, no policy violation).
pub async fn no_console_errors(driver: &Driver, client: &Client, context: &str) {
    let errors: Vec<Value> = driver
        .console(client)
        .await
        .into_iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .collect();
    assert!(errors.is_empty(), "console errors {context}: {errors:#?}");
}
