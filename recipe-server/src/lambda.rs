//! The Lambda function's set-up: its configuration, read once at start-up
//! (a missing or bad setting stops it with a message that names the
//! setting), the state it serves with, built once from it, and the
//! interrupted erasures each new execution environment finishes. The
//! settings are listed on the binary (`src/main.rs`).

use std::sync::Arc;
use std::time::Duration;

use aws_adapters::{DynamoStore, S3Forms, S3Journal, S3Purge, SqsDeadLetters, SqsFailedEvents};
use shared::Limits;
use shared::object_id::LogSettings;
use shared::store::ObjectIds;

use crate::service::Erasure;
use crate::{AppState, Auth, DashboardAuth, Erasers, Parts};

/// How long a new environment spends finishing interrupted erasures.
const RESUME_BUDGET: Duration = Duration::from_secs(5);

/// The function's configuration.
pub struct Config {
    /// The DynamoDB table (`TABLE_NAME`).
    pub table: String,
    /// The upload bucket an erasure removes objects from (`BUCKET_NAME`).
    pub bucket: String,
    /// The dead-letter queue an erasure removes jobs from
    /// (`DEAD_LETTER_QUEUE_URL`).
    pub dead_letters: String,
    /// The watcher's failure queue (its on-failure destination, whose
    /// records hold the failed S3 events' raw keys), which an erasure
    /// purges too (`WATCHER_FAILURE_QUEUE_URL`).
    pub failed_events: String,
    /// The secret object ids are keyed hashes under (`OBJECT_ID_SECRET`):
    /// the tombstones' key.
    pub ids: ObjectIds,
    /// `RUST_LOG`, and the secret logs name objects under
    /// (`LOG_ID_SECRET`, which the watcher and the sender hold too;
    /// without it, a subkey of the tombstones' key): always set.
    pub logs: LogSettings,
    /// The document limits (`shared::limits::LIMIT_VARIABLES`).
    pub limits: Limits,
    /// Who may read and write.
    pub auth: Auth,
    /// How the dashboard signs in.
    pub dashboard: DashboardAuth,
}

impl Config {
    /// Reads the configuration through `lookup` (the environment, in the
    /// function); the error names the setting that is missing or bad.
    ///
    /// # Errors
    /// When a required setting is missing or a setting is malformed.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let table = lookup("TABLE_NAME")
            .ok_or("TABLE_NAME is not set: the function needs its DynamoDB table")?;
        let public_reads = match lookup("READ_AUTH").as_deref() {
            Some("public") => true,
            Some("jwt") | None => false,
            Some(other) => return Err(format!("READ_AUTH={other:?}: expected jwt or public")),
        };
        let dashboard = if public_reads {
            DashboardAuth::Open
        } else {
            DashboardAuth::from_lookup(&lookup)?
        };
        let limits = Limits::from_lookup(&lookup)?;
        let auth = Auth::ApiGateway {
            public_reads,
            read_group: lookup("READ_GROUP").unwrap_or_else(|| "readers".into()),
            writer_role: lookup("SENDER_ROLE").ok_or(
                "SENDER_ROLE is not set: writes are taken only from the sender's role, by name",
            )?,
            smoke_scope: lookup("SMOKE_SCOPE").filter(|s| !s.is_empty()),
            upload_group: lookup("UPLOAD_GROUP").unwrap_or_else(|| "cooks".into()),
            erasers: Erasers {
                any: lookup("ERASER_ROLE").ok_or(
                    "ERASER_ROLE is not set: erasures are taken only from the eraser role, by name",
                )?,
                smoke: lookup("SMOKE_ROLE").filter(|s| !s.is_empty()),
            },
        };
        let bucket = lookup("BUCKET_NAME")
            .ok_or("BUCKET_NAME is not set: erasure removes objects from the bucket")?;
        let dead_letters = lookup("DEAD_LETTER_QUEUE_URL").ok_or(
            "DEAD_LETTER_QUEUE_URL is not set: erasure removes jobs from the dead-letter queue",
        )?;
        let secret = lookup("OBJECT_ID_SECRET")
            .ok_or("OBJECT_ID_SECRET is not set: tombstones need the object-id secret")?;
        let ids = ObjectIds::from_hex(&secret).map_err(|e| format!("OBJECT_ID_SECRET: {e}"))?;
        let failed_events = lookup("WATCHER_FAILURE_QUEUE_URL").ok_or(
            "WATCHER_FAILURE_QUEUE_URL is not set: erasure removes the watcher's failed events that name what it erases",
        )?;
        let mut logs = LogSettings::from_lookup(&lookup)?;
        logs.ids = logs.ids.or_else(|| Some(ids.subkey("logs")));
        Ok(Self {
            table,
            bucket,
            dead_letters,
            failed_events,
            ids,
            logs,
            limits,
            auth,
            dashboard,
        })
    }
}

/// The server's state under `config`, with AWS clients built once from the
/// environment's credentials and region.
///
/// # Errors
/// When the environment gives no region or credentials to sign upload
/// forms with.
pub async fn state(config: Config) -> Result<AppState, String> {
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), config.table);
    let s3 = aws_sdk_s3::Client::new(&aws);
    let credentials = aws
        .credentials_provider()
        .ok_or("no AWS credentials to sign upload forms with")?;
    let region = aws
        .region()
        .ok_or("no AWS region to sign upload forms for")?;
    // Forms for the browser; the server's own puts (an imported page) go
    // to the same keys under the same conditions.
    let forms = S3Forms::new(credentials, region.to_string(), config.bucket.clone(), None)
        .with_client(s3.clone());
    // The journal is in the bucket, not the table: a restore of the table
    // cannot roll it back.
    let journal = S3Journal::new(s3.clone(), config.bucket.clone());
    let bucket = S3Purge::new(s3, config.bucket);
    let sqs = aws_sdk_sqs::Client::new(&aws);
    let jobs = SqsDeadLetters::new(sqs.clone(), config.dead_letters);
    let failed_events = SqsFailedEvents::new(sqs, config.failed_events);
    let erasure = Erasure::new(config.ids)
        .with_bucket(Arc::new(bucket))
        .with_jobs(Arc::new(jobs))
        .with_jobs(Arc::new(failed_events))
        .with_journal(Arc::new(journal));
    Ok(AppState::new(Parts {
        store: Arc::new(store),
        limits: config.limits,
        auth: config.auth,
        erasure,
        dashboard: Some(config.dashboard),
        uploads: Some(Arc::new(forms)),
        pages: Some(Arc::new(web_adapters::GuardedFetcher::new())),
    }))
}

/// Finishes the erasures a timeout or a crash cut short, for up to
/// [`RESUME_BUDGET`]; what is left waits for the next environment, or for
/// the erasure to be called again. The function runs it beside its first
/// requests rather than before them, so that a new environment does not
/// keep its first caller waiting on the store (each step is idempotent, so
/// an erasure called again meanwhile is no conflict).
pub async fn finish_interrupted_erasures(state: AppState) {
    match tokio::time::timeout(RESUME_BUDGET, state.service().resume_erasures()).await {
        Ok(Ok(0)) => {}
        Ok(Ok(finished)) => tracing::info!(finished, "interrupted erasures finished"),
        Ok(Err(failure)) => {
            // Not `Debug`: a failure's variants carry ids and keys.
            tracing::warn!(failure = %failure.for_logs(), "interrupted erasures not finished yet");
        }
        Err(_) => tracing::warn!("interrupted erasures not finished within the start-up budget"),
    }
}
