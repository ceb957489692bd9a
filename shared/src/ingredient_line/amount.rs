//! Amounts on an ingredient line: the count or quantity, size words, the
//! unit, a package's size (`One 14-ounce can`), a restated measure
//! (`15g/½oz`, `1 cup (240 ml)`) and an added one (`plus 2 tablespoons`).

use std::borrow::Cow;

use super::words::{is_container, is_size_modifier, is_size_word};
use crate::model::Measure;
use crate::quantity::{Quantity, parse_quantity_prefix};
use crate::units::{Dimension, Unit, conversion_ratio};

/// What the start of a line says about how much.
#[derive(Debug, Default)]
pub(super) struct Lead<'a> {
    pub(super) quantity: Option<Quantity>,
    pub(super) unit: Option<Unit>,
    pub(super) size: Option<String>,
    pub(super) package_size: Option<Measure>,
    pub(super) plus: Option<Measure>,
    /// A restated measure.
    pub(super) alternative: Option<Measure>,
    /// Bracketed asides met on the way (`(about 20)`).
    pub(super) notes: Vec<String>,
    /// The rest of the line.
    pub(super) rest: &'a str,
}

/// Words that stand for a number (`a pinch of salt`, `Two 8-ounce packages`).
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
    ("dozen", 12.0),
];

/// Separates numbers from the units glued to them (`500g`, `2tbsp`,
/// `15g/½oz`): `500 g`, `2 tbsp`, `15 g / 1/2 oz`. Fractions must already
/// be expanded. Letters after a digit are split off only when they are a
/// unit, so `2nd` and `7UP` stay whole.
pub(super) fn unglue(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let glued = bytes.windows(2).any(|w| {
        (w[0].is_ascii_digit() && w[1].is_ascii_alphabetic())
            || (w[0].is_ascii_alphabetic() && w[1] == b'/')
    });
    if !glued {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphabetic() {
            // Copy one whole character (the index only ever stops on ASCII
            // bytes or after whole characters, so it is on a boundary).
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let end = bytes[i..]
            .iter()
            .position(|b| !b.is_ascii_alphabetic())
            .map_or(bytes.len(), |p| i + p);
        let word = &text[i..end];
        let after_digit = i > 0 && bytes[i - 1].is_ascii_digit();
        let two_word = word.eq_ignore_ascii_case("fl") && text[end..].starts_with(" oz");
        let in_word = i > 0
            && !bytes[i - 1].is_ascii_digit()
            && !matches!(bytes[i - 1], b' ' | b'(' | b'/' | b'-');
        let is_unit = !in_word && (Unit::recognise(word).is_some() || two_word);
        if after_digit && is_unit {
            out.push(' ');
        }
        out.push_str(word);
        let mut after = end;
        if two_word {
            out.push_str(" oz");
            after += 3;
        }
        // "15g/½oz", "litres/2 pints": a slash after a unit separates two measures.
        if is_unit
            && bytes.get(after) == Some(&b'/')
            && bytes.get(after + 1).is_some_and(u8::is_ascii_digit)
        {
            out.push_str(" / ");
            after += 1;
        }
        i = after;
    }
    Cow::Owned(out)
}

/// A number word at the start of `text`, when what follows makes it an
/// amount: a unit, a size word or a package size (`a pinch`, `One 14-ounce
/// can`, `two large eggs`); `a little oil` is not an amount.
fn number_word(text: &str) -> Option<(f64, &str)> {
    let (word, rest) = text.split_once(' ')?;
    let value = NUMBER_WORDS
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(word))?
        .1;
    let is_article = word.eq_ignore_ascii_case("a") || word.eq_ignore_ascii_case("an");
    // "half a lemon", "a dozen eggs"
    if let Some((next, after)) = rest.split_once(' ') {
        if value == 0.5 && (next.eq_ignore_ascii_case("a") || next.eq_ignore_ascii_case("an")) {
            return Some((0.5, after));
        }
        if value == 1.0 && next.eq_ignore_ascii_case("dozen") {
            return Some((12.0, after));
        }
        if value == 1.0 && next.eq_ignore_ascii_case("couple") {
            let after = after.strip_prefix("of ").unwrap_or(after);
            return Some((2.0, after));
        }
    }
    let first = rest.split(' ').next().unwrap_or("");
    let is_amount = unit_prefix(rest).is_some()
        || is_size_word(first)
        || is_size_modifier(first)
        || hyphen_measure(rest).is_some()
        || (!is_article && !first.is_empty());
    is_amount.then_some((value, rest))
}

