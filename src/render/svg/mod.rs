//! Diagrams as SVG, laid out and drawn by flowdoc: `layered` places the boxes in ranks, orders
//! them to few crossings and routes each edge beside its label (`layout` holds what it hands
//! on); that becomes the picture's geometry with labels kept off boxes and each other
//! (`scene`), and `draw` (with `shapes` and `legend`) writes it: coordinates rounded, styles
//! fixed, shapes and colours by kind, each arrow one `<g class="edge …">` with its path and
//! label, each box one `<g class="node …">`, a legend. `metrics` says how large text is.

mod draw;
mod layered;
mod layout;
mod legend;
mod metrics;
mod scene;
mod shapes;

use super::diagram::{Diagram, DiagramEdge};
use super::escape::xml;
pub use draw::STYLE;
use draw::n;
use metrics::{LINE_HEIGHT, MARGIN, NAME_FONT, text_width};

/// The most boxes and arrows a picture may have to be laid out: ordering and sifting grow
/// faster than the graph, and nobody reads a picture larger than this, so a larger picture —
/// which grouping into parts keeps from happening — is drawn as a note instead.
pub const MAX_LAYOUT_NODES: usize = 160;
/// See [`MAX_LAYOUT_NODES`].
pub const MAX_LAYOUT_EDGES: usize = 320;

/// Lays out `diagram` and draws it as a standalone SVG document; a diagram too large to lay
/// out in reasonable time is a note saying so.
pub fn render(diagram: &Diagram) -> String {
    if diagram.nodes.len() > MAX_LAYOUT_NODES || diagram.edges.len() > MAX_LAYOUT_EDGES {
        return note(&format!(
            "Too large to draw: {} boxes and {} arrows (the limit is {MAX_LAYOUT_NODES} and {MAX_LAYOUT_EDGES}); \
             the tables list them all.",
            diagram.nodes.len(),
            diagram.edges.len()
        ));
    }
    let scene = scene::scene_from(diagram, &layout::lay_out(diagram));
    draw::write_svg(diagram, &scene)
}

/// Whether the members of a part, laid out alone, leave `room` px of a page's width (2,400 px,
/// see `layered::MAX_WIDTH`) for the boxes of the parts around them, which they do not show:
/// grouping splits a part that does not.
pub fn fits_page(diagram: &Diagram, room: f64) -> bool {
    if diagram.nodes.len() > MAX_LAYOUT_NODES || diagram.edges.len() > MAX_LAYOUT_EDGES {
        return false;
    }
    let (width, _) = layered::extent(&layout::lay_out(diagram));
    width + 2.0 * metrics::MARGIN + room <= layered::MAX_WIDTH
}

/// Where the boxes and arrows of a picture lead, for a picture that is part of a page (the
/// onboarding site): each box and arrow becomes a link, and each arrow says what it carries, so
/// the page can highlight the arrows of one event.
pub struct PictureLinks<'a> {
    /// The page of a box, by node id (relative to the page the picture is in).
    pub node: &'a (dyn Fn(&str) -> Option<String> + Sync),
    /// The page of an arrow, and the events it carries.
    pub edge: &'a (dyn Fn(&DiagramEdge) -> ArrowLink + Sync),
}

/// Where an arrow leads (if anywhere) and the events it carries.
pub type ArrowLink = (Option<String>, Vec<String>);

impl std::fmt::Debug for PictureLinks<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PictureLinks").finish_non_exhaustive()
    }
}

/// [`render`] for a picture inside an HTML page: no style sheet of its own (the page's has
/// [`STYLE`], so no inline style is needed under a strict Content-Security-Policy), boxes and
/// arrows as links, each arrow a `<g class="edge …">` with `data-from`, `data-to` and
/// `data-events` (a JSON array) holding a wide invisible path to click and the path drawn.
pub fn render_linked(diagram: &Diagram, links: &PictureLinks<'_>) -> String {
    if diagram.nodes.len() > MAX_LAYOUT_NODES || diagram.edges.len() > MAX_LAYOUT_EDGES {
        let text = format!(
            "Too large to draw: {} boxes and {} arrows (the limit is {MAX_LAYOUT_NODES} and {MAX_LAYOUT_EDGES}); \
             the tables list them all.",
            diagram.nodes.len(),
            diagram.edges.len()
        );
        return format!("<p class=\"picture-note\">{}</p>\n", xml(&text));
    }
    let scene = scene::scene_from(diagram, &layout::lay_out(diagram));
    draw::write_svg_with(diagram, &scene, Some(links))
}

