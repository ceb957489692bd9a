//! Scoring an ingredient-line parser against the labelled NYT lines in
//! `fixtures/ingredient-lines/nyt-2015-clean.csv`.
//!
//! Written once and included (`#[path]`) by the test
//! (`shared/tests/ingredient_lines.rs`), the developer report
//! (`shared/examples/ingredient_report.rs`) and the peer comparison
//! (`bench/ingredient-lines/`), so every number comes from the same rules:
//!
//! * **Quantity**: the label's first amount (the `quantity` column holds
//!   space-separated amounts; `1-2` is a range, `half` and `one-half` are
//!   0.5; anything else, such as `few`, makes the line *unreadable* and it is
//!   left out of the quantity scores). The parser's amount must equal the
//!   label's low end within [`QUANTITY_TOLERANCE`] (the labels round to three
//!   decimals: `0.333` is ⅓); when the parser gives a high end, it must equal
//!   the label's high end. A label without an amount expects none.
//! * **Unit**: the label's `unit` column is space-separated words in which
//!   size and degree words ([`SIZE_WORDS`]: large, heaping, very thin…)
//!   appear. Leading size words are dropped; the first remaining word (or the
//!   first two, when together they are one unit, `fluid ounce`) is the
//!   label's unit, read through [`Unit::recognise`] to its symbol, or, when
//!   not a known unit, lower case and singular ([`name_key`]). One
//!   refinement: when a size word stands for the first amount on its own
//!   (`4 large eggplants, about 1½ pounds`: amounts `4 1.5`, units
//!   `large pound`), which shows as fewer remaining unit words than amounts,
//!   the first amount has no unit. A parser's unit goes through the same
//!   normalisation (leading size words dropped, known units to their symbol),
//!   so every parser is read the same way. No label unit expects none.
//! * **Name**: the words of the label's name and of the parser's name, lower
//!   case, punctuation dropped, plurals folded ([`name_key`]), compared as
//!   multisets: F1 = 2·common / (label words + parser words)
//!   ([`word_similarity`], the Dice coefficient). A line with F1 ≥
//!   [`NAME_MATCH_F1`] is a *name match*.
#![allow(dead_code, reason = "each includer uses part of it")]

use std::collections::HashMap;
use std::error::Error;
use std::path::Path;

use shared::ingredient_line::ParsedLine;
use shared::text::{name_key, word_similarity};
use shared::units::Unit;

/// Size and degree words that the labels put among the units (`large clove`,
/// `heaping tablespoon`, `very thin slice`, `medium to large`): not units.
pub const SIZE_WORDS: &[&str] = &[
    "large",
    "medium",
    "small",
    "medium-size",
    "medium-sized",
    "medium-large",
    "small-to-medium",
    "medium-to-large",
    "extra-large",
    "very",
    "thin",
    "thick",
    "paper-thin",
    "heaping",
    "heaped",
    "level",
    "rounded",
    "scant",
    "generous",
    "good",
    "big",
    "whole",
    "healthy",
    "hefty",
    "tiny",
    "jumbo",
    "full",
    "extra",
    "smaller",
    "larger",
    // Joining two sizes: `medium to large`, `large or small`.
    "to",
    "or",
];

/// How far apart two amounts may be and still be the same amount: the labels
/// round to three decimals (`0.333` for ⅓, `0.062` for 1/16), an error of at
/// most 0.0005, and no two amounts a recipe tells apart are this close.
pub const QUANTITY_TOLERANCE: f64 = 0.001;

/// The word-overlap F1 from which a name counts as matching.
pub const NAME_MATCH_F1: f64 = 0.5;

/// The labelled lines, relative to the workspace root.
pub const FIXTURE: &str = "fixtures/ingredient-lines/nyt-2015-clean.csv";

/// The label's first amount.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LabelAmount {
    /// The line has no amount.
    None,
    /// An amount, or a range from `low` to `high`.
    Amount {
        /// The amount, or a range's low end.
        low: f64,
        /// A range's high end.
        high: Option<f64>,
    },
    /// An amount the rules cannot read (`few`): left out of quantity scores.
    Unreadable,
}

/// One labelled line.
#[derive(Clone, Debug)]
pub struct Label {
    /// The line as written.
    pub input: String,
    /// The label's name.
    pub name: String,
    /// The label's `quantity` column as written.
    pub quantity_text: String,
    /// The label's `unit` column as written.
    pub unit_text: String,
    /// The first amount.
    pub amount: LabelAmount,
    /// The first amount's unit, normalised (see the module doc).
    pub unit: Option<String>,
}

