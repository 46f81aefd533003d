//! flowdoc's own layered layout (Sugiyama's method). It replaced layout-rs, which crossed
//! edges two to eight times as often as Graphviz on dense pictures, panicked on some graphs and
//! grew far faster than the graph:
//!
//! 1. **Ranks.** Back edges are reversed (a greedy feedback arc set); a node's rank is the
//!    longest path to it, and a node with no predecessor moves down next to its first successor.
//!    Between two ranks lies a rank of *edge points*: every edge gets a point on each rank it
//!    crosses, and its label sits beside the point half-way, so labels get their own room.
//! 2. **Order.** Barycenter sweeps down and up the ranks, each followed by transposition (swap
//!    two neighbours when that removes crossings), keeping the best order seen.
//! 3. **Placement.** Each rank in its order, each node as near the mean of its neighbours as the
//!    spacing allows: a least-squares fit under ordering constraints (pool adjacent violators),
//!    alternately down, up and both ways, so long edges run straight.
//! 4. **Routes.** Each edge leaves its box on the side facing its target, at a port of its own
//!    (spread along the side in the order of the other ends), passes through its points and
//!    enters the target's facing side, as one smooth Bézier path.
//!
//! The layout works on an abstract "across" axis (order within a rank) and "along" axis (rank
//! to rank); top-to-bottom maps them to x and y, left-to-right to y and x. [`lay_out`] tries
//! both and keeps the one nearer a page's proportions.

use super::layout::{Capture, Point, node_size};
use super::metrics::{LINE_HEIGHT, SMALL_FONT, text_width};
use crate::render::diagram::Diagram;
use petgraph::algo::greedy_feedback_arc_set;
use petgraph::graph::DiGraph;
use std::collections::{BTreeMap, BTreeSet};

/// Room between neighbours in a rank, and between an edge and its label.
const GAP: f64 = 28.0;
/// Room between edge points that carry no label.
const POINT_GAP: f64 = 12.0;
/// Room along the flow between a rank of boxes and a rank of edge points.
const RANK_GAP: f64 = 30.0;
/// Sweeps of the ordering phase.
const SWEEPS: usize = 24;
/// Rounds of the placement phase.
const PLACEMENT_ROUNDS: usize = 12;
/// Widest a picture should be, in pixels, and its most elongated width:height.
pub(super) const MAX_WIDTH: f64 = 2400.0;
const MAX_RATIO: f64 = 3.0;

/// Which way the flow runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Direction {
    /// Ranks are rows, from the top.
    TopToBottom,
    /// Ranks are columns, from the left.
    LeftToRight,
}

/// Lays out `diagram` top to bottom, or left to right when that fits a page better.
pub(super) fn lay_out(diagram: &Diagram) -> Capture {
    let down = lay_out_towards(diagram, Direction::TopToBottom);
    let (width, height) = extent(&down);
    let fits = |(width, height): (f64, f64)| width <= MAX_WIDTH && width <= MAX_RATIO * height.max(1.0);
    if fits((width, height)) {
        return down;
    }
    let across = lay_out_towards(diagram, Direction::LeftToRight);
    let score = |(width, height): (f64, f64)| {
        // How far from fitting: the excess width over the limits, and the elongation.
        let excess = (width - MAX_WIDTH).max(0.0) + (width - MAX_RATIO * height).max(0.0);
        let ratio = (width / height.max(1.0)).max(height / width.max(1.0));
        (excess, ratio)
    };
    let (down_score, across_score) = (score((width, height)), score(extent(&across)));
    if across_score.0 < down_score.0 || (across_score.0 == down_score.0 && across_score.1 < down_score.1) {
        across
    } else {
        down
    }
}

/// The width and height the boxes and labels of a capture span.
pub(super) fn extent(capture: &Capture) -> (f64, f64) {
    let mut min = (f64::MAX, f64::MAX);
    let mut max = (f64::MIN, f64::MIN);
    for (_, xy, size) in &capture.boxes {
        min = (min.0.min(xy.x), min.1.min(xy.y));
        max = (max.0.max(xy.x + size.x), max.1.max(xy.y + size.y));
    }
    if min.0 > max.0 { (0.0, 0.0) } else { (max.0 - min.0, max.1 - min.1) }
}

