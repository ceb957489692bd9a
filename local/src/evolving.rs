//! `recipe-chain adopt` and `recipe-chain restore`: a recipe's next
//! version from one of its makes, or from one of its earlier versions. The
//! make or version is read from the store in the data folder; the new
//! version goes into the bucket folder as a recipe upload (as `drop` puts
//! one there), saying where it came from (`adoptedFrom`, `restoredFrom`),
//! and the chain stores it as any upload, now or when it next runs.

use std::path::Path;

use embedded_adapters::SqliteStore;
use serde_json::Value;
use shared::canonical::{adopted, restored};
use shared::store::{RecipeStore as _, content_hash};
use shared::{MakeId, RecipeId};

use crate::paths::Paths;

/// Puts make `make_id` of `recipe_id` into the bucket folder as the
/// recipe's next version; answers the key it got.
pub fn adopt(data: &Path, recipe_id: &str, make_id: &str) -> Result<String, String> {
    let recipe_id = parse_id(RecipeId::parse(recipe_id), "recipe id", recipe_id)?;
    let make_id = parse_id(MakeId::parse(make_id), "make id", make_id)?;
    let paths = existing(data)?;
    let (recipe, make) = (&recipe_id, &make_id);
    let make = read(
        &paths,
        |store| async move { store.make(recipe, make).await },
    )?;
    let make = make.ok_or_else(|| {
        format!(
            "recipe {recipe_id:?} has no make {make_id:?} (see its makes on the dashboard)",
            recipe_id = recipe_id.as_str(),
            make_id = make_id.as_str()
        )
    })?;
    let document = adopted(&make.document, &make_id);
    let stem = format!(
        "{}.adopt-{}",
        slug(recipe_id.as_str()),
        slug(make_id.as_str())
    );
    put(&paths, &stem, &document)
}

/// Puts version `version` of `recipe_id` into the bucket folder as the
/// recipe's next version; answers the key it got.
pub fn restore(data: &Path, recipe_id: &str, version: u32) -> Result<String, String> {
    let recipe_id = parse_id(RecipeId::parse(recipe_id), "recipe id", recipe_id)?;
    let paths = existing(data)?;
    let recipe = &recipe_id;
    let stored = read(&paths, |store| async move {
        store.version(recipe, Some(version)).await
    })?;
    let stored = stored.ok_or_else(|| {
        format!(
            "recipe {:?} has no version {version} (see its history on the dashboard)",
            recipe_id.as_str()
        )
    })?;
    let document = restored(&stored.document, version);
    let stem = format!("{}.restore-{version}", slug(recipe_id.as_str()));
    put(&paths, &stem, &document)
}

/// What `read` answers of the store in the data folder.
fn read<T, F, Fut>(paths: &Paths, read: F) -> Result<T, String>
where
    F: FnOnce(SqliteStore) -> Fut,
    Fut: std::future::Future<Output = Result<T, shared::store::StoreError>>,
{
    crate::chain::runtime()?.block_on(async {
        let store = SqliteStore::open(&paths.store).map_err(|e| e.to_string())?;
        read(store).await.map_err(|e| e.to_string())
    })
}

fn parse_id<T>(
    parsed: Result<T, shared::rejection::RejectReason>,
    what: &str,
    text: &str,
) -> Result<T, String> {
    parsed.map_err(|reason| format!("{text:?} is no {what}: {reason}"))
}

/// The data folder's paths, when a store is there.
fn existing(data: &Path) -> Result<Paths, String> {
    let paths = Paths::new(data);
    if !paths.store.exists() {
        return Err(format!(
            "no recipe store in {} (start the chain with `recipe-chain up`, or give --data)",
            paths.data.display()
        ));
    }
    Ok(paths)
}

/// Writes `document` whole into the bucket folder's `recipes/`, named by
/// `stem` and its content, so that one new version has one key.
fn put(paths: &Paths, stem: &str, document: &Value) -> Result<String, String> {
    let text = serde_json::to_string_pretty(document)
        .map_err(|e| format!("the new version cannot be written as JSON: {e}"))?;
    let key = format!("recipes/{stem}-{}.json", &content_hash(document)[..8]);
    embedded_adapters::write_whole(&paths.bucket.join(&key), text.as_bytes())?;
    Ok(key)
}

/// An id as a file name may hold it: letters, digits and `_-()`, anything
/// else a `-`, at most 60 characters.
fn slug(id: &str) -> String {
    let slug: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "_-()".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(60)
        .collect();
    match slug.trim_matches('-') {
        "" => "recipe".to_owned(),
        trimmed => trimmed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_becomes_a_safe_file_name() {
        assert_eq!(slug("apple-pie"), "apple-pie");
        assert_eq!(slug("Grandma's pie/2"), "Grandma-s-pie-2");
        assert_eq!(slug("../.."), "recipe");
    }
}
