//! The crate of a function: its manifest, `main.rs`, configuration, error type and ordinary
//! modules (some kept in folders with children), around the handler file.

use super::fillers_data::error_filler;
use super::handler::handler_file;
use super::plan::{Domain, Function, Plan, Trigger};
use super::rng::Rng;
use super::rust_file::{Filler, RustFile, Subject, fill_file, target_lines};
use super::templates::package_manifest;
use super::text::{fill, pascal_to_sentence};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Ordinary modules: name, doc (`@things@`), the fillers they start with.
const MODULES: &[(&str, &str, &[Filler])] = &[
    (
        "model",
        "The @thing@ model: the values this service works with and the rules they follow.",
        &[Filler::Record, Filler::Status],
    ),
    (
        "store",
        "Storage of @things@: the trait the handler uses and an in-memory implementation for tests.",
        &[Filler::Store, Filler::Record],
    ),
    ("retry", "Retries and back-off for calls to other services.", &[Filler::AsyncHelper, Filler::Helper]),
    (
        "metrics",
        "Figures this service reports, and the helpers that compute them.",
        &[Filler::Stats, Filler::Helper],
    ),
    (
        "batch",
        "Splitting work on @things@ into pieces downstream services accept.",
        &[Filler::Pages, Filler::Helper],
    ),
    (
        "validate",
        "Checks on incoming @things@ before anything is stored or sent.",
        &[Filler::Error, Filler::Helper],
    ),
    (
        "telemetry",
        "Logging conventions: field names, levels, and what is never logged.",
        &[Filler::Constants, Filler::Helper],
    ),
    (
        "policy",
        "Business rules about @things@, kept apart from I/O so they are easy to test.",
        &[Filler::Record, Filler::Status, Filler::Helper],
    ),
    (
        "cache",
        "A small read-through cache in front of slow lookups of @things@.",
        &[Filler::Store, Filler::Stats],
    ),
    ("report", "What the service tells operators about @things@.", &[Filler::Record, Filler::Stats]),
    ("routing", "Which @thing@ goes where, decided from its attributes.", &[Filler::Status, Filler::Helper]),
];

/// Child modules of a module kept in a folder.
const CHILDREN: &[&str] = &["memory", "keys", "rules", "types", "checks", "format", "limits", "convert"];

/// A module of a crate: its name, doc, starting fillers and children.
#[derive(Clone, Debug)]
struct ModulePlan {
    name: String,
    doc: String,
    fillers: Vec<Filler>,
    children: Vec<String>,
    /// `mod.rs` in its folder, rather than `name.rs` beside the folder.
    mod_rs: bool,
}

/// How many `.rs` files a function's crate has: five to nine, most six or seven.
fn file_count(rng: &mut Rng) -> usize {
    match rng.below(100) {
        0..=24 => 5,
        25..=54 => 6,
        55..=79 => 7,
        80..=91 => 8,
        _ => 9,
    }
}

