//! Diagrams as Mermaid flowcharts, which GitHub renders in Markdown. Node ids are generated
//! (`n0`, `n1`, ...), never taken from names, and every label is escaped, so no name can break
//! out of the chart.

use super::diagram::{Change, Diagram, EdgeLook, NodeLook};
use super::escape::mermaid;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// GitHub refuses Mermaid charts larger than this many characters...
pub const MAX_CHARS: usize = 50_000;
/// ... or with more edges than this.
pub const MAX_EDGES: usize = 500;

/// Whether GitHub would render the chart of `diagram` (see [`MAX_CHARS`], [`MAX_EDGES`]).
pub fn fits_github(diagram: &Diagram, chart: &str) -> bool {
    diagram.edges.len() <= MAX_EDGES && chart.len() <= MAX_CHARS
}

/// The diagram as a Mermaid `flowchart`, top to bottom, ending in a newline.
pub fn render(diagram: &Diagram) -> String {
    let mut out = String::from("flowchart TB\n");
    let ids: BTreeMap<&str, String> =
        diagram.nodes.iter().enumerate().map(|(i, node)| (node.id.as_str(), format!("n{i}"))).collect();
    for node in &diagram.nodes {
        let label = format!("{}<br/><small>{}</small>", mermaid(&node.name), mermaid(&node.caption));
        let (open, close) = match node.look {
            NodeLook::Function => ("(\"", "\")"),
            NodeLook::Table | NodeLook::Bucket => ("[(\"", "\")]"),
            NodeLook::Queue | NodeLook::DeadLetter => ("[[\"", "\"]]"),
            NodeLook::Topic | NodeLook::Bus => ("([\"", "\"])"),
            NodeLook::Api => ("{{\"", "\"}}"),
            NodeLook::Stream => ("[/\"", "\"/]"),
            NodeLook::Group => ("[[\"", "\"]]"),
            NodeLook::Balancer => ("[/\"", "\"\\]"),
            NodeLook::Users => ("[\\\"", "\"/]"),
            NodeLook::Logs => (">\"", "\"]"),
            NodeLook::Alarm => ("[\\\"", "\"\\]"),
            _ => ("[\"", "\"]"),
        };
        let class = if node.change.name().is_empty() { node.look.name() } else { node.change.name() };
        let _ = writeln!(out, "  {}{open}{label}{close}:::{class}", ids[node.id.as_str()]);
    }
    for edge in &diagram.edges {
        let (Some(from), Some(to)) = (ids.get(edge.from.as_str()), ids.get(edge.to.as_str())) else {
            continue;
        };
        let arrow = match edge.look {
            EdgeLook::Failure => "-.->",
            EdgeLook::Publish => "==>",
            EdgeLook::Flow => "-->",
            EdgeLook::Granted => "-.->",
        };
        if edge.label.is_empty() {
            let _ = writeln!(out, "  {from} {arrow} {to}");
        } else {
            let label: Vec<String> = edge.label.iter().map(|line| mermaid(line)).collect();
            let _ = writeln!(out, "  {from} {arrow}|\"{}\"| {to}", label.join("<br/>"));
        }
    }
    for (index, edge) in diagram.edges.iter().enumerate() {
        let style = match (edge.change, edge.look) {
            (Change::Added, _) => "stroke:#1a7f37,stroke-width:3px",
            (Change::Removed, _) => "stroke:#cf222e,stroke-width:2px,stroke-dasharray:6 4",
            (Change::Changed, _) => "stroke:#bf8700,stroke-width:3px",
            (Change::Context, _) => "stroke:#8c959f",
            (Change::None, EdgeLook::Failure) => "stroke:#cf222e,stroke-dasharray:6 4",
            (Change::None, EdgeLook::Granted) => "stroke:#0969da,stroke-dasharray:3 3",
            (Change::None, _) => continue,
        };
        let _ = writeln!(out, "  linkStyle {index} {style}");
    }
    for (change, style) in [
        (Change::Added, "fill:#dafbe1,stroke:#1a7f37,stroke-width:3px,color:#1b1f24"),
        (Change::Removed, "fill:#ffebe9,stroke:#cf222e,stroke-width:2px,stroke-dasharray:6 4,color:#1b1f24"),
        (Change::Changed, "fill:#fff8c5,stroke:#bf8700,stroke-width:3px,color:#1b1f24"),
        (Change::Context, "fill:#f6f8fa,stroke:#8c959f,color:#57606a"),
    ] {
        if diagram.nodes.iter().any(|node| node.change == change) {
            let _ = writeln!(out, "  classDef {} {style}", change.name());
        }
    }
    for (look, fill, stroke) in [
        (NodeLook::Api, "#fff8c5", "#9a6700"),
        (NodeLook::Function, "#ddf4ff", "#0969da"),
        (NodeLook::Table, "#dafbe1", "#1a7f37"),
        (NodeLook::Stream, "#d8f3f6", "#1b7c83"),
        (NodeLook::Queue, "#fbefff", "#8250df"),
        (NodeLook::DeadLetter, "#ffebe9", "#cf222e"),
        (NodeLook::Topic, "#fff1e5", "#bc4c00"),
        (NodeLook::Bus, "#ffeff7", "#bf3989"),
        (NodeLook::Rule, "#ffeff7", "#bf3989"),
        (NodeLook::Schedule, "#ffeff7", "#bf3989"),
        (NodeLook::Bucket, "#dafbe1", "#116329"),
        (NodeLook::Workflow, "#f6f8fa", "#6639ba"),
        (NodeLook::Balancer, "#eef6ff", "#0550ae"),
        (NodeLook::Logs, "#f6f8fa", "#57606a"),
        (NodeLook::Users, "#fff8c5", "#7d4e00"),
        (NodeLook::Alarm, "#fff0eb", "#a40e26"),
        (NodeLook::External, "#f6f8fa", "#6e7781"),
        (NodeLook::Other, "#f6f8fa", "#6e7781"),
        (NodeLook::Group, "#eaeef2", "#424a53"),
    ] {
        if diagram.nodes.iter().any(|node| node.look == look && node.change == Change::None) {
            let _ = writeln!(out, "  classDef {} fill:{fill},stroke:{stroke},color:#1b1f24", look.name());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::diagram::{Change, DiagramEdge, DiagramNode};

    #[test]
    fn hostile_names_cannot_break_out() {
        let diagram = Diagram {
            nodes: vec![
                DiagramNode {
                    id: "a".into(),
                    name: "A\"]-->B[\"x".into(),
                    caption: "%%{init: {}}%%".into(),
                    look: NodeLook::Queue,
                    change: Change::None,
                },
                DiagramNode {
                    id: "b".into(),
                    name: "<img src=x onerror=alert(1)>".into(),
                    caption: "f".into(),
                    look: NodeLook::Function,
                    change: Change::None,
                },
            ],
            edges: vec![DiagramEdge {
                from: "a".into(),
                to: "b".into(),
                label: vec!["x|y".into()],
                events: vec!["x|y".into()],
                look: EdgeLook::Failure,
                change: Change::None,
            }],
        };
        let chart = render(&diagram);
        assert_eq!(
            chart.lines().take(4).collect::<Vec<_>>(),
            [
                "flowchart TB",
                "  n0[[\"A#quot;#93;--#gt;B#91;#quot;x<br/><small>#37;#37;#123;init: #123;#125;#125;#37;#37;</small>\"]]:::queue",
                "  n1(\"#lt;img src=x onerror=alert#40;1#41;#gt;<br/><small>f</small>\"):::function",
                "  n0 -.->|\"x#124;y\"| n1",
            ]
        );
        assert!(chart.contains("linkStyle 0 stroke:#cf222e"));
    }
}
