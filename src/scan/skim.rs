//! A quick look at Rust source that finds the parts of a file worth parsing, without building
//! token trees: lexing a whole file with proc-macro2 costs several times more than reading it,
//! and in a handler's file most items (helpers, tests, types) carry no annotation.
//!
//! [`skim`] cuts the text into tokens just far enough to tell comments, literals, words and
//! delimiters apart, splits each module level into items (an item ends at a `;`, or at a
//! `{...}` body not followed by `;`), and returns the text with every item that is not kept
//! reduced to its line breaks and the spaces that keep the next kept item in its column: lines
//! and columns in what is kept are those of the file. Kept are:
//!
//! - with [`Keep::Annotated`], the `use` and `extern crate` items (they say what attribute names
//!   mean) and every item in which, at any depth, an attribute mentions one of the annotation
//!   names, the annotations crate, or a name a `use` gives either of them with `as`;
//! - always, `mod` declarations, and inline modules with their bodies skimmed the same way, so
//!   that the file's module tree can be read from what is kept (with [`Keep::Modules`], which is
//!   read for names only, the kept items are given one a line, not in their places).
//!
//! [`skim_tokens`] gives the same choice as tokens and kept token ranges, for readers that go
//! on from the tokens (`super::fast`) rather than from the text. Token boundaries are those of
//! proc-macro2 for every token it can lex (numbers included); what it would refuse to lex is
//! marked [`Kind::Unlexable`] where the skim can tell cheaply.
//!
//! Everything is iterative: no nesting can exhaust the stack here. When the text cannot be
//! followed (unbalanced delimiters, an unterminated literal or comment) the answer is None and
//! the caller lexes the whole file, which also finds the place of the error. A cut in the wrong
//! place can only make the kept text fail to parse, which the caller answers the same way.

/// What a skim keeps besides module declarations.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Keep<'a> {
    /// Imports and the items with annotations; the string is the name the annotations crate
    /// is known by in this crate.
    Annotated(&'a str),
    /// Module declarations only.
    Modules,
}

/// A skimmed file: its tokens, and which of them are kept.
#[derive(Debug)]
pub(crate) struct Skimmed<'t> {
    /// The file's text.
    pub(crate) text: &'t str,
    /// Its tokens, comments (other than doc comments) and white space left out.
    pub(crate) tokens: Vec<Token>,
    /// The kept tokens: inclusive index ranges into `tokens`, in order, not overlapping.
    pub(crate) kept: Vec<(usize, usize)>,
    /// The indexes of the `#` of the attributes, at any depth, that mention an annotation name
    /// (or a name given to one): only what holds one can hold an annotation.
    pub(crate) flagged: Vec<usize>,
}

impl Skimmed<'_> {
    /// The text with everything outside the kept tokens reduced to line breaks and spaces.
    pub(crate) fn blanked(&self) -> String {
        let mut out = String::with_capacity(self.text.len());
        let mut at = 0;
        for &(first, last) in &self.kept {
            let (start, end) = (self.tokens[first].start(), self.tokens[last].end());
            if start < at {
                continue;
            }
            blank(&mut out, &self.text[at..start]);
            out.push_str(&self.text[start..end]);
            at = end;
        }
        blank(&mut out, &self.text[at..]);
        out
    }

    /// The kept tokens' text, one kept stretch a line: the same tokens as [`Skimmed::blanked`]
    /// without their places.
    pub(crate) fn compact(&self) -> String {
        let mut out = String::new();
        let mut at = 0;
        for &(first, last) in &self.kept {
            let (start, end) = (self.tokens[first].start(), self.tokens[last].end());
            if start < at {
                continue;
            }
            out.push_str(&self.text[start..end]);
            out.push('\n');
            at = end;
        }
        out
    }
}

/// Appends `piece` blanked: its line breaks, then as many spaces as it has characters after
/// the last one, so that what follows keeps its line and column.
fn blank(out: &mut String, piece: &str) {
    let bytes = piece.as_bytes();
    let rest = match memchr::memrchr(b'\n', bytes) {
        Some(last) => {
            let breaks = memchr::memchr_iter(b'\n', &bytes[..last]).count() + 1;
            out.extend(std::iter::repeat_n('\n', breaks));
            &piece[last + 1..]
        }
        None => piece,
    };
    let columns = if rest.is_ascii() { rest.len() } else { rest.chars().count() };
    out.extend(std::iter::repeat_n(' ', columns));
}

/// `text` with the items that are not kept blanked out, or None when it cannot be followed.
/// The module tree alone ([`Keep::Modules`]) is read for names, never for places: its kept
/// items come one a line, without the blank text between them, which is cheaper to lex.
#[cfg(test)]
pub(crate) fn skim(text: &str, keep: Keep<'_>) -> Option<String> {
    let skimmed = skim_tokens(text, keep)?;
    Some(match keep {
        Keep::Annotated(_) => skimmed.blanked(),
        Keep::Modules => skimmed.compact(),
    })
}

/// The tokens of `text` and the ranges of them a skim keeps, or None when the text cannot be
/// followed.
pub(crate) fn skim_tokens<'t>(text: &'t str, keep: Keep<'_>) -> Option<Skimmed<'t>> {
    skim_lexed(text, keep, tokens(text, matches!(keep, Keep::Modules))?)
}

