//! What a picture shows, before it is laid out: nodes with their labels and looks, edges with
//! their labels and looks. Built from the flow for the system overview, for one event's path,
//! and for one function's neighbourhood; drawn by `svg`, `mermaid` and `dot`.

use crate::model::{EdgeKind, EdgeSource, Flow, Node, NodeKind};
use crate::template::ResourceKind;
use std::collections::{BTreeMap, BTreeSet};

/// A picture to draw.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Diagram {
    /// Nodes, sorted by id.
    pub nodes: Vec<DiagramNode>,
    /// Edges, sorted by (from, to, look).
    pub edges: Vec<DiagramEdge>,
}

/// A box in a picture.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DiagramNode {
    /// The flow node's id.
    pub id: String,
    /// The name, shown large.
    pub name: String,
    /// A second line: what it is.
    pub caption: String,
    /// Shape and colour.
    pub look: NodeLook,
    /// For pictures of a change: what the change did to it.
    pub change: Change,
}

/// What a change did to a node or edge, for pictures of a diff.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    /// Not a picture of a change.
    #[default]
    None,
    /// Unchanged, shown because it connects changes.
    Context,
    /// New.
    Added,
    /// Gone.
    Removed,
    /// Changed.
    Changed,
}

impl Change {
    /// The CSS class and Mermaid class of the change; empty for `None`.
    pub fn name(self) -> &'static str {
        match self {
            Change::None => "",
            Change::Context => "context",
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
        }
    }

    /// A text mark that says the same where colours are stripped.
    pub fn mark(self) -> &'static str {
        match self {
            Change::None | Change::Context => "",
            Change::Added => "+ ",
            Change::Removed => "− ",
            Change::Changed => "~ ",
        }
    }
}

/// How a node looks, by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeLook {
    /// An API or function URL.
    Api,
    /// A Lambda function.
    Function,
    /// A DynamoDB table.
    Table,
    /// A Kinesis stream.
    Stream,
    /// An SQS queue.
    Queue,
    /// A dead-letter or on-failure target.
    DeadLetter,
    /// An SNS topic.
    Topic,
    /// An EventBridge bus.
    Bus,
    /// An EventBridge rule.
    Rule,
    /// A schedule.
    Schedule,
    /// An S3 bucket.
    Bucket,
    /// A state machine or pipe.
    Workflow,
    /// A load balancer.
    Balancer,
    /// A log group.
    Logs,
    /// A user pool.
    Users,
    /// An alarm.
    Alarm,
    /// Something outside the templates.
    External,
    /// Any other resource.
    Other,
    /// A group of resources drawn as one, with a page of its own.
    Group,
}

impl NodeLook {
    /// Every look, for legends.
    pub const ALL: [NodeLook; 19] = [
        NodeLook::Group,
        NodeLook::Api,
        NodeLook::Function,
        NodeLook::Table,
        NodeLook::Stream,
        NodeLook::Queue,
        NodeLook::DeadLetter,
        NodeLook::Topic,
        NodeLook::Bus,
        NodeLook::Rule,
        NodeLook::Schedule,
        NodeLook::Bucket,
        NodeLook::Workflow,
        NodeLook::Balancer,
        NodeLook::Logs,
        NodeLook::Users,
        NodeLook::Alarm,
        NodeLook::External,
        NodeLook::Other,
    ];

    /// A short name, used as CSS class and in legends.
    pub fn name(self) -> &'static str {
        match self {
            NodeLook::Api => "api",
            NodeLook::Function => "function",
            NodeLook::Table => "table",
            NodeLook::Stream => "stream",
            NodeLook::Queue => "queue",
            NodeLook::DeadLetter => "dlq",
            NodeLook::Topic => "topic",
            NodeLook::Bus => "bus",
            NodeLook::Rule => "rule",
            NodeLook::Schedule => "schedule",
            NodeLook::Bucket => "bucket",
            NodeLook::Workflow => "workflow",
            NodeLook::Balancer => "balancer",
            NodeLook::Logs => "logs",
            NodeLook::Users => "users",
            NodeLook::Alarm => "alarm",
            NodeLook::External => "external",
            NodeLook::Other => "other",
            NodeLook::Group => "group",
        }
    }

    /// What the look stands for, in legends.
    pub fn meaning(self) -> &'static str {
        match self {
            NodeLook::Api => "API or function URL",
            NodeLook::Function => "Lambda function",
            NodeLook::Table => "DynamoDB table",
            NodeLook::Stream => "Kinesis or Firehose stream",
            NodeLook::Queue => "SQS queue",
            NodeLook::DeadLetter => "dead-letter queue",
            NodeLook::Topic => "SNS topic",
            NodeLook::Bus => "EventBridge bus",
            NodeLook::Rule => "EventBridge or IoT rule",
            NodeLook::Schedule => "schedule",
            NodeLook::Bucket => "S3 bucket",
            NodeLook::Workflow => "state machine or pipe",
            NodeLook::Balancer => "load balancer",
            NodeLook::Logs => "log group",
            NodeLook::Users => "Cognito user pool",
            NodeLook::Alarm => "CloudWatch alarm",
            NodeLook::External => "outside the templates",
            NodeLook::Other => "other resource",
            NodeLook::Group => "a part of the system, drawn on its own page",
        }
    }
}

