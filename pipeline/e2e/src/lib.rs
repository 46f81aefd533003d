//! The harness for running orders through the whole pipeline in process.
//!
//! [`Pipeline`] holds the four functions' handlers (the same library functions their Lambda
//! binaries call) and in-memory stand-ins for what lies between them ([`cloud`]), wired as
//! `pipeline/template.yaml` says ([`template`]): API → `OrdersTable` → stream →
//! `StreamPublisherFunction` → `OrderEventsTopic` → subscriptions (with their filter policies) →
//! queues (with visibility timeouts and redrive to their dead-letter queues) → consumers.
//!
//! Every time data moves from one template resource to the next, the pipeline records an
//! [`Observation`]: the [`Hop`] (from, to, event) and the correlation ids the data carried.
//! [`scenarios`] holds the runs the tests in `tests/` make.

pub mod cloud;
pub mod scenarios;
pub mod template;

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use aws_lambda_events::apigw::{ApiGatewayProxyRequest, ApiGatewayProxyResponse};
use aws_lambda_events::dynamodb::{self, EventRecord};
use aws_lambda_events::sqs::SqsEvent;
use fulfilment::InMemoryWarehouse;
use notifications::InMemoryOutbox;
use order_api::{OrderApi, SequentialIds};
use order_events::{CORRELATION_ID_ATTRIBUTE, EVENT_TYPE_ATTRIBUTE, Message, Order, OrderEvent};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::cloud::{Queue, StreamingTable, Topic};
use crate::template::Wiring;

/// Data moving from one template resource to another, named by logical ids.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hop {
    /// Where the data came from.
    pub from: String,
    /// Where it went.
    pub to: String,
    /// The event it was or stands for.
    pub event: String,
}

impl Hop {
    /// The hop from `from` to `to` with `event`.
    pub fn new(from: &str, to: &str, event: &str) -> Hop {
        Hop { from: from.to_owned(), to: to.to_owned(), event: event.to_owned() }
    }
}

/// One hop the run saw, with every correlation id the data carried there (the message attribute
/// and the body's field for messages, the item's field for table records).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// Where the data went.
    pub hop: Hop,
    /// The correlation ids it carried; one, unless something lost or changed it.
    pub correlation_ids: BTreeSet<String>,
}

/// The event each kind of table change stands for, as the pipeline's design has it (the stream
/// publisher's docs and flowdoc's graph say the same). The harness labels table hops with it
/// and checks the publisher against it.
pub fn event_of_change(change: &str) -> &'static str {
    match change {
        "INSERT" => "OrderPlaced",
        "MODIFY" => "OrderUpdated",
        "REMOVE" => "OrderCancelled",
        other => panic!("the table wrote a {other} record, which stands for no event"),
    }
}

/// The pipeline, in process.
#[derive(Debug)]
pub struct Pipeline {
    wiring: Wiring,
    api: OrderApi<StreamingTable, SequentialIds>,
    warehouse: InMemoryWarehouse,
    outbox: InMemoryOutbox,
    topic: Topic,
    queues: BTreeMap<String, Queue>,
    stream_position: usize,
    observations: Vec<Observation>,
    now: u64,
}

/// How many rounds [`Pipeline::run_until_idle`] takes before it decides the run is stuck.
const MAX_ROUNDS: usize = 1000;

impl Pipeline {
    /// A pipeline wired as `wiring` says, whose order ids are `order-1`, `order-2`, ... and whose
    /// warehouse has the given stock.
    pub fn new(wiring: Wiring, warehouse: InMemoryWarehouse) -> Pipeline {
        let queues = wiring
            .queues
            .iter()
            .map(|(id, settings)| (id.clone(), Queue::new(id, settings.clone())))
            .collect();
        Pipeline {
            wiring,
            api: OrderApi::new(StreamingTable::default(), SequentialIds::new("order")),
            warehouse,
            outbox: InMemoryOutbox::default(),
            topic: Topic::default(),
            queues,
            stream_position: 0,
            observations: Vec::new(),
            now: 0,
        }
    }