/// [`skim`] for [`Keep::Modules`] with every function body tokenized, as it was before bodies
/// were passed over: what the module tree read from a skim is checked against.
#[cfg(test)]
pub(crate) fn skim_modules_tokenizing_bodies(text: &str) -> Option<String> {
    Some(skim_lexed(text, Keep::Modules, tokens(text, false)?)?.compact())
}

fn skim_lexed<'t>(text: &'t str, keep: Keep<'_>, lexed: Lexed) -> Option<Skimmed<'t>> {
    let Lexed { tokens, close, hashes, imports } = lexed;
    let mut kept: Vec<(usize, usize)> = Vec::new();
    let flagged;
    {
        let source = Source { text, tokens: &tokens, close: &close, hashes: &hashes, imports: &imports };
        flagged = match keep {
            Keep::Annotated(annotations_crate) => {
                source.flagged_attributes(&source.attribute_names(annotations_crate))
            }
            Keep::Modules => Vec::new(),
        };
        let annotated = matches!(keep, Keep::Annotated(_));
        let mut keep_tokens = |first: usize, last: usize| kept.push((first, last));
        // Levels still to split, as token ranges: module bodies, and the bodies of `impl` and
        // `trait` blocks that hold annotations.
        let mut levels = vec![(0, tokens.len(), Level::Module)];
        let mut items = Vec::new();
        while let Some((start, end, level)) = levels.pop() {
            source.items(start, end, &mut items);
            for &(first, last) in &items {
                if level == Level::Module {
                    match source.module(first, last) {
                        Some(ModuleForm::Declared) => {
                            keep_tokens(first, last);
                            continue;
                        }
                        Some(ModuleForm::Inline(open)) => {
                            keep_tokens(first, open);
                            keep_tokens(last, last);
                            levels.push((open + 1, last, Level::Module));
                            continue;
                        }
                        None => {}
                    }
                    if annotated && source.is_import(first, last) {
                        keep_tokens(first, last);
                        continue;
                    }
                }
                if !annotated || !contains(&flagged, first, last) {
                    continue;
                }
                // An annotated item, kept whole (a syntax error in it is reported), except for
                // the items without annotations in an `impl` or `trait` block.
                match source.block_body(first, last) {
                    Some(open) => {
                        keep_tokens(first, open);
                        keep_tokens(last, last);
                        levels.push((open + 1, last, Level::Block));
                    }
                    None => keep_tokens(first, last),
                }
            }
        }
    }
    kept.sort_unstable();
    Some(Skimmed { text, tokens, kept, flagged })
}

/// Whether one of the sorted token indexes in `flagged` lies in `first..=last`.
pub(crate) fn contains(flagged: &[usize], first: usize, last: usize) -> bool {
    let at = flagged.partition_point(|&index| index < first);
    flagged.get(at).is_some_and(|&index| index <= last)
}

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An identifier or keyword, raw (`r#type`) or not.
    Word,
    /// One punctuation character.
    Punct(u8),
    /// `(`, `[` or `{`.
    Open(u8),
    /// `)`, `]` or `}`.
    Close(u8),
    /// A string, character or number literal (with any prefix and, for numbers, suffix).
    Literal,
    /// A lifetime or label: `'a`.
    Lifetime,
    /// An outer doc comment, which is an attribute of the item that follows.
    Doc,
    /// An inner doc comment, which stands alone like `#![...]`.
    InnerDoc,
    /// Something proc-macro2 would refuse to lex (a malformed number); a literal to the skim.
    Unlexable,
}

/// A token: its kind and where it is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    /// Byte offsets, 32 bits to keep the token list small (the text is checked to fit).
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Token {
    /// Where the token starts.
    pub(crate) fn start(self) -> usize {
        self.start as usize
    }

    /// Where the token ends.
    pub(crate) fn end(self) -> usize {
        self.end as usize
    }
}

/// Bytes that continue an identifier or number, ASCII only.
const WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || b == b'_';
        byte += 1;
    }
    table
};

/// Bytes that start an identifier that cannot be a literal's prefix or a raw identifier:
/// ASCII letters but `b`, `c` and `r`, and `_`.
const IDENT_START: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = (b.is_ascii_alphabetic() || b == b'_') && b != b'b' && b != b'c' && b != b'r';
        byte += 1;
    }
    table
};

/// Punctuation that is a token of its own: not `/` (comments), quotes, delimiters or `#`.
const PLAIN_PUNCT: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_punctuation()
            && !matches!(b, b'/' | b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'#' | b'_');
        byte += 1;
    }
    table
};

/// Whether `byte` is white space to Rust (the ASCII part).
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// The tokens of a text, and what the skim looks for in them.
struct Lexed {
    tokens: Vec<Token>,
    /// For each opening delimiter, the index of its closing one (0 elsewhere).
    close: Vec<u32>,
    /// The indexes of the `#` tokens.
    hashes: Vec<u32>,
    /// The indexes of the words `use` and `extern`.
    imports: Vec<u32>,
}

