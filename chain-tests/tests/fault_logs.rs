//! Failures are logged by their kind, never by what they were about: each
//! test plants a word of its own in object keys and recipe and make ids,
//! drives one fault through the AWS chain on moto (an S3 `SlowDown` on a
//! read by the watcher and by the sender, a throttled purge during an
//! erasure, a sender that times out calling the server, a server that
//! answers 503), and searches every line the chain logged. First it shows
//! that the word reached the failing call and that the failure was logged
//! by its kind (and the key by its pseudonym), or the word's absence would
//! prove nothing.

mod common;

use std::time::Duration;

use aws_adapters::S3Objects;
use axum::http::StatusCode;
use common::{Aws, BUCKET, FaultKind, Gateway, MAKE, RECIPE, STALL, SdkFault};
use serde_json::Value;
use shared::job::{Job, Payload, Source};
use shared::keys::UploadKind;
use shared::object_id::logged;

/// The recipe fixture under the id `id`.
fn recipe(id: &str) -> Vec<u8> {
    let mut recipe: Value = serde_json::from_slice(RECIPE).expect("fixture");
    recipe["recipeId"] = Value::from(id);
    recipe.to_string().into_bytes()
}

/// The make fixture of recipe `recipe_id`, with the make id `make_id`.
fn make(recipe_id: &str, make_id: &str) -> Vec<u8> {
    let mut make: Value = serde_json::from_slice(MAKE).expect("fixture");
    make["recipeId"] = Value::from(recipe_id);
    make["makeId"] = Value::from(make_id);
    make.to_string().into_bytes()
}

/// Captures the logs, then starts the chain on moto.
async fn start() -> (common::Captured, Aws) {
    let logs = common::capture_logs();
    (logs, Aws::start().await)
}

/// A fault on `operation`, disarmed until the test arms it.
fn disarmed(operation: &'static str, kind: FaultKind) -> SdkFault {
    let fault = SdkFault::new(operation, kind);
    fault.disarm();
    fault
}

/// Uploads `body` as `key` and has the watcher put its job on the queue.
async fn upload_and_watch(aws: &Aws, key: &str, body: &[u8]) {
    aws.upload(key, body).await;
    for event in aws.events(1).await {
        aws.watch(event).await;
    }
}

/// Uploads `body` as `key` and carries it through the chain.
async fn store(aws: &Aws, gateway: &Gateway, key: &str, body: &[u8]) {
    upload_and_watch(aws, key, body).await;
    aws.drain(gateway, 5).await;
}

/// Stores the recipe `{word}-{dish}` from `recipes/{word}.json`; returns
/// its id and its key.
async fn store_recipe(aws: &Aws, gateway: &Gateway, word: &str, dish: &str) -> (String, String) {
    let recipe_id = format!("{word}-{dish}");
    let key = format!("recipes/{word}.json");
    store(aws, gateway, &key, &recipe(&recipe_id)).await;
    (recipe_id, key)
}

/// Delivers the one job to a sender with `deps`, which fails it: the
/// message is kept for a retry.
async fn deliver_the_failing_job(aws: &Aws, deps: &sender::Deps) {
    let (messages, failed) = aws.deliver_with(deps).await;
    assert_eq!((messages.len(), failed.len()), (1, 1), "kept for a retry");
}

/// The captured lines that hold every one of `parts`.
fn lines_with<'a>(logs: &'a str, parts: &[&str]) -> Vec<&'a str> {
    logs.lines()
        .filter(|line| parts.iter().all(|part| line.contains(part)))
        .collect()
}

/// Asserts that the log holds a line with every one of `parts`: the
/// failure was logged, by its kind.
fn assert_logged(logs: &str, parts: &[&str]) {
    assert!(
        !lines_with(logs, parts).is_empty(),
        "no line holds all of {parts:?}:\n{logs}"
    );
}

