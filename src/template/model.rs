//! The typed model of loaded templates: resources with their kind and position, and the
//! relations between them (triggers, subscriptions, routes, failure paths, access grants,
//! environment references, invoke permissions), each with the line it comes from.

pub use crate::severity::Severity;

use super::yaml::Node;
use crate::location::Location;
use std::cmp::{Ordering, Reverse};
use std::collections::BTreeMap;

/// Every template of a project, loaded: the templates sorted by path, the ones that could not
/// be loaded sorted by location.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Templates {
    templates: Vec<Template>,
    errors: Vec<TemplateProblem>,
}

impl Templates {
    /// The templates that loaded and the problems of those that did not, each sorted.
    pub fn new(mut templates: Vec<Template>, mut errors: Vec<TemplateProblem>) -> Templates {
        templates.sort_by(|a, b| a.path.cmp(&b.path));
        errors.sort();
        Templates { templates, errors }
    }

    /// The templates that loaded, sorted by path.
    pub fn templates(&self) -> &[Template] {
        &self.templates
    }

    /// Templates that could not be loaded, sorted by location.
    pub fn errors(&self) -> &[TemplateProblem] {
        &self.errors
    }

    /// Names the stacks the templates at the paths of `names` are deployed as (where the project
    /// says so, over what a `samconfig.toml` said).
    pub fn name_stacks(&mut self, names: &BTreeMap<String, String>) {
        for template in &mut self.templates {
            if let Some(name) = names.get(&template.path) {
                template.stack_name = Some(name.clone());
            }
        }
    }

    /// The templates that loaded, taken out.
    pub fn into_templates(self) -> Vec<Template> {
        self.templates
    }
}

/// One SAM or CloudFormation template.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Template {
    /// Relative path with `/` separators.
    pub path: String,
    /// Resources by logical ID, implicit ones (created by the SAM transform) included.
    pub resources: BTreeMap<String, Resource>,
    /// Parameters by name.
    pub parameters: BTreeMap<String, Parameter>,
    /// Relations, sorted by location, then endpoints.
    pub relations: Vec<Relation>,
    /// What is wrong in the template without stopping it from loading: duplicate keys, names
    /// that name nothing, things read but not understood. Sorted by location.
    pub problems: Vec<TemplateProblem>,
    /// The outputs it exports for other stacks (`Outputs.<X>.Export.Name`) that name one of its
    /// resources, sorted by name.
    pub exports: Vec<Export>,
    /// The files it names (API and state machine definitions) that are there but cannot be
    /// read or parsed, sorted.
    pub unreadable: Vec<crate::scan::SourceProblem>,
    /// Its `Outputs` whose `Value` names something (a resource, a nested stack's output, a
    /// parameter), sorted by name: what `Fn::GetAtt <Stack>.Outputs.<Name>` in a template
    /// nesting it stands for.
    pub outputs: Vec<Output>,
    /// The local templates its nested stacks (`AWS::CloudFormation::Stack`,
    /// `AWS::Serverless::Application`) load, with the parameters it passes them.
    pub nested: Vec<NestedStack>,
    /// The stack name it is deployed as, from the `samconfig.toml` beside it; never for a
    /// template another one nests (its stack name is made up at deploy time).
    pub stack_name: Option<String>,
}

/// An output of a template and what its value names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Output {
    /// The output's logical name.
    pub name: String,
    /// What its value names, in this template.
    pub target: Endpoint,
    /// Where the output is written.
    pub location: Location,
}

/// A nested stack of a template whose template is a local file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NestedStack {
    /// The logical ID of the stack (or SAM application) resource.
    pub resource: String,
    /// The path of the template it loads, relative to the project.
    pub template: String,
    /// What the value of each parameter it passes (`Parameters`) names, in the nesting
    /// template: a resource, an outside thing, or a parameter of its own.
    pub parameters: BTreeMap<String, Endpoint>,
}

/// An output a template exports, and the resource its value names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Export {
    /// The export's name as text, placeholders such as `${AWS::StackName}` kept.
    pub name: String,
    /// The logical ID of the resource the output's value names.
    pub resource: String,
    /// Where the export is written.
    pub location: Location,
}

