//! Writing the picture as SVG text: the frame, style sheet and arrow heads, then the edges,
//! their labels on a background, the nodes and the legend, at coordinates rounded to one
//! decimal.

use super::PictureLinks;
use super::legend::{LEGEND_WIDTH, legend, write_legend};
use super::metrics::{LINE_HEIGHT, MARGIN, NAME_FONT, PADDING, SMALL_FONT, TextBox, name_lines};
use super::scene::Scene;
use super::shapes::shape;
use crate::render::diagram::Diagram;
use crate::render::escape::xml;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// An edge label: its background and its lines, centred.
fn write_label(out: &mut String, label: &TextBox, lines: &[String], (dx, dy): (f64, f64)) {
    let (x, y) = (label.x + dx, label.y + dy);
    let _ = write!(
        out,
        "<rect class=\"label-box\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\"/>",
        n(x),
        n(y),
        n(label.width),
        n(label.height)
    );
    for (row, line) in lines.iter().enumerate() {
        let baseline = y + 2.0 + SMALL_FONT * LINE_HEIGHT * (row as f64 + 0.78);
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            n(x + label.width / 2.0),
            n(baseline),
            xml(line)
        );
    }
}

/// An SVG link around what follows, when there is somewhere to go.
fn open_link(href: Option<&str>) -> String {
    href.map_or_else(String::new, |href| format!("<a href=\"{}\">", xml(href)))
}

fn close_link(href: Option<&str>) -> &'static str {
    if href.is_some() { "</a>" } else { "" }
}

/// One decimal, so that floating-point noise between machines does not show.
pub(super) fn n(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == rounded.trunc() { format!("{}", rounded as i64) } else { format!("{rounded:.1}") }
}

