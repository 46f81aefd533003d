//! Function bodies checked on the kept tokens the way syn 3 parses a block: statements, `let`,
//! expressions by syn's precedence climbing (`parse_expr`, `parse_binop_rhs`, the trailers of
//! calls, fields, methods, indexes and `?`), closures, `if`, `match`, loops, struct literals,
//! macro calls (whose insides syn does not read either) and patterns. What it accepts syn
//! accepts; everything else — attributes, items, labels, ranges, `async` blocks, slice patterns
//! and more — makes it answer None, and syn parses that body.

use super::grammar::{Range, is_ident};
use crate::scan::skim::Kind;

/// Binding strength, in syn's order (`syn::precedence::Precedence`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Precedence {
    Jump,
    Assign,
    Range,
    Or,
    And,
    Compare,
    BitOr,
    BitXor,
    BitAnd,
    Shift,
    Sum,
    Product,
    Cast,
}

/// What an expression is, as far as what may follow it depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// `if`, `match`, loops, blocks: a statement without `;`, a match arm without `,`.
    BlockLike,
    /// A macro call, braced or not.
    Macro { brace: bool },
    /// A binary operation; whether its operator compares.
    Binary { compare: bool },
    /// Anything else.
    Other,
}

impl Shape {
    /// syn's `classify::requires_semi_to_be_stmt`.
    fn needs_semicolon(self) -> bool {
        match self {
            Shape::Macro { brace } => !brace,
            Shape::BlockLike => false,
            _ => true,
        }
    }

    /// syn's `classify::requires_comma_to_be_match_arm`.
    fn needs_comma(self) -> bool {
        self != Shape::BlockLike
    }
}

/// Words that start an item where syn expects a statement (or that the checker leaves alone).
fn starts_item(word: &str) -> bool {
    matches!(
        word,
        "pub"
            | "extern"
            | "use"
            | "static"
            | "const"
            | "async"
            | "fn"
            | "mod"
            | "type"
            | "struct"
            | "enum"
            | "union"
            | "auto"
            | "trait"
            | "default"
            | "impl"
            | "macro"
    )
}

impl Range<'_, '_> {
    /// Whether syn parses the block whose `{` is at `open` (no inner attributes, statements),
    /// as far as the checker can vouch: None where it cannot.
    pub(super) fn block(&self, open: usize) -> Option<()> {
        if !self.is_open(open, b'{') {
            return None;
        }
        self.nested(open)?.statements(open + 1)
    }

    /// Statements filling the range from `at`: `Block::parse_within`.
    fn statements(&self, mut at: usize) -> Option<()> {
        loop {
            while self.is_punct(at, b';') {
                at += 1;
            }
            if at >= self.end {
                return Some(());
            }
            let (after, needs_semicolon) = self.statement(at)?;
            at = after;
            if at >= self.end {
                return Some(());
            }
            if needs_semicolon {
                return None;
            }
        }
    }

    /// One statement from `at`: the position after it, and whether it would need a `;` to be
    /// followed by another.
    fn statement(&self, at: usize) -> Option<(usize, bool)> {
        if !matches!(
            self.kind(at)?,
            Kind::Word | Kind::Literal | Kind::Lifetime | Kind::Open(_) | Kind::Punct(_)
        ) {
            return None;
        }
        if self.is_punct(at, b'#') {
            return None;
        }
        // A macro call by a plain path: braced, it is a statement of its own.
        if let Some(bang) = self.mod_style_path(at)
            && self.is_punct(bang, b'!')
        {
            let next = bang + 1;
            if self.is_ident(next) || self.is_word(next, "try") {
                return None;
            }
            if self.is_open(next, b'{') {
                let after = self.after_group(next);
                let trailer = (self.is_punct(after, b'.') && !self.op2(after, b'.', b'.'))
                    || self.is_punct(after, b'?');
                if !trailer {
                    let after = if self.is_punct(after, b';') { after + 1 } else { after };
                    return Some((after, false));
                }
            }
        }
        if let Some(word) = self.word(at) {
            if word == "let" {
                return self.local(at).map(|after| (after, false));
            }
            if starts_item(word)
                || (word == "crate" && !self.colons(at + 1))
                || (word == "unsafe" && !self.is_open(at + 1, b'{'))
            {
                return None;
            }
        }
        let (after, shape) = self.early_expr(at)?;
        if self.is_punct(after, b';') {
            return Some((after + 1, false));
        }
        Some((after, shape.needs_semicolon()))
    }

