//! The edges of a drawn SVG picture and how many times they cross, read back from the SVG text
//! alone. Shared by the benches (`mod common;`) and the tests (`tests/common/svg.rs` includes
//! this file by `#[path]`), so a picture is measured the same way everywhere.
//!
//! Three ways an edge is written are read:
//!
//! - flowdoc, one element: `<path class="edge LOOK" d="…" marker-end="…"><title>FROM → TO</title></path>`;
//! - flowdoc, a group: `<g class="edge LOOK" data-from="FROM" data-to="TO">…<path class="line" d="…"/>…</g>`,
//!   with possibly a `hit` path, a link, a title and a label `<rect>`/`<text>` inside; the line is
//!   the path of class `line` (else the first path that is not of class `hit`);
//! - Graphviz: `<g id="edge1" class="edge"><title>FROM&#45;&gt;TO</title><path d="…"/>…</g>`.
//!
//! The ends are taken from `data-from`/`data-to` when the element has them, else from its
//! `<title>` (`FROM → TO` or `FROM->TO`). Attribute values and titles are XML-unescaped. A path
//! without ends (the legend's sample arrows) is not an edge. Transforms are not applied: every
//! edge of one picture is assumed to be drawn in the same coordinates (true of flowdoc's and of
//! Graphviz's SVG, where all edges sit in one group).

/// A point of an edge as drawn.
pub(crate) type Point = (f64, f64);

/// An edge as drawn: its ends (node IDs) and points along its line, in order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Edge {
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) points: Vec<Point>,
}

/// How many points each Bézier segment is sampled at.
///
/// Curves are sampled, not drawn as the polyline of their control points: a cubic lies inside
/// the hull of its control points but not on it, so the control polygon of two arrows that bend
/// past each other can cross where the drawn curves do not (and the other way round), and
/// Graphviz's splines, with their control points far off the curve, would be miscounted most.
/// Sixteen chords per segment keep the chords within a pixel or so of the curve for the segment
/// lengths these pictures have (the error falls with the square of the count), at a cost the
/// bounding-box test below keeps small.
const SAMPLES: u32 = 16;

/// The edges of an SVG picture drawn by flowdoc or by Graphviz.
pub(crate) fn svg_edges(svg: &str) -> Vec<Edge> {
    /// An edge element being read: its ends if known, its title, its line.
    #[derive(Default)]
    struct Open {
        /// The element's name (`g` or `path`) and how deep it stands.
        name: String,
        depth: usize,
        ends: Option<(String, String)>,
        title: Option<String>,
        line: Option<String>,
        /// The first path inside that is not a `hit` path, for when no path says `line`.
        fallback: Option<String>,
    }
    let finish = |open: Open, edges: &mut Vec<Edge>| {
        let ends = open.ends.or_else(|| open.title.as_deref().and_then(title_ends));
        if let (Some((from, to)), Some(data)) = (ends, open.line.or(open.fallback)) {
            edges.push(Edge { from, to, points: path_points(&data) });
        }
    };
    let mut edges = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let mut depth = 0;
    let mut title: Option<String> = None;
    for item in scan(svg) {
        match item {
            Item::Start { name, attributes, closed } => {
                let class = attribute(&attributes, "class").unwrap_or_default();
                let classes: Vec<&str> = class.split_whitespace().collect();
                if (name == "g" || name == "path") && classes.contains(&"edge") {
                    let ends = attribute(&attributes, "data-from").zip(attribute(&attributes, "data-to"));
                    let mut edge = Open { name: name.to_owned(), depth, ends, ..Open::default() };
                    if name == "path" {
                        edge.line = attribute(&attributes, "d");
                    }
                    if closed {
                        finish(edge, &mut edges);
                    } else {
                        open.push(edge);
                    }
                } else if name == "path"
                    && let Some(edge) = open.last_mut()
                    && let Some(data) = attribute(&attributes, "d")
                {
                    if classes.contains(&"line") {
                        edge.line.get_or_insert(data);
                    } else if !classes.contains(&"hit") {
                        edge.fallback.get_or_insert(data);
                    }
                } else if name == "title" && !closed {
                    title = Some(String::new());
                }
                if !closed {
                    depth += 1;
                }
            }
            Item::Text(text) => {
                if let Some(title) = &mut title {
                    title.push_str(text);
                }
            }
            Item::End(name) => {
                depth = depth.saturating_sub(1);
                if name == "title"
                    && let Some(text) = title.take()
                    && let Some(edge) = open.last_mut()
                {
                    edge.title.get_or_insert(unescape(&text));
                }
                if open.last().is_some_and(|edge| edge.depth == depth && edge.name == name)
                    && let Some(edge) = open.pop()
                {
                    finish(edge, &mut edges);
                }
            }
        }
    }
    edges
}

