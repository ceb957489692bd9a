//! The sender against the real recipe server on a local port: what gets
//! stored, what is rejected, and which messages fail.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::*;
use sender::{Deps, Outcome, process_batch, process_job};
use serde_json::json;
use shared::Limits;
use shared::job::{Job, Payload};
use shared::keys::UploadKind;

/// Stores the fixture recipe (recipe 1) through the sender, one job.
async fn store_the_recipe(deps: &Deps) {
    assert_eq!(
        process_job(&recipe_job(recipe(), "1"), deps).await,
        Outcome::Stored
    );
}

#[tokio::test]
async fn a_recipe_then_a_make_are_both_stored() {
    let server = Server::start().await;
    let deps = deps(http_api(&server.url()));

    let failed = process_batch(vec![message("m1", &recipe_job(recipe(), "1"))], &deps).await;
    assert!(failed.is_empty(), "{failed:?}");
    let failed = process_batch(vec![message("m2", &make_job(make(), "2"))], &deps).await;
    assert!(failed.is_empty(), "{failed:?}");

    let (status, stored) = server.get("/recipes/1").await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["name"], "Apple Pie");
    let (status, differences) = server
        .get("/recipes/1/makes/2024-05-01-family-dinner/differences")
        .await;
    assert_eq!(status, 200, "{differences}");
    assert!(
        !differences["differences"].as_array().unwrap().is_empty(),
        "{differences}"
    );
}

#[tokio::test]
async fn the_same_message_twice_concurrently_creates_one_make() {
    let server = Server::start().await;
    let deps = deps(http_api(&server.url()));
    store_the_recipe(&deps).await;

    // No makeId: the server names the make from the idempotency key, so
    // only the key keeps the two deliveries one make.
    let mut document = make();
    document.as_object_mut().unwrap().remove("makeId");
    let job = make_job(document, "2");
    let failed = process_batch(vec![message("first", &job), message("again", &job)], &deps).await;
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(server.makes("1").await.len(), 1);

    // And once more, later.
    assert_eq!(process_job(&job, &deps).await, Outcome::Stored);
    assert_eq!(server.makes("1").await.len(), 1);
}

#[tokio::test]
async fn a_recipe_that_does_not_name_itself_is_named_by_its_non_ascii_key() {
    let server = Server::start().await;
    let deps = deps(http_api(&server.url()));
    let mut document = recipe();
    document.as_object_mut().unwrap().remove("recipeId");
    let job = Job::new(
        UploadKind::Recipe,
        source("recipes/desserts/crème brûlée+1.json", "1"),
        None,
        Payload::Inline { document },
    );
    assert_eq!(process_job(&job, &deps).await, Outcome::Stored);
    let (status, stored) = server
        .get("/recipes/cr%C3%A8me%20br%C3%BBl%C3%A9e%2B1")
        .await;
    assert_eq!(status, 200, "{stored}");
}

#[tokio::test]
async fn a_poison_body_in_a_batch_of_ten_fails_exactly_that_message() {
    let server = Server::start().await;
    let deps = deps(http_api(&server.url()));
    let mut messages: Vec<_> = (1..=9)
        .map(|n| {
            let mut document = recipe();
            document["recipeId"] = json!(format!("pie-{n}"));
            message(&format!("m{n}"), &recipe_job(document, &n.to_string()))
        })
        .collect();
    messages.insert(
        4,
        sender::Message {
            id: "poison".into(),
            body: "{\"v\": 1, \"kind\": \"recipe\"".into(),
            receive_count: 3,
        },
    );
    assert_eq!(
        process_batch(messages, &deps).await,
        vec!["poison".to_owned()]
    );
    let (_, recipes) = server.get("/recipes?limit=100").await;
    assert_eq!(recipes["items"].as_array().unwrap().len(), 9, "{recipes}");
}

#[tokio::test]
async fn an_invalid_document_is_recorded_once_as_a_rejection_and_not_retried() {
    let server = Server::start().await;
    let deps = deps(http_api(&server.url()));
    let mut document = recipe();
    document["ingredients"][0]["quantity"] = json!("lots");
    let job = recipe_job(document, "1");

    assert_eq!(
        process_batch(vec![message("m", &job)], &deps).await,
        Vec::<String>::new()
    );
    // A redelivery changes nothing.
    assert_eq!(process_job(&job, &deps).await, rejected("invalid-number"));
    let rejections = server.rejections().await;
    assert_eq!(rejections.len(), 1, "{rejections:?}");
    assert_eq!(rejections[0]["code"], "invalid-number");
    assert_eq!(rejections[0]["objectKey"], "recipes/apple pie.json");
    assert_eq!(rejections[0]["path"], "$.ingredients[0].quantity");
}

