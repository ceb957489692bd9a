//! The store contract against the DynamoDB adapter, through the real
//! aws-sdk-dynamodb client talking to moto's standalone server.

use std::sync::Arc;

use aws_adapters::DynamoStore;
use testkit::MotoServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dynamodb_store_keeps_the_contract() {
    let moto = MotoServer::start();
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(moto.endpoint())
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "static",
        ))
        .load()
        .await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    DynamoStore::create_table(&client, "recipes")
        .await
        .expect("table created");
    let store = DynamoStore::new(client, "recipes");
    testkit::store_contract::run(Arc::new(store)).await;
}
