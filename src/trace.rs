//! What a run read, and whether the project still reads the same: what lets a run's whole
//! result be used again when nothing it depends on changed.
//!
//! [`Recording`] stands between a run and the project's files and notes the listing and every
//! read: the path, the size limit, and a digest (128-bit XXH3) of what came back — the bytes, or
//! the error. [`Trace::holds`] lists and reads the same again, on all cores, each file read by
//! the thread of the walk that finds it, and stops at the first difference. A run that streamed
//! a file ([`ProjectFiles::open`], for files too large to hold) or saw a file change while it
//! ran leaves no trace.

use crate::files::{Listing, ProjectFiles, ReadAlong, ReadError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use xxhash_rust::xxh3::Xxh3;

/// A digest of a listing or of a read's outcome.
type Digest = [u64; 2];

/// What a run listed and read, as digests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// When the run began reading (seconds and nanoseconds since the Unix epoch): files
    /// modified since are checked first.
    started: (u64, u32),
    /// The listing the run took; None when it took none.
    listing: Option<Digest>,
    /// Every read: path, limit in bytes, digest of the outcome; sorted.
    reads: Vec<(String, u64, Digest)>,
}

impl Trace {
    /// How many reads the trace holds.
    pub fn reads(&self) -> usize {
        self.reads.len()
    }

    /// Whether `files` lists as the traced run listed and every traced read comes back the
    /// same. Files are read on `threads` threads (0: one per core) as the walk finds them; the
    /// first difference stops the walk.
    pub fn holds(&self, files: &dyn ProjectFiles, threads: usize) -> bool {
        if self.recently_modified_differ(files, threads) {
            return false;
        }
        let mut wanted: HashMap<&str, Vec<(u64, Digest)>> = HashMap::with_capacity(self.reads.len());
        for (path, limit, digest) in &self.reads {
            wanted.entry(path.as_str()).or_default().push((*limit, *digest));
        }
        let limit = self.reads.iter().map(|(_, limit, _)| *limit).max().unwrap_or(0);
        let checker =
            Checker { wanted: &wanted, limit, differs: AtomicBool::new(false), checked: AtomicUsize::new(0) };
        let listing = files.list_reading(&checker, threads);
        if checker.differs.load(Ordering::Relaxed) {
            return false;
        }
        if self.listing.is_some_and(|digest| digest != listing_digest(&listing)) {
            return false;
        }
        if checker.checked.load(Ordering::Relaxed) == wanted.len() {
            return true;
        }
        // Reads of paths the walk does not come upon: files that were missing, or named in a
        // way the listing does not spell them.
        let listed: std::collections::HashSet<&str> = listing.files.iter().map(String::as_str).collect();
        wanted.iter().filter(|(path, _)| !listed.contains(*path)).all(|(path, reads)| {
            reads.iter().all(|(limit, digest)| outcome_digest(&files.read(path, *limit)) == *digest)
        })
    }
}

impl Trace {
    /// Whether a file modified since the run began (an edit, most likely) reads differently: a
    /// look at every file's time first, so that a changed project is usually told without
    /// reading it all.
    fn recently_modified_differ(&self, files: &dyn ProjectFiles, threads: usize) -> bool {
        let started = std::time::UNIX_EPOCH + std::time::Duration::new(self.started.0, self.started.1);
        let workers = crate::parallel::Workers { threads, stack: 0, name: "flowdoc-trace" };
        let differs = AtomicBool::new(false);
        crate::parallel::map_all(&self.reads, workers, |(path, limit, digest)| {
            if !differs.load(Ordering::Relaxed)
                && files.modified(path).is_some_and(|modified| modified >= started)
                && outcome_digest(&files.read(path, *limit)) != *digest
            {
                differs.store(true, Ordering::Relaxed);
            }
        });
        differs.into_inner()
    }
}

/// Checks, on the walk, the files a trace read.
struct Checker<'t> {
    wanted: &'t HashMap<&'t str, Vec<(u64, Digest)>>,
    /// The largest limit of any read: each file is read once, up to it.
    limit: u64,
    differs: AtomicBool,
    /// Paths checked.
    checked: AtomicUsize,
}

