//! Inputs found by the fuzz targets (`fuzz/fuzz_targets/`), or written by hand to attack the same
//! code, replayed through the same code path as the target: each must come back without a
//! panic, and with the outcome recorded here (an error names its file and line).
//!
//! Every file under `tests/fuzz-regressions/<target>/` is replayed and must have its expected
//! outcome in the table of its target below: a regression added without one fails.

#[path = "../fuzz/drive.rs"]
mod drive;

use drive::{annotation_grammar, template_load};
use std::collections::BTreeMap;
use std::path::Path;

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

#[test]
fn template_load_regressions() {
    replay(
        "template_load",
        &[
            (
                "alias-chain-bomb.yaml",
                &[
                    "error: template.yaml:8:18 cannot load the template: the document has more than 2000000 nodes (aliases count every copy)",
                ],
            ),
            (
                "getatt-with-50000-items.yaml",
                &[
                    "loaded: 2 resources",
                    "problem: template.yaml:9:18 `a` is not a resource, parameter or pseudo parameter",
                ],
            ),
            (
                "nesting-over-the-limit.yaml",
                &["error: template.yaml:2:264 cannot load the template: recursion limit exceeded"],
            ),
            (
                "unterminated-flow-mapping.json",
                &[
                    "error: template.json:2:1 cannot load the template: while parsing a flow mapping, did not find expected ',' or '}'",
                ],
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
