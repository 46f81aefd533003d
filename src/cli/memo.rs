//! The memo of `graph`, `check` and `generate`: what a run found, kept in the cache with the
//! trace of what it listed and read ([`flowdoc::trace`]) — for `check` and `generate`, with a
//! digest of the docs folder too (as `check` compared it, as `generate` left it). When all of it
//! still reads the same, the next run with the same arguments says it again without analysing
//! anything (for `generate`: the docs are up to date); the first difference ends the look, and
//! the run analyses as usual. The memo holds the findings as data, not as printed, so that they come out
//! as the console wants them now (colours, source lines).

use super::check::Docs;
use flowdoc::cache::{Cache, Key, Kind};
use flowdoc::location::Location;
use flowdoc::rules::{self, Finding};
use flowdoc::severity::Severity;
use flowdoc::trace::Trace;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What a run showed, and what it depended on.
#[derive(Debug, Serialize, Deserialize)]
struct Memo {
    trace: Trace,
    findings: Vec<KeptFinding>,
    unreadable_sources: bool,
    kept: Kept,
}

/// What a command kept beyond its findings.
#[derive(Debug, Serialize, Deserialize)]
enum Kept {
    /// `graph`: its text is kept beside the memo.
    Text,
    /// `check`: what it found of the docs, and the digest of their folder before it compared.
    Docs(Docs, [u64; 2]),
    /// `generate`: the docs folder, relative to the root as the docs' links are made, how many
    /// files it wrote there, and the digest of the folder as the write left it.
    Written { folder: PathBuf, out_dir: Option<String>, files: usize, digest: [u64; 2] },
}

/// Which command a memo is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum For {
    Graph,
    Check,
    Generate,
}

/// A finding as kept: its rule by name.
#[derive(Debug, Serialize, Deserialize)]
struct KeptFinding {
    rule: String,
    severity: Severity,
    subject: String,
    message: String,
    location: Option<Location>,
}

/// Where the memo of a run with these arguments is kept: the memo and the text it printed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Keys {
    memo: Key,
    text: Key,
    command: For,
}

impl Keys {
    /// The keys of a run of `command`, given as `args` (its name and the options that change
    /// what it says), on the project at `root` with the templates named on the command line.
    pub(crate) fn new(command: For, args: &str, root: &Path, templates: &[String]) -> Keys {
        let root = root.to_string_lossy();
        let templates = templates.join("\0");
        let parts = |what: &[u8]| -> Key {
            Key::new(Kind::Runs, &[what, args.as_bytes(), root.as_bytes(), templates.as_bytes()])
        };
        Keys { memo: parts(b"memo"), text: parts(b"text"), command }
    }
}

/// What an earlier run found.
pub(crate) struct Recalled {
    pub(crate) findings: Vec<Finding>,
    pub(crate) unreadable_sources: bool,
    pub(crate) said: Said,
}

/// What the command itself said, beyond the findings.
pub(crate) enum Said {
    /// `graph`: the text it printed.
    Text(String),
    /// `check`: what it found of the docs.
    Docs(Docs),
    /// `generate`: the docs in this folder, with this many files, are up to date.
    UpToDate { folder: PathBuf, files: usize },
}

/// Why there is nothing to say again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Miss {
    /// No run with these arguments was kept (or what was kept does not read back).
    NoneKept,
    /// The project lists or reads differently now, or the docs folder changed.
    Changed,
}

impl Miss {
    /// For `--timings`.
    pub(crate) fn detail(self) -> &'static str {
        match self {
            Miss::NoneKept => "no earlier output kept for these arguments",
            Miss::Changed => "something the last run read has changed: analysing",
        }
    }
}