/// A unit at the start of `text` (one word, or two for `fl oz`), with the rest.
pub(super) fn unit_prefix(text: &str) -> Option<(Unit, &str)> {
    let mut words = text.splitn(3, ' ');
    let first = words.next()?;
    // Only these words start a two-word spelling (`fl oz`, `fluid ounce`, `c. à café`).
    let starts_two = ["fl", "fl.", "fluid", "c.", "c"]
        .iter()
        .any(|w| first.eq_ignore_ascii_case(w));
    if starts_two && let Some(second) = words.next() {
        let two = &text[..first.len() + 1 + second.len()];
        let two = two.trim_end_matches([',', ')', ';']);
        if two.contains(' ')
            && let Some(unit) = Unit::recognise(two)
        {
            let rest = text[first.len() + 1 + second.len()..].trim_start();
            return Some((unit, rest));
        }
    }
    // Units glued to punctuation: "cups," or "g)".
    let token = first.trim_end_matches([',', ')', ';']);
    if token.is_empty() {
        return None;
    }
    let unit = Unit::recognise(token)?;
    Some((unit, text[token.len()..].trim_start()))
}

/// `14-ounce` or `8 1/2-ounce`: a measure written as one hyphenated word,
/// perhaps one of a compound (`3/4-inch-thick`, `8- to 12-pound`), or with
/// a stray space before its hyphen (`4 1/2 -pound`).
pub(super) fn hyphen_measure(text: &str) -> Option<(Measure, &str)> {
    let (quantity, rest) = parse_quantity_prefix(text)?;
    let after = rest.strip_prefix('-').or_else(|| rest.strip_prefix(" -"))?;
    let (unit, after) = hyphen_unit(after)?;
    Some((
        Measure {
            quantity,
            unit: Some(unit),
        },
        after,
    ))
}

/// The unit after a measure's hyphen: a unit word (`ounce can`), or the
/// first part of a compound adjective (`inch-thick slices`, whose rest is
/// then `slices`).
fn hyphen_unit(text: &str) -> Option<(Unit, &str)> {
    if let Some(found) = unit_prefix(text) {
        return Some(found);
    }
    let word_end = text.find(' ').unwrap_or(text.len());
    let word = text[..word_end].trim_end_matches(',');
    let (head, tail) = word.split_once('-')?;
    // `inch-thick`, `inch-long`, `pound-size`: a unit, then a word.
    if tail.is_empty() || !tail.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let unit = Unit::recognise(head)?;
    Some((
        unit,
        text[word.len()..].trim_start_matches(',').trim_start(),
    ))
}

/// A measure with a unit (`240 ml`, `3 lb 5 oz`, `14.5-ounce`). A second
/// measure of the same dimension right after the first is added to it.
pub(super) fn measure(text: &str) -> Option<(Measure, &str)> {
    let (quantity, rest) = parse_quantity_prefix(text)?;
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let (unit, mut rest) = unit_prefix(rest)?;
    let mut measure = Measure {
        quantity,
        unit: Some(unit),
    };
    // "3lb 5oz": pounds and ounces together.
    if let Some((more, after)) = parse_quantity_prefix(rest)
        && let Some((more_unit, after)) = unit_prefix(after.trim_start())
        && more_unit.dimension()
            == measure
                .unit
                .as_ref()
                .map_or(Dimension::Other, Unit::dimension)
        && more_unit.dimension() != Dimension::Other
        && let Some(ratio) =
            conversion_ratio(1.0, measure.unit.as_ref(), more.value(), Some(&more_unit))
        && measure.quantity.max().is_none()
    {
        measure.quantity = Quantity::single(measure.quantity.value() + ratio);
        rest = after;
    }
    Some((measure, rest))
}

/// Whether a measure is of something that converts (mass or volume): a
/// package's contents, not its length.
fn is_contents(measure: &Measure) -> bool {
    measure
        .unit
        .as_ref()
        .is_some_and(|u| matches!(u.dimension(), Dimension::Mass | Dimension::Volume))
}

