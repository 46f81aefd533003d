//! The scanner on small real projects: what it extracts, what it ignores, and how it survives
//! bad input.

use flowdoc::files::{DiskFiles, MemoryFiles, ProjectFiles};
use flowdoc::scan::{ProblemKind, ScanFacts, ScanOptions, scan};
use std::path::Path;

fn fixture(name: &str) -> DiskFiles {
    DiskFiles::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name))
}

fn scan_all(files: &dyn ProjectFiles, options: &ScanOptions) -> ScanFacts {
    scan(files, &files.list(), options)
}

fn problems(facts: &ScanFacts) -> Vec<String> {
    facts
        .problems
        .iter()
        .map(|problem| format!("{} {:?}: {}", problem.location, problem.kind, problem.message))
        .collect()
}

#[test]
fn project_facts() {
    let facts = scan_all(&fixture("scan-project"), &ScanOptions::default());
    insta::assert_json_snapshot!("scan_project", facts);
}

#[test]
fn same_facts_on_one_thread_and_many() {
    let files = fixture("scan-project");
    let one = scan_all(&files, &ScanOptions { threads: 1, ..ScanOptions::default() });
    let many = scan_all(&files, &ScanOptions { threads: 4, ..ScanOptions::default() });
    assert_eq!(one, many);
}

#[test]
fn only_the_crates_asked_for() {
    let facts = scan_all(
        &fixture("scan-project"),
        &ScanOptions { crate_roots: vec!["billing".into()], ..ScanOptions::default() },
    );
    let crates: Vec<&str> = facts.crates.iter().map(|krate| krate.name.as_str()).collect();
    assert_eq!(crates, ["billing"]);
    assert!(facts.handlers.iter().all(|handler| handler.crate_name == "billing"));
}

#[test]
fn bad_files_are_reported_and_the_rest_is_read() {
    let facts = scan_all(&fixture("scan-broken"), &ScanOptions::default());
    assert_eq!(
        problems(&facts),
        [
            "src/fine.rs:12:18 Annotation: malformed #[event_producer]: missing `to`: name the resource this handler \
             writes the event to, as in `to = \"OrdersTable\"` or `to = env(\"ORDERS_TABLE\")`",
            "src/not_utf8.rs:1:27 NotUtf8: file is not valid UTF-8 (byte 0xe9); skipped",
            "src/syntax_error.rs:5:9 Syntax: cannot parse Rust source: expected one of: identifier, `::`, `<`, `_`, \
             literal, `const`, `ref`, `mut`, `&`, parentheses, square brackets, `..`, `const`; the file is skipped",
        ]
    );
    let handlers: Vec<String> =
        facts.handlers.iter().map(|handler| format!("{} {}", handler.name, handler.location)).collect();
    assert_eq!(handlers, ["on_shipment src/does_not_compile.rs:8:14", "send src/fine.rs:9:8"]);
    assert_eq!(facts.event_types.len(), 1);
}

/// A crate in memory with one source file.
fn one_file(source: impl Into<Vec<u8>>) -> MemoryFiles {
    let mut files = MemoryFiles::new();
    files.insert("Cargo.toml", "[package]\nname = \"mem\"\n").insert("src/lib.rs", source);
    files
}

#[test]
fn nesting_over_the_limit_is_refused_with_its_place() {
    let deep = format!(
        "#[flowdoc_annotations::event_producer(A, to = \"T\")]\nfn f() {{\n    let x = {}1{};\n}}\n",
        "(".repeat(40),
        ")".repeat(40)
    );
    let facts = scan_all(&one_file(deep.clone()), &ScanOptions { max_nesting: 32, ..ScanOptions::default() });
    assert_eq!(problems(&facts).len(), 1);
    assert!(problems(&facts)[0].starts_with("src/lib.rs:3:"), "{:?}", problems(&facts));
    assert_eq!(facts.problems[0].kind, ProblemKind::Syntax);
    assert!(facts.handlers.is_empty());
    // The same file under the default limit is read.
    let facts = scan_all(&one_file(deep), &ScanOptions::default());
    assert_eq!(facts.handlers.len(), 1);
}

/// 100,000 levels of nesting: refused quickly, with no stack overflow, even in a debug build.
#[test]
fn hostile_nesting_does_not_overflow_the_stack() {
    for (open, close) in [("(", ")"), ("Box<", ">"), ("!", ""), ("&", ""), ("|x| ", "")] {
        let source = format!(
            "#[event_producer(A, to = \"T\")]\nfn f() -> u8 {{ {}1{} }}",
            open.repeat(100_000),
            close.repeat(100_000)
        );
        let facts = scan_all(&one_file(source), &ScanOptions::default());
        assert_eq!(facts.problems.len(), 1, "{open}");
        assert!(facts.problems[0].message.contains("deeper than the limit of 256"), "{open}");
    }
}

