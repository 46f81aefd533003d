//! flowdoc at scale, measured side by side in one run: the bundled pipeline end to end; the
//! synthetic monorepos of `examples/synth` at several sizes: `graph --format json` and
//! `generate`, cold (no cache) and warm, against ripgrep over the same tree (reading the files
//! is the floor), with peak memory, and `generate`'s phases; every picture's layout time; and the overview's layout against Graphviz `dot` on the
//! same graph, for time and edge crossings. Prints Markdown tables for `docs/benchmarks.md`.
//!
//! ```text
//! cargo bench --bench scale                 # N = 100, 250, 500, 1000, 2000
//! cargo bench --bench scale -- --quick      # N = 100 only, fewer runs
//! cargo bench --bench scale -- --sizes 2000 --runs 3
//! ```
//!
//! Needs `rg` (ripgrep) and `dot` (Graphviz) on the PATH for the comparisons; without them
//! those columns say so. Trees are written under `target/bench-synth/`, named by size and by
//! the generator's source, and kept for the next run.

mod common;
#[path = "../examples/synth/generate/mod.rs"]
mod generate;

use common::svg_geometry::{crossings, svg_edges};
use common::{graphviz, have, machine, median};
use flowdoc::Project;
use flowdoc::files::DiskFiles;
use flowdoc::model::Flow;
use flowdoc::render::docs;
use flowdoc::render::svg;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn ms(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1000.0)
}

fn flowdoc_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_flowdoc"))
}

/// Runs a command to the end, output thrown away; its wall time, or None when it cannot run
/// or fails.
fn time_command(command: &mut Command) -> Option<Duration> {
    let start = Instant::now();
    let status = command.stdout(Stdio::null()).stderr(Stdio::null()).status().ok()?;
    let took = start.elapsed();
    // `rg -l` exits 1 when nothing matches; anything above is a failure.
    (status.code().is_some_and(|code| code <= 1)).then_some(took)
}

/// What `--timings` printed: phase → milliseconds, and the peak memory in MiB.
fn parse_timings(stderr: &str) -> (BTreeMap<String, f64>, Option<f64>) {
    let mut phases = BTreeMap::new();
    let mut peak = None;
    let mut started = false;
    for line in stderr.lines() {
        if line == "timings:" {
            started = true;
            continue;
        }
        if !started {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if line.trim_start().starts_with("peak memory") {
            peak = words.get(2).and_then(|value| value.parse().ok());
        } else if let [name, value, "ms", ..] = words[..]
            && let Ok(value) = value.parse()
        {
            phases.insert(name.to_owned(), value);
        }
    }
    (phases, peak)
}

/// Medians of each phase over several `flowdoc --timings` runs, and the largest peak memory.
fn timed_runs(args: &[&str], root: &Path, runs: usize) -> (BTreeMap<String, f64>, f64, Duration) {
    let mut phases: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut peak: f64 = 0.0;
    let mut walls = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let output = Command::new(flowdoc_binary())
            .arg("--timings")
            .arg("--root")
            .arg(root)
            .args(args)
            .stdout(Stdio::null())
            .output()
            .expect("flowdoc runs");
        walls.push(start.elapsed());
        let (found, memory) = parse_timings(&String::from_utf8_lossy(&output.stderr));
        for (phase, value) in found {
            phases.entry(phase).or_default().push(value);
        }
        peak = peak.max(memory.unwrap_or(0.0));
    }
    let medians = phases
        .into_iter()
        .map(|(phase, mut values)| {
            values.sort_by(f64::total_cmp);
            (phase, values[values.len() / 2])
        })
        .collect();
    (medians, peak, median(walls))
}

/// The flow of a project on disk, as `flowdoc` builds it.
fn flow_of(root: &Path) -> Flow {
    let files = DiskFiles::new(root);
    flowdoc::analyse(&Project::new(&files))
        .unwrap_or_else(|failure| panic!("{}: {failure}", root.display()))
        .flow
}

/// How many `.rs` files and bytes a tree holds.
/// The last `.rs` file, in path order, that holds a handler: the walk meets it late, so the
/// memo's check reads most of the tree before it sees the change.
fn last_annotated_file(root: &Path) -> PathBuf {
    let mut paths: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "rs"))
        .map(walkdir::DirEntry::into_path)
        .collect();
    paths.sort();
    paths
        .into_iter()
        .rev()
        .find(|path| std::fs::read_to_string(path).is_ok_and(|text| text.contains("#[event_")))
        .expect("a synthetic tree has handlers")
}

