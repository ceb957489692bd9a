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
//!   a make once its recipe arrives and the dead letters are redriven.
//!
//! "Arrives twice" locally: there is no event stream to replay, so the same
//! upload event arrives again when the folder watcher is told of the same
//! write again (the file touched with its own modification time, so size
//! and time, which identify a write, are unchanged), and when a restarted
//! chain scans the folder and finds every file again. Writing the same
//! bytes under the same key after they were processed is a new write: a
//! deliberate re-upload, as a new S3 object version would be.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{Chain, DataDir, put, reannounce, run, status, wait_until};
use serde_json::Value;
use testkit::chaos::{
    Outcome, Rng, Upload, bytes, make, malformed, recipe, recipe_id, second_version,
};

/// Uploads in the run (the ghost recipe added at the end is not one).
const UPLOADS: usize = 1000;
const RECIPES: usize = 20;
/// Recipes that get a second version mid-run.
const NEW_VERSIONS: usize = 10;
/// Recipes copied byte for byte under a second key mid-run.
const RECIPE_COPIES: usize = 10;
const ORPHANS: usize = 10;
const MALFORMED: usize = 100;
/// Identical copies under a second key: of makes with a `makeId`, of makes
/// without one, of malformed files.
const COPIES_WITH_ID: usize = 20;
const COPIES_WITHOUT_ID: usize = 15;
const COPIES_MALFORMED: usize = 5;
/// Makes without a `makeId` written again, same bytes, same key, once processed.
const REUPLOADS: usize = 10;
const MAKES: usize = UPLOADS
    - NEW_VERSIONS
    - RECIPE_COPIES
    - ORPHANS
    - MALFORMED
    - COPIES_WITH_ID
    - COPIES_WITHOUT_ID
    - COPIES_MALFORMED
    - REUPLOADS
    - RECIPES;
/// Every this many files, the writer announces an earlier file again.
const REANNOUNCE_EVERY: usize = 9;
const GHOST: &str = "chaos-ghost";

/// Everything the run uploads: the recipes (written first), the stream
/// (written while the chain is killed and restarted), and the deliberate
/// re-uploads (written at the end, once their first upload was processed).
struct Plan {
    recipes: Vec<Upload>,
    stream: Vec<Upload>,
    reuploads: Vec<Upload>,
}

fn plan() -> Plan {
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let recipes: Vec<Upload> = (0..RECIPES)
        .map(|n| Upload {
            key: format!("recipes/{}.json", recipe_id(n)),
            bytes: bytes(&recipe(n)),
            outcome: Outcome::Version(recipe_id(n)),
        })
        .collect();

    let mut stream = Vec::new();
    for n in 0..NEW_VERSIONS {
        stream.push(Upload {
            key: format!("recipes/{}-v2.json", recipe_id(n)),
            bytes: bytes(&second_version(n)),
            outcome: Outcome::Version(recipe_id(n)),
        });
    }
    for (n, original) in recipes.iter().enumerate().skip(RECIPES - RECIPE_COPIES) {
        stream.push(Upload {
            key: format!("recipes/copies/{}.json", recipe_id(n)),
            bytes: original.bytes.clone(),
            outcome: Outcome::SameVersion(recipe_id(n)),
        });
    }
    let mut makes = Vec::new();
    for n in 0..MAKES {
        let of = recipe_id(rng.below(RECIPES));
        let make_id = n.is_multiple_of(2);
        makes.push(Upload {
            key: format!("makes/{of}/{n:04}.json"),
            bytes: bytes(&make(n, &of, make_id)),
            outcome: Outcome::Make {
                recipe: of,
                notes: format!("chaos make {n:04}"),
            },
        });
    }
    // Identical copies under a second key.
    for (i, n) in (0..MAKES).step_by(2).take(COPIES_WITH_ID).enumerate() {
        let Outcome::Make { recipe, notes } = makes[n].outcome.clone() else {
            unreachable!()
        };
        stream.push(Upload {
            key: format!("makes/copies/with-id-{i:02}.json"),
            bytes: makes[n].bytes.clone(),
            outcome: Outcome::SameMake { recipe, notes },
        });
    }
    for (i, n) in (1..MAKES).step_by(2).take(COPIES_WITHOUT_ID).enumerate() {
        stream.push(Upload {
            key: format!("makes/copies/without-id-{i:02}.json"),
            bytes: makes[n].bytes.clone(),
            outcome: makes[n].outcome.clone(),
        });
    }
    let bad: Vec<Upload> = (0..MALFORMED).map(|n| malformed(n, RECIPES)).collect();
    for (i, original) in bad.iter().step_by(7).take(COPIES_MALFORMED).enumerate() {
        let (folder, name) = original.key.split_once('/').expect("a folder");
        stream.push(Upload {
            key: format!("{folder}/copies/{i}-{name}"),
            bytes: original.bytes.clone(),
            outcome: original.outcome.clone(),
        });
    }
    // Deliberate re-uploads of makes without a makeId, chosen before the
    // stream is shuffled.
    let reuploads: Vec<Upload> = (0..MAKES)
        .skip(101)
        .step_by(40)
        .filter(|n| n % 2 == 1)
        .take(REUPLOADS)
        .map(|n| makes[n].clone())
        .collect();
    assert_eq!(reuploads.len(), REUPLOADS);
    stream.extend(makes);
    stream.extend(bad);
    rng.shuffle(&mut stream);
    // The makes of a recipe that never comes go first, so that they have
    // time to reach the dead-letter queue (5 receives, with backoff).
    let orphans = (0..ORPHANS).map(|n| {
        let mut make = make(8000 + n, GHOST, false);
        make["notes"] = Value::from(format!("chaos orphan {n:02}"));
        Upload {
            key: format!("makes/orphans/{n:02}.json"),
            bytes: bytes(&make),
            outcome: Outcome::Dead {
                notes: format!("chaos orphan {n:02}"),
            },
        }
    });
    stream.splice(0..0, orphans);
    assert_eq!(
        recipes.len() + stream.len() + reuploads.len(),
        UPLOADS,
        "the plan has {UPLOADS} uploads"
    );
    Plan {
        recipes,
        stream,
        reuploads,
    }
}

