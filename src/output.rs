//! Writing the generated documentation: all of it or nothing, and nothing when nothing changed.
//!
//! The old folder's files are first compared with the new ones by their bytes (read on worker
//! threads; modification times are never trusted). When the old folder already holds exactly
//! the new files, it is left as it is. Otherwise the new files go into a new folder beside the
//! output folder — the unchanged ones as hard links to the old folder's files, the others
//! written — which is swapped in with one `renameat2(RENAME_EXCHANGE)` on Linux (elsewhere, or
//! on file systems without it, two renames with a short window), and the old folder is
//! removed. A failure at any step leaves the old docs as they were and removes the new folder.
//! A non-empty folder without flowdoc's marker file is never replaced, so `--out .` cannot
//! wipe a project.
//!
//! Hard links share a file between the old folder and the new one, so no step here ever writes
//! into a file that exists: every write creates a new file in the new folder (`create_new`),
//! and a file that is shared is only ever linked or unlinked. A later run therefore cannot
//! change an earlier run's output through a shared file.

use crate::parallel::{self, Workers};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// What went wrong while writing or comparing the output folder.
#[derive(Debug)]
pub enum OutputError {
    /// The output path exists and is not a folder.
    NotAFolder(PathBuf),
    /// The output folder has files and was not written by flowdoc.
    NotOurs(PathBuf),
    /// A filesystem operation failed.
    Io {
        /// What was being done.
        doing: String,
        /// Where.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::NotAFolder(path) => write!(f, "`{}` exists and is not a folder", path.display()),
            OutputError::NotOurs(path) => write!(
                f,
                "`{}` has files flowdoc did not write (no `{}` marker); choose an empty or new folder",
                path.display(),
                crate::render::docs::MARKER
            ),
            OutputError::Io { doing, path, error } => {
                write!(f, "cannot {doing} `{}`: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for OutputError {}

/// One filesystem step of [`write_folder_with`], for tests that make a step fail.
///
/// The hook sees the steps in a fixed order: the new folder, then the folders inside it in path
/// order, then every file's step in path order — all of these before any file is written or
/// linked, since the files are placed on worker threads — then the swap, then the removal of
/// the old folder. A folder that is already up to date takes no step at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Creating the new folder, or a folder inside it.
    CreateFolder(PathBuf),
    /// Writing a file into the new folder.
    WriteFile(PathBuf),
    /// Hard-linking a file of the old folder whose bytes did not change into the new folder
    /// (written instead where the link cannot be made).
    LinkFile(PathBuf),
    /// Moving the new folder into place.
    Swap(PathBuf),
    /// Removing the old folder once the new one is in place.
    RemoveOld(PathBuf),
}

/// What a write did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// How many files the folder now has.
    pub files: usize,
    /// How many of them the old folder already had with the same bytes, and were kept (hard
    /// links to the old files) rather than written again.
    pub unchanged: usize,
    /// The folder already held exactly these files with these bytes, and was not touched.
    pub up_to_date: bool,
    /// Files the old folder had that are gone now, sorted.
    pub removed: Vec<String>,
    /// The old folder, when it could not be removed after the new one took its place (the
    /// next run removes it).
    pub leftover: Option<PathBuf>,
}

/// What a file to write holds: text, or anything else that can give its bytes when asked
/// (the docs keep their pictures packed until then).
pub trait Contents: Sync {
    /// The bytes to write.
    fn bytes(&self) -> Cow<'_, [u8]>;
}

impl Contents for String {
    fn bytes(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(self.as_bytes())
    }
}

/// Replaces the folder `out` with exactly `files` (relative `/`-separated paths → contents).
pub fn write_folder(out: &Path, files: &BTreeMap<String, impl Contents>) -> Result<Written, OutputError> {
    write_folder_with(out, files, &mut |_| Ok(()))
}

fn io_error(doing: &str, path: &Path, error: io::Error) -> OutputError {
    OutputError::Io { doing: doing.to_owned(), path: path.to_owned(), error }
}

/// The threads that compare, place and remove files: one per core, at least two, since much of
/// their time is spent waiting for the file system rather than computing.
fn workers() -> Workers<'static> {
    Workers { threads: parallel::thread_count(0).max(2), stack: 0, name: "flowdoc-output" }
}

/// [`write_folder`], calling `hook` before each step (see [`Step`] for their order); an error
/// from the hook fails that step.
pub fn write_folder_with(
    out: &Path,
    files: &BTreeMap<String, impl Contents>,
    hook: &mut dyn FnMut(&Step) -> io::Result<()>,
) -> Result<Written, OutputError> {
    let old = read_old(out)?;
    let (parent, prefix) = staging_of(out);
    std::fs::create_dir_all(parent).map_err(|error| io_error("create", parent, error))?;
    remove_leftovers(parent, &prefix);
    let unchanged = match &old {
        Some(old) => unchanged_files(out, old, files),
        None => vec![false; files.len()],
    };
    if old.as_ref().is_some_and(|old| is_up_to_date(old, files, &unchanged)) {
        return Ok(Written {
            files: files.len(),
            unchanged: files.len(),
            up_to_date: true,
            ..Written::default()
        });
    }
    let staging = parent.join(format!("{prefix}{}", std::process::id()));
    // A folder of this name is a leftover of an interrupted run of ours.
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|error| io_error("remove", &staging, error))?;
    }
    let result = fill(&staging, out, files, &unchanged, hook)
        .and_then(|kept| swap(&staging, out, old.is_some(), hook).map(|()| kept));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    let kept = result?;
    // `staging` now holds the old docs, if there were any; the new ones are in place whatever
    // happens next.
    let leftover = old.as_ref().and_then(|old| remove_old(&staging, old, hook));
    let new: BTreeSet<&String> = files.keys().collect();
    let removed = old.map(|old| old.files.into_iter().filter(|file| !new.contains(file)).collect());
    Ok(Written {
        files: files.len(),
        unchanged: kept,
        up_to_date: false,
        removed: removed.unwrap_or_default(),
        leftover,
    })
}

