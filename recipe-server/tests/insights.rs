//! Insights through the API: a recipe's at any number of makes (read from
//! the tally its store keeps, equal to a fold of every make), and
//! `GET /insights` across recipes, with its filters and their refusals.

mod common;

use axum::http::StatusCode;
use common::{TempStore, app, erase, fixture, get, send, write};
use serde_json::{Value, json};
use shared::RecipeId;
use shared::store::RecipeStore;

/// The `n`th made-up make of recipe `1`.
fn many(n: u32) -> shared::store::NewMake {
    testkit::made_up::make(&RecipeId::parse("1").expect("an id"), n)
}

/// Every make of recipe `1` folded afresh, as the API would answer it.
async fn fresh_insights(store: &dyn RecipeStore, rating: Option<f64>) -> Value {
    let id = RecipeId::parse("1").expect("an id");
    let tally = testkit::store_contract::fold_stored_makes(store, &id).await;
    serde_json::to_value(tally.insights(id, rating, 20)).expect("JSON")
}

async fn post_recipe(app: &axum::Router, key: &str, path: &str) {
    let (status, _, body) = send(app, write("POST", "/recipes", key, fixture(path))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn a_recipe_with_more_than_ten_thousand_makes_counts_every_one() {
    let t = TempStore::new("insights-many");
    let app = app(t.store.clone());
    post_recipe(&app, "k-recipe", "pairs/apple-pie/recipe.json").await;
    // Half before the first read, which folds them and keeps the fold…
    for n in 0..5_000 {
        t.store.put_make(&many(n)).await.expect("stored");
    }
    let (status, _, first) = send(&app, get("/recipes/1/insights")).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["makes"], 5_000);
    let kept = t
        .store
        .insight_tally(&RecipeId::parse("1").expect("an id"))
        .await
        .expect("read");
    assert_eq!(
        kept.tally.map(|t| t.makes()),
        Some(5_000),
        "the first read kept its fold"
    );
    // …and the rest after it, each counted in by its own write.
    for n in 5_000..10_001 {
        t.store.put_make(&many(n)).await.expect("stored");
    }
    let (status, _, insights) = send(&app, get("/recipes/1/insights")).await;
    assert_eq!(status, StatusCode::OK, "{insights}");
    assert_eq!(insights["makes"], 10_001, "every make is counted");
    assert_eq!(insights["changedMakes"], 10_001);
    // The rated ones: every n not divisible by 3.
    assert_eq!(insights["ratedMakes"], 10_001 - (10_000 / 3 + 1));
    let months: u64 = insights["months"]
        .as_array()
        .expect("months")
        .iter()
        .map(|m| m["makes"].as_u64().expect("a count"))
        .sum();
    assert_eq!(months, 10_001, "the months count every make");
    assert_eq!(insights, fresh_insights(t.store.as_ref(), Some(4.0)).await);
}

/// The Apple Pie (recipe `1`) and the 50/30 pair's recipe, each with its
/// fixture make, and a second Apple Pie make that swaps butter for olive
/// oil in May 2025.
async fn two_recipes(app: &axum::Router) -> String {
    post_recipe(app, "k-pie", "pairs/apple-pie/recipe.json").await;
    post_recipe(app, "k-big", "pairs/big/recipe.json").await;
    let big: Value = serde_json::from_slice(&fixture("pairs/big/recipe.json")).expect("JSON");
    let big_id = big["recipeId"].to_string().trim_matches('"').to_owned();
    for (key, uri, path) in [
        (
            "k-pie-make",
            "/recipes/1/makes",
            "pairs/apple-pie/make.json",
        ),
        (
            "k-big-make",
            &format!("/recipes/{big_id}/makes"),
            "pairs/big/make.json",
        ),
    ] {
        let (status, _, body) = send(app, write("POST", uri, key, fixture(path))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let mut swap: Value =
        serde_json::from_slice(&fixture("pairs/apple-pie/make.json")).expect("JSON");
    swap["makeId"] = json!("swap");
    swap["madeAt"] = json!("2025-05-10");
    swap["rating"] = json!(3);
    for ingredient in swap["ingredients"].as_array_mut().expect("ingredients") {
        if ingredient["ingredientName"] == "butter" {
            ingredient["ingredientName"] = json!("olive oil");
        }
    }
    let (status, _, body) = send(
        app,
        write("POST", "/recipes/1/makes", "k-swap", swap.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    big_id
}

#[tokio::test]
async fn insights_across_recipes_add_up_each_recipes_and_filter_by_recipe_and_month() {
    let t = TempStore::new("insights-across");
    let app = app(t.store.clone());
    let big_id = two_recipes(&app).await;

    let (status, _, all) = send(&app, get("/insights")).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let (_, _, pie) = send(&app, get("/recipes/1/insights")).await;
    let (_, _, big) = send(&app, get(&format!("/recipes/{big_id}/insights"))).await;
    assert_eq!(all["recipes"], 2);
    assert_eq!(all["makes"], 3);
    assert_eq!(
        all["makes"].as_u64(),
        Some(pie["makes"].as_u64().expect("n") + big["makes"].as_u64().expect("n"))
    );
    assert_eq!(all["recipeId"], Value::Null);
    let swaps: Vec<_> = all["substitutions"]
        .as_array()
        .expect("substitutions")
        .iter()
        .filter(|s| s["to"] == "olive oil")
        .map(|s| (s["from"].clone(), s["count"].clone(), s["recipes"].clone()))
        .collect();
    assert_eq!(swaps, [(json!("butter"), json!(1), json!(1))]);
    let versions: Vec<_> = all["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| {
            (
                v["recipeId"].clone(),
                v["version"].clone(),
                v["makes"].clone(),
            )
        })
        .collect();
    assert!(
        versions.contains(&(json!("1"), json!(1), json!(2))),
        "{versions:?}"
    );

    // One recipe: the same figures as its own insights.
    let (_, _, one) = send(&app, get("/insights?recipe=1")).await;
    assert_eq!(
        (one["recipes"].clone(), one["makes"].clone()),
        (json!(1), pie["makes"].clone())
    );
    assert_eq!(one["months"], pie["months"]);
    assert_eq!(one["recipeId"], "1");

    // A month range narrows the totals and the series, not the rankings.
    let (_, _, may) = send(&app, get("/insights?from=2025-05&to=2025-05")).await;
    assert_eq!(
        (may["makes"].clone(), may["recipes"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(may["averageMakeRating"], 3.0);
    let spans: Vec<_> = may["months"]
        .as_array()
        .expect("months")
        .iter()
        .map(|m| m["span"].clone())
        .collect();
    assert_eq!(spans, [json!("2025-05")]);
    assert_eq!(may["substitutions"], all["substitutions"]);
    assert_eq!(
        (may["from"].clone(), may["to"].clone()),
        (json!("2025-05"), json!("2025-05"))
    );
}

#[tokio::test]
async fn a_filter_that_is_not_one_is_refused_where_it_is_wrong() {
    let t = TempStore::new("insights-filters");
    let app = app(t.store.clone());
    two_recipes(&app).await;
    for (query, names) in [
        ("from=2025-13", "from"),
        ("to=May", "to"),
        ("from=2025-06&to=2025-05", "after"),
        ("recipe=", "recipe"),
    ] {
        let (status, content_type, body) = send(&app, get(&format!("/insights?{query}"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(content_type, "application/problem+json");
        assert_eq!(body["code"], "invalid-query", "{query}");
        let detail = body["detail"].as_str().expect("a detail");
        assert!(detail.contains(names), "{query}: {detail}");
    }
    let (status, _, body) = send(&app, get("/insights?recipe=no-such-recipe")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["code"], "recipe-not-found");
}

#[tokio::test]
async fn an_erased_make_leaves_the_insights_across_recipes() {
    let t = TempStore::new("insights-erased");
    let app = app(t.store.clone());
    two_recipes(&app).await;
    let (_, _, before) = send(&app, get("/insights")).await;
    assert_eq!(before["makes"], 3);
    let (status, _, body) = send(&app, erase("/recipes/1/makes/swap")).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, _, after) = send(&app, get("/insights")).await;
    assert_eq!(after["makes"], 2);
    assert!(
        !after.to_string().contains("olive oil"),
        "the erased make's substitution is gone: {after}"
    );
}
