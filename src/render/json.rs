//! The JSON graph (`flowdoc graph --format json`, and `flow.json` in the generated docs): stable,
//! sorted and versioned, as SPEC.md's "JSON" section fixes it. `docs/flow.schema.json` describes
//! it; a test checks the output against that schema. One set of types holds the format: built
//! from a flow and written here, and read back from a `flow.json` (`diff` compares two graphs).

use crate::location::Location;
use crate::model::{EdgeKind, EdgeSource, Flow, NodeKind};
use crate::scan::{FieldFacts, ResourceFacts, Role, VariantFacts};
use crate::severity::Severity;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The version of the JSON format. It changes only when a field is removed or changes meaning.
pub const FORMAT_VERSION: u32 = 1;

/// The JSON graph of a flow and its findings. `S` holds its texts: `&str` borrowed from the flow
/// to write it (no copies, so writing a large graph costs no more than serializing it), `String`
/// for a graph that is kept or read from a `flow.json`.
///
/// Reading is lenient where nothing is lost: the four lists SPEC.md promises must be there, and
/// in them what `diff` compares (ids, kinds, ends, names, findings' texts); the other fields
/// default when missing, and fields this flowdoc does not know are skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de> + Default"))]
pub struct Graph<S = String> {
    /// The format version, [`FORMAT_VERSION`].
    pub version: u32,
    /// The templates the graph was built from.
    #[serde(default)]
    pub templates: Vec<S>,
    /// Nodes, sorted by id.
    pub nodes: Vec<Node<S>>,
    /// Edges, sorted by (from, to, kind).
    pub edges: Vec<Edge<S>>,
    /// Events, sorted by name.
    pub events: Vec<Event<S>>,
    /// Annotated handlers, sorted by place.
    #[serde(default)]
    pub handlers: Vec<Handler<S>>,
    /// Findings, in the order the rules gave them.
    pub findings: Vec<Finding<S>>,
}

/// A template resource, or something outside the templates they reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de> + Default"))]
pub struct Node<S = String> {
    /// The graph id.
    pub id: S,
    /// What it is.
    pub kind: Kind<NodeKind>,
    /// The CloudFormation type; none for outside things.
    #[serde(rename = "type", default)]
    pub type_name: Option<S>,
    /// The template that defines it.
    #[serde(default)]
    pub template: Option<S>,
    /// Its logical ID in that template (the label of an outside thing).
    #[serde(default)]
    pub logical_id: S,
    /// A dead-letter or on-failure target.
    #[serde(default)]
    pub dlq: bool,
    /// Created by the SAM transform.
    #[serde(default)]
    pub implicit: bool,
    /// Exists only under a template condition.
    #[serde(default)]
    pub conditional: bool,
    /// Where it is defined.
    #[serde(flatten)]
    pub at: Place<S>,
}

/// A way data moves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edge<S = String> {
    /// From node id.
    pub from: S,
    /// To node id.
    pub to: S,
    /// What kind of hop.
    pub kind: Kind<EdgeKind>,
    /// The events it carries, sorted.
    #[serde(default)]
    pub events: Vec<S>,
    /// Publish edges: the template grants the function access to the target.
    #[serde(default)]
    pub confirmed: bool,
    /// Exists only under a template condition.
    #[serde(default)]
    pub conditional: bool,
    /// Where the flow was learnt: `code`, `template`, `connector` or `grant`. A `flow.json`
    /// written before flowdoc said it has none.
    #[serde(default)]
    pub source: Option<Kind<EdgeSource>>,
    /// API routes, S3 event types, rule target ids, subscription protocols.
    #[serde(default)]
    pub labels: Vec<S>,
    /// Where it is declared.
    #[serde(flatten)]
    pub at: Place<S>,
}

