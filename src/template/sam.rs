//! What the SAM transform adds: `Globals` merged into resources, the resources it creates
//! implicitly (with the logical IDs SAM gives them), and the relations of function and state
//! machine `Events`, `DeadLetterQueue` and `EventInvokeConfig`.

use super::emit::Emit;
use super::model::RelationKind;
use super::model::{
    Endpoint, External, Failure, FailureVia, Route, RouteVia, Subscription, Trigger, TriggerSource,
};
use super::resources;
use super::yaml::{Node, Value};
use super::{cognito, iot, logs};

/// `properties` with `globals` merged in as SAM does: mappings are merged key by key, lists are
/// joined (the global entries first), and anything else set on the resource wins. An intrinsic
/// function on either side is a value, not a mapping to merge.
pub(crate) fn merge_globals(globals: &Node, properties: Node) -> Node {
    let intrinsic = globals.intrinsic().is_some() || properties.intrinsic().is_some();
    let Node { value, line, column } = properties;
    match (&globals.value, value) {
        (Value::Map(global_entries), Value::Map(own_entries)) if !intrinsic => {
            // The resource's own entries are moved, not copied: each is taken out as its key
            // comes up among the globals, and the rest follow in their order.
            let mut own: Vec<Option<(Node, Node)>> = own_entries.into_iter().map(Some).collect();
            let mut merged: Vec<(Node, Node)> = Vec::with_capacity(global_entries.len() + own.len());
            for (key, global) in global_entries {
                let same_key = |entry: &Option<(Node, Node)>| {
                    entry.as_ref().is_some_and(|(own_key, _)| own_key.as_str() == key.as_str())
                };
                match own.iter_mut().find(|entry| same_key(entry)).and_then(Option::take) {
                    Some((own_key, own_value)) => merged.push((own_key, merge_globals(global, own_value))),
                    None => merged.push((key.clone(), global.clone())),
                }
            }
            merged.extend(own.into_iter().flatten());
            Node { value: Value::Map(merged), line, column }
        }
        (Value::Seq(global_items), Value::Seq(own_items)) => {
            let mut items = global_items.clone();
            items.extend(own_items);
            Node { value: Value::Seq(items), line, column }
        }
        (_, value) => Node { value, line, column },
    }
}

/// A resource the SAM transform creates.
#[derive(Clone, Debug)]
pub(crate) struct Implicit {
    pub(crate) id: String,
    pub(crate) type_name: &'static str,
    /// The node whose presence creates it, for its location.
    pub(crate) cause: Node,
}

