//! Diagrams in Graphviz's DOT language, for `dot -Tsvg` and other tools.

use super::diagram::{Diagram, EdgeLook, NodeLook};
use super::escape::dot;
use std::fmt::Write as _;

/// The diagram as a DOT `digraph`, ending in a newline.
pub fn render(diagram: &Diagram) -> String {
    let mut out = String::from(
        "digraph flow {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=12];\n  edge [fontname=\"Helvetica\", fontsize=10, color=\"#57606a\"];\n",
    );
    for node in &diagram.nodes {
        let (shape, fill, stroke) = match node.look {
            NodeLook::Api => ("hexagon", "#fff8c5", "#9a6700"),
            NodeLook::Function => ("box", "#ddf4ff", "#0969da"),
            NodeLook::Table | NodeLook::Bucket => ("cylinder", "#dafbe1", "#1a7f37"),
            NodeLook::Stream => ("parallelogram", "#d8f3f6", "#1b7c83"),
            NodeLook::Queue => ("box3d", "#fbefff", "#8250df"),
            NodeLook::DeadLetter => ("box3d", "#ffebe9", "#cf222e"),
            NodeLook::Topic | NodeLook::Bus => ("oval", "#fff1e5", "#bc4c00"),
            NodeLook::Rule | NodeLook::Schedule => ("box", "#ffeff7", "#bf3989"),
            NodeLook::Workflow => ("box", "#f6f8fa", "#6639ba"),
            NodeLook::Balancer => ("trapezium", "#eef6ff", "#0550ae"),
            NodeLook::Logs => ("note", "#f6f8fa", "#57606a"),
            NodeLook::Users => ("tab", "#fff8c5", "#7d4e00"),
            NodeLook::Alarm => ("octagon", "#fff0eb", "#a40e26"),
            NodeLook::External | NodeLook::Other => ("box", "#f6f8fa", "#6e7781"),
            NodeLook::Group => ("folder", "#eaeef2", "#424a53"),
        };
        let _ = writeln!(
            out,
            "  \"{}\" [label=\"{}\\n{}\", shape={shape}, fillcolor=\"{fill}\", color=\"{stroke}\"];",
            dot(&node.id),
            dot(&node.name),
            dot(&node.caption)
        );
    }
    for edge in &diagram.edges {
        let style = match edge.look {
            EdgeLook::Failure => ", style=dashed, color=\"#cf222e\"",
            EdgeLook::Publish => ", color=\"#0969da\"",
            EdgeLook::Flow => "",
            EdgeLook::Granted => ", style=dashed, color=\"#0969da\"",
        };
        let label: Vec<String> = edge.label.iter().map(|line| dot(line)).collect();
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{}\"{style}];",
            dot(&edge.from),
            dot(&edge.to),
            label.join("\\n")
        );
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::diagram::{Change, DiagramEdge, DiagramNode};

    #[test]
    fn quotes_and_newlines_are_escaped() {
        let diagram = Diagram {
            nodes: vec![DiagramNode {
                id: "a\"b".into(),
                name: "a\"b".into(),
                caption: "x\ny".into(),
                look: NodeLook::Table,
                change: Change::None,
            }],
            edges: vec![DiagramEdge {
                from: "a\"b".into(),
                to: "a\"b".into(),
                label: vec!["e".into()],
                events: vec!["e".into()],
                look: EdgeLook::Failure,
                change: Change::None,
            }],
        };
        let text = render(&diagram);
        assert!(text.contains("\"a\\\"b\" [label=\"a\\\"b\\nx\\ny\", shape=cylinder"), "{text}");
        assert!(text.contains("\"a\\\"b\" -> \"a\\\"b\" [label=\"e\", style=dashed"), "{text}");
    }
}
