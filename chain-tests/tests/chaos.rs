//! Chaos on the AWS chain (moto), with conservation: a run of uploads
//! (300 by default, `CHAOS_UPLOADS=1000` for the full size: recipes, new
//! versions, makes, identical copies, ~10% malformed in varied ways, makes
//! of a recipe that never came) through the real S3 events, the watcher,
//! SQS and the sender to the recipe server on DynamoDB, while
//!
//! - ~10% of the S3 events are handed to the watcher twice (so their jobs
//!   are queued twice);
//! - every 7th batch of jobs is handed to two sender invocations at once,
//!   and every 5th batch loses its deletes, so that SQS delivers those
//!   jobs again (at-least-once delivery);
//! - the gateway (the server) is taken down twice mid-run, with jobs
//!   failing against it, and brought up again;
//! - some uploads are deleted in the chunk they arrive in, their removal
//!   events handed to the watcher before their creation events (deletion
//!   first), or after them, or twice, or while the server is down and their
//!   jobs are retried (three orphans among them); others are deleted once
//!   stored, and some of those uploaded again with other content.
//!
//! moto's events carry no sequencer, which S3's do; the test gives each
//! event one, in the order the objects were written and deleted, as S3
//! would.
//!
//! At the end every upload is accounted for exactly once, by an outcome
//! derived from what was uploaded: a recipe version, a make (told apart by
//! its notes), a rejection under its key with the expected code and path,
//! or a job in the DLQ (the makes of the recipe that never came), which,
//! redriven once the recipe exists, becomes exactly one make each; or it
//! was deleted, and nothing of it is left.
//!
//! Not modelled on moto: a deliberate re-upload of identical bytes under
//! the same key. moto's events carry neither a version id nor a sequencer,
//! so such an upload has the same source, hence the same idempotency key,
//! as its first upload; real S3 (with the template's versioned bucket)
//! gives it a new version id. The embedded chain's chaos test covers it.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use aws_sdk_sqs::types::{Message, MessageSystemAttributeName};
use common::{Aws, Gateway};
use serde_json::Value;
use shared::job::Job;
use testkit::chaos::{
    GHOST, Ledger, Orphans, Outcome, Sizes, Upload, bytes, deletions, plan, recipe,
};

/// Uploads in a run unless `CHAOS_UPLOADS` says otherwise. moto's
/// DynamoDB copies the whole table for every item of a transaction, so the
/// run's time grows with the square of its size: 1,000 uploads take about
/// 11 minutes on 2 cores (see RELIABILITY.md), too long for every test run.
const DEFAULT_UPLOADS: usize = 300;

/// The run's sizes: `CHAOS_UPLOADS` uploads, or [`DEFAULT_UPLOADS`].
fn sizes_from_env() -> Sizes {
    let total = std::env::var("CHAOS_UPLOADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_UPLOADS);
    Sizes::of(total)
}

/// What the chain holds, read through the gateway.
async fn observed(gateway: &Gateway) -> Ledger {
    let mut ledger = Ledger::default();
    for recipe in all(gateway, "/recipes?limit=100").await {
        let id = recipe["recipeId"].as_str().expect("an id").to_owned();
        let versions = all(gateway, &format!("/recipes/{id}/versions?limit=100")).await;
        ledger.versions.insert(id.clone(), versions.len());
        for (notes, count) in notes_of_makes(gateway, &id).await {
            ledger.add_makes(&id, &notes, count);
        }
    }
    for rejection in all(gateway, "/rejections?limit=100").await {
        ledger.add_rejection(&rejection);
    }
    ledger
}

/// Every item of a paginated list, through the gateway.
async fn all(gateway: &Gateway, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = gateway.get(&format!("{path}{cursor}")).await;
        assert_eq!(status.as_u16(), 200, "{path}: {page}");
        items.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["nextCursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return items,
        }
    }
}

