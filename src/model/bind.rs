//! The code side of the flow: handlers tied to the template functions that run them, their
//! annotations resolved to resources (logical IDs, or `env("VAR")` through the function's
//! environment), event names resolved to `#[event]` types, and publish edges added.

use super::builder::FlowBuilder;
use super::graph::{
    AnnotationTarget, Binding, BoundAnnotation, Edge, EdgeKind, EdgeSource, Event, Flow, GrantInfo, Handler,
    Node,
};
use super::infra::{endpoint_id, external_node};
use crate::files::{join, parent};
use crate::scan::{
    AnnotationFacts, CrateFacts, EventTypeFacts, HandlerFacts, ResourceFacts, Role, ScanFacts, TargetKind,
};
use crate::template::types::service_of;
use crate::template::{Access, Details, Endpoint, FunctionDetails, Templates};
use std::collections::{BTreeMap, BTreeSet};

/// A template function, as binding needs it.
struct Function<'a> {
    id: String,
    logical_id: String,
    template: usize,
    /// The folder of the innermost crate its `CodeUri` is in.
    code_crate: Option<String>,
    details: &'a FunctionDetails,
}

/// The template functions, and what binding looks them up by.
struct Functions<'a> {
    all: Vec<Function<'a>>,
    by_id: BTreeMap<String, usize>,
    /// By the crate their code is in, in template order.
    by_crate: BTreeMap<String, Vec<usize>>,
    /// By the binary they build, in template order.
    by_binary: BTreeMap<String, Vec<usize>>,
}

impl<'a> Functions<'a> {
    fn new(flow: &FlowBuilder, templates: &'a Templates, scan: &ScanFacts) -> Functions<'a> {
        let crate_dirs: BTreeSet<&str> = scan.crates.iter().map(|krate| krate.dir.as_str()).collect();
        let mut all = Vec::new();
        for (index, template) in templates.templates().iter().enumerate() {
            let template_dir = parent(&template.path);
            for resource in template.resources.values() {
                if let Details::Function(details) = &resource.details {
                    let code_dir = details.code_uri.as_deref().and_then(|uri| join(template_dir, uri));
                    all.push(Function {
                        id: flow.node_id(index, &resource.id),
                        logical_id: resource.id.clone(),
                        template: index,
                        code_crate: code_dir.as_deref().and_then(|dir| owning_crate(&crate_dirs, dir)),
                        details,
                    });
                }
            }
        }
        let mut by_id = BTreeMap::new();
        let mut by_crate: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut by_binary: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (index, function) in all.iter().enumerate() {
            by_id.entry(function.id.clone()).or_insert(index);
            if let Some(krate) = &function.code_crate {
                by_crate.entry(krate.clone()).or_default().push(index);
            }
            if let Some(binary) = &function.details.binary {
                by_binary.entry(binary.clone()).or_default().push(index);
            }
        }
        Functions { all, by_id, by_crate, by_binary }
    }

    fn get(&self, id: &str) -> Option<&Function<'a>> {
        self.by_id.get(id).map(|index| &self.all[*index])
    }
}

/// What binding looks crates up by.
struct Crates<'s> {
    by_name: BTreeMap<&'s str, &'s CrateFacts>,
    /// The crates that have a binary of each name.
    binary_owners: BTreeMap<&'s str, BTreeSet<&'s str>>,
}

