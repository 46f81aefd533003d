//! From bytes to tokens, safely: UTF-8 check, shebang and byte-order mark, lexing with
//! proc-macro2, and an upper bound on how deep syn would recurse to parse the tokens.
//!
//! syn's parser is recursive with no limit, and in a debug build one level of nesting can take
//! more than 50 KiB of stack (`Box<Box<...>>`), so a few thousand bytes of hostile source can
//! overflow any thread. proc-macro2's lexer and its token trees are iterative, so the file is
//! lexed first, [`nesting_bound`] bounds the recursion from the tokens without recursing, and
//! only files under the limit are parsed — on threads whose stack fits the limit
//! ([`parse_stack_bytes`]).

use super::facts::{ProblemKind, SourceProblem};
use crate::location::{Location, saturating_u32};
use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// Stack a parse thread needs per level of nesting, with room to spare: measured at up to
/// 56 KiB per level for syn 3 in a debug build (`Box<Box<...>>` in a field type), 7 KiB in
/// release.
const STACK_PER_LEVEL: usize = 128 * 1024;

/// The stack for threads that parse files nesting at most `max_nesting` deep.
pub(crate) fn parse_stack_bytes(max_nesting: usize) -> usize {
    max_nesting.saturating_mul(STACK_PER_LEVEL).clamp(16 << 20, 1 << 30)
}

/// The file's text, or a problem naming the first byte that is not UTF-8.
pub(crate) fn decode(path: &str, bytes: Vec<u8>) -> Result<String, SourceProblem> {
    String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        let location = Location::at_offset(path, error.as_bytes(), offset);
        SourceProblem {
            location,
            kind: ProblemKind::NotUtf8,
            message: format!("file is not valid UTF-8 (byte 0x{:02x}); skipped", error.as_bytes()[offset]),
        }
    })
}

/// Source text ready for the lexer, lines and columns unchanged: a byte-order mark is dropped
/// and a `#!` interpreter line is blanked, as rustc does.
pub(crate) fn strip_preamble(text: &str) -> std::borrow::Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(rest) = text.strip_prefix("#!")
        && !rest.trim_start().starts_with('[')
    {
        let end = text.find('\n').unwrap_or(text.len());
        let mut owned = " ".repeat(end);
        owned.push_str(&text[end..]);
        return owned.into();
    }
    text.into()
}

/// Lexes `text`, the contents of `path`. Spans carry line and column on this thread until
/// `proc_macro2::extra::invalidate_current_thread_spans` is called.
pub(crate) fn lex(path: &str, text: &str) -> Result<TokenStream, SourceProblem> {
    text.parse::<TokenStream>().map_err(|error| {
        let start = error.span().start();
        SourceProblem {
            location: Location::new(path, saturating_u32(start.line), saturating_u32(start.column + 1)),
            kind: ProblemKind::Syntax,
            message: format!("cannot lex Rust source: {error}"),
        }
    })
}

/// Checks that parsing `tokens` stays within `max_nesting` levels of recursion.
pub(crate) fn check_nesting(
    path: &str,
    tokens: &TokenStream,
    max_nesting: usize,
) -> Result<(), SourceProblem> {
    match nesting_bound(tokens, max_nesting) {
        Bound::Within(_) => Ok(()),
        Bound::Over(start) => Err(SourceProblem {
            location: Location::new(path, saturating_u32(start.line), saturating_u32(start.column + 1)),
            kind: ProblemKind::Syntax,
            message: format!(
                "nesting here goes deeper than the limit of {max_nesting} levels; the file was not parsed \
                 (raise `max_nesting` if this is real code)"
            ),
        }),
    }
}

/// The result of [`nesting_bound`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Bound {
    /// The deepest recursion parsing can reach is at most this many levels.
    Within(usize),
    /// The bound passes the limit at this position.
    Over(proc_macro2::LineColumn),
}

