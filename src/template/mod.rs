//! The template loader: SAM and CloudFormation templates (YAML or JSON) to a typed model of
//! resources and relations, each with its line.
//!
//! 1. [`discover`] finds the templates of a project (or the caller names them).
//! 2. [`load`] reads each ([`yaml`]: events to positioned nodes, bounded), then reads its
//!    sections, merges `Globals`, adds the resources SAM creates implicitly, resolves what every
//!    value names ([`intrinsics`]) and reads each resource's relations (`resources`, `sam`,
//!    `grants`, and by family `iot`, `load_balancers`, `lattice`, `logs`, `cognito`, `alarms`). Local nested templates are loaded too.
//!
//! A template that cannot be read or is not a template is an error with its place; the others
//! still load. What is read but not understood is a warning, never fatal.

mod alarms;
mod apigateway;
mod appsync;
mod cognito;
mod emit;
mod firehose;
mod grants;
mod intrinsics;
mod iot;
mod lattice;
mod load;
mod load_balancers;
mod local_files;
mod logs;
mod model;
mod openapi;
mod policy_templates;
mod resources;
mod sam;
mod states;
pub(crate) mod types;
pub mod yaml;

pub use model::*;
pub use yaml::{Node, Value, YamlLimits};

use crate::cache::{Cache, Key, Kind};
use crate::files::{Listing, ProjectFiles, ReadError};
use crate::location::Location;
use std::collections::{BTreeSet, VecDeque};

/// Limits of template loading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadOptions {
    /// Nesting and node budgets of each document.
    pub yaml: YamlLimits,
    /// Larger template files are refused.
    pub max_file_bytes: u64,
}

impl Default for LoadOptions {
    fn default() -> LoadOptions {
        LoadOptions { yaml: YamlLimits::default(), max_file_bytes: 32 << 20 }
    }
}

/// File names that hold templates.
fn is_template_name(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".yaml", ".yml", ".json", ".template"].iter().any(|extension| lower.ends_with(extension))
}

/// Folders of generated templates (the CDK's synthesized output) that are not the project's own.
fn is_generated(path: &str) -> bool {
    path.split('/').any(|folder| folder == "cdk.out")
}

/// The folders flowdoc wrote (docs, sites: they hold its marker file), whose `flow.json` and
/// other files are its own output, never a template — however many `Resources` and `AWS::`
/// their names spell.
fn flowdoc_output(listing: &Listing) -> BTreeSet<&str> {
    let marker = crate::render::docs::MARKER;
    listing
        .files
        .iter()
        .filter(|path| path.rsplit('/').next() == Some(marker))
        .map(|path| crate::files::parent(path))
        .collect()
}

/// Whether `path` is inside one of `folders`.
fn is_inside(path: &str, folders: &BTreeSet<&str>) -> bool {
    let mut dir = crate::files::parent(path);
    loop {
        if folders.contains(dir) {
            return true;
        }
        if dir.is_empty() {
            return false;
        }
        dir = crate::files::parent(dir);
    }
}

/// The templates among `listing`: YAML and JSON files that declare a template format version or
/// have resources of AWS types. Other YAML and JSON (workflows, configs) is left alone.
pub fn discover(files: &dyn ProjectFiles, listing: &Listing, options: &LoadOptions) -> Vec<String> {
    let format_version = memchr::memmem::Finder::new("AWSTemplateFormatVersion");
    let resources = memchr::memmem::Finder::new("Resources");
    let aws_type = memchr::memmem::Finder::new("AWS::");
    let ours = flowdoc_output(listing);
    let named: Vec<&String> = listing
        .files
        .iter()
        .filter(|path| is_template_name(path) && !is_generated(path) && !is_inside(path, &ours))
        .collect();
    let workers = crate::parallel::Workers { threads: 0, stack: 0, name: "flowdoc-templates" };
    let is_template = crate::parallel::map(&named, workers, |path| {
        let looks_like_template = |bytes: &[u8]| {
            format_version.find(bytes).is_some()
                || (resources.find(bytes).is_some() && aws_type.find(bytes).is_some())
        };
        match files.read(path, options.max_file_bytes) {
            Ok(bytes) => looks_like_template(&bytes),
            // A template over the size limit is still found, so that loading says why it is
            // not read: its first megabyte tells.
            Err(ReadError::TooLarge { .. }) => files.open(path).is_ok_and(|reader| {
                let mut head = Vec::new();
                std::io::Read::read_to_end(&mut std::io::Read::take(reader, 1 << 20), &mut head).is_ok()
                    && looks_like_template(&head)
            }),
            // A file that cannot be read here is reported when it is loaded, if it is named.
            Err(_) => false,
        }
    });
    named
        .into_iter()
        .zip(is_template)
        .filter(|(_, is_template)| *is_template == Some(true))
        .map(|(path, _)| path.clone())
        .collect()
}

