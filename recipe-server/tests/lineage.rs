//! Recipes that evolve, through the API: a version's source (uploaded,
//! adopted from a make, restored), each version's make figures, variants
//! with their whole line back to the original, and what erasing a parent
//! leaves of it in its variants (nothing but the fact).

mod common;

use axum::http::StatusCode;
use common::{erase, fixture, fresh_app, get, send, write};
use serde_json::{Value, json};
use shared::MakeId;
use shared::canonical::{adopted, restored};

/// The Apple Pie (recipe `1`) as its fixture has it.
fn apple_pie() -> Value {
    serde_json::from_slice(&fixture("pairs/apple-pie/recipe.json")).expect("the fixture")
}

/// A make of the Apple Pie, as its fixture has it.
fn apple_pie_make() -> Value {
    serde_json::from_slice(&fixture("pairs/apple-pie/make.json")).expect("the fixture")
}

async fn post_recipe(app: &axum::Router, key: &str, document: &Value) -> (StatusCode, Value) {
    let (status, _, body) = send(app, write("POST", "/recipes", key, document.to_string())).await;
    (status, body)
}

async fn created(app: &axum::Router, key: &str, document: &Value) -> Value {
    let (status, body) = post_recipe(app, key, document).await;
    assert_eq!(status, StatusCode::CREATED, "{key}: {body}");
    body
}

async fn read(app: &axum::Router, uri: &str) -> Value {
    let (status, _, body) = send(app, get(uri)).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    body
}

/// A variant of the Apple Pie under `recipe_id`, named `name`, with `extra`
/// fields (its `variantOf`).
fn variant(recipe_id: &str, name: &str, extra: Value) -> Value {
    let mut document = apple_pie();
    document["recipeId"] = json!(recipe_id);
    document["recipeName"] = json!(name);
    document["ingredients"][0]["ingredientName"] = json!(format!("{name} apples"));
    for (key, value) in extra.as_object().expect("an object") {
        document[key] = value.clone();
    }
    document
}