/// A template parameter.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Parameter {
    /// Its `Default`, if any.
    pub default: Option<Node>,
    /// Where it is declared.
    pub location: Location,
}

/// A resource of a template.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Resource {
    /// The logical ID.
    pub id: String,
    /// The CloudFormation or SAM type, such as `AWS::Serverless::Function`.
    pub type_name: String,
    /// What kind of thing it is in the flow.
    pub kind: ResourceKind,
    /// Where its logical ID is written; for implicit resources, where what creates them is.
    pub location: Location,
    /// Its `Condition`, if any.
    pub condition: Option<String>,
    /// Created by the SAM transform rather than written in the template.
    pub implicit: bool,
    /// `Properties`, with `Globals` merged in for SAM resources.
    pub properties: Node,
    /// The settings the rules read, by kind.
    pub details: Details,
}

/// The kinds of resource the flow distinguishes, named as in the JSON graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum ResourceKind {
    /// A Lambda function.
    Function,
    /// An API Gateway REST API.
    Api,
    /// A DynamoDB table.
    DynamoDbTable,
    /// A Kinesis data stream.
    KinesisStream,
    /// An SQS queue.
    SqsQueue,
    /// An SNS topic.
    SnsTopic,
    /// An EventBridge event bus.
    EventBus,
    /// An EventBridge rule with an event pattern.
    EventRule,
    /// An S3 bucket.
    S3Bucket,
    /// An EventBridge rule on a schedule, or an EventBridge Scheduler schedule.
    Schedule,
    /// A Step Functions state machine.
    StateMachine,
    /// An EventBridge pipe.
    Pipe,
    /// An API Gateway HTTP API, or a function URL.
    HttpApi,
    /// An API Gateway WebSocket API.
    WebSocketApi,
    /// An AppSync GraphQL API.
    GraphQlApi,
    /// A Kinesis Data Firehose delivery stream.
    DeliveryStream,
    /// An IoT topic rule.
    IotRule,
    /// An Elastic Load Balancing (v2) load balancer.
    LoadBalancer,
    /// A CloudWatch Logs log group.
    LogGroup,
    /// A Cognito user pool.
    UserPool,
    /// A CloudWatch alarm.
    Alarm,
    /// Any other resource type.
    Other,
}

impl ResourceKind {
    /// Every kind, in declaration order.
    pub const ALL: [ResourceKind; 22] = [
        ResourceKind::Function,
        ResourceKind::Api,
        ResourceKind::DynamoDbTable,
        ResourceKind::KinesisStream,
        ResourceKind::SqsQueue,
        ResourceKind::SnsTopic,
        ResourceKind::EventBus,
        ResourceKind::EventRule,
        ResourceKind::S3Bucket,
        ResourceKind::Schedule,
        ResourceKind::StateMachine,
        ResourceKind::Pipe,
        ResourceKind::HttpApi,
        ResourceKind::WebSocketApi,
        ResourceKind::GraphQlApi,
        ResourceKind::DeliveryStream,
        ResourceKind::IotRule,
        ResourceKind::LoadBalancer,
        ResourceKind::LogGroup,
        ResourceKind::UserPool,
        ResourceKind::Alarm,
        ResourceKind::Other,
    ];

    /// The kind called `name` in the JSON graph.
    pub fn from_name(name: &str) -> Option<ResourceKind> {
        ResourceKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The kind's name in the JSON graph.
    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::Function => "function",
            ResourceKind::Api => "api",
            ResourceKind::DynamoDbTable => "dynamodb-table",
            ResourceKind::KinesisStream => "kinesis-stream",
            ResourceKind::SqsQueue => "sqs-queue",
            ResourceKind::SnsTopic => "sns-topic",
            ResourceKind::EventBus => "event-bus",
            ResourceKind::EventRule => "event-rule",
            ResourceKind::S3Bucket => "s3-bucket",
            ResourceKind::Schedule => "schedule",
            ResourceKind::StateMachine => "state-machine",
            ResourceKind::Pipe => "pipe",
            ResourceKind::HttpApi => "http-api",
            ResourceKind::WebSocketApi => "websocket-api",
            ResourceKind::GraphQlApi => "graphql-api",
            ResourceKind::DeliveryStream => "delivery-stream",
            ResourceKind::IotRule => "iot-rule",
            ResourceKind::LoadBalancer => "load-balancer",
            ResourceKind::LogGroup => "log-group",
            ResourceKind::UserPool => "user-pool",
            ResourceKind::Alarm => "alarm",
            ResourceKind::Other => "resource",
        }
    }
}

