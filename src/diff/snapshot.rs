//! One state of the flow, as the JSON graph describes it: what `diff` compares. A live project is
//! rendered to JSON and read back, so a state from a `flow.json` file and one built from a git
//! revision compare the same way.

use crate::model::Flow;
use crate::render::json;
use crate::rules::Finding;
use serde::Deserialize;

/// The JSON graph, read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Snapshot {
    /// The format version; only [`json::FORMAT_VERSION`] is read.
    pub version: u32,
    /// Nodes, sorted by id.
    #[serde(default)]
    pub nodes: Vec<SnapshotNode>,
    /// Edges, sorted by (from, to, kind).
    #[serde(default)]
    pub edges: Vec<SnapshotEdge>,
    /// Events, sorted by name.
    #[serde(default)]
    pub events: Vec<SnapshotEvent>,
    /// Findings.
    #[serde(default)]
    pub findings: Vec<SnapshotFinding>,
}

/// A node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct SnapshotNode {
    pub id: String,
    pub kind: String,
    #[serde(rename = "type")]
    pub type_name: Option<String>,
    #[serde(default)]
    pub dlq: bool,
    pub file: Option<String>,
    pub line: Option<u32>,
}

/// An edge.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct SnapshotEdge {
    pub from: String,
    pub to: String,
    pub kind: String,
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub confirmed: bool,
    pub file: Option<String>,
    pub line: Option<u32>,
}

/// An event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct SnapshotEvent {
    pub name: String,
    #[serde(default)]
    pub version: u32,
    #[serde(default)]
    pub producers: Vec<String>,
    #[serde(default)]
    pub consumers: Vec<String>,
    #[serde(default)]
    pub fields: Vec<SnapshotField>,
    #[serde(default)]
    pub variants: Vec<SnapshotVariant>,
    pub file: Option<String>,
    pub line: Option<u32>,
}

/// A field of an event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct SnapshotField {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
}

/// A variant of an enum event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct SnapshotVariant {
    pub name: String,
    #[serde(default)]
    pub fields: Vec<SnapshotField>,
}

/// A finding.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct SnapshotFinding {
    pub rule: String,
    pub severity: String,
    pub subject: String,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u32>,
}

/// Why a `flow.json` could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotError {
    /// Not JSON, or not the graph's shape: the message and where.
    Invalid { line: usize, column: usize, message: String },
    /// The graph of another format version.
    Version(u32),
}

impl std::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SnapshotError::Invalid { line, column, message } => write!(f, "{line}:{column}: {message}"),
            SnapshotError::Version(version) => write!(
                f,
                "this is a flow.json of format version {version}; this flowdoc reads version {}",
                json::FORMAT_VERSION
            ),
        }
    }
}

impl Snapshot {
    /// The state of a live flow.
    pub fn of(flow: &Flow, findings: &[Finding]) -> Snapshot {
        // The renderer's output always has this shape; an empty state is the only fallback.
        Snapshot::parse(&json::render(flow, findings)).unwrap_or_default()
    }

    /// Reads a `flow.json`.
    pub fn parse(text: &str) -> Result<Snapshot, SnapshotError> {
        let invalid = |error: serde_json::Error| {
            // serde_json ends its message with the position, which Display puts first.
            let text = error.to_string();
            let suffix = format!(" at line {} column {}", error.line(), error.column());
            SnapshotError::Invalid {
                line: error.line(),
                column: error.column(),
                message: text.strip_suffix(&suffix).unwrap_or(&text).to_owned(),
            }
        };
        let version: serde_json::Value = serde_json::from_str(text).map_err(invalid)?;
        match version.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(json::FORMAT_VERSION) => {}
            Some(v) => return Err(SnapshotError::Version(u32::try_from(v).unwrap_or(u32::MAX))),
            None => {
                return Err(SnapshotError::Invalid {
                    line: 1,
                    column: 1,
                    message: "not a flowdoc flow.json: it has no `version`".into(),
                });
            }
        }
        serde_json::from_value(version).map_err(invalid)
    }
}