/// What a parser says about a line, in the terms the scoring compares.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prediction {
    /// The (first) amount, or a range's low end.
    pub quantity: Option<f64>,
    /// A range's high end.
    pub quantity_max: Option<f64>,
    /// The unit as the parser gives it (normalised when scored).
    pub unit: Option<String>,
    /// The ingredient's name.
    pub name: String,
}

impl Prediction {
    /// The product parser's answer.
    pub fn of_line(parsed: &ParsedLine) -> Self {
        Self {
            quantity: parsed.quantity.map(|q| q.value()),
            quantity_max: parsed.quantity.and_then(|q| q.max()),
            unit: parsed.unit.as_ref().map(|u| u.symbol().to_owned()),
            name: parsed.name.clone(),
        }
    }
}

/// How one line scored.
#[derive(Clone, Debug, PartialEq)]
pub struct LineScore {
    /// Whether the amount agrees; `None` when the label's is unreadable.
    pub quantity: Option<bool>,
    /// Whether the unit agrees.
    pub unit: bool,
    /// Word-overlap F1 of the names, 0 to 1.
    pub name_f1: f64,
    /// The label's unit, normalised.
    pub label_unit: Option<String>,
    /// The parser's unit, normalised.
    pub parser_unit: Option<String>,
}

impl LineScore {
    /// Amount and unit both agree; `None` when the label's amount is unreadable.
    pub fn quantity_unit(&self) -> Option<bool> {
        self.quantity.map(|q| q && self.unit)
    }

    /// Whether the names match (F1 ≥ [`NAME_MATCH_F1`]).
    pub fn name_match(&self) -> bool {
        self.name_f1 >= NAME_MATCH_F1
    }
}

/// Reads the labelled lines.
pub fn load_labels(path: &Path) -> Result<Vec<Label>, Box<dyn Error>> {
    let mut reader = csv::Reader::from_path(path)?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("{}: no `{name}` column", path.display()))
    };
    let (input, name, quantity, unit) = (
        column("input")?,
        column("name")?,
        column("quantity")?,
        column("unit")?,
    );
    let mut labels = Vec::new();
    for record in reader.records() {
        let record = record?;
        let field = |i: usize| record.get(i).unwrap_or_default().to_owned();
        labels.push(Label::new(
            field(input),
            field(name),
            field(quantity),
            field(unit),
        ));
    }
    Ok(labels)
}

impl Label {
    /// A label from its columns as written.
    pub fn new(input: String, name: String, quantity_text: String, unit_text: String) -> Self {
        let amounts = quantity_text.split_whitespace().count();
        let amount = quantity_text
            .split_whitespace()
            .next()
            .map_or(LabelAmount::None, label_amount);
        let unit = label_unit(&unit_text, amounts);
        Self {
            input,
            name,
            quantity_text,
            unit_text,
            amount,
            unit,
        }
    }
}

