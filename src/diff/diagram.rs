//! One picture of a change: the merged graph of both states — what the change added in green,
//! what it removed in red and dashed, what changed in amber, and, in grey, the unchanged parts
//! that connect changes. Marks (`+`, `−`, `~`) say the same where colours are stripped.

use super::{FlowDiff, Snapshot};
use crate::model::{EdgeKind, EdgeSource, NodeKind};
use crate::render::diagram::{self, Change, Diagram, DiagramEdge, DiagramNode, EdgeLook, NodeLook};
use crate::render::json::{self, Kind};
use crate::template::ResourceKind;
use std::collections::{BTreeMap, BTreeSet};

/// The kind a node is drawn as: its own, or, for a kind this flowdoc does not know (from a
/// newer flowdoc's `flow.json`), any other resource's.
fn drawn_kind(kind: &Kind<NodeKind>) -> NodeKind {
    match kind {
        Kind::Known(kind) => *kind,
        Kind::Unknown(_) => NodeKind::Resource(ResourceKind::Other),
    }
}

/// How a node looks and its caption, as the documentation draws it.
fn look_and_caption(node: &json::Node) -> (NodeLook, String) {
    let kind = drawn_kind(&node.kind);
    (diagram::look(kind, node.dlq), diagram::caption(kind, node.type_name.as_deref().unwrap_or(""), node.dlq))
}

/// How an edge looks, as the documentation draws it; a kind this flowdoc does not know moves
/// events on, and an edge that says not where it was learnt is the code's or the template's.
fn edge_look(edge: &json::Edge) -> EdgeLook {
    let source = match &edge.source {
        Some(Kind::Known(source)) => *source,
        _ => EdgeSource::Code,
    };
    match &edge.kind {
        Kind::Known(kind) => diagram::edge_look(*kind, source),
        Kind::Unknown(_) => EdgeLook::Flow,
    }
}

/// The merged graph of `base` and `head` that `diff` changed.
pub fn diagram(base: &Snapshot, head: &Snapshot, diff: &FlowDiff) -> Diagram {
    let mut changes: BTreeMap<String, Change> = BTreeMap::new();
    for node in &diff.nodes_added {
        changes.insert(node.id.clone(), Change::Added);
    }
    for node in &diff.nodes_removed {
        changes.insert(node.id.clone(), Change::Removed);
    }
    for node in &diff.nodes_changed {
        changes.insert(node.id.clone(), Change::Changed);
    }
    let mut edges: Vec<DiagramEdge> = Vec::new();
    let mut touched: BTreeSet<String> = changes.keys().cloned().collect();
    let mut add_edge =
        |edge: &json::Edge, change: Change, label: Vec<String>, touched: &mut BTreeSet<String>| {
            touched.insert(edge.from.clone());
            touched.insert(edge.to.clone());
            edges.push(DiagramEdge {
                from: edge.from.clone(),
                to: edge.to.clone(),
                label,
                events: edge.events.clone(),
                look: edge_look(edge),
                change,
            });
        };
    let find = |state: &'_ Snapshot, from: &str, to: &str, kind: &str| -> Option<json::Edge> {
        state.edges.iter().find(|e| e.from == from && e.to == to && e.kind.name() == kind).cloned()
    };
    for edge in &diff.edges_added {
        if let Some(found) = find(head, &edge.from, &edge.to, &edge.kind) {
            add_edge(
                &found,
                Change::Added,
                edge.events.iter().map(|e| format!("+ {e}")).collect(),
                &mut touched,
            );
        }
    }
    for edge in &diff.edges_removed {
        if let Some(found) = find(base, &edge.from, &edge.to, &edge.kind) {
            add_edge(
                &found,
                Change::Removed,
                edge.events.iter().map(|e| format!("− {e}")).collect(),
                &mut touched,
            );
        }
    }
    for edge in &diff.edges_changed {
        if let Some(found) = find(head, &edge.from, &edge.to, &edge.kind) {
            let added: BTreeSet<&String> = edge.events_added.iter().collect();
            let mut label: Vec<String> = found
                .events
                .iter()
                .map(|e| if added.contains(e) { format!("+ {e}") } else { e.clone() })
                .collect();
            label.extend(edge.events_removed.iter().map(|e| format!("− {e}")));
            add_edge(&found, Change::Changed, label, &mut touched);
        }
    }
    // Handlers that started or stopped producing or consuming an event are changed too, shown
    // with the connections that carry the event to or from them.
    let mut notes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut carried: Vec<(String, String)> = Vec::new();
    for event in &diff.events_changed {
        let roles = [
            (&event.producers_added, "+ produces"),
            (&event.producers_removed, "− produces"),
            (&event.consumers_added, "+ consumes"),
            (&event.consumers_removed, "− consumes"),
        ];
        for (functions, role) in roles {
            for function in functions {
                changes.entry(function.clone()).or_insert(Change::Changed);
                touched.insert(function.clone());
                notes.entry(function.clone()).or_default().push(format!("{role} {}", event.name));
                carried.push((function.clone(), event.name.clone()));
            }
        }
    }
    let mut shown: BTreeSet<(String, String, EdgeLook)> =
        edges.iter().map(|e| (e.from.clone(), e.to.clone(), e.look)).collect();
    let mut context = |edge: &json::Edge, edges: &mut Vec<DiagramEdge>| {
        if shown.insert((edge.from.clone(), edge.to.clone(), edge_look(edge))) {
            edges.push(DiagramEdge {
                from: edge.from.clone(),
                to: edge.to.clone(),
                label: edge.events.clone(),
                events: edge.events.clone(),
                look: edge_look(edge),
                change: Change::Context,
            });
        }
    };
    for (function, event) in &carried {
        for edge in head.edges.iter().chain(&base.edges) {
            let ends_here = &edge.from == function || &edge.to == function;
            if ends_here && edge.events.contains(event) && !edge.kind.is(EdgeKind::Failure) {
                touched.insert(edge.from.clone());
                touched.insert(edge.to.clone());
                context(edge, &mut edges);
            }
        }
    }
    // Unchanged edges between parts of the change show how they connect.
    for edge in &head.edges {
        if touched.contains(&edge.from) && touched.contains(&edge.to) {
            context(edge, &mut edges);
        }
    }
    edges.sort_by(|a, b| (&a.from, &a.to, a.look).cmp(&(&b.from, &b.to, b.look)));

    let (base_nodes, head_nodes) = (nodes_of(base), nodes_of(head));
    let nodes = touched
        .into_iter()
        .filter_map(|id| {
            let node = head_nodes.get(id.as_str()).or_else(|| base_nodes.get(id.as_str()))?;
            let change = changes.get(&id).copied().unwrap_or(Change::Context);
            let (look, mut caption) = look_and_caption(node);
            if let Some(notes) = notes.get(&id) {
                caption = format!("{caption}: {}", notes.join(", "));
            }
            Some(DiagramNode { name: format!("{}{}", change.mark(), node.id), caption, look, change, id })
        })
        .collect();
    Diagram { nodes, edges }
}

/// The nodes of a state, by id.
fn nodes_of(state: &Snapshot) -> BTreeMap<&str, &json::Node> {
    state.nodes.iter().map(|node| (node.id.as_str(), node)).collect()
}
