//! Text normalisation shared by parsing and matching: whitespace, HTML
//! left in JSON-LD, name keys and word similarity.

use std::borrow::Cow;

/// Collapses runs of whitespace (including non-breaking spaces and zero-width
/// marks) into single spaces and trims the ends. A zero-width joiner or
/// non-joiner between two visible characters is part of the text (an emoji
/// sequence such as 👩‍🍳, a Persian or Indic word) and is kept; anywhere else
/// it is stray page debris, like the other zero-width marks.
pub fn collapse_whitespace(text: &str) -> Cow<'_, str> {
    if is_collapsed(text) {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let is_visible = |c: Option<&char>| {
        c.is_some_and(|&c| !c.is_whitespace() && !is_invisible(c) && !is_joiner(c))
    };
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for (i, &c) in chars.iter().enumerate() {
        let separates = c.is_whitespace()
            || is_invisible(c)
            || (is_joiner(c)
                && !(i > 0 && is_visible(chars.get(i - 1)) && is_visible(chars.get(i + 1))));
        if separates {
            gap = true;
            continue;
        }
        if gap && !out.is_empty() {
            out.push(' ');
        }
        gap = false;
        out.push(c);
    }
    Cow::Owned(out)
}

/// Text scraped from a web page with its stray control characters cleaned
/// out. A C1 control (U+0080 to U+009F) on a page is almost always a
/// Windows-1252 byte decoded as Latin-1, so it becomes the character that
/// byte meant (U+0096 is `–`, U+0092 `’`, U+0085 `…`); the five bytes that
/// Windows-1252 leaves undefined are dropped. Any other control character
/// (U+0000 to U+001F but tab, line feed and carriage return, and U+007F)
/// becomes a space, as the whitespace it stood for. Only the schema.org
/// reader calls this: the seed format still refuses control characters.
pub fn clean_scraped(text: &str) -> Cow<'_, str> {
    let is_stray = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if !text.contains(is_stray) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !is_stray(c) {
            out.push(c);
        } else if let Some(meant) = windows_1252(c) {
            out.push(meant);
        } else if !('\u{80}'..='\u{9F}').contains(&c) {
            out.push(' ');
        }
    }
    Cow::Owned(out)
}

/// What a C1 control meant as a Windows-1252 byte, where that code page
/// defines it.
fn windows_1252(c: char) -> Option<char> {
    Some(match c {
        '\u{80}' => '€',
        '\u{82}' => '‚',
        '\u{83}' => 'ƒ',
        '\u{84}' => '„',
        '\u{85}' => '…',
        '\u{86}' => '†',
        '\u{87}' => '‡',
        '\u{88}' => 'ˆ',
        '\u{89}' => '‰',
        '\u{8A}' => 'Š',
        '\u{8B}' => '‹',
        '\u{8C}' => 'Œ',
        '\u{8E}' => 'Ž',
        '\u{91}' => '‘',
        '\u{92}' => '’',
        '\u{93}' => '“',
        '\u{94}' => '”',
        '\u{95}' => '•',
        '\u{96}' => '–',
        '\u{97}' => '—',
        '\u{98}' => '˜',
        '\u{99}' => '™',
        '\u{9A}' => 'š',
        '\u{9B}' => '›',
        '\u{9C}' => 'œ',
        '\u{9E}' => 'ž',
        '\u{9F}' => 'Ÿ',
        _ => return None,
    })
}

/// Whether text is already collapsed: single spaces between visible
/// characters only. One pass, since nearly all text already is.
fn is_collapsed(text: &str) -> bool {
    let mut previous_space = true; // a leading space is not collapsed
    for c in text.chars() {
        if c == ' ' {
            if previous_space {
                return false;
            }
            previous_space = true;
        } else if c.is_whitespace() || is_invisible(c) || is_joiner(c) {
            return false;
        } else {
            previous_space = false;
        }
    }
    !previous_space || text.is_empty()
}

/// Zero-width characters and byte-order marks that pages leave inside text.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

/// The zero-width non-joiner and joiner: text between visible characters.
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}')
}

