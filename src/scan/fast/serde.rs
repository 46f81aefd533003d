//! `#[serde(...)]` on fields and variants read from the tokens, as `names::Serde::from_attrs`
//! reads it with syn's `parse_nested_meta`, for the common forms: `rename = "..."`,
//! `rename(serialize = "...")`, the same for `rename_all`, `skip`, `skip_serializing`, and any
//! other key with no value, a literal or path value, or a parenthesized value. Anything else
//! (escapes in names, expressions, odd punctuation) is None, and syn reads the attributes.

use super::grammar::Range;
use crate::scan::names::Serde;
use crate::scan::skim::Kind;

impl Range<'_, '_> {
    /// Applies the list of a `#[serde(...)]` filling the range from `at` to `serde`.
    pub(super) fn serde_list(&self, at: usize, serde: &mut Serde) -> Option<()> {
        self.fill_separated(at, |at| {
            let (key, after) = self.nested_path(at)?;
            let mut at = after;
            match key {
                Some(key @ ("rename" | "rename_all")) => {
                    let value = if self.is_punct(at, b'=') {
                        let value = self.string_value(at + 1)?;
                        at += 2;
                        Some(value)
                    } else if self.is_open(at, b'(') {
                        let value = self.nested(at)?.serialized_name(at + 1)?;
                        at = self.after_group(at);
                        value
                    } else {
                        return None;
                    };
                    if key == "rename" {
                        serde.rename = value;
                    } else {
                        serde.rename_all = value;
                    }
                }
                Some("skip" | "skip_serializing") => serde.skip = true,
                _ => {
                    if self.is_punct(at, b'=') {
                        at = self.plain_value(at + 1)?;
                    } else if self.is_open(at, b'(') {
                        at = self.after_group(at);
                    }
                }
            }
            Some(at)
        })
    }

    /// `serialize = "..."` and `deserialize = "..."` filling the range from `at`: the
    /// serialized name, if given.
    #[allow(clippy::option_option)]
    fn serialized_name(&self, at: usize) -> Option<Option<String>> {
        let mut name = None;
        if at >= self.end {
            return None;
        }
        self.fill_separated(at, |at| {
            let (key, after) = self.nested_path(at)?;
            if !self.is_punct(after, b'=') {
                return None;
            }
            let value = self.string_value(after + 1)?;
            if key == Some("serialize") {
                name = Some(value);
            }
            Some(after + 2)
        })?;
        Some(name)
    }

    /// A nested meta's path from `at` (any words joined by `::`): its name when it is one
    /// plain word, and the position after it.
    fn nested_path(&self, at: usize) -> Option<(Option<&str>, usize)> {
        let plain = !self.colons(at);
        let mut at = if plain { at } else { at + 2 };
        let first = self.word(at)?;
        at += 1;
        let mut single = plain;
        while self.colons(at) {
            self.word(at + 2)?;
            at += 3;
            single = false;
        }
        Some((single.then_some(first), at))
    }

    /// The value of the string literal at `at`, where it has no escapes.
    fn string_value(&self, at: usize) -> Option<String> {
        if self.kind(at) != Some(Kind::Literal) {
            return None;
        }
        let text = self.seq.text_of(at);
        let inner = match text.strip_prefix('r') {
            Some(raw) => {
                let hashes = raw.len() - raw.trim_start_matches('#').len();
                raw.get(hashes + 1..raw.len().checked_sub(hashes + 1)?)?
            }
            None => {
                let inner = text.strip_prefix('"')?.strip_suffix('"')?;
                if inner.contains(['\\', '\r']) {
                    return None;
                }
                inner
            }
        };
        (text.starts_with('"') || text.starts_with('r')).then(|| inner.to_owned())
    }

    /// A value syn reads as an expression from `at`: a literal or a path of words; the
    /// position after it, which must end the item.
    fn plain_value(&self, mut at: usize) -> Option<usize> {
        if self.kind(at) == Some(Kind::Literal) {
            at += 1;
        } else {
            if self.colons(at) {
                at += 2;
            }
            self.word(at)?;
            at += 1;
            while self.colons(at) {
                self.word(at + 2)?;
                at += 3;
            }
        }
        (at >= self.end || self.is_punct(at, b',')).then_some(at)
    }
}