/// What an earlier run with the same arguments found, when the project (and, for `check`, the
/// docs folder) still reads as it did then.
pub(crate) fn recall(
    cache: &Cache,
    keys: Keys,
    files: &dyn flowdoc::files::ProjectFiles,
    root: &Path,
) -> Result<Recalled, Miss> {
    let memo: Memo = cache.get_value(Kind::Runs, keys.memo).ok_or(Miss::NoneKept)?;
    let for_command = match memo.kept {
        Kept::Text => For::Graph,
        Kept::Docs(..) => For::Check,
        Kept::Written { .. } => For::Generate,
    };
    if for_command != keys.command {
        // Another command's memo: only a collision of keys could bring it here.
        return Err(Miss::NoneKept);
    }
    let findings = memo
        .findings
        .into_iter()
        .map(|kept| {
            Some(Finding {
                rule: rules::find(&kept.rule)?.name(),
                severity: kept.severity,
                subject: kept.subject,
                message: kept.message,
                location: kept.location,
            })
        })
        .collect::<Option<Vec<Finding>>>()
        .ok_or(Miss::NoneKept)?;
    if !memo.trace.holds(files, 0) {
        return Err(Miss::Changed);
    }
    // The docs folder as it was kept, in the same place relative to the root.
    let same_folder = |folder: &Path, out_dir: &Option<String>, digest: [u64; 2]| {
        flowdoc::output::folder_digest(folder) == Some(digest)
            && super::relative_output(root, folder) == *out_dir
    };
    let said = match memo.kept {
        Kept::Text => Said::Text(
            cache
                .get(Kind::Runs, keys.text, |bytes| std::str::from_utf8(bytes).ok().map(str::to_owned))
                .ok_or(Miss::NoneKept)?,
        ),
        Kept::Docs(docs, digest) => {
            if !same_folder(&docs.folder, &docs.out_dir, digest) {
                return Err(Miss::Changed);
            }
            Said::Docs(docs)
        }
        Kept::Written { folder, out_dir, files, digest } => {
            if !same_folder(&folder, &out_dir, digest) {
                return Err(Miss::Changed);
            }
            Said::UpToDate { folder, files }
        }
    };
    Ok(Recalled { findings, unreadable_sources: memo.unreadable_sources, said })
}

/// Keeps what a run of `graph` printed for the next run with the same arguments.
pub(crate) fn keep(
    cache: &Cache,
    keys: Keys,
    trace: Trace,
    findings: &[Finding],
    text: &str,
    unreadable_sources: bool,
) {
    let memo = Memo { trace, findings: kept_findings(findings), unreadable_sources, kept: Kept::Text };
    cache.put_value(Kind::Runs, keys.memo, &memo);
    cache.put(Kind::Runs, keys.text, text.as_bytes());
}

/// Keeps what a run of `check` found, with `digest`, the docs folder's digest taken before the
/// comparison read it (so that a change while the run compared is seen by the next one);
/// nothing when the folder could not be compared.
pub(crate) fn keep_check(
    cache: &Cache,
    keys: Keys,
    trace: Trace,
    findings: &[Finding],
    docs: &Docs,
    digest: [u64; 2],
    unreadable_sources: bool,
) {
    if docs.stale.is_err() {
        return;
    }
    let memo = Memo {
        trace,
        findings: kept_findings(findings),
        unreadable_sources,
        kept: Kept::Docs(docs.clone(), digest),
    };
    cache.put_value(Kind::Runs, keys.memo, &memo);
}

/// What a run of `generate` left: the folder it wrote (`written`: its path, its place relative
/// to the root, how many files, the digest of what they hold), for the next run with the same
/// arguments to find up to date.
pub(crate) fn keep_generate(
    cache: &Cache,
    keys: Keys,
    trace: Trace,
    findings: &[Finding],
    written: Written,
    unreadable_sources: bool,
) {
    let Written { folder, out_dir, files, digest } = written;
    let kept = Kept::Written { folder, out_dir, files, digest };
    let memo = Memo { trace, findings: kept_findings(findings), unreadable_sources, kept };
    cache.put_value(Kind::Runs, keys.memo, &memo);
}

/// The docs folder a run of `generate` wrote, as its memo keeps it.
pub(crate) struct Written {
    pub(crate) folder: PathBuf,
    pub(crate) out_dir: Option<String>,
    pub(crate) files: usize,
    pub(crate) digest: [u64; 2],
}

fn kept_findings(findings: &[Finding]) -> Vec<KeptFinding> {
    findings
        .iter()
        .map(|finding| KeptFinding {
            rule: finding.rule.to_owned(),
            severity: finding.severity,
            subject: finding.subject.clone(),
            message: finding.message.clone(),
            location: finding.location.clone(),
        })
        .collect()
}
