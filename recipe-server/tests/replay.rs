//! `POST /erasures/replay` over a SQLite store put back from a copy (the
//! local form of a restore): the erasures made since come back with the
//! copy, and the replay, authorised exactly as the erasures, takes them
//! out again, down to the store file's bytes; a recipe or a make added
//! again after its erasure is left alone.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{TOKEN, get, send, write};
use embedded_adapters::{DirObjects, FileJournal, QueueConfig, SqliteQueue, SqliteStore};
use recipe_server::service::Erasure;
use recipe_server::{AppState, Auth, Parts, router};
use serde_json::{Value, json};
use shared::Limits;
use shared::store::ObjectIds;
use testkit::documents::{make, recipe};

/// The erased recipe's id, and words found only in what is erased.
const RECIPE_ID: &str = "nettle-canary-5d2e";
const WORDS: [&str; 3] = ["Quillnettle", "Brackenmoss", "Wyrmgarden"];
/// The recipe that stays, and its make that is erased.
const KEPT: &str = "kept-5d2e";
const ERASED_MAKE: &str = "gloam-5d2e";
const MAKE_WORD: &str = "Gloamthistle";

/// A data folder: the store, the queue, the bucket folder and the journal.
struct Folder {
    dir: testkit::TempDir,
}

impl Folder {
    fn new(name: &str) -> Self {
        let dir = testkit::temp_dir(&format!("recipe-server-{name}-"));
        for prefix in ["recipes", "makes"] {
            std::fs::create_dir_all(dir.path().join("bucket").join(prefix)).expect("folders");
        }
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The server over this folder, authorised by `auth`; the store is
    /// opened here and closed when the router is dropped.
    fn app_with(&self, auth: Auth) -> axum::Router {
        let store = SqliteStore::open(&self.path("store.sqlite3")).expect("store");
        let queue =
            SqliteQueue::open(&self.path("queue.sqlite3"), QueueConfig::default()).expect("queue");
        let erasure = Erasure::new(ObjectIds::for_tests())
            .with_bucket(Arc::new(DirObjects::new(self.path("bucket"))))
            .with_jobs(Arc::new(queue))
            .with_journal(Arc::new(FileJournal::new(&self.path("erasures.jsonl"))));
        router(AppState::new(Parts {
            store: Arc::new(store),
            limits: Limits::default(),
            auth,
            erasure,
            dashboard: None,
            uploads: None,
            pages: None,
        }))
    }

    fn app(&self) -> axum::Router {
        self.app_with(Auth::LocalToken(TOKEN.into()))
    }

    /// Copies the store file (closed: no router over it) to `to`.
    fn copy_store(&self, to: &Path) {
        std::fs::create_dir_all(to).expect("a folder");
        for (name, path) in self.store_files() {
            std::fs::copy(path, to.join(name)).expect("copied");
        }
    }

    /// Puts the store back from the copy in `from`: the local form of a
    /// restore.
    fn restore_store(&self, from: &Path) {
        for (_, path) in self.store_files() {
            std::fs::remove_file(path).expect("removed");
        }
        for entry in std::fs::read_dir(from).expect("the copy").flatten() {
            std::fs::copy(
                entry.path(),
                self.path(&entry.file_name().to_string_lossy()),
            )
            .expect("restored");
        }
    }

    fn store_files(&self) -> Vec<(String, PathBuf)> {
        std::fs::read_dir(self.dir.path())
            .expect("the folder")
            .flatten()
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .filter(|(name, _)| name.starts_with("store.sqlite3"))
            .collect()
    }

    /// The store's files (with their logs), as text.
    fn store_bytes(&self) -> String {
        self.store_files()
            .iter()
            .map(|(_, path)| {
                String::from_utf8_lossy(&std::fs::read(path).expect("read")).into_owned()
            })
            .collect()
    }
}

/// Drops `document` at `key` and stores it as the chain would.
async fn upload(
    folder: &Folder,
    app: &axum::Router,
    uri: &str,
    key: &str,
    document: &Value,
    sequencer: &str,
) {
    let bytes = serde_json::to_vec(document).expect("JSON");
    std::fs::write(folder.path("bucket").join(key), &bytes).expect("drop");
    let mut request = write("POST", uri, &format!("k-{key}-{sequencer}"), bytes);
    let headers = request.headers_mut();
    headers.insert("x-object-key", key.parse().expect("a header"));
    headers.insert("x-object-sequencer", sequencer.parse().expect("a header"));
    let (status, _, body) = send(app, request).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

fn erase(uri: &str) -> Request<Body> {
    authorised("DELETE", uri, Some(&format!("Bearer {TOKEN}")))
}

fn authorised(method: &str, uri: &str, authorization: Option<&str>) -> Request<Body> {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.body(Body::empty()).expect("request")
}

fn replay(authorization: Option<&str>) -> Request<Body> {
    authorised("POST", "/erasures/replay", authorization)
}

/// Stores the recipe to erase with a make, and the recipe that stays with
/// two makes, one of which is erased.
async fn fill(folder: &Folder) {
    let app = folder.app();
    let erased = recipe(RECIPE_ID, "Quillnettle Tart", "Brackenmoss flour");
    upload(
        folder,
        &app,
        "/recipes",
        "recipes/nettle.json",
        &erased,
        "01",
    )
    .await;
    let uri = format!("/recipes/{RECIPE_ID}/makes");
    let notes = "Notes of Wyrmgarden";
    upload(
        folder,
        &app,
        &uri,
        "makes/nettle-1.json",
        &make(erased, "m1", notes),
        "02",
    )
    .await;
    let kept = recipe(KEPT, "Plain Pie", "flour");
    upload(folder, &app, "/recipes", "recipes/kept.json", &kept, "03").await;
    let uri = format!("/recipes/{KEPT}/makes");
    let gloam = make(kept.clone(), ERASED_MAKE, "A Gloamthistle evening");
    upload(folder, &app, &uri, "makes/gloam.json", &gloam, "04").await;
    upload(
        folder,
        &app,
        &uri,
        "makes/kept-1.json",
        &make(kept, "kept-m", "fine"),
        "05",
    )
    .await;
}

/// Erases the recipe and the one make through the API.
async fn erase_both(folder: &Folder) {
    let app = folder.app();
    for uri in [
        format!("/recipes/{RECIPE_ID}"),
        format!("/recipes/{KEPT}/makes/{ERASED_MAKE}"),
    ] {
        let (status, _, body) = send(&app, erase(&uri)).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{uri}: {body}");
    }
}

/// A folder `name` filled, its store copied to the returned folder
/// `backup`, then the recipe and the one make erased.
async fn erased_after_a_copy(name: &str) -> (Folder, PathBuf) {
    let folder = Folder::new(name);
    fill(&folder).await;
    let backup = folder.path("backup");
    folder.copy_store(&backup);
    erase_both(&folder).await;
    (folder, backup)
}

/// Whether the erased recipe and make are readable.
async fn erased_ones_are_back(app: &axum::Router) -> (bool, bool) {
    let (recipe, _, _) = send(app, get(&format!("/recipes/{RECIPE_ID}"))).await;
    let (make, _, _) = send(app, get(&format!("/recipes/{KEPT}/makes/{ERASED_MAKE}"))).await;
    (recipe == StatusCode::OK, make == StatusCode::OK)
}

#[tokio::test]
async fn a_restored_store_has_its_erasures_applied_again_and_nothing_comes_back() {
    let (folder, backup) = erased_after_a_copy("replay").await;
    for word in WORDS.iter().chain([&MAKE_WORD, &RECIPE_ID]) {
        assert!(!folder.store_bytes().contains(word), "{word} erased");
    }

    folder.restore_store(&backup);
    let app = folder.app();
    assert_eq!(
        erased_ones_are_back(&app).await,
        (true, true),
        "the copy brings the erased recipe and make back, or this test proves nothing"
    );
    // Without the token, or with another, nothing is replayed.
    for (authorization, status) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some("Bearer not-the-token"), StatusCode::FORBIDDEN),
    ] {
        let (got, _, problem) = send(&app, replay(authorization)).await;
        assert_eq!(got, status, "{problem}");
    }
    assert_eq!(erased_ones_are_back(&app).await, (true, true));

