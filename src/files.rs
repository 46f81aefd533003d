//! The project's files: the one door through which flowdoc reads its input.
//!
//! Scanning and template loading see the project only through [`ProjectFiles`]: a sorted listing
//! of relative paths and a bounded read. [`DiskFiles`] is the real project on disk; [`MemoryFiles`]
//! holds a project in memory (tests, fault injection, a git revision). Paths are relative to the
//! project root with `/` separators, so output is the same on every machine.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// Folders that hold build output, dependencies or tooling state, never project sources.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

/// What a listing found: readable files and the problems met on the way.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listing {
    /// Relative paths with `/` separators, sorted.
    pub files: Vec<String>,
    /// Entries that could not be listed, sorted by path.
    pub problems: Vec<FileProblem>,
}

/// A path that could not be listed or read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileProblem {
    /// Relative path, `/`-separated; lossy where the path is not UTF-8.
    pub path: String,
    /// What went wrong, for a person.
    pub message: String,
}

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The file is larger than the configured limit and was not read.
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The operating system refused or failed the read.
    Io(io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::TooLarge { size, limit } => {
                write!(f, "file is {size} bytes, over the limit of {limit} bytes; it was not read")
            }
            ReadError::Io(error) => write!(f, "cannot read: {error}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// A project's files, listed and read by relative path.
pub trait ProjectFiles: Sync {
    /// Every file of the project, skipping build output (`target/`), `node_modules/` and hidden
    /// folders, sorted by path.
    fn list(&self) -> Listing;

    /// The contents of `path`, refusing files over `limit` bytes.
    fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, ReadError>;

    /// `path` opened for reading piece by piece, for files too large to hold whole.
    fn open(&self, path: &str) -> io::Result<Box<dyn Read + '_>>;

    /// When the file at `path` was last modified, when that can be told. Only ever a hint for
    /// which files to look at first, never a reason to skip one: times can be set back.
    fn modified(&self, path: &str) -> Option<std::time::SystemTime> {
        let _ = path;
        None
    }

    /// [`list`](Self::list), reading on the way every file `along` wants and handing it over,
    /// on `threads` threads (0: one per core) in no particular order. The default lists first,
    /// then reads; a folder on disk reads each file as its walk comes upon it.
    fn list_reading(&self, along: &dyn ReadAlong, threads: usize) -> Listing {
        let listing = self.list();
        let wanted: Vec<&String> = listing.files.iter().filter(|path| along.wants(path)).collect();
        let workers = crate::parallel::Workers { threads, stack: 0, name: "flowdoc-read" };
        crate::parallel::map_all(&wanted, workers, |path| along.take(path, self.read(path, along.limit())));
        listing
    }
}

/// What a listing reads on its way (see [`ProjectFiles::list_reading`]).
pub trait ReadAlong: Sync {
    /// Whether the file at `path` is to be read.
    fn wants(&self, path: &str) -> bool;

    /// Files larger than this are not read: they come with [`ReadError::TooLarge`].
    fn limit(&self) -> u64;

    /// Takes a wanted file's contents, or why they could not be read.
    fn take(&self, path: &str, contents: Result<Vec<u8>, ReadError>);

    /// Whether the listing may stop here: what it read already settles what the reader wanted
    /// to know. The listing is then incomplete. Never, by default.
    fn done(&self) -> bool {
        false
    }
}

/// Whether a folder of this name is skipped by listings.
pub fn is_skipped_dir(name: &str) -> bool {
    name.starts_with('.') || SKIPPED_DIRS.contains(&name)
}

/// The folder of the project path `path`: everything before its last `/`, `""` for a file at
/// the root.
pub(crate) fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |slash| &path[..slash])
}

/// The project path of `relative` (a path as written in a template or source file, `/` or `\`
/// separated) seen from the folder `dir`: `.` and empty parts dropped, `..` resolved. `None` if
/// it climbs out of the project.
pub(crate) fn join(dir: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|part| !part.is_empty()).collect();
    for part in relative.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// A path as a user or a manifest writes it, as a project path: `\` becomes `/`, and `.` and