/// The tokens of `text`, comments and white space left out, their delimiters matched; None
/// where a literal or comment does not end, a character cannot start a token, or delimiters
/// do not match.
///
/// With `skip_bodies`, the inside of a `{...}` group that cannot be a module's body (one not
/// right after `mod name`, and not within `(...)` or `[...]`) is passed over by [`group_end`]
/// and left empty: function bodies, which are most of a file, are never tokenized when only
/// the module tree is wanted.
fn tokens(text: &str, skip_bodies: bool) -> Option<Lexed> {
    let bytes = text.as_bytes();
    u32::try_from(bytes.len()).ok()?;
    // Rust averages a token every five to six bytes: room for all, without growing.
    let mut out = Vec::with_capacity(bytes.len() / 4 + 8);
    let mut close: Vec<u32> = Vec::with_capacity(bytes.len() / 4 + 8);
    let mut open: Vec<(u32, u8)> = Vec::new();
    // Open `(` and `[` groups, and the delimiters a skipped group has open (reused).
    let mut open_parens = 0usize;
    let mut skipping: Vec<u8> = Vec::new();
    let mut hashes = Vec::new();
    let mut imports = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        if is_space(byte) {
            at += 1;
            while at < bytes.len() && is_space(bytes[at]) {
                at += 1;
            }
            continue;
        }
        let start = at;
        // The commonest tokens first, without the dispatch below: plain identifiers and
        // punctuation that starts nothing else.
        if IDENT_START[usize::from(byte)] {
            at += 1;
            while at < bytes.len() && WORD[usize::from(bytes[at])] {
                at += 1;
            }
            if at < bytes.len() && bytes[at] >= 0x80 {
                at = word_end(text, at);
            }
            if matches!(&bytes[start..at], b"use" | b"extern") {
                imports.push(out.len() as u32);
            }
            out.push(Token { kind: Kind::Word, start: start as u32, end: at as u32 });
            close.push(0);
            continue;
        }
        if PLAIN_PUNCT[usize::from(byte)] {
            at += 1;
            out.push(Token { kind: Kind::Punct(byte), start: start as u32, end: at as u32 });
            close.push(0);
            continue;
        }
        let kind = match byte {
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                at = line_comment_end(bytes, at);
                match (bytes.get(start + 2), bytes.get(start + 3)) {
                    (Some(b'!'), _) => Kind::InnerDoc,
                    (Some(b'/'), next) if next != Some(&b'/') => Kind::Doc,
                    _ => continue,
                }
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at = block_comment_end(bytes, at)?;
                match (bytes.get(start + 2), bytes.get(start + 3)) {
                    (Some(b'!'), _) => Kind::InnerDoc,
                    (Some(b'*'), next) if !matches!(next, Some(b'*' | b'/')) => Kind::Doc,
                    _ => continue,
                }
            }
            b'"' => {
                at = quoted_end(bytes, at + 1, b'"')?;
                Kind::Literal
            }
            b'\'' => {
                let (end, kind) = quote_end(text, at)?;
                at = end;
                kind
            }
            b'0'..=b'9' => match number_end(bytes, at) {
                Some(end) => {
                    at = end;
                    Kind::Literal
                }
                None => {
                    at = word_end(text, at);
                    Kind::Unlexable
                }
            },
            b'{' if skip_bodies && open_parens == 0 && !opens_module(text, &out) => {
                // Fits, as below; the closing brace, where the group ends, is the next token.
                open.push((out.len() as u32, byte));
                out.push(Token { kind: Kind::Open(byte), start: start as u32, end: start as u32 + 1 });
                close.push(0);
                at = group_end(text, at + 1, &mut skipping)?;
                continue;
            }
            b'(' | b'[' | b'{' => {
                at += 1;
                open.push((out.len() as u32, byte));
                open_parens += usize::from(byte != b'{');
                Kind::Open(byte)
            }
            b')' | b']' | b'}' => {
                at += 1;
                let (opened, delimiter) = open.pop()?;
                if !closes(delimiter, byte) {
                    return None;
                }
                open_parens -= usize::from(byte != b'}');
                // Fits: there are fewer tokens than bytes, and the bytes fit.
                close[opened as usize] = out.len() as u32;
                Kind::Close(byte)
            }
            _ if WORD[usize::from(byte)] || byte >= 0x80 => {
                if byte >= 0x80 && text[at..].chars().next().is_some_and(char::is_whitespace) {
                    at += text[at..].chars().next().map_or(1, char::len_utf8);
                    continue;
                }
                match prefixed_literal_end(text, at)? {
                    Some(end) => {
                        at = end;
                        Kind::Literal
                    }
                    None => {
                        at = raw_word_end(text, at);
                        if matches!(&bytes[start..at], b"use" | b"extern") {
                            imports.push(out.len() as u32);
                        }
                        Kind::Word
                    }
                }
            }
            _ if byte.is_ascii_punctuation() => {
                at += 1;
                if byte == b'#' {
                    hashes.push(out.len() as u32);
                }
                Kind::Punct(byte)
            }
            _ => return None,
        };
        // Both fit: the text's length was checked.
        out.push(Token { kind, start: start as u32, end: at as u32 });
        close.push(0);
    }
    open.is_empty().then_some(Lexed { tokens: out, close, hashes, imports })
}

/// Whether a `{` after the tokens `out` opens a module's body: `mod name {`.
fn opens_module(text: &str, out: &[Token]) -> bool {
    match out {
        [.., keyword, name] => {
            keyword.kind == Kind::Word
                && name.kind == Kind::Word
                && &text[keyword.start()..keyword.end()] == "mod"
        }
        _ => false,
    }
}

/// Bytes [`group_end`] stops at: quotes, comment starts and delimiters. Nothing else can hide
/// or close a delimiter.
const GROUP_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = matches!(byte as u8, b'"' | b'\'' | b'/' | b'(' | b')' | b'[' | b']' | b'{' | b'}');
        byte += 1;
    }
    table
};

