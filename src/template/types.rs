//! What flowdoc knows of each CloudFormation and SAM resource type, in one table.
//!
//! Every stage that asks something of a type name asks [`resource_type`]: the kind of node the
//! flow draws ([`kind_of`]), the IAM resource its grants are matched against and the IAM service
//! prefix, the property that holds its physical name, what `Ref` and `Fn::GetAtt` give, whether
//! an event source mapping reading from it is a DynamoDB, Kinesis or SQS trigger, whether it is
//! (or stands for) a Lambda function, and which SAM `Globals` section applies to it. A type not
//! in the table is an "other" resource with none of these.
//!
//! Which function reads a type's properties stays a `match` in `resources::read` and
//! `grants::read`: those are code, not facts, and a match on the name says it most plainly.

use super::model::{ResourceKind, TriggerSource};
use super::policy_templates::{IamResource, Identifier};
use super::yaml::Node;

/// One resource type and what flowdoc knows of it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ResourceType {
    /// The type name, as in a template's `Type`.
    pub(crate) name: &'static str,
    /// What kind of node it is in the flow. `AWS::Events::Rule` is listed as
    /// [`ResourceKind::EventRule`]; [`kind_of`] makes a rule with only a schedule a
    /// [`ResourceKind::Schedule`].
    pub(crate) kind: ResourceKind,
    /// The IAM resource that actions on it act on, for matching a grant's actions to it.
    pub(crate) iam: Option<IamResource>,
    /// The property that holds its physical name, for the types whose names and ARNs flowdoc
    /// matches literal text against (`QueueName`, `TableName`, ...).
    pub(crate) name_property: Option<&'static str>,
    /// What `Ref` of it gives, where recorded. With `arn_attribute`, the facts a check of a
    /// value against what a policy template parameter wants needs (`QueueName: !Ref Queue` gives
    /// a URL, not a name); no stage reads the two yet.
    pub(crate) ref_gives: Option<Identifier>,
    /// The `Fn::GetAtt` attribute that gives its ARN (`Arn` for most), where it has one.
    pub(crate) arn_attribute: Option<&'static str>,
    /// The trigger an event source mapping reading from it is.
    pub(crate) event_source: Option<TriggerSource>,
    /// Whether it is a Lambda function, or stands for one.
    pub(crate) lambda: Option<Lambda>,
    /// For a stream consumer: the property naming the stream it reads. As an event source it
    /// stands for that stream.
    pub(crate) consumer_of: Option<&'static str>,
    /// The SAM `Globals` section that applies to it.
    pub(crate) globals: Option<&'static str>,
}

/// How a resource type is a Lambda function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lambda {
    /// It is a function.
    Function,
    /// An alias or version: it stands for the function its `FunctionName` names.
    Qualifier,
}

impl ResourceType {
    /// The IAM service prefix of its actions (`sqs`), for grants on all of a service.
    pub(crate) fn service(&self) -> Option<&'static str> {
        self.iam?.service()
    }
}

/// What is known of the type called `name`, if flowdoc knows anything of it.
pub(crate) fn resource_type(name: &str) -> Option<&'static ResourceType> {
    TYPES.binary_search_by(|row| row.name.cmp(name)).ok().map(|index| &TYPES[index])
}

/// The kind of a resource of type `name` in the flow. Two kinds depend on the properties: an
/// `AWS::Events::Rule` with a `ScheduleExpression` and no `EventPattern` is a schedule (any
/// other rule an event rule), and an `AWS::ApiGatewayV2::Api` with `ProtocolType: WEBSOCKET` a
/// WebSocket API (any other one an HTTP API).
pub(crate) fn kind_of(name: &str, properties: Option<&Node>) -> ResourceKind {
    let scheduled = |p: &Node| p.get("ScheduleExpression").is_some() && p.get("EventPattern").is_none();
    let websocket = |p: &Node| p.get("ProtocolType").and_then(Node::as_str) == Some("WEBSOCKET");
    match resource_type(name).map_or(ResourceKind::Other, |row| row.kind) {
        ResourceKind::EventRule if properties.is_some_and(scheduled) => ResourceKind::Schedule,
        ResourceKind::HttpApi if name == "AWS::ApiGatewayV2::Api" && properties.is_some_and(websocket) => {
            ResourceKind::WebSocketApi
        }
        kind => kind,
    }
}

