//! The one grammar of flowdoc's attributes.
//!
//! Two readers use it and no one else parses these attributes: the attribute macros of
//! `flowdoc-annotations`, which turn a malformed attribute into a compile error at the offending
//! token, and flowdoc's source scanner, which reads the same attributes from source without
//! compiling it. Keeping both on this crate means the scanner accepts exactly what compiles.
//!
//! ```text
//! #[event_producer(EVENT, to = RESOURCE [, function = "LogicalId"])]
//! #[event_consumer(EVENT, from = RESOURCE [, function = "LogicalId"])]
//! #[event] | #[event(name = "order.placed", version = 2)]
//!
//! EVENT    := a type path | "EventName"
//! RESOURCE := "LogicalId" | env("VARIABLE")
//! ```

use proc_macro2::Span;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Ident, LitInt, LitStr, Path, Token, token};

mod kw {
    syn::custom_keyword!(env);
}

/// Whether a handler attribute declares a producer or a consumer. With the `serde` feature it
/// is written and read as `producer` or `consumer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "kebab-case"))]
pub enum Role {
    /// `#[event_producer(...)]`: the handler writes or publishes the event to a resource.
    Producer,
    /// `#[event_consumer(...)]`: the handler is triggered by the event from a resource.
    Consumer,
}

impl Role {
    /// The attribute's name as users write it.
    pub fn attribute_name(self) -> &'static str {
        match self {
            Role::Producer => "event_producer",
            Role::Consumer => "event_consumer",
        }
    }

    /// The key that names the resource: `to` for producers, `from` for consumers.
    pub fn resource_key(self) -> &'static str {
        match self {
            Role::Producer => "to",
            Role::Consumer => "from",
        }
    }

    /// The role whose attribute is called `name`, if any.
    pub fn from_attribute_name(name: &str) -> Option<Role> {
        match name {
            "event_producer" => Some(Role::Producer),
            "event_consumer" => Some(Role::Consumer),
            _ => None,
        }
    }
}

/// The event an attribute names.
#[derive(Clone, Debug)]
pub enum EventRef {
    /// A Rust type; the macro makes the compiler check that it exists.
    Type(Path),
    /// An event with no Rust type, named by a string literal.
    Name(LitStr),
}

impl EventRef {
    /// The name the event goes by unless an `#[event(name = ...)]` on its type renames it: the
    /// last segment of the type path, or the string.
    pub fn written_name(&self) -> String {
        match self {
            EventRef::Type(path) => {
                path.segments.last().map(|segment| segment.ident.to_string()).unwrap_or_default()
            }
            EventRef::Name(lit) => lit.value(),
        }
    }

    /// Where the event is written in the attribute.
    pub fn span(&self) -> Span {
        match self {
            EventRef::Type(path) => path.span(),
            EventRef::Name(lit) => lit.span(),
        }
    }
}

/// The template resource an attribute names with `to` or `from`.
#[derive(Clone, Debug)]
pub enum ResourceRef {
    /// A logical ID, as in `to = "OrdersTable"`.
    LogicalId(LitStr),
    /// An environment variable of the function, as in `to = env("ORDERS_TABLE")`, resolved to the
    /// resource its value references.
    Env(LitStr),
}

impl ResourceRef {
    /// Where the resource is written in the attribute.
    pub fn span(&self) -> Span {
        match self {
            ResourceRef::LogicalId(lit) | ResourceRef::Env(lit) => lit.span(),
        }
    }
}

/// The arguments of `#[event_producer(...)]` or `#[event_consumer(...)]`.
#[derive(Clone, Debug)]
pub struct HandlerArgs {
    /// Producer or consumer.
    pub role: Role,
    /// The event produced or consumed.
    pub event: EventRef,
    /// Where it is written to (`to`) or read from (`from`).
    pub resource: ResourceRef,
    /// The template function the handler belongs to, where the crate alone does not say.
    pub function: Option<LitStr>,
}

