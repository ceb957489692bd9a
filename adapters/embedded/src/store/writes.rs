//! Writes: each one `BEGIN IMMEDIATE` transaction with its idempotency
//! check and all of its effects.

use super::*;

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
                    "the idempotency record of {kind} write {} is unreadable: {e}",
                    key.as_str()
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

pub(super) fn put_version(
    connection: &mut Connection,
    new: &NewVersion,
) -> Result<Written<StoredVersion>, StoreError> {
    write(connection, "storing a recipe version", |tx| {
        if let Some(first) = seen::<VersionRef>(tx, VERSION_WRITE, &new.key)? {
            let stored =
                load_version(tx, &first.recipe_id, Some(first.version))?.ok_or_else(|| {
                    StoreError::Internal(format!(
                        "key {} names version {} of recipe {}, which is missing",
                        new.key.as_str(),
                        first.version,
                        first.recipe_id
                    ))
                })?;
            return Ok(Written::Replayed(stored));
        }
        let recipe_id = new.recipe_id.as_str();
        let current: Option<(u32, String)> = tx
            .query_row(
                "SELECT current_version, content_hash FROM recipes WHERE recipe_id = ?1",
                [recipe_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(db("reading the recipe's current version"))?;
        if let Some((version, hash)) = &current
            && *hash == new.content_hash
        {
            let stored = load_version(tx, &new.recipe_id, Some(*version))?.ok_or_else(|| {
                StoreError::Internal(format!(
                    "the current version {version} of recipe {recipe_id} is missing"
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
            Some((current, _)) => current.checked_add(1).ok_or_else(|| {
                StoreError::Internal(format!("recipe {recipe_id} has run out of version numbers"))
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
                 updated_at = excluded.updated_at",
            params![recipe_id, new.name, version, new.rating, new.content_hash, new.at],
        )
        .map_err(db("updating the recipe's current version"))?;
        tx.execute(
            "INSERT INTO versions (recipe_id, version, name, rating, content_hash, created_at, document)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                recipe_id,
                version,
                new.name,
                new.rating,
                new.content_hash,
                new.at,
                to_json(&new.document, "a recipe version")?
            ],
        )
        .map_err(db("inserting a recipe version"))?;
        let first = VersionRef {
            recipe_id: new.recipe_id.clone(),
            version,
        };
        remember(tx, VERSION_WRITE, &new.key, &first, &new.at)?;
        Ok(Written::Created(StoredVersion {
            recipe_id: new.recipe_id.clone(),
            version,
            name: new.name.clone(),
            content_hash: new.content_hash.clone(),
            created_at: new.at.clone(),
            document: new.document.clone(),
        }))
    })
}

pub(super) fn put_make(
    connection: &mut Connection,
    new: &NewMake,
) -> Result<Written<MakeRef>, StoreError> {
    let make = &new.make;
    write(connection, "storing a make", |tx| {
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
                                document, diff, summary, scale_factor, facts)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
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
                        new.key.as_str(),
                        first.rejection_id
                    ))
                })?;
            return Ok(Written::Replayed(stored));
        }
        let stored = new.to_stored();
        tx.execute(
            &format!(
                "INSERT INTO rejections ({REJECTION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ),
            params![
                stored.rejection_id,
                stored.object_key,
                stored.kind.map(UploadKind::as_str),
                stored.code,
                stored.message,
                stored.path,
                stored.created_at
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
