//! The smoke test's namespace (security review L2), as the server decides
//! it for every write, whatever sent the job: a recipe or make whose
//! recipe id starts `smoke-` is taken only from an object under
//! `recipes/smoke/` or `makes/smoke/`, and an object there only with such
//! an id. A refusal is a rejection like any other: 422 with its code and
//! the JSON path of the id, and recorded.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{fixture, fresh_app, get, send, write};
use serde_json::{Value, json};

const SMOKE: &str = "smoke-20261207";

/// A write of `body` to `uri` under the idempotency key `key`, from the
/// object `object_key` when there is one.
fn from_object(uri: &str, key: &str, object_key: Option<&str>, body: &Value) -> Request<Body> {
    let mut request = write("POST", uri, key, body.to_string());
    if let Some(object_key) = object_key {
        let value = object_key.parse().expect("a header value");
        request.headers_mut().insert("x-object-key", value);
    }
    request
}

/// The apple pie fixture `name` (`recipe.json`, `make.json`), naming the
/// recipe `recipe_id`.
fn apple_pie(name: &str, recipe_id: &str) -> Value {
    let mut document: Value =
        serde_json::from_slice(&fixture(&format!("pairs/apple-pie/{name}"))).expect("JSON");
    document["recipeId"] = json!(recipe_id);
    document
}

#[tokio::test]
async fn smoke_ids_are_taken_only_from_the_smoke_folder_and_it_only_holds_them() {
    let (_t, app) = fresh_app("namespace");
    // The smoke test's own uploads are stored, and a cook's ordinary ones.
    for (uri, key, object_key, body, stored) in [
        (
            "/recipes",
            "smoke-recipe",
            "recipes/smoke/smoke-20261207.json",
            apple_pie("recipe.json", SMOKE),
            SMOKE,
        ),
        (
            "/recipes/smoke-20261207/makes",
            "smoke-make",
            "makes/smoke/smoke-20261207-make.json",
            apple_pie("make.json", SMOKE),
            SMOKE,
        ),
        (
            "/recipes",
            "pie-recipe",
            "recipes/cooks/5c2f/pie.json",
            apple_pie("recipe.json", "pie"),
            "pie",
        ),
    ] {
        let (status, _, answer) = send(&app, from_object(uri, key, Some(object_key), &body)).await;
        assert_eq!(status, StatusCode::CREATED, "{object_key}: {answer}");
        assert_eq!(answer["recipeId"], stored, "{answer}");
    }

    // A schema.org page named by its file: the key's stem is its id.
    let page = json!({"@context": "https://schema.org", "@type": "Recipe", "name": "Smoky pie",
        "recipeIngredient": ["1 egg"], "recipeInstructions": "Bake."});
    let refused = [
        // A smoke id from a cook's folder, or from no object at all.
        (
            "/recipes",
            "r-cook",
            Some("recipes/cooks/5c2f/pie.json"),
            apple_pie("recipe.json", "smoke-1"),
            "$.recipeId",
        ),
        (
            "/recipes",
            "r-nowhere",
            None,
            apple_pie("recipe.json", "smoke-1"),
            "$.recipeId",
        ),
        (
            "/recipes",
            "r-stem",
            Some("recipes/cooks/5c2f/smoke-pie.json"),
            page,
            "$.recipeId",
        ),
        (
            "/recipes/smoke-20261207/makes",
            "m-cook",
            Some("makes/cooks/5c2f/m.json"),
            apple_pie("make.json", SMOKE),
            "$.recipeId",
        ),
        // Another id from the smoke folder: it may not version real recipes.
        (
            "/recipes",
            "r-smoke-folder",
            Some("recipes/smoke/pie.json"),
            apple_pie("recipe.json", "pie"),
            "$.recipeId",
        ),
        (
            "/recipes/pie/makes",
            "m-smoke-folder",
            Some("makes/smoke/m.json"),
            apple_pie("make.json", "pie"),
            "$.recipeId",
        ),
    ];
    for (uri, key, object_key, body, path) in &refused {
        let (status, _, problem) = send(&app, from_object(uri, key, *object_key, body)).await;
        assert_eq!(
            (status, problem["code"].as_str(), problem["path"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("reserved-recipe-id"),
                Some(*path)
            ),
            "{key}: {problem}"
        );
    }

    // Each refusal is recorded, with its object, code and path.
    let (_, _, rejections) = send(&app, get("/rejections?limit=100")).await;
    let mut recorded: Vec<(Value, Value, Value)> = rejections["items"]
        .as_array()
        .expect("a page of rejections")
        .iter()
        .map(|r| (r["objectKey"].clone(), r["code"].clone(), r["path"].clone()))
        .collect();
    recorded.sort_by_key(|r| r.0.to_string());
    let mut expected: Vec<(Value, Value, Value)> = refused
        .iter()
        .map(|(_, _, object_key, _, path)| {
            (json!(object_key), json!("reserved-recipe-id"), json!(path))
        })
        .collect();
    expected.sort_by_key(|r| r.0.to_string());
    assert_eq!(recorded, expected, "{rejections}");

    // Nothing refused was stored: two recipes, one make of the smoke one.
    let (_, _, recipes) = send(&app, get("/recipes")).await;
    let ids = testkit::strings_of(&recipes["items"], "recipeId");
    assert_eq!(ids, ["pie", SMOKE], "{recipes}");
    let (_, _, pie) = send(&app, get("/recipes/pie")).await;
    assert_eq!(
        (pie["currentVersion"].as_u64(), pie["makeCount"].as_u64()),
        (Some(1), Some(0))
    );
    let (_, _, smoke) = send(&app, get("/recipes/smoke-20261207")).await;
    assert_eq!(
        (
            smoke["currentVersion"].as_u64(),
            smoke["makeCount"].as_u64()
        ),
        (Some(1), Some(1))
    );
}