/// What the output folder holds now: None when there is none; an error when it is not a folder
/// or not one of ours.
fn read_old(out: &Path) -> Result<Option<Listing>, OutputError> {
    match std::fs::symlink_metadata(out) {
        Ok(meta) if !meta.is_dir() => Err(OutputError::NotAFolder(out.to_owned())),
        Ok(_) => {
            let existing = list(out)?;
            if !existing.files.is_empty() && !existing.files.contains(crate::render::docs::MARKER) {
                return Err(OutputError::NotOurs(out.to_owned()));
            }
            Ok(Some(existing))
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(io_error("read", out, error)),
    }
}

/// Where the new folders of `out` are made: its parent, and the prefix of their names (the
/// process id follows).
fn staging_of(out: &Path) -> (&Path, String) {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("docs");
    (parent, format!(".{name}.flowdoc-new-"))
}

/// Removes what runs writing `out` that were killed left beside it, as a write would: for a run
/// that finds the folder up to date without writing it.
pub fn clean_up_beside(out: &Path) {
    let (parent, prefix) = staging_of(out);
    remove_leftovers(parent, &prefix);
}

/// Removes the staging folders (`prefix` + process id) that runs which were killed left in
/// `parent`. A folder of a process that is still running is another run at work, and stays;
/// where running processes cannot be told (no `/proc`), all stay.
fn remove_leftovers(parent: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|name| name.strip_prefix(prefix)) else { continue };
        let finished = pid.parse::<u32>().is_ok_and(|pid| {
            pid != std::process::id()
                && Path::new("/proc/self").exists()
                && !Path::new(&format!("/proc/{pid}")).exists()
        });
        if finished && entry.file_type().is_ok_and(|kind| kind.is_dir() && !kind.is_symlink()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// For each of `files`, in order: whether `old` (the listing of `out`) has it as a regular file
/// with exactly these bytes. The files are read on worker threads; one that cannot be read
/// counts as changed, and is written again.
fn unchanged_files<C: Contents>(out: &Path, old: &Listing, files: &BTreeMap<String, C>) -> Vec<bool> {
    let items: Vec<(&String, &C)> = files.iter().collect();
    let same = parallel::map(&items, workers(), |(relative, contents)| {
        old.regular.contains(*relative) && same_contents(&out.join(relative), &contents.bytes())
    });
    same.into_iter().map(|same| same == Some(true)).collect()
}

/// Whether the file at `path` is a regular file holding exactly `expected`; false when it
/// cannot be read. Its size is checked first, so reading stops at `expected`'s end: four system
/// calls for a small file, which is what comparing thousands of pages costs.
fn same_contents(path: &Path, expected: &[u8]) -> bool {
    let Ok(mut file) = std::fs::File::open(path) else { return false };
    let size = u64::try_from(expected.len()).unwrap_or(u64::MAX);
    if !file.metadata().is_ok_and(|meta| meta.is_file() && meta.len() == size) {
        return false;
    }
    let mut buffer = vec![0; expected.len().min(1 << 16)];
    let mut rest = expected;
    while !rest.is_empty() {
        let want = rest.len().min(buffer.len());
        let read = match buffer.get_mut(..want).map(|chunk| file.read(chunk)) {
            // Shorter than its size said: it changed while being read.
            Some(Ok(0)) | None => return false,
            Some(Ok(read)) => read,
            Some(Err(error)) if error.kind() == io::ErrorKind::Interrupted => continue,
            Some(Err(_)) => return false,
        };
        match (rest.split_at_checked(read), buffer.get(..read)) {
            (Some((head, tail)), Some(chunk)) if head == chunk => rest = tail,
            _ => return false,
        }
    }
    true
}

/// Whether the old folder, whose files are `unchanged` against `files` as [`unchanged_files`]
/// found, holds exactly `files` and the folders they are in, nothing else.
fn is_up_to_date<C>(old: &Listing, files: &BTreeMap<String, C>, unchanged: &[bool]) -> bool {
    unchanged.iter().all(|&same| same)
        && old.files.iter().eq(files.keys())
        && old.folders.iter().map(String::as_str).eq(folders_of(files))
}

/// Every folder below the top that `files` are in, with the folders above it, sorted — so that
/// each folder comes after the one it is in.
fn folders_of<C>(files: &BTreeMap<String, C>) -> BTreeSet<&str> {
    files.keys().flat_map(|relative| relative.match_indices('/').map(|(at, _)| &relative[..at])).collect()
}

/// `items` (relative path, item) in groups of one folder each, the largest first: work for
/// worker threads that keeps them in different folders, since the file system lets one thread
/// at a time add or remove the names of a folder.
fn by_folder<'a, T>(items: impl Iterator<Item = (&'a str, T)>) -> Vec<Vec<T>> {
    let mut folders: BTreeMap<&str, Vec<T>> = BTreeMap::new();
    for (relative, item) in items {
        let folder = relative.rsplit_once('/').map_or("", |(folder, _)| folder);
        folders.entry(folder).or_default().push(item);
    }
    let mut groups: Vec<Vec<T>> = folders.into_values().collect();
    groups.sort_by_key(|group| std::cmp::Reverse(group.len()));
    groups
}

