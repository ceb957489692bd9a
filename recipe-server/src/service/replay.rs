//! Re-applying the journalled erasures to a store, after a restore.
//!
//! A store restored from a backup or to a point in time holds again what
//! was erased since, without its tombstones. The journal does not name
//! what it erased (it holds keyed hashes only), so the replay walks the
//! store: it hashes each recipe's id (and each make of a recipe the
//! journal names makes of) under the tombstones' secret, and erases what
//! matches an entry through the same use case as `DELETE`, which removes
//! every record, purges the bucket and the queues again and raises the
//! tombstones again.
//!
//! Only records stored at or before the entry's time are erased: a recipe
//! erased and added again later (a cook dropping the file again) is a new
//! recipe, which a replay leaves alone. An erasure records its entry
//! before it removes anything, and every record it removes was stored
//! before that (a make stored while its recipe was being erased goes with
//! the recipe, which is matched by its oldest version).

use std::collections::HashMap;

use shared::ports::journal::{ErasedKind, latest, make_hash, recipe_hash};
use shared::store::{ErasureTarget, MAX_PAGE, PageRequest};

use super::{Failure, Result, Service};
use shared::model::{MakeId, RecipeId};
use shared::store::StoreError;

/// What a replay did (and, while it runs, has done so far).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Replayed {
    /// Erasures in the journal.
    pub journal_entries: u64,
    /// Erasures found under way in the store (a restore to the middle of
    /// one) and finished first.
    pub resumed: u64,
    /// Recipes of the store looked at.
    pub recipes_checked: u64,
    /// Recipes erased again.
    pub recipes: u64,
    /// Makes erased again (beside those of the recipes).
    pub makes: u64,
}

impl Replayed {
    /// Everything erased again: recipes, makes, and erasures finished.
    pub fn erased(&self) -> u64 {
        self.recipes + self.makes + self.resumed
    }
}

/// When each journalled erasure was recorded, by the hashes it names.
#[derive(Default)]
struct Journalled {
    /// Erased recipes: the recipe's hash, and when.
    recipes: HashMap<String, String>,
    /// Erased makes: their recipe's hash, then the make's hash, and when.
    makes: HashMap<String, HashMap<String, String>>,
}

fn unavailable(error: impl std::fmt::Display) -> Failure {
    Failure::Store(StoreError::Unavailable(error.to_string()))
}

impl Service {
    /// Applies every erasure of the journal to the store again: finishes
    /// the erasures the store has under way, then walks every recipe and
    /// erases those (and the makes) whose keyed hashes the journal holds,
    /// if they were stored at or before their erasure. `progress` is told
    /// after each recipe. Safe to repeat: a second run erases nothing. A
    /// server without a journal has recorded nothing, and replays nothing.
    pub async fn replay_erasures(
        &self,
        progress: &(dyn Fn(&Replayed) + Send + Sync),
    ) -> Result<Replayed> {
        let mut done = Replayed::default();
        let Some(journal) = &self.erasure.journal else {
            return Ok(done);
        };
        // A store restored to the middle of an erasure holds its marker
        // again (the marker goes last), while the recipe may already be
        // missing from the list walked below (its directory entry goes
        // first): finishing it first reaches it anyway.
        done.resumed = self.resume_erasures().await? as u64;
        let entries = latest(journal.entries().await.map_err(unavailable)?);
        done.journal_entries = entries.len() as u64;
        let mut journalled = Journalled::default();
        for entry in entries {
            match (entry.kind, entry.make) {
                (ErasedKind::Recipe, _) => {
                    journalled.recipes.insert(entry.recipe, entry.at);
                }
                (ErasedKind::Make, Some(make)) => {
                    journalled
                        .makes
                        .entry(entry.recipe)
                        .or_default()
                        .insert(make, entry.at);
                }
                // Adapters read back well-formed entries only.
                (ErasedKind::Make, None) => {}
            }
        }
        progress(&done);
        if journalled.recipes.is_empty() && journalled.makes.is_empty() {
            return Ok(done);
        }
        let mut page = PageRequest::first(MAX_PAGE);
        loop {
            // Keyset pages: erasing a recipe already listed does not move
            // the next page.
            let listed = self.store.recipes(&page).await?;
            for summary in &listed.items {
                let recipe_id = &summary.recipe_id;
                let hash = recipe_hash(&self.erasure.ids, recipe_id);
                done.recipes_checked += 1;
                if let Some(at) = journalled.recipes.get(&hash)
                    && self.stored_by(recipe_id, at).await?
                {
                    let target = ErasureTarget::Recipe {
                        recipe_id: recipe_id.clone(),
                    };
                    if self.erase(&target).await?.is_some() {
                        done.recipes += 1;
                    }
                } else if let Some(makes) = journalled.makes.get(&hash) {
                    for make_id in self.erased_makes(recipe_id, makes).await? {
                        let target = ErasureTarget::Make {
                            recipe_id: recipe_id.clone(),
                            make_id,
                        };
                        if self.erase(&target).await?.is_some() {
                            done.makes += 1;
                        }
                    }
                }
                progress(&done);
            }
            match listed.next_cursor {
                Some(cursor) => page.cursor = Some(cursor),
                None => return Ok(done),
            }
        }
    }

    /// Whether `recipe_id`'s oldest version was stored at or before `at`:
    /// then the store holds the recipe that was erased, not one added
    /// again since.
    async fn stored_by(&self, recipe_id: &RecipeId, at: &str) -> Result<bool> {
        let Some(oldest) = self
            .store
            .versions(recipe_id, &PageRequest::first(1))
            .await?
        else {
            return Ok(false);
        };
        Ok(oldest
            .items
            .first()
            .is_none_or(|version| version.created_at.as_str() <= at))
    }

    /// The makes of `recipe_id` whose hashes are among `erased` and that
    /// were stored at or before their erasure.
    async fn erased_makes(
        &self,
        recipe_id: &RecipeId,
        erased: &HashMap<String, String>,
    ) -> Result<Vec<MakeId>> {
        let mut found = Vec::new();
        let mut page = PageRequest::first(MAX_PAGE);
        loop {
            let Some(listed) = self.store.makes(recipe_id, &page).await? else {
                return Ok(found);
            };
            for make in listed.items {
                let hash = make_hash(&self.erasure.ids, recipe_id, &make.make_id);
                if erased
                    .get(&hash)
                    .is_some_and(|at| make.created_at.as_str() <= at.as_str())
                {
                    found.push(make.make_id);
                }
            }
            match listed.next_cursor {
                Some(cursor) => page.cursor = Some(cursor),
                None => return Ok(found),
            }
        }
    }
}
