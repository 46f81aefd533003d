//! CloudFormation resources read one by one: each resource's kind, the settings rules need, and
//! the relations its properties declare (redrive policies, subscriptions, rules and targets,
//! event source mappings, invoke configs, permissions, bucket notifications, pipes, state
//! machine tasks, environment variables).

use super::apigateway;
use super::appsync;
use super::emit::Emit;
use super::firehose;
use super::model::{
    Details, Endpoint, EnvVar, External, Failure, FailureVia, FunctionDetails, Permission, QueueDetails,
    RelationKind, Route, RouteVia, Subscription, TableDetails, Trigger, TriggerSource,
};
use super::openapi;
use super::sam;
use super::states;
use super::types;
use super::yaml::{Node, Value};
use super::{alarms, cognito, iot, lattice, load_balancers, logs};
use std::collections::BTreeMap;

/// Reads the resource `id` of type `type_name`: its settings, and its relations into `emit`.
/// `key` is where its logical ID is written; `metadata` is its `Metadata`.
pub(crate) fn read(
    emit: &mut Emit<'_, '_>,
    id: &str,
    type_name: &str,
    key: &Node,
    props: &Node,
    metadata: Option<&Node>,
) -> Details {
    let this = Endpoint::Resource(id.to_owned());
    match type_name {
        "AWS::Serverless::Function" | "AWS::Lambda::Function" => {
            let details = function(emit, id, type_name, props, metadata);
            if type_name == "AWS::Serverless::Function" {
                sam::events(emit, id, props);
                sam::function_destinations(emit, id, props);
                // SAM creates the function URL `<Function>Url` for a `FunctionUrlConfig`.
                if let Some((key, _)) = props.entry("FunctionUrlConfig") {
                    let url = Endpoint::Resource(format!("{id}Url"));
                    emit.relate(
                        url,
                        this.clone(),
                        RelationKind::Trigger(url_trigger("FunctionUrlConfig")),
                        key,
                        false,
                    );
                }
            } else if let Some((key, config)) = props.entry("DeadLetterConfig")
                && let Some(target) = config.get("TargetArn")
            {
                emit.relate_to_targets(
                    &this,
                    target,
                    &failure(FailureVia::DeadLetterQueue, None, None),
                    key,
                    false,
                );
            }
            return Details::Function(details);
        }
        "AWS::SQS::Queue" => return Details::Queue(queue(emit, &this, props)),
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => {
            let stream_view_type = emit.text(props.path(&["StreamSpecification", "StreamViewType"]));
            if let Some((key, spec)) = props.entry("KinesisStreamSpecification")
                && let Some(stream) = spec.get("StreamArn")
            {
                let route =
                    RelationKind::Route(Route { via: RouteVia::StreamingDestination, ..Route::default() });
                emit.relate_to_targets(&this, stream, &route, key, false);
            }
            return Details::Table(TableDetails { stream_view_type });
        }
        "AWS::SNS::Topic" => inline_subscriptions(emit, id, props),
        "AWS::SNS::Subscription" => subscription(emit, id, key, props),
        "AWS::Events::Rule" => rule(emit, &this, id, props),
        "AWS::Scheduler::Schedule" => {
            if let Some((key, target)) = props.entry("Target") {
                rule_target(emit, &this, target, key, TriggerSource::Schedule);
            }
        }
        "AWS::Lambda::EventSourceMapping" => event_source_mapping(emit, id, key, props),
        "AWS::Lambda::EventInvokeConfig" => invoke_config(emit, props),
        "AWS::Lambda::Permission" => permission(emit, key, props),
        "AWS::Lambda::Url" => {
            for reference in props.get("TargetFunctionArn").map(|arn| emit.targets(arn)).unwrap_or_default() {
                let function =
                    emit.names.function_of(&reference.target).map_or(reference.target, Endpoint::Resource);
                let trigger = RelationKind::Trigger(url_trigger(id));
                emit.relate(this.clone(), function, trigger, key, reference.conditional);
            }
        }
        "AWS::S3::Bucket" => bucket_notifications(emit, &this, props),
        "AWS::IoT::TopicRule" => iot::topic_rule(emit, id, key, props),
        "AWS::ElasticLoadBalancingV2::TargetGroup" => load_balancers::target_group(emit, id, props),
        "AWS::VpcLattice::TargetGroup" => lattice::target_group(emit, id, props),
        "AWS::Logs::SubscriptionFilter" => logs::subscription_filter(emit, id, key, props),
        "AWS::Cognito::UserPool" => cognito::user_pool(emit, id, props),
        "AWS::CloudWatch::Alarm" | "AWS::CloudWatch::CompositeAlarm" => alarms::alarm(emit, id, props),
        "AWS::Pipes::Pipe" => pipe(emit, &this, props),
        "AWS::ApiGateway::Method" => apigateway::method(emit, id, key, props),
        "AWS::ApiGatewayV2::Route" => apigateway::route(emit, id, key, props),
        "AWS::ApiGatewayV2::Api" => {
            apigateway::quick_create(emit, id, props);
            openapi::definition(emit, id, type_name, props);
        }
        "AWS::ApiGateway::RestApi" => openapi::definition(emit, id, type_name, props),
        "AWS::ApiGateway::Authorizer" | "AWS::ApiGatewayV2::Authorizer" => {
            apigateway::authorizer(emit, id, type_name, key, props);
        }
        "AWS::Serverless::Api" | "AWS::Serverless::HttpApi" => {
            apigateway::sam_authorizers(emit, id, props);
            openapi::definition(emit, id, type_name, props);
        }
        "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => {
            states::read(emit, &this, props);
            if type_name == "AWS::Serverless::StateMachine" {
                sam::events(emit, id, props);
            }
        }
        "AWS::AppSync::DataSource" => appsync::data_source(emit, id, key, props),
        "AWS::Serverless::GraphQLApi" => appsync::graphql_api(emit, id, props),
        "AWS::KinesisFirehose::DeliveryStream" => firehose::delivery_stream(emit, &this, props),
        _ => {}
    }
    Details::None
}

