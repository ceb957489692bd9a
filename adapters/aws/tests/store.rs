//! The store contract against the DynamoDB adapter, through the real
//! aws-sdk-dynamodb client talking to moto's standalone server.

use std::sync::Arc;

use aws_adapters::DynamoStore;
use testkit::MotoServer;

/// A DynamoDB client of `moto`.
async fn client_of(moto: &MotoServer) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&testkit::aws::sdk_config(moto).await)
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
    testkit::store_contract::erasure_leaves_no_trace(&store, || {
        testkit::aws::table_text(&client, "erasure")
    })
    .await;
}