    /// `let pattern: Type = expression;` from its `let` at `at` (no `else`).
    fn local(&self, at: usize) -> Option<usize> {
        let mut at = self.pattern(at + 1)?;
        if self.is_punct(at, b':') {
            at = self.ty(at + 1, true)?.0;
        }
        if self.is_punct(at, b'=') {
            at = self.expr(at + 1, true)?.0;
            if self.is_word(at, "else") {
                return None;
            }
        }
        self.is_punct(at, b';').then_some(at + 1)
    }

    /// An expression at the head of a statement or a match arm's body, where a block-like one
    /// ends at its closing brace: `Expr::parse_with_earlier_boundary_rule`.
    fn early_expr(&self, at: usize) -> Option<(usize, Shape)> {
        let this = self.deeper()?;
        let (after, shape) = match this.block_like(at) {
            Some(after) => (after?, Shape::BlockLike),
            None => this.unary(at, true)?,
        };
        if shape != Shape::BlockLike {
            return this.binary(after, shape, true, Precedence::Jump);
        }
        if (self.is_punct(after, b'.') && !self.op2(after, b'.', b'.')) || self.is_punct(after, b'?') {
            let (after, shape) = this.trailers(after, Shape::BlockLike)?;
            return this.binary(after, shape, true, Precedence::Jump);
        }
        Some((after, Shape::BlockLike))
    }

    /// A block-like expression from `at`, if one starts there: `if`, `while`, `for`, `loop`,
    /// `match`, `unsafe { }`, `{ }`. The inner option is None where it is not understood.
    #[allow(clippy::option_option)]
    fn block_like(&self, at: usize) -> Option<Option<usize>> {
        let starts = match self.kind(at)? {
            Kind::Open(b'{') | Kind::Lifetime => true,
            Kind::Word => match self.seq.text_of(at) {
                "if" | "while" | "for" | "loop" | "match" | "unsafe" => true,
                "try" | "const" | "async" => self.is_open(at + 1, b'{'),
                _ => false,
            },
            _ => false,
        };
        starts.then(|| self.block_like_at(at))
    }

    /// The block-like expression at `at`, where [`Range::block_like`] says one starts.
    fn block_like_at(&self, at: usize) -> Option<usize> {
        if self.is_open(at, b'{') {
            self.block(at)?;
            return Some(self.after_group(at));
        }
        let open = match self.word(at)? {
            "if" => return self.if_expr(at),
            "match" => return self.match_expr(at),
            "while" => self.expr(at + 1, false)?.0,
            "for" => {
                if self.is_punct(at + 1, b'<') {
                    return None;
                }
                let after_pattern = self.multi_pattern(at + 1, false)?;
                if !self.is_word(after_pattern, "in") {
                    return None;
                }
                self.expr(after_pattern + 1, false)?.0
            }
            "loop" | "unsafe" => at + 1,
            // Labels, `try`, `const` and `async` blocks.
            _ => return None,
        };
        self.block(open)?;
        Some(self.after_group(open))
    }

    /// `if cond { } else if cond { } else { }` from its `if` at `at`.
    fn if_expr(&self, mut at: usize) -> Option<usize> {
        loop {
            let open = self.expr(at + 1, false)?.0;
            self.block(open)?;
            let after = self.after_group(open);
            if !self.is_word(after, "else") {
                return Some(after);
            }
            if self.is_word(after + 1, "if") {
                at = after + 1;
            } else {
                self.block(after + 1)?;
                return Some(self.after_group(after + 1));
            }
        }
    }

