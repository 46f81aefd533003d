//! Findings as GitHub Actions workflow commands (`::error file=...,line=...::message`), which
//! show up as annotations on the pull request's changed lines.

use crate::rules::{Finding, Severity};
use std::fmt::Write as _;

/// Escapes a property value of a workflow command.
fn property(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A").replace(':', "%3A").replace(',', "%2C")
}

/// Escapes the message of a workflow command.
fn message(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// One line per finding.
pub fn render(findings: &[Finding]) -> String {
    let mut out = String::new();
    for finding in findings {
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut properties = Vec::new();
        if let Some(location) = &finding.location {
            properties.push(format!("file={}", property(&location.file)));
            if let Some(position) = location.position {
                properties.push(format!("line={}", position.line));
                properties.push(format!("col={}", position.column));
            }
        }
        properties.push(format!("title={}", property(&format!("flowdoc {}", finding.rule))));
        let _ = writeln!(out, "::{command} {}::{}", properties.join(","), message(&finding.message));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::Location;

    #[test]
    fn workflow_commands_are_escaped() {
        let finding = Finding {
            rule: "queue-without-dlq",
            severity: Severity::Warning,
            subject: "Q".into(),
            message: "100% broken\nreally, :: yes".into(),
            location: Some(Location::new("a,b:c.yaml", 3, 5)),
        };
        assert_eq!(
            render(&[finding]),
            "::warning file=a%2Cb%3Ac.yaml,line=3,col=5,title=flowdoc queue-without-dlq::100%25 broken%0Areally, :: yes\n"
        );
    }
}
