//! The watcher Lambda function, invoked asynchronously by the bucket's
//! `ObjectCreated` notifications for `recipes/` and `makes/`. Clients are
//! built once per execution environment; every event goes to
//! [`watcher::handle_event`].
//!
//! Environment: `QUEUE_URL` (required: the jobs queue), the limits in
//! `shared::limits::LIMIT_VARIABLES`, and `RUST_LOG` (default `info`).
//! A failed invocation is an error only when retrying may help; Lambda's
//! async retries and the on-failure destination take it from there.

use aws_adapters::{S3Objects, SqsJobs};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;
use shared::Limits;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    aws_adapters::init_lambda_logs();
    aws_adapters::init_log_ids()?;

    let queue_url = std::env::var("QUEUE_URL")
        .map_err(|_| "QUEUE_URL is not set: the function needs the jobs queue's URL")?;
    let limits = Limits::from_lookup(|name| std::env::var(name).ok())?;
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let objects = S3Objects::new(aws_sdk_s3::Client::new(&config));
    let jobs = SqsJobs::new(aws_sdk_sqs::Client::new(&config), queue_url);

    let (objects, jobs, limits) = (&objects, &jobs, &limits);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let request_id = event.context.request_id;
        watcher::handle_event(event.payload, objects, jobs, limits)
            .await
            .map_err(|error| {
                tracing::error!(%request_id, %error, "the event failed; Lambda will retry it");
                lambda_runtime::Error::from(error)
            })
    }))
    .await
}
