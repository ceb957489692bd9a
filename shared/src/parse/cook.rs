//! Cooklang (`.cook` keys): a recipe, or a make of one, written in
//! [Cooklang](https://cooklang.org) and read with the `cooklang` crate,
//! turned here into the seed format's JSON. From then on a `.cook` upload
//! is JSON like any other: the seed reader checks it (limits, numbers,
//! dates, ids), the job carries it, the server diffs it.
//!
//! What is read (docs/formats.md, "Cooklang"):
//! - each ingredient (`@flour{500%g}(sifted)`) in the order the steps
//!   mention it: its name, its quantity as the chain's other readers give
//!   it (a number, a fraction, a range; text that is no amount, `{to
//!   taste}`, becomes the ingredient's note), its unit as a measurement, its
//!   `(...)` as the preparation, and the step's section as its group;
//! - each step, as text (an ingredient, cookware or timer in it is its
//!   name, or a timer's duration), with its section;
//! - the metadata (`>> key: value` lines or YAML front matter): `title`,
//!   `id`, `recipe`, `servings` (or `yield`), `rating`, `made` (or `date`),
//!   `notes`; any other key is kept as a field, and diffed.
//!
//! Not read: cookware and timers as lists of their own, and text blocks
//! (`> ...`), which are not steps.

use cooklang::quantity::Number;
use cooklang::{
    Content, Converter, CooklangParser, Extensions, Item, Quantity, Value as CookValue,
};
use serde_json::{Map, Value, json};

use crate::limits::{Limits, check_depth};
use crate::path::JsonPath;
use crate::quantity::parse_quantity;
use crate::rejection::{RejectReason, Rejection};

/// Metadata keys with a meaning of their own, in lower case (they match in
/// any case).
const TITLE: &str = "title";
const ID: &str = "id";
const RECIPE: &str = "recipe";
const SERVINGS: [&str; 2] = ["servings", "yield"];
const RATING: &str = "rating";
const MADE: [&str; 2] = ["made", "date"];
const NOTES: &str = "notes";

