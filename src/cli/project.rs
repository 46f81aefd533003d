//! One run's analysis of a project: configuration found and read, templates named or
//! discovered and loaded, crates scanned, the flow built and checked.

use super::diagnostics::Level;
use super::timings::{Timings, count, things};
use flowdoc::config::{self, Config};
use flowdoc::files::{ProjectFiles, ReadError};
use flowdoc::location::Location;
use flowdoc::model::{self, Flow};
use flowdoc::rules::{self, Finding};
use flowdoc::{scan, template};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What a run found.
pub(crate) struct Project {
    pub(crate) config: Config,
    pub(crate) flow: Flow,
    pub(crate) findings: Vec<Finding>,
    /// Some source file could not be read: the run exits 2 at the end.
    pub(crate) unreadable_sources: bool,
}

/// Why a run cannot go on: each problem with its place.
pub(crate) struct Failure {
    pub(crate) problems: Vec<Problem>,
}

pub(crate) struct Problem {
    pub(crate) message: String,
    pub(crate) location: Option<Location>,
    pub(crate) notes: Vec<(Level, String)>,
}

impl Failure {
    fn one(message: impl Into<String>, location: Option<Location>) -> Failure {
        Failure { problems: vec![Problem { message: message.into(), location, notes: Vec::new() }] }
    }
}

/// Configuration files are small.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The templates named on the command line, relative to the root.
pub(crate) fn named_templates(root: &Path, templates: &[PathBuf]) -> Result<Vec<String>, Failure> {
    templates.iter().map(|path| relative_to_root(root, path)).collect()
}

/// Analyses a project: the one on disk, or one read from a git revision. `templates` are the
/// templates named on the command line (relative to the root); `shown` names the project in
/// messages.
pub(crate) fn analyse(
    files: &dyn ProjectFiles,
    templates: &[String],
    shown: &str,
    timings: &mut Timings,
) -> Result<Project, Failure> {
    let config = read_config(files)?;
    let listing = timings.time("walk", || files.list());
    timings.detail(things(listing.files.len(), "file"));
    // Templates and sources are independent until the model joins them: read both at once.
    let (templates, scanned) = std::thread::scope(|scope| {
        let loading = scope.spawn(|| {
            let started = Instant::now();
            let template_paths = if !templates.is_empty() {
                templates.to_vec()
            } else if !config.templates.is_empty() {
                config.templates.clone()
            } else {
                template::discover(files, &listing, &config.load)
            };
            let loaded =
                (!template_paths.is_empty()).then(|| template::load(files, &template_paths, &config.load));
            (loaded, started.elapsed())
        });
        let started = Instant::now();
        let prefiltered = scan::prefilter(files, &listing, &config.scan);
        let prefilter_took = started.elapsed();
        let candidates = (prefiltered.source_files(), prefiltered.candidate_files());
        let started = Instant::now();
        let facts = scan::parse(files, &listing, prefiltered, &config.scan);
        let scanned = (facts, candidates, prefilter_took, started.elapsed());
        // A panic on the template thread is the run's panic, as it would be on this one.
        (loading.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), scanned)
    });
    let (loaded, templates_took) = templates;
    let (facts, (source_files, candidate_files), prefilter_took, parse_took) = scanned;
    let Some(loaded) = loaded else {
        return Err(Failure::one(
            format!(
                "no SAM or CloudFormation template found in {shown}; name one with --template or in flowdoc.toml"
            ),
            None,
        ));
    };
    timings.record("templates", templates_took);
    timings.detail(format!(
        "{}, {}; alongside the scan",
        things(loaded.templates.len(), "template"),
        things(loaded.templates.iter().map(|t| t.resources.len()).sum(), "resource")
    ));
    if !loaded.errors.is_empty() {
        let problems = loaded
            .errors
            .iter()
            .map(|error| Problem {
                message: format!("cannot load the template: {}", error.message),
                location: Some(error.location.clone()),
                notes: error.related.iter().map(|related| (Level::Note, format!("see {related}"))).collect(),
            })
            .collect();
        return Err(Failure { problems });
    }
    timings.record("pre-filter", prefilter_took);
    timings.detail(format!(
        "{}, {} mention the annotations",
        things(source_files, "source file"),
        count(candidate_files)
    ));
    timings.record("parse", parse_took);
    timings.detail(format!(
        "{}, {}",
        things(facts.handlers.len(), "handler"),
        things(facts.event_types.len(), "event type")
    ));
    let unreadable_sources = !facts.problems.is_empty();
    let flow = timings.time("model", || model::build(&facts, &loaded));
    timings.detail(format!(
        "{}, {}",
        things(flow.nodes().count(), "node"),
        things(flow.edges_unsorted().count(), "edge")
    ));
    // The model holds what is needed from here on: free the inputs off the critical path.
    let _ = std::thread::Builder::new().name("flowdoc-free".into()).spawn(move || drop((facts, loaded)));
    let findings = timings.time("rules", || rules::check(&flow, &config.rules));
    timings.detail(things(findings.len(), "finding"));
    Ok(Project { config, flow, findings, unreadable_sources })
}

/// `flowdoc.toml`, or the flowdoc metadata of the root `Cargo.toml`, or the defaults.
fn read_config(files: &dyn ProjectFiles) -> Result<Config, Failure> {
    let read = |path: &str| -> Result<Option<String>, Failure> {
        let bytes = match files.read(path, MAX_CONFIG_BYTES) {
            Ok(bytes) => bytes,
            Err(ReadError::Io(error)) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => {
                return Err(Failure::one(
                    format!("cannot read {path}: {error}"),
                    Some(Location::new(path, 0, 0)),
                ));
            }
        };
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| Failure::one(format!("{path} is not valid UTF-8"), Some(Location::new(path, 0, 0))))
    };
    let invalid = |error: config::ConfigError| {
        Failure::one(format!("invalid configuration: {}", error.message), Some(error.location))
    };
    if let Some(text) = read("flowdoc.toml")? {
        return config::parse_flowdoc_toml("flowdoc.toml", &text).map_err(invalid);
    }
    if let Some(text) = read("Cargo.toml")? {
        return Ok(config::parse_cargo_metadata("Cargo.toml", &text).map_err(invalid)?.unwrap_or_default());
    }
    Ok(Config::default())
}

/// A path given on the command line (relative to the current directory), relative to the root.
fn relative_to_root(root: &Path, path: &Path) -> Result<String, Failure> {
    let shown = path.display().to_string();
    let absolute = path
        .canonicalize()
        .map_err(|error| Failure::one(format!("cannot read the template `{shown}`: {error}"), None))?;
    let root =
        root.canonicalize().map_err(|error| Failure::one(format!("cannot read the root: {error}"), None))?;
    let relative = absolute.strip_prefix(&root).map_err(|_| {
        Failure::one(format!("the template `{shown}` is outside the root `{}`", root.display()), None)
    })?;
    let parts: Option<Vec<&str>> = relative.components().map(|part| part.as_os_str().to_str()).collect();
    parts
        .map(|parts| parts.join("/"))
        .ok_or_else(|| Failure::one(format!("the template path `{shown}` is not valid UTF-8"), None))
}
