//! What the scanner learns from the source: crates and their targets, annotated handlers, event
//! types, and the problems it met. Plain data, sorted, ready for the flow-model builder.

use crate::location::Location;
use serde::{Deserialize, Serialize};

/// Producer or consumer: the grammar's own, so the scan reports exactly what the attribute says.
pub use flowdoc_annotations_syntax::Role;

/// Everything the scan of a project's Rust crates found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanFacts {
    /// Crates found from their `Cargo.toml`, sorted by folder.
    pub crates: Vec<CrateFacts>,
    /// Items carrying `#[event_producer]` or `#[event_consumer]`, sorted by location.
    pub handlers: Vec<HandlerFacts>,
    /// Structs and enums carrying `#[event]`, sorted by location.
    pub event_types: Vec<EventTypeFacts>,
    /// Files or annotations that could not be read, sorted by location.
    pub problems: Vec<SourceProblem>,
}

/// A crate: a folder with a `Cargo.toml` that has a `[package]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrateFacts {
    /// The package name.
    pub name: String,
    /// The crate's folder relative to the project root (`""` for the root itself).
    pub dir: String,
    /// Its library and binary targets, library first, then binaries by name.
    pub targets: Vec<TargetFacts>,
}

/// A library or binary target of a crate.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TargetFacts {
    /// Library or binary.
    pub kind: TargetKind,
    /// The target's name: the binary's name, or the library's crate name.
    pub name: String,
    /// The target's root source file, relative to the project root.
    pub root: String,
}

/// The kinds of target that can hold handlers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// `src/lib.rs` or `[lib]`.
    Lib,
    /// `src/main.rs`, `src/bin/*.rs` or `[[bin]]`.
    Bin,
}

/// An item that produces or consumes events: a function, a method, or a handler type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlerFacts {
    /// The item's name; methods are `Type::method`.
    pub name: String,
    /// Its doc comment, unindented.
    pub doc: String,
    /// Where the item's name is written.
    pub location: Location,
    /// The package name of the crate it is in.
    pub crate_name: String,
    /// The module path within the crate, such as `crate::handlers`.
    pub module: String,
    /// The targets whose module tree includes the file, by name, sorted.
    pub targets: Vec<String>,
    /// Its annotations in source order.
    pub annotations: Vec<AnnotationFacts>,
}

/// One `#[event_producer(...)]` or `#[event_consumer(...)]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnotationFacts {
    /// Producer or consumer.
    pub role: Role,
    /// The event as written: a type path (`order_events::OrderPlaced`) or a string's value.
    pub event: String,
    /// Whether `event` is a Rust type path (resolved to an `#[event]` type) or a plain name.
    pub event_is_type: bool,
    /// The resource named by `to` or `from`.
    pub resource: ResourceFacts,
    /// The template function named by `function = "..."`.
    pub function: Option<String>,
    /// Where the attribute starts.
    pub location: Location,
}

/// The resource an annotation names. JSON shows it as `{"kind": "logical-id", "name": ...}`;
/// the cache's binary form, which cannot read such tagged enums back, as a plain enum.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ResourceFacts {
    /// A template logical ID.
    LogicalId(String),
    /// An environment variable of the function.
    Env(String),
}

/// [`ResourceFacts`] as JSON shows it.
#[derive(Serialize, Deserialize)]
#[serde(rename = "ResourceFacts", rename_all = "kebab-case", tag = "kind", content = "name")]
enum TaggedResource {
    LogicalId(String),
    Env(String),
}

/// [`ResourceFacts`] in a binary form.
#[derive(Serialize, Deserialize)]
#[serde(rename = "ResourceFacts")]
enum PlainResource {
    LogicalId(String),
    Env(String),
}

impl Serialize for ResourceFacts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match (self.clone(), serializer.is_human_readable()) {
            (ResourceFacts::LogicalId(id), true) => TaggedResource::LogicalId(id).serialize(serializer),
            (ResourceFacts::Env(name), true) => TaggedResource::Env(name).serialize(serializer),
            (ResourceFacts::LogicalId(id), false) => PlainResource::LogicalId(id).serialize(serializer),
            (ResourceFacts::Env(name), false) => PlainResource::Env(name).serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ResourceFacts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<ResourceFacts, D::Error> {
        Ok(if deserializer.is_human_readable() {
            match TaggedResource::deserialize(deserializer)? {
                TaggedResource::LogicalId(id) => ResourceFacts::LogicalId(id),
                TaggedResource::Env(name) => ResourceFacts::Env(name),
            }
        } else {
            match PlainResource::deserialize(deserializer)? {
                PlainResource::LogicalId(id) => ResourceFacts::LogicalId(id),
                PlainResource::Env(name) => ResourceFacts::Env(name),
            }
        })
    }
}

/// A struct or enum marked `#[event]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventTypeFacts {
    /// The Rust type's name.
    pub rust_name: String,
    /// The event's name: the type's name unless `#[event(name = ...)]` renames it.
    pub name: String,
    /// The schema version, 1 unless `#[event(version = ...)]` says otherwise.
    pub version: u32,
    /// The type's doc comment, unindented.
    pub doc: String,
    /// Struct fields as they are serialized (serde renames applied, skipped fields left out).
    pub fields: Vec<FieldFacts>,
    /// Enum variants; empty for structs.
    pub variants: Vec<VariantFacts>,
    /// Where the type's name is written.
    pub location: Location,
    /// The package name of the crate it is in.
    pub crate_name: String,
    /// The module path within the crate.
    pub module: String,
}

/// A field of an event type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldFacts {
    /// The field's serialized name; tuple fields are `0`, `1`, ...
    pub name: String,
    /// Its type, normalized as `Option<String>`.
    #[serde(rename = "type")]
    pub ty: String,
    /// Its doc comment.
    pub doc: String,
}

/// A variant of an enum event type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantFacts {
    /// The variant's serialized name.
    pub name: String,
    /// Its doc comment.
    pub doc: String,
    /// Its fields, if any.
    pub fields: Vec<FieldFacts>,
}

/// A source file or annotation the scan could not use.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SourceProblem {
    /// Where: the file, and line and column where known.
    pub location: Location,
    /// What kind of problem it is.
    pub kind: ProblemKind,
    /// What went wrong, for a person.
    pub message: String,
}

/// The kinds of problem the scan reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// The file could not be listed or read, or is over the size limit.
    Unreadable,
    /// The file is not UTF-8.
    NotUtf8,
    /// The file is not valid Rust, or nests deeper than the limit.
    Syntax,
    /// A `Cargo.toml` could not be understood.
    Manifest,
    /// An annotation is malformed or misplaced; the rest of the file was read.
    Annotation,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_named_read_back_from_json_and_from_the_binary_form() {
        for named in [ResourceFacts::LogicalId("Orders".into()), ResourceFacts::Env("TABLE".into())] {
            let json = serde_json::to_string(&named).unwrap();
            assert_eq!(serde_json::from_str::<ResourceFacts>(&json).unwrap(), named);
            let binary = postcard::to_stdvec(&named).unwrap();
            assert_eq!(postcard::from_bytes::<ResourceFacts>(&binary).unwrap(), named);
        }
        let json = serde_json::to_string(&ResourceFacts::LogicalId("Orders".into())).unwrap();
        assert_eq!(json, r#"{"kind":"logical-id","name":"Orders"}"#);
    }
}
