//! Large systems, drawn in parts.
//!
//! Nobody reads a picture of 2,000 boxes, and ordering them to few crossings grows faster than
//! the graph. A picture larger than [`fits`] allows is drawn with parts of the system collapsed
//! into one box each, and every part gets a page of its own. The parts are, in this order of
//! preference: the templates; else the folders the functions' code is in; else the first word
//! of the functions' names; else alphabetical ranges of them. Resources belong to the part of
//! the functions they are connected to. A part still too large to draw — too many boxes or
//! arrows, or once laid out wider than a page — is split again.

use super::diagram::{Change, Diagram, DiagramEdge, DiagramNode, NodeLook};
use super::escape::file_stem;
use crate::cache::{Cache, Key, Kind};
use crate::model::Flow;
use std::collections::{BTreeMap, BTreeSet};

/// At most this many boxes in one picture...
pub const MAX_NODES: usize = 80;
/// ...and this many arrows.
pub const MAX_EDGES: usize = 160;
/// At most this many parts at one level, so that a picture of the parts fits.
const MAX_PARTS: usize = 24;
/// The width a part's members, laid out alone, leave for the boxes of the parts around them, in
/// pixels: a part leaving less is split.
const SPLIT_ROOM: f64 = 500.0;
/// An arrow between parts names this many events, then how many more.
const MAX_LABEL_EVENTS: usize = 3;

/// Whether a picture is small enough to draw as it is.
pub fn fits(diagram: &Diagram) -> bool {
    diagram.nodes.len() <= MAX_NODES && diagram.edges.len() <= MAX_EDGES
}

/// A part of the system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// What it is: a template, a code folder, a name prefix.
    pub name: String,
    /// The file stem of its page, unique among all parts.
    pub stem: String,
    /// The node ids in it, sorted.
    pub members: BTreeSet<String>,
    /// Its own parts, when it is too large to draw whole; empty otherwise.
    pub parts: Vec<Group>,
    /// How many of its members are functions.
    pub functions: usize,
}

/// How the system is split for drawing; no parts when the whole system fits one picture.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grouping {
    /// The top-level parts.
    pub parts: Vec<Group>,
    /// The top-level part of each node, by index into `parts`.
    top: BTreeMap<String, usize>,
}

impl Grouping {
    /// The parts of `flow`, when its overview is too large to draw whole.
    pub fn of(flow: &Flow, overview: &Diagram) -> Grouping {
        Grouping::of_cached(flow, overview, &Cache::disabled())
    }

    /// [`Grouping::of`], taking from `cache` whether a part's picture fits, where an earlier
    /// run laid the same picture out to see.
    pub fn of_cached(flow: &Flow, overview: &Diagram, cache: &Cache) -> Grouping {
        if fits(overview) {
            return Grouping::default();
        }
        let members: BTreeSet<String> = overview.nodes.iter().map(|node| node.id.clone()).collect();
        let mut stems = BTreeSet::new();
        let incidence = Incidence { cache, ..Incidence::of(overview) };
        let parts = split(flow, &incidence, &members, &mut stems).unwrap_or_default();
        let top = parts
            .iter()
            .enumerate()
            .flat_map(|(index, group)| group.members.iter().map(move |member| (member.clone(), index)))
            .collect();
        Grouping { parts, top }
    }

    /// Every part, parents before their parts, in name order.
    pub fn all(&self) -> Vec<&Group> {
        fn walk<'g>(groups: &'g [Group], out: &mut Vec<&'g Group>) {
            for group in groups {
                out.push(group);
                walk(&group.parts, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.parts, &mut out);
        out
    }

    /// The chain of parts from the top that leads to `stem`.
    pub fn path_to(&self, stem: &str) -> Vec<&Group> {
        fn find<'g>(groups: &'g [Group], stem: &str, path: &mut Vec<&'g Group>) -> bool {
            for group in groups {
                path.push(group);
                if group.stem == stem || find(&group.parts, stem, path) {
                    return true;
                }
                path.pop();
            }
            false
        }
        let mut path = Vec::new();
        find(&self.parts, stem, &mut path);
        path
    }

    /// The top-level part a node is in.
    pub fn top_part_of(&self, node: &str) -> Option<&Group> {
        self.top.get(node).map(|index| &self.parts[*index])
    }

