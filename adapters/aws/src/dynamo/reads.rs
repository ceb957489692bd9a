//! Reads: single items, the first result of a key, and pages of a list.

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;

use super::*;

impl DynamoStore {
    pub(super) async fn get<T: DeserializeOwned>(
        &self,
        key: Item,
        what: &str,
    ) -> Result<Option<T>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            // Read-your-writes, as the SQLite store gives: a client that
            // has just written must see it.
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading {what}"), e))?;
        output.item.map(|item| from_item(item, what)).transpose()
    }

    pub(super) async fn recipe_item(
        &self,
        recipe_id: &RecipeId,
    ) -> Result<Option<RecipeItem>, StoreError> {
        self.get(item_key(recipe_pk(recipe_id), META_SK), "a recipe")
            .await
    }

    pub(super) async fn version_item(
        &self,
        recipe_id: &RecipeId,
        version: u32,
    ) -> Result<Option<StoredVersion>, StoreError> {
        let item: Option<VersionItem> = self
            .get(
                item_key(recipe_pk(recipe_id), version_sk(version)),
                "a recipe version",
            )
            .await?;
        Ok(item.map(VersionItem::into_stored))
    }

    pub(super) async fn make_item(
        &self,
        recipe_id: &RecipeId,
        make_id: &MakeId,
    ) -> Result<Option<MakeItem>, StoreError> {
        self.get(item_key(recipe_pk(recipe_id), make_sk(make_id)), "a make")
            .await
    }

    /// The first result recorded under `key` for a write of `kind`.
    pub(super) async fn first_result<T: DeserializeOwned>(
        &self,
        kind: &str,
        key: &IdempotencyKey,
    ) -> Result<Option<T>, StoreError> {
        let record: Option<IdempotencyRecord<T>> = self
            .get(idempotency_key(kind, key), "an idempotency record")
            .await?;
        Ok(record.map(|r| r.first))
    }

    /// The stored version a version write's key first led to.
    pub(super) async fn replayed_version(
        &self,
        key: &IdempotencyKey,
    ) -> Result<Option<StoredVersion>, StoreError> {
        let Some(first) = self.first_result::<VersionRef>(VERSION_WRITE, key).await? else {
            return Ok(None);
        };
        let stored = self.version_item(&first.recipe_id, first.version).await?;
        stored.map(Some).ok_or_else(|| {
            StoreError::Internal(format!(
                "key {} names version {} of recipe {}, which is missing",
                logged(key.as_str()),
                first.version,
                logged(first.recipe_id.as_str())
            ))
        })
    }

    /// The stored rejection a rejection write's key first led to.
    pub(super) async fn replayed_rejection(
        &self,
        key: &IdempotencyKey,
    ) -> Result<Option<StoredRejection>, StoreError> {
        let Some(first) = self
            .first_result::<RejectionRef>(REJECTION_WRITE, key)
            .await?
        else {
            return Ok(None);
        };
        let stored: Option<StoredRejection> = self
            .get(
                item_key(REJECTIONS_PK, rejection_sk(&first.rejection_id)),
                "a rejection",
            )
            .await?;
        stored.map(Some).ok_or_else(|| {
            StoreError::Internal(format!(
                "key {} names rejection {}, which is missing",
                logged(key.as_str()),
                first.rejection_id
            ))
        })
    }

    /// Every item of partition `pk` (whose sort keys start with `prefix`,
    /// when given), in ascending or descending sort-key order, with only
    /// the `projection`'s attributes (all when empty) besides the keys:
    /// for the few items of one partition that a deletion goes through.
    pub(super) async fn query_all(
        &self,
        pk: &str,
        prefix: Option<&str>,
        forward: bool,
        projection: &[&str],
        what: &str,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .query(pk, prefix, forward, projection)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("reading {what}"), e))?;
            items.extend(output.items.unwrap_or_default());
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }

    /// A strongly consistent `Query` of partition `pk` (of its items whose
    /// sort keys start with `prefix`, when given), in ascending or
    /// descending sort-key order, reading only the `projection`'s
    /// attributes (all when empty) besides the keys.
    fn query(
        &self,
        pk: &str,
        prefix: Option<&str>,
        forward: bool,
        projection: &[&str],
    ) -> QueryFluentBuilder {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_values(":pk", AttributeValue::S(pk.to_owned()))
            .scan_index_forward(forward)
            .consistent_read(true);
        query = match prefix {
            Some(prefix) => query
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#sk", "sk")
                .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_owned())),
            None => query.key_condition_expression("#pk = :pk"),
        };
        if !projection.is_empty() {
            let mut placeholders = vec!["#pk".to_owned(), "#sk".to_owned()];
            query = query.expression_attribute_names("#sk", "sk");
            for attribute in projection {
                let placeholder = format!("#{attribute}");
                query = query.expression_attribute_names(&placeholder, *attribute);
                placeholders.push(placeholder);
            }
            query = query.projection_expression(placeholders.join(", "));
        }
        query
    }

    /// One page of `list`.
    pub(super) async fn page<T: DeserializeOwned>(
        &self,
        list: List<'_>,
        request: &PageRequest,
        projection: &[&str],
    ) -> Result<Page<T>, StoreError> {
        let limit = request.limit.clamp(1, shared::store::MAX_PAGE) as usize;
        let start = request
            .cursor
            .as_ref()
            .map(|cursor| start_key(cursor, &list))
            .transpose()?;
        let output = self
            .query(list.pk, Some(list.prefix), list.forward, projection)
            // One more than a page tells whether another page follows, so
            // that the last page has no cursor.
            .limit(i32::try_from(limit + 1).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("listing {}", list.what), e))?;
        let mut items = output.items.unwrap_or_default();
        let next = if items.len() > limit {
            items.truncate(limit);
            items
                .last()
                .map(|item| cursor_of(item, list.what))
                .transpose()?
        } else {
            // Fewer than asked for, yet more to read: DynamoDB stopped at
            // its 1 MB page size.
            output
                .last_evaluated_key
                .map(|key| cursor_of(&key, list.what))
                .transpose()?
        };
        let items = items
            .into_iter()
            .map(|item| from_item(item, list.what))
            .collect::<Result<Vec<T>, _>>()?;
        Ok(Page {
            items,
            next_cursor: next,
        })
    }

    /// A page of one recipe's items whose sort keys start with `prefix`,
    /// oldest first (`what` names them in errors), or `None` when the recipe
    /// is unknown.
    pub(super) async fn recipe_page<T: DeserializeOwned>(
        &self,
        recipe_id: &RecipeId,
        prefix: &str,
        what: &str,
        request: &PageRequest,
        projection: &[&str],
    ) -> Result<Option<Page<T>>, StoreError> {
        let pk = recipe_pk(recipe_id);
        let list = List::oldest_first(&pk, prefix, what);
        let page = self.page(list, request, projection).await?;
        // Only an empty page needs the recipe looked up: any item in the
        // partition proves that it exists.
        if page.items.is_empty() && self.recipe_item(recipe_id).await?.is_none() {
            return Ok(None);
        }
        Ok(Some(page))
    }

    /// Records `key` as leading to an existing make (a deliberate re-upload
    /// of the same make), and returns what the key leads to.
    pub(super) async fn record_make_key(
        &self,
        new: &NewMake,
        existing: MakeRef,
    ) -> Result<MakeRef, StoreError> {
        // The key pointer first: one left without its record is harmless.
        let pointer = self.put_key_pointer(
            &existing.recipe_id,
            MAKE_WRITE,
            &new.key,
            Some(&existing.make_id),
        )?;
        if let Transaction::Cancelled(_) = self
            .transact("recording a make's key pointer", vec![pointer])
            .await?
        {
            return Err(StoreError::Unavailable(
                "recording a make's key pointer lost a race; try again".into(),
            ));
        }
        let item = idempotency_item(MAKE_WRITE, &new.key, &existing, &new.make.created_at)?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(NOT_EXISTS)
            .send()
            .await;
        match result {
            Ok(_) => Ok(existing),
            Err(err)
                if matches!(
                    err.as_service_error(),
                    Some(PutItemError::ConditionalCheckFailedException(_))
                ) =>
            {
                // A concurrent attempt with this key recorded it first.
                let first = self.first_result(MAKE_WRITE, &new.key).await?;
                Ok(first.unwrap_or(existing))
            }
            Err(err) => Err(sdk_error("recording a make's idempotency key", err)),
        }
    }
}

