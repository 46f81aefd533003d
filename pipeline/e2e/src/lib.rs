//! The harness that runs orders through the whole pipeline against an AWS emulator.
//!
//! [`Pipeline::deploy`] creates the template's table, queues, topic and subscriptions in moto's
//! server mode with the template's own properties ([`template`], [`deploy`]), and builds the four
//! functions as their Lambda binaries do: the same library handlers and the same AWS SDK
//! adapters, configured from the environment variables the template sets. The AWS services are
//! the emulator's: the table writes its stream, SNS applies the subscriptions' filter policies,
//! SQS counts receives and moves a message to its dead-letter queue after `maxReceiveCount`.
//!
//! The harness plays the part Lambda plays: API Gateway's request to the API function, and the
//! event source mappings ([`Pipeline::run_until_idle`]): stream records in batches to the
//! publisher, with retries from the reported batch item failure and the on-failure destination
//! once `MaximumRetryAttempts` are used up; queue messages in batches to the consumers, deleting
//! the handled ones and leaving the reported failures to be received again. One liberty: a
//! failed message is made visible again at once rather than after the queue's visibility timeout
//! (60 s), which the emulator's clock would make the tests wait out.
//!
//! Every time data moves from one template resource to the next, the harness records an
//! [`Observation`]: the [`Hop`] and the correlation ids the data carried. It sees what each
//! invocation wrote to the table through a second reader of the table's stream, and what it
//! published through a queue of its own subscribed to each topic without a filter.

pub mod deploy;
pub mod mail;
pub mod moto;
pub mod payloads;
pub mod scenarios;
pub mod streams;
pub mod template;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use crate::moto::{Moto, REGION};
use aws_config::SdkConfig;
use aws_lambda_events::apigw::ApiGatewayProxyResponse;
use aws_lambda_events::dynamodb;
use aws_lambda_events::sqs::SqsEvent;
use aws_sdk_dynamodbstreams::types::Record;
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, Message, MessageSystemAttributeName};
use fulfilment::DynamoWarehouse;
use notifications::SesNotifier;
use order_api::{DynamoOrderStore, OrderApi, SequentialIds};
use order_events::{CORRELATION_ID_ATTRIBUTE, EVENT_TYPE_ATTRIBUTE, Order, OrderEvent};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use stream_publisher::SnsPublisher;

use crate::deploy::Deployment;
pub use crate::mail::Mail;
use crate::streams::StreamReader;
use crate::template::{QueueTrigger, Wiring};

/// Data moving from one template resource to another, named by logical ids.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hop {
    /// Where the data came from.
    pub from: String,
    /// Where it went.
    pub to: String,
    /// The event it was or stands for; `None` for an API request, which is not an event.
    pub event: Option<String>,
}

impl Hop {
    /// The hop from `from` to `to` with `event`.
    pub fn new(from: &str, to: &str, event: &str) -> Hop {
        Hop { from: from.to_owned(), to: to.to_owned(), event: Some(event.to_owned()) }
    }

    /// A hop that carries no event, such as a request.
    pub fn request(from: &str, to: &str) -> Hop {
        Hop { from: from.to_owned(), to: to.to_owned(), event: None }
    }
}

/// One hop the run saw, with every correlation id the data carried there (the message attribute
/// and the body's field for messages, the item's field for table records, the header for a
/// request).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// Where the data went.
    pub hop: Hop,
    /// The correlation ids it carried; one, unless something lost or changed it.
    pub correlation_ids: BTreeSet<String>,
}

/// A message the harness found in a dead-letter queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetter {
    /// The queue whose redrive put it there.
    pub source: String,
    /// How many times the source queue had handed it out.
    pub receive_count: u32,
    /// Its body.
    pub body: String,
    /// Its string message attributes.
    pub attributes: BTreeMap<String, String>,
}

/// The event each kind of table change stands for, as the pipeline's design has it (the stream
/// publisher's docs and flowdoc's graph say the same). The harness labels table hops with it.
pub fn event_of_change(change: &str) -> &'static str {
    match change {
        "INSERT" => "OrderPlaced",
        "MODIFY" => "OrderUpdated",
        "REMOVE" => "OrderCancelled",
        other => panic!("the table wrote a {other} record, which stands for no event"),
    }
}

