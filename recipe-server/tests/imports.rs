//! `POST /imports`: a recipe page fetched from its link into the bucket
//! folder, against a real page server on 127.0.0.1, reached through the
//! one loopback name a test may allow; the same server refused without
//! it, every other class of address refused, and every way an import
//! fails answered with a problem document that says what was wrong.

mod common;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;
use common::{TempStore, local_parts, send};
use embedded_adapters::{DirObjects, LocalForms};
use serde_json::{Value, json};
use testkit::router::Serving;
use web_adapters::GuardedFetcher;

const CAKE: &[u8] = include_bytes!("../../fixtures/pages/lemon-drizzle-cake.html");
const TIPS: &[u8] = include_bytes!("../../fixtures/pages/sourdough-tips.html");

/// A page server on a free loopback port: a recipe page, a page without a
/// recipe, and a picture; stopped when dropped.
async fn page_server() -> Serving {
    let html = |body: &'static [u8]| ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body);
    let app = Router::new()
        .route(
            "/recipes/lemon-drizzle-cake",
            get(move || async move { html(CAKE) }),
        )
        .route("/tips", get(move || async move { html(TIPS) }))
        .route(
            "/picture.png",
            get(|| async { ([(header::CONTENT_TYPE, "image/png")], "png") }),
        );
    Serving::router(app).await
}

/// A local router whose bucket is `bucket/` in the store's folder, whose
/// imports go through `fetcher`.
fn app(t: &TempStore, fetcher: GuardedFetcher) -> Router {
    let forms = LocalForms::new(DirObjects::new(t.dir().join("bucket"))).expect("forms");
    recipe_server::router(recipe_server::AppState::new(recipe_server::Parts {
        uploads: Some(Arc::new(forms)),
        pages: Some(Arc::new(fetcher)),
        ..local_parts(t.store.clone())
    }))
}

/// The fetcher with the test setting: `localhost` may resolve to loopback.
fn allowed() -> GuardedFetcher {
    GuardedFetcher::new().allowing_loopback_host("localhost")
}

/// `POST /imports` of `body`, as a page of this server sends it.
fn import(body: &Value) -> Request<Body> {
    Request::post("/imports")
        .header("content-type", "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body.to_string()))
        .expect("request")
}

/// Every file under the bucket folder, as keys.
fn bucket_keys(t: &TempStore) -> Vec<String> {
    let root = t.dir().join("bucket");
    let mut keys = Vec::new();
    let mut folders = vec![root.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if let Ok(key) = path.strip_prefix(&root) {
                keys.push(key.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    keys
}

#[tokio::test]
async fn a_page_is_imported_into_the_cooks_recipes_folder_through_the_allowed_name() {
    let server = page_server().await;
    let port = server.addr().port();
    let t = TempStore::new("import-page");
    let app = app(&t, allowed());
    let url = format!("http://localhost:{port}/recipes/lemon-drizzle-cake");
    let (status, _, imported) = send(&app, import(&json!({ "url": url }))).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{imported}");
    let key = imported["key"].as_str().expect("a key");
    assert!(
        key.starts_with("recipes/cooks/dashboard/lemon-drizzle-cake-") && key.ends_with(".html"),
        "{key}"
    );
    assert_eq!(imported["url"], url);
    let stored = std::fs::read(t.dir().join("bucket").join(key)).expect("the page in the bucket");
    assert_eq!(stored, CAKE);
    // The same link again is the same object: a new version at most.
    let (status, _, again) = send(&app, import(&json!({ "url": url }))).await;
    assert_eq!(
        (status, &again["key"]),
        (StatusCode::ACCEPTED, &imported["key"])
    );
    assert_eq!(bucket_keys(&t), [key]);
}

#[tokio::test]
async fn the_same_page_server_is_refused_without_the_test_setting() {
    let server = page_server().await;
    let port = server.addr().port();
    let t = TempStore::new("import-refused");
    let app = app(&t, GuardedFetcher::new());
    let url = format!("http://localhost:{port}/recipes/lemon-drizzle-cake");
    let (status, _, problem) = send(&app, import(&json!({ "url": url }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["code"], "import-address-refused");
    assert_eq!(problem["path"], "$.url");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("loopback")),
        "{problem}"
    );
    assert!(bucket_keys(&t).is_empty());
}

#[tokio::test]
async fn every_class_of_refused_address_is_answered_and_nothing_is_fetched() {
    let t = TempStore::new("import-classes");
    let app = app(&t, allowed());
    for (url, class) in [
        ("http://127.0.0.1/pie", "loopback"),
        ("http://10.0.0.8/pie", "private"),
        ("http://192.168.0.1/pie", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://100.64.1.1/pie", "CGNAT"),
        ("http://239.1.1.1/pie", "multicast"),
        ("http://0.0.0.0/pie", "unspecified"),
        ("http://[::1]/pie", "loopback"),
        ("http://[fd00::8]/pie", "unique-local"),
        ("http://[fe80::1]/pie", "link-local"),
        ("http://[ff02::1]/pie", "multicast"),
        ("http://[::ffff:10.0.0.8]/pie", "IPv4-mapped"),
    ] {
        let (status, _, problem) = send(&app, import(&json!({ "url": url }))).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("import-address-refused")
            ),
            "{url}: {problem}"
        );
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains(class)),
            "{url}: {problem}"
        );
    }
    assert!(bucket_keys(&t).is_empty());
}

#[tokio::test]
async fn a_bad_link_or_a_page_without_a_recipe_says_what_was_wrong() {
    let server = page_server().await;
    let port = server.addr().port();
    let t = TempStore::new("import-bad");
    let app = app(&t, allowed());
    let page = |path: &str| json!({ "url": format!("http://localhost:{port}/{path}") });
    for (body, status, code) in [
        (
            json!({ "url": "ftp://example.com/pie" }),
            422,
            "invalid-import",
        ),
        (
            json!({ "url": "file:///etc/passwd" }),
            422,
            "invalid-import",
        ),
        (json!({ "url": 5 }), 422, "invalid-import"),
        (
            json!({ "link": "https://example.com" }),
            422,
            "invalid-import",
        ),
        (page("tips"), 422, "no-recipe"),
        (page("picture.png"), 422, "import-not-a-page"),
        (page("nowhere"), 502, "import-unreachable"),
    ] {
        let (got, _, problem) = send(&app, import(&body)).await;
        assert_eq!(
            (got.as_u16(), problem["code"].as_str()),
            (status, Some(code)),
            "{body}: {problem}"
        );
        assert!(
            problem["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{problem}"
        );
    }
    assert!(bucket_keys(&t).is_empty());
}

#[tokio::test]
async fn only_the_write_token_or_this_servers_page_may_import() {
    let t = TempStore::new("import-auth");
    let app = app(&t, GuardedFetcher::new());
    let request = Request::post("/imports")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({ "url": "https://example.com/pie" }).to_string(),
        ))
        .expect("request");
    let (status, _, problem) = send(&app, request).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");
    assert!(bucket_keys(&t).is_empty());
}
