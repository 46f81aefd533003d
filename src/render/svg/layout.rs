//! What the layout hands the drawing: where each box, edge label and edge goes, in picture
//! coordinates, and how large a box is. The layout itself is in [`super::layered`].

use super::metrics::{BOLD, LINE_HEIGHT, NAME_FONT, PADDING, SMALL_FONT, name_lines, text_width};
use crate::render::diagram::Diagram;

/// A point of the picture.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Point {
    pub(super) x: f64,
    pub(super) y: f64,
}

impl Point {
    pub(super) fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }
}

/// The size of a node's box, with room for the stripes of queue shapes.
pub(super) fn node_size(name: &str, caption: &str) -> (f64, f64) {
    let lines = name_lines(name);
    let name_width = lines.iter().map(|line| text_width(line, NAME_FONT) * BOLD).fold(0.0, f64::max);
    let width = name_width.max(text_width(caption, SMALL_FONT)) + 2.0 * PADDING + 16.0;
    let height = NAME_FONT * LINE_HEIGHT * lines.len() as f64 + SMALL_FONT * LINE_HEIGHT + 2.0 * PADDING;
    (width.max(90.0), height)
}

/// An edge as laid out: edge index, its path as pairs of points (`M p0 C p1, p2, p3 S p4, p5
/// ...` once flattened), arrow heads (start, end).
pub(super) type RoutedEdge = (usize, Vec<(Point, Point)>, (bool, bool));

/// Where everything goes.
#[derive(Debug, Default)]
pub(super) struct Capture {
    /// Node boxes: node index, top left, size.
    pub(super) boxes: Vec<(usize, Point, Point)>,
    /// Edge labels: the edge's index, the label's centre, its text.
    pub(super) labels: Vec<(Option<usize>, Point, String)>,
    /// Edges.
    pub(super) paths: Vec<RoutedEdge>,
}

/// Where the boxes, labels and edges of `diagram` go.
pub(super) fn lay_out(diagram: &Diagram) -> Capture {
    super::layered::lay_out(diagram)
}
