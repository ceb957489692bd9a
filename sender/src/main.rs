//! The sender Lambda function: SQS batches of jobs become SigV4-signed
//! calls to the recipe server behind API Gateway. Its [`Config`] is read
//! once and its [`Deps`] built once per execution environment; the handler
//! reports failed messages in `batchItemFailures`.
//!
//! Environment (read by [`Config::from_lookup`]; a bad value stops
//! start-up with the setting's name): `API_URL` (required),
//! `API_TIMEOUT_MS` (default 10000), the limits in
//! `shared::limits::LIMIT_VARIABLES` (`MAX_OBJECT_BYTES` bounds
//! claim-checked reads), `LOG_ID_SECRET` and `RUST_LOG` (default `info`).

use std::sync::Arc;

use aws_adapters::S3Objects;
use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{LambdaEvent, service_fn};
use sender::{Config, Deps, HttpApi, SigV4Signer, Signer, handle_event};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = Config::from_lookup(|name| std::env::var(name).ok())?;
    aws_adapters::init_lambda_logs(config.logs);

    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let region = aws
        .region()
        .ok_or("no AWS region: set AWS_REGION (Lambda sets it)")?
        .to_string();
    let credentials = aws
        .credentials_provider()
        .ok_or("no AWS credentials provider")?;
    let signer = Signer::SigV4(SigV4Signer::new(credentials, region));
    let api = HttpApi::new(&config.api_url, signer, config.timeout)?;
    let objects = S3Objects::new(aws_sdk_s3::Client::new(&aws));
    let deps = Deps::new(Arc::new(api), Arc::new(objects), config.limits);

    let deps = &deps;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        handle_event(event.payload, deps)
            .await
            .map_err(lambda_runtime::Error::from)
    }))
    .await
}
