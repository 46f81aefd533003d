//! `unwired-consumer` and `unwired-producer`: the code and the template disagree about a
//! handler's wiring.

use super::{Finding, Rule, RuleSettings, Severity, finding, subject};
use crate::model::{Binding, BoundAnnotation, Flow, Handler, has_write_grant};
use crate::scan::Role;
use crate::template::Details;

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct UnwiredConsumer;

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct UnwiredProducer;

/// Each resolved annotation of `role` with its handler, function (if bound) and resource.
fn annotations(flow: &Flow, role: Role) -> Vec<(&Handler, &BoundAnnotation, Option<&str>, &str)> {
    let mut found = Vec::new();
    for handler in flow.handlers() {
        for annotation in handler.annotations.iter().filter(|annotation| annotation.facts.role == role) {
            for target in &annotation.targets {
                if let Ok(resource) = &target.resource {
                    found.push((handler, annotation, target.function.as_deref(), resource.as_str()));
                }
            }
        }
    }
    found
}

fn unbound_reason(handler: &Handler) -> &str {
    match &handler.binding {
        Binding::Unbound(reason) => reason,
        _ => "no function runs it",
    }
}

impl Rule for UnwiredConsumer {
    fn name(&self) -> &'static str {
        "unwired-consumer"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "a handler consumes from a resource that does not trigger its function"
    }

    fn explain(&self) -> &'static str {
        "An `#[event_consumer(Event, from = \"Resource\")]` says the handler is triggered by events from a \
resource, but in the template that resource does not reach the handler's function: no event source \
mapping, subscription, rule or notification leads from it to the function (directly, or through a \
topic's queue or a bus's rule). Or no template function runs the handler at all.

Why it matters: the handler will never see those events. Either the template lost a trigger (a \
deleted `Events` entry, a subscription to the wrong queue) or the annotation is stale — both mean \
the documentation lies about who reacts to the event.

How to fix: add the trigger to the function in the template, or correct `from` to the resource that \
does trigger it. If the handler's crate is not the function's `CodeUri` and no cargo-lambda \
`Binary` names its binary, tie it with `function = \"LogicalId\"`.

Example:

    FulfilmentFunction:
      Type: AWS::Serverless::Function
      Properties:
        Events:
          Orders:
            Type: SQS
            Properties:
              Queue: !GetAtt FulfilmentQueue.Arn   # the resource `from` names"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (handler, annotation, function, resource) in annotations(flow, Role::Consumer) {
            let message = match function {
                Some(function) if flow.feeds(resource, function) => continue,
                Some(function) => format!(
                    "`{}` consumes {} from `{resource}`, but `{resource}` does not trigger `{function}`",
                    handler.facts.name, annotation.event
                ),
                None => format!(
                    "`{}` consumes {} from `{resource}`, but no template function runs it: {}",
                    handler.facts.name,
                    annotation.event,
                    unbound_reason(handler)
                ),
            };
            let who = function.unwrap_or(&handler.facts.name);
            findings.push(finding(
                self,
                subject(&[resource, who, &annotation.event]),
                message,
                Some(annotation.facts.location.clone()),
            ));
        }
        findings
    }
}

impl Rule for UnwiredProducer {
    fn name(&self) -> &'static str {
        "unwired-producer"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "a handler writes to a resource its function has no access grant for"
    }

    fn explain(&self) -> &'static str {
        "An `#[event_producer(Event, to = \"Resource\")]` says the handler writes or publishes to a resource, \
but the function that runs it has no access grant for writing to it: no SAM policy template (such as \
`SQSSendMessagePolicy` or `SNSPublishMessagePolicy`), no IAM statement allowing a write action on it \
(through `Policies` or the function's role), and no connector with `Write` permission. An environment \
variable that references the resource grants nothing.

Why it matters: the call fails at run time with AccessDenied, and the event is lost — often only \
noticed in production, because local tests use in-memory fakes.

How to fix: grant the function write access to that resource, with the narrowest policy template.

Example:

    StreamPublisherFunction:
      Type: AWS::Serverless::Function
      Properties:
        Policies:
          - SNSPublishMessagePolicy:
              TopicName: !GetAtt OrderEventsTopic.TopicName"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (handler, annotation, function, resource) in annotations(flow, Role::Producer) {
            let message = match function {
                Some(function) if has_write_grant(flow, function, resource) => continue,
                Some(function) => {
                    let only_env = flow.node(function).is_some_and(|node| match &node.details {
                        Details::Function(details) => details.environment.values().any(|var| {
                            var.references
                                .iter()
                                .any(|r| r.target.resource() == Some(node_logical(flow, resource)))
                        }),
                        _ => false,
                    });
                    let note = if only_env {
                        " (an environment variable references it, which grants nothing)"
                    } else {
                        ""
                    };
                    format!(
                        "`{}` writes {} to `{resource}`, but `{function}` has no grant to write to it{note}",
                        handler.facts.name, annotation.event
                    )
                }
                None => format!(
                    "`{}` writes {} to `{resource}`, but no template function runs it: {}",
                    handler.facts.name,
                    annotation.event,
                    unbound_reason(handler)
                ),
            };
            let who = function.unwrap_or(&handler.facts.name);
            findings.push(finding(
                self,
                subject(&[who, resource, &annotation.event]),
                message,
                Some(annotation.facts.location.clone()),
            ));
        }
        findings
    }
}

/// The logical ID of a node (the part after `#` of a qualified id).
fn node_logical<'f>(flow: &'f Flow, id: &'f str) -> &'f str {
    flow.node(id).map_or(id, |node| node.logical_id.as_str())
}
