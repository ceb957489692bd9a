//! The store contract against the SQLite adapter (the embedded default).

use std::sync::Arc;

use embedded_adapters::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_store_keeps_the_contract() {
    let dir = testkit::temp_dir("recipe-store-contract-");
    let store = SqliteStore::open(&dir.path().join("store.sqlite3")).expect("opens");
    testkit::store_contract::run(Arc::new(store)).await;
}

/// Erasure leaves no trace in the store's files: not in a row, not in a
/// free page, not in the write-ahead log (the bytes on disk are searched).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_recipe_leaves_no_byte_in_the_store_files() {
    let dir = testkit::temp_dir("recipe-store-erasure-");
    let path = dir.path().join("store.sqlite3");
    let store = SqliteStore::open(&path).expect("opens");
    let files = [path.clone(), path.with_extension("sqlite3-wal")];
    testkit::store_contract::erasure_leaves_no_trace(&store, || async {
        let mut text = String::new();
        for file in &files {
            if let Ok(bytes) = std::fs::read(file) {
                text.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
        text
    })
    .await;
}
