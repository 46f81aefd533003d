//! Every label a renderer writes goes through one of these: no name from the input can inject
//! markup into SVG or HTML, Markdown, or Mermaid, or leave the output folder as a file name.

/// Text for XML and HTML: element content and attribute values.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and newline, and the two non-characters
            // U+FFFE and U+FFFF, are not allowed in XML 1.0.
            c if (c.is_control() && c != '\t' && c != '\n') || matches!(c, '\u{fffe}' | '\u{ffff}') => {
                out.push('\u{fffd}');
            }
            c => out.push(c),
        }
    }
    out
}

/// Text for Markdown prose and table cells: Markdown and HTML syntax shown as text, on one line.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            // `$` too: GitHub reads `$...$` as mathematics.
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.' | '!'
            | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Text for inside a Markdown code span: backticks cannot close it, and a `|` cannot end a table
/// cell (GitHub reads `\|` in a code span in a table as `|`; elsewhere the backslash shows, which
/// only names with pipes ever meet).
pub fn code(text: &str) -> String {
    let clean: String =
        text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().replace('|', "\\|");
    let longest = clean.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if clean.starts_with('`') || clean.ends_with('`') || clean.is_empty() { " " } else { "" };
    format!("{fence}{pad}{clean}{pad}{fence}")
}

/// A message for Markdown whose `backticked` names become code spans and the rest prose: what
/// flowdoc's messages look like on the terminal, rendered. Unpaired backticks are shown as text.
pub fn message(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return markdown(text);
    }
    parts
        .iter()
        .enumerate()
        .map(|(index, part)| if index % 2 == 1 { code(part) } else { markdown(part) })
        .collect()
}

/// Text for a Mermaid label inside `"..."`: quotes, markup and Mermaid's own syntax become
/// entity codes (`#quot;`, `#lt;`), which Mermaid shows as the characters.
pub fn mermaid(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '%' => out.push_str("#37;"),
            '|' => out.push_str("#124;"),
            '[' => out.push_str("#91;"),
            ']' => out.push_str("#93;"),
            '{' => out.push_str("#123;"),
            '}' => out.push_str("#125;"),
            '(' => out.push_str("#40;"),
            ')' => out.push_str("#41;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text for a DOT string `"..."`.
pub fn dot(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A file name for a page about `name`: lower case ASCII letters, digits and `-` (so it means
/// the same on case-insensitive file systems), never empty, never a Windows device name, never
/// `.` or `..`. Names that become the same stem are told apart by the caller.
pub fn file_stem(name: &str) -> String {
    let mut stem = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            stem.push(c.to_ascii_lowercase());
        } else if !stem.ends_with('-') && !stem.is_empty() {
            stem.push('-');
        }
    }
    while stem.ends_with('-') {
        stem.pop();
    }
    stem.truncate(80);
    if stem.is_empty() || is_reserved(&stem) {
        let hash = fnv1a(name);
        if stem.is_empty() {
            stem = format!("x-{hash:08x}");
        } else {
            stem = format!("{stem}-{hash:08x}");
        }
    }
    stem
}

/// Names Windows reserves for devices, in any case and with any extension.
fn is_reserved(stem: &str) -> bool {
    let base = stem.split('.').next().unwrap_or(stem);
    matches!(base, "con" | "prn" | "aux" | "nul")
        || (base.len() == 4
            && (base.starts_with("com") || base.starts_with("lpt"))
            && base.as_bytes()[3].is_ascii_digit())
}

/// A small stable hash (32-bit FNV-1a): the same on every machine and run.
fn fnv1a(text: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in text.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_are_inert_everywhere() {
        let hostile = "<script>alert(1)</script><img src=x onerror=alert(1)>]]>--> [x](http://e) ![i](y) %%{init}%% A-->B \"q\" 'q'\nline";
        let x = xml(hostile);
        assert!(!x.contains('<') && !x.contains('>') && !x.contains('"'), "{x}");
        let md = markdown(hostile);
        assert!(!md.contains("<script") && !md.contains("](") && !md.contains('\n'), "{md}");
        let m = mermaid(hostile);
        assert!(!m.contains('"') && !m.contains("%%") && !m.contains("-->") || !m.contains('>'), "{m}");
        assert!(!m.contains('<') && !m.contains('>') && !m.contains('\n'), "{m}");
        assert_eq!(dot("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn code_spans_cannot_be_closed_early() {
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code("a|b"), "`a\\|b`");
    }

    #[test]
    fn messages_keep_their_code_spans() {
        assert_eq!(message("queue `Q` has no DLQ."), "queue `Q` has no DLQ\\.");
        assert_eq!(message("one ` backtick"), "one \\` backtick");
        assert_eq!(message("`<b>` and `a|b`"), "`<b>` and `a\\|b`");
        assert!(!message("`x` <script>").contains("<script"));
    }

    #[test]
    fn file_names_stay_in_the_folder() {
        assert_eq!(file_stem("OrderPlaced"), "orderplaced");
        assert_eq!(file_stem("order.placed v2"), "order-placed-v2");
        for name in ["../../x", "CON", "con", "a/b", "", "...", "COM1", "nul.txt", "Ünïcode", "a\\b"] {
            let stem = file_stem(name);
            assert!(!stem.is_empty() && !stem.contains('/') && !stem.contains('.'), "{name}: {stem}");
            assert!(stem.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{stem}");
            assert!(!["con", "nul", "com1"].contains(&stem.as_str()), "{name}: {stem}");
        }
        assert_eq!(file_stem("CON"), file_stem("CON"), "stable");
    }
}