/// One file to put into the new folder.
#[derive(Debug)]
struct Place<'a, C> {
    /// Its path, relative, `/`-separated.
    relative: &'a str,
    /// Its bytes.
    contents: &'a C,
    /// The old folder's file with the same bytes, to link rather than write.
    original: Option<PathBuf>,
}

impl<C: Contents> Place<'_, C> {
    /// The hook's step for this file in `staging`.
    fn step(&self, staging: &Path) -> Step {
        let path = staging.join(self.relative);
        if self.original.is_some() { Step::LinkFile(path) } else { Step::WriteFile(path) }
    }

    /// Links or writes this file into `staging`; whether it was linked.
    fn run(&self, staging: &Path) -> io::Result<bool> {
        let path = staging.join(self.relative);
        // On a file system without hard links, or across file systems, the link fails: write.
        if let Some(original) = &self.original
            && std::fs::hard_link(original, &path).is_ok()
        {
            return Ok(true);
        }
        write_new(&path, &self.contents.bytes()).map(|()| false)
    }
}

/// Writes `contents` into a new file at `path`, failing if anything is there already: a file
/// that exists may be a hard link to an old folder's file, and must never be written into.
fn write_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(contents)
}

/// Builds the new folder `staging`: its folders, then its files, linked from `out` where
/// `unchanged` says so and written otherwise, on worker threads; then puts it on disk. How many
/// files were linked.
fn fill<C: Contents>(
    staging: &Path,
    out: &Path,
    files: &BTreeMap<String, C>,
    unchanged: &[bool],
    hook: &mut dyn FnMut(&Step) -> io::Result<()>,
) -> Result<usize, OutputError> {
    create_folders(staging, files, hook)?;
    let places: Vec<Place<'_, C>> = files
        .iter()
        .zip(unchanged)
        .map(|((relative, contents), &same)| Place {
            relative,
            contents,
            original: same.then(|| out.join(relative)),
        })
        .collect();
    for place in &places {
        let step = place.step(staging);
        hook(&step).map_err(|error| io_error("write", &staging.join(place.relative), error))?;
    }
    let groups = by_folder(places.iter().map(|place| (place.relative, place)));
    let outcomes = parallel::map(&groups, workers(), |group| {
        group.iter().map(|place| place.run(staging)).collect::<Vec<_>>()
    });
    let mut linked = 0;
    let mut written = Vec::new();
    let mut failures = Vec::new();
    for (group, outcome) in groups.iter().zip(outcomes) {
        let Some(results) = outcome else {
            let relative = group.first().map_or("", |place| place.relative);
            failures.push((relative, io::Error::other("the thread writing it stopped")));
            continue;
        };
        for (place, result) in group.iter().zip(results) {
            match result {
                Ok(true) => linked += 1,
                Ok(false) => written.push(place.relative),
                Err(error) => failures.push((place.relative, error)),
            }
        }
    }
    // The first failure in path order, whichever thread met it first.
    if let Some((relative, error)) = failures.into_iter().min_by_key(|(relative, _)| *relative) {
        return Err(io_error("write", &staging.join(relative), error));
    }
    sync(staging, &written).map_err(|error| io_error("write", staging, error))?;
    Ok(linked)
}

