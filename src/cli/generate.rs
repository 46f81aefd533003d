//! `flowdoc generate`: the docs, written into the output folder as a whole.

use super::project::Project;
use super::timings::{Timings, things};
use super::{Console, FINE, INPUT_ERROR, output_folder, relative_output, report_findings};
use flowdoc::output;
use flowdoc::render::docs::{self, DocsOptions};
use std::path::Path;

pub(crate) fn run(
    console: &mut Console<'_>,
    project: &Project,
    root: &Path,
    out: Option<&Path>,
    timings: &mut Timings,
) -> u8 {
    report_findings(console, &project.findings);
    let (folder, _) = output_folder(root, out, project);
    let options = DocsOptions { out_dir: relative_output(root, &folder) };
    let files = timings.time("render", || docs::documents(&project.flow, &project.findings, &options));
    timings.detail(things(files.len(), "file"));
    match timings.time("write", || output::write_folder(&folder, &files)) {
        Ok(written) => {
            let removed = if written.removed.is_empty() {
                String::new()
            } else {
                format!(" (removed {})", written.removed.join(", "))
            };
            console.write(&format!("wrote {} files to {}{removed}\n", written.files, folder.display()));
        }
        Err(error) => {
            console.error(&format!("{error}; the docs were not changed"));
            return INPUT_ERROR;
        }
    }
    if project.unreadable_sources {
        return INPUT_ERROR;
    }
    FINE
}