    /// Sends an API Gateway request to the API function, as `POST /orders` or `PUT` / `DELETE
    /// /orders/{id}`, and records the table writes it made.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        correlation_id: Option<&str>,
        body: Option<Value>,
    ) -> ApiGatewayProxyResponse {
        let (resource, path_parameters) = match path.strip_prefix("/orders/") {
            Some(order_id) => ("/orders/{id}", json!({ "id": order_id })),
            None => (path, Value::Null),
        };
        let headers = correlation_id.map_or_else(|| json!({}), |id| json!({ "x-correlation-id": id }));
        let request: ApiGatewayProxyRequest = serde_json::from_value(json!({
            "resource": resource,
            "path": path,
            "httpMethod": method,
            "headers": headers,
            "pathParameters": path_parameters,
            "requestContext": { "httpMethod": method, "requestId": "apigw-request", "stage": "Prod" },
            "body": body.map(|body| body.to_string()),
        }))
        .expect("the harness builds valid API Gateway requests");
        let written_from = self.table().stream_from(0).len();
        let response = self.api.handle(request).await;
        for record in self.table().stream_from(written_from) {
            let hop = Hop::new(
                &self.wiring.api_function,
                &self.wiring.stream.source,
                event_of_change(&record.event_name),
            );
            self.observe(hop, correlation_ids_of_record(&record));
        }
        response
    }

    /// Moves everything along until nothing is left to deliver: stream records to the publisher,
    /// published messages through the subscriptions to the queues, queued messages to their
    /// functions. When only hidden messages are left, time jumps to the next visibility timeout's
    /// end, so failing messages are received again until their queue's redrive moves them.
    pub async fn run_until_idle(&mut self) {
        for _ in 0..MAX_ROUNDS {
            let streamed = self.deliver_stream().await;
            let fanned_out = self.fan_out();
            let polled = self.poll_queues().await;
            if !(streamed || fanned_out || polled) {
                let next = self.queues.values().filter_map(|queue| queue.next_visible_at(self.now)).min();
                match next {
                    Some(next) => self.now = next,
                    None => return,
                }
            }
        }
        panic!("the pipeline was still busy after {MAX_ROUNDS} rounds");
    }

    /// The stream's new records, in batches of the trigger's size, through the stream publisher.
    async fn deliver_stream(&mut self) -> bool {
        let records = self.table().stream_from(self.stream_position);
        self.stream_position += records.len();
        let stream = self.wiring.stream.clone();
        for chunk in records.chunks(stream.batch_size) {
            for record in chunk {
                let hop = Hop::new(&stream.source, &stream.function, event_of_change(&record.event_name));
                self.observe(hop, correlation_ids_of_record(record));
            }
            let mut batch = dynamodb::Event::default();
            batch.records = chunk.to_vec();
            let response = match stream.function.as_str() {
                "StreamPublisherFunction" => stream_publisher::handle_batch(&self.topic, batch).await,
                other => panic!("the template triggers {other} from the stream; the harness cannot run it"),
            };
            assert!(
                response.batch_item_failures.is_empty(),
                "the stream publisher failed records: {:?}",
                response.batch_item_failures
            );
        }
        !records.is_empty()
    }

    /// Every published message to the queues whose subscriptions accept it.
    fn fan_out(&mut self) -> bool {
        let messages = self.topic.take();
        for message in &messages {
            let (event_type, event) = (message.attribute(EVENT_TYPE_ATTRIBUTE), event_name(message));
            let correlation_ids = correlation_ids_of_message(message);
            let published = Hop::new(&self.wiring.stream.function, &self.wiring.topic, event);
            self.observe(published, correlation_ids.clone());
            let (subscriptions, now) = (self.wiring.subscriptions.clone(), self.now);
            for subscription in subscriptions.iter().filter(|subscription| subscription.accepts(event_type)) {
                self.queue_mut(&subscription.queue).send(message.clone(), now);
                self.observe(
                    Hop::new(&self.wiring.topic, &subscription.queue, event),
                    correlation_ids.clone(),
                );
            }
        }
        !messages.is_empty()
    }

    /// One batch from every queue that triggers a function; the handled messages are deleted and
    /// the ones that have used up their receives move to the dead-letter queue.
    async fn poll_queues(&mut self) -> bool {
        let (mut moved, now) = (false, self.now);
        for trigger in self.wiring.queue_triggers.clone() {
            let received = self.queue_mut(&trigger.source).receive(trigger.batch_size, now);
            for dead_letter in received.dead_letters {
                let redrive = self
                    .wiring
                    .queue(&trigger.source)
                    .redrive
                    .clone()
                    .expect("only a redrive takes messages out");
                let hop =
                    Hop::new(&trigger.source, &redrive.dead_letter_queue, event_name(&dead_letter.message));
                self.observe(hop, correlation_ids_of_message(&dead_letter.message));
                self.queue_mut(&redrive.dead_letter_queue).send_dead_letter(dead_letter, now);
                moved = true;
            }
            if received.messages.is_empty() {
                continue;
            }
            for message in &received.messages {
                let hop = Hop::new(&trigger.source, &trigger.function, event_name(&message.message));
                self.observe(hop, correlation_ids_of_message(&message.message));
            }
            let mut batch = SqsEvent::default();
            batch.records = received.messages.iter().map(|message| message.to_sqs()).collect();
            let response = match trigger.function.as_str() {
                "FulfilmentFunction" => fulfilment::handle_batch(&self.warehouse, batch).await,
                "NotificationsFunction" => notifications::handle_batch(&self.outbox, batch).await,
                other => panic!("the template triggers {other} from a queue; the harness cannot run it"),
            };
            let failed: BTreeSet<&str> =
                response.batch_item_failures.iter().map(|failure| failure.item_identifier.as_str()).collect();
            let queue = self.queue_mut(&trigger.source);
            for message in
                received.messages.iter().filter(|message| !failed.contains(message.message_id.as_str()))
            {
                queue.delete(&message.message_id);
            }
            moved = true;
        }
        moved
    }

    fn observe(&mut self, hop: Hop, correlation_ids: BTreeSet<String>) {
        self.observations.push(Observation { hop, correlation_ids });
    }

    fn queue_mut(&mut self, id: &str) -> &mut Queue {
        self.queues.get_mut(id).unwrap_or_else(|| panic!("the template has no queue {id}"))
    }

    /// The wiring the pipeline was built with.
    pub fn wiring(&self) -> &Wiring {
        &self.wiring
    }

    /// Everything the run saw, in the order it happened.
    pub fn observations(&self) -> &[Observation] {
        &self.observations
    }

    /// The hops the run saw, sorted, each once.
    pub fn hops(&self) -> BTreeSet<Hop> {
        self.observations.iter().map(|observation| observation.hop.clone()).collect()
    }

    /// The orders table.
    pub fn table(&self) -> &StreamingTable {
        self.api.store()
    }

    /// The queue with this logical id.
    pub fn queue(&self, id: &str) -> &Queue {
        self.queues.get(id).unwrap_or_else(|| panic!("the template has no queue {id}"))
    }

    /// The fulfilment function's warehouse.
    pub fn warehouse(&self) -> &InMemoryWarehouse {
        &self.warehouse
    }

    /// The notifications the notifications function sent.
    pub fn outbox(&self) -> &InMemoryOutbox {
        &self.outbox
    }
}