/// Writes the crate of `function`: its manifest, `main.rs` (and in some a `lib.rs`), the
/// handler file, the configuration, the error type and the ordinary modules.
pub(super) fn write_service_crate(
    plan: &Plan,
    domain: &Domain,
    function: &Function,
    seed: u64,
    files: &mut BTreeMap<String, String>,
) {
    let dir = format!("{}/{}", domain.dir, function.dir);
    let mut rng = Rng::new(seed, &format!("crate:{}", function.package));
    let subject = Subject { entity: function.entity.clone(), domain: domain.name.clone() };
    let things = function.entity.plural.replace('_', " ");
    let thing = function.entity.words();

    // Dependencies: the events crates of the typed events it names.
    let mut dependencies: BTreeSet<String> = ["lambda_runtime", "serde", "serde_json", "tokio", "tracing"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    if !function.consumes.is_empty() || !function.produces.is_empty() {
        dependencies.insert("flowdoc-annotations".to_owned());
    }
    let typed = function
        .consumes
        .iter()
        .map(|c| c.event)
        .chain(function.produces.iter().map(|p| p.event))
        .filter(|&event| plan.events[event].rust.is_some());
    for event in typed {
        dependencies.insert(plan.domains[plan.events[event].domain].events_crate());
    }
    files.insert(
        format!("{dir}/Cargo.toml"),
        package_manifest(&function.package, &function.description, &dependencies),
    );

    // Layout.
    let with_lib = rng.percent(30);
    let handler_module = *rng.pick(&["handler", "handler", "handler", "lambda", "entry"]);
    let wanted_files = file_count(&mut rng);
    let mut count = 4 + usize::from(with_lib);
    let mut kinds: Vec<&(&str, &str, &[Filler])> = MODULES.iter().collect();
    rng.shuffle(&mut kinds);
    let mut modules = Vec::new();
    while count < wanted_files {
        let Some((name, doc, fillers)) = kinds.pop() else { break };
        let room = wanted_files - count;
        let children = if room >= 3 && rng.percent(40) { rng.range(1, 2.min(room - 1)) } else { 0 };
        let children = rng.sample(CHILDREN, children).into_iter().map(str::to_owned).collect::<Vec<_>>();
        count += 1 + children.len();
        modules.push(ModulePlan {
            name: (*name).to_owned(),
            doc: fill(doc, &[("things", &things), ("thing", &thing)]),
            fillers: fillers.to_vec(),
            children,
            mod_rs: rng.percent(50),
        });
    }
    let mut top: Vec<String> = vec!["config".to_owned(), "error".to_owned(), handler_module.to_owned()];
    top.extend(modules.iter().map(|module| module.name.clone()));
    top.sort();

    // The root(s).
    let visibility = if with_lib { "pub " } else { "" };
    let root_doc = fill(
        "`@package@`: @description@

@trigger@ Built by cargo-lambda as the `@package@` binary; the function is `@id@` in the
domain's `template.yaml`.",
        &[
            ("package", &function.package),
            ("description", &function.description),
            ("trigger", &trigger_sentence(function)),
            ("id", &function.id),
        ],
    );
    let main_fn = fill(
        "/// Reads the configuration, then serves invocations until Lambda stops the function.
#[tokio::main(flavor = \"current_thread\")]
async fn main() -> Result<(), Error> {
    let config = config::Config::from_env()?;
    tracing::info!(service = config.service_name.as_str(), timeout_ms = config.request_timeout_ms, \"starting\");
    lambda_runtime::run(service_fn(@handler@::handle)).await
}
",
        &[("handler", handler_module)],
    );
    let mut root = RustFile::new(&root_doc);
    for module in &top {
        root.add_mod(format!("{visibility}mod {module};"));
    }
    if with_lib {
        let target = target_lines(&mut rng).min(200);
        fill_file(&mut root, &mut rng, &subject, &[Filler::Constants], target);
        files.insert(format!("{dir}/src/lib.rs"), root.render());
        let mut main = RustFile::new(&format!(
            "The Lambda binary of `{}`; the code is in the library.",
            function.package
        ));
        main.add_use(&format!("{}::{{config, {handler_module}}}", function.package.replace('-', "_")));
        main.add_use("lambda_runtime::{Error, service_fn}");
        main.item(main_fn);
        files.insert(format!("{dir}/src/main.rs"), main.render());
    } else {
        root.add_use("lambda_runtime::{Error, service_fn}");
        root.item(main_fn);
        let target = target_lines(&mut rng).min(220);
        fill_file(&mut root, &mut rng, &subject, &[], target);
        files.insert(format!("{dir}/src/main.rs"), root.render());
    }

    // config.rs and error.rs.
    files.insert(format!("{dir}/src/config.rs"), config_file(function, &subject, &mut rng));
    let mut error = RustFile::new(&format!(
        "The errors of `{}`: what goes wrong while handling {things}, and whether trying again may help.",
        function.package
    ));
    let (item, tests, uses) = error_filler(&mut error, &mut rng, &subject, Some("ServiceError"));
    for path in uses {
        error.add_use(path);
    }
    error.item(item);
    for test in tests {
        error.test(test);
    }
    let target = target_lines(&mut rng);
    fill_file(&mut error, &mut rng, &subject, &[Filler::Error], target);
    files.insert(format!("{dir}/src/error.rs"), error.render());

    // The handler.
    files.insert(format!("{dir}/src/{handler_module}.rs"), handler_file(plan, function, &subject, &mut rng));

    // Ordinary modules.
    for module in &modules {
        let mut file = RustFile::new(&module.doc);
        for child in &module.children {
            file.add_mod(format!("pub mod {child};"));
        }
        let target = target_lines(&mut rng);
        fill_file(&mut file, &mut rng, &subject, &module.fillers, target);
        let path = if module.children.is_empty() || !module.mod_rs {
            format!("{dir}/src/{}.rs", module.name)
        } else {
            format!("{dir}/src/{}/mod.rs", module.name)
        };
        files.insert(path, file.render());
        for child in &module.children {
            let doc = format!("{} of the `{}` module.", pascal_to_sentence(child), module.name);
            let mut file = RustFile::new(&doc);
            let target = target_lines(&mut rng);
            fill_file(&mut file, &mut rng, &subject, &[], target);
            files.insert(format!("{dir}/src/{}/{child}.rs", module.name), file.render());
        }
    }
}

/// A sentence saying what invokes `function`.
pub(super) fn trigger_sentence(function: &Function) -> String {
    let from = function.consumes.first().map(|c| c.from.clone()).unwrap_or_default();
    match &function.trigger {
        Trigger::Api(routes) => format!(
            "API Gateway invokes it for {}.",
            routes
                .iter()
                .map(|route| format!("`{} {}`", route.method.to_uppercase(), route.path))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Trigger::Stream => format!("It reads the stream of the `{from}` table in batches."),
        Trigger::Kinesis => format!("It reads the `{from}` Kinesis stream in batches."),
        Trigger::Queue => format!("It polls the `{from}` queue in batches."),
        Trigger::Sns => format!("The `{from}` topic invokes it, one message at a time."),
        Trigger::Bus => format!("EventBridge invokes it through `{from}`."),
        Trigger::Schedule(expression) => format!("EventBridge runs it on `{expression}`."),
    }
}

/// The `config` module of `function`: the environment variables it reads, with tests.
fn config_file(function: &Function, subject: &Subject, rng: &mut Rng) -> String {
    let mut file = RustFile::new(&format!(
        "The configuration of `{}`, read once at start-up from the environment SAM sets.",
        function.package
    ));
    file.add_use("std::fmt");
    let timeout = rng.pick(&["1_500", "3_000", "5_000", "8_000"]);
    let mut fields = String::new();
    let mut reads = String::new();
    for (var, value) in &function.env {
        let what = value.split_whitespace().nth(1).unwrap_or("the resource");
        let _ = writeln!(
            fields,
            "    /// `{var}`: set by the template from `{}`.\n    pub {}: String,",
            what.trim_matches('"'),
            var.to_ascii_lowercase()
        );
        let _ = writeln!(reads, "            {}: required(\"{var}\")?,", var.to_ascii_lowercase());
    }
    let required = if function.env.is_empty() {
        String::new()
    } else {
        "        let required =
            |name: &'static str| lookup(name).filter(|value| !value.is_empty()).ok_or(ConfigError::Missing(name));
".to_owned()
    };
    file.item(fill(
        "/// What the function needs to know about its surroundings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
@fields@    /// The name logs and metrics carry (`SERVICE_NAME`, default `@package@`).
    pub service_name: String,
    /// How long one downstream call may take, in milliseconds (`REQUEST_TIMEOUT_MS`).
    pub request_timeout_ms: u64,
}

/// Why the configuration could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// A required variable is not set, or empty.
    Missing(&'static str),
    /// A variable is set to something unusable.
    Invalid { name: &'static str, value: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing(name) => write!(f, \"the environment variable {name} is not set\"),
            Self::Invalid { name, value } => write!(f, \"{name} is set to `{value}`, which is not usable\"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The default of `request_timeout_ms`.
    pub const DEFAULT_TIMEOUT_MS: u64 = @timeout@;

    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, which gives a variable's value by name.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
@required@        let request_timeout_ms = match lookup(\"REQUEST_TIMEOUT_MS\") {
            Some(value) => value.parse().map_err(|_| ConfigError::Invalid { name: \"REQUEST_TIMEOUT_MS\", value })?,
            None => Self::DEFAULT_TIMEOUT_MS,
        };
        Ok(Self {
@reads@            service_name: lookup(\"SERVICE_NAME\").unwrap_or_else(|| \"@package@\".to_owned()),
            request_timeout_ms,
        })
    }
}
",
        &[("fields", &fields), ("package", &function.package), ("timeout", timeout), ("required", &required), ("reads", &reads)],
    ));
    let vars = function
        .env
        .iter()
        .map(|(var, _)| format!("(\"{var}\", \"value-of-{}\"), ", var.to_ascii_lowercase()))
        .collect::<String>();
    file.test(fill(
        "#[test]
fn reads_the_environment() {
    let vars = BTreeMap::from([@vars@(\"REQUEST_TIMEOUT_MS\", \"250\")]);
    let config = Config::from_lookup(|name| vars.get(name).map(|value| (*value).to_owned())).unwrap();
    assert_eq!(config.request_timeout_ms, 250);
    assert_eq!(config.service_name, \"@package@\");
}
",
        &[("vars", &vars), ("package", &function.package)],
    ));
    file.test_uses.insert("std::collections::BTreeMap".to_owned());
    file.test(
        "#[test]
fn rejects_a_timeout_that_is_not_a_number() {
    let error = Config::from_lookup(|name| (name == \"REQUEST_TIMEOUT_MS\").then(|| \"soon\".to_owned())).unwrap_err();
    assert!(matches!(error, ConfigError::Missing(_) | ConfigError::Invalid { .. }));
}
"
        .to_owned(),
    );
    if let Some((first, _)) = function.env.first() {
        file.test(format!(
            "#[test]
fn names_the_missing_variable() {{
    assert_eq!(Config::from_lookup(|_| None), Err(ConfigError::Missing(\"{first}\")));
}}
"
        ));
    }
    let target = target_lines(rng);
    fill_file(&mut file, rng, subject, &[], target);
    file.render()
}
