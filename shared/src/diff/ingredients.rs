//! Ingredient changes: added, removed, renamed or substituted, moved, amount
//! and unit changes, and scale detection.

use super::align::{Alignment, Item, Matched, Rules, align};
use super::{Amount, Change, ScaleEntry, round4};
use crate::ingredient_line::restates_amount;
use crate::model::{Ingredient, Measure};
use crate::quantity::same_number;
use crate::text::word_similarity;
use crate::units::{EQUIVALENCE_TOLERANCE, RESTATEMENT_TOLERANCE, conversion_ratio, equivalent};

/// Least name similarity for two unmatched ingredients to be one renamed
/// or substituted ingredient.
const NAME_SIMILARITY: f64 = 0.5;

fn items(list: &[Ingredient]) -> Vec<Item<'_>> {
    list.iter()
        .map(|i| Item {
            id: i.id.as_ref().map(|id| id.as_str()),
            key: &i.key,
        })
        .collect()
}

pub(super) fn align_ingredients(recipe: &[Ingredient], make: &[Ingredient]) -> Alignment {
    let similarity = |o: usize, n: usize| word_similarity(&recipe[o].key, &make[n].key);
    // The only change between the same neighbours, with the same amount:
    // one ingredient used in place of another.
    let same_place = |o: usize, n: usize| same_amount(&recipe[o], &make[n]);
    align(
        &items(recipe),
        &items(make),
        &Rules {
            similarity: &similarity,
            threshold: NAME_SIMILARITY,
            same_place: &same_place,
        },
    )
}

fn same_amount(a: &Ingredient, b: &Ingredient) -> bool {
    match (a.total(), b.total()) {
        (Some(_), Some(_)) => {
            (same_measure(a, b) && a.quantity == b.quantity) || totals_equivalent(a, b)
        }
        (None, None) => a.unit == b.unit,
        _ => false,
    }
}

/// Whether two ingredients measure in the same way: the same unit, package
/// size and added measure (so that only the quantity can differ). A sum
/// whose parts changed by one factor (`⅓ cup plus 1 tablespoon` to `⅔ cup
/// plus 2 tablespoons`) measures the same way: only its amount changed.
fn same_measure(a: &Ingredient, b: &Ingredient) -> bool {
    // A measure of a second food (`plus 2 tablespoons adobo sauce`) is not
    // in the totals that ratios compare, so it must change with the amount:
    // more chillies in the same sauce is another amount, not another count.
    let same_plus = if apart(a).is_some() || apart(b).is_some() {
        plus_in_proportion(a, b)
    } else {
        same_extra(&a.plus, &b.plus) || plus_in_proportion(a, b)
    };
    a.unit == b.unit && same_extra(&a.package_size, &b.package_size) && same_plus
}

/// An added measure that does not convert into the main amount's unit (a
/// second food: `2 chillies plus 2 tablespoons adobo sauce`), which
/// [`Ingredient::total`] leaves out.
fn apart(i: &Ingredient) -> Option<&Measure> {
    i.plus.as_ref().filter(|plus| {
        conversion_ratio(
            1.0,
            i.total().and_then(|(_, unit)| unit),
            plus.quantity.midpoint(),
            plus.unit.as_ref(),
        )
        .is_none()
    })
}

/// Whether both lines add a measure in the same unit, changed by the same
/// factor as the main amount.
fn plus_in_proportion(a: &Ingredient, b: &Ingredient) -> bool {
    let (Some(a_plus), Some(b_plus), Some(a_quantity), Some(b_quantity)) =
        (&a.plus, &b.plus, a.quantity, b.quantity)
    else {
        return false;
    };
    let (main, added) = (a_quantity.midpoint(), a_plus.quantity.midpoint());
    if a_plus.unit != b_plus.unit || main <= 0.0 || added <= 0.0 {
        return false;
    }
    let main_ratio = b_quantity.midpoint() / main;
    let plus_ratio = b_plus.quantity.midpoint() / added;
    (plus_ratio / main_ratio - 1.0).abs() <= EQUIVALENCE_TOLERANCE
}

