//! The events of the orders pipeline and the order record they are made from.
//!
//! The order API stores an [`Order`] in the `OrdersTable`; the stream publisher turns each change
//! of that item into one of the three events below and publishes it to the `OrderEventsTopic`,
//! which fans it out to one queue per consumer. Every event carries the `correlation_id` that
//! entered with the API request that placed the order, so one order can be followed end to end.
//!
//! On the topic and the queues an event is a [`Message`]: its JSON as the body, and the message
//! attributes [`EVENT_TYPE_ATTRIBUTE`] (the event's name, which the subscriptions' filter
//! policies match) and [`CORRELATION_ID_ATTRIBUTE`].
//!
//! The crate also holds what all the functions share about how events travel and are logged:
//! [`sqs`], the consumers' loop over a queue batch, and [`logging`], the log format.

pub mod logging;
pub mod sqs;

use std::collections::BTreeMap;
use std::fmt;

use flowdoc_annotations::event;
use serde::{Deserialize, Serialize};

/// The message attribute that names the event a message carries, as in `OrderPlaced`.
pub const EVENT_TYPE_ATTRIBUTE: &str = "event_type";

/// The message attribute that carries the event's correlation id.
pub const CORRELATION_ID_ATTRIBUTE: &str = "correlation_id";

/// One line of an order: a product and how many of it were ordered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// The product's stock-keeping unit, as in `"MUG-BLUE"`.
    pub sku: String,
    /// How many items of the product were ordered; at least 1.
    pub quantity: u32,
    /// The price of one item in cents of the order's currency.
    pub unit_price_cents: u64,
}

/// An order as the `OrdersTable` stores it, keyed by `order_id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// The order's id, the table's partition key.
    pub order_id: String,
    /// The id of the request that placed the order; every later event of the order carries it.
    pub correlation_id: String,
    /// Who placed the order.
    pub customer_id: String,
    /// Where notifications about the order go.
    pub customer_email: String,
    /// The ISO 4217 code of the currency the prices are in, as in `"EUR"`.
    pub currency: String,
    /// What was ordered; never empty.
    pub lines: Vec<OrderLine>,
    /// The sum of quantity times unit price over the lines, in cents.
    pub total_cents: u64,
}

/// An order was placed. Emitted once for every new item in the `OrdersTable`.
#[event]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPlaced {
    /// Joins every log line and event of one order; set by the request that placed it.
    pub correlation_id: String,
    /// The id of the new order.
    pub order_id: String,
    /// Who placed the order.
    pub customer_id: String,
    /// Where notifications about the order go.
    pub customer_email: String,
    /// The ISO 4217 code of the currency the prices are in.
    pub currency: String,
    /// What was ordered.
    pub lines: Vec<OrderLine>,
    /// What the order comes to, in cents.
    pub total_cents: u64,
}

/// The lines of an order were changed. Emitted for every update of an order's item.
#[event]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderUpdated {
    /// Joins every log line and event of one order; the one of the request that placed it.
    pub correlation_id: String,
    /// The id of the changed order.
    pub order_id: String,
    /// Where notifications about the order go.
    pub customer_email: String,
    /// The ISO 4217 code of the currency the prices are in.
    pub currency: String,
    /// What is ordered now.
    pub lines: Vec<OrderLine>,
    /// What the order comes to now, in cents.
    pub total_cents: u64,
    /// What the order came to before the change, in cents.
    pub previous_total_cents: u64,
}

/// An order was cancelled. Emitted when an order's item is deleted from the table.
#[event]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCancelled {
    /// Joins every log line and event of one order; the one of the request that placed it.
    pub correlation_id: String,
    /// The id of the cancelled order.
    pub order_id: String,
    /// Where notifications about the order go.
    pub customer_email: String,
    /// The ISO 4217 code of the currency of `total_cents`.
    pub currency: String,
    /// What the order came to when it was cancelled, in cents: the amount to refund if paid.
    pub total_cents: u64,
}

