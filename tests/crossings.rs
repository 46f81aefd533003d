//! The crossing counter of `common::svg` (shared with the benches): edges read from flowdoc's
//! SVG in both its forms and from Graphviz's, crossings counted only between edges with four
//! different ends, curves sampled rather than read as their control points.

mod common;

use common::svg::{crossings, edge_ends};
use flowdoc::render::diagram::{Change, Diagram, DiagramEdge, DiagramNode, EdgeLook, NodeLook};
use flowdoc::render::svg::{self, PictureLinks};

/// An SVG document around some elements.
fn document(body: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 300 300\" width=\"300\" height=\"300\" role=\"img\">\n<style>.edge {{ fill: none; }}</style>\n{body}\n</svg>\n"
    )
}

/// An edge as flowdoc draws it inside a page: a group with its ends, an invisible wide path to
/// click (drawn far away here, so reading it instead of the line would change the count), the
/// line, a title and a label.
fn grouped(from: &str, to: &str, d: &str) -> String {
    format!(
        "<g class=\"edge flow\" data-from=\"{from}\" data-to=\"{to}\" data-events=\"[&quot;E&quot;]\"><a href=\"x.md\"><path class=\"hit\" d=\"M 1000 1000 L 1001 1001\"/><path class=\"line\" d=\"{d}\" marker-end=\"url(#arrow-flow)\"/><title>{from} → {to}</title></a><rect class=\"label-box\" x=\"1\" y=\"1\" width=\"20\" height=\"10\" rx=\"3\"/><text class=\"label\" x=\"5\" y=\"8\">E</text></g>"
    )
}

/// An edge as flowdoc draws it standalone: one path with a title.
fn single(from: &str, to: &str, d: &str) -> String {
    format!(
        "<path class=\"edge flow\" d=\"{d}\" marker-end=\"url(#arrow-flow)\"><title>{from} → {to}</title></path>"
    )
}

/// The legend's sample arrow: an edge path without ends, which is not an edge of the picture.
const LEGEND: &str = "<g class=\"legend\"><path class=\"edge flow\" d=\"M 0 50 H 300\" marker-end=\"url(#arrow-flow)\"/><text class=\"legend-text\" x=\"1\" y=\"1\">flow</text></g>";

#[test]
fn grouped_edges_that_cross_count_once_and_those_apart_do_not() {
    let crossing = document(&format!(
        "{}\n{}\n{LEGEND}",
        grouped("a&amp;b", "c", "M 0 0 C 30 30, 70 70, 100 100 S 150 150, 200 200"),
        grouped("d", "e", "M 0 200 C 50 150, 150 50, 200 0"),
    ));
    assert_eq!(edge_ends(&crossing), [("a&b".to_owned(), "c".to_owned()), ("d".to_owned(), "e".to_owned())]);
    assert_eq!(crossings(&crossing), 1);

    let apart = document(&format!(
        "{}\n{}\n{LEGEND}",
        grouped("a", "b", "M 0 0 C 0 30, 0 70, 0 100"),
        grouped("c", "d", "M 50 0 C 50 30, 50 70, 50 100"),
    ));
    assert_eq!(edge_ends(&apart).len(), 2);
    assert_eq!(crossings(&apart), 0);
}

#[test]
fn single_path_edges_that_cross_count_once_and_those_apart_do_not() {
    let crossing = document(&format!(
        "{}\n{}\n{LEGEND}",
        single("a", "b", "M 0 0 C 30 30, 70 70, 100 100"),
        single("c", "d", "M 0 100 C 30 70, 70 30, 100 0"),
    ));
    assert_eq!(edge_ends(&crossing).len(), 2);
    assert_eq!(crossings(&crossing), 1);

    let apart = document(&format!(
        "{}\n{}\n{LEGEND}",
        single("a", "b", "M 0 0 C 30 0, 70 0, 100 0"),
        single("c", "d", "M 0 40 C 30 40, 70 40, 100 40"),
    ));
    assert_eq!(crossings(&apart), 0);
}