/// Text from a web page: HTML entities decoded, tags removed (a `<br>`,
/// `</p>` or `</li>` becomes a line break), whitespace kept as is.
pub fn strip_html(text: &str) -> Cow<'_, str> {
    if !text.contains(['<', '&']) {
        return Cow::Borrowed(text);
    }
    let mut without_tags = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        without_tags.push_str(&rest[..open]);
        let after = &rest[open..];
        // Only something that looks like a tag is removed: "1 < 2" stays.
        let looks_like_tag = after[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        match after.find('>') {
            Some(close) if looks_like_tag => {
                let tag = after[1..close].trim_start_matches('/').to_ascii_lowercase();
                if ["br", "p", "li", "div"].iter().any(|t| tag.starts_with(t)) {
                    without_tags.push('\n');
                }
                rest = &after[close + 1..];
            }
            _ => {
                without_tags.push('<');
                rest = &after[1..];
            }
        }
    }
    without_tags.push_str(rest);
    Cow::Owned(html_escape::decode_html_entities(&without_tags).into_owned())
}

/// Paragraphs whose markup was stripped before publishing run together as
/// `...paper.Snap the...`: a sentence end followed directly by a capital.
/// Splits them back into lines.
pub fn split_glued_paragraphs(text: &str) -> Cow<'_, str> {
    let glued = |w: &[char]| matches!(w[0], '.' | '!' | '?') && w[1].is_uppercase();
    let chars: Vec<char> = text.chars().collect();
    if !chars.windows(2).any(glued) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        out.push(c);
        if chars.get(i + 1).is_some_and(|&next| glued(&[c, next])) {
            out.push('\n');
        }
    }
    Cow::Owned(out)
}

/// Calls `f` with `word` in lower case, without allocating for the short
/// ASCII words that parsing looks up by the thousand.
pub fn with_lowercase<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    const SHORT: usize = 32;
    // Most words are lower case already.
    if !word
        .bytes()
        .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
    {
        return f(word);
    }
    if word.len() <= SHORT && word.is_ascii() {
        let mut buffer = [0u8; SHORT];
        let lower = &mut buffer[..word.len()];
        lower.copy_from_slice(word.as_bytes());
        lower.make_ascii_lowercase();
        // Lower-casing ASCII keeps it ASCII, so this is always text.
        match std::str::from_utf8(lower) {
            Ok(text) => f(text),
            Err(_) => f(&word.to_lowercase()),
        }
    } else {
        f(&word.to_lowercase())
    }
}

/// The key under which ingredient names match: lower case, punctuation
/// dropped, each word singular (`Tomatoes,` matches `tomato`).
pub fn name_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for word in name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(&singular(&word.to_lowercase()));
    }
    key
}

/// A rough English singular, good enough for matching ingredient names.
fn singular(word: &str) -> Cow<'_, str> {
    let n = word.len();
    if n > 4 && word.ends_with("ies") {
        return Cow::Owned(format!("{}y", &word[..n - 3]));
    }
    for suffix in ["oes", "ches", "shes", "sses", "xes"] {
        if n > suffix.len() + 1 && word.ends_with(suffix) {
            return Cow::Borrowed(&word[..n - 2]);
        }
    }
    if n > 3 && word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") {
        return Cow::Borrowed(&word[..n - 1]);
    }
    Cow::Borrowed(word)
}

