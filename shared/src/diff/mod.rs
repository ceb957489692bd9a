//! The semantic diff: how a make differed from the recipe version it was
//! made from, as a cook would describe it ("doubled, with less sugar; step 4
//! skipped"), plus the same difference as an RFC 6902 JSON Patch and as the
//! seed's flat `differences` list.
//!
//! The output is deterministic: the same two inputs always give the same
//! document, byte for byte.

mod align;
mod ingredients;
mod patch;
mod steps;

use serde::Serialize;
use serde_json::Value;

use crate::model::{Ingredient, Make, MakeId, Measure, Recipe, RecipeId, Step};
use crate::quantity::{Quantity, same_number};
use crate::units::Unit;

pub use patch::Difference;

/// Everything the chain records about how one make differed from its recipe.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MakeDiff {
    /// The recipe the make was made from.
    pub recipe_id: RecipeId,
    /// The make, when it has an id.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub make_id: Option<MakeId>,
    /// Counts of each kind of change.
    pub summary: Summary,
    /// The changes, in a fixed order: recipe-level first, then ingredients,
    /// then steps (each in the make's order, removals first).
    pub changes: Vec<Change>,
    /// RFC 6902 operations that turn the recipe's canonical JSON into the make's.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::openapi::PatchOperation>))]
    pub patch: json_patch::Patch,
    /// The seed's flat list of field differences.
    pub differences: Vec<Difference>,
}

impl MakeDiff {
    /// Whether the make followed the recipe exactly.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.patch.0.is_empty()
    }

    /// The scale factor, when the make scaled the recipe.
    pub fn scale_factor(&self) -> Option<f64> {
        self.changes.iter().find_map(|c| match c {
            Change::Scaled { factor, .. } => Some(*factor),
            _ => None,
        })
    }
}

/// An amount: a quantity with its unit.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Amount {
    /// How much.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Quantity>,
    /// In what unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    /// Each counted package's size.
    #[serde(rename = "packageSize", skip_serializing_if = "Option::is_none")]
    pub package_size: Option<Measure>,
    /// A measure added to the amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plus: Option<Measure>,
}

/// One ingredient's ratio in a scaled make.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScaleEntry {
    /// The ingredient (the make's name for it).
    pub ingredient: String,
    /// The make's amount over the recipe's, after unit conversion.
    #[serde(serialize_with = "crate::numbers::serialize_f64")]
    pub ratio: f64,
    /// `ratio` over the scale factor: 1 when on scale.
    #[serde(serialize_with = "crate::numbers::serialize_f64")]
    pub deviation: f64,
    /// The make's line restates its amount (`4 pounds (900 g)`) and the
    /// restatement was not changed with it: out of date, but no change of
    /// its own. Written only when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub restatement_stale: bool,
}

/// A part of a step's text in a word-level comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InlineSpan {
    /// `equal`, `insert` or `delete`.
    pub kind: SpanKind,
    /// The words (with the spaces between them).
    pub text: String,
}

/// Whether a span of text was kept, added or removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SpanKind {
    /// In both texts.
    Equal,
    /// Only in the make.
    Insert,
    /// Only in the recipe.
    Delete,
}

