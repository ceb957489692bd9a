//! Made-up makes for tests and benchmarks that need many: each with facts
//! that vary with its number, stored straight into a store (no document to
//! parse or diff).

use serde_json::json;
use shared::insights::{
    IngredientChangeKind, IngredientFact, MakeFacts, StepChangeKind, StepFact, SubstitutionFact,
};
use shared::store::{IdempotencyKey, NewMake, StoredMake, content_hash};
use shared::{MakeId, RecipeId};

/// The `n`th made-up make of `recipe` (`m-<n>`, under the key
/// `<recipe>-m-<n>`): one of 40 ingredients changed (a quantity, or a
/// substitution every fourth make), one of 12 steps edited every fifth, a
/// scale factor every ninth, a rating (1 to 5) on two makes in three, a
/// day spread over two years; every make changed the recipe.
pub fn make(recipe: &RecipeId, n: u32) -> NewMake {
    let make_id = MakeId::parse(&format!("m-{n}")).expect("an id");
    let made_at = format!("{}-{:02}-{:02}", 2025 + n % 2, 1 + n % 12, 1 + n % 28);
    let rating = (!n.is_multiple_of(3)).then(|| f64::from(1 + n % 5));
    let ingredient = format!("ingredient {}", n % 40);
    let document = json!({"n": n});
    let at = "2026-12-08T00:00:00.000Z".to_owned();
    NewMake {
        make: StoredMake {
            recipe_id: recipe.clone(),
            make_id: make_id.clone(),
            version: 1,
            made_at: Some(made_at.clone()),
            notes: None,
            rating,
            created_at: at.clone(),
            content_hash: content_hash(&document),
            document,
            diff: json!({}),
            logged_by: None,
        },
        summary: shared::diff::Summary {
            total: 1,
            ..Default::default()
        },
        facts: MakeFacts {
            make_id,
            version: 1,
            made_at: Some(made_at),
            created_at: at,
            rating,
            scale_factor: (n.is_multiple_of(9)).then_some(2.0),
            ingredients: vec![IngredientFact {
                ingredient: ingredient.clone(),
                change: if n.is_multiple_of(4) {
                    IngredientChangeKind::Substituted
                } else {
                    IngredientChangeKind::Quantity
                },
            }],
            substitutions: (n.is_multiple_of(4))
                .then(|| SubstitutionFact {
                    from: ingredient,
                    to: format!("instead {}", n % 7),
                })
                .into_iter()
                .collect(),
            steps: (n.is_multiple_of(5))
                .then(|| StepFact {
                    step: format!("Step {} of the recipe, as it reads.", n % 12),
                    change: StepChangeKind::Edited,
                })
                .into_iter()
                .collect(),
            steps_added: 0,
            logged_by: None,
            changed: Some(true),
        },
        key: IdempotencyKey::parse(&format!("{recipe}-m-{n}")).expect("a key"),
        origin: None,
    }
}
