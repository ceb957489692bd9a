//! A make whose content and diff would not fit one DynamoDB item is refused
//! with a clear reason and recorded, on every store alike.

mod common;

use axum::http::StatusCode;
use common::{TempStore, app, get, send, write};
use serde_json::{Value, json};

/// A recipe of `n` ingredients with long names.
fn big(n: usize, suffix: &str) -> Value {
    let ingredients: Vec<Value> = (0..n)
        .map(|i| json!({"ingredientId": i, "ingredientName": format!("{i} {} {suffix}", "long ingredient name ".repeat(20)), "quantity": 1, "measurement": "cup"}))
        .collect();
    json!({"recipeName": "Huge", "recipeId": "huge", "ingredients": ingredients, "steps": []})
}

#[tokio::test]
async fn a_make_too_large_to_store_is_refused_with_its_size_and_recorded() {
    let t = TempStore::new("too-large");
    let app = app(t.store.clone());
    let (status, _, body) = send(
        &app,
        write("POST", "/recipes", "k-recipe", big(400, "a").to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Every ingredient renamed: the document and a diff naming each change.
    let mut make = big(400, "b");
    make["makeId"] = json!("too-big");
    let (status, content_type, problem) = send(
        &app,
        write("POST", "/recipes/huge/makes", "k-make", make.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(problem["code"], "too-large-to-store");
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("a stored make is limited to"), "{detail}");
    let (_, _, rejections) = send(&app, get("/rejections")).await;
    assert_eq!(rejections["items"][0]["code"], "too-large-to-store");
    let (_, _, makes) = send(&app, get("/recipes/huge/makes")).await;
    assert_eq!(makes["items"].as_array().map(Vec::len), Some(0));
}
