//! The source scanner: from a project's files to [`ScanFacts`], without compiling anything.
//!
//! 1. Crates are found from their `Cargo.toml`, with their library and binary targets.
//! 2. Every `.rs` file of a crate is read and pre-filtered: only files that mention an attribute
//!    name or the annotations crate go on.
//! 3. Of those, only the items that can hold annotations (and the module tree) are kept by the
//!    skim and read from its tokens (`fast`), with syn only for the attributes' arguments and
//!    what the token reader cannot vouch for; a file it cannot read whole is lexed, checked
//!    against the nesting limit and parsed with syn on threads with a large stack. Spans
//!    become `file:line:col` at once. Each file's findings are kept in the cache by its bytes.
//! 4. In crates that hold annotations, `mod` declarations are followed from each target root to
//!    learn each file's module path and targets.
//!
//! A file that cannot be read, is not UTF-8, does not parse or nests too deep is a problem with
//! its location; the scan goes on with the other files.

mod extract;
mod facts;
mod fast;
mod lex;
mod manifest;
mod modules;
mod names;
mod prefilter;
mod skim;

pub use facts::*;

use crate::cache::{Cache, Key, Kind};
use crate::files::{Listing, ProjectFiles, ReadError, parent};
use crate::location::{Location, saturating_u32};
use extract::FileFindings;
use modules::ModDecl;
use prefilter::Prefilter;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Limits and choices of a scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanOptions {
    /// Only crates in these folders (relative, `/`-separated) are scanned; all when empty.
    pub crate_roots: Vec<String>,
    /// Source files larger than this are not parsed (they are still searched for annotations,
    /// and reported if they have some).
    pub max_file_bytes: u64,
    /// Files whose nesting could make the parser recurse deeper than this are not parsed.
    pub max_nesting: usize,
    /// Parser threads; 0 means one per core.
    pub threads: usize,
}

impl Default for ScanOptions {
    fn default() -> ScanOptions {
        ScanOptions { crate_roots: Vec::new(), max_file_bytes: 16 << 20, max_nesting: 256, threads: 0 }
    }
}

/// Manifests are small; anything larger is not a real one.
const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// Scans the Rust crates among `listing`, the files of `files`: [`prefilter`], then [`parse`].
pub fn scan(files: &dyn ProjectFiles, listing: &Listing, options: &ScanOptions) -> ScanFacts {
    parse(files, listing, prefilter(files, listing, options), options)
}

/// The first step of a scan: the crates found, every source file read and searched for the
/// annotations, and those that mention them parsed as they were read.
#[derive(Debug)]
pub struct Prefiltered {
    crates: Vec<Crate>,
    /// Every source file: its path and the index of its crate.
    sources: Vec<(String, usize)>,
    /// What the pre-filter saw of each source, by index into `sources`.
    glances: Vec<Glance>,
    /// The sources that mention the annotations: index into `sources`, and what they hold (or
    /// why they could not be read).
    candidates: Vec<(usize, Parsed)>,
    problems: Vec<SourceProblem>,
}

/// What a file that mentions the annotations holds: its findings and `mod` declarations.
type Parsed = Result<(FileFindings, Vec<ModDecl>), SourceProblem>;

impl Prefiltered {
    /// How many source files were read.
    pub fn source_files(&self) -> usize {
        self.sources.len()
    }

    /// How many of them mention the annotations (and were parsed).
    pub fn candidate_files(&self) -> usize {
        self.candidates.len()
    }
}

/// Finds the crates and reads every source file; one that mentions the annotations is parsed
/// at once, on the thread that read it (see [`prefilter_cached`]).
pub fn prefilter(files: &dyn ProjectFiles, listing: &Listing, options: &ScanOptions) -> Prefiltered {
    prefilter_cached(files, listing, options, &Cache::disabled())
}

