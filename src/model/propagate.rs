//! Events travel: from the resource a handler produces into, along the template's wiring (stream
//! and queue triggers, topic subscriptions that pass the event through their filter policy, bus
//! rules whose pattern matches its `detail-type`, routes, Kinesis consumers) until they reach
//! functions, and along failure paths to where they land when processing fails.

use super::builder::FlowBuilder;
use super::graph::EdgeKind;
use crate::template::{FailureVia, Node, RelationKind, RouteVia, Trigger, TriggerSource, Value};
use petgraph::Direction;
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use std::collections::{BTreeSet, VecDeque};

/// Fills in the events every edge carries and the events every function receives.
pub(crate) fn propagate(flow: &mut FlowBuilder) {
    let known: BTreeSet<String> = flow.events.keys().cloned().collect();
    let mut queue: VecDeque<(NodeIndex, String)> = VecDeque::new();
    let starts: Vec<(NodeIndex, Vec<String>)> = flow
        .graph
        .edge_references()
        .filter(|edge| edge.weight().kind == EdgeKind::Publish)
        .map(|edge| (edge.target(), edge.weight().events.iter().cloned().collect()))
        .collect();
    for (node, events) in starts {
        for event in events {
            queue.push_back((node, event));
        }
    }
    let mut visited: BTreeSet<(NodeIndex, String)> = BTreeSet::new();
    while let Some((node, event)) = queue.pop_front() {
        if !visited.insert((node, event.clone())) || flow.graph[node].kind.is_function() {
            continue;
        }
        let outgoing: Vec<(EdgeIndex, NodeIndex)> = flow
            .graph
            .edges_directed(node, Direction::Outgoing)
            .filter(|edge| edge.weight().kind != EdgeKind::Publish)
            .map(|edge| (edge.id(), edge.target()))
            .collect();
        for (edge, target) in outgoing {
            if !passes(&flow.graph[edge].relation, &event, &known) {
                continue;
            }
            if is_subscription_redrive(&flow.graph[edge].relation)
                && !redriven_by_a_subscription(flow, node, &event, &known)
            {
                continue;
            }
            flow.graph[edge].events.insert(event.clone());
            if flow.graph[target].kind.is_function() {
                deliver(flow, node, edge, target, &event, &mut queue);
            } else {
                queue.push_back((target, event.clone()));
            }
        }
    }
}

/// `event` reaches the function `target` from `source` over `edge`: record it, and when the
/// function is invoked asynchronously, send it along the function's own failure paths too.
fn deliver(
    flow: &mut FlowBuilder,
    source: NodeIndex,
    edge: EdgeIndex,
    target: NodeIndex,
    event: &str,
    queue: &mut VecDeque<(NodeIndex, String)>,
) {
    let function = flow.graph[target].id.clone();
    let from = flow.graph[source].id.clone();
    flow.deliveries.entry(function).or_default().entry(from).or_default().insert(event.to_owned());
    if !is_asynchronous(&flow.graph[edge].relation) {
        return;
    }
    let failures: Vec<(EdgeIndex, NodeIndex)> = flow
        .graph
        .edges_directed(target, Direction::Outgoing)
        .filter(|e| {
            matches!(&e.weight().relation, Some(RelationKind::Failure(failure))
                if matches!(failure.via, FailureVia::DeadLetterQueue | FailureVia::InvokeOnFailure))
        })
        .map(|e| (e.id(), e.target()))
        .collect();
    for (failure, dead_letter) in failures {
        flow.graph[failure].events.insert(event.to_owned());
        queue.push_back((dead_letter, event.to_owned()));
    }
}

/// Whether a function invoked over this relation is invoked asynchronously.
pub(crate) fn is_asynchronous(relation: &Option<RelationKind>) -> bool {
    match relation {
        Some(RelationKind::Trigger(trigger)) => trigger.asynchronous,
        Some(RelationKind::Subscription(_)) => true,
        _ => false,
    }
}

