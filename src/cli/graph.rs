//! `flowdoc graph`: the graph on standard output, findings on standard error.

use super::{Console, FINE, GraphFormat, INPUT_ERROR, print, report_findings};
use flowdoc::Analysis;
use flowdoc::render::groups::Grouping;
use flowdoc::render::{diagram, dot, json, mermaid, svg};
use flowdoc::rules::Finding;
use flowdoc::timings::Timings;

/// The graph of `project` in `format`.
pub(crate) fn output(project: &Analysis, format: GraphFormat, timings: &mut Timings) -> String {
    let overview = || diagram::overview(&project.flow);
    // A large system is not readable drawn whole (and GitHub's Mermaid refuses it): draw its parts.
    let drawable = || {
        let whole = overview();
        Grouping::of(&project.flow, &whole).overview(&whole)
    };
    timings.time("render", || match format {
        GraphFormat::Json => json::render(&project.flow, &project.findings),
        GraphFormat::Dot => dot::render(&overview()),
        GraphFormat::Mermaid => mermaid::render(&drawable()),
        GraphFormat::Svg => svg::render(&drawable()),
    })
}

/// Reports `findings`, prints `text`; the exit code (2 when sources could not be read).
pub(crate) fn show(
    console: &mut Console<'_>,
    findings: &[Finding],
    text: &str,
    unreadable_sources: bool,
) -> u8 {
    report_findings(console, findings);
    if !print(console, text) || unreadable_sources {
        return INPUT_ERROR;
    }
    FINE
}
