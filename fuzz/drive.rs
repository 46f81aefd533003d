//! The code paths the fuzz targets drive, shared by the targets (`fuzz_targets/`) and by the
//! replay of their regression inputs (`tests/fuzz_regressions.rs`), so that a regression input
//! goes through exactly what the fuzzer ran. Each returns a description of the outcome, for
//! the replay to check; any panic, and any error without its file and line, is a bug.
//!
//! syn builds its token buffer by recursing into every bracket, before the grammar runs, so text
//! nesting brackets thousands deep overflows any stack in syn itself. The real callers never hand
//! it such tokens (the scanner refuses files nesting deeper than its limit first; the compiler
//! lexes a macro's input itself), so the direct parses skip them, as the scanner does; the scan
//! still runs on them.

use flowdoc::files::{MemoryFiles, ProjectFiles};
use flowdoc::scan::{ScanOptions, scan};
use flowdoc_annotations_syntax::{EventArgs, HandlerArgs, Role};
use proc_macro2::{TokenStream, TokenTree};
use syn::parse::Parser;

/// `template_load`: the bytes as the project's only template (`template.json` when the first
/// byte is `{`, else `template.yaml`), analysed (loaded, built into the flow, checked by every
/// rule) and rendered as JSON. The outcome is the errors, or a summary and the template's
/// problems.
pub(crate) fn template_load(bytes: &[u8]) -> String {
    let path = if bytes.first() == Some(&b'{') { "template.json" } else { "template.yaml" };
    let mut files = MemoryFiles::new();
    files.insert(path, bytes);
    let templates = [path.to_owned()];
    let analysis = match flowdoc::analyse(&flowdoc::Project::new(&files).templates(&templates)) {
        Ok(analysis) => analysis,
        Err(failure) => {
            let mut outcome = String::new();
            for error in &failure.problems {
                let location = error.location.as_ref().expect("a template error has its place");
                assert_eq!(location.file, path, "{error:?}");
                assert!(location.line().is_some(), "an error without its line: {error:?}");
                assert!(!error.message.contains("internal error"), "a panic, caught: {error:?}");
                outcome.push_str(&format!("error: {location} {}\n", error.message));
            }
            return outcome;
        }
    };
    let flow = &analysis.flow;
    let json = flowdoc::render::json::render(flow, &analysis.findings);
    assert!(json.ends_with('\n'));
    let mut outcome = format!(
        "loaded: {} resources, {} nodes, {} findings\n",
        flow.nodes().filter(|node| node.template.is_some()).count(),
        flow.nodes().count(),
        analysis.findings.len()
    );
    for problem in flow.template_problems() {
        assert!(!problem.message.starts_with("internal error"), "a panic, caught: {problem:?}");
        outcome.push_str(&format!("problem: {} {}\n", problem.location, problem.message));
    }
    outcome
}

/// The scanner's default nesting limit: the fuzz target parses directly only text whose brackets
/// nest no deeper (syn recurses into brackets before the grammar runs).
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

/// The code path of `fuzz_targets/annotation_grammar.rs`: the text as the arguments of each
/// attribute, parsed with the grammar and scanned in a crate. The outcome is one line for each
/// parse and each problem of the scan.
pub(crate) fn annotation_grammar(bytes: &[u8]) -> String {
    let Ok(args) = std::str::from_utf8(bytes) else { return "not UTF-8\n".to_owned() };
    // Spans of text parsed on this thread are kept until released: release them after each
    // input, panic or not, as the scanner does after each file, or memory grows with each run.
    struct ReleaseSpans;
    impl Drop for ReleaseSpans {
        fn drop(&mut self) {
            proc_macro2::extra::invalidate_current_thread_spans();
        }
    }
    let _release = ReleaseSpans;
    let shown = |result: syn::Result<()>| match result {
        Ok(()) => "ok".to_owned(),
        Err(error) => {
            let start = error.span().start();
            format!("{}:{} {error}", start.line, start.column + 1)
        }
    };
    let mut outcome = String::new();
    if args.parse::<TokenStream>().map_or(true, |tokens| bracket_depth(tokens) <= MAX_NESTING) {
        for role in [Role::Producer, Role::Consumer] {
            let parsed = HandlerArgs::parser(role).parse_str(args).map(drop);
            outcome.push_str(&format!("{}: {}\n", role.attribute_name(), shown(parsed)));
        }
        let parsed = EventArgs::parse.parse_str(args).map(|event| assert!(event.version_number() >= 1));
        outcome.push_str(&format!("event: {}\n", shown(parsed)));
    } else {
        outcome.push_str("not parsed directly: brackets nest too deep for syn\n");
    }
    let source = format!(
        "use flowdoc_annotations::*;\n#[event_producer({args})]\nfn f() {{}}\n\
         #[event_consumer({args})]\nfn g() {{}}\n#[event({args})]\nstruct E;\n"
    );
    let mut files = MemoryFiles::new();
    files.insert("Cargo.toml", "[package]\nname = \"x\"\n").insert("src/lib.rs", source);
    let facts = scan(&files, &files.list(), &ScanOptions { threads: 1, ..ScanOptions::default() });
    for problem in &facts.problems {
        assert_eq!(problem.location.file, "src/lib.rs", "{problem:?}");
        assert!(problem.location.line().is_some(), "a problem without its line: {problem:?}");
        assert!(!problem.message.starts_with("internal error"), "a panic, caught: {problem:?}");
        outcome.push_str(&format!("scan: {} {:?}: {}\n", problem.location, problem.kind, problem.message));
    }
    outcome.push_str(&format!(
        "scan: {} handlers, {} event types\n",
        facts.handlers.len(),
        facts.event_types.len()
    ));
    outcome
}
