//! The item-level syntax the token reader understands, recognized on the kept tokens the way
//! syn 3 parses it: attributes, visibility, generics and where clauses, bounds, types, function
//! signatures and `use` trees. Each recognizer takes the position it starts at and gives the
//! position after what it read, or None for anything it does not fully understand: a subset of
//! what syn accepts, never more, so that a file it reads is a file syn parses.
//!
//! Recursion is bounded: [`Range::nested`] refuses to go deeper than [`MAX_DEPTH`] levels.

use super::seq::Seq;
use crate::scan::names::TypeWriter;
use crate::scan::skim::Kind;

/// How deep the recognizers go (groups, types inside types, `use` trees) before giving up.
pub(super) const MAX_DEPTH: usize = 64;

/// Whether `word` is an identifier to syn (`Ident::parse`): not one of its keywords, strict or
/// reserved. Raw identifiers always are. (`lex::is_keyword` is another set: the keywords after
/// which an operator is unary, which leaves out the words that stand for a value.)
pub(super) fn is_ident(word: &str) -> bool {
    !matches!(
        word,
        "_" | "abstract"
            | "as"
            | "async"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "ref"
            | "return"
            | "Self"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
    )
}

/// A stretch of the kept tokens to read: positions before `end`, `depth` groups in.
#[derive(Clone, Copy)]
pub(super) struct Range<'s, 't> {
    pub(super) seq: &'s Seq<'t>,
    pub(super) end: usize,
    depth: usize,
}

/// An attribute `#[path ...]` as the reader sees it: the positions of the first two path
/// segments (the second `usize::MAX` when there is one segment) and how many there are.
#[derive(Clone, Copy, Debug)]
pub(super) struct Attr {
    pub(super) segments: [usize; 2],
    pub(super) count: usize,
}

/// What a type was, as far as its readers care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TypeShape {
    /// A path (no `<T as Trait>::` qualifier): whether it starts with `::`, how many segments
    /// it has, and the position of its last segment's name.
    Path {
        leading_colon: bool,
        segments: usize,
        last: usize,
    },
    /// A path after a `<T as Trait>` qualifier: the position of its last segment's name.
    Qualified {
        last: usize,
    },
    Other,
}

/// A function signature: where its name is and where what follows it starts.
#[derive(Clone, Copy, Debug)]
pub(super) struct Signature {
    pub(super) name: usize,
    pub(super) after: usize,
}

/// What a `use` tree tells the reader, as `extract::Scope::add_tree` reads it.
pub(super) trait UseSink {
    /// `item` of the annotations crate imported as `local`.
    fn import(&mut self, item: &str, local: &str);
    /// The annotations crate imported as `name`.
    fn alias(&mut self, name: &str);
    /// `use <annotations crate>::*`.
    fn glob(&mut self);
}

/// Where a `use` tree is relative to the annotations crate's segment.
#[derive(Clone, Copy, PartialEq, Eq)]
enum UseContext {
    /// At the top: the crate's name may come next.
    Outside,
    /// Below the crate's segment.
    Inside,
    /// Anywhere else: read for syntax only.
    Ignored,
}

impl<'s, 't> Range<'s, 't> {
    /// All the kept tokens.
    pub(super) fn whole(seq: &'s Seq<'t>) -> Range<'s, 't> {
        Range { seq, end: seq.len(), depth: 0 }
    }

    /// The inside of the group opened at `open`, one level deeper; None when too deep.
    pub(super) fn nested(&self, open: usize) -> Option<Range<'s, 't>> {
        (self.depth < MAX_DEPTH).then(|| Range {
            seq: self.seq,
            end: self.seq.closing(open),
            depth: self.depth + 1,
        })
    }

    /// The same stretch, one level deeper (for recursion that is not into a group).
    pub(super) fn deeper(&self) -> Option<Range<'s, 't>> {
        (self.depth < MAX_DEPTH).then(|| Range { depth: self.depth + 1, ..*self })
    }

    pub(super) fn kind(&self, at: usize) -> Option<Kind> {
        if at < self.end { self.seq.kind(at) } else { None }
    }

