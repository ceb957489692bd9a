//! The seed format: `{"recipeName", "recipeId", "rating", "ingredients":
//! [{"ingredientId", "quantity", "measurement", "ingredientName"}], "steps":
//! [{"stepId", "stepText"}]}`; a make may add `makeId`, `madeAt`, `notes`;
//! a recipe may say where it came from: `variantOf`, `adoptedFrom`,
//! `restoredFrom` ([`Lineage`]).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::reader::{Reader, UniqueIds, check_made_at, ingredient_from_line, missing, wrong_type};
use crate::ingredient_line::parse_line;
use crate::limits::Limits;
use crate::model::{
    Ingredient, IngredientId, Lineage, Make, MakeId, Measure, ParentName, Recipe, RecipeId, Step,
    StepId,
};
use crate::numbers::normalise_numbers;
use crate::path::JsonPath;
use crate::quantity::Quantity;
use crate::rejection::{RejectReason, Rejection};
use crate::text::name_key;
use crate::units::Unit;

/// Top-level keys with a meaning of their own; any other key is kept as a field.
const KNOWN: &[&str] = &[
    "recipeId",
    "recipeName",
    "rating",
    "recipeYield",
    "ingredients",
    "steps",
    "makeId",
    "madeAt",
    "notes",
    "variantOf",
    "adoptedFrom",
    "restoredFrom",
];

pub(crate) fn recipe(
    value: &Value,
    limits: &Limits,
    fallback_id: Option<&RecipeId>,
) -> Result<Recipe, Rejection> {
    let object = root_object(value)?;
    content(object, &Reader { limits }, fallback_id)
}

pub(crate) fn make(value: &Value, limits: &Limits) -> Result<Make, Rejection> {
    let object = root_object(value)?;
    let reader = Reader { limits };
    let root = JsonPath::root();
    let make_id = match object.get("makeId") {
        None | Some(Value::Null) => None,
        Some(id) => Some(MakeId::from_json(id).map_err(|r| Rejection::new(root.key("makeId"), r))?),
    };
    let made_at = match object.get("madeAt") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(check_made_at(text, &root.key("madeAt"))?),
        Some(other) => return Err(wrong_type(&root.key("madeAt"), "a date as text", other)),
    };
    let notes = reader.optional_text(object, "notes", &root, true)?;
    let content = content(object, &reader, None)?;
    Ok(Make {
        make_id,
        made_at,
        notes,
        content,
    })
}

fn root_object(value: &Value) -> Result<&Map<String, Value>, Rejection> {
    value
        .as_object()
        .ok_or_else(|| wrong_type(&JsonPath::root(), "an object", value))
}

fn content(
    object: &Map<String, Value>,
    reader: &Reader<'_>,
    fallback_id: Option<&RecipeId>,
) -> Result<Recipe, Rejection> {
    let root = JsonPath::root();
    let id = match (object.get("recipeId"), fallback_id) {
        (None | Some(Value::Null), Some(fallback)) => fallback.clone(),
        (None | Some(Value::Null), None) => return Err(missing(&root, "recipeId")),
        (Some(id), _) => {
            RecipeId::from_json(id).map_err(|r| Rejection::new(root.key("recipeId"), r))?
        }
    };
    let name = reader.required_name(object, "recipeName", &root)?;
    let rating = reader.rating(object.get("rating"), &root.key("rating"))?;
    let recipe_yield = match object.get("recipeYield") {
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => reader.optional_text(object, "recipeYield", &root, false)?,
    };
    let ingredients = list(
        object,
        "ingredients",
        reader.limits.max_ingredients,
        |item, path| ingredient(item, path, reader),
    )?;
    check_unique(&ingredients, "ingredients", |i: &Ingredient| {
        i.id.as_ref().map(IngredientId::as_str)
    })?;
    let steps = list(object, "steps", reader.limits.max_steps, |item, path| {
        step(item, path, reader)
    })?;
    check_unique(&steps, "steps", |s: &Step| {
        s.id.as_ref().map(StepId::as_str)
    })?;
    let fields = extra_fields(object, reader)?;
    let lineage = lineage(object, &id)?;
    Ok(Recipe {
        id,
        name,
        rating,
        recipe_yield,
        ingredients,
        steps,
        fields,
        lineage,
    })
}

