//! The dashboard in a real browser. Headless Chromium (Debian's `chromium`
//! and `chromium-driver`, installed by `scripts/test-browser-setup`, which
//! `make test` runs) is driven through chromedriver with fantoccini, against
//! the real server on a free loopback port over a temporary SQLite store
//! seeded the way the local chain drops its examples: each pair in
//! `fixtures/pairs` posted as a recipe and then a make. These tests never
//! skip: without a browser they fail and say how to install one.
//!
//! Screenshots of every page are saved under `screenshots/` (git-ignored).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use common::{TOKEN, TempStore};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use http_body_util::{BodyExt, Full};
use recipe_server::{AppState, Auth, DashboardAuth};
use serde_json::{Value, json};
use shared::Limits;
use shared::wire::segment;
use testkit::router::Serving;
use tower::ServiceExt;

// ------------------------------------------------------------ the server

/// A write as the chain sends it: with the write token, an idempotency key
/// and the object key the upload came from.
async fn post(
    app: &axum::Router,
    uri: &str,
    object_key: &str,
    media: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut request = common::write("POST", uri, &format!("seed:{object_key}"), body);
    let headers = request.headers_mut();
    headers.insert("content-type", media.parse().expect("a media type"));
    headers.insert("x-object-key", object_key.parse().expect("an object key"));
    let (status, _, body) = common::send(app, request).await;
    (status, body)
}

async fn post_recipe(app: &axum::Router, key: &str, media: &str, body: Vec<u8>) -> String {
    let (status, response) = post(app, "/recipes", key, media, body).await;
    assert_eq!(status, StatusCode::CREATED, "seeding {key}: {response}");
    response["recipeId"]
        .as_str()
        .expect("a recipe id")
        .to_owned()
}

async fn post_make(app: &axum::Router, recipe_id: &str, key: &str, media: &str, body: Vec<u8>) {
    let uri = format!("/recipes/{}/makes", segment(recipe_id));
    let (status, response) = post(app, &uri, key, media, body).await;
    assert_eq!(status, StatusCode::CREATED, "seeding {key}: {response}");
}

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/pairs")
}

/// The recipe or make file of a pair (`.json` or `.jsonld`) and its media type.
fn pair_file(dir: &Path, stem: &str) -> (Vec<u8>, &'static str, String) {
    for (ext, media) in [
        ("json", "application/json"),
        ("jsonld", "application/ld+json"),
    ] {
        let path = dir.join(format!("{stem}.{ext}"));
        if let Ok(bytes) = std::fs::read(&path) {
            return (bytes, media, ext.to_owned());
        }
    }
    panic!("{} has no {stem}.json or {stem}.jsonld", dir.display());
}

fn with(mut value: Value, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    edit(&mut value);
    serde_json::to_vec(&value).expect("json")
}

