//! The diff as a person reads it on a terminal: coloured where the terminal
//! supports it, with `[-removed-]` / `{+added+}` markers where it does not.

use std::fmt::Write;

use anstyle::{AnsiColor, Effects, Style};
use shared::diff::{Amount, InlineSpan, SpanKind};
use shared::quantity::{Quantity, format_number};
use shared::{Change, Ingredient, Make, MakeDiff, Recipe};

/// Style of error messages.
pub const ERROR: Style = AnsiColor::Red.on_default().effects(Effects::BOLD);
const HEADING: Style = Style::new().effects(Effects::BOLD);
const ADDED: Style = AnsiColor::Green.on_default();
const REMOVED: Style = AnsiColor::Red.on_default();
const CHANGED: Style = AnsiColor::Yellow.on_default();
const MOVED: Style = AnsiColor::Cyan.on_default();
const DIM: Style = Style::new().effects(Effects::DIMMED);

/// Writes text in a style; the caller's stream drops the styling when its
/// output is not a terminal.
struct Out {
    text: String,
}

impl Out {
    fn styled(&mut self, style: Style, text: &str) {
        let _ = write!(
            self.text,
            "{}{text}{}",
            style.render(),
            style.render_reset()
        );
    }
    fn plain(&mut self, text: &str) {
        self.text.push_str(text);
    }
    fn line(&mut self) {
        self.text.push('\n');
    }
}

/// `2 cloves`, `½ cup`: the unit plural after more than one, as a cook writes it.
fn amount(quantity: Option<&Quantity>, unit: Option<&shared::units::Unit>) -> String {
    match (quantity, unit) {
        (Some(q), Some(u)) => format!("{q} {}", u.for_amount(most(q))),
        (Some(q), None) => q.to_string(),
        (None, Some(u)) => u.to_string(),
        (None, None) => "no amount".to_owned(),
    }
}

/// The amount a unit's number agrees with: a range's high end (`1-2 cups`).
fn most(quantity: &Quantity) -> f64 {
    quantity.max().unwrap_or(quantity.value())
}

fn measure(measure: &shared::model::Measure) -> String {
    amount(Some(&measure.quantity), measure.unit.as_ref())
}

/// A whole amount as a cook reads it: `2 × 8 oz package`, `½ cup + 2 tbsp`.
fn full_amount(
    quantity: Option<&Quantity>,
    unit: Option<&shared::units::Unit>,
    package_size: Option<&shared::model::Measure>,
    plus: Option<&shared::model::Measure>,
) -> String {
    let mut text = match (quantity, package_size) {
        (Some(q), Some(each)) => match unit {
            Some(u) => format!("{q} × {} {}", measure(each), u.for_amount(most(q))),
            None => format!("{q} × {}", measure(each)),
        },
        _ => amount(quantity, unit),
    };
    if let Some(plus) = plus {
        let _ = write!(text, " + {}", measure(plus));
    }
    text
}

fn ingredient_text(ingredient: &Ingredient) -> String {
    let mut text = String::new();
    if ingredient.quantity().is_some() || ingredient.unit().is_some() {
        text.push_str(&full_amount(
            ingredient.quantity(),
            ingredient.unit(),
            ingredient.package_size(),
            ingredient.plus(),
        ));
        text.push(' ');
    }
    if let Some(size) = ingredient.size() {
        let _ = write!(text, "{size} ");
    }
    text.push_str(ingredient.name());
    for extra in [ingredient.preparation(), ingredient.note()]
        .into_iter()
        .flatten()
    {
        let _ = write!(text, ", {extra}");
    }
    text
}

fn ratio(ratio: Option<f64>) -> String {
    ratio
        .map(|r| format!("  ×{}", format_number(r)))
        .unwrap_or_default()
}

