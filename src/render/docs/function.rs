//! The page of a function: its settings, what triggers it, its handlers and what they produce
//! and consume, its failure handling, what the template lets it write to, its environment and
//! findings.

use super::links::{PageNames, event_link, place_link};
use super::relations::{failure_line, trigger_text};
use super::text::{list, prose};
use super::{DocsOptions, GENERATED};
use crate::model::{EdgeKind, EdgeSource, Flow, GrantInfo, Handler, Node};
use crate::render::escape::{code, markdown, message};
use crate::rules::Finding;
use crate::scan::Role;
use crate::template::{Access, Details, Endpoint, External, RelationKind};
use std::fmt::Write as _;

/// The page of `function`.
pub(super) fn function_page(
    flow: &Flow,
    function: &Node,
    findings: &[Finding],
    names: &PageNames,
    options: &DocsOptions,
) -> String {
    let stem = &names.functions[&function.id];
    let mut out = String::from(GENERATED);
    let _ = writeln!(out, "# {}\n\n[← The whole system](../index.md)\n", markdown(&function.id));
    let place = function
        .location
        .as_ref()
        .map_or_else(String::new, |location| format!(" · defined at {}", place_link(location, 1, options)));
    let mut facts = format!("Lambda function{place}");
    if let Details::Function(details) = &function.details {
        if let Some(runtime) = &details.runtime {
            let _ = write!(facts, " · {}", code(runtime));
        }
        match &details.timeout {
            Some((seconds, _)) => {
                let _ = write!(facts, " · timeout {seconds} s");
            }
            None => facts.push_str(" · timeout 3 s (default)"),
        }
        facts.push_str(if details.tracing_active { " · tracing active" } else { " · no active tracing" });
    }
    let _ = writeln!(out, "{facts}\n");
    let _ = writeln!(out, "![{} and its neighbours]({stem}.svg)\n", markdown(&function.id));

    out.push_str("## Triggered by\n\n");
    let triggers: Vec<String> = flow
        .incoming(&function.id)
        .iter()
        .filter(|(_, edge)| edge.kind != EdgeKind::Publish)
        .map(|(source, edge)| {
            let events = list(edge.events.iter().map(|event| event_link(names, event, true)));
            format!("| {} | {} | {events} |", code(&source.id), trigger_text(edge.relation.as_ref()))
        })
        .collect();
    if triggers.is_empty() {
        out.push_str("Nothing in the templates triggers it.\n\n");
    } else {
        let _ = write!(out, "| Source | How | Events |\n|---|---|---|\n{}\n\n", triggers.join("\n"));
    }

    out.push_str("## Handlers\n\n");
    let handlers: Vec<&Handler> = flow.handlers_of(&function.id).collect();
    if handlers.is_empty() {
        out.push_str("No annotated handler runs in it.\n\n");
    }
    for handler in handlers {
        let _ = writeln!(
            out,
            "### {}\n\n{} · crate {} · {}\n",
            code(&handler.facts.name),
            place_link(&handler.facts.location, 1, options),
            code(&handler.facts.crate_name),
            code(&handler.facts.module)
        );
        if !handler.facts.doc.is_empty() {
            let _ = writeln!(out, "{}\n", prose(&handler.facts.doc));
        }
        for annotation in &handler.annotations {
            let target = annotation
                .targets
                .iter()
                .find(|target| target.function.as_deref() == Some(function.id.as_str()))
                .map_or_else(
                    || "an unknown resource".to_owned(),
                    |target| match &target.resource {
                        Ok(resource) => code(resource),
                        Err(reason) => format!("an unknown resource ({})", markdown(reason)),
                    },
                );
            let verb = if annotation.facts.role == Role::Producer { "produces" } else { "consumes" };
            let direction = if annotation.facts.role == Role::Producer { "into" } else { "from" };
            let _ =
                writeln!(out, "- {verb} {} {direction} {target}", event_link(names, &annotation.event, true));
        }
        out.push('\n');
    }

    out.push_str("## Failure handling\n\n");
    let mut failures: Vec<String> = Vec::new();
    for (source, edge) in flow.incoming(&function.id) {
        if edge.kind == EdgeKind::Publish {
            continue;
        }
        for (target, failure) in flow.outgoing(&source.id) {
            if failure.kind != EdgeKind::Failure {
                continue;
            }
            let own = match &failure.relation {
                Some(RelationKind::Failure(f)) => {
                    f.function.as_deref().is_none_or(|f| f == function.logical_id)
                }
                _ => true,
            };
            if own {
                failures.push(failure_line(&source.id, &target.id, failure.relation.as_ref()));
            }
        }
    }
    for (target, edge) in flow.outgoing(&function.id) {
        if edge.kind == EdgeKind::Failure {
            failures.push(failure_line(&function.id, &target.id, edge.relation.as_ref()));
        }
    }
    failures.sort();
    failures.dedup();
    if failures.is_empty() {
        out.push_str("No failure path.\n\n");
    } else {
        out.push_str(&failures.join("\n"));
        out.push_str("\n\n");
    }

    out.push_str(&granted_writes(flow, function, options));

    if let Details::Function(details) = &function.details
        && !details.environment.is_empty()
    {
        out.push_str("## Environment\n\n| Variable | References |\n|---|---|\n");
        for (name, var) in &details.environment {
            let targets: Vec<String> =
                var.references.iter().map(|reference| referenced(&reference.target)).collect();
            let _ = writeln!(out, "| {} | {} |", code(name), list(targets));
        }
        out.push('\n');
    }

    let mine: Vec<&Finding> = findings
        .iter()
        .filter(|finding| finding.subject.split('/').any(|part| part == function.id))
        .collect();
    out.push_str("## Findings\n\n");
    if mine.is_empty() {
        out.push_str("None.\n");
    } else {
        for finding in mine {
            let place = finding
                .location
                .as_ref()
                .map_or_else(String::new, |location| format!(" ({})", place_link(location, 1, options)));
            let _ = writeln!(
                out,
                "- **{}** `{}`: {}{place}",
                finding.severity,
                finding.rule,
                message(&finding.message)
            );
        }
    }
    out
}

