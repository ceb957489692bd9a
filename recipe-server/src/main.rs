//! The recipe-server Lambda function: the API behind API Gateway (HTTP API,
//! payload 2.0), with the DynamoDB store. Clients are built once per
//! execution environment; every request goes through the same axum Router
//! the local chain serves on a socket.
//!
//! Environment, read once here (a bad value stops start-up with the reason):
//! `TABLE_NAME` (required), `BUCKET_NAME` and `DEAD_LETTER_QUEUE_URL`
//! (required: an erasure removes the erased objects' versions and dead
//! jobs from them), `OBJECT_ID_SECRET` (required: 64 or
//! more hexadecimal digits, the secret that tombstones' object ids are keyed
//! hashes under), `SENDER_ROLE` (required: the only role whose sessions may
//! write), `READ_GROUP` (the Cognito group readers must be in; `readers` by
//! default), `SMOKE_SCOPE` (the OAuth scope of the smoke test's machine
//! identity, which reads only its own `smoke-…` recipes; unset: none),
//! `READ_AUTH` (`jwt`, the default, or `public`),
//! with JWT reads `COGNITO_DOMAIN` and `COGNITO_CLIENT_ID` for the
//! dashboard's sign-in, the limits in `shared::limits::LIMIT_VARIABLES`, and
//! `RUST_LOG` (default `info`).

use std::sync::Arc;

use aws_adapters::{DynamoStore, S3Purge, SqsDeadLetters};
use recipe_server::service::Erasure;
use recipe_server::{AppState, Auth, DashboardAuth, router};
use shared::Limits;
use shared::store::ObjectIds;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aws_adapters::init_lambda_logs();

    let table = std::env::var("TABLE_NAME")
        .map_err(|_| "TABLE_NAME is not set: the function needs its DynamoDB table")?;
    let public_reads = match std::env::var("READ_AUTH").as_deref() {
        Ok("public") => true,
        Ok("jwt") | Err(_) => false,
        Ok(other) => return Err(format!("READ_AUTH={other:?}: expected jwt or public").into()),
    };
    let dashboard = if public_reads {
        DashboardAuth::Open
    } else {
        DashboardAuth::from_env()?
    };
    let limits = Limits::from_lookup(|name| std::env::var(name).ok())?;
    let read_group = std::env::var("READ_GROUP").unwrap_or_else(|_| "readers".into());
    let writer_role = std::env::var("SENDER_ROLE").map_err(
        |_| "SENDER_ROLE is not set: writes are taken only from the sender's role, by name",
    )?;
    let smoke_scope = std::env::var("SMOKE_SCOPE").ok().filter(|s| !s.is_empty());
    let bucket = std::env::var("BUCKET_NAME")
        .map_err(|_| "BUCKET_NAME is not set: erasure removes objects from the bucket")?;
    let dead_letters = std::env::var("DEAD_LETTER_QUEUE_URL").map_err(
        |_| "DEAD_LETTER_QUEUE_URL is not set: erasure removes jobs from the dead-letter queue",
    )?;
    let ids = std::env::var("OBJECT_ID_SECRET")
        .map_err(|_| "OBJECT_ID_SECRET is not set: tombstones need the object-id secret".to_owned())
        .and_then(|text| {
            ObjectIds::from_hex(&text).map_err(|e| format!("OBJECT_ID_SECRET: {e}"))
        })?;
    shared::object_id::set_log_ids(ids.clone());
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&config), table);
    let erasure = Erasure::new(ids)
        .with_bucket(Arc::new(S3Purge::new(
            aws_sdk_s3::Client::new(&config),
            bucket,
        )))
        .with_jobs(Arc::new(SqsDeadLetters::new(
            aws_sdk_sqs::Client::new(&config),
            dead_letters,
        )));
    let state = AppState::new(
        Arc::new(store),
        limits,
        Auth::ApiGateway {
            public_reads,
            read_group,
            writer_role,
            smoke_scope,
        },
        erasure,
    )
    .with_dashboard_auth(dashboard);
    // An erasure cut short (a timeout, a crash) is finished by a call
    // again, and by every new execution environment, within a part of the
    // start-up budget; what is left waits for the next.
    match tokio::time::timeout(RESUME_BUDGET, state.service().resume_erasures()).await {
        Ok(Ok(0)) => {}
        Ok(Ok(finished)) => tracing::info!(finished, "interrupted erasures finished"),
        Ok(Err(failure)) => tracing::warn!(?failure, "interrupted erasures not finished yet"),
        Err(_) => tracing::warn!("interrupted erasures not finished within the start-up budget"),
    }
    lambda_http::run(router(state)).await
}

/// How long start-up spends finishing interrupted erasures (Lambda allows
/// 10 s for start-up).
const RESUME_BUDGET: std::time::Duration = std::time::Duration::from_secs(5);
