//! VPC Lattice services in front of functions: an `AWS::VpcLattice::TargetGroup` of `Type:
//! LAMBDA` invokes the functions its `Targets[].Id` name, for the service whose listeners
//! (`DefaultAction.Forward.TargetGroups`) or rules (`Action.Forward.TargetGroups`) forward to it
//! (`ServiceIdentifier`, or the rule's listener's); from the target group itself where no service
//! of the template is known. Lattice invokes synchronously.

use super::emit::Emit;
use super::model::{Endpoint, RelationKind, Trigger, TriggerSource};
use super::yaml::Node;

const LISTENER: &str = "AWS::VpcLattice::Listener";
const RULE: &str = "AWS::VpcLattice::Rule";

/// Reads an `AWS::VpcLattice::TargetGroup` `id`.
pub(crate) fn target_group(emit: &mut Emit<'_, '_>, id: &str, props: &Node) {
    if !emit.text(props.get("Type")).is_some_and(|kind| kind.eq_ignore_ascii_case("lambda")) {
        return;
    }
    let mut services = services(emit, id);
    if services.is_empty() {
        services.push((Endpoint::Resource(id.to_owned()), false));
    }
    let trigger = RelationKind::Trigger(Trigger {
        source: TriggerSource::Generic("VpcLattice".into()),
        name: id.to_owned(),
        enabled: true,
        ..Trigger::default()
    });
    for target in props.get("Targets").and_then(Node::as_seq).unwrap_or_default() {
        let Some(function) = target.get("Id") else {
            emit.warn(target, "target group target without an Id");
            continue;
        };
        for reference in emit.targets(function) {
            let to = emit.names.function_of(&reference.target).map_or(reference.target, Endpoint::Resource);
            for (service, conditional) in &services {
                let conditional = *conditional || reference.conditional;
                emit.relate(service.clone(), to.clone(), trigger.clone(), target, conditional);
            }
        }
    }
}

/// The services whose listeners or rules forward to the target group `id`, each with whether
/// the listener or rule may not exist.
fn services(emit: &Emit<'_, '_>, id: &str) -> Vec<(Endpoint, bool)> {
    let names = emit.names;
    let mut found = Vec::new();
    for (resource, type_name) in &names.resources {
        let Some(props) = names.properties.get(resource) else { continue };
        let action = match type_name.as_str() {
            LISTENER => props.get("DefaultAction"),
            RULE => props.get("Action"),
            _ => continue,
        };
        if !forwards_to(emit, action, id) {
            continue;
        }
        let conditional = names.conditional.contains(resource);
        let mut service =
            props.get("ServiceIdentifier").map(|service| emit.targets(service)).unwrap_or_default();
        if service.is_empty() && type_name == RULE {
            // A rule names its listener; the listener names the service.
            for listener in props.get("ListenerIdentifier").map(|l| emit.targets(l)).unwrap_or_default() {
                let listener_props = listener.target.resource().and_then(|l| names.properties.get(l));
                if let Some(of_listener) = listener_props.and_then(|p| p.get("ServiceIdentifier")) {
                    service.extend(emit.targets(of_listener));
                }
            }
        }
        let known: Vec<_> = service
            .into_iter()
            .filter(|reference| !matches!(reference.target, Endpoint::Missing(_)))
            .collect();
        if known.is_empty() {
            found.push((Endpoint::Resource(id.to_owned()), conditional));
        }
        for reference in known {
            found.push((reference.target, conditional || reference.conditional));
        }
    }
    found
}

/// Whether a listener's or rule's action forwards to the target group `id`.
fn forwards_to(emit: &Emit<'_, '_>, action: Option<&Node>, id: &str) -> bool {
    action
        .and_then(|action| action.path(&["Forward", "TargetGroups"]))
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|group| group.get("TargetGroupIdentifier"))
        .any(|group| emit.targets(group).iter().any(|reference| reference.target.resource() == Some(id)))
}
