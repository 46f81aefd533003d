//! Every resource limit, exercised through the binary at small scale by lowering it in
//! `flowdoc.toml`: the input over the limit gets a clear message with its place, and the run
//! goes on where it can. The full-size inputs (a 200 MB source file, a 50 MB line, 100,000
//! resources) are ignored tests for a release build:
//! `cargo test --release --test limits -- --ignored --nocapture` (figures in docs/security.md).

#![allow(clippy::print_stdout, reason = "the full-size tests print their figures")]

mod common;

use common::{text, write_files};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

fn flowdoc(root: &Path, args: &[&str]) -> Output {
    common::flowdoc_at(root, args)
}

const TEMPLATE: &str = "Resources:
  OrdersTopic:
    Type: AWS::SNS::Topic
  ApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: api/
      Handler: bootstrap
      Runtime: provided.al2023
";

const HANDLER: &str = "use flowdoc_annotations::event_producer;\n#[event_producer(\"order.placed\", to = \"OrdersTopic\")]\nasync fn handler() {}\n";

/// A project with `limits` in its `flowdoc.toml` and `source` as its handler file.
fn project(limits: &str, template: &str, source: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("flowdoc.toml", &format!("[limits]\n{limits}\n")),
            ("template.yaml", template),
            ("api/Cargo.toml", "[package]\nname = \"api\"\n"),
            ("api/src/main.rs", source),
        ],
    );
    dir
}

/// Runs `graph` and returns its exit code and standard error.
fn graph(dir: &tempfile::TempDir) -> (Option<i32>, String, String) {
    let output = flowdoc(dir.path(), &["graph", "--format", "json"]);
    (output.status.code(), text(&output.stdout), text(&output.stderr))
}

#[test]
fn the_defaults_read_the_small_project() {
    let dir = project("", TEMPLATE, HANDLER);
    let (code, stdout, stderr) = graph(&dir);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("order.placed"));
}

#[test]
fn a_source_file_over_max_source_bytes_is_reported_and_the_graph_still_made() {
    let mut source = String::from(HANDLER);
    source.push_str(&"// padding\n".repeat(200));
    let dir = project("max_source_bytes = 1000", TEMPLATE, &source);
    let (code, stdout, stderr) = graph(&dir);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("api/src/main.rs"), "{stderr}");
    assert!(stderr.contains("1000"), "the limit is named: {stderr}");
    assert!(stdout.contains("\"nodes\""), "the graph is still printed");
}

#[test]
fn nesting_over_max_nesting_is_refused_with_its_place() {
    let source = format!("{HANDLER}\nfn deep() {{ let x = {}1{}; }}\n", "(".repeat(20), ")".repeat(20));
    // The deep function carries no annotation: only what is parsed must pass the limit.
    let dir = project("max_nesting = 8", TEMPLATE, &source);
    assert_eq!(graph(&dir).0, Some(0), "items without annotations are not parsed");
    let source = format!(
        "use flowdoc_annotations::event_producer;\n#[event_producer(\"order.placed\", to = \"OrdersTopic\")]\nasync fn handler() {{ let x = {}1{}; }}\n",
        "(".repeat(20),
        ")".repeat(20)
    );
    let dir = project("max_nesting = 8", TEMPLATE, &source);
    let (code, _, stderr) = graph(&dir);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("api/src/main.rs:3:"), "{stderr}");
    assert!(stderr.contains("limit of 8 levels"), "{stderr}");
}

#[test]
fn a_template_over_max_template_bytes_stops_the_run() {
    let dir = project("max_template_bytes = 100", TEMPLATE, HANDLER);
    let (code, stdout, stderr) = graph(&dir);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("template.yaml"), "{stderr}");
    assert!(stderr.contains("100"), "{stderr}");
    assert!(stdout.is_empty());
}

#[test]
fn yaml_deeper_than_max_yaml_depth_is_refused_at_its_line() {
    let mut template = String::from(TEMPLATE);
    template.push_str("  Deep:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags:\n        - a:\n            b:\n              c:\n                d: 1\n");
    let dir = project("max_yaml_depth = 6", &template, HANDLER);
    let (code, _, stderr) = graph(&dir);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("template.yaml:1") && stderr.contains("deeper"), "{stderr}");
}

#[test]
fn yaml_with_more_nodes_than_max_yaml_nodes_is_refused() {
    // An alias bomb: each level doubles what the aliases expand to.
    let mut template = String::from(TEMPLATE);
    template.push_str("Metadata:\n  l0: &l0 [x, x]\n");
    for level in 1..12 {
        template.push_str(&format!("  l{level}: &l{level} [*l{}, *l{}]\n", level - 1, level - 1));
    }
    let dir = project("max_yaml_nodes = 1000", &template, HANDLER);
    let (code, _, stderr) = graph(&dir);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("template.yaml:") && stderr.contains("1000"), "{stderr}");
}

