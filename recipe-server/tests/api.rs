//! The API through the router, as a client sees it: writes, replays,
//! rejections, reads, errors and auth; and the dashboard's page, files and
//! settings over HTTP (the browser tests in `browser/` use them).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use common::{TempStore, app, fixture, fresh_app, get, send, write};
use recipe_server::DashboardAuth;
use serde_json::{Value, json};
use shared::insights::{InsightTally, MakeFacts};
use shared::store::{
    ErasedObject, ErasureTarget, KeptTally, MakeRef, MakeSummary, NewMake, NewRejection,
    NewVersion, ObjectDeletion, Origin, Page, PageRequest, RecipeStore, RecipeSummary, Removed,
    StoreError, StoredMake, StoredRejection, StoredVersion, Tombstone, VersionSummary, Written,
};
use shared::{MakeId, RecipeId};

async fn with_apple_pie(app: &axum::Router) {
    let (status, _, body) =
        post_fixture(app, "/recipes", "k-recipe", "pairs/apple-pie/recipe.json").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// The fixture `path` written to `uri` under the idempotency key `key`.
async fn post_fixture(
    app: &axum::Router,
    uri: &str,
    key: &str,
    path: &str,
) -> (StatusCode, String, Value) {
    send(app, write("POST", uri, key, fixture(path))).await
}

/// The Apple Pie make, written to `uri` under the idempotency key `k`.
async fn post_apple_make(app: &axum::Router, uri: &str) -> (StatusCode, String, Value) {
    post_fixture(app, uri, "k", "pairs/apple-pie/make.json").await
}

#[tokio::test]
async fn a_recipe_version_is_created_only_when_its_content_changes() {
    let (_t, app) = fresh_app("versions");
    let recipe = fixture("pairs/apple-pie/recipe.json");
    let (status, _, body) = send(&app, write("POST", "/recipes", "k1", recipe.clone())).await;
    assert_eq!(
        (status, body["status"].as_str(), body["version"].as_u64()),
        (StatusCode::CREATED, Some("created"), Some(1))
    );
    let (status, _, body) = send(&app, write("POST", "/recipes", "k1", recipe.clone())).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("replayed"))
    );
    let (status, _, body) = send(&app, write("PUT", "/recipes", "k2", recipe)).await;
    assert_eq!(
        (status, body["status"].as_str(), body["version"].as_u64()),
        (StatusCode::OK, Some("unchanged"), Some(1))
    );
    let changed = String::from_utf8(fixture("pairs/apple-pie/recipe.json"))
        .expect("utf-8")
        .replace("\"rating\": 4", "\"rating\": 3");
    let (status, _, body) = send(&app, write("PUT", "/recipes", "k3", changed)).await;
    assert_eq!(
        (status, body["version"].as_u64()),
        (StatusCode::CREATED, Some(2))
    );

    let (status, _, body) = send(&app, get("/recipes/1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (body["version"].as_u64(), body["currentVersion"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(body["document"]["rating"], 3);
    let (_, _, body) = send(&app, get("/recipes/1?version=1")).await;
    assert_eq!(body["document"]["rating"], 4);
    let (_, _, body) = send(&app, get("/recipes/1/versions")).await;
    assert_eq!(body["items"].as_array().map(Vec::len), Some(2));
    let (status, _, body) = send(&app, get("/recipes/1?version=9")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("version-not-found"))
    );
}

#[tokio::test]
async fn a_make_is_diffed_stored_and_read_back() {
    let (_t, app) = fresh_app("make");
    with_apple_pie(&app).await;
    let (status, _, body) = post_fixture(
        &app,
        "/recipes/1/makes",
        "k-make",
        "pairs/apple-pie/make.json",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["makeId"], "2024-05-01-family-dinner");
    assert_eq!(body["summary"]["total"], 3);

    let (status, _, make) = send(&app, get("/recipes/1/makes/2024-05-01-family-dinner")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        testkit::change_ops(&make["diff"]),
        ["rating-changed", "quantity-changed", "step-edited"]
    );
    assert_eq!(
        make["notes"],
        "Less sugar, baked longer. Everyone wanted seconds."
    );

    let (_, _, differences) = send(
        &app,
        get("/recipes/1/makes/2024-05-01-family-dinner/differences"),
    )
    .await;
    let fields = testkit::strings_of(&differences["differences"], "differenceField");
    assert_eq!(
        fields,
        [
            "rating",
            "ingredients[ingredientId=2].quantity",
            "steps[stepId=6].stepText"
        ]
    );

    let (_, _, makes) = send(&app, get("/recipes/1/makes")).await;
    assert_eq!(makes["items"][0]["summary"]["total"], 3);
    let (_, _, insights) = send(&app, get("/recipes/1/insights")).await;
    assert_eq!(insights["makes"], 1);
    assert_eq!(insights["ingredients"][0]["ingredient"], "white sugar");
    assert_eq!(insights["averageMakeRating"], 5.0);
    let (_, _, summary) = send(&app, get("/recipes")).await;
    assert_eq!(summary["items"][0]["makeCount"], 1);
}