/// A bracketed measure (`(240 ml)`, `(about 7 oz)`) at the start of `text`:
/// the measure, its text, and the rest after the bracket.
fn bracket_measure(text: &str) -> Option<(Measure, &str, &str)> {
    let inner_start = text.strip_prefix('(')?;
    let close = inner_start.find(')')?;
    let inner = inner_start[..close].trim();
    let bare = strip_approximation(inner).0;
    let (measure, after) = measure(bare)?;
    // "2 cans (15 ounces each)"
    let after = after.trim();
    (after.is_empty() || after.eq_ignore_ascii_case("each"))
        .then(|| (measure, inner, inner_start[close + 1..].trim_start()))
}

/// Strips a leading `about`, `approx.` or `roughly`; says whether it did.
pub(super) fn strip_approximation(text: &str) -> (&str, bool) {
    if !text.starts_with(['a', 'A', 'r', 'R', 'c', 'C']) {
        return (text, false);
    }
    const APPROXIMATELY: &[&str] = &[
        "about ",
        "approximately ",
        "approx. ",
        "approx ",
        "around ",
        "roughly ",
        "circa ",
        "ca. ",
    ];
    match leading_phrase(text, APPROXIMATELY) {
        Some((_, rest)) => (rest.trim_start(), true),
        None => (text, false),
    }
}

/// The first of `phrases` (each ending in a space) that `text` starts
/// with, in any case, and the text after it.
fn leading_phrase<'a>(text: &'a str, phrases: &[&str]) -> Option<(&'a str, &'a str)> {
    // Most text starts with no phrase's first letter: turn it away there.
    let first = text.as_bytes().first()?.to_ascii_lowercase();
    phrases.iter().find_map(|phrase| {
        if phrase.as_bytes().first() != Some(&first) {
            return None;
        }
        let n = phrase.len();
        (text.len() > n && text.is_char_boundary(n) && text[..n].eq_ignore_ascii_case(phrase))
            .then(|| (text[..n].trim(), &text[n..]))
    })
}

/// Size words at the start of `text` (`extra large`, `heaped`), with the rest.
fn size_words(text: &str) -> (Option<String>, &str) {
    let mut rest = text;
    let mut words: Vec<&str> = Vec::new();
    loop {
        let (word, after) = rest.split_once(' ').unwrap_or((rest, ""));
        let bare = word.trim_end_matches(',');
        let size = is_size_word(bare);
        let modifier = is_size_modifier(bare)
            && after
                .split(' ')
                .next()
                .is_some_and(|next| is_size_word(next.trim_end_matches(',')));
        // "3 large eggs": a size word needs something after it.
        if !(size || modifier) || after.is_empty() || words.len() >= 3 {
            break;
        }
        // "4 whole cloves garlic" says how the cloves come; "1 whole
        // chicken" and "2 cups whole milk" name the food.
        if bare.eq_ignore_ascii_case("whole")
            && size_words(after).1 == after
            && unit_prefix(after).is_none()
        {
            break;
        }
        words.push(bare);
        rest = after;
        // "large, ripe tomatoes"
        rest = rest.strip_prefix("and ").unwrap_or(rest);
    }
    if words.is_empty() {
        (None, text)
    } else {
        (Some(words.join(" ").to_lowercase()), rest)
    }
}

