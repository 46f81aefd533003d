//! `undocumented-function`: functions with no annotated handler.

use super::{Finding, Rule, RuleSettings, Severity, finding};
use crate::model::Flow;

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct UndocumentedFunction;

impl Rule for UndocumentedFunction {
    fn name(&self) -> &'static str {
        "undocumented-function"
    }

    fn default_severity(&self) -> Severity {
        Severity::Info
    }

    fn summary(&self) -> &'static str {
        "a function has no annotated handler"
    }

    fn explain(&self) -> &'static str {
        "A Lambda function of the template runs no handler with `#[event_producer]` or `#[event_consumer]`: \
flowdoc knows how it is triggered, but not which events it handles or produces.

Why it matters: the flow stops at that function in the documentation; events it emits are missing \
from the picture, and rules cannot check its wiring.

How to fix: annotate its handler, or tie an annotated handler to it with `function = \"LogicalId\"` \
when its crate is not the function's `CodeUri`. For functions in other languages this finding can \
be turned off in `flowdoc.toml`.

Example:

    #[event_consumer(OrderPlaced, from = \"FulfilmentQueue\")]
    async fn fulfil(event: SqsEvent) -> Result<SqsBatchResponse, Error> { /* ... */ }"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        flow.functions()
            .filter(|function| flow.handlers_of(&function.id).next().is_none())
            .map(|function| {
                finding(
                    self,
                    function.id.clone(),
                    format!("`{}` has no annotated handler, so its events are not documented", function.id),
                    function.location.clone(),
                )
            })
            .collect()
    }
}
