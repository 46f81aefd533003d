//! One template document to a [`Template`]: its sections read, `Globals` merged, implicit SAM
//! resources added, every resource read for its settings and relations, and what names nothing
//! or is not understood collected as warnings.

use super::emit::Emit;
use super::intrinsics::Names;
use super::local_files::LocalFiles;
use super::model::{
    Details, Endpoint, Export, External, Output, Parameter, Reference, Relation, Resource, ResourceKind,
    Severity, Template, TemplateProblem,
};
use super::sam::Implicit;
use super::yaml::{Document, Node, Value};
use super::{grants, resources, sam, types};
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
    /// Its logical ID.
    id: String,
    /// Where the logical ID is written.
    key: &'a Node,
    /// Its whole entry (`Type`, `Properties`, `Connectors`, ...).
    body: &'a Node,
    type_name: String,
    condition: Option<String>,
    /// `Properties`, with the `Globals` that apply merged in.
    properties: Node,
    metadata: Option<&'a Node>,
}

/// A loaded template and the local templates it nests.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Loaded {
    pub(crate) template: Template,
    pub(crate) nested: Vec<Nested>,
}

/// A local template a template nests, as written.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Nested {
    /// The logical ID of the stack resource.
    pub(crate) resource: String,
    /// The template's path as written, relative to the nesting template.
    pub(crate) path: String,
    /// Where the stack resource is.
    pub(crate) at: Location,
    /// What each parameter value it passes names.
    pub(crate) parameters: BTreeMap<String, Endpoint>,
}

/// A problem at `node` of the template at `path`.
fn problem(path: &str, node: &Node, severity: Severity, message: impl Into<String>) -> TemplateProblem {
    TemplateProblem {
        location: Location::new(path, node.line, node.column),
        severity,
        message: message.into(),
        related: None,
    }
}

/// Reads the document of the template at `path`; `files` are the project's files beside it.
pub(crate) fn load(
    path: &str,
    mut document: Document,
    files: &LocalFiles<'_>,
) -> Result<Loaded, TemplateProblem> {
    // The resources' `Properties` move out of the document into the resources they are read for.
    let properties = take_properties(&mut document.root);
    let document = document;
    let doc = &document.root;
    let (resources_key, entries) = resources_section(path, doc)?;
    // What a resource without `Properties` (or an implicit one) has: an empty mapping.
    let empty =
        Node { value: Value::Map(Vec::new()), line: resources_key.line, column: resources_key.column };
    let mut problems = duplicate_keys(path, &document);
    let written = written_resources(path, entries, properties, doc.get("Globals"), &empty, &mut problems);
    let implicit = implicit_resources(&written);
    let names = index_names(path, doc, &written, &implicit);
    let mut emit = Emit::new(&names);
    emit.problems = problems;
    emit.files = Some(files);
    let (mut resources, nested) = read_resources(&mut emit, &written);
    add_implicit_resources(&mut resources, &emit, implicit, &written, &empty);
    let exports = exports(&emit, doc);
    let outputs = outputs(&emit, doc);
    let Emit { relations, problems, mut unreadable, .. } = emit;
    // Read, each resource's properties move to it (read_resources left them empty).
    for resource in written {
        if let Some(read) = resources.get_mut(&resource.id) {
            read.properties = resource.properties;
        }
    }
    let mut template = assemble(path, resources, parameters(path, doc), relations, problems);
    unreadable.sort();
    unreadable.dedup();
    template.unreadable = unreadable;
    template.exports = exports;
    template.outputs = outputs;
    template.stack_name = files.stack_name();
    Ok(Loaded { template, nested })
}

/// The entries of a mapping, keys with their values.
type Entries<'d> = &'d [(Node, Node)];

/// The `Resources` section: its key and its entries. A document that is not a mapping or has no
/// such section is not a template.
fn resources_section<'d>(path: &str, doc: &'d Node) -> Result<(&'d Node, Entries<'d>), TemplateProblem> {
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
    let no_entries: Entries<'_> = &[];
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
    Ok((resources_key, entries))
}

