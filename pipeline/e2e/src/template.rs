//! What the harness reads from `pipeline/template.yaml`, so that it cannot drift from it: the
//! resources to create in the emulator with their properties (the table's keys and stream, the
//! queues' visibility timeouts and redrive policies, the topic's subscriptions with their filter
//! and redrive policies), the event source mappings the harness plays (which function each
//! trigger invokes, in what batches, with what retries and failure destination) and each
//! function's environment, which configures its adapters.
//!
//! It reads the shapes the pipeline's template uses (short-form `!Ref` and `!GetAtt`, policies
//! written as YAML objects) and says so when it meets anything else, rather than guessing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde_json::Value;

/// The parts of the template that move orders along.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Wiring {
    /// The template's parameters, by name.
    pub parameters: BTreeSet<String>,
    /// The API and the function behind it.
    pub api: ApiTrigger,
    /// The table whose stream triggers a function, and how.
    pub stream: StreamTrigger,
    /// The queues that trigger functions, in template order.
    pub queue_triggers: Vec<QueueTrigger>,
    /// Every DynamoDB table, by logical id.
    pub tables: BTreeMap<String, TableSettings>,
    /// Every SNS topic, by logical id.
    pub topics: BTreeSet<String>,
    /// The topics' subscriptions, in template order.
    pub subscriptions: Vec<Subscription>,
    /// Every SQS queue, by logical id.
    pub queues: BTreeMap<String, QueueSettings>,
    /// Each function's environment variables (the `Globals` ones merged in), by logical id.
    pub environments: BTreeMap<String, BTreeMap<String, Setting>>,
}

/// A value in the template: written out, or a reference the deployment resolves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Setting {
    /// A literal.
    Text(String),
    /// `!Ref Name`: a resource's `Ref` value, or a parameter's.
    Ref(String),
    /// `!GetAtt Resource.Attribute`.
    GetAtt(String, String),
}

/// The API whose routes invoke a function (`Api` events).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiTrigger {
    /// The API's logical id: the events' `RestApiId`, or SAM's implicit `ServerlessRestApi`.
    pub api: String,
    /// The function it invokes.
    pub function: String,
}

/// A `DynamoDB` event: the table's stream invokes a function.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamTrigger {
    /// The table.
    pub source: String,
    /// The function it invokes.
    pub function: String,
    /// The most records per invocation.
    pub batch_size: usize,
    /// `TRIM_HORIZON` or `LATEST`.
    pub starting_position: String,
    /// How many times a failed batch is retried; `None` for Lambda's default, until the records
    /// expire.
    pub maximum_retry_attempts: Option<u32>,
    /// Whether a failing batch is split in two for its retries.
    pub bisect_on_error: bool,
    /// Whether the function reports batch item failures (`ReportBatchItemFailures`).
    pub report_batch_item_failures: bool,
    /// The queue that receives the metadata of batches that failed every retry.
    pub on_failure: Option<String>,
}

/// An `SQS` event: a queue invokes a function.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueTrigger {
    /// The queue.
    pub source: String,
    /// The function it invokes.
    pub function: String,
    /// The most messages per invocation.
    pub batch_size: usize,
    /// Whether the function reports batch item failures (`ReportBatchItemFailures`).
    pub report_batch_item_failures: bool,
}

/// A DynamoDB table's keys and stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSettings {
    /// The attribute definitions, as (name, type).
    pub attributes: Vec<(String, String)>,
    /// The key schema, as (attribute, `HASH` or `RANGE`).
    pub key_schema: Vec<(String, String)>,
    /// The stream's view type, if the table has a stream.
    pub stream_view_type: Option<String>,
}

/// An SNS subscription of a queue to a topic.
#[derive(Clone, Debug, PartialEq)]
pub struct Subscription {
    /// The subscription's logical id.
    pub id: String,
    /// The topic.
    pub topic: String,
    /// The subscribed queue.
    pub queue: String,
    /// Whether messages are delivered raw, without SNS's JSON envelope.
    pub raw_message_delivery: bool,
    /// The filter policy, as JSON.
    pub filter_policy: Option<Value>,
    /// `MessageAttributes` or `MessageBody`, if the template says.
    pub filter_policy_scope: Option<String>,
    /// Where SNS puts what it cannot deliver.
    pub dead_letter_queue: Option<String>,
}