/// The resources SAM creates for the SAM resource `id` that flowdoc shows: the default APIs,
/// the rules and schedules behind events, the IoT topic rule of an `IoTRule` event, the queue of
/// an SNS event with `SqsSubscription: true`, a function URL, and the queues and topics of
/// destinations given only a `Type`.
pub(crate) fn implicit_resources(id: &str, type_name: &str, properties: &Node) -> Vec<Implicit> {
    let mut created = Vec::new();
    if !matches!(type_name, "AWS::Serverless::Function" | "AWS::Serverless::StateMachine") {
        return created;
    }
    for (name, event) in properties.get("Events").and_then(Node::as_map).unwrap_or_default() {
        let (Some(event_name), Some(event_type)) = (name.as_str(), event.get("Type").and_then(Node::as_str))
        else {
            continue;
        };
        let props = event.get("Properties");
        let has = |key: &str| props.and_then(|p| p.get(key)).is_some_and(|value| !value.is_null());
        let rule_id = format!("{id}{event_name}");
        let mut add = |id: String, type_name: &'static str| {
            created.push(Implicit { id, type_name, cause: name.clone() });
        };
        match event_type {
            "Api" if !has("RestApiId") => add("ServerlessRestApi".into(), "AWS::ApiGateway::RestApi"),
            "HttpApi" if !has("ApiId") => add("ServerlessHttpApi".into(), "AWS::ApiGatewayV2::Api"),
            "EventBridgeRule" | "CloudWatchEvent" | "Schedule" => {
                add(rule_id.clone(), "AWS::Events::Rule");
                if let Some(queue) = dead_letter_queue_created(props, &rule_id) {
                    add(queue, "AWS::SQS::Queue");
                }
            }
            "ScheduleV2" => {
                add(rule_id.clone(), "AWS::Scheduler::Schedule");
                if let Some(queue) = dead_letter_queue_created(props, &rule_id) {
                    add(queue, "AWS::SQS::Queue");
                }
            }
            // `SqsSubscription: true` creates a queue; a mapping names an existing one.
            "SNS" if props.and_then(|p| p.get("SqsSubscription")).and_then(Node::as_bool) == Some(true) => {
                add(format!("{rule_id}Queue"), "AWS::SQS::Queue");
            }
            "IoTRule" => add(rule_id, "AWS::IoT::TopicRule"),
            _ => {}
        }
    }
    if properties.get("FunctionUrlConfig").is_some() {
        let cause = properties
            .entry("FunctionUrlConfig")
            .map(|(key, _)| key.clone())
            .unwrap_or_else(|| properties.clone());
        created.push(Implicit { id: format!("{id}Url"), type_name: "AWS::Lambda::Url", cause });
    }
    if let Some(destinations) = properties.path(&["EventInvokeConfig", "DestinationConfig"]) {
        for (outcome, config) in destinations.as_map().unwrap_or_default() {
            let Some(outcome_name) = outcome.as_str() else { continue };
            if config.get("Destination").is_some() {
                continue;
            }
            let base = format!("{id}EventInvokeConfig{outcome_name}");
            match config.get("Type").and_then(Node::as_str) {
                Some("SQS") => created.push(Implicit {
                    id: format!("{base}Queue"),
                    type_name: "AWS::SQS::Queue",
                    cause: outcome.clone(),
                }),
                Some("SNS") => created.push(Implicit {
                    id: format!("{base}Topic"),
                    type_name: "AWS::SNS::Topic",
                    cause: outcome.clone(),
                }),
                _ => {}
            }
        }
    }
    created
}

/// The queue SAM creates for an event's `DeadLetterConfig` given only a `Type`.
fn dead_letter_queue_created(props: Option<&Node>, rule_id: &str) -> Option<String> {
    let config = props?.get("DeadLetterConfig")?;
    if config.get("Arn").is_some() || config.get("Type").is_none() {
        return None;
    }
    Some(
        config
            .get("QueueLogicalId")
            .and_then(Node::as_str)
            .map_or_else(|| format!("{rule_id}Queue"), str::to_owned),
    )
}

