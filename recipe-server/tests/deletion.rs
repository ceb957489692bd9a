//! Deletion through the API: what came from a deleted object leaves every
//! read, an upload older than its deletion stores nothing (410), and a
//! recipe whose objects are all deleted is withdrawn.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{fixture, fresh_app, get, send, write};
use serde_json::{Value, json};

/// A write of the fixture `path` to `uri`, as the chain sends it: with the
/// object it came from and the upload's sequencer.
fn upload(uri: &str, key: &str, path: &str, object: &str, sequencer: &str) -> Request<Body> {
    let mut request = write("POST", uri, key, fixture(path));
    let headers = request.headers_mut();
    headers.insert("x-object-key", object.parse().expect("a header"));
    headers.insert("x-object-sequencer", sequencer.parse().expect("a header"));
    request
}

/// The apple-pie recipe (recipe 1 in a fresh store), from `recipes/pie.json`.
fn pie_recipe() -> Request<Body> {
    upload(
        "/recipes",
        "k-r",
        "pairs/apple-pie/recipe.json",
        "recipes/pie.json",
        "01",
    )
}

/// A make of the apple-pie recipe (recipe 1), from the object `object`.
fn pie_make(key: &str, object: &str, sequencer: &str) -> Request<Body> {
    upload(
        "/recipes/1/makes",
        key,
        "pairs/apple-pie/make.json",
        object,
        sequencer,
    )
}

fn deletion(key: &str, body: Value) -> Request<Body> {
    write("POST", "/deletions", key, body.to_string())
}

/// A fresh server holding the apple-pie recipe, from `recipes/pie.json`.
async fn app_with_pie(name: &str) -> (common::TempStore, axum::Router) {
    let (t, app) = fresh_app(name);
    assert_eq!(send(&app, pie_recipe()).await.0, StatusCode::CREATED);
    (t, app)
}

/// Sends `request` and asserts that the answer is the problem `code`, with
/// `status`.
async fn assert_problem(
    app: &axum::Router,
    request: Request<Body>,
    status: StatusCode,
    code: &str,
) {
    let (found, _, problem) = send(app, request).await;
    assert_eq!(
        (found, problem["code"].as_str()),
        (status, Some(code)),
        "{problem}"
    );
}

async fn rejections(app: &axum::Router) -> Vec<Value> {
    let (_, _, page) = send(app, get("/rejections")).await;
    page["items"].as_array().expect("a page").clone()
}

#[tokio::test]
async fn a_deleted_make_leaves_every_read_and_its_replay_stores_nothing() {
    let (_t, app) = app_with_pie("delete-make").await;
    let make = || pie_make("k-m", "makes/sunday.json", "02");
    let (status, _, made) = send(&app, make()).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let make_path = format!(
        "/recipes/1/makes/{}",
        made["makeId"].as_str().expect("an id")
    );

    let body = json!({"objectKey": "makes/sunday.json", "kind": "make", "sequencer": "03"});
    let (status, _, answer) = send(&app, deletion("k-d", body.clone())).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer,
        json!({"status": "deleted", "objectKey": "makes/sunday.json", "kind": "make",
               "removed": {"makes": 1, "versions": 0, "rejections": 0}})
    );
    assert_problem(
        &app,
        get(&make_path),
        StatusCode::NOT_FOUND,
        "make-not-found",
    )
    .await;
    let (_, _, makes) = send(&app, get("/recipes/1/makes")).await;
    assert_eq!(makes["items"], json!([]));
    let (_, _, recipe) = send(&app, get("/recipes/1")).await;
    assert_eq!(recipe["makeCount"], 0);
    let (_, _, insights) = send(&app, get("/recipes/1/insights")).await;
    assert_eq!(insights["makes"], 0, "{insights}");

    // The same deletion again (a duplicate event): nothing more to remove.
    let (status, _, again) = send(&app, deletion("k-d2", body)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        again["removed"],
        json!({"makes": 0, "versions": 0, "rejections": 0})
    );
    // The make's own write delivered again: gone, and not a rejection.
    assert_problem(&app, make(), StatusCode::GONE, "object-deleted").await;
    assert!(rejections(&app).await.is_empty());
}