/// One amount token of the labels: `2`, `0.333`, `1-2`, `half`.
pub fn label_amount(token: &str) -> LabelAmount {
    let number = |text: &str| {
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    match token.to_lowercase().as_str() {
        "half" | "one-half" => {
            return LabelAmount::Amount {
                low: 0.5,
                high: None,
            };
        }
        _ => {}
    }
    if let Some(low) = number(token) {
        return LabelAmount::Amount { low, high: None };
    }
    if let Some((low, high)) = token.split_once('-')
        && let (Some(low), Some(high)) = (number(low), number(high))
    {
        return LabelAmount::Amount {
            low,
            high: (!close(low, high)).then_some(high),
        };
    }
    LabelAmount::Unreadable
}

/// The label's unit for its first amount (see the module doc), given the
/// `unit` column and how many amounts the line has.
pub fn label_unit(unit_text: &str, amounts: usize) -> Option<String> {
    let words: Vec<String> = unit_text
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let sizes = size_run(&words);
    let rest = &words[sizes..];
    // `4 large eggplants, about 1½ pounds` (`large pound`): `large` is the
    // first amount's own, so that amount has no unit.
    if sizes > 0 && rest.len() < amounts {
        return None;
    }
    unit_key(rest)
}

/// A parser's unit, normalised like the labels' (leading size words dropped,
/// a known unit to its symbol, anything else lower case and singular).
pub fn parser_unit(unit: Option<&str>) -> Option<String> {
    let words: Vec<String> = unit?.split_whitespace().map(str::to_lowercase).collect();
    unit_key(&words[size_run(&words)..])
}

/// Whether a word of a `unit` column is a size or degree word.
pub fn is_size_word(word: &str) -> bool {
    SIZE_WORDS.contains(&word.to_lowercase().as_str())
}

fn size_run(words: &[String]) -> usize {
    words.iter().take_while(|w| is_size_word(w)).count()
}

/// The unit that lower-case `words` start with: all of them, or the first
/// two, or the first, as a known unit; else the first, lower case and singular.
fn unit_key(words: &[String]) -> Option<String> {
    let first = words.first()?;
    let known = Unit::recognise(&words.join(" "))
        .or_else(|| {
            words
                .get(1)
                .and_then(|second| Unit::recognise(&format!("{first} {second}")))
        })
        .or_else(|| Unit::recognise(first));
    match known {
        Some(unit) => Some(unit.symbol().to_owned()),
        None => Some(name_key(first)).filter(|k| !k.is_empty()),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= QUANTITY_TOLERANCE
}

/// Scores one line.
pub fn score(label: &Label, prediction: &Prediction) -> LineScore {
    // A "range" whose ends agree is one amount.
    let parser_max = prediction
        .quantity_max
        .filter(|max| prediction.quantity.is_none_or(|q| !close(q, *max)));
    let quantity = match label.amount {
        LabelAmount::Unreadable => None,
        LabelAmount::None => Some(prediction.quantity.is_none()),
        LabelAmount::Amount { low, high } => Some(
            prediction.quantity.is_some_and(|q| close(q, low))
                && parser_max.is_none_or(|max| high.is_some_and(|h| close(h, max))),
        ),
    };
    let parser_unit = parser_unit(prediction.unit.as_deref());
    LineScore {
        quantity,
        unit: parser_unit == label.unit,
        name_f1: word_similarity(&label.name, &prediction.name),
        label_unit: label.unit.clone(),
        parser_unit,
    }
}

/// Counts over many lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    /// Lines scored.
    pub lines: usize,
    /// Lines whose label amount is readable (the quantity denominator).
    pub readable: usize,
    /// Lines whose amount agrees.
    pub quantity: usize,
    /// Lines whose unit agrees.
    pub unit: usize,
    /// Lines whose amount and unit both agree.
    pub quantity_unit: usize,
    /// Sum of the name F1s.
    pub name_f1_sum: f64,
    /// Lines whose names match.
    pub name_match: usize,
}

impl Totals {
    /// Adds one line's score.
    pub fn add(&mut self, score: &LineScore) {
        self.lines += 1;
        if let Some(ok) = score.quantity {
            self.readable += 1;
            self.quantity += usize::from(ok);
            self.quantity_unit += usize::from(ok && score.unit);
        }
        self.unit += usize::from(score.unit);
        self.name_f1_sum += score.name_f1;
        self.name_match += usize::from(score.name_match());
    }

    /// Percent of readable lines whose amount and unit both agree.
    pub fn quantity_unit_pct(&self) -> f64 {
        percent(self.quantity_unit, self.readable)
    }

    /// Percent of readable lines whose amount agrees.
    pub fn quantity_pct(&self) -> f64 {
        percent(self.quantity, self.readable)
    }

    /// Percent of lines whose unit agrees.
    pub fn unit_pct(&self) -> f64 {
        percent(self.unit, self.lines)
    }

    /// Mean name F1, as a percentage (0 to 100).
    pub fn name_f1_pct(&self) -> f64 {
        if self.lines == 0 {
            0.0
        } else {
            100.0 * self.name_f1_sum / self.lines as f64
        }
    }

    /// Percent of lines whose names match.
    pub fn name_match_pct(&self) -> f64 {
        percent(self.name_match, self.lines)
    }

    /// A table of the counts and rates.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{:<34} {:>9}   {:<6} {:>7}\n",
            "measure", "agree", "lines", "rate"
        );
        let name_match = format!("name match (F1 >= {NAME_MATCH_F1})");
        // Each row: what, how many agree, of how many lines, the rate.
        for (what, count, of, pct) in [
            (
                "first quantity + unit exact",
                self.quantity_unit.to_string(),
                self.readable,
                self.quantity_unit_pct(),
            ),
            (
                "  first quantity",
                self.quantity.to_string(),
                self.readable,
                self.quantity_pct(),
            ),
            (
                "  first unit",
                self.unit.to_string(),
                self.lines,
                self.unit_pct(),
            ),
            (
                "name mean word F1 (headline)",
                format!("{:.1}", self.name_f1_sum),
                self.lines,
                self.name_f1_pct(),
            ),
            (
                name_match.as_str(),
                self.name_match.to_string(),
                self.lines,
                self.name_match_pct(),
            ),
        ] {
            out += &format!("{what:<34} {count:>9} / {of:<6} {pct:6.2}%\n");
        }
        out += &format!(
            "({} of {} lines have a label amount the rules cannot read, such as `few`, \
             and are left out of the quantity rows)\n",
            self.lines - self.readable,
            self.lines
        );
        out
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// What kind of disagreement a pattern is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PatternKind {
    /// Units differ: `label unit → parser unit`.
    Unit,
    /// Amounts differ.
    Quantity,
    /// A word in one name and not the other.
    Name,
}

