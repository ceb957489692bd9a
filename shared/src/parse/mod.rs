//! Reading uploads: bytes to a validated [`Recipe`] or [`Make`], or a
//! [`Rejection`] that says what was wrong and where. Both accepted formats
//! are detected automatically, and so is a saved web page, which is read
//! through the schema.org JSON-LD it embeds; a `.cook` object is Cooklang,
//! read into the seed format ([`read_document`]).

pub mod archive;
mod cook;
mod html;
mod reader;
mod schema_org;
mod seed;

use serde::Serialize;
use serde_json::Value;

use crate::keys::{COOKLANG_SUFFIX, UploadKind, is_cooklang_key};
use crate::limits::{Limits, check_depth};
use crate::model::{Make, Recipe, RecipeId};
use crate::path::JsonPath;
use crate::rejection::{RejectReason, Rejection};

/// The input formats the chain accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `{"recipeName", "recipeId", "ingredients": [...], "steps": [...]}`.
    Seed,
    /// schema.org `Recipe` JSON-LD as recipe sites publish it.
    SchemaOrg,
}

/// Parses an upload as a recipe version. `fallback_id` names the recipe when
/// the document does not (schema.org pages rarely do); the chain derives it
/// from the object key.
pub fn parse_recipe(
    bytes: &[u8],
    limits: &Limits,
    fallback_id: Option<&RecipeId>,
) -> Result<Recipe, Rejection> {
    let value = read_document(bytes, limits, None)?;
    recipe_from_value(&value, limits, fallback_id)
}

/// Builds a recipe from JSON that was already read with [`read_document`]
/// (or [`read_json`]).
pub fn recipe_from_value(
    value: &Value,
    limits: &Limits,
    fallback_id: Option<&RecipeId>,
) -> Result<Recipe, Rejection> {
    match detect_format(value)? {
        Format::Seed => seed::recipe(value, limits, fallback_id),
        Format::SchemaOrg => schema_org::recipe(value, limits, fallback_id),
    }
}

/// Parses an upload as a make: what a cook did, naming the recipe it was
/// made from.
pub fn parse_make(bytes: &[u8], limits: &Limits) -> Result<Make, Rejection> {
    parse_make_with_fallback(bytes, limits, None)
}

/// Parses an upload as a make; a schema.org make that names no recipe is
/// taken to be a make of `fallback_id`, the id the same document would get
/// as a recipe (see [`parse_recipe`]). The chain gives none: there a make
/// must name its recipe.
pub fn parse_make_with_fallback(
    bytes: &[u8],
    limits: &Limits,
    fallback_id: Option<&RecipeId>,
) -> Result<Make, Rejection> {
    let value = read_document(bytes, limits, None)?;
    make_from_value_with_fallback(&value, limits, fallback_id)
}

/// Builds a make from JSON that was already read with [`read_document`]
/// (or [`read_json`]).
pub fn make_from_value(value: &Value, limits: &Limits) -> Result<Make, Rejection> {
    make_from_value_with_fallback(value, limits, None)
}

/// Builds a make from JSON that was already read, with the fallback of
/// [`parse_make_with_fallback`].
pub fn make_from_value_with_fallback(
    value: &Value,
    limits: &Limits,
    fallback_id: Option<&RecipeId>,
) -> Result<Make, Rejection> {
    match detect_format(value)? {
        Format::Seed => seed::make(value, limits),
        Format::SchemaOrg => schema_org::make(value, limits, fallback_id),
    }
}

/// Where a document, read as `kind`, names its recipe id, for a refusal
/// of the id itself: `$.recipeId` in the seed format; in schema.org the
/// field of the recipe node that gave it (`recipeId`, `identifier`, a
/// make's `isBasedOn`), or `recipeId` on that node when the object key's
/// stem gave it, where the document would name it.
pub fn recipe_id_path(value: &Value, kind: UploadKind) -> JsonPath {
    match detect_format(value) {
        Ok(Format::SchemaOrg) => schema_org::recipe_id_path(value, kind == UploadKind::Make),
        _ => JsonPath::root().key("recipeId"),
    }
}

/// Reads an upload into the JSON document it holds, within the limits: a
/// JSON document as [`read_json`] does; a saved web page (its first
/// character other than whitespace is `<`) as the page's JSON-LD block that
/// holds a schema.org `Recipe`, each block read with the checks of
/// [`read_json`]. A page without one is `no-recipe`. Every entry point that
/// takes bytes goes through here, so that the whole chain reads pages.
///
/// `key` is the object key (or the file's name) the bytes are the contents
/// of: one ending in `.cook` is Cooklang, read into the seed format's JSON
/// (the key's stem names a recipe without a title), with the same checks
/// of size, UTF-8 and emptiness first. Only readers of the uploaded object
/// itself give it (the watcher, the sender reading a claim check, the
/// command line reading a file); a body posted to the recipe server is
/// already JSON (or a page), so it is read by its content (`None`).
pub fn read_document(bytes: &[u8], limits: &Limits, key: Option<&str>) -> Result<Value, Rejection> {
    let text = checked_text(bytes, limits)?;
    if let Some(key) = key.filter(|key| is_cooklang_key(key)) {
        // The stem as `keys::recipe_id_from_key` takes it.
        let name = key.rsplit('/').next().unwrap_or(key);
        let stem = &name[..name.len() - COOKLANG_SUFFIX.len()];
        cook::document(text, Some(stem).filter(|s| !s.trim().is_empty()), limits)
    } else if html::is_html(text) {
        html::recipe_block(text, limits)
    } else {
        json_text(text, limits)
    }
}

