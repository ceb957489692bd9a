//! Configurable limits on uploads, each enforced with a clear rejection.

use serde::{Deserialize, Serialize};

use crate::path::JsonPath;
use crate::rejection::{RejectReason, Rejection};

/// Bounds on what an upload may contain. The defaults suit real recipes with
/// a wide margin; every limit is checked before the work it protects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Limits {
    /// Largest object accepted, in bytes.
    pub max_bytes: u64,
    /// Deepest nesting of arrays and objects.
    pub max_depth: usize,
    /// Most ingredients in one recipe.
    pub max_ingredients: usize,
    /// Most steps in one recipe.
    pub max_steps: usize,
    /// Longest name (recipe, ingredient, unit, section), in characters.
    pub max_name_chars: usize,
    /// Longest free text (a step, notes), in characters.
    pub max_text_chars: usize,
    /// Largest quantity accepted.
    pub max_quantity: f64,
    /// Most extra top-level fields kept from a seed document.
    pub max_fields: usize,
    /// Largest app archive accepted (`.paprikarecipes`, `.zip`), in bytes
    /// as stored: it is read whole into memory.
    pub max_archive_bytes: u64,
    /// Most entries in an archive, and in each archive nested in it,
    /// counted together (images and folders included).
    pub max_archive_entries: usize,
    /// Most bytes one entry may inflate to (a nested archive, a gzipped
    /// Paprika recipe, a JSON document).
    pub max_archive_entry_bytes: u64,
    /// Most bytes the entries read from one archive may inflate to
    /// together.
    pub max_archive_total_bytes: u64,
    /// Most an entry may inflate by: its bytes over its compressed bytes.
    /// Entries that inflate to at most [`ARCHIVE_RATIO_FLOOR`] bytes are
    /// not held to it (a short, repetitive JSON file compresses well).
    pub max_archive_ratio: u64,
}

/// Below this many inflated bytes an archive entry is not held to
/// [`Limits::max_archive_ratio`].
pub const ARCHIVE_RATIO_FLOOR: u64 = 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 1024 * 1024,
            max_depth: 64,
            max_ingredients: 500,
            max_steps: 500,
            max_name_chars: 500,
            max_text_chars: 10_000,
            max_quantity: 1_000_000.0,
            max_fields: 50,
            max_archive_bytes: 64 * 1024 * 1024,
            max_archive_entries: 10_000,
            max_archive_entry_bytes: 16 * 1024 * 1024,
            max_archive_total_bytes: 256 * 1024 * 1024,
            max_archive_ratio: 100,
        }
    }
}

/// The environment variables that override the default limits.
pub const LIMIT_VARIABLES: [&str; 6] = [
    "MAX_OBJECT_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_INGREDIENTS",
    "MAX_STEPS",
    "MAX_NAME_CHARS",
    "MAX_TEXT_CHARS",
];

/// A setting a function cannot start without, read through `lookup` and
/// trimmed.
///
/// # Errors
/// When it is unset or blank: `"{name} is not set: {why}"`.
pub fn required(
    lookup: impl Fn(&str) -> Option<String>,
    name: &str,
    why: &str,
) -> Result<String, String> {
    lookup(name)
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
        .ok_or_else(|| format!("{name} is not set: {why}"))
}

/// A lookup of settings over fixed `(name, value)` pairs, as a function's
/// `Config::from_lookup` takes one: for tests and examples, where
/// `std::env::var` would read this process's environment.
pub fn lookup_in<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

