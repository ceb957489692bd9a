//! The `RecipeStore` contract: one suite, run against every adapter
//! (`adapters/embedded/tests/store.rs`, `adapters/aws/tests/store.rs`). Each check uses recipe ids of its
//! own, so the checks can share one store.

mod deletion;
mod erasure;
mod insights;
mod lineage;

pub use deletion::origin_from;
pub use erasure::{CANARIES, erasure_leaves_no_trace};

use std::sync::Arc;

use serde_json::json;
use shared::insights::{InsightTally, MakeFacts};
use shared::model::{MakeId, RecipeId};
use shared::store::{
    IdempotencyKey, MakeRef, MakeSummary, NewMake, NewRejection, NewVersion, PageRequest,
    RecipeStore, RecipeSummary, StoreError, StoredMake, StoredVersion, Written, content_hash,
};

/// Every stored make of `recipe_id`, folded afresh into a tally, page by
/// page: what a kept insight tally must equal.
///
/// # Panics
/// When the store fails or has no such recipe.
pub async fn fold_stored_makes(store: &dyn RecipeStore, recipe_id: &RecipeId) -> InsightTally {
    let mut tally = InsightTally::default();
    let mut page = PageRequest::first(shared::store::MAX_PAGE);
    loop {
        let found = store
            .make_facts(recipe_id, &page)
            .await
            .expect("list")
            .expect("the recipe exists");
        found.items.iter().for_each(|f| tally.add(f));
        match found.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => return tally,
        }
    }
}

fn id(text: &str) -> RecipeId {
    RecipeId::parse(text).expect("valid id")
}

fn make_id(text: &str) -> MakeId {
    MakeId::parse(text).expect("valid id")
}

fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::parse(text).expect("valid key")
}

fn version(recipe: &str, name: &str, content: u32, k: &str) -> NewVersion {
    let document = json!({"recipeId": recipe, "recipeName": name, "ingredients": [{"ingredientName": "flour", "quantity": content}], "steps": [], "fields": {}});
    NewVersion {
        recipe_id: id(recipe),
        name: name.to_owned(),
        rating: Some(4.0),
        content_hash: content_hash(&document),
        document,
        key: key(k),
        at: format!("2026-01-01T00:00:{:02}.000Z", content % 60),
        origin: None,
        source: shared::store::VersionSource::Uploaded,
        variant_of: None,
    }
}

/// Stores the version [`version`] describes.
async fn put(
    store: &dyn RecipeStore,
    recipe: &str,
    name: &str,
    content: u32,
    k: &str,
) -> Written<StoredVersion> {
    store
        .put_version(&version(recipe, name, content, k))
        .await
        .expect("put")
}

/// A stored version of `recipe` (`None`: the current one), which must exist.
async fn stored_version(
    store: &dyn RecipeStore,
    recipe: &str,
    number: Option<u32>,
) -> StoredVersion {
    store
        .version(&id(recipe), number)
        .await
        .expect("get")
        .expect("exists")
}

/// The summary of `recipe`, which must exist.
async fn recipe_summary(store: &dyn RecipeStore, recipe: &str) -> RecipeSummary {
    store
        .recipe_summary(&id(recipe))
        .await
        .expect("get")
        .expect("exists")
}

/// The items of a recipe's list page, which must be read and must exist.
fn first_page<T>(found: Result<Option<shared::store::Page<T>>, StoreError>) -> Vec<T> {
    found.expect("list").expect("exists").items
}

/// The first page (of up to 50) of `recipe`'s makes; the recipe must exist.
async fn makes(store: &dyn RecipeStore, recipe: &str) -> Vec<MakeSummary> {
    first_page(store.makes(&id(recipe), &PageRequest::first(50)).await)
}

/// Stores `make`, which must not fail.
async fn put_make(store: &dyn RecipeStore, make: NewMake) -> Written<MakeRef> {
    store.put_make(&make).await.expect("put")
}

/// Asserts that a lookup (of `what`) answered and found nothing.
fn assert_none<T: std::fmt::Debug>(what: &str, found: Result<Option<T>, StoreError>) {
    assert!(matches!(found, Ok(None)), "{what}: {found:?}");
}

