//! The watcher's logic against small fakes of its ports; the adapters are
//! tested against moto in `tests/moto.rs`.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use aws_lambda_events::event::s3::S3Event;
use serde_json::{Value, json};
use shared::job::MAX_INLINE_BYTES;
use shared::keys::UploadKind;
use shared::ports::{ObjectError, ObjectRef};

use super::*;

const RECIPE: &str = include_str!("../../fixtures/pairs/apple-pie/recipe.json");
const MAKE: &str = include_str!("../../fixtures/pairs/apple-pie/make.json");
const PUT_EVENT: &str = include_str!("../../events/s3-put.json");
const TEST_EVENT: &str = include_str!("../../events/s3-test-event.json");
const DELETE_EVENT: &str = include_str!("../../events/s3-delete.json");

/// A bucket in memory that counts what was asked of it.
#[derive(Default)]
struct Bucket {
    objects: HashMap<String, Vec<u8>>,
    failure: Option<ObjectError>,
    sizes_asked: Mutex<Vec<String>>,
    downloads: Mutex<Vec<String>>,
}

impl Bucket {
    fn with(objects: &[(&str, &[u8])]) -> Self {
        Self {
            objects: objects
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.to_vec()))
                .collect(),
            ..Self::default()
        }
    }

    fn downloads(&self) -> Vec<String> {
        self.downloads.lock().expect("lock").clone()
    }
}

#[async_trait]
impl ObjectStore for Bucket {
    async fn size(&self, ObjectRef { key, .. }: ObjectRef<'_>) -> Result<Option<u64>, ObjectError> {
        self.sizes_asked.lock().expect("lock").push(key.to_owned());
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        Ok(self.objects.get(key).map(|bytes| bytes.len() as u64))
    }

    async fn get(
        &self,
        ObjectRef { key, .. }: ObjectRef<'_>,
        max_bytes: u64,
    ) -> Result<Option<Vec<u8>>, ObjectError> {
        self.downloads.lock().expect("lock").push(key.to_owned());
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        match self.objects.get(key) {
            Some(bytes) if bytes.len() as u64 > max_bytes => Err(ObjectError::TooLarge {
                size: bytes.len() as u64,
                limit: max_bytes,
            }),
            other => Ok(other.cloned()),
        }
    }
}

/// A queue in memory that remembers each call.
#[derive(Default)]
struct Queue {
    calls: Mutex<Vec<Vec<Job>>>,
    failure: Option<QueueError>,
}

impl Queue {
    fn jobs(&self) -> Vec<Job> {
        self.calls.lock().expect("lock").concat()
    }
    fn calls(&self) -> usize {
        self.calls.lock().expect("lock").len()
    }
}

#[async_trait]
impl JobSink for Queue {
    async fn send(&self, jobs: &[Job]) -> Result<(), QueueError> {
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        self.calls.lock().expect("lock").push(jobs.to_vec());
        Ok(())
    }
}

/// A record as moto writes it: no userIdentity, requestParameters,
/// responseElements, versionId or sequencer.
fn record(encoded_key: &str, size: Option<u64>) -> Value {
    let mut object = json!({"key": encoded_key, "eTag": "0123456789abcdef"});
    if let Some(size) = size {
        object["size"] = json!(size);
    }
    json!({
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": "2024-05-01T18:00:00.000Z",
        "eventName": "ObjectCreated:Put",
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "makes",
               "bucket": {"name": "uploads", "arn": "arn:aws:s3:::uploads"},
               "object": object}
    })
}

fn event(records: Vec<Value>) -> Value {
    json!({ "Records": records })
}

fn upload(key: &str, size: Option<u64>) -> Upload {
    Upload {
        bucket: "uploads".into(),
        key: key.into(),
        version_id: Some("v1".into()),
        e_tag: Some("abc".into()),
        sequencer: Some("0055AED6DCD90281E5".into()),
        size,
    }
}