/// One difference between a make and its recipe. Indexes are 0-based
/// positions in the recipe's and the make's lists.
// A diff holds a handful of changes, built once per make and serialised:
// the size of the largest variant (an amount change with its packages) costs
// nothing worth an indirection in every reader's pattern.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "kebab-case", rename_all_fields = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Change {
    /// The make has another name.
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    NameChanged {
        /// The recipe's name.
        before: String,
        /// The make's name.
        after: String,
    },
    /// The make was rated differently.
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    RatingChanged {
        /// The recipe's rating.
        #[serde(serialize_with = "crate::numbers::serialize_opt_f64")]
        #[cfg_attr(feature = "openapi", schema(required))]
        before: Option<f64>,
        /// The make's rating.
        #[serde(serialize_with = "crate::numbers::serialize_opt_f64")]
        #[cfg_attr(feature = "openapi", schema(required))]
        after: Option<f64>,
        /// `after - before`, when both exist.
        #[serde(serialize_with = "crate::numbers::serialize_opt_f64")]
        #[cfg_attr(feature = "openapi", schema(required))]
        delta: Option<f64>,
    },
    /// Another top-level field changed (`recipeYield`, `fields.cookTime`).
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    FieldChanged {
        /// The field's name.
        field: String,
        /// The recipe's value.
        #[cfg_attr(feature = "openapi", schema(required))]
        before: Option<Value>,
        /// The make's value.
        #[cfg_attr(feature = "openapi", schema(required))]
        after: Option<Value>,
    },
    /// Most quantities were multiplied by one factor.
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    Scaled {
        /// The factor (`2` for a doubled batch).
        #[serde(serialize_with = "crate::numbers::serialize_f64")]
        factor: f64,
        /// How many ingredients follow the factor.
        consistent: usize,
        /// How many ingredients could be compared.
        compared: usize,
        /// Every compared ingredient's ratio and deviation from the factor.
        ingredients: Vec<ScaleEntry>,
    },
    /// The make used an ingredient the recipe does not have.
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    IngredientAdded {
        /// Position in the make.
        make_index: usize,
        /// The ingredient.
        ingredient: Box<Ingredient>,
    },
    /// The make left out an ingredient.
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    IngredientRemoved {
        /// Position in the recipe.
        recipe_index: usize,
        /// The ingredient.
        ingredient: Box<Ingredient>,
    },
    /// The same ingredient under a more or less specific name (`butter` to `unsalted butter`).
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    IngredientRenamed {
        /// Position in the recipe.
        recipe_index: usize,
        /// Position in the make.
        make_index: usize,
        /// The recipe's name.
        before: String,
        /// The make's name.
        after: String,
    },
    /// One ingredient used instead of another (`butter` to `margarine`).
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    IngredientSubstituted {
        /// Position in the recipe.
        recipe_index: usize,
        /// Position in the make.
        make_index: usize,
        /// The recipe's ingredient.
        before: Box<Ingredient>,
        /// The make's ingredient.
        after: Box<Ingredient>,
    },
    /// An ingredient listed elsewhere.
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    IngredientMoved {
        /// Position in the recipe.
        recipe_index: usize,
        /// Position in the make.
        make_index: usize,
        /// The make's name for it.
        ingredient: String,
    },
    /// Another amount of an ingredient, in the same unit.
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    QuantityChanged {
        /// Position in the recipe.
        recipe_index: usize,
        /// Position in the make.
        make_index: usize,
        /// The make's name for it.
        ingredient: String,
        /// The recipe's quantity.
        #[cfg_attr(feature = "openapi", schema(required))]
        before: Option<Quantity>,
        /// The make's quantity.
        #[cfg_attr(feature = "openapi", schema(required))]
        after: Option<Quantity>,
        /// The unit both are in.
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<Unit>,
        /// `after / before`, when both exist.
        #[serde(
            serialize_with = "crate::numbers::serialize_opt_f64",
            skip_serializing_if = "Option::is_none"
        )]
        ratio: Option<f64>,
        /// In a scaled make, `ratio` over the scale factor.
        #[serde(
            serialize_with = "crate::numbers::serialize_opt_f64",
            skip_serializing_if = "Option::is_none"
        )]
        deviation: Option<f64>,
        /// A sum (`⅓ cup plus 1 tablespoon`) whose added measure changed in
        /// proportion: the recipe's added measure.
        #[serde(skip_serializing_if = "Option::is_none")]
        plus_before: Option<Measure>,
        /// The make's added measure, when it changed.
        #[serde(skip_serializing_if = "Option::is_none")]
        plus_after: Option<Measure>,
        /// The make's line restates its amount (`4 pounds (900 g)`) and the
        /// restatement was not changed with it: out of date, but no change
        /// of its own. Written only when true.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        restatement_stale: bool,
    },
    /// Another unit, package size or added measure (perhaps with another quantity).
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    UnitChanged {
        /// Position in the recipe.
        recipe_index: usize,
        /// Position in the make.
        make_index: usize,
        /// The make's name for it.
        ingredient: String,
        /// The recipe's amount.
        before: Amount,
        /// The make's amount.
        after: Amount,
        /// Whether both are the same amount after conversion (`1 cup` and `240 ml`).
        equivalent: bool,
        /// The make's amount over the recipe's after conversion, when they convert.
        #[serde(
            serialize_with = "crate::numbers::serialize_opt_f64",
            skip_serializing_if = "Option::is_none"
        )]
        ratio: Option<f64>,
    },
    /// An ingredient's note, group or id changed.
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    IngredientDetailChanged {
        /// Position in the recipe.
        recipe_index: usize,
        /// Position in the make.
        make_index: usize,
        /// The make's name for it.
        ingredient: String,
        /// `size`, `preparation`, `note`, `group` or `ingredientId`.
        field: &'static str,
        /// The recipe's value.
        #[cfg_attr(feature = "openapi", schema(required))]
        before: Option<String>,
        /// The make's value.
        #[cfg_attr(feature = "openapi", schema(required))]
        after: Option<String>,
    },
    /// The make did a step the recipe does not have.
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    StepInserted {
        /// Position in the make.
        make_index: usize,
        /// The step.
        step: Step,
    },
    /// The make skipped a step.
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    StepDeleted {
        /// Position in the recipe.
        recipe_index: usize,
        /// The step.
        step: Step,
    },
    /// A step done at another point (a real move, not a shift caused by
    /// insertions or deletions elsewhere).
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    StepMoved {
        /// Position in the recipe.
        recipe_index: usize,
        /// Position in the make.
        make_index: usize,
        /// The step as the make has it.
        step: Step,
    },
    /// A step's text changed.
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    StepEdited {
        /// Position in the recipe.
        recipe_index: usize,
        /// Position in the make.
        make_index: usize,
        /// The recipe's text.
        before: String,
        /// The make's text.
        after: String,
        /// Word-level differences between the two.
        inline: Vec<InlineSpan>,
    },
    /// A step's section or id changed.
    #[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
    StepDetailChanged {
        /// Position in the recipe.
        recipe_index: usize,
        /// Position in the make.
        make_index: usize,
        /// `section` or `stepId`.
        field: &'static str,
        /// The recipe's value.
        #[cfg_attr(feature = "openapi", schema(required))]
        before: Option<String>,
        /// The make's value.
        #[cfg_attr(feature = "openapi", schema(required))]
        after: Option<String>,
    },
}