/// How a function URL invokes its function: synchronously, in either invoke mode.
fn url_trigger(name: &str) -> Trigger {
    Trigger { source: TriggerSource::FunctionUrl, name: name.to_owned(), enabled: true, ..Trigger::default() }
}

fn failure(via: FailureVia, function: Option<String>, max_receive_count: Option<i64>) -> RelationKind {
    RelationKind::Failure(Failure { via, function, max_receive_count })
}

/// Delivers from `from` to what `target` names: a trigger where it is a function, a route
/// otherwise.
fn deliver(
    emit: &mut Emit<'_, '_>,
    from: &Endpoint,
    target: &Node,
    at: &Node,
    trigger: &Trigger,
    route: &Route,
) {
    for reference in emit.targets(target) {
        let kind = match emit.names.function_of(&reference.target) {
            Some(function) => {
                emit.relate(
                    from.clone(),
                    Endpoint::Resource(function),
                    RelationKind::Trigger(trigger.clone()),
                    at,
                    reference.conditional,
                );
                continue;
            }
            None => RelationKind::Route(route.clone()),
        };
        emit.relate(from.clone(), reference.target, kind, at, reference.conditional);
    }
}

fn function(
    emit: &mut Emit<'_, '_>,
    id: &str,
    type_name: &str,
    props: &Node,
    metadata: Option<&Node>,
) -> FunctionDetails {
    let sam = type_name == "AWS::Serverless::Function";
    let code_uri = if sam { emit.text(props.get("CodeUri")).filter(|uri| is_local_path(uri)) } else { None };
    let binary = metadata
        .and_then(|m| m.path(&["BuildProperties", "Binary"]))
        .and_then(|node| emit.text(Some(node)))
        .or_else(|| code_uri.as_deref().and_then(cargo_lambda_binary));
    let timeout =
        props.entry("Timeout").and_then(|(key, value)| Some((emit.int(Some(value))?, emit.at(key))));
    let tracing = if sam { props.get("Tracing") } else { props.path(&["TracingConfig", "Mode"]) };
    let mut environment = BTreeMap::new();
    let this = Endpoint::Resource(id.to_owned());
    for (name, value) in props.path(&["Environment", "Variables"]).and_then(Node::as_map).unwrap_or_default()
    {
        let Some(variable) = name.as_str() else { continue };
        let references = emit.names.references(value, true);
        for reference in &references {
            let kind = RelationKind::Env(variable.to_owned());
            emit.relate(this.clone(), reference.target.clone(), kind, name, reference.conditional);
        }
        let var = EnvVar { text: emit.text(Some(value)), references, location: emit.at(name) };
        environment.insert(variable.to_owned(), var);
    }
    FunctionDetails {
        code_uri,
        binary,
        build_method: metadata.and_then(|m| m.get("BuildMethod")).and_then(|node| emit.text(Some(node))),
        runtime: emit.text(props.get("Runtime")),
        timeout,
        tracing_active: emit.text(tracing).is_some_and(|mode| mode == "Active"),
        environment,
    }
}

