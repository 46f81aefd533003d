//! Diagrams as SVG: layout-rs places the boxes and routes the edges; flowdoc draws them.
//!
//! layout-rs's own SVG writer is not used: its style block comes out of a `HashMap` (not
//! deterministic), it draws labels through the edge stroke, estimates text at about twice its
//! width, has no background and fixed fonts. Instead a [`RenderBackend`] captures where
//! layout-rs puts each box, label and edge, and flowdoc writes the picture itself: coordinates
//! rounded, styles fixed, shapes and colours by kind, labels on a background, a legend.
//!
//! For speed, layout-rs's DAG re-validation is off and back edges are reversed beforehand
//! (greedy feedback arc set), edges added in topological order of their source.

use super::diagram::{Change, Diagram, DiagramEdge, EdgeLook, NodeLook};
use super::escape::xml;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::Point;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;
use petgraph::algo::greedy_feedback_arc_set;
use petgraph::graph::DiGraph;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Font size of names in boxes, of captions and edge labels, in pixels.
const NAME_FONT: f64 = 13.0;
const SMALL_FONT: f64 = 11.0;
/// Average advance of a character, as a share of the font size, for the sans-serif fonts the
/// style asks for (measured on DejaVu Sans and Helvetica: 0.55–0.6).
const CHAR_WIDTH: f64 = 0.6;
/// Line height, as a share of the font size.
const LINE_HEIGHT: f64 = 1.3;
/// The font size layout-rs estimates edge labels with: it counts one font size per character
/// and per line, so this makes its estimate close to the real width of `SMALL_FONT` text.
const LABEL_LAYOUT_FONT: usize = 8;
/// Room around labels and names.
const PADDING: f64 = 10.0;
const MARGIN: f64 = 16.0;

/// The width of `text` at `font` pixels.
pub(crate) fn text_width(text: &str, font: f64) -> f64 {
    text.chars().count() as f64 * font * CHAR_WIDTH
}

/// Bold names run wider than the average advance.
const BOLD: f64 = 1.1;

/// The size of a node's box, with room for the stripes of queue shapes.
fn node_size(name: &str, caption: &str) -> (f64, f64) {
    let width =
        (text_width(name, NAME_FONT) * BOLD).max(text_width(caption, SMALL_FONT)) + 2.0 * PADDING + 16.0;
    let height = NAME_FONT * LINE_HEIGHT + SMALL_FONT * LINE_HEIGHT + 2.0 * PADDING;
    (width.max(90.0), height)
}

/// An edge as layout-rs routes it: edge index, Bézier path, arrow heads (start, end).
type RoutedEdge = (usize, Vec<(Point, Point)>, (bool, bool));

/// What layout-rs drew, in its coordinates.
#[derive(Default)]
struct Capture {
    /// Node boxes: node index, top left, size.
    boxes: Vec<(usize, Point, Point)>,
    /// Edge label centres: the label text.
    labels: Vec<(Point, String)>,
    /// Edges: edge index, Bézier path (see `RenderBackend::draw_arrow`), arrow heads.
    paths: Vec<RoutedEdge>,
}

impl RenderBackend for Capture {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        _look: &StyleAttr,
        properties: Option<String>,
        _clip: Option<ClipHandle>,
    ) {
        if let Some(index) = properties.and_then(|p| p.strip_prefix("node:").and_then(|i| i.parse().ok())) {
            self.boxes.push((index, xy, size));
        }
    }

    fn draw_line(&mut self, _start: Point, _stop: Point, _look: &StyleAttr, _properties: Option<String>) {}

    fn draw_circle(&mut self, _xy: Point, _size: Point, _look: &StyleAttr, _properties: Option<String>) {}

    fn draw_text(&mut self, xy: Point, text: &str, _look: &StyleAttr) {
        if !text.is_empty() {
            self.labels.push((xy, text.to_owned()));
        }
    }

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        _dashed: bool,
        head: (bool, bool),
        _look: &StyleAttr,
        properties: Option<String>,
        _text: &str,
    ) {
        if let Some(index) = properties.and_then(|p| p.strip_prefix("edge:").and_then(|i| i.parse().ok())) {
            self.paths.push((index, path.to_vec(), head));
        }
    }

    fn create_clip(&mut self, _xy: Point, _size: Point, _rounded_px: usize) -> ClipHandle {
        0
    }
}