/// [`prefilter`], taking what `cache` holds for files it has seen with the same bytes and
/// keeping what it works out. Files are read in parallel, on threads with a stack for the
/// nesting limit; a text is let go of as soon as it is parsed.
pub fn prefilter_cached(
    files: &dyn ProjectFiles,
    listing: &Listing,
    options: &ScanOptions,
    cache: &Cache,
) -> Prefiltered {
    let mut problems = Vec::new();
    let crates = find_crates(files, listing, options, &mut problems);
    // What could not be listed inside a crate may hold sources: the scan is not complete.
    for problem in &listing.problems {
        if crates.iter().any(|krate| is_within(&problem.path, &krate.dir)) {
            problems.push(SourceProblem {
                location: Location::file(&problem.path),
                kind: ProblemKind::Unreadable,
                message: problem.message.clone(),
            });
        }
    }
    let sources: Vec<(String, usize)> =
        assign_sources(listing, &crates).into_iter().map(|(path, index)| (path.to_owned(), index)).collect();
    let module_files = ModuleFiles::new(&sources);
    let stack = lex::parse_stack_bytes(options.max_nesting);
    let results = parallel_map(
        &sources,
        options,
        stack,
        |(path, _)| path,
        |(path, crate_index)| {
            let krate = &crates[*crate_index];
            let (glance, text) =
                read_candidate(files, path, krate, options, module_files.may_have_children(krate, path))?;
            Ok((glance, text.map(|text| parse_cached_source(path, &text, krate, options, cache))))
        },
    );
    let mut candidates = Vec::new();
    let mut glances = Vec::with_capacity(sources.len());
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Ok((glance, parsed)) => {
                glances.push(glance);
                if let Some(parsed) = parsed {
                    candidates.push((index, parsed));
                }
            }
            Err(problem) => {
                glances.push(Glance::default());
                problems.push(problem);
            }
        }
    }
    Prefiltered { crates, sources, glances, candidates, problems }
}

/// The second step of a scan: module paths are worked out where annotations were found, and
/// the handlers and event types of the parsed files placed in them.
pub fn parse(
    files: &dyn ProjectFiles,
    listing: &Listing,
    prefiltered: Prefiltered,
    options: &ScanOptions,
) -> ScanFacts {
    let Prefiltered { crates, sources, glances, candidates, mut problems } = prefiltered;
    let mut found: BTreeMap<&str, (usize, FileFindings)> = BTreeMap::new();
    let mut decls: BTreeMap<String, Vec<ModDecl>> = BTreeMap::new();
    for (index, result) in candidates {
        let (path, crate_index) = &sources[index];
        match result {
            Ok((findings, mods)) => {
                decls.insert(path.clone(), mods);
                found.insert(path, (*crate_index, findings));
            }
            Err(problem) => problems.push(problem),
        }
    }

    // Module placement needs the `mod` declarations of the files on the way from each target
    // root to the files with findings, which the pre-filter read from the bytes in hand.
    let annotated = annotated_files(&found);
    let mut prefetched: BTreeMap<&str, Prefetched> = BTreeMap::new();
    for ((path, index), glance) in sources.iter().zip(glances) {
        let Some(annotated) = annotated.get(index) else { continue };
        if decls.contains_key(path) {
            continue;
        }
        let mod_rs = crates[*index].is_mod_rs(path);
        if let Some(found) = look_for_mods(files, options, path, glance, mod_rs, annotated) {
            prefetched.insert(path, found);
        }
    }
    for (path, found) in &prefetched {
        if let Prefetched::Decls(found) = found {
            decls.insert((*path).to_owned(), found.clone());
        }
    }

    let placements = place_crates(files, options, listing, &crates, &decls, &prefetched, &annotated);
    let mut facts = ScanFacts::default();
    for (path, (crate_index, findings)) in found {
        let krate = &crates[crate_index];
        let placement = placements.get(path);
        let file_module = placement.map_or_else(|| module_from_path(&krate.dir, path), |p| p.module.clone());
        let targets: Vec<String> = placement.map(|p| p.targets.iter().cloned().collect()).unwrap_or_default();
        let module_of = |inline: &str| {
            if inline.is_empty() { file_module.clone() } else { format!("{file_module}::{inline}") }
        };
        for handler in findings.handlers {
            facts.handlers.push(HandlerFacts {
                module: module_of(&handler.inline_module),
                name: handler.name,
                doc: handler.doc,
                location: handler.location,
                crate_name: krate.facts.name.clone(),
                targets: targets.clone(),
                annotations: handler.annotations,
            });
        }
        for found in findings.event_types {
            let mut event_type = found.facts;
            event_type.crate_name = krate.facts.name.clone();
            event_type.module = module_of(&found.inline_module);
            facts.event_types.push(event_type);
        }
        problems.extend(findings.problems);
    }
    facts.crates = crates.into_iter().map(|krate| krate.facts).collect();
    facts.crates.sort_by(|a, b| a.dir.cmp(&b.dir));
    facts.handlers.sort_by(|a, b| a.location.cmp(&b.location));
    facts.event_types.sort_by(|a, b| a.location.cmp(&b.location));
    problems.sort();
    problems.dedup();
    facts.problems = problems;
    facts
}

