//! YAML and JSON text to a tree of [`Node`]s that know their line and column.
//!
//! Built from saphyr-parser's event stream by an explicit stack, never by recursion, with two
//! budgets: nesting depth and node count (aliases count the nodes they copy, so a "billion
//! laughs" document is refused early). CloudFormation's short-form tags become the long form they
//! stand for (`!GetAtt A.B` is `{"Fn::GetAtt": "A.B"}`), so later stages see one shape; unknown
//! tags are kept. JSON is read as YAML, which it is.

mod fast;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Tag};
use std::collections::BTreeMap;

/// A node of a YAML or JSON document with the position it starts at.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Node {
    /// What the node holds.
    pub value: Value,
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
}

/// The contents of a [`Node`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Value {
    /// A scalar's text, unparsed: `60` and `"60"` differ only in `quoted`. An empty plain
    /// scalar, `~` and `null` are null.
    Scalar {
        /// The text.
        text: String,
        /// Written in single or double quotes (or as a JSON string).
        quoted: bool,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, keys in document order. Keys are scalars and unique.
    Map(Vec<(Node, Node)>),
    /// A node under a tag flowdoc does not know, such as `!CustomThing`.
    Tagged(String, Box<Node>),
}

impl Node {
    /// A scalar node (for building nodes in code and tests).
    pub fn scalar(text: impl Into<String>, line: u32, column: u32) -> Node {
        Node { value: Value::Scalar { text: text.into(), quoted: false }, line, column }
    }

    /// The scalar's text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Whether this is null: an empty plain scalar, `~`, or `null`.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, quoted: false } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The scalar as a whole number, quoted or not (CloudFormation accepts both).
    pub fn as_i64(&self) -> Option<i64> {
        self.as_str()?.trim().parse().ok()
    }

    /// The scalar as a boolean, quoted or not.
    pub fn as_bool(&self) -> Option<bool> {
        match self.as_str()?.trim() {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        }
    }

    /// The sequence's items.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The mapping's entries.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The entry of a mapping under `key`: its key node and value node.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(k, v)| (k, v))
    }

    /// The value of a mapping under `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, value)| value)
    }

    /// The value at a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The single key and its value, when this is a one-entry mapping whose key is an intrinsic
    /// function (`Ref`, `Condition`, or `Fn::...`).
    pub fn intrinsic(&self) -> Option<(&str, &Node)> {
        match self.as_map()? {
            [(key, value)] => {
                let name = key.as_str()?;
                (name == "Ref" || name == "Condition" || name.starts_with("Fn::")).then_some((name, value))
            }
            _ => None,
        }
    }

    /// How many nodes this node is made of, itself included.
    pub fn size(&self) -> usize {
        let mut size = 0;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            size += 1;
            match &node.value {
                Value::Scalar { .. } => {}
                Value::Seq(items) => stack.extend(items),
                Value::Map(entries) => {
                    size += entries.len();
                    stack.extend(entries.iter().map(|(_, value)| value));
                }
                Value::Tagged(_, inner) => stack.push(inner),
            }
        }
        size
    }
}

/// Budgets that bound the time and memory a document can take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YamlLimits {
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
    /// Most nodes in the document, counting every copy an alias makes.
    pub max_nodes: usize,
}

impl Default for YamlLimits {
    fn default() -> YamlLimits {
        YamlLimits { max_depth: 256, max_nodes: 2_000_000 }
    }
}

/// Why a document could not be read, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1.
    pub column: u32,
    /// What is wrong.
    pub message: String,
    /// A second place the message refers to (the first of two duplicate keys).
    pub related: Option<(u32, u32)>,
}

