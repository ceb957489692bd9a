//! What a recipe document says of its origins (`variantOf`, `isBasedOn`,
//! `adoptedFrom`, `restoredFrom`): read beside the recipe, never part of
//! its canonical content, and refused with the field's path when unusable.

use serde_json::{Value, json};
use shared::canonical::{adopted, recipe_json, restored};
use shared::model::{Lineage, ParentName};
use shared::parse::recipe_from_value;
use shared::{Limits, MakeId, Recipe, RecipeId};

fn seed(extra: Value) -> Value {
    let mut document = json!({
        "recipeId": "pie-vegan",
        "recipeName": "Vegan Pie",
        "ingredients": ["200 g flour"],
        "steps": ["Bake."],
    });
    for (key, value) in extra.as_object().expect("an object") {
        document[key] = value.clone();
    }
    document
}

fn read(document: &Value) -> Recipe {
    recipe_from_value(document, &Limits::default(), None).expect("the recipe reads")
}

/// The code and path of the refusal of `document`.
fn refused(document: &Value) -> (String, String) {
    let rejection =
        recipe_from_value(document, &Limits::default(), None).expect_err("the recipe is refused");
    (rejection.code().to_string(), rejection.path.to_string())
}

fn id(text: &str) -> RecipeId {
    RecipeId::parse(text).expect("an id")
}

#[test]
fn a_seed_says_where_it_came_from_outside_its_content() {
    let plain = read(&seed(json!({})));
    let document = seed(json!({"variantOf": "pie", "adoptedFrom": "sunday", "restoredFrom": 2}));
    let recipe = read(&document);
    assert_eq!(
        recipe.lineage(),
        &Lineage {
            variant_of: Some(ParentName::Id(id("pie"))),
            adopted_from: Some(MakeId::parse("sunday").expect("an id")),
            restored_from: Some(2),
        }
    );
    // Not a field, and not content: the canonical form is the plain one's.
    assert!(recipe.fields().is_empty(), "{:?}", recipe.fields());
    assert_eq!(recipe_json(&recipe), recipe_json(&plain));
    // A whole number as an id reads as its text, as every id does.
    let numbered = read(&seed(json!({"variantOf": 7, "restoredFrom": 3.0})));
    assert_eq!(numbered.lineage().variant_of, Some(ParentName::Id(id("7"))));
    assert_eq!(numbered.lineage().restored_from, Some(3));
}

#[test]
fn unusable_lineage_is_refused_at_its_field() {
    for (extra, code, path) in [
        (
            json!({"variantOf": "pie-vegan"}),
            "invalid-id",
            "$.variantOf",
        ),
        (json!({"variantOf": ""}), "invalid-id", "$.variantOf"),
        (json!({"variantOf": ["pie"]}), "wrong-type", "$.variantOf"),
        (
            json!({"adoptedFrom": {"id": 1}}),
            "wrong-type",
            "$.adoptedFrom",
        ),
        (
            json!({"restoredFrom": 0}),
            "invalid-number",
            "$.restoredFrom",
        ),
        (
            json!({"restoredFrom": 1.5}),
            "invalid-number",
            "$.restoredFrom",
        ),
        (
            json!({"restoredFrom": -2}),
            "invalid-number",
            "$.restoredFrom",
        ),
        (json!({"restoredFrom": "2"}), "wrong-type", "$.restoredFrom"),
    ] {
        assert_eq!(
            refused(&seed(extra.clone())),
            (code.to_owned(), path.to_owned()),
            "{extra}"
        );
    }
}

fn schema_org(extra: Value) -> Value {
    let mut node = json!({
        "@context": "https://schema.org",
        "@type": "Recipe",
        "identifier": "pie-spicy",
        "name": "Spicy Pie",
        "recipeIngredient": ["200 g flour", "1 chilli"],
        "recipeInstructions": "Bake.",
    });
    for (key, value) in extra.as_object().expect("an object") {
        node[key] = value.clone();
    }
    node
}

#[test]
fn schema_org_is_based_on_names_a_possible_parent() {
    let based_on = |extra: Value| read(&schema_org(extra)).lineage().variant_of.clone();
    assert_eq!(
        based_on(json!({"isBasedOn": "pie"})),
        Some(ParentName::BasedOn("pie".into()))
    );
    assert_eq!(
        based_on(json!({"isBasedOn": {"@id": "https://cook.example/#/recipes/pie"}})),
        Some(ParentName::BasedOn(
            "https://cook.example/#/recipes/pie".into()
        ))
    );
    // Naming the page itself, or the recipe's own id, is no parent.
    assert_eq!(
        based_on(
            json!({"isBasedOn": "https://a.example/spicy", "url": "https://a.example/spicy/"})
        ),
        None
    );
    assert_eq!(based_on(json!({"isBasedOn": "pie-spicy"})), None);
    assert_eq!(based_on(json!({})), None);
}

#[test]
fn a_parent_name_stands_for_the_recipe_an_address_names() {
    let candidate = |name: ParentName| name.candidate().map(|id| id.as_str().to_owned());
    for (text, expected) in [
        ("pie", Some("pie")),
        ("https://cook.example/recipes/pie", Some("pie")),
        ("https://cook.example/recipes/pie/", Some("pie")),
        ("https://cook.example/#/recipes/pie", Some("pie")),
        (
            "https://cook.example/#/recipes/grandma%27s%20pie",
            Some("grandma's pie"),
        ),
        ("https://api.example/recipes/pie?version=2", Some("pie")),
        (
            "https://cook.example/#/recipes/pie/makes/sunday",
            Some("pie"),
        ),
        // An address that names no recipe stands for none.
        ("https://blog.example/2024/05/pie", None),
        ("https://cook.example/recipes/", None),
    ] {
        assert_eq!(
            candidate(ParentName::BasedOn(text.into())),
            expected.map(str::to_owned),
            "{text}"
        );
    }
    assert!(ParentName::Id(id("pie")).is_required());
    assert!(!ParentName::BasedOn("pie".into()).is_required());
}

#[test]
fn a_restored_version_reads_as_the_version_with_its_source() {
    let original = read(&seed(json!({"rating": 4})));
    let document = restored(&recipe_json(&original), 1);
    let back = read(&document);
    assert_eq!(back.lineage().restored_from, Some(1));
    assert_eq!(recipe_json(&back), recipe_json(&original));
}

#[test]
fn an_adopted_make_drops_the_makes_rating() {
    let make = read(&seed(json!({"rating": 2})));
    let make_id = MakeId::parse("sunday").expect("an id");
    let back = read(&adopted(&recipe_json(&make), &make_id));
    assert_eq!(back.rating(), None);
    assert_eq!(back.lineage().adopted_from, Some(make_id));
}