/// How many changes of each kind a diff has. Read back from a store with
/// any missing count as 0.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    /// All changes.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub total: usize,
    /// `name-changed` (0 or 1).
    #[cfg_attr(feature = "openapi", schema(required))]
    pub name_changed: usize,
    /// `rating-changed` (0 or 1).
    #[cfg_attr(feature = "openapi", schema(required))]
    pub rating_changed: usize,
    /// `field-changed`.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub fields_changed: usize,
    /// `scaled` (0 or 1).
    #[cfg_attr(feature = "openapi", schema(required))]
    pub scaled: usize,
    /// `ingredient-added`.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub ingredients_added: usize,
    /// `ingredient-removed`.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub ingredients_removed: usize,
    /// `ingredient-renamed`.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub ingredients_renamed: usize,
    /// `ingredient-substituted`.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub ingredients_substituted: usize,
    /// `ingredient-moved`.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub ingredients_moved: usize,
    /// `quantity-changed`.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub quantities_changed: usize,
    /// `unit-changed`.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub units_changed: usize,
    /// `ingredient-detail-changed`.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub ingredient_details_changed: usize,
    /// `step-inserted`.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub steps_inserted: usize,
    /// `step-deleted`.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub steps_deleted: usize,
    /// `step-moved`.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub steps_moved: usize,
    /// `step-edited`.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub steps_edited: usize,
    /// `step-detail-changed`.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub step_details_changed: usize,
}

impl Summary {
    /// Whether the make changed the recipe itself: any change but its
    /// rating, which is the make's own (a version's "share changed").
    pub fn changes_recipe(&self) -> bool {
        self.total > self.rating_changed
    }

    /// Counts the changes.
    pub fn of(changes: &[Change]) -> Self {
        let mut s = Summary {
            total: changes.len(),
            ..Summary::default()
        };
        for change in changes {
            let counter = match change {
                Change::NameChanged { .. } => &mut s.name_changed,
                Change::RatingChanged { .. } => &mut s.rating_changed,
                Change::FieldChanged { .. } => &mut s.fields_changed,
                Change::Scaled { .. } => &mut s.scaled,
                Change::IngredientAdded { .. } => &mut s.ingredients_added,
                Change::IngredientRemoved { .. } => &mut s.ingredients_removed,
                Change::IngredientRenamed { .. } => &mut s.ingredients_renamed,
                Change::IngredientSubstituted { .. } => &mut s.ingredients_substituted,
                Change::IngredientMoved { .. } => &mut s.ingredients_moved,
                Change::QuantityChanged { .. } => &mut s.quantities_changed,
                Change::UnitChanged { .. } => &mut s.units_changed,
                Change::IngredientDetailChanged { .. } => &mut s.ingredient_details_changed,
                Change::StepInserted { .. } => &mut s.steps_inserted,
                Change::StepDeleted { .. } => &mut s.steps_deleted,
                Change::StepMoved { .. } => &mut s.steps_moved,
                Change::StepEdited { .. } => &mut s.steps_edited,
                Change::StepDetailChanged { .. } => &mut s.step_details_changed,
            };
            *counter += 1;
        }
        s
    }
}