#[tokio::test]
async fn an_adopted_make_becomes_the_next_version_and_compares_as_the_make() {
    let (_t, app) = fresh_app("lineage-adopt");
    created(&app, "v1", &apple_pie()).await;
    let (status, _, logged) = send(
        &app,
        write(
            "POST",
            "/recipes/1/makes",
            "m1",
            apple_pie_make().to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{logged}");
    let make_id = logged["makeId"].as_str().expect("a make id").to_owned();
    let make = read(&app, &format!("/recipes/1/makes/{make_id}")).await;

    // What the dashboard and `recipe-chain adopt` upload.
    let id = MakeId::parse(&make_id).expect("an id");
    let body = created(&app, "adopt", &adopted(&make["document"], &id)).await;
    assert_eq!(body["version"], 2, "{body}");

    let recipe = read(&app, "/recipes/1").await;
    assert_eq!(recipe["version"], 2);
    assert_eq!(
        recipe["source"],
        json!({"kind": "adopted", "makeId": make_id})
    );
    assert_eq!(recipe["document"].get("adoptedFrom"), None, "not content");
    assert_eq!(
        recipe["document"].get("rating"),
        None,
        "the make's rating is dropped"
    );

    // The old version against the adopted one: the make's own changes.
    let comparison = read(&app, "/compare?from=1@1&to=1@2").await;
    assert!(
        !testkit::recipe_changes(&make["diff"]).is_empty(),
        "the make changed something"
    );
    assert_eq!(
        testkit::recipe_changes(&comparison["diff"]),
        testkit::recipe_changes(&make["diff"])
    );

    // The versions list: where each came from, and the makes of each.
    let versions = read(&app, "/recipes/1/versions").await;
    let items = versions["items"].as_array().expect("items");
    assert_eq!(items[0]["source"], json!({"kind": "uploaded"}));
    assert_eq!(items[0]["makeCount"], 1);
    assert_eq!(items[0]["changedShare"], 1.0);
    assert_eq!(items[0]["averageMakeRating"], make["rating"]);
    assert_eq!(items[1]["source"]["kind"], "adopted");
    assert_eq!(items[1]["makeCount"], 0);
    assert_eq!(items[1]["changedShare"], Value::Null);

    // Erasing the adopted make leaves the version, still saying which
    // (erased) make it came from; the make is gone, and uncounted.
    let (status, _, body) = send(&app, erase(&format!("/recipes/1/makes/{make_id}"))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _, _) = send(&app, get(&format!("/recipes/1/makes/{make_id}"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let recipe = read(&app, "/recipes/1?version=2").await;
    assert_eq!(
        recipe["source"],
        json!({"kind": "adopted", "makeId": make_id})
    );
    let versions = read(&app, "/recipes/1/versions").await;
    assert_eq!(versions["items"][0]["makeCount"], 0, "{versions}");

    // The adoption's upload delivered again after the erasure is that
    // adoption, replayed: not a refusal, and no new version.
    let (status, _, again) = send(
        &app,
        write(
            "POST",
            "/recipes",
            "adopt",
            adopted(&make["document"], &id).to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["status"], "replayed", "{again}");
    assert_eq!(read(&app, "/rejections").await["items"], json!([]));
    assert_eq!(read(&app, "/recipes/1").await["version"], 2);
}

#[tokio::test]
async fn a_restored_version_is_the_old_content_under_the_next_number() {
    let (_t, app) = fresh_app("lineage-restore");
    created(&app, "v1", &apple_pie()).await;
    let mut v2 = apple_pie();
    v2["recipeName"] = json!("Apple Pie, sweeter");
    created(&app, "v2", &v2).await;
    let old = read(&app, "/recipes/1?version=1").await;
    let body = created(&app, "restore", &restored(&old["document"], 1)).await;
    assert_eq!(body["version"], 3, "{body}");
    let recipe = read(&app, "/recipes/1").await;
    assert_eq!(recipe["source"], json!({"kind": "restored", "version": 1}));
    assert_eq!(recipe["contentHash"], old["contentHash"]);
    assert_eq!(recipe["name"], "Apple Pie");
    let comparison = read(&app, "/compare?from=1@1&to=1@3").await;
    assert_eq!(comparison["diff"]["summary"]["total"], 0, "{comparison}");
}

#[tokio::test]
async fn a_lineage_that_names_nothing_stored_is_refused_and_recorded() {
    let (_t, app) = fresh_app("lineage-refused");
    created(&app, "v1", &apple_pie()).await;
    for (key, extra, path) in [
        (
            "no-make",
            json!({"adoptedFrom": "never-made"}),
            "$.adoptedFrom",
        ),
        ("no-version", json!({"restoredFrom": 9}), "$.restoredFrom"),
        (
            "both",
            json!({"adoptedFrom": "x", "restoredFrom": 1}),
            "$.restoredFrom",
        ),
    ] {
        let mut document = apple_pie();
        document["recipeName"] = json!(format!("Pie {key}"));
        for (field, value) in extra.as_object().expect("an object") {
            document[field] = value.clone();
        }
        let (status, problem) = post_recipe(&app, key, &document).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{key}: {problem}");
        assert_eq!(problem["code"], "invalid-lineage", "{key}: {problem}");
        assert_eq!(problem["path"], path, "{key}: {problem}");
    }
    let rejections = read(&app, "/rejections").await;
    let codes: Vec<&str> = rejections["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    assert_eq!(codes, ["invalid-lineage"; 3], "{rejections}");
    assert_eq!(read(&app, "/recipes/1").await["version"], 1);
}

#[tokio::test]
async fn a_variant_shows_its_line_back_to_the_original() {
    let (_t, app) = fresh_app("lineage-variants");
    // A variant whose parent is not stored yet waits for it, recording nothing.
    let vegan = variant("pie-vegan", "Vegan", json!({"variantOf": "1"}));
    let (status, problem) = post_recipe(&app, "early", &vegan).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    assert_eq!(problem["code"], "parent-not-found", "{problem}");
    assert_eq!(read(&app, "/rejections").await["items"], json!([]));

    created(&app, "v1", &apple_pie()).await;
    let mut v2 = apple_pie();
    v2["recipeName"] = json!("Apple Pie II");
    created(&app, "v2", &v2).await;
    created(&app, "vegan", &vegan).await;
    // A variant of the variant, named the schema.org way, by the
    // dashboard's address of its parent.
    let gluten_free = json!({
        "@context": "https://schema.org",
        "@type": "Recipe",
        "identifier": "pie-vegan-gf",
        "name": "Gluten-free Vegan Pie",
        "isBasedOn": "http://127.0.0.1:8080/#/recipes/pie-vegan",
        "recipeIngredient": ["6 apples", "200 g rice flour"],
        "recipeInstructions": "Bake.",
    });
    created(&app, "gf", &gluten_free).await;
    // A page based on some other site's page is no variant.
    let elsewhere = json!({
        "@context": "https://schema.org",
        "@type": "Recipe",
        "identifier": "tart",
        "name": "Tart",
        "isBasedOn": "https://blog.example/2024/05/grandmas-tart",
        "recipeIngredient": ["3 pears"],
        "recipeInstructions": "Bake.",
    });
    created(&app, "tart", &elsewhere).await;

    let vegan_read = read(&app, "/recipes/pie-vegan").await;
    assert_eq!(
        vegan_read["variantOf"],
        json!({"recipeId": "1", "version": 2})
    );
    assert_eq!(
        vegan_read["lineage"],
        json!([{"recipeId": "1", "version": 2, "name": "Apple Pie II"}])
    );
    let gf = read(&app, "/recipes/pie-vegan-gf").await;
    assert_eq!(
        gf["lineage"],
        json!([
            {"recipeId": "pie-vegan", "version": 1, "name": "Vegan"},
            {"recipeId": "1", "version": 2, "name": "Apple Pie II"},
        ])
    );
    let original = read(&app, "/recipes/1").await;
    assert_eq!(original["lineage"], json!([]));
    assert_eq!(original.get("variantOf"), None);
    assert_eq!(
        original["variants"],
        json!([{"recipeId": "pie-vegan", "name": "Vegan", "currentVersion": 1}])
    );
    assert_eq!(read(&app, "/recipes/tart").await.get("variantOf"), None);

    // The variant compared with the version of its parent it came from.
    let comparison = read(&app, "/compare?from=1@2&to=pie-vegan@1").await;
    assert!(
        testkit::change_ops(&comparison["diff"]).contains(&"ingredient-renamed")
            || testkit::change_ops(&comparison["diff"]).contains(&"ingredient-substituted"),
        "{comparison}"
    );
}

#[tokio::test]
async fn erasing_a_parent_leaves_its_variant_based_on_an_erased_recipe() {
    let (t, app) = fresh_app("lineage-erase-parent");
    let mut parent = apple_pie();
    parent["recipeId"] = json!("quincewhistle-pie");
    parent["recipeName"] = json!("Quincewhistle Pie");
    created(&app, "parent", &parent).await;
    let child = variant(
        "kept-variant",
        "Kept",
        json!({"variantOf": "quincewhistle-pie"}),
    );
    created(&app, "child", &child).await;
    // The comparison is read (and the parent's version parsed and cached)
    // before the erasure.
    read(&app, "/compare?from=quincewhistle-pie@1&to=kept-variant@1").await;

    let (status, _, body) = send(&app, erase("/recipes/quincewhistle-pie")).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let kept = read(&app, "/recipes/kept-variant").await;
    assert_eq!(kept["parentErased"], true, "{kept}");
    assert_eq!(kept.get("variantOf"), None, "{kept}");
    assert_eq!(kept["lineage"], json!([]), "{kept}");
    let text = kept.to_string().to_lowercase();
    assert!(!text.contains("quincewhistle"), "{kept}");
    let (status, _, problem) = send(
        &app,
        get("/compare?from=quincewhistle-pie@1&to=kept-variant@1"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");

    // Every byte of the store's files: nothing of the parent is left.
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(t.dir()).expect("the store's folder") {
        let path = entry.expect("an entry").path();
        if path.is_file() {
            bytes.extend(std::fs::read(&path).expect("a store file"));
        }
    }
    let all = String::from_utf8_lossy(&bytes).to_lowercase();
    assert!(all.contains("kept apples"), "the search sees the variant");
    assert!(
        !all.contains("quincewhistle"),
        "the parent is in the store files"
    );
}
