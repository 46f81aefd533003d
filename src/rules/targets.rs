//! `rule-target-without-dlq`: EventBridge rule and schedule targets must keep what they cannot
//! deliver.

use super::{Finding, Rule, RuleSettings, Severity, finding, subject};
use crate::model::{EdgeKind, Flow, NodeKind};
use crate::template::{FailureVia, RelationKind, ResourceKind, RouteVia};

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct RuleTargetWithoutDlq;

impl Rule for RuleTargetWithoutDlq {
    fn name(&self) -> &'static str {
        "rule-target-without-dlq"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "an EventBridge rule target has no dead-letter config"
    }

    fn explain(&self) -> &'static str {
        "A target of an EventBridge rule (or a scheduler schedule) has no `DeadLetterConfig`.

Why it matters: when EventBridge cannot deliver an event to the target — missing permission, the \
target was deleted, throttling past the retry policy (24 hours by default) — the event is dropped. \
With a dead-letter queue it is kept, with the reason.

How to fix: give each target a dead-letter queue (SAM: `DeadLetterConfig` on the `EventBridgeRule` or \
`Schedule` event, with `Type: SQS` to let SAM create it).

Example:

    Events:
      OrderPlaced:
        Type: EventBridgeRule
        Properties:
          Pattern: {detail-type: [OrderPlaced]}
          DeadLetterConfig:
            Type: SQS"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for rule in flow.nodes() {
            if !matches!(rule.kind, NodeKind::Resource(ResourceKind::EventRule | ResourceKind::Schedule)) {
                continue;
            }
            for (target, edge) in &flow.outgoing(&rule.id) {
                let covered = match &edge.relation {
                    Some(RelationKind::Route(route)) if route.via == RouteVia::RuleTarget => {
                        route.has_dead_letter
                    }
                    // A function target's dead-letter config is declared on the target itself,
                    // where its trigger is: another target's does not cover it.
                    Some(RelationKind::Trigger(_)) if edge.kind == EdgeKind::Trigger => {
                        flow.failure_paths().iter().any(|path| {
                            path.via == FailureVia::TargetDeadLetter
                                && path.from == rule.id
                                && path.location == edge.location
                        })
                    }
                    _ => continue,
                };
                if covered {
                    continue;
                }
                findings.push(finding(
                    self,
                    subject(&[&rule.id, &target.id]),
                    format!(
                        "target `{}` of `{}` has no dead-letter config: events EventBridge cannot deliver are dropped",
                        target.id, rule.id
                    ),
                    Some(edge.location.clone()),
                ));
            }
        }
        findings
    }
}
