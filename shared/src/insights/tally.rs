//! A recipe's insights as counts that a store keeps with each write: a make
//! adds its facts, a removed or erased make takes them away again, and a
//! read turns the counts into [`Insights`] without reading any make.
//!
//! Every figure is a whole number (ratings in millionths), so taking a make
//! away leaves exactly the counts its absence would have given: the tally
//! after any sequence of additions and removals equals the tally of the
//! makes that remain, folded afresh (the property tests below check it).
//! Names are chosen by count, not by arrival, for the same reason.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    IngredientChangeKind, IngredientInsight, Insights, MakeFacts, ScaleInsight, StepChangeKind,
    StepInsight, SubstitutionInsight,
};
use crate::diff::round4;
use crate::model::RecipeId;
use crate::text::name_key;

/// Ratings are kept in millionths, so that sums subtract exactly.
const RATING_SCALE: f64 = 1_000_000.0;

/// The deviation buckets of [`InsightTally::deviation`]: a make with `n`
/// changes falls in the last bucket whose lower bound is at most `n`.
pub const DEVIATION_BUCKETS: [(u64, &str); 7] = [
    (0, "0"),
    (1, "1"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5–9"),
    (10, "10+"),
];

/// Makes, their ratings and how many changed the recipe, over some span.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    /// Makes.
    pub makes: u64,
    /// Rated makes.
    pub rated: u64,
    /// Their ratings' sum, in millionths.
    pub rating_micros: i64,
    /// Makes that changed the recipe.
    pub changed: u64,
}

impl Period {
    fn apply(&mut self, facts: &MakeFacts, sign: Sign) {
        sign.bump(&mut self.makes);
        if let Some(rating) = facts.rating {
            sign.bump(&mut self.rated);
            self.rating_micros += sign.of(micros(rating));
        }
        if facts.changed_recipe() {
            sign.bump(&mut self.changed);
        }
    }

    fn merge(&mut self, other: &Period) {
        self.makes += other.makes;
        self.rated += other.rated;
        self.rating_micros += other.rating_micros;
        self.changed += other.changed;
    }

    fn is_empty(&self) -> bool {
        self.makes == 0
    }

    /// The mean rating of the rated makes.
    pub fn average_rating(&self) -> Option<f64> {
        (self.rated > 0)
            .then(|| round4(self.rating_micros as f64 / RATING_SCALE / self.rated as f64))
    }

    /// The share of makes that changed the recipe.
    pub fn changed_share(&self) -> Option<f64> {
        (self.makes > 0).then(|| round4(self.changed as f64 / self.makes as f64))
    }
}

/// How often one ingredient (by normalised name) changed, and the names it
/// went by with how many changes each.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngredientCount {
    /// The names it went by, each with how many of its changes used it.
    pub names: BTreeMap<String, u64>,
    /// Makes in which it changed at all.
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

impl IngredientCount {
    /// The name it went by most (the first by order among equals).
    pub fn name(&self) -> &str {
        most_used(&self.names)
    }

    fn is_empty(&self) -> bool {
        self.changes == 0
    }

    fn merge(&mut self, other: &IngredientCount) {
        for (name, n) in &other.names {
            *self.names.entry(name.clone()).or_default() += n;
        }
        self.changes += other.changes;
        self.added += other.added;
        self.removed += other.removed;
        self.substituted += other.substituted;
        self.renamed += other.renamed;
        self.quantity += other.quantity;
        self.unit += other.unit;
    }

    /// As an insight, under its most used name.
    pub fn insight(&self) -> IngredientInsight {
        IngredientInsight {
            ingredient: self.name().to_owned(),
            changes: self.changes,
            added: self.added,
            removed: self.removed,
            substituted: self.substituted,
            renamed: self.renamed,
            quantity: self.quantity,
            unit: self.unit,
        }
    }
}

/// How often one step was edited, skipped or moved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepCount {
    /// Edited.
    pub edited: u64,
    /// Skipped.
    pub skipped: u64,
    /// Moved.
    pub moved: u64,
}

impl StepCount {
    fn weight(&self) -> u64 {
        self.edited + self.skipped + self.moved
    }

    fn merge(&mut self, other: &StepCount) {
        self.edited += other.edited;
        self.skipped += other.skipped;
        self.moved += other.moved;
    }
}