/// How many makes of a recipe carry each note.
async fn notes_of_makes(gateway: &Gateway, recipe: &str) -> BTreeMap<String, usize> {
    let mut notes = BTreeMap::new();
    for summary in all(gateway, &format!("/recipes/{recipe}/makes?limit=100")).await {
        let make_id = summary["makeId"].as_str().expect("a make id");
        let (status, stored) = gateway
            .get(&format!("/recipes/{recipe}/makes/{make_id}"))
            .await;
        assert_eq!(status.as_u16(), 200, "{stored}");
        let note = stored["notes"].as_str().unwrap_or_default().to_owned();
        *notes.entry(note).or_default() += 1;
    }
    notes
}

/// How the sender's queue is being fed in a round.
#[derive(Clone, Copy, Debug, Default)]
struct Faults {
    /// Hand the batch to two invocations at once.
    twice: bool,
    /// Delete nothing: every message comes back (a lost delete).
    lose_deletes: bool,
}

/// What delivery rounds did.
#[derive(Debug, Default)]
struct Tally {
    rounds: usize,
    messages: usize,
    failed: usize,
    doubled_batches: usize,
    lost_deletes: usize,
    watched_twice: usize,
}

/// Plays Lambda's SQS poller once, with `faults`: receives up to ten
/// visible jobs (without waiting), invokes the sender, deletes those that
/// succeeded (unless the deletes are lost) and makes the rest visible
/// again. Returns how many messages it took and how many failed.
async fn round(aws: &Aws, gateway: &Gateway, faults: Faults) -> (usize, usize) {
    let messages: Vec<Message> = aws.receive_once(&aws.jobs_url, 0).await;
    if messages.is_empty() {
        return (0, 0);
    }
    let failed: BTreeSet<String> = if faults.twice {
        let (a, b) = tokio::join!(
            aws.invoke_sender(gateway, &messages),
            aws.invoke_sender(gateway, &messages)
        );
        a.batch_item_failures
            .into_iter()
            .chain(b.batch_item_failures)
            .map(|f| f.item_identifier)
            .collect()
    } else {
        aws.invoke_sender(gateway, &messages)
            .await
            .batch_item_failures
            .into_iter()
            .map(|f| f.item_identifier)
            .collect()
    };
    let (mut delete, mut show) = (Vec::new(), Vec::new());
    for message in &messages {
        let id = message.message_id().unwrap_or_default();
        let handle = message.receipt_handle().unwrap_or_default().to_owned();
        let first_receive = message
            .attributes()
            .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
            .is_some_and(|c| c == "1");
        // Only a first receive loses its delete, so that no message that
        // succeeds is pushed towards the DLQ by the test's own faults.
        if failed.contains(id) || (faults.lose_deletes && first_receive) {
            show.push(handle);
        } else {
            delete.push(handle);
        }
    }
    aws.delete_batch(&aws.jobs_url, &delete).await;
    aws.show_batch(&aws.jobs_url, &show).await;
    (messages.len(), failed.len())
}

/// Delivers, with faults, until the jobs queue is empty.
async fn drain(aws: &Aws, gateway: &Gateway, tally: &mut Tally) {
    for _ in 0..2000 {
        tally.rounds += 1;
        let faults = Faults {
            twice: tally.rounds.is_multiple_of(7),
            lose_deletes: tally.rounds.is_multiple_of(5),
        };
        let (taken, failed) = round(aws, gateway, faults).await;
        tally.messages += taken;
        tally.failed += failed;
        if taken > 0 {
            tally.doubled_batches += usize::from(faults.twice);
            tally.lost_deletes += usize::from(faults.lose_deletes);
        } else if aws.depth(&aws.jobs_url).await == 0 {
            return;
        }
    }
    panic!("the jobs queue did not drain");
}

/// Takes `count` S3 events off the capture queue (deleting them in batches).
async fn take_events(aws: &Aws, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut events = Vec::new();
    while events.len() < count {
        assert!(
            Instant::now() < deadline,
            "moto delivered {} of {count} S3 events",
            events.len()
        );
        let messages = aws.receive_once(&aws.capture_url, 1).await;
        if messages.is_empty() {
            continue;
        }
        let handles: Vec<String> = messages
            .iter()
            .map(|m| m.receipt_handle().unwrap_or_default().to_owned())
            .collect();
        aws.delete_batch(&aws.capture_url, &handles).await;
        for message in messages {
            events.push(serde_json::from_str(message.body().unwrap_or("")).expect("an S3 event"));
        }
    }
    events
}