/// A laid-out text box, in picture coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextBox {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl TextBox {
    /// Whether two boxes overlap (touching edges do not count).
    pub fn overlaps(&self, other: &TextBox) -> bool {
        self.x < other.x + other.width
            && other.x < self.x + self.width
            && self.y < other.y + other.height
            && other.y < self.y + self.height
    }
}

/// The most boxes and arrows a picture may have to be laid out: layout-rs's crossing
/// reduction grows much faster than the graph (1 s at 200 boxes, 7 s at 400), so a larger
/// picture — which grouping into parts keeps from happening — is drawn as a note instead of
/// hanging the run.
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
    let scene = lay_out(diagram);
    write_svg(diagram, &scene)
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

/// Where everything goes.
struct Scene {
    /// Node boxes by node index.
    boxes: BTreeMap<usize, TextBox>,
    /// Edge paths by edge index: points of the Bézier path, whether the arrow points backwards.
    paths: BTreeMap<usize, (Vec<(f64, f64)>, bool)>,
    /// Edge labels: the box and the lines.
    labels: Vec<(TextBox, Vec<String>)>,
}

fn lay_out(diagram: &Diagram) -> Scene {
    let index: BTreeMap<&str, usize> =
        diagram.nodes.iter().enumerate().map(|(i, node)| (node.id.as_str(), i)).collect();
    // Orient the graph as a DAG: reverse a small set of back edges.
    let mut graph: DiGraph<usize, usize> = DiGraph::new();
    let handles: Vec<_> = (0..diagram.nodes.len()).map(|i| graph.add_node(i)).collect();
    for (edge_index, edge) in diagram.edges.iter().enumerate() {
        if let (Some(from), Some(to)) = (index.get(edge.from.as_str()), index.get(edge.to.as_str())) {
            graph.add_edge(handles[*from], handles[*to], edge_index);
        }
    }
    let reversed: std::collections::BTreeSet<usize> =
        greedy_feedback_arc_set(&graph).map(|edge| *edge.weight()).collect();
    let order = topological_rank(diagram, &index, &reversed);

    // layout-rs refuses an empty graph (an assertion); there is nothing to place anyway.
    if diagram.nodes.is_empty() {
        return scene_from(diagram, &Capture::default());
    }
    let result = std::panic::catch_unwind(|| {
        let mut visual = VisualGraph::new(Orientation::TopToBottom);
        visual.dag.set_validate(false);
        let node_look = StyleAttr::new(Color::fast("black"), 1, None, 0, NAME_FONT as usize);
        let nodes: Vec<_> = diagram
            .nodes
            .iter()
            .enumerate()
            .map(|(i, node)| {
                let (width, height) = node_size(&node.name, &node.caption);
                // layout-rs lays out left-to-right graphs transposed: give it the size it
                // will transpose back.
                let element = Element::create_with_properties(
                    ShapeKind::new_box(""),
                    node_look.clone(),
                    Orientation::TopToBottom,
                    Point::new(width, height),
                    format!("node:{i}"),
                );
                visual.add_node(element)
            })
            .collect();
        let mut edges: Vec<(usize, &DiagramEdge)> = diagram.edges.iter().enumerate().collect();
        edges.sort_by_key(|(i, edge)| {
            let from = index.get(edge.from.as_str()).copied().unwrap_or(0);
            let to = index.get(edge.to.as_str()).copied().unwrap_or(0);
            let source = if reversed.contains(i) { to } else { from };
            (order.get(&source).copied().unwrap_or(0), *i)
        });
        let label_look = StyleAttr::new(Color::fast("black"), 1, None, 0, LABEL_LAYOUT_FONT);
        for (i, edge) in edges {
            let (Some(from), Some(to)) = (index.get(edge.from.as_str()), index.get(edge.to.as_str())) else {
                continue;
            };
            let backwards = reversed.contains(&i);
            let (start, end) = if backwards {
                (LineEndKind::Arrow, LineEndKind::None)
            } else {
                (LineEndKind::None, LineEndKind::Arrow)
            };
            let arrow = Arrow::with_properties(
                start,
                end,
                LineStyleKind::Normal,
                &edge.label.join("\n"),
                &label_look,
                format!("edge:{i}"),
                &None,
                &None,
            );
            let (a, b) = if backwards { (nodes[*to], nodes[*from]) } else { (nodes[*from], nodes[*to]) };
            visual.add_edge(arrow, a, b);
        }
        let mut capture = Capture::default();
        visual.do_it(false, false, false, &mut capture);
        capture
    });
    let capture = result.unwrap_or_else(|_| grid_layout(diagram));
    scene_from(diagram, &capture)
}

