//! Every label flowdoc writes goes through `flowdoc::render::escape`; each function keeps its
//! documented promise for any text at all. Markdown is checked by parsing what was written with
//! pulldown-cmark (CommonMark with GitHub's tables, strikethrough, task lists and footnotes), in
//! prose and in a table cell: what comes out is exactly the text that went in, as text.

use crate::{config, pieces};
use flowdoc::render::escape;
use proptest::prelude::*;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Text that means something to some output format.
#[rustfmt::skip]
const HOSTILE: &[&str] = &[
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "]]>", "<![CDATA[", "-->", "<!--", "&", "&amp;",
    "&#x3c;", "&lt;", "\"", "'", "\n", "\r", "\r\n", "`", "``", "```", "~~~", "|", "||", "[x](y)", "![i](j)",
    "[x]: http://y", "<http://x>", "http://x.y", "www.x.y", "%%{init: {}}%%", "%%", "%", "\u{0}", "\u{7}",
    "\u{8}", "\u{b}", "\u{c}", "\u{1b}", "\u{7f}", "\u{85}", "\u{a0}", "\u{200b}", "\u{2028}", "\u{feff}",
    "\t", " ", "  ", "    ", "*", "_", "**b**", "__u__", "*i*", "~~s~~", "~", "#", "# h", "> q", "- l", "+ l",
    "1. l", "1) l", "\\", "\\`", "\\|", "$x$", "$$", "[^1]", "[ ] t", "{", "}", "(", ")", "[", "]", "A-->B",
    "A---B", "-.->", "==>", "click A call x()", ";", ":", "é", "日本", "🦀", "#quot;", "#35;", "CON", "con",
    "nul.txt", "Lpt9", "COM1.log", "aux", "..", ".", "/", "\\\\", "-", "=", "===", "---", "***", "<b>",
    "&#0;", "&nbsp;",
];

fn hostile() -> impl Strategy<Value = String> {
    pieces(HOSTILE, 0..16)
}

/// Undoes `escape::xml`; None where an `&` starts no entity it writes.
fn unescape_xml(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let (entity, c) = [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>'), ("&quot;", '"'), ("&apos;", '\'')]
            .into_iter()
            .find(|(entity, _)| rest.starts_with(entity))?;
        out.push(c);
        rest = &rest[entity.len()..];
    }
    out.push_str(rest);
    Some(out)
}