/// Loads the templates at `paths` (relative, `/`-separated) and the local templates they nest.
pub fn load(files: &dyn ProjectFiles, paths: &[String], options: &LoadOptions) -> Templates {
    load_cached(files, paths, options, &Cache::disabled())
}

/// [`load`], taking from `cache` the templates it has loaded from the same bytes (when the
/// files they read are unchanged too), and keeping those it loads.
pub fn load_cached(
    files: &dyn ProjectFiles,
    paths: &[String],
    options: &LoadOptions,
    cache: &Cache,
) -> Templates {
    let mut templates = Vec::new();
    let mut errors = Vec::new();
    // Each path to load, with the template that nests it and where.
    let mut queue: VecDeque<Queued> = paths.iter().map(|path| (path.clone(), None)).collect();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    // In waves: every template queued is loaded in parallel, then the results are taken in
    // queue order, exactly as one at a time would.
    let mut wave: VecDeque<(Queued, Result<load::Loaded, LoadFailure>)> = VecDeque::new();
    loop {
        if wave.is_empty() {
            let next: Vec<Queued> = queue.drain(..).filter(|(path, _)| seen.insert(path.clone())).collect();
            if next.is_empty() {
                break;
            }
            let workers = crate::parallel::Workers { threads: 0, stack: 0, name: "flowdoc-templates" };
            let results =
                crate::parallel::map(&next, workers, |(path, _)| load_one(files, path, options, cache));
            for (queued, result) in next.into_iter().zip(results) {
                let result = result.ok_or_else(|| {
                    LoadFailure::Problem(TemplateProblem {
                        location: Location::new(&queued.0, 1, 1),
                        severity: Severity::Error,
                        message:
                            "internal error while loading this template; it is skipped (please report it)"
                                .to_owned(),
                        related: None,
                    })
                });
                wave.push_back((queued, result.and_then(|loaded| loaded)));
            }
        }
        let Some(((path, nested_from), result)) = wave.pop_front() else { break };
        match result {
            Ok(loaded) => {
                let mut template = loaded.template;
                for nested in loaded.nested {
                    match crate::files::join(crate::files::parent(&path), &nested.path) {
                        Some(child) => {
                            template.nested.push(NestedStack {
                                resource: nested.resource,
                                template: child.clone(),
                                parameters: nested.parameters,
                            });
                            queue.push_back((child, Some((path.clone(), nested.at))));
                        }
                        None => template.problems.push(TemplateProblem {
                            location: nested.at,
                            severity: Severity::Warning,
                            message: format!(
                                "nested template `{}` is outside the project; not loaded",
                                nested.path
                            ),
                            related: None,
                        }),
                    }
                }
                templates.push(template);
            }
            // A nested template that is not in the project is the parent's problem, not a
            // template that failed.
            Err(LoadFailure::Missing) => {
                if let Some((parent_path, at)) = nested_from
                    && let Some(parent) = templates.iter_mut().find(|template| template.path == parent_path)
                {
                    parent.problems.push(TemplateProblem {
                        location: at,
                        severity: Severity::Warning,
                        message: format!("nested template `{path}` is not in the project; not loaded"),
                        related: None,
                    });
                    parent.problems.sort();
                } else {
                    errors.push(TemplateProblem {
                        location: Location::new(&path, 1, 1),
                        severity: Severity::Error,
                        message: "no such template file".to_owned(),
                        related: None,
                    });
                }
            }
            Err(LoadFailure::Problem(mut problem)) => {
                if let Some((_, at)) = nested_from {
                    problem.related = Some(at);
                }
                errors.push(problem);
            }
        }
    }
    // A nested template's stack name is made up when its parent deploys it, whatever a
    // `samconfig.toml` beside it says.
    let nested: BTreeSet<String> = templates
        .iter()
        .flat_map(|template| template.nested.iter().map(|stack| stack.template.clone()))
        .collect();
    for template in &mut templates {
        if nested.contains(&template.path) {
            template.stack_name = None;
        }
    }
    Templates::new(templates, errors)
}