/// Creates `staging` and every folder inside it that `files` need, parents first.
fn create_folders<C>(
    staging: &Path,
    files: &BTreeMap<String, C>,
    hook: &mut dyn FnMut(&Step) -> io::Result<()>,
) -> Result<(), OutputError> {
    let folders =
        std::iter::once(staging.to_owned()).chain(folders_of(files).into_iter().map(|f| staging.join(f)));
    for folder in folders {
        hook(&Step::CreateFolder(folder.clone()))
            .and_then(|()| std::fs::create_dir(&folder))
            .map_err(|error| io_error("create", &folder, error))?;
    }
    Ok(())
}

/// Puts the written files on disk before they are swapped in, so that a crash of the machine
/// cannot leave a docs folder of empty files (the linked ones were put on disk by the run that
/// wrote them). An `fsync` per file costs a disk flush each — seconds for the thousands of
/// pages of a large system, even from several threads — so on Linux one `syncfs` flushes the
/// file system once (it also writes out whatever else is waiting for that disk, which is work
/// the disk has to do anyway), the new folder's entries with it.
#[cfg(target_os = "linux")]
fn sync(staging: &Path, _written: &[&str]) -> io::Result<()> {
    let folder = std::fs::File::open(staging)?;
    rustix::fs::syncfs(&folder).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn sync(staging: &Path, written: &[&str]) -> io::Result<()> {
    for relative in written {
        std::fs::File::open(staging.join(relative))?.sync_all()?;
    }
    Ok(())
}

/// Puts `staging` where `out` is, in one step where the system allows; when `replace`, the old
/// folder is in `staging` afterwards.
fn swap(
    staging: &Path,
    out: &Path,
    replace: bool,
    hook: &mut dyn FnMut(&Step) -> io::Result<()>,
) -> Result<(), OutputError> {
    hook(&Step::Swap(out.to_owned())).map_err(|error| io_error("replace", out, error))?;
    if !replace {
        return std::fs::rename(staging, out).map_err(|error| io_error("move into place", out, error));
    }
    if exchange(staging, out).is_err() {
        // No atomic exchange here: move the old folder aside first.
        let aside = staging.with_extension("old");
        std::fs::rename(out, &aside).map_err(|error| io_error("move aside", out, error))?;
        if let Err(error) = std::fs::rename(staging, out) {
            let _ = std::fs::rename(&aside, out);
            return Err(io_error("move into place", out, error));
        }
        std::fs::rename(&aside, staging).map_err(|error| io_error("move", &aside, error))?;
    }
    Ok(())
}

/// Removes the old folder, now at `folder`, whose files `old` lists: the files on worker
/// threads, then what is left. Its path when it could not be removed.
fn remove_old(
    folder: &Path,
    old: &Listing,
    hook: &mut dyn FnMut(&Step) -> io::Result<()>,
) -> Option<PathBuf> {
    if hook(&Step::RemoveOld(folder.to_owned())).is_err() {
        return Some(folder.to_owned());
    }
    let groups = by_folder(old.files.iter().map(|relative| (relative.as_str(), relative)));
    // Whatever could not be removed here, `remove_dir_all` tries again and reports.
    parallel::map(&groups, workers(), |group| {
        for relative in group {
            let _ = std::fs::remove_file(folder.join(relative));
        }
    });
    std::fs::remove_dir_all(folder).is_err().then(|| folder.to_owned())
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "no atomic exchange on this system"))
}

