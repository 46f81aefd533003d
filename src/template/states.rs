//! Step Functions state machines: the `Task` states of a definition (an inline `Definition`, or
//! a `DefinitionString` of JSON text, also built with `Fn::Sub` or `Fn::Join`, with its
//! `DefinitionSubstitutions`, or a local file named by `DefinitionUri`), at any depth of
//! `Parallel` branches and `Map` processors, to the functions they invoke and the resources they
//! send to. A definition flowdoc does not read (in S3, or a file not in the project) is stood
//! for by every resource its substitutions name.

use super::emit::Emit;
use super::local_files;
use super::model::{Endpoint, External, Reference, RelationKind, Route, RouteVia, Trigger, TriggerSource};
use super::yaml::{Node, Value};

/// How deep `Parallel` branches and `Map` processors are followed; deeper states are not read.
const MAX_DEPTH: usize = 32;

/// The parameters that name what an integration sends to, by service (`aws-sdk:` integrations
/// use the SDK's parameter names, which are the same).
const TARGET_KEYS: &[(&str, &[&str])] = &[
    ("lambda", &["FunctionName"]),
    ("sqs", &["QueueUrl"]),
    ("sns", &["TopicArn", "TargetArn"]),
    ("dynamodb", &["TableName"]),
    ("states", &["StateMachineArn"]),
    ("sfn", &["StateMachineArn"]),
    ("s3", &["Bucket"]),
    ("kinesis", &["StreamName", "StreamARN"]),
    ("firehose", &["DeliveryStreamName"]),
];

/// Reads the state machine `this`: its tasks, or the substitutions of a definition not read.
pub(crate) fn read(emit: &mut Emit<'_, '_>, this: &Endpoint, props: &Node) {
    let substitutions = props.get("DefinitionSubstitutions").filter(|subs| subs.as_map().is_some());
    match definition(emit, props) {
        Some(definition) => {
            let mut tasks = Vec::new();
            collect_tasks(&definition, 0, &mut tasks);
            for (name, state) in tasks {
                task(emit, this, name, state, substitutions);
            }
        }
        None => named_anywhere(emit, this, props),
    }
}

/// The definition: an inline `Definition`, a `DefinitionString` of JSON, or a local file that
/// `DefinitionUri` names (its states placed at that line; one in S3 is not fetched).
fn definition(emit: &mut Emit<'_, '_>, props: &Node) -> Option<Node> {
    if let Some(inline) = props.get("Definition").filter(|node| node.intrinsic().is_none()) {
        return inline.as_map().is_some().then(|| inline.clone());
    }
    for key in ["DefinitionUri", "DefinitionS3Location"] {
        if let Some((at, location)) = props.entry(key) {
            let document = local_files::document(emit, at, location, "state machine definition")?;
            return document.get("States").is_some().then_some(document);
        }
    }
    let text = props.get("DefinitionString")?;
    // `Fn::ToJsonString` and the like are not text flowdoc builds.
    if text.intrinsic().is_some_and(|(function, _)| !matches!(function, "Fn::Sub" | "Fn::Join")) {
        return None;
    }
    emit.json_object(Some(text))
}

/// The `Task` states of `machine` (a definition, a branch or a processor), with their names,
/// those inside `Parallel` branches and `Map` processors included.
fn collect_tasks<'d>(machine: &'d Node, depth: usize, out: &mut Vec<(&'d Node, &'d Node)>) {
    if depth > MAX_DEPTH {
        return;
    }
    for (name, state) in machine.get("States").and_then(Node::as_map).unwrap_or_default() {
        match state.get("Type").and_then(Node::as_str) {
            Some("Task") => out.push((name, state)),
            Some("Parallel") => {
                for branch in state.get("Branches").and_then(Node::as_seq).unwrap_or_default() {
                    collect_tasks(branch, depth + 1, out);
                }
            }
            Some("Map") => {
                for key in ["ItemProcessor", "Iterator"] {
                    if let Some(processor) = state.get(key) {
                        collect_tasks(processor, depth + 1, out);
                    }
                }
            }
            _ => {}
        }
    }
}

