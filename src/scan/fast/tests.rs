//! The token reader against the syn path: wherever the reader answers, its findings and
//! module declarations must be exactly those of syn on the same kept text (or, where that does
//! not parse, on the whole file, as `parse_source` does), and it must answer for nearly every
//! annotated file. Compared on every Rust file of the repository, on a synthetic monorepo, on
//! tricky inputs, and on those files with tokens deleted or added (where syn fails, the reader
//! must give up).

#[path = "../../../examples/synth/generate/mod.rs"]
mod generate;

use super::read;
use crate::scan::extract::{self, FileFindings};
use crate::scan::lex;
use crate::scan::modules::{self, ModDecl};
use crate::scan::skim::{self, Keep};

const CRATE: &str = "flowdoc_annotations";
const NESTING: usize = 256;

type Outcome = Result<(FileFindings, Vec<ModDecl>), String>;

/// What the syn path of `parse_source` gives for `text`.
fn by_syn(path: &str, text: &str, max_nesting: usize) -> Outcome {
    let parse = |source: &str| -> Result<(syn::File, Vec<ModDecl>), String> {
        let tokens = lex::lex(path, source).map_err(|problem| problem.message)?;
        let mods = modules::mod_decls(&tokens);
        lex::check_nesting(path, &tokens, max_nesting).map_err(|problem| problem.message)?;
        let file = syn::parse2::<syn::File>(tokens).map_err(|error| error.to_string())?;
        Ok((file, mods))
    };
    let kept = skim::skim(text, Keep::Annotated(CRATE));
    let (file, mods) = match kept.as_deref().map(parse) {
        Some(Ok(parsed)) => parsed,
        _ => parse(text)?,
    };
    Ok((extract::extract(path, &file, CRATE), mods))
}

/// What the token reader gives for `text`, None where it gives up.
fn by_tokens(path: &str, text: &str, max_nesting: usize) -> Option<(FileFindings, Vec<ModDecl>)> {
    let skimmed = skim::skim_tokens(text, Keep::Annotated(CRATE))?;
    read(path, &skimmed, CRATE, max_nesting)
}

/// Compares the two readings of `text`: whether the token reader answered, and whether the
/// file has annotations (found or malformed) to the syn path. Panics where they differ.
fn compare(path: &str, text: &str, max_nesting: usize) -> (bool, bool) {
    proc_macro2::extra::invalidate_current_thread_spans();
    let fast = by_tokens(path, text, max_nesting);
    proc_macro2::extra::invalidate_current_thread_spans();
    let slow = by_syn(path, text, max_nesting);
    proc_macro2::extra::invalidate_current_thread_spans();
    let annotated = slow.as_ref().is_ok_and(|(findings, _)| {
        !findings.handlers.is_empty() || !findings.event_types.is_empty() || !findings.problems.is_empty()
    });
    if let Some(fast) = &fast {
        match &slow {
            Ok(slow) => {
                assert_eq!(fast.1, slow.1, "{path}: module declarations\n{text}");
                assert_eq!(fast.0, slow.0, "{path}: findings\n{text}");
            }
            Err(error) => panic!("{path}: the token reader read what syn refuses ({error})\n{text}"),
        }
    }
    (fast.is_some(), annotated)
}

/// Every `.rs` file of the repository, with its path from the repository's root.
fn repository_files() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| !matches!(entry.file_name().to_str(), Some("target" | ".git")))
    {
        let entry = entry.unwrap();
        if entry.path().extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
        let path = entry.path().strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        files.push((path, lex::strip_preamble(&text).into_owned()));
    }
    files
}

/// The `.rs` files of a small synthetic monorepo (`examples/synth`, 20 crates).
fn synthetic_files() -> Vec<(String, String)> {
    generate::generate(&generate::Options { crates: 20, seed: 7, single_template: false })
        .into_iter()
        .filter(|(path, _)| path.ends_with(".rs"))
        .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
        .collect()
}

/// Compares every file; the share of annotated files the token reader answered for.
fn share_read(files: &[(String, String)]) -> (usize, usize) {
    let (mut annotated, mut read) = (0, 0);
    for (path, text) in files {
        let (fast, has_annotations) = compare(path, text, NESTING);
        if has_annotations {
            annotated += 1;
            read += usize::from(fast);
        }
    }
    (read, annotated)
}

#[test]
fn repository_files_read_as_syn_reads_them() {
    let files = repository_files();
    assert!(files.len() >= 150, "only {} files", files.len());
    let (read, annotated) = share_read(&files);
    assert!(annotated >= 40, "only {annotated} annotated files");
    assert!(read * 10 >= annotated * 9, "the token reader read {read} of {annotated} annotated files");
}