/// An event type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de> + Default"))]
pub struct Event<S = String> {
    /// Its name.
    pub name: S,
    /// Its schema version.
    #[serde(default)]
    pub version: u32,
    /// The `#[event]` type that defines it; none for events named by a string only.
    #[serde(default)]
    pub rust_type: Option<S>,
    /// The type's doc comment.
    #[serde(default)]
    pub doc: S,
    /// Functions that produce it, by node id.
    #[serde(default)]
    pub producers: Vec<S>,
    /// Functions that consume it, by node id.
    #[serde(default)]
    pub consumers: Vec<S>,
    /// Its fields (struct events).
    #[serde(default)]
    pub fields: Vec<Field<S>>,
    /// Its variants (enum events).
    #[serde(default)]
    pub variants: Vec<Variant<S>>,
    /// Where the type is defined.
    #[serde(flatten)]
    pub at: Place<S>,
}

/// A field of an event type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de> + Default"))]
pub struct Field<S = String> {
    /// As serialized (serde renames applied).
    pub name: S,
    /// Normalized, such as `Option<String>`.
    #[serde(rename = "type")]
    pub ty: S,
    /// Its doc comment.
    #[serde(default)]
    pub doc: S,
}

/// A variant of an enum event type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de> + Default"))]
pub struct Variant<S = String> {
    /// As serialized.
    pub name: S,
    /// Its doc comment.
    #[serde(default)]
    pub doc: S,
    /// Its fields, if any.
    #[serde(default)]
    pub fields: Vec<Field<S>>,
}

/// An annotated handler.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de> + Default"))]
pub struct Handler<S = String> {
    /// `name`, or `Type::method`.
    pub name: S,
    /// The package name of its crate.
    #[serde(rename = "crate")]
    pub crate_name: S,
    /// Its module path within the crate.
    pub module: S,
    /// Its doc comment.
    pub doc: S,
    /// The functions that run it, by node id; empty when none could be found.
    pub functions: Vec<S>,
    /// Its annotations, in source order.
    pub annotations: Vec<Annotation<S>>,
    /// Where the item's name is written.
    #[serde(flatten)]
    pub at: Place<S>,
}

/// An `#[event_producer]` or `#[event_consumer]` annotation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation<S = String> {
    /// Producer or consumer.
    pub role: Role,
    /// The event's name.
    pub event: S,
    /// The resource as written: a logical ID, or `env(VAR)`.
    pub resource: String,
    /// The node ids it resolved to, one per function.
    pub targets: Vec<S>,
    /// Where the attribute starts.
    #[serde(flatten)]
    pub at: Place<S>,
}

/// A finding of a rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding<S = String> {
    /// The rule's name.
    pub rule: S,
    /// How serious it is.
    #[serde(deserialize_with = "severity")]
    pub severity: Severity,
    /// What it is about: resource and event ids joined by `/`, stable when lines move.
    pub subject: S,
    /// What is wrong.
    pub message: S,
    /// Where.
    #[serde(flatten)]
    pub at: Place<S>,
}

/// `file`, `line`, `column`; no file where there is no place, no line and column where unknown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place<S = String> {
    /// The file, relative to the project root.
    pub file: Option<S>,
    /// The line, from 1.
    pub line: Option<u32>,
    /// The column, from 1.
    pub column: Option<u32>,
}

impl<'a, S: From<&'a str>> Place<S> {
    fn of(location: Option<&'a Location>) -> Place<S> {
        match location {
            Some(location) => Place {
                file: Some(location.file.as_str().into()),
                line: location.line(),
                column: location.column(),
            },
            None => Place { file: None, line: None, column: None },
        }
    }
}

/// A node or edge kind as the graph names it: one this flowdoc knows, or one it does not.
///
/// The format version stays when kinds are added (SPEC.md: "New node kinds follow the same
/// kebab-case pattern"; edge kinds "include at least" five), so a `flow.json` a newer flowdoc
/// wrote is still version 1 and may name kinds this one has never heard of. They are kept by
/// name — compared, listed and drawn as any other resource — rather than refused.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind<K> {
    /// A kind this flowdoc knows.
    Known(K),
    /// A kind named in a `flow.json` that this flowdoc does not know.
    Unknown(String),
}