/// The offset of the `}` that closes a `{` whose inside starts at `at`, passing over literals
/// and comments without tokenizing; `stack` is scratch space. None where a literal or comment
/// does not end, a quote starts neither a character nor a lifetime, or delimiters do not match
/// — where [`tokens`] would give up too.
fn group_end(text: &str, mut at: usize, stack: &mut Vec<u8>) -> Option<usize> {
    let bytes = text.as_bytes();
    stack.clear();
    stack.push(b'{');
    loop {
        at += bytes.get(at..)?.iter().position(|&byte| GROUP_STOP[usize::from(byte)])?;
        let byte = bytes[at];
        match byte {
            b'"' => at = string_end(bytes, at)?,
            b'\'' => at = quote_end(text, at)?.0,
            b'/' => match bytes.get(at + 1) {
                Some(b'/') => at = line_comment_end(bytes, at),
                Some(b'*') => at = block_comment_end(bytes, at)?,
                _ => at += 1,
            },
            b'(' | b'[' | b'{' => {
                stack.push(byte);
                at += 1;
            }
            _ => {
                let opener = stack.pop()?;
                if !closes(opener, byte) {
                    return None;
                }
                if stack.is_empty() {
                    return Some(at);
                }
                at += 1;
            }
        }
    }
}

/// The end of the string literal whose opening quote is at `quote`: a raw string when an `r`
/// (after `b` or `c`, or not) and `#`s right before the quote start a token, else a quoted one.
fn string_end(bytes: &[u8], quote: usize) -> Option<usize> {
    let hashes = bytes[..quote].iter().rev().take_while(|&&byte| byte == b'#').count();
    let after_r = quote - hashes;
    if after_r > 0 && bytes[after_r - 1] == b'r' {
        let mut start = after_r - 1;
        if start > 0 && matches!(bytes[start - 1], b'b' | b'c') {
            start -= 1;
        }
        let starts_token = start == 0 || !(WORD[usize::from(bytes[start - 1])] || bytes[start - 1] >= 0x80);
        if starts_token {
            return raw_string_end(bytes, after_r);
        }
    }
    quoted_end(bytes, quote + 1, b'"')
}

/// Whether `close` is the delimiter that closes `open`.
fn closes(open: u8, close: u8) -> bool {
    matches!((open, close), (b'(', b')') | (b'[', b']') | (b'{', b'}'))
}

/// Where the line comment starting at `at` ends: at its line break, or the end of the text.
fn line_comment_end(bytes: &[u8], at: usize) -> usize {
    memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |offset| at + offset)
}

/// The end of what the quote at `at` starts, and what it is: a character literal, else a
/// lifetime or label; None when neither follows.
fn quote_end(text: &str, at: usize) -> Option<(usize, Kind)> {
    if let Some(end) = char_end(text, at + 1) {
        return Some((end, Kind::Literal));
    }
    let end = word_end(text, at + 1);
    (end > at + 1).then_some((end, Kind::Lifetime))
}

/// The end of a (nestable) block comment starting at `at`.
fn block_comment_end(bytes: &[u8], mut at: usize) -> Option<usize> {
    let mut depth = 0usize;
    while at < bytes.len() {
        match (bytes[at], bytes.get(at + 1)) {
            (b'/', Some(b'*')) => {
                depth += 1;
                at += 2;
            }
            (b'*', Some(b'/')) => {
                depth -= 1;
                at += 2;
                if depth == 0 {
                    return Some(at);
                }
            }
            // Only a `/` or a `*` can open or close: jump to the next one.
            _ => at += 1 + memchr::memchr2(b'/', b'*', bytes.get(at + 1..)?)?,
        }
    }
    None
}

/// The end of a literal whose body starts at `at` and ends at an unescaped `quote`.
fn quoted_end(bytes: &[u8], mut at: usize, quote: u8) -> Option<usize> {
    loop {
        let found = at + memchr::memchr2(quote, b'\\', bytes.get(at..)?)?;
        if bytes[found] == b'\\' {
            at = found + 2;
        } else {
            return Some(found + 1);
        }
    }
}

/// The end of a raw string whose `#`s start at `at` (just after the `r`).
fn raw_string_end(bytes: &[u8], at: usize) -> Option<usize> {
    let hashes = bytes[at..].iter().take_while(|&&byte| byte == b'#').count();
    if bytes.get(at + hashes) != Some(&b'"') {
        return None;
    }
    let mut search = at + hashes + 1;
    loop {
        let quote = search + memchr::memchr(b'"', bytes.get(search..)?)?;
        let closing = bytes.get(quote + 1..quote + 1 + hashes)?;
        if closing.iter().all(|&byte| byte == b'#') {
            return Some(quote + 1 + hashes);
        }
        search = quote + 1;
    }
}

/// The end of a character literal whose body starts at `at` (after the opening quote), or
/// None when the quote starts a lifetime or label instead.
fn char_end(text: &str, at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.get(at) == Some(&b'\\') {
        let close = memchr::memchr(b'\'', bytes.get(at + 2..)?)?;
        return Some(at + 2 + close + 1);
    }
    let width = text.get(at..)?.chars().next()?.len_utf8();
    (bytes.get(at + width) == Some(&b'\'')).then_some(at + width + 1)
}

