//! `tracing-disabled`: functions without active X-Ray tracing.

use super::{Finding, Rule, RuleSettings, Severity, finding};
use crate::model::Flow;
use crate::template::Details;

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct TracingDisabled;

impl Rule for TracingDisabled {
    fn name(&self) -> &'static str {
        "tracing-disabled"
    }

    fn default_severity(&self) -> Severity {
        Severity::Info
    }

    fn summary(&self) -> &'static str {
        "a function does not have active tracing"
    }

    fn explain(&self) -> &'static str {
        "A Lambda function does not have active X-Ray tracing (`Tracing: Active` in SAM, \
`TracingConfig.Mode: Active` in CloudFormation).

Why it matters: without traces, the path of a request across functions, queues and topics is only \
visible through logs; with them, latency and failures show up per hop.

How to fix: turn tracing on for all functions in `Globals`.

Example:

    Globals:
      Function:
        Tracing: Active"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        flow.functions()
            .filter(
                |function| matches!(&function.details, Details::Function(details) if !details.tracing_active),
            )
            .map(|function| {
                finding(
                    self,
                    function.id.clone(),
                    format!("`{}` does not have active tracing", function.id),
                    function.location.clone(),
                )
            })
            .collect()
    }
}