/// empty parts (a leading `./`, a trailing `/`) are dropped. `..` is kept as written.
pub(crate) fn normalize(path: &str) -> String {
    path.replace('\\', "/")
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// The project as it is on disk under a root folder.
#[derive(Clone, Debug)]
pub struct DiskFiles {
    root: PathBuf,
}

impl DiskFiles {
    /// The project under `root`.
    pub fn new(root: impl Into<PathBuf>) -> DiskFiles {
        DiskFiles { root: root.into() }
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn relative(&self, path: &Path) -> Result<String, String> {
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        let mut parts = Vec::new();
        for component in relative.components() {
            match component {
                Component::Normal(part) => match part.to_str() {
                    Some(part) => parts.push(part),
                    None => return Err(relative.to_string_lossy().replace('\\', "/")),
                },
                Component::CurDir => {}
                _ => return Err(relative.to_string_lossy().replace('\\', "/")),
            }
        }
        Ok(parts.join("/"))
    }

    /// Whether a symbolic link at `path` leads somewhere inside the root.
    fn link_stays_inside(&self, path: &Path) -> bool {
        match (path.canonicalize(), self.root.canonicalize()) {
            (Ok(target), Ok(root)) => target.starts_with(root),
            _ => false,
        }
    }
}

impl ProjectFiles for DiskFiles {
    fn list(&self) -> Listing {
        self.list_reading(&ReadNothing, 0)
    }

    /// The tree walked on `threads` threads (ripgrep's walker, without its ignore files), each
    /// wanted file read by the thread that found it.
    fn list_reading(&self, along: &dyn ReadAlong, threads: usize) -> Listing {
        let problems = Arc::new(Mutex::new(Vec::new()));
        let mut builder = ignore::WalkBuilder::new(&self.root);
        builder.standard_filters(false).follow_links(true).threads(crate::parallel::thread_count(threads));
        let (me, filtered) = (self.clone(), Arc::clone(&problems));
        builder.filter_entry(move |entry| {
            if entry.file_type().is_some_and(|kind| kind.is_dir())
                && entry.file_name().to_str().is_some_and(is_skipped_dir)
            {
                return false;
            }
            if entry.path_is_symlink() && !me.link_stays_inside(entry.path()) {
                let problem = me.link_leads_out(entry.path());
                filtered.lock().unwrap_or_else(PoisonError::into_inner).push(problem);
                return false;
            }
            true
        });
        let found = Mutex::new(Vec::new());
        let mut walkers = Walkers { files: self, along, found: &found, problems: &problems };
        builder.build_parallel().visit(&mut walkers);
        let mut files = found.into_inner().unwrap_or_else(PoisonError::into_inner);
        let mut problems = std::mem::take(&mut *problems.lock().unwrap_or_else(PoisonError::into_inner));
        problems.sort();
        problems.dedup();
        files.sort_unstable();
        Listing { files, problems }
    }

    fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        read_limited(&self.root.join(path), limit)
    }

    fn modified(&self, path: &str) -> Option<std::time::SystemTime> {
        std::fs::metadata(self.root.join(path)).and_then(|meta| meta.modified()).ok()
    }

    fn open(&self, path: &str) -> io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(std::fs::File::open(self.root.join(path))?))
    }
}

impl DiskFiles {
    fn link_leads_out(&self, path: &Path) -> FileProblem {
        FileProblem {
            path: self.relative(path).unwrap_or_else(|lossy| lossy),
            message: "symbolic link leads outside the project root or nowhere; not followed".into(),
        }
    }

    /// What the walker met that is not a file: a loop, a link to nowhere, a folder that
    /// cannot be listed.
    fn walk_problem(&self, error: &ignore::Error) -> FileProblem {
        let (mut path, mut inner) = (None, error);
        loop {
            match inner {
                ignore::Error::WithPath { path: at, err } => {
                    path = path.or(Some(at.as_path()));
                    inner = err;
                }
                ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                    inner = err;
                }
                _ => break,
            }
        }
        let relative = |path: &Path| self.relative(path).unwrap_or_else(|lossy| lossy);
        match inner {
            ignore::Error::Loop { ancestor, child } => FileProblem {
                path: relative(child),
                message: format!("symbolic link loop back to `{}`; not followed", relative(ancestor)),
            },
            // A link whose target is gone fails to be followed before any filter sees it.
            _ if path.is_some_and(|path| path.symlink_metadata().is_ok_and(|meta| meta.is_symlink())) => {
                self.link_leads_out(path.unwrap_or(&self.root))
            }
            ignore::Error::Io(io) => FileProblem {
                path: path.map(relative).unwrap_or_default(),
                message: format!("cannot list: {io}"),
            },
            other => FileProblem {
                path: path.map(relative).unwrap_or_default(),
                message: format!("cannot list: {other}"),
            },
        }
    }
}