/// The IAM service prefix of a resource type (`sqs` for `AWS::SQS::Queue`), if its actions are
/// ones flowdoc follows.
pub(crate) fn service_of(name: &str) -> Option<&'static str> {
    resource_type(name)?.service()
}

/// A row with nothing known; each row below sets what is.
const NOTHING: ResourceType = ResourceType {
    name: "",
    kind: ResourceKind::Other,
    iam: None,
    name_property: None,
    ref_gives: None,
    arn_attribute: None,
    event_source: None,
    lambda: None,
    consumer_of: None,
    globals: None,
};

/// A DynamoDB table, which the SAM simple table is too.
const DYNAMODB_TABLE: ResourceType = ResourceType {
    name: "AWS::DynamoDB::Table",
    kind: ResourceKind::DynamoDbTable,
    iam: Some(IamResource::DynamoDbTable),
    name_property: Some("TableName"),
    ref_gives: Some(Identifier::Name),
    arn_attribute: Some("Arn"),
    event_source: Some(TriggerSource::DynamoDb),
    ..NOTHING
};

/// A Lambda function, which the SAM function is too.
const LAMBDA_FUNCTION: ResourceType = ResourceType {
    name: "AWS::Lambda::Function",
    kind: ResourceKind::Function,
    iam: Some(IamResource::LambdaFunction),
    name_property: Some("FunctionName"),
    ref_gives: Some(Identifier::Name),
    arn_attribute: Some("Arn"),
    lambda: Some(Lambda::Function),
    ..NOTHING
};

/// A Step Functions state machine, which the SAM state machine is too.
const STATE_MACHINE: ResourceType = ResourceType {
    name: "AWS::StepFunctions::StateMachine",
    kind: ResourceKind::StateMachine,
    iam: Some(IamResource::StateMachine),
    name_property: Some("StateMachineName"),
    ref_gives: Some(Identifier::Arn),
    arn_attribute: Some("Arn"),
    ..NOTHING
};

