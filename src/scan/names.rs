//! How source things are written for people: types as `Option<String>`, doc comments
//! unindented, and field names as serde serializes them.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;

/// Writes tokens the way rustfmt writes a type or path: `Option<String>`, `&'a mut [u8; 4]`,
/// `Box<dyn Fn(u8) -> u8 + Send>`, `HashMap<String, Vec<u8>>`.
pub(crate) fn tokens_to_string(tokens: TokenStream) -> String {
    let mut writer = TypeWriter::new();
    write_tokens(&mut writer, tokens);
    writer.finish()
}

/// A type as [`tokens_to_string`] writes it.
pub(crate) fn type_to_string(ty: &syn::Type) -> String {
    tokens_to_string(ty.to_token_stream())
}

/// What the last written token was, to decide on the space before the next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    Nothing,
    /// An identifier, literal or closed group.
    Word,
    /// A keyword that a group after it does not attach to: `mut [u8]`, `dyn (Trait)`.
    Keyword,
    /// An operator after which a space belongs: `,`, `;`, `->`, `+`, `=`, `:`.
    Spaced,
    /// Any other punctuation: `<`, `::`, `&`, `*`, `'`, ...
    Tight,
    /// `>` closing generics: a following word needs a space (`for<'a> fn`).
    Close,
}

/// Writes a type or path token by token with the spaces rustfmt puts between them: one set of
/// rules for the tokens syn parsed ([`tokens_to_string`]) and those the token reader kept
/// (`fast::grammar::type_text`).
pub(crate) struct TypeWriter {
    out: String,
    last: Last,
}

impl TypeWriter {
    /// Nothing written yet.
    pub(crate) fn new() -> TypeWriter {
        TypeWriter { out: String::new(), last: Last::Nothing }
    }

    /// An identifier, a keyword or (`literal`) a literal.
    pub(crate) fn word(&mut self, text: &str, literal: bool) {
        if matches!(self.last, Last::Word | Last::Keyword | Last::Spaced | Last::Close) {
            self.out.push(' ');
        }
        self.out.push_str(text);
        let keyword =
            !literal && matches!(text, "mut" | "const" | "dyn" | "impl" | "as" | "unsafe" | "extern");
        self.last = if keyword { Last::Keyword } else { Last::Word };
    }

    /// The opening delimiter of a group: `(`, `[`, `{ ` or nothing.
    pub(crate) fn open(&mut self, open: &str) {
        if matches!(self.last, Last::Spaced | Last::Keyword) || (self.last == Last::Close && open == "(") {
            self.out.push(' ');
        }
        self.out.push_str(open);
        self.last = Last::Nothing;
    }

    /// The closing delimiter of a group: what was before the group does not matter after it.
    pub(crate) fn close(&mut self, close: &str) {
        self.out.push_str(close);
        self.last = Last::Word;
    }

    /// An operator, its characters joined: `::`, `->`, `'` (before a lifetime's name), `&`.
    pub(crate) fn operator(&mut self, op: &str) {
        match op {
            "," | ";" | ":" => {
                self.out.push_str(op);
                self.last = Last::Spaced;
            }
            "->" | "=>" | "+" | "=" => {
                if self.last != Last::Nothing {
                    self.out.push(' ');
                }
                self.out.push_str(op);
                self.last = Last::Spaced;
            }
            ">" | ">>" => {
                self.out.push_str(op);
                self.last = Last::Close;
            }
            _ => {
                if matches!(self.last, Last::Spaced | Last::Keyword) || (self.last == Last::Word && op == "'")
                {
                    self.out.push(' ');
                }
                self.out.push_str(op);
                self.last = Last::Tight;
            }
        }
    }

    /// What was written.
    pub(crate) fn finish(self) -> String {
        self.out
    }
}

fn write_tokens(writer: &mut TypeWriter, tokens: TokenStream) {
    let mut trees = tokens.into_iter().peekable();
    while let Some(tree) = trees.next() {
        match tree {
            TokenTree::Ident(ident) => writer.word(&ident.to_string(), false),
            TokenTree::Literal(literal) => writer.word(&literal.to_string(), true),
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{ ", " }"),
                    Delimiter::None => ("", ""),
                };
                writer.open(open);
                write_tokens(writer, group.stream());
                writer.close(close);
            }
            TokenTree::Punct(punct) => {
                let mut op = punct.as_char().to_string();
                let mut spacing = punct.spacing();
                while spacing == Spacing::Joint && op != "'" {
                    let Some(TokenTree::Punct(next)) = trees.peek() else { break };
                    op.push(next.as_char());
                    spacing = next.spacing();
                    trees.next();
                }
                writer.operator(&op);
            }
        }
    }
}