    /// `match scrutinee { pattern if guard => body, ... }` from its `match` at `at`.
    fn match_expr(&self, at: usize) -> Option<usize> {
        let open = self.expr(at + 1, false)?.0;
        if !self.is_open(open, b'{') {
            return None;
        }
        let arms = self.nested(open)?;
        let mut arm = open + 1;
        while arm < arms.end {
            if matches!(arms.kind(arm), Some(Kind::Punct(b'#') | Kind::Doc | Kind::InnerDoc)) {
                return None;
            }
            let mut next = arms.multi_pattern(arm, true)?;
            if arms.is_word(next, "if") {
                next = arms.expr(next + 1, true)?.0;
            }
            if !arms.op2(next, b'=', b'>') {
                return None;
            }
            let (after, shape) = arms.early_expr(next + 2)?;
            arm = if arms.is_punct(after, b',') {
                after + 1
            } else if shape.needs_comma() && after < arms.end {
                return None;
            } else {
                after
            };
        }
        Some(arms.end + 1)
    }

    /// An expression from `at`: `ambiguous_expr`, with struct literals allowed or not
    /// (`allow_struct`, false in conditions).
    fn expr(&self, at: usize, allow_struct: bool) -> Option<(usize, Shape)> {
        let this = self.deeper()?;
        let (after, shape) = this.unary(at, allow_struct)?;
        this.binary(after, shape, allow_struct, Precedence::Jump)
    }

    /// A whole expression filling the range from `at`.
    fn whole_expr(&self, at: usize) -> Option<()> {
        (self.expr(at, true)?.0 == self.end).then_some(())
    }

    /// Expressions separated by commas, a trailing one allowed, filling the range from `at`.
    fn exprs(&self, at: usize) -> Option<()> {
        self.fill_separated(at, |at| Some(self.expr(at, true)?.0))
    }

    /// The binary operator at `at`: how many tokens it takes and how strongly it binds
    /// (`BinOp::parse`).
    fn binary_operator(&self, at: usize) -> Option<(usize, Precedence)> {
        let Some(Kind::Punct(first)) = self.kind(at) else { return None };
        let second = if self.seq.joint(at) {
            match self.kind(at + 1) {
                Some(Kind::Punct(second)) => Some(second),
                _ => None,
            }
        } else {
            None
        };
        let third = if second.is_some() && self.seq.joint(at + 1) {
            match self.kind(at + 2) {
                Some(Kind::Punct(third)) => Some(third),
                _ => None,
            }
        } else {
            None
        };
        Some(match (first, second, third) {
            (b'<', Some(b'<'), Some(b'=')) | (b'>', Some(b'>'), Some(b'=')) => (3, Precedence::Assign),
            (b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'&' | b'|', Some(b'='), _) => (2, Precedence::Assign),
            (b'&', Some(b'&'), _) => (2, Precedence::And),
            (b'|', Some(b'|'), _) => (2, Precedence::Or),
            (b'<', Some(b'<'), _) | (b'>', Some(b'>'), _) => (2, Precedence::Shift),
            (b'=' | b'<' | b'!' | b'>', Some(b'='), _) => (2, Precedence::Compare),
            (b'+', ..) => (1, Precedence::Sum),
            (b'-', Some(b'>'), _) => return None,
            (b'-', ..) => (1, Precedence::Sum),
            (b'*' | b'/' | b'%', ..) => (1, Precedence::Product),
            (b'^', ..) => (1, Precedence::BitXor),
            (b'&', ..) => (1, Precedence::BitAnd),
            (b'|', ..) => (1, Precedence::BitOr),
            (b'<', Some(b'-'), _) => return None,
            (b'<' | b'>', ..) => (1, Precedence::Compare),
            _ => return None,
        })
    }

    /// What binds next at `at`: `peek_precedence`.
    fn next_precedence(&self, at: usize) -> Precedence {
        if let Some((_, precedence)) = self.binary_operator(at) {
            precedence
        } else if self.is_punct(at, b'=') && !self.op2(at, b'=', b'>') {
            Precedence::Assign
        } else if self.op2(at, b'.', b'.') {
            Precedence::Range
        } else if self.is_word(at, "as") {
            Precedence::Cast
        } else {
            Precedence::Jump
        }
    }

