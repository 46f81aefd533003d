//! The parts of a system too large for one picture: the table of parts and a page per part.

use super::GENERATED;
use super::facts::{produced_by, resource_kind};
use super::links::{PageNames, event_link, function_link, url_path};
use super::text::list;
use crate::model::Flow;
use crate::render::escape::{code, markdown};
use crate::render::groups::{Group, Grouping};
use std::fmt::Write as _;

/// The table of `parts`, each linking to its page in the folder `folder` (with its `/`, or
/// empty for the current one), followed by a blank line.
pub(super) fn parts_table(out: &mut String, parts: &[Group], folder: &str) {
    out.push_str("| Part | Functions | Resources |\n|---|---|---|\n");
    for part in parts {
        let _ = writeln!(
            out,
            "| [{}]({folder}{}.md) | {} | {} |",
            markdown(&part.name),
            url_path(&part.stem),
            part.functions,
            part.members.len() - part.functions
        );
    }
    out.push('\n');
}

/// The page of a part of a system too large for one picture.
pub(super) fn group_page(flow: &Flow, grouping: &Grouping, group: &Group, names: &PageNames) -> String {
    let mut out = String::from(GENERATED);
    let _ = writeln!(out, "# {}\n", markdown(&group.name));
    let mut trail = vec!["[The whole system](../index.md)".to_owned()];
    let path = grouping.path_to(&group.stem);
    for parent in &path[..path.len().saturating_sub(1)] {
        trail.push(format!("[{}]({}.md)", markdown(&parent.name), url_path(&parent.stem)));
    }
    let _ = writeln!(out, "{} › {}\n", trail.join(" › "), markdown(&group.name));
    let functions: Vec<&String> =
        group.members.iter().filter(|id| flow.node(id).is_some_and(|node| node.kind.is_function())).collect();
    let _ = writeln!(
        out,
        "{} functions and {} other resources. The system is too large for one picture, so it is drawn in parts; \
boxes with a folded corner are other parts, each with its own page.\n",
        functions.len(),
        group.members.len() - functions.len()
    );
    let _ = writeln!(out, "![{}]({}.svg)\n", markdown(&group.name), url_path(&group.stem));
    if !group.parts.is_empty() {
        out.push_str("## Parts\n\n");
        parts_table(&mut out, &group.parts, "");
    }
    out.push_str("## Functions\n\n| Function | Consumes | Produces |\n|---|---|---|\n");
    for function in &functions {
        let consumes = flow.consumed_by(function);
        let produces = produced_by(flow, function);
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            function_link(names, function, true),
            list(consumes.iter().map(|event| event_link(names, event, true))),
            list(produces.iter().map(|event| event_link(names, event, true)))
        );
    }
    out.push_str("\n## Resources\n\n| Resource | Kind |\n|---|---|\n");
    for id in &group.members {
        if let Some(node) = flow.node(id).filter(|node| !node.kind.is_function()) {
            let _ = writeln!(out, "| {} | {} |", code(&node.id), resource_kind(node));
        }
    }
    out
}