/// Whether a `CodeUri` is a path in the project rather than an S3 location.
fn is_local_path(uri: &str) -> bool {
    !uri.starts_with("s3://") && !uri.starts_with("https://") && !uri.contains("${")
}

/// The binary of a cargo-lambda build output path: `target/lambda/<binary>/...`.
fn cargo_lambda_binary(uri: &str) -> Option<String> {
    let parts: Vec<&str> = uri.split(['/', '\\']).filter(|part| !part.is_empty() && *part != ".").collect();
    let at = parts.windows(2).position(|pair| pair == ["target", "lambda"])?;
    parts.get(at + 2).map(|binary| (*binary).to_owned())
}

fn queue(emit: &mut Emit<'_, '_>, this: &Endpoint, props: &Node) -> QueueDetails {
    if let Some((key, value)) = props.entry("RedrivePolicy")
        && let Some(policy) = emit.json_object(Some(value))
    {
        let max_receive_count = emit.int(policy.get("maxReceiveCount"));
        match policy.get("deadLetterTargetArn") {
            Some(target) => emit.relate_to_targets(
                this,
                target,
                &failure(FailureVia::QueueRedrive, None, max_receive_count),
                key,
                false,
            ),
            None => emit.warn(key, "RedrivePolicy without deadLetterTargetArn"),
        }
    }
    QueueDetails {
        visibility_timeout: props
            .entry("VisibilityTimeout")
            .and_then(|(key, value)| Some((emit.int(Some(value))?, emit.at(key)))),
        fifo: emit.bool(props.get("FifoQueue")).unwrap_or(false),
    }
}

/// The inline `Subscription` list of a topic: only `Endpoint` and `Protocol` exist there.
fn inline_subscriptions(emit: &mut Emit<'_, '_>, id: &str, props: &Node) {
    let topic = Endpoint::Resource(id.to_owned());
    for item in props.get("Subscription").and_then(Node::as_seq).unwrap_or_default() {
        let protocol = emit.text(item.get("Protocol")).unwrap_or_default().to_lowercase();
        let kind = RelationKind::Subscription(Subscription {
            protocol: protocol.clone(),
            filter_policy: None,
            filter_scope: "MessageAttributes".into(),
            raw: false,
            declared_by: id.to_owned(),
            has_redrive: false,
        });
        subscribe(emit, &topic, item.get("Endpoint"), &protocol, &kind, item, false);
    }
}

/// A subscription of `topic` to what `endpoint` names; e-mail, HTTP and SMS endpoints are
/// outside endpoints.
fn subscribe(
    emit: &mut Emit<'_, '_>,
    topic: &Endpoint,
    endpoint: Option<&Node>,
    protocol: &str,
    kind: &RelationKind,
    at: &Node,
    conditional: bool,
) {
    let Some(endpoint) = endpoint else {
        emit.warn(at, "subscription without an Endpoint");
        return;
    };
    let targets = emit.targets(endpoint);
    if targets.is_empty() {
        let label = emit.text(Some(endpoint)).unwrap_or_else(|| "?".into());
        let outside = Endpoint::External(External::Service(format!("{protocol}:{label}")));
        emit.relate(topic.clone(), outside, kind.clone(), at, conditional);
    }
    for reference in targets {
        emit.relate(topic.clone(), reference.target, kind.clone(), at, conditional || reference.conditional);
    }
}

