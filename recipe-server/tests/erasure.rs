//! Erasure through the API: `DELETE /recipes/{id}` and
//! `DELETE /recipes/{id}/makes/{makeId}` take everything of what they name
//! out of the store, the bucket folder and the queue; a second call is
//! 404; without the write token nothing is erased.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{TOKEN, TempStore, erase, fixture, get, send, write};
use embedded_adapters::{DirObjects, QueueConfig, SqliteQueue};
use recipe_server::service::Erasure;
use recipe_server::{AppState, Auth, Parts, router};
use serde_json::Value;
use shared::Limits;
use shared::job::{Job, Payload, Source};
use shared::keys::UploadKind;
use shared::ports::JobSink as _;
use shared::store::ObjectIds;

/// A server with a bucket folder and a queue to erase from.
struct Erasing {
    t: TempStore,
    app: axum::Router,
    queue: SqliteQueue,
}

impl Erasing {
    fn new(name: &str) -> Self {
        let t = TempStore::new(name);
        let bucket = t.dir().join("bucket");
        for prefix in ["recipes", "makes"] {
            std::fs::create_dir_all(bucket.join(prefix)).expect("folders");
        }
        let queue = SqliteQueue::open(
            &t.dir().join("queue.sqlite3"),
            QueueConfig {
                max_receives: 1,
                ..QueueConfig::default()
            },
        )
        .expect("queue");
        let erasure = Erasure::new(ObjectIds::for_tests())
            .with_bucket(Arc::new(DirObjects::new(&bucket)))
            .with_jobs(Arc::new(queue.clone()));
        let state = AppState::new(Parts {
            store: t.store.clone(),
            limits: Limits::default(),
            auth: Auth::LocalToken(TOKEN.into()),
            erasure,
            dashboard: None,
            uploads: None,
            pages: None,
        });
        Self {
            app: router(state),
            t,
            queue,
        }
    }

    /// Drops `fixture` in the bucket folder at `key` and stores it as the
    /// chain would, from that object.
    async fn upload(&self, uri: &str, key: &str, fixture_path: &str, sequencer: &str) -> Value {
        self.upload_bytes(uri, key, fixture(fixture_path), sequencer)
            .await
    }

