//! The words after the amount: the name, apart from how the food is
//! prepared (`peeled, seeded, and cubed`) and what the line adds about it
//! (`to taste`, `for serving`, `(optional)`).

use super::ParsedLine;
use super::amount::{added_measure, hyphen_measure, measure};
use super::words::{is_cut, is_manner, is_preparation, note_start};
use crate::text::collapse_whitespace;

/// Fills in the name, preparation and notes from the rest of a line.
pub(super) fn fill(parsed: &mut ParsedLine, text: &str, notes: &mut Vec<String>) {
    let (plain, asides) = take_brackets(text);
    let plain = collapse_whitespace(&plain);
    let mut preparation: Vec<String> = parsed.preparation.take().into_iter().collect();

    // "fresh or dried thyme", "good-quality olive oil": a choice of states,
    // or a word of praise, before the name is a note.
    let plain = match leading_choice(&plain) {
        Some((choice, rest)) => {
            notes.push(choice);
            rest
        }
        None => &plain,
    };
    // "skinless, boneless chicken breasts": how the cut is bought is part
    // of its name, commas and all.
    let (mut cut, plain) = leading_cut(plain);
    // "peeled, seeded, and cubed butternut squash": preparation first.
    let (leading, mut rest) = leading_preparation(plain);
    if let Some(leading) = leading {
        preparation.push(leading);
    }
    // "cooked, boneless, skinless breast of turkey"
    if cut.is_none() {
        (cut, rest) = leading_cut(rest);
    }

    // "onion, peeled and chopped, to serve": the name, then the rest.
    let mut parts = rest
        .split([',', ';'])
        .map(str::trim)
        .skip_while(|p| p.is_empty());
    let head = parts.next().unwrap_or("");
    let mut trailing: Vec<&str> = Vec::new();
    // How many preparation parts came after commas (the head's own goes
    // before them).
    let mut comma_parts = 0;
    for part in parts.filter(|p| !p.is_empty()) {
        let first = part.split(' ').next().unwrap_or("");
        let is_preparation_part = trailing.is_empty() && starts_preparation(first, part);
        if is_preparation_part {
            preparation.push(part.to_owned());
            comma_parts += 1;
        } else {
            trailing.push(part);
        }
    }
    // The head's words, one space apart (it is collapsed), and how many of
    // them the name keeps as each phrase after it is taken off.
    let words: Vec<&str> = head.split(' ').collect();
    let span = |from: usize, to: usize| -> &str {
        let start: usize = words[..from].iter().map(|w| w.len() + 1).sum();
        let end: usize = start + words[from..to].iter().map(|w| w.len() + 1).sum::<usize>();
        head.get(start..end.saturating_sub(1).max(start))
            .unwrap_or("")
    };
    let mut end = words.len();
    // "Salt and pepper to taste", "butter for greasing", "sugar (optional)"
    if let Some(at) = note_start(&words) {
        notes.push(span(at, end).to_owned());
        end = at;
    }
    // "celery cut into 1/2-inch pieces", "cornstarch dissolved in water":
    // how it is prepared, after the name without a comma.
    if let Some(at) = trailing_preparation(&words[..end]) {
        preparation.insert(preparation.len() - comma_parts, span(at, end).to_owned());
        end = at;
    }
    // "orange slice 1 1/4-inch thick", "eggplants about 3 inches across":
    // a measure inside the name says more about it.
    if let Some(at) = measure_inside(&words[..end], |at| span(at, end)) {
        notes.push(span(at, end).to_owned());
        end = at;
    }
    // "2 cups spinach or 1 10-ounce package frozen": the alternative with
    // its own amount is a note.
    if let Some(or) = (1..end).find(|&i| {
        words[i] == "or"
            && words
                .get(i + 1)
                .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()))
    }) {
        notes.push(span(or, end).to_owned());
        end = or;
    }
    // "2 chillies in adobo plus 2 tablespoons adobo sauce": a measure of a
    // second food added to the first. The line stays one ingredient, the
    // first food, with the added measure as its `plus` (so that doubling
    // the line doubles both parts) and the second food as a note.
    let plus = (1..end.saturating_sub(1))
        .find(|&i| words[i] == "+" || words[i].eq_ignore_ascii_case("plus"));
    if parsed.plus.is_none()
        && let Some(at) = plus
        && let Some((measure, food)) = added_measure(span(at + 1, end))
    {
        if !food.is_empty() {
            notes.push(format!("plus {food}"));
        }
        parsed.plus = Some(measure);
        end = at;
    }
    let name = span(0, end);
    if !trailing.is_empty() {
        notes.push(trailing.join(", "));
    }
    notes.extend(asides);

    let name = name
        .trim()
        .trim_start_matches("of ")
        .trim_matches(|c: char| c == '-' || c == ':' || c == '.' || c.is_whitespace());
    let with_cut;
    let name = match cut {
        Some(cut) if !name.is_empty() => {
            with_cut = format!("{cut} {name}");
            with_cut.as_str()
        }
        _ => name,
    };
    if name.is_empty() && !preparation.is_empty() && parsed.name.is_empty() {
        // "1 cup chopped": the words were all there was to call it.
        parsed.name = preparation.join(", ");
        preparation.clear();
    } else {
        parsed.name = name.to_owned();
    }
    parsed.preparation = (!preparation.is_empty()).then(|| preparation.join(", "));
}

