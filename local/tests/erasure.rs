//! Erasure in the running chain: `DELETE /recipes/{id}` leaves no trace of
//! the recipe in the store, the queue, the dead letters, the bucket folder,
//! the files' bytes or the logs; and an erasure cut short by `kill -9` is
//! finished when the chain starts again.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Chain, DataDir, files_below, put, status, wait_until};
use embedded_adapters::{QueueConfig, SqliteQueue};
use serde_json::{Value, json};
use shared::job::{Job, Payload, Source};
use shared::keys::UploadKind;
use shared::ports::JobSink as _;

const PATIENCE: Duration = Duration::from_secs(30);

/// The recipe id, and words that appear only in the erased documents.
const RECIPE_ID: &str = "canary-7f3a";
const WORDS: [&str; 3] = ["Quincewhistle", "Elderbramble", "Marrowfeather"];

/// The recipe's document: 2 cups of the flour.
fn recipe_document() -> Value {
    json!({
        "recipeId": RECIPE_ID,
        "recipeName": "Quincewhistle Pie",
        "ingredients": [
            {"ingredientId": 1, "quantity": 2, "measurement": "cup", "ingredientName": "Elderbramble flour"},
            {"ingredientId": 2, "quantity": 1, "measurement": "cup", "ingredientName": "sugar"}
        ],
        "steps": [{"stepId": 1, "stepText": "Bake the Quincewhistle until golden."}]
    })
}

fn recipe() -> Vec<u8> {
    recipe_document().to_string().into_bytes()
}

/// A make of it with 3 cups of the flour, a rating and `notes`.
fn make(notes: &str) -> Vec<u8> {
    let mut make = recipe_document();
    make["ingredients"][0]["quantity"] = json!(3);
    make["rating"] = json!(4);
    make["notes"] = json!(notes);
    make.to_string().into_bytes()
}

/// Puts the recipe's file in the bucket folder and waits until the chain
/// serves the recipe.
fn put_the_recipe(chain: &Chain, bucket: &Path) {
    put(bucket, "recipes/qw.json", &recipe());
    wait_until("the recipe", PATIENCE, || {
        chain.get(&format!("/recipes/{RECIPE_ID}"))["recipeId"] == RECIPE_ID
    });
}

/// A chain over a new data folder `name`, the recipe stored; and the
/// folder's bucket.
fn started_with_the_recipe(name: &str) -> (DataDir, PathBuf, Chain) {
    let data = DataDir::new(name);
    let bucket = data.bucket();
    let chain = Chain::start(data.path(), &[]);
    put_the_recipe(&chain, &bucket);
    (data, bucket, chain)
}

fn token(data: &Path) -> String {
    std::fs::read_to_string(data.join("write-token")).expect("the write token")
}

fn erase(chain: &Chain, data: &Path, path: &str) -> u16 {
    let authorization = format!("Bearer {}", token(data));
    testkit::http::request(
        &chain.address,
        "DELETE",
        path,
        &[("Authorization", authorization.as_str())],
        b"",
    )
    .expect("the chain answers")
    .status
}

/// Every readable file below `dir`, as text (lossy), with its path.
fn texts_below(dir: &Path) -> Vec<(String, String)> {
    files_below(dir)
        .into_iter()
        .filter_map(|path| {
            let bytes = std::fs::read(&path).ok()?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            Some((path.display().to_string(), text))
        })
        .collect()
}

/// A job for a make of the recipe, dead-lettered in the chain's queue
/// (the chain is stopped while it is put there).
fn dead_letter_a_make(data: &Path) {
    let queue = SqliteQueue::open(
        &data.join("queue.sqlite3"),
        QueueConfig {
            max_receives: 1,
            ..QueueConfig::default()
        },
    )
    .expect("the queue");
    let document: Value =
        serde_json::from_slice(&make("Notes of Marrowfeather, lost")).expect("JSON");
    let source = Source {
        bucket: "local".into(),
        key: "makes/lost.json".into(),
        version_id: None,
        e_tag: None,
        sequencer: Some("0000000000000FFF".into()),
        size: None,
        entry: None,
    };
    let job = Job::new(
        UploadKind::Make,
        source,
        Some(RECIPE_ID.into()),
        Payload::Inline { document },
    );
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        queue.send(&[job]).await.expect("queued");
        let received = queue.receive(10).await.expect("received");
        queue
            .retry_later(&[received[0].id], Duration::ZERO)
            .await
            .expect("retried");
        assert!(queue.receive(10).await.expect("received").is_empty());
        assert_eq!(queue.stats().await.expect("stats").dead, 1);
    });
}

