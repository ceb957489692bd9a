//! `recipe-chain import`, run as a user runs it: a link imported by the
//! running chain from a page server on this machine (allowed by the test
//! setting), stored as a recipe through the whole chain; the same server
//! refused by a chain without that setting; and a file imported as `drop`
//! copies it.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{Chain, DataDir, page_server, wait_until};

const CAKE: &[u8] = include_bytes!("../../fixtures/pages/lemon-drizzle-cake.html");

/// The port of a running chain, from its address.
fn port_of(chain: &Chain) -> String {
    chain
        .address
        .rsplit(':')
        .next()
        .map(|p| p.trim_end_matches('/').to_owned())
        .expect("the chain's port")
}

/// `recipe-chain import source --port port --data data`: its success and
/// its output.
fn import(source: &str, port: &str, data: &std::path::Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_recipe-chain"))
        .args(["import", source, "--port", port, "--data"])
        .arg(data)
        .output()
        .expect("recipe-chain import runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn a_link_is_imported_through_the_chain_from_a_page_server_the_test_allows() {
    let pages = page_server(CAKE);
    let data = DataDir::new("import-link");
    let chain = Chain::start_with_env(
        data.path(),
        &[("RECIPE_CHAIN_TEST_IMPORT_HOST", "localhost")],
    );
    let url = format!("http://localhost:{pages}/recipes/lemon-drizzle-cake");
    let (ok, said) = import(&url, &port_of(&chain), data.path());
    assert!(ok, "{said}");
    assert!(
        said.contains("recipes/cooks/dashboard/lemon-drizzle-cake-"),
        "{said}"
    );
    let mut id = String::new();
    wait_until("the imported recipe", Duration::from_secs(60), || {
        let recipes = chain.get("/recipes");
        id = recipes["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["name"] == "Lemon Drizzle Cake")
            .and_then(|r| r["recipeId"].as_str())
            .unwrap_or_default()
            .to_owned();
        !id.is_empty()
    });
    assert!(id.starts_with("lemon-drizzle-cake-"), "{id}");
    let version = chain.get(&format!("/recipes/{id}"));
    assert_eq!(version["version"], 1, "{version}");
    let rejections = chain.get("/rejections");
    assert_eq!(
        rejections["items"].as_array().map(Vec::len),
        Some(0),
        "{rejections}"
    );
}

#[test]
fn the_same_page_server_is_refused_by_a_chain_without_the_test_setting() {
    let pages = page_server(CAKE);
    let data = DataDir::new("import-refused");
    let chain = Chain::start(data.path(), &[]);
    let url = format!("http://localhost:{pages}/recipes/lemon-drizzle-cake");
    let (ok, said) = import(&url, &port_of(&chain), data.path());
    assert!(!ok, "{said}");
    assert!(
        said.contains("import-address-refused") && said.contains("loopback"),
        "{said}"
    );
    assert!(
        common::files_below(&data.bucket()).is_empty(),
        "nothing went into the bucket"
    );
}

#[test]
fn a_file_is_imported_into_the_bucket_folder_as_drop_copies_it() {
    let data = DataDir::new("import-file");
    let file = data.path().join("lemon-drizzle-cake.html");
    std::fs::write(&file, CAKE).expect("the page saved");
    let (ok, said) = import(file.to_str().expect("UTF-8"), "1", data.path());
    assert!(ok, "{said}");
    let stored = std::fs::read(data.bucket().join("recipes/lemon-drizzle-cake.html"))
        .expect("the page in the bucket folder");
    assert_eq!(stored, CAKE);
}