fn event_key(event: &Value) -> String {
    let raw = event["Records"][0]["s3"]["object"]["key"]
        .as_str()
        .unwrap_or_default();
    watcher::decode_key(raw).unwrap_or_else(|lossy| lossy)
}

/// Plays S3 for the events moto raises: numbers them in the order the
/// objects were written and deleted (for each key, the creation before the
/// removal), as S3's sequencers do.
struct Sequencers(u64);

impl Sequencers {
    fn stamp(&mut self, events: &mut [Value]) {
        events.sort_by_key(|e| (event_key(e), is_removal(e)));
        for event in events {
            self.0 += 1;
            event["Records"][0]["s3"]["object"]["sequencer"] =
                Value::from(format!("{:016X}", self.0));
        }
    }
}

fn is_removal(event: &Value) -> bool {
    event["Records"][0]["eventName"]
        .as_str()
        .is_some_and(|n| n.starts_with("ObjectRemoved"))
}

/// What happens to a chunk's uploads besides their upload.
#[derive(Default)]
struct ChunkFaults<'a> {
    /// Keys whose creation event is handed to the watcher twice.
    twice: Option<&'a BTreeSet<String>>,
    /// Keys deleted (for good) right after the chunk is written, before
    /// the watcher sees it: their upload is gone when it is read.
    delete_early: BTreeSet<String>,
    /// Keys deleted once their jobs are queued: the deletion races the
    /// upload's job, or its retries.
    delete_late: BTreeSet<String>,
}

/// Deletes `keys` for good.
async fn delete_all(aws: &Aws, keys: &BTreeSet<String>) {
    for key in keys {
        aws.remove_for_good(key).await;
    }
}

/// Takes `count` events off the capture queue and numbers them.
async fn numbered_events(aws: &Aws, count: usize, sequencers: &mut Sequencers) -> Vec<Value> {
    let mut events = take_events(aws, count).await;
    sequencers.stamp(&mut events);
    events
}

/// Hands removal events to the watcher, every third one twice. Returns
/// how many were handed over twice.
async fn watch_removals(aws: &Aws, removals: Vec<Value>) -> usize {
    let mut doubled = 0;
    for (i, removal) in removals.into_iter().enumerate() {
        if i % 3 == 2 {
            assert_eq!(aws.watch(removal.clone()).await.deleted, 1);
            doubled += 1;
        }
        let summary = aws.watch(removal).await;
        assert_eq!(summary.deleted, 1, "{summary:?}");
    }
    doubled
}

