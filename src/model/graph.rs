//! The flow model's types: a petgraph `StableGraph` of resources and the ways data moves between
//! them, behind a small API keyed by node id, with the event catalogue, the bound handlers and
//! the side tables the rules read (grants, permissions, environment).

use crate::location::Location;
use crate::scan::{AnnotationFacts, FieldFacts, HandlerFacts, SourceProblem, VariantFacts};
use crate::template::{Access, Details, FailureVia, RelationKind, ResourceKind, TemplateProblem};
use petgraph::Direction;
use petgraph::stable_graph::{NodeIndex, StableGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use std::collections::{BTreeMap, BTreeSet};

/// The graph under the model.
pub type FlowGraph = StableGraph<Node, Edge>;

/// Node indexes by node id, hashed: looked up, and listed only sorted (in [`Flow::nodes`] and in
/// its `Debug` form), so that nothing a run shows depends on the hash's order.
#[derive(Default)]
pub(super) struct NodeIndexById(std::collections::HashMap<String, NodeIndex, foldhash::fast::RandomState>);

impl NodeIndexById {
    pub(super) fn get(&self, id: &str) -> Option<NodeIndex> {
        self.0.get(id).copied()
    }

    pub(super) fn insert(&mut self, id: String, index: NodeIndex) {
        self.0.insert(id, index);
    }

    /// Every node's index, sorted by node id.
    pub(super) fn sorted(&self) -> Vec<NodeIndex> {
        let mut sorted: Vec<(&str, NodeIndex)> =
            self.0.iter().map(|(id, index)| (id.as_str(), *index)).collect();
        sorted.sort_unstable();
        sorted.into_iter().map(|(_, index)| index).collect()
    }
}

impl std::fmt::Debug for NodeIndexById {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.0.iter().collect::<BTreeMap<_, _>>()).finish()
    }
}

/// The event flow of a project: resources, edges carrying events, events, handlers. Built whole
/// by [`super::build`] and read-only from then on.
#[derive(Debug)]
pub struct Flow {
    pub(super) graph: FlowGraph,
    pub(super) index: NodeIndexById,
    /// Every node's index, sorted by node id.
    pub(super) sorted: Vec<NodeIndex>,
    /// Event types by name.
    pub(super) events: BTreeMap<String, Event>,
    /// Every annotated handler with the functions it is bound to, in source order.
    pub(super) handlers: Vec<Handler>,
    /// Indexes into `handlers` by function node id.
    pub(super) handler_index: BTreeMap<String, Vec<usize>>,
    /// The templates the flow was built from, by path.
    pub(super) templates: Vec<String>,
    /// Access grants by grantee node id.
    pub(super) grants: BTreeMap<String, Vec<GrantInfo>>,
    /// Invoke permissions by function node id: who may invoke it.
    pub(super) permissions: BTreeMap<String, Vec<PermissionInfo>>,
    /// What scanning the sources could not read.
    pub(super) source_problems: Vec<SourceProblem>,
    /// Templates refused, and mistakes in loaded templates.
    pub(super) template_problems: Vec<TemplateProblem>,
    /// Events each function receives, and from which resource.
    pub(super) deliveries: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    /// Every failure path as the templates declare it. Edges between the same two nodes are
    /// merged into one, which keeps only the first declaration's settings; the rules need each
    /// (which mapping an on-failure destination belongs to, which rule target has a DLQ).
    pub(super) failure_paths: Vec<FailurePath>,
}

/// A failure path as a template declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FailurePath {
    /// Where failed data comes from (queue, stream, topic, rule, function), by node id.
    pub(crate) from: String,
    /// Where it lands, by node id.
    pub(crate) to: String,
    /// What kind of failure path.
    pub(crate) via: FailureVia,
    /// For an event source mapping's on-failure destination: the function it belongs to, by
    /// node id.
    pub(crate) function: Option<String>,
    /// Where it is declared.
    pub(crate) location: Location,
}

/// A resource, or something outside the templates that they reference.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The graph id: the logical ID, `<template>#<LogicalId>` where IDs clash, or an outside
    /// thing's label.
    pub id: String,
    /// What it is.
    pub kind: NodeKind,
    /// The CloudFormation type; empty for outside things.
    pub type_name: String,
    /// The template that defines it.
    pub template: Option<String>,
    /// Its logical ID in that template (the label of an outside thing).
    pub logical_id: String,
    /// Where it is defined.
    pub location: Option<Location>,
    /// Created by the SAM transform.
    pub implicit: bool,
    /// Exists only under a condition.
    pub conditional: bool,
    /// A dead-letter or on-failure target.
    pub dlq: bool,
    /// The settings the template gives it.
    pub details: Details,
}