/// The amount at the start of a line, or `None` when it starts with none.
pub(super) fn lead(text: &str) -> Option<Lead<'_>> {
    let (quantity, rest) = match parse_quantity_prefix(text) {
        Some((quantity, rest)) => (quantity, rest),
        None => {
            let (value, rest) = number_word(text)?;
            (Quantity::single(value), rest)
        }
    };
    let quantity_text = &text[..text.len() - rest.len()];
    let mut lead = Lead {
        quantity: Some(quantity),
        rest: rest.trim_start(),
        ..Lead::default()
    };

    // "30 or more basil leaves": as many or more is a note.
    if let Some((phrase, after)) = leading_phrase(lead.rest, &["or more ", "or less ", "or so "]) {
        lead.notes.push(phrase.to_lowercase());
        lead.rest = after;
    }

    // "1/4 of a small celeriac", "1/2 of a 4-ounce jar": a part of one.
    if let Some(after_of) = leading_phrase(lead.rest, &["of a ", "of an "]).map(|(_, after)| after)
    {
        lead.rest = after_of;
    }

    // "28-ounce can" or "2 1/4-ounce packages": the number is a package's
    // size. A hyphenated measure describes the things counted, so a whole
    // number before it counts them: "4 3/4-inch-thick pork chops" is four
    // chops, each 3/4 inch thick, not 4 3/4 inches of chop.
    if let Some(after_hyphen) = rest.strip_prefix('-')
        && let Some((unit, after)) = hyphen_unit(after_hyphen)
    {
        let counted = match quantity_text.trim().split_once(' ') {
            Some((whole, fraction)) if quantity.max().is_none() => {
                whole.parse::<f64>().ok().map(|count| (count, fraction))
            }
            _ => None,
        };
        let (count, each) = match counted {
            Some((count, _)) => (count, Quantity::single(quantity.value() - count)),
            None => (1.0, quantity),
        };
        let each = Measure {
            quantity: each,
            unit: Some(unit),
        };
        let (size, after_size) = size_words(after);
        if let Some((container, after_container)) = unit_prefix(after_size)
            && is_container(&container)
        {
            lead.quantity = Some(Quantity::single(count));
            lead.package_size = Some(each);
            lead.unit = Some(container);
            lead.size = size;
            lead.rest = after_container;
            return Some(finish(lead));
        }
        let Some((_, fraction)) = counted else {
            // "1/2-inch piece": an ordinary amount written with a hyphen.
            lead.unit = each.unit;
            lead.rest = after;
            return Some(finish(lead));
        };
        lead.quantity = Some(Quantity::single(count));
        if is_contents(&each) {
            // "1 3/4-pound halibut fillet", "2 1/2-pound pieces of salmon".
            lead.package_size = Some(each);
            lead.size = size;
            lead.rest = after_size;
            if let Some((unit, after_unit)) = unit_prefix(after_size) {
                lead.unit = Some(unit);
                lead.rest = after_unit;
            }
            return Some(finish(lead));
        }
        // "4 3/4-inch-thick pork chops", "1 1/2-inch piece ginger": each
        // one's size; the size words and unit after it are read below.
        let word = rest[..rest.len() - after.len()].trim();
        lead.size = Some(format!("{fraction}{word}").to_lowercase());
        lead.rest = after;
    }

    // A package size after the count: "14-ounce", "(14.5 oz)", "x 400g", "400g".
    let after_times = ["x ", "X ", "× "]
        .iter()
        .find_map(|x| lead.rest.strip_prefix(x));
    // Each with whether it stands alone (not in brackets) and how it is
    // written, for a size.
    let package = if let Some(after) = after_times {
        measure(after).map(|(m, rest)| (m, rest, true, None))
    } else if let Some((m, inner, rest)) = bracket_measure(lead.rest) {
        Some((m, rest, false, Some(inner)))
    } else if let Some((m, rest)) = hyphen_measure(lead.rest) {
        Some((m, rest, true, None))
    } else {
        measure(lead.rest).map(|(m, rest)| (m, rest, true, None))
    };
    if let Some((each, mut after, stands_alone, bracketed)) = package {
        // "Two 8-ounce (450g) packages": the whole amount restated.
        if let Some((measure, _, after_bracket)) = bracket_measure(after) {
            lead.alternative = Some(measure);
            after = after_bracket;
        } else if let Some(after_slash) = after.strip_prefix("/ ")
            && let Some((measure, after_measure)) = measure(after_slash)
        {
            // "1 x 400g/14oz tin": each package's size restated.
            lead.alternative = Some(measure);
            after = after_measure.trim_start();
        }
        let (size, after_size) = size_words(after);
        match unit_prefix(after_size) {
            Some((container, after_container)) if is_container(&container) => {
                lead.package_size = Some(each);
                lead.unit = Some(container);
                lead.size = size;
                lead.rest = after_container;
                return Some(finish(lead));
            }
            // "1 2-pound roast", "1 3-ounce piece of ginger", "1 (3 pound)
            // chicken", "8 10-12 ounce steaks": each one's size.
            found if is_contents(&each) && !after_size.is_empty() => {
                lead.package_size = Some(each);
                lead.size = size;
                lead.rest = after_size;
                if let Some((unit, after_unit)) = found {
                    lead.unit = Some(unit);
                    lead.rest = after_unit;
                }
                return Some(finish(lead));
            }
            // "1 6-inch tortilla", "1 2-inch piece ginger", "1 (1 inch)
            // piece ginger": a size.
            _ if stands_alone
                || each
                    .unit
                    .as_ref()
                    .is_some_and(|u| u.dimension() == Dimension::Length) =>
            {
                let text = bracketed.unwrap_or(&lead.rest[..lead.rest.len() - after.len()]);
                lead.size = Some(text.trim().to_lowercase());
                lead.rest = after;
            }
            _ => lead.alternative = None,
        }
    }

    // "2 (14.5 oz) cans" with an aside that is not a measure: a note.
    if lead.rest.starts_with('(')
        && bracket_measure(lead.rest).is_none()
        && let Some(close) = lead.rest.find(')')
    {
        let aside = lead.rest[1..close].trim();
        if !aside.is_empty() {
            lead.notes.push(aside.to_owned());
        }
        lead.rest = lead.rest[close + 1..].trim_start();
    }

    let (size, mut after_size) = size_words(lead.rest);
    // "1 large or 2 small heads cabbage": another count of another size is
    // a note; the unit and the food follow it.
    if size.is_some()
        && let Some(after_or) = after_size.strip_prefix("or ")
        && let Some((_, after_count)) = parse_quantity_prefix(after_or)
        && let (Some(_), after_other) = size_words(after_count.trim_start())
    {
        let other = &after_size[..after_size.len() - after_other.len()];
        lead.notes.push(other.trim().to_owned());
        after_size = after_other;
    }
    let size = match (lead.size.take(), size) {
        (Some(a), Some(b)) => Some(format!("{a} {b}")),
        (a, b) => a.or(b),
    };
    if let Some((unit, after_unit)) = unit_prefix(after_size) {
        lead.unit = Some(unit);
        lead.rest = after_unit;
    } else {
        lead.rest = after_size;
    }
    lead.size = size;
    Some(finish(lead))
}

