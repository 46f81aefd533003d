//! The wiring the harness reads from `pipeline/template.yaml`, so that it cannot drift from it:
//! which function each trigger invokes, which queues the topic's subscriptions feed and what
//! their filter policies let through, and each queue's visibility timeout and redrive policy.
//!
//! It reads the shapes the pipeline's template uses (short-form `!Ref` and `!GetAtt`, policies
//! written as YAML objects, filter policies that list exact `event_type` values) and says so
//! when it meets anything else, rather than guessing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use saphyr::{LoadableYamlNode, Yaml};

/// The parts of the template that move orders along.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wiring {
    /// The function behind the API.
    pub api_function: String,
    /// The table whose stream triggers a function, and that function.
    pub stream: Trigger,
    /// The topic the subscriptions hang off.
    pub topic: String,
    /// The topic's subscriptions, in template order.
    pub subscriptions: Vec<Subscription>,
    /// Every SQS queue, by logical id.
    pub queues: BTreeMap<String, QueueSettings>,
    /// The queues that trigger functions, in template order.
    pub queue_triggers: Vec<Trigger>,
}

/// An event source mapping: a table's stream or a queue that invokes a function.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trigger {
    /// The table or queue.
    pub source: String,
    /// The function it invokes.
    pub function: String,
    /// The most records or messages per invocation.
    pub batch_size: usize,
}

/// An SNS subscription of a queue to the topic, with raw message delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    /// The subscribed queue.
    pub queue: String,
    /// The `event_type` values the filter policy lets through; `None` without a filter policy.
    pub event_types: Option<BTreeSet<String>>,
}

impl Subscription {
    /// Whether the subscription delivers a message with this `event_type` attribute.
    pub fn accepts(&self, event_type: Option<&str>) -> bool {
        match (&self.event_types, event_type) {
            (None, _) => true,
            (Some(allowed), Some(event_type)) => allowed.contains(event_type),
            (Some(_), None) => false,
        }
    }
}

/// What the harness models of an SQS queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueSettings {
    /// How long a received message stays invisible, in seconds (30 unless the template says).
    pub visibility_timeout: u64,
    /// Where messages go after too many receives, if anywhere.
    pub redrive: Option<Redrive>,
}

/// A queue's redrive policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redrive {
    /// The dead-letter queue.
    pub dead_letter_queue: String,
    /// How many times a message is received before the next receive moves it to the
    /// dead-letter queue.
    pub max_receive_count: u32,
}

impl Wiring {
    /// Reads the wiring from the template at `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<Wiring, String> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
        Wiring::parse(&text).map_err(|error| format!("{}: {error}", path.display()))
    }

    /// Reads the wiring from a template's text.
    pub fn parse(text: &str) -> Result<Wiring, String> {
        let documents = Yaml::load_from_str(text).map_err(|error| error.to_string())?;
        let template = documents.first().ok_or("the template is empty")?;
        let resources = field(template, "Resources")?.as_mapping().ok_or("Resources is not a mapping")?;
        let mut wiring = Wiring::default();
        let mut topics = BTreeSet::new();
        for (id, resource) in resources {
            let id = id.as_str().ok_or("a resource's logical id is not a string")?;
            let in_resource = |error: String| format!("{id}: {error}");
            match text_of(field(resource, "Type")?)? {
                "AWS::Serverless::Function" => wiring.read_function(id, resource).map_err(in_resource)?,
                "AWS::SQS::Queue" => {
                    wiring.queues.insert(id.to_owned(), read_queue(resource).map_err(in_resource)?);
                }
                "AWS::SNS::Subscription" => {
                    let (topic, subscription) = read_subscription(resource).map_err(in_resource)?;
                    topics.insert(topic);
                    wiring.subscriptions.push(subscription);
                }
                _ => {}
            }
        }
        let mut topics = topics.into_iter();
        match (topics.next(), topics.next()) {
            (Some(topic), None) => wiring.topic = topic,
            _ => return Err("the harness models one topic with subscriptions".to_owned()),
        }
        if wiring.api_function.is_empty() || wiring.stream.function.is_empty() {
            return Err(
                "the template needs a function with Api events and one with a DynamoDB event".to_owned()
            );
        }
        Ok(wiring)
    }

    /// The settings of the queue `id`.
    pub fn queue(&self, id: &str) -> &QueueSettings {
        self.queues.get(id).unwrap_or_else(|| panic!("the template has no queue {id}"))
    }

    fn read_function(&mut self, id: &str, function: &Yaml<'_>) -> Result<(), String> {
        let Some(events) = field(function, "Properties")?.as_mapping_get("Events") else { return Ok(()) };
        for (name, event) in events.as_mapping().ok_or("Events is not a mapping")? {
            let name = name.as_str().unwrap_or_default();
            let properties = field(event, "Properties")?;
            let batch_size = || -> Result<usize, String> {
                let size = field(properties, "BatchSize")?.as_integer().ok_or("BatchSize is not a number")?;
                usize::try_from(size).map_err(|_| format!("BatchSize {size} is not a size"))
            };
            match text_of(field(event, "Type")?)? {
                "Api" => self.api_function = id.to_owned(),
                "DynamoDB" => {
                    let source = get_att(field(properties, "Stream")?, "StreamArn")?;
                    self.stream = Trigger { source, function: id.to_owned(), batch_size: batch_size()? };
                }
                "SQS" => {
                    let source = get_att(field(properties, "Queue")?, "Arn")?;
                    self.queue_triggers.push(Trigger {
                        source,
                        function: id.to_owned(),
                        batch_size: batch_size()?,
                    });
                }
                other => return Err(format!("event {name}: the harness does not model {other} events")),
            }
        }
        Ok(())
    }
}

