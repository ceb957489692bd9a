//! The watcher Lambda function, invoked asynchronously by the bucket's
//! `ObjectCreated` notifications for `recipes/` and `makes/`. Its
//! [`Config`] is read once and its [`Deps`] built once per execution
//! environment; every event goes to [`watcher::handle_event`].
//!
//! Environment (read by [`Config::from_lookup`]; a bad value stops
//! start-up with the setting's name): `QUEUE_URL` (required: the jobs
//! queue), the limits in `shared::limits::LIMIT_VARIABLES`,
//! `LOG_ID_SECRET` and `RUST_LOG` (default `info`).
//! A failed invocation is an error only when retrying may help; Lambda's
//! async retries and the on-failure destination take it from there.

use aws_adapters::{S3Objects, SqsJobs};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;
use watcher::{Config, Deps};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = Config::from_lookup(|name| std::env::var(name).ok())?;
    aws_adapters::init_lambda_logs(config.logs);

    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let objects = S3Objects::new(aws_sdk_s3::Client::new(&aws));
    let jobs = SqsJobs::new(aws_sdk_sqs::Client::new(&aws), config.queue_url);
    let deps = Deps::new(&objects, &jobs, config.limits);

    let deps = &deps;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let request_id = event.context.request_id;
        watcher::handle_event(event.payload, deps)
            .await
            .map_err(|error| {
                tracing::error!(%request_id, %error, "the event failed; Lambda will retry it");
                lambda_runtime::Error::from(error)
            })
    }))
    .await
}
