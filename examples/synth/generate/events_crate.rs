//! The events crate of a domain: its `#[event]` types, grouped by thing, with the catalog of
//! names, the envelope, the shared value types and test helpers.

use super::plan::{Domain, EventSpec, Field, Plan, Shape};
use super::rng::Rng;
use super::rust_file::{Filler, RustFile, Subject, fill_file, target_lines};
use super::templates::package_manifest;
use super::text::{fill, snake, words};
use super::vocabulary::Ty;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// A literal of a field type, for tests and samples.
fn literal(ty: Ty, field: &str, n: usize) -> String {
    match ty {
        Ty::Str if field == "correlation_id" => format!("\"corr-{n:04}\".to_owned()"),
        Ty::Str => format!("\"{}-{n}\".to_owned()", field.replace('_', "-")),
        Ty::U32 => (n % 90 + 1).to_string(),
        Ty::U64 => ((n % 900 + 1) * 10).to_string(),
        Ty::I64 => format!("-{}", n % 500 + 1),
        Ty::Bool => "true".to_owned(),
        Ty::OptStr => format!("Some(\"{}\".to_owned())", field.replace('_', " ")),
        Ty::OptU64 => format!("Some({})", n % 60 + 1),
        Ty::VecStr => "vec![\"first\".to_owned(), \"second\".to_owned()]".to_owned(),
        Ty::Money => format!("Money::new({}, \"EUR\")", (n % 90 + 1) * 125),
        Ty::Lines => "vec![LineItem::new(\"SKU-1\", 2, Money::new(500, \"EUR\"))]".to_owned(),
        Ty::Address => "Address::default()".to_owned(),
    }
}

/// The declaration of `field` in a struct or variant, with its doc and serde attributes.
fn field_declaration(field: &Field, indent_by: usize, public: bool) -> String {
    let pad = " ".repeat(indent_by);
    let mut out = format!("{pad}/// {}\n", field.doc);
    match field.ty {
        Ty::OptStr | Ty::OptU64 => {
            let _ = writeln!(out, "{pad}#[serde(default, skip_serializing_if = \"Option::is_none\")]");
        }
        Ty::VecStr | Ty::Lines => {
            let _ = writeln!(out, "{pad}#[serde(default)]");
        }
        _ => {}
    }
    let _ = writeln!(out, "{pad}{}{}: {},", if public { "pub " } else { "" }, field.name, field.ty.rust());
    out
}

/// The Rust of one `#[event]` type, its test, and the common types it uses.
fn event_item(spec: &EventSpec, rng: &mut Rng, n: usize) -> (String, String, BTreeSet<&'static str>) {
    let rust = spec.rust.clone().unwrap_or_default();
    let mut common = BTreeSet::new();
    let mut text = format!("/// {}\n{}\n", spec.doc, spec.attribute);
    let sample = match &spec.shape {
        Shape::Struct(fields) => {
            text.push_str("#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]\n");
            let _ = writeln!(text, "pub struct {rust} {{");
            for field in fields {
                common.extend(field.ty.common());
                text.push_str(&field_declaration(field, 4, true));
            }
            text.push_str("}\n\n");
            let _ = write!(
                text,
                "impl DomainEvent for {rust} {{
    const NAME: &'static str = \"{}\";

    fn correlation_id(&self) -> &str {{
        &self.correlation_id
    }}
}}
",
                spec.name
            );
            let id =
                fields.iter().find(|field| field.name.ends_with("_id") && field.name != "correlation_id");
            if let Some(id) = id
                && rng.percent(50)
            {
                let _ = write!(
                    text,
                    "
impl {rust} {{
    /// {a} `{rust}` for `{id}` in the chain `correlation_id`; the other fields at their defaults.
    pub fn new(correlation_id: impl Into<String>, {id}: impl Into<String>) -> Self {{
        Self {{
            correlation_id: correlation_id.into(),
            {id}: {id}.into(),
            ..Self::default()
        }}
    }}
}}
",
                    a = if rust.starts_with(['A', 'E', 'I', 'O', 'U']) { "An" } else { "A" },
                    id = id.name
                );
            }
            let values: Vec<String> = fields
                .iter()
                .enumerate()
                .map(|(k, field)| {
                    format!("        {}: {},", field.name, literal(field.ty, &field.name, n + k))
                })
                .collect();
            format!("{rust} {{\n{}\n    }}", values.join("\n"))
        }
        Shape::Enum(variants) => {
            text.push_str("#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]\n");
            text.push_str("#[serde(tag = \"outcome\", rename_all = \"snake_case\")]\n");
            let _ = writeln!(text, "pub enum {rust} {{");
            for (variant, doc, fields) in variants {
                let _ = writeln!(text, "    /// {doc}\n    {variant} {{");
                for field in fields {
                    common.extend(field.ty.common());
                    text.push_str(&field_declaration(field, 8, false));
                }
                text.push_str("    },\n");
            }
            text.push_str("}\n\n");
            let arms = variants
                .iter()
                .map(|(variant, ..)| format!("Self::{variant} {{ correlation_id, .. }}"))
                .collect::<Vec<_>>();
            let _ = write!(
                text,
                "impl DomainEvent for {rust} {{
    const NAME: &'static str = \"{}\";

    fn correlation_id(&self) -> &str {{
        match self {{
            {} => correlation_id,
        }}
    }}
}}
",
                spec.name,
                arms.join("\n            | ")
            );
            let (variant, _, fields) = &variants[0];
            let values: Vec<String> = fields
                .iter()
                .enumerate()
                .map(|(k, field)| {
                    format!("        {}: {},", field.name, literal(field.ty, &field.name, n + k))
                })
                .collect();
            format!("{rust}::{variant} {{\n{}\n    }}", values.join("\n"))
        }
        Shape::Untyped => String::new(),
    };
    let test = format!(
        "#[test]
fn {}_round_trips_through_json() {{
    let event = {sample};
    let json = serde_json::to_string(&event).unwrap();
    assert_eq!(serde_json::from_str::<{rust}>(&json).unwrap(), event);
    assert_eq!({rust}::NAME, \"{}\");
}}
",
        snake(&rust),
        spec.name
    );
    (text, test, common)
}

