//! CloudWatch Logs subscription filters: an `AWS::Logs::SubscriptionFilter` sends what its log
//! group receives on to its `DestinationArn`, a trigger where that is a function and a route
//! to a Kinesis stream, Firehose delivery stream or Logs destination otherwise. The log group is
//! the `AWS::Logs::LogGroup` its `LogGroupName` names (by `Ref` or by the same name), else an
//! outside thing `logs:<name>`. A function's own log group is not wiring: `/aws/lambda/${Fn}`
//! never stands for the function `Fn`.

use super::emit::Emit;
use super::iot;
use super::model::{Endpoint, External, RelationKind, Route, RouteVia, Trigger, TriggerSource};
use super::yaml::Node;

/// The log group resource type.
const LOG_GROUP: &str = "AWS::Logs::LogGroup";

/// Reads an `AWS::Logs::SubscriptionFilter`.
pub(crate) fn subscription_filter(emit: &mut Emit<'_, '_>, id: &str, at: &Node, props: &Node) {
    let Some(group) = props.get("LogGroupName") else {
        emit.warn(at, "subscription filter without a LogGroupName");
        return;
    };
    let Some(destination) = props.get("DestinationArn") else {
        emit.warn(at, "subscription filter without a DestinationArn");
        return;
    };
    let groups = log_groups(emit, group);
    let label = pattern_label(emit.text(props.get("FilterPattern")));
    let trigger = Trigger {
        source: TriggerSource::CloudWatchLogs,
        name: id.to_owned(),
        asynchronous: true,
        route: label.clone(),
        enabled: true,
        ..Trigger::default()
    };
    let route = RelationKind::Route(Route { via: RouteVia::LogSubscription, label, ..Route::default() });
    for target in iot::named(emit, destination, "logs-destination") {
        for group in &groups {
            match emit.names.function_of(&target) {
                Some(function) => emit.relate(
                    group.clone(),
                    Endpoint::Resource(function),
                    RelationKind::Trigger(trigger.clone()),
                    at,
                    false,
                ),
                None => emit.relate(group.clone(), target.clone(), route.clone(), at, false),
            }
        }
    }
}

/// A SAM `CloudWatchLogs` event `name` of the function `function`.
pub(crate) fn sam_event(emit: &mut Emit<'_, '_>, function: &Endpoint, name: &Node, props: &Node) {
    let Some(group) = props.get("LogGroupName") else {
        emit.warn(name, "CloudWatchLogs event without a LogGroupName; it is ignored");
        return;
    };
    let trigger = Trigger {
        source: TriggerSource::CloudWatchLogs,
        name: name.as_str().unwrap_or_default().to_owned(),
        asynchronous: true,
        route: pattern_label(emit.text(props.get("FilterPattern"))),
        enabled: true,
        ..Trigger::default()
    };
    for group in log_groups(emit, group) {
        emit.relate(group, function.clone(), RelationKind::Trigger(trigger.clone()), name, false);
    }
}

/// A filter pattern as an edge label: short ones only; the empty pattern (everything) none.
fn pattern_label(pattern: Option<String>) -> Option<String> {
    pattern
        .map(|pattern| pattern.trim().to_owned())
        .filter(|pattern| !pattern.is_empty() && pattern.chars().count() <= 40)
}

/// The log groups a `LogGroupName` value names: log group resources it references, or whose
/// `LogGroupName` is the same text; else one outside log group by its name.
pub(crate) fn log_groups(emit: &Emit<'_, '_>, value: &Node) -> Vec<Endpoint> {
    let names = emit.names;
    let targets: Vec<Endpoint> = emit.targets(value).into_iter().map(|reference| reference.target).collect();
    let referenced: Vec<Endpoint> =
        targets.iter().filter(|target| names.type_of(target) == Some(LOG_GROUP)).cloned().collect();
    if !referenced.is_empty() {
        return referenced;
    }
    let text = emit.text(Some(value));
    let same_name: Vec<Endpoint> = names
        .resources
        .iter()
        .filter(|(_, type_name)| type_name.as_str() == LOG_GROUP)
        .filter(|(id, _)| {
            text.is_some()
                && names
                    .properties
                    .get(*id)
                    .and_then(|props| props.get("LogGroupName"))
                    .and_then(|name| names.text(name))
                    == text
        })
        .map(|(id, _)| Endpoint::Resource(id.clone()))
        .collect();
    if !same_name.is_empty() {
        return same_name;
    }
    // An import, a parameter or a nested stack's output is the log group it stands for.
    let outside: Vec<Endpoint> = targets
        .into_iter()
        .filter(|target| {
            matches!(
                target,
                Endpoint::External(
                    External::Import(_) | External::Parameter(_) | External::StackOutput { .. }
                )
            )
        })
        .collect();
    if !outside.is_empty() {
        return outside;
    }
    vec![Endpoint::External(External::Service(format!("logs:{}", text.unwrap_or_else(|| "?".into()))))]
}