/// A crate as the scan uses it.
#[derive(Debug)]
struct Crate {
    facts: CrateFacts,
    dir: String,
    /// Target key (`lib`, `bin:<name>`) and root file, for module placement.
    roots: Vec<(String, String)>,
    /// Files and folders of tests, benches and examples, which hold no handlers.
    excluded: Vec<String>,
    /// The name `flowdoc-annotations` is imported as.
    annotations_crate: String,
    prefilter: Prefilter,
}

impl Crate {
    /// Whether `path` is a mod-rs file of the crate, whose child modules live beside it: a
    /// target root or a `mod.rs`.
    fn is_mod_rs(&self, path: &str) -> bool {
        self.roots.iter().any(|(_, root)| root == path) || path.ends_with("/mod.rs")
    }
}

fn find_crates(
    files: &dyn ProjectFiles,
    listing: &Listing,
    options: &ScanOptions,
    problems: &mut Vec<SourceProblem>,
) -> Vec<Crate> {
    let all: BTreeSet<&str> = listing.files.iter().map(String::as_str).collect();
    let manifest_paths: Vec<&String> = listing
        .files
        .iter()
        .filter(|path| path.rsplit('/').next() == Some("Cargo.toml"))
        .filter(|path| {
            let dir = parent(path);
            options.crate_roots.is_empty() || options.crate_roots.iter().any(|root| is_within(dir, root))
        })
        .collect();
    // Reading and parsing the manifests, on all threads; None for one that is not a package.
    let read = parallel_map(
        &manifest_paths,
        options,
        0,
        |path| path,
        |manifest_path| {
            let bytes = files
                .read(manifest_path, MAX_MANIFEST_BYTES)
                .map_err(|error| unreadable(manifest_path, &error))?;
            let text = lex::decode(manifest_path, bytes)?;
            let has_lib = all.contains(join_dir(parent(manifest_path), "src/lib.rs").as_str());
            match manifest::parse(manifest_path, &text, has_lib) {
                Ok(manifest) => Ok(Some(manifest)),
                Err(manifest::ManifestError::NotAPackage) => Ok(None),
                Err(manifest::ManifestError::Invalid(location, message)) => Err(SourceProblem {
                    location,
                    kind: ProblemKind::Manifest,
                    message: format!("cannot read Cargo.toml: {message}"),
                }),
            }
        },
    );
    let mut crates = Vec::new();
    for (manifest_path, result) in manifest_paths.into_iter().zip(read) {
        let dir = parent(manifest_path);
        let manifest = match result {
            Ok(Some(manifest)) => manifest,
            Ok(None) => continue,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        let in_dir = |relative: &str| join_dir(dir, relative);
        let mut targets = Vec::new();
        if let Some((name, root)) = &manifest.lib {
            targets.push(TargetFacts { kind: TargetKind::Lib, name: name.clone(), root: in_dir(root) });
        }
        let mut bins: BTreeMap<String, String> = BTreeMap::new();
        if manifest.autobins {
            discover_bins(dir, &manifest.name, &all, &mut bins);
        }
        for (name, path) in &manifest.declared_bins {
            let root = match path {
                Some(path) => Some(in_dir(path)),
                None => [format!("src/bin/{name}.rs"), format!("src/bin/{name}/main.rs")]
                    .into_iter()
                    .chain((*name == manifest.name).then(|| "src/main.rs".to_owned()))
                    .map(|candidate| in_dir(&candidate))
                    .find(|candidate| all.contains(candidate.as_str())),
            };
            if let Some(root) = root {
                bins.retain(|_, existing| *existing != root);
                bins.insert(name.clone(), root);
            }
        }
        targets.extend(bins.into_iter().map(|(name, root)| TargetFacts {
            kind: TargetKind::Bin,
            name,
            root,
        }));
        let roots = targets
            .iter()
            .map(|target| {
                let key = match target.kind {
                    TargetKind::Lib => "lib".to_owned(),
                    TargetKind::Bin => format!("bin:{}", target.name),
                };
                (key, target.root.clone())
            })
            .collect();
        let mut excluded: Vec<String> = ["tests", "benches", "examples"].iter().map(|d| in_dir(d)).collect();
        excluded.extend(manifest.other_target_roots.iter().map(|root| in_dir(root)));
        let annotations_crate =
            manifest.annotations_crate.clone().unwrap_or_else(|| "flowdoc_annotations".to_owned());
        crates.push(Crate {
            facts: CrateFacts { name: manifest.name, dir: dir.to_owned(), targets },
            dir: dir.to_owned(),
            roots,
            excluded,
            prefilter: Prefilter::new(&annotations_crate),
            annotations_crate,
        });
    }
    crates
}

/// Binaries cargo finds by itself: `src/main.rs`, `src/bin/<name>.rs`, `src/bin/<name>/main.rs`.
fn discover_bins(dir: &str, package: &str, all: &BTreeSet<&str>, bins: &mut BTreeMap<String, String>) {
    let main = join_dir(dir, "src/main.rs");
    if all.contains(main.as_str()) {
        bins.insert(package.to_owned(), main);
    }
    let bin_dir = join_dir(dir, "src/bin/");
    for path in all.range(bin_dir.as_str()..).take_while(|path| path.starts_with(&bin_dir)) {
        let rest = &path[bin_dir.len()..];
        let name = match rest.split('/').collect::<Vec<_>>().as_slice() {
            [file] => file.strip_suffix(".rs"),
            [folder, "main.rs"] => Some(*folder),
            _ => None,
        };
        if let Some(name) = name {
            bins.insert(name.to_owned(), (*path).to_owned());
        }
    }
}

/// Pairs each `.rs` file with the crate it belongs to: the nearest crate folder above it. Files
/// of tests, benches and examples, and files in no crate, are left out.
fn assign_sources<'a>(listing: &'a Listing, crates: &[Crate]) -> Vec<(&'a str, usize)> {
    let by_dir: BTreeMap<&str, usize> =
        crates.iter().enumerate().map(|(index, krate)| (krate.dir.as_str(), index)).collect();
    let mut sources = Vec::new();
    for path in listing.files.iter().filter(|path| path.ends_with(".rs")) {
        let mut dir = parent(path);
        let owner = loop {
            if let Some(&index) = by_dir.get(dir) {
                break Some(index);
            }
            if dir.is_empty() {
                break None;
            }
            dir = parent(dir);
        };
        if let Some(index) = owner
            && !crates[index].excluded.iter().any(|excluded| is_within(path, excluded))
        {
            sources.push((path.as_str(), index));
        }
    }
    sources
}

