//! The [`Fulfiller`] of the deployed function: the warehouse's stock table in DynamoDB, through
//! the AWS SDK.
//!
//! The table belongs to the warehouse team, not to this stack: the stack is given its name
//! (parameter `InventoryTableName`, the function's `INVENTORY_TABLE_NAME`). Its partition key is
//! the string attribute [`INVENTORY_KEY`], `pk`, and it holds two kinds of items:
//!
//! | `pk` | other attributes | what it says |
//! |---|---|---|
//! | `stock#<sku>` | `sku` (S), `in_stock` (N) | how many items of the product are in stock |
//! | `shipment#<order_id>` | `order_id` (S), `status` (S), `lines` (L) | where the order's shipment stands |
//!
//! A shipment's `status` is `shipping` (its products are reserved) or `cancelled`. Its `lines` are
//! the order's lines as `serde_dynamo` writes them, maps with `sku` (S), `quantity` (N) and
//! `unit_price_cents` (N): the products reserved, and, once cancelled, the products given back.
//! A cancellation that arrived before its order has no `lines`. A product without a stock item
//! has none in stock.
//!
//! The bookkeeping is [`InMemoryWarehouse`](crate::InMemoryWarehouse)'s, made safe for Lambda
//! functions that run side by side: every change is one conditional write or one transaction, so
//! a shipment and its stock always change together, or not at all.
//!
//! - Shipping writes the shipment (if the order has none yet) and takes each product's quantity
//!   from its stock (if there is that much) in one `TransactWriteItems`. An order that already has
//!   a shipment, shipping or cancelled, is a no-op; a product short of stock fails the whole
//!   order with [`FulfilmentError::OutOfStock`], and nothing is reserved.
//! - Cancelling a shipping order sets it to `cancelled` and gives its stock back in one
//!   transaction, on the condition that it is still shipping. Cancelling an order the warehouse
//!   has not heard of writes a `cancelled` shipment, so the order, if it comes later, is not
//!   shipped. Cancelling a cancelled order is a no-op.
//!
//! When another function changes the same shipment in between (a lost race) or DynamoDB fails,
//! the result is [`FulfilmentError::Warehouse`]: nothing was changed, and the queue delivers the
//! message again.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{BuildError, DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, CancellationReason, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use order_events::{OrderCancelled, OrderLine, OrderPlaced};
use tracing::info;

use crate::{Fulfiller, FulfilmentError, Shipment, quantities};

/// The inventory table's partition key, a string.
pub const INVENTORY_KEY: &str = "pk";

/// The `status` of a shipment whose products are reserved.
const SHIPPING: &str = "shipping";
/// The `status` of a cancelled shipment.
const CANCELLED: &str = "cancelled";

/// The condition of a write that creates a shipment: the order has none yet.
const NO_SHIPMENT_YET: &str = "attribute_not_exists(pk)";

/// The code of a transaction's operation whose condition did not hold.
const CONDITION_FAILED: &str = "ConditionalCheckFailed";

/// The warehouse's stock table in DynamoDB.
#[derive(Clone, Debug)]
pub struct DynamoWarehouse {
    client: Client,
    table_name: String,
}

impl DynamoWarehouse {
    /// The warehouse on the table `table_name` (the function's `INVENTORY_TABLE_NAME`).
    pub fn new(client: Client, table_name: impl Into<String>) -> DynamoWarehouse {
        DynamoWarehouse { client, table_name: table_name.into() }
    }

    /// Sets how many items of the product are in stock, whatever there were: for tests, the
    /// end-to-end run and operators stocking the warehouse.
    pub async fn set_stock(&self, sku: &str, count: u32) -> Result<(), FulfilmentError> {
        self.client
            .put_item()
            .table_name(&self.table_name)
            .item(INVENTORY_KEY, stock_key(sku))
            .item("sku", AttributeValue::S(sku.to_owned()))
            .item("in_stock", number(count))
            .send()
            .await
            .map_err(warehouse_error)?;
        Ok(())
    }

    /// How many items of the product are in stock; none if the table has no stock item for it.
    pub async fn in_stock(&self, sku: &str) -> Result<u32, FulfilmentError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table_name)
            .key(INVENTORY_KEY, stock_key(sku))
            .consistent_read(true)
            .send()
            .await
            .map_err(warehouse_error)?;
        stock_count(output.item.as_ref())
    }

    /// Where the order's shipment stands, if the warehouse has heard of the order. The read is
    /// strongly consistent, so it sees every write that has succeeded.
    pub async fn shipment(&self, order_id: &str) -> Result<Option<Shipment>, FulfilmentError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table_name)
            .key(INVENTORY_KEY, shipment_key(order_id))
            .consistent_read(true)
            .send()
            .await
            .map_err(warehouse_error)?;
        output.item.map(|item| shipment_from(order_id, item)).transpose()
    }
}

