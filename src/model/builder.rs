//! The flow under construction. The stages of [`super::build`] add nodes, edges, events and
//! handlers to a [`FlowBuilder`]; [`FlowBuilder::finish`] hands over a [`Flow`] with its indexes
//! computed once, which nothing changes afterwards.

use super::graph::{
    Edge, Event, FailurePath, Flow, FlowGraph, GrantInfo, Handler, Node, NodeIndexById, PermissionInfo,
};
use super::stacks::NestedStacks;
use crate::scan::SourceProblem;
use crate::template::{Endpoint, TemplateProblem, Templates};
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::{BTreeMap, BTreeSet};

/// A flow being built: what the stages have added so far.
#[derive(Debug)]
pub(super) struct FlowBuilder {
    pub(super) graph: FlowGraph,
    index: NodeIndexById,
    /// Event types by name.
    pub(super) events: BTreeMap<String, Event>,
    /// Every annotated handler, in source order.
    pub(super) handlers: Vec<Handler>,
    /// The templates' paths, in load order.
    pub(super) templates: Vec<String>,
    /// Access grants by grantee node id.
    pub(super) grants: BTreeMap<String, Vec<GrantInfo>>,
    /// Invoke permissions by function node id.
    pub(super) permissions: BTreeMap<String, Vec<PermissionInfo>>,
    /// Templates refused, and mistakes in loaded templates.
    pub(super) template_problems: Vec<TemplateProblem>,
    /// Events each function receives, and from which resource.
    pub(super) deliveries: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    /// Every failure path as the templates declare it.
    pub(super) failure_paths: Vec<FailurePath>,
    /// The graph ids of the templates' resources.
    ids: NodeIds,
    /// What the templates export, for `Fn::ImportValue` in the others.
    exports: Vec<Exported>,
    /// The stack name of each template, where its `samconfig.toml` says it.
    stack_names: Vec<Option<String>>,
    /// The nested stacks, for their outputs and the parameters passed to them.
    stacks: NestedStacks,
}

/// An export of one of the templates.
#[derive(Debug)]
struct Exported {
    /// The export's name, placeholders kept.
    name: String,
    /// The name with `${AWS::StackName}` replaced, where the exporting template's stack name is
    /// known.
    full: String,
    /// The graph id of the resource it names.
    node: String,
    /// The template that exports it.
    template: String,
}

/// What an `Fn::ImportValue` stands for, when one of the templates exports it.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Imported {
    /// The graph id of the exported resource.
    pub(super) node: String,
    /// Set when the names are the same only past a placeholder (`${AWS::StackName}-Bus` and
    /// `orders-Bus`): the export's name and its template, for saying so.
    pub(super) by_rest: Option<(String, String)>,
}

impl FlowBuilder {
    /// An empty flow for the resources of `templates`.
    pub(super) fn new(templates: &Templates) -> FlowBuilder {
        FlowBuilder {
            graph: FlowGraph::default(),
            index: NodeIndexById::default(),
            events: BTreeMap::new(),
            handlers: Vec::new(),
            templates: Vec::new(),
            grants: BTreeMap::new(),
            permissions: BTreeMap::new(),
            template_problems: Vec::new(),
            deliveries: BTreeMap::new(),
            failure_paths: Vec::new(),
            ids: NodeIds::new(templates),
            exports: Vec::new(),
            stacks: NestedStacks::new(templates),
            stack_names: templates.templates().iter().map(|template| template.stack_name.clone()).collect(),
        }
        .with_exports(templates)
    }

    fn with_exports(mut self, templates: &Templates) -> FlowBuilder {
        for (index, template) in templates.templates().iter().enumerate() {
            for export in &template.exports {
                self.exports.push(Exported {
                    name: export.name.clone(),
                    full: self.with_stack_name(index, &export.name),
                    node: self.ids.of(index, &export.resource),
                    template: template.path.clone(),
                });
            }
        }
        self
    }

    /// `name` with `${AWS::StackName}` replaced by the stack name of template number
    /// `template`, where it is known.
    fn with_stack_name(&self, template: usize, name: &str) -> String {
        match self.stack_names.get(template) {
            Some(Some(stack)) => name.replace("${AWS::StackName}", stack),
            _ => name.to_owned(),
        }
    }

    /// The resource one of the templates exports as `name`, imported by template number
    /// `template`: by the same name (stack names filled in where `samconfig.toml` says them), or
    /// else by the same text past the export's last placeholder (the stack name is not known
    /// here), when exactly one export has it.
    pub(super) fn import(&self, template: usize, name: &str) -> Option<Imported> {
        let full = self.with_stack_name(template, name);
        if let Some(export) = self.exports.iter().find(|export| export.full == full) {
            return Some(Imported { node: export.node.clone(), by_rest: None });
        }
        let rest = |text: &str| -> Option<String> {
            let (_, after) = text.rsplit_once('}')?;
            (after.len() > 1).then(|| after.to_owned())
        };
        let wanted = rest(name).or_else(|| {
            // A literal import (`orders-Bus`) against exports with a placeholder.
            Some(name.to_owned())
        })?;
        let matching: Vec<&Exported> = self
            .exports
            .iter()
            .filter(|export| rest(&export.name).is_some_and(|tail| wanted.ends_with(&tail) && tail.len() > 1))
            // Two names known in full that differ are two exports, whatever their ends.
            .filter(|export| export.full.contains("${") || full.contains("${"))
            .collect();
        match matching.as_slice() {
            [export] => Some(Imported {
                node: export.node.clone(),
                by_rest: Some((export.name.clone(), export.template.clone())),
            }),
            _ => None,
        }
    }

