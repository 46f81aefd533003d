//! The JSON graph of small random projects (functions, queues, topics and subscriptions with
//! odd but valid logical IDs; handlers producing and consuming typed and string-named events
//! through logical IDs and environment variables): valid against `docs/flow.schema.json`,
//! sorted, closed (every edge and event names nodes of the graph), canonical JSON, the same on
//! every run, read back as the same `diff` state, which compares equal to itself and to the
//! same project with its resources reordered and its lines moved.

use crate::config;
use flowdoc::config::Config;
use flowdoc::diff::{self, Snapshot};
use flowdoc::files::MemoryFiles;
use flowdoc::render::json;
use flowdoc::scan::ScanOptions;
use proptest::prelude::*;
use proptest::sample::Index;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// Logical IDs that are valid (alphanumeric) but mean something else to YAML, CloudFormation
/// or flowdoc's readers.
#[rustfmt::skip]
const ODD_IDS: &[&str] = &[
    "Queue", "queue", "QUEUE", "Ref", "Condition", "Type", "Properties", "Resources", "Globals", "Outputs",
    "Transform", "DependsOn", "Events", "true", "True", "false", "null", "Null", "NULL", "yes", "No", "on",
    "Off", "y", "n", "NaN", "inf", "0", "007", "123", "0x1F", "0o17", "1e3", "E", "Fn", "AWS", "Arn",
    "Function", "Topic",
];

const ALNUM: &[&str] =
    &["a", "b", "z", "A", "B", "Q", "T", "Z", "0", "1", "9", "Queue", "Topic", "Fn", "Dlq", "Orders", "x"];

fn logical_id() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::sample::select(ODD_IDS).prop_map(str::to_owned),
        2 => prop::collection::vec(prop::sample::select(ALNUM), 1..5).prop_map(|parts| parts.concat()),
        1 => prop::collection::vec(prop::sample::select(ALNUM), 30..40).prop_map(|parts| parts.concat()),
    ]
}

/// Where an annotation says the event goes or comes from.
#[derive(Clone, Debug)]
enum Target {
    /// A resource of the template, by logical ID.
    Id(Index),
    /// An environment variable of the handler's function (one it may not have).
    Env(Index),
    /// A logical ID no template has.
    Missing,
}

#[derive(Clone, Debug)]
struct Annotation {
    producer: bool,
    /// Into the typed events, then the string-named ones.
    event: Index,
    /// A typed event by its path through the events crate, else by its bare name.
    by_path: bool,
    target: Target,
}

#[derive(Clone, Debug)]
struct Function {
    /// Resources its `Environment.Variables` reference, one variable each.
    env: Vec<Index>,
    /// Queues and topics it has an access policy for.
    grants: Vec<Index>,
    /// Queues that trigger it.
    sqs: Vec<Index>,
    /// Topics that trigger it.
    sns: Vec<Index>,
    handlers: Vec<Vec<Annotation>>,
}

#[derive(Clone, Debug)]
struct EventType {
    rust_name: &'static str,
    name: Option<&'static str>,
    version: Option<u32>,
    correlation: bool,
}

/// A project, as generated.
#[derive(Clone, Debug)]
struct Project {
    ids: Vec<String>,
    quoted: Vec<bool>,
    functions: Vec<Function>,
    /// Queues, with the queue each redrives to.
    queues: Vec<Option<Index>>,
    topics: usize,
    /// Subscriptions, topic to queue.
    subscriptions: Vec<(Index, Index)>,
    events: Vec<EventType>,
}

const STRING_EVENTS: &[&str] = &["order.shipped", "Legacy Event", "x", "<b>|`x`"];

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        4 => any::<Index>().prop_map(Target::Id),
        2 => any::<Index>().prop_map(Target::Env),
        1 => Just(Target::Missing),
    ]
}

