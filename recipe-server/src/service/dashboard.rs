//! The dashboard's own use cases: a preview of a make's diff while the
//! cook edits it (the same parse and diff as a logged make, storing
//! nothing), and the signed forms its uploads go through. An upload is
//! never stored here: it goes to the bucket, and the chain does the rest,
//! so every make still comes through the watcher, the queue and the
//! sender.

use serde_json::Value;
use shared::canonical::recipe_json;
use shared::diff::MakeDiff;
use shared::keys::{COOKS_FOLDER, SUFFIXES, UploadKind, check_smoke_namespace};
use shared::model::RecipeId;
use shared::parse::{make_from_value, read_document, recipe_id_path};
use shared::ports::pages::FetchError;
use shared::ports::uploads::{FormFields, FormRequest, UploadError, UploadForm};
use shared::refusal::{Code, Refusal};
use shared::rejection::Rejection;

use super::{Failure, Result, Service};
use crate::api::{ImportRequest, Imported, UploadRequest};

/// How long an upload form is good for.
pub const FORM_SECONDS: u64 = 300;
/// The longest file name an upload may keep.
pub const MAX_FILE_NAME_CHARS: usize = 100;

/// A make's diff as it would be logged now, with nothing stored.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// The recipe the make names.
    pub recipe_id: String,
    /// The version it would be diffed against: the current one.
    pub version: u32,
    /// The make in canonical form, as it would be stored.
    pub document: Value,
    /// Its diff against that version.
    pub diff: MakeDiff,
}

impl Service {
    /// Parses and diffs a make of `recipe_id` as [`Service::log_make`]
    /// would, against the recipe's current version, and stores nothing: a
    /// refused make is answered, not recorded (nothing was uploaded). The
    /// recipe comes from the path, so that the access log names the recipe
    /// whose version was read; a make naming another is refused. So is a
    /// make in the smoke test's namespace: saved from the dashboard, into
    /// the cooks' folder, the chain would refuse it.
    pub async fn preview(&self, recipe_id: &RecipeId, body: &[u8]) -> Result<Preview> {
        let invalid = |rejection: Rejection| Failure::Invalid(rejection.to_refusal());
        let document = read_document(body, &self.limits, None).map_err(invalid)?;
        let make = make_from_value(&document, &self.limits).map_err(invalid)?;
        let id_path = recipe_id_path(&document, UploadKind::Make);
        if make.recipe_id() != recipe_id {
            return Err(Failure::Invalid(Refusal::new(
                Code::RecipeIdMismatch,
                format!(
                    "the make names recipe {:?} but was sent to recipe {:?}",
                    make.recipe_id().as_str(),
                    recipe_id.as_str()
                ),
                id_path.to_string(),
            )));
        }
        // No object: the dashboard saves into the cooks' folder.
        check_smoke_namespace(None, recipe_id)
            .map_err(|reason| invalid(Rejection::new(id_path, reason)))?;
        let Some((version, recipe)) = self.current_recipe(recipe_id).await? else {
            return Err(Failure::RecipeNotFound(recipe_id.clone()));
        };
        let Some(version) = version else {
            return Err(Failure::Invalid(Refusal::new(
                Code::RecipeWithdrawn,
                format!(
                    "every version of recipe {:?} was withdrawn",
                    recipe_id.as_str()
                ),
                "$.recipeId",
            )));
        };
        Ok(Preview {
            recipe_id: recipe_id.as_str().to_owned(),
            version,
            document: recipe_json(make.content()),
            diff: shared::diff_make(&recipe, &make),
        })
    }

    /// A signed form for one upload by `cook` (the signed-in user's id, or
    /// this machine's dashboard): the key is `makes/cooks/<cook>/<file
    /// name>` or `recipes/cooks/<cook>/<file name>` (a make stored from it
    /// records `cook` as who logged it), the content type follows the file's
    /// suffix, and the size limit is the chain's object limit.
    pub async fn upload_form(&self, cook: &str, body: &[u8]) -> Result<UploadForm> {
        let upload: UploadRequest = request_body(body, Code::InvalidUpload, "an upload")?;
        let content_type = content_type_of(&upload.file_name).ok_or_else(|| {
            Failure::InvalidBody(Refusal::new(
                Code::InvalidUpload,
                format!(
                    "fileName must be 1 to {MAX_FILE_NAME_CHARS} characters of letters, digits, spaces, . _ - ( ), not starting with a dot, ending in {}",
                    SUFFIXES.join(", ")
                ),
                "$.fileName",
            ))
        })?;
        let folder = match upload.kind {
            UploadKind::Make => "makes",
            UploadKind::Recipe => "recipes",
        };
        let Some(forms) = self.uploads.as_ref() else {
            return Err(Failure::Unavailable(
                "this server has no upload bucket configured".into(),
            ));
        };
        let request = FormRequest {
            key: format!("{folder}/{COOKS_FOLDER}/{cook}/{}", upload.file_name),
            content_type: content_type.to_owned(),
            max_bytes: self.limits.max_bytes,
            expires_in: FORM_SECONDS,
        };
        forms.form(&request).await.map_err(upload_failure)
    }

