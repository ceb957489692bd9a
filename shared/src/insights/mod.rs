//! What a recipe's makes say together: the ingredients cooks change most,
//! their substitutions, the scale factors they use, the steps they edit or
//! skip, and how their ratings compare with the recipe's.
//!
//! Each stored make carries its [`MakeFacts`], derived from its diff. The
//! store keeps each recipe's [`InsightTally`] with its makes: a make's
//! facts are counted in by the write that stores it and taken out by the
//! one that removes it, so a read costs the same at any number of makes.
//! Since the store keeps each make exactly once, the counts are right
//! under duplicate deliveries by construction.

mod tally;

use serde::{Deserialize, Serialize};

use crate::diff::{Change, MakeDiff};
use crate::model::{MakeId, RecipeId};

pub use tally::{
    DEVIATION_BUCKETS, IngredientCount, InsightTally, Period, PeriodInsight, StepCount,
    WeekInsight, deviation_bucket, month_of, most_used, week_of,
};

/// How one ingredient changed in one make.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IngredientChangeKind {
    /// Added by the make.
    Added,
    /// Left out.
    Removed,
    /// Replaced by another ingredient.
    Substituted,
    /// Named more or less specifically.
    Renamed,
    /// Another amount.
    Quantity,
    /// Another unit.
    Unit,
}

/// One ingredient change in one make.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IngredientFact {
    /// The ingredient's name (the recipe's, or the make's when added).
    pub ingredient: String,
    /// What happened to it.
    pub change: IngredientChangeKind,
}

/// One substitution in one make.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubstitutionFact {
    /// The recipe's ingredient.
    pub from: String,
    /// What the cook used instead.
    pub to: String,
}

/// How one step changed in one make.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepChangeKind {
    /// Its text changed.
    Edited,
    /// Not done.
    Skipped,
    /// Done at another point.
    Moved,
}

/// One step change in one make.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepFact {
    /// The recipe's text of the step.
    pub step: String,
    /// What happened to it.
    pub change: StepChangeKind,
}

/// What one make contributes to its recipe's insights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MakeFacts {
    /// The make.
    pub make_id: MakeId,
    /// The recipe version it was diffed against.
    pub version: u32,
    /// When it was made, as the upload says.
    pub made_at: Option<String>,
    /// When it was stored.
    pub created_at: String,
    /// The make's rating.
    pub rating: Option<f64>,
    /// The scale factor, when scaled.
    pub scale_factor: Option<f64>,
    /// Ingredient changes.
    pub ingredients: Vec<IngredientFact>,
    /// Substitutions.
    pub substitutions: Vec<SubstitutionFact>,
    /// Step changes.
    pub steps: Vec<StepFact>,
    /// How many steps the make added.
    pub steps_added: u32,
    /// Who logged it from the dashboard (its key's cook), for an export's
    /// pseudonym; absent for a make dropped anywhere else, and for makes
    /// stored before facts carried it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logged_by: Option<String>,
    /// Whether the make changed the recipe (any change but its rating:
    /// [`crate::diff::Summary::changes_recipe`]); absent in facts stored
    /// before they said, and then read from the facts themselves
    /// ([`MakeFacts::changed_recipe`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed: Option<bool>,
}

impl MakeFacts {
    /// The facts of one make, from its diff.
    pub fn from_diff(
        diff: &MakeDiff,
        make_id: MakeId,
        version: u32,
        made_at: Option<String>,
        created_at: String,
        rating: Option<f64>,
    ) -> Self {
        let mut facts = MakeFacts {
            make_id,
            version,
            made_at,
            created_at,
            rating,
            scale_factor: diff.scale_factor(),
            ingredients: Vec::new(),
            substitutions: Vec::new(),
            steps: Vec::new(),
            steps_added: 0,
            logged_by: None,
            changed: Some(diff.summary.changes_recipe()),
        };
        let mut ingredient = |name: &str, change| {
            facts.ingredients.push(IngredientFact {
                ingredient: name.to_owned(),
                change,
            });
        };
        for change in &diff.changes {
            match change {
                Change::IngredientAdded { ingredient: i, .. } => {
                    ingredient(i.name(), IngredientChangeKind::Added)
                }
                Change::IngredientRemoved { ingredient: i, .. } => {
                    ingredient(i.name(), IngredientChangeKind::Removed)
                }
                Change::IngredientSubstituted { before, after, .. } => {
                    ingredient(before.name(), IngredientChangeKind::Substituted);
                    facts.substitutions.push(SubstitutionFact {
                        from: before.name().to_owned(),
                        to: after.name().to_owned(),
                    });
                }
                Change::IngredientRenamed { before, .. } => {
                    ingredient(before, IngredientChangeKind::Renamed)
                }
                Change::QuantityChanged {
                    ingredient: name, ..
                } => ingredient(name, IngredientChangeKind::Quantity),
                Change::UnitChanged {
                    ingredient: name, ..
                } => ingredient(name, IngredientChangeKind::Unit),
                _ => {}
            }
        }
        for change in &diff.changes {
            let (step, kind) = match change {
                Change::StepEdited { before, .. } => (before.clone(), StepChangeKind::Edited),
                Change::StepDeleted { step, .. } => {
                    (step.text().to_owned(), StepChangeKind::Skipped)
                }
                Change::StepMoved { step, .. } => (step.text().to_owned(), StepChangeKind::Moved),
                Change::StepInserted { .. } => {
                    facts.steps_added += 1;
                    continue;
                }
                _ => continue,
            };
            facts.steps.push(StepFact { step, change: kind });
        }
        facts
    }