/// The fixed style sheet: shapes and colours by kind, fonts, edges.
pub const STYLE: &str = "
svg { font-family: ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; }
.background { fill: #ffffff; }
.node rect, .node path, .node ellipse { stroke-width: 1.5; }
.name { font-size: 13px; font-weight: 600; fill: #1b1f24; }
.caption { font-size: 11px; fill: #57606a; }
.label { font-size: 11px; fill: #1b1f24; stroke: none; }
.label-box { fill: #ffffff; fill-opacity: 0.92; stroke: none; }
.edge path, path.edge { fill: none; stroke-width: 1.5; }
.edge.flow { stroke: #57606a; }
.edge.publish { stroke: #0969da; }
.edge.failure { stroke: #cf222e; stroke-dasharray: 6 4; }
.edge.granted { stroke: #0969da; stroke-dasharray: 3 3; }
.api > .shape { fill: #fff8c5; stroke: #9a6700; }
.function > .shape { fill: #ddf4ff; stroke: #0969da; }
.table > .shape { fill: #dafbe1; stroke: #1a7f37; }
.stream > .shape { fill: #d8f3f6; stroke: #1b7c83; }
.queue > .shape { fill: #fbefff; stroke: #8250df; }
.dlq > .shape { fill: #ffebe9; stroke: #cf222e; }
.topic > .shape { fill: #fff1e5; stroke: #bc4c00; }
.bus > .shape { fill: #ffeff7; stroke: #bf3989; }
.rule > .shape, .schedule > .shape { fill: #ffeff7; stroke: #bf3989; }
.bucket > .shape { fill: #dafbe1; stroke: #116329; }
.workflow > .shape { fill: #f6f8fa; stroke: #6639ba; }
.balancer > .shape { fill: #eef6ff; stroke: #0550ae; }
.logs > .shape { fill: #f6f8fa; stroke: #57606a; }
.users > .shape { fill: #fff8c5; stroke: #7d4e00; }
.alarm > .shape { fill: #fff0eb; stroke: #a40e26; }
.external > .shape { fill: #f6f8fa; stroke: #6e7781; stroke-dasharray: 4 3; }
.other > .shape { fill: #f6f8fa; stroke: #6e7781; }
.group > .shape { fill: #eaeef2; stroke: #424a53; stroke-width: 1.5; }
.added > .shape { stroke: #1a7f37; stroke-width: 3; }
.removed > .shape { stroke: #cf222e; stroke-width: 2.5; stroke-dasharray: 6 4; fill-opacity: 0.5; }
.changed > .shape { stroke: #bf8700; stroke-width: 3; }
.context > .shape { fill: #f6f8fa; stroke: #8c959f; }
.removed .name { text-decoration: line-through; }
.edge.added { stroke: #1a7f37; stroke-width: 2.5; stroke-dasharray: none; }
.edge.removed { stroke: #cf222e; stroke-width: 2; stroke-dasharray: 6 4; }
.edge.changed { stroke: #bf8700; stroke-width: 2.5; stroke-dasharray: none; }
.edge.context { stroke: #8c959f; stroke-dasharray: none; }
.legend-title { font-size: 12px; font-weight: 600; fill: #1b1f24; }
.legend-text { font-size: 11px; fill: #1b1f24; }
";

/// `diagram` as a standalone SVG document, everything where `scene` puts it.
pub(super) fn write_svg(diagram: &Diagram, scene: &Scene) -> String {
    write_svg_with(diagram, scene, None)
}

/// [`write_svg`], or with `links` the picture for an HTML page (see [`super::render_linked`]).
pub(super) fn write_svg_with(diagram: &Diagram, scene: &Scene, links: Option<&PictureLinks<'_>>) -> String {
    // Picture bounds: every box, path point and label.
    let mut min = (f64::MAX, f64::MAX);
    let mut max = (f64::MIN, f64::MIN);
    let mut grow = |x: f64, y: f64| {
        min = (min.0.min(x), min.1.min(y));
        max = (max.0.max(x), max.1.max(y));
    };
    for b in scene.boxes.values().chain(scene.labels.iter().map(|(_, b, _)| b)) {
        grow(b.x, b.y);
        grow(b.x + b.width, b.y + b.height);
    }
    for (points, _) in scene.paths.values() {
        for (x, y) in points {
            grow(*x, *y);
        }
    }
    if min.0 > max.0 {
        min = (0.0, 0.0);
        max = (0.0, 0.0);
    }
    let legend = legend(diagram);
    let legend_height = legend.len() as f64 * 18.0 + 28.0;
    let (dx, dy) = (MARGIN - min.0, MARGIN - min.1);
    let width = (max.0 - min.0 + 2.0 * MARGIN).max(LEGEND_WIDTH + 2.0 * MARGIN);
    let graph_height = max.1 - min.1 + 2.0 * MARGIN;
    let height = graph_height + legend_height;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\">",
        w = n(width),
        h = n(height)
    );
    if links.is_none() {
        let _ = writeln!(out, "<style>{STYLE}</style>");
    }
    out.push_str(
        "<defs><marker id=\"arrow-flow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"12\" markerHeight=\"12\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#57606a\"/></marker>\
<marker id=\"arrow-publish\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"12\" markerHeight=\"12\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#0969da\"/></marker>\
<marker id=\"arrow-failure\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"12\" markerHeight=\"12\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#cf222e\"/></marker>\
<marker id=\"arrow-added\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"12\" markerHeight=\"12\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#1a7f37\"/></marker>\
<marker id=\"arrow-removed\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"12\" markerHeight=\"12\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#cf222e\"/></marker>\
<marker id=\"arrow-changed\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"12\" markerHeight=\"12\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#bf8700\"/></marker>\
<marker id=\"arrow-context\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"12\" markerHeight=\"12\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#8c959f\"/></marker></defs>\n",
    );
    let _ = writeln!(
        out,
        "<rect class=\"background\" x=\"0\" y=\"0\" width=\"{}\" height=\"{}\"/>",
        n(width),
        n(height)
    );

    // Labels whose edge is known are drawn in that edge's group; any other after the edges.
    let mut labels_of: BTreeMap<usize, Vec<(&TextBox, &Vec<String>)>> = BTreeMap::new();
    let mut loose = Vec::new();
    for (edge, label, lines) in &scene.labels {
        match edge {
            Some(edge) => labels_of.entry(*edge).or_default().push((label, lines)),
            None => loose.push((label, lines)),
        }
    }
    for (i, edge) in diagram.edges.iter().enumerate() {
        let Some((points, backwards)) = scene.paths.get(&i) else { continue };
        if points.len() < 4 {
            continue;
        }
        let p = |k: usize| format!("{} {}", n(points[k].0 + dx), n(points[k].1 + dy));
        let mut d = format!("M {} C {}, {}, {}", p(0), p(1), p(2), p(3));
        let mut k = 4;
        while k + 1 < points.len() {
            let _ = write!(d, " S {}, {}", p(k), p(k + 1));
            k += 2;
        }
        let look = edge.look.name();
        let change = edge.change.name();
        let arrow = if change.is_empty() { edge.look.head() } else { change };
        let classes = if change.is_empty() { look.to_owned() } else { format!("{look} {change}") };
        let marker = if *backwards { "marker-start" } else { "marker-end" };
        let (href, data) = match links {
            Some(links) => {
                let (href, events) = (links.edge)(edge);
                let events = serde_json::to_string(&events).unwrap_or_else(|_| "[]".to_owned());
                (href, format!(" data-events=\"{}\"", xml(&events)))
            }
            None => (None, String::new()),
        };
        let _ = write!(
            out,
            "<g class=\"edge {classes}\" data-from=\"{}\" data-to=\"{}\"{data}><title>{} → {}</title>{}",
            xml(&edge.from),
            xml(&edge.to),
            xml(&edge.from),
            xml(&edge.to),
            open_link(href.as_deref()),
        );
        if links.is_some() {
            let _ = write!(out, "<path class=\"hit\" d=\"{d}\"/>");
        }
        let _ = write!(out, "<path class=\"line\" d=\"{d}\" {marker}=\"url(#arrow-{arrow})\"/>");
        for (label, lines) in labels_of.get(&i).into_iter().flatten() {
            write_label(&mut out, label, lines, (dx, dy));
        }
        let _ = writeln!(out, "{}</g>", close_link(href.as_deref()));
    }
    for (label, lines) in loose {
        write_label(&mut out, label, lines, (dx, dy));
        out.push('\n');
    }
    for (i, node) in diagram.nodes.iter().enumerate() {
        let Some(b) = scene.boxes.get(&i) else { continue };
        let (x, y) = (b.x + dx, b.y + dy);
        let centre = x + b.width / 2.0;
        let href = links.and_then(|links| (links.node)(&node.id));
        out.push_str(&open_link(href.as_deref()));
        let data = if links.is_some() { format!(" data-node=\"{}\"", xml(&node.id)) } else { String::new() };
        let lines = name_lines(&node.name);
        let _ = write!(
            out,
            "<g class=\"node {}{}\"{data}><title>{}</title>{}",
            node.look.name(),
            if node.change.name().is_empty() { String::new() } else { format!(" {}", node.change.name()) },
            xml(&node.id),
            shape(node.look, x, y, b.width, b.height),
        );
        for (row, line) in lines.iter().enumerate() {
            let _ = write!(
                out,
                "<text class=\"name\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                n(centre),
                n(y + PADDING + NAME_FONT + NAME_FONT * LINE_HEIGHT * row as f64),
                xml(line)
            );
        }
        let _ = write!(
            out,
            "<text class=\"caption\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>",
            n(centre),
            n(y + PADDING + NAME_FONT * LINE_HEIGHT * lines.len() as f64 + SMALL_FONT),
            xml(&node.caption)
        );
        out.push_str(close_link(href.as_deref()));
        out.push('\n');
    }
    write_legend(&mut out, &legend, MARGIN, graph_height);
    out.push_str("</svg>\n");
    out
}