/// `variantOf` (a recipe id, not the recipe's own), `adoptedFrom` (a make
/// id) and `restoredFrom` (a version number, 1 or more).
fn lineage(object: &Map<String, Value>, own: &RecipeId) -> Result<Lineage, Rejection> {
    let root = JsonPath::root();
    let present = |field: &str| object.get(field).filter(|v| !v.is_null());
    let variant_of = match present("variantOf") {
        None => None,
        Some(value) => {
            let path = root.key("variantOf");
            let parent = RecipeId::from_json(value).map_err(|r| Rejection::new(path.clone(), r))?;
            if &parent == own {
                return Err(Rejection::new(
                    path,
                    RejectReason::InvalidId {
                        message: format!("a recipe cannot be a variant of itself ({parent})"),
                    },
                ));
            }
            Some(ParentName::Id(parent))
        }
    };
    let adopted_from = present("adoptedFrom")
        .map(|value| {
            MakeId::from_json(value).map_err(|r| Rejection::new(root.key("adoptedFrom"), r))
        })
        .transpose()?;
    let restored_from = present("restoredFrom")
        .map(|value| {
            let path = root.key("restoredFrom");
            match value {
                Value::Number(n) => n
                    .as_u64()
                    .or_else(|| {
                        n.as_f64()
                            .filter(|f| f.fract() == 0.0 && *f >= 1.0)
                            .map(|f| f as u64)
                    })
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| {
                        Rejection::new(
                            path,
                            RejectReason::InvalidNumber {
                                message: format!("a version is a whole number from 1, not {n}"),
                            },
                        )
                    }),
                other => Err(wrong_type(&path, "a version number", other)),
            }
        })
        .transpose()?;
    Ok(Lineage {
        variant_of,
        adopted_from,
        restored_from,
    })
}

/// An optional array field, each entry read by `item`.
fn list<T>(
    object: &Map<String, Value>,
    field: &'static str,
    limit: usize,
    mut item: impl FnMut(&Value, &JsonPath) -> Result<T, Rejection>,
) -> Result<Vec<T>, Rejection> {
    let path = JsonPath::root().key(field);
    match object.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            Limits::check_count(&path, field, limit, items.len())?;
            items
                .iter()
                .enumerate()
                .map(|(i, value)| item(value, &path.index(i)))
                .collect()
        }
        Some(other) => Err(wrong_type(&path, "an array", other)),
    }
}

fn check_unique<T>(
    items: &[T],
    field: &'static str,
    id: impl Fn(&T) -> Option<&str>,
) -> Result<(), Rejection> {
    let mut seen = UniqueIds::default();
    let path = JsonPath::root().key(field);
    for (i, item) in items.iter().enumerate() {
        if let Some(id) = id(item) {
            seen.insert(id, &path.index(i))?;
        }
    }
    Ok(())
}

fn ingredient(
    value: &Value,
    path: &JsonPath,
    reader: &Reader<'_>,
) -> Result<Ingredient, Rejection> {
    let object = match value {
        Value::Object(object) => object,
        // A free-text line is accepted too: "2 cups flour".
        Value::String(line) => {
            let line = reader.name(line, path)?;
            let parsed = parse_line(&line);
            return Ok(ingredient_from_line(parsed, None));
        }
        other => return Err(wrong_type(path, "an ingredient object", other)),
    };
    let id = match object.get("ingredientId") {
        None | Some(Value::Null) => None,
        Some(id) => Some(
            IngredientId::from_json(id).map_err(|r| Rejection::new(path.key("ingredientId"), r))?,
        ),
    };
    let name = reader.required_name(object, "ingredientName", path)?;
    let mut quantity = reader.quantity(object.get("quantity"), &path.key("quantity"))?;
    // The canonical form writes a range as quantity + quantityMax.
    if let (Some(low), Some(Value::Number(max))) = (quantity, object.get("quantityMax")) {
        let max_path = path.key("quantityMax");
        let max = reader.amount(max.as_f64().unwrap_or(f64::NAN), &max_path, "quantity")?;
        if max > low.value() {
            quantity = Some(Quantity::range(low.value(), max));
        }
    }
    let unit = match reader.optional_text(object, "measurement", path, false)? {
        Some(text) => Unit::from_measurement(&text),
        None => None,
    };
    let note = reader.optional_text(object, "note", path, false)?;
    let group = reader.optional_text(object, "group", path, false)?;
    Ok(Ingredient {
        id,
        key: name_key(&name),
        name,
        quantity,
        unit,
        size: reader.optional_text(object, "size", path, false)?,
        package_size: measure(object, "packageSize", path, reader)?,
        plus: measure(object, "plus", path, reader)?,
        alternative: measure(object, "alternative", path, reader)?,
        preparation: reader.optional_text(object, "preparation", path, false)?,
        note,
        group,
    })
}

