//! The contract's erasure checks: an erased recipe or make leaves the
//! store with its counts, idempotency keys and rejections, only tombstones
//! under object ids stay, and an erasure begun and not finished is listed
//! until it is finished.

use std::future::Future;

use serde_json::json;
use shared::store::{
    ErasedObject, ErasureTarget, NewRejection, ObjectIds, Origin, RecipeStore, Removed, StoreError,
    Tombstone, Written,
};

use super::deletion::origin_from;
use super::{
    assert_none, id, make, make_id, makes, put, put_make, recipe_summary, rejection, version,
};

const AT: &str = "2026-03-01T00:00:00.000Z";

pub(super) fn recipe(recipe_id: &str) -> ErasureTarget {
    ErasureTarget::Recipe {
        recipe_id: id(recipe_id),
    }
}

pub(super) fn one_make(recipe_id: &str, make: &str) -> ErasureTarget {
    ErasureTarget::Make {
        recipe_id: id(recipe_id),
        make_id: make_id(make),
    }
}

/// Begins the erasure of `target`: the objects it answers, `None` when
/// there is nothing to erase.
async fn begin(store: &dyn RecipeStore, target: &ErasureTarget) -> Option<Vec<ErasedObject>> {
    store.begin_erasure(target, AT).await.expect("begin")
}

fn object(object_key: &str, sequencer: Option<&str>) -> ErasedObject {
    ErasedObject {
        object_key: object_key.to_owned(),
        sequencer: sequencer.map(Origin::order),
    }
}

/// A rejection of the upload of `object_key` at `sequencer`.
fn rejection_of(k: &str, object_key: &str, sequencer: &str) -> NewRejection {
    let mut refused = rejection(k, AT);
    refused.upload.object_key = Some(object_key.to_owned());
    refused.upload.kind = None;
    refused.sequencer = Some(Origin::order(sequencer));
    refused.object_id = Some(ObjectIds::for_tests().id(object_key));
    refused
}

/// Begins and finishes erasing `target`, as the recipe server does.
pub(super) async fn erase(store: &dyn RecipeStore, target: &ErasureTarget) -> Option<Removed> {
    let objects = begin(store, target).await?;
    let tombstones = Tombstone::of(&ObjectIds::for_tests(), &objects);
    Some(
        store
            .finish_erasure(target, &tombstones, AT)
            .await
            .expect("finish"),
    )
}

/// The object keys of every rejection (the contract's store holds few).
async fn rejection_keys(store: &dyn RecipeStore) -> Vec<String> {
    let page = store
        .rejections(&shared::store::PageRequest::first(100))
        .await
        .expect("list");
    page.items
        .into_iter()
        .filter_map(|r| r.upload.object_key)
        .collect()
}

/// Runs every erasure check.
pub(super) async fn run(store: &dyn RecipeStore) {
    a_recipe_erasure_removes_everything_of_the_recipe(store).await;
    a_make_erasure_removes_only_the_make(store).await;
    an_erasure_begun_is_pending_until_finished(store).await;
    nothing_to_erase_is_none(store).await;
}