fn rejection(job: &Job) -> (&str, &str, &str) {
    match &job.payload {
        Payload::Rejected(refusal) => (refusal.code.as_str(), &refusal.message, &refusal.path),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

/// `records` as one S3 event, handled with the default limits.
async fn handle_records(
    records: Vec<Value>,
    objects: &dyn ObjectStore,
    queue: &Queue,
) -> Result<EventSummary, WatcherError> {
    handle_event(
        event(records),
        &Deps::new(objects, queue, Limits::default()),
    )
    .await
}

async fn one_job(bucket: &Bucket, key: &str, size: Option<u64>) -> Job {
    handle_upload(upload(key, size), bucket, &Limits::default())
        .await
        .expect("no transient failure")
        .pop()
        .expect("a followed key")
}

#[tokio::test]
async fn a_key_with_a_space_and_a_plus_is_decoded_before_it_is_read() {
    let bucket = Bucket::with(&[("makes/sunday dinner+1.json", MAKE.as_bytes())]);
    let queue = Queue::default();
    let summary = handle_records(
        vec![record("makes/sunday+dinner%2B1.json", None)],
        &bucket,
        &queue,
    )
    .await
    .expect("handled");
    assert_eq!(summary.jobs, 1);
    let jobs = queue.jobs();
    assert_eq!(jobs[0].source.key, "makes/sunday dinner+1.json");
    assert_eq!(jobs[0].kind, UploadKind::Make);
    assert_eq!(jobs[0].recipe_id.as_deref(), Some("1"));
    let document: Value = serde_json::from_str(MAKE).expect("fixture");
    assert_eq!(jobs[0].payload, Payload::Inline { document });
    assert_eq!(bucket.downloads(), ["makes/sunday dinner+1.json"]);
}

#[tokio::test]
async fn the_test_event_is_acknowledged_and_queues_nothing() {
    let queue = Queue::default();
    let event: Value = serde_json::from_str(TEST_EVENT).expect("fixture");
    let summary = handle_event(
        event,
        &Deps::new(&Bucket::default(), &queue, Limits::default()),
    )
    .await
    .expect("handled");
    assert!(summary.test_event);
    assert_eq!(queue.calls(), 0);
}

#[tokio::test]
async fn every_record_of_an_event_is_handled_and_queued_in_one_call() {
    let bucket = Bucket::with(&[
        ("recipes/apple pie.json", RECIPE.as_bytes()),
        ("makes/a.json", MAKE.as_bytes()),
        ("makes/b.json", MAKE.as_bytes()),
    ]);
    let mut removed = record("makes/c.json", Some(3));
    removed["eventName"] = json!("ObjectRemoved:Delete");
    let queue = Queue::default();
    let summary = handle_records(
        vec![
            record("recipes/apple+pie.json", None),
            record("makes/a.json", None),
            record("photos/pie.jpg", Some(10)),
            removed,
            record("makes/", Some(0)),
            record("makes/b.json", None),
        ],
        &bucket,
        &queue,
    )
    .await
    .expect("handled");
    // A removal under a followed prefix is a deletion (it was ignored
    // before deletions followed the bucket).
    assert_eq!(
        summary,
        EventSummary {
            test_event: false,
            records: 6,
            jobs: 4,
            rejected: 0,
            deleted: 1,
            ignored: 2,
        }
    );
    assert_eq!(queue.calls(), 1);
    let keys: Vec<String> = queue.jobs().into_iter().map(|j| j.source.key).collect();
    assert_eq!(
        keys,
        [
            "recipes/apple pie.json",
            "makes/a.json",
            "makes/c.json",
            "makes/b.json"
        ]
    );
}

/// A real-shaped event fixture, as a value and as `aws_lambda_events`'
/// strict type: the fixture is what Lambda really sends, so the strict type
/// reads it, with its `records`.
fn real_event(fixture: &str, records: usize) -> (Value, S3Event) {
    let value: Value = serde_json::from_str(fixture).expect("fixture");
    let strict: S3Event = serde_json::from_value(value.clone()).expect("a real S3 event");
    assert_eq!(strict.records.len(), records);
    (value, strict)
}

#[tokio::test]
async fn a_real_shaped_put_event_is_read_and_aws_lambda_events_agrees() {
    let (value, strict) = real_event(PUT_EVENT, 2);
    let bucket = Bucket::with(&[
        ("recipes/apple pie.json", RECIPE.as_bytes()),
        ("makes/sunday dinner+1.json", MAKE.as_bytes()),
    ]);
    let queue = Queue::default();
    handle_event(value, &Deps::new(&bucket, &queue, Limits::default()))
        .await
        .expect("handled");
    let jobs = queue.jobs();
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[1].source.key, "makes/sunday dinner+1.json");
    assert!(jobs[1].source.version_id.is_some() && jobs[1].source.sequencer.is_some());
    let decoded: Vec<Option<String>> = strict
        .records
        .iter()
        .map(|r| r.s3.object.key.as_deref().and_then(|k| decode_key(k).ok()))
        .collect();
    assert_eq!(
        decoded,
        [
            Some(jobs[0].source.key.clone()),
            Some(jobs[1].source.key.clone())
        ]
    );
}

#[tokio::test]
async fn an_event_without_user_identity_or_sizes_is_read() {
    let bucket = Bucket::with(&[("recipes/pie.json", RECIPE.as_bytes())]);
    let queue = Queue::default();
    let bare = json!({"Records": [{"eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": "uploads"}, "object": {"key": "recipes/pie.json"}}}]});
    handle_event(bare, &Deps::new(&bucket, &queue, Limits::default()))
        .await
        .expect("handled");
    assert_eq!(queue.jobs().len(), 1);
    assert_eq!(
        *bucket.sizes_asked.lock().expect("lock"),
        ["recipes/pie.json"],
        "without a size in the event, it is asked for before downloading"
    );
    assert_eq!(queue.jobs()[0].source.size, Some(RECIPE.len() as u64));
}