/// The relations of the `Events` of a SAM function or state machine `id`.
pub(crate) fn events(emit: &mut Emit<'_, '_>, id: &str, properties: &Node) {
    let target = Endpoint::Resource(id.to_owned());
    let empty = Node { value: Value::Map(Vec::new()), line: properties.line, column: properties.column };
    for (name, event) in properties.get("Events").and_then(Node::as_map).unwrap_or_default() {
        let Some(event_name) = name.as_str() else { continue };
        let Some(event_type) = event.get("Type").and_then(|node| emit.text(Some(node))) else {
            emit.warn(name, format!("event `{event_name}` has no Type; it is ignored"));
            continue;
        };
        let props = event.get("Properties").unwrap_or(&empty);
        let rule_id = format!("{id}{event_name}");
        let mut trigger = Trigger { name: event_name.to_owned(), enabled: true, ..Trigger::default() };
        match event_type.as_str() {
            "Api" | "HttpApi" => {
                let (source, api_key, default_api) = if event_type == "Api" {
                    (TriggerSource::Api, "RestApiId", "ServerlessRestApi")
                } else {
                    (TriggerSource::HttpApi, "ApiId", "ServerlessHttpApi")
                };
                trigger.source = source;
                let method = emit.text(props.get("Method"));
                let path = emit.text(props.get("Path"));
                trigger.route = Some(match (method, path) {
                    // SAM gives an HTTP API event with neither the catch-all `$default` route.
                    (None, None) if event_type == "HttpApi" => "$default".to_owned(),
                    (method, path) => format!(
                        "{} {}",
                        method.unwrap_or_else(|| "ANY".into()).to_uppercase(),
                        path.unwrap_or_else(|| "/".into())
                    ),
                });
                let kind = RelationKind::Trigger(trigger);
                match props.get(api_key) {
                    Some(api) => emit.relate_from_targets(api, &target, &kind, name, false),
                    None => {
                        emit.relate(
                            Endpoint::Resource(default_api.into()),
                            target.clone(),
                            kind,
                            name,
                            false,
                        );
                    }
                }
            }
            "DynamoDB" | "Kinesis" | "SQS" | "MSK" | "MQ" | "SelfManagedKafka" | "DocumentDB" => {
                trigger.source = match event_type.as_str() {
                    "DynamoDB" => TriggerSource::DynamoDb,
                    "Kinesis" => TriggerSource::Kinesis,
                    "SQS" => TriggerSource::Sqs,
                    other => TriggerSource::Generic(other.to_owned()),
                };
                read_mapping_settings(emit, props, &mut trigger);
                let source_key = match event_type.as_str() {
                    "SQS" => "Queue",
                    "MQ" => "Broker",
                    "DocumentDB" => "Cluster",
                    "SelfManagedKafka" => "KafkaBootstrapServers",
                    _ => "Stream",
                };
                let sources = source_endpoints(emit, props.get(source_key), &event_type);
                let kind = RelationKind::Trigger(trigger);
                for (source, conditional) in &sources {
                    emit.relate(source.clone(), target.clone(), kind.clone(), name, *conditional);
                }
                if let Some(destination) = props.path(&["DestinationConfig", "OnFailure", "Destination"]) {
                    let failure = RelationKind::Failure(Failure {
                        via: FailureVia::OnFailureDestination,
                        function: Some(id.to_owned()),
                        max_receive_count: None,
                    });
                    for (source, conditional) in &sources {
                        emit.relate_to_targets(source, destination, &failure, name, *conditional);
                    }
                }
            }
            "SNS" => sns_event(emit, id, &rule_id, name, props),
            "EventBridgeRule" | "CloudWatchEvent" => {
                let rule = Endpoint::Resource(rule_id.clone());
                let bus = match props.get("EventBusName") {
                    Some(bus) => {
                        emit.names.bus_targets(bus).into_iter().map(|r| (r.target, r.conditional)).collect()
                    }
                    None => vec![(Endpoint::External(External::DefaultEventBus), false)],
                };
                let pattern = emit.json_object(props.get("Pattern"));
                let route =
                    RelationKind::Route(Route { via: RouteVia::BusToRule, pattern, ..Route::default() });
                for (bus, conditional) in bus {
                    emit.relate(bus, rule.clone(), route.clone(), name, conditional);
                }
                trigger.source = TriggerSource::EventBridge;
                trigger.asynchronous = true;
                trigger.enabled = emit.bool(props.get("Enabled")).unwrap_or(true)
                    && emit.text(props.get("State")).is_none_or(|state| state != "DISABLED");
                emit.relate(rule.clone(), target.clone(), RelationKind::Trigger(trigger), name, false);
                rule_dead_letter(emit, &rule, &rule_id, props, name);
            }
            "Schedule" | "ScheduleV2" => {
                let rule = Endpoint::Resource(rule_id.clone());
                trigger.source = TriggerSource::Schedule;
                trigger.asynchronous = true;
                trigger.enabled = emit.bool(props.get("Enabled")).unwrap_or(true)
                    && emit.text(props.get("State")).is_none_or(|state| state != "DISABLED");
                emit.relate(rule.clone(), target.clone(), RelationKind::Trigger(trigger), name, false);
                rule_dead_letter(emit, &rule, &rule_id, props, name);
            }
            "IoTRule" => {
                // SAM creates an `AWS::IoT::TopicRule` named `<Function><Event>` for the event.
                trigger.source = TriggerSource::IoT;
                trigger.asynchronous = true;
                trigger.route = emit.text(props.get("Sql")).and_then(|sql| iot::sql_topic(&sql));
                let rule = Endpoint::Resource(rule_id.clone());
                emit.relate(rule, target.clone(), RelationKind::Trigger(trigger), name, false);
            }
            "CloudWatchLogs" => logs::sam_event(emit, &target, name, props),
            "Cognito" => cognito::sam_event(emit, &target, name, props),
            "S3" => {
                trigger.source = TriggerSource::S3;
                trigger.asynchronous = true;
                trigger.route =
                    Some(emit.strings(props.get("Events")).join(", ")).filter(|events| !events.is_empty());
                let kind = RelationKind::Trigger(trigger);
                if let Some(bucket) = props.get("Bucket") {
                    emit.relate_from_targets(bucket, &target, &kind, name, false);
                }
            }
            other => {
                // AlexaSkill, ...: a trigger from whatever the event's properties name, or from
                // the service itself.
                trigger.source = TriggerSource::Generic(other.to_owned());
                trigger.asynchronous = !matches!(other, "AlexaSkill" | "Cognito");
                let sources: Vec<_> = emit
                    .names
                    .references(props, false)
                    .into_iter()
                    .map(|r| (r.target, r.conditional))
                    .collect();
                let kind = RelationKind::Trigger(trigger);
                if sources.is_empty() {
                    emit.relate(
                        Endpoint::External(External::Service(other.to_owned())),
                        target.clone(),
                        kind,
                        name,
                        false,
                    );
                } else {
                    for (source, conditional) in sources {
                        emit.relate(source, target.clone(), kind.clone(), name, conditional);
                    }
                }
            }
        }
    }
}

