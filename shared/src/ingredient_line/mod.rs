//! Free-text ingredient lines as real recipe sites write them, split into
//! amount, size, unit, name, preparation and note:
//! `Two 8-ounce (450g) packages cream cheese`, `15g/½oz fresh basil`,
//! `1 heaped tsp English mustard`, `6 garlic cloves, minced`,
//! `zest of 1 orange`, `Rum, ½ cup`. A line it cannot read keeps its text
//! as the name: parsing a line never fails.

mod amount;
mod name;
mod words;

use crate::model::Measure;
use crate::quantity::{Quantity, expand_fractions};
use crate::text::collapse_whitespace;
use crate::units::{Unit, restates};

use amount::{Lead, bare_unit, finish, lead, strip_approximation, unglue, vague_amount};
use words::is_trailing_unit;

/// What an ingredient line says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedLine {
    /// How much (of the unit, or how many packages or pieces).
    pub quantity: Option<Quantity>,
    /// In what unit, if the line says.
    pub unit: Option<Unit>,
    /// Size or degree words (`large`, `heaped`, `6-inch`).
    pub size: Option<String>,
    /// Each package's size (`14 oz` in `One 14-ounce can`).
    pub package_size: Option<Measure>,
    /// A measure added to the amount (`2 tbsp` in `1/2 cup plus 2 tablespoons`).
    pub plus: Option<Measure>,
    /// The same amount restated (`½ oz` in `15g/½oz`, `900 g` in `2 pounds
    /// (900 g)`), as written: it may disagree with the amount, by a site's
    /// rounding (`25g/1oz`) or because the amount was changed and the
    /// restatement was not. [`restates_amount`] says whether it agrees; the
    /// diff tells a stale restatement from a fresh one.
    pub alternative: Option<Measure>,
    /// What the ingredient is.
    pub name: String,
    /// What was done to it (`peeled, seeded, and cubed`).
    pub preparation: Option<String>,
    /// The rest: purpose, alternatives, asides (`to taste`, `or 1 cup stock`).
    pub note: Option<String>,
}

/// Splits an ingredient line into its parts.
pub fn parse_line(line: &str) -> ParsedLine {
    let expanded = expand_fractions(line);
    let unglued = unglue(&expanded);
    let text = collapse_whitespace(&unglued);
    let text = text
        .trim_start_matches(['•', '*', '-', '–', '▢', '□', '·'])
        .trim_start();
    let mut notes: Vec<String> = Vec::new();
    let (mut body, about) = strip_approximation(text);
    if about {
        notes.push("about".to_owned());
    }
    // "Optional: whipped cream"
    const OPTIONAL: &str = "optional: ";
    if body.len() > OPTIONAL.len()
        && body.is_char_boundary(OPTIONAL.len())
        && body[..OPTIONAL.len()].eq_ignore_ascii_case(OPTIONAL)
    {
        notes.push("optional".to_owned());
        body = &body[OPTIONAL.len()..];
    }
    // "A few thyme sprigs", "Several sprigs fresh thyme"
    if let Some((vague, rest)) = vague_amount(body) {
        notes.push(vague.to_lowercase());
        body = rest;
    }
    // "Scant 1/2 cup sugar": a degree word before the number.
    let mut leading_size = None;
    if let Some((word, rest)) = body.split_once(' ')
        && (words::is_size_word(word))
        && rest.starts_with(|c: char| c.is_ascii_digit())
    {
        leading_size = Some(word.to_lowercase());
        body = rest;
    }

    let mut parsed = match lead(body) {
        Some(found) => from_lead(found, &mut notes),
        None => amount_elsewhere(body, &mut notes).unwrap_or_else(|| {
            let mut parsed = ParsedLine::default();
            // "Pinch salt", "pinch of salt": a unit without a number.
            let rest = match bare_unit(body) {
                Some((size, unit, after)) => {
                    parsed.unit = Some(unit);
                    parsed.size = size;
                    after
                }
                None => body,
            };
            name::fill(&mut parsed, rest, &mut notes);
            trailing_unit(&mut parsed);
            parsed
        }),
    };
    if let Some(size) = leading_size {
        parsed.size = Some(match parsed.size.take() {
            Some(more) => format!("{size} {more}"),
            None => size,
        });
    }

    if parsed.name.is_empty() {
        // Nothing left to call the ingredient: keep the line as written
        // (all of it, when it was only a bullet such as `*`).
        let collapsed = collapse_whitespace(line);
        let name = [text, collapsed.as_ref(), line.trim()]
            .into_iter()
            .find(|candidate| !candidate.is_empty())
            .unwrap_or_default()
            .to_owned();
        return ParsedLine {
            name,
            ..ParsedLine::default()
        };
    }
    parsed.note = (!notes.is_empty()).then(|| notes.join("; "));
    parsed
}

/// Whether `text` is only an amount (`3`, `2 cups`, `1 x 400g`), with no
/// food: the first piece of a line that a line break cut in two
/// (`3 \r\nsprigs thyme`), to be read with the piece after it.
pub fn is_bare_amount(text: &str) -> bool {
    let expanded = expand_fractions(text);
    let unglued = unglue(&expanded);
    let text = collapse_whitespace(&unglued);
    !text.is_empty() && lead(&text).is_some_and(|found| found.rest.trim().is_empty())
}

