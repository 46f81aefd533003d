//! Template relations as text lines, for the tests of the template readers: what a template
//! declares, written so a failing assertion shows it plainly.

use flowdoc::template::{Endpoint, Relation, RelationKind, Template};

/// An endpoint as text: a resource's logical ID, `external:LABEL` or `missing:ID`.
pub fn endpoint(endpoint: &Endpoint) -> String {
    match endpoint {
        Endpoint::Resource(id) => id.clone(),
        Endpoint::External(external) => format!("external:{}", external.label()),
        Endpoint::Missing(id) => format!("missing:{id}"),
    }
}

/// The relations of `template` that `keep` keeps, in the model's order (by location), as
/// `LINE FROM -KIND-> TO DETAILS`: the details `details` gives for the kind, then
/// `conditional` where it applies.
pub fn relation_lines(
    template: &Template,
    keep: impl Fn(&Relation) -> bool,
    details: impl Fn(&RelationKind) -> Vec<String>,
) -> Vec<String> {
    template
        .relations
        .iter()
        .filter(|relation| keep(relation))
        .map(|relation| {
            let mut details = details(&relation.kind);
            if relation.conditional {
                details.push("conditional".into());
            }
            format!(
                "{} {} -{}-> {} {}",
                relation.location.line().unwrap(),
                endpoint(&relation.from),
                relation.kind.name(),
                endpoint(&relation.to),
                details.join(" ")
            )
            .trim_end()
            .to_owned()
        })
        .collect()
}

/// Relation lines without their line numbers, sorted: what a template means, however it is
/// written (YAML or JSON, long or short form).
pub fn meaning(lines: Vec<String>) -> Vec<String> {
    let mut lines: Vec<String> = lines
        .into_iter()
        .map(|line| line.split_once(' ').map_or(line.clone(), |(_, rest)| rest.to_owned()))
        .collect();
    lines.sort();
    lines
}

/// The templates at `paths` among `files` (and what they nest), none of which may fail to load.
pub fn load(files: &dyn flowdoc::files::ProjectFiles, paths: &[&str]) -> flowdoc::template::Templates {
    let paths: Vec<String> = paths.iter().map(|path| (*path).to_owned()).collect();
    let loaded = flowdoc::template::load(files, &paths, &flowdoc::template::LoadOptions::default());
    assert!(loaded.errors().is_empty(), "{:?}", loaded.errors());
    loaded
}

/// One template given as text, as `template.yaml`; it must load.
pub fn from_text(text: &str) -> Template {
    let mut files = flowdoc::files::MemoryFiles::new();
    files.insert("template.yaml", text);
    load(&files, &["template.yaml"]).into_templates().remove(0)
}