/// How alike two texts are, by their words (0 = nothing shared, 1 = the same
/// words): the Dice coefficient over lower-cased word multisets.
pub fn word_similarity(a: &str, b: &str) -> f64 {
    let mut left = words(a);
    let mut right = words(b);
    if left.is_empty() && right.is_empty() {
        return 1.0;
    }
    left.sort_unstable();
    right.sort_unstable();
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < left.len() && j < right.len() {
        match left[i].cmp(&right[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (2 * common) as f64 / (left.len() + right.len()) as f64
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| singular(&w.to_lowercase()).into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_is_collapsed_including_nbsp_and_zero_width() {
        assert_eq!(collapse_whitespace("  a \u{a0} b\n\tc\u{feff} "), "a b c");
        assert!(matches!(
            collapse_whitespace("clean text"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn joiners_inside_words_and_emoji_are_kept_and_stray_ones_go() {
        // A cook: woman and frying pan joined by a ZWJ, then a skin tone.
        assert_eq!(
            collapse_whitespace("Loaf \u{1F469}\u{200D}\u{1F373}\u{1F3FD}"),
            "Loaf \u{1F469}\u{200D}\u{1F373}\u{1F3FD}"
        );
        // Persian "breads": a zero-width non-joiner inside the word.
        assert_eq!(
            collapse_whitespace("\u{0646}\u{0627}\u{0646}\u{200C}\u{0647}\u{0627}"),
            "\u{0646}\u{0627}\u{0646}\u{200C}\u{0647}\u{0627}"
        );
        // A page's stray joiner before an amount, or after a word.
        assert_eq!(
            collapse_whitespace("\u{200D}225 g flour \u{200D}"),
            "225 g flour"
        );
        assert_eq!(collapse_whitespace("a\u{200D} b"), "a b");
    }

    #[test]
    fn scraped_controls_become_what_they_meant_or_go() {
        assert_eq!(
            clean_scraped("Mom\u{92}s 2\u{96}3 cups \u{93}best\u{94} pie\u{85}"),
            "Mom’s 2–3 cups “best” pie…"
        );
        // Undefined in Windows-1252: dropped. C0 controls and DEL: spaces.
        assert_eq!(clean_scraped("a\u{81}b\u{9D}c"), "abc");
        assert_eq!(
            clean_scraped("salt\u{0}and\u{7}pepper\u{7F}"),
            "salt and pepper "
        );
        // Tabs and line breaks are whitespace the callers already handle.
        assert_eq!(clean_scraped("a\tb\r\nc"), "a\tb\r\nc");
        assert!(matches!(clean_scraped("plain – text"), Cow::Borrowed(_)));
        for c in (0u32..0x20).chain(0x7F..0xA0).filter_map(char::from_u32) {
            let cleaned = clean_scraped(&format!("x{c}y")).into_owned();
            assert!(
                cleaned
                    .chars()
                    .all(|c| !c.is_control() || "\t\n\r".contains(c)),
                "U+{:04X} left {cleaned:?}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn html_is_removed_and_entities_decoded() {
        for (html, text) in [
            ("Salt &amp; pepper", "Salt & pepper"),
            ("a<br/>b", "a\nb"),
            ("<p>Mix</p><p>Bake</p>", "\nMix\n\nBake\n"),
            ("1 < 2", "1 < 2"),
            ("it&#39;s 75&deg;F", "it's 75°F"),
        ] {
            assert_eq!(strip_html(html), text, "{html}");
        }
    }

    #[test]
    fn glued_paragraphs_are_split_at_sentence_ends() {
        assert_eq!(
            split_glued_paragraphs("Line the tin.Snap the chocolate."),
            "Line the tin.\nSnap the chocolate."
        );
        assert_eq!(
            split_glued_paragraphs("Bake at 180°C. Serve."),
            "Bake at 180°C. Serve."
        );
        assert_eq!(split_glued_paragraphs("Add 1.5 cups"), "Add 1.5 cups");
    }

    #[test]
    fn names_match_across_case_plural_and_punctuation() {
        assert_eq!(name_key("Tomatoes,"), name_key("tomato"));
        for (name, key) in [
            ("Fresh Berries", "fresh berry"),
            ("Glass", "glass"),
            ("Crème fraîche", "crème fraîche"),
            ("eggs", "egg"),
            ("peaches", "peach"),
        ] {
            assert_eq!(name_key(name), key, "{name}");
        }
    }

    #[test]
    fn similarity_is_one_for_the_same_words_and_zero_for_none() {
        assert_eq!(word_similarity("Mix the flour", "mix the flour"), 1.0);
        assert_eq!(word_similarity("butter", "margarine"), 0.0);
        let s = word_similarity("butter", "unsalted butter");
        assert!((s - 2.0 / 3.0).abs() < 1e-9);
    }
}
