//! schema.org `Recipe` JSON-LD as recipe sites publish it: a bare object, an
//! array, or an `@graph`; ingredient lines as text; instructions as text,
//! `HowToStep`s or `HowToSection`s.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::reader::{
    Reader, check_made_at, check_rating, ingredient_from_line, missing, wrong_type,
};
use crate::ingredient_line::{is_bare_amount, parse_line};
use crate::limits::Limits;
use crate::model::{Ingredient, Lineage, Make, MakeId, ParentName, Recipe, RecipeId, Step};
use crate::path::JsonPath;
use crate::rejection::{RejectReason, Rejection};
use crate::text::{collapse_whitespace, split_glued_paragraphs, strip_html};

/// Descriptive fields kept (and diffed) beside the ingredients and steps.
const KEPT_FIELDS: &[&str] = &[
    "prepTime",
    "cookTime",
    "totalTime",
    "recipeCategory",
    "recipeCuisine",
];

pub(crate) fn recipe(
    value: &Value,
    limits: &Limits,
    fallback_id: Option<&RecipeId>,
) -> Result<Recipe, Rejection> {
    let (node, path) = find_recipe(value)?;
    let reader = Reader { limits };
    let id = own_id(node, &path, fallback_id)?;
    content(node, &path, &reader, id)
}

/// A make; `fallback_id` names its recipe when the document does not (see
/// [`made_from`]).
pub(crate) fn make(
    value: &Value,
    limits: &Limits,
    fallback_id: Option<&RecipeId>,
) -> Result<Make, Rejection> {
    let (node, path) = find_recipe(value)?;
    let reader = Reader { limits };
    let recipe_id = made_from(node, &path, fallback_id)?;
    let make_id = match node.get("makeId") {
        None | Some(Value::Null) => None,
        Some(id) => Some(MakeId::from_json(id).map_err(|r| Rejection::new(path.key("makeId"), r))?),
    };
    let made_at = match node.get("madeAt") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(check_made_at(text, &path.key("madeAt"))?),
        Some(other) => return Err(wrong_type(&path.key("madeAt"), "a date as text", other)),
    };
    let notes = reader.optional_scraped_text(node, "notes", &path)?;
    Ok(Make {
        make_id,
        made_at,
        notes,
        content: content(node, &path, &reader, recipe_id)?,
    })
}

/// The id of the recipe a node is: `recipeId`, else `identifier`, else
/// `fallback_id` (the chain's: the object key's stem).
fn own_id(
    node: &Map<String, Value>,
    path: &JsonPath,
    fallback_id: Option<&RecipeId>,
) -> Result<RecipeId, Rejection> {
    match named_id(node, path)? {
        Some((id, _)) => Ok(id),
        None => fallback_id
            .cloned()
            .ok_or_else(|| missing(path, "recipeId")),
    }
}

/// The id a node names for itself (`recipeId`, else `identifier`), with
/// the path of the field it came from.
fn named_id(
    node: &Map<String, Value>,
    path: &JsonPath,
) -> Result<Option<(RecipeId, JsonPath)>, Rejection> {
    id_field(node, path, &["recipeId", "identifier"])
}

/// The recipe a make was made from: `recipeId`, else `isBasedOn`, else the
/// id the node has as a recipe ([`own_id`]).
fn made_from(
    node: &Map<String, Value>,
    path: &JsonPath,
    fallback_id: Option<&RecipeId>,
) -> Result<RecipeId, Rejection> {
    match named_source(node, path)? {
        Some((id, _)) => Ok(id),
        None => own_id(node, path, fallback_id),
    }
}

/// The recipe a make's node names as its source, with the path of the
/// field it came from: `recipeId`, else `isBasedOn`, else its own id
/// ([`named_id`]). An `isBasedOn` that names the page itself (its `@id`,
/// `url` or `mainEntityOfPage`, as some publishers write it) says nothing
/// about another recipe and is passed over, so that one document read as a
/// recipe and as a make has one recipe id.
fn named_source(
    node: &Map<String, Value>,
    path: &JsonPath,
) -> Result<Option<(RecipeId, JsonPath)>, Rejection> {
    if let Some(named) = id_field(node, path, &["recipeId"])? {
        return Ok(Some(named));
    }
    let based_on = node.get("isBasedOn").and_then(reference);
    let names_itself = based_on.is_some_and(|based_on| {
        ["@id", "url", "mainEntityOfPage"]
            .iter()
            .filter_map(|k| node.get(*k).and_then(reference))
            .any(|own| same_address(own, based_on))
    });
    if !names_itself && let Some(named) = id_field(node, path, &["isBasedOn"])? {
        return Ok(Some(named));
    }
    named_id(node, path)
}

