//! The page of a resource (anything that is not a function: a table, queue, topic, API, an
//! outside thing): what it is, what arrives there and from where, where it passes things on,
//! where what fails there lands, and which functions the templates let use it.

use super::facts::resource_kind;
use super::links::{PageNames, event_link, node_link, place_link};
use super::relations::{failure_line, trigger_text};
use super::text::list;
use super::{DocsOptions, GENERATED};
use crate::model::{Edge, EdgeKind, EdgeSource, Flow, Node};
use crate::render::escape::{code, markdown};
use crate::template::Access;
use std::fmt::Write as _;

/// The page of `node`, a resource.
pub(super) fn resource_page(flow: &Flow, node: &Node, names: &PageNames, options: &DocsOptions) -> String {
    let mut out = String::from(GENERATED);
    let _ = writeln!(out, "# {}\n\n[← The whole system](../index.md)\n", markdown(&node.id));
    let mut facts = resource_kind(node);
    if !node.type_name.is_empty() {
        let _ = write!(facts, " · {}", code(&node.type_name));
    }
    if node.implicit {
        facts.push_str(" · created by SAM");
    }
    if node.conditional {
        facts.push_str(" · only under a condition");
    }
    if let Some(location) = &node.location {
        let _ = write!(facts, " · defined at {}", place_link(location, 1, options));
    }
    let _ = writeln!(out, "{facts}\n");

    let incoming = flow.incoming(&node.id);
    let outgoing = flow.outgoing(&node.id);
    let arrives: Vec<String> = incoming
        .iter()
        .filter(|(_, edge)| edge.kind != EdgeKind::Failure)
        .map(|(from, edge)| row(names, from, edge))
        .collect();
    let leaves: Vec<String> = outgoing
        .iter()
        .filter(|(_, edge)| edge.kind != EdgeKind::Failure)
        .map(|(to, edge)| row(names, to, edge))
        .collect();
    out.push_str("## What arrives\n\n");
    table(&mut out, "From", &arrives, "Nothing in the flow arrives here.");
    out.push_str("## Where it goes\n\n");
    table(&mut out, "To", &leaves, "Nothing in the flow leaves from here.");

    out.push_str("## Failure handling\n\n");
    let mut failures: Vec<String> = outgoing
        .iter()
        .filter(|(_, edge)| edge.kind == EdgeKind::Failure)
        .map(|(to, edge)| failure_line(&node.id, &to.id, edge.relation.as_ref()))
        .chain(
            incoming
                .iter()
                .filter(|(_, edge)| edge.kind == EdgeKind::Failure)
                .map(|(from, edge)| failure_line(&from.id, &node.id, edge.relation.as_ref())),
        )
        .collect();
    failures.sort();
    failures.dedup();
    if failures.is_empty() {
        out.push_str("No failure path.\n\n");
    } else {
        let _ = write!(out, "{}\n\n", failures.join("\n"));
    }

    let mut grants: Vec<String> = flow
        .grants()
        .iter()
        .flat_map(|(function, grants)| grants.iter().map(move |grant| (function, grant)))
        .filter(|(_, grant)| grant.target == node.id)
        .map(|(function, grant)| {
            let access = if grant.access == Access::Write { "write" } else { "read" };
            format!("| {} | {access} | {} |", node_link(names, function, true), markdown(&grant.via))
        })
        .collect();
    grants.sort();
    grants.dedup();
    out.push_str("## Access granted\n\n");
    if grants.is_empty() {
        out.push_str("The templates grant no function access to it.\n");
    } else {
        let _ = writeln!(out, "| Who | Access | Granted by |\n|---|---|---|\n{}", grants.join("\n"));
    }
    out
}

/// A row of the arrivals or departures: the other end, how, the events.
fn row(names: &PageNames, other: &Node, edge: &Edge) -> String {
    let how = match edge.kind {
        EdgeKind::Trigger => trigger_text(edge.relation.as_ref()),
        EdgeKind::Publish => match edge.source {
            EdgeSource::Code => "write or publish, declared in code".to_owned(),
            EdgeSource::Grant => "granted write, not declared in code".to_owned(),
            source => format!("write or publish, declared by the {}", source.name()),
        },
        kind => kind.name().to_owned(),
    };
    let how = if edge.labels.is_empty() {
        how
    } else {
        format!("{how}: {}", list(edge.labels.iter().map(|label| code(label))))
    };
    let events = list(edge.events.iter().map(|event| event_link(names, event, true)));
    format!("| {} | {how} | {events} |", node_link(names, &other.id, true))
}

fn table(out: &mut String, end: &str, rows: &[String], none: &str) {
    if rows.is_empty() {
        let _ = write!(out, "{none}\n\n");
    } else {
        let _ = write!(out, "| {end} | How | Events |\n|---|---|---|\n{}\n\n", rows.join("\n"));
    }
}