/// The CloudFormation intrinsic functions that have a short-form tag, with the key of their
/// long form.
const INTRINSIC_TAGS: &[(&str, &str)] = &[
    ("And", "Fn::And"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("Condition", "Condition"),
    ("Equals", "Fn::Equals"),
    ("FindInMap", "Fn::FindInMap"),
    ("ForEach", "Fn::ForEach"),
    ("GetAZs", "Fn::GetAZs"),
    ("GetAtt", "Fn::GetAtt"),
    ("If", "Fn::If"),
    ("ImportValue", "Fn::ImportValue"),
    ("Join", "Fn::Join"),
    ("Length", "Fn::Length"),
    ("Not", "Fn::Not"),
    ("Or", "Fn::Or"),
    ("Ref", "Ref"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("Sub", "Fn::Sub"),
    ("ToJsonString", "Fn::ToJsonString"),
    ("Transform", "Fn::Transform"),
];

/// A document read: its root and the duplicate keys it had (the last value of a duplicated key
/// is kept, as CloudFormation's and SAM's YAML readers do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// The root node.
    pub root: Node,
    /// One error per duplicated key, at the later key, with the first as `related`.
    pub duplicates: Vec<YamlError>,
}

/// How many under-indented lines in flow collections are tolerated (see [`parse`]).
const MAX_INDENT_FIXES: usize = 1_000;

/// Reads one YAML or JSON document.
///
/// The YAML specification wants the lines of a flow collection (`[...]`, `{...}`) that spans
/// several lines indented deeper than the block around it; PyYAML (which SAM uses) and
/// CloudFormation do not insist, and real templates rely on it. So when the parser refuses a line
/// inside a flow collection for its indentation, the line is indented further (which changes
/// nothing inside a flow collection) and the document read again; positions are reported as in
/// the original text.
///
/// Most templates are read by the fast reader ([`fast`]); whatever it does not vouch for (and
/// every broken document) by saphyr-parser.
pub fn parse(text: &str, limits: YamlLimits) -> Result<Document, YamlError> {
    match fast::read(text, limits) {
        Some(document) => Ok(document),
        None => parse_with_saphyr(text, limits),
    }
}

/// [`parse`] by saphyr-parser alone.
fn parse_with_saphyr(text: &str, limits: YamlLimits) -> Result<Document, YamlError> {
    let mut padding: BTreeMap<u32, u32> = BTreeMap::new();
    let mut source: std::borrow::Cow<'_, str> = text.into();
    for _ in 0..=MAX_INDENT_FIXES {
        match read_with_saphyr(&source, limits) {
            Ok(mut document) => {
                if !padding.is_empty() {
                    unpad_node(&mut document.root, &padding);
                    for duplicate in &mut document.duplicates {
                        unpad_error(duplicate, &padding);
                    }
                }
                return Ok(document);
            }
            Err(Stop { error, cause: Cause::Scan(Refusal::Indentation), in_flow: true }) => {
                match indent_line(&source, error.line) {
                    Some((fixed, added)) => {
                        *padding.entry(error.line).or_default() += added;
                        source = fixed.into();
                    }
                    None => return Err(unpadded(error, &padding)),
                }
            }
            Err(Stop { error, cause: Cause::Scan(Refusal::KeyWithoutColon), .. }) => {
                return Err(explain_missing_colon(unpadded(error, &padding), text));
            }
            Err(Stop { error, .. }) => return Err(unpadded(error, &padding)),
        }
    }
    Err(YamlError {
        line: 1,
        column: 1,
        message: format!("more than {MAX_INDENT_FIXES} under-indented lines in flow collections"),
        related: None,
    })
}

/// `text` with line `line` (from 1) indented one column deeper than the line above it, and the
/// number of spaces added.
fn indent_line(text: &str, line: u32) -> Option<(String, u32)> {
    let lines: Vec<&str> = text.split('\n').collect();
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    let current = lines.get(index)?;
    let indent_of = |line: &str| line.len() - line.trim_start_matches(' ').len();
    let above =
        lines[..index].iter().rev().find(|line| !line.trim().is_empty()).map(|line| indent_of(line))?;
    let wanted = above + 1;
    let have = indent_of(current);
    if wanted <= have {
        return None;
    }
    let added = wanted - have;
    let mut fixed = String::with_capacity(text.len() + added);
    for (number, text_line) in lines.iter().enumerate() {
        if number > 0 {
            fixed.push('\n');
        }
        if number == index {
            fixed.push_str(&" ".repeat(added));
        }
        fixed.push_str(text_line);
    }
    Some((fixed, u32::try_from(added).ok()?))
}

/// Why the parser refused the text, as far as [`parse`] reacts to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    /// A line indented less than the parser wants.
    Indentation,
    /// A plain value ran on into a line that has a key.
    KeyWithoutColon,
    /// Anything else.
    Other,
}

