//! The code side of the flow: handlers tied to the template functions that run them, their
//! annotations resolved to resources (logical IDs, or `env("VAR")` through the function's
//! environment), event names resolved to `#[event]` types, and publish edges added.

use super::graph::{AnnotationTarget, Binding, BoundAnnotation, Edge, EdgeKind, Event, Flow, Handler};
use super::infra::{endpoint_id, external_node};
use crate::scan::{AnnotationFacts, CrateFacts, HandlerFacts, ResourceFacts, Role, ScanFacts, TargetKind};
use crate::template::{Access, Details, Endpoint, FunctionDetails, Templates};
use std::collections::BTreeSet;

/// A template function, as binding needs it.
struct Function<'a> {
    id: String,
    logical_id: String,
    template: usize,
    /// `CodeUri` as a project path.
    code_dir: Option<String>,
    details: &'a FunctionDetails,
}

/// Adds the event catalogue, the bound handlers and their publish edges to `flow`.
pub(crate) fn bind(flow: &mut Flow, scan: &ScanFacts, templates: &Templates) {
    add_event_types(flow, scan);
    let functions = functions(templates);
    for facts in &scan.handlers {
        let (function_ids, binding) = bind_handler(facts, scan, &functions);
        let annotations = facts
            .annotations
            .iter()
            .map(|annotation| {
                let event = event_name(flow, scan, facts, annotation);
                let targets = if function_ids.is_empty() {
                    vec![AnnotationTarget {
                        function: None,
                        resource: resolve(flow, templates, &functions, None, annotation),
                    }]
                } else {
                    function_ids
                        .iter()
                        .map(|function| AnnotationTarget {
                            function: Some(function.clone()),
                            resource: resolve(flow, templates, &functions, Some(function), annotation),
                        })
                        .collect()
                };
                BoundAnnotation { facts: annotation.clone(), event, targets }
            })
            .collect();
        flow.handlers.push(Handler { facts: facts.clone(), functions: function_ids, binding, annotations });
    }
    add_participants_and_publish_edges(flow);
}

fn functions(templates: &Templates) -> Vec<Function<'_>> {
    let mut found = Vec::new();
    for (index, template) in templates.templates.iter().enumerate() {
        let template_dir = parent(&template.path);
        for resource in template.resources.values() {
            if let Details::Function(details) = &resource.details {
                found.push(Function {
                    id: templates.node_id(index, &resource.id),
                    logical_id: resource.id.clone(),
                    template: index,
                    code_dir: details.code_uri.as_deref().and_then(|uri| join(template_dir, uri)),
                    details,
                });
            }
        }
    }
    found
}

/// The functions that run a handler, and how they were found.
fn bind_handler(
    handler: &HandlerFacts,
    scan: &ScanFacts,
    functions: &[Function<'_>],
) -> (Vec<String>, Binding) {
    let explicit: BTreeSet<&str> = handler.annotations.iter().filter_map(|a| a.function.as_deref()).collect();
    if !explicit.is_empty() {
        let mut ids = Vec::new();
        for name in &explicit {
            match find_function(functions, name) {
                Ok(id) => ids.push(id),
                Err(reason) => return (Vec::new(), Binding::Unbound(reason)),
            }
        }
        return (ids, Binding::Explicit);
    }
    let Some(krate) = scan.crates.iter().find(|krate| krate.name == handler.crate_name) else {
        return (Vec::new(), Binding::Unbound(format!("crate `{}` was not found", handler.crate_name)));
    };
    let binaries: BTreeSet<&str> =
        krate.targets.iter().filter(|t| t.kind == TargetKind::Bin).map(|t| t.name.as_str()).collect();
    // Binaries whose module tree holds the handler; a handler in the library serves them all.
    let handler_bins: BTreeSet<&str> =
        handler.targets.iter().filter_map(|t| t.strip_prefix("bin:")).collect();
    let in_library = handler.targets.iter().any(|t| t == "lib") || handler.targets.is_empty();
    let mut by_code = Vec::new();
    let mut by_binary = Vec::new();
    for function in functions {
        let binary = function.details.binary.as_deref();
        let serves = |binary: Option<&str>| match binary {
            Some(binary) => in_library || handler_bins.contains(binary),
            None => true,
        };
        let code_matches =
            function.code_dir.as_deref().and_then(|dir| owning_crate(scan, dir)) == Some(&krate.dir);
        if code_matches
            && serves(binary)
            && binary.is_none_or(|b| binaries.contains(b) || binaries.is_empty())
        {
            by_code.push(function.id.clone());
        } else if let Some(binary) = binary
            && binaries.contains(binary)
            && serves(Some(binary))
            && is_crate_owner(scan, krate, binary)
        {
            by_binary.push(function.id.clone());
        }
    }
    if !by_code.is_empty() {
        return (by_code, Binding::CodeUri);
    }
    if !by_binary.is_empty() {
        return (by_binary, Binding::Binary);
    }
    let reason = format!(
        "no template function has its CodeUri in `{}` or builds one of its binaries; name the function with \
         `function = \"LogicalId\"`",
        if krate.dir.is_empty() { "." } else { krate.dir.as_str() }
    );
    (Vec::new(), Binding::Unbound(reason))
}

/// The folder of the innermost crate that holds `dir`.
fn owning_crate<'s>(scan: &'s ScanFacts, dir: &str) -> Option<&'s String> {
    scan.crates
        .iter()
        .filter(|krate| is_within(dir, &krate.dir))
        .map(|krate| &krate.dir)
        .max_by_key(|d| d.len())
}

