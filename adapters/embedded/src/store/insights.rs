//! Insight tallies: a recipe's read, the first fold kept, and a make
//! counted in or out in the transaction that stores or removes it.

use rusqlite::{Connection, OptionalExtension as _, params};
use shared::insights::{InsightTally, MakeFacts};
use shared::model::RecipeId;
use shared::store::{KeptTally, StoreError};

use super::recipes::recipe_exists;
use super::sql::{db, to_json, write};

/// [`shared::store::RecipeStore::insight_tally`].
pub(super) fn insight_tally(
    connection: &mut Connection,
    recipe_id: &RecipeId,
) -> Result<KeptTally, StoreError> {
    kept(connection, recipe_id.as_str())
}

/// [`shared::store::RecipeStore::keep_insight_tally`].
pub(super) fn keep_insight_tally(
    connection: &mut Connection,
    recipe_id: &RecipeId,
    tally: &InsightTally,
    make_writes: u64,
) -> Result<bool, StoreError> {
    write(connection, "keeping an insight tally", |tx| {
        if !recipe_exists(tx, recipe_id)? {
            return Ok(false);
        }
        let now = kept(tx, recipe_id.as_str())?;
        if now.tally.is_some() || now.make_writes != make_writes {
            return Ok(false);
        }
        store(
            tx,
            recipe_id.as_str(),
            &KeptTally {
                tally: Some(tally.clone()),
                make_writes,
            },
        )?;
        Ok(true)
    })
}

/// Counts a make in (`add`) or out of its recipe's tally, in the write
/// that stores or removes it.
pub(super) fn count(
    connection: &Connection,
    recipe_id: &str,
    facts: &MakeFacts,
    add: bool,
) -> Result<(), StoreError> {
    let after = kept(connection, recipe_id)?.after(facts, add);
    store(connection, recipe_id, &after)
}

/// Counts out a stored make, from the facts stored with it.
pub(super) fn uncount(
    connection: &Connection,
    recipe_id: &str,
    make_id: &str,
) -> Result<(), StoreError> {
    let facts: Option<String> = connection
        .query_row(
            "SELECT facts FROM makes WHERE recipe_id = ?1 AND make_id = ?2",
            params![recipe_id, make_id],
            |row| row.get(0),
        )
        .optional()
        .map_err(db("reading a make's facts"))?;
    let Some(facts) = facts else {
        return Ok(());
    };
    let facts: MakeFacts = serde_json::from_str(&facts)
        .map_err(|e| StoreError::Internal(format!("a stored make's facts are unreadable: {e}")))?;
    count(connection, recipe_id, &facts, false)
}

fn kept(connection: &Connection, recipe_id: &str) -> Result<KeptTally, StoreError> {
    let row: Option<(Option<String>, i64)> = connection
        .query_row(
            "SELECT tally, make_writes FROM insight_tallies WHERE recipe_id = ?1",
            [recipe_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .map_err(db("reading an insight tally"))?;
    let Some((tally, make_writes)) = row else {
        return Ok(KeptTally::default());
    };
    let tally = tally
        .map(|text| serde_json::from_str(&text))
        .transpose()
        .map_err(|e| StoreError::Internal(format!("a stored insight tally is unreadable: {e}")))?;
    Ok(KeptTally {
        tally,
        make_writes: u64::try_from(make_writes).unwrap_or_default(),
    })
}

fn store(connection: &Connection, recipe_id: &str, kept: &KeptTally) -> Result<(), StoreError> {
    let tally = kept
        .tally
        .as_ref()
        .map(|t| to_json(t, "an insight tally"))
        .transpose()?;
    connection
        .execute(
            "INSERT INTO insight_tallies (recipe_id, tally, make_writes) VALUES (?1, ?2, ?3)
             ON CONFLICT (recipe_id) DO UPDATE SET tally = ?2, make_writes = ?3",
            params![
                recipe_id,
                tally,
                i64::try_from(kept.make_writes).unwrap_or(i64::MAX)
            ],
        )
        .map_err(db("keeping an insight tally"))?;
    Ok(())
}