/// Reads the file at `path` whole, refusing one over `limit` bytes.
fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let size = file.metadata().map_err(ReadError::Io)?.len();
    if size > limit {
        return Err(ReadError::TooLarge { size, limit });
    }
    let Ok(expected) = usize::try_from(size) else {
        return Err(ReadError::TooLarge { size, limit });
    };
    if expected > 0 {
        // The size the file system gave, read without a last read to see the end (the `take`
        // says it at no cost): a file that grew since is read as it was (the size limit holds
        // either way), one that shrank as it is. A thousand files, a thousand system calls less.
        let mut bytes = Vec::with_capacity(expected);
        file.take(size).read_to_end(&mut bytes).map_err(ReadError::Io)?;
        return Ok(bytes);
    }
    // A size of 0 may not be the truth (a pipe, a file of /proc): read to the end, one byte
    // past the limit so that a longer one is still refused.
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { size: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

/// Hands each walking thread its visitor.
struct Walkers<'w> {
    files: &'w DiskFiles,
    along: &'w dyn ReadAlong,
    found: &'w Mutex<Vec<String>>,
    problems: &'w Mutex<Vec<FileProblem>>,
}

impl<'w> ignore::ParallelVisitorBuilder<'w> for Walkers<'w> {
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 'w> {
        Box::new(Walker {
            files: self.files,
            along: self.along,
            found: self.found,
            problems: self.problems,
            files_seen: Vec::new(),
            problems_seen: Vec::new(),
        })
    }
}

/// One walking thread: what it found is kept to itself and handed over when it stops.
struct Walker<'w> {
    files: &'w DiskFiles,
    along: &'w dyn ReadAlong,
    found: &'w Mutex<Vec<String>>,
    problems: &'w Mutex<Vec<FileProblem>>,
    files_seen: Vec<String>,
    problems_seen: Vec<FileProblem>,
}

impl ignore::ParallelVisitor for Walker<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> ignore::WalkState {
        match entry {
            Ok(entry) if entry.depth() > 0 && entry.file_type().is_some_and(|kind| kind.is_file()) => {
                match self.files.relative(entry.path()) {
                    Ok(path) => {
                        if self.along.wants(&path) {
                            self.along.take(&path, read_limited(entry.path(), self.along.limit()));
                        }
                        self.files_seen.push(path);
                    }
                    Err(lossy) => self.problems_seen.push(FileProblem {
                        path: lossy,
                        message: "path is not valid UTF-8; skipped".into(),
                    }),
                }
            }
            Ok(_) => {}
            Err(error) => self.problems_seen.push(self.files.walk_problem(&error)),
        }
        if self.along.done() { ignore::WalkState::Quit } else { ignore::WalkState::Continue }
    }
}

impl Drop for Walker<'_> {
    fn drop(&mut self) {
        self.found.lock().unwrap_or_else(PoisonError::into_inner).append(&mut self.files_seen);
        self.problems.lock().unwrap_or_else(PoisonError::into_inner).append(&mut self.problems_seen);
    }
}

/// A listing that reads nothing on its way.
struct ReadNothing;

impl ReadAlong for ReadNothing {
    fn wants(&self, _: &str) -> bool {
        false
    }

    fn limit(&self) -> u64 {
        0
    }

    fn take(&self, _: &str, _: Result<Vec<u8>, ReadError>) {}
}

/// A project held in memory: for tests, for injected read failures, and for files taken from a
/// git revision.
#[derive(Clone, Debug, Default)]
pub struct MemoryFiles {
    files: BTreeMap<String, Result<Vec<u8>, String>>,
}

