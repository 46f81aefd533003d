//! A Rust source file being put together (docs, `mod` declarations, imports, items, tests), and
//! filling it with ordinary items up to a length.

use super::fillers_code::{
    async_filler, constants_filler, helper_filler, pages_filler, stats_filler, store_filler,
};
use super::fillers_data::{error_filler, record_filler, status_filler};
use super::plan::Entity;
use super::rng::Rng;
use super::text::{indent, line_count};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// A Rust source file being put together: module docs, `mod` declarations, imports, items and
/// tests, each part in its place when rendered.
#[derive(Debug, Default)]
pub(super) struct RustFile {
    docs: Vec<String>,
    mods: Vec<String>,
    uses: BTreeSet<String>,
    items: Vec<String>,
    pub(super) tests: Vec<String>,
    pub(super) test_uses: BTreeSet<String>,
    /// Names of items, to keep them unique.
    pub(super) names: BTreeSet<String>,
    pub(super) lines: usize,
}

impl RustFile {
    /// An empty file with the module docs `docs`, one line each.
    pub(super) fn new(docs: &str) -> RustFile {
        let mut file = RustFile::default();
        file.docs = docs.lines().map(str::to_owned).collect();
        file.lines = file.docs.len() + 2;
        file
    }

    /// Imports `path`, once.
    pub(super) fn add_use(&mut self, path: &str) {
        if self.uses.insert(path.to_owned()) {
            self.lines += 1;
        }
    }

    /// Adds a line to the `mod` declarations (and re-exports) at the top.
    pub(super) fn add_mod(&mut self, declaration: String) {
        self.mods.push(declaration);
        self.lines += 1;
    }

    /// Adds an item.
    pub(super) fn item(&mut self, text: String) {
        self.lines += line_count(&text) + 1;
        self.items.push(text);
    }

    /// Adds a test to the file's `tests` module.
    pub(super) fn test(&mut self, text: String) {
        if self.tests.is_empty() {
            self.lines += 4;
        }
        self.lines += line_count(&text) + 1;
        self.tests.push(text);
    }

    /// `wanted` if no item of the file has that name yet, else a variant of it.
    pub(super) fn unique(&mut self, wanted: &str, suffixes: &[&str]) -> String {
        let mut name = wanted.to_owned();
        let mut attempt = 0;
        while self.names.contains(&name) {
            name = match suffixes.get(attempt) {
                Some(suffix) => format!("{wanted}{suffix}"),
                None => format!("{wanted}{}", attempt + 2),
            };
            attempt += 1;
        }
        self.names.insert(name.clone());
        name
    }

    /// The file's text: docs, `mod` declarations, imports, items and the tests module.
    pub(super) fn render(&self) -> String {
        let mut out = String::with_capacity(self.lines * 48);
        for doc in &self.docs {
            if doc.is_empty() {
                out.push_str("//!\n");
            } else {
                let _ = writeln!(out, "//! {doc}");
            }
        }
        if !self.mods.is_empty() {
            out.push('\n');
            for declaration in &self.mods {
                let _ = writeln!(out, "{declaration}");
            }
        }
        if !self.uses.is_empty() {
            out.push('\n');
            for path in &self.uses {
                let _ = writeln!(out, "use {path};");
            }
        }
        for item in &self.items {
            out.push('\n');
            out.push_str(item);
        }
        if !self.tests.is_empty() {
            out.push_str("\n#[cfg(test)]\nmod tests {\n    use super::*;\n");
            for path in &self.test_uses {
                let _ = writeln!(out, "    use {path};");
            }
            for test in &self.tests {
                out.push('\n');
                out.push_str(&indent(test, 4));
            }
            out.push_str("}\n");
        }
        out
    }
}

/// How long an ordinary file should be: 60 to 460 lines (a little more once filled), most
/// between 100 and 240.
pub(super) fn target_lines(rng: &mut Rng) -> usize {
    // Files end up a little longer than their target (the last item does not fit exactly).
    match rng.below(100) {
        0..=24 => rng.range(60, 100),
        25..=59 => rng.range(100, 160),
        60..=82 => rng.range(160, 240),
        83..=95 => rng.range(240, 360),
        _ => rng.range(360, 460),
    }
}

/// What filler items are about.
#[derive(Clone, Debug)]
pub(super) struct Subject {
    pub(super) entity: Entity,
    pub(super) domain: String,
}

/// The kinds of ordinary items a file can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Filler {
    Record,
    Status,
    Error,
    Store,
    Helper,
    AsyncHelper,
    Pages,
    Stats,
    Constants,
}

/// The fillers to pick from once a file's preferred ones are used, some more often than others.
const ALL_FILLERS: &[Filler] = &[
    Filler::Record,
    Filler::Record,
    Filler::Status,
    Filler::Error,
    Filler::Store,
    Filler::Helper,
    Filler::Helper,
    Filler::Helper,
    Filler::AsyncHelper,
    Filler::Pages,
    Filler::Stats,
    Filler::Constants,
];

/// Adds ordinary items, starting with `preferred`, until the file is about `target` lines long.
pub(super) fn fill_file(
    file: &mut RustFile,
    rng: &mut Rng,
    topic: &Subject,
    preferred: &[Filler],
    target: usize,
) {
    let mut queue: Vec<Filler> = preferred.to_vec();
    let mut guard = 0;
    while file.lines < target && guard < 200 {
        guard += 1;
        let kind = if queue.is_empty() { *rng.pick(ALL_FILLERS) } else { queue.remove(0) };
        let (item, tests, uses) = filler(kind, file, rng, topic);
        let size = line_count(&item) + tests.iter().map(|t| line_count(t) + 1).sum::<usize>();
        if file.lines + size > target + 40 && file.lines >= 60 {
            // Too long for what is left: a constant block is short.
            if kind == Filler::Constants {
                break;
            }
            queue.push(Filler::Constants);
            continue;
        }
        for path in uses {
            file.add_use(path);
        }
        file.item(item);
        for test in tests {
            file.test(test);
        }
    }
}

/// What a filler makes: the item, its tests, and the paths it needs imported.
pub(super) type FillerOutput = (String, Vec<String>, Vec<&'static str>);

/// A filler item of `kind` about `topic`, named so no other item of `file` has its name.
fn filler(kind: Filler, file: &mut RustFile, rng: &mut Rng, topic: &Subject) -> FillerOutput {
    match kind {
        Filler::Record => record_filler(file, rng, topic),
        Filler::Status => status_filler(file, rng, topic),
        Filler::Error => error_filler(file, rng, topic, None),
        Filler::Store => store_filler(file, rng, topic),
        Filler::Helper => helper_filler(file, rng, topic),
        Filler::AsyncHelper => async_filler(file, rng, topic),
        Filler::Pages => pages_filler(file, rng, topic),
        Filler::Stats => stats_filler(file, rng, topic),
        Filler::Constants => constants_filler(file, rng, topic),
    }
}
