//! `flowdoc site`: the onboarding site, written into its folder as a whole.

use super::generate::injected_fault;
use super::{Console, FINE, INPUT_ERROR, report_findings};
use flowdoc::Analysis;
use flowdoc::output;
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
    let mut hook = injected_fault();
    match timings.time("write", || output::write_folder_with(&folder, &files, &mut hook)) {
        Ok(written) => {
            console.write(&format!(
                "wrote {} files to {}; open {}\n",
                written.files,
                folder.display(),
                folder.join("index.html").display()
            ));
            if let Some(leftover) = written.leftover {
                console.warning(&format!(
                    "the previous site was moved to {} and could not be removed; the next run removes it",
                    leftover.display()
                ));
            }
        }
        Err(error) => {
            console.error(&format!("{error}; the site was not changed"));
            return INPUT_ERROR;
        }
    }
    if !project.unreadable_sources().is_empty() {
        return INPUT_ERROR;
    }
    FINE
}