/// Reads Cooklang `text` into the seed format's JSON. `stem` is the name of
/// the file or object it came from (`pancakes` for `recipes/pancakes.cook`),
/// which names a recipe without a `title` (the chain gives the recipe
/// without an `id` or `recipe` the same stem as its id, from the key).
/// Bad Cooklang is `invalid-cooklang`, with the line and column the parser
/// gives.
pub(crate) fn document(
    text: &str,
    stem: Option<&str>,
    limits: &Limits,
) -> Result<Value, Rejection> {
    // No extensions, no units: the Cooklang of the specification, and units
    // left as written for the chain's own table (`shared::units`).
    let parser = CooklangParser::new(Extensions::empty(), Converter::empty());
    let (recipe, report) = parser.parse(text).into_tuple();
    // The first error; or YAML front matter the parser could not read,
    // which it passes over with a warning: the metadata (a make's recipe,
    // its date) would be lost without a word.
    let refused = report
        .iter()
        .find(|diag| diag.is_error() || diag.message.starts_with("Invalid YAML frontmatter"));
    if let Some(diag) = refused {
        let at = diag.labels.first().map_or(0, |(span, _)| span.start());
        let (line, column) = line_and_column(text, at);
        return Err(Rejection::whole(RejectReason::InvalidCooklang {
            message: without_yaml_position(&diag.message),
            line,
            column,
        }));
    }
    let Some(recipe) = recipe else {
        return Err(Rejection::whole(RejectReason::InvalidCooklang {
            message: "the Cooklang parser gave no recipe".to_owned(),
            line: 1,
            column: 1,
        }));
    };

    let mut out = Map::new();
    let mut fields = Map::new();
    let mut id = None;
    let mut named_recipe = None;
    for (key, value) in &recipe.metadata.map {
        let key = match serde_json::to_value(key) {
            Ok(Value::String(key)) => key,
            Ok(other) => other.to_string(),
            Err(_) => continue,
        };
        let value = metadata_value(&key, value)?;
        if value.is_null() {
            continue;
        }
        let lower = key.trim().to_lowercase();
        let lower = lower.as_str();
        let known = if lower == TITLE {
            Some("recipeName")
        } else if lower == RATING {
            Some("rating")
        } else if SERVINGS.contains(&lower) {
            Some("recipeYield")
        } else if MADE.contains(&lower) {
            Some("madeAt")
        } else if lower == NOTES {
            Some("notes")
        } else {
            None
        };
        match known {
            Some(field) => {
                out.entry(field).or_insert(value);
            }
            None if lower == ID => id = Some(value),
            None if lower == RECIPE => named_recipe = Some(value),
            None => {
                fields.insert(key, value);
            }
        }
    }
    // One document names one recipe, read as a recipe or as a make: a
    // make's `recipe`, else the `id` (a copy of the recipe's file keeps it).
    let recipe_id = match (named_recipe, id) {
        (Some(named), Some(id)) if !same_id(&named, &id) => {
            return Err(Rejection::new(
                JsonPath::root().key("recipeId"),
                RejectReason::InvalidId {
                    message: format!(
                        "the metadata names two recipes: recipe {named} and id {id}; a document names one"
                    ),
                },
            ));
        }
        (Some(named), _) => Some(named),
        (None, id) => id,
    };
    if !out.contains_key("recipeName") {
        // Cooklang names a recipe by its file: a recipe's id, else a
        // make's recipe, else the file's stem.
        let name = recipe_id
            .as_ref()
            .map(id_text)
            .or_else(|| stem.map(str::to_owned));
        match name {
            Some(name) => {
                out.insert("recipeName".into(), Value::String(name));
            }
            None => {
                return Err(Rejection::whole(RejectReason::Missing {
                    field: "title (>> title: ...)".into(),
                }));
            }
        }
    }
    if let Some(recipe_id) = recipe_id {
        out.insert("recipeId".into(), recipe_id);
    }

    let mut ingredients = Vec::new();
    let mut steps = Vec::new();
    for section in &recipe.sections {
        for content in &section.content {
            let Content::Step(step) = content else {
                continue;
            };
            let mut text = String::new();
            for item in &step.items {
                match item {
                    Item::Text { value } => text.push_str(value),
                    Item::Ingredient { index } => {
                        let Some(found) = recipe.ingredients.get(*index) else {
                            continue;
                        };
                        text.push_str(&found.name);
                        if !found.relation.is_definition() {
                            continue;
                        }
                        let mut ingredient = Map::new();
                        ingredient.insert("ingredientName".into(), json!(found.name));
                        if let Some(quantity) = &found.quantity {
                            amount(quantity, &mut ingredient);
                        }
                        if let Some(note) = found.note.as_deref().map(str::trim)
                            && !note.is_empty()
                        {
                            ingredient.insert("preparation".into(), json!(note));
                        }
                        if let Some(section) = &section.name {
                            ingredient.insert("group".into(), json!(section));
                        }
                        ingredients.push(Value::Object(ingredient));
                    }
                    Item::Cookware { index } => {
                        if let Some(cookware) = recipe.cookware.get(*index) {
                            text.push_str(&cookware.name);
                        }
                    }
                    Item::Timer { index } => {
                        if let Some(timer) = recipe.timers.get(*index) {
                            match (&timer.quantity, &timer.name) {
                                (Some(quantity), _) => text.push_str(&quantity.to_string()),
                                (None, Some(name)) => text.push_str(name),
                                (None, None) => {}
                            }
                        }
                    }
                    Item::InlineQuantity { index } => {
                        if let Some(quantity) = recipe.inline_quantities.get(*index) {
                            text.push_str(&quantity.to_string());
                        }
                    }
                }
            }
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if text.is_empty() {
                continue;
            }
            let mut step = Map::new();
            step.insert("stepText".into(), Value::String(text));
            if let Some(section) = &section.name {
                step.insert("section".into(), json!(section));
            }
            steps.push(Value::Object(step));
        }
    }
    out.insert("ingredients".into(), Value::Array(ingredients));
    out.insert("steps".into(), Value::Array(steps));
    if !fields.is_empty() {
        out.insert("fields".into(), Value::Object(fields));
    }
    let document = Value::Object(out);
    // YAML front matter may nest: held to the JSON limit, as any document.
    check_depth(&document.to_string(), limits.max_depth)?;
    Ok(document)
}

