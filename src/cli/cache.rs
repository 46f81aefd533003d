//! The incremental cache on disk: `target/flowdoc/cache/` under the project root, one pack file
//! per kind of entry (see [`flowdoc::cache`]). A pack that cannot be read or is not trusted is
//! left aside with a note and rebuilt; one that cannot be written is a note too. Neither changes
//! what the run prints or writes, nor its exit code.

use super::Console;
use flowdoc::cache::Cache;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// Packs that earlier versions kept and this one does not: removed when the cache is saved.
/// (`modules.pack` held the `mod` declarations of files without annotations, now read again
/// each run by a skim that passes function bodies over, for less than hashing them costs.)
const RETIRED: &[&str] = &["modules.pack"];

/// Where the cache of the project at `root` lives.
pub(crate) fn folder(root: &Path) -> PathBuf {
    root.join("target").join("flowdoc").join("cache")
}

/// The cache of the project at `root`, which reads the packs earlier runs wrote as the run
/// first needs each; disabled when `enabled` is false (`--no-cache`).
pub(crate) fn open(root: &Path, enabled: bool) -> Cache {
    if !enabled {
        return Cache::disabled();
    }
    let folder = folder(root);
    Cache::with_loader(Box::new(move |kind| match std::fs::read(folder.join(kind.file_name())) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
        Err(error) => Err(format!("cannot be read: {error}")),
    }))
}

/// Writes the packs that changed, each replacing the old one in one step (written beside it,
/// then renamed over it), so that a run that stops half-way leaves the old pack or the new one;
/// and removes the packs this version no longer keeps.
pub(crate) fn save(console: &mut Console<'_>, root: &Path, cache: &Cache) {
    let packs = cache.packs_to_write();
    for (kind, why) in cache.refused() {
        note(console, &folder(root).join(kind.file_name()), &why);
    }
    if packs.is_empty() {
        return;
    }
    let folder = folder(root);
    if let Err(error) = std::fs::create_dir_all(&folder) {
        console.note(&format!(
            "the cache cannot be kept in {}: {error}; the next run works everything out again",
            folder.display()
        ));
        return;
    }
    for retired in RETIRED {
        // Gone already, as a rule; a pack that cannot be removed is only unused.
        let _ = std::fs::remove_file(folder.join(retired));
    }
    for (kind, bytes) in packs {
        let path = folder.join(kind.file_name());
        let temporary = folder.join(format!(".{}.{}", kind.file_name(), std::process::id()));
        let written = std::fs::write(&temporary, &bytes).and_then(|()| std::fs::rename(&temporary, &path));
        if let Err(error) = written {
            let _ = std::fs::remove_file(&temporary);
            console.note(&format!(
                "the cache cannot be kept in {}: {error}; the next run works it out again",
                path.display()
            ));
        }
    }
}

fn note(console: &mut Console<'_>, path: &Path, why: &str) {
    console.note(&format!("the cache {} is not used ({why}); it is rebuilt", path.display()));
}
