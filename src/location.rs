//! Places in the project's files, as users see them: `file:line:col`, 1-based.

use serde::Serialize;
use std::fmt;

/// A position in a project file. Lines and columns count from 1; columns count characters.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// Relative path with `/` separators.
    pub file: String,
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
}

impl Location {
    /// A position in `file`.
    pub fn new(file: impl Into<String>, line: u32, column: u32) -> Location {
        Location { file: file.into(), line, column }
    }

    /// The position of byte `offset` of `text`, which is the contents of `file`. An offset past
    /// the end or inside a character points at the character it falls in.
    pub fn at_offset(file: impl Into<String>, text: &[u8], offset: usize) -> Location {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |newline| newline + 1);
        let line = memchr::memchr_iter(b'\n', before).count() + 1;
        // Count characters, not bytes: UTF-8 continuation bytes do not start a character.
        let column = before[line_start..].iter().filter(|byte| (**byte & 0xC0) != 0x80).count() + 1;
        Location::new(file, saturating_u32(line), saturating_u32(column))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// `value` as a `u32`, or `u32::MAX` for the absurdly large.
pub fn saturating_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_character_columns() {
        let text = "ab\nc\u{e9}d\n".as_bytes();
        assert_eq!(Location::at_offset("f", text, 0).to_string(), "f:1:1");
        assert_eq!(Location::at_offset("f", text, 2).to_string(), "f:1:3");
        assert_eq!(Location::at_offset("f", text, 3).to_string(), "f:2:1");
        // `é` is two bytes; the `d` after it is the third character of line 2.
        assert_eq!(Location::at_offset("f", text, 6).to_string(), "f:2:3");
        assert_eq!(Location::at_offset("f", text, 999).to_string(), "f:3:1");
    }
}
