//! `modules::mod_decls` on the kept tokens: the out-of-line module declarations, read the way
//! that function reads the token trees proc-macro2 would make of the kept text (a doc comment
//! is `#[doc = "..."]` there, an inner one `#![doc = "..."]`). Iterative, with a stack of
//! inline module bodies.

use super::seq::Seq;
use crate::scan::modules::ModDecl;
use crate::scan::skim::Kind;

/// The `mod name;` declarations among the kept tokens, inside inline modules too.
pub(super) fn mod_decls(seq: &Seq<'_>) -> Vec<ModDecl> {
    struct Frame {
        next: usize,
        end: usize,
        path_attr: Option<String>,
    }
    let mut out = Vec::new();
    let mut inline: Vec<(String, Option<String>)> = Vec::new();
    let mut stack = vec![Frame { next: 0, end: seq.len(), path_attr: None }];
    // The position after the token tree at `at`: a group is one tree.
    let after = |at: usize| match seq.kind(at) {
        Some(Kind::Open(_)) => seq.closing(at) + 1,
        _ => at + 1,
    };
    while let Some(frame) = stack.last_mut() {
        let at = frame.next;
        if at >= frame.end {
            stack.pop();
            if !stack.is_empty() {
                inline.pop();
            }
            continue;
        }
        let within = |position: usize| position < frame.end;
        match seq.kind(at) {
            Some(Kind::Punct(b'#')) if within(at + 1) && seq.kind(at + 1) == Some(Kind::Open(b'[')) => {
                if let Some(path) = path_attribute(seq, at + 1) {
                    frame.path_attr = Some(path);
                }
                frame.next = after(at + 1);
            }
            // `#[doc = "..."]`, which names no path.
            Some(Kind::Doc) => frame.next = at + 1,
            Some(Kind::Word) if seq.text_of(at) == "pub" => {
                let restricted = within(at + 1) && seq.kind(at + 1) == Some(Kind::Open(b'('));
                frame.next = if restricted { after(at + 1) } else { at + 1 };
            }
            Some(Kind::Word)
                if seq.text_of(at) == "mod" && within(at + 2) && seq.kind(at + 1) == Some(Kind::Word) =>
            {
                let name = seq.text_of(at + 1);
                let name = name.strip_prefix("r#").unwrap_or(name).to_owned();
                let path = frame.path_attr.take();
                frame.next = after(at + 2);
                match seq.kind(at + 2) {
                    Some(Kind::Punct(b';')) => out.push(ModDecl { inline: inline.clone(), name, path }),
                    Some(Kind::Open(b'{')) => {
                        let end = seq.closing(at + 2);
                        inline.push((name, path));
                        stack.push(Frame { next: at + 3, end, path_attr: None });
                    }
                    _ => {}
                }
            }
            _ => {
                frame.path_attr = None;
                frame.next = after(at);
            }
        }
    }
    out
}

/// The value of a `path = "..."` attribute whose `[` is at `open`.
fn path_attribute(seq: &Seq<'_>, open: usize) -> Option<String> {
    let close = seq.closing(open);
    if close != open + 4
        || seq.word(open + 1) != Some("path")
        || seq.kind(open + 2) != Some(Kind::Punct(b'='))
        || seq.kind(open + 3) != Some(Kind::Literal)
    {
        return None;
    }
    syn::parse_str::<syn::LitStr>(seq.text_of(open + 3)).ok().map(|lit| lit.value())
}