impl Refusal {
    /// What a parser error is about. saphyr-parser's `ScanError` has no kind, only a marker and
    /// a text (`info`), so its text is all there is to go by; these are its texts (0.3).
    fn of(error: &ScanError) -> Refusal {
        match error.info() {
            // Also `invalid indentation in flow construct`, `... in quoted scalar`, ...
            info if info.starts_with("invalid indentation") => Refusal::Indentation,
            "simple key expect ':'" => Refusal::KeyWithoutColon,
            _ => Refusal::Other,
        }
    }
}

/// Where an error comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cause {
    /// The parser refused the text.
    Scan(Refusal),
    /// The text parsed, but the document is refused: a limit, an unknown alias, a key that is
    /// not a plain value.
    Build,
}

/// Why building a document stopped.
#[derive(Debug)]
struct Stop {
    error: YamlError,
    cause: Cause,
    /// Whether it stopped inside a flow collection (`[...]`, `{...}`).
    in_flow: bool,
}

/// Points the parser's `simple key expect ':'` at the line that causes it.
///
/// It means a plain value ran on into a line that has a key: the value's line lacks the `: `
/// after its own key (`Queue:Arn`, `Name:value`). The parser notices on the next line; the
/// mistake is on the one before it.
fn explain_missing_colon(error: YamlError, text: &str) -> YamlError {
    let lines: Vec<&str> = text.split('\n').collect();
    let before = usize::try_from(error.line).unwrap_or(0).saturating_sub(1);
    let Some((index, line)) =
        lines[..before.min(lines.len())].iter().enumerate().rev().find(|(_, l)| !l.trim().is_empty())
    else {
        return error;
    };
    let column = line.chars().take_while(|c| *c == ' ').count() + 1;
    YamlError {
        line: u32::try_from(index + 1).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
        message: format!(
            "this line has no `: ` after its key, so it runs on into line {} (a key cannot span lines)",
            error.line
        ),
        related: Some((error.line, error.column)),
    }
}

fn unpad_node(root: &mut Node, padding: &BTreeMap<u32, u32>) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if let Some(added) = padding.get(&node.line) {
            node.column = node.column.saturating_sub(*added).max(1);
        }
        match &mut node.value {
            Value::Seq(items) => stack.extend(items.iter_mut()),
            Value::Map(entries) => {
                for (key, value) in entries.iter_mut() {
                    if let Some(added) = padding.get(&key.line) {
                        key.column = key.column.saturating_sub(*added).max(1);
                    }
                    stack.push(value);
                }
            }
            Value::Tagged(_, inner) => stack.push(inner),
            Value::Scalar { .. } => {}
        }
    }
}

fn unpad_error(error: &mut YamlError, padding: &BTreeMap<u32, u32>) {
    if let Some(added) = padding.get(&error.line) {
        error.column = error.column.saturating_sub(*added).max(1);
    }
    if let Some((line, column)) = &mut error.related
        && let Some(added) = padding.get(line)
    {
        *column = column.saturating_sub(*added).max(1);
    }
}

fn unpadded(mut error: YamlError, padding: &BTreeMap<u32, u32>) -> YamlError {
    unpad_error(&mut error, padding);
    error
}

/// A sequence or mapping being built.
struct Frame {
    items: Vec<Node>,
    /// Written in flow style (`[...]` or `{...}`).
    flow: bool,
    /// A key was repeated: earlier entries under it are dropped when the mapping closes.
    repeated: bool,
    /// For mappings: the keys seen so far, with where they were last written; filled only once
    /// the mapping has more than [`SMALL_MAPPING`] keys (a smaller one's are looked through).
    keys: Option<BTreeMap<String, (u32, u32)>>,
    line: u32,
    column: u32,
    anchor: usize,
    /// The suffix of a `!` tag (the only tags that change a node, see [`apply_tag`]).
    tag: Option<String>,
}