/// The endpoints an event source mapping reads from. A Kinesis stream consumer stands for its
/// stream; a source with no resource (self-managed Kafka) is the service itself.
fn source_endpoints(emit: &Emit<'_, '_>, source: Option<&Node>, event_type: &str) -> Vec<(Endpoint, bool)> {
    let Some(source) = source else {
        return vec![(Endpoint::External(External::Service(event_type.to_owned())), false)];
    };
    if event_type == "SelfManagedKafka" {
        return vec![(Endpoint::External(External::Service("SelfManagedKafka".into())), false)];
    }
    emit.targets(source)
        .into_iter()
        .map(|reference| (resources::stream_of_consumer(emit, reference.target), reference.conditional))
        .collect()
}

/// Batch and retry settings of an event source mapping, SAM event or CloudFormation resource.
pub(crate) fn read_mapping_settings(emit: &Emit<'_, '_>, props: &Node, trigger: &mut Trigger) {
    trigger.batch_size = emit.int(props.get("BatchSize"));
    trigger.starting_position = emit.text(props.get("StartingPosition"));
    trigger.function_response_types = emit.strings(props.get("FunctionResponseTypes"));
    trigger.maximum_retry_attempts = emit.int(props.get("MaximumRetryAttempts"));
    trigger.maximum_record_age = emit.int(props.get("MaximumRecordAgeInSeconds"));
    trigger.bisect_batch_on_error = emit.bool(props.get("BisectBatchOnFunctionError"));
    trigger.filter_criteria = props.get("FilterCriteria").cloned();
    trigger.enabled = emit.bool(props.get("Enabled")).unwrap_or(true);
}

