//! `queue-without-dlq` and `visibility-timeout-too-short`: SQS queues that feed functions.

use super::{Finding, Rule, RuleSettings, Severity, finding, subject};
use crate::model::{EdgeKind, Flow, Node};
use crate::template::{Details, FailureVia, RelationKind, ResourceKind};

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct QueueWithoutDlq;

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct VisibilityTimeoutTooShort;

/// SQS's default visibility timeout, in seconds.
const DEFAULT_VISIBILITY_TIMEOUT: i64 = 30;
/// Lambda's default function timeout, in seconds.
const DEFAULT_FUNCTION_TIMEOUT: i64 = 3;

/// The SQS queues with the functions they trigger.
fn queues_feeding_functions(flow: &Flow) -> Vec<(&Node, Vec<&Node>)> {
    flow.nodes()
        .filter(|node| node.kind == crate::model::NodeKind::Resource(ResourceKind::SqsQueue))
        .map(|queue| {
            let functions = flow
                .outgoing(&queue.id)
                .into_iter()
                .filter(|(target, edge)| edge.kind == EdgeKind::Trigger && target.kind.is_function())
                .map(|(target, _)| target)
                .collect();
            (queue, functions)
        })
        .filter(|(_, functions): &(&Node, Vec<&Node>)| !functions.is_empty())
        .collect()
}

impl Rule for QueueWithoutDlq {
    fn name(&self) -> &'static str {
        "queue-without-dlq"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "an SQS queue feeding a function has no redrive policy (a queue that is itself a DLQ is exempt)"
    }

    fn explain(&self) -> &'static str {
        "An SQS queue triggers a Lambda function but has no `RedrivePolicy` sending messages that keep \
failing to a dead-letter queue. Queues that are themselves a dead-letter or on-failure target (of a \
queue, a subscription, a rule target, an event source mapping or a function) are exempt: a DLQ of a \
DLQ only moves the problem.

Why it matters: a message the function cannot process (a poison message) is received again and \
again until it expires with the queue's retention period (4 days by default) — wasting invocations \
and, on a FIFO queue, blocking every message behind it. Then it is gone without a trace.

How to fix: add a dead-letter queue and a redrive policy with a bounded `maxReceiveCount`, and alarm \
on the DLQ's depth.

Example:

    FulfilmentQueue:
      Type: AWS::SQS::Queue
      Properties:
        RedrivePolicy:
          deadLetterTargetArn: !GetAtt FulfilmentDeadLetterQueue.Arn
          maxReceiveCount: 5"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (queue, functions) in queues_feeding_functions(flow) {
            let redrives = flow.outgoing(&queue.id).iter().any(|(_, edge)| {
                matches!(&edge.relation, Some(RelationKind::Failure(f)) if f.via == FailureVia::QueueRedrive)
            });
            if redrives || queue.dlq {
                continue;
            }
            let names: Vec<String> = functions.iter().map(|f| format!("`{}`", f.id)).collect();
            findings.push(finding(
                self,
                queue.id.clone(),
                format!(
                    "queue `{}` triggers {} but has no redrive policy: a message that keeps failing is retried until it expires",
                    queue.id,
                    names.join(", ")
                ),
                queue.location.clone(),
            ));
        }
        findings
    }
}

impl Rule for VisibilityTimeoutTooShort {
    fn name(&self) -> &'static str {
        "visibility-timeout-too-short"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "a queue's visibility timeout is under six times its consumer's timeout (error under one times)"
    }

    fn explain(&self) -> &'static str {
        "The `VisibilityTimeout` of an SQS queue (30 s by default) is shorter than six times the `Timeout` of \
the function it triggers (3 s by default, after `Globals`). AWS recommends at least six times, to \
leave room for retries and batching windows. Shorter than the function's timeout itself is an error: \
CloudFormation refuses to create the event source mapping.

Why it matters: while the function still works on a message, the message becomes visible again and \
another invocation takes it — it is processed twice, and counts towards `maxReceiveCount` until it \
lands in the dead-letter queue although nothing failed.

How to fix: raise the queue's `VisibilityTimeout` to at least six times the function's `Timeout`, or \
lower the timeout.

Example:

    Globals:
      Function:
        Timeout: 10
    FulfilmentQueue:
      Properties:
        VisibilityTimeout: 60   # 6 × 10 s"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (queue, functions) in queues_feeding_functions(flow) {
            let (visibility, at) = match &queue.details {
                Details::Queue(details) => match &details.visibility_timeout {
                    Some((seconds, at)) => (*seconds, Some(at.clone())),
                    None => (DEFAULT_VISIBILITY_TIMEOUT, None),
                },
                _ => (DEFAULT_VISIBILITY_TIMEOUT, None),
            };
            for function in functions {
                let timeout = match &function.details {
                    Details::Function(details) => {
                        details.timeout.as_ref().map_or(DEFAULT_FUNCTION_TIMEOUT, |(s, _)| *s)
                    }
                    _ => DEFAULT_FUNCTION_TIMEOUT,
                };
                if visibility >= 6 * timeout {
                    continue;
                }
                let mut found = finding(
                    self,
                    subject(&[&queue.id, &function.id]),
                    format!(
                        "queue `{}` has a visibility timeout of {visibility} s, under six times the {timeout} s timeout of `{}` ({} s)",
                        queue.id,
                        function.id,
                        6 * timeout
                    ),
                    at.clone().or_else(|| queue.location.clone()),
                );
                if visibility < timeout {
                    found.severity = Severity::Error;
                    found
                        .message
                        .push_str("; under the timeout itself, the event source mapping cannot be created");
                }
                findings.push(found);
            }
        }
        findings
    }
}