#[test]
fn a_zero_or_absurd_limit_is_a_configuration_error_or_a_clean_refusal() {
    for limits in ["max_nesting = -1", "max_source_bytes = \"big\"", "unknown_limit = 3"] {
        let dir = project(limits, TEMPLATE, HANDLER);
        let (code, _, stderr) = graph(&dir);
        assert_eq!(code, Some(2), "{limits}: {stderr}");
        assert!(stderr.contains("flowdoc.toml"), "{limits}: {stderr}");
    }
}

/// Runs flowdoc under `/usr/bin/time -v` when there is one, for its peak memory.
fn timed(root: &Path, args: &[&str]) -> (Output, f64, f64) {
    let start = Instant::now();
    let time = Path::new("/usr/bin/time");
    let output = if time.exists() {
        Command::new(time)
            .arg("-v")
            .arg(env!("CARGO_BIN_EXE_flowdoc"))
            .arg("--root")
            .arg(root)
            .args(args)
            .output()
            .unwrap()
    } else {
        flowdoc(root, args)
    };
    let seconds = start.elapsed().as_secs_f64();
    let peak = text(&output.stderr)
        .lines()
        .find_map(|line| {
            line.trim().strip_prefix("Maximum resident set size (kbytes): ")?.parse::<f64>().ok()
        })
        .map_or(0.0, |kib| kib / 1024.0);
    (output, seconds, peak)
}

#[test]
#[ignore = "full size: run with --release --ignored"]
fn full_size_a_200_mb_source_file() {
    let dir = project("", TEMPLATE, HANDLER);
    let big = dir.path().join("api/src/generated.rs");
    let line = "pub const TABLE: [u8; 64] = [0; 64]; // no annotations here\n";
    std::fs::write(&big, line.repeat(200_000_000 / line.len())).unwrap();
    let (output, seconds, peak) = timed(dir.path(), &["graph", "--format", "json"]);
    println!(
        "200 MB source without annotations: exit {:?}, {seconds:.2} s, peak {peak:.0} MiB",
        output.status.code()
    );
    assert_eq!(output.status.code(), Some(0), "searched as a stream, never held whole");
    // The same file with an annotation at its very end: over the limit, so reported.
    let mut tail = std::fs::OpenOptions::new().append(true).open(&big).unwrap();
    std::io::Write::write_all(
        &mut tail,
        b"#[event_producer(\"late\", to = \"OrdersTopic\")]\nfn late() {}\n",
    )
    .unwrap();
    let (output, seconds, peak) = timed(dir.path(), &["graph", "--format", "json"]);
    println!(
        "200 MB source with an annotation at the end: exit {:?}, {seconds:.2} s, peak {peak:.0} MiB",
        output.status.code()
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("generated.rs"));
    assert!(peak < 200.0 || peak == 0.0, "peak {peak} MiB");
}

#[test]
#[ignore = "full size: run with --release --ignored"]
fn full_size_a_50_mb_line() {
    let dir = project("max_source_bytes = 67108864", TEMPLATE, HANDLER);
    let mut line = String::from("use flowdoc_annotations::event_producer;");
    let filler = "const _: u8 = 1; ";
    while line.len() < 50_000_000 {
        line.push_str(filler);
    }
    line.push_str("#[event_producer(\"long.line\", to = \"OrdersTopic\")] fn long() {}\n");
    std::fs::write(dir.path().join("api/src/long.rs"), &line).unwrap();
    std::fs::write(dir.path().join("api/src/main.rs"), format!("mod long;\n{HANDLER}")).unwrap();
    let (output, seconds, peak) = timed(dir.path(), &["graph", "--format", "json"]);
    println!("50 MB line: exit {:?}, {seconds:.2} s, peak {peak:.0} MiB", output.status.code());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("long.line"));
}

#[test]
#[ignore = "full size: run with --release --ignored"]
fn full_size_100_000_resources() {
    let mut template = String::from(TEMPLATE);
    for index in 0..50_000 {
        template.push_str(&format!(
            "  Queue{index}:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt Dead{index}.Arn\n        maxReceiveCount: 3\n  Dead{index}:\n    Type: AWS::SQS::Queue\n"
        ));
        if template.len() > 30_000_000 {
            break;
        }
    }
    let resources = template.matches("    Type: ").count();
    let dir = project("max_template_bytes = 67108864", &template, HANDLER);
    let (output, seconds, peak) = timed(dir.path(), &["graph", "--format", "json"]);
    println!(
        "{resources} resources, {} MB of YAML: exit {:?}, {seconds:.2} s, peak {peak:.0} MiB",
        template.len() / 1_000_000,
        output.status.code()
    );
    assert!(resources >= 100_000);
    assert!(output.status.code().is_some_and(|code| code <= 1), "{}", text(&output.stderr));
}