/// The doc comment made of `#[doc = "..."]` attributes: lines joined, common indentation and
/// surrounding blank lines removed.
pub(crate) fn doc_comment(attrs: &[syn::Attribute]) -> String {
    let mut values = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(syn::MetaNameValue {
            value: syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }),
            ..
        }) = &attr.meta
        {
            values.push(text.value());
        }
    }
    join_doc(values.iter().map(String::as_str))
}

/// The doc comment made of the values of `#[doc = "..."]` attributes, as [`doc_comment`].
pub(crate) fn join_doc<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let lines: Vec<&str> = values.flat_map(|value| value.split('\n')).collect();
    let indent = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let lines: Vec<&str> = lines.iter().map(|line| line.get(indent..).unwrap_or("").trim_end()).collect();
    lines.join("\n").trim_matches('\n').to_owned()
}

/// What `#[serde(...)]` says about a container, field or variant.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Serde {
    /// `rename = "..."` (or its `serialize = "..."` form).
    pub(crate) rename: Option<String>,
    /// `rename_all = "..."` (or its `serialize = "..."` form).
    pub(crate) rename_all: Option<String>,
    /// `skip` or `skip_serializing`.
    pub(crate) skip: bool,
}

impl Serde {
    /// Reads the `#[serde(...)]` attributes among `attrs`; what it does not understand it leaves.
    pub(crate) fn from_attrs(attrs: &[syn::Attribute]) -> Serde {
        let mut serde = Serde::default();
        for attr in attrs.iter().filter(|attr| attr.path().is_ident("serde")) {
            // Arguments flowdoc does not use (`default`, `with = ...`, ...) are skipped over.
            let _ = attr.parse_nested_meta(|meta| {
                let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
                match key.as_str() {
                    "rename" => serde.rename = serialized_name(&meta)?,
                    "rename_all" => serde.rename_all = serialized_name(&meta)?,
                    "skip" | "skip_serializing" => serde.skip = true,
                    _ => skip_value(&meta)?,
                }
                Ok(())
            });
        }
        serde
    }

    /// The serialized name of `name` (a field or variant) under these attributes and the
    /// container's `rename_all`.
    pub(crate) fn name(&self, name: &str, container_rule: Option<&str>) -> String {
        match (&self.rename, container_rule) {
            (Some(renamed), _) => renamed.clone(),
            (None, Some(rule)) => apply_rename_rule(name, rule),
            (None, None) => name.to_owned(),
        }
    }
}

/// The value of `key = "..."` or of `key(serialize = "...")`.
fn serialized_name(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<Option<String>> {
    if meta.input.peek(syn::Token![=]) {
        let lit: syn::LitStr = meta.value()?.parse()?;
        return Ok(Some(lit.value()));
    }
    let mut name = None;
    meta.parse_nested_meta(|inner| {
        let value: syn::LitStr = inner.value()?.parse()?;
        if inner.path.is_ident("serialize") {
            name = Some(value.value());
        }
        Ok(())
    })?;
    Ok(name)
}

/// Consumes the value of an argument flowdoc does not use.
fn skip_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.input.parse::<proc_macro2::Group>()?;
    }
    Ok(())
}

/// Renames `name` by a serde `rename_all` rule. Field names are snake_case in Rust and variant
/// names PascalCase; both are split into words first.
fn apply_rename_rule(name: &str, rule: &str) -> String {
    let words = split_words(name);
    let lower: Vec<String> = words.iter().map(|word| word.to_lowercase()).collect();
    let capitalized: Vec<String> = lower
        .iter()
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
        })
        .collect();
    match rule {
        "lowercase" => lower.concat(),
        "UPPERCASE" => lower.concat().to_uppercase(),
        "PascalCase" => capitalized.concat(),
        "camelCase" => match lower.split_first() {
            Some((first, rest)) => format!("{first}{}", capitalized[1..=rest.len()].concat()),
            None => String::new(),
        },
        "snake_case" => lower.join("_"),
        "SCREAMING_SNAKE_CASE" => lower.join("_").to_uppercase(),
        "kebab-case" => lower.join("-"),
        "SCREAMING-KEBAB-CASE" => lower.join("-").to_uppercase(),
        _ => name.to_owned(),
    }
}