/// Kinds the graph writes by name: node and edge kinds.
pub trait JsonName: Copy + Sized {
    /// The kind's name in the graph.
    fn json_name(self) -> &'static str;
    /// The kind called `name` in the graph.
    fn from_json_name(name: &str) -> Option<Self>;
}

impl JsonName for NodeKind {
    fn json_name(self) -> &'static str {
        self.name()
    }

    fn from_json_name(name: &str) -> Option<NodeKind> {
        NodeKind::from_name(name)
    }
}

impl JsonName for EdgeKind {
    fn json_name(self) -> &'static str {
        self.name()
    }

    fn from_json_name(name: &str) -> Option<EdgeKind> {
        EdgeKind::from_name(name)
    }
}

impl JsonName for EdgeSource {
    fn json_name(self) -> &'static str {
        self.name()
    }

    fn from_json_name(name: &str) -> Option<EdgeSource> {
        EdgeSource::from_name(name)
    }
}

impl<K: JsonName> Kind<K> {
    /// The kind's name in the graph.
    pub fn name(&self) -> &str {
        match self {
            Kind::Known(kind) => kind.json_name(),
            Kind::Unknown(name) => name,
        }
    }

    /// The kind called `name`: known, or kept by name.
    pub fn from_name(name: &str) -> Kind<K> {
        K::from_json_name(name).map_or_else(|| Kind::Unknown(name.to_owned()), Kind::Known)
    }

    /// Whether this is the known kind `kind`.
    pub fn is(&self, kind: K) -> bool
    where
        K: PartialEq,
    {
        matches!(self, Kind::Known(known) if *known == kind)
    }
}

impl<K: JsonName> fmt::Display for Kind<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl<K: JsonName> Serialize for Kind<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de, K: JsonName> Deserialize<'de> for Kind<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Kind<K>, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(K::from_json_name(&name).map_or(Kind::Unknown(name), Kind::Known))
    }
}

/// Reads a finding's severity by its name; a severity SPEC.md does not list is an error.
fn severity<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Severity, D::Error> {
    let name = String::deserialize(deserializer)?;
    Severity::from_name(&name).ok_or_else(|| {
        D::Error::custom(format!("unknown severity `{name}`: a finding is an `error`, a `warning` or `info`"))
    })
}

/// `texts` as the graph holds them.
fn texts<'a, S: From<&'a str>>(texts: impl IntoIterator<Item = &'a String>) -> Vec<S> {
    texts.into_iter().map(|text| text.as_str().into()).collect()
}

fn fields<'a, S: From<&'a str>>(fields: &'a [FieldFacts]) -> Vec<Field<S>> {
    fields
        .iter()
        .map(|field| Field {
            name: field.name.as_str().into(),
            ty: field.ty.as_str().into(),
            doc: field.doc.as_str().into(),
        })
        .collect()
}

fn variants<'a, S: From<&'a str>>(variants: &'a [VariantFacts]) -> Vec<Variant<S>> {
    variants
        .iter()
        .map(|variant| Variant {
            name: variant.name.as_str().into(),
            doc: variant.doc.as_str().into(),
            fields: fields(&variant.fields),
        })
        .collect()
}

fn handler<'a, S: From<&'a str>>(handler: &'a crate::model::Handler) -> Handler<S> {
    Handler {
        name: handler.facts.name.as_str().into(),
        crate_name: handler.facts.crate_name.as_str().into(),
        module: handler.facts.module.as_str().into(),
        doc: handler.facts.doc.as_str().into(),
        functions: texts(&handler.functions),
        annotations: handler
            .annotations
            .iter()
            .map(|annotation| Annotation {
                role: annotation.facts.role,
                event: annotation.event.as_str().into(),
                resource: match &annotation.facts.resource {
                    ResourceFacts::LogicalId(id) => id.clone(),
                    ResourceFacts::Env(var) => format!("env({var})"),
                },
                targets: annotation
                    .targets
                    .iter()
                    .filter_map(|target| target.resource.as_deref().ok())
                    .map(S::from)
                    .collect(),
                at: Place::of(Some(&annotation.facts.location)),
            })
            .collect(),
        at: Place::of(Some(&handler.facts.location)),
    }
}

