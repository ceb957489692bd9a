//! Mealie's recipe export (the "Export" bulk action, or one recipe's zip):
//! `recipes/SLUG/SLUG.json` per recipe, with its images and assets beside
//! it (`mealie/services/exporter/_abc_exporter.py` and
//! `recipe_exporter.py`; one recipe's zip is `SLUG.json` and its image,
//! `mealie/routes/recipe/recipe_crud_routes.py`). The JSON is Mealie's
//! `Recipe` model (`mealie/schema/recipe/recipe.py`) as pydantic's
//! `model_dump_json` writes it, in snake case; the API's camel case is
//! read too.
//!
//! Read: `name`; `recipe_ingredient` (each its `display` text, else its
//! `original_text`, else its quantity, unit, food and note; a `title`
//! heads a group); `recipe_instructions` (each its `text`; a `title` starts
//! a section); `recipe_yield`; `rating`; `notes` (`{title, text}`, kept as
//! `recipeNotes`); `description`; `org_url`; the times. The recipe id is
//! the `slug`.

use serde_json::{Map, Value};

use super::{Draft, amount_text, finish, text_of};
use crate::limits::Limits;
use crate::refusal::Refusal;

const PATHS: &[(&str, &str)] = &[
    ("$.recipeIngredient", "$.recipe_ingredient"),
    ("$.recipeInstructions", "$.recipe_instructions"),
    ("$.recipeYield", "$.recipe_yield"),
];

/// One key in Mealie's snake case or the API's camel case.
fn get<'a>(object: &'a Map<String, Value>, snake: &str, camel: &str) -> Option<&'a Value> {
    object
        .get(snake)
        .or_else(|| object.get(camel))
        .filter(|v| !v.is_null())
}

/// A Mealie recipe as a seed document.
pub(super) fn convert(
    recipe: &Map<String, Value>,
    entry: &str,
    limits: &Limits,
) -> Result<Value, Refusal> {
    let mut node = Map::new();
    node.insert("@type".into(), "Recipe".into());
    if let Some(name) = recipe.get("name") {
        node.insert("name".into(), name.clone());
    }
    if let Some(ingredients) = get(recipe, "recipe_ingredient", "recipeIngredient") {
        node.insert("recipeIngredient".into(), ingredient_lines(ingredients));
    }
    if let Some(steps) = get(recipe, "recipe_instructions", "recipeInstructions") {
        node.insert("recipeInstructions".into(), instructions(steps));
    }
    for (snake, camel, to) in [
        ("recipe_yield", "recipeYield", "recipeYield"),
        ("prep_time", "prepTime", "prepTime"),
        ("cook_time", "cookTime", "cookTime"),
        ("total_time", "totalTime", "totalTime"),
    ] {
        if let Some(value) = get(recipe, snake, camel) {
            node.insert(to.into(), value.clone());
        }
    }
    let rating = get(recipe, "rating", "rating")
        .and_then(Value::as_f64)
        .map(|r| (r, "rating"));
    let mut fields = Vec::new();
    if let Some(notes) = notes(recipe.get("notes")) {
        fields.push(("recipeNotes", "notes", notes));
    }
    if let Some(text) = text_of(recipe, &["description"]) {
        fields.push(("description", "description", text.to_owned()));
    }
    if let Some(text) = text_of(recipe, &["org_url", "orgURL"]) {
        fields.push(("url", "org_url", text.to_owned()));
    }
    let slug = text_of(recipe, &["slug"]).map_or_else(|| stem(entry), str::to_owned);
    let draft = Draft {
        node,
        rating,
        fields,
        paths: PATHS,
    };
    finish(draft, &slug, limits)
}

/// Each ingredient as a line of text, a `title` as a heading before it.
/// An entry that is not an object is left for the reader to judge.
fn ingredient_lines(value: &Value) -> Value {
    let Value::Array(items) = value else {
        return value.clone();
    };
    let mut lines = Vec::new();
    for item in items {
        let Value::Object(ingredient) = item else {
            lines.push(item.clone());
            continue;
        };
        if let Some(title) = text_of(ingredient, &["title"]) {
            lines.push(Value::String(format!(
                "{}:",
                title.trim().trim_end_matches(':')
            )));
        }
        let line = text_of(ingredient, &["display"])
            .or_else(|| text_of(ingredient, &["original_text", "originalText"]))
            .map(str::to_owned)
            .unwrap_or_else(|| composed(ingredient));
        if !line.trim().is_empty() {
            lines.push(Value::String(line));
        }
    }
    Value::Array(lines)
}

