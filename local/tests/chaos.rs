//! Chaos on the embedded chain, with conservation: 1,000 uploads (recipes,
//! new versions, makes, identical copies, deliberate re-uploads, ~10%
//! malformed in varied ways, makes of a recipe that never came), each
//! upload event announced twice for ~10% of them, and the chain killed with
//! `kill -9` once and stopped with Ctrl-C once while files keep arriving.
//! At the end every upload is accounted for exactly once, by an outcome
//! derived from what was uploaded, never from what the chain says:
//!
//! - a recipe upload is a stored version (an identical copy of one is that
//!   same version: versions are stored only when the content changed);
//! - a make upload is a stored make, told apart by its notes (an identical
//!   copy of a make that names its `makeId` is that same make; a copy or a
//!   deliberate re-upload of one without a `makeId` is a make of its own);
//! - a malformed upload is one rejection, under its key, with the expected
//!   code and JSON path;
//! - a make of an unknown recipe ends in the dead-letter queue, and becomes
//!   a make once its recipe arrives and the dead letters are redriven;
//! - a deleted file leaves nothing: some are deleted right after they are
//!   written (before the chain reads them, while their job waits or is
//!   retried, or while the chain is down), some once their effect is
//!   stored, and some of those are dropped again with other content, which
//!   is a new upload. Uploads - deletions = versions + makes + rejections +
//!   dead letters.
//!
//! "Arrives twice" locally: there is no event stream to replay, so the same
//! upload event arrives again when the folder watcher is told of the same
//! write again (the file touched with its own modification time, so size
//! and time, which identify a write, are unchanged), and when a restarted
//! chain scans the folder and finds every file again. Writing the same
//! bytes under the same key after they were processed is a new write: a
//! deliberate re-upload, as a new S3 object version would be.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{Chain, DataDir, put, reannounce, run, status, wait_until};
use serde_json::Value;
use testkit::chaos::{
    GHOST, Ledger, Orphans, Plan, Sizes, Upload, bytes, dead_notes, deletions, make, plan, recipe,
    recipe_id,
};

/// Uploads in the run (the ghost recipe added at the end is not one).
const UPLOADS: usize = 1000;
/// Makes without a `makeId` written again, same bytes, same key, once processed.
const REUPLOADS: usize = 10;
/// Every this many files, the writer announces an earlier file again.
const REANNOUNCE_EVERY: usize = 9;

/// Everything the run uploads (1,000: 20 recipes, 10 new versions, 10
/// recipe copies, 10 orphans, 100 malformed, 20 + 15 + 5 copies, 10
/// re-uploads, 800 makes), the orphans first in the stream.
fn chaos_plan() -> (Sizes, Plan) {
    let sizes = Sizes::of(UPLOADS).with_reuploads(REUPLOADS);
    (sizes, plan(sizes, Orphans::First))
}

/// What the chain holds, read through the API (the dead letters are read
/// at the end, by redriving them).
fn observed(chain: &Chain) -> Ledger {
    let mut ledger = Ledger::default();
    for recipe in chain.all("/recipes?limit=100") {
        let id = recipe["recipeId"].as_str().expect("an id").to_owned();
        let versions = chain.all(&format!("/recipes/{id}/versions?limit=100"));
        ledger.versions.insert(id.clone(), versions.len());
        for summary in chain.all(&format!("/recipes/{id}/makes?limit=100")) {
            let make_id = summary["makeId"].as_str().expect("a make id");
            let stored = chain.get(&format!("/recipes/{id}/makes/{make_id}"));
            ledger.add_makes(&id, stored["notes"].as_str().unwrap_or_default(), 1);
        }
    }
    for rejection in chain.all("/rejections?limit=100") {
        ledger.add_rejection(&rejection);
    }
    ledger
}

/// Makes stored for the chaos recipes, through the API.
fn stored_makes(chain: &Chain) -> u64 {
    chain
        .all("/recipes?limit=100")
        .iter()
        .filter_map(|r| r["makeCount"].as_u64())
        .sum()
}

fn stored_rejections(chain: &Chain) -> usize {
    chain.all("/rejections?limit=100").len()
}