/// What a deployment needs besides the template: the parameters' values, and the external
/// resources they name, which the operator provides.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    /// A value for every parameter of the template.
    pub parameters: BTreeMap<String, String>,
}

/// The functions, built as their binaries build them.
#[derive(Debug)]
struct Functions {
    api: OrderApi<DynamoOrderStore, SequentialIds>,
    publisher: SnsPublisher,
    warehouse: DynamoWarehouse,
    notifier: SesNotifier,
}

/// The stream's event source mapping: the records it has read and not yet got past.
#[derive(Debug)]
struct StreamMapping {
    reader: StreamReader,
    pending: BTreeMap<String, VecDeque<Record>>,
}

/// The pipeline, deployed in the emulator.
#[derive(Debug)]
pub struct Pipeline {
    wiring: Wiring,
    deployment: Deployment,
    sqs: aws_sdk_sqs::Client,
    functions: Functions,
    mapping: StreamMapping,
    table_watch: StreamReader,
    /// The harness's own queue on each topic, by topic.
    taps: BTreeMap<String, String>,
    dead_letters: BTreeMap<String, Vec<DeadLetter>>,
    observations: Vec<Observation>,
    invocations: u32,
    config: SdkConfig,
    // Last, so the emulator outlives the clients that talk to it.
    moto: Moto,
}

/// How many rounds [`Pipeline::run_until_idle`] takes before it decides the run is stuck.
const MAX_ROUNDS: usize = 1000;

/// The most messages one `ReceiveMessage` returns.
const SQS_RECEIVE_LIMIT: usize = 10;

impl Pipeline {
    /// Deploys the template `wiring` was read from in `moto`, with `environment`'s parameter
    /// values, and builds the functions from the environment variables the template gives them.
    /// Order ids are `order-1`, `order-2`, ...
    pub async fn deploy(moto: Moto, wiring: Wiring, environment: Environment, stack: &str) -> Pipeline {
        let config = moto.sdk_config();
        let deployment = Deployment::create(&config, &wiring, stack, environment.parameters)
            .await
            .unwrap_or_else(|error| panic!("cannot deploy the template: {error}"));
        let functions = build_functions(&config, &wiring, &deployment);
        let sqs = aws_sdk_sqs::Client::new(&config);
        let taps = tap_topics(&config, &wiring, &deployment).await;
        let streams = aws_sdk_dynamodbstreams::Client::new(&config);
        let stream_arn = deployment
            .table(&wiring.stream.source)
            .stream_arn
            .clone()
            .unwrap_or_else(|| panic!("{} triggers a function but has no stream", wiring.stream.source));
        let mapping = StreamMapping {
            reader: StreamReader::new(streams.clone(), &stream_arn, &wiring.stream.starting_position),
            pending: BTreeMap::new(),
        };
        let table_watch = StreamReader::new(streams, &stream_arn, "TRIM_HORIZON");
        Pipeline {
            wiring,
            deployment,
            sqs,
            functions,
            mapping,
            table_watch,
            taps,
            dead_letters: BTreeMap::new(),
            observations: Vec::new(),
            invocations: 0,
            config,
            moto,
        }
    }

