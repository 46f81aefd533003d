//! `unreadable-source`: source files that could not be read, and annotations that could not be.

use super::{Finding, Rule, RuleSettings, Severity, finding};
use crate::model::Flow;

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct UnreadableSource;

impl Rule for UnreadableSource {
    fn name(&self) -> &'static str {
        "unreadable-source"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "a source file, or a definition file a template names, could not be read or parsed (it is skipped; the run goes on)"
    }

    fn explain(&self) -> &'static str {
        "A Rust source file, a `Cargo.toml` or an annotation could not be read: the file is not UTF-8, does \
not parse, nests deeper than the nesting limit, is over the size limit, cannot be opened — or an \
annotation in it is malformed or on an item that cannot be a handler. flowdoc skips it and goes on; \
its annotations are missing from the flow.

Why it matters: the documentation silently lacks whatever that file declares, and other rules may \
report missing producers or consumers because of it.

How to fix: fix the file as the message says (flowdoc never compiles code, so a file that does not \
compile but parses is fine). Limits can be raised in `flowdoc.toml`.

Example:

    error[unreadable-source]: cannot parse Rust source: expected `;`
      --> services/api/src/handlers.rs:42:17"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        flow.source_problems()
            .iter()
            .map(|problem| {
                finding(
                    self,
                    problem.location.file.clone(),
                    problem.message.clone(),
                    Some(problem.location.clone()),
                )
            })
            .collect()
    }
}
