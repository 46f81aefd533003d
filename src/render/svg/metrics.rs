//! How large text and boxes are in a picture: the font sizes the style sheet sets, the width a
//! line of text takes, the room around it, and the box whose overlaps the layout avoids.
//!
//! The tests' SVG reader (`tests/common/svg.rs`) includes this file by path to measure the
//! texts of a drawn picture as the drawing does, so it depends on nothing else.

/// Font size of names in boxes, of captions and edge labels, in pixels.
pub(super) const NAME_FONT: f64 = 13.0;
pub(super) const SMALL_FONT: f64 = 11.0;
/// Average advance of a character, as a share of the font size, for the sans-serif fonts the
/// style asks for (measured on DejaVu Sans and Helvetica: 0.55–0.6).
pub(super) const CHAR_WIDTH: f64 = 0.6;
/// Line height, as a share of the font size.
pub(super) const LINE_HEIGHT: f64 = 1.3;
/// Room around labels and names.
pub(super) const PADDING: f64 = 10.0;
pub(super) const MARGIN: f64 = 16.0;

/// The width of `text` at `font` pixels.
pub(super) fn text_width(text: &str, font: f64) -> f64 {
    text.chars().count() as f64 * font * CHAR_WIDTH
}

/// Bold names run wider than the average advance.
pub(super) const BOLD: f64 = 1.1;

/// A laid-out text box, in picture coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct TextBox {
    /// Left.
    pub(super) x: f64,
    /// Top.
    pub(super) y: f64,
    /// Width.
    pub(super) width: f64,
    /// Height.
    pub(super) height: f64,
}

impl TextBox {
    /// Whether two boxes overlap (touching edges do not count).
    pub(super) fn overlaps(&self, other: &TextBox) -> bool {
        self.x < other.x + other.width
            && other.x < self.x + self.width
            && self.y < other.y + other.height
            && other.y < self.y + self.height
    }
}
