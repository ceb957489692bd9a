//! What a recipe's makes say together: the ingredients cooks change most,
//! their substitutions, the scale factors they use, the steps they edit or
//! skip, and how their ratings compare with the recipe's.
//!
//! Each stored make carries its [`MakeFacts`], derived from its diff; the
//! insights are a fold over those facts. Since the store keeps each make
//! exactly once, the insights are right under duplicate deliveries by
//! construction.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diff::{Change, MakeDiff};
use crate::model::{MakeId, RecipeId};
use crate::text::name_key;

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

/// One make's rating, for the ratings-over-time chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingPoint {
    /// The make.
    pub make_id: MakeId,
    /// When it was made (or stored, when the upload does not say).
    pub at: String,
    /// Its rating.
    pub rating: f64,
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
    /// Ingredients by how often they changed, most first.
    pub ingredients: Vec<IngredientInsight>,
    /// Substitutions, most frequent first.
    pub substitutions: Vec<SubstitutionInsight>,
    /// Scale factors used, most frequent first.
    pub scale_factors: Vec<ScaleInsight>,
    /// Steps by how often they were edited, skipped or moved, most first.
    pub steps: Vec<StepInsight>,
    /// Makes' ratings in time order.
    pub ratings: Vec<RatingPoint>,
}

/// Folds makes' facts into insights.
#[derive(Debug, Default)]
pub struct InsightsBuilder {
    makes: u64,
    rating_sum: f64,
    rated: u64,
    ingredients: BTreeMap<String, IngredientInsight>,
    substitutions: BTreeMap<(String, String), u64>,
    factors: BTreeMap<String, (f64, u64)>,
    steps: BTreeMap<String, StepInsight>,
    ratings: Vec<RatingPoint>,
}

impl InsightsBuilder {
    /// Adds one make.
    pub fn add(&mut self, facts: &MakeFacts) {
        self.makes += 1;
        if let Some(rating) = facts.rating {
            self.rating_sum += rating;
            self.rated += 1;
            self.ratings.push(RatingPoint {
                make_id: facts.make_id.clone(),
                at: facts
                    .made_at
                    .clone()
                    .unwrap_or_else(|| facts.created_at.clone()),
                rating,
            });
        }
        // Count each ingredient once per make, however many of its fields changed.
        let mut seen: BTreeMap<String, ()> = BTreeMap::new();
        for fact in &facts.ingredients {
            let key = name_key(&fact.ingredient);
            let entry = self
                .ingredients
                .entry(key.clone())
                .or_insert_with(|| IngredientInsight {
                    ingredient: fact.ingredient.clone(),
                    ..IngredientInsight::default()
                });
            if seen.insert(key, ()).is_none() {
                entry.changes += 1;
            }
            let counter = match fact.change {
                IngredientChangeKind::Added => &mut entry.added,
                IngredientChangeKind::Removed => &mut entry.removed,
                IngredientChangeKind::Substituted => &mut entry.substituted,
                IngredientChangeKind::Renamed => &mut entry.renamed,
                IngredientChangeKind::Quantity => &mut entry.quantity,
                IngredientChangeKind::Unit => &mut entry.unit,
            };
            *counter += 1;
        }
        for s in &facts.substitutions {
            *self
                .substitutions
                .entry((s.from.clone(), s.to.clone()))
                .or_default() += 1;
        }
        if let Some(factor) = facts.scale_factor {
            let entry = self
                .factors
                .entry(crate::quantity::format_number(factor))
                .or_insert((factor, 0));
            entry.1 += 1;
        }
        for fact in &facts.steps {
            let entry = self
                .steps
                .entry(fact.step.clone())
                .or_insert_with(|| StepInsight {
                    step: fact.step.clone(),
                    ..StepInsight::default()
                });
            match fact.change {
                StepChangeKind::Edited => entry.edited += 1,
                StepChangeKind::Skipped => entry.skipped += 1,
                StepChangeKind::Moved => entry.moved += 1,
            }
        }
    }

    /// The insights, each list sorted most frequent first (ties by name, so
    /// the output is deterministic) and cut to `top` entries.
    pub fn finish(self, recipe_id: RecipeId, recipe_rating: Option<f64>, top: usize) -> Insights {
        let mut ingredients: Vec<_> = self.ingredients.into_values().collect();
        ingredients.sort_by(|a, b| {
            b.changes
                .cmp(&a.changes)
                .then_with(|| a.ingredient.cmp(&b.ingredient))
        });
        ingredients.truncate(top);
        let mut substitutions: Vec<_> = self
            .substitutions
            .into_iter()
            .map(|((from, to), count)| SubstitutionInsight { from, to, count })
            .collect();
        substitutions.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| (&a.from, &a.to).cmp(&(&b.from, &b.to)))
        });
        substitutions.truncate(top);
        let mut scale_factors: Vec<_> = self
            .factors
            .into_values()
            .map(|(factor, count)| ScaleInsight { factor, count })
            .collect();
        scale_factors.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.factor.total_cmp(&b.factor))
        });
        let mut steps: Vec<_> = self.steps.into_values().collect();
        let weight = |s: &StepInsight| s.edited + s.skipped + s.moved;
        steps.sort_by(|a, b| weight(b).cmp(&weight(a)).then_with(|| a.step.cmp(&b.step)));
        steps.truncate(top);
        let mut ratings = self.ratings;
        ratings.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.make_id.cmp(&b.make_id)));
        Insights {
            recipe_id,
            makes: self.makes,
            recipe_rating,
            average_make_rating: (self.rated > 0)
                .then(|| crate::diff::round4(self.rating_sum / self.rated as f64)),
            rated_makes: self.rated,
            ingredients,
            substitutions,
            scale_factors,
            steps,
            ratings,
        }
    }
}
