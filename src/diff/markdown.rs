//! The diff as a pull-request comment: a one-line summary, the breaking changes first, tables
//! of what changed, and one Mermaid picture of the affected part of the flow.

use super::{FlowDiff, Snapshot};
use crate::render::escape::{code, markdown, message};
use crate::render::mermaid;
use std::fmt::Write as _;

/// A hidden marker CI uses to find and update its earlier comment.
pub const COMMENT_MARKER: &str = "<!-- flowdoc-diff -->";

fn plural(count: usize, word: &str) -> String {
    if count == 1 { format!("1 {word}") } else { format!("{count} {word}s") }
}

/// `a, b and c`.
fn and_list(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The one-line summary.
pub fn summary(diff: &FlowDiff) -> String {
    if diff.is_empty() {
        return "No changes to the event flow.".to_owned();
    }
    let counts = [
        (diff.nodes_added.len() + diff.nodes_removed.len() + diff.nodes_changed.len(), "resource"),
        (diff.edges_added.len() + diff.edges_removed.len() + diff.edges_changed.len(), "connection"),
        (diff.events_added.len() + diff.events_removed.len() + diff.events_changed.len(), "event"),
    ];
    let parts: Vec<String> =
        counts.iter().filter(|(count, _)| *count > 0).map(|(count, word)| plural(*count, word)).collect();
    let mut line = if parts.is_empty() {
        "The flow itself is unchanged".to_owned()
    } else {
        format!("This change touches {}", and_list(&parts))
    };
    let (introduced, resolved) = (diff.findings_introduced.len(), diff.findings_resolved.len());
    match (introduced, resolved) {
        (0, 0) => {}
        (_, 0) => {
            let _ = write!(line, "; it introduces {}", plural(introduced, "finding"));
        }
        (0, _) => {
            let _ = write!(line, "; it resolves {}", plural(resolved, "finding"));
        }
        _ => {
            let _ = write!(line, "; it introduces {} and resolves {resolved}", plural(introduced, "finding"));
        }
    }
    line.push('.');
    if !diff.breaking.is_empty() {
        let _ = write!(line, " **Breaking:** {}.", plural(diff.breaking.len(), "change"));
    }
    line
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "—".to_owned()
    } else {
        items.iter().map(|item| code(item)).collect::<Vec<_>>().join(", ")
    }
}

