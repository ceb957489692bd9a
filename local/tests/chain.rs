//! The embedded chain, run as a user runs it: examples show diffs within
//! seconds; files already in the folder are picked up once; a file written
//! slowly is not read half-written; `kill -9` with 1,000 makes in flight
//! loses nothing and duplicates nothing; Ctrl-C stops cleanly.

mod common;

use std::io::Write as _;
use std::time::Duration;

use common::{Chain, DataDir, RECIPE, make, put, run, wait_until};

/// Asserts that the chain holds no rejections (`context` says what would
/// have gone wrong).
fn assert_no_rejections(chain: &Chain, context: &str) {
    let rejections = chain.get("/rejections");
    assert_eq!(
        rejections["items"].as_array().map(Vec::len),
        Some(0),
        "{context}: {rejections}"
    );
}

/// Drops the make `bytes` at `key` into the bucket and waits until the
/// chain has stored it as the one make of `recipe_id`.
fn put_the_make(data: &DataDir, chain: &Chain, key: &str, bytes: &[u8], recipe_id: &str) {
    put(&data.bucket(), key, bytes);
    wait_until(&format!("the make {key}"), Duration::from_secs(30), || {
        chain.make_count(recipe_id) == 1
    });
}

/// Drops the apple pie recipe into the bucket and waits until the chain
/// has stored it.
fn put_the_recipe(data: &DataDir, chain: &Chain) {
    put(&data.bucket(), "recipes/pie.json", RECIPE);
    wait_until("the recipe", Duration::from_secs(30), || {
        chain.get("/recipes/1")["version"] == 1
    });
}

#[test]
fn examples_show_their_diffs_within_seconds() {
    let data = DataDir::new("examples");
    let chain = Chain::start(data.path(), &["--examples"]);
    wait_until("the example makes", Duration::from_secs(30), || {
        chain.get("/recipes")["items"]
            .as_array()
            .is_some_and(|r| r.len() == 5 && r.iter().all(|r| r["makeCount"] == 1))
    });
    let diff = chain.get("/recipes/harvest-feast/makes/harvest-2024-11-28");
    assert_eq!(diff["diff"]["summary"]["total"], 8);
    assert_no_rejections(&chain, "the examples");
}