/// One task state `name`: what its `Resource` invokes or its integration sends to.
fn task(emit: &mut Emit<'_, '_>, this: &Endpoint, name: &Node, state: &Node, subs: Option<&Node>) {
    let label = name.as_str().unwrap_or_default().to_owned();
    let Some(resource) = state.get("Resource") else {
        emit.warn(name, format!("task state `{label}` has no Resource"));
        return;
    };
    let resource = substituted(resource, subs);
    let parameters = state.get("Parameters").or_else(|| state.get("Arguments"));
    let asynchronous = parameters
        .and_then(|params| params.get("InvocationType"))
        .and_then(Node::as_str)
        .is_some_and(|kind| kind == "Event");
    let targets = match emit.text(Some(&resource)).as_deref().and_then(integration) {
        Some((service, action)) => integration_targets(emit, &service, &action, parameters, subs, name),
        // A function or activity named directly, by ARN or (for functions) by name.
        None => emit.targets(&resource),
    };
    let mut seen = Vec::new();
    for reference in targets {
        if seen.contains(&reference.target) || &reference.target == this {
            continue;
        }
        seen.push(reference.target.clone());
        relate(emit, this, &label, name, reference, asynchronous);
    }
}

/// The service and action of an optimised or AWS SDK integration ARN
/// (`arn:aws:states:::sqs:sendMessage`, `...:::lambda:invoke.waitForTaskToken`,
/// `...:::aws-sdk:s3:putObject`), without the `.sync` or `.waitForTaskToken` pattern.
fn integration(arn: &str) -> Option<(String, String)> {
    // `${AWS::Partition}` holds colons; out of the way, the ARN's fields split.
    let plain = arn.replace("${AWS::", "${AWS_");
    let parts: Vec<&str> = plain.splitn(6, ':').collect();
    let ["arn", _, "states", "", "", rest] = parts.as_slice() else { return None };
    let rest = rest.strip_prefix("aws-sdk:").unwrap_or(rest);
    let (service, action) = rest.split_once(':')?;
    let action = action.split(['.', ':']).next().unwrap_or_default();
    Some((service.to_owned(), action.to_owned()))
}

/// What an integration's parameters name as its target. `.$` parameters are chosen at run time
/// and name nothing here.
fn integration_targets(
    emit: &Emit<'_, '_>,
    service: &str,
    action: &str,
    parameters: Option<&Node>,
    subs: Option<&Node>,
    at: &Node,
) -> Vec<Reference> {
    let mut found = Vec::new();
    if matches!(service, "events" | "eventbridge") && action.eq_ignore_ascii_case("putEvents") {
        let entries = parameters.and_then(|params| params.get("Entries"));
        for entry in entries.and_then(Node::as_seq).unwrap_or_default() {
            match entry.get("EventBusName") {
                Some(bus) => found.extend(emit.names.bus_targets(&substituted(bus, subs))),
                None if entry.get("EventBusName.$").is_none() => found.push(Reference {
                    target: Endpoint::External(External::DefaultEventBus),
                    attribute: None,
                    conditional: false,
                    location: emit.at(at),
                }),
                None => {}
            }
        }
        return found;
    }
    let Some(parameters) = parameters else { return found };
    match TARGET_KEYS.iter().find(|(name, _)| *name == service) {
        Some((_, keys)) => {
            let mut values = Vec::new();
            values_under(parameters, keys, 0, &mut values);
            for value in values {
                found.extend(emit.targets(&substituted(value, subs)));
            }
        }
        // Another service (ECS, Glue, Batch, CodeBuild, ...): whatever resource its parameters
        // reference.
        None => found.extend(
            emit.names
                .references(&substituted_all(parameters, subs), false)
                .into_iter()
                .filter(|reference| reference.target.resource().is_some()),
        ),
    }
    found
}