    /// What `endpoint` of template number `template` stands for across nested stacks, and in
    /// which template (see [`NestedStacks::follow`]).
    pub(super) fn across_stacks(&self, template: usize, endpoint: &Endpoint) -> (usize, Endpoint) {
        self.stacks.follow(template, endpoint)
    }

    /// The graph id of the resource `id` of template number `template`.
    pub(super) fn node_id(&self, template: usize, id: &str) -> String {
        self.ids.of(template, id)
    }

    /// The node with this id.
    pub(super) fn node(&self, id: &str) -> Option<&Node> {
        self.index.get(id).and_then(|index| self.graph.node_weight(index))
    }

    /// The index of the node `id`.
    pub(super) fn index_of(&self, id: &str) -> Option<NodeIndex> {
        self.index.get(id)
    }

    /// Adds a node, or returns the existing one with that id.
    pub(super) fn add_node(&mut self, node: Node) -> NodeIndex {
        if let Some(index) = self.index.get(&node.id) {
            return index;
        }
        let id = node.id.clone();
        let index = self.graph.add_node(node);
        self.index.insert(id, index);
        index
    }

    /// Adds an edge, or merges it into the edge of the same kind between the same nodes.
    pub(super) fn add_edge(&mut self, from: NodeIndex, to: NodeIndex, edge: Edge) -> EdgeIndex {
        let existing =
            self.graph.edges_connecting(from, to).find(|e| e.weight().kind == edge.kind).map(|e| e.id());
        match existing {
            Some(index) => {
                let merged = &mut self.graph[index];
                merged.events.extend(edge.events);
                merged.confirmed |= edge.confirmed;
                merged.source = merged.source.min(edge.source);
                merged.conditional &= edge.conditional;
                for label in edge.labels {
                    if !merged.labels.contains(&label) {
                        merged.labels.push(label);
                    }
                }
                merged.labels.sort();
                if edge.location < merged.location {
                    merged.location = edge.location;
                }
                index
            }
            None => self.graph.add_edge(from, to, edge),
        }
    }

    /// The flow, indexed; `source_problems` are what scanning could not read.
    pub(super) fn finish(self, source_problems: Vec<SourceProblem>) -> Flow {
        let mut handler_index: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (at, handler) in self.handlers.iter().enumerate() {
            for function in &handler.functions {
                let entries = handler_index.entry(function.clone()).or_default();
                if entries.last() != Some(&at) {
                    entries.push(at);
                }
            }
        }
        let sorted = self.index.sorted();
        Flow {
            graph: self.graph,
            index: self.index,
            sorted,
            events: self.events,
            handlers: self.handlers,
            handler_index,
            templates: self.templates,
            grants: self.grants,
            permissions: self.permissions,
            source_problems,
            template_problems: self.template_problems,
            deliveries: self.deliveries,
            failure_paths: self.failure_paths,
        }
    }
}

/// The graph ids of template resources: the logical ID, or `<template path>#<LogicalId>` where
/// more than one template defines that logical ID. Worked out once for all the templates.
#[derive(Debug)]
struct NodeIds {
    /// The templates' paths, by template number.
    paths: Vec<String>,
    /// Every logical ID defined by more than one template.
    clashing: BTreeSet<String>,
}

impl NodeIds {
    fn new(templates: &Templates) -> NodeIds {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for template in templates.templates() {
            for id in template.resources.keys() {
                *counts.entry(id).or_default() += 1;
            }
        }
        let clashing =
            counts.into_iter().filter(|(_, count)| *count > 1).map(|(id, _)| id.to_owned()).collect();
        NodeIds {
            paths: templates.templates().iter().map(|template| template.path.clone()).collect(),
            clashing,
        }
    }

    fn of(&self, template: usize, id: &str) -> String {
        match self.paths.get(template) {
            Some(path) if self.clashing.contains(id) => format!("{path}#{id}"),
            _ => id.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Template;

    fn template(path: &str, ids: &[&str]) -> Template {
        let resources = ids
            .iter()
            .map(|id| {
                let resource = crate::template::Resource {
                    id: (*id).to_owned(),
                    type_name: "AWS::SQS::Queue".to_owned(),
                    kind: crate::template::ResourceKind::SqsQueue,
                    location: crate::location::Location::new(path, 1, 1),
                    condition: None,
                    implicit: false,
                    properties: crate::template::Node {
                        value: crate::template::Value::Map(Vec::new()),
                        line: 1,
                        column: 1,
                    },
                    details: crate::template::Details::None,
                };
                ((*id).to_owned(), resource)
            })
            .collect();
        Template {
            path: path.to_owned(),
            resources,
            parameters: BTreeMap::new(),
            relations: Vec::new(),
            problems: Vec::new(),
            exports: Vec::new(),
            unreadable: Vec::new(),
            outputs: Vec::new(),
            nested: Vec::new(),
            stack_name: None,
        }
    }

    #[test]
    fn ids_several_templates_define_are_qualified_by_template() {
        let templates = Templates::new(
            vec![template("a.yaml", &["Queue", "Only"]), template("b/c.yaml", &["Queue"])],
            Vec::new(),
        );
        let builder = FlowBuilder::new(&templates);
        assert_eq!(builder.node_id(0, "Queue"), "a.yaml#Queue");
        assert_eq!(builder.node_id(1, "Queue"), "b/c.yaml#Queue");
        assert_eq!(builder.node_id(0, "Only"), "Only", "an ID defined once stays as it is");
        assert_eq!(builder.node_id(7, "Queue"), "Queue", "no such template: the ID as it is");
    }
}
