//! `flowdoc graph`: the graph on standard output, findings on standard error.

use super::{Console, FINE, GraphFormat, INPUT_ERROR, print, report_findings};
use flowdoc::Analysis;
use flowdoc::render::groups::Grouping;
use flowdoc::render::{diagram, dot, json, mermaid, svg};
use flowdoc::timings::Timings;

pub(crate) fn run(
    console: &mut Console<'_>,
    project: &Analysis,
    format: GraphFormat,
    timings: &mut Timings,
) -> u8 {
    report_findings(console, &project.findings);
    let overview = || diagram::overview(&project.flow);
    // A large system is not readable drawn whole (and GitHub's Mermaid refuses it): draw its parts.
    let drawable = || {
        let whole = overview();
        Grouping::of(&project.flow, &whole).overview(&whole)
    };
    let text = timings.time("render", || match format {
        GraphFormat::Json => json::render(&project.flow, &project.findings),
        GraphFormat::Dot => dot::render(&overview()),
        GraphFormat::Mermaid => mermaid::render(&drawable()),
        GraphFormat::Svg => svg::render(&drawable()),
    });
    if !print(console, &text) || !project.unreadable_sources().is_empty() {
        return INPUT_ERROR;
    }
    FINE
}