/// Whether the make's line restates its amount (`4 pounds (900 g)`) in a
/// restatement left behind when the amount changed. A restatement that
/// agrees with its own line is never stale (`2 x 400g/14oz tins` restates
/// each tin); one that does not is stale when it did not change by the
/// amount's factor `ratio` (a site's rounding, `25g/1oz` doubled to
/// `50g/2oz`, is not), or, with nothing in the recipe to compare it with,
/// whenever it disagrees.
fn restatement_stale(before: &Ingredient, after: &Ingredient, ratio: Option<f64>) -> bool {
    let (Some(restated), Some(quantity)) = (&after.alternative, after.quantity) else {
        return false;
    };
    let agrees = restates_amount(
        quantity,
        after.unit.as_ref(),
        after.package_size.as_ref(),
        restated,
    );
    if agrees == Some(true) {
        return false;
    }
    let followed = before.alternative.as_ref().and_then(|was| {
        let changed_by = conversion_ratio(
            was.quantity.midpoint(),
            was.unit.as_ref(),
            restated.quantity.midpoint(),
            restated.unit.as_ref(),
        )?;
        let ratio = ratio.filter(|r| *r > 0.0)?;
        Some((changed_by / ratio - 1.0).abs() <= RESTATEMENT_TOLERANCE)
    });
    match followed {
        Some(followed) => !followed,
        None => agrees == Some(false),
    }
}

/// Whether two whole amounts are the same after conversion. An added
/// measure left out of the totals ([`apart`]) must be the same amount on
/// both sides as well.
fn totals_equivalent(before: &Ingredient, after: &Ingredient) -> bool {
    let (Some((b, b_unit)), Some((a, a_unit))) = (before.total(), after.total()) else {
        return false;
    };
    let extras_agree = match (apart(before), apart(after)) {
        (None, None) => true,
        (Some(x), Some(y)) => equivalent(
            x.quantity.midpoint(),
            x.unit.as_ref(),
            y.quantity.midpoint(),
            y.unit.as_ref(),
        ),
        _ => false,
    };
    extras_agree && equivalent(b, b_unit, a, a_unit)
}

fn same_extra(a: &Option<Measure>, b: &Option<Measure>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.unit == b.unit && a.quantity.same_as(&b.quantity),
        _ => false,
    }
}

fn amount_of(ingredient: &Ingredient) -> Amount {
    Amount {
        quantity: ingredient.quantity,
        unit: ingredient.unit.clone(),
        package_size: ingredient.package_size.clone(),
        plus: ingredient.plus.clone(),
    }
}

/// Whether one name's words contain the other's: `butter` and `unsalted
/// butter` name the same thing more or less specifically.
fn is_refinement(a: &str, b: &str) -> bool {
    let words_a: Vec<&str> = a.split(' ').collect();
    let words_b: Vec<&str> = b.split(' ').collect();
    let (short, long) = if words_a.len() <= words_b.len() {
        (&words_a, &words_b)
    } else {
        (&words_b, &words_a)
    };
    short.iter().all(|w| long.contains(w))
}

/// The ratio of the make's whole amount to the recipe's, after conversion
/// (a package counts as its size: `2 × 8 oz` is 16 oz).
fn amount_ratio(before: &Ingredient, after: &Ingredient) -> Option<f64> {
    let (b, b_unit) = before.total()?;
    let (a, a_unit) = after.total()?;
    conversion_ratio(b, b_unit, a, a_unit)
}

