//! Running layout-rs: a [`RenderBackend`] captures where it puts each box, edge label and edge,
//! in its own coordinates, instead of letting it write a picture. Back edges are reversed
//! beforehand (greedy feedback arc set) and edges added in topological order of their source,
//! so that its DAG re-validation can stay off; should it fail on a graph, the boxes go in a
//! plain grid.

use super::metrics::{BOLD, LINE_HEIGHT, NAME_FONT, PADDING, SMALL_FONT, text_width};
use crate::render::diagram::{Diagram, DiagramEdge};
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::Point;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;
use petgraph::algo::greedy_feedback_arc_set;
use petgraph::graph::DiGraph;
use std::collections::{BTreeMap, BTreeSet};

/// The font size layout-rs estimates edge labels with: it counts one font size per character
/// and per line, so this makes its estimate close to the real width of `SMALL_FONT` text.
const LABEL_LAYOUT_FONT: usize = 8;

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
pub(super) struct Capture {
    /// Node boxes: node index, top left, size.
    pub(super) boxes: Vec<(usize, Point, Point)>,
    /// Edge label centres: the label text.
    pub(super) labels: Vec<(Point, String)>,
    /// Edges: edge index, Bézier path (see `RenderBackend::draw_arrow`), arrow heads.
    pub(super) paths: Vec<RoutedEdge>,
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

/// Where layout-rs puts the boxes, labels and edges of `diagram`; a plain grid should it fail.
pub(super) fn lay_out(diagram: &Diagram) -> Capture {
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
    let reversed: BTreeSet<usize> = greedy_feedback_arc_set(&graph).map(|edge| *edge.weight()).collect();
    let order = topological_rank(diagram, &index, &reversed);

    // layout-rs refuses an empty graph (an assertion); there is nothing to place anyway.
    if diagram.nodes.is_empty() {
        return Capture::default();
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
    result.unwrap_or_else(|_| grid_layout(diagram))
}

/// The rank of each node in a topological order of the (reversed) graph.
fn topological_rank(
    diagram: &Diagram,
    index: &BTreeMap<&str, usize>,
    reversed: &BTreeSet<usize>,
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