impl ReadAlong for Checker<'_> {
    fn wants(&self, path: &str) -> bool {
        self.wanted.contains_key(path)
    }

    fn limit(&self) -> u64 {
        self.limit
    }

    fn take(&self, path: &str, contents: Result<Vec<u8>, ReadError>) {
        let Some(reads) = self.wanted.get(path) else { return };
        // The outcome of reading the file with each traced limit, from one read with the largest.
        let same = reads.iter().all(|(limit, digest)| {
            let outcome = match &contents {
                Ok(bytes) if bytes.len() as u64 > *limit => too_large_digest(bytes.len() as u64),
                Ok(bytes) => bytes_digest(bytes),
                Err(ReadError::TooLarge { size, .. }) => too_large_digest(*size),
                Err(ReadError::Io(error)) => io_digest(error),
            };
            outcome == *digest
        });
        if !same {
            self.differs.store(true, Ordering::Relaxed);
        }
        self.checked.fetch_add(1, Ordering::Relaxed);
    }

    fn done(&self) -> bool {
        self.differs.load(Ordering::Relaxed)
    }
}

/// A project's files, each listing and read noted for a [`Trace`].
pub struct Recording<'a> {
    files: &'a dyn ProjectFiles,
    /// When the recording began, as the trace keeps it.
    started: (u64, u32),
    log: Mutex<Log>,
}

#[derive(Debug, Default)]
struct Log {
    listing: Option<Digest>,
    /// Every read in the order they were noted (on many threads at once: a push is all a read
    /// costs the lock); sorted, and a file read twice checked, when the trace is taken.
    reads: Vec<(String, u64, Digest)>,
    /// Something happened that a trace cannot hold: two listings that differ (the project
    /// changed while the run listed it), a listing stopped early, or a file streamed. Two reads
    /// of a file that differ are found when the trace is taken, among the sorted reads.
    untraceable: bool,
}

impl std::fmt::Debug for Recording<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recording").field("log", &self.log).finish_non_exhaustive()
    }
}

impl<'a> Recording<'a> {
    /// Notes what is listed and read of `files`.
    pub fn new(files: &'a dyn ProjectFiles) -> Recording<'a> {
        let since_epoch =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        // The file system may keep coarser times than the clock: a second earlier is safe.
        let started = since_epoch.saturating_sub(std::time::Duration::from_secs(1));
        Recording {
            files,
            started: (started.as_secs(), started.subsec_nanos()),
            log: Mutex::new(Log::default()),
        }
    }

    /// What was listed and read so far; None when it cannot be told again (see [`Log`]).
    pub fn trace(&self) -> Option<Trace> {
        let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        if log.untraceable {
            return None;
        }
        let mut reads = log.reads.clone();
        reads.sort_unstable();
        // A file read twice with the same limit must have read the same both times.
        let mut conflict = false;
        reads.dedup_by(|later, earlier| {
            let same_read = later.0 == earlier.0 && later.1 == earlier.1;
            conflict |= same_read && later.2 != earlier.2;
            same_read
        });
        (!conflict).then(|| Trace { started: self.started, listing: log.listing, reads })
    }

    fn note_listing(&self, listing: &Listing) {
        let digest = listing_digest(listing);
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        if log.listing.is_some_and(|earlier| earlier != digest) {
            log.untraceable = true;
        }
        log.listing = Some(digest);
    }

    fn note_read(&self, path: &str, limit: u64, outcome: &Result<Vec<u8>, ReadError>) {
        let read = (path.to_owned(), limit, outcome_digest(outcome));
        self.log.lock().unwrap_or_else(PoisonError::into_inner).reads.push(read);
    }
}

impl ProjectFiles for Recording<'_> {
    fn list(&self) -> Listing {
        let listing = self.files.list();
        self.note_listing(&listing);
        listing
    }

