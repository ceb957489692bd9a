//! `recipe-chain drop`: copies documents into the bucket folder, under
//! `makes/` when they are makes and `recipes/` otherwise, atomically (a
//! half-copied file is never seen by the watcher).

use std::path::Path;

use serde_json::Value;
use shared::keys::{UploadKind, is_cooklang_key};
use shared::parse::cooklang_is_make;

/// Keys only a make has.
const MAKE_KEYS: [&str; 4] = ["makeId", "madeAt", "notes", "isBasedOn"];

/// What a document is, from its content: a make names itself with one of
/// `makeId`, `madeAt`, `notes` or `isBasedOn` (at the top, or in a
/// schema.org node); anything else, including text that is not JSON, goes
/// in as a recipe (and is refused there with a reason if it is not one).
pub fn kind_of(bytes: &[u8]) -> UploadKind {
    fn has_make_key(value: &Value, depth: usize) -> bool {
        match value {
            Value::Object(map) => {
                MAKE_KEYS.iter().any(|k| map.contains_key(*k))
                    || (depth < 3 && map.values().any(|v| has_make_key(v, depth + 1)))
            }
            Value::Array(items) => depth < 3 && items.iter().any(|v| has_make_key(v, depth + 1)),
            _ => false,
        }
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) if has_make_key(&value, 0) => UploadKind::Make,
        _ => UploadKind::Recipe,
    }
}

/// What a file named `name` is: a `.cook` file is a make when its metadata
/// names a recipe (`>> recipe: ...`) or says when it was made or how it
/// went; any other file as [`kind_of`] tells.
pub fn kind_of_file(name: &str, bytes: &[u8]) -> UploadKind {
    if !is_cooklang_key(name) {
        return kind_of(bytes);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if cooklang_is_make(text) => UploadKind::Make,
        _ => UploadKind::Recipe,
    }
}

/// Copies one file into the bucket; returns the key it got.
pub fn drop_file(file: &Path, bucket: &Path, force: Option<UploadKind>) -> Result<String, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| format!("{}: the file name is not UTF-8", file.display()))?;
    let kind = force.unwrap_or_else(|| kind_of_file(name, &bytes));
    let prefix = match kind {
        UploadKind::Recipe => "recipes",
        UploadKind::Make => "makes",
    };
    // Written whole, under a hidden name and then renamed, so that the
    // watcher never reads half a file.
    embedded_adapters::write_whole(&bucket.join(prefix).join(name), &bytes)?;
    Ok(format!("{prefix}/{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_are_told_from_recipes_by_their_own_fields() {
        assert_eq!(
            kind_of(br#"{"recipeName": "Pie", "recipeId": 1}"#),
            UploadKind::Recipe
        );
        assert_eq!(
            kind_of(br#"{"recipeName": "Pie", "recipeId": 1, "madeAt": "2024-01-01"}"#),
            UploadKind::Make
        );
        assert_eq!(
            kind_of(br#"{"@graph": [{"@type": "Recipe", "isBasedOn": "pie"}]}"#),
            UploadKind::Make
        );
        assert_eq!(kind_of(b"not json"), UploadKind::Recipe);
    }

    #[test]
    fn a_cook_file_naming_a_recipe_is_a_make() {
        let recipe = b">> title: Pancakes\nMix @flour{250%g}.";
        let make = b">> recipe: pancakes\nMix @flour{300%g}.";
        assert_eq!(kind_of_file("pancakes.cook", recipe), UploadKind::Recipe);
        assert_eq!(kind_of_file("sunday.COOK", make), UploadKind::Make);
        // Only a .cook file is read as Cooklang.
        assert_eq!(kind_of_file("sunday.json", make), UploadKind::Recipe);
    }
}
