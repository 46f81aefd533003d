//! The cold scan's reader without syn for the file: the kept tokens of a skim are read item by
//! item, the way syn parses them, into the same findings and module declarations as the syn
//! path (`extract::extract` on the parsed kept text, `modules::mod_decls` on its tokens).
//!
//! Syn still parses the small pieces where that is cheap and exact: the attributes of the
//! items that carry an annotation (through the shared grammar crate), attributes of event
//! types' fields that are not plain doc comments or simple serde ones, and the function bodies
//! the body checker cannot vouch for or that hold annotations. Anything the reader does not
//! fully understand makes it give up on the file ([`read`] is None) and the syn path runs:
//! what it accepts is a subset of what syn does, so a real syntax error keeps syn's place and
//! message.
//!
//! 1. [`seq::Seq`]: the kept tokens in order, checked to lex as proc-macro2 would lex them
//!    and to stay within the nesting limit (the bound `lex::nesting_bound` gives).
//! 2. [`items::read`]: the items, recognized by [`grammar`] (bodies by [`body`], serde
//!    attributes by [`serde`]), handed to `extract::Reader`.
//! 3. [`mods::mod_decls`]: the module declarations.
//!
//! [`module_decls`] reads a file without annotations for its module declarations alone (a
//! skim that keeps only them), as `modules::mod_decls` reads the lexed kept text.

mod body;
mod grammar;
mod items;
mod mods;
mod seq;
mod serde;
#[cfg(test)]
mod tests;

use super::extract::FileFindings;
use super::modules::ModDecl;
use super::skim::Skimmed;

/// The findings and module declarations of the file `path`, skimmed as `skimmed` for the
/// annotations crate `annotations_crate`; None where the reader cannot vouch for them.
pub(super) fn read(
    path: &str,
    skimmed: &Skimmed<'_>,
    annotations_crate: &str,
    max_nesting: usize,
) -> Option<(FileFindings, Vec<ModDecl>)> {
    let seq = seq::Seq::new(skimmed);
    if !seq.lexes() || !seq.within_nesting(max_nesting) {
        return None;
    }
    let findings = items::read(path, &seq, &skimmed.flagged, annotations_crate)?;
    Some((findings, mods::mod_decls(&seq)))
}

/// The module declarations of a file skimmed for them alone ([`Keep::Modules`]); None where
/// proc-macro2 would not lex the kept tokens as the skim did.
///
/// [`Keep::Modules`]: super::skim::Keep::Modules
pub(super) fn module_decls(skimmed: &Skimmed<'_>) -> Option<Vec<ModDecl>> {
    let seq = seq::Seq::new(skimmed);
    seq.lexes().then(|| mods::mod_decls(&seq))
}