/// What a folder holds: relative, `/`-separated paths, sorted.
#[derive(Debug, Default)]
struct Listing {
    /// Everything that is not a folder: files, and symbolic links or other special files.
    files: BTreeSet<String>,
    /// The regular files among them, the only ones that can be kept as they are.
    regular: BTreeSet<String>,
    /// Every folder below the top.
    folders: BTreeSet<String>,
}

/// What `folder` holds.
fn list(folder: &Path) -> Result<Listing, OutputError> {
    let mut found = Listing::default();
    let mut stack = vec![(folder.to_owned(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|error| io_error("read", &dir, error))?;
        for entry in entries {
            let entry = entry.map_err(|error| io_error("read", &dir, error))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
            let kind = entry.file_type().map_err(|error| io_error("read", &entry.path(), error))?;
            if kind.is_dir() {
                found.folders.insert(relative.clone());
                stack.push((entry.path(), relative));
            } else {
                if kind.is_file() {
                    found.regular.insert(relative.clone());
                }
                found.files.insert(relative);
            }
        }
    }
    Ok(found)
}

/// Every file under `folder`, relative, `/`-separated, sorted.
fn list_files(folder: &Path) -> Result<BTreeSet<String>, OutputError> {
    list(folder).map(|listing| listing.files)
}

/// How a file on disk differs from what would be generated.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stale {
    /// It would be generated but is not there.
    Missing(String),
    /// It is there with other contents.
    Changed(String),
    /// It is there but would not be generated.
    Extra(String),
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stale::Missing(path) => write!(f, "{path} is missing"),
            Stale::Changed(path) => write!(f, "{path} is out of date"),
            Stale::Extra(path) => write!(f, "{path} is no longer generated"),
        }
    }
}

/// How the folder `out` differs from `files`, sorted; empty when it is up to date.
pub fn stale_files(out: &Path, files: &BTreeMap<String, impl Contents>) -> Result<Vec<Stale>, OutputError> {
    let on_disk = match std::fs::metadata(out) {
        Ok(meta) if meta.is_dir() => list_files(out)?,
        Ok(_) => return Err(OutputError::NotAFolder(out.to_owned())),
        Err(error) if error.kind() == io::ErrorKind::NotFound => BTreeSet::new(),
        Err(error) => return Err(io_error("read", out, error)),
    };
    let mut stale = Vec::new();
    for (relative, contents) in files {
        if !on_disk.contains(relative) {
            stale.push(Stale::Missing(relative.clone()));
            continue;
        }
        let path = out.join(relative);
        let current = std::fs::read(&path).map_err(|error| io_error("read", &path, error))?;
        if current != *contents.bytes() {
            stale.push(Stale::Changed(relative.clone()));
        }
    }
    stale.extend(on_disk.into_iter().filter(|file| !files.contains_key(file)).map(Stale::Extra));
    stale.sort();
    Ok(stale)
}