/// Reads one source file: what placement may need of it, and its text when it mentions the
/// annotations (None when it does not).
fn read_candidate(
    files: &dyn ProjectFiles,
    path: &str,
    krate: &Crate,
    options: &ScanOptions,
    may_have_children: bool,
) -> Result<(Glance, Option<String>), SourceProblem> {
    let bytes = match files.read(path, options.max_file_bytes) {
        Ok(bytes) => bytes,
        Err(error @ ReadError::TooLarge { .. }) => {
            let mentions = files.open(path).and_then(|reader| krate.prefilter.matches_stream(reader));
            return match mentions {
                Ok(false) => Ok((Glance::default(), None)),
                Ok(true) => Err(unreadable(path, &error)),
                Err(io) => Err(unreadable(path, &ReadError::Io(io))),
            };
        }
        Err(error) => return Err(unreadable(path, &error)),
    };
    if !krate.prefilter.matches(&bytes) {
        return Ok((Glance::of(path, &bytes, may_have_children), None));
    }
    // Parsed, the file gives its `mod` declarations with its findings.
    let glance =
        Glance { seen: Some(Seen { may_redirect: may_redirect(&bytes), modules: Modules::NotRead }) };
    let text = lex::decode(path, bytes)?;
    Ok((glance, Some(lex::strip_preamble(&text).into_owned())))
}

/// What the pre-filter saw of a source file, so that module placement need not read it again.
#[derive(Debug, Default)]
struct Glance {
    /// None when the file was not read whole (too large): placement reads it itself.
    seen: Option<Seen>,
}

#[derive(Debug)]
struct Seen {
    /// It may hold a `#[path]` attribute.
    may_redirect: bool,
    /// Its `mod` declarations, where placement may want them.
    modules: Modules,
}

