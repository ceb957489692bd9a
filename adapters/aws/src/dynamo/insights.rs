//! Insight tallies: a recipe's `INSIGHTS` item, read, kept after a first
//! fold, and rewritten in the transaction of each make stored or removed.
//!
//! The item holds the tally as JSON text (absent until a first read folds
//! the recipe's makes and keeps it) and `makeWrites`, how many makes were
//! stored or removed for the recipe. Every write of it is conditional on
//! the `makeWrites` it read, so two makes of one recipe written at once
//! cannot both count themselves into the same old tally: one transaction
//! is cancelled and tries again.

use aws_sdk_dynamodb::types::TransactWriteItem;
use serde::{Deserialize, Serialize};
use shared::insights::{InsightTally, MakeFacts};
use shared::model::RecipeId;
// Ids in messages go by their pseudonyms: the messages are logged.
use shared::object_id::logged;
use shared::store::{KeptTally, StoreError};

use super::DynamoStore;
use super::items::item_with_key;
use super::keys::Key;
use super::transact::{EXISTS, Expression, NOT_EXISTS, Transaction, number};

/// The largest tally kept, as JSON: beyond it (a recipe whose makes named
/// many thousands of different ingredients and steps) the item would near
/// DynamoDB's 400 KB limit, and the tally is dropped so that reads fold
/// the makes instead.
const MAX_TALLY_BYTES: usize = 300_000;

#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TallyItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tally: Option<String>,
    #[serde(default)]
    make_writes: u64,
}

/// A tally as read, with whether its item exists (what a write of it
/// checks).
pub(super) struct ReadTally {
    pub(super) kept: KeptTally,
    exists: bool,
}

impl DynamoStore {
    /// The recipe's tally item as it stands
    /// ([`shared::store::RecipeStore::insight_tally`] reads only this).
    pub(super) async fn read_tally(&self, recipe_id: &RecipeId) -> Result<ReadTally, StoreError> {
        let Some(item) = self.get::<TallyItem>(Key::Insights(recipe_id)).await? else {
            return Ok(ReadTally {
                kept: KeptTally::default(),
                exists: false,
            });
        };
        let tally = item
            .tally
            .map(|text| serde_json::from_str(&text))
            .transpose()
            .map_err(|e| {
                StoreError::Internal(format!(
                    "the insight tally of recipe {} is unreadable: {e}",
                    logged(recipe_id.as_str())
                ))
            })?;
        Ok(ReadTally {
            kept: KeptTally {
                tally,
                make_writes: item.make_writes,
            },
            exists: true,
        })
    }

    /// The write of a make stored (`add`) or removed into its recipe's
    /// tally item, as `read` found it: on condition that no other make
    /// write came between.
    pub(super) fn count_in_tally(
        &self,
        recipe_id: &RecipeId,
        read: ReadTally,
        facts: &MakeFacts,
        add: bool,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut condition = Expression::default();
        let check = if read.exists {
            condition.equals("makeWrites", number(read.kept.make_writes))
        } else {
            NOT_EXISTS.to_owned()
        };
        let after = read.kept.after(facts, add);
        let item = self.tally_item(recipe_id, &after)?;
        self.put_checked(item, condition, check)
    }

    /// [`shared::store::RecipeStore::keep_insight_tally`].
    pub(super) async fn keep_insight_tally(
        &self,
        recipe_id: &RecipeId,
        tally: &InsightTally,
        make_writes: u64,
    ) -> Result<bool, StoreError> {
        let kept = KeptTally {
            tally: Some(tally.clone()),
            make_writes,
        };
        let item = self.tally_item(recipe_id, &kept)?;
        if !item.contains_key("tally") {
            return Ok(false);
        }
        let mut condition = Expression::default();
        let unchanged = format!(
            "{} AND attribute_not_exists({})",
            condition.equals("makeWrites", number(make_writes)),
            condition.name("tally")
        );
        let check = if make_writes == 0 {
            format!("{NOT_EXISTS} OR ({unchanged})")
        } else {
            unchanged
        };
        let items = vec![
            self.put_checked(item, condition, check)?,
            self.check(Key::Recipe(recipe_id).item(), Expression::condition(EXISTS))?,
        ];
        Ok(matches!(
            self.transact("keeping an insight tally", items).await?,
            Transaction::Committed
        ))
    }

    /// The item of a tally; without the tally when it grew too large to
    /// keep.
    fn tally_item(
        &self,
        recipe_id: &RecipeId,
        kept: &KeptTally,
    ) -> Result<super::keys::Item, StoreError> {
        let mut text = kept
            .tally
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| StoreError::Internal(format!("cannot write an insight tally: {e}")))?;
        if text.as_ref().is_some_and(|t| t.len() > MAX_TALLY_BYTES) {
            tracing::warn!(
                recipe = %logged(recipe_id.as_str()),
                "the insight tally outgrew its item; reads fold the makes from now on"
            );
            text = None;
        }
        item_with_key(
            &TallyItem {
                tally: text,
                make_writes: kept.make_writes,
            },
            Key::Insights(recipe_id),
        )
    }
}
