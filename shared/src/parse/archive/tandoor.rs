//! Tandoor's export (its own format, "Default"): a zip holding `ID.zip`
//! per recipe, each with `recipe.json` and its image
//! (`cookbook/integration/default.py`). `recipe.json` is Tandoor's
//! `RecipeExportSerializer` (`cookbook/serializer.py`): `name`,
//! `description`, `servings`, `servings_text`, `working_time` and
//! `waiting_time` (minutes), `source_url`, `keywords`, and `steps`, each
//! with `name`, `instruction` and `ingredients` (`food.name`, `unit.name`,
//! `amount` as a decimal in text, `note`, `is_header`, `no_amount`).
//!
//! Tandoor keeps no rating or notes with a recipe. The ingredients of all
//! steps, in order, are the recipe's ingredients; a header ingredient
//! heads a group. A named step is a section. The recipe id is the recipe's
//! name: the entry's `ID` numbers it only in the Tandoor it came from.

use serde_json::{Map, Value};

use super::{Draft, amount_text, finish, text_of};
use crate::limits::Limits;
use crate::refusal::Refusal;

const PATHS: &[(&str, &str)] = &[
    ("$.recipeIngredient", "$.steps"),
    ("$.recipeInstructions", "$.steps"),
    ("$.recipeYield", "$.servings"),
];

