//! Behaviour particular to SQLite (the shared contract is `testkit::store_contract`).

use std::path::PathBuf;
use std::sync::Arc;

use rusqlite::Connection;
use serde_json::json;
use shared::insights::MakeFacts;
use shared::keys::UploadKind;
use shared::model::{MakeId, RecipeId};
use shared::store::{
    IdempotencyKey, NewMake, NewVersion, ObjectDeletion, Origin, PageRequest, RecipeStore, Removed,
    StoreError, StoredMake, Written, content_hash,
};

use super::{MIGRATIONS, SCHEMA_VERSION, SqliteStore};

/// A fresh directory for one test's database, removed afterwards.
struct Scratch(testkit::TempDir);

impl Scratch {
    fn new(name: &str) -> Self {
        Self(testkit::temp_dir(&format!("sqlite-store-{name}-")))
    }

    fn file(&self) -> PathBuf {
        self.0.path().join("store.sqlite3")
    }

    /// The database as a store of schema `schema` left it: its first
    /// `schema` migrations applied, and nothing more.
    fn at_schema(&self, schema: usize) -> Connection {
        let connection = Connection::open(self.file()).expect("opens");
        for migration in &MIGRATIONS[..schema] {
            connection.execute_batch(migration).expect("a migration");
        }
        connection
            .pragma_update(None, "user_version", schema)
            .expect("pragma");
        connection
    }
}

fn version(recipe: &str, key: &str) -> NewVersion {
    let document = json!({"recipeId": recipe, "ingredients": []});
    NewVersion {
        recipe_id: RecipeId::parse(recipe).expect("id"),
        name: "Pie".into(),
        rating: None,
        content_hash: content_hash(&document),
        document,
        key: IdempotencyKey::parse(key).expect("key"),
        at: "2026-01-01T00:00:00.000Z".into(),
        origin: None,
        source: shared::store::VersionSource::Uploaded,
        variant_of: None,
    }
}