#[tokio::test]
async fn keys_outside_the_followed_prefixes_are_ignored_unread() {
    let bucket = Bucket::with(&[("drafts/pie.json", RECIPE.as_bytes())]);
    let jobs = handle_upload(upload("drafts/pie.json", None), &bucket, &Limits::default())
        .await
        .expect("no failure");
    assert_eq!(jobs, []);
    assert!(bucket.downloads().is_empty());
    assert!(bucket.sizes_asked.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn a_document_that_is_not_json_by_its_name_is_refused_unread() {
    let bucket = Bucket::with(&[("recipes/pie.txt", b"pie")]);
    let job = one_job(&bucket, "recipes/pie.txt", Some(3)).await;
    assert_eq!(
        rejection(&job),
        (
            "bad-key",
            "only .json, .jsonld, .html, .htm and .cook documents are read",
            "$"
        )
    );
    assert!(bucket.downloads().is_empty());
}

#[tokio::test]
async fn an_oversize_object_is_refused_before_it_is_downloaded() {
    let limits = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    let bucket = Bucket::with(&[("recipes/big.json", RECIPE.as_bytes())]);
    let job = handle_upload(upload("recipes/big.json", Some(5000)), &bucket, &limits)
        .await
        .expect("no failure")
        .pop()
        .expect("followed");
    assert_eq!(
        rejection(&job),
        (
            "too-large",
            "the document is 5000 bytes; the limit is 100 bytes",
            "$"
        )
    );
    assert!(bucket.downloads().is_empty());

    // The event under-states the size: the download stops at the limit.
    let job = handle_upload(upload("recipes/big.json", Some(10)), &bucket, &limits)
        .await
        .expect("no failure")
        .pop()
        .expect("followed");
    assert_eq!(rejection(&job).0, "too-large");
}

#[tokio::test]
async fn documents_that_are_not_valid_become_rejections_with_code_and_path() {
    let bucket = Bucket::with(&[
        ("recipes/broken.json", b"{\"recipeName\": "),
        ("recipes/binary.json", b"\xff\xfe{}"),
        (
            "recipes/list.json",
            b"{\"recipeName\": \"Pie\", \"recipeId\": 1, \"ingredients\": 7, \"steps\": []}",
        ),
        (
            "makes/orphan.json",
            b"{\"recipeName\": \"Pie\", \"ingredients\": [], \"steps\": []}",
        ),
        ("recipes/empty.json", b"  "),
    ]);
    let cases = [
        ("recipes/broken.json", "invalid-json", "$"),
        ("recipes/binary.json", "not-utf8", "$"),
        ("recipes/list.json", "wrong-type", "$.ingredients"),
        ("makes/orphan.json", "missing", "$"),
        ("recipes/empty.json", "empty", "$"),
    ];
    for (key, code, path) in cases {
        let job = one_job(&bucket, key, None).await;
        let (found_code, message, found_path) = rejection(&job);
        assert_eq!((found_code, found_path), (code, path), "{key}: {message}");
        assert!(!message.is_empty());
        assert_eq!(job.recipe_id, None);
    }
}

#[tokio::test]
async fn a_saved_web_page_travels_as_the_json_ld_block_of_its_recipe() {
    let page = include_bytes!("../../fixtures/pages/lemon-drizzle-cake.html");
    let no_recipe = include_bytes!("../../fixtures/pages/sourdough-tips.html");
    let bucket = Bucket::with(&[
        ("recipes/cakes/lemon-drizzle-cake.html", page),
        ("makes/drizzle.htm", page),
        ("recipes/sourdough-tips.HTML", no_recipe),
    ]);
    let job = one_job(&bucket, "recipes/cakes/lemon-drizzle-cake.html", None).await;
    let Payload::Inline { document } = &job.payload else {
        panic!("expected the document inline, got {:?}", job.payload)
    };
    // JSON from here on: the block with the recipe, not the page.
    assert_eq!(document["@graph"][3]["name"], "Lemon Drizzle Cake");
    let recipe = shared::parse::recipe_from_value(document, &Limits::default(), None)
        .map(|r| r.id().clone());
    assert_eq!(
        recipe.map_err(|r| r.code()),
        Err(shared::refusal::Code::Missing),
        "the key names it, not the block"
    );

    // A page whose isBasedOn is itself names no recipe: the make is refused.
    let make = one_job(&bucket, "makes/drizzle.htm", None).await;
    assert_eq!(rejection(&make).0, "missing");

    let refused = one_job(&bucket, "recipes/sourdough-tips.HTML", None).await;
    let (code, message, path) = rejection(&refused);
    assert_eq!((code, path), ("no-recipe", "$"));
    assert!(message.contains("2 JSON-LD blocks"), "{message}");
}

#[tokio::test]
async fn an_object_deleted_before_it_is_read_is_recorded_as_gone() {
    let job = one_job(&Bucket::default(), "makes/gone.json", Some(100)).await;
    assert_eq!(rejection(&job).0, "object-gone");
    let job = one_job(&Bucket::default(), "makes/gone.json", None).await;
    assert_eq!(rejection(&job).0, "object-gone");
}

#[tokio::test]
async fn an_object_the_function_may_not_read_is_recorded_as_unreadable() {
    let bucket = Bucket {
        failure: Some(ObjectError::Permanent("AccessDenied".into())),
        ..Bucket::default()
    };
    let job = one_job(&bucket, "makes/locked.json", Some(10)).await;
    assert_eq!(rejection(&job), ("unreadable", "AccessDenied", "$"));
}

#[tokio::test]
async fn a_document_too_large_for_a_message_travels_by_claim_check() {
    let mut recipe: Value = serde_json::from_str(RECIPE).expect("fixture");
    let long_step = "Fold gently. ".repeat(70);
    recipe["steps"] = (1..=300)
        .map(|i| json!({"stepId": i, "stepText": long_step}))
        .collect();
    let bytes = serde_json::to_vec(&recipe).expect("json");
    assert!(bytes.len() > MAX_INLINE_BYTES);
    let bucket = Bucket::with(&[("recipes/long.json", &bytes)]);
    let job = one_job(&bucket, "recipes/long.json", None).await;
    assert_eq!(
        job.payload,
        Payload::ClaimCheck {
            bucket: "uploads".into(),
            key: "recipes/long.json".into(),
            version_id: Some("v1".into()),
        }
    );
    assert!(job.to_body().len() < 1024);

    let small = Bucket::with(&[("recipes/pie.json", RECIPE.as_bytes())]);
    let job = one_job(&small, "recipes/pie.json", None).await;
    assert!(matches!(job.payload, Payload::Inline { .. }));
}

#[tokio::test]
async fn a_key_that_is_not_utf8_once_decoded_is_refused_as_bad_key() {
    let queue = Queue::default();
    let summary = handle_records(
        vec![
            record("makes/pie%FF.json", Some(10)),
            record("other/%FF", Some(1)),
        ],
        &Bucket::default(),
        &queue,
    )
    .await
    .expect("handled");
    assert_eq!((summary.jobs, summary.rejected, summary.ignored), (1, 1, 1));
    let jobs = queue.jobs();
    let (code, message, _) = rejection(&jobs[0]);
    assert_eq!(code, "bad-key");
    assert!(message.contains("makes/pie%FF.json"), "{message}");
    assert_eq!(jobs[0].source.key, "makes/pie\u{FFFD}.json");
}

#[tokio::test]
async fn an_unavailable_bucket_fails_the_event_after_queueing_what_it_could() {
    struct HalfDown(Bucket);
    #[async_trait]
    impl ObjectStore for HalfDown {
        async fn size(&self, object: ObjectRef<'_>) -> Result<Option<u64>, ObjectError> {
            self.0.size(object).await
        }
        async fn get(
            &self,
            object: ObjectRef<'_>,
            max: u64,
        ) -> Result<Option<Vec<u8>>, ObjectError> {
            if object.key.contains("slow") {
                return Err(ObjectError::Transient("SlowDown".into()));
            }
            self.0.get(object, max).await
        }
    }
    let bucket = HalfDown(Bucket::with(&[("makes/ok.json", MAKE.as_bytes())]));
    let queue = Queue::default();
    let result = handle_records(
        vec![
            record("makes/slow.json", Some(5)),
            record("makes/ok.json", None),
        ],
        &bucket,
        &queue,
    )
    .await;
    assert!(
        matches!(&result, Err(WatcherError::Objects(Transient(reason))) if reason == "SlowDown"),
        "{result:?}"
    );
    let keys: Vec<String> = queue.jobs().into_iter().map(|j| j.source.key).collect();
    assert_eq!(
        keys,
        ["makes/ok.json"],
        "the readable upload is not held back"
    );
}

#[tokio::test]
async fn a_queue_that_cannot_take_the_jobs_fails_the_event() {
    let bucket = Bucket::with(&[("makes/a.json", MAKE.as_bytes())]);
    let queue = Queue {
        failure: Some(QueueError::Transient {
            failed: 1,
            total: 1,
            reason: "ServiceUnavailable".into(),
        }),
        ..Queue::default()
    };
    let result = handle_records(vec![record("makes/a.json", None)], &bucket, &queue).await;
    assert!(matches!(result, Err(WatcherError::Queue(_))), "{result:?}");
}

#[tokio::test]
async fn an_unreadable_record_fails_the_event_but_not_its_neighbours() {
    let bucket = Bucket::with(&[("makes/a.json", MAKE.as_bytes())]);
    let queue = Queue::default();
    let deps = Deps::new(&bucket, &queue, Limits::default());
    let result = handle_event(
        json!({"Records": [{"eventName": "ObjectCreated:Put", "s3": {}}, record("makes/a.json", None)]}),
        &deps,
    )
    .await;
    assert!(
        matches!(
            result,
            Err(WatcherError::BadRecords {
                failed: 1,
                total: 2,
                ..
            })
        ),
        "{result:?}"
    );
    assert_eq!(queue.jobs().len(), 1);
    let not_s3 = handle_event(json!({"hello": 1}), &deps).await;
    assert!(matches!(not_s3, Err(WatcherError::NotAnS3Event(_))));
}

#[tokio::test]
async fn the_same_event_twice_gives_the_same_jobs() {
    let bucket = Bucket::with(&[("makes/a.json", MAKE.as_bytes())]);
    let queue = Queue::default();
    for _ in 0..2 {
        handle_records(vec![record("makes/a.json", None)], &bucket, &queue)
            .await
            .expect("handled");
    }
    let jobs = queue.jobs();
    assert_eq!(jobs[0], jobs[1]);
}

#[test]
fn the_correlation_id_in_the_logs_is_the_jobs() {
    let job = Job::new(
        UploadKind::Make,
        upload("makes/a.json", Some(1)).into_source(),
        None,
        Payload::Inline {
            document: json!({}),
        },
    );
    assert_eq!(job.source.correlation_id(), job.correlation_id);
}

#[tokio::test]
async fn a_real_shaped_delete_marker_event_is_a_deletion_with_its_sequencer() {
    let (value, _) = real_event(DELETE_EVENT, 1);
    // Nothing is read: the object is gone.
    let bucket = Bucket::default();
    let queue = Queue::default();
    let summary = handle_event(value, &Deps::new(&bucket, &queue, Limits::default()))
        .await
        .expect("handled");
    assert_eq!((summary.jobs, summary.deleted), (1, 1), "{summary:?}");
    assert!(bucket.downloads().is_empty());
    assert!(bucket.sizes_asked.lock().expect("lock").is_empty());
    let job = &queue.jobs()[0];
    assert_eq!(job.payload, Payload::Deleted);
    assert_eq!(job.kind, UploadKind::Make);
    assert_eq!(job.source.key, "makes/sunday dinner+1.json");
    assert_eq!(job.source.sequencer.as_deref(), Some("0069228E380D4B1F77"));
    assert_eq!(
        job.source.version_id.as_deref(),
        Some("Zq8d0pVn3.eKx7L2mYwQ5sTbR1uJ6hGf")
    );
}

/// A removal of one version for good (`ObjectRemoved:Delete` with a
/// version id), as S3 sends it.
fn version_removed(key: &str) -> Value {
    let mut removed = record(key, None);
    removed["eventName"] = json!("ObjectRemoved:Delete");
    removed["s3"]["object"] =
        json!({"key": key, "versionId": "v1", "sequencer": "0069228E380D4B1F78"});
    removed
}

#[tokio::test]
async fn one_version_removed_for_good_is_a_deletion_only_when_nothing_shows() {
    // Another version still shows under the key: nothing is withdrawn.
    let still = Bucket::with(&[("makes/m.json", MAKE.as_bytes())]);
    let queue = Queue::default();
    let summary = handle_records(vec![version_removed("makes/m.json")], &still, &queue)
        .await
        .expect("handled");
    assert_eq!((summary.jobs, summary.ignored), (0, 1), "{summary:?}");
    assert_eq!(queue.calls(), 0);

    // Nothing shows any more: a deletion.
    let empty = Bucket::default();
    let summary = handle_records(vec![version_removed("makes/m.json")], &empty, &queue)
        .await
        .expect("handled");
    assert_eq!(summary.deleted, 1, "{summary:?}");

    // The bucket cannot say: the event fails, to be retried whole.
    let down = Bucket {
        failure: Some(ObjectError::Transient("throttled".into())),
        ..Bucket::default()
    };
    let failed = handle_records(vec![version_removed("makes/m.json")], &down, &queue).await;
    assert!(
        matches!(failed, Err(WatcherError::Objects(_))),
        "{failed:?}"
    );
}

#[tokio::test]
async fn a_removal_outside_the_followed_prefixes_is_ignored() {
    let mut removed = record("photos/pie.jpg", None);
    removed["eventName"] = json!("ObjectRemoved:DeleteMarkerCreated");
    let queue = Queue::default();
    let summary = handle_records(vec![removed], &Bucket::default(), &queue)
        .await
        .expect("handled");
    assert_eq!((summary.jobs, summary.ignored), (0, 1), "{summary:?}");
}

#[tokio::test]
async fn the_smoke_tests_namespace_is_kept_to_the_smoke_tests_folder() {
    let recipe: Value = serde_json::from_str(RECIPE).expect("fixture");
    let make: Value = serde_json::from_str(MAKE).expect("fixture");
    let named = |document: &Value, id: &str| {
        let mut document = document.clone();
        document["recipeId"] = json!(id);
        serde_json::to_vec(&document).expect("JSON")
    };
    let smoke_recipe = named(&recipe, "smoke-20261207");
    let smoke_make = named(&make, "smoke-20261207");
    let bucket = Bucket::with(&[
        ("recipes/cooks/5c2f/pie.json", &smoke_recipe),
        ("makes/m.json", &smoke_make),
        ("recipes/smoke/pie.json", RECIPE.as_bytes()),
        ("makes/smoke/m.json", MAKE.as_bytes()),
        ("recipes/smoke/smoke-20261207.json", &smoke_recipe),
        ("makes/smoke/smoke-20261207-make.json", &smoke_make),
    ]);
    for key in [
        "recipes/cooks/5c2f/pie.json",
        "makes/m.json",
        "recipes/smoke/pie.json",
        "makes/smoke/m.json",
    ] {
        let job = one_job(&bucket, key, None).await;
        let (code, message, path) = rejection(&job);
        assert_eq!(
            (code, path),
            ("reserved-recipe-id", "$.recipeId"),
            "{key}: {message}"
        );
        assert_eq!(job.recipe_id, None, "{key}");
    }
    let recipe = one_job(&bucket, "recipes/smoke/smoke-20261207.json", None).await;
    assert!(
        matches!(recipe.payload, Payload::Inline { .. }),
        "{recipe:?}"
    );
    let make = one_job(&bucket, "makes/smoke/smoke-20261207-make.json", None).await;
    assert!(matches!(make.payload, Payload::Inline { .. }), "{make:?}");
    assert_eq!(make.recipe_id.as_deref(), Some("smoke-20261207"));
}

/// An app archive from `fixtures/archives/`, dropped under `recipes/`, and
/// the jobs one S3 event of it gives.
async fn archive_jobs(file: &str, key: &str) -> (Vec<Job>, EventSummary) {
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/archives")
            .join(file),
    )
    .expect("the fixture");
    let size = bytes.len() as u64;
    let bucket = Bucket::with(&[(key, &bytes)]);
    let queue = Queue::default();
    let encoded = key.replace(' ', "+");
    let summary = handle_records(vec![record(&encoded, Some(size))], &bucket, &queue)
        .await
        .expect("handled");
    assert_eq!(queue.calls(), 1, "all of an archive's jobs go in one call");
    (queue.jobs(), summary)
}

/// Each job's entry, and its recipe id or its rejection's code.
fn entries(jobs: &[Job]) -> Vec<(String, String)> {
    jobs.iter()
        .map(|job| {
            let entry = job.source.entry.clone().unwrap_or_default();
            let outcome = match &job.payload {
                Payload::Inline { document } => {
                    format!("recipe {}", document["recipeId"].as_str().unwrap_or("?"))
                }
                Payload::ClaimCheck { .. } => "claim-check".to_owned(),
                Payload::Rejected(refusal) => refusal.code.to_string(),
                Payload::Deleted => "deleted".to_owned(),
            };
            (entry, outcome)
        })
        .collect()
}

fn expected(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[tokio::test]
async fn each_apps_archive_is_one_job_per_recipe_entry() {
    /// An archive fixture, its key, and each entry with what it gives.
    type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);
    let cases: [Case; 4] = [
        (
            "paprika.paprikarecipes",
            "recipes/My Recipes.paprikarecipes",
            &[
                (
                    "Buttermilk Pancakes.paprikarecipe",
                    "recipe Buttermilk Pancakes",
                ),
                ("Lemon Tart.paprikarecipe", "recipe Lemon Tart"),
            ],
        ),
        (
            "mealie.zip",
            "recipes/mealie.zip",
            &[
                ("recipes/tomato-soup/tomato-soup.json", "recipe tomato-soup"),
                (
                    "recipes/garlic-bread/garlic-bread.json",
                    "recipe garlic-bread",
                ),
            ],
        ),
        (
            "tandoor.zip",
            "recipes/tandoor.zip",
            &[
                ("14.zip", "recipe Chickpea Curry"),
                ("15.zip", "recipe Overnight Oats"),
            ],
        ),
        (
            "nextcloud.zip",
            "recipes/cookbook.zip",
            &[
                ("Recipes/Shakshuka/recipe.json", "recipe Shakshuka"),
                ("Recipes/Focaccia/recipe.json", "recipe Focaccia"),
            ],
        ),
    ];
    for (file, key, want) in cases {
        let (jobs, summary) = archive_jobs(file, key).await;
        assert_eq!(entries(&jobs), expected(want), "{file}");
        assert_eq!((summary.records, summary.jobs), (1, want.len()), "{file}");
        let mut keys: Vec<&str> = jobs.iter().map(|j| j.idempotency_key.as_str()).collect();
        keys.dedup();
        assert_eq!(
            keys.len(),
            jobs.len(),
            "{file}: one idempotency key per entry"
        );
        for job in &jobs {
            assert_eq!(job.source.key, key, "{file}");
            assert_eq!(job.kind, UploadKind::Recipe);
            assert_eq!(job.idempotency_key, job.source.idempotency_key());
        }
    }
    // The rating and the notes come along where the app has them.
    let (jobs, _) = archive_jobs("paprika.paprikarecipes", "recipes/p.paprikarecipes").await;
    let Payload::Inline { document } = &jobs[0].payload else {
        panic!("inline");
    };
    assert_eq!(document["rating"], 5);
    assert_eq!(
        document["fields"]["recipeNotes"],
        "Rest the batter 10 minutes for fluffier pancakes."
    );
    let (jobs, _) = archive_jobs("mealie.zip", "recipes/m.zip").await;
    let Payload::Inline { document } = &jobs[0].payload else {
        panic!("inline");
    };
    assert_eq!(document["rating"], 4);
    assert_eq!(
        document["fields"]["recipeNotes"],
        "Freezing\nFreezes for 3 months."
    );
}

#[tokio::test]
async fn a_bad_entry_is_a_rejection_naming_the_archive_and_the_entry_and_stops_no_other() {
    let key = "recipes/mixed.paprikarecipes";
    let (jobs, summary) = archive_jobs("paprika-mixed.paprikarecipes", key).await;
    assert_eq!(
        entries(&jobs),
        expected(&[
            (
                "Buttermilk Pancakes.paprikarecipe",
                "recipe Buttermilk Pancakes"
            ),
            ("Lemon Tart.paprikarecipe", "recipe Lemon Tart"),
            ("Broken.paprikarecipe", "invalid-json"),
            ("Not gzip.paprikarecipe", "unreadable-archive"),
            ("Overrated.paprikarecipe", "invalid-number"),
        ])
    );
    assert_eq!(summary.rejected, 3);
    for job in &jobs[2..] {
        let (_, message, _) = rejection(job);
        let entry = job.source.entry.as_deref().expect("an entry");
        assert!(message.contains(key), "{message}");
        assert!(message.contains(entry), "{message}");
    }
    assert_eq!(rejection(&jobs[4]).2, "$.rating");
}

#[tokio::test]
async fn a_zip_bomb_an_escaping_name_and_deep_nesting_are_refused_entry_by_entry() {
    let (jobs, _) = archive_jobs("bomb.zip", "recipes/bomb.zip").await;
    assert_eq!(
        entries(&jobs),
        expected(&[
            ("ratio.json", "archive-limit"),
            ("huge.paprikarecipe", "archive-limit"),
            (
                "Buttermilk Pancakes.paprikarecipe",
                "recipe Buttermilk Pancakes"
            ),
        ])
    );
    assert!(rejection(&jobs[0]).1.contains("more than 100 times"));
    assert!(rejection(&jobs[1]).1.contains("20971520 bytes"));

    let (jobs, _) = archive_jobs("escape.paprikarecipes", "recipes/escape.paprikarecipes").await;
    assert_eq!(
        entries(&jobs),
        expected(&[
            ("../../etc/evil.paprikarecipe", "unsafe-entry-name"),
            ("/tmp/absolute.paprikarecipe", "unsafe-entry-name"),
            ("windows\\..\\evil.paprikarecipe", "unsafe-entry-name"),
            (
                "Buttermilk Pancakes.paprikarecipe",
                "recipe Buttermilk Pancakes"
            ),
        ])
    );

    let (jobs, _) = archive_jobs("nested.zip", "recipes/nested.zip").await;
    assert_eq!(entries(&jobs), expected(&[("1.zip", "archive-limit")]));
    assert!(rejection(&jobs[0]).1.contains("2.zip"), "{:?}", jobs[0]);
}

#[tokio::test]
async fn a_large_entry_travels_as_a_claim_check_naming_it() {
    let key = "recipes/large.paprikarecipes";
    let (jobs, _) = archive_jobs("paprika-large.paprikarecipes", key).await;
    assert_eq!(
        entries(&jobs),
        expected(&[("Long Bake.paprikarecipe", "claim-check")])
    );
    let Payload::ClaimCheck {
        key: claimed,
        version_id,
        ..
    } = &jobs[0].payload
    else {
        panic!("a claim check");
    };
    assert_eq!((claimed.as_str(), version_id), (key, &None));
}

#[tokio::test]
async fn an_archive_is_refused_whole_when_it_cannot_be_one() {
    // Not a zip.
    let bucket = Bucket::with(&[("recipes/x.zip", b"not a zip")]);
    let job = one_job(&bucket, "recipes/x.zip", Some(9)).await;
    assert_eq!(rejection(&job).0, "unreadable-archive");
    assert!(rejection(&job).1.contains("recipes/x.zip"));
    assert_eq!(job.source.entry, None);

    // Under makes/.
    let job = one_job(&bucket, "makes/x.zip", Some(9)).await;
    assert_eq!(rejection(&job).0, "bad-key");

    // Over the archive limit: refused unread.
    let bucket = Bucket::with(&[("recipes/big.zip", b"PK")]);
    let limits = Limits {
        max_archive_bytes: 1,
        ..Limits::default()
    };
    let job = handle_upload(upload("recipes/big.zip", Some(2)), &bucket, &limits)
        .await
        .expect("no failure")
        .pop()
        .expect("followed");
    assert_eq!(rejection(&job).0, "too-large");
    assert!(bucket.downloads().is_empty());

    // A zip with no recipe in it (an empty zip: only its end record).
    let mut empty = b"PK\x05\x06".to_vec();
    empty.extend([0; 18]);
    let bucket = Bucket::with(&[("recipes/empty.zip", &empty)]);
    let job = one_job(&bucket, "recipes/empty.zip", Some(22)).await;
    assert_eq!(rejection(&job).0, "no-recipe");
}

#[tokio::test]
async fn deleting_an_archive_is_one_deletion_of_its_key() {
    let bucket = Bucket::default();
    let queue = Queue::default();
    let mut removal = record("recipes/export.paprikarecipes", None);
    removal["eventName"] = json!("ObjectRemoved:DeleteMarkerCreated");
    let summary = handle_records(vec![removal], &bucket, &queue)
        .await
        .expect("handled");
    assert_eq!(summary.deleted, 1);
    let jobs = queue.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].payload, Payload::Deleted);
    assert_eq!(jobs[0].source.key, "recipes/export.paprikarecipes");
    assert_eq!(jobs[0].source.entry, None);
}

