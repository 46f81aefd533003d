//! Where pages are and how they link: a unique file stem for each event and function page,
//! links between pages, and links from a page to a place in the code or a template.

use super::DocsOptions;
use crate::location::Location;
use crate::model::Flow;
use crate::render::escape::{code, file_stem, markdown};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// File stems of the pages, unique even where names differ only in case.
pub(super) struct PageNames {
    /// Event name → file stem.
    pub(super) events: BTreeMap<String, String>,
    /// Function id → file stem.
    pub(super) functions: BTreeMap<String, String>,
    /// Node id of everything else (tables, queues, APIs, outside things) → file stem.
    pub(super) resources: BTreeMap<String, String>,
}

impl PageNames {
    /// The stems of the event and function pages of `flow`.
    pub(super) fn new(flow: &Flow) -> PageNames {
        PageNames {
            events: unique_stems(flow.events().keys()),
            functions: unique_stems(flow.functions().map(|node| &node.id)),
            resources: unique_stems(
                flow.nodes().filter(|node| !node.kind.is_function()).map(|node| &node.id),
            ),
        }
    }
}

/// A file stem for each name, numbered where the stems of two names would be the same.
fn unique_stems<'a>(names: impl Iterator<Item = &'a String>) -> BTreeMap<String, String> {
    let mut stems = BTreeMap::new();
    let mut taken = BTreeSet::new();
    for name in names {
        let mut stem = file_stem(name);
        let mut counter = 2;
        while !taken.insert(stem.clone()) {
            stem = format!("{}-{counter}", file_stem(name));
            counter += 1;
        }
        stems.insert(name.clone(), stem);
    }
    stems
}

/// A link to a place in the code or a template, from a page `depth` folders below the output
/// folder; plain text when the output folder is outside the project.
pub(super) fn place_link(location: &Location, depth: usize, options: &DocsOptions) -> String {
    let shown = match location.line() {
        Some(line) => format!("{}:{line}", location.file),
        None => location.file.clone(),
    };
    let Some(out_dir) = &options.out_dir else { return code(&shown) };
    let up = out_dir.split('/').filter(|part| !part.is_empty()).count() + depth;
    let anchor = location.line().map(|line| format!("#L{line}")).unwrap_or_default();
    format!("[{}]({}{}{anchor})", code(&shown), "../".repeat(up), url_path(&location.file))
}

/// A relative path as a URL path: characters with meaning in URLs or Markdown are encoded.
pub(super) fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'/' | b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// A link to the page of `event` (its name alone when it has none), from the index or,
/// `from_subfolder`, from a page in a folder beside `events/`.
pub(super) fn event_link(names: &PageNames, event: &str, from_subfolder: bool) -> String {
    let prefix = if from_subfolder { "../events/" } else { "events/" };
    match names.events.get(event) {
        Some(stem) => format!("[{}]({prefix}{stem}.md)", markdown(event)),
        None => markdown(event),
    }
}

/// A link to the page of `function` (its name alone when it has none), from the index or,
/// `from_subfolder`, from a page in a folder beside `functions/`.
pub(super) fn function_link(names: &PageNames, function: &str, from_subfolder: bool) -> String {
    let prefix = if from_subfolder { "../functions/" } else { "functions/" };
    match names.functions.get(function) {
        Some(stem) => format!("[{}]({prefix}{stem}.md)", code(function)),
        None => code(function),
    }
}

/// A link to the page of the function or resource `id` (its id alone when it has none), from
/// the index or, `from_subfolder`, from a page in a folder beside `functions/` and `resources/`.
pub(super) fn node_link(names: &PageNames, id: &str, from_subfolder: bool) -> String {
    let up = if from_subfolder { "../" } else { "" };
    if let Some(stem) = names.functions.get(id) {
        format!("[{}]({up}functions/{stem}.md)", code(id))
    } else if let Some(stem) = names.resources.get(id) {
        format!("[{}]({up}resources/{stem}.md)", code(id))
    } else {
        code(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_climb_out_of_the_output_folder() {
        let options = DocsOptions { out_dir: Some("docs/flow".into()) };
        let location = Location::new("pipeline/events/src/lib.rs", 12, 5);
        assert_eq!(
            place_link(&location, 1, &options),
            "[`pipeline/events/src/lib.rs:12`](../../../pipeline/events/src/lib.rs#L12)"
        );
        assert_eq!(
            place_link(&location, 0, &options),
            "[`pipeline/events/src/lib.rs:12`](../../pipeline/events/src/lib.rs#L12)"
        );
        assert_eq!(
            place_link(&location, 0, &DocsOptions { out_dir: None }),
            "`pipeline/events/src/lib.rs:12`"
        );
        let odd = Location::file("a b/(x).rs");
        assert_eq!(
            place_link(&odd, 0, &DocsOptions { out_dir: Some("out".into()) }),
            "[`a b/(x).rs`](../a%20b/%28x%29.rs)"
        );
    }

    #[test]
    fn page_names_never_collide() {
        let names: Vec<String> = ["OrderPlaced", "orderplaced", "order-placed", "CON", "con"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let stems = unique_stems(names.iter());
        let values: BTreeSet<&String> = stems.values().collect();
        assert_eq!(values.len(), names.len(), "{stems:?}");
        assert_eq!(stems["OrderPlaced"], "orderplaced");
        assert_eq!(stems["orderplaced"], "orderplaced-2");
    }
}