    let bearer = format!("Bearer {TOKEN}");
    let (status, content_type, body) = send(&app, replay(Some(&bearer))).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "application/json"),
        "{body}"
    );
    assert_eq!(
        (
            &body["erased"],
            &body["recipes"],
            &body["makes"],
            &body["journalEntries"],
            &body["recipesChecked"]
        ),
        (&json!(2), &json!(1), &json!(1), &json!(2), &json!(2)),
        "{body}"
    );
    assert_eq!(erased_ones_are_back(&app).await, (false, false));
    // What stays, stays.
    let (status, _, kept) = send(&app, get(&format!("/recipes/{KEPT}/makes/kept-m"))).await;
    assert_eq!(status, StatusCode::OK, "{kept}");
    // A second replay erases nothing.
    let (_, _, again) = send(&app, replay(Some(&bearer))).await;
    assert_eq!(again["erased"], json!(0), "{again}");
    drop(app);

    let bytes = folder.store_bytes();
    for word in WORDS.iter().chain([&MAKE_WORD, &RECIPE_ID]) {
        assert!(
            !bytes.contains(word),
            "{word} is in the store after the replay"
        );
    }
    let journal = std::fs::read_to_string(folder.path("erasures.jsonl")).expect("the journal");
    for word in WORDS
        .iter()
        .chain([&MAKE_WORD, &RECIPE_ID, &KEPT, &ERASED_MAKE])
    {
        assert!(!journal.contains(word), "{word} is in the journal");
    }
}

