//! Which files make up which target, and under which module path: `mod` declarations (with
//! `#[path]`) followed from each target's root file, as rustc follows them.

use crate::files::{join, parent};
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// A `mod name;` declaration whose module lives in another file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct ModDecl {
    /// The inline modules around the declaration, outermost first, each with its `#[path]`.
    pub(crate) inline: Vec<(String, Option<String>)>,
    /// The module's name.
    pub(crate) name: String,
    /// Its `#[path = "..."]`, if any.
    pub(crate) path: Option<String>,
}

/// The out-of-line module declarations in a file's tokens, including those inside inline
/// modules. The tokens must have passed the nesting check, which bounds the recursion here.
pub(crate) fn mod_decls(tokens: &TokenStream) -> Vec<ModDecl> {
    // Iterative, with a stack of inline module bodies, so that no nesting can exhaust the
    // thread's stack: the file need not pass the nesting limit for this.
    struct Frame {
        trees: Vec<TokenTree>,
        next: usize,
        path_attr: Option<String>,
    }
    let mut out = Vec::new();
    let mut inline: Vec<(String, Option<String>)> = Vec::new();
    let mut stack = vec![Frame { trees: tokens.clone().into_iter().collect(), next: 0, path_attr: None }];
    while let Some(frame) = stack.last_mut() {
        let i = frame.next;
        if i >= frame.trees.len() {
            stack.pop();
            if !stack.is_empty() {
                inline.pop();
            }
            continue;
        }
        match (&frame.trees[i], frame.trees.get(i + 1), frame.trees.get(i + 2)) {
            (TokenTree::Punct(pound), Some(TokenTree::Group(attr)), _)
                if pound.as_char() == '#' && attr.delimiter() == Delimiter::Bracket =>
            {
                if let Some(path) = path_attribute(attr.stream()) {
                    frame.path_attr = Some(path);
                }
                frame.next += 2;
            }
            (TokenTree::Ident(word), next, _) if word == "pub" => {
                let restricted =
                    matches!(next, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis);
                frame.next += if restricted { 2 } else { 1 };
            }
            (TokenTree::Ident(word), Some(TokenTree::Ident(name)), Some(body)) if word == "mod" => {
                let name = name.to_string();
                let name = name.strip_prefix("r#").map_or(name.clone(), str::to_owned);
                let path = frame.path_attr.take();
                frame.next += 3;
                match body {
                    TokenTree::Punct(semi) if semi.as_char() == ';' => {
                        out.push(ModDecl { inline: inline.clone(), name, path });
                    }
                    TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => {
                        let trees = group.stream().into_iter().collect();
                        inline.push((name, path));
                        stack.push(Frame { trees, next: 0, path_attr: None });
                    }
                    _ => {}
                }
            }
            _ => {
                frame.path_attr = None;
                frame.next += 1;
            }
        }
    }
    out
}

/// The value of a `path = "..."` attribute body.
fn path_attribute(attr: TokenStream) -> Option<String> {
    let mut trees = attr.into_iter();
    match (trees.next(), trees.next(), trees.next(), trees.next()) {
        (Some(TokenTree::Ident(key)), Some(TokenTree::Punct(eq)), Some(TokenTree::Literal(lit)), None)
            if key == "path" && eq.as_char() == '=' =>
        {
            syn::parse2::<syn::LitStr>(TokenTree::Literal(lit).into()).ok().map(|lit| lit.value())
        }
        _ => None,
    }
}

/// Where a file sits in a crate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Placement {
    /// Module path, such as `crate::handlers::orders`; the same file reached twice keeps the
    /// first path found.
    pub(crate) module: String,
    /// The targets whose module tree includes the file, by target key.
    pub(crate) targets: BTreeSet<String>,
}

/// Follows `mod` declarations from each target root and says where each reached file sits.
///
/// `roots` pairs a target key with its root file; `decls_of` gives a file's declarations (None
/// when it cannot be read); `exists` says whether a project file exists. All paths are relative
/// `/`-separated project paths.
pub(crate) fn place_files(
    roots: &[(String, String)],
    decls_of: &mut dyn FnMut(&str, bool) -> Option<Vec<ModDecl>>,
    exists: &dyn Fn(&str) -> bool,
) -> BTreeMap<String, Placement> {
    let mut placements: BTreeMap<String, Placement> = BTreeMap::new();
    for (target, root) in roots {
        let mut queue = VecDeque::from([(root.clone(), "crate".to_owned(), true)]);
        let mut seen = BTreeSet::new();
        while let Some((file, module, mod_rs)) = queue.pop_front() {
            if !seen.insert(file.clone()) {
                continue;
            }
            let placement = placements
                .entry(file.clone())
                .or_insert_with(|| Placement { module: module.clone(), targets: BTreeSet::new() });
            placement.targets.insert(target.clone());
            for decl in decls_of(&file, mod_rs).unwrap_or_default() {
                if let Some((child, child_mod_rs)) = resolve(&file, mod_rs, &decl, exists) {
                    let mut path = module.clone();
                    for (name, _) in &decl.inline {
                        path.push_str("::");
                        path.push_str(name);
                    }
                    path.push_str("::");
                    path.push_str(&decl.name);
                    queue.push_back((child, path, child_mod_rs));
                }
            }
        }
    }
    placements
}