#[test]
fn a_thousand_uploads_through_kill_9_and_ctrl_c_are_each_accounted_for_once() {
    let started = Instant::now();
    let (sizes, plan) = chaos_plan();
    let deleted = deletions(&plan);
    let gone = |u: &&Upload| deleted.soon.contains(&u.key) || deleted.later.contains(&u.key);
    // What stays: every upload but the deleted ones, and the files dropped
    // again after their deletion.
    let everything: Vec<&Upload> = plan
        .recipes
        .iter()
        .chain(&plan.stream)
        .chain(&plan.reuploads)
        .filter(|u| !gone(u))
        .chain(&deleted.again)
        .collect();
    let expected = Ledger::expected(&everything);
    let dead = dead_notes(&everything);
    // What the stream comes to before the later deletions.
    let before_later: Vec<&Upload> = plan
        .stream
        .iter()
        .filter(|u| !deleted.soon.contains(&u.key))
        .collect();
    let stream_expected = Ledger::expected(&before_later);
    let after_later: Vec<&Upload> = before_later
        .iter()
        .copied()
        .filter(|u| !deleted.later.contains(&u.key))
        .collect();
    let later_expected = Ledger::expected(&after_later);
    let data = DataDir::new("chaos");
    let bucket = data.bucket();

    let chain = Chain::start(data.path(), &[]);
    for upload in &plan.recipes {
        put(&bucket, &upload.key, &upload.bytes);
    }
    wait_until("the recipes", Duration::from_secs(30), || {
        chain.all("/recipes?limit=100").len() == sizes.recipes
    });

    // The stream is written at a steady pace while the chain is killed and
    // restarted; every ninth file, an earlier one is announced again.
    let writer = {
        let bucket = bucket.clone();
        let files: Vec<(String, Vec<u8>)> = plan
            .stream
            .iter()
            .map(|u| (u.key.clone(), u.bytes.clone()))
            .collect();
        let soon = deleted.soon.clone();
        std::thread::spawn(move || {
            let mut reannounced = 0;
            for (i, (key, bytes)) in files.iter().enumerate() {
                put(&bucket, key, bytes);
                if soon.contains(key) {
                    std::fs::remove_file(bucket.join(key)).expect("deleted");
                }
                if i >= 30 && i.is_multiple_of(REANNOUNCE_EVERY) && !soon.contains(&files[i - 30].0)
                {
                    let again: PathBuf = bucket.join(&files[i - 30].0);
                    reannounce(&again);
                    reannounced += 1;
                }
                std::thread::sleep(Duration::from_millis(6));
            }
            reannounced
        })
    };

    let total_makes = expected.make_total() as u64;
    wait_until("the first makes", Duration::from_secs(60), || {
        stored_makes(&chain) >= 120
    });
    let at_kill = stored_makes(&chain);
    chain.kill();
    std::thread::sleep(Duration::from_millis(400));
    let chain = Chain::start(data.path(), &[]);
    wait_until("more makes", Duration::from_secs(60), || {
        stored_makes(&chain) >= 450
    });
    let at_interrupt = stored_makes(&chain);
    let stopped = chain.interrupt_within(Duration::from_secs(30));
    assert!(stopped.success(), "Ctrl-C: {stopped}");
    std::thread::sleep(Duration::from_millis(400));
    let chain = Chain::start(data.path(), &[]);
    let reannounced = writer.join().expect("the writer");
    assert!(
        at_kill < total_makes && at_interrupt < total_makes,
        "the restarts came too late to test anything ({at_kill} and {at_interrupt} of {total_makes} makes stored)"
    );

    // Everything in the stream is done (the orphans dead-lettered) before
    // the later deletions and the deliberate re-uploads.
    let settled = |makes: usize, rejections: usize, dead: usize| {
        let now = status(data.path());
        (now.waiting, now.in_flight) == (0, 0)
            && now.dead == dead as u64
            && stored_makes(&chain) == makes as u64
            && stored_rejections(&chain) == rejections
    };
    let stream_dead = dead.len();
    wait_until("the stream's effects", Duration::from_secs(120), || {
        settled(
            stream_expected.make_total(),
            stream_expected.rejections.len(),
            stream_dead,
        )
    });
    for key in &deleted.later {
        std::fs::remove_file(bucket.join(key)).expect("deleted");
    }
    // A file put back at once is a save that replaces it, not a deletion:
    // the re-uploads wait until the deletions are done.
    wait_until("the later deletions", Duration::from_secs(60), || {
        settled(
            later_expected.make_total(),
            later_expected.rejections.len(),
            stream_dead,
        )
    });
    for upload in plan.reuploads.iter().chain(&deleted.again) {
        put(&bucket, &upload.key, &upload.bytes);
    }
    wait_until(
        "the later deletions and re-uploads",
        Duration::from_secs(60),
        || settled(total_makes as usize, expected.rejections.len(), stream_dead),
    );
    // Late duplicates would show up now.
    std::thread::sleep(Duration::from_millis(1500));
    let after = status(data.path());
    assert_eq!(
        (after.waiting, after.in_flight, after.dead),
        (0, 0, dead.len() as u64),
        "{after:?}"
    );
    // Every deletion the chain saw is counted once; files deleted before
    // the chain read them left nothing to delete.
    let deletions_made = (deleted.soon.len() + deleted.later.len()) as u64;
    assert!(
        after.deletions >= deleted.later.len() as u64 && after.deletions <= deletions_made,
        "{after:?}"
    );

    let observed = observed(&chain);
    assert_eq!(observed.version_total(), expected.version_total());
    assert_eq!(observed.rejections.len(), expected.rejections.len());
    assert_eq!(observed.make_total(), expected.make_total());
    assert_eq!(observed, expected, "what the chain holds");

    // The dead letters are exactly the orphans: once their recipe exists,
    // redriven, they become its makes.
    put(
        &bucket,
        "recipes/ghost.json",
        &bytes(&{
            let mut ghost = recipe(99);
            ghost["recipeId"] = Value::from(GHOST);
            ghost
        }),
    );
    wait_until("the ghost recipe", Duration::from_secs(30), || {
        chain.get(&format!("/recipes/{GHOST}"))["version"] == 1
    });
    let redrive = run(&["redrive"], data.path());
    assert!(
        redrive.contains(&format!("{} dead-lettered jobs are back", dead.len())),
        "{redrive}"
    );
    wait_until("the redriven makes", Duration::from_secs(60), || {
        chain.make_count(GHOST) >= dead.len() as u64
    });
    std::thread::sleep(Duration::from_millis(500));
    let mut ghost_notes = BTreeSet::new();
    for summary in chain.all(&format!("/recipes/{GHOST}/makes?limit=100")) {
        let make_id = summary["makeId"].as_str().expect("a make id");
        let stored = chain.get(&format!("/recipes/{GHOST}/makes/{make_id}"));
        ghost_notes.insert(stored["notes"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(
        ghost_notes, dead,
        "the dead letters were the orphans that were not deleted"
    );
    assert_eq!(chain.make_count(GHOST), dead.len() as u64);
    let last = status(data.path());
    assert_eq!(
        (last.waiting, last.in_flight, last.dead),
        (0, 0, 0),
        "{last:?}"
    );

    eprintln!(
        "chaos (embedded): {UPLOADS} uploads, {} deleted and {} dropped again -> {} versions, {} makes, {} rejections, {} dead letters (then redriven); \
         {reannounced} uploads announced twice, plus every file re-seen at 2 restarts; \
         kill -9 at {at_kill} makes, Ctrl-C at {at_interrupt}; {:.1} s",
        deleted.soon.len() + deleted.later.len(),
        deleted.again.len(),
        expected.version_total(),
        expected.make_total(),
        expected.rejections.len(),
        dead.len(),
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn files_written_into_new_nested_folders_are_all_picked_up() {
    // A folder and the file in it can appear before the watcher has added
    // the folder; the file raises no event of its own then.
    let data = DataDir::new("nested");
    let bucket = data.bucket();
    let chain = Chain::start(data.path(), &[]);
    put(&bucket, "recipes/chaos-00.json", &bytes(&recipe(0)));
    wait_until("the recipe", Duration::from_secs(30), || {
        chain.get("/recipes/chaos-00")["version"] == 1
    });
    const FILES: usize = 200;
    for n in 0..FILES {
        let folders: Vec<String> = (0..5).map(|depth| format!("d{n}-{depth}")).collect();
        let key = format!("makes/{}/{n}.json", folders.join("/"));
        put(&bucket, &key, &bytes(&make(n, &recipe_id(0), false)));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while chain.make_count("chaos-00") < FILES as u64 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(chain.make_count("chaos-00"), FILES as u64, "makes stored");
}
