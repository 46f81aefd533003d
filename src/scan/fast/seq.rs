//! The tokens a skim keeps, in order, as the reader walks them: what proc-macro2 would make of
//! the kept text, without lexing it. Checked here: that proc-macro2 would lex every kept token
//! the same way ([`Seq::lexes`]), and that syn's recursion on them stays within the nesting
//! limit ([`Seq::within_nesting`], the bound of `lex::nesting_bound` computed on these tokens).

use crate::scan::lex::{Run, count_operator, is_keyword};
use crate::scan::skim::{Kind, Skimmed, Token};

/// The kept tokens of a skimmed file.
#[derive(Debug)]
pub(super) struct Seq<'t> {
    /// The file's text.
    pub(super) text: &'t str,
    toks: Vec<Token>,
    /// For each token, its index among all the file's tokens.
    orig: Vec<u32>,
    /// For an opening delimiter, the position of its closing one; 0 elsewhere.
    close: Vec<u32>,
}

/// The characters proc-macro2 lexes as punctuation (`'` aside, which only starts lifetimes).
fn is_punct_char(byte: u8) -> bool {
    matches!(
        byte,
        b'~' | b'!'
            | b'@'
            | b'#'
            | b'$'
            | b'%'
            | b'^'
            | b'&'
            | b'*'
            | b'-'
            | b'='
            | b'+'
            | b'|'
            | b';'
            | b':'
            | b','
            | b'<'
            | b'.'
            | b'>'
            | b'/'
            | b'?'
    )
}

impl<'t> Seq<'t> {
    /// The kept tokens of `skimmed`, in order.
    pub(super) fn new(skimmed: &Skimmed<'t>) -> Seq<'t> {
        let count = skimmed.kept.iter().map(|&(first, last)| last + 1 - first).sum();
        let mut toks = Vec::with_capacity(count);
        let mut orig = Vec::with_capacity(count);
        let mut close = vec![0u32; count];
        let mut open = Vec::new();
        let mut at_byte = 0;
        for &(first, last) in &skimmed.kept {
            if skimmed.tokens[first].start() < at_byte {
                continue;
            }
            at_byte = skimmed.tokens[last].end();
            for (index, token) in skimmed.tokens[first..=last].iter().enumerate() {
                let position = toks.len();
                match token.kind {
                    Kind::Open(_) => open.push(position),
                    // Kept ranges keep both ends of every group: this always matches.
                    Kind::Close(_) => {
                        if let Some(opened) = open.pop() {
                            close[opened] = position as u32;
                        }
                    }
                    _ => {}
                }
                toks.push(*token);
                orig.push((first + index) as u32);
            }
        }
        Seq { text: skimmed.text, toks, orig, close }
    }

    /// How many tokens there are.
    pub(super) fn len(&self) -> usize {
        self.toks.len()
    }

    /// The token at `at`.
    pub(super) fn token(&self, at: usize) -> Token {
        self.toks[at]
    }

    /// The kind of the token at `at`, None past the end.
    pub(super) fn kind(&self, at: usize) -> Option<Kind> {
        self.toks.get(at).map(|token| token.kind)
    }

    /// The text of the token at `at`.
    pub(super) fn text_of(&self, at: usize) -> &'t str {
        let token = self.toks[at];
        &self.text[token.start()..token.end()]
    }

