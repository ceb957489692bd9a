//! Insight tallies: a recipe's first fold is kept only while no make came
//! or went, and from then on the store keeps the tally with every make
//! stored, delivered again, deleted with its object or erased, equal at
//! every step to a fresh fold of the makes that remain.

use shared::insights::{
    IngredientChangeKind, IngredientFact, InsightTally, StepChangeKind, StepFact, SubstitutionFact,
};
use shared::store::{KeptTally, ObjectDeletion, ObjectIds, Origin, PageRequest, RecipeStore};

use super::deletion::origin_from;
use super::erasure::{erase, one_make};
use super::{id, make, put};

/// Runs every insight-tally check.
pub(super) async fn run(store: &dyn RecipeStore) {
    a_first_fold_is_kept_only_while_nothing_moved(store).await;
    for seed in [7, 1_234_567, 99_991] {
        the_kept_tally_is_a_fresh_fold_at_every_step(store, seed).await;
    }
}

/// The tally the store keeps for `recipe`, which must exist.
async fn kept(store: &dyn RecipeStore, recipe: &str) -> KeptTally {
    store
        .insight_tally(&id(recipe))
        .await
        .expect("read")
        .expect("the recipe exists")
}

/// Every stored make of `recipe`, folded afresh.
async fn fresh_fold(store: &dyn RecipeStore, recipe: &str) -> InsightTally {
    let mut all = Vec::new();
    let mut page = PageRequest::first(7);
    loop {
        let found = store
            .make_facts(&id(recipe), &page)
            .await
            .expect("list")
            .expect("exists");
        all.extend(found.items);
        match found.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => return InsightTally::of(&all),
        }
    }
}

async fn a_first_fold_is_kept_only_while_nothing_moved(store: &dyn RecipeStore) {
    assert_eq!(
        store.insight_tally(&id("it-none")).await.expect("read"),
        None,
        "an unknown recipe has no tally"
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

/// A small deterministic generator (xorshift), so that a failing seed can
/// be run again.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % sides
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.roll(from.len() as u64) as usize]
    }
}

/// A run of makes stored (some twice), deleted with their objects and
/// erased, with the first read somewhere in the middle; after each step
/// the kept tally, once there is one, equals a fresh fold.
async fn the_kept_tally_is_a_fresh_fold_at_every_step(store: &dyn RecipeStore, seed: u64) {
    let recipe = format!("it-run-{seed}");
    put(store, &recipe, "Pie", 1, &format!("{recipe}-v")).await;
    let mut dice = Dice(seed);
    let mut live: Vec<u32> = Vec::new();
    let mut sequencer = 16u32;
    let first_read = 4 + dice.roll(8);
    for step in 0..28u32 {
        sequencer += 1;
        match dice.roll(6) {
            // Store a new make from the bucket, sometimes delivered twice.
            0..=2 => {
                let mut new = make(
                    &recipe,
                    &format!("m{step}"),
                    &format!("{recipe}-{step}"),
                    step,
                    [None, Some(3.5), Some(4.7), Some(5.0)][dice.roll(4) as usize],
                );
                new.origin = origin_from(
                    &format!("makes/{recipe}-{step}.json"),
                    &format!("{sequencer:02X}"),
                );
                new.facts.made_at = Some(format!(
                    "2026-{:02}-{:02}",
                    1 + dice.roll(12),
                    1 + dice.roll(28)
                ));
                new.facts.ingredients = (0..dice.roll(4))
                    .map(|_| IngredientFact {
                        ingredient: dice.pick(&["Butter", "butter", "flour", "eggs"]).to_owned(),
                        change: [
                            IngredientChangeKind::Added,
                            IngredientChangeKind::Quantity,
                            IngredientChangeKind::Substituted,
                        ][dice.roll(3) as usize],
                    })
                    .collect();
                new.facts.substitutions = (0..dice.roll(2))
                    .map(|_| SubstitutionFact {
                        from: "butter".into(),
                        to: dice.pick(&["olive oil", "margarine"]).to_owned(),
                    })
                    .collect();
                new.facts.steps = (0..dice.roll(3))
                    .map(|_| StepFact {
                        step: dice.pick(&["Mix.", "Bake."]).to_owned(),
                        change: [StepChangeKind::Edited, StepChangeKind::Skipped]
                            [dice.roll(2) as usize],
                    })
                    .collect();
                new.facts.scale_factor = [None, Some(2.0), Some(0.5)][dice.roll(3) as usize];
                new.facts.changed = Some(dice.roll(2) == 0);
                assert!(store.put_make(&new).await.expect("put").is_created());
                if dice.roll(3) == 0 {
                    let again = store.put_make(&new).await.expect("put again");
                    assert!(!again.is_created(), "a duplicate delivery stores nothing");
                }
                live.push(step);
            }
            // Delete one make's object from the bucket.
            3 | 4 if !live.is_empty() => {
                let gone = live.remove(dice.roll(live.len() as u64) as usize);
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
                let gone = live.remove(dice.roll(live.len() as u64) as usize);
                erase(store, &one_make(&recipe, &format!("m{gone}")))
                    .await
                    .expect("erased");
            }
            _ => {}
        }
        if u64::from(step) == first_read {
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
        if u64::from(step) >= first_read {
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
