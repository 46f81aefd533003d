//! The synthetic monorepo behind `cargo run --example synth`: a pure function from [`Options`] to
//! files (relative `/`-separated paths and contents, sorted by path). Nothing here touches the
//! file system, the clock or hash-map order, so benchmarks and tests can build the same project
//! in memory (`#[path = "../examples/synth/generate/mod.rs"] mod generate;`) and the same options
//! always give byte-identical files.
//!
//! The project: `crates` crates in domains of about a hundred (`services/<domain>/`), each domain
//! with one `events` crate of `#[event]` types and Lambda crates of five to nine `.rs` files, one
//! of which carries the handler annotations. The SAM template of a domain (or one template for
//! everything) wires them: APIs writing to DynamoDB tables whose streams are published to SNS
//! topics that fan out to queues, queue chains, EventBridge buses and rules, Kinesis streams and
//! schedules, every trigger with its dead-letter queue or failure destination. Domains hand
//! events to later domains over the account's default event bus, so the flow is one connected,
//! loop-free graph.
//!
//! How it is put together: `plan::plan` decides every domain, function and event first, growing
//! domains from the shapes in `motifs` with the template pieces of `resources` and the words of
//! `vocabulary` (`rng` makes the choices, `text` the names). Then the files are written from the
//! plan: `templates` (templates and manifests), `events_crate`, and `service_crate` with its
//! `handler` file (`handler_item`, `handler_snippets`); all Rust files are put together by
//! `rust_file` and padded to a realistic length with the items of `fillers_data` and
//! `fillers_code`.
//!
//! `benches/scale.rs` names its cached trees by a hash of these files and lists them all: a new
//! file here goes in its `GENERATOR` too (the bench checks).

mod events_crate;
mod fillers_code;
mod fillers_data;
mod handler;
mod handler_item;
mod handler_snippets;
mod motifs;
mod plan;
mod resources;
mod rng;
mod rust_file;
mod service_crate;
mod templates;
mod text;
mod vocabulary;

use events_crate::write_events_crate;
use plan::plan;
use service_crate::write_service_crate;
use std::collections::BTreeMap;
use templates::{write_templates, write_workspace};

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Options {
    /// How many crates, the domains' events crates included; fewer than 3 count as 3.
    pub(crate) crates: usize,
    /// Seeds every choice; the same seed gives the same files.
    pub(crate) seed: u64,
    /// One `template.yaml` at the root instead of one per domain.
    pub(crate) single_template: bool,
}

/// The files of the project `options` describe: relative paths and contents, sorted by path.
pub(crate) fn generate(options: &Options) -> Vec<(String, Vec<u8>)> {
    let plan = plan(options);
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    write_workspace(&plan, options, &mut files);
    write_templates(&plan, options, &mut files);
    for domain in &plan.domains {
        write_events_crate(&plan, domain, options.seed, &mut files);
        for function in &domain.functions {
            write_service_crate(&plan, domain, function, options.seed, &mut files);
        }
    }
    files.into_iter().map(|(path, text)| (path, text.into_bytes())).collect()
}
