//! One template document to a [`Template`]: its sections read, `Globals` merged, implicit SAM
//! resources added, every resource read for its settings and relations, and what names nothing
//! or is not understood collected as warnings.

use super::emit::Emit;
use super::intrinsics::Names;
use super::model::{Endpoint, Parameter, Relation, Resource, Severity, Template, TemplateProblem};
use super::yaml::{Document, Node, Value};
use super::{grants, resources, sam};
use crate::location::Location;
use std::collections::{BTreeMap, BTreeSet};

/// The intrinsic functions CloudFormation knows (and the `Fn::Transform` macro hook).
const KNOWN_FUNCTIONS: &[&str] = &[
    "Fn::And",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::Equals",
    "Fn::FindInMap",
    "Fn::ForEach",
    "Fn::GetAZs",
    "Fn::GetAtt",
    "Fn::If",
    "Fn::ImportValue",
    "Fn::Join",
    "Fn::Length",
    "Fn::Not",
    "Fn::Or",
    "Fn::Select",
    "Fn::Split",
    "Fn::Sub",
    "Fn::ToJsonString",
    "Fn::Transform",
];

/// A resource as written, before it is read.
struct Written<'a> {
    id: String,
    key: &'a Node,
    body: &'a Node,
    type_name: String,
    condition: Option<String>,
    properties: Node,
    metadata: Option<&'a Node>,
}

/// A loaded template and the local templates it nests (paths as written, relative to it).
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) template: Template,
    pub(crate) nested: Vec<(String, Location)>,
}

fn problem(path: &str, node: &Node, severity: Severity, message: impl Into<String>) -> TemplateProblem {
    TemplateProblem {
        location: Location::new(path, node.line, node.column),
        severity,
        message: message.into(),
        related: None,
    }
}

/// Reads the document of the template at `path`.
pub(crate) fn load(path: &str, document: &Document) -> Result<Loaded, TemplateProblem> {
    let doc = &document.root;
    if doc.as_map().is_none() || doc.intrinsic().is_some() {
        return Err(problem(
            path,
            doc,
            Severity::Error,
            "not a CloudFormation template: the document is not a mapping",
        ));
    }
    let Some((resources_key, resources_node)) = doc.entry("Resources") else {
        return Err(problem(
            path,
            doc,
            Severity::Error,
            "not a CloudFormation template: it has no `Resources` section",
        ));
    };
    let no_entries: &[(Node, Node)] = &[];
    let entries = if resources_node.is_null() { Some(no_entries) } else { resources_node.as_map() };
    let Some(entries) = entries else {
        let what = if resources_node.as_seq().is_some() { "a list" } else { "not a mapping" };
        return Err(problem(
            path,
            resources_key,
            Severity::Error,
            format!("`Resources` is {what}; it must map logical IDs to resources"),
        ));
    };
    let mut problems: Vec<TemplateProblem> = document
        .duplicates
        .iter()
        .map(|duplicate| TemplateProblem {
            location: Location::new(path, duplicate.line, duplicate.column),
            severity: Severity::Error,
            message: duplicate.message.clone(),
            related: duplicate.related.map(|(line, column)| Location::new(path, line, column)),
        })
        .collect();
    let globals = doc.get("Globals");
    let empty =
        Node { value: Value::Map(Vec::new()), line: resources_key.line, column: resources_key.column };

    let mut written = Vec::new();
    for (key, body) in entries {
        let Some(id) = key.as_str() else { continue };
        let Some(type_name) = body.get("Type").and_then(Node::as_str) else {
            problems.push(problem(
                path,
                key,
                Severity::Error,
                format!("resource `{id}` has no Type; it is ignored"),
            ));
            continue;
        };
        let own = match body.get("Properties") {
            Some(props) if props.as_map().is_some() => props.clone(),
            Some(props) if props.is_null() => empty.clone(),
            Some(props) => {
                problems.push(problem(
                    path,
                    props,
                    Severity::Error,
                    format!("the Properties of `{id}` are not a mapping; they are ignored"),
                ));
                empty.clone()
            }
            None => empty.clone(),
        };
        let properties = match sam::globals_section(type_name).and_then(|section| globals?.get(section)) {
            Some(global) => sam::merge_globals(global, &own),
            None => own,
        };
        let condition = body.get("Condition").and_then(Node::as_str).map(str::to_owned);
        written.push(Written {
            id: id.to_owned(),
            key,
            body,
            type_name: type_name.to_owned(),
            condition,
            properties,
            metadata: body.get("Metadata"),
        });
    }

    let mut implicit = Vec::new();
    let explicit: BTreeSet<&str> = written.iter().map(|resource| resource.id.as_str()).collect();
    let mut seen = BTreeSet::new();
    for resource in &written {
        for created in sam::implicit_resources(&resource.id, &resource.type_name, &resource.properties) {
            if !explicit.contains(created.id.as_str()) && seen.insert(created.id.clone()) {
                implicit.push((created, resource.condition.clone()));
            }
        }
    }

    let mut names = Names { path: path.to_owned(), mappings: doc.get("Mappings"), ..Names::default() };
    for resource in &written {
        names.resources.insert(resource.id.clone(), resource.type_name.clone());
        names.properties.insert(resource.id.clone(), &resource.properties);
        if resource.condition.is_some() {
            names.conditional.insert(resource.id.clone());
        }
    }
    for (created, _) in &implicit {
        names.resources.insert(created.id.clone(), created.type_name.to_owned());
    }
    let mut parameters = BTreeMap::new();
    for (name, parameter) in doc.get("Parameters").and_then(Node::as_map).unwrap_or_default() {
        let Some(name_text) = name.as_str() else { continue };
        names.parameters.insert(name_text.to_owned(), parameter.get("Default"));
        parameters.insert(
            name_text.to_owned(),
            Parameter {
                default: parameter.get("Default").cloned(),
                location: Location::new(path, name.line, name.column),
            },
        );
    }
    let physical: Vec<(&str, &str, Option<&Node>)> = written
        .iter()
        .map(|resource| (resource.id.as_str(), resource.type_name.as_str(), Some(&resource.properties)))
        .collect();
    names.index_physical_names(&physical);

    let mut emit = Emit::new(&names);
    emit.problems = problems;
    let mut resources_out = BTreeMap::new();
    let mut nested = Vec::new();
    for resource in &written {
        let first = emit.relations.len();
        let details = resources::read(
            &mut emit,
            &resource.id,
            &resource.type_name,
            resource.key,
            &resource.properties,
            resource.metadata,
        );
        grants::read(&mut emit, &resource.id, &resource.type_name, &resource.properties, resource.body);
        // What a conditional resource declares (a mapping, a subscription, a permission) exists
        // only where the resource does, whatever its two ends.
        if resource.condition.is_some() {
            emit.make_conditional_since(first);
        }
        if let Some(child) = resources::nested_template(&emit, &resource.type_name, &resource.properties) {
            nested.push((child, emit.at(resource.key)));
        }
        check_names(&mut emit, &resource.properties);
        resources_out.insert(
            resource.id.clone(),
            Resource {
                id: resource.id.clone(),
                kind: resources::kind_of(&resource.type_name, Some(&resource.properties)),
                type_name: resource.type_name.clone(),
                location: emit.at(resource.key),
                condition: resource.condition.clone(),
                implicit: false,
                properties: resource.properties.clone(),
                details,
            },
        );
    }
    for (created, condition) in implicit {
        let kind = match created.type_name {
            "AWS::Events::Rule" if is_schedule_event(&written, &created.id) => {
                super::model::ResourceKind::Schedule
            }
            type_name => resources::kind_of(type_name, None),
        };
        resources_out.insert(
            created.id.clone(),
            Resource {
                location: emit.at(&created.cause),
                id: created.id,
                type_name: created.type_name.to_owned(),
                kind,
                condition,
                implicit: true,
                properties: empty.clone(),
                details: super::model::Details::None,
            },
        );
    }

    let Emit { mut relations, problems, .. } = emit;
    for relation in &mut relations {
        let conditional_end = |endpoint: &Endpoint| {
            endpoint
                .resource()
                .and_then(|id| resources_out.get(id))
                .is_some_and(|r: &Resource| r.condition.is_some())
        };
        relation.conditional |= conditional_end(&relation.from) || conditional_end(&relation.to);
    }
    relations.sort_by(|a, b| relation_key(a).cmp(&relation_key(b)));
    let mut problems = problems;
    problems.sort();
    problems.dedup();
    let template =
        Template { path: path.to_owned(), resources: resources_out, parameters, relations, problems };
    Ok(Loaded { template, nested })
}