#[test]
fn synthetic_files_read_as_syn_reads_them() {
    let files = synthetic_files();
    let (read, annotated) = share_read(&files);
    assert!(annotated >= 20, "only {annotated} annotated files");
    assert_eq!(read, annotated, "the token reader read {read} of {annotated} annotated files");
}

/// Variations of `text` around its kept tokens: each of a spread of tokens deleted, doubled,
/// or preceded by a token that often breaks what it stands in.
fn mutations(text: &str) -> Vec<String> {
    let Some(skimmed) = skim::skim_tokens(text, Keep::Annotated(CRATE)) else { return Vec::new() };
    let kept: Vec<skim::Token> =
        skimmed.kept.iter().flat_map(|&(first, last)| skimmed.tokens[first..=last].iter().copied()).collect();
    let inserts = [
        ":", "<", "&", ",", "fn", "'a", "=", "#", "pub", "::", "!", "1", ">", "(", ")", "{}", "[]", "mut",
        "self", "dyn", "impl", "for", "where", "+", "?", "->", "as", "_", "r#x", "1.0", "\"s\"", "/// d\n",
        "struct", "async", "unsafe", "extern", "crate", "Self", "use", ";", ".", "..", "*", "-", "'", "@",
        "|", "$",
    ];
    let sites = kept.len().min(150);
    let mut out = Vec::new();
    for site in 0..sites {
        let token = kept[site * kept.len() / sites.max(1)];
        let (start, end) = (token.start(), token.end());
        let variation = match (site / 7) % 3 {
            0 => format!("{}{}", &text[..start], &text[end..]),
            1 => format!("{}{} {}", &text[..end], &text[start..end], &text[end..]),
            _ => format!(
                "{} {} {}",
                &text[..start],
                inserts[(site * 7 + site / 3) % inserts.len()],
                &text[start..]
            ),
        };
        out.push(variation);
    }
    out
}

/// Broken files: wherever the token reader still answers, it answers as syn does, and where
/// syn refuses the file, the reader gives up.
#[test]
fn broken_files_are_left_to_syn() {
    let mut files = repository_files();
    files.retain(|(path, text)| {
        text.contains("event") && (path.starts_with("tests/fixtures") || path.starts_with("pipeline"))
    });
    files.extend(synthetic_files().into_iter().filter(|(_, text)| text.contains("#[event")).take(12));
    let mut compared = 0;
    for (path, text) in &files {
        for variation in mutations(text) {
            compare(path, &variation, NESTING);
            compared += 1;
        }
    }
    assert!(compared >= 500, "only {compared} variations");
}

/// The module declarations of a file without annotations, as `read_mod_decls` found them
/// before it read the skim's tokens and passed function bodies over: the kept text of a skim
/// that tokenizes every body lexed (the whole text when the skim cannot follow it); None where
/// that does not lex.
fn mods_by_lexing(text: &str) -> Option<Vec<ModDecl>> {
    let kept = skim::skim_modules_tokenizing_bodies(text);
    let decls =
        lex::lex("m.rs", kept.as_deref().unwrap_or(text)).ok().map(|tokens| modules::mod_decls(&tokens));
    proc_macro2::extra::invalidate_current_thread_spans();
    decls
}

/// The module tree read from the tokens of a skim for modules alone (function bodies passed
/// over): the same declarations as lexing the kept text of a full skim gives, wherever that
/// lexes and the tokens answer (which is nearly everywhere), on every file of the repository,
/// a synthetic monorepo's, and broken variations of those that declare modules. Where the
/// full skim cannot follow the text, passing over a broken body may still read the
/// declarations outside it.
#[test]
fn module_trees_read_from_tokens_as_lexing_reads_them() {
    let mut files = repository_files();
    files.extend(synthetic_files());
    let mut variations = Vec::new();
    for (path, text) in files.iter().filter(|(_, text)| text.contains("mod ")).take(40) {
        variations.extend(mutations(text).into_iter().map(|variation| (path.clone(), variation)));
    }
    let (mut answered, mut with_mods) = (0, 0);
    for (at, (path, text)) in files.iter().chain(&variations).enumerate() {
        let fast = skim::skim_tokens(text, Keep::Modules).as_ref().and_then(super::module_decls);
        let slow = mods_by_lexing(text);
        if let (Some(fast), Some(slow)) = (&fast, &slow) {
            assert_eq!(fast, slow, "{path}: module declarations\n{text}");
        }
        if at < files.len() && slow.as_ref().is_some_and(|decls| !decls.is_empty()) {
            with_mods += 1;
            answered += usize::from(fast.is_some());
        }
    }
    assert!(with_mods >= 50 && variations.len() >= 500, "{with_mods} files, {} variations", variations.len());
    assert!(answered * 100 >= with_mods * 98, "the tokens answered for {answered} of {with_mods} files");
}

