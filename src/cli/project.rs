//! The project as the command line names it: the templates given with `--template`, made
//! relative to the root. The analysis itself is the library's ([`flowdoc::analyse`]).

use flowdoc::Failure;
use std::path::{Path, PathBuf};

/// The templates named on the command line, relative to the root.
pub(crate) fn named_templates(root: &Path, templates: &[PathBuf]) -> Result<Vec<String>, Failure> {
    templates.iter().map(|path| relative_to_root(root, path)).collect()
}

/// A path given on the command line (relative to the current directory), relative to the root.
fn relative_to_root(root: &Path, path: &Path) -> Result<String, Failure> {
    let shown = path.display().to_string();
    let absolute = path
        .canonicalize()
        .map_err(|error| Failure::one(format!("cannot read the template `{shown}`: {error}"), None))?;
    let root =
        root.canonicalize().map_err(|error| Failure::one(format!("cannot read the root: {error}"), None))?;
    let relative = absolute.strip_prefix(&root).map_err(|_| {
        Failure::one(format!("the template `{shown}` is outside the root `{}`", root.display()), None)
    })?;
    let parts: Option<Vec<&str>> = relative.components().map(|part| part.as_os_str().to_str()).collect();
    parts
        .map(|parts| parts.join("/"))
        .ok_or_else(|| Failure::one(format!("the template path `{shown}` is not valid UTF-8"), None))
}
