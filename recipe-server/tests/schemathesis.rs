//! The OpenAPI document is the contract: schemathesis (from PyPI, installed
//! into `.venv/` by `make test`) generates requests from it against the
//! standalone server on a free loopback port, and every response must be
//! documented (status, content type, headers, schema) and never a 5xx.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{TOKEN, TempStore, fixture};
use recipe_server::{AppState, Auth};
use shared::Limits;

fn schemathesis() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/schemathesis");
    assert!(
        path.exists(),
        "schemathesis not found at {}: run `make test` (it installs it into .venv/)",
        path.display()
    );
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_keeps_its_openapi_contract() {
    let binary = schemathesis();
    let t = TempStore::new("schemathesis");
    seed(t.store.clone()).await;
    let state = AppState::new(
        t.store.clone(),
        Limits::default(),
        Auth::LocalToken(TOKEN.into()),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(recipe_server::serve(listener, state, async {
        let _ = stopped.await;
    }));
    // Something to find: a recipe with a make, so that reads of known ids
    // exercise the 200 responses too.
    let base = format!("http://127.0.0.1:{port}");

    let report = std::env::temp_dir().join(format!("schemathesis-{}", std::process::id()));
    let output = tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .args([
                "run",
                &format!("{base}/openapi.json"),
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,missing_required_header,unsupported_method,ignored_auth",
                "--max-examples",
                "40",
                "--seed",
                "20261122",
                // One worker: schemathesis' coverage phase can trip a
                // CPython 3.11 compiler race when it builds strategies on
                // several threads at once.
                "--workers",
                "1",
                "--no-color",
                "--output-sanitize",
                "false",
                "--generation-database",
                "none",
                "--report-dir",
            ])
            .arg(&report)
            .args(["-H", &format!("Authorization: Bearer {TOKEN}")])
            .output()
            .expect("schemathesis runs")
    })
    .await
    .expect("task");
    let _ = stop.send(());
    let _ = server.await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{stdout}");
}

/// A recipe with a make, written through the router before serving.
async fn seed(store: std::sync::Arc<shared::store::sqlite::SqliteStore>) {
    let app = common::app(store);
    for (path, key, body) in [
        (
            "/recipes",
            "seed-recipe",
            fixture("pairs/apple-pie/recipe.json"),
        ),
        (
            "/recipes/1/makes",
            "seed-make",
            fixture("pairs/apple-pie/make.json"),
        ),
    ] {
        let (status, _, response) =
            common::send(&app, common::write("POST", path, key, body)).await;
        assert_eq!(status.as_u16(), 201, "seeding {path}: {response}");
    }
}
