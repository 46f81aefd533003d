//! The [`OrderStore`] of the deployed function: the `OrdersTable` through the AWS SDK.
//!
//! An item is the [`Order`] as `serde_dynamo` writes it, the same shape the stream publisher
//! reads back from the stream's images. Writes are conditional on the partition key, so a new
//! order never overwrites a stored one and a replacement or deletion never creates one.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use order_events::Order;

use crate::store::{OrderStore, StoreError};

/// The table's partition key, as the template's `KeySchema` names it.
const KEY: &str = "order_id";

/// The orders table in DynamoDB.
#[derive(Clone, Debug)]
pub struct DynamoOrderStore {
    client: Client,
    table_name: String,
}

impl DynamoOrderStore {
    /// The store on the table `table_name` (the function's `ORDERS_TABLE_NAME`).
    pub fn new(client: Client, table_name: impl Into<String>) -> DynamoOrderStore {
        DynamoOrderStore { client, table_name: table_name.into() }
    }

    fn key(order_id: &str) -> (String, AttributeValue) {
        (KEY.to_owned(), AttributeValue::S(order_id.to_owned()))
    }

    /// Writes the order if `condition` holds; `false` if it did not.
    async fn put_if(&self, order: &Order, condition: &str) -> Result<bool, StoreError> {
        let item = serde_dynamo::to_item(order).map_err(|error| StoreError(error.to_string()))?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table_name)
            .set_item(Some(item))
            .condition_expression(condition)
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) if condition_failed(&error) => Ok(false),
            Err(error) => Err(store_error(error)),
        }
    }
}

impl OrderStore for DynamoOrderStore {
    async fn get(&self, order_id: &str) -> Result<Option<Order>, StoreError> {
        let (name, value) = Self::key(order_id);
        let output = self
            .client
            .get_item()
            .table_name(&self.table_name)
            .key(name, value)
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        output.item.map(from_item).transpose()
    }

    async fn insert(&self, order: Order) -> Result<bool, StoreError> {
        self.put_if(&order, "attribute_not_exists(order_id)").await
    }

    async fn replace(&self, order: Order) -> Result<bool, StoreError> {
        self.put_if(&order, "attribute_exists(order_id)").await
    }

    async fn delete(&self, order_id: &str) -> Result<Option<Order>, StoreError> {
        let (name, value) = Self::key(order_id);
        let result = self
            .client
            .delete_item()
            .table_name(&self.table_name)
            .key(name, value)
            .condition_expression("attribute_exists(order_id)")
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        match result {
            Ok(output) => output.attributes.map(from_item).transpose(),
            Err(error) if condition_failed(&error) => Ok(None),
            Err(error) => Err(store_error(error)),
        }
    }
}

fn from_item(item: std::collections::HashMap<String, AttributeValue>) -> Result<Order, StoreError> {
    serde_dynamo::from_item(item).map_err(|error| StoreError(format!("unreadable order item: {error}")))
}

/// Whether the write was refused because its condition did not hold (and only that).
fn condition_failed<E, R>(error: &SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    error.as_service_error().and_then(|error| error.code()) == Some("ConditionalCheckFailedException")
}

fn store_error<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    StoreError(aws_sdk_dynamodb::error::DisplayErrorContext(error).to_string())
}