/// Settings of a resource that rules and documentation read.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Details {
    /// A Lambda function.
    Function(FunctionDetails),
    /// An SQS queue.
    Queue(QueueDetails),
    /// A DynamoDB table.
    Table(TableDetails),
    /// Nothing beyond the kind.
    #[default]
    None,
}

/// What flowdoc reads of a function.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FunctionDetails {
    /// `CodeUri` (SAM) when it is a local path, relative to the template's folder.
    pub code_uri: Option<String>,
    /// The binary cargo-lambda builds: `Metadata.BuildProperties.Binary`, or the `<binary>`
    /// of a `target/lambda/<binary>/` code path.
    pub binary: Option<String>,
    /// `Metadata.BuildMethod`, such as `rust-cargolambda`.
    pub build_method: Option<String>,
    /// `Runtime`.
    pub runtime: Option<String>,
    /// `Timeout` in seconds and where it is set; `None` when the default (3 s) applies.
    pub timeout: Option<(i64, Location)>,
    /// Whether active tracing is on (`Tracing: Active` or `TracingConfig.Mode: Active`).
    pub tracing_active: bool,
    /// Environment variables by name.
    pub environment: BTreeMap<String, EnvVar>,
}

/// An environment variable of a function.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EnvVar {
    /// The value as text where it is one (a literal, or a `!Sub` with placeholders).
    pub text: Option<String>,
    /// The resources its value references.
    pub references: Vec<Reference>,
    /// Where the variable is set.
    pub location: Location,
}

/// What flowdoc reads of an SQS queue.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QueueDetails {
    /// `VisibilityTimeout` in seconds and where; `None` when the default (30 s) applies.
    pub visibility_timeout: Option<(i64, Location)>,
    /// A FIFO queue.
    pub fifo: bool,
}

/// What flowdoc reads of a DynamoDB table.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TableDetails {
    /// The stream's view type, when the table has a stream.
    pub stream_view_type: Option<String>,
}

/// What a value in a template names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Reference {
    /// The resource or outside thing named.
    pub target: Endpoint,
    /// The attribute, for `Fn::GetAtt` and `${X.Attr}`.
    pub attribute: Option<String>,
    /// Behind a `Fn::If` (or a `Fn::FindInMap` whose keys are not known): it may not hold.
    pub conditional: bool,
    /// Where the reference is written.
    pub location: Location,
}

/// One end of a relation.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Endpoint {
    /// A resource of the same template, by logical ID.
    Resource(String),
    /// Something outside the template.
    External(External),
    /// A logical ID that no resource of the template has.
    Missing(String),
}

impl Endpoint {
    /// The logical ID, for a resource of the template.
    pub fn resource(&self) -> Option<&str> {
        match self {
            Endpoint::Resource(id) => Some(id),
            _ => None,
        }
    }
}

/// Something a template references that it does not define.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum External {
    /// `Fn::ImportValue` of this export name (placeholders such as `${AWS::StackName}` kept).
    Import(String),
    /// A literal ARN that matches no resource of the template.
    Arn(String),
    /// A parameter whose value is not known from the template (no usable default).
    Parameter(String),
    /// The account's default EventBridge bus.
    DefaultEventBus,
    /// An AWS service or outside endpoint with no resource of its own: an invoke permission's
    /// principal, a self-managed Kafka cluster, an e-mail subscription, or every resource of a
    /// service (`sqs`) for grants that name no resource.
    Service(String),
    /// Every resource of a service (`sqs`), or of every service (`*`), for grants that name no
    /// single resource: `Resource: "*"` or an AWS managed policy such as `AmazonSQSFullAccess`.
    Wildcard(String),
    /// An output of a nested stack: `Fn::GetAtt <stack>.Outputs.<output>`, with `stack` the
    /// logical ID of the stack resource. The flow follows it into the nested template.
    StackOutput {
        /// The logical ID of the stack (or SAM application) resource.
        stack: String,
        /// The output's name.
        output: String,
    },
}