    /// Sends API Gateway's request to the API function, as `POST /orders` or `PUT` / `DELETE
    /// /orders/{id}`, and records what it wrote.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        correlation_id: Option<&str>,
        body: Option<Value>,
    ) -> ApiGatewayProxyResponse {
        let request = payloads::api_request(method, path, correlation_id, body.as_ref());
        let (api, function) = (self.wiring.api.api.clone(), self.wiring.api.function.clone());
        self.observe(Hop::request(&api, &function), correlation_id.into_iter().map(str::to_owned).collect());
        let response = self.functions.api.handle(request).await;
        self.invocations += 1;
        self.after_invocation(&function).await;
        response
    }

    /// Moves everything along until nothing is left to deliver: stream records to the publisher,
    /// queued messages to their functions, messages a queue's redrive moved to its dead-letter
    /// queue into [`Pipeline::dead_letters`].
    pub async fn run_until_idle(&mut self) {
        for _ in 0..MAX_ROUNDS {
            let mut moved = self.deliver_stream().await;
            for trigger in self.wiring.queue_triggers.clone() {
                moved |= self.poll_queue(&trigger).await;
            }
            moved |= self.collect_dead_letters().await;
            if !moved {
                return;
            }
        }
        panic!("the pipeline was still busy after {MAX_ROUNDS} rounds");
    }

    /// The stream's event source mapping: each shard's records in batches of the trigger's size,
    /// in order. A reported batch item failure checkpoints the records before it and retries from
    /// it (which is what `BisectBatchOnFunctionError` does with a reported failure); once the
    /// retries are used up, the rest of the batch goes to the on-failure destination and the
    /// shard moves on.
    async fn deliver_stream(&mut self) -> bool {
        let new = self.mapping.reader.read_new().await.unwrap_or_else(|error| panic!("{error}"));
        for (shard, record) in new {
            self.mapping.pending.entry(shard).or_default().push_back(record);
        }
        let trigger = self.wiring.stream.clone();
        let stream_arn = self.mapping.reader.stream_arn().to_owned();
        let mut moved = false;
        for shard in self.mapping.pending.keys().cloned().collect::<Vec<_>>() {
            let mut attempts = 0;
            loop {
                let pending = self.mapping.pending.get_mut(&shard).expect("the shard has a queue");
                if pending.is_empty() {
                    break;
                }
                let batch: Vec<Record> = pending.iter().take(trigger.batch_size).cloned().collect();
                moved = true;
                for record in &batch {
                    let event = event_of_change(record_change(record));
                    self.observe(
                        Hop::new(&trigger.source, &trigger.function, event),
                        correlation_ids_of_record(record),
                    );
                }
                let mut event = dynamodb::Event::default();
                event.records =
                    batch.iter().map(|record| payloads::stream_record(record, &stream_arn)).collect();
                let response = match trigger.function.as_str() {
                    "StreamPublisherFunction" => {
                        stream_publisher::handle_batch(&self.functions.publisher, event).await
                    }
                    other => {
                        panic!("the template triggers {other} from the stream; the harness cannot run it")
                    }
                };
                self.invocations += 1;
                attempts += 1;
                self.after_invocation(&trigger.function).await;
                let failed_at = if trigger.report_batch_item_failures {
                    response
                        .batch_item_failures
                        .iter()
                        .map(|failure| {
                            let identifier = failure.item_identifier.as_deref().unwrap_or_default();
                            // An identifier that is not in the batch fails all of it.
                            batch
                                .iter()
                                .position(|record| payloads::sequence_number(record) == identifier)
                                .unwrap_or(0)
                        })
                        .min()
                } else {
                    None
                };
                let pending = self.mapping.pending.get_mut(&shard).expect("the shard has a queue");
                let Some(failed_at) = failed_at else {
                    pending.drain(..batch.len());
                    attempts = 0;
                    continue;
                };
                pending.drain(..failed_at);
                let retries = attempts - 1;
                assert!(
                    usize::try_from(retries).is_ok_and(|retries| retries < MAX_ROUNDS),
                    "{} kept failing stream records {MAX_ROUNDS} times; without MaximumRetryAttempts Lambda \
                     retries until they expire",
                    trigger.function
                );
                if trigger.maximum_retry_attempts.is_some_and(|maximum| retries >= maximum) {
                    let failed: Vec<Record> = pending.drain(..batch.len() - failed_at).collect();
                    self.stream_batch_failed(&shard, &failed, attempts).await;
                    attempts = 0;
                }
            }
        }
        moved
    }

    /// Sends the on-failure destination the record of a batch that failed every retry.
    async fn stream_batch_failed(&mut self, shard: &str, records: &[Record], invocations: u32) {
        let trigger = self.wiring.stream.clone();
        let Some(destination) = &trigger.on_failure else { return };
        let function_arn = format!(
            "arn:aws:lambda:{REGION}:123456789012:function:{}",
            self.deployment.physical_name(&trigger.function)
        );
        let invocation = format!("invocation-{}", self.invocations);
        let failure = payloads::stream_failure(
            &invocation,
            &function_arn,
            invocations,
            shard,
            self.mapping.reader.stream_arn(),
            records,
        );
        self.sqs
            .send_message()
            .queue_url(&self.deployment.queue(destination).url)
            .message_body(failure.to_string())
            .send()
            .await
            .unwrap_or_else(|error| panic!("cannot send to {destination}: {}", DisplayErrorContext(error)));
        for record in records {
            let event = event_of_change(record_change(record));
            self.observe(Hop::new(&trigger.source, destination, event), correlation_ids_of_record(record));
        }
    }

    /// One batch from a queue to its function, as Lambda's SQS poller does: the handled messages
    /// are deleted, the reported failures stay to be received again (at once; see the crate
    /// docs). A message's first receive is also the hop that brought it, from the topic.
    async fn poll_queue(&mut self, trigger: &QueueTrigger) -> bool {
        let queue = self.deployment.queue(&trigger.source).clone();
        let mut messages = Vec::new();
        while messages.len() < trigger.batch_size {
            let wanted = (trigger.batch_size - messages.len()).min(SQS_RECEIVE_LIMIT);
            let received = self.receive(&queue.url, wanted, None).await;
            if received.is_empty() {
                break;
            }
            messages.extend(received);
        }
        if messages.is_empty() {
            return false;
        }
        let topic =
            self.wiring.subscriptions.iter().find(|subscription| subscription.queue == trigger.source);
        let topic = topic.map(|subscription| subscription.topic.clone());
        for message in &messages {
            let (event, correlation_ids) =
                (event_name(message).to_owned(), correlation_ids_of_message(message));
            if let Some(topic) = &topic
                && payloads::receive_count(message) == 1
            {
                self.observe(Hop::new(topic, &trigger.source, &event), correlation_ids.clone());
            }
            self.observe(Hop::new(&trigger.source, &trigger.function, &event), correlation_ids);
        }
        let mut batch = SqsEvent::default();
        batch.records =
            messages.iter().map(|message| payloads::sqs_message(message, &queue.arn, REGION)).collect();
        let response = match trigger.function.as_str() {
            "FulfilmentFunction" => fulfilment::handle_batch(&self.functions.warehouse, batch).await,
            "NotificationsFunction" => notifications::handle_batch(&self.functions.notifier, batch).await,
            other => panic!("the template triggers {other} from a queue; the harness cannot run it"),
        };
        self.invocations += 1;
        self.after_invocation(&trigger.function).await;
        let failed: BTreeSet<String> = if trigger.report_batch_item_failures {
            let ids: BTreeSet<&str> =
                messages.iter().filter_map(|message| message.message_id.as_deref()).collect();
            let reported: BTreeSet<String> =
                response.batch_item_failures.iter().map(|failure| failure.item_identifier.clone()).collect();
            // An identifier that is not in the batch fails all of it.
            if reported.iter().all(|id| ids.contains(id.as_str())) {
                reported
            } else {
                ids.into_iter().map(str::to_owned).collect()
            }
        } else {
            BTreeSet::new()
        };
        let (handled, failed): (Vec<&Message>, Vec<&Message>) = messages
            .iter()
            .partition(|message| !failed.contains(message.message_id.as_deref().unwrap_or_default()));
        self.delete(&queue.url, &handled).await;
        for message in failed {
            self.sqs
                .change_message_visibility()
                .queue_url(&queue.url)
                .receipt_handle(message.receipt_handle.as_deref().unwrap_or_default())
                .visibility_timeout(0)
                .send()
                .await
                .unwrap_or_else(|error| panic!("{}: {}", trigger.source, DisplayErrorContext(error)));
        }
        true
    }

    /// Takes what the queues' redrive policies moved to dead-letter queues since the last call
    /// into [`Pipeline::dead_letters`] (they stay in the queue, hidden for the harness's
    /// receive).
    async fn collect_dead_letters(&mut self) -> bool {
        let mut redrives: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for trigger in &self.wiring.queue_triggers {
            if let Some(redrive) = &self.wiring.queue(&trigger.source).redrive {
                redrives.entry(redrive.dead_letter_queue.clone()).or_default().insert(trigger.source.clone());
            }
        }
        let mut moved = false;
        for (dead_letter_queue, sources) in redrives {
            let [source] = &sources.into_iter().collect::<Vec<_>>()[..] else {
                panic!(
                    "{dead_letter_queue} is the dead-letter queue of several queues; the harness cannot tell whose"
                )
            };
            let url = self.deployment.queue(&dead_letter_queue).url.clone();
            loop {
                // Hidden for twelve hours, SQS's longest, so each receive brings new messages.
                let received = self.receive(&url, SQS_RECEIVE_LIMIT, Some(43_200)).await;
                if received.is_empty() {
                    break;
                }
                moved = true;
                for message in received {
                    self.observe(
                        Hop::new(source, &dead_letter_queue, event_name(&message)),
                        correlation_ids_of_message(&message),
                    );
                    let dead_letter = DeadLetter {
                        source: source.clone(),
                        receive_count: payloads::receive_count(&message).saturating_sub(1),
                        body: message.body.clone().unwrap_or_default(),
                        attributes: string_attributes(&message),
                    };
                    self.dead_letters.entry(dead_letter_queue.clone()).or_default().push(dead_letter);
                }
            }
        }
        moved
    }

    /// What the function just did: the table records it wrote (through the observer's reader of
    /// the stream) and the messages it published (through the harness's queue on each topic).
    async fn after_invocation(&mut self, function: &str) {
        let written = self.table_watch.read_new().await.unwrap_or_else(|error| panic!("{error}"));
        let table = self.wiring.stream.source.clone();
        for (_, record) in written {
            let event = event_of_change(record_change(&record));
            self.observe(Hop::new(function, &table, event), correlation_ids_of_record(&record));
        }
        for (topic, url) in self.taps.clone() {
            loop {
                let published = self.receive(&url, SQS_RECEIVE_LIMIT, None).await;
                if published.is_empty() {
                    break;
                }
                for message in &published {
                    self.observe(
                        Hop::new(function, &topic, event_name(message)),
                        correlation_ids_of_message(message),
                    );
                }
                self.delete(&url, &published.iter().collect::<Vec<_>>()).await;
            }
        }
    }

    async fn receive(&self, url: &str, count: usize, visibility_timeout: Option<i32>) -> Vec<Message> {
        let count = i32::try_from(count).expect("at most ten");
        self.sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(count)
            .set_visibility_timeout(visibility_timeout)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All")
            .send()
            .await
            .unwrap_or_else(|error| panic!("{url}: {}", DisplayErrorContext(error)))
            .messages
            .unwrap_or_default()
    }

    async fn delete(&self, url: &str, messages: &[&Message]) {
        for chunk in messages.chunks(SQS_RECEIVE_LIMIT) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(index, message)| {
                    DeleteMessageBatchRequestEntry::builder()
                        .id(index.to_string())
                        .receipt_handle(message.receipt_handle.clone().unwrap_or_default())
                        .build()
                        .expect("id and receipt handle are set")
                })
                .collect();
            let result = self
                .sqs
                .delete_message_batch()
                .queue_url(url)
                .set_entries(Some(entries))
                .send()
                .await
                .unwrap_or_else(|error| panic!("{url}: {}", DisplayErrorContext(error)));
            assert!(result.failed.is_empty(), "{url}: could not delete {:?}", result.failed);
        }
    }

    fn observe(&mut self, hop: Hop, correlation_ids: BTreeSet<String>) {
        self.observations.push(Observation { hop, correlation_ids });
    }

    /// The wiring the pipeline was deployed from.
    pub fn wiring(&self) -> &Wiring {
        &self.wiring
    }

    /// The resources it was deployed as.
    pub fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    /// Everything the run saw, in the order it happened.
    pub fn observations(&self) -> &[Observation] {
        &self.observations
    }

    /// The hops the run saw, sorted, each once.
    pub fn hops(&self) -> BTreeSet<Hop> {
        self.observations.iter().map(|observation| observation.hop.clone()).collect()
    }

    /// The messages found in the dead-letter queue `id`, oldest first.
    pub fn dead_letters(&self, id: &str) -> &[DeadLetter] {
        self.dead_letters.get(id).map_or(&[], Vec::as_slice)
    }

    /// The fulfilment function's warehouse.
    pub fn warehouse(&self) -> &DynamoWarehouse {
        &self.functions.warehouse
    }

    /// The mail the notifications function sent, oldest first, as the emulator's SES has it.
    pub fn sent_mail(&self) -> Vec<Mail> {
        let sender = self
            .deployment
            .environment(&self.wiring, "NotificationsFunction")
            .ok()
            .and_then(|environment| environment.get("SENDER_EMAIL_ADDRESS").cloned())
            .unwrap_or_default();
        mail::sent_by(&self.moto, &sender)
    }

    /// The SDK configuration that talks to the emulator.
    pub fn sdk_config(&self) -> SdkConfig {
        self.config.clone()
    }

    /// An SQS client of the emulator.
    pub fn sqs(&self) -> &aws_sdk_sqs::Client {
        &self.sqs
    }
}