fn is_subscription_redrive(relation: &Option<RelationKind>) -> bool {
    matches!(relation, Some(RelationKind::Failure(failure)) if failure.via == FailureVia::SubscriptionRedrive)
}

/// Whether `event` can land in a topic's subscription dead-letter queue: only through a
/// subscription with a redrive policy whose filter lets it through (a message a filter keeps out
/// is never delivered, so it never fails delivery).
fn redriven_by_a_subscription(
    flow: &FlowBuilder,
    topic: NodeIndex,
    event: &str,
    known: &BTreeSet<String>,
) -> bool {
    flow.graph.edges_directed(topic, Direction::Outgoing).any(|edge| match &edge.weight().relation {
        Some(RelationKind::Subscription(subscription)) => {
            subscription.has_redrive
                && subscription
                    .filter_policy
                    .as_ref()
                    .is_none_or(|policy| filter_allows(policy, event, known))
        }
        _ => false,
    })
}

/// Whether `event` passes a hop: subscription filter policies and bus-to-rule patterns can stop
/// it, and events do not flow into an API.
fn passes(relation: &Option<RelationKind>, event: &str, known: &BTreeSet<String>) -> bool {
    match relation {
        Some(RelationKind::Subscription(subscription)) => {
            subscription.filter_policy.as_ref().is_none_or(|policy| filter_allows(policy, event, known))
        }
        Some(RelationKind::Route(route)) if route.via == RouteVia::BusToRule => {
            route.pattern.as_ref().is_none_or(|pattern| pattern_allows(pattern, event))
        }
        Some(RelationKind::Trigger(Trigger {
            source: TriggerSource::Api | TriggerSource::HttpApi | TriggerSource::Authorizer,
            ..
        })) => false,
        _ => true,
    }
}

/// Whether an SNS filter policy lets `event` through. A policy constrains events through an
/// attribute named `event_type`, or any attribute one of whose values names a known event; a
/// policy with no such attribute lets every event through.
pub(crate) fn filter_allows(policy: &Node, event: &str, known: &BTreeSet<String>) -> bool {
    if let Some(alternatives) = policy.get("$or").and_then(Node::as_seq) {
        return alternatives.iter().any(|alternative| filter_allows(alternative, event, known));
    }
    let mut stack = vec![policy];
    while let Some(map) = stack.pop() {
        for (key, condition) in map.as_map().unwrap_or_default() {
            let key = key.as_str().unwrap_or_default();
            if key == "$or" {
                continue;
            }
            let rules = rule_list(condition);
            if rules.is_empty() {
                // A nested body attribute (`MessageBody` scope): look inside.
                if condition.as_map().is_some() {
                    stack.push(condition);
                }
                continue;
            }
            let names_events = key == "event_type"
                || rules.iter().any(|rule| rule.as_str().is_some_and(|value| known.contains(value)));
            if names_events {
                return rules.iter().any(|rule| rule_matches(rule, event));
            }
        }
    }
    true
}

/// Whether an EventBridge pattern matches an event of this name: its `detail-type` must allow
/// it; a pattern that does not constrain `detail-type` matches every event.
pub(crate) fn pattern_allows(pattern: &Node, event: &str) -> bool {
    if let Some(alternatives) = pattern.get("$or").and_then(Node::as_seq) {
        return alternatives.iter().any(|alternative| pattern_allows(alternative, event));
    }
    match pattern.get("detail-type") {
        Some(condition) => rule_list(condition).iter().any(|rule| rule_matches(rule, event)),
        None => true,
    }
}

/// The matching rules of a condition: a list of values and operators (a lone value counts too).
fn rule_list(condition: &Node) -> Vec<&Node> {
    match &condition.value {
        Value::Seq(items) => items.iter().collect(),
        Value::Scalar { .. } => vec![condition],
        _ => Vec::new(),
    }
}

