//! schema.org `Recipe` JSON-LD as recipe sites publish it: a bare object, an
//! array, or an `@graph`; ingredient lines as text; instructions as text,
//! `HowToStep`s or `HowToSection`s.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::reader::{Reader, check_made_at, check_rating, missing, wrong_type};
use crate::ingredient_line::parse_line;
use crate::limits::Limits;
use crate::model::{Ingredient, Make, MakeId, Recipe, RecipeId, Step};
use crate::path::JsonPath;
use crate::rejection::{RejectReason, Rejection};
use crate::text::{collapse_whitespace, name_key, split_glued_paragraphs, strip_html};

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
    let id = match id_field(node, &path, &["recipeId", "identifier"])? {
        Some(id) => id,
        None => fallback_id
            .cloned()
            .ok_or_else(|| missing(&path, "recipeId"))?,
    };
    content(node, &path, &reader, id)
}

pub(crate) fn make(value: &Value, limits: &Limits) -> Result<Make, Rejection> {
    let (node, path) = find_recipe(value)?;
    let reader = Reader { limits };
    let recipe_id = id_field(node, &path, &["recipeId", "isBasedOn"])?
        .ok_or_else(|| missing(&path, "recipeId"))?;
    let make_id = match node.get("makeId") {
        None | Some(Value::Null) => None,
        Some(id) => Some(MakeId::from_json(id).map_err(|r| Rejection::new(path.key("makeId"), r))?),
    };
    let made_at = match node.get("madeAt") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(check_made_at(text, &path.key("madeAt"))?),
        Some(other) => return Err(wrong_type(&path.key("madeAt"), "a date as text", other)),
    };
    let notes = reader.optional_text(node, "notes", &path, true)?;
    Ok(Make {
        make_id,
        made_at,
        notes,
        content: content(node, &path, &reader, recipe_id)?,
    })
}

/// The first node whose `@type` is (or includes) `Recipe`, depth first.
fn find_recipe(value: &Value) -> Result<(&Map<String, Value>, JsonPath), Rejection> {
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
        Rejection::whole(RejectReason::Missing {
            field: "a schema.org node with \"@type\": \"Recipe\"".into(),
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
/// object carrying `@id`, `url`, `identifier` or `value`.
fn id_field(
    node: &Map<String, Value>,
    path: &JsonPath,
    fields: &[&'static str],
) -> Result<Option<RecipeId>, Rejection> {
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
        return RecipeId::from_json(value)
            .map(Some)
            .map_err(|reason| Rejection::new(field_path, reason));
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
        Some(Value::String(text)) => reader.name(&strip_html(text), &path.key("name"))?,
        Some(other) => return Err(wrong_type(&path.key("name"), "a string", other)),
        None => String::new(),
    };
    if name.is_empty() {
        return Err(missing(path, "name"));
    }
    Ok(Recipe {
        id,
        name,
        rating: rating(node, path)?,
        recipe_yield: recipe_yield(node, path, reader)?,
        ingredients: ingredients(node, path, reader)?,
        steps: instructions(node, path, reader)?,
        fields: kept_fields(node, path, reader)?,
    })
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
        Some(text) => Ok(Some(reader.name(&text, &field_path)?)),
        None => Ok(None),
    }
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
    let mut lines: Vec<(String, JsonPath)> = Vec::new();
    match value {
        Value::Null => {}
        Value::String(text) => {
            for line in strip_html(text).lines() {
                lines.push((line.to_owned(), field_path.clone()));
            }
        }
        Value::Array(items) => {
            Limits::check_count(
                &field_path,
                "ingredients",
                reader.limits.max_ingredients,
                items.len(),
            )?;
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::Null => {}
                    // One entry sometimes holds several lines; each is an ingredient.
                    Value::String(text) => {
                        for line in strip_html(text).lines() {
                            lines.push((line.to_owned(), field_path.index(i)));
                        }
                    }
                    other => {
                        return Err(wrong_type(
                            &field_path.index(i),
                            "an ingredient line as text",
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
    for (line, line_path) in lines {
        let line = reader.name(&line, &line_path)?;
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
        ingredients.push(Ingredient {
            id: None,
            key: name_key(&parsed.name),
            name: parsed.name,
            quantity: parsed.quantity,
            unit: parsed.unit,
            note: parsed.note,
            group: group.clone(),
        });
    }
    Limits::check_count(
        &field_path,
        "ingredients",
        reader.limits.max_ingredients,
        ingredients.len(),
    )?;
    Ok(ingredients)
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
        let text = reader.text(text, path)?;
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
                            Some(reader.name(&strip_html(name), &path.key("name"))?)
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
        let text = reader.name(&strip_html(&text), &path.key(*field))?;
        if !text.is_empty() {
            fields.insert((*field).to_owned(), Value::String(text));
        }
    }
    Ok(fields)
}