/// `order_id` → [order, id]; `OrderPlaced` → [Order, Placed].
fn split_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for ch in name.chars() {
        if ch == '_' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
        } else if ch.is_uppercase() && !current.is_empty() {
            words.push(std::mem::replace(&mut current, ch.to_string()));
        } else {
            current.push(ch);
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(src: &str) -> String {
        type_to_string(&syn::parse_str(src).expect("a type"))
    }

    #[test]
    fn types_are_written_normalized() {
        let cases = [
            ("Option < String >", "Option<String>"),
            (
                "std :: collections :: HashMap < String , Vec < u8 > >",
                "std::collections::HashMap<String, Vec<u8>>",
            ),
            ("& 'a mut [u8 ; 4]", "&'a mut [u8; 4]"),
            ("Box < dyn Fn (u8) -> u8 + Send + 'static >", "Box<dyn Fn(u8) -> u8 + Send + 'static>"),
            ("* const u8", "*const u8"),
            ("(String , u32)", "(String, u32)"),
            ("< T as Iterator > :: Item", "<T as Iterator>::Item"),
            ("impl Iterator < Item = u8 >", "impl Iterator<Item = u8>"),
            ("for < 'a > fn (& 'a str) -> & 'a str", "for<'a> fn(&'a str) -> &'a str"),
            ("Vec<Option<Box<u8>>>", "Vec<Option<Box<u8>>>"),
            ("[u8]", "[u8]"),
            ("()", "()"),
            ("&mut (u8, u8)", "&mut (u8, u8)"),
            ("*mut *const u8", "*mut *const u8"),
            ("Box<dyn Error + Send + Sync>", "Box<dyn Error + Send + Sync>"),
            ("unsafe extern \"C\" fn(u8)", "unsafe extern \"C\" fn(u8)"),
        ];
        for (input, expected) in cases {
            assert_eq!(ty(input), expected, "{input}");
        }
    }

    #[test]
    fn doc_comments_are_unindented() {
        let item: syn::ItemStruct = syn::parse_str(
            "/// An order.\n///\n///   Indented detail.\n#[derive(Debug)]\n/** Block\n  more */\nstruct S;",
        )
        .unwrap();
        assert_eq!(doc_comment(&item.attrs), "An order.\n\n  Indented detail.\nBlock\n more");
    }

    #[test]
    fn serde_renames() {
        let item: syn::ItemStruct = syn::parse_str(
            r#"#[serde(rename_all = "camelCase", deny_unknown_fields)]
            struct S {
                #[serde(default, rename = "ID")] order_id: String,
                correlation_id: String,
                #[serde(skip_serializing_if = "Option::is_none")] total_cents: Option<u64>,
                #[serde(skip)] cache: u8,
                #[serde(rename(serialize = "out", deserialize = "in"))] both: u8,
            }"#,
        )
        .unwrap();
        let container = Serde::from_attrs(&item.attrs);
        assert_eq!(container.rename_all.as_deref(), Some("camelCase"));
        let names: Vec<(String, bool)> = item
            .fields
            .iter()
            .map(|field| {
                let serde = Serde::from_attrs(&field.attrs);
                let name = field.ident.as_ref().unwrap().to_string();
                (serde.name(&name, container.rename_all.as_deref()), serde.skip)
            })
            .collect();
        assert_eq!(
            names,
            [
                ("ID".to_owned(), false),
                ("correlationId".to_owned(), false),
                ("totalCents".to_owned(), false),
                ("cache".to_owned(), true),
                ("out".to_owned(), false),
            ]
        );
    }

    #[test]
    fn rename_rules() {
        let cases = [
            ("order_id", "SCREAMING_SNAKE_CASE", "ORDER_ID"),
            ("order_id", "kebab-case", "order-id"),
            ("order_id", "PascalCase", "OrderId"),
            ("OrderPlaced", "snake_case", "order_placed"),
            ("OrderPlaced", "camelCase", "orderPlaced"),
            ("OrderPlaced", "SCREAMING-KEBAB-CASE", "ORDER-PLACED"),
            ("OrderPlaced", "lowercase", "orderplaced"),
            ("id", "no-such-rule", "id"),
        ];
        for (name, rule, expected) in cases {
            assert_eq!(apply_rename_rule(name, rule), expected, "{name} {rule}");
        }
    }
}