/// A picture that is only a line of text: for when there is nothing to draw, and the reason.
pub fn note(text: &str) -> String {
    let width = text_width(text, NAME_FONT) + 2.0 * MARGIN;
    let height = NAME_FONT * LINE_HEIGHT + 2.0 * MARGIN;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\">\n<style>{STYLE}</style>\n<rect class=\"background\" x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\"/>\n<text class=\"caption\" x=\"{x}\" y=\"{y}\" style=\"font-size: 13px\">{}</text>\n</svg>\n",
        xml(text),
        w = n(width),
        h = n(height),
        x = n(MARGIN),
        y = n(MARGIN + NAME_FONT),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::diagram::{Change, DiagramEdge, DiagramNode, EdgeLook, NodeLook};

    fn node(id: &str, look: NodeLook) -> DiagramNode {
        DiagramNode {
            id: id.into(),
            name: id.into(),
            caption: look.name().into(),
            look,
            change: Change::None,
        }
    }

    fn edge(from: &str, to: &str, label: &[&str], look: EdgeLook) -> DiagramEdge {
        DiagramEdge {
            from: from.into(),
            to: to.into(),
            label: label.iter().map(|s| (*s).to_owned()).collect(),
            events: label.iter().map(|s| (*s).to_owned()).collect(),
            look,
            change: Change::None,
        }
    }

    pub(super) fn sample() -> Diagram {
        Diagram {
            nodes: vec![
                node("Api", NodeLook::Function),
                node("Dlq", NodeLook::DeadLetter),
                node("Queue", NodeLook::Queue),
                node("Topic", NodeLook::Topic),
                node("Worker", NodeLook::Function),
            ],
            edges: vec![
                edge("Api", "Topic", &["OrderPlaced"], EdgeLook::Publish),
                edge("Queue", "Dlq", &["OrderPlaced"], EdgeLook::Failure),
                edge("Queue", "Worker", &["OrderPlaced"], EdgeLook::Flow),
                edge("Topic", "Queue", &["OrderPlaced", "OrderCancelled"], EdgeLook::Flow),
                edge("Worker", "Topic", &["OrderShipped"], EdgeLook::Publish),
            ],
        }
    }

    #[test]
    fn renders_the_same_bytes_every_time() {
        let first = render(&sample());
        assert_eq!(first, render(&sample()));
        assert!(first.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(first.contains("<rect class=\"background\""));
        assert!(first.contains("class=\"edge failure\""));
        assert!(first.ends_with("</svg>\n"));
    }

    #[test]
    fn labels_are_escaped_once() {
        let mut diagram = sample();
        diagram.nodes[0].name = "<script>alert('x')</script> & co".into();
        let svg = render(&diagram);
        // The name is long enough to wrap (after `/`): each line is escaped.
        assert!(svg.contains(">&lt;script&gt;alert(&apos;x&apos;)&lt;/</text>"), "{svg}");
        assert!(svg.contains(">script&gt; &amp; co</text>"), "{svg}");
        assert!(svg.contains("<title>Api</title>"));
        assert!(!svg.contains("<script>"));
        assert!(!svg.contains("&amp;lt;"));
    }

    #[test]
    fn an_empty_diagram_is_a_valid_picture() {
        let svg = render(&Diagram::default());
        assert!(svg.contains("viewBox=\"0 0 "));
    }

    #[test]
    fn a_note_is_one_escaped_line() {
        let svg = note("No <changes> & more");
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
        assert!(svg.contains(">No &lt;changes&gt; &amp; more</text>"), "{svg}");
    }
}
