//! The flow model: scan facts and loaded templates joined into one graph of resources and the
//! ways events move between them.
//!
//! 1. `infra`: every template resource becomes a node, every relation an edge (or a grant or
//!    permission in a side table).
//! 2. `bind`: each handler is tied to the functions that run it, its annotations resolved to
//!    resources and events; producer annotations become publish edges.
//! 3. `granted`: a write grant of a function on a resource one of its environment variables
//!    names becomes a publish edge of its own (granted, not declared in code), unless the code
//!    already declares one.
//! 4. `propagate`: each produced event travels along the wiring to the functions that receive
//!    it and the dead-letter queues it can land in.
//!
//! Rules and renderers only read the [`Flow`].

mod bind;
mod builder;
mod granted;
mod graph;
mod infra;
mod propagate;
mod stacks;

pub use graph::*;

use crate::scan::ScanFacts;
use crate::template::Templates;

/// The part of a flow the templates alone make (step 1): built while the crates are still being
/// scanned, then finished by [`build`] with the same templates.
#[derive(Debug)]
pub(crate) struct Infrastructure(builder::FlowBuilder);

/// Step 1 of the flow of `templates`.
pub(crate) fn infrastructure(templates: &Templates) -> Infrastructure {
    let mut flow = builder::FlowBuilder::new(templates);
    infra::add_templates(&mut flow, templates);
    Infrastructure(flow)
}

/// Builds the flow of a project from what the scanner and the template loader found, starting
/// from the [`infrastructure`] of the same `templates` (the library's callers go through
/// [`crate::analyse`]).
pub(crate) fn build(infrastructure: Infrastructure, scan: &ScanFacts, templates: &Templates) -> Flow {
    let Infrastructure(mut flow) = infrastructure;
    bind::bind(&mut flow, scan, templates);
    granted::add_granted_writes(&mut flow, templates);
    propagate::propagate(&mut flow);
    // The files templates name that cannot be read count as sources that cannot be read.
    let mut source_problems = scan.problems.clone();
    source_problems
        .extend(templates.templates().iter().flat_map(|template| template.unreadable.iter().cloned()));
    flow.finish(source_problems)
}

pub(crate) use bind::has_write_grant;
pub(crate) use granted::is_specific_write;
pub(crate) use propagate::is_asynchronous;