/// Writes the events crate of `domain`: its manifest, `lib.rs`, the catalog of names, the
/// envelope, the common types, test helpers and a module of `#[event]` types per thing.
pub(super) fn write_events_crate(
    plan: &Plan,
    domain: &Domain,
    seed: u64,
    files: &mut BTreeMap<String, String>,
) {
    let dir = format!("{}/events", domain.dir);
    let package = domain.events_crate();
    let mut rng = Rng::new(seed, &format!("crate:{package}"));
    let domain_words = words(&domain.name);
    let dependencies: BTreeSet<String> =
        ["flowdoc-annotations", "serde", "serde_json"].iter().map(|s| (*s).to_owned()).collect();
    files.insert(
        format!("{dir}/Cargo.toml"),
        package_manifest(&package, &format!("The events of the {domain_words} domain."), &dependencies),
    );
    let mut modules: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &event in &domain.events {
        modules.entry(plan.events[event].entity.snake.clone()).or_default().push(event);
    }
    let subject = Subject { entity: domain.entity_pool[0].clone(), domain: domain.name.clone() };

    // lib.rs
    let mut lib = RustFile::new(&fill(
        "The events of the @domain@ domain: what its services publish, with the fields consumers may
rely on. Every event carries the `correlation_id` of the request that started its chain, and
says its name through [`DomainEvent::NAME`].

Events travel as JSON. On topics and queues the message attribute [`EVENT_TYPE_ATTRIBUTE`]
names the event (subscription filter policies match it); on event buses the `detail-type` does,
with [`SOURCE`] as the `source`.",
        &[("domain", &domain_words)],
    ));
    for module in ["catalog", "common", "envelope", "testing"] {
        lib.add_mod(format!("pub mod {module};"));
    }
    for module in modules.keys() {
        lib.add_mod(format!("pub mod {module};"));
    }
    lib.add_mod(String::new());
    lib.add_mod("pub use common::{Address, LineItem, Money};".to_owned());
    lib.add_mod("pub use envelope::{DomainEvent, Envelope};".to_owned());
    for module in modules.keys() {
        lib.add_mod(format!("pub use {module}::*;"));
    }
    lib.item(
        "/// The message attribute that names the event a message carries.
pub const EVENT_TYPE_ATTRIBUTE: &str = \"event_type\";
"
        .to_owned(),
    );
    lib.item(format!(
        "/// The EventBridge `source` of the events of this domain.\npub const SOURCE: &str = \"{}\";\n",
        domain.name
    ));
    lib.item(
        "/// The message attribute that carries the correlation id.
pub const CORRELATION_ID_ATTRIBUTE: &str = \"correlation_id\";
"
        .to_owned(),
    );
    files.insert(format!("{dir}/src/lib.rs"), lib.render());

    // envelope.rs
    let mut envelope =
        RustFile::new("The envelope events travel in, and what every event of the domain says about itself.");
    envelope.add_use("serde::{Deserialize, Serialize}");
    envelope.add_use("std::collections::BTreeMap");
    envelope.item(ENVELOPE.to_owned());
    envelope.test(ENVELOPE_TEST.to_owned());
    files.insert(format!("{dir}/src/envelope.rs"), envelope.render());

    // common.rs
    let mut common = RustFile::new(&format!(
        "Values the events of the {domain_words} domain share: money, order lines, addresses."
    ));
    common.add_use("serde::{Deserialize, Serialize}");
    common.add_use("std::fmt");
    common.item(COMMON.to_owned());
    for test in COMMON_TESTS {
        common.test((*test).to_owned());
    }
    let target = target_lines(&mut rng);
    fill_file(&mut common, &mut rng, &subject, &[Filler::Status], target.min(260));
    files.insert(format!("{dir}/src/common.rs"), common.render());

    // catalog.rs
    let mut names: Vec<&str> = domain.events.iter().map(|&event| plan.events[event].name.as_str()).collect();
    names.sort_unstable();
    let mut catalog = RustFile::new(
        "Every event of the domain by name, for routing and for checks that nothing is missing.",
    );
    let list = names.iter().map(|name| format!("    \"{name}\",\n")).collect::<String>();
    catalog.item(format!(
        "/// The names of the domain's events, sorted.\npub const EVENT_NAMES: &[&str] = &[\n{list}];\n"
    ));
    catalog.item(
        "/// Whether `name` is an event of this domain.
pub fn is_known(name: &str) -> bool {
    EVENT_NAMES.binary_search(&name).is_ok()
}
"
        .to_owned(),
    );
    catalog.item(
        "/// The events whose name starts with `prefix`, as in `\"Order\"`.
pub fn with_prefix(prefix: &str) -> impl Iterator<Item = &'static str> + '_ {
    EVENT_NAMES.iter().copied().filter(move |name| name.starts_with(prefix))
}
"
        .to_owned(),
    );
    catalog.test(
        "#[test]
fn names_are_sorted_and_unique() {
    assert!(EVENT_NAMES.windows(2).all(|pair| pair[0] < pair[1]));
}
"
        .to_owned(),
    );
    if let Some(first) = names.first() {
        catalog.test(format!(
            "#[test]
fn knows_its_events() {{
    assert!(is_known(\"{first}\"));
    assert!(!is_known(\"NoSuchEvent\"));
}}
"
        ));
    }
    files.insert(format!("{dir}/src/catalog.rs"), catalog.render());

    // testing.rs
    let mut testing = RustFile::new("Helpers for the tests of the services that consume these events.");
    testing.add_use("crate::common::{LineItem, Money}");
    testing.item(fill(
        "/// A correlation id for tests: a fixed prefix and a number, so failures are easy to read.
pub fn correlation_id(n: u32) -> String {
    format!(\"corr-@domain@-{n:04}\")
}

/// `cents` in euros.
pub fn euros(cents: u64) -> Money {
    Money::new(cents, \"EUR\")
}

/// `quantity` items of `sku` at one euro each.
pub fn line(sku: &str, quantity: u32) -> LineItem {
    LineItem::new(sku, quantity, euros(100))
}
",
        &[("domain", &domain.name)],
    ));
    testing.test(
        "#[test]
fn correlation_ids_differ() {
    assert_ne!(correlation_id(1), correlation_id(2));
    assert_eq!(line(\"A\", 3).total(), euros(300));
}
"
        .to_owned(),
    );
    files.insert(format!("{dir}/src/testing.rs"), testing.render());

    // One module per thing; a folder of modules for a thing with many events.
    let mut n = 1;
    for (module, events) in &modules {
        let entity = &plan.events[events[0]].entity;
        let about = format!("Events about {} in the {domain_words} domain", entity.plural.replace('_', " "));
        if events.len() <= EVENTS_PER_FILE {
            let text = events_module(plan, events, &format!("{about}."), &mut rng, &mut n);
            files.insert(format!("{dir}/src/{module}.rs"), text);
            continue;
        }
        let chunks: Vec<&[usize]> = events.chunks(EVENTS_PER_FILE).collect();
        let mut parent = RustFile::new(&format!("{about}, in groups."));
        for (index, chunk) in chunks.iter().enumerate() {
            let group =
                EVENT_GROUPS.get(index).map_or_else(|| format!("group_{index}"), |group| (*group).to_owned());
            parent.add_mod(format!("mod {group};"));
            let names =
                chunk.iter().map(|&event| format!("`{}`", plan.events[event].name)).collect::<Vec<_>>();
            let doc = format!("{about}: {}.", names.join(", "));
            let text = events_module(plan, chunk, &doc, &mut rng, &mut n);
            files.insert(format!("{dir}/src/{module}/{group}.rs"), text);
        }
        parent.add_mod(String::new());
        for index in 0..chunks.len() {
            let group =
                EVENT_GROUPS.get(index).map_or_else(|| format!("group_{index}"), |group| (*group).to_owned());
            parent.add_mod(format!("pub use self::{group}::*;"));
        }
        files.insert(format!("{dir}/src/{module}/mod.rs"), parent.render());
    }
}

/// At most this many events go in one file of an events crate.
const EVENTS_PER_FILE: usize = 6;

/// The files of a thing with more events than fit one.
const EVENT_GROUPS: &[&str] = &[
    "lifecycle",
    "workflow",
    "checks",
    "handover",
    "tracking",
    "reporting",
    "maintenance",
    "history",
    "integration",
];

/// A module of `#[event]` types, with their tests.
fn events_module(plan: &Plan, events: &[usize], doc: &str, rng: &mut Rng, n: &mut usize) -> String {
    {
        let mut file = RustFile::new(doc);
        let mut common_used = BTreeSet::new();
        let mut bare = false;
        for &event in events {
            let spec = &plan.events[event];
            let (item, test, common) = event_item(spec, rng, *n);
            *n += 7;
            bare |= spec.attribute.starts_with("#[event");
            common_used.extend(common);
            file.item(item);
            file.test(test);
        }
        if bare {
            file.add_use("flowdoc_annotations::event");
        }
        file.add_use("serde::{Deserialize, Serialize}");
        file.add_use("crate::envelope::DomainEvent");
        // Samples of `Vec<LineItem>` fields name `Money` too.
        if !common_used.contains("Money") && file.tests.iter().any(|test| test.contains("Money::")) {
            file.test_uses.insert("crate::common::Money".to_owned());
        }
        if !common_used.is_empty() {
            let list = common_used.iter().copied().collect::<Vec<_>>();
            if list.len() == 1 {
                file.add_use(&format!("crate::common::{}", list[0]));
            } else {
                file.add_use(&format!("crate::common::{{{}}}", list.join(", ")));
            }
        }
        file.render()
    }
}

/// The `envelope` module of an events crate: the `DomainEvent` trait and the `Envelope` that
/// carries an event with its message attributes.
const ENVELOPE: &str = "/// What every event of the domain says about itself.
pub trait DomainEvent {
    /// The event's name: its `event_type` attribute and EventBridge `detail-type`.
    const NAME: &'static str;

    /// The correlation id the event carries.
    fn correlation_id(&self) -> &str;
}

/// An event with the attributes it travels with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The event's name.
    pub event_type: String,
    /// The EventBridge source.
    pub source: String,
    /// The correlation id, copied from the event so routing need not parse it.
    pub correlation_id: String,
    /// Extra message attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// The event itself.
    pub detail: T,
}

impl<T: DomainEvent> Envelope<T> {
    /// Wraps `detail` with its name and correlation id.
    pub fn wrap(detail: T) -> Self {
        Self {
            event_type: T::NAME.to_owned(),
            source: crate::SOURCE.to_owned(),
            correlation_id: detail.correlation_id().to_owned(),
            attributes: BTreeMap::new(),
            detail,
        }
    }

    /// Adds a message attribute.
    pub fn with_attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.insert(name.into(), value.into());
        self
    }

    /// The message attributes to send: the event type, the correlation id and the extras.
    pub fn message_attributes(&self) -> BTreeMap<String, String> {
        let mut attributes = self.attributes.clone();
        attributes.insert(crate::EVENT_TYPE_ATTRIBUTE.to_owned(), self.event_type.clone());
        attributes.insert(crate::CORRELATION_ID_ATTRIBUTE.to_owned(), self.correlation_id.clone());
        attributes
    }
}

impl<T: Serialize> Envelope<T> {
    /// The envelope as JSON.
    pub fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(self)
    }
}
";

/// The test of the `envelope` module, with the event it wraps.
const ENVELOPE_TEST: &str = "#[derive(Debug, Clone, PartialEq, Serialize)]
struct Ping {
    correlation_id: String,
}

impl DomainEvent for Ping {
    const NAME: &'static str = \"Ping\";

    fn correlation_id(&self) -> &str {
        &self.correlation_id
    }
}

#[test]
fn envelopes_carry_the_name_and_the_correlation_id() {
    let envelope = Envelope::wrap(Ping { correlation_id: \"c-1\".into() }).with_attribute(\"tenant\", \"t-9\");
    let attributes = envelope.message_attributes();
    assert_eq!(attributes[crate::EVENT_TYPE_ATTRIBUTE], \"Ping\");
    assert_eq!(attributes[crate::CORRELATION_ID_ATTRIBUTE], \"c-1\");
    assert_eq!(attributes[\"tenant\"], \"t-9\");
    assert!(envelope.to_json().unwrap().contains(\"\\\"detail\\\"\"));
}
";

/// The `common` module of an events crate: money, line items and addresses.
const COMMON: &str = "/// An amount of money in the smallest unit of its currency.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// The amount in cents (or the currency's smallest unit).
    pub amount_cents: u64,
    /// The ISO 4217 code, as in `EUR`.
    pub currency: String,
}

impl Money {
    /// `amount_cents` of `currency`.
    pub fn new(amount_cents: u64, currency: &str) -> Self {
        Self { amount_cents, currency: currency.to_owned() }
    }

    /// The sum of two amounts; None when the currencies differ or the sum overflows.
    pub fn checked_add(&self, other: &Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        Some(Money { amount_cents: self.amount_cents.checked_add(other.amount_cents)?, currency: self.currency.clone() })
    }

    /// `factor` times the amount, saturating.
    pub fn times(&self, factor: u32) -> Money {
        Money { amount_cents: self.amount_cents.saturating_mul(u64::from(factor)), currency: self.currency.clone() }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, \"{}.{:02} {}\", self.amount_cents / 100, self.amount_cents % 100, self.currency)
    }
}

/// One line of something ordered, billed or shipped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    /// The product's stock-keeping unit.
    pub sku: String,
    /// How many; at least 1.
    pub quantity: u32,
    /// The price of one.
    pub unit_price: Money,
}

impl LineItem {
    /// `quantity` of `sku` at `unit_price` each.
    pub fn new(sku: &str, quantity: u32, unit_price: Money) -> Self {
        Self { sku: sku.to_owned(), quantity, unit_price }
    }

    /// What the line comes to.
    pub fn total(&self) -> Money {
        self.unit_price.times(self.quantity)
    }
}

/// The sum of the lines' totals; None when they mix currencies or there are none.
pub fn total_of(lines: &[LineItem]) -> Option<Money> {
    let mut totals = lines.iter().map(LineItem::total);
    let first = totals.next()?;
    totals.try_fold(first, |sum, line| sum.checked_add(&line))
}

/// A postal address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Who receives things there.
    pub name: String,
    /// Street, number, floor: one entry per printed line.
    pub lines: Vec<String>,
    /// The postal code, as written in the country.
    pub postal_code: String,
    /// The city or town.
    pub city: String,
    /// The ISO 3166-1 alpha-2 code, as in `DE`.
    pub country: String,
}

impl Address {
    /// Whether a carrier could deliver to it.
    pub fn is_complete(&self) -> bool {
        !self.name.is_empty() && !self.lines.is_empty() && !self.city.is_empty() && self.country.len() == 2
    }

    /// The address on one line, for logs and labels.
    pub fn single_line(&self) -> String {
        let mut parts: Vec<&str> = vec![self.name.as_str()];
        parts.extend(self.lines.iter().map(String::as_str));
        parts.extend([self.postal_code.as_str(), self.city.as_str(), self.country.as_str()]);
        parts.into_iter().filter(|part| !part.is_empty()).collect::<Vec<_>>().join(\", \")
    }
}
";

/// The tests of the `common` module.
const COMMON_TESTS: &[&str] = &[
    "#[test]
fn money_adds_within_a_currency() {
    let a = Money::new(150, \"EUR\");
    assert_eq!(a.checked_add(&Money::new(50, \"EUR\")), Some(Money::new(200, \"EUR\")));
    assert_eq!(a.checked_add(&Money::new(50, \"USD\")), None);
    assert_eq!(a.to_string(), \"1.50 EUR\");
}
",
    "#[test]
fn totals_of_lines() {
    let lines = [LineItem::new(\"A\", 2, Money::new(250, \"EUR\")), LineItem::new(\"B\", 1, Money::new(100, \"EUR\"))];
    assert_eq!(total_of(&lines), Some(Money::new(600, \"EUR\")));
    assert_eq!(total_of(&[]), None);
}
",
    "#[test]
fn addresses_on_one_line() {
    let address = Address {
        name: \"Ada\".into(),
        lines: vec![\"Main St 1\".into()],
        postal_code: \"10115\".into(),
        city: \"Berlin\".into(),
        country: \"DE\".into(),
    };
    assert!(address.is_complete());
    assert_eq!(address.single_line(), \"Ada, Main St 1, 10115, Berlin, DE\");
}
",
];