/// `quantity unit food note`, for an ingredient without a display text.
fn composed(ingredient: &Map<String, Value>) -> String {
    let name = |key: &str| {
        ingredient
            .get(key)
            .and_then(Value::as_object)
            .and_then(|o| text_of(o, &["name"]))
            .map(str::to_owned)
    };
    let disabled = ingredient
        .get("disable_amount")
        .or_else(|| ingredient.get("disableAmount"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let quantity = if disabled {
        None
    } else {
        ingredient.get("quantity").and_then(amount_text)
    };
    [
        quantity,
        name("unit"),
        name("food"),
        text_of(ingredient, &["note"]).map(str::to_owned),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

/// The steps as schema.org: a step with a `title` starts a section that
/// the steps after it share until the next title.
fn instructions(value: &Value) -> Value {
    let Value::Array(items) = value else {
        return value.clone();
    };
    let mut out: Vec<Value> = Vec::new();
    let mut section: Option<Map<String, Value>> = None;
    for item in items {
        let Value::Object(step) = item else {
            out.push(item.clone());
            continue;
        };
        let text = step.get("text").cloned().unwrap_or(Value::Null);
        let how_to = serde_json::json!({"@type": "HowToStep", "text": text});
        if let Some(title) = text_of(step, &["title"]) {
            if let Some(done) = section.take() {
                out.push(Value::Object(done));
            }
            let mut started = Map::new();
            started.insert("@type".into(), "HowToSection".into());
            started.insert("name".into(), title.into());
            started.insert("itemListElement".into(), Value::Array(Vec::new()));
            section = Some(started);
        }
        match section
            .as_mut()
            .and_then(|s| s.get_mut("itemListElement"))
            .and_then(Value::as_array_mut)
        {
            Some(steps) => steps.push(how_to),
            None => out.push(how_to),
        }
    }
    if let Some(done) = section {
        out.push(Value::Object(done));
    }
    Value::Array(out)
}

/// Mealie's notes (`[{title, text}]`) as one text, a blank line apart.
fn notes(value: Option<&Value>) -> Option<String> {
    let Some(Value::Array(notes)) = value else {
        return None;
    };
    let texts: Vec<String> = notes
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|note| {
            let title = text_of(note, &["title"]);
            let text = text_of(note, &["text"]);
            match (title, text) {
                (Some(title), Some(text)) => Some(format!("{title}\n{text}")),
                (None, Some(one)) | (Some(one), None) => Some(one.to_owned()),
                (None, None) => None,
            }
        })
        .collect();
    (!texts.is_empty()).then(|| texts.join("\n\n"))
}

fn stem(entry: &str) -> String {
    let file = entry.rsplit('/').next().unwrap_or(entry);
    file.strip_suffix(".json").unwrap_or(file).to_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_mealie_recipe_becomes_a_seed_document() {
        let recipe = json!({
            "id": "6b0c6f4e-5c6e-4b8e-9d2a-0f5b8f1d7e11",
            "name": "Lemon Tart",
            "slug": "lemon-tart",
            "recipe_yield": "8 servings",
            "rating": 5.0,
            "description": "Sharp and sweet.",
            "org_url": "https://example.test/lemon-tart",
            "recipe_ingredient": [
                {"title": "Crust", "display": "1 1/2 cups flour", "note": "", "quantity": 1.5},
                {"display": "", "original_text": "1/2 cup butter, cold"},
                {"title": "Filling", "quantity": 3, "unit": null, "food": {"name": "lemons"}, "note": "juiced", "disable_amount": false},
                {"display": "4 eggs"}
            ],
            "recipe_instructions": [
                {"title": "", "text": "Rub the butter into the flour."},
                {"title": "Filling", "text": "Whisk the lemons and eggs."},
                {"text": "Bake for 25 minutes."}
            ],
            "notes": [{"title": "Tip", "text": "Best the next day."}, {"title": "", "text": "Freezes well."}]
        });
        let object = recipe.as_object().expect("an object");
        let document = convert(
            object,
            "recipes/lemon-tart/lemon-tart.json",
            &Limits::default(),
        )
        .expect("converted");
        assert_eq!(document["recipeId"], "lemon-tart");
        assert_eq!(document["rating"], 5);
        assert_eq!(
            document["fields"]["recipeNotes"],
            "Tip\nBest the next day.\n\nFreezes well."
        );
        assert_eq!(document["fields"]["url"], "https://example.test/lemon-tart");
        let ingredients = document["ingredients"].as_array().expect("a list");
        assert_eq!(ingredients.len(), 4, "{ingredients:?}");
        assert_eq!(ingredients[0]["group"], "Crust");
        assert_eq!(ingredients[1]["ingredientName"], "butter");
        assert_eq!(ingredients[2]["group"], "Filling");
        assert_eq!(ingredients[2]["ingredientName"], "lemons");
        let steps = document["steps"].as_array().expect("a list");
        assert_eq!(steps.len(), 3);
        assert!(steps[0].get("section").is_none());
        assert_eq!(steps[1]["section"], "Filling");
        assert_eq!(steps[2]["section"], "Filling");
    }

    #[test]
    fn camel_case_reads_too_and_a_missing_slug_is_the_file_name() {
        let recipe = json!({"name": "Soup", "recipeIngredient": [{"display": "1 l stock"}]});
        let object = recipe.as_object().expect("an object");
        let document = convert(object, "soup.json", &Limits::default()).expect("converted");
        assert_eq!(document["recipeId"], "soup");
        assert_eq!(document["ingredients"][0]["ingredientName"], "stock");
    }
}
