//! The small vocabularies the line parser knows: size and degree words,
//! preparation words, the containers a package size belongs to, and the
//! phrases that are notes rather than part of a name.

use crate::text::with_lowercase;
use crate::units::Unit;

/// Words that say how big or how full (`large`, `heaped`), read between an
/// amount and its unit or food. `whole` is one of them, not a unit.
pub(super) const SIZE_WORDS: &[&str] = &[
    "large",
    "medium",
    "small",
    "big",
    "jumbo",
    "extra-large",
    "extra-small",
    "medium-large",
    "medium-small",
    "small-medium",
    "medium-size",
    "medium-sized",
    "large-size",
    "large-sized",
    "small-size",
    "small-sized",
    "whole",
    "heaped",
    "heaping",
    "level",
    "rounded",
    "scant",
    "generous",
    "good",
    "thin",
    "thick",
    "fat",
    "plump",
    "mini",
];

/// Words that make a size word stronger (`extra large`, `very thin`).
pub(super) const SIZE_MODIFIERS: &[&str] = &["extra", "very", "really"];

/// Whether `word` is a size or degree word.
pub(super) fn is_size_word(word: &str) -> bool {
    // Most words are not: turn them away by their length before comparing.
    (3..=12).contains(&word.len()) && with_lowercase(word, |lower| SIZE_WORDS.contains(&lower))
}

/// Whether `word` strengthens a size word that follows it.
pub(super) fn is_size_modifier(word: &str) -> bool {
    (4..=6).contains(&word.len()) && with_lowercase(word, |lower| SIZE_MODIFIERS.contains(&lower))
}

/// Units that hold something of a stated size (`14-ounce can`, `400g tin`).
pub(super) fn is_container(unit: &Unit) -> bool {
    matches!(
        unit.symbol(),
        "can"
            | "jar"
            | "package"
            | "packet"
            | "sachet"
            | "envelope"
            | "box"
            | "carton"
            | "container"
            | "bag"
            | "bottle"
            | "block"
            | "punnet"
            | "tube"
            | "stick"
            | "loaf"
    )
}

/// Units that a line may name after the food (`6 garlic cloves`).
pub(super) fn is_trailing_unit(unit: &Unit) -> bool {
    matches!(
        unit.symbol(),
        "clove" | "sprig" | "stalk" | "rib" | "stick" | "rasher" | "head" | "bunch" | "bulb"
    )
}

/// Past participles of kitchen work: what was done to an ingredient
/// (sorted, for a binary search).
pub(super) const PREPARATIONS: &[&str] = &[
    "beaten",
    "blanched",
    "boned",
    "canned",
    "chilled",
    "chopped",
    "cold",
    "cooked",
    "cored",
    "crumbled",
    "crushed",
    "cubed",
    "cut",
    "deboned",
    "defrosted",
    "deseeded",
    "deveined",
    "diced",
    "drained",
    "flaked",
    "grated",
    "halved",
    "hulled",
    "juiced",
    "julienned",
    "mashed",
    "melted",
    "minced",
    "packed",
    "peeled",
    "picked",
    "pitted",
    "pureed",
    "puréed",
    "quartered",
    "rinsed",
    "roasted",
    "scrubbed",
    "seeded",
    "separated",
    "shelled",
    "shredded",
    "sieved",
    "sifted",
    "skinned",
    "sliced",
    "slivered",
    "snipped",
    "softened",
    "split",
    "squeezed",
    "stemmed",
    "stoned",
    "thawed",
    "toasted",
    "topped",
    "torn",
    "trimmed",
    "uncooked",
    "warm",
    "warmed",
    "washed",
    "whisked",
    "zested",
];

/// Words for a cut as it is bought (`boneless`, `skin-on`): part of the
/// name, even in a list with commas (`skinless, boneless chicken breasts`).
pub(super) const CUTS: &[&str] = &["whole", "boneless", "skinless", "bone-in", "skin-on"];