/// A unit at the start of a line with no number (`Pinch salt`, `Large
/// pinch saffron`, `cup heavy cream`): the size, the unit and the rest.
pub(super) fn bare_unit(text: &str) -> Option<(Option<String>, Unit, &str)> {
    let (size, after_size) = size_words(text);
    let first = after_size.split(' ').next()?;
    let (unit, rest) = unit_prefix(after_size)?;
    // A one-letter spelling (`C`, `t`) or a food that shares a unit's name
    // (`Cloves, whole`, `Leaves from …`) is not a unit here.
    let food_like = matches!(unit.symbol(), "clove" | "leaf" | "piece");
    let rest = rest.strip_prefix("of ").unwrap_or(rest);
    (first.trim_end_matches(',').len() > 1
        && !food_like
        && !rest.is_empty()
        && !first.ends_with(','))
    .then_some((size, unit, rest))
}

/// A measure added after a food (`2 tablespoons adobo sauce` after
/// `plus`): the measure, perhaps a bare count (`2 lemons`), and the food
/// it is of, if named. `None` when `text` does not start with an amount,
/// or is a bare number with nothing after it.
pub(super) fn added_measure(text: &str) -> Option<(Measure, &str)> {
    let (quantity, rest) = parse_quantity_prefix(text)?;
    let rest = rest.trim_start();
    let (unit, food) = match unit_prefix(rest) {
        Some((unit, after)) => (Some(unit), after.strip_prefix("of ").unwrap_or(after)),
        None if !rest.is_empty() => (None, rest),
        None => return None,
    };
    Some((Measure { quantity, unit }, food.trim()))
}

/// Words for an amount that is not a number (`a few`, `several`), stripped
/// into a note.
pub(super) fn vague_amount(text: &str) -> Option<(&str, &str)> {
    const VAGUE: &[&str] = &[
        "a few ",
        "a couple of ",
        "several ",
        "some ",
        "a little ",
        "few ",
    ];
    leading_phrase(text, VAGUE)
}

