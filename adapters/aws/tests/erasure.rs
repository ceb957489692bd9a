//! What an erasure removes outside the table, through the real SDK clients
//! on moto: every version and delete marker of an object (S3Purge), the
//! dead letters of the erased recipe (SqsDeadLetters) and the watcher's
//! failed events that name its objects (SqsFailedEvents), the others left
//! in the queues; and what it keeps: its entry in the journal under
//! `erasures/` in the bucket (S3Journal), hashes only.

use aws_adapters::{S3Journal, S3Purge, SqsDeadLetters, SqsFailedEvents};
use serde_json::json;
use shared::job::{Job, Payload, Source};
use shared::keys::UploadKind;
use shared::model::RecipeId;
use shared::ports::{JobPurge, ObjectPurge as _};
use testkit::MotoServer;

const BUCKET: &str = "uploads";

/// The versions and delete markers under `prefix`, as `(key, kind)`.
async fn versions(s3: &aws_sdk_s3::Client, prefix: &str) -> Vec<(String, &'static str)> {
    testkit::aws::object_versions(s3, BUCKET, prefix).await
}

/// A fresh moto with the versioned bucket [`BUCKET`]; and its client.
async fn versioned_bucket() -> (MotoServer, aws_sdk_s3::Client) {
    let moto = MotoServer::start();
    let config = testkit::aws::sdk_config(&moto).await;
    let s3 = testkit::aws::s3_client(&config);
    testkit::aws::versioned_bucket(&s3, BUCKET).await;
    (moto, s3)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_removes_every_version_and_marker_of_the_key_and_nothing_else() {
    let (_moto, s3) = versioned_bucket().await;
    // Two versions and a delete marker; and a longer key with the same
    // beginning, which must stay.
    for (key, body) in [
        ("makes/a.json", "one"),
        ("makes/a.json", "two"),
        ("makes/a.json.old", "kept"),
    ] {
        testkit::aws::put_object(&s3, BUCKET, key, body.as_bytes()).await;
    }
    s3.delete_object()
        .bucket(BUCKET)
        .key("makes/a.json")
        .send()
        .await
        .expect("deleted (a marker)");
    assert_eq!(versions(&s3, "makes/a.json").await.len(), 4);

    let purge = S3Purge::new(s3.clone(), BUCKET);
    assert_eq!(purge.purge("makes/a.json").await, Ok(3));
    assert_eq!(
        versions(&s3, "makes/").await,
        [("makes/a.json.old".to_owned(), "version")]
    );
    assert_eq!(purge.purge("makes/a.json").await, Ok(0), "nothing left");
}

fn job(key: &str, recipe_id: Option<&str>, kind: UploadKind) -> Job {
    let source = Source {
        bucket: BUCKET.into(),
        key: key.into(),
        version_id: None,
        e_tag: None,
        sequencer: Some("01".into()),
        size: None,
        entry: None,
    };
    Job::new(
        kind,
        source,
        recipe_id.map(str::to_owned),
        Payload::Inline {
            document: json!({"recipeId": recipe_id.unwrap_or("other"), "recipeName": "Pie"}),
        },
    )
}

/// A fresh moto with the queue `name`, holding one message of each of
/// `bodies`; and its client and the queue's URL.
async fn queue_holding(
    name: &str,
    bodies: impl IntoIterator<Item = String>,
) -> (MotoServer, aws_sdk_sqs::Client, String) {
    let moto = MotoServer::start();
    let config = testkit::aws::sdk_config(&moto).await;
    let sqs = aws_sdk_sqs::Client::new(&config);
    let url = testkit::aws::create_queue(&sqs, name, Default::default()).await;
    for body in bodies {
        testkit::aws::send_message(&sqs, &url, body).await;
    }
    (moto, sqs, url)
}

/// How many jobs `purge` removes for an erasure of the recipe `pie`
/// whose object is `key`.
async fn erase_pie(purge: &impl JobPurge, key: &str) -> u64 {
    let pie = RecipeId::parse("pie").expect("an id");
    purge
        .purge_jobs(Some(&pie), &[key.to_owned()])
        .await
        .expect("purged")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dead_letters_of_an_erased_recipe_go_and_the_others_stay() {
    let jobs = [
        job("recipes/pie.json", None, UploadKind::Recipe),
        job("makes/lost.json", Some("pie"), UploadKind::Make),
        job("makes/other.json", Some("tart"), UploadKind::Make),
    ];
    let bodies = jobs
        .iter()
        .map(|job| serde_json::to_string(job).expect("JSON"));
    let (_moto, sqs, url) = queue_holding("jobs-dlq", bodies).await;
    let dead = SqsDeadLetters::new(sqs.clone(), &url);
    assert_eq!(erase_pie(&dead, "recipes/pie.json").await, 2);

    // The other one is visible again at once.
    let left = testkit::aws::receive_messages(&sqs, &url).await;
    let keys: Vec<String> = left
        .iter()
        .filter_map(|m| serde_json::from_str::<Job>(m.body.as_deref()?).ok())
        .map(|j| j.source.key)
        .collect();
    assert_eq!(keys, ["makes/other.json"]);
}

/// Every key and body under `erasures/` in the bucket, every version of
/// each (an entry recorded again leaves its older version behind).
async fn journal_bytes(s3: &aws_sdk_s3::Client) -> String {
    let listed = s3
        .list_object_versions()
        .bucket(BUCKET)
        .prefix(shared::ports::journal::JOURNAL_PREFIX)
        .send()
        .await
        .expect("listed");
    let mut text = String::new();
    for version in listed.versions() {
        let key = version.key().expect("a key");
        let object = s3
            .get_object()
            .bucket(BUCKET)
            .key(key)
            .set_version_id(version.version_id().map(str::to_owned))
            .send()
            .await
            .expect("read");
        let body = object.body.collect().await.expect("a body").into_bytes();
        text.push_str(&format!("{key}\n{}\n", String::from_utf8_lossy(&body)));
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_in_the_bucket_keeps_the_contract_and_holds_no_raw_id() {
    let (_moto, s3) = versioned_bucket().await;
    let journal = S3Journal::new(s3.clone(), BUCKET);
    testkit::journal_contract::run(&journal, || journal_bytes(&s3)).await;
    // Nowhere but under erasures/: the chain follows recipes/ and makes/.
    let everything = testkit::aws::object_versions(&s3, BUCKET, "").await;
    assert!(
        !everything.is_empty()
            && everything
                .iter()
                .all(|(key, _)| key.starts_with("erasures/") && key.ends_with(".json")),
        "{everything:?}"
    );
}

/// The record Lambda sends to the watcher's on-failure destination when
/// an S3 event of `keys` failed every attempt (the documented shape:
/// [`testkit::aws::failed_event_record`]). The keys are form-encoded, as
/// S3 writes them in events.
fn failed_event(keys: &[&str]) -> String {
    let records: Vec<serde_json::Value> = keys
        .iter()
        .map(|key| {
            json!({
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventTime": "2026-12-07T10:00:00.000Z",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "recipes",
                    "bucket": {"name": BUCKET, "arn": format!("arn:aws:s3:::{BUCKET}")},
                    "object": {"key": key, "size": 120, "eTag": "0123456789abcdef", "sequencer": "0066F0A1B2C3D4E5F6"}
                }
            })
        })
        .collect();
    testkit::aws::failed_event_record(&records)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watchers_failed_events_of_an_erased_object_go_and_the_others_stay() {
    let events = [
        // The erased make's own upload, its key with a space.
        &["makes/pie+for+anna.json"][..],
        // An upload of the erased recipe's file, beside another.
        &["makes/other.json", "recipes/pie.json"][..],
        // Another recipe: stays.
        &["recipes/tart.json"][..],
    ];
    let bodies = events.into_iter().map(failed_event);
    let (_moto, sqs, url) = queue_holding("watcher-failures", bodies).await;
    let failed = SqsFailedEvents::new(sqs.clone(), &url);
    assert_eq!(erase_pie(&failed, "makes/pie for anna.json").await, 2);

    // The other one is visible again at once, as it was.
    let left = testkit::aws::receive_messages(&sqs, &url).await;
    let bodies: Vec<String> = left.into_iter().filter_map(|m| m.body).collect();
    assert_eq!(bodies, [failed_event(&["recipes/tart.json"])]);
}
