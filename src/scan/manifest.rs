//! `Cargo.toml`: a crate's name, its library and binary targets, and the name under which it
//! imports `flowdoc-annotations`. Read as data; nothing is built or run.

use crate::files::normalize;
use crate::location::Location;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The package name of the attribute crate.
const ANNOTATIONS_PACKAGE: &str = "flowdoc-annotations";

/// What the scan needs from a crate's manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Manifest {
    /// The package name.
    pub(crate) name: String,
    /// The library target's crate name and root, relative to the crate folder, if it has one.
    pub(crate) lib: Option<(String, String)>,
    /// Binary targets declared with `[[bin]]`: name and root (relative), root `None` when implied.
    pub(crate) declared_bins: Vec<(String, Option<String>)>,
    /// Whether binaries are discovered from `src/main.rs` and `src/bin/`.
    pub(crate) autobins: bool,
    /// Target roots that are tests, benches or examples, relative to the crate folder.
    pub(crate) other_target_roots: Vec<String>,
    /// The name `flowdoc-annotations` is imported as, when the crate depends on it.
    pub(crate) annotations_crate: Option<String>,
}

/// Why a manifest was not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ManifestError {
    /// A workspace-only or virtual manifest: not a crate, not a problem.
    NotAPackage,
    /// Invalid TOML or a malformed `[package]`, with where.
    Invalid(Location, String),
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawManifest {
    package: Option<RawPackage>,
    lib: Option<RawTarget>,
    #[serde(default)]
    bin: Vec<RawTarget>,
    #[serde(default)]
    test: Vec<RawTarget>,
    #[serde(default)]
    bench: Vec<RawTarget>,
    #[serde(default)]
    example: Vec<RawTarget>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dev_dependencies: BTreeMap<String, toml::Value>,
    #[serde(default)]
    target: BTreeMap<String, RawPlatform>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: String,
    autobins: Option<bool>,
    autolib: Option<bool>,
}

#[derive(Deserialize)]
struct RawTarget {
    name: Option<String>,
    path: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawPlatform {
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
}

/// Reads the manifest `path` with contents `text`; `crate_has_lib_rs` says whether
/// `src/lib.rs` exists beside it (an implied library).
pub(crate) fn parse(path: &str, text: &str, crate_has_lib_rs: bool) -> Result<Manifest, ManifestError> {
    let raw: RawManifest = toml::from_str(text).map_err(|error| {
        let offset = error.span().map_or(0, |span| span.start);
        ManifestError::Invalid(Location::at_offset(path, text.as_bytes(), offset), error.message().to_owned())
    })?;
    let package = raw.package.ok_or(ManifestError::NotAPackage)?;
    let lib_name =
        raw.lib.as_ref().and_then(|lib| lib.name.clone()).unwrap_or_else(|| package.name.replace('-', "_"));
    let lib_path = raw.lib.as_ref().and_then(|lib| lib.path.clone());
    let lib = match lib_path {
        Some(path) => Some((lib_name, normalize(&path))),
        None if package.autolib.unwrap_or(true) && crate_has_lib_rs => {
            Some((lib_name, "src/lib.rs".to_owned()))
        }
        None if raw.lib.is_some() => Some((lib_name, "src/lib.rs".to_owned())),
        None => None,
    };
    let declared_bins = raw
        .bin
        .iter()
        .filter_map(|bin| Some((bin.name.clone()?, bin.path.as_deref().map(normalize))))
        .collect();
    let other_target_roots = raw
        .test
        .iter()
        .chain(&raw.bench)
        .chain(&raw.example)
        .filter_map(|target| target.path.as_deref().map(normalize))
        .collect();
    let annotations_crate = raw
        .dependencies
        .iter()
        .chain(&raw.dev_dependencies)
        .chain(raw.target.values().flat_map(|platform| &platform.dependencies))
        .find(|(key, value)| dependency_package(key, value) == ANNOTATIONS_PACKAGE)
        .map(|(key, _)| key.replace('-', "_"));
    Ok(Manifest {
        name: package.name,
        lib,
        declared_bins,
        autobins: package.autobins.unwrap_or(true),
        other_target_roots,
        annotations_crate,
    })
}

/// The package a dependency entry refers to: its `package = "..."` or its key.
fn dependency_package<'a>(key: &'a str, value: &'a toml::Value) -> &'a str {
    value.get("package").and_then(toml::Value::as_str).unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_targets_and_the_annotations_import_name() {
        let text = r#"
[package]
name = "order-api"
version = "0.1.0"

[lib]
path = "./src/handlers.rs"

[[bin]]
name = "order-api"
path = "src/main.rs"

[[bin]]
name = "admin"

[[example]]
name = "demo"
path = "examples/demo/main.rs"

[dependencies]
flowdoc = { package = "flowdoc-annotations", version = "0.1" }
"#;
        let manifest = parse("api/Cargo.toml", text, false).unwrap();
        assert_eq!(manifest.name, "order-api");
        assert_eq!(manifest.lib, Some(("order_api".to_owned(), "src/handlers.rs".to_owned())));
        assert_eq!(
            manifest.declared_bins,
            [("order-api".to_owned(), Some("src/main.rs".to_owned())), ("admin".to_owned(), None)]
        );
        assert_eq!(manifest.other_target_roots, ["examples/demo/main.rs"]);
        assert_eq!(manifest.annotations_crate.as_deref(), Some("flowdoc"));
    }

    #[test]
    fn implied_library_and_workspace_dependency() {
        let text = "[package]\nname = \"x\"\n[dependencies]\nflowdoc-annotations.workspace = true\n";
        let manifest = parse("Cargo.toml", text, true).unwrap();
        assert_eq!(manifest.lib, Some(("x".to_owned(), "src/lib.rs".to_owned())));
        assert!(manifest.autobins);
        assert_eq!(manifest.annotations_crate.as_deref(), Some("flowdoc_annotations"));
    }

    #[test]
    fn a_workspace_manifest_is_not_a_crate() {
        assert_eq!(
            parse("Cargo.toml", "[workspace]\nmembers = []\n", false),
            Err(ManifestError::NotAPackage)
        );
    }

    #[test]
    fn invalid_toml_says_where() {
        let Err(ManifestError::Invalid(location, message)) =
            parse("a/Cargo.toml", "[package]\nname = \"x\"\nversion = \n", false)
        else {
            panic!("expected an error");
        };
        assert_eq!(location.to_string(), "a/Cargo.toml:3:11");
        assert!(!message.is_empty());
    }
}