#[test]
fn unreadable_and_oversized_files() {
    let mut files =
        one_file("#[event_producer(A, to = \"T\")] fn ok() {}\nmod big;\nmod quiet;\nmod locked;");
    let mut big = vec![b' '; 4096];
    big.extend_from_slice(b"#[event_consumer(A, from = \"Q\")] fn f() {}");
    files
        .insert("src/big.rs", big)
        .insert("src/quiet.rs", vec![b'/'; 8192])
        .insert_unreadable("src/locked.rs", "permission denied (injected)");
    let facts = scan_all(&files, &ScanOptions { max_file_bytes: 1024, ..ScanOptions::default() });
    assert_eq!(
        problems(&facts),
        [
            "src/big.rs Unreadable: file is 4138 bytes, over the limit of 1024 bytes; it was not read",
            "src/locked.rs Unreadable: cannot read: permission denied (injected)",
        ]
    );
    assert_eq!(facts.handlers.len(), 1);
}

#[test]
fn invalid_manifest_is_reported() {
    let mut files = MemoryFiles::new();
    files.insert("api/Cargo.toml", "[package]\nname = \n").insert("api/src/lib.rs", "");
    let facts = scan_all(&files, &ScanOptions::default());
    assert_eq!(problems(&facts).len(), 1);
    assert!(
        problems(&facts)[0].starts_with("api/Cargo.toml:2:8 Manifest: cannot read Cargo.toml"),
        "{:?}",
        problems(&facts)
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_links_out_of_the_root_are_not_followed() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.rs"), "#[event_producer(A, to = \"T\")] fn leak() {}")
        .unwrap();
    let root = tempfile::tempdir().unwrap();
    let src = root.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(root.path().join("Cargo.toml"), "[package]\nname = \"links\"\n").unwrap();
    std::fs::write(src.join("lib.rs"), "#[event_producer(A, to = \"T\")] fn inside() {}").unwrap();
    symlink(root.path(), src.join("loop")).unwrap();
    symlink(outside.path(), src.join("outside")).unwrap();
    symlink(src.join("lib.rs"), src.join("alias.rs")).unwrap();
    symlink(src.join("gone.rs"), src.join("dangling.rs")).unwrap();
    let files = DiskFiles::new(root.path());
    let listing = files.list();
    assert_eq!(listing.files, ["Cargo.toml", "src/alias.rs", "src/lib.rs"]);
    let listed: Vec<String> = listing.problems.iter().map(|p| format!("{}: {}", p.path, p.message)).collect();
    assert_eq!(
        listed,
        [
            "src/dangling.rs: symbolic link leads outside the project root or nowhere; not followed",
            "src/loop: symbolic link loop back to ``; not followed",
            "src/outside: symbolic link leads outside the project root or nowhere; not followed"
        ]
    );
    let facts = scan(&files, &listing, &ScanOptions::default());
    let names: Vec<&str> = facts.handlers.iter().map(|handler| handler.name.as_str()).collect();
    assert_eq!(names, ["inside", "inside"]);
}

/// The bundled pipeline, scanned from the repository root as a user would.
fn pipeline_facts() -> ScanFacts {
    let files = DiskFiles::new(env!("CARGO_MANIFEST_DIR"));
    scan_all(&files, &ScanOptions { crate_roots: vec!["pipeline".into()], ..ScanOptions::default() })
}

#[test]
fn pipeline_facts_snapshot() {
    insta::assert_json_snapshot!("pipeline", pipeline_facts());
}

/// Every attribute line in the pipeline's sources, found by plain text search, is an annotation
/// the scanner reports at that line and column, and nothing else is.
#[test]
fn pipeline_annotations_are_all_found_at_their_places() {
    let facts = pipeline_facts();
    assert!(facts.problems.is_empty(), "{:?}", problems(&facts));
    let mut expected = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stack = vec![root.join("pipeline")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let relative = path.strip_prefix(root).unwrap().to_str().unwrap().replace('\\', "/");
                for (index, line) in std::fs::read_to_string(&path).unwrap().lines().enumerate() {
                    let trimmed = line.trim_start();
                    if trimmed.starts_with("#[event_producer(") || trimmed.starts_with("#[event_consumer(") {
                        let column = line.len() - trimmed.len() + 1;
                        expected.push(format!("{relative}:{}:{column}", index + 1));
                    }
                }
            }
        }
    }
    expected.sort();
    let mut found: Vec<String> = facts
        .handlers
        .iter()
        .flat_map(|handler| &handler.annotations)
        .map(|annotation| annotation.location.to_string())
        .collect();
    found.sort();
    assert_eq!(found, expected);
    assert_eq!(found.len(), 14, "the pipeline's producers and consumers");
    let events: Vec<&str> = facts.event_types.iter().map(|event| event.name.as_str()).collect();
    assert_eq!(events, ["OrderPlaced", "OrderUpdated", "OrderCancelled"]);
}
