//! The erasure journal's contract, run against both adapters
//! (`FileJournal`, `S3Journal` on moto): what is recorded is read back,
//! one entry per erasure with its latest time, nothing but well-formed
//! entries is written, and the journal's bytes hold no raw id.

use std::future::Future;

use shared::model::{MakeId, RecipeId};
use shared::ports::journal::{ErasedKind, ErasureJournal, JournalEntry, make_hash, recipe_hash};
use shared::store::{ErasureTarget, ObjectIds};

/// The ids the contract erases: none may appear in the journal's bytes.
pub const CANARIES: [&str; 3] = [
    "canary-journal-recipe-4e1b",
    "canary-journal-pie-4e1b",
    "canary-journal-make-4e1b",
];

/// Records erasures of [`CANARIES`] in `journal` and checks what it reads
/// back; then that `dump` (every byte the adapter keeps, as text) holds
/// the entries' hashes (so that the search below looks in the right
/// place) and none of the ids.
///
/// # Panics
/// When the journal breaks the contract.
pub async fn run<F, Fut>(journal: &dyn ErasureJournal, dump: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = String>,
{
    let ids = ObjectIds::for_tests();
    let [erased_recipe, pie, erased_make] = CANARIES;
    let recipe_id = RecipeId::parse(erased_recipe).expect("an id");
    let pie_id = RecipeId::parse(pie).expect("an id");
    let make_id = MakeId::parse(erased_make).expect("an id");
    let recipe = ErasureTarget::Recipe {
        recipe_id: recipe_id.clone(),
    };
    let make = ErasureTarget::Make {
        recipe_id: pie_id.clone(),
        make_id: make_id.clone(),
    };
    assert!(
        journal.entries().await.expect("read").is_empty(),
        "a new journal is empty"
    );
    for (target, at) in [
        (&recipe, "2026-12-07T10:00:00.000Z"),
        (&make, "2026-12-07T10:00:01.000Z"),
        // The same erasure recorded again (an erasure resumed): one entry,
        // the later time.
        (&recipe, "2026-12-07T10:05:00.000Z"),
    ] {
        journal
            .record(&JournalEntry::of(&ids, target, at))
            .await
            .expect("recorded");
    }

    let mut entries = journal.entries().await.expect("read");
    entries.sort_by_key(|e| e.kind);
    assert_eq!(
        entries,
        [
            JournalEntry {
                kind: ErasedKind::Recipe,
                recipe: recipe_hash(&ids, &recipe_id),
                make: None,
                at: "2026-12-07T10:05:00.000Z".into(),
            },
            JournalEntry {
                kind: ErasedKind::Make,
                recipe: recipe_hash(&ids, &pie_id),
                make: Some(make_hash(&ids, &pie_id, &make_id)),
                at: "2026-12-07T10:00:01.000Z".into(),
            },
        ]
    );

    // Free text is never written, whatever the caller hands over.
    let mut raw = JournalEntry::of(&ids, &recipe, "2026-12-07T10:06:00.000Z");
    raw.recipe = erased_recipe.to_owned();
    assert!(journal.record(&raw).await.is_err(), "a raw id is refused");

    let bytes = dump().await;
    for entry in &entries {
        assert!(
            bytes.contains(&entry.recipe),
            "the dump must hold the entries' hashes, or searching it proves nothing: {bytes}"
        );
    }
    for canary in CANARIES {
        assert!(
            !bytes.contains(canary),
            "{canary} is in the journal: {bytes}"
        );
    }
}