/// Where the recipe node of `value` names the recipe id that [`recipe`]
/// (or, for a make, [`make`]) reads: the field it came from, or `recipeId`
/// on the node when the document names none (the fallback, the object
/// key's stem, gave it), which is where the document would name it.
pub(crate) fn recipe_id_path(value: &Value, make: bool) -> JsonPath {
    let Ok((node, path)) = find_recipe(value) else {
        return JsonPath::root().key("recipeId");
    };
    let named = if make {
        named_source(node, &path)
    } else {
        named_id(node, &path)
    };
    match named {
        Ok(Some((_, at))) => at,
        _ => path.key("recipeId"),
    }
}

/// The text a reference field gives: itself, the first of a list, or an
/// object's `@id` or `url`.
fn reference(value: &Value) -> Option<&str> {
    match value {
        Value::String(text) => Some(text),
        Value::Array(items) => items.first().and_then(reference),
        Value::Object(object) => ["@id", "url"]
            .iter()
            .find_map(|k| object.get(*k).and_then(Value::as_str)),
        _ => None,
    }
}

/// Whether two addresses name one page: equal but for case, a fragment
/// (`#recipe`) and a trailing slash.
fn same_address(a: &str, b: &str) -> bool {
    let plain = |s: &str| {
        let s = s.trim();
        let s = s.split('#').next().unwrap_or(s);
        s.trim_end_matches('/').to_ascii_lowercase()
    };
    let (a, b) = (plain(a), plain(b));
    !a.is_empty() && a == b
}

/// The first node whose `@type` is (or includes) `Recipe`, depth first.
pub(crate) fn find_recipe(value: &Value) -> Result<(&Map<String, Value>, JsonPath), Rejection> {
    fn walk(value: &Value, path: JsonPath) -> Option<(&Map<String, Value>, JsonPath)> {
        match value {
            Value::Object(map) => {
                if map.get("@type").is_some_and(is_recipe_type) {
                    return Some((map, path));
                }
                map.iter()
                    .filter(|(_, v)| v.is_object() || v.is_array())
                    .find_map(|(k, v)| walk(v, path.key_owned(k)))
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| walk(v, path.index(i))),
            _ => None,
        }
    }
    walk(value, JsonPath::root()).ok_or_else(|| {
        Rejection::whole(RejectReason::NoRecipe {
            detail: "no node has \"@type\": \"Recipe\"".into(),
        })
    })
}

fn is_recipe_type(value: &Value) -> bool {
    let is_recipe = |v: &Value| {
        v.as_str().is_some_and(|t| {
            t == "Recipe" || t.ends_with("schema.org/Recipe") || t == "schema:Recipe"
        })
    };
    match value {
        Value::Array(types) => types.iter().any(is_recipe),
        other => is_recipe(other),
    }
}

/// The first of `fields` present, read as an id: text, a number, or an
/// object carrying `@id`, `url`, `identifier` or `value`; with the path of
/// the field.
fn id_field(
    node: &Map<String, Value>,
    path: &JsonPath,
    fields: &[&'static str],
) -> Result<Option<(RecipeId, JsonPath)>, Rejection> {
    for field in fields {
        let field_path = path.key(*field);
        let value = match node.get(*field) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(items)) => match items.first() {
                Some(first) => first,
                None => continue,
            },
            Some(value) => value,
        };
        let value = match value {
            Value::Object(object) => match ["@id", "url", "identifier", "value"]
                .iter()
                .find_map(|k| object.get(*k))
            {
                Some(inner) => inner,
                None => continue,
            },
            other => other,
        };
        return match RecipeId::from_json(value) {
            Ok(id) => Ok(Some((id, field_path))),
            Err(reason) => Err(Rejection::new(field_path, reason)),
        };
    }
    Ok(None)
}