/// What an environment variable's reference names, as the Environment table says it: a
/// resource by its logical ID, a parameter, import or nested stack's output by what it is.
fn referenced(target: &Endpoint) -> String {
    match target {
        Endpoint::Resource(id) => code(id),
        Endpoint::Missing(id) => format!("{} (no such resource)", code(id)),
        Endpoint::External(External::Parameter(name)) => format!("parameter {}", code(name)),
        Endpoint::External(External::Import(name)) => format!("import {}", code(name)),
        Endpoint::External(External::StackOutput { stack, output }) => {
            format!("output {} of stack {}", code(output), code(stack))
        }
        Endpoint::External(external) => code(&external.label()),
    }
}

/// The function's environment variables that name the thing outside the templates whose label
/// (the grant's target) is `label`, sorted.
fn variables_naming(function: &Node, label: &str) -> Vec<String> {
    let Details::Function(details) = &function.details else { return Vec::new() };
    details
        .environment
        .iter()
        .filter(|(_, var)| {
            var.references.iter().any(|reference| match &reference.target {
                Endpoint::External(external) => external.label() == label,
                _ => false,
            })
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// The section listing what the template lets `function` write to: each write grant, where it
/// comes from, and whether the write is declared in code, drawn because an environment variable
/// names the resource, or only granted.
fn granted_writes(flow: &Flow, function: &Node, options: &DocsOptions) -> String {
    let mut grants: Vec<&GrantInfo> = flow
        .grants()
        .get(&function.id)
        .into_iter()
        .flatten()
        .filter(|grant| grant.access == Access::Write)
        .collect();
    if grants.is_empty() {
        return String::new();
    }
    grants.sort_by(|a, b| (&a.target, &a.via, &a.location).cmp(&(&b.target, &b.via, &b.location)));
    grants.dedup();
    let outgoing = flow.outgoing(&function.id);
    let mut out = String::from(
        "## Granted writes\n\nWhat the template lets it write to.\n\n| Resource | Granted by | Where | Drawn |\n|---|---|---|---|\n",
    );
    for grant in grants {
        let edge = outgoing
            .iter()
            .find(|(target, edge)| target.id == grant.target && edge.kind == EdgeKind::Publish)
            .map(|(_, edge)| *edge);
        let drawn = match edge {
            Some(edge) if edge.source == EdgeSource::Grant => format!(
                "granted, not declared in code: environment variable {} names it",
                list(edge.labels.iter().map(|label| code(label)))
            ),
            Some(edge) if edge.source == EdgeSource::Code => "declared in code".to_owned(),
            Some(edge) => format!("declared by the {}", edge.source.name()),
            None if crate::rules::is_failure_destination(flow, &function.id, &grant.target) => {
                "no: a failure path of the template lands there".to_owned()
            }
            None if grant.target.ends_with(":*") => "no: a grant on all of a service".to_owned(),
            None if flow.node(&grant.target).is_none() => {
                let variables = variables_naming(function, &grant.target);
                if variables.is_empty() {
                    "no: not a resource of the templates".to_owned()
                } else {
                    format!(
                        "no: not a resource of the templates (environment variable {} names it)",
                        list(variables.iter().map(|name| code(name)))
                    )
                }
            }
            None => "no: no environment variable names it".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {drawn} |",
            code(&grant.target),
            markdown(&grant.via),
            place_link(&grant.location, 1, options)
        );
    }
    out.push('\n');
    out
}
