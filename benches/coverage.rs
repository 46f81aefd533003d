//! How much of a corpus of real templates flowdoc connects: for every template, analysed alone
//! as a project without annotations, whether its graph has any edge, and how many of its Lambda
//! functions have at least one edge. Prints the totals, and the templates left without an edge
//! with what they hold, for `docs/coverage.md`.
//!
//! ```text
//! cargo bench --bench coverage -- [CORPUS_DIR]      (default: ../shared/corpus/serverless-patterns)
//! ```
//!
//! Each folder of the corpus holds one `template.yaml` / `template.yml` / `template.json`; only
//! that file is read (the corpus has no code), with the default limits.

use flowdoc::Project;
use flowdoc::files::DiskFiles;
use flowdoc::model::Flow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What one template gave.
enum Outcome {
    /// It was refused, with the first message.
    Refused(String),
    /// It loaded.
    Loaded(Counts),
}

/// The counts of one loaded template.
struct Counts {
    edges: usize,
    functions: usize,
    connected: usize,
    /// The resource types it holds, for saying why a template has no edge.
    types: BTreeMap<String, usize>,
}

fn counts(flow: &Flow) -> Counts {
    let edges = flow.edges_unsorted().count();
    let functions: Vec<&str> = flow.functions().map(|node| node.id.as_str()).collect();
    let connected =
        functions.iter().filter(|id| !flow.outgoing(id).is_empty() || !flow.incoming(id).is_empty()).count();
    let mut types = BTreeMap::new();
    for node in flow.nodes().filter(|node| node.template.is_some() && !node.implicit) {
        *types.entry(node.type_name.clone()).or_default() += 1;
    }
    Counts { edges, functions: functions.len(), connected, types }
}

/// The template file of a corpus folder.
fn template_of(folder: &Path) -> Option<String> {
    ["template.yaml", "template.yml", "template.json"]
        .into_iter()
        .find(|name| folder.join(name).is_file())
        .map(str::to_owned)
}

fn analyse(folder: &Path, template: &str) -> Outcome {
    let files = DiskFiles::new(folder);
    let templates = [template.to_owned()];
    match flowdoc::analyse(&Project::new(&files).templates(&templates)) {
        Ok(analysis) => Outcome::Loaded(counts(&analysis.flow)),
        Err(failure) => Outcome::Refused(failure.to_string().lines().next().unwrap_or_default().to_owned()),
    }
}

#[allow(clippy::print_stdout, reason = "a benchmark prints its figures")]
fn main() {
    let corpus = std::env::args().skip(1).find(|arg| !arg.starts_with('-')).map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/serverless-patterns")),
        PathBuf::from,
    );
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        println!("coverage: no corpus at {} (name one as the first argument)", corpus.display());
        return;
    };
    let mut folders: Vec<PathBuf> =
        entries.filter_map(Result::ok).map(|entry| entry.path()).filter(|p| p.is_dir()).collect();
    folders.sort();
    let (mut loaded, mut refused, mut without_edge, mut functions, mut connected) = (0, 0, 0, 0, 0);
    let mut bare: Vec<(String, String)> = Vec::new();
    let mut refusals: Vec<String> = Vec::new();
    for folder in &folders {
        let Some(template) = template_of(folder) else { continue };
        let name = folder.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        match analyse(folder, &template) {
            Outcome::Refused(message) => {
                refused += 1;
                refusals.push(format!("{name}: {message}"));
            }
            Outcome::Loaded(counts) => {
                loaded += 1;
                functions += counts.functions;
                connected += counts.connected;
                if counts.edges == 0 {
                    without_edge += 1;
                    let held: Vec<String> =
                        counts
                            .types
                            .iter()
                            .map(|(type_name, count)| {
                                if *count == 1 { type_name.clone() } else { format!("{type_name} ×{count}") }
                            })
                            .collect();
                    bare.push((name, held.join(", ")));
                }
            }
        }
    }
    let share = if functions == 0 { 0.0 } else { connected as f64 * 100.0 / functions as f64 };
    println!("coverage of {}:", corpus.display());
    println!("  templates loaded     {loaded}");
    println!("  templates refused    {refused}");
    println!("  loaded, no edge      {without_edge}");
    println!("  functions            {functions}");
    println!("  functions connected  {connected} ({share:.1} %)");
    println!("refused:");
    for line in &refusals {
        println!("  {line}");
    }
    println!("without an edge:");
    for (name, held) in &bare {
        println!("  {name}: {held}");
    }
}
