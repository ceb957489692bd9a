//! Insight tallies: a recipe's first fold is kept only while no make came
//! or went, and from then on the store keeps the tally with every make
//! stored, delivered again, deleted with its object or erased, equal at
//! every step to a fresh fold of the makes that remain.

use shared::insights::{
    IngredientChangeKind, IngredientFact, InsightTally, StepChangeKind, StepFact, SubstitutionFact,
};
use shared::store::{KeptTally, ObjectDeletion, ObjectIds, Origin, RecipeStore};

use super::deletion::origin_from;
use super::erasure::{erase, one_make};
use super::{id, make, put};
use crate::chaos::Rng;

/// Runs every insight-tally check.
pub(super) async fn run(store: &dyn RecipeStore) {
    a_first_fold_is_kept_only_while_nothing_moved(store).await;
    for seed in [7, 1_234_567, 99_991] {
        the_kept_tally_is_a_fresh_fold_at_every_step(store, seed).await;
    }
}

/// The tally the store keeps for `recipe`, which must exist.
async fn kept(store: &dyn RecipeStore, recipe: &str) -> KeptTally {
    store.insight_tally(&id(recipe)).await.expect("read")
}

/// Every stored make of `recipe`, folded afresh.
async fn fresh_fold(store: &dyn RecipeStore, recipe: &str) -> InsightTally {
    super::fold_stored_makes(store, &id(recipe)).await
}

async fn a_first_fold_is_kept_only_while_nothing_moved(store: &dyn RecipeStore) {
    assert_eq!(
        store.insight_tally(&id("it-none")).await.expect("read"),
        KeptTally::default(),
        "nothing is kept for an unknown recipe"
    );
    put(store, "it-keep", "Pie", 1, "itk-v").await;
    let before = kept(store, "it-keep").await;
    assert_eq!(
        before,
        KeptTally::default(),
        "nothing kept, nothing written"
    );
    store
        .put_make(&make("it-keep", "a", "itk-a", 2, Some(4.0)))
        .await
        .expect("put");
    let once = kept(store, "it-keep").await;
    assert_eq!(
        (once.tally.is_none(), once.make_writes),
        (true, 1),
        "a make before the first read is counted as a write only"
    );
    // A fold read before that make is out of date: it is not kept.
    assert!(
        !store
            .keep_insight_tally(&id("it-keep"), &InsightTally::default(), 0)
            .await
            .expect("keep"),
        "a fold older than the last make write is refused"
    );
    let fold = fresh_fold(store, "it-keep").await;
    assert_eq!(fold.makes(), 1);
    assert!(
        store
            .keep_insight_tally(&id("it-keep"), &fold, once.make_writes)
            .await
            .expect("keep"),
        "a fold of every make is kept"
    );
    assert!(
        !store
            .keep_insight_tally(&id("it-keep"), &InsightTally::default(), once.make_writes)
            .await
            .expect("keep"),
        "a kept tally is never replaced by a fold"
    );
    assert!(
        !store
            .keep_insight_tally(&id("it-ghost"), &fold, 0)
            .await
            .expect("keep"),
        "no tally is kept for an unknown recipe"
    );
    store
        .put_make(&make("it-keep", "b", "itk-b", 3, None))
        .await
        .expect("put");
    let after = kept(store, "it-keep").await;
    assert_eq!(after.make_writes, 2);
    assert_eq!(
        after.tally.as_ref().map(InsightTally::makes),
        Some(2),
        "once kept, a make counts itself in"
    );
    assert_eq!(after.tally, Some(fresh_fold(store, "it-keep").await));
}

/// One of `from`, as `rng` picks.
fn pick<'a>(rng: &mut Rng, from: &[&'a str]) -> &'a str {
    from[rng.below(from.len())]
}