#[tokio::test]
async fn a_replayed_make_returns_the_first_result_and_never_a_second_make() {
    let (_t, app) = fresh_app("replay");
    with_apple_pie(&app).await;
    // No makeId in the upload: the server assigns one, and a replay must get the same.
    let anonymous = String::from_utf8(fixture("pairs/apple-pie/make.json"))
        .expect("utf-8")
        .replace("\"makeId\": \"2024-05-01-family-dinner\",", "");
    let (status, _, first) = send(
        &app,
        write("POST", "/recipes/1/makes", "same-key", anonymous.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let app = app.clone();
        let body = anonymous.clone();
        tasks.push(tokio::spawn(async move {
            send(&app, write("POST", "/recipes/1/makes", "same-key", body)).await
        }));
    }
    for task in tasks {
        let (status, _, body) = task.await.expect("task");
        assert_eq!(
            (status, &body["makeId"], body["status"].as_str()),
            (StatusCode::OK, &first["makeId"], Some("replayed"))
        );
    }
    let (_, _, makes) = send(&app, get("/recipes/1/makes")).await;
    assert_eq!(makes["items"].as_array().map(Vec::len), Some(1));
    // Insights count the make once, however often it was delivered.
    let (_, _, insights) = send(&app, get("/recipes/1/insights")).await;
    assert_eq!(insights["makes"], 1);
    assert_eq!(insights["ingredients"][0]["changes"], 1);
}

#[tokio::test]
async fn the_correlation_id_is_echoed_and_one_is_made_when_missing() {
    let (_t, app) = fresh_app("correlation");
    let mut request = get("/health");
    request
        .headers_mut()
        .insert("x-correlation-id", "job-abc123".parse().expect("header"));
    let response = tower::ServiceExt::oneshot(app.clone(), request)
        .await
        .expect("infallible");
    assert_eq!(
        response
            .headers()
            .get("x-correlation-id")
            .and_then(|v| v.to_str().ok()),
        Some("job-abc123")
    );
    let response = tower::ServiceExt::oneshot(app, get("/health"))
        .await
        .expect("infallible");
    let made = response
        .headers()
        .get("x-correlation-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(made.starts_with("srv-"), "{made}");
}

#[tokio::test]
async fn an_invalid_make_is_refused_with_its_path_and_recorded() {
    let (_t, app) = fresh_app("invalid");
    with_apple_pie(&app).await;
    let bad = r#"{"recipeName": "Apple Pie", "recipeId": 1, "ingredients": [{"ingredientName": "sugar", "quantity": "lots"}]}"#;
    let mut request = write("POST", "/recipes/1/makes", "k-bad", bad);
    request
        .headers_mut()
        .insert("x-object-key", "makes/bad.json".parse().expect("header"));
    let (status, content_type, problem) = send(&app, request).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(problem["type"], "urn:recipe-diff:problem:invalid-number");
    assert_eq!(problem["path"], "$.ingredients[0].quantity");
    let (_, _, rejections) = send(&app, get("/rejections")).await;
    let first = &rejections["items"][0];
    assert_eq!(
        (
            first["objectKey"].as_str(),
            first["code"].as_str(),
            first["path"].as_str()
        ),
        (
            Some("makes/bad.json"),
            Some("invalid-number"),
            Some("$.ingredients[0].quantity")
        )
    );
    // The chain posting the same refusal again records nothing new.
    let (_, _, again) = send(&app, write("POST", "/recipes/1/makes", "k-bad", bad)).await;
    assert_eq!(again["code"], "invalid-number");
    assert_eq!(rejection_count(&app).await, 1);
}

/// How many rejections the first page lists.
async fn rejection_count(app: &axum::Router) -> usize {
    let (_, _, rejections) = send(app, get("/rejections")).await;
    rejections["items"]
        .as_array()
        .expect("a page of rejections")
        .len()
}

#[tokio::test]
async fn a_make_for_an_unknown_recipe_is_404_and_not_a_rejection() {
    let (_t, app) = fresh_app("unknown");
    let (status, _, problem) = post_apple_make(&app, "/recipes/1/makes").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("recipe-not-found"))
    );
    assert_eq!(rejection_count(&app).await, 0);
    // Once the recipe arrives, the same request succeeds.
    with_apple_pie(&app).await;
    let (status, _, _) = post_apple_make(&app, "/recipes/1/makes").await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_make_sent_to_another_recipe_is_refused() {
    let (_t, app) = fresh_app("mismatch");
    let (status, _, problem) = post_apple_make(&app, "/recipes/2/makes").await;
    assert_eq!(
        (status, problem["code"].as_str(), problem["path"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("recipe-id-mismatch"),
            Some("$.recipeId")
        )
    );
}

/// A store that counts the calls it receives.
struct Counting {
    inner: Arc<dyn RecipeStore>,
    calls: AtomicUsize,
}

impl Counting {
    /// `inner`, counting from 0.
    fn over(inner: Arc<dyn RecipeStore>) -> Arc<Self> {
        Arc::new(Self {
            inner,
            calls: AtomicUsize::new(0),
        })
    }
}

/// Implements the store port for [`Counting`]: each method counts the call
/// and forwards it to the inner store.
macro_rules! counted {
    ($($name:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {
        #[async_trait::async_trait]
        impl RecipeStore for Counting {
            $(async fn $name(&self $(, $arg: $ty)*) -> Result<$out, StoreError> {
                self.calls.fetch_add(1, Ordering::SeqCst);
                self.inner.$name($($arg),*).await
            })*
        }
    };
}

counted! {
    put_version(v: &NewVersion) -> Written<StoredVersion>;
    version(r: &RecipeId, v: Option<u32>) -> Option<StoredVersion>;
    version_head(r: &RecipeId, v: u32) -> Option<VersionSummary>;
    recipes(p: &PageRequest) -> Page<RecipeSummary>;
    recipe_summary(r: &RecipeId) -> Option<RecipeSummary>;
    versions(r: &RecipeId, p: &PageRequest) -> Option<Page<VersionSummary>>;
    variants(r: &RecipeId, p: &PageRequest) -> Option<Page<RecipeId>>;
    put_make(m: &NewMake) -> Written<MakeRef>;
    make(r: &RecipeId, m: &MakeId) -> Option<StoredMake>;
    makes(r: &RecipeId, p: &PageRequest) -> Option<Page<MakeSummary>>;
    make_facts(r: &RecipeId, p: &PageRequest) -> Option<Page<MakeFacts>>;
    insight_tally(r: &RecipeId) -> KeptTally;
    keep_insight_tally(r: &RecipeId, t: &InsightTally, w: u64) -> bool;
    put_rejection(r: &NewRejection) -> Written<StoredRejection>;
    rejections(p: &PageRequest) -> Page<StoredRejection>;
    delete_object(d: &ObjectDeletion) -> Removed;
    is_deleted(o: &Origin) -> bool;
    begin_erasure(t: &ErasureTarget, at: &str) -> Option<Vec<ErasedObject>>;
    finish_erasure(t: &ErasureTarget, s: &[Tombstone], at: &str) -> Removed;
    pending_erasures() -> Vec<ErasureTarget>;
    ping() -> ();
}

#[tokio::test]
async fn an_oversized_body_is_413_before_any_store_call() {
    let t = TempStore::new("oversized");
    let counting = Counting::over(t.store.clone());
    let app = app(counting.clone());
    let huge = format!("{{\"recipeName\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let (status, content_type, problem) =
        send(&app, write("POST", "/recipes", "k", huge.clone())).await;
    assert_eq!(
        (status, content_type.as_str(), problem["code"].as_str()),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "application/problem+json",
            Some("payload-too-large")
        )
    );
    // Without a Content-Length (a streamed body), the limit still holds.
    let stream = futures_body(huge);
    let (status, _, _) = send(&app, write("POST", "/recipes/1/makes", "k2", stream)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        counting.calls.load(Ordering::SeqCst),
        0,
        "no store call for an oversized body"
    );
}

/// A body sent in chunks, without a Content-Length.
fn futures_body(text: String) -> axum::body::Body {
    let chunks: std::collections::VecDeque<axum::body::Bytes> = text
        .into_bytes()
        .chunks(64 * 1024)
        .map(axum::body::Bytes::copy_from_slice)
        .collect();
    axum::body::Body::from_stream(Chunks(chunks))
}

struct Chunks(std::collections::VecDeque<axum::body::Bytes>);

impl futures_core::Stream for Chunks {
    type Item = Result<axum::body::Bytes, std::io::Error>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.0.pop_front().map(Ok))
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let (_t, app) = fresh_app("media");
    let mut request = write("POST", "/recipes", "k", "recipeName: pie");
    request
        .headers_mut()
        .insert("content-type", "text/yaml".parse().expect("header"));
    let (status, _, problem) = send(&app, request).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("unsupported-media-type")
        )
    );
}

#[tokio::test]
async fn writes_need_the_token_and_reads_do_not() {
    let (_t, app) = fresh_app("auth");
    let mut unsigned = write(
        "POST",
        "/recipes",
        "k",
        fixture("pairs/apple-pie/recipe.json"),
    );
    unsigned.headers_mut().remove("authorization");
    let (status, _, problem) = send(&app, unsigned).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let mut wrong = write("POST", "/rejections", "k", "{}");
    wrong.headers_mut().insert(
        "authorization",
        "Bearer not-the-token".parse().expect("header"),
    );
    let (status, _, problem) = send(&app, wrong).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (status, _, _) = send(&app, get("/recipes")).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, recipes) = send(&app, get("/recipes")).await;
    assert_eq!(
        recipes["items"].as_array().map(Vec::len),
        Some(0),
        "nothing was written"
    );
}

