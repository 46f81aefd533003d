//! The consumers' end of the queues: reading order events out of an SQS batch and reporting the
//! messages that failed, so that only those are received again.
//!
//! The topic's subscriptions use raw message delivery, so a message's body is the event's JSON
//! and its SQS message attributes are the SNS message attributes the publisher set.

use std::fmt::Display;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage, SqsMessageAttribute};
use tracing::{Instrument, error, info, info_span};

use crate::{CORRELATION_ID_ATTRIBUTE, DecodeError, EVENT_TYPE_ATTRIBUTE, Message, OrderEvent};

/// The value of the string message attribute `name`, if the message has it.
pub fn attribute<'a>(message: &'a SqsMessage, name: &str) -> Option<&'a str> {
    message.message_attributes.get(name)?.string_value.as_deref()
}

/// The SQS message that a raw-delivery subscription makes of a topic message: the same body, and
/// each attribute as a `String` message attribute.
pub fn raw_delivery(message: &Message, message_id: &str) -> SqsMessage {
    let mut delivered = SqsMessage::default();
    delivered.message_id = Some(message_id.to_owned());
    delivered.receipt_handle = Some(format!("receipt-{message_id}"));
    delivered.body = Some(message.body.clone());
    delivered.event_source = Some("aws:sqs".to_owned());
    for (name, value) in &message.attributes {
        let mut attribute = SqsMessageAttribute::default();
        attribute.data_type = Some("String".to_owned());
        attribute.string_value = Some(value.clone());
        delivered.message_attributes.insert(name.clone(), attribute);
    }
    delivered
}

/// Reads the order event an SQS message carries.
pub fn decode(message: &SqsMessage) -> Result<OrderEvent, DecodeError> {
    let event_type = attribute(message, EVENT_TYPE_ATTRIBUTE).ok_or(DecodeError::MissingEventType)?;
    OrderEvent::from_message(event_type, message.body.as_deref().unwrap_or_default())
}

/// Runs `handle` on the event of every message of the batch, each inside a span that carries the
/// message's correlation id, and returns the ids of the messages that failed (unreadable, or
/// `handle` returned an error) for the `ReportBatchItemFailures` response.
///
/// The messages that succeeded are deleted from the queue by Lambda; the failed ones become
/// visible again after the queue's visibility timeout and, after `maxReceiveCount` receives, move
/// to the queue's dead-letter queue.
pub async fn process_batch<F, Fut, E>(batch: SqsEvent, mut handle: F) -> SqsBatchResponse
where
    F: FnMut(OrderEvent) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: Display,
{
    let mut response = SqsBatchResponse::default();
    for message in batch.records {
        // Lambda always sets the id; were it missing, reporting "" fails the whole batch, which
        // is the safe way to fail.
        let message_id = message.message_id.clone().unwrap_or_default();
        let span = info_span!(
            "message",
            correlation_id = attribute(&message, CORRELATION_ID_ATTRIBUTE).unwrap_or("unknown"),
            event_type = attribute(&message, EVENT_TYPE_ATTRIBUTE).unwrap_or("unknown"),
            message_id = %message_id,
        );
        let outcome = match decode(&message) {
            Ok(event) => handle(event).instrument(span.clone()).await.map_err(|error| error.to_string()),
            Err(error) => Err(error.to_string()),
        };
        let _entered = span.enter();
        match outcome {
            Ok(()) => info!("message handled"),
            Err(error) => {
                error!(%error, "message failed; it will be received again");
                response.add_failure(message_id);
            }
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OrderCancelled;

    fn cancelled(order_id: &str) -> OrderEvent {
        OrderEvent::Cancelled(OrderCancelled {
            correlation_id: format!("corr-{order_id}"),
            order_id: order_id.to_owned(),
            customer_email: "ada@example.com".into(),
            currency: "EUR".into(),
            total_cents: 100,
        })
    }

    fn batch(messages: Vec<SqsMessage>) -> SqsEvent {
        let mut batch = SqsEvent::default();
        batch.records = messages;
        batch
    }

    fn failed_ids(response: &SqsBatchResponse) -> Vec<&str> {
        response.batch_item_failures.iter().map(|failure| failure.item_identifier.as_str()).collect()
    }

    #[test]
    fn decodes_a_message_as_lambda_delivers_it() {
        let event = cancelled("order-1");
        let message: SqsMessage = serde_json::from_value(serde_json::json!({
            "messageId": "m-1",
            "receiptHandle": "receipt-m-1",
            "body": event.to_message().body,
            "attributes": { "ApproximateReceiveCount": "1" },
            "messageAttributes": {
                "event_type": { "stringValue": "OrderCancelled", "dataType": "String" },
                "correlation_id": { "stringValue": "corr-order-1", "dataType": "String" },
            },
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:FulfilmentQueue",
            "awsRegion": "eu-west-1",
        }))
        .unwrap();
        assert_eq!(decode(&message).unwrap(), event);
        assert_eq!(attribute(&message, CORRELATION_ID_ATTRIBUTE), Some("corr-order-1"));
    }

    #[test]
    fn raw_delivery_keeps_body_and_attributes() {
        let message = cancelled("order-1").to_message();
        let delivered = raw_delivery(&message, "m-1");
        assert_eq!(delivered.body.as_deref(), Some(message.body.as_str()));
        assert_eq!(attribute(&delivered, EVENT_TYPE_ATTRIBUTE), Some("OrderCancelled"));
        assert_eq!(attribute(&delivered, CORRELATION_ID_ATTRIBUTE), Some("corr-order-1"));
    }

    #[tokio::test]
    async fn reports_only_the_messages_that_failed() {
        let messages = ["order-1", "order-2", "order-3"]
            .iter()
            .enumerate()
            .map(|(index, order_id)| {
                raw_delivery(&cancelled(order_id).to_message(), &format!("m-{}", index + 1))
            })
            .collect();
        let mut handled = Vec::new();
        let response = process_batch(batch(messages), |event| {
            handled.push(event.order_id().to_owned());
            let outcome = if event.order_id() == "order-2" { Err("warehouse unavailable") } else { Ok(()) };
            async move { outcome }
        })
        .await;
        assert_eq!(handled, ["order-1", "order-2", "order-3"]);
        assert_eq!(failed_ids(&response), ["m-2"]);
    }

    #[tokio::test]
    async fn unreadable_messages_fail_without_reaching_the_handler() {
        let message = cancelled("order-1").to_message();
        let mut unknown = raw_delivery(&message, "m-1");
        unknown.message_attributes.get_mut(EVENT_TYPE_ATTRIBUTE).unwrap().string_value =
            Some("OrderShipped".into());
        let mut bad_body = raw_delivery(&message, "m-2");
        bad_body.body = Some("{}".into());
        let mut no_type = raw_delivery(&message, "m-3");
        no_type.message_attributes.clear();
        let mut reached = 0;
        let response = process_batch(batch(vec![unknown, bad_body, no_type]), |_| {
            reached += 1;
            async { Ok::<(), String>(()) }
        })
        .await;
        assert_eq!(reached, 0);
        assert_eq!(failed_ids(&response), ["m-1", "m-2", "m-3"]);
    }
}