fn subscription(emit: &mut Emit<'_, '_>, id: &str, at: &Node, props: &Node) {
    let protocol = emit.text(props.get("Protocol")).unwrap_or_default().to_lowercase();
    let redrive = match props.get("RedrivePolicy") {
        Some(value) => emit.json_object(Some(value)),
        None => None,
    };
    let dead_letter = redrive.as_ref().and_then(|policy| policy.get("deadLetterTargetArn")).cloned();
    let kind = RelationKind::Subscription(Subscription {
        protocol: protocol.clone(),
        filter_policy: match props.get("FilterPolicy") {
            Some(value) => emit.json_object(Some(value)),
            None => None,
        },
        filter_scope: emit.text(props.get("FilterPolicyScope")).unwrap_or_else(|| "MessageAttributes".into()),
        raw: emit.bool(props.get("RawMessageDelivery")).unwrap_or(false),
        declared_by: id.to_owned(),
        has_redrive: dead_letter.is_some(),
    });
    let Some(topic) = props.get("TopicArn") else {
        emit.warn(at, "subscription without a TopicArn");
        return;
    };
    for reference in emit.targets(topic) {
        subscribe(
            emit,
            &reference.target,
            props.get("Endpoint"),
            &protocol,
            &kind,
            at,
            reference.conditional,
        );
        if let Some(dead_letter) = &dead_letter {
            let via = failure(FailureVia::SubscriptionRedrive, None, None);
            emit.relate_to_targets(&reference.target, dead_letter, &via, at, reference.conditional);
        }
    }
}

fn rule(emit: &mut Emit<'_, '_>, this: &Endpoint, id: &str, props: &Node) {
    if let Some((key, pattern)) = props.entry("EventPattern") {
        let pattern = emit.json_object(Some(pattern));
        let route = RelationKind::Route(Route { via: RouteVia::BusToRule, pattern, ..Route::default() });
        match props.get("EventBusName") {
            Some(bus) => {
                for reference in emit.names.bus_targets(bus) {
                    emit.relate(reference.target, this.clone(), route.clone(), key, reference.conditional);
                }
            }
            None => {
                emit.relate(Endpoint::External(External::DefaultEventBus), this.clone(), route, key, false);
            }
        }
    }
    let source = if props.get("ScheduleExpression").is_some() {
        TriggerSource::Schedule
    } else {
        TriggerSource::EventBridge
    };
    let enabled = emit.text(props.get("State")).is_none_or(|state| state == "ENABLED");
    for target in props.get("Targets").and_then(Node::as_seq).unwrap_or_default() {
        let label = emit.text(target.get("Id"));
        let trigger_name = label.clone().unwrap_or_else(|| id.to_owned());
        let trigger = Trigger {
            source: source.clone(),
            name: trigger_name,
            asynchronous: true,
            enabled,
            ..Trigger::default()
        };
        let route = Route {
            via: RouteVia::RuleTarget,
            label,
            has_dead_letter: target.get("DeadLetterConfig").is_some(),
            ..Route::default()
        };
        if let Some(arn) = target.get("Arn") {
            deliver(emit, this, arn, target, &trigger, &route);
        }
        if let Some(dead_letter) = target.path(&["DeadLetterConfig", "Arn"]) {
            emit.relate_to_targets(
                this,
                dead_letter,
                &failure(FailureVia::TargetDeadLetter, None, None),
                target,
                false,
            );
        }
    }
}

/// An EventBridge Scheduler target.
fn rule_target(emit: &mut Emit<'_, '_>, this: &Endpoint, target: &Node, at: &Node, source: TriggerSource) {
    let trigger =
        Trigger { source, name: "Target".into(), asynchronous: true, enabled: true, ..Trigger::default() };
    let route = Route {
        via: RouteVia::RuleTarget,
        has_dead_letter: target.get("DeadLetterConfig").is_some(),
        ..Route::default()
    };
    if let Some(arn) = target.get("Arn") {
        deliver(emit, this, arn, at, &trigger, &route);
    }
    if let Some(dead_letter) = target.path(&["DeadLetterConfig", "Arn"]) {
        emit.relate_to_targets(
            this,
            dead_letter,
            &failure(FailureVia::TargetDeadLetter, None, None),
            at,
            false,
        );
    }
}

