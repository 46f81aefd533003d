//! Project configuration: `flowdoc.toml` at the root, or `[workspace.metadata.flowdoc]` /
//! `[package.metadata.flowdoc]` in the root `Cargo.toml`. Everything is optional; without it
//! flowdoc discovers templates and crates by itself.
//!
//! ```toml
//! templates = ["pipeline/template.yaml"]  # instead of discovery
//! crates = ["pipeline"]                   # only crates in these folders
//! output = "docs/flow"                    # where `generate` writes
//!
//! [rules]
//! tracing-disabled = "off"                # or "info", "warning", "error"
//!
//! [rules.missing-correlation-id]
//! severity = "error"
//! fields = ["correlation_id", "request_id"]
//!
//! [limits]
//! max_source_bytes = 16777216
//! max_nesting = 256
//! max_template_bytes = 33554432
//! max_yaml_depth = 256
//! max_yaml_nodes = 2000000
//! threads = 0                            # threads that read sources; 0: one per core
//! ```

use crate::files::normalize;
use crate::location::Location;
use crate::rules::{self, RuleSettings, Severity};
use crate::scan::ScanOptions;
use crate::template::{LoadOptions, YamlLimits};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The default output folder of `generate`, relative to the root.
pub const DEFAULT_OUTPUT: &str = "docs/flow";

/// A project's configuration, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Templates to load instead of discovering them, relative to the root.
    pub templates: Vec<String>,
    /// Folders whose crates are scanned; all when empty.
    pub crates: Vec<String>,
    /// Where `generate` writes, relative to the root.
    pub output: String,
    /// Rule severities and settings.
    pub rules: RuleSettings,
    /// Source scanning limits.
    pub scan: ScanOptions,
    /// Template loading limits.
    pub load: LoadOptions,
    /// The file the configuration came from, if any.
    pub source: Option<String>,
    /// The stack name each template (by path) is deployed as, for `${AWS::StackName}` in the
    /// names of exports and imports; wins over a `samconfig.toml` beside the template.
    pub stacks: BTreeMap<String, String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            templates: Vec::new(),
            crates: Vec::new(),
            output: DEFAULT_OUTPUT.to_owned(),
            rules: RuleSettings::default(),
            scan: ScanOptions::default(),
            load: LoadOptions::default(),
            source: None,
            stacks: BTreeMap::new(),
        }
    }
}