/// The rank of each node in a topological order of the (reversed) graph.
fn topological_rank(
    diagram: &Diagram,
    index: &BTreeMap<&str, usize>,
    reversed: &std::collections::BTreeSet<usize>,
) -> BTreeMap<usize, usize> {
    let mut graph: DiGraph<usize, ()> = DiGraph::new();
    let handles: Vec<_> = (0..diagram.nodes.len()).map(|i| graph.add_node(i)).collect();
    for (i, edge) in diagram.edges.iter().enumerate() {
        if let (Some(from), Some(to)) = (index.get(edge.from.as_str()), index.get(edge.to.as_str())) {
            let (a, b) = if reversed.contains(&i) { (*to, *from) } else { (*from, *to) };
            if a != b {
                graph.add_edge(handles[a], handles[b], ());
            }
        }
    }
    match petgraph::algo::toposort(&graph, None) {
        Ok(order) => order.iter().enumerate().map(|(rank, handle)| (graph[*handle], rank)).collect(),
        Err(_) => BTreeMap::new(),
    }
}

/// A plain grid, should layout-rs ever fail on a graph: boxes in rows, straight edges.
fn grid_layout(diagram: &Diagram) -> Capture {
    let mut capture = Capture::default();
    let columns = (diagram.nodes.len() as f64).sqrt().ceil().max(1.0) as usize;
    let mut centres = Vec::new();
    for (i, node) in diagram.nodes.iter().enumerate() {
        let (width, height) = node_size(&node.name, &node.caption);
        let x = (i % columns) as f64 * 260.0;
        let y = (i / columns) as f64 * 160.0;
        capture.boxes.push((i, Point::new(x, y), Point::new(width, height)));
        centres.push(Point::new(x + width / 2.0, y + height / 2.0));
    }
    let index: BTreeMap<&str, usize> =
        diagram.nodes.iter().enumerate().map(|(i, node)| (node.id.as_str(), i)).collect();
    for (i, edge) in diagram.edges.iter().enumerate() {
        if let (Some(from), Some(to)) = (index.get(edge.from.as_str()), index.get(edge.to.as_str())) {
            let (a, b) = (centres[*from], centres[*to]);
            capture.paths.push((i, vec![(a, a), (b, b)], (false, true)));
            if !edge.label.is_empty() {
                capture
                    .labels
                    .push((Point::new((a.x + b.x) / 2.0, (a.y + b.y) / 2.0), edge.label.join("\n")));
            }
        }
    }
    capture
}

fn scene_from(diagram: &Diagram, capture: &Capture) -> Scene {
    let boxes = capture
        .boxes
        .iter()
        .filter(|(i, _, _)| *i < diagram.nodes.len())
        .map(|(i, xy, size)| (*i, TextBox { x: xy.x, y: xy.y, width: size.x, height: size.y }))
        .collect();
    let paths = capture
        .paths
        .iter()
        .map(|(i, path, head)| {
            let points = path.iter().flat_map(|(a, b)| [(a.x, a.y), (b.x, b.y)]).collect();
            (*i, (points, head.0 && !head.1))
        })
        .collect();
    let labels = capture
        .labels
        .iter()
        .map(|(centre, text)| {
            let lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
            let width = lines.iter().map(|line| text_width(line, SMALL_FONT)).fold(0.0, f64::max) + 8.0;
            let height = lines.len() as f64 * SMALL_FONT * LINE_HEIGHT + 4.0;
            (TextBox { x: centre.x - width / 2.0, y: centre.y - height / 2.0, width, height }, lines)
        })
        .collect();
    let mut scene = Scene { boxes, paths, labels };
    separate_labels(&mut scene);
    scene
}