/// How close an edge's end may come to another edge, in px, and still only touch it.
const TOUCH: f64 = 1.0;

/// How many times edges with four different ends cross: every point where two such edges
/// cross counts (two arrows that cross twice count 2). Edges that share an end, and loops, are
/// never counted: they meet at their boxes by construction. Nor is an edge whose end lies on
/// another edge (within [`TOUCH`]): the other edge runs through its box (drawn over it), a fault
/// of its own but not a crossing of the two.
pub(crate) fn crossings(edges: &[Edge]) -> usize {
    let bounds: Vec<(Point, Point)> = edges.iter().map(|edge| bounding_box(&edge.points)).collect();
    let mut count = 0;
    for (i, a) in edges.iter().enumerate() {
        for (j, b) in edges.iter().enumerate().skip(i + 1) {
            let ends = [&a.from, &a.to, &b.from, &b.to];
            let distinct = (0..4).all(|x| (x + 1..4).all(|y| ends[x] != ends[y]));
            let ((a_low, a_high), (b_low, b_high)) = (bounds[i], bounds[j]);
            let apart = a_high.0 < b_low.0 || b_high.0 < a_low.0 || a_high.1 < b_low.1 || b_high.1 < a_low.1;
            if distinct && !apart {
                count += lines_cross(&a.points, &b.points);
            }
        }
    }
    count
}

/// How many times two polylines cross, away from their ends.
fn lines_cross(a: &[Point], b: &[Point]) -> usize {
    // The ends of a line that a segment holds: the first segment holds its start, the last its end.
    let ends = |line: &[Point], k: usize| {
        let last = line.len().saturating_sub(2);
        [(k == 0).then(|| line[0]), (k == last).then(|| line[k + 1])]
    };
    let mut count = 0;
    for (i, first) in a.windows(2).enumerate() {
        for (j, second) in b.windows(2).enumerate() {
            if !segments_cross(first[0], first[1], second[0], second[1]) {
                continue;
            }
            let touches = |ends: [Option<Point>; 2], segment: &[Point]| {
                ends.into_iter().flatten().any(|end| distance(end, segment[0], segment[1]) < TOUCH)
            };
            if !touches(ends(a, i), second) && !touches(ends(b, j), first) {
                count += 1;
            }
        }
    }
    count
}

/// Whether the segments `a`–`b` and `c`–`d` cross. A point exactly on the other segment's line
/// counts as being on its negative side, so a crossing through a shared sample point of two
/// consecutive segments counts once (not twice, not never), and two segments on one line never
/// cross.
fn segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool {
    let side = |p: Point, q: Point, r: Point| (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0) > 0.0;
    side(c, d, a) != side(c, d, b) && side(a, b, c) != side(a, b, d)
}

/// How far the point `p` is from the segment `a`–`b`.
fn distance(p: Point, a: Point, b: Point) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length = dx * dx + dy * dy;
    let t = if length > 0.0 { (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length).clamp(0.0, 1.0) } else { 0.0 };
    (p.0 - a.0 - t * dx).hypot(p.1 - a.1 - t * dy)
}

/// The smallest and largest coordinates of some points.
fn bounding_box(points: &[Point]) -> (Point, Point) {
    points
        .iter()
        .fold(((f64::INFINITY, f64::INFINITY), (f64::NEG_INFINITY, f64::NEG_INFINITY)), |(low, high), p| {
            ((low.0.min(p.0), low.1.min(p.1)), (high.0.max(p.0), high.1.max(p.1)))
        })
}

/// The ends in a title: flowdoc's `FROM → TO`, Graphviz's `FROM->TO`.
fn title_ends(title: &str) -> Option<(String, String)> {
    let (from, to) = title.split_once(" → ").or_else(|| title.split_once("->"))?;
    Some((from.to_owned(), to.to_owned()))
}

