//! Fuzzes the annotation grammar: arbitrary text as the arguments of `#[event_producer(...)]`,
//! `#[event_consumer(...)]` and `#[event(...)]`, parsed directly with the shared grammar and
//! through the whole scanner (lexer, nesting limit, syn, extraction). Any panic is a bug.
//!
//! syn builds its token buffer by recursing into every bracket, before the grammar runs, so text
//! nesting brackets thousands deep overflows any stack in syn itself. The real callers never hand
//! it such tokens (the scanner refuses files nesting deeper than its limit first; the compiler
//! lexes a macro's input itself), so the direct parses skip them, as the scanner does; the scan
//! still runs on them.

#![no_main]

use flowdoc::files::{MemoryFiles, ProjectFiles};
use flowdoc::scan::{ScanOptions, scan};
use flowdoc_annotations_syntax::{EventArgs, HandlerArgs, Role};
use libfuzzer_sys::fuzz_target;
use proc_macro2::{TokenStream, TokenTree};
use syn::parse::Parser;

/// The scanner's default nesting limit.
const MAX_NESTING: usize = 256;

/// How deep `tokens` nest brackets, counted without recursing.
fn bracket_depth(tokens: TokenStream) -> usize {
    let mut stack = vec![tokens.into_iter()];
    let mut deepest = 0;
    while let Some(tokens) = stack.last_mut() {
        match tokens.next() {
            Some(TokenTree::Group(group)) => {
                stack.push(group.stream().into_iter());
                deepest = deepest.max(stack.len() - 1);
            }
            Some(_) => {}
            None => {
                stack.pop();
            }
        }
    }
    deepest
}

fuzz_target!(|data: &[u8]| {
    let Ok(args) = std::str::from_utf8(data) else { return };
    // Spans of text parsed on this thread are kept until released: release them after each
    // input, as the scanner does after each file, or memory grows with every run.
    struct ReleaseSpans;
    impl Drop for ReleaseSpans {
        fn drop(&mut self) {
            proc_macro2::extra::invalidate_current_thread_spans();
        }
    }
    let _release = ReleaseSpans;

    if args.parse::<TokenStream>().map_or(true, |tokens| bracket_depth(tokens) <= MAX_NESTING) {
        for role in [Role::Producer, Role::Consumer] {
            let _ = HandlerArgs::parser(role).parse_str(args);
        }
        if let Ok(event) = EventArgs::parse.parse_str(args) {
            assert!(event.version_number() >= 1);
        }
    }
    let source = format!(
        "use flowdoc_annotations::*;\n#[event_producer({args})]\nfn f() {{}}\n\
         #[event_consumer({args})]\nfn g() {{}}\n#[event({args})]\nstruct E;\n"
    );
    let mut files = MemoryFiles::new();
    files.insert("Cargo.toml", "[package]\nname = \"x\"\n").insert("src/lib.rs", source);
    let facts = scan(&files, &files.list(), &ScanOptions { threads: 1, ..ScanOptions::default() });
    for problem in &facts.problems {
        assert_eq!(problem.location.file, "src/lib.rs", "a problem names another file: {problem:?}");
        assert!(!problem.message.starts_with("internal error"), "the scanner caught a panic: {problem:?}");
    }
});