/// Recursion state within one delimited group.
#[derive(Clone, Copy, Default)]
pub(super) struct Run {
    /// Open prefix operators (`!`, `-`, `*`, `&` in prefix position) and `->`.
    pub(super) unary: usize,
    /// Open right-recursive constructs: assignments, `return`, `break`, `if`, `match`, ...
    pub(super) open: usize,
    /// Open angle brackets.
    pub(super) angle: usize,
    /// Open closures.
    pub(super) closures: usize,
    /// Whether the previous token ends an operand, making a following operator binary.
    pub(super) after_operand: bool,
    /// The previous token was `else`, so an `if` continues a chain, which syn parses in a loop.
    pub(super) after_else: bool,
    /// The previous token was a `{ ... }` group, which may end a statement or item.
    pub(super) after_brace: bool,
}

impl Run {
    pub(super) fn level(&self) -> usize {
        self.unary + self.open + self.angle + self.closures
    }
}

/// An upper bound on the recursion depth syn needs to parse `tokens`, computed without
/// recursion; gives up as soon as the bound passes `limit`.
///
/// Each group adds a level, and so does every token that can open a construct syn parses
/// recursively inside the same group: prefix operators, generic argument lists, closures,
/// assignments and keyword expressions. Counts fall back where a construct must have ended: at
/// `;`, at `,` for prefix operators, after a binary operator for prefix operators, and after a
/// `{ ... }` group that is followed by the start of a new statement or item.
pub(crate) fn nesting_bound(tokens: &TokenStream, limit: usize) -> Bound {
    let mut deepest = 0;
    // Each frame: the rest of a group's tokens, the depth outside it, and its run.
    let mut stack = vec![(tokens.clone().into_iter().peekable(), 0usize, Run::default())];
    while let Some((trees, base, run)) = stack.last_mut() {
        let Some(tree) = trees.next() else {
            stack.pop();
            continue;
        };
        if run.after_brace && starts_statement(&tree) {
            *run = Run::default();
        }
        run.after_brace = false;
        let after_else = std::mem::take(&mut run.after_else);
        let mut inner = None;
        match &tree {
            TokenTree::Group(group) => {
                let depth = *base + run.level() + 1;
                run.after_operand = true;
                run.after_brace = group.delimiter() == Delimiter::Brace;
                inner = Some((group.stream(), depth));
            }
            TokenTree::Literal(_) => run.after_operand = true,
            TokenTree::Ident(ident) => {
                let word = ident.to_string();
                match word.as_str() {
                    "return" | "break" | "yield" | "become" | "match" | "while" | "for" => run.open += 1,
                    "if" if !after_else => run.open += 1,
                    "else" => run.after_else = true,
                    _ => {}
                }
                run.after_operand = !is_keyword(&word);
            }
            // A lifetime or label is neither operand nor operator: `&'a &'a T` nests.
            TokenTree::Punct(punct) if punct.as_char() == '\'' => {
                if let Some(TokenTree::Ident(_)) = trees.peek() {
                    trees.next();
                }
            }
            TokenTree::Punct(punct) => {
                let op = glue_operator(punct.as_char(), punct.spacing(), trees);
                count_operator(run, &op);
            }
        }
        let depth = match &inner {
            Some((_, depth)) => *depth,
            None => *base + run.level(),
        };
        deepest = deepest.max(depth);
        if deepest > limit {
            return Bound::Over(tree.span().start());
        }
        if let Some((stream, depth)) = inner {
            stack.push((stream.into_iter().peekable(), depth, Run::default()));
        }
    }
    Bound::Within(deepest)
}

