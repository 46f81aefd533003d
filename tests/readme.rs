//! The README and the guide as a newcomer reads them: exactly the two commands they need (one
//! that runs the main job, one that runs the tests), which CI runs too, links that resolve, and
//! every rule documented.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use std::path::Path;

fn read(relative: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)).unwrap()
}

/// The shell commands of a Markdown document's `bash` blocks.
fn shell_commands(markdown: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_bash = false;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(language))) => in_bash = &*language == "bash",
            Event::End(TagEnd::CodeBlock) => in_bash = false,
            Event::Text(text) if in_bash => {
                commands
                    .extend(text.lines().map(str::trim).filter(|line| !line.is_empty()).map(str::to_owned));
            }
            _ => {}
        }
    }
    commands
}

#[test]
fn the_readme_has_the_two_setup_commands_and_ci_runs_them() {
    let readme = read("README.md");
    assert_eq!(shell_commands(&readme), ["cargo run --release -- generate", "cargo test --workspace"]);
    let ci = read(".ci/run");
    assert!(ci.contains("\ncargo test --workspace\n"), "CI runs the README's test command");
    assert!(ci.contains("flowdoc check --deny warnings"), "CI checks the committed docs");
}

#[test]
fn links_in_the_readme_and_the_guide_resolve() {
    for document in ["README.md", "docs/guide.md", "pipeline/README.md"] {
        let text = read(document);
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join(document).parent().unwrap().to_owned();
        for event in Parser::new(&text) {
            let destination = match event {
                Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                    dest_url.to_string()
                }
                _ => continue,
            };
            if destination.contains("://") || destination.starts_with('#') {
                continue;
            }
            let file = destination.split('#').next().unwrap();
            assert!(base.join(file).exists(), "{document}: link to {destination} does not resolve");
        }
    }
}

#[test]
fn the_guide_and_the_readme_list_every_rule() {
    for document in ["README.md", "docs/guide.md"] {
        let text = read(document);
        for rule in flowdoc::rules::all() {
            let row = format!("| `{}` | {} |", rule.name(), rule.default_severity());
            assert!(text.contains(&row), "{document} lacks the rule {}", rule.name());
        }
    }
}