/// The values under any of `keys` in `node`, at any depth (`TransactItems[].Put.TableName`).
fn values_under<'n>(node: &'n Node, keys: &[&str], depth: usize, out: &mut Vec<&'n Node>) {
    if depth > MAX_DEPTH || node.intrinsic().is_some() {
        return;
    }
    match &node.value {
        Value::Map(entries) => {
            for (key, value) in entries {
                if key.as_str().is_some_and(|key| keys.contains(&key)) {
                    out.push(value);
                } else {
                    values_under(value, keys, depth + 1, out);
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|item| values_under(item, keys, depth + 1, out)),
        _ => {}
    }
}

/// The relation of the state machine to one thing a task names: a trigger of a function, a
/// route to a resource of the template or the default bus; outside things are left out.
fn relate(
    emit: &mut Emit<'_, '_>,
    this: &Endpoint,
    state: &str,
    at: &Node,
    reference: Reference,
    asynchronous: bool,
) {
    if let Some(function) = emit.names.function_of(&reference.target) {
        let trigger = Trigger {
            source: TriggerSource::Generic("StepFunctions".into()),
            name: state.to_owned(),
            asynchronous,
            enabled: true,
            ..Trigger::default()
        };
        let kind = RelationKind::Trigger(trigger);
        emit.relate(this.clone(), Endpoint::Resource(function), kind, at, reference.conditional);
        return;
    }
    if matches!(reference.target, Endpoint::Resource(_) | Endpoint::External(External::DefaultEventBus)) {
        let route =
            Route { via: RouteVia::StateMachineTask, label: Some(state.to_owned()), ..Route::default() };
        emit.relate(this.clone(), reference.target, RelationKind::Route(route), at, reference.conditional);
    }
}

/// A value of the definition with the `${...}` placeholders of `DefinitionSubstitutions` (and
/// of a `Fn::Sub` the definition was built with) as a `Fn::Sub` with the substitutions as its
/// variables, so that resolving it follows them.
fn substituted(node: &Node, subs: Option<&Node>) -> Node {
    let text = match node.intrinsic() {
        Some(("Fn::Sub", args)) => args.as_str(),
        Some(_) => None,
        None => node.as_str(),
    };
    let Some(text) = text.filter(|text| text.contains("${")) else { return node.clone() };
    let (line, column) = (node.line, node.column);
    let mut args = vec![Node::scalar(text, line, column)];
    if let Some(subs) = subs {
        args.push(subs.clone());
    } else if node.intrinsic().is_none() {
        // Without substitutions CloudFormation leaves plain text as it is.
        return node.clone();
    }
    let args = Node { value: Value::Seq(args), line, column };
    Node { value: Value::Map(vec![(Node::scalar("Fn::Sub", line, column), args)]), line, column }
}

/// `node` with each of its strings [`substituted`].
fn substituted_all(node: &Node, subs: Option<&Node>) -> Node {
    match &node.value {
        Value::Scalar { .. } => substituted(node, subs),
        _ if node.intrinsic().is_some() => substituted(node, subs),
        Value::Seq(items) => Node {
            value: Value::Seq(items.iter().map(|item| substituted_all(item, subs)).collect()),
            ..node.clone()
        },
        Value::Map(entries) => Node {
            value: Value::Map(
                entries.iter().map(|(key, value)| (key.clone(), substituted_all(value, subs))).collect(),
            ),
            ..node.clone()
        },
        Value::Tagged(_, _) => node.clone(),
    }
}

/// A definition flowdoc does not read (a `DefinitionUri` file): each resource its substitutions
/// (or the unread definition) reference is taken for a task's target.
fn named_anywhere(emit: &mut Emit<'_, '_>, this: &Endpoint, props: &Node) {
    for key in ["DefinitionSubstitutions", "Definition", "DefinitionString"] {
        let Some((key_node, value)) = props.entry(key) else { continue };
        let mut seen = Vec::new();
        for reference in emit.names.references(value, false) {
            if seen.contains(&reference.target) || &reference.target == this {
                continue;
            }
            seen.push(reference.target.clone());
            let kind = match emit.names.function_of(&reference.target) {
                Some(_) => RelationKind::Trigger(Trigger {
                    source: TriggerSource::Generic("StepFunctions".into()),
                    name: key.to_owned(),
                    enabled: true,
                    ..Trigger::default()
                }),
                None if matches!(reference.target, Endpoint::Resource(_)) => {
                    RelationKind::Route(Route { via: RouteVia::StateMachineTask, ..Route::default() })
                }
                None => continue,
            };
            let target =
                emit.names.function_of(&reference.target).map_or(reference.target, Endpoint::Resource);
            emit.relate(this.clone(), target, kind, key_node, reference.conditional);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrations_are_read_from_their_arns() {
        let of = |arn: &str| integration(arn).map(|(service, action)| format!("{service} {action}"));
        assert_eq!(of("arn:aws:states:::lambda:invoke").as_deref(), Some("lambda invoke"));
        assert_eq!(
            of("arn:${AWS::Partition}:states:::lambda:invoke.waitForTaskToken").as_deref(),
            Some("lambda invoke")
        );
        assert_eq!(of("arn:aws:states:::aws-sdk:s3:putObject").as_deref(), Some("s3 putObject"));
        assert_eq!(of("arn:aws:states:::glue:startJobRun.sync:2").as_deref(), Some("glue startJobRun"));
        assert_eq!(of("arn:aws:lambda:us-east-1:123456789012:function:f"), None);
        assert_eq!(of("arn:aws:states:us-east-1:123456789012:activity:a"), None);
    }
}