    /// Whether the make changed the recipe: as its diff said when the facts
    /// say so, else whether the facts record any change (facts stored
    /// before they said; a change of name or another field then goes
    /// uncounted).
    pub fn changed_recipe(&self) -> bool {
        self.changed.unwrap_or_else(|| {
            !self.ingredients.is_empty()
                || !self.steps.is_empty()
                || self.steps_added > 0
                || self.scale_factor.is_some()
        })
    }

    /// How far the make strayed from its recipe: its ingredient changes,
    /// step changes and added steps, each counted once.
    pub fn deviation(&self) -> u64 {
        (self.ingredients.len() + self.steps.len()) as u64 + u64::from(self.steps_added)
    }

    /// When the make was made: the upload's date when it gives one, else
    /// when it was stored (both ISO 8601, date first).
    pub fn at(&self) -> &str {
        self.made_at.as_deref().unwrap_or(&self.created_at)
    }
}

/// How often one ingredient was changed, and how.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngredientInsight {
    /// The ingredient.
    pub ingredient: String,
    /// In how many makes it changed at all.
    pub changes: u64,
    /// Added.
    pub added: u64,
    /// Left out.
    pub removed: u64,
    /// Replaced.
    pub substituted: u64,
    /// Renamed.
    pub renamed: u64,
    /// Another amount.
    pub quantity: u64,
    /// Another unit.
    pub unit: u64,
}

/// One substitution and how often cooks made it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubstitutionInsight {
    /// The recipe's ingredient.
    pub from: String,
    /// What was used instead.
    pub to: String,
    /// How many makes did it.
    pub count: u64,
}

/// One scale factor and how often cooks used it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScaleInsight {
    /// The factor.
    pub factor: f64,
    /// How many makes used it.
    pub count: u64,
}

/// How often one step was edited, skipped or moved.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepInsight {
    /// The step's text in the recipe.
    pub step: String,
    /// Edited.
    pub edited: u64,
    /// Skipped.
    pub skipped: u64,
    /// Moved.
    pub moved: u64,
}

/// A recipe's insights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Insights {
    /// The recipe.
    pub recipe_id: RecipeId,
    /// How many makes.
    pub makes: u64,
    /// The current version's rating.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub recipe_rating: Option<f64>,
    /// The average rating of rated makes.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub average_make_rating: Option<f64>,
    /// How many makes were rated.
    pub rated_makes: u64,
    /// How many makes changed the recipe (any change but their rating).
    pub changed_makes: u64,
    /// Ingredients by how often they changed, most first.
    pub ingredients: Vec<IngredientInsight>,
    /// Substitutions, most frequent first.
    pub substitutions: Vec<SubstitutionInsight>,
    /// Scale factors used, most frequent first.
    pub scale_factors: Vec<ScaleInsight>,
    /// Steps by how often they were edited, skipped or moved, most first.
    pub steps: Vec<StepInsight>,
    /// Makes month by month (`YYYY-MM`, the month made).
    pub months: Vec<PeriodInsight>,
    /// Makes week by week.
    pub weeks: Vec<WeekInsight>,
    /// Ratings against how far makes strayed from the recipe (by their
    /// count of ingredient and step changes).
    pub deviation: Vec<PeriodInsight>,
}
