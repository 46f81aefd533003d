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

/// The most characters of a box's name on one line; longer names wrap.
pub(super) const NAME_LINE: usize = 26;

/// A box's name in lines of at most [`NAME_LINE`] characters, broken where a word of it ends: at
/// a lower-case letter or digit followed by an upper-case one (`OrderEvents|Topic`), after `-`,
/// `_`, `.`, `/`, `:` or a space; a word longer than a line is cut. Logical IDs run to sixty
/// characters, and a box as wide as that makes pictures too wide to read.
pub(super) fn name_lines(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for (i, c) in chars.iter().enumerate() {
        word.push(*c);
        let next = chars.get(i + 1);
        let camel = (c.is_lowercase() || c.is_ascii_digit()) && next.is_some_and(|next| next.is_uppercase());
        if camel || matches!(c, '-' | '_' | '.' | '/' | ':' | ' ') {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in words {
        let fits = line.chars().count() + word.chars().count() <= NAME_LINE;
        if !fits && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut rest: &str = &word;
        while rest.chars().count() > NAME_LINE {
            let cut = rest.char_indices().nth(NAME_LINE).map_or(rest.len(), |(at, _)| at);
            lines.push(rest[..cut].to_owned());
            rest = &rest[cut..];
        }
        line.push_str(rest);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines.into_iter().map(|line| line.trim_end().to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_wrap_where_their_words_end() {
        assert_eq!(name_lines("OrderApiFunction"), ["OrderApiFunction"]);
        assert_eq!(
            name_lines("InventoryAllocationExporterFunctionAllocationLabelledRuleQueue"),
            ["InventoryAllocation", "ExporterFunctionAllocation", "LabelledRuleQueue"]
        );
        assert_eq!(name_lines("orders-service_stack.Topic"), ["orders-service_stack.Topic"]);
        assert_eq!(
            name_lines("arn:aws:sqs:eu-west-1:123456789012:my-queue"),
            ["arn:aws:sqs:eu-west-1:", "123456789012:my-queue"]
        );
        assert_eq!(name_lines(&"x".repeat(60)), ["x".repeat(26), "x".repeat(26), "x".repeat(8)]);
        assert_eq!(name_lines(""), [""]);
        assert!(
            name_lines("Ünïcödé名前ÜberLangerNameMitUmlautenUndMehr")
                .iter()
                .all(|line| line.chars().count() <= NAME_LINE)
        );
    }
}