fn content(
    node: &Map<String, Value>,
    path: &JsonPath,
    reader: &Reader<'_>,
    id: RecipeId,
) -> Result<Recipe, Rejection> {
    let name = match node.get("name").or_else(|| node.get("headline")) {
        Some(Value::String(text)) => reader.scraped_name(&strip_html(text), &path.key("name"))?,
        Some(other) => return Err(wrong_type(&path.key("name"), "a string", other)),
        None => String::new(),
    };
    if name.is_empty() {
        return Err(missing(path, "name"));
    }
    Ok(Recipe {
        name,
        rating: rating(node, path)?,
        recipe_yield: recipe_yield(node, path, reader)?,
        ingredients: ingredients(node, path, reader)?,
        steps: instructions(node, path, reader)?,
        fields: kept_fields(node, path, reader)?,
        lineage: based_on(node, &id),
        id,
    })
}

/// What `isBasedOn` says of a recipe's origins: the recipe it may be a
/// variant of, unless it names the page itself or the recipe's own id (a
/// make's `isBasedOn` names its recipe, which is its id).
fn based_on(node: &Map<String, Value>, own: &RecipeId) -> Lineage {
    let named = node
        .get("isBasedOn")
        .and_then(reference)
        .filter(|based_on| {
            !["@id", "url", "mainEntityOfPage"]
                .iter()
                .filter_map(|k| node.get(*k).and_then(reference))
                .any(|page| same_address(page, based_on))
        });
    let variant_of = named
        .map(|text| ParentName::BasedOn(text.trim().to_owned()))
        .filter(|parent| parent.candidate().as_ref() != Some(own));
    Lineage {
        variant_of,
        ..Lineage::default()
    }
}

/// `aggregateRating.ratingValue`, scaled to 0-5 when `bestRating` says
/// otherwise. A page whose rating cannot be read is kept without one: the
/// rating is the page's decoration, not the recipe.
fn rating(node: &Map<String, Value>, path: &JsonPath) -> Result<Option<f64>, Rejection> {
    let Some(Value::Object(aggregate)) = node.get("aggregateRating") else {
        return Ok(None);
    };
    let number = |v: Option<&Value>| match v {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().replace(',', ".").parse::<f64>().ok(),
        _ => None,
    };
    let Some(value) = number(aggregate.get("ratingValue")) else {
        return Ok(None);
    };
    let best = number(aggregate.get("bestRating"))
        .filter(|b| *b > 0.0)
        .unwrap_or(5.0);
    let scaled = value * 5.0 / best;
    if !(0.0..=5.0).contains(&scaled) {
        return Ok(None);
    }
    check_rating(scaled, &path.key("aggregateRating").key("ratingValue")).map(Some)
}

