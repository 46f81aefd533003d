//! AWS IoT topic rules: each action of `TopicRulePayload.Actions` sends the rule's messages on,
//! a `Lambda` action as a trigger of the function and every other action as a route to the
//! resource it names (queue, topic, stream, delivery stream, table, bucket, state machine, ...);
//! the `ErrorAction` is the rule's failure path. The SQL's `FROM` topic labels the edges.

use super::emit::Emit;
use super::model::{
    Endpoint, External, Failure, FailureVia, RelationKind, Route, RouteVia, Trigger, TriggerSource,
};
use super::resources;
use super::yaml::Node;

/// What an action type sends to: the path of the property that names it, and the prefix an
/// outside thing named only by a literal name gets (`dynamodb:orders`).
const ACTIONS: &[(&str, &[&str], &str)] = &[
    ("CloudwatchAlarm", &["AlarmName"], "cloudwatch-alarm"),
    ("CloudwatchLogs", &["LogGroupName"], "logs"),
    ("DynamoDB", &["TableName"], "dynamodb"),
    ("DynamoDBv2", &["PutItem", "TableName"], "dynamodb"),
    ("Elasticsearch", &["Endpoint"], "es"),
    ("Firehose", &["DeliveryStreamName"], "firehose"),
    ("Http", &["Url"], ""),
    ("IotAnalytics", &["ChannelName"], "iotanalytics"),
    ("IotEvents", &["InputName"], "iotevents"),
    ("IotSiteWise", &[], "iotsitewise"),
    ("Kafka", &["DestinationArn"], "kafka"),
    ("Kinesis", &["StreamName"], "kinesis"),
    ("Lambda", &["FunctionArn"], "lambda"),
    ("Location", &["TrackerName"], "geo"),
    ("OpenSearch", &["Endpoint"], "es"),
    ("Republish", &["Topic"], "mqtt"),
    ("S3", &["BucketName"], "s3"),
    ("Sns", &["TargetArn"], "sns"),
    ("Sqs", &["QueueUrl"], "sqs"),
    ("StepFunctions", &["StateMachineName"], "states"),
    ("Timestream", &["DatabaseName"], "timestream"),
];

/// Action types that send nothing on to a resource: metrics are not flow.
const NO_DESTINATION: &[&str] = &["CloudwatchMetric"];

/// Reads an `AWS::IoT::TopicRule` `id`.
pub(crate) fn topic_rule(emit: &mut Emit<'_, '_>, id: &str, at: &Node, props: &Node) {
    let this = Endpoint::Resource(id.to_owned());
    let Some(payload) = props.get("TopicRulePayload") else {
        emit.warn(at, "topic rule without a TopicRulePayload");
        return;
    };
    let topic = emit.text(payload.get("Sql")).and_then(|sql| sql_topic(&sql));
    let enabled = !emit.bool(payload.get("RuleDisabled")).unwrap_or(false);
    let trigger = Trigger {
        source: TriggerSource::IoT,
        name: id.to_owned(),
        asynchronous: true,
        route: topic.clone(),
        enabled,
        ..Trigger::default()
    };
    let route = Route { via: RouteVia::TopicRuleAction, label: topic, ..Route::default() };
    for action in payload.get("Actions").and_then(Node::as_seq).unwrap_or_default() {
        for (target, at) in action_targets(emit, action) {
            deliver(emit, &this, target, &at, &trigger, &route);
        }
    }
    if let Some(error_action) = payload.get("ErrorAction") {
        let failure = RelationKind::Failure(Failure {
            via: FailureVia::RuleErrorAction,
            function: None,
            max_receive_count: None,
        });
        for (target, at) in action_targets(emit, error_action) {
            let target = emit.names.function_of(&target).map_or(target, Endpoint::Resource);
            emit.relate(this.clone(), target, failure.clone(), &at, false);
        }
    }
}

/// A trigger where `target` is a function, a route otherwise.
fn deliver(
    emit: &mut Emit<'_, '_>,
    from: &Endpoint,
    target: Endpoint,
    at: &Node,
    trigger: &Trigger,
    route: &Route,
) {
    match emit.names.function_of(&target) {
        Some(function) => emit.relate(
            from.clone(),
            Endpoint::Resource(function),
            RelationKind::Trigger(trigger.clone()),
            at,
            false,
        ),
        None => emit.relate(from.clone(), target, RelationKind::Route(route.clone()), at, false),
    }
}

/// What one action (`{Sqs: {QueueUrl: ...}}`) sends to, each with where it is written. An
/// action type flowdoc does not know is a warning.
fn action_targets(emit: &mut Emit<'_, '_>, action: &Node) -> Vec<(Endpoint, Node)> {
    let mut found = Vec::new();
    for (kind, config) in action.as_map().unwrap_or_default() {
        let Some(kind_name) = kind.as_str() else { continue };
        if NO_DESTINATION.contains(&kind_name) {
            continue;
        }
        let Some((_, path, prefix)) = ACTIONS.iter().find(|(name, _, _)| *name == kind_name) else {
            emit.warn(kind, format!("IoT rule action `{kind_name}` is not followed"));
            continue;
        };
        let Some(value) = (!path.is_empty()).then(|| config.path(path)).flatten() else {
            if !path.is_empty() {
                emit.warn(kind, format!("IoT rule action `{kind_name}` without `{}`", path.join(".")));
            }
            continue;
        };
        for target in named(emit, value, prefix) {
            found.push((target, kind.clone()));
        }
    }
    found
}

/// What a name or ARN property names: resources of the template, outside ARNs, or else an
/// outside thing called `prefix:name` (a resource of another stack given by its name; the bare
/// name, a URL, where `prefix` is empty).
pub(crate) fn named(emit: &Emit<'_, '_>, value: &Node, prefix: &str) -> Vec<Endpoint> {
    let targets: Vec<Endpoint> = emit
        .targets(value)
        .into_iter()
        .map(|reference| resources::stream_of_consumer(emit, reference.target))
        .collect();
    if !targets.is_empty() {
        return targets;
    }
    match emit.text(Some(value)) {
        Some(name) if !name.is_empty() => {
            let label = if prefix.is_empty() { name } else { format!("{prefix}:{name}") };
            vec![Endpoint::External(External::Service(label))]
        }
        _ => Vec::new(),
    }
}

/// The topic filter of a rule's SQL when it is one quoted literal: `SELECT * FROM 'a/+/b'`
/// gives `a/+/b`.
pub(crate) fn sql_topic(sql: &str) -> Option<String> {
    let lower = sql.to_ascii_lowercase();
    let from = lower.find(" from ").map(|at| at + 6).or_else(|| lower.starts_with("from ").then_some(5))?;
    let rest = sql[from..].trim_start();
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = &rest[1..];
    let end = inner.find(quote)?;
    let topic = &inner[..end];
    (!topic.is_empty()).then(|| topic.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_of_simple_sql() {
        assert_eq!(sql_topic("SELECT * FROM 'topic/x'").as_deref(), Some("topic/x"));
        assert_eq!(
            sql_topic("select temp from \"sensors/+/data\" where temp > 50").as_deref(),
            Some("sensors/+/data")
        );
        assert_eq!(sql_topic("SELECT *"), None);
        assert_eq!(sql_topic("SELECT * FROM ''"), None);
        assert_eq!(sql_topic("SELECT * FROM 'unterminated"), None);
    }
}