fn event_source_mapping(emit: &mut Emit<'_, '_>, id: &str, at: &Node, props: &Node) {
    let functions: Vec<_> = props
        .get("FunctionName")
        .map(|name| emit.targets(name))
        .unwrap_or_default()
        .into_iter()
        .map(|reference| {
            emit.names.function_of(&reference.target).map_or(reference.target, Endpoint::Resource)
        })
        .collect();
    let mut sources: Vec<_> = props
        .get("EventSourceArn")
        .map(|source| emit.targets(source))
        .unwrap_or_default()
        .into_iter()
        .map(|reference| stream_of_consumer(emit, reference.target))
        .collect();
    // A self-managed Kafka cluster has no ARN, only bootstrap servers.
    if sources.is_empty() && props.get("SelfManagedEventSource").is_some() {
        sources.push(Endpoint::External(External::Service("SelfManagedKafka".into())));
    }
    let mut trigger = Trigger { name: id.to_owned(), ..Trigger::default() };
    sam::read_mapping_settings(emit, props, &mut trigger);
    for source in &sources {
        let mut trigger = trigger.clone();
        trigger.source = match emit.names.type_of(source) {
            Some(type_name) => types::resource_type(type_name)
                .and_then(|row| row.event_source.clone())
                .unwrap_or_else(|| TriggerSource::Generic(type_name.to_owned())),
            None if props.get("SelfManagedEventSource").is_some() => {
                TriggerSource::Generic("SelfManagedKafka".into())
            }
            None => TriggerSource::Other,
        };
        for function in &functions {
            emit.relate(source.clone(), function.clone(), RelationKind::Trigger(trigger.clone()), at, false);
            if let Some((key, destination)) =
                props.path(&["DestinationConfig", "OnFailure"]).and_then(|c| c.entry("Destination"))
            {
                let via =
                    failure(FailureVia::OnFailureDestination, function.resource().map(str::to_owned), None);
                emit.relate_to_targets(source, destination, &via, key, false);
            }
        }
    }
}

/// A stream consumer (a Kinesis stream's) stands for its stream.
pub(crate) fn stream_of_consumer(emit: &Emit<'_, '_>, endpoint: Endpoint) -> Endpoint {
    if let Some(property) =
        emit.names.type_of(&endpoint).and_then(types::resource_type).and_then(|row| row.consumer_of)
        && let Some(stream) = endpoint
            .resource()
            .and_then(|id| emit.names.properties.get(id))
            .and_then(|props| props.get(property))
            .and_then(|arn| emit.targets(arn).into_iter().next())
    {
        return stream.target;
    }
    endpoint
}

fn invoke_config(emit: &mut Emit<'_, '_>, props: &Node) {
    let functions: Vec<_> = props
        .get("FunctionName")
        .map(|name| emit.targets(name))
        .unwrap_or_default()
        .into_iter()
        .map(|reference| {
            emit.names.function_of(&reference.target).map_or(reference.target, Endpoint::Resource)
        })
        .collect();
    for function in &functions {
        if let Some((key, destination)) =
            props.path(&["DestinationConfig", "OnFailure"]).and_then(|c| c.entry("Destination"))
        {
            emit.relate_to_targets(
                function,
                destination,
                &failure(FailureVia::InvokeOnFailure, None, None),
                key,
                false,
            );
        }
        if let Some((key, destination)) =
            props.path(&["DestinationConfig", "OnSuccess"]).and_then(|c| c.entry("Destination"))
        {
            let route = RelationKind::Route(Route { via: RouteVia::OnSuccess, ..Route::default() });
            emit.relate_to_targets(function, destination, &route, key, false);
        }
    }
}

