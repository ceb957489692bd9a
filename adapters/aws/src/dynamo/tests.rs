//! Behaviour particular to DynamoDB (the shared contract is `testkit::store_contract`).

use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use serde_json::{Value, json};
use shared::insights::MakeFacts;
use shared::model::{MakeId, RecipeId};
use shared::store::{
    Cursor, IdempotencyKey, NewMake, NewVersion, PageRequest, RecipeStore, StoreError, StoredMake,
    content_hash,
};

use super::DynamoStore;
use super::items::ITEM_LIMIT;
use super::keys::List;
use super::reads::start_key;

mod deletion;

fn recipe_id(text: &str) -> RecipeId {
    RecipeId::parse(text).expect("valid id")
}

fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::parse(text).expect("valid key")
}

fn version(recipe: &str, content: u32, k: &str) -> NewVersion {
    let document = json!({"recipeId": recipe, "ingredients": [{"quantity": content}]});
    NewVersion {
        recipe_id: recipe_id(recipe),
        name: "Pie".into(),
        rating: None,
        content_hash: content_hash(&document),
        document,
        key: key(k),
        at: "2026-01-01T00:00:00.000Z".into(),
        origin: None,
        source: shared::store::VersionSource::Uploaded,
        variant_of: None,
    }
}

fn make(recipe: &str, id: &str, k: &str, document: Value) -> NewMake {
    let make_id = MakeId::parse(id).expect("valid id");
    let at = "2026-01-02T00:00:00.000Z".to_owned();
    NewMake {
        make: StoredMake {
            recipe_id: recipe_id(recipe),
            make_id: make_id.clone(),
            version: 1,
            made_at: None,
            notes: None,
            rating: None,
            created_at: at.clone(),
            content_hash: content_hash(&document),
            document,
            diff: json!({"summary": {}}),
            logged_by: None,
        },
        summary: shared::diff::Summary::default(),
        facts: MakeFacts {
            make_id,
            version: 1,
            made_at: None,
            created_at: at,
            rating: None,
            scale_factor: None,
            ingredients: vec![],
            substitutions: vec![],
            steps: vec![],
            steps_added: 0,
            logged_by: None,
            changed: None,
        },
        key: key(k),
        origin: None,
    }
}

fn client(endpoint: &str) -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "static",
        ))
        .build();
    Client::from_conf(config)
}

async fn store_on_moto(moto: &testkit::MotoServer) -> DynamoStore {
    let client = client(&moto.endpoint());
    DynamoStore::create_table(&client, "recipes")
        .await
        .expect("table created");
    DynamoStore::new(client, "recipes")
}

/// A store on `moto` holding version 1 of recipe `pie`, stored under `k`.
async fn store_with_pie(moto: &testkit::MotoServer, k: &str) -> DynamoStore {
    let store = store_on_moto(moto).await;
    store.put_version(&version("pie", 1, k)).await.expect("put");
    store
}

/// The makes of the recipe `recipe`, whose partition is `RECIPE#<recipe>`.
fn list(recipe: &RecipeId) -> List<'_> {
    List::Makes(recipe)
}

#[test]
fn a_cursor_from_another_list_or_of_another_shape_is_refused() {
    let recipe_a = recipe_id("a");
    let ours = Cursor::encode(&json!({"pk": "RECIPE#a", "sk": "MAKE#x"}));
    assert!(start_key(&ours, &list(&recipe_a)).is_ok());
    for position in [
        json!({"pk": "RECIPE#b", "sk": "MAKE#x"}),
        json!({"pk": "RECIPE#a", "sk": "VERSION#0000000001"}),
        json!({"pk": "RECIPE#a", "sk": "MAKE#x", "extra": 1}),
        json!({"pk": "RECIPE#a", "sk": 7}),
        json!(["RECIPE#a", "MAKE#x"]),
    ] {
        let cursor = Cursor::encode(&position);
        assert_eq!(
            start_key(&cursor, &list(&recipe_a)),
            Err(StoreError::InvalidCursor),
            "{position}"
        );
    }
}

#[tokio::test]
async fn a_make_over_the_item_limit_is_refused_before_anything_is_sent() {
    // Nothing listens on port 9: a request would fail as Unavailable.
    let store = DynamoStore::new(client("http://127.0.0.1:9"), "recipes");
    let big = make(
        "pie",
        "huge",
        "huge-k",
        json!({"notes": "x".repeat(ITEM_LIMIT)}),
    );
    let result = store.put_make(&big).await;
    assert!(
        matches!(&result, Err(StoreError::Internal(m)) if m.contains("over the 400 KB item limit")),
        "{result:?}"
    );
}

#[tokio::test]
async fn an_unreachable_table_is_unavailable() {
    let store = DynamoStore::new(client("http://127.0.0.1:9"), "recipes");
    let result = store.ping().await;
    assert!(
        matches!(&result, Err(StoreError::Unavailable(_))),
        "{result:?}"
    );
}

// testkit runs moto one request at a time, because threaded moto does
// not isolate concurrent TransactWriteItems; DynamoDB does.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_new_versions_get_consecutive_numbers() {
    let moto = testkit::MotoServer::start();
    let store = Arc::new(store_on_moto(&moto).await);
    let tasks: Vec<_> = (1..=6)
        .map(|n| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                store
                    .put_version(&version("race", n, &format!("race-{n}")))
                    .await
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for task in tasks {
        let written = task.await.expect("task").expect("put");
        assert!(written.is_created(), "{written:?}");
        numbers.push(written.into_inner().head.version);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
    let current = store
        .version(&recipe_id("race"), None)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(current.head.version, 6);
    let summary = store
        .recipe_summary(&recipe_id("race"))
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(summary.current_version, 6);
    let listed = store.recipes(&PageRequest::first(10)).await.expect("list");
    assert_eq!(
        listed.items[0].current_version, 6,
        "the directory follows the recipe"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_key_for_two_kinds_of_write_is_two_writes() {
    let moto = testkit::MotoServer::start();
    let store = store_with_pie(&moto, "shared-key").await;
    let made = store
        .put_make(&make("pie", "m", "shared-key", json!({"a": 1})))
        .await
        .expect("put");
    assert!(made.is_created(), "{made:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_page_is_not_followed_by_an_empty_one() {
    let moto = testkit::MotoServer::start();
    let store = store_with_pie(&moto, "v").await;
    for n in 0..4 {
        let document = json!({"n": n});
        store
            .put_make(&make("pie", &format!("m{n}"), &format!("k{n}"), document))
            .await
            .expect("put");
    }
    let first = store
        .makes(&recipe_id("pie"), &PageRequest::first(2))
        .await
        .expect("list")
        .expect("exists");
    let second = PageRequest {
        limit: 2,
        cursor: first.next_cursor,
    };
    let second = store
        .makes(&recipe_id("pie"), &second)
        .await
        .expect("list")
        .expect("exists");
    assert_eq!(second.items.len(), 2);
    assert_eq!(second.next_cursor, None);
    let none = store
        .makes(&recipe_id("ghost"), &PageRequest::first(2))
        .await
        .expect("list");
    assert!(none.is_none());
}
