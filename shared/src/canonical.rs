//! The canonical JSON form of a recipe: one shape for every input format,
//! keys sorted, whole numbers written without a fraction. The diff's JSON
//! Patch turns the recipe's canonical form into the make's.

use serde_json::{Map, Value};

use crate::model::{Ingredient, MakeId, Measure, Recipe, Step};
pub use crate::numbers::{normalise_numbers, number};

/// Field names of the canonical form (the seed format's names).
pub mod field {
    /// The recipe's id.
    pub const RECIPE_ID: &str = "recipeId";
    /// The recipe's name.
    pub const NAME: &str = "recipeName";
    /// The rating.
    pub const RATING: &str = "rating";
    /// What the recipe yields.
    pub const YIELD: &str = "recipeYield";
    /// Other top-level fields.
    pub const FIELDS: &str = "fields";
    /// The ingredient list.
    pub const INGREDIENTS: &str = "ingredients";
    /// The step list.
    pub const STEPS: &str = "steps";
    /// An ingredient's id.
    pub const INGREDIENT_ID: &str = "ingredientId";
    /// An ingredient's name.
    pub const INGREDIENT_NAME: &str = "ingredientName";
    /// An ingredient's amount (the low end of a range).
    pub const QUANTITY: &str = "quantity";
    /// The high end of a range.
    pub const QUANTITY_MAX: &str = "quantityMax";
    /// An ingredient's unit.
    pub const MEASUREMENT: &str = "measurement";
    /// An ingredient's size or degree word (`large`, `heaped`).
    pub const SIZE: &str = "size";
    /// Each counted package's size, as a measure.
    pub const PACKAGE_SIZE: &str = "packageSize";
    /// A measure added to the amount.
    pub const PLUS: &str = "plus";
    /// The amount restated in other units, as a measure.
    pub const ALTERNATIVE: &str = "alternative";
    /// How an ingredient is prepared.
    pub const PREPARATION: &str = "preparation";
    /// An ingredient's note.
    pub const NOTE: &str = "note";
    /// The group an ingredient is listed under.
    pub const GROUP: &str = "group";
    /// A step's id.
    pub const STEP_ID: &str = "stepId";
    /// A step's text.
    pub const STEP_TEXT: &str = "stepText";
    /// A step's section.
    pub const SECTION: &str = "section";
}

/// The next version a make becomes when it is adopted: the make's
/// canonical document without what is the make's own (its rating; its
/// notes and date are not in it), saying which make it adopts
/// (`adoptedFrom`). Uploaded as a recipe, it diffs against the version the
/// make was made from exactly as the make did.
pub fn adopted(make_document: &Value, make_id: &MakeId) -> Value {
    let mut document = make_document.clone();
    if let Value::Object(map) = &mut document {
        map.remove(field::RATING);
        map.insert("adoptedFrom".into(), Value::from(make_id.as_str()));
    }
    document
}

/// The next version that restores a stored one: its canonical document,
/// saying which version it restores (`restoredFrom`).
pub fn restored(version_document: &Value, version: u32) -> Value {
    let mut document = version_document.clone();
    if let Value::Object(map) = &mut document {
        map.insert("restoredFrom".into(), Value::from(version));
    }
    document
}

/// SHA-256 of a canonical JSON document, hex: equal content, equal hash.
pub fn content_hash(document: &Value) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(document.to_string().as_bytes()))
}

/// The canonical form of a recipe (or of a make's content).
pub fn recipe_json(recipe: &Recipe) -> Value {
    let mut map = Map::new();
    map.insert(field::RECIPE_ID.into(), Value::from(recipe.id.as_str()));
    map.insert(field::NAME.into(), Value::from(recipe.name.as_str()));
    if let Some(rating) = recipe.rating {
        map.insert(field::RATING.into(), number(rating));
    }
    if let Some(recipe_yield) = &recipe.recipe_yield {
        map.insert(field::YIELD.into(), Value::from(recipe_yield.as_str()));
    }
    map.insert(
        field::FIELDS.into(),
        Value::Object(
            recipe
                .fields
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
    );
    map.insert(
        field::INGREDIENTS.into(),
        recipe.ingredients.iter().map(ingredient_json).collect(),
    );
    map.insert(
        field::STEPS.into(),
        recipe.steps.iter().map(step_json).collect(),
    );
    Value::Object(map)
}

/// The fields of an ingredient's canonical form, in order, absent ones as `None`.
pub(crate) fn ingredient_fields(ingredient: &Ingredient) -> [(&'static str, Option<Value>); 12] {
    [
        (
            field::INGREDIENT_ID,
            ingredient.id.as_ref().map(|id| Value::from(id.as_str())),
        ),
        (
            field::INGREDIENT_NAME,
            Some(Value::from(ingredient.name.as_str())),
        ),
        (
            field::QUANTITY,
            ingredient.quantity.map(|q| number(q.value())),
        ),
        (
            field::QUANTITY_MAX,
            ingredient.quantity.and_then(|q| q.max()).map(number),
        ),
        (
            field::MEASUREMENT,
            ingredient.unit.as_ref().map(|u| Value::from(u.symbol())),
        ),
        (
            field::SIZE,
            ingredient.size.as_ref().map(|s| Value::from(s.as_str())),
        ),
        (
            field::PACKAGE_SIZE,
            ingredient.package_size.as_ref().map(measure_json),
        ),
        (field::PLUS, ingredient.plus.as_ref().map(measure_json)),
        (
            field::ALTERNATIVE,
            ingredient.alternative.as_ref().map(measure_json),
        ),
        (
            field::PREPARATION,
            ingredient
                .preparation
                .as_ref()
                .map(|p| Value::from(p.as_str())),
        ),
        (
            field::NOTE,
            ingredient.note.as_ref().map(|n| Value::from(n.as_str())),
        ),
        (
            field::GROUP,
            ingredient.group.as_ref().map(|g| Value::from(g.as_str())),
        ),
    ]
}

/// A second measure's canonical form: `{"quantity", "quantityMax", "measurement"}`.
pub fn measure_json(measure: &Measure) -> Value {
    object([
        (field::QUANTITY, Some(number(measure.quantity.value()))),
        (field::QUANTITY_MAX, measure.quantity.max().map(number)),
        (
            field::MEASUREMENT,
            measure.unit.as_ref().map(|u| Value::from(u.symbol())),
        ),
    ])
}

/// The fields of a step's canonical form, in order, absent ones as `None`.
pub(crate) fn step_fields(step: &Step) -> [(&'static str, Option<Value>); 3] {
    [
        (
            field::STEP_ID,
            step.id.as_ref().map(|id| Value::from(id.as_str())),
        ),
        (field::STEP_TEXT, Some(Value::from(step.text.as_str()))),
        (
            field::SECTION,
            step.section.as_ref().map(|s| Value::from(s.as_str())),
        ),
    ]
}

fn object<const N: usize>(fields: [(&'static str, Option<Value>); N]) -> Value {
    Value::Object(
        fields
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
            .collect(),
    )
}

/// The canonical form of one ingredient.
pub fn ingredient_json(ingredient: &Ingredient) -> Value {
    object(ingredient_fields(ingredient))
}

/// The canonical form of one step.
pub fn step_json(step: &Step) -> Value {
    object(step_fields(step))
}
