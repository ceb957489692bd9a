//! The recipe server: one axum [`Router`] with the whole API, run by
//! `lambda_http` in AWS and served on a socket by the local chain and the
//! tests. Writes (recipe versions, makes, rejections, deletions) are
//! idempotent by their `Idempotency-Key` (a deletion by its nature); an
//! erasure (`DELETE`) is 204 the first time and 404 after; reads are
//! paginated with opaque cursors; every error is
//! `application/problem+json`.

pub mod api;
pub mod auth;
mod dashboard;
mod extract;
mod handlers;
#[cfg(feature = "lambda")]
pub mod lambda;
mod middleware;
mod openapi;
pub mod problem;
pub mod service;
mod version_cache;

use std::sync::Arc;

use axum::Router;
use axum::routing::MethodRouter;
use shared::Limits;
use shared::ports::pages::PageFetcher;
use shared::ports::uploads::UploadForms;
use shared::store::RecipeStore;
use utoipa_axum::router::UtoipaMethodRouter;

use crate::service::{Erasure, Service};

pub use auth::{Auth, Erasers};
pub use dashboard::DashboardAuth;

/// Declares every route once, by its handler, whose `#[utoipa::path]`
/// names the route's method and path and its contract: the router
/// ([`router`]) and the OpenAPI document ([`openapi_json`]) are both built
/// from this table, so a route cannot be served without being documented,
/// nor documented without being served.
macro_rules! routes {
    ($($module:ident :: $handler:ident;)*) => {
        /// Every route: the schemas its bodies name, its operation of the
        /// document, and its handler.
        pub(crate) fn contract_routes() -> Vec<UtoipaMethodRouter<AppState>> {
            vec![$(utoipa_axum::routes!($module::$handler)),*]
        }
    };
}

routes! {
    handlers::health;
    handlers::openapi;
    handlers::list_recipes;
    handlers::post_recipe;
    handlers::put_recipe;
    handlers::get_recipe;
    handlers::list_versions;
    handlers::list_makes;
    handlers::post_make;
    handlers::get_make;
    handlers::get_differences;
    handlers::get_insights;
    handlers::get_insights_across;
    handlers::compare;
    handlers::list_rejections;
    handlers::post_rejection;
    handlers::post_deletion;
    handlers::erase_recipe;
    handlers::erase_make;
    handlers::replay_erasures;
    handlers::preview;
    handlers::upload_form;
    handlers::accept_upload;
    handlers::import;
    dashboard::index;
    dashboard::asset;
    dashboard::config;
}

/// The OpenAPI 3.1 document, generated from the routes and the body types
/// ([`api`]), as served at `GET /openapi.json`.
pub fn openapi_json() -> &'static str {
    openapi::json()
}

/// Every route of the API, as `(method, path)`: the operations of the
/// document, each served by its handler.
pub fn routes() -> Vec<(String, String)> {
    let mut routes = Vec::new();
    for (_, paths, _) in contract_routes() {
        for (path, item) in paths.paths {
            let item = serde_json::to_value(item).unwrap_or_default();
            for method in item.as_object().into_iter().flat_map(|i| i.keys()) {
                routes.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

struct Inner {
    service: Arc<Service>,
    auth: Auth,
    dashboard: Option<DashboardAuth>,
}

/// Everything the server is built from, given whole to [`AppState::new`]:
/// the Lambda's `main` and the local chain fill it from their
/// configuration and adapters.
pub struct Parts {
    /// Where recipes, makes and rejections are kept.
    pub store: Arc<dyn RecipeStore>,
    /// The limits documents are held to (`MAX_OBJECT_BYTES`, …).
    pub limits: Limits,
    /// Who may read, write and erase.
    pub auth: Auth,
    /// What an erasure reaches beyond the store.
    pub erasure: Erasure,
    /// How the dashboard signs in; `None`: it is open (the local token,
    /// public reads, or a test).
    pub dashboard: Option<DashboardAuth>,
    /// Where the dashboard's uploads go (S3 presigned POST forms in AWS,
    /// the bucket folder on this machine); `None`: the upload routes answer
    /// 503.
    pub uploads: Option<Arc<dyn UploadForms>>,
    /// How pages cooks link to are fetched (`POST /imports`); `None`: the
    /// route answers 503.
    pub pages: Option<Arc<dyn PageFetcher>>,
}

/// What every handler shares: the use cases, and who may call what.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// The server built from `parts`, once: nothing is set afterwards.
    pub fn new(parts: Parts) -> Self {
        let Parts {
            store,
            limits,
            auth,
            erasure,
            dashboard,
            uploads,
            pages,
        } = parts;
        Self(Arc::new(Inner {
            service: Arc::new(Service::new(store, limits, erasure, uploads, pages)),
            auth,
            dashboard,
        }))
    }

    pub(crate) fn dashboard_auth(&self) -> Option<&DashboardAuth> {
        self.0.dashboard.as_ref()
    }

    /// The use cases (the local chain resumes erasures through them).
    pub fn service(&self) -> &Service {
        &self.0.service
    }

    pub(crate) fn auth(&self) -> &Auth {
        &self.0.auth
    }
}

/// The whole API.
pub fn router(state: AppState) -> Router {
    let mut by_path: Vec<(String, MethodRouter<AppState>)> = Vec::new();
    for (_, paths, handler) in contract_routes() {
        // One path per handler (its `#[utoipa::path]`).
        for path in paths.paths.into_keys() {
            match by_path.iter_mut().find(|(p, _)| *p == path) {
                Some((_, existing)) => {
                    *existing = std::mem::take(existing).merge(handler.clone());
                }
                None => by_path.push((path, handler.clone())),
            }
        }
    }
    let (mut router, mut public) = (Router::new(), Router::new());
    for (path, handler) in by_path {
        if dashboard::PUBLIC_PATHS.contains(&path.as_str()) {
            public = public.route(&path, handler);
        } else {
            router = router.route(&path, handler);
        }
    }
    router
        .fallback(middleware::no_route)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authorise,
        ))
        // The dashboard's files are outside the read authorisation: the page
        // must load before its user can sign in (it holds no recipe data).
        .merge(public.method_not_allowed_fallback(middleware::method_not_allowed))
        // A handler's panic is caught inside the request's span, so that its
        // log line names the route and the correlation id, and the request
        // log shows the 500.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            middleware::panicked,
        ))
        .layer(axum::middleware::from_fn(middleware::correlate))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        // A panic is a bug; it must still answer with a problem document
        // (and be logged), never drop the connection: this catches the
        // layers' own.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            middleware::panicked,
        ))
        .with_state(state)
}

/// Serves the API on `listener` (on this machine) until `shutdown`
/// completes, answering only to its own names and refusing writes from
/// other sites' pages (`middleware::local_only`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let names = middleware::LocalNames::new(listener.local_addr()?.port());
    let app = router(state).layer(axum::middleware::from_fn_with_state(
        names,
        middleware::local_only,
    ));
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