/// A second measure in canonical form: `{"quantity": 14, "measurement": "oz"}`.
fn measure(
    object: &serde_json::Map<String, Value>,
    field: &'static str,
    path: &JsonPath,
    reader: &Reader<'_>,
) -> Result<Option<Measure>, Rejection> {
    let field_path = path.key(field);
    let inner = match object.get(field) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(inner)) => inner,
        Some(other) => {
            return Err(wrong_type(
                &field_path,
                "a measure: {\"quantity\", \"measurement\"}",
                other,
            ));
        }
    };
    let Some(mut quantity) = reader.quantity(inner.get("quantity"), &field_path.key("quantity"))?
    else {
        return Err(missing(&field_path, "quantity"));
    };
    if let Some(Value::Number(max)) = inner.get("quantityMax") {
        let max_path = field_path.key("quantityMax");
        let max = reader.amount(max.as_f64().unwrap_or(f64::NAN), &max_path, "quantity")?;
        if max > quantity.value() {
            quantity = Quantity::range(quantity.value(), max);
        }
    }
    let unit = match reader.optional_text(inner, "measurement", &field_path, false)? {
        Some(text) => Unit::from_measurement(&text),
        None => None,
    };
    Ok(Some(Measure { quantity, unit }))
}

fn step(value: &Value, path: &JsonPath, reader: &Reader<'_>) -> Result<Step, Rejection> {
    let object = match value {
        Value::Object(object) => object,
        Value::String(text) => {
            return Ok(Step {
                id: None,
                text: nonempty_step(reader.text(text, path)?, path)?,
                section: None,
            });
        }
        other => return Err(wrong_type(path, "a step object", other)),
    };
    let id = match object.get("stepId") {
        None | Some(Value::Null) => None,
        Some(id) => Some(StepId::from_json(id).map_err(|r| Rejection::new(path.key("stepId"), r))?),
    };
    let text = match object.get("stepText") {
        Some(Value::String(text)) => {
            nonempty_step(reader.text(text, &path.key("stepText"))?, path)?
        }
        None | Some(Value::Null) => return Err(missing(path, "stepText")),
        Some(other) => return Err(wrong_type(&path.key("stepText"), "a string", other)),
    };
    let section = reader.optional_text(object, "section", path, false)?;
    Ok(Step { id, text, section })
}

fn nonempty_step(text: String, path: &JsonPath) -> Result<String, Rejection> {
    if text.is_empty() {
        return Err(missing(path, "stepText"));
    }
    Ok(text)
}

fn extra_fields(
    object: &Map<String, Value>,
    reader: &Reader<'_>,
) -> Result<BTreeMap<String, Value>, Rejection> {
    let root = JsonPath::root();
    // The canonical form keeps extra fields under "fields"; a seed document
    // has them at the top level. Both end up in the same map.
    let nested = match object.get("fields") {
        Some(Value::Object(fields)) => Some(fields),
        _ => None,
    };
    let top_level = object.iter().filter(|(key, _)| {
        !(KNOWN.contains(&key.as_str()) || (key.as_str() == "fields" && nested.is_some()))
    });
    let extra: BTreeMap<String, Value> = top_level
        .chain(nested.into_iter().flatten())
        .filter(|(_, value)| !value.is_null())
        .map(|(key, value)| (key.clone(), normalise_numbers(value.clone())))
        .collect();
    Limits::check_count(&root, "extra fields", reader.limits.max_fields, extra.len())?;
    for key in extra.keys() {
        Limits::check_text(
            &root.key_owned(key),
            key,
            reader.limits.max_name_chars,
            false,
        )?;
    }
    Ok(extra)
}