/// A SAM `SNS` event: a subscription of the function, or with `SqsSubscription` of a queue that
/// then triggers the function.
fn sns_event(emit: &mut Emit<'_, '_>, id: &str, rule_id: &str, name: &Node, props: &Node) {
    let Some(topic) = props.get("Topic") else {
        emit.warn(name, "SNS event without a Topic; it is ignored");
        return;
    };
    let function = Endpoint::Resource(id.to_owned());
    let filter_policy = emit.json_object(props.get("FilterPolicy"));
    let filter_scope =
        emit.text(props.get("FilterPolicyScope")).unwrap_or_else(|| "MessageAttributes".into());
    let redrive = emit.json_object(props.get("RedrivePolicy"));
    let redrive = redrive.as_ref().and_then(|policy| policy.get("deadLetterTargetArn"));
    let sqs = props.get("SqsSubscription").filter(|value| value.as_bool() != Some(false) && !value.is_null());
    let (endpoint, protocol) = match sqs {
        Some(options) => {
            let queue = match options.get("QueueArn") {
                Some(arn) => emit
                    .targets(arn)
                    .into_iter()
                    .next()
                    .map_or(Endpoint::Missing(rule_id.to_owned()), |r| r.target),
                None if options.as_bool() == Some(true) => Endpoint::Resource(format!("{rule_id}Queue")),
                None => {
                    emit.warn(
                        name,
                        "SqsSubscription names no QueueArn (SAM needs QueueArn and QueueUrl); it is ignored",
                    );
                    return;
                }
            };
            // SAM always enables the mapping it creates; `Enabled` here is not read.
            let mut trigger = Trigger {
                source: TriggerSource::Sqs,
                name: name.as_str().unwrap_or_default().to_owned(),
                enabled: true,
                ..Trigger::default()
            };
            trigger.batch_size = emit.int(options.get("BatchSize"));
            emit.relate(queue.clone(), function, RelationKind::Trigger(trigger), name, false);
            (queue, "sqs")
        }
        None => (function, "lambda"),
    };
    let subscription = RelationKind::Subscription(Subscription {
        protocol: protocol.to_owned(),
        filter_policy,
        filter_scope,
        // SAM's subscription sets no `RawMessageDelivery`: the queue gets the SNS envelope.
        raw: false,
        declared_by: rule_id.to_owned(),
        has_redrive: redrive.is_some(),
    });
    let topics = emit.targets(topic);
    for reference in &topics {
        emit.relate(
            reference.target.clone(),
            endpoint.clone(),
            subscription.clone(),
            name,
            reference.conditional,
        );
    }
    if let Some(dead_letter) = redrive {
        let failure = RelationKind::Failure(Failure {
            via: FailureVia::SubscriptionRedrive,
            function: None,
            max_receive_count: None,
        });
        for reference in &topics {
            emit.relate_to_targets(&reference.target, dead_letter, &failure, name, reference.conditional);
        }
    }
}

/// The `DeadLetterConfig` of a rule or schedule target created by a SAM event.
fn rule_dead_letter(emit: &mut Emit<'_, '_>, rule: &Endpoint, rule_id: &str, props: &Node, at: &Node) {
    let Some(config) = props.get("DeadLetterConfig") else { return };
    let failure = RelationKind::Failure(Failure {
        via: FailureVia::TargetDeadLetter,
        function: None,
        max_receive_count: None,
    });
    match config.get("Arn") {
        Some(arn) => emit.relate_to_targets(rule, arn, &failure, at, false),
        None => {
            if let Some(queue) = dead_letter_queue_created(Some(props), rule_id) {
                emit.relate(rule.clone(), Endpoint::Resource(queue), failure, at, false);
            }
        }
    }
}