fn permission(emit: &mut Emit<'_, '_>, at: &Node, props: &Node) {
    let principal = emit.text(props.get("Principal")).unwrap_or_default();
    let kind = RelationKind::Permission(Permission { principal: principal.clone() });
    let functions: Vec<_> = props
        .get("FunctionName")
        .map(|name| emit.targets(name))
        .unwrap_or_default()
        .into_iter()
        .map(|reference| {
            emit.names.function_of(&reference.target).map_or(reference.target, Endpoint::Resource)
        })
        .collect();
    let sources: Vec<Endpoint> = match props.get("SourceArn") {
        Some(source) => emit.targets(source).into_iter().map(|reference| reference.target).collect(),
        None => Vec::new(),
    };
    let sources =
        if sources.is_empty() { vec![Endpoint::External(External::Service(principal))] } else { sources };
    for function in &functions {
        for source in &sources {
            emit.relate(source.clone(), function.clone(), kind.clone(), at, false);
        }
    }
}

fn bucket_notifications(emit: &mut Emit<'_, '_>, this: &Endpoint, props: &Node) {
    let Some(config) = props.get("NotificationConfiguration") else { return };
    let events = |emit: &Emit<'_, '_>, item: &Node| emit.text(item.get("Event"));
    for item in config.get("LambdaConfigurations").and_then(Node::as_seq).unwrap_or_default() {
        let trigger = Trigger {
            source: TriggerSource::S3,
            name: "LambdaConfigurations".into(),
            asynchronous: true,
            route: events(emit, item),
            enabled: true,
            ..Trigger::default()
        };
        // A function of another stack (an ARN) is reached the way queues and topics are.
        let route = Route { via: RouteVia::Notification, label: events(emit, item), ..Route::default() };
        if let Some(function) = item.get("Function") {
            deliver(emit, this, function, item, &trigger, &route);
        }
    }
    for (list, key) in [("QueueConfigurations", "Queue"), ("TopicConfigurations", "Topic")] {
        for item in config.get(list).and_then(Node::as_seq).unwrap_or_default() {
            let route = RelationKind::Route(Route {
                via: RouteVia::Notification,
                label: events(emit, item),
                ..Route::default()
            });
            if let Some(target) = item.get(key) {
                emit.relate_to_targets(this, target, &route, item, false);
            }
        }
    }
    if let Some((key, bridge)) = config.entry("EventBridgeConfiguration")
        && emit.bool(bridge.get("EventBridgeEnabled")).unwrap_or(false)
    {
        let route = RelationKind::Route(Route {
            via: RouteVia::Notification,
            label: Some("EventBridge".into()),
            ..Route::default()
        });
        emit.relate(this.clone(), Endpoint::External(External::DefaultEventBus), route, key, false);
    }
}

fn pipe(emit: &mut Emit<'_, '_>, this: &Endpoint, props: &Node) {
    let route = RelationKind::Route(Route { via: RouteVia::Pipe, ..Route::default() });
    if let Some((key, source)) = props.entry("Source") {
        emit.relate_from_targets(source, this, &route, key, false);
    }
    for step in ["Enrichment", "Target"] {
        if let Some((key, target)) = props.entry(step) {
            let trigger = Trigger {
                source: TriggerSource::Generic("Pipe".into()),
                name: step.into(),
                enabled: true,
                ..Trigger::default()
            };
            deliver(emit, this, target, key, &trigger, &Route { via: RouteVia::Pipe, ..Route::default() });
        }
    }
}

/// The local template a nested stack or SAM application loads, relative to its template.
pub(crate) fn nested_template(emit: &Emit<'_, '_>, type_name: &str, props: &Node) -> Option<String> {
    let location = match type_name {
        "AWS::Serverless::Application" => {
            props.get("Location").filter(|location| location.as_map().is_none())
        }
        "AWS::CloudFormation::Stack" => props.get("TemplateURL"),
        _ => None,
    }?;
    let path = emit.text(Some(location))?;
    let remote = path.contains("://") || path.contains("${") || path.starts_with("arn:");
    (!remote && matches!(location.value, Value::Scalar { .. })).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_lambda_paths_name_their_binary() {
        assert_eq!(cargo_lambda_binary("target/lambda/order-api/").as_deref(), Some("order-api"));
        assert_eq!(cargo_lambda_binary("../target/lambda/worker/bootstrap.zip").as_deref(), Some("worker"));
        assert_eq!(cargo_lambda_binary("./order-api"), None);
    }

    #[test]
    fn local_code_paths() {
        assert!(is_local_path("order-api/"));
        assert!(!is_local_path("s3://bucket/key.zip"));
    }
}
