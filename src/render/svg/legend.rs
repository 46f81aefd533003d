//! The legend under a picture: a row for each kind of node, kind of edge and kind of change
//! the picture shows, with what it means.

use super::draw::n;
use super::shapes::shape;
use crate::render::diagram::{Change, Diagram, EdgeLook, NodeLook};
use std::fmt::Write as _;

/// How wide a picture is at the least, to hold its legend.
pub(super) const LEGEND_WIDTH: f64 = 420.0;

/// A legend entry: a node look, an edge look, or a kind of change.
type LegendEntry = (Option<NodeLook>, Option<EdgeLook>, Option<Change>);

/// The legend's entries: the node looks, edge looks and changes the diagram uses.
pub(super) fn legend(diagram: &Diagram) -> Vec<LegendEntry> {
    let mut entries = Vec::new();
    for look in NodeLook::ALL {
        if diagram.nodes.iter().any(|node| node.look == look) {
            entries.push((Some(look), None, None));
        }
    }
    for look in [EdgeLook::Publish, EdgeLook::Granted, EdgeLook::Flow, EdgeLook::Failure] {
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

/// Writes the legend rows of `entries` with the top left corner at (x, y): each a sample of
/// the shape or arrow, and what it means.
pub(super) fn write_legend(out: &mut String, entries: &[LegendEntry], x: f64, y: f64) {
    let _ = writeln!(
        out,
        "<g class=\"legend\"><text class=\"legend-title\" x=\"{}\" y=\"{}\">Legend</text>",
        n(x),
        n(y + 12.0)
    );
    for (row, entry) in entries.iter().enumerate() {
        let top = y + 22.0 + row as f64 * 18.0;
        let (sample, meaning) = match entry {
            (Some(look), _, _) => (
                format!("<g class=\"{}\">{}</g>", look.name(), shape(*look, x, top, 28.0, 14.0)),
                look.meaning(),
            ),
            (None, Some(look), _) => (arrow(look.name(), look.head(), x, top), look.meaning()),
            (None, None, Some(change)) => {
                let meaning = match change {
                    Change::Added => "+ added by the change",
                    Change::Removed => "− removed by the change",
                    Change::Changed => "~ changed",
                    _ => "unchanged, shown for context",
                };
                (arrow(&format!("flow {}", change.name()), change.name(), x, top), meaning)
            }
            _ => continue,
        };
        out.push_str(&sample);
        let _ = writeln!(
            out,
            "<text class=\"legend-text\" x=\"{}\" y=\"{}\">{meaning}</text>",
            n(x + 36.0),
            n(top + 11.0)
        );
    }
    out.push_str("</g>\n");
}

/// The sample arrow of a legend row at `top`: an edge of `classes` ending in the arrow head
/// `#arrow-{head}`.
fn arrow(classes: &str, head: &str, x: f64, top: f64) -> String {
    format!(
        "<path class=\"edge {classes}\" d=\"M {} {} H {}\" marker-end=\"url(#arrow-{head})\"/>",
        n(x),
        n(top + 7.0),
        n(x + 28.0)
    )
}
