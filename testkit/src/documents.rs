//! Recipe and make documents for tests that store a few of their own:
//! a recipe of two ingredients and one step, and a make of it.

use serde_json::{Value, json};

/// A recipe `recipe_id` named `name`: 2 cups of `ingredient`, 1 cup of
/// sugar, one step.
pub fn recipe(recipe_id: &str, name: &str, ingredient: &str) -> Value {
    json!({
        "recipeId": recipe_id,
        "recipeName": name,
        "ingredients": [
            {"ingredientId": 1, "quantity": 2, "measurement": "cup", "ingredientName": ingredient},
            {"ingredientId": 2, "quantity": 1, "measurement": "cup", "ingredientName": "sugar"}
        ],
        "steps": [{"stepId": 1, "stepText": "Bake until golden."}]
    })
}

/// A make of the recipe `document` (from [`recipe`]) with 3 cups of its
/// first ingredient, the make id `make_id` and `notes`.
pub fn make(mut document: Value, make_id: &str, notes: &str) -> Value {
    document["ingredients"][0]["quantity"] = json!(3);
    document["makeId"] = json!(make_id);
    document["notes"] = json!(notes);
    document
}