/// A Cooklang fixture (`fixtures/cooklang/`).
fn cooklang(name: &str) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/cooklang/");
    std::fs::read(format!("{path}{name}")).expect("the fixture")
}

#[tokio::test]
async fn a_cook_object_travels_as_the_seed_json_it_says_and_bad_cooklang_is_refused() {
    let recipe = cooklang("pancakes.cook");
    let make = cooklang("sunday-pancakes.cook");
    let broken = cooklang("broken.cook");
    let bucket = Bucket::with(&[
        ("recipes/pancakes.cook", &recipe),
        ("makes/2026/sunday-pancakes.COOK", &make),
        ("makes/broken.cook", &broken),
        (
            "makes/unnamed.cook",
            b">> title: Pancakes\nWhisk @flour{300%g}.",
        ),
        // The suffix decides: the same Cooklang under .json is not JSON.
        ("recipes/pancakes.json", &recipe),
    ]);

    let job = one_job(&bucket, "recipes/pancakes.cook", None).await;
    let Payload::Inline { document } = &job.payload else {
        panic!("expected the document inline, got {:?}", job.payload)
    };
    assert_eq!(document["recipeName"], "Pancakes");
    assert_eq!(
        document["ingredients"][0],
        json!({"ingredientName": "flour", "quantity": 250, "measurement": "g"})
    );
    assert_eq!(document["ingredients"][1]["quantity"], "1/2");
    assert_eq!(document["steps"][2]["section"], "Cooking");
    // No id in the document: the key's stem names it, here and at the server.
    assert_eq!(document.get("recipeId"), None);
    let read = shared::parse::recipe_from_value(
        document,
        &Limits::default(),
        shared::keys::recipe_id_from_key(&job.source.key).as_ref(),
    )
    .expect("a recipe");
    assert_eq!(read.id().as_str(), "pancakes");

    let job = one_job(&bucket, "makes/2026/sunday-pancakes.COOK", None).await;
    assert_eq!(job.recipe_id.as_deref(), Some("pancakes"));
    let Payload::Inline { document } = &job.payload else {
        panic!("expected the document inline, got {:?}", job.payload)
    };
    assert_eq!(
        (
            &document["recipeId"],
            &document["madeAt"],
            &document["rating"]
        ),
        (&json!("pancakes"), &json!("2026-12-06"), &json!("4"))
    );

    let refused = one_job(&bucket, "makes/broken.cook", None).await;
    assert_eq!(
        rejection(&refused),
        (
            "invalid-cooklang",
            "not valid Cooklang: Empty quantity value (line 3, column 14)",
            "$"
        )
    );
    let unnamed = one_job(&bucket, "makes/unnamed.cook", None).await;
    assert_eq!(rejection(&unnamed).0, "missing");
    let as_json = one_job(&bucket, "recipes/pancakes.json", None).await;
    assert_eq!(rejection(&as_json).0, "invalid-json");
}

#[tokio::test]
async fn a_cook_object_too_large_for_a_message_travels_by_claim_check() {
    let step = "Fold the batter gently with a spatula until it is smooth. ".repeat(20);
    let text = format!(">> title: Long\n\n{}", format!("{step}\n\n").repeat(300));
    assert!(text.len() > MAX_INLINE_BYTES);
    let bucket = Bucket::with(&[("recipes/long.cook", text.as_bytes())]);
    let job = one_job(&bucket, "recipes/long.cook", None).await;
    assert_eq!(
        job.payload,
        Payload::ClaimCheck {
            bucket: "uploads".into(),
            key: "recipes/long.cook".into(),
            version_id: Some("v1".into()),
        }
    );
}