impl HandlerArgs {
    /// A parser for the arguments of the attribute of `role`, for
    /// [`syn::Attribute::parse_args_with`] or [`Parser::parse2`].
    pub fn parser(role: Role) -> impl Parser<Output = HandlerArgs> {
        move |input: ParseStream<'_>| HandlerArgs::parse(input, role)
    }

    /// Parses the arguments of the attribute of `role`.
    pub fn parse(input: ParseStream<'_>, role: Role) -> syn::Result<HandlerArgs> {
        let event = parse_event(input, role)?;
        let mut resource: Option<ResourceRef> = None;
        let mut function: Option<LitStr> = None;
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let key = parse_key(input)?;
            let key_name = key.to_string();
            match key_name.as_str() {
                "to" | "from" if key_name != role.resource_key() => {
                    return Err(syn::Error::new(key.span(), wrong_direction(role)));
                }
                "to" | "from" => {
                    reject_duplicate(&key, resource.is_some())?;
                    input.parse::<Token![=]>()?;
                    resource = Some(parse_resource(input)?);
                }
                "function" => {
                    reject_duplicate(&key, function.is_some())?;
                    input.parse::<Token![=]>()?;
                    function = Some(parse_nonempty_str(input, "the function's logical ID")?);
                }
                _ => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!(
                            "unknown key `{key}` in #[{}]: expected `{}` or `function`",
                            role.attribute_name(),
                            role.resource_key()
                        ),
                    ));
                }
            }
        }
        let Some(resource) = resource else {
            return Err(syn::Error::new(event.span(), missing_resource(role)));
        };
        Ok(HandlerArgs { role, event, resource, function })
    }
}

/// The arguments of `#[event]` or `#[event(name = "...", version = N)]` on an event type.
#[derive(Clone, Debug, Default)]
pub struct EventArgs {
    /// The event's name where it differs from the type's name.
    pub name: Option<LitStr>,
    /// The schema version, 1 or more.
    pub version: Option<LitInt>,
}

impl EventArgs {
    /// Parses the arguments of `#[event(...)]`; empty input is a bare `#[event]`.
    pub fn parse(input: ParseStream<'_>) -> syn::Result<EventArgs> {
        let mut args = EventArgs::default();
        while !input.is_empty() {
            let key = parse_key(input)?;
            match key.to_string().as_str() {
                "name" => {
                    reject_duplicate(&key, args.name.is_some())?;
                    input.parse::<Token![=]>()?;
                    args.name = Some(parse_nonempty_str(input, "the event's name")?);
                }
                "version" => {
                    reject_duplicate(&key, args.version.is_some())?;
                    input.parse::<Token![=]>()?;
                    let lit: LitInt = input.parse().map_err(|error| {
                        syn::Error::new(
                            error.span(),
                            "expected the version as a whole number, as in `version = 2`",
                        )
                    })?;
                    match lit.base10_parse::<u32>() {
                        Ok(version) if version >= 1 => args.version = Some(lit),
                        _ => {
                            return Err(syn::Error::new(
                                lit.span(),
                                "the version is a whole number from 1 up",
                            ));
                        }
                    }
                }
                _ => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!("unknown key `{key}` in #[event]: expected `name` or `version`"),
                    ));
                }
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(args)
    }

    /// The schema version: the one written, or 1.
    pub fn version_number(&self) -> u32 {
        self.version.as_ref().and_then(|lit| lit.base10_parse().ok()).unwrap_or(1)
    }
}

fn parse_event(input: ParseStream<'_>, role: Role) -> syn::Result<EventRef> {
    let expected = format!(
        "expected the event as a type path or a string literal, as in #[{}(OrderPlaced, {} = \"OrdersTable\")]",
        role.attribute_name(),
        role.resource_key()
    );
    if input.is_empty() {
        return Err(input.error(expected));
    }
    if input.peek(LitStr) {
        return parse_nonempty_str(input, "the event's name").map(EventRef::Name);
    }
    if input.peek(Ident) && input.peek2(Token![=]) && !input.peek2(Token![==]) {
        return Err(input.error(format!("the first argument names the event; {expected}")));
    }
    check_length(input)?;
    input.parse::<Path>().map(EventRef::Type).map_err(|error| syn::Error::new(error.span(), expected))
}

