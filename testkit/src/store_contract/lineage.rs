//! The contract's lineage checks: a version keeps where it came from and
//! counts the makes diffed against it (and uncounts them when they go); a
//! recipe keeps the parent its first write named, and lists its variants;
//! erasing a parent leaves its variants with nothing of it but the fact.

use shared::keys::UploadKind;
use shared::store::{
    ObjectDeletion, ObjectIds, Origin, PageRequest, Parent, RecipeStore, VersionSource,
    VersionSummary,
};

use super::deletion::origin_from;
use super::erasure::{erase, one_make, recipe};
use super::{first_page, id, make, make_id, put_make, recipe_summary, stored_version, version};

/// Runs every lineage check.
pub(super) async fn run(store: &dyn RecipeStore) {
    a_version_keeps_its_source(store).await;
    a_version_counts_its_makes(store).await;
    a_variant_keeps_its_first_parent(store).await;
    variants_list_in_pages(store).await;
    erasing_a_parent_leaves_its_variants_without_it(store).await;
    erasing_a_variant_takes_it_off_its_parents_list(store).await;
}

/// The versions of `recipe`, which must exist.
async fn versions(store: &dyn RecipeStore, recipe: &str) -> Vec<VersionSummary> {
    first_page(store.versions(&id(recipe), &PageRequest::first(50)).await)
}

/// The ids of `recipe`'s variants, which must exist.
async fn variants(store: &dyn RecipeStore, recipe: &str, limit: u32) -> Vec<String> {
    first_page(
        store
            .variants(&id(recipe), &PageRequest::first(limit))
            .await,
    )
    .into_iter()
    .map(|v| v.as_str().to_owned())
    .collect()
}

/// Stores version `content` of `recipe` from `source`, a variant of
/// `parent` when given.
async fn put_with(
    store: &dyn RecipeStore,
    recipe: &str,
    content: u32,
    k: &str,
    source: VersionSource,
    parent: Option<(&str, u32)>,
) {
    let mut new = version(recipe, "Pie", content, k);
    new.source = source;
    new.variant_of = parent.map(|(recipe_id, version)| Parent {
        recipe_id: id(recipe_id),
        version,
    });
    store.put_version(&new).await.expect("put");
}

/// Stores `parent`, and each of `variants` as a variant of its version 1.
async fn family(store: &dyn RecipeStore, parent: &str, variants: &[&str]) {
    let k = format!("{parent}-v");
    put_with(store, parent, 1, &k, VersionSource::Uploaded, None).await;
    for variant in variants {
        let k = format!("{variant}-v");
        put_with(
            store,
            variant,
            1,
            &k,
            VersionSource::Uploaded,
            Some((parent, 1)),
        )
        .await;
    }
}

async fn a_version_keeps_its_source(store: &dyn RecipeStore) {
    let adopted = VersionSource::Adopted {
        make_id: make_id("sunday"),
    };
    let restored = VersionSource::Restored { version: 1 };
    put_with(store, "ls1", 1, "ls1-a", VersionSource::Uploaded, None).await;
    put_with(store, "ls1", 2, "ls1-b", adopted.clone(), None).await;
    put_with(store, "ls1", 1, "ls1-c", restored.clone(), None).await;
    let sources: Vec<VersionSource> = versions(store, "ls1")
        .await
        .into_iter()
        .map(|v| v.source)
        .collect();
    assert_eq!(
        sources,
        [VersionSource::Uploaded, adopted.clone(), restored.clone()]
    );
    assert_eq!(
        stored_version(store, "ls1", Some(2)).await.head.source,
        adopted
    );
    assert_eq!(
        stored_version(store, "ls1", None).await.head.source,
        restored
    );
    // A restored version has the restored one's content, under a new number.
    assert_eq!(
        stored_version(store, "ls1", Some(3))
            .await
            .head
            .content_hash,
        stored_version(store, "ls1", Some(1))
            .await
            .head
            .content_hash
    );
}