/// One error per key the document repeats.
fn duplicate_keys(path: &str, document: &Document) -> Vec<TemplateProblem> {
    document
        .duplicates
        .iter()
        .map(|duplicate| TemplateProblem {
            location: Location::new(path, duplicate.line, duplicate.column),
            severity: Severity::Error,
            message: duplicate.message.clone(),
            related: duplicate.related.map(|(line, column)| Location::new(path, line, column)),
        })
        .collect()
}

/// Each entry's `Properties` of the document's `Resources` mapping, in entry order, taken out
/// of the document (a null of the same place is left).
fn take_properties(doc: &mut Node) -> Vec<Option<Node>> {
    let Value::Map(sections) = &mut doc.value else { return Vec::new() };
    let Some((_, resources)) = sections.iter_mut().find(|(key, _)| key.as_str() == Some("Resources")) else {
        return Vec::new();
    };
    let Value::Map(resources) = &mut resources.value else { return Vec::new() };
    resources
        .iter_mut()
        .map(|(_, body)| {
            let Value::Map(fields) = &mut body.value else { return None };
            let (_, properties) = fields.iter_mut().find(|(key, _)| key.as_str() == Some("Properties"))?;
            let left = Node::scalar("", properties.line, properties.column);
            Some(std::mem::replace(properties, left))
        })
        .collect()
}

/// The resources as written: each with its type, its `Properties` (`properties`, taken from the
/// entries in order) with the `Globals` that apply merged in, and its `Condition`. A resource
/// without a type is left out, with an error.
fn written_resources<'a>(
    path: &str,
    entries: Entries<'a>,
    properties: Vec<Option<Node>>,
    globals: Option<&Node>,
    empty: &Node,
    problems: &mut Vec<TemplateProblem>,
) -> Vec<Written<'a>> {
    let mut written = Vec::new();
    let mut properties = properties.into_iter();
    for (key, body) in entries {
        let taken = properties.next().flatten();
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
        let own = match taken {
            Some(props) if props.as_map().is_some() => props,
            Some(props) if props.is_null() => empty.clone(),
            Some(props) => {
                problems.push(problem(
                    path,
                    &props,
                    Severity::Error,
                    format!("the Properties of `{id}` are not a mapping; they are ignored"),
                ));
                empty.clone()
            }
            None => empty.clone(),
        };
        let section = types::resource_type(type_name).and_then(|row| row.globals);
        let properties = match section.and_then(|section| globals?.get(section)) {
            Some(global) => sam::merge_globals(global, own),
            None => own,
        };
        written.push(Written {
            id: id.to_owned(),
            key,
            body,
            type_name: type_name.to_owned(),
            condition: body.get("Condition").and_then(Node::as_str).map(str::to_owned),
            properties,
            metadata: body.get("Metadata"),
        });
    }
    written
}

/// The resources the SAM transform creates for the written ones, each with the condition of the
/// resource that creates it; the first of a logical ID wins, and a written one beats them all.
fn implicit_resources(written: &[Written<'_>]) -> Vec<(Implicit, Option<String>)> {
    let mut implicit = Vec::new();
    let explicit: BTreeSet<&str> = written.iter().map(|resource| resource.id.as_str()).collect();
    let mut seen = BTreeSet::new();
    for resource in written {
        for created in sam::implicit_resources(&resource.id, &resource.type_name, &resource.properties) {
            if !explicit.contains(created.id.as_str()) && seen.insert(created.id.clone()) {
                implicit.push((created, resource.condition.clone()));
            }
        }
    }
    implicit
}

/// The names the template defines, for resolving references: resources (implicit ones too),
/// parameters, mappings and physical names.
fn index_names<'a>(
    path: &str,
    doc: &'a Node,
    written: &'a [Written<'_>],
    implicit: &[(Implicit, Option<String>)],
) -> Names<'a> {
    let mut names = Names { path: path.to_owned(), mappings: doc.get("Mappings"), ..Names::default() };
    for resource in written {
        names.resources.insert(resource.id.clone(), resource.type_name.clone());
        names.properties.insert(resource.id.clone(), &resource.properties);
        if resource.condition.is_some() {
            names.conditional.insert(resource.id.clone());
        }
    }
    for (created, _) in implicit {
        names.resources.insert(created.id.clone(), created.type_name.to_owned());
    }
    for (name, parameter) in doc.get("Parameters").and_then(Node::as_map).unwrap_or_default() {
        if let Some(name) = name.as_str() {
            names.parameters.insert(name.to_owned(), parameter.get("Default"));
        }
    }
    let physical: Vec<(&str, &str, Option<&Node>)> = written
        .iter()
        .map(|resource| (resource.id.as_str(), resource.type_name.as_str(), Some(&resource.properties)))
        .collect();
    names.index_physical_names(&physical);
    names
}

