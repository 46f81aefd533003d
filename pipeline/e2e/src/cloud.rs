//! In-memory stand-ins for the AWS parts between the functions: a table with a stream, a topic,
//! and queues with receive counts, visibility timeouts and redrive.
//!
//! Each keeps the behaviour the pipeline relies on and nothing else. Time is a number of seconds
//! that the caller passes in, so that runs are deterministic.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use aws_lambda_events::dynamodb::{EventRecord, StreamViewType};
use aws_lambda_events::sqs::SqsMessage;
use order_api::{OrderStore, StoreError};
use order_events::{Message, Order};
use serde_dynamo::Item;
use stream_publisher::{EventPublisher, PublishError};

use crate::template::QueueSettings;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The harness runs one task at a time; a poisoned lock only means an assertion failed.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The orders table: an [`OrderStore`] whose writes append records to its stream, as a table
/// with a `NEW_AND_OLD_IMAGES` stream does.
#[derive(Debug, Default)]
pub struct StreamingTable {
    state: Mutex<TableState>,
}

#[derive(Debug, Default)]
struct TableState {
    items: BTreeMap<String, Order>,
    stream: Vec<EventRecord>,
}

impl StreamingTable {
    /// The item with this id, if there is one.
    pub fn item(&self, order_id: &str) -> Option<Order> {
        lock(&self.state).items.get(order_id).cloned()
    }

    /// The stream's records from position `start` on; positions count from 0 and never change.
    pub fn stream_from(&self, start: usize) -> Vec<EventRecord> {
        lock(&self.state).stream.get(start..).unwrap_or_default().to_vec()
    }

    fn append(state: &mut TableState, change: &str, new: Option<&Order>, old: Option<&Order>) {
        let sequence_number = format!("{:021}", state.stream.len() + 1);
        let image = |order: Option<&Order>| -> Item {
            order
                .map(|order| serde_dynamo::to_item(order).expect("an order is a DynamoDB item"))
                .unwrap_or_default()
        };
        let mut record = EventRecord::default();
        record.event_id = format!("event-{sequence_number}");
        record.event_name = change.to_owned();
        record.event_source = Some("aws:dynamodb".to_owned());
        let mut keys = image(new.or(old)).into_inner();
        keys.retain(|attribute, _| attribute == "order_id");
        record.change.keys = keys.into();
        record.change.new_image = image(new);
        record.change.old_image = image(old);
        record.change.sequence_number = Some(sequence_number);
        record.change.stream_view_type = Some(StreamViewType::NewAndOldImages);
        state.stream.push(record);
    }
}

impl OrderStore for StreamingTable {
    async fn get(&self, order_id: &str) -> Result<Option<Order>, StoreError> {
        Ok(self.item(order_id))
    }

    async fn insert(&self, order: Order) -> Result<bool, StoreError> {
        let mut state = lock(&self.state);
        if state.items.contains_key(&order.order_id) {
            return Ok(false);
        }
        state.items.insert(order.order_id.clone(), order.clone());
        StreamingTable::append(&mut state, "INSERT", Some(&order), None);
        Ok(true)
    }

    async fn replace(&self, order: Order) -> Result<bool, StoreError> {
        let mut state = lock(&self.state);
        if !state.items.contains_key(&order.order_id) {
            return Ok(false);
        }
        let old = state.items.insert(order.order_id.clone(), order.clone());
        StreamingTable::append(&mut state, "MODIFY", Some(&order), old.as_ref());
        Ok(true)
    }

    async fn delete(&self, order_id: &str) -> Result<Option<Order>, StoreError> {
        let mut state = lock(&self.state);
        let old = state.items.remove(order_id);
        if let Some(old) = &old {
            StreamingTable::append(&mut state, "REMOVE", None, Some(old));
        }
        Ok(old)
    }
}

/// The topic as the publisher sees it: it takes messages, and the harness fans them out.
#[derive(Debug, Default)]
pub struct Topic {
    published: Mutex<Vec<Message>>,
}

impl Topic {
    /// The messages published since the last call, oldest first.
    pub fn take(&self) -> Vec<Message> {
        std::mem::take(&mut *lock(&self.published))
    }
}

impl EventPublisher for Topic {
    async fn publish(&self, message: Message) -> Result<(), PublishError> {
        lock(&self.published).push(message);
        Ok(())
    }
}

/// A message in a queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedMessage {
    /// The id the queue gave it.
    pub message_id: String,
    /// What the topic delivered.
    pub message: Message,
    /// How many times it has been received.
    pub receive_count: u32,
    /// When it can be received (again).
    visible_at: u64,
}

impl QueuedMessage {
    /// The message as Lambda hands it to a function.
    pub fn to_sqs(&self) -> SqsMessage {
        let mut delivered = order_events::sqs::raw_delivery(&self.message, &self.message_id);
        delivered.attributes.insert("ApproximateReceiveCount".to_owned(), self.receive_count.to_string());
        delivered
    }
}

/// A standard SQS queue.
#[derive(Debug)]
pub struct Queue {
    id: String,
    settings: QueueSettings,
    messages: Vec<QueuedMessage>,
    sent: usize,
}

/// What one receive did.
#[derive(Debug, Default)]
pub struct Received {
    /// The messages received, now invisible for the visibility timeout.
    pub messages: Vec<QueuedMessage>,
    /// The messages that had been received `maxReceiveCount` times and were taken out for the
    /// dead-letter queue instead.
    pub dead_letters: Vec<QueuedMessage>,
}

