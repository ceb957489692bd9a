//! The `exporter` Lambda function's part: its configuration, read once at
//! start-up (a missing or bad setting stops it with a message that names
//! the setting), and one run: the whole store read through the DynamoDB
//! adapter, its progress in the log, and each table put into the analytics
//! bucket under `<table>/<table>.parquet`, replacing the last run's.

use aws_adapters::DynamoStore;
use shared::object_id::LogSettings;
use shared::store::ObjectIds;

use crate::{Exported, Options, read_all};

/// How often a run logs its progress: every this many recipes.
const PROGRESS_EVERY: u64 = 100;

/// The function's configuration.
pub struct Config {
    /// The DynamoDB table (`TABLE_NAME`).
    pub table: String,
    /// The analytics bucket (`ANALYTICS_BUCKET`).
    pub bucket: String,
    /// The key `logged_by` pseudonyms are keyed hashes under
    /// (`EXPORT_SECRET`: the export's own secret, which no other function
    /// holds, so a pseudonym matches no tombstone or log line).
    pub cooks: ObjectIds,
    /// Whether step text goes out (`EXPORT_STEP_TEXT`: `true` or `false`,
    /// the default).
    pub options: Options,
    /// `RUST_LOG` and `LOG_ID_SECRET`.
    pub logs: LogSettings,
}

impl Config {
    /// Reads the configuration through `lookup` (the environment, in the
    /// function); the error names the setting that is missing or bad.
    ///
    /// # Errors
    /// When a required setting is missing or a setting is malformed.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let table = lookup("TABLE_NAME")
            .ok_or("TABLE_NAME is not set: the export reads the recipe table")?;
        let bucket = lookup("ANALYTICS_BUCKET")
            .ok_or("ANALYTICS_BUCKET is not set: the export writes into the analytics bucket")?;
        let secret = lookup("EXPORT_SECRET").ok_or(
            "EXPORT_SECRET is not set: who logged a make goes out as a keyed hash under it",
        )?;
        let cooks = ObjectIds::from_hex(&secret).map_err(|e| format!("EXPORT_SECRET: {e}"))?;
        let with_text = match lookup("EXPORT_STEP_TEXT").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(format!(
                    "EXPORT_STEP_TEXT={other:?}: expected true or false"
                ));
            }
        };
        Ok(Self {
            table,
            bucket,
            cooks,
            options: Options { with_text },
            logs: LogSettings::from_lookup(&lookup)?,
        })
    }
}

/// One export: every table of `store` into `bucket`.
///
/// # Errors
/// When the store cannot be read or a table cannot be put; the last run's
/// tables are then left as they were, or some replaced (each is whole).
pub async fn run(
    store: &DynamoStore,
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    cooks: &ObjectIds,
    options: Options,
) -> Result<Exported, String> {
    let mut logged = 0;
    let (tables, exported) = read_all(store, options, cooks, &mut |so_far| {
        if so_far.recipes >= logged + PROGRESS_EVERY {
            logged = so_far.recipes;
            tracing::info!(
                recipes = so_far.recipes,
                makes = so_far.makes,
                "exporting: read so far"
            );
        }
    })
    .await
    .map_err(|e| format!("reading the store: {e}"))?;
    for (table, bytes) in tables.into_parquet()? {
        let key = format!("{table}/{table}.parquet");
        let size = bytes.len();
        s3.put_object()
            .bucket(bucket)
            .key(&key)
            .content_type("application/vnd.apache.parquet")
            .body(bytes.into())
            .send()
            .await
            .map_err(|e| {
                format!(
                    "putting {key}: {}",
                    aws_sdk_s3::error::DisplayErrorContext(&e)
                )
            })?;
        tracing::info!(table, bytes = size, "exported");
    }
    tracing::info!(
        recipes = exported.recipes,
        versions = exported.versions,
        makes = exported.makes,
        changes = exported.changes,
        "export done"
    );
    Ok(exported)
}
