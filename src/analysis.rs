//! The one way in: a project's files to an analysed flow. Configuration found and read,
//! templates named or discovered and loaded, crates scanned (alongside the templates), the flow
//! built and checked, each phase timed. The command line, the tests and the benchmarks all go
//! through [`analyse`].

use crate::cache::{Cache, Kind};
use crate::config::{self, Config};
use crate::files::{ProjectFiles, ReadError};
use crate::location::Location;
use crate::model::{self, Flow};
use crate::rules::{self, Finding};
use crate::scan::{ScanFacts, SourceProblem};
use crate::template::Templates;
use crate::timings::{Timings, count, things};
use crate::{scan, template};
use std::time::Instant;

/// What to analyse.
#[derive(Clone, Copy)]
pub struct Project<'a> {
    /// The project's files: a folder on disk, a git revision, or files held in memory.
    pub files: &'a dyn ProjectFiles,
    /// The templates to read (relative, `/`-separated). When empty, the configuration's; when
    /// it names none either, the templates found among the files.
    pub templates: &'a [String],
    /// The configuration. `None` reads `flowdoc.toml` (or the flowdoc metadata of the root
    /// `Cargo.toml`) from the files, with the defaults when there is neither.
    pub config: Option<&'a Config>,
    /// How messages name the project, such as `` `services/` `` or `` revision `HEAD` ``.
    pub name: &'a str,
    /// What earlier runs worked out from the same files ([`Cache::disabled`] by default).
    pub cache: &'a Cache,
    /// Whether the scan's facts and the loaded templates are let go of as soon as the model is
    /// built (the default), on a thread of their own, or held by the [`Analysis`] until it ends.
    pub free_inputs_early: bool,
}

impl std::fmt::Debug for Project<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Project")
            .field("templates", &self.templates)
            .field("config", &self.config)
            .field("name", &self.name)
            .field("cache", &self.cache.is_enabled())
            .field("free_inputs_early", &self.free_inputs_early)
            .finish_non_exhaustive()
    }
}