/// The functions, configured from the environment the template gives each, with SDK clients
/// built once, as in the binaries.
fn build_functions(config: &SdkConfig, wiring: &Wiring, deployment: &Deployment) -> Functions {
    let variable = |function: &str, name: &str| -> String {
        let environment = deployment.environment(wiring, function).unwrap_or_else(|error| panic!("{error}"));
        environment
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("the template does not set {function}'s {name}"))
    };
    let dynamodb = aws_sdk_dynamodb::Client::new(config);
    let (api, publisher) = (&wiring.api.function, &wiring.stream.function);
    Functions {
        api: OrderApi::new(
            DynamoOrderStore::new(dynamodb.clone(), variable(api, "ORDERS_TABLE_NAME")),
            SequentialIds::new("order"),
        ),
        publisher: SnsPublisher::new(
            aws_sdk_sns::Client::new(config),
            variable(publisher, "ORDER_EVENTS_TOPIC_ARN"),
        ),
        warehouse: DynamoWarehouse::new(dynamodb, variable("FulfilmentFunction", "INVENTORY_TABLE_NAME")),
        notifier: SesNotifier::new(
            aws_sdk_sesv2::Client::new(config),
            variable("NotificationsFunction", "SENDER_EMAIL_ADDRESS"),
        ),
    }
}

