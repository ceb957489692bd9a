//! The erasure journal's contract against the file in the data folder:
//! every byte of the file is searched for the erased ids.

use embedded_adapters::FileJournal;

#[tokio::test]
async fn the_journal_file_keeps_the_contract_and_holds_no_raw_id() {
    let dir = testkit::temp_dir("journal-contract-");
    let path = dir.path().join("erasures.jsonl");
    let journal = FileJournal::new(&path);
    testkit::journal_contract::run(&journal, || {
        let path = path.clone();
        async move { String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned() }
    })
    .await;
}
