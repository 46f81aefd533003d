//! Fuzzes the whole template path: arbitrary bytes as a project's only template, loaded, joined
//! into the flow model, checked by every rule and rendered as JSON. Any panic is a bug; a
//! template that cannot be read must come back as an error with its file and line.
//!
//! The input is named `template.json` when its first byte is `{` (the flag byte) and
//! `template.yaml` otherwise, so seeds from real templates keep every byte.

#![no_main]

use flowdoc::files::MemoryFiles;
use flowdoc::template::{self, LoadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = if data.first() == Some(&b'{') { "template.json" } else { "template.yaml" };
    let mut files = MemoryFiles::new();
    files.insert(path, data);
    let templates = template::load(&files, &[path.to_owned()], &LoadOptions::default());
    for error in &templates.errors {
        assert_eq!(error.location.file, path, "an error names another file: {error:?}");
        assert!(!error.message.starts_with("internal error"), "the loader caught a panic: {error:?}");
    }
    if !templates.errors.is_empty() {
        return;
    }
    let flow = flowdoc::model::build(&flowdoc::scan::ScanFacts::default(), &templates);
    let findings = flowdoc::rules::check(&flow, &flowdoc::rules::RuleSettings::default());
    let json = flowdoc::render::json::render(&flow, &findings);
    assert!(json.ends_with('\n'));
});