/// `recipeYield` as text; of several forms (`["4", "4 servings"]`) the most
/// descriptive one.
fn recipe_yield(
    node: &Map<String, Value>,
    path: &JsonPath,
    reader: &Reader<'_>,
) -> Result<Option<String>, Rejection> {
    let field_path = path.key("recipeYield");
    let as_text = |v: &Value| match v {
        Value::String(s) => Some(collapse_whitespace(&strip_html(s)).into_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let text = match node.get("recipeYield") {
        Some(Value::Array(items)) => {
            let texts: Vec<String> = items
                .iter()
                .filter_map(as_text)
                .filter(|t| !t.is_empty())
                .collect();
            texts
                .iter()
                .find(|t| t.chars().any(char::is_alphabetic))
                .or_else(|| texts.first())
                .cloned()
        }
        Some(value) => as_text(value),
        None => None,
    };
    match text.filter(|t| !t.is_empty()) {
        Some(text) => Ok(Some(reader.scraped_name(&text, &field_path)?)),
        None => Ok(None),
    }
}

/// One ingredient line as found, with where it is and, at the start of a
/// nested list, the group that list begins.
struct Line {
    text: String,
    path: JsonPath,
    starts_group: Option<Option<String>>,
}

fn ingredients(
    node: &Map<String, Value>,
    path: &JsonPath,
    reader: &Reader<'_>,
) -> Result<Vec<Ingredient>, Rejection> {
    let (field, value) = match (node.get("recipeIngredient"), node.get("ingredients")) {
        (Some(value), _) => ("recipeIngredient", value),
        (None, Some(value)) => ("ingredients", value),
        (None, None) => return Ok(Vec::new()),
    };
    let field_path = path.key(field);
    let mut lines: Vec<Line> = Vec::new();
    match value {
        Value::Null => {}
        Value::String(text) => push_lines(text, &field_path, &mut lines),
        Value::Array(items) => {
            Limits::check_count(
                &field_path,
                "ingredients",
                reader.limits.max_ingredients,
                items.len(),
            )?;
            // A list of lists is a grouped list: each inner list is a group.
            let nested = items.iter().filter(|item| item.is_array()).count();
            let mut entries = items.len();
            for (i, item) in items.iter().enumerate() {
                let item_path = field_path.index(i);
                match item {
                    Value::Null => {}
                    // One entry sometimes holds several lines; each is an ingredient.
                    Value::String(text) => push_lines(text, &item_path, &mut lines),
                    Value::Array(group) => {
                        let first = lines.len();
                        collect_group(group, &item_path, reader, &mut entries, &mut lines)?;
                        if let Some(line) = lines.get_mut(first) {
                            line.starts_group = Some(group_name(line, reader, i, nested)?);
                        }
                        // Lines after the list are in no group, like a flat
                        // list's lines before its first heading.
                        lines.push(Line {
                            text: String::new(),
                            path: item_path,
                            starts_group: Some(None),
                        });
                    }
                    other => {
                        return Err(wrong_type(
                            &item_path,
                            "an ingredient line as text, or a list of them",
                            other,
                        ));
                    }
                }
            }
        }
        other => {
            return Err(wrong_type(
                &field_path,
                "an array of ingredient lines",
                other,
            ));
        }
    }
    let mut ingredients = Vec::with_capacity(lines.len());
    let mut group: Option<String> = None;
    for Line {
        text,
        path: line_path,
        starts_group,
    } in lines
    {
        if let Some(start) = starts_group {
            group = start;
        }
        let line = reader.scraped_name(&text, &line_path)?;
        if line.is_empty() {
            continue;
        }
        let parsed = parse_line(&line);
        // "For the crust:" heads a group of ingredients; it is not one.
        if let Some(heading) = line.strip_suffix(':')
            && parsed.quantity.is_none()
        {
            group = Some(heading.trim().to_owned()).filter(|h| !h.is_empty());
            continue;
        }
        ingredients.push(ingredient_from_line(parsed, group.clone()));
    }
    Limits::check_count(
        &field_path,
        "ingredients",
        reader.limits.max_ingredients,
        ingredients.len(),
    )?;
    Ok(ingredients)
}

/// The lines of one text entry (HTML removed), each at `path`. A piece
/// that is only an amount (`3 ` in `3 \r\nsprigs thyme`) is a line that a
/// stray line break cut in two, so it is joined to the piece after it.
fn push_lines(text: &str, path: &JsonPath, lines: &mut Vec<Line>) {
    let mut pending = String::new();
    for piece in strip_html(text).lines() {
        if !pending.is_empty() {
            pending.push(' ');
        }
        pending.push_str(piece);
        if is_bare_amount(&pending) {
            continue;
        }
        lines.push(Line {
            text: std::mem::take(&mut pending),
            path: path.clone(),
            starts_group: None,
        });
    }
    if !pending.is_empty() {
        lines.push(Line {
            text: pending,
            path: path.clone(),
            starts_group: None,
        });
    }
}

/// The lines of a nested list, lists within it read into the same group.
/// `entries` counts every entry read so far against the ingredient limit,
/// checked as the lists are walked so that nesting cannot hide a
/// list over the limit.
fn collect_group(
    items: &[Value],
    path: &JsonPath,
    reader: &Reader<'_>,
    entries: &mut usize,
    lines: &mut Vec<Line>,
) -> Result<(), Rejection> {
    *entries += items.len();
    Limits::check_count(path, "ingredients", reader.limits.max_ingredients, *entries)?;
    for (i, item) in items.iter().enumerate() {
        let item_path = path.index(i);
        match item {
            Value::Null => {}
            Value::String(text) => push_lines(text, &item_path, lines),
            Value::Array(inner) => collect_group(inner, &item_path, reader, entries, lines)?,
            other => {
                return Err(wrong_type(
                    &item_path,
                    "an ingredient line as text, or a list of them",
                    other,
                ));
            }
        }
    }
    Ok(())
}

/// The name of the group a nested list begins, given its first line: a
/// heading (`For the glaze:`) names its list as it names the lines after it
/// in a flat list, so the list starts unnamed and the heading names it. A
/// list without one is named by its place (`Group 2`) when the ingredients
/// come in several lists, so that its lines stay apart from the others';
/// the first such list, like a flat list's first lines, stays unnamed.
fn group_name(
    first: &Line,
    reader: &Reader<'_>,
    index: usize,
    nested: usize,
) -> Result<Option<String>, Rejection> {
    let line = reader.scraped_name(&first.text, &first.path)?;
    let is_heading = line.ends_with(':') && parse_line(&line).quantity.is_none();
    Ok((!is_heading && nested > 1 && index > 0).then(|| format!("Group {}", index + 1)))
}

fn instructions(
    node: &Map<String, Value>,
    path: &JsonPath,
    reader: &Reader<'_>,
) -> Result<Vec<Step>, Rejection> {
    let mut steps = Vec::new();
    if let Some(value) = node.get("recipeInstructions") {
        collect_steps(
            value,
            &path.key("recipeInstructions"),
            None,
            reader,
            &mut steps,
        )?;
    }
    Ok(steps)
}

/// Flattens instructions into steps, keeping each step's section.
fn collect_steps(
    value: &Value,
    path: &JsonPath,
    section: Option<&str>,
    reader: &Reader<'_>,
    steps: &mut Vec<Step>,
) -> Result<(), Rejection> {
    let push = |text: &str, steps: &mut Vec<Step>| -> Result<(), Rejection> {
        let text = reader.scraped_text(text, path)?;
        if !text.is_empty() {
            Limits::check_count(path, "steps", reader.limits.max_steps, steps.len() + 1)?;
            steps.push(Step {
                id: None,
                text,
                section: section.map(str::to_owned),
            });
        }
        Ok(())
    };
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
        Value::String(text) => {
            let text = strip_html(text);
            for line in split_glued_paragraphs(&text).lines() {
                push(line, steps)?;
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_steps(item, &path.index(i), section, reader, steps)?;
            }
            Ok(())
        }
        Value::Object(object) => {
            let is_section = object
                .get("@type")
                .and_then(Value::as_str)
                .is_some_and(|t| t == "HowToSection");
            if let Some(children) = object.get("itemListElement") {
                let inner_section = if is_section {
                    match object.get("name") {
                        Some(Value::String(name)) => {
                            Some(reader.scraped_name(&strip_html(name), &path.key("name"))?)
                                .filter(|n| !n.is_empty())
                        }
                        _ => None,
                    }
                } else {
                    None
                };
                let inner = inner_section.as_deref().or(section);
                return collect_steps(children, &path.key("itemListElement"), inner, reader, steps);
            }
            let text = ["text", "name", "description"].iter().find_map(|k| {
                object
                    .get(*k)
                    .and_then(Value::as_str)
                    .filter(|t| !t.trim().is_empty())
            });
            match text {
                Some(text) => push(&strip_html(text), steps),
                None => Ok(()),
            }
        }
    }
}

fn kept_fields(
    node: &Map<String, Value>,
    path: &JsonPath,
    reader: &Reader<'_>,
) -> Result<BTreeMap<String, Value>, Rejection> {
    let mut fields = BTreeMap::new();
    for field in KEPT_FIELDS {
        let text = match node.get(*field) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            _ => continue,
        };
        let text = reader.scraped_name(&strip_html(&text), &path.key(*field))?;
        if !text.is_empty() {
            fields.insert((*field).to_owned(), Value::String(text));
        }
    }
    Ok(fields)
}
