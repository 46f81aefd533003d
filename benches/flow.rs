//! How long the flow of a larger system takes to build: one domain of the synthetic monorepo of
//! `examples/synth` (101 crates: 100 Lambda functions of five to nine `.rs` files each and the
//! domain's events crate, with a SAM template of about 390 resources wiring APIs, tables,
//! streams, topics, queues, buses and schedules), held in memory so only flowdoc's own work is
//! measured. Prints the median of repeated runs per phase.
//!
//! `cargo bench --bench flow`

#[path = "../examples/synth/generate/mod.rs"]
mod generate;

use flowdoc::Project;
use flowdoc::files::{MemoryFiles, ProjectFiles};
use flowdoc::render::docs::{self, DocsOptions};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The project measured: one domain of a hundred functions and its events crate, with the
/// domain's own template.
const PROJECT: generate::Options = generate::Options { crates: 101, seed: 1, single_template: false };

/// The synthetic project `PROJECT` describes, in memory.
fn project() -> MemoryFiles {
    let mut files = MemoryFiles::new();
    for (path, contents) in generate::generate(&PROJECT) {
        files.insert(path, contents);
    }
    files
}

/// The middle of `samples`.
fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[allow(clippy::print_stdout, reason = "a benchmark prints its figures")]
fn main() {
    let files = project();
    let runs = 15;
    // The phases `analyse` times (templates load alongside the scan), then the whole analysis
    // and the docs rendered from it.
    let mut phases: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    let rust_files = files.list().files.iter().filter(|path| path.ends_with(".rs")).count();
    let (mut functions, mut resources) = (0, 0);
    for _ in 0..runs {
        let start = Instant::now();
        let analysis = flowdoc::analyse(&Project::new(&files)).expect("the synthetic templates load");
        let analysed = start.elapsed();
        let flow = &analysis.flow;
        functions = flow.functions().count();
        assert_eq!(functions, 100, "every crate but the events crate is a function");
        assert!(analysis.findings.is_empty(), "the synthetic project is clean: {:?}", analysis.findings);
        resources = flow.nodes().filter(|node| node.template.is_some()).count();
        let start = Instant::now();
        let documents =
            docs::documents(flow, &analysis.findings, &DocsOptions { out_dir: Some("docs/flow".into()) });
        let rendered = start.elapsed();
        assert!(
            documents.len() > functions + flow.events().len(),
            "a page per function and per event, and the rest"
        );
        for phase in analysis.timings.phases() {
            if !order.contains(&phase.name) {
                order.push(phase.name);
            }
            phases.entry(phase.name).or_default().push(phase.took);
        }
        phases.entry("analyse (all)").or_default().push(analysed);
        phases.entry("render docs").or_default().push(rendered);
    }
    order.extend(["analyse (all)", "render docs"]);
    println!(
        "flow bench: {functions} functions, {resources} template resources, {rust_files} .rs files, median of {runs} runs"
    );
    for phase in order {
        let samples = phases.remove(phase).unwrap_or_default();
        println!("  {phase:<16} {:>9.2} ms", median(samples).as_secs_f64() * 1000.0);
    }
}