fn tree_size(root: &Path) -> (usize, usize, u64) {
    let (mut files, mut sources, mut bytes) = (0, 0, 0);
    for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
        if entry.file_type().is_file() {
            files += 1;
            bytes += entry.metadata().map_or(0, |metadata| metadata.len());
            if entry.path().extension().is_some_and(|extension| extension == "rs") {
                sources += 1;
            }
        }
    }
    (files, sources, bytes)
}

#[allow(clippy::print_stdout, reason = "a benchmark prints its figures")]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|arg| arg != "--bench").collect();
    let quick = args.iter().any(|arg| arg == "--quick");
    let value = |name: &str| args.iter().position(|arg| arg == name).and_then(|i| args.get(i + 1)).cloned();
    let sizes: Vec<usize> = match value("--sizes") {
        Some(list) => list.split(',').filter_map(|n| n.trim().parse().ok()).collect(),
        None if quick => vec![100],
        None => vec![100, 250, 500, 1000, 2000],
    };
    let runs: usize = value("--runs").and_then(|n| n.parse().ok()).unwrap_or(if quick { 3 } else { 5 });
    let (rg, graphviz_there) = (have("rg"), have("dot"));
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    let trees = repository.join("target/bench-synth");
    let generator = generator_hash(repository);
    let scratch = tempfile::tempdir().expect("a scratch folder");

    println!("# flowdoc scale benchmark\n");
    println!("{} runs per figure, medians; release build; {}.\n", runs, machine());

    // The bundled pipeline, end to end, without the cache and with a warm one.
    let out = scratch.path().join("pipeline-docs");
    let pipeline = |cache: bool| {
        let mut walls = Vec::new();
        for _ in 0..runs.max(10) {
            let mut command = Command::new(flowdoc_binary());
            command.arg("--root").arg(repository);
            if !cache {
                command.arg("--no-cache");
            }
            let took = time_command(command.arg("generate").arg("--out").arg(&out));
            walls.push(took.expect("flowdoc generate runs on the bundled pipeline"));
        }
        walls
    };
    let (uncached, warm) = (pipeline(false), pipeline(true));
    println!(
        "## Bundled pipeline\n\n`flowdoc generate`, end to end, median of {} runs: {} ms with `--no-cache`, {} ms with a warm cache.\n",
        uncached.len(),
        ms(median(uncached)),
        ms(median(warm)),
    );

    println!("## Synthetic monorepos: cold and warm, against ripgrep\n");
    println!(
        "Cold: no cache (`target/flowdoc/cache` removed before the run; the run writes it). Warm: the cache of the run before, nothing changed (`graph` prints its memo; `generate` finds the docs up to date from its memo). One edited: the cache of the run before, one annotated file changed since (the memo's check stops at it; the run analyses, taking the other files from the cache). The files are in the page cache for every command alike. ripgrep skips `target/` (where the cache is), as it does in a checkout whose `.gitignore` lists it.\n"
    );
    println!(
        "| N crates | files | .rs files | MB | rg -l | json cold | × rg | json warm | × rg | json, one edited | × rg | generate cold | generate warm | × rg | generate, one edited | peak MiB: json cold / generate cold / generate warm | µs per .rs file: json cold / warm |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut phase_rows = Vec::new();
    let mut layouts = Vec::new();
    for &size in &sizes {
        // Trees are kept between runs, named by the generator's source, so a changed generator
        // writes new ones.
        let root = trees.join(format!("n{size}-{generator:016x}"));
        if !root.join("Cargo.toml").is_file() {
            let _ = std::fs::remove_dir_all(&root);
            let options = generate::Options { crates: size, seed: 1, single_template: false };
            for (path, contents) in generate::generate(&options) {
                let target = root.join(path);
                std::fs::create_dir_all(target.parent().expect("a parent")).expect("a folder");
                std::fs::write(target, contents).expect("a file");
            }
        }
        let (files, sources, bytes) = tree_size(&root);
        let docs = scratch.path().join(format!("docs-{size}"));
        let docs_arg = docs.to_string_lossy().into_owned();
        let cache = root.join("target/flowdoc/cache");
        let forget = || {
            let _ = std::fs::remove_dir_all(&cache);
        };
        // Warm the file cache, then interleave the commands so drift hits them alike.
        let _ = time_command(
            Command::new(flowdoc_binary()).arg("--root").arg(&root).args(["graph", "--format", "json"]),
        );
        forget();
        let _ = std::fs::remove_dir_all(&docs);
        let (_, generate_cold_peak, generate_cold) = timed_runs(&["generate", "--out", &docs_arg], &root, 1);
        let (_, generate_peak, generate_warm) = timed_runs(&["generate", "--out", &docs_arg], &root, runs);
        // One annotated file, edited between a warm run and the next: the memo no longer holds.
        let edited = last_annotated_file(&root);
        let original = std::fs::read(&edited).expect("the edited file");
        let edit = || {
            let mut changed = original.clone();
            changed.extend_from_slice(b"\n// edited\n");
            std::fs::write(&edited, changed).expect("an edit");
        };
        edit();
        let (generate_phases, _, generate_edited) = timed_runs(&["generate", "--out", &docs_arg], &root, 1);
        std::fs::write(&edited, &original).expect("the file as it was");
        let (mut cold_peak, mut cold_walls, mut warm_walls, mut rg_walls) =
            (0.0_f64, Vec::new(), Vec::new(), Vec::new());
        let mut changed_walls = Vec::new();
        for _ in 0..runs {
            forget();
            let (_, peak, wall) = timed_runs(&["graph", "--format", "json"], &root, 1);
            cold_peak = cold_peak.max(peak);
            cold_walls.push(wall);
            warm_walls.push(timed_runs(&["graph", "--format", "json"], &root, 1).2);
            edit();
            changed_walls.push(timed_runs(&["graph", "--format", "json"], &root, 1).2);
            std::fs::write(&edited, &original).expect("the file as it was");
            if rg {
                rg_walls.extend(time_command(
                    // Not the cache flowdoc keeps in target/: a checkout ignores target/ (cargo's
                    // .gitignore), and ripgrep with it.
                    Command::new("rg")
                        .args(["-l", "--glob", "!target/", "event_producer|event_consumer"])
                        .arg(&root),
                ));
            }
        }
        let (cold, warm, changed) = (median(cold_walls), median(warm_walls), median(changed_walls));
        let times_rg = |wall: Duration| {
            if rg_walls.is_empty() {
                "—".to_owned()
            } else {
                format!("{:.2}×", wall.as_secs_f64() / median(rg_walls.clone()).as_secs_f64())
            }
        };
        let rg_text = if rg_walls.is_empty() { "no rg".to_owned() } else { ms(median(rg_walls.clone())) };
        println!(
            "| {size} | {files} | {sources} | {:.1} | {rg_text} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {cold_peak:.0} / {generate_cold_peak:.0} / {generate_peak:.0} | {:.0} / {:.0} |",
            bytes as f64 / 1e6,
            ms(cold),
            times_rg(cold),
            ms(warm),
            times_rg(warm),
            ms(changed),
            times_rg(changed),
            ms(generate_cold),
            ms(generate_warm),
            times_rg(generate_warm),
            ms(generate_edited),
            cold.as_secs_f64() * 1e6 / sources as f64,
            warm.as_secs_f64() * 1e6 / sources as f64,
        );
        let phase = |name: &str| {
            generate_phases.get(name).map_or_else(|| "—".to_owned(), |value| format!("{value:.0}"))
        };
        phase_rows.push(format!(
            "| {size} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            phase("walk"),
            phase("pre-filter"),
            phase("parse"),
            phase("templates"),
            phase("model"),
            phase("rules"),
            phase("render"),
            phase("write"),
            phase("cache"),
            ms(generate_edited),
        ));
        layouts.push((size, root));
    }
    println!(
        "\n## `generate` with one annotated file edited, by phase (every other file, template and picture from the cache)\n"
    );
    println!(
        "| N crates | walk | pre-filter | parse | templates | model | rules | render | write | cache | total |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for row in phase_rows {
        println!("{row}");
    }

    println!("\nTimes in milliseconds; peak memory as the process saw it (VmHWM).\n");
    println!("## Pictures\n");
    println!(
        "| N crates | pictures | groups | slowest picture | its boxes / arrows | its crossings: flowdoc / dot | all pictures | overview boxes / arrows | overview: flowdoc | crossings | overview: dot -Tsvg | crossings |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (size, root) in &layouts {
        let flow = flow_of(root);
        let pictures = docs::pictures(&flow);
        let mut slowest = (Duration::ZERO, String::new(), 0, 0, String::new());
        let mut all = Duration::ZERO;
        for (path, picture) in &pictures.files {
            let start = Instant::now();
            let drawn = svg::render(picture);
            let took = start.elapsed();
            all += took;
            if took > slowest.0 {
                slowest = (took, path.clone(), picture.nodes.len(), picture.edges.len(), drawn);
            }
        }
        // The slowest picture's crossings, ours against Graphviz's on the same graph.
        let slowest_dot = pictures
            .files
            .get(&slowest.1)
            .and_then(|picture| graphviz_there.then(|| graphviz(picture, 1)).flatten())
            .map_or_else(|| "—".to_owned(), |(_, svg)| crossings(&svg_edges(&svg)).to_string());
        let slowest_crossings = format!("{} / {slowest_dot}", crossings(&svg_edges(&slowest.4)));
        let overview = &pictures.overview;
        let mut ours = Vec::new();
        let mut drawn = String::new();
        for _ in 0..runs {
            let start = Instant::now();
            drawn = svg::render(overview);
            ours.push(start.elapsed());
        }
        let our_crossings = crossings(&svg_edges(&drawn));
        let (dot_time, dot_crossings) = match graphviz_there.then(|| graphviz(overview, runs)).flatten() {
            Some((took, svg)) => (ms(took), crossings(&svg_edges(&svg)).to_string()),
            None => ("no dot".to_owned(), "—".to_owned()),
        };
        println!(
            "| {size} | {} | {} | {} ms ({}) | {} / {} | {slowest_crossings} | {} ms | {} / {} | {} ms | {our_crossings} | {dot_time} ms | {dot_crossings} |",
            pictures.files.len(),
            pictures.grouping.all().len(),
            ms(slowest.0),
            slowest.1,
            slowest.2,
            slowest.3,
            ms(all),
            overview.nodes.len(),
            overview.edges.len(),
            ms(median(ours)),
        );
    }
}