/// A digest of the folder `out` as [`stale_files`] sees it: whether it is there, every file
/// in it by path and the bytes of each (read on worker threads). None when it is not a folder
/// or cannot be read whole. Two equal digests mean the same comparison outcome for the same
/// generated files.
pub fn folder_digest(out: &Path) -> Option<[u64; 2]> {
    match std::fs::metadata(out) {
        Ok(meta) if meta.is_dir() => {
            let files: Vec<String> = list_files(out).ok()?.into_iter().collect();
            let digests = parallel::map(&files, workers(), |relative| {
                std::fs::read(out.join(relative)).ok().map(|bytes| xxhash_rust::xxh3::xxh3_128(&bytes))
            });
            let digests: Option<Vec<u128>> = digests.into_iter().map(Option::flatten).collect();
            Some(digest_of(files.iter().map(String::as_str).zip(digests?)))
        }
        Ok(_) => None,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            let digest = xxhash_rust::xxh3::xxh3_128(b"absent");
            Some([digest as u64, (digest >> 64) as u64])
        }
        Err(_) => None,
    }
}

/// The [`folder_digest`] of a folder that holds exactly `files` — what [`write_folder`] leaves.
pub fn files_digest(files: &BTreeMap<String, impl Contents>) -> [u64; 2] {
    let items: Vec<(&String, _)> = files.iter().collect();
    let digests =
        parallel::map_all(&items, workers(), |(_, contents)| xxhash_rust::xxh3::xxh3_128(&contents.bytes()));
    digest_of(items.iter().map(|(path, _)| path.as_str()).zip(digests))
}

/// The digest of a folder's files, in path order, by each one's path and the digest of its bytes.
fn digest_of<'a>(files: impl Iterator<Item = (&'a str, u128)>) -> [u64; 2] {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(b"folder\0");
    for (relative, digest) in files {
        hasher.update(relative.as_bytes());
        hasher.update(b"\0");
        hasher.update(&digest.to_le_bytes());
    }
    let digest = hasher.digest128();
    [digest as u64, (digest >> 64) as u64]
}