#[tokio::test]
async fn errors_are_problem_documents_with_stable_types() {
    let (_t, app) = fresh_app("errors");
    for (request, status, code) in [
        (get("/nowhere"), StatusCode::NOT_FOUND, "no-route"),
        (
            get("/recipes/nope"),
            StatusCode::NOT_FOUND,
            "recipe-not-found",
        ),
        (
            get("/recipes?limit=0"),
            StatusCode::BAD_REQUEST,
            "invalid-query",
        ),
        (
            get("/recipes?cursor=bogus"),
            StatusCode::BAD_REQUEST,
            "invalid-cursor",
        ),
        (
            get("/recipes/1?version=x"),
            StatusCode::BAD_REQUEST,
            "invalid-query",
        ),
        (
            write("DELETE", "/recipes", "k", ""),
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
        ),
        (
            write("POST", "/recipes", "", "{}"),
            StatusCode::BAD_REQUEST,
            "invalid-idempotency-key",
        ),
    ] {
        let (got, content_type, problem) = send(&app, request).await;
        assert_eq!(
            (got, problem["code"].as_str()),
            (status, Some(code)),
            "{problem}"
        );
        assert_eq!(content_type, "application/problem+json");
        assert_eq!(problem["type"], format!("urn:recipe-diff:problem:{code}"));
        assert_eq!(problem["status"], status.as_u16());
    }
}