/// A template to load, with the template that nests it and where.
type Queued = (String, Option<(String, Location)>);

/// Why a template did not load.
#[derive(Debug)]
enum LoadFailure {
    /// There is no such file: for a nested template, a warning of the template that nests it.
    Missing,
    /// It could not be read, or is not a template.
    Problem(TemplateProblem),
}

impl From<TemplateProblem> for LoadFailure {
    fn from(problem: TemplateProblem) -> LoadFailure {
        LoadFailure::Problem(problem)
    }
}

/// A loaded template as the cache keeps it, with the other files its loading read.
#[derive(serde::Serialize, serde::Deserialize)]
struct Cached {
    reads: Vec<local_files::FileRead>,
    loaded: load::Loaded,
}

/// Reads and loads the template at `path`, or takes it from `cache`.
fn load_one(
    files: &dyn ProjectFiles,
    path: &str,
    options: &LoadOptions,
    cache: &Cache,
) -> Result<load::Loaded, LoadFailure> {
    let at_start = |message: String| {
        LoadFailure::Problem(TemplateProblem {
            location: Location::new(path, 1, 1),
            severity: Severity::Error,
            message,
            related: None,
        })
    };
    let bytes = files.read(path, options.max_file_bytes).map_err(|error| match error {
        ReadError::TooLarge { .. } => at_start(format!("template not loaded: {error}")),
        ReadError::Io(io) if io.kind() == std::io::ErrorKind::NotFound => LoadFailure::Missing,
        ReadError::Io(io) => at_start(format!("cannot read the template: {io}")),
    })?;
    let key = Key::new(Kind::Templates, &[path.as_bytes(), format!("{options:?}").as_bytes(), &bytes]);
    if let Some(cached) = cache.get_value::<Cached>(Kind::Templates, key)
        && cached.reads.iter().all(|read| read.still_holds(files, options.max_file_bytes))
    {
        return Ok(cached.loaded);
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        TemplateProblem {
            location: Location::at_offset(path, error.as_bytes(), offset),
            severity: Severity::Error,
            message: "the template is not valid UTF-8".into(),
            related: None,
        }
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let doc = yaml::parse(text, options.yaml).map_err(|error| TemplateProblem {
        location: Location::new(path, error.line, error.column),
        severity: Severity::Error,
        message: error.message,
        related: error.related.map(|(line, column)| Location::new(path, line, column)),
    })?;
    let local = local_files::LocalFiles::new(files, path, *options);
    let loaded = load::load(path, doc, &local)?;
    let Some(reads) = local.reads().filter(|_| cache.is_enabled()) else { return Ok(loaded) };
    let cached = Cached { reads, loaded };
    cache.put_value(Kind::Templates, key, &cached);
    Ok(cached.loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cache keeps loaded templates in postcard's form, which cannot read back every serde
    /// shape JSON can (tagged enums, fields left out); a value that does not read back is only a
    /// miss, so this is where such a shape would show.
    #[test]
    fn every_fixture_and_corpus_template_reads_back_from_the_cache_form() {
        let mut loaded_count = 0;
        for entry in walkdir::WalkDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests")) {
            let entry = entry.unwrap();
            let is_template = matches!(
                entry.path().extension().and_then(|extension| extension.to_str()),
                Some("yaml" | "yml" | "json" | "template")
            );
            let Some(text) = is_template.then(|| std::fs::read_to_string(entry.path()).ok()).flatten() else {
                continue;
            };
            let mut files = crate::files::MemoryFiles::new();
            files.insert("template.yaml", text.as_bytes());
            let options = LoadOptions::default();
            let local = local_files::LocalFiles::new(&files, "template.yaml", options);
            let Ok(doc) = yaml::parse(&text, options.yaml) else { continue };
            let Ok(loaded) = load::load("template.yaml", doc, &local) else { continue };
            let bytes = postcard::to_stdvec(&loaded).unwrap();
            let back: load::Loaded = postcard::from_bytes(&bytes)
                .unwrap_or_else(|error| panic!("{}: {error}", entry.path().display()));
            assert_eq!(postcard::to_stdvec(&back).unwrap(), bytes, "{}", entry.path().display());
            loaded_count += 1;
        }
        assert!(loaded_count > 100, "only {loaded_count} templates loaded");
    }
}