/// Keys a mapping may have before they are indexed to find repeated ones.
const SMALL_MAPPING: usize = 16;

/// Builds a [`Document`] from what a reader found, in document order: saphyr-parser's events
/// ([`read_with_saphyr`]) or the fast reader's ([`fast::read`]). It holds the budgets, turns
/// short-form tags into their long form, copies aliases and finds repeated keys, so both
/// readers give the same document for the same findings.
struct Builder {
    limits: YamlLimits,
    duplicates: Vec<YamlError>,
    nodes: usize,
    stack: Vec<Frame>,
    /// Anchored nodes by anchor id, with their sizes.
    anchors: BTreeMap<usize, (Node, usize)>,
    root: Option<Node>,
    documents: usize,
}

/// The character index at which each line of `text` starts.
fn line_starts(text: &str) -> Vec<usize> {
    if text.is_ascii() {
        return std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|at| at + 1))
            .collect();
    }
    std::iter::once(0)
        .chain(text.chars().enumerate().filter(|(_, c)| *c == '\n').map(|(index, _)| index + 1))
        .collect()
}

/// The line and column (from 1) of a parser position. The parser counts a lone `\r` as a line
/// break too; everywhere else (locations, the lines shown with errors) lines end at `\n` only,
/// so the place is worked out from the parser's character index rather than its line.
fn position(line_starts: &[usize], marker: &Marker) -> (u32, u32) {
    let index = marker.index();
    let line = line_starts.partition_point(|start| *start <= index).max(1);
    let column = index - line_starts[line - 1] + 1;
    (u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column).unwrap_or(u32::MAX))
}

fn error_at((line, column): (u32, u32), message: impl Into<String>) -> YamlError {
    YamlError { line, column, message: message.into(), related: None }
}

/// The suffix of a tag that changes a node: one with the `!` handle. YAML's own tags (`!!str`)
/// change nothing.
fn local_tag(tag: Option<&Tag>) -> Option<&str> {
    tag.filter(|tag| tag.handle == "!").map(|tag| tag.suffix.as_str())
}

/// Reads `text` with saphyr-parser into a new builder.
fn read_with_saphyr(text: &str, limits: YamlLimits) -> Result<Document, Stop> {
    let lines: Vec<&str> = text.split('\n').collect();
    let line_starts = line_starts(text);
    // Whether the collection starting at `(line, column)` is written in flow style.
    let is_flow = |(line, column): (u32, u32)| {
        lines
            .get((line as usize).saturating_sub(1))
            .and_then(|text| text.chars().nth((column as usize).saturating_sub(1)))
            .is_some_and(|first| first == '[' || first == '{')
    };
    let mut builder = Builder::new(limits);
    for event in Parser::new_from_str(text) {
        let in_flow = builder.in_flow();
        let (event, span) = event.map_err(|error| {
            let (line, column) = position(&line_starts, error.marker());
            let error_here = YamlError { line, column, message: error.info().to_owned(), related: None };
            Stop { error: error_here, cause: Cause::Scan(Refusal::of(&error)), in_flow }
        })?;
        let at = position(&line_starts, &span.start);
        let built = match event {
            Event::DocumentStart(_) => builder.document(at),
            Event::Scalar(text, style, anchor, tag) => {
                let quoted = matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted);
                builder.scalar(text.into_owned(), quoted, anchor, local_tag(tag.as_deref()), at)
            }
            Event::SequenceStart(anchor, tag) => {
                builder.start(false, is_flow(at), anchor, local_tag(tag.as_deref()), at)
            }
            Event::MappingStart(anchor, tag) => {
                builder.start(true, is_flow(at), anchor, local_tag(tag.as_deref()), at)
            }
            Event::SequenceEnd | Event::MappingEnd => builder.end(),
            Event::Alias(id) => builder.alias(id, at),
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => Ok(()),
        };
        built.map_err(|error| Stop { error, cause: Cause::Build, in_flow })?;
    }
    Ok(builder.finish())
}

