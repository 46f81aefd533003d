//! The items of the kept tokens, read one by one into an `extract::Reader`, in the order syn's
//! visitor meets them: each module level is read for its items and imports first (the imports
//! decide what a bare `event` is), then its items are handed over. Given to syn, lexed on their
//! own from their place in the file: the attributes of an item that carries one of ours (with
//! its serde attributes), the attributes of a field or variant that the tokens do not say
//! enough about, and the function bodies the body checker leaves to syn or that hold an
//! annotation. Everything else is read from the tokens.

use super::grammar::{Attr, Range, TypeShape, UseSink, is_ident};
use super::seq::{Seq, doc_contents};
use crate::location::{Location, saturating_u32};
use crate::scan::extract::{
    EventShape, FieldShape, FileFindings, Kind, ReadItem, Reader, Said, Scope, ShapeBody, VariantShape,
    annotation_facts,
};
use crate::scan::names::{Serde, doc_comment, join_doc};
use crate::scan::skim::{self, Kind as TokenKind};
use flowdoc_annotations_syntax as syntax;
use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};
use syn::parse::Parser as _;

/// The findings of the kept tokens `seq` of the file `path`; None where the reader meets what
/// it does not understand. `flagged` are the skim's flagged attributes.
pub(super) fn read(
    path: &str,
    seq: &Seq<'_>,
    flagged: &[usize],
    annotations_crate: &str,
) -> Option<FileFindings> {
    let mut items = Items {
        seq,
        flagged,
        annotations_crate,
        path,
        out: Reader::new(path, annotations_crate),
        line: Line { offset: 0, number: 1, start: 0 },
    };
    items.module(Range::whole(seq), 0, None)?;
    Some(items.out.into_findings())
}

/// An item of a module level: where it starts, where its attributes end, what it is.
struct Item {
    first: usize,
    attrs_end: usize,
    kind: ItemKind,
}

/// What an item is, with the positions its reading needs.
enum ItemKind {
    /// A function: its name, its body's `{`.
    Fn { name: usize, body: usize },
    /// A struct: its name, its fields.
    Struct { name: usize, fields: Fields },
    /// An enum: its name, its body's `{`.
    Enum { name: usize, body: usize },
    /// An `impl` block: where its self type starts, the name its items are owned by, its
    /// functions.
    Impl { self_ty: usize, owner: String, members: Vec<Member> },
    /// A trait: its name, its functions.
    Trait { name: usize, members: Vec<Member> },
    /// A module: declared, or inline with the position of its `{`.
    Mod { name: usize, body: Option<usize> },
    /// `use`, `extern crate`, a macro: nothing but attributes to read.
    Plain,
}

/// The fields of a struct or variant: the position of their `{` or `(`.
#[derive(Clone, Copy)]
enum Fields {
    Named(usize),
    Tuple(usize),
    Unit,
}

/// A function in an `impl` or `trait` block; `body` is the position of its `{`, None for a
/// trait function without one.
struct Member {
    first: usize,
    attrs_end: usize,
    name: usize,
    body: Option<usize>,
}

/// The imports of a module level, gathered into its scope.
struct ScopeSink<'c> {
    scope: Scope,
    annotations_crate: &'c str,
}

impl UseSink for ScopeSink<'_> {
    fn import(&mut self, item: &str, local: &str) {
        self.scope.import(item, local, self.annotations_crate);
    }

    fn alias(&mut self, name: &str) {
        self.scope.alias(name.to_owned());
    }

    fn glob(&mut self) {
        self.scope.glob();
    }
}

/// The reader of one file's kept tokens.
struct Items<'a, 's, 't> {
    seq: &'s Seq<'t>,
    flagged: &'s [usize],
    annotations_crate: &'a str,
    path: &'a str,
    out: Reader<'a>,
    /// The line of the last place asked for, to count on from.
    line: Line,
}