impl External {
    /// A stable name for the outside thing, used as its node id.
    pub fn label(&self) -> String {
        match self {
            External::Import(name) => format!("import:{name}"),
            External::Arn(arn) => arn.clone(),
            External::Parameter(name) => name.clone(),
            External::DefaultEventBus => "default".to_owned(),
            External::Service(name) => name.clone(),
            External::Wildcard(service) => format!("{service}:*"),
            External::StackOutput { stack, output } => format!("{stack}.Outputs.{output}"),
        }
    }
}

/// A relation between two things in a template.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Relation {
    /// Where data comes from (or who is granted, for grants and environment references).
    pub from: Endpoint,
    /// Where it goes (or what is granted or referenced).
    pub to: Endpoint,
    /// What the relation is.
    pub kind: RelationKind,
    /// Where it is written.
    pub location: Location,
    /// Behind a condition: it may not exist in every deployment.
    pub conditional: bool,
}

/// The kinds of relation.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum RelationKind {
    /// A source invokes a function: an API route, an event source mapping, a rule or schedule
    /// target, an S3 notification.
    Trigger(Trigger),
    /// A topic delivers to an endpoint (queue, function, ...).
    Subscription(Subscription),
    /// Events move on without invoking a function here: bus to rule, rule to a target that is
    /// not a function, bucket notification to a queue or topic, pipe, table stream to Kinesis,
    /// a state machine invoking a function, an on-success destination.
    Route(Route),
    /// Where data lands when processing fails.
    Failure(Failure),
    /// The function (`from`) may access the resource (`to`).
    Grant(Grant),
    /// The function's (`from`) environment variable references the resource (`to`).
    Env(String),
    /// `AWS::Lambda::Permission`: a service or resource (`from`) may invoke the function (`to`).
    Permission(Permission),
    /// A write the author declared in the template: a SAM connector with `Write` permission
    /// from a function or state machine (`from`) to a resource (`to`). It is flow, where a
    /// [`Grant`] is only access; the connector's grant is emitted too.
    Write(Write),
}

impl RelationKind {
    /// A short name for the kind, for sorting and messages.
    pub fn name(&self) -> &'static str {
        match self {
            RelationKind::Trigger(_) => "trigger",
            RelationKind::Subscription(_) => "subscription",
            RelationKind::Route(_) => "route",
            RelationKind::Failure(_) => "failure",
            RelationKind::Grant(_) => "grant",
            RelationKind::Env(_) => "env",
            RelationKind::Permission(_) => "permission",
            RelationKind::Write(_) => "write",
        }
    }
}

/// How a source invokes a function.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Trigger {
    /// What invokes.
    pub source: TriggerSource,
    /// The SAM event's name under `Events`, or the logical ID of the mapping or rule.
    pub name: String,
    /// Invoked asynchronously (events, S3, schedules), so failures need a DLQ or destination.
    pub asynchronous: bool,
    /// `BatchSize`.
    pub batch_size: Option<i64>,
    /// `StartingPosition`.
    pub starting_position: Option<String>,
    /// `FunctionResponseTypes`, such as `ReportBatchItemFailures`.
    pub function_response_types: Vec<String>,
    /// `MaximumRetryAttempts` (-1 is unbounded).
    pub maximum_retry_attempts: Option<i64>,
    /// `MaximumRecordAgeInSeconds` (-1 is unbounded).
    pub maximum_record_age: Option<i64>,
    /// `BisectBatchOnFunctionError`.
    pub bisect_batch_on_error: Option<bool>,
    /// `FilterCriteria`, as written.
    pub filter_criteria: Option<Node>,
    /// For APIs: method and path, such as `POST /orders`; for authorizers, `authorizer NAME`.
    pub route: Option<String>,
    /// `Enabled: false` turns the mapping off.
    pub enabled: bool,
}