/// Most tokens the arguments may have from the event type on, counting those inside brackets.
///
/// syn parses a type recursively and without a limit, so an event type nested thousands of levels
/// deep (`A<A<A<...>>>`, `[[[...]]]`) would overflow the stack, of the compiler running the macro
/// or of flowdoc's scanner, instead of being an error. Every level takes at least one token, so
/// bounding the tokens bounds the recursion; real arguments have a dozen or two.
const MAX_ARGUMENT_TOKENS: usize = 64;

/// Refuses the rest of `input` if it is longer than [`MAX_ARGUMENT_TOKENS`], at the first token
/// over the limit. Counts without recursing, so that it cannot overflow the stack itself.
fn check_length(input: ParseStream<'_>) -> syn::Result<()> {
    let mut cursor = input.cursor();
    let mut groups: Vec<proc_macro2::token_stream::IntoIter> = Vec::new();
    let mut count = 0;
    loop {
        let tree = match groups.last_mut() {
            Some(group) => match group.next() {
                Some(tree) => tree,
                None => {
                    groups.pop();
                    continue;
                }
            },
            None => match cursor.token_tree() {
                Some((tree, next)) => {
                    cursor = next;
                    tree
                }
                None => return Ok(()),
            },
        };
        count += 1;
        if count > MAX_ARGUMENT_TOKENS {
            return Err(syn::Error::new(
                tree.span(),
                format!(
                    "the arguments are longer than the limit of {MAX_ARGUMENT_TOKENS} tokens; name the event \
                     with a plain type path, as in `events::OrderPlaced`"
                ),
            ));
        }
        if let proc_macro2::TokenTree::Group(group) = tree {
            groups.push(group.stream().into_iter());
        }
    }
}

fn parse_key(input: ParseStream<'_>) -> syn::Result<Ident> {
    input
        .parse::<Ident>()
        .map_err(|error| syn::Error::new(error.span(), "expected a key, as in `key = value`"))
}

fn parse_resource(input: ParseStream<'_>) -> syn::Result<ResourceRef> {
    if input.peek(LitStr) {
        return parse_nonempty_str(input, "the resource's logical ID").map(ResourceRef::LogicalId);
    }
    if input.peek(kw::env) && input.peek2(token::Paren) {
        input.parse::<kw::env>()?;
        let content;
        let parens = syn::parenthesized!(content in input);
        if content.is_empty() {
            return Err(syn::Error::new(
                parens.span.join(),
                "env() needs the name of an environment variable, as in env(\"ORDERS_TABLE\")",
            ));
        }
        let name = parse_nonempty_str(&content, "the environment variable's name")?;
        if !content.is_empty() {
            return Err(content.error("env() takes exactly one argument: the variable's name"));
        }
        return Ok(ResourceRef::Env(name));
    }
    Err(input.error(
        "expected the resource's logical ID as a string literal, as in \"OrdersTable\", or env(\"VARIABLE\")",
    ))
}

fn parse_nonempty_str(input: ParseStream<'_>, what: &str) -> syn::Result<LitStr> {
    let lit: LitStr = input
        .parse()
        .map_err(|error| syn::Error::new(error.span(), format!("expected {what} as a string literal")))?;
    if lit.value().trim().is_empty() {
        return Err(syn::Error::new(lit.span(), format!("{what} must not be empty")));
    }
    Ok(lit)
}

fn reject_duplicate(key: &Ident, seen: bool) -> syn::Result<()> {
    if seen {
        return Err(syn::Error::new(key.span(), format!("duplicate key `{key}`")));
    }
    Ok(())
}