impl Fulfiller for DynamoWarehouse {
    async fn ship(&self, order: &OrderPlaced) -> Result<(), FulfilmentError> {
        let wanted = match quantities(&order.lines) {
            Ok(wanted) => wanted,
            // Too many products for one transaction; but an order already shipping or cancelled
            // needs no reservation, as the transaction would have found.
            Err(error) => {
                if self.shipment(&order.order_id).await?.is_some() {
                    info!(order_id = %order.order_id, "order already shipping or cancelled; nothing to do");
                    return Ok(());
                }
                return Err(error);
            }
        };
        let lines = serde_dynamo::to_attribute_value(&order.lines).map_err(|error| {
            FulfilmentError::Warehouse(format!("cannot write the order's lines: {error}"))
        })?;
        let shipment = Put::builder()
            .table_name(&self.table_name)
            .set_item(Some(shipment_item(&order.order_id, SHIPPING, Some(lines))))
            .condition_expression(NO_SHIPMENT_YET)
            .build()
            .map_err(|error| build_error(&error))?;
        let mut request = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(shipment).build());
        for &(sku, quantity) in &wanted {
            let take = Update::builder()
                .table_name(&self.table_name)
                .key(INVENTORY_KEY, stock_key(sku))
                .update_expression("SET in_stock = in_stock - :quantity")
                .condition_expression("in_stock >= :quantity")
                .expression_attribute_values(":quantity", number(quantity))
                // A product short of stock comes back with its stock item, for the error to say
                // how many there are.
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
                .build()
                .map_err(|error| build_error(&error))?;
            request = request.transact_items(TransactWriteItem::builder().update(take).build());
        }
        let Err(error) = request.send().await else {
            info!(order_id = %order.order_id, "shipment started");
            return Ok(());
        };
        // The reasons are in the order of the operations: the shipment's first, then one per
        // product, as `wanted` lists them.
        let Some(reasons) = cancellation_reasons(&error) else {
            return Err(warehouse_error(error));
        };
        if reasons.first().is_some_and(condition_failed) {
            info!(order_id = %order.order_id, "order already shipping or cancelled; nothing to do");
            return Ok(());
        }
        for (reason, &(sku, wanted)) in reasons.iter().skip(1).zip(&wanted) {
            if condition_failed(reason) {
                let in_stock = stock_count(reason.item())?;
                return Err(FulfilmentError::OutOfStock { sku: sku.to_owned(), wanted, in_stock });
            }
        }
        // Cancelled for another reason, such as a conflict with a concurrent transaction.
        Err(warehouse_error(error))
    }

    async fn cancel(&self, order: &OrderCancelled) -> Result<(), FulfilmentError> {
        let order_id = &order.order_id;
        match self.shipment(order_id).await? {
            Some(Shipment::Cancelled) => {
                info!(%order_id, "shipment already stopped; nothing to do");
                Ok(())
            }
            None => {
                // Remember the cancellation, so the order is not shipped if it arrives later.
                self.client
                    .put_item()
                    .table_name(&self.table_name)
                    .set_item(Some(shipment_item(order_id, CANCELLED, None)))
                    .condition_expression(NO_SHIPMENT_YET)
                    .send()
                    .await
                    .map_err(|error| raced(order_id, error))?;
                info!(%order_id, "shipment stopped before the order arrived");
                Ok(())
            }
            Some(Shipment::Shipping(lines)) => {
                let stop = Update::builder()
                    .table_name(&self.table_name)
                    .key(INVENTORY_KEY, shipment_key(order_id))
                    .update_expression("SET #status = :cancelled")
                    .condition_expression("#status = :shipping")
                    // `status` is one of DynamoDB's reserved words.
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(":cancelled", AttributeValue::S(CANCELLED.to_owned()))
                    .expression_attribute_values(":shipping", AttributeValue::S(SHIPPING.to_owned()))
                    .build()
                    .map_err(|error| build_error(&error))?;
                let mut request = self
                    .client
                    .transact_write_items()
                    .transact_items(TransactWriteItem::builder().update(stop).build());
                // The lines were reserved in one transaction, so their products (at most
                // MAX_PRODUCTS_PER_ORDER) go back in one too.
                for (sku, quantity) in quantities(&lines)? {
                    let give_back = Update::builder()
                        .table_name(&self.table_name)
                        .key(INVENTORY_KEY, stock_key(sku))
                        .update_expression("SET sku = :sku ADD in_stock :quantity")
                        .expression_attribute_values(":sku", AttributeValue::S(sku.to_owned()))
                        .expression_attribute_values(":quantity", number(quantity))
                        .build()
                        .map_err(|error| build_error(&error))?;
                    request = request.transact_items(TransactWriteItem::builder().update(give_back).build());
                }
                request.send().await.map_err(|error| raced(order_id, error))?;
                info!(%order_id, "shipment stopped");
                Ok(())
            }
        }
    }
}

