//! What a change does to the event flow: two states of the flow compared — nodes, edges and
//! events added, removed and changed, producers and consumers gained and lost, schema fields
//! added, removed and retyped, findings introduced and resolved (matched by rule and subject, so
//! code that only moved is no change) — and whether the change breaks someone.

mod diagram;
mod markdown;
mod snapshot;

pub use diagram::diagram;
pub use markdown::{COMMENT_MARKER, render as markdown, summary};
pub use snapshot::*;

use crate::model::{EdgeKind, NodeKind};
use crate::render::json;
use crate::template::ResourceKind;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Everything that differs between two states, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FlowDiff {
    /// Nodes only the new state has.
    pub nodes_added: Vec<NodeRef>,
    /// Nodes only the old state has.
    pub nodes_removed: Vec<NodeRef>,
    /// Nodes in both whose kind, type or failure handling changed.
    pub nodes_changed: Vec<NodeChange>,
    /// Edges only the new state has.
    pub edges_added: Vec<EdgeRef>,
    /// Edges only the old state has.
    pub edges_removed: Vec<EdgeRef>,
    /// Edges in both whose events changed.
    pub edges_changed: Vec<EdgeChange>,
    /// Events only the new state has.
    pub events_added: Vec<String>,
    /// Events only the old state has.
    pub events_removed: Vec<String>,
    /// Events in both that changed.
    pub events_changed: Vec<EventChange>,
    /// Findings only the new state has.
    pub findings_introduced: Vec<FindingRef>,
    /// Findings only the old state has.
    pub findings_resolved: Vec<FindingRef>,
    /// Why the change breaks someone; empty when it does not.
    pub breaking: Vec<Breaking>,
}

/// A node, by id and kind.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct NodeRef {
    pub id: String,
    pub kind: String,
}

/// How a node changed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct NodeChange {
    pub id: String,
    /// What changed, for people: `kind sqs-queue → sns-topic`, `failure paths: + Dlq`.
    pub changes: Vec<String>,
}

/// An edge, by its ends and kind, with the events it carries.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct EdgeRef {
    pub from: String,
    pub to: String,
    pub kind: String,
    pub events: Vec<String>,
}

/// How an edge's events changed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct EdgeChange {
    pub from: String,
    pub to: String,
    pub kind: String,
    pub events_added: Vec<String>,
    pub events_removed: Vec<String>,
}

/// How an event changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct EventChange {
    pub name: String,
    pub producers_added: Vec<String>,
    pub producers_removed: Vec<String>,
    pub consumers_added: Vec<String>,
    pub consumers_removed: Vec<String>,
    pub fields_added: Vec<String>,
    pub fields_removed: Vec<String>,
    /// Fields whose type changed: name, old type, new type.
    pub fields_retyped: Vec<(String, String, String)>,
    /// The schema version, when it changed: old, new.
    pub version: Option<(u32, u32)>,
}

/// A finding, by rule and subject.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FindingRef {
    pub rule: String,
    pub severity: String,
    pub subject: String,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u32>,
}

/// A change that breaks someone.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Breaking {
    /// An event that is still produced lost its last consumer.
    LostLastConsumer { event: String, consumers: Vec<String> },
    /// An event that is still consumed lost its last producer.
    LostLastProducer { event: String, producers: Vec<String> },
    /// An event type lost a field.
    FieldRemoved { event: String, field: String },
    /// A field of an event type changed its type.
    FieldRetyped { event: String, field: String, from: String, to: String },
}

impl Breaking {
    /// One sentence for people; names stand in backticks.
    pub fn describe(&self) -> String {
        let names =
            |names: &[String]| names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ");
        match self {
            Breaking::LostLastConsumer { event, consumers } => {
                format!("`{event}` is still produced, but its last consumers ({}) are gone", names(consumers))
            }
            Breaking::LostLastProducer { event, producers } => {
                format!("`{event}` is still consumed, but its last producers ({}) are gone", names(producers))
            }
            Breaking::FieldRemoved { event, field } => format!("`{event}` lost its field `{field}`"),
            Breaking::FieldRetyped { event, field, from, to } => {
                format!("the field `{field}` of `{event}` changed type from `{from}` to `{to}`")
            }
        }
    }
}

impl FlowDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.nodes_added.is_empty()
            && self.nodes_removed.is_empty()
            && self.nodes_changed.is_empty()
            && self.edges_added.is_empty()
            && self.edges_removed.is_empty()
            && self.edges_changed.is_empty()
            && self.events_added.is_empty()
            && self.events_removed.is_empty()
            && self.events_changed.is_empty()
            && self.findings_introduced.is_empty()
            && self.findings_resolved.is_empty()
    }

    /// The diff as JSON, pretty-printed, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(&serde_json::json!({ "version": 1, "diff": self }))
            .unwrap_or_default();
        text.push('\n');
        text
    }
}

