//! What the chain logs at `info` (what a deployment keeps) never holds a
//! document's words, an object key, a recipe id or a refused value: the
//! test plants canaries in all of them and searches the captured log.

mod common;

use std::time::Duration;

use common::{Chain, files_below, put, status, wait_until};
use serde_json::json;

const PATIENCE: Duration = Duration::from_secs(30);

/// Canaries, each in one place only: the recipe's id, two keys, the
/// document's words, and a value the chain refuses.
const RECIPE_ID: &str = "canary-id-3c9f";
const KEYS: [&str; 3] = [
    "canary-key-5d1e",
    "canary-make-key-8a2b",
    "canary-bad-key-1f4c",
];
const WORDS: [&str; 3] = ["Wrenfeather", "Mossbarrow", "Notes of Gloamstone"];
const REFUSED: &str = "canary-value-77aa";

fn recipe() -> serde_json::Value {
    json!({
        "recipeId": RECIPE_ID,
        "recipeName": "Wrenfeather Loaf",
        "ingredients": [
            {"ingredientId": 1, "quantity": 2, "measurement": "cup", "ingredientName": "Mossbarrow flour"}
        ],
        "steps": [{"stepId": 1, "stepText": "Bake the Wrenfeather loaf."}]
    })
}

#[test]
fn the_info_log_holds_no_content_key_id_or_refused_value() {
    let (data, log, chain) = Chain::start_in_at_info("logs");
    let bucket = data.bucket();
    put(
        &bucket,
        &format!("recipes/{}.json", KEYS[0]),
        recipe().to_string().as_bytes(),
    );
    wait_until("the recipe", PATIENCE, || status(data.path()).recipes == 1);
    let mut make = recipe();
    make["ingredients"][0]["quantity"] = json!(3);
    make["notes"] = json!(WORDS[2]);
    put(
        &bucket,
        &format!("makes/{}.json", KEYS[1]),
        make.to_string().as_bytes(),
    );
    // Refused: the rating is text, and the refusal's message quotes it.
    make["rating"] = json!(REFUSED);
    put(
        &bucket,
        &format!("makes/{}.json", KEYS[2]),
        make.to_string().as_bytes(),
    );
    wait_until("a make and a rejection", PATIENCE, || {
        let s = status(data.path());
        s.makes == 1 && s.rejections == 1
    });
    let rejection = &chain.get("/rejections")["items"][0];
    assert!(
        rejection["message"]
            .as_str()
            .is_some_and(|m| m.contains(REFUSED)),
        "the refused value must be in the rejection, or its absence from the log proves nothing: {rejection}"
    );
    chain.interrupt_within(PATIENCE);

    let text = std::fs::read_to_string(&log).expect("the log");
    assert!(
        text.contains("upload accepted")
            && text.contains("upload rejected")
            && text.contains("key=#"),
        "the log holds the chain's lines, keys by their pseudonyms: {text}"
    );
    for canary in KEYS.iter().chain(&WORDS).chain(&[RECIPE_ID, REFUSED]) {
        assert!(!text.contains(canary), "{canary} is in the log:\n{text}");
    }
}

/// Canaries of the failed-erasure test: the recipe's id and its two keys.
const ERASED_ID: &str = "canary-erased-id-0c5d";
const ERASED_KEYS: [&str; 2] = [
    "recipes/canary-erased-key-4d2c.json",
    "makes/canary-erased-make-6e1a.json",
];

/// An erasure that cannot remove an object from the bucket folder (here
/// a folder stands where the file was) fails, and the chain says so at
/// start-up naming the object by its pseudonym: the erasure does not
/// write the key it erases into the log.
#[test]
fn a_failed_purge_of_an_erasure_is_logged_without_the_key() {
    let (data, log, chain) = Chain::start_in_at_info("logs-erasure");
    let bucket = data.bucket();
    let mut document = recipe();
    document["recipeId"] = json!(ERASED_ID);
    put(&bucket, ERASED_KEYS[0], document.to_string().as_bytes());
    wait_until("the recipe", PATIENCE, || status(data.path()).recipes == 1);
    document["notes"] = json!("one make");
    document["ingredients"][0]["quantity"] = json!(3);
    put(&bucket, ERASED_KEYS[1], document.to_string().as_bytes());
    wait_until("the make", PATIENCE, || status(data.path()).makes == 1);
    chain.kill();

    // This start holds the erasure after its first object is removed, so
    // that a kill leaves it half done.
    let hold = [("RECIPE_CHAIN_TEST_HOLD_ERASURE", "1")];
    let chain = Chain::start_logging_with_env(data.path(), &log, "info", &hold);
    let address = chain.address.clone();
    let token = std::fs::read_to_string(data.path().join("write-token")).expect("the token");
    std::thread::spawn(move || {
        // Never answered: the chain is killed while this waits.
        let authorization = format!("Bearer {token}");
        let _ = testkit::http::request(
            &address,
            "DELETE",
            &format!("/recipes/{ERASED_ID}"),
            &[("Authorization", authorization.as_str())],
            b"",
        );
    });
    wait_until("the first object removed", PATIENCE, || {
        files_below(&bucket).len() == 1
    });
    chain.kill();
    // A folder where the object left is: it cannot be removed as a file.
    let left = ERASED_KEYS
        .iter()
        .find(|key| bucket.join(key).is_file())
        .expect("one object is left");
    std::fs::remove_file(bucket.join(left)).expect("removed");
    std::fs::create_dir(bucket.join(left)).expect("a folder");

    // The next start finishes the erasure before anything else, and fails.
    let failed = std::process::Command::new(env!("CARGO_BIN_EXE_recipe-chain"))
        .args(["up", "--port", "0", "--data"])
        .arg(data.path())
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .output()
        .expect("recipe-chain runs");
    assert!(!failed.status.success(), "the start-up fails");
    let mut text = std::fs::read_to_string(&log).expect("the log");
    text.push_str(&String::from_utf8_lossy(&failed.stdout));
    text.push_str(&String::from_utf8_lossy(&failed.stderr));

    // Logs name keys under the logs' subkey of the data folder's secret:
    // so does this process.
    let secret = std::fs::read_to_string(data.path().join("object-id-secret")).expect("secret");
    shared::object_id::set_log_ids(
        shared::object_id::ObjectIds::from_hex(&secret)
            .expect("a secret")
            .subkey("logs"),
    );
    let pseudonym = shared::object_id::logged(left).to_string();
    assert!(
        text.lines().any(|line| {
            line.contains("finishing an interrupted erasure")
                && line.contains(&pseudonym)
                && line.contains("directory")
        }),
        "the failure is told by its kind, the key by its pseudonym ({pseudonym}):\n{text}"
    );
    for canary in ERASED_KEYS.iter().chain(&[ERASED_ID]) {
        for line in text.lines() {
            assert!(!line.contains(canary), "{canary} is in the log: {line}");
        }
    }

    // Without the folder in the way, the next start finishes it.
    std::fs::remove_dir(bucket.join(left)).expect("the folder removed");
    let chain = Chain::start_logging_at(data.path(), &log, "info");
    assert_eq!(status(data.path()).recipes, 0, "the erasure is finished");
    chain.interrupt_within(PATIENCE);
}
