//! How a relation the templates declare reads on a page: how a trigger calls a function, and
//! how a failure path catches what fails.

use crate::render::escape::{code, markdown};
use crate::template::{FailureVia, RelationKind, TriggerSource};

/// How a failure path catches what fails: a redrive policy, an on-failure destination, ...
fn failure_text(relation: Option<&RelationKind>) -> String {
    match relation {
        Some(RelationKind::Failure(failure)) => match failure.via {
            FailureVia::QueueRedrive => match failure.max_receive_count {
                Some(count) => format!("redrive after {count} receives"),
                None => "redrive policy".to_owned(),
            },
            FailureVia::OnFailureDestination => match &failure.function {
                Some(function) => format!("on-failure destination of the trigger of {}", code(function)),
                None => "on-failure destination".to_owned(),
            },
            FailureVia::DeadLetterQueue => {
                "the function's dead-letter queue (asynchronous invocations)".to_owned()
            }
            FailureVia::InvokeOnFailure => {
                "the function's on-failure destination (asynchronous invocations)".to_owned()
            }
            FailureVia::SubscriptionRedrive => "subscription redrive policy".to_owned(),
            FailureVia::TargetDeadLetter => "rule target's dead-letter queue".to_owned(),
            FailureVia::RuleErrorAction => "IoT rule's error action".to_owned(),
        },
        _ => "failure path".to_owned(),
    }
}

/// A bullet for the failure path from `from` to `to`: `- from → to: how`.
pub(super) fn failure_line(from: &str, to: &str, relation: Option<&RelationKind>) -> String {
    format!("- {} → {}: {}", code(from), code(to), failure_text(relation))
}

/// How a source calls a function: the kind of trigger and its settings.
pub(super) fn trigger_text(relation: Option<&RelationKind>) -> String {
    match relation {
        Some(RelationKind::Trigger(trigger)) => {
            let source = match &trigger.source {
                TriggerSource::Api => "API Gateway",
                TriggerSource::HttpApi => "HTTP API",
                TriggerSource::FunctionUrl => "function URL",
                TriggerSource::DynamoDb => "DynamoDB stream",
                TriggerSource::Kinesis => "Kinesis stream",
                TriggerSource::Sqs => "SQS",
                TriggerSource::EventBridge => "EventBridge rule",
                TriggerSource::Schedule => "schedule",
                TriggerSource::S3 => "S3 notification",
                TriggerSource::Other => "event source",
                TriggerSource::Generic(name) => name.as_str(),
                TriggerSource::IoT => "IoT rule",
                TriggerSource::LoadBalancer => "load balancer",
                TriggerSource::CloudWatchLogs => "CloudWatch Logs subscription",
                TriggerSource::Cognito => "Cognito trigger",
                TriggerSource::Authorizer => "Lambda authorizer",
                TriggerSource::AppSync => "AppSync",
                TriggerSource::Firehose => "Firehose",
            };
            let mut settings = vec![markdown(source)];
            if let Some(batch) = trigger.batch_size {
                settings.push(format!("batch {batch}"));
            }
            if let Some(retries) = trigger.maximum_retry_attempts {
                settings.push(format!("{retries} retries"));
            }
            if trigger.bisect_batch_on_error == Some(true) {
                settings.push("bisects failing batches".to_owned());
            }
            if trigger.function_response_types.iter().any(|t| t == "ReportBatchItemFailures") {
                settings.push("reports batch item failures".to_owned());
            }
            if let Some(route) = &trigger.route {
                settings.push(markdown(route));
            }
            if trigger.asynchronous {
                settings.push("asynchronous".to_owned());
            }
            settings.join(", ")
        }
        Some(RelationKind::Subscription(subscription)) => {
            let mut text = format!("SNS subscription ({})", markdown(&subscription.protocol));
            if subscription.filter_policy.is_some() {
                text.push_str(", filter policy");
            }
            text
        }
        _ => "route".to_owned(),
    }
}
