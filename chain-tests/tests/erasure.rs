//! Erasure on the AWS chain against moto: a recipe with a version, a make,
//! a rejection and a dead-lettered job is erased through the signed
//! `DELETE`, and then no trace of it is left in DynamoDB (every item
//! scanned), the bucket (every version), the queue, the dead-letter queue,
//! or the logs the test captured, which never held document content.

mod common;

use axum::http::StatusCode;
use common::{Aws, BUCKET, Gateway, MAKE, RECIPE};
use serde_json::Value;
use shared::job::{Job, Payload, Source};
use shared::keys::UploadKind;

/// Words that appear only in the recipe's and the make's documents.
const CONTENT: [&str; 3] = [
    "Granny Smith apples",
    "Preheat the oven",
    "Everyone wanted seconds",
];
const RECIPE_KEY: &str = "recipes/apple pie.json";
const MAKE_KEY: &str = "makes/sunday dinner+1.json";

/// Uploads `body` as `key` and carries its event through the chain.
async fn upload_and_handle(aws: &Aws, gateway: &Gateway, key: &str, body: &[u8]) {
    aws.upload(key, body).await;
    for event in aws.events(1).await {
        aws.watch(event).await;
    }
    aws.drain(gateway, 5).await;
}

/// Every object version and delete marker in the bucket, as `(key, kind)`.
async fn bucket_keys(aws: &Aws) -> Vec<(String, &'static str)> {
    testkit::aws::object_versions(&aws.s3, BUCKET, "").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_erased_recipe_leaves_no_trace_in_dynamodb_s3_sqs_or_the_logs() {
    // Everything logged, at `info` and above, by every part of the chain.
    let captured = common::capture_logs();

    let aws = Aws::start().await;
    let gateway = Gateway::start(&aws).await;
    upload_and_handle(&aws, &gateway, RECIPE_KEY, RECIPE).await;
    upload_and_handle(&aws, &gateway, MAKE_KEY, MAKE).await;
    // A broken re-upload of the recipe's object: a rejection of it.
    upload_and_handle(&aws, &gateway, RECIPE_KEY, b"{\"recipeName\": ").await;
    assert_eq!(gateway.rejections().await.len(), 1);
    // A make of the recipe that died on the way.
    let source = Source {
        bucket: BUCKET.into(),
        key: "makes/lost.json".into(),
        version_id: None,
        e_tag: None,
        sequencer: None,
        size: None,
        entry: None,
    };
    let document: Value = serde_json::from_slice(MAKE).expect("JSON");
    let dead = Job::new(
        UploadKind::Make,
        source,
        Some("1".into()),
        Payload::Inline { document },
    );
    aws.sqs
        .send_message()
        .queue_url(&aws.dlq_url)
        .message_body(serde_json::to_string(&dead).expect("JSON"))
        .send()
        .await
        .expect("dead-lettered");
    let table = testkit::aws::table_text(&aws.dynamo, common::TABLE).await;
    for word in CONTENT {
        assert!(table.contains(word), "{word} must be in the table first");
    }
    assert_eq!(aws.depth(&aws.dlq_url).await, 1);

    assert_eq!(gateway.erase("/recipes/1").await, StatusCode::NO_CONTENT);
    // The purge's removal events go through the chain too.
    let events = aws
        .receive_raw(&aws.capture_url, 10, std::time::Duration::from_secs(3))
        .await;
    for message in &events {
        let event: Value = serde_json::from_str(message.body().unwrap_or("{}")).expect("JSON");
        aws.watch(event).await;
    }
    aws.delete(&aws.capture_url, &events).await;
    aws.drain(&gateway, 5).await;

    assert_eq!(gateway.get("/recipes/1").await.0, StatusCode::NOT_FOUND);
    assert_eq!(gateway.erase("/recipes/1").await, StatusCode::NOT_FOUND);
    let table = testkit::aws::table_text(&aws.dynamo, common::TABLE).await;
    for trace in CONTENT.iter().chain(&[RECIPE_KEY, MAKE_KEY, "RECIPE#1\""]) {
        assert!(!table.contains(trace), "{trace} is still in the table");
    }
    assert_eq!(bucket_keys(&aws).await, Vec::<(String, &str)>::new());
    assert_eq!(aws.depth(&aws.jobs_url).await, 0, "jobs left on the queue");
    assert_eq!(aws.depth(&aws.dlq_url).await, 0, "the dead job is gone");
    assert!(gateway.rejections().await.is_empty());

    let logs = captured.text();
    assert!(
        logs.contains("erased"),
        "the capture holds the chain's logs: {logs}"
    );
    // Nor a raw key or the make's id: they are logged by pseudonyms.
    for word in CONTENT
        .iter()
        .chain(&["apple pie", "sunday dinner", "2024-05-01-family-dinner"])
    {
        assert!(!logs.contains(word), "{word} was logged");
    }
    assert!(logs.contains("#"), "keys are logged by their pseudonyms");
}