    /// The word at `at`, if it is one.
    pub(super) fn word(&self, at: usize) -> Option<&'t str> {
        (self.kind(at)? == Kind::Word).then(|| self.text_of(at))
    }

    /// The index among all the file's tokens of the token at `at`.
    pub(super) fn original(&self, at: usize) -> usize {
        self.orig[at] as usize
    }

    /// The position of the token that closes the group opened at `at`.
    pub(super) fn closing(&self, at: usize) -> usize {
        self.close[at] as usize
    }

    /// Whether the punctuation at `at` is joint with what follows, as proc-macro2 says: the
    /// next character of the kept text is punctuation that does not start a comment.
    pub(super) fn joint(&self, at: usize) -> bool {
        let Some(next) = self.toks.get(at + 1) else { return false };
        next.start == self.toks[at].end
            && !matches!(next.kind, Kind::Doc | Kind::InnerDoc)
            && (is_punct_char(self.text.as_bytes()[next.start()])
                || self.text.as_bytes()[next.start()] == b'\'')
    }

    /// Whether proc-macro2 would lex every kept token as the skim did, and accept it.
    pub(super) fn lexes(&self) -> bool {
        (0..self.toks.len()).all(|at| self.token_lexes(at))
    }

    fn token_lexes(&self, at: usize) -> bool {
        let token = self.toks[at];
        let text = self.text_of(at);
        let bytes = self.text.as_bytes();
        let next = bytes.get(token.end()).copied();
        match token.kind {
            Kind::Word => {
                let raw = text.strip_prefix("r#");
                text.is_ascii()
                    && !matches!(raw, Some("_" | "super" | "self" | "Self" | "crate"))
                    // `r#`, `br#` and `cr#` that do not start a raw identifier or string.
                    && !(matches!(text, "r" | "br" | "cr") && next == Some(b'#'))
            }
            Kind::Punct(byte) => is_punct_char(byte),
            Kind::Open(_) => !self.text[token.start()..].starts_with("(/*ERROR*/)"),
            Kind::Close(_) => true,
            Kind::Lifetime => {
                let name = &text[1..];
                name.is_ascii()
                    && name.as_bytes()[0].is_ascii_alphabetic() | (name.as_bytes()[0] == b'_')
                    && !matches!(next, Some(b'\'' | b'#'))
            }
            Kind::Literal => literal_lexes(text, next),
            Kind::Doc | Kind::InnerDoc => doc_contents(text).is_some(),
            Kind::Unlexable => false,
        }
    }

    /// Whether the recursion syn needs to parse the kept tokens stays within `limit` levels:
    /// `lex::nesting_bound` on the tokens proc-macro2 would make of the kept text.
    pub(super) fn within_nesting(&self, limit: usize) -> bool {
        let mut bound = Bound { deepest: 0, stack: vec![(0, Run::default())] };
        let mut at = 0;
        while at < self.toks.len() {
            at += match self.toks[at].kind {
                Kind::Doc => bound.doc_comment(false),
                Kind::InnerDoc => bound.doc_comment(true),
                kind => bound.token(self, at, kind),
            };
            if bound.deepest > limit {
                return false;
            }
        }
        true
    }
}

/// The contents of a doc comment as proc-macro2 gives them to `#[doc = "..."]`, or None where
/// it refuses the comment (a carriage return not followed by a line feed).
pub(super) fn doc_contents(text: &str) -> Option<&str> {
    let contents = if text.starts_with("//") {
        let line = &text[3..];
        line.strip_suffix('\r').unwrap_or(line)
    } else {
        &text[3..text.len() - 2]
    };
    let mut rest = contents;
    while let Some(cr) = memchr::memchr(b'\r', rest.as_bytes()) {
        rest = &rest[cr + 1..];
        if !rest.starts_with('\n') {
            return None;
        }
    }
    Some(contents)
}

/// Whether proc-macro2 lexes the literal `text` (as the skim cut it) as one literal token with
/// no suffix; `next` is the byte after it.
fn literal_lexes(text: &str, next: Option<u8>) -> bool {
    // A suffix (`"a"x`) or a character proc-macro2 would join to the literal.
    if next.is_some_and(|byte| byte >= 0x80 || byte.is_ascii_alphanumeric() || byte == b'_') {
        return false;
    }
    let bytes = text.as_bytes();
    match bytes[0] {
        // The skim cut numbers as proc-macro2 does.
        b'0'..=b'9' => true,
        b'"' if memchr::memchr2(b'\\', b'\r', bytes).is_none() => true,
        b'r' => {
            let hashes = bytes[1..].iter().take_while(|&&byte| byte == b'#').count();
            hashes <= 255 && bare_cr_free(bytes)
        }
        // Escapes, byte and C strings, characters: rare, and proc-macro2 decides.
        _ => text.parse::<proc_macro2::Literal>().is_ok(),
    }
}

/// Whether every carriage return in `bytes` is followed by a line feed.
fn bare_cr_free(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'\r', bytes).all(|cr| bytes.get(cr + 1) == Some(&b'\n'))
}

/// `lex::nesting_bound`, token by token: each frame is a group's base depth and run.
struct Bound {
    deepest: usize,
    stack: Vec<(usize, Run)>,
}

impl Bound {
    /// The innermost group's base and run.
    fn top(&mut self) -> (usize, &mut Run) {
        let (base, run) = self.stack.last_mut().expect("the outermost frame is never popped");
        (*base, run)
    }

