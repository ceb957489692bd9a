//! The store contract against the DynamoDB adapter, through the real
//! aws-sdk-dynamodb client talking to moto's standalone server.

use std::sync::Arc;

use aws_adapters::DynamoStore;
use testkit::MotoServer;

/// A DynamoDB client of `moto`.
async fn client_of(moto: &MotoServer) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&testkit::aws::sdk_config(moto).await)
}

/// A client of `moto` and a store on its new table `table`.
async fn store_of(moto: &MotoServer, table: &str) -> (aws_sdk_dynamodb::Client, DynamoStore) {
    let client = client_of(moto).await;
    DynamoStore::create_table(&client, table)
        .await
        .expect("table created");
    (client.clone(), DynamoStore::new(client, table))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dynamodb_store_keeps_the_contract() {
    let moto = MotoServer::start();
    let (_, store) = store_of(&moto, "recipes").await;
    testkit::store_contract::run(Arc::new(store)).await;
}

/// Erasure leaves no trace in the table: every item is scanned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_recipe_leaves_no_item_in_the_table() {
    let moto = MotoServer::start();
    let (client, store) = store_of(&moto, "erasure").await;
    testkit::store_contract::erasure_leaves_no_trace(&store, || {
        testkit::aws::table_text(&client, "erasure")
    })
    .await;
}