/// The file a declaration in `file` refers to, and whether it is a mod-rs file (whose child
/// modules live beside it rather than in a folder named after it).
fn resolve(
    file: &str,
    mod_rs: bool,
    decl: &ModDecl,
    exists: &dyn Fn(&str) -> bool,
) -> Option<(String, bool)> {
    let parent = parent(file);
    let mut base = if mod_rs { parent.to_owned() } else { join(parent, stem(file))? };
    for (name, path) in &decl.inline {
        base = join(&base, path.as_deref().unwrap_or(name))?;
    }
    if let Some(path) = &decl.path {
        // Outside inline modules, `#[path]` is relative to the declaring file's folder. A file
        // loaded by `#[path]` owns its folder like a mod.rs does.
        let dir = if decl.inline.is_empty() { parent } else { &base };
        let child = join(dir, path)?;
        return exists(&child).then_some((child, true));
    }
    let flat = join(&base, &format!("{}.rs", decl.name))?;
    if exists(&flat) {
        return Some((flat, false));
    }
    let nested = join(&base, &format!("{}/mod.rs", decl.name))?;
    exists(&nested).then_some((nested, true))
}

fn stem(path: &str) -> &str {
    let name = path.rfind('/').map_or(path, |slash| &path[slash + 1..]);
    name.strip_suffix(".rs").unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decls(src: &str) -> Vec<ModDecl> {
        mod_decls(&src.parse().unwrap())
    }

    #[test]
    fn finds_out_of_line_modules_with_paths_and_inline_parents() {
        let found = decls(
            r#"
            //! mod in_a_comment;
            #![allow(dead_code)]
            pub mod orders;
            #[cfg(test)]
            mod tests;
            #[path = "platform/unix.rs"]
            pub(crate) mod imp;
            mod inline {
                #[path = "deep.rs"] mod deeper;
                mod child;
                fn f() { let s = "mod not_a_module;"; }
            }
            macro_rules! m { () => { mod generated; } }
            mod r#async;
            "#,
        );
        let summary: Vec<String> = found
            .iter()
            .map(|decl| {
                let chain: Vec<&str> = decl.inline.iter().map(|(name, _)| name.as_str()).collect();
                format!("{}{}{:?}", chain.join("/"), decl.name, decl.path)
            })
            .collect();
        assert_eq!(
            summary,
            [
                "ordersNone",
                "testsNone",
                "impSome(\"platform/unix.rs\")",
                "inlinedeeperSome(\"deep.rs\")",
                "inlinechildNone",
                "asyncNone"
            ]
        );
    }

    #[test]
    fn places_files_by_rustc_rules() {
        let files: BTreeSet<&str> = [
            "api/src/lib.rs",
            "api/src/orders.rs",
            "api/src/orders/create.rs",
            "api/src/store/mod.rs",
            "api/src/store/memory.rs",
            "api/src/platform/unix.rs",
            "api/src/platform/helpers.rs",
            "api/src/inline/child.rs",
            "api/src/bin/admin.rs",
            "api/src/unreached.rs",
        ]
        .into();
        let sources: BTreeMap<&str, &str> = [
            ("api/src/lib.rs", "mod orders; pub mod store; #[path = \"platform/unix.rs\"] mod imp; mod inline { mod child; }"),
            ("api/src/orders.rs", "mod create;"),
            ("api/src/store/mod.rs", "mod memory;"),
            ("api/src/platform/unix.rs", "mod helpers;"),
            ("api/src/bin/admin.rs", "#[path = \"../orders/create.rs\"] mod create;"),
        ]
        .into();
        let roots = [
            ("lib".to_owned(), "api/src/lib.rs".to_owned()),
            ("bin:admin".to_owned(), "api/src/bin/admin.rs".to_owned()),
        ];
        let placements = place_files(
            &roots,
            &mut |file, _| Some(sources.get(file).map(|src| decls(src)).unwrap_or_default()),
            &|file| files.contains(file),
        );
        let summary: Vec<String> = placements
            .iter()
            .map(|(file, place)| format!("{file} {} {:?}", place.module, place.targets))
            .collect();
        assert_eq!(
            summary,
            [
                "api/src/bin/admin.rs crate {\"bin:admin\"}",
                "api/src/inline/child.rs crate::inline::child {\"lib\"}",
                "api/src/lib.rs crate {\"lib\"}",
                "api/src/orders.rs crate::orders {\"lib\"}",
                "api/src/orders/create.rs crate::orders::create {\"bin:admin\", \"lib\"}",
                "api/src/platform/helpers.rs crate::imp::helpers {\"lib\"}",
                "api/src/platform/unix.rs crate::imp {\"lib\"}",
                "api/src/store/memory.rs crate::store::memory {\"lib\"}",
                "api/src/store/mod.rs crate::store {\"lib\"}",
            ]
        );
    }

    #[test]
    fn module_cycles_and_escapes_end() {
        let files: BTreeSet<&str> = ["src/lib.rs", "src/a.rs"].into();
        let sources: BTreeMap<&str, &str> = [
            ("src/lib.rs", "mod a; #[path = \"../../../etc/x.rs\"] mod out;"),
            ("src/a.rs", "#[path = \"lib.rs\"] mod again;"),
        ]
        .into();
        let placements = place_files(
            &[("lib".to_owned(), "src/lib.rs".to_owned())],
            &mut |file, _| Some(sources.get(file).map(|src| decls(src)).unwrap_or_default()),
            &|file| files.contains(file),
        );
        assert_eq!(placements.keys().collect::<Vec<_>>(), ["src/a.rs", "src/lib.rs"]);
    }
}