#[tokio::test]
async fn every_route_is_documented_and_every_documented_route_exists() {
    let doc: Value =
        serde_json::from_str(recipe_server::openapi_json()).expect("the OpenAPI document is JSON");
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    documented.sort();
    let mut routed: Vec<(String, String)> = recipe_server::routes()
        .iter()
        .map(|(m, p)| (m.to_owned(), p.to_owned()))
        .collect();
    routed.sort();
    assert_eq!(routed, documented);

    // And each is wired: no documented route falls through to "no route" or 405.
    let (_t, app) = fresh_app("routes");
    for (method, path) in &documented {
        let uri = path.replace("{recipeId}", "r").replace("{makeId}", "m");
        let (_, _, body) = send(&app, write(method, &uri, "route-check", "{}")).await;
        let code = body["code"].as_str().unwrap_or("");
        assert!(
            code != "no-route" && code != "method-not-allowed",
            "{method} {path}: {body}"
        );
    }
}

/// Every write route, with a body that would be accepted.
fn write_routes() -> [(&'static str, &'static str, Vec<u8>); 7] {
    [
        ("POST", "/recipes", fixture("pairs/apple-pie/recipe.json")),
        ("PUT", "/recipes", fixture("pairs/apple-pie/recipe.json")),
        (
            "POST",
            "/recipes/1/makes",
            fixture("pairs/apple-pie/make.json"),
        ),
        (
            "POST",
            "/rejections",
            br#"{"objectKey": "makes/x.json", "kind": "make", "code": "invalid-json", "message": "not JSON"}"#.to_vec(),
        ),
        (
            "POST",
            "/deletions",
            br#"{"objectKey": "makes/x.json", "kind": "make", "sequencer": "0A"}"#.to_vec(),
        ),
        // Erasures, last: the make, then the recipe.
        (
            "DELETE",
            "/recipes/1/makes/2024-05-01-family-dinner",
            Vec::new(),
        ),
        ("DELETE", "/recipes/1", Vec::new()),
    ]
}

