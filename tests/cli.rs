//! The `flowdoc` command as users run it: output, exit codes and messages.

use std::path::Path;
use std::process::{Command, Output};

fn flowdoc(args: &[&str], dir: &Path) -> Output {
    // Without the cache: these runs are on the repository itself, whose cache another build of
    // flowdoc may have written (tests/cache.rs tests the cache).
    Command::new(env!("CARGO_BIN_EXE_flowdoc"))
        .arg("--no-cache")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("flowdoc runs")
}

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn validate(json: &str) {
    let schema_text = std::fs::read_to_string(repository().join("docs/flow.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let instance: serde_json::Value = serde_json::from_str(json).expect("the output is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "the output does not match docs/flow.schema.json:\n{}", errors.join("\n"));
}

/// The bundled pipeline's graph: what SPEC.md fixes, valid against the published schema,
/// byte-identical on every run, exit 0 with nothing on standard error.
#[test]
fn graph_of_the_bundled_pipeline() {
    let first = flowdoc(&["graph", "--format", "json"], repository());
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert_eq!(text(&first.stderr), "", "the pipeline has no findings");
    let json = text(&first.stdout);
    validate(&json);
    insta::assert_snapshot!("pipeline_graph_json", json);
    let second = flowdoc(&["graph", "--format", "json"], repository());
    assert_eq!(first.stdout, second.stdout, "byte-identical output");

    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let table = value["nodes"].as_array().unwrap().iter().find(|node| node["id"] == "OrdersTable").unwrap();
    assert_eq!(table["kind"], "dynamodb-table");
    assert_eq!(table["file"], "pipeline/template.yaml");
    let publish = value["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|edge| edge["from"] == "OrderApiFunction" && edge["kind"] == "publish")
        .unwrap();
    assert_eq!(publish["to"], "OrdersTable");
    assert_eq!(publish["confirmed"], true);
    assert_eq!(publish["events"], serde_json::json!(["OrderCancelled", "OrderPlaced", "OrderUpdated"]));
}

/// `--root` and `--template` from anywhere.
#[test]
fn root_and_template_options() {
    let elsewhere = std::env::temp_dir();
    let root = repository().to_str().unwrap().to_owned();
    let template = repository().join("pipeline/template.yaml");
    let output = flowdoc(&["--root", &root, "--template", template.to_str().unwrap(), "graph"], &elsewhere);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(output.stdout, flowdoc(&["graph"], repository()).stdout);
}

/// A project with bad sources: findings on standard error with their place and line, the
/// graph still printed, valid, and exit 2 at the end.
#[test]
fn unreadable_sources_exit_two_after_the_graph() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("api/src")).unwrap();
    std::fs::write(dir.path().join("template.yaml"), "Resources:\n  ApiFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: api/\n      Tracing: Active\n").unwrap();
    std::fs::write(dir.path().join("api/Cargo.toml"), "[package]\nname = \"api\"\n").unwrap();
    std::fs::write(
        dir.path().join("api/src/main.rs"),
        "#[event_producer(A, to = \"Nowhere\")]\nfn handler() {\n    let = 1;\n}\n",
    )
    .unwrap();
    let output = flowdoc(&["graph"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    validate(&text(&output.stdout));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(
            "error[unreadable-source]: cannot parse Rust source: expected one of: identifier, `::`, `<`, `_`, literal, `const`, `ref`, `mut`, `&`, parentheses, square brackets, `..`, `const`; the file is skipped
 --> api/src/main.rs:3:9
  |
3 |     let = 1;
  |         ^
"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("info[undocumented-function]: `ApiFunction` has no annotated handler"),
        "{stderr}"
    );
}

/// A template that cannot be read stops the run with exit 2 and says where.
#[test]
fn a_broken_template_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("template.yaml"),
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n   Bad: [\n",
    )
    .unwrap();
    let output = flowdoc(&["graph"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(text(&output.stdout), "");
    assert_eq!(
        text(&output.stderr),
        "error: cannot load the template: while parsing a block mapping, did not find expected key
 --> template.yaml:4:4
  |
4 |    Bad: [
  |    ^^^
"
    );
}

#[test]
fn nothing_to_read() {
    let dir = tempfile::tempdir().unwrap();
    let output = flowdoc(&["graph"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).starts_with("error: no SAM or CloudFormation template found in `.`"),
        "{}",
        text(&output.stderr)
    );
    let output = flowdoc(&["--root", "no/such/folder", "graph"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(text(&output.stderr), "error: the root `no/such/folder` is not a folder\n");
}

#[test]
fn invalid_configuration_says_where() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("flowdoc.toml"), "[rules]\nqueue-without-dql = \"off\"\n").unwrap();
    let output = flowdoc(&["graph"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.starts_with("error: invalid configuration: unknown rule `queue-without-dql`"), "{stderr}");
    assert!(stderr.contains(" --> flowdoc.toml:2:1\n"), "{stderr}");
}

#[test]
fn help_and_version() {
    let help = flowdoc(&["--help"], repository());
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("Usage: flowdoc [OPTIONS] <COMMAND>"));
    let graph_help = flowdoc(&["graph", "--help"], repository());
    assert!(text(&graph_help.stdout).contains("Examples:"));
    let version = flowdoc(&["--version"], repository());
    assert_eq!(text(&version.stdout), format!("flowdoc {}\n", env!("CARGO_PKG_VERSION")));
    let wrong = flowdoc(&["grpah"], repository());
    assert_eq!(wrong.status.code(), Some(2), "clap's usage errors exit 2 too");
}

/// `check --format sarif` is valid SARIF 2.1.0 (against the schema kept in tests/schemas) with
/// a result per finding at its place.
#[test]
fn sarif_output_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("template.yaml"),
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n      Tracing: Active\n      Events:\n        Jobs:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Queue.Arn\n",
    )
    .unwrap();
    let output = flowdoc(&["check", "--format", "sarif"], dir.path());
    assert_eq!(
        output.status.code(),
        Some(0),
        "warnings do not fail without --deny: {}",
        text(&output.stderr)
    );
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).expect("SARIF is JSON");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repository().join("tests/schemas/sarif-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> =
        validator.iter_errors(&log).map(|error| format!("{error} at {}", error.instance_path())).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let results = log["runs"][0]["results"].as_array().unwrap();
    let rules: Vec<&str> = results.iter().map(|result| result["ruleId"].as_str().unwrap()).collect();
    assert_eq!(rules, ["queue-without-dlq", "undocumented-function", "partial-batch-not-reported"]);
    let location = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "template.yaml");
    assert_eq!(location["region"]["startLine"], 2);
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().len(),
        flowdoc::rules::all().len()
    );

    let denied = flowdoc(&["check", "--deny", "warnings", "--format", "github"], dir.path());
    assert_eq!(denied.status.code(), Some(1));
    assert_eq!(
        text(&denied.stdout).lines().next().unwrap(),
        "::warning file=template.yaml,line=2,col=3,title=flowdoc queue-without-dlq::queue `Queue` triggers `Worker` but has no redrive policy: a message that keeps failing is retried until it expires"
    );
    let json = flowdoc(&["check", "--format", "json"], dir.path());
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 3);
    assert!(
        text(&json.stderr).contains("note: no docs at ./docs/flow; only the rules were checked"),
        "{}",
        text(&json.stderr)
    );
}