/// Points along an edge as drawn: the first cubic Bézier segment and the smooth ones after it
/// (`M p0 C p1, p2, p3 S p4, p5 ...`), sampled.
fn points_along(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    const STEPS: usize = 16;
    let cubic = |a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64), t: f64| {
        let u = 1.0 - t;
        let (w0, w1, w2, w3) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
        (w0 * a.0 + w1 * b.0 + w2 * c.0 + w3 * d.0, w0 * a.1 + w1 * b.1 + w2 * c.1 + w3 * d.1)
    };
    let mut along = Vec::new();
    if points.len() < 4 {
        return points.to_vec();
    }
    let mut segment = (points[0], points[1], points[2], points[3]);
    let mut k = 4;
    loop {
        let (a, b, c, d) = segment;
        along.extend((0..=STEPS).map(|step| cubic(a, b, c, d, step as f64 / STEPS as f64)));
        if k + 1 >= points.len() {
            break;
        }
        // `S`: the first control point mirrors the previous second one about the joint.
        let mirrored = (2.0 * d.0 - c.0, 2.0 * d.1 - c.1);
        segment = (d, mirrored, points[k], points[k + 1]);
        k += 2;
    }
    along
}

/// layout-rs spaces edges, not their labels: two labels of neighbouring edges can touch, or a
/// label can sit on a box. Each such label slides along its own edge to the nearest free spot.
fn separate_labels(scene: &mut Scene) {
    let edges: Vec<Vec<(f64, f64)>> = scene.paths.values().map(|(points, _)| points_along(points)).collect();
    let distance = |a: (f64, f64), b: (f64, f64)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    let mut placed: Vec<TextBox> = scene.boxes.values().copied().collect();
    for (label, _) in &mut scene.labels {
        let free =
            |candidate: &TextBox, placed: &[TextBox]| placed.iter().all(|other| !candidate.overlaps(other));
        if !free(label, &placed) {
            let centre = (label.x + label.width / 2.0, label.y + label.height / 2.0);
            let nearest = edges.iter().min_by(|a, b| {
                let near = |path: &Vec<(f64, f64)>| {
                    path.iter().map(|p| distance(*p, centre)).fold(f64::MAX, f64::min)
                };
                near(a).total_cmp(&near(b))
            });
            if let Some(path) = nearest {
                let mut candidates: Vec<(f64, f64)> = path.clone();
                candidates.sort_by(|a, b| distance(*a, centre).total_cmp(&distance(*b, centre)));
                let moved = candidates.into_iter().map(|(x, y)| TextBox {
                    x: x - label.width / 2.0,
                    y: y - label.height / 2.0,
                    ..*label
                });
                if let Some(spot) = moved.into_iter().find(|candidate| free(candidate, &placed)) {
                    *label = spot;
                }
            }
        }
        placed.push(*label);
    }
}

/// One decimal, so that floating-point noise between machines does not show.
fn n(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == rounded.trunc() { format!("{}", rounded as i64) } else { format!("{rounded:.1}") }
}