    pub(super) fn word(&self, at: usize) -> Option<&'t str> {
        if at < self.end { self.seq.word(at) } else { None }
    }

    pub(super) fn is_word(&self, at: usize, word: &str) -> bool {
        self.word(at) == Some(word)
    }

    /// A word syn takes as an identifier.
    pub(super) fn is_ident(&self, at: usize) -> bool {
        self.word(at).is_some_and(is_ident)
    }

    pub(super) fn is_punct(&self, at: usize, byte: u8) -> bool {
        self.kind(at) == Some(Kind::Punct(byte))
    }

    pub(super) fn is_open(&self, at: usize, byte: u8) -> bool {
        self.kind(at) == Some(Kind::Open(byte))
    }

    fn is_lifetime(&self, at: usize) -> bool {
        self.kind(at) == Some(Kind::Lifetime)
    }

    fn is_literal(&self, at: usize) -> bool {
        self.kind(at) == Some(Kind::Literal)
    }

    /// A string literal (what syn's `LitStr` peeks).
    fn is_string(&self, at: usize) -> bool {
        self.is_literal(at) && matches!(self.seq.text_of(at).as_bytes()[0], b'"' | b'r')
    }

    /// Whether the two-character operator `a` `b` is at `at` (joint, as syn peeks it).
    pub(super) fn op2(&self, at: usize, a: u8, b: u8) -> bool {
        self.is_punct(at, a) && self.is_punct(at + 1, b) && self.seq.joint(at)
    }

    /// `::` at `at`.
    pub(super) fn colons(&self, at: usize) -> bool {
        self.op2(at, b':', b':')
    }

    /// A single `:` at `at`, not the start of `::`.
    fn colon(&self, at: usize) -> bool {
        self.is_punct(at, b':') && !self.colons(at)
    }

    /// The position after the group opened at `at`.
    pub(super) fn after_group(&self, at: usize) -> usize {
        self.seq.closing(at) + 1
    }

    /// The outer attributes from `at`, checked; the position after them. Inner attributes and
    /// inner doc comments are not understood.
    pub(super) fn attrs(&self, mut at: usize) -> Option<usize> {
        loop {
            match self.kind(at) {
                Some(Kind::Doc) => at += 1,
                Some(Kind::Punct(b'#')) if self.is_open(at + 1, b'[') => {
                    self.nested(at + 1)?.meta(at + 2)?;
                    at = self.after_group(at + 1);
                }
                Some(Kind::InnerDoc) => return None,
                _ => return Some(at),
            }
        }
    }

    /// Skips outer attributes already read by [`Range::attrs`].
    pub(super) fn skip_attrs(&self, mut at: usize) -> usize {
        loop {
            match self.kind(at) {
                Some(Kind::Doc) => at += 1,
                Some(Kind::Punct(b'#')) if self.is_open(at + 1, b'[') => at = self.after_group(at + 1),
                _ => return at,
            }
        }
    }

    /// One bound from `at` (see [`Range::bound`]); the position after it.
    pub(super) fn bound_at(&self, at: usize) -> Option<usize> {
        self.bound(at).map(|(at, _)| at)
    }

    /// The inside of `#[...]` from `at` (this range ending at the `]`): a path, then nothing,
    /// a delimited group, or `= literal`.
    pub(super) fn meta(&self, at: usize) -> Option<Attr> {
        let (segments, count, at) = if self.is_word(at, "unsafe") {
            ([at, usize::MAX], 1, at + 1)
        } else {
            let first = if self.colons(at) { at + 2 } else { at };
            let after = self.mod_style_path(at)?;
            // Each segment is a word, then `::` before the next: three tokens apart.
            let count = (after - first).div_ceil(3);
            ([first, if count > 1 { first + 3 } else { usize::MAX }], count, after)
        };
        let rest_ok = match self.kind(at) {
            None => true,
            Some(Kind::Open(_)) => self.after_group(at) == self.end,
            Some(Kind::Punct(b'=')) if !(self.op2(at, b'=', b'=') || self.op2(at, b'=', b'>')) => {
                (self.is_literal(at + 1) || self.is_word(at + 1, "true") || self.is_word(at + 1, "false"))
                    && at + 2 == self.end
            }
            _ => false,
        };
        rest_ok.then_some(Attr { segments, count })
    }

    /// A visibility, if any, from `at`: `pub`, `pub(crate)`, `pub(self)`, `pub(super)`.
    /// Whether there was one, and the position after it.
    pub(super) fn visibility(&self, at: usize) -> Option<(bool, usize)> {
        if !self.is_word(at, "pub") {
            return Some((false, at));
        }
        if self.is_open(at + 1, b'(') {
            let inside = self.nested(at + 1)?;
            let first = at + 2;
            if matches!(inside.word(first), Some("crate" | "self" | "super")) && first + 1 == inside.end {
                return Some((true, self.after_group(at + 1)));
            }
            if inside.is_word(first, "in") {
                return None;
            }
        }
        Some((true, at + 1))
    }

    /// Elements separated by commas, a trailing one allowed, filling the range from `at`, each
    /// read by `element` from where it starts to the position after it.
    pub(super) fn fill_separated(
        &self,
        mut at: usize,
        mut element: impl FnMut(usize) -> Option<usize>,
    ) -> Option<()> {
        while at < self.end {
            at = element(at)?;
            if at >= self.end {
                break;
            }
            if !self.is_punct(at, b',') {
                return None;
            }
            at += 1;
        }
        Some(())
    }

    /// Elements separated by commas, a trailing one allowed, from `at` to the punctuation
    /// `close`, each read by `element`: the position of `close`.
    pub(super) fn separated_until(
        &self,
        mut at: usize,
        close: u8,
        mut element: impl FnMut(usize) -> Option<usize>,
    ) -> Option<usize> {
        while !self.is_punct(at, close) {
            at = element(at)?;
            if self.is_punct(at, close) {
                break;
            }
            if !self.is_punct(at, b',') {
                return None;
            }
            at += 1;
        }
        Some(at)
    }

    /// Lifetimes joined by `+` from `at` (`'a + 'b`), none at all too, until the end or a
    /// position `stops` at: the position after them.
    fn lifetime_bounds(&self, mut at: usize, stops: impl Fn(usize) -> bool) -> Option<usize> {
        while at < self.end && !stops(at) {
            if !self.is_lifetime(at) {
                return None;
            }
            at += 1;
            if !self.is_punct(at, b'+') {
                break;
            }
            at += 1;
        }
        Some(at)
    }

    /// Generic parameters from `at`, if any: lifetimes and type parameters with bounds and
    /// defaults.
    pub(super) fn generics(&self, at: usize) -> Option<usize> {
        if !self.is_punct(at, b'<') {
            return Some(at);
        }
        let mut at = at + 1;
        loop {
            if self.is_punct(at, b'>') {
                break;
            }
            if self.is_lifetime(at) {
                at += 1;
                if self.is_punct(at, b':') {
                    at = self
                        .lifetime_bounds(at + 1, |at| self.is_punct(at, b',') || self.is_punct(at, b'>'))?;
                }
            } else if self.is_ident(at) {
                at += 1;
                if self.is_punct(at, b':') {
                    at = self.bounds_until(at + 1, b",>=")?;
                }
                if self.is_punct(at, b'=') {
                    at = self.ty(at + 1, true)?.0;
                }
            } else if self.is_word(at, "const") && self.is_ident(at + 1) && self.is_punct(at + 2, b':') {
                at = self.ty(at + 3, true)?.0;
                if self.is_punct(at, b'=') {
                    if !(self.is_literal(at + 1) || self.is_ident(at + 1)) {
                        return None;
                    }
                    at += 2;
                }
            } else {
                return None;
            }
            if self.is_punct(at, b'>') {
                break;
            }
            if !self.is_punct(at, b',') {
                return None;
            }
            at += 1;
        }
        Some(at + 1)
    }

    /// Bounds joined by `+` from `at`, up to one of `stops` (or the end): type parameters and
    /// associated type constraints.
    fn bounds_until(&self, mut at: usize, stops: &[u8]) -> Option<usize> {
        loop {
            if at >= self.end || stops.iter().any(|&stop| self.is_punct(at, stop)) {
                return Some(at);
            }
            at = self.bound(at)?.0;
            if !self.is_punct(at, b'+') {
                return Some(at);
            }
            at += 1;
        }
    }

    /// A `where` clause from `at`, if any.
    pub(super) fn where_clause(&self, at: usize) -> Option<usize> {
        if !self.is_word(at, "where") {
            return Some(at);
        }
        let mut at = at + 1;
        if self.is_punct(at, b'<') {
            return None;
        }
        loop {
            if at >= self.end
                || self.is_open(at, b'{')
                || self.is_punct(at, b',')
                || self.is_punct(at, b';')
                || self.colon(at)
                || self.is_punct(at, b'=')
            {
                return Some(at);
            }
            if self.is_lifetime(at) && self.is_punct(at + 1, b':') {
                at = self.lifetime_bounds(at + 2, |at| {
                    self.is_open(at, b'{')
                        || self.is_punct(at, b',')
                        || self.is_punct(at, b';')
                        || self.is_punct(at, b':')
                        || self.is_punct(at, b'=')
                })?;
            } else {
                if self.kind(at) == Some(Kind::Punct(b'#')) {
                    return None;
                }
                at = self.ty(self.bound_lifetimes(at)?, true)?.0;
                if !self.is_punct(at, b':') {
                    return None;
                }
                at += 1;
                loop {
                    if at >= self.end
                        || self.is_open(at, b'{')
                        || self.is_punct(at, b',')
                        || self.is_punct(at, b';')
                        || self.colon(at)
                        || self.is_punct(at, b'=')
                    {
                        break;
                    }
                    at = self.bound(at)?.0;
                    if !self.is_punct(at, b'+') {
                        break;
                    }
                    at += 1;
                }
            }
            if !self.is_punct(at, b',') {
                return Some(at);
            }
            at += 1;
        }
    }

    /// One bound from `at`: a lifetime, or a trait (`?Sized`, `Fn(u8) -> u8`, paths with
    /// generic arguments). The position after it, and whether it is a trait.
    fn bound(&self, at: usize) -> Option<(usize, bool)> {
        if self.is_lifetime(at) {
            return Some((at + 1, false));
        }
        let start = at;
        let mut at = self.bound_lifetimes(at)?;
        if self.is_punct(at, b'?') {
            // syn refuses `?` with `for<...>`, before or after it.
            if at != start || self.is_word(at + 1, "for") {
                return None;
            }
            at += 1;
        }
        if !(self.word(at).is_some_and(|word| word != "for" && word != "use" && word != "const")
            || self.colons(at))
        {
            return None;
        }
        let (mut at, _, last_has_args) = self.path(at)?;
        let parenthesized = if self.is_open(at, b'(') {
            Some(at)
        } else if self.colons(at) && self.is_open(at + 2, b'(') {
            Some(at + 2)
        } else {
            None
        };
        if let Some(open) = parenthesized.filter(|_| !last_has_args) {
            let inside = self.nested(open)?;
            inside.types_separated(open + 1)?;
            at = self.return_type(self.after_group(open), false)?;
        }
        Some((at, true))
    }

    /// `for<'a, 'b>` from `at`, if there: plain lifetimes only.
    fn bound_lifetimes(&self, at: usize) -> Option<usize> {
        if !self.is_word(at, "for") {
            return Some(at);
        }
        if !self.is_punct(at + 1, b'<') {
            return None;
        }
        let close = self.separated_until(at + 2, b'>', |at| self.is_lifetime(at).then_some(at + 1))?;
        Some(close + 1)
    }

    /// Types separated by commas, a trailing one allowed, filling the whole range from `at`.
    fn types_separated(&self, at: usize) -> Option<()> {
        self.fill_separated(at, |at| Some(self.ty(at, true)?.0))
    }

    /// `-> Type` from `at`, if there.
    pub(super) fn return_type(&self, at: usize, plus: bool) -> Option<usize> {
        if self.op2(at, b'-', b'>') { self.deeper()?.ty(at + 2, plus).map(|(at, _)| at) } else { Some(at) }
    }

    /// Bounds after `dyn` or `impl` from `at`: joined by `+` when `plus`, at least one trait.
    fn object_bounds(&self, mut at: usize, plus: bool, allow_const: bool) -> Option<usize> {
        let mut any_trait = false;
        loop {
            let (after, is_trait) = self.bound(at)?;
            any_trait |= is_trait;
            at = after;
            if !(plus && self.is_punct(at, b'+')) {
                break;
            }
            at += 1;
            let continues = self.word(at).is_some()
                || self.colons(at)
                || self.is_punct(at, b'?')
                || self.is_lifetime(at)
                || self.is_open(at, b'(')
                || (allow_const && (self.is_open(at, b'[') || self.is_word(at, "const")));
            if !continues {
                break;
            }
        }
        any_trait.then_some(at)
    }

    /// A path in type position from `at` (`::`, then segments with generic arguments): the
    /// position after it, its shape, and whether its last segment has generic arguments.
    fn path(&self, at: usize) -> Option<(usize, TypeShape, bool)> {
        let leading_colon = self.colons(at);
        let mut at = if leading_colon { at + 2 } else { at };
        let (mut after, mut has_args) = self.segment(at)?;
        let mut segments = 1;
        while self.colons(after) && !self.is_open(after + 2, b'(') {
            at = after + 2;
            (after, has_args) = self.segment(at)?;
            segments += 1;
        }
        Some((after, TypeShape::Path { leading_colon, segments, last: at }, has_args))
    }

    /// One path segment from `at`: the position after it, and whether it has generic
    /// arguments.
    fn segment(&self, at: usize) -> Option<(usize, bool)> {
        let word = self.word(at)?;
        if matches!(word, "super" | "self" | "crate" | "try") {
            return Some((at + 1, false));
        }
        if !(word == "Self" || is_ident(word)) {
            return None;
        }
        let next = at + 1;
        let angle = self.is_punct(next, b'<')
            && !self.op2(next, b'<', b'=')
            && !(self.op2(next, b'<', b'<') && self.op2(next + 1, b'<', b'='));
        if angle {
            Some((self.deeper()?.generic_arguments(next)?, true))
        } else if self.colons(next) && self.is_punct(next + 2, b'<') {
            Some((self.deeper()?.generic_arguments(next + 2)?, true))
        } else {
            Some((next, false))
        }
    }

    /// `<...>` generic arguments from the `<` at `at`.
    pub(super) fn generic_arguments(&self, at: usize) -> Option<usize> {
        Some(self.separated_until(at + 1, b'>', |at| self.generic_arg(at))? + 1)
    }

    /// One generic argument: a lifetime, a literal, a type, `Name = Type` or `Name: Bounds`.
    fn generic_arg(&self, at: usize) -> Option<usize> {
        if self.is_lifetime(at) && !self.is_punct(at + 1, b'+') {
            return Some(at + 1);
        }
        if self.is_literal(at) || self.is_word(at, "true") || self.is_word(at, "false") {
            return Some(at + 1);
        }
        if self.is_open(at, b'{') {
            return None;
        }
        let (after, shape) = self.ty(at, true)?;
        let simple = matches!(shape, TypeShape::Path { leading_colon: false, segments: 1, .. });
        if simple && self.is_punct(after, b'=') {
            if self.is_literal(after + 1) {
                return Some(after + 2);
            }
            return self.ty(after + 1, true).map(|(at, _)| at);
        }
        if simple && self.is_punct(after, b':') {
            return self.bounds_until(after + 1, b",>");
        }
        Some(after)
    }

    /// A type from `at`; `plus` where `A + B` may be read as one type. The position after it
    /// and its shape.
    pub(super) fn ty(&self, at: usize, plus: bool) -> Option<(usize, TypeShape)> {
        let this = self.deeper()?;
        match self.kind(at)? {
            Kind::Open(b'(') => {
                let inside = this.nested(at)?;
                let close = inside.end;
                let first = at + 1;
                if first < close {
                    if inside.is_lifetime(first) || inside.is_punct(first, b'?') {
                        return None;
                    }
                    let after = inside.ty(first, true)?.0;
                    if after != close {
                        if !inside.is_punct(after, b',') {
                            return None;
                        }
                        inside.types_separated(after + 1)?;
                    }
                }
                if plus && self.is_punct(close + 1, b'+') {
                    return None;
                }
                Some((close + 1, TypeShape::Other))
            }
            Kind::Open(b'[') => {
                let inside = this.nested(at)?;
                let after = inside.ty(at + 1, true)?.0;
                if after != inside.end && !(inside.is_punct(after, b';') && inside.length(after + 1)) {
                    return None;
                }
                Some((inside.end + 1, TypeShape::Other))
            }
            Kind::Punct(b'*') if matches!(self.word(at + 1), Some("const" | "mut")) => {
                this.ty(at + 2, false).map(|(at, _)| (at, TypeShape::Other))
            }
            Kind::Punct(b'&') => {
                let mut at = at + 1;
                if self.is_lifetime(at) {
                    at += 1;
                }
                if self.is_word(at, "mut") {
                    at += 1;
                }
                this.ty(at, false).map(|(at, _)| (at, TypeShape::Other))
            }
            Kind::Punct(b'!') => Some((at + 1, TypeShape::Other)),
            Kind::Punct(b':') if self.colons(at) => this.type_path(at, plus),
            Kind::Punct(b'<') => this.qualified_path(at),
            Kind::Word => match self.seq.text_of(at) {
                "fn" | "unsafe" | "extern" => this.bare_fn(at).map(|at| (at, TypeShape::Other)),
                "dyn" if !self.is_punct(at + 1, b'*') => {
                    this.object_bounds(at + 1, plus, false).map(|at| (at, TypeShape::Other))
                }
                "impl" => this.object_bounds(at + 1, plus, true).map(|at| (at, TypeShape::Other)),
                "_" => Some((at + 1, TypeShape::Other)),
                word if is_ident(word) || matches!(word, "super" | "self" | "Self" | "crate") => {
                    this.type_path(at, plus)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// A path type from `at` (no macro, no bare trait object).
    fn type_path(&self, at: usize, plus: bool) -> Option<(usize, TypeShape)> {
        let (after, shape, _) = self.path(at)?;
        if self.is_punct(after, b'!') || (plus && self.is_punct(after, b'+')) {
            return None;
        }
        Some((after, shape))
    }

    /// A qualified path type from the `<` at `at`: `<T as Trait>::Name`, `<T>::Name`.
    fn qualified_path(&self, at: usize) -> Option<(usize, TypeShape)> {
        let mut at = self.ty(at + 1, true)?.0;
        if self.is_word(at, "as") {
            at = self.path(at + 1)?.0;
        }
        if !self.is_punct(at, b'>') || !self.colons(at + 1) {
            return None;
        }
        at += 3;
        loop {
            let last = at;
            at = self.segment(at)?.0;
            if !self.colons(at) {
                return Some((at, TypeShape::Qualified { last }));
            }
            at += 2;
        }
    }

    /// Whether an array length from `at` fills the range: a literal, or a path of names.
    fn length(&self, at: usize) -> bool {
        if self.is_literal(at) {
            return at + 1 == self.end;
        }
        let mut at = at;
        loop {
            if !self.is_ident(at) {
                return false;
            }
            at += 1;
            if at == self.end {
                return true;
            }
            if !self.colons(at) {
                return false;
            }
            at += 2;
        }
    }

    /// A function pointer type from `at`: `unsafe extern "C" fn(u8, name: u16) -> u8`.
    fn bare_fn(&self, mut at: usize) -> Option<usize> {
        if self.is_word(at, "unsafe") {
            if self.is_punct(at + 1, b'<') {
                return None;
            }
            at += 1;
        }
        if self.is_word(at, "extern") {
            at += 1;
            if self.is_string(at) {
                at += 1;
            }
        }
        if !self.is_word(at, "fn") || !self.is_open(at + 1, b'(') {
            return None;
        }
        let open = at + 1;
        let inside = self.nested(open)?;
        let mut arg = open + 1;
        while arg < inside.end {
            if matches!(inside.kind(arg), Some(Kind::Punct(b'#' | b'.') | Kind::Doc)) {
                return None;
            }
            if (inside.is_ident(arg) || inside.is_word(arg, "_")) && inside.colon(arg + 1) {
                arg += 2;
                if inside.is_punct(arg, b'.') {
                    return None;
                }
            } else if inside.is_word(arg, "mut") || inside.is_word(arg, "self") {
                return None;
            }
            arg = inside.ty(arg, true)?.0;
            if arg >= inside.end {
                break;
            }
            if !inside.is_punct(arg, b',') {
                return None;
            }
            arg += 1;
        }
        self.return_type(self.after_group(open), false)
    }

    /// A function signature from `at`: `const async unsafe extern "C" fn name<...>(...) -> T
    /// where ...`, each qualifier optional.
    pub(super) fn signature(&self, mut at: usize) -> Option<Signature> {
        for qualifier in ["const", "async", "unsafe"] {
            if self.is_word(at, qualifier) {
                at += 1;
            }
        }
        if self.is_word(at, "extern") {
            at += 1;
            if self.is_string(at) {
                at += 1;
            }
        }
        if !self.is_word(at, "fn") || !self.is_ident(at + 1) {
            return None;
        }
        let name = at + 1;
        let open = self.generics(name + 1)?;
        if !self.is_open(open, b'(') {
            return None;
        }
        self.nested(open)?.parameters(open + 1)?;
        let after = self.return_type(self.after_group(open), true)?;
        let after = self.where_clause(after)?;
        Some(Signature { name, after })
    }

    /// Function parameters filling the range from `at`: a receiver first (`self`, `&self`,
    /// `&'a mut self`, `mut self`, `self: Type`), then `name: Type` and `_: Type`.
    fn parameters(&self, at: usize) -> Option<()> {
        let mut first = true;
        self.fill_separated(at, |at| {
            if matches!(self.kind(at), Some(Kind::Punct(b'#' | b'.') | Kind::Doc)) {
                return None;
            }
            let after = match self.receiver(at) {
                Some(after) if first => after,
                Some(_) => return None,
                None => {
                    if self.is_ident(at) && self.is_punct(at + 1, b'<') {
                        return None;
                    }
                    let pattern_end = self.parameter_pattern(at)?;
                    if !self.colon(pattern_end) || self.is_punct(pattern_end + 1, b'.') {
                        return None;
                    }
                    self.ty(pattern_end + 1, true)?.0
                }
            };
            first = false;
            Some(after)
        })
    }

    /// A method receiver from `at`, if there is one.
    fn receiver(&self, at: usize) -> Option<usize> {
        let mut at = at;
        let reference = self.is_punct(at, b'&');
        if reference {
            at += 1;
            if self.is_lifetime(at) {
                at += 1;
            }
        }
        if self.is_word(at, "mut") {
            at += 1;
        }
        if !self.is_word(at, "self") || self.colons(at + 1) {
            return None;
        }
        at += 1;
        if !reference && self.is_punct(at, b':') {
            return self.ty(at + 1, true).map(|(at, _)| at);
        }
        Some(at)
    }

    /// A parameter's pattern from `at`: `name`, `mut name` or `_`.
    fn parameter_pattern(&self, at: usize) -> Option<usize> {
        if self.is_word(at, "_") {
            return Some(at + 1);
        }
        let at = if self.is_word(at, "mut") { at + 1 } else { at };
        if !self.is_ident(at) {
            return None;
        }
        let next = at + 1;
        let path_like = self.colons(next)
            || self.is_punct(next, b'!')
            || self.is_open(next, b'{')
            || self.is_open(next, b'(')
            || self.is_punct(next, b'.')
            || self.is_punct(next, b'@');
        (!path_like).then_some(next)
    }

    /// A `use` tree from `at` (after `use` and any `::`), telling `sink` what it imports from
    /// `annotations_crate`.
    pub(super) fn use_tree(
        &self,
        at: usize,
        annotations_crate: &str,
        sink: &mut dyn UseSink,
    ) -> Option<usize> {
        self.use_subtree(at, UseContext::Outside, annotations_crate, sink)
    }

    fn use_subtree(
        &self,
        at: usize,
        context: UseContext,
        annotations_crate: &str,
        sink: &mut dyn UseSink,
    ) -> Option<usize> {
        let this = self.deeper()?;
        match self.kind(at)? {
            Kind::Word => {
                let word = self.seq.text_of(at);
                if !(is_ident(word) || matches!(word, "self" | "super" | "crate" | "try")) {
                    return None;
                }
                let is_crate = word == annotations_crate;
                if self.colons(at + 1) {
                    let below = match context {
                        UseContext::Outside if is_crate => UseContext::Inside,
                        _ => UseContext::Ignored,
                    };
                    return this.use_subtree(at + 3, below, annotations_crate, sink);
                }
                let (local, after) = if self.is_word(at + 1, "as") {
                    let rename = self.word(at + 2).filter(|rename| is_ident(rename) || *rename == "_")?;
                    (rename, at + 3)
                } else {
                    (word, at + 1)
                };
                match context {
                    UseContext::Inside => sink.import(word, local),
                    UseContext::Outside if is_crate => sink.alias(local),
                    _ => {}
                }
                Some(after)
            }
            Kind::Punct(b'*') => {
                if context == UseContext::Inside {
                    sink.glob();
                }
                Some(at + 1)
            }
            Kind::Open(b'{') => {
                let inside = this.nested(at)?;
                let mut item = at + 1;
                while item < inside.end {
                    if inside.colons(item) {
                        return None;
                    }
                    item = inside.use_subtree(item, context, annotations_crate, sink)?;
                    if item >= inside.end {
                        break;
                    }
                    if !inside.is_punct(item, b',') {
                        return None;
                    }
                    item += 1;
                }
                Some(inside.end + 1)
            }
            _ => None,
        }
    }

    /// A path of plain segments from `at` (`Path::parse_mod_style`): the position after it.
    pub(super) fn mod_style_path(&self, mut at: usize) -> Option<usize> {
        if self.colons(at) {
            at += 2;
        }
        loop {
            let word = self.word(at)?;
            if !(is_ident(word) || matches!(word, "super" | "self" | "Self" | "crate")) {
                return None;
            }
            at += 1;
            if !self.colons(at) {
                return Some(at);
            }
            at += 2;
        }
    }

    /// A macro invocation in item position from `at` (after attributes, no visibility):
    /// `path! name? (...)` with `;` unless braced.
    pub(super) fn item_macro(&self, at: usize) -> Option<usize> {
        let mut at = self.mod_style_path(at)?;
        if !self.is_punct(at, b'!') {
            return None;
        }
        at += 1;
        if self.is_ident(at) || self.is_word(at, "try") {
            at += 1;
        }
        match self.kind(at)? {
            Kind::Open(b'{') => Some(self.after_group(at)),
            Kind::Open(_) => {
                let after = self.after_group(at);
                self.is_punct(after, b';').then_some(after + 1)
            }
            _ => None,
        }
    }
}

/// Writes the tokens `start..end` of a type the way `names::type_to_string` writes the type
/// syn parses from them: syn prints every operator as its own token (only `::` and `->` are
/// two characters in a type), which decides the spaces.
pub(super) fn type_text(seq: &Seq<'_>, start: usize, end: usize) -> String {
    let mut writer = TypeWriter::new();
    let mut at = start;
    while at < end {
        let token = seq.token(at);
        let text = seq.text_of(at);
        match token.kind {
            Kind::Word => writer.word(text, false),
            Kind::Literal => writer.word(text, true),
            // syn's tokens of a lifetime: `'` joint to the name.
            Kind::Lifetime => {
                writer.operator("'");
                writer.word(&text[1..], false);
            }
            Kind::Open(byte) => writer.open(if byte == b'{' { "{ " } else { &text[..1] }),
            Kind::Close(byte) => writer.close(if byte == b'}' { " }" } else { text }),
            Kind::Punct(byte) => {
                let two = (byte == b':' && seq.kind(at + 1) == Some(Kind::Punct(b':')) && seq.joint(at))
                    || (byte == b'-' && seq.kind(at + 1) == Some(Kind::Punct(b'>')) && seq.joint(at));
                if two {
                    writer.operator(&seq.text[token.start()..token.end() + 1]);
                    at += 1;
                } else {
                    writer.operator(text);
                }
            }
            Kind::Doc | Kind::InnerDoc | Kind::Unlexable => {}
        }
        at += 1;
    }
    writer.finish()
}