#[test]
fn explain_rules() {
    let output = flowdoc(&["explain", "queue-without-dlq"], repository());
    assert_eq!(output.status.code(), Some(0));
    let explanation = text(&output.stdout);
    assert!(
        explanation.starts_with(
            "queue-without-dlq (warning by default): an SQS queue feeding a function has no redrive policy"
        ),
        "{explanation}"
    );
    assert!(explanation.contains("How to fix:"), "{explanation}");
    let unknown = flowdoc(&["explain", "queue-without-dql"], repository());
    assert_eq!(unknown.status.code(), Some(2));
    let listing = text(&unknown.stderr);
    assert!(
        listing.starts_with("error: there is no rule `queue-without-dql`; the rules are:\n"),
        "{listing}"
    );
    assert_eq!(listing.lines().count(), 1 + flowdoc::rules::all().len());
}

/// `--timings` names every phase of the run, in order, and the total, on standard error only.
#[test]
fn timings_name_every_phase() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("docs");
    let output = flowdoc(&["--timings", "generate", "--out", out.to_str().unwrap()], repository());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    let report = stderr.split("timings:\n").nth(1).expect("a timings report");
    let phases: Vec<&str> = report.lines().filter_map(|line| line.split_whitespace().next()).collect();
    assert_eq!(
        &phases[..9],
        ["walk", "templates", "pre-filter", "parse", "model", "rules", "render", "write", "total"],
        "{report}"
    );
    assert!(
        report.contains("(1 template, 18 resources; with their part of the model, alongside the scan)"),
        "{report}"
    );
    let quiet = flowdoc(&["graph", "--format", "json"], repository());
    assert!(!text(&quiet.stderr).contains("timings"), "only when asked");
}
