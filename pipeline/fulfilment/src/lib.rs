//! `FulfilmentFunction`: ships placed orders and stops the shipment of cancelled ones.
//!
//! It reads the `FulfilmentQueue`, whose subscription to the `OrderEventsTopic` lets only
//! `OrderPlaced` and `OrderCancelled` through (a change of lines is not fulfilment's business
//! once an order is packed). The warehouse sits behind the [`Fulfiller`] trait. A message whose
//! order cannot be fulfilled (say a product is out of stock) fails and is received again after
//! the queue's visibility timeout; after `maxReceiveCount` receives it moves to the
//! `FulfilmentDeadLetterQueue`, where someone looks at it.
//!
//! Queues deliver at least once and not always in order, so the warehouse takes a repeated event
//! as a no-op and remembers a cancellation that arrives before its order.
//!
//! The deployed function wires [`DynamoWarehouse`], the warehouse's stock table in DynamoDB;
//! [`InMemoryWarehouse`] is the double the tests use, with the same bookkeeping.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use flowdoc_annotations::event_consumer;
use order_events::{OrderCancelled, OrderEvent, OrderLine, OrderPlaced};
use tracing::{info, warn};

mod dynamo;

pub use dynamo::{DynamoWarehouse, INVENTORY_KEY};

/// The most different products one order may have.
///
/// [`DynamoWarehouse`] reserves an order in one DynamoDB transaction, which holds at most 100
/// operations: one writes the shipment, one per product takes its stock. An order with more
/// products is refused as a whole rather than reserved in part, by both warehouses alike.
pub const MAX_PRODUCTS_PER_ORDER: usize = 99;

/// The warehouse.
pub trait Fulfiller {
    /// Reserves the order's products and starts its shipment.
    fn ship(&self, order: &OrderPlaced) -> impl Future<Output = Result<(), FulfilmentError>> + Send;

    /// Stops the order's shipment and puts its products back.
    fn cancel(&self, order: &OrderCancelled) -> impl Future<Output = Result<(), FulfilmentError>> + Send;
}

/// Why an order could not be fulfilled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FulfilmentError {
    /// There are fewer items of a product in stock than the order needs.
    OutOfStock {
        /// The product.
        sku: String,
        /// How many the order needs.
        wanted: u32,
        /// How many are in stock.
        in_stock: u32,
    },
    /// The order has more different products than one reservation can hold
    /// ([`MAX_PRODUCTS_PER_ORDER`]); nothing was reserved.
    TooManyProducts {
        /// How many different products the order has.
        products: usize,
    },
    /// The warehouse failed or changed while it was asked: an error of its service, or a race
    /// with another change to the same shipment. Nothing was changed, and the message is tried
    /// again.
    Warehouse(String),
}

impl fmt::Display for FulfilmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FulfilmentError::OutOfStock { sku, wanted, in_stock } => {
                write!(f, "{sku} is out of stock: the order needs {wanted}, there are {in_stock}")
            }
            FulfilmentError::TooManyProducts { products } => write!(
                f,
                "the order has {products} different products; the warehouse reserves at most \
                 {MAX_PRODUCTS_PER_ORDER} at once"
            ),
            FulfilmentError::Warehouse(reason) => write!(f, "the warehouse failed: {reason}"),
        }
    }
}

impl std::error::Error for FulfilmentError {}

/// Handles one batch from the `FulfilmentQueue` and reports the messages that failed.
pub async fn handle_batch<F: Fulfiller>(fulfiller: &F, batch: SqsEvent) -> SqsBatchResponse {
    order_events::sqs::process_batch(batch, |event| fulfil(fulfiller, event)).await
}

/// Ships a placed order, or stops the shipment of a cancelled one.
#[event_consumer(OrderPlaced, from = "FulfilmentQueue")]
#[event_consumer(OrderCancelled, from = "FulfilmentQueue")]
pub async fn fulfil<F: Fulfiller>(fulfiller: &F, event: OrderEvent) -> Result<(), FulfilmentError> {
    match event {
        OrderEvent::Placed(order) => fulfiller.ship(&order).await,
        OrderEvent::Cancelled(order) => fulfiller.cancel(&order).await,
        OrderEvent::Updated(_) => {
            warn!("OrderUpdated reached fulfilment, whose subscription filters it out; ignored");
            Ok(())
        }
    }
}