    /// The overview: the top-level parts as boxes, the arrows between them.
    pub fn overview(&self, whole: &Diagram) -> Diagram {
        if self.parts.is_empty() {
            return whole.clone();
        }
        collapse(whole, |node| self.top_part_of(node).map(|group| (group, false)))
    }

    /// The picture of one part: its own resources (or its parts, when it has them) and, as
    /// boxes, the parts around it that its arrows lead to or come from.
    pub fn picture(&self, whole: &Incidence<'_>, stem: &str) -> Diagram {
        let path = self.path_to(stem);
        let Some(group) = path.last() else { return Diagram::default() };
        // The arrows at the part's members, then the boxes at their ends, in the whole
        // picture's order.
        let mut edge_at: BTreeSet<usize> = BTreeSet::new();
        for member in &group.members {
            edge_at.extend(whole.edges_of.get(member.as_str()).into_iter().flatten());
        }
        let edges: Vec<DiagramEdge> = edge_at.iter().map(|&at| whole.diagram.edges[at].clone()).collect();
        let mut node_at: BTreeSet<usize> =
            group.members.iter().filter_map(|member| whole.node_at.get(member.as_str()).copied()).collect();
        for edge in &edges {
            node_at.extend([&edge.from, &edge.to].iter().filter_map(|end| whole.node_at.get(end.as_str())));
        }
        let nodes = node_at.iter().map(|&at| whole.diagram.nodes[at].clone()).collect();
        let touching = Diagram { nodes, edges };
        collapse(&touching, |node| {
            if group.members.contains(node) {
                return group.parts.iter().find(|part| part.members.contains(node)).map(|part| (part, true));
            }
            // Outside: the part beside the path that holds it.
            let mut level: &[Group] = &self.parts;
            for step in &path {
                let holder = level.iter().find(|candidate| candidate.members.contains(node))?;
                if holder.stem != step.stem {
                    return Some((holder, false));
                }
                level = &step.parts;
            }
            None
        })
    }

    /// `diagram` made to fit: when it is too large, the nodes outside `keep` are collapsed into
    /// their top-level parts; when that is still too large, all of them are.
    pub fn fit(&self, diagram: Diagram, keep: &BTreeSet<String>) -> Diagram {
        if fits(&diagram) || self.parts.is_empty() {
            return diagram;
        }
        let kept = collapse(&diagram, |node| {
            if keep.contains(node) { None } else { self.top_part_of(node).map(|group| (group, false)) }
        });
        if fits(&kept) {
            return kept;
        }
        collapse(&diagram, |node| self.top_part_of(node).map(|group| (group, false)))
    }
}

/// A picture with, for each box, where it is and which arrows touch it: the pictures of all
/// parts are cut from one whole picture.
#[derive(Debug)]
pub struct Incidence<'d> {
    diagram: &'d Diagram,
    node_at: BTreeMap<&'d str, usize>,
    edges_of: BTreeMap<&'d str, Vec<usize>>,
    /// Where the widths of parts laid out before are kept.
    cache: &'d Cache,
}

/// The cache of an index without one.
static NO_CACHE: Cache = Cache::disabled();