#[test]
fn edges_sharing_an_end_never_count() {
    let svg = document(&format!(
        "{}\n{}\n{}",
        grouped("a", "b", "M 0 0 C 30 30, 70 70, 100 100"),
        grouped("c", "b", "M 0 100 C 30 70, 70 30, 100 0"),
        grouped("b", "b", "M 0 50 C 30 50, 70 50, 100 50"),
    ));
    assert_eq!(crossings(&svg), 0);
}

#[test]
fn an_edge_ending_on_another_touches_it_and_does_not_cross_it() {
    // The horizontal edge runs through the box of c or d, where the vertical one ends: a fault
    // of its own, but no crossing. Once the vertical one goes on past it, they cross.
    let ending = document(&format!(
        "{}\n{}\n{}",
        single("a", "b", "M 0 50 L 200 50"),
        single("c", "d", "M 100 150 C 100 120, 100 80, 100 50"),
        single("e", "f", "M 150 150 L 150.4 50.6"),
    ));
    assert_eq!(crossings(&ending), 0);
    let through = document(&format!(
        "{}\n{}",
        single("a", "b", "M 0 50 L 200 50"),
        single("c", "d", "M 100 150 C 100 120, 100 80, 100 0"),
    ));
    assert_eq!(crossings(&through), 1);
}

#[test]
fn curves_are_sampled_not_read_as_their_control_points() {
    // The curve bulges right to x = 60 at y = 50; its control polygon reaches x = 80. An arrow
    // leaving x = 65 to the right crosses the polygon, not the curve.
    let svg = document(&format!(
        "{}\n{}",
        single("a", "b", "M 0 0 C 80 0, 80 100, 0 100"),
        single("c", "d", "M 65 50 L 200 50"),
    ));
    assert_eq!(crossings(&svg), 0);
    let nearer = document(&format!(
        "{}\n{}",
        single("a", "b", "M 0 0 C 80 0, 80 100, 0 100"),
        single("c", "d", "M 55 50 L 200 50"),
    ));
    assert_eq!(crossings(&nearer), 1);
}

#[test]
fn graphviz_edges_are_read_from_their_titles() {
    let svg = "<svg width=\"212pt\" height=\"116pt\" viewBox=\"0.00 0.00 212.00 116.00\">\n<g id=\"graph0\" class=\"graph\" transform=\"scale(1 1) rotate(0) translate(4 112)\">\n<title>flow</title>\n<g id=\"node1\" class=\"node\">\n<title>a</title>\n<path fill=\"#ddf4ff\" d=\"M0,-100 L10,-100\"/>\n</g>\n<!-- a&#45;&gt;b -->\n<g id=\"edge1\" class=\"edge\">\n<title>a&#45;&gt;b</title>\n<path fill=\"none\" stroke=\"#57606a\" d=\"M0,-100C30,-70 70,-30 100,0\"/>\n<polygon fill=\"#57606a\" points=\"100,0 95,-3 97,2 100,0\"/>\n<text text-anchor=\"middle\" x=\"50\" y=\"-50\">E</text>\n</g>\n<g id=\"edge2\" class=\"edge\">\n<title>c&#45;&gt;d</title>\n<path fill=\"none\" d=\"M0,0C30,-30 70,-70 100,-100\"/>\n</g>\n</g>\n</svg>\n";
    assert_eq!(edge_ends(svg), [("a".to_owned(), "b".to_owned()), ("c".to_owned(), "d".to_owned())]);
    assert_eq!(crossings(svg), 1);
}

/// A small diagram: two sources, each feeding two targets, every arrow labelled.
fn diagram() -> Diagram {
    let edge = |from: &str, to: &str| DiagramEdge {
        label: vec!["Event".to_owned()],
        ..arrow(from, to, EdgeLook::Flow)
    };
    Diagram {
        nodes: ["A", "B", "C", "D"].into_iter().map(|id| box_of(id, NodeLook::Function)).collect(),
        edges: vec![edge("A", "C"), edge("A", "D"), edge("B", "C"), edge("B", "D")],
    }
}