/// Where an order's shipment stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shipment {
    /// The products are reserved and the shipment has started.
    Shipping(Vec<OrderLine>),
    /// The order was cancelled; its products, if any were reserved, are back in stock.
    Cancelled,
}

/// A [`Fulfiller`] in memory with a stock of products, for tests and the end-to-end run.
#[derive(Debug, Default)]
pub struct InMemoryWarehouse {
    state: Mutex<Warehouse>,
}

#[derive(Debug, Default)]
struct Warehouse {
    stock: BTreeMap<String, u32>,
    shipments: BTreeMap<String, Shipment>,
}

impl InMemoryWarehouse {
    /// A warehouse with these products in stock, as `(sku, count)`.
    pub fn with_stock<'a>(stock: impl IntoIterator<Item = (&'a str, u32)>) -> InMemoryWarehouse {
        let stock = stock.into_iter().map(|(sku, count)| (sku.to_owned(), count)).collect();
        InMemoryWarehouse { state: Mutex::new(Warehouse { stock, shipments: BTreeMap::new() }) }
    }

    /// How many items of the product are in stock.
    pub fn in_stock(&self, sku: &str) -> u32 {
        self.state().stock.get(sku).copied().unwrap_or(0)
    }

    /// Where the order's shipment stands, if the warehouse has heard of the order.
    pub fn shipment(&self, order_id: &str) -> Option<Shipment> {
        self.state().shipments.get(order_id).cloned()
    }

    fn state(&self) -> MutexGuard<'_, Warehouse> {
        // Each operation checks everything before it changes anything, so a panic cannot leave
        // the state half-changed.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Fulfiller for InMemoryWarehouse {
    async fn ship(&self, order: &OrderPlaced) -> Result<(), FulfilmentError> {
        let mut state = self.state();
        if state.shipments.contains_key(&order.order_id) {
            info!(order_id = %order.order_id, "order already shipping or cancelled; nothing to do");
            return Ok(());
        }
        let wanted = quantities(&order.lines)?;
        for &(sku, wanted) in &wanted {
            let in_stock = state.stock.get(sku).copied().unwrap_or(0);
            if in_stock < wanted {
                return Err(FulfilmentError::OutOfStock { sku: sku.to_owned(), wanted, in_stock });
            }
        }
        for (sku, wanted) in wanted {
            *state.stock.entry(sku.to_owned()).or_default() -= wanted;
        }
        state.shipments.insert(order.order_id.clone(), Shipment::Shipping(order.lines.clone()));
        info!(order_id = %order.order_id, "shipment started");
        Ok(())
    }

    async fn cancel(&self, order: &OrderCancelled) -> Result<(), FulfilmentError> {
        let mut state = self.state();
        let previous = state.shipments.insert(order.order_id.clone(), Shipment::Cancelled);
        if let Some(Shipment::Shipping(lines)) = previous {
            for line in lines {
                *state.stock.entry(line.sku).or_default() += line.quantity;
            }
        }
        info!(order_id = %order.order_id, "shipment stopped");
        Ok(())
    }
}

/// How many items of each product the lines need, each product once, in the order the lines
/// first name it: an order may name a product on several lines, and the stock must cover their
/// sum. Refuses an order with more than [`MAX_PRODUCTS_PER_ORDER`] products.
fn quantities(lines: &[OrderLine]) -> Result<Vec<(&str, u32)>, FulfilmentError> {
    let mut wanted: Vec<(&str, u32)> = Vec::new();
    let mut position: BTreeMap<&str, usize> = BTreeMap::new();
    for line in lines {
        match position.get(line.sku.as_str()) {
            // More than u32::MAX items are out of stock anyway; the sum need not be exact.
            Some(&index) => wanted[index].1 = wanted[index].1.saturating_add(line.quantity),
            None => {
                position.insert(line.sku.as_str(), wanted.len());
                wanted.push((&line.sku, line.quantity));
            }
        }
    }
    if wanted.len() > MAX_PRODUCTS_PER_ORDER {
        return Err(FulfilmentError::TooManyProducts { products: wanted.len() });
    }
    Ok(wanted)
}

#[cfg(test)]
mod tests;