/// The source of the synthetic monorepo's generator, every file of `examples/synth/generate/` by
/// name, in a fixed order: what the cached trees are named by.
const GENERATOR: &[(&str, &str)] = &[
    ("mod.rs", include_str!("../examples/synth/generate/mod.rs")),
    ("events_crate.rs", include_str!("../examples/synth/generate/events_crate.rs")),
    ("fillers_code.rs", include_str!("../examples/synth/generate/fillers_code.rs")),
    ("fillers_data.rs", include_str!("../examples/synth/generate/fillers_data.rs")),
    ("handler.rs", include_str!("../examples/synth/generate/handler.rs")),
    ("handler_item.rs", include_str!("../examples/synth/generate/handler_item.rs")),
    ("handler_snippets.rs", include_str!("../examples/synth/generate/handler_snippets.rs")),
    ("motifs.rs", include_str!("../examples/synth/generate/motifs.rs")),
    ("plan.rs", include_str!("../examples/synth/generate/plan.rs")),
    ("resources.rs", include_str!("../examples/synth/generate/resources.rs")),
    ("rng.rs", include_str!("../examples/synth/generate/rng.rs")),
    ("rust_file.rs", include_str!("../examples/synth/generate/rust_file.rs")),
    ("service_crate.rs", include_str!("../examples/synth/generate/service_crate.rs")),
    ("templates.rs", include_str!("../examples/synth/generate/templates.rs")),
    ("text.rs", include_str!("../examples/synth/generate/text.rs")),
    ("vocabulary.rs", include_str!("../examples/synth/generate/vocabulary.rs")),
];

/// A hash of the generator's whole source, so a changed generator writes new trees. Panics if
/// [`GENERATOR`] and the files of `examples/synth/generate/` differ, as a file added to the
/// generator but not hashed would keep stale trees.
fn generator_hash(repository: &Path) -> u64 {
    let folder = repository.join("examples/synth/generate");
    let on_disk: BTreeSet<String> = std::fs::read_dir(&folder)
        .expect("the generator's folder")
        .map(|entry| {
            entry.expect("an entry of the generator's folder").file_name().to_string_lossy().into_owned()
        })
        .filter(|name| name.ends_with(".rs"))
        .collect();
    let hashed: BTreeSet<String> = GENERATOR.iter().map(|(name, _)| (*name).to_owned()).collect();
    assert_eq!(on_disk, hashed, "GENERATOR in benches/scale.rs lists every file of {}", folder.display());
    fnv(&GENERATOR.iter().map(|(_, text)| *text).collect::<String>())
}

/// FNV-1a of a text.
fn fnv(text: &str) -> u64 {
    text.bytes()
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}