/// Whether `word` says how a cut is bought.
pub(super) fn is_cut(word: &str) -> bool {
    CUTS.iter().any(|cut| cut.eq_ignore_ascii_case(word))
}

/// Adverbs that say how (`finely chopped`, `freshly ground`).
pub(super) const MANNERS: &[&str] = &[
    "coarsely", "evenly", "finely", "firmly", "freshly", "gently", "lightly", "loosely", "roughly",
    "thickly", "thinly", "well", "very", "newly",
];

/// Whether `word` names something done to the food (`chopped`).
pub(super) fn is_preparation(word: &str) -> bool {
    // Every word of the list ends in one of these letters (a test keeps it
    // so): most words are turned away without a search.
    let ends_right = word
        .as_bytes()
        .last()
        .is_some_and(|b| PREPARATION_ENDINGS.contains(&b.to_ascii_lowercase()));
    ends_right && with_lowercase(word, |lower| PREPARATIONS.binary_search(&lower).is_ok())
}

/// The last letters of the words in [`PREPARATIONS`].
pub(super) const PREPARATION_ENDINGS: &[u8] = b"dntm";

/// Whether `word` says how something was done (`finely`).
pub(super) fn is_manner(word: &str) -> bool {
    // Each ends in `y` or `l` (`finely`, `well`): most words stop there.
    word.as_bytes()
        .last()
        .is_some_and(|b| matches!(b.to_ascii_lowercase(), b'y' | b'l'))
        && MANNERS
            .iter()
            .any(|manner| manner.eq_ignore_ascii_case(word))
}

/// Phrases at the end of a name that are notes: what the ingredient is for
/// or how much to use (`to taste`, `for serving`, `for a 9-inch pie`, `as
/// needed`, `with their juice`, `optional`, `divided`).
pub(super) fn note_start(words: &[&str]) -> Option<usize> {
    for (i, pair) in words.windows(2).enumerate() {
        // Each phrase starts with `to`, `for`, `as` or `with`.
        if !(2..=4).contains(&pair[0].len()) {
            continue;
        }
        let (is_to, is_for) = (
            pair[0].eq_ignore_ascii_case("to"),
            pair[0].eq_ignore_ascii_case("for"),
        );
        let second = pair[1].trim_end_matches(|c: char| !c.is_alphanumeric());
        let other = if pair[0].eq_ignore_ascii_case("as") {
            with_lowercase(second, |s| {
                matches!(s, "needed" | "required" | "necessary" | "desired")
            })
        } else if pair[0].eq_ignore_ascii_case("with") {
            with_lowercase(second, |s| {
                matches!(s, "their" | "its" | "juice" | "juices" | "liquid")
            })
        } else {
            // "for a 9-inch pie", "for 1 tart": what it is enough for.
            is_for
                && (second.starts_with(|c: char| c.is_ascii_digit())
                    || with_lowercase(second, |s| matches!(s, "a" | "an" | "one" | "two")))
        };
        if other && i > 0 {
            return Some(i);
        }
        if !(is_to || is_for) {
            continue;
        }
        let purpose = if is_to {
            with_lowercase(second, |s| {
                matches!(
                    s,
                    "taste"
                        | "serve"
                        | "garnish"
                        | "decorate"
                        | "cover"
                        | "finish"
                        | "dust"
                        | "drizzle"
                        | "sprinkle"
                        | "brush"
                        | "grease"
                        | "fry"
                        | "yield"
                        | "make"
                        | "form"
                )
            })
        } else if is_for {
            with_lowercase(second, |s| {
                s.ends_with("ing") || matches!(s, "garnish" | "decoration" | "the" | "topping")
            })
        } else {
            false
        };
        if purpose && i > 0 {
            return Some(i);
        }
    }
    let last = words.len().checked_sub(1)?;
    let word = words[last].trim_matches(|c: char| !c.is_alphanumeric());
    (last > 0 && (word.eq_ignore_ascii_case("optional") || word.eq_ignore_ascii_case("divided")))
        .then_some(last)
}