impl OrderPlaced {
    /// The event's name: the value of its `event_type` message attribute.
    pub const EVENT_TYPE: &'static str = "OrderPlaced";
}

impl OrderUpdated {
    /// The event's name: the value of its `event_type` message attribute.
    pub const EVENT_TYPE: &'static str = "OrderUpdated";
}

impl OrderCancelled {
    /// The event's name: the value of its `event_type` message attribute.
    pub const EVENT_TYPE: &'static str = "OrderCancelled";
}

/// Any one of the order events, as the publisher sends them and the consumers receive them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderEvent {
    /// See [`OrderPlaced`].
    Placed(OrderPlaced),
    /// See [`OrderUpdated`].
    Updated(OrderUpdated),
    /// See [`OrderCancelled`].
    Cancelled(OrderCancelled),
}

impl OrderEvent {
    /// The event's name, as in `"OrderPlaced"`: the value of the `event_type` message attribute.
    pub fn event_type(&self) -> &'static str {
        match self {
            OrderEvent::Placed(_) => OrderPlaced::EVENT_TYPE,
            OrderEvent::Updated(_) => OrderUpdated::EVENT_TYPE,
            OrderEvent::Cancelled(_) => OrderCancelled::EVENT_TYPE,
        }
    }

    /// The correlation id of the order the event is about.
    pub fn correlation_id(&self) -> &str {
        match self {
            OrderEvent::Placed(event) => &event.correlation_id,
            OrderEvent::Updated(event) => &event.correlation_id,
            OrderEvent::Cancelled(event) => &event.correlation_id,
        }
    }

    /// The id of the order the event is about.
    pub fn order_id(&self) -> &str {
        match self {
            OrderEvent::Placed(event) => &event.order_id,
            OrderEvent::Updated(event) => &event.order_id,
            OrderEvent::Cancelled(event) => &event.order_id,
        }
    }

    /// The message that carries the event over the topic and the queues.
    pub fn to_message(&self) -> Message {
        let body = match self {
            OrderEvent::Placed(event) => serde_json::to_string(event),
            OrderEvent::Updated(event) => serde_json::to_string(event),
            OrderEvent::Cancelled(event) => serde_json::to_string(event),
        }
        .expect("order events are plain structs of strings and numbers, which always serialize");
        let attributes = BTreeMap::from([
            (EVENT_TYPE_ATTRIBUTE.to_owned(), self.event_type().to_owned()),
            (CORRELATION_ID_ATTRIBUTE.to_owned(), self.correlation_id().to_owned()),
        ]);
        Message { body, attributes }
    }

    /// Reads the event a message carries, given its `event_type` attribute and its body.
    pub fn from_message(event_type: &str, body: &str) -> Result<OrderEvent, DecodeError> {
        let body_error = |source| DecodeError::Body { event_type: event_type.to_owned(), source };
        match event_type {
            OrderPlaced::EVENT_TYPE => serde_json::from_str(body).map(OrderEvent::Placed).map_err(body_error),
            OrderUpdated::EVENT_TYPE => {
                serde_json::from_str(body).map(OrderEvent::Updated).map_err(body_error)
            }
            OrderCancelled::EVENT_TYPE => {
                serde_json::from_str(body).map(OrderEvent::Cancelled).map_err(body_error)
            }
            other => Err(DecodeError::UnknownEventType(other.to_owned())),
        }
    }
}

/// An event as it travels over the topic and the queues.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The event as JSON.
    pub body: String,
    /// String message attributes by name: [`EVENT_TYPE_ATTRIBUTE`] and
    /// [`CORRELATION_ID_ATTRIBUTE`].
    pub attributes: BTreeMap<String, String>,
}

impl Message {
    /// The value of the attribute `name`, if the message has it.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }
}

