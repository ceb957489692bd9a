use proptest::prelude::*;

use super::*;
use crate::insights::{IngredientFact, StepFact, SubstitutionFact};
use crate::model::MakeId;

fn facts_strategy() -> impl Strategy<Value = MakeFacts> {
    let names = prop::sample::select(vec!["Butter", "butter", "flour", "Flour ", "sugar", "salt"]);
    let kinds = prop::sample::select(vec![
        IngredientChangeKind::Added,
        IngredientChangeKind::Removed,
        IngredientChangeKind::Substituted,
        IngredientChangeKind::Renamed,
        IngredientChangeKind::Quantity,
        IngredientChangeKind::Unit,
    ]);
    let steps = prop::sample::select(vec!["Mix.", "Bake.", "Rest."]);
    let step_kinds = prop::sample::select(vec![
        StepChangeKind::Edited,
        StepChangeKind::Skipped,
        StepChangeKind::Moved,
    ]);
    (
        prop::collection::vec((names.clone(), kinds), 0..5),
        prop::collection::vec((names.clone(), names), 0..3),
        prop::collection::vec((steps, step_kinds), 0..4),
        prop::option::of(prop::sample::select(vec![0.5, 1.5, 2.0, 3.0])),
        prop::option::of(prop::sample::select(vec![1.0, 2.5, 3.7, 4.25, 5.0])),
        (
            0u32..3,
            0u8..=30,
            prop::option::of(1u8..=12),
            any::<Option<bool>>(),
        ),
    )
        .prop_map(
            |(ingredients, substitutions, steps, factor, rating, (added, day, month, changed))| {
                let day = format!("2026-{:02}-{:02}", month.unwrap_or(1), day.clamp(1, 28));
                MakeFacts {
                    make_id: MakeId::parse("m").expect("a valid id"),
                    version: 1,
                    made_at: month.map(|_| day.clone()),
                    created_at: format!(
                        "2026-12-{:02}T10:00:00Z",
                        (u32::from(day.len() as u8) % 28) + 1
                    ),
                    rating,
                    scale_factor: factor,
                    ingredients: ingredients
                        .into_iter()
                        .map(|(n, change)| IngredientFact {
                            ingredient: n.into(),
                            change,
                        })
                        .collect(),
                    substitutions: substitutions
                        .into_iter()
                        .map(|(f, t)| SubstitutionFact {
                            from: f.into(),
                            to: t.into(),
                        })
                        .collect(),
                    steps: steps
                        .into_iter()
                        .map(|(s, change)| StepFact {
                            step: s.into(),
                            change,
                        })
                        .collect(),
                    steps_added: added,
                    logged_by: None,
                    changed,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any sequence of makes counted in and taken out leaves the tally of
    /// the makes that remain, folded afresh, and it survives a round trip
    /// through its stored JSON.
    #[test]
    fn kept_tally_equals_a_fresh_fold(
        makes in prop::collection::vec(facts_strategy(), 1..24),
        removals in prop::collection::vec(any::<prop::sample::Index>(), 0..24),
    ) {
        let mut kept = InsightTally::default();
        let mut live: Vec<MakeFacts> = Vec::new();
        let mut removals = removals.into_iter();
        for (n, facts) in makes.into_iter().enumerate() {
            kept.add(&facts);
            live.push(facts);
            // Every other make, take out one of those counted so far.
            if n % 2 == 1 && let Some(at) = removals.next() {
                let gone = live.remove(at.index(live.len()));
                kept.remove(&gone);
            }
        }
        for at in removals.take(live.len() / 2) {
            let gone = live.remove(at.index(live.len()));
            kept.remove(&gone);
        }
        let fresh = InsightTally::of(&live);
        prop_assert_eq!(&kept, &fresh);
        let stored: InsightTally = serde_json::from_str(&serde_json::to_string(&kept).expect("JSON"))
            .expect("the stored tally reads back");
        prop_assert_eq!(&stored, &fresh);
        let id = RecipeId::parse("r").expect("a valid id");
        prop_assert_eq!(kept.insights(id.clone(), None, 10), fresh.insights(id, None, 10));
    }

    /// A tally across recipes counts what each recipe's does.
    #[test]
    fn merged_tallies_count_every_make(
        a in prop::collection::vec(facts_strategy(), 0..10),
        b in prop::collection::vec(facts_strategy(), 0..10),
    ) {
        let mut merged = InsightTally::of(&a);
        merged.merge(&InsightTally::of(&b));
        prop_assert_eq!(merged, InsightTally::of(a.iter().chain(&b)));
    }
}

fn make(
    made_at: &str,
    rating: Option<f64>,
    ingredients: &[(&str, IngredientChangeKind)],
) -> MakeFacts {
    MakeFacts {
        make_id: MakeId::parse("m").expect("a valid id"),
        version: 1,
        made_at: Some(made_at.into()),
        created_at: "2026-12-01T00:00:00Z".into(),
        rating,
        scale_factor: None,
        ingredients: ingredients
            .iter()
            .map(|(n, change)| IngredientFact {
                ingredient: (*n).into(),
                change: *change,
            })
            .collect(),
        substitutions: vec![],
        steps: vec![],
        steps_added: 0,
        logged_by: None,
        changed: None,
    }
}

#[test]
fn an_ingredient_goes_by_its_most_used_name_and_counts_once_per_make() {
    use IngredientChangeKind::{Quantity, Unit};
    let tally = InsightTally::of(&[
        make(
            "2026-03-02",
            Some(4.0),
            &[("Butter", Quantity), ("butter", Unit)],
        ),
        make("2026-03-09", Some(5.0), &[("butter", Quantity)]),
    ]);
    let butter = &tally.ingredient_insights(10)[0];
    assert_eq!(butter.ingredient, "butter");
    assert_eq!((butter.changes, butter.quantity, butter.unit), (2, 2, 1));
    assert_eq!(tally.all.average_rating(), Some(4.5));
}

#[test]
fn months_weeks_and_deviation_place_each_make() {
    use IngredientChangeKind::Quantity;
    let tally = InsightTally::of(&[
        // A Wednesday and the Sunday of the same week, then a Monday.
        make("2026-12-02T18:30:00Z", Some(3.0), &[("flour", Quantity)]),
        make("2026-12-06", None, &[]),
        make("2026-12-07", Some(5.0), &[]),
    ]);
    let weeks: Vec<_> = tally
        .week_insights()
        .into_iter()
        .map(|w| (w.week, w.makes))
        .collect();
    assert_eq!(
        weeks,
        [("2026-11-30".to_owned(), 2), ("2026-12-07".to_owned(), 1)]
    );
    let months = tally.month_insights();
    assert_eq!(
        (
            months[0].span.as_str(),
            months[0].makes,
            months[0].average_rating
        ),
        ("2026-12", 3, Some(4.0))
    );
    // One make changed an ingredient, the other two nothing.
    assert_eq!(months[0].changed_share, Some(0.3333));
    let deviation: Vec<_> = tally
        .deviation_insights()
        .into_iter()
        .map(|p| (p.span, p.makes))
        .collect();
    assert_eq!(deviation, [("0".to_owned(), 2), ("1".to_owned(), 1)]);
    assert_eq!(deviation_bucket(7), "5–9");
    assert_eq!(deviation_bucket(12), "10+");
}

#[test]
fn a_month_range_keeps_its_months_and_their_totals() {
    let mut tally = InsightTally::of(&[
        make("2026-01-15", Some(2.0), &[]),
        make("2026-02-15", Some(4.0), &[]),
        make("2026-03-15", None, &[]),
    ]);
    tally.restrict_months(Some("2026-02"), None);
    assert_eq!(
        tally.months.keys().collect::<Vec<_>>(),
        ["2026-02", "2026-03"]
    );
    assert_eq!(
        (tally.all.makes, tally.all.average_rating()),
        (2, Some(4.0))
    );
    assert!(tally.weeks.keys().all(|w| w.as_str() >= "2026-02"));
}

#[test]
fn dates_that_are_not_dates_fall_in_no_month_or_week() {
    assert_eq!(month_of("2026-13-01"), None);
    assert_eq!(month_of("soon"), None);
    assert_eq!(week_of("2026-02-30"), None);
    assert_eq!(month_of("2026-02-28T23:59:59+05:00"), Some("2026-02"));
}