fn read_queue(queue: &Yaml<'_>) -> Result<QueueSettings, String> {
    let properties = field(queue, "Properties")?;
    let visibility_timeout = match properties.as_mapping_get("VisibilityTimeout") {
        Some(timeout) => timeout.as_integer().and_then(|seconds| u64::try_from(seconds).ok()),
        None => Some(30),
    }
    .ok_or("VisibilityTimeout is not a number of seconds")?;
    let redrive = match properties.as_mapping_get("RedrivePolicy") {
        Some(policy) => {
            let count =
                field(policy, "maxReceiveCount")?.as_integer().and_then(|count| u32::try_from(count).ok());
            Some(Redrive {
                dead_letter_queue: get_att(field(policy, "deadLetterTargetArn")?, "Arn")?,
                max_receive_count: count
                    .filter(|count| *count > 0)
                    .ok_or("maxReceiveCount is not a positive number")?,
            })
        }
        None => None,
    };
    Ok(QueueSettings { visibility_timeout, redrive })
}

/// The subscription's topic and what it delivers where.
fn read_subscription(subscription: &Yaml<'_>) -> Result<(String, Subscription), String> {
    let properties = field(subscription, "Properties")?;
    if text_of(field(properties, "Protocol")?)? != "sqs" {
        return Err("the harness models subscriptions of SQS queues only".to_owned());
    }
    if field(properties, "RawMessageDelivery")?.as_bool() != Some(true) {
        return Err("the harness models raw message delivery only".to_owned());
    }
    let topic = reference(field(properties, "TopicArn")?)?;
    let queue = get_att(field(properties, "Endpoint")?, "Arn")?;
    let event_types = match properties.as_mapping_get("FilterPolicy") {
        None => None,
        Some(policy) => {
            let scope = properties.as_mapping_get("FilterPolicyScope").and_then(Yaml::as_str);
            if scope != Some("MessageAttributes") {
                return Err("the harness applies filter policies to message attributes only".to_owned());
            }
            let policy = policy.as_mapping().ok_or("FilterPolicy is not a mapping")?;
            let allowed = match policy.iter().collect::<Vec<_>>().as_slice() {
                [(key, values)] if key.as_str() == Some("event_type") => values
                    .as_vec()
                    .ok_or("the event_type filter is not a list")?
                    .iter()
                    .map(|value| text_of(value).map(str::to_owned))
                    .collect::<Result<BTreeSet<_>, _>>()?,
                _ => return Err("the harness understands filter policies on event_type alone".to_owned()),
            };
            Some(allowed)
        }
    };
    Ok((topic, Subscription { queue, event_types }))
}

fn field<'a, 'input>(node: &'a Yaml<'input>, key: &str) -> Result<&'a Yaml<'input>, String> {
    node.as_mapping_get(key).ok_or_else(|| format!("{key} is missing"))
}

