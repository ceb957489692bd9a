//! The bucket's key layout: which objects the chain follows, and what their
//! keys say. Only `recipes/` and `makes/` are followed; nothing the chain
//! writes may land under them.

use crate::model::RecipeId;

/// The prefix of original recipes.
pub const RECIPES_PREFIX: &str = "recipes/";
/// The prefix of makes.
pub const MAKES_PREFIX: &str = "makes/";
/// The prefixes the chain follows, for the bucket notification and the local watcher.
pub const WATCHED_PREFIXES: [&str; 2] = [RECIPES_PREFIX, MAKES_PREFIX];
/// The suffixes of documents the chain reads: JSON, and saved web pages
/// (read through the JSON-LD they embed).
pub const SUFFIXES: [&str; 4] = [".json", ".jsonld", ".html", ".htm"];

/// What an upload is, by where it was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UploadKind {
    /// Under `recipes/`: a recipe version.
    Recipe,
    /// Under `makes/`: a make.
    Make,
}

impl UploadKind {
    /// `recipe` or `make`.
    pub fn as_str(self) -> &'static str {
        match self {
            UploadKind::Recipe => "recipe",
            UploadKind::Make => "make",
        }
    }
}

/// What an object key is: a recipe, a make, or (`None`) something the chain
/// does not follow (another prefix, a folder marker).
pub fn classify(key: &str) -> Option<UploadKind> {
    let kind = if key.starts_with(RECIPES_PREFIX) {
        UploadKind::Recipe
    } else if key.starts_with(MAKES_PREFIX) {
        UploadKind::Make
    } else {
        return None;
    };
    // A folder marker ("recipes/") is not an upload.
    (!key.ends_with('/')).then_some(kind)
}

/// Whether a followed key has a document suffix (`.json`, `.jsonld`,
/// `.html`, `.htm`).
pub fn has_document_suffix(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// The folder, under `recipes/` and `makes/`, where the dashboard's
/// uploads go: `makes/cooks/<user id>/<file>`.
pub const COOKS_FOLDER: &str = "cooks";

/// The user id an upload's key names, for a key under the cooks' folder
/// (`makes/cooks/<id>/<file>`, `recipes/cooks/<id>/<file>`): who logged it
/// from the dashboard. `None` for any other key.
pub fn cook_of(key: &str) -> Option<&str> {
    let rest = key
        .strip_prefix(MAKES_PREFIX)
        .or_else(|| key.strip_prefix(RECIPES_PREFIX))?;
    let rest = rest.strip_prefix(COOKS_FOLDER)?.strip_prefix('/')?;
    let (cook, file) = rest.split_once('/')?;
    (!cook.is_empty() && !file.is_empty()).then_some(cook)
}

/// The recipe id a key implies (`recipes/desserts/Lemon Tart.jsonld` is
/// `Lemon Tart`), for documents that do not name themselves.
pub fn recipe_id_from_key(key: &str) -> Option<RecipeId> {
    let name = key.rsplit('/').next()?;
    let stem = SUFFIXES
        .iter()
        .find_map(|s| {
            let cut = name.len().checked_sub(s.len())?;
            name.get(cut..)
                .filter(|end| end.eq_ignore_ascii_case(s))
                .map(|_| &name[..cut])
        })
        .unwrap_or(name);
    RecipeId::parse(stem).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_key_in_the_cooks_folder_names_who_uploaded_it() {
        use super::cook_of;
        assert_eq!(cook_of("makes/cooks/5c2f-ab/m1.json"), Some("5c2f-ab"));
        assert_eq!(
            cook_of("recipes/cooks/dashboard/Pie.html"),
            Some("dashboard")
        );
        assert_eq!(
            cook_of("makes/cooks/dashboard/deeper/m.json"),
            Some("dashboard")
        );
        let nobody = [
            "makes/cooks/m.json",
            "makes/cooks//m.json",
            "makes/anna/m.json",
            "makes/cooksx/anna/m.json",
            "other/cooks/anna/m.json",
        ];
        for key in nobody {
            assert_eq!(cook_of(key), None, "{key}");
        }
    }

    use super::*;

    #[test]
    fn only_the_two_prefixes_are_followed() {
        for (key, kind) in [
            ("recipes/pie.json", Some(UploadKind::Recipe)),
            ("makes/2024/pie.json", Some(UploadKind::Make)),
            ("recipes/", None),
            ("rejections/pie.json", None),
            ("Recipes/pie.json", None),
        ] {
            assert_eq!(classify(key), kind, "{key}");
        }
    }

    #[test]
    fn a_key_names_its_recipe() {
        for (key, id) in [
            ("recipes/desserts/Lemon Tart.jsonld", Some("Lemon Tart")),
            ("recipes/a+b.JSON", Some("a+b")),
            ("recipes/.json", None),
            ("recipes/cakes/Lemon Drizzle.HTML", Some("Lemon Drizzle")),
            ("recipes/pie.htm", Some("pie")),
        ] {
            assert_eq!(
                recipe_id_from_key(key).as_ref().map(RecipeId::as_str),
                id,
                "{key}"
            );
        }
        for (key, is_document) in [
            ("recipes/x.JsonLD", true),
            ("makes/x.html", true),
            ("makes/x.Htm", true),
            ("recipes/x.txt", false),
            ("recipes/x.xhtml.txt", false),
        ] {
            assert_eq!(has_document_suffix(key), is_document, "{key}");
        }
    }
}