impl Builder {
    fn new(limits: YamlLimits) -> Builder {
        Builder {
            limits,
            duplicates: Vec::new(),
            nodes: 0,
            stack: Vec::new(),
            anchors: BTreeMap::new(),
            root: None,
            documents: 0,
        }
    }

    /// The document built: its root (an empty scalar when there was none).
    fn finish(self) -> Document {
        let root = self.root.unwrap_or(Node {
            value: Value::Scalar { text: String::new(), quoted: false },
            line: 1,
            column: 1,
        });
        Document { root, duplicates: self.duplicates }
    }

    /// Whether a flow collection is open.
    fn in_flow(&self) -> bool {
        self.stack.iter().any(|frame| frame.flow)
    }

    /// A document starts at `at`.
    fn document(&mut self, at: (u32, u32)) -> Result<(), YamlError> {
        self.documents += 1;
        if self.documents > 1 {
            return Err(error_at(at, "a template is one YAML document; a second one starts here"));
        }
        Ok(())
    }

    /// A scalar at `at`, under the `!` tag `tag` (its suffix) if it has one.
    fn scalar(
        &mut self,
        text: String,
        quoted: bool,
        anchor: usize,
        tag: Option<&str>,
        at: (u32, u32),
    ) -> Result<(), YamlError> {
        self.count(1, at)?;
        let node = Node { value: Value::Scalar { text, quoted }, line: at.0, column: at.1 };
        self.complete(apply_tag(node, tag), anchor, 1)
    }

    /// A mapping or a sequence starts at `at`.
    fn start(
        &mut self,
        mapping: bool,
        flow: bool,
        anchor: usize,
        tag: Option<&str>,
        at: (u32, u32),
    ) -> Result<(), YamlError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(error_at(
                at,
                format!("nesting deeper than the limit of {} levels", self.limits.max_depth),
            ));
        }
        self.count(1, at)?;
        self.stack.push(Frame {
            items: Vec::new(),
            flow,
            repeated: false,
            keys: mapping.then(BTreeMap::new),
            line: at.0,
            column: at.1,
            anchor,
            tag: tag.map(str::to_owned),
        });
        Ok(())
    }

    /// The innermost open mapping or sequence ends.
    fn end(&mut self) -> Result<(), YamlError> {
        let Some(frame) = self.stack.pop() else { return Ok(()) };
        let value = match frame.keys {
            Some(_) => {
                let mut entries: Vec<(Node, Node)> = Vec::with_capacity(frame.items.len() / 2);
                let mut items = frame.items.into_iter();
                while let (Some(key), Some(value)) = (items.next(), items.next()) {
                    if frame.repeated {
                        entries.retain(|(earlier, _)| earlier.as_str() != key.as_str());
                    }
                    entries.push((key, value));
                }
                Value::Map(entries)
            }
            None => Value::Seq(frame.items),
        };
        let node = Node { value, line: frame.line, column: frame.column };
        // Only an anchored node is ever counted again (by its aliases).
        let size = if frame.anchor == 0 { 0 } else { node.size() };
        let node = apply_tag(node, frame.tag.as_deref());
        self.complete(node, frame.anchor, size)
    }

    /// An alias to anchor `id` at `at`: a copy of the anchored node.
    fn alias(&mut self, id: usize, at: (u32, u32)) -> Result<(), YamlError> {
        let Some((node, size)) = self.anchors.get(&id) else {
            return Err(error_at(at, "alias to an unknown anchor"));
        };
        let (node, size) = (node.clone(), *size);
        self.count(size, at)?;
        self.push(node)
    }

    fn count(&mut self, nodes: usize, at: (u32, u32)) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(nodes);
        if self.nodes > self.limits.max_nodes {
            return Err(error_at(
                at,
                format!(
                    "the document has more than {} nodes (aliases count every copy); refused",
                    self.limits.max_nodes
                ),
            ));
        }
        Ok(())
    }

    /// Records a finished node under its anchor, then places it.
    fn complete(&mut self, node: Node, anchor: usize, size: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        self.push(node)
    }
    /// Places a finished node in the sequence or mapping being built, or as the root.
    fn push(&mut self, node: Node) -> Result<(), YamlError> {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        if let Some(keys) = &mut frame.keys
            && frame.items.len() % 2 == 0
        {
            let Some(key) = node.as_str() else {
                return Err(error_at((node.line, node.column), "a mapping key must be a plain value"));
            };
            // Where the key was last written before: a small mapping's keys are looked through,
            // a large one's are indexed (from the first key past the small ones on).
            let pairs = frame.items.len() / 2;
            if pairs == SMALL_MAPPING {
                for earlier in frame.items.iter().step_by(2) {
                    keys.insert(
                        earlier.as_str().unwrap_or_default().to_owned(),
                        (earlier.line, earlier.column),
                    );
                }
            }
            let last = if pairs < SMALL_MAPPING {
                let mut earlier_keys = frame.items.iter().step_by(2).rev();
                earlier_keys
                    .find(|earlier| earlier.as_str() == Some(key))
                    .map(|earlier| (earlier.line, earlier.column))
            } else {
                keys.get(key).copied()
            };
            if let Some(last) = last {
                self.duplicates.push(YamlError {
                    line: node.line,
                    column: node.column,
                    message: format!("duplicate key `{key}`; the last value is used"),
                    related: Some(last),
                });
                frame.repeated = true;
            }
            if pairs >= SMALL_MAPPING {
                keys.insert(key.to_owned(), (node.line, node.column));
            }
        }
        frame.items.push(node);
        Ok(())
    }
}

