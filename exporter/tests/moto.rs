//! The scheduled export on moto: recipes and makes stored through the
//! recipe server's service into moto's DynamoDB, one run of the exporter
//! into moto's S3 through the real aws-sdk-rust clients, and the four
//! tables read back with DuckDB, running docs/analysis.md's example SQL as
//! written; then a recipe erased, and the next run holds nothing of it.

use std::path::Path;
use std::sync::Arc;

use aws_adapters::DynamoStore;
use exporter::lambda::{Config, run};
use exporter::{Options, TABLES};
use recipe_server::service::{Erasure, Service, Write};
use serde_json::{Value, json};
use shared::store::{ErasureTarget, IdempotencyKey, ObjectIds};
use shared::{Limits, RecipeId};
use testkit::MotoServer;
use testkit::duckdb::{documented, query};

const RECIPE: &[u8] = include_bytes!("../../fixtures/pairs/apple-pie/recipe.json");
const BUCKET: &str = "analytics";
/// The export's own secret, as the function's environment gives it.
const SECRET: &str = "8f2d6c1e4b7a9d0c3e5f7a1b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a4b6c8d";

fn write(key: &str) -> Write {
    Write {
        key: IdempotencyKey::parse(key).expect("a key"),
        object_key: None,
        sequencer: None,
    }
}

/// The Apple Pie as recipe `id`.
fn recipe(id: &str) -> Vec<u8> {
    let mut recipe: Value = serde_json::from_slice(RECIPE).expect("JSON");
    recipe["recipeId"] = json!(id);
    recipe.to_string().into_bytes()
}

/// A make of the Apple Pie `recipe`: its lemon juice swapped for `swap`,
/// rated `rating`, with a note that must never reach the export.
fn make(recipe: &str, id: &str, rating: f64, swap: &str) -> Vec<u8> {
    let mut make: Value = serde_json::from_slice(RECIPE).expect("JSON");
    make["recipeId"] = json!(recipe);
    make["makeId"] = json!(id);
    make["madeAt"] = json!("2026-12-01");
    make["rating"] = json!(rating);
    make["notes"] = json!("NOTE-CANARY: never exported");
    make["ingredients"][5]["ingredientName"] = json!(swap);
    make.to_string().into_bytes()
}