    /// Binary operators, assignments and casts after the operand `lhs` ending at `at`:
    /// `parse_expr`. Ranges are not understood.
    fn binary(
        &self,
        mut at: usize,
        mut lhs: Shape,
        allow_struct: bool,
        base: Precedence,
    ) -> Option<(usize, Shape)> {
        let this = self.deeper()?;
        loop {
            if let Some((len, precedence)) = self.binary_operator(at) {
                if precedence < base {
                    break;
                }
                if precedence == Precedence::Compare && lhs == (Shape::Binary { compare: true }) {
                    return None;
                }
                at = this.binary_rhs(at + len, allow_struct, precedence)?.0;
                lhs = Shape::Binary { compare: precedence == Precedence::Compare };
            } else if Precedence::Assign >= base && self.is_punct(at, b'=') && !self.op2(at, b'=', b'>') {
                at = this.binary_rhs(at + 1, allow_struct, Precedence::Assign)?.0;
                lhs = Shape::Other;
            } else if Precedence::Range >= base && self.op2(at, b'.', b'.') {
                return None;
            } else if Precedence::Cast >= base && self.is_word(at, "as") {
                at = this.ty(at + 1, false)?.0;
                // `casts cannot be followed by` a field, method, `?`, an index or a call.
                if self.is_punct(at, b'.')
                    || self.is_punct(at, b'?')
                    || self.is_open(at, b'[')
                    || self.is_open(at, b'(')
                {
                    return None;
                }
                lhs = Shape::Other;
            } else if self.op2(at, b'<', b'-') {
                return None;
            } else {
                break;
            }
        }
        Some((at, lhs))
    }

    /// The right-hand side of a binary operator of `precedence` from `at`: `parse_binop_rhs`.
    fn binary_rhs(&self, at: usize, allow_struct: bool, precedence: Precedence) -> Option<(usize, Shape)> {
        let this = self.deeper()?;
        let (mut at, mut rhs) = this.unary(at, allow_struct)?;
        loop {
            let next = self.next_precedence(at);
            if next > precedence || (next == precedence && precedence == Precedence::Assign) {
                let before = at;
                (at, rhs) = this.binary(at, rhs, allow_struct, next)?;
                if at == before {
                    break;
                }
            } else {
                break;
            }
        }
        Some((at, rhs))
    }

    /// A unary expression from `at`: `&`, `&mut`, `*`, `!`, `-`, then an operand with its
    /// trailers.
    fn unary(&self, at: usize, allow_struct: bool) -> Option<(usize, Shape)> {
        let this = self.deeper()?;
        match self.kind(at)? {
            Kind::Punct(b'#') => None,
            Kind::Punct(b'&') => {
                if self.is_word(at + 1, "raw") && matches!(self.word(at + 2), Some("mut" | "const")) {
                    return None;
                }
                let operand = if self.is_word(at + 1, "mut") { at + 2 } else { at + 1 };
                this.unary(operand, allow_struct).map(|(at, _)| (at, Shape::Other))
            }
            Kind::Punct(b'*' | b'!' | b'-') => {
                this.unary(at + 1, allow_struct).map(|(at, _)| (at, Shape::Other))
            }
            _ => {
                let (after, shape) = this.atom(at, allow_struct)?;
                this.trailers(after, shape)
            }
        }
    }

    /// Calls, fields, method calls, `.await`, indexes and `?` after the operand ending at
    /// `at`: `trailer_helper`.
    fn trailers(&self, mut at: usize, mut shape: Shape) -> Option<(usize, Shape)> {
        loop {
            if self.is_open(at, b'(') {
                self.nested(at)?.exprs(at + 1)?;
                at = self.after_group(at);
            } else if self.is_punct(at, b'.') && !self.op2(at, b'.', b'.') {
                at += 1;
                if self.is_word(at, "await") {
                    at += 1;
                } else if self.is_ident(at) {
                    at += 1;
                    let turbofish = self.colons(at);
                    if turbofish {
                        if !self.is_punct(at + 2, b'<') {
                            return None;
                        }
                        at = self.deeper()?.generic_arguments(at + 2)?;
                    }
                    if self.is_open(at, b'(') {
                        self.nested(at)?.exprs(at + 1)?;
                        at = self.after_group(at);
                    } else if turbofish {
                        return None;
                    }
                } else if self.kind(at) == Some(Kind::Literal)
                    && self.seq.text_of(at).bytes().all(|b| b.is_ascii_digit())
                {
                    at += 1;
                } else {
                    return None;
                }
            } else if self.is_open(at, b'[') {
                self.nested(at)?.whole_expr(at + 1)?;
                at = self.after_group(at);
            } else if self.is_punct(at, b'?') {
                at += 1;
            } else {
                return Some((at, shape));
            }
            shape = Shape::Other;
        }
    }

