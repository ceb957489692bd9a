//! The recipe-server Lambda function: the API behind API Gateway (HTTP API,
//! payload 2.0), with the DynamoDB store. Its [`Config`] is read once and
//! its [`AppState`](recipe_server::AppState) built once per execution
//! environment; every request goes through the same axum Router the local
//! chain serves on a socket.
//!
//! Environment, read once here (a bad value stops start-up with the reason):
//! `TABLE_NAME` (required), `BUCKET_NAME` and `DEAD_LETTER_QUEUE_URL`
//! (required: an erasure removes the erased objects' versions and dead
//! jobs from them, and records itself in the bucket's journal under
//! `erasures/`), `WATCHER_FAILURE_QUEUE_URL` (required: an erasure removes
//! the watcher's failed events that name its objects), `OBJECT_ID_SECRET`
//! (required: 64 or more hexadecimal digits, the secret that tombstones'
//! object ids are keyed hashes under), `SENDER_ROLE` (required: the only role whose sessions may
//! write), `READ_GROUP` (the Cognito group readers must be in; `readers` by
//! default), `SMOKE_SCOPE` (the OAuth scope of the smoke test's machine
//! identity, which reads only its own `smoke-…` recipes; unset: none),
//! `UPLOAD_GROUP` (the Cognito group a user must be in to upload from the
//! dashboard; `cooks` by default),
//! `READ_AUTH` (`jwt`, the default, or `public`),
//! with JWT reads `COGNITO_DOMAIN` and `COGNITO_CLIENT_ID` for the
//! dashboard's sign-in, the limits in `shared::limits::LIMIT_VARIABLES`,
//! `LOG_ID_SECRET` (the secret logs name objects under; a subkey of
//! `OBJECT_ID_SECRET` when unset), and `RUST_LOG` (default `info`).

use recipe_server::lambda::{Config, finish_interrupted_erasures, state};
use recipe_server::router;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_lookup(|name| std::env::var(name).ok())?;
    aws_adapters::init_lambda_logs(config.logs.clone());
    let state = state(config).await?;
    tokio::spawn(finish_interrupted_erasures(state.clone()));
    lambda_http::run(router(state)).await
}
