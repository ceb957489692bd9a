//! The store contract against the SQLite adapter (the embedded default).

use std::sync::Arc;

use embedded_adapters::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_store_keeps_the_contract() {
    let dir = testkit::temp_dir("recipe-store-contract-");
    let store = SqliteStore::open(&dir.path().join("store.sqlite3")).expect("opens");
    testkit::store_contract::run(Arc::new(store)).await;
}
