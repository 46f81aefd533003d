//! Renderers: the flow and its findings as text for people and tools. Pure functions from the
//! model to strings; only the command layer writes files.

pub mod diagram;
pub mod docs;
pub mod dot;
pub mod escape;
pub mod github;
pub mod groups;
pub mod json;
pub mod mermaid;
pub mod sarif;
pub mod site;
pub mod svg;