async fn a_recipe_erasure_removes_everything_of_the_recipe(store: &dyn RecipeStore) {
    let mut first = version("er1", "Pie", 1, "er1-v1");
    first.origin = origin_from("recipes/er1.json", "0A");
    store.put_version(&first).await.expect("put");
    // A second version straight through the API: no object.
    put(store, "er1", "Pie", 2, "er1-v2").await;
    let mut from_bucket = make("er1", "m1", "er1-m1", 1, Some(4.0));
    from_bucket.origin = origin_from("makes/er1-a.json", "05");
    put_make(store, from_bucket).await;
    put_make(store, make("er1", "m2", "er1-m2", 1, Some(2.0))).await;
    // A rejected re-upload of the recipe's file, and one that is not its.
    for rejection in [
        rejection_of("er1-r", "recipes/er1.json", "0B"),
        rejection_of("er1-other", "makes/not-er1.json", "01"),
    ] {
        store.put_rejection(&rejection).await.expect("put");
    }
    // Another recipe, untouched.
    put(store, "er1-kept", "Tart", 1, "er1k-v1").await;

    let objects = begin(store, &recipe("er1"))
        .await
        .expect("the recipe exists");
    assert_eq!(
        objects,
        [
            object("makes/er1-a.json", Some("05")),
            object("recipes/er1.json", Some("0A")),
        ],
        "the objects, by key, with the newest sequencer each"
    );
    assert_eq!(
        store.pending_erasures().await.expect("list"),
        [recipe("er1")]
    );
    let tombstones = Tombstone::of(&ObjectIds::for_tests(), &objects);
    let removed = store
        .finish_erasure(&recipe("er1"), &tombstones, AT)
        .await
        .expect("finish");
    assert_eq!(
        removed,
        Removed {
            makes: 2,
            versions: 2,
            rejections: 1,
        }
    );

    assert_none("the recipe", store.recipe_summary(&id("er1")).await);
    assert_none("a version", store.version(&id("er1"), Some(1)).await);
    assert_none("a make", store.make(&id("er1"), &make_id("m2")).await);
    assert_none(
        "the makes",
        store
            .makes(&id("er1"), &shared::store::PageRequest::first(10))
            .await,
    );
    let recipes = store
        .recipes(&shared::store::PageRequest::first(100))
        .await
        .expect("list");
    assert!(
        recipes.items.iter().all(|r| r.recipe_id.as_str() != "er1"),
        "the recipe is gone from the list"
    );
    let keys = rejection_keys(store).await;
    assert!(!keys.contains(&"recipes/er1.json".to_owned()), "{keys:?}");
    assert!(keys.contains(&"makes/not-er1.json".to_owned()), "{keys:?}");
    assert!(store.pending_erasures().await.expect("list").is_empty());
    assert_eq!(recipe_summary(store, "er1-kept").await.current_version, 1);

    // The tombstones refuse older uploads of the objects, not newer ones.
    let ids = ObjectIds::for_tests();
    for (key, sequencer, deleted) in [
        ("recipes/er1.json", "0A", true),
        ("recipes/er1.json", "0C", false),
        ("makes/er1-a.json", "05", true),
    ] {
        let origin = Origin::new(&ids, key, Some(sequencer));
        assert_eq!(
            store.is_deleted(&origin).await,
            Ok(deleted),
            "{key} {sequencer}"
        );
    }
    let mut late = version("er1", "Pie", 1, "er1-v1");
    late.origin = origin_from("recipes/er1.json", "0A");
    assert_eq!(
        store
            .put_version(&late)
            .await
            .map(|w| w.map(|v| v.head.version)),
        Err(StoreError::Deleted("recipes/er1.json".into())),
        "an upload delivered again after the erasure stores nothing"
    );
    // The write keys are forgotten too: the same key is a new write.
    let again = put(store, "er1", "Pie", 2, "er1-v2").await;
    assert_eq!(again.map(|v| v.head.version), Written::Created(1));
    // Repeating the erasure of what is gone removes nothing more.
    assert_eq!(
        store
            .finish_erasure(&recipe("er1"), &tombstones, AT)
            .await
            .map(|r| r.makes + r.rejections),
        Ok(0)
    );
}

async fn a_make_erasure_removes_only_the_make(store: &dyn RecipeStore) {
    put(store, "er2", "Pie", 1, "er2-v1").await;
    let mut gone = make("er2", "m1", "er2-m1", 1, Some(5.0));
    gone.origin = origin_from("makes/er2-a.json", "01");
    put_make(store, gone.clone()).await;
    put_make(store, make("er2", "m2", "er2-m2", 1, Some(3.0))).await;

    let removed = erase(store, &one_make("er2", "m1")).await;
    assert_eq!(
        removed,
        Some(Removed {
            makes: 1,
            versions: 0,
            rejections: 0,
        })
    );
    let left: Vec<String> = makes(store, "er2")
        .await
        .iter()
        .map(|m| m.make_id.to_string())
        .collect();
    assert_eq!(left, ["m2"]);
    let summary = recipe_summary(store, "er2").await;
    assert_eq!(
        (summary.make_count, summary.average_make_rating),
        (1, Some(3.0)),
        "the counts follow"
    );
    // The same upload again is refused; without its object, its key is new.
    assert!(matches!(
        store.put_make(&gone).await,
        Err(StoreError::Deleted(_))
    ));
    gone.origin = None;
    assert!(put_make(store, gone).await.is_created());
}

