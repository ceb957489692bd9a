//! The data folder holds the store, the queue and two secrets: only its
//! owner may read it, the write token is 128 random bits written anew at
//! each start, and a link planted where the token goes is never followed.

mod common;

#[cfg(unix)]
#[test]
fn the_data_folder_and_its_files_are_the_owners_only_and_the_token_follows_no_link() {
    use std::os::unix::fs::PermissionsExt as _;

    use common::{Chain, DataDir};

    let data = DataDir::new("modes");
    let outside = testkit::temp_dir("recipe-chain-victim-");
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "untouched").expect("a file outside");
    std::os::unix::fs::symlink(&victim, data.path().join("write-token")).expect("a planted link");

    let chain = Chain::start(data.path(), &[]);
    let mode = |path: &std::path::Path| {
        std::fs::symlink_metadata(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(data.path()), 0o700, "the data folder");
    for file in [
        "write-token",
        "object-id-secret",
        "store.sqlite3",
        "queue.sqlite3",
    ] {
        assert_eq!(mode(&data.path().join(file)), 0o600, "{file}");
    }
    assert_eq!(
        std::fs::read_to_string(&victim).expect("the file outside"),
        "untouched",
        "the token was written through the planted link"
    );
    let token_path = data.path().join("write-token");
    assert!(
        std::fs::symlink_metadata(&token_path)
            .expect("the token")
            .file_type()
            .is_file(),
        "the token is a file of its own"
    );
    let token = std::fs::read_to_string(&token_path).expect("the token");
    assert!(
        token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "128 bits as hexadecimal: {token:?}"
    );
    chain.kill();

    // A new start, a new token.
    let chain = Chain::start(data.path(), &[]);
    let again = std::fs::read_to_string(&token_path).expect("the token");
    assert_ne!(again, token);
    chain.kill();
}