/// One disagreement pattern with how often it occurs and a line showing it.
#[derive(Clone, Debug)]
pub struct Pattern {
    /// What it is about.
    pub kind: PatternKind,
    /// The pattern (`cup → —`, `+large`).
    pub pattern: String,
    /// How many lines show it.
    pub count: usize,
    /// The first line that shows it.
    pub example: String,
}

/// The disagreement patterns of a parser's answers, most frequent first
/// within each kind.
pub fn patterns(labels: &[Label], predictions: &[Prediction]) -> Vec<Pattern> {
    let mut found: HashMap<(PatternKind, String), (usize, usize)> = HashMap::new();
    let mut note = |kind: PatternKind, pattern: String, line: usize| {
        found.entry((kind, pattern)).or_insert((0, line)).0 += 1;
    };
    let show = |unit: &Option<String>| unit.clone().unwrap_or_else(|| "—".to_owned());
    for (line, (label, prediction)) in labels.iter().zip(predictions).enumerate() {
        let score = score(label, prediction);
        if !score.unit {
            note(
                PatternKind::Unit,
                format!("{} → {}", show(&score.label_unit), show(&score.parser_unit)),
                line,
            );
        }
        if score.quantity == Some(false) {
            note(
                PatternKind::Quantity,
                quantity_pattern(label.amount, prediction),
                line,
            );
        }
        if score.name_f1 < 1.0 {
            let label_words = words(&label.name);
            let parser_words = words(&prediction.name);
            for word in parser_words.iter().filter(|w| !label_words.contains(w)) {
                note(PatternKind::Name, format!("+{word}"), line);
            }
            for word in label_words.iter().filter(|w| !parser_words.contains(w)) {
                note(PatternKind::Name, format!("−{word}"), line);
            }
        }
    }
    let mut patterns: Vec<Pattern> = found
        .into_iter()
        .map(|((kind, pattern), (count, line))| Pattern {
            kind,
            pattern,
            count,
            example: labels[line].input.clone(),
        })
        .collect();
    patterns.sort_by(|a, b| {
        (a.kind, std::cmp::Reverse(a.count), &a.pattern).cmp(&(
            b.kind,
            std::cmp::Reverse(b.count),
            &b.pattern,
        ))
    });
    patterns
}

/// The `top` most frequent patterns of each kind, as text.
pub fn patterns_report(patterns: &[Pattern], top: usize) -> String {
    let mut out = String::new();
    for (kind, title) in [
        (PatternKind::Unit, "unit: label → parser"),
        (PatternKind::Quantity, "quantity"),
        (
            PatternKind::Name,
            "name: +word only in the parser's name, −word only in the label's",
        ),
    ] {
        out += &format!("\nmost frequent disagreements, {title}\n");
        for p in patterns.iter().filter(|p| p.kind == kind).take(top) {
            out += &format!("{:>6}  {:<40}  e.g. {}\n", p.count, p.pattern, p.example);
        }
    }
    out
}

fn quantity_pattern(amount: LabelAmount, prediction: &Prediction) -> String {
    match (amount, prediction.quantity) {
        (LabelAmount::None, Some(_)) => "label none → parser an amount".to_owned(),
        (LabelAmount::Amount { .. }, None) => "label an amount → parser none".to_owned(),
        (LabelAmount::Amount { low, .. }, Some(q)) if !close(low, q) => {
            "different amount".to_owned()
        }
        (LabelAmount::Amount { high: None, .. }, Some(_)) => {
            "parser a range, label one amount".to_owned()
        }
        _ => "different range end".to_owned(),
    }
}

fn words(name: &str) -> Vec<String> {
    name_key(name)
        .split(' ')
        .map(str::to_owned)
        .filter(|w| !w.is_empty())
        .collect()
}
