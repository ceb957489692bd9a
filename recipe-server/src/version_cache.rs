//! Parsed recipe versions, kept so that a make is diffed without parsing
//! its recipe again. A version never changes once stored and its key holds
//! its content hash, so an entry never goes stale; an erasure forgets its
//! recipe's entries all the same, and the map is cleared when full.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use shared::Recipe;
use shared::model::RecipeId;

/// How many parsed versions are kept at most.
const ENTRIES: usize = 1024;

/// A parsed version's place in the cache: its recipe, number and content.
pub(crate) type VersionKey = (RecipeId, u32, String);

/// Parsed versions by [`VersionKey`].
#[derive(Default)]
pub(crate) struct VersionCache(Mutex<HashMap<VersionKey, Arc<Recipe>>>);

impl VersionCache {
    /// The version under `key`, when it was parsed before.
    pub(crate) fn get(&self, key: &VersionKey) -> Option<Arc<Recipe>> {
        self.0.lock().ok()?.get(key).cloned()
    }

    /// Keeps `recipe` under `key`, clearing the cache first when it is full.
    pub(crate) fn put(&self, key: VersionKey, recipe: Arc<Recipe>) {
        if let Ok(mut cache) = self.0.lock() {
            if cache.len() >= ENTRIES {
                cache.clear();
            }
            cache.insert(key, recipe);
        }
    }

    /// Forgets every version of `recipe_id`.
    pub(crate) fn forget(&self, recipe_id: &RecipeId) {
        if let Ok(mut cache) = self.0.lock() {
            cache.retain(|(id, _, _), _| id != recipe_id);
        }
    }
}
