//! Reads: rows into records, and pages of each list.

use super::*;
use shared::refusal::{Code, Refusal};

pub(super) fn conversion(
    index: usize,
    error: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(error))
}

pub(super) fn id_at<T>(
    row: &Row<'_>,
    index: usize,
    parse: fn(&str) -> Result<T, RejectReason>,
) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    parse(&text).map_err(|e| conversion(index, e))
}

pub(super) fn json_at<T: DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|e| conversion(index, e))
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
pub(super) fn version_summary_at(row: &Row<'_>, first: usize) -> rusqlite::Result<VersionSummary> {
    Ok(VersionSummary {
        version: row.get(first)?,
        name: row.get(first + 1)?,
        content_hash: row.get(first + 2)?,
        created_at: row.get(first + 3)?,
        withdrawn_at: row.get(first + 4)?,
    })
}

/// A version, or the current one when `version` is `None`.
pub(super) fn load_version(
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

pub(super) fn recipe_summary_from(row: &Row<'_>) -> rusqlite::Result<RecipeSummary> {
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

pub(super) const RECIPE_SUMMARY_COLUMNS: &str = "recipe_id, name, current_version, rating, make_count, rating_sum, rated_count, updated_at, withdrawn, content_hash";

pub(super) fn rejection_from(row: &Row<'_>) -> rusqlite::Result<StoredRejection> {
    Ok(StoredRejection {
        rejection_id: row.get(0)?,
        upload: RejectedUpload {
            object_key: row.get(1)?,
            kind: row
                .get::<_, Option<String>>(2)?
                .map(|kind| serde_json::from_value(Value::String(kind)))
                .transpose()
                .map_err(|e| conversion(2, e))?,
            // A code this build does not know reads back as it was stored.
            refusal: Refusal::new(
                Code::parse(&row.get::<_, String>(3)?),
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
            ),
        },
        created_at: row.get(6)?,
    })
}

pub(super) const REJECTION_COLUMNS: &str =
    "rejection_id, object_key, kind, code, message, path, created_at";

/// The page size asked for, within bounds: `PageRequest`'s fields are public.
pub(super) fn limit(page: &PageRequest) -> u32 {
    page.limit.clamp(1, MAX_PAGE)
}

/// Where the previous page of `list` ended, from the request's cursor.
pub(super) fn after<T: DeserializeOwned>(
    page: &PageRequest,
    list: &str,
) -> Result<Option<T>, StoreError> {
    let Some(cursor) = &page.cursor else {
        return Ok(None);
    };
    let position = cursor.decode()?;
    if position.get("list").and_then(Value::as_str) != Some(list) {
        return Err(StoreError::InvalidCursor);
    }
    let last = position
        .get("after")
        .cloned()
        .ok_or(StoreError::InvalidCursor)?;
    serde_json::from_value(last)
        .map(Some)
        .map_err(|_| StoreError::InvalidCursor)
}

/// A page from up to `limit + 1` rows: the extra row only says that there
/// is a next page.
pub(super) fn into_page<T>(
    mut items: Vec<T>,
    limit: u32,
    list: &str,
    key: impl Fn(&T) -> Value,
) -> Page<T> {
    let limit = limit as usize;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items
            .last()
            .map(|last| Cursor::encode(&json!({"list": list, "after": key(last)})))
    } else {
        None
    };
    Page { items, next_cursor }
}

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

pub(super) fn make(
    connection: &Connection,
    recipe_id: &RecipeId,
    make_id: &MakeId,
) -> Result<Option<StoredMake>, StoreError> {
    connection
        .query_row(
            "SELECT recipe_id, make_id, version, made_at, notes, rating, created_at, content_hash, document, diff,
                    logged_by
             FROM makes WHERE recipe_id = ?1 AND make_id = ?2",
            params![recipe_id.as_str(), make_id.as_str()],
            |row| {
                Ok(StoredMake {
                    recipe_id: id_at(row, 0, RecipeId::parse)?,
                    make_id: id_at(row, 1, MakeId::parse)?,
                    version: row.get(2)?,
                    made_at: row.get(3)?,
                    notes: row.get(4)?,
                    rating: row.get(5)?,
                    created_at: row.get(6)?,
                    content_hash: row.get(7)?,
                    document: json_at(row, 8)?,
                    diff: json_at(row, 9)?,
                    logged_by: row.get(10)?,
                })
            },
        )
        .optional()
        .map_err(db("reading a make"))
}

/// A page of a recipe's makes, by make id, each item read by `from_row`
/// from the `columns` asked for (after the make id, column 0); `None` for an
/// unknown recipe.
pub(super) fn makes_page<T>(
    connection: &mut Connection,
    recipe_id: &RecipeId,
    page: &PageRequest,
    list: &'static str,
    columns: &str,
    from_row: fn(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Option<Page<T>>, StoreError> {
    // Ids are never empty, so "" sorts before every make.
    let last: String = after(page, list)?.unwrap_or_default();
    let limit = limit(page);
    let tx = connection.transaction().map_err(db("listing makes"))?;
    if !recipe_exists(&tx, recipe_id)? {
        return Ok(None);
    }
    let items = tx
        .prepare_cached(&format!(
            "SELECT make_id, {columns} FROM makes WHERE recipe_id = ?1 AND make_id > ?2 ORDER BY make_id LIMIT ?3"
        ))
        .and_then(|mut statement| {
            statement
                .query_map(params![recipe_id.as_str(), last, limit + 1], |row| {
                    Ok((row.get::<_, String>(0)?, from_row(row)?))
                })?
                .collect()
        })
        .map_err(db("listing makes"))?;
    // The cursor is the stored make id, whatever the item says.
    let page = into_page(items, limit, list, |(make_id, _): &(String, T)| {
        json!(make_id)
    });
    Ok(Some(page.map(|(_, item)| item)))
}

pub(super) const MAKE_SUMMARY_COLUMNS: &str =
    "version, made_at, created_at, rating, summary, scale_factor";

pub(super) fn make_summary_from(row: &Row<'_>) -> rusqlite::Result<MakeSummary> {
    Ok(MakeSummary {
        make_id: id_at(row, 0, MakeId::parse)?,
        version: row.get(1)?,
        made_at: row.get(2)?,
        created_at: row.get(3)?,
        rating: row.get(4)?,
        summary: json_at(row, 5)?,
        scale_factor: row.get(6)?,
    })
}

pub(super) fn make_facts_from(row: &Row<'_>) -> rusqlite::Result<MakeFacts> {
    json_at(row, 1)
}

pub(super) fn rejections(
    connection: &Connection,
    page: &PageRequest,
) -> Result<Page<StoredRejection>, StoreError> {
    let last: Option<String> = after(page, REJECTIONS_LIST)?;
    let limit = limit(page);
    // Two statements rather than `?1 IS NULL OR ...`, which would keep
    // SQLite from seeking the index to the cursor.
    let items = match &last {
        None => connection
            .prepare_cached(&format!(
                "SELECT {REJECTION_COLUMNS} FROM rejections ORDER BY rejection_id DESC LIMIT ?1"
            ))
            .and_then(|mut statement| {
                statement
                    .query_map(params![limit + 1], rejection_from)?
                    .collect()
            }),
        Some(last) => connection
            .prepare_cached(&format!(
                "SELECT {REJECTION_COLUMNS} FROM rejections WHERE rejection_id < ?1
                 ORDER BY rejection_id DESC LIMIT ?2"
            ))
            .and_then(|mut statement| {
                statement
                    .query_map(params![last, limit + 1], rejection_from)?
                    .collect()
            }),
    }
    .map_err(db("listing rejections"))?;
    Ok(into_page(
        items,
        limit,
        REJECTIONS_LIST,
        |r: &StoredRejection| json!(r.rejection_id),
    ))
}
