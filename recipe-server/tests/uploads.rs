//! The dashboard's routes: the preview of a make's diff (which stores
//! nothing), the signed upload forms, and the local server taking a posted
//! form into the bucket folder as S3 takes a presigned POST.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{TempStore, fixture, local_parts, send, write};
use embedded_adapters::{DirObjects, LocalForms};
use serde_json::{Value, json};

/// A local router over a fresh store whose bucket is `bucket/` in its
/// folder, with a recipe (the Apple Pie) stored.
async fn app_with_a_recipe(name: &str) -> (TempStore, axum::Router) {
    let t = TempStore::new(name);
    let forms = LocalForms::new(DirObjects::new(t.dir().join("bucket"))).expect("forms");
    let app = recipe_server::router(recipe_server::AppState::new(recipe_server::Parts {
        uploads: Some(Arc::new(forms)),
        ..local_parts(t.store.clone())
    }));
    let recipe = fixture("pairs/apple-pie/recipe.json");
    let (status, _, body) = send(&app, write("POST", "/recipes", "r1", recipe)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (t, app)
}

/// A JSON POST to `uri`, as a page of this server sends it (no token).
fn from_the_page(uri: &str, body: &Value) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body.to_string()))
        .expect("request")
}

async fn get_json(app: &axum::Router, uri: &str) -> Value {
    send(app, common::get(uri)).await.2
}