fn set<T: Ord + Clone>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    items.into_iter().collect()
}

fn minus<T: Ord + Clone>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> Vec<T> {
    a.difference(b).cloned().collect()
}

/// The failure targets of each node: where data that fails there lands.
fn failure_targets(state: &Snapshot) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut targets: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for edge in state.edges.iter().filter(|edge| edge.kind.is(EdgeKind::Failure)) {
        targets.entry(&edge.from).or_default().insert(&edge.to);
    }
    targets
}

/// The nodes of a state that take part in the flow: every resource flowdoc knows a flow role
/// for, and any other resource (a queue policy, a subscription) only where an edge touches it.
fn flow_nodes(state: &Snapshot) -> BTreeMap<&str, &json::Node> {
    let connected: BTreeSet<&str> =
        state.edges.iter().flat_map(|edge| [edge.from.as_str(), edge.to.as_str()]).collect();
    state
        .nodes
        .iter()
        .filter(|node| {
            !node.kind.is(NodeKind::Resource(ResourceKind::Other)) || connected.contains(node.id.as_str())
        })
        .map(|node| (node.id.as_str(), node))
        .collect()
}

/// Compares the state `base` (before) with `head` (after).
pub fn compare(base: &Snapshot, head: &Snapshot) -> FlowDiff {
    let mut diff = FlowDiff::default();

    let (base_nodes, head_nodes) = (flow_nodes(base), flow_nodes(head));
    let (base_failures, head_failures) = (failure_targets(base), failure_targets(head));
    let empty = BTreeSet::new();
    for (id, node) in &head_nodes {
        match base_nodes.get(id) {
            None => diff.nodes_added.push(NodeRef { id: (*id).to_owned(), kind: node.kind.to_string() }),
            Some(old) => {
                let mut changes = Vec::new();
                if old.kind != node.kind {
                    changes.push(format!("kind {} → {}", old.kind, node.kind));
                }
                if old.type_name != node.type_name {
                    changes.push(format!(
                        "type {} → {}",
                        old.type_name.as_deref().unwrap_or("none"),
                        node.type_name.as_deref().unwrap_or("none")
                    ));
                }
                let (before, after) =
                    (base_failures.get(id).unwrap_or(&empty), head_failures.get(id).unwrap_or(&empty));
                if before != after {
                    let mut parts: Vec<String> = after.difference(before).map(|t| format!("+ {t}")).collect();
                    parts.extend(before.difference(after).map(|t| format!("− {t}")));
                    changes.push(format!("failure paths: {}", parts.join(", ")));
                }
                if old.dlq != node.dlq {
                    changes.push(if node.dlq {
                        "now a dead-letter target".into()
                    } else {
                        "no longer a dead-letter target".into()
                    });
                }
                if !changes.is_empty() {
                    diff.nodes_changed.push(NodeChange { id: (*id).to_owned(), changes });
                }
            }
        }
    }
    for (id, node) in &base_nodes {
        if !head_nodes.contains_key(id) {
            diff.nodes_removed.push(NodeRef { id: (*id).to_owned(), kind: node.kind.to_string() });
        }
    }

    let key = |edge: &json::Edge| (edge.from.clone(), edge.to.clone(), edge.kind.clone());
    let base_edges: BTreeMap<_, &json::Edge> = base.edges.iter().map(|e| (key(e), e)).collect();
    let head_edges: BTreeMap<_, &json::Edge> = head.edges.iter().map(|e| (key(e), e)).collect();
    let edge_ref = |edge: &json::Edge| EdgeRef {
        from: edge.from.clone(),
        to: edge.to.clone(),
        kind: edge.kind.to_string(),
        events: edge.events.clone(),
    };
    for (k, edge) in &head_edges {
        match base_edges.get(k) {
            None => diff.edges_added.push(edge_ref(edge)),
            Some(old) => {
                let (before, after) = (set(old.events.iter().cloned()), set(edge.events.iter().cloned()));
                if before != after {
                    diff.edges_changed.push(EdgeChange {
                        from: edge.from.clone(),
                        to: edge.to.clone(),
                        kind: edge.kind.to_string(),
                        events_added: minus(&after, &before),
                        events_removed: minus(&before, &after),
                    });
                }
            }
        }
    }
    for (k, edge) in &base_edges {
        if !head_edges.contains_key(k) {
            diff.edges_removed.push(edge_ref(edge));
        }
    }

    let base_events: BTreeMap<&str, &json::Event> =
        base.events.iter().map(|e| (e.name.as_str(), e)).collect();
    let head_events: BTreeMap<&str, &json::Event> =
        head.events.iter().map(|e| (e.name.as_str(), e)).collect();
    for (name, event) in &head_events {
        let Some(old) = base_events.get(name) else {
            diff.events_added.push((*name).to_owned());
            continue;
        };
        let change = event_change(old, event);
        breaking_of(old, event, &change, &mut diff.breaking);
        if change != (EventChange { name: (*name).to_owned(), ..EventChange::default() }) {
            diff.events_changed.push(change);
        }
    }
    for name in base_events.keys() {
        if !head_events.contains_key(name) {
            // Gone entirely: nothing produces, consumes or defines it any more, so nobody is
            // left waiting for it.
            diff.events_removed.push((*name).to_owned());
        }
    }

    let finding_key = |f: &json::Finding| (f.rule.clone(), f.subject.clone());
    let base_findings: BTreeMap<_, &json::Finding> =
        base.findings.iter().map(|f| (finding_key(f), f)).collect();
    let head_findings: BTreeMap<_, &json::Finding> =
        head.findings.iter().map(|f| (finding_key(f), f)).collect();
    let finding_ref = |f: &json::Finding| FindingRef {
        rule: f.rule.clone(),
        severity: f.severity.name().to_owned(),
        subject: f.subject.clone(),
        message: f.message.clone(),
        file: f.at.file.clone(),
        line: f.at.line,
    };
    diff.findings_introduced = head_findings
        .iter()
        .filter(|(k, _)| !base_findings.contains_key(*k))
        .map(|(_, f)| finding_ref(f))
        .collect();
    diff.findings_resolved = base_findings
        .iter()
        .filter(|(k, _)| !head_findings.contains_key(*k))
        .map(|(_, f)| finding_ref(f))
        .collect();

    diff.nodes_added.sort();
    diff.nodes_removed.sort();
    diff.nodes_changed.sort();
    diff.edges_added.sort();
    diff.edges_removed.sort();
    diff.edges_changed.sort();
    diff.breaking.sort();
    diff.breaking.dedup();
    diff
}