// Inode numbers and links tell a file kept from one written again: Unix only.
#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::render::docs::MARKER;
    use std::os::unix::fs::MetadataExt;

    /// The files of a small output: the marker and `pages` (path, contents).
    fn output(pages: &[(&str, &str)]) -> BTreeMap<String, String> {
        std::iter::once((MARKER, ""))
            .chain(pages.iter().copied())
            .map(|(p, c)| (p.to_owned(), c.to_owned()))
            .collect()
    }

    /// Every file under `folder`: relative path → (bytes, inode, modification time).
    fn snapshot(folder: &Path) -> BTreeMap<String, (Vec<u8>, u64, i128)> {
        list_files(folder)
            .unwrap()
            .into_iter()
            .map(|relative| {
                let path = folder.join(&relative);
                let meta = std::fs::metadata(&path).unwrap();
                let mtime = i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec());
                (relative, (std::fs::read(&path).unwrap(), meta.ino(), mtime))
            })
            .collect()
    }

    /// The names beside `folder` in its parent.
    fn beside(folder: &Path) -> Vec<String> {
        let parent = folder.parent().unwrap();
        let mut names: Vec<String> = std::fs::read_dir(parent)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    const PAGES: &[(&str, &str)] = &[
        ("index.md", "# Index\n"),
        ("events/a.md", "a\n"),
        ("events/b.md", "b\n"),
        ("events/deep/c.md", "c\n"),
        ("gone.md", "soon gone\n"),
    ];

    #[test]
    fn an_unchanged_folder_is_not_touched() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("docs");
        let files = output(PAGES);
        let first = write_folder(&out, &files).unwrap();
        assert!(!first.up_to_date);
        assert_eq!((first.files, first.unchanged), (6, 0));
        let before = snapshot(&out);
        let folder_before = std::fs::metadata(&out).unwrap().ino();

        let mut steps = Vec::new();
        let again = write_folder_with(&out, &files, &mut |step| {
            steps.push(step.clone());
            Ok(())
        })
        .unwrap();
        assert!(again.up_to_date);
        assert_eq!(
            again,
            Written { files: 6, unchanged: 6, up_to_date: true, removed: vec![], leftover: None }
        );
        assert_eq!(steps, [], "not a single filesystem step");
        assert_eq!(snapshot(&out), before, "same bytes, same files, same times");
        assert_eq!(std::fs::metadata(&out).unwrap().ino(), folder_before, "the folder was not swapped");
        assert_eq!(beside(&out), ["docs"]);
    }

    #[test]
    fn a_changed_file_is_written_and_the_others_are_linked() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("docs");
        write_folder(&out, &output(PAGES)).unwrap();
        let before = snapshot(&out);

        let mut pages: Vec<(&str, &str)> = PAGES.iter().copied().filter(|(p, _)| *p != "gone.md").collect();
        pages[1] = ("events/a.md", "a, changed\n");
        pages.push(("events/new.md", "new\n"));
        let mut steps = Vec::new();
        let written = write_folder_with(&out, &output(&pages), &mut |step| {
            steps.push(step.clone());
            Ok(())
        })
        .unwrap();
        assert_eq!((written.files, written.unchanged, written.up_to_date), (6, 4, false));
        assert_eq!(written.removed, ["gone.md"]);
        assert_eq!(written.leftover, None);

        let after = snapshot(&out);
        let names: Vec<&String> = after.keys().collect();
        assert_eq!(
            names,
            [MARKER, "events/a.md", "events/b.md", "events/deep/c.md", "events/new.md", "index.md"]
        );
        for kept in [MARKER, "events/b.md", "events/deep/c.md", "index.md"] {
            assert_eq!(after[kept], before[kept], "{kept}: the old file itself, linked");
            assert_eq!(
                std::fs::metadata(out.join(kept)).unwrap().nlink(),
                1,
                "{kept}: the old folder is gone"
            );
        }
        assert_eq!(after["events/a.md"].0, b"a, changed\n");
        assert_ne!(
            after["events/a.md"].1, before["events/a.md"].1,
            "a new file, not the old one written into"
        );
        let links = steps.iter().filter(|step| matches!(step, Step::LinkFile(_))).count();
        let writes = steps.iter().filter(|step| matches!(step, Step::WriteFile(_))).count();
        assert_eq!((links, writes), (4, 2));
        assert_eq!(beside(&out), ["docs"]);
    }

    #[test]
    fn a_file_edited_by_hand_is_found_by_its_bytes_and_written_again() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("docs");
        let files = output(PAGES);
        write_folder(&out, &files).unwrap();
        let before = snapshot(&out);
        // Same size, same modification time, other bytes.
        let edited = out.join("events/b.md");
        let modified = std::fs::metadata(&edited).unwrap().modified().unwrap();
        let file = std::fs::OpenOptions::new().write(true).open(&edited).unwrap();
        (&file).write_all(b"B\n").unwrap();
        file.set_modified(modified).unwrap();
        drop(file);
        assert_eq!(snapshot(&out)["events/b.md"].2, before["events/b.md"].2);

        let written = write_folder(&out, &files).unwrap();
        assert!(!written.up_to_date);
        assert_eq!(written.unchanged, 5);
        assert_eq!(std::fs::read(&edited).unwrap(), b"b\n");
        assert_ne!(snapshot(&out)["events/b.md"].1, before["events/b.md"].1);
        assert_eq!(snapshot(&out)["index.md"], before["index.md"]);
    }

    #[test]
    fn a_file_or_folder_added_by_hand_is_not_up_to_date() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("docs");
        let files = output(PAGES);
        write_folder(&out, &files).unwrap();
        std::fs::write(out.join("events/extra.md"), "mine").unwrap();
        let written = write_folder(&out, &files).unwrap();
        assert_eq!((written.up_to_date, written.unchanged), (false, 6));
        assert_eq!(written.removed, ["events/extra.md"]);

        std::fs::create_dir(out.join("empty")).unwrap();
        let written = write_folder(&out, &files).unwrap();
        assert_eq!((written.up_to_date, written.unchanged), (false, 6));
        assert!(!out.join("empty").exists());
        assert!(write_folder(&out, &files).unwrap().up_to_date);
    }

    #[test]
    fn a_link_in_the_old_folder_is_replaced_by_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("docs");
        let files = output(PAGES);
        write_folder(&out, &files).unwrap();
        let elsewhere = dir.path().join("elsewhere.md");
        std::fs::write(&elsewhere, "# Index\n").unwrap();
        std::fs::remove_file(out.join("index.md")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("index.md")).unwrap();

        let written = write_folder(&out, &files).unwrap();
        assert_eq!((written.up_to_date, written.unchanged), (false, 5));
        assert!(std::fs::symlink_metadata(out.join("index.md")).unwrap().is_file());
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "# Index\n");
    }

    #[test]
    fn a_fault_at_each_step_of_an_update_leaves_the_old_folder_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("docs");
        let old = output(PAGES);
        let mut pages = PAGES.to_vec();
        pages[0] = ("index.md", "# Index, changed\n");
        pages.push(("groups/new.md", "new\n"));
        let new = output(&pages);
        write_folder(&out, &old).unwrap();
        let mut before = snapshot(&out);

        let mut seen = Vec::new();
        for fail_at in 1.. {
            let mut steps = 0;
            let mut failed = None;
            let result = write_folder_with(&out, &new, &mut |step| {
                steps += 1;
                if steps == fail_at {
                    failed = Some(step.clone());
                    return Err(io::Error::other("injected fault"));
                }
                Ok(())
            });
            let Some(step) = failed else {
                // No step left to fail: the update went through.
                assert_eq!(result.unwrap().unchanged, 5);
                assert_eq!(std::fs::read_to_string(out.join("index.md")).unwrap(), "# Index, changed\n");
                break;
            };
            match result {
                Err(error) => {
                    assert!(error.to_string().contains("injected fault"), "{error}");
                    assert_eq!(snapshot(&out), before, "{step:?}: the old folder as it was");
                }
                // Only the removal of the old folder, after the swap, fails without failing
                // the write: the old folder is left beside the new one, whole.
                Ok(written) => {
                    assert!(matches!(step, Step::RemoveOld(_)), "{step:?}");
                    let leftover = written.leftover.expect("the old folder is left");
                    assert_eq!(snapshot(&leftover), before);
                    std::fs::remove_dir_all(&leftover).unwrap();
                    // Back to the old docs for the next step.
                    write_folder(&out, &old).unwrap();
                    before = snapshot(&out);
                }
            }
            assert_eq!(beside(&out), ["docs"], "{step:?}: nothing left beside the docs");
            seen.push(step);
        }
        let kinds: Vec<&str> = seen
            .iter()
            .map(|step| match step {
                Step::CreateFolder(_) => "folder",
                Step::WriteFile(_) => "write",
                Step::LinkFile(_) => "link",
                Step::Swap(_) => "swap",
                Step::RemoveOld(_) => "remove",
            })
            .collect();
        // The new folder and three inside it, seven files in path order of which five are
        // linked, the swap, the removal.
        let expected =
            ["folder", "folder", "folder", "folder", "link", "link", "link", "link", "link", "write"];
        assert_eq!(kinds, [&expected[..], &["write", "swap", "remove"]].concat());
    }

    #[test]
    fn a_folder_flowdoc_did_not_write_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("docs");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("index.md"), "# Index\n").unwrap();
        let files = output(PAGES);
        assert!(matches!(write_folder(&out, &files), Err(OutputError::NotOurs(_))));
        assert_eq!(std::fs::read_to_string(out.join("index.md")).unwrap(), "# Index\n");
        assert_eq!(list_files(&out).unwrap().len(), 1);
        assert_eq!(beside(&out), ["docs"]);
    }
}
