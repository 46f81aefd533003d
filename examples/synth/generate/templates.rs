//! The SAM templates (one per domain, or one for everything) and the manifests: the workspace
//! `Cargo.toml`, the `README.md` and each crate's `Cargo.toml`.

use super::Options;
use super::plan::{Block, Domain, Function, Plan};
use super::text::{fill, indent};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The start of a template, up to `Resources:`: its description, parameters and globals.
fn template_header(description: &str, has_api: bool) -> String {
    let api = if has_api { "  Api:\n    TracingEnabled: true\n" } else { "" };
    fill(
        "AWSTemplateFormatVersion: \"2010-09-09\"
Transform: AWS::Serverless-2016-10-31
Description: >-
  @description@

Parameters:
  LogLevel:
    Type: String
    Default: info
    AllowedValues:
      - debug
      - info
      - warn
    Description: The log level of every function.

Globals:
  Function:
    Runtime: provided.al2023
    Architectures:
      - arm64
    Handler: bootstrap
    Tracing: Active
    Timeout: 10
    MemorySize: 256
    Environment:
      Variables:
        RUST_LOG: !Ref LogLevel
@api@
Resources:
",
        &[("description", description), ("api", api)],
    )
}

/// The `AWS::Serverless::Function` resource of `function`, its code at `code_uri`.
fn function_yaml(function: &Function, code_uri: &str) -> String {
    let mut out = String::with_capacity(2048);
    let _ = writeln!(out, "  {}:", function.id);
    out.push_str("    Type: AWS::Serverless::Function\n    Metadata:\n      BuildMethod: rust-cargolambda\n");
    let _ = writeln!(out, "      BuildProperties:\n        Binary: {}", function.package);
    out.push_str("    Properties:\n");
    let _ = writeln!(out, "      Description: \"{}\"", function.description);
    let _ = writeln!(out, "      CodeUri: {code_uri}");
    if function.timeout != 10 {
        let _ = writeln!(out, "      Timeout: {}", function.timeout);
    }
    if function.memory != 256 {
        let _ = writeln!(out, "      MemorySize: {}", function.memory);
    }
    if !function.env.is_empty() {
        out.push_str("      Environment:\n        Variables:\n");
        for (name, value) in &function.env {
            let _ = writeln!(out, "          {name}: {value}");
        }
    }
    if !function.policies.is_empty() {
        out.push_str("      Policies:\n");
        for policy in &function.policies {
            out.push_str(&indent(policy, 8));
        }
    }
    for extra in &function.extra {
        out.push_str(extra);
    }
    if !function.events.is_empty() {
        out.push_str("      Events:\n");
        for event in &function.events {
            out.push_str(&indent(event, 8));
        }
    }
    out
}

/// The resources of `domain`, with `prefix` before every `CodeUri` (the domain's folder seen
/// from the template).
fn domain_resources(domain: &Domain, prefix: &str) -> String {
    let mut out = String::with_capacity(domain.functions.len() * 4096);
    for block in &domain.blocks {
        match block {
            Block::Comment(text) => {
                let _ = writeln!(out, "  # --- {text} {}\n", "-".repeat(90usize.saturating_sub(text.len())));
            }
            Block::Resource(yaml) => {
                out.push_str(yaml);
                out.push('\n');
            }
            Block::Function(index) => {
                let function = &domain.functions[*index];
                out.push_str(&function_yaml(function, &format!("{prefix}{}/", function.dir)));
                out.push('\n');
            }
        }
    }
    out
}