/// Which list a page is read from.
pub(super) struct List<'a> {
    pub(super) pk: &'a str,
    pub(super) prefix: &'a str,
    pub(super) forward: bool,
    /// For messages.
    pub(super) what: &'a str,
}

impl<'a> List<'a> {
    /// The items of partition `pk` whose sort keys start with `prefix`,
    /// in ascending sort-key order; `what` names them in errors.
    pub(super) fn oldest_first(pk: &'a str, prefix: &'a str, what: &'a str) -> Self {
        Self {
            pk,
            prefix,
            forward: true,
            what,
        }
    }

    /// The same, in descending sort-key order.
    pub(super) fn newest_first(pk: &'a str, prefix: &'a str, what: &'a str) -> Self {
        Self {
            forward: false,
            ..Self::oldest_first(pk, prefix, what)
        }
    }
}

/// Where a page starts, from a cursor this list handed out.
pub(super) fn start_key(cursor: &Cursor, list: &List<'_>) -> Result<Item, StoreError> {
    let position = cursor.decode()?;
    let Some(object) = position.as_object().filter(|o| o.len() == 2) else {
        return Err(StoreError::InvalidCursor);
    };
    let (Some(Value::String(pk)), Some(Value::String(sk))) = (object.get("pk"), object.get("sk"))
    else {
        return Err(StoreError::InvalidCursor);
    };
    if pk != list.pk || !sk.starts_with(list.prefix) {
        return Err(StoreError::InvalidCursor);
    }
    Ok(item_key(pk.as_str(), sk.as_str()))
}

/// The cursor that continues a list after `item`.
pub(super) fn cursor_of(item: &Item, what: &str) -> Result<Cursor, StoreError> {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok());
    match (text("pk"), text("sk")) {
        (Some(pk), Some(sk)) => Ok(Cursor::encode(&json!({"pk": pk, "sk": sk}))),
        _ => Err(StoreError::Internal(format!(
            "an item in {what} has no string key"
        ))),
    }
}