/// Words that may follow a measure that says how big the food is (`1
/// 1/4-inch thick`, `3 inches in diameter`, `6 ounces each`).
const SIZE_TAILS: &[&str] = &[
    "thick", "thin", "long", "wide", "across", "in", "each", "apiece", "total", "deep", "high",
    "square", "diameter", "or", "and",
];

/// Where a measure of the food's size starts inside a name, after its first
/// word (`orange slice 1 1/4-inch thick`, `eggplants about 3 inches in
/// diameter`, `steaks 6 ounces each`): a number with a unit, or a
/// hyphenated one, that ends the name or goes on with a size word. A size
/// before the food (`baked 9-inch pie crust`) is part of the name, and a
/// number that is part of a name (`Chinese 5-spice powder`) has no unit.
fn measure_inside<'a>(words: &[&str], text_from: impl Fn(usize) -> &'a str) -> Option<usize> {
    if !words.iter().any(|w| w.bytes().any(|b| b.is_ascii_digit())) {
        return None;
    }
    for i in 1..words.len() {
        let text = text_from(i);
        let bare = ["about ", "approximately ", "roughly "]
            .iter()
            .find_map(|a| text.strip_prefix(a))
            .unwrap_or(text);
        if !bare.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let Some((_, after)) = measure(bare).or_else(|| hyphen_measure(bare)) else {
            continue;
        };
        let next = after.split(' ').next().unwrap_or("");
        let sized = next.is_empty() || SIZE_TAILS.iter().any(|t| t.eq_ignore_ascii_case(next));
        // "or 1 10-ounce package", "plus 1 tablespoon": read elsewhere.
        let joined = ["or", "plus", "+", "and"]
            .iter()
            .any(|j| words[i - 1].eq_ignore_ascii_case(j));
        if sized && !joined {
            return Some(i);
        }
    }
    None
}

/// Words that may follow a preparation word inside a phrase that says how
/// (`cut into`, `peeled and seeded`, `sliced thin`).
const PREPARATION_FOLLOWERS: &[&str] = &[
    "and",
    "or",
    "then",
    "into",
    "in",
    "with",
    "until",
    "for",
    "to",
    "on",
    "over",
    "through",
    "from",
    "by",
    "at",
    "off",
    "crosswise",
    "lengthwise",
    "diagonally",
    "thin",
    "thick",
    "fine",
    "small",
    "just",
    "about",
];

/// Where a phrase that says how the food is prepared starts after the name
/// (`celery cut into 1/2-inch pieces`, `heavy cream whipped`, `cornstarch
/// dissolved in 1/4 cup water`, `pancetta in 1/4-inch dice`): a
/// preparation word that ends the name or goes on as a phrase, a past
/// participle with a preposition after it, or `in` with a size or count.
/// A preparation word before another word of the name (`ice cold water`)
/// is part of it; the first word is never split off.
fn trailing_preparation(words: &[&str]) -> Option<usize> {
    for (i, &word) in words.iter().enumerate().skip(1) {
        let next = words.get(i + 1).copied();
        let after_next = words.get(i + 2).copied();
        // "peeled and seeded" joins two preparations; "toasted or stale
        // bread" joins two words of the name.
        let joins = |w: &str| {
            ["and", "or", "then"]
                .iter()
                .any(|j| w.eq_ignore_ascii_case(j))
        };
        let follows = |w: &str| {
            if joins(w) {
                return after_next.is_some_and(|a| is_preparation(a) || is_manner(a));
            }
            PREPARATION_FOLLOWERS
                .iter()
                .any(|f| f.eq_ignore_ascii_case(w))
                || is_manner(w)
        };
        // "tuna packed in oil" is what is bought, not what was done to it.
        let bought = word.eq_ignore_ascii_case("packed");
        let prepared = is_preparation(word) && !bought && next.is_none_or(follows);
        // "dissolved in", "kneaded with": a participle not in the list.
        let participle = word.len() >= 4
            && !bought
            && word.ends_with("ed")
            && next.is_some_and(|n| {
                ["in", "into", "with", "until", "to", "by", "over"]
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case(n))
            });
        // "in 1/2-inch dice", "in their shells", "in a pouch"
        let inside = word.eq_ignore_ascii_case("in")
            && next.is_some_and(|n| {
                n.starts_with(|c: char| c.is_ascii_digit())
                    || ["a", "an", "their", "its"]
                        .iter()
                        .any(|d| d.eq_ignore_ascii_case(n))
            });
        // "egg yolk lightly beaten": the manner goes with what it says.
        let manner =
            is_manner(word) && next.is_some_and(is_preparation) && after_next.is_none_or(follows);
        if prepared || participle || inside || manner {
            return Some(i);
        }
    }
    None
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