/// The comment.
pub fn render(base: &Snapshot, head: &Snapshot, diff: &FlowDiff) -> String {
    if diff.is_empty() {
        // One line; the marker still lets CI replace an earlier comment with it.
        return format!("{} {COMMENT_MARKER}\n", summary(diff));
    }
    let mut out = format!("{COMMENT_MARKER}\n### Event flow\n\n{}\n", summary(diff));
    if !diff.breaking.is_empty() {
        out.push_str("\n#### Breaking\n\n");
        for breaking in &diff.breaking {
            let _ = writeln!(out, "- {}", message(&breaking.describe()));
        }
    }
    let picture = super::diagram(base, head, diff);
    if !picture.edges.is_empty() || !picture.nodes.is_empty() {
        let chart = mermaid::render(&picture);
        if mermaid::fits_github(&picture, &chart) {
            let _ = write!(
                out,
                "\n```mermaid\n{chart}```\n\n<sub>Green: added · red, dashed: removed · amber: changed · grey: unchanged, for context. Marks: `+` added, `−` removed, `~` changed.</sub>\n"
            );
        } else {
            out.push_str("\nThe change is too large for a Mermaid picture on GitHub; run `flowdoc diff --format svg`.\n");
        }
    }
    if !diff.events_added.is_empty() || !diff.events_removed.is_empty() || !diff.events_changed.is_empty() {
        out.push_str(
            "\n#### Events\n\n| | Event | Producers | Consumers | Schema |\n|---|---|---|---|---|\n",
        );
        for name in &diff.events_added {
            let event = head.events.iter().find(|e| &e.name == name);
            let producers: Vec<String> = event.map(|e| e.producers.clone()).unwrap_or_default();
            let consumers: Vec<String> = event.map(|e| e.consumers.clone()).unwrap_or_default();
            let _ =
                writeln!(out, "| + | {} | {} | {} | new |", code(name), list(&producers), list(&consumers));
        }
        for name in &diff.events_removed {
            let _ = writeln!(out, "| − | {} | — | — | gone |", code(name));
        }
        for change in &diff.events_changed {
            let mut producers: Vec<String> =
                change.producers_added.iter().map(|p| format!("+ {p}")).collect();
            producers.extend(change.producers_removed.iter().map(|p| format!("− {p}")));
            let mut consumers: Vec<String> =
                change.consumers_added.iter().map(|c| format!("+ {c}")).collect();
            consumers.extend(change.consumers_removed.iter().map(|c| format!("− {c}")));
            let mut schema: Vec<String> = change.fields_added.iter().map(|f| format!("+ {f}")).collect();
            schema.extend(change.fields_removed.iter().map(|f| format!("− {f}")));
            schema.extend(change.fields_retyped.iter().map(|(f, from, to)| format!("~ {f}: {from} → {to}")));
            if let Some((from, to)) = change.version {
                schema.push(format!("version {from} → {to}"));
            }
            let _ = writeln!(
                out,
                "| ~ | {} | {} | {} | {} |",
                code(&change.name),
                list(&producers),
                list(&consumers),
                list(&schema)
            );
        }
    }
    if !diff.edges_added.is_empty() || !diff.edges_removed.is_empty() || !diff.edges_changed.is_empty() {
        out.push_str("\n#### Connections\n\n| | From | To | Kind | Events |\n|---|---|---|---|---|\n");
        for edge in &diff.edges_added {
            let _ = writeln!(
                out,
                "| + | {} | {} | {} | {} |",
                code(&edge.from),
                code(&edge.to),
                edge.kind,
                list(&edge.events)
            );
        }
        for edge in &diff.edges_removed {
            let _ = writeln!(
                out,
                "| − | {} | {} | {} | {} |",
                code(&edge.from),
                code(&edge.to),
                edge.kind,
                list(&edge.events)
            );
        }
        for edge in &diff.edges_changed {
            let mut events: Vec<String> = edge.events_added.iter().map(|e| format!("+ {e}")).collect();
            events.extend(edge.events_removed.iter().map(|e| format!("− {e}")));
            let _ = writeln!(
                out,
                "| ~ | {} | {} | {} | {} |",
                code(&edge.from),
                code(&edge.to),
                edge.kind,
                list(&events)
            );
        }
    }
    if !diff.nodes_added.is_empty() || !diff.nodes_removed.is_empty() || !diff.nodes_changed.is_empty() {
        out.push_str("\n#### Resources\n\n| | Resource | What |\n|---|---|---|\n");
        for node in &diff.nodes_added {
            let _ = writeln!(out, "| + | {} | {} |", code(&node.id), markdown(&node.kind));
        }
        for node in &diff.nodes_removed {
            let _ = writeln!(out, "| − | {} | {} |", code(&node.id), markdown(&node.kind));
        }
        for node in &diff.nodes_changed {
            let _ = writeln!(out, "| ~ | {} | {} |", code(&node.id), markdown(&node.changes.join("; ")));
        }
    }
    if !diff.findings_introduced.is_empty() || !diff.findings_resolved.is_empty() {
        out.push_str("\n#### Findings\n\n| | Rule | Finding | Where |\n|---|---|---|---|\n");
        for (mark, findings) in [("+", &diff.findings_introduced), ("−", &diff.findings_resolved)] {
            for finding in findings {
                let place = match (&finding.file, finding.line) {
                    (Some(file), Some(line)) => code(&format!("{file}:{line}")),
                    (Some(file), None) => code(file),
                    _ => "—".to_owned(),
                };
                let _ = writeln!(
                    out,
                    "| {mark} | {} {} | {} | {place} |",
                    code(&finding.rule),
                    finding.severity,
                    message(&finding.message)
                );
            }
        }
    }
    out
}