#[tokio::test]
async fn a_preview_diffs_the_make_as_logging_would_and_stores_nothing() {
    let (_t, app) = app_with_a_recipe("preview").await;
    let make: Value = serde_json::from_slice(&fixture("pairs/apple-pie/make.json")).expect("JSON");
    let (status, _, preview) = send(&app, from_the_page("/recipes/1/diff", &make)).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(
        (preview["recipeId"].as_str(), preview["version"].as_u64()),
        (Some("1"), Some(1))
    );
    assert!(
        !preview["diff"]["changes"]
            .as_array()
            .expect("changes")
            .is_empty(),
        "{preview}"
    );
    // The same make logged through the chain's route has the same diff.
    let (status, _, _) = send(
        &app,
        write(
            "POST",
            "/recipes/1/makes",
            "m1",
            fixture("pairs/apple-pie/make.json"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let made_id = preview["diff"]["makeId"].as_str().expect("the make's id");
    let stored = get_json(&app, &format!("/recipes/1/makes/{made_id}")).await;
    assert_eq!(stored["diff"], preview["diff"]);
    // Not from the dashboard's folder: nobody is named as its cook.
    assert_eq!(stored["loggedBy"], Value::Null);

    // A make the chain would refuse is answered with the reason and path,
    // and nothing is recorded: no make, no rejection.
    let mut bad = make.clone();
    bad["makeId"] = json!("preview-bad");
    bad["rating"] = json!(7);
    let (status, _, problem) = send(&app, from_the_page("/recipes/1/diff", &bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["path"], "$.rating", "{problem}");
    let recipe = get_json(&app, "/recipes/1").await;
    assert_eq!(recipe["makeCount"], 1, "{recipe}");
    let rejections = get_json(&app, "/rejections").await;
    assert_eq!(rejections["items"], json!([]), "{rejections}");
}

#[tokio::test]
async fn a_preview_is_of_the_recipe_its_path_names() {
    let (_t, app) = app_with_a_recipe("preview-path").await;
    let make: Value = serde_json::from_slice(&fixture("pairs/apple-pie/make.json")).expect("JSON");
    // The recipe is in the path, so that the access log names it; a make
    // naming another recipe is refused, saying which.
    let (status, _, problem) = send(&app, from_the_page("/recipes/2/diff", &make)).await;
    assert_eq!(
        (status, problem["code"].as_str(), problem["path"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("recipe-id-mismatch"),
            Some("$.recipeId")
        ),
        "{problem}"
    );
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("\"1\"") && detail.contains("\"2\""),
        "{problem}"
    );
    // The old route is gone, with no alias: 404 to a caller past
    // authorisation (as any unknown POST, it is a write to authorise first).
    let old = write("POST", "/diff", "old-preview", make.to_string());
    let (status, _, problem) = send(&app, old).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("no-route")),
        "{problem}"
    );
    // A read: no write token needed, from any page of this server or none.
    let plain = Request::post("/recipes/1/diff")
        .header("content-type", "application/json")
        .body(Body::from(make.to_string()))
        .expect("request");
    let (status, _, preview) = send(&app, plain).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    // Saved from the dashboard (into the cooks' folder), a make of a
    // smoke-test recipe would be refused: the preview says so, whether
    // or not the recipe exists.
    let mut smoke = make.clone();
    smoke["recipeId"] = json!("smoke-20261207");
    let (status, _, problem) =
        send(&app, from_the_page("/recipes/smoke-20261207/diff", &smoke)).await;
    assert_eq!(
        (status, problem["code"].as_str(), problem["path"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("reserved-recipe-id"),
            Some("$.recipeId")
        ),
        "{problem}"
    );
    let rejections = get_json(&app, "/rejections").await;
    assert_eq!(rejections["items"], json!([]), "{rejections}");
}

#[tokio::test]
async fn a_page_of_this_server_or_the_token_gets_an_upload_form_and_others_do_not() {
    let (_t, app) = app_with_a_recipe("form-who").await;
    let body = json!({"kind": "make", "fileName": "2026-12-03 pie.json"});
    let (status, _, form) = send(&app, from_the_page("/uploads", &body)).await;
    assert_eq!(status, StatusCode::OK, "{form}");
    assert_eq!(form["key"], "makes/cooks/dashboard/2026-12-03 pie.json");
    assert_eq!(form["url"], "/uploads/form");
    assert_eq!(form["fields"]["Content-Type"], "application/json");
    let mut with_token = write("POST", "/uploads", "u1", body.to_string());
    with_token.headers_mut().remove("idempotency-key");
    assert_eq!(send(&app, with_token).await.0, StatusCode::OK);
    // Neither: another site's page is already refused by its Origin, and a
    // client that is not a browser needs the token.
    let neither = Request::post("/uploads")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    let (status, _, problem) = send(&app, neither).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let cross_site = Request::post("/uploads")
        .header("content-type", "application/json")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(body.to_string()))
        .expect("request");
    assert_eq!(send(&app, cross_site).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_upload_request_names_a_kind_and_a_plain_file_name_the_chain_reads() {
    let (_t, app) = app_with_a_recipe("form-bad").await;
    for (body, path) in [
        (
            json!({"kind": "make", "fileName": "../pie.json"}),
            "$.fileName",
        ),
        (
            json!({"kind": "make", "fileName": "notes.txt"}),
            "$.fileName",
        ),
        (
            json!({"kind": "make", "fileName": "a/b.json"}),
            "$.fileName",
        ),
        (json!({"kind": "photo", "fileName": "pie.json"}), "$"),
        (json!({"fileName": "pie.json"}), "$"),
    ] {
        let (status, _, problem) = send(&app, from_the_page("/uploads", &body)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {problem}"
        );
        assert_eq!(problem["code"], "invalid-upload", "{body}");
        assert_eq!(problem["path"], path, "{body}: {problem}");
    }
}

/// A posted form of `fields` and then `file`, as a browser posts it.
fn multipart(fields: &Value, file: &[u8]) -> Request<Body> {
    let fields = fields.as_object().expect("fields");
    let (content_type, body) = testkit::http::multipart_form(
        fields
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str().unwrap_or_default())),
        file,
    );
    Request::post("/uploads/form")
        .header("content-type", content_type)
        .body(Body::from(body))
        .expect("request")
}

#[tokio::test]
async fn a_posted_form_lands_in_the_bucket_folder_and_a_changed_one_does_not() {
    let (t, app) = app_with_a_recipe("form-post").await;
    let body = json!({"kind": "make", "fileName": "m1.json"});
    let form = send(&app, from_the_page("/uploads", &body)).await.2;
    let make = fixture("pairs/apple-pie/make.json");

    let mut other_key = form["fields"].clone();
    other_key["key"] = json!("makes/cooks/dashboard/other.json");
    let (status, _, problem) = send(&app, multipart(&other_key, &make)).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("upload-form-tampered")
        ),
        "{problem}"
    );
    let too_large = vec![b' '; 1024 * 1024 + 1];
    let (status, _, problem) = send(&app, multipart(&form["fields"], &too_large)).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("upload-condition")),
        "{problem}"
    );
    let bucket = t.dir().join("bucket");
    assert!(!bucket.join("makes").exists(), "nothing written");

    let (status, _, stored) = send(&app, multipart(&form["fields"], &make)).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    assert_eq!(stored["key"], "makes/cooks/dashboard/m1.json");
    let written = std::fs::read(bucket.join("makes/cooks/dashboard/m1.json")).expect("the file");
    assert_eq!(written, make);

    // Not a form at all.
    let (status, _, problem) = send(&app, from_the_page("/uploads/form", &json!({}))).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unreadable-form"))
    );
}

#[cfg(feature = "lambda")]
mod behind_api_gateway {
    use super::*;
    use aws_sdk_s3::config::{Credentials, SharedCredentialsProvider};
    use testkit::router::{event, invoke};

