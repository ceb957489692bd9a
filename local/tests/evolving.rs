//! Recipes that evolve on the whole local chain: `recipe-chain adopt` turns
//! a make into the recipe's next version, `recipe-chain restore` brings an
//! earlier version back, and a variant dropped into the bucket folder is
//! stored with its parent; each goes through the bucket folder, the
//! watcher, the queue and the server as any upload.

mod common;

use std::time::Duration;

use common::{Chain, DataDir, RECIPE, make, put, run, wait_until};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);

/// Waits until recipe `id` is at `version`, and answers it.
fn at_version(chain: &Chain, id: &str, version: u64) -> Value {
    wait_until(&format!("recipe {id} at version {version}"), WAIT, || {
        chain.get(&format!("/recipes/{id}"))["version"] == version
    });
    chain.get(&format!("/recipes/{id}"))
}

#[test]
fn a_make_is_adopted_a_version_restored_and_a_variant_kept_with_its_parent() {
    let data = DataDir::new("evolving");
    let chain = Chain::start(data.path(), &[]);
    put(&data.bucket(), "recipes/pie.json", RECIPE);
    at_version(&chain, "1", 1);
    put(&data.bucket(), "makes/sunday.json", &make(1));
    wait_until("the make", WAIT, || chain.make_count("1") == 1);
    let make_id = chain.get("/recipes/1/makes")["items"][0]["makeId"]
        .as_str()
        .expect("a make id")
        .to_owned();

    // Adopt: the make becomes version 2, from the bucket folder.
    let said = run(&["adopt", "1", &make_id], data.path());
    assert!(said.contains("dropped recipes/1.adopt-"), "{said}");
    let adopted = at_version(&chain, "1", 2);
    assert_eq!(
        adopted["source"],
        json!({"kind": "adopted", "makeId": make_id})
    );
    let make = chain.get(&format!("/recipes/1/makes/{make_id}"));
    let compared = chain.get("/compare?from=1@1&to=1@2");
    assert_eq!(
        testkit::recipe_changes(&compared["diff"]),
        testkit::recipe_changes(&make["diff"])
    );

    // Restore: version 1's content again, as version 3.
    let said = run(&["restore", "1", "1"], data.path());
    assert!(said.contains("dropped recipes/1.restore-1-"), "{said}");
    let back = at_version(&chain, "1", 3);
    assert_eq!(back["source"], json!({"kind": "restored", "version": 1}));
    assert_eq!(
        back["contentHash"],
        chain.get("/recipes/1?version=1")["contentHash"]
    );

    // A variant, from a document that names its parent.
    let mut variant: Value = serde_json::from_slice(RECIPE).expect("JSON");
    variant["recipeId"] = json!("pie-pear");
    variant["recipeName"] = json!("Pear Pie");
    variant["ingredients"][0]["ingredientName"] = json!("pears");
    variant["variantOf"] = json!(1);
    put(
        &data.bucket(),
        "recipes/pear-pie.json",
        variant.to_string().as_bytes(),
    );
    let pear = at_version(&chain, "pie-pear", 1);
    assert_eq!(pear["variantOf"], json!({"recipeId": "1", "version": 3}));
    assert_eq!(
        chain.get("/recipes/1")["variants"][0]["recipeId"],
        "pie-pear"
    );

    // What cannot be adopted or restored is said, and nothing is dropped.
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_recipe-chain"))
        .args(["restore", "1", "9", "--data"])
        .arg(data.path())
        .output()
        .expect("runs");
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("recipe \"1\" has no version 9"), "{said}");
}
