//! flowdoc makes the event flow of a serverless system visible.
//!
//! It reads the Rust Lambda crates, annotated where they produce and consume events, and the
//! SAM / CloudFormation template that wires them, builds the event-flow graph, checks it, and
//! renders it as diagrams and documentation. It never builds or runs the code it reads.
//!
//! [`analyse`] is the one way in: it runs the stages below on a [`Project`] and returns the
//! [`Analysis`] (the flow, its findings, the timings). The stages, one module each:
//! - [`files`]: the project's files, listed and read through one door;
//! - [`scan`]: Rust sources to facts about handlers and event types;
//! - [`template`]: SAM and CloudFormation templates to resources and relations;
//! - [`model`]: both joined into the flow graph, events propagated;
//! - [`rules`]: the checks over the flow;
//! - [`render`]: the flow and its findings as JSON, DOT, Mermaid, SVG, SARIF and Markdown docs;
//! - [`diff`]: what a change does to the flow, between two analyses or `flow.json` files.
//!
//! `docs/architecture.md` says which type each stage hands to the next and where new rules,
//! resource types and renderers go.

mod analysis;
pub mod cache;
pub mod config;
pub mod diff;
pub mod files;
pub mod location;
pub mod model;
pub mod output;
pub mod parallel;
pub mod render;
pub mod rules;
pub mod scan;
pub mod severity;
pub mod template;
pub mod timings;
pub mod trace;

pub use analysis::{Analysis, Failure, Problem, Project, analyse};

/// The README's Rust examples, compiled and run as doctests so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeExamples;