impl Items<'_, '_, '_> {
    /// Reads a module level: `range` from `start`, the file (`name` None) or an inline module.
    fn module(&mut self, range: Range<'_, '_>, start: usize, name: Option<String>) -> Option<()> {
        let mut scope = ScopeSink { scope: Scope::empty_module(), annotations_crate: self.annotations_crate };
        let mut items = Vec::new();
        let mut at = start;
        while at < range.end {
            let (item, after) = self.item(range, at, &mut scope)?;
            items.push(item);
            at = after;
        }
        let named = name.is_some();
        self.out.enter_module(name, scope.scope);
        for item in &items {
            self.hand_over(range, item)?;
        }
        self.out.leave_module(named);
        Some(())
    }

    /// Reads the item at `at`, its imports into `scope`; the item and the position after it.
    fn item(&mut self, range: Range<'_, '_>, at: usize, scope: &mut ScopeSink<'_>) -> Option<(Item, usize)> {
        let attrs_end = range.attrs(at)?;
        let (public, keyword) = range.visibility(attrs_end)?;
        let item = |kind| Item { first: at, attrs_end, kind };
        let semicolon = |position: usize| range.is_punct(position, b';').then_some(position + 1);
        let Some(word) = range.word(keyword) else {
            // A macro by its full path: `::m!(...)`.
            if !public && range.colons(keyword) {
                return Some((item(ItemKind::Plain), range.item_macro(keyword)?));
            }
            return None;
        };
        match word {
            "use" => {
                let tree = if range.colons(keyword + 1) { keyword + 3 } else { keyword + 1 };
                let after = range.use_tree(tree, self.annotations_crate, scope)?;
                Some((item(ItemKind::Plain), semicolon(after)?))
            }
            "extern" if range.is_word(keyword + 1, "crate") => {
                let name = range.word(keyword + 2).filter(|name| is_ident(name) || *name == "self")?;
                let mut after = keyword + 3;
                if range.is_word(after, "as") {
                    let alias = range.word(after + 1).filter(|alias| is_ident(alias) || *alias == "_")?;
                    if name == self.annotations_crate {
                        scope.alias(alias);
                    }
                    after += 2;
                }
                Some((item(ItemKind::Plain), semicolon(after)?))
            }
            "mod" => {
                let name = keyword + 1;
                if !(range.is_ident(name) || range.is_word(name, "try")) {
                    return None;
                }
                if range.is_open(name + 1, b'{') {
                    Some((item(ItemKind::Mod { name, body: Some(name + 1) }), range.after_group(name + 1)))
                } else {
                    Some((item(ItemKind::Mod { name, body: None }), semicolon(name + 1)?))
                }
            }
            "struct" => {
                let (kind, after) = self.structure(range, keyword)?;
                Some((item(kind), after))
            }
            "enum" => {
                let name = keyword + 1;
                if !range.is_ident(name) {
                    return None;
                }
                let body = range.where_clause(range.generics(name + 1)?)?;
                if !range.is_open(body, b'{') {
                    return None;
                }
                self.variants(range.nested(body)?, body + 1)?;
                Some((item(ItemKind::Enum { name, body }), range.after_group(body)))
            }
            "impl" if !public => {
                let (kind, after) = self.implementation(range, keyword)?;
                Some((item(kind), after))
            }
            "trait" => {
                let (kind, after) = self.declaration(range, keyword)?;
                Some((item(kind), after))
            }
            "unsafe" => match range.word(keyword + 1)? {
                "impl" if !public => {
                    let (kind, after) = self.implementation(range, keyword + 1)?;
                    Some((item(kind), after))
                }
                "trait" => {
                    let (kind, after) = self.declaration(range, keyword + 1)?;
                    Some((item(kind), after))
                }
                _ => {
                    let (name, body) = self.function(range, keyword)?;
                    Some((item(ItemKind::Fn { name, body }), range.after_group(body)))
                }
            },
            "fn" | "const" | "async" | "extern" => {
                let (name, body) = self.function(range, keyword)?;
                Some((item(ItemKind::Fn { name, body }), range.after_group(body)))
            }
            _ if !public && (is_ident(word) || matches!(word, "self" | "super" | "crate")) => {
                Some((item(ItemKind::Plain), range.item_macro(keyword)?))
            }
            _ => None,
        }
    }

    /// A function with a body from `at`: its name's position and its `{`'s.
    fn function(&self, range: Range<'_, '_>, at: usize) -> Option<(usize, usize)> {
        let signature = range.signature(at)?;
        range.is_open(signature.after, b'{').then_some((signature.name, signature.after))
    }

    /// A struct from its `struct` at `at`.
    fn structure(&mut self, range: Range<'_, '_>, at: usize) -> Option<(ItemKind, usize)> {
        let name = at + 1;
        if !range.is_ident(name) {
            return None;
        }
        let mut next = range.generics(name + 1)?;
        let early_where = range.is_word(next, "where");
        next = range.where_clause(next)?;
        let (fields, after) = if !early_where && range.is_open(next, b'(') {
            self.tuple_fields(range.nested(next)?, next + 1)?;
            let after = range.where_clause(range.after_group(next))?;
            if !range.is_punct(after, b';') {
                return None;
            }
            (Fields::Tuple(next), after + 1)
        } else if range.is_open(next, b'{') {
            self.named_fields(range.nested(next)?, next + 1)?;
            (Fields::Named(next), range.after_group(next))
        } else if range.is_punct(next, b';') {
            (Fields::Unit, next + 1)
        } else {
            return None;
        };
        Some((ItemKind::Struct { name, fields }, after))
    }

    /// Named fields filling `range` from `at`: attributes, visibility, `name: Type`.
    fn named_fields(&mut self, range: Range<'_, '_>, at: usize) -> Option<()> {
        range.fill_separated(at, |at| {
            let at = range.visibility(range.attrs(at)?)?.1;
            if !range.is_ident(at) || !range.is_punct(at + 1, b':') || range.colons(at + 1) {
                return None;
            }
            Some(range.ty(at + 2, true)?.0)
        })
    }

    /// Tuple fields filling `range` from `at`: attributes, visibility, a type.
    fn tuple_fields(&mut self, range: Range<'_, '_>, at: usize) -> Option<()> {
        range.fill_separated(at, |at| Some(range.ty(range.visibility(range.attrs(at)?)?.1, true)?.0))
    }

    /// Enum variants filling `range` from `at`: attributes, `Name`, fields, a literal
    /// discriminant.
    fn variants(&mut self, range: Range<'_, '_>, at: usize) -> Option<()> {
        range.fill_separated(at, |at| {
            let mut at = range.visibility(range.attrs(at)?)?.1;
            if !range.is_ident(at) {
                return None;
            }
            at += 1;
            if range.is_open(at, b'{') {
                self.named_fields(range.nested(at)?, at + 1)?;
                at = range.after_group(at);
            } else if range.is_open(at, b'(') {
                self.tuple_fields(range.nested(at)?, at + 1)?;
                at = range.after_group(at);
            }
            if range.is_punct(at, b'=') {
                if range.kind(at + 1) != Some(TokenKind::Literal) {
                    return None;
                }
                at += 2;
            }
            Some(at)
        })
    }

    /// An `impl` block from its `impl` at `at`.
    fn implementation(&mut self, range: Range<'_, '_>, at: usize) -> Option<(ItemKind, usize)> {
        let mut next = at + 1;
        if generics_follow(range, next) {
            next = range.generics(next)?;
        }
        if range.is_punct(next, b'!') {
            return None;
        }
        let (after_first, first_shape) = range.ty(next, true)?;
        let (self_ty, after_self, shape) = if range.is_word(after_first, "for") {
            if !matches!(first_shape, TypeShape::Path { .. }) {
                return None;
            }
            let (after, shape) = range.ty(after_first + 1, true)?;
            (after_first + 1, after, shape)
        } else {
            (next, after_first, first_shape)
        };
        let body = range.where_clause(after_self)?;
        if !range.is_open(body, b'{') {
            return None;
        }
        let owner = match shape {
            TypeShape::Path { last, .. } | TypeShape::Qualified { last } => self.seq.text_of(last).to_owned(),
            TypeShape::Other => super::grammar::type_text(self.seq, self_ty, after_self),
        };
        let members = self.members(range.nested(body)?, body + 1, false)?;
        Some((ItemKind::Impl { self_ty, owner, members }, range.after_group(body)))
    }

    /// A trait from its `trait` at `at`.
    fn declaration(&mut self, range: Range<'_, '_>, at: usize) -> Option<(ItemKind, usize)> {
        let name = at + 1;
        if !range.is_ident(name) {
            return None;
        }
        let mut next = range.generics(name + 1)?;
        if range.is_punct(next, b':') {
            next += 1;
            loop {
                if range.is_word(next, "where") || range.is_open(next, b'{') {
                    break;
                }
                if range.is_open(next, b'[') || range.is_word(next, "const") {
                    return None;
                }
                next = range.bound_at(next)?;
                if range.is_word(next, "where") || range.is_open(next, b'{') {
                    break;
                }
                if !range.is_punct(next, b'+') {
                    return None;
                }
                next += 1;
            }
        }
        let body = range.where_clause(next)?;
        if !range.is_open(body, b'{') {
            return None;
        }
        let members = self.members(range.nested(body)?, body + 1, true)?;
        Some((ItemKind::Trait { name, members }, range.after_group(body)))
    }

    /// The functions of an `impl` or `trait` body (nothing else is understood); in a trait,
    /// without a body too.
    fn members(&mut self, range: Range<'_, '_>, mut at: usize, in_trait: bool) -> Option<Vec<Member>> {
        let mut members = Vec::new();
        while at < range.end {
            let first = at;
            let attrs_end = range.attrs(at)?;
            let (public, start) = range.visibility(attrs_end)?;
            if (public && in_trait) || range.is_word(start, "default") {
                return None;
            }
            let signature = range.signature(start)?;
            let body = if range.is_open(signature.after, b'{') {
                at = range.after_group(signature.after);
                Some(signature.after)
            } else if in_trait && range.is_punct(signature.after, b';') {
                at = signature.after + 1;
                None
            } else {
                return None;
            };
            members.push(Member { first, attrs_end, name: signature.name, body });
        }
        Some(members)
    }

    /// Hands an item over to the reader: its attributes if it has some of ours, then what is
    /// inside it.
    fn hand_over(&mut self, range: Range<'_, '_>, item: &Item) -> Option<()> {
        let ours = self.ours(range, item.first, item.attrs_end);
        let (first, end) = (item.first, item.attrs_end);
        match &item.kind {
            ItemKind::Fn { name, body } => {
                if ours.any {
                    let handler = (self.seq.text_of(*name).to_owned(), self.location_of(*name));
                    self.read_item(&ours, first, end, Some(handler), None)?;
                }
                self.body(*body)?;
            }
            ItemKind::Struct { name, .. } | ItemKind::Enum { name, .. } => {
                if ours.any {
                    let event = if ours.event { Some(self.event_shape(range, item)?) } else { None };
                    let handler = (self.seq.text_of(*name).to_owned(), self.location_of(*name));
                    self.read_item(&ours, first, end, Some(handler), event)?;
                }
            }
            ItemKind::Impl { self_ty, owner, members } => {
                if ours.any {
                    let handler = (owner.clone(), self.location_of(*self_ty));
                    self.read_item(&ours, first, end, Some(handler), None)?;
                }
                let outer = self.out.set_owner(Some(owner.clone()));
                self.members_over(range, members)?;
                self.out.set_owner(outer);
            }
            ItemKind::Trait { name, members } => {
                if ours.any {
                    self.read_item(&ours, first, end, None, None)?;
                }
                let outer = self.out.set_owner(Some(self.seq.text_of(*name).to_owned()));
                self.members_over(range, members)?;
                self.out.set_owner(outer);
            }
            ItemKind::Mod { name, body } => {
                if ours.any {
                    self.read_item(&ours, first, end, None, None)?;
                }
                if let Some(open) = *body {
                    let name = self.seq.text_of(*name).to_owned();
                    let outer = self.out.set_owner(None);
                    self.module(range.nested(open)?, open + 1, Some(name))?;
                    self.out.set_owner(outer);
                }
            }
            ItemKind::Plain => {
                if ours.any {
                    self.read_item(&ours, first, end, None, None)?;
                }
            }
        }
        Some(())
    }

    /// Hands over the functions of an `impl` or `trait` block, their owner set.
    fn members_over(&mut self, range: Range<'_, '_>, members: &[Member]) -> Option<()> {
        for member in members {
            let ours = self.ours(range, member.first, member.attrs_end);
            if ours.any {
                let handler = member
                    .body
                    .map(|_| (self.out.owned(self.seq.text_of(member.name)), self.location_of(member.name)));
                self.read_item(&ours, member.first, member.attrs_end, handler, None)?;
            }
            if let Some(body) = member.body {
                self.body(body)?;
            }
        }
        Some(())
    }

    /// Which of the attributes `first..end` are ours, and what syn needs to read them.
    fn ours(&self, range: Range<'_, '_>, first: usize, end: usize) -> Ours {
        let mut ours = Ours { any: false, event: false, needed: None, written_doc: false };
        let mut at = first;
        while at < end {
            if range.kind(at) != Some(TokenKind::Punct(b'#')) || !range.is_open(at + 1, b'[') {
                at += 1;
                continue;
            }
            let after = range.after_group(at + 1);
            let meta = range.nested(at + 1).and_then(|inside| inside.meta(at + 2));
            if let Some(Attr { segments, count }) = meta {
                let name = self.seq.text_of(segments[if count == 2 { 1 } else { 0 }]);
                let kind = match count {
                    1 => self.out.classify_path(name, None),
                    2 => self.out.classify_path(name, Some(self.seq.text_of(segments[0]))),
                    _ => None,
                };
                if let Some(kind) = kind {
                    ours.any = true;
                    ours.event |= kind == Kind::Event;
                }
                ours.written_doc |= count == 1 && name == "doc";
                if kind.is_some() || (count == 1 && name == "serde") {
                    ours.needed = Some((ours.needed.map_or(at, |(start, _)| start), after));
                }
            }
            at = after;
        }
        ours
    }

    /// Gives the reader an item's attributes `first..end`: ours and serde's parsed by syn, doc
    /// comments read here (all parsed by syn where a doc is written as an attribute).
    fn read_item(
        &mut self,
        ours: &Ours,
        first: usize,
        end: usize,
        handler: Option<(String, Location)>,
        event_type: Option<EventShape>,
    ) -> Option<()> {
        let location = self.location_of(first);
        if !ours.written_doc {
            let serde = if ours.event { self.serde_attrs(first, end) } else { Some(Serde::default()) };
            if let Some(serde) = serde
                && let Some(said) = self.said(first, end)
            {
                let doc = Some(self.doc_comments(first, end));
                self.out.read_said(said, ReadItem { doc, handler, event_type, location }, serde);
                return Some(());
            }
        }
        let ((start, stop), doc) = if ours.written_doc {
            ((first, end), None)
        } else {
            (ours.needed?, Some(self.doc_comments(first, end)))
        };
        let (attrs, base) = self.syn_attrs(start, stop)?;
        self.out.read_item(&attrs, base, ReadItem { doc, handler, event_type, location });
        Some(())
    }

    /// What our attributes among `first..end` say, parsed by the shared grammar from tokens
    /// made of the kept ones; None where one does not parse (syn then reads them lexed, for
    /// the place and message of the error) or is not written as a list.
    fn said(&mut self, first: usize, end: usize) -> Option<Said> {
        let whole = Range::whole(self.seq);
        let mut said = Said::default();
        let mut at = first;
        while at < end {
            if self.seq.kind(at) != Some(TokenKind::Punct(b'#')) || !whole.is_open(at + 1, b'[') {
                at += 1;
                continue;
            }
            let (open, close) = (at + 1, self.seq.closing(at + 1));
            let Attr { segments, count } = whole.nested(open)?.meta(open + 1)?;
            let kind = match count {
                1 => self.out.classify_path(self.seq.text_of(segments[0]), None),
                2 => {
                    self.out.classify_path(self.seq.text_of(segments[1]), Some(self.seq.text_of(segments[0])))
                }
                _ => None,
            };
            if let Some(kind) = kind {
                let list = segments[count - 1] + 1;
                let arguments = match self.seq.kind(list) {
                    Some(TokenKind::Open(_)) if self.seq.closing(list) + 1 == close => {
                        Some(self.token_stream(list + 1, self.seq.closing(list))?)
                    }
                    _ if list == close => None,
                    _ => return None,
                };
                let location = self.location_of(at);
                match (kind, arguments) {
                    (Kind::Handler(role), Some(tokens)) => {
                        let args = syntax::HandlerArgs::parser(role).parse2(tokens).ok()?;
                        said.annotations.push(annotation_facts(&args, location));
                    }
                    (Kind::Event, Some(tokens)) => {
                        let args = syn::parse::Parser::parse2(syntax::EventArgs::parse, tokens).ok()?;
                        said.event = Some((args, location));
                    }
                    (Kind::Event, None) => said.event = Some((syntax::EventArgs::default(), location)),
                    (Kind::Handler(_), None) => return None,
                }
            }
            at = close + 1;
        }
        Some(said)
    }

    /// The tokens `start..end` as proc-macro2 tokens, spans aside: the same trees lexing the
    /// text gives. None for what is not made so simply (doc comments).
    fn token_stream(&self, start: usize, end: usize) -> Option<TokenStream> {
        let span = Span::call_site();
        let mut groups: Vec<(Delimiter, Vec<TokenTree>)> = vec![(Delimiter::None, Vec::new())];
        for at in start..end {
            let text = self.seq.text_of(at);
            let trees = &mut groups.last_mut()?.1;
            match self.seq.kind(at)? {
                TokenKind::Word => trees.push(TokenTree::Ident(match text.strip_prefix("r#") {
                    Some(raw) => Ident::new_raw(raw, span),
                    None => Ident::new(text, span),
                })),
                TokenKind::Punct(byte) => {
                    let spacing = if self.seq.joint(at) { Spacing::Joint } else { Spacing::Alone };
                    trees.push(TokenTree::Punct(Punct::new(char::from(byte), spacing)));
                }
                TokenKind::Lifetime => {
                    trees.push(TokenTree::Punct(Punct::new('\'', Spacing::Joint)));
                    trees.push(TokenTree::Ident(Ident::new(&text[1..], span)));
                }
                TokenKind::Literal => trees.push(TokenTree::Literal(text.parse().ok()?)),
                TokenKind::Open(byte) => groups.push((delimiter(byte), Vec::new())),
                TokenKind::Close(_) => {
                    let (delimiter, inner) = groups.pop()?;
                    let group = Group::new(delimiter, inner.into_iter().collect());
                    groups.last_mut()?.1.push(TokenTree::Group(group));
                }
                TokenKind::Doc | TokenKind::InnerDoc | TokenKind::Unlexable => return None,
            }
        }
        let (_, trees) = groups.pop()?;
        groups.is_empty().then(|| trees.into_iter().collect())
    }

    /// The attributes `first..end` parsed by syn, and the place they start (line, column).
    fn syn_attrs(&mut self, first: usize, end: usize) -> Option<(Vec<syn::Attribute>, (usize, usize))> {
        let start = self.seq.token(first).start();
        let stop = self.seq.token(end - 1).end();
        let tokens: proc_macro2::TokenStream = self.seq.text[start..stop].parse().ok()?;
        let attrs = syn::parse::Parser::parse2(syn::Attribute::parse_outer, tokens).ok()?;
        Some((attrs, self.position(start)))
    }

    /// Checks a function body (the `{` at `open`): on the tokens where it can, else with
    /// syn; one that holds an attribute of ours is parsed by syn and read for what it holds.
    fn body(&mut self, open: usize) -> Option<()> {
        let close = self.seq.closing(open);
        let ours = skim::contains(self.flagged, self.seq.original(open), self.seq.original(close));
        if !ours && Range::whole(self.seq).block(open).is_some() {
            return Some(());
        }
        let start = self.seq.token(open).start();
        let stop = self.seq.token(close).end();
        let tokens: proc_macro2::TokenStream = self.seq.text[start..stop].parse().ok()?;
        let block: syn::Block = syn::parse2(tokens).ok()?;
        if ours {
            let base = self.position(start);
            self.out.read_body(&block, base);
        }
        Some(())
    }

    /// The fields or variants of the struct or enum `item`, for its event type.
    fn event_shape(&mut self, range: Range<'_, '_>, item: &Item) -> Option<EventShape> {
        let (name, body) = match item.kind {
            ItemKind::Struct { name, fields } => (name, ShapeBody::Struct(self.field_shapes(range, fields)?)),
            ItemKind::Enum { name, body } => {
                (name, ShapeBody::Enum(self.variant_shapes(range.nested(body)?, body + 1)?))
            }
            _ => return None,
        };
        Some(EventShape {
            rust_name: self.seq.text_of(name).to_owned(),
            location: self.location_of(name),
            body,
        })
    }

    /// The shapes of `fields`.
    fn field_shapes(&mut self, range: Range<'_, '_>, fields: Fields) -> Option<Vec<FieldShape>> {
        let (open, named) = match fields {
            Fields::Named(open) => (open, true),
            Fields::Tuple(open) => (open, false),
            Fields::Unit => return Some(Vec::new()),
        };
        let inside = range.nested(open)?;
        let mut shapes = Vec::new();
        let mut at = open + 1;
        while at < inside.end {
            let attrs_end = inside.skip_attrs(at);
            let (doc, serde) = self.doc_and_serde(at, attrs_end)?;
            let mut next = inside.visibility(attrs_end)?.1;
            let ident = if named {
                let ident = self.seq.text_of(next).to_owned();
                next += 2;
                Some(ident)
            } else {
                None
            };
            let after = inside.ty(next, true)?.0;
            shapes.push(FieldShape {
                ident,
                ty: super::grammar::type_text(self.seq, next, after),
                doc,
                serde,
            });
            at = after + 1;
        }
        Some(shapes)
    }

    /// The shapes of the variants filling `range` from `at`.
    fn variant_shapes(&mut self, range: Range<'_, '_>, mut at: usize) -> Option<Vec<VariantShape>> {
        let mut shapes = Vec::new();
        while at < range.end {
            let attrs_end = range.skip_attrs(at);
            let (doc, serde) = self.doc_and_serde(at, attrs_end)?;
            let name = range.visibility(attrs_end)?.1;
            let mut next = name + 1;
            let fields = if range.is_open(next, b'{') {
                next = range.after_group(next);
                Fields::Named(name + 1)
            } else if range.is_open(next, b'(') {
                next = range.after_group(next);
                Fields::Tuple(name + 1)
            } else {
                Fields::Unit
            };
            if range.is_punct(next, b'=') {
                next += 2;
            }
            let fields = self.field_shapes(range, fields)?;
            shapes.push(VariantShape { ident: self.seq.text_of(name).to_owned(), doc, serde, fields });
            at = next + 1;
        }
        Some(shapes)
    }

    /// The doc comment made of the doc comments among the attributes `first..end`.
    fn doc_comments(&self, first: usize, end: usize) -> String {
        let mut docs = Vec::new();
        let mut at = first;
        while at < end {
            match self.seq.kind(at) {
                Some(TokenKind::Doc) => docs.extend(doc_contents(self.seq.text_of(at))),
                Some(TokenKind::Open(_)) => at = self.seq.closing(at),
                _ => {}
            }
            at += 1;
        }
        join_doc(docs.into_iter())
    }

    /// The doc comment and serde attributes among the attributes `first..end`: from the doc
    /// comments alone where there is nothing else, else parsed by syn.
    fn doc_and_serde(&mut self, first: usize, end: usize) -> Option<(String, Serde)> {
        if first == end {
            return Some((String::new(), Serde::default()));
        }
        if let Some(serde) = self.serde_attrs(first, end) {
            return Some((self.doc_comments(first, end), serde));
        }
        let (attrs, _) = self.syn_attrs(first, end)?;
        Some((doc_comment(&attrs), Serde::from_attrs(&attrs)))
    }

    /// What the `#[serde(...)]` among the attributes `first..end` say, read from the tokens;
    /// None where syn should read them (a doc written as an attribute, a form not read here).
    fn serde_attrs(&self, first: usize, end: usize) -> Option<Serde> {
        let whole = Range::whole(self.seq);
        let mut serde = Serde::default();
        let mut at = first;
        while at < end {
            if self.seq.kind(at) != Some(TokenKind::Punct(b'#')) {
                at += 1;
                continue;
            }
            let open = at + 1;
            let inside = whole.nested(open)?;
            let Attr { segments, count } = inside.meta(open + 1)?;
            let name = self.seq.text_of(segments[0]);
            let leading_colon = segments[0] != open + 1;
            if count == 1 && name == "doc" {
                return None;
            }
            if count == 1 && name == "serde" && !leading_colon {
                let list = segments[0] + 1;
                if matches!(self.seq.kind(list), Some(TokenKind::Open(_))) {
                    whole.nested(list)?.serde_list(list + 1, &mut serde)?;
                }
            }
            at = whole.after_group(open);
        }
        Some(serde)
    }

    /// The line (from 1) and column (in characters, from 0) of byte `offset`, counted on from
    /// the place asked for last (places are mostly asked for in order).
    fn position(&mut self, offset: usize) -> (usize, usize) {
        let bytes = self.seq.text.as_bytes();
        let line = &mut self.line;
        if offset >= line.offset {
            let between = &bytes[line.offset..offset];
            let breaks = memchr::memchr_iter(b'\n', between).count();
            if breaks > 0 {
                line.number += breaks;
                line.start = line.offset + memchr::memrchr(b'\n', between).map_or(0, |at| at + 1);
            }
        } else {
            line.number -= memchr::memchr_iter(b'\n', &bytes[offset..line.offset]).count();
            line.start = memchr::memrchr(b'\n', &bytes[..offset]).map_or(0, |at| at + 1);
        }
        line.offset = offset;
        let before = &self.seq.text[self.line.start..offset];
        let column = if before.is_ascii() { before.len() } else { before.chars().count() };
        (self.line.number, column)
    }

    /// Where the token at `at` starts.
    fn location_of(&mut self, at: usize) -> Location {
        let (line, column) = self.position(self.seq.token(at).start());
        Location::new(self.path, saturating_u32(line), saturating_u32(column + 1))
    }
}

