//! Inputs found by the fuzz targets (`fuzz/fuzz_targets/`), or written by hand to attack the same
//! code, replayed through the same code path as the target: each must come back without a
//! panic, and with the outcome recorded here (an error names its file and line).
//!
//! Every file under `tests/fuzz-regressions/<target>/` is replayed and must have its expected
//! outcome in the table of its target below: a regression added without one fails.

use flowdoc::files::{MemoryFiles, ProjectFiles};
use flowdoc::scan::{ScanOptions, scan};
use flowdoc::template::{self, LoadOptions};
use flowdoc_annotations_syntax::{EventArgs, HandlerArgs, Role};
use proc_macro2::{TokenStream, TokenTree};
use std::collections::BTreeMap;
use std::path::Path;
use syn::parse::Parser;

/// The stack of a fuzz target's main thread (the usual 8 MiB), which the test threads' default
/// of 2 MiB is not.
const FUZZ_STACK: usize = 8 << 20;

/// The regression inputs of `target`, by file name.
fn inputs(target: &str) -> BTreeMap<String, Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions").join(target);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
    entries
        .map(|entry| {
            let path = entry.expect("listable").path();
            let name = path.file_name().expect("a file name").to_string_lossy().into_owned();
            let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            (name, bytes)
        })
        .collect()
}

/// Replays every input of `target` with `run` on a thread with the fuzzer's stack, and checks
/// that the outcome holds every expected piece.
fn replay(target: &str, expected: &[(&str, &[&str])], run: fn(&[u8]) -> String) {
    let inputs = inputs(target);
    let named: Vec<&str> = expected.iter().map(|(name, _)| *name).collect();
    let files: Vec<&str> = inputs.keys().map(String::as_str).collect();
    assert_eq!(files, named, "every regression input of {target} and only those has its expected outcome");
    for ((name, bytes), (_, pieces)) in inputs.into_iter().zip(expected) {
        let outcome = std::thread::Builder::new()
            .name(name.clone())
            .stack_size(FUZZ_STACK)
            .spawn(move || run(&bytes))
            .expect("a thread")
            .join()
            .unwrap_or_else(|_| panic!("{target}/{name}: panicked"));
        for piece in *pieces {
            assert!(outcome.contains(piece), "{target}/{name}: expected {piece:?} in:\n{outcome}");
        }
    }
}

/// The code path of `fuzz_targets/template_load.rs`: the bytes as the project's only template,
/// loaded, built into the flow, checked and rendered. The outcome is the errors, or a summary.
fn template_load(bytes: &[u8]) -> String {
    let path = if bytes.first() == Some(&b'{') { "template.json" } else { "template.yaml" };
    let mut files = MemoryFiles::new();
    files.insert(path, bytes);
    let templates = template::load(&files, &[path.to_owned()], &LoadOptions::default());
    if !templates.errors.is_empty() {
        let mut outcome = String::new();
        for error in &templates.errors {
            assert_eq!(error.location.file, path, "{error:?}");
            assert!(error.location.line >= 1, "an error without its line: {error:?}");
            assert!(!error.message.starts_with("internal error"), "a panic, caught: {error:?}");
            outcome.push_str(&format!("error: {} {}\n", error.location, error.message));
        }
        return outcome;
    }
    let flow = flowdoc::model::build(&flowdoc::scan::ScanFacts::default(), &templates);
    let findings = flowdoc::rules::check(&flow, &flowdoc::rules::RuleSettings::default());
    let json = flowdoc::render::json::render(&flow, &findings);
    assert!(json.ends_with('\n'));
    let mut outcome = format!(
        "loaded: {} resources, {} nodes, {} findings\n",
        templates.templates.iter().map(|template| template.resources.len()).sum::<usize>(),
        flow.nodes().count(),
        findings.len()
    );
    for problem in templates.templates.iter().flat_map(|template| &template.problems) {
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
fn annotation_grammar(bytes: &[u8]) -> String {
    let Ok(args) = std::str::from_utf8(bytes) else { return "not UTF-8\n".to_owned() };
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
        assert!(problem.location.line >= 1, "a problem without its line: {problem:?}");
        assert!(!problem.message.starts_with("internal error"), "a panic, caught: {problem:?}");
        outcome.push_str(&format!("scan: {} {:?}: {}\n", problem.location, problem.kind, problem.message));
    }
    outcome.push_str(&format!(
        "scan: {} handlers, {} event types\n",
        facts.handlers.len(),
        facts.event_types.len()
    ));
    proc_macro2::extra::invalidate_current_thread_spans();
    outcome
}

#[test]
fn template_load_regressions() {
    replay(
        "template_load",
        &[
            (
                "alias-chain-bomb.yaml",
                &[
                    "error: template.yaml:8:18 the document has more than 2000000 nodes (aliases count every copy)",
                ],
            ),
            (
                "getatt-with-50000-items.yaml",
                &[
                    "loaded: 2 resources",
                    "problem: template.yaml:9:18 `a` is not a resource, parameter or pseudo parameter",
                ],
            ),
            ("nesting-over-the-limit.yaml", &["error: template.yaml:2:264 recursion limit exceeded"]),
            (
                "unterminated-flow-mapping.json",
                &["error: template.json:2:1 while parsing a flow mapping, did not find expected ',' or '}'"],
            ),
        ],
        template_load,
    );
}

#[test]
fn annotation_grammar_regressions() {
    let nesting = "Syntax: nesting here goes deeper than the limit of 256 levels; the file was not parsed";
    let too_long = "the arguments are longer than the limit of 64 tokens";
    let version = "the version is a whole number from 1 up";
    replay(
        "annotation_grammar",
        &[
            (
                "deeply-nested-brackets",
                &["not parsed directly", &format!("scan: src/lib.rs:2:277 {nesting}")],
            ),
            (
                "deeply-nested-generic-event",
                &[
                    &format!("event_producer: 1:193 {too_long}"),
                    &format!("event_consumer: 1:193 {too_long}"),
                    &format!("scan: src/lib.rs:2:1547 {nesting}"),
                ],
            ),
            (
                "mismatched-brackets",
                &["event_producer: 1:", "scan: src/lib.rs:2:50 Syntax: cannot lex Rust source"],
            ),
            (
                "unbalanced-parenthesis",
                &["event_producer: 1:", "scan: src/lib.rs:2:55 Syntax: cannot lex Rust source"],
            ),
            (
                "version-huge-integer",
                &[
                    &format!("event: 1:34 {version}"),
                    &format!("scan: src/lib.rs:6:42 Annotation: malformed #[event]: {version}"),
                ],
            ),
            (
                "version-zero",
                &[
                    &format!("event: 1:34 {version}"),
                    &format!("scan: src/lib.rs:6:42 Annotation: malformed #[event]: {version}"),
                ],
            ),
        ],
        annotation_grammar,
    );
}