async fn a_version_counts_its_makes(store: &dyn RecipeStore) {
    put_with(store, "lc1", 1, "lc1-v1", VersionSource::Uploaded, None).await;
    // Diffed against version 1: one rated and changed, one unrated and
    // unchanged (only its rating differs), one rated 2 and changed, from
    // the bucket.
    put_make(store, make("lc1", "a", "lc1-a", 2, Some(4.0))).await;
    let mut same = make("lc1", "b", "lc1-b", 1, None);
    same.summary = shared::diff::Summary {
        total: 1,
        rating_changed: 1,
        ..Default::default()
    };
    put_make(store, same).await;
    let mut bucket = make("lc1", "c", "lc1-c", 3, Some(2.0));
    bucket.origin = origin_from("makes/lc1-c.json", "0A");
    put_make(store, bucket).await;
    put_with(store, "lc1", 2, "lc1-v2", VersionSource::Uploaded, None).await;

    let figures = |v: &VersionSummary| {
        (
            v.version,
            v.make_count,
            v.average_make_rating,
            v.changed_share,
        )
    };
    let listed: Vec<_> = versions(store, "lc1").await.iter().map(figures).collect();
    assert_eq!(
        listed,
        [(1, 3, Some(3.0), Some(0.6667)), (2, 0, None, None)],
        "versions count their makes"
    );
    assert_eq!(
        figures(&stored_version(store, "lc1", Some(1)).await.head),
        (1, 3, Some(3.0), Some(0.6667)),
        "a version read alone shows the same figures"
    );
    let head = store.version_head(&id("lc1"), 1).await.expect("read");
    assert_eq!(
        head.as_ref().map(figures),
        Some((1, 3, Some(3.0), Some(0.6667))),
        "and so do its figures alone"
    );

    // A make that goes is uncounted: by erasure, and by its object's deletion.
    erase(store, &one_make("lc1", "a")).await.expect("erased");
    store
        .delete_object(&ObjectDeletion {
            object_key: "makes/lc1-c.json".to_owned(),
            object_id: ObjectIds::for_tests().id("makes/lc1-c.json"),
            kind: UploadKind::Make,
            sequencer: Some(Origin::order("0B")),
            at: "2026-01-03T00:00:00.000Z".to_owned(),
        })
        .await
        .expect("delete");
    let listed: Vec<_> = versions(store, "lc1").await.iter().map(figures).collect();
    assert_eq!(
        listed,
        [(1, 1, None, Some(0.0)), (2, 0, None, None)],
        "removed makes are uncounted"
    );
}

async fn a_variant_keeps_its_first_parent(store: &dyn RecipeStore) {
    put_with(store, "lp1", 1, "lp1-a", VersionSource::Uploaded, None).await;
    put_with(store, "lp1", 2, "lp1-b", VersionSource::Uploaded, None).await;
    put_with(store, "lp2", 1, "lp2-a", VersionSource::Uploaded, None).await;
    put_with(
        store,
        "lp1-vegan",
        1,
        "lpv-a",
        VersionSource::Uploaded,
        Some(("lp1", 2)),
    )
    .await;
    // A later version naming another parent changes nothing: a recipe's
    // parent is the one it was created with.
    put_with(
        store,
        "lp1-vegan",
        2,
        "lpv-b",
        VersionSource::Uploaded,
        Some(("lp2", 1)),
    )
    .await;
    let summary = recipe_summary(store, "lp1-vegan").await;
    assert_eq!(
        summary.variant_of,
        Some(Parent {
            recipe_id: id("lp1"),
            version: 2
        })
    );
    assert!(!summary.parent_erased);
    assert_eq!(summary.current_version, 2);
    assert_eq!(variants(store, "lp1", 10).await, ["lp1-vegan"]);
    assert!(variants(store, "lp2", 10).await.is_empty());
    assert_eq!(recipe_summary(store, "lp1").await.variant_of, None);
    assert!(matches!(
        store
            .variants(&id("lp-nobody"), &PageRequest::first(10))
            .await,
        Ok(None)
    ));
}

async fn variants_list_in_pages(store: &dyn RecipeStore) {
    family(store, "lq", &["lq-c", "lq-a", "lq-b"]).await;
    let first = store
        .variants(&id("lq"), &PageRequest::first(2))
        .await
        .expect("list")
        .expect("exists");
    let ids: Vec<&str> = first.items.iter().map(|v| v.as_str()).collect();
    assert_eq!(ids, ["lq-a", "lq-b"]);
    let rest = store
        .variants(
            &id("lq"),
            &PageRequest {
                limit: 2,
                cursor: first.next_cursor,
            },
        )
        .await
        .expect("list")
        .expect("exists");
    let ids: Vec<&str> = rest.items.iter().map(|v| v.as_str()).collect();
    assert_eq!(ids, ["lq-c"]);
    assert_eq!(rest.next_cursor, None);
}

async fn erasing_a_parent_leaves_its_variants_without_it(store: &dyn RecipeStore) {
    family(store, "le1", &["le1-spicy"]).await;
    erase(store, &recipe("le1")).await.expect("erased");
    let summary = recipe_summary(store, "le1-spicy").await;
    assert_eq!(summary.variant_of, None, "the variant forgets its parent");
    assert!(summary.parent_erased, "and keeps only that it was erased");
    // A recipe added again under the erased one's id has no variants.
    put_with(store, "le1", 5, "le1-again", VersionSource::Uploaded, None).await;
    assert!(variants(store, "le1", 10).await.is_empty());
    assert!(recipe_summary(store, "le1-spicy").await.parent_erased);
}

async fn erasing_a_variant_takes_it_off_its_parents_list(store: &dyn RecipeStore) {
    family(store, "lv1", &["lv1-x", "lv1-y"]).await;
    erase(store, &recipe("lv1-x")).await.expect("erased");
    assert_eq!(variants(store, "lv1", 10).await, ["lv1-y"]);
}
