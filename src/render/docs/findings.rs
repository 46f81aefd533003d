//! The findings page: every finding by severity, with where it is.

use super::links::place_link;
use super::{DocsOptions, GENERATED};
use crate::render::escape::{code, message};
use crate::rules::{Finding, Severity};
use std::fmt::Write as _;

/// The findings page.
pub(super) fn findings_page(findings: &[Finding], options: &DocsOptions) -> String {
    let mut out = String::from(GENERATED);
    out.push_str("# Findings\n\n[← The whole system](index.md)\n\n");
    if findings.is_empty() {
        out.push_str("No findings: every rule passes.\n");
        return out;
    }
    out.push_str(
        "`flowdoc explain <rule>` says what each rule checks, why it matters and how to fix it.\n\n",
    );
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let of: Vec<&Finding> = findings.iter().filter(|finding| finding.severity == severity).collect();
        if of.is_empty() {
            continue;
        }
        let title = match severity {
            Severity::Error => "Errors",
            Severity::Warning => "Warnings",
            Severity::Info => "Infos",
        };
        let _ = write!(out, "## {title}\n\n| Rule | Finding | Where |\n|---|---|---|\n");
        for finding in of {
            let place = finding
                .location
                .as_ref()
                .map_or_else(|| "—".to_owned(), |location| place_link(location, 0, options));
            let _ = writeln!(out, "| {} | {} | {place} |", code(finding.rule), message(&finding.message));
        }
        out.push('\n');
    }
    out
}
