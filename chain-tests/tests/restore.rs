//! A restore of the table brings erased records back, and the journal in
//! the bucket, which no restore of the table rolls back, takes them out
//! again. On moto, through the real SDK clients and the server's use
//! cases built as the Lambda builds them (DynamoDB, the bucket's purge and
//! journal, the dead-letter queue and the watcher's failure queue): a
//! recipe and a make carrying planted words are stored, the table is
//! backed up (CreateBackup), both are erased, the backup is restored into
//! a new table (RestoreTableFromBackup), where the words are back; the
//! replay against that table leaves none of them in a full scan, and the
//! erased objects' tombstones stand again.

use std::collections::HashMap;
use std::sync::Arc;

use aws_adapters::{DynamoStore, S3Journal, S3Purge, SqsDeadLetters, SqsFailedEvents};
use recipe_server::service::{Erasure, Service, Write};
use serde_json::{Value, json};
use shared::Limits;
use shared::model::{MakeId, RecipeId};
use shared::store::{ErasureTarget, IdempotencyKey, ObjectIds, Origin, RecipeStore};
use testkit::MotoServer;
use testkit::documents::{make, recipe};

const BUCKET: &str = "uploads";
const TABLE: &str = "recipes";
const RESTORED: &str = "recipes-restored";

/// The erased recipe, and words only it holds.
const ERASED_RECIPE: &str = "thornquill-canary-8b4c";
const RECIPE_WORDS: [&str; 2] = ["Thornquill", "Mossbane"];
/// The recipe that stays, and its make that is erased, with its words.
const KEPT: &str = "kept-8b4c";
const ERASED_MAKE: &str = "cindervale-8b4c";
const MAKE_WORDS: [&str; 1] = ["Cindervale"];
const MAKE_KEY: &str = "makes/cindervale for anna.json";

/// The clients, and the queues an erasure purges.
struct Stack {
    _moto: MotoServer,
    s3: aws_sdk_s3::Client,
    sqs: aws_sdk_sqs::Client,
    dynamo: aws_sdk_dynamodb::Client,
    dead_letters: String,
    failed_events: String,
}

impl Stack {
    async fn start() -> Self {
        let moto = MotoServer::start();
        let config = testkit::aws::sdk_config(&moto).await;
        let s3 = testkit::aws::s3_client(&config);
        let sqs = aws_sdk_sqs::Client::new(&config);
        let dynamo = aws_sdk_dynamodb::Client::new(&config);
        testkit::aws::versioned_bucket(&s3, BUCKET).await;
        DynamoStore::create_table(&dynamo, TABLE)
            .await
            .expect("table created");
        let dead_letters = testkit::aws::create_queue(&sqs, "jobs-dlq", HashMap::new()).await;
        let failed_events =
            testkit::aws::create_queue(&sqs, "watcher-failures", HashMap::new()).await;
        Self {
            _moto: moto,
            s3,
            sqs,
            dynamo,
            dead_letters,
            failed_events,
        }
    }

    fn store(&self, table: &str) -> Arc<DynamoStore> {
        Arc::new(DynamoStore::new(self.dynamo.clone(), table))
    }

    /// The use cases over `table`, as `recipe_server::lambda::state`
    /// builds them.
    fn service(&self, table: &str) -> Service {
        let erasure = Erasure::new(ObjectIds::for_tests())
            .with_bucket(Arc::new(S3Purge::new(self.s3.clone(), BUCKET)))
            .with_jobs(Arc::new(SqsDeadLetters::new(
                self.sqs.clone(),
                &self.dead_letters,
            )))
            .with_jobs(Arc::new(SqsFailedEvents::new(
                self.sqs.clone(),
                &self.failed_events,
            )))
            .with_journal(Arc::new(S3Journal::new(self.s3.clone(), BUCKET)));
        Service::new(self.store(table), Limits::default(), erasure, None, None)
    }

    async fn scan(&self, table: &str) -> String {
        testkit::aws::table_text(&self.dynamo, table).await
    }
}

/// A write from the object `key` at `sequencer`, uploaded to the bucket
/// first as the chain's would be.
async fn from_object(stack: &Stack, key: &str, sequencer: &str, document: &Value) -> Write {
    let bytes = serde_json::to_vec(document).expect("JSON");
    testkit::aws::put_object(&stack.s3, BUCKET, key, &bytes).await;
    Write {
        key: IdempotencyKey::parse(&format!("k-{sequencer}")).expect("a key"),
        object_key: Some(key.to_owned()),
        sequencer: Some(Origin::order(sequencer)),
    }
}