/// Updates `run` for the operator `op`.
pub(super) fn count_operator(run: &mut Run, op: &str) {
    let binary = run.after_operand;
    run.after_operand = false;
    match op {
        ";" => *run = Run::default(),
        "," | "=>" => run.unary = 0,
        "<" => run.angle += 1,
        "<<" => run.angle += 2,
        ">" => run.angle = run.angle.saturating_sub(1),
        ">>" => run.angle = run.angle.saturating_sub(2),
        "->" => run.unary += 1,
        "=" | "+=" | "-=" | "*=" | "/=" | "%=" | "^=" | "&=" | "|=" | "<<=" | ">>=" => run.open += 1,
        "|" | "||" if !binary => run.closures += 1,
        "&&" | "||" if binary => {
            // Generic argument lists never contain a binary `&&` or `||`: only comparisons can
            // have left angle counts open.
            run.unary = 0;
            run.angle = 0;
        }
        "!" | "-" | "*" | "&" | "&&" | ".." | "..=" if !binary => run.unary += 1,
        "?" => run.after_operand = true,
        _ if binary && is_binary_operator(op) => run.unary = 0,
        _ => {}
    }
}

/// Joins a punctuation character with the ones glued to it into one operator, as rustc's lexer
/// does for the multi-character operators.
fn glue_operator(
    first: char,
    spacing: Spacing,
    rest: &mut std::iter::Peekable<proc_macro2::token_stream::IntoIter>,
) -> String {
    const OPERATORS: &[&str] = &[
        "<<=", ">>=", "...", "..=", "::", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=",
        "/=", "%=", "^=", "&=", "|=", "<<", ">>", "..",
    ];
    let mut op = first.to_string();
    let mut spacing = spacing;
    while spacing == Spacing::Joint {
        let Some(TokenTree::Punct(next)) = rest.peek() else { break };
        let candidate = format!("{op}{}", next.as_char());
        if !OPERATORS.iter().any(|known| known.starts_with(candidate.as_str())) {
            break;
        }
        spacing = next.spacing();
        op = candidate;
        rest.next();
    }
    op
}

fn is_binary_operator(op: &str) -> bool {
    matches!(
        op,
        "+" | "-"
            | "*"
            | "/"
            | "%"
            | "^"
            | "&"
            | "|"
            | "=="
            | "!="
            | "<="
            | ">="
            | "&&"
            | "||"
            | ".."
            | "..="
    )
}

/// Whether a token after a `{ ... }` group starts a new statement or item, so that everything
/// the group's construct left open has been closed.
fn starts_statement(tree: &TokenTree) -> bool {
    match tree {
        TokenTree::Ident(ident) => !matches!(ident.to_string().as_str(), "else" | "as"),
        TokenTree::Punct(punct) => punct.as_char() == '#',
        _ => false,
    }
}

