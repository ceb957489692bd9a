//! Shared by the sender's tests: the real recipe server on a free local
//! port over a temporary SQLite store, stub servers, fakes of the ports,
//! and jobs built from the fixtures.
#![allow(dead_code, missing_docs, clippy::unwrap_used)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use embedded_adapters::SqliteStore;
use recipe_server::{AppState, Auth};
use sender::{Deps, HttpApi, Message, Outcome, RecipeApi, Signer};
use serde_json::{Value, json};
use shared::Limits;
use shared::job::{Job, Payload, Source};
use shared::keys::UploadKind;
use shared::ports::{ObjectError, ObjectRef, ObjectStore};
use testkit::TempDir;
use testkit::router::Serving;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub const TOKEN: &str = "sender-test-token";

/// The real recipe server on 127.0.0.1, with the local write token, over a
/// store in its own temporary directory (removed on drop).
pub struct Server {
    pub addr: SocketAddr,
    dir: Option<TempDir>,
    serving: Option<Serving>,
}

impl Server {
    /// A server with a fresh store on a free port.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        Self::serve(listener, fresh_dir("store")).await
    }

    /// A server on `addr` over the store in `dir` (a restart).
    pub async fn start_at(addr: SocketAddr, dir: TempDir) -> Self {
        let listener = TcpListener::bind(addr).await.expect("bind the same port");
        Self::serve(listener, dir).await
    }

    async fn serve(listener: TcpListener, dir: TempDir) -> Self {
        let store = SqliteStore::open(&dir.path().join("store.sqlite3")).expect("store opens");
        let state = AppState::new(recipe_server::Parts {
            store: Arc::new(store),
            limits: Limits::default(),
            auth: Auth::LocalToken(TOKEN.into()),
            erasure: recipe_server::service::Erasure::new(shared::store::ObjectIds::for_tests()),
            dashboard: None,
            uploads: None,
            pages: None,
        });
        let serving = Serving::on(listener, |listener, shutdown| {
            recipe_server::serve(listener, state, shutdown)
        });
        Self {
            addr: serving.addr(),
            dir: Some(dir),
            serving: Some(serving),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving and returns the store's directory, kept for a restart.
    pub async fn stop(mut self) -> TempDir {
        if let Some(serving) = self.serving.take() {
            serving.stop().await;
        }
        self.dir.take().expect("the store's directory")
    }

    /// `GET path` as JSON.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = reqwest::get(format!("{}{path}", self.url()))
            .await
            .expect("GET");
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        (status, body)
    }

    /// The stored rejections.
    pub async fn rejections(&self) -> Vec<Value> {
        let (_, body) = self.get("/rejections?limit=100").await;
        body["items"].as_array().cloned().unwrap_or_default()
    }

    /// The stored makes of a recipe.
    pub async fn makes(&self, recipe_id: &str) -> Vec<Value> {
        let (_, body) = self.get(&format!("/recipes/{recipe_id}/makes")).await;
        body["items"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Stop serving before the store's directory goes.
        drop(self.serving.take());
    }
}

/// A fresh temporary directory, removed on drop.
pub fn fresh_dir(name: &str) -> TempDir {
    testkit::temp_dir(&format!("sender-{name}-"))
}

/// A free port on 127.0.0.1 with nothing listening on it.
pub fn free_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], testkit::free_port()))
}

/// An `HttpApi` with the write token, at `url`.
pub fn http_api(url: &str) -> Arc<dyn RecipeApi> {
    Arc::new(HttpApi::new(url, Signer::Bearer(TOKEN.into()), Duration::from_secs(5)).expect("api"))
}

/// Dependencies for `api`, with an empty bucket.
pub fn deps(api: Arc<dyn RecipeApi>) -> Deps {
    Deps::new(api, Arc::new(Bucket::default()), Limits::default())
}

