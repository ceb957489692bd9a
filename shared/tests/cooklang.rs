//! A `.cook` upload (issue 24, item 2) is read into the seed format's
//! JSON, so that a Cooklang make diffs against a Cooklang recipe exactly
//! as the same make and recipe written as JSON do.

use serde_json::json;
use shared::keys::recipe_id_from_key;
use shared::parse::{make_from_value, read_document, recipe_from_value};
use shared::{Limits, Make, Recipe, diff_make, parse_make, parse_recipe};

fn limits() -> Limits {
    Limits::default()
}

/// A `.cook` recipe under `key`, as the chain reads it.
fn recipe(key: &str, text: &str) -> Recipe {
    let document = read_document(text.as_bytes(), &limits(), Some(key)).expect("reads");
    recipe_from_value(&document, &limits(), recipe_id_from_key(key).as_ref()).expect("a recipe")
}

/// A `.cook` make, as the chain reads one under `makes/`.
fn make(text: &str) -> Make {
    let document =
        read_document(text.as_bytes(), &limits(), Some("makes/sunday.cook")).expect("reads");
    make_from_value(&document, &limits()).expect("a make")
}

#[test]
fn a_cook_make_diffs_as_a_json_make_does() {
    let recipe_text = ">> title: Pancakes\n\nMix @flour{250%g}, @milk{1/2%cup} and @eggs{2}.\n\nFry in @butter{1%tbsp}.\n";
    let make_text = ">> title: Pancakes\n>> recipe: pancakes\n>> rating: 4\n\n\
         Mix @flour{300%g}, @milk{120%ml} and @eggs{2}.\n\nFry in @oil{1%tbsp}.\n";
    let cook_recipe = recipe("recipes/pancakes.cook", recipe_text);
    let cook_make = make(make_text);
    let json_recipe = parse_recipe(
        json!({"recipeName": "Pancakes", "recipeId": "pancakes",
            "ingredients": ["250 g flour", "1/2 cup milk", "2 eggs", "1 tbsp butter"],
            "steps": ["Mix flour, milk and eggs.", "Fry in butter."]})
        .to_string()
        .as_bytes(),
        &limits(),
        None,
    )
    .expect("JSON recipe");
    let json_make = parse_make(
        json!({"recipeName": "Pancakes", "recipeId": "pancakes", "rating": 4,
            "ingredients": ["300 g flour", "120 ml milk", "2 eggs", "1 tbsp oil"],
            "steps": ["Mix flour, milk and eggs.", "Fry in oil."]})
        .to_string()
        .as_bytes(),
        &limits(),
    )
    .expect("JSON make");
    let cook = serde_json::to_value(diff_make(&cook_recipe, &cook_make)).expect("JSON");
    let json = serde_json::to_value(diff_make(&json_recipe, &json_make)).expect("JSON");
    assert_eq!(cook, json);
    let ops: Vec<&str> = cook["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["op"].as_str())
        .collect();
    assert!(ops.contains(&"quantity-changed"), "{ops:?}");
    assert!(ops.contains(&"rating-changed"), "{ops:?}");
}

#[test]
fn the_same_bytes_without_a_cook_key_are_not_cooklang() {
    let text = b">> title: Pancakes\nMix @flour{250%g}.";
    let err = read_document(text, &limits(), Some("recipes/pancakes.json")).expect_err("JSON");
    assert_eq!(err.code().to_string(), "invalid-json");
    let err = read_document(text, &limits(), None).expect_err("JSON");
    assert_eq!(err.code().to_string(), "invalid-json");
}

/// The fixtures the watcher's and the local chain's tests drop too.
fn fixture(name: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/cooklang/");
    std::fs::read_to_string(format!("{path}{name}")).expect("the fixture")
}

#[test]
fn the_fixtures_make_differs_from_its_recipe_in_flour_milk_and_rating() {
    let pancakes = recipe("recipes/pancakes.cook", &fixture("pancakes.cook"));
    assert_eq!(
        (pancakes.id().as_str(), pancakes.name()),
        ("pancakes", "Pancakes")
    );
    assert_eq!(pancakes.ingredients().len(), 5);
    assert_eq!(pancakes.steps().len(), 3);
    let sunday = make(&fixture("sunday-pancakes.cook"));
    assert_eq!(sunday.recipe_id().as_str(), "pancakes");
    assert_eq!(sunday.made_at(), Some("2026-12-06"));
    let diff = serde_json::to_value(diff_make(&pancakes, &sunday)).expect("JSON");
    let ops: Vec<&str> = diff["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["op"].as_str())
        .collect();
    // 300 g for 250 g; 120 ml for ½ cup (118 ml: the same amount, within
    // 3%); a rating where the recipe has none.
    assert_eq!(
        ops,
        ["rating-changed", "quantity-changed", "unit-changed"],
        "{diff:#}"
    );
    assert_eq!(diff["changes"][2]["equivalent"], true, "{diff:#}");
    let broken = read_document(
        fixture("broken.cook").as_bytes(),
        &limits(),
        Some("makes/broken.cook"),
    )
    .expect_err("broken");
    assert_eq!(
        broken.to_string(),
        "not valid Cooklang: Empty quantity value (line 3, column 14) (at $)"
    );
}
