//! What an erasure removes outside the table, through the real SDK clients
//! on moto: every version and delete marker of an object (S3Purge), and
//! the dead letters of the erased recipe (SqsDeadLetters), the others left
//! in the queue.

use aws_adapters::{S3Purge, SqsDeadLetters};
use serde_json::json;
use shared::job::{Job, Payload, Source};
use shared::keys::UploadKind;
use shared::model::RecipeId;
use shared::ports::{JobPurge as _, ObjectPurge as _};
use testkit::MotoServer;

const BUCKET: &str = "uploads";

/// The versions and delete markers under `prefix`, as `(key, kind)`.
async fn versions(s3: &aws_sdk_s3::Client, prefix: &str) -> Vec<(String, &'static str)> {
    testkit::aws::object_versions(s3, BUCKET, prefix).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_removes_every_version_and_marker_of_the_key_and_nothing_else() {
    let moto = MotoServer::start();
    let config = testkit::aws::sdk_config(&moto).await;
    let s3 = testkit::aws::s3_client(&config);
    testkit::aws::versioned_bucket(&s3, BUCKET).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dead_letters_of_an_erased_recipe_go_and_the_others_stay() {
    let moto = MotoServer::start();
    let config = testkit::aws::sdk_config(&moto).await;
    let sqs = aws_sdk_sqs::Client::new(&config);
    let url = sqs
        .create_queue()
        .queue_name("jobs-dlq")
        .send()
        .await
        .expect("queue")
        .queue_url
        .expect("a URL");
    let jobs = [
        job("recipes/pie.json", None, UploadKind::Recipe),
        job("makes/lost.json", Some("pie"), UploadKind::Make),
        job("makes/other.json", Some("tart"), UploadKind::Make),
    ];
    for job in &jobs {
        sqs.send_message()
            .queue_url(&url)
            .message_body(serde_json::to_string(job).expect("JSON"))
            .send()
            .await
            .expect("sent");
    }
    let dead = SqsDeadLetters::new(sqs.clone(), &url);
    let pie = RecipeId::parse("pie").expect("an id");
    let removed = dead
        .purge_jobs(Some(&pie), &["recipes/pie.json".to_owned()])
        .await
        .expect("purged");
    assert_eq!(removed, 2);

    // The other one is visible again at once.
    let left = sqs
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .wait_time_seconds(1)
        .send()
        .await
        .expect("received")
        .messages
        .unwrap_or_default();
    let keys: Vec<String> = left
        .iter()
        .filter_map(|m| serde_json::from_str::<Job>(m.body.as_deref()?).ok())
        .map(|j| j.source.key)
        .collect();
    assert_eq!(keys, ["makes/other.json"]);
}
