//! A page of the docs as HTML: its Markdown through pulldown-cmark, with the pictures inline,
//! links between pages turned from `.md` to `.html` (and links to events marked, so hovering
//! them highlights the event's arrows), links to code left as text (the site does not hold the
//! code), tables and pictures in containers that scroll on their own, and no raw HTML from the
//! Markdown but the Mermaid block, which is dropped: the picture is there.

use crate::render::escape::xml;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};
use std::collections::BTreeMap;

/// What a page needs from the rest of the site.
pub(super) struct Context<'a> {
    /// The page's own path, as `events/orderplaced.md`.
    pub(super) path: &'a str,
    /// The pictures drawn for the site, by the path of their SVG file.
    pub(super) pictures: &'a BTreeMap<String, String>,
    /// The event each event page is about, by the page's path.
    pub(super) events: &'a BTreeMap<String, String>,
}

/// A page's title (its first heading) and its body as HTML.
pub(super) fn page(markdown: &str, context: &Context<'_>) -> (String, String) {
    let folder = context.path.rsplit_once('/').map_or("", |(folder, _)| folder);
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut title = String::new();
    let mut in_title = false;
    let mut skipping = 0usize;
    // For each open link, whether it was written (links to code are not).
    let mut links: Vec<bool> = Vec::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        if skipping > 0 {
            match event {
                Event::Start(Tag::Image { .. }) => skipping += 1,
                Event::End(TagEnd::Image | TagEnd::CodeBlock) => skipping -= 1,
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading { level: pulldown_cmark::HeadingLevel::H1, .. })
                if title.is_empty() =>
            {
                in_title = true;
                events.push(event);
            }
            Event::End(TagEnd::Heading(_)) => {
                in_title = false;
                events.push(event);
            }
            Event::Text(ref text) | Event::Code(ref text) if in_title => {
                title.push_str(text);
                events.push(event);
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                skipping = 1;
                let path = resolve(folder, &dest_url);
                let figure = match context.pictures.get(&path) {
                    Some(svg) => format!(
                        "<figure class=\"picture\"><div class=\"picture-scroll\">{svg}</div></figure>\n"
                    ),
                    None => format!("<p class=\"picture-note\">{}</p>\n", xml(&dest_url)),
                };
                events.push(Event::Html(CowStr::from(figure)));
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(ref language)))
                if language.as_ref() == "mermaid" =>
            {
                skipping = 1;
            }
            Event::Start(Tag::Link { dest_url, .. }) => match link(folder, &dest_url, context) {
                Some(anchor) => {
                    links.push(true);
                    events.push(Event::Html(CowStr::from(anchor)));
                }
                None => links.push(false),
            },
            Event::End(TagEnd::Link) => {
                if links.pop() == Some(true) {
                    events.push(Event::Html(CowStr::from("</a>")));
                }
            }
            Event::Start(Tag::Table(_)) => {
                events.push(Event::Html(CowStr::from("<div class=\"table-scroll\">")));
                events.push(event);
            }
            Event::End(TagEnd::Table) => {
                events.push(event);
                events.push(Event::Html(CowStr::from("</div>\n")));
            }
            // The Markdown's own HTML: the generator's comment and the Mermaid block's
            // `<details>`, neither wanted here. Anything else is shown as text, never markup.
            Event::Html(html) | Event::InlineHtml(html) => {
                let trimmed = html.trim();
                let ours = trimmed.starts_with("<!--")
                    || trimmed.starts_with("<details>")
                    || trimmed.starts_with("</details>")
                    || trimmed.starts_with("<summary>");
                if !ours {
                    events.push(Event::Text(html));
                }
            }
            other => events.push(other),
        }
    }
    let mut body = String::new();
    pulldown_cmark::html::push_html(&mut body, events.into_iter());
    (title, body)
}