impl<'d> Incidence<'d> {
    /// Indexes `diagram`.
    pub fn of(diagram: &'d Diagram) -> Incidence<'d> {
        let node_at = diagram.nodes.iter().enumerate().map(|(at, node)| (node.id.as_str(), at)).collect();
        let mut edges_of: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (at, edge) in diagram.edges.iter().enumerate() {
            edges_of.entry(edge.from.as_str()).or_default().push(at);
            if edge.to != edge.from {
                edges_of.entry(edge.to.as_str()).or_default().push(at);
            }
        }
        Incidence { diagram, node_at, edges_of, cache: &NO_CACHE }
    }

    /// Whether the picture of `members` alone, with the arrows between them, [`fits`] — in its
    /// count of boxes and arrows, and laid out, in width ([`super::svg::fits_page`]).
    fn fits_inside(&self, members: &BTreeSet<String>) -> bool {
        let nodes = members.iter().filter(|member| self.node_at.contains_key(member.as_str())).count();
        if nodes > MAX_NODES {
            return false;
        }
        let mut edges = BTreeSet::new();
        for member in members {
            for &at in self.edges_of.get(member.as_str()).into_iter().flatten() {
                let edge = &self.diagram.edges[at];
                if members.contains(&edge.from) && members.contains(&edge.to) {
                    edges.insert(at);
                }
            }
        }
        if edges.len() > MAX_EDGES {
            return false;
        }
        // Members and the diagram's nodes are both sorted by id: the nodes come out in order.
        let picture = Diagram {
            nodes: members
                .iter()
                .filter_map(|member| self.node_at.get(member.as_str()))
                .map(|&at| self.diagram.nodes[at].clone())
                .collect(),
            edges: edges.into_iter().map(|at| self.diagram.edges[at].clone()).collect(),
        };
        // Laying the part out is the cost: kept in the cache with the pictures, by the picture.
        let key = Key::of(Kind::Pictures, &("fits", SPLIT_ROOM.to_bits(), &picture));
        let known = self.cache.get(Kind::Pictures, key, |kept| match kept {
            [fits] => Some(*fits == 1),
            _ => None,
        });
        known.unwrap_or_else(|| {
            let fits = super::svg::fits_page(&picture, SPLIT_ROOM);
            self.cache.put(Kind::Pictures, key, &[u8::from(fits)]);
            fits
        })
    }
}

/// The box of a part.
fn group_node(group: &Group) -> DiagramNode {
    let functions = group.functions;
    let others = group.members.len() - functions;
    let plural =
        |count: usize, word: &str| if count == 1 { format!("1 {word}") } else { format!("{count} {word}s") };
    DiagramNode {
        id: format!("group:{}", group.stem),
        name: group.name.clone(),
        caption: format!("{}, {}", plural(functions, "function"), plural(others, "resource")),
        look: NodeLook::Group,
        change: Change::None,
    }
}

/// `diagram` with every node for which `cluster` names a part replaced by that part's box.
/// Arrows between the same boxes merge; arrows inside one box go. The flag says the box is a
/// part of the part being drawn (its arrows inside are not shown either way).
fn collapse<'g>(diagram: &Diagram, cluster: impl Fn(&str) -> Option<(&'g Group, bool)>) -> Diagram {
    let mut nodes: BTreeMap<String, DiagramNode> = BTreeMap::new();
    let mut placed: BTreeMap<&str, String> = BTreeMap::new();
    for node in &diagram.nodes {
        let id = match cluster(&node.id) {
            Some((group, _)) => {
                let id = format!("group:{}", group.stem);
                if !nodes.contains_key(&id) {
                    nodes.insert(id.clone(), group_node(group));
                }
                id
            }
            None => {
                nodes.entry(node.id.clone()).or_insert_with(|| node.clone());
                node.id.clone()
            }
        };
        placed.insert(&node.id, id);
    }
    let mut merged = super::diagram::MergedArrows::new();
    for edge in &diagram.edges {
        let (Some(from), Some(to)) = (placed.get(edge.from.as_str()), placed.get(edge.to.as_str())) else {
            continue;
        };
        if from == to && from.starts_with("group:") {
            continue;
        }
        let (labels, events) = merged.entry((from.clone(), to.clone(), edge.look)).or_default();
        labels.extend(edge.label.iter().cloned());
        events.extend(edge.events.iter().cloned());
    }
    let used: BTreeSet<&String> = merged.keys().flat_map(|(from, to, _)| [from, to]).collect();
    // Boxes no arrow reaches are left out unless they are resources of the picture's own.
    let nodes = nodes
        .into_values()
        .filter(|node| {
            used.contains(&node.id) || (!node.id.starts_with("group:") && diagram.edges.is_empty())
        })
        .collect();
    let edges = merged
        .into_iter()
        .map(|((from, to, look), (labels, events))| {
            let mut label: Vec<String> = labels.iter().take(MAX_LABEL_EVENTS).cloned().collect();
            if labels.len() > MAX_LABEL_EVENTS {
                label.push(format!("and {} more", labels.len() - MAX_LABEL_EVENTS));
            }
            DiagramEdge { from, to, label, events: events.into_iter().collect(), look, change: Change::None }
        })
        .collect();
    Diagram { nodes, edges }
}