/// An arrow in a picture.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DiagramEdge {
    /// From node id.
    pub from: String,
    /// To node id.
    pub to: String,
    /// Label lines: the events it carries, or the API routes.
    pub label: Vec<String>,
    /// Every event it carries, sorted: all of them, where an arrow between parts names only a
    /// few in its label; the onboarding site highlights arrows by them.
    pub events: Vec<String>,
    /// How it looks.
    pub look: EdgeLook,
    /// For pictures of a change: what the change did to it.
    pub change: Change,
}

/// How an edge looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeLook {
    /// A handler writes or publishes (from an annotation).
    Publish,
    /// Events move on: triggers, subscriptions, routes.
    Flow,
    /// Where data lands when processing fails: dashed red.
    Failure,
    /// A function is granted a write on a resource its environment names, and no annotation
    /// declares it: dashed blue.
    Granted,
}

impl EdgeLook {
    /// A short name, used as CSS class and in legends.
    pub fn name(self) -> &'static str {
        match self {
            EdgeLook::Publish => "publish",
            EdgeLook::Flow => "flow",
            EdgeLook::Failure => "failure",
            EdgeLook::Granted => "granted",
        }
    }

    /// The arrow head it ends in, by look name: a granted write ends like a publish.
    pub fn head(self) -> &'static str {
        match self {
            EdgeLook::Granted => EdgeLook::Publish.name(),
            look => look.name(),
        }
    }

    /// What the look stands for, in legends.
    pub fn meaning(self) -> &'static str {
        match self {
            EdgeLook::Publish => "writes or publishes (code)",
            EdgeLook::Flow => "triggers, delivers, routes (template)",
            EdgeLook::Failure => "on failure",
            EdgeLook::Granted => "granted, not declared in code",
        }
    }
}

/// The look of a flow node.
pub fn node_look(node: &Node) -> NodeLook {
    look(node.kind, node.dlq)
}

/// The look of a node of `kind`; `dlq`: it is a dead-letter or on-failure target, which looks
/// like one whatever its kind.
pub fn look(kind: NodeKind, dlq: bool) -> NodeLook {
    if dlq {
        return NodeLook::DeadLetter;
    }
    match kind {
        NodeKind::External => NodeLook::External,
        NodeKind::Resource(kind) => match kind {
            ResourceKind::Function => NodeLook::Function,
            ResourceKind::Api
            | ResourceKind::HttpApi
            | ResourceKind::WebSocketApi
            | ResourceKind::GraphQlApi => NodeLook::Api,
            ResourceKind::DynamoDbTable => NodeLook::Table,
            ResourceKind::KinesisStream | ResourceKind::DeliveryStream => NodeLook::Stream,
            ResourceKind::SqsQueue => NodeLook::Queue,
            ResourceKind::SnsTopic => NodeLook::Topic,
            ResourceKind::EventBus => NodeLook::Bus,
            ResourceKind::EventRule | ResourceKind::IotRule => NodeLook::Rule,
            ResourceKind::Schedule => NodeLook::Schedule,
            ResourceKind::S3Bucket => NodeLook::Bucket,
            ResourceKind::StateMachine | ResourceKind::Pipe => NodeLook::Workflow,
            ResourceKind::LoadBalancer => NodeLook::Balancer,
            ResourceKind::LogGroup => NodeLook::Logs,
            ResourceKind::UserPool => NodeLook::Users,
            ResourceKind::Alarm => NodeLook::Alarm,
            ResourceKind::Other => NodeLook::Other,
        },
    }
}

/// The second line of a node's box: what it is. A node of `kind`, of the CloudFormation type
/// `type_name`; `dlq`: it is a dead-letter or on-failure target.
pub fn caption(kind: NodeKind, type_name: &str, dlq: bool) -> String {
    match kind {
        NodeKind::External => "outside the templates".to_owned(),
        NodeKind::Resource(ResourceKind::Other) => type_name.to_owned(),
        NodeKind::Resource(kind) if dlq => format!("{} (DLQ)", kind.name()),
        NodeKind::Resource(kind) => kind.name().to_owned(),
    }
}