fn make(recipe: &str, make: &str, key: &str) -> NewMake {
    let document = json!({"recipeId": recipe, "ingredients": [{"ingredientName": "salt"}]});
    let make_id = MakeId::parse(make).expect("id");
    let at = "2026-01-02T00:00:00.000Z".to_owned();
    NewMake {
        make: StoredMake {
            recipe_id: RecipeId::parse(recipe).expect("id"),
            make_id: make_id.clone(),
            version: 1,
            made_at: None,
            notes: None,
            rating: Some(3.0),
            created_at: at.clone(),
            content_hash: content_hash(&document),
            document,
            diff: json!({"summary": {"total": 0}, "changes": []}),
            logged_by: None,
        },
        summary: shared::diff::Summary {
            total: 0,
            ..Default::default()
        },
        facts: MakeFacts {
            make_id,
            version: 1,
            made_at: None,
            created_at: at,
            rating: Some(3.0),
            scale_factor: None,
            ingredients: vec![],
            substitutions: vec![],
            steps: vec![],
            steps_added: 0,
            logged_by: None,
            changed: None,
        },
        key: IdempotencyKey::parse(key).expect("key"),
        origin: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicates_through_two_connections_to_one_file_create_one_make() {
    let scratch = Scratch::new("two-connections");
    let stores = [
        Arc::new(SqliteStore::open(&scratch.file()).expect("opens")),
        Arc::new(SqliteStore::open(&scratch.file()).expect("opens")),
    ];
    stores[0]
        .put_version(&version("r", "v"))
        .await
        .expect("put");
    let tasks: Vec<_> = (0..8)
        .map(|n| {
            let store = Arc::clone(&stores[n % 2]);
            tokio::spawn(async move { store.put_make(&make("r", &format!("m{n}"), "k")).await })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        created += usize::from(task.await.expect("task").expect("put").is_created());
    }
    assert_eq!(created, 1);
    let summary = stores[1]
        .recipe_summary(&RecipeId::parse("r").expect("id"))
        .await
        .expect("get");
    assert_eq!(
        summary.map(|s| (s.make_count, s.average_make_rating)),
        Some((1, Some(3.0)))
    );
}

#[tokio::test]
async fn a_reopened_store_keeps_its_data_and_a_newer_schema_is_refused() {
    let scratch = Scratch::new("reopen");
    let store = SqliteStore::open(&scratch.file()).expect("opens");
    store.put_version(&version("r", "v")).await.expect("put");
    drop(store);
    let store = SqliteStore::open(&scratch.file()).expect("reopens");
    let replay = store.put_version(&version("r", "v")).await.expect("put");
    assert!(matches!(replay, Written::Replayed(v) if v.head.version == 1));
    drop(store);

    let connection = Connection::open(scratch.file()).expect("opens");
    connection
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .expect("pragma");
    drop(connection);
    let newer = SqliteStore::open(&scratch.file()).map(|_| ());
    assert!(
        matches!(&newer, Err(StoreError::Internal(m)) if m.contains("newer")),
        "{newer:?}"
    );
}

#[tokio::test]
async fn a_store_of_the_first_schema_is_migrated_with_its_data() {
    let scratch = Scratch::new("migrate");
    let connection = scratch.at_schema(1);
    connection
        .execute(
            "INSERT INTO recipes (recipe_id, name, current_version, content_hash, updated_at)
             VALUES ('old', 'Old Pie', 1, 'h', '2025-01-01T00:00:00.000Z')",
            [],
        )
        .expect("a recipe of schema 1");
    drop(connection);

    let store = SqliteStore::open(&scratch.file()).expect("migrates");
    let summary = store
        .recipe_summary(&RecipeId::parse("old").expect("id"))
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(
        (summary.name.as_str(), summary.withdrawn),
        ("Old Pie", false)
    );
    let deletion = ObjectDeletion {
        object_key: "makes/old.json".into(),
        object_id: shared::store::ObjectIds::for_tests().id("makes/old.json"),
        kind: UploadKind::Make,
        sequencer: Some(Origin::order("01")),
        at: "2026-01-01T00:00:00.000Z".into(),
    };
    assert_eq!(store.delete_object(&deletion).await, Ok(Removed::default()));
    drop(store);
    let connection = Connection::open(scratch.file()).expect("opens");
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .expect("pragma");
    assert_eq!(version, SCHEMA_VERSION);
}

#[tokio::test]
async fn a_cursor_from_another_list_is_refused() {
    let scratch = Scratch::new("cursor");
    let store = SqliteStore::open(&scratch.file()).expect("opens");
    store.put_version(&version("a", "a")).await.expect("put");
    store.put_version(&version("b", "b")).await.expect("put");
    // A limit below 1 is read as 1.
    let first = store
        .recipes(&PageRequest {
            limit: 0,
            cursor: None,
        })
        .await
        .expect("list");
    assert_eq!(first.items.len(), 1);
    let cursor = first.next_cursor.expect("a next page");
    let other = PageRequest {
        limit: 5,
        cursor: Some(cursor),
    };
    assert_eq!(
        store.rejections(&other).await.map(|_| ()),
        Err(StoreError::InvalidCursor)
    );
    let recipe = RecipeId::parse("a").expect("id");
    assert_eq!(
        store.makes(&recipe, &other).await.map(|_| ()),
        Err(StoreError::InvalidCursor)
    );
}

/// Schema 4 counts the makes already stored on their versions, and puts
/// who logged each make into its facts, from the rows of schema 3.
#[tokio::test]
async fn a_store_of_schema_3_counts_its_makes_on_their_versions() {
    let scratch = Scratch::new("migrate-4");
    let connection = scratch.at_schema(3);
    connection
        .execute_batch(
            "INSERT INTO recipes (recipe_id, name, current_version, content_hash, updated_at)
             VALUES ('old', 'Old Pie', 2, 'h2', '2025-01-01T00:00:00.000Z');
             INSERT INTO versions (recipe_id, version, name, content_hash, created_at, document)
             VALUES ('old', 1, 'Old Pie', 'h1', '2025-01-01T00:00:00.000Z', '{}'),
                    ('old', 2, 'Old Pie', 'h2', '2025-01-02T00:00:00.000Z', '{}');
             INSERT INTO makes (recipe_id, make_id, version, rating, created_at, content_hash,
                                document, diff, summary, facts, logged_by)
             VALUES ('old', 'a', 1, 4.0, 't', 'x', '{}', '{}', '{\"total\": 2}',
                     '{\"makeId\": \"a\", \"version\": 1, \"createdAt\": \"t\", \"ingredients\": [],
                       \"substitutions\": [], \"steps\": [], \"stepsAdded\": 0}', 'cook-1'),
                    ('old', 'b', 1, NULL, 't', 'y', '{}', '{}', '{\"total\": 1, \"ratingChanged\": 1}',
                     '{\"makeId\": \"b\", \"version\": 1, \"createdAt\": \"t\", \"ingredients\": [],
                       \"substitutions\": [], \"steps\": [], \"stepsAdded\": 0}', NULL);",
        )
        .expect("rows of schema 3");
    drop(connection);

    let store = SqliteStore::open(&scratch.file()).expect("migrates");
    let old = RecipeId::parse("old").expect("id");
    let versions = store
        .versions(&old, &PageRequest::first(10))
        .await
        .expect("read")
        .expect("kept");
    let figures: Vec<_> = versions
        .items
        .iter()
        .map(|v| {
            (
                v.version,
                v.make_count,
                v.average_make_rating,
                v.changed_share,
            )
        })
        .collect();
    assert_eq!(figures, [(1, 2, Some(4.0), Some(0.5)), (2, 0, None, None)]);
    let facts = store
        .make_facts(&old, &PageRequest::first(10))
        .await
        .expect("read")
        .expect("kept");
    let cooks: Vec<Option<&str>> = facts.items.iter().map(|f| f.logged_by.as_deref()).collect();
    assert_eq!(cooks, [Some("cook-1"), None]);
}