/// The end of a literal with a prefix (`b"..."`, `b'x'`, `r"..."`, `r#"..."#`, `br`, `c`,
/// `cr`) starting at `at`: Some(end) for such a literal, None for a word, and an outer None
/// for a literal that does not end.
#[allow(clippy::option_option)]
fn prefixed_literal_end(text: &str, at: usize) -> Option<Option<usize>> {
    let bytes = text.as_bytes();
    let byte_at = |offset: usize| bytes.get(at + offset).copied();
    let raw = |offset: usize| match (byte_at(offset), byte_at(offset + 1)) {
        (Some(b'"'), _) | (Some(b'#'), Some(b'"' | b'#')) => Some(raw_string_end(bytes, at + offset)),
        _ => None,
    };
    Some(match (byte_at(0), byte_at(1)) {
        (Some(b'b' | b'c'), Some(b'"')) => Some(quoted_end(bytes, at + 2, b'"')?),
        (Some(b'b'), Some(b'\'')) => Some(char_end(text, at + 2)?),
        (Some(b'r'), _) => match raw(1) {
            Some(end) => Some(end?),
            None => None,
        },
        (Some(b'b' | b'c'), Some(b'r')) => match raw(2) {
            Some(end) => Some(end?),
            None => None,
        },
        _ => None,
    })
}

/// The end of the word (identifier, keyword or number) starting at `at`; non-ASCII
/// characters count as word characters.
fn word_end(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = at;
    loop {
        while end < bytes.len() && WORD[usize::from(bytes[end])] {
            end += 1;
        }
        if end >= bytes.len() || bytes[end] < 0x80 {
            return end;
        }
        match text[end..].chars().next() {
            Some(ch) if !ch.is_whitespace() => end += ch.len_utf8(),
            _ => return end,
        }
    }
}

/// The end of a word that may be a raw identifier (`r#type`).
fn raw_word_end(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    if bytes[at] == b'r'
        && bytes.get(at + 1) == Some(&b'#')
        && bytes.get(at + 2).is_some_and(|&byte| byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80)
    {
        return word_end(text, at + 2);
    }
    word_end(text, at)
}

/// The end of the number literal starting at `at` (a digit) as proc-macro2 lexes it: a float,
/// else an integer, then any suffix. None where proc-macro2 would refuse it, or where a
/// non-ASCII character follows (which only a Unicode table could decide).
pub(crate) fn number_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut end = match float_digits_end(bytes, at) {
        Some(end) => end,
        None => int_digits_end(bytes, at)?,
    };
    if bytes.get(end).is_some_and(|&byte| byte.is_ascii_alphabetic() || byte == b'_') {
        while end < bytes.len() && WORD[usize::from(bytes[end])] {
            end += 1;
        }
    }
    match bytes.get(end) {
        Some(&byte) if byte >= 0x80 || WORD[usize::from(byte)] => None,
        _ => Some(end),
    }
}

/// The end of the digits of a float (`1.5`, `1.`, `2e10`, `1.0e-3`) at `at`, as proc-macro2's
/// `float_digits`; None where they are not a float's.
fn float_digits_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut end = at + 1;
    let (mut has_dot, mut has_exp) = (false, false);
    while let Some(&byte) = bytes.get(end) {
        match byte {
            b'0'..=b'9' | b'_' => end += 1,
            b'.' => {
                if has_dot {
                    break;
                }
                // `1..2` and `1.max(2)` are an integer and what follows.
                if bytes.get(end + 1).is_some_and(|&next| {
                    next == b'.' || next == b'_' || next.is_ascii_alphabetic() || next >= 0x80
                }) {
                    return None;
                }
                end += 1;
                has_dot = true;
            }
            b'e' | b'E' => {
                end += 1;
                has_exp = true;
                break;
            }
            _ => break,
        }
    }
    if !(has_dot || has_exp) {
        return None;
    }
    if has_exp {
        let before_exp = has_dot.then(|| end - 1);
        let (mut has_sign, mut has_value) = (false, false);
        while let Some(&byte) = bytes.get(end) {
            match byte {
                b'+' | b'-' => {
                    if has_value {
                        break;
                    }
                    if has_sign {
                        return before_exp;
                    }
                    end += 1;
                    has_sign = true;
                }
                b'0'..=b'9' => {
                    end += 1;
                    has_value = true;
                }
                b'_' => end += 1,
                _ => break,
            }
        }
        if !has_value {
            return before_exp;
        }
    }
    Some(end)
}

/// The end of the digits of an integer at `at` (`0x`, `0o` and `0b` prefixes included), as
/// proc-macro2's `digits`; None where it refuses them.
fn int_digits_end(bytes: &[u8], at: usize) -> Option<usize> {
    let (base, mut end) = match (bytes[at], bytes.get(at + 1)) {
        (b'0', Some(b'x')) => (16, at + 2),
        (b'0', Some(b'o')) => (8, at + 2),
        (b'0', Some(b'b')) => (2, at + 2),
        _ => (10, at),
    };
    let mut empty = true;
    while let Some(&byte) = bytes.get(end) {
        let digit = match byte {
            b'0'..=b'9' => byte - b'0',
            b'a'..=b'f' => 10 + byte - b'a',
            b'A'..=b'F' => 10 + byte - b'A',
            b'_' => {
                if empty && base == 10 {
                    return None;
                }
                end += 1;
                continue;
            }
            _ => break,
        };
        if digit >= base {
            if byte.is_ascii_digit() {
                return None;
            }
            break;
        }
        end += 1;
        empty = false;
    }
    (!empty).then_some(end)
}