#[test]
fn an_erased_recipe_leaves_no_trace_in_the_data_folder_or_the_logs() {
    let (data, log, chain) = Chain::start_in_at_info("erase");
    let bucket = data.bucket();
    put_the_recipe(&chain, &bucket);
    put(&bucket, "makes/qw-1.json", &make("Notes of Marrowfeather"));
    put(&bucket, "makes/qw-2.json", &make("A second Quincewhistle"));
    wait_until("two makes", PATIENCE, || chain.make_count(RECIPE_ID) == 2);
    // A broken re-upload of the recipe's file: a rejection of its object.
    put(
        &bucket,
        "recipes/qw.json",
        br#"{"recipeId": "canary-7f3a", "recipeName": "Quincewhistle", "ingredients": 7}"#,
    );
    wait_until("the rejection", PATIENCE, || {
        status(data.path()).rejections == 1
    });
    chain.kill();
    dead_letter_a_make(data.path());

    let chain = Chain::start_logging_at(data.path(), &log, "info");
    let before = status(data.path());
    assert_eq!(
        (before.recipes, before.makes, before.rejections, before.dead),
        (1, 2, 1, 1),
        "{before:?}"
    );
    let everything = texts_below(data.path());
    for word in WORDS.iter().chain([&RECIPE_ID]) {
        assert!(
            everything.iter().any(|(_, text)| text.contains(word)),
            "{word} must be somewhere before the erasure, or the search proves nothing"
        );
    }

    assert_eq!(
        erase(&chain, data.path(), &format!("/recipes/{RECIPE_ID}")),
        204
    );
    wait_until("the queue drained", PATIENCE, || {
        let s = status(data.path());
        s.waiting == 0 && s.in_flight == 0
    });
    assert_eq!(
        erase(&chain, data.path(), &format!("/recipes/{RECIPE_ID}")),
        404,
        "a second erasure finds nothing"
    );
    let after = status(data.path());
    assert_eq!(
        (after.recipes, after.makes, after.rejections, after.dead),
        (0, 0, 0, 0),
        "{after:?}"
    );
    for path in [
        format!("/recipes/{RECIPE_ID}"),
        format!("/recipes/{RECIPE_ID}/insights"),
    ] {
        assert!(
            chain.get(&path)["code"]
                .as_str()
                .is_some_and(|c| c.ends_with("not-found")),
            "{path}"
        );
    }
    let left = files_below(&bucket);
    assert!(left.is_empty(), "files left in the bucket: {left:?}");
    chain.interrupt_within(PATIENCE);

    // Not a word of the documents, nor the recipe's id, in any byte of the
    // data folder (store, queue, their logs); not a word of the documents
    // in the chain's own log.
    for (path, text) in texts_below(data.path()) {
        let logged = path.ends_with("chain.log");
        for word in WORDS {
            assert!(!text.contains(word), "{word} is in {path}");
        }
        if !logged {
            assert!(!text.contains(RECIPE_ID), "{RECIPE_ID} is in {path}");
        }
    }
}

#[test]
fn kill_9_in_the_middle_of_an_erasure_is_finished_at_the_next_start() {
    let (data, bucket, chain) = started_with_the_recipe("erase-kill");
    for n in 0..5 {
        put(
            &bucket,
            &format!("makes/qw-{n}.json"),
            &make(&format!("make {n}")),
        );
    }
    wait_until("five makes", PATIENCE, || chain.make_count(RECIPE_ID) == 5);
    chain.kill();

    // This start holds every erasure after its first object is removed
    // from the bucket, so that the kill lands in the middle of one.
    let chain = Chain::start_with_env(data.path(), &[("RECIPE_CHAIN_TEST_HOLD_ERASURE", "1")]);
    let address = chain.address.clone();
    let authorization = format!("Bearer {}", token(data.path()));
    let path = format!("/recipes/{RECIPE_ID}");
    std::thread::spawn(move || {
        // Never answered: the chain is killed while this waits.
        let _ = testkit::http::request(
            &address,
            "DELETE",
            &path,
            &[("Authorization", authorization.as_str())],
            b"",
        );
    });
    wait_until("the first object removed", PATIENCE, || {
        files_below(&bucket).len() == 5
    });
    chain.kill();
    assert_eq!(
        files_below(&bucket).len(),
        5,
        "the erasure stopped half-way"
    );
    assert_eq!(
        status(data.path()).makes,
        5,
        "nothing was taken from the store yet"
    );

    let chain = Chain::start(data.path(), &[]);
    assert!(
        chain.get(&format!("/recipes/{RECIPE_ID}"))["code"] == "recipe-not-found",
        "the erasure was finished before the chain served anything"
    );
    let after = status(data.path());
    assert_eq!((after.recipes, after.makes), (0, 0), "{after:?}");
    assert!(files_below(&bucket).is_empty(), "every object is gone");
    assert_eq!(
        erase(&chain, data.path(), &format!("/recipes/{RECIPE_ID}")),
        404
    );
}

/// The store's files (the database and its logs), as `(name, bytes)`.
fn store_files(data: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(data)
        .expect("the data folder")
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(name, _)| name.starts_with("store.sqlite3"))
        .map(|(name, path)| (name, std::fs::read(path).expect("read")))
        .collect()
}

fn store_text(data: &Path) -> String {
    store_files(data)
        .iter()
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .collect()
}