/// An SQS queue's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueSettings {
    /// How long a received message stays invisible, in seconds (30 unless the template says).
    pub visibility_timeout: u64,
    /// How long a message is kept, in seconds, if the template says.
    pub message_retention_period: Option<u64>,
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
        if let Some(parameters) = template.as_mapping_get("Parameters") {
            let parameters = parameters.as_mapping().ok_or("Parameters is not a mapping")?;
            wiring.parameters =
                parameters.keys().filter_map(|name| name.as_str().map(str::to_owned)).collect();
        }
        let globals = template
            .as_mapping_get("Globals")
            .and_then(|globals| globals.as_mapping_get("Function"))
            .map(environment)
            .transpose()
            .map_err(|error| format!("Globals: {error}"))?
            .unwrap_or_default();
        for (id, resource) in resources {
            let id = id.as_str().ok_or("a resource's logical id is not a string")?;
            let in_resource = |error: String| format!("{id}: {error}");
            match text_of(field(resource, "Type")?)? {
                "AWS::Serverless::Function" => {
                    wiring.read_function(id, resource).map_err(in_resource)?;
                    let mut variables = globals.clone();
                    variables.extend(environment(field(resource, "Properties")?).map_err(in_resource)?);
                    wiring.environments.insert(id.to_owned(), variables);
                }
                "AWS::DynamoDB::Table" => {
                    wiring.tables.insert(id.to_owned(), read_table(resource).map_err(in_resource)?);
                }
                "AWS::SQS::Queue" => {
                    wiring.queues.insert(id.to_owned(), read_queue(resource).map_err(in_resource)?);
                }
                "AWS::SNS::Topic" => {
                    wiring.topics.insert(id.to_owned());
                }
                "AWS::SNS::Subscription" => {
                    wiring.subscriptions.push(read_subscription(id, resource).map_err(in_resource)?);
                }
                _ => {}
            }
        }
        wiring.check()?;
        Ok(wiring)
    }

    /// Every resource a trigger, subscription or redrive names is one the harness creates.
    fn check(&self) -> Result<(), String> {
        if self.api.function.is_empty() || self.stream.function.is_empty() {
            return Err(
                "the template needs a function with Api events and one with a DynamoDB event".to_owned()
            );
        }
        let missing = |kind: &str, id: &str| format!("{id} is not a {kind} of the template");
        if !self.tables.contains_key(&self.stream.source) {
            return Err(missing("table", &self.stream.source));
        }
        let mut queues: Vec<&String> = self.queue_triggers.iter().map(|trigger| &trigger.source).collect();
        queues.extend(self.stream.on_failure.iter());
        queues.extend(
            self.queues.values().filter_map(|queue| queue.redrive.as_ref()).map(|r| &r.dead_letter_queue),
        );
        for subscription in &self.subscriptions {
            queues.push(&subscription.queue);
            queues.extend(subscription.dead_letter_queue.iter());
            if !self.topics.contains(&subscription.topic) {
                return Err(missing("topic", &subscription.topic));
            }
        }
        match queues.into_iter().find(|queue| !self.queues.contains_key(*queue)) {
            Some(queue) => Err(missing("queue", queue)),
            None => Ok(()),
        }
    }

    /// The settings of the queue `id`.
    pub fn queue(&self, id: &str) -> &QueueSettings {
        self.queues.get(id).unwrap_or_else(|| panic!("the template has no queue {id}"))
    }

    /// The environment variables of the function `id`.
    pub fn environment(&self, id: &str) -> &BTreeMap<String, Setting> {
        self.environments.get(id).unwrap_or_else(|| panic!("the template has no function {id}"))
    }

    fn read_function(&mut self, id: &str, function: &Yaml<'_>) -> Result<(), String> {
        let Some(events) = field(function, "Properties")?.as_mapping_get("Events") else { return Ok(()) };
        for (name, event) in events.as_mapping().ok_or("Events is not a mapping")? {
            let name = name.as_str().unwrap_or_default();
            let in_event = |error: String| format!("event {name}: {error}");
            let properties = field(event, "Properties")?;
            match text_of(field(event, "Type")?)? {
                "Api" => {
                    let api = match properties.as_mapping_get("RestApiId") {
                        Some(api) => reference(api).map_err(in_event)?,
                        None => "ServerlessRestApi".to_owned(),
                    };
                    self.api = ApiTrigger { api, function: id.to_owned() };
                }
                "DynamoDB" => self.stream = read_stream_trigger(id, properties).map_err(in_event)?,
                "SQS" => self.queue_triggers.push(QueueTrigger {
                    source: get_att(field(properties, "Queue")?, "Arn").map_err(in_event)?,
                    function: id.to_owned(),
                    batch_size: batch_size(properties).map_err(in_event)?,
                    report_batch_item_failures: reports_item_failures(properties).map_err(in_event)?,
                }),
                other => return Err(format!("event {name}: the harness does not model {other} events")),
            }
        }
        Ok(())
    }
}