/// The sources that invoke functions.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TriggerSource {
    /// API Gateway REST API.
    Api,
    /// API Gateway HTTP API.
    HttpApi,
    /// A function URL.
    FunctionUrl,
    /// A DynamoDB stream.
    DynamoDb,
    /// A Kinesis stream.
    Kinesis,
    /// An SQS queue.
    Sqs,
    /// An EventBridge rule.
    EventBridge,
    /// A schedule.
    Schedule,
    /// S3 notifications.
    S3,
    /// Any other event source, by its SAM event type or resource type.
    #[default]
    Other,
    /// A SAM event type flowdoc has no special knowledge of.
    Generic(String),
    /// An AWS IoT topic rule's `Lambda` action (or a SAM `IoTRule` event).
    IoT,
    /// An Application Load Balancer, through a target group of type `lambda`.
    LoadBalancer,
    /// A CloudWatch Logs subscription filter (or a SAM `CloudWatchLogs` event).
    CloudWatchLogs,
    /// A Cognito user pool trigger (`LambdaConfig`, or a SAM `Cognito` event).
    Cognito,
    /// A Lambda authorizer called by its API before a request goes on.
    Authorizer,
    /// An AppSync GraphQL API's Lambda data source, invoked by the resolvers that use it.
    AppSync,
    /// A Kinesis Data Firehose delivery stream's Lambda record processor.
    Firehose,
}

/// An SNS subscription.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Subscription {
    /// `Protocol`: `sqs`, `lambda`, `https`, ...
    pub protocol: String,
    /// `FilterPolicy`, parsed (it may be written as an object or as a JSON string).
    pub filter_policy: Option<Node>,
    /// `FilterPolicyScope`: `MessageAttributes` (the default) or `MessageBody`.
    pub filter_scope: String,
    /// `RawMessageDelivery`.
    pub raw: bool,
    /// Where the subscription is declared: an `AWS::SNS::Subscription`'s logical ID, or the
    /// topic's inline list, or a SAM `SNS` event.
    pub declared_by: String,
    /// Whether a subscription redrive policy sends undeliverable messages to a DLQ.
    pub has_redrive: bool,
}

/// A hop that is not a trigger or subscription.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Route {
    /// What kind of hop.
    pub via: RouteVia,
    /// An EventBridge event pattern, parsed, for bus-to-rule routes.
    pub pattern: Option<Node>,
    /// For rule targets: the target's `Id`; for notifications: the S3 event types.
    pub label: Option<String>,
    /// For rule targets: whether a `DeadLetterConfig` is set.
    pub has_dead_letter: bool,
}

/// Kinds of [`Route`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RouteVia {
    /// An event bus to one of its rules.
    #[default]
    BusToRule,
    /// A rule or schedule to a target.
    RuleTarget,
    /// An S3 bucket notification to a queue or topic.
    Notification,
    /// An EventBridge pipe's source to the pipe, or the pipe to its target.
    Pipe,
    /// A DynamoDB table's Kinesis streaming destination.
    StreamingDestination,
    /// A function's on-success destination.
    OnSuccess,
    /// A state machine's task invoking a function or service.
    StateMachineTask,
    /// An AWS IoT topic rule's action to the resource it sends messages to.
    TopicRuleAction,
    /// A CloudWatch Logs subscription filter from its log group to a stream or delivery stream.
    LogSubscription,
    /// A CloudWatch alarm's action (`AlarmActions`, `OKActions`, `InsufficientDataActions`)
    /// to the topic it notifies.
    AlarmAction,
    /// A load balancer (or target group) to a `lambda` target that is not a function of the
    /// template.
    LoadBalancerTarget,
    /// An API's integration calling a service (a queue, topic, stream, table, bus, state
    /// machine, bucket) or an outside URL; labelled with method and path.
    ApiIntegration,
    /// An AppSync GraphQL API to what one of its data sources reads or writes.
    DataSource,
    /// A Kinesis Data Firehose delivery stream's source stream to it, or it to a destination.
    DeliveryStream,
}

/// A failure path.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Failure {
    /// What kind of failure path.
    pub via: FailureVia,
    /// The function whose processing failure it catches, for event source mappings.
    pub function: Option<String>,
    /// `maxReceiveCount` for queue redrive.
    pub max_receive_count: Option<i64>,
}

