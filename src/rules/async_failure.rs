//! `async-without-failure-destination`: asynchronously invoked functions must keep what fails.

use super::{Finding, Rule, RuleSettings, Severity, finding};
use crate::model::{Flow, is_asynchronous};
use crate::template::{FailureVia, RelationKind};
use std::collections::BTreeSet;

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct AsyncWithoutFailureDestination;

/// Principals that invoke functions asynchronously.
const ASYNC_PRINCIPALS: &[&str] =
    &["sns.amazonaws.com", "s3.amazonaws.com", "events.amazonaws.com", "scheduler.amazonaws.com"];

impl Rule for AsyncWithoutFailureDestination {
    fn name(&self) -> &'static str {
        "async-without-failure-destination"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "an asynchronously invoked function (SNS, S3, EventBridge, schedules) has no DLQ or on-failure destination"
    }

    fn explain(&self) -> &'static str {
        "A function is invoked asynchronously — by an SNS subscription, an S3 notification, an EventBridge \
rule or schedule, or any source an `AWS::Lambda::Permission` lets such a service be — and it has \
neither a `DeadLetterQueue` nor an `EventInvokeConfig` on-failure destination.

Why it matters: Lambda retries a failing asynchronous invocation twice, then discards the event. \
Nothing keeps it, nothing tells you. (A function's `DeadLetterQueue` covers asynchronous invocations \
only; SQS and stream triggers need their own failure handling.)

How to fix: add an on-failure destination (it receives the event with the error) or a dead-letter \
queue, and alarm on it.

Example:

    NotifyFunction:
      Type: AWS::Serverless::Function
      Properties:
        EventInvokeConfig:
          MaximumRetryAttempts: 2
          DestinationConfig:
            OnFailure:
              Type: SQS
              Destination: !GetAtt NotifyFailures.Arn"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for function in flow.functions() {
            let mut sources: BTreeSet<String> = flow
                .incoming(&function.id)
                .into_iter()
                .filter(|(_, edge)| is_asynchronous(&edge.relation))
                .map(|(source, _)| format!("`{}`", source.id))
                .collect();
            for permission in flow.permissions().get(&function.id).into_iter().flatten() {
                if ASYNC_PRINCIPALS.contains(&permission.principal.as_str()) {
                    sources.insert(format!("`{}` ({})", permission.source, permission.principal));
                }
            }
            if sources.is_empty() {
                continue;
            }
            let keeps_failures = flow.outgoing(&function.id).iter().any(|(_, edge)| {
                matches!(&edge.relation, Some(RelationKind::Failure(failure))
                    if matches!(failure.via, FailureVia::DeadLetterQueue | FailureVia::InvokeOnFailure))
            });
            if keeps_failures {
                continue;
            }
            findings.push(finding(
                self,
                function.id.clone(),
                format!(
                    "`{}` is invoked asynchronously by {} and has no dead-letter queue or on-failure destination: \
                     events that fail after Lambda's retries are discarded",
                    function.id,
                    sources.into_iter().collect::<Vec<_>>().join(", ")
                ),
                function.location.clone(),
            ));
        }
        findings
    }
}
