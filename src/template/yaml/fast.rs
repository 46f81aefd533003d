//! The fast reader: the part of YAML templates are written in, read in one pass over the bytes.
//!
//! saphyr-parser reads any YAML and explains what is wrong with a broken document, at some
//! 40 MB/s; a monorepo's templates are megabytes, and they use a small part of YAML. This reader
//! knows that part: block mappings and sequences (compact ones in sequences too), flow
//! collections over several lines (JSON among them), plain scalars on one line, single- and
//! double-quoted scalars on one line, literal and folded block scalars, `!` tags and comments.
//! It tells the [`Builder`] what saphyr-parser's events would tell it, at the same places, so the
//! document is the same.
//!
//! Anything else it gives up on (None), and [`super::parse`] reads the text with saphyr-parser:
//! anchors and aliases, directives and document markers, tabs, carriage returns other than those
//! of Windows line ends, and other control characters, multi-line plain and quoted scalars,
//! indentation indicators, keep chomping, complex keys, and every mistake (only saphyr-parser
//! explains those). The tests hold the two readers to the same document over the corpus, the
//! fixtures and broken variations of them.

use super::{Builder, Document, YamlLimits};
use std::borrow::Cow;

/// The deepest nesting this reader follows (it recurses); deeper documents are left to
/// saphyr-parser, which does not.
const MAX_DEPTH: usize = 200;

/// The longest implicit key, in columns: saphyr-parser refuses keys longer than 1,024.
const MAX_KEY_COLUMNS: u32 = 1_000;

/// The document `text` holds, or None when it is not written in the part of YAML this reader
/// knows, or breaks a budget of `limits` (saphyr-parser then says so, and where).
pub(super) fn read(text: &str, limits: YamlLimits) -> Option<Document> {
    if memchr::memchr(b'\r', text.as_bytes()).is_some() {
        // Windows line ends are read without their `\r`: no place moves (each `\r` stands where
        // its line ends, as the `\n` does without it) and saphyr-parser takes both as one break.
        let unix = text.replace("\r\n", "\n");
        return read_unix(&unix, limits);
    }
    read_unix(text, limits)
}

/// [`read`] of a text whose lines end in `\n` alone (any other `\r` is not read).
fn read_unix(text: &str, limits: YamlLimits) -> Option<Document> {
    if !readable(text) {
        return None;
    }
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
        line_start: 0,
        ascii: text.is_ascii(),
        depth: 0,
        builder: Builder::new(limits),
    };
    reader.document()?;
    Some(reader.builder.finish())
}

/// Whether every character is one this reader takes as it is: printable, and no tab, carriage
/// return or byte-order mark.
fn readable(text: &str) -> bool {
    let ascii = |byte: u8| byte == b'\n' || (0x20..0x7f).contains(&byte);
    if text.is_ascii() {
        return text.bytes().all(ascii);
    }
    text.chars().all(|c| match u8::try_from(c) {
        Ok(byte) if byte.is_ascii() => ascii(byte),
        _ => matches!(c, '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FEFE}' | '\u{FF00}'..='\u{FFFD}' | '\u{10000}'..),
    })
}

/// Whether `byte` ends a token in block context: a space, a line break or the end (0).
fn blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\n' | 0)
}

/// Bytes that cannot start a plain scalar, and that this reader does not take anywhere else a
/// node may start. (A `:` may start one when a character that could follow it comes next.)
fn refused_start(byte: u8) -> bool {
    matches!(byte, b'?' | b',' | b']' | b'}' | b'#' | b'&' | b'*' | b'!' | b'%' | b'@' | b'`')
}

/// Whether `byte` may follow a `:` that starts a plain scalar in flow context.
fn plain_after_colon(byte: u8) -> bool {
    !blank(byte) && !matches!(byte, b',' | b'[' | b']' | b'{' | b'}')
}

/// Where a node stands: what it may be, and where it is when it is empty.
#[derive(Clone, Copy, Debug)]
enum Slot {
    /// The document's root.
    Root,
    /// A mapping's value; an empty one is at the `:`.
    Value((u32, u32)),
    /// A sequence's item; an empty one is where the `-`'s line ends (after any comment).
    Item((u32, u32)),
    /// A node on a line of its own below its key, `-` or tag.
    Line,
}

