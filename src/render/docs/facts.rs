//! What both the index and a part's page say of a function or a resource: the events its
//! handlers produce, the kind of resource it is.

use crate::model::{Flow, Node};
use crate::scan::Role;
use std::collections::BTreeSet;

/// The events the handlers of `function` produce.
pub(super) fn produced_by<'a>(flow: &'a Flow, function: &str) -> BTreeSet<&'a String> {
    flow.handlers_of(function)
        .flat_map(|handler| &handler.annotations)
        .filter(|annotation| annotation.facts.role == Role::Producer)
        .map(|annotation| &annotation.event)
        .collect()
}

/// The kind of `node`, saying when it is a dead-letter queue.
pub(super) fn resource_kind(node: &Node) -> String {
    if node.dlq { format!("{} (dead-letter queue)", node.kind.name()) } else { node.kind.name().to_owned() }
}