fn make(recipe: &str, make: &str, k: &str, content: u32, rating: Option<f64>) -> NewMake {
    let document = json!({"recipeId": recipe, "recipeName": "Pie", "ingredients": [{"ingredientName": "flour", "quantity": content}], "steps": [], "fields": {}});
    let at = "2026-01-02T00:00:00.000Z".to_owned();
    NewMake {
        make: StoredMake {
            recipe_id: id(recipe),
            make_id: make_id(make),
            version: 1,
            made_at: Some("2026-01-02".into()),
            notes: Some("less sugar".into()),
            rating,
            created_at: at.clone(),
            content_hash: content_hash(&document),
            document,
            diff: json!({"summary": {"total": 1}, "changes": [{"op": "quantity-changed"}]}),
            logged_by: None,
        },
        summary: shared::diff::Summary {
            total: 1,
            ..Default::default()
        },
        facts: MakeFacts {
            make_id: make_id(make),
            version: 1,
            made_at: Some("2026-01-02".into()),
            created_at: at,
            rating,
            scale_factor: Some(2.0),
            ingredients: vec![shared::insights::IngredientFact {
                ingredient: "flour".into(),
                change: shared::insights::IngredientChangeKind::Quantity,
            }],
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

fn rejection(k: &str, at: &str) -> NewRejection {
    NewRejection {
        key: key(k),
        upload: shared::store::RejectedUpload {
            object_key: Some(format!("makes/{k}.json")),
            kind: Some(shared::keys::UploadKind::Make),
            refusal: shared::refusal::Refusal::whole(
                shared::refusal::Code::InvalidJson,
                "not valid JSON: EOF while parsing (line 1, column 1)",
            ),
        },
        at: at.to_owned(),
        sequencer: None,
        object_id: None,
    }
}

/// Runs every check of the contract.
pub async fn run(store: Arc<dyn RecipeStore>) {
    versions_are_created_only_on_change(store.as_ref()).await;
    a_delayed_duplicate_never_creates_a_version(store.as_ref()).await;
    recipes_list_in_pages(store.as_ref()).await;
    a_make_is_stored_exactly_once(store.as_ref()).await;
    concurrent_duplicates_create_one_make(Arc::clone(&store)).await;
    a_reused_make_id_is_a_replay_or_a_conflict(store.as_ref()).await;
    a_make_for_an_unknown_recipe_is_refused(store.as_ref()).await;
    makes_and_facts_list_in_pages(store.as_ref()).await;
    rejections_are_stored_once_and_listed_newest_first(store.as_ref()).await;
    unknown_things_are_none_and_bad_cursors_are_refused(store.as_ref()).await;
    deletion::run(store.as_ref()).await;
    erasure::run(store.as_ref()).await;
    lineage::run(store.as_ref()).await;
    insights::run(store.as_ref()).await;
    store.ping().await.expect("ping");
}

async fn versions_are_created_only_on_change(store: &dyn RecipeStore) {
    // Each write in turn, and what it did to which version.
    let writes = [
        ("Pie", 1, "c1-a", Written::Created(1)),
        // The same key again.
        ("Pie", 1, "c1-a", Written::Replayed(1)),
        // The same content under a new key.
        ("Pie", 1, "c1-b", Written::Unchanged(1)),
        ("Better Pie", 2, "c1-c", Written::Created(2)),
    ];
    for (name, content, k, expected) in writes {
        let written = put(store, "c1", name, content, k).await;
        assert_eq!(written.map(|v| v.head.version), expected, "key {k}");
    }

    let current = stored_version(store, "c1", None).await;
    assert_eq!(
        (current.head.version, current.head.name.as_str()),
        (2, "Better Pie")
    );
    assert_eq!(current.document["ingredients"][0]["quantity"], 2);
    let old = stored_version(store, "c1", Some(1)).await;
    assert_eq!((old.head.version, old.head.name.as_str()), (1, "Pie"));
    assert_eq!(old.document["ingredients"][0]["quantity"], 1);
    assert_none(
        "a version not yet stored",
        store.version(&id("c1"), Some(3)).await,
    );

    let versions = store
        .versions(&id("c1"), &PageRequest::first(10))
        .await
        .expect("list")
        .expect("exists");
    assert_eq!(
        versions.items.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2]
    );
    let summary = recipe_summary(store, "c1").await;
    assert_eq!(
        (
            summary.current_version,
            summary.name.as_str(),
            summary.make_count
        ),
        (2, "Better Pie", 0)
    );
}

async fn a_delayed_duplicate_never_creates_a_version(store: &dyn RecipeStore) {
    put(store, "c2", "Soup", 1, "c2-a").await;
    put(store, "c2", "Soup", 2, "c2-b").await;
    // The first upload's event, delivered again after the second upload.
    let late = put(store, "c2", "Soup", 1, "c2-a").await;
    assert_eq!(late.map(|v| v.head.version), Written::Replayed(1));
    let current = stored_version(store, "c2", None).await;
    assert_eq!(current.head.version, 2);
}

async fn recipes_list_in_pages(store: &dyn RecipeStore) {
    for n in 0..5 {
        put(store, &format!("list-{n}"), "Stew", 1, &format!("list-{n}")).await;
    }
    let mut seen = Vec::new();
    let mut page = PageRequest::first(2);
    let mut pages = 0;
    loop {
        let result = store.recipes(&page).await.expect("list");
        assert!(result.items.len() <= 2);
        pages += 1;
        seen.extend(result.items.iter().map(|r| r.recipe_id.to_string()));
        match result.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => break,
        }
        assert!(pages < 50, "pagination does not end");
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "recipes are listed by id");
    sorted.dedup();
    assert_eq!(seen.len(), sorted.len(), "no recipe is listed twice");
    for n in 0..5 {
        assert!(seen.contains(&format!("list-{n}")));
    }
}

async fn a_make_is_stored_exactly_once(store: &dyn RecipeStore) {
    put(store, "m1", "Pie", 1, "m1-v").await;
    let first = put_make(store, make("m1", "m1-a", "m1-k1", 3, Some(5.0))).await;
    assert!(first.is_created());
    let replay = put_make(store, make("m1", "m1-a", "m1-k1", 3, Some(5.0))).await;
    assert_eq!(
        replay.map(|r| r.make_id),
        Written::Replayed(make_id("m1-a"))
    );
    // The same key with another make id (the server assigns ids per request)
    // still returns the first make.
    let other_id = put_make(store, make("m1", "m1-other", "m1-k1", 3, Some(5.0))).await;
    assert_eq!(
        other_id.map(|r| r.make_id),
        Written::Replayed(make_id("m1-a"))
    );

    let stored = store
        .make(&id("m1"), &make_id("m1-a"))
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(stored.rating, Some(5.0));
    assert_eq!(stored.notes.as_deref(), Some("less sugar"));
    assert_eq!(stored.diff["changes"][0]["op"], "quantity-changed");
    assert_eq!(stored.document["ingredients"][0]["quantity"], 3);
    assert_none(
        "a make under an id the key did not store",
        store.make(&id("m1"), &make_id("m1-other")).await,
    );
    assert_eq!(stored.logged_by, None);
    // Who logged a make from the dashboard is kept with it.
    put(store, "ml", "Pie", 1, "ml-v").await;
    let mut logged = make("ml", "ml-a", "ml-k", 4, None);
    logged.make.logged_by = Some("5c2f0b6e-cook".into());
    assert!(put_make(store, logged).await.is_created());
    let stored = store
        .make(&id("ml"), &make_id("ml-a"))
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(stored.logged_by.as_deref(), Some("5c2f0b6e-cook"));

    let summary = recipe_summary(store, "m1").await;
    assert_eq!(summary.make_count, 1);
    assert_eq!(summary.average_make_rating, Some(5.0));
}

async fn concurrent_duplicates_create_one_make(store: Arc<dyn RecipeStore>) {
    put(store.as_ref(), "m2", "Pie", 1, "m2-v").await;
    let mut tasks = Vec::new();
    for n in 0..8 {
        let store = Arc::clone(&store);
        // Each attempt carries the same key but its own assigned id, as
        // concurrent deliveries of one message do.
        tasks.push(tokio::spawn(async move {
            store
                .put_make(&make("m2", &format!("m2-{n}"), "m2-k", 3, None))
                .await
        }));
    }
    let mut created = 0;
    let mut ids = Vec::new();
    for task in tasks {
        let written = task.await.expect("task").expect("put");
        created += usize::from(written.is_created());
        ids.push(written.into_inner().make_id);
    }
    assert_eq!(created, 1, "exactly one attempt creates the make");
    assert!(
        ids.windows(2).all(|w| w[0] == w[1]),
        "every attempt reports the same make: {ids:?}"
    );
    assert_eq!(makes(store.as_ref(), "m2").await.len(), 1);
    let summary = recipe_summary(store.as_ref(), "m2").await;
    assert_eq!(summary.make_count, 1);
}

async fn a_reused_make_id_is_a_replay_or_a_conflict(store: &dyn RecipeStore) {
    put(store, "m3", "Pie", 1, "m3-v").await;
    put_make(store, make("m3", "dinner", "m3-k1", 3, None)).await;
    // Uploaded again deliberately (new key), same content: the same make.
    let again = put_make(store, make("m3", "dinner", "m3-k2", 3, None)).await;
    assert_eq!(
        again.map(|r| r.make_id),
        Written::Replayed(make_id("dinner"))
    );
    // Same id, different content: refused.
    let conflict = store
        .put_make(&make("m3", "dinner", "m3-k3", 4, None))
        .await;
    assert_eq!(conflict, Err(StoreError::MakeConflict(make_id("dinner"))));
    assert_eq!(makes(store, "m3").await.len(), 1);
}

async fn a_make_for_an_unknown_recipe_is_refused(store: &dyn RecipeStore) {
    let result = store
        .put_make(&make("nobody", "x", "nobody-k", 1, None))
        .await;
    assert_eq!(result, Err(StoreError::RecipeNotFound(id("nobody"))));
    // Refusing it must not burn the key: once the recipe exists, the retry works.
    put(store, "nobody", "Late Recipe", 1, "nobody-v").await;
    let retried = put_make(store, make("nobody", "x", "nobody-k", 1, None)).await;
    assert!(retried.is_created());
}

async fn makes_and_facts_list_in_pages(store: &dyn RecipeStore) {
    put(store, "m4", "Pie", 1, "m4-v").await;
    for n in 0..5 {
        let (m, k) = (format!("m4-{n}"), format!("m4-k{n}"));
        put_make(store, make("m4", &m, &k, n, Some(f64::from(n)))).await;
    }
    let mut ids = Vec::new();
    let mut page = PageRequest::first(2);
    loop {
        let result = store
            .makes(&id("m4"), &page)
            .await
            .expect("list")
            .expect("exists");
        ids.extend(result.items.iter().map(|m| m.make_id.to_string()));
        match result.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => break,
        }
    }
    assert_eq!(ids, ["m4-0", "m4-1", "m4-2", "m4-3", "m4-4"]);
    let facts = store
        .make_facts(&id("m4"), &PageRequest::first(100))
        .await
        .expect("list")
        .expect("exists");
    assert_eq!(facts.items.len(), 5);
    assert_eq!(facts.items[4].rating, Some(4.0));
    assert_eq!(facts.items[0].ingredients[0].ingredient, "flour");
    let summary = recipe_summary(store, "m4").await;
    assert_eq!(summary.make_count, 5);
    assert_eq!(summary.average_make_rating, Some(2.0));
}

