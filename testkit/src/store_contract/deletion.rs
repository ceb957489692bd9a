//! The contract's deletion checks: what came from a deleted object goes,
//! and an upload older than its deletion stores nothing, whatever order
//! the events arrive in.

use shared::keys::UploadKind;
use shared::store::{
    NewRejection, ObjectDeletion, ObjectIds, Origin, RecipeStore, Removed, StoreError, Written,
};

use super::{
    assert_none, first_page, id, make, make_id, makes, put, recipe_summary, rejection,
    stored_version, version,
};

fn deletion(object_key: &str, sequencer: &str) -> ObjectDeletion {
    ObjectDeletion {
        object_key: object_key.to_owned(),
        object_id: ObjectIds::for_tests().id(object_key),
        kind: if object_key.starts_with("recipes/") {
            UploadKind::Recipe
        } else {
            UploadKind::Make
        },
        sequencer: Some(Origin::order(sequencer)),
        at: "2026-01-03T00:00:00.000Z".to_owned(),
    }
}

async fn delete(store: &dyn RecipeStore, object_key: &str, sequencer: &str) -> Removed {
    store
        .delete_object(&deletion(object_key, sequencer))
        .await
        .expect("delete")
}

/// The origin of an upload of `object_key` at `sequencer`, with its object
/// id under the tests' secret.
pub fn origin_from(object_key: &str, sequencer: &str) -> Option<Origin> {
    Some(Origin::new(
        &ObjectIds::for_tests(),
        object_key,
        Some(sequencer),
    ))
}

/// A rejection of the upload of `object_key` at `sequencer`.
fn rejection_from(k: &str, at: &str, object_key: &str, sequencer: &str) -> NewRejection {
    let mut refused = rejection(k, at);
    refused.upload.object_key = Some(object_key.to_owned());
    refused.sequencer = Some(Origin::order(sequencer));
    refused.object_id = Some(ObjectIds::for_tests().id(object_key));
    refused
}

/// What a deletion that removed one make answers.
const REMOVED_ONE_MAKE: Removed = Removed {
    makes: 1,
    versions: 0,
    rejections: 0,
};

/// What a deletion that withdrew one recipe version answers.
const REMOVED_ONE_VERSION: Removed = Removed {
    makes: 0,
    versions: 1,
    rejections: 0,
};

/// What a deletion that removed one rejection answers.
const REMOVED_ONE_REJECTION: Removed = Removed {
    makes: 0,
    versions: 0,
    rejections: 1,
};

/// Runs every deletion check.
pub(super) async fn run(store: &dyn RecipeStore) {
    a_deleted_make_goes_with_its_counts_and_facts(store).await;
    an_upload_older_than_its_deletion_stores_nothing(store).await;
    a_deleted_recipe_object_withdraws_its_versions(store).await;
    a_deleted_rejection_goes(store).await;
}

async fn a_deleted_make_goes_with_its_counts_and_facts(store: &dyn RecipeStore) {
    put(store, "del-make", "Pie", 1, "dm-v").await;
    for (m, rating, seq) in [("m1", 4.0, "05"), ("m2", 2.0, "06")] {
        let mut new = make("del-make", m, &format!("dm-{m}"), 7, Some(rating));
        new.origin = origin_from(&format!("makes/del-{m}.json"), seq);
        assert!(store.put_make(&new).await.expect("put").is_created());
    }
    let removed = delete(store, "makes/del-m1.json", "07").await;
    assert_eq!(removed, REMOVED_ONE_MAKE);
    assert_none(
        "the deleted make",
        store.make(&id("del-make"), &make_id("m1")).await,
    );
    let left: Vec<String> = makes(store, "del-make")
        .await
        .iter()
        .map(|m| m.make_id.to_string())
        .collect();
    assert_eq!(left, ["m2"], "the makes left");
    let facts = first_page(
        store
            .make_facts(&id("del-make"), &shared::store::PageRequest::first(50))
            .await,
    );
    assert_eq!(facts.len(), 1, "{facts:?}");
    let summary = recipe_summary(store, "del-make").await;
    assert_eq!(
        (summary.make_count, summary.average_make_rating),
        (1, Some(2.0)),
        "the counts follow"
    );
    // Again (a duplicate event): nothing more to remove.
    assert_eq!(
        delete(store, "makes/del-m1.json", "07").await,
        Removed::default()
    );
    assert_eq!(recipe_summary(store, "del-make").await.make_count, 1);
}