/// A configuration that could not be used, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// Where in the file.
    pub location: Location,
    /// What is wrong.
    pub message: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    templates: Vec<String>,
    #[serde(default)]
    crates: Vec<String>,
    output: Option<String>,
    #[serde(default)]
    rules: BTreeMap<String, RawRule>,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    stacks: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRule {
    Severity(String),
    Table(RawRuleTable),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuleTable {
    severity: Option<String>,
    fields: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_source_bytes: Option<u64>,
    max_nesting: Option<usize>,
    max_template_bytes: Option<u64>,
    max_yaml_depth: Option<usize>,
    max_yaml_nodes: Option<usize>,
    threads: Option<usize>,
}

#[derive(Deserialize)]
struct CargoManifest {
    workspace: Option<CargoMetadataHolder>,
    package: Option<CargoMetadataHolder>,
}

#[derive(Deserialize)]
struct CargoMetadataHolder {
    metadata: Option<CargoMetadata>,
}

#[derive(Deserialize)]
struct CargoMetadata {
    flowdoc: Option<toml::Value>,
}

/// Reads `flowdoc.toml` (at `path`, with contents `text`).
pub fn parse_flowdoc_toml(path: &str, text: &str) -> Result<Config, ConfigError> {
    let raw: RawConfig = toml::from_str(text).map_err(|error| toml_error(path, text, &error))?;
    validate(path, text, &raw)
}

/// Reads `[workspace.metadata.flowdoc]` or `[package.metadata.flowdoc]` of a `Cargo.toml`;
/// `None` when it has neither.
pub fn parse_cargo_metadata(path: &str, text: &str) -> Result<Option<Config>, ConfigError> {
    let manifest: CargoManifest = toml::from_str(text).map_err(|error| toml_error(path, text, &error))?;
    let table = [manifest.workspace, manifest.package]
        .into_iter()
        .flatten()
        .find_map(|holder| holder.metadata.and_then(|metadata| metadata.flowdoc));
    let Some(table) = table else { return Ok(None) };
    // Re-serialized, the table loses its positions; errors then point at the section.
    let section = text.find("metadata.flowdoc").unwrap_or(0);
    let raw = RawConfig::deserialize(table).map_err(|error| ConfigError {
        location: Location::at_offset(path, text.as_bytes(), section),
        message: error.message().to_owned(),
    })?;
    validate(path, text, &raw).map(Some)
}

fn toml_error(path: &str, text: &str, error: &toml::de::Error) -> ConfigError {
    let offset = error.span().map_or(0, |span| span.start);
    ConfigError {
        location: Location::at_offset(path, text.as_bytes(), offset),
        message: error.message().to_owned(),
    }
}

fn validate(path: &str, text: &str, raw: &RawConfig) -> Result<Config, ConfigError> {
    let mut config = Config {
        templates: raw.templates.iter().map(|t| normalize(t)).collect(),
        crates: raw.crates.iter().map(|c| normalize(c)).collect(),
        output: raw.output.as_deref().map_or_else(|| DEFAULT_OUTPUT.to_owned(), normalize),
        source: Some(path.to_owned()),
        stacks: raw.stacks.iter().map(|(template, stack)| (normalize(template), stack.clone())).collect(),
        ..Config::default()
    };
    for (name, rule) in &raw.rules {
        // Where the rule's name is written (the first mention after a `rules` section header).
        let section = text.find("rules").unwrap_or(0);
        let offset = text[section..].find(name.as_str()).map_or(section, |at| section + at);
        let at = || Location::at_offset(path, text.as_bytes(), offset);
        if rules::find(name).is_none() {
            let known: Vec<&str> = rules::all().iter().map(|rule| rule.name()).collect();
            return Err(ConfigError {
                location: at(),
                message: format!("unknown rule `{name}`; the rules are: {}", known.join(", ")),
            });
        }
        let (severity, fields) = match rule {
            RawRule::Severity(severity) => (Some(severity.as_str()), None),
            RawRule::Table(table) => (table.severity.as_deref(), table.fields.as_ref()),
        };
        if let Some(severity) = severity {
            let level = match severity {
                "off" => None,
                other => Some(Severity::from_name(other).ok_or_else(|| ConfigError {
                    location: at(),
                    message: format!(
                        "`{other}` is not a severity: use \"error\", \"warning\", \"info\" or \"off\""
                    ),
                })?),
            };
            config.rules.severities.insert(name.clone(), level);
        }
        if let Some(fields) = fields {
            if name != "missing-correlation-id" {
                return Err(ConfigError {
                    location: at(),
                    message: format!("rule `{name}` has no `fields` setting"),
                });
            }
            config.rules.correlation_fields = fields.clone();
        }
    }
    let limits = &raw.limits;
    if let Some(bytes) = limits.max_source_bytes {
        config.scan.max_file_bytes = bytes;
    }
    if let Some(nesting) = limits.max_nesting {
        config.scan.max_nesting = nesting;
    }
    if let Some(threads) = limits.threads {
        config.scan.threads = threads;
    }
    if let Some(bytes) = limits.max_template_bytes {
        config.load.max_file_bytes = bytes;
    }
    config.load.yaml = YamlLimits {
        max_depth: limits.max_yaml_depth.unwrap_or(config.load.yaml.max_depth),
        max_nodes: limits.max_yaml_nodes.unwrap_or(config.load.yaml.max_nodes),
    };
    config.scan.crate_roots.clone_from(&config.crates);
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_setting() {
        let config = parse_flowdoc_toml(
            "flowdoc.toml",
            r#"
templates = ["./pipeline/template.yaml"]
crates = ["pipeline/"]
output = "docs/flow/"

[rules]
tracing-disabled = "off"
queue-without-dlq = "error"

[rules.missing-correlation-id]
severity = "info"
fields = ["request_id"]

[limits]
max_nesting = 64
max_yaml_nodes = 1000
"#,
        )
        .unwrap();
        assert_eq!(config.templates, ["pipeline/template.yaml"]);
        assert_eq!(config.crates, ["pipeline"]);
        assert_eq!(config.scan.crate_roots, ["pipeline"]);
        assert_eq!(config.output, "docs/flow");
        assert_eq!(config.rules.severities["tracing-disabled"], None);
        assert_eq!(config.rules.severities["queue-without-dlq"], Some(Severity::Error));
        assert_eq!(config.rules.severities["missing-correlation-id"], Some(Severity::Info));
        assert_eq!(config.rules.correlation_fields, ["request_id"]);
        assert_eq!(config.scan.max_nesting, 64);
        assert_eq!(config.load.yaml.max_nodes, 1000);
        assert_eq!(config.load.yaml.max_depth, YamlLimits::default().max_depth);
    }

    #[test]
    fn mistakes_say_where() {
        let cases = [
            ("[rules]\nno-such-rule = \"off\"\n", "flowdoc.toml:2:1 unknown rule `no-such-rule`"),
            ("[rules]\ntracing-disabled = \"loud\"\n", "flowdoc.toml:2:1 `loud` is not a severity"),
            (
                "[rules.tracing-disabled]\nfields = [\"x\"]\n",
                "flowdoc.toml:1:8 rule `tracing-disabled` has no `fields` setting",
            ),
            ("templtes = []\n", "flowdoc.toml:1:1 unknown field `templtes`"),
            ("templates = \"x\"\n", "flowdoc.toml:1:13 invalid type"),
        ];
        for (text, expected) in cases {
            let error = parse_flowdoc_toml("flowdoc.toml", text).unwrap_err();
            let message = format!("{} {}", error.location, error.message);
            assert!(message.starts_with(expected), "{text:?}: {message}");
        }
    }

    #[test]
    fn cargo_metadata_sections() {
        let text = "[workspace]\nmembers = []\n[workspace.metadata.flowdoc]\noutput = \"site/flow\"\n";
        assert_eq!(parse_cargo_metadata("Cargo.toml", text).unwrap().unwrap().output, "site/flow");
        assert_eq!(parse_cargo_metadata("Cargo.toml", "[package]\nname = \"x\"\n").unwrap(), None);
        let bad = "[package.metadata.flowdoc]\nrules = { nope = \"off\" }\n";
        let error = parse_cargo_metadata("Cargo.toml", bad).unwrap_err();
        assert!(error.message.contains("unknown rule `nope`"), "{}", error.message);
    }
}
