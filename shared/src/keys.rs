//! The bucket's key layout: which objects the chain follows, and what their
//! keys say. Only `recipes/` and `makes/` are followed; nothing the chain
//! writes may land under them.

use crate::model::RecipeId;
use crate::rejection::RejectReason;

/// The prefix of original recipes.
pub const RECIPES_PREFIX: &str = "recipes/";
/// The prefix of makes.
pub const MAKES_PREFIX: &str = "makes/";
/// The prefixes the chain follows, for the bucket notification and the local watcher.
pub const WATCHED_PREFIXES: [&str; 2] = [RECIPES_PREFIX, MAKES_PREFIX];
/// The suffixes of documents the chain reads by their content: JSON, and
/// saved web pages (read through the JSON-LD they embed). The dashboard's
/// upload forms take these. A key ending in [`COOKLANG_SUFFIX`] is read too,
/// as Cooklang ([`READ_SUFFIXES`] has all five).
pub const SUFFIXES: [&str; 4] = [".json", ".jsonld", ".html", ".htm"];
/// The suffix of Cooklang documents (in any case): the one suffix that
/// decides how a document is read ([`crate::parse::read_document`]).
pub const COOKLANG_SUFFIX: &str = ".cook";
/// Every suffix of a document the chain reads: [`SUFFIXES`] and
/// [`COOKLANG_SUFFIX`].
pub const READ_SUFFIXES: [&str; 5] = [".json", ".jsonld", ".html", ".htm", COOKLANG_SUFFIX];