/// A queue of the harness's own on each topic, subscribed without a filter, raw: it gets every
/// message published, as published.
async fn tap_topics(
    config: &SdkConfig,
    wiring: &Wiring,
    deployment: &Deployment,
) -> BTreeMap<String, String> {
    let (sqs, sns) = (aws_sdk_sqs::Client::new(config), aws_sdk_sns::Client::new(config));
    let mut taps = BTreeMap::new();
    for topic in &wiring.topics {
        let name = deployment.physical_name(&format!("{topic}-harness-tap"));
        let url = sqs
            .create_queue()
            .queue_name(&name)
            .send()
            .await
            .expect("the tap queue")
            .queue_url
            .unwrap_or_default();
        let arn = deploy::queue_arn(&sqs, &url).await.unwrap_or_else(|error| panic!("{name}: {error}"));
        sns.subscribe()
            .topic_arn(deployment.topic_arn(topic))
            .protocol("sqs")
            .endpoint(arn)
            .attributes("RawMessageDelivery", "true")
            .send()
            .await
            .expect("the tap subscription");
        taps.insert(topic.clone(), url);
    }
    taps
}

fn record_change(record: &Record) -> &str {
    record.event_name.as_ref().map_or("", |name| name.as_str())
}

fn event_name(message: &Message) -> &str {
    message
        .message_attributes
        .as_ref()
        .and_then(|attributes| attributes.get(EVENT_TYPE_ATTRIBUTE))
        .and_then(|attribute| attribute.string_value.as_deref())
        .unwrap_or("(no event_type)")
}