impl MemoryFiles {
    /// An empty project.
    pub fn new() -> MemoryFiles {
        MemoryFiles::default()
    }

    /// Adds or replaces a file.
    pub fn insert(&mut self, path: impl Into<String>, contents: impl Into<Vec<u8>>) -> &mut MemoryFiles {
        self.files.insert(path.into(), Ok(contents.into()));
        self
    }

    /// Adds a file whose every read fails with `message`, as an unreadable file on disk would.
    pub fn insert_unreadable(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut MemoryFiles {
        self.files.insert(path.into(), Err(message.into()));
        self
    }
}

impl ProjectFiles for MemoryFiles {
    fn list(&self) -> Listing {
        let files = self
            .files
            .keys()
            .filter(|path| {
                let mut folders: Vec<&str> = path.split('/').collect();
                folders.pop();
                !folders.iter().any(|folder| is_skipped_dir(folder))
            })
            .cloned()
            .collect();
        Listing { files, problems: Vec::new() }
    }

    fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        match self.files.get(path) {
            Some(Ok(bytes)) if bytes.len() as u64 > limit => {
                Err(ReadError::TooLarge { size: bytes.len() as u64, limit })
            }
            Some(Ok(bytes)) => Ok(bytes.clone()),
            Some(Err(message)) => Err(ReadError::Io(io::Error::other(message.clone()))),
            None => Err(ReadError::Io(io::Error::from(io::ErrorKind::NotFound))),
        }
    }

    fn open(&self, path: &str) -> io::Result<Box<dyn Read + '_>> {
        match self.files.get(path) {
            Some(Ok(bytes)) => Ok(Box::new(bytes.as_slice())),
            Some(Err(message)) => Err(io::Error::other(message.clone())),
            None => Err(io::Error::from(io::ErrorKind::NotFound)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_listing_skips_build_output_and_hidden_folders() {
        let mut files = MemoryFiles::new();
        files
            .insert("src/lib.rs", "")
            .insert("target/debug/build.rs", "")
            .insert(".aws-sam/build/template.yaml", "")
            .insert("web/node_modules/x/template.yaml", "")
            .insert(".hidden-file.rs", "");
        assert_eq!(files.list().files, [".hidden-file.rs", "src/lib.rs"]);
    }

    #[test]
    fn memory_reads_respect_the_limit_and_injected_failures() {
        let mut files = MemoryFiles::new();
        files.insert("a.rs", "12345").insert_unreadable("b.rs", "permission denied");
        assert_eq!(files.read("a.rs", 5).unwrap(), b"12345");
        assert!(matches!(files.read("a.rs", 4), Err(ReadError::TooLarge { size: 5, limit: 4 })));
        assert_eq!(files.read("b.rs", 10).unwrap_err().to_string(), "cannot read: permission denied");
    }

    #[test]
    fn parents_of_project_paths() {
        assert_eq!(parent("pipeline/order-api/Cargo.toml"), "pipeline/order-api");
        assert_eq!(parent("template.yaml"), "");
        assert_eq!(parent("pipeline/"), "pipeline");
        assert_eq!(parent(""), "");
    }

    #[test]
    fn paths_join_like_a_shell_and_stay_in_the_project() {
        let cases = [
            ("pipeline", "order-api/", Some("pipeline/order-api")),
            ("infra", "../services/api", Some("services/api")),
            ("", "./api", Some("api")),
            ("a/b", "..\\c\\d.yaml", Some("a/c/d.yaml")),
            ("a", "", Some("a")),
            ("a", "..", Some("")),
            ("", "../outside", None),
            ("a", "b/../../..", None),
        ];
        for (dir, relative, expected) in cases {
            assert_eq!(join(dir, relative).as_deref(), expected, "{dir:?} + {relative:?}");
        }
    }

    #[test]
    fn written_paths_normalize_to_project_paths() {
        let cases = [
            ("./pipeline/template.yaml", "pipeline/template.yaml"),
            ("pipeline/", "pipeline"),
            ("a\\b//c/./d", "a/b/c/d"),
            ("../up", "../up"),
            (".", ""),
        ];
        for (written, expected) in cases {
            assert_eq!(normalize(written), expected, "{written:?}");
        }
    }
}
