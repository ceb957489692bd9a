//! Deletion on DynamoDB: what the shared contract cannot reach (a deletion
//! interrupted half-way, pointers left behind, items written before
//! deletion followed the bucket).

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::json;
use shared::keys::UploadKind;
use shared::model::MakeId;
use shared::store::{
    NewMake, NewRejection, ObjectDeletion, ObjectIds, Origin, PageRequest, RecipeStore,
    RecipeSummary, Removed, Written,
};
use testkit::store_contract::origin_from;

use super::{key, make, recipe_id, store_on_moto, store_with_pie, version};
use crate::dynamo::DynamoStore;
use crate::dynamo::items::Pointer;
use crate::dynamo::keys::{DELETED_SK, Item, Key, List};

fn deletion(object_key: &str, sequencer: Option<&str>) -> ObjectDeletion {
    ObjectDeletion {
        object_key: object_key.to_owned(),
        object_id: ObjectIds::for_tests().id(object_key),
        kind: UploadKind::Make,
        sequencer: sequencer.map(Origin::order),
        at: "2026-01-03T00:00:00.000Z".to_owned(),
    }
}

fn made_from(recipe: &str, id: &str, object_key: &str, sequencer: &str) -> NewMake {
    let mut new = make(recipe, id, &format!("{id}-k"), json!({"make": id}));
    new.make.rating = Some(4.0);
    new.origin = origin_from(object_key, sequencer);
    new
}

/// A store on `moto` holding version 1 of recipe `pie` and its make `m`,
/// rated 4, from upload `05` of `object_key`.
async fn store_with_make_from(moto: &testkit::MotoServer, object_key: &str) -> DynamoStore {
    let store = store_with_pie(moto, "v").await;
    let new = made_from("pie", "m", object_key, "05");
    assert!(store.put_make(&new).await.expect("put").is_created());
    store
}

async fn summary(store: &DynamoStore, recipe: &str) -> RecipeSummary {
    store
        .recipe_summary(&recipe_id(recipe))
        .await
        .expect("get")
        .expect("exists")
}

/// Writes an item by hand, as an earlier release or a crash left it.
async fn put_raw(store: &DynamoStore, item: Item) {
    let request = store.client.put_item().table_name(&store.table);
    request.set_item(Some(item)).send().await.expect("put item");
}