fn diagram_node(node: &Node) -> DiagramNode {
    DiagramNode {
        id: node.id.clone(),
        name: node.logical_id.clone(),
        caption: caption(node.kind, &node.type_name, node.dlq),
        look: node_look(node),
        change: Change::None,
    }
}

/// The look of an edge of `kind` learnt from `source`.
pub fn edge_look(kind: EdgeKind, source: EdgeSource) -> EdgeLook {
    match kind {
        EdgeKind::Publish if source == EdgeSource::Grant => EdgeLook::Granted,
        EdgeKind::Publish => EdgeLook::Publish,
        EdgeKind::Failure => EdgeLook::Failure,
        EdgeKind::Trigger | EdgeKind::Subscription | EdgeKind::Route | EdgeKind::Authorizer => EdgeLook::Flow,
    }
}

/// Arrows merged by their ends and look: the label lines and the events of what was merged.
pub(crate) type MergedArrows = BTreeMap<(String, String, EdgeLook), (BTreeSet<String>, BTreeSet<String>)>;

/// Builds a diagram from chosen flow edges: each with the label to show on it. Edges between
/// the same two nodes with the same look become one arrow.
fn from_edges<'f>(
    edges: impl IntoIterator<Item = (&'f Node, &'f Node, &'f crate::model::Edge, Vec<String>)>,
) -> Diagram {
    let mut nodes: BTreeMap<&str, DiagramNode> = BTreeMap::new();
    let mut merged = MergedArrows::new();
    for (from, to, edge, label) in edges {
        nodes.entry(&from.id).or_insert_with(|| diagram_node(from));
        nodes.entry(&to.id).or_insert_with(|| diagram_node(to));
        let (labels, events) = merged.entry((from.id.clone(), to.id.clone(), look_of(edge))).or_default();
        labels.extend(label);
        events.extend(edge.events.iter().cloned());
    }
    Diagram {
        nodes: nodes.into_values().collect(),
        edges: merged
            .into_iter()
            .map(|((from, to, look), (label, events))| DiagramEdge {
                from,
                to,
                label: label.into_iter().collect(),
                events: events.into_iter().collect(),
                look,
                change: Change::None,
            })
            .collect(),
    }
}

/// The look of a flow edge.
fn look_of(edge: &crate::model::Edge) -> EdgeLook {
    edge_look(edge.kind, edge.source)
}

/// The label of an edge: its events, or for edges that carry none, its labels (API routes).
fn label_of(edge: &crate::model::Edge) -> Vec<String> {
    if edge.events.is_empty() { edge.labels.clone() } else { edge.events.iter().cloned().collect() }
}

/// The whole system: every node that takes part in an edge, every edge. Grants and
/// permissions are not drawn; dead-letter queues are drawn small and red beside what feeds
/// them.
pub fn overview(flow: &Flow) -> Diagram {
    from_edges(flow.edges().into_iter().map(|(from, to, edge)| (from, to, edge, label_of(edge))))
}

/// The path of one event: the edges that carry it, and what publishes it.
pub fn event_path(flow: &Flow, event: &str) -> Diagram {
    from_edges(
        flow.edges_unsorted()
            .filter(|(_, _, edge)| edge.events.contains(event))
            .map(|(from, to, edge)| (from, to, edge, vec![event.to_owned()])),
    )
}

/// One function's neighbourhood: what triggers it, what it writes to, and where failures land —
/// its own failure paths and those of the resources that trigger it.
pub fn function_neighbourhood(flow: &Flow, function: &str) -> Diagram {
    let Some(node) = flow.node(function) else { return Diagram::default() };
    let incoming = flow.incoming(function);
    let sources: Vec<&Node> = incoming
        .iter()
        .filter(|(_, edge)| edge.kind != EdgeKind::Publish)
        .map(|(source, _)| *source)
        .collect();
    let logical_id = node.logical_id.as_str();
    let mut edges: Vec<(&Node, &Node, &crate::model::Edge, Vec<String>)> = Vec::new();
    for (source, edge) in &incoming {
        edges.push((source, node, *edge, label_of(edge)));
    }
    for (target, edge) in flow.outgoing(function) {
        edges.push((node, target, edge, label_of(edge)));
    }
    for source in sources {
        for (target, edge) in flow.outgoing(&source.id) {
            let failure_of_this_function = edge.kind == EdgeKind::Failure
                && target.id != function
                && match &edge.relation {
                    Some(crate::template::RelationKind::Failure(failure)) => {
                        failure.function.as_deref().is_none_or(|owner| owner == logical_id)
                    }
                    _ => true,
                };
            if failure_of_this_function {
                edges.push((source, target, edge, label_of(edge)));
            }
        }
    }
    from_edges(edges)
}