/// The key of the product's stock item.
fn stock_key(sku: &str) -> AttributeValue {
    AttributeValue::S(format!("stock#{sku}"))
}

/// The key of the order's shipment item.
fn shipment_key(order_id: &str) -> AttributeValue {
    AttributeValue::S(format!("shipment#{order_id}"))
}

fn number(count: u32) -> AttributeValue {
    AttributeValue::N(count.to_string())
}

/// A shipment item, with the order's lines if it has them.
fn shipment_item(
    order_id: &str,
    status: &str,
    lines: Option<AttributeValue>,
) -> HashMap<String, AttributeValue> {
    let mut item = HashMap::from([
        (INVENTORY_KEY.to_owned(), shipment_key(order_id)),
        ("order_id".to_owned(), AttributeValue::S(order_id.to_owned())),
        ("status".to_owned(), AttributeValue::S(status.to_owned())),
    ]);
    if let Some(lines) = lines {
        item.insert("lines".to_owned(), lines);
    }
    item
}

/// The `in_stock` of a stock item; none without the item or the attribute.
fn stock_count(item: Option<&HashMap<String, AttributeValue>>) -> Result<u32, FulfilmentError> {
    let Some(value) = item.and_then(|item| item.get("in_stock")) else {
        return Ok(0);
    };
    let count = value.as_n().ok().and_then(|count| count.parse::<i64>().ok()).ok_or_else(|| {
        FulfilmentError::Warehouse(format!("a stock item's in_stock is not a whole number: {value:?}"))
    })?;
    // An operator may have set a stock below zero; there are none to take then.
    Ok(u32::try_from(count.max(0)).unwrap_or(u32::MAX))
}

/// The shipment a shipment item describes.
fn shipment_from(
    order_id: &str,
    mut item: HashMap<String, AttributeValue>,
) -> Result<Shipment, FulfilmentError> {
    let unreadable =
        |what: String| FulfilmentError::Warehouse(format!("order {order_id}'s shipment item {what}"));
    match item.get("status").and_then(|status| status.as_s().ok()).map(String::as_str) {
        Some(CANCELLED) => Ok(Shipment::Cancelled),
        Some(SHIPPING) => {
            let lines = item.remove("lines").ok_or_else(|| unreadable("has no lines".to_owned()))?;
            let lines: Vec<OrderLine> = serde_dynamo::from_attribute_value(lines)
                .map_err(|error| unreadable(format!("has unreadable lines: {error}")))?;
            Ok(Shipment::Shipping(lines))
        }
        status => Err(unreadable(format!("has the unknown status {status:?}"))),
    }
}

/// Why the transaction was cancelled, one reason per operation, if it was.
fn cancellation_reasons<R>(error: &SdkError<TransactWriteItemsError, R>) -> Option<&[CancellationReason]> {
    match error.as_service_error()? {
        TransactWriteItemsError::TransactionCanceledException(cancelled) => {
            Some(cancelled.cancellation_reasons())
        }
        _ => None,
    }
}

fn condition_failed(reason: &CancellationReason) -> bool {
    reason.code() == Some(CONDITION_FAILED)
}

/// A write that changes a shipment failed: the shipment changed since it was read (another
/// function won the race) or DynamoDB failed. Either way the message is tried again.
fn raced<E, R>(order_id: &str, error: SdkError<E, R>) -> FulfilmentError
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
    R: std::fmt::Debug,
{
    let code = error.as_service_error().and_then(ProvideErrorMetadata::code);
    let lost = matches!(code, Some("ConditionalCheckFailedException" | "TransactionCanceledException"));
    let context = DisplayErrorContext(error);
    if lost {
        FulfilmentError::Warehouse(format!(
            "order {order_id}'s shipment changed while it was being cancelled: {context}"
        ))
    } else {
        FulfilmentError::Warehouse(context.to_string())
    }
}

/// A request this module builds lacks a required field: a bug, reported rather than panicked on.
fn build_error(error: &BuildError) -> FulfilmentError {
    FulfilmentError::Warehouse(format!("cannot build the request: {error}"))
}

fn warehouse_error<E, R>(error: SdkError<E, R>) -> FulfilmentError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    FulfilmentError::Warehouse(DisplayErrorContext(error).to_string())
}
