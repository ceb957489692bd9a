//! The recipe server: one axum [`Router`] with the whole API, run by
//! `lambda_http` in AWS and served on a socket by the local chain and the
//! tests. Writes (recipe versions, makes, rejections, deletions) are
//! idempotent by their `Idempotency-Key` (a deletion by its nature); an
//! erasure (`DELETE`) is 204 the first time and 404 after; reads are
//! paginated with opaque cursors; every error is
//! `application/problem+json`.

pub mod auth;
mod dashboard;
mod extract;
mod handlers;
#[cfg(feature = "lambda")]
pub mod lambda;
mod middleware;
pub mod problem;
pub mod service;
mod version_cache;

use std::sync::Arc;

use axum::Router;
use axum::routing::{MethodFilter, MethodRouter, on};
use shared::Limits;
use shared::store::RecipeStore;
use shared::wire;

use crate::service::{Erasure, Service};

pub use auth::{Auth, Erasers};
pub use dashboard::DashboardAuth;

/// The OpenAPI document: the API's contract, tested against this server.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// Declares every route once, with the handler that serves it: the
/// [`ROUTES`] table (which a test checks against the OpenAPI document) and
/// the handlers the router is built from.
macro_rules! routes {
    ($($method:ident $path:expr => $handler:expr;)*) => {
        /// Every route of the API, as `(method, path)`. The router is built
        /// from the same declarations, and a test checks this table against
        /// the OpenAPI document.
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        /// Every route's path and handler, in [`ROUTES`]' order.
        fn route_handlers() -> Vec<(&'static str, MethodRouter<AppState>)> {
            vec![$(($path, on(MethodFilter::$method, $handler))),*]
        }
    };
}

routes! {
    GET "/health" => handlers::health;
    GET "/openapi.json" => handlers::openapi;
    GET wire::path::RECIPES => handlers::list_recipes;
    POST wire::path::RECIPES => handlers::put_recipe;
    PUT wire::path::RECIPES => handlers::put_recipe;
    GET "/recipes/{recipeId}" => handlers::get_recipe;
    GET "/recipes/{recipeId}/versions" => handlers::list_versions;
    GET wire::path::MAKES => handlers::list_makes;
    POST wire::path::MAKES => handlers::post_make;
    GET wire::path::MAKE => handlers::get_make;
    GET "/recipes/{recipeId}/makes/{makeId}/differences" => handlers::get_differences;
    GET "/recipes/{recipeId}/insights" => handlers::get_insights;
    GET wire::path::REJECTIONS => handlers::list_rejections;
    POST wire::path::REJECTIONS => handlers::post_rejection;
    POST wire::path::DELETIONS => handlers::post_deletion;
    DELETE "/recipes/{recipeId}" => handlers::erase_recipe;
    DELETE wire::path::MAKE => handlers::erase_make;
    POST auth::ERASURES_REPLAY => handlers::replay_erasures;
    POST "/recipes/{recipeId}/diff" => handlers::preview;
    POST "/uploads" => handlers::upload_form;
    POST "/uploads/form" => handlers::accept_upload;
    GET "/" => dashboard::index;
    GET "/assets/{file}" => dashboard::asset;
    GET "/dashboard/config.json" => dashboard::config;
}

struct Inner {
    service: Arc<Service>,
    auth: Auth,
    dashboard: Option<DashboardAuth>,
}

/// What every handler shares: the use cases, and who may call what.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// A server over `store`, refusing documents beyond `limits`, erasing
    /// through `erasure`.
    pub fn new(store: Arc<dyn RecipeStore>, limits: Limits, auth: Auth, erasure: Erasure) -> Self {
        Self(Arc::new(Inner {
            service: Arc::new(Service::new(store, limits, erasure)),
            auth,
            dashboard: None,
        }))
    }

    /// The same server with the dashboard's sign-in set, as the Lambda
    /// `main` reads it at start-up. Without it the dashboard is open (the
    /// local token, public reads, or a test).
    pub fn with_dashboard_auth(self, dashboard: DashboardAuth) -> Self {
        Self(Arc::new(Inner {
            service: Arc::clone(&self.0.service),
            auth: self.0.auth.clone(),
            dashboard: Some(dashboard),
        }))
    }

    /// The same server with the dashboard's uploads going through
    /// `uploads` (S3 presigned POST forms in AWS, the bucket folder on
    /// this machine); without it the upload routes answer 503.
    pub fn with_uploads(self, uploads: Arc<dyn shared::ports::uploads::UploadForms>) -> Self {
        self.0.service.set_uploads(uploads);
        self
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
    let mut by_path: Vec<(&str, MethodRouter<AppState>)> = Vec::new();
    for (path, handler) in route_handlers() {
        match by_path.iter_mut().find(|(p, _)| *p == path) {
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