/// What an upload is, by where it was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
/// `.html`, `.htm`, `.cook`).
pub fn has_document_suffix(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    READ_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// Whether a key (or a file's name) ends in `.cook`, in any case: its
/// document is Cooklang.
pub fn is_cooklang_key(key: &str) -> bool {
    key.len() > COOKLANG_SUFFIX.len()
        && key
            .get(key.len() - COOKLANG_SUFFIX.len()..)
            .is_some_and(|end| end.eq_ignore_ascii_case(COOKLANG_SUFFIX))
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

/// The folder, under `recipes/` and `makes/`, of the deploy job's smoke
/// test (`scripts/smoke`): the only place the deploy role may upload to,
/// and the only place recipes in the smoke test's namespace come from.
pub const SMOKE_FOLDER: &str = "smoke";

/// The start of the smoke test's recipe ids. Its machine identity may read
/// these recipes and the deploy role may erase them, so no one else may
/// name a recipe so ([`check_smoke_namespace`]).
pub const SMOKE_RECIPE_PREFIX: &str = "smoke-";

/// Whether `key` is in the smoke test's folder: `recipes/smoke/…` or
/// `makes/smoke/…`, spelled exactly (keys and IAM resource patterns are
/// case-sensitive).
pub fn is_smoke_key(key: &str) -> bool {
    key.strip_prefix(RECIPES_PREFIX)
        .or_else(|| key.strip_prefix(MAKES_PREFIX))
        .and_then(|rest| rest.strip_prefix(SMOKE_FOLDER))
        .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether `id` is in the smoke test's namespace (starts `smoke-`, case
/// and all, as the server's and IAM's checks of it do).
pub fn is_smoke_recipe(id: &RecipeId) -> bool {
    id.as_str().starts_with(SMOKE_RECIPE_PREFIX)
}

/// The smoke test's namespace, both ways round: a recipe or make whose
/// recipe id starts `smoke-` is taken only from an object under
/// `recipes/smoke/` or `makes/smoke/`, and an object there only with such
/// an id. Otherwise a cook could name a recipe the smoke identity may read
/// and the deploy role may erase, and the deploy role's uploads could
/// version real recipes. `object_key` is where the document came from;
/// `None` (a write that names no object) is outside the smoke folder.
pub fn check_smoke_namespace(
    object_key: Option<&str>,
    recipe_id: &RecipeId,
) -> Result<(), RejectReason> {
    let from_the_folder = object_key.is_some_and(is_smoke_key);
    let message = match (is_smoke_recipe(recipe_id), from_the_folder) {
        (true, false) => format!(
            "the recipe id {:?} is reserved: ids starting {SMOKE_RECIPE_PREFIX} belong to the deploy job's smoke test, and are taken only from objects under {RECIPES_PREFIX}{SMOKE_FOLDER}/ or {MAKES_PREFIX}{SMOKE_FOLDER}/",
            recipe_id.as_str()
        ),
        (false, true) => format!(
            "objects under {RECIPES_PREFIX}{SMOKE_FOLDER}/ and {MAKES_PREFIX}{SMOKE_FOLDER}/ are the deploy job's smoke test's, and name only recipes whose ids start {SMOKE_RECIPE_PREFIX}; this one names {:?}",
            recipe_id.as_str()
        ),
        _ => return Ok(()),
    };
    Err(RejectReason::ReservedRecipeId { message })
}

/// The recipe id a key implies (`recipes/desserts/Lemon Tart.jsonld` is
/// `Lemon Tart`, `recipes/pancakes.cook` is `pancakes`), for documents
/// that do not name themselves.
pub fn recipe_id_from_key(key: &str) -> Option<RecipeId> {
    let name = key.rsplit('/').next()?;
    let stem = READ_SUFFIXES
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

/// Decodes an object key as S3 writes it in events: form encoding, where
/// `+` is a space and `%2B` a plus. `Err` holds a lossy decoding when the
/// bytes are not UTF-8. The watcher reads events' keys with it, and an
/// erasure the keys of the failed events it purges.
pub fn decode_key(encoded: &str) -> Result<String, String> {
    let spaced = encoded.replace('+', " ");
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(&spaced).collect();
    String::from_utf8(bytes).map_err(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The suffixes of app archives the chain expands, under `recipes/` only:
/// Paprika's export and the zips of Mealie, Tandoor and Nextcloud Cookbook
/// (`shared::parse::archive`). Kept apart from [`SUFFIXES`]: an archive is
/// not a document, and each of its entries becomes one.
pub const ARCHIVE_SUFFIXES: [&str; 2] = [".paprikarecipes", ".zip"];

/// Whether a key names an app archive ([`ARCHIVE_SUFFIXES`], in any case).
pub fn is_archive_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    ARCHIVE_SUFFIXES.iter().any(|s| lower.ends_with(s))
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
    fn the_smoke_folder_is_exactly_recipes_smoke_and_makes_smoke() {
        for key in [
            "recipes/smoke/smoke-1.json",
            "makes/smoke/smoke-1-make.json",
            "makes/smoke/deeper/m.json",
        ] {
            assert!(is_smoke_key(key), "{key}");
        }
        for key in [
            "recipes/smoke.json",
            "recipes/smoker/pie.json",
            "recipes/Smoke/pie.json",
            "recipes/cooks/smoke/pie.json",
            "smoke/recipes/pie.json",
            "other/smoke/pie.json",
            "recipes/smoke-1.json",
        ] {
            assert!(!is_smoke_key(key), "{key}");
        }
    }

    #[test]
    fn smoke_ids_come_only_from_the_smoke_folder_and_it_holds_only_them() {
        let id = |text: &str| RecipeId::parse(text).expect("an id");
        let allowed = [
            (Some("recipes/smoke/smoke-1.json"), "smoke-1"),
            (Some("makes/smoke/smoke-1-make.json"), "smoke-1"),
            (Some("recipes/pie.json"), "pie"),
            (Some("makes/cooks/5c2f/m.json"), "apple-smoke-1"),
            (Some("recipes/pie.json"), "Smoke-1"),
            (None, "pie"),
        ];
        for (key, recipe) in allowed {
            assert_eq!(
                check_smoke_namespace(key, &id(recipe)),
                Ok(()),
                "{key:?} {recipe}"
            );
        }
        let refused = [
            (Some("recipes/smoke-1.json"), "smoke-1", "is reserved"),
            (Some("makes/cooks/5c2f/m.json"), "smoke-1", "is reserved"),
            (Some("recipes/Smoke/smoke-1.json"), "smoke-1", "is reserved"),
            (None, "smoke-1", "is reserved"),
            (None, " smoke-", "is reserved"),
            (Some("recipes/smoke/pie.json"), "pie", "name only recipes"),
            (Some("makes/smoke/m.json"), "1", "name only recipes"),
            (Some("recipes/smoke/x.json"), "Smoke-1", "name only recipes"),
        ];
        for (key, recipe, says) in refused {
            let refusal = check_smoke_namespace(key, &id(recipe));
            let Err(reason) = refusal else {
                panic!("{key:?} {recipe}: accepted");
            };
            assert_eq!(reason.code(), "reserved-recipe-id", "{key:?} {recipe}");
            assert!(
                reason.to_string().contains(says),
                "{key:?} {recipe}: {reason}"
            );
        }
    }

    #[test]
    fn archives_are_known_by_their_suffix() {
        for (key, archive) in [
            ("recipes/My Recipes.paprikarecipes", true),
            ("recipes/mealie.ZIP", true),
            ("recipes/pie.json", false),
            ("recipes/pie.paprikarecipe", false),
            ("recipes/zip", false),
        ] {
            assert_eq!(is_archive_key(key), archive, "{key}");
        }
    }

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
    fn a_cook_suffix_is_read_as_cooklang() {
        for (key, cook) in [
            ("recipes/pancakes.cook", true),
            ("makes/2026/pancakes.COOK", true),
            ("pancakes.Cook", true),
            (".cook", false),
            ("recipes/pancakes.cook.json", false),
            ("recipes/pancakes.json", false),
            ("recipes/cook", false),
            ("recipes/ä.cook", true),
        ] {
            assert_eq!(is_cooklang_key(key), cook, "{key}");
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
            ("recipes/pancakes.cook", Some("pancakes")),
            ("recipes/Sunday Roast.COOK", Some("Sunday Roast")),
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
            ("recipes/x.cook", true),
            ("makes/x.Cook", true),
            ("recipes/x.cooklang", false),
            ("recipes/x.txt", false),
            ("recipes/x.xhtml.txt", false),
        ] {
            assert_eq!(has_document_suffix(key), is_document, "{key}");
        }
    }
}
