//! Filler items that are data types: records with constructors and builders, status enums, and
//! error enums, each with its tests.

use super::plan::Entity;
use super::rng::Rng;
use super::rust_file::{FillerOutput, RustFile, Subject};
use super::text::{article, fill, pascal_to_sentence, snake, words};
use std::fmt::Write as _;

/// What a record is, after the thing it is about: `OrderSnapshot`, `CartWindow`.
const RECORD_NOUNS: &[&str] = &[
    "Snapshot",
    "Summary",
    "Window",
    "Draft",
    "Line",
    "Entry",
    "Profile",
    "Quota",
    "Budget",
    "Lease",
    "Slot",
    "Plan",
    "Digest",
    "Manifest",
    "Checkpoint",
    "Cursor",
    "Segment",
    "Marker",
    "Projection",
    "View",
    "Row",
    "Request",
    "Change",
    "Hold",
    "Claim",
    "Limit",
    "Offer",
    "Match",
];

/// Fields of filler structs: name, type, default, doc.
const RECORD_FIELDS: &[(&str, &str, &str, &str)] = &[
    ("label", "String", "String::new()", "A short name people see."),
    ("region", "String", "String::new()", "The region it belongs to."),
    ("owner", "String", "String::new()", "The team or user that owns it."),
    ("channel", "String", "String::new()", "Where it came in."),
    ("currency", "String", "String::new()", "ISO 4217 code of the amounts."),
    ("attempts", "u32", "0", "How many times it was tried."),
    ("quantity", "u32", "0", "How many units."),
    ("priority", "u32", "0", "0 is the most urgent."),
    ("version", "u32", "0", "Grows by one with every change."),
    ("total_cents", "u64", "0", "The total in cents."),
    ("size_bytes", "u64", "0", "The size on the wire."),
    ("sequence", "u64", "0", "Where it is in the stream."),
    ("elapsed_ms", "u64", "0", "How long it took."),
    ("budget_cents", "u64", "0", "What may be spent, in cents."),
    ("balance_cents", "i64", "0", "The balance in cents; negative when overdrawn."),
    ("offset_secs", "i64", "0", "The offset from UTC, in seconds."),
    ("active", "bool", "false", "Whether it is in use."),
    ("archived", "bool", "false", "Whether it was archived."),
    ("verified", "bool", "false", "Whether someone checked it."),
    ("urgent", "bool", "false", "Whether it jumps the queue."),
    ("note", "Option<String>", "None", "A note, if anyone wrote one."),
    ("parent_id", "Option<String>", "None", "What it belongs to, if anything."),
    ("assignee", "Option<String>", "None", "Who works on it, once assigned."),
    ("tags", "Vec<String>", "Vec::new()", "Labels, in the order they were added."),
    ("recipients", "Vec<String>", "Vec::new()", "Who is told about it."),
    ("warnings", "Vec<String>", "Vec::new()", "What looked odd but did not stop it."),
    ("counts", "BTreeMap<String, u64>", "BTreeMap::new()", "How many of each kind."),
    ("limits", "BTreeMap<String, u64>", "BTreeMap::new()", "The limit per key."),
];

/// A sample value of a filler field type, for tests.
fn sample_value(ty: &str, rng: &mut Rng) -> String {
    match ty {
        "String" => format!("\"{}\".to_owned()", rng.pick(&["eu-west-1", "web", "team-a", "EUR", "blue"])),
        "u32" => rng.range(1, 40).to_string(),
        "u64" => (rng.range(1, 900) * 10).to_string(),
        "i64" => format!("-{}", rng.range(1, 500)),
        "bool" => "true".to_owned(),
        "Option<String>" => format!("Some(\"{}\".to_owned())", rng.pick(&["first", "ops", "u-17"])),
        "Vec<String>" => "vec![\"a\".to_owned(), \"b\".to_owned()]".to_owned(),
        _ => "BTreeMap::from([(\"a\".to_owned(), 3)])".to_owned(),
    }
}

