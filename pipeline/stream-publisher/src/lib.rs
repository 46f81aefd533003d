//! `StreamPublisherFunction`: turns the `OrdersTable`'s stream records into order events on the
//! `OrderEventsTopic`.
//!
//! The table's stream holds every change of an order item, in order, with the item's old and
//! new images. Each record becomes one event:
//!
//! | stream record | event | made from |
//! |---|---|---|
//! | `INSERT` | `OrderPlaced` | the new image |
//! | `MODIFY` | `OrderUpdated` | the new image, and the old one for `previous_total_cents` |
//! | `REMOVE` | `OrderCancelled` | the old image |
//!
//! The event is published with the message attributes `event_type` (which the subscriptions'
//! filter policies match) and `correlation_id`.
//!
//! Records are handled in stream order. The first record that fails stops the batch and is
//! reported as the batch item failure (by its sequence number), so Lambda retries from that
//! record on and no later change of the shard is published before it. After
//! `MaximumRetryAttempts` the batch's metadata goes to the on-failure destination, the
//! `StreamFailureQueue`.

mod sns;

use std::fmt;

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use flowdoc_annotations::{event_consumer, event_producer};
use order_events::{Message, Order, OrderCancelled, OrderEvent, OrderPlaced, OrderUpdated};
use serde_dynamo::{AttributeValue, Item};
use tracing::{Instrument, error, info, info_span};

pub use crate::sns::SnsPublisher;

/// The topic the events go to.
pub trait EventPublisher {
    /// Publishes one message; `Ok` once the topic has taken it.
    fn publish(&self, message: Message) -> impl Future<Output = Result<(), PublishError>> + Send;
}

/// The topic did not take a message.
#[derive(Debug)]
pub struct PublishError(pub String);

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the topic did not take the message: {}", self.0)
    }
}

impl std::error::Error for PublishError {}

/// An [`EventPublisher`] that logs each message instead of publishing it, a test double of
/// [`SnsPublisher`].
#[derive(Clone, Copy, Debug, Default)]
pub struct LoggingPublisher;

impl EventPublisher for LoggingPublisher {
    async fn publish(&self, message: Message) -> Result<(), PublishError> {
        info!(attributes = ?message.attributes, body = %message.body, "would publish");
        Ok(())
    }
}

/// Handles one batch of stream records: publishes their events in order and stops at the first
/// record that fails, which it reports by sequence number so that Lambda retries from there.
pub async fn handle_batch<P: EventPublisher>(publisher: &P, batch: Event) -> DynamoDbEventResponse {
    let mut response = DynamoDbEventResponse::default();
    for record in &batch.records {
        let span = info_span!(
            "record",
            correlation_id = correlation_id(record).unwrap_or("unknown"),
            change = %record.event_name,
            sequence_number = record.change.sequence_number.as_deref().unwrap_or_default(),
        );
        if let Err(error) = publish_change(publisher, record).instrument(span.clone()).await {
            let _entered = span.enter();
            error!(%error, "record failed; the batch stops here and is retried from this record");
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = record.change.sequence_number.clone();
            response.batch_item_failures.push(failure);
            break;
        }
    }
    response
}

/// Publishes the event of one change of an order item.
#[event_consumer(OrderPlaced, from = "OrdersTable")]
#[event_consumer(OrderUpdated, from = "OrdersTable")]
#[event_consumer(OrderCancelled, from = "OrdersTable")]
#[event_producer(OrderPlaced, to = env("ORDER_EVENTS_TOPIC_ARN"))]
#[event_producer(OrderUpdated, to = env("ORDER_EVENTS_TOPIC_ARN"))]
#[event_producer(OrderCancelled, to = env("ORDER_EVENTS_TOPIC_ARN"))]
pub async fn publish_change<P: EventPublisher>(
    publisher: &P,
    record: &EventRecord,
) -> Result<OrderEvent, ChangeError> {
    let event = event_from_record(record)?;
    publisher.publish(event.to_message()).await.map_err(ChangeError::Publish)?;
    info!(event_type = event.event_type(), order_id = event.order_id(), "event published");
    Ok(event)
}

/// The event a stream record stands for; see the table in the [crate] docs.
pub fn event_from_record(record: &EventRecord) -> Result<OrderEvent, ChangeError> {
    let new_image = || order_from(&record.change.new_image, "NewImage");
    let old_image = || order_from(&record.change.old_image, "OldImage");
    match record.event_name.as_str() {
        "INSERT" => Ok(OrderEvent::Placed(placed(new_image()?))),
        "MODIFY" => Ok(OrderEvent::Updated(updated(new_image()?, &old_image()?))),
        "REMOVE" => Ok(OrderEvent::Cancelled(cancelled(old_image()?))),
        other => Err(ChangeError::UnknownChange(other.to_owned())),
    }
}

/// Why a stream record could not be published.
#[derive(Debug)]
pub enum ChangeError {
    /// The record's change is not `INSERT`, `MODIFY` or `REMOVE`.
    UnknownChange(String),
    /// The record lacks the image its change needs; the stream view type must be
    /// `NEW_AND_OLD_IMAGES`.
    MissingImage(&'static str),
    /// The image is not an order.
    Image {
        /// `NewImage` or `OldImage`.
        image: &'static str,
        /// What was wrong with it.
        source: serde_dynamo::Error,
    },
    /// The topic did not take the event.
    Publish(PublishError),
}

impl fmt::Display for ChangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChangeError::UnknownChange(name) => write!(f, "unknown change {name:?}"),
            ChangeError::MissingImage(image) => write!(f, "the record has no {image}"),
            ChangeError::Image { image, source } => write!(f, "the {image} is not an order: {source}"),
            ChangeError::Publish(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for ChangeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ChangeError::Image { source, .. } => Some(source),
            ChangeError::Publish(error) => Some(error),
            ChangeError::UnknownChange(_) | ChangeError::MissingImage(_) => None,
        }
    }
}

fn order_from(image: &Item, name: &'static str) -> Result<Order, ChangeError> {
    if image.inner().is_empty() {
        return Err(ChangeError::MissingImage(name));
    }
    serde_dynamo::from_item(image.clone()).map_err(|source| ChangeError::Image { image: name, source })
}

/// The record's correlation id, read straight from its image so that even a record that does not
/// decode is logged with it.
fn correlation_id(record: &EventRecord) -> Option<&str> {
    [&record.change.new_image, &record.change.old_image].into_iter().find_map(|image| {
        match image.inner().get("correlation_id") {
            Some(AttributeValue::S(correlation_id)) => Some(correlation_id.as_str()),
            _ => None,
        }
    })
}

fn placed(order: Order) -> OrderPlaced {
    OrderPlaced {
        correlation_id: order.correlation_id,
        order_id: order.order_id,
        customer_id: order.customer_id,
        customer_email: order.customer_email,
        currency: order.currency,
        lines: order.lines,
        total_cents: order.total_cents,
    }
}

fn updated(order: Order, before: &Order) -> OrderUpdated {
    OrderUpdated {
        correlation_id: order.correlation_id,
        order_id: order.order_id,
        customer_email: order.customer_email,
        currency: order.currency,
        lines: order.lines,
        total_cents: order.total_cents,
        previous_total_cents: before.total_cents,
    }
}

fn cancelled(order: Order) -> OrderCancelled {
    OrderCancelled {
        correlation_id: order.correlation_id,
        order_id: order.order_id,
        customer_email: order.customer_email,
        currency: order.currency,
        total_cents: order.total_cents,
    }
}

#[cfg(test)]
mod tests;
