//! `unknown-resource`: an annotation names a resource no template has.

use super::{Finding, Rule, RuleSettings, Severity, finding, subject};
use crate::model::Flow;
use crate::scan::ResourceFacts;

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct UnknownResource;

impl Rule for UnknownResource {
    fn name(&self) -> &'static str {
        "unknown-resource"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "an annotation names a resource no template has"
    }

    fn explain(&self) -> &'static str {
        "An `#[event_producer]` or `#[event_consumer]` names, with `to`/`from`, a template resource that \
flowdoc cannot find: no template defines that logical ID, or `env(\"VAR\")` names an environment \
variable the function does not have or whose value references no resource.

Why it matters: the annotation is the only place the code says where its events go. If it names \
nothing, the documented flow has a hole and no other rule can check that handler's wiring — usually \
the logical ID was renamed in the template and the code was not updated.

How to fix: use the resource's logical ID exactly as the template spells it, or point `env(...)` at a \
variable of the function's `Environment.Variables` (after `Globals`) whose value is `!Ref`, `!GetAtt` \
or `!Sub` of the resource. Where several templates define the same ID, write `<template path>#<ID>`.

Example:

    # template.yaml
    OrdersTable:
      Type: AWS::DynamoDB::Table

    // handler.rs
    #[event_producer(OrderPlaced, to = \"OrdersTable\")]   // not \"OrderTable\""
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for handler in flow.handlers() {
            for annotation in &handler.annotations {
                for target in &annotation.targets {
                    let Err(reason) = &target.resource else { continue };
                    let written = match &annotation.facts.resource {
                        ResourceFacts::LogicalId(id) => format!("\"{id}\""),
                        ResourceFacts::Env(var) => format!("env(\"{var}\")"),
                    };
                    let key = match &annotation.facts.resource {
                        ResourceFacts::LogicalId(id) | ResourceFacts::Env(id) => id.as_str(),
                    };
                    findings.push(finding(
                        self,
                        subject(&[key, &annotation.event]),
                        format!(
                            "`{}` names {written} for {}: {reason}",
                            handler.facts.name, annotation.event
                        ),
                        Some(annotation.facts.location.clone()),
                    ));
                }
            }
        }
        findings
    }
}