/// Why a `flow.json` could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// Not JSON, or not the graph's shape: the message and where.
    Invalid { line: usize, column: usize, message: String },
    /// The graph of another format version.
    Version(u32),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Invalid { line, column, message } => write!(f, "{line}:{column}: {message}"),
            ReadError::Version(version) => write!(
                f,
                "this is a flow.json of format version {version}; this flowdoc reads version {FORMAT_VERSION}"
            ),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<serde_json::Error> for ReadError {
    fn from(error: serde_json::Error) -> ReadError {
        // serde_json ends its message with the position, which Display puts first.
        let text = error.to_string();
        let suffix = format!(" at line {} column {}", error.line(), error.column());
        ReadError::Invalid {
            line: error.line(),
            column: error.column(),
            message: text.strip_suffix(&suffix).unwrap_or(&text).to_owned(),
        }
    }
}

impl<'a, S: From<&'a str>> Graph<S> {
    /// The graph of a flow and its findings.
    pub fn of(flow: &'a Flow, findings: &'a [crate::rules::Finding]) -> Graph<S> {
        Graph {
            version: FORMAT_VERSION,
            templates: texts(flow.templates()),
            nodes: flow
                .nodes()
                .map(|node| Node {
                    id: node.id.as_str().into(),
                    kind: Kind::Known(node.kind),
                    type_name: (!node.type_name.is_empty()).then(|| node.type_name.as_str().into()),
                    template: node.template.as_deref().map(S::from),
                    logical_id: node.logical_id.as_str().into(),
                    dlq: node.dlq,
                    implicit: node.implicit,
                    conditional: node.conditional,
                    at: Place::of(node.location.as_ref()),
                })
                .collect(),
            edges: flow
                .edges()
                .into_iter()
                .map(|(from, to, edge)| Edge {
                    from: from.id.as_str().into(),
                    to: to.id.as_str().into(),
                    kind: Kind::Known(edge.kind),
                    events: texts(&edge.events),
                    confirmed: edge.confirmed,
                    conditional: edge.conditional,
                    source: Some(Kind::Known(edge.source)),
                    labels: texts(&edge.labels),
                    at: Place::of(Some(&edge.location)),
                })
                .collect(),
            events: flow
                .events()
                .values()
                .map(|event| Event {
                    name: event.name.as_str().into(),
                    version: event.version,
                    rust_type: event.rust_name.as_deref().map(S::from),
                    doc: event.doc.as_str().into(),
                    producers: texts(&event.producers),
                    consumers: texts(&event.consumers),
                    fields: fields(&event.fields),
                    variants: variants(&event.variants),
                    at: Place::of(event.location.as_ref()),
                })
                .collect(),
            handlers: {
                let mut handlers: Vec<&crate::model::Handler> = flow.handlers().iter().collect();
                handlers.sort_by(|a, b| a.facts.location.cmp(&b.facts.location));
                handlers.into_iter().map(handler).collect()
            },
            findings: findings
                .iter()
                .map(|finding| Finding {
                    rule: finding.rule.into(),
                    severity: finding.severity,
                    subject: finding.subject.as_str().into(),
                    message: finding.message.as_str().into(),
                    at: Place::of(finding.location.as_ref()),
                })
                .collect(),
        }
    }
}

/// Room reserved per listed thing for the text of a graph: more than any node, edge, event,
/// handler or finding takes. Written into at once, a large graph's text would otherwise grow by
/// doubling, each step a copy into memory the process has not touched yet; room reserved and
/// never written costs no memory.
const BYTES_PER_ITEM: usize = 4 << 10;

impl<S: Serialize> Graph<S> {
    /// The graph as pretty-printed JSON, ending in a newline.
    pub fn to_text(&self) -> String {
        let items = self.nodes.len()
            + self.edges.len()
            + self.events.len()
            + self.handlers.len()
            + self.findings.len();
        let mut text = Vec::with_capacity(items.saturating_add(1).saturating_mul(BYTES_PER_ITEM));
        if let Err(error) = serde_json::to_writer_pretty(&mut text, self) {
            // Serializing plain structs of strings and numbers cannot fail; say so if it ever does.
            return format!("{{\"error\": \"cannot serialize the graph: {error}\"}}\n");
        }
        text.push(b'\n');
        // serde_json writes UTF-8.
        String::from_utf8(text).unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
    }
}