fn event_name(message: &Message) -> &str {
    message.attribute(EVENT_TYPE_ATTRIBUTE).unwrap_or("(no event_type)")
}

/// The correlation ids of the order in a stream record's images.
fn correlation_ids_of_record(record: &EventRecord) -> BTreeSet<String> {
    [&record.change.new_image, &record.change.old_image]
        .into_iter()
        .filter(|image| !image.inner().is_empty())
        .map(|image| match serde_dynamo::from_item::<_, Order>(image.clone()) {
            Ok(order) => order.correlation_id,
            Err(error) => format!("(the image is not an order: {error})"),
        })
        .collect()
}

/// The message's `correlation_id` attribute and the correlation id in its body.
fn correlation_ids_of_message(message: &Message) -> BTreeSet<String> {
    let attribute = message.attribute(CORRELATION_ID_ATTRIBUTE).unwrap_or("(no correlation_id attribute)");
    let body = match OrderEvent::from_message(event_name(message), &message.body) {
        Ok(event) => event.correlation_id().to_owned(),
        Err(error) => format!("(unreadable body: {error})"),
    };
    BTreeSet::from([attribute.to_owned(), body])
}

/// A log destination in memory, for checking what the functions log.
#[derive(Clone, Debug, Default)]
pub struct LogCapture {
    bytes: Arc<Mutex<Vec<u8>>>,
}

impl LogCapture {
    /// The lines logged so far, each parsed as JSON.
    pub fn lines(&self) -> Vec<Value> {
        let bytes = self.bytes.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|error| panic!("log line {line:?} is not JSON: {error}"))
            })
            .collect()
    }
}

impl io::Write for LogCapture {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.bytes.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
