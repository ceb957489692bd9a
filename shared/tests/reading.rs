//! Lines as real recipe pages write them, read and diffed end to end: the
//! causes of the inexact diffs of issue 24 ("Reading, round 2"), each with
//! lines made up for this test. Every diff's patch must still turn the
//! recipe's canonical JSON into the make's.

use serde_json::{Value, json};
use shared::canonical::recipe_json;
use shared::parse::{make_from_value, recipe_from_value};
use shared::{Limits, MakeDiff, Recipe, RecipeId, diff_make};

fn document(lines: &[&str]) -> Value {
    json!({
        "recipeId": "stew",
        "recipeName": "Stew",
        "ingredients": lines,
        "steps": ["Cook it all."],
    })
}

fn recipe(lines: &[&str]) -> Recipe {
    recipe_from_value(&document(lines), &Limits::default(), None).expect("the recipe reads")
}

/// Diffs a make of `recipe_lines` that lists `make_lines`.
fn diff_lines(recipe_lines: &[&str], make_lines: &[&str]) -> MakeDiff {
    let limits = Limits::default();
    let recipe = recipe(recipe_lines);
    let make = make_from_value(&document(make_lines), &limits).expect("the make reads");
    let diff = diff_make(&recipe, &make);
    let mut doc = recipe_json(&recipe);
    json_patch::patch(&mut doc, &diff.patch).expect("the patch applies");
    assert_eq!(doc, recipe_json(make.content()), "the patch gives the make");
    diff
}

/// The changes as JSON, as clients read them.
fn changes(diff: &MakeDiff) -> Vec<Value> {
    diff.changes
        .iter()
        .map(|c| serde_json::to_value(c).expect("a change serialises"))
        .collect()
}

fn ops(diff: &MakeDiff) -> Vec<&'static str> {
    diff.changes.iter().map(shared::Change::op).collect()
}