impl<'a> Project<'a> {
    /// The project of `files`, with its own configuration and templates.
    pub fn new(files: &'a dyn ProjectFiles) -> Project<'a> {
        Project {
            files,
            templates: &[],
            config: None,
            name: "the project",
            cache: &NO_CACHE,
            free_inputs_early: true,
        }
    }

    /// The same project, taking what `cache` holds and keeping what it works out there.
    pub fn cache(self, cache: &'a Cache) -> Project<'a> {
        Project { cache, ..self }
    }

    /// The same project, reading `templates` instead of the configured or discovered ones.
    pub fn templates(self, templates: &'a [String]) -> Project<'a> {
        Project { templates, ..self }
    }

    /// The same project, with `config` instead of the one its files hold.
    pub fn config(self, config: &'a Config) -> Project<'a> {
        Project { config: Some(config), ..self }
    }

    /// The same project, named `name` in messages.
    pub fn named(self, name: &'a str) -> Project<'a> {
        Project { name, ..self }
    }

    /// The same project, its analysis holding what the model was built from until the analysis
    /// ends: for a caller that only prints what it found and ends, for whom freeing that memory
    /// would only take a core from the rules and the output (the process gives it back).
    pub fn keeping_inputs(self) -> Project<'a> {
        Project { free_inputs_early: false, ..self }
    }
}

/// What an analysis found.
#[derive(Debug)]
pub struct Analysis {
    /// The configuration it ran with.
    pub config: Config,
    /// The flow.
    pub flow: Flow,
    /// The rules' findings, sorted.
    pub findings: Vec<Finding>,
    /// How long each phase took; callers add the phases of their own that follow.
    pub timings: Timings,
    /// What the flow was built from (the scan's facts, the loaded templates), held when the
    /// project said so ([`Project::keeping_inputs`]); never read, only let go of with the
    /// analysis.
    _inputs: Option<(ScanFacts, Templates)>,
}

impl Analysis {
    /// The source files that could not be read or parsed: the run goes on without them, and
    /// ends as a failed one.
    pub fn unreadable_sources(&self) -> &[SourceProblem] {
        self.flow.source_problems()
    }
}

/// Why an analysis cannot go on: each problem with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The problems, in the order they were found.
    pub problems: Vec<Problem>,
}

/// One reason an analysis stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// What is wrong.
    pub message: String,
    /// Where, when it is somewhere in the project.
    pub location: Option<Location>,
    /// Other places the message refers to.
    pub related: Vec<Location>,
}

impl Failure {
    /// A failure for one reason.
    pub fn one(message: impl Into<String>, location: Option<Location>) -> Failure {
        Failure { problems: vec![Problem { message: message.into(), location, related: Vec::new() }] }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (at, problem) in self.problems.iter().enumerate() {
            if at > 0 {
                writeln!(f)?;
            }
            match &problem.location {
                Some(location) => write!(f, "{location}: {}", problem.message)?,
                None => write!(f, "{}", problem.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

/// The cache of a project that has none.
static NO_CACHE: Cache = Cache::disabled();

/// Configuration files are small.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Analyses `project`: its templates loaded and its crates scanned (at the same time), the flow
/// built, the rules run. A template that cannot be loaded stops the analysis; a source file
/// that cannot be read does not (see [`Analysis::unreadable_sources`]).
pub fn analyse(project: &Project<'_>) -> Result<Analysis, Failure> {
    let mut timings = Timings::new();
    let config = match project.config {
        Some(config) => config.clone(),
        None => read_config(project.files)?,
    };
    let files = project.files;
    let listing = timings.time("walk", || files.list());
    timings.detail(things(listing.files.len(), "file"));
    // Templates and sources are independent until the model joins them: read both at once.
    let (templates, scanned) = std::thread::scope(|scope| {
        let loading = scope.spawn(|| {
            let started = Instant::now();
            let template_paths = if !project.templates.is_empty() {
                project.templates.to_vec()
            } else if !config.templates.is_empty() {
                config.templates.clone()
            } else {
                template::discover(files, &listing, &config.load)
            };
            // Loaded, the templates make their part of the flow while the scan goes on.
            let loaded = (!template_paths.is_empty()).then(|| {
                let mut loaded = template::load_cached(files, &template_paths, &config.load, project.cache);
                loaded.name_stacks(&config.stacks);
                let infrastructure = model::infrastructure(&loaded);
                (loaded, infrastructure)
            });
            (loaded, started.elapsed())
        });
        let started = Instant::now();
        let prefiltered = scan::prefilter_cached(files, &listing, &config.scan, project.cache);
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
    let Some((loaded, infrastructure)) = loaded else {
        return Err(Failure::one(
            format!(
                "no SAM or CloudFormation template found in {}; name one with --template or in flowdoc.toml",
                project.name
            ),
            None,
        ));
    };
    timings.record("templates", templates_took);
    timings.detail(format!(
        "{}, {}{}; with their part of the model, alongside the scan",
        things(loaded.templates().len(), "template"),
        things(loaded.templates().iter().map(|t| t.resources.len()).sum(), "resource"),
        from_cache(project.cache, Kind::Templates, "template")
    ));
    if !loaded.errors().is_empty() {
        let problems = loaded
            .errors()
            .iter()
            .map(|error| Problem {
                message: format!("cannot load the template: {}", error.message),
                location: Some(error.location.clone()),
                related: error.related.iter().cloned().collect(),
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
        "{}, {}{}",
        things(facts.handlers.len(), "handler"),
        things(facts.event_types.len(), "event type"),
        from_cache(project.cache, Kind::Sources, "file")
    ));
    // The model is built on this thread alone: the other compresses what the scan and the
    // template loading added to the cache meanwhile.
    let flow = std::thread::scope(|scope| {
        if project.cache.is_enabled() {
            let packing = std::thread::Builder::new().name("flowdoc-cache".into());
            // Without the thread, the pack writer compresses them at the end.
            let _ = packing.spawn_scoped(scope, || project.cache.pack_added());
        }
        timings.time("model", || model::build(infrastructure, &facts, &loaded))
    });
    timings.detail(format!(
        "{}, {}",
        things(flow.nodes().count(), "node"),
        things(flow.edges_unsorted().count(), "edge")
    ));
    let inputs = (facts, loaded);
    let inputs = if project.free_inputs_early {
        // The model holds what is needed from here on: the memory is freed off the critical path.
        let _ = std::thread::Builder::new().name("flowdoc-free".into()).spawn(move || drop(inputs));
        None
    } else {
        Some(inputs)
    };
    let findings = timings.time("rules", || rules::check(&flow, &config.rules));
    timings.detail(things(findings.len(), "finding"));
    Ok(Analysis { config, flow, findings, timings, _inputs: inputs })
}

/// How many `what`s of `kind` came from the cache, for a timings line; empty without a cache.
fn from_cache(cache: &Cache, kind: Kind, what: &str) -> String {
    if !cache.is_enabled() {
        return String::new();
    }
    let usage = cache.usage(kind);
    format!("; {} of {} from the cache", count(usage.hits), things(usage.hits + usage.misses, what))
}

/// `flowdoc.toml`, or the flowdoc metadata of the root `Cargo.toml`, or the defaults.
fn read_config(files: &dyn ProjectFiles) -> Result<Config, Failure> {
    let read = |path: &str| -> Result<Option<String>, Failure> {
        let bytes = match files.read(path, MAX_CONFIG_BYTES) {
            Ok(bytes) => bytes,
            Err(ReadError::Io(error)) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => {
                return Err(Failure::one(format!("cannot read {path}: {error}"), Some(Location::file(path))));
            }
        };
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| Failure::one(format!("{path} is not valid UTF-8"), Some(Location::file(path))))
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
