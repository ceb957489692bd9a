//! Deleting a file from the bucket folder takes back what came from it: a
//! make leaves the store with its counts, a rejection goes, a recipe is
//! withdrawn; a file deleted while the chain is down is seen at start; a
//! file dropped again after its deletion is a new upload.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Chain, DataDir, RECIPE, make, put, status, wait_until};

const PATIENCE: Duration = Duration::from_secs(30);

fn rejection_count(chain: &Chain) -> usize {
    chain.get("/rejections")["items"]
        .as_array()
        .map_or(0, Vec::len)
}

/// A chain started on a fresh data directory, the recipe dropped into its
/// bucket.
fn start_with_recipe(name: &str) -> (DataDir, Chain) {
    let data = DataDir::new(name);
    let chain = Chain::start(data.path(), &[]);
    put(&data.bucket(), "recipes/pie.json", RECIPE);
    (data, chain)
}

/// Deletes the file `key` from the bucket folder.
fn remove(bucket: &Path, key: &str) {
    std::fs::remove_file(bucket.join(key)).expect("rm");
}

#[test]
fn deleting_files_takes_back_their_makes_rejections_and_recipe() {
    let (data, chain) = start_with_recipe("delete");
    let bucket = data.bucket();
    for n in 0..3 {
        put(&bucket, &format!("makes/{n}.json"), &make(n));
    }
    put(&bucket, "makes/bad.json", b"{not json");
    wait_until("three makes and a rejection", PATIENCE, || {
        chain.make_count("1") == 3 && rejection_count(&chain) == 1
    });

    remove(&bucket, "makes/1.json");
    remove(&bucket, "makes/bad.json");
    wait_until("the deleted make and rejection gone", PATIENCE, || {
        chain.make_count("1") == 2 && rejection_count(&chain) == 0
    });
    let notes: Vec<String> = chain
        .all("/recipes/1/makes?limit=100")
        .iter()
        .map(|m| {
            let id = m["makeId"].as_str().expect("an id");
            chain.get(&format!("/recipes/1/makes/{id}"))["notes"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert!(
        !notes.iter().any(|n| n == "make number 1"),
        "the deleted make is gone: {notes:?}"
    );
    assert_eq!(chain.get("/recipes/1/insights")["makes"], 2);

    // Dropped again: a new upload.
    put(&bucket, "makes/1.json", &make(1));
    wait_until("the make back", PATIENCE, || chain.make_count("1") == 3);

    // The recipe's file goes: the recipe is withdrawn, its makes kept.
    remove(&bucket, "recipes/pie.json");
    wait_until("the recipe withdrawn", PATIENCE, || {
        chain.get("/recipes/1")["withdrawn"] == true
    });
    assert_eq!(chain.make_count("1"), 3);
    let now = status(data.path());
    assert_eq!(
        (now.deletions, now.makes, now.rejections),
        (3, 3, 0),
        "{now:?}"
    );
}

#[test]
fn a_file_deleted_while_the_chain_is_down_is_deleted_at_start() {
    let (data, chain) = start_with_recipe("delete-down");
    let bucket = data.bucket();
    put(&bucket, "makes/0.json", &make(0));
    wait_until("the make", PATIENCE, || chain.make_count("1") == 1);
    chain.kill();
    remove(&bucket, "makes/0.json");
    let chain = Chain::start(data.path(), &[]);
    wait_until("the make gone", PATIENCE, || chain.make_count("1") == 0);
    assert_eq!(status(data.path()).deletions, 1);
}
