//! `flowdoc graph`: the graph on standard output, findings on standard error.

use super::project::Project;
use super::timings::Timings;
use super::{Console, FINE, GraphFormat, INPUT_ERROR, print, report_findings};
use flowdoc::render::groups::Grouping;
use flowdoc::render::{diagram, dot, json, mermaid, svg};

pub(crate) fn run(
    console: &mut Console<'_>,
    project: &Project,
    format: GraphFormat,
    timings: &mut Timings,
) -> u8 {
    report_findings(console, &project.findings);
    let overview = || diagram::overview(&project.flow);
    // layout-rs and GitHub's Mermaid cannot draw a large system whole: draw its parts.
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
    if !print(console, &text) || project.unreadable_sources {
        return INPUT_ERROR;
    }
    FINE
}
