//! Erasure: [`RecipeStore::begin_erasure`], [`RecipeStore::finish_erasure`]
//! and [`RecipeStore::pending_erasures`].
//!
//! Beginning puts a marker (`ERASURES` / `ERASE#<target as JSON>`) and
//! reads the objects the target's records came from. Finishing goes in an
//! order that a crash can interrupt anywhere and a second call completes:
//!
//! 1. for each erased object (by id): its pointers to the target's records
//!    and the rejections they name go, and its tombstone is raised;
//! 2. the rejections of `recipes/` keys that name the recipe, read from
//!    the rejections' partition, go;
//! 3. a recipe: its `META` item and directory entry go first (it is gone
//!    from every read from then on), then the idempotency records its key
//!    pointers (`KEY#…`) name, then the rest of its partition. A make: the
//!    make, uncounted from its recipe in one transaction, then its key
//!    pointers' records;
//! 4. the marker goes last.

use shared::keys::{RECIPES_PREFIX, recipe_id_from_key};
use shared::store::merge_objects;

use super::*;

/// Items deleted per `TransactWriteItems` call.
const DELETES_PER_CALL: usize = 25;

/// An erasure under way.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErasureItem {
    /// The target as JSON text.
    target: String,
    begun_at: String,
}

/// What a record says of its origin, read with only those attributes.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OriginOnly {
    #[serde(default)]
    origin_key: Option<String>,
    #[serde(default)]
    origin_seq: Option<String>,
}

/// A rejection's object key.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RejectionKey {
    rejection_id: String,
    #[serde(default)]
    object_key: Option<String>,
}

fn target_text(target: &ErasureTarget) -> Result<String, StoreError> {
    serde_json::to_string(target).map_err(|e| {
        StoreError::Internal(format!(
            "an erasure target as JSON: {}",
            shared::object_id::scrubbed(&e.to_string())
        ))
    })
}

fn marker_key(target: &ErasureTarget) -> Result<Item, StoreError> {
    Ok(item_key(
        ERASURES_PK,
        format!("{ERASURE_PREFIX}{}", target_text(target)?),
    ))
}

/// Whether a `recipes/` key implies `recipe_id`.
fn names(object_key: &str, recipe_id: &RecipeId) -> bool {
    object_key.starts_with(RECIPES_PREFIX)
        && recipe_id_from_key(object_key).is_some_and(|id| id == *recipe_id)
}

fn sort_key(item: &Item) -> Result<&str, StoreError> {
    match item.get("sk") {
        Some(AttributeValue::S(sk)) => Ok(sk),
        _ => Err(StoreError::Internal(
            "an item has no string sort key".into(),
        )),
    }
}

impl DynamoStore {
    pub(super) async fn begin(
        &self,
        target: &ErasureTarget,
        at: &str,
    ) -> Result<Option<Vec<ErasedObject>>, StoreError> {
        let marker = marker_key(target)?;
        let pending: Option<ErasureItem> = self.get(marker.clone(), "an erasure").await?;
        let (exists, objects) = self.objects_of(target).await?;
        if !exists && pending.is_none() {
            return Ok(None);
        }
        if pending.is_none() {
            let item = ErasureItem {
                target: target_text(target)?,
                begun_at: at.to_owned(),
            };
            let mut item = to_item(&item, "an erasure")?;
            item.extend(marker);
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .send()
                .await
                .map_err(|e| sdk_error("remembering an erasure", e))?;
        }
        Ok(Some(merge_objects(objects)))
    }

    /// The objects of the records `target` names, and whether it names
    /// any record.
    async fn objects_of(
        &self,
        target: &ErasureTarget,
    ) -> Result<(bool, Vec<ErasedObject>), StoreError> {
        let of = |item: OriginOnly| {
            item.origin_key.map(|object_key| ErasedObject {
                object_key,
                sequencer: item.origin_seq,
            })
        };
        match target {
            ErasureTarget::Recipe { recipe_id } => {
                let exists = self.recipe_item(recipe_id).await?.is_some();
                let mut objects = Vec::new();
                for item in self
                    .query_all(
                        &recipe_pk(recipe_id),
                        None,
                        true,
                        &["originKey", "originSeq"],
                        "a recipe's records",
                    )
                    .await?
                {
                    objects.extend(of(from_item(item, "a record's origin")?));
                }
                for rejection in self.rejection_keys().await? {
                    if let Some(key) = rejection.object_key.filter(|k| names(k, recipe_id)) {
                        objects.push(ErasedObject {
                            object_key: key,
                            sequencer: None,
                        });
                    }
                }
                Ok((exists, objects))
            }
            ErasureTarget::Make { recipe_id, make_id } => {
                let item: Option<OriginOnly> = self
                    .get(
                        item_key(recipe_pk(recipe_id), make_sk(make_id)),
                        "a make's origin",
                    )
                    .await?;
                let exists = item.is_some();
                Ok((exists, item.and_then(of).into_iter().collect()))
            }
        }
    }