    /// The origin the dashboard's upload forms are posted to, when it is not
    /// this server's (S3's, in AWS).
    pub fn upload_origin(&self) -> Option<String> {
        self.uploads.as_ref().and_then(|forms| forms.origin())
    }

    /// Whether this server takes posted upload forms itself (it is its
    /// own bucket, on this machine).
    pub fn takes_forms(&self) -> bool {
        self.uploads
            .as_ref()
            .is_some_and(|forms| forms.takes_forms())
    }

    /// Imports the recipe page at the link `body` names, for `cook`: the
    /// page is fetched under the SSRF guard of the [`PageFetcher`], must
    /// hold a recipe (as any upload is read: a JSON-LD block of a page, or
    /// a JSON document), and goes into the bucket under
    /// `recipes/cooks/<cook>/`, named by the link ([`import_key`]), so
    /// that the chain stores it as any upload, and an import of the same
    /// link again is a new version of the same recipe.
    pub async fn import(&self, cook: &str, body: &[u8]) -> Result<Imported> {
        let request: ImportRequest = request_body(body, Code::InvalidImport, "an import")?;
        let (Some(pages), Some(forms)) = (self.pages.as_ref(), self.uploads.as_ref()) else {
            return Err(Failure::Unavailable(
                "this server imports no pages: it has no fetcher or no upload bucket".into(),
            ));
        };
        let page = pages
            .fetch(&request.url, self.limits.max_bytes)
            .await
            .map_err(|error| {
                let code = match &error {
                    FetchError::InvalidUrl(_) => Code::InvalidImport,
                    FetchError::RefusedAddress { .. } => Code::ImportAddressRefused,
                    FetchError::Unreachable(_) => Code::ImportUnreachable,
                    FetchError::Timeout(_) => Code::ImportTimeout,
                    FetchError::TooLarge { .. } => Code::ImportTooLarge,
                    FetchError::NotAPage { .. } => Code::ImportNotAPage,
                    FetchError::TooManyRedirects(_) => Code::ImportTooManyRedirects,
                };
                Failure::Invalid(Refusal::new(code, error.to_string(), "$.url"))
            })?;
        read_document(&page.bytes, &self.limits, None)
            .map_err(|rejection| Failure::Invalid(rejection.to_refusal()))?;
        let (key, content_type) = import_key(cook, &page.url, &page.content_type);
        let request = FormRequest {
            key,
            content_type: content_type.to_owned(),
            max_bytes: self.limits.max_bytes,
            expires_in: FORM_SECONDS,
        };
        let key = forms
            .put(&request, &page.bytes)
            .await
            .map_err(upload_failure)?;
        Ok(Imported { key, url: page.url })
    }

    /// Takes a posted upload form, for an adapter that is its own bucket
    /// (this machine's folder); answers the stored object's key.
    pub async fn accept_upload(&self, fields: &FormFields, file: &[u8]) -> Result<String> {
        let Some(forms) = self.uploads.as_ref() else {
            return Err(upload_failure(UploadError::NotHere));
        };
        forms.accept(fields, file).await.map_err(upload_failure)
    }
}

/// A request's JSON body read as `T`, or refused with `code` as not `what`
/// request.
fn request_body<T: serde::de::DeserializeOwned>(body: &[u8], code: Code, what: &str) -> Result<T> {
    serde_json::from_slice(body)
        .map_err(|e| Failure::InvalidBody(Refusal::whole(code, format!("not {what} request: {e}"))))
}

/// The longest part of an imported page's key taken from its link.
const MAX_IMPORT_STEM_CHARS: usize = 60;

