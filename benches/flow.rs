//! How long the flow of a larger system takes to build: one domain of the synthetic monorepo of
//! `examples/synth` (101 crates: 100 Lambda functions of five to nine `.rs` files each and the
//! domain's events crate, with a SAM template of about 390 resources wiring APIs, tables,
//! streams, topics, queues, buses and schedules), held in memory so only flowdoc's own work is
//! measured. Prints the median of repeated runs per phase.
//!
//! `cargo bench --bench flow`

#[path = "../examples/synth/generate/mod.rs"]
mod generate;

use flowdoc::files::{MemoryFiles, ProjectFiles};
use flowdoc::model;
use flowdoc::render::docs::{self, DocsOptions};
use flowdoc::rules::{self, RuleSettings};
use flowdoc::scan::{self, ScanOptions};
use flowdoc::template::{self, LoadOptions};
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
    let listing = files.list();
    let template_paths = template::discover(&files, &listing, &LoadOptions::default());
    let rust_files = listing.files.iter().filter(|path| path.ends_with(".rs")).count();
    let runs = 15;
    let (mut scan_t, mut load_t, mut build_t, mut rules_t, mut docs_t) =
        (vec![], vec![], vec![], vec![], vec![]);
    let (mut functions, mut resources) = (0, 0);
    for _ in 0..runs {
        let start = Instant::now();
        let facts = scan::scan(&files, &listing, &ScanOptions::default());
        scan_t.push(start.elapsed());
        let start = Instant::now();
        let templates = template::load(&files, &template_paths, &LoadOptions::default());
        load_t.push(start.elapsed());
        assert!(templates.errors.is_empty(), "the synthetic templates load: {:?}", templates.errors);
        resources = templates.templates.iter().map(|template| template.resources.len()).sum();
        let start = Instant::now();
        let flow = model::build(&facts, &templates);
        build_t.push(start.elapsed());
        functions = flow.functions().count();
        assert_eq!(functions, 100, "every crate but the events crate is a function");
        let start = Instant::now();
        let findings = rules::check(&flow, &RuleSettings::default());
        rules_t.push(start.elapsed());
        assert!(findings.is_empty(), "the synthetic project is clean: {findings:?}");
        let start = Instant::now();
        let documents = docs::documents(&flow, &findings, &DocsOptions { out_dir: Some("docs/flow".into()) });
        docs_t.push(start.elapsed());
        assert!(
            documents.len() > functions + flow.events.len(),
            "a page per function and per event, and the rest"
        );
    }
    println!(
        "flow bench: {functions} functions, {resources} template resources, {rust_files} .rs files, median of {runs} runs"
    );
    for (phase, samples) in [
        ("scan", scan_t),
        ("load templates", load_t),
        ("build flow", build_t),
        ("rules", rules_t),
        ("render docs", docs_t),
    ] {
        println!("  {phase:<16} {:>9.2} ms", median(samples).as_secs_f64() * 1000.0);
    }
}