/// A recipe's makes, counted: what [`Insights`] are read from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InsightTally {
    /// All the makes.
    #[serde(flatten)]
    pub all: Period,
    /// Ingredients by normalised name.
    #[serde(default)]
    pub ingredients: BTreeMap<String, IngredientCount>,
    /// Substitutions: the recipe's ingredient, what was used instead, how
    /// many makes did it.
    #[serde(default)]
    pub substitutions: BTreeMap<String, BTreeMap<String, u64>>,
    /// Scale factors (as written by [`crate::quantity::format_number`]) and
    /// how many makes used each.
    #[serde(default)]
    pub factors: BTreeMap<String, u64>,
    /// Steps by their text in the recipe.
    #[serde(default)]
    pub steps: BTreeMap<String, StepCount>,
    /// Makes by the month they were made (`YYYY-MM`).
    #[serde(default)]
    pub months: BTreeMap<String, Period>,
    /// Makes by the week they were made, under the week's Monday
    /// (`YYYY-MM-DD`).
    #[serde(default)]
    pub weeks: BTreeMap<String, u64>,
    /// Makes by how far they strayed ([`MakeFacts::deviation`]), one
    /// [`Period`] per [`DEVIATION_BUCKETS`] entry.
    #[serde(default)]
    pub deviation: BTreeMap<String, Period>,
}

/// Whether a make is counted in or taken out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sign {
    Add,
    Remove,
}

impl Sign {
    fn bump(self, counter: &mut u64) {
        match self {
            Sign::Add => *counter += 1,
            // Never below zero: a tally that took out what it never had is
            // rebuilt by its reader (its makes no longer match the recipe's).
            Sign::Remove => *counter = counter.saturating_sub(1),
        }
    }

    fn of(self, value: i64) -> i64 {
        match self {
            Sign::Add => value,
            Sign::Remove => -value,
        }
    }
}