/// A Tandoor `recipe.json` as a seed document.
pub(super) fn convert(value: &Value, limits: &Limits) -> Result<Value, Refusal> {
    let Value::Object(recipe) = value else {
        return Err(Refusal::whole(
            crate::refusal::Code::WrongType,
            "Tandoor's recipe.json must be an object",
        ));
    };
    let mut node = Map::new();
    node.insert("@type".into(), "Recipe".into());
    if let Some(name) = recipe.get("name") {
        node.insert("name".into(), name.clone());
    }
    let (ingredients, steps) = match recipe.get("steps") {
        Some(Value::Array(steps)) => read_steps(steps),
        Some(other) => (Vec::new(), vec![other.clone()]),
        None => (Vec::new(), Vec::new()),
    };
    node.insert("recipeIngredient".into(), Value::Array(ingredients));
    node.insert("recipeInstructions".into(), Value::Array(steps));
    let servings = text_of(recipe, &["servings_text"])
        .map(str::to_owned)
        .or_else(|| recipe.get("servings").and_then(amount_text));
    if let Some(servings) = servings {
        node.insert("recipeYield".into(), servings.into());
    }
    for (from, to) in [("working_time", "prepTime"), ("waiting_time", "cookTime")] {
        if let Some(minutes) = recipe.get(from).and_then(Value::as_u64).filter(|m| *m > 0) {
            node.insert(to.into(), format!("PT{minutes}M").into());
        }
    }
    let mut fields = Vec::new();
    if let Some(text) = text_of(recipe, &["description"]) {
        fields.push(("description", "description", text.to_owned()));
    }
    if let Some(text) = text_of(recipe, &["source_url"]) {
        fields.push(("url", "source_url", text.to_owned()));
    }
    let keywords: Vec<&str> = recipe
        .get("keywords")
        .and_then(Value::as_array)
        .map(|k| {
            k.iter()
                .filter_map(|k| k.get("name").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    if !keywords.is_empty() {
        fields.push(("keywords", "keywords", keywords.join(", ")));
    }
    let name = text_of(recipe, &["name"])
        .unwrap_or_default()
        .trim()
        .to_owned();
    let draft = Draft {
        node,
        rating: None,
        fields,
        paths: PATHS,
    };
    finish(draft, &name, limits)
}

/// The ingredient lines of all steps, and the steps as schema.org.
fn read_steps(steps: &[Value]) -> (Vec<Value>, Vec<Value>) {
    let mut ordered: Vec<&Map<String, Value>> = steps.iter().filter_map(Value::as_object).collect();
    ordered.sort_by_key(|s| s.get("order").and_then(Value::as_i64).unwrap_or(0));
    let mut lines = Vec::new();
    let mut out = Vec::new();
    for step in ordered {
        if let Some(Value::Array(ingredients)) = step.get("ingredients") {
            let mut ingredients: Vec<&Map<String, Value>> =
                ingredients.iter().filter_map(Value::as_object).collect();
            ingredients.sort_by_key(|i| i.get("order").and_then(Value::as_i64).unwrap_or(0));
            lines.extend(ingredients.into_iter().filter_map(line).map(Value::String));
        }
        let Some(text) = text_of(step, &["instruction"]) else {
            continue;
        };
        let how_to = serde_json::json!({"@type": "HowToStep", "text": text});
        out.push(match text_of(step, &["name"]) {
            Some(name) => serde_json::json!({
                "@type": "HowToSection", "name": name, "itemListElement": [how_to]
            }),
            None => how_to,
        });
    }
    (lines, out)
}

/// `amount unit food, note`; a header's note as a heading (`Name:`).
fn line(ingredient: &Map<String, Value>) -> Option<String> {
    let flag = |key: &str| {
        ingredient
            .get(key)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    let name = |key: &str| {
        ingredient
            .get(key)
            .and_then(Value::as_object)
            .and_then(|o| text_of(o, &["name"]))
    };
    let note = text_of(ingredient, &["note"]).map(str::trim);
    if flag("is_header") {
        return note.map(|n| format!("{}:", n.trim_end_matches(':')));
    }
    let amount = if flag("no_amount") {
        None
    } else {
        ingredient.get("amount").and_then(amount_text)
    };
    let mut line = [amount.as_deref(), name("unit"), name("food")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(note) = note {
        if line.is_empty() {
            line = note.to_owned();
        } else {
            line = format!("{line}, {note}");
        }
    }
    (!line.is_empty()).then_some(line)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_tandoor_recipe_becomes_a_seed_document() {
        let recipe = json!({
            "name": "Lemon Tart",
            "description": "Sharp and sweet.",
            "keywords": [{"name": "dessert", "description": ""}],
            "working_time": 30,
            "waiting_time": 40,
            "internal": true,
            "nutrition": null,
            "servings": 8,
            "servings_text": "slices",
            "source_url": null,
            "steps": [
                {"name": "Filling", "instruction": "Whisk the lemons and eggs.", "order": 1, "time": 0,
                 "show_as_header": true, "show_ingredients_table": true,
                 "ingredients": [
                    {"food": null, "unit": null, "amount": "0", "note": "Filling", "order": 0, "is_header": true, "no_amount": true},
                    {"food": {"name": "lemons", "plural_name": null, "ignore_shopping": false, "supermarket_category": null}, "unit": null, "amount": "3", "note": "juiced", "order": 1, "is_header": false, "no_amount": false},
                    {"food": {"name": "eggs"}, "unit": null, "amount": "4", "note": "", "order": 2, "is_header": false, "no_amount": false}
                 ]},
                {"name": "", "instruction": "Make the crust.", "order": 0, "time": 0,
                 "ingredients": [
                    {"food": {"name": "flour"}, "unit": {"name": "g", "plural_name": null, "description": null}, "amount": "2E+2", "note": "", "order": 0, "is_header": false, "no_amount": false},
                    {"food": {"name": "salt"}, "unit": null, "amount": "0", "note": "a pinch", "order": 1, "is_header": false, "no_amount": true}
                 ]}
            ]
        });
        let document = convert(&recipe, &Limits::default()).expect("converted");
        assert_eq!(document["recipeId"], "Lemon Tart");
        assert_eq!(document["recipeYield"], "slices");
        assert_eq!(document["fields"]["prepTime"], "PT30M");
        assert_eq!(document["fields"]["keywords"], "dessert");
        let ingredients = document["ingredients"].as_array().expect("a list");
        assert_eq!(ingredients.len(), 4, "{ingredients:?}");
        assert_eq!(ingredients[0]["ingredientName"], "flour");
        assert_eq!(ingredients[0]["quantity"], 200);
        assert_eq!(ingredients[2]["ingredientName"], "lemons");
        assert_eq!(ingredients[2]["group"], "Filling");
        let steps = document["steps"].as_array().expect("a list");
        assert_eq!(steps[0]["stepText"], "Make the crust.");
        assert_eq!(steps[1]["section"], "Filling");
        assert!(document.get("rating").is_none());
    }
}
