//! Edge crossings of flowdoc's pictures against Graphviz `dot` on the same graphs, and the
//! shape of the pictures of a large system. Prints Markdown for `docs/benchmarks.md`.
//!
//! ```text
//! cargo bench --bench crossings
//! FLOWDOC_CORPUS=/path/to/serverless-patterns cargo bench --bench crossings
//! ```
//!
//! - **Corpus.** Every folder of the corpus of real SAM templates (`FLOWDOC_CORPUS`, else
//!   `../shared/corpus/serverless-patterns` beside the crate; one `template.yaml` / `.yml` /
//!   `.json` each, read alone as `benches/coverage.rs` reads it) is analysed, and its overview
//!   picture (`overview.svg` of `docs::pictures`) drawn twice: by flowdoc (`svg::render`) and by
//!   `dot -Tsvg` on `dot::render` of the same diagram. Crossings are counted on both SVGs the
//!   same way (`benches/common/svg_geometry.rs`). Templates that do not load are skipped and
//!   counted. Without `dot` on the PATH only flowdoc's numbers are printed.
//! - **Synthetic monorepo.** `examples/synth` at 250 crates (seed 7), built in memory: every
//!   picture of `docs::pictures` drawn by flowdoc, and its width and width:height ratio read
//!   from the SVG's `width` and `height`.
//!
//! Templates are compared on all cores (one `dot` process per template).

mod common;
#[path = "../examples/synth/generate/mod.rs"]
mod generate;

use common::svg_geometry::{crossings, svg_edges};
use common::{graphviz, have, machine};
use flowdoc::Project;
use flowdoc::files::{DiskFiles, MemoryFiles};
use flowdoc::render::{docs, svg};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// One corpus template's overview, drawn both ways.
struct Compared {
    /// The template's folder name.
    name: String,
    boxes: usize,
    arrows: usize,
    /// Crossings in flowdoc's picture, and how many arrows were read back from it.
    ours: usize,
    ours_read: usize,
    /// Crossings in dot's picture and the arrows read back from it; None without dot.
    dot: Option<(usize, usize)>,
}

impl Compared {
    /// How many more crossings flowdoc draws than dot.
    fn excess(&self) -> Option<isize> {
        self.dot.map(|(dot, _)| self.ours as isize - dot as isize)
    }
}

/// What one corpus template gave.
enum Outcome {
    /// It did not load (the first line of the message).
    Skipped(String),
    /// Analysing or drawing it panicked.
    Panicked,
    Compared(Compared),
}

/// The template file of a corpus folder.
fn template_of(folder: &Path) -> Option<String> {
    ["template.yaml", "template.yml", "template.json"]
        .into_iter()
        .find(|name| folder.join(name).is_file())
        .map(str::to_owned)
}

/// Analyses one template alone and draws its overview both ways.
fn compare(folder: &Path, template: &str, with_dot: bool) -> Outcome {
    let name = folder.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let files = DiskFiles::new(folder);
    let templates = [template.to_owned()];
    let flow = match flowdoc::analyse(&Project::new(&files).templates(&templates)) {
        Ok(analysis) => analysis.flow,
        Err(failure) => {
            return Outcome::Skipped(failure.to_string().lines().next().unwrap_or_default().to_owned());
        }
    };
    let pictures = docs::pictures(&flow);
    let Some(overview) = pictures.files.get("overview.svg") else {
        return Outcome::Skipped("no overview.svg picture".to_owned());
    };
    let ours = svg_edges(&svg::render(overview));
    let dot = with_dot.then(|| graphviz(overview, 1)).flatten().map(|(_, drawn)| {
        let edges = svg_edges(&drawn);
        (crossings(&edges), edges.len())
    });
    Outcome::Compared(Compared {
        name,
        boxes: overview.nodes.len(),
        arrows: overview.edges.len(),
        ours: crossings(&ours),
        ours_read: ours.len(),
        dot,
    })
}