impl Graph {
    /// Reads a `flow.json`: the graph of [`FORMAT_VERSION`], or why not, with the line and
    /// column where that can be told.
    pub fn parse(text: &str) -> Result<Graph, ReadError> {
        // The version first, so a graph of another version is told as that, not as a shape
        // this flowdoc does not expect.
        let value: serde_json::Value = serde_json::from_str(text)?;
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(version) if version == u64::from(FORMAT_VERSION) => {}
            Some(version) => return Err(ReadError::Version(u32::try_from(version).unwrap_or(u32::MAX))),
            None => {
                return Err(ReadError::Invalid {
                    line: 1,
                    column: 1,
                    message: "not a flowdoc flow.json: it has no `version`".into(),
                });
            }
        }
        // From the text again, not the value: errors then say where they are.
        Ok(serde_json::from_str(text)?)
    }
}

/// The flow and its findings as pretty-printed JSON, ending in a newline.
pub fn render(flow: &Flow, findings: &[crate::rules::Finding]) -> String {
    Graph::<&str>::of(flow, findings).to_text()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::ResourceKind;

    #[test]
    fn every_kind_is_read_back_by_its_name() {
        for kind in ResourceKind::ALL {
            let kind = NodeKind::Resource(kind);
            assert_eq!(Kind::<NodeKind>::from_name(kind.name()), Kind::Known(kind));
        }
        assert_eq!(Kind::<NodeKind>::from_name("external"), Kind::Known(NodeKind::External));
        for kind in EdgeKind::ALL {
            match kind {
                EdgeKind::Trigger
                | EdgeKind::Subscription
                | EdgeKind::Publish
                | EdgeKind::Route
                | EdgeKind::Failure
                | EdgeKind::Authorizer => {}
            }
            assert_eq!(Kind::<EdgeKind>::from_name(kind.name()), Kind::Known(kind));
        }
    }

    #[test]
    fn a_kind_from_a_newer_flowdoc_is_kept_by_name() {
        let kind = Kind::<NodeKind>::from_name("quantum-api");
        assert_eq!(kind, Kind::Unknown("quantum-api".into()));
        assert_eq!(kind.to_string(), "quantum-api");
        assert_eq!(serde_json::to_string(&kind).unwrap(), "\"quantum-api\"");
    }

    #[test]
    fn findings_of_an_unknown_severity_are_refused_where_they_stand() {
        let text = "{\"version\": 1, \"nodes\": [], \"edges\": [], \"events\": [],\n \"findings\": [{\"rule\": \"r\", \"severity\": \"fatal\", \"subject\": \"s\", \"message\": \"m\"}]}";
        let error = Graph::parse(text).unwrap_err();
        assert_eq!(
            error.to_string(),
            "2:47: unknown severity `fatal`: a finding is an `error`, a `warning` or `info`"
        );
    }

    #[test]
    fn what_diff_does_not_compare_may_be_missing() {
        let text = "{\"version\": 1, \"nodes\": [{\"id\": \"Queue\", \"kind\": \"sqs-queue\"}], \"edges\": [], \"events\": [], \"findings\": []}";
        let graph = Graph::parse(text).unwrap();
        let node = &graph.nodes[0];
        assert_eq!((node.id.as_str(), node.kind.name(), node.dlq), ("Queue", "sqs-queue", false));
        assert_eq!((&node.type_name, &node.at.file, node.at.line), (&None, &None, None));
    }

    #[test]
    fn a_graph_without_its_lists_is_refused() {
        let error = Graph::parse("{\"version\": 1, \"graph\": {}}").unwrap_err();
        assert_eq!(error.to_string(), "1:27: missing field `nodes`");
    }
}
