//! One state of the flow, as `diff` compares it: the JSON graph itself
//! ([`crate::render::json::Graph`]), built straight from a live flow ([`Snapshot::of`]) or read
//! from a `flow.json` ([`Snapshot::parse`]), so a state from a file and one built from a git
//! revision compare the same way.

use crate::render::json::Graph;

pub use crate::render::json::ReadError as SnapshotError;

/// One state of the flow: the JSON graph, holding its own texts.
pub type Snapshot = Graph<String>;
