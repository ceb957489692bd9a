//! The hostile input corpus (`fixtures/hostile/`): every file, under the key
//! its README gives, ends as the rejection (code and JSON path) or the
//! recipe or make (with the diff's changes) that the README's table says:
//! first judged by the parser alone, then dropped into a running
//! `recipe-chain up` and read back through the API. Never a panic, a 5xx,
//! a hang (every wait has a limit) or a silent drop: at the end the
//! recipes, makes and rejections are exactly those of the table, nothing
//! waits on the queue or in the dead letters, and the chain's log has no
//! panic and no server error.

#![cfg(unix)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use common::{Chain, DataDir, status, wait_until};
use serde_json::{Value, json};
use shared::Limits;
use shared::keys::recipe_id_from_key;
use shared::parse::{parse_make, parse_recipe};
use shared::wire::segment;

/// How long any one phase may take before the test fails.
const PHASE: Duration = Duration::from_secs(60);

/// Where a case is dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    /// An object key, as raw bytes (a file name need not be UTF-8).
    Key(Vec<u8>),
    /// A request straight to the API: `POST /recipes/{id}/makes`.
    Api { path: String },
}

/// What a case must end as.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Expect {
    Rejected {
        code: String,
        path: String,
    },
    Recipe {
        id: String,
        name: Option<String>,
    },
    Make {
        id: String,
        recipe: String,
        ops: Vec<String>,
    },
    /// A make whose recipe has not arrived: it waits, then is stored.
    Waits {
        id: String,
        recipe: String,
        ops: Vec<String>,
    },
}

#[derive(Clone, Debug)]
struct Case {
    file: String,
    generated: bool,
    target: Target,
    expect: Expect,
}

impl Case {
    fn key(&self) -> Option<&[u8]> {
        match &self.target {
            Target::Key(key) => Some(key),
            Target::Api { .. } => None,
        }
    }

    /// The key as the chain reports it (invalid UTF-8 replaced).
    fn key_text(&self) -> String {
        match &self.target {
            Target::Key(key) => String::from_utf8_lossy(key).into_owned(),
            Target::Api { .. } => format!("api/{}", self.file),
        }
    }

    fn is_recipe_upload(&self) -> bool {
        self.key().is_some_and(|k| k.starts_with(b"recipes/"))
    }
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/hostile")
}

/// The backticked words of a table cell, up to a remark in brackets.
fn ticks(cell: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current: Option<String> = None;
    let mut previous = ' ';
    for c in cell.chars() {
        match (&mut current, c) {
            (Some(word), '`') => {
                words.push(std::mem::take(word));
                current = None;
            }
            (Some(word), c) => word.push(c),
            (None, '`') => current = Some(String::new()),
            (None, '(') if previous == ' ' => break,
            (None, _) => {}
        }
        previous = c;
    }
    words
}

/// A key as the table writes it: `\n`, `\\` and `\xHH` escapes.
fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buffer = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            continue;
        }
        match chars.next() {
            Some('n') => out.push(b'\n'),
            Some('\\') => out.push(b'\\'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(u8::from_str_radix(&hex, 16).expect("two hex digits"));
            }
            other => panic!("unknown escape \\{other:?} in {text:?}"),
        }
    }
    out
}

