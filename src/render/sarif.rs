//! Findings as SARIF 2.1.0, the format GitHub code scanning accepts: one run, flowdoc's rules
//! with their help texts, one result per finding with its place and a fingerprint from the
//! finding's stable subject (so a finding that only moved lines is the same alert).

use crate::rules::{self, Finding, Severity};
use serde_json::{Value, json};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The findings as a SARIF 2.1.0 log, pretty-printed, ending in a newline. `version` is
/// flowdoc's version.
pub fn render(findings: &[Finding], version: &str) -> String {
    let all = rules::all();
    let descriptors: Vec<Value> = all
        .iter()
        .map(|rule| {
            json!({
                "id": rule.name(),
                "name": rule.name(),
                "shortDescription": { "text": rule.summary() },
                "fullDescription": { "text": rule.summary() },
                "help": { "text": rule.explain() },
                "defaultConfiguration": { "level": level(rule.default_severity()) },
                "properties": { "tags": ["event-flow"] }
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|finding| {
            let mut result = json!({
                "ruleId": finding.rule,
                "ruleIndex": all.iter().position(|rule| rule.name() == finding.rule).unwrap_or(0),
                "level": level(finding.severity),
                "message": { "text": finding.message },
                "partialFingerprints": { "flowdocSubject/v1": format!("{}:{}", finding.rule, finding.subject) }
            });
            if let Some(location) = &finding.location {
                let mut region = json!({ "startLine": location.line().unwrap_or(1) });
                if let Some(column) = location.column() {
                    region["startColumn"] = json!(column);
                }
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": location.file, "uriBaseId": "%SRCROOT%" },
                        "region": region
                    }
                }]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "flowdoc",
                    "version": version,
                    "informationUri": "https://github.com/flowdoc/flowdoc",
                    "rules": descriptors
                }
            },
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The project root." } } },
            "results": results
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}
