//! Reads a drawn SVG picture back: where its texts stand, measured as the drawing measures
//! them, for checking that no two overlap; and where its edges run, for counting crossings.

#[path = "../../src/render/svg/metrics.rs"]
mod metrics;
/// The edge reader and crossing counter the benches use (`benches/scale.rs`,
/// `benches/crossings.rs`), so tests and benches count alike.
#[path = "../../benches/common/svg_geometry.rs"]
mod svg_geometry;

use metrics::{BOLD, NAME_FONT, SMALL_FONT, TextBox, text_width};

/// The texts of `svg`: node names, captions and edge labels (the legend left out).
pub fn texts(svg: &str) -> Vec<String> {
    text_boxes(svg).into_iter().map(|(text, _)| text).collect()
}

/// Every two texts of `svg` whose boxes overlap, each pair said in a line.
pub fn overlaps(svg: &str) -> Vec<String> {
    let boxes = text_boxes(svg);
    let mut found = Vec::new();
    for (i, (a_text, a)) in boxes.iter().enumerate() {
        for (b_text, b) in &boxes[i + 1..] {
            if a.overlaps(b) {
                found.push(format!("{a_text:?} {a:?} overlaps {b_text:?} {b:?}"));
            }
        }
    }
    found
}

/// How many times the edges of `svg` (flowdoc's or Graphviz's) cross: every point where two
/// edges with four different ends cross counts, except where one edge's end lies on the other
/// (that edge runs through a box; it does not cross the arrow that ends there). Curves are sampled, not read as their control
/// points. Reads flowdoc's `<path class="edge …"><title>A → B</title>` and
/// `<g class="edge …" data-from="A" data-to="B">…<path class="line" d="…"/>…</g>`, and
/// Graphviz's `<g class="edge"><title>A-&gt;B</title><path d="…"/>`.
pub fn crossings(svg: &str) -> usize {
    svg_geometry::crossings(&svg_geometry::svg_edges(svg))
}

/// The edges of `svg` as `(from, to)`, in the order drawn.
pub fn edge_ends(svg: &str) -> Vec<(String, String)> {
    svg_geometry::svg_edges(svg).into_iter().map(|edge| (edge.from, edge.to)).collect()
}

/// The text boxes of a rendered SVG document: node names, captions and edge labels, from the
/// positions and font sizes the document states. For checking that no two overlap.
fn text_boxes(svg: &str) -> Vec<(String, TextBox)> {
    let mut boxes = Vec::new();
    for element in svg.split("<text ").skip(1) {
        let attribute = |name: &str| -> Option<String> {
            let start =
                element.find(&format!(" {name}=\"")).or_else(|| element.find(&format!("{name}=\"")))?;
            let rest = &element[start..];
            let open = rest.find('"')? + 1;
            let close = rest[open..].find('"')? + open;
            Some(rest[open..close].to_owned())
        };
        let (Some(class), Some(x), Some(y)) = (attribute("class"), attribute("x"), attribute("y")) else {
            continue;
        };
        if class.starts_with("legend") {
            continue;
        }
        let text = element
            .split_once('>')
            .and_then(|(_, rest)| rest.split_once("</text>"))
            .map(|(t, _)| t)
            .unwrap_or("");
        let text = text
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
            .replace("&quot;", "\"")
            .replace("&apos;", "'");
        let (font, bold) = if class == "name" { (NAME_FONT, BOLD) } else { (SMALL_FONT, 1.0) };
        let (Ok(x), Ok(y)) = (x.parse::<f64>(), y.parse::<f64>()) else { continue };
        let width = text_width(&text, font) * bold;
        let anchored = if element.contains("text-anchor=\"middle\"") { x - width / 2.0 } else { x };
        boxes.push((text, TextBox { x: anchored, y: y - font * 0.8, width, height: font }));
    }
    boxes
}