fn annotation() -> impl Strategy<Value = Annotation> {
    (any::<bool>(), any::<Index>(), any::<bool>(), target())
        .prop_map(|(producer, event, by_path, target)| Annotation { producer, event, by_path, target })
}

fn function() -> impl Strategy<Value = Function> {
    let indexes = |max| prop::collection::vec(any::<Index>(), 0..max);
    (
        indexes(3),
        indexes(3),
        indexes(2),
        indexes(2),
        prop::collection::vec(prop::collection::vec(annotation(), 1..3), 0..4),
    )
        .prop_map(|(env, grants, sqs, sns, handlers)| Function { env, grants, sqs, sns, handlers })
}

fn event_type() -> impl Strategy<Value = EventType> {
    (
        prop::option::of(prop::sample::select(&["order.placed", "Order Placed", "a|b", "<i>x</i>"][..])),
        prop::option::of(1u32..4),
        any::<bool>(),
    )
        .prop_map(|(name, version, correlation)| EventType { rust_name: "", name, version, correlation })
}

fn project() -> impl Strategy<Value = Project> {
    (
        prop::collection::vec(logical_id(), 12),
        prop::collection::vec(any::<bool>(), 12),
        prop::collection::vec(function(), 1..5),
        prop::collection::vec(prop::option::of(any::<Index>()), 0..4),
        0usize..3,
        prop::collection::vec((any::<Index>(), any::<Index>()), 0..3),
        prop::collection::vec(event_type(), 1..3),
    )
        .prop_map(|(ids, quoted, functions, queues, topics, subscriptions, mut events)| {
            for (event, rust_name) in events.iter_mut().zip(["OrderPlaced", "OrderCancelled"]) {
                event.rust_name = rust_name;
            }
            Project { ids, quoted, functions, queues, topics, subscriptions, events }
        })
}

/// A resource of the generated template.
#[derive(Clone, Debug)]
struct Resource {
    id: String,
    quoted: bool,
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Function(usize),
    Queue(usize),
    Topic,
    Subscription(usize),
}

impl Project {
    /// Every resource with its final, unique logical ID: functions, queues, topics,
    /// subscriptions.
    fn resources(&self) -> Vec<Resource> {
        let mut kinds: Vec<Kind> = (0..self.functions.len()).map(Kind::Function).collect();
        kinds.extend((0..self.queues.len()).map(Kind::Queue));
        kinds.extend((0..self.topics).map(|_| Kind::Topic));
        if self.topics > 0 && !self.queues.is_empty() {
            kinds.extend((0..self.subscriptions.len()).map(Kind::Subscription));
        }
        let mut seen = BTreeSet::new();
        kinds
            .into_iter()
            .enumerate()
            .map(|(index, kind)| {
                let mut id = self.ids[index % self.ids.len()].clone();
                let mut suffix = 2;
                while !seen.insert(id.clone()) {
                    id = format!("{}{suffix}", self.ids[index % self.ids.len()]);
                    suffix += 1;
                }
                Resource { id, quoted: self.quoted[index % self.quoted.len()], kind }
            })
            .collect()
    }

