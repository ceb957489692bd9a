//! Deletion on the AWS chain against moto: objects deleted from the
//! versioned bucket (delete markers, and one version removed for good)
//! raise the removal events moto produces; the watcher queues deletions,
//! the sender posts them signed, and what came from the object leaves
//! DynamoDB, whatever order the events are handled in.

mod common;

use axum::http::StatusCode;
use common::{Aws, Gateway, MAKE, RECIPE};
use serde_json::Value;

/// The only record of an event.
fn record(event: &Value) -> &Value {
    &event["Records"][0]
}

/// Takes `count` events off the capture queue and checks their names.
async fn events(aws: &Aws, names: &[&str]) -> Vec<Value> {
    let events = aws.events(names.len()).await;
    let found: Vec<&str> = events
        .iter()
        .map(|e| record(e)["eventName"].as_str().unwrap_or(""))
        .collect();
    for name in names {
        assert!(
            found.iter().any(|f| f.ends_with(name)),
            "{name} in {found:?}"
        );
    }
    events
}

async fn with_recipe(aws: &Aws, gateway: &Gateway) {
    aws.upload("recipes/apple pie.json", RECIPE).await;
    for event in events(aws, &["ObjectCreated:Put"]).await {
        aws.watch(event).await;
    }
    aws.drain(gateway, 5).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deleted_make_leaves_dynamodb_even_when_its_deletion_is_handled_first() {
    let aws = Aws::start().await;
    let gateway = Gateway::start(&aws).await;
    with_recipe(&aws, &gateway).await;

    // In order: uploaded, stored, deleted (a delete marker), gone.
    aws.upload("makes/sunday dinner+1.json", MAKE).await;
    for event in events(&aws, &["ObjectCreated:Put"]).await {
        aws.watch(event).await;
    }
    aws.drain(&gateway, 5).await;
    let make = "/recipes/1/makes/2024-05-01-family-dinner";
    assert_eq!(gateway.get(make).await.0, StatusCode::OK);
    aws.remove("makes/sunday dinner+1.json", None).await;
    let removal = events(&aws, &["ObjectRemoved:DeleteMarkerCreated"]).await;
    assert!(
        record(&removal[0])["s3"]["object"]["sequencer"].is_string(),
        "moto orders its events: {removal:?}"
    );
    for event in removal {
        let summary = aws.watch(event).await;
        assert_eq!((summary.jobs, summary.deleted), (1, 1), "{summary:?}");
    }
    aws.drain(&gateway, 5).await;
    assert_eq!(gateway.get(make).await.0, StatusCode::NOT_FOUND);
    assert_eq!(gateway.get("/recipes/1").await.1["makeCount"], 0);

    // Out of order: the deletion is handled before the upload it cancels.
    aws.upload("makes/again.json", MAKE).await;
    aws.remove("makes/again.json", None).await;
    let both = events(
        &aws,
        &["ObjectCreated:Put", "ObjectRemoved:DeleteMarkerCreated"],
    )
    .await;
    let (mut removals, creations): (Vec<Value>, Vec<Value>) = both.into_iter().partition(|e| {
        record(e)["eventName"]
            .as_str()
            .is_some_and(|n| n.contains("Removed"))
    });
    removals.extend(creations);
    for event in removals {
        aws.watch(event).await;
        aws.drain(&gateway, 5).await;
    }
    assert_eq!(gateway.get(make).await.0, StatusCode::NOT_FOUND);
    assert!(gateway.makes("1").await.is_empty());
    assert!(
        gateway.rejections().await.is_empty(),
        "superseded, not rejected"
    );
    assert_eq!(aws.depth(&aws.jobs_url).await, 0);
    assert_eq!(aws.depth(&aws.dlq_url).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn removing_one_version_for_good_deletes_only_when_nothing_shows() {
    let aws = Aws::start().await;
    let gateway = Gateway::start(&aws).await;
    with_recipe(&aws, &gateway).await;

    aws.upload("makes/m.json", MAKE).await;
    let first = aws.version_of("makes/m.json").await;
    aws.upload("makes/m.json", MAKE).await;
    for event in events(&aws, &["ObjectCreated:Put", "ObjectCreated:Put"]).await {
        aws.watch(event).await;
    }
    aws.drain(&gateway, 5).await;
    assert_eq!(aws.depth(&aws.dlq_url).await, 0);
    let (_, recipe) = gateway.get("/recipes/1").await;
    assert_eq!(recipe["makeCount"], 1, "the same make twice is one make");

    // The older version goes for good; the key still shows the newer one.
    aws.remove("makes/m.json", Some(&first)).await;
    for event in events(&aws, &["ObjectRemoved:Delete"]).await {
        let summary = aws.watch(event).await;
        assert_eq!((summary.jobs, summary.ignored), (0, 1), "{summary:?}");
    }
    // The last version goes for good: nothing shows, so it is a deletion.
    let last = aws.version_of("makes/m.json").await;
    aws.remove("makes/m.json", Some(&last)).await;
    for event in events(&aws, &["ObjectRemoved:Delete"]).await {
        let summary = aws.watch(event).await;
        assert_eq!(summary.deleted, 1, "{summary:?}");
    }
    aws.drain(&gateway, 5).await;
    assert!(gateway.makes("1").await.is_empty());
}
