//! `flowdoc check`: the rules at the deny level, and the committed docs against what
//! `generate` would write now.

use super::{
    CheckFormat, Console, Deny, DocsRun, FINDINGS, FINE, INPUT_ERROR, output_folder, print, relative_output,
    report_findings,
};
use flowdoc::Analysis;
use flowdoc::location::Location;
use flowdoc::output::{self, Stale};
use flowdoc::render::docs::{self, DocsOptions};
use flowdoc::render::{github, sarif};
use flowdoc::rules::{Finding, Severity};
use flowdoc::timings::Timings;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// What `check` found of the docs folder: where it is, whether it was chosen (on the command
/// line or in the configuration), the folder relative to the root as the docs' links are made,
/// and the stale files as said to people, or why the folder could not be compared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Docs {
    pub(crate) folder: PathBuf,
    pub(crate) chosen: bool,
    pub(crate) out_dir: Option<String>,
    pub(crate) stale: Result<Vec<String>, String>,
}

pub(crate) fn run(
    console: &mut Console<'_>,
    project: &Analysis,
    docs: DocsRun<'_>,
    deny: Option<Deny>,
    format: CheckFormat,
    timings: &mut Timings,
) -> (u8, Docs) {
    let docs = compare(project, docs, timings);
    let unreadable = !project.unreadable_sources().is_empty();
    (show(console, &project.findings, &docs, deny, format, unreadable), docs)
}

/// The docs `generate` would write now, compared with the folder.
fn compare(project: &Analysis, docs: DocsRun<'_>, timings: &mut Timings) -> Docs {
    let DocsRun { root, out, cache } = docs;
    let (folder, chosen) = output_folder(root, out, project);
    let out_dir = relative_output(root, &folder);
    let options = DocsOptions { out_dir: out_dir.clone() };
    let stale: Result<Vec<Stale>, String> = if !chosen && !folder.exists() {
        Ok(Vec::new())
    } else {
        let files = timings
            .time("render", || docs::documents_cached(&project.flow, &project.findings, &options, cache));
        timings.time("compare", || output::stale_files(&folder, &files)).map_err(|error| error.to_string())
    };
    let stale = stale.map(|stale| stale.iter().map(ToString::to_string).collect());
    Docs { folder, chosen, out_dir, stale }
}

/// Says what `check` found — the findings in `format`, the stale docs, the counts — and gives
/// the exit code.
pub(crate) fn show(
    console: &mut Console<'_>,
    findings: &[Finding],
    docs: &Docs,
    deny: Option<Deny>,
    format: CheckFormat,
    unreadable_sources: bool,
) -> u8 {
    let threshold = match deny {
        None => Severity::Error,
        Some(Deny::Warnings) => Severity::Warning,
        Some(Deny::Infos) => Severity::Info,
    };
    let denied = findings.iter().filter(|finding| finding.severity >= threshold).count();
    let Docs { folder, chosen, stale, .. } = docs;

    let printed = match format {
        CheckFormat::Human => {
            report_findings(console, findings);
            true
        }
        CheckFormat::Json => {
            let stale_list: &[String] = stale.as_deref().unwrap_or_default();
            let findings: Vec<serde_json::Value> = findings
                .iter()
                .map(|finding| {
                    serde_json::json!({
                        "rule": finding.rule,
                        "severity": finding.severity.name(),
                        "subject": finding.subject,
                        "message": finding.message,
                        "file": finding.location.as_ref().map(|l| l.file.clone()),
                        "line": finding.location.as_ref().and_then(Location::line),
                        "column": finding.location.as_ref().and_then(Location::column),
                    })
                })
                .collect();
            let report = serde_json::json!({ "version": 1, "findings": findings, "stale": stale_list });
            print(console, &format!("{}\n", serde_json::to_string_pretty(&report).unwrap_or_default()))
        }
        CheckFormat::Sarif => print(console, &sarif::render(findings, env!("CARGO_PKG_VERSION"))),
        CheckFormat::Github => print(console, &github::render(findings)),
    };

    let mut code = FINE;
    match &stale {
        Ok(stale) if stale.is_empty() => {}
        Ok(stale) => {
            let mut text =
                format!("error: the docs in {} are out of date; run `flowdoc generate`\n", folder.display());
            for file in stale {
                text.push_str(&format!("  {file}\n"));
            }
            console.write(&text);
            code = FINDINGS;
        }
        Err(error) => {
            console.error(&format!("cannot compare the docs: {error}"));
            code = INPUT_ERROR;
        }
    }
    if !chosen && !folder.exists() {
        console.write(&format!("note: no docs at {}; only the rules were checked\n", folder.display()));
    }
    let counts = |severity: Severity| findings.iter().filter(|f| f.severity == severity).count();
    console.write(&format!(
        "flowdoc: {} errors, {} warnings, {} infos{}\n",
        counts(Severity::Error),
        counts(Severity::Warning),
        counts(Severity::Info),
        if denied > 0 { format!("; {denied} at or above the deny level") } else { String::new() }
    ));
    if denied > 0 && code == FINE {
        code = FINDINGS;
    }
    if !printed || unreadable_sources {
        code = INPUT_ERROR;
    }
    code
}