    /// The template, with its resources in order or reversed, and lines added at the top when
    /// `moved`.
    fn template(&self, resources: &[Resource], moved: bool) -> String {
        let of = |pick: fn(&Kind) -> bool| -> Vec<&Resource> {
            resources.iter().filter(|r| pick(&r.kind)).collect()
        };
        let queues = of(|kind| matches!(kind, Kind::Queue(_)));
        let topics = of(|kind| matches!(kind, Kind::Topic));
        let pick = |list: &[&Resource], index: &Index| -> Option<String> {
            (!list.is_empty()).then(|| list[index.index(list.len())].id.clone())
        };
        let mut blocks: Vec<String> = Vec::new();
        for resource in resources {
            let key = if resource.quoted || is_special(&resource.id) {
                format!("'{}'", resource.id)
            } else {
                resource.id.clone()
            };
            let mut block = format!("  {key}:\n");
            match resource.kind {
                Kind::Function(index) => {
                    let function = &self.functions[index];
                    block.push_str(&format!(
                        "    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: f{index}/\n      \
                         Handler: bootstrap\n      Runtime: provided.al2023\n"
                    ));
                    if !function.env.is_empty() {
                        block.push_str("      Environment:\n        Variables:\n");
                        for (var, target) in function.env.iter().enumerate() {
                            let target = &resources[target.index(resources.len())].id;
                            block.push_str(&format!("          VAR_{var}: !Ref '{target}'\n"));
                        }
                    }
                    let grants: Vec<String> = function
                        .grants
                        .iter()
                        .filter_map(|grant| {
                            let all: Vec<&Resource> = queues.iter().chain(topics.iter()).copied().collect();
                            let target = all.get(grant.index(all.len().max(1)))?;
                            Some(match target.kind {
                                Kind::Queue(_) => format!(
                                    "        - SQSSendMessagePolicy:\n            QueueName: !GetAtt '{}.QueueName'\n",
                                    target.id
                                ),
                                _ => format!(
                                    "        - SNSPublishMessagePolicy:\n            TopicName: !GetAtt '{}.TopicName'\n",
                                    target.id
                                ),
                            })
                        })
                        .collect();
                    if !grants.is_empty() {
                        block.push_str("      Policies:\n");
                        block.push_str(&grants.concat());
                    }
                    let mut events = String::new();
                    for (number, queue) in function.sqs.iter().enumerate() {
                        if let Some(queue) = pick(&queues, queue) {
                            events.push_str(&format!(
                                "        Sqs{number}:\n          Type: SQS\n          Properties:\n            \
                                 Queue: !GetAtt '{queue}.Arn'\n"
                            ));
                        }
                    }
                    for (number, topic) in function.sns.iter().enumerate() {
                        if let Some(topic) = pick(&topics, topic) {
                            events.push_str(&format!(
                                "        Sns{number}:\n          Type: SNS\n          Properties:\n            \
                                 Topic: !Ref '{topic}'\n"
                            ));
                        }
                    }
                    if !events.is_empty() {
                        block.push_str("      Events:\n");
                        block.push_str(&events);
                    }
                }
                Kind::Queue(index) => {
                    block.push_str("    Type: AWS::SQS::Queue\n");
                    if let Some(dlq) = self.queues[index].as_ref().and_then(|dlq| pick(&queues, dlq)) {
                        block.push_str(&format!(
                            "    Properties:\n      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt '{dlq}.Arn'\n        \
                             maxReceiveCount: 3\n"
                        ));
                    }
                }
                Kind::Topic => block.push_str("    Type: AWS::SNS::Topic\n"),
                Kind::Subscription(index) => {
                    let (topic, queue) = &self.subscriptions[index];
                    let (topic, queue) =
                        (pick(&topics, topic).unwrap_or_default(), pick(&queues, queue).unwrap_or_default());
                    block.push_str(&format!(
                        "    Type: AWS::SNS::Subscription\n    Properties:\n      TopicArn: !Ref '{topic}'\n      \
                         Protocol: sqs\n      Endpoint: !GetAtt '{queue}.Arn'\n"
                    ));
                }
            }
            blocks.push(block);
        }
        if moved {
            blocks.reverse();
        }
        let top = if moved { "# Moved around.\n\n" } else { "" };
        format!(
            "{top}AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\nResources:\n{}",
            blocks.join("\n")
        )
    }

