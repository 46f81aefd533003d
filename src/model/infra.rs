//! The template side of the flow: resources become nodes, relations become edges (triggers,
//! subscriptions, routes, failure paths, connector writes as publish edges) or side tables
//! (grants, invoke permissions, failure paths as declared, before edges are merged).

use super::builder::FlowBuilder;
use super::graph::{Edge, EdgeKind, EdgeSource, FailurePath, GrantInfo, Node, NodeKind, PermissionInfo};
use crate::severity::Severity;
use crate::template::{Endpoint, External, RelationKind, TemplateProblem, Templates, TriggerSource};
use petgraph::stable_graph::NodeIndex;
use std::collections::BTreeSet;

/// Adds every template's resources and relations to `flow`: the resources of all of them first,
/// since a relation may end in another template's resource (through an import of its export).
pub(crate) fn add_templates(flow: &mut FlowBuilder, templates: &Templates) {
    for (index, template) in templates.templates().iter().enumerate() {
        flow.templates.push(template.path.clone());
        for resource in template.resources.values() {
            flow.add_node(Node {
                id: flow.node_id(index, &resource.id),
                kind: NodeKind::Resource(resource.kind),
                type_name: resource.type_name.clone(),
                template: Some(template.path.clone()),
                logical_id: resource.id.clone(),
                location: Some(resource.location.clone()),
                implicit: resource.implicit,
                conditional: resource.condition.is_some(),
                dlq: false,
                details: resource.details.clone(),
            });
        }
    }
    for (index, template) in templates.templates().iter().enumerate() {
        for relation in &template.relations {
            match &relation.kind {
                RelationKind::Grant(grant) => {
                    let (Some(grantee), Some(target)) =
                        (endpoint_id(flow, index, &relation.from), endpoint_id(flow, index, &relation.to))
                    else {
                        continue;
                    };
                    flow.grants.entry(grantee).or_default().push(GrantInfo {
                        target,
                        access: grant.access,
                        via: grant.via.clone(),
                        location: relation.location.clone(),
                    });
                }
                RelationKind::Permission(permission) => {
                    let (Some(source), Some(function)) =
                        (endpoint_id(flow, index, &relation.from), endpoint_id(flow, index, &relation.to))
                    else {
                        continue;
                    };
                    flow.permissions.entry(function).or_default().push(PermissionInfo {
                        source,
                        principal: permission.principal.clone(),
                        location: relation.location.clone(),
                    });
                }
                RelationKind::Env(_) => {}
                kind => {
                    let (Some(from), Some(to)) = (
                        endpoint_node(flow, index, &relation.from, &relation.location),
                        endpoint_node(flow, index, &relation.to, &relation.location),
                    ) else {
                        continue;
                    };
                    let mut confirmed = false;
                    let mut source = EdgeSource::Template;
                    let (edge_kind, label) = match kind {
                        RelationKind::Trigger(trigger) if trigger.source == TriggerSource::Authorizer => {
                            (EdgeKind::Authorizer, trigger_label(trigger))
                        }
                        RelationKind::Trigger(trigger) => (EdgeKind::Trigger, trigger_label(trigger)),
                        RelationKind::Subscription(subscription) => {
                            (EdgeKind::Subscription, Some(subscription.protocol.clone()))
                        }
                        RelationKind::Route(route) => (EdgeKind::Route, route.label.clone()),
                        RelationKind::Failure(failure) => {
                            flow.graph[to].dlq = true;
                            flow.failure_paths.push(FailurePath {
                                from: flow.graph[from].id.clone(),
                                to: flow.graph[to].id.clone(),
                                via: failure.via,
                                function: failure.function.as_ref().map(|id| flow.node_id(index, id)),
                                location: relation.location.clone(),
                            });
                            (EdgeKind::Failure, None)
                        }
                        // A write the template's author declares (a connector): a publish edge the
                        // template confirms, with no events until code says which.
                        RelationKind::Write(_) => {
                            confirmed = true;
                            source = EdgeSource::Connector;
                            (EdgeKind::Publish, None)
                        }
                        RelationKind::Grant(_) | RelationKind::Env(_) | RelationKind::Permission(_) => {
                            continue;
                        }
                    };
                    flow.add_edge(
                        from,
                        to,
                        Edge {
                            kind: edge_kind,
                            events: BTreeSet::new(),
                            confirmed,
                            conditional: relation.conditional,
                            location: relation.location.clone(),
                            labels: label.into_iter().filter(|label| !label.is_empty()).collect(),
                            relation: Some(kind.clone()),
                            source,
                        },
                    );
                }
            }
        }
        flow.template_problems.extend(template.problems.iter().cloned());
    }
    flow.template_problems.extend(templates.errors().iter().cloned());
    flow.template_problems.sort();
    flow.template_problems.dedup();
}