#[tokio::test]
async fn every_write_without_this_servers_token_is_refused_before_any_store_call() {
    let t = TempStore::new("auth-every-write");
    let counting = Counting::over(t.store.clone());
    let app = app(counting.clone());
    // No token, malformed ones, other schemes, near misses of the token,
    // and a token from an earlier run (the local chain makes a new one at
    // every start, so an old one is the local form of an expired token).
    let credentials = [
        None,
        Some(""),
        Some("Bearer"),
        Some("Bearer "),
        Some("bearer test-write-token"),
        Some("Token test-write-token"),
        Some("Basic dGVzdC13cml0ZS10b2tlbjo="),
        Some("Bearer test-write-toke"),
        Some("Bearer test-write-tokenX"),
        Some("Bearer TEST-WRITE-TOKEN"),
        Some("Bearer  test-write-token"),
        Some("Bearer 7f50e632edf40c49ab4642528faf5dbe"),
    ];
    for (method, path, body) in write_routes() {
        for credential in credentials {
            let mut request = write(method, path, "k-refused", body.clone());
            request.headers_mut().remove("authorization");
            if let Some(value) = credential {
                request
                    .headers_mut()
                    .insert("authorization", value.parse().expect("header"));
            }
            let (status, content_type, problem) = send(&app, request).await;
            assert!(
                matches!(
                    (status, problem["code"].as_str()),
                    (StatusCode::UNAUTHORIZED, Some("unauthorized"))
                        | (StatusCode::FORBIDDEN, Some("forbidden"))
                ),
                "{method} {path} with {credential:?}: {status} {problem}"
            );
            assert_eq!(content_type, "application/problem+json");
        }
    }
    assert_eq!(
        counting.calls.load(Ordering::SeqCst),
        0,
        "a refused write must not reach the store"
    );
    // Refusal is about the credential, not the request: the same writes
    // with the token go through.
    for (method, path, body) in write_routes() {
        let (status, _, body) = send(&app, write(method, path, "k-accepted", body)).await;
        assert!(status.is_success(), "{method} {path}: {status} {body}");
    }
}

#[tokio::test]
async fn an_unsigned_oversized_write_is_refused_for_its_credential_first() {
    let t = TempStore::new("oversized-unsigned");
    let counting = Counting::over(t.store.clone());
    let app = app(counting.clone());
    let mut request = write("POST", "/recipes", "k", "x".repeat(2 * 1024 * 1024));
    request.headers_mut().remove("authorization");
    let (status, _, _) = send(&app, request).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(counting.calls.load(Ordering::SeqCst), 0);
}

/// Over a real socket, as a client sees it: a body announced larger than
/// the limit is refused with 413 from its headers alone, before the client
/// sends a byte of it (also when the client waits for `100 Continue`), and
/// nothing reaches the store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_announced_oversized_body_is_413_over_the_socket_before_it_is_sent() {
    use std::io::{Read, Write};

    let t = TempStore::new("oversized-socket");
    let counting = Counting::over(t.store.clone());
    let state = common::local_state(counting.clone());
    let server = testkit::router::Serving::start(|listener, shutdown| {
        recipe_server::serve(listener, state, shutdown)
    })
    .await;
    let address = server.addr();
    for (path, expect) in [
        ("/recipes", ""),
        ("/recipes/1/makes", "Expect: 100-continue\r\n"),
        ("/rejections", ""),
    ] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
             Idempotency-Key: k-huge\r\nContent-Type: application/json\r\n\
             Content-Length: 10737418240\r\n{expect}\r\n",
            common::TOKEN
        );
        let answer = tokio::task::spawn_blocking(move || {
            let mut socket = std::net::TcpStream::connect(address).expect("connect");
            socket
                .set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .expect("timeout");
            socket.write_all(head.as_bytes()).expect("send the head");
            let mut answer = Vec::new();
            let mut buffer = [0u8; 4096];
            // Until the head and the problem document have arrived.
            while !answer.windows(4).any(|w| w == b"\r\n\r\n")
                || !String::from_utf8_lossy(&answer).contains("payload-too-large")
            {
                match socket.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => answer.extend_from_slice(&buffer[..n]),
                }
            }
            String::from_utf8_lossy(&answer).into_owned()
        })
        .await
        .expect("task");
        assert!(
            answer.starts_with("HTTP/1.1 413"),
            "POST {path} with {expect:?}: {answer}"
        );
        assert!(
            !answer.contains("100 Continue"),
            "the body was asked for: {answer}"
        );
        assert!(answer.contains("payload-too-large"), "{answer}");
    }
    server.stop().await;
    assert_eq!(counting.calls.load(Ordering::SeqCst), 0);
}