#[tokio::test]
async fn a_recipe_or_make_added_again_after_its_erasure_is_left_alone_by_a_replay() {
    let folder = Folder::new("replay-again");
    fill(&folder).await;
    erase_both(&folder).await;
    // The cook drops the file again: a new recipe, stored after the erasure.
    let app = folder.app();
    let again = recipe(RECIPE_ID, "Quillnettle Tart", "Brackenmoss flour");
    upload(
        &folder,
        &app,
        "/recipes",
        "recipes/nettle.json",
        &again,
        "0A",
    )
    .await;
    // And the erased make, under its id, from a file dropped again.
    let make_again = make(recipe(KEPT, "Plain Pie", "flour"), ERASED_MAKE, "again");
    let uri = format!("/recipes/{KEPT}/makes");
    upload(&folder, &app, &uri, "makes/gloam.json", &make_again, "0B").await;
    let (status, _, body) = send(&app, replay(Some(&format!("Bearer {TOKEN}")))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["erased"], json!(0), "{body}");
    assert_eq!(erased_ones_are_back(&app).await, (true, true));
}

#[cfg(feature = "lambda")]
#[tokio::test]
async fn behind_api_gateway_only_the_eraser_role_replays() {
    use testkit::router::{event, invoke};
    let (folder, backup) = erased_after_a_copy("replay-gateway").await;
    folder.restore_store(&backup);
    let app = folder.app_with(common::gateway_auth(true, None));
    let replay_as = |role: Option<&str>| {
        let mut e = event("apigw-v2-post-recipe.json");
        e["routeKey"] = "POST /erasures/replay".into();
        e["requestContext"]["routeKey"] = e["routeKey"].clone();
        e["rawPath"] = "/erasures/replay".into();
        e["requestContext"]["http"]["path"] = "/erasures/replay".into();
        e["headers"]["content-length"] = "0".into();
        e["body"] = "".into();
        match role {
            Some(role) => {
                e["requestContext"]["authorizer"]["iam"]["userArn"] =
                    format!("arn:aws:sts::123456789012:assumed-role/{role}/alice").into();
            }
            None => e["requestContext"]["authorizer"] = Value::Null,
        }
        e
    };
    // Not the sender, not the deploy role (its erasures are its smoke
    // recipes only), not an unsigned call.
    for (role, status) in [
        (Some("recipe-sender-role"), StatusCode::FORBIDDEN),
        (Some(common::SMOKE_ROLE), StatusCode::FORBIDDEN),
        (None, StatusCode::UNAUTHORIZED),
    ] {
        let (got, body) = invoke(&app, &replay_as(role)).await;
        assert_eq!(got, status, "{role:?}: {body}");
    }
    assert_eq!(
        erased_ones_are_back(&app).await,
        (true, true),
        "nothing replayed"
    );
    let (got, body) = invoke(&app, &replay_as(Some(common::ERASER_ROLE))).await;
    assert_eq!(
        (got, &body["erased"]),
        (StatusCode::OK, &json!(2)),
        "{body}"
    );
    assert_eq!(erased_ones_are_back(&app).await, (false, false));
}

#[tokio::test]
async fn an_erasure_the_journal_cannot_take_removes_nothing() {
    let folder = Folder::new("replay-journal-down");
    fill(&folder).await;
    // The journal's file cannot be written: a folder stands in its place.
    std::fs::create_dir(folder.path("erasures.jsonl")).expect("a folder");
    let app = folder.app();
    let (status, _, problem) = send(&app, erase(&format!("/recipes/{RECIPE_ID}"))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    assert_eq!(
        erased_ones_are_back(&app).await,
        (true, true),
        "the recipe is all there"
    );
    assert!(
        folder.path("bucket/recipes/nettle.json").exists(),
        "its object too"
    );
    // Once the journal takes it, the same call erases.
    std::fs::remove_dir(folder.path("erasures.jsonl")).expect("removed");
    let (status, _, problem) = send(&app, erase(&format!("/recipes/{RECIPE_ID}"))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{problem}");
}

#[tokio::test]
async fn an_erasure_under_way_in_the_restored_store_is_finished_first() {
    use shared::store::{ErasureTarget, RecipeStore as _};
    let folder = Folder::new("replay-under-way");
    fill(&folder).await;
    // A store restored to the moment an erasure had begun (remembered,
    // nothing removed yet, not even journalled: the process stopped).
    let store = SqliteStore::open(&folder.path("store.sqlite3")).expect("store");
    let target = ErasureTarget::Recipe {
        recipe_id: shared::RecipeId::parse(RECIPE_ID).expect("an id"),
    };
    let at = "2026-12-07T10:00:00.000Z";
    assert!(
        store
            .begin_erasure(&target, at)
            .await
            .expect("begun")
            .is_some()
    );
    drop(store);
    let app = folder.app();
    let (status, _, body) = send(&app, replay(Some(&format!("Bearer {TOKEN}")))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (&body["resumed"], &body["erased"]),
        (&json!(1), &json!(1)),
        "{body}"
    );
    let (status, _, _) = send(&app, get(&format!("/recipes/{RECIPE_ID}"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