impl InsightTally {
    /// The tally of `facts`, folded afresh.
    pub fn of<'a>(facts: impl IntoIterator<Item = &'a MakeFacts>) -> Self {
        let mut tally = Self::default();
        facts.into_iter().for_each(|f| tally.add(f));
        tally
    }

    /// Counts one make in.
    pub fn add(&mut self, facts: &MakeFacts) {
        self.apply(facts, Sign::Add);
    }

    /// Takes one counted make out again.
    pub fn remove(&mut self, facts: &MakeFacts) {
        self.apply(facts, Sign::Remove);
        self.prune();
    }

    /// Adds another tally's counts to this one (a tally across recipes).
    pub fn merge(&mut self, other: &InsightTally) {
        self.all.merge(&other.all);
        for (key, count) in &other.ingredients {
            self.ingredients
                .entry(key.clone())
                .or_default()
                .merge(count);
        }
        for (from, tos) in &other.substitutions {
            let mine = self.substitutions.entry(from.clone()).or_default();
            for (to, n) in tos {
                *mine.entry(to.clone()).or_default() += n;
            }
        }
        for (factor, n) in &other.factors {
            *self.factors.entry(factor.clone()).or_default() += n;
        }
        for (step, count) in &other.steps {
            self.steps.entry(step.clone()).or_default().merge(count);
        }
        for (month, period) in &other.months {
            self.months.entry(month.clone()).or_default().merge(period);
        }
        for (week, n) in &other.weeks {
            *self.weeks.entry(week.clone()).or_default() += n;
        }
        for (bucket, period) in &other.deviation {
            self.deviation
                .entry(bucket.clone())
                .or_default()
                .merge(period);
        }
    }

    /// How many makes are counted.
    pub fn makes(&self) -> u64 {
        self.all.makes
    }

    fn apply(&mut self, facts: &MakeFacts, sign: Sign) {
        self.all.apply(facts, sign);
        // Each ingredient counts once per make in `changes`, however many
        // of its fields changed, and each of its names once per change.
        let mut seen = Vec::new();
        for fact in &facts.ingredients {
            let key = name_key(&fact.ingredient);
            let count = self.ingredients.entry(key.clone()).or_default();
            if !seen.contains(&key) {
                sign.bump(&mut count.changes);
                seen.push(key);
            }
            sign.bump(count.names.entry(fact.ingredient.clone()).or_default());
            sign.bump(match fact.change {
                IngredientChangeKind::Added => &mut count.added,
                IngredientChangeKind::Removed => &mut count.removed,
                IngredientChangeKind::Substituted => &mut count.substituted,
                IngredientChangeKind::Renamed => &mut count.renamed,
                IngredientChangeKind::Quantity => &mut count.quantity,
                IngredientChangeKind::Unit => &mut count.unit,
            });
        }
        for s in &facts.substitutions {
            sign.bump(
                self.substitutions
                    .entry(s.from.clone())
                    .or_default()
                    .entry(s.to.clone())
                    .or_default(),
            );
        }
        if let Some(factor) = facts.scale_factor {
            sign.bump(
                self.factors
                    .entry(crate::quantity::format_number(factor))
                    .or_default(),
            );
        }
        for fact in &facts.steps {
            let count = self.steps.entry(fact.step.clone()).or_default();
            sign.bump(match fact.change {
                StepChangeKind::Edited => &mut count.edited,
                StepChangeKind::Skipped => &mut count.skipped,
                StepChangeKind::Moved => &mut count.moved,
            });
        }
        let at = facts.at();
        if let Some(month) = month_of(at) {
            self.months
                .entry(month.to_owned())
                .or_default()
                .apply(facts, sign);
        }
        if let Some(week) = week_of(at) {
            sign.bump(self.weeks.entry(week).or_default());
        }
        self.deviation
            .entry(deviation_bucket(facts.deviation()).to_owned())
            .or_default()
            .apply(facts, sign);
    }

    /// Drops whatever counts nothing any more, so that a tally equals the
    /// fold of the makes it still counts.
    fn prune(&mut self) {
        for count in self.ingredients.values_mut() {
            count.names.retain(|_, n| *n > 0);
        }
        self.ingredients.retain(|_, c| !c.is_empty());
        for tos in self.substitutions.values_mut() {
            tos.retain(|_, n| *n > 0);
        }
        self.substitutions.retain(|_, tos| !tos.is_empty());
        self.factors.retain(|_, n| *n > 0);
        self.steps.retain(|_, c| c.weight() > 0);
        self.months.retain(|_, p| !p.is_empty());
        self.weeks.retain(|_, n| *n > 0);
        self.deviation.retain(|_, p| !p.is_empty());
    }

    /// The recipe's insights, each list sorted most frequent first (ties by
    /// name, so the output is deterministic) and cut to `top` entries; the
    /// series by month, week and deviation are whole.
    pub fn insights(
        &self,
        recipe_id: RecipeId,
        recipe_rating: Option<f64>,
        top: usize,
    ) -> Insights {
        Insights {
            recipe_id,
            makes: self.all.makes,
            recipe_rating,
            average_make_rating: self.all.average_rating(),
            rated_makes: self.all.rated,
            changed_makes: self.all.changed,
            ingredients: self.ingredient_insights(top),
            substitutions: self.substitution_insights(top),
            scale_factors: self.scale_insights(),
            steps: self.step_insights(top),
            months: self.month_insights(),
            weeks: self.week_insights(),
            deviation: self.deviation_insights(),
        }
    }

    /// Ingredients by how often they changed, most first.
    pub fn ingredient_insights(&self, top: usize) -> Vec<IngredientInsight> {
        let mut ingredients: Vec<_> = self.ingredients.values().map(|c| c.insight()).collect();
        ingredients.sort_by(|a, b| {
            b.changes
                .cmp(&a.changes)
                .then_with(|| a.ingredient.cmp(&b.ingredient))
        });
        ingredients.truncate(top);
        ingredients
    }

    /// Substitutions, most frequent first.
    pub fn substitution_insights(&self, top: usize) -> Vec<SubstitutionInsight> {
        let mut substitutions: Vec<_> = self
            .substitutions
            .iter()
            .flat_map(|(from, tos)| {
                tos.iter().map(|(to, count)| SubstitutionInsight {
                    from: from.clone(),
                    to: to.clone(),
                    count: *count,
                })
            })
            .collect();
        substitutions.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| (&a.from, &a.to).cmp(&(&b.from, &b.to)))
        });
        substitutions.truncate(top);
        substitutions
    }

    /// Scale factors, most used first.
    pub fn scale_insights(&self) -> Vec<ScaleInsight> {
        let mut factors: Vec<_> = self
            .factors
            .iter()
            .filter_map(|(factor, count)| {
                Some(ScaleInsight {
                    factor: factor.parse().ok()?,
                    count: *count,
                })
            })
            .collect();
        factors.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.factor.total_cmp(&b.factor))
        });
        factors
    }

    /// Steps by how often they changed, most first.
    pub fn step_insights(&self, top: usize) -> Vec<StepInsight> {
        let mut steps: Vec<_> = self
            .steps
            .iter()
            .map(|(step, c)| StepInsight {
                step: step.clone(),
                edited: c.edited,
                skipped: c.skipped,
                moved: c.moved,
            })
            .collect();
        let weight = |s: &StepInsight| s.edited + s.skipped + s.moved;
        steps.sort_by(|a, b| weight(b).cmp(&weight(a)).then_with(|| a.step.cmp(&b.step)));
        steps.truncate(top);
        steps
    }

    /// Makes, ratings and the share that changed the recipe, month by month.
    pub fn month_insights(&self) -> Vec<PeriodInsight> {
        self.months
            .iter()
            .map(|(month, p)| PeriodInsight::of(month, p))
            .collect()
    }

    /// Makes week by week.
    pub fn week_insights(&self) -> Vec<WeekInsight> {
        self.weeks
            .iter()
            .map(|(week, makes)| WeekInsight {
                week: week.clone(),
                makes: *makes,
            })
            .collect()
    }

    /// Ratings against how far makes strayed, in bucket order.
    pub fn deviation_insights(&self) -> Vec<PeriodInsight> {
        DEVIATION_BUCKETS
            .iter()
            .filter_map(|(_, label)| {
                let p = self.deviation.get(*label)?;
                Some(PeriodInsight::of(label, p))
            })
            .collect()
    }

    /// The tally restricted to makes made between two months (`YYYY-MM`,
    /// both included): the months and weeks outside go, and so do the
    /// totals of the months left out. The other counts are not kept by
    /// month and stay whole.
    pub fn restrict_months(&mut self, from: Option<&str>, to: Option<&str>) {
        if from.is_none() && to.is_none() {
            return;
        }
        let within = |month: &str| from.is_none_or(|f| month >= f) && to.is_none_or(|t| month <= t);
        self.months.retain(|month, _| within(month));
        self.weeks
            .retain(|week, _| week.get(..7).is_some_and(within));
        let mut all = Period::default();
        self.months.values().for_each(|p| all.merge(p));
        self.all = all;
    }
}

