//! Fuzzes the annotation grammar: arbitrary text as the arguments of `#[event_producer(...)]`,
//! `#[event_consumer(...)]` and `#[event(...)]`, parsed directly with the shared grammar and
//! through the whole scanner (lexer, nesting limit, syn, extraction) (`drive::annotation_grammar`).
//! Any panic is a bug.

#![no_main]

#[path = "../drive.rs"]
#[allow(dead_code, reason = "each target drives one of the paths")]
mod drive;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    drive::annotation_grammar(data);
});