#[tokio::test]
async fn a_deletion_handled_before_its_upload_wins_and_a_later_upload_is_new() {
    let (_t, app) = app_with_pie("delete-first").await;
    let body =
        json!({"objectKey": "makes/late.json", "kind": "make", "sequencer": "0055AED6DCD90281E5"});
    let (status, _, answer) = send(&app, deletion("k-d", body)).await;
    assert_eq!(
        (status, &answer["removed"]["makes"]),
        (StatusCode::OK, &json!(0))
    );

    // S3 sequencers differ in length: the value orders them.
    let older = pie_make("k-old", "makes/late.json", "55AED6DCD90281E4");
    assert_eq!(send(&app, older).await.0, StatusCode::GONE);
    let newer = pie_make("k-new", "makes/late.json", "0055AED6DCD90281E6");
    assert_eq!(send(&app, newer).await.0, StatusCode::CREATED);
    let (_, _, recipe) = send(&app, get("/recipes/1")).await;
    assert_eq!(recipe["makeCount"], 1);
}

#[tokio::test]
async fn a_make_deleted_before_its_recipe_arrives_is_gone_not_waiting() {
    let (_t, app) = fresh_app("delete-orphan");
    let body = json!({"objectKey": "makes/early.json", "kind": "make", "sequencer": "05"});
    assert_eq!(send(&app, deletion("k-d", body)).await.0, StatusCode::OK);
    // No recipe yet: a make whose object was deleted is not worth waiting
    // for (410), while any other is (404, and the sender retries).
    for (key, object, status, code) in [
        (
            "k-m",
            "makes/early.json",
            StatusCode::GONE,
            "object-deleted",
        ),
        (
            "k-m2",
            "makes/other.json",
            StatusCode::NOT_FOUND,
            "recipe-not-found",
        ),
    ] {
        assert_problem(&app, pie_make(key, object, "04"), status, code).await;
    }
    assert!(rejections(&app).await.is_empty());
}

#[tokio::test]
async fn a_recipe_whose_objects_are_deleted_is_withdrawn_and_refuses_new_makes() {
    let (_t, app) = app_with_pie("withdraw").await;
    let made = pie_make("k-m", "makes/m.json", "01");
    assert_eq!(send(&app, made).await.0, StatusCode::CREATED);

    let body = json!({"objectKey": "recipes/pie.json", "kind": "recipe", "sequencer": "02"});
    let (_, _, answer) = send(&app, deletion("k-d", body)).await;
    assert_eq!(
        answer["removed"],
        json!({"makes": 0, "versions": 1, "rejections": 0})
    );
    let (_, _, recipe) = send(&app, get("/recipes/1")).await;
    assert_eq!(recipe["withdrawn"], true, "{recipe}");
    assert!(recipe["withdrawnAt"].is_string(), "{recipe}");
    // Its make is kept, and still reads.
    assert_eq!(recipe["makeCount"], 1);
    let (_, _, listed) = send(&app, get("/recipes")).await;
    assert_eq!(listed["items"][0]["withdrawn"], true);

    let another = pie_make("k-m2", "makes/m2.json", "03");
    assert_problem(
        &app,
        another,
        StatusCode::UNPROCESSABLE_ENTITY,
        "recipe-withdrawn",
    )
    .await;
    let recorded = rejections(&app).await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0]["code"], "recipe-withdrawn");
}

#[tokio::test]
async fn a_deletion_that_breaks_the_contract_is_refused_with_its_path() {
    let (_t, app) = fresh_app("bad-deletion");
    for (body, path) in [
        (
            json!({"objectKey": "makes/a.json", "kind": "recipe"}),
            "$.kind",
        ),
        (
            json!({"objectKey": "notes/a.json", "kind": "make"}),
            "$.kind",
        ),
        (
            json!({"objectKey": "makes/a.json", "kind": "make", "sequencer": "xyz"}),
            "$.sequencer",
        ),
        (json!({"objectKey": "", "kind": "make"}), "$.objectKey"),
        (
            json!({"objectKey": "makes/a.json", "kind": "make", "extra": 1}),
            "$",
        ),
        (json!({"kind": "make"}), "$"),
    ] {
        let (status, _, problem) = send(&app, deletion("k", body.clone())).await;
        assert_eq!(
            (status, problem["code"].as_str(), problem["path"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("invalid-deletion"),
                Some(path)
            ),
            "{body}"
        );
    }
    // A write whose sequencer is not hexadecimal is refused before the store.
    let mut bad = write(
        "POST",
        "/recipes",
        "k",
        fixture("pairs/apple-pie/recipe.json"),
    );
    bad.headers_mut()
        .insert("x-object-sequencer", "not-hex".parse().expect("a header"));
    assert_problem(
        &app,
        bad,
        StatusCode::BAD_REQUEST,
        "invalid-object-sequencer",
    )
    .await;
}
