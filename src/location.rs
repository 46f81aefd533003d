//! Places in the project's files, as users see them: `file:line:col`, 1-based.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A place in a project file: the file, and the line and column in it when they are known.
/// Places sort by file, a whole file first, then by position. Serialised flat, as `file`,
/// `line` and `column`, the last two left out for a whole file; in a binary form (the cache's),
/// as the file and the optional position, since such forms cannot leave fields out.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Relative path with `/` separators.
    pub file: String,
    /// Where in the file; `None` for the file as a whole (one that cannot be read, say).
    pub position: Option<Position>,
}

/// A position in a file. Lines and columns count from 1; columns count characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
}

impl Location {
    /// A position in `file`.
    pub fn new(file: impl Into<String>, line: u32, column: u32) -> Location {
        Location { file: file.into(), position: Some(Position { line, column }) }
    }

    /// The file `file` as a whole, no line in it.
    pub fn file(file: impl Into<String>) -> Location {
        Location { file: file.into(), position: None }
    }

    /// The line, when the position is known.
    pub fn line(&self) -> Option<u32> {
        self.position.map(|position| position.line)
    }

    /// The column, when the position is known.
    pub fn column(&self) -> Option<u32> {
        self.position.map(|position| position.column)
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

impl Serialize for Location {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        if !serializer.is_human_readable() {
            return (&self.file, &self.position).serialize(serializer);
        }
        let mut out = serializer.serialize_struct("Location", 3)?;
        out.serialize_field("file", &self.file)?;
        match self.position {
            Some(Position { line, column }) => {
                out.serialize_field("line", &line)?;
                out.serialize_field("column", &column)?;
            }
            None => {
                out.skip_field("line")?;
                out.skip_field("column")?;
            }
        }
        out.end()
    }
}

impl<'de> Deserialize<'de> for Location {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Location, D::Error> {
        /// The flat form [`Location`]'s `Serialize` writes.
        #[derive(Deserialize)]
        struct Flat {
            file: String,
            line: Option<u32>,
            column: Option<u32>,
        }
        if !deserializer.is_human_readable() {
            let (file, position) = <(String, Option<Position>)>::deserialize(deserializer)?;
            return Ok(Location { file, position });
        }
        let Flat { file, line, column } = Flat::deserialize(deserializer)?;
        Ok(match (line, column) {
            (Some(line), Some(column)) => Location::new(file, line, column),
            _ => Location::file(file),
        })
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(Position { line, column }) => write!(f, "{}:{line}:{column}", self.file),
            None => write!(f, "{}", self.file),
        }
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

    #[test]
    fn a_whole_file_has_no_line_and_sorts_before_its_lines() {
        let whole = Location::file("a.rs");
        assert_eq!((whole.line(), whole.column()), (None, None));
        assert_eq!(whole.to_string(), "a.rs");
        assert!(whole < Location::new("a.rs", 1, 1));
        assert!(Location::new("a.rs", 9, 9) < Location::file("b.rs"));
        assert_eq!(Location::new("a.rs", 2, 3).line(), Some(2));
    }

    #[test]
    fn places_read_back_from_json_and_from_the_binary_form() {
        for place in [Location::new("a.rs", 2, 3), Location::file("b.rs")] {
            let json = serde_json::to_string(&place).unwrap();
            assert_eq!(serde_json::from_str::<Location>(&json).unwrap(), place);
            let binary = postcard::to_stdvec(&place).unwrap();
            assert_eq!(postcard::from_bytes::<Location>(&binary).unwrap(), place);
        }
        assert_eq!(serde_json::to_string(&Location::file("b.rs")).unwrap(), r#"{"file":"b.rs"}"#);
        assert_eq!(
            serde_json::to_string(&Location::new("a.rs", 2, 3)).unwrap(),
            r#"{"file":"a.rs","line":2,"column":3}"#
        );
    }
}