pub(super) fn changes(
    recipe: &[Ingredient],
    make: &[Ingredient],
    alignment: &Alignment,
    out: &mut Vec<Change>,
) {
    let scale = detect_scale(recipe, make, alignment);
    if let Some(scale) = &scale {
        out.push(scale.change.clone());
    }
    for &o in &alignment.removed {
        out.push(Change::IngredientRemoved {
            recipe_index: o,
            ingredient: Box::new(recipe[o].clone()),
        });
    }
    // Walk the make in order, so additions and changes interleave as the cook listed them.
    let mut pairs = alignment.pairs.iter().peekable();
    let mut added = alignment.added.iter().peekable();
    for (n, made) in make.iter().enumerate() {
        if added.next_if(|&&a| a == n).is_some() {
            out.push(Change::IngredientAdded {
                make_index: n,
                ingredient: Box::new(made.clone()),
            });
            continue;
        }
        let Some(pair) = pairs.next_if(|p| p.new == n) else {
            continue;
        };
        pair_changes(
            &recipe[pair.old],
            made,
            pair.old,
            n,
            pair.moved,
            pair.matched,
            scale.as_ref(),
            out,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn pair_changes(
    before: &Ingredient,
    after: &Ingredient,
    recipe_index: usize,
    make_index: usize,
    moved: bool,
    matched: Matched,
    scale: Option<&Scale>,
    out: &mut Vec<Change>,
) {
    let ingredient = || after.name.clone();
    if before.key != after.key {
        if matched != Matched::Place && is_refinement(&before.key, &after.key) {
            out.push(Change::IngredientRenamed {
                recipe_index,
                make_index,
                before: before.name.clone(),
                after: after.name.clone(),
            });
        } else {
            out.push(Change::IngredientSubstituted {
                recipe_index,
                make_index,
                before: Box::new(before.clone()),
                after: Box::new(after.clone()),
            });
        }
    }
    if moved {
        out.push(Change::IngredientMoved {
            recipe_index,
            make_index,
            ingredient: ingredient(),
        });
    }
    let ratio = amount_ratio(before, after);
    if !same_measure(before, after) {
        // Another unit, package size or added measure: one change to the
        // amount, equivalent when the totals agree (`2 × 8 oz` and `16 oz`).
        out.push(Change::UnitChanged {
            recipe_index,
            make_index,
            ingredient: ingredient(),
            before: amount_of(before),
            after: amount_of(after),
            equivalent: totals_equivalent(before, after),
            ratio: ratio.map(round4),
        });
    } else {
        let same_quantity = match (&before.quantity, &after.quantity) {
            (Some(b), Some(a)) => b.same_as(a),
            (b, a) => b.is_none() && a.is_none(),
        };
        let on_scale = scale.is_some_and(|s| ratio.is_some_and(|r| s.follows(r)));
        if !same_quantity && !on_scale {
            // The added measure of a sum, when it changed with the amount.
            let plus_changed = !same_extra(&before.plus, &after.plus);
            out.push(Change::QuantityChanged {
                recipe_index,
                make_index,
                ingredient: ingredient(),
                before: before.quantity,
                after: after.quantity,
                unit: after.unit.clone(),
                ratio: ratio.map(round4),
                deviation: scale.and_then(|s| ratio.map(|r| round4(r / s.factor))),
                plus_before: before.plus.clone().filter(|_| plus_changed),
                plus_after: after.plus.clone().filter(|_| plus_changed),
                restatement_stale: restatement_stale(before, after, ratio),
            });
        }
    }
    // The restated measure (`15g/½oz`) says the amount again, so it is in
    // the patch but is no change of its own (a stale one is marked on the
    // amount's change instead).
    for (field, b, a) in [
        ("size", before.size.as_deref(), after.size.as_deref()),
        (
            "preparation",
            before.preparation.as_deref(),
            after.preparation.as_deref(),
        ),
        ("note", before.note.as_deref(), after.note.as_deref()),
        ("group", before.group.as_deref(), after.group.as_deref()),
        (
            "ingredientId",
            before.id.as_ref().map(|i| i.as_str()),
            after.id.as_ref().map(|i| i.as_str()),
        ),
    ] {
        if b != a {
            out.push(Change::IngredientDetailChanged {
                recipe_index,
                make_index,
                ingredient: ingredient(),
                field,
                before: b.map(str::to_owned),
                after: a.map(str::to_owned),
            });
        }
    }
}

/// A detected scale: the factor and the change that reports it.
struct Scale {
    factor: f64,
    change: Change,
}

impl Scale {
    fn follows(&self, ratio: f64) -> bool {
        (ratio / self.factor - 1.0).abs() <= EQUIVALENCE_TOLERANCE
    }
}

/// "Scaled by k": when most compared ingredients (at least two, and more
/// than half) share one ratio that is not 1.
fn detect_scale(
    recipe: &[Ingredient],
    make: &[Ingredient],
    alignment: &Alignment,
) -> Option<Scale> {
    let ratios: Vec<(usize, usize, f64)> = alignment
        .pairs
        .iter()
        .filter_map(|p| amount_ratio(&recipe[p.old], &make[p.new]).map(|r| (p.old, p.new, r)))
        .filter(|(_, _, r)| *r > 0.0)
        .collect();
    if ratios.len() < 2 {
        return None;
    }
    // The largest group of ratios within the tolerance of each other: a
    // sliding window over the sorted logarithms.
    let mut logs: Vec<f64> = ratios.iter().map(|(_, _, r)| r.ln()).collect();
    logs.sort_by(f64::total_cmp);
    let width = (1.0 + EQUIVALENCE_TOLERANCE).ln();
    let (mut best_start, mut best_len, mut start) = (0, 0, 0);
    for end in 0..logs.len() {
        while logs[end] - logs[start] > width {
            start += 1;
        }
        if end + 1 - start > best_len {
            best_len = end + 1 - start;
            best_start = start;
        }
    }
    if best_len < 2 || best_len * 2 <= ratios.len() {
        return None;
    }
    let group = &logs[best_start..best_start + best_len];
    let factor = nice_factor(group[group.len() / 2].exp());
    if (factor - 1.0).abs() <= EQUIVALENCE_TOLERANCE {
        return None;
    }
    let ingredients: Vec<ScaleEntry> = ratios
        .iter()
        .map(|&(o, n, ratio)| ScaleEntry {
            ingredient: make[n].name.clone(),
            ratio: round4(ratio),
            deviation: round4(ratio / factor),
            restatement_stale: restatement_stale(&recipe[o], &make[n], Some(ratio)),
        })
        .collect();
    let consistent = ratios
        .iter()
        .filter(|(_, _, r)| (r / factor - 1.0).abs() <= EQUIVALENCE_TOLERANCE)
        .count();
    Some(Scale {
        factor,
        change: Change::Scaled {
            factor,
            consistent,
            compared: ratios.len(),
            ingredients,
        },
    })
}

/// Snaps a factor to a cook's fraction (halves, thirds, quarters) when it
/// is within 1% of one, so a doubled batch reads `2`, not `2.004`.
fn nice_factor(factor: f64) -> f64 {
    let twelfths = (factor * 12.0).round() / 12.0;
    if twelfths > 0.0 && (factor / twelfths - 1.0).abs() <= 0.01 {
        if same_number(twelfths, twelfths.round()) {
            return twelfths.round();
        }
        return round4(twelfths);
    }
    round4(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refinements_keep_every_word_of_the_shorter_name() {
        assert!(is_refinement("butter", "unsalted butter"));
        assert!(is_refinement("garlic clove", "garlic"));
        assert!(!is_refinement("brown sugar", "white sugar"));
    }

    #[test]
    fn factors_snap_to_cooks_fractions() {
        assert_eq!(nice_factor(2.004), 2.0);
        assert_eq!(nice_factor(1.4995), 1.5);
        assert_eq!(nice_factor(0.3334), 0.3333);
        assert_eq!(nice_factor(1.37), 1.37);
    }
}