/// The README's table, read.
fn cases() -> Vec<Case> {
    let readme = std::fs::read_to_string(corpus().join("README.md")).expect("README.md");
    let mut cases = Vec::new();
    for line in readme.lines() {
        let line = line.trim();
        if !(line.starts_with("| `") || line.starts_with("| generated: `")) {
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(cells.len(), 3, "three cells: {line}");
        let file = ticks(cells[0]).remove(0);
        let generated = cells[0].starts_with("generated:");
        let target = if let Some(api) = cells[1].strip_prefix("API ") {
            let request = ticks(api).remove(0);
            let path = request.strip_prefix("POST ").expect("a POST").to_owned();
            Target::Api { path }
        } else if file == "long-key.json" {
            Target::Key(long_key())
        } else {
            Target::Key(unescape(&ticks(cells[1]).remove(0)))
        };
        let words = ticks(cells[2]);
        let expected = cells[2];
        let expect = if expected.starts_with("recipe ") {
            Expect::Recipe {
                id: words[0].clone(),
                name: words.get(1).cloned(),
            }
        } else if expected.starts_with("make ") {
            Expect::Make {
                id: words[0].clone(),
                recipe: words[1].clone(),
                ops: words[2..].to_vec(),
            }
        } else if expected.starts_with("waits ") {
            assert_eq!(words[0], words[2], "{line}");
            Expect::Waits {
                id: words[1].clone(),
                recipe: words[2].clone(),
                ops: words[3..].to_vec(),
            }
        } else {
            Expect::Rejected {
                code: words[0].clone(),
                path: words[1].clone(),
            }
        };
        cases.push(Case {
            file,
            generated,
            target,
            expect,
        });
    }
    cases
}

fn base_make(make_id: &str) -> Value {
    let mut make: Value =
        serde_json::from_slice(&std::fs::read(corpus().join("recipe-base.json")).expect("base"))
            .expect("json");
    make["makeId"] = Value::from(make_id);
    make["rating"] = Value::from(5);
    make
}

/// A key of 1,124 characters under `makes/`, longer than S3 allows.
fn long_key() -> Vec<u8> {
    let folders: Vec<String> = (0..5)
        .map(|n| char::from(b'a' + n).to_string().repeat(220))
        .collect();
    format!("makes/{}/long-key.json", folders.join("/")).into_bytes()
}

/// The inputs too big to commit.
fn generated(file: &str) -> Vec<u8> {
    let many = |n: usize| vec!["a"; n];
    match file {
        "ten-megabytes.json" => json!({
            "recipeName": "Ten Megabytes", "recipeId": "hostile-10mb",
            "notes": "x".repeat(10 * 1024 * 1024)
        })
        .to_string()
        .into_bytes(),
        "depth-10000-arrays.json" => format!(
            r#"{{"recipeName": "Deep", "recipeId": "hostile-deep", "x": {}{}}}"#,
            "[".repeat(10_000),
            "]".repeat(10_000)
        )
        .into_bytes(),
        "depth-10000-objects.json" => {
            format!("{}1{}", r#"{"a": "#.repeat(10_000), "}".repeat(10_000)).into_bytes()
        }
        "ingredients-100000.json" => json!({
            "recipeName": "Many", "recipeId": "hostile-many", "ingredients": many(100_000)
        })
        .to_string()
        .into_bytes(),
        "schema-org-ingredients-100000.json" => json!({
            "@context": "https://schema.org", "@type": "Recipe", "identifier": "hostile-many-schema",
            "name": "Many", "recipeIngredient": many(100_000)
        })
        .to_string()
        .into_bytes(),
        "claim-check-recipe.json" => {
            let ingredients: Vec<Value> = (0..450)
                .map(|i| {
                    json!({"ingredientId": i, "quantity": 1, "measurement": "g",
                           "ingredientName": format!("{} {i}", "spice ".repeat(80))})
                })
                .collect();
            let recipe = json!({
                "recipeName": "Claim Check Loaf", "recipeId": "hostile-claim-check",
                "ingredients": ingredients, "steps": ["Mix.", "Bake."]
            });
            let bytes = recipe.to_string().into_bytes();
            assert!(bytes.len() > 192 * 1024 && bytes.len() < 1024 * 1024);
            bytes
        }
        "long-key.json" => base_make("long-key").to_string().into_bytes(),
        "html-gigantic-attribute.html" | "html-deep-nesting.html" => {
            let block = json!({
                "@context": "https://schema.org", "@type": "Recipe",
                "identifier": "hostile-html-attribute", "name": "Attribute Loaf",
                "recipeIngredient": ["500 g bread flour"], "recipeInstructions": ["Bake."]
            });
            let before = if file == "html-deep-nesting.html" {
                "<b>".repeat(300_000)
            } else {
                format!("<div data-x=\"{}\"></div>", "a".repeat(900_000))
            };
            let page = format!(
                "<!DOCTYPE html><html><body>{before}<script type=\"application/ld+json\">{block}</script></body></html>"
            );
            assert!(page.len() < 1024 * 1024);
            page.into_bytes()
        }
        other => panic!("no generator for {other}"),
    }
}

fn bytes_of(case: &Case) -> Vec<u8> {
    if case.generated {
        generated(&case.file)
    } else {
        std::fs::read(corpus().join(&case.file)).unwrap_or_else(|e| panic!("{}: {e}", case.file))
    }
}

#[test]
fn the_table_and_the_files_agree() {
    let cases = cases();
    let listed: BTreeSet<String> = cases
        .iter()
        .filter(|c| !c.generated)
        .map(|c| c.file.clone())
        .collect();
    let present: BTreeSet<String> = std::fs::read_dir(corpus())
        .expect("the corpus")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .into_string()
                .expect("UTF-8")
        })
        .filter(|name| name != "README.md")
        .collect();
    assert_eq!(listed, present, "every file has a row and every row a file");
    assert!(present.len() >= 50, "{} files", present.len());
    let keys: BTreeSet<String> = cases.iter().map(Case::key_text).collect();
    assert_eq!(keys.len(), cases.len(), "one key per case");
}

