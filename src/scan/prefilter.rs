//! The cheap first look: only files that mention an attribute name or the annotations crate are
//! parsed. A memchr substring search reads a file hundreds of times faster than syn parses it.

use memchr::memmem::Finder;
use std::io::{self, Read};

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