/// Splits `members` into parts (recursively where a part is still too large), or None when no
/// way of splitting gives two parts or more.
fn split(
    flow: &Flow,
    whole: &Incidence<'_>,
    members: &BTreeSet<String>,
    stems: &mut BTreeSet<String>,
) -> Option<Vec<Group>> {
    let keys = part_keys(flow, members)?;
    let mut by_key: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (node, key) in keys {
        by_key.entry(key).or_default().insert(node);
    }
    let mut groups = Vec::new();
    for (name, members) in by_key {
        let base = file_stem(&name);
        let mut stem = base.clone();
        let mut counter = 2;
        while !stems.insert(stem.clone()) {
            stem = format!("{base}-{counter}");
            counter += 1;
        }
        let parts = if whole.fits_inside(&members) || members.len() == 1 {
            Vec::new()
        } else {
            split(flow, whole, &members, stems).unwrap_or_default()
        };
        let functions =
            members.iter().filter(|id| flow.node(id).is_some_and(|node| node.kind.is_function())).count();
        groups.push(Group { name, stem, members, parts, functions });
    }
    Some(groups)
}

/// A part name for every member: the first way of splitting that gives two to [`MAX_PARTS`]
/// parts.
fn part_keys(flow: &Flow, members: &BTreeSet<String>) -> Option<BTreeMap<String, String>> {
    let functions: Vec<&str> = members
        .iter()
        .filter(|id| flow.node(id).is_some_and(|node| node.kind.is_function()))
        .map(String::as_str)
        .collect();
    // By template: every resource has one.
    let templates: BTreeMap<&str, String> =
        members.iter().filter_map(|id| Some((id.as_str(), flow.node(id)?.template.clone()?))).collect();
    if let Some(seeds) = fold_paths(&templates) {
        return spread(flow, members, seeds);
    }
    // By the folder of the functions' code.
    let folders: BTreeMap<&str, String> =
        functions.iter().filter_map(|id| Some((*id, flow.code_dir(id)?))).collect();
    if let Some(seeds) = fold_paths(&folders) {
        return spread(flow, members, seeds);
    }
    // By the first word in which the functions' names differ, or failing that in alphabetical
    // ranges.
    let words: BTreeMap<&str, Vec<String>> =
        functions.iter().filter_map(|id| Some((*id, name_words(&flow.node(id)?.logical_id)))).collect();
    let common = common_prefix_len(words.values());
    let names: BTreeMap<&str, String> = words
        .iter()
        .map(|(id, words)| {
            let key = match words.get(common) {
                Some(word) => format!("{}{word}…", words[..common].concat()),
                None => words.concat(),
            };
            (*id, key)
        })
        .collect();
    let distinct: BTreeSet<&String> = names.values().collect();
    if (2..=MAX_PARTS).contains(&distinct.len()) {
        return spread(flow, members, names.into_iter().map(|(id, key)| (id.to_owned(), key)).collect());
    }
    if functions.len() >= 2 {
        return spread(flow, members, ranges(flow, &functions, members.len()));
    }
    // Resources with (almost) no functions among them: alphabetical ranges of the resources.
    let all: Vec<&str> = members.iter().map(String::as_str).collect();
    (all.len() >= 2).then(|| ranges(flow, &all, members.len()))
}

/// Paths cut to the deepest folder level that gives two to [`MAX_PARTS`] parts.
fn fold_paths(paths: &BTreeMap<&str, String>) -> Option<BTreeMap<String, String>> {
    let depth = paths.values().map(|path| path.split('/').count()).max()?;
    (1..=depth).rev().find_map(|level| {
        let cut: BTreeMap<String, String> = paths
            .iter()
            .map(|(id, path)| ((*id).to_owned(), path.split('/').take(level).collect::<Vec<_>>().join("/")))
            .collect();
        let distinct: BTreeSet<&String> = cut.values().collect();
        (2..=MAX_PARTS).contains(&distinct.len()).then_some(cut)
    })
}

/// The words of a CamelCase, snake_case or kebab-case name.
fn name_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' {
            words.push(String::new());
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower || words.is_empty() {
            words.push(String::new());
        }
        if let Some(word) = words.last_mut() {
            word.push(c);
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
    }
    words.retain(|word| !word.is_empty());
    words
}

/// How many leading words all the names share.
fn common_prefix_len<'w>(names: impl Iterator<Item = &'w Vec<String>>) -> usize {
    let names: Vec<&Vec<String>> = names.collect();
    let Some(first) = names.first() else { return 0 };
    (0..first.len())
        .take_while(|index| names.iter().all(|words| words.get(*index) == first.get(*index)))
        .count()
}

