//! The table itself: creating it as [`DynamoStore`] describes it (for tests
//! and local tools: production tables come from `template.yaml`), and
//! asking whether it answers.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters as _;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};
use shared::store::StoreError;

use super::DynamoStore;
use super::transact::{build_error, sdk_error};

impl DynamoStore {
    /// Creates the table as [`DynamoStore`] describes it, unless it exists,
    /// and waits until it is active: for tests and local tools (production
    /// tables come from `template.yaml`).
    pub async fn create_table(client: &Client, name: &str) -> Result<(), StoreError> {
        let attribute = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(build_error)
        };
        let schema = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .map_err(build_error)
        };
        let created = client
            .create_table()
            .table_name(name)
            .attribute_definitions(attribute("pk")?)
            .attribute_definitions(attribute("sk")?)
            .key_schema(schema("pk", KeyType::Hash)?)
            .key_schema(schema("sk", KeyType::Range)?)
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await;
        let created = match created {
            Ok(_) => true,
            Err(err)
                if matches!(
                    err.as_service_error(),
                    Some(CreateTableError::ResourceInUseException(_))
                ) =>
            {
                false
            }
            Err(err) => return Err(sdk_error(&format!("creating table {name}"), err)),
        };
        client
            .wait_until_table_exists()
            .table_name(name)
            .wait(Duration::from_secs(300))
            .await
            .map_err(|e| {
                StoreError::Unavailable(format!(
                    "waiting for table {name} to become active: {}",
                    DisplayErrorContext(&e)
                ))
            })?;
        if created {
            let ttl = TimeToLiveSpecification::builder()
                .attribute_name("expiresAt")
                .enabled(true)
                .build()
                .map_err(build_error)?;
            client
                .update_time_to_live()
                .table_name(name)
                .time_to_live_specification(ttl)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("enabling time to live on table {name}"), e))?;
        }
        Ok(())
    }

    /// [`shared::store::RecipeStore::ping`]: whether the table answers.
    pub(super) async fn reach_table(&self) -> Result<(), StoreError> {
        self.client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("describing table {}", self.table), e))?;
        Ok(())
    }
}