/// Whether Cooklang `text` is a make by its metadata: it names a recipe
/// (`recipe`), or says when it was made or how it went (`made`, `date`,
/// `notes`), as a JSON make's own fields do. Text the parser refuses is
/// not a make.
pub(crate) fn is_make(text: &str) -> bool {
    let parser = CooklangParser::new(Extensions::empty(), Converter::empty());
    let Some(metadata) = parser.parse_metadata(text).into_output() else {
        return false;
    };
    metadata.map.keys().any(|key| {
        key.as_str().is_some_and(|key| {
            let key = key.trim().to_lowercase();
            key == RECIPE || key == NOTES || MADE.contains(&key.as_str())
        })
    })
}

/// A metadata value as JSON: text trimmed (an empty one is no value),
/// numbers, lists and maps as YAML front matter gives them.
fn metadata_value<T: serde::Serialize>(key: &str, value: &T) -> Result<Value, Rejection> {
    let value = serde_json::to_value(value).map_err(|_| {
        Rejection::new(
            JsonPath::root().key("fields").key_owned(key),
            RejectReason::WrongType {
                expected: "metadata JSON can hold (text, numbers, lists, maps with text keys)",
                found: "YAML that JSON cannot hold",
            },
        )
    })?;
    Ok(match value {
        Value::String(text) if text.trim().is_empty() => Value::Null,
        Value::String(text) => Value::String(text.trim().to_owned()),
        other => other,
    })
}

/// An id's text, as the ids are compared (`7` and `"7"` are one id).
fn id_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.trim().to_owned(),
        other => other.to_string(),
    }
}

fn same_id(a: &Value, b: &Value) -> bool {
    id_text(a) == id_text(b)
}

/// Writes a Cooklang quantity into a seed ingredient: `quantity` (and
/// `quantityMax` for a range), `measurement` for its unit; text that is no
/// amount (`to taste`) is the ingredient's `note`.
fn amount(quantity: &Quantity, ingredient: &mut Map<String, Value>) {
    match quantity.value() {
        CookValue::Number(number) => {
            ingredient.insert("quantity".into(), number_json(*number));
        }
        CookValue::Range { start, end } => {
            ingredient.insert("quantity".into(), number_json(*start));
            ingredient.insert("quantityMax".into(), float_json(end.value()));
        }
        CookValue::Text(text) => {
            let text = text.trim();
            if parse_quantity(text).is_some() {
                // An amount the chain reads (`½`, `1 1/2`, `a dozen`), as a
                // JSON upload's text quantity is read.
                ingredient.insert("quantity".into(), json!(text));
            } else if !text.is_empty() {
                ingredient.insert("note".into(), json!(text));
            }
        }
    }
    if let Some(unit) = quantity.unit().map(str::trim).filter(|u| !u.is_empty()) {
        ingredient.insert("measurement".into(), json!(unit));
    }
}

/// A number as a seed quantity: a fraction as the text it was written as
/// (`1/2`, `1 1/2`), which the chain reads as a JSON upload's; any other as
/// a JSON number.
fn number_json(number: Number) -> Value {
    match number {
        Number::Fraction {
            whole,
            num,
            den,
            err,
        } if err == 0.0 && den != 0 => match (whole, num) {
            (whole, 0) => json!(whole),
            (0, num) => json!(format!("{num}/{den}")),
            (whole, num) => json!(format!("{whole} {num}/{den}")),
        },
        other => float_json(other.value()),
    }
}

/// A number as JSON: a whole one as an integer (`250`, not `250.0`).
fn float_json(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        // Whole and well within i64: exact.
        #[allow(clippy::cast_possible_truncation)]
        let whole = value as i64;
        json!(whole)
    } else {
        json!(value)
    }
}

