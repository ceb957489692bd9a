//! Deletion on the AWS chain against moto: an object deleted from the
//! bucket raises the removal event moto produces; the watcher queues a
//! deletion, the sender posts it signed, and what came from the object
//! leaves DynamoDB, whatever order the events are handled in.
//!
//! moto (5.2) differs from S3 in two ways that shape these tests: it raises
//! no event for a delete marker (only when an object's last version is
//! removed for good, as `ObjectRemoved:Delete`), and its events carry no
//! sequencer. The watcher's reading of S3's own removal events (delete
//! markers, version ids, sequencers) is tested with S3's documented event
//! shapes in `watcher/src/tests.rs`.

mod common;

use axum::http::StatusCode;
use common::{Aws, Gateway, MAKE, RECIPE};
use serde_json::Value;

/// The only record of an event.
fn record(event: &Value) -> &Value {
    &event["Records"][0]
}

/// Takes one event off the capture queue for each name, checking the names.
async fn events(aws: &Aws, names: &[&str]) -> Vec<Value> {
    let events = aws.events(names.len()).await;
    let mut found: Vec<&str> = events
        .iter()
        .map(|e| record(e)["eventName"].as_str().unwrap_or(""))
        .collect();
    found.sort_unstable();
    let mut wanted = names.to_vec();
    wanted.sort_unstable();
    assert_eq!(found, wanted);
    events
}

/// Uploads `body` as `key` and carries its event through the chain.
async fn upload_and_handle(aws: &Aws, gateway: &Gateway, key: &str, body: &[u8]) {
    aws.upload(key, body).await;
    for event in events(aws, &["ObjectCreated:Put"]).await {
        aws.watch(event).await;
    }
    aws.drain(gateway, 5).await;
}

/// moto and the gateway, with the recipe already stored through the chain.
async fn chain_with_recipe() -> (Aws, Gateway) {
    let aws = Aws::start().await;
    let gateway = Gateway::start(&aws).await;
    upload_and_handle(&aws, &gateway, "recipes/apple pie.json", RECIPE).await;
    (aws, gateway)
}

/// Every job was handled, and none went to the dead-letter queue.
async fn assert_queues_empty(aws: &Aws) {
    assert_eq!(aws.depth(&aws.jobs_url).await, 0, "jobs left on the queue");
    assert_eq!(
        aws.depth(&aws.dlq_url).await,
        0,
        "jobs on the dead-letter queue"
    );
}

const MAKE_PATH: &str = "/recipes/1/makes/2024-05-01-family-dinner";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deleted_make_leaves_dynamodb() {
    let (aws, gateway) = chain_with_recipe().await;

    upload_and_handle(&aws, &gateway, "makes/sunday dinner+1.json", MAKE).await;
    assert_eq!(gateway.get(MAKE_PATH).await.0, StatusCode::OK);

    aws.remove_for_good("makes/sunday dinner+1.json").await;
    for event in events(&aws, &["ObjectRemoved:Delete"]).await {
        let summary = aws.watch(event).await;
        assert_eq!((summary.jobs, summary.deleted), (1, 1), "{summary:?}");
    }
    aws.drain(&gateway, 5).await;
    assert_eq!(gateway.get(MAKE_PATH).await.0, StatusCode::NOT_FOUND);
    let (_, recipe) = gateway.get("/recipes/1").await;
    assert_eq!(recipe["makeCount"], 0, "{recipe}");
    let (_, insights) = gateway.get("/recipes/1/insights").await;
    assert_eq!(insights["makes"], 0, "{insights}");
    assert_queues_empty(&aws).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deletion_handled_before_its_upload_leaves_nothing_behind() {
    let (aws, gateway) = chain_with_recipe().await;

    aws.upload("makes/again.json", MAKE).await;
    aws.remove_for_good("makes/again.json").await;
    let mut both = events(&aws, &["ObjectCreated:Put", "ObjectRemoved:Delete"]).await;
    // S3 numbers the events on a key in the order they happened; moto does
    // not, so each event gets the sequencer S3 would have given it.
    for event in &mut both {
        let removed = record(event)["eventName"] == "ObjectRemoved:Delete";
        event["Records"][0]["s3"]["object"]["sequencer"] = Value::from(if removed {
            "0066A1B2C3D4E5F602"
        } else {
            "0066A1B2C3D4E5F601"
        });
    }
    // The deletion first, then the upload it cancels.
    both.sort_by_key(|e| record(e)["eventName"] != "ObjectRemoved:Delete");
    for event in both {
        aws.watch(event).await;
        aws.drain(&gateway, 5).await;
    }
    assert_eq!(gateway.get(MAKE_PATH).await.0, StatusCode::NOT_FOUND);
    assert!(gateway.makes("1").await.is_empty());
    assert!(
        gateway.rejections().await.is_empty(),
        "superseded, not rejected"
    );
    assert_queues_empty(&aws).await;
}