/// Runs `work` on its own thread: a panic or a hang fails the test with the
/// file's name.
fn judged<T: Send + 'static>(file: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let _ = tx.send(work());
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(result) => result,
        Err(_) => match handle.join() {
            Err(_) => panic!("{file}: the parser panicked"),
            Ok(()) => panic!("{file}: the parser took longer than 10 s"),
        },
    }
}

#[test]
fn the_parser_judges_every_hostile_document_as_the_table_says() {
    for case in cases() {
        let Target::Key(key) = &case.target else {
            continue;
        };
        let key = String::from_utf8_lossy(key).into_owned();
        // These are decided by the key or by the server, not the document.
        if let Expect::Rejected { code, .. } = &case.expect
            && matches!(code.as_str(), "bad-key" | "make-conflict")
        {
            continue;
        }
        let bytes = bytes_of(&case);
        let recipe = case.is_recipe_upload();
        let outcome = judged(&case.file, move || {
            let limits = Limits::default();
            if recipe {
                let fallback = recipe_id_from_key(&key);
                parse_recipe(&bytes, &limits, fallback.as_ref())
                    .map(|r| (r.id().to_string(), Some(r.name().to_owned())))
            } else {
                parse_make(&bytes, &limits).map(|m| (m.recipe_id().to_string(), None))
            }
        });
        match (&case.expect, outcome) {
            (Expect::Rejected { code, path }, Err(rejection)) => {
                assert_eq!(
                    (rejection.code().as_str(), rejection.path.to_string()),
                    (code.as_str(), path.clone()),
                    "{}: {rejection}",
                    case.file
                );
            }
            (Expect::Recipe { id, name }, Ok((found_id, found_name))) => {
                assert_eq!(&found_id, id, "{}", case.file);
                if let Some(name) = name {
                    assert_eq!(found_name.as_ref(), Some(name), "{}", case.file);
                }
            }
            (Expect::Make { recipe, .. } | Expect::Waits { recipe, .. }, Ok((found_recipe, _))) => {
                assert_eq!(&found_recipe, recipe, "{}", case.file);
            }
            (expect, outcome) => panic!("{}: expected {expect:?}, got {outcome:?}", case.file),
        }
    }
}

/// Writes a file as a careful tool does (a hidden name, then a rename),
/// under a key that need not be UTF-8.
fn put_raw(bucket: &Path, key: &[u8], bytes: &[u8]) {
    let target = bucket.join(OsString::from_vec(key.to_vec()));
    std::fs::create_dir_all(target.parent().expect("a parent")).expect("folders");
    let mut hidden = OsString::from(".");
    hidden.push(target.file_name().expect("a name"));
    hidden.push(".partial");
    let partial = target.with_file_name(hidden);
    std::fs::write(&partial, bytes).expect("write");
    std::fs::rename(&partial, &target).expect("rename");
}

/// The text under `field` of each item that has one.
fn texts(items: &[Value], field: &str) -> BTreeSet<String> {
    items
        .iter()
        .filter_map(|item| item[field].as_str().map(str::to_owned))
        .collect()
}

/// Rejections by object key.
fn rejections(chain: &Chain) -> BTreeMap<String, (String, String)> {
    let mut found = BTreeMap::new();
    for item in chain.all("/rejections?limit=100") {
        let key = item["objectKey"].as_str().unwrap_or("(none)").to_owned();
        let outcome = (
            item["code"].as_str().unwrap_or_default().to_owned(),
            item["path"].as_str().unwrap_or_default().to_owned(),
        );
        assert!(
            found.insert(key.clone(), outcome).is_none(),
            "two rejections for {key:?}"
        );
    }
    found
}