/// What may follow an amount: a restated measure, an added one, `of`.
pub(super) fn finish(mut lead: Lead<'_>) -> Lead<'_> {
    for _ in 0..3 {
        // "1 tablespoon, plus 1 teaspoon, sugar", "2 cups, approximately, sugar"
        let rest = match lead.rest.strip_prefix(", ") {
            Some(after) if lead.unit.is_some() => after,
            _ => lead.rest,
        };
        let (rest, about) = strip_approximation(rest.trim_end_matches(','));
        if about || rest.starts_with("approximately,") {
            lead.notes.push("about".to_owned());
            lead.rest = rest
                .strip_prefix("approximately,")
                .unwrap_or(rest)
                .trim_start_matches([',', ' ']);
            continue;
        }
        // "1 cup (240 ml)", "1 can (16 ounces)"
        if let Some((measure, text, after)) = bracket_measure(rest) {
            let is_package = lead.package_size.is_none()
                && lead.unit.as_ref().is_some_and(is_container)
                && is_contents(&measure);
            if is_package {
                lead.package_size = Some(measure);
            } else if lead.alternative.is_none() {
                lead.alternative = Some(measure);
            } else {
                lead.notes.push(text.to_owned());
            }
            lead.rest = after;
            continue;
        }
        // "15g/½oz", "1 1/2 cups / 187 g"
        if let Some(after_slash) = rest.strip_prefix("/ ").or_else(|| rest.strip_prefix('/'))
            && lead.alternative.is_none()
            && let Some((measure, after)) = measure(after_slash.trim_start())
        {
            lead.alternative = Some(measure);
            lead.rest = after.trim_start();
            continue;
        }
        // "3 cups minus 2 tablespoons": a measure taken away is a note (an
        // amount is never negative).
        if let Some((_, after_minus)) = leading_phrase(rest, &["minus ", "less "])
            && let Some((_, after)) = measure(after_minus)
        {
            let taken = &rest[..rest.len() - after.len()];
            lead.notes.push(taken.trim().to_owned());
            lead.rest = after.trim_start().trim_start_matches(", ");
            continue;
        }
        // "1/2 cup plus 2 tablespoons"
        if let Some(after_plus) = rest
            .strip_prefix("plus ")
            .or_else(|| rest.strip_prefix("+ "))
            && lead.plus.is_none()
            && let Some((measure, after)) = measure(after_plus)
        {
            lead.plus = Some(measure);
            lead.rest = after.trim_start().trim_start_matches(", ");
            continue;
        }
        break;
    }
    // "400g can chickpeas", "2.5cm/1in piece ginger": the measure is the
    // amount; the container or piece it comes as is a note.
    let measured = lead.unit.as_ref().is_some_and(|u| {
        matches!(
            u.dimension(),
            Dimension::Mass | Dimension::Volume | Dimension::Length
        )
    });
    if measured
        && lead.package_size.is_none()
        && let Some((form, after)) = unit_prefix(lead.rest)
        && (is_container(&form) || form.symbol() == "piece")
        && !after.is_empty()
    {
        let word = &lead.rest[..lead.rest.len() - after.len()];
        lead.notes.push(word.trim().to_lowercase());
        lead.rest = after;
    }
    if lead.unit.is_some() || lead.package_size.is_some() {
        lead.rest = lead.rest.strip_prefix("of ").unwrap_or(lead.rest);
    }
    lead
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_glued_to_numbers_are_separated() {
        assert_eq!(unglue("500g butter"), "500 g butter");
        assert_eq!(unglue("15g/1/2oz basil"), "15 g / 1/2 oz basil");
        assert_eq!(unglue("45ml/1 1/2fl oz oil"), "45 ml / 1 1/2 fl oz oil");
        assert_eq!(unglue("2tbsp oil"), "2 tbsp oil");
        assert_eq!(unglue("the 2nd egg"), "the 2nd egg");
        assert_eq!(unglue("1.2 litres/2 pints"), "1.2 litres / 2 pints");
        assert_eq!(unglue("salt/pepper"), "salt/pepper");
    }

    #[test]
    fn pounds_and_ounces_add_up() {
        let (m, rest) = measure("3 lb 5 oz beef").expect("a measure");
        assert!((m.quantity.value() - 3.3125).abs() < 1e-9);
        assert_eq!(rest.trim(), "beef");
    }
}