fn read_stream_trigger(function: &str, properties: &Yaml<'_>) -> Result<StreamTrigger, String> {
    let maximum_retry_attempts = match properties.as_mapping_get("MaximumRetryAttempts") {
        None => None,
        Some(attempts) => match attempts.as_integer() {
            Some(-1) => None,
            Some(attempts) => {
                Some(u32::try_from(attempts).map_err(|_| "MaximumRetryAttempts is out of range")?)
            }
            None => return Err("MaximumRetryAttempts is not a number".to_owned()),
        },
    };
    let on_failure = match properties.as_mapping_get("DestinationConfig") {
        None => None,
        Some(config) => Some(get_att(field(field(config, "OnFailure")?, "Destination")?, "Arn")?),
    };
    Ok(StreamTrigger {
        source: get_att(field(properties, "Stream")?, "StreamArn")?,
        function: function.to_owned(),
        batch_size: batch_size(properties)?,
        starting_position: text_of(field(properties, "StartingPosition")?)?.to_owned(),
        maximum_retry_attempts,
        bisect_on_error: properties.as_mapping_get("BisectBatchOnFunctionError").and_then(Yaml::as_bool)
            == Some(true),
        report_batch_item_failures: reports_item_failures(properties)?,
        on_failure,
    })
}

fn batch_size(properties: &Yaml<'_>) -> Result<usize, String> {
    let size = field(properties, "BatchSize")?.as_integer().ok_or("BatchSize is not a number")?;
    usize::try_from(size)
        .ok()
        .filter(|size| *size > 0)
        .ok_or_else(|| format!("BatchSize {size} is not a size"))
}

fn reports_item_failures(properties: &Yaml<'_>) -> Result<bool, String> {
    let Some(types) = properties.as_mapping_get("FunctionResponseTypes") else { return Ok(false) };
    let types = types.as_vec().ok_or("FunctionResponseTypes is not a list")?;
    Ok(types.iter().any(|kind| kind.as_str() == Some("ReportBatchItemFailures")))
}

/// A function's (or the `Globals` section's) `Environment.Variables`.
fn environment(function: &Yaml<'_>) -> Result<BTreeMap<String, Setting>, String> {
    let Some(variables) = function
        .as_mapping_get("Environment")
        .and_then(|environment| environment.as_mapping_get("Variables"))
    else {
        return Ok(BTreeMap::new());
    };
    let variables = variables.as_mapping().ok_or("Environment.Variables is not a mapping")?;
    let mut settings = BTreeMap::new();
    for (name, value) in variables {
        let name = text_of(name)?;
        settings.insert(name.to_owned(), setting(value).map_err(|error| format!("{name}: {error}"))?);
    }
    Ok(settings)
}

fn setting(node: &Yaml<'_>) -> Result<Setting, String> {
    match node {
        Yaml::Tagged(tag, _) if tag.suffix == "Ref" => reference(node).map(Setting::Ref),
        Yaml::Tagged(tag, target) if tag.suffix == "GetAtt" => {
            let (resource, attribute) =
                text_of(target)?.split_once('.').ok_or("!GetAtt names no attribute")?;
            Ok(Setting::GetAtt(resource.to_owned(), attribute.to_owned()))
        }
        Yaml::Value(Scalar::String(text)) => Ok(Setting::Text(text.to_string())),
        Yaml::Value(Scalar::Integer(number)) => Ok(Setting::Text(number.to_string())),
        Yaml::Value(Scalar::Boolean(value)) => Ok(Setting::Text(value.to_string())),
        other => Err(format!("the harness does not resolve {other:?}")),
    }
}

