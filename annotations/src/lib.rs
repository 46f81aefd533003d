//! Attributes that say where Lambda handlers produce and consume events, for
//! [flowdoc](https://github.com/flowdoc/flowdoc).
//!
//! flowdoc reads these attributes from source, joins them with the SAM or CloudFormation
//! template, and draws and checks the event flow. At compile time they leave the item as it is
//! (no runtime cost) and only check what they can: that an event given as a type path names a
//! type that exists, and that the arguments are well formed. A malformed attribute is one compile
//! error that points at the offending token.
//!
//! ```
//! use flowdoc_annotations::{event, event_consumer, event_producer};
//!
//! /// An order was accepted. Emitted once per new order.
//! #[event]
//! pub struct OrderPlaced {
//!     /// Joins every log line and event of one order.
//!     pub correlation_id: String,
//!     pub order_id: String,
//! }
//!
//! /// POST /orders: validates the order and stores it.
//! #[event_producer(OrderPlaced, to = "OrdersTable")]
//! async fn create_order() {}
//!
//! #[event_consumer(OrderPlaced, from = "OrdersTable")]
//! #[event_producer(OrderPlaced, to = env("ORDER_EVENTS_TOPIC_ARN"))]
//! async fn publish_changes() {}
//!
//! #[event_consumer("order.audited", from = "AuditQueue", function = "AuditFunction")]
//! async fn audit() {}
//! # fn main() {}
//! ```
//!
//! The grammar lives in `flowdoc-annotations-syntax`, which flowdoc's scanner uses too.

use flowdoc_annotations_syntax::{EventArgs, EventRef, HandlerArgs, Role};
use proc_macro::TokenStream;
use proc_macro2::{Delimiter, Group, TokenStream as TokenStream2, TokenTree};
use quote::{ToTokens, quote_spanned};
use syn::parse::Parser;
use syn::spanned::Spanned;

/// Marks a handler that writes or publishes an event to a template resource.
///
/// `#[event_producer(Event, to = "LogicalId")]`, `to = env("VARIABLE")` for a resource named by
/// one of the function's environment variables, and optionally `function = "LogicalId"` to tie
/// the handler to a template function. The event is a type path or a string literal.
#[proc_macro_attribute]
pub fn event_producer(args: TokenStream, item: TokenStream) -> TokenStream {
    handler_attribute(Role::Producer, args, item)
}

/// Marks a handler that is triggered by an event from a template resource.
///
/// `#[event_consumer(Event, from = "LogicalId")]`, `from = env("VARIABLE")`, and optionally
/// `function = "LogicalId"`. The event is a type path or a string literal.
#[proc_macro_attribute]
pub fn event_consumer(args: TokenStream, item: TokenStream) -> TokenStream {
    handler_attribute(Role::Consumer, args, item)
}

/// Marks a struct or enum as an event type whose fields and doc comments make the event's schema.
///
/// `#[event]`, or `#[event(name = "order.placed", version = 2)]` where the event's name is not
/// the type's name or its schema has a version other than 1.
#[proc_macro_attribute]
pub fn event(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = TokenStream2::from(item);
    let checked = EventArgs::parse.parse(args).and_then(|_| match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Struct(_) | syn::Item::Enum(_)) | Err(_) => Ok(()),
        Ok(other) => Err(syn::Error::new(
            item_keyword_span(&other),
            "#[event] goes on the struct or enum that defines the event",
        )),
    });
    emit(item, checked.map(|()| None))
}

fn handler_attribute(role: Role, args: TokenStream, item: TokenStream) -> TokenStream {
    let item = TokenStream2::from(item);
    let check = HandlerArgs::parser(role).parse(args).and_then(|args| type_check(role, &args, &item));
    emit(item, check)
}

/// Where the compile-time check that the event type exists goes.
enum Check {
    /// A statement at the start of the function's body; works for methods inside `impl` blocks.
    InBody(TokenStream2),
    /// An item beside a struct, enum or impl.
    Beside(TokenStream2),
}

/// Emits the item with its check, or the unchanged item and the error, so the user sees exactly
/// one message and no follow-on errors about the item.
fn emit(item: TokenStream2, check: syn::Result<Option<Check>>) -> TokenStream {
    match check {
        Ok(None) => item,
        Ok(Some(Check::InBody(statement))) => insert_into_body(item, statement),
        Ok(Some(Check::Beside(check))) => {
            let mut tokens = item;
            tokens.extend(check);
            tokens
        }
        Err(error) => {
            let mut tokens = item;
            tokens.extend(error.to_compile_error());
            tokens
        }
    }
    .into()
}

fn type_check(role: Role, args: &HandlerArgs, item: &TokenStream2) -> syn::Result<Option<Check>> {
    // An item rustc accepted but syn cannot read as a module item: rustc reports any real
    // problem itself, and the scanner reads the attribute from source either way.
    let Ok(parsed) = syn::parse2::<syn::Item>(item.clone()) else {
        return Ok(None);
    };
    let place_error = || {
        syn::Error::new(
            item_keyword_span(&parsed),
            format!(
                "#[{}] goes on a handler: a function or method with a body, or the struct, enum \
                 or impl that implements it",
                role.attribute_name()
            ),
        )
    };
    let path = match &args.event {
        EventRef::Type(path) => path,
        EventRef::Name(_) => {
            return match parsed {
                syn::Item::Fn(_) | syn::Item::Struct(_) | syn::Item::Enum(_) | syn::Item::Impl(_) => Ok(None),
                _ => Err(place_error()),
            };
        }
    };
    let span = path.span();
    match parsed {
        syn::Item::Fn(_) => Ok(Some(Check::InBody(quote_spanned! {span=>
            let _: ::core::marker::PhantomData<#path>;
        }))),
        syn::Item::Struct(_) | syn::Item::Enum(_) | syn::Item::Impl(_) => {
            Ok(Some(Check::Beside(quote_spanned! {span=>
                const _: ::core::marker::PhantomData<#path> = ::core::marker::PhantomData;
            })))
        }
        _ => Err(place_error()),
    }
}

/// Puts `statement` first in the body of the function `item`, leaving every other token as it
/// was: the body is the item's last token tree.
fn insert_into_body(item: TokenStream2, statement: TokenStream2) -> TokenStream2 {
    let mut trees: Vec<TokenTree> = item.into_iter().collect();
    if let Some(TokenTree::Group(body)) = trees.last_mut()
        && body.delimiter() == Delimiter::Brace
    {
        let mut stream = statement;
        stream.extend(body.stream());
        let mut group = Group::new(Delimiter::Brace, stream);
        group.set_span(body.span());
        *body = group;
    }
    trees.into_iter().collect()
}

/// The span of the item's leading keyword or name, where a misplacement error reads best.
fn item_keyword_span(item: &syn::Item) -> proc_macro2::Span {
    item.to_token_stream()
        .into_iter()
        .find(|tree| !matches!(tree, TokenTree::Punct(p) if p.as_char() == '#') && !is_bracket_group(tree))
        .map_or_else(proc_macro2::Span::call_site, |tree| tree.span())
}

fn is_bracket_group(tree: &TokenTree) -> bool {
    matches!(tree, TokenTree::Group(group) if group.delimiter() == Delimiter::Bracket)
}
