//! Quantities as cooks write them: `2`, `1.5`, `1,5`, `1/2`, `1 1/2`, `½`,
//! `1¼`, `3-4`, `3 to 4`.

use serde::{Serialize, Serializer};

/// An amount of something: one number, or a range like `3-4`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantity {
    value: f64,
    max: Option<f64>,
}

/// Relative difference below which two numbers are the same number
/// (so that `1/3` written twice, or `1` and `1.0`, compare equal).
const SAME_NUMBER: f64 = 1e-9;

/// Whether two numbers are equal up to floating-point noise.
pub fn same_number(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= SAME_NUMBER * a.abs().max(b.abs())
}

impl Quantity {
    /// A single amount. The caller guarantees a finite, non-negative value.
    pub(crate) fn single(value: f64) -> Self {
        Self { value, max: None }
    }

    /// A range; collapses to a single amount when both ends agree.
    pub(crate) fn range(value: f64, max: f64) -> Self {
        if same_number(value, max) {
            Self::single(value)
        } else {
            Self {
                value,
                max: Some(max),
            }
        }
    }

    /// The amount, or the low end of a range.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The high end of a range.
    pub fn max(&self) -> Option<f64> {
        self.max
    }

    /// The amount used for ratios: the middle of a range.
    pub fn midpoint(&self) -> f64 {
        self.max.map_or(self.value, |max| (self.value + max) / 2.0)
    }

    /// Whether two quantities are numerically the same (`1 == 1.0`).
    pub fn same_as(&self, other: &Quantity) -> bool {
        same_number(self.value, other.value)
            && match (self.max, other.max) {
                (None, None) => true,
                (Some(a), Some(b)) => same_number(a, b),
                _ => false,
            }
    }
}

/// For people: `1½`, `⅔`, `3-4`, `2.4`.
impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_amount(self.value))?;
        if let Some(max) = self.max {
            write!(f, "-{}", format_amount(max))?;
        }
        Ok(())
    }
}

/// A cook's spelling of an amount: whole numbers with a vulgar fraction
/// where one fits within 1% (`1½`, `⅔`), otherwise [`format_number`].
pub fn format_amount(value: f64) -> String {
    const FRACTIONS: &[(f64, &str)] = &[
        (1.0 / 8.0, "⅛"),
        (1.0 / 4.0, "¼"),
        (1.0 / 3.0, "⅓"),
        (3.0 / 8.0, "⅜"),
        (1.0 / 2.0, "½"),
        (5.0 / 8.0, "⅝"),
        (2.0 / 3.0, "⅔"),
        (3.0 / 4.0, "¾"),
        (7.0 / 8.0, "⅞"),
    ];
    let whole = value.trunc();
    let part = value - whole;
    if part > 0.0 && value < 100.0 {
        for (fraction, glyph) in FRACTIONS {
            if (part - fraction).abs() <= 0.01 * fraction.max(0.1) {
                return if whole == 0.0 {
                    (*glyph).to_owned()
                } else {
                    format!("{whole:.0}{glyph}")
                };
            }
        }
    }
    format_number(value)
}

/// Serialised as `{"value": 2}` or, for a range, `{"value": 3, "max": 4}`.
impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("value", &crate::numbers::number(self.value))?;
        if let Some(max) = self.max {
            map.serialize_entry("max", &crate::numbers::number(max))?;
        }
        map.end()
    }
}

/// A number for people: at most three decimals, no trailing zeros.
pub fn format_number(value: f64) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// Replaces unicode vulgar fractions with ASCII ones (`1½` becomes `1 1/2`)
/// and the fraction slash with `/`.
pub(crate) fn expand_fractions(text: &str) -> std::borrow::Cow<'_, str> {
    // Every glyph replaced here is outside ASCII.
    if text.is_ascii() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        let ascii = match c {
            '½' => "1/2",
            '⅓' => "1/3",
            '⅔' => "2/3",
            '¼' => "1/4",
            '¾' => "3/4",
            '⅕' => "1/5",
            '⅖' => "2/5",
            '⅗' => "3/5",
            '⅘' => "4/5",
            '⅙' => "1/6",
            '⅚' => "5/6",
            '⅐' => "1/7",
            '⅛' => "1/8",
            '⅜' => "3/8",
            '⅝' => "5/8",
            '⅞' => "7/8",
            '⅑' => "1/9",
            '⅒' => "1/10",
            '⁄' => {
                out.push('/');
                continue;
            }
            _ => {
                out.push(c);
                continue;
            }
        };
        if out.ends_with(|p: char| p.is_ascii_digit()) {
            out.push(' ');
        }
        out.push_str(ascii);
    }
    std::borrow::Cow::Owned(out)
}