/// Every type flowdoc knows something of, sorted by name in byte order for binary search.
///
/// `ref_gives` and `arn_attribute` are as the CloudFormation and SAM references document them
/// ("Return values"); a SAM type that creates a resource under its own logical ID answers
/// `Fn::GetAtt` as that resource does.
static TYPES: &[ResourceType] = &[
    ResourceType {
        name: "AWS::ApiGateway::RestApi",
        kind: ResourceKind::Api,
        ref_gives: Some(Identifier::Id),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::ApiGatewayV2::Api",
        kind: ResourceKind::HttpApi,
        ref_gives: Some(Identifier::Id),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::AppSync::GraphQLApi",
        kind: ResourceKind::GraphQlApi,
        ref_gives: Some(Identifier::Arn),
        arn_attribute: Some("Arn"),
        ..NOTHING
    },
    // A global table is a table with replicas: the same to flowdoc.
    ResourceType {
        name: "AWS::CloudWatch::Alarm",
        kind: ResourceKind::Alarm,
        ref_gives: Some(Identifier::Name),
        arn_attribute: Some("Arn"),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::CloudWatch::CompositeAlarm",
        kind: ResourceKind::Alarm,
        ref_gives: Some(Identifier::Name),
        arn_attribute: Some("Arn"),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::Cognito::UserPool",
        kind: ResourceKind::UserPool,
        ref_gives: Some(Identifier::Id),
        arn_attribute: Some("Arn"),
        ..NOTHING
    },
    ResourceType { name: "AWS::DynamoDB::GlobalTable", ..DYNAMODB_TABLE },
    ResourceType { name: "AWS::DynamoDB::Table", ..DYNAMODB_TABLE },
    ResourceType {
        name: "AWS::ElasticLoadBalancingV2::LoadBalancer",
        kind: ResourceKind::LoadBalancer,
        ref_gives: Some(Identifier::Arn),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::Events::EventBus",
        kind: ResourceKind::EventBus,
        iam: Some(IamResource::EventBus),
        name_property: Some("Name"),
        ref_gives: Some(Identifier::Name),
        arn_attribute: Some("Arn"),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::Events::Rule",
        kind: ResourceKind::EventRule,
        name_property: Some("Name"),
        // The rule's id: its name, written `bus|name` for a rule on a custom bus.
        ref_gives: Some(Identifier::Id),
        arn_attribute: Some("Arn"),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::IoT::TopicRule",
        kind: ResourceKind::IotRule,
        ref_gives: Some(Identifier::Name),
        arn_attribute: Some("Arn"),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::Kinesis::Stream",
        kind: ResourceKind::KinesisStream,
        iam: Some(IamResource::KinesisStream),
        name_property: Some("Name"),
        ref_gives: Some(Identifier::Name),
        arn_attribute: Some("Arn"),
        event_source: Some(TriggerSource::Kinesis),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::Kinesis::StreamConsumer",
        ref_gives: Some(Identifier::Arn),
        arn_attribute: Some("ConsumerARN"),
        consumer_of: Some("StreamARN"),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::KinesisFirehose::DeliveryStream",
        kind: ResourceKind::DeliveryStream,
        iam: Some(IamResource::FirehoseStream),
        name_property: Some("DeliveryStreamName"),
        ref_gives: Some(Identifier::Name),
        arn_attribute: Some("Arn"),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::Lambda::Alias",
        ref_gives: Some(Identifier::Arn),
        lambda: Some(Lambda::Qualifier),
        ..NOTHING
    },
    LAMBDA_FUNCTION,
    ResourceType { name: "AWS::Lambda::Url", kind: ResourceKind::HttpApi, ..NOTHING },
    ResourceType {
        name: "AWS::Lambda::Version",
        ref_gives: Some(Identifier::Arn),
        lambda: Some(Lambda::Qualifier),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::Logs::LogGroup",
        kind: ResourceKind::LogGroup,
        name_property: None,
        ref_gives: Some(Identifier::Name),
        arn_attribute: Some("Arn"),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::Pipes::Pipe",
        kind: ResourceKind::Pipe,
        ref_gives: Some(Identifier::Name),
        arn_attribute: Some("Arn"),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::S3::Bucket",
        kind: ResourceKind::S3Bucket,
        iam: Some(IamResource::S3Bucket),
        name_property: Some("BucketName"),
        ref_gives: Some(Identifier::Name),
        arn_attribute: Some("Arn"),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::SNS::Topic",
        kind: ResourceKind::SnsTopic,
        iam: Some(IamResource::SnsTopic),
        name_property: Some("TopicName"),
        ref_gives: Some(Identifier::Arn),
        arn_attribute: Some("TopicArn"),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::SQS::Queue",
        kind: ResourceKind::SqsQueue,
        iam: Some(IamResource::SqsQueue),
        name_property: Some("QueueName"),
        ref_gives: Some(Identifier::Url),
        arn_attribute: Some("Arn"),
        event_source: Some(TriggerSource::Sqs),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::Scheduler::Schedule",
        kind: ResourceKind::Schedule,
        ref_gives: Some(Identifier::Name),
        arn_attribute: Some("Arn"),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::Serverless::Api",
        kind: ResourceKind::Api,
        ref_gives: Some(Identifier::Id),
        globals: Some("Api"),
        ..NOTHING
    },
    ResourceType { name: "AWS::Serverless::Function", globals: Some("Function"), ..LAMBDA_FUNCTION },
    ResourceType { name: "AWS::Serverless::GraphQLApi", kind: ResourceKind::GraphQlApi, ..NOTHING },
    ResourceType {
        name: "AWS::Serverless::HttpApi",
        kind: ResourceKind::HttpApi,
        ref_gives: Some(Identifier::Id),
        globals: Some("HttpApi"),
        ..NOTHING
    },
    ResourceType {
        name: "AWS::Serverless::LayerVersion",
        ref_gives: Some(Identifier::Arn),
        globals: Some("LayerVersion"),
        ..NOTHING
    },
    // A simple table has no stream to read from.
    ResourceType {
        name: "AWS::Serverless::SimpleTable",
        event_source: None,
        globals: Some("SimpleTable"),
        ..DYNAMODB_TABLE
    },
    ResourceType {
        name: "AWS::Serverless::StateMachine",
        name_property: Some("Name"),
        globals: Some("StateMachine"),
        ..STATE_MACHINE
    },
    STATE_MACHINE,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::yaml::{YamlLimits, parse};

    #[test]
    fn names_are_sorted_and_unique_so_every_row_is_found() {
        for pair in TYPES.windows(2) {
            assert!(pair[0].name < pair[1].name, "{} before {}", pair[0].name, pair[1].name);
        }
        for row in TYPES {
            assert_eq!(resource_type(row.name).map(|found| found.name), Some(row.name));
        }
        assert_eq!(resource_type("AWS::IAM::Role"), None);
        assert_eq!(resource_type("aws::sqs::queue"), None, "type names are matched exactly");
    }

    #[test]
    fn ref_and_arn_as_documented() {
        let ref_gives = |name: &str| resource_type(name).and_then(|row| row.ref_gives);
        assert_eq!(ref_gives("AWS::SQS::Queue"), Some(Identifier::Url));
        assert_eq!(ref_gives("AWS::SNS::Topic"), Some(Identifier::Arn));
        assert_eq!(ref_gives("AWS::DynamoDB::Table"), Some(Identifier::Name));
        assert_eq!(ref_gives("AWS::Lambda::Function"), Some(Identifier::Name));
        assert_eq!(ref_gives("AWS::Serverless::Function"), Some(Identifier::Name));
        assert_eq!(ref_gives("AWS::StepFunctions::StateMachine"), Some(Identifier::Arn));
        assert_eq!(ref_gives("AWS::S3::Bucket"), Some(Identifier::Name));
        let arn = |name: &str| resource_type(name).and_then(|row| row.arn_attribute);
        assert_eq!(arn("AWS::SQS::Queue"), Some("Arn"));
        assert_eq!(arn("AWS::SNS::Topic"), Some("TopicArn"), "a topic has no `Arn` attribute");
        assert_eq!(arn("AWS::Kinesis::StreamConsumer"), Some("ConsumerARN"));
        assert_eq!(arn("AWS::Lambda::Alias"), None, "`Ref` gives an alias's ARN");
    }

    #[test]
    fn kinds_and_the_scheduled_rule() {
        let rule = |text: &str| parse(text, YamlLimits::default()).unwrap().root;
        assert_eq!(kind_of("AWS::SQS::Queue", None), ResourceKind::SqsQueue);
        assert_eq!(kind_of("AWS::Lambda::Url", None), ResourceKind::HttpApi);
        assert_eq!(kind_of("AWS::KinesisFirehose::DeliveryStream", None), ResourceKind::DeliveryStream);
        let websocket = rule("ProtocolType: WEBSOCKET");
        assert_eq!(kind_of("AWS::ApiGatewayV2::Api", Some(&websocket)), ResourceKind::WebSocketApi);
        assert_eq!(
            kind_of("AWS::ApiGatewayV2::Api", Some(&rule("ProtocolType: HTTP"))),
            ResourceKind::HttpApi
        );
        assert_eq!(kind_of("AWS::ApiGatewayV2::Api", None), ResourceKind::HttpApi);
        assert_eq!(kind_of("AWS::IAM::Role", None), ResourceKind::Other);
        assert_eq!(kind_of("AWS::Events::Rule", None), ResourceKind::EventRule);
        let scheduled = rule("ScheduleExpression: rate(1 hour)");
        assert_eq!(kind_of("AWS::Events::Rule", Some(&scheduled)), ResourceKind::Schedule);
        let both = rule("{ScheduleExpression: rate(1 hour), EventPattern: {source: [x]}}");
        assert_eq!(kind_of("AWS::Events::Rule", Some(&both)), ResourceKind::EventRule);
        // Only a rule's kind depends on its properties.
        assert_eq!(kind_of("AWS::SQS::Queue", Some(&scheduled)), ResourceKind::SqsQueue);
    }

    #[test]
    fn iam_resources_and_service_prefixes() {
        let service = |name: &str| service_of(name);
        assert_eq!(service("AWS::SQS::Queue"), Some("sqs"));
        assert_eq!(service("AWS::Serverless::SimpleTable"), Some("dynamodb"));
        assert_eq!(service("AWS::Serverless::StateMachine"), Some("states"));
        assert_eq!(service("AWS::KinesisFirehose::DeliveryStream"), Some("firehose"));
        assert_eq!(service("AWS::Events::Rule"), None, "rules take no data flowdoc follows");
        assert_eq!(service("AWS::IAM::Role"), None);
        // Every IAM resource of the table is one of a service whose actions flowdoc follows,
        // and that service is the type's own namespace (`AWS::SQS::Queue` is `sqs`).
        for row in TYPES {
            let Some(iam) = row.iam else { continue };
            let service = iam.service().unwrap_or_else(|| panic!("{} has no service", row.name));
            let namespace = row.name.split("::").nth(1).unwrap().to_ascii_lowercase();
            let expected = match namespace.as_str() {
                "serverless" if row.kind == ResourceKind::DynamoDbTable => "dynamodb",
                "serverless" if row.kind == ResourceKind::Function => "lambda",
                "serverless" | "stepfunctions" => "states",
                "kinesisfirehose" => "firehose",
                other => other,
            };
            assert_eq!(service, expected, "{}", row.name);
        }
    }

    #[test]
    fn functions_sources_names_and_globals() {
        let row = |name: &str| resource_type(name).unwrap();
        assert_eq!(row("AWS::Serverless::Function").lambda, Some(Lambda::Function));
        assert_eq!(row("AWS::Lambda::Version").lambda, Some(Lambda::Qualifier));
        assert_eq!(row("AWS::Lambda::Url").lambda, None);
        assert_eq!(row("AWS::DynamoDB::GlobalTable").event_source, Some(TriggerSource::DynamoDb));
        assert_eq!(row("AWS::SQS::Queue").event_source, Some(TriggerSource::Sqs));
        assert_eq!(row("AWS::SNS::Topic").event_source, None);
        assert_eq!(row("AWS::Kinesis::StreamConsumer").consumer_of, Some("StreamARN"));
        assert_eq!(row("AWS::SQS::Queue").name_property, Some("QueueName"));
        assert_eq!(row("AWS::StepFunctions::StateMachine").name_property, Some("StateMachineName"));
        assert_eq!(row("AWS::Serverless::StateMachine").name_property, Some("Name"));
        assert_eq!(row("AWS::Serverless::LayerVersion").globals, Some("LayerVersion"));
        assert_eq!(row("AWS::Lambda::Function").globals, None, "Globals are for SAM types only");
        for row in TYPES.iter().filter(|row| row.globals.is_some()) {
            assert!(row.name.starts_with("AWS::Serverless::"), "{}", row.name);
        }
    }
}
