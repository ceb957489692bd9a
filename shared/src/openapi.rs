//! The OpenAPI schemas (utoipa's `ToSchema`) of the shared types the recipe
//! server's API answers with, where a derive cannot see their JSON: the
//! ids and codes written as text, quantities and units written by
//! their own `Serialize`, a JSON Patch's operations, and the canonical form
//! of a recipe, which [`crate::canonical::recipe_json`] writes field by
//! field (its types here are checked against it by a test). The structs
//! derive theirs where they are declared (`cfg_attr(feature = "openapi")`).
//! Built only with the `openapi` feature: the Lambdas that do not serve the
//! API do not build it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::model::{IngredientId, MakeId, RecipeId, StepId};
use crate::quantity::Quantity;
use crate::refusal::Code;
use crate::units::Unit;

/// A schema given as its JSON (the builders' long form says no more).
fn schema(json: Value) -> RefOr<Schema> {
    // Every literal below is a valid schema object.
    serde_json::from_value(json).unwrap_or_else(|_| {
        RefOr::T(Schema::Object(
            ObjectBuilder::new().schema_type(Type::Object).build(),
        ))
    })
}

/// An id: 1 to 128 characters, trimmed, no control characters
/// (`model::check_id_text`).
fn id_schema(what: &str) -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "minLength": 1,
        "maxLength": crate::model::MAX_ID_CHARS,
        "description": format!("{what} (1 to 128 characters)."),
    }))
}

macro_rules! id_schemas {
    ($($type:ty => $what:literal),* $(,)?) => {$(
        impl PartialSchema for $type {
            fn schema() -> RefOr<Schema> {
                id_schema($what)
            }
        }
        impl ToSchema for $type {}
    )*};
}

id_schemas! {
    RecipeId => "A recipe's id",
    MakeId => "A make's id",
    IngredientId => "An ingredient's id within its recipe",
    StepId => "A step's id within its recipe",
}

/// `{"value": 2}`, or a range `{"value": 3, "max": 4}`.
impl PartialSchema for Quantity {
    fn schema() -> RefOr<Schema> {
        schema(json!({
            "type": "object",
            "description": "A quantity in a diff: one number, or a range from value to max.",
            "required": ["value"],
            "properties": {"value": {"type": "number"}, "max": {"type": "number"}},
            "additionalProperties": false,
        }))
    }
}
impl ToSchema for Quantity {}

/// A unit by its symbol (`g`, `cup`), or the text of one the units table
/// does not know.
impl PartialSchema for Unit {
    fn schema() -> RefOr<Schema> {
        schema(json!({
            "type": "string",
            "description": "A unit: its symbol (g, ml, cup, tbsp), or the words of one the units table does not know.",
        }))
    }
}
impl ToSchema for Unit {}

/// A refusal code as stored and posted: 1 to 64 of `a-z`, `0-9` and `-`
/// (a code this build does not know is kept as written).
impl PartialSchema for Code {
    fn schema() -> RefOr<Schema> {
        schema(json!({
            "type": "string",
            "pattern": "^[a-z0-9-]{1,64}$",
            "description": "A stable refusal code (docs/formats.md).",
        }))
    }
}
impl ToSchema for Code {}

/// The codes the recipe server answers with: every code of the table that
/// has a status.
pub fn answered_codes() -> RefOr<Schema> {
    let codes: Vec<String> = Code::ALL
        .iter()
        .filter(|code| code.status().is_some())
        .map(ToString::to_string)
        .collect();
    schema(json!({"type": "string", "enum": codes}))
}

/// One RFC 6902 operation of a diff's `patch` (the `json_patch` crate's
/// `PatchOperation`, which has no schema of its own). Never built: it only
/// names the schema.
pub enum PatchOperation {}

impl PartialSchema for PatchOperation {
    fn schema() -> RefOr<Schema> {
        let mut schema = schema(json!({
            "type": "object",
            "description": "An RFC 6902 operation over the canonical JSON.",
            "required": ["op", "path"],
            "properties": {
                "op": {"type": "string", "enum": ["add", "remove", "replace", "move", "copy", "test"]},
                "path": {"type": "string"},
                "from": {"type": "string"},
            },
        }));
        // Any JSON: `{}`, which the schema types write but do not read.
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.properties.insert(
                "value".to_owned(),
                RefOr::T(Schema::Object(
                    ObjectBuilder::new()
                        .schema_type(utoipa::openapi::schema::SchemaType::AnyValue)
                        .build(),
                )),
            );
        }
        schema
    }
}
impl ToSchema for PatchOperation {}