/// Whether `krate` is the only crate with a binary of that name (otherwise the binary name alone
/// cannot say which crate a function builds).
fn is_crate_owner(scan: &ScanFacts, krate: &CrateFacts, binary: &str) -> bool {
    scan.crates
        .iter()
        .filter(|other| other.targets.iter().any(|t| t.kind == TargetKind::Bin && t.name == binary))
        .all(|other| other.dir == krate.dir)
}

/// A function by logical ID or qualified id.
fn find_function(functions: &[Function<'_>], name: &str) -> Result<String, String> {
    if let Some(function) = functions.iter().find(|function| function.id == name) {
        return Ok(function.id.clone());
    }
    let matching: Vec<&Function<'_>> =
        functions.iter().filter(|function| function.logical_id == name).collect();
    match matching.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => Err(format!("`function = \"{name}\"` names no function of the templates")),
        several => Err(format!(
            "`function = \"{name}\"` is ambiguous: {}; write `<template path>#{name}`",
            several.iter().map(|f| f.id.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The node id an annotation's resource names, seen from `function`.
fn resolve(
    flow: &mut Flow,
    templates: &Templates,
    functions: &[Function<'_>],
    function: Option<&String>,
    annotation: &AnnotationFacts,
) -> Result<String, String> {
    let function = function.and_then(|id| functions.iter().find(|f| &f.id == id));
    match &annotation.resource {
        ResourceFacts::LogicalId(id) => resolve_logical_id(flow, templates, function, id),
        ResourceFacts::Env(variable) => {
            let Some(function) = function else {
                return Err(format!(
                    "env(\"{variable}\") needs the handler's function, and no function runs it"
                ));
            };
            let Some(var) = function.details.environment.get(variable) else {
                return Err(format!("function `{}` has no environment variable `{variable}`", function.id));
            };
            let reference = var
                .references
                .iter()
                .find(|r| matches!(r.target, Endpoint::Resource(_)))
                .or(var.references.first());
            match reference.map(|r| &r.target) {
                Some(Endpoint::External(external)) => {
                    let node = external_node(external, &var.location);
                    let id = node.id.clone();
                    flow.add_node(node);
                    Ok(id)
                }
                Some(endpoint) => endpoint_id(templates, function.template, endpoint).ok_or_else(|| {
                    format!(
                        "environment variable `{variable}` of `{}` names nothing the template defines",
                        function.id
                    )
                }),
                None => Err(format!(
                    "environment variable `{variable}` of `{}` references no resource{}",
                    function.id,
                    var.text.as_deref().map(|text| format!(" (its value is `{text}`)")).unwrap_or_default()
                )),
            }
        }
    }
}

fn resolve_logical_id(
    flow: &Flow,
    templates: &Templates,
    function: Option<&Function<'_>>,
    id: &str,
) -> Result<String, String> {
    if flow.node(id).is_some() {
        return Ok(id.to_owned());
    }
    // A logical ID several templates define: the function's own template decides.
    if let Some(function) = function
        && templates.templates[function.template].resources.contains_key(id)
    {
        return Ok(templates.node_id(function.template, id));
    }
    let defining: Vec<String> = templates
        .templates
        .iter()
        .enumerate()
        .filter(|(_, template)| template.resources.contains_key(id))
        .map(|(index, _)| templates.node_id(index, id))
        .collect();
    match defining.as_slice() {
        [] => Err(format!("no template defines a resource `{id}`")),
        [one] => Ok(one.clone()),
        several => {
            Err(format!("`{id}` is defined by several templates ({}); qualify it", several.join(", ")))
        }
    }
}

/// Event types from the `#[event]` types the scan found; the first of two with one name wins.
fn add_event_types(flow: &mut Flow, scan: &ScanFacts) {
    for event_type in &scan.event_types {
        flow.events.entry(event_type.name.clone()).or_insert_with(|| Event {
            name: event_type.name.clone(),
            version: event_type.version,
            rust_name: Some(event_type.rust_name.clone()),
            doc: event_type.doc.clone(),
            fields: event_type.fields.clone(),
            variants: event_type.variants.clone(),
            location: Some(event_type.location.clone()),
            ..Event::default()
        });
    }
}

/// The name of the event an annotation names: the `#[event]` type its path ends in (preferring
/// the crate its path or the handler is in), or the string it gives.
fn event_name(
    flow: &mut Flow,
    scan: &ScanFacts,
    handler: &HandlerFacts,
    annotation: &AnnotationFacts,
) -> String {
    let name = if annotation.event_is_type {
        let segments: Vec<&str> = annotation.event.split("::").map(str::trim).collect();
        let ident = segments.last().copied().unwrap_or_default();
        // Generic arguments are not part of the type's name.
        let ident = ident.split('<').next().unwrap_or(ident).trim();
        let candidates: Vec<_> = scan.event_types.iter().filter(|t| t.rust_name == ident).collect();
        let path_crate = segments.first().map(|first| first.replace('-', "_"));
        let preferred = candidates
            .iter()
            .find(|t| path_crate.as_deref() == Some(t.crate_name.replace('-', "_").as_str()))
            .or_else(|| candidates.iter().find(|t| t.crate_name == handler.crate_name))
            .or(candidates.first());
        preferred.map_or_else(|| ident.to_owned(), |t| t.name.clone())
    } else {
        annotation.event.clone()
    };
    flow.events.entry(name.clone()).or_insert_with(|| Event {
        name: name.clone(),
        version: 1,
        ..Event::default()
    });
    name
}

/// Records producers and consumers of each event and adds a publish edge for each resolved
/// producer annotation.
fn add_participants_and_publish_edges(flow: &mut Flow) {
    let mut publishes = Vec::new();
    for handler in &flow.handlers {
        for annotation in &handler.annotations {
            for target in &annotation.targets {
                let Some(function) = &target.function else { continue };
                if let Some(event) = flow.events.get_mut(&annotation.event) {
                    match annotation.facts.role {
                        Role::Producer => event.producers.insert(function.clone()),
                        Role::Consumer => event.consumers.insert(function.clone()),
                    };
                }
                if annotation.facts.role == Role::Producer
                    && let Ok(resource) = &target.resource
                {
                    publishes.push((
                        function.clone(),
                        resource.clone(),
                        annotation.event.clone(),
                        annotation.facts.location.clone(),
                    ));
                }
            }
        }
    }
    for (function, resource, event, location) in publishes {
        let confirmed = has_write_grant(flow, &function, &resource);
        let (Some(from), Some(to)) = (flow.index_of(&function), flow.index_of(&resource)) else { continue };
        flow.add_edge(
            from,
            to,
            Edge {
                kind: EdgeKind::Publish,
                events: BTreeSet::from([event]),
                confirmed,
                conditional: false,
                location,
                labels: Vec::new(),
                relation: None,
            },
        );
    }
}

/// Whether the grants of `function` let it write to `resource`: a grant on the resource itself
/// (or its table stream), or on all of its service.
pub(crate) fn has_write_grant(flow: &Flow, function: &str, resource: &str) -> bool {
    let service = flow.node(resource).map(|node| service_of(&node.type_name)).unwrap_or("");
    flow.grants.get(function).is_some_and(|grants| {
        grants.iter().any(|grant| {
            grant.access == Access::Write
                && (grant.target == resource
                    || grant.target == "*:*"
                    || grant.target == format!("{service}:*"))
        })
    })
}

/// The IAM service prefix of a resource type.
fn service_of(type_name: &str) -> &'static str {
    match type_name {
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" | "AWS::Serverless::SimpleTable" => "dynamodb",
        "AWS::SQS::Queue" => "sqs",
        "AWS::SNS::Topic" => "sns",
        "AWS::Events::EventBus" => "events",
        "AWS::S3::Bucket" => "s3",
        "AWS::Kinesis::Stream" => "kinesis",
        "AWS::KinesisFirehose::DeliveryStream" => "firehose",
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => "lambda",
        "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => "states",
        _ => "",
    }
}

fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |slash| &path[..slash])
}

/// `dir` joined with `relative`, `.` and `..` resolved, trailing `/` dropped.
fn join(dir: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|part| !part.is_empty()).collect();
    for part in relative.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// Whether `path` is `dir` or inside it.
fn is_within(path: &str, dir: &str) -> bool {
    dir.is_empty() || path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_paths_join_like_a_shell() {
        assert_eq!(join("pipeline", "order-api/").as_deref(), Some("pipeline/order-api"));
        assert_eq!(join("infra", "../services/api").as_deref(), Some("services/api"));
        assert_eq!(join("", "./api").as_deref(), Some("api"));
        assert_eq!(join("", "../outside"), None);
        assert!(is_within("pipeline/order-api/src", "pipeline/order-api"));
        assert!(!is_within("pipeline/order-api-v2", "pipeline/order-api"));
    }
}