/// What the uploads must come to, derived from the plan alone.
#[derive(Debug, Default, PartialEq, Eq)]
struct Ledger {
    /// Versions per recipe.
    versions: BTreeMap<String, usize>,
    /// Makes per (recipe, notes).
    makes: BTreeMap<(String, String), usize>,
    /// Rejections per object key: (code, path).
    rejections: BTreeMap<String, (String, String)>,
    /// Notes of the makes that end in the dead-letter queue.
    dead: BTreeSet<String>,
}

impl Ledger {
    fn expected(uploads: &[&Upload]) -> Self {
        let mut ledger = Ledger::default();
        for upload in uploads {
            match &upload.outcome {
                Outcome::Version(recipe) => {
                    *ledger.versions.entry(recipe.clone()).or_default() += 1
                }
                Outcome::SameVersion(recipe) => {
                    ledger.versions.entry(recipe.clone()).or_default();
                }
                Outcome::Make { recipe, notes } => {
                    *ledger
                        .makes
                        .entry((recipe.clone(), notes.clone()))
                        .or_default() += 1;
                }
                Outcome::SameMake { recipe, notes } => {
                    ledger
                        .makes
                        .entry((recipe.clone(), notes.clone()))
                        .or_default();
                }
                Outcome::Rejection { code, path } => {
                    let previous = ledger
                        .rejections
                        .insert(upload.key.clone(), ((*code).to_owned(), path.clone()));
                    assert!(previous.is_none(), "two uploads under {}", upload.key);
                }
                Outcome::Dead { notes } => {
                    ledger.dead.insert(notes.clone());
                }
            }
        }
        ledger
    }

    fn make_total(&self) -> usize {
        self.makes.values().sum()
    }

    fn version_total(&self) -> usize {
        self.versions.values().sum()
    }

    /// What the chain holds, read through the API (the dead letters are
    /// read at the end, by redriving them).
    fn observed(chain: &Chain) -> Self {
        let mut ledger = Ledger::default();
        for recipe in chain.all("/recipes?limit=100") {
            let id = recipe["recipeId"].as_str().expect("an id").to_owned();
            let versions = chain.all(&format!("/recipes/{id}/versions?limit=100"));
            ledger.versions.insert(id.clone(), versions.len());
            for summary in chain.all(&format!("/recipes/{id}/makes?limit=100")) {
                let make_id = summary["makeId"].as_str().expect("a make id");
                let stored = chain.get(&format!("/recipes/{id}/makes/{make_id}"));
                let notes = stored["notes"].as_str().unwrap_or_default().to_owned();
                *ledger.makes.entry((id.clone(), notes)).or_default() += 1;
            }
        }
        for rejection in chain.all("/rejections?limit=100") {
            let key = rejection["objectKey"]
                .as_str()
                .unwrap_or("(none)")
                .to_owned();
            let found = (
                rejection["code"].as_str().unwrap_or_default().to_owned(),
                rejection["path"].as_str().unwrap_or_default().to_owned(),
            );
            let previous = ledger.rejections.insert(key.clone(), found);
            assert!(previous.is_none(), "two rejections for {key}");
        }
        ledger
    }
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
    let plan = plan();
    let everything: Vec<&Upload> = plan
        .recipes
        .iter()
        .chain(&plan.stream)
        .chain(&plan.reuploads)
        .collect();
    let expected = Ledger::expected(&everything);
    let data = DataDir::new("chaos");
    let bucket = data.bucket();

