//! Deletion following the bucket: the check that refuses a write whose
//! upload is older than its object's last deletion, and
//! [`RecipeStore::delete_object`], which removes what came from the object
//! (makes with their counts, rejections), withdraws its versions and
//! remembers the deletion, all in one transaction.
//!
//! [`RecipeStore::delete_object`]: shared::store::RecipeStore::delete_object

use rusqlite::{Connection, OptionalExtension as _, Transaction, params};
use shared::store::{ObjectDeletion, Origin, Removed, StoreError};

use super::makes::remove_make;
use super::sql::{db, write};

/// [`shared::store::RecipeStore::is_deleted`]: whether the upload `origin`
/// names is older than the last deletion of its object.
pub(super) fn is_deleted(connection: &Connection, origin: &Origin) -> Result<bool, StoreError> {
    let deleted: Option<String> = connection
        .query_row(
            "SELECT sequencer FROM deletions WHERE object_id = ?1",
            [origin.object_id.as_str()],
            |row| row.get(0),
        )
        .optional()
        .map_err(db("looking up a deletion"))?;
    Ok(deleted.is_some_and(|sequencer| origin.is_before(Some(&sequencer))))
}

/// Refuses a write whose upload is older than the last deletion of its
/// object (S3 events are unordered: the deletion may be handled first).
pub(super) fn check_not_deleted(
    tx: &Transaction<'_>,
    origin: Option<&Origin>,
) -> Result<(), StoreError> {
    match origin {
        Some(origin) if is_deleted(tx, origin)? => {
            Err(StoreError::Deleted(origin.object_key.clone()))
        }
        _ => Ok(()),
    }
}

/// [`shared::store::RecipeStore::delete_object`].
pub(super) fn delete_object(
    connection: &mut Connection,
    deletion: &ObjectDeletion,
) -> Result<Removed, StoreError> {
    write(connection, "deleting what came from an object", |tx| {
        let key = deletion.object_key.as_str();
        let before = deletion.sequencer.as_deref();
        // Rows whose upload came before the deletion: all of them when the
        // deletion has no sequencer.
        let older = "origin_key = ?1 AND (?2 IS NULL OR origin_seq IS NULL OR origin_seq < ?2)";
        let mut removed = Removed::default();

        let makes: Vec<(String, String, Option<f64>)> = tx
            .prepare_cached(&format!(
                "SELECT recipe_id, make_id, rating FROM makes WHERE {older}"
            ))
            .and_then(|mut statement| {
                statement
                    .query_map(params![key, before], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                    })?
                    .collect()
            })
            .map_err(db("finding the makes of a deleted object"))?;
        for (recipe_id, make_id, rating) in &makes {
            remove_make(tx, recipe_id, make_id, *rating, &deletion.at)?;
        }
        removed.makes = makes.len() as u64;

        let recipes: Vec<String> = tx
            .prepare_cached(&format!(
                "SELECT DISTINCT recipe_id FROM versions WHERE {older} AND withdrawn_at IS NULL"
            ))
            .and_then(|mut statement| {
                statement
                    .query_map(params![key, before], |row| row.get(0))?
                    .collect()
            })
            .map_err(db("finding the versions of a deleted object"))?;
        removed.versions = tx
            .execute(
                &format!(
                    "UPDATE versions SET withdrawn_at = ?3 WHERE {older} AND withdrawn_at IS NULL"
                ),
                params![key, before, deletion.at],
            )
            .map_err(db("withdrawing versions"))? as u64;
        for recipe_id in &recipes {
            recompute_current(tx, recipe_id, &deletion.at)?;
        }

        removed.rejections = tx
            .execute(
                "DELETE FROM rejections WHERE object_key = ?1
                     AND (?2 IS NULL OR sequencer IS NULL OR sequencer < ?2)",
                params![key, before],
            )
            .map_err(db("removing rejections"))? as u64;

        if let Some(sequencer) = before {
            remember_deletion(tx, deletion.object_id.as_str(), sequencer, &deletion.at)?;
        }
        Ok(removed)
    })
}

/// Raises the tombstone of an object id to `sequencer` (it never falls).
pub(super) fn remember_deletion(
    tx: &Transaction<'_>,
    object_id: &str,
    sequencer: &str,
    at: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO deletions (object_id, sequencer, deleted_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (object_id) DO UPDATE SET
             sequencer = max(sequencer, excluded.sequencer),
             deleted_at = excluded.deleted_at",
        params![object_id, sequencer, at],
    )
    .map_err(db("remembering a deletion"))?;
    Ok(())
}

/// Points a recipe at its newest version that is not withdrawn; when every
/// version is withdrawn, at its newest version, and marks it withdrawn.
fn recompute_current(tx: &Transaction<'_>, recipe_id: &str, at: &str) -> Result<(), StoreError> {
    let (version, name, rating, hash, withdrawn): (u32, String, Option<f64>, String, bool) = tx
        .query_row(
            "SELECT version, name, rating, content_hash, withdrawn_at IS NOT NULL FROM versions
             WHERE recipe_id = ?1 ORDER BY withdrawn_at IS NULL DESC, version DESC LIMIT 1",
            [recipe_id],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            },
        )
        .map_err(db("finding a recipe's newest version"))?;
    tx.execute(
        "UPDATE recipes SET current_version = ?2, name = ?3, rating = ?4, content_hash = ?5,
             withdrawn = ?6, updated_at = ?7
         WHERE recipe_id = ?1",
        params![recipe_id, version, name, rating, hash, withdrawn, at],
    )
    .map_err(db("pointing a recipe at its current version"))?;
    Ok(())
}