#[tokio::test]
async fn a_make_before_its_recipe_fails_then_succeeds_once_the_recipe_arrives() {
    let server = Server::start().await;
    let deps = deps(http_api(&server.url()));
    let make = make_job(make(), "2");

    assert_eq!(
        process_batch(vec![message("make", &make)], &deps).await,
        vec!["make".to_owned()]
    );
    assert!(
        server.rejections().await.is_empty(),
        "a missing recipe is not a rejection"
    );

    store_the_recipe(&deps).await;
    assert!(
        process_batch(vec![message("make", &make)], &deps)
            .await
            .is_empty()
    );
    assert_eq!(server.makes("1").await.len(), 1);
}

#[tokio::test]
async fn while_the_server_is_down_every_message_fails_then_all_complete() {
    let addr = free_addr();
    let deps = deps(http_api(&format!("http://{addr}")));
    let mut document = recipe();
    document["recipeId"] = json!("tart");
    let messages = vec![
        message("a", &recipe_job(recipe(), "1")),
        message("b", &recipe_job(document, "2")),
    ];

    let mut failed = process_batch(messages.clone(), &deps).await;
    failed.sort();
    assert_eq!(failed, vec!["a".to_owned(), "b".to_owned()]);

    let server = Server::start_at(addr, fresh_dir("store")).await;
    assert!(process_batch(messages, &deps).await.is_empty());
    assert_eq!(server.get("/recipes/tart").await.0, 200);
    assert_eq!(server.get("/recipes/1").await.0, 200);
}

#[tokio::test]
async fn an_upload_the_watcher_refused_is_recorded_with_its_reason() {
    let server = Server::start().await;
    let deps = deps(http_api(&server.url()));
    let job = Job::new(
        UploadKind::Make,
        source("makes/notes.json", "1"),
        None,
        Payload::Rejected(shared::refusal::Refusal::whole(
            shared::refusal::Code::InvalidJson,
            "not valid JSON: expected value (line 1, column 1)",
        )),
    );
    assert!(
        process_batch(vec![message("m", &job), message("m2", &job)], &deps)
            .await
            .is_empty()
    );
    let rejections = server.rejections().await;
    assert_eq!(rejections.len(), 1, "{rejections:?}");
    assert_eq!(rejections[0]["code"], "invalid-json");
    assert_eq!(rejections[0]["kind"], "make");
    assert_eq!(rejections[0]["objectKey"], "makes/notes.json");
}

fn claim_check(key: &str) -> Job {
    Job::new(
        UploadKind::Recipe,
        source(key, "1"),
        None,
        Payload::ClaimCheck {
            bucket: "recipes-bucket".into(),
            key: key.into(),
            version_id: Some("v1".into()),
        },
    )
}

#[tokio::test]
async fn a_claim_checked_payload_is_read_from_the_bucket() {
    let server = Server::start().await;
    let bytes = serde_json::to_vec(&recipe()).unwrap();
    let bucket = Bucket::with("recipes-bucket", "recipes/big.json", bytes);
    let deps = Deps::new(http_api(&server.url()), Arc::new(bucket), Limits::default());
    assert_eq!(
        process_job(&claim_check("recipes/big.json"), &deps).await,
        Outcome::Stored
    );
    assert_eq!(server.get("/recipes/1").await.0, 200);
}

/// A claim check of an app archive's entry: the sender reads the archive
/// and the entry out of it again, with the watcher's code.
fn entry_claim_check(key: &str, entry: &str) -> Job {
    let mut job = claim_check(key);
    job.source.entry = Some(entry.into());
    Job::new(job.kind, job.source, None, job.payload)
}

#[tokio::test]
async fn a_claim_checked_archive_entry_is_read_out_of_its_archive() {
    let server = Server::start().await;
    let archive = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/archives/paprika.paprikarecipes"),
    )
    .unwrap();
    let key = "recipes/export.paprikarecipes";
    let bucket = Bucket::with("recipes-bucket", key, archive);
    let deps = Deps::new(http_api(&server.url()), Arc::new(bucket), Limits::default());
    assert_eq!(
        process_job(&entry_claim_check(key, "Lemon Tart.paprikarecipe"), &deps).await,
        Outcome::Stored
    );
    let (status, stored) = server.get("/recipes/Lemon%20Tart").await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["name"], "Lemon Tart");

    assert_eq!(
        process_job(&entry_claim_check(key, "Missing.paprikarecipe"), &deps).await,
        rejected("unreadable-archive")
    );
    let rejections = server.rejections().await;
    assert_eq!(rejections.len(), 1, "{rejections:?}");
    assert_eq!(rejections[0]["objectKey"], key);
    let message = rejections[0]["message"].as_str().unwrap();
    assert!(message.contains("Missing.paprikarecipe"), "{message}");
}

