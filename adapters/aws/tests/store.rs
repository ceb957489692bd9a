//! The store contract against the DynamoDB adapter, through the real
//! aws-sdk-dynamodb client talking to moto's standalone server.

use std::sync::Arc;

use aws_adapters::DynamoStore;
use testkit::MotoServer;

/// A DynamoDB client of `moto`.
async fn client_of(moto: &MotoServer) -> aws_sdk_dynamodb::Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(moto.endpoint())
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "static",
        ))
        .load()
        .await;
    aws_sdk_dynamodb::Client::new(&config)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dynamodb_store_keeps_the_contract() {
    let moto = MotoServer::start();
    let client = client_of(&moto).await;
    DynamoStore::create_table(&client, "recipes")
        .await
        .expect("table created");
    let store = DynamoStore::new(client, "recipes");
    testkit::store_contract::run(Arc::new(store)).await;
}

/// Erasure leaves no trace in the table: every item is scanned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_recipe_leaves_no_item_in_the_table() {
    let moto = MotoServer::start();
    let client = client_of(&moto).await;
    DynamoStore::create_table(&client, "erasure")
        .await
        .expect("table created");
    let store = DynamoStore::new(client.clone(), "erasure");
    testkit::store_contract::erasure_leaves_no_trace(&store, || async {
        let mut text = String::new();
        let mut start = None;
        loop {
            let page = client
                .scan()
                .table_name("erasure")
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("scan");
            for item in page.items() {
                text.push_str(&format!("{item:?}\n"));
            }
            match page.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return text,
            }
        }
    })
    .await;
}