/// The outputs of `domain`, and the API's URL when `api_output`.
fn outputs_yaml(domain: &Domain, api_output: bool) -> String {
    let mut out = String::new();
    if api_output {
        out.push_str("  ApiUrl:\n    Description: The REST API of the functions with an Api event.\n");
        out.push_str("    Value: !Sub \"https://${ServerlessRestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/Prod/\"
");
    }
    for (name, description, value, exported) in &domain.outputs {
        let _ = writeln!(out, "  {name}:\n    Description: {description}\n    Value: {value}");
        if *exported {
            let _ = writeln!(out, "    Export:\n      Name: !Sub \"${{AWS::StackName}}-{name}\"");
        }
    }
    out
}

/// The description of a domain's own template.
fn domain_summary(plan: &Plan, domain: &Domain) -> String {
    let listeners = domain
        .functions
        .iter()
        .flat_map(|function| &function.consumes)
        .filter(|consume| plan.events[consume.event].domain != domain.index)
        .count();
    format!(
        "{}: {} functions and the queues, topics, tables, streams and rules between them. {} events of \
         its own; {listeners} listeners take events of earlier domains from the default event bus.",
        domain.description,
        domain.functions.len(),
        domain.events.len()
    )
}

/// Writes the templates: one per domain, or one `template.yaml` for everything.
pub(super) fn write_templates(plan: &Plan, options: &Options, files: &mut BTreeMap<String, String>) {
    if options.single_template {
        let has_api = plan.domains.iter().any(|domain| domain.has_api);
        let description = format!(
            "The whole synthetic system in one template: {} domains, {} functions. Generated by flowdoc's synth example (seed {}).",
            plan.domains.len(),
            plan.domains.iter().map(|domain| domain.functions.len()).sum::<usize>(),
            options.seed
        );
        let mut text = template_header(&description, has_api);
        let mut outputs = String::new();
        for (position, domain) in plan.domains.iter().enumerate() {
            let _ = writeln!(
                text,
                "  # === {} {}\n",
                domain.name,
                "=".repeat(90usize.saturating_sub(domain.name.len()))
            );
            text.push_str(&domain_resources(domain, &format!("{}/", domain.dir)));
            outputs.push_str(&outputs_yaml(domain, has_api && position == 0));
        }
        if !outputs.is_empty() {
            text.push_str("Outputs:\n");
            text.push_str(&outputs);
        }
        files.insert("template.yaml".to_owned(), text);
    } else {
        for domain in &plan.domains {
            let mut text = template_header(&domain_summary(plan, domain), domain.has_api);
            text.push_str(&domain_resources(domain, ""));
            let outputs = outputs_yaml(domain, domain.has_api);
            if !outputs.is_empty() {
                text.push_str("Outputs:\n");
                text.push_str(&outputs);
            }
            files.insert(format!("{}/template.yaml", domain.dir), text);
        }
    }
}

/// Writes the workspace `Cargo.toml` and the `README.md` at the root.
pub(super) fn write_workspace(plan: &Plan, options: &Options, files: &mut BTreeMap<String, String>) {
    let mut members = Vec::new();
    let mut events_crates = Vec::new();
    for domain in &plan.domains {
        members.push(format!("{}/events", domain.dir));
        events_crates.push((domain.events_crate(), format!("{}/events", domain.dir)));
        for function in &domain.functions {
            members.push(format!("{}/{}", domain.dir, function.dir));
        }
    }
    members.sort();
    let mut text = format!(
        "# A synthetic serverless monorepo, generated by flowdoc's `synth` example:\n\
         #   cargo run --release --example synth -- DIR --crates {}{} --seed {}\n\
         # flowdoc reads it; nothing here is meant to be deployed.\n\n[workspace]\nmembers = [\n",
        options.crates,
        if options.single_template { " --single-template" } else { "" },
        options.seed
    );
    for member in &members {
        let _ = writeln!(text, "    \"{member}\",");
    }
    text.push_str(
        "]
resolver = \"3\"

[workspace.package]
version = \"0.1.0\"
edition = \"2024\"
license = \"MIT OR Apache-2.0\"
publish = false

[workspace.dependencies]
",
    );
    text.push_str("flowdoc-annotations = \"0.1\"\n");
    text.push_str(
        "lambda_runtime = { version = \"1.5\", default-features = false, features = [\"tracing\"] }\n",
    );
    text.push_str("serde = { version = \"1.0.229\", features = [\"derive\"] }\n");
    text.push_str("serde_json = \"1.0.154\"\n");
    text.push_str(
        "tokio = { version = \"1.54\", default-features = false, features = [\"macros\", \"rt\"] }\n",
    );
    text.push_str("tracing = { version = \"0.1.44\", default-features = false, features = [\"std\"] }\n");
    for (name, path) in &events_crates {
        let _ = writeln!(text, "{name} = {{ path = \"{path}\" }}");
    }
    files.insert("Cargo.toml".to_owned(), text);

    let functions: usize = plan.domains.iter().map(|domain| domain.functions.len()).sum();
    let typed = plan.events.iter().filter(|event| event.rust.is_some()).count();
    let mut readme = format!(
        "# Synthetic serverless monorepo\n\nGenerated by flowdoc's `synth` example (`--crates {} --seed {}{}`) to measure \
         flowdoc on a large project. Every file is made up: {} domains, {functions} Lambda functions, {} event \
         types ({typed} with a Rust type).\n\n",
        options.crates,
        options.seed,
        if options.single_template { " --single-template" } else { "" },
        plan.domains.len(),
        plan.events.len(),
    );
    readme.push_str("| domain | functions | events | template |\n|---|---|---|---|\n");
    for domain in &plan.domains {
        let template = if options.single_template {
            "template.yaml".to_owned()
        } else {
            format!("{}/template.yaml", domain.dir)
        };
        let _ = writeln!(
            readme,
            "| {} | {} | {} | `{template}` |",
            domain.name,
            domain.functions.len(),
            domain.events.len()
        );
    }
    files.insert("README.md".to_owned(), readme);
}

/// The `Cargo.toml` of a crate of the workspace.
pub(super) fn package_manifest(name: &str, description: &str, dependencies: &BTreeSet<String>) -> String {
    let mut text = format!(
        "[package]
name = \"{name}\"
description = \"{description}\"
version.workspace = true
edition.workspace = true
license.workspace = true
publish.workspace = true

[dependencies]
"
    );
    for dependency in dependencies {
        let _ = writeln!(text, "{dependency}.workspace = true");
    }
    text
}