    /// What comes before every token: a `{ ... }` group followed by the start of a statement
    /// ends what was open; `else` applies to the next token only.
    fn before(run: &mut Run, starts_statement: bool) -> bool {
        if run.after_brace && starts_statement {
            *run = Run::default();
        }
        run.after_brace = false;
        std::mem::take(&mut run.after_else)
    }

    fn note(&mut self, depth: usize) {
        self.deepest = self.deepest.max(depth);
    }

    /// A token of the kept text at `at`, of `kind`; how many tokens it took (an operator can
    /// be several).
    fn token(&mut self, seq: &Seq<'_>, at: usize, kind: Kind) -> usize {
        match kind {
            Kind::Open(delimiter) => {
                let (base, run) = self.top();
                Self::before(run, false);
                let depth = base + run.level() + 1;
                run.after_operand = true;
                run.after_brace = delimiter == b'{';
                self.note(depth);
                self.stack.push((depth, Run::default()));
            }
            Kind::Close(_) => {
                if self.stack.len() > 1 {
                    self.stack.pop();
                }
            }
            Kind::Literal | Kind::Unlexable => {
                let (base, run) = self.top();
                Self::before(run, false);
                run.after_operand = true;
                let depth = base + run.level();
                self.note(depth);
            }
            Kind::Lifetime => {
                let (base, run) = self.top();
                Self::before(run, false);
                let depth = base + run.level();
                self.note(depth);
            }
            Kind::Word => {
                let word = seq.text_of(at);
                let (base, run) = self.top();
                let after_else = Self::before(run, !matches!(word, "else" | "as"));
                match word {
                    "return" | "break" | "yield" | "become" | "match" | "while" | "for" => run.open += 1,
                    "if" if !after_else => run.open += 1,
                    "else" => run.after_else = true,
                    _ => {}
                }
                run.after_operand = !is_keyword(word);
                let depth = base + run.level();
                self.note(depth);
            }
            Kind::Punct(first) => {
                let (base, run) = self.top();
                Self::before(run, first == b'#');
                let (op, len) = glued_operator(seq, at);
                count_operator(run, op);
                let depth = base + run.level();
                self.note(depth);
                return len;
            }
            Kind::Doc | Kind::InnerDoc => {}
        }
        1
    }

    /// A doc comment: `#`, for an inner one `!`, and `[doc = "..."]`; one token.
    fn doc_comment(&mut self, inner: bool) -> usize {
        let (base, run) = self.top();
        Self::before(run, true);
        count_operator(run, "#");
        let mut depth = base + run.level();
        if inner {
            Self::before(run, false);
            count_operator(run, "!");
            depth = depth.max(base + run.level());
        }
        Self::before(run, false);
        let group = base + run.level() + 1;
        run.after_operand = true;
        // Inside: `doc`, `=` (which opens a level), the literal.
        self.note(depth.max(group + 1));
        1
    }
}

/// The operators `lex::glue_operator` joins.
const OPERATORS: &[&str] = &[
    "<<=", ">>=", "...", "..=", "::", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=",
    "%=", "^=", "&=", "|=", "<<", ">>", "..",
];

/// The operator the punctuation at `at` starts, joined with the joint punctuation after it as
/// `lex::glue_operator` joins it, and how many tokens it takes.
fn glued_operator(seq: &Seq<'_>, at: usize) -> (&'static str, usize) {
    let mut buffer = [0u8; 3];
    let mut len = 0;
    while len < 3 {
        let Some(Kind::Punct(byte)) = seq.kind(at + len) else { break };
        buffer[len] = byte;
        if len > 0 && !OPERATORS.iter().any(|op| op.as_bytes().starts_with(&buffer[..=len])) {
            break;
        }
        len += 1;
        if !seq.joint(at + len - 1) {
            break;
        }
    }
    let op = &buffer[..len];
    let glued = OPERATORS.iter().copied().find(|known| known.as_bytes() == op);
    (glued.unwrap_or_else(|| single(op[0])), len)
}

/// A one-character operator as a string.
fn single(byte: u8) -> &'static str {
    const ALL: &str = "~!@#$%^&*-=+|;:,<.>/?";
    ALL.find(char::from(byte)).map_or("#", |at| &ALL[at..=at])
}
