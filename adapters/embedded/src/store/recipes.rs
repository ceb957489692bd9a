//! Recipes and their versions: storing a version (replayed, unchanged, or
//! the next number), reading one version, the recipe summaries, and pages
//! of recipes and of a recipe's versions.

use rusqlite::{Connection, OptionalExtension as _, Row, params};
use serde_json::json;
use shared::diff::round4;
use shared::model::RecipeId;
// Ids and keys in error messages go by their pseudonyms: the messages are logged.
use shared::object_id::logged;
use shared::store::{
    NewVersion, Page, PageRequest, RecipeSummary, StoreError, StoredVersion, VersionRef,
    VersionSummary, Written,
};

use super::deletion::check_not_deleted;
use super::sql::{
    VERSION_WRITE, after, db, id_at, into_page, json_at, limit, remember, seen, to_json, write,
};

// The lists a cursor can be handed out by, so another list refuses it.
const RECIPES_LIST: &str = "recipes";
const VERSIONS_LIST: &str = "versions";

const RECIPE_SUMMARY_COLUMNS: &str = "recipe_id, name, current_version, rating, make_count, rating_sum, rated_count, updated_at, withdrawn, content_hash";

/// [`shared::store::RecipeStore::put_version`].
pub(super) fn put_version(
    connection: &mut Connection,
    new: &NewVersion,
) -> Result<Written<StoredVersion>, StoreError> {
    write(connection, "storing a recipe version", |tx| {
        check_not_deleted(tx, new.origin.as_ref())?;
        if let Some(first) = seen::<VersionRef>(tx, VERSION_WRITE, &new.key)? {
            let stored = version(tx, &first.recipe_id, Some(first.version))?.ok_or_else(|| {
                StoreError::Internal(format!(
                    "key {} names version {} of recipe {}, which is missing",
                    logged(new.key.as_str()),
                    first.version,
                    logged(first.recipe_id.as_str())
                ))
            })?;
            return Ok(Written::Replayed(stored));
        }
        let recipe_id = new.recipe_id.as_str();
        // The current version, unless every version is withdrawn, and the
        // newest number (a withdrawn version keeps its number).
        let current: Option<(u32, String, bool, u32)> = tx
            .query_row(
                "SELECT current_version, content_hash, withdrawn,
                        (SELECT max(version) FROM versions WHERE recipe_id = ?1)
                 FROM recipes WHERE recipe_id = ?1",
                [recipe_id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()
            .map_err(db("reading the recipe's current version"))?;
        if let Some((number, hash, false, _)) = &current
            && *hash == new.content_hash
        {
            let stored = version(tx, &new.recipe_id, Some(*number))?.ok_or_else(|| {
                StoreError::Internal(format!(
                    "the current version {number} of recipe {} is missing",
                    logged(recipe_id)
                ))
            })?;
            let first = VersionRef {
                recipe_id: new.recipe_id.clone(),
                version: *number,
            };
            remember(tx, VERSION_WRITE, &new.key, &first, &new.at)?;
            return Ok(Written::Unchanged(stored));
        }
        let number = match current {
            Some((_, _, _, newest)) => newest.checked_add(1).ok_or_else(|| {
                StoreError::Internal(format!(
                    "recipe {} has run out of version numbers",
                    logged(recipe_id)
                ))
            })?,
            None => 1,
        };
        // The recipe row comes first: versions refer to it.
        tx.execute(
            "INSERT INTO recipes (recipe_id, name, current_version, rating, content_hash, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (recipe_id) DO UPDATE SET
                 name = excluded.name,
                 current_version = excluded.current_version,
                 rating = excluded.rating,
                 content_hash = excluded.content_hash,
                 withdrawn = 0,
                 updated_at = excluded.updated_at",
            params![recipe_id, new.name, number, new.rating, new.content_hash, new.at],
        )
        .map_err(db("updating the recipe's current version"))?;
        tx.execute(
            "INSERT INTO versions (recipe_id, version, name, rating, content_hash, created_at, document,
                                   origin_key, origin_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                recipe_id,
                number,
                new.name,
                new.rating,
                new.content_hash,
                new.at,
                to_json(&new.document, "a recipe version")?,
                new.origin.as_ref().map(|o| &o.object_key),
                new.origin.as_ref().and_then(|o| o.sequencer.as_ref()),
            ],
        )
        .map_err(db("inserting a recipe version"))?;
        let first = VersionRef {
            recipe_id: new.recipe_id.clone(),
            version: number,
        };
        remember(tx, VERSION_WRITE, &new.key, &first, &new.at)?;
        Ok(Written::Created(new.stored(number)))
    })
}

/// [`shared::store::RecipeStore::version`]: a version, or the current one
/// when `version` is `None`.
pub(super) fn version(
    connection: &Connection,
    recipe_id: &RecipeId,
    version: Option<u32>,
) -> Result<Option<StoredVersion>, StoreError> {
    connection
        .query_row(
            "SELECT recipe_id, version, name, content_hash, created_at, withdrawn_at, document FROM versions
             WHERE recipe_id = ?1
               AND version = coalesce(?2, (SELECT current_version FROM recipes WHERE recipe_id = ?1))",
            params![recipe_id.as_str(), version],
            |row| {
                Ok(StoredVersion {
                    recipe_id: id_at(row, 0, RecipeId::parse)?,
                    head: version_summary_at(row, 1)?,
                    document: json_at(row, 6)?,
                })
            },
        )
        .optional()
        .map_err(db("reading a recipe version"))
}

/// [`shared::store::RecipeStore::recipes`].
pub(super) fn recipes(
    connection: &Connection,
    page: &PageRequest,
) -> Result<Page<RecipeSummary>, StoreError> {
    // Ids are never empty, so "" sorts before every recipe.
    let last: String = after(page, RECIPES_LIST)?.unwrap_or_default();
    let limit = limit(page);
    let mut statement = connection
        .prepare_cached(&format!(
            "SELECT {RECIPE_SUMMARY_COLUMNS} FROM recipes WHERE recipe_id > ?1 ORDER BY recipe_id LIMIT ?2"
        ))
        .map_err(db("listing recipes"))?;
    let items = statement
        .query_map(params![last, limit + 1], recipe_summary_from)
        .and_then(Iterator::collect)
        .map_err(db("listing recipes"))?;
    Ok(into_page(
        items,
        limit,
        RECIPES_LIST,
        |r: &RecipeSummary| json!(r.recipe_id.as_str()),
    ))
}

/// [`shared::store::RecipeStore::recipe_summary`].
pub(super) fn recipe_summary(
    connection: &Connection,
    recipe_id: &RecipeId,
) -> Result<Option<RecipeSummary>, StoreError> {
    connection
        .query_row(
            &format!("SELECT {RECIPE_SUMMARY_COLUMNS} FROM recipes WHERE recipe_id = ?1"),
            [recipe_id.as_str()],
            recipe_summary_from,
        )
        .optional()
        .map_err(db("reading a recipe"))
}

/// [`shared::store::RecipeStore::versions`].
pub(super) fn versions(
    connection: &mut Connection,
    recipe_id: &RecipeId,
    page: &PageRequest,
) -> Result<Option<Page<VersionSummary>>, StoreError> {
    let last: u32 = after(page, VERSIONS_LIST)?.unwrap_or(0);
    let limit = limit(page);
    // One read transaction, so the recipe cannot appear between the check
    // and the list when another process writes.
    let tx = connection.transaction().map_err(db("listing versions"))?;
    if !recipe_exists(&tx, recipe_id)? {
        return Ok(None);
    }
    let items = tx
        .prepare_cached(
            "SELECT version, name, content_hash, created_at, withdrawn_at FROM versions
             WHERE recipe_id = ?1 AND version > ?2 ORDER BY version LIMIT ?3",
        )
        .and_then(|mut statement| {
            statement
                .query_map(params![recipe_id.as_str(), last, limit + 1], |row| {
                    version_summary_at(row, 0)
                })?
                .collect()
        })
        .map_err(db("listing versions"))?;
    Ok(Some(into_page(
        items,
        limit,
        VERSIONS_LIST,
        |v: &VersionSummary| json!(v.version),
    )))
}

pub(super) fn recipe_exists(
    connection: &Connection,
    recipe_id: &RecipeId,
) -> Result<bool, StoreError> {
    connection
        .query_row(
            "SELECT 1 FROM recipes WHERE recipe_id = ?1",
            [recipe_id.as_str()],
            |_| Ok(()),
        )
        .optional()
        .map(|found| found.is_some())
        .map_err(db("looking up a recipe"))
}

/// A version's figures, from `version, name, content_hash, created_at,
/// withdrawn_at` starting at column `first`.
fn version_summary_at(row: &Row<'_>, first: usize) -> rusqlite::Result<VersionSummary> {
    Ok(VersionSummary {
        version: row.get(first)?,
        name: row.get(first + 1)?,
        content_hash: row.get(first + 2)?,
        created_at: row.get(first + 3)?,
        withdrawn_at: row.get(first + 4)?,
    })
}

/// A recipe's summary, from [`RECIPE_SUMMARY_COLUMNS`].
fn recipe_summary_from(row: &Row<'_>) -> rusqlite::Result<RecipeSummary> {
    let rating_sum: f64 = row.get(5)?;
    let rated_count: u64 = row.get(6)?;
    Ok(RecipeSummary {
        recipe_id: id_at(row, 0, RecipeId::parse)?,
        name: row.get(1)?,
        current_version: row.get(2)?,
        rating: row.get(3)?,
        make_count: row.get(4)?,
        average_make_rating: (rated_count > 0).then(|| round4(rating_sum / rated_count as f64)),
        updated_at: row.get(7)?,
        withdrawn: row.get(8)?,
        content_hash: row.get(9)?,
    })
}
