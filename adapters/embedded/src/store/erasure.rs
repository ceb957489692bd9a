//! Erasure: a recipe or a make leaves the store, and only tombstones under
//! object ids stay. Beginning remembers the erasure (a row in `erasures`);
//! finishing is one transaction that removes every record and forgets it,
//! then a checkpoint that leaves no old page in the log.

use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use shared::keys::{RECIPES_PREFIX, recipe_id_from_key};
use shared::model::RecipeId;
use shared::object_id::scrubbed;
use shared::store::{ErasedObject, ErasureTarget, Removed, StoreError, Tombstone, merge_objects};

use super::deletion::remember_deletion;
use super::makes::remove_make;
use super::recipes::recipe_exists;
use super::sql::{MAKE_WRITE, REJECTION_WRITE, VERSION_WRITE, db, to_json, write};

fn target_text(target: &ErasureTarget) -> Result<String, StoreError> {
    to_json(target, "an erasure target")
}

fn is_pending(tx: &Transaction<'_>, target: &str) -> Result<bool, StoreError> {
    tx.query_row("SELECT 1 FROM erasures WHERE target = ?1", [target], |_| {
        Ok(())
    })
    .optional()
    .map(|found| found.is_some())
    .map_err(db("looking up an erasure"))
}

/// The objects of the records `target` names, and whether it names any.
fn objects_of(
    tx: &Transaction<'_>,
    target: &ErasureTarget,
) -> Result<(bool, Vec<ErasedObject>), StoreError> {
    let rows =
        |sql: &str, args: &[&dyn rusqlite::ToSql]| -> Result<Vec<ErasedObject>, StoreError> {
            tx.prepare_cached(sql)
                .and_then(|mut statement| {
                    statement
                        .query_map(args, |row| {
                            Ok(ErasedObject {
                                object_key: row.get(0)?,
                                sequencer: row.get(1)?,
                            })
                        })?
                        .collect()
                })
                .map_err(db("finding the objects of an erasure"))
        };
    match target {
        ErasureTarget::Recipe { recipe_id } => {
            let id = recipe_id.as_str();
            let exists = recipe_exists(tx, recipe_id)?;
            let mut objects = rows(
                "SELECT origin_key, origin_seq FROM versions
                 WHERE recipe_id = ?1 AND origin_key IS NOT NULL
                 UNION ALL
                 SELECT origin_key, origin_seq FROM makes
                 WHERE recipe_id = ?1 AND origin_key IS NOT NULL",
                &[&id],
            )?;
            objects.extend(
                rows(
                    // A rejection's sequencer raises no tombstone (as in
                    // the DynamoDB store, whose rejections do not keep it).
                    "SELECT object_key, NULL FROM rejections
                     WHERE object_key LIKE 'recipes/%'",
                    &[],
                )?
                .into_iter()
                .filter(|o| names(&o.object_key, recipe_id)),
            );
            Ok((exists, objects))
        }
        ErasureTarget::Make { recipe_id, make_id } => {
            let found: Option<(Option<String>, Option<String>)> = tx
                .query_row(
                    "SELECT origin_key, origin_seq FROM makes
                     WHERE recipe_id = ?1 AND make_id = ?2",
                    params![recipe_id.as_str(), make_id.as_str()],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .map_err(db("looking up a make"))?;
            let objects = match &found {
                Some((Some(object_key), sequencer)) => vec![ErasedObject {
                    object_key: object_key.clone(),
                    sequencer: sequencer.clone(),
                }],
                _ => Vec::new(),
            };
            Ok((found.is_some(), objects))
        }
    }
}

/// Whether a `recipes/` key implies `recipe_id` (a rejected upload of the
/// recipe whose document could not say which recipe it was).
fn names(object_key: &str, recipe_id: &RecipeId) -> bool {
    object_key.starts_with(RECIPES_PREFIX)
        && recipe_id_from_key(object_key).is_some_and(|id| id == *recipe_id)
}

/// [`shared::store::RecipeStore::begin_erasure`].
pub(super) fn begin_erasure(
    connection: &mut Connection,
    target: &ErasureTarget,
    at: &str,
) -> Result<Option<Vec<ErasedObject>>, StoreError> {
    let text = target_text(target)?;
    write(connection, "beginning an erasure", |tx| {
        let (exists, objects) = objects_of(tx, target)?;
        if !exists && !is_pending(tx, &text)? {
            return Ok(None);
        }
        tx.execute(
            "INSERT INTO erasures (target, begun_at) VALUES (?1, ?2)
             ON CONFLICT (target) DO NOTHING",
            params![text, at],
        )
        .map_err(db("remembering an erasure"))?;
        Ok(Some(merge_objects(objects)))
    })
}

/// [`shared::store::RecipeStore::finish_erasure`].
pub(super) fn finish_erasure(
    connection: &mut Connection,
    target: &ErasureTarget,
    tombstones: &[Tombstone],
    at: &str,
) -> Result<Removed, StoreError> {
    let removed = erase(connection, target, tombstones, at)?;
    // The log may still hold the pages as they were before: fold it into
    // the file and empty it.
    connection
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .map_err(db("checkpointing after an erasure"))?;
    Ok(removed)
}

/// Removes every record of `target` and forgets the erasure, in one
/// transaction.
fn erase(
    connection: &mut Connection,
    target: &ErasureTarget,
    tombstones: &[Tombstone],
    at: &str,
) -> Result<Removed, StoreError> {
    let text = target_text(target)?;
    write(connection, "erasing", |tx| {
        let (_, objects) = objects_of(tx, target)?;
        let keys: Vec<String> = merge_objects(objects)
            .into_iter()
            .map(|o| o.object_key)
            .collect();
        let mut removed = Removed::default();
        let recipe_id = target.recipe_id().as_str();

        // The rejections of the objects, with their idempotency records.
        for key in &keys {
            let ids: Vec<String> = tx
                .prepare_cached("SELECT rejection_id FROM rejections WHERE object_key = ?1")
                .and_then(|mut s| s.query_map([key], |row| row.get(0))?.collect())
                .map_err(db("finding the rejections of an erased object"))?;
            for id in &ids {
                tx.execute(
                    "DELETE FROM idempotency WHERE kind = ?1
                         AND json_extract(result, '$.rejectionId') = ?2",
                    params![REJECTION_WRITE, id],
                )
                .map_err(db("forgetting a rejection's key"))?;
                tx.execute("DELETE FROM rejections WHERE rejection_id = ?1", [id])
                    .map_err(db("removing a rejection"))?;
            }
            removed.rejections += ids.len() as u64;
        }

        match target {
            ErasureTarget::Recipe { .. } => {
                tx.execute(
                    "DELETE FROM idempotency WHERE kind IN (?1, ?2)
                         AND json_extract(result, '$.recipeId') = ?3",
                    params![VERSION_WRITE, MAKE_WRITE, recipe_id],
                )
                .map_err(db("forgetting a recipe's keys"))?;
                removed.makes =
                    tx.execute("DELETE FROM makes WHERE recipe_id = ?1", [recipe_id])
                        .map_err(db("removing a recipe's makes"))? as u64;
                tx.execute(
                    "DELETE FROM insight_tallies WHERE recipe_id = ?1",
                    [recipe_id],
                )
                .map_err(db("removing a recipe's insight tally"))?;
                removed.versions =
                    tx.execute("DELETE FROM versions WHERE recipe_id = ?1", [recipe_id])
                        .map_err(db("removing a recipe's versions"))? as u64;
                tx.execute("DELETE FROM recipes WHERE recipe_id = ?1", [recipe_id])
                    .map_err(db("removing a recipe"))?;
                // Its variants stay and forget it: they keep only that
                // their parent was erased.
                tx.execute(
                    "UPDATE recipes SET parent_id = NULL, parent_version = NULL, parent_erased = 1
                     WHERE parent_id = ?1",
                    [recipe_id],
                )
                .map_err(db("marking a recipe's variants' parent erased"))?;
            }
            ErasureTarget::Make { make_id, .. } => {
                let rating: Option<Option<f64>> = tx
                    .query_row(
                        "SELECT rating FROM makes WHERE recipe_id = ?1 AND make_id = ?2",
                        params![recipe_id, make_id.as_str()],
                        |row| row.get(0),
                    )
                    .optional()
                    .map_err(db("reading a make's rating"))?;
                if let Some(rating) = rating {
                    remove_make(tx, recipe_id, make_id.as_str(), rating, at)?;
                    removed.makes = 1;
                }
                tx.execute(
                    "DELETE FROM idempotency WHERE kind = ?1
                         AND json_extract(result, '$.recipeId') = ?2
                         AND json_extract(result, '$.makeId') = ?3",
                    params![MAKE_WRITE, recipe_id, make_id.as_str()],
                )
                .map_err(db("forgetting a make's key"))?;
            }
        }
        for tombstone in tombstones {
            if let Some(sequencer) = &tombstone.sequencer {
                remember_deletion(tx, tombstone.object_id.as_str(), sequencer, at)?;
            }
        }
        tx.execute("DELETE FROM erasures WHERE target = ?1", [&text])
            .map_err(db("forgetting an erasure"))?;
        Ok(removed)
    })
}

/// [`shared::store::RecipeStore::pending_erasures`].
pub(super) fn pending_erasures(connection: &Connection) -> Result<Vec<ErasureTarget>, StoreError> {
    let texts: Vec<String> = connection
        .prepare_cached("SELECT target FROM erasures ORDER BY begun_at, target")
        .and_then(|mut s| s.query_map([], |row| row.get(0))?.collect())
        .map_err(db("listing erasures"))?;
    texts
        .iter()
        .map(|text| {
            serde_json::from_str(text).map_err(|e| {
                StoreError::Internal(format!(
                    "an erasure under way is unreadable: {}",
                    scrubbed(&e.to_string())
                ))
            })
        })
        .collect()
}