/// A run of makes stored (some twice), deleted with their objects and
/// erased, with the first read somewhere in the middle; after each step
/// the kept tally, once there is one, equals a fresh fold.
async fn the_kept_tally_is_a_fresh_fold_at_every_step(store: &dyn RecipeStore, seed: u64) {
    let recipe = format!("it-run-{seed}");
    put(store, &recipe, "Pie", 1, &format!("{recipe}-v")).await;
    let mut rng = Rng(seed);
    let mut live: Vec<u32> = Vec::new();
    let mut sequencer = 16u32;
    let first_read = 4 + rng.below(8);
    for step in 0..28u32 {
        sequencer += 1;
        match rng.below(6) {
            // Store a new make from the bucket, sometimes delivered twice.
            0..=2 => {
                let mut new = make(
                    &recipe,
                    &format!("m{step}"),
                    &format!("{recipe}-{step}"),
                    step,
                    [None, Some(3.5), Some(4.7), Some(5.0)][rng.below(4)],
                );
                new.origin = origin_from(
                    &format!("makes/{recipe}-{step}.json"),
                    &format!("{sequencer:02X}"),
                );
                new.facts.made_at = Some(format!(
                    "2026-{:02}-{:02}",
                    1 + rng.below(12),
                    1 + rng.below(28)
                ));
                new.facts.ingredients = (0..rng.below(4))
                    .map(|_| IngredientFact {
                        ingredient: pick(&mut rng, &["Butter", "butter", "flour", "eggs"])
                            .to_owned(),
                        change: [
                            IngredientChangeKind::Added,
                            IngredientChangeKind::Quantity,
                            IngredientChangeKind::Substituted,
                        ][rng.below(3)],
                    })
                    .collect();
                new.facts.substitutions = (0..rng.below(2))
                    .map(|_| SubstitutionFact {
                        from: "butter".into(),
                        to: pick(&mut rng, &["olive oil", "margarine"]).to_owned(),
                    })
                    .collect();
                new.facts.steps = (0..rng.below(3))
                    .map(|_| StepFact {
                        step: pick(&mut rng, &["Mix.", "Bake."]).to_owned(),
                        change: [StepChangeKind::Edited, StepChangeKind::Skipped][rng.below(2)],
                    })
                    .collect();
                new.facts.scale_factor = [None, Some(2.0), Some(0.5)][rng.below(3)];
                new.facts.changed = Some(rng.below(2) == 0);
                assert!(store.put_make(&new).await.expect("put").is_created());
                if rng.below(3) == 0 {
                    let again = store.put_make(&new).await.expect("put again");
                    assert!(!again.is_created(), "a duplicate delivery stores nothing");
                }
                live.push(step);
            }
            // Delete one make's object from the bucket.
            3 | 4 if !live.is_empty() => {
                let gone = live.remove(rng.below(live.len()));
                let object_key = format!("makes/{recipe}-{gone}.json");
                store
                    .delete_object(&ObjectDeletion {
                        object_id: ObjectIds::for_tests().id(&object_key),
                        object_key,
                        kind: shared::keys::UploadKind::Make,
                        sequencer: Some(Origin::order(&format!("{sequencer:02X}"))),
                        at: "2026-12-01T00:00:00.000Z".to_owned(),
                    })
                    .await
                    .expect("delete");
            }
            // Erase one make.
            5 if !live.is_empty() => {
                let gone = live.remove(rng.below(live.len()));
                erase(store, &one_make(&recipe, &format!("m{gone}")))
                    .await
                    .expect("erased");
            }
            _ => {}
        }
        if step as usize == first_read {
            let now = kept(store, &recipe).await;
            assert_eq!(
                now.tally, None,
                "seed {seed}: nothing kept before the first read"
            );
            let fold = fresh_fold(store, &recipe).await;
            assert!(
                store
                    .keep_insight_tally(&id(&recipe), &fold, now.make_writes)
                    .await
                    .expect("keep"),
                "seed {seed}: the first fold is kept"
            );
        }
        if step as usize >= first_read {
            let now = kept(store, &recipe).await;
            let fresh = fresh_fold(store, &recipe).await;
            assert_eq!(fresh.makes(), live.len() as u64, "seed {seed}, step {step}");
            assert_eq!(
                now.tally,
                Some(fresh),
                "seed {seed}, step {step}: kept = fresh fold"
            );
        }
    }
}
