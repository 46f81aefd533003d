//! `stream-without-failure-destination` and `partial-batch-not-reported`: batched triggers.

use super::{Finding, Rule, RuleSettings, Severity, finding, subject};
use crate::model::{EdgeKind, Flow, Node};
use crate::template::{FailureVia, RelationKind, Trigger, TriggerSource};

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct StreamWithoutFailureDestination;

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct PartialBatchNotReported;

/// Trigger edges with their source, target function and settings.
fn triggers(flow: &Flow) -> Vec<(&Node, &Node, &Trigger, &crate::location::Location)> {
    flow.edges()
        .into_iter()
        .filter_map(|(from, to, edge)| match &edge.relation {
            Some(RelationKind::Trigger(trigger))
                if edge.kind == EdgeKind::Trigger && to.kind.is_function() =>
            {
                Some((from, to, trigger, &edge.location))
            }
            _ => None,
        })
        .collect()
}

impl Rule for StreamWithoutFailureDestination {
    fn name(&self) -> &'static str {
        "stream-without-failure-destination"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "a DynamoDB or Kinesis trigger has no on-failure destination, or retries without bound"
    }

    fn explain(&self) -> &'static str {
        "A function is triggered by a DynamoDB stream or a Kinesis stream, and its event source mapping has \
no `DestinationConfig.OnFailure`, or retries without bound (`MaximumRetryAttempts` and \
`MaximumRecordAgeInSeconds` both absent or -1).

Why it matters: stream records are processed in order per shard. A record the function keeps \
failing on is retried until it expires (24 hours for DynamoDB streams, up to a year for Kinesis), \
and the whole shard waits behind it. With a bound but no destination, the record is skipped and \
lost without a trace.

How to fix: bound the retries, split failing batches, report item failures, and send what still \
fails to an SQS queue or SNS topic (it receives the batch's metadata, from which the records can be \
read back while the stream retains them).

Example:

    Events:
      Changes:
        Type: DynamoDB
        Properties:
          Stream: !GetAtt OrdersTable.StreamArn
          StartingPosition: TRIM_HORIZON
          MaximumRetryAttempts: 5
          BisectBatchOnFunctionError: true
          FunctionResponseTypes: [ReportBatchItemFailures]
          DestinationConfig:
            OnFailure:
              Destination: !GetAtt StreamFailureQueue.Arn"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (source, function, trigger, at) in triggers(flow) {
            if !matches!(trigger.source, TriggerSource::DynamoDb | TriggerSource::Kinesis) {
                continue;
            }
            // From the declared paths, not the edges: the mappings of two functions may share a
            // destination, and their merged edge names only one of them.
            let has_destination = flow.failure_paths().iter().any(|path| {
                path.via == FailureVia::OnFailureDestination
                    && path.from == source.id
                    && path.function.as_ref().is_none_or(|f| *f == function.id)
            });
            let unbounded = |value: Option<i64>| value.is_none_or(|v| v < 0);
            let retries_forever =
                unbounded(trigger.maximum_retry_attempts) && unbounded(trigger.maximum_record_age);
            let problem = match (has_destination, retries_forever) {
                (true, false) => continue,
                (false, false) => {
                    "has no on-failure destination: records that keep failing are dropped without a trace"
                }
                (true, true) => "retries without bound: one bad record blocks its shard until it expires",
                (false, true) => {
                    "has no on-failure destination and retries without bound: one bad record blocks its shard until it expires, then is lost"
                }
            };
            findings.push(finding(
                self,
                subject(&[&source.id, &function.id]),
                format!("the stream trigger from `{}` to `{}` {problem}", source.id, function.id),
                Some(at.clone()),
            ));
        }
        findings
    }
}

impl Rule for PartialBatchNotReported {
    fn name(&self) -> &'static str {
        "partial-batch-not-reported"
    }

    fn default_severity(&self) -> Severity {
        Severity::Info
    }

    fn summary(&self) -> &'static str {
        "a batched SQS or stream trigger does not report batch item failures"
    }

    fn explain(&self) -> &'static str {
        "A function receives batches of more than one message or record (SQS defaults to 10, streams to \
100) and its trigger does not list `ReportBatchItemFailures` in `FunctionResponseTypes`.

Why it matters: when one message of a batch fails, the whole batch fails and every message in it \
is processed again — the ones that succeeded too. Side effects happen twice, and a poison message \
drags its neighbours to the dead-letter queue.

How to fix: return the failed items' ids from the handler (`SqsBatchResponse`, \
`batchItemFailures`) and declare it on the trigger.

Example:

    Events:
      Orders:
        Type: SQS
        Properties:
          Queue: !GetAtt FulfilmentQueue.Arn
          FunctionResponseTypes: [ReportBatchItemFailures]"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (source, function, trigger, at) in triggers(flow) {
            let default_batch = match trigger.source {
                TriggerSource::Sqs => 10,
                TriggerSource::DynamoDb | TriggerSource::Kinesis => 100,
                _ => continue,
            };
            let batch = trigger.batch_size.unwrap_or(default_batch);
            if batch <= 1 || trigger.function_response_types.iter().any(|t| t == "ReportBatchItemFailures") {
                continue;
            }
            findings.push(finding(
                self,
                subject(&[&source.id, &function.id]),
                format!(
                    "`{}` receives batches of up to {batch} from `{}` without reporting batch item failures: one failure retries the whole batch",
                    function.id, source.id
                ),
                Some(at.clone()),
            ));
        }
        findings
    }
}
