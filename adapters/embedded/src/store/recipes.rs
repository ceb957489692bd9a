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
    NewVersion, Page, PageRequest, Parent, RecipeSummary, StoreError, StoredVersion, VersionRef,
    VersionSource, VersionSummary, Written, version_figures,
};

use super::deletion::check_not_deleted;
use super::sql::{
    VERSION_WRITE, after, conversion, db, id_at, into_page, json_at, limit, remember, seen,
    to_json, write,
};

// The lists a cursor can be handed out by, so another list refuses it.
const RECIPES_LIST: &str = "recipes";
const VERSIONS_LIST: &str = "versions";

const VARIANTS_LIST: &str = "variants";

const RECIPE_SUMMARY_COLUMNS: &str = "recipe_id, name, current_version, rating, make_count, rating_sum, rated_count, updated_at, withdrawn, content_hash, parent_id, parent_version, parent_erased";

/// What [`version_summary_at`] reads.
const VERSION_SUMMARY_COLUMNS: &str = "version, name, content_hash, created_at, withdrawn_at, source, make_count, rating_sum, rated_count, changed_count";

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
        // A recipe's parent is the one its first write names.
        let parent = new.variant_of.as_ref();
        tx.execute(
            "INSERT INTO recipes (recipe_id, name, current_version, rating, content_hash, updated_at,
                                  parent_id, parent_version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (recipe_id) DO UPDATE SET
                 name = excluded.name,
                 current_version = excluded.current_version,
                 rating = excluded.rating,
                 content_hash = excluded.content_hash,
                 withdrawn = 0,
                 updated_at = excluded.updated_at",
            params![
                recipe_id,
                new.name,
                number,
                new.rating,
                new.content_hash,
                new.at,
                parent.map(|p| p.recipe_id.as_str()),
                parent.map(|p| p.version),
            ],
        )
        .map_err(db("updating the recipe's current version"))?;
        tx.execute(
            "INSERT INTO versions (recipe_id, version, name, rating, content_hash, created_at, document,
                                   origin_key, origin_seq, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
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
                source_json(&new.source)?,
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
            &format!(
                "SELECT recipe_id, document, {VERSION_SUMMARY_COLUMNS} FROM versions
                 WHERE recipe_id = ?1
                   AND version = coalesce(?2, (SELECT current_version FROM recipes WHERE recipe_id = ?1))"
            ),
            params![recipe_id.as_str(), version],
            |row| {
                Ok(StoredVersion {
                    recipe_id: id_at(row, 0, RecipeId::parse)?,
                    document: json_at(row, 1)?,
                    head: version_summary_at(row, 2)?,
                })
            },
        )
        .optional()
        .map_err(db("reading a recipe version"))
}

/// [`shared::store::RecipeStore::version_head`].
pub(super) fn version_head(
    connection: &Connection,
    recipe_id: &RecipeId,
    version: u32,
) -> Result<Option<VersionSummary>, StoreError> {
    connection
        .prepare_cached(&format!(
            "SELECT {VERSION_SUMMARY_COLUMNS} FROM versions WHERE recipe_id = ?1 AND version = ?2"
        ))
        .and_then(|mut statement| {
            statement
                .query_row(params![recipe_id.as_str(), version], |row| {
                    version_summary_at(row, 0)
                })
                .optional()
        })
        .map_err(db("reading a recipe version's figures"))
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
        .prepare_cached(&format!(
            "SELECT {VERSION_SUMMARY_COLUMNS} FROM versions
             WHERE recipe_id = ?1 AND version > ?2 ORDER BY version LIMIT ?3"
        ))
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

/// [`shared::store::RecipeStore::variants`]: the recipes whose parent is
/// `recipe_id` (an erasure makes its variants forget it, so a recipe added
/// again under an erased parent's id has none of the old one's variants).
pub(super) fn variants(
    connection: &mut Connection,
    recipe_id: &RecipeId,
    page: &PageRequest,
) -> Result<Option<Page<RecipeId>>, StoreError> {
    let last: String = after(page, VARIANTS_LIST)?.unwrap_or_default();
    let limit = limit(page);
    let tx = connection.transaction().map_err(db("listing variants"))?;
    if !recipe_exists(&tx, recipe_id)? {
        return Ok(None);
    }
    let items = tx
        .prepare_cached(
            "SELECT recipe_id FROM recipes
             WHERE parent_id = ?1 AND recipe_id > ?2
             ORDER BY recipe_id LIMIT ?3",
        )
        .and_then(|mut statement| {
            statement
                .query_map(params![recipe_id.as_str(), last, limit + 1], |row| {
                    id_at(row, 0, RecipeId::parse)
                })?
                .collect()
        })
        .map_err(db("listing variants"))?;
    Ok(Some(into_page(
        items,
        limit,
        VARIANTS_LIST,
        |id: &RecipeId| json!(id.as_str()),
    )))
}

/// A version's source as stored: `NULL` for an upload.
fn source_json(source: &VersionSource) -> Result<Option<String>, StoreError> {
    match source {
        VersionSource::Uploaded => Ok(None),
        other => to_json(other, "a version's source").map(Some),
    }
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

/// A version's figures, from [`VERSION_SUMMARY_COLUMNS`] starting at
/// column `first`.
fn version_summary_at(row: &Row<'_>, first: usize) -> rusqlite::Result<VersionSummary> {
    let source: Option<String> = row.get(first + 5)?;
    let source = match source {
        None => VersionSource::Uploaded,
        Some(text) => serde_json::from_str(&text).map_err(|e| conversion(first + 5, e))?,
    };
    let make_count: u64 = row.get(first + 6)?;
    let (average_make_rating, changed_share) = version_figures(
        make_count,
        row.get(first + 7)?,
        row.get(first + 8)?,
        row.get(first + 9)?,
    );
    Ok(VersionSummary {
        version: row.get(first)?,
        name: row.get(first + 1)?,
        content_hash: row.get(first + 2)?,
        created_at: row.get(first + 3)?,
        withdrawn_at: row.get(first + 4)?,
        source,
        make_count,
        average_make_rating,
        changed_share,
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
        variant_of: match row.get::<_, Option<String>>(10)? {
            None => None,
            Some(_) => Some(Parent {
                recipe_id: id_at(row, 10, RecipeId::parse)?,
                version: row.get(11)?,
            }),
        },
        parent_erased: row.get(12)?,
    })
}
