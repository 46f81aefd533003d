//! `unproduced-event`, `unconsumed-event` and `unhandled-event`: what the code says about events
//! against where the wiring takes them.

use super::{Finding, Rule, RuleSettings, Severity, finding, subject};
use crate::model::{EdgeKind, Flow};
use crate::scan::Role;

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct UnproducedEvent;

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct UnconsumedEvent;

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct UnhandledEvent;

impl Rule for UnproducedEvent {
    fn name(&self) -> &'static str {
        "unproduced-event"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "an event is consumed but nothing upstream produces it"
    }

    fn explain(&self) -> &'static str {
        "A handler declares it consumes an event from a resource that does trigger its function, but no \
producer's event reaches it there: nothing writes that event into the resource, or it is written \
somewhere that does not lead here, or a subscription filter policy or rule pattern keeps it out.

Why it matters: the handler is dead code for that event, or a producer is missing its annotation — \
either way the documentation does not show where the event comes from. It is also how a renamed \
event (`OrderCreated` to `OrderPlaced`) shows up on the consuming side.

How to fix: annotate the producer (`#[event_producer(Event, to = ...)]`), check that its target \
leads to this handler's trigger, and that filter policies on `event_type` and rule patterns on \
`detail-type` name the event.

Example:

    #[event_producer(OrderPlaced, to = \"OrdersTopic\")]   // the producer
    #[event_consumer(OrderPlaced, from = \"FulfilmentQueue\")] // the queue subscribed to OrdersTopic"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for handler in flow.handlers() {
            for annotation in handler.annotations.iter().filter(|a| a.facts.role == Role::Consumer) {
                for target in &annotation.targets {
                    let (Some(function), Ok(resource)) = (&target.function, &target.resource) else {
                        continue;
                    };
                    // An unwired consumer is its own finding.
                    if !flow.feeds(resource, function) {
                        continue;
                    }
                    let delivered = flow.deliveries().get(function).is_some_and(|sources| {
                        sources.values().any(|events| events.contains(&annotation.event))
                    });
                    if delivered {
                        continue;
                    }
                    findings.push(finding(
                        self,
                        subject(&[&annotation.event, function]),
                        format!(
                            "`{}` consumes {} from `{resource}`, but no producer's {} reaches `{function}`",
                            handler.facts.name, annotation.event, annotation.event
                        ),
                        Some(annotation.facts.location.clone()),
                    ));
                }
            }
        }
        findings
    }
}

impl Rule for UnconsumedEvent {
    fn name(&self) -> &'static str {
        "unconsumed-event"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "a produced event reaches no consumer"
    }

    fn explain(&self) -> &'static str {
        "A handler produces an event into a resource, and following the template's wiring from there \
(triggers, subscriptions with their filter policies, rules with their patterns, failure paths) the \
event reaches no function that declares it consumes it.

Why it matters: the event is written and paid for but nobody acts on it — a consumer was removed, a \
filter policy leaves the event out, or the consumer's annotation is missing. In event-driven \
systems this is how a feature silently stops working.

How to fix: subscribe the consumer's queue or function to the resource (and let the event through \
its filter policy), annotate the consumer, or stop producing the event.

Example:

    FulfilmentSubscription:
      Type: AWS::SNS::Subscription
      Properties:
        TopicArn: !Ref OrderEventsTopic
        Endpoint: !GetAtt FulfilmentQueue.Arn
        Protocol: sqs
        FilterPolicy:
          event_type: [OrderPlaced, OrderCancelled]   # the event must be listed here"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for handler in flow.handlers() {
            for annotation in handler.annotations.iter().filter(|a| a.facts.role == Role::Producer) {
                for target in &annotation.targets {
                    let (Some(function), Ok(resource)) = (&target.function, &target.resource) else {
                        continue;
                    };
                    let reached = flow.functions_reached(resource, &annotation.event);
                    let consumers: Vec<&String> = reached
                        .iter()
                        .filter(|reached| flow.consumed_by(reached).contains(annotation.event.as_str()))
                        .collect();
                    if !consumers.is_empty() {
                        continue;
                    }
                    let names = reached.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
                    let detail = match reached.len() {
                        0 => String::from("it reaches no function"),
                        1 => format!("it reaches {names}, which does not declare it consumes it"),
                        _ => format!("it reaches {names}, which do not declare they consume it"),
                    };
                    findings.push(finding(
                        self,
                        subject(&[&annotation.event, resource]),
                        format!(
                            "{} written by `{function}` to `{resource}` reaches no consumer: {detail}",
                            annotation.event
                        ),
                        Some(annotation.facts.location.clone()),
                    ));
                }
            }
        }
        findings
    }
}

impl Rule for UnhandledEvent {
    fn name(&self) -> &'static str {
        "unhandled-event"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "an event is delivered to a function that does not declare it consumes it"
    }

    fn explain(&self) -> &'static str {
        "The wiring delivers an event to a function (through its queue, subscription, stream or rule), but \
none of the function's handlers declares `#[event_consumer]` for it.

Why it matters: the function receives messages it does not expect. Depending on the code it fails \
on them (and they pile up in the dead-letter queue), drops them silently, or handles them without \
anyone knowing — the documentation then understates what the function does.

How to fix: declare the event on the handler that processes it, or keep it out with a subscription \
filter policy on `event_type` or a rule pattern on `detail-type`.

Example:

    FulfilmentSubscription:
      Properties:
        FilterPolicy:
          event_type: [OrderPlaced, OrderCancelled]   # OrderUpdated stays out"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (function, sources) in flow.deliveries() {
            let declared = flow.consumed_by(function);
            for (source, events) in sources {
                let location = flow
                    .incoming(function)
                    .into_iter()
                    .find(|(node, edge)| &node.id == source && edge.kind != EdgeKind::Publish)
                    .map(|(_, edge)| edge.location.clone());
                for event in events.iter().filter(|event| !declared.contains(event.as_str())) {
                    findings.push(finding(
                        self,
                        subject(&[event, function]),
                        format!("`{function}` receives {event} from `{source}`, but none of its handlers consumes {event}"),
                        location.clone(),
                    ));
                }
            }
        }
        findings
    }
}