    /// The source of function `index`'s crate.
    fn source(&self, index: usize, resources: &[Resource], moved: bool) -> String {
        let function = &self.functions[index];
        let mut out = String::new();
        if moved {
            out.push_str("// Moved around.\n\n");
        }
        out.push_str("use flowdoc_annotations::{event_consumer, event_producer};\n#[allow(unused_imports)]\nuse events::*;\n\n");
        let mut handlers: Vec<String> = Vec::new();
        for (number, annotations) in function.handlers.iter().enumerate() {
            let mut handler = String::new();
            for annotation in annotations {
                let (attribute, key) =
                    if annotation.producer { ("event_producer", "to") } else { ("event_consumer", "from") };
                let count = self.events.len() + STRING_EVENTS.len();
                let choice = annotation.event.index(count);
                let event = match self.events.get(choice) {
                    Some(event) if annotation.by_path => format!("events::{}", event.rust_name),
                    Some(event) => event.rust_name.to_owned(),
                    None => format!("{:?}", STRING_EVENTS[choice - self.events.len()]),
                };
                let target = match &annotation.target {
                    Target::Id(target) => format!("{:?}", resources[target.index(resources.len())].id),
                    Target::Env(var) => format!("env(\"VAR_{}\")", var.index(function.env.len() + 1)),
                    Target::Missing => "\"NoSuchResource\"".to_owned(),
                };
                handler.push_str(&format!("#[{attribute}({event}, {key} = {target})]\n"));
            }
            handler.push_str(&format!("/// Handler {number}.\npub async fn handler_{number}() {{}}\n"));
            handlers.push(handler);
        }
        if moved {
            handlers.reverse();
        }
        out.push_str(&handlers.join("\n"));
        out.push_str("\nfn main() {}\n");
        out
    }

    /// The events crate: the typed events.
    fn events_source(&self, moved: bool) -> String {
        let mut types: Vec<String> = self
            .events
            .iter()
            .map(|event| {
                let mut args = Vec::new();
                if let Some(name) = event.name {
                    args.push(format!("name = {name:?}"));
                }
                if let Some(version) = event.version {
                    args.push(format!("version = {version}"));
                }
                let attribute = if args.is_empty() { "#[event]".to_owned() } else { format!("#[event({})]", args.join(", ")) };
                let correlation = if event.correlation { "    pub correlation_id: String,\n" } else { "" };
                format!(
                    "/// The event {}.\n{attribute}\npub struct {} {{\n{correlation}    pub total: Option<u64>,\n}}\n",
                    event.rust_name, event.rust_name
                )
            })
            .collect();
        if moved {
            types.reverse();
        }
        let top = if moved { "// Moved around.\n\n" } else { "" };
        format!("{top}use flowdoc_annotations::event;\n\n{}", types.join("\n"))
    }

    fn files(&self, moved: bool) -> MemoryFiles {
        let resources = self.resources();
        let mut files = MemoryFiles::new();
        files.insert("template.yaml", self.template(&resources, moved));
        files.insert("events/Cargo.toml", "[package]\nname = \"events\"\n");
        files.insert("events/src/lib.rs", self.events_source(moved));
        for index in 0..self.functions.len() {
            files.insert(format!("f{index}/Cargo.toml"), format!("[package]\nname = \"f{index}\"\n"));
            files.insert(format!("f{index}/src/main.rs"), self.source(index, &resources, moved));
        }
        files
    }
}

/// IDs that YAML would read as something other than a string if they were not quoted.
fn is_special(id: &str) -> bool {
    id.parse::<f64>().is_ok()
        || id.starts_with("0x")
        || id.starts_with("0o")
        || ["true", "false", "null", "yes", "no", "on", "off", "y", "n", "nan", "inf"]
            .contains(&id.to_ascii_lowercase().as_str())
}

