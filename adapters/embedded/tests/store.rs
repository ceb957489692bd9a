//! The store contract against the SQLite adapter (the embedded default).

use std::sync::Arc;

use embedded_adapters::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_store_keeps_the_contract() {
    let dir = std::env::temp_dir().join(format!("recipe-store-contract-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let store = SqliteStore::open(&dir.join("store.sqlite3")).expect("opens");
    testkit::store_contract::run(Arc::new(store)).await;
    let _ = std::fs::remove_dir_all(&dir);
}