/// Whether a case's outcome is visible through the API.
fn settled(chain: &Chain, case: &Case, rejected: &BTreeMap<String, (String, String)>) -> bool {
    match &case.expect {
        Expect::Rejected { .. } => rejected.contains_key(&case.key_text()),
        Expect::Recipe { id, .. } => {
            chain.get(&format!("/recipes/{}", segment(id)))["version"] == 1
        }
        Expect::Make { id, recipe, .. } | Expect::Waits { id, recipe, .. } => {
            chain.get(&format!(
                "/recipes/{}/makes/{}",
                segment(recipe),
                segment(id)
            ))["makeId"]
                == id.as_str()
        }
    }
}

fn wait_for(chain: &Chain, what: &str, cases: &[&Case]) {
    let deadline = std::time::Instant::now() + PHASE;
    loop {
        let rejected = rejections(chain);
        let unsettled: Vec<String> = cases
            .iter()
            .filter(|case| !settled(chain, case, &rejected))
            .map(|case| format!("{} ({:?})", case.file, case.key_text()))
            .collect();
        if unsettled.is_empty() {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}: {unsettled:#?}\nrejections: {rejected:#?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn drop_all(bucket: &Path, cases: &[&Case]) {
    for case in cases {
        if let Target::Key(key) = &case.target {
            put_raw(bucket, key, &bytes_of(case));
        }
    }
}

#[test]
fn every_hostile_upload_ends_as_the_table_says_through_the_embedded_chain() {
    let cases = cases();
    let data = DataDir::new("hostile");
    let bucket = data.bucket();
    let log = data.path().join("chain.log");
    let mut chain = Chain::start_logging(data.path(), &log);

    let waits: Vec<&Case> = cases
        .iter()
        .filter(|c| matches!(c.expect, Expect::Waits { .. }))
        .collect();
    let latecomers: BTreeSet<String> = waits
        .iter()
        .filter_map(|c| match &c.expect {
            Expect::Waits { recipe, .. } => Some(recipe.clone()),
            _ => None,
        })
        .collect();
    let is_late = |c: &Case| match &c.expect {
        Expect::Recipe { id, .. } => latecomers.contains(id),
        Expect::Rejected { code, .. } => code == "make-conflict",
        _ => false,
    };
    let recipes: Vec<&Case> = cases
        .iter()
        .filter(|c| c.is_recipe_upload() && !is_late(c))
        .collect();
    let makes: Vec<&Case> = cases
        .iter()
        .filter(|c| {
            !c.is_recipe_upload() && !is_late(c) && !matches!(c.expect, Expect::Waits { .. })
        })
        .collect();
    let late: Vec<&Case> = cases.iter().filter(|c| is_late(c)).collect();

    // Recipes first, so that makes find theirs.
    drop_all(&bucket, &recipes);
    wait_for(&chain, "the recipe uploads", &recipes);

    // Makes, and the requests straight to the API.
    drop_all(&bucket, &makes);
    let token = std::fs::read_to_string(data.path().join("write-token")).expect("the write token");
    for case in &makes {
        let Target::Api { path } = &case.target else {
            continue;
        };
        let Expect::Rejected { code, path: at } = &case.expect else {
            panic!("{}: an API case must be refused", case.file)
        };
        let response = testkit::http::request(
            &chain.address,
            "POST",
            path,
            &[
                ("Authorization", &format!("Bearer {}", token.trim())),
                ("Idempotency-Key", &format!("hostile-{}", case.file)),
                ("Content-Type", "application/json"),
                ("X-Object-Key", &case.key_text()),
            ],
            &bytes_of(case),
        )
        .expect("the API answers");
        assert_eq!(response.status, 422, "{}: {}", case.file, response.text);
        assert_eq!(
            (&response.json["code"], &response.json["path"]),
            (&Value::from(code.as_str()), &Value::from(at.as_str())),
            "{}",
            case.file
        );
    }
    wait_for(&chain, "the make uploads", &makes);

    // A make whose recipe has not come waits on the queue: not stored, not
    // rejected, not dead.
    drop_all(&bucket, &waits);
    wait_until("the waiting make to be queued", PHASE, || {
        let now = status(data.path());
        now.waiting + now.in_flight >= 1
    });
    std::thread::sleep(Duration::from_millis(1500));
    let rejected = rejections(&chain);
    for case in &waits {
        assert!(!settled(&chain, case, &rejected), "{} is stored", case.file);
        assert!(
            !rejected.contains_key(&case.key_text()),
            "{} was rejected",
            case.file
        );
    }
    let now = status(data.path());
    assert_eq!(now.dead, 0, "{now:?}");
    assert!(now.waiting + now.in_flight >= waits.len() as u64, "{now:?}");

    // Its recipe, and a make that conflicts with one already stored.
    drop_all(&bucket, &late);
    wait_for(&chain, "the late uploads", &late);
    wait_for(&chain, "the waiting makes", &waits);
    std::thread::sleep(Duration::from_secs(1));

    // Exactly the table, nothing more.
    let expected_rejections: BTreeMap<String, (String, String)> = cases
        .iter()
        .filter_map(|c| match &c.expect {
            Expect::Rejected { code, path } => Some((c.key_text(), (code.clone(), path.clone()))),
            _ => None,
        })
        .collect();
    assert_eq!(rejections(&chain), expected_rejections);

    let mut expected_makes: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    let mut expected_recipes = BTreeMap::new();
    for case in &cases {
        match &case.expect {
            Expect::Recipe { id, name } => {
                assert!(
                    expected_recipes.insert(id.clone(), name.clone()).is_none(),
                    "two recipes {id}"
                );
            }
            Expect::Make { id, recipe, ops } | Expect::Waits { id, recipe, ops } => {
                expected_makes
                    .entry(recipe.clone())
                    .or_default()
                    .insert(id.clone(), ops.clone());
            }
            Expect::Rejected { .. } => {}
        }
    }
    let stored: Vec<Value> = chain.all("/recipes?limit=100");
    assert_eq!(
        texts(&stored, "recipeId"),
        expected_recipes.keys().cloned().collect::<BTreeSet<_>>(),
        "the recipes"
    );
    let mut mismatched = Vec::new();
    for recipe in &stored {
        let id = recipe["recipeId"].as_str().expect("an id");
        assert_eq!(recipe["currentVersion"], 1, "{id}: one version");
        if let Some(Some(name)) = expected_recipes.get(id) {
            assert_eq!(recipe["name"], name.as_str(), "{id}: the name");
        }
        let makes = chain.all(&format!("/recipes/{}/makes?limit=100", segment(id)));
        let expected = expected_makes.remove(id).unwrap_or_default();
        assert_eq!(
            texts(&makes, "makeId"),
            expected.keys().cloned().collect::<BTreeSet<_>>(),
            "the makes of {id}"
        );
        for (make_id, ops) in expected {
            let make = chain.get(&format!(
                "/recipes/{}/makes/{}",
                segment(id),
                segment(&make_id)
            ));
            let found: Vec<String> = make["diff"]["changes"]
                .as_array()
                .expect("changes")
                .iter()
                .filter_map(|c| c["op"].as_str().map(str::to_owned))
                .collect();
            if found != ops {
                mismatched.push(format!("{make_id}: expected {ops:?}, found {found:?}"));
            }
        }
    }
    assert!(mismatched.is_empty(), "diffs: {mismatched:#?}");
    assert!(
        expected_makes.is_empty(),
        "makes of missing recipes: {expected_makes:?}"
    );

    let last = status(data.path());
    assert_eq!(
        (last.waiting, last.in_flight, last.dead),
        (0, 0, 0),
        "{last:?}"
    );
    assert!(chain.is_running(), "the chain is still running");
    let health = testkit::http::get(&chain.address, "/health").expect("health");
    assert_eq!(health.status, 200);
    let log = std::fs::read_to_string(&log).expect("the log");
    assert!(
        log.contains("recipe-chain is running"),
        "the log is read: {log}"
    );
    for sign in ["panicked", "answered 5"] {
        assert!(!log.contains(sign), "the chain logged {sign:?}:\n{log}");
    }
}