fn read_table(table: &Yaml<'_>) -> Result<TableSettings, String> {
    let properties = field(table, "Properties")?;
    let pairs = |list: &str, name: &str, kind: &str| -> Result<Vec<(String, String)>, String> {
        field(properties, list)?
            .as_vec()
            .ok_or_else(|| format!("{list} is not a list"))?
            .iter()
            .map(|entry| {
                Ok((text_of(field(entry, name)?)?.to_owned(), text_of(field(entry, kind)?)?.to_owned()))
            })
            .collect()
    };
    let stream_view_type = match properties.as_mapping_get("StreamSpecification") {
        Some(stream) => Some(text_of(field(stream, "StreamViewType")?)?.to_owned()),
        None => None,
    };
    Ok(TableSettings {
        attributes: pairs("AttributeDefinitions", "AttributeName", "AttributeType")?,
        key_schema: pairs("KeySchema", "AttributeName", "KeyType")?,
        stream_view_type,
    })
}

fn read_queue(queue: &Yaml<'_>) -> Result<QueueSettings, String> {
    let properties = field(queue, "Properties")?;
    let seconds = |name: &str| -> Result<Option<u64>, String> {
        match properties.as_mapping_get(name) {
            None => Ok(None),
            Some(value) => value
                .as_integer()
                .and_then(|seconds| u64::try_from(seconds).ok())
                .map(Some)
                .ok_or_else(|| format!("{name} is not a number of seconds")),
        }
    };
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
    Ok(QueueSettings {
        visibility_timeout: seconds("VisibilityTimeout")?.unwrap_or(30),
        message_retention_period: seconds("MessageRetentionPeriod")?,
        redrive,
    })
}

fn read_subscription(id: &str, subscription: &Yaml<'_>) -> Result<Subscription, String> {
    let properties = field(subscription, "Properties")?;
    if text_of(field(properties, "Protocol")?)? != "sqs" {
        return Err("the harness models subscriptions of SQS queues only".to_owned());
    }
    let dead_letter_queue = match properties.as_mapping_get("RedrivePolicy") {
        Some(policy) => Some(get_att(field(policy, "deadLetterTargetArn")?, "Arn")?),
        None => None,
    };
    Ok(Subscription {
        id: id.to_owned(),
        topic: reference(field(properties, "TopicArn")?)?,
        queue: get_att(field(properties, "Endpoint")?, "Arn")?,
        raw_message_delivery: properties.as_mapping_get("RawMessageDelivery").and_then(Yaml::as_bool)
            == Some(true),
        filter_policy: properties.as_mapping_get("FilterPolicy").map(json).transpose()?,
        filter_policy_scope: properties
            .as_mapping_get("FilterPolicyScope")
            .map(text_of)
            .transpose()?
            .map(str::to_owned),
        dead_letter_queue,
    })
}