/// Kinds of [`Failure`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FailureVia {
    /// An SQS queue's `RedrivePolicy`.
    QueueRedrive,
    /// An event source mapping's `DestinationConfig.OnFailure`.
    OnFailureDestination,
    /// A function's `DeadLetterQueue` / `DeadLetterConfig` (asynchronous invocations only).
    DeadLetterQueue,
    /// A function's `EventInvokeConfig` on-failure destination (asynchronous invocations).
    InvokeOnFailure,
    /// An SNS subscription's `RedrivePolicy`.
    SubscriptionRedrive,
    /// An EventBridge rule or scheduler target's `DeadLetterConfig`.
    TargetDeadLetter,
    /// An AWS IoT topic rule's `ErrorAction`: where messages go when an action fails.
    RuleErrorAction,
}

/// An access grant from a function or connector source to a resource.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Grant {
    /// Where the grant comes from: a policy template's name, `Statement`, or a connector.
    pub via: String,
    /// Read or write.
    pub access: Access,
}

/// The access a grant gives, as the event flow sees it: whether it lets the grantee put data
/// into the resource, which makes it a producer for it. Ordered, so the strongest of several
/// grants is their `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Access {
    /// Reads, consumes, describes or administers the resource, but puts no data into it: get,
    /// receive, describe, list, and also `dynamodb:UpdateTable` or creating a backup.
    Read,
    /// Puts data, messages, events or work into the resource: put, send, publish, invoke, start.
    Write,
}

/// A write declared in the template (see [`RelationKind::Write`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Write {
    /// What declares it: `Connector <name>`.
    pub via: String,
}

/// An `AWS::Lambda::Permission`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Permission {
    /// The principal, such as `sns.amazonaws.com`.
    pub principal: String,
}

/// A template that could not be loaded, or something wrong or not understood in one.
///
/// Sorted by place, then errors before warnings at one place, then message.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TemplateProblem {
    /// Where.
    pub location: Location,
    /// How bad: [`Severity::Error`] is a mistake in the template (CloudFormation may refuse it);
    /// [`Severity::Warning`] is something flowdoc could not follow. Never [`Severity::Info`].
    pub severity: Severity,
    /// What.
    pub message: String,
    /// A second place the message refers to, such as the first of two duplicate keys.
    pub related: Option<Location>,
}

impl TemplateProblem {
    /// What problems sort by: the more serious first at one place.
    fn sort_key(&self) -> (&Location, Reverse<Severity>, &str, &Option<Location>) {
        (&self.location, Reverse(self.severity), &self.message, &self.related)
    }
}

impl Ord for TemplateProblem {
    fn cmp(&self, other: &TemplateProblem) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for TemplateProblem {
    fn partial_cmp(&self, other: &TemplateProblem) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resource_kind_is_listed_once_with_its_own_name() {
        // Exhaustive: a kind added to the enum stops this compiling until it is in `ALL`.
        let listed = |kind: ResourceKind| match kind {
            ResourceKind::Function
            | ResourceKind::Api
            | ResourceKind::DynamoDbTable
            | ResourceKind::KinesisStream
            | ResourceKind::SqsQueue
            | ResourceKind::SnsTopic
            | ResourceKind::EventBus
            | ResourceKind::EventRule
            | ResourceKind::S3Bucket
            | ResourceKind::Schedule
            | ResourceKind::StateMachine
            | ResourceKind::Pipe
            | ResourceKind::HttpApi
            | ResourceKind::WebSocketApi
            | ResourceKind::GraphQlApi
            | ResourceKind::DeliveryStream
            | ResourceKind::IotRule
            | ResourceKind::LoadBalancer
            | ResourceKind::LogGroup
            | ResourceKind::UserPool
            | ResourceKind::Alarm
            | ResourceKind::Other => ResourceKind::ALL.contains(&kind),
        };
        let names: std::collections::BTreeSet<&str> =
            ResourceKind::ALL.iter().map(|kind| kind.name()).collect();
        assert_eq!(names.len(), ResourceKind::ALL.len(), "names are unique");
        for kind in ResourceKind::ALL {
            assert!(listed(kind));
            assert_eq!(ResourceKind::from_name(kind.name()), Some(kind));
        }
    }
}
