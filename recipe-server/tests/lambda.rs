//! The Lambda entry point's view of the API: real API Gateway HTTP API
//! (payload 2.0) events from `events/`, turned into requests by lambda_http
//! exactly as in AWS, through the router with API Gateway authorisation.
#![cfg(feature = "lambda")]

mod common;

use axum::http::StatusCode;
use common::gateway_app;
use serde_json::Value;
use testkit::router::{event, invoke};

#[tokio::test]
async fn a_signed_write_and_a_signed_in_read_go_through() {
    let t = common::TempStore::new("lambda");
    let app = gateway_app(t.store.clone(), false);
    let (status, body) = invoke(&app, &event("apigw-v2-post-recipe.json")).await;
    assert_eq!(
        (status, body["recipeId"].as_str(), body["version"].as_u64()),
        (StatusCode::CREATED, Some("1"), Some(1)),
        "{body}"
    );
    let (status, body) = invoke(&app, &event("apigw-v2-get-recipes.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["items"][0]["name"], "Apple Pie");
}

#[tokio::test]
async fn a_write_without_the_iam_authorizer_is_refused() {
    let t = common::TempStore::new("lambda-unsigned");
    let app = gateway_app(t.store.clone(), true);
    let mut unsigned = event("apigw-v2-post-recipe.json");
    unsigned["requestContext"]["authorizer"] = Value::Null;
    let (status, body) = invoke(&app, &unsigned).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    // A JWT (a signed-in user) does not make a write either.
    let mut jwt_only = event("apigw-v2-post-recipe.json");
    jwt_only["requestContext"]["authorizer"] =
        event("apigw-v2-get-recipes.json")["requestContext"]["authorizer"].clone();
    let (status, _) = invoke(&app, &jwt_only).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn reads_need_a_token_unless_they_are_public() {
    let t = common::TempStore::new("lambda-reads");
    let mut anonymous = event("apigw-v2-get-recipes.json");
    anonymous["requestContext"]["authorizer"] = Value::Null;
    let (status, _) = invoke(&gateway_app(t.store.clone(), false), &anonymous).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = invoke(&gateway_app(t.store.clone(), true), &anonymous).await;
    assert_eq!(status, StatusCode::OK);
}