/// A thing placed in a rank: a box, or a point an edge passes.
#[derive(Clone, Debug)]
struct Slot {
    /// Its extent across the flow.
    breadth: f64,
    /// How much of it lies before its centre line across the flow (half, for a box; for a
    /// labelled edge point, a little: the label lies after the edge).
    before: f64,
    /// Its extent along the flow.
    depth: f64,
    /// The node index, for a box.
    node: Option<usize>,
    /// The label it carries beside it (edge index), for the middle point of a labelled edge.
    label: Option<usize>,
}

/// An edge as laid out: its chain of slots from the upper end to the lower.
#[derive(Clone, Debug)]
struct Chain {
    edge: usize,
    /// Slot ids, from the upper box through the points to the lower box.
    slots: Vec<usize>,
    /// Drawn against the flow (a reversed back edge): the arrow head is at the upper end.
    backwards: bool,
}

/// The layered layout of `diagram` with the flow running `direction`.
pub(super) fn lay_out_towards(diagram: &Diagram, direction: Direction) -> Capture {
    let count = diagram.nodes.len();
    if count == 0 {
        return Capture::default();
    }
    let index: BTreeMap<&str, usize> =
        diagram.nodes.iter().enumerate().map(|(i, node)| (node.id.as_str(), i)).collect();
    let ends: Vec<Option<(usize, usize)>> = diagram
        .edges
        .iter()
        .map(|edge| Some((*index.get(edge.from.as_str())?, *index.get(edge.to.as_str())?)))
        .collect();

    // 1. Ranks.
    let mut graph: DiGraph<usize, usize> = DiGraph::new();
    let handles: Vec<_> = (0..count).map(|i| graph.add_node(i)).collect();
    for (edge, ends) in ends.iter().enumerate() {
        if let Some((from, to)) = ends
            && from != to
        {
            graph.add_edge(handles[*from], handles[*to], edge);
        }
    }
    let reversed: BTreeSet<usize> = greedy_feedback_arc_set(&graph).map(|edge| *edge.weight()).collect();
    let oriented: Vec<Option<(usize, usize)>> = ends
        .iter()
        .enumerate()
        .map(|(edge, ends)| {
            let (from, to) = (*ends)?;
            if from == to {
                return None;
            }
            Some(if reversed.contains(&edge) { (to, from) } else { (from, to) })
        })
        .collect();
    let rank = ranks(count, &oriented);

    // Slots: boxes on even levels (2 × rank), edge points on the levels between.
    let size = |node: usize| {
        let (width, height) = node_size(&diagram.nodes[node].name, &diagram.nodes[node].caption);
        match direction {
            Direction::TopToBottom => (width, height),
            Direction::LeftToRight => (height, width),
        }
    };
    let mut slots: Vec<Slot> = (0..count)
        .map(|node| {
            let (breadth, depth) = size(node);
            Slot { breadth, before: breadth / 2.0, depth, node: Some(node), label: None }
        })
        .collect();
    let levels = 2 * rank.iter().copied().max().unwrap_or(0) + 1;
    let mut level_of: Vec<usize> = rank.iter().map(|rank| 2 * rank).collect();
    let mut chains = Vec::new();
    for (edge, oriented) in oriented.iter().enumerate() {
        let Some((upper, lower)) = *oriented else { continue };
        let (from_level, to_level) = (level_of[upper], level_of[lower]);
        let middle = (from_level + to_level) / 2;
        let mut chain = vec![upper];
        for level in from_level + 1..to_level {
            let labelled = level == middle && !diagram.edges[edge].label.is_empty();
            let (breadth, depth) = if labelled {
                let (width, height) = label_size(&diagram.edges[edge].label);
                match direction {
                    Direction::TopToBottom => (width + GAP, height),
                    Direction::LeftToRight => (height + GAP, width),
                }
            } else {
                (POINT_GAP, 0.0)
            };
            let before = if labelled { POINT_GAP / 2.0 } else { breadth / 2.0 };
            slots.push(Slot { breadth, before, depth, node: None, label: labelled.then_some(edge) });
            level_of.push(level);
            chain.push(slots.len() - 1);
        }
        chain.push(lower);
        chains.push(Chain { edge, slots: chain, backwards: reversed.contains(&edge) });
    }

    // 2. Order.
    // From two first orders (depth-first from the first root, and from the last), the one
    // that ends with fewer crossings; the same input always gives the same order.
    let links = links_between_levels(&chains, &level_of, levels);
    let mut best: Option<(usize, Vec<Vec<usize>>)> = None;
    for reverse_roots in [false, true] {
        let mut layers: Vec<Vec<usize>> = vec![Vec::new(); levels];
        for slot in initial_order(&slots, &chains, &level_of, reverse_roots) {
            layers[level_of[slot]].push(slot);
        }
        let crossings = order(&mut layers, &links);
        if best.as_ref().is_none_or(|(fewest, _)| crossings < *fewest) {
            best = Some((crossings, layers));
        }
    }
    let layers = best.map(|(_, layers)| layers).unwrap_or_default();

    // 3. Placement across the flow, and depth along it.
    let across = place(&layers, &slots, &links);
    let mut along = vec![0.0; levels];
    let mut depth_of_level = vec![0.0f64; levels];
    for (level, layer) in layers.iter().enumerate() {
        depth_of_level[level] = layer.iter().map(|slot| slots[*slot].depth).fold(0.0, f64::max);
    }
    let mut cursor = 0.0;
    for level in 0..levels {
        along[level] = cursor;
        let gap = if depth_of_level[level] > 0.0 || level % 2 == 0 { RANK_GAP } else { RANK_GAP / 2.0 };
        cursor += depth_of_level[level] + gap;
    }

    // 4. Boxes, labels and routes, mapped to x and y.
    let map = |across: f64, along: f64| match direction {
        Direction::TopToBottom => Point::new(across, along),
        Direction::LeftToRight => Point::new(along, across),
    };
    let mut capture = Capture::default();
    for node in 0..count {
        let slot = &slots[node];
        let level = level_of[node];
        let top = along[level] + (depth_of_level[level] - slot.depth) / 2.0;
        let corner = map(across[node] - slot.before, top);
        let (width, height) = node_size(&diagram.nodes[node].name, &diagram.nodes[node].caption);
        capture.boxes.push((node, corner, Point::new(width, height)));
    }
    let ports = ports(&chains, &slots, &across, count);
    for chain in &chains {
        let (upper, lower) = (chain.slots[0], chain.slots[chain.slots.len() - 1]);
        let start_level = level_of[upper];
        let end_level = level_of[lower];
        let start = (
            ports[&(chain.edge, true)],
            along[start_level] + centre_depth(&slots[upper], depth_of_level[start_level]).1,
        );
        let end = (
            ports[&(chain.edge, false)],
            along[end_level] + centre_depth(&slots[lower], depth_of_level[end_level]).0,
        );
        let mut waypoints = vec![start];
        for slot in &chain.slots[1..chain.slots.len() - 1] {
            let level = level_of[*slot];
            let line = across[*slot];
            // Straight through the rank, so the edge passes beside its label and no other; it
            // bends in the gaps between ranks.
            let depth = depth_of_level[level];
            if depth > 0.0 {
                waypoints.push((line, along[level]));
                waypoints.push((line, along[level] + depth));
            } else {
                waypoints.push((line, along[level]));
            }
            if let Some(edge) = slots[*slot].label {
                let (width, height) = label_size(&diagram.edges[edge].label);
                let centre = match direction {
                    Direction::TopToBottom => {
                        map(line + GAP / 2.0 + width / 2.0, along[level] + depth_of_level[level] / 2.0)
                    }
                    Direction::LeftToRight => {
                        map(line + GAP / 2.0 + height / 2.0, along[level] + depth_of_level[level] / 2.0)
                    }
                };
                capture.labels.push((Some(edge), centre, diagram.edges[edge].label.join("\n")));
            }
        }
        waypoints.push(end);
        let path = smooth(&waypoints).into_iter().map(|(a, b)| (map(a.0, a.1), map(b.0, b.1))).collect();
        let head = if chain.backwards { (true, false) } else { (false, true) };
        capture.paths.push((chain.edge, path, head));
    }
    // An edge from a box to itself: a loop on the box's far side.
    for (edge, ends) in ends.iter().enumerate() {
        let Some((from, to)) = *ends else { continue };
        if from != to {
            continue;
        }
        let slot = &slots[from];
        let level = level_of[from];
        let (top, bottom) = centre_depth(slot, depth_of_level[level]);
        let right = across[from] - slot.before + slot.breadth;
        let (a, b) = (along[level] + top + slot.depth * 0.3, along[level] + bottom - slot.depth * 0.3);
        let path = vec![((right, a), (right + 40.0, a - 10.0)), ((right + 40.0, b + 10.0), (right, b))];
        capture.paths.push((
            edge,
            path.into_iter().map(|(p, q)| (map(p.0, p.1), map(q.0, q.1))).collect(),
            (false, true),
        ));
        if !diagram.edges[edge].label.is_empty() {
            let (width, height) = label_size(&diagram.edges[edge].label);
            let extra = match direction {
                Direction::TopToBottom => width,
                Direction::LeftToRight => height,
            };
            let centre = map(right + 44.0 + extra / 2.0, (a + b) / 2.0);
            capture.labels.push((Some(edge), centre, diagram.edges[edge].label.join("\n")));
        }
    }
    capture
}