impl Slot {
    /// Whether a block mapping or sequence may start on the slot's line (`- key: v`, `- - a`).
    fn takes_collections(self) -> bool {
        !matches!(self, Slot::Value(_))
    }

    fn empty_at(self) -> Option<(u32, u32)> {
        match self {
            Slot::Value(at) | Slot::Item(at) => Some(at),
            Slot::Root | Slot::Line => None,
        }
    }
}

/// A `!` tag before a node.
#[derive(Clone, Copy, Debug)]
struct Tagged<'t> {
    suffix: &'t str,
    at: (u32, u32),
    /// On the line of the node that follows it (not at the end of the line before).
    same_line: bool,
}

/// A key read: its text, whether it was quoted, and where it is.
type Key<'t> = (Cow<'t, str>, bool, (u32, u32));

struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    /// The cursor, a byte offset.
    pos: usize,
    /// The cursor's line (from 1), and the byte offset it starts at.
    line: u32,
    line_start: usize,
    ascii: bool,
    /// Collections open.
    depth: usize,
    builder: Builder,
}

impl<'t> Reader<'t> {
    /// The byte at `at`; 0 past the end (readable text has no NUL).
    fn byte(&self, at: usize) -> u8 {
        self.bytes.get(at).copied().unwrap_or(0)
    }