/// Every table of one run, downloaded from the bucket into `dir`.
async fn download(s3: &aws_sdk_s3::Client, dir: &Path) {
    for table in TABLES {
        let object = s3
            .get_object()
            .bucket(BUCKET)
            .key(format!("{table}/{table}.parquet"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{table}: {e}"));
        let bytes = object.body.collect().await.expect("the body").into_bytes();
        std::fs::write(dir.join(format!("{table}.parquet")), &bytes).expect("written");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduled_export_writes_tables_that_duckdb_reads_and_an_erasure_leaves_them() {
    let moto = MotoServer::start();
    let config = testkit::aws::sdk_config(&moto).await;
    let dynamo = aws_sdk_dynamodb::Client::new(&config);
    DynamoStore::create_table(&dynamo, "recipes")
        .await
        .expect("table created");
    let store = Arc::new(DynamoStore::new(dynamo, "recipes"));
    let s3 = testkit::aws::s3_client(&config);
    s3.create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("bucket created");
    let service = Service::new(
        store.clone(),
        Limits::default(),
        Erasure::new(ObjectIds::for_tests()),
        None,
        None,
    );
    for id in ["pie", "pie-2"] {
        service
            .put_recipe(&write(&format!("{id}-v1")), &recipe(id))
            .await
            .expect("the recipe");
    }
    for (recipe, id, rating, swap) in [
        ("pie", "a", 5.0, "lime juice"),
        ("pie", "b", 3.0, "lime juice"),
        ("pie-2", "c", 4.0, "lime juice"),
        ("pie-2", "d", 4.0, "orange juice"),
    ] {
        service
            .log_make(
                &RecipeId::parse(recipe).expect("an id"),
                &write(&format!("{recipe}-{id}")),
                &make(recipe, id, rating, swap),
            )
            .await
            .expect("the make");
    }

    // The function's configuration, as its environment gives it.
    let function = Config::from_lookup(|name| match name {
        "TABLE_NAME" => Some("recipes".into()),
        "ANALYTICS_BUCKET" => Some(BUCKET.into()),
        "EXPORT_SECRET" => Some(SECRET.into()),
        _ => None,
    })
    .expect("the configuration");
    assert!(
        !function.options.with_text,
        "step text stays out by default"
    );
    let export = async || {
        run(
            &store,
            &s3,
            &function.bucket,
            &function.cooks,
            function.options,
        )
        .await
        .expect("the export")
    };
    let exported = export().await;
    assert_eq!(
        (exported.recipes, exported.versions, exported.makes),
        (2, 2, 4)
    );

    let dir = testkit::temp_dir("exporter-moto-");
    download(&s3, dir.path()).await;
    let substituted = query(dir.path(), &documented("most-substituted"));
    assert_eq!(
        substituted,
        [
            json!(["lemon juice", "lime juice", 3, 2]),
            json!(["lemon juice", "orange juice", 1, 1]),
        ],
        "{substituted:?}"
    );
    let rated = query(dir.path(), &documented("changes-and-ratings"));
    assert!(
        rated.contains(&json!(["substitution", "substituted", 4, 4.0, 0.0])),
        "{rated:?}"
    );
    for table in TABLES {
        let bytes = std::fs::read(dir.path().join(format!("{table}.parquet"))).expect("a file");
        assert!(
            !String::from_utf8_lossy(&bytes).contains("NOTE-CANARY"),
            "notes never leave ({table})"
        );
    }

    // Erase pie-2; the next scheduled run replaces every table.
    let target = ErasureTarget::Recipe {
        recipe_id: RecipeId::parse("pie-2").expect("an id"),
    };
    service
        .erase(&target)
        .await
        .expect("erased")
        .expect("it was there");
    let exported = export().await;
    assert_eq!((exported.recipes, exported.makes), (1, 2));
    download(&s3, dir.path()).await;
    for table in TABLES {
        let rows = query(
            dir.path(),
            &format!("SELECT count(*) FROM '{table}.parquet' WHERE recipe_id = 'pie-2'"),
        );
        assert_eq!(
            rows,
            [json!([0])],
            "{table} holds nothing of the erased recipe"
        );
        let bytes = std::fs::read(dir.path().join(format!("{table}.parquet"))).expect("a file");
        assert!(
            !String::from_utf8_lossy(&bytes).contains("orange juice"),
            "{table}"
        );
    }
}

#[test]
fn a_bad_setting_stops_the_function_with_its_name() {
    let settings = |secret: &'static str, text: &'static str| {
        move |name: &str| match name {
            "TABLE_NAME" => Some("recipes".to_owned()),
            "ANALYTICS_BUCKET" => Some(BUCKET.to_owned()),
            "EXPORT_SECRET" => Some(secret.to_owned()).filter(|s| !s.is_empty()),
            "EXPORT_STEP_TEXT" => Some(text.to_owned()).filter(|s| !s.is_empty()),
            _ => None,
        }
    };
    for (secret, text, named) in [
        ("", "", "EXPORT_SECRET"),
        ("not hex", "", "EXPORT_SECRET"),
        (SECRET, "yes", "EXPORT_STEP_TEXT"),
    ] {
        let error = Config::from_lookup(settings(secret, text))
            .err()
            .unwrap_or_else(|| panic!("{secret:?} / {text:?} was taken"));
        assert!(error.contains(named), "{error}");
    }
    let with_text = Config::from_lookup(settings(SECRET, "true")).expect("taken");
    assert_eq!(with_text.options, Options { with_text: true });
    assert!(Config::from_lookup(|_| None).is_err());
}
