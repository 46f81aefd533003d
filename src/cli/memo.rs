//! The memo of `graph` and `check`: what a run found, kept in the cache with the trace of what
//! it listed and read ([`flowdoc::trace`]) — for `check`, with a digest of the docs folder it
//! compared too. When all of it still reads the same, the next run with the same arguments says
//! it again without analysing anything; the first difference ends the look, and the run
//! analyses as usual. The memo holds the findings as data, not as printed, so that they come out
//! as the console wants them now (colours, source lines).

use super::check::Docs;
use flowdoc::cache::{Cache, Key, Kind};
use flowdoc::location::Location;
use flowdoc::rules::{self, Finding};
use flowdoc::severity::Severity;
use flowdoc::trace::Trace;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What a run showed, and what it depended on.
#[derive(Debug, Serialize, Deserialize)]
struct Memo {
    trace: Trace,
    findings: Vec<KeptFinding>,
    unreadable_sources: bool,
    /// For `check`: what it found of the docs, and the digest of their folder then.
    docs: Option<(Docs, [u64; 2])>,
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
    /// Whether the command compares the docs (`check`), and its memo holds what it found of them.
    docs: bool,
}

impl Keys {
    /// The keys of a run of `command` (its name and options, as they change what it prints) on
    /// the project at `root` with the templates named on the command line; `docs` for `check`.
    pub(crate) fn new(command: &str, root: &std::path::Path, templates: &[String], docs: bool) -> Keys {
        let root = root.to_string_lossy();
        let templates = templates.join("\0");
        let parts = |what: &[u8]| -> Key {
            Key::new(Kind::Runs, &[what, command.as_bytes(), root.as_bytes(), templates.as_bytes()])
        };
        Keys { memo: parts(b"memo"), text: parts(b"text"), docs }
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
    if memo.docs.is_some() != keys.docs {
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
    let said = match memo.docs {
        Some((docs, digest)) => {
            let same_folder = flowdoc::output::folder_digest(&docs.folder) == Some(digest)
                && super::relative_output(root, &docs.folder) == docs.out_dir;
            if !same_folder {
                return Err(Miss::Changed);
            }
            Said::Docs(docs)
        }
        None => Said::Text(
            cache
                .get(Kind::Runs, keys.text, |bytes| std::str::from_utf8(bytes).ok().map(str::to_owned))
                .ok_or(Miss::NoneKept)?,
        ),
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
    let memo = Memo { trace, findings: kept_findings(findings), unreadable_sources, docs: None };
    cache.put_json(Kind::Runs, keys.memo, &memo);
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
        docs: Some((docs.clone(), digest)),
    };
    cache.put_json(Kind::Runs, keys.memo, &memo);
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