/// Behind API Gateway, what the function can see of the caller is the
/// authorizer's result in the request context. API Gateway itself refuses
/// unsigned writes (IAM authorizer: SigV4 signature, expiry of the signing
/// time and credentials) and missing, expired or foreign tokens on reads
/// (JWT authorizer: signature, issuer, audience, `exp`, `nbf`) before the
/// function runs; these tests pin down the function's own check, which
/// holds should a route ever lose its authorizer.
#[cfg(feature = "lambda")]
mod behind_api_gateway {
    use super::*;
    use common::gateway_app;
    use testkit::router::{event, invoke};

    fn counting_app(t: &TempStore, public_reads: bool) -> (axum::Router, Arc<Counting>) {
        let counting = Counting::over(t.store.clone());
        (gateway_app(counting.clone(), public_reads), counting)
    }

    /// Asserts that an answer is the problem `want` (status and code); `what`
    /// names the case in the failure.
    fn assert_problem(got: (StatusCode, Value), want: (StatusCode, &str), what: &str) {
        let (status, problem) = got;
        assert_eq!(
            (status, problem["code"].as_str()),
            (want.0, Some(want.1)),
            "{what}: {problem}"
        );
    }

    const FORBIDDEN: (StatusCode, &str) = (StatusCode::FORBIDDEN, "forbidden");
    const UNAUTHORIZED: (StatusCode, &str) = (StatusCode::UNAUTHORIZED, "unauthorized");
    const TOO_LARGE: (StatusCode, &str) = (StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large");

    /// Asserts that the function refuses `event` as unauthorized; `what`
    /// names the case in a failure.
    async fn assert_unauthorized(app: &axum::Router, event: &Value, what: &str) {
        assert_problem(invoke(app, event).await, UNAUTHORIZED, what);
    }

    /// The signed write event, sent to `method path` with `body`.
    fn write_event(method: &str, path: &str, body: &[u8]) -> Value {
        let mut event = event("apigw-v2-post-recipe.json");
        let route = if path.ends_with("/makes") {
            "/recipes/{recipeId}/makes"
        } else {
            path
        };
        event["routeKey"] = format!("{method} {route}").into();
        event["requestContext"]["routeKey"] = event["routeKey"].clone();
        event["rawPath"] = path.into();
        event["requestContext"]["http"]["method"] = method.into();
        event["requestContext"]["http"]["path"] = path.into();
        event["headers"]["content-length"] = body.len().to_string().into();
        event["body"] = String::from_utf8(body.to_vec()).expect("utf-8").into();
        event
    }

    fn claims(exp: i64) -> Value {
        serde_json::json!({"jwt": {"claims": {
            "sub": "5c2f0b6e-cook",
            "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE",
            "client_id": "dashboard",
            "token_use": "access",
            "cognito:groups": "[readers cooks]",
            "exp": exp.to_string(),
            "iat": (exp - 3600).to_string(),
        }, "scopes": null}})
    }

    #[tokio::test]
    async fn a_write_without_the_iam_authorizer_never_reaches_the_store() {
        let t = TempStore::new("apigw-writes");
        let (app, counting) = counting_app(&t, true);
        let now = 1_795_374_238;
        let contexts = [
            ("no authorizer", None),
            ("a null authorizer", Some(Value::Null)),
            ("an empty authorizer", Some(serde_json::json!({}))),
            ("a null IAM result", Some(serde_json::json!({"iam": null}))),
            ("a signed-in user's JWT", Some(claims(now + 3600))),
            ("an expired JWT", Some(claims(now - 3600))),
            (
                "a Lambda authorizer's context",
                Some(serde_json::json!({"lambda": {"principal": "chain"}})),
            ),
        ];
        for (method, path, body) in write_routes() {
            for (what, authorizer) in &contexts {
                let mut event = write_event(method, path, &body);
                let context = event["requestContext"]
                    .as_object_mut()
                    .expect("request context");
                match authorizer {
                    None => {
                        context.remove("authorizer");
                    }
                    Some(value) => {
                        context.insert("authorizer".into(), value.clone());
                    }
                }
                let context = format!("{method} {path} with {what}");
                assert_unauthorized(&app, &event, &context).await;
            }
        }
        assert_eq!(counting.calls.load(Ordering::SeqCst), 0);
        // The same events as API Gateway sends them after SigV4 passed (an
        // erasure as the eraser role's session).
        for (method, path, body) in write_routes() {
            let mut event = write_event(method, path, &body);
            if method == "DELETE" {
                event["requestContext"]["authorizer"]["iam"]["userArn"] = format!(
                    "arn:aws:sts::123456789012:assumed-role/{}/alice",
                    common::ERASER_ROLE
                )
                .into();
            }
            let (status, body) = invoke(&app, &event).await;
            assert!(status.is_success(), "{method} {path}: {status} {body}");
        }
    }

    #[tokio::test]
    async fn a_signed_oversized_write_is_413_before_any_store_call() {
        let t = TempStore::new("apigw-oversized");
        let (app, counting) = counting_app(&t, false);
        // API Gateway passes bodies up to 10 MB; the server's limit is 1 MiB.
        let huge = format!("{{\"recipeName\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
        // Erasures read no body, so they have none to refuse.
        for (method, path, _) in write_routes().into_iter().filter(|(m, ..)| *m != "DELETE") {
            let mut event = write_event(method, path, huge.as_bytes());
            assert_problem(
                invoke(&app, &event).await,
                TOO_LARGE,
                &format!("{method} {path}"),
            );
            // Without the length header too.
            event["headers"]
                .as_object_mut()
                .expect("headers")
                .remove("content-length");
            let (status, _) = invoke(&app, &event).await;
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{method} {path}");
        }
        assert_eq!(counting.calls.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_read_needs_the_jwt_authorizer_whose_verdict_the_server_trusts() {
        let t = TempStore::new("apigw-reads");
        let (app, counting) = counting_app(&t, false);
        let read = event("apigw-v2-get-recipes.json");
        let signed_write_context =
            event("apigw-v2-post-recipe.json")["requestContext"]["authorizer"].clone();
        for (what, authorizer) in [
            ("no authorizer", Value::Null),
            ("an empty authorizer", serde_json::json!({})),
            ("only the chain's IAM identity", signed_write_context),
        ] {
            let mut event = read.clone();
            event["requestContext"]["authorizer"] = authorizer;
            assert_unauthorized(&app, &event, &format!("a read with {what}")).await;
        }
        assert_eq!(counting.calls.load(Ordering::SeqCst), 0);
        // The function does not verify tokens: API Gateway's JWT authorizer
        // answers 401 for an expired one and never invokes it. Claims that
        // reached the function were valid when API Gateway checked them.
        let mut event = read.clone();
        event["requestContext"]["authorizer"] = claims(1_000_000_000);
        let (status, _) = invoke(&app, &event).await;
        assert_eq!(status, StatusCode::OK);
    }

    #[tokio::test]
    async fn a_read_needs_a_user_in_the_readers_group() {
        let t = TempStore::new("apigw-groups");
        let (app, counting) = counting_app(&t, false);
        for groups in [
            None,
            Some("[]"),
            Some("[cooks]"),
            Some("[readersx]"),
            Some("reader"),
        ] {
            let mut event = event("apigw-v2-get-recipes.json");
            let authorizer = &mut event["requestContext"]["authorizer"]["jwt"]["claims"];
            match groups {
                Some(groups) => authorizer["cognito:groups"] = groups.into(),
                None => {
                    authorizer
                        .as_object_mut()
                        .expect("claims")
                        .remove("cognito:groups");
                }
            }
            assert_problem(
                invoke(&app, &event).await,
                FORBIDDEN,
                &format!("groups {groups:?}"),
            );
        }
        assert_eq!(counting.calls.load(Ordering::SeqCst), 0);
    }

    /// A read of `path` with a machine token (client credentials: no user,
    /// no groups) that carries `scope`, as the claim or the scope list.
    fn machine_read(path: &str, scope: &str, as_claim: bool) -> Value {
        let mut event = event("apigw-v2-get-recipes.json");
        event["rawPath"] = path.into();
        event["requestContext"]["http"]["path"] = path.into();
        let mut claims = serde_json::json!({
            "sub": "smoke-client",
            "client_id": "smoke-client",
            "token_use": "access",
        });
        let mut scopes = Value::Null;
        if as_claim {
            claims["scope"] = scope.into();
        } else {
            scopes = serde_json::json!([scope]);
        }
        event["requestContext"]["authorizer"] =
            serde_json::json!({"jwt": {"claims": claims, "scopes": scopes}});
        event
    }

    #[tokio::test]
    async fn the_smoke_identity_reads_only_the_smoke_tests_recipes() {
        let t = TempStore::new("apigw-smoke");
        let body = fixture("pairs/apple-pie/recipe.json");
        let mut smoke: Value = serde_json::from_slice(&body).expect("JSON");
        smoke["recipeId"] = "smoke-20261202-1".into();
        let (app, _) = counting_app(&t, false);
        // The smoke test's recipe comes from its folder, as it must
        // (shared::keys::check_smoke_namespace).
        for (key, recipe, object_key) in [
            ("plain", body, "recipes/apple-pie.json"),
            (
                "smoke",
                serde_json::to_vec(&smoke).expect("JSON"),
                "recipes/smoke/smoke-20261202-1.json",
            ),
        ] {
            let mut write = write_event("POST", "/recipes", &recipe);
            write["headers"]["idempotency-key"] = key.into();
            write["headers"]["x-object-key"] = object_key.into();
            let (status, stored) = invoke(&app, &write).await;
            assert_eq!(status, StatusCode::CREATED, "{stored}");
        }
        for as_claim in [true, false] {
            let read = |path: &str| machine_read(path, common::SMOKE_SCOPE, as_claim);
            let (status, recipe) = invoke(&app, &read("/recipes/smoke-20261202-1")).await;
            assert_eq!(
                (status, recipe["recipeId"].as_str()),
                (StatusCode::OK, Some("smoke-20261202-1")),
                "{recipe}"
            );
            for path in [
                "/recipes",
                "/recipes/1",
                "/recipes/smoke-20261202-1/../1",
                "/recipes/smoke%2D20261202-1",
                "/rejections",
                "/insights",
            ] {
                let what = format!("{path} (scope as claim: {as_claim})");
                assert_problem(invoke(&app, &read(path)).await, FORBIDDEN, &what);
            }
            // Another scope is no reader's, not even for a smoke recipe.
            let other = machine_read("/recipes/smoke-20261202-1", "recipe-diff/other", as_claim);
            assert_eq!(invoke(&app, &other).await.0, StatusCode::FORBIDDEN);
        }
        // Without a smoke scope configured, the token reads nothing.
        let plain = recipe_server::router(common::gateway_state_with(t.store.clone(), false, None));
        let read = machine_read("/recipes/smoke-20261202-1", common::SMOKE_SCOPE, true);
        assert_eq!(invoke(&plain, &read).await.0, StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn only_the_senders_role_may_write_and_only_the_eraser_role_may_erase() {
        let t = TempStore::new("apigw-writer");
        let (app, counting) = counting_app(&t, false);
        let body = fixture("pairs/apple-pie/recipe.json");
        for arn in [
            "arn:aws:sts::123456789012:assumed-role/someone-else/session",
            "arn:aws:iam::123456789012:user/recipe-sender-role",
            "arn:aws:sts::123456789012:assumed-role/recipe-sender-role-2/recipe-sender",
        ] {
            let mut event = write_event("POST", "/recipes", &body);
            event["requestContext"]["authorizer"]["iam"]["userArn"] = arn.into();
            assert_problem(invoke(&app, &event).await, FORBIDDEN, arn);
        }
        assert_eq!(counting.calls.load(Ordering::SeqCst), 0);
        let (status, _) = invoke(&app, &write_event("POST", "/recipes", &body)).await;
        assert_eq!(status, StatusCode::CREATED, "the sender's own role");
        let erase_as = |path: &str, role: &str| {
            let mut erase = write_event("DELETE", path, b"");
            erase["requestContext"]["authorizer"]["iam"]["userArn"] =
                format!("arn:aws:sts::123456789012:assumed-role/{role}/alice").into();
            erase
        };
        // Signed is not enough: any other role of the account is refused,
        // the sender's and the deploy role's (outside the smoke test's
        // recipes) included, before the store is asked.
        let before = counting.calls.load(Ordering::SeqCst);
        for (path, role) in [
            ("/recipes/1", "operator"),
            ("/recipes/1", "recipe-sender-role"),
            ("/recipes/1", common::SMOKE_ROLE),
            ("/recipes/1/makes/m1", common::SMOKE_ROLE),
        ] {
            assert_problem(
                invoke(&app, &erase_as(path, role)).await,
                FORBIDDEN,
                "eraser role",
            );
        }
        assert_eq!(
            counting.calls.load(Ordering::SeqCst),
            before,
            "no store call for a refused erasure"
        );
        // The eraser role erases; the deploy role its smoke recipes only.
        let (status, _) = invoke(&app, &erase_as("/recipes/1", common::ERASER_ROLE)).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = invoke(
            &app,
            &erase_as("/recipes/smoke-20261207", common::SMOKE_ROLE),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "allowed, and there is no such recipe"
        );
    }
}

// ------------------------------------------------------------ the dashboard over HTTP

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
    let state = recipe_server::AppState::new(recipe_server::Parts {
        dashboard: Some(
            DashboardAuth::cognito("recipes.auth.eu-west-1.amazoncognito.com", "abc123")
                .expect("valid"),
        ),
        ..common::local_parts(t.store.clone())
    });
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
    let state = recipe_server::AppState::new(recipe_server::Parts {
        dashboard: Some(DashboardAuth::cognito("auth.example.com", "abc123").expect("valid")),
        ..common::gateway_parts(t.store.clone(), false)
    });
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
    let wrong_method = tower::ServiceExt::oneshot(
        app.clone(),
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
