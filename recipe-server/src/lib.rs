//! The recipe server: one axum [`Router`] with the whole API, run by
//! `lambda_http` in AWS and served on a socket by the local chain and the
//! tests. Writes (recipe versions, makes, rejections) are idempotent by
//! their `Idempotency-Key`; reads are paginated with opaque cursors; every
//! error is `application/problem+json`.

pub mod auth;
mod dashboard;
mod handlers;
pub mod problem;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::{MethodRouter, get, post};
use shared::store::RecipeStore;
use shared::{Limits, Recipe, RecipeId};

pub use auth::Auth;
pub use dashboard::DashboardAuth;

/// The OpenAPI document: the API's contract, tested against this server.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// Every route of the API, as `(method, path)`. The router is built from
/// this table, and a test checks it against the OpenAPI document.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/health"),
    ("GET", "/openapi.json"),
    ("GET", "/recipes"),
    ("POST", "/recipes"),
    ("PUT", "/recipes"),
    ("GET", "/recipes/{recipeId}"),
    ("GET", "/recipes/{recipeId}/versions"),
    ("GET", "/recipes/{recipeId}/makes"),
    ("POST", "/recipes/{recipeId}/makes"),
    ("GET", "/recipes/{recipeId}/makes/{makeId}"),
    ("GET", "/recipes/{recipeId}/makes/{makeId}/differences"),
    ("GET", "/recipes/{recipeId}/insights"),
    ("GET", "/rejections"),
    ("POST", "/rejections"),
    ("GET", "/"),
    ("GET", "/assets/{file}"),
    ("GET", "/dashboard/config.json"),
];

/// Parsed recipe versions, by recipe and version. Versions never change
/// once stored, so entries never go stale; the map is cleared when full.
const VERSION_CACHE_ENTRIES: usize = 1024;

struct Inner {
    store: Arc<dyn RecipeStore>,
    limits: Limits,
    auth: Auth,
    versions: Mutex<HashMap<(RecipeId, u32), Arc<Recipe>>>,
    dashboard: Option<DashboardAuth>,
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// A server over `store`, refusing documents beyond `limits`.
    pub fn new(store: Arc<dyn RecipeStore>, limits: Limits, auth: Auth) -> Self {
        Self(Arc::new(Inner {
            store,
            limits,
            auth,
            versions: Mutex::new(HashMap::new()),
            dashboard: None,
        }))
    }

    /// The same server with the dashboard's sign-in set explicitly. Without
    /// it the dashboard follows `auth`: open with the local token or public
    /// reads; behind API Gateway with JWT reads, Cognito's hosted UI from
    /// `COGNITO_DOMAIN` and `COGNITO_CLIENT_ID` (see [`DashboardAuth`]).
    pub fn with_dashboard_auth(self, dashboard: DashboardAuth) -> Self {
        let inner = match Arc::try_unwrap(self.0) {
            Ok(inner) => inner,
            Err(shared) => Inner {
                store: shared.store.clone(),
                limits: shared.limits.clone(),
                auth: shared.auth.clone(),
                versions: Mutex::new(HashMap::new()),
                dashboard: None,
            },
        };
        Self(Arc::new(Inner {
            dashboard: Some(dashboard),
            ..inner
        }))
    }

    pub(crate) fn dashboard_auth(&self) -> Option<&DashboardAuth> {
        self.0.dashboard.as_ref()
    }

    pub(crate) fn store(&self) -> &dyn RecipeStore {
        self.0.store.as_ref()
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.0.limits
    }

    pub(crate) fn auth(&self) -> &Auth {
        &self.0.auth
    }

    pub(crate) fn cached_version(&self, key: &(RecipeId, u32)) -> Option<Arc<Recipe>> {
        self.0.versions.lock().ok()?.get(key).cloned()
    }

    pub(crate) fn cache_version(&self, key: (RecipeId, u32), recipe: Arc<Recipe>) {
        if let Ok(mut cache) = self.0.versions.lock() {
            if cache.len() >= VERSION_CACHE_ENTRIES {
                cache.clear();
            }
            cache.insert(key, recipe);
        }
    }
}

fn handler_for(method: &str, path: &str) -> Option<MethodRouter<AppState>> {
    use handlers as h;
    Some(match (method, path) {
        ("GET", "/health") => get(h::health),
        ("GET", "/openapi.json") => get(h::openapi),
        ("GET", "/recipes") => get(h::list_recipes),
        ("POST", "/recipes") => post(h::put_recipe),
        ("PUT", "/recipes") => axum::routing::put(h::put_recipe),
        ("GET", "/recipes/{recipeId}") => get(h::get_recipe),
        ("GET", "/recipes/{recipeId}/versions") => get(h::list_versions),
        ("GET", "/recipes/{recipeId}/makes") => get(h::list_makes),
        ("POST", "/recipes/{recipeId}/makes") => post(h::post_make),
        ("GET", "/recipes/{recipeId}/makes/{makeId}") => get(h::get_make),
        ("GET", "/recipes/{recipeId}/makes/{makeId}/differences") => get(h::get_differences),
        ("GET", "/recipes/{recipeId}/insights") => get(h::get_insights),
        ("GET", "/rejections") => get(h::list_rejections),
        ("POST", "/rejections") => post(h::post_rejection),
        ("GET", "/") => get(dashboard::index),
        ("GET", "/assets/{file}") => get(dashboard::asset),
        ("GET", "/dashboard/config.json") => get(dashboard::config),
        _ => return None,
    })
}

/// The whole API.
///
/// # Panics
/// If [`ROUTES`] names a route without a handler (a programming error that
/// the tests catch).
pub fn router(state: AppState) -> Router {
    let mut by_path: Vec<(&str, MethodRouter<AppState>)> = Vec::new();
    for (method, path) in ROUTES {
        let Some(handler) = handler_for(method, path) else {
            panic!("no handler for {method} {path}");
        };
        match by_path.iter_mut().find(|(p, _)| p == path) {
            Some((_, existing)) => *existing = std::mem::take(existing).merge(handler),
            None => by_path.push((path, handler)),
        }
    }
    let (mut router, mut public) = (Router::new(), Router::new());
    for (path, handler) in by_path {
        if dashboard::PUBLIC_PATHS.contains(&path) {
            public = public.route(path, handler);
        } else {
            router = router.route(path, handler);
        }
    }
    router
        .fallback(handlers::no_route)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authorise,
        ))
        // The dashboard's files are outside the read authorisation: the page
        // must load before its user can sign in (it holds no recipe data).
        .merge(public.method_not_allowed_fallback(handlers::method_not_allowed))
        .layer(axum::middleware::from_fn(handlers::correlate))
        // A panic is a bug; it must still answer with a problem document
        // (and be logged), never drop the connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            handlers::panicked,
        ))
        .with_state(state)
}

/// Serves the API on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