    /// Every rejection's id and object key.
    async fn rejection_keys(&self) -> Result<Vec<RejectionKey>, StoreError> {
        self.query_all(
            REJECTIONS_PK,
            Some(REJECTION_PREFIX),
            true,
            &["rejectionId", "objectKey"],
            "the rejections",
        )
        .await?
        .into_iter()
        .map(|item| from_item(item, "a rejection"))
        .collect()
    }

    pub(super) async fn finish(
        &self,
        target: &ErasureTarget,
        tombstones: &[Tombstone],
        at: &str,
    ) -> Result<Removed, StoreError> {
        let recipe_id = target.recipe_id();
        let mut removed = Removed::default();

        // 1. The objects' pointers, the rejections they name, tombstones.
        for tombstone in tombstones {
            let pk = object_pk(&tombstone.object_id);
            let mut gone = Vec::new();
            for item in self
                .query_all(&pk, None, true, &[], "what came from an object")
                .await?
            {
                let sk = sort_key(&item)?.to_owned();
                if sk == DELETED_SK {
                    continue;
                }
                let pointer: PointerItem = from_item(item, "a pointer")?;
                let ours = pointer.recipe_id.as_ref() == Some(recipe_id)
                    && match target {
                        ErasureTarget::Recipe { .. } => true,
                        ErasureTarget::Make { make_id, .. } => {
                            pointer.make_id.as_ref() == Some(make_id)
                        }
                    };
                if let Some(rejection_id) = &pointer.rejection_id {
                    gone.push(item_key(REJECTIONS_PK, rejection_sk(rejection_id)));
                    removed.rejections += 1;
                } else if !ours {
                    continue;
                }
                gone.push(item_key(pk.as_str(), sk));
            }
            self.delete_all(gone, "erasing what came from an object")
                .await?;
            if let Some(sequencer) = &tombstone.sequencer {
                self.raise_tombstone(&tombstone.object_id, sequencer, at)
                    .await?;
            }
        }

        // 2. Rejections of `recipes/` keys that name the recipe.
        if let ErasureTarget::Recipe { recipe_id } = target {
            let named: Vec<Item> = self
                .rejection_keys()
                .await?
                .into_iter()
                .filter(|r| r.object_key.as_deref().is_some_and(|k| names(k, recipe_id)))
                .map(|r| item_key(REJECTIONS_PK, rejection_sk(&r.rejection_id)))
                .collect();
            removed.rejections += named.len() as u64;
            self.delete_all(named, "erasing the rejections of a recipe")
                .await?;
        }

        // 3. The records.
        let pk = recipe_pk(recipe_id);
        match target {
            ErasureTarget::Recipe { .. } => {
                self.delete_all(
                    vec![
                        item_key(pk.as_str(), META_SK),
                        item_key(DIRECTORY_PK, pk.as_str()),
                    ],
                    "erasing a recipe",
                )
                .await?;
                let items = self
                    .query_all(&pk, None, true, &["makeId"], "a recipe's items")
                    .await?;
                let mut gone = Vec::new();
                for item in &items {
                    let sk = sort_key(item)?;
                    if sk.starts_with(MAKE_PREFIX) {
                        removed.makes += 1;
                    } else if sk.starts_with(VERSION_PREFIX) {
                        removed.versions += 1;
                    } else if let Some(record) = idempotency_record(sk) {
                        gone.push(record);
                    }
                }
                self.delete_all(gone, "erasing a recipe's keys").await?;
                let all = items
                    .iter()
                    .map(|item| Ok(item_key(pk.as_str(), sort_key(item)?)))
                    .collect::<Result<Vec<_>, StoreError>>()?;
                self.delete_all(all, "erasing a recipe's records").await?;
            }
            ErasureTarget::Make { make_id, .. } => {
                if self.erase_make(recipe_id, make_id, at).await? {
                    removed.makes = 1;
                }
                let mut gone = Vec::new();
                for item in self
                    .query_all(&pk, Some(KEY_PREFIX), true, &["makeId"], "a recipe's keys")
                    .await?
                {
                    let sk = sort_key(&item)?.to_owned();
                    let pointer: KeyPointerItem = from_item(item, "a key pointer")?;
                    if pointer.make_id.as_ref() == Some(make_id) {
                        gone.extend(idempotency_record(&sk));
                        gone.push(item_key(pk.as_str(), sk));
                    }
                }
                self.delete_all(gone, "erasing a make's keys").await?;
            }
        }

        // 4. The marker.
        self.delete_all(vec![marker_key(target)?], "forgetting an erasure")
            .await?;
        Ok(removed)
    }