impl Limits {
    /// The defaults, overridden by any of [`LIMIT_VARIABLES`] that `lookup`
    /// finds (normally `std::env::var`). A value that is not a whole number
    /// above zero is an error naming the variable.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut limits = Self::default();
        for name in LIMIT_VARIABLES {
            let Some(text) = lookup(name) else { continue };
            let value: u64 = text
                .trim()
                .parse()
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| format!("{name}={text:?} is not a whole number above zero"))?;
            let as_usize =
                usize::try_from(value).map_err(|_| format!("{name}={value} is too large"))?;
            match name {
                "MAX_OBJECT_BYTES" => limits.max_bytes = value,
                "MAX_JSON_DEPTH" => limits.max_depth = as_usize,
                "MAX_INGREDIENTS" => limits.max_ingredients = as_usize,
                "MAX_STEPS" => limits.max_steps = as_usize,
                "MAX_NAME_CHARS" => limits.max_name_chars = as_usize,
                _ => limits.max_text_chars = as_usize,
            }
        }
        Ok(limits)
    }

    /// Refuses a document larger than [`Limits::max_bytes`].
    pub fn check_size(&self, actual: u64) -> Result<(), Rejection> {
        if actual > self.max_bytes {
            return Err(Rejection::whole(RejectReason::TooLarge {
                limit: self.max_bytes,
                actual,
            }));
        }
        Ok(())
    }

    /// Refuses a list longer than `limit`.
    pub(crate) fn check_count(
        path: &JsonPath,
        what: &'static str,
        limit: usize,
        actual: usize,
    ) -> Result<(), Rejection> {
        if actual > limit {
            return Err(Rejection::new(
                path.clone(),
                RejectReason::TooMany {
                    what,
                    limit,
                    actual,
                },
            ));
        }
        Ok(())
    }

    /// Checks a text's length and characters. Line breaks and tabs are
    /// allowed only where `multiline` is set.
    pub(crate) fn check_text(
        path: &JsonPath,
        text: &str,
        limit: usize,
        multiline: bool,
    ) -> Result<(), Rejection> {
        let mut count = 0;
        for (position, c) in text.chars().enumerate() {
            count += 1;
            let allowed_space = multiline && matches!(c, '\n' | '\r' | '\t');
            if c.is_control() && !allowed_space {
                return Err(Rejection::new(
                    path.clone(),
                    RejectReason::ControlCharacter {
                        character: format!("U+{:04X}", u32::from(c)),
                        position,
                    },
                ));
            }
        }
        if count > limit {
            return Err(Rejection::new(
                path.clone(),
                RejectReason::TextTooLong {
                    limit,
                    actual: count,
                },
            ));
        }
        Ok(())
    }
}

/// Measures the nesting depth of JSON text without building it, so that a
/// hostile document cannot exhaust the parser's stack. Brackets inside
/// strings are skipped.
pub(crate) fn check_depth(text: &str, limit: usize) -> Result<(), Rejection> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for byte in text.bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Err(Rejection::whole(RejectReason::TooDeep { limit }));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_come_from_the_environment_with_clear_errors() {
        let limits = Limits::from_lookup(|name| (name == "MAX_STEPS").then(|| "12".to_owned()))
            .expect("valid");
        assert_eq!(limits.max_steps, 12);
        assert_eq!(limits.max_ingredients, Limits::default().max_ingredients);
        let err = Limits::from_lookup(|name| (name == "MAX_JSON_DEPTH").then(|| "deep".to_owned()))
            .expect_err("invalid");
        assert_eq!(
            err,
            "MAX_JSON_DEPTH=\"deep\" is not a whole number above zero"
        );
    }

    #[test]
    fn depth_counts_only_brackets_outside_strings() {
        assert!(check_depth(r#"{"a":"[[[[[[[[[["}"#, 2).is_ok());
        assert!(check_depth("[[[]]]", 3).is_ok());
        let err = check_depth("[[[[]]]]", 3).expect_err("too deep");
        assert_eq!(err.code(), "too-deep");
    }

    #[test]
    fn escaped_quotes_do_not_end_strings() {
        assert!(check_depth(r#"["\"[[[[", 1]"#, 1).is_ok());
    }

    #[test]
    fn text_check_names_the_control_character() {
        let path = JsonPath::root().key("recipeName");
        let err = Limits::check_text(&path, "Pie\u{7}", 10, false).expect_err("bell");
        assert_eq!(
            err.to_string(),
            "the text contains the control character U+0007 at character 3 (at $.recipeName)"
        );
        assert!(Limits::check_text(&path, "a\nb", 10, true).is_ok());
        assert!(Limits::check_text(&path, "a\nb", 10, false).is_err());
    }
}