/// The offsets, along the flow, of a slot's near and far sides from its level's start.
fn centre_depth(slot: &Slot, level_depth: f64) -> (f64, f64) {
    let top = (level_depth - slot.depth) / 2.0;
    (top, top + slot.depth)
}

/// The size of an edge label, as the scene will draw it.
fn label_size(lines: &[String]) -> (f64, f64) {
    let width = lines.iter().map(|line| text_width(line, SMALL_FONT)).fold(0.0, f64::max) + 8.0;
    let height = lines.len() as f64 * SMALL_FONT * LINE_HEIGHT + 4.0;
    (width, height)
}

/// Each node's rank: the longest path to it; a node with no predecessor moves down next to its
/// nearest successor, so a lone source does not stretch its edge across the picture.
fn ranks(count: usize, edges: &[Option<(usize, usize)>]) -> Vec<usize> {
    let mut successors = vec![Vec::new(); count];
    let mut predecessors = vec![Vec::new(); count];
    let mut incoming = vec![0usize; count];
    for (from, to) in edges.iter().flatten() {
        successors[*from].push(*to);
        predecessors[*to].push(*from);
        incoming[*to] += 1;
    }
    let mut rank = vec![0usize; count];
    let mut ready: Vec<usize> = (0..count).filter(|node| incoming[*node] == 0).rev().collect();
    let mut topological = Vec::with_capacity(count);
    while let Some(node) = ready.pop() {
        topological.push(node);
        for next in successors[node].clone() {
            rank[next] = rank[next].max(rank[node] + 1);
            incoming[next] -= 1;
            if incoming[next] == 0 {
                ready.push(next);
            }
        }
    }
    for node in topological.iter().rev() {
        if predecessors[*node].is_empty()
            && let Some(nearest) = successors[*node].iter().map(|next| rank[*next]).min()
        {
            rank[*node] = nearest.saturating_sub(1);
        }
    }
    rank
}