    /// Removes a make and uncounts it; false when it is gone already.
    async fn erase_make(
        &self,
        recipe_id: &RecipeId,
        make_id: &MakeId,
        at: &str,
    ) -> Result<bool, StoreError> {
        let pk = recipe_pk(recipe_id);
        for attempt in 0..WRITE_ATTEMPTS {
            backoff(attempt).await;
            let Some(make) = self.make_item(recipe_id, make_id).await? else {
                return Ok(false);
            };
            let [meta, directory] = self.count_make(&pk, -1, make.rating, at)?;
            let exists = Expression {
                text: EXISTS.to_owned(),
                ..Expression::default()
            };
            let items = vec![
                self.delete(item_key(pk.clone(), make_sk(make_id)), Some(exists))?,
                meta,
                directory,
            ];
            if let Transaction::Committed = self.transact("erasing a make", items).await? {
                return Ok(true);
            }
        }
        Err(StoreError::Unavailable(format!(
            "erasing make {} of recipe {} lost {WRITE_ATTEMPTS} races; try again",
            logged(make_id.as_str()),
            logged(recipe_id.as_str())
        )))
    }

    /// Deletes every item of `keys`, a few per transaction; an item that is
    /// gone already is no error.
    async fn delete_all(&self, keys: Vec<Item>, doing: &str) -> Result<(), StoreError> {
        for chunk in keys.chunks(DELETES_PER_CALL) {
            let mut done = false;
            for attempt in 0..WRITE_ATTEMPTS {
                backoff(attempt).await;
                let items = chunk
                    .iter()
                    .map(|key| self.delete(key.clone(), None))
                    .collect::<Result<Vec<_>, _>>()?;
                if let Transaction::Committed = self.transact(doing, items).await? {
                    done = true;
                    break;
                }
            }
            if !done {
                return Err(StoreError::Unavailable(format!(
                    "{doing} lost {WRITE_ATTEMPTS} races; try again"
                )));
            }
        }
        Ok(())
    }

    pub(super) async fn pending(&self) -> Result<Vec<ErasureTarget>, StoreError> {
        let mut erasures: Vec<ErasureItem> = self
            .query_all(ERASURES_PK, Some(ERASURE_PREFIX), true, &[], "the erasures")
            .await?
            .into_iter()
            .map(|item| from_item(item, "an erasure"))
            .collect::<Result<_, _>>()?;
        erasures.sort_by(|a, b| a.begun_at.cmp(&b.begun_at));
        erasures
            .iter()
            .map(|e| {
                serde_json::from_str(&e.target).map_err(|err| {
                    StoreError::Internal(format!(
                        "an erasure under way is unreadable: {}",
                        shared::object_id::scrubbed(&err.to_string())
                    ))
                })
            })
            .collect()
    }
}

/// The idempotency record a key pointer's sort key (`KEY#<kind>#<key>`)
/// names.
fn idempotency_record(sk: &str) -> Option<Item> {
    let (kind, key) = sk.strip_prefix(KEY_PREFIX)?.split_once('#')?;
    Some(item_key(
        format!("{IDEMPOTENCY_PREFIX}{key}"),
        format!("{IDEMPOTENCY_PREFIX}{kind}"),
    ))
}
