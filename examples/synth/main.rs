//! Writes a synthetic serverless monorepo for benchmarks: `crates` Rust crates in domains of about
//! a hundred, annotated for flowdoc, and the SAM templates that wire them.
//!
//! ```text
//! cargo run --release --example synth -- DIR --crates 2000 [--seed 1] [--single-template]
//! ```
//!
//! The same arguments always give byte-identical files. The generator itself is in
//! `generate/` (a module tree, `generate/mod.rs` at its root), free of I/O, so benchmarks and
//! tests can include it and build the project in memory.

mod generate;

use clap::Parser;
use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// The file, at the root of the output, that lists what the generator wrote.
const MANIFEST: &str = ".synth-files";

/// Writes a synthetic serverless monorepo (Rust crates annotated for flowdoc, and SAM templates)
/// for benchmarks.
#[derive(Debug, Parser)]
#[command(name = "synth")]
struct Args {
    /// Where to write. It must be missing or empty, or hold only the output of an earlier run (as
    /// listed in its `.synth-files`), which is then replaced. Anything else in it is refused.
    dir: PathBuf,
    /// How many crates, the one events crate of each domain included (domains have about a
    /// hundred crates each).
    #[arg(long, value_parser = clap::value_parser!(u64).range(3..=1_000_000))]
    crates: u64,
    /// Seeds every choice; the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// One template.yaml at the root for everything, instead of one per domain.
    #[arg(long)]
    single_template: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            report(&format!("synth: {message}"));
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let started = Instant::now();
    let crates = usize::try_from(args.crates).map_err(|_| "--crates is too large".to_owned())?;
    let options = generate::Options { crates, seed: args.seed, single_template: args.single_template };
    let files = generate::generate(&options);
    let generated = started.elapsed();
    prepare(&args.dir)?;
    let mut directories = BTreeSet::new();
    for (path, _) in &files {
        if let Some(parent) = Path::new(path).parent() {
            directories.insert(args.dir.join(parent));
        }
    }
    for directory in &directories {
        fs::create_dir_all(directory)
            .map_err(|error| format!("cannot create {}: {error}", directory.display()))?;
    }
    let mut listing = String::new();
    for (path, contents) in &files {
        let target = args.dir.join(path);
        fs::write(&target, contents)
            .map_err(|error| format!("cannot write {}: {error}", target.display()))?;
        listing.push_str(path);
        listing.push('\n');
    }
    fs::write(args.dir.join(MANIFEST), listing)
        .map_err(|error| format!("cannot write the file list: {error}"))?;

    let rust_files = files.iter().filter(|(path, _)| path.ends_with(".rs")).count();
    let manifests = files.iter().filter(|(path, _)| path.ends_with("/Cargo.toml")).count();
    let templates = files.iter().filter(|(path, _)| path.ends_with("template.yaml")).count();
    let domains = files.iter().filter(|(path, _)| path.ends_with("/events/Cargo.toml")).count();
    let functions: usize = files
        .iter()
        .filter(|(path, _)| path.ends_with("template.yaml"))
        .map(|(_, contents)| count_lines(contents, b"    Type: AWS::Serverless::Function"))
        .sum();
    let events: usize = files
        .iter()
        .filter(|(path, _)| path.ends_with(".rs"))
        .map(|(_, contents)| {
            count_lines(contents, b"#[event]")
                + count_lines(contents, b"#[event(")
                + count_lines(contents, b"#[flowdoc_annotations::event]")
        })
        .sum();
    let bytes: usize = files.iter().map(|(_, contents)| contents.len()).sum();
    summary(&format!(
        "synth: {manifests} crates in {domains} domains, {rust_files} .rs files, {templates} templates, {functions} functions, {events} event types, {} files, {:.1} MB in {} (generated in {:.2} s, written in {:.2} s)",
        files.len(),
        bytes as f64 / 1e6,
        args.dir.display(),
        generated.as_secs_f64(),
        (started.elapsed() - generated).as_secs_f64(),
    ));
    Ok(())
}

/// Lines of `contents` that start with `prefix`.
fn count_lines(contents: &[u8], prefix: &[u8]) -> usize {
    contents.split(|byte| *byte == b'\n').filter(|line| line.starts_with(prefix)).count()
}

/// Makes sure `dir` can be written: creates it if missing, accepts it empty, and removes the
/// files of an earlier run when that is all it holds.
fn prepare(dir: &Path) -> Result<(), String> {
    match fs::read_dir(dir) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return fs::create_dir_all(dir)
                .map_err(|error| format!("cannot create {}: {error}", dir.display()));
        }
        Err(error) => return Err(format!("cannot read {}: {error}", dir.display())),
        Ok(mut entries) => {
            if entries.next().is_none() {
                return Ok(());
            }
        }
    }
    let listed = fs::read_to_string(dir.join(MANIFEST)).map_err(|_| {
        format!("{} is not empty and holds no earlier output of synth ({MANIFEST}); choose an empty or missing folder", dir.display())
    })?;
    let listed: BTreeSet<&str> = listed.lines().filter(|line| !line.is_empty()).collect();
    let mut found = Vec::new();
    let mut folders = Vec::new();
    walk(dir, dir, &mut found, &mut folders)
        .map_err(|error| format!("cannot read {}: {error}", dir.display()))?;
    if let Some(stranger) =
        found.iter().find(|path| path.as_str() != MANIFEST && !listed.contains(path.as_str()))
    {
        return Err(format!(
            "{} holds `{stranger}`, which synth did not write; refusing to replace it (remove the folder first)",
            dir.display()
        ));
    }
    for path in &found {
        let full = dir.join(path);
        fs::remove_file(&full).map_err(|error| format!("cannot remove {}: {error}", full.display()))?;
    }
    // Deepest first; a folder that is not empty (it cannot be, all files are gone) stays.
    folders.sort_by_key(|folder| std::cmp::Reverse(folder.components().count()));
    for folder in folders {
        let _ = fs::remove_dir(folder);
    }
    Ok(())
}

/// Collects the files under `dir` as `/`-separated paths relative to `root`, and the folders.
fn walk(root: &Path, dir: &Path, files: &mut Vec<String>, folders: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            folders.push(path.clone());
            walk(root, &path, files, folders)?;
        } else {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let parts: Vec<String> =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            files.push(parts.join("/"));
        }
    }
    Ok(())
}

#[allow(clippy::print_stdout, reason = "the example's one-line summary is its output")]
fn summary(line: &str) {
    println!("{line}");
}

#[allow(clippy::print_stderr, reason = "errors go to standard error")]
fn report(line: &str) {
    eprintln!("{line}");
}