pub fn fixture(path: &str) -> Value {
    let text = std::fs::read_to_string(format!(
        "{}/../fixtures/pairs/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture");
    serde_json::from_str(&text).expect("fixture JSON")
}

pub fn recipe() -> Value {
    fixture("apple-pie/recipe.json")
}

pub fn make() -> Value {
    fixture("apple-pie/make.json")
}

/// The source of an upload at `key`; `sequencer` tells re-uploads apart.
pub fn source(key: &str, sequencer: &str) -> Source {
    Source {
        bucket: "recipes-bucket".into(),
        key: key.into(),
        version_id: None,
        e_tag: Some(format!("etag-{sequencer}")),
        sequencer: Some(sequencer.into()),
        size: None,
        entry: None,
    }
}

pub fn recipe_job(document: Value, sequencer: &str) -> Job {
    Job::new(
        UploadKind::Recipe,
        source("recipes/apple pie.json", sequencer),
        None,
        Payload::Inline { document },
    )
}

pub fn make_job(document: Value, sequencer: &str) -> Job {
    let recipe_id = document["recipeId"]
        .to_string()
        .trim_matches('"')
        .to_owned();
    Job::new(
        UploadKind::Make,
        source("makes/apple pie 2+1.json", sequencer),
        Some(recipe_id),
        Payload::Inline { document },
    )
}

pub fn message(id: &str, job: &Job) -> Message {
    Message {
        id: id.into(),
        body: job.to_body(),
        receive_count: 1,
    }
}

/// A bucket in memory; `unavailable` makes every read a transient failure.
#[derive(Default)]
pub struct Bucket {
    pub objects: Mutex<HashMap<(String, String), Vec<u8>>>,
    pub unavailable: bool,
}

impl Bucket {
    pub fn with(bucket: &str, key: &str, bytes: Vec<u8>) -> Self {
        let this = Self::default();
        this.objects
            .lock()
            .unwrap()
            .insert((bucket.into(), key.into()), bytes);
        this
    }
}

#[async_trait]
impl ObjectStore for Bucket {
    async fn size(
        &self,
        ObjectRef { bucket, key, .. }: ObjectRef<'_>,
    ) -> Result<Option<u64>, ObjectError> {
        if self.unavailable {
            return Err(ObjectError::Transient("SlowDown".into()));
        }
        Ok(self
            .objects
            .lock()
            .unwrap()
            .get(&(bucket.into(), key.into()))
            .map(|b| b.len() as u64))
    }

    async fn get(
        &self,
        ObjectRef { bucket, key, .. }: ObjectRef<'_>,
        max_bytes: u64,
    ) -> Result<Option<Vec<u8>>, ObjectError> {
        if self.unavailable {
            return Err(ObjectError::Transient("SlowDown".into()));
        }
        let objects = self.objects.lock().unwrap();
        match objects.get(&(bucket.into(), key.into())) {
            Some(bytes) if bytes.len() as u64 > max_bytes => Err(ObjectError::TooLarge {
                size: bytes.len() as u64,
                limit: max_bytes,
            }),
            other => Ok(other.cloned()),
        }
    }
}

/// A request as a stub server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// The path as sent (still percent-encoded).
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

/// A stub server answering every request with `status` and `body`, and
/// remembering what it was sent.
pub struct Stub {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    task: JoinHandle<()>,
}

impl Stub {
    pub async fn start(status: u16, body: Value, delay: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let record = Arc::clone(&seen);
        let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
            let record = Arc::clone(&record);
            let body = body.clone();
            async move {
                let (parts, payload) = request.into_parts();
                let bytes = axum::body::to_bytes(payload, usize::MAX)
                    .await
                    .unwrap_or_default();
                record.lock().unwrap().push(Seen {
                    method: parts.method.to_string(),
                    path: parts.uri.path().to_owned(),
                    headers: parts
                        .headers
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.as_str().to_owned(),
                                v.to_str().unwrap_or("<binary>").to_owned(),
                            )
                        })
                        .collect(),
                    body: bytes.to_vec(),
                });
                tokio::time::sleep(delay).await;
                (
                    axum::http::StatusCode::from_u16(status).expect("status"),
                    [("content-type", "application/problem+json")],
                    body.to_string(),
                )
            }
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, seen, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// The one request the stub was sent.
    pub fn only_request(&self) -> Seen {
        let seen = self.seen();
        assert_eq!(seen.len(), 1, "{seen:?}");
        seen[0].clone()
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A job's outcome when it was refused with `code`.
pub fn rejected(code: &str) -> Outcome {
    Outcome::Rejected {
        code: shared::refusal::Code::parse(code),
    }
}

/// A problem document as the server writes it.
pub fn problem(status: u16, code: &str, detail: &str) -> Value {
    json!({"type": format!("urn:recipe-diff:problem:{code}"), "code": code,
           "title": "Problem", "status": status, "detail": detail})
}