/// The kind of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    /// A template resource.
    Resource(ResourceKind),
    /// Something outside the templates: an import, a literal ARN, a parameter, a service.
    External,
}

impl NodeKind {
    /// The kind called `name` in the JSON graph.
    pub fn from_name(name: &str) -> Option<NodeKind> {
        match name {
            "external" => Some(NodeKind::External),
            name => ResourceKind::from_name(name).map(NodeKind::Resource),
        }
    }

    /// The kind's name in the JSON graph.
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Resource(kind) => kind.name(),
            NodeKind::External => "external",
        }
    }

    /// Whether this is a Lambda function.
    pub fn is_function(self) -> bool {
        self == NodeKind::Resource(ResourceKind::Function)
    }
}

/// A way data moves from one node to another.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// What kind of hop.
    pub kind: EdgeKind,
    /// The event types that travel on it.
    pub events: BTreeSet<String>,
    /// For publish edges: the template grants the function access to the target.
    pub confirmed: bool,
    /// Exists only under a condition.
    pub conditional: bool,
    /// Where it is declared: the template line, or the annotation for publish edges.
    pub location: Location,
    /// Short descriptions of the hop (API routes, rule target ids), sorted.
    pub labels: Vec<String>,
    /// The template's relation, with its settings (batch size, filter policy, ...).
    pub relation: Option<RelationKind>,
    /// Where the flow was learnt.
    pub source: EdgeSource,
}

/// Where an edge was learnt, strongest first: edges merged into one keep the strongest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeSource {
    /// An annotation in the code declares it.
    Code,
    /// A SAM connector the template's author wrote declares it.
    Connector,
    /// The template's own wiring: events, mappings, subscriptions, integrations, definitions.
    Template,
    /// A write grant, and an environment variable of the function naming the target: granted,
    /// not declared in code.
    Grant,
}

impl EdgeSource {
    /// Every source, strongest first.
    pub const ALL: [EdgeSource; 4] =
        [EdgeSource::Code, EdgeSource::Connector, EdgeSource::Template, EdgeSource::Grant];

    /// The source's name in the JSON graph.
    pub fn name(self) -> &'static str {
        match self {
            EdgeSource::Code => "code",
            EdgeSource::Connector => "connector",
            EdgeSource::Template => "template",
            EdgeSource::Grant => "grant",
        }
    }

    /// The source called `name` in the JSON graph.
    pub fn from_name(name: &str) -> Option<EdgeSource> {
        EdgeSource::ALL.into_iter().find(|source| source.name() == name)
    }
}

/// The kinds of edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// A source invokes a function.
    Trigger,
    /// A topic delivers to a subscriber.
    Subscription,
    /// A handler writes or publishes to a resource (from an annotation).
    Publish,
    /// Events move on: bus to rule, rule to target, notifications, pipes.
    Route,
    /// Where data lands when processing fails.
    Failure,
    /// An API asks a Lambda authorizer whether to let a request in.
    Authorizer,
}

impl EdgeKind {
    /// Every kind, in declaration order.
    pub const ALL: [EdgeKind; 6] = [
        EdgeKind::Trigger,
        EdgeKind::Subscription,
        EdgeKind::Publish,
        EdgeKind::Route,
        EdgeKind::Failure,
        EdgeKind::Authorizer,
    ];

    /// The kind called `name` in the JSON graph.
    pub fn from_name(name: &str) -> Option<EdgeKind> {
        EdgeKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The kind's name in the JSON graph.
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::Trigger => "trigger",
            EdgeKind::Subscription => "subscription",
            EdgeKind::Publish => "publish",
            EdgeKind::Route => "route",
            EdgeKind::Failure => "failure",
            EdgeKind::Authorizer => "authorizer",
        }
    }
}

