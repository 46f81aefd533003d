//! Names this build for the incremental cache: flowdoc's version and a hash of the sources that
//! decide what a cached fact means (the tool and the annotation grammar). A cache written by any
//! other build, even of the same version, is not trusted (see `src/cache.rs`).

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut hasher = std::hash::DefaultHasher::new();
    for folder in ["src", "annotations/syntax/src"] {
        let folder = manifest_dir.join(folder);
        println!("cargo:rerun-if-changed={}", folder.display());
        let mut files = Vec::new();
        collect(&folder, &mut files);
        files.sort();
        for file in files {
            let relative = file.strip_prefix(&manifest_dir).unwrap_or(&file);
            relative.to_string_lossy().replace('\\', "/").hash(&mut hasher);
            std::fs::read(&file).unwrap_or_default().hash(&mut hasher);
        }
    }
    println!("cargo:rerun-if-changed=Cargo.toml");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rustc-env=FLOWDOC_BUILD_ID={version}+{:016x}", hasher.finish());
}

/// Every file below `folder`, recursively.
fn collect(folder: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