    fn list_reading(&self, along: &dyn ReadAlong, threads: usize) -> Listing {
        let listing = self.files.list_reading(&Noting { along, recording: self }, threads);
        if along.done() {
            // Stopped early: the listing is not the project's.
            self.log.lock().unwrap_or_else(PoisonError::into_inner).untraceable = true;
        } else {
            self.note_listing(&listing);
        }
        listing
    }

    fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        let outcome = self.files.read(path, limit);
        self.note_read(path, limit, &outcome);
        outcome
    }

    fn open(&self, path: &str) -> io::Result<Box<dyn Read + '_>> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner).untraceable = true;
        self.files.open(path)
    }

    fn modified(&self, path: &str) -> Option<std::time::SystemTime> {
        self.files.modified(path)
    }
}

/// A reader on the walk whose reads are noted.
struct Noting<'r, 'a> {
    along: &'r dyn ReadAlong,
    recording: &'r Recording<'a>,
}

impl ReadAlong for Noting<'_, '_> {
    fn wants(&self, path: &str) -> bool {
        self.along.wants(path)
    }

    fn limit(&self) -> u64 {
        self.along.limit()
    }

    fn take(&self, path: &str, contents: Result<Vec<u8>, ReadError>) {
        self.recording.note_read(path, self.along.limit(), &contents);
        self.along.take(path, contents);
    }

    fn done(&self) -> bool {
        self.along.done()
    }
}

fn finish(hasher: &Xxh3) -> Digest {
    let digest = hasher.digest128();
    [digest as u64, (digest >> 64) as u64]
}

fn listing_digest(listing: &Listing) -> Digest {
    let mut hasher = Xxh3::new();
    for path in &listing.files {
        hasher.update(path.as_bytes());
        hasher.update(b"\n");
    }
    hasher.update(b"\0problems\n");
    for problem in &listing.problems {
        hasher.update(problem.path.as_bytes());
        hasher.update(b"\0");
        hasher.update(problem.message.as_bytes());
        hasher.update(b"\n");
    }
    finish(&hasher)
}

fn outcome_digest(outcome: &Result<Vec<u8>, ReadError>) -> Digest {
    match outcome {
        Ok(bytes) => bytes_digest(bytes),
        Err(ReadError::TooLarge { size, .. }) => too_large_digest(*size),
        Err(ReadError::Io(error)) => io_digest(error),
    }
}

fn bytes_digest(bytes: &[u8]) -> Digest {
    let mut hasher = Xxh3::new();
    hasher.update(b"bytes\0");
    hasher.update(bytes);
    finish(&hasher)
}

fn too_large_digest(size: u64) -> Digest {
    let mut hasher = Xxh3::new();
    hasher.update(b"too large\0");
    hasher.update(&size.to_le_bytes());
    finish(&hasher)
}