/// Uploads a chunk and hands its S3 events to the watcher: the creations
/// of keys in `faults.twice` twice; the removals of the keys deleted early
/// before the creations (the deletion handled first), those of the keys
/// deleted late after them. Returns how many events were handed over twice.
async fn upload_and_watch(
    aws: &Aws,
    uploads: &[Upload],
    faults: &ChunkFaults<'_>,
    sequencers: &mut Sequencers,
) -> usize {
    for upload in uploads {
        aws.upload(&upload.key, &upload.bytes).await;
    }
    delete_all(aws, &faults.delete_early).await;
    let events = numbered_events(aws, uploads.len() + faults.delete_early.len(), sequencers).await;
    let (early, creations): (Vec<Value>, Vec<Value>) = events.into_iter().partition(is_removal);
    let mut doubled = watch_removals(aws, early).await;
    let twice = faults.twice.cloned().unwrap_or_default();
    for event in creations {
        let again = twice.contains(&event_key(&event));
        let summary = aws.watch(event.clone()).await;
        assert_eq!(summary.jobs, 1, "{summary:?}");
        if again {
            aws.watch(event).await;
            doubled += 1;
        }
    }
    delete_all(aws, &faults.delete_late).await;
    let late = numbered_events(aws, faults.delete_late.len(), sequencers).await;
    doubled + watch_removals(aws, late).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn uploads_with_duplicate_events_and_deliveries_and_two_outages_are_each_accounted_for_once()
{
    let started = Instant::now();
    let aws = Aws::start().await;
    let gateway = Gateway::start(&aws).await;
    let sizes = sizes_from_env();
    let plan = plan(sizes, Orphans::Shuffled);
    let deleted = deletions(&plan);
    // The orphans are not deleted here: their jobs reach the DLQ after five
    // quick receives, and whether a deletion beats that would be a race of
    // the test's own making. (The embedded chaos run, with its backoff,
    // deletes orphans while their jobs are retried.)
    let soon: BTreeSet<String> = plan
        .stream
        .iter()
        .filter(|u| deleted.soon.contains(&u.key) && !matches!(u.outcome, Outcome::Dead { .. }))
        .map(|u| u.key.clone())
        .collect();
    let gone = |u: &&Upload| soon.contains(&u.key) || deleted.later.contains(&u.key);
    let (recipes, stream) = (&plan.recipes, &plan.stream);
    let everything: Vec<&Upload> = recipes.iter().chain(stream).collect();
    let kept: Vec<&Upload> = everything
        .iter()
        .copied()
        .filter(|u| !gone(u))
        .chain(&deleted.again)
        .collect();
    let expected = Ledger::expected(&kept);
    let orphans: BTreeSet<String> = stream
        .iter()
        .filter(|u| matches!(u.outcome, Outcome::Dead { .. }))
        .map(|u| u.key.clone())
        .collect();
    let twice: BTreeSet<String> = everything
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 10 == 3)
        .map(|(_, u)| u.key.clone())
        .collect();
    let mut sequencers = Sequencers(0x0066_0000_0000_0000);
    let mut tally = Tally::default();

    // Of the uploads deleted in their own chunk, every other one is deleted
    // once its job is queued (in the outage chunks, while the jobs fail and
    // wait to be retried); the rest before the watcher reads them.
    let late: BTreeSet<String> = soon.iter().step_by(2).cloned().collect();
    let with_twice = |chunk: &[Upload]| {
        let of_chunk = |late_ones: bool| {
            chunk
                .iter()
                .filter(|u| soon.contains(&u.key) && late.contains(&u.key) == late_ones)
                .map(|u| u.key.clone())
                .collect()
        };
        ChunkFaults {
            twice: Some(&twice),
            delete_early: of_chunk(false),
            delete_late: of_chunk(true),
        }
    };
    tally.watched_twice +=
        upload_and_watch(&aws, recipes, &with_twice(recipes), &mut sequencers).await;
    drain(&aws, &gateway, &mut tally).await;

    let chunks: Vec<&[Upload]> = stream.chunks(sizes.total / 10).collect();
    let outages = [chunks.len() / 3, 2 * chunks.len() / 3];
    let mut outage_failures = 0;
    let mut chunk_times: Vec<f64> = Vec::new();
    for (n, chunk) in chunks.iter().enumerate() {
        let chunk_started = Instant::now();
        if outages.contains(&n) {
            // The server goes down with this chunk's jobs queued: every
            // call fails and the jobs wait; then it comes back.
            gateway.down().await;
            tally.watched_twice +=
                upload_and_watch(&aws, chunk, &with_twice(chunk), &mut sequencers).await;
            for _ in 0..2 {
                let (taken, failed) = round(&aws, &gateway, Faults::default()).await;
                assert_eq!(taken, failed, "with the server down, every call fails");
                outage_failures += failed;
            }
            gateway.up().await;
        } else {
            tally.watched_twice +=
                upload_and_watch(&aws, chunk, &with_twice(chunk), &mut sequencers).await;
        }
        drain(&aws, &gateway, &mut tally).await;
        chunk_times.push(chunk_started.elapsed().as_secs_f64());
    }
    assert!(
        outage_failures >= 20,
        "the outages failed {outage_failures} calls"
    );

    // Deleted once stored, and some of those uploaded again.
    let later: Vec<Upload> = stream
        .iter()
        .filter(|u| deleted.later.contains(&u.key))
        .cloned()
        .collect();
    let keys: BTreeSet<String> = later.iter().map(|u| u.key.clone()).collect();
    delete_all(&aws, &keys).await;
    let removals = numbered_events(&aws, keys.len(), &mut sequencers).await;
    tally.watched_twice += watch_removals(&aws, removals).await;
    drain(&aws, &gateway, &mut tally).await;
    upload_and_watch(
        &aws,
        &deleted.again,
        &ChunkFaults::default(),
        &mut sequencers,
    )
    .await;
    drain(&aws, &gateway, &mut tally).await;

    // Nothing is left on the queue; the DLQ holds exactly the orphans' jobs
    // (an orphan's event handed over twice queued two jobs for it).
    assert_eq!(aws.depth(&aws.jobs_url).await, 0);
    let expected_dead = orphans.len() + orphans.intersection(&twice).count();
    let dead = aws
        .receive_raw(&aws.dlq_url, expected_dead + 1, Duration::from_secs(3))
        .await;
    let dead_keys: BTreeSet<String> = dead
        .iter()
        .map(|m| {
            Job::from_body(m.body().unwrap_or_default())
                .expect("a job")
                .source
                .key
        })
        .collect();
    assert_eq!(dead.len(), expected_dead, "DLQ entries");
    assert_eq!(dead_keys, orphans, "the DLQ holds the orphans");

    let observed = observed(&gateway).await;
    assert_eq!(
        observed.versions.values().sum::<usize>(),
        expected.versions.values().sum::<usize>()
    );
    assert_eq!(
        observed.makes.values().sum::<usize>(),
        expected.makes.values().sum::<usize>()
    );
    assert_eq!(observed.rejections.len(), expected.rejections.len());
    assert_eq!(observed, expected, "what the chain holds");

    // Redriven once their recipe exists, the dead letters become one make each.
    let mut ghost = recipe(99);
    ghost["recipeId"] = Value::from(GHOST);
    let ghost = Upload {
        key: "recipes/ghost.json".into(),
        bytes: bytes(&ghost),
        outcome: Outcome::Version(GHOST.into()),
    };
    upload_and_watch(
        &aws,
        std::slice::from_ref(&ghost),
        &ChunkFaults::default(),
        &mut sequencers,
    )
    .await;
    drain(&aws, &gateway, &mut tally).await;
    for message in &dead {
        aws.sqs
            .send_message()
            .queue_url(&aws.jobs_url)
            .message_body(message.body().unwrap_or_default())
            .send()
            .await
            .expect("redriven");
    }
    aws.delete(&aws.dlq_url, &dead).await;
    drain(&aws, &gateway, &mut tally).await;
    let ghost_notes = notes_of_makes(&gateway, GHOST).await;
    assert_eq!(
        ghost_notes,
        (0..sizes.orphans)
            .map(|n| (format!("chaos orphan {n:02}"), 1))
            .collect::<BTreeMap<_, _>>(),
        "one make per orphan"
    );
    assert_eq!(aws.depth(&aws.dlq_url).await, 0);

    eprintln!(
        "chaos (moto): {} uploads, {} deleted and {} uploaded again -> {} versions, {} makes, {} rejections, {} DLQ entries ({} orphans); \
         {} S3 events handed over twice, {} batches sent to two invocations, {} batches lost their deletes, \
         {outage_failures} calls failed in 2 outages; {} deliveries in {} rounds; chunks of {} took {:.1} s first, {:.1} s last; {:.1} s",
        sizes.total,
        soon.len() + deleted.later.len(),
        deleted.again.len(),
        expected.versions.values().sum::<usize>(),
        expected.makes.values().sum::<usize>(),
        expected.rejections.len(),
        dead.len(),
        orphans.len(),
        tally.watched_twice,
        tally.doubled_batches,
        tally.lost_deletes,
        tally.messages,
        tally.rounds,
        sizes.total / 10,
        chunk_times.first().copied().unwrap_or_default(),
        chunk_times.last().copied().unwrap_or_default(),
        started.elapsed().as_secs_f64()
    );
}
