//! `recipe-chain export --parquet DIR` on the whole local chain, read back
//! with DuckDB (PyPI `duckdb`, in `.venv/`, installed by `make test`): the
//! example SQL of docs/analysis.md, run as written, gives the answers the
//! uploaded makes imply; after an erasure, the next export holds nothing of
//! the erased recipe in any table.

mod common;

use std::time::Duration;

use common::{Chain, DataDir, RECIPE, put, run, wait_until};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);
const TABLES: [&str; 4] = ["recipes", "versions", "makes", "changes"];

use testkit::duckdb::{documented, query as duckdb};

/// A make of the Apple Pie (recipe `recipe`) named `id`, rated `rating`,
/// with `edit` applied to its ingredients.
fn make(recipe: &str, id: &str, rating: f64, edit: impl Fn(&mut Value)) -> Vec<u8> {
    let mut make: Value = serde_json::from_slice(RECIPE).expect("JSON");
    make["recipeId"] = json!(recipe);
    make["makeId"] = json!(id);
    make["madeAt"] = json!("2026-12-01");
    make["rating"] = json!(rating);
    edit(&mut make["ingredients"]);
    make.to_string().into_bytes()
}

fn lime(ingredients: &mut Value) {
    ingredients[5]["ingredientName"] = json!("lime juice");
}

#[test]
fn an_export_reads_in_duckdb_with_the_documented_sql_and_forgets_an_erasure() {
    let data = DataDir::new("export");
    let chain = Chain::start(data.path(), &[]);
    let mut other: Value = serde_json::from_slice(RECIPE).expect("JSON");
    other["recipeId"] = json!("pie-2");
    put(&data.bucket(), "recipes/pie.json", RECIPE);
    put(
        &data.bucket(),
        "recipes/pie-2.json",
        other.to_string().as_bytes(),
    );
    wait_until("both recipes", WAIT, || {
        chain.get("/recipes/1")["version"] == 1 && chain.get("/recipes/pie-2")["version"] == 1
    });
    let makes = [
        ("1", "a", 5.0, make("1", "a", 5.0, lime)),
        (
            "1",
            "b",
            3.0,
            make("1", "b", 3.0, |i| {
                lime(i);
                i[1]["quantity"] = json!(1);
            }),
        ),
        (
            "1",
            "c",
            4.0,
            make("1", "c", 4.0, |i| {
                i[7]["ingredientName"] = json!("coconut oil")
            }),
        ),
        ("pie-2", "d", 4.0, make("pie-2", "d", 4.0, lime)),
    ];
    // Makes a and b are logged by one cook from the dashboard.
    for (recipe, id, _, body) in &makes {
        let folder = if ["a", "b"].contains(id) {
            "makes/cooks/cook-one"
        } else {
            "makes"
        };
        put(
            &data.bucket(),
            &format!("{folder}/{recipe}-{id}.json"),
            body,
        );
    }
    wait_until("the makes", WAIT, || {
        chain.make_count("1") == 3 && chain.make_count("pie-2") == 1
    });

    let out = data.path().join("analysis");
    let said = run(
        &["export", "--parquet", out.to_str().expect("UTF-8")],
        data.path(),
    );
    assert!(said.contains("2 recipes, 2 versions, 4 makes"), "{said}");
    for table in TABLES {
        assert!(out.join(format!("{table}.parquet")).exists(), "{table}");
    }

    // The most substituted ingredients, across both recipes.
    let substituted = duckdb(&out, &documented("most-substituted"));
    assert_eq!(
        substituted,
        [
            json!(["lemon juice", "lime juice", 3, 2]),
            json!(["butter", "coconut oil", 1, 1]),
        ],
        "{substituted:?}"
    );
    // Changes and ratings: every make substituted something (mean 4.0, as
    // all rated makes); only make b (rated 3) changed an amount.
    let rated = duckdb(&out, &documented("changes-and-ratings"));
    let row = |kind: &str, change: &str| {
        rated
            .iter()
            .find(|r| r[0] == kind && r[1] == change)
            .cloned()
            .unwrap_or_else(|| panic!("no row {kind} {change}: {rated:?}"))
    };
    assert_eq!(
        row("substitution", "substituted"),
        json!(["substitution", "substituted", 4, 4.0, 0.0])
    );
    assert_eq!(
        row("ingredient", "quantity"),
        json!(["ingredient", "quantity", 1, 3.0, -1.0])
    );
    // Who logged a make goes out as one pseudonym per cook, never the id.
    let cooks = duckdb(
        &out,
        "SELECT make_id, logged_by FROM 'makes.parquet' ORDER BY recipe_id, make_id",
    );
    let pseudonym = cooks[0][1].as_str().expect("make a's cook").to_owned();
    assert_eq!(pseudonym.len(), 64, "{cooks:?}");
    assert_eq!(cooks[1][1], json!(pseudonym), "{cooks:?}");
    assert_eq!(
        (cooks[2][1].clone(), cooks[3][1].clone()),
        (Value::Null, Value::Null),
        "{cooks:?}"
    );
    let bytes = std::fs::read(out.join("makes.parquet")).expect("the file");
    assert!(!String::from_utf8_lossy(&bytes).contains("cook-one"));
    // Notes and step text stay out.
    let columns = duckdb(
        &out,
        "SELECT count(*) FROM 'changes.parquet' WHERE subject IS NULL AND kind <> 'step'",
    );
    assert_eq!(columns, [json!([0])]);

    // Erase pie-2: the next export holds nothing of it, in any table.
    let token = std::fs::read_to_string(data.path().join("write-token")).expect("the token");
    let authorization = format!("Bearer {}", token.trim());
    let erased = testkit::http::request(
        &chain.address,
        "DELETE",
        "/recipes/pie-2",
        &[("Authorization", authorization.as_str())],
        b"",
    )
    .expect("the chain answers");
    assert_eq!(erased.status, 204);
    let said = run(
        &["export", "--parquet", out.to_str().expect("UTF-8")],
        data.path(),
    );
    assert!(said.contains("1 recipes, 1 versions, 3 makes"), "{said}");
    for table in TABLES {
        let left = duckdb(
            &out,
            &format!("SELECT count(*) FROM '{table}.parquet' WHERE recipe_id = 'pie-2'"),
        );
        assert_eq!(left, [json!([0])], "{table}");
        let bytes = std::fs::read(out.join(format!("{table}.parquet"))).expect("the file");
        assert!(
            !String::from_utf8_lossy(&bytes).contains("pie-2"),
            "{table}.parquet still names the erased recipe"
        );
    }
    let substituted = duckdb(&out, &documented("most-substituted"));
    assert_eq!(substituted[0], json!(["lemon juice", "lime juice", 2, 1]));
}