/// Applies a tag to a finished node: intrinsic short forms become their long form, YAML's own
/// tags (`!!str`) change nothing, and any other tag is kept.
fn apply_tag(node: Node, tag: Option<&str>) -> Node {
    let Some(suffix) = tag else { return node };
    match INTRINSIC_TAGS.iter().find(|(short, _)| *short == suffix) {
        Some((_, long)) => {
            let key = Node::scalar(*long, node.line, node.column);
            let (line, column) = (node.line, node.column);
            Node { value: Value::Map(vec![(key, node)]), line, column }
        }
        None => {
            let (line, column) = (node.line, node.column);
            Node { value: Value::Tagged(format!("!{suffix}"), Box::new(node)), line, column }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Node {
        parse(text, YamlLimits::default()).expect("valid YAML").root
    }

    fn fails(text: &str, limits: YamlLimits) -> String {
        let error = parse(text, limits).expect_err("invalid");
        format!("{}:{} {}", error.line, error.column, error.message)
    }

    #[test]
    fn short_and_long_form_intrinsics_read_the_same() {
        let short = read("A: !GetAtt Queue.Arn\nB: !Sub [\"${X}\", {X: !Ref Y}]\n");
        let long = read(
            "{\"A\": {\"Fn::GetAtt\": \"Queue.Arn\"}, \"B\": {\"Fn::Sub\": [\"${X}\", {\"X\": {\"Ref\": \"Y\"}}]}}",
        );
        let strip = |node: &Node| {
            format!("{:?}", node.get("A").unwrap().intrinsic().map(|(name, value)| (name, value.as_str())))
        };
        assert_eq!(strip(&short), strip(&long));
        let (name, args) = short.get("B").unwrap().intrinsic().unwrap();
        assert_eq!(name, "Fn::Sub");
        let var = args.as_seq().unwrap()[1].get("X").unwrap().intrinsic().unwrap();
        assert_eq!((var.0, var.1.as_str()), ("Ref", Some("Y")));
    }

    #[test]
    fn nested_short_forms_and_unknown_tags_are_kept() {
        let node = read("V: !Join ['', [!If [C, !GetAtt [A, Arn], !Ref AWS::NoValue]]]\nW: !Custom {a: 1}\n");
        let (name, args) = node.get("V").unwrap().intrinsic().unwrap();
        assert_eq!(name, "Fn::Join");
        let parts = args.as_seq().unwrap()[1].as_seq().unwrap();
        let (if_name, branches) = parts[0].intrinsic().unwrap();
        assert_eq!(if_name, "Fn::If");
        assert_eq!(branches.as_seq().unwrap()[1].intrinsic().unwrap().0, "Fn::GetAtt");
        assert!(matches!(&node.get("W").unwrap().value, Value::Tagged(tag, _) if tag == "!Custom"));
    }

    #[test]
    fn positions_are_one_based_and_keys_have_their_own() {
        let node = read("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n");
        let (key, value) = node.get("Resources").unwrap().entry("Queue").unwrap();
        assert_eq!((key.line, key.column), (2, 3));
        assert_eq!((value.line, value.column), (3, 5));
        // A lone `\r` breaks a line for the parser but not for the rest of flowdoc: places
        // count `\n` only, so that they point at the line shown with them.
        let node = read("a: 1\rb: 2\nc:\r\n  d: 3\n");
        let (c, inner) = node.entry("c").unwrap();
        let (d, _) = inner.entry("d").unwrap();
        assert_eq!([(c.line, c.column), (d.line, d.column)], [(2, 1), (3, 3)]);
        let error = fails("a: 1\r\rb: c: d\n", YamlLimits::default());
        assert!(error.starts_with("1:11 mapping values"), "{error}");
    }

    #[test]
    fn scalars_keep_their_text_and_quoting() {
        let node = read("a: 60\nb: \"60\"\nc:\nd: ~\ne: 'true'\n");
        assert_eq!(node.get("a").unwrap().as_i64(), Some(60));
        assert_eq!(node.get("b").unwrap().as_i64(), Some(60));
        assert!(node.get("c").unwrap().is_null());
        assert!(node.get("d").unwrap().is_null());
        assert_eq!(node.get("e").unwrap().as_bool(), Some(true));
        assert!(matches!(node.get("b").unwrap().value, Value::Scalar { quoted: true, .. }));
    }

    #[test]
    fn aliases_copy_their_anchor() {
        let node = read("a: &shared {x: 1}\nb: *shared\n");
        assert_eq!(node.get("b").unwrap().get("x").unwrap().as_str(), Some("1"));
    }

    #[test]
    fn bad_documents_say_where() {
        let limits = YamlLimits::default();
        let cases = [
            ("a: b: c\n", "1:5 mapping values are not allowed in this context"),
            ("key: 'unterminated\n", "1:6 while scanning a quoted scalar, found unexpected end of stream"),
            (
                "R:\n  A:\n    - x\n\n  Mapping:typo\n    Type: X\n",
                "5:3 this line has no `: ` after its key, so it runs on into line 6",
            ),
            ("a: 1\n---\nb: 2\n", "2:1 a template is one YAML document; a second one starts here"),
            ("a: *nowhere\n", "1:4 while parsing node, found unknown anchor"),
            ("? [a, b]\n: c\n", "1:3 a mapping key must be a plain value"),
        ];
        for (text, expected) in cases {
            let message = fails(text, limits);
            assert!(message.starts_with(expected), "{text:?}: {message}");
        }
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_and_are_reported_with_both_places() {
        let document = parse("a: 1\nb:\n  c: 2\n  c: 3\na: 4\n", YamlLimits::default()).unwrap();
        assert_eq!(document.root.get("a").unwrap().as_str(), Some("4"));
        assert_eq!(document.root.path(&["b", "c"]).unwrap().as_str(), Some("3"));
        assert_eq!(document.root.as_map().unwrap().len(), 2);
        let reported: Vec<String> = document
            .duplicates
            .iter()
            .map(|error| format!("{}:{} {} {:?}", error.line, error.column, error.message, error.related))
            .collect();
        assert_eq!(
            reported,
            [
                "4:3 duplicate key `c`; the last value is used Some((3, 3))",
                "5:1 duplicate key `a`; the last value is used Some((1, 1))",
            ]
        );
    }

    #[test]
    fn repeated_keys_of_large_mappings_are_found_as_in_small_ones() {
        // `a` before the mapping is large enough to be indexed, again after, and a third time;
        // `z` only among the indexed keys.
        let mut text = String::from("a: 1\n");
        for key in 0..SMALL_MAPPING * 2 {
            text.push_str(&format!("k{key}: {key}\n"));
            if key == SMALL_MAPPING + 3 {
                text.push_str("a: 2\nz: 1\n");
            }
        }
        text.push_str("a: 3\nz: 2\n");
        let document = parse(&text, YamlLimits::default()).unwrap();
        assert_eq!(document.root.get("a").unwrap().as_str(), Some("3"));
        assert_eq!(document.root.as_map().unwrap().len(), SMALL_MAPPING * 2 + 2);
        let reported: Vec<String> = document
            .duplicates
            .iter()
            .map(|error| format!("{} {} {:?}", error.line, error.message, error.related))
            .collect();
        let (a, z) =
            ("duplicate key `a`; the last value is used", "duplicate key `z`; the last value is used");
        let (second_a, third_a) = (SMALL_MAPPING + 6, SMALL_MAPPING * 2 + 4);
        assert_eq!(
            reported,
            [
                format!("{second_a} {a} Some((1, 1))"),
                format!("{third_a} {a} Some(({second_a}, 1))"),
                format!("{} {z} Some(({}, 1))", third_a + 1, second_a + 1),
            ]
        );
    }

    #[test]
    fn under_indented_flow_collections_are_read_as_pyyaml_reads_them() {
        let text = "Policy:\n  Statement: [{\n    \"Effect\": \"Allow\",\n  \"Action\": \"sqs:*\"\n  }]\nSchema: {\"a\": 1,\n\"b\": 2}\n";
        let root = read(text);
        let statement = &root.path(&["Policy", "Statement"]).unwrap().as_seq().unwrap()[0];
        let (key, value) = statement.entry("Action").unwrap();
        assert_eq!(value.as_str(), Some("sqs:*"));
        assert_eq!((key.line, key.column), (4, 3), "positions are those of the original text");
        assert_eq!(root.path(&["Schema", "b"]).unwrap().as_str(), Some("2"));
        // Block structure is never re-indented: a wrongly indented key stays an error.
        assert!(parse("a:\n    b: 1\n  c: 2\n", YamlLimits::default()).is_err());
    }

    #[test]
    fn budgets_refuse_bombs_and_deep_nesting() {
        let mut bomb = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 0..8u8 {
            let (prev, next) = ((b'a' + level) as char, (b'b' + level) as char);
            bomb.push_str(&format!("{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let small = YamlLimits { max_depth: 64, max_nodes: 10_000 };
        assert!(fails(&bomb, small).contains("more than 10000 nodes"), "{}", fails(&bomb, small));
        assert!(fails(&bomb, YamlLimits::default()).contains("more than 2000000 nodes"));

        let deep = format!("{}1", "- ".repeat(100));
        assert_eq!(fails(&deep, small), "1:129 nesting deeper than the limit of 64 levels");
        let deep_block: String = (0..100).map(|depth| format!("{}k:\n", "  ".repeat(depth))).collect();
        assert!(fails(&deep_block, small).contains("nesting deeper than the limit of 64 levels"));
    }

    /// 100,000 levels, as the hostile-input tests ask: refused, in bounded time, no overflow.
    #[test]
    fn hundred_thousand_levels_are_refused() {
        for text in
            [format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000)), format!("{}1", "- ".repeat(100_000))]
        {
            let error = parse(&text, YamlLimits::default()).unwrap_err();
            assert!(error.message.contains("limit"), "{}", error.message);
        }
    }

    #[test]
    fn empty_documents_are_null() {
        assert!(read("").is_null());
        assert!(read("# only a comment\n").is_null());
    }
}