/// Inputs that could trip a reader of tokens; each must read as syn reads it, and those
/// marked so must be read by the token reader.
#[test]
fn tricky_inputs() {
    let cases: &[(&str, bool, &str)] = &[
        (
            "attributes with nested groups",
            true,
            r#"use flowdoc_annotations::event_producer;
#[cfg_attr(all(feature = "a", not(any(test, doc))), derive(Debug, Clone))]
#[doc(alias("x", "y"))]
#[event_producer(OrderPlaced, to = env("TOPIC"), function = "Fn")]
pub(crate) fn publish() {}"#,
        ),
        (
            "raw identifiers",
            true,
            r#"use flowdoc_annotations::{event, event_consumer};
#[event] pub struct r#Type { pub r#type: String, r#match: Option<u8> }
#[event_consumer(r#Type, from = "Q")] fn r#loop() {}
mod r#mod { #[flowdoc_annotations::event_producer(A, to = "T")] fn r#fn() {} }"#,
        ),
        (
            "doc comments as attributes",
            true,
            r#"use flowdoc_annotations::event;
#[doc = "An event."]
#[doc = r"  With detail."]
/** Block
    doc. */
#[event(name = "renamed", version = 3)]
pub struct Documented {
    #[doc = "The id."]
    /// And a line.
    pub id: String,
}"#,
        ),
        (
            "visibilities",
            true,
            r#"use flowdoc_annotations::*;
#[event] pub(crate) struct A { pub(crate) a: u8, pub(super) b: u8, pub(self) c: u8 }
#[event] pub(super) enum B { X(pub (u8, u8)), Y { pub z: u8 } }
#[event_producer(A, to = "T")] pub(self) fn f() {}"#,
        ),
        (
            "function qualifiers",
            true,
            r#"#[event_producer(A, to = "T")] async fn a() {}
#[event_producer(A, to = "T")] unsafe fn b() {}
#[event_producer(A, to = "T")] const fn c() {}
#[event_producer(A, to = "T")] extern "C" fn d() {}
#[event_producer(A, to = "T")] pub const async unsafe extern "C" fn e() {}
#[event_producer(A, to = "T")] extern fn g() {}"#,
        ),
        (
            "generics and where clauses",
            true,
            r#"use flowdoc_annotations::{event, event_consumer as on};
#[on(A, from = "Q")]
fn handle<'a, 'b: 'a, T: Clone + Send + 'static, U = Vec<T>>(x: &'a T, y: &'b mut [U; 4], f: impl Fn(&T) -> bool)
    -> Result<Box<dyn std::error::Error + Send + Sync>, <T as Clone>::Output>
where
    T: Iterator<Item = u8> + ?Sized,
    for<'c> U: Fn(&'c str) -> &'c str,
    'b: 'a,
{ todo!() }
#[event] pub struct Generic<T: Default, const N: usize> where T: Clone { pub items: [T; N], pub map: std::collections::HashMap<String, Vec<(u8, T)>> }
#[event] pub struct Tuple<T>(pub T, Option<Box<dyn Fn(u8) -> u8 + Send>>) where T: Copy;"#,
        ),
        (
            "methods of generic types and trait impls",
            true,
            r#"use flowdoc_annotations::event_consumer;
struct Service<T>(T);
impl<T: Clone> Service<T> where T: Send {
    #[event_consumer(A, from = "Q")]
    pub async fn on_a(&self, event: A) -> Result<(), E> { Ok(()) }
}
impl<'a, T> Handler<T> for &'a Service<T> {
    #[event_consumer(B, from = "Q")]
    fn on_b(&mut self, _: B) {}
}
#[event_consumer(C, from = "Q")]
impl crate::Handles for Service<u8> { fn handle(&self) {} }
unsafe impl<T> Send for Service<T> { #[event_consumer(D, from = "Q")] fn on_d(self: Box<Self>) {} }
trait Handles { #[event_consumer(E, from = "Q")] fn on_e(&self) { } #[event_consumer(F, from = "Q")] fn on_f(&self); }"#,
        ),
        (
            "nested inline modules with their own imports",
            true,
            r#"mod a {
    use flowdoc_annotations::event;
    #[event] pub struct InA;
    pub mod b {
        use flowdoc_annotations as fa;
        #[fa::event] pub struct InB;
        #[event] pub struct NotOurs;
        mod c { use super::*; #[path = "c/d.rs"] mod d; }
    }
}
mod declared;"#,
        ),
        (
            "cfg'd items",
            true,
            r#"#[cfg(feature = "aws")]
use flowdoc_annotations::event_producer;
#[cfg(test)]
#[event_producer(A, to = "T")]
fn only_in_tests() {}
#[cfg_attr(test, allow(dead_code))]
#[cfg(not(test))]
mod tests { #[flowdoc_annotations::event_consumer(A, from = "Q")] fn t() {} }"#,
        ),
        (
            "macros in item position",
            true,
            r#"use flowdoc_annotations::event_producer;
macro_rules! make { () => { #[event_producer(X, to = "T")] fn fake() {} }; }
make!();
make! { }
#[event_producer(A, to = "T")]
lazy_static::lazy_static! { static ref X: u8 = 1; }
#[event_producer(B, to = "T")] fn real() { println!("{}", 1); }"#,
        ),
        (
            "items in function bodies",
            true,
            r#"fn main() {
    use flowdoc_annotations::event;
    #[event] struct InBody { a: u8 }
    #[flowdoc_annotations::event_consumer(A, from = "Q")]
    async fn nested() {}
    let closure = || { #[flowdoc_annotations::event_producer(B, to = "T")] fn deeper() {} };
}
#[flowdoc_annotations::event_producer(C, to = "T")]
fn with_body() -> u8 { let x = { 1 + 2 }; match x { 3 => 1, _ => 0 } }"#,
        ),
        (
            "malformed and misplaced annotations",
            true,
            r#"use flowdoc_annotations::event;
#[event_producer(OrderPlaced)]
fn missing_to() {}
#[event_consumer(OrderPlaced, from = "Q", to = "T")]
fn both() {}
#[event]
fn not_an_event() {}
#[event = "x"]
struct Odd;
#[event_producer(A, to = "T")]
mod misplaced {}
#[event_consumer(A, from = "Q")]
use std::fmt;
#[event_consumer]
trait NotAHandler {}
#[event(version = "x")]
enum BadVersion { A }"#,
        ),
        (
            "serde on event types",
            true,
            r#"use flowdoc_annotations::event;
#[event]
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Changed {
    /// Renamed.
    #[serde(rename = "renamed", alias = "x")]
    Renamed { new_name: String, #[serde(skip)] cache: u8 },
    #[serde(skip_serializing)]
    Hidden,
    Deleted = 3,
    Tuple(#[serde(with = "x")] u8, String),
    #[serde(rename(serialize = "out", deserialize = "in"), rename_all(deserialize = "x"))]
    Both { #[serde(rename = r"raw", default = "path::to::f", skip_serializing_if = "Option::is_none")] a: u8 },
    Escaped { #[serde(rename = "a\tb")] a: u8, #[serde(rename = "c", bogus + 1, skip)] c: u8, #[::serde(skip)] d: u8 },
    Odd { #[serde(rename())] a: u8, #[serde] b: u8, #[serde = "x"] c: u8, #[serde(skip = 1)] d: u8 },
}"#,
        ),
        (
            "extern crate aliases",
            true,
            r#"extern crate flowdoc_annotations as fa;
extern crate self as me;
#[fa::event_producer("a", to = "T")] fn produce() {}
#[me::event_producer("b", to = "T")] fn not_ours() {}"#,
        ),
        (
            "a shebang-free file with unicode in comments and strings",
            true,
            "// héllo wörld\n#[flowdoc_annotations::event_producer(A, to = \"Tópic\")]\n/// Dóc.\nfn f() { let s = \"ünïcode\"; }\n",
        ),
        (
            "carriage returns",
            true,
            "use flowdoc_annotations::event;\r\n/// Line one.\r\n/// Line two.\r\n#[event]\r\npub struct Crlf {\r\n    /// A field.\r\n    pub a: u8,\r\n}\r\n",
        ),
        (
            "a syntax error in an annotated item",
            false,
            "#[flowdoc_annotations::event_producer(A, to = \"T\")]\nfn f( {}\n",
        ),
        (
            "a signature syn refuses",
            false,
            "#[flowdoc_annotations::event_producer(A, to = \"T\")]\nfn f(x) {}\n",
        ),
        (
            "a body syn refuses",
            false,
            "#[flowdoc_annotations::event_producer(A, to = \"T\")]\nfn f() { let = ; }\n",
        ),
        ("a bad escape", false, "#[flowdoc_annotations::event_producer(A, to = \"T\\q\")]\nfn f() {}\n"),
        ("a bad number", false, "#[flowdoc_annotations::event_producer(A, to = \"T\")]\nfn f() { 0b12; }\n"),
        (
            "a lifetime that is not one",
            false,
            "#[flowdoc_annotations::event_producer(A, to = \"T\")]\nfn f<'1>() {}\n",
        ),
        (
            "a raw identifier syn refuses",
            false,
            "#[flowdoc_annotations::event_producer(A, to = \"T\")]\nfn r#self() {}\n",
        ),
        (
            "an inner attribute of ours out of place",
            false,
            "#[flowdoc_annotations::event_producer(A, to = \"T\")]\nfn f() {}\n#![flowdoc_annotations::event]\n",
        ),
        (
            "an unflagged inner attribute, not kept",
            true,
            "#[flowdoc_annotations::event]\nstruct S;\n#![allow(x)]\n",
        ),
        (
            "types the reader leaves to syn",
            false,
            "#[flowdoc_annotations::event]\nstruct S { f: for<'a> fn(&'a u8), m: m!(), o: dyn A + 'static + Send }\n",
        ),
    ];
    for &(name, expected, source) in cases {
        let (read, _) = compare(name, source, NESTING);
        assert_eq!(read, expected, "{name}: read by the token reader");
    }
}

/// The reader keeps to the nesting limit as the syn path does: over it, it gives up (and syn's
/// check reports the place).
#[test]
fn nesting_over_the_limit_is_left_to_syn() {
    let deep = format!(
        "#[flowdoc_annotations::event_producer(A, to = \"T\")]\nfn f() {{\n    let x = {}1{};\n}}\n",
        "(".repeat(40),
        ")".repeat(40)
    );
    assert_eq!(compare("deep.rs", &deep, 32), (false, false));
    assert!(compare("deep.rs", &deep, 256).0);
    let generic =
        format!("#[flowdoc_annotations::event] struct S {{ a: {}u8{} }}", "Box<".repeat(40), ">".repeat(40));
    assert!(!compare("generic.rs", &generic, 32).0);
    let docs = format!("#[flowdoc_annotations::event] struct S {{ a: u8 }}\n{}", "/// doc\n".repeat(10));
    compare("docs.rs", &docs, 2);
}

/// Every `{ ... }` of `text` (the whole file taken as kept): where the body checker accepts
/// it, syn parses it as a block. How many it accepted, and of how many that syn parses.
fn check_blocks(text: &str) -> (usize, usize) {
    // Every token of the file: a skim for annotations tokenizes all bodies (one for modules
    // passes most over).
    let Some(mut skimmed) = skim::skim_tokens(text, Keep::Annotated(CRATE)) else { return (0, 0) };
    if skimmed.tokens.is_empty() {
        return (0, 0);
    }
    skimmed.kept = vec![(0, skimmed.tokens.len() - 1)];
    let seq = super::seq::Seq::new(&skimmed);
    if !seq.lexes() {
        return (0, 0);
    }
    let whole = super::grammar::Range::whole(&seq);
    let (mut accepted, mut parsed) = (0, 0);
    for open in 0..seq.len() {
        if seq.kind(open) != Some(skim::Kind::Open(b'{')) {
            continue;
        }
        let block = &text[seq.token(open).start()..seq.token(seq.closing(open)).end()];
        let by_syn = syn::parse_str::<syn::Block>(block).is_ok();
        parsed += usize::from(by_syn);
        if whole.block(open).is_some() {
            assert!(by_syn, "the checker accepts a block syn refuses:\n{block}");
            accepted += 1;
        }
    }
    (accepted, parsed)
}

/// The body checker against syn on every block of every file, and on those files with
/// tokens deleted or added.
#[test]
fn blocks_the_checker_accepts_syn_parses() {
    let mut files = repository_files();
    files.extend(synthetic_files());
    let (mut accepted, mut parsed) = (0, 0);
    for (_, text) in &files {
        proc_macro2::extra::invalidate_current_thread_spans();
        let (a, p) = check_blocks(text);
        accepted += a;
        parsed += p;
    }
    assert!(accepted * 10 >= parsed * 5, "the checker accepted {accepted} of {parsed} blocks");
    for (_, text) in
        files.iter().filter(|(path, _)| path.starts_with("pipeline") || path.starts_with("services")).take(40)
    {
        for variation in mutations(text) {
            proc_macro2::extra::invalidate_current_thread_spans();
            check_blocks(&variation);
        }
    }
}
