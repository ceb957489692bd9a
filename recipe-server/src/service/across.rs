//! `GET /insights`, insights across recipes: every recipe's tally added up
//! (a use of the domain's [`InsightTally`], here beside the use case that
//! reads the tallies and the versions), each ingredient,
//! substitution and step under its normalised name, with how many recipes
//! it came up in. Nothing here is per cook: a tally counts makes, never who
//! logged them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use shared::insights::{
    InsightTally, PeriodInsight, ScaleInsight, StepCount, WeekInsight, most_used,
};
use shared::model::RecipeId;
use shared::store::{VersionSource, VersionSummary};
use shared::text::name_key;

/// One ingredient across recipes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(utoipa::ToSchema)]
pub struct IngredientAcross {
    /// The ingredient, by the name it went by most.
    pub ingredient: String,
    /// In how many makes it changed at all.
    pub changes: u64,
    /// In how many recipes' makes it changed.
    pub recipes: u64,
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

/// One substitution across recipes: "butter → olive oil in 23 makes of 9
/// recipes".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SubstitutionAcross {
    /// The recipes' ingredient.
    pub from: String,
    /// What was used instead.
    pub to: String,
    /// How many makes did it.
    pub count: u64,
    /// In how many recipes.
    pub recipes: u64,
}

/// One step text across recipes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StepAcross {
    /// The step's text in its recipe.
    pub step: String,
    /// Edited.
    pub edited: u64,
    /// Skipped.
    pub skipped: u64,
    /// Moved.
    pub moved: u64,
    /// In how many recipes.
    pub recipes: u64,
}

/// One recipe version's makes: how many, their mean rating, and the share
/// that changed the recipe (after a make was adopted, a falling share says
/// the recipe now matches how it is cooked).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(utoipa::ToSchema)]
pub struct VersionShare {
    /// The recipe.
    pub recipe_id: RecipeId,
    /// The recipe's name at that version.
    pub name: String,
    /// The version.
    pub version: u32,
    /// Where the version came from.
    pub source: VersionSource,
    /// Makes diffed against it.
    pub makes: u64,
    /// Their mean rating.
    #[schema(required)]
    pub average_rating: Option<f64>,
    /// The share of them that changed the recipe.
    #[schema(required)]
    pub changed_share: Option<f64>,
}

/// `GET /insights`: what the makes of every recipe (or one) say together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(utoipa::ToSchema)]
pub struct InsightsAcross {
    /// The one recipe asked for, if any.
    #[schema(required)]
    pub recipe_id: Option<RecipeId>,
    /// The first month counted (`YYYY-MM`), if the range has one.
    #[schema(required)]
    pub from: Option<String>,
    /// The last month counted (`YYYY-MM`), if the range has one.
    #[schema(required)]
    pub to: Option<String>,
    /// Recipes with makes in the range.
    pub recipes: u64,
    /// Makes in the range.
    pub makes: u64,
    /// Rated makes in the range.
    pub rated_makes: u64,
    /// Their mean rating.
    #[schema(required)]
    pub average_make_rating: Option<f64>,
    /// Makes in the range that changed their recipe.
    pub changed_makes: u64,
    /// Ingredients by how often they changed, most first (every make: the
    /// range narrows the totals and the series only).
    pub ingredients: Vec<IngredientAcross>,
    /// Substitutions, most frequent first (every make).
    pub substitutions: Vec<SubstitutionAcross>,
    /// Steps by how often they were edited, skipped or moved (every make).
    pub steps: Vec<StepAcross>,
    /// Scale factors, most used first (every make).
    pub scale_factors: Vec<ScaleInsight>,
    /// Makes month by month, in the range.
    pub months: Vec<PeriodInsight>,
    /// Makes week by week, in the range.
    pub weeks: Vec<WeekInsight>,
    /// Ratings against how far makes strayed (every make).
    pub deviation: Vec<PeriodInsight>,
    /// Each version with makes: their figures (every make).
    pub versions: Vec<VersionShare>,
}

/// Adds up recipes' tallies.
#[derive(Debug, Default)]
pub struct AcrossBuilder {
    all: InsightTally,
    recipes: u64,
    ingredient_recipes: BTreeMap<String, u64>,
    substitutions: BTreeMap<(String, String), Named>,
    steps: BTreeMap<String, (StepCount, u64)>,
    versions: Vec<VersionShare>,
}

/// A count under a normalised key, the names it went by, and its recipes.
#[derive(Debug, Default)]
struct Named {
    names: BTreeMap<(String, String), u64>,
    count: u64,
    recipes: u64,
}

