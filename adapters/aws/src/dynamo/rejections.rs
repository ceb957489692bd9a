//! Rejections: storing one (created, or replayed from its key or its id),
//! reading one back, and the list of them, newest first.

// Ids and keys in error messages go by their pseudonyms: the messages are logged.
use shared::object_id::logged;
use shared::store::{
    IdempotencyKey, NewRejection, Page, PageRequest, RejectionRef, StoreError, StoredRejection,
    Written,
};

use super::DynamoStore;
use super::items::{Pointer, rejection_item};
use super::keys::{Key, List, Write};
use super::transact::{NOT_EXISTS, Transaction, WRITE_ATTEMPTS, backoff};

impl DynamoStore {
    /// [`shared::store::RecipeStore::put_rejection`].
    pub(super) async fn store_rejection(
        &self,
        rejection: &NewRejection,
    ) -> Result<Written<StoredRejection>, StoreError> {
        const FIRST: usize = 1;
        let stored = rejection.to_stored();
        let item = rejection_item(&stored)?;
        let first = RejectionRef {
            rejection_id: stored.rejection_id.clone(),
        };
        let origin = rejection.origin();
        for attempt in 0..WRITE_ATTEMPTS {
            backoff(attempt).await;
            let mut items = vec![
                self.put(item.clone(), Some(NOT_EXISTS))?,
                self.put_first(Write::Rejection, &rejection.key, &first, &rejection.at)?,
            ];
            let pointer = origin
                .as_ref()
                .map(|o| Pointer::rejection(&stored.rejection_id, o));
            let guard = self.guard(&mut items, origin.as_ref(), pointer)?;
            let Transaction::Cancelled(cancelled) =
                self.transact("storing a rejection", items).await?
            else {
                return Ok(Written::Created(stored));
            };
            self.refuse_if_deleted(&cancelled, guard, origin.as_ref())
                .await?;
            if cancelled.may_have_failed(FIRST)
                && let Some(first) = self.replayed_rejection(&rejection.key).await?
            {
                return Ok(Written::Replayed(first));
            }
            // The same id means the same key and time: this very rejection,
            // stored by a write whose idempotency record has expired.
            if let Some(existing) = self.get(Key::Rejection(&stored.rejection_id)).await? {
                return Ok(Written::Replayed(existing));
            }
        }
        Err(StoreError::Unavailable(format!(
            "rejection {} lost {WRITE_ATTEMPTS} races with other writes; try again",
            stored.rejection_id
        )))
    }

    /// [`shared::store::RecipeStore::rejections`].
    pub(super) async fn list_rejections(
        &self,
        page: &PageRequest,
    ) -> Result<Page<StoredRejection>, StoreError> {
        self.page(List::Rejections, page, &[]).await
    }

    /// The stored rejection a rejection write's key first led to.
    async fn replayed_rejection(
        &self,
        key: &IdempotencyKey,
    ) -> Result<Option<StoredRejection>, StoreError> {
        let Some(first) = self
            .first_result::<RejectionRef>(Write::Rejection, key)
            .await?
        else {
            return Ok(None);
        };
        self.get(Key::Rejection(&first.rejection_id))
            .await?
            .map(Some)
            .ok_or_else(|| {
                StoreError::Internal(format!(
                    "key {} names rejection {}, which is missing",
                    logged(key.as_str()),
                    first.rejection_id
                ))
            })
    }
}