fn relation_key(relation: &Relation) -> (Location, &'static str, Endpoint, Endpoint) {
    (relation.location.clone(), relation.kind.name(), relation.from.clone(), relation.to.clone())
}

/// Whether the implicit rule `id` comes from a `Schedule` event.
fn is_schedule_event(written: &[Written<'_>], id: &str) -> bool {
    written.iter().any(|resource| {
        resource.properties.get("Events").and_then(Node::as_map).unwrap_or_default().iter().any(
            |(name, event)| {
                name.as_str().is_some_and(|name| format!("{}{name}", resource.id) == id)
                    && event.get("Type").and_then(Node::as_str) == Some("Schedule")
            },
        )
    })
}

/// Warns about intrinsic functions CloudFormation does not have and about references to names
/// the template does not define.
fn check_names(emit: &mut Emit<'_, '_>, properties: &Node) {
    let mut stack = vec![properties];
    while let Some(node) = stack.pop() {
        if let Some((function, args)) = node.intrinsic() {
            if function.starts_with("Fn::") && !KNOWN_FUNCTIONS.contains(&function) {
                emit.warn(
                    node,
                    format!(
                        "unknown intrinsic function `{function}`; its arguments are read as plain values"
                    ),
                );
            }
            if matches!(function, "Ref" | "Fn::GetAtt" | "Fn::Sub") {
                for reference in emit.names.references(node, false) {
                    if let Endpoint::Missing(name) = &reference.target {
                        let message = format!(
                            "`{name}` is not a resource, parameter or pseudo parameter of this template"
                        );
                        emit.error(node, message);
                    }
                }
            }
            stack.push(args);
            continue;
        }
        match &node.value {
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => stack.extend(entries.iter().map(|(_, value)| value)),
            Value::Tagged(_, inner) => stack.push(inner),
            Value::Scalar { .. } => {}
        }
    }
}