/// Parses a whole string as a quantity (`"1 1/2"`, `"3-4"`), for seed
/// documents that give quantities as text.
pub fn parse_quantity(text: &str) -> Option<Quantity> {
    let expanded = expand_fractions(text.trim());
    match parse_quantity_prefix(&expanded) {
        Some((quantity, rest)) if rest.trim().is_empty() => Some(quantity),
        _ => None,
    }
}

/// Parses a quantity at the start of `text` and returns it with the rest.
/// `text` must already have its unicode fractions expanded.
pub(crate) fn parse_quantity_prefix(text: &str) -> Option<(Quantity, &str)> {
    let (value, rest) = parse_number(text)?;
    if let Some((max, after)) = range_end(rest)
        && max > value
    {
        return Some((Quantity::range(value, max), after));
    }
    Some((Quantity::single(value), rest))
}

/// The high end of a range: `-4`, `– 4`, ` to 4`, and the hyphenated
/// forms of sizes (`8- to 12-pound`, `8-to-9-pound`).
fn range_end(text: &str) -> Option<(f64, &str)> {
    let trimmed = text.trim_start();
    let after_separator = trimmed
        .strip_prefix('-')
        .or_else(|| trimmed.strip_prefix('–'))
        .or_else(|| trimmed.strip_prefix('—'))
        .or_else(|| trimmed.strip_prefix("to "))
        .or_else(|| trimmed.strip_prefix("or "))?;
    // "8- to 12-pound", "8-to-9-pound", "9- or 10-inch": a hyphen, then
    // `to` or `or`.
    let trimmed = after_separator.trim_start();
    let after_separator = match trimmed
        .strip_prefix("to")
        .or_else(|| trimmed.strip_prefix("or"))
    {
        Some(after_word) if after_word.starts_with([' ', '-']) => &after_word[1..],
        _ => after_separator,
    };
    parse_number(after_separator.trim_start())
}

/// A number at the start of `text`: integer, decimal (`.` or `,`), fraction,
/// or a whole number followed by a fraction.
fn parse_number(text: &str) -> Option<(f64, &str)> {
    let (whole, rest) = parse_decimal(text)?;
    // "1/2" — a fraction.
    if let Some(after_slash) = rest.strip_prefix('/')
        && is_integer(whole)
        && let Some((denominator, after)) = parse_digits(after_slash)
    {
        return (denominator > 0.0).then(|| (whole / denominator, after));
    }
    // "1-1/2" — a mixed number as some sites write it (a range goes up,
    // so a proper fraction after the hyphen cannot be a range's end).
    if is_integer(whole)
        && let Some(after_hyphen) = rest.strip_prefix('-')
        && let Some((numerator, after_numerator)) = parse_digits(after_hyphen)
        && let Some(after_slash) = after_numerator.strip_prefix('/')
        && let Some((denominator, after)) = parse_digits(after_slash)
        && denominator > numerator
    {
        return Some((whole + numerator / denominator, after));
    }
    // "1 1/2" — a mixed number.
    if is_integer(whole)
        && let Some(after_space) = rest.strip_prefix(' ')
        && let Some((numerator, after_numerator)) = parse_digits(after_space)
        && let Some(after_slash) = after_numerator.strip_prefix('/')
        && let Some((denominator, after)) = parse_digits(after_slash)
        && denominator > 0.0
    {
        return Some((whole + numerator / denominator, after));
    }
    Some((whole, rest))
}

fn is_integer(value: f64) -> bool {
    value.fract() == 0.0
}

fn parse_digits(text: &str) -> Option<(f64, &str)> {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    if end == 0 || end > 9 {
        return None;
    }
    let value = text[..end].parse::<f64>().ok()?;
    Some((value, &text[end..]))
}

