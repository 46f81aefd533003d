//! `graph`'s memo: what a run printed, kept in the cache with the trace of what it listed and
//! read ([`flowdoc::trace`]). When the project still lists and reads the same, the next run with
//! the same arguments prints it again without analysing anything; the first difference the walk
//! meets ends the check, and the run analyses as usual. The memo holds the findings as data,
//! not as printed, so that they come out as the console wants them now (colours, source lines).

use flowdoc::cache::{Cache, Key, Kind};
use flowdoc::location::Location;
use flowdoc::rules::{self, Finding};
use flowdoc::severity::Severity;
use flowdoc::trace::Trace;
use serde::{Deserialize, Serialize};

/// What a run of `graph` showed, and what it depended on.
#[derive(Debug, Serialize, Deserialize)]
struct Memo {
    trace: Trace,
    findings: Vec<KeptFinding>,
    unreadable_sources: bool,
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
}

impl Keys {
    /// The keys of a run of `command` (its name and options, as they change what it prints) on
    /// the project at `root` with the templates named on the command line.
    pub(crate) fn new(command: &str, root: &std::path::Path, templates: &[String]) -> Keys {
        let root = root.to_string_lossy();
        let templates = templates.join("\0");
        let parts = |what: &[u8]| -> Key {
            Key::new(Kind::Runs, &[what, command.as_bytes(), root.as_bytes(), templates.as_bytes()])
        };
        Keys { memo: parts(b"memo"), text: parts(b"text") }
    }
}

/// What an earlier run printed.
pub(crate) struct Recalled {
    pub(crate) findings: Vec<Finding>,
    pub(crate) text: String,
    pub(crate) unreadable_sources: bool,
}

/// Why there is nothing to print again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Miss {
    /// No run with these arguments was kept (or what was kept does not read back).
    NoneKept,
    /// The project lists or reads differently now.
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

/// What an earlier run with the same arguments printed, when the project still lists and reads
/// as it did then.
pub(crate) fn recall(
    cache: &Cache,
    keys: Keys,
    files: &dyn flowdoc::files::ProjectFiles,
) -> Result<Recalled, Miss> {
    let recalled = recall_kept(cache, keys, files)?;
    recalled.ok_or(Miss::Changed)
}

/// The memo, None when the project changed; Err when there is none.
fn recall_kept(
    cache: &Cache,
    keys: Keys,
    files: &dyn flowdoc::files::ProjectFiles,
) -> Result<Option<Recalled>, Miss> {
    let memo: Memo = cache.get_value(Kind::Runs, keys.memo).ok_or(Miss::NoneKept)?;
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
        return Ok(None);
    }
    let text = cache
        .get(Kind::Runs, keys.text, |bytes| std::str::from_utf8(bytes).ok().map(str::to_owned))
        .ok_or(Miss::NoneKept)?;
    Ok(Some(Recalled { findings, text, unreadable_sources: memo.unreadable_sources }))
}

/// Keeps what this run printed for the next run with the same arguments.
pub(crate) fn keep(
    cache: &Cache,
    keys: Keys,
    trace: Trace,
    findings: &[Finding],
    text: &str,
    unreadable_sources: bool,
) {
    let findings = findings
        .iter()
        .map(|finding| KeptFinding {
            rule: finding.rule.to_owned(),
            severity: finding.severity,
            subject: finding.subject.clone(),
            message: finding.message.clone(),
            location: finding.location.clone(),
        })
        .collect();
    cache.put_json(Kind::Runs, keys.memo, &Memo { trace, findings, unreadable_sources });
    cache.put(Kind::Runs, keys.text, text.as_bytes());
}