/// Compares every template of the corpus, on all cores; the outcomes in the folders' order.
fn compare_all(folders: &[(PathBuf, String)], with_dot: bool) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, usize::from).min(folders.len().max(1));
    let mut found: Vec<(usize, Outcome)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((folder, template)) = folders.get(i) else { break };
                        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            compare(folder, template, with_dot)
                        }))
                        .unwrap_or(Outcome::Panicked);
                        mine.push((i, outcome));
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().flat_map(|handle| handle.join().expect("a worker")).collect()
    });
    found.sort_by_key(|(i, _)| *i);
    found.into_iter().map(|(_, outcome)| outcome).collect()
}

/// The `width` and `height` of an SVG document's root element, in px.
fn size(svg: &str) -> Option<(f64, f64)> {
    let start = svg.find("<svg")?;
    let tag = &svg[start..start + svg[start..].find('>')?];
    let value = |name: &str| -> Option<f64> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = at + tag[at..].find('"')?;
        tag[at..end].trim_end_matches("px").parse().ok()
    };
    Some((value("width")?, value("height")?))
}

fn seconds(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}

#[allow(clippy::print_stdout, reason = "a benchmark prints its figures")]
fn corpus_section(corpus: &Path, with_dot: bool) {
    let start = Instant::now();
    let Ok(entries) = std::fs::read_dir(corpus) else { return };
    let mut folders: Vec<PathBuf> =
        entries.filter_map(Result::ok).map(|entry| entry.path()).filter(|path| path.is_dir()).collect();
    folders.sort();
    let templates: Vec<(PathBuf, String)> = folders
        .into_iter()
        .filter_map(|folder| template_of(&folder).map(|template| (folder, template)))
        .collect();
    let outcomes = compare_all(&templates, with_dot);
    let took = start.elapsed();

    let mut compared: Vec<&Compared> = Vec::new();
    let (mut skipped, mut panicked) = (Vec::new(), 0);
    for (outcome, (folder, _)) in outcomes.iter().zip(&templates) {
        match outcome {
            Outcome::Compared(one) => compared.push(one),
            Outcome::Skipped(message) => skipped
                .push(format!("{}: {message}", folder.file_name().unwrap_or_default().to_string_lossy())),
            Outcome::Panicked => panicked += 1,
        }
    }
    let sum = |f: &dyn Fn(&Compared) -> usize| compared.iter().map(|one| f(one)).sum::<usize>();
    let (boxes, arrows) = (sum(&|one| one.boxes), sum(&|one| one.arrows));
    let ours_total = sum(&|one| one.ours);
    let ours_read = sum(&|one| one.ours_read);
    let ours_some = compared.iter().filter(|one| one.ours > 0).count();
    let dot_pictures: Vec<&&Compared> = compared.iter().filter(|one| one.dot.is_some()).collect();
    let dot_total: usize = dot_pictures.iter().filter_map(|one| one.dot.map(|(count, _)| count)).sum();
    let dot_read: usize = dot_pictures.iter().filter_map(|one| one.dot.map(|(_, read)| read)).sum();
    let dot_some = dot_pictures.iter().filter(|one| one.dot.is_some_and(|(count, _)| count > 0)).count();
    let more = compared.iter().filter(|one| one.excess().is_some_and(|excess| excess > 0)).count();
    let fewer = compared.iter().filter(|one| one.excess().is_some_and(|excess| excess < 0)).count();
    let mut far: Vec<&&Compared> =
        compared.iter().filter(|one| one.excess().is_some_and(|excess| excess > 2)).collect();
    far.sort_by_key(|one| (std::cmp::Reverse(one.excess()), one.name.clone()));
    let dot_cell = |text: String| if with_dot { text } else { "— (no dot)".to_owned() };

    println!("## Corpus: overview pictures, flowdoc against Graphviz\n");
    println!("Corpus: `{}`; {} in all.\n", corpus.display(), seconds(took));
    println!("| | |\n|---|---|");
    println!("| templates in the corpus | {} |", templates.len());
    println!("| compared | {} ({boxes} boxes, {arrows} arrows) |", compared.len());
    println!("| skipped: did not load | {} |", skipped.len());
    if panicked > 0 {
        println!("| skipped: panicked | {panicked} |");
    }
    println!(
        "| arrows read back from the SVG: flowdoc / dot | {ours_read} / {} of {arrows} |",
        dot_cell(dot_read.to_string())
    );
    println!("| crossings in all: flowdoc / dot | {ours_total} / {} |", dot_cell(dot_total.to_string()));
    println!(
        "| pictures with a crossing: flowdoc / dot | {ours_some} / {} |",
        dot_cell(dot_some.to_string())
    );
    println!("| pictures where flowdoc > dot | {} |", dot_cell(more.to_string()));
    println!("| pictures where flowdoc > dot + 2 | {} |", dot_cell(far.len().to_string()));
    println!("| pictures where flowdoc < dot | {} |", dot_cell(fewer.to_string()));
    if dot_pictures.len() < compared.len() && with_dot {
        println!("| pictures dot failed to draw | {} |", compared.len() - dot_pictures.len());
    }
    println!();

    if with_dot {
        println!("### Pictures where flowdoc draws more than dot + 2 crossings\n");
        if far.is_empty() {
            println!("None.\n");
        } else {
            println!("| template | flowdoc | dot | boxes / arrows |\n|---|---|---|---|");
            for one in &far {
                let dot = one.dot.map_or(0, |(count, _)| count);
                println!("| {} | {} | {dot} | {} / {} |", one.name, one.ours, one.boxes, one.arrows);
            }
            println!();
        }
        let mut worst: Vec<&&Compared> =
            compared.iter().filter(|one| one.excess().is_some_and(|excess| excess > 0)).collect();
        worst.sort_by_key(|one| (std::cmp::Reverse(one.excess()), one.name.clone()));
        println!("### The 10 worst by flowdoc − dot (of those where flowdoc draws more)\n");
        if worst.is_empty() {
            println!("None: flowdoc never draws more crossings than dot.\n");
        } else {
            println!("| template | flowdoc | dot | flowdoc − dot | boxes / arrows |\n|---|---|---|---|---|");
            for one in worst.iter().take(10) {
                let dot = one.dot.map_or(0, |(count, _)| count);
                println!(
                    "| {} | {} | {dot} | {} | {} / {} |",
                    one.name,
                    one.ours,
                    one.excess().unwrap_or(0),
                    one.boxes,
                    one.arrows
                );
            }
            println!();
        }
    } else {
        let mut worst: Vec<&&Compared> = compared.iter().filter(|one| one.ours > 0).collect();
        worst.sort_by_key(|one| (std::cmp::Reverse(one.ours), one.name.clone()));
        println!("### The 10 pictures where flowdoc draws most crossings\n");
        println!("| template | flowdoc | boxes / arrows |\n|---|---|---|");
        for one in worst.iter().take(10) {
            println!("| {} | {} | {} / {} |", one.name, one.ours, one.boxes, one.arrows);
        }
        println!();
    }
    let mut crossed: Vec<&&Compared> =
        compared.iter().filter(|one| one.ours > 0 || one.dot.is_some_and(|(count, _)| count > 0)).collect();
    crossed.sort_by_key(|one| {
        (std::cmp::Reverse(one.ours.max(one.dot.map_or(0, |(count, _)| count))), one.name.clone())
    });
    println!("### Every picture with a crossing in either drawing (at most 20)\n");
    if crossed.is_empty() {
        println!("None.\n");
    } else {
        println!("| template | flowdoc | dot | boxes / arrows |\n|---|---|---|---|");
        for one in crossed.iter().take(20) {
            let dot = one.dot.map_or_else(|| "—".to_owned(), |(count, _)| count.to_string());
            println!("| {} | {} | {dot} | {} / {} |", one.name, one.ours, one.boxes, one.arrows);
        }
        println!();
    }
    if let Some(largest) = compared.iter().max_by_key(|one| (one.arrows, one.boxes)) {
        println!(
            "The largest overview: {} boxes / {} arrows ({}); {} of {} overviews have more than 5 arrows.\n",
            largest.boxes,
            largest.arrows,
            largest.name,
            compared.iter().filter(|one| one.arrows > 5).count(),
            compared.len()
        );
    }
    if !skipped.is_empty() {
        println!("Skipped (did not load):\n");
        for line in &skipped {
            println!("- {line}");
        }
        println!();
    }
}

