//! The picture's geometry: the boxes, edge paths and label boxes the layout placed, and edge
//! labels moved off boxes and other labels.

use super::layout::Capture;
use super::metrics::{LINE_HEIGHT, SMALL_FONT, TextBox, text_width};
use crate::render::diagram::Diagram;
use std::collections::BTreeMap;

/// Where everything goes.
pub(super) struct Scene {
    /// Node boxes by node index.
    pub(super) boxes: BTreeMap<usize, TextBox>,
    /// Edge paths by edge index: points of the Bézier path, whether the arrow points backwards.
    pub(super) paths: BTreeMap<usize, (Vec<(f64, f64)>, bool)>,
    /// Edge labels: the edge's index when known, the box and the lines.
    pub(super) labels: Vec<(Option<usize>, TextBox, Vec<String>)>,
}

/// The scene of `diagram` as the layout placed it in `capture`, its labels kept apart.
pub(super) fn scene_from(diagram: &Diagram, capture: &Capture) -> Scene {
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
        .map(|(edge, centre, text)| {
            let lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
            let width = lines.iter().map(|line| text_width(line, SMALL_FONT)).fold(0.0, f64::max) + 8.0;
            let height = lines.len() as f64 * SMALL_FONT * LINE_HEIGHT + 4.0;
            (*edge, TextBox { x: centre.x - width / 2.0, y: centre.y - height / 2.0, width, height }, lines)
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

/// The layout gives each label room beside its edge; should a label still touch a box or another
/// label (a loop's label, say), it slides along its own edge to the nearest free spot.
fn separate_labels(scene: &mut Scene) {
    let edges: Vec<Vec<(f64, f64)>> = scene.paths.values().map(|(points, _)| points_along(points)).collect();
    let distance = |a: (f64, f64), b: (f64, f64)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    let mut placed: Vec<TextBox> = scene.boxes.values().copied().collect();
    for (_, label, _) in &mut scene.labels {
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

#[cfg(test)]
mod tests {
    use super::super::layout::lay_out;
    use super::super::tests::sample;
    use super::*;

    #[test]
    fn no_label_overlaps_a_box_or_another_label() {
        let diagram = sample();
        let scene = scene_from(&diagram, &lay_out(&diagram));
        assert_eq!(scene.labels.len(), diagram.edges.len());
        let placed: Vec<&TextBox> =
            scene.boxes.values().chain(scene.labels.iter().map(|(_, b, _)| b)).collect();
        for (i, a) in placed.iter().enumerate() {
            for b in &placed[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
            }
        }
    }
}