    fn peek(&self) -> u8 {
        self.byte(self.pos)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// The cursor's column in bytes from 0: its indentation at the start of a line's content.
    fn column(&self) -> usize {
        self.pos - self.line_start
    }

    /// The cursor's line and column (in characters, from 1), as positions are reported.
    fn at(&self) -> (u32, u32) {
        self.at_offset(self.pos)
    }

    /// The line and column of `offset`, on the cursor's line.
    fn at_offset(&self, offset: usize) -> (u32, u32) {
        let column = if self.ascii {
            offset - self.line_start
        } else {
            self.text[self.line_start..offset].chars().count()
        };
        (self.line, u32::try_from(column + 1).unwrap_or(u32::MAX))
    }

    fn skip_spaces(&mut self) {
        while self.peek() == b' ' {
            self.pos += 1;
        }
    }

    /// The offset of the line break that ends the line `from` is on, or the end of the text.
    fn line_end(&self, from: usize) -> usize {
        memchr::memchr(b'\n', &self.bytes[from..]).map_or(self.bytes.len(), |at| from + at)
    }

    /// Whether nothing but a comment is left on the line at the cursor.
    fn at_line_end(&self) -> bool {
        match self.peek() {
            b'\n' | 0 => true,
            b'#' => self.pos == self.line_start || self.byte(self.pos - 1) == b' ',
            _ => false,
        }
    }

    /// Whether the line at the cursor (its first column) starts or ends a document.
    fn marker_line(&self) -> bool {
        let rest = &self.bytes[self.pos..];
        ((rest.starts_with(b"---") || rest.starts_with(b"...")) && blank(self.byte(self.pos + 3)))
            || rest.starts_with(b"%")
    }

    /// Past the rest of the line, which may only be spaces and a comment, to the next line
    /// with content.
    fn end_line(&mut self) -> Option<()> {
        self.skip_spaces();
        if !self.at_line_end() {
            return None;
        }
        self.pos = self.line_end(self.pos);
        self.next_content()
    }

    /// From a line break to the first character of the next line with content (not blank, not
    /// only a comment), or to the end of the text.
    fn next_content(&mut self) -> Option<()> {
        while !self.at_end() {
            self.pos += 1;
            self.line += 1;
            self.line_start = self.pos;
            self.skip_spaces();
            match self.peek() {
                b'\n' => {}
                b'#' => self.pos = self.line_end(self.pos),
                0 => return Some(()),
                _ if self.column() == 0 && self.marker_line() => return None,
                _ => return Some(()),
            }
        }
        Some(())
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    fn leave(&mut self) -> Option<()> {
        self.depth -= 1;
        self.builder.end().ok()
    }

    fn document(&mut self) -> Option<()> {
        self.skip_spaces();
        if self.at_line_end() {
            self.end_line()?;
        }
        if !self.at_end() && self.column() == 0 && self.bytes[self.pos..].starts_with(b"---") {
            // The document's start marker, alone on its line (a second one is another document).
            self.pos += 3;
            self.end_line()?;
        } else if !self.at_end() && self.column() == 0 && self.marker_line() {
            return None;
        }
        if self.at_end() {
            return None;
        }
        self.builder.document((1, 1)).ok()?;
        self.node(-1, Slot::Root)?;
        self.at_end().then_some(())
    }

    /// The node at the cursor, in a block collection whose entries stand at column `parent`
    /// (-1 for the root). The cursor is after the spaces that follow a `:` or `-`, or on the
    /// first character of a line; it ends on the next line with content.
    fn node(&mut self, parent: isize, slot: Slot) -> Option<()> {
        if self.at_line_end() {
            self.end_line()?;
            return self.node_below(parent, slot, None);
        }
        if self.peek() != b'!' {
            return self.inline(parent, slot, None);
        }
        self.after_tag(parent, slot, slot)
    }

    /// The node under the `!` tag at the cursor: on the tag's line (in slot `here`), or, the
    /// tag alone there, below it (in slot `below`).
    fn after_tag(&mut self, parent: isize, below: Slot, here: Slot) -> Option<()> {
        let at = self.at();
        let suffix = self.tag()?;
        self.skip_spaces();
        if self.at_line_end() {
            self.end_line()?;
            return self.node_below(parent, below, Some(Tagged { suffix, at, same_line: false }));
        }
        self.inline(parent, here, Some(Tagged { suffix, at, same_line: true }))
    }

    /// `!suffix`, the cursor on the `!`: the suffix, the cursor after it. Only a plain name,
    /// followed by a space or the end of the line.
    fn tag(&mut self) -> Option<&'t str> {
        let start = self.pos + 1;
        let mut end = start;
        while self.byte(end).is_ascii_alphanumeric() || matches!(self.byte(end), b'_' | b'-') {
            end += 1;
        }
        if end == start || !blank(self.byte(end)) {
            return None;
        }
        self.pos = end;
        Some(&self.text[start..end])
    }

    /// The node of a slot whose line ends after its `:`, `-` or tag: on the lines below when
    /// they are indented deeper than `parent` (or are a sequence at its mapping's column), else
    /// empty. The cursor is on the next line with content.
    fn node_below(&mut self, parent: isize, slot: Slot, tag: Option<Tagged<'t>>) -> Option<()> {
        if !self.at_end() {
            let indent = isize::try_from(self.column()).ok()?;
            let entry = self.peek() == b'-' && blank(self.byte(self.pos + 1));
            if indent > parent || (indent == parent && entry && matches!(slot, Slot::Value(_))) {
                if tag.is_none() && self.peek() == b'!' {
                    // A tag that starts the line, before the node on it (or further below).
                    return self.after_tag(parent, slot, Slot::Line);
                }
                return self.inline(parent, Slot::Line, tag);
            }
        }
        let at = match &tag {
            Some(tag) => tag.at,
            None => slot.empty_at()?,
        };
        self.builder.scalar(String::new(), false, 0, tag.map(|tag| tag.suffix), at).ok()
    }

    /// The node at the cursor, which is on its first character (past any tag on its line).
    fn inline(&mut self, parent: isize, slot: Slot, tag: Option<Tagged<'t>>) -> Option<()> {
        let here = self.at();
        let at = tag.map_or(here, |tag| tag.at);
        let suffix = tag.map(|tag| tag.suffix);
        let column = self.column();
        match self.peek() {
            b'-' if blank(self.byte(self.pos + 1)) => {
                if !slot.takes_collections() || tag.is_some_and(|tag| tag.same_line) {
                    return None;
                }
                // A sequence at its mapping's own column is placed at its first item.
                let indentless = matches!(slot, Slot::Line) && isize::try_from(column).ok()? == parent;
                self.block_seq(column, (!indentless).then_some(at), tag)
            }
            b'[' | b'{' => {
                self.flow(parent, at, suffix)?;
                self.end_line()
            }
            b'|' | b'>' => self.block_scalar(parent, tag.map(|tag| tag.at), suffix),
            b'"' | b'\'' => {
                let text = self.quoted()?;
                self.skip_spaces();
                if self.peek() == b':' && blank(self.byte(self.pos + 1)) {
                    return self.mapping_from(parent, slot, tag, column, (text, true, here));
                }
                self.builder.scalar(text.into_owned(), true, 0, suffix, at).ok()?;
                self.end_line()
            }
            byte if refused_start(byte) => None,
            b':' if blank(self.byte(self.pos + 1)) => None,
            _ => {
                let (text, key) = self.plain_block();
                if key {
                    return self.mapping_from(parent, slot, tag, column, (Cow::Borrowed(text), false, here));
                }
                self.builder.scalar(text.to_owned(), false, 0, suffix, at).ok()?;
                self.end_line()
            }
        }
    }

    /// A block mapping whose first key was just read at `column`; the cursor on its `:`.
    fn mapping_from(
        &mut self,
        parent: isize,
        slot: Slot,
        tag: Option<Tagged<'t>>,
        column: usize,
        first: Key<'t>,
    ) -> Option<()> {
        let deeper = isize::try_from(column).ok()? > parent;
        if !slot.takes_collections() || tag.is_some_and(|tag| tag.same_line) || !deeper {
            return None;
        }
        let at = tag.map_or(first.2, |tag| tag.at);
        self.block_map(column, at, tag.map(|tag| tag.suffix), first)
    }

    /// A block mapping whose keys stand at `column`, the cursor on the `:` after its first key.
    fn block_map(&mut self, column: usize, at: (u32, u32), tag: Option<&str>, first: Key<'t>) -> Option<()> {
        self.enter()?;
        self.builder.start(true, false, 0, tag, at).ok()?;
        let mut next = Some(first);
        loop {
            let (text, quoted, key_at) = match next.take() {
                Some(key) => key,
                None => self.key()?,
            };
            let colon = self.at();
            if colon.1.saturating_sub(key_at.1) > MAX_KEY_COLUMNS {
                return None;
            }
            self.builder.scalar(text.into_owned(), quoted, 0, None, key_at).ok()?;
            self.pos += 1;
            self.skip_spaces();
            self.node(isize::try_from(column).ok()?, Slot::Value(colon))?;
            if self.at_end() || self.column() < column {
                break;
            }
            if self.column() > column {
                return None;
            }
        }
        self.leave()
    }

    /// The key at the cursor, the first character of a line in a block mapping; the cursor ends
    /// on the `:` after it.
    fn key(&mut self) -> Option<Key<'t>> {
        let at = self.at();
        match self.peek() {
            b'"' | b'\'' => {
                let text = self.quoted()?;
                self.skip_spaces();
                (self.peek() == b':' && blank(self.byte(self.pos + 1))).then_some((text, true, at))
            }
            b'-' if blank(self.byte(self.pos + 1)) => None,
            b'[' | b'{' | b'|' | b'>' => None,
            byte if refused_start(byte) => None,
            b':' if blank(self.byte(self.pos + 1)) => None,
            _ => {
                let (text, key) = self.plain_block();
                key.then_some((Cow::Borrowed(text), false, at))
            }
        }
    }

