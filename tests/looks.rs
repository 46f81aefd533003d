//! Every look a node can have is drawn: each kind of node in its own shape, in the SVG picture,
//! the Mermaid chart and the DOT graph, with a legend row that says what it is.

mod common;

use flowdoc::render::diagram::{Change, Diagram, DiagramEdge, DiagramNode, EdgeLook, NodeLook};
use flowdoc::render::{dot, mermaid, svg};
use std::collections::BTreeSet;

/// One node of every look, in a chain, so the picture lays them all out.
fn every_look() -> Diagram {
    let nodes: Vec<DiagramNode> = NodeLook::ALL
        .iter()
        .map(|look| DiagramNode {
            id: look.name().to_owned(),
            name: format!("{}Node", look.name()),
            caption: look.name().to_owned(),
            look: *look,
            change: Change::None,
        })
        .collect();
    let edges = nodes
        .windows(2)
        .map(|pair| DiagramEdge {
            from: pair[0].id.clone(),
            to: pair[1].id.clone(),
            label: Vec::new(),
            events: Vec::new(),
            look: EdgeLook::Flow,
            change: Change::None,
        })
        .collect();
    Diagram { nodes, edges }
}

/// The SVG element that draws the shape of the node `id`.
fn shape_of<'a>(svg: &'a str, id: &str) -> &'a str {
    let title = format!("<title>{id}</title>");
    let at = svg.find(&title).unwrap_or_else(|| panic!("no node {id}")) + title.len();
    let end = svg[at..].find("<text").expect("a name after the shape") + at;
    &svg[at..end]
}

#[test]
fn every_look_has_a_shape_a_colour_and_a_legend_row() {
    let diagram = every_look();
    let picture = svg::render(&diagram);
    assert!(common::svg::overlaps(&picture).is_empty(), "{:?}", common::svg::overlaps(&picture));
    for look in NodeLook::ALL {
        assert!(picture.contains(&format!("<g class=\"node {}", look.name())), "{look:?} drawn");
        assert!(
            picture.contains(&format!(".{} > .shape", look.name())) || look == NodeLook::Schedule,
            "{look:?} styled"
        );
        assert!(picture.contains(look.meaning()), "{look:?} in the legend");
    }
    // The looks new kinds brought each have a shape of their own.
    let shapes: BTreeSet<String> = [NodeLook::Balancer, NodeLook::Logs, NodeLook::Users, NodeLook::Alarm]
        .iter()
        .map(|look| {
            let shape = shape_of(&picture, look.name());
            // The same outline at another place is the same shape: compare the commands only.
            shape.chars().filter(|c| c.is_ascii_alphabetic()).collect()
        })
        .collect();
    assert_eq!(shapes.len(), 4, "four distinct shapes");

    let chart = mermaid::render(&diagram);
    for (look, opening) in [
        (NodeLook::Balancer, "[/\""),
        (NodeLook::Users, "[\\\""),
        (NodeLook::Logs, ">\""),
        (NodeLook::Alarm, "[\\\""),
    ] {
        let line = chart.lines().find(|line| line.contains(&format!("{}Node", look.name()))).unwrap();
        assert!(line.contains(opening), "{look:?}: {line}");
        assert!(chart.contains(&format!("classDef {} ", look.name())), "{look:?} coloured in Mermaid");
    }
    let graph = dot::render(&diagram);
    for (look, shape) in [
        (NodeLook::Balancer, "trapezium"),
        (NodeLook::Logs, "note"),
        (NodeLook::Users, "tab"),
        (NodeLook::Alarm, "octagon"),
    ] {
        let line = graph.lines().find(|line| line.contains(&format!("{}Node", look.name()))).unwrap();
        assert!(line.contains(&format!("shape={shape}")), "{look:?}: {line}");
    }
    if let Some(out) = std::env::var_os("FLOWDOC_LOOKS_SVG") {
        std::fs::write(out, &picture).unwrap();
    }
}

/// The kind of every node of the fixture `tests/fixtures/templates/kinds/`, one resource of each
/// newer kind, by logical ID.
#[test]
fn resource_types_get_their_kinds() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/templates/kinds");
    let analysis = common::analyse(&flowdoc::files::DiskFiles::new(root), &["template.yaml"]);
    let kinds: Vec<(&str, &str)> =
        analysis.flow.nodes().map(|node| (node.id.as_str(), node.kind.name())).collect();
    assert_eq!(
        kinds,
        [
            ("Alarm", "alarm"),
            ("AlarmTopic", "sns-topic"),
            ("Balancer", "load-balancer"),
            ("Delivery", "delivery-stream"),
            ("GraphApi", "graphql-api"),
            ("HttpApi", "http-api"),
            ("Logs", "log-group"),
            ("RestApi", "api"),
            ("SamHttpApi", "http-api"),
            ("SocketApi", "websocket-api"),
            ("TopicRule", "iot-rule"),
            ("Users", "user-pool"),
        ]
    );
}