async fn an_upload_older_than_its_deletion_stores_nothing(store: &dyn RecipeStore) {
    put(store, "del-late", "Pie", 1, "dl-v").await;
    // The deletion arrives first, for an object the store never saw.
    assert_eq!(
        delete(store, "makes/del-late.json", "10").await,
        Removed::default()
    );
    // Asked without writing: older uploads are deleted, later ones are not,
    // and another key is untouched.
    for (key, sequencer, deleted) in [
        ("makes/del-late.json", "0F", true),
        ("makes/del-late.json", "11", false),
        ("makes/del-other.json", "01", false),
    ] {
        let origin = Origin::new(&ObjectIds::for_tests(), key, Some(sequencer));
        assert_eq!(
            store.is_deleted(&origin).await,
            Ok(deleted),
            "{key} at {sequencer}"
        );
    }
    let mut late = make("del-late", "late", "dl-m1", 7, None);
    late.origin = origin_from("makes/del-late.json", "0F");
    assert_eq!(
        store.put_make(&late).await,
        Err(StoreError::Deleted("makes/del-late.json".into())),
        "the upload the deletion removed"
    );
    assert!(makes(store, "del-late").await.is_empty());
    // A recipe upload and a rejection older than a deletion are refused too.
    delete(store, "recipes/del-late.json", "10").await;
    let mut old = version("del-late", "Pie", 2, "dl-v2");
    old.origin = origin_from("recipes/del-late.json", "0A");
    assert_eq!(
        store.put_version(&old).await,
        Err(StoreError::Deleted("recipes/del-late.json".into()))
    );
    assert_eq!(
        stored_version(store, "del-late", None).await.head.version,
        1
    );
    let refused = rejection_from(
        "dl-r",
        "2026-01-02T00:00:00.000Z",
        "makes/del-late.json",
        "0E",
    );
    assert_eq!(
        store.put_rejection(&refused).await,
        Err(StoreError::Deleted("makes/del-late.json".into()))
    );
    // A re-upload after the deletion is new.
    let mut again = make("del-late", "late", "dl-m2", 7, None);
    again.origin = origin_from("makes/del-late.json", "11");
    assert!(store.put_make(&again).await.expect("put").is_created());
    // The first upload delivered once more is still older than the deletion.
    assert_eq!(
        store.put_make(&late).await,
        Err(StoreError::Deleted("makes/del-late.json".into()))
    );
    // Deleting the re-upload, then replaying its own write, keeps it gone.
    delete(store, "makes/del-late.json", "12").await;
    assert_eq!(
        store.put_make(&again).await,
        Err(StoreError::Deleted("makes/del-late.json".into()))
    );
    assert!(makes(store, "del-late").await.is_empty());
}

async fn a_deleted_recipe_object_withdraws_its_versions(store: &dyn RecipeStore) {
    let mut first = version("del-rec", "Pie", 1, "dr-v1");
    first.origin = origin_from("recipes/del-rec.json", "01");
    assert!(store.put_version(&first).await.expect("put").is_created());
    let mut second = version("del-rec", "Pie II", 2, "dr-v2");
    second.origin = origin_from("recipes/del-rec-2.json", "01");
    assert!(store.put_version(&second).await.expect("put").is_created());
    let mut cooked = make("del-rec", "m", "dr-m", 7, Some(5.0));
    cooked.origin = origin_from("makes/del-rec.json", "01");
    store.put_make(&cooked).await.expect("put");

    // The second version's object goes: the first is current again.
    let removed = delete(store, "recipes/del-rec-2.json", "02").await;
    assert_eq!(removed, REMOVED_ONE_VERSION);
    let current = stored_version(store, "del-rec", None).await;
    assert_eq!(
        (current.head.version, current.head.name.as_str()),
        (1, "Pie")
    );
    assert!(
        stored_version(store, "del-rec", Some(2))
            .await
            .head
            .withdrawn_at
            .is_some(),
        "a withdrawn version is kept, marked"
    );
    let summary = recipe_summary(store, "del-rec").await;
    assert_eq!(
        (
            summary.current_version,
            summary.name.as_str(),
            summary.withdrawn
        ),
        (1, "Pie", false)
    );
    // The make made from a version is kept.
    assert_eq!(summary.make_count, 1);

    // Both objects gone: the recipe is withdrawn, its makes kept.
    delete(store, "recipes/del-rec.json", "02").await;
    let summary = recipe_summary(store, "del-rec").await;
    assert!(summary.withdrawn, "{summary:?}");
    assert_eq!(summary.make_count, 1);
    assert_eq!(
        (summary.current_version, summary.name.as_str()),
        (2, "Pie II"),
        "all withdrawn: the newest version is the current one"
    );
    let versions = first_page(
        store
            .versions(&id("del-rec"), &shared::store::PageRequest::first(10))
            .await,
    );
    assert!(
        versions.iter().all(|v| v.withdrawn_at.is_some()),
        "{versions:?}"
    );

    // The same content uploaded again is a new version, not "unchanged".
    let mut back = version("del-rec", "Pie", 1, "dr-v3");
    back.origin = origin_from("recipes/del-rec.json", "03");
    let written = store.put_version(&back).await.expect("put");
    assert!(
        matches!(&written, Written::Created(v) if v.head.version == 3),
        "{written:?}"
    );
    assert!(!recipe_summary(store, "del-rec").await.withdrawn);
}

async fn a_deleted_rejection_goes(store: &dyn RecipeStore) {
    let refused = rejection_from(
        "del-rej",
        "2026-01-02T00:00:01.000Z",
        "makes/del-rej.json",
        "01",
    );
    store.put_rejection(&refused).await.expect("put");
    let removed = delete(store, "makes/del-rej.json", "02").await;
    assert_eq!(removed, REMOVED_ONE_REJECTION);
    let listed = store
        .rejections(&shared::store::PageRequest::first(100))
        .await
        .expect("list")
        .items;
    assert!(
        listed
            .iter()
            .all(|r| r.upload.object_key.as_deref() != Some("makes/del-rej.json")),
        "{listed:?}"
    );
}
