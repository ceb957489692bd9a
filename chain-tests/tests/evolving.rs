//! Recipes that evolve on the AWS chain against moto: a make adopted as the
//! recipe's next version, and a variant that arrives before its parent,
//! each uploaded to the bucket and carried by the watcher, the queue, the
//! sender (signed) and the recipe server into DynamoDB.

mod common;

use axum::http::StatusCode;
use common::{Aws, Gateway, MAKE, RECIPE};
use serde_json::{Value, json};
use shared::MakeId;
use shared::canonical::adopted;

/// Uploads `body` as `key` and carries its event through the chain.
async fn upload_and_handle(aws: &Aws, gateway: &Gateway, key: &str, body: &[u8]) {
    aws.upload(key, body).await;
    for event in aws.events(1).await {
        aws.watch(event).await;
    }
    aws.drain(gateway, 5).await;
}

async fn read(gateway: &Gateway, path: &str) -> Value {
    let (status, body) = gateway.get(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_adopted_make_and_a_variant_travel_the_whole_chain() {
    let aws = Aws::start().await;
    let gateway = Gateway::start(&aws).await;

    // A variant uploaded before its parent waits for it (a retry, not a
    // rejection), and is stored once the parent is.
    let mut variant: Value = serde_json::from_slice(RECIPE).expect("JSON");
    variant["recipeId"] = json!("pie-pear");
    variant["recipeName"] = json!("Pear Pie");
    variant["ingredients"][0]["ingredientName"] = json!("pears");
    variant["variantOf"] = json!(1);
    aws.upload("recipes/pear pie.json", variant.to_string().as_bytes())
        .await;
    for event in aws.events(1).await {
        aws.watch(event).await;
    }
    let (delivered, failed) = aws.deliver(&gateway).await;
    assert_eq!((delivered.len(), failed.len()), (1, 1), "the variant waits");
    let (status, _) = gateway.get("/recipes/pie-pear").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "stored before its parent");
    assert!(
        gateway.rejections().await.is_empty(),
        "a wait is no rejection"
    );
    upload_and_handle(&aws, &gateway, "recipes/apple pie.json", RECIPE).await;
    upload_and_handle(&aws, &gateway, "makes/sunday.json", MAKE).await;
    assert_eq!(aws.depth(&aws.jobs_url).await, 0, "every job was handled");
    assert_eq!(aws.depth(&aws.dlq_url).await, 0);

    let pear = read(&gateway, "/recipes/pie-pear").await;
    assert_eq!(pear["variantOf"], json!({"recipeId": "1", "version": 1}));
    assert_eq!(pear["lineage"][0]["name"], "Apple Pie");
    let pie = read(&gateway, "/recipes/1").await;
    assert_eq!(pie["variants"][0]["recipeId"], "pie-pear", "{pie}");

    // Adopt the make: what the dashboard and `recipe-chain adopt` upload.
    let make = read(&gateway, "/recipes/1/makes/2024-05-01-family-dinner").await;
    let make_id = MakeId::parse("2024-05-01-family-dinner").expect("an id");
    let document = adopted(&make["document"], &make_id);
    upload_and_handle(
        &aws,
        &gateway,
        "recipes/cooks/c1/1.adopt-2024-05-01-family-dinner.json",
        document.to_string().as_bytes(),
    )
    .await;
    let pie = read(&gateway, "/recipes/1").await;
    assert_eq!(pie["version"], 2, "{pie}");
    assert_eq!(
        pie["source"],
        json!({"kind": "adopted", "makeId": "2024-05-01-family-dinner"})
    );
    let versions = read(&gateway, "/recipes/1/versions").await;
    assert_eq!(versions["items"][0]["makeCount"], 1, "{versions}");
    assert_eq!(versions["items"][0]["changedShare"], 1.0, "{versions}");
    let compared = read(&gateway, "/compare?from=1@1&to=1@2").await;
    assert_eq!(
        testkit::recipe_changes(&compared["diff"]),
        testkit::recipe_changes(&make["diff"])
    );
    let rejections = gateway.rejections().await;
    assert!(rejections.is_empty(), "{rejections:?}");
}