    /// A block sequence whose `-` stand at `column`, the cursor on the first. It is at `at`;
    /// when that is None (a sequence at its mapping's own column), saphyr-parser places it at
    /// its tag, or else where its first item starts, which must then be on the first `-`'s line.
    fn block_seq(&mut self, column: usize, at: Option<(u32, u32)>, tag: Option<Tagged<'t>>) -> Option<()> {
        let tagged_at = tag.map(|tag| tag.at);
        let tag = tag.map(|tag| tag.suffix);
        self.enter()?;
        let mut started = false;
        loop {
            self.pos += 1;
            self.skip_spaces();
            // Where an empty item is placed: the end of the line.
            let line_end = self.at_offset(self.line_end(self.pos));
            if !started {
                let at = match (at, tagged_at) {
                    (Some(at), _) | (None, Some(at)) => at,
                    (None, None) if !self.at_line_end() => self.at(),
                    (None, None) => return None,
                };
                self.builder.start(false, false, 0, tag, at).ok()?;
                started = true;
            }
            self.node(isize::try_from(column).ok()?, Slot::Item(line_end))?;
            if self.at_end() || self.column() < column {
                break;
            }
            if self.column() > column {
                return None;
            }
            if !(self.peek() == b'-' && blank(self.byte(self.pos + 1))) {
                // A key of the mapping whose value this sequence is, at that mapping's column.
                break;
            }
        }
        self.leave()
    }