impl Queue {
    /// An empty queue with the template's settings.
    pub fn new(id: &str, settings: QueueSettings) -> Queue {
        Queue { id: id.to_owned(), settings, messages: Vec::new(), sent: 0 }
    }

    /// The messages in the queue, visible or not, oldest first.
    pub fn messages(&self) -> &[QueuedMessage] {
        &self.messages
    }

    /// Adds a message, visible at once.
    pub fn send(&mut self, message: Message, now: u64) {
        self.sent += 1;
        let message_id = format!("{}-{}", self.id, self.sent);
        self.messages.push(QueuedMessage { message_id, message, receive_count: 0, visible_at: now });
    }

    /// Adds a message from another queue's redrive, keeping its receive count.
    pub fn send_dead_letter(&mut self, mut message: QueuedMessage, now: u64) {
        message.visible_at = now;
        self.messages.push(message);
    }

    /// Receives up to `max` visible messages, oldest first, as Lambda's poller does. Each counts as
    /// a receive and hides the message for the visibility timeout. A message that was already
    /// received `maxReceiveCount` times is not received but taken out for the dead-letter queue.
    pub fn receive(&mut self, max: usize, now: u64) -> Received {
        let mut received = Received::default();
        let redrive_after = self.settings.redrive.as_ref().map(|redrive| redrive.max_receive_count);
        let mut index = 0;
        while index < self.messages.len() && received.messages.len() < max {
            let message = &mut self.messages[index];
            if message.visible_at > now {
                index += 1;
            } else if redrive_after
                .is_some_and(|max_receive_count| message.receive_count >= max_receive_count)
            {
                received.dead_letters.push(self.messages.remove(index));
            } else {
                message.receive_count += 1;
                message.visible_at = now + self.settings.visibility_timeout;
                received.messages.push(message.clone());
                index += 1;
            }
        }
        received
    }

    /// Deletes a received message, as Lambda does for the messages a function handled.
    pub fn delete(&mut self, message_id: &str) {
        self.messages.retain(|message| message.message_id != message_id);
    }

    /// When the next hidden message becomes visible again, if any is hidden.
    pub fn next_visible_at(&self, now: u64) -> Option<u64> {
        self.messages.iter().map(|message| message.visible_at).filter(|at| *at > now).min()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::template::Redrive;

    fn message(body: &str) -> Message {
        Message { body: body.to_owned(), attributes: BTreeMap::new() }
    }

    fn queue(max_receive_count: u32) -> Queue {
        let redrive = Redrive { dead_letter_queue: "Dlq".into(), max_receive_count };
        Queue::new("Work", QueueSettings { visibility_timeout: 60, redrive: Some(redrive) })
    }

    #[test]
    fn received_messages_hide_for_the_visibility_timeout() {
        let mut queue = queue(5);
        queue.send(message("a"), 0);
        queue.send(message("b"), 0);
        let first = queue.receive(1, 0);
        assert_eq!(first.messages[0].message.body, "a");
        assert_eq!(queue.receive(10, 59).messages.len(), 1, "only b is visible");
        assert_eq!(queue.next_visible_at(59), Some(60));
        let again = queue.receive(10, 60);
        assert_eq!((again.messages[0].message_id.as_str(), again.messages[0].receive_count), ("Work-1", 2));
        queue.delete("Work-1");
        assert_eq!(queue.messages().len(), 1);
    }

    #[test]
    fn a_message_received_max_receive_count_times_is_taken_out_on_the_next_receive() {
        let mut queue = queue(2);
        queue.send(message("poison"), 0);
        assert_eq!(queue.receive(10, 0).messages.len(), 1);
        assert_eq!(queue.receive(10, 60).messages.len(), 1);
        let third = queue.receive(10, 120);
        assert!(third.messages.is_empty());
        assert_eq!(third.dead_letters[0].receive_count, 2);
        assert!(queue.messages().is_empty());
    }

    #[tokio::test]
    async fn table_writes_become_stream_records() {
        let table = StreamingTable::default();
        let order = Order {
            order_id: "order-1".into(),
            correlation_id: "corr-1".into(),
            customer_id: "customer-1".into(),
            customer_email: "ada@example.com".into(),
            currency: "EUR".into(),
            lines: Vec::new(),
            total_cents: 0,
        };
        assert!(!table.replace(order.clone()).await.unwrap());
        assert!(table.insert(order.clone()).await.unwrap());
        assert!(!table.insert(order.clone()).await.unwrap());
        assert!(table.replace(order.clone()).await.unwrap());
        table.delete("order-1").await.unwrap();
        assert_eq!(table.delete("order-1").await.unwrap(), None);
        let records = table.stream_from(0);
        let changes: Vec<_> = records.iter().map(|record| record.event_name.as_str()).collect();
        assert_eq!(changes, ["INSERT", "MODIFY", "REMOVE"]);
        assert!(records[0].change.old_image.inner().is_empty());
        assert!(records[2].change.new_image.inner().is_empty());
        assert_eq!(records[2].change.keys.inner().len(), 1);
        assert_eq!(table.stream_from(1).len(), 2);
        assert_eq!(records[1].change.sequence_number.as_deref(), Some("000000000000000000002"));
    }
}