    fn upload_event(groups: &str) -> Value {
        let mut event = event("apigw-v2-get-recipes.json");
        event["routeKey"] = json!("POST /uploads");
        event["rawPath"] = json!("/uploads");
        event["rawQueryString"] = json!("");
        event["queryStringParameters"] = Value::Null;
        event["requestContext"]["http"]["method"] = json!("POST");
        event["requestContext"]["http"]["path"] = json!("/uploads");
        event["headers"]["content-type"] = json!("application/json");
        event["body"] = json!(json!({"kind": "make", "fileName": "m.json"}).to_string());
        event["requestContext"]["authorizer"]["jwt"]["claims"]["cognito:groups"] = json!(groups);
        event
    }

    /// `POST /recipes/1/diff` with the apple pie's make, as a signed-in
    /// user in `groups`.
    fn preview_event(groups: &str) -> Value {
        let mut event = upload_event(groups);
        let make = String::from_utf8(fixture("pairs/apple-pie/make.json")).expect("UTF-8");
        event["routeKey"] = json!("$default");
        event["rawPath"] = json!("/recipes/1/diff");
        event["requestContext"]["http"]["path"] = json!("/recipes/1/diff");
        event["body"] = json!(make);
        event
    }

    #[tokio::test]
    async fn a_preview_is_a_readers_and_not_a_write() {
        let t = TempStore::new("apigw-preview");
        let app = common::gateway_app(t.store.clone(), false);
        let mut write = event("apigw-v2-post-recipe.json");
        write["body"] =
            json!(String::from_utf8(fixture("pairs/apple-pie/recipe.json")).expect("UTF-8"));
        write["headers"]["content-length"] =
            json!(write["body"].as_str().map_or(0, str::len).to_string());
        let (status, stored) = invoke(&app, &write).await;
        assert_eq!(status, StatusCode::CREATED, "{stored}");
        let (status, preview) = invoke(&app, &preview_event("[readers]")).await;
        assert_eq!(status, StatusCode::OK, "{preview}");
        assert_eq!(preview["recipeId"], "1");
        for (what, event, want) in [
            (
                "not a reader",
                preview_event("[cooks]"),
                StatusCode::FORBIDDEN,
            ),
            (
                "no user",
                {
                    let mut event = preview_event("[readers]");
                    event["requestContext"]["authorizer"] = Value::Null;
                    event
                },
                StatusCode::UNAUTHORIZED,
            ),
            (
                // The chain's signature makes no reader.
                "the sender's signature",
                {
                    let mut event = preview_event("[readers]");
                    event["requestContext"]["authorizer"] =
                        write["requestContext"]["authorizer"].clone();
                    event
                },
                StatusCode::UNAUTHORIZED,
            ),
        ] {
            assert_eq!(invoke(&app, &event).await.0, want, "{what}");
        }
    }

    #[tokio::test]
    async fn a_cook_in_the_group_gets_a_presigned_post_under_their_id_and_others_403() {
        let t = TempStore::new("apigw-uploads");
        let credentials = SharedCredentialsProvider::new(Credentials::for_tests());
        let forms = aws_adapters::S3Forms::new(credentials, "eu-west-1", "uploads", None);
        let app = recipe_server::router(recipe_server::AppState::new(recipe_server::Parts {
            uploads: Some(Arc::new(forms)),
            ..common::gateway_parts(t.store.clone(), false)
        }));
        for groups in ["[readers]", "[]", "[cooksx]"] {
            let (status, problem) = invoke(&app, &upload_event(groups)).await;
            assert_eq!(
                (status, problem["code"].as_str()),
                (StatusCode::FORBIDDEN, Some("forbidden")),
                "{groups}"
            );
        }
        let (status, form) = invoke(&app, &upload_event("[readers cooks]")).await;
        assert_eq!(status, StatusCode::OK, "{form}");
        // The user's id (sub), never their email, names the folder.
        assert_eq!(form["key"], "makes/cooks/5c2f0b6e-cook/m.json");
        assert_eq!(form["url"], "https://uploads.s3.eu-west-1.amazonaws.com");
        assert_eq!(form["fields"]["x-amz-algorithm"], "AWS4-HMAC-SHA256");
        // The page may post to the bucket, and to nowhere else new.
        let page = testkit::router::respond(&app, common::get("/")).await;
        let policy = page
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            policy.contains("connect-src 'self' https://uploads.s3.eu-west-1.amazonaws.com;"),
            "{policy}"
        );
        // The local form route is not the bucket here.
        let mut posted = upload_event("[cooks]");
        posted["rawPath"] = json!("/uploads/form");
        posted["requestContext"]["http"]["path"] = json!("/uploads/form");
        assert_eq!(invoke(&app, &posted).await.0, StatusCode::NOT_FOUND);
    }
}
