//! Free-text ingredient lines (`1 1/2 cups flour, sifted`) split into
//! quantity, unit, name and note. A line it cannot read keeps its text as
//! the name: parsing a line never fails.

use crate::quantity::{Quantity, expand_fractions, parse_quantity_prefix};
use crate::text::collapse_whitespace;
use crate::units::Unit;

/// What an ingredient line says.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedLine {
    /// How much, if the line says.
    pub quantity: Option<Quantity>,
    /// In what unit, if the line says.
    pub unit: Option<Unit>,
    /// What the ingredient is.
    pub name: String,
    /// The rest: preparation, alternatives (`sifted`, `14.5 oz`).
    pub note: Option<String>,
}

/// Words that stand for a number at the start of a line (`a pinch of salt`).
const NUMBER_WORDS: &[(&str, f64)] = &[
    ("a", 1.0),
    ("an", 1.0),
    ("one", 1.0),
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
    ("half", 0.5),
];

/// Splits an ingredient line into its parts.
pub fn parse_line(line: &str) -> ParsedLine {
    let expanded = expand_fractions(line);
    let text = collapse_whitespace(&expanded);
    let text = text
        .trim_start_matches(['•', '*', '-', '–', '▢', '□'])
        .trim_start();
    let mut notes: Vec<String> = Vec::new();

    let (mut quantity, mut rest) = match parse_quantity_prefix(text) {
        Some((quantity, rest)) => (Some(quantity), rest.trim_start()),
        None => (None, text),
    };
    if quantity.is_none()
        && let Some((value, after)) = number_word(text)
    {
        quantity = Some(Quantity::single(value));
        rest = after;
    }
    // "2 (14.5 oz) cans tomatoes": the bracket qualifies the amount.
    if quantity.is_some()
        && rest.starts_with('(')
        && let Some(close) = rest.find(')')
    {
        notes.push(rest[1..close].trim().to_owned());
        rest = rest[close + 1..].trim_start();
    }

    let mut unit = None;
    if let Some((found, after)) = unit_prefix(rest) {
        let followed_by_of = after.starts_with("of ");
        if quantity.is_some() || followed_by_of {
            unit = Some(found);
            rest = after.strip_prefix("of ").unwrap_or(after);
        }
    }
    // "1 1/2 cups / 187 g flour": an alternative measure is a note.
    if unit.is_some()
        && let Some(after_slash) = rest.strip_prefix("/ ").or_else(|| rest.strip_prefix('/'))
        && let Some((alternative, after)) = parse_quantity_prefix(after_slash.trim_start())
    {
        let after = after.trim_start();
        if let Some((alt_unit, after_unit)) = unit_prefix(after) {
            notes.push(format!("{alternative} {alt_unit}"));
            rest = after_unit;
        }
    }

    let (name, trailing_notes) = split_name_and_notes(rest);
    notes.extend(trailing_notes);
    let name = if name.is_empty() {
        // Nothing left to call the ingredient: keep the line as written.
        quantity = None;
        unit = None;
        notes.clear();
        text.to_owned()
    } else {
        name
    };
    ParsedLine {
        quantity,
        unit,
        name,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

fn number_word(text: &str) -> Option<(f64, &str)> {
    let (word, rest) = text.split_once(' ')?;
    let lower = word.to_lowercase();
    let value = NUMBER_WORDS.iter().find(|(w, _)| *w == lower)?.1;
    // "A pinch of salt" counts one pinch; "a little oil" is not an amount,
    // which the caller notices because no unit follows... so require one.
    unit_prefix(rest)?;
    Some((value, rest))
}

/// A unit at the start of `text` (one word, or two for `fl oz`), with the rest.
fn unit_prefix(text: &str) -> Option<(Unit, &str)> {
    let mut words = text.splitn(3, ' ');
    let first = words.next()?;
    if let Some(second) = words.next() {
        let two = &text[..first.len() + 1 + second.len()];
        let two = two.trim_end_matches(',');
        if let Some(unit) = Unit::recognise(two)
            && two.contains(' ')
        {
            let rest = text[first.len() + 1 + second.len()..].trim_start();
            return Some((unit, rest));
        }
    }
    // Units glued to punctuation: "cups," or "g)".
    let token = first.trim_end_matches([',', ')']);
    let unit = Unit::recognise(token)?;
    Some((unit, text[first.len()..].trim_start()))
}

/// `"flour (sifted), plus more"` → `("flour", ["sifted", "plus more"])`.
fn split_name_and_notes(text: &str) -> (String, Vec<String>) {
    let mut notes = Vec::new();
    let mut name = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut bracket = String::new();
    for c in text.chars() {
        match c {
            '(' | '[' => {
                if depth > 0 {
                    bracket.push(c);
                }
                depth += 1;
            }
            ')' | ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    let note = bracket.trim();
                    if !note.is_empty() {
                        notes.push(note.to_owned());
                    }
                    bracket.clear();
                } else {
                    bracket.push(c);
                }
            }
            _ if depth > 0 => bracket.push(c),
            _ => name.push(c),
        }
    }
    if !bracket.trim().is_empty() {
        // An unclosed bracket: keep its text in the name rather than lose it.
        name.push_str(" (");
        name.push_str(bracket.trim());
    }
    let name = collapse_whitespace(&name).into_owned();
    let (name, after_comma) = match name.split_once(',') {
        Some((head, tail)) => (head.trim().to_owned(), Some(tail.trim().to_owned())),
        None => (name, None),
    };
    if let Some(tail) = after_comma.filter(|t| !t.is_empty()) {
        notes.insert(0, tail);
    }
    (name, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantity::format_number;

    fn parts(line: &str) -> (Option<String>, Option<String>, String, Option<String>) {
        let parsed = parse_line(line);
        (
            parsed.quantity.map(|q| match q.max() {
                Some(max) => format!("{}-{}", format_number(q.value()), format_number(max)),
                None => format_number(q.value()),
            }),
            parsed.unit.map(|u| u.symbol().to_owned()),
            parsed.name,
            parsed.note,
        )
    }

    fn s(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    #[test]
    fn splits_quantity_unit_name_and_note() {
        assert_eq!(
            parts("1 1/2 cups all-purpose flour, sifted"),
            (s("1.5"), s("cup"), "all-purpose flour".into(), s("sifted"))
        );
        assert_eq!(
            parts("½ tsp salt"),
            (s("0.5"), s("tsp"), "salt".into(), None)
        );
        assert_eq!(
            parts("3-4 cloves garlic (minced)"),
            (s("3-4"), s("clove"), "garlic".into(), s("minced"))
        );
        assert_eq!(
            parts("200g butter"),
            (s("200"), s("g"), "butter".into(), None)
        );
        assert_eq!(
            parts("1¼ cups sugar"),
            (s("1.25"), s("cup"), "sugar".into(), None)
        );
        assert_eq!(
            parts("2 Tbsp. olive oil"),
            (s("2"), s("tbsp"), "olive oil".into(), None)
        );
        assert_eq!(
            parts("1 fl oz cream"),
            (s("1"), s("fl oz"), "cream".into(), None)
        );
        assert_eq!(
            parts("3 large eggs"),
            (s("3"), None, "large eggs".into(), None)
        );
    }

    #[test]
    fn reads_bracketed_sizes_and_alternative_measures_as_notes() {
        assert_eq!(
            parts("2 (14.5 oz) cans diced tomatoes"),
            (s("2"), s("can"), "diced tomatoes".into(), s("14.5 oz"))
        );
        assert_eq!(
            parts("1 1/2 cups / 187 g unbleached all-purpose flour"),
            (
                s("1.5"),
                s("cup"),
                "unbleached all-purpose flour".into(),
                s("187 g")
            )
        );
    }

    #[test]
    fn words_can_be_amounts_before_a_unit() {
        assert_eq!(
            parts("a pinch of salt"),
            (s("1"), s("pinch"), "salt".into(), None)
        );
        assert_eq!(
            parts("pinch of salt"),
            (None, s("pinch"), "salt".into(), None)
        );
        assert_eq!(
            parts("a little oil"),
            (None, None, "a little oil".into(), None)
        );
    }

    #[test]
    fn unreadable_lines_keep_their_text_as_the_name() {
        assert_eq!(
            parts("Salt and pepper to taste"),
            (None, None, "Salt and pepper to taste".into(), None)
        );
        assert_eq!(parts("2 cups"), (None, None, "2 cups".into(), None));
        assert_eq!(
            parts("salt, to taste"),
            (None, None, "salt".into(), s("to taste"))
        );
        assert_eq!(parts("(optional"), (None, None, "(optional".into(), None));
    }
}