/// The parser's message without the position serde_yaml adds inside the
/// front matter (`... at line 2 column 1, while ...`), which counts from
/// the front matter's first line, not the document's: the rejection gives
/// the document's own.
fn without_yaml_position(message: &str) -> String {
    let Some(at) = message.find(" at line ") else {
        return message.to_owned();
    };
    let rest = &message[at + " at line ".len()..];
    let digits =
        |text: &str| text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let line_digits = digits(rest);
    let Some(after_column) = rest[line_digits..].strip_prefix(" column ") else {
        return message.to_owned();
    };
    let column_digits = digits(after_column);
    if line_digits == 0 || column_digits == 0 {
        return message.to_owned();
    }
    format!("{}{}", &message[..at], &after_column[column_digits..])
}

/// The 1-based line and column (in characters) of the byte `offset` of
/// `text`; an offset past the end is the end.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::canonical::recipe_json;
    use crate::keys::recipe_id_from_key;
    use crate::parse::{make_from_value, read_document, recipe_from_value};
    use crate::units::Unit;
    use crate::{Make, Recipe};

    fn limits() -> Limits {
        Limits::default()
    }

    /// The JSON a `.cook` object under `key` becomes.
    fn read(key: &str, text: &str) -> Result<Value, Rejection> {
        read_document(text.as_bytes(), &limits(), Some(key))
    }

    /// A `.cook` recipe under `key`, as the chain reads it.
    fn recipe(key: &str, text: &str) -> Recipe {
        let document = read(key, text).expect("reads");
        recipe_from_value(&document, &limits(), recipe_id_from_key(key).as_ref()).expect("a recipe")
    }

    fn make(text: &str) -> Make {
        let document = read("makes/m.cook", text).expect("reads");
        make_from_value(&document, &limits()).expect("a make")
    }

    /// The rejection of `text`: its code, path, line, column and message.
    fn refused(text: &str) -> (String, String, usize, usize, String) {
        let rejection = read("recipes/bad.cook", text).expect_err("refused");
        let RejectReason::InvalidCooklang {
            line,
            column,
            message,
        } = &rejection.reason
        else {
            panic!("{text:?}: {rejection}");
        };
        (
            rejection.code().to_string(),
            rejection.path.to_string(),
            *line,
            *column,
            message.clone(),
        )
    }

    #[test]
    fn quantities_and_units_are_the_chain_s() {
        let pancakes = recipe(
            "recipes/pancakes.cook",
            "Mix @flour{250%g}, @milk{1/2%cup}, @butter{1 1/2%tbsp} and @eggs{2-3}.\n\n\
             Add @sugar{½%tbsp}(caster), @salt{to taste}, @lemon and @water{100%ml}.\n",
        );
        /// An ingredient's name, quantity (and its range's top) and unit.
        type Row = (String, Option<f64>, Option<f64>, Option<String>);
        let rows: Vec<Row> = pancakes
            .ingredients()
            .iter()
            .map(|i| {
                (
                    i.name().to_owned(),
                    i.quantity().map(|q| q.value()),
                    i.quantity().and_then(|q| q.max()),
                    i.unit().map(|u| u.symbol().to_owned()),
                )
            })
            .collect();
        let unit = |text: &str| Unit::from_measurement(text).map(|u| u.symbol().to_owned());
        assert_eq!(
            rows,
            [
                ("flour".to_owned(), Some(250.0), None, unit("g")),
                ("milk".to_owned(), Some(0.5), None, unit("cup")),
                ("butter".to_owned(), Some(1.5), None, unit("tbsp")),
                ("eggs".to_owned(), Some(2.0), Some(3.0), None),
                ("sugar".to_owned(), Some(0.5), None, unit("tbsp")),
                ("salt".to_owned(), None, None, None),
                ("lemon".to_owned(), None, None, None),
                ("water".to_owned(), Some(100.0), None, unit("ml")),
            ]
        );
        assert!(unit("g").is_some() && unit("cup").is_some() && unit("ml").is_some());
        let sugar = &pancakes.ingredients()[4];
        assert_eq!(sugar.preparation(), Some("caster"));
        // Text that is no amount is the ingredient's note, not refused.
        assert_eq!(pancakes.ingredients()[5].note(), Some("to taste"));
        assert_eq!(
            pancakes
                .steps()
                .iter()
                .map(|s| s.text().to_owned())
                .collect::<Vec<_>>(),
            [
                "Mix flour, milk, butter and eggs.",
                "Add sugar, salt, lemon and water.",
            ]
        );
    }

    #[test]
    fn a_cook_recipe_is_the_json_recipe_it_says() {
        let cook = recipe(
            "recipes/pie.cook",
            ">> title: Apple Pie\n>> id: apple-pie\n>> servings: 8\n>> rating: 4.5\n\
             >> cuisine: American\n\n\
             = Filling =\n\nSlice @apples{6}(peeled) and toss with @sugar{3/4%cup}.\n\n\
             == Baking ==\n\nBake in a #pie dish{} for ~{45%minutes}.\n",
        );
        let json = crate::parse::parse_recipe(
            json!({
                "recipeName": "Apple Pie",
                "recipeId": "apple-pie",
                "recipeYield": "8",
                "rating": 4.5,
                "cuisine": "American",
                "ingredients": [
                    {"ingredientName": "apples", "quantity": 6, "preparation": "peeled", "group": "Filling"},
                    {"ingredientName": "sugar", "quantity": "3/4", "measurement": "cup", "group": "Filling"},
                ],
                "steps": [
                    {"stepText": "Slice apples and toss with sugar.", "section": "Filling"},
                    {"stepText": "Bake in a pie dish for 45 minutes.", "section": "Baking"},
                ],
            })
            .to_string()
            .as_bytes(),
            &limits(),
            None,
        )
        .expect("the JSON recipe");
        assert_eq!(recipe_json(&cook), recipe_json(&json));
    }

    #[test]
    fn the_key_s_stem_names_a_recipe_without_an_id_or_title() {
        let pancakes = recipe("recipes/breakfast/pancakes.cook", "Mix @flour{250%g}.");
        assert_eq!(pancakes.id().as_str(), "pancakes");
        assert_eq!(pancakes.name(), "pancakes");
        let titled = recipe(
            "recipes/Pancakes.COOK",
            ">> title: Fluffy Pancakes\nMix @flour.",
        );
        assert_eq!(
            (titled.id().as_str(), titled.name()),
            ("Pancakes", "Fluffy Pancakes")
        );
        let named = recipe("recipes/pancakes.cook", ">> id: pancakes-2\nMix @flour.");
        assert_eq!(
            (named.id().as_str(), named.name()),
            ("pancakes-2", "pancakes-2")
        );
        // Without a stem there is no name.
        let err = read_document(b"Mix @flour.", &limits(), Some("recipes/.cook"))
            .expect_err("nothing names it");
        assert_eq!(err.code().to_string(), "missing");
    }

    #[test]
    fn a_make_names_its_recipe_and_says_when_and_how_it_went() {
        let made = make(
            ">> recipe: pancakes\n>> rating: 4\n>> made: 2026-12-06\n\
             >> notes: Too sweet; less sugar next time.\n>> cook: Anna\n\n\
             Mix @flour{300%g} and @milk{1/2%cup}.\n",
        );
        assert_eq!(made.recipe_id().as_str(), "pancakes");
        assert_eq!(made.content().rating(), Some(4.0));
        assert_eq!(made.made_at(), Some("2026-12-06"));
        assert_eq!(made.notes(), Some("Too sweet; less sugar next time."));
        assert_eq!(made.content().fields().get("cook"), Some(&json!("Anna")));
        // Named by the recipe it names when it has no title.
        assert_eq!(made.content().name(), "pancakes");
        // `date` is read as `made`; YAML front matter as `>>` lines.
        let dated =
            make("---\nrecipe: pancakes\ndate: 2026-12-06T08:30:00Z\nrating: 5\n---\nMix @flour.");
        assert_eq!(dated.made_at(), Some("2026-12-06T08:30:00Z"));
        assert_eq!(dated.content().rating(), Some(5.0));
        // A copy of the recipe's file keeps its id, which names the recipe too.
        let copied = make(">> id: pancakes\n>> recipe: pancakes\nMix @flour.");
        assert_eq!(copied.recipe_id().as_str(), "pancakes");
    }

    #[test]
    fn a_make_s_metadata_is_checked_as_a_json_make_s() {
        let refused_at = |text: &str| {
            let document = read("makes/m.cook", text).expect("reads");
            let rejection = make_from_value(&document, &limits()).expect_err("refused");
            (rejection.code().to_string(), rejection.path.to_string())
        };
        assert_eq!(
            refused_at(">> recipe: p\n>> made: yesterday\nMix @flour."),
            ("invalid-date".to_owned(), "$.madeAt".to_owned())
        );
        assert_eq!(
            refused_at(">> recipe: p\n>> rating: 7\nMix @flour."),
            ("invalid-number".to_owned(), "$.rating".to_owned())
        );
        assert_eq!(
            refused_at(">> title: Pancakes\nMix @flour."),
            ("missing".to_owned(), "$".to_owned())
        );
        let two =
            read("makes/m.cook", ">> id: a\n>> recipe: b\nMix @flour.").expect_err("two recipes");
        assert_eq!(
            (two.code().to_string(), two.path.to_string()),
            ("invalid-id".to_owned(), "$.recipeId".to_owned())
        );
    }

    #[test]
    fn bad_cooklang_is_refused_at_its_line_and_column() {
        let cases = [
            ("Mix @flour{%g}.", 1, 12, "Empty quantity value"),
            (">> title: Pie\n\nBoil for ~{}.", 3, 11, "Invalid timer"),
            (">> : x\nstep", 1, 3, "Empty metadata key"),
            ("Mix it.\nThen @salt{1/0%g}.", 2, 12, "Division by zero"),
            ("Añade @{2}.", 1, 8, "Invalid ingredient name"),
            (
                "---\ntitle: [\n---\nMix @flour.",
                3,
                1,
                "Invalid YAML frontmatter syntax: did not find expected node content, while",
            ),
        ];
        for (text, line, column, says) in cases {
            let (code, path, l, c, message) = refused(text);
            assert_eq!(
                (code.as_str(), path.as_str(), l, c),
                ("invalid-cooklang", "$", line, column),
                "{text:?}: {message}"
            );
            assert!(message.starts_with(says), "{text:?}: {message}");
        }
        let rejection = read("recipes/bad.cook", "Mix @flour{%g}.").expect_err("refused");
        assert_eq!(
            rejection.reason.to_string(),
            "not valid Cooklang: Empty quantity value (line 1, column 12)"
        );
    }

    #[test]
    fn deep_front_matter_is_held_to_the_json_limit() {
        let deep = format!(
            "---\nx: {}1{}\n---\nMix @flour.",
            "[".repeat(70),
            "]".repeat(70)
        );
        let err = read("recipes/deep.cook", &deep).expect_err("too deep");
        assert_eq!(err.code().to_string(), "too-deep");
    }

    #[test]
    fn what_the_specification_has_is_read_as_it_says() {
        let soup = recipe(
            "recipes/soup.cook",
            "-- a line comment\nAdd @salt{1%tsp} [- a block comment -] and @onion{250 g}.\n\n\
             Taste, then add @salt{1%tsp} more.\n\n> A text block, not a step.\n",
        );
        let names: Vec<(&str, Option<&str>)> = soup
            .ingredients()
            .iter()
            .map(|i| (i.name(), i.note()))
            .collect();
        // Mentioned twice, listed twice; `250 g` without `%` is text, and
        // no amount the chain reads, so a note.
        assert_eq!(
            names,
            [("salt", None), ("onion", Some("250 g")), ("salt", None)]
        );
        let steps: Vec<&str> = soup.steps().iter().map(|s| s.text()).collect();
        assert_eq!(steps, ["Add salt and onion.", "Taste, then add salt more."]);
    }

    #[test]
    fn a_make_is_known_by_its_metadata() {
        assert!(is_make(">> recipe: pancakes\nMix @flour."));
        assert!(is_make("---\nMade: 2026-12-06\n---\nMix @flour."));
        assert!(is_make(">> notes: thicker\nMix @flour."));
        assert!(!is_make(">> title: Pancakes\n>> id: pancakes\nMix @flour."));
        assert!(!is_make("Mix @flour with recipe: pancakes."));
    }

    #[test]
    fn positions_count_characters_from_one() {
        assert_eq!(line_and_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_and_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_and_column("ñb\ncd", 2), (1, 2));
        assert_eq!(line_and_column("ab", 99), (1, 3));
    }
}