/// Asserts that no captured line holds `word`.
fn assert_not_logged(logs: &str, word: &str) {
    for line in logs.lines() {
        assert!(!line.contains(word), "{word:?} was logged: {line}");
    }
}

/// Asserts that `word` reached a call the fault failed.
fn assert_reached(fault: &SdkFault, word: &str) {
    let failed = fault.failed();
    assert!(
        failed.iter().any(|request| request.contains(word)),
        "no failed request was about {word:?}: {failed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_s3_slow_down_on_the_watcher_s_read_is_logged_without_the_key() {
    const WORD: &str = "quillmoss";
    let (logs, aws) = start().await;
    let key = format!("makes/{WORD} birthday.json");
    aws.upload(&key, &make("1", "m-1")).await;
    let event = aws.events(1).await.remove(0);

    let fault = SdkFault::new("GetObject", FaultKind::SlowDown);
    let objects = S3Objects::new(aws.s3_with(&fault));
    let error = aws
        .watch_with(event.clone(), &objects)
        .await
        .expect_err("S3 is throttling: the event fails, to be retried");
    // As the Lambda logs it: main.rs by its Display, lambda_runtime by its
    // Debug.
    tracing::error!(%error, "the event failed; Lambda will retry it");
    tracing::error!("{error:?}");

    assert_reached(&fault, WORD);
    let logs = logs.text();
    assert_logged(&logs, &["503 SlowDown", &logged(&key).to_string()]);
    assert_not_logged(&logs, WORD);

    // Once S3 answers again, the retried event is handled.
    fault.disarm();
    let summary = aws.watch_with(event, &objects).await.expect("handled");
    assert_eq!((summary.jobs, summary.rejected), (1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_s3_slow_down_on_the_sender_s_claim_check_read_is_logged_without_the_key() {
    const WORD: &str = "brackenwhey";
    let (logs, aws) = start().await;
    let gateway = Gateway::start(&aws).await;
    let (recipe_id, _) = store_recipe(&aws, &gateway, WORD, "stew").await;
    // A make too large for a message: the job points at the object.
    let key = format!("makes/{WORD}/dinner.json");
    let body = make(&recipe_id, &format!("{WORD}-make"));
    aws.upload(&key, &body).await;
    aws.events(1).await;
    let source = Source {
        bucket: BUCKET.into(),
        key: key.clone(),
        version_id: None,
        e_tag: None,
        sequencer: None,
        size: Some(body.len() as u64),
        entry: None,
    };
    let payload = Payload::ClaimCheck {
        bucket: BUCKET.into(),
        key: key.clone(),
        version_id: None,
    };
    let job = Job::new(UploadKind::Make, source, Some(recipe_id.clone()), payload);
    testkit::aws::send_message(&aws.sqs, &aws.jobs_url, job.to_body()).await;

    let fault = SdkFault::new("GetObject", FaultKind::SlowDown);
    let deps = gateway.sender_deps_with(aws.s3_with(&fault), Duration::from_secs(5));
    deliver_the_failing_job(&aws, &deps).await;

    assert_reached(&fault, WORD);
    let logs = logs.text();
    assert_logged(
        &logs,
        &["503 SlowDown", &logged(&key).to_string(), "failed"],
    );
    assert_not_logged(&logs, WORD);

    fault.disarm();
    aws.drain(&gateway, 5).await;
    assert_eq!(gateway.makes(&recipe_id).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_throttled_purge_during_an_erasure_is_logged_without_the_key() {
    const WORD: &str = "thistledown";
    let (logs, aws) = start().await;
    let fault = disarmed("ListObjectVersions", FaultKind::SlowDown);
    let gateway = Gateway::start_with(&aws, aws.dynamo.clone(), aws.s3_with(&fault)).await;
    let (recipe_id, recipe_key) = store_recipe(&aws, &gateway, WORD, "tart").await;
    let make_key = format!("makes/{WORD} for anna.json");
    store(
        &aws,
        &gateway,
        &make_key,
        &make(&recipe_id, &format!("{WORD}-make")),
    )
    .await;
    assert_eq!(gateway.makes(&recipe_id).await.len(), 1);

    fault.arm();
    let path = format!("/recipes/{recipe_id}");
    assert_eq!(
        gateway.erase(&path).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "S3 is throttling: the erasure is to be called again"
    );
    // A new execution environment finishes the interrupted erasure, and
    // logs why it could not.
    recipe_server::lambda::finish_interrupted_erasures(gateway.state()).await;

    assert_reached(&fault, WORD);
    let logs = logs.text();
    let keys = [
        logged(&recipe_key).to_string(),
        logged(&make_key).to_string(),
    ];
    let named = |line: &&str| keys.iter().any(|k| line.contains(k.as_str()));
    let unavailable = lines_with(&logs, &["store unavailable", "503 SlowDown"]);
    assert!(
        unavailable.iter().any(named),
        "the failed purge is logged by its kind, the key by its pseudonym:\n{logs}"
    );
    let resumed = lines_with(
        &logs,
        &["interrupted erasures not finished", "503 SlowDown"],
    );
    assert!(resumed.iter().any(named), "{logs}");
    assert_not_logged(&logs, WORD);

    fault.disarm();
    assert_eq!(gateway.erase(&path).await, StatusCode::NO_CONTENT);
    assert_eq!(gateway.get(&path).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sender_timeout_is_logged_without_the_url() {
    const WORD: &str = "larkspurrow";
    let (logs, aws) = start().await;
    let gateway = Gateway::start(&aws).await;
    // The make's URL is /recipes/larkspurrow/makes.
    store(&aws, &gateway, "recipes/pie.json", &recipe(WORD)).await;
    let key = format!("makes/{WORD}-sunday.json");
    upload_and_watch(&aws, &key, &make(WORD, "sunday")).await;

    gateway
        .faults
        .stalls
        .store(1, std::sync::atomic::Ordering::SeqCst);
    let deps = gateway.sender_deps_with(aws.s3.clone(), Duration::from_millis(500));
    deliver_the_failing_job(&aws, &deps).await;

    let logs = logs.text();
    assert_logged(&logs, &["timed out", &logged(&key).to_string()]);
    assert_not_logged(&logs, WORD);

    // The stalled call goes through in the end; the retry is idempotent.
    tokio::time::sleep(STALL).await;
    aws.drain(&gateway, 5).await;
    assert_eq!(gateway.makes(WORD).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_503_from_the_server_is_logged_without_the_ids_on_both_sides() {
    const WORD: &str = "fennelgrove";
    let (logs, aws) = start().await;
    let fault = disarmed("TransactWriteItems", FaultKind::TransactionConflict);
    let gateway = Gateway::start_with(&aws, aws.dynamo_with(&fault), aws.s3.clone()).await;
    let (recipe_id, _) = store_recipe(&aws, &gateway, WORD, "soup").await;
    let key = format!("makes/{WORD}-make.json");
    let make_id = format!("{WORD}-make");
    upload_and_watch(&aws, &key, &make(&recipe_id, &make_id)).await;

    // Every write loses its race: the store gives up, and the server
    // answers 503.
    fault.arm();
    deliver_the_failing_job(&aws, &gateway.sender_deps(&aws)).await;

    assert_reached(&fault, WORD);
    let logs = logs.text();
    // The server's side: the store gave up, naming the make and its recipe
    // by their pseudonyms.
    assert_logged(
        &logs,
        &[
            "store unavailable",
            "races",
            &logged(&make_id).to_string(),
            &logged(&recipe_id).to_string(),
        ],
    );
    assert_logged(
        &logs,
        &["the server answered 503", &logged(&key).to_string()],
    );
    assert_not_logged(&logs, WORD);

    fault.disarm();
    aws.drain(&gateway, 5).await;
    assert_eq!(gateway.makes(&recipe_id).await.len(), 1);
}
