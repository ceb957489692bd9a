//! The words after the amount: the name, apart from how the food is
//! prepared (`peeled, seeded, and cubed`) and what the line adds about it
//! (`to taste`, `for serving`, `(optional)`).

use super::ParsedLine;
use super::amount::added_measure;
use super::words::{is_manner, is_preparation, note_start};
use crate::text::collapse_whitespace;

/// Fills in the name, preparation and notes from the rest of a line.
pub(super) fn fill(parsed: &mut ParsedLine, text: &str, notes: &mut Vec<String>) {
    let (plain, asides) = take_brackets(text);
    let plain = collapse_whitespace(&plain);
    let mut preparation: Vec<String> = parsed.preparation.take().into_iter().collect();

    // "peeled, seeded, and cubed butternut squash": preparation first.
    let (leading, rest) = leading_preparation(&plain);
    if let Some(leading) = leading {
        preparation.push(leading);
    }

    // "onion, peeled and chopped, to serve": the name, then the rest.
    let mut parts = rest
        .split([',', ';'])
        .map(str::trim)
        .skip_while(|p| p.is_empty());
    let head = parts.next().unwrap_or("");
    let mut trailing: Vec<&str> = Vec::new();
    for part in parts.filter(|p| !p.is_empty()) {
        let first = part.split(' ').next().unwrap_or("");
        let is_preparation_part = trailing.is_empty() && starts_preparation(first, part);
        if is_preparation_part {
            preparation.push(part.to_owned());
        } else {
            trailing.push(part);
        }
    }
    let mut name = head.to_owned();
    // "Salt and pepper to taste", "butter for greasing", "sugar (optional)"
    let words: Vec<&str> = head.split(' ').collect();
    if let Some(at) = note_start(&words) {
        name = words[..at].join(" ");
        notes.push(words[at..].join(" "));
    }
    // "2 cups spinach or 1 10-ounce package frozen": the alternative with
    // its own amount is a note.
    let or = name
        .match_indices(' ')
        .map(|(at, _)| at)
        .find(|&at| name[at + 1..].starts_with("or "));
    if let Some(or) = or
        && name[or + 4..].starts_with(|c: char| c.is_ascii_digit())
    {
        notes.push(name[or + 1..].to_owned());
        name.truncate(or);
    }
    // "2 chillies in adobo plus 2 tablespoons adobo sauce": a measure of a
    // second food added to the first. The line stays one ingredient, the
    // first food, with the added measure as its `plus` (so that doubling
    // the line doubles both parts) and the second food as a note.
    let plus = [" plus ", " + "]
        .iter()
        .find_map(|joint| name.find(joint).map(|at| (at, at + joint.len())));
    if parsed.plus.is_none()
        && let Some((at, after)) = plus
        && let Some((measure, food)) = added_measure(&name[after..])
    {
        if !food.is_empty() {
            notes.push(format!("plus {food}"));
        }
        parsed.plus = Some(measure);
        name.truncate(at);
    }
    if !trailing.is_empty() {
        notes.push(trailing.join(", "));
    }
    notes.extend(asides);

    let name = name
        .trim()
        .trim_start_matches("of ")
        .trim_matches(|c: char| c == '-' || c == ':' || c == '.' || c.is_whitespace());
    if name.is_empty() && !preparation.is_empty() && parsed.name.is_empty() {
        // "1 cup chopped": the words were all there was to call it.
        parsed.name = preparation.join(", ");
        preparation.clear();
    } else {
        parsed.name = name.to_owned();
    }
    parsed.preparation = (!preparation.is_empty()).then(|| preparation.join(", "));
}

/// Whether a part after the name says how the food is prepared
/// (`finely chopped`, `cut into cubes`, `peeled and seeded`).
fn starts_preparation(first: &str, part: &str) -> bool {
    is_preparation(first)
        || (is_manner(first)
            && part
                .split(' ')
                .nth(1)
                .is_some_and(|w| is_preparation(w) || w.ends_with("ed") || w == "ground"))
        || first.eq_ignore_ascii_case("at") && part.contains("room temperature")
}

/// Preparation words before the name (`torn, washed spinach`, `freshly
/// ground black pepper`), with the rest of the text.
fn leading_preparation(text: &str) -> (Option<String>, &str) {
    let mut end = 0;
    let mut last_word_end = 0;
    let mut seen = false;
    let mut previous_manner = false;
    for (start, word) in word_spans(text) {
        let bare = word.trim_end_matches(',');
        let is_prep =
            is_preparation(bare) || (previous_manner && bare.eq_ignore_ascii_case("ground"));
        let joins = seen
            && ["and", "or", "then", "&"]
                .iter()
                .any(|j| bare.eq_ignore_ascii_case(j));
        if is_prep || is_manner(bare) || joins {
            seen |= is_prep;
            previous_manner = is_manner(bare);
            end = start + word.len();
            if is_prep {
                last_word_end = end;
            }
            continue;
        }
        break;
    }
    if !seen || last_word_end == 0 {
        return (None, text);
    }
    let rest = text[end..].trim_start_matches([',', ' ']);
    if rest.is_empty() {
        return (None, text);
    }
    let words = text[..last_word_end].trim_end_matches(',').trim();
    (Some(words.to_owned()), rest)
}

/// Each word with its byte offset.
fn word_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(' ')
        .scan(0usize, |offset, word| {
            let start = *offset;
            *offset += word.len() + 1;
            Some((start, word))
        })
        .filter(|(_, word)| !word.is_empty())
}

/// The text without its brackets, and what the brackets held. An unclosed
/// bracket keeps its text in the name rather than lose it.
fn take_brackets(text: &str) -> (std::borrow::Cow<'_, str>, Vec<String>) {
    let mut asides = Vec::new();
    if !text.contains(['(', '[']) {
        return (std::borrow::Cow::Borrowed(text), asides);
    }
    let mut plain = String::with_capacity(text.len());
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
                    let aside = bracket.trim();
                    if !aside.is_empty() {
                        asides.push(aside.to_owned());
                    }
                    bracket.clear();
                } else {
                    bracket.push(c);
                }
            }
            _ if depth > 0 => bracket.push(c),
            _ => plain.push(c),
        }
    }
    if !bracket.trim().is_empty() {
        plain.push_str(" (");
        plain.push_str(bracket.trim());
    }
    (std::borrow::Cow::Owned(plain), asides)
}