/// Where a page imported from `url` goes, and its content type: under
/// `recipes/cooks/<cook>/`, named by the link's last path segment (or its
/// host), reduced to the characters an upload's name may have, and the
/// first 8 hexadecimal digits of the link's SHA-256, so that one link
/// always has one key (a recipe without an id of its own is named by the
/// key's stem); `.html` for a web page, `.jsonld` or `.json` for JSON.
pub fn import_key(cook: &str, url: &str, content_type: &str) -> (String, &'static str) {
    use sha2::Digest as _;
    let without_query = url.split(['?', '#']).next().unwrap_or(url);
    let after_scheme = without_query
        .split_once("://")
        .map_or(without_query, |(_, rest)| rest);
    let path = after_scheme.trim_end_matches('/');
    let segment = match path.rsplit_once('/') {
        // The last segment of the path, without its file suffix.
        Some((_, last)) => last
            .rsplit_once('.')
            .filter(|(stem, _)| !stem.is_empty())
            .map_or(last, |(stem, _)| stem),
        // The host alone.
        None => path,
    };
    let mut stem: String = segment
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "_-()".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(MAX_IMPORT_STEM_CHARS)
        .collect();
    let trimmed = stem.trim_matches('-').to_owned();
    stem = if trimmed.is_empty() {
        "page".to_owned()
    } else {
        trimmed
    };
    let hash = hex::encode(sha2::Sha256::digest(url.as_bytes()));
    let (suffix, content_type) = match content_type {
        "application/ld+json" => (".jsonld", "application/ld+json"),
        "application/json" => (".json", "application/json"),
        _ => (".html", "text/html"),
    };
    (
        format!(
            "recipes/{COOKS_FOLDER}/{cook}/{stem}-{}{suffix}",
            &hash[..8]
        ),
        content_type,
    )
}

/// The content type an upload named `file_name` is sent as; `None` when
/// the name is not one the chain reads or not a plain file name.
pub fn content_type_of(file_name: &str) -> Option<&'static str> {
    let plain = !file_name.is_empty()
        && file_name.chars().count() <= MAX_FILE_NAME_CHARS
        && !file_name.starts_with('.')
        && file_name
            .chars()
            .all(|c| c.is_alphanumeric() || " ._-()".contains(c));
    let lower = file_name.to_ascii_lowercase();
    let suffix = SUFFIXES.iter().find(|s| lower.ends_with(*s))?;
    let stem_len = file_name.len() - suffix.len();
    if !plain || stem_len == 0 {
        return None;
    }
    Some(match *suffix {
        ".json" => "application/json",
        ".jsonld" => "application/ld+json",
        _ => "text/html",
    })
}

fn upload_failure(error: UploadError) -> Failure {
    match error {
        UploadError::Unavailable(detail) => Failure::Unavailable(detail),
        UploadError::NotHere => Failure::NotHere(error.to_string()),
        refused => Failure::Invalid(Refusal::whole(
            match refused {
                UploadError::Expired(_) => Code::UploadFormExpired,
                UploadError::Condition(_) => Code::UploadCondition,
                _ => Code::UploadFormTampered,
            },
            refused.to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_imported_page_goes_under_the_cooks_recipes_named_by_its_link() {
        let (key, content_type) = import_key(
            "5c2f",
            "https://example.com/recipes/lemon-drizzle-cake/?utm=x",
            "text/html",
        );
        assert!(
            key.starts_with("recipes/cooks/5c2f/lemon-drizzle-cake-"),
            "{key}"
        );
        assert!(
            key.ends_with(".html") && content_type == "text/html",
            "{key}"
        );
        // One link, one key; another link, another.
        let same = import_key(
            "5c2f",
            "https://example.com/recipes/lemon-drizzle-cake/?utm=x",
            "text/html",
        );
        assert_eq!(same.0, key);
        let other = import_key(
            "5c2f",
            "https://example.com/recipes/lemon-drizzle-cake/",
            "text/html",
        );
        assert_ne!(other.0, key);
        // Whatever the link holds, the key is a plain name in the cook's folder.
        for (url, stem) in [
            ("https://example.com/", "example-com"),
            ("https://example.com/a/../../x y.php", "x-y"),
            ("https://example.com/%2e%2e/evil", "evil"),
            ("http://example.com/p.jsonld", "p"),
        ] {
            let (key, _) = import_key("c", url, "application/ld+json");
            let name = key
                .strip_prefix("recipes/cooks/c/")
                .expect("the cook's folder");
            assert!(
                !name.contains('/') && name.starts_with(stem),
                "{url}: {key}"
            );
            assert!(name.ends_with(".jsonld"), "{key}");
            assert!(
                content_type_of(name).is_some(),
                "{key} is a name an upload may have"
            );
        }
        assert!(
            import_key("c", "https://e.com/x", "application/json")
                .0
                .ends_with(".json")
        );
    }

    #[test]
    fn an_upload_names_a_plain_file_the_chain_reads() {
        for (name, expected) in [
            ("2026-12-03 pie.json", Some("application/json")),
            ("Lemon Tart.JSONLD", Some("application/ld+json")),
            ("page (1).html", Some("text/html")),
            ("saved.htm", Some("text/html")),
            (".json", None),
            ("notes.txt", None),
            ("../pie.json", None),
            ("a/b.json", None),
            (".hidden.json", None),
            ("", None),
        ] {
            assert_eq!(content_type_of(name), expected, "{name:?}");
        }
        assert_eq!(content_type_of(&format!("{}.json", "a".repeat(96))), None);
        assert!(content_type_of(&format!("{}.json", "a".repeat(95))).is_some());
    }
}