    /// Drops `bytes` at `key` and stores them, as [`Erasing::upload`].
    async fn upload_bytes(&self, uri: &str, key: &str, bytes: Vec<u8>, sequencer: &str) -> Value {
        std::fs::write(self.t.dir().join("bucket").join(key), &bytes).expect("drop");
        let mut request = write("POST", uri, &format!("k-{key}"), bytes);
        let headers = request.headers_mut();
        headers.insert("x-object-key", key.parse().expect("a header"));
        headers.insert("x-object-sequencer", sequencer.parse().expect("a header"));
        let (status, _, body) = send(&self.app, request).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// The apple-pie recipe (recipe 1), from `recipes/pie.json`.
    async fn upload_pie(&self) {
        self.upload(
            "/recipes",
            "recipes/pie.json",
            "pairs/apple-pie/recipe.json",
            "01",
        )
        .await;
    }

    fn in_bucket(&self, key: &str) -> bool {
        self.t.dir().join("bucket").join(key).exists()
    }
}

/// A job for a make of recipe 1 that died in the queue.
fn dead_make_job(key: &str) -> Job {
    let source = Source {
        bucket: "local".into(),
        key: key.into(),
        version_id: None,
        e_tag: None,
        sequencer: Some("09".into()),
        size: None,
        entry: None,
    };
    let document: Value =
        serde_json::from_slice(&fixture("pairs/apple-pie/make.json")).expect("JSON");
    Job::new(
        UploadKind::Make,
        source,
        Some("1".into()),
        Payload::Inline { document },
    )
}

#[tokio::test]
async fn a_recipe_erasure_takes_it_from_the_store_the_bucket_and_the_queue() {
    let e = Erasing::new("erase-recipe");
    e.upload_pie().await;
    let made = e
        .upload(
            "/recipes/1/makes",
            "makes/sunday.json",
            "pairs/apple-pie/make.json",
            "02",
        )
        .await;
    let make_id = made["makeId"].as_str().expect("an id").to_owned();
    // A make of the recipe that died in the queue, and one of another.
    e.queue
        .send(&[dead_make_job("makes/lost.json")])
        .await
        .expect("queued");
    let received = e.queue.receive(10).await.expect("received");
    e.queue
        .retry_later(&[received[0].id], std::time::Duration::ZERO)
        .await
        .expect("retried");
    let _ = e.queue.receive(10).await.expect("received");
    assert_eq!(
        e.queue.stats().await.expect("stats").dead,
        1,
        "dead-lettered"
    );

    let (status, _, _) = send(&e.app, erase("/recipes/1")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    for uri in [
        "/recipes/1".to_owned(),
        "/recipes/1/makes".to_owned(),
        format!("/recipes/1/makes/{make_id}"),
        "/recipes/1/insights".to_owned(),
    ] {
        let (status, _, problem) = send(&e.app, get(&uri)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {problem}");
    }
    let (_, _, list) = send(&e.app, get("/recipes")).await;
    assert_eq!(list["items"], Value::Array(vec![]), "{list}");
    assert!(!e.in_bucket("recipes/pie.json") && !e.in_bucket("makes/sunday.json"));
    let stats = e.queue.stats().await.expect("stats");
    assert_eq!((stats.depth, stats.dead), (0, 0), "the dead job is gone");

    // A second call finds nothing: 404, a problem document.
    let (status, content_type, problem) = send(&e.app, erase("/recipes/1")).await;
    assert_eq!(
        (status, content_type.as_str(), problem["code"].as_str()),
        (
            StatusCode::NOT_FOUND,
            "application/problem+json",
            Some("recipe-not-found")
        ),
        "{problem}"
    );
}

#[tokio::test]
async fn a_make_erasure_takes_only_the_make_and_the_insights_follow() {
    let e = Erasing::new("erase-make");
    e.upload_pie().await;
    let mut ids = Vec::new();
    for (key, sequencer, make_id) in [("makes/a.json", "02", "a"), ("makes/b.json", "03", "b")] {
        let mut document: Value =
            serde_json::from_slice(&fixture("pairs/apple-pie/make.json")).expect("JSON");
        document["makeId"] = Value::from(make_id);
        let bytes = serde_json::to_vec(&document).expect("JSON");
        let made = e
            .upload_bytes("/recipes/1/makes", key, bytes, sequencer)
            .await;
        ids.push(made["makeId"].as_str().expect("an id").to_owned());
    }
    let (_, _, insights) = send(&e.app, get("/recipes/1/insights")).await;
    assert_eq!(insights["makes"], 2, "{insights}");

    let uri = format!("/recipes/1/makes/{}", ids[0]);
    assert_eq!(send(&e.app, erase(&uri)).await.0, StatusCode::NO_CONTENT);
    assert_eq!(send(&e.app, get(&uri)).await.0, StatusCode::NOT_FOUND);
    let (_, _, insights) = send(&e.app, get("/recipes/1/insights")).await;
    assert_eq!(insights["makes"], 1, "{insights}");
    let (_, _, recipe) = send(&e.app, get("/recipes/1")).await;
    assert_eq!(recipe["makeCount"], 1, "{recipe}");
    assert!(!e.in_bucket("makes/a.json"), "its object is gone");
    assert!(e.in_bucket("makes/b.json") && e.in_bucket("recipes/pie.json"));

    let (status, _, problem) = send(&e.app, erase(&uri)).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("make-not-found")),
        "{problem}"
    );
}

#[tokio::test]
async fn an_erasure_without_the_write_token_erases_nothing() {
    let e = Erasing::new("erase-unauthorised");
    e.upload_pie().await;
    let unsigned = Request::builder()
        .method("DELETE")
        .uri("/recipes/1")
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&e.app, unsigned).await.0, StatusCode::UNAUTHORIZED);
    let wrong = Request::builder()
        .method("DELETE")
        .uri("/recipes/1")
        .header("authorization", "Bearer not-the-token")
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&e.app, wrong).await.0, StatusCode::FORBIDDEN);
    assert_eq!(send(&e.app, get("/recipes/1")).await.0, StatusCode::OK);
    assert!(e.in_bucket("recipes/pie.json"));
}

#[tokio::test]
async fn ids_that_name_nothing_are_404_problem_documents() {
    let e = Erasing::new("erase-unknown");
    for (uri, code) in [
        ("/recipes/nothing", "recipe-not-found"),
        ("/recipes/nothing/makes/none", "make-not-found"),
    ] {
        let (status, content_type, problem) = send(&e.app, erase(uri)).await;
        assert_eq!(
            (status, content_type.as_str(), problem["code"].as_str()),
            (
                StatusCode::NOT_FOUND,
                "application/problem+json",
                Some(code)
            ),
            "{uri}: {problem}"
        );
    }
}