impl Change {
    /// The op name, as serialised (`quantity-changed`).
    pub fn op(&self) -> &'static str {
        match self {
            Change::NameChanged { .. } => "name-changed",
            Change::RatingChanged { .. } => "rating-changed",
            Change::FieldChanged { .. } => "field-changed",
            Change::Scaled { .. } => "scaled",
            Change::IngredientAdded { .. } => "ingredient-added",
            Change::IngredientRemoved { .. } => "ingredient-removed",
            Change::IngredientRenamed { .. } => "ingredient-renamed",
            Change::IngredientSubstituted { .. } => "ingredient-substituted",
            Change::IngredientMoved { .. } => "ingredient-moved",
            Change::QuantityChanged { .. } => "quantity-changed",
            Change::UnitChanged { .. } => "unit-changed",
            Change::IngredientDetailChanged { .. } => "ingredient-detail-changed",
            Change::StepInserted { .. } => "step-inserted",
            Change::StepDeleted { .. } => "step-deleted",
            Change::StepMoved { .. } => "step-moved",
            Change::StepEdited { .. } => "step-edited",
            Change::StepDetailChanged { .. } => "step-detail-changed",
        }
    }
}

/// Rounds a derived figure (ratio, delta, average) to four decimals so that
/// output does not carry floating-point noise.
pub fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

/// Compares a make with the recipe version it was made from.
pub fn diff_make(recipe: &Recipe, make: &Make) -> MakeDiff {
    diff(recipe, make.content(), make.make_id().cloned())
}

/// Compares two recipes (a version and what was cooked).
pub fn diff(recipe: &Recipe, make: &Recipe, make_id: Option<MakeId>) -> MakeDiff {
    let mut changes = Vec::new();
    recipe_level(recipe, make, &mut changes);
    let ingredient_alignment =
        ingredients::align_ingredients(&recipe.ingredients, &make.ingredients);
    ingredients::changes(
        &recipe.ingredients,
        &make.ingredients,
        &ingredient_alignment,
        &mut changes,
    );
    let step_alignment = steps::align_steps(&recipe.steps, &make.steps);
    steps::changes(&recipe.steps, &make.steps, &step_alignment, &mut changes);

    let (patch, differences) = patch::build(
        recipe,
        make,
        make_id.as_ref(),
        &ingredient_alignment,
        &step_alignment,
    );
    MakeDiff {
        recipe_id: recipe.id.clone(),
        make_id,
        summary: Summary::of(&changes),
        changes,
        patch,
        differences,
    }
}

fn recipe_level(recipe: &Recipe, make: &Recipe, changes: &mut Vec<Change>) {
    if recipe.name != make.name {
        changes.push(Change::NameChanged {
            before: recipe.name.clone(),
            after: make.name.clone(),
        });
    }
    let same_rating = match (recipe.rating, make.rating) {
        (Some(a), Some(b)) => same_number(a, b),
        (a, b) => a.is_none() && b.is_none(),
    };
    if !same_rating {
        changes.push(Change::RatingChanged {
            before: recipe.rating,
            after: make.rating,
            delta: recipe.rating.zip(make.rating).map(|(a, b)| round4(b - a)),
        });
    }
    if recipe.id != make.id {
        changes.push(field_change(
            "recipeId",
            Some(Value::from(recipe.id.as_str())),
            Some(Value::from(make.id.as_str())),
        ));
    }
    if recipe.recipe_yield != make.recipe_yield {
        changes.push(field_change(
            "recipeYield",
            recipe.recipe_yield.as_deref().map(Value::from),
            make.recipe_yield.as_deref().map(Value::from),
        ));
    }
    for key in union_keys(&recipe.fields, &make.fields) {
        let before = recipe.fields.get(key);
        let after = make.fields.get(key);
        // Field values are canonical (numbers normalised at parse time).
        if before != after {
            changes.push(field_change(
                &format!("fields.{key}"),
                before.cloned(),
                after.cloned(),
            ));
        }
    }
}

fn field_change(field: &str, before: Option<Value>, after: Option<Value>) -> Change {
    Change::FieldChanged {
        field: field.to_owned(),
        before,
        after,
    }
}

/// The keys of two maps, in order, each once.
pub(crate) fn union_keys<'a, V>(
    a: &'a std::collections::BTreeMap<String, V>,
    b: &'a std::collections::BTreeMap<String, V>,
) -> Vec<&'a str> {
    let mut keys: Vec<&str> = a.keys().chain(b.keys()).map(String::as_str).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}