/// A first order: depth-first from the upper boxes, in the diagram's order, so that what hangs
/// together starts together.
fn initial_order(slots: &[Slot], chains: &[Chain], level_of: &[usize], reverse_roots: bool) -> Vec<usize> {
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); slots.len()];
    let mut has_upper = vec![false; slots.len()];
    for chain in chains {
        for pair in chain.slots.windows(2) {
            next[pair[0]].push(pair[1]);
            has_upper[pair[1]] = true;
        }
    }
    let mut seen = vec![false; slots.len()];
    let mut order = Vec::with_capacity(slots.len());
    let mut roots: Vec<usize> = (0..slots.len()).filter(|slot| !has_upper[*slot]).collect();
    roots.sort_by_key(|slot| (level_of[*slot], *slot));
    if reverse_roots {
        roots.reverse();
    }
    for root in roots.into_iter().chain(0..slots.len()) {
        let mut stack = vec![root];
        while let Some(slot) = stack.pop() {
            if std::mem::replace(&mut seen[slot], true) {
                continue;
            }
            order.push(slot);
            stack.extend(next[slot].iter().rev().copied());
        }
    }
    order
}

/// For each level, the links from its slots to the next level's: `(upper, lower)` slot pairs.
fn links_between_levels(chains: &[Chain], level_of: &[usize], levels: usize) -> Vec<Vec<(usize, usize)>> {
    let mut links = vec![Vec::new(); levels];
    for chain in chains {
        for pair in chain.slots.windows(2) {
            links[level_of[pair[0]]].push((pair[0], pair[1]));
        }
    }
    links
}

