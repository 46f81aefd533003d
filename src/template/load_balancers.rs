//! Application Load Balancers in front of functions: an
//! `AWS::ElasticLoadBalancingV2::TargetGroup` with `TargetType: lambda` invokes the functions
//! its `Targets[].Id` name. The trigger comes from the load balancer that forwards to the target
//! group, found through the listeners (`DefaultActions`) and listener rules (`Actions`, their
//! `ListenerArn`) whose forward actions name it (`TargetGroupArn` or
//! `ForwardConfig.TargetGroups`), labelled with the listener's port or the rule's path
//! patterns; from the target group itself where no load balancer of the template is known.

use super::emit::Emit;
use super::model::{Endpoint, RelationKind, Route, RouteVia, Trigger, TriggerSource};
use super::yaml::Node;

const LISTENER: &str = "AWS::ElasticLoadBalancingV2::Listener";
const LISTENER_RULE: &str = "AWS::ElasticLoadBalancingV2::ListenerRule";

/// Reads an `AWS::ElasticLoadBalancingV2::TargetGroup` `id`.
pub(crate) fn target_group(emit: &mut Emit<'_, '_>, id: &str, props: &Node) {
    let lambda = emit.text(props.get("TargetType")).is_some_and(|kind| kind.eq_ignore_ascii_case("lambda"));
    if !lambda {
        return;
    }
    let mut sources = forwarders(emit, id);
    if sources.is_empty() {
        sources.push(Forwarder { from: Endpoint::Resource(id.to_owned()), label: None, conditional: false });
    }
    for target in props.get("Targets").and_then(Node::as_seq).unwrap_or_default() {
        let Some(function) = target.get("Id") else {
            emit.warn(target, "target group target without an Id");
            continue;
        };
        for reference in emit.targets(function) {
            for source in &sources {
                let conditional = reference.conditional || source.conditional;
                let kind = match emit.names.function_of(&reference.target) {
                    Some(function) => {
                        let trigger = Trigger {
                            source: TriggerSource::LoadBalancer,
                            name: id.to_owned(),
                            route: source.label.clone(),
                            enabled: true,
                            ..Trigger::default()
                        };
                        let to = Endpoint::Resource(function);
                        emit.relate(
                            source.from.clone(),
                            to,
                            RelationKind::Trigger(trigger),
                            target,
                            conditional,
                        );
                        continue;
                    }
                    None => RelationKind::Route(Route {
                        via: RouteVia::LoadBalancerTarget,
                        label: source.label.clone(),
                        ..Route::default()
                    }),
                };
                emit.relate(source.from.clone(), reference.target.clone(), kind, target, conditional);
            }
        }
    }
}

/// Where requests to a target group come from.
#[derive(Debug)]
struct Forwarder {
    /// The load balancer, or the target group when its load balancer is not known.
    from: Endpoint,
    /// The listener's port or the rule's path patterns.
    label: Option<String>,
    /// The listener or rule (or what it hangs on) has a `Condition`.
    conditional: bool,
}

/// The listeners and listener rules of the template that forward to the target group `id`.
fn forwarders(emit: &Emit<'_, '_>, id: &str) -> Vec<Forwarder> {
    let names = emit.names;
    let mut found = Vec::new();
    for (resource, type_name) in &names.resources {
        let Some(props) = names.properties.get(resource) else { continue };
        let conditional = names.conditional.contains(resource);
        match type_name.as_str() {
            LISTENER if forwards_to(emit, props.get("DefaultActions"), id) => {
                let label = emit.text(props.get("Port")).map(|port| format!("port {port}"));
                for (from, hangs_conditional) in load_balancers(emit, props, id) {
                    found.push(Forwarder {
                        from,
                        label: label.clone(),
                        conditional: conditional || hangs_conditional,
                    });
                }
            }
            LISTENER_RULE if forwards_to(emit, props.get("Actions"), id) => {
                let label = rule_label(emit, props);
                let listeners: Vec<String> = props
                    .get("ListenerArn")
                    .map(|arn| emit.targets(arn))
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|reference| reference.target.resource().map(str::to_owned))
                    .filter(|listener| names.resources.get(listener).map(String::as_str) == Some(LISTENER))
                    .collect();
                let mut balancers = Vec::new();
                for listener in &listeners {
                    let Some(listener_props) = names.properties.get(listener) else { continue };
                    for (from, hangs_conditional) in load_balancers(emit, listener_props, id) {
                        balancers.push((from, hangs_conditional || names.conditional.contains(listener)));
                    }
                }
                if balancers.is_empty() {
                    balancers.push((Endpoint::Resource(id.to_owned()), false));
                }
                for (from, hangs_conditional) in balancers {
                    found.push(Forwarder {
                        from,
                        label: label.clone(),
                        conditional: conditional || hangs_conditional,
                    });
                }
            }
            _ => {}
        }
    }
    found
}

/// The load balancers a listener's `LoadBalancerArn` names (each with whether it may not
/// exist), or the target group `id` when it names none.
fn load_balancers(emit: &Emit<'_, '_>, listener: &Node, id: &str) -> Vec<(Endpoint, bool)> {
    let found: Vec<(Endpoint, bool)> = listener
        .get("LoadBalancerArn")
        .map(|arn| emit.targets(arn))
        .unwrap_or_default()
        .into_iter()
        .filter(|reference| !matches!(reference.target, Endpoint::Missing(_)))
        .map(|reference| {
            let conditional = reference.conditional
                || reference.target.resource().is_some_and(|lb| emit.names.conditional.contains(lb));
            (reference.target, conditional)
        })
        .collect();
    if found.is_empty() { vec![(Endpoint::Resource(id.to_owned()), false)] } else { found }
}

/// Whether any `forward` action of `actions` names the target group `id`.
fn forwards_to(emit: &Emit<'_, '_>, actions: Option<&Node>, id: &str) -> bool {
    actions.and_then(Node::as_seq).unwrap_or_default().iter().any(|action| {
        let mut arns: Vec<&Node> = action.get("TargetGroupArn").into_iter().collect();
        arns.extend(
            action
                .path(&["ForwardConfig", "TargetGroups"])
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|group| group.get("TargetGroupArn")),
        );
        arns.iter()
            .any(|arn| emit.targets(arn).iter().any(|reference| reference.target.resource() == Some(id)))
    })
}

/// A listener rule's path patterns (`Field: path-pattern` with `Values`, or
/// `PathPatternConfig.Values`), joined; `None` where it has none written as text.
fn rule_label(emit: &Emit<'_, '_>, rule: &Node) -> Option<String> {
    let mut paths = Vec::new();
    for condition in rule.get("Conditions").and_then(Node::as_seq).unwrap_or_default() {
        if let Some(config) = condition.get("PathPatternConfig") {
            paths.extend(emit.strings(config.get("Values")));
        } else if emit.text(condition.get("Field")).as_deref() == Some("path-pattern") {
            paths.extend(emit.strings(condition.get("Values")));
        }
    }
    // A path built from a parameter without a default is a placeholder, not a path.
    paths.retain(|path| !path.contains("${"));
    (!paths.is_empty()).then(|| paths.join(", "))
}