/// The states a food may be bought or used in, offered as a choice before
/// its name (`fresh or frozen peas`).
const STATES: &[&str] = &[
    "fresh",
    "dried",
    "dry",
    "frozen",
    "canned",
    "tinned",
    "jarred",
    "bottled",
    "cooked",
    "raw",
    "homemade",
    "store-bought",
    "salted",
    "unsalted",
    "smoked",
    "unsmoked",
    "ripe",
    "thawed",
];

/// A choice of states (`fresh or dried`, `fresh, frozen or canned`) or a
/// word of quality (`good-quality`, `best quality`) at the start of `text`,
/// lower case, with the rest; `None` when the rest would be empty.
fn leading_choice(text: &str) -> Option<(String, &str)> {
    let is_state = |w: &str| {
        let w = w.trim_end_matches(',');
        STATES.iter().any(|state| state.eq_ignore_ascii_case(w))
    };
    // Nearly every name starts otherwise: turn it away on its first word.
    let first = first_word(text);
    let praised = first.split_once('-').map_or(first, |(before, _)| before);
    if !is_state(first) && !is_praise(praised) {
        return None;
    }
    let spans: Vec<(usize, &str)> = word_spans(text).collect();
    // A run of states joined by commas and one `or`.
    let mut i = 0;
    let mut saw_or = false;
    while let Some(&(_, word)) = spans.get(i) {
        if is_state(word) {
            i += 1;
            if !word.ends_with(',')
                && !spans
                    .get(i)
                    .is_some_and(|(_, w)| w.eq_ignore_ascii_case("or"))
            {
                break;
            }
        } else if word.eq_ignore_ascii_case("or") && i > 0 && !saw_or {
            saw_or = true;
            i += 1;
        } else {
            break;
        }
    }
    let mut end = if saw_or && i >= 3 && is_state(spans[i - 1].1) {
        let (at, word) = spans[i - 1];
        at + word.len()
    } else {
        0
    };
    // "good quality", "good-quality", "high-quality", "best quality"
    let after_states = text[end..].trim_start();
    let quality = quality_prefix(after_states);
    if quality > 0 {
        end = text.len() - after_states.len() + quality;
    }
    let rest = text[end..].trim_start_matches([',', ' ']);
    (end > 0 && !rest.is_empty()).then(|| (text[..end].trim().to_lowercase(), rest))
}

/// Whether `word` praises the quality of what follows (`good`, `best`).
fn is_praise(word: &str) -> bool {
    ["good", "high", "best", "top", "finest"]
        .iter()
        .any(|praise| praise.eq_ignore_ascii_case(word))
}

/// The length of a word of quality at the start of `text` (`good quality`,
/// `high-quality`), or 0.
fn quality_prefix(text: &str) -> usize {
    let praise = is_praise;
    let (first, rest) = text.split_once(' ').unwrap_or((text, ""));
    if let Some((word, quality)) = first.split_once('-')
        && praise(word)
        && quality.eq_ignore_ascii_case("quality")
    {
        return first.len();
    }
    match rest.split_once(' ') {
        Some((second, _)) if praise(first) && second.eq_ignore_ascii_case("quality") => {
            first.len() + 1 + second.len()
        }
        _ => 0,
    }
}

/// Words for how a cut is bought at the start of the name (`skinless,
/// boneless`, `boneless and skinless`), kept apart from the commas that
/// would otherwise end the name there, with the rest of the text.
fn leading_cut(text: &str) -> (Option<&str>, &str) {
    // Nearly every name starts with another word: turn it away at once.
    if !is_cut(first_word(text)) {
        return (None, text);
    }
    let mut end = 0;
    for (start, word) in word_spans(text) {
        let bare = word.trim_end_matches(',');
        let joins = end > 0 && (bare.eq_ignore_ascii_case("and") || bare == "&");
        if is_cut(bare) || joins {
            end = start + word.len();
            continue;
        }
        break;
    }
    let cut = text[..end].trim_end_matches(',').trim();
    let rest = text[end..].trim_start_matches([',', ' ']);
    // Only a list needs keeping together: without a comma or `and`, the
    // words go on to be read as any others (`whole peeled tomatoes`).
    let list = text[..end].contains(',') || text[end..].starts_with(',') || cut.contains(" and ");
    if cut.is_empty() || rest.is_empty() || cut.ends_with(" and") || !list {
        return (None, text);
    }
    (Some(cut), rest)
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

/// The first word of `text`, up to a space or a comma.
fn first_word(text: &str) -> &str {
    let end = text
        .bytes()
        .position(|b| b == b' ' || b == b',')
        .unwrap_or(text.len());
    // A space or a comma is one byte, so `end` is on a boundary.
    text.get(..end).unwrap_or(text)
}

/// Each word with its byte offset.
fn word_spans(text: &str) -> impl Iterator<Item = (usize, &str)> + Clone {
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