#[allow(clippy::print_stdout, reason = "a benchmark prints its figures")]
fn monorepo_section() {
    const CRATES: usize = 250;
    const WIDE: f64 = 2400.0;
    const ELONGATED: f64 = 3.0;
    let start = Instant::now();
    let mut files = MemoryFiles::new();
    for (path, contents) in
        generate::generate(&generate::Options { crates: CRATES, seed: 7, single_template: false })
    {
        files.insert(path, contents);
    }
    let flow = flowdoc::analyse(&Project::new(&files)).expect("the synthetic monorepo loads").flow;
    let pictures = docs::pictures(&flow);
    let mut sizes: Vec<(&str, f64, f64)> = Vec::new();
    for (path, diagram) in &pictures.files {
        let drawn = svg::render(diagram);
        let (width, height) =
            size(&drawn).unwrap_or_else(|| panic!("{path}: an SVG with a width and height"));
        sizes.push((path, width, height));
    }
    let took = start.elapsed();
    let ratio = |(_, width, height): &(&str, f64, f64)| if *height > 0.0 { width / height } else { 0.0 };
    let widest = sizes.iter().max_by(|a, b| a.1.total_cmp(&b.1));
    let longest = sizes.iter().max_by(|a, b| ratio(a).total_cmp(&ratio(b)));
    let wide = sizes.iter().filter(|one| one.1 > WIDE).count();
    let elongated = sizes.iter().filter(|one| ratio(one) > ELONGATED).count();

    println!("## Synthetic monorepo: the shape of every picture\n");
    println!(
        "`examples/synth` at {CRATES} crates (seed 7, a template per ~100 functions), in memory; every picture of the docs drawn by flowdoc; {} in all.\n",
        seconds(took)
    );
    println!("| | |\n|---|---|");
    println!("| pictures | {} |", sizes.len());
    if let Some((path, width, height)) = widest {
        println!("| widest picture | {width:.0} px ({path}, {width:.0} × {height:.0}) |");
    }
    if let Some(one @ (path, width, height)) = longest {
        println!("| largest width:height | {:.2}:1 ({path}, {width:.0} × {height:.0}) |", ratio(one));
    }
    println!("| wider than {WIDE:.0} px | {wide} |");
    println!("| wider than {ELONGATED:.0}:1 | {elongated} |");
    println!();
}

#[allow(clippy::print_stdout, reason = "a benchmark prints its figures")]
fn main() {
    let start = Instant::now();
    let corpus = std::env::var_os("FLOWDOC_CORPUS").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/serverless-patterns")),
        PathBuf::from,
    );
    if !corpus.is_dir() {
        println!(
            "crossings: no corpus at {} (set FLOWDOC_CORPUS to one); nothing measured.",
            corpus.display()
        );
        return;
    }
    let with_dot = have("dot");
    println!("# Crossings against Graphviz\n");
    println!("```text\ncargo bench --bench crossings      # FLOWDOC_CORPUS=DIR for another corpus\n```\n");
    println!("Release build; {}.", machine());
    if !with_dot {
        println!("\n`dot` (Graphviz) is not on the PATH: only flowdoc's numbers.");
    }
    println!();
    corpus_section(&corpus, with_dot);
    monorepo_section();
    println!("Whole benchmark: {}.", seconds(start.elapsed()));
}