/// What a trigger edge is labelled with: the API route (`authorizer NAME` for a Lambda
/// authorizer), the GraphQL field, the S3 events, the IoT rule's topic, the load balancer's
/// listener port or rule path, the log filter pattern, the Cognito trigger.
fn trigger_label(trigger: &crate::template::Trigger) -> Option<String> {
    match trigger.source {
        TriggerSource::Api
        | TriggerSource::HttpApi
        | TriggerSource::S3
        | TriggerSource::Authorizer
        | TriggerSource::AppSync
        | TriggerSource::IoT
        | TriggerSource::LoadBalancer
        | TriggerSource::CloudWatchLogs
        | TriggerSource::Cognito => trigger.route.clone(),
        _ => None,
    }
}

/// The node id of an endpoint, followed across nested stacks: a resource's (qualified) id or an
/// outside thing's label. Missing names have none.
pub(crate) fn endpoint_id(flow: &FlowBuilder, template: usize, endpoint: &Endpoint) -> Option<String> {
    let (template, endpoint) = flow.across_stacks(template, endpoint);
    match &endpoint {
        Endpoint::Resource(id) => Some(flow.node_id(template, id)),
        Endpoint::External(External::Import(name)) => Some(
            flow.import(template, name).map_or_else(|| format!("import:{name}"), |imported| imported.node),
        ),
        Endpoint::External(external) => Some(external.label()),
        Endpoint::Missing(_) => None,
    }
}

/// The node of an endpoint, followed across nested stacks, adding outside things as `external`
/// nodes when first seen.
fn endpoint_node(
    flow: &mut FlowBuilder,
    template: usize,
    endpoint: &Endpoint,
    at: &crate::location::Location,
) -> Option<NodeIndex> {
    let (template, endpoint) = flow.across_stacks(template, endpoint);
    match &endpoint {
        Endpoint::Resource(id) => flow.index_of(&flow.node_id(template, id)),
        Endpoint::External(External::Import(name)) if let Some(imported) = flow.import(template, name) => {
            if let Some((export, exporter)) = imported.by_rest {
                flow.template_problems.push(TemplateProblem {
                    location: at.clone(),
                    severity: Severity::Info,
                    message: format!(
                        "the import `{name}` is taken to be the export `{export}` of {exporter}: the names match past the stack name, which flowdoc does not know"
                    ),
                    related: None,
                });
            }
            flow.index_of(&imported.node)
        }
        Endpoint::External(External::Wildcard(_)) | Endpoint::Missing(_) => None,
        Endpoint::External(external) => Some(flow.add_node(external_node(external, at))),
    }
}

/// A node for something outside the templates.
pub(crate) fn external_node(external: &External, at: &crate::location::Location) -> Node {
    let label = external.label();
    Node {
        id: label.clone(),
        kind: NodeKind::External,
        type_name: String::new(),
        template: None,
        logical_id: label,
        location: Some(at.clone()),
        implicit: false,
        conditional: false,
        dlq: false,
        details: crate::template::Details::None,
    }
}