/// The failure record Lambda sends to the watcher's on-failure
/// destination for an S3 event of `key` (the documented shape:
/// [`testkit::aws::failed_event_record`]), its key form-encoded as S3
/// writes it.
fn failed_event(key: &str) -> String {
    let encoded = key.replace(' ', "+");
    testkit::aws::failed_event_record(&[json!({
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": BUCKET}, "object": {"key": encoded, "size": 200, "sequencer": "03"}}
    })])
}

fn planted() -> impl Iterator<Item = &'static str> {
    RECIPE_WORDS
        .into_iter()
        .chain(MAKE_WORDS)
        .chain([ERASED_RECIPE, "cindervale for anna"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_table_has_its_erasures_applied_again_and_nothing_comes_back() {
    let stack = Stack::start().await;
    let service = stack.service(TABLE);
    let erased = recipe(ERASED_RECIPE, "Thornquill Tart", "Mossbane flour");
    let write = from_object(&stack, "recipes/thornquill.json", "01", &erased).await;
    let body = serde_json::to_vec(&erased).expect("JSON");
    service.put_recipe(&write, &body).await.expect("stored");
    let kept = recipe(KEPT, "Plain Pie", "flour");
    let write = from_object(&stack, "recipes/kept.json", "02", &kept).await;
    let body = serde_json::to_vec(&kept).expect("JSON");
    service.put_recipe(&write, &body).await.expect("stored");
    let kept_id = RecipeId::parse(KEPT).expect("an id");
    for (key, sequencer, make_id, notes) in [
        (MAKE_KEY, "03", ERASED_MAKE, "Notes of Cindervale"),
        ("makes/kept.json", "04", "kept-m", "fine"),
    ] {
        let document = make(kept.clone(), make_id, notes);
        let write = from_object(&stack, key, sequencer, &document).await;
        let body = serde_json::to_vec(&document).expect("JSON");
        service
            .log_make(&kept_id, &write, &body)
            .await
            .expect("logged");
    }
    // The watcher failed on an upload of the make's file: its event, with
    // the raw key, waits in the failure queue.
    testkit::aws::send_message(&stack.sqs, &stack.failed_events, failed_event(MAKE_KEY)).await;

    let backup = stack
        .dynamo
        .create_backup()
        .table_name(TABLE)
        .backup_name("before-the-erasures")
        .send()
        .await
        .expect("backed up")
        .backup_details
        .expect("details")
        .backup_arn;

    let make_id = MakeId::parse(ERASED_MAKE).expect("an id");
    for target in [
        ErasureTarget::Recipe {
            recipe_id: RecipeId::parse(ERASED_RECIPE).expect("an id"),
        },
        ErasureTarget::Make {
            recipe_id: kept_id.clone(),
            make_id: make_id.clone(),
        },
    ] {
        assert!(service.erase(&target).await.expect("erased").is_some());
    }
    let live = stack.scan(TABLE).await;
    for word in planted() {
        assert!(!live.contains(word), "{word} is in the live table");
    }
    let failures = testkit::aws::receive_messages(&stack.sqs, &stack.failed_events).await;
    assert!(
        failures.is_empty(),
        "the failed event naming the erased make is gone"
    );

    stack
        .dynamo
        .restore_table_from_backup()
        .target_table_name(RESTORED)
        .backup_arn(backup)
        .send()
        .await
        .expect("restored");
    let restored = stack.scan(RESTORED).await;
    for word in planted() {
        assert!(
            restored.contains(word),
            "{word} must be back in the restored table, or this test proves nothing"
        );
    }
    // The restore rolled the tombstones back too.
    let make_origin = Origin::new(&ObjectIds::for_tests(), MAKE_KEY, Some("03"));
    let restored_store = stack.store(RESTORED);
    assert_eq!(restored_store.is_deleted(&make_origin).await, Ok(false));

    let replayed = stack
        .service(RESTORED)
        .replay_erasures(&|_| {})
        .await
        .expect("replayed");
    assert_eq!(
        (
            replayed.journal_entries,
            replayed.recipes,
            replayed.makes,
            replayed.recipes_checked
        ),
        (2, 1, 1, 2),
        "{replayed:?}"
    );
    let after = stack.scan(RESTORED).await;
    for word in planted() {
        assert!(
            !after.contains(word),
            "{word} is in the restored table after the replay"
        );
    }
    assert!(after.contains("kept-m"), "what was not erased stays");
    assert_eq!(
        restored_store.is_deleted(&make_origin).await,
        Ok(true),
        "the erased make's tombstone stands again"
    );
    assert_eq!(
        stack
            .service(RESTORED)
            .replay_erasures(&|_| {})
            .await
            .map(|r| r.erased()),
        Ok(0),
        "a second replay erases nothing"
    );
}