fn io_digest(error: &io::Error) -> Digest {
    let mut hasher = Xxh3::new();
    hasher.update(b"io\0");
    hasher.update(format!("{:?}\0{error}", error.kind()).as_bytes());
    finish(&hasher)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::{DiskFiles, MemoryFiles};

    /// A run's reads: the listing, a config that is not there, every `.rs` file on the walk,
    /// and one file twice with two limits.
    fn run(files: &dyn ProjectFiles) -> Option<Trace> {
        struct Sources;
        impl ReadAlong for Sources {
            fn wants(&self, path: &str) -> bool {
                path.ends_with(".rs")
            }
            fn limit(&self) -> u64 {
                1 << 20
            }
            fn take(&self, _: &str, _: Result<Vec<u8>, ReadError>) {}
        }
        let recording = Recording::new(files);
        let _ = recording.read("flowdoc.toml", 1 << 20);
        let _ = recording.list_reading(&Sources, 2);
        let _ = recording.read("template.yaml", 1 << 20);
        let _ = recording.read("template.yaml", 10);
        recording.trace()
    }

    fn project() -> MemoryFiles {
        let mut files = MemoryFiles::new();
        files
            .insert("api/src/lib.rs", "fn a() {}")
            .insert("api/src/big.rs", vec![b' '; 2 << 20])
            .insert("template.yaml", "Resources: {}\n")
            .insert_unreadable("api/src/locked.rs", "permission denied");
        files
    }

    #[test]
    fn an_unchanged_project_holds_and_every_change_is_seen() {
        let trace = run(&project()).expect("a trace");
        assert_eq!(trace.reads(), 6);
        assert!(trace.holds(&project(), 2));
        type Change = fn(&mut MemoryFiles);
        let changes: [(&str, Change); 7] = [
            ("a source's bytes", |files| {
                files.insert("api/src/lib.rs", "fn b() {}");
            }),
            ("a new file", |files| {
                files.insert("api/src/new.md", "");
            }),
            ("a config that appears", |files| {
                files.insert("flowdoc.toml", "");
            }),
            ("a template read with a smaller limit", |files| {
                files.insert("template.yaml", "Resources: {} # longer\n");
            }),
            ("a file that became readable", |files| {
                files.insert("api/src/locked.rs", "");
            }),
            ("a large file that grew", |files| {
                files.insert("api/src/big.rs", vec![b' '; (2 << 20) + 1]);
            }),
            ("a file that cannot be read any more", |files| {
                files.insert_unreadable("api/src/lib.rs", "permission denied");
            }),
        ];
        for (what, change) in changes {
            let mut files = project();
            change(&mut files);
            assert!(!trace.holds(&files, 2), "{what}");
        }
    }

    #[test]
    fn a_trace_on_disk_holds_until_a_file_changes() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(folder.path().join("api/src")).unwrap();
        std::fs::write(folder.path().join("api/src/lib.rs"), "fn a() {}").unwrap();
        std::fs::write(folder.path().join("template.yaml"), "Resources: {}\n").unwrap();
        let files = DiskFiles::new(folder.path());
        let trace = run(&files).expect("a trace");
        assert!(trace.holds(&files, 1) && trace.holds(&files, 4));
        std::fs::write(folder.path().join("api/src/lib.rs"), "fn a() { }").unwrap();
        assert!(!trace.holds(&files, 2));
    }

    #[test]
    fn streamed_or_changing_files_leave_no_trace() {
        let files = project();
        let recording = Recording::new(&files);
        let _ = recording.open("api/src/big.rs");
        assert_eq!(recording.trace(), None);

        // A file that reads differently the second time: it changed while the run read it.
        struct Changing(AtomicUsize);
        impl ProjectFiles for Changing {
            fn list(&self) -> Listing {
                Listing::default()
            }
            fn read(&self, _: &str, _: u64) -> Result<Vec<u8>, ReadError> {
                Ok(self.0.fetch_add(1, Ordering::Relaxed).to_string().into_bytes())
            }
            fn open(&self, _: &str) -> io::Result<Box<dyn Read + '_>> {
                Err(io::Error::other("not here"))
            }
        }
        // Read twice the same: one read in the trace, sorted with the others.
        let files = project();
        let recording = Recording::new(&files);
        for path in ["template.yaml", "api/src/lib.rs", "template.yaml"] {
            let _ = recording.read(path, 100);
        }
        let trace = recording.trace().expect("a trace");
        let paths: Vec<&str> = trace.reads.iter().map(|(path, _, _)| path.as_str()).collect();
        assert_eq!(paths, ["api/src/lib.rs", "template.yaml"]);

        let changing = Changing(AtomicUsize::new(0));
        let recording = Recording::new(&changing);
        let _ = recording.read("a.rs", 100);
        assert!(recording.trace().is_some());
        let _ = recording.read("a.rs", 100);
        assert_eq!(recording.trace(), None);
    }

    #[test]
    fn traces_survive_their_json() {
        let trace = run(&project()).expect("a trace");
        let json = serde_json::to_string(&trace).unwrap();
        assert_eq!(serde_json::from_str::<Trace>(&json).unwrap(), trace);
    }
}