#[test]
fn every_edge_flowdoc_draws_is_read_back() {
    let diagram = diagram();
    let mut expected: Vec<(String, String)> =
        diagram.edges.iter().map(|edge| (edge.from.clone(), edge.to.clone())).collect();
    expected.sort();
    let node = |_: &str| None;
    let edge = |_: &DiagramEdge| (None, vec!["Event".to_owned()]);
    let links = PictureLinks { node: &node, edge: &edge };
    for drawn in [svg::render(&diagram), svg::render_linked(&diagram, &links)] {
        let mut found = edge_ends(&drawn);
        found.sort();
        assert_eq!(found, expected, "{drawn}");
    }
}

/// A box named by its id, captioned by its look.
fn box_of(id: &str, look: NodeLook) -> DiagramNode {
    DiagramNode { id: id.into(), name: id.into(), caption: look.name().into(), look, change: Change::None }
}

/// An unlabelled arrow.
fn arrow(from: &str, to: &str, look: EdgeLook) -> DiagramEdge {
    DiagramEdge {
        from: from.into(),
        to: to.into(),
        label: Vec::new(),
        events: Vec::new(),
        look,
        change: Change::None,
    }
}

/// The layout's own ordering: a dead-letter queue fed by two queues belongs between their two
/// functions, where nothing crosses (barycenters tie there; transposition and sifting find it).
#[test]
fn a_dead_letter_queue_fed_from_two_sides_sits_between_them() {
    let picture = Diagram {
        nodes: vec![
            box_of("Dlq", NodeLook::DeadLetter),
            box_of("FirstFunction", NodeLook::Function),
            box_of("FirstQueue", NodeLook::Queue),
            box_of("SecondFunction", NodeLook::Function),
            box_of("SecondQueue", NodeLook::Queue),
        ],
        edges: vec![
            arrow("FirstQueue", "Dlq", EdgeLook::Failure),
            arrow("FirstQueue", "FirstFunction", EdgeLook::Flow),
            arrow("SecondQueue", "Dlq", EdgeLook::Failure),
            arrow("SecondQueue", "SecondFunction", EdgeLook::Flow),
        ],
    };
    assert_eq!(crossings(&svg::render(&picture)), 0);
}

/// Every picture of the bundled pipeline's docs is drawn without a crossing.
#[test]
fn the_pipelines_pictures_have_no_crossing() {
    let analysis = common::analyse(&flowdoc::files::DiskFiles::new(env!("CARGO_MANIFEST_DIR")), &[]);
    let pictures = flowdoc::render::docs::pictures(&analysis.flow);
    assert!(pictures.files.len() > 5);
    for (path, picture) in &pictures.files {
        let drawn = svg::render(picture);
        assert_eq!(edge_ends(&drawn).len(), picture.edges.len(), "{path}: every arrow is drawn");
        assert_eq!(crossings(&drawn), 0, "{path}");
    }
}

/// Many boxes side by side under one: too wide top to bottom, so the flow runs left to right.
#[test]
fn a_wide_shallow_picture_runs_left_to_right() {
    let mut picture = Diagram { nodes: vec![box_of("Topic", NodeLook::Topic)], edges: Vec::new() };
    for i in 0..12 {
        let id = format!("ConsumerQueueNumber{i:02}");
        picture.nodes.push(box_of(&id, NodeLook::Queue));
        picture.edges.push(arrow("Topic", &id, EdgeLook::Flow));
    }
    picture.nodes.sort_by(|a, b| a.id.cmp(&b.id));
    let drawn = svg::render(&picture);
    let size = |name: &str| -> f64 {
        let at = drawn.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        drawn[at..at + drawn[at..].find('"').unwrap()].parse().unwrap()
    };
    let (width, height) = (size("width"), size("height"));
    assert!(width <= 3.0 * height, "{width} × {height}");
    assert!(width < 1000.0, "{width} × {height}: not the twelve boxes side by side");
    assert_eq!(crossings(&drawn), 0);
}
