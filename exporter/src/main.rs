//! The exporter Lambda function, invoked by its EventBridge schedule: the
//! whole recipe table as the four Parquet tables of docs/analysis.md, put
//! into the analytics bucket, which the stack's Glue tables and Athena
//! workgroup read. Its [`Config`] is read once per execution environment.
//!
//! Environment (read by [`Config::from_lookup`]; a bad value stops
//! start-up with the setting's name): `TABLE_NAME`, `ANALYTICS_BUCKET`,
//! `EXPORT_SECRET` (required), `EXPORT_STEP_TEXT` (`false` by default),
//! `LOG_ID_SECRET` and `RUST_LOG` (default `info`). A failed run is an
//! error, which Lambda's asynchronous retries and the on-failure
//! destination take from there; the next scheduled run starts afresh.

use aws_adapters::DynamoStore;
use exporter::lambda::{Config, run};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = Config::from_lookup(|name| std::env::var(name).ok())?;
    aws_adapters::init_lambda_logs(config.logs);

    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), config.table);
    let s3 = aws_sdk_s3::Client::new(&aws);
    let (store, s3, bucket, cooks, options) = (
        &store,
        &s3,
        config.bucket.as_str(),
        &config.cooks,
        config.options,
    );
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let request_id = event.context.request_id;
        match run(store, s3, bucket, cooks, options).await {
            Ok(exported) => Ok(serde_json::json!({
                "recipes": exported.recipes,
                "versions": exported.versions,
                "makes": exported.makes,
                "changes": exported.changes,
            })),
            Err(error) => {
                tracing::error!(%request_id, %error, "the export failed");
                Err(lambda_runtime::Error::from(error))
            }
        }
    }))
    .await
}