/// Whether the text of a `.cook` file is a make: its metadata names a
/// recipe (`>> recipe: ...`) or says when it was made or how it went
/// (`made`, `date`, `notes`). `recipe-chain drop` sorts files by it; in the
/// chain, as for every upload, the folder decides.
pub fn cooklang_is_make(text: &str) -> bool {
    cook::is_make(text)
}

/// Reads bytes as JSON within the limits: size, UTF-8 (a leading byte-order
/// mark is allowed), nesting depth, syntax.
pub fn read_json(bytes: &[u8], limits: &Limits) -> Result<Value, Rejection> {
    json_text(checked_text(bytes, limits)?, limits)
}

/// The checks every upload passes before its format matters: size first,
/// then UTF-8 (a leading byte-order mark is allowed), then not blank.
fn checked_text<'a>(bytes: &'a [u8], limits: &Limits) -> Result<&'a str, Rejection> {
    limits.check_size(bytes.len() as u64)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Rejection::whole(RejectReason::NotUtf8 {
            offset: e.valid_up_to(),
        })
    })?;
    if text.trim().is_empty() {
        return Err(Rejection::whole(RejectReason::Empty));
    }
    Ok(text)
}

/// Reads text as JSON: the nesting depth first (without building anything),
/// then the syntax.
fn json_text(text: &str, limits: &Limits) -> Result<Value, Rejection> {
    check_depth(text, limits.max_depth)?;
    serde_json::from_str(text).map_err(|e| {
        Rejection::whole(RejectReason::InvalidJson {
            message: json_error_message(&e),
            line: e.line(),
            column: e.column(),
        })
    })
}

/// serde_json's message without its " at line L column C" suffix, which the
/// rejection carries in fields of its own.
fn json_error_message(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    }
}

/// Which accepted format a JSON document is in.
pub fn detect_format(value: &Value) -> Result<Format, Rejection> {
    match value {
        Value::Object(map) if map.contains_key("recipeName") => Ok(Format::Seed),
        Value::Object(map)
            if ["@context", "@type", "@graph"]
                .iter()
                .any(|k| map.contains_key(*k)) =>
        {
            Ok(Format::SchemaOrg)
        }
        Value::Array(items) if items.iter().any(Value::is_object) => Ok(Format::SchemaOrg),
        _ => Err(Rejection::whole(RejectReason::UnknownFormat)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_path_of_a_recipe_id_is_the_field_it_was_read_from() {
        let graph = |node: Value| json!({"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, node]});
        let recipe = |extra: Value| {
            let mut node = json!({"@type": "Recipe", "name": "Pie", "recipeIngredient": ["1 egg"]});
            node.as_object_mut()
                .expect("an object")
                .extend(extra.as_object().expect("an object").clone());
            graph(node)
        };
        let cases = [
            (
                json!({"recipeName": "Pie", "recipeId": "p"}),
                UploadKind::Recipe,
                "$.recipeId",
            ),
            (json!({"recipeName": "Pie"}), UploadKind::Make, "$.recipeId"),
            (
                recipe(json!({"recipeId": "p"})),
                UploadKind::Recipe,
                "$.@graph[1].recipeId",
            ),
            (
                recipe(json!({"identifier": {"@id": "p"}})),
                UploadKind::Recipe,
                "$.@graph[1].identifier",
            ),
            (
                recipe(json!({"identifier": "p", "isBasedOn": "q"})),
                UploadKind::Recipe,
                "$.@graph[1].identifier",
            ),
            (
                recipe(json!({"identifier": "p", "isBasedOn": "q"})),
                UploadKind::Make,
                "$.@graph[1].isBasedOn",
            ),
            (
                recipe(json!({"recipeId": "p", "isBasedOn": "q"})),
                UploadKind::Make,
                "$.@graph[1].recipeId",
            ),
            // isBasedOn naming the page itself is passed over, as when reading.
            (
                recipe(
                    json!({"url": "https://x.test/pie", "isBasedOn": "https://x.test/pie/", "identifier": "p"}),
                ),
                UploadKind::Make,
                "$.@graph[1].identifier",
            ),
            // The key's stem gave it: where the document would name it.
            (
                recipe(json!({})),
                UploadKind::Recipe,
                "$.@graph[1].recipeId",
            ),
        ];
        for (document, kind, path) in cases {
            assert_eq!(
                recipe_id_path(&document, kind).to_string(),
                path,
                "{document} as a {}",
                kind.as_str()
            );
        }
    }
}
