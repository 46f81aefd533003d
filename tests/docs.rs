//! The generated documentation as a newcomer and CI meet it: the committed docs of the bundled
//! pipeline are exactly what `generate` writes, every page parses and every link resolves, no
//! label overlaps another in any picture, and `generate` / `check` behave on real folders.

mod common;

use common::{svg, text};
use pulldown_cmark::{Event, Parser, Tag};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

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

/// Every file under `folder`, by relative path.
fn read_folder(folder: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![folder.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(folder).unwrap().to_str().unwrap().replace('\\', "/");
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Copies a project folder, leaving build output out.
fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_folder(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// The bundled pipeline's docs, generated afresh into `dir/flow`.
fn generate_pipeline_docs(dir: &Path) -> PathBuf {
    let out = dir.join("flow");
    let output = flowdoc(&["generate", "--out", out.to_str().unwrap()], repository());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    out
}

#[test]
fn the_committed_docs_are_what_generate_writes() {
    let check = flowdoc(&["check", "--deny", "warnings"], repository());
    assert_eq!(
        check.status.code(),
        Some(0),
        "docs/flow is stale; run `cargo run -- generate`:\n{}",
        text(&check.stderr)
    );
    // Generating twice gives the same bytes.
    let dir = tempfile::tempdir().unwrap();
    let first = read_folder(&generate_pipeline_docs(dir.path()));
    let again = read_folder(&generate_pipeline_docs(dir.path()));
    assert_eq!(first, again);
    assert_eq!(first.len(), read_folder(&repository().join("docs/flow")).len());
}

#[test]
fn every_page_parses_and_every_relative_link_resolves() {
    let folder = repository().join("docs/flow");
    let pages: Vec<(String, Vec<u8>)> =
        read_folder(&folder).into_iter().filter(|(path, _)| path.ends_with(".md")).collect();
    assert!(pages.len() >= 9, "index, findings, 3 events, 4 functions");
    let mut checked = 0;
    for (path, bytes) in pages {
        let markdown = String::from_utf8(bytes).expect("pages are UTF-8");
        let page_dir = folder.join(&path).parent().unwrap().to_owned();
        for event in Parser::new(&markdown) {
            let destination = match event {
                Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => {
                    dest_url.to_string()
                }
                Event::Html(html) | Event::InlineHtml(html) => {
                    assert!(
                        !html.contains("<script") && !html.contains("onerror"),
                        "{path}: raw HTML {html}"
                    );
                    continue;
                }
                _ => continue,
            };
            assert!(!destination.contains("://"), "{path}: links stay in the repository: {destination}");
            let file = destination.split('#').next().unwrap();
            let target = page_dir.join(file.replace("%20", " "));
            assert!(target.exists(), "{path}: link to {destination} does not resolve ({})", target.display());
            if let Some(anchor) = destination.split_once("#L").map(|(_, line)| line) {
                let line: usize = anchor.parse().expect("line anchors are numbers");
                let lines = std::fs::read_to_string(&target).unwrap().lines().count();
                assert!(line >= 1 && line <= lines, "{path}: {destination} points past the end");
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "the pages link to events, functions and code ({checked} links)");
}

#[test]
fn no_two_text_boxes_overlap_in_any_diagram() {
    let folder = repository().join("docs/flow");
    let pictures: Vec<(String, Vec<u8>)> =
        read_folder(&folder).into_iter().filter(|(path, _)| path.ends_with(".svg")).collect();
    assert_eq!(pictures.len(), 8, "the overview, 3 events, 4 functions");
    for (path, bytes) in pictures {
        let picture = String::from_utf8(bytes).unwrap();
        assert!(!svg::texts(&picture).is_empty(), "{path}");
        let overlaps = svg::overlaps(&picture);
        assert!(overlaps.is_empty(), "{path}: {}", overlaps.join("\n"));
    }
}

/// A small project where the tests can break things.
fn pipeline_copy(dir: &Path) -> PathBuf {
    let root = dir.join("project");
    copy_folder(&repository().join("pipeline"), &root.join("pipeline"));
    std::fs::write(
        root.join("flowdoc.toml"),
        "templates = [\"pipeline/template.yaml\"]\ncrates = [\"pipeline\"]\n",
    )
    .unwrap();
    root
}

#[test]
fn check_catches_a_removed_redrive_policy() {
    let dir = tempfile::tempdir().unwrap();
    let root = pipeline_copy(dir.path());
    let generated = flowdoc(&["generate"], &root);
    assert_eq!(generated.status.code(), Some(0), "{}", text(&generated.stderr));
    let clean = flowdoc(&["check", "--deny", "warnings"], &root);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stderr));

    let template = root.join("pipeline/template.yaml");
    let original = std::fs::read_to_string(&template).unwrap();
    let broken = original.replacen(
        "      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt FulfilmentDeadLetterQueue.Arn\n        maxReceiveCount: 5\n",
        "",
        1,
    );
    assert_ne!(broken, original, "the fixture still has the redrive policy");
    std::fs::write(&template, broken).unwrap();
    let check = flowdoc(&["check", "--deny", "warnings"], &root);
    assert_eq!(check.status.code(), Some(1));
    let stderr = text(&check.stderr);
    assert!(stderr.contains("warning[queue-without-dlq]: queue `FulfilmentQueue` triggers `FulfilmentFunction` but has no redrive policy"), "{stderr}");
    assert!(
        stderr.contains("error: the docs in ./docs/flow are out of date; run `flowdoc generate`"),
        "{stderr}"
    );
    assert!(stderr.contains("  index.md is out of date\n"), "{stderr}");
    // Without --deny warnings the warning alone passes; the stale docs still fail.
    let relaxed = flowdoc(&["check"], &root);
    assert_eq!(relaxed.status.code(), Some(1));
    assert!(flowdoc(&["generate"], &root).status.success());
    assert_eq!(flowdoc(&["check"], &root).status.code(), Some(0));
}

#[test]
fn generate_replaces_only_folders_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let root = pipeline_copy(dir.path());
    std::fs::write(root.join("notes.txt"), "mine").unwrap();
    for out in [".", "pipeline"] {
        let output = flowdoc(&["generate", "--out", out], &root);
        assert_eq!(output.status.code(), Some(2), "--out {out}");
        assert!(text(&output.stderr).contains("has files flowdoc did not write"), "{}", text(&output.stderr));
    }
    assert_eq!(std::fs::read_to_string(root.join("notes.txt")).unwrap(), "mine");
    assert!(root.join("pipeline/template.yaml").exists());

    // Its own folder it replaces, removing what it no longer writes.
    assert!(flowdoc(&["generate"], &root).status.success());
    std::fs::write(root.join("docs/flow/events/stale.md"), "old").unwrap();
    let again = flowdoc(&["generate"], &root);
    assert!(again.status.success());
    assert!(text(&again.stderr).contains("(removed events/stale.md)"), "{}", text(&again.stderr));
    assert!(!root.join("docs/flow/events/stale.md").exists());
    assert!(
        !std::fs::read_dir(root.join("docs")).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("flowdoc-new"))
    );
}

#[test]
fn an_unreadable_source_is_listed_in_the_docs_and_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    let root = pipeline_copy(dir.path());
    std::fs::write(
        root.join("pipeline/fulfilment/src/broken.rs"),
        "#[event_consumer(OrderPlaced, from = \"FulfilmentQueue\")]\nfn f( {\n",
    )
    .unwrap();
    let lib = root.join("pipeline/fulfilment/src/lib.rs");
    let source = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, format!("mod broken;\n{source}")).unwrap();
    let output = flowdoc(&["generate"], &root);
    assert_eq!(output.status.code(), Some(2));
    let findings = std::fs::read_to_string(root.join("docs/flow/findings.md")).unwrap();
    assert!(findings.contains("`unreadable-source`"), "{findings}");
    assert!(findings.contains("pipeline/fulfilment/src/broken.rs"), "{findings}");
}