/// The points along an SVG path's data: lines as their ends, Bézier curves (cubic and
/// quadratic, smooth or not) sampled at [`SAMPLES`] points each. Absolute and relative
/// commands are read; an arc is drawn as the line to its end.
pub(crate) fn path_points(data: &str) -> Vec<Point> {
    let mut points = Vec::new();
    let (mut current, mut start): (Point, Point) = ((0.0, 0.0), (0.0, 0.0));
    // The last control point, for S and T, and which kind of curve set it.
    let mut control: Option<(char, Point)> = None;
    let sample = |from: Point, controls: &[Point], to: Point, points: &mut Vec<Point>| {
        for step in 1..=SAMPLES {
            let t = f64::from(step) / f64::from(SAMPLES);
            let u = 1.0 - t;
            let point = match controls {
                [c] => {
                    let (w0, w1, w2) = (u * u, 2.0 * u * t, t * t);
                    (w0 * from.0 + w1 * c.0 + w2 * to.0, w0 * from.1 + w1 * c.1 + w2 * to.1)
                }
                [c1, c2] => {
                    let (w0, w1, w2, w3) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
                    (
                        w0 * from.0 + w1 * c1.0 + w2 * c2.0 + w3 * to.0,
                        w0 * from.1 + w1 * c1.1 + w2 * c2.1 + w3 * to.1,
                    )
                }
                _ => to,
            };
            points.push(point);
        }
    };
    for (command, numbers) in path_commands(data) {
        let relative = command.is_ascii_lowercase();
        let at = |base: Point, x: f64, y: f64| if relative { (base.0 + x, base.1 + y) } else { (x, y) };
        let upper = command.to_ascii_uppercase();
        let arity = match upper {
            'M' | 'L' | 'T' => 2,
            'H' | 'V' => 1,
            'C' => 6,
            'S' | 'Q' => 4,
            'A' => 7,
            _ => 0,
        };
        if arity == 0 {
            // Z: back to the start of the subpath.
            points.push(start);
            current = start;
            control = None;
            continue;
        }
        for (k, n) in numbers.chunks_exact(arity).enumerate() {
            match upper {
                'M' if k == 0 => {
                    current = at(current, n[0], n[1]);
                    start = current;
                    points.push(current);
                }
                'M' | 'L' => {
                    current = at(current, n[0], n[1]);
                    points.push(current);
                }
                'H' => {
                    current = (if relative { current.0 + n[0] } else { n[0] }, current.1);
                    points.push(current);
                }
                'V' => {
                    current = (current.0, if relative { current.1 + n[0] } else { n[0] });
                    points.push(current);
                }
                'A' => {
                    current = at(current, n[5], n[6]);
                    points.push(current);
                }
                'C' | 'S' => {
                    let first =
                        if upper == 'C' { at(current, n[0], n[1]) } else { reflected(control, 'C', current) };
                    let rest = if upper == 'C' { &n[2..] } else { n };
                    let (second, to) = (at(current, rest[0], rest[1]), at(current, rest[2], rest[3]));
                    sample(current, &[first, second], to, &mut points);
                    control = Some(('C', second));
                    current = to;
                    continue;
                }
                'Q' | 'T' => {
                    let (middle, to) = if upper == 'Q' {
                        (at(current, n[0], n[1]), at(current, n[2], n[3]))
                    } else {
                        (reflected(control, 'Q', current), at(current, n[0], n[1]))
                    };
                    sample(current, &[middle], to, &mut points);
                    control = Some(('Q', middle));
                    current = to;
                    continue;
                }
                _ => {}
            }
            control = None;
        }
    }
    points
}

/// The first control point of a smooth curve: the last one of the curve before, mirrored
/// through the current point, if that curve was of the same kind; else the current point.
fn reflected(control: Option<(char, Point)>, kind: char, current: Point) -> Point {
    match control {
        Some((last, point)) if last == kind => (2.0 * current.0 - point.0, 2.0 * current.1 - point.1),
        _ => current,
    }
}