/// An event type of the system.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Event {
    /// Its name.
    pub name: String,
    /// Its schema version.
    pub version: u32,
    /// The Rust type that defines it, if it has one marked `#[event]`.
    pub rust_name: Option<String>,
    /// The type's doc comment.
    pub doc: String,
    /// The type's fields (struct events).
    pub fields: Vec<FieldFacts>,
    /// The type's variants (enum events).
    pub variants: Vec<VariantFacts>,
    /// Where the type is defined.
    pub location: Option<Location>,
    /// Functions whose handlers produce it, by node id.
    pub producers: BTreeSet<String>,
    /// Functions whose handlers consume it, by node id.
    pub consumers: BTreeSet<String>,
}

/// An annotated handler and what it is bound to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handler {
    /// What the scanner found.
    pub facts: HandlerFacts,
    /// The functions (node ids) that run it; empty when none could be found.
    pub functions: Vec<String>,
    /// How the functions were found.
    pub binding: Binding,
    /// Its annotations, resolved.
    pub annotations: Vec<BoundAnnotation>,
}

/// How a handler was tied to its functions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Binding {
    /// `function = "..."` on its annotations.
    Explicit,
    /// The function's `CodeUri` is the crate's folder or a folder in it.
    CodeUri,
    /// The function's cargo-lambda binary is one of the crate's binaries.
    Binary,
    /// No function runs it; the reason, for messages.
    Unbound(String),
}

/// An annotation with its event name and resource resolved for each function of the handler.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoundAnnotation {
    /// What the scanner found.
    pub facts: AnnotationFacts,
    /// The event's name.
    pub event: String,
    /// The resource it names, per function it runs in (one entry with no function when the
    /// handler is unbound).
    pub targets: Vec<AnnotationTarget>,
}

/// Where an annotation's resource resolved for one function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnotationTarget {
    /// The function, by node id.
    pub function: Option<String>,
    /// The resource's node id, or why it could not be found.
    pub resource: Result<String, String>,
}

/// An access grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantInfo {
    /// The resource's node id, or `service:*` for all of a service.
    pub target: String,
    /// Read or write.
    pub access: Access,
    /// Where it comes from (policy template name, statement, connector).
    pub via: String,
    /// Where it is written.
    pub location: Location,
}

/// An invoke permission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermissionInfo {
    /// Who may invoke: a node id or a service label.
    pub source: String,
    /// The principal, such as `sns.amazonaws.com`.
    pub principal: String,
    /// Where it is written.
    pub location: Location,
}

