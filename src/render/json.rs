//! The JSON graph (`flowdoc graph --format json`, and `flow.json` in the generated docs): stable,
//! sorted and versioned, as SPEC.md's "JSON" section fixes it. `docs/flow.schema.json` describes
//! it; a test checks the output against that schema.

use crate::location::Location;
use crate::model::{Flow, Handler};
use crate::rules::Finding;
use crate::scan::{FieldFacts, ResourceFacts, Role, VariantFacts};
use serde::Serialize;

/// The version of the JSON format. It changes only when a field is removed or changes meaning.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Graph<'a> {
    version: u32,
    templates: &'a [String],
    nodes: Vec<JsonNode<'a>>,
    edges: Vec<JsonEdge<'a>>,
    events: Vec<JsonEvent<'a>>,
    handlers: Vec<JsonHandler<'a>>,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonNode<'a> {
    id: &'a str,
    kind: &'static str,
    #[serde(rename = "type")]
    type_name: Option<&'a str>,
    template: Option<&'a str>,
    logical_id: &'a str,
    dlq: bool,
    implicit: bool,
    conditional: bool,
    #[serde(flatten)]
    at: Place<'a>,
}

#[derive(Serialize)]
struct JsonEdge<'a> {
    from: &'a str,
    to: &'a str,
    kind: &'static str,
    events: Vec<&'a str>,
    confirmed: bool,
    conditional: bool,
    labels: &'a [String],
    #[serde(flatten)]
    at: Place<'a>,
}

#[derive(Serialize)]
struct JsonEvent<'a> {
    name: &'a str,
    version: u32,
    rust_type: Option<&'a str>,
    doc: &'a str,
    producers: Vec<&'a str>,
    consumers: Vec<&'a str>,
    fields: &'a [FieldFacts],
    variants: &'a [VariantFacts],
    #[serde(flatten)]
    at: Place<'a>,
}

#[derive(Serialize)]
struct JsonHandler<'a> {
    name: &'a str,
    #[serde(rename = "crate")]
    crate_name: &'a str,
    module: &'a str,
    doc: &'a str,
    functions: &'a [String],
    annotations: Vec<JsonAnnotation<'a>>,
    #[serde(flatten)]
    at: Place<'a>,
}

#[derive(Serialize)]
struct JsonAnnotation<'a> {
    role: Role,
    event: &'a str,
    resource: String,
    targets: Vec<&'a str>,
    #[serde(flatten)]
    at: Place<'a>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'static str,
    subject: &'a str,
    message: &'a str,
    #[serde(flatten)]
    at: Place<'a>,
}

/// `file`, `line`, `column`; null where there is no place, line and column null where unknown.
#[derive(Serialize)]
struct Place<'a> {
    file: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
}

impl<'a> Place<'a> {
    fn of(location: Option<&'a Location>) -> Place<'a> {
        match location {
            Some(location) => {
                Place { file: Some(&location.file), line: location.line(), column: location.column() }
            }
            None => Place { file: None, line: None, column: None },
        }
    }
}

fn handler(handler: &Handler) -> JsonHandler<'_> {
    JsonHandler {
        name: &handler.facts.name,
        crate_name: &handler.facts.crate_name,
        module: &handler.facts.module,
        doc: &handler.facts.doc,
        functions: &handler.functions,
        annotations: handler
            .annotations
            .iter()
            .map(|annotation| JsonAnnotation {
                role: annotation.facts.role,
                event: &annotation.event,
                resource: match &annotation.facts.resource {
                    ResourceFacts::LogicalId(id) => id.clone(),
                    ResourceFacts::Env(var) => format!("env({var})"),
                },
                targets: annotation
                    .targets
                    .iter()
                    .filter_map(|target| target.resource.as_deref().ok())
                    .collect(),
                at: Place::of(Some(&annotation.facts.location)),
            })
            .collect(),
        at: Place::of(Some(&handler.facts.location)),
    }
}

/// The flow and its findings as pretty-printed JSON, ending in a newline.
pub fn render(flow: &Flow, findings: &[Finding]) -> String {
    let graph = Graph {
        version: FORMAT_VERSION,
        templates: flow.templates(),
        nodes: flow
            .nodes()
            .map(|node| JsonNode {
                id: &node.id,
                kind: node.kind.name(),
                type_name: (!node.type_name.is_empty()).then_some(node.type_name.as_str()),
                template: node.template.as_deref(),
                logical_id: &node.logical_id,
                dlq: node.dlq,
                implicit: node.implicit,
                conditional: node.conditional,
                at: Place::of(node.location.as_ref()),
            })
            .collect(),
        edges: flow
            .edges()
            .into_iter()
            .map(|(from, to, edge)| JsonEdge {
                from: &from.id,
                to: &to.id,
                kind: edge.kind.name(),
                events: edge.events.iter().map(String::as_str).collect(),
                confirmed: edge.confirmed,
                conditional: edge.conditional,
                labels: &edge.labels,
                at: Place::of(Some(&edge.location)),
            })
            .collect(),
        events: flow
            .events()
            .values()
            .map(|event| JsonEvent {
                name: &event.name,
                version: event.version,
                rust_type: event.rust_name.as_deref(),
                doc: &event.doc,
                producers: event.producers.iter().map(String::as_str).collect(),
                consumers: event.consumers.iter().map(String::as_str).collect(),
                fields: &event.fields,
                variants: &event.variants,
                at: Place::of(event.location.as_ref()),
            })
            .collect(),
        handlers: {
            let mut handlers: Vec<&Handler> = flow.handlers().iter().collect();
            handlers.sort_by(|a, b| a.facts.location.cmp(&b.facts.location));
            handlers.into_iter().map(handler).collect()
        },
        findings: findings
            .iter()
            .map(|finding| JsonFinding {
                rule: finding.rule,
                severity: finding.severity.name(),
                subject: &finding.subject,
                message: &finding.message,
                at: Place::of(finding.location.as_ref()),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&graph).unwrap_or_else(|error| {
        // Serializing plain structs of strings and numbers cannot fail; say so if it ever does.
        format!("{{\"error\": \"cannot serialize the graph: {error}\"}}")
    });
    text.push('\n');
    text
}