    /// An operand from `at`: `atom_expr`, the kinds understood.
    fn atom(&self, at: usize, allow_struct: bool) -> Option<(usize, Shape)> {
        let this = self.deeper()?;
        match self.kind(at)? {
            Kind::Literal => Some((at + 1, Shape::Other)),
            Kind::Open(b'(') => {
                let inside = this.nested(at)?;
                if at + 1 < inside.end {
                    let first = inside.expr(at + 1, true)?.0;
                    if first != inside.end {
                        if !inside.is_punct(first, b',') {
                            return None;
                        }
                        inside.exprs(first + 1)?;
                    }
                }
                Some((inside.end + 1, Shape::Other))
            }
            Kind::Open(b'[') => {
                let inside = this.nested(at)?;
                if at + 1 < inside.end {
                    let first = inside.expr(at + 1, true)?.0;
                    if inside.is_punct(first, b';') {
                        inside.whole_expr(first + 1)?;
                    } else if first != inside.end {
                        if !inside.is_punct(first, b',') {
                            return None;
                        }
                        inside.exprs(first + 1)?;
                    }
                }
                Some((inside.end + 1, Shape::Other))
            }
            Kind::Open(b'{') => this.block_like(at)?.map(|after| (after, Shape::BlockLike)),
            Kind::Punct(b'|') => this.closure(at, allow_struct),
            Kind::Punct(b':') if self.colons(at) => this.path_expression(at, allow_struct),
            Kind::Word => match self.seq.text_of(at) {
                "true" | "false" | "_" => Some((at + 1, Shape::Other)),
                "move" if self.is_punct(at + 1, b'|') => this.closure(at + 1, allow_struct),
                "if" | "while" | "for" | "loop" | "match" | "unsafe" => {
                    this.block_like(at)?.map(|after| (after, Shape::BlockLike))
                }
                "return" => this.jump_value(at + 1, true),
                "break" => {
                    let mut after = at + 1;
                    if self.kind(after) == Some(Kind::Lifetime) {
                        if self.is_punct(after + 1, b':') && !self.colons(after + 1) {
                            return None;
                        }
                        after += 1;
                    }
                    this.jump_value(after, allow_struct)
                }
                "continue" => {
                    let after = if self.kind(at + 1) == Some(Kind::Lifetime) { at + 2 } else { at + 1 };
                    Some((after, Shape::Other))
                }
                "let" => {
                    let mut after = this.multi_pattern(at + 1, false)?;
                    if !self.is_punct(after, b'=') {
                        return None;
                    }
                    let (operand, shape) = this.unary(after + 1, allow_struct)?;
                    after = this.binary(operand, shape, allow_struct, Precedence::Compare)?.0;
                    Some((after, Shape::Other))
                }
                "try" if self.is_punct(at + 1, b'!') || self.colons(at + 1) => {
                    this.path_expression(at, allow_struct)
                }
                word if is_ident(word) || matches!(word, "self" | "Self" | "super" | "crate") => {
                    this.path_expression(at, allow_struct)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// What follows `return` or `break` from `at`: a value where syn sees an expression
    /// start (`Expr::peek`; a `{` only where `brace`), parsed with struct literals allowed.
    fn jump_value(&self, at: usize, brace: bool) -> Option<(usize, Shape)> {
        let value = match self.kind(at) {
            None => false,
            Some(Kind::Word) => self.seq.text_of(at) != "as",
            Some(Kind::Open(b'{')) => brace,
            Some(Kind::Open(_) | Kind::Literal | Kind::Lifetime) => true,
            Some(Kind::Punct(b'!' | b'-' | b'*' | b'|' | b'&' | b'<' | b'#')) => return None,
            Some(Kind::Punct(b'.')) if self.op2(at, b'.', b'.') => return None,
            Some(Kind::Punct(b':')) if self.colons(at) => true,
            _ => false,
        };
        let after = if value { self.expr(at, true)?.0 } else { at };
        Some((after, Shape::Other))
    }

    /// A closure from its first `|` at `at`: `|pattern: Type, ...| body` or `-> Type { }`.
    fn closure(&self, at: usize, allow_struct: bool) -> Option<(usize, Shape)> {
        let mut at = self.separated_until(at + 1, b'|', |at| {
            if matches!(self.kind(at), Some(Kind::Punct(b'#') | Kind::Doc)) {
                return None;
            }
            let at = self.pattern(at)?;
            if self.is_punct(at, b':') && !self.colons(at) {
                return Some(self.ty(at + 1, true)?.0);
            }
            Some(at)
        })?;
        at += 1;
        if self.op2(at, b'-', b'>') {
            let open = self.ty(at + 2, true)?.0;
            self.block(open)?;
            return Some((self.after_group(open), Shape::Other));
        }
        self.expr(at, allow_struct).map(|(at, _)| (at, Shape::Other))
    }

    /// A path in an expression from `at`, then a macro call, a struct literal or the path
    /// itself: `path_or_macro_or_struct`.
    fn path_expression(&self, at: usize, allow_struct: bool) -> Option<(usize, Shape)> {
        let (after, plain) = self.expression_path(at)?;
        if self.is_punct(after, b'!') && !self.op2(after, b'!', b'=') {
            if !plain {
                return None;
            }
            let brace = self.is_open(after + 1, b'{');
            if !matches!(self.kind(after + 1), Some(Kind::Open(_))) {
                return None;
            }
            return Some((self.after_group(after + 1), Shape::Macro { brace }));
        }
        if allow_struct && self.is_open(after, b'{') {
            self.nested(after)?.struct_fields(after + 1)?;
            return Some((self.after_group(after), Shape::Other));
        }
        Some((after, Shape::Other))
    }

    /// A path in expression style from `at` (generic arguments only after `::`): the position
    /// after it, and whether it has no generic arguments.
    fn expression_path(&self, mut at: usize) -> Option<(usize, bool)> {
        if self.colons(at) {
            at += 2;
        }
        let mut plain = true;
        loop {
            let word = self.word(at)?;
            at += 1;
            if !matches!(word, "super" | "self" | "crate" | "try") {
                if !(word == "Self" || is_ident(word)) {
                    return None;
                }
                if self.colons(at) && self.is_punct(at + 2, b'<') {
                    at = self.deeper()?.generic_arguments(at + 2)?;
                    plain = false;
                }
            }
            if !self.colons(at) || self.is_open(at + 2, b'(') {
                return Some((at, plain));
            }
            at += 2;
        }
    }

    /// A struct literal's fields filling the range from `at`: `name: value`, `name`, `0:
    /// value`, then `..base` or `..` last.
    fn struct_fields(&self, at: usize) -> Option<()> {
        self.fill_separated(at, |at| {
            if self.op2(at, b'.', b'.') {
                // The base fills the rest: the list ends here.
                if self.op2(at + 1, b'.', b'=') || self.op2(at + 1, b'.', b'.') {
                    return None;
                }
                if at + 2 < self.end {
                    self.whole_expr(at + 2)?;
                }
                return Some(self.end);
            }
            let named = self.is_ident(at);
            if !named && !self.is_digits(at) {
                return None;
            }
            let at = at + 1;
            if self.is_punct(at, b':') {
                if self.colons(at) {
                    return None;
                }
                return Some(self.expr(at + 1, true)?.0);
            }
            named.then_some(at)
        })
    }

    /// An integer literal of digits only at `at` (a tuple index).
    fn is_digits(&self, at: usize) -> bool {
        self.kind(at) == Some(Kind::Literal) && self.seq.text_of(at).bytes().all(|byte| byte.is_ascii_digit())
    }

    /// Patterns joined by `|` from `at`, a leading `|` allowed, and with `guard` a following
    /// `if` left to the caller: `Pat::parse_multi_with_leading_vert`.
    fn multi_pattern(&self, at: usize, _guard: bool) -> Option<usize> {
        let alone =
            |at: usize| self.is_punct(at, b'|') && !self.op2(at, b'|', b'|') && !self.op2(at, b'|', b'=');
        let mut at = if alone(at) { at + 1 } else { at };
        at = self.pattern(at)?;
        while alone(at) {
            at = self.pattern(at + 1)?;
        }
        Some(at)
    }

    /// One pattern from `at`: `Pat::parse_single`, the kinds understood (`_`, bindings,
    /// literals, paths, tuple structs, structs, tuples, references).
    fn pattern(&self, at: usize) -> Option<usize> {
        let this = self.deeper()?;
        match self.kind(at)? {
            Kind::Literal => (!self.op2(at + 1, b'.', b'.')).then_some(at + 1),
            Kind::Punct(b'&') => {
                let inner = if self.is_word(at + 1, "mut") { at + 2 } else { at + 1 };
                this.pattern(inner)
            }
            Kind::Open(b'(') => {
                let inside = this.nested(at)?;
                inside.patterns(at + 1)?;
                Some(inside.end + 1)
            }
            Kind::Punct(b':') if self.colons(at) => this.path_pattern(at),
            Kind::Word => {
                let word = self.seq.text_of(at);
                let next = at + 1;
                let path_like = self.colons(next)
                    || self.is_punct(next, b'!')
                    || self.is_open(next, b'{')
                    || self.is_open(next, b'(')
                    || self.op2(next, b'.', b'.');
                match word {
                    "true" | "false" => (!self.op2(next, b'.', b'.')).then_some(next),
                    "_" => Some(next),
                    "self" if self.colons(next) => this.path_pattern(at),
                    "Self" | "super" | "crate" => this.path_pattern(at),
                    "ref" | "mut" => {
                        let mut at = next;
                        if word == "ref" && self.is_word(at, "mut") {
                            at += 1;
                        }
                        let ident = self.is_ident(at) || self.is_word(at, "self");
                        (ident && !self.is_punct(at + 1, b'@')).then_some(at + 1)
                    }
                    word if is_ident(word) && path_like => this.path_pattern(at),
                    word if is_ident(word) || word == "self" => (!self.is_punct(next, b'@')).then_some(next),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Patterns separated by commas, a trailing one and a `..` allowed, filling the range from
    /// `at`.
    fn patterns(&self, at: usize) -> Option<()> {
        self.fill_separated(at, |at| {
            if self.op2(at, b'.', b'.') && !self.is_punct(at + 2, b'=') && !self.is_punct(at + 2, b'.') {
                Some(at + 2)
            } else {
                self.multi_pattern(at, false)
            }
        })
    }

    /// A pattern that starts with a path from `at`: the path, a tuple struct or a struct.
    fn path_pattern(&self, at: usize) -> Option<usize> {
        let (after, plain) = self.expression_path(at)?;
        if self.is_punct(after, b'!') || self.op2(after, b'.', b'.') {
            return None;
        }
        let _ = plain;
        if self.is_open(after, b'(') {
            self.nested(after)?.patterns(after + 1)?;
            return Some(self.after_group(after));
        }
        if self.is_open(after, b'{') {
            self.nested(after)?.field_patterns(after + 1)?;
            return Some(self.after_group(after));
        }
        Some(after)
    }

    /// A struct pattern's fields filling the range from `at`: `name`, `ref mut name`, `name:
    /// pattern`, then `..` last.
    fn field_patterns(&self, at: usize) -> Option<()> {
        self.fill_separated(at, |mut at| {
            if matches!(self.kind(at), Some(Kind::Punct(b'#') | Kind::Doc)) {
                return None;
            }
            if self.op2(at, b'.', b'.') {
                // `..` comes last.
                return (at + 2 == self.end && !self.is_punct(at + 2, b'=')).then_some(self.end);
            }
            let mut modified = false;
            if self.is_word(at, "ref") {
                at += 1;
                modified = true;
            }
            if self.is_word(at, "mut") {
                at += 1;
                modified = true;
            }
            let named = self.is_ident(at);
            if !named && (modified || !self.is_digits(at)) {
                return None;
            }
            at += 1;
            if !modified && self.is_punct(at, b':') {
                if self.colons(at) {
                    return None;
                }
                return self.multi_pattern(at + 1, false);
            }
            named.then_some(at)
        })
    }
}