/// Whether one rule of a filter policy or event pattern matches the string `value`.
fn rule_matches(rule: &Node, value: &str) -> bool {
    if let Some(text) = rule.as_str() {
        return text == value;
    }
    let Some([(operator, operand)]) = rule.as_map() else { return false };
    let operand_text = operand.as_str().unwrap_or_default();
    match operator.as_str().unwrap_or_default() {
        "prefix" => {
            value.starts_with(operand_text)
                || operand
                    .get("equals-ignore-case")
                    .and_then(Node::as_str)
                    .is_some_and(|p| value.to_lowercase().starts_with(&p.to_lowercase()))
        }
        "suffix" => value.ends_with(operand_text),
        "equals-ignore-case" => value.eq_ignore_ascii_case(operand_text),
        "wildcard" => wildcard(operand_text, value),
        "exists" => operand.as_bool().unwrap_or(true),
        "anything-but" => match &operand.value {
            Value::Seq(items) => !items.iter().any(|item| item.as_str() == Some(value)),
            Value::Scalar { text, .. } => text != value,
            Value::Map(_) => !rule_matches(operand, value),
            Value::Tagged(..) => true,
        },
        _ => false,
    }
}

/// `*` matches any run of characters.
fn wildcard(pattern: &str, value: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else { return pattern == value };
    if !value.starts_with(first) || value.len() < first.len() + last.len() || !value.ends_with(last) {
        return false;
    }
    let mut rest = &value[first.len()..value.len() - last.len()];
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::yaml::{YamlLimits, parse};

    fn node(text: &str) -> Node {
        parse(text, YamlLimits::default()).unwrap().root
    }

    fn known() -> BTreeSet<String> {
        ["OrderPlaced", "OrderUpdated", "OrderCancelled"].iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn filter_policies_on_event_names() {
        let cases: &[(&str, &str, bool)] = &[
            ("{event_type: [OrderPlaced, OrderCancelled]}", "OrderPlaced", true),
            ("{event_type: [OrderPlaced, OrderCancelled]}", "OrderUpdated", false),
            ("{event_type: [{prefix: Order}]}", "OrderUpdated", true),
            ("{event_type: [{anything-but: [OrderUpdated]}]}", "OrderUpdated", false),
            ("{event_type: [{anything-but: [OrderUpdated]}]}", "OrderPlaced", true),
            ("{kind: [OrderPlaced]}", "OrderUpdated", false),
            ("{region: [eu-west-1]}", "OrderUpdated", true),
            ("{event_type: [{wildcard: 'Order*ed'}]}", "OrderPlaced", true),
            ("{detail: {event_type: [OrderPlaced]}}", "OrderUpdated", false),
            (
                "{'$or': [{event_type: [OrderPlaced]}, {event_type: [OrderCancelled]}]}",
                "OrderCancelled",
                true,
            ),
            ("{'$or': [{event_type: [OrderPlaced]}, {event_type: [OrderCancelled]}]}", "OrderUpdated", false),
        ];
        for (policy, event, expected) in cases {
            assert_eq!(filter_allows(&node(policy), event, &known()), *expected, "{policy} {event}");
        }
    }

    #[test]
    fn patterns_on_detail_type() {
        let cases: &[(&str, &str, bool)] = &[
            ("{source: [orders], detail-type: [OrderPlaced]}", "OrderPlaced", true),
            ("{source: [orders], detail-type: [OrderPlaced]}", "OrderUpdated", false),
            ("{source: [orders]}", "OrderUpdated", true),
            ("{detail-type: [{prefix: Order}]}", "OrderUpdated", true),
        ];
        for (pattern, event, expected) in cases {
            assert_eq!(pattern_allows(&node(pattern), event), *expected, "{pattern} {event}");
        }
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("Order*", "OrderPlaced"));
        assert!(wildcard("*Placed", "OrderPlaced"));
        assert!(wildcard("O*der*d", "OrderPlaced"));
        assert!(!wildcard("Order*X", "OrderPlaced"));
        assert!(wildcard("exact", "exact"));
    }
}
