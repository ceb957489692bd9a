//! The watcher against moto's standalone server, through the real
//! aws-sdk-rust clients: the bucket's notification delivers the S3 events
//! moto really produces to a capture queue, the handler reads the uploads
//! with [`S3Objects`] and queues jobs with [`SqsJobs`], and the jobs are
//! read back from the real queue.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_adapters::{Backoff, S3Objects, SqsJobs};
use aws_sdk_sqs::config::interceptors::{
    BeforeSerializationInterceptorContextMut, FinalizerInterceptorContextMut,
};
use aws_sdk_sqs::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_sqs::operation::send_message_batch::{SendMessageBatchInput, SendMessageBatchOutput};
use aws_sdk_sqs::types::BatchResultErrorEntry;
use serde_json::{Value, json};
use shared::Limits;
use shared::job::{Job, Payload, Source};
use shared::keys::UploadKind;
use shared::ports::{JobSink, ObjectError, ObjectRef, ObjectStore, QueueError};
use shared::refusal::Refusal;
use testkit::MotoServer;
use testkit::aws::{create_queue, notify_queue, queue_arn, s3_client, sdk_config};
use watcher::{Deps, handle_event};

const RECIPE: &str = include_str!("../../fixtures/pairs/apple-pie/recipe.json");
const MAKE: &str = include_str!("../../fixtures/pairs/apple-pie/make.json");
const BUCKET: &str = "uploads";

