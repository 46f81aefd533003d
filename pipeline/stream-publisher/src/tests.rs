//! Stream records to events, and what a batch reports when a record fails.

use std::sync::Mutex;

use order_events::{CORRELATION_ID_ATTRIBUTE, EVENT_TYPE_ATTRIBUTE, OrderLine};
use serde_json::{Value, json};

use super::*;

/// A topic that keeps what it is given, and refuses the events of one order.
#[derive(Default)]
struct RecordingTopic {
    messages: Mutex<Vec<Message>>,
    refuse_order: Option<&'static str>,
}

impl EventPublisher for RecordingTopic {
    async fn publish(&self, message: Message) -> Result<(), PublishError> {
        if self.refuse_order.is_some_and(|order_id| message.body.contains(order_id)) {
            return Err(PublishError("throttled".into()));
        }
        self.messages.lock().unwrap().push(message);
        Ok(())
    }
}

impl RecordingTopic {
    fn event_types(&self) -> Vec<String> {
        let messages = self.messages.lock().unwrap();
        messages.iter().map(|message| message.attribute(EVENT_TYPE_ATTRIBUTE).unwrap().to_owned()).collect()
    }
}

fn order(order_id: &str, quantity: u32) -> Order {
    Order {
        order_id: order_id.to_owned(),
        correlation_id: format!("corr-{order_id}"),
        customer_id: "customer-1".into(),
        customer_email: "ada@example.com".into(),
        currency: "EUR".into(),
        lines: vec![OrderLine { sku: "MUG-BLUE".into(), quantity, unit_price_cents: 1250 }],
        total_cents: u64::from(quantity) * 1250,
    }
}

fn image(order: &Order) -> Value {
    let item: Item = serde_dynamo::to_item(order).unwrap();
    serde_json::to_value(item).unwrap()
}

/// A DynamoDB stream record as Lambda delivers it.
fn record(change: &str, sequence_number: &str, new: Option<&Order>, old: Option<&Order>) -> Value {
    let order_id = new.or(old).map_or("", |order| order.order_id.as_str());
    let mut dynamodb = json!({
        "ApproximateCreationDateTime": 1_700_000_000,
        "Keys": { "order_id": { "S": order_id } },
        "SequenceNumber": sequence_number,
        "SizeBytes": 300,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    });
    if let Some(new) = new {
        dynamodb["NewImage"] = image(new);
    }
    if let Some(old) = old {
        dynamodb["OldImage"] = image(old);
    }
    json!({
        "eventID": format!("event-{sequence_number}"),
        "eventName": change,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-1",
        "dynamodb": dynamodb,
        "eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/OrdersTable/stream/2024-01-01T00:00:00.000",
    })
}

fn batch(records: &[Value]) -> Event {
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

fn parse(record: Value) -> EventRecord {
    serde_json::from_value(record).unwrap()
}

#[test]
fn insert_becomes_order_placed() {
    // Written out in DynamoDB JSON, as the stream sends it, rather than made with serde_dynamo.
    let record = parse(json!({
        "eventID": "event-1",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-1",
        "dynamodb": {
            "Keys": { "order_id": { "S": "order-1" } },
            "NewImage": {
                "order_id": { "S": "order-1" },
                "correlation_id": { "S": "corr-order-1" },
                "customer_id": { "S": "customer-1" },
                "customer_email": { "S": "ada@example.com" },
                "currency": { "S": "EUR" },
                "lines": { "L": [{ "M": {
                    "sku": { "S": "MUG-BLUE" },
                    "quantity": { "N": "2" },
                    "unit_price_cents": { "N": "1250" },
                } }] },
                "total_cents": { "N": "2500" },
            },
            "SequenceNumber": "100",
            "SizeBytes": 300,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }));
    let expected = OrderEvent::Placed(placed(order("order-1", 2)));
    assert_eq!(event_from_record(&record).unwrap(), expected);
}

#[test]
fn modify_becomes_order_updated_with_the_previous_total() {
    let record = parse(record("MODIFY", "101", Some(&order("order-1", 3)), Some(&order("order-1", 2))));
    let OrderEvent::Updated(event) = event_from_record(&record).unwrap() else {
        panic!("expected OrderUpdated")
    };
    assert_eq!((event.total_cents, event.previous_total_cents), (3750, 2500));
    assert_eq!(event.lines[0].quantity, 3);
    assert_eq!(event.correlation_id, "corr-order-1");
}

#[test]
fn remove_becomes_order_cancelled_from_the_old_image() {
    let record = parse(record("REMOVE", "102", None, Some(&order("order-1", 2))));
    let expected = OrderEvent::Cancelled(cancelled(order("order-1", 2)));
    assert_eq!(event_from_record(&record).unwrap(), expected);
}

#[test]
fn records_that_are_not_order_changes_say_why() {
    let cases = [
        (record("INSERT", "1", None, None), "the record has no NewImage"),
        (record("REMOVE", "1", Some(&order("order-1", 1)), None), "the record has no OldImage"),
        (record("MODIFY", "1", Some(&order("order-1", 1)), None), "the record has no OldImage"),
        (record("TRUNCATE", "1", Some(&order("order-1", 1)), None), "unknown change \"TRUNCATE\""),
    ];
    for (record, expected) in cases {
        assert_eq!(event_from_record(&parse(record)).unwrap_err().to_string(), expected);
    }
    let mut not_an_order = record("INSERT", "1", Some(&order("order-1", 1)), None);
    not_an_order["dynamodb"]["NewImage"]["total_cents"] = json!({ "S": "a lot" });
    let error = event_from_record(&parse(not_an_order)).unwrap_err().to_string();
    assert!(error.starts_with("the NewImage is not an order"), "{error}");
}

#[tokio::test]
async fn publishes_every_record_in_order_with_its_attributes() {
    let topic = RecordingTopic::default();
    let first = order("order-1", 1);
    let second = order("order-1", 2);
    let batch = batch(&[
        record("INSERT", "100", Some(&first), None),
        record("MODIFY", "101", Some(&second), Some(&first)),
        record("REMOVE", "102", None, Some(&second)),
    ]);
    let response = handle_batch(&topic, batch).await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(topic.event_types(), ["OrderPlaced", "OrderUpdated", "OrderCancelled"]);
    for message in topic.messages.lock().unwrap().iter() {
        assert_eq!(message.attribute(CORRELATION_ID_ATTRIBUTE), Some("corr-order-1"));
    }
}

#[tokio::test]
async fn a_failing_record_stops_the_batch_and_is_reported_by_sequence_number() {
    let topic = RecordingTopic { refuse_order: Some("order-2"), ..RecordingTopic::default() };
    let batch = batch(&[
        record("INSERT", "100", Some(&order("order-1", 1)), None),
        record("INSERT", "101", Some(&order("order-2", 1)), None),
        record("INSERT", "102", Some(&order("order-3", 1)), None),
    ]);
    let response = handle_batch(&topic, batch).await;
    let failed: Vec<_> =
        response.batch_item_failures.iter().map(|failure| failure.item_identifier.as_deref()).collect();
    assert_eq!(failed, [Some("101")]);
    // order-3 waits for the retry, so it is not published ahead of order-2.
    assert_eq!(topic.messages.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn an_unreadable_record_is_reported_too() {
    let topic = RecordingTopic::default();
    let response = handle_batch(&topic, batch(&[record("INSERT", "100", None, None)])).await;
    assert_eq!(response.batch_item_failures.len(), 1);
    assert_eq!(response.batch_item_failures[0].item_identifier.as_deref(), Some("100"));
}
