//! Fuzzes the whole template path: arbitrary bytes as a project's only template, loaded, joined
//! into the flow model, checked by every rule and rendered as JSON (`drive::template_load`).
//! Any panic is a bug; a template that cannot be read must come back as an error with its file
//! and line.
//!
//! The input is named `template.json` when its first byte is `{` (the flag byte) and
//! `template.yaml` otherwise, so seeds from real templates keep every byte.

#![no_main]

#[path = "../drive.rs"]
#[allow(dead_code, reason = "each target drives one of the paths")]
mod drive;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    drive::template_load(data);
});
