//! Writing the generated documentation: all of it or nothing.
//!
//! The files are written into a new folder beside the output folder, then swapped in with one
//! `renameat2(RENAME_EXCHANGE)` on Linux (elsewhere, or on file systems without it, two renames
//! with a short window), and the old folder is removed. A failure at any step leaves the old
//! docs as they were and removes the new folder. A non-empty folder without flowdoc's marker
//! file is never replaced, so `--out .` cannot wipe a project.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{self, Write};
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Creating the new folder, or a folder inside it.
    CreateFolder(PathBuf),
    /// Writing a file into the new folder.
    WriteFile(PathBuf),
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
    /// Files the old folder had that are gone now, sorted.
    pub removed: Vec<String>,
    /// The old folder, when it could not be removed after the new one took its place (the
    /// next run removes it).
    pub leftover: Option<PathBuf>,
}

/// Replaces the folder `out` with exactly `files` (relative `/`-separated paths → contents).
pub fn write_folder(out: &Path, files: &BTreeMap<String, String>) -> Result<Written, OutputError> {
    write_folder_with(out, files, &mut |_| Ok(()))
}

fn io_error(doing: &str, path: &Path, error: io::Error) -> OutputError {
    OutputError::Io { doing: doing.to_owned(), path: path.to_owned(), error }
}

/// [`write_folder`], calling `hook` before each step; an error from the hook fails that step.
pub fn write_folder_with(
    out: &Path,
    files: &BTreeMap<String, String>,
    hook: &mut dyn FnMut(&Step) -> io::Result<()>,
) -> Result<Written, OutputError> {
    let old_files = match std::fs::symlink_metadata(out) {
        Ok(meta) if !meta.is_dir() => return Err(OutputError::NotAFolder(out.to_owned())),
        Ok(_) => {
            let existing = list_files(out)?;
            if !existing.is_empty() && !existing.contains(crate::render::docs::MARKER) {
                return Err(OutputError::NotOurs(out.to_owned()));
            }
            Some(existing)
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => None,
        Err(error) => return Err(io_error("read", out, error)),
    };
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("docs");
    std::fs::create_dir_all(parent).map_err(|error| io_error("create", parent, error))?;
    let prefix = format!(".{name}.flowdoc-new-");
    remove_leftovers(parent, &prefix);
    let staging = parent.join(format!("{prefix}{}", std::process::id()));
    // A folder of this name is a leftover of an interrupted run of ours.
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|error| io_error("remove", &staging, error))?;
    }
    let result = fill(&staging, files, hook).and_then(|()| swap(&staging, out, old_files.is_some(), hook));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    let leftover = result?;
    let new: BTreeSet<&String> = files.keys().collect();
    let removed = old_files.unwrap_or_default().into_iter().filter(|file| !new.contains(file)).collect();
    Ok(Written { files: files.len(), removed, leftover })
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

fn fill(
    staging: &Path,
    files: &BTreeMap<String, String>,
    hook: &mut dyn FnMut(&Step) -> io::Result<()>,
) -> Result<(), OutputError> {
    let create = |path: &Path, hook: &mut dyn FnMut(&Step) -> io::Result<()>| {
        hook(&Step::CreateFolder(path.to_owned()))
            .and_then(|()| std::fs::create_dir_all(path))
            .map_err(|error| io_error("create", path, error))
    };
    create(staging, hook)?;
    for (relative, contents) in files {
        let path = staging.join(relative);
        if let Some(folder) = path.parent()
            && !folder.exists()
        {
            create(folder, hook)?;
        }
        hook(&Step::WriteFile(path.clone()))
            .and_then(|()| {
                let mut file = std::fs::File::create(&path)?;
                file.write_all(contents.as_bytes())
            })
            .map_err(|error| io_error("write", &path, error))?;
    }
    sync(staging, files).map_err(|error| io_error("write", staging, error))
}

/// Puts the written files on disk before they are swapped in, so that a crash of the machine
/// cannot leave a docs folder of empty files. An `fsync` per file costs a disk flush each —
/// seconds for the thousands of pages of a large system, even from several threads — so on
/// Linux one `syncfs` flushes the file system once (it also writes out whatever else is
/// waiting for that disk, which is work the disk has to do anyway).
#[cfg(target_os = "linux")]
fn sync(staging: &Path, _files: &BTreeMap<String, String>) -> io::Result<()> {
    let folder = std::fs::File::open(staging)?;
    rustix::fs::syncfs(&folder).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn sync(staging: &Path, files: &BTreeMap<String, String>) -> io::Result<()> {
    for relative in files.keys() {
        std::fs::File::open(staging.join(relative))?.sync_all()?;
    }
    Ok(())
}

/// Puts `staging` where `out` is, in one step where the system allows, and removes the old
/// one; the old one's path when it could not be removed.
fn swap(
    staging: &Path,
    out: &Path,
    replace: bool,
    hook: &mut dyn FnMut(&Step) -> io::Result<()>,
) -> Result<Option<PathBuf>, OutputError> {
    hook(&Step::Swap(out.to_owned())).map_err(|error| io_error("replace", out, error))?;
    if !replace {
        std::fs::rename(staging, out).map_err(|error| io_error("move into place", out, error))?;
        return Ok(None);
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
    // `staging` now holds the old docs; the new ones are in place whatever happens next.
    let removed = hook(&Step::RemoveOld(staging.to_owned())).and_then(|()| std::fs::remove_dir_all(staging));
    Ok(removed.is_err().then(|| staging.to_owned()))
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

/// Every file under `folder`, relative, `/`-separated, sorted.
fn list_files(folder: &Path) -> Result<BTreeSet<String>, OutputError> {
    let mut found = BTreeSet::new();
    let mut stack = vec![(folder.to_owned(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|error| io_error("read", &dir, error))?;
        for entry in entries {
            let entry = entry.map_err(|error| io_error("read", &dir, error))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
            let kind = entry.file_type().map_err(|error| io_error("read", &entry.path(), error))?;
            if kind.is_dir() {
                stack.push((entry.path(), relative));
            } else {
                found.insert(relative);
            }
        }
    }
    Ok(found)
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
pub fn stale_files(out: &Path, files: &BTreeMap<String, String>) -> Result<Vec<Stale>, OutputError> {
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
        if current != contents.as_bytes() {
            stale.push(Stale::Changed(relative.clone()));
        }
    }
    stale.extend(on_disk.into_iter().filter(|file| !files.contains_key(file)).map(Stale::Extra));
    stale.sort();
    Ok(stale)
}