/// A SAM function's `DeadLetterQueue` and `EventInvokeConfig` destinations.
pub(crate) fn function_destinations(emit: &mut Emit<'_, '_>, id: &str, properties: &Node) {
    let function = Endpoint::Resource(id.to_owned());
    if let Some((key, dead_letter)) = properties.entry("DeadLetterQueue")
        && let Some(target) = dead_letter.get("TargetArn")
    {
        let failure = RelationKind::Failure(Failure {
            via: FailureVia::DeadLetterQueue,
            function: None,
            max_receive_count: None,
        });
        emit.relate_to_targets(&function, target, &failure, key, false);
    }
    let Some(destinations) = properties.path(&["EventInvokeConfig", "DestinationConfig"]) else { return };
    for (outcome, config) in destinations.as_map().unwrap_or_default() {
        let kind = match outcome.as_str() {
            Some("OnFailure") => RelationKind::Failure(Failure {
                via: FailureVia::InvokeOnFailure,
                function: None,
                max_receive_count: None,
            }),
            Some("OnSuccess") => RelationKind::Route(Route { via: RouteVia::OnSuccess, ..Route::default() }),
            _ => continue,
        };
        match config.get("Destination") {
            Some(destination) => emit.relate_to_targets(&function, destination, &kind, outcome, false),
            None => {
                let base = format!("{id}EventInvokeConfig{}", outcome.as_str().unwrap_or_default());
                let created = match config.get("Type").and_then(Node::as_str) {
                    Some("SQS") => format!("{base}Queue"),
                    Some("SNS") => format!("{base}Topic"),
                    _ => continue,
                };
                emit.relate(function.clone(), Endpoint::Resource(created), kind, outcome, false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::yaml::{YamlLimits, parse};

    #[test]
    fn globals_merge_like_sam() {
        let globals = parse(
            "Timeout: 10\nEnvironment: {Variables: {LOG: info, TABLE: a}}\nLayers: [g]\nTracing: Active\n",
            YamlLimits::default(),
        )
        .unwrap()
        .root;
        let own = parse(
            "Timeout: 30\nEnvironment: {Variables: {TABLE: b}}\nLayers: [o]\nMemorySize: !Ref Memory\n",
            YamlLimits::default(),
        )
        .unwrap()
        .root;
        let merged = merge_globals(&globals, own);
        assert_eq!(merged.get("Timeout").unwrap().as_i64(), Some(30));
        assert_eq!(merged.path(&["Environment", "Variables", "LOG"]).unwrap().as_str(), Some("info"));
        assert_eq!(merged.path(&["Environment", "Variables", "TABLE"]).unwrap().as_str(), Some("b"));
        let layers: Vec<_> =
            merged.get("Layers").unwrap().as_seq().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
        assert_eq!(layers, ["g", "o"]);
        assert_eq!(merged.get("Tracing").unwrap().as_str(), Some("Active"));
        assert_eq!(merged.get("MemorySize").unwrap().intrinsic().unwrap().0, "Ref");
    }

    #[test]
    fn implicit_resources_get_sams_names() {
        let props = parse(
            r#"
Events:
  Get: {Type: Api, Properties: {Path: /, Method: get}}
  Own: {Type: Api, Properties: {Path: /, Method: get, RestApiId: !Ref MyApi}}
  Http: {Type: HttpApi}
  Nightly: {Type: Schedule, Properties: {Schedule: rate(1 day), DeadLetterConfig: {Type: SQS}}}
  Later: {Type: ScheduleV2, Properties: {ScheduleExpression: rate(1 day)}}
  Changed: {Type: EventBridgeRule, Properties: {Pattern: {source: [x]}, DeadLetterConfig: {Type: SQS, QueueLogicalId: RuleDlq}}}
  Fanout: {Type: SNS, Properties: {Topic: !Ref T, SqsSubscription: true}}
FunctionUrlConfig: {AuthType: NONE}
EventInvokeConfig:
  DestinationConfig:
    OnFailure: {Type: SQS}
    OnSuccess: {Type: SNS}
"#,
            YamlLimits::default(),
        )
        .unwrap()
        .root;
        let created: Vec<String> = implicit_resources("Fn", "AWS::Serverless::Function", &props)
            .iter()
            .map(|implicit| format!("{} {}", implicit.id, implicit.type_name))
            .collect();
        assert_eq!(
            created,
            [
                "ServerlessRestApi AWS::ApiGateway::RestApi",
                "ServerlessHttpApi AWS::ApiGatewayV2::Api",
                "FnNightly AWS::Events::Rule",
                "FnNightlyQueue AWS::SQS::Queue",
                "FnLater AWS::Scheduler::Schedule",
                "FnChanged AWS::Events::Rule",
                "RuleDlq AWS::SQS::Queue",
                "FnFanoutQueue AWS::SQS::Queue",
                "FnUrl AWS::Lambda::Url",
                "FnEventInvokeConfigOnFailureQueue AWS::SQS::Queue",
                "FnEventInvokeConfigOnSuccessTopic AWS::SNS::Topic",
            ]
        );
    }
}
