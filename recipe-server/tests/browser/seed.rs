//! The data the browser tests' server is seeded with: every example pair
//! posted as the local chain drops them, and a few documents more.

use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use serde_json::{Value, json};
use shared::wire::segment;

use crate::common;

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

/// Posts a recipe, which must be created; its id.
async fn post_recipe(app: &axum::Router, key: &str, media: &str, body: Vec<u8>) -> String {
    let (status, response) = post(app, "/recipes", key, media, body).await;
    assert_eq!(status, StatusCode::CREATED, "seeding {key}: {response}");
    response["recipeId"]
        .as_str()
        .expect("a recipe id")
        .to_owned()
}

/// Posts a recipe given as JSON, which must be created.
async fn post_json_recipe(app: &axum::Router, key: &str, recipe: &Value) {
    post_recipe(app, key, "application/json", recipe.to_string().into()).await;
}

/// Posts a make of `recipe_id`, which must be created.
async fn post_make(app: &axum::Router, recipe_id: &str, key: &str, media: &str, body: Vec<u8>) {
    let uri = format!("/recipes/{}/makes", segment(recipe_id));
    let (status, response) = post(app, &uri, key, media, body).await;
    assert_eq!(status, StatusCode::CREATED, "seeding {key}: {response}");
}

/// The example pairs.
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

/// `value` edited by `edit`, as bytes.
fn with(mut value: Value, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    edit(&mut value);
    serde_json::to_vec(&value).expect("json")
}

/// Every example pair, as the local chain drops them; a few more makes of
/// the apple pie so that its insights have something to chart; a recipe
/// nobody has made yet; a recipe whose text is markup (it must show as
/// text); and one upload the server refuses.
pub async fn seed(app: &axum::Router) {
    the_example_pairs(app).await;
    more_apple_pie_makes(app).await;
    toast_and_markup(app).await;
    withdrawn(app).await;
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

/// Every example pair, as the local chain drops them.
async fn the_example_pairs(app: &axum::Router) {
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
}

/// Three more makes of the apple pie, so that its insights have something
/// to chart.
async fn more_apple_pie_makes(app: &axum::Router) {
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
}

/// Tells the server that `object_key` was deleted from the bucket.
async fn delete(app: &axum::Router, object_key: &str, kind: &str) {
    let body = json!({"objectKey": object_key, "kind": kind}).to_string();
    let request = common::write(
        "POST",
        "/deletions",
        &format!("seed-delete:{object_key}"),
        body,
    );
    let (status, _, answer) = common::send(app, request).await;
    assert_eq!(status, StatusCode::OK, "deleting {object_key}: {answer}");
}

/// A recipe with a withdrawn version, and a recipe withdrawn whole (with a
/// make, which is kept): their files were deleted from the bucket.
async fn withdrawn(app: &axum::Router) {
    let stew = |name: &str, minutes: u32| {
        json!({
            "recipeName": name, "recipeId": "stew", "rating": 4,
            "ingredients": [{"ingredientId": 1, "quantity": 500, "measurement": "g", "ingredientName": "beef"}],
            "steps": [{"stepId": 1, "stepText": format!("Simmer for {minutes} minutes.")}]
        })
    };
    post_json_recipe(app, "recipes/stew.json", &stew("Beef Stew", 90)).await;
    post_json_recipe(app, "recipes/stew-quick.json", &stew("Quick Beef Stew", 45)).await;
    delete(app, "recipes/stew-quick.json", "recipe").await;

    let soup = json!({
        "recipeName": "Leek Soup", "recipeId": "soup", "rating": 3,
        "ingredients": [{"ingredientId": 1, "quantity": 3, "measurement": "", "ingredientName": "leeks"}],
        "steps": [{"stepId": 1, "stepText": "Sweat the leeks, add stock, blend."}]
    });
    post_json_recipe(app, "recipes/soup.json", &soup).await;
    let made = with(soup, |m| {
        m["makeId"] = json!("soup-make");
        m["rating"] = json!(5);
    });
    post_make(app, "soup", "makes/soup.json", "application/json", made).await;
    delete(app, "recipes/soup.json", "recipe").await;
}

/// A recipe nobody has made yet, and a recipe (with a make) whose text is
/// markup: it must show as text.
async fn toast_and_markup(app: &axum::Router) {
    let toast = json!({
        "recipeName": "Plain Toast", "recipeId": "toast", "rating": 3,
        "ingredients": [{"ingredientId": 1, "quantity": 2, "measurement": "slice", "ingredientName": "bread"}],
        "steps": [{"stepId": 1, "stepText": "Toast the bread until golden."}]
    });
    post_json_recipe(app, "recipes/toast.json", &toast).await;

    let xss = json!({
        "recipeName": XSS_NAME, "recipeId": "xss", "rating": 3,
        "ingredients": [
            {"ingredientId": 1, "quantity": 1, "measurement": "cup", "ingredientName": "<img src=x onerror=alert(2)>"},
            {"ingredientId": 2, "quantity": 2, "measurement": "tbsp", "ingredientName": "sugar & \"spice\""}
        ],
        "steps": [{"stepId": 1, "stepText": "Stir <b>well</b> then serve."}]
    });
    post_json_recipe(app, "recipes/xss.json", &xss).await;
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
}

/// The name of the recipe whose text is markup.
pub const XSS_NAME: &str = "<script>alert(1)</script>";
/// The object key of the upload the server refuses.
pub const REJECTED_KEY: &str = "makes/apple-pie-burnt.json";