#[derive(Debug)]
enum Modules {
    /// Read by a skim that passes function bodies over: cheaper than hashing the file for a
    /// cache key. None when it is not UTF-8 (which a module file must be) or cannot be lexed.
    Read(Option<Vec<ModDecl>>),
    /// Not read: a file that mentions the annotations (parsing gives them), or one no module
    /// file can lie below (see [`ModuleFiles`]) that has no `#[path]` either.
    NotRead,
}

impl Glance {
    /// What placement may need of a file that does not mention the annotations.
    fn of(path: &str, bytes: &[u8], may_have_children: bool) -> Glance {
        let may_redirect = may_redirect(bytes);
        let modules = if may_have_children || may_redirect {
            Modules::Read(read_mod_decls(path, bytes))
        } else {
            Modules::NotRead
        };
        Glance { seen: Some(Seen { may_redirect, modules }) }
    }
}

/// Which source files module files can lie below, from the listing alone: a crate's target
/// roots and `mod.rs` files (their child modules live beside them), and a `name.rs` beside a
/// folder `name/` that holds sources. Placement only ever asks for the `mod` declarations of
/// these (and of files with `#[path]`), so the pre-filter reads them for no others.
struct ModuleFiles<'s> {
    /// Every folder that holds a source, at any depth.
    folders: HashSet<&'s str>,
}

impl<'s> ModuleFiles<'s> {
    fn new(sources: &'s [(String, usize)]) -> ModuleFiles<'s> {
        let mut folders = HashSet::new();
        for (path, _) in sources {
            let mut folder = parent(path);
            while !folder.is_empty() && folders.insert(folder) {
                folder = parent(folder);
            }
        }
        ModuleFiles { folders }
    }

    /// Whether module files can lie below `path`, a source of `krate`.
    fn may_have_children(&self, krate: &Crate, path: &str) -> bool {
        krate.is_mod_rs(path) || path.strip_suffix(".rs").is_some_and(|stem| self.folders.contains(stem))
    }
}

/// [`parse_source`], or what `cache` kept of a file with the same path and bytes in a crate
/// that imports the annotations under the same name, read with the same nesting limit.
fn parse_cached_source(
    path: &str,
    text: &str,
    krate: &Crate,
    options: &ScanOptions,
    cache: &Cache,
) -> Parsed {
    let key = Key::new(
        Kind::Sources,
        &[
            path.as_bytes(),
            krate.annotations_crate.as_bytes(),
            &(options.max_nesting as u64).to_le_bytes(),
            text.as_bytes(),
        ],
    );
    cache.get_or_work(Kind::Sources, key, || parse_source(path, text, krate, options))
}

fn parse_source(path: &str, text: &str, krate: &Crate, options: &ScanOptions) -> Parsed {
    // Only the items that can hold annotations (and the module tree) are read: without syn
    // where the token reader understands them all; else lexed and parsed with syn. Should the
    // text not be followed, or those items not parse on their own, the whole file is, which
    // also finds the place of a real syntax error.
    let skimmed = skim::skim_tokens(text, skim::Keep::Annotated(&krate.annotations_crate));
    if let Some(read) = skimmed
        .as_ref()
        .and_then(|kept| fast::read(path, kept, &krate.annotations_crate, options.max_nesting))
    {
        return Ok(read);
    }
    let parsed = skimmed.and_then(|kept| lex::lex(path, &kept.blanked()).ok()).and_then(|tokens| {
        let mods = modules::mod_decls(&tokens);
        parse_tokens(path, tokens, options).ok().map(|file| (file, mods))
    });
    let (file, mods) = match parsed {
        Some(parsed) => parsed,
        None => {
            let tokens = lex::lex(path, text)?;
            let mods = modules::mod_decls(&tokens);
            (parse_tokens(path, tokens, options)?, mods)
        }
    };
    let findings = extract::extract(path, &file, &krate.annotations_crate);
    Ok((findings, mods))
}

/// Parses a token stream as a file, after checking it against the nesting limit.
fn parse_tokens(
    path: &str,
    tokens: proc_macro2::TokenStream,
    options: &ScanOptions,
) -> Result<syn::File, SourceProblem> {
    lex::check_nesting(path, &tokens, options.max_nesting)?;
    syn::parse2(tokens).map_err(|error| {
        let start = error.span().start();
        SourceProblem {
            location: Location::new(path, saturating_u32(start.line), saturating_u32(start.column + 1)),
            kind: ProblemKind::Syntax,
            message: format!("cannot parse Rust source: {error}; the file is skipped"),
        }
    })
}

/// What placement may need of a file, looked at ahead.
#[derive(Debug)]
enum Prefetched {
    /// Its `mod` declarations, lexed.
    Decls(Vec<ModDecl>),
    /// Not lexed: it cannot redirect a module with `#[path]`, and as a module of the kind its
    /// name suggests no file with findings is below it.
    Plain,
}

/// The files with findings, by crate.
fn annotated_files<'p>(
    found: &BTreeMap<&'p str, (usize, FileFindings)>,
) -> BTreeMap<usize, BTreeSet<&'p str>> {
    let mut annotated: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
    for (path, (index, findings)) in found {
        if !findings.handlers.is_empty() || !findings.event_types.is_empty() {
            annotated.entry(*index).or_default().insert(path);
        }
    }
    annotated
}

