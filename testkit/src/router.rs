//! Requests sent through an axum router in process, as the server's and
//! the chain's tests send them: no socket, the response read back as JSON.

use axum::body::{Body, Bytes};
use axum::http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// Sends `request` through `app`; returns the response with its body read.
///
/// # Panics
/// When the body cannot be read: the router never fails that way.
pub async fn respond(app: &axum::Router, request: Request<Body>) -> Response<Bytes> {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes();
    Response::from_parts(parts, bytes)
}

/// Sends `request` through `app`; returns the status, the content type
/// (empty when there is none) and the body as JSON (`Null` when it is
/// empty or not JSON).
pub async fn send(app: &axum::Router, request: Request<Body>) -> (StatusCode, String, Value) {
    let response = respond(app, request).await;
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = if response.body().is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(response.body()).unwrap_or(Value::Null)
    };
    (response.status(), content_type, body)
}

/// An API Gateway HTTP API (payload 2.0) event from the workspace's
/// `events/` folder.
///
/// # Panics
/// When the file is missing or not JSON.
#[cfg(feature = "lambda")]
pub fn event(name: &str) -> Value {
    let path = format!("{}/../events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(&path).expect("event fixture")).expect("JSON")
}

/// Hands an API Gateway event to `app` as the Lambda entry point does:
/// turned into a request by lambda_http exactly as in AWS. Returns the
/// status and the body as JSON (`Null` when it is empty or not JSON).
///
/// # Panics
/// When `event` is not an API Gateway v2 event.
#[cfg(feature = "lambda")]
pub async fn invoke(app: &axum::Router, event: &Value) -> (StatusCode, Value) {
    let request =
        lambda_http::request::from_str(&event.to_string()).expect("an API Gateway v2 event");
    let (status, _, body) = send(app, request.map(Body::new)).await;
    (status, body)
}

/// The future that tells a served router to stop: it completes on
/// [`Serving::stop`] (or when the [`Serving`] is dropped).
pub type Shutdown = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// A server on a loopback port, in a task of the test's runtime, until
/// stopped.
pub struct Serving {
    addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Serving {
    /// Serves `app` on a free loopback port.
    pub async fn router(app: axum::Router) -> Self {
        Self::start(|listener, shutdown| async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
        })
        .await
    }

    /// Runs `serve` (`recipe_server::serve`, or any other server) on a free
    /// loopback port.
    ///
    /// # Panics
    /// When no loopback port can be bound.
    pub async fn start<F, Fut>(serve: F) -> Self
    where
        F: FnOnce(tokio::net::TcpListener, Shutdown) -> Fut,
        Fut: std::future::Future<Output = std::io::Result<()>> + Send + 'static,
    {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        Self::on(listener, serve)
    }

    /// Runs `serve` on `listener` (a port bound again, for a restart).
    ///
    /// # Panics
    /// When the listener has no local address.
    pub fn on<F, Fut>(listener: tokio::net::TcpListener, serve: F) -> Self
    where
        F: FnOnce(tokio::net::TcpListener, Shutdown) -> Fut,
        Fut: std::future::Future<Output = std::io::Result<()>> + Send + 'static,
    {
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve(
            listener,
            Box::pin(async {
                let _ = stopped.await;
            }),
        ));
        Self {
            addr,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// The address it listens on.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// `http://` and the address.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving and waits until the server has finished.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
