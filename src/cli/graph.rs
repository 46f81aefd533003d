//! `flowdoc graph`: the graph on standard output, findings on standard error.

use super::project::Project;
use super::{Console, FINE, GraphFormat, INPUT_ERROR, print, report_findings};
use flowdoc::render::{diagram, dot, json, mermaid, svg};

pub(crate) fn run(console: &mut Console<'_>, project: &Project, format: GraphFormat) -> u8 {
    report_findings(console, &project.findings);
    let overview = || diagram::overview(&project.flow);
    let text = match format {
        GraphFormat::Json => json::render(&project.flow, &project.findings),
        GraphFormat::Dot => dot::render(&overview()),
        GraphFormat::Mermaid => mermaid::render(&overview()),
        GraphFormat::Svg => svg::render(&overview()),
    };
    if !print(console, &text) || project.unreadable_sources {
        return INPUT_ERROR;
    }
    FINE
}