#[tokio::test]
async fn a_claim_checked_cook_object_is_read_into_json_before_it_is_sent() {
    let server = Server::start().await;
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/cooklang/");
    let read = |name: &str| std::fs::read(format!("{fixtures}{name}")).expect("the fixture");
    let bucket = Bucket::with(
        "recipes-bucket",
        "recipes/pancakes.cook",
        read("pancakes.cook"),
    );
    let deps = Deps::new(http_api(&server.url()), Arc::new(bucket), Limits::default());
    // The server takes JSON only: the sender sends the Cooklang as the
    // JSON the watcher would have put inline, named by the key's stem.
    assert_eq!(
        process_job(&claim_check("recipes/pancakes.cook"), &deps).await,
        Outcome::Stored
    );
    let (status, recipe) = server.get("/recipes/pancakes").await;
    assert_eq!(
        (status, &recipe["name"]),
        (200, &serde_json::json!("Pancakes")),
        "{recipe}"
    );

    let broken = Bucket::with("recipes-bucket", "recipes/broken.cook", read("broken.cook"));
    let deps = Deps::new(http_api(&server.url()), Arc::new(broken), Limits::default());
    assert_eq!(
        process_job(&claim_check("recipes/broken.cook"), &deps).await,
        rejected("invalid-cooklang")
    );
    let rejections = server.rejections().await;
    assert_eq!(rejections.len(), 1, "{rejections:?}");
    assert_eq!(rejections[0]["objectKey"], "recipes/broken.cook");
    assert_eq!(
        rejections[0]["message"],
        "not valid Cooklang: Empty quantity value (line 3, column 14)"
    );
}

#[tokio::test]
async fn a_vanished_claim_checked_object_becomes_an_object_gone_rejection() {
    let server = Server::start().await;
    let deps = deps(http_api(&server.url()));
    assert_eq!(
        process_job(&claim_check("recipes/gone.json"), &deps).await,
        rejected("object-gone")
    );
    let rejections = server.rejections().await;
    assert_eq!(rejections.len(), 1);
    assert_eq!(rejections[0]["objectKey"], "recipes/gone.json");
}

#[tokio::test]
async fn an_oversized_claim_checked_object_is_rejected_unread() {
    let server = Server::start().await;
    let bucket = Bucket::with("recipes-bucket", "recipes/huge.json", vec![b' '; 100]);
    let limits = Limits {
        max_bytes: 10,
        ..Limits::default()
    };
    let deps = Deps::new(http_api(&server.url()), Arc::new(bucket), limits);
    assert_eq!(
        process_job(&claim_check("recipes/huge.json"), &deps).await,
        rejected("too-large")
    );
}

#[tokio::test]
async fn an_unavailable_bucket_fails_the_message() {
    let server = Server::start().await;
    let bucket = Bucket {
        unavailable: true,
        ..Bucket::default()
    };
    let deps = Deps::new(http_api(&server.url()), Arc::new(bucket), Limits::default());
    let outcome = process_job(&claim_check("recipes/big.json"), &deps).await;
    assert!(outcome.is_failure(), "{outcome:?}");
    assert!(server.rejections().await.is_empty());
}

#[tokio::test]
async fn the_fixture_event_stores_its_recipe_and_make() {
    let server = Server::start().await;
    let deps = deps(http_api(&server.url()));
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../events/sqs-batch.json"
    ))
    .unwrap();
    let event: aws_lambda_events::event::sqs::SqsEvent = serde_json::from_str(&text).unwrap();
    assert_eq!(event.records.len(), 2);
    for record in &event.records {
        let job = Job::from_body(record.body.as_deref().unwrap()).unwrap();
        assert_eq!(job.idempotency_key, job.source.idempotency_key());
    }
    // The make may be tried before its recipe: then it fails, and the next
    // delivery stores it.
    let first = sender::handle_event(event.clone(), &deps).await.unwrap();
    let second = sender::handle_event(event, &deps).await.unwrap();
    assert!(first.batch_item_failures.len() <= 1, "{first:?}");
    assert!(second.batch_item_failures.is_empty(), "{second:?}");
    assert_eq!(server.makes("1").await.len(), 1);
}

#[tokio::test]
async fn a_deleted_upload_is_taken_back_and_its_late_delivery_stores_nothing() {
    let server = Server::start().await;
    let deps = deps(http_api(&server.url()));
    store_the_recipe(&deps).await;
    let made = make_job(make(), "2");
    assert_eq!(process_job(&made, &deps).await, Outcome::Stored);
    assert_eq!(server.makes("1").await.len(), 1);

    let deletion = Job::new(
        UploadKind::Make,
        source(&made.source.key, "3"),
        None,
        Payload::Deleted,
    );
    assert_eq!(process_job(&deletion, &deps).await, Outcome::Deleted);
    assert!(server.makes("1").await.is_empty());
    // The make's own job delivered again after its deletion: superseded,
    // and not recorded as a rejection.
    assert_eq!(process_job(&made, &deps).await, Outcome::Superseded);
    assert!(server.rejections().await.is_empty());
    // The deletion delivered again: done, nothing more to remove.
    assert_eq!(process_job(&deletion, &deps).await, Outcome::Deleted);
}
