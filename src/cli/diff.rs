//! `flowdoc diff [BASE] [HEAD]`: what a change does to the event flow.
//!
//! Each side is a `flow.json` file, a git revision of the root's repository, or (HEAD, by
//! default) the working tree. A revision's files are read through git's plumbing (`revision`): the
//! user's working tree and index are never touched, and nothing in the revision is run.

use super::diagnostics::Diagnostics;
use super::revision::RevisionFiles;
use super::{Console, DiffFormat, FINDINGS, FINE, INPUT_ERROR, print};
use flowdoc::Failure;
use flowdoc::diff::{self, Snapshot, SnapshotError};
use flowdoc::files::{DiskFiles, ProjectFiles};
use flowdoc::render::svg;
use std::io::IsTerminal;
use std::path::Path;

/// The two sides of a diff, as named on the command line.
#[derive(Debug)]
pub(crate) struct Sides<'a> {
    pub(crate) base: Option<&'a str>,
    pub(crate) head: Option<&'a str>,
}

pub(crate) fn run(
    console: &mut Console<'_>,
    root: &Path,
    templates: &[String],
    sides: &Sides<'_>,
    format: DiffFormat,
    exit_code: bool,
) -> u8 {
    let base_state = state(root, templates, Some(sides.base.unwrap_or("HEAD")));
    let head_state = state(root, templates, sides.head);
    let (base_state, head_state) = match (base_state, head_state) {
        (Ok(base), Ok(head)) => (base, head),
        (Err(message), _) | (_, Err(message)) => {
            console.write(&message);
            return INPUT_ERROR;
        }
    };
    let changes = diff::compare(&base_state, &head_state);
    let text = match format {
        DiffFormat::Markdown => diff::markdown(&base_state, &head_state, &changes),
        DiffFormat::Json => changes.to_json(),
        DiffFormat::Svg => {
            let picture = diff::diagram(&base_state, &head_state, &changes);
            if picture.nodes.is_empty() {
                // Nothing to draw: say why, in the picture.
                let line = diff::summary(&changes).replace("**", "");
                let line = if changes.is_empty() {
                    line
                } else {
                    format!("{line} The shape of the flow is the same.")
                };
                svg::note(&line)
            } else {
                svg::render(&picture)
            }
        }
    };
    if !print(console, &text) {
        return INPUT_ERROR;
    }
    if exit_code && !changes.breaking.is_empty() {
        return FINDINGS;
    }
    FINE
}

/// One side of the diff: a `flow.json` file, a git revision, or (`None`) the working tree.
/// Err holds the rendered messages.
fn state(root: &Path, templates: &[String], side: Option<&str>) -> Result<Snapshot, String> {
    let Some(side) = side else {
        let files = DiskFiles::new(root);
        let name = format!("`{}`", root.display());
        let project = flowdoc::analyse(&flowdoc::Project::new(&files).templates(templates).named(&name))
            .map_err(|failure| render_failure(&files, &failure, "the working tree"))?;
        return Ok(Snapshot::of(&project.flow, &project.findings));
    };
    let as_file = Path::new(side);
    if as_file.is_file() {
        let text =
            std::fs::read(as_file).map_err(|error| message(&format!("cannot read `{side}`: {error}")))?;
        let text = String::from_utf8(text)
            .map_err(|_| message(&format!("`{side}` is not valid UTF-8, so not a flow.json")))?;
        return Snapshot::parse(&text).map_err(|error| match error {
            SnapshotError::Invalid { line, column, message: problem } => message(&format!(
                "{side}:{line}:{}: {problem}; not a flow.json flowdoc can read",
                column.max(1)
            )),
            SnapshotError::Version(_) => message(&format!("{side}: {error}")),
        });
    }
    if side.ends_with(".json") {
        return Err(message(&format!("there is no file `{side}`")));
    }
    let files = RevisionFiles::new(root, side).map_err(|error| message(&error))?;
    let name = format!("revision `{side}`");
    let project = flowdoc::analyse(&flowdoc::Project::new(&files).templates(templates).named(&name))
        .map_err(|failure| render_failure(&files, &failure, &name))?;
    Ok(Snapshot::of(&project.flow, &project.findings))
}

fn message(text: &str) -> String {
    format!("error: {text}\n")
}

/// The problems that stopped the analysis of one side, with their source lines from that side.
fn render_failure(files: &dyn ProjectFiles, failure: &Failure, side: &str) -> String {
    let mut diagnostics =
        Diagnostics::new(files, std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none());
    let mut text = message(&format!("cannot read the flow of {side}"));
    text.push_str(&super::render_failure(&mut diagnostics, failure));
    text
}