/// Undoes `escape::mermaid`; None where a `#` starts no entity code.
fn unescape_mermaid(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('#') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';')? + at;
        let code = &rest[at + 1..end];
        let c = match code {
            "quot" => '"',
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            digits if !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit()) => {
                char::from_u32(digits.parse().ok()?)?
            }
            _ => return None,
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Undoes `escape::dot`; None where a `\` escapes something it does not write.
fn unescape_dot(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Whether `c` may stand in an XML 1.0 document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}')
}

/// The Markdown events of `text`, with GitHub's extensions on.
fn events(text: &str) -> Vec<Event<'_>> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM;
    Parser::new_ext(text, options).collect()
}

/// Whether an event is the frame of a paragraph or a table, which carries no text of its own.
fn is_frame(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::Start(Tag::Paragraph | Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::TableCell)
            | Event::End(
                TagEnd::Paragraph | TagEnd::Table | TagEnd::TableHead | TagEnd::TableRow | TagEnd::TableCell
            )
    )
}

/// The text and code spans of a document; an error for anything else (links, images, HTML,
/// emphasis, breaks, blocks other than a paragraph or table).
fn inline_content(events: &[Event<'_>]) -> Result<Vec<(bool, String)>, String> {
    let mut out: Vec<(bool, String)> = Vec::new();
    // Whether the next text continues the last one: pulldown-cmark splits text at escapes and
    // entities, which are joined again, but not across paragraphs or cells.
    let mut continues = false;
    for event in events {
        match event {
            Event::Text(text) => match out.last_mut() {
                Some((false, last)) if continues => last.push_str(text),
                _ => out.push((false, text.to_string())),
            },
            Event::Code(code) => out.push((true, code.to_string())),
            event if is_frame(event) => {
                continues = false;
                continue;
            }
            other => return Err(format!("{other:?}")),
        }
        continues = true;
    }
    Ok(out)
}

/// What `escape::markdown` shows of `text`: line breaks as spaces, other control characters as
/// U+FFFD.
fn shown_as_markdown(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' => ' ',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// What a code span written by `escape::code` shows of `text`: control characters as spaces,
/// `|` as `\|` outside tables; and where the text starts or ends with a backtick, or is empty,
/// the space `code` pads it with inside the fence, which CommonMark strips again, one from each
/// end, where both ends have one and not everything is a space.
fn shown_as_code(text: &str, in_table: bool) -> String {
    let clean: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let clean = if in_table { clean } else { clean.replace('|', "\\|") };
    let pad = if clean.is_empty() || clean.starts_with('`') || clean.ends_with('`') { " " } else { "" };
    let content = format!("{pad}{clean}{pad}");
    if content.starts_with(' ') && content.ends_with(' ') && !content.chars().all(|c| c == ' ') {
        content[1..content.len() - 1].to_owned()
    } else {
        content
    }
}

/// `cell` as the one cell of a Markdown table's only row.
fn in_table(cell: &str) -> String {
    format!("| Name |\n|---|\n| {cell} |\n")
}

proptest! {
    #![proptest_config(config(256, 0x7e3a_0003))]

    /// XML and HTML: no `<`, `>` or `"` survive, every `&` starts an entity, only characters
    /// XML allows remain, and the entities decode to the text with control characters replaced.
    #[test]
    fn xml_text_is_inert(text in hostile()) {
        let escaped = escape::xml(&text);
        prop_assert!(!escaped.contains(['<', '>', '"']), "{escaped:?}");
        let decoded = unescape_xml(&escaped);
        prop_assert!(decoded.is_some(), "a bare `&` in {:?}", escaped);
        let expected: String = text
            .chars()
            .map(|c| if c.is_control() && c != '\t' && c != '\n' { '\u{fffd}' } else { c })
            .collect();
        prop_assert_eq!(decoded.unwrap(), expected);
        prop_assert!(escaped.chars().all(|c| c != '\r' && (is_xml_char(c) || c == '\u{fffe}' || c == '\u{ffff}')), "{escaped:?}");
    }

    /// A Markdown code span: one span, whatever the text, showing the text; in a table cell too.
    #[test]
    fn code_spans_hold_any_text(text in hostile()) {
        let code = escape::code(&text);
        let prose = format!("See {code} here.");
        let content = inline_content(&events(&prose)).map_err(|other| TestCaseError::fail(format!("{prose:?}: {other}")))?;
        let spans: Vec<&String> = content.iter().filter(|(is_code, _)| *is_code).map(|(_, text)| text).collect();
        let shown = shown_as_code(&text, false);
        prop_assert_eq!(spans, vec![&shown], "{:?}", prose);
        prop_assert_eq!(content.len(), 3, "{:?}", content);

        let table = in_table(&code);
        let content = inline_content(&events(&table)).map_err(|other| TestCaseError::fail(format!("{table:?}: {other}")))?;
        let cells: Vec<&(bool, String)> = content.iter().filter(|(_, text)| text != "Name").collect();
        let shown = (true, shown_as_code(&text, true));
        prop_assert_eq!(cells, vec![&shown], "{:?}", table);
    }

    /// Markdown prose and table cells: text only, and exactly the text (line breaks as spaces,
    /// control characters as U+FFFD).
    #[test]
    fn markdown_text_is_only_text(text in hostile()) {
        let escaped = escape::markdown(&text);
        prop_assert!(!escaped.contains(['\n', '\r']), "{escaped:?}");
        let prose = format!("Event {escaped} is here.");
        let content = inline_content(&events(&prose)).map_err(|other| TestCaseError::fail(format!("{prose:?}: {other}")))?;
        let expected = format!("Event {} is here.", shown_as_markdown(&text));
        prop_assert_eq!(content, vec![(false, expected.clone())], "{:?}", prose);

        let table = in_table(&format!("Event {escaped} is here."));
        let content = inline_content(&events(&table)).map_err(|other| TestCaseError::fail(format!("{table:?}: {other}")))?;
        prop_assert_eq!(content, vec![(false, "Name".to_owned()), (false, expected)], "{:?}", table);
    }

    /// Messages: backticked names become code spans, the rest prose; nothing else. Each span
    /// and each stretch of prose shows its part of the text, except where two spans touch: then
    /// CommonMark reads their fences as one span (`` `a``b` `` shows `a``b`), which is still
    /// only text.
    #[test]
    fn messages_are_text_and_code_spans(text in hostile()) {
        let written = format!("Note: {}", escape::message(&text));
        let content = inline_content(&events(&written)).map_err(|other| TestCaseError::fail(format!("{written:?}: {other}")))?;
        let parts: Vec<&str> = text.split('`').collect();
        let spans_touch = !parts.len().is_multiple_of(2)
            && parts.iter().enumerate().any(|(index, part)| index % 2 == 0 && index > 0 && index + 1 < parts.len() && part.is_empty());
        if spans_touch {
            return Ok(());
        }
        let mut expected: Vec<(bool, String)> = vec![(false, "Note: ".to_owned())];
        if parts.len().is_multiple_of(2) {
            expected[0].1.push_str(&shown_as_markdown(&text));
        } else {
            for (index, part) in parts.iter().enumerate() {
                if index % 2 == 1 {
                    expected.push((true, shown_as_code(part, false)));
                } else if !part.is_empty() {
                    match expected.last_mut() {
                        Some((false, last)) => last.push_str(&shown_as_markdown(part)),
                        _ => expected.push((false, shown_as_markdown(part))),
                    }
                }
            }
        }
        // A paragraph does not end in spaces.
        if let Some((false, last)) = expected.last_mut() {
            let trimmed = last.trim_end_matches(' ').len();
            last.truncate(trimmed);
            if last.is_empty() {
                expected.pop();
            }
        }
        prop_assert_eq!(content, expected, "{:?}", written);
    }

    /// A Mermaid label in `"..."`: no quote, line break, `%`, markup or Mermaid syntax
    /// survives; every `#` starts an entity code; the codes decode to the text with line
    /// breaks and control characters as spaces.
    #[test]
    fn mermaid_labels_cannot_break_out(text in hostile()) {
        let escaped = escape::mermaid(&text);
        for forbidden in ['"', '\n', '\r', '%', '<', '>', '`', '[', ']', '(', ')', '{', '}', '|'] {
            prop_assert!(!escaped.contains(forbidden), "{forbidden:?} in {escaped:?}");
        }
        prop_assert!(!escaped.contains("-->") && !escaped.contains("%%"), "{escaped:?}");
        prop_assert!(!escaped.chars().any(char::is_control), "{escaped:?}");
        let decoded = unescape_mermaid(&escaped);
        prop_assert!(decoded.is_some(), "a bare `#` in {:?}", escaped);
        let expected: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        prop_assert_eq!(decoded.unwrap(), expected);
    }

    /// A DOT string in `"..."`: no bare quote or line break; every `\` escapes what it should;
    /// it decodes to the text with control characters other than `\n` as spaces.
    #[test]
    fn dot_strings_cannot_break_out(text in hostile()) {
        let escaped = escape::dot(&text);
        prop_assert!(!escaped.chars().any(char::is_control), "{escaped:?}");
        let decoded = unescape_dot(&escaped);
        prop_assert!(decoded.is_some(), "a stray `\\` in {:?}", escaped);
        let expected: String = text.chars().map(|c| if c.is_control() && c != '\n' { ' ' } else { c }).collect();
        prop_assert_eq!(decoded.unwrap(), expected);
        // Every quote is escaped: between two quotes, what was written is one string.
        let dot = format!("\"{escaped}\"");
        let mut closing = None;
        let mut chars = dot.char_indices().skip(1);
        while let Some((at, c)) = chars.next() {
            match c {
                '\\' => { chars.next(); }
                '"' => { closing = Some(at); break; }
                _ => {}
            }
        }
        prop_assert_eq!(closing, Some(dot.len() - 1), "{:?}", dot);
    }

    /// File names: never empty, only `a-z`, `0-9` and `-`, never `.` or `..`, never a Windows
    /// device name, not too long, and the same every time.
    #[test]
    fn file_stems_are_safe_file_names(text in hostile()) {
        let stem = escape::file_stem(&text);
        prop_assert!(!stem.is_empty());
        prop_assert!(stem.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{stem:?}");
        prop_assert!(stem != "." && stem != "..");
        prop_assert!(!stem.starts_with('-'), "{stem:?}");
        prop_assert!(stem.len() <= 100, "{stem:?}");
        let base = stem.split('.').next().unwrap_or(&stem).to_ascii_uppercase();
        let reserved = matches!(base.as_str(), "CON" | "PRN" | "AUX" | "NUL")
            || (base.len() == 4 && (base.starts_with("COM") || base.starts_with("LPT")) && base.as_bytes()[3].is_ascii_digit());
        prop_assert!(!reserved, "{stem:?} is a Windows device name");
        prop_assert_eq!(escape::file_stem(&text), stem);
    }
}

/// XML 1.0 has no U+FFFE or U+FFFF: a name holding one makes an SVG that no browser reads.
#[test]
fn xml_text_holds_only_xml_characters() {
    for text in ["a\u{fffe}b", "\u{ffff}"] {
        let escaped = escape::xml(text);
        assert!(escaped.chars().all(is_xml_char), "{escaped:?}");
    }
}

/// GitHub renders `$...$` and `$$...$$` as math (LaTeX, with `\color` and friends): a name
/// holding dollars is shown as a formula, not as its text.
#[test]
fn markdown_text_holds_no_math() {
    for text in ["price $x+1$", "$$\\color{red}{big}$$"] {
        let escaped = escape::markdown(text);
        let math: Vec<Event<'_>> = Parser::new_ext(&escaped, Options::ENABLE_MATH)
            .filter(|event| matches!(event, Event::InlineMath(_) | Event::DisplayMath(_)))
            .collect();
        assert!(math.is_empty(), "{escaped:?}: {math:?}");
    }
}