/// The fields of an event, with enum variants' fields as `Variant.field`.
fn fields(event: &json::Event) -> BTreeMap<String, String> {
    let mut all: BTreeMap<String, String> =
        event.fields.iter().map(|f| (f.name.clone(), f.ty.clone())).collect();
    for variant in &event.variants {
        for field in &variant.fields {
            all.insert(format!("{}.{}", variant.name, field.name), field.ty.clone());
        }
    }
    all
}

fn event_change(old: &json::Event, new: &json::Event) -> EventChange {
    let (old_producers, new_producers) =
        (set(old.producers.iter().cloned()), set(new.producers.iter().cloned()));
    let (old_consumers, new_consumers) =
        (set(old.consumers.iter().cloned()), set(new.consumers.iter().cloned()));
    let (old_fields, new_fields) = (fields(old), fields(new));
    EventChange {
        name: new.name.clone(),
        producers_added: minus(&new_producers, &old_producers),
        producers_removed: minus(&old_producers, &new_producers),
        consumers_added: minus(&new_consumers, &old_consumers),
        consumers_removed: minus(&old_consumers, &new_consumers),
        fields_added: new_fields.keys().filter(|f| !old_fields.contains_key(*f)).cloned().collect(),
        fields_removed: old_fields.keys().filter(|f| !new_fields.contains_key(*f)).cloned().collect(),
        fields_retyped: new_fields
            .iter()
            .filter_map(|(name, ty)| {
                let before = old_fields.get(name)?;
                (before != ty).then(|| (name.clone(), before.clone(), ty.clone()))
            })
            .collect(),
        version: (old.version != new.version).then_some((old.version, new.version)),
    }
}

fn breaking_of(old: &json::Event, new: &json::Event, change: &EventChange, out: &mut Vec<Breaking>) {
    if !new.producers.is_empty() && new.consumers.is_empty() && !old.consumers.is_empty() {
        out.push(Breaking::LostLastConsumer { event: new.name.clone(), consumers: old.consumers.clone() });
    }
    if !new.consumers.is_empty() && new.producers.is_empty() && !old.producers.is_empty() {
        out.push(Breaking::LostLastProducer { event: new.name.clone(), producers: old.producers.clone() });
    }
    // Schemas only break where the event had one (a string-named event has no fields to lose).
    for field in &change.fields_removed {
        out.push(Breaking::FieldRemoved { event: new.name.clone(), field: field.clone() });
    }
    for (field, from, to) in &change.fields_retyped {
        out.push(Breaking::FieldRetyped {
            event: new.name.clone(),
            field: field.clone(),
            from: from.clone(),
            to: to.clone(),
        });
    }
}