impl AcrossBuilder {
    /// Adds one recipe's tally, restricted to the months `from` to `to`
    /// (for its totals and series).
    pub fn add(&mut self, tally: &InsightTally, from: Option<&str>, to: Option<&str>) {
        let mut tally = tally.clone();
        tally.restrict_months(from, to);
        if tally.all.makes > 0 {
            self.recipes += 1;
        }
        for key in tally.ingredients.keys() {
            *self.ingredient_recipes.entry(key.clone()).or_default() += 1;
        }
        for (from, tos) in &tally.substitutions {
            let mut seen = Vec::new();
            for (to, count) in tos {
                let key = (name_key(from), name_key(to));
                let named = self.substitutions.entry(key.clone()).or_default();
                *named.names.entry((from.clone(), to.clone())).or_default() += count;
                named.count += count;
                if !seen.contains(&key) {
                    named.recipes += 1;
                    seen.push(key);
                }
            }
        }
        for (step, count) in &tally.steps {
            let entry = self.steps.entry(step.clone()).or_default();
            entry.0.edited += count.edited;
            entry.0.skipped += count.skipped;
            entry.0.moved += count.moved;
            entry.1 += 1;
        }
        self.all.merge(&tally);
    }

    /// Adds one recipe's versions (those with makes are listed).
    pub fn add_versions(&mut self, recipe_id: &RecipeId, versions: &[VersionSummary]) {
        self.versions.extend(
            versions
                .iter()
                .filter(|v| v.make_count > 0)
                .map(|v| VersionShare {
                    recipe_id: recipe_id.clone(),
                    name: v.name.clone(),
                    version: v.version,
                    source: v.source.clone(),
                    makes: v.make_count,
                    average_rating: v.average_make_rating,
                    changed_share: v.changed_share,
                }),
        );
    }

    /// The insights, each ranking cut to `top` entries.
    pub fn finish(
        self,
        recipe_id: Option<RecipeId>,
        from: Option<String>,
        to: Option<String>,
        top: usize,
    ) -> InsightsAcross {
        let mut ingredients: Vec<_> = self
            .all
            .ingredients
            .iter()
            .map(|(key, c)| IngredientAcross {
                ingredient: c.name().to_owned(),
                changes: c.changes,
                recipes: self
                    .ingredient_recipes
                    .get(key)
                    .copied()
                    .unwrap_or_default(),
                added: c.added,
                removed: c.removed,
                substituted: c.substituted,
                renamed: c.renamed,
                quantity: c.quantity,
                unit: c.unit,
            })
            .collect();
        ingredients.sort_by(|a, b| {
            (b.changes, b.recipes)
                .cmp(&(a.changes, a.recipes))
                .then_with(|| a.ingredient.cmp(&b.ingredient))
        });
        ingredients.truncate(top);
        let mut substitutions: Vec<_> = self
            .substitutions
            .values()
            .map(|named| {
                let labels: BTreeMap<String, u64> = named
                    .names
                    .iter()
                    .map(|((f, t), n)| (format!("{f}\u{0}{t}"), *n))
                    .collect();
                let (from, to) = most_used(&labels).split_once('\u{0}').unwrap_or_default();
                SubstitutionAcross {
                    from: from.to_owned(),
                    to: to.to_owned(),
                    count: named.count,
                    recipes: named.recipes,
                }
            })
            .collect();
        substitutions.sort_by(|a, b| {
            (b.count, b.recipes)
                .cmp(&(a.count, a.recipes))
                .then_with(|| (&a.from, &a.to).cmp(&(&b.from, &b.to)))
        });
        substitutions.truncate(top);
        let mut steps: Vec<_> = self
            .steps
            .into_iter()
            .map(|(step, (c, recipes))| StepAcross {
                step,
                edited: c.edited,
                skipped: c.skipped,
                moved: c.moved,
                recipes,
            })
            .collect();
        let weight = |s: &StepAcross| s.edited + s.skipped + s.moved;
        steps.sort_by(|a, b| weight(b).cmp(&weight(a)).then_with(|| a.step.cmp(&b.step)));
        steps.truncate(top);
        InsightsAcross {
            recipe_id,
            from,
            to,
            recipes: self.recipes,
            makes: self.all.all.makes,
            rated_makes: self.all.all.rated,
            average_make_rating: self.all.all.average_rating(),
            changed_makes: self.all.all.changed,
            ingredients,
            substitutions,
            steps,
            scale_factors: self.all.scale_insights(),
            months: self.all.month_insights(),
            weeks: self.all.week_insights(),
            deviation: self.all.deviation_insights(),
            versions: self.versions,
        }
    }
}