fn difference_fields(diff: &MakeDiff) -> Vec<String> {
    serde_json::to_value(&diff.differences)
        .expect("differences serialise")
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| d["differenceField"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The scale entries of a scaled make's `scaled` change, by ingredient.
fn scale_entries(diff: &MakeDiff) -> Vec<Value> {
    let scaled = changes(diff)
        .into_iter()
        .find(|c| c["op"] == "scaled")
        .expect("a scaled change");
    scaled["ingredients"].as_array().expect("entries").clone()
}

const STEW: &[&str] = &[
    "2 pounds (900 g) waxy potatoes",
    "3 cups (700 ml) beef stock",
    "1 onion, diced",
];

#[test]
fn a_stale_restatement_is_no_change_of_its_own() {
    // Only the potatoes doubled, their grams left as they were.
    let diff = diff_lines(
        STEW,
        &[
            "4 pounds (900 g) waxy potatoes",
            "3 cups (700 ml) beef stock",
            "1 onion, diced",
        ],
    );
    assert_eq!(ops(&diff), ["quantity-changed"]);
    let change = &changes(&diff)[0];
    assert_eq!(change["ingredient"], "waxy potatoes");
    assert_eq!(change["unit"], "lb");
    assert_eq!(change["ratio"], 2);
    assert_eq!(change["restatementStale"], true);
    // The seed's list: the amount, and no note or restatement of its own.
    assert_eq!(
        difference_fields(&diff),
        ["ingredients[ingredientName=waxy potatoes].quantity"]
    );

    // Restated too, in other units: the same one change, and up to date.
    let diff = diff_lines(
        STEW,
        &[
            "4 pounds (1.8 kg) waxy potatoes",
            "3 cups (700 ml) beef stock",
            "1 onion, diced",
        ],
    );
    assert_eq!(ops(&diff), ["quantity-changed"]);
    let change = &changes(&diff)[0];
    assert_eq!(change["ratio"], 2);
    assert_eq!(change.get("restatementStale"), None);
}

#[test]
fn a_doubled_batch_with_stale_restatements_is_one_clean_scale() {
    let diff = diff_lines(
        STEW,
        &[
            "4 pounds (900 g) waxy potatoes",
            "6 cups (700 ml) beef stock",
            "2 onions, diced",
        ],
    );
    assert_eq!(ops(&diff), ["scaled"]);
    assert_eq!(diff.scale_factor(), Some(2.0));
    let stale: Vec<(String, bool)> = scale_entries(&diff)
        .iter()
        .map(|e| {
            (
                e["ingredient"].as_str().unwrap_or_default().to_owned(),
                e["restatementStale"] == true,
            )
        })
        .collect();
    assert_eq!(
        stale,
        [
            ("waxy potatoes".to_owned(), true),
            ("beef stock".to_owned(), true),
            ("onions".to_owned(), false),
        ]
    );

    // The cook doubled the restatements too: nothing is out of date.
    let diff = diff_lines(
        STEW,
        &[
            "4 pounds (1.8 kg) waxy potatoes",
            "6 cups (1.4 l) beef stock",
            "2 onions, diced",
        ],
    );
    assert_eq!(ops(&diff), ["scaled"]);
    assert!(
        scale_entries(&diff)
            .iter()
            .all(|e| e.get("restatementStale").is_none())
    );
}

#[test]
fn a_rounded_restatement_scaled_with_its_amount_is_not_stale() {
    // 25 g is not quite 1 oz, on the recipe as on the make.
    let diff = diff_lines(
        &["25g/1oz unsalted butter", "1 lemon"],
        &["50g/2oz unsalted butter", "1 lemon"],
    );
    assert_eq!(ops(&diff), ["quantity-changed"]);
    assert_eq!(changes(&diff)[0].get("restatementStale"), None);
    // Each tin restated: more tins keep it right.
    let diff = diff_lines(
        &["1 x 400g/14oz tin chopped tomatoes", "1 lemon"],
        &["2 x 400g/14oz tins chopped tomatoes", "1 lemon"],
    );
    assert_eq!(ops(&diff), ["quantity-changed"]);
    assert_eq!(changes(&diff)[0].get("restatementStale"), None);
}

#[test]
fn a_sum_doubled_in_both_parts_is_one_amount_times_two() {
    let diff = diff_lines(
        &["⅓ cup plus 1 tablespoon olive oil", "1 lemon"],
        &["⅔ cup plus 2 tablespoons olive oil", "1 lemon"],
    );
    assert_eq!(ops(&diff), ["quantity-changed"]);
    let change = &changes(&diff)[0];
    assert_eq!(change["ratio"], 2);
    assert_eq!(change["unit"], "cup");
    assert_eq!(
        change["plusBefore"],
        json!({"quantity": {"value": 1}, "unit": "tbsp"})
    );
    assert_eq!(
        change["plusAfter"],
        json!({"quantity": {"value": 2}, "unit": "tbsp"})
    );

    // In a doubled batch it is on the scale, and not reported again.
    let diff = diff_lines(
        &["⅓ cup plus 1 tablespoon olive oil", "1 lemon", "2 eggs"],
        &["⅔ cup plus 2 tablespoons olive oil", "2 lemons", "4 eggs"],
    );
    assert_eq!(ops(&diff), ["scaled"]);

    // Only the added spoonful changed: the amount is another, not ×2.
    let diff = diff_lines(
        &["⅓ cup plus 1 tablespoon olive oil", "1 lemon"],
        &["⅓ cup plus 2 tablespoons olive oil", "1 lemon"],
    );
    assert_eq!(ops(&diff), ["unit-changed"]);
    assert_eq!(changes(&diff)[0]["equivalent"], false);
}

#[test]
fn a_plus_that_joins_a_second_food_scales_with_the_line() {
    let line = "2 chillies in adobo plus 2 tablespoons adobo sauce";
    let read = recipe(&[line]);
    let chillies = &read.ingredients()[0];
    // One ingredient, the first food; the second food's measure is the
    // added measure, and its name a note.
    assert_eq!(chillies.name(), "chillies in adobo");
    assert_eq!(chillies.quantity().map(|q| q.value()), Some(2.0));
    assert_eq!(chillies.unit(), None);
    assert_eq!(
        chillies.plus().map(ToString::to_string),
        Some("2 tbsp".into())
    );
    assert_eq!(chillies.note(), Some("plus adobo sauce"));

    let doubled = "4 chillies in adobo plus 4 tablespoons adobo sauce";
    let diff = diff_lines(&[line, "1 onion"], &[doubled, "1 onion"]);
    assert_eq!(ops(&diff), ["quantity-changed"]);
    assert_eq!(changes(&diff)[0]["ratio"], 2);
    let diff = diff_lines(&[line, "1 onion"], &[doubled, "2 onions"]);
    assert_eq!(ops(&diff), ["scaled"]);

    // More chillies, the same sauce: the amount changed, not ×2, and no
    // ingredient was swapped for another.
    let diff = diff_lines(
        &[line, "1 onion"],
        &[
            "4 chillies in adobo plus 2 tablespoons adobo sauce",
            "1 onion",
        ],
    );
    assert_eq!(ops(&diff), ["unit-changed"]);
    assert_eq!(changes(&diff)[0]["equivalent"], false);
}

#[test]
fn a_line_broken_by_a_line_break_reads_as_one_line() {
    let clean = recipe(&["3 sprigs thyme", "1 onion"]);
    // A seed document's free-text line.
    let seed = recipe(&["3 \r\nsprigs thyme", "1 onion"]);
    assert_eq!(recipe_json(&seed), recipe_json(&clean));
    // A recipe page's line, where a line break also separates lines.
    for broken in ["3 \r\nsprigs thyme", "3\nsprigs thyme", "3 \rsprigs thyme"] {
        let page = json!({
            "@context": "https://schema.org",
            "@type": "Recipe",
            "name": "Stew",
            "recipeIngredient": [broken, "1 onion"],
            "recipeInstructions": ["Cook it all."],
        });
        let id = RecipeId::parse("stew").expect("an id");
        let read = recipe_from_value(&page, &Limits::default(), Some(&id)).expect("the page reads");
        assert_eq!(
            recipe_json(&read)["ingredients"],
            recipe_json(&clean)["ingredients"],
            "{broken:?}"
        );
    }
}

#[test]
fn nested_brackets_and_a_count_before_a_size_read_sensibly() {
    // The stick's tablespoons are in brackets within brackets: one stick of
    // 8 tablespoons, of butter.
    let butter = recipe(&["1 stick ((8 tbsp) butter)"]);
    let butter = &recipe_json(&butter)["ingredients"][0];
    assert_eq!(
        *butter,
        json!({
            "ingredientName": "butter",
            "quantity": 1,
            "measurement": "stick",
            "packageSize": {"quantity": 8, "measurement": "tbsp"},
        })
    );

    // Four chops, each 3/4 inch thick.
    let chops = recipe(&["4 3/4-inch-thick pork chops"]);
    assert_eq!(
        recipe_json(&chops)["ingredients"][0],
        json!({"ingredientName": "pork chops", "quantity": 4, "size": "3/4-inch-thick"})
    );
    let diff = diff_lines(
        &["4 3/4-inch-thick pork chops", "1 onion"],
        &["8 3/4-inch-thick pork chops", "2 onions"],
    );
    assert_eq!(ops(&diff), ["scaled"]);
}
