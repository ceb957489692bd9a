//! Nextcloud Cookbook keeps each recipe as a folder named after it, with
//! a schema.org `Recipe` in `recipe.json` (and its images, `full.jpg`,
//! `thumb.jpg`, `thumb16.jpg`): `lib/Service/RecipeService.php` writes it,
//! after the filters of `lib/Helper/Filter/JSON/` (`SchemaConformityFilter`
//! sets `@context` and `@type`). A zip of that folder tree is the archive.
//!
//! The node is read by the schema.org reader as any JSON-LD upload is
//! (a `## Name` line in `recipeIngredient`, the Cookbook's group heading,
//! becomes the heading `Name:`);
//! `description` and `url` are kept beside it. The recipe id is the
//! folder's name (the recipe's name in Nextcloud), never Nextcloud's own
//! `id` (a file id of one server) or an `identifier`, so that the same
//! recipe exported twice, or from another app, is one recipe.

use serde_json::{Map, Value};

use super::{Draft, finish, text_of};
use crate::limits::Limits;
use crate::refusal::Refusal;

/// A Nextcloud Cookbook `recipe.json` (schema.org) as a seed document.
pub(super) fn convert(
    object: &Map<String, Value>,
    entry: &str,
    limits: &Limits,
) -> Result<Value, Refusal> {
    let mut node = object.clone();
    // Older exports (and Tandoor's export to this format) may lack the type.
    if !node.contains_key("@type") {
        node.insert("@type".into(), "Recipe".into());
    }
    for own in ["recipeId", "identifier"] {
        node.remove(own);
    }
    // The Cookbook heads a group of ingredients with `## Name` (Tandoor's
    // importer reads it so too); the chain's heading is `Name:`.
    if let Some(Value::Array(lines)) = node.get_mut("recipeIngredient") {
        for line in lines.iter_mut() {
            if let Some(heading) = line.as_str().and_then(|l| l.trim().strip_prefix("##")) {
                let heading = heading.trim().trim_end_matches(':');
                *line = Value::String(format!("{heading}:"));
            }
        }
    }
    let mut fields = Vec::new();
    for (kept, from) in [("description", "description"), ("url", "url")] {
        if let Some(text) = text_of(object, &[from]) {
            fields.push((kept, from, text.to_owned()));
        }
    }
    let draft = Draft {
        node,
        rating: None,
        fields,
        paths: &[],
    };
    finish(draft, &id_of(entry), limits)
}

/// `Recipes/Lemon Tart/recipe.json` is `Lemon Tart`; a `recipe.json` at the
/// top of the archive, or another JSON file, is named by its file's stem.
fn id_of(entry: &str) -> String {
    let mut parts = entry.rsplit('/');
    let file = parts.next().unwrap_or(entry);
    match (file, parts.next()) {
        ("recipe.json", Some(folder)) if !folder.is_empty() => folder.to_owned(),
        _ => file
            .strip_suffix(".json")
            .or_else(|| file.strip_suffix(".JSON"))
            .unwrap_or(file)
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_cookbook_recipe_is_read_as_schema_org_and_named_by_its_folder() {
        let recipe = json!({
            "@context": "http://schema.org",
            "@type": "Recipe",
            "id": "4711",
            "name": "Lemon Tart",
            "description": "Sharp and sweet.",
            "url": "https://example.test/lemon-tart",
            "recipeYield": 8,
            "prepTime": "PT30M",
            "recipeCategory": "Desserts",
            "keywords": "lemon,tart",
            "recipeIngredient": ["## Crust", "200 g flour", "100 g butter"],
            "recipeInstructions": ["Make the crust.", "Bake."],
            "tool": [],
            "nutrition": {"@type": "NutritionInformation"}
        });
        let object = recipe.as_object().expect("an object");
        let document = convert(object, "Recipes/Lemon Tart/recipe.json", &Limits::default())
            .expect("converted");
        assert_eq!(document["recipeId"], "Lemon Tart");
        assert_eq!(document["recipeYield"], "8");
        assert_eq!(document["fields"]["description"], "Sharp and sweet.");
        assert_eq!(document["fields"]["prepTime"], "PT30M");
        assert_eq!(document["steps"].as_array().map(Vec::len), Some(2));
        assert!(document.get("rating").is_none());
        let ingredients = document["ingredients"].as_array().expect("a list");
        assert_eq!(ingredients.len(), 2, "the heading is no ingredient");
        assert_eq!(ingredients[0]["group"], "Crust");
    }

    #[test]
    fn the_id_is_the_folder() {
        assert_eq!(id_of("Lemon Tart/recipe.json"), "Lemon Tart");
        assert_eq!(id_of("Recipes/Pie/recipe.json"), "Pie");
        assert_eq!(id_of("recipe.json"), "recipe");
        assert_eq!(id_of("x/Soup.json"), "Soup");
    }
}