/// The JSON graph of a project, and its state as `diff` reads it.
fn graph(files: &MemoryFiles) -> Result<String, TestCaseError> {
    let config = Config { scan: ScanOptions { threads: 1, ..ScanOptions::default() }, ..Config::default() };
    let templates = ["template.yaml".to_owned()];
    let analysis = flowdoc::analyse(&flowdoc::Project::new(files).templates(&templates).config(&config));
    let analysis = analysis.map_err(|failure| TestCaseError::fail(failure.to_string()))?;
    prop_assert!(analysis.unreadable_sources().is_empty(), "{:?}", analysis.unreadable_sources());
    let (flow, findings) = (&analysis.flow, &analysis.findings);
    let rendered = json::render(flow, findings);
    let read = Snapshot::parse(&rendered).map_err(|error| TestCaseError::fail(error.to_string()))?;
    prop_assert_eq!(&Snapshot::of(flow, findings), &read);
    Ok(rendered)
}

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/flow.schema.json");
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("the schema is committed"))
                .expect("JSON");
        jsonschema::validator_for(&schema).expect("the schema compiles")
    })
}

/// Whether `items` are in strictly increasing order.
fn strictly_sorted<T: Ord>(items: &[T]) -> bool {
    items.windows(2).all(|pair| pair[0] < pair[1])
}

proptest! {
    #![proptest_config(config(64, 0x7e3a_0004))]

    #[test]
    fn json_graphs_are_valid_stable_and_read_back(project in project()) {
        let files = project.files(false);
        let rendered = graph(&files)?;

        // Valid against the published schema.
        let instance: serde_json::Value = serde_json::from_str(&rendered).expect("the graph is JSON");
        let errors: Vec<String> =
            validator().iter_errors(&instance).map(|error| format!("{error} at {}", error.instance_path())).collect();
        prop_assert!(errors.is_empty(), "not valid against docs/flow.schema.json: {:?}\n{}", errors, rendered);

        // The same every time.
        prop_assert_eq!(&graph(&files)?, &rendered);

        // Sorted and closed.
        let state = Snapshot::parse(&rendered).map_err(|error| TestCaseError::fail(error.to_string()))?;
        let ids: Vec<&str> = state.nodes.iter().map(|node| node.id.as_str()).collect();
        prop_assert!(strictly_sorted(&ids), "nodes not sorted by id: {:?}", ids);
        let edges: Vec<(&str, &str, &str)> =
            state.edges.iter().map(|edge| (edge.from.as_str(), edge.to.as_str(), edge.kind.name())).collect();
        prop_assert!(edges.windows(2).all(|pair| pair[0] <= pair[1]), "edges not sorted: {:?}", edges);
        let names: Vec<&str> = state.events.iter().map(|event| event.name.as_str()).collect();
        prop_assert!(strictly_sorted(&names), "events not sorted by name: {:?}", names);
        let known: BTreeSet<&str> = ids.iter().copied().collect();
        for (from, to, kind) in &edges {
            prop_assert!(known.contains(from) && known.contains(to), "edge {} -{}-> {} leaves the graph", from, kind, to);
        }
        for event in &state.events {
            for function in event.producers.iter().chain(&event.consumers) {
                prop_assert!(known.contains(function.as_str()), "event {} names {}, not a node", event.name, function);
            }
        }

        // A state compared with itself is no change, and says so.
        let nothing = diff::compare(&state, &state);
        prop_assert!(nothing.is_empty() && nothing.breaking.is_empty(), "{:?}", nothing);
        let comment = diff::markdown(&state, &state, &nothing);
        prop_assert!(comment.starts_with("No changes to the event flow.") && comment.lines().count() == 1, "{}", comment);

        // Everything from nothing: every node, edge and event is added.
        let everything = diff::compare(&Snapshot::default(), &state);
        prop_assert_eq!(everything.events_added.len(), state.events.len());
        prop_assert!(everything.nodes_removed.is_empty() && everything.edges_removed.is_empty());

        // The same project with its resources, handlers and types in another order and on
        // other lines is the same flow.
        let moved = graph(&project.files(true))?;
        let moved = Snapshot::parse(&moved).map_err(|error| TestCaseError::fail(error.to_string()))?;
        let change = diff::compare(&state, &moved);
        prop_assert!(change.is_empty() && change.breaking.is_empty(), "moving lines changed the flow: {:?}", change);
    }
}