/// What a level of items is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    /// A file or an inline module's body.
    Module,
    /// The body of an `impl` or `trait` block.
    Block,
}

/// How an item declares a module.
enum ModuleForm {
    /// `mod name;`
    Declared,
    /// `mod name { ... }`, with the index of the opening brace.
    Inline(usize),
}

struct Source<'a> {
    text: &'a str,
    tokens: &'a [Token],
    close: &'a [u32],
    /// The indexes of the `#` tokens.
    hashes: &'a [u32],
    /// The indexes of the words `use` and `extern`.
    imports: &'a [u32],
}

impl Source<'_> {
    fn word(&self, index: usize) -> Option<&str> {
        let token = self.tokens.get(index)?;
        (token.kind == Kind::Word).then(|| &self.text[token.start()..token.end()])
    }

    fn is_punct(&self, index: usize, byte: u8) -> bool {
        self.tokens.get(index).is_some_and(|token| token.kind == Kind::Punct(byte))
    }

    fn is_open(&self, index: usize, byte: u8) -> bool {
        self.tokens.get(index).is_some_and(|token| token.kind == Kind::Open(byte))
    }

    /// The index of the token that closes the group opened at `index`.
    fn closing(&self, index: usize) -> usize {
        self.close[index] as usize
    }

    /// The index just after the token at `index`, its group included if it opens one.
    fn after(&self, index: usize) -> usize {
        match self.tokens[index].kind {
            Kind::Open(_) => self.closing(index) + 1,
            _ => index + 1,
        }
    }

    /// The items of one module level, `start..end`, as inclusive token ranges, into `items`.
    fn items(&self, start: usize, end: usize, items: &mut Vec<(usize, usize)>) {
        items.clear();
        let mut first = start;
        let mut index = start;
        while index < end {
            let next = self.after(index);
            let ends = match self.tokens[index].kind {
                Kind::Punct(b';') | Kind::InnerDoc => true,
                Kind::Open(b'{') => !(next < end && self.is_punct(next, b';')),
                // An inner attribute, `#![...]`, stands alone.
                Kind::Open(b'[') => {
                    index == first + 2 && self.is_punct(first, b'#') && self.is_punct(first + 1, b'!')
                }
                _ => false,
            };
            if ends {
                items.push((first, next - 1));
                first = next;
            }
            index = next;
        }
        if first < end {
            items.push((first, end - 1));
        }
    }

    /// The index of an item's first word after its outer attributes and visibility.
    fn keyword_at(&self, first: usize, last: usize) -> Option<usize> {
        let mut index = first;
        while index <= last {
            if self.is_punct(index, b'#') && self.is_open(index + 1, b'[') {
                index = self.after(index + 1);
            } else if self.tokens[index].kind == Kind::Doc {
                index += 1;
            } else if self.word(index) == Some("pub") {
                index += 1;
                if self.is_open(index, b'(') {
                    index = self.after(index);
                }
            } else {
                return (self.tokens[index].kind == Kind::Word).then_some(index);
            }
        }
        None
    }

    fn is_import(&self, first: usize, last: usize) -> bool {
        self.keyword_at(first, last).is_some_and(|at| match self.word(at) {
            Some("use") => true,
            Some("extern") => self.word(at + 1) == Some("crate"),
            _ => false,
        })
    }

    fn module(&self, first: usize, last: usize) -> Option<ModuleForm> {
        let at = self.keyword_at(first, last)?;
        if self.word(at) != Some("mod") || self.word(at + 1).is_none() {
            return None;
        }
        if at + 2 == last && self.is_punct(last, b';') {
            Some(ModuleForm::Declared)
        } else if self.is_open(at + 2, b'{') && self.closing(at + 2) == last {
            Some(ModuleForm::Inline(at + 2))
        } else {
            None
        }
    }

    /// The index of the opening brace of the body of an `impl` or `trait` block that is the
    /// item `first..=last`.
    fn block_body(&self, first: usize, last: usize) -> Option<usize> {
        if self.tokens[last].kind != Kind::Close(b'}') {
            return None;
        }
        let mut index = self.keyword_at(first, last)?;
        // Qualifiers before the keyword: `unsafe`, `default`, `auto`.
        while matches!(self.word(index), Some("unsafe" | "default" | "auto")) {
            index += 1;
        }
        if !matches!(self.word(index), Some("impl" | "trait")) {
            return None;
        }
        (index..last).find(|&at| self.is_open(at, b'{') && self.closing(at) == last)
    }

    /// The words of `start..end`, at any depth.
    fn words(&self, start: usize, end: usize) -> impl Iterator<Item = &str> + '_ {
        (start..end).filter_map(|index| self.word(index))
    }

    /// The names an attribute of ours can go by in this file: the attributes' own names, the
    /// annotations crate, and every `as` name of a `use` or `extern crate` (at any depth) that
    /// mentions one of these.
    fn attribute_names(&self, annotations_crate: &str) -> Vec<String> {
        let mut names: Vec<String> =
            ["event_producer", "event_consumer", "event", annotations_crate, "flowdoc_annotations"]
                .iter()
                .map(|name| (*name).to_owned())
                .collect();
        let imports: Vec<(usize, usize)> = self.imports_with_alias();
        // An alias can itself be renamed by a later `use`: repeat until nothing new appears.
        loop {
            let known = names.len();
            for &(start, end) in &imports {
                if self.words(start, end).any(|word| names.iter().any(|name| name == word)) {
                    for index in start..end {
                        if self.word(index) == Some("as")
                            && let Some(alias) = self.word(index + 1)
                            && !names.iter().any(|name| name == alias)
                        {
                            names.push(alias.to_owned());
                        }
                    }
                }
            }
            if names.len() == known {
                return names;
            }
        }
    }

    /// The token ranges of `use` and `extern crate` statements, at any depth, that rename
    /// something with `as`.
    fn imports_with_alias(&self) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        let mut done = 0;
        for &index in self.imports {
            let index = index as usize;
            if index < done {
                continue;
            }
            let starts = match self.word(index) {
                // `use<...>` is a precise-capturing bound, not an import.
                Some("use") => !self.is_punct(index + 1, b'<'),
                Some("extern") => self.word(index + 1) == Some("crate"),
                _ => false,
            };
            if !starts {
                continue;
            }
            let mut end = index + 1;
            while end < self.tokens.len() && !self.is_punct(end, b';') {
                if matches!(self.tokens[end].kind, Kind::Close(_)) {
                    break;
                }
                end = self.after(end);
            }
            let end = end.min(self.tokens.len());
            if self.words(index, end).any(|word| word == "as") {
                found.push((index, end));
            }
            done = end;
        }
        found
    }

    /// The indexes of the `#` of every attribute, at any depth, that mentions one of `names`,
    /// in order.
    fn flagged_attributes(&self, names: &[String]) -> Vec<usize> {
        let mut flagged = Vec::new();
        for &index in self.hashes {
            let index = index as usize;
            let open = if self.is_punct(index + 1, b'!') { index + 2 } else { index + 1 };
            if self.is_open(open, b'[')
                && self.words(open + 1, self.closing(open)).any(|word| names.iter().any(|name| name == word))
            {
                flagged.push(index);
            }
        }
        flagged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(source: &str) -> String {
        skim(source, Keep::Annotated("flowdoc_annotations")).expect("the source can be followed")
    }

    /// The kept text with runs of white space folded, for reading.
    fn folded(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn keeps_imports_annotated_items_and_modules_only() {
        let source = r#"
            #![allow(dead_code)]
            use flowdoc_annotations::{event_producer as produces, event};
            use std::fmt;
            const LIMIT: u32 = { 3 };
            struct Helper { a: u32 }
            impl Helper { fn f(&self) -> u32 { self.a } }
            #[produces(OrderPlaced, to = "Topic")]
            async fn publish(event: u32) {}
            /// Documented.
            /** Twice. */
            #[event]
            pub struct OrderPlaced { pub id: String }
            mod inner { #[flowdoc_annotations::event_consumer(A, from = "Q")] fn on_a() {} }
            #[cfg(test)]
            mod tests { #[test] fn t() {} mod deeper; }
            #[path = "x.rs"] pub(crate) mod elsewhere;
            fn with_a_parameter_named_event(event: u32) {}
        "#;
        let kept = kept(source);
        let folded = folded(&kept);
        for wanted in [
            "use flowdoc_annotations",
            "use std::fmt;",
            "fn publish",
            "/// Documented. /** Twice. */ #[event] pub struct OrderPlaced",
            "mod inner {",
            "#[cfg(test)] mod tests { mod deeper; }",
            "#[path = \"x.rs\"] pub(crate) mod elsewhere;",
        ] {
            assert!(folded.contains(wanted), "{wanted} in {folded}");
        }
        for unwanted in ["LIMIT", "Helper", "fn t", "with_a_parameter_named_event", "allow"] {
            assert!(!kept.contains(unwanted), "{unwanted} in {kept}");
        }
        syn::parse_str::<syn::File>(&kept).expect("the kept items parse");
    }

    #[test]
    fn annotated_blocks_keep_only_their_annotated_items() {
        let source = r#"
            use flowdoc_annotations::event_consumer;
            struct Service;
            impl Service {
                const LIMIT: u32 = 3;
                fn helper(&self) -> u32 { Self::LIMIT }
                /// Handles A.
                #[event_consumer(A, from = "Q")]
                pub async fn on_a(&self, event: A) -> Result<(), E> { let x = self.helper(); Ok(()) }
            }
            unsafe impl<T> Send for Wrapper<T> where T: Fn() -> () { fn not_kept() {} }
            #[event_consumer(B, from = "Q")]
            pub(crate) unsafe extern "C" fn on_b() { body(); }
            trait Handles { #[event_consumer(E, from = "Q")] fn on_e(&self) { default(); } fn other(&self); }
        "#;
        let kept = kept(source);
        let folded = folded(&kept);
        for wanted in [
            "impl Service { /// Handles A. #[event_consumer(A, from = \"Q\")] pub async fn on_a(&self, event: A) -> \
             Result<(), E> { let x = self.helper(); Ok(()) } }",
            "pub(crate) unsafe extern \"C\" fn on_b() { body(); }",
            "trait Handles { #[event_consumer(E, from = \"Q\")] fn on_e(&self) { default(); } }",
        ] {
            assert!(folded.contains(wanted), "{wanted} in {folded}");
        }
        for unwanted in ["LIMIT", "fn helper", "not_kept", "other"] {
            assert!(!kept.contains(unwanted), "{unwanted} in {kept}");
        }
        syn::parse_str::<syn::File>(&kept).expect("the kept items parse");
    }

    #[test]
    fn lines_and_columns_are_kept() {
        let source = "fn héllo() { let s = \"ünïcode\"; }\nconst X: u8 = 1; #[event]\nstruct E;\n";
        let kept = kept(source);
        assert_eq!(kept.lines().count(), source.lines().count());
        let column = |text: &str, needle: &str| {
            let line = text.lines().find(|line| line.contains(needle)).unwrap();
            line[..line.find(needle).unwrap()].chars().count()
        };
        assert_eq!(column(&kept, "#[event]"), column(source, "#[event]"));
        assert!(kept.lines().next().unwrap().trim().is_empty());
    }

    #[test]
    fn literals_and_comments_do_not_cut_items() {
        let source = r##"
            const A: &str = "}; #[event] struct Fake;";
            const B: &str = r#"" } #[event_producer(X, to = "T")] "#;
            const C: char = '}'; const D: u8 = b'{'; const E: &[u8] = br"{";
            fn lifetimes<'a>(x: &'a str) -> &'a str { 'outer: loop { break 'outer x; } }
            /* a /* nested */ comment with } and #[event] */
            // a line comment with {
            #[event]
            struct Real;
        "##;
        let kept = kept(source);
        assert_eq!(folded(&kept), "#[event] struct Real;");
    }

    #[test]
    fn aliases_are_followed_at_any_depth_and_through_renames() {
        let source = r#"
            fn setup() { use flowdoc_annotations as annotations; }
            use annotations::event_consumer as on;
            #[on(A, from = "Q")]
            fn handler() {}
            #[other(A)]
            fn not_ours() {}
        "#;
        let folded = folded(&kept(source));
        assert!(folded.contains("fn handler"), "{folded}");
        assert!(!folded.contains("not_ours"), "{folded}");
    }

    #[test]
    fn modules_only_keeps_the_module_tree() {
        let source = "use a::b;\n#[event]\nstruct E;\nmod x { fn f() {} pub mod y; mod z { mod w; } }\n";
        let kept = skim(source, Keep::Modules).unwrap();
        assert_eq!(folded(&kept), "mod x { pub mod y; mod z { mod w; } }");
    }

    #[test]
    fn what_cannot_be_followed_is_none() {
        for source in
            ["fn f() { \"unterminated }", "fn f() { ( }", "/* open", "struct S { a: u8 ", "r#\"x\"", "'"]
        {
            assert!(skim(source, Keep::Modules).is_none(), "{source}");
        }
    }

    #[test]
    fn deep_nesting_is_followed_without_recursion() {
        let depth = 100_000;
        let source = format!("fn f() {{ {}{} }}\n#[event] struct E;", "(".repeat(depth), ")".repeat(depth));
        assert_eq!(folded(&kept(&source)), "#[event] struct E;");
    }

    /// A skim for the module tree passes over the inside of every `{...}` that is not a
    /// module's body; what hides a brace (literals of every kind, comments, characters) is
    /// passed over as the lexer would, and the module tree read is the one of a skim that
    /// tokenizes every body.
    #[test]
    fn bodies_passed_over_for_the_module_tree() {
        let source = r####"
            fn f() { let s = "}"; let r = r#"}"#; let b = br##"" } "#"##; let c = '}'; }
            fn g<'a>(x: &'a str) -> char { let q = b'{'; /* } /* nested } */ } */ // }
                'outer: loop { break 'outer; } '\u{7D}' }
            impl S { fn h() { mod in_a_body; } }
            const X: [u8; 1] = [{ 1 }];
            #[path = "p.rs"] mod first;
            pub(crate) mod inline { fn i() { "{" ; } mod second; mod deeper { mod third; } }
            macro_rules! m { () => { mod hidden; } }
            fn r#type() { let r#struct = "{"; c"}"; cr"}"; }
        "####;
        let skimmed = skim_tokens(source, Keep::Modules).expect("followed");
        let words: Vec<&str> = skimmed
            .tokens
            .iter()
            .filter(|token| token.kind == Kind::Word)
            .map(|token| &source[token.start()..token.end()])
            .collect();
        for passed_over in ["let", "loop", "in_a_body", "hidden", "r#struct"] {
            assert!(!words.contains(&passed_over), "{passed_over} tokenized: {words:?}");
        }
        for tokenized in ["first", "inline", "second", "deeper", "third", "path"] {
            assert!(words.contains(&tokenized), "{tokenized} not tokenized: {words:?}");
        }
        assert_eq!(
            skim(source, Keep::Modules),
            skim_modules_tokenizing_bodies(source),
            "the same module tree as with every body tokenized"
        );
        // Within `(...)` or `[...]` a brace is tokenized: an attribute's arguments are read whole.
        let skimmed = skim_tokens("#[a({ x })] mod m;", Keep::Modules).unwrap();
        assert!(skimmed.tokens.iter().any(|token| &"#[a({ x })] mod m;"[token.start()..token.end()] == "x"));
    }

    /// A body that does not end, or whose delimiters do not match, cannot be followed.
    #[test]
    fn broken_bodies_passed_over_are_not_followed() {
        for broken in [
            "fn f() { let s = \"}; }",
            "fn f() { /* } }",
            "fn f() { (] }",
            "fn f() { r#\"}\" }",
            "fn f() { ' }",
            "fn f() { {}",
        ] {
            assert!(skim_tokens(broken, Keep::Modules).is_none(), "{broken}");
            assert!(tokens(broken, false).is_none(), "{broken}: the lexer gives up too");
        }
    }
}
