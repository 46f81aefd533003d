//! The items of a lexed file that can hold annotations, so that syn parses those rather than
//! the whole file: lexing is several times faster than parsing, and in a handler's file most
//! items (helpers, tests, types) carry no annotation.
//!
//! The top level of the token stream is cut into items (an item ends at a `;`, or at a `{...}`
//! body not followed by `;`). Kept are the `use` and `extern crate` items (they say what the
//! attribute names mean) and every item in which, at any depth, an attribute mentions one of the
//! annotation names, the annotations crate, or a name one of the `use` items gives them with
//! `as`. Everything is iterative: no nesting can exhaust the stack here. A cut in the wrong
//! place can only make the kept tokens fail to parse, and the caller then parses the whole file.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use std::collections::BTreeSet;

/// The items of `tokens` worth parsing, in their order, with their original spans.
pub(crate) fn relevant_items(tokens: &TokenStream, annotations_crate: &str) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let names = attribute_names(&trees, annotations_crate);
    let mut kept = Vec::new();
    for item in items(&trees) {
        if is_import(item) || has_annotation(item, &names) {
            kept.extend(item.iter().cloned());
        }
    }
    kept.into_iter().collect()
}

/// The top-level items of a token list.
fn items(trees: &[TokenTree]) -> Vec<&[TokenTree]> {
    let mut items = Vec::new();
    let mut start = 0;
    let mut index = 0;
    while index < trees.len() {
        let ends = match &trees[index] {
            TokenTree::Punct(punct) => punct.as_char() == ';',
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => {
                !matches!(trees.get(index + 1), Some(TokenTree::Punct(next)) if next.as_char() == ';')
            }
            // An inner attribute, `#![...]`, stands alone.
            TokenTree::Group(group) if group.delimiter() == Delimiter::Bracket => {
                index == start + 2
                    && matches!(&trees[start], TokenTree::Punct(p) if p.as_char() == '#')
                    && matches!(&trees[start + 1], TokenTree::Punct(p) if p.as_char() == '!')
            }
            _ => false,
        };
        index += 1;
        if ends {
            items.push(&trees[start..index]);
            start = index;
        }
    }
    if start < trees.len() {
        items.push(&trees[start..]);
    }
    items
}

/// The first word of an item after its attributes and visibility.
fn keyword(item: &[TokenTree]) -> Option<String> {
    let mut index = 0;
    while index < item.len() {
        match &item[index] {
            TokenTree::Punct(punct) if punct.as_char() == '#' => index += 2,
            TokenTree::Ident(ident) if ident == "pub" => {
                index += 1;
                if matches!(item.get(index), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
                {
                    index += 1;
                }
            }
            TokenTree::Ident(ident) => return Some(ident.to_string()),
            _ => return None,
        }
    }
    None
}

fn is_import(item: &[TokenTree]) -> bool {
    matches!(keyword(item).as_deref(), Some("use" | "extern"))
}

/// Every identifier in a token list, at any depth.
fn idents(trees: &[TokenTree]) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack: Vec<TokenTree> = trees.iter().rev().cloned().collect();
    while let Some(tree) = stack.pop() {
        match tree {
            TokenTree::Ident(ident) => found.push(ident.to_string()),
            TokenTree::Group(group) => {
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                stack.extend(inner.into_iter().rev());
            }
            _ => {}
        }
    }
    found
}

/// The names an attribute of ours can go by in this file: the attributes' own names, the
/// annotations crate, and every `as` name of a `use` or `extern crate` that mentions either.
fn attribute_names(trees: &[TokenTree], annotations_crate: &str) -> BTreeSet<String> {
    let mut names: BTreeSet<String> =
        ["event_producer", "event_consumer", "event", annotations_crate, "flowdoc_annotations"]
            .iter()
            .map(|name| (*name).to_owned())
            .collect();
    // `use` items can stand in any module or block: look at every level.
    let mut levels: Vec<Vec<TokenTree>> = vec![trees.to_vec()];
    while let Some(level) = levels.pop() {
        for item in items(&level) {
            if is_import(item) {
                let words = idents(item);
                if words.iter().any(|word| names.contains(word)) {
                    for pair in words.windows(2) {
                        if pair[0] == "as" {
                            names.insert(pair[1].clone());
                        }
                    }
                }
            }
        }
        for tree in &level {
            if let TokenTree::Group(group) = tree {
                levels.push(group.stream().into_iter().collect());
            }
        }
    }
    names
}

/// Whether an attribute anywhere in the item mentions one of `names`.
fn has_annotation(item: &[TokenTree], names: &BTreeSet<String>) -> bool {
    let mut levels: Vec<Vec<TokenTree>> = vec![item.to_vec()];
    while let Some(level) = levels.pop() {
        for (index, tree) in level.iter().enumerate() {
            let TokenTree::Group(group) = tree else { continue };
            let after_pound =
                |at: usize| matches!(level.get(at), Some(TokenTree::Punct(p)) if p.as_char() == '#');
            let is_attribute = group.delimiter() == Delimiter::Bracket
                && index > 0
                && (after_pound(index - 1)
                    || (index > 1
                        && matches!(&level[index - 1], TokenTree::Punct(p) if p.as_char() == '!')
                        && after_pound(index - 2)));
            let inner: Vec<TokenTree> = group.stream().into_iter().collect();
            if is_attribute && idents(&inner).iter().any(|word| names.contains(word)) {
                return true;
            }
            levels.push(inner);
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(source: &str) -> String {
        let tokens: TokenStream = source.parse().unwrap();
        relevant_items(&tokens, "flowdoc_annotations").to_string()
    }

    #[test]
    fn keeps_imports_and_annotated_items_only() {
        let source = r#"
            #![allow(dead_code)]
            use flowdoc_annotations::{event_producer as produces, event};
            use std::fmt;
            const LIMIT: u32 = { 3 };
            struct Helper { a: u32 }
            impl Helper { fn f(&self) -> u32 { self.a } }
            #[produces(OrderPlaced, to = "Topic")]
            async fn publish(event: u32) {}
            #[event]
            pub struct OrderPlaced { pub id: String }
            mod inner { #[flowdoc_annotations::event_consumer(A, from = "Q")] fn on_a() {} }
            #[cfg(test)]
            mod tests { #[test] fn t() {} }
            fn with_a_parameter_named_event(event: u32) {}
        "#;
        let kept = kept(source);
        for wanted in
            ["use flowdoc_annotations", "use std :: fmt", "fn publish", "struct OrderPlaced", "mod inner"]
        {
            assert!(kept.contains(wanted), "{wanted} in {kept}");
        }
        for unwanted in ["LIMIT", "Helper", "mod tests", "with_a_parameter_named_event", "allow"] {
            assert!(!kept.contains(unwanted), "{unwanted} in {kept}");
        }
        syn::parse_str::<syn::File>(&kept).expect("the kept items parse");
    }

    #[test]
    fn items_end_at_semicolons_and_bodies() {
        let tokens: Vec<TokenTree> =
            "const C: S = S { a: 1 }; fn f() {} struct T; impl X for Y where Y: Z {} m! { }"
                .parse::<TokenStream>()
                .unwrap()
                .into_iter()
                .collect();
        let cut: Vec<String> = items(&tokens)
            .iter()
            .map(|item| item.iter().cloned().collect::<TokenStream>().to_string())
            .collect();
        assert_eq!(cut.len(), 5, "{cut:?}");
        assert!(cut[0].starts_with("const C") && cut[0].ends_with(';'));
    }
}
