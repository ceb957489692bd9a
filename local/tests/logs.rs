//! What the chain logs at `info` (what a deployment keeps) never holds a
//! document's words, an object key, a recipe id or a refused value: the
//! test plants canaries in all of them and searches the captured log.

mod common;

use std::time::Duration;

use common::{Chain, put, status, wait_until};
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