fn wrong_direction(role: Role) -> &'static str {
    match role {
        Role::Producer => {
            "`from` is for #[event_consumer]; a producer names the resource it writes to with `to = \"LogicalId\"`"
        }
        Role::Consumer => {
            "`to` is for #[event_producer]; a consumer names the resource it is triggered from with `from = \"LogicalId\"`"
        }
    }
}

fn missing_resource(role: Role) -> String {
    match role {
        Role::Producer => "missing `to`: name the resource this handler writes the event to, as in \
                           `to = \"OrdersTable\"` or `to = env(\"ORDERS_TABLE\")`"
            .to_owned(),
        Role::Consumer => "missing `from`: name the resource this handler is triggered from, as in \
                           `from = \"OrdersQueue\"` or `from = env(\"ORDERS_QUEUE\")`"
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(src: &str) -> proc_macro2::TokenStream {
        src.parse().expect("test input lexes")
    }

    /// Parses `src` as the arguments of a handler attribute.
    fn handler(role: Role, src: &str) -> syn::Result<HandlerArgs> {
        HandlerArgs::parser(role).parse2(tokens(src))
    }

    fn event(src: &str) -> syn::Result<EventArgs> {
        EventArgs::parse.parse2(tokens(src))
    }

    fn error(result: syn::Result<impl std::fmt::Debug>) -> String {
        result.expect_err("expected a parse error").to_string()
    }

    #[test]
    fn producer_with_type_path_and_logical_id() {
        let args = handler(Role::Producer, r#"events::OrderPlaced, to = "OrdersTable""#).unwrap();
        assert_eq!(args.event.written_name(), "OrderPlaced");
        assert!(matches!(&args.resource, ResourceRef::LogicalId(lit) if lit.value() == "OrdersTable"));
        assert!(args.function.is_none());
    }

    #[test]
    fn consumer_with_string_event_env_and_function() {
        let args =
            handler(Role::Consumer, r#""order.placed", from = env("QUEUE_URL"), function = "Fulfil","#)
                .unwrap();
        assert_eq!(args.event.written_name(), "order.placed");
        assert!(matches!(&args.resource, ResourceRef::Env(lit) if lit.value() == "QUEUE_URL"));
        assert_eq!(args.function.unwrap().value(), "Fulfil");
    }

    #[test]
    fn keys_in_any_order() {
        let args = handler(Role::Producer, r#"E, function = "F", to = "T""#).unwrap();
        assert_eq!(args.function.unwrap().value(), "F");
    }

    #[test]
    fn malformed_handler_arguments() {
        let cases: &[(Role, &str, &str)] = &[
            (Role::Producer, r#"E, to = "T", bogus = "x""#, "unknown key `bogus`"),
            (Role::Producer, r#"E, to = "T", to = "U""#, "duplicate key `to`"),
            (Role::Producer, r#"E, function = "F", function = "G", to = "T""#, "duplicate key `function`"),
            (Role::Producer, "E", "missing `to`"),
            (Role::Consumer, "E", "missing `from`"),
            (Role::Consumer, r#"E, to = "T""#, "`to` is for #[event_producer]"),
            (Role::Producer, r#"E, from = "T""#, "`from` is for #[event_consumer]"),
            (Role::Producer, "E, to = OrdersTable", "expected the resource's logical ID as a string literal"),
            (Role::Producer, "E, to = 5", "expected the resource's logical ID as a string literal"),
            (Role::Producer, "E, to = env()", "env() needs the name of an environment variable"),
            (
                Role::Producer,
                "E, to = env(VAR)",
                "expected the environment variable's name as a string literal",
            ),
            (Role::Producer, r#"E, to = env("A", "B")"#, "env() takes exactly one argument"),
            (Role::Producer, r#"E, to = """#, "the resource's logical ID must not be empty"),
            (Role::Producer, r#"E, to = env("")"#, "the environment variable's name must not be empty"),
            (Role::Producer, r#""", to = "T""#, "the event's name must not be empty"),
            (Role::Producer, r#"E, to = "T", function = " ""#, "the function's logical ID must not be empty"),
            (Role::Producer, "", "expected the event as a type path or a string literal"),
            (Role::Producer, r#"to = "T""#, "the first argument names the event"),
            (Role::Producer, r#"5, to = "T""#, "expected the event as a type path or a string literal"),
            (Role::Producer, r#"E to = "T""#, "expected `,`"),
        ];
        for (role, src, expected) in cases {
            let message = error(handler(*role, src));
            assert!(message.contains(expected), "{src}: got {message:?}, expected {expected:?}");
        }
    }

    #[test]
    fn errors_point_at_the_offending_token() {
        let error = handler(Role::Consumer, r#"E, from = "Q", to = "T""#).unwrap_err();
        let start = error.span().start();
        assert_eq!((start.line, start.column), (1, 15), "points at `to`");
    }

    #[test]
    fn event_types_nested_without_bound_are_refused_not_overflowed() {
        // Right at the limit, the deepest shapes parse in a debug build within 2 MiB of stack
        // (measured; rustc's main thread, which runs macros, has 8 MiB): here on a thread with
        // room to spare, since a test thread has 2 MiB.
        let deepest = [
            format!("A{}{}", "<A".repeat(19), ">".repeat(19)),
            format!("A{}", "<A".repeat(29)),
            format!("A<{}T{}>", "[".repeat(56), "]".repeat(56)),
            format!("A<{}T{}>", "(".repeat(56), ")".repeat(56)),
            format!("A<{}T>", "&".repeat(56)),
            format!("A<{}T>", "fn() -> ".repeat(14)),
        ];
        let parse = move || {
            for event in deepest {
                let at_limit = format!("{event}, to = \"T\"");
                if let Err(error) = handler(Role::Producer, &at_limit) {
                    assert!(!error.to_string().contains("limit"), "{at_limit}: {error}");
                }
                let over = format!("{event}, to = \"T\", function = \"F\"");
                assert!(error_is_the_limit(handler(Role::Producer, &over)), "{over}");
            }
        };
        std::thread::Builder::new().stack_size(4 << 20).spawn(parse).unwrap().join().unwrap();

        let deep = format!("A{}{}, to = \"T\"", "<A".repeat(5_000), ">".repeat(5_000));
        let error = handler(Role::Producer, &deep).unwrap_err();
        let start = error.span().start();
        assert_eq!((start.line, start.column), (1, 64), "points at the first token over the limit");
        assert!(error_is_the_limit(Err(error)));
        let wide = format!("A<{}>, to = \"T\"", "(T), ".repeat(5_000));
        assert!(error_is_the_limit(handler(Role::Producer, &wide)));
    }

    fn error_is_the_limit(result: syn::Result<HandlerArgs>) -> bool {
        error(result).contains("the arguments are longer than the limit of 64 tokens")
    }

    #[test]
    fn event_arguments() {
        assert!(event("").unwrap().name.is_none());
        assert_eq!(event("").unwrap().version_number(), 1);
        let args = event(r#"name = "order.placed", version = 2"#).unwrap();
        assert_eq!(args.name.unwrap().value(), "order.placed");
        assert_eq!(event("version = 3,").unwrap().version_number(), 3);
    }

    #[test]
    fn malformed_event_arguments() {
        let cases: &[(&str, &str)] = &[
            ("nmae = \"x\"", "unknown key `nmae` in #[event]"),
            ("version = 1, version = 2", "duplicate key `version`"),
            ("version = 0", "the version is a whole number from 1 up"),
            ("version = \"2\"", "expected the version as a whole number"),
            ("name = \"\"", "the event's name must not be empty"),
            ("name = x", "expected the event's name as a string literal"),
        ];
        for (src, expected) in cases {
            let message = error(event(src));
            assert!(message.contains(expected), "{src}: got {message:?}, expected {expected:?}");
        }
    }
}