/// A line that starts with its amount.
fn from_lead(found: Lead<'_>, notes: &mut Vec<String>) -> ParsedLine {
    // "1 stick ((8 tbsp) butter)": everything after the amount is in one
    // pair of brackets, which would leave no name: read what is inside.
    let found = match enclosed(found.rest) {
        Some(inner) => finish(Lead {
            rest: inner,
            ..found
        }),
        None => found,
    };
    notes.extend(found.notes);
    let mut parsed = ParsedLine {
        quantity: found.quantity,
        unit: found.unit,
        size: found.size,
        package_size: found.package_size,
        plus: found.plus,
        ..ParsedLine::default()
    };
    // A measure where a restatement stands is one, even when it disagrees
    // with the amount: "4 pounds (900 g)" is a doubled "2 pounds (900 g)"
    // whose restatement was left as it was, and the diff must see it as
    // the same restatement, not as a note that appeared.
    parsed.alternative = found.alternative;
    name::fill(&mut parsed, found.rest, notes);
    trailing_unit(&mut parsed);
    // "6 cloves", "2 whole cloves": the spice, not a unit of nothing.
    if parsed.name.is_empty()
        && let Some(unit) = parsed.unit.take_if(|u| u.symbol() == "clove")
    {
        let word = unit.for_amount(
            parsed
                .quantity
                .map_or(1.0, |q| q.max().unwrap_or(q.value())),
        );
        parsed.name = match parsed.size.take() {
            Some(size) => format!("{size} {word}"),
            None => word.to_owned(),
        };
    }
    parsed
}

/// The inside of `text` when one pair of brackets holds all of it
/// (`((8 tbsp) butter)` holds `(8 tbsp) butter`), and the inside is not empty.
fn enclosed(text: &str) -> Option<&str> {
    let inner = text.trim_end().strip_prefix('(')?.strip_suffix(')')?;
    // The first bracket must close at the very end, not before it
    // (`(8 tbsp) (softened)` is two asides).
    let mut depth = 1usize;
    for c in inner.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return None;
                }
            }
            _ => {}
        }
    }
    let inner = inner.trim();
    // `1 tsp (optional)` has no name to find inside.
    let words: Vec<&str> = std::iter::once("").chain(inner.split(' ')).collect();
    let is_note = words::note_start(&words) == Some(1);
    (depth == 1 && !inner.is_empty() && !is_note).then_some(inner)
}

/// "6 garlic cloves", "Dill sprigs": the unit after the food.
fn trailing_unit(parsed: &mut ParsedLine) {
    if parsed.unit.is_none()
        && parsed.package_size.is_none()
        && let Some((head, last)) = parsed.name.rsplit_once(' ')
        && let Some(unit) = Unit::recognise(last)
        && is_trailing_unit(&unit)
    {
        parsed.name = head.trim_end().to_owned();
        parsed.unit = Some(unit);
    }
}

/// Whether a restated measure (`alternative`) agrees with a line's amount
/// (`quantity` of `unit`, perhaps in packages of `package_size`): as the
/// whole (`Two 8-ounce (450g) packages`), or as one package or one unit.
/// `None` when they cannot be compared (`1 cup (125 g)`: volume and weight).
pub fn restates_amount(
    quantity: Quantity,
    unit: Option<&Unit>,
    package_size: Option<&Measure>,
    alternative: &Measure,
) -> Option<bool> {
    let other = alternative.quantity.midpoint();
    let other_unit = alternative.unit.as_ref();
    let mut candidates = vec![(quantity.midpoint(), unit)];
    if let Some(each) = package_size {
        candidates.push((
            quantity.midpoint() * each.quantity.midpoint(),
            each.unit.as_ref(),
        ));
        candidates.push((each.quantity.midpoint(), each.unit.as_ref()));
    }
    let verdicts: Vec<bool> = candidates
        .into_iter()
        .filter_map(|(amount, unit)| restates(amount, unit, other, other_unit))
        .collect();
    if verdicts.is_empty() {
        None
    } else {
        Some(verdicts.into_iter().any(|v| v))
    }
}

/// Amounts that are not at the start: `zest of 1 orange`, `Rum, ½ cup`.
fn amount_elsewhere(text: &str, notes: &mut Vec<String>) -> Option<ParsedLine> {
    // "Juice of 1 lemon", "finely grated zest of 2 limes"
    // " of " or " from " among the first words.
    let mut offset = 0;
    let mut joint = None;
    for word in text.split(' ').take(6) {
        if offset > 0 && (word == "of" || word == "from") {
            joint = Some((offset - 1, word.len() + 2));
            break;
        }
        offset += word.len() + 1;
    }
    if let Some((of, len)) = joint
        && of + len <= text.len()
    {
        let head = &text[..of];
        let after = &text[of + len..];
        let short = head.split(' ').count() <= 4 && !head.contains([',', '(']);
        if short
            && head
                .chars()
                .all(|c| c.is_alphabetic() || c == ' ' || c == '-')
            && let Some(found) = lead(after)
        {
            let mut parsed = from_lead(found, notes);
            let what = text[..of + len - 1].to_lowercase();
            parsed.preparation = Some(match parsed.preparation.take() {
                Some(more) => format!("{what}, {more}"),
                None => what,
            });
            return Some(parsed);
        }
    }
    // "Rum, ½ cup": the last part is the whole amount.
    let (name_part, amount_part) = text.rsplit_once(", ")?;
    let found = lead(amount_part.trim())?;
    if !found.rest.trim().is_empty() || found.unit.is_none() {
        return None;
    }
    let mut parsed = from_lead(Lead { rest: "", ..found }, notes);
    name::fill(&mut parsed, name_part, notes);
    Some(parsed)
}

#[cfg(test)]
mod tests;