/// Whether a file with findings lies where the child modules of `file` live: beside it for a
/// mod-rs file (a crate root, `mod.rs`, a `#[path]` module), else in the folder named after it.
fn leads_to_findings(file: &str, mod_rs: bool, annotated: &BTreeSet<&str>) -> bool {
    let children = if mod_rs { parent(file) } else { file.strip_suffix(".rs").unwrap_or(file) };
    annotated.iter().any(|path| *path != file && is_within(path, children))
}

/// Whether source text may hold a `#[path = "..."]` attribute (`[` then `path`, spaces allowed).
fn may_redirect(bytes: &[u8]) -> bool {
    memchr::memmem::find_iter(bytes, b"path")
        .any(|at| bytes[..at].iter().rev().find(|byte| !byte.is_ascii_whitespace()) == Some(&b'['))
}

/// A file looked at for placement: its `mod` declarations when placement may need them, else
/// whether it holds `#[path]`. None when it cannot be read.
fn look_for_mods(
    files: &dyn ProjectFiles,
    options: &ScanOptions,
    path: &str,
    glance: Glance,
    mod_rs: bool,
    annotated: &BTreeSet<&str>,
) -> Option<Prefetched> {
    let read = || files.read(path, options.max_file_bytes).ok();
    let Some(seen) = glance.seen else {
        let bytes = read()?;
        if leads_to_findings(path, mod_rs, annotated) || may_redirect(&bytes) {
            return read_mod_decls(path, &bytes).map(Prefetched::Decls);
        }
        return Some(Prefetched::Plain);
    };
    if !leads_to_findings(path, mod_rs, annotated) && !seen.may_redirect {
        return Some(Prefetched::Plain);
    }
    match seen.modules {
        Modules::Read(decls) => decls.map(Prefetched::Decls),
        // Not a file the pre-filter expected to be on the way: read it now.
        Modules::NotRead => read_mod_decls(path, &read()?).map(Prefetched::Decls),
    }
}

/// Module paths and targets of the files in crates that hold annotations, the crates placed on
/// worker threads.
fn place_crates(
    files: &dyn ProjectFiles,
    options: &ScanOptions,
    listing: &Listing,
    crates: &[Crate],
    decls: &BTreeMap<String, Vec<ModDecl>>,
    prefetched: &BTreeMap<&str, Prefetched>,
    annotated: &BTreeMap<usize, BTreeSet<&str>>,
) -> BTreeMap<String, modules::Placement> {
    let all: BTreeSet<&str> = listing.files.iter().map(String::as_str).collect();
    let annotated: Vec<(&usize, &BTreeSet<&str>)> = annotated.iter().collect();
    let workers = crate::parallel::Workers { threads: options.threads, stack: 0, name: "flowdoc-scan" };
    let placed = crate::parallel::map_all(&annotated, workers, |&(index, annotated)| {
        // What this crate's placement had to read itself (a file no look above covered).
        let mut read_here: BTreeMap<String, Vec<ModDecl>> = BTreeMap::new();
        let mut decls_of = |file: &str, mod_rs: bool| -> Option<Vec<ModDecl>> {
            if let Some(known) = decls.get(file).or_else(|| read_here.get(file)) {
                return Some(known.clone());
            }
            if matches!(prefetched.get(file), Some(Prefetched::Plain))
                && !leads_to_findings(file, mod_rs, annotated)
            {
                return Some(Vec::new());
            }
            let found =
                files.read(file, options.max_file_bytes).ok().and_then(|bytes| read_mod_decls(file, &bytes));
            read_here.insert(file.to_owned(), found.clone().unwrap_or_default());
            found
        };
        modules::place_files(&crates[*index].roots, &mut decls_of, &|file| all.contains(file))
    });
    // In crate order, as one thread would have placed them.
    let mut placements = BTreeMap::new();
    for crate_placements in placed {
        placements.extend(crate_placements);
    }
    placements
}