fn text_of<'a>(node: &'a Yaml<'_>) -> Result<&'a str, String> {
    node.as_str().ok_or_else(|| format!("expected a string, found {node:?}"))
}

/// The resource a `!Ref Resource` names.
fn reference(node: &Yaml<'_>) -> Result<String, String> {
    match node {
        Yaml::Tagged(tag, target) if tag.suffix == "Ref" => Ok(text_of(target)?.to_owned()),
        _ => Err(format!("expected !Ref, found {node:?}")),
    }
}

/// The resource a `!GetAtt Resource.attribute` names, checking the attribute.
fn get_att(node: &Yaml<'_>, attribute: &str) -> Result<String, String> {
    if let Yaml::Tagged(tag, target) = node
        && tag.suffix == "GetAtt"
        && let Some((resource, found)) = text_of(target)?.split_once('.')
        && found == attribute
    {
        return Ok(resource.to_owned());
    }
    Err(format!("expected !GetAtt Resource.{attribute}, found {node:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Post: { Type: Api, Properties: { Path: /orders, Method: post } }
  Publisher:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Changes:
          Type: DynamoDB
          Properties: { Stream: !GetAtt Table.StreamArn, BatchSize: 25 }
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Messages: { Type: SQS, Properties: { Queue: !GetAtt Work.Arn, BatchSize: 10 } }
  Table: { Type: AWS::DynamoDB::Table }
  Topic: { Type: AWS::SNS::Topic }
  Work:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      RedrivePolicy: { deadLetterTargetArn: !GetAtt WorkDlq.Arn, maxReceiveCount: 3 }
  WorkDlq: { Type: AWS::SQS::Queue, Properties: {} }
  WorkSubscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !GetAtt Work.Arn
      RawMessageDelivery: true
      FilterPolicyScope: MessageAttributes
      FilterPolicy: { event_type: [OrderPlaced] }
"#;

    #[test]
    fn reads_triggers_subscriptions_and_queues() {
        let wiring = Wiring::parse(TEMPLATE).unwrap();
        assert_eq!(wiring.api_function, "Api");
        assert_eq!(
            wiring.stream,
            Trigger { source: "Table".into(), function: "Publisher".into(), batch_size: 25 }
        );
        assert_eq!(wiring.topic, "Topic");
        assert_eq!(
            wiring.queue_triggers,
            [Trigger { source: "Work".into(), function: "Consumer".into(), batch_size: 10 }]
        );
        let subscription = &wiring.subscriptions[0];
        assert_eq!(subscription.queue, "Work");
        assert!(subscription.accepts(Some("OrderPlaced")));
        assert!(!subscription.accepts(Some("OrderUpdated")));
        assert!(!subscription.accepts(None));
        let redrive = Redrive { dead_letter_queue: "WorkDlq".into(), max_receive_count: 3 };
        assert_eq!(wiring.queue("Work"), &QueueSettings { visibility_timeout: 60, redrive: Some(redrive) });
        assert_eq!(wiring.queue("WorkDlq"), &QueueSettings { visibility_timeout: 30, redrive: None });
    }

    #[test]
    fn shapes_it_does_not_model_are_errors() {
        let cases = [
            (
                "FilterPolicy: { event_type: [OrderPlaced] }",
                "FilterPolicy: { event_type: [{ prefix: Order }] }",
                "expected a string",
            ),
            (
                "FilterPolicy: { event_type: [OrderPlaced] }",
                "FilterPolicy: { kind: [a] }",
                "on event_type alone",
            ),
            ("RawMessageDelivery: true", "RawMessageDelivery: false", "raw message delivery only"),
            ("TopicArn: !Ref Topic", "TopicArn: arn:aws:sns:eu-west-1:1:t", "expected !Ref"),
            ("maxReceiveCount: 3", "maxReceiveCount: 0", "maxReceiveCount is not a positive number"),
            (
                "!GetAtt Work.Arn, BatchSize",
                "!GetAtt Work.QueueName, BatchSize",
                "expected !GetAtt Resource.Arn",
            ),
        ];
        for (from, to, expected) in cases {
            assert!(TEMPLATE.contains(from), "{from}");
            let error = Wiring::parse(&TEMPLATE.replace(from, to)).unwrap_err();
            assert!(error.contains(expected), "{to}: got {error:?}, expected {expected:?}");
        }
    }
}
