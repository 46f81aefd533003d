//! Nested stacks joined: `Fn::GetAtt <Stack>.Outputs.<Name>` in a template is what the output
//! of the nested template names, and a parameter of a nested template is what the nesting
//! template passes it (`Parameters` of its stack resource).

use crate::template::{Endpoint, External, Templates};
use std::collections::BTreeMap;

/// How many outputs and parameters one endpoint is followed through, at most: deeper nesting
/// than this (or a loop of templates nesting each other) stops there.
const MAX_HOPS: usize = 16;

/// The nested stacks of all templates, by template number.
#[derive(Debug, Default)]
pub(super) struct NestedStacks {
    /// The template each stack resource loads: (template, stack logical ID) to template.
    stacks: BTreeMap<(usize, String), usize>,
    /// What each output names: (template, output name) to its target in that template.
    outputs: BTreeMap<(usize, String), Endpoint>,
    /// What the nesting templates pass each parameter: (template, parameter) to the
    /// (nesting template, value's target) pairs, one per stack resource that loads it.
    passed: BTreeMap<(usize, String), Vec<(usize, Endpoint)>>,
}

impl NestedStacks {
    /// The nested stacks of `templates`.
    pub(super) fn new(templates: &Templates) -> NestedStacks {
        let all = templates.templates();
        let number: BTreeMap<&str, usize> =
            all.iter().enumerate().map(|(index, template)| (template.path.as_str(), index)).collect();
        let mut stacks = NestedStacks::default();
        for (index, template) in all.iter().enumerate() {
            for output in &template.outputs {
                stacks.outputs.insert((index, output.name.clone()), output.target.clone());
            }
            for nested in &template.nested {
                let Some(&child) = number.get(nested.template.as_str()) else { continue };
                stacks.stacks.insert((index, nested.resource.clone()), child);
                for (name, value) in &nested.parameters {
                    let passed = stacks.passed.entry((child, name.clone())).or_default();
                    if !passed.contains(&(index, value.clone())) {
                        passed.push((index, value.clone()));
                    }
                }
            }
        }
        stacks
    }

    /// What `endpoint` of template number `template` stands for, and in which template: an
    /// output of a nested stack is what the output's value names in the nested template (or
    /// the stack resource itself when its template is not loaded or has no such output); a
    /// parameter is what the one nesting template passes it. Anything else is itself.
    pub(super) fn follow(&self, template: usize, endpoint: &Endpoint) -> (usize, Endpoint) {
        let mut at = (template, endpoint.clone());
        for _ in 0..MAX_HOPS {
            let next = match &at.1 {
                Endpoint::External(External::StackOutput { stack, output }) => {
                    match self.output(at.0, stack, output) {
                        Some(found) => found,
                        None => return (at.0, Endpoint::Resource(stack.clone())),
                    }
                }
                Endpoint::External(External::Parameter(name)) => match self.passed(at.0, name) {
                    Some(found) => found,
                    None => break,
                },
                _ => break,
            };
            at = next;
        }
        at
    }

    /// The target of output `output` of the template the stack `stack` of `template` loads.
    fn output(&self, template: usize, stack: &str, output: &str) -> Option<(usize, Endpoint)> {
        let child = *self.stacks.get(&(template, stack.to_owned()))?;
        let target = self.outputs.get(&(child, output.to_owned()))?;
        Some((child, target.clone()))
    }

    /// What the nesting template passes parameter `name` of `template`, when exactly one value
    /// is passed to it: a template nested twice with different values keeps its parameter.
    fn passed(&self, template: usize, name: &str) -> Option<(usize, Endpoint)> {
        match self.passed.get(&(template, name.to_owned()))?.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        }
    }
}
