//! Writes: each one `BEGIN IMMEDIATE` transaction with its idempotency
//! check and all of its effects.

use super::*;
// Ids and keys in error messages go by their pseudonyms: the messages are logged.
use shared::object_id::{logged, scrubbed};

/// Runs `effects` in one write transaction: all of them or none.
pub(super) fn write<T>(
    connection: &mut Connection,
    what: &'static str,
    effects: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let tx = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db(what))?;
    // On an error the transaction is dropped, which rolls it back.
    let result = effects(&tx)?;
    tx.commit().map_err(db(what))?;
    Ok(result)
}

/// The first result of the write with this key, if there was one.
pub(super) fn seen<T: DeserializeOwned>(
    tx: &Transaction<'_>,
    kind: &str,
    key: &IdempotencyKey,
) -> Result<Option<T>, StoreError> {
    let result: Option<String> = tx
        .query_row(
            "SELECT result FROM idempotency WHERE kind = ?1 AND key = ?2",
            params![kind, key.as_str()],
            |row| row.get(0),
        )
        .optional()
        .map_err(db("reading an idempotency record"))?;
    result
        .map(|text| {
            serde_json::from_str(&text).map_err(|e| {
                StoreError::Internal(format!(
                    "the idempotency record of {kind} write {} is unreadable: {}",
                    logged(key.as_str()),
                    scrubbed(&e.to_string())
                ))
            })
        })
        .transpose()
}

pub(super) fn remember<T: Serialize>(
    tx: &Transaction<'_>,
    kind: &str,
    key: &IdempotencyKey,
    result: &T,
    at: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO idempotency (kind, key, result, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            kind,
            key.as_str(),
            to_json(result, "an idempotency record")?,
            at
        ],
    )
    .map_err(db("recording an idempotency key"))?;
    Ok(())
}

/// Whether the upload `origin` names is older than the last deletion of
/// its object.
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
fn check_not_deleted(tx: &Transaction<'_>, origin: Option<&Origin>) -> Result<(), StoreError> {
    match origin {
        Some(origin) if is_deleted(tx, origin)? => {
            Err(StoreError::Deleted(origin.object_key.clone()))
        }
        _ => Ok(()),
    }
}

pub(super) fn put_version(
    connection: &mut Connection,
    new: &NewVersion,
) -> Result<Written<StoredVersion>, StoreError> {
    write(connection, "storing a recipe version", |tx| {
        check_not_deleted(tx, new.origin.as_ref())?;
        if let Some(first) = seen::<VersionRef>(tx, VERSION_WRITE, &new.key)? {
            let stored =
                load_version(tx, &first.recipe_id, Some(first.version))?.ok_or_else(|| {
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
        if let Some((version, hash, false, _)) = &current
            && *hash == new.content_hash
        {
            let stored = load_version(tx, &new.recipe_id, Some(*version))?.ok_or_else(|| {
                StoreError::Internal(format!(
                    "the current version {version} of recipe {} is missing",
                    logged(recipe_id)
                ))
            })?;
            let first = VersionRef {
                recipe_id: new.recipe_id.clone(),
                version: *version,
            };
            remember(tx, VERSION_WRITE, &new.key, &first, &new.at)?;
            return Ok(Written::Unchanged(stored));
        }
        let version = match current {
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
            params![recipe_id, new.name, version, new.rating, new.content_hash, new.at],
        )
        .map_err(db("updating the recipe's current version"))?;
        tx.execute(
            "INSERT INTO versions (recipe_id, version, name, rating, content_hash, created_at, document,
                                   origin_key, origin_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                recipe_id,
                version,
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
            version,
        };
        remember(tx, VERSION_WRITE, &new.key, &first, &new.at)?;
        Ok(Written::Created(new.stored(version)))
    })
}

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
        let first = make.to_ref();
        remember(tx, MAKE_WRITE, &new.key, &first, &make.created_at)?;
        Ok(Written::Created(first))
    })
}

pub(super) fn put_rejection(
    connection: &mut Connection,
    new: &NewRejection,
) -> Result<Written<StoredRejection>, StoreError> {
    write(connection, "storing a rejection", |tx| {
        check_not_deleted(tx, new.origin().as_ref())?;
        if let Some(first) = seen::<RejectionRef>(tx, REJECTION_WRITE, &new.key)? {
            let stored = tx
                .query_row(
                    &format!("SELECT {REJECTION_COLUMNS} FROM rejections WHERE rejection_id = ?1"),
                    [&first.rejection_id],
                    rejection_from,
                )
                .optional()
                .map_err(db("reading a rejection"))?
                .ok_or_else(|| {
                    StoreError::Internal(format!(
                        "key {} names rejection {}, which is missing",
                        logged(new.key.as_str()),
                        first.rejection_id
                    ))
                })?;
            return Ok(Written::Replayed(stored));
        }
        let stored = new.to_stored();
        tx.execute(
            &format!(
                "INSERT INTO rejections ({REJECTION_COLUMNS}, sequencer)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ),
            params![
                stored.rejection_id,
                stored.upload.object_key,
                stored.upload.kind.map(UploadKind::as_str),
                stored.upload.refusal.code.as_str(),
                stored.upload.refusal.message,
                stored.upload.refusal.path,
                stored.created_at,
                new.sequencer,
            ],
        )
        .map_err(db("inserting a rejection"))?;
        let first = RejectionRef {
            rejection_id: stored.rejection_id.clone(),
        };
        remember(tx, REJECTION_WRITE, &new.key, &first, &new.at)?;
        Ok(Written::Created(stored))
    })
}

/// Removes what came from a deleted object before the deletion (makes with
/// their counts, rejections), withdraws its versions, and remembers the
/// deletion; all in one transaction.
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

/// Removes one make and takes it out of its recipe's counters.
pub(super) fn remove_make(
    tx: &Transaction<'_>,
    recipe_id: &str,
    make_id: &str,
    rating: Option<f64>,
    at: &str,
) -> Result<(), StoreError> {
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