/// A struct with a constructor, builder methods and a summary, and its tests.
pub(super) fn record_filler(file: &mut RustFile, rng: &mut Rng, topic: &Subject) -> FillerOutput {
    let entity = &topic.entity;
    let noun = rng.pick(RECORD_NOUNS);
    let name = file.unique(&format!("{}{noun}", entity.pascal()), &["Record", "Info", "Data"]);
    let lower = format!("{} {}", entity.words(), noun.to_ascii_lowercase());
    let key = (*rng.pick(&["id", "key", "name", "reference", "code", "slug"])).to_owned();
    let key = if key == "id" { format!("{}_id", entity.snake) } else { key };
    let count = rng.range(3, 7);
    let fields = rng.sample(RECORD_FIELDS, count);
    let mut derives = vec!["Debug", "Clone", "PartialEq", "Eq"];
    if rng.percent(50) {
        derives.push("Default");
    }
    if rng.percent(30) {
        derives.push("Hash");
    }
    if rng.percent(25) {
        derives.extend(["PartialOrd", "Ord"]);
    }
    let docs = [
        "@A@ @lower@, as this service keeps it.",
        "What the service knows about @a@ @lower@ at one point in time.",
        "@A@ @lower@. Cheap to clone; built with [`@name@::new`] and the `with_` methods.",
        "One @lower@ as read from storage or a request.",
    ];
    let a = article(&lower);
    let capital_a = if a == "an" { "An" } else { "A" };
    let template = *rng.pick(&docs);
    let doc = fill(template, &[("A", capital_a), ("a", a), ("lower", &lower), ("name", &name)]);
    let mut text = format!("/// {doc}\n#[derive({})]\npub struct {name} {{\n", derives.join(", "));
    let _ = writeln!(text, "    /// The key it is stored under.\n    pub {key}: String,");
    let mut uses = Vec::new();
    for (field, ty, _, field_doc) in &fields {
        if ty.starts_with("BTreeMap") {
            uses.push("std::collections::BTreeMap");
        }
        let _ = writeln!(text, "    /// {field_doc}\n    pub {field}: {ty},");
    }
    text.push_str("}\n\n");
    let _ = writeln!(text, "impl {name} {{");
    let _ = writeln!(
        text,
        "    /// Creates {a} {lower} for `{key}`, everything else at its default.
    pub fn new({key}: impl Into<String>) -> Self {{
        Self {{
            {key}: {key}.into(),"
    );
    for (field, _, default, _) in &fields {
        let _ = writeln!(text, "            {field}: {default},");
    }
    text.push_str("        }\n    }\n");
    // A predicate on one field.
    let (field, ty, _, _) = fields[rng.below(fields.len())];
    let threshold = rng.range(2, 50);
    let (adjective, body) = match ty {
        "bool" => (field.to_owned(), format!("self.{field}")),
        "u32" | "u64" => ("over_limit".to_owned(), format!("self.{field} > {threshold}")),
        "i64" => ("negative".to_owned(), format!("self.{field} < 0")),
        "Option<String>" => ("linked".to_owned(), format!("self.{field}.is_some()")),
        "Vec<String>" => ("tagged".to_owned(), format!("!self.{field}.is_empty()")),
        "String" => ("named".to_owned(), format!("!self.{field}.trim().is_empty()")),
        _ => ("counted".to_owned(), format!("self.{field}.values().any(|count| *count > {threshold})")),
    };
    let _ = write!(
        text,
        "
    /// Whether the {lower} is {}.
    pub fn is_{adjective}(&self) -> bool {{
        {body}
    }}
",
        words(&adjective)
    );
    let _ = write!(
        text,
        "
    /// One line about the {lower}, for logs.
    pub fn summary(&self) -> String {{
        format!(\"{lower} {{}} ({field}: {{:?}})\", self.{key}, self.{field})
    }}
"
    );
    let mut tests = Vec::new();
    for (field, ty, _, _) in fields.iter().take(rng.range(0, 2)) {
        let _ = write!(
            text,
            "
    /// Sets `{field}`.
    pub fn with_{field}(mut self, {field}: {ty}) -> Self {{
        self.{field} = {field};
        self
    }}
"
        );
        let value = sample_value(ty, rng);
        tests.push(format!(
            "#[test]
fn {}_with_{field}_keeps_the_value() {{
    let value = {name}::new(\"k-1\").with_{field}({value});
    assert_eq!(value.{field}, {value});
}}
",
            snake(&name)
        ));
    }
    text.push_str("}\n");
    let sample = rng.pick(&["k-1", "alpha", "x9", "eu-7"]);
    tests.push(format!(
        "#[test]
fn new_{}_has_its_key() {{
    let value = {name}::new(\"{sample}\");
    assert_eq!(value.{key}, \"{sample}\");
    assert!(value.summary().contains(\"{sample}\"));
}}
",
        snake(&name)
    ));
    if rng.percent(50) {
        tests.truncate(1);
    }
    (text, tests, uses)
}

/// Status-like enums: the suffix of the name and the variants.
const STATUS_SETS: &[(&str, &[&str])] = &[
    ("Status", &["Pending", "Active", "Suspended", "Closed"]),
    ("State", &["Draft", "Submitted", "Approved", "Rejected", "Archived"]),
    ("Stage", &["Queued", "Running", "Succeeded", "Failed", "Cancelled"]),
    ("Phase", &["New", "Assigned", "InProgress", "Resolved"]),
    ("Priority", &["Low", "Normal", "High", "Urgent"]),
    ("Cadence", &["Hourly", "Daily", "Weekly", "Monthly"]),
    ("Outcome", &["Accepted", "Partial", "Declined", "TimedOut"]),
    ("Tier", &["Free", "Standard", "Plus", "Enterprise"]),
    ("Mode", &["Live", "Shadow", "DryRun"]),
];

/// A status enum with names, a terminal check, the next status, `Display` and `FromStr`, and
/// its test.
pub(super) fn status_filler(file: &mut RustFile, rng: &mut Rng, topic: &Subject) -> FillerOutput {
    let (suffix, variants) = *rng.pick(STATUS_SETS);
    let name = file.unique(&format!("{}{suffix}", topic.entity.pascal()), &["Kind", "Value", "Code"]);
    let lower = format!("{} {}", topic.entity.words(), suffix.to_ascii_lowercase());
    let mut text = format!(
        "/// The {lower}. Stored and sent as its snake-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum {name} {{
"
    );
    for variant in variants.iter() {
        let _ = writeln!(text, "    /// {}.\n    {variant},", pascal_to_sentence(variant));
    }
    text.push_str("}\n\n");
    let all = variants.iter().map(|v| format!("Self::{v}")).collect::<Vec<_>>().join(", ");
    let _ = writeln!(
        text,
        "impl {name} {{\n    /// Every {lower}, in order.\n    pub const ALL: [Self; {}] = [{all}];\n",
        variants.len()
    );
    text.push_str(
        "    /// The name used in messages and logs.
    pub fn as_str(self) -> &'static str {
        match self {
",
    );
    for variant in variants.iter() {
        let _ = writeln!(text, "            Self::{variant} => \"{}\",", snake(variant));
    }
    text.push_str("        }\n    }\n");
    let last = variants[variants.len() - 1];
    let terminal = if variants.len() > 3 {
        format!("Self::{} | Self::{last}", variants[variants.len() - 2])
    } else {
        format!("Self::{last}")
    };
    let _ = write!(
        text,
        "
    /// Whether nothing follows this {lower}.
    pub fn is_terminal(self) -> bool {{
        matches!(self, {terminal})
    }}
"
    );
    if rng.percent(50) {
        let _ = write!(
            text,
            "
    /// The {lower} after this one, if the flow goes on.
    pub fn next(self) -> Option<Self> {{
        match self {{
"
        );
        for pair in variants.windows(2) {
            let _ = writeln!(text, "            Self::{} => Some(Self::{}),", pair[0], pair[1]);
        }
        let _ = writeln!(text, "            Self::{last} => None,");
        text.push_str("        }\n    }\n");
    }
    text.push_str("}\n\n");
    let _ = write!(
        text,
        "impl fmt::Display for {name} {{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{
        f.write_str(self.as_str())
    }}
}}

"
    );
    let _ = write!(
        text,
        "impl std::str::FromStr for {name} {{
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {{
        Self::ALL
            .into_iter()
            .find(|value| value.as_str() == text)
            .ok_or_else(|| format!(\"unknown {lower} `{{text}}`\"))
    }}
}}
"
    );
    let test = format!(
        "#[test]
fn {}_names_round_trip() {{
    for value in {name}::ALL {{
        assert_eq!(value.as_str().parse::<{name}>(), Ok(value));
    }}
    assert!(\"nonsense\".parse::<{name}>().is_err());
}}
",
        snake(&name)
    );
    (text, vec![test], vec!["std::fmt"])
}

/// Error variants: declaration, display arm, a constructor, whether retryable, pattern.
fn error_variants(entity: &Entity) -> Vec<(String, String, String, bool, String)> {
    let id = format!("{}_id", entity.snake);
    let lower = entity.words();
    vec![
        (
            format!("    /// No {lower} with that id.\n    NotFound {{ {id}: String }},"),
            format!("Self::NotFound {{ {id} }} => write!(f, \"{lower} `{{{id}}}` was not found\"),"),
            format!("NotFound {{ {id}: \"x-1\".to_owned() }}"),
            false,
            "NotFound { .. }".to_owned(),
        ),
        (
            "    /// Someone else changed it first.\n    Conflict { expected: u64, found: u64 },".to_owned(),
            "Self::Conflict { expected, found } => write!(f, \"version conflict: expected {expected}, found {found}\"),".to_owned(),
            "Conflict { expected: 3, found: 4 }".to_owned(),
            true,
            "Conflict { .. }".to_owned(),
        ),
        (
            "    /// The input breaks a rule.\n    Invalid(String),".to_owned(),
            format!("Self::Invalid(reason) => write!(f, \"invalid {lower}: {{reason}}\"),"),
            "Invalid(\"empty\".to_owned())".to_owned(),
            false,
            "Invalid(_)".to_owned(),
        ),
        (
            "    /// A call took too long.\n    Timeout { after_ms: u64 },".to_owned(),
            "Self::Timeout { after_ms } => write!(f, \"timed out after {after_ms} ms\"),".to_owned(),
            "Timeout { after_ms: 3000 }".to_owned(),
            true,
            "Timeout { .. }".to_owned(),
        ),
        (
            "    /// The downstream service asked us to slow down.
    Throttled { retry_after_secs: u32 },".to_owned(),
            "Self::Throttled { retry_after_secs } => write!(f, \"throttled; retry in {retry_after_secs} s\"),".to_owned(),
            "Throttled { retry_after_secs: 2 }".to_owned(),
            true,
            "Throttled { .. }".to_owned(),
        ),
        (
            "    /// A dependency is down.\n    Unavailable(String),".to_owned(),
            "Self::Unavailable(service) => write!(f, \"{service} is unavailable\"),".to_owned(),
            "Unavailable(\"store\".to_owned())".to_owned(),
            true,
            "Unavailable(_)".to_owned(),
        ),
        (
            "    /// The request was understood and refused.
    Rejected { reason: String, code: u16 },".to_owned(),
            "Self::Rejected { reason, code } => write!(f, \"rejected ({code}): {reason}\"),".to_owned(),
            "Rejected { reason: \"limit\".to_owned(), code: 409 }".to_owned(),
            false,
            "Rejected { .. }".to_owned(),
        ),
        (
            "    /// A message could not be decoded.\n    Decode(String),".to_owned(),
            "Self::Decode(detail) => write!(f, \"cannot decode the message: {detail}\"),".to_owned(),
            "Decode(\"eof\".to_owned())".to_owned(),
            false,
            "Decode(_)".to_owned(),
        ),
    ]
}

/// An error enum; `name` fixes its name (the crate's main error), otherwise one is made up.
pub(super) fn error_filler(
    file: &mut RustFile,
    rng: &mut Rng,
    topic: &Subject,
    name: Option<&str>,
) -> FillerOutput {
    let name = match name {
        Some(name) => file.unique(name, &["Kind"]),
        None => {
            let suffix = rng.pick(&["Error", "Failure", "Problem"]);
            file.unique(&format!("{}{suffix}", topic.entity.pascal()), &["Kind", "Detail"])
        }
    };
    let all = error_variants(&topic.entity);
    let count = rng.range(3, 6);
    let chosen = rng.sample(&all, count);
    let doing = rng.pick(&[
        "while handling",
        "when storing",
        "when validating",
        "when publishing",
        "when looking up",
    ]);
    let mut text = format!(
        "/// What can go wrong {doing} {}.\n#[derive(Debug, Clone, PartialEq, Eq)]\npub enum {name} {{\n",
        topic.entity.plural.replace('_', " ")
    );
    for (declaration, ..) in &chosen {
        let _ = writeln!(text, "{declaration}");
    }
    text.push_str("}\n\n");
    let _ = writeln!(
        text,
        "impl fmt::Display for {name} {{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{
        match self {{"
    );
    for (_, arm, ..) in &chosen {
        let _ = writeln!(text, "            {arm}");
    }
    text.push_str("        }\n    }\n}\n\n");
    let _ = writeln!(text, "impl std::error::Error for {name} {{}}");
    let retryable: Vec<String> =
        chosen.iter().filter(|variant| variant.3).map(|variant| format!("Self::{}", variant.4)).collect();
    let mut tests = vec![format!(
        "#[test]
fn {}_messages_say_what_happened() {{
    let error = {name}::{};
    assert!(!error.to_string().is_empty());
}}
",
        snake(&name),
        chosen[0].2
    )];
    if !retryable.is_empty() {
        let _ = write!(
            text,
            "
impl {name} {{
    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {{
        matches!(self, {})
    }}
}}
",
            retryable.join(" | ")
        );
        if let Some(variant) = chosen.iter().find(|variant| variant.3) {
            tests.push(format!(
                "#[test]\nfn {}_{}_is_retryable() {{\n    assert!({name}::{}.is_retryable());\n}}\n",
                snake(&name),
                snake(variant.4.split([' ', '(']).next().unwrap_or("x")),
                variant.2
            ));
        }
    }
    (text, tests, vec!["std::fmt"])
}
