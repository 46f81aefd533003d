//! Where the API keeps orders: the `OrdersTable`, behind the [`OrderStore`] trait.
//!
//! Every write becomes a record on the table's stream (a new item an `INSERT`, a replaced one a
//! `MODIFY`, a deleted one a `REMOVE`), which the stream publisher turns into an event.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use order_events::Order;

/// The orders table, keyed by `order_id`.
pub trait OrderStore {
    /// The order with this id, if there is one.
    fn get(&self, order_id: &str) -> impl Future<Output = Result<Option<Order>, StoreError>> + Send;

    /// Stores a new order; `false`, and nothing written, if an order with its id exists.
    fn insert(&self, order: Order) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Replaces the stored order with the same id; `false`, and nothing written, if there is none.
    fn replace(&self, order: Order) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Deletes the order with this id and returns it, or `None` if there was none.
    fn delete(&self, order_id: &str) -> impl Future<Output = Result<Option<Order>, StoreError>> + Send;
}

/// The table could not be read or written.
#[derive(Debug)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the orders table is unavailable: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// An [`OrderStore`] in memory, the test double of [`crate::DynamoOrderStore`].
#[derive(Debug, Default)]
pub struct InMemoryOrderStore {
    orders: Mutex<BTreeMap<String, Order>>,
}

impl InMemoryOrderStore {
    fn orders(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Order>> {
        // A panic while the lock was held cannot leave the map half-written: every operation is
        // a single insert, remove or clone.
        self.orders.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl OrderStore for InMemoryOrderStore {
    async fn get(&self, order_id: &str) -> Result<Option<Order>, StoreError> {
        Ok(self.orders().get(order_id).cloned())
    }

    async fn insert(&self, order: Order) -> Result<bool, StoreError> {
        let mut orders = self.orders();
        if orders.contains_key(&order.order_id) {
            return Ok(false);
        }
        orders.insert(order.order_id.clone(), order);
        Ok(true)
    }

    async fn replace(&self, order: Order) -> Result<bool, StoreError> {
        let mut orders = self.orders();
        match orders.get_mut(&order.order_id) {
            Some(stored) => {
                *stored = order;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn delete(&self, order_id: &str) -> Result<Option<Order>, StoreError> {
        Ok(self.orders().remove(order_id))
    }
}