/// The docs of a project with no annotations yet read on their own: counts in words, a word on
/// the missing events instead of an empty table, the granted writes explained and listed.
#[test]
fn docs_of_a_template_without_annotations() {
    let mut files = flowdoc::files::MemoryFiles::new();
    files.insert(
        "template.yaml",
        "Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment: {Variables: {TABLE: !Ref Table}}
      Policies: [{DynamoDBCrudPolicy: {TableName: !Ref Table}}]
      Events:
        Api: {Type: Api, Properties: {Path: /orders, Method: post}}
  Table:
    Type: AWS::DynamoDB::Table
",
    );
    let analysis = common::analyse(&files, &["template.yaml"]);
    let docs = flowdoc::render::docs::documents(
        &analysis.flow,
        &analysis.findings,
        &flowdoc::render::docs::DocsOptions { out_dir: Some("docs/flow".into()) },
    );
    let index = &docs["index.md"];
    assert!(index.contains("0 events, 1 function, 3 resources, from `template.yaml`."), "{index}");
    assert!(index.contains("No events yet: no handler is annotated"), "{index}");
    assert!(!index.contains("| Event | Version |"), "no empty table: {index}");
    assert!(index.contains("Dashed blue arrows are writes the template grants"), "{index}");
    let page = &docs["functions/orders.md"];
    assert!(page.contains("| `Table` | DynamoDBCrudPolicy |"), "{page}");
    assert!(docs["overview.svg"].contains("granted, not declared in code"), "the legend says it");
}

