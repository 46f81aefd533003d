//! Text for the pages: lists, and doc comments as escaped Markdown that keeps their code spans.

use crate::render::escape::{code, markdown};

/// The items separated by commas, or a dash when there are none.
pub(super) fn list<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = items.into_iter().map(|item| item.as_ref().to_owned()).collect();
    if items.is_empty() { "—".to_owned() } else { items.join(", ") }
}

/// A doc comment as Markdown paragraphs: plain text, escaped, except `code spans`, which stay
/// code spans (the one bit of Markdown doc comments use everywhere). Nothing else the comment
/// says can become markup or a link.
pub(super) fn prose(doc: &str) -> String {
    doc.split("\n\n")
        .map(|paragraph| inline(&paragraph.split('\n').map(str::trim).collect::<Vec<_>>().join(" ")))
        .filter(|paragraph| !paragraph.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// One line of text with its `code spans` kept and everything else escaped.
fn inline(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    // An odd number of backticks leaves the last one unmatched: it is text.
    let paired = if parts.len().is_multiple_of(2) { parts.len() - 1 } else { parts.len() };
    let mut out = String::new();
    for (index, part) in parts.iter().enumerate() {
        if index >= paired {
            out.push_str(&markdown("`"));
            out.push_str(&markdown(part));
        } else if index % 2 == 1 {
            out.push_str(&code(part));
        } else {
            out.push_str(&markdown(part));
        }
    }
    out
}

/// The first paragraph of a doc comment as one line.
pub(super) fn first_line(doc: &str) -> String {
    inline(
        doc.split("\n\n")
            .next()
            .unwrap_or("")
            .split('\n')
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ")
            .trim(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_comments_become_escaped_paragraphs() {
        assert_eq!(
            prose("First line\ncontinues.\n\n<script>x</script>"),
            "First line continues\\.\n\n&lt;script&gt;x&lt;/script&gt;"
        );
        assert_eq!(
            prose("In the `OrdersTable`, [not a link](x)."),
            "In the `OrdersTable`, \\[not a link\\]\\(x\\)\\."
        );
        assert_eq!(prose("odd ` tick"), "odd \\` tick");
    }
}