impl Flow {
    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.index.get(id).and_then(|index| self.graph.node_weight(index))
    }

    /// Every node, sorted by id.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.sorted.iter().filter_map(|index| self.graph.node_weight(*index))
    }

    /// Every edge with its ends, sorted by (from, to, kind).
    pub fn edges(&self) -> Vec<(&Node, &Node, &Edge)> {
        let mut edges: Vec<(&Node, &Node, &Edge)> = self
            .graph
            .edge_references()
            .map(|edge| (&self.graph[edge.source()], &self.graph[edge.target()], edge.weight()))
            .collect();
        edges.sort_by(|a, b| (&a.0.id, &a.1.id, a.2.kind).cmp(&(&b.0.id, &b.1.id, b.2.kind)));
        edges
    }

    /// Every edge with its ends, in no particular order: for callers that sort or merge what
    /// they keep (sorting every edge costs more than most of them need).
    pub fn edges_unsorted(&self) -> impl Iterator<Item = (&Node, &Node, &Edge)> {
        self.graph
            .edge_references()
            .map(|edge| (&self.graph[edge.source()], &self.graph[edge.target()], edge.weight()))
    }

    /// Edges leaving `id`, sorted by target and kind.
    pub fn outgoing(&self, id: &str) -> Vec<(&Node, &Edge)> {
        self.neighbours(id, Direction::Outgoing)
    }

    /// Edges arriving at `id`, sorted by source and kind.
    pub fn incoming(&self, id: &str) -> Vec<(&Node, &Edge)> {
        self.neighbours(id, Direction::Incoming)
    }

    fn neighbours(&self, id: &str, direction: Direction) -> Vec<(&Node, &Edge)> {
        let Some(index) = self.index.get(id) else { return Vec::new() };
        let mut found: Vec<(&Node, &Edge)> = self
            .graph
            .edges_directed(index, direction)
            .map(|edge| {
                let other = if direction == Direction::Outgoing { edge.target() } else { edge.source() };
                (&self.graph[other], edge.weight())
            })
            .collect();
        found.sort_by(|a, b| (&a.0.id, a.1.kind).cmp(&(&b.0.id, b.1.kind)));
        found
    }

    /// The folder of a function's code: its `CodeUri` joined to its template's folder, when
    /// that is a local path inside the project.
    pub fn code_dir(&self, id: &str) -> Option<String> {
        let node = self.node(id)?;
        let Details::Function(details) = &node.details else { return None };
        let template = node.template.as_deref()?;
        crate::files::join(crate::files::parent(template), details.code_uri.as_deref()?)
    }

    /// The functions, sorted by id.
    pub fn functions(&self) -> impl Iterator<Item = &Node> {
        self.nodes().filter(|node| node.kind.is_function())
    }

    /// The handlers bound to the function `id`, in source order.
    pub fn handlers_of(&self, id: &str) -> impl Iterator<Item = &Handler> {
        self.handler_index.get(id).map_or(&[][..], Vec::as_slice).iter().map(|&at| &self.handlers[at])
    }

    /// The events a function's handlers declare they consume from any resource.
    pub fn consumed_by(&self, function: &str) -> BTreeSet<&str> {
        self.handlers_of(function)
            .flat_map(|handler| &handler.annotations)
            .filter(|annotation| annotation.facts.role == crate::scan::Role::Consumer)
            .map(|annotation| annotation.event.as_str())
            .collect()
    }

    /// The index of the node `id`.
    pub(crate) fn index_of(&self, id: &str) -> Option<NodeIndex> {
        self.index.get(id)
    }

    /// Event types by name.
    pub fn events(&self) -> &BTreeMap<String, Event> {
        &self.events
    }

    /// Every annotated handler with the functions it is bound to, in source order.
    pub fn handlers(&self) -> &[Handler] {
        &self.handlers
    }

    /// The templates the flow was built from, by path.
    pub fn templates(&self) -> &[String] {
        &self.templates
    }

    /// Access grants by grantee node id.
    pub fn grants(&self) -> &BTreeMap<String, Vec<GrantInfo>> {
        &self.grants
    }

    /// Invoke permissions by function node id: who may invoke it.
    pub fn permissions(&self) -> &BTreeMap<String, Vec<PermissionInfo>> {
        &self.permissions
    }

    /// What scanning the sources could not read.
    pub fn source_problems(&self) -> &[SourceProblem] {
        &self.source_problems
    }

    /// Templates refused, and mistakes in loaded templates.
    pub fn template_problems(&self) -> &[TemplateProblem] {
        &self.template_problems
    }

    /// Events each function receives (by function node id), and from which resources.
    pub fn deliveries(&self) -> &BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
        &self.deliveries
    }

    /// Every failure path as the templates declare it, before edges were merged.
    pub(crate) fn failure_paths(&self) -> &[FailurePath] {
        &self.failure_paths
    }

    /// The graph, for algorithms.
    pub fn graph(&self) -> &FlowGraph {
        &self.graph
    }

    /// Whether data written to `from` can reach the function `to` over triggers, subscriptions
    /// and routes, without passing through another function.
    pub fn feeds(&self, from: &str, to: &str) -> bool {
        let (Some(start), Some(goal)) = (self.index_of(from), self.index_of(to)) else { return false };
        let mut seen = BTreeSet::from([start]);
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            for edge in self.graph.edges_directed(node, Direction::Outgoing) {
                if !matches!(edge.weight().kind, EdgeKind::Trigger | EdgeKind::Subscription | EdgeKind::Route)
                {
                    continue;
                }
                let next = edge.target();
                if next == goal {
                    return true;
                }
                if !self.graph[next].kind.is_function() && seen.insert(next) {
                    stack.push(next);
                }
            }
        }
        false
    }

    /// The functions `event` reaches from the resource `from`, following the edges that carry
    /// it (failure paths included) and stopping at functions.
    pub fn functions_reached(&self, from: &str, event: &str) -> BTreeSet<String> {
        let mut reached = BTreeSet::new();
        let Some(start) = self.index_of(from) else { return reached };
        let mut seen = BTreeSet::from([start]);
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            for edge in self.graph.edges_directed(node, Direction::Outgoing) {
                if edge.weight().kind == EdgeKind::Publish || !edge.weight().events.contains(event) {
                    continue;
                }
                let next = edge.target();
                if self.graph[next].kind.is_function() {
                    reached.insert(self.graph[next].id.clone());
                } else if seen.insert(next) {
                    stack.push(next);
                }
            }
        }
        reached
    }
}