/// Each resource has a page: what arrives and from where, where it goes, where what fails
/// there lands and who may use it, each end a link to its page.
#[test]
fn every_resource_has_a_page_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let out = generate_pipeline_docs(dir.path());
    let page = std::fs::read_to_string(out.join("resources/fulfilmentqueue.md")).unwrap();
    let sections: Vec<&str> = page.lines().filter(|line| line.starts_with("## ")).collect();
    assert_eq!(sections, ["## What arrives", "## Where it goes", "## Failure handling", "## Access granted"]);
    assert!(page.contains("# FulfilmentQueue\n\n[← The whole system](../index.md)\n\nsqs-queue · `AWS::SQS::Queue` · defined at "));
    assert!(page.contains(
        "| [`OrderEventsTopic`](../resources/ordereventstopic.md) | subscription: `sqs` | [OrderCancelled](../events/ordercancelled.md), [OrderPlaced](../events/orderplaced.md) |"
    ), "{page}");
    assert!(page.contains(
        "| [`FulfilmentFunction`](../functions/fulfilmentfunction.md) | SQS, batch 10, reports batch item failures |"
    ), "{page}");
    assert!(
        page.contains("- `FulfilmentQueue` → `FulfilmentDeadLetterQueue`: redrive after 5 receives"),
        "{page}"
    );
    let dead_letters = std::fs::read_to_string(out.join("resources/fulfilmentdeadletterqueue.md")).unwrap();
    assert!(dead_letters.contains("sqs-queue (dead-letter queue)"));
    assert!(dead_letters.contains("Nothing in the flow leaves from here."));
    assert!(
        dead_letters.contains("- `FulfilmentQueue` → `FulfilmentDeadLetterQueue`: redrive after 5 receives")
    );
    // The index links every resource to its page, and every function to its own.
    let index = std::fs::read_to_string(out.join("index.md")).unwrap();
    assert!(index.contains("| [`OrdersTable`](resources/orderstable.md) | dynamodb-table |"));
    assert!(index.contains("| [`OrderApiFunction`](functions/orderapifunction.md) | function |"));
    let pages = std::fs::read_dir(out.join("resources")).unwrap().count();
    assert_eq!(pages, 14, "one per resource that is not a function");
}