/// Digits with an optional decimal part. A comma is a decimal mark
/// (`1,5`) unless exactly three digits follow it (`1,000`).
fn parse_decimal(text: &str) -> Option<(f64, &str)> {
    let int_len = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let int_digits = &text[..int_len];
    let rest = &text[int_len..];
    let mark = rest.chars().next().filter(|c| *c == '.' || *c == ',');
    let frac_len = mark.map_or(0, |_| {
        rest[1..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len() - 1)
    });
    if int_len == 0 && (mark != Some('.') || frac_len == 0) {
        return None;
    }
    if int_len > 9 || frac_len > 9 {
        return None;
    }
    // The mark is one ASCII byte, so slicing after it stays on char boundaries.
    let frac_digits = if mark.is_some() {
        &rest[1..1 + frac_len]
    } else {
        ""
    };
    let (number, after) = match mark {
        Some(',') if frac_len == 3 && int_len > 0 => {
            (format!("{int_digits}{frac_digits}"), &rest[4..])
        }
        Some(_) if frac_len > 0 => (
            format!("0{int_digits}.{frac_digits}"),
            &rest[1 + frac_len..],
        ),
        _ => (int_digits.to_owned(), rest),
    };
    Some((number.parse().ok()?, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> (f64, Option<f64>) {
        let quantity = parse_quantity(text).unwrap_or_else(|| panic!("{text} should parse"));
        (quantity.value(), quantity.max())
    }

    #[test]
    fn parses_the_ways_cooks_write_amounts() {
        assert_eq!(q("2"), (2.0, None));
        assert_eq!(q("1.5"), (1.5, None));
        assert_eq!(q("1,5"), (1.5, None));
        assert_eq!(q("1,000"), (1000.0, None));
        assert_eq!(q("1/2"), (0.5, None));
        assert_eq!(q("1 1/2"), (1.5, None));
        assert_eq!(q("½"), (0.5, None));
        assert_eq!(q("1¼"), (1.25, None));
        assert_eq!(q("1 ¼"), (1.25, None));
        assert_eq!(q("3-4"), (3.0, Some(4.0)));
        assert_eq!(q("3 - 4"), (3.0, Some(4.0)));
        assert_eq!(q("3 to 4"), (3.0, Some(4.0)));
        assert_eq!(q("1/2-1"), (0.5, Some(1.0)));
        assert_eq!(q("1-1/2"), (1.5, None));
        assert_eq!(q("14-1/2"), (14.5, None));
        assert_eq!(q("1-3/2"), (1.0, Some(1.5)));
        assert_eq!(q("8- to 12"), (8.0, Some(12.0)));
        assert_eq!(q("8-to-9"), (8.0, Some(9.0)));
        assert_eq!(q("8-to 12"), (8.0, Some(12.0)));
        assert_eq!(q("9- or 10"), (9.0, Some(10.0)));
        assert_eq!(q(".5"), (0.5, None));
        assert_eq!(q("1⁄2"), (0.5, None));
        assert_eq!(
            parse_quantity_prefix("2–4 tbsp").map(|(q, _)| (q.value(), q.max())),
            Some((2.0, Some(4.0)))
        );
        assert!(parse_quantity_prefix("–4 tbsp").is_none());
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        for text in ["", "abc", "1/0", "2 cups", "NaN", "-1"] {
            assert!(parse_quantity(text).is_none(), "{text:?}");
        }
    }

    #[test]
    fn a_backwards_range_is_just_the_first_number() {
        let (quantity, rest) = parse_quantity_prefix("4-3 eggs").expect("number");
        assert_eq!(quantity.value(), 4.0);
        assert_eq!(quantity.max(), None);
        assert_eq!(rest, "-3 eggs");
    }

    #[test]
    fn numbers_compare_numerically() {
        assert!(Quantity::single(1.0).same_as(&Quantity::single(1.0 + 1e-12)));
        assert!(!Quantity::single(1.0).same_as(&Quantity::single(1.01)));
        assert_eq!(format_number(1.0 / 3.0), "0.333");
        assert_eq!(format_number(2.0), "2");
        assert_eq!(format_amount(1.5), "1½");
        assert_eq!(format_amount(2.0 / 3.0), "⅔");
        assert_eq!(format_amount(0.3), "0.3");
        assert_eq!(format_amount(240.0), "240");
    }
}