impl<'s> Crates<'s> {
    fn new(scan: &'s ScanFacts) -> Crates<'s> {
        let mut by_name = BTreeMap::new();
        let mut binary_owners: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for krate in &scan.crates {
            by_name.entry(krate.name.as_str()).or_insert(krate);
            for target in krate.targets.iter().filter(|target| target.kind == TargetKind::Bin) {
                binary_owners.entry(target.name.as_str()).or_default().insert(krate.dir.as_str());
            }
        }
        Crates { by_name, binary_owners }
    }
}

/// Adds the event catalogue, the bound handlers and their publish edges to `flow`.
pub(crate) fn bind(flow: &mut FlowBuilder, scan: &ScanFacts, templates: &Templates) {
    add_event_types(flow, scan);
    let functions = Functions::new(flow, templates, scan);
    let crates = Crates::new(scan);
    let event_types = EventTypes::new(scan);
    for facts in &scan.handlers {
        let (function_ids, binding) = bind_handler(facts, &crates, &functions);
        let annotations = facts
            .annotations
            .iter()
            .map(|annotation| {
                let event = event_name(flow, &event_types, facts, annotation);
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

/// The functions that run a handler, and how they were found.
fn bind_handler(
    handler: &HandlerFacts,
    crates: &Crates<'_>,
    functions: &Functions<'_>,
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
    let Some(krate) = crates.by_name.get(handler.crate_name.as_str()) else {
        return (Vec::new(), Binding::Unbound(format!("crate `{}` was not found", handler.crate_name)));
    };
    let binaries: BTreeSet<&str> =
        krate.targets.iter().filter(|t| t.kind == TargetKind::Bin).map(|t| t.name.as_str()).collect();
    // Binaries whose module tree holds the handler; a handler in the library serves them all.
    let handler_bins: BTreeSet<&str> =
        handler.targets.iter().filter_map(|t| t.strip_prefix("bin:")).collect();
    let in_library = handler.targets.iter().any(|t| t == "lib") || handler.targets.is_empty();
    let serves = |binary: Option<&str>| match binary {
        Some(binary) => in_library || handler_bins.contains(binary),
        None => true,
    };
    // Functions whose code is in the crate.
    let by_code: Vec<String> = functions
        .by_crate
        .get(&krate.dir)
        .into_iter()
        .flatten()
        .map(|index| &functions.all[*index])
        .filter(|function| {
            let binary = function.details.binary.as_deref();
            serves(binary) && binary.is_none_or(|b| binaries.contains(b) || binaries.is_empty())
        })
        .map(|function| function.id.clone())
        .collect();
    if !by_code.is_empty() {
        return (by_code, Binding::CodeUri);
    }
    // Functions that build one of its binaries, where no other crate has a binary of that name.
    let mut by_binary: Vec<usize> = binaries
        .iter()
        .filter(|binary| serves(Some(binary)))
        .filter(|binary| crates.binary_owners.get(*binary).is_some_and(|owners| owners.len() == 1))
        .flat_map(|binary| functions.by_binary.get(*binary).into_iter().flatten().copied())
        .filter(|index| functions.all[*index].code_crate.as_deref() != Some(krate.dir.as_str()))
        .collect();
    by_binary.sort_unstable();
    if !by_binary.is_empty() {
        return (
            by_binary.into_iter().map(|index| functions.all[index].id.clone()).collect(),
            Binding::Binary,
        );
    }
    let reason = format!(
        "no template function has its CodeUri in `{}` or builds one of its binaries; name the function with \
         `function = \"LogicalId\"`",
        if krate.dir.is_empty() { "." } else { krate.dir.as_str() }
    );
    (Vec::new(), Binding::Unbound(reason))
}

/// The folder of the innermost crate that holds `dir`: `dir` itself or its nearest ancestor
/// among the crate folders.
fn owning_crate(crate_dirs: &BTreeSet<&str>, dir: &str) -> Option<String> {
    let mut candidate = dir;
    loop {
        if crate_dirs.contains(candidate) {
            return Some(candidate.to_owned());
        }
        if candidate.is_empty() {
            return None;
        }
        candidate = parent(candidate);
    }
}

/// A function by logical ID or qualified id.
fn find_function(functions: &Functions<'_>, name: &str) -> Result<String, String> {
    if let Some(function) = functions.get(name) {
        return Ok(function.id.clone());
    }
    let matching: Vec<&Function<'_>> =
        functions.all.iter().filter(|function| function.logical_id == name).collect();
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
    flow: &mut FlowBuilder,
    templates: &Templates,
    functions: &Functions<'_>,
    function: Option<&String>,
    annotation: &AnnotationFacts,
) -> Result<String, String> {
    let function = function.and_then(|id| functions.get(id));
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
            let followed = reference.map(|r| flow.across_stacks(function.template, &r.target));
            match followed.as_ref().map(|(template, target)| (*template, target)) {
                Some((_, Endpoint::External(external))) => {
                    let node = external_node(external, &var.location);
                    let id = node.id.clone();
                    flow.add_node(node);
                    Ok(id)
                }
                Some((template, endpoint)) => endpoint_id(flow, template, endpoint).ok_or_else(|| {
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
    flow: &FlowBuilder,
    templates: &Templates,
    function: Option<&Function<'_>>,
    id: &str,
) -> Result<String, String> {
    if flow.node(id).is_some() {
        return Ok(id.to_owned());
    }
    // A logical ID several templates define: the function's own template decides.
    if let Some(function) = function
        && templates.templates()[function.template].resources.contains_key(id)
    {
        return Ok(flow.node_id(function.template, id));
    }
    let defining: Vec<String> = templates
        .templates()
        .iter()
        .enumerate()
        .filter(|(_, template)| template.resources.contains_key(id))
        .map(|(index, _)| flow.node_id(index, id))
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
fn add_event_types(flow: &mut FlowBuilder, scan: &ScanFacts) {
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

/// The `#[event]` types by their Rust name, in scan order.
struct EventTypes<'s> {
    by_rust_name: BTreeMap<&'s str, Vec<&'s EventTypeFacts>>,
}

impl<'s> EventTypes<'s> {
    fn new(scan: &'s ScanFacts) -> EventTypes<'s> {
        let mut by_rust_name: BTreeMap<&str, Vec<&EventTypeFacts>> = BTreeMap::new();
        for event_type in &scan.event_types {
            by_rust_name.entry(event_type.rust_name.as_str()).or_default().push(event_type);
        }
        EventTypes { by_rust_name }
    }
}

/// The name of the event an annotation names: the `#[event]` type its path ends in (preferring
/// the crate its path or the handler is in), or the string it gives.
fn event_name(
    flow: &mut FlowBuilder,
    event_types: &EventTypes<'_>,
    handler: &HandlerFacts,
    annotation: &AnnotationFacts,
) -> String {
    let name = if annotation.event_is_type {
        let segments: Vec<&str> = annotation.event.split("::").map(str::trim).collect();
        let ident = segments.last().copied().unwrap_or_default();
        // Generic arguments are not part of the type's name.
        let ident = ident.split('<').next().unwrap_or(ident).trim();
        let candidates: &[&EventTypeFacts] = event_types.by_rust_name.get(ident).map_or(&[], Vec::as_slice);
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
fn add_participants_and_publish_edges(flow: &mut FlowBuilder) {
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
        let confirmed = grants_write(flow.grants.get(&function), flow.node(&resource), &resource);
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
                source: EdgeSource::Code,
            },
        );
    }
}

/// Whether the grants of `function` let it write to `resource`: a grant on the resource itself
/// (or its table stream), or on all of its service.
pub(crate) fn has_write_grant(flow: &Flow, function: &str, resource: &str) -> bool {
    grants_write(flow.grants().get(function), flow.node(resource), resource)
}

/// Whether `grants` let their grantee write to `resource` (the node `node`).
fn grants_write(grants: Option<&Vec<GrantInfo>>, node: Option<&Node>, resource: &str) -> bool {
    let service = node.and_then(|node| service_of(&node.type_name)).unwrap_or("");
    grants.is_some_and(|grants| {
        grants.iter().any(|grant| {
            grant.access == Access::Write
                && (grant.target == resource
                    || grant.target == "*:*"
                    || grant.target == format!("{service}:*"))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_innermost_crate_owns_a_folder() {
        let crates = BTreeSet::from(["", "pipeline/order-api", "pipeline/order-api/nested"]);
        let owner = |dir: &str| owning_crate(&crates, dir);
        assert_eq!(owner("pipeline/order-api/src").as_deref(), Some("pipeline/order-api"));
        assert_eq!(owner("pipeline/order-api/nested").as_deref(), Some("pipeline/order-api/nested"));
        assert_eq!(
            owner("pipeline/order-api-v2").as_deref(),
            Some(""),
            "a sibling with a longer name is not inside"
        );
        let no_root = BTreeSet::from(["pipeline/order-api"]);
        assert_eq!(owning_crate(&no_root, "pipeline/other"), None);
    }
}