async fn an_erasure_begun_is_pending_until_finished(store: &dyn RecipeStore) {
    put(store, "er3", "Pie", 1, "er3-v1").await;
    let objects = begin(store, &recipe("er3")).await;
    assert_eq!(objects, Some(vec![]));
    // Begun twice (a retry after a crash): still one erasure under way.
    begin(store, &recipe("er3")).await;
    assert_eq!(
        store.pending_erasures().await.expect("list"),
        [recipe("er3")]
    );
    assert_eq!(
        store
            .finish_erasure(&recipe("er3"), &[], AT)
            .await
            .map(|r| r.versions),
        Ok(1)
    );
    assert!(store.pending_erasures().await.expect("list").is_empty());
}

async fn nothing_to_erase_is_none(store: &dyn RecipeStore) {
    assert_eq!(erase(store, &recipe("er-none")).await, None);
    put(store, "er4", "Pie", 1, "er4-v1").await;
    assert_eq!(erase(store, &one_make("er4", "nope")).await, None);
    assert!(store.pending_erasures().await.expect("list").is_empty());
}

/// What [`erasure_leaves_no_trace`] plants: the recipe id, the object keys
/// and the document's words, none of which may stay after the erasure.
pub const CANARIES: [&str; 6] = [
    "canary-recipe-7f3a",
    "recipes/canary-recipe-7f3a.json",
    "makes/canary-make-7f3a.json",
    "Quincewhistle",
    "Elderbramble",
    "Notes of Marrowfeather",
];

/// Stores a recipe (from the bucket and not), a make, a rejection and the
/// idempotency records of each, all holding [`CANARIES`], and a variant of
/// the recipe; erases the recipe, and asserts that the variant stays and
/// that `dump` (everything the adapter keeps, as text) holds none of them.
pub async fn erasure_leaves_no_trace<F, Fut>(store: &dyn RecipeStore, dump: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = String>,
{
    let [recipe_id, recipe_key, make_key, word, other_word, notes] = CANARIES;
    let mut first = version(recipe_id, word, 1, "canary-v1");
    first.document = json!({"recipeId": recipe_id, "recipeName": word, "ingredients": [{"ingredientName": other_word, "quantity": 1}], "steps": [], "fields": {}});
    first.content_hash = shared::store::content_hash(&first.document);
    first.origin = origin_from(recipe_key, "01");
    store.put_version(&first).await.expect("put");
    let mut made = make(recipe_id, "canary-m", "canary-m1", 1, Some(4.0));
    made.make.notes = Some(notes.to_owned());
    made.origin = origin_from(make_key, "02");
    put_make(store, made).await;
    store
        .put_rejection(&rejection_of("canary-r", recipe_key, "03"))
        .await
        .expect("put");
    // A variant of it stays, and keeps nothing of it.
    let mut variant = version("kept-variant", "Kept", 2, "kept-v1");
    variant.variant_of = Some(shared::store::Parent {
        recipe_id: super::id(recipe_id),
        version: 1,
    });
    store.put_version(&variant).await.expect("put");
    let before = dump().await;
    for canary in CANARIES {
        assert!(
            before.contains(canary),
            "the dump must show {canary} before the erasure, or it proves nothing"
        );
    }

    assert!(erase(store, &recipe(recipe_id)).await.is_some());
    let kept = super::recipe_summary(store, "kept-variant").await;
    assert!(kept.parent_erased && kept.variant_of.is_none(), "{kept:?}");
    let after = dump().await;
    for canary in CANARIES {
        assert!(
            !after.contains(canary),
            "{canary} is still in the store after the erasure"
        );
    }
}