/// A YAML value without intrinsic functions, as JSON (a filter policy, say).
fn json(node: &Yaml<'_>) -> Result<Value, String> {
    Ok(match node {
        Yaml::Value(Scalar::Null) => Value::Null,
        Yaml::Value(Scalar::Boolean(value)) => Value::Bool(*value),
        Yaml::Value(Scalar::Integer(number)) => Value::from(*number),
        Yaml::Value(Scalar::FloatingPoint(number)) => Value::from(number.into_inner()),
        Yaml::Value(Scalar::String(text)) => Value::String(text.to_string()),
        Yaml::Sequence(items) => Value::Array(items.iter().map(json).collect::<Result<_, _>>()?),
        Yaml::Mapping(entries) => Value::Object(
            entries
                .iter()
                .map(|(key, value)| Ok((text_of(key)?.to_owned(), json(value)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => return Err(format!("the harness cannot write {other:?} as JSON")),
    })
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
    use serde_json::json;

    use super::*;

    const TEMPLATE: &str = r#"
Parameters:
  Sender: { Type: String }
Globals:
  Function:
    Environment:
      Variables: { RUST_LOG: info, LEVEL: 3 }
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables: { TABLE: !Ref Table, FROM: !Ref Sender }
      Events:
        Post: { Type: Api, Properties: { Path: /orders, Method: post } }
  Publisher:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables: { TOPIC: !Ref Topic, RUST_LOG: debug }
      Events:
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 25
            MaximumRetryAttempts: 2
            BisectBatchOnFunctionError: true
            FunctionResponseTypes: [ReportBatchItemFailures]
            DestinationConfig: { OnFailure: { Destination: !GetAtt Failed.Arn } }
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Messages: { Type: SQS, Properties: { Queue: !GetAtt Work.Arn, BatchSize: 10 } }
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      StreamSpecification: { StreamViewType: NEW_AND_OLD_IMAGES }
  Topic: { Type: AWS::SNS::Topic }
  Failed: { Type: AWS::SQS::Queue, Properties: { MessageRetentionPeriod: 1209600 } }
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
      FilterPolicy: { event_type: [OrderPlaced, { prefix: Order }] }
      RedrivePolicy: { deadLetterTargetArn: !GetAtt WorkDlq.Arn }
"#;

    #[test]
    fn reads_resources_triggers_and_environments() {
        let wiring = Wiring::parse(TEMPLATE).unwrap();
        assert_eq!(wiring.parameters, BTreeSet::from(["Sender".to_owned()]));
        assert_eq!(wiring.api, ApiTrigger { api: "ServerlessRestApi".into(), function: "Api".into() });
        assert_eq!(
            wiring.stream,
            StreamTrigger {
                source: "Table".into(),
                function: "Publisher".into(),
                batch_size: 25,
                starting_position: "TRIM_HORIZON".into(),
                maximum_retry_attempts: Some(2),
                bisect_on_error: true,
                report_batch_item_failures: true,
                on_failure: Some("Failed".into()),
            }
        );
        assert_eq!(
            wiring.queue_triggers,
            [QueueTrigger {
                source: "Work".into(),
                function: "Consumer".into(),
                batch_size: 10,
                report_batch_item_failures: false
            }]
        );
        assert_eq!(
            wiring.tables["Table"],
            TableSettings {
                attributes: vec![("id".into(), "S".into())],
                key_schema: vec![("id".into(), "HASH".into())],
                stream_view_type: Some("NEW_AND_OLD_IMAGES".into()),
            }
        );
        assert_eq!(wiring.topics, BTreeSet::from(["Topic".to_owned()]));
        assert_eq!(
            wiring.subscriptions,
            [Subscription {
                id: "WorkSubscription".into(),
                topic: "Topic".into(),
                queue: "Work".into(),
                raw_message_delivery: true,
                filter_policy: Some(json!({ "event_type": ["OrderPlaced", { "prefix": "Order" }] })),
                filter_policy_scope: Some("MessageAttributes".into()),
                dead_letter_queue: Some("WorkDlq".into()),
            }]
        );
        let redrive = Redrive { dead_letter_queue: "WorkDlq".into(), max_receive_count: 3 };
        assert_eq!(
            wiring.queue("Work"),
            &QueueSettings { visibility_timeout: 60, message_retention_period: None, redrive: Some(redrive) }
        );
        assert_eq!(
            wiring.queue("Failed"),
            &QueueSettings {
                visibility_timeout: 30,
                message_retention_period: Some(1_209_600),
                redrive: None
            }
        );
        let text = |value: &str| Setting::Text(value.to_owned());
        assert_eq!(
            wiring.environment("Api"),
            &BTreeMap::from([
                ("FROM".to_owned(), Setting::Ref("Sender".into())),
                ("LEVEL".to_owned(), text("3")),
                ("RUST_LOG".to_owned(), text("info")),
                ("TABLE".to_owned(), Setting::Ref("Table".into())),
            ])
        );
        assert_eq!(wiring.environment("Publisher")["RUST_LOG"], text("debug"));
        assert_eq!(wiring.environment("Consumer").len(), 2);
    }

    #[test]
    fn shapes_it_does_not_model_are_errors() {
        let cases = [
            ("TopicArn: !Ref Topic", "TopicArn: arn:aws:sns:eu-west-1:1:t", "expected !Ref"),
            ("Protocol: sqs", "Protocol: lambda", "SQS queues only"),
            ("maxReceiveCount: 3", "maxReceiveCount: 0", "maxReceiveCount is not a positive number"),
            (
                "!GetAtt Work.Arn, BatchSize",
                "!GetAtt Work.QueueName, BatchSize",
                "expected !GetAtt Resource.Arn",
            ),
            ("!GetAtt Work.Arn, BatchSize", "!GetAtt Elsewhere.Arn, BatchSize", "Elsewhere is not a queue"),
            ("BatchSize: 25", "BatchSize: 0", "BatchSize 0 is not a size"),
            ("TOPIC: !Ref Topic", "TOPIC: !Sub '${Topic}'", "does not resolve"),
            ("Type: SQS", "Type: Kinesis", "does not model Kinesis events"),
        ];
        for (from, to, expected) in cases {
            assert!(TEMPLATE.contains(from), "{from}");
            let error = Wiring::parse(&TEMPLATE.replacen(from, to, 1)).unwrap_err();
            assert!(error.contains(expected), "{to}: got {error:?}, expected {expected:?}");
        }
    }
}
