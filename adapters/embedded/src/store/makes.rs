//! Makes: storing one (counted on its recipe, replayed, or refused for an
//! unknown recipe or a taken make id), reading one, pages of makes and of
//! their facts, and removing one with its count.

use rusqlite::{Connection, OptionalExtension as _, Row, Transaction, params};
use serde_json::json;
use shared::insights::MakeFacts;
use shared::model::{MakeId, RecipeId};
use shared::store::{
    MakeRef, MakeSummary, MakeTally, NewMake, Page, PageRequest, StoreError, StoredMake, Written,
};

use super::deletion::check_not_deleted;
use super::insights;
use super::recipes::recipe_exists;
use super::sql::{
    MAKE_WRITE, after, db, id_at, into_page, json_at, limit, remember, seen, to_json, write,
};

/// A list of makes: what its cursors are handed out by, the columns it
/// reads after the make id, and how a row of them becomes an item.
pub(super) struct MakeList<T> {
    name: &'static str,
    columns: &'static str,
    from_row: fn(&Row<'_>) -> rusqlite::Result<T>,
}

/// [`shared::store::RecipeStore::makes`]: what a list shows of each make.
pub(super) const SUMMARIES: MakeList<MakeSummary> = MakeList {
    name: "makes",
    columns: "version, made_at, created_at, rating, summary, scale_factor",
    from_row: make_summary_from,
};

/// [`shared::store::RecipeStore::make_facts`]: each make's facts.
pub(super) const FACTS: MakeList<MakeFacts> = MakeList {
    name: "make-facts",
    columns: "facts",
    from_row: make_facts_from,
};

/// [`shared::store::RecipeStore::put_make`].
pub(super) fn put_make(
    connection: &mut Connection,
    new: &NewMake,
) -> Result<Written<MakeRef>, StoreError> {
    let make = &new.make;
    write(connection, "storing a make", |tx| {
        check_not_deleted(tx, new.origin.as_ref())?;
        if let Some(first) = seen::<MakeRef>(tx, MAKE_WRITE, &new.key)? {
            return Ok(Written::Replayed(first));
        }
        // Refused before anything is recorded, so a retry after the recipe
        // arrives still goes through.
        if !recipe_exists(tx, &make.recipe_id)? {
            return Err(StoreError::RecipeNotFound(make.recipe_id.clone()));
        }
        let existing: Option<(u32, String)> = tx
            .query_row(
                "SELECT version, content_hash FROM makes WHERE recipe_id = ?1 AND make_id = ?2",
                params![make.recipe_id.as_str(), make.make_id.as_str()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(db("looking up a make"))?;
        if let Some((version, hash)) = existing {
            if hash != make.content_hash {
                return Err(StoreError::MakeConflict(make.make_id.clone()));
            }
            let first = MakeRef {
                version,
                ..make.to_ref()
            };
            remember(tx, MAKE_WRITE, &new.key, &first, &make.created_at)?;
            return Ok(Written::Replayed(first));
        }
        tx.execute(
            "INSERT INTO makes (recipe_id, make_id, version, made_at, notes, rating, created_at, content_hash,
                                document, diff, summary, scale_factor, facts, origin_key, origin_seq,
                                logged_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            params![
                make.recipe_id.as_str(),
                make.make_id.as_str(),
                make.version,
                make.made_at,
                make.notes,
                make.rating,
                make.created_at,
                make.content_hash,
                to_json(&make.document, "a make")?,
                to_json(&make.diff, "a make's diff")?,
                to_json(&new.summary, "a make's diff summary")?,
                new.facts.scale_factor,
                to_json(&new.facts, "a make's facts")?,
                new.origin.as_ref().map(|o| &o.object_key),
                new.origin.as_ref().and_then(|o| o.sequencer.as_ref()),
                make.logged_by,
            ],
        )
        .map_err(db("inserting a make"))?;
        insights::count(tx, make.recipe_id.as_str(), &new.facts, true)?;
        tx.execute(
            "UPDATE recipes SET
                 make_count = make_count + 1,
                 rating_sum = rating_sum + coalesce(?2, 0),
                 rated_count = rated_count + (?2 IS NOT NULL),
                 updated_at = ?3
             WHERE recipe_id = ?1",
            params![make.recipe_id.as_str(), make.rating, make.created_at],
        )
        .map_err(db("counting a make on its recipe"))?;
        let tally = MakeTally::of(new);
        tx.execute(
            "UPDATE versions SET
                 make_count = make_count + 1,
                 rating_sum = rating_sum + coalesce(?3, 0),
                 rated_count = rated_count + (?3 IS NOT NULL),
                 changed_count = changed_count + ?4
             WHERE recipe_id = ?1 AND version = ?2",
            params![
                make.recipe_id.as_str(),
                tally.version,
                tally.rating,
                i64::from(tally.changed)
            ],
        )
        .map_err(db("counting a make on its version"))?;
        let first = make.to_ref();
        remember(tx, MAKE_WRITE, &new.key, &first, &make.created_at)?;
        Ok(Written::Created(first))
    })
}

/// [`shared::store::RecipeStore::make`].
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

/// A page of `list`, a recipe's makes by make id; `None` for an unknown
/// recipe.
pub(super) fn makes<T>(
    connection: &mut Connection,
    list: &MakeList<T>,
    recipe_id: &RecipeId,
    page: &PageRequest,
) -> Result<Option<Page<T>>, StoreError> {
    // Ids are never empty, so "" sorts before every make.
    let last: String = after(page, list.name)?.unwrap_or_default();
    let limit = limit(page);
    let tx = connection.transaction().map_err(db("listing makes"))?;
    if !recipe_exists(&tx, recipe_id)? {
        return Ok(None);
    }
    let items = tx
        .prepare_cached(&format!(
            "SELECT make_id, {} FROM makes WHERE recipe_id = ?1 AND make_id > ?2 ORDER BY make_id LIMIT ?3",
            list.columns
        ))
        .and_then(|mut statement| {
            statement
                .query_map(params![recipe_id.as_str(), last, limit + 1], |row| {
                    Ok((row.get::<_, String>(0)?, (list.from_row)(row)?))
                })?
                .collect()
        })
        .map_err(db("listing makes"))?;
    // The cursor is the stored make id, whatever the item says.
    let page = into_page(items, limit, list.name, |(make_id, _): &(String, T)| {
        json!(make_id)
    });
    Ok(Some(page.map(|(_, item)| item)))
}

/// Removes one make and takes it out of its recipe's and its version's
/// counters and its recipe's insight tally.
pub(super) fn remove_make(
    tx: &Transaction<'_>,
    recipe_id: &str,
    make_id: &str,
    rating: Option<f64>,
    at: &str,
) -> Result<(), StoreError> {
    // Whether the make changed the recipe, from its stored summary: the
    // SQL of `Summary::changes_recipe`.
    tx.execute(
        "UPDATE versions SET
             make_count = make_count - 1,
             rating_sum = rating_sum - coalesce(m.rating, 0),
             rated_count = rated_count - (m.rating IS NOT NULL),
             changed_count = changed_count
                 - (coalesce(json_extract(m.summary, '$.total'), 0)
                    > coalesce(json_extract(m.summary, '$.ratingChanged'), 0))
         FROM (SELECT version, rating, summary FROM makes WHERE recipe_id = ?1 AND make_id = ?2) AS m
         WHERE versions.recipe_id = ?1 AND versions.version = m.version",
        params![recipe_id, make_id],
    )
    .map_err(db("uncounting a make on its version"))?;
    insights::uncount(tx, recipe_id, make_id)?;
    tx.execute(
        "DELETE FROM makes WHERE recipe_id = ?1 AND make_id = ?2",
        params![recipe_id, make_id],
    )
    .map_err(db("removing a make"))?;
    tx.execute(
        "UPDATE recipes SET
             make_count = make_count - 1,
             rating_sum = rating_sum - coalesce(?2, 0),
             rated_count = rated_count - (?2 IS NOT NULL),
             updated_at = ?3
         WHERE recipe_id = ?1",
        params![recipe_id, rating, at],
    )
    .map_err(db("uncounting a make"))?;
    Ok(())
}

fn make_summary_from(row: &Row<'_>) -> rusqlite::Result<MakeSummary> {
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

fn make_facts_from(row: &Row<'_>) -> rusqlite::Result<MakeFacts> {
    json_at(row, 1)
}
