//! `missing-correlation-id`: every event type carries a correlation id.

use super::{Finding, Rule, RuleSettings, Severity, finding};
use crate::model::Flow;
use crate::scan::FieldFacts;

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct MissingCorrelationId;

impl Rule for MissingCorrelationId {
    fn name(&self) -> &'static str {
        "missing-correlation-id"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "an event type carries no correlation id field"
    }

    fn explain(&self) -> &'static str {
        "An event type marked `#[event]` has no field that carries a correlation id (by default \
`correlation_id`, `correlationId` or `trace_id`; configurable in `flowdoc.toml`). For an enum, every \
variant needs one.

Why it matters: a correlation id enters with the request, is stored with the data, travels on every \
event and is written in every log line — it is what lets you follow one order through five \
functions and three queues when something goes wrong. An event without it breaks the chain.

How to fix: add the field and fill it from the event that caused this one.

Example:

    #[event]
    pub struct OrderPlaced {
        /// Joins every log line and event of one order.
        pub correlation_id: String,
        pub order_id: String,
    }

    # flowdoc.toml
    [rules.missing-correlation-id]
    fields = [\"correlation_id\", \"request_id\"]"
    }

    fn check(&self, flow: &Flow, settings: &RuleSettings) -> Vec<Finding> {
        let has_field = |fields: &[FieldFacts]| {
            fields.iter().any(|field| settings.correlation_fields.contains(&field.name))
        };
        let mut findings = Vec::new();
        for event in flow.events().values() {
            if event.rust_name.is_none() {
                continue;
            }
            let carried = if event.variants.is_empty() {
                has_field(&event.fields)
            } else {
                event.variants.iter().all(|variant| has_field(&variant.fields))
            };
            if carried {
                continue;
            }
            findings.push(finding(
                self,
                event.name.clone(),
                format!(
                    "event {} has no correlation id field (one of {})",
                    event.name,
                    settings
                        .correlation_fields
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                event.location.clone(),
            ));
        }
        findings
    }
}