/// Receives (and deletes) messages until `want` have arrived, then checks
/// that no more follow.
async fn receive(sqs: &aws_sdk_sqs::Client, url: &str, want: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut bodies = Vec::new();
    loop {
        let received = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .send()
            .await
            .expect("received");
        let messages = received.messages();
        for message in messages {
            bodies.push(message.body().expect("a body").to_owned());
            sqs.delete_message()
                .queue_url(url)
                .receipt_handle(message.receipt_handle().expect("a receipt handle"))
                .send()
                .await
                .expect("deleted");
        }
        if messages.is_empty() {
            if bodies.len() >= want {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {want} messages arrived on {url}",
                bodies.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    assert_eq!(bodies.len(), want, "exactly {want} messages on {url}");
    bodies
}

async fn put(s3: &aws_sdk_s3::Client, key: &str, bytes: Vec<u8>) -> String {
    let etag = testkit::aws::put_object(s3, BUCKET, key, &bytes).await;
    assert!(!etag.is_empty(), "an ETag for {key}");
    etag
}

/// A recipe whose document is too large for one message (over 192 KiB).
fn long_recipe() -> Vec<u8> {
    let mut recipe: Value = serde_json::from_str(RECIPE).expect("fixture");
    let step = "Fold the apples in gently, then rest. ".repeat(20);
    recipe["steps"] = (1..=300)
        .map(|i| json!({"stepId": i, "stepText": step}))
        .collect();
    serde_json::to_vec(&recipe).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_become_jobs_through_the_events_moto_produces() {
    let moto = MotoServer::start();
    let config = sdk_config(&moto).await;
    let s3 = s3_client(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);
    s3.create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("bucket created");
    let events_url = create_queue(&sqs, "s3-events", HashMap::new()).await;
    let jobs_url = create_queue(&sqs, "jobs", HashMap::new()).await;
    let events_arn = queue_arn(&sqs, &events_url).await;
    notify_queue(&s3, BUCKET, &events_arn, &["recipes/", "makes/"]).await;

    let objects = S3Objects::new(s3.clone());
    let jobs = SqsJobs::new(sqs.clone(), &jobs_url);
    let limits = Limits::default();
    let deps = Deps::new(&objects, &jobs, limits.clone());

    // S3 (and moto) first sends s3:TestEvent to the queue: acknowledged, ignored.
    let test_event = receive(&sqs, &events_url, 1).await;
    let test_event: Value = serde_json::from_str(&test_event[0]).expect("JSON");
    assert_eq!(test_event["Event"], "s3:TestEvent");
    let summary = handle_event(test_event, &deps)
        .await
        .expect("test event handled");
    assert!(summary.test_event);

    let long = long_recipe();
    let oversize = vec![b' '; 1024 * 1024 + 1];
    let mut tags = BTreeMap::new();
    for (key, bytes) in [
        ("recipes/sunday dinner+1.json", RECIPE.as_bytes().to_vec()),
        ("makes/sunday dinner+1.json", MAKE.as_bytes().to_vec()),
        ("recipes/long recipe.json", long.clone()),
        ("makes/too big.json", oversize),
        ("makes/notes.txt", b"more salt".to_vec()),
        ("drafts/not followed.json", RECIPE.as_bytes().to_vec()),
    ] {
        tags.insert(key, put(&s3, key, bytes).await);
    }

    // One event per upload under the two prefixes, as moto writes them.
    let events = receive(&sqs, &events_url, 5).await;
    let mut raw_keys = Vec::new();
    for body in events {
        let event: Value = serde_json::from_str(&body).expect("an event");
        raw_keys.push(event["Records"][0]["s3"]["object"]["key"].clone());
        let summary = handle_event(event, &deps).await.expect("event handled");
        assert_eq!((summary.records, summary.jobs), (1, 1));
    }

    // The keys arrive encoded (moto, like Python's quote_plus, encodes the
    // slash too; S3 leaves it): the handler decoded them.
    assert!(
        raw_keys
            .iter()
            .any(|k| k == "makes%2Fsunday+dinner%2B1.json" || k == "makes/sunday+dinner%2B1.json"),
        "{raw_keys:?}"
    );

    let jobs: BTreeMap<String, Job> = receive(&sqs, &jobs_url, 5)
        .await
        .iter()
        .map(|body| Job::from_body(body).expect("a job"))
        .map(|job| (job.source.key.clone(), job))
        .collect();
    let keys: Vec<&str> = jobs.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "makes/notes.txt",
            "makes/sunday dinner+1.json",
            "makes/too big.json",
            "recipes/long recipe.json",
            "recipes/sunday dinner+1.json",
        ]
    );

    let recipe = &jobs["recipes/sunday dinner+1.json"];
    assert_eq!(recipe.kind, UploadKind::Recipe);
    assert_eq!(
        recipe.payload,
        Payload::Inline {
            document: serde_json::from_str(RECIPE).expect("fixture")
        }
    );
    assert_eq!(
        recipe.source,
        Source {
            bucket: BUCKET.into(),
            key: "recipes/sunday dinner+1.json".into(),
            version_id: None,
            e_tag: Some(tags["recipes/sunday dinner+1.json"].clone()),
            sequencer: None,
            size: Some(RECIPE.len() as u64),
            entry: None,
        }
    );
    assert_eq!(recipe.idempotency_key, recipe.source.idempotency_key());

    let make = &jobs["makes/sunday dinner+1.json"];
    assert_eq!(make.kind, UploadKind::Make);
    assert_eq!(make.recipe_id.as_deref(), Some("1"));
    assert_eq!(
        make.payload,
        Payload::Inline {
            document: serde_json::from_str(MAKE).expect("fixture")
        }
    );

    let claim = &jobs["recipes/long recipe.json"];
    let Payload::ClaimCheck {
        bucket,
        key,
        version_id,
    } = &claim.payload
    else {
        panic!("a claim check, got {:?}", claim.payload);
    };
    let fetched = objects
        .get(
            ObjectRef::new(bucket, key, version_id.as_deref()),
            limits.max_bytes,
        )
        .await
        .expect("readable");
    assert_eq!(fetched, Some(long), "the claim check points at the upload");

    let Payload::Rejected(Refusal { code, message, .. }) = &jobs["makes/too big.json"].payload
    else {
        panic!("a rejection");
    };
    assert_eq!(code, "too-large");
    assert_eq!(
        message,
        "the document is 1048577 bytes; the limit is 1048576 bytes"
    );
    let Payload::Rejected(Refusal { code, .. }) = &jobs["makes/notes.txt"].payload else {
        panic!("a rejection");
    };
    assert_eq!(code, "bad-key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_objects_read_within_the_limit_and_report_gone_objects() {
    let moto = MotoServer::start();
    let config = sdk_config(&moto).await;
    let s3 = s3_client(&config);
    s3.create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("bucket created");
    put(&s3, "recipes/a b+c.json", RECIPE.as_bytes().to_vec()).await;
    let objects = S3Objects::new(s3);
    let size = RECIPE.len() as u64;

    assert_eq!(
        objects
            .size(ObjectRef::new(BUCKET, "recipes/a b+c.json", None))
            .await,
        Ok(Some(size))
    );
    assert_eq!(
        objects
            .get(ObjectRef::new(BUCKET, "recipes/a b+c.json", None), size)
            .await,
        Ok(Some(RECIPE.as_bytes().to_vec()))
    );
    assert_eq!(
        objects
            .get(ObjectRef::new(BUCKET, "recipes/a b+c.json", None), size - 1)
            .await,
        Err(ObjectError::TooLarge {
            size,
            limit: size - 1
        })
    );
    assert_eq!(
        objects
            .size(ObjectRef::new(BUCKET, "recipes/gone.json", None))
            .await,
        Ok(None)
    );
    assert_eq!(
        objects
            .get(ObjectRef::new(BUCKET, "recipes/gone.json", None), 100)
            .await,
        Ok(None)
    );
    assert_eq!(
        objects
            .get(
                ObjectRef::new("no-such-bucket", "recipes/a.json", None),
                100
            )
            .await,
        Ok(None)
    );
}

/// Makes chosen entries of the first `SendMessageBatch` fail the way SQS
/// reports partial failures: moto never fails an entry on its own, so the
/// interceptor takes them out of the request (moto queues the rest) and
/// adds them to the response's `Failed` list. Clones share their state, so
/// the test can look at the calls made.
#[derive(Clone, Debug, Default)]
struct FailEntries(Arc<FailState>);

#[derive(Debug, Default)]
struct FailState {
    /// On the first call: entry id, sender fault, code.
    plan: Mutex<Vec<(String, bool, &'static str)>>,
    /// The failures injected into the current call's response.
    injected: Mutex<Vec<(String, bool, &'static str)>>,
    /// The entry ids of each call.
    calls: Mutex<Vec<Vec<String>>>,
}

impl FailEntries {
    fn calls(&self) -> Vec<Vec<String>> {
        self.0.calls.lock().expect("lock").clone()
    }
}

impl Intercept for FailEntries {
    fn name(&self) -> &'static str {
        "FailEntries"
    }

    fn modify_before_serialization(
        &self,
        context: &mut BeforeSerializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let Some(input) = context.input_mut().downcast_mut::<SendMessageBatchInput>() else {
            return Ok(());
        };
        let entries = input.entries.get_or_insert_default();
        self.0
            .calls
            .lock()
            .expect("lock")
            .push(entries.iter().map(|e| e.id().to_owned()).collect());
        let plan = std::mem::take(&mut *self.0.plan.lock().expect("lock"));
        entries.retain(|e| !plan.iter().any(|(id, ..)| id == e.id()));
        *self.0.injected.lock().expect("lock") = plan;
        Ok(())
    }

    fn modify_before_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let injected = std::mem::take(&mut *self.0.injected.lock().expect("lock"));
        if let Some(Ok(output)) = context.output_or_error_mut()
            && let Some(output) = output.downcast_mut::<SendMessageBatchOutput>()
        {
            for (id, sender_fault, code) in injected {
                output.failed.push(
                    BatchResultErrorEntry::builder()
                        .id(id)
                        .sender_fault(sender_fault)
                        .code(code)
                        .message("injected by the test")
                        .build()?,
                );
            }
        }
        Ok(())
    }
}

fn job(n: usize, document: Value) -> Job {
    Job::new(
        UploadKind::Make,
        Source {
            bucket: BUCKET.into(),
            key: format!("makes/{n}.json"),
            version_id: None,
            e_tag: Some(format!("etag-{n}")),
            sequencer: None,
            size: Some(1),
            entry: None,
        },
        Some("1".into()),
        Payload::Inline { document },
    )
}

/// A jobs queue on moto whose client fails entries as `plan` says.
async fn flaky_jobs(
    moto: &MotoServer,
    plan: Vec<(String, bool, &'static str)>,
) -> (SqsJobs, aws_sdk_sqs::Client, String, FailEntries) {
    let config = sdk_config(moto).await;
    let plain = aws_sdk_sqs::Client::new(&config);
    let url = create_queue(&plain, "jobs", HashMap::new()).await;
    let interceptor = FailEntries::default();
    *interceptor.0.plan.lock().expect("lock") = plan;
    let conf = aws_sdk_sqs::config::Builder::from(&config)
        .interceptor(interceptor.clone())
        .build();
    let jobs = SqsJobs::new(aws_sdk_sqs::Client::from_conf(conf), &url).with_backoff(Backoff {
        attempts: 5,
        base: Duration::from_millis(10),
        max: Duration::from_millis(50),
    });
    (jobs, plain, url, interceptor)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_jobs_resend_only_the_entries_sqs_reports_failed() {
    let moto = MotoServer::start();
    let plan = vec![
        ("3".to_owned(), false, "InternalError"),
        ("7".to_owned(), false, "ServiceUnavailable"),
    ];
    let (jobs, sqs, url, interceptor) = flaky_jobs(&moto, plan).await;
    let sent: Vec<Job> = (0..12).map(|n| job(n, json!({"n": n}))).collect();
    jobs.send(&sent).await.expect("all queued in the end");

    let calls = interceptor.calls();
    let ids =
        |range: std::ops::Range<usize>| -> Vec<String> { range.map(|i| i.to_string()).collect() };
    assert_eq!(
        calls,
        vec![ids(0..10), vec!["3".into(), "7".into()], ids(0..2)]
    );

    let mut queued: Vec<String> = receive(&sqs, &url, 12)
        .await
        .iter()
        .map(|body| Job::from_body(body).expect("a job").source.key)
        .collect();
    queued.sort();
    let mut expected: Vec<String> = sent.iter().map(|j| j.source.key.clone()).collect();
    expected.sort();
    assert_eq!(queued, expected, "every job once: no loss, no duplicate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_jobs_do_not_retry_entries_refused_as_the_senders_fault() {
    let moto = MotoServer::start();
    let plan = vec![("5".to_owned(), true, "InvalidMessageContents")];
    let (jobs, sqs, url, interceptor) = flaky_jobs(&moto, plan).await;
    let sent: Vec<Job> = (0..10).map(|n| job(n, json!({"n": n}))).collect();
    let result = jobs.send(&sent).await;
    assert!(
        matches!(&result, Err(QueueError::Permanent(reason)) if reason.starts_with("job 5: InvalidMessageContents")),
        "{result:?}"
    );
    assert_eq!(interceptor.calls().len(), 1);
    assert_eq!(receive(&sqs, &url, 9).await.len(), 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_jobs_are_split_into_batches_sqs_accepts() {
    let moto = MotoServer::start();
    let (jobs, sqs, url, interceptor) = flaky_jobs(&moto, Vec::new()).await;
    // Eight jobs of 150 KiB: 1.2 MB, over SQS's (and moto's) batch limit.
    let filler = "x".repeat(150 * 1024);
    let sent: Vec<Job> = (0..8).map(|n| job(n, json!({"filler": filler}))).collect();
    jobs.send(&sent).await.expect("queued");
    assert_eq!(interceptor.calls().len(), 8);
    assert_eq!(receive(&sqs, &url, 8).await.len(), 8);
}