fn inline(out: &mut Out, spans: &[InlineSpan]) {
    for span in spans {
        match span.kind {
            SpanKind::Equal => out.plain(&span.text),
            // The markers keep the meaning when colour is stripped.
            SpanKind::Delete => out.styled(
                REMOVED.effects(Effects::STRIKETHROUGH),
                &format!("[-{}-]", span.text),
            ),
            SpanKind::Insert => out.styled(
                ADDED.effects(Effects::UNDERLINE),
                &format!("{{+{}+}}", span.text),
            ),
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A summary of the diff: what changed, ingredient by ingredient and step by step.
pub fn summary(recipe: &Recipe, make: &Make, diff: &MakeDiff) -> String {
    let mut out = Out {
        text: String::new(),
    };
    out.styled(HEADING, recipe.name());
    if let Some(id) = make.make_id() {
        out.plain(&format!(" · make {id}"));
    }
    if let Some(at) = make.made_at() {
        out.plain(&format!(" · {at}"));
    }
    out.line();
    let s = &diff.summary;
    if s.total == 0 {
        out.styled(DIM, "Made exactly as written: no changes.");
        out.line();
        return out.text;
    }
    #[rustfmt::skip]
    let counts = [
        (s.name_changed, "new name", "new names"),
        (s.rating_changed, "new rating", "new ratings"),
        (s.fields_changed, "field changed", "fields changed"),
        (s.scaled, "scaled", "scaled"),
        (s.ingredients_added, "ingredient added", "ingredients added"),
        (s.ingredients_removed, "ingredient removed", "ingredients removed"),
        (s.ingredients_substituted, "substitution", "substitutions"),
        (s.ingredients_renamed, "rename", "renames"),
        (s.quantities_changed, "quantity changed", "quantities changed"),
        (s.units_changed, "unit changed", "units changed"),
        (s.ingredients_moved, "ingredient moved", "ingredients moved"),
        (s.ingredient_details_changed, "ingredient detail changed", "ingredient details changed"),
        (s.steps_inserted, "step added", "steps added"),
        (s.steps_deleted, "step skipped", "steps skipped"),
        (s.steps_moved, "step moved", "steps moved"),
        (s.steps_edited, "step edited", "steps edited"),
        (s.step_details_changed, "step detail changed", "step details changed"),
    ];
    let mut parts = Vec::new();
    for (n, one, many) in counts {
        if n > 0 {
            parts.push(if one == "scaled" {
                one.to_owned()
            } else {
                plural(n, one, many)
            });
        }
    }
    out.plain(&plural(s.total, "change", "changes"));
    if !parts.is_empty() {
        out.plain(&format!(": {}", parts.join(", ")));
    }
    out.line();
    out.line();

    for change in &diff.changes {
        render_change(&mut out, change);
    }
    if let Some(notes) = make.notes() {
        out.line();
        out.styled(HEADING, "Notes: ");
        out.plain(notes);
        out.line();
    }
    out.text
}

fn render_change(out: &mut Out, change: &Change) {
    match change {
        Change::NameChanged { before, after } => {
            out.styled(CHANGED, "  ~ name ");
            out.plain(&format!("{before} → {after}"));
        }
        Change::RatingChanged {
            before,
            after,
            delta,
        } => {
            let show = |r: &Option<f64>| r.map_or("none".to_owned(), format_number);
            out.styled(CHANGED, "  ★ rating ");
            out.plain(&format!("{} → {}", show(before), show(after)));
            if let Some(d) = delta {
                out.plain(&format!(
                    " ({}{})",
                    if *d > 0.0 { "+" } else { "" },
                    format_number(*d)
                ));
            }
        }
        Change::FieldChanged {
            field,
            before,
            after,
        } => {
            let show = |v: &Option<serde_json::Value>| match v {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => "none".to_owned(),
            };
            out.styled(CHANGED, &format!("  ~ {field} "));
            out.plain(&format!("{} → {}", show(before), show(after)));
        }
        Change::Scaled {
            factor,
            consistent,
            compared,
            ..
        } => {
            out.styled(
                CHANGED.effects(Effects::BOLD),
                &format!("  ⤢ scaled ×{}", format_number(*factor)),
            );
            out.plain(&format!(" ({consistent} of {compared} amounts follow it)"));
        }
        Change::IngredientAdded { ingredient, .. } => {
            out.styled(ADDED, &format!("  + {}", ingredient_text(ingredient)));
        }
        Change::IngredientRemoved { ingredient, .. } => {
            out.styled(REMOVED, &format!("  - {}", ingredient_text(ingredient)));
        }
        Change::IngredientRenamed { before, after, .. } => {
            out.styled(CHANGED, "  ~ ");
            out.plain(&format!("{before} → {after}"));
        }
        Change::IngredientSubstituted { before, after, .. } => {
            out.styled(CHANGED, "  ⇄ ");
            out.plain(&format!("{} instead of {}", after.name(), before.name()));
        }
        Change::IngredientMoved {
            ingredient,
            recipe_index,
            make_index,
        } => {
            out.styled(MOVED, "  ↕ ");
            out.plain(&format!(
                "{ingredient} listed {} instead of {}",
                make_index + 1,
                recipe_index + 1
            ));
        }
        Change::QuantityChanged {
            ingredient,
            before,
            after,
            unit,
            ratio: r,
            deviation,
            plus_before,
            plus_after,
            restatement_stale,
            ..
        } => {
            let with_plus = |text: String, plus: &Option<shared::model::Measure>| match plus {
                Some(plus) => format!("{text} + {}", measure(plus)),
                None => text,
            };
            out.styled(CHANGED, "  ~ ");
            out.plain(&format!(
                "{ingredient}: {} → {}{}",
                with_plus(amount(before.as_ref(), unit.as_ref()), plus_before),
                with_plus(amount(after.as_ref(), unit.as_ref()), plus_after),
                ratio(*r)
            ));
            if let Some(d) = deviation {
                out.styled(DIM, &format!(" ({}× the scale)", format_number(*d)));
            }
            if *restatement_stale {
                out.styled(DIM, " (its restated measure was not changed)");
            }
        }
        Change::UnitChanged {
            ingredient,
            before,
            after,
            equivalent,
            ratio: r,
            ..
        } => {
            let show = |a: &Amount| {
                full_amount(
                    a.quantity.as_ref(),
                    a.unit.as_ref(),
                    a.package_size.as_ref(),
                    a.plus.as_ref(),
                )
            };
            out.styled(CHANGED, "  ~ ");
            out.plain(&format!("{ingredient}: {} → {}", show(before), show(after)));
            if *equivalent {
                out.styled(DIM, " (the same amount)");
            } else {
                out.plain(&ratio(*r));
            }
        }
        Change::IngredientDetailChanged {
            ingredient,
            field,
            before,
            after,
            ..
        } => {
            out.styled(CHANGED, "  ~ ");
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
            out.plain(&format!(
                "{ingredient} {field}: {} → {}",
                show(before),
                show(after)
            ));
        }
        Change::StepInserted { make_index, step } => {
            out.styled(
                ADDED,
                &format!("  + step {}: {}", make_index + 1, step.text()),
            );
        }
        Change::StepDeleted { recipe_index, step } => {
            out.styled(
                REMOVED,
                &format!("  - step {}: {}", recipe_index + 1, step.text()),
            );
        }
        Change::StepMoved {
            recipe_index,
            make_index,
            step,
        } => {
            out.styled(
                MOVED,
                &format!(
                    "  ↕ step {} done as step {}: ",
                    recipe_index + 1,
                    make_index + 1
                ),
            );
            out.plain(step.text());
        }
        Change::StepEdited {
            make_index,
            inline: spans,
            ..
        } => {
            out.styled(CHANGED, &format!("  ✎ step {}: ", make_index + 1));
            inline(out, spans);
        }
        Change::StepDetailChanged {
            make_index,
            field,
            before,
            after,
            ..
        } => {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
            out.styled(CHANGED, &format!("  ~ step {} {field}: ", make_index + 1));
            out.plain(&format!("{} → {}", show(before), show(after)));
        }
    }
    out.line();
}
