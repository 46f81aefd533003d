//! The cheap first look: only files that mention an attribute name or the annotations crate are
//! parsed. A memchr substring search reads a file hundreds of times faster than syn parses it.
//!
//! The look is taken while the project is walked ([`SourceReader`]): every Rust file and
//! manifest is read by the thread that finds it, searched there and then for the words of the
//! annotations crate's usual name, and only what the scan needs of it is kept.

use super::{Glance, ScanOptions, SourceProblem, lex};
use crate::files::{ReadAlong, ReadError};
use memchr::memmem::Finder;
use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::{Mutex, PoisonError};

/// The name the annotations crate goes by unless a manifest renames it.
pub(crate) const DEFAULT_CRATE: &str = "flowdoc_annotations";

/// Reads, on the walk, what the scan will want: Rust sources and manifests (within the crate
/// folders the options name, when they name some).
#[derive(Debug)]
pub struct SourceReader {
    crate_roots: Vec<String>,
    limit: u64,
    prefilter: Prefilter,
    read: Mutex<Vec<(String, Result<Walked, ReadError>)>>,
}

/// What the walk kept of a file.
#[derive(Debug)]
pub(crate) enum Walked {
    /// A `Cargo.toml`, whole.
    Manifest(Vec<u8>),
    /// A `.rs` file: what placement needs of it, whether it mentions the words of
    /// [`DEFAULT_CRATE`]'s pre-filter, and if so its text (or why it has none).
    Source { glance: Glance, text: Option<Result<String, SourceProblem>> },
}

/// What the walk read, by path.
#[derive(Debug, Default)]
pub struct WalkedFiles {
    pub(crate) files: HashMap<String, Result<Walked, ReadError>>,
}

impl WalkedFiles {
    /// How many files the walk read.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether it read none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

impl SourceReader {
    /// Reads what a scan with `options` will want.
    pub fn new(options: &ScanOptions) -> SourceReader {
        SourceReader {
            crate_roots: options.crate_roots.clone(),
            limit: options.max_file_bytes,
            prefilter: Prefilter::new(DEFAULT_CRATE),
            read: Mutex::new(Vec::new()),
        }
    }

    /// What was read.
    pub fn into_walked(self) -> WalkedFiles {
        WalkedFiles { files: self.read.into_inner().unwrap_or_else(PoisonError::into_inner).into_iter().collect() }
    }
}

impl ReadAlong for SourceReader {
    fn wants(&self, path: &str) -> bool {
        let in_roots =
            || self.crate_roots.is_empty() || self.crate_roots.iter().any(|root| super::is_within(path, root));
        (path.ends_with(".rs") || path.rsplit('/').next() == Some("Cargo.toml")) && in_roots()
    }

    fn limit(&self) -> u64 {
        self.limit.max(super::MAX_MANIFEST_BYTES)
    }

    fn take(&self, path: &str, contents: Result<Vec<u8>, ReadError>) {
        let walked = contents.and_then(|bytes| {
            if !path.ends_with(".rs") {
                return Ok(Walked::Manifest(bytes));
            }
            if bytes.len() as u64 > self.limit {
                return Err(ReadError::TooLarge { size: bytes.len() as u64, limit: self.limit });
            }
            let glance = Glance::of(path, &bytes);
            let text = self
                .prefilter
                .matches(&bytes)
                .then(|| lex::decode(path, bytes).map(lex::ready));
            Ok(Walked::Source { glance, text })
        });
        self.read.lock().unwrap_or_else(PoisonError::into_inner).push((path.to_owned(), walked));
    }
}

/// The words whose presence makes a file worth parsing.
#[derive(Debug)]
pub(crate) struct Prefilter {
    finders: Vec<Finder<'static>>,
    longest: usize,
}

impl Prefilter {
    /// Looks for the handler attribute names and `annotations_crate`, the name `#[event]` must
    /// be imported or qualified through.
    pub(crate) fn new(annotations_crate: &str) -> Prefilter {
        let words = ["event_producer", "event_consumer", annotations_crate];
        let finders: Vec<Finder<'static>> =
            words.iter().map(|word| Finder::new(word.as_bytes()).into_owned()).collect();
        let longest = words.iter().map(|word| word.len()).max().unwrap_or(0);
        Prefilter { finders, longest }
    }

    /// Whether `bytes` mention any of the words.
    pub(crate) fn matches(&self, bytes: &[u8]) -> bool {
        self.finders.iter().any(|finder| finder.find(bytes).is_some())
    }

    /// Whether the stream mentions any of the words, reading it in pieces of bounded size.
    pub(crate) fn matches_stream(&self, mut reader: impl Read) -> io::Result<bool> {
        const CHUNK: usize = 1 << 20;
        let mut window = vec![0u8; CHUNK + self.longest];
        let mut kept = 0;
        loop {
            let mut filled = kept;
            while filled < window.len() {
                match reader.read(&mut window[filled..]) {
                    Ok(0) => break,
                    Ok(read) => filled += read,
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                    Err(error) => return Err(error),
                }
            }
            if self.matches(&window[..filled]) {
                return Ok(true);
            }
            if filled < window.len() {
                return Ok(false);
            }
            // Keep the tail, where a word may start and continue into the next piece.
            kept = self.longest.saturating_sub(1);
            window.copy_within(filled - kept..filled, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_attribute_names_and_the_crate() {
        let filter = Prefilter::new("flowdoc_annotations");
        assert!(filter.matches(b"#[event_producer(A, to = \"T\")]"));
        assert!(filter.matches(b"#[flowdoc_annotations::event]"));
        assert!(filter.matches(b"use flowdoc_annotations::event;"));
        assert!(!filter.matches(b"#[event] struct A; // another crate's event attribute"));
    }

    #[test]
    fn streams_find_words_across_piece_boundaries() {
        let filter = Prefilter::new("flowdoc_annotations");
        for offset in [0, (1 << 20) - 7, (1 << 20) - 1, 1 << 20, 3 << 20] {
            let mut bytes = vec![b' '; offset];
            bytes.extend_from_slice(b"#[event_consumer(A, from = \"Q\")]");
            bytes.extend(std::iter::repeat_n(b'x', 100));
            assert!(filter.matches_stream(bytes.as_slice()).unwrap(), "word at {offset}");
        }
        assert!(!filter.matches_stream(vec![b'e'; 3 << 20].as_slice()).unwrap());
    }
}
