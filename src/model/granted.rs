//! Probable writes: where the template lets a function write to a resource (a policy template,
//! an inline statement, its role or a policy attached to the role) and one of the function's
//! environment variables names that resource, the function most likely writes there. Such a
//! write is drawn as a publish edge of its own source, [`EdgeSource::Grant`]: granted, not
//! declared in code. It carries no events, so it starts no event propagation. Where an
//! annotation (or a connector) already declares a publish edge between the two, that edge is
//! left as it is: the write is the code's.
//!
//! Only grants on one resource of the templates draw: a grant on all of a service (`sqs:*`,
//! `*:*`) or on something outside the templates says too little about where the function
//! writes. A grant on a table's stream is a read (stream actions only read), so it draws
//! nothing either.

use super::builder::FlowBuilder;
use super::graph::{Edge, EdgeKind, EdgeSource, GrantInfo};
use crate::location::Location;
use crate::template::{Access, Details, Endpoint, FunctionDetails, Templates};
use std::collections::BTreeSet;

/// A write the template grants a function on a resource its environment names.
#[derive(Clone, Debug, PartialEq, Eq)]
struct GrantedWrite {
    /// The environment variable that names the resource.
    variable: String,
    /// Where the variable is set.
    location: Location,
    /// The variable's reference holds only under a condition.
    conditional: bool,
}

/// Adds a granted publish edge for each write grant of a function on a resource one of its
/// environment variables names.
pub(crate) fn add_granted_writes(flow: &mut FlowBuilder, templates: &Templates) {
    let mut edges = Vec::new();
    for (index, template) in templates.templates().iter().enumerate() {
        for resource in template.resources.values() {
            let Details::Function(details) = &resource.details else { continue };
            let function = flow.node_id(index, &resource.id);
            let Some(grants) = flow.grants.get(&function) else { continue };
            let targets: BTreeSet<&str> = grants
                .iter()
                .filter(|grant| is_specific_write(grant))
                .map(|grant| grant.target.as_str())
                .collect();
            for target in targets {
                if flow.node(target).is_none() || publishes(flow, &function, target) {
                    continue;
                }
                // A resource of the template, or of another one through a nested stack.
                let ids = |endpoint: &Endpoint| {
                    let (template, endpoint) = flow.across_stacks(index, endpoint);
                    endpoint.resource().map(|id| flow.node_id(template, id))
                };
                if let Some(write) = named_by_environment(details, target, ids) {
                    edges.push((function.clone(), target.to_owned(), write));
                }
            }
        }
    }
    for (function, target, write) in edges {
        let (Some(from), Some(to)) = (flow.index_of(&function), flow.index_of(&target)) else { continue };
        flow.add_edge(
            from,
            to,
            Edge {
                kind: EdgeKind::Publish,
                events: BTreeSet::new(),
                confirmed: true,
                conditional: write.conditional,
                location: write.location,
                labels: vec![write.variable],
                relation: None,
                source: EdgeSource::Grant,
            },
        );
    }
}

/// Whether a publish edge (from an annotation or a connector) already goes from `function` to
/// `target`: that edge says it better, and stays as it is.
fn publishes(flow: &FlowBuilder, function: &str, target: &str) -> bool {
    let (Some(from), Some(to)) = (flow.index_of(function), flow.index_of(target)) else { return false };
    flow.graph.edges_connecting(from, to).any(|edge| edge.weight().kind == EdgeKind::Publish)
}

/// Whether `grant` lets its grantee write to one resource (not all of a service).
pub(crate) fn is_specific_write(grant: &GrantInfo) -> bool {
    grant.access == Access::Write && !grant.target.ends_with(":*")
}

/// The first environment variable (by name) of `details` whose value references the resource
/// with node id `target`; `ids` gives the node id of the resource an endpoint of the template
/// stands for.
fn named_by_environment(
    details: &FunctionDetails,
    target: &str,
    ids: impl Fn(&Endpoint) -> Option<String>,
) -> Option<GrantedWrite> {
    details.environment.iter().find_map(|(name, var)| {
        let references: Vec<_> = var
            .references
            .iter()
            .filter(|reference| ids(&reference.target).is_some_and(|id| id == target))
            .collect();
        (!references.is_empty()).then(|| GrantedWrite {
            variable: name.clone(),
            location: var.location.clone(),
            conditional: references.iter().all(|reference| reference.conditional),
        })
    })
}