/// Why a message does not carry a readable order event.
#[derive(Debug)]
pub enum DecodeError {
    /// The message has no `event_type` attribute.
    MissingEventType,
    /// The `event_type` attribute names no order event.
    UnknownEventType(String),
    /// The body is not the JSON of the event its `event_type` names.
    Body {
        /// The event the body should have held.
        event_type: String,
        /// What was wrong with it.
        source: serde_json::Error,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::MissingEventType => {
                write!(f, "the message has no `{EVENT_TYPE_ATTRIBUTE}` attribute")
            }
            DecodeError::UnknownEventType(name) => write!(f, "`{name}` is not an order event"),
            DecodeError::Body { event_type, source } => {
                write!(f, "the body is not a valid {event_type}: {source}")
            }
        }
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DecodeError::Body { source, .. } => Some(source),
            DecodeError::MissingEventType | DecodeError::UnknownEventType(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> OrderLine {
        OrderLine { sku: "MUG-BLUE".into(), quantity: 2, unit_price_cents: 1250 }
    }

    fn placed() -> OrderEvent {
        OrderEvent::Placed(OrderPlaced {
            correlation_id: "corr-1".into(),
            order_id: "order-1".into(),
            customer_id: "customer-1".into(),
            customer_email: "ada@example.com".into(),
            currency: "EUR".into(),
            lines: vec![line()],
            total_cents: 2500,
        })
    }

    /// The last segment of a type's path, which is the name flowdoc gives an `#[event]` type.
    fn type_name<T>() -> &'static str {
        std::any::type_name::<T>().rsplit("::").next().unwrap_or_default()
    }

    #[test]
    fn event_type_names_equal_the_type_names() {
        assert_eq!(OrderPlaced::EVENT_TYPE, type_name::<OrderPlaced>());
        assert_eq!(OrderUpdated::EVENT_TYPE, type_name::<OrderUpdated>());
        assert_eq!(OrderCancelled::EVENT_TYPE, type_name::<OrderCancelled>());
    }

    #[test]
    fn message_carries_event_type_and_correlation_id_as_attributes() {
        let message = placed().to_message();
        assert_eq!(message.attribute(EVENT_TYPE_ATTRIBUTE), Some("OrderPlaced"));
        assert_eq!(message.attribute(CORRELATION_ID_ATTRIBUTE), Some("corr-1"));
        let body: serde_json::Value = serde_json::from_str(&message.body).unwrap();
        assert_eq!(body["correlation_id"], "corr-1");
        assert_eq!(body["lines"][0]["sku"], "MUG-BLUE");
    }

    #[test]
    fn message_round_trips_every_event() {
        let updated = OrderEvent::Updated(OrderUpdated {
            correlation_id: "corr-1".into(),
            order_id: "order-1".into(),
            customer_email: "ada@example.com".into(),
            currency: "EUR".into(),
            lines: vec![line()],
            total_cents: 2500,
            previous_total_cents: 1250,
        });
        let cancelled = OrderEvent::Cancelled(OrderCancelled {
            correlation_id: "corr-1".into(),
            order_id: "order-1".into(),
            customer_email: "ada@example.com".into(),
            currency: "EUR".into(),
            total_cents: 2500,
        });
        for event in [placed(), updated, cancelled] {
            let message = event.to_message();
            let event_type = message.attribute(EVENT_TYPE_ATTRIBUTE).unwrap();
            assert_eq!(OrderEvent::from_message(event_type, &message.body).unwrap(), event);
        }
    }

    #[test]
    fn unreadable_messages_say_why() {
        let body = placed().to_message().body;
        let unknown = OrderEvent::from_message("OrderShipped", &body).unwrap_err();
        assert_eq!(unknown.to_string(), "`OrderShipped` is not an order event");
        let wrong_body = OrderEvent::from_message("OrderUpdated", &body).unwrap_err();
        assert!(wrong_body.to_string().starts_with("the body is not a valid OrderUpdated: missing field"));
    }
}
