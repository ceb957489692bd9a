//! Rejections: storing one (or replaying it from its key), reading one, and
//! the list of them, newest first.

use rusqlite::{Connection, OptionalExtension as _, Row, params};
use serde_json::{Value, json};
use shared::keys::UploadKind;
// Ids and keys in error messages go by their pseudonyms: the messages are logged.
use shared::object_id::logged;
use shared::refusal::{Code, Refusal};
use shared::store::{
    NewRejection, Page, PageRequest, RejectedUpload, RejectionRef, StoreError, StoredRejection,
    Written,
};

use super::deletion::check_not_deleted;
use super::sql::{REJECTION_WRITE, after, conversion, db, into_page, limit, remember, seen, write};

/// The list a cursor can be handed out by, so another list refuses it.
const REJECTIONS_LIST: &str = "rejections";

const REJECTION_COLUMNS: &str = "rejection_id, object_key, kind, code, message, path, created_at";

/// [`shared::store::RecipeStore::put_rejection`].
pub(super) fn put_rejection(
    connection: &mut Connection,
    new: &NewRejection,
) -> Result<Written<StoredRejection>, StoreError> {
    write(connection, "storing a rejection", |tx| {
        check_not_deleted(tx, new.origin().as_ref())?;
        if let Some(first) = seen::<RejectionRef>(tx, REJECTION_WRITE, &new.key)? {
            let stored = rejection(tx, &first.rejection_id)?.ok_or_else(|| {
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

/// [`shared::store::RecipeStore::rejections`].
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

/// The rejection `rejection_id`, if it is stored.
fn rejection(
    connection: &Connection,
    rejection_id: &str,
) -> Result<Option<StoredRejection>, StoreError> {
    connection
        .query_row(
            &format!("SELECT {REJECTION_COLUMNS} FROM rejections WHERE rejection_id = ?1"),
            [rejection_id],
            rejection_from,
        )
        .optional()
        .map_err(db("reading a rejection"))
}

/// A rejection, from [`REJECTION_COLUMNS`].
fn rejection_from(row: &Row<'_>) -> rusqlite::Result<StoredRejection> {
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
