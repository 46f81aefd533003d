//! The index page: the whole system in one picture (and as Mermaid), its parts when it is too
//! large for one, and tables of the events, functions, resources and findings.

use super::facts::{produced_by, resource_kind};
use super::links::{PageNames, event_link, function_link, node_link, place_link};
use super::parts::parts_table;
use super::text::list;
use super::{DocsOptions, GENERATED};
use crate::model::{EdgeKind, Flow};
use crate::render::diagram::{Diagram, EdgeLook};
use crate::render::escape::code;
use crate::render::groups::Grouping;
use crate::render::mermaid;
use crate::rules::{Finding, Severity};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// How many of `findings` are of `severity`.
fn count(findings: &[Finding], severity: Severity) -> usize {
    findings.iter().filter(|finding| finding.severity == severity).count()
}

/// The findings in a sentence: none, or how many of each severity, linking to their page.
fn summary(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "No findings: every rule passes.".to_owned();
    }
    format!(
        "{} errors, {} warnings, {} infos — see [the findings](findings.md).",
        count(findings, Severity::Error),
        count(findings, Severity::Warning),
        count(findings, Severity::Info)
    )
}

/// The index page.
pub(super) fn index(
    flow: &Flow,
    findings: &[Finding],
    names: &PageNames,
    overview: &Diagram,
    grouping: &Grouping,
    options: &DocsOptions,
) -> String {
    let mut out = String::from(GENERATED);
    out.push_str("# Event flow\n\n");
    let _ = writeln!(
        out,
        "{}, {}, {}, from {}. {}\n",
        counted(flow.events().len(), "event"),
        counted(flow.functions().count(), "function"),
        counted(flow.nodes().count(), "resource"),
        list(flow.templates().iter().map(|template| code(template))),
        summary(findings)
    );
    out.push_str("![The event flow of the whole system](overview.svg)\n\n");
    if !grouping.parts.is_empty() {
        out.push_str(
            "The system is too large for one readable picture, so it is drawn in parts: each box with a \
folded corner is a part, with its own page and picture. Arrows between parts name the events they carry.\n\n\
## Parts\n\n",
        );
        parts_table(&mut out, &grouping.parts, "groups/");
    }
    out.push_str(
        "Blue arrows are writes and publishes the code declares; grey arrows are the template's \
triggers, subscriptions and routes; dashed red arrows are where data lands when processing fails. \
Edges are labelled with the events they carry.\n\n",
    );
    if overview.edges.iter().any(|edge| edge.look == EdgeLook::Granted) {
        out.push_str(
            "Dashed blue arrows are writes the template grants a function whose environment names the \
target, but that no annotation declares: what goes there is not known from the code.\n\n",
        );
    }
    let chart = mermaid::render(overview);
    if mermaid::fits_github(overview, &chart) {
        let _ = write!(
            out,
            "<details>\n<summary>The same graph as Mermaid</summary>\n\n```mermaid\n{chart}```\n\n</details>\n\n"
        );
    } else {
        out.push_str("The graph is too large for a Mermaid chart on GitHub; the SVG above shows it.\n\n");
    }

    out.push_str("## Events\n\n");
    if flow.events().is_empty() {
        out.push_str(
            "No events yet: no handler is annotated with `#[event_producer]` or `#[event_consumer]`. \
The pictures show how the template wires the resources; annotate the handlers (see the guide) to \
see which events travel where.\n",
        );
    } else {
        out.push_str("| Event | Version | Produced by | Consumed by | Fields |\n|---|---|---|---|---|\n");
    }
    for event in flow.events().values() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            event_link(names, &event.name, false),
            event.version,
            list(event.producers.iter().map(|f| function_link(names, f, false))),
            list(event.consumers.iter().map(|f| function_link(names, f, false))),
            if event.rust_name.is_some() {
                event.fields.len().max(event.variants.len()).to_string()
            } else {
                "—".into()
            }
        );
    }
    out.push_str("\n## Functions\n\n| Function | Triggered by | Consumes | Produces | Handlers |\n|---|---|---|---|---|\n");
    for function in flow.functions() {
        let triggers: BTreeSet<String> = flow
            .incoming(&function.id)
            .iter()
            .filter(|(_, edge)| edge.kind != EdgeKind::Publish)
            .map(|(source, _)| code(&source.id))
            .collect();
        let consumes: BTreeSet<&str> = flow.consumed_by(&function.id);
        let produces = produced_by(flow, &function.id);
        let handlers: Vec<String> =
            flow.handlers_of(&function.id).map(|handler| code(&handler.facts.name)).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            function_link(names, &function.id, false),
            list(triggers),
            list(consumes.iter().map(|event| event_link(names, event, false))),
            list(produces.iter().map(|event| event_link(names, event, false))),
            list(handlers)
        );
    }
    out.push_str("\n## Resources\n\n| Resource | Kind | Defined at |\n|---|---|---|\n");
    for node in flow.nodes() {
        let kind = resource_kind(node);
        let implicit = if node.implicit { " (created by SAM)" } else { "" };
        let place = node
            .location
            .as_ref()
            .map_or_else(|| "—".to_owned(), |location| place_link(location, 0, options));
        let _ = writeln!(out, "| {} | {kind}{implicit} | {place} |", node_link(names, &node.id, false));
    }
    out.push_str("\n## Findings\n\n");
    out.push_str(&summary(findings));
    out.push('\n');
    out
}

/// `count` things, as `1 event` or `3 events`.
fn counted(count: usize, thing: &str) -> String {
    if count == 1 { format!("1 {thing}") } else { format!("{count} {thing}s") }
}
