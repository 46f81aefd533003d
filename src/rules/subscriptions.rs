//! `subscription-without-dlq`: SNS subscriptions must keep what they cannot deliver.

use super::{Finding, Rule, RuleSettings, Severity, finding, subject};
use crate::model::Flow;
use crate::template::RelationKind;

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct SubscriptionWithoutDlq;

impl Rule for SubscriptionWithoutDlq {
    fn name(&self) -> &'static str {
        "subscription-without-dlq"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "an SNS subscription has no redrive policy"
    }

    fn explain(&self) -> &'static str {
        "An SNS subscription has no `RedrivePolicy` with a dead-letter queue.

Why it matters: when SNS cannot deliver a message to the endpoint — the queue's policy does not \
let the topic write, a KMS key denies it, the function is throttled past SNS's retries — the \
message is discarded after the delivery retries. The consumer never sees it and nothing records it.

How to fix: give the subscription a redrive policy to an SQS dead-letter queue (with a queue policy \
that lets SNS write to it).

Example:

    FulfilmentSubscription:
      Type: AWS::SNS::Subscription
      Properties:
        TopicArn: !Ref OrderEventsTopic
        Protocol: sqs
        Endpoint: !GetAtt FulfilmentQueue.Arn
        RedrivePolicy:
          deadLetterTargetArn: !GetAtt SubscriptionDeadLetterQueue.Arn"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (topic, endpoint, edge) in flow.edges() {
            let Some(RelationKind::Subscription(subscription)) = &edge.relation else { continue };
            if subscription.has_redrive {
                continue;
            }
            findings.push(finding(
                self,
                subject(&[&topic.id, &endpoint.id]),
                format!(
                    "the {} subscription of `{}` to `{}` has no redrive policy: messages it cannot deliver are discarded",
                    subscription.protocol, endpoint.id, topic.id
                ),
                Some(edge.location.clone()),
            ));
        }
        findings
    }
}
