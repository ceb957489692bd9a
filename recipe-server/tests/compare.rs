//! `GET /compare`: any two recipe versions, of one recipe or of two,
//! answered with the same diff document a make has; an unknown recipe or
//! version is a 404 that says which, a malformed reference a 400 that
//! names the parameter.

mod common;

use axum::http::StatusCode;
use common::{fixture, fresh_app, get, send, write};
use serde_json::{Value, json};

/// The Apple Pie as its fixture has it.
fn apple_pie() -> Value {
    serde_json::from_slice(&fixture("pairs/apple-pie/recipe.json")).expect("the fixture")
}

/// A router with the Apple Pie at versions 1 (as the fixture) and 2 (more
/// sugar, the nutmeg left out), and a variant of it as recipe `pie-2`.
async fn app_with_versions(name: &str) -> (common::TempStore, axum::Router) {
    let (t, app) = fresh_app(name);
    let v1 = apple_pie();
    let mut v2 = v1.clone();
    v2["ingredients"][1]["quantity"] = json!(1);
    let nutmeg_out: Vec<Value> = v2["ingredients"]
        .as_array()
        .expect("ingredients")
        .iter()
        .filter(|i| i["ingredientId"] != 5)
        .cloned()
        .collect();
    v2["ingredients"] = Value::Array(nutmeg_out);
    let mut variant = v1.clone();
    variant["recipeId"] = json!("pie-2");
    variant["ingredients"][0]["ingredientName"] = json!("Bramley apples");
    for (key, body) in [("v1", &v1), ("v2", &v2), ("variant", &variant)] {
        let (status, _, answer) =
            send(&app, write("POST", "/recipes", key, body.to_string())).await;
        assert_eq!(status, StatusCode::CREATED, "{key}: {answer}");
    }
    (t, app)
}

/// The ops of a comparison's changes.
fn ops(comparison: &Value) -> Vec<&str> {
    testkit::change_ops(&comparison["diff"])
}

#[tokio::test]
async fn two_versions_of_one_recipe_compare_as_a_make_diffs() {
    let (_t, app) = app_with_versions("compare-versions").await;
    let (status, _, comparison) = send(&app, get("/compare?from=1@1&to=1@2")).await;
    assert_eq!(status, StatusCode::OK, "{comparison}");
    assert_eq!(comparison["from"], json!({"recipeId": "1", "version": 1}));
    assert_eq!(comparison["to"], json!({"recipeId": "1", "version": 2}));
    let changes = ops(&comparison);
    assert!(changes.contains(&"quantity-changed"), "{comparison}");
    assert!(changes.contains(&"ingredient-removed"), "{comparison}");
    assert_eq!(
        comparison["diff"]["summary"]["ingredientsRemoved"], 1,
        "{comparison}"
    );
    assert!(
        comparison["diff"]["patch"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
    );
    assert!(
        comparison["diff"]["differences"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
    );

    // Back the other way, the nutmeg comes back; a version with itself is
    // no change at all.
    let (_, _, back) = send(&app, get("/compare?from=1@2&to=1@1")).await;
    assert!(ops(&back).contains(&"ingredient-added"), "{back}");
    let (_, _, same) = send(&app, get("/compare?from=1@2&to=1@2")).await;
    assert_eq!(ops(&same), Vec::<&str>::new(), "{same}");
    assert_eq!(same["diff"]["summary"]["total"], 0, "{same}");
}

#[tokio::test]
async fn a_variant_compares_with_its_parent() {
    let (_t, app) = app_with_versions("compare-variant").await;
    let (status, _, comparison) = send(&app, get("/compare?from=1@1&to=pie-2@1")).await;
    assert_eq!(status, StatusCode::OK, "{comparison}");
    let changes = ops(&comparison);
    assert!(
        changes.contains(&"ingredient-renamed") || changes.contains(&"ingredient-substituted"),
        "{comparison}"
    );
    assert_eq!(comparison["to"]["recipeId"], "pie-2");
}

#[tokio::test]
async fn an_unknown_recipe_or_version_is_a_404_that_says_which() {
    let (_t, app) = app_with_versions("compare-unknown").await;
    for (uri, code, names) in [
        ("/compare?from=1@1&to=tart@1", "recipe-not-found", "tart"),
        ("/compare?from=tart@1&to=1@1", "recipe-not-found", "tart"),
        ("/compare?from=1@1&to=1@9", "version-not-found", "9"),
    ] {
        let (status, _, problem) = send(&app, get(uri)).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (StatusCode::NOT_FOUND, Some(code)),
            "{uri}: {problem}"
        );
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains(names)),
            "{uri}: {problem}"
        );
    }
}

#[tokio::test]
async fn a_malformed_reference_is_a_400_that_names_the_parameter() {
    let (_t, app) = app_with_versions("compare-malformed").await;
    for (uri, parameter) in [
        ("/compare?to=1@1", "from"),
        ("/compare?from=1@1", "to"),
        ("/compare?from=1&to=1@1", "from"),
        ("/compare?from=1@1&to=1@0", "to"),
        ("/compare?from=1@one&to=1@1", "from"),
        ("/compare?from=@1&to=1@1", "from"),
        ("/compare?from=1@1&to=1@-2", "to"),
    ] {
        let (status, _, problem) = send(&app, get(uri)).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid-query")),
            "{uri}: {problem}"
        );
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with(&format!("{parameter} must be recipeId@version"))),
            "{uri}: {problem}"
        );
    }
}

#[tokio::test]
async fn an_id_with_an_at_sign_is_split_at_its_last_one() {
    let (_t, app) = fresh_app("compare-at-sign");
    let mut pie = apple_pie();
    pie["recipeId"] = json!("pie@home");
    let (status, _, answer) = send(&app, write("POST", "/recipes", "at", pie.to_string())).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let (status, _, comparison) =
        send(&app, get("/compare?from=pie%40home@1&to=pie%40home@1")).await;
    assert_eq!(status, StatusCode::OK, "{comparison}");
    assert_eq!(comparison["from"]["recipeId"], "pie@home");
}
