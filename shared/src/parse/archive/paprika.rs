//! Paprika's export (`.paprikarecipes`): a zip of `NAME.paprikarecipe`
//! entries, each one recipe as gzip-compressed JSON. Paprika publishes no
//! source; the fields are those its importers read (Tandoor's
//! `cookbook/integration/paprika.py`, Mealie's
//! `mealie/services/migrations/paprika.py`): `name`, `ingredients` and
//! `directions` (text, a line each), `notes`, `description`, `servings`,
//! `prep_time`, `cook_time`, `total_time`, `categories`, `source`,
//! `source_url`, `nutritional_info`, `rating` (0 to 5, 0 unrated), `uid`,
//! and the photo (`photo_data`, base64), which is not read.
//!
//! The recipe id is the entry's name without `.paprikarecipe`: Paprika
//! names each entry after its recipe.

use serde_json::{Map, Value};

use super::{Draft, finish, text_of};
use crate::limits::Limits;
use crate::refusal::Refusal;

/// How the schema.org node's paths read in Paprika's JSON.
const PATHS: &[(&str, &str)] = &[
    ("$.recipeIngredient", "$.ingredients"),
    ("$.recipeInstructions", "$.directions"),
    ("$.recipeYield", "$.servings"),
    ("$.prepTime", "$.prep_time"),
    ("$.cookTime", "$.cook_time"),
    ("$.totalTime", "$.total_time"),
    ("$.recipeCategory", "$.categories"),
];

/// A Paprika recipe as the seed document of recipe `id`.
pub(super) fn convert(value: &Value, entry: &str, limits: &Limits) -> Result<Value, Refusal> {
    let Value::Object(recipe) = value else {
        return Err(super::unknown(entry));
    };
    let mut node = Map::new();
    node.insert("@type".into(), "Recipe".into());
    for (from, to) in [
        ("name", "name"),
        ("ingredients", "recipeIngredient"),
        ("directions", "recipeInstructions"),
        ("servings", "recipeYield"),
        ("prep_time", "prepTime"),
        ("cook_time", "cookTime"),
        ("total_time", "totalTime"),
        ("categories", "recipeCategory"),
    ] {
        if let Some(value) = recipe.get(from).filter(|v| !v.is_null()) {
            node.insert(to.into(), value.clone());
        }
    }
    // Paprika's 0 is "not rated".
    let rating = recipe
        .get("rating")
        .and_then(Value::as_f64)
        .filter(|r| *r != 0.0)
        .map(|r| (r, "rating"));
    let mut fields = Vec::new();
    for (kept, from) in [
        ("recipeNotes", "notes"),
        ("description", "description"),
        ("source", "source"),
        ("url", "source_url"),
        ("nutrition", "nutritional_info"),
    ] {
        if let Some(text) = text_of(recipe, &[from]) {
            fields.push((kept, from, text.to_owned()));
        }
    }
    let draft = Draft {
        node,
        rating,
        fields,
        paths: PATHS,
    };
    finish(draft, &id_of(entry), limits)
}

/// `Lemon Tart.paprikarecipe` (in any folder) is `Lemon Tart`.
fn id_of(entry: &str) -> String {
    let file = entry.rsplit('/').next().unwrap_or(entry);
    let cut = file.len().saturating_sub(".paprikarecipe".len());
    match file.get(cut..) {
        Some(end) if end.eq_ignore_ascii_case(".paprikarecipe") => file[..cut].to_owned(),
        _ => file.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_paprika_recipe_becomes_a_seed_document_with_its_rating_and_notes() {
        let paprika = json!({
            "uid": "4F3A2D1C-0000-4000-8000-00000000A1B2",
            "name": "Lemon Tart",
            "ingredients": "For the crust:\n1 1/2 cups flour\n1/2 cup butter, cold\n\nFor the filling:\n3 lemons\n4 eggs",
            "directions": "Make the crust.\n\nBake it blind for 15 minutes.\n\nFill and bake.",
            "notes": "Best the next day.",
            "description": "",
            "servings": "8 slices",
            "prep_time": "30 min",
            "cook_time": "40 min",
            "categories": ["Desserts"],
            "rating": 4,
            "source_url": "https://example.test/lemon-tart",
            "photo_data": "/9j/4AAQSkZJRgABAQ=="
        });
        let document =
            convert(&paprika, "Lemon Tart.paprikarecipe", &Limits::default()).expect("converted");
        assert_eq!(document["recipeId"], "Lemon Tart");
        assert_eq!(document["recipeName"], "Lemon Tart");
        assert_eq!(document["rating"], 4);
        assert_eq!(document["recipeYield"], "8 slices");
        assert_eq!(document["fields"]["recipeNotes"], "Best the next day.");
        assert_eq!(document["fields"]["url"], "https://example.test/lemon-tart");
        assert_eq!(document["fields"]["prepTime"], "30 min");
        assert!(document["fields"].get("description").is_none());
        let ingredients = document["ingredients"].as_array().expect("a list");
        assert_eq!(ingredients.len(), 4, "{ingredients:?}");
        assert_eq!(ingredients[0]["ingredientName"], "flour");
        assert_eq!(ingredients[0]["group"], "For the crust");
        assert_eq!(ingredients[3]["group"], "For the filling");
        assert_eq!(document["steps"].as_array().map(Vec::len), Some(3));
        assert!(!document.to_string().contains("/9j/"), "no photo");
        // The chain's own reader takes it back as the same recipe.
        let recipe = crate::parse::recipe_from_value(&document, &Limits::default(), None)
            .expect("a seed recipe");
        assert_eq!(recipe.rating(), Some(4.0));
        assert_eq!(crate::canonical::recipe_json(&recipe), document);
    }

    #[test]
    fn unrated_is_no_rating_and_a_bad_rating_is_refused_at_its_field() {
        let limits = Limits::default();
        let unrated = json!({"name": "Toast", "ingredients": "1 slice bread", "rating": 0});
        let document = convert(&unrated, "Toast.paprikarecipe", &limits).expect("converted");
        assert!(document.get("rating").is_none());
        let bad = json!({"name": "Toast", "ingredients": "1 slice bread", "rating": 9});
        let refusal = convert(&bad, "Toast.paprikarecipe", &limits).expect_err("refused");
        assert_eq!(refusal.code.to_string(), "invalid-number");
        assert_eq!(refusal.path, "$.rating");
        let nameless = json!({"ingredients": "1 slice bread"});
        let refusal = convert(&nameless, "x.paprikarecipe", &limits).expect_err("refused");
        assert_eq!(refusal.code.to_string(), "missing");
        let wrong = json!({"name": "Toast", "ingredients": 7});
        let refusal = convert(&wrong, "Toast.paprikarecipe", &limits).expect_err("refused");
        assert_eq!(refusal.path, "$.ingredients");
    }

    #[test]
    fn the_id_is_the_entry_name() {
        assert_eq!(id_of("Lemon Tart.paprikarecipe"), "Lemon Tart");
        assert_eq!(id_of("export/Pie.PAPRIKARECIPE"), "Pie");
    }
}
