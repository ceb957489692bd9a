//! How the sender treats each kind of answer, timeouts and panics, with
//! stub servers and fakes of the `RecipeApi` port.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use common::*;
use sender::{
    ApiRequest, ApiResponse, HttpApi, Outcome, RecipeApi, Route, Signer, TransportError,
    process_batch, process_job,
};
use serde_json::{Value, json};

#[tokio::test]
async fn a_500_is_retried_and_not_recorded_as_a_rejection() {
    for (status, code) in [
        (500, "internal"),
        (503, "store-unavailable"),
        (429, "throttled"),
    ] {
        let stub = Stub::start(status, problem(status, code, "later"), Duration::ZERO).await;
        let deps = deps(http_api(&stub.url()));
        let job = recipe_job(recipe(), "1");
        assert_eq!(
            process_batch(vec![message("m", &job)], &deps).await,
            vec!["m".to_owned()]
        );
        let seen = stub.seen();
        assert_eq!(seen.len(), 1, "{status}: only the write, no rejection");
        assert_eq!(seen[0].path, "/recipes");
    }
}

#[tokio::test]
async fn a_call_that_takes_too_long_fails_the_message() {
    let stub = Stub::start(201, json!({}), Duration::from_secs(5)).await;
    let api = HttpApi::new(
        &stub.url(),
        Signer::Bearer(TOKEN.into()),
        Duration::from_millis(300),
    )
    .unwrap();
    let deps = deps(Arc::new(api));
    let started = Instant::now();
    let outcome = process_job(&recipe_job(recipe(), "1"), &deps).await;
    assert!(
        matches!(&outcome, Outcome::Failed { reason } if reason.contains("timed out")),
        "{outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn every_write_carries_the_job_s_keys_and_the_write_token() {
    let stub = Stub::start(201, json!({"status": "created"}), Duration::ZERO).await;
    let deps = deps(http_api(&stub.url()));
    let mut document = make();
    document["recipeId"] = json!("Lemon Tart/2");
    let job = make_job(document, "7");
    assert_eq!(process_job(&job, &deps).await, Outcome::Stored);

    let request = stub.only_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/recipes/Lemon%20Tart%2F2/makes");
    assert_eq!(request.headers["idempotency-key"], job.idempotency_key);
    assert_eq!(request.headers["x-correlation-id"], job.correlation_id);
    assert_eq!(
        request.headers["x-object-key"],
        "makes/apple%20pie%202%2B1.json"
    );
    assert_eq!(request.headers["x-object-sequencer"], "7");
    assert_eq!(request.headers["authorization"], format!("Bearer {TOKEN}"));
    assert_eq!(request.headers["content-type"], "application/json");
    let sent: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(sent["recipeId"], "Lemon Tart/2");
}

/// A fake server: answers by route, remembers what it was sent, and panics
/// on the idempotency key it is told to.
#[derive(Default)]
struct Scripted {
    write: Option<(u16, Value)>,
    rejection: Option<(u16, Value)>,
    panic_on: Option<String>,
    sent: Mutex<Vec<ApiRequest>>,
}

#[async_trait]
impl RecipeApi for Scripted {
    async fn send(&self, request: &ApiRequest) -> Result<ApiResponse, TransportError> {
        if self.panic_on.as_deref() == Some(request.idempotency_key.as_str()) {
            panic!("the fake server fell over");
        }
        self.sent.lock().unwrap().push(request.clone());
        let (status, body) = match request.route {
            Route::Rejections => self.rejection.clone(),
            _ => self.write.clone(),
        }
        .unwrap_or((201, json!({"status": "created"})));
        Ok(ApiResponse {
            status,
            body: body.to_string().into_bytes(),
        })
    }
}

impl Scripted {
    fn sent(&self) -> Vec<ApiRequest> {
        self.sent.lock().unwrap().clone()
    }
}

#[tokio::test]
async fn a_deletion_the_server_refuses_fails_the_message_and_is_never_dropped() {
    let api = Arc::new(Scripted {
        write: Some((422, problem(422, "invalid-deletion", "no such kind"))),
        ..Scripted::default()
    });
    let deps = deps(api.clone());
    let deletion = shared::job::Job::new(
        shared::keys::UploadKind::Make,
        source("makes/gone.json", "0A"),
        None,
        shared::job::Payload::Deleted,
    );
    let outcome = process_job(&deletion, &deps).await;
    assert!(
        matches!(&outcome, Outcome::Failed { reason } if reason.contains("invalid-deletion")),
        "{outcome:?}"
    );
    let sent = api.sent();
    assert_eq!(sent.len(), 1, "no rejection is recorded for a deletion");
    assert_eq!(sent[0].route, Route::Deletions);
    let body: Value = serde_json::from_slice(&sent[0].body).unwrap();
    assert_eq!(
        body,
        json!({"objectKey": "makes/gone.json", "kind": "make", "sequencer": "0A"})
    );
}

#[tokio::test]
async fn a_panic_while_processing_fails_only_that_message() {
    let jobs: Vec<_> = (0..5)
        .map(|n| recipe_job(recipe(), &n.to_string()))
        .collect();
    let api = Arc::new(Scripted {
        panic_on: Some(jobs[2].idempotency_key.clone()),
        ..Scripted::default()
    });
    let deps = deps(api.clone());
    let messages = jobs
        .iter()
        .enumerate()
        .map(|(n, job)| message(&format!("m{n}"), job))
        .collect();
    assert_eq!(process_batch(messages, &deps).await, vec!["m2".to_owned()]);
    assert_eq!(api.sent().len(), 4);
}

#[tokio::test]
async fn a_conflict_is_recorded_under_the_server_s_own_rejection_key() {
    let api = Arc::new(Scripted {
        write: Some((
            409,
            problem(
                409,
                "make-conflict",
                "make x already exists with different content",
            ),
        )),
        ..Scripted::default()
    });
    let deps = deps(api.clone());
    let job = make_job(make(), "1");
    assert_eq!(process_job(&job, &deps).await, rejected("make-conflict"));
    let sent = api.sent();
    assert_eq!(sent.len(), 2);
    let rejection = &sent[1];
    assert_eq!(rejection.route, Route::Rejections);
    assert_eq!(
        rejection.idempotency_key,
        format!("{}:rejected", job.idempotency_key)
    );
    assert_eq!(rejection.correlation_id, job.correlation_id);
    let body: Value = serde_json::from_slice(&rejection.body).unwrap();
    assert_eq!(
        body,
        json!({"objectKey": "makes/apple pie 2+1.json", "kind": "make", "code": "make-conflict",
               "message": "make x already exists with different content", "path": "$"})
    );
}

#[tokio::test]
async fn a_refusal_without_a_problem_document_is_named_by_its_status() {
    let api = Arc::new(Scripted {
        write: Some((415, json!("unsupported"))),
        ..Scripted::default()
    });
    let deps = deps(api.clone());
    assert_eq!(
        process_job(&recipe_job(recipe(), "1"), &deps).await,
        rejected("http-415")
    );
}

#[tokio::test]
async fn a_rejection_that_cannot_be_recorded_fails_the_message() {
    for rejection in [
        (503, problem(503, "store-unavailable", "try again")),
        (422, problem(422, "invalid-rejection", "no")),
    ] {
        let api = Arc::new(Scripted {
            write: Some((422, problem(422, "unknown-format", "not a recipe"))),
            rejection: Some(rejection),
            ..Scripted::default()
        });
        let deps = deps(api);
        let job = recipe_job(recipe(), "1");
        assert_eq!(
            process_batch(vec![message("m", &job)], &deps).await,
            vec!["m".to_owned()]
        );
    }
}

#[tokio::test]
async fn refused_credentials_fail_the_message_instead_of_rejecting_the_upload() {
    for status in [401, 403] {
        let api = Arc::new(Scripted {
            write: Some((status, problem(status, "forbidden", "no"))),
            ..Scripted::default()
        });
        let deps = deps(api.clone());
        assert!(
            process_job(&recipe_job(recipe(), "1"), &deps)
                .await
                .is_failure()
        );
        assert_eq!(api.sent().len(), 1, "no rejection recorded");
    }
}

#[tokio::test]
async fn a_make_that_names_no_recipe_is_rejected_without_a_write() {
    let api = Arc::new(Scripted::default());
    let deps = deps(api.clone());
    let mut document = make();
    document.as_object_mut().unwrap().remove("recipeId");
    let job = shared::job::Job::new(
        shared::keys::UploadKind::Make,
        source("makes/x.json", "1"),
        None,
        shared::job::Payload::Inline { document },
    );
    assert_eq!(process_job(&job, &deps).await, rejected("missing"));
    let sent = api.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].route, Route::Rejections);
}