/// Functions (or other nodes) in alphabetical ranges, as few as keep each part drawable (about
/// 60 boxes), named by their first and last one without the words all of them share.
fn ranges(flow: &Flow, functions: &[&str], members: usize) -> BTreeMap<String, String> {
    let count = members.div_ceil(MAX_NODES * 3 / 4).clamp(2, MAX_PARTS);
    let size = functions.len().div_ceil(count).max(1);
    let words: Vec<Vec<String>> = functions
        .iter()
        .map(|id| flow.node(id).map_or_else(|| vec![(*id).to_owned()], |node| name_words(&node.logical_id)))
        .collect();
    let common = common_prefix_len(words.iter());
    let short = |index: usize| {
        let rest = words[index][common.min(words[index].len())..].concat();
        if rest.is_empty() { words[index].concat() } else { rest }
    };
    let mut keys = BTreeMap::new();
    for (chunk_index, chunk) in functions.chunks(size).enumerate() {
        let first = chunk_index * size;
        let last = first + chunk.len() - 1;
        let key = format!(
            "{}{} … {}",
            words[first][..common.min(words[first].len())].concat(),
            short(first),
            short(last)
        );
        for id in chunk {
            keys.insert((*id).to_owned(), key.clone());
        }
    }
    keys
}

/// Every member gets a part: seeds keep theirs; the others, round by round, the part most of
/// their neighbours already have (ties to the part of a neighbour that writes to them, then by
/// name). Members connected to no seed form a part of their own.
fn spread(
    flow: &Flow,
    members: &BTreeSet<String>,
    seeds: BTreeMap<String, String>,
) -> Option<BTreeMap<String, String>> {
    let mut keys: BTreeMap<String, String> =
        seeds.into_iter().filter(|(id, _)| members.contains(id)).collect();
    loop {
        let mut assigned = Vec::new();
        for id in members.iter().filter(|id| !keys.contains_key(*id)) {
            let mut votes: BTreeMap<&String, (usize, bool)> = BTreeMap::new();
            for (other, edge) in flow.incoming(id) {
                if let Some(key) = keys.get(&other.id) {
                    let vote = votes.entry(key).or_default();
                    vote.0 += 1;
                    vote.1 |= edge.kind == crate::model::EdgeKind::Publish;
                }
            }
            for (other, _) in flow.outgoing(id) {
                if let Some(key) = keys.get(&other.id) {
                    votes.entry(key).or_default().0 += 1;
                }
            }
            let best = votes.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)));
            if let Some((key, _)) = best {
                assigned.push((id.clone(), key.clone()));
            }
        }
        if assigned.is_empty() {
            break;
        }
        keys.extend(assigned);
    }
    for id in members {
        keys.entry(id.clone()).or_insert_with(|| "not connected to a function".to_owned());
    }
    let distinct: BTreeSet<&String> = keys.values().collect();
    (distinct.len() >= 2).then_some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_names() {
        assert_eq!(name_words("OrdersCreateFunction"), ["Orders", "Create", "Function"]);
        assert_eq!(name_words("orders_create"), ["orders", "create"]);
        assert_eq!(name_words("billing-run"), ["billing", "run"]);
        assert_eq!(name_words("S3Uploader"), ["S3", "Uploader"]);
        let names =
            [name_words("OrdersCartApi"), name_words("OrdersCartWorker"), name_words("OrdersParcelApi")];
        assert_eq!(common_prefix_len(names.iter()), 1);
    }

    #[test]
    fn paths_fold_to_the_deepest_level_with_few_parts() {
        let paths: BTreeMap<&str, String> = [
            ("a", "services/orders/api".to_owned()),
            ("b", "services/orders/worker".to_owned()),
            ("c", "services/billing/api".to_owned()),
        ]
        .into_iter()
        .collect();
        let folded = fold_paths(&paths).unwrap();
        assert_eq!(folded["a"], "services/orders/api", "three parts fit");
        let one: BTreeMap<&str, String> =
            [("a", "x/y".to_owned()), ("b", "x/y".to_owned())].into_iter().collect();
        assert_eq!(fold_paths(&one), None, "one part is no split");
    }
}