    let chain = Chain::start(&data.0, &[]);
    for upload in &plan.recipes {
        put(&bucket, &upload.key, &upload.bytes);
    }
    wait_until("the recipes", Duration::from_secs(30), || {
        chain.all("/recipes?limit=100").len() == RECIPES
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
        std::thread::spawn(move || {
            let mut reannounced = 0;
            for (i, (key, bytes)) in files.iter().enumerate() {
                put(&bucket, key, bytes);
                if i >= 30 && i.is_multiple_of(REANNOUNCE_EVERY) {
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
    let chain = Chain::start(&data.0, &[]);
    wait_until("more makes", Duration::from_secs(60), || {
        stored_makes(&chain) >= 450
    });
    let at_interrupt = stored_makes(&chain);
    let stopped = chain.interrupt_within(Duration::from_secs(30));
    assert!(stopped.success(), "Ctrl-C: {stopped}");
    std::thread::sleep(Duration::from_millis(400));
    let chain = Chain::start(&data.0, &[]);
    let reannounced = writer.join().expect("the writer");
    assert!(
        at_kill < total_makes && at_interrupt < total_makes,
        "the restarts came too late to test anything ({at_kill} and {at_interrupt} of {total_makes} makes stored)"
    );

    // Everything in the stream is done (the orphans dead-lettered) before
    // the deliberate re-uploads are written.
    let before_reuploads = total_makes - REUPLOADS as u64;
    wait_until("the stream's effects", Duration::from_secs(120), || {
        stored_makes(&chain) >= before_reuploads
            && stored_rejections(&chain) >= expected.rejections.len()
            && status(&data.0).dead >= ORPHANS as u64
    });
    for upload in &plan.reuploads {
        put(&bucket, &upload.key, &upload.bytes);
    }
    wait_until("the re-uploads", Duration::from_secs(60), || {
        stored_makes(&chain) >= total_makes
    });
    // Late duplicates would show up now.
    std::thread::sleep(Duration::from_millis(1500));
    let after = status(&data.0);
    assert_eq!(
        (after.waiting, after.in_flight, after.dead),
        (0, 0, ORPHANS as u64),
        "{after:?}"
    );

    let observed = Ledger::observed(&chain);
    let expected_now = Ledger {
        dead: BTreeSet::new(),
        ..Ledger::expected(&everything)
    };
    assert_eq!(observed.version_total(), expected.version_total());
    assert_eq!(observed.rejections.len(), expected.rejections.len());
    assert_eq!(observed.make_total(), expected.make_total());
    assert_eq!(observed, expected_now, "what the chain holds");

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
    let redrive = run(&["redrive"], &data.0);
    assert!(
        redrive.contains(&format!("{ORPHANS} dead-lettered jobs are back")),
        "{redrive}"
    );
    wait_until("the redriven makes", Duration::from_secs(60), || {
        chain.make_count(GHOST) >= ORPHANS as u64
    });
    std::thread::sleep(Duration::from_millis(500));
    let mut ghost_notes = BTreeSet::new();
    for summary in chain.all(&format!("/recipes/{GHOST}/makes?limit=100")) {
        let make_id = summary["makeId"].as_str().expect("a make id");
        let stored = chain.get(&format!("/recipes/{GHOST}/makes/{make_id}"));
        ghost_notes.insert(stored["notes"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(
        ghost_notes, expected.dead,
        "the dead letters were the orphans"
    );
    assert_eq!(chain.make_count(GHOST), ORPHANS as u64);
    let last = status(&data.0);
    assert_eq!(
        (last.waiting, last.in_flight, last.dead),
        (0, 0, 0),
        "{last:?}"
    );

    eprintln!(
        "chaos (embedded): {UPLOADS} uploads -> {} versions, {} makes, {} rejections, {} dead letters (then redriven); \
         {reannounced} uploads announced twice, plus every file re-seen at 2 restarts; \
         kill -9 at {at_kill} makes, Ctrl-C at {at_interrupt}; {:.1} s",
        expected.version_total(),
        expected.make_total(),
        expected.rejections.len(),
        expected.dead.len(),
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn files_written_into_new_nested_folders_are_all_picked_up() {
    // A folder and the file in it can appear before the watcher has added
    // the folder; the file raises no event of its own then.
    let data = DataDir::new("nested");
    let bucket = data.bucket();
    let chain = Chain::start(&data.0, &[]);
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