/// The fixed style sheet: shapes and colours by kind, fonts, edges.
const STYLE: &str = "
svg { font-family: ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; }
.background { fill: #ffffff; }
.node rect, .node path, .node ellipse { stroke-width: 1.5; }
.name { font-size: 13px; font-weight: 600; fill: #1b1f24; }
.caption { font-size: 11px; fill: #57606a; }
.label { font-size: 11px; fill: #1b1f24; }
.label-box { fill: #ffffff; fill-opacity: 0.92; stroke: none; }
.edge { fill: none; stroke-width: 1.5; }
.edge.flow { stroke: #57606a; }
.edge.publish { stroke: #0969da; }
.edge.failure { stroke: #cf222e; stroke-dasharray: 6 4; }
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

/// The shape of a node of `look` in the box at (x, y, w, h), as SVG.
fn shape(look: NodeLook, x: f64, y: f64, w: f64, h: f64) -> String {
    let (x2, y2) = (x + w, y + h);
    match look {
        NodeLook::Function => format!(
            "<rect class=\"shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"10\"/>",
            n(x),
            n(y),
            n(w),
            n(h)
        ),
        NodeLook::Table | NodeLook::Bucket => {
            // A cylinder: the body with its bottom rim, then the top.
            let ry = 6.0;
            format!(
                "<path class=\"shape\" d=\"M {} {} V {} A {} {} 0 0 0 {} {} V {} Z\"/><ellipse class=\"shape\" cx=\"{}\" cy=\"{}\" rx=\"{}\" ry=\"{}\"/>",
                n(x),
                n(y + ry),
                n(y2 - ry),
                n(w / 2.0),
                n(ry),
                n(x2),
                n(y2 - ry),
                n(y + ry),
                n(x + w / 2.0),
                n(y + ry),
                n(w / 2.0),
                n(ry)
            )
        }
        NodeLook::Queue | NodeLook::DeadLetter => format!(
            "<rect class=\"shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"2\"/><path class=\"shape\" d=\"M {} {} V {} M {} {} V {}\"/>",
            n(x),
            n(y),
            n(w),
            n(h),
            n(x2 - 10.0),
            n(y),
            n(y2),
            n(x2 - 6.0),
            n(y),
            n(y2)
        ),
        NodeLook::Topic | NodeLook::Bus => format!(
            "<rect class=\"shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\"/>",
            n(x),
            n(y),
            n(w),
            n(h),
            n(h / 2.0)
        ),
        NodeLook::Stream => {
            let slant = 10.0;
            format!(
                "<path class=\"shape\" d=\"M {} {} H {} L {} {} H {} Z\"/>",
                n(x + slant),
                n(y),
                n(x2),
                n(x2 - slant),
                n(y2),
                n(x)
            )
        }
        NodeLook::Api => {
            let cut = 10.0;
            format!(
                "<path class=\"shape\" d=\"M {} {} H {} L {} {} L {} {} H {} L {} {} Z\"/>",
                n(x + cut),
                n(y),
                n(x2 - cut),
                n(x2),
                n(y + h / 2.0),
                n(x2 - cut),
                n(y2),
                n(x + cut),
                n(x),
                n(y + h / 2.0)
            )
        }
        NodeLook::Group => {
            // A stack of two cards: the group stands for many resources.
            format!(
                "<rect class=\"shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\"/><rect class=\"shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\"/>",
                n(x + 4.0),
                n(y - 4.0),
                n(w - 4.0),
                n(h - 4.0),
                n(x),
                n(y),
                n(w - 4.0),
                n(h)
            )
        }
        NodeLook::Rule | NodeLook::Schedule | NodeLook::Workflow | NodeLook::External | NodeLook::Other => {
            format!(
                "<rect class=\"shape\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\"/>",
                n(x),
                n(y),
                n(w),
                n(h)
            )
        }
    }
}

fn write_svg(diagram: &Diagram, scene: &Scene) -> String {
    // Picture bounds: every box, path point and label.
    let mut min = (f64::MAX, f64::MAX);
    let mut max = (f64::MIN, f64::MIN);
    let mut grow = |x: f64, y: f64| {
        min = (min.0.min(x), min.1.min(y));
        max = (max.0.max(x), max.1.max(y));
    };
    for b in scene.boxes.values().chain(scene.labels.iter().map(|(b, _)| b)) {
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
    let _ = writeln!(out, "<style>{STYLE}</style>");
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
        let arrow = if change.is_empty() { look } else { change };
        let classes = if change.is_empty() { look.to_owned() } else { format!("{look} {change}") };
        let marker = if *backwards { "marker-start" } else { "marker-end" };
        let _ = writeln!(
            out,
            "<path class=\"edge {classes}\" d=\"{d}\" {marker}=\"url(#arrow-{arrow})\"><title>{} → {}</title></path>",
            xml(&edge.from),
            xml(&edge.to)
        );
    }
    for (label, lines) in &scene.labels {
        let (x, y) = (label.x + dx, label.y + dy);
        let _ = writeln!(
            out,
            "<rect class=\"label-box\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\"/>",
            n(x),
            n(y),
            n(label.width),
            n(label.height)
        );
        for (row, line) in lines.iter().enumerate() {
            let baseline = y + 2.0 + SMALL_FONT * LINE_HEIGHT * (row as f64 + 0.78);
            let _ = writeln!(
                out,
                "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                n(x + label.width / 2.0),
                n(baseline),
                xml(line)
            );
        }
    }
    for (i, node) in diagram.nodes.iter().enumerate() {
        let Some(b) = scene.boxes.get(&i) else { continue };
        let (x, y) = (b.x + dx, b.y + dy);
        let centre = x + b.width / 2.0;
        let _ = writeln!(
            out,
            "<g class=\"node {}{}\"><title>{}</title>{}<text class=\"name\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text><text class=\"caption\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>",
            node.look.name(),
            if node.change.name().is_empty() { String::new() } else { format!(" {}", node.change.name()) },
            xml(&node.id),
            shape(node.look, x, y, b.width, b.height),
            n(centre),
            n(y + PADDING + NAME_FONT),
            xml(&node.name),
            n(centre),
            n(y + PADDING + NAME_FONT * LINE_HEIGHT + SMALL_FONT),
            xml(&node.caption)
        );
    }
    write_legend(&mut out, &legend, MARGIN, graph_height);
    out.push_str("</svg>\n");
    out
}

const LEGEND_WIDTH: f64 = 420.0;

/// A legend entry: a node look, an edge look, or a kind of change.
type LegendEntry = (Option<NodeLook>, Option<EdgeLook>, Option<Change>);

/// The legend's entries: the node looks, edge looks and changes the diagram uses.
fn legend(diagram: &Diagram) -> Vec<LegendEntry> {
    let mut entries = Vec::new();
    for look in NodeLook::ALL {
        if diagram.nodes.iter().any(|node| node.look == look) {
            entries.push((Some(look), None, None));
        }
    }
    for look in [EdgeLook::Publish, EdgeLook::Flow, EdgeLook::Failure] {
        if diagram.edges.iter().any(|edge| edge.look == look) {
            entries.push((None, Some(look), None));
        }
    }
    for change in [Change::Added, Change::Removed, Change::Changed, Change::Context] {
        let used = diagram.nodes.iter().any(|node| node.change == change)
            || diagram.edges.iter().any(|edge| edge.change == change);
        if used {
            entries.push((None, None, Some(change)));
        }
    }
    entries
}

fn write_legend(out: &mut String, entries: &[LegendEntry], x: f64, y: f64) {
    let _ = writeln!(
        out,
        "<g class=\"legend\"><text class=\"legend-title\" x=\"{}\" y=\"{}\">Legend</text>",
        n(x),
        n(y + 12.0)
    );
    for (row, entry) in entries.iter().enumerate() {
        let top = y + 22.0 + row as f64 * 18.0;
        match entry {
            (Some(look), _, _) => {
                let _ = write!(out, "<g class=\"{}\">{}</g>", look.name(), shape(*look, x, top, 28.0, 14.0));
                let _ = writeln!(
                    out,
                    "<text class=\"legend-text\" x=\"{}\" y=\"{}\">{}</text>",
                    n(x + 36.0),
                    n(top + 11.0),
                    look.meaning()
                );
            }
            (None, Some(look), _) => {
                let _ = write!(
                    out,
                    "<path class=\"edge {}\" d=\"M {} {} H {}\" marker-end=\"url(#arrow-{})\"/>",
                    look.name(),
                    n(x),
                    n(top + 7.0),
                    n(x + 28.0),
                    look.name()
                );
                let _ = writeln!(
                    out,
                    "<text class=\"legend-text\" x=\"{}\" y=\"{}\">{}</text>",
                    n(x + 36.0),
                    n(top + 11.0),
                    look.meaning()
                );
            }
            (None, None, Some(change)) => {
                let meaning = match change {
                    Change::Added => "+ added by the change",
                    Change::Removed => "− removed by the change",
                    Change::Changed => "~ changed",
                    _ => "unchanged, shown for context",
                };
                let _ = write!(
                    out,
                    "<path class=\"edge flow {}\" d=\"M {} {} H {}\" marker-end=\"url(#arrow-{})\"/>",
                    change.name(),
                    n(x),
                    n(top + 7.0),
                    n(x + 28.0),
                    change.name()
                );
                let _ = writeln!(
                    out,
                    "<text class=\"legend-text\" x=\"{}\" y=\"{}\">{meaning}</text>",
                    n(x + 36.0),
                    n(top + 11.0)
                );
            }
            _ => {}
        }
    }
    out.push_str("</g>\n");
}

/// The text boxes of a rendered SVG document: node names, captions and edge labels, from the
/// positions and font sizes the document states. For checking that no two overlap.
pub fn text_boxes(svg: &str) -> Vec<(String, TextBox)> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::diagram::{Change, DiagramNode};

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
            look,
            change: Change::None,
        }
    }

    fn sample() -> Diagram {
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
        assert!(svg.contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; co"), "{svg}");
        assert!(!svg.contains("<script>"));
        assert!(!svg.contains("&amp;lt;"));
    }

    #[test]
    fn text_boxes_do_not_overlap() {
        let svg = render(&sample());
        let boxes = text_boxes(&svg);
        assert!(boxes.len() >= 10, "{boxes:?}");
        for (i, (a_text, a)) in boxes.iter().enumerate() {
            for (b_text, b) in &boxes[i + 1..] {
                assert!(!a.overlaps(b), "{a_text:?} {a:?} overlaps {b_text:?} {b:?}");
            }
        }
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