/// The template's parameters by name.
fn parameters(path: &str, doc: &Node) -> BTreeMap<String, Parameter> {
    let mut parameters = BTreeMap::new();
    for (name, parameter) in doc.get("Parameters").and_then(Node::as_map).unwrap_or_default() {
        let Some(name_text) = name.as_str() else { continue };
        parameters.insert(
            name_text.to_owned(),
            Parameter {
                default: parameter.get("Default").cloned(),
                location: Location::new(path, name.line, name.column),
            },
        );
    }
    parameters
}

/// Reads each written resource: its settings, its relations and grants into `emit`, and the
/// names it uses checked. Also the local templates it nests, with where.
fn read_resources(
    emit: &mut Emit<'_, '_>,
    written: &[Written<'_>],
) -> (BTreeMap<String, Resource>, Vec<Nested>) {
    // Gathered in document order and made a map at once: inserted one by one, every resource
    // (a large value) would be moved about the map's nodes as it grows.
    let mut resources = Vec::with_capacity(written.len());
    let mut nested = Vec::new();
    for resource in written {
        let first = emit.relations.len();
        let details = resources::read(
            emit,
            &resource.id,
            &resource.type_name,
            resource.key,
            &resource.properties,
            resource.metadata,
        );
        grants::read(emit, &resource.id, &resource.type_name, &resource.properties, resource.body);
        // What a conditional resource declares (a mapping, a subscription, a permission) exists
        // only where the resource does, whatever its two ends.
        if resource.condition.is_some() {
            emit.make_conditional_since(first);
        }
        if let Some(child) = resources::nested_template(emit, &resource.type_name, &resource.properties) {
            nested.push(Nested {
                resource: resource.id.clone(),
                path: child,
                at: emit.at(resource.key),
                parameters: passed_parameters(emit, &resource.properties),
            });
        }
        check_names(emit, &resource.properties);
        resources.push((
            resource.id.clone(),
            Resource {
                id: resource.id.clone(),
                kind: types::kind_of(&resource.type_name, Some(&resource.properties)),
                type_name: resource.type_name.clone(),
                location: emit.at(resource.key),
                condition: resource.condition.clone(),
                implicit: false,
                // Moved in once every resource is read (see `load`).
                properties: Node { value: Value::Map(Vec::new()), ..*resource.key },
                details,
            },
        ));
    }
    // Logical IDs are a mapping's keys, so unique; were one repeated, the last would stand, as
    // it would have inserted.
    (resources.into_iter().collect(), nested)
}

/// Adds the implicit resources, at what creates them, with no properties of their own.
fn add_implicit_resources(
    resources: &mut BTreeMap<String, Resource>,
    emit: &Emit<'_, '_>,
    implicit: Vec<(Implicit, Option<String>)>,
    written: &[Written<'_>],
    empty: &Node,
) {
    for (created, condition) in implicit {
        let kind = match created.type_name {
            // The rule behind a `Schedule` event has no properties to tell it is a schedule.
            "AWS::Events::Rule" if is_schedule_event(written, &created.id) => ResourceKind::Schedule,
            type_name => types::kind_of(type_name, None),
        };
        resources.insert(
            created.id.clone(),
            Resource {
                location: emit.at(&created.cause),
                id: created.id,
                type_name: created.type_name.to_owned(),
                kind,
                condition,
                implicit: true,
                properties: empty.clone(),
                details: Details::None,
            },
        );
    }
}

/// The template, its relations conditional where either end is and sorted, its problems sorted
/// and deduplicated.
fn assemble(
    path: &str,
    resources: BTreeMap<String, Resource>,
    parameters: BTreeMap<String, Parameter>,
    mut relations: Vec<Relation>,
    mut problems: Vec<TemplateProblem>,
) -> Template {
    for relation in &mut relations {
        // A nested stack's output exists only where the stack does.
        let conditional_end = |endpoint: &Endpoint| {
            let id = match endpoint {
                Endpoint::External(External::StackOutput { stack, .. }) => Some(stack.as_str()),
                _ => endpoint.resource(),
            };
            id.and_then(|id| resources.get(id)).is_some_and(|r| r.condition.is_some())
        };
        relation.conditional |= conditional_end(&relation.from) || conditional_end(&relation.to);
    }
    relations.sort_by(|a, b| relation_key(a).cmp(&relation_key(b)));
    problems.sort();
    problems.dedup();
    Template {
        path: path.to_owned(),
        resources,
        parameters,
        relations,
        problems,
        exports: Vec::new(),
        unreadable: Vec::new(),
        outputs: Vec::new(),
        nested: Vec::new(),
        stack_name: None,
    }
}

/// The outputs the template exports that name one of its resources: `Value` a `Ref` or
/// `GetAtt` of it (or text naming it), `Export.Name` as text with placeholders kept.
fn exports(emit: &Emit<'_, '_>, doc: &Node) -> Vec<Export> {
    let mut exports = Vec::new();
    for (_, output) in doc.get("Outputs").and_then(Node::as_map).unwrap_or_default() {
        let (Some(value), Some((key, name))) =
            (output.get("Value"), output.path(&["Export"]).and_then(|export| export.entry("Name")))
        else {
            continue;
        };
        let Some(name) = emit.text(Some(name)) else { continue };
        // An output of a nested stack, exported again, is taken as the stack resource.
        let resource = emit.targets(value).into_iter().find_map(|reference| match reference.target {
            Endpoint::Resource(id) | Endpoint::External(External::StackOutput { stack: id, .. }) => Some(id),
            _ => None,
        });
        if let Some(resource) = resource {
            exports.push(Export { name, resource, location: emit.at(key) });
        }
    }
    exports.sort();
    exports
}

/// The outputs whose value names something: a resource of the template first, else a nested
/// stack's output, a parameter or an outside thing.
fn outputs(emit: &Emit<'_, '_>, doc: &Node) -> Vec<Output> {
    let mut outputs = Vec::new();
    for (key, output) in doc.get("Outputs").and_then(Node::as_map).unwrap_or_default() {
        let (Some(name), Some(value)) = (key.as_str(), output.get("Value")) else { continue };
        if let Some(target) = named(emit.targets(value)) {
            outputs.push(Output { name: name.to_owned(), target, location: emit.at(key) });
        }
    }
    outputs.sort();
    outputs
}

/// What each value of a nested stack's `Parameters` names.
fn passed_parameters(emit: &Emit<'_, '_>, properties: &Node) -> BTreeMap<String, Endpoint> {
    let mut passed = BTreeMap::new();
    for (key, value) in properties.get("Parameters").and_then(Node::as_map).unwrap_or_default() {
        if let (Some(name), Some(target)) = (key.as_str(), named(emit.targets(value))) {
            passed.insert(name.to_owned(), target);
        }
    }
    passed
}

/// The one thing a value names: a resource of the template if any, else the first that is not
/// a name the template lacks.
fn named(references: Vec<Reference>) -> Option<Endpoint> {
    let mut targets: Vec<Endpoint> = references
        .into_iter()
        .map(|reference| reference.target)
        .filter(|target| !matches!(target, Endpoint::Missing(_)))
        .collect();
    let resource = targets.iter().position(|target| target.resource().is_some()).unwrap_or(0);
    (!targets.is_empty()).then(|| targets.swap_remove(resource))
}

fn relation_key(relation: &Relation) -> (&Location, &'static str, &Endpoint, &Endpoint) {
    (&relation.location, relation.kind.name(), &relation.from, &relation.to)
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
