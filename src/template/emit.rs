//! The collector the per-resource readers write into: relations and warnings, with the names of
//! the template for resolving references and small helpers for reading property values.

use super::intrinsics::Names;
use super::local_files::LocalFiles;
use super::model::{Endpoint, Reference, Relation, RelationKind, Severity, TemplateProblem};
use super::yaml::Node;
use crate::location::Location;

/// Relations and warnings of one template as they are found.
#[derive(Debug)]
pub(crate) struct Emit<'n, 'a> {
    pub(crate) names: &'n Names<'a>,
    pub(crate) relations: Vec<Relation>,
    pub(crate) problems: Vec<TemplateProblem>,
    /// The project's files beside the template, for the API definitions it includes; `None`
    /// where there are none to read.
    pub(crate) files: Option<&'n LocalFiles<'n>>,
    /// The files it names that are there but cannot be read or parsed.
    pub(crate) unreadable: Vec<crate::scan::SourceProblem>,
}

impl<'n, 'a> Emit<'n, 'a> {
    pub(crate) fn new(names: &'n Names<'a>) -> Emit<'n, 'a> {
        Emit { names, relations: Vec::new(), problems: Vec::new(), files: None, unreadable: Vec::new() }
    }

    /// The location of `node` in this template.
    pub(crate) fn at(&self, node: &Node) -> Location {
        Location::new(self.names.path.clone(), node.line, node.column)
    }

    /// A mistake at `node`: the template is wrong (CloudFormation would refuse it), though
    /// flowdoc can go on.
    pub(crate) fn error(&mut self, node: &Node, message: impl Into<String>) {
        let location = self.at(node);
        self.problems.push(TemplateProblem {
            location,
            severity: Severity::Error,
            message: message.into(),
            related: None,
        });
    }

    /// Something at `node` flowdoc could not follow.
    pub(crate) fn warn(&mut self, node: &Node, message: impl Into<String>) {
        let location = self.at(node);
        self.problems.push(TemplateProblem {
            location,
            severity: Severity::Warning,
            message: message.into(),
            related: None,
        });
    }

    /// What the property value `node` names (a name or ARN is expected there).
    pub(crate) fn targets(&self, node: &Node) -> Vec<Reference> {
        self.names.targets(node)
    }

    /// A relation from `from` to each thing `to` names, written at `at`.
    pub(crate) fn relate_to_targets(
        &mut self,
        from: &Endpoint,
        to: &Node,
        kind: &RelationKind,
        at: &Node,
        conditional: bool,
    ) {
        for reference in self.targets(to) {
            self.relate(
                from.clone(),
                reference.target,
                kind.clone(),
                at,
                conditional || reference.conditional,
            );
        }
    }

    /// A relation from each thing `from` names to `to`, written at `at`.
    pub(crate) fn relate_from_targets(
        &mut self,
        from: &Node,
        to: &Endpoint,
        kind: &RelationKind,
        at: &Node,
        conditional: bool,
    ) {
        for reference in self.targets(from) {
            self.relate(reference.target, to.clone(), kind.clone(), at, conditional || reference.conditional);
        }
    }

    /// One relation.
    pub(crate) fn relate(
        &mut self,
        from: Endpoint,
        to: Endpoint,
        kind: RelationKind,
        at: &Node,
        conditional: bool,
    ) {
        let location = self.at(at);
        self.relations.push(Relation { from, to, kind, location, conditional });
    }

    /// Marks the relations found since there were `first` conditional: what a resource with a
    /// `Condition` declares exists only where the resource does.
    pub(crate) fn make_conditional_since(&mut self, first: usize) {
        for relation in self.relations.iter_mut().skip(first) {
            relation.conditional = true;
        }
    }

    /// A whole number, literal or through a parameter default.
    pub(crate) fn int(&self, node: Option<&Node>) -> Option<i64> {
        self.names.text(node?)?.trim().parse().ok()
    }

    /// A boolean, literal or through a parameter default.
    pub(crate) fn bool(&self, node: Option<&Node>) -> Option<bool> {
        match self.names.text(node?)?.trim() {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        }
    }

    /// Text, literal or through a parameter default.
    pub(crate) fn text(&self, node: Option<&Node>) -> Option<String> {
        self.names.text(node?)
    }

    /// A list of strings (a single string counts as a list of one).
    pub(crate) fn strings(&self, node: Option<&Node>) -> Vec<String> {
        match node {
            Some(node) => match node.as_seq() {
                Some(items) => items.iter().filter_map(|item| self.names.text(item)).collect(),
                None => self.names.text(node).into_iter().collect(),
            },
            None => Vec::new(),
        }
    }

    /// A policy-like value: an object, or a JSON string (also built with `Fn::Sub`) parsed into
    /// one. A string that is not JSON gives a warning and `None`.
    pub(crate) fn json_object(&mut self, node: Option<&Node>) -> Option<Node> {
        let node = node?;
        if node.as_map().is_some() && node.intrinsic().is_none() {
            return Some(node.clone());
        }
        let text = self.names.text(node)?;
        match super::yaml::parse(&text, super::yaml::YamlLimits::default()) {
            Ok(parsed) if parsed.root.as_map().is_some() => {
                // Positions inside the string are meaningless in the file: use the string's.
                let parsed = relocate(parsed.root, node.line, node.column);
                // Built by `Fn::Sub`, the string still holds `${X.Arn}` placeholders where
                // CloudFormation puts values: inside, they are `Fn::Sub` again, so they name `X`.
                Some(if node.intrinsic().is_some() { resubstitute(parsed) } else { parsed })
            }
            _ => {
                self.warn(node, "expected a JSON object in this string; it is ignored");
                None
            }
        }
    }
}

/// `node` with each string that holds a `${...}` placeholder turned back into a `Fn::Sub` of it.
fn resubstitute(mut node: Node) -> Node {
    let mut stack = vec![&mut node];
    while let Some(current) = stack.pop() {
        if current.as_str().is_some_and(|text| text.contains("${")) {
            let (line, column) = (current.line, current.column);
            let template = std::mem::replace(current, Node::scalar("", line, column));
            current.value = super::yaml::Value::Map(vec![(Node::scalar("Fn::Sub", line, column), template)]);
            continue;
        }
        match &mut current.value {
            super::yaml::Value::Seq(items) => stack.extend(items.iter_mut()),
            super::yaml::Value::Map(entries) => stack.extend(entries.iter_mut().map(|(_, value)| value)),
            super::yaml::Value::Tagged(_, inner) => stack.push(inner),
            super::yaml::Value::Scalar { .. } => {}
        }
    }
    node
}

/// `node` with every position set to `line`, `column`.
pub(crate) fn relocate(mut node: Node, line: u32, column: u32) -> Node {
    let mut stack = vec![&mut node];
    while let Some(current) = stack.pop() {
        current.line = line;
        current.column = column;
        match &mut current.value {
            super::yaml::Value::Seq(items) => stack.extend(items.iter_mut()),
            super::yaml::Value::Map(entries) => {
                for (key, value) in entries.iter_mut() {
                    key.line = line;
                    key.column = column;
                    stack.push(value);
                }
            }
            super::yaml::Value::Tagged(_, inner) => stack.push(inner),
            super::yaml::Value::Scalar { .. } => {}
        }
    }
    node
}