#[tokio::test]
async fn a_make_without_a_recipe_id_in_the_job_uses_the_document_s() {
    let api = Arc::new(Scripted::default());
    let deps = deps(api.clone());
    let job = shared::job::Job::new(
        shared::keys::UploadKind::Make,
        source("makes/x.json", "1"),
        None,
        shared::job::Payload::Inline { document: make() },
    );
    assert_eq!(process_job(&job, &deps).await, Outcome::Stored);
    assert_eq!(api.sent()[0].route, Route::Makes("1".into()));
}

#[tokio::test]
async fn the_lambda_handler_reports_exactly_the_failed_messages() {
    let api = Arc::new(Scripted::default());
    let deps = deps(api);
    let good = recipe_job(recipe(), "1");
    let event: aws_lambda_events::event::sqs::SqsEvent = serde_json::from_value(json!({
        "Records": [
            {"messageId": "good", "body": good.to_body(), "attributes": {"ApproximateReceiveCount": "1"}},
            {"messageId": "bad", "body": "not a job", "attributes": {"ApproximateReceiveCount": "5"}},
            {"messageId": "empty", "attributes": {}}
        ]
    }))
    .unwrap();
    let response = sender::handle_event(event, &deps).await.unwrap();
    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["bad", "empty"]);
    let json = serde_json::to_value(&response).unwrap();
    assert_eq!(json["batchItemFailures"][0]["itemIdentifier"], "bad");
}
