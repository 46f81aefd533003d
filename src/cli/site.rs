//! `flowdoc site`: the onboarding site, written into its folder as a whole.

use super::generate::write_output;
use super::{Console, FINE, INPUT_ERROR, report_findings};
use flowdoc::Analysis;
use flowdoc::render::site;
use flowdoc::timings::{Timings, things};
use std::path::Path;

/// Where the site goes unless `--out` says.
const DEFAULT_FOLDER: &str = "target/flowdoc/site";

pub(crate) fn run(
    console: &mut Console<'_>,
    project: &Analysis,
    root: &Path,
    out: Option<&Path>,
    timings: &mut Timings,
) -> u8 {
    report_findings(console, &project.findings);
    let folder = out.map_or_else(|| root.join(DEFAULT_FOLDER), Path::to_owned);
    let files = timings.time("render", || site::site(&project.flow, &project.findings));
    timings.detail(things(files.len(), "file"));
    if let Err(code) = write_output(console, &folder, &files, "the site was", timings) {
        return code;
    }
    console.write(&format!("open {}\n", folder.join("index.html").display()));
    if !project.unreadable_sources().is_empty() {
        return INPUT_ERROR;
    }
    FINE
}
