//! `flowdoc generate`: the docs, written into the output folder as a whole.

use super::memo::Written;
use super::{Console, DocsRun, FINE, INPUT_ERROR, output_folder, relative_output, report_findings};
use flowdoc::Analysis;
use flowdoc::output;
use flowdoc::render::docs::{self, DocsOptions};
use flowdoc::rules::Finding;
use flowdoc::timings::{Timings, things};
use std::collections::BTreeMap;
use std::path::Path;

/// Writes the docs; the exit code, and when the folder now holds them, what the memo keeps of
/// it (with `digest`, the folder's digest is worked out from the docs written).
pub(crate) fn run(
    console: &mut Console<'_>,
    project: &Analysis,
    docs: DocsRun<'_>,
    digest: bool,
    timings: &mut Timings,
) -> (u8, Option<Written>) {
    report_findings(console, &project.findings);
    let DocsRun { root, out, cache } = docs;
    let (folder, _) = output_folder(root, out, project);
    let out_dir = relative_output(root, &folder);
    let options = DocsOptions { out_dir: out_dir.clone() };
    let files =
        timings.time("render", || docs::documents_cached(&project.flow, &project.findings, &options, cache));
    timings.detail(things(files.len(), "file"));
    if let Err(code) = write_output(console, &folder, &files, "the docs were", timings) {
        return (code, None);
    }
    let written =
        digest.then(|| Written { out_dir, files: files.len(), digest: output::files_digest(&files), folder });
    let code = if project.unreadable_sources().is_empty() { FINE } else { INPUT_ERROR };
    (code, written)
}

/// What a run whose memo holds says: the findings, and that the docs are up to date.
pub(crate) fn up_to_date(
    console: &mut Console<'_>,
    findings: &[Finding],
    folder: &Path,
    files: usize,
    unreadable_sources: bool,
) -> u8 {
    report_findings(console, findings);
    output::clean_up_beside(folder);
    let written = output::Written { files, unchanged: files, up_to_date: true, ..output::Written::default() };
    console.write(&written_message(&written, folder));
    if unreadable_sources { INPUT_ERROR } else { FINE }
}

/// Replaces `folder` with `files` as a whole (see [`output::write_folder`]), or leaves it as
/// it is when it already holds them, and says what it did; on failure says that `what` ("the
/// docs were", "the site was") not changed, and gives the exit code.
pub(crate) fn write_output(
    console: &mut Console<'_>,
    folder: &Path,
    files: &BTreeMap<String, impl output::Contents>,
    what: &str,
    timings: &mut Timings,
) -> Result<(), u8> {
    let mut hook = injected_fault();
    match timings.time("write", || output::write_folder_with(folder, files, &mut hook)) {
        Ok(written) => {
            console.write(&written_message(&written, folder));
            if let Some(leftover) = written.leftover {
                console.warning(&format!(
                    "{} moved to {} and could not be removed; the next run removes it",
                    what.replacen("the ", "the previous ", 1),
                    leftover.display()
                ));
            }
            Ok(())
        }
        Err(error) => {
            console.error(&format!("{error}; {what} not changed"));
            Err(INPUT_ERROR)
        }
    }
}

/// What a write did, in a line: the files written (and those kept because they had not
/// changed), or that the folder was up to date and not touched.
fn written_message(written: &output::Written, folder: &Path) -> String {
    let folder = folder.display();
    if written.up_to_date {
        return format!("{folder} is up to date ({}, none written)\n", files(written.files));
    }
    let unchanged = match written.unchanged {
        0 => String::new(),
        kept => format!(", kept {kept} unchanged"),
    };
    let removed = if written.removed.is_empty() {
        String::new()
    } else {
        format!(" (removed {})", written.removed.join(", "))
    };
    let wrote = files(written.files.saturating_sub(written.unchanged));
    format!("wrote {wrote} to {folder}{unchanged}{removed}\n")
}

/// `1 file`, `12 files`.
fn files(count: usize) -> String {
    if count == 1 { "1 file".to_owned() } else { format!("{count} files") }
}

/// For the tests of atomic output: `FLOWDOC_TEST_FAULT=fail:N` makes the N-th filesystem step
/// of the write fail, `exit:N` ends the process at it without any clean-up, as a kill would.
/// Unset, every step goes ahead.
pub(crate) fn injected_fault() -> impl FnMut(&output::Step) -> std::io::Result<()> {
    let fault = std::env::var("FLOWDOC_TEST_FAULT").ok().and_then(|value| {
        let (kind, step) = value.split_once(':')?;
        Some((kind.to_owned(), step.parse::<usize>().ok()?))
    });
    let mut steps = 0;
    move |_step| {
        steps += 1;
        match &fault {
            Some((kind, at)) if *at == steps && kind == "exit" => std::process::exit(99),
            Some((kind, at)) if *at == steps && kind == "fail" => {
                Err(std::io::Error::other("injected fault"))
            }
            _ => Ok(()),
        }
    }
}