/// The `mod` declarations of `bytes`, lexed; None if they are not UTF-8.
fn read_mod_decls(path: &str, bytes: &[u8]) -> Option<Vec<ModDecl>> {
    let text = std::str::from_utf8(bytes).ok()?;
    if memchr::memmem::find(bytes, b"mod").is_none() {
        // No `mod` anywhere: nothing to declare, no need to lex.
        return Some(Vec::new());
    }
    let text = lex::strip_preamble(text);
    // The module tree read from the skim's tokens; where they would not lex as proc-macro2
    // lexes them, lexed (`mod_decls` is iterative: any nesting is safe here), the whole text
    // when it cannot be followed.
    let skimmed = skim::skim_tokens(&text, skim::Keep::Modules);
    if let Some(decls) = skimmed.as_ref().and_then(fast::module_decls) {
        return Some(decls);
    }
    let kept = skimmed.map(|skimmed| skimmed.compact());
    let decls =
        lex::lex(path, kept.as_deref().unwrap_or(&text)).ok().map(|tokens| modules::mod_decls(&tokens));
    proc_macro2::extra::invalidate_current_thread_spans();
    decls
}

/// Runs `work` on every item, the file at `path_of(item)`, on worker threads (with `stack`
/// bytes of stack when not 0), returning results in item order. A panic while reading a file
/// becomes a problem for that file rather than the end of the run.
fn parallel_map<'i, I: Sync, T: Send>(
    items: &'i [I],
    options: &ScanOptions,
    stack: usize,
    path_of: impl Fn(&'i I) -> &'i str + Sync,
    work: impl Fn(&'i I) -> Result<T, SourceProblem> + Sync,
) -> Vec<Result<T, SourceProblem>> {
    let workers = crate::parallel::Workers { threads: options.threads, stack, name: "flowdoc-scan" };
    let results = crate::parallel::map(items, workers, |item| {
        // The span map of a thread holds every file lexed on it: release it after each file,
        // whether the work returns or panics.
        struct ReleaseSpans;
        impl Drop for ReleaseSpans {
            fn drop(&mut self) {
                proc_macro2::extra::invalidate_current_thread_spans();
            }
        }
        let _release = ReleaseSpans;
        work(item)
    });
    results
        .into_iter()
        .zip(items)
        .map(|(result, item)| {
            result.unwrap_or_else(|| {
                Err(SourceProblem {
                    location: Location::file(path_of(item)),
                    kind: ProblemKind::Syntax,
                    message:
                        "internal error while reading this file, or no thread to read it; it is skipped \
                              (please report it)"
                            .to_owned(),
                })
            })
        })
        .collect()
}

fn unreadable(path: &str, error: &ReadError) -> SourceProblem {
    SourceProblem {
        location: Location::file(path),
        kind: ProblemKind::Unreadable,
        message: error.to_string(),
    }
}

/// The module path a file's location suggests, for files no target's module tree reaches.
fn module_from_path(crate_dir: &str, path: &str) -> String {
    let relative = if crate_dir.is_empty() {
        path
    } else {
        path.strip_prefix(crate_dir).unwrap_or(path).trim_start_matches('/')
    };
    let relative = relative.strip_prefix("src/").unwrap_or(relative);
    let relative = relative.strip_suffix(".rs").unwrap_or(relative);
    let mut module = vec!["crate"];
    module.extend(relative.split('/').filter(|part| !matches!(*part, "mod" | "lib" | "main")));
    if module.get(1) == Some(&"bin") {
        module.truncate(1);
    }
    module.join("::")
}

fn join_dir(dir: &str, relative: &str) -> String {
    if dir.is_empty() { relative.to_owned() } else { format!("{dir}/{relative}") }
}

/// Whether `path` is `dir` or inside it.
fn is_within(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    dir.is_empty() || path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every Rust file of this repository (the tool, its tests and fixtures, the annotations
    /// crate and its compile-fail cases, the bundled pipeline): what the skim keeps must give
    /// the same findings and module declarations as the whole file does.
    #[test]
    fn skimmed_files_read_as_whole_files_do() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut compared = 0;
        for entry in walkdir::WalkDir::new(root)
            .into_iter()
            .filter_entry(|entry| !matches!(entry.file_name().to_str(), Some("target" | ".git")))
        {
            let entry = entry.unwrap();
            if entry.path().extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            proc_macro2::extra::invalidate_current_thread_spans();
            let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
            let text = lex::strip_preamble(&text);
            let path = entry.path().strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            let Ok(tokens) = lex::lex(&path, &text) else { continue };
            let mods = modules::mod_decls(&tokens);
            let Ok(whole) = syn::parse2::<syn::File>(tokens) else { continue };
            let findings = extract::extract(&path, &whole, "flowdoc_annotations");

            let kept = skim::skim(&text, skim::Keep::Annotated("flowdoc_annotations"))
                .unwrap_or_else(|| panic!("{path}: the skim cannot follow a file that lexes"));
            let kept_tokens = lex::lex(&path, &kept).unwrap();
            assert_eq!(modules::mod_decls(&kept_tokens), mods, "{path}: module declarations");
            let parsed =
                syn::parse2::<syn::File>(kept_tokens).unwrap_or_else(|error| panic!("{path}: {error}"));
            assert_eq!(extract::extract(&path, &parsed, "flowdoc_annotations"), findings, "{path}: findings");

            let modules_only = skim::skim(&text, skim::Keep::Modules).unwrap();
            assert_eq!(modules::mod_decls(&lex::lex(&path, &modules_only).unwrap()), mods, "{path}: modules");
            compared += 1;
        }
        assert!(compared >= 150, "only {compared} files compared");
    }

    #[test]
    fn module_paths_from_file_locations() {
        assert_eq!(module_from_path("api", "api/src/lib.rs"), "crate");
        assert_eq!(module_from_path("api", "api/src/orders/mod.rs"), "crate::orders");
        assert_eq!(module_from_path("api", "api/src/orders/create.rs"), "crate::orders::create");
        assert_eq!(module_from_path("", "src/bin/admin.rs"), "crate");
    }

    #[test]
    fn path_attributes_are_spotted_without_lexing() {
        assert!(may_redirect(b"#[path = \"x.rs\"]\nmod x;"));
        assert!(may_redirect(b"# [ path = \"x.rs\"] mod x;"));
        assert!(!may_redirect(b"fn f(path: &str) { let p = Path::new(path); }"));
    }

    #[test]
    fn placement_looks_only_where_findings_can_be() {
        use crate::files::MemoryFiles;
        let mut files = MemoryFiles::new();
        files.insert("Cargo.toml", "[package]\nname = \"shop\"\n");
        files.insert("src/lib.rs", "mod util;\nmod api;\n#[cfg(test)]\nmod tests {}\n");
        // Not on the way to a handler, but it pulls one in from elsewhere.
        files.insert("src/util.rs", "#[path = \"../handlers/real.rs\"]\nmod real;\npub fn helper() {}\n");
        files.insert("src/api.rs", "mod orders;\n");
        files.insert("src/api/orders.rs", "use flowdoc_annotations::event_consumer;\n#[event_consumer(\"A\", from = \"Q\")]\nfn on_a() {}\n");
        files.insert("handlers/real.rs", "use flowdoc_annotations::event_producer;\n#[event_producer(\"B\", to = \"T\")]\nfn make_b() {}\n");
        // A leaf module with a `mod tests` of its own: never needed, never lexed.
        files.insert("src/plain.rs", "fn x() {}\n#[cfg(test)]\nmod tests {}\n");
        let facts = scan(&files, &files.list(), &ScanOptions::default());
        let modules: Vec<(&str, &str)> =
            facts.handlers.iter().map(|handler| (handler.name.as_str(), handler.module.as_str())).collect();
        assert_eq!(modules, [("make_b", "crate::util::real"), ("on_a", "crate::api::orders")], "{facts:?}");
        assert!(facts.handlers.iter().all(|handler| handler.targets == ["lib"]));
    }

    #[test]
    fn paths_within_folders() {
        assert!(is_within("api/tests/a.rs", "api/tests"));
        assert!(!is_within("api/testsuite/a.rs", "api/tests"));
        assert!(is_within("anything", ""));
    }
}