/// The sort keys of an object's partition.
async fn object_items(store: &DynamoStore, object_key: &str) -> Vec<String> {
    store
        .query_all(List::Object(&ObjectIds::for_tests().id(object_key)), &[])
        .await
        .expect("query")
        .into_iter()
        .filter_map(|item| item.get("sk").and_then(|v| v.as_s().ok()).cloned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deletion_interrupted_after_its_tombstone_finishes_when_delivered_again() {
    let moto = testkit::MotoServer::start();
    let store = store_with_make_from(&moto, "makes/m.json").await;
    // The first delivery raised the tombstone, then the process died.
    let mut tombstone = Key::Tombstone(&ObjectIds::for_tests().id("makes/m.json")).item();
    tombstone.insert(
        "sequencer".to_owned(),
        AttributeValue::S(Origin::order("07")),
    );
    put_raw(&store, tombstone).await;
    let removed = store
        .delete_object(&deletion("makes/m.json", Some("07")))
        .await
        .expect("delete");
    assert_eq!(removed.makes, 1);
    assert_eq!(summary(&store, "pie").await.make_count, 0);
    assert_eq!(object_items(&store, "makes/m.json").await, [DELETED_SK]);
    // A deletion older than the remembered one lowers nothing.
    store
        .delete_object(&deletion("makes/m.json", Some("06")))
        .await
        .expect("delete");
    let tombstone = store
        .tombstone(&ObjectIds::for_tests().id("makes/m.json"))
        .await
        .expect("get");
    assert_eq!(tombstone.map(|t| t.sequencer), Some(Origin::order("07")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pointers_whose_records_are_gone_or_replaced_are_cleared_and_count_nothing() {
    let moto = testkit::MotoServer::start();
    // Make `m` came from another object; a pointer from this one names it.
    let store = store_with_make_from(&moto, "makes/other.json").await;
    let stale = made_from("pie", "m", "makes/gone.json", "05");
    // Its pointers go under the partition of makes/gone.json.
    let origin = stale.origin.clone().expect("origin");
    for pointer in [
        Pointer::make(&stale, &origin),
        Pointer::version(&recipe_id("pie"), 9, &origin),
        Pointer::rejection("2026-01-01T00:00:00.000Z~abc", &origin),
    ] {
        put_raw(&store, pointer.into_item().expect("item")).await;
    }
    let removed = store
        .delete_object(&deletion("makes/gone.json", Some("06")))
        .await
        .expect("delete");
    assert_eq!(removed, Removed::default());
    assert_eq!(object_items(&store, "makes/gone.json").await, [DELETED_SK]);
    let kept = store
        .make(&recipe_id("pie"), &MakeId::parse("m").expect("id"))
        .await
        .expect("get");
    assert!(kept.is_some(), "a make from another object stays");
    let summary = summary(&store, "pie").await;
    assert_eq!((summary.make_count, summary.current_version), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deletion_without_a_sequencer_removes_everything_and_remembers_nothing() {
    let moto = testkit::MotoServer::start();
    let store = store_with_make_from(&moto, "makes/m.json").await;
    let mut refused = NewRejection {
        key: key("r"),
        upload: shared::store::RejectedUpload {
            object_key: Some("makes/m.json".into()),
            kind: Some(UploadKind::Make),
            refusal: shared::refusal::Refusal::whole(
                shared::refusal::Code::InvalidJson,
                "not JSON",
            ),
        },
        at: "2026-01-02T00:00:00.000Z".into(),
        sequencer: None,
        object_id: Some(ObjectIds::for_tests().id("makes/m.json")),
    };
    store.put_rejection(&refused).await.expect("put");
    let removed = store
        .delete_object(&deletion("makes/m.json", None))
        .await
        .expect("delete");
    assert_eq!(
        removed,
        Removed {
            makes: 1,
            rejections: 1,
            ..Removed::default()
        }
    );
    assert!(object_items(&store, "makes/m.json").await.is_empty());
    // Nothing is remembered: an older upload delivered now is stored.
    let late = made_from("pie", "late", "makes/m.json", "01");
    assert!(store.put_make(&late).await.expect("put").is_created());
    refused.key = key("r2");
    assert!(
        store
            .put_rejection(&refused)
            .await
            .expect("put")
            .is_created()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn when_every_version_is_withdrawn_the_newest_is_current() {
    let moto = testkit::MotoServer::start();
    let store = store_on_moto(&moto).await;
    for (content, object_key) in [(1, "recipes/a.json"), (2, "recipes/b.json")] {
        let mut new = version("pie", content, &format!("v{content}"));
        new.origin = origin_from(object_key, "01");
        store.put_version(&new).await.expect("put");
    }
    // The newer version's object goes first, then the older's.
    for object_key in ["recipes/b.json", "recipes/a.json"] {
        let removed = store
            .delete_object(&deletion(object_key, Some("02")))
            .await
            .expect("delete");
        assert_eq!(removed.versions, 1, "{object_key}");
    }
    let summary = summary(&store, "pie").await;
    assert!(summary.withdrawn);
    assert_eq!(summary.current_version, 2);
    let listed = store.recipes(&PageRequest::first(10)).await.expect("list");
    assert!(
        listed.items[0].withdrawn,
        "the directory follows the recipe"
    );
    let current = store.version(&recipe_id("pie"), None).await.expect("get");
    assert!(current.is_some_and(|v| v.head.version == 2 && v.head.withdrawn_at.is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_recipe_stored_before_deletion_followed_the_bucket_keeps_its_numbers() {
    let moto = testkit::MotoServer::start();
    let store = store_on_moto(&moto).await;
    store
        .put_version(&version("pie", 1, "v1"))
        .await
        .expect("put");
    store
        .put_version(&version("pie", 2, "v2"))
        .await
        .expect("put");
    // An earlier release wrote neither attribute.
    for key in [
        Key::Recipe(&recipe_id("pie")).item(),
        Key::Directory(&recipe_id("pie")).item(),
    ] {
        store
            .client
            .update_item()
            .table_name(&store.table)
            .set_key(Some(key))
            .update_expression("REMOVE latestVersion, withdrawn")
            .send()
            .await
            .expect("update");
    }
    let before = summary(&store, "pie").await;
    assert_eq!((before.current_version, before.withdrawn), (2, false));
    // Withdrawing its current version still finds the one before.
    let mut third = version("pie", 3, "v3");
    third.origin = origin_from("recipes/pie.json", "01");
    let written = store.put_version(&third).await.expect("put");
    assert_eq!(written.map(|v| v.head.version), Written::Created(3));
    store
        .delete_object(&deletion("recipes/pie.json", Some("02")))
        .await
        .expect("delete");
    let after = summary(&store, "pie").await;
    assert_eq!((after.current_version, after.withdrawn), (2, false));
    let next = store
        .put_version(&version("pie", 4, "v4"))
        .await
        .expect("put");
    assert_eq!(next.map(|v| v.head.version), Written::Created(4));
}
