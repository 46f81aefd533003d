//! One picture of a change: the merged graph of both states — what the change added in green,
//! what it removed in red and dashed, what changed in amber, and, in grey, the unchanged parts
//! that connect changes. Marks (`+`, `−`, `~`) say the same where colours are stripped.

use super::{FlowDiff, Snapshot, SnapshotEdge, SnapshotNode};
use crate::render::diagram::{Change, Diagram, DiagramEdge, DiagramNode, EdgeLook, NodeLook};
use std::collections::{BTreeMap, BTreeSet};

fn look(node: &SnapshotNode) -> NodeLook {
    if node.dlq {
        return NodeLook::DeadLetter;
    }
    match node.kind.as_str() {
        "function" => NodeLook::Function,
        "api" => NodeLook::Api,
        "dynamodb-table" => NodeLook::Table,
        "kinesis-stream" => NodeLook::Stream,
        "sqs-queue" => NodeLook::Queue,
        "sns-topic" => NodeLook::Topic,
        "event-bus" => NodeLook::Bus,
        "event-rule" => NodeLook::Rule,
        "schedule" => NodeLook::Schedule,
        "s3-bucket" => NodeLook::Bucket,
        "state-machine" | "pipe" => NodeLook::Workflow,
        "external" => NodeLook::External,
        _ => NodeLook::Other,
    }
}

fn edge_look(kind: &str) -> EdgeLook {
    match kind {
        "publish" => EdgeLook::Publish,
        "failure" => EdgeLook::Failure,
        _ => EdgeLook::Flow,
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
        |edge: &SnapshotEdge, change: Change, label: Vec<String>, touched: &mut BTreeSet<String>| {
            touched.insert(edge.from.clone());
            touched.insert(edge.to.clone());
            edges.push(DiagramEdge {
                from: edge.from.clone(),
                to: edge.to.clone(),
                label,
                look: edge_look(&edge.kind),
                change,
            });
        };
    let find = |state: &'_ Snapshot, from: &str, to: &str, kind: &str| -> Option<SnapshotEdge> {
        state.edges.iter().find(|e| e.from == from && e.to == to && e.kind == kind).cloned()
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
    let mut context = |edge: &SnapshotEdge, edges: &mut Vec<DiagramEdge>| {
        if shown.insert((edge.from.clone(), edge.to.clone(), edge_look(&edge.kind))) {
            edges.push(DiagramEdge {
                from: edge.from.clone(),
                to: edge.to.clone(),
                label: edge.events.clone(),
                look: edge_look(&edge.kind),
                change: Change::Context,
            });
        }
    };
    for (function, event) in &carried {
        for edge in head.edges.iter().chain(&base.edges) {
            let ends_here = &edge.from == function || &edge.to == function;
            if ends_here && edge.events.contains(event) && edge.kind != "failure" {
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

    let nodes_of = |state: &'_ Snapshot| -> BTreeMap<String, SnapshotNode> {
        state.nodes.iter().map(|node| (node.id.clone(), node.clone())).collect()
    };
    let (base_nodes, head_nodes) = (nodes_of(base), nodes_of(head));
    let nodes = touched
        .into_iter()
        .filter_map(|id| {
            let node = head_nodes.get(&id).or_else(|| base_nodes.get(&id))?;
            let change = changes.get(&id).copied().unwrap_or(Change::Context);
            let mut caption = if node.dlq { format!("{} (DLQ)", node.kind) } else { node.kind.clone() };
            if let Some(notes) = notes.get(&id) {
                caption = format!("{caption}: {}", notes.join(", "));
            }
            Some(DiagramNode {
                name: format!("{}{}", change.mark(), node.id),
                caption,
                look: look(node),
                change,
                id,
            })
        })
        .collect();
    Diagram { nodes, edges }
}