/// One span's figures: its makes, their mean rating and the share that
/// changed the recipe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodInsight {
    /// The span: a month (`YYYY-MM`), or a deviation bucket (`0` to `4`,
    /// `5–9`, `10+` changes).
    pub span: String,
    /// Makes.
    pub makes: u64,
    /// Rated makes.
    pub rated_makes: u64,
    /// Their mean rating.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub average_rating: Option<f64>,
    /// The share of makes that changed the recipe.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub changed_share: Option<f64>,
}

impl PeriodInsight {
    fn of(span: &str, p: &Period) -> Self {
        Self {
            span: span.to_owned(),
            makes: p.makes,
            rated_makes: p.rated,
            average_rating: p.average_rating(),
            changed_share: p.changed_share(),
        }
    }
}

/// Makes in one week.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeekInsight {
    /// The week's Monday (`YYYY-MM-DD`).
    pub week: String,
    /// Makes made that week.
    pub makes: u64,
}

/// The most used of `names` (the first in order among equals); empty when
/// there are none.
pub fn most_used(names: &BTreeMap<String, u64>) -> &str {
    let mut best: Option<(&String, u64)> = None;
    for (name, n) in names {
        if best.is_none_or(|(_, m)| *n > m) {
            best = Some((name, *n));
        }
    }
    best.map_or("", |(name, _)| name.as_str())
}

fn micros(rating: f64) -> i64 {
    (rating * RATING_SCALE).round() as i64
}

/// The `YYYY-MM` of an ISO 8601 date or date-time.
pub fn month_of(at: &str) -> Option<&str> {
    let date = date_of(at)?;
    at.get(..7).filter(|_| date.year() > 0)
}

fn date_of(at: &str) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(at.get(..10)?, &format).ok()
}

/// The Monday of the week of an ISO 8601 date or date-time, as `YYYY-MM-DD`.
pub fn week_of(at: &str) -> Option<String> {
    let date = date_of(at)?;
    let monday = date.checked_sub(time::Duration::days(i64::from(
        date.weekday().number_days_from_monday(),
    )))?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    monday.format(&format).ok()
}

/// The label of the deviation bucket of a make with `changes` changes.
pub fn deviation_bucket(changes: u64) -> &'static str {
    DEVIATION_BUCKETS
        .iter()
        .rev()
        .find(|(low, _)| changes >= *low)
        .map_or("0", |(_, label)| label)
}

#[cfg(test)]
mod tests;