/// The canonical form of a recipe or of a make's content (docs/diff.md),
/// field for field as [`crate::canonical::recipe_json`] writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CanonicalRecipe {
    /// The recipe.
    pub recipe_id: RecipeId,
    /// Its name.
    pub recipe_name: String,
    /// Its rating.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::numbers::serialize_opt_f64"
    )]
    pub rating: Option<f64>,
    /// What it yields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipe_yield: Option<String>,
    /// Every other top-level field of the document, as it was written.
    pub fields: BTreeMap<String, Value>,
    /// The ingredients, in order.
    pub ingredients: Vec<CanonicalIngredient>,
    /// The steps, in order.
    pub steps: Vec<CanonicalStep>,
}

/// An ingredient of a canonical document (`canonical::ingredient_fields`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CanonicalIngredient {
    /// Its id, when the document gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingredient_id: Option<IngredientId>,
    /// Its name.
    pub ingredient_name: String,
    /// How much (the low end of a range).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::numbers::serialize_opt_f64"
    )]
    pub quantity: Option<f64>,
    /// The high end of a range.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::numbers::serialize_opt_f64"
    )]
    pub quantity_max: Option<f64>,
    /// The unit's symbol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measurement: Option<String>,
    /// A size or degree word: large, heaped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// Each counted package's size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_size: Option<Measure>,
    /// A measure added to the amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plus: Option<Measure>,
    /// The amount restated in other units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative: Option<Measure>,
    /// What was done to it: peeled and chopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preparation: Option<String>,
    /// A note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The group it is listed under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// A step of a canonical document (`canonical::step_fields`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CanonicalStep {
    /// Its id, when the document gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<StepId>,
    /// What to do.
    pub step_text: String,
    /// The section it is under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

/// A second measure on an ingredient, as documents and the canonical form
/// write it: a package's size, an added measure or the amount restated
/// (`canonical::measure_json`; docs/formats.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Measure {
    /// How much (the low end of a range).
    #[serde(serialize_with = "crate::numbers::serialize_f64")]
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub quantity: f64,
    /// The high end of a range.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::numbers::serialize_opt_f64"
    )]
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub quantity_max: Option<f64>,
    /// The unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 500)]
    pub measurement: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::recipe_json;

    /// Every fixture's canonical form reads as [`CanonicalRecipe`] (which
    /// refuses unknown fields) and writes back the same JSON: the schema's
    /// types are the canonical form's.
    #[test]
    fn the_canonical_types_are_what_recipe_json_writes() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/pairs");
        let mut read = 0;
        for pair in std::fs::read_dir(&root).expect("fixtures/pairs").flatten() {
            for name in ["recipe.json", "make.json"] {
                let Ok(bytes) = std::fs::read(pair.path().join(name)) else {
                    continue;
                };
                let limits = crate::Limits::default();
                let recipe = if name == "recipe.json" {
                    crate::parse_recipe(&bytes, &limits, None).map(|r| recipe_json(&r))
                } else {
                    crate::parse_make(&bytes, &limits).map(|m| recipe_json(m.content()))
                };
                let Ok(json) = recipe else { continue };
                let typed: CanonicalRecipe = serde_json::from_value(json.clone())
                    .unwrap_or_else(|e| panic!("{}/{name}: {e}", pair.path().display()));
                assert_eq!(
                    serde_json::to_value(&typed).expect("serialises"),
                    json,
                    "{}/{name}",
                    pair.path().display()
                );
                read += 1;
            }
        }
        assert!(read >= 8, "only {read} fixtures were read");
    }

    /// No schema here fell back to the empty object ([`schema`]'s answer
    /// to JSON it cannot read).
    #[test]
    fn every_schema_here_reads_as_written() {
        for (name, schema) in [
            ("RecipeId", RecipeId::schema()),
            ("Quantity", Quantity::schema()),
            ("Unit", Unit::schema()),
            ("Code", Code::schema()),
            ("PatchOperation", PatchOperation::schema()),
            ("answered", answered_codes()),
        ] {
            let json = serde_json::to_value(&schema).expect("serialises");
            assert_ne!(json, json!({"type": "object"}), "{name}");
            assert!(json["type"].is_string(), "{name}: {json}");
        }
        let patch = serde_json::to_value(PatchOperation::schema()).expect("serialises");
        assert_eq!(patch["properties"]["value"], json!({}));
        assert_eq!(patch["required"], json!(["op", "path"]));
    }
}