/// The anchor a Markdown link becomes: a page of the site (`.html`, marked with `data-event`
/// when it is an event's page), a file of the site, or the web; `None` for a link to the
/// project's code, which the site does not hold.
fn link(folder: &str, dest: &str, context: &Context<'_>) -> Option<String> {
    if dest.starts_with("https://") || dest.starts_with("http://") {
        return Some(format!("<a href=\"{}\">", xml(dest)));
    }
    if dest.starts_with('#') {
        return Some(format!("<a href=\"{}\">", xml(dest)));
    }
    // Any other scheme (`javascript:`, `data:`, ...) is never a link of the site.
    if dest.split('/').next().is_some_and(|first| first.contains(':')) {
        return None;
    }
    let (path, anchor) = dest.split_once('#').map_or((dest, ""), |(path, anchor)| (path, anchor));
    let target = resolve(folder, path);
    if target.starts_with("../") {
        return None;
    }
    let event = context.events.get(&target).map(|event| format!(" data-event=\"{}\"", xml(event)));
    let href = match path.strip_suffix(".md") {
        Some(stem) => format!("{stem}.html"),
        None if target.ends_with(".json") || target.ends_with(".svg") => path.to_owned(),
        None => return None,
    };
    let anchor = if anchor.is_empty() { String::new() } else { format!("#{anchor}") };
    Some(format!("<a href=\"{}{}\"{}>", xml(&href), xml(&anchor), event.unwrap_or_default()))
}

/// A relative link from a page in `folder` as a path from the site's root (`../` left in front
/// when it leaves the site).
fn resolve(folder: &str, link: &str) -> String {
    let mut parts: Vec<&str> = folder.split('/').filter(|part| !part.is_empty()).collect();
    let mut outside = 0;
    for part in link.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    outside += 1;
                }
            }
            part => parts.push(part),
        }
    }
    format!("{}{}", "../".repeat(outside), parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context<'a>(
        path: &'a str,
        pictures: &'a BTreeMap<String, String>,
        events: &'a BTreeMap<String, String>,
    ) -> Context<'a> {
        Context { path, pictures, events }
    }

    #[test]
    fn links_between_pages_become_html_and_links_to_code_text() {
        let pictures = BTreeMap::from([("events/placed.svg".to_owned(), "<svg>drawn</svg>".to_owned())]);
        let events = BTreeMap::from([("events/placed.md".to_owned(), "Placed".to_owned())]);
        let markdown = "<!-- generated -->\n\n# `Placed`\n\n![Its path](placed.svg)\n\n\
            [Placed](placed.md) · [Api](../functions/api.md#handlers) · [`src/lib.rs:3`](../../src/lib.rs#L3) \
            · [json](../flow.json) · <b>bold</b>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\
            <details>\n<summary>Mermaid</summary>\n\n```mermaid\nflowchart\n```\n\n</details>\n";
        let (title, body) = page(markdown, &context("events/placed.md", &pictures, &events));
        assert_eq!(title, "Placed");
        assert!(
            body.contains(
                "<figure class=\"picture\"><div class=\"picture-scroll\"><svg>drawn</svg></div></figure>"
            ),
            "{body}"
        );
        assert!(!body.contains("Its path"), "the alt text is not shown beside the picture: {body}");
        assert!(body.contains("<a href=\"placed.html\" data-event=\"Placed\">Placed</a>"), "{body}");
        assert!(body.contains("<a href=\"../functions/api.html#handlers\">Api</a>"), "{body}");
        assert!(body.contains(" · <code>src/lib.rs:3</code> · "), "code links are text: {body}");
        assert!(body.contains("<a href=\"../flow.json\">json</a>"), "{body}");
        assert!(body.contains("&lt;b&gt;bold&lt;/b&gt;"), "raw HTML is text: {body}");
        assert!(body.contains("<div class=\"table-scroll\"><table>"), "{body}");
        assert!(
            !body.contains("mermaid") && !body.contains("details") && !body.contains("generated"),
            "{body}"
        );
    }

    #[test]
    fn hostile_link_targets_are_escaped() {
        let (pictures, events) = (BTreeMap::new(), BTreeMap::new());
        let markdown = "[x](a\"b.md) [y](javascript:alert(1)) [z](javascript:z.md)";
        let (_, body) = page(markdown, &context("index.md", &pictures, &events));
        assert!(body.contains("<a href=\"a&quot;b.html\">x</a>"), "{body}");
        assert!(!body.contains("javascript"), "{body}");
    }

    #[test]
    fn paths_resolve_from_the_page() {
        assert_eq!(resolve("events", "../functions/a.md"), "functions/a.md");
        assert_eq!(resolve("", "events/a.md"), "events/a.md");
        assert_eq!(resolve("events", "../../src/a.rs"), "../src/a.rs");
        assert_eq!(resolve("", "./x.svg"), "x.svg");
    }
}