/// The commands of an SVG path's data, each with its numbers.
fn path_commands(data: &str) -> Vec<(char, Vec<f64>)> {
    let mut commands: Vec<(char, Vec<f64>)> = Vec::new();
    let bytes = data.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_alphabetic() && !matches!(c, b'e' | b'E') {
            commands.push((char::from(c), Vec::new()));
            i += 1;
        } else if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.') {
            // A number: sign, digits, one point, digits, exponent.
            let begin = i;
            i += 1;
            let mut point = c == b'.';
            while i < bytes.len() {
                let d = bytes[i];
                if d.is_ascii_digit() {
                    i += 1;
                } else if d == b'.' && !point {
                    point = true;
                    i += 1;
                } else if matches!(d, b'e' | b'E') {
                    i += 1;
                    if i < bytes.len() && matches!(bytes[i], b'-' | b'+') {
                        i += 1;
                    }
                    point = true;
                } else {
                    break;
                }
            }
            if let (Some((_, numbers)), Ok(number)) = (commands.last_mut(), data[begin..i].parse()) {
                numbers.push(number);
            }
        } else {
            i += 1;
        }
    }
    commands
}

/// A piece of XML text.
enum Item<'a> {
    /// A start tag, with its attributes (values unescaped) and whether it closes itself.
    Start { name: &'a str, attributes: Vec<(&'a str, String)>, closed: bool },
    /// An end tag.
    End(&'a str),
    /// Text between tags, as written.
    Text(&'a str),
}

/// The tags and texts of an XML document, in order; comments, CDATA sections, processing
/// instructions and declarations skipped. Enough XML for reading SVG back, no more.
fn scan(xml: &str) -> Vec<Item<'_>> {
    let mut items = Vec::new();
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        if open > 0 {
            items.push(Item::Text(&rest[..open]));
        }
        rest = &rest[open..];
        let skip = [("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>"), ("<!", ">")]
            .into_iter()
            .find(|(start, _)| rest.starts_with(start));
        if let Some((_, end)) = skip {
            rest = rest.find(end).map_or("", |at| &rest[at + end.len()..]);
            continue;
        }
        if let Some(after) = rest.strip_prefix("</") {
            let close = after.find('>').unwrap_or(after.len());
            items.push(Item::End(after[..close].trim()));
            rest = after.get(close + 1..).unwrap_or("");
            continue;
        }
        // A start tag: the name, then attributes up to `>` or `/>`, quotes respected.
        let tag = &rest[1..];
        let name_end = tag.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(tag.len());
        let name = &tag[..name_end];
        let mut attributes = Vec::new();
        let mut at = name_end;
        let mut closed = false;
        loop {
            let remaining = &tag[at..];
            let trimmed = remaining.trim_start();
            at += remaining.len() - trimmed.len();
            if trimmed.is_empty() {
                break;
            }
            if let Some(after) = trimmed.strip_prefix("/>") {
                closed = true;
                at = tag.len() - after.len();
                break;
            }
            if trimmed.starts_with('>') {
                at += 1;
                break;
            }
            let Some(equals) = trimmed.find('=') else {
                at = tag.len();
                break;
            };
            let key = trimmed[..equals].trim();
            let value_start = trimmed[equals + 1..].trim_start();
            let quote = value_start.chars().next().filter(|c| *c == '"' || *c == '\'');
            let Some(quote) = quote else {
                at = tag.len();
                break;
            };
            let body = &value_start[1..];
            let close = body.find(quote).unwrap_or(body.len());
            attributes.push((key, unescape(&body[..close])));
            at = tag.len() - body.len() + (close + 1).min(body.len());
        }
        items.push(Item::Start { name, attributes, closed });
        rest = &tag[at..];
    }
    if !rest.is_empty() {
        items.push(Item::Text(rest));
    }
    items
}

/// The value of an attribute.
fn attribute(attributes: &[(&str, String)], name: &str) -> Option<String> {
    attributes.iter().find(|(key, _)| *key == name).map(|(_, value)| value.clone())
}

/// XML text with its character and entity references replaced.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semicolon) = rest.find(';').filter(|at| *at <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let reference = &rest[1..semicolon];
        let replaced = match reference {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => reference
                .strip_prefix("#x")
                .or_else(|| reference.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| reference.strip_prefix('#').and_then(|decimal| decimal.parse().ok()))
                .and_then(char::from_u32),
        };
        if let Some(c) = replaced {
            out.push(c);
            rest = &rest[semicolon + 1..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}