/// Every example pair, as the local chain drops them; a few more makes of
/// the apple pie so that its insights have something to chart; a recipe
/// nobody has made yet; a recipe whose text is markup (it must show as
/// text); and one upload the server refuses.
async fn seed(app: &axum::Router) {
    let mut pairs: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
        .expect("fixtures/pairs")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    pairs.sort();
    for dir in &pairs {
        let name = dir.file_name().and_then(|n| n.to_str()).expect("name");
        let (recipe, media, ext) = pair_file(dir, "recipe");
        let id = post_recipe(app, &format!("recipes/{name}.{ext}"), media, recipe).await;
        let (make, media, ext) = pair_file(dir, "make");
        post_make(app, &id, &format!("makes/{name}.{ext}"), media, make).await;
    }

    let apple: Value =
        serde_json::from_slice(&common::fixture("pairs/apple-pie/make.json")).expect("json");
    let picnic = with(apple.clone(), |m| {
        m["makeId"] = json!("2024-06-14-picnic");
        m["madeAt"] = json!("2024-06-14T12:00:00Z");
        m["rating"] = json!(3);
        m["notes"] = json!("Brown sugar instead: too dark.");
        m["ingredients"][1]["ingredientName"] = json!("brown sugar");
        m["ingredients"][1]["quantity"] = json!(0.75);
    });
    let fair = with(apple.clone(), |m| {
        m["makeId"] = json!("2024-09-22-harvest-fair");
        m["madeAt"] = json!("2024-09-22T15:00:00Z");
        m["rating"] = json!(4.5);
        m["ingredients"][3]["quantity"] = json!(1.5);
        let ingredients = m["ingredients"].as_array_mut().expect("ingredients");
        ingredients.remove(4);
    });
    let christmas = with(apple, |m| {
        m["makeId"] = json!("2024-12-24-christmas");
        m["madeAt"] = json!("2024-12-24T19:00:00Z");
        m["rating"] = json!(5);
        m["ingredients"][7]["ingredientName"] = json!("salted butter");
    });
    for (key, body) in [
        ("makes/apple-pie-picnic.json", picnic),
        ("makes/apple-pie-fair.json", fair),
        ("makes/apple-pie-christmas.json", christmas),
    ] {
        post_make(app, "1", key, "application/json", body).await;
    }

    let toast = json!({
        "recipeName": "Plain Toast", "recipeId": "toast", "rating": 3,
        "ingredients": [{"ingredientId": 1, "quantity": 2, "measurement": "slice", "ingredientName": "bread"}],
        "steps": [{"stepId": 1, "stepText": "Toast the bread until golden."}]
    });
    post_recipe(
        app,
        "recipes/toast.json",
        "application/json",
        toast.to_string().into(),
    )
    .await;

    let xss = json!({
        "recipeName": XSS_NAME, "recipeId": "xss", "rating": 3,
        "ingredients": [
            {"ingredientId": 1, "quantity": 1, "measurement": "cup", "ingredientName": "<img src=x onerror=alert(2)>"},
            {"ingredientId": 2, "quantity": 2, "measurement": "tbsp", "ingredientName": "sugar & \"spice\""}
        ],
        "steps": [{"stepId": 1, "stepText": "Stir <b>well</b> then serve."}]
    });
    post_recipe(
        app,
        "recipes/xss.json",
        "application/json",
        xss.to_string().into(),
    )
    .await;
    let xss_make = with(xss, |m| {
        m["makeId"] = json!("xss-make");
        m["madeAt"] = json!("2024-07-01T10:00:00Z");
        m["notes"] = json!("<iframe src=\"javascript:alert(5)\"></iframe>");
        m["ingredients"][1]["ingredientName"] = json!("<svg onload=alert(3)>");
        m["steps"][0]["stepText"] =
            json!("Stir <b>well</b> <img src=x onerror=alert(4)> then serve.");
    });
    post_make(
        app,
        "xss",
        "makes/xss-make.json",
        "application/json",
        xss_make,
    )
    .await;

    let (status, body) = post(
        app,
        "/recipes/1/makes",
        REJECTED_KEY,
        "application/json",
        br#"{"recipeName": "Apple Pie", "recipeId": 1, "rating": 7, "ingredients": [], "steps": []}"#
            .to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

const XSS_NAME: &str = "<script>alert(1)</script>";
const REJECTED_KEY: &str = "makes/apple-pie-burnt.json";

/// The `Authorization` headers of the reads the server was sent.
type Seen = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

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
struct Server {
    base: String,
    authorizations: Seen,
    serving: Serving,
    _store: TempStore,
}

impl Server {
    async fn start(dashboard: Option<DashboardAuth>) -> Self {
        let t = TempStore::new("browser");
        let mut state = AppState::new(
            t.store.clone(),
            Limits::default(),
            Auth::LocalToken(TOKEN.into()),
        );
        if let Some(dashboard) = dashboard {
            state = state.with_dashboard_auth(dashboard);
        }
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

    async fn stop(self) {
        self.serving.stop().await;
    }
}

// ------------------------------------------------------------ the browser

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
struct Driver {
    child: Child,
    url: String,
    profile: tempfile::TempDir,
}

impl Driver {
    fn start() -> Self {
        let binary = program(&["chromedriver"]);
        let port = testkit::free_port();
        let profile = tempfile::Builder::new()
            .prefix("recipe-dashboard-chromium-")
            .tempdir()
            .expect("profile dir");
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

    async fn session(&self) -> Client {
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
    async fn console(&self, client: &Client) -> Vec<Value> {
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

// ------------------------------------------------------------ page helpers

const WAIT: Duration = Duration::from_secs(20);

/// A JavaScript expression's value.
async fn js(client: &Client, expression: &str) -> Value {
    client
        .execute(&format!("return ({expression});"), vec![])
        .await
        .unwrap_or_else(|e| panic!("evaluating {expression}: {e}"))
}

/// Waits until `page` has finished loading in `state` (`ready`, `empty`, `error`).
async fn wait_for_page(client: &Client, page: &str, state: &str) {
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

async fn text_of(client: &Client, selector: &str) -> String {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("no {selector}: {e}"))
        .text()
        .await
        .expect("text")
}

async fn texts_of(client: &Client, selector: &str) -> Vec<String> {
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

async fn click(client: &Client, selector: &str) {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("no {selector} to click: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {selector}: {e}"));
}

fn screenshots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../screenshots");
    std::fs::create_dir_all(&dir).expect("screenshots dir");
    dir.canonicalize().expect("screenshots dir")
}

/// A screenshot of the whole page (the window grows to the page's height).
async fn screenshot(client: &Client, name: &str) -> PathBuf {
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

async fn assert_contrast(client: &Client, page: &str) {
    let low = js(client, LOW_CONTRAST).await;
    assert_eq!(
        low,
        json!([]),
        "text under 4.5:1 contrast on the {page} page"
    );
}

async fn no_alert(client: &Client) {
    if let Ok(text) = client.get_alert_text().await {
        panic!("a script ran: an alert says {text:?}");
    }
}

/// No console errors (and so no failed script, no policy violation).
async fn no_console_errors(driver: &Driver, client: &Client, context: &str) {
    let errors: Vec<Value> = driver
        .console(client)
        .await
        .into_iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .collect();
    assert!(errors.is_empty(), "console errors {context}: {errors:#?}");
}

// ------------------------------------------------------------ the tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_recipes_makes_insights_and_rejections_in_a_real_browser() {
    let server = Server::start(None).await;
    let driver = Driver::start();
    let client = driver.session().await;
    let outcome = tokio::time::timeout(
        Duration::from_secs(240),
        walk_through(&driver, &client, &server.base),
    )
    .await;
    let _ = client.close().await;
    drop(driver);
    server.stop().await;
    outcome.expect("the walk through the dashboard took more than 4 minutes");
}

async fn walk_through(driver: &Driver, client: &Client, base: &str) {
    // The recipes list, and its search.
    client.goto(&format!("{base}/")).await.expect("open");
    wait_for_page(client, "recipes", "ready").await;
    assert_eq!(
        client.title().await.expect("title"),
        "Recipes · Recipe diff"
    );
    let names = texts_of(client, ".recipe-card__title").await;
    for expected in [
        "Apple Pie",
        "Buttermilk Pancakes",
        "Harvest Feast Tray Bake",
        XSS_NAME,
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected:?} is not among {names:?}"
        );
    }
    assert_contrast(client, "recipes").await;
    screenshot(client, "01-recipes").await;
    let search = client
        .find(Locator::Css("#recipe-search"))
        .await
        .expect("a search box");
    assert_eq!(
        text_of(client, "label[for='recipe-search']").await,
        "Search recipes"
    );
    search.send_keys("pancake").await.expect("type");
    let shown = js(
        client,
        "[...document.querySelectorAll('.recipe-card')].filter(c => !c.hidden).map(c => c.querySelector('h2').textContent)",
    )
    .await;
    assert_eq!(shown, json!(["Buttermilk Pancakes"]));
    assert!(
        text_of(client, "#recipe-count")
            .await
            .starts_with("1 recipe match")
    );

    // By keyboard: search for the apple pie, Tab to it, Enter.
    search.clear().await.expect("clear");
    search.send_keys("apple").await.expect("type");
    let tab: char = Key::Tab.into();
    let enter: char = Key::Enter.into();
    search.send_keys(&tab.to_string()).await.expect("tab");
    let focused = js(client, "document.activeElement.getAttribute('href')").await;
    assert_eq!(
        focused,
        json!("#/recipes/1"),
        "Tab from the search goes to the first match"
    );
    client
        .active_element()
        .await
        .expect("focus")
        .send_keys(&enter.to_string())
        .await
        .expect("enter");
    wait_for_page(client, "recipe", "ready").await;
    assert_eq!(text_of(client, "main h1").await, "Apple Pie");
    assert_eq!(
        js(client, "document.activeElement.tagName").await,
        json!("H1"),
        "focus moves to the new page's heading"
    );
    let makes = texts_of(client, ".timeline__title").await;
    assert_eq!(makes.len(), 4, "{makes:?}");
    assert_contrast(client, "recipe").await;
    screenshot(client, "02-recipe-apple-pie").await;

    // The apple pie make: less sugar, baked longer.
    click(
        client,
        "a[href='#/recipes/1/makes/2024-05-01-family-dinner']",
    )
    .await;
    wait_for_page(client, "make", "ready").await;
    let sugar = text_of(
        client,
        "li[data-change='quantity-changed'][data-ingredient='white sugar']",
    )
    .await;
    assert!(
        sugar.contains("¾") && sugar.contains("½") && sugar.contains("×0.67"),
        "{sugar}"
    );
    assert_eq!(texts_of(client, "del").await, ["45"]);
    assert_eq!(texts_of(client, "ins").await, ["55", "deep"]);
    let edited = text_of(client, "li[data-change='step-edited']").await;
    assert!(edited.contains("EDITED"), "{edited}");
    assert!(text_of(client, ".panel--glance").await.contains("Rating"));
    assert_contrast(client, "make").await;
    screenshot(client, "03-make-apple-pie").await;

    // The harvest feast make, by clicking from the top.
    click(client, "nav a[data-nav='recipes']").await;
    wait_for_page(client, "recipes", "ready").await;
    click(client, "a[href='#/recipes/harvest-feast']").await;
    wait_for_page(client, "recipe", "ready").await;
    click(
        client,
        "a[href='#/recipes/harvest-feast/makes/harvest-2024-11-28']",
    )
    .await;
    wait_for_page(client, "make", "ready").await;
    let renamed = text_of(client, "li[data-change='ingredient-renamed']").await;
    assert!(renamed.contains("butter → unsalted butter"), "{renamed}");
    let milk = text_of(client, "li[data-ingredient='milk']").await;
    assert!(
        milk.contains("1 cup → 240 ml") && milk.contains("equivalent"),
        "{milk}"
    );
    assert!(
        text_of(client, "li[data-change='ingredient-removed']")
            .await
            .contains("thyme")
    );
    assert!(
        text_of(client, "li[data-change='ingredient-added']")
            .await
            .contains("smoked paprika")
    );
    let moved = text_of(client, "li[data-change='step-moved']").await;
    assert!(
        moved.contains("Scatter the crumb")
            && moved.contains("step 25")
            && moved.contains("step 8"),
        "{moved}"
    );
    assert!(
        text_of(client, "li[data-change='step-deleted']")
            .await
            .contains("Grind the toasted seeds")
    );
    assert_eq!(texts_of(client, "del").await, ["forty"]);
    assert_eq!(
        texts_of(client, "ins").await,
        ["fifty", "and basting the chicken"]
    );
    assert_contrast(client, "harvest feast make").await;
    screenshot(client, "04-make-harvest-feast").await;
    // Only the changes, at a click.
    click(client, "#only-changes").await;
    let visible_rows = js(
        client,
        "[...document.querySelectorAll('.rows > li')].filter(li => li.offsetParent !== null).length",
    )
    .await;
    assert_eq!(visible_rows, json!(8), "one row per change");
    screenshot(client, "05-make-harvest-feast-only-changes").await;

    // The doubled pancakes: scaled ×2, the salt off the scale.
    click(client, "nav a[data-nav='recipes']").await;
    wait_for_page(client, "recipes", "ready").await;
    click(client, "a[href='#/recipes/pancakes']").await;
    wait_for_page(client, "recipe", "ready").await;
    click(client, "a[href='#/recipes/pancakes/makes/brunch-for-16']").await;
    wait_for_page(client, "make", "ready").await;
    assert_eq!(text_of(client, "#scaled-badge").await, "scaled ×2");
    let salt = text_of(client, ".rows li[data-ingredient='salt']").await;
    assert!(
        salt.contains("off scale") && salt.contains("×1.5"),
        "{salt}"
    );
    let flour = text_of(client, ".rows li[data-ingredient='flour']").await;
    assert!(flour.contains("on scale"), "{flour}");
    let salt_scale = text_of(client, ".panel--scaled tr[data-ingredient='salt']").await;
    assert!(salt_scale.contains("off scale"), "{salt_scale}");
    assert_contrast(client, "scaled make").await;
    screenshot(client, "06-make-pancakes-scaled").await;

    // Insights: the charts are drawn.
    click(client, "nav a[data-nav='recipes']").await;
    wait_for_page(client, "recipes", "ready").await;
    click(client, "a[href='#/recipes/1']").await;
    wait_for_page(client, "recipe", "ready").await;
    click(client, "a[href='#/recipes/1/insights']").await;
    wait_for_page(client, "insights", "ready").await;
    assert!(
        js(client, "document.querySelectorAll('svg.chart').length")
            .await
            .as_u64()
            >= Some(3)
    );
    assert_eq!(
        js(client, "document.querySelectorAll('.chart__dot').length").await,
        json!(4),
        "one point per rated make"
    );
    assert_eq!(
        js(
            client,
            "document.querySelectorAll('.chart__reference').length"
        )
        .await,
        json!(1),
        "the recipe's rating line"
    );
    let bars = js(
        client,
        "[...document.querySelectorAll('#h-ingredients ~ svg .chart__label')].map(t => t.textContent)",
    )
    .await;
    let bars = bars.as_array().cloned().unwrap_or_default();
    assert!(
        bars.iter()
            .any(|b| b.as_str().is_some_and(|b| b.starts_with("white sugar"))),
        "{bars:?}"
    );
    let swaps = js(
        client,
        "[...document.querySelectorAll('#h-substitutions ~ svg .chart__label')].map(t => t.textContent)",
    )
    .await;
    assert_eq!(swaps, json!(["white sugar → brown sugar"]));
    assert_contrast(client, "insights").await;
    screenshot(client, "07-insights-apple-pie").await;

    // Rejected uploads, with their reasons.
    click(client, "nav a[data-nav='rejections']").await;
    wait_for_page(client, "rejections", "ready").await;
    let rejection = text_of(client, ".rejection").await;
    assert!(
        rejection.contains(REJECTED_KEY) && rejection.contains("$.rating"),
        "{rejection}"
    );
    assert_contrast(client, "rejections").await;
    screenshot(client, "08-rejections").await;

    // The other examples: sections and a swap (schema.org), and text beyond ASCII.
    for (route, name) in [
        (
            "#/recipes/lemon-tart/makes/tart-for-anna",
            "08b-make-lemon-tart",
        ),
        (
            "#/recipes/cr%C3%A8me-br%C3%BBl%C3%A9e/makes/d%C3%AEner-chez-zo%C3%AB",
            "08c-make-creme-brulee",
        ),
    ] {
        client.goto(&format!("{base}/{route}")).await.expect("open");
        wait_for_page(client, "make", "ready").await;
        assert_contrast(client, name).await;
        screenshot(client, name).await;
    }
    assert!(
        text_of(client, "li[data-change='ingredient-renamed']")
            .await
            .contains("抹茶 (matcha) → 抹茶 (matcha) de Kyoto")
    );

    // An empty state: a recipe nobody has made.
    client
        .goto(&format!("{base}/#/recipes/toast"))
        .await
        .expect("open");
    wait_for_page(client, "recipe", "ready").await;
    assert!(
        text_of(client, "#h-makes + .state--empty")
            .await
            .contains("No makes logged yet")
    );
    client
        .goto(&format!("{base}/#/recipes/toast/insights"))
        .await
        .expect("open");
    wait_for_page(client, "insights", "empty").await;

    // Markup in recipe text stays text.
    client.goto(&format!("{base}/")).await.expect("open");
    wait_for_page(client, "recipes", "ready").await;
    click(client, "a[href='#/recipes/xss']").await;
    wait_for_page(client, "recipe", "ready").await;
    assert_eq!(text_of(client, "main h1").await, XSS_NAME);
    assert_eq!(
        client.title().await.expect("title"),
        format!("{XSS_NAME} · Recipe diff")
    );
    click(client, "a[href='#/recipes/xss/makes/xss-make']").await;
    wait_for_page(client, "make", "ready").await;
    assert_eq!(text_of(client, "main h1").await, XSS_NAME);
    assert!(
        text_of(client, ".notes")
            .await
            .contains("<iframe src=\"javascript:alert(5)\"></iframe>")
    );
    assert!(
        text_of(client, "main ins")
            .await
            .contains("<img src=x onerror=alert(4)>")
    );
    let injected = js(
        client,
        "document.querySelectorAll('main script, main img, main iframe, main b, main svg[onload], [onerror], [onload]').length + document.querySelectorAll('script').length",
    )
    .await;
    assert_eq!(injected, json!(1), "only the dashboard's own script");
    no_alert(client).await;
    screenshot(client, "09-xss-make").await;
    no_console_errors(driver, client, "while browsing").await;

    // A phone's width: no sideways scrolling.
    client.set_window_size(375, 812).await.expect("resize");
    for (route, page, name) in [
        ("#/", "recipes", "10-phone-recipes"),
        (
            "#/recipes/harvest-feast/makes/harvest-2024-11-28",
            "make",
            "11-phone-make-harvest-feast",
        ),
        ("#/recipes/1/insights", "insights", "12-phone-insights"),
        ("#/rejections", "rejections", "13-phone-rejections"),
    ] {
        client.goto(&format!("{base}/{route}")).await.expect("open");
        wait_for_page(client, page, "ready").await;
        let widths = js(
            client,
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]",
        )
        .await;
        assert!(
            widths[0].as_u64() <= widths[1].as_u64() && widths[1].as_u64() <= Some(375),
            "{route} scrolls sideways at 375 px: {widths}"
        );
        screenshot(client, name).await;
    }
    client.set_window_size(1280, 900).await.expect("resize");
    no_console_errors(driver, client, "at a phone's width").await;

    // An error: the problem's detail is shown.
    client
        .goto(&format!("{base}/#/recipes/no-such-recipe"))
        .await
        .expect("open");
    wait_for_page(client, "recipe", "error").await;
    let error = text_of(client, "main [role='alert']").await;
    assert!(
        error.contains("there is no recipe \"no-such-recipe\"")
            && error.contains("recipe-not-found"),
        "{error}"
    );
    assert_contrast(client, "error").await;
    screenshot(client, "14-error").await;
    no_alert(client).await;
    println!("screenshots are in {}", screenshots_dir().display());
}

/// Where reads need a sign-in, the dashboard sends its user to the hosted
/// UI with an authorization-code request protected by PKCE, and comes back
/// from it signed in, sending the token on reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn where_reads_need_a_sign_in_the_dashboard_signs_in_with_pkce() {
    let hosted_ui = FakeHostedUi::start().await;
    let auth = DashboardAuth::cognito(&hosted_ui.base, "dashboard-client").expect("valid");
    let server = Server::start(Some(auth)).await;
    let driver = Driver::start();
    let client = driver.session().await;
    let outcome = tokio::time::timeout(Duration::from_secs(120), async {
        client
            .goto(&format!("{}/#/recipes/1", server.base))
            .await
            .expect("open");
        wait_for_page(&client, "recipe", "signin").await;
        screenshot(&client, "15-sign-in").await;
        click(&client, "main button").await;
        // The fake hosted UI answers at once with a code, back to the page.
        wait_for_page(&client, "recipe", "ready").await;
        assert_eq!(text_of(&client, "main h1").await, "Apple Pie");
        let authorize = hosted_ui.authorize_query().await;
        assert_eq!(authorize["response_type"], "code");
        assert_eq!(authorize["client_id"], "dashboard-client");
        assert_eq!(authorize["code_challenge_method"], "S256");
        assert_eq!(authorize["redirect_uri"], format!("{}/", server.base));
        let token = hosted_ui.token_form().await;
        assert_eq!(token["grant_type"], "authorization_code");
        assert_eq!(token["code"], "the-code");
        assert_eq!(
            authorize["code_challenge"],
            pkce_challenge(token["code_verifier"].as_str().unwrap_or_default()),
            "the verifier matches the challenge"
        );
        assert_eq!(
            client.current_url().await.expect("url").as_str(),
            format!("{}/#/recipes/1", server.base),
            "the code is gone from the address bar"
        );
        let stored = js(&client, "sessionStorage.getItem('recipe-diff.token')").await;
        assert!(
            stored
                .as_str()
                .is_some_and(|s| s.contains("the-access-token")),
            "{stored}"
        );
        assert!(text_of(&client, "#session").await.contains("Sign out"));
        let sent = server
            .authorizations
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        assert!(
            !sent.is_empty() && sent.iter().all(|a| a == "Bearer the-access-token"),
            "reads carry the token: {sent:?}"
        );
        no_console_errors(&driver, &client, "signing in").await;
    })
    .await;
    let _ = client.close().await;
    drop(driver);
    server.stop().await;
    hosted_ui.stop().await;
    outcome.expect("signing in took more than 2 minutes");
}

/// PKCE's S256: base64url(SHA-256(verifier)) without padding.
fn pkce_challenge(verifier: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

/// The fields of an `application/x-www-form-urlencoded` body.
fn form_fields(body: &str) -> Value {
    let decode = |text: &str| {
        let bytes = text.replace('+', " ").into_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match (bytes[i], hex) {
                (b'%', Some(byte)) => {
                    out.push(byte);
                    i += 3;
                }
                (byte, _) => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    let fields: serde_json::Map<String, Value> = body
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), Value::from(decode(v))))
        .collect();
    Value::Object(fields)
}

/// A stand-in for Cognito's hosted UI on loopback: `/oauth2/authorize`
/// redirects straight back with a code; `/oauth2/token` trades it for a token.
struct FakeHostedUi {
    base: String,
    seen: std::sync::Arc<tokio::sync::Mutex<(Value, Value)>>,
    serving: Serving,
}

impl FakeHostedUi {
    async fn start() -> Self {
        use axum::extract::{Query, State};
        use axum::response::IntoResponse;
        use axum::routing::{get, post};
        type Calls = std::sync::Arc<tokio::sync::Mutex<(Value, Value)>>;
        let seen: Calls = Default::default();
        let app = axum::Router::new()
            .route(
                "/oauth2/authorize",
                get(
                    |State(seen): State<Calls>,
                     Query(query): Query<std::collections::BTreeMap<String, String>>| async move {
                        let back = format!(
                            "{}?code=the-code&state={}",
                            query.get("redirect_uri").cloned().unwrap_or_default(),
                            query.get("state").cloned().unwrap_or_default()
                        );
                        seen.lock().await.0 = json!(query);
                        axum::response::Redirect::to(&back).into_response()
                    },
                ),
            )
            .route(
                "/oauth2/token",
                post(|State(seen): State<Calls>, body: String| async move {
                    seen.lock().await.1 = form_fields(&body);
                    (
                        [
                            ("content-type", "application/json"),
                            ("access-control-allow-origin", "*"),
                        ],
                        json!({"access_token": "the-access-token", "token_type": "Bearer", "expires_in": 3600})
                            .to_string(),
                    )
                }),
            )
            .with_state(seen.clone());
        let serving = Serving::router(app).await;
        Self {
            base: serving.base(),
            seen,
            serving,
        }
    }

    async fn authorize_query(&self) -> Value {
        self.seen.lock().await.0.clone()
    }

    async fn token_form(&self) -> Value {
        self.seen.lock().await.1.clone()
    }

    async fn stop(self) {
        self.serving.stop().await;
    }
}

// ------------------------------------------------------------ over HTTP

async fn fetch(
    app: &axum::Router,
    uri: &str,
    if_none_match: Option<&str>,
) -> axum::http::Response<Bytes> {
    let mut request = Request::builder().uri(uri);
    if let Some(tag) = if_none_match {
        request = request.header("if-none-match", tag);
    }
    testkit::router::respond(app, request.body(Body::empty()).expect("request")).await
}

fn header<'a>(response: &'a axum::http::Response<Bytes>, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn the_page_and_its_files_are_served_with_their_types_and_a_strict_policy() {
    let t = TempStore::new("dashboard-http");
    let app = common::app(t.store.clone());
    let page = fetch(&app, "/", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8");
    let policy = header(&page, "content-security-policy");
    for directive in [
        "default-src 'self'",
        "script-src 'self';",
        "connect-src 'self';",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(directive), "{policy}");
    }
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(header(&page, "cache-control"), "no-cache");
    assert_eq!(header(&page, "x-content-type-options"), "nosniff");
    let html = String::from_utf8_lossy(page.body());
    assert!(html.contains("<html lang=\"en\">"));
    assert!(
        !html.contains("<script>") && !html.contains(" on"),
        "no inline script or handlers"
    );

    for (file, media) in [
        ("app.js", "text/javascript; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
        ("icon.svg", "image/svg+xml"),
    ] {
        let asset = fetch(&app, &format!("/assets/{file}"), None).await;
        assert_eq!(asset.status(), StatusCode::OK, "{file}");
        assert_eq!(header(&asset, "content-type"), media, "{file}");
        let etag = header(&asset, "etag").to_owned();
        assert!(etag.starts_with('"'), "{file}: {etag}");
        let again = fetch(&app, &format!("/assets/{file}"), Some(&etag)).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{file}");
        assert!(again.body().is_empty());
    }

    let missing = fetch(&app, "/assets/nope.js", None).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&missing, "content-type"), "application/problem+json");
    let problem: Value = serde_json::from_slice(missing.body()).expect("json");
    assert_eq!(problem["code"], "asset-not-found");

    let config = fetch(&app, "/dashboard/config.json", None).await;
    assert_eq!(config.status(), StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<Value>(config.body()).expect("json"),
        json!({"auth": "none"})
    );
}

#[tokio::test]
async fn with_cognito_the_config_names_the_hosted_ui_and_the_policy_allows_it() {
    let t = TempStore::new("dashboard-cognito");
    let state = AppState::new(
        t.store.clone(),
        Limits::default(),
        Auth::LocalToken(TOKEN.into()),
    )
    .with_dashboard_auth(
        DashboardAuth::cognito("recipes.auth.eu-west-1.amazoncognito.com", "abc123")
            .expect("valid"),
    );
    let app = recipe_server::router(state);
    let config = fetch(&app, "/dashboard/config.json", None).await;
    assert_eq!(
        serde_json::from_slice::<Value>(config.body()).expect("json"),
        json!({
            "auth": "cognito",
            "domain": "recipes.auth.eu-west-1.amazoncognito.com",
            "origin": "https://recipes.auth.eu-west-1.amazoncognito.com",
            "clientId": "abc123"
        })
    );
    let page = fetch(&app, "/", None).await;
    assert!(
        header(&page, "content-security-policy")
            .contains("connect-src 'self' https://recipes.auth.eu-west-1.amazoncognito.com;")
    );
}

/// Behind API Gateway with JWT reads, the page, its files and its sign-in
/// settings load without a token (the page must load before its user can
/// sign in); the data still needs one.
#[cfg(feature = "lambda")]
#[tokio::test]
async fn behind_api_gateway_the_dashboard_is_public_and_the_data_is_not() {
    let t = TempStore::new("dashboard-gateway");
    let state = AppState::new(
        t.store.clone(),
        Limits::default(),
        Auth::ApiGateway {
            public_reads: false,
        },
    )
    .with_dashboard_auth(DashboardAuth::cognito("auth.example.com", "abc123").expect("valid"));
    let app = recipe_server::router(state);
    for uri in ["/", "/assets/app.js", "/dashboard/config.json"] {
        assert_eq!(
            fetch(&app, uri, None).await.status(),
            StatusCode::OK,
            "{uri}"
        );
    }
    assert_eq!(
        fetch(&app, "/recipes", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let wrong_method = app
        .clone()
        .oneshot(
            Request::builder()
                .method("POST")
                .uri("/")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("infallible");
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
}