/// Crossings between two levels, given each slot's position in its layer.
fn crossings_between(links: &[(usize, usize)], position: &[usize]) -> usize {
    let mut pairs: Vec<(usize, usize)> = links.iter().map(|(a, b)| (position[*a], position[*b])).collect();
    pairs.sort_unstable();
    // Inversions of the lower positions: a Fenwick tree over positions.
    let size = pairs.iter().map(|(_, lower)| lower + 1).max().unwrap_or(0);
    let mut tree = vec![0usize; size + 1];
    let mut crossings = 0;
    for (seen, (_, lower)) in pairs.iter().enumerate() {
        let mut at = lower + 1;
        let mut not_greater = 0;
        while at > 0 {
            not_greater += tree[at];
            at &= at - 1;
        }
        crossings += seen - not_greater;
        let mut at = lower + 1;
        while at <= size {
            tree[at] += 1;
            at += at & at.wrapping_neg();
        }
    }
    crossings
}

fn total_crossings(links: &[Vec<(usize, usize)>], position: &[usize]) -> usize {
    links.iter().map(|links| crossings_between(links, position)).sum()
}

/// Orders each layer to few crossings: barycenter sweeps with transposition, best kept, then
/// sifting; the crossings left.
fn order(layers: &mut [Vec<usize>], links: &[Vec<(usize, usize)>]) -> usize {
    let slots = layers.iter().map(Vec::len).sum::<usize>();
    let mut position = vec![0usize; slots];
    let set_positions = |layers: &[Vec<usize>], position: &mut [usize]| {
        for layer in layers {
            for (at, slot) in layer.iter().enumerate() {
                position[*slot] = at;
            }
        }
    };
    set_positions(layers, &mut position);
    let mut uppers: Vec<Vec<usize>> = vec![Vec::new(); slots];
    let mut lowers: Vec<Vec<usize>> = vec![Vec::new(); slots];
    for links in links {
        for (upper, lower) in links {
            lowers[*upper].push(*lower);
            uppers[*lower].push(*upper);
        }
    }
    let mut best = layers.to_vec();
    let mut best_crossings = total_crossings(links, &position);
    for sweep in 0..SWEEPS {
        if best_crossings == 0 {
            break;
        }
        let downwards = sweep % 2 == 0;
        let levels: Vec<usize> = if downwards {
            (1..layers.len()).collect()
        } else {
            (0..layers.len().saturating_sub(1)).rev().collect()
        };
        for level in levels {
            let neighbours = if downwards { &uppers } else { &lowers };
            let mut keyed: Vec<(f64, usize, usize)> = layers[level]
                .iter()
                .enumerate()
                .map(|(at, slot)| {
                    let around = &neighbours[*slot];
                    let key = if around.is_empty() {
                        at as f64
                    } else {
                        median(around.iter().map(|other| position[*other] as f64).collect())
                    };
                    (key, at, *slot)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            layers[level] = keyed.into_iter().map(|(_, _, slot)| slot).collect();
            for (at, slot) in layers[level].iter().enumerate() {
                position[*slot] = at;
            }
        }
        // Every other pair of sweeps, swaps that neither add nor remove crossings are made too:
        // that leaves a plateau where barycenters tie, and the sweeps after it can go on.
        transpose(layers, &mut position, &uppers, &lowers, sweep % 4 >= 2);
        let crossings = total_crossings(links, &position);
        if crossings < best_crossings {
            best_crossings = crossings;
            best = layers.to_vec();
        }
    }
    layers.clone_from_slice(&best);
    set_positions(layers, &mut position);
    sift(layers, &mut position, links);
    total_crossings(links, &position)
}

/// The most slots a layer may have for sifting, which tries every place for each of them.
const SIFT_LIMIT: usize = 40;

/// Sifting: each slot of a layer tried at every place in it, and left where its layer crosses
/// least with the layers around. It finds what barycenters cannot when their keys tie, such as
/// a dead-letter queue fed from two sides belonging between the two functions.
fn sift(layers: &mut [Vec<usize>], position: &mut [usize], links: &[Vec<(usize, usize)>]) {
    let around = |level: usize, position: &[usize]| {
        let above = if level > 0 { crossings_between(&links[level - 1], position) } else { 0 };
        above + crossings_between(&links[level], position)
    };
    for _ in 0..2 {
        let mut improved = false;
        for (level, current) in layers.iter_mut().enumerate() {
            if current.len() < 3 || current.len() > SIFT_LIMIT {
                continue;
            }
            for slot in current.clone() {
                let mut layer = current.clone();
                let from = layer.iter().position(|other| *other == slot).expect("the slot is in its layer");
                layer.remove(from);
                let mut best = (usize::MAX, from);
                for at in 0..=layer.len() {
                    let mut trial = layer.clone();
                    trial.insert(at, slot);
                    for (place, other) in trial.iter().enumerate() {
                        position[*other] = place;
                    }
                    let crossings = around(level, position);
                    if crossings < best.0 || (crossings == best.0 && at == from) {
                        best = (crossings, at);
                    }
                }
                for (place, other) in current.iter().enumerate() {
                    position[*other] = place;
                }
                let before = around(level, position);
                layer.insert(best.1, slot);
                if best.0 < before {
                    improved = true;
                    *current = layer;
                }
                for (place, other) in current.iter().enumerate() {
                    position[*other] = place;
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// The weighted median of neighbour positions (Gansner et al.): the middle one, or between the
/// two middle ones, nearer the side where the positions lie closer together.
fn median(mut positions: Vec<f64>) -> f64 {
    positions.sort_by(f64::total_cmp);
    let count = positions.len();
    let middle = count / 2;
    if count % 2 == 1 {
        return positions[middle];
    }
    if count == 2 {
        return (positions[0] + positions[1]) / 2.0;
    }
    let left = positions[middle - 1] - positions[0];
    let right = positions[count - 1] - positions[middle];
    if left + right == 0.0 {
        (positions[middle - 1] + positions[middle]) / 2.0
    } else {
        (positions[middle - 1] * right + positions[middle] * left) / (left + right)
    }
}

/// Swaps neighbours in a layer wherever that removes crossings with the layers around it, until
/// no swap helps.
fn transpose(
    layers: &mut [Vec<usize>],
    position: &mut [usize],
    uppers: &[Vec<usize>],
    lowers: &[Vec<usize>],
    even_swaps: bool,
) {
    // Crossings of `left`'s and `right`'s edges to one side when `left` is left of `right`.
    let pair = |left: usize, right: usize, side: &[Vec<usize>], position: &[usize]| -> usize {
        side[left].iter().map(|a| side[right].iter().filter(|b| position[**b] < position[*a]).count()).sum()
    };
    for _ in 0..if even_swaps { 1 } else { 8 } {
        let mut improved = false;
        for layer in layers.iter_mut() {
            for at in 0..layer.len().saturating_sub(1) {
                let (left, right) = (layer[at], layer[at + 1]);
                let now = pair(left, right, uppers, position) + pair(left, right, lowers, position);
                let swapped = pair(right, left, uppers, position) + pair(right, left, lowers, position);
                if swapped < now || (even_swaps && swapped == now && now > 0) {
                    layer.swap(at, at + 1);
                    position[left] = at + 1;
                    position[right] = at;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// Centres across the flow: each slot near the mean of its neighbours, in order, apart by
/// their breadths and the gap.
fn place(layers: &[Vec<usize>], slots: &[Slot], links: &[Vec<(usize, usize)>]) -> Vec<f64> {
    let mut uppers: Vec<Vec<usize>> = vec![Vec::new(); slots.len()];
    let mut lowers: Vec<Vec<usize>> = vec![Vec::new(); slots.len()];
    for links in links {
        for (upper, lower) in links {
            lowers[*upper].push(*lower);
            uppers[*lower].push(*upper);
        }
    }
    let gap = |a: usize, b: usize| {
        let boxes = slots[a].node.is_some() || slots[b].node.is_some();
        (slots[a].breadth - slots[a].before) + slots[b].before + if boxes { GAP } else { POINT_GAP / 2.0 }
    };
    let mut across = vec![0.0; slots.len()];
    for layer in layers {
        let mut cursor = 0.0;
        for (at, slot) in layer.iter().enumerate() {
            if at > 0 {
                cursor += gap(layer[at - 1], *slot);
            }
            across[*slot] = cursor;
        }
    }
    for round in 0..PLACEMENT_ROUNDS {
        let passes: Vec<(usize, bool, bool)> = match round % 3 {
            0 => (0..layers.len()).map(|level| (level, true, false)).collect(),
            1 => (0..layers.len()).rev().map(|level| (level, false, true)).collect(),
            _ => (0..layers.len()).map(|level| (level, true, true)).collect(),
        };
        for (level, up, down) in passes {
            let layer = &layers[level];
            if layer.is_empty() {
                continue;
            }
            let wanted: Vec<f64> = layer
                .iter()
                .map(|slot| {
                    let mut around: Vec<f64> = Vec::new();
                    if up {
                        around.extend(uppers[*slot].iter().map(|other| across[*other]));
                    }
                    if down {
                        around.extend(lowers[*slot].iter().map(|other| across[*other]));
                    }
                    if around.is_empty() {
                        across[*slot]
                    } else {
                        around.iter().sum::<f64>() / around.len() as f64
                    }
                })
                .collect();
            // Edge points weigh more, so long edges straighten first.
            let weights: Vec<f64> =
                layer.iter().map(|slot| if slots[*slot].node.is_some() { 1.0 } else { 2.0 }).collect();
            let gaps: Vec<f64> = layer.windows(2).map(|pair| gap(pair[0], pair[1])).collect();
            for (slot, x) in layer.iter().zip(fit_in_order(&wanted, &weights, &gaps)) {
                across[*slot] = x;
            }
        }
    }
    // Start at zero.
    let min =
        layers.iter().flatten().map(|slot| across[*slot] - slots[*slot].before).fold(f64::MAX, f64::min);
    across.iter().map(|x| x - min).collect()
}

/// The positions nearest `wanted` (weighted least squares) that keep the order and at least
/// `gaps[i]` between neighbours `i` and `i + 1`: pool adjacent violators on the positions
/// shifted by the gaps before them.
fn fit_in_order(wanted: &[f64], weights: &[f64], gaps: &[f64]) -> Vec<f64> {
    let mut offsets = vec![0.0; wanted.len()];
    for i in 1..wanted.len() {
        offsets[i] = offsets[i - 1] + gaps[i - 1];
    }
    // Blocks of (mean, weight, count).
    let mut blocks: Vec<(f64, f64, usize)> = Vec::new();
    for i in 0..wanted.len() {
        blocks.push((wanted[i] - offsets[i], weights[i], 1));
        while blocks.len() > 1 && blocks[blocks.len() - 2].0 > blocks[blocks.len() - 1].0 {
            let (mean, weight, count) = blocks.pop().expect("two blocks");
            let last = blocks.last_mut().expect("two blocks");
            let total = last.1 + weight;
            last.0 = (last.0 * last.1 + mean * weight) / total;
            last.1 = total;
            last.2 += count;
        }
    }
    let mut positions = Vec::with_capacity(wanted.len());
    for (mean, _, count) in blocks {
        for _ in 0..count {
            positions.push(mean + offsets[positions.len()]);
        }
    }
    positions
}

/// Where each edge leaves its upper box and enters its lower one, across the flow: the ports of
/// a side spread along it in the order of the edges' other ends. Keyed by (edge, upper end).
fn ports(chains: &[Chain], slots: &[Slot], across: &[f64], boxes: usize) -> BTreeMap<(usize, bool), f64> {
    let mut sides: BTreeMap<(usize, bool), Vec<(f64, usize)>> = BTreeMap::new();
    for chain in chains {
        let (upper, lower) = (chain.slots[0], chain.slots[chain.slots.len() - 1]);
        let (after_upper, before_lower) = (chain.slots[1], chain.slots[chain.slots.len() - 2]);
        sides.entry((upper, true)).or_default().push((across[after_upper], chain.edge));
        sides.entry((lower, false)).or_default().push((across[before_lower], chain.edge));
    }
    let mut ports = BTreeMap::new();
    for ((slot, upper), mut edges) in sides {
        debug_assert!(slot < boxes);
        edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let breadth = slots[slot].breadth * 0.7;
        let count = edges.len() as f64;
        for (at, (_, edge)) in edges.iter().enumerate() {
            let offset = breadth * ((at as f64 + 1.0) / (count + 1.0) - 0.5);
            ports.insert((*edge, upper), across[slot] + offset);
        }
    }
    ports
}

/// A smooth path through `points` (across, along), leaving and entering along the flow: the
/// pairs the drawing expects (`M p0 C p1, p2, p3 S p4, p5 ...` once flattened).
fn smooth(points: &[(f64, f64)]) -> Vec<((f64, f64), (f64, f64))> {
    let bend = |from: (f64, f64), to: (f64, f64)| (to.1 - from.1) / 2.0;
    let (first, second) = (points[0], points[1]);
    let reach = bend(first, second);
    let mut path = vec![(first, (first.0, first.1 + reach)), ((second.0, second.1 - reach), second)];
    for pair in points[1..].windows(2) {
        let reach = bend(pair[0], pair[1]);
        path.push(((pair[1].0, pair[1].1 - reach), pair[1]));
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooling_keeps_order_and_gaps_nearest_what_is_wanted() {
        assert_eq!(fit_in_order(&[0.0, 100.0], &[1.0, 1.0], &[10.0]), [0.0, 100.0]);
        assert_eq!(fit_in_order(&[50.0, 50.0], &[1.0, 1.0], &[10.0]), [45.0, 55.0]);
        assert_eq!(fit_in_order(&[50.0, 0.0, 100.0], &[1.0, 1.0, 1.0], &[10.0, 10.0]), [20.0, 30.0, 100.0]);
    }

    #[test]
    fn crossings_are_counted_as_inversions() {
        // Upper slots 0, 1; lower slots 2, 3; 0→3 and 1→2 cross once.
        let position = [0, 1, 0, 1];
        assert_eq!(crossings_between(&[(0, 3), (1, 2)], &position), 1);
        assert_eq!(crossings_between(&[(0, 2), (1, 3)], &position), 0);
    }

    #[test]
    fn ranks_follow_the_longest_path_and_sources_sit_next_to_their_successor() {
        // 0 → 1 → 2, and 3 → 2: 3 sits right above 2.
        let edges = [Some((0, 1)), Some((1, 2)), Some((3, 2))];
        assert_eq!(ranks(4, &edges), [0, 1, 2, 1]);
    }
}