#[test]
fn a_store_put_back_from_a_copy_has_its_erasures_replayed_and_nothing_comes_back() {
    let (data, bucket, chain) = started_with_the_recipe("erase-restore");
    put(&bucket, "makes/qw-1.json", &make("Notes of Marrowfeather"));
    // A recipe that stays, with a make that is erased and one that stays.
    let kept = json!({
        "recipeId": "kept-7f3a",
        "recipeName": "Plain Pie",
        "ingredients": [{"ingredientId": 1, "quantity": 2, "measurement": "cup", "ingredientName": "flour"}],
        "steps": [{"stepId": 1, "stepText": "Bake."}]
    });
    put(&bucket, "recipes/kept.json", kept.to_string().as_bytes());
    wait_until("the recipes", PATIENCE, || {
        chain.get("/recipes/kept-7f3a")["recipeId"] == "kept-7f3a"
    });
    for (key, make_id, notes) in [
        ("makes/kept-1.json", "gloam-7f3a", "A Gloamthistle evening"),
        ("makes/kept-2.json", "kept-m", "fine"),
    ] {
        let mut document = kept.clone();
        document["ingredients"][0]["quantity"] = json!(3);
        document["makeId"] = json!(make_id);
        document["notes"] = json!(notes);
        put(&bucket, key, document.to_string().as_bytes());
    }
    wait_until("three makes", PATIENCE, || {
        chain.make_count(RECIPE_ID) == 1 && chain.make_count("kept-7f3a") == 2
    });
    // Stopped, so that the copy is of a closed store (with its log, if
    // one is left).
    chain.interrupt_within(PATIENCE);
    let copy = store_files(data.path());

    let chain = Chain::start(data.path(), &[]);
    for path in [
        format!("/recipes/{RECIPE_ID}"),
        "/recipes/kept-7f3a/makes/gloam-7f3a".to_owned(),
    ] {
        assert_eq!(erase(&chain, data.path(), &path), 204, "{path}");
    }
    wait_until("the queue drained", PATIENCE, || {
        let s = status(data.path());
        s.waiting == 0 && s.in_flight == 0
    });
    chain.interrupt_within(PATIENCE);
    let planted = WORDS.iter().chain([&RECIPE_ID, &"Gloamthistle"]);
    let erased = store_text(data.path());
    for word in planted.clone() {
        assert!(!erased.contains(word), "{word} erased");
    }

    // The restore: the copy is put back in the store's place.
    for (name, _) in store_files(data.path()) {
        std::fs::remove_file(data.path().join(name)).expect("removed");
    }
    for (name, bytes) in &copy {
        std::fs::write(data.path().join(name), bytes).expect("restored");
    }
    let restored = store_text(data.path());
    for word in planted.clone() {
        assert!(
            restored.contains(word),
            "{word} must be back in the restored store, or this test proves nothing"
        );
    }

    let out = common::run(&["erasures", "replay"], data.path());
    assert!(
        out.contains("2 journalled erasures applied again")
            && out.contains("erased 1 recipes and 1 makes"),
        "{out}"
    );
    let after = status(data.path());
    assert_eq!((after.recipes, after.makes), (1, 1), "{after:?}");
    let replayed = store_text(data.path());
    for word in planted.clone() {
        assert!(
            !replayed.contains(word),
            "{word} is in the store after the replay"
        );
    }
    let again = common::run(&["erasures", "replay"], data.path());
    assert!(again.contains("erased 0 recipes and 0 makes"), "{again}");
    // The journal names nothing: hashes only.
    let journal = std::fs::read_to_string(data.path().join("erasures.jsonl")).expect("journal");
    for word in planted.chain([&"kept-7f3a", &"gloam-7f3a"]) {
        assert!(!journal.contains(word), "{word} is in the journal");
    }
}

/// Erasing one recipe of an app's archive: the archive holds its content,
/// so the archive leaves the bucket folder, and with it the other recipes
/// it brought are withdrawn (as deleting the archive would); they are
/// not erased. docs/architecture.md, "Archives: who expands them".
#[test]
fn erasing_a_recipe_of_an_archive_removes_the_archive_and_withdraws_its_other_recipes() {
    let archive = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/archives/paprika.paprikarecipes"
    ))
    .expect("fixture");
    let data = DataDir::new("erase-archive");
    let chain = Chain::start(data.path(), &[]);
    let key = "recipes/export.paprikarecipes";
    put(&data.bucket(), key, &archive);
    wait_until("both recipes", PATIENCE, || {
        chain.get("/recipes/Lemon%20Tart")["version"] == 1
            && chain.get("/recipes/Buttermilk%20Pancakes")["version"] == 1
    });
    assert_eq!(erase(&chain, data.path(), "/recipes/Lemon%20Tart"), 204);
    assert!(!data.bucket().join(key).exists(), "the archive is gone");
    assert_eq!(
        erase(&chain, data.path(), "/recipes/Lemon%20Tart"),
        404,
        "nothing of the erased recipe is left"
    );
    wait_until("the other recipe withdrawn", PATIENCE, || {
        chain.get("/recipes/Buttermilk%20Pancakes")["withdrawn"] == true
    });
    let pancakes = chain.get("/recipes/Buttermilk%20Pancakes");
    assert_eq!(
        pancakes["name"], "Buttermilk Pancakes",
        "withdrawn, not erased"
    );
}