async fn rejections_are_stored_once_and_listed_newest_first(store: &dyn RecipeStore) {
    let first = store
        .put_rejection(&rejection("r-1", "2026-02-01T00:00:01.000Z"))
        .await
        .expect("put");
    assert!(first.is_created());
    let replay = store
        .put_rejection(&rejection("r-1", "2026-02-01T00:00:09.000Z"))
        .await
        .expect("put");
    assert!(
        matches!(&replay, Written::Replayed(r) if r.created_at == "2026-02-01T00:00:01.000Z"),
        "{replay:?}"
    );
    store
        .put_rejection(&rejection("r-2", "2026-02-01T00:00:02.000Z"))
        .await
        .expect("put");
    store
        .put_rejection(&rejection("r-3", "2026-02-01T00:00:03.000Z"))
        .await
        .expect("put");
    let mut seen = Vec::new();
    let mut page = PageRequest::first(2);
    loop {
        let result = store.rejections(&page).await.expect("list");
        seen.extend(
            result
                .items
                .iter()
                .map(|r| r.upload.object_key.clone().unwrap_or_default()),
        );
        match result.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => break,
        }
    }
    let ours: Vec<_> = seen
        .iter()
        .filter(|k| k.starts_with("makes/r-"))
        .cloned()
        .collect();
    assert_eq!(ours, ["makes/r-3.json", "makes/r-2.json", "makes/r-1.json"]);
}

async fn unknown_things_are_none_and_bad_cursors_are_refused(store: &dyn RecipeStore) {
    // An unknown recipe has none of these.
    let (ghost, first) = (id("ghost"), PageRequest::first(5));
    assert_none("version", store.version(&ghost, None).await);
    assert_none("summary", store.recipe_summary(&ghost).await);
    assert_none("versions", store.versions(&ghost, &first).await);
    assert_none("makes", store.makes(&ghost, &first).await);
    assert_none("facts", store.make_facts(&ghost, &first).await);
    assert_none("make", store.make(&ghost, &make_id("x")).await);
    let bad = PageRequest {
        limit: 5,
        cursor: Some(shared::store::Cursor::from_client("not-a-cursor!")),
    };
    assert_eq!(store.recipes(&bad).await, Err(StoreError::InvalidCursor));
    assert_eq!(
        store.rejections(&bad).await.map(|_| ()),
        Err(StoreError::InvalidCursor)
    );
}