    /// A plain scalar in block context, on the cursor's line: its text (without trailing
    /// spaces) and whether a `: ` follows it (a key). The cursor ends on that `:`, or after the
    /// text.
    fn plain_block(&mut self) -> (&'t str, bool) {
        let start = self.pos;
        let line_end = self.line_end(start);
        let mut end = line_end;
        let mut key = false;
        let mut from = start;
        while let Some(found) = memchr::memchr2(b':', b'#', &self.bytes[from..line_end]) {
            let at = from + found;
            if self.bytes[at] == b':' && blank(self.byte(at + 1)) {
                (end, key) = (at, true);
                break;
            }
            if self.bytes[at] == b'#' && self.bytes[at - 1] == b' ' {
                end = at;
                break;
            }
            from = at + 1;
        }
        let text = self.text[start..end].trim_end_matches(' ');
        self.pos = if key { end } else { start + text.len() };
        (text, key)
    }

    /// A quoted scalar on one line, the cursor on its opening quote: its text; the cursor ends
    /// after the closing quote.
    fn quoted(&mut self) -> Option<Cow<'t, str>> {
        let single = self.peek() == b'\'';
        let start = self.pos + 1;
        let line = &self.bytes[start..self.line_end(start)];
        let mut owned: Option<String> = None;
        let mut from = 0;
        loop {
            let stop = if single {
                memchr::memchr(b'\'', &line[from..])?
            } else {
                memchr::memchr2(b'"', b'\\', &line[from..])?
            } + from;
            let piece = &self.text[start + from..start + stop];
            if single && line.get(stop + 1) == Some(&b'\'') {
                let text = owned.get_or_insert_with(String::new);
                text.push_str(piece);
                text.push('\'');
                from = stop + 2;
            } else if !single && line[stop] == b'\\' {
                let (escaped, length) = escape(&line[stop + 1..])?;
                let text = owned.get_or_insert_with(String::new);
                text.push_str(piece);
                text.push(escaped);
                from = stop + 1 + length;
            } else {
                self.pos = start + stop + 1;
                return Some(match owned {
                    Some(mut text) => {
                        text.push_str(piece);
                        Cow::Owned(text)
                    }
                    None => Cow::Borrowed(piece),
                });
            }
        }
    }

    /// A literal (`|`) or folded (`>`) scalar, the cursor on its indicator; its lines are
    /// indented deeper than `parent`. It is at `at` when tagged, else where its text starts.
    fn block_scalar(&mut self, parent: isize, at: Option<(u32, u32)>, tag: Option<&str>) -> Option<()> {
        let folded = self.peek() == b'>';
        self.pos += 1;
        let strip = self.peek() == b'-';
        if strip {
            self.pos += 1;
        }
        if matches!(self.peek(), b'+' | b'-' | b'0'..=b'9') {
            return None;
        }
        self.skip_spaces();
        if !self.at_line_end() {
            return None;
        }
        let mut next = self.line_end(self.pos) + 1;
        let mut line_number = self.line + 1;
        let mut lines: Vec<&str> = Vec::new();
        let mut indent: Option<usize> = None;
        let mut first: Option<(u32, u32)> = None;
        let mut leading_spaces = 0;
        while next < self.bytes.len() {
            let end = self.line_end(next);
            let spaces = self.bytes[next..end].iter().take_while(|byte| **byte == b' ').count();
            let is_blank = next + spaces == end;
            match indent {
                None if is_blank => {
                    leading_spaces = leading_spaces.max(spaces);
                    lines.push("");
                }
                None => {
                    if isize::try_from(spaces).ok()? <= parent || spaces < leading_spaces {
                        return None;
                    }
                    indent = Some(spaces);
                    first = Some((line_number, u32::try_from(spaces + 1).ok()?));
                    lines.push(&self.text[next + spaces..end]);
                }
                // A blank line; one with spaces past the indentation has them as its text.
                Some(indent) if is_blank && spaces <= indent => lines.push(""),
                Some(indent) if spaces < indent => break,
                Some(indent) => lines.push(&self.text[next + indent..end]),
            }
            if end == self.bytes.len() {
                // The last line has no line break.
                return None;
            }
            next = end + 1;
            line_number += 1;
        }
        let first = first?;
        while lines.last() == Some(&"") {
            lines.pop();
        }
        let mut text = if folded { fold(&lines) } else { lines.join("\n") };
        if !strip {
            text.push('\n');
        }
        self.builder.scalar(text, false, 0, tag, at.unwrap_or(first)).ok()?;
        // On the break that ends the scalar's last line, then on to the next content.
        self.pos = next - 1;
        self.line = line_number - 1;
        self.line_start = self.text[..self.pos].rfind('\n').map_or(0, |at| at + 1);
        self.next_content()
    }

    /// A flow collection, the cursor on its `[` or `{`; the lines inside are indented deeper
    /// than `parent`. The cursor ends after its closing bracket.
    fn flow(&mut self, parent: isize, at: (u32, u32), tag: Option<&str>) -> Option<()> {
        let mapping = self.peek() == b'{';
        let close = if mapping { b'}' } else { b']' };
        self.enter()?;
        self.builder.start(mapping, true, 0, tag, at).ok()?;
        self.pos += 1;
        self.flow_space(parent)?;
        if self.peek() == close {
            self.pos += 1;
            return self.leave();
        }
        loop {
            if mapping {
                let key_at = self.at();
                let quoted = matches!(self.peek(), b'"' | b'\'');
                let text = if quoted {
                    self.quoted()?
                } else if refused_start(self.peek())
                    || matches!(self.peek(), b'[' | b'{' | b'|' | b'>' | b'-')
                    || (self.peek() == b':' && !plain_after_colon(self.byte(self.pos + 1)))
                {
                    return None;
                } else {
                    Cow::Borrowed(self.plain_flow()?)
                };
                self.builder.scalar(text.into_owned(), quoted, 0, None, key_at).ok()?;
                self.skip_spaces();
                // After a quoted key the value may follow the `:` at once, as in JSON.
                if self.peek() != b':' || !(quoted || blank(self.byte(self.pos + 1))) {
                    return None;
                }
                self.pos += 1;
                self.flow_space(parent)?;
            }
            self.flow_node(parent)?;
            self.flow_space(parent)?;
            match self.peek() {
                b',' => {
                    self.pos += 1;
                    self.flow_space(parent)?;
                    // A comma may end the entries (`[a, b,]`).
                    if self.peek() == close {
                        self.pos += 1;
                        return self.leave();
                    }
                }
                byte if byte == close => {
                    self.pos += 1;
                    return self.leave();
                }
                _ => return None,
            }
        }
    }

    /// A node in a flow collection, the cursor on its first character (or tag).
    fn flow_node(&mut self, parent: isize) -> Option<()> {
        let at = self.at();
        let mut tag = None;
        if self.peek() == b'!' {
            tag = Some(self.tag()?);
            self.skip_spaces();
        }
        match self.peek() {
            b'[' | b'{' => self.flow(parent, at, tag),
            b'"' | b'\'' => {
                let text = self.quoted()?;
                self.builder.scalar(text.into_owned(), true, 0, tag, at).ok()
            }
            b'-' if blank(self.byte(self.pos + 1)) => None,
            b'\n' | 0 | b'|' | b'>' => None,
            byte if refused_start(byte) => None,
            b':' if !plain_after_colon(self.byte(self.pos + 1)) => None,
            _ => {
                let text = self.plain_flow()?;
                self.builder.scalar(text.to_owned(), false, 0, tag, at).ok()
            }
        }
    }

    /// A plain scalar in a flow collection, on one line: its text; the cursor after it.
    fn plain_flow(&mut self) -> Option<&'t str> {
        let start = self.pos;
        // A leading `:` is the scalar's (the callers checked what follows it).
        let mut end = start + usize::from(self.peek() == b':');
        loop {
            match self.byte(end) {
                b'\n' | 0 | b',' | b'[' | b']' | b'{' | b'}' => break,
                b':' if matches!(self.byte(end + 1), b' ' | b'\n' | 0 | b',' | b'[' | b']' | b'{' | b'}') => {
                    break;
                }
                b'#' if self.byte(end - 1) == b' ' => break,
                _ => end += 1,
            }
        }
        let text = self.text[start..end].trim_end_matches(' ');
        if text.is_empty() {
            return None;
        }
        self.pos = start + text.len();
        if self.byte(end) == b'\n' {
            // Only a separator or the collection's end may follow on the next line; anything
            // else continues the scalar, folded, which this reader leaves alone.
            let mut ahead = end + 1;
            while self.byte(ahead) == b' ' {
                ahead += 1;
            }
            if !matches!(self.byte(ahead), b',' | b']' | b'}') {
                return None;
            }
        }
        Some(text)
    }

    /// Past spaces, line breaks and comments in a flow collection. Every line it reaches that
    /// has content is indented deeper than `parent` (or closes a collection at `parent`) and
    /// does not start a document.
    fn flow_space(&mut self, parent: isize) -> Option<()> {
        loop {
            match self.peek() {
                b' ' => self.pos += 1,
                b'#' if self.pos == self.line_start || self.byte(self.pos - 1) == b' ' => {
                    self.pos = self.line_end(self.pos);
                }
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    self.line_start = self.pos;
                    self.skip_spaces();
                    if self.peek() != b'\n' && !self.at_end() {
                        // A closing bracket may stand at the block's own column.
                        let indent = isize::try_from(self.column()).ok()?;
                        if indent < parent || (indent == parent && !matches!(self.peek(), b']' | b'}')) {
                            return None;
                        }
                        if self.column() == 0 && self.marker_line() {
                            return None;
                        }
                    }
                }
                _ => return Some(()),
            }
        }
    }
}