/// Rust's keywords, other than those that stand for a value (`true`, `self`, `crate`, …): a
/// word after which an operator cannot be binary. Not `fast::grammar::is_ident`, which is
/// syn's whole list of words that are no identifiers (values and reserved words too).
pub(crate) fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "as" | "async"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "static"
            | "struct"
            | "trait"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "yield"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(src: &str) -> Bound {
        nesting_bound(&src.parse().expect("lexes"), 1_000)
    }

    fn depth(src: &str) -> usize {
        match bound(src) {
            Bound::Within(depth) => depth,
            Bound::Over(at) => panic!("over the limit at {at:?}"),
        }
    }

    /// Every shape of input that makes syn recurse once per repetition must count at least
    /// one level per repetition.
    #[test]
    fn recursive_shapes_count_a_level_per_repetition() {
        let n = 40;
        let shapes = [
            ("parentheses", format!("fn f() {{ let x = {}1{}; }}", "(".repeat(n), ")".repeat(n))),
            ("blocks", format!("fn f() {}{}", "{".repeat(n), "}".repeat(n))),
            ("modules", format!("{}{}", "mod a { ".repeat(n), "}".repeat(n))),
            ("negation", format!("fn f() {{ let x = {}1; }}", "!".repeat(n))),
            ("unary minus", format!("fn f() {{ let x = {}1; }}", "- ".repeat(n))),
            ("dereference", format!("fn f() {{ let x = {}p; }}", "*".repeat(n))),
            ("references", format!("struct S {{ a: {}u8 }}", "&'static ".repeat(n))),
            ("double references", format!("struct S {{ a: {}u8 }}", "&&".repeat(n))),
            ("raw pointers", format!("struct S {{ a: {}u8 }}", "*const ".repeat(n))),
            ("generics", format!("struct S {{ a: {}u8{} }}", "Box<".repeat(n), ">".repeat(n))),
            ("generics with commas", format!("struct S {{ a: {}u8{} }}", "R<u8, ".repeat(n), ">".repeat(n))),
            ("fn pointers", format!("type T = {}u8;", "fn() -> ".repeat(n))),
            ("assignments", format!("fn f() {{ {} 1; }}", "a = ".repeat(n))),
            ("assignments of blocks", format!("fn f() {{ x {} ; }}", "= {} ".repeat(n))),
            ("closures", format!("fn f() {{ let c = {} 1; }}", "|x| ".repeat(n))),
            ("closures with commas", format!("fn f() {{ let c = {} 1; }}", "|x, y| ".repeat(n))),
            ("returns", format!("fn f() {{ {} 1 }}", "return ".repeat(n))),
            ("ifs in conditions", format!("fn f() {{ {} a {} }}", "if ".repeat(n), "{} else {}".repeat(n))),
            ("matches", format!("fn f() {{ {} x {} }}", "match ".repeat(n), "{}".repeat(n))),
            ("ranges", format!("fn f() {{ {}1 }}", ".. ".repeat(n))),
        ];
        for (name, src) in shapes {
            assert!(depth(&src) >= n, "{name}: bound {} for {n} levels", depth(&src));
        }
    }

    /// Ordinary code, even large and flat, stays far below the limit.
    #[test]
    fn flat_code_stays_shallow() {
        let n = 2_000;
        let shapes = [
            ("items", "impl A { fn f(&self) -> u8 { 1 } } pub fn g() -> u8 { 2 } ".repeat(n)),
            ("else-if chain", format!("fn f() {{ if a {{}} {} }}", "else if a { x = 1 } ".repeat(n))),
            ("negative numbers", format!("const A: [i8; {n}] = [{}];", "-1, ".repeat(n))),
            ("boolean chain", format!("fn f() -> bool {{ a {} }}", "&& !b ".repeat(n))),
            ("arithmetic", format!("fn f() -> i32 {{ 1 {} }}", "- -2 ".repeat(n))),
            ("statements", "fn f() { let x: Vec<u8> = Vec::new(); x = *y; if a { b } }".repeat(n)),
            ("comparisons", format!("fn f() {{ {} }}", "if a < b {} ".repeat(n))),
            ("match arms", format!("fn f() {{ match x {{ {} }} }}", "A => -1, B => { &x } ".repeat(n))),
        ];
        for (name, src) in shapes {
            assert!(depth(&src) < 30, "{name}: bound {}", depth(&src));
        }
    }

    #[test]
    fn over_the_limit_points_at_the_place() {
        let src = format!("fn f() {{\n    let x = {}1{};\n}}", "(".repeat(50), ")".repeat(50));
        let tokens = src.parse().unwrap();
        let Bound::Over(at) = nesting_bound(&tokens, 20) else { panic!("expected over") };
        assert_eq!(at.line, 2);
    }

    #[test]
    fn a_shebang_line_is_blanked_but_inner_attributes_stay() {
        assert_eq!(strip_preamble("#!/usr/bin/env run\nfn f() {}"), "                  \nfn f() {}");
        assert_eq!(strip_preamble("#![allow(x)]\nfn f() {}"), "#![allow(x)]\nfn f() {}");
        assert_eq!(strip_preamble("\u{feff}fn f() {}"), "fn f() {}");
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let problem = decode("a.rs", b"fn f() {}\n// caf\xe9\n".to_vec()).unwrap_err();
        assert_eq!(problem.location.to_string(), "a.rs:2:7");
        assert_eq!(problem.kind, ProblemKind::NotUtf8);
    }
}
