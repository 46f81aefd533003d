//! The rules: checks over the flow model, one small unit per rule, each with a stable name, a
//! default severity, a message that names what it is about, a place, and an explanation for
//! `flowdoc explain`.

mod async_failure;
mod correlation;
mod event_loop;
mod events;
mod queues;
mod sources;
mod streams;
mod subscriptions;
mod targets;
mod template_problems;
mod tracing;
mod undeclared_write;
mod undocumented;
mod unknown_resource;
mod unwired;

pub use crate::severity::Severity;

use crate::location::Location;
use crate::model::Flow;
use serde::Serialize;

use std::collections::BTreeMap;
pub(crate) use undeclared_write::is_failure_destination;

/// One thing a rule found.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// The rule's name.
    pub rule: &'static str,
    /// Its severity after configuration.
    pub severity: Severity,
    /// What it is about: resource and event ids joined by `/`, stable when lines move.
    pub subject: String,
    /// What is wrong, naming the resources and events involved.
    pub message: String,
    /// Where: the template line for infrastructure, the source line for annotations.
    pub location: Option<Location>,
}

/// A rule.
pub trait Rule: Sync {
    /// The stable kebab-case name.
    fn name(&self) -> &'static str;
    /// The severity unless configuration says otherwise.
    fn default_severity(&self) -> Severity;
    /// One line: what the rule catches.
    fn summary(&self) -> &'static str;
    /// What the rule checks, why it matters, how to fix it, with an example.
    fn explain(&self) -> &'static str;
    /// The findings over `flow`, at the rule's default severity (a rule may raise a finding to
    /// `Error` where it is worse than usual).
    fn check(&self, flow: &Flow, settings: &RuleSettings) -> Vec<Finding>;
}

/// Per-rule configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSettings {
    /// Severity per rule name; `None` turns the rule off.
    pub severities: BTreeMap<String, Option<Severity>>,
    /// Field names that count as a correlation id.
    pub correlation_fields: Vec<String>,
}

impl Default for RuleSettings {
    fn default() -> RuleSettings {
        RuleSettings {
            severities: BTreeMap::new(),
            correlation_fields: ["correlation_id", "correlationId", "trace_id"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        }
    }
}

/// Every rule, in the order of SPEC.md's table.
pub fn all() -> &'static [&'static dyn Rule] {
    &[
        &unknown_resource::UnknownResource,
        &unwired::UnwiredConsumer,
        &unwired::UnwiredProducer,
        &events::UnproducedEvent,
        &events::UnconsumedEvent,
        &events::UnhandledEvent,
        &event_loop::EventLoop,
        &queues::QueueWithoutDlq,
        &streams::StreamWithoutFailureDestination,
        &async_failure::AsyncWithoutFailureDestination,
        &subscriptions::SubscriptionWithoutDlq,
        &targets::RuleTargetWithoutDlq,
        &queues::VisibilityTimeoutTooShort,
        &streams::PartialBatchNotReported,
        &correlation::MissingCorrelationId,
        &tracing::TracingDisabled,
        &undocumented::UndocumentedFunction,
        &sources::UnreadableSource,
        &template_problems::TemplateProblem,
        &undeclared_write::UndeclaredWrite,
    ]
}

/// The rule called `name`.
pub fn find(name: &str) -> Option<&'static dyn Rule> {
    all().iter().copied().find(|rule| rule.name() == name)
}

/// Runs every rule that is on, applies the configured severities, and sorts the findings by
/// place, rule and subject.
pub fn check(flow: &Flow, settings: &RuleSettings) -> Vec<Finding> {
    let rules: Vec<&dyn Rule> = all()
        .iter()
        .copied()
        .filter(|rule| settings.severities.get(rule.name()).copied() != Some(None))
        .collect();
    // The rules are independent: on all cores. A rule that panics is the run's panic, as it
    // would be on one thread.
    let workers = crate::parallel::Workers { threads: 0, stack: 0, name: "flowdoc-rules" };
    let found = crate::parallel::map_all(&rules, workers, |rule| rule.check(flow, settings));
    let mut findings = Vec::new();
    for (rule, found) in rules.iter().zip(found) {
        let configured = settings.severities.get(rule.name()).copied();
        for mut finding in found {
            if let Some(Some(severity)) = configured {
                finding.severity = severity;
            }
            findings.push(finding);
        }
    }
    findings.sort_by(|a, b| {
        (&a.location, a.rule, &a.subject, &a.message).cmp(&(&b.location, b.rule, &b.subject, &b.message))
    });
    findings.dedup();
    findings
}

/// A finding of `rule` at its default severity.
pub(crate) fn finding(
    rule: &dyn Rule,
    subject: impl Into<String>,
    message: impl Into<String>,
    location: Option<Location>,
) -> Finding {
    Finding {
        rule: rule.name(),
        severity: rule.default_severity(),
        subject: subject.into(),
        message: message.into(),
        location,
    }
}

/// `a/b/c` from the parts of a subject.
pub(crate) fn subject(parts: &[&str]) -> String {
    parts.join("/")
}