/// The text of a folded scalar's lines (without their indentation, and no trailing blank
/// ones): two lines of text next to each other are joined by a space, and each blank line
/// between them is a line break; around a more-indented line (one that starts with a space)
/// the line break is kept as well.
fn fold(lines: &[&str]) -> String {
    let mut text = String::new();
    let mut breaks = 0;
    let mut previous: Option<&str> = None;
    for line in lines {
        if line.is_empty() {
            breaks += 1;
            continue;
        }
        if let Some(previous) = previous {
            let more_indented = previous.starts_with(' ') || line.starts_with(' ');
            if more_indented {
                breaks += 1;
            } else if breaks == 0 {
                text.push(' ');
            }
        }
        text.extend(std::iter::repeat_n('\n', breaks));
        text.push_str(line);
        previous = Some(line);
        breaks = 0;
    }
    text
}

/// The character a double-quoted scalar's escape stands for, `rest` following the backslash;
/// and how many bytes of `rest` it takes. The escapes saphyr-parser knows.
fn escape(rest: &[u8]) -> Option<(char, usize)> {
    let simple = match rest.first()? {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' => return hex(rest, 2),
        b'u' => return hex(rest, 4),
        b'U' => return hex(rest, 8),
        _ => return None,
    };
    Some((simple, 1))
}

/// A `\x`, `\u` or `\U` escape of `digits` hex digits: its character and length.
fn hex(rest: &[u8], digits: usize) -> Option<(char, usize)> {
    let code = rest.get(1..=digits)?;
    if !code.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let code = u32::from_str_radix(std::str::from_utf8(code).ok()?, 16).ok()?;
    Some((char::from_u32(code)?, digits + 1))
}

#[cfg(test)]
mod tests;