fn string_attributes(message: &Message) -> BTreeMap<String, String> {
    message
        .message_attributes
        .iter()
        .flatten()
        .filter_map(|(name, value)| Some((name.clone(), value.string_value.clone()?)))
        .collect()
}

/// The correlation ids of the order in a stream record's images.
fn correlation_ids_of_record(record: &Record) -> BTreeSet<String> {
    let change = record.dynamodb.as_ref();
    [change.and_then(|change| change.new_image.as_ref()), change.and_then(|change| change.old_image.as_ref())]
        .into_iter()
        .flatten()
        .map(|image| match serde_dynamo::from_item::<_, Order>(serde_dynamo::Item::from(image.clone())) {
            Ok(order) => order.correlation_id,
            Err(error) => format!("(the image is not an order: {error})"),
        })
        .collect()
}

/// The message's `correlation_id` attribute and the correlation id in its body.
fn correlation_ids_of_message(message: &Message) -> BTreeSet<String> {
    let attributes = string_attributes(message);
    let attribute = attributes
        .get(CORRELATION_ID_ATTRIBUTE)
        .cloned()
        .unwrap_or_else(|| "(no correlation_id attribute)".to_owned());
    let body =
        match OrderEvent::from_message(event_name(message), message.body.as_deref().unwrap_or_default()) {
            Ok(event) => event.correlation_id().to_owned(),
            Err(error) => format!("(unreadable body: {error})"),
        };
    BTreeSet::from([attribute, body])
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
