//! The page of an event: its doc, path, schema, producers, consumers, the functions it is
//! delivered to and where it lands on failure.

use super::links::{PageNames, function_link, place_link};
use super::relations::failure_line;
use super::text::{first_line, prose};
use super::{DocsOptions, GENERATED};
use crate::model::{EdgeKind, Flow};
use crate::render::escape::{code, markdown};
use crate::scan::{FieldFacts, Role};
use std::fmt::Write as _;

/// The page of the event `name`.
pub(super) fn event_page(flow: &Flow, name: &str, names: &PageNames, options: &DocsOptions) -> String {
    let event = &flow.events()[name];
    let stem = &names.events[name];
    let mut out = String::from(GENERATED);
    let _ = writeln!(out, "# {}\n\n[← The whole system](../index.md)\n", markdown(name));
    if !event.doc.is_empty() {
        let _ = writeln!(out, "{}\n", prose(&event.doc));
    }
    match (&event.rust_name, &event.location) {
        (Some(rust), Some(location)) => {
            let _ = writeln!(
                out,
                "Version {} · defined by {} at {}\n",
                event.version,
                code(rust),
                place_link(location, 1, options)
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "Version {} · named by a string in the annotations; no `#[event]` type gives its schema.\n",
                event.version
            );
        }
    }
    let _ = writeln!(out, "## Path\n\n![The path of {}]({stem}.svg)\n", markdown(name));

    if event.rust_name.is_some() {
        out.push_str("## Schema\n\n");
        if event.variants.is_empty() {
            out.push_str(&fields_table(&event.fields));
        } else {
            for variant in &event.variants {
                let _ = writeln!(out, "### {}\n", markdown(&variant.name));
                if !variant.doc.is_empty() {
                    let _ = writeln!(out, "{}\n", prose(&variant.doc));
                }
                out.push_str(&fields_table(&variant.fields));
            }
        }
    }

    out.push_str("## Produced by\n\n");
    out.push_str(&participants(flow, name, Role::Producer, names, options));
    out.push_str("## Consumed by\n\n");
    out.push_str(&participants(flow, name, Role::Consumer, names, options));

    out.push_str("## Delivered to\n\n");
    let mut deliveries = Vec::new();
    for (function, sources) in flow.deliveries() {
        for (source, events) in sources {
            if events.contains(name) {
                let declared = flow.consumed_by(function).contains(name);
                let note = if declared { "" } else { " — **no handler of it declares this event**" };
                deliveries.push(format!(
                    "- {} from {}{note}",
                    function_link(names, function, true),
                    code(source)
                ));
            }
        }
    }
    if deliveries.is_empty() {
        out.push_str("No function receives it.\n\n");
    } else {
        out.push_str(&deliveries.join("\n"));
        out.push_str("\n\n");
    }

    out.push_str("## On failure\n\n");
    let mut failing: Vec<_> = flow
        .edges_unsorted()
        .filter(|(_, _, edge)| edge.kind == EdgeKind::Failure && edge.events.contains(name))
        .collect();
    failing.sort_by(|a, b| (&a.0.id, &a.1.id).cmp(&(&b.0.id, &b.1.id)));
    let failures: Vec<String> = failing
        .into_iter()
        .map(|(from, to, edge)| failure_line(&from.id, &to.id, edge.relation.as_ref()))
        .collect();
    if failures.is_empty() {
        out.push_str("No failure path carries it.\n");
    } else {
        out.push_str(&failures.join("\n"));
        out.push('\n');
    }
    out
}

/// The table of the fields of an event or variant.
fn fields_table(fields: &[FieldFacts]) -> String {
    if fields.is_empty() {
        return "No fields.\n\n".to_owned();
    }
    let mut out = String::from("| Field | Type | Description |\n|---|---|---|\n");
    for field in fields {
        let _ = writeln!(out, "| {} | {} | {} |", code(&field.name), code(&field.ty), first_line(&field.doc));
    }
    out.push('\n');
    out
}

/// The handlers that produce or consume an event, with their function and resource.
fn participants(flow: &Flow, event: &str, role: Role, names: &PageNames, options: &DocsOptions) -> String {
    let mut lines = Vec::new();
    for handler in flow.handlers() {
        for annotation in handler.annotations.iter().filter(|a| a.event == event && a.facts.role == role) {
            for target in &annotation.targets {
                let function = target
                    .function
                    .as_deref()
                    .map_or_else(|| "no function".to_owned(), |f| function_link(names, f, true));
                let resource = match &target.resource {
                    Ok(resource) => code(resource),
                    Err(_) => "an unknown resource".to_owned(),
                };
                let direction = if role == Role::Producer { "into" } else { "from" };
                lines.push(format!(
                    "- {function}: {} {direction} {resource} ({})",
                    code(&handler.facts.name),
                    place_link(&annotation.facts.location, 1, options)
                ));
            }
        }
    }
    lines.sort();
    lines.dedup();
    if lines.is_empty() {
        return "None.\n\n".to_owned();
    }
    format!("{}\n\n", lines.join("\n"))
}