#[test]
fn a_saved_web_page_is_a_recipe_and_a_page_without_one_a_rejection() {
    let pages = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/pages/");
    let read = |name: &str| std::fs::read(format!("{pages}{name}")).expect("fixture");
    let data = DataDir::new("pages");
    let chain = Chain::start(data.path(), &[]);
    put(
        &data.bucket(),
        "recipes/cakes/lemon-drizzle-cake.html",
        &read("lemon-drizzle-cake.html"),
    );
    put(
        &data.bucket(),
        "recipes/sourdough-tips.htm",
        &read("sourdough-tips.html"),
    );
    wait_until("the page's recipe", Duration::from_secs(30), || {
        chain.get("/recipes/lemon-drizzle-cake")["version"] == 1
    });
    put_the_make(
        &data,
        &chain,
        "makes/fete.json",
        &read("lemon-drizzle-cake.make.json"),
        "lemon-drizzle-cake",
    );
    let make = chain.get("/recipes/lemon-drizzle-cake/makes/drizzle-for-the-fete");
    let ops = testkit::change_ops(&make["diff"]);
    assert_eq!(
        ops,
        ["rating-changed", "quantity-changed", "step-edited"],
        "{make}"
    );
    wait_until("the rejection", Duration::from_secs(30), || {
        chain.get("/rejections")["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty())
    });
    let rejections = chain.get("/rejections");
    let rejection = &rejections["items"][0];
    assert_eq!(
        (
            &rejection["objectKey"],
            &rejection["code"],
            &rejection["path"]
        ),
        (
            &serde_json::Value::from("recipes/sourdough-tips.htm"),
            &serde_json::Value::from("no-recipe"),
            &serde_json::Value::from("$")
        ),
        "{rejections}"
    );
}

#[test]
fn files_already_in_the_folder_are_picked_up_exactly_once() {
    let data = DataDir::new("startup");
    put(&data.bucket(), "recipes/pie.json", RECIPE);
    for n in 0..5 {
        put(&data.bucket(), &format!("makes/{n}.json"), &make(n));
    }
    let chain = Chain::start(data.path(), &[]);
    wait_until("five makes", Duration::from_secs(30), || {
        chain.make_count("1") == 5
    });
    chain.kill();
    // Started again: the same files are not queued again.
    let chain = Chain::start(data.path(), &[]);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(chain.make_count("1"), 5);
    let status = run(&["status"], data.path());
    assert!(status.contains("makes         5"), "{status}");
}

#[test]
fn a_file_written_slowly_is_read_only_when_complete() {
    let data = DataDir::new("slow");
    let chain = Chain::start(data.path(), &[]);
    put_the_recipe(&data, &chain);
    // Written in pieces, straight under its final name, with pauses.
    let bytes = make(1);
    let path = data.bucket().join("makes/slow.json");
    let mut file = std::fs::File::create(&path).expect("create");
    for piece in bytes.chunks(bytes.len() / 4 + 1) {
        file.write_all(piece).expect("write");
        file.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(60));
    }
    drop(file);
    wait_until("the make", Duration::from_secs(30), || {
        chain.make_count("1") == 1
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_no_rejections(&chain, "a half-written file was read");
}

#[test]
fn kill_9_with_a_thousand_makes_in_flight_loses_nothing_and_duplicates_nothing() {
    let data = DataDir::new("crash");
    let chain = Chain::start(data.path(), &[]);
    put_the_recipe(&data, &chain);
    for n in 0..1000 {
        put(&data.bucket(), &format!("makes/{n:04}.json"), &make(n));
    }
    wait_until("some makes", Duration::from_secs(60), || {
        chain.make_count("1") >= 20
    });
    let before = chain.make_count("1");
    chain.kill();
    assert!(
        before < 1000,
        "the kill came too late to test anything ({before} makes stored)"
    );

    let chain = Chain::start(data.path(), &[]);
    wait_until("all 1,000 makes", Duration::from_secs(180), || {
        chain.make_count("1") >= 1000
    });
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(chain.make_count("1"), 1000, "exactly one make per file");
    // Every make is a different file's: its notes say which.
    let mut notes = std::collections::BTreeSet::new();
    let mut cursor = String::new();
    loop {
        let page = chain.get(&format!("/recipes/1/makes?limit=100{cursor}"));
        for item in page["items"].as_array().cloned().unwrap_or_default() {
            let id = item["makeId"].as_str().unwrap_or_default().to_owned();
            let make = chain.get(&format!("/recipes/1/makes/{id}"));
            notes.insert(make["notes"].as_str().unwrap_or_default().to_owned());
        }
        match page["nextCursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(notes.len(), 1000);
    let status = run(&["status"], data.path());
    assert!(status.contains("queue         0 waiting"), "{status}");
    assert!(status.contains("dead letters  0"), "{status}");
    assert!(status.contains("rejections    0"), "{status}");
}

#[test]
fn ctrl_c_stops_cleanly_and_unfinished_work_is_done_at_the_next_start() {
    let data = DataDir::new("ctrl-c");
    let chain = Chain::start(data.path(), &[]);
    put(&data.bucket(), "recipes/pie.json", RECIPE);
    for n in 0..200 {
        put(&data.bucket(), &format!("makes/{n:03}.json"), &make(n));
    }
    wait_until("some makes", Duration::from_secs(60), || {
        chain.make_count("1") >= 5
    });
    let status = chain.interrupt();
    assert!(status.success(), "{status}");
    let chain = Chain::start(data.path(), &[]);
    wait_until("all 200 makes", Duration::from_secs(120), || {
        chain.make_count("1") >= 200
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(chain.make_count("1"), 200);
}

#[test]
fn drop_status_and_redrive_work_from_the_command_line() {
    let data = DataDir::new("tools");
    let dir = data.path().join("incoming");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("pie.json"), RECIPE).expect("write");
    std::fs::write(dir.join("dinner.json"), make(1)).expect("write");
    let out = run(
        &[
            "drop",
            dir.join("pie.json").to_str().expect("utf-8"),
            dir.join("dinner.json").to_str().expect("utf-8"),
        ],
        data.path(),
    );
    assert!(out.contains("dropped 2 of 2 files"), "{out}");
    assert!(data.bucket().join("recipes/pie.json").exists());
    assert!(data.bucket().join("makes/dinner.json").exists());
    let chain = Chain::start(data.path(), &[]);
    wait_until("the make", Duration::from_secs(30), || {
        chain.make_count("1") == 1
    });
    drop(chain);
    let status = run(&["status"], data.path());
    assert!(
        status.contains("recipes       1") && status.contains("makes         1"),
        "{status}"
    );
    let redrive = run(&["redrive"], data.path());
    assert!(
        redrive.contains("0 dead-lettered jobs are back"),
        "{redrive}"
    );
}

/// `document` (JSON) naming the recipe `id`.
fn naming(document: &[u8], id: &str) -> Vec<u8> {
    let mut document: serde_json::Value = serde_json::from_slice(document).expect("JSON");
    document["recipeId"] = id.into();
    document.to_string().into_bytes()
}

#[test]
fn the_smoke_tests_recipes_come_only_from_its_folder_and_it_holds_only_them() {
    let data = DataDir::new("smoke-namespace");
    let chain = Chain::start(data.path(), &[]);
    let bucket = data.bucket();
    let refused = [
        // A cook may not name a recipe in the smoke test's namespace...
        (
            "recipes/cooks/dashboard/pie.json",
            naming(RECIPE, "smoke-1"),
        ),
        ("makes/cooks/dashboard/m.json", naming(&make(1), "smoke-1")),
        // ...nor may the smoke test's folder version another recipe.
        ("recipes/smoke/pie.json", RECIPE.to_vec()),
        ("makes/smoke/m.json", make(2)),
    ];
    for (key, bytes) in &refused {
        put(&bucket, key, bytes);
    }
    // The smoke test's own uploads are stored.
    put(
        &bucket,
        "recipes/smoke/smoke-1.json",
        &naming(RECIPE, "smoke-1"),
    );
    put(
        &bucket,
        "makes/smoke/smoke-1-make.json",
        &naming(&make(3), "smoke-1"),
    );
    wait_until("the smoke test's make", Duration::from_secs(30), || {
        chain.make_count("smoke-1") >= 1
    });
    wait_until("the four refusals", Duration::from_secs(30), || {
        chain.get("/rejections")["items"]
            .as_array()
            .is_some_and(|items| items.len() == refused.len())
    });
    let rejections = chain.get("/rejections");
    let mut found: Vec<(String, String, String)> = rejections["items"]
        .as_array()
        .expect("rejections")
        .iter()
        .map(|r| {
            let text = |field: &str| r[field].as_str().unwrap_or_default().to_owned();
            (text("objectKey"), text("code"), text("path"))
        })
        .collect();
    found.sort();
    let mut expected: Vec<(String, String, String)> = refused
        .iter()
        .map(|(key, _)| {
            let (code, path) = ("reserved-recipe-id", "$.recipeId");
            ((*key).to_owned(), code.to_owned(), path.to_owned())
        })
        .collect();
    expected.sort();
    assert_eq!(found, expected, "{rejections}");
    // Nothing refused was stored: the smoke recipe alone, with its make.
    let recipes = chain.get("/recipes");
    let ids = testkit::strings_of(&recipes["items"], "recipeId");
    assert_eq!(ids, ["smoke-1"], "{recipes}");
    assert_eq!(chain.make_count("smoke-1"), 1);
}

/// A raised `MAX_OBJECT_BYTES` reaches every part of the chain (issue 23,
/// item 6): a recipe larger than the default limit (1 MiB) and within the
/// raised one is stored. It is too large for a job's message, so it travels
/// by claim check and the sender reads it from the bucket folder; the
/// sender's read once kept the default limit, and the recipe was refused
/// `too-large` although the watcher and the server took it.
#[test]
fn a_raised_object_limit_reaches_the_senders_claim_check_read() {
    const RAISED: usize = 2 * 1024 * 1024;
    let mut recipe: serde_json::Value = serde_json::from_slice(RECIPE).expect("fixture");
    recipe["recipeId"] = "big-loaf".into();
    let step = "Fold the apples in gently, then rest. ".repeat(63);
    recipe["steps"] = (1..=500)
        .map(|i| serde_json::json!({"stepId": i, "stepText": step}))
        .collect();
    let bytes = recipe.to_string().into_bytes();
    assert!(
        (1024 * 1024 + 1..RAISED).contains(&bytes.len()),
        "between the default limit and the raised one: {} bytes",
        bytes.len()
    );

    let data = DataDir::new("raised-limit");
    let raised = RAISED.to_string();
    let chain = Chain::start_with_env(data.path(), &[("MAX_OBJECT_BYTES", &raised)]);
    put(&data.bucket(), "recipes/big-loaf.json", &bytes);
    wait_until("the recipe or its refusal", Duration::from_secs(60), || {
        chain.get("/recipes/big-loaf")["version"] == 1
            || chain.get("/rejections")["items"]
                .as_array()
                .is_some_and(|items| !items.is_empty())
    });
    assert_no_rejections(&chain, "a document within the raised limit");
    assert_eq!(chain.get("/recipes/big-loaf")["version"], 1);
}

/// An app's archive dropped into the bucket folder under `recipes/` is one
/// stored recipe per entry, a bad entry a rejection naming the archive and
/// the entry; deleting the archive withdraws every recipe it brought.
#[test]
fn an_app_archive_is_one_recipe_per_entry_and_its_deletion_withdraws_them_all() {
    let archives = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/archives/");
    let read = |name: &str| std::fs::read(format!("{archives}{name}")).expect("fixture");
    let data = DataDir::new("archives");
    let chain = Chain::start(data.path(), &[]);
    let key = "recipes/exports/My Recipes.paprikarecipes";
    put(&data.bucket(), key, &read("paprika-mixed.paprikarecipes"));
    put(
        &data.bucket(),
        "recipes/exports/tandoor.zip",
        &read("tandoor.zip"),
    );
    put(
        &data.bucket(),
        "recipes/exports/cookbook.zip",
        &read("nextcloud.zip"),
    );
    put(
        &data.bucket(),
        "recipes/exports/mealie.zip",
        &read("mealie.zip"),
    );
    put(
        &data.bucket(),
        "recipes/exports/large.paprikarecipes",
        &read("paprika-large.paprikarecipes"),
    );
    let stored = [
        "Buttermilk%20Pancakes",
        "Lemon%20Tart",
        "Chickpea%20Curry",
        "Overnight%20Oats",
        "Shakshuka",
        "Focaccia",
        "tomato-soup",
        "garlic-bread",
        "Long%20Bake",
    ];
    wait_until("every entry's recipe", Duration::from_secs(60), || {
        stored
            .iter()
            .all(|id| chain.get(&format!("/recipes/{id}"))["version"] == 1)
    });
    let pancakes = chain.get("/recipes/Buttermilk%20Pancakes");
    assert_eq!(pancakes["name"], "Buttermilk Pancakes", "{pancakes}");
    wait_until("three rejections", Duration::from_secs(30), || {
        chain.get("/rejections")["items"]
            .as_array()
            .is_some_and(|items| items.len() == 3)
    });
    let rejections = chain.get("/rejections");
    for rejection in rejections["items"].as_array().expect("a list") {
        assert_eq!(rejection["objectKey"], key, "{rejection}");
        let message = rejection["message"].as_str().unwrap_or_default();
        assert!(message.contains(".paprikarecipe\""), "{rejection}");
    }
    let mut codes: Vec<&str> = rejections["items"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        ["invalid-json", "invalid-number", "unreadable-archive"]
    );

    // The archive goes: what each of its entries stored is withdrawn, and
    // its rejections go.
    std::fs::remove_file(data.bucket().join(key)).expect("rm");
    wait_until(
        "the archive's recipes withdrawn",
        Duration::from_secs(30),
        || {
            ["Buttermilk%20Pancakes", "Lemon%20Tart"]
                .iter()
                .all(|id| chain.get(&format!("/recipes/{id}"))["withdrawn"] == true)
        },
    );
    wait_until("its rejections gone", Duration::from_secs(30), || {
        chain.get("/rejections")["items"]
            .as_array()
            .is_some_and(Vec::is_empty)
    });
    assert_ne!(chain.get("/recipes/Shakshuka")["withdrawn"], true);
}

/// A Cooklang fixture (`fixtures/cooklang/`).
fn cooklang(name: &str) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/cooklang/");
    std::fs::read(format!("{path}{name}")).expect("the fixture")
}

#[test]
fn a_cooklang_make_of_a_cooklang_recipe_is_diffed_and_bad_cooklang_refused() {
    let data = DataDir::new("cooklang");
    let chain = Chain::start(data.path(), &[]);
    // Named by the key's stem: the recipe has a title but no id.
    put(
        &data.bucket(),
        "recipes/pancakes.cook",
        &cooklang("pancakes.cook"),
    );
    wait_until("the Cooklang recipe", Duration::from_secs(30), || {
        chain.get("/recipes/pancakes")["version"] == 1
    });
    let recipe = chain.get("/recipes/pancakes");
    assert_eq!(recipe["name"], "Pancakes", "{recipe}");
    put_the_make(
        &data,
        &chain,
        "makes/sunday-pancakes.cook",
        &cooklang("sunday-pancakes.cook"),
        "pancakes",
    );
    let makes = chain.get("/recipes/pancakes/makes");
    let make_id = makes["items"][0]["makeId"]
        .as_str()
        .unwrap_or_else(|| panic!("a make id: {makes}"))
        .to_owned();
    let make = chain.get(&format!("/recipes/pancakes/makes/{make_id}"));
    assert_eq!(
        testkit::change_ops(&make["diff"]),
        ["rating-changed", "quantity-changed", "unit-changed"],
        "{make}"
    );
    assert_no_rejections(&chain, "the Cooklang pair");

    put(
        &data.bucket(),
        "makes/broken.cook",
        &cooklang("broken.cook"),
    );
    wait_until("the rejection", Duration::from_secs(30), || {
        chain.get("/rejections")["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty())
    });
    let rejections = chain.get("/rejections");
    let rejection = &rejections["items"][0];
    assert_eq!(
        (
            rejection["objectKey"].as_str(),
            rejection["code"].as_str(),
            rejection["message"].as_str()
        ),
        (
            Some("makes/broken.cook"),
            Some("invalid-cooklang"),
            Some("not valid Cooklang: Empty quantity value (line 3, column 14)")
        ),
        "{rejections}"
    );
}
