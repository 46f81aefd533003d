//! Handlers as users write them: free functions, methods, several attributes, env() resources,
//! string events, explicit functions and path-qualified attributes.
use flowdoc_annotations::{event, event_consumer, event_producer};

mod events {
    use super::event;

    /// An order was accepted.
    #[event]
    pub struct OrderPlaced {
        /// Joins every log line and event of one order.
        pub correlation_id: String,
        pub order_id: String,
    }

    #[event(name = "order.cancelled", version = 2)]
    #[derive(Debug, Clone)]
    pub enum OrderCancelled {
        ByCustomer { reason: Option<String> },
        Expired,
    }
}

use events::{OrderCancelled, OrderPlaced};

/// POST /orders: stores the order.
#[event_producer(OrderPlaced, to = "OrdersTable")]
async fn create_order(id: &str) -> Result<String, String> {
    Ok(id.to_owned())
}

#[event_consumer(OrderPlaced, from = "OrdersTable")]
#[event_consumer(events::OrderCancelled, from = "OrdersTable",)]
#[event_producer(OrderPlaced, to = env("ORDER_EVENTS_TOPIC_ARN"), function = "StreamPublisherFunction")]
fn publish_changes() -> usize {
    3
}

struct Fulfilment {
    shipped: Vec<String>,
}

impl Fulfilment {
    #[event_consumer(OrderPlaced, from = "FulfilmentQueue")]
    fn fulfil(&mut self, order: &OrderPlaced) {
        self.shipped.push(order.order_id.clone());
    }

    #[flowdoc_annotations::event_consumer(crate::OrderCancelled, from = "FulfilmentQueue")]
    pub async fn cancel(&mut self, _order: OrderCancelled) {}
}

trait Audit {
    #[event_consumer("order.audited", from = "AuditQueue")]
    fn audit(&self) -> bool {
        true
    }
}

impl Audit for Fulfilment {}

/// A handler type that implements the service itself.
#[event_consumer(OrderPlaced, from = "NotificationsQueue")]
struct Notifier;

#[event_producer("order.shipped", to = "ShipmentsTopic")]
impl Notifier {
    fn notify(&self) -> &'static str {
        "sent"
    }
}

fn main() {
    let mut fulfilment = Fulfilment { shipped: Vec::new() };
    let order = OrderPlaced { correlation_id: "c-1".into(), order_id: "o-1".into() };
    fulfilment.fulfil(&order);
    assert_eq!(fulfilment.shipped, ["o-1"]);
    assert_eq!(order.correlation_id, "c-1");
    assert_eq!(publish_changes(), 3, "the body runs unchanged");
    assert!(fulfilment.audit());
    assert_eq!(Notifier.notify(), "sent");
    let _ = OrderCancelled::ByCustomer { reason: None };
    let _ = OrderCancelled::Expired;
    drop(create_order("o-1"));
    drop(fulfilment.cancel(OrderCancelled::Expired));
}
