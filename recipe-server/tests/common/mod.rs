//! Shared by the server tests: a router over a fresh SQLite store, and
//! helpers to send requests and read JSON back.
#![allow(dead_code, missing_docs)]

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use embedded_adapters::SqliteStore;
use recipe_server::service::Erasure;
use recipe_server::{AppState, Auth, Parts, router};
use shared::Limits;
use shared::store::{ObjectIds, RecipeStore};

pub const TOKEN: &str = "test-write-token";

/// A fresh store in its own temporary directory, removed on drop.
pub struct TempStore {
    dir: testkit::TempDir,
    pub store: Arc<SqliteStore>,
}

impl TempStore {
    pub fn new(name: &str) -> Self {
        let dir = testkit::temp_dir(&format!("recipe-server-{name}-"));
        let store =
            Arc::new(SqliteStore::open(&dir.path().join("store.sqlite3")).expect("store opens"));
        Self { dir, store }
    }

    /// The temporary directory, for a test's own files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// A fresh store named `name` and a router with the local write token over
/// it (the store is removed when the first is dropped).
pub fn fresh_app(name: &str) -> (TempStore, axum::Router) {
    let t = TempStore::new(name);
    let app = app(t.store.clone());
    (t, app)
}

/// The server's state over `store` with the default limits, writes taken
/// with the local write token.
pub fn local_state(store: Arc<dyn RecipeStore>) -> AppState {
    AppState::new(local_parts(store))
}

/// What [`local_state`] is built from, for a test to add to.
pub fn local_parts(store: Arc<dyn RecipeStore>) -> Parts {
    Parts {
        store,
        limits: Limits::default(),
        auth: Auth::LocalToken(TOKEN.into()),
        erasure: Erasure::new(ObjectIds::for_tests()),
        dashboard: None,
        uploads: None,
        pages: None,
    }
}

/// A router with the local write token over `store`.
pub fn app(store: Arc<dyn RecipeStore>) -> axum::Router {
    router(local_state(store))
}

/// A router behind API Gateway over `store`: the authorizers' verdicts in
/// the request context decide, reads are open with `public_reads`.
#[cfg(feature = "lambda")]
pub fn gateway_app(store: Arc<dyn RecipeStore>, public_reads: bool) -> axum::Router {
    router(gateway_state(store, public_reads))
}

/// The OAuth scope of the smoke test's identity in [`gateway_state`].
#[cfg(feature = "lambda")]
pub const SMOKE_SCOPE: &str = "recipe-diff/smoke-read";

/// The server's state behind API Gateway over `store`, with the default
/// limits.
#[cfg(feature = "lambda")]
pub fn gateway_state(store: Arc<dyn RecipeStore>, public_reads: bool) -> AppState {
    AppState::new(gateway_parts(store, public_reads))
}

/// What [`gateway_state`] is built from, for a test to add to.
#[cfg(feature = "lambda")]
pub fn gateway_parts(store: Arc<dyn RecipeStore>, public_reads: bool) -> Parts {
    Parts {
        auth: gateway_auth(public_reads, Some(SMOKE_SCOPE)),
        ..local_parts(store)
    }
}

/// The role whose sessions may erase, in the gateway tests.
pub const ERASER_ROLE: &str = "recipe-eraser";
/// The role whose sessions may erase the smoke test's recipes only.
pub const SMOKE_ROLE: &str = "github-deploy-recipe";

/// [`gateway_state`] with the smoke test's scope `smoke_scope`.
#[cfg(feature = "lambda")]
pub fn gateway_state_with(
    store: Arc<dyn RecipeStore>,
    public_reads: bool,
    smoke_scope: Option<&str>,
) -> AppState {
    AppState::new(Parts {
        auth: gateway_auth(public_reads, smoke_scope),
        ..local_parts(store)
    })
}

/// Behind API Gateway: the authorizers' verdicts in the request context
/// decide, reads are open with `public_reads`, the smoke test's identity
/// reads with `smoke_scope`, [`ERASER_ROLE`] erases and [`SMOKE_ROLE`]
/// erases the smoke test's recipes.
#[cfg(feature = "lambda")]
pub fn gateway_auth(public_reads: bool, smoke_scope: Option<&str>) -> Auth {
    Auth::ApiGateway {
        public_reads,
        read_group: "readers".into(),
        // The role of the sessions in events/apigw-v2-post-recipe.json.
        writer_role: "recipe-sender-role".into(),
        smoke_scope: smoke_scope.map(str::to_owned),
        upload_group: "cooks".into(),
        erasers: recipe_server::Erasers {
            any: ERASER_ROLE.into(),
            smoke: Some(SMOKE_ROLE.into()),
        },
    }
}

pub fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

/// A signed write.
pub fn write(method: &str, uri: &str, key: &str, body: impl Into<Body>) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("idempotency-key", key)
        .body(body.into())
        .expect("request")
}

/// An erasure (`DELETE`) of `uri` with the write token.
pub fn erase(uri: &str) -> Request<Body> {
    Request::builder()
        .method("DELETE")
        .uri(uri)
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .expect("request")
}

pub fn get(uri: &str) -> Request<Body> {
    Request::builder()
        .uri(uri)
        .body(Body::empty())
        .expect("request")
}

/// Sends a request through the router; returns the status, the content
/// type and the JSON body.
#[allow(unused_imports)]
pub use testkit::router::send;