/// Whether an item's attributes include ours, and an `#[event]` among them; the stretch of
/// attributes from the first of ours or serde's to the last; whether a doc is written as an
/// attribute.
struct Ours {
    any: bool,
    event: bool,
    needed: Option<(usize, usize)>,
    written_doc: bool,
}

/// A line of the file: the place asked for last, the line's number and where it starts.
struct Line {
    offset: usize,
    number: usize,
    start: usize,
}

/// The delimiter an opening byte stands for.
fn delimiter(byte: u8) -> Delimiter {
    match byte {
        b'(' => Delimiter::Parenthesis,
        b'[' => Delimiter::Bracket,
        _ => Delimiter::Brace,
    }
}

/// Whether generic parameters follow `impl` at `at` rather than a `<T as Trait>::` type:
/// syn's `choose_generics_over_qpath`.
fn generics_follow(range: Range<'_, '_>, at: usize) -> bool {
    if !range.is_punct(at, b'<') {
        return false;
    }
    let second = at + 1;
    let named = range.kind(second) == Some(TokenKind::Lifetime) || range.is_ident(second);
    range.is_punct(second, b'>')
        || range.is_punct(second, b'#')
        || (named
            && (range.is_punct(second + 1, b'>')
                || range.is_punct(second + 1, b',')
                || (range.is_punct(second + 1, b':') && !range.colons(second + 1))
                || range.is_punct(second + 1, b'=')))
        || range.is_word(second, "const")
}
