//! `flowdoc diff` classification: the shop fixture (`tests/fixtures/diff/shop/`: a template and
//! three crates) is the base; every case is a head made from it by a few textual edits, one kind
//! of change or one breaking rule each, and checks exactly what the diff reports.

mod common;

use flowdoc::diff::{self, Breaking, EdgeChange, EdgeRef, FlowDiff, NodeChange, NodeRef, Snapshot};
use flowdoc::files::{DiskFiles, MemoryFiles, ProjectFiles};
use flowdoc::render::diagram::{Change, NodeLook};
use flowdoc::render::json;
use flowdoc::render::svg;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixture() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/diff/shop"))
}

/// The shop fixture, in memory.
fn shop() -> MemoryFiles {
    let mut files = MemoryFiles::new();
    for entry in walkdir::WalkDir::new(fixture()).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let relative = entry.path().strip_prefix(fixture()).unwrap().to_str().unwrap().replace('\\', "/");
            files.insert(relative, std::fs::read(entry.path()).unwrap());
        }
    }
    files
}

/// The shop with `edits` made: in `file`, the one place `from` stands becomes `to`.
fn edited(edits: &[(&str, &str, &str)]) -> MemoryFiles {
    let mut files = shop();
    for (file, from, to) in edits {
        let text = String::from_utf8(files.read(file, u64::MAX).unwrap()).unwrap();
        assert_eq!(text.matches(from).count(), 1, "{file} must hold {from:?} exactly once");
        files.insert(*file, text.replacen(from, to, 1));
    }
    files
}

/// The state of a project: its flow and findings, as `diff` sees them.
fn state(files: &MemoryFiles) -> Snapshot {
    let analysis = common::analyse(files, &["template.yaml"]);
    Snapshot::of(&analysis.flow, &analysis.findings)
}

/// The diff from the shop to the shop with `edits`.
fn diff_of(edits: &[(&str, &str, &str)]) -> FlowDiff {
    diff::compare(&state(&shop()), &state(&edited(edits)))
}

fn node(id: &str, kind: &str) -> NodeRef {
    NodeRef { id: id.into(), kind: kind.into() }
}

fn edge(from: &str, to: &str, kind: &str, events: &[&str]) -> EdgeRef {
    EdgeRef {
        from: from.into(),
        to: to.into(),
        kind: kind.into(),
        events: events.iter().map(|e| (*e).into()).collect(),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

fn rules_and_subjects(findings: &[diff::FindingRef]) -> Vec<String> {
    findings.iter().map(|finding| format!("{} {}", finding.rule, finding.subject)).collect()
}

const ORDERS: &str = "orders/src/main.rs";
const SHIPPING: &str = "shipping/src/main.rs";
const EMAIL: &str = "email/src/main.rs";
const TEMPLATE: &str = "template.yaml";

#[test]
fn the_base_is_what_the_cases_assume() {
    let base = state(&shop());
    let ids: Vec<&str> = base.nodes.iter().map(|node| node.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "EmailFunction",
            "OrdersFunction",
            "OrdersTopic",
            "ShippingDeadLetterQueue",
            "ShippingFunction",
            "ShippingQueue",
            "ShippingSubscription"
        ]
    );
    assert_eq!(
        rules_and_subjects(&diff::compare(&Snapshot::default(), &base).findings_introduced),
        [
            "async-without-failure-destination EmailFunction",
            "subscription-without-dlq OrdersTopic/EmailFunction"
        ]
    );
}

#[test]
fn the_same_state_is_no_change_and_says_so_in_one_line() {
    let base = state(&shop());
    let nothing = diff::compare(&base, &base);
    assert!(nothing.is_empty() && nothing.breaking.is_empty(), "{nothing:?}");
    let comment = diff::markdown(&base, &base, &nothing);
    assert_eq!(comment.lines().count(), 1, "{comment}");
    assert!(comment.starts_with("No changes to the event flow."), "{comment}");
    assert!(comment.contains(diff::COMMENT_MARKER));
}

#[test]
fn code_and_resources_that_only_moved_are_no_change() {
    let moved = edited(&[
        (ORDERS, "//! Takes orders", "// Moved down by a new header.\n\n//! Takes orders"),
        (TEMPLATE, "Resources:\n", "# A comment that moves every resource down.\n\nResources:\n"),
    ]);
    let (base, head) = (state(&shop()), state(&moved));
    let lines = |state: &Snapshot| state.findings.iter().map(|finding| finding.at.line).collect::<Vec<_>>();
    assert_ne!(lines(&base), lines(&head), "the findings did move");
    let changes = diff::compare(&base, &head);
    assert!(changes.is_empty(), "{changes:?}");
}

#[test]
fn a_new_queue_is_an_added_node_with_its_connection() {
    let changes = diff_of(&[(
        TEMPLATE,
        "  ShippingDeadLetterQueue:\n",
        "  AuditQueue:
    Type: AWS::SQS::Queue

  AuditSubscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref OrdersTopic
      Protocol: sqs
      Endpoint: !GetAtt AuditQueue.Arn

  ShippingDeadLetterQueue:\n",
    )]);
    assert_eq!(changes.nodes_added, [node("AuditQueue", "sqs-queue")]);
    assert_eq!(
        changes.edges_added,
        [edge("OrdersTopic", "AuditQueue", "subscription", &["OrderCancelled", "OrderPlaced"])]
    );
    assert!(
        changes.nodes_removed.is_empty()
            && changes.edges_removed.is_empty()
            && changes.events_changed.is_empty()
    );
    assert!(changes.breaking.is_empty());
}

#[test]
fn a_removed_dead_letter_queue_is_a_removed_node_and_changed_failure_handling() {
    let changes = diff_of(&[
        (TEMPLATE, "  ShippingDeadLetterQueue:\n    Type: AWS::SQS::Queue\n", ""),
        (
            TEMPLATE,
            "      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt ShippingDeadLetterQueue.Arn\n        maxReceiveCount: 5\n",
            "",
        ),
        (
            TEMPLATE,
            "      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt ShippingDeadLetterQueue.Arn\n",
            "",
        ),
    ]);
    assert_eq!(changes.nodes_removed, [node("ShippingDeadLetterQueue", "sqs-queue")]);
    assert_eq!(
        changes.edges_removed,
        [
            edge("OrdersTopic", "ShippingDeadLetterQueue", "failure", &["OrderPlaced"]),
            edge("ShippingQueue", "ShippingDeadLetterQueue", "failure", &["OrderPlaced"]),
        ]
    );
    assert_eq!(
        changes.nodes_changed,
        [
            NodeChange {
                id: "OrdersTopic".into(),
                changes: strings(&["failure paths: − ShippingDeadLetterQueue"])
            },
            NodeChange {
                id: "ShippingQueue".into(),
                changes: strings(&["failure paths: − ShippingDeadLetterQueue"])
            },
        ]
    );
    assert_eq!(
        rules_and_subjects(&changes.findings_introduced),
        ["queue-without-dlq ShippingQueue", "subscription-without-dlq OrdersTopic/ShippingQueue"]
    );
    assert!(changes.findings_resolved.is_empty());
    assert!(changes.breaking.is_empty(), "losing a DLQ breaks no producer or consumer");
}

#[test]
fn a_new_failure_target_is_a_changed_node() {
    let changes = diff_of(&[
        (
            TEMPLATE,
            "  ShippingDeadLetterQueue:\n",
            "  ShippingParkingQueue:\n    Type: AWS::SQS::Queue\n\n  ShippingDeadLetterQueue:\n",
        ),
        (
            TEMPLATE,
            "deadLetterTargetArn: !GetAtt ShippingDeadLetterQueue.Arn\n        maxReceiveCount",
            "deadLetterTargetArn: !GetAtt ShippingParkingQueue.Arn\n        maxReceiveCount",
        ),
    ]);
    assert_eq!(changes.nodes_added, [node("ShippingParkingQueue", "sqs-queue")]);
    assert_eq!(
        changes.nodes_changed,
        [NodeChange {
            id: "ShippingQueue".into(),
            changes: strings(&["failure paths: + ShippingParkingQueue, − ShippingDeadLetterQueue"])
        }]
    );
    assert_eq!(
        changes.edges_added,
        [edge("ShippingQueue", "ShippingParkingQueue", "failure", &["OrderPlaced"])]
    );
    assert_eq!(
        changes.edges_removed,
        [edge("ShippingQueue", "ShippingDeadLetterQueue", "failure", &["OrderPlaced"])]
    );
}

#[test]
fn a_wider_filter_policy_changes_the_events_of_connections() {
    let changes = diff_of(&[(
        TEMPLATE,
        "          - OrderPlaced\n",
        "          - OrderPlaced\n          - OrderCancelled\n",
    )]);
    let widened = |from: &str, to: &str, kind: &str| EdgeChange {
        from: from.into(),
        to: to.into(),
        kind: kind.into(),
        events_added: strings(&["OrderCancelled"]),
        events_removed: Vec::new(),
    };
    assert_eq!(
        changes.edges_changed,
        [
            widened("OrdersTopic", "ShippingDeadLetterQueue", "failure"),
            widened("OrdersTopic", "ShippingQueue", "subscription"),
            widened("ShippingQueue", "ShippingDeadLetterQueue", "failure"),
            widened("ShippingQueue", "ShippingFunction", "trigger"),
        ]
    );
    assert!(changes.nodes_added.is_empty() && changes.edges_added.is_empty());
    assert_eq!(
        rules_and_subjects(&changes.findings_introduced),
        ["unhandled-event OrderCancelled/ShippingFunction"]
    );
}

#[test]
fn a_new_event_and_a_gone_event() {
    let added = diff_of(&[
        (
            ORDERS,
            "/// Places an order.",
            "/// Money went back.\n#[event]\npub struct OrderRefunded {\n    pub order_id: String,\n}\n\n/// Refunds.\n#[event_producer(OrderRefunded, to = \"OrdersTopic\")]\nasync fn refund() {}\n\n/// Places an order.",
        ),
        (
            EMAIL,
            "async fn notify() {}",
            "async fn notify() {}\n\n/// Says sorry.\n#[event_consumer(OrderRefunded, from = \"OrdersTopic\")]\nasync fn refunded() {}",
        ),
    ]);
    assert_eq!(added.events_added, ["OrderRefunded"]);
    assert!(added.events_removed.is_empty() && added.breaking.is_empty());
    let publish = added.edges_changed.iter().find(|e| e.kind == "publish").expect("the publish edge changed");
    assert_eq!(publish.events_added, ["OrderRefunded"]);

    let gone = diff_of(&[
        (
            ORDERS,
            "/// Cancels an order.\n#[event_producer(OrderCancelled, to = env(\"ORDERS_TOPIC_ARN\"))]\nasync fn cancel() {}\n",
            "",
        ),
        (
            ORDERS,
            "/// An order was cancelled before it shipped.\n#[event]\npub struct OrderCancelled {\n    pub correlation_id: String,\n    pub order_id: String,\n}\n",
            "",
        ),
        (EMAIL, "#[event_consumer(OrderCancelled, from = \"OrdersTopic\")]\n", ""),
    ]);
    assert_eq!(gone.events_removed, ["OrderCancelled"]);
    assert!(
        gone.breaking.is_empty(),
        "nobody is left waiting for an event nobody mentions: {:?}",
        gone.breaking
    );
}

#[test]
fn producers_and_consumers_gained_and_lost() {
    let gained = diff_of(&[(
        SHIPPING,
        "async fn ship() {}",
        "async fn ship() {}\n\n/// Gives up on an order it cannot ship.\n#[flowdoc_annotations::event_producer(OrderCancelled, to = \"OrdersTopic\")]\nasync fn give_up() {}",
    )]);
    let change =
        gained.events_changed.iter().find(|e| e.name == "OrderCancelled").expect("OrderCancelled changed");
    assert_eq!(change.producers_added, ["ShippingFunction"]);
    assert!(change.producers_removed.is_empty() && change.consumers_added.is_empty());

    let lost = diff_of(&[(SHIPPING, "#[event_consumer(OrderPlaced, from = \"ShippingQueue\")]\n", "")]);
    let change = lost.events_changed.iter().find(|e| e.name == "OrderPlaced").expect("OrderPlaced changed");
    assert_eq!(change.consumers_removed, ["ShippingFunction"]);
    assert!(lost.breaking.is_empty(), "EmailFunction still consumes OrderPlaced: {:?}", lost.breaking);
    assert_eq!(
        rules_and_subjects(&lost.findings_introduced),
        ["undocumented-function ShippingFunction", "unhandled-event OrderPlaced/ShippingFunction"]
    );
}

#[test]
fn an_event_still_produced_losing_its_last_consumer_is_breaking() {
    let changes = diff_of(&[(EMAIL, "#[event_consumer(OrderCancelled, from = \"OrdersTopic\")]\n", "")]);
    assert_eq!(
        changes.breaking,
        [Breaking::LostLastConsumer {
            event: "OrderCancelled".into(),
            consumers: strings(&["EmailFunction"])
        }]
    );
}

#[test]
fn a_consumer_left_without_producer_is_breaking() {
    let changes = diff_of(&[(
        ORDERS,
        "/// Cancels an order.\n#[event_producer(OrderCancelled, to = env(\"ORDERS_TOPIC_ARN\"))]\n",
        "",
    )]);
    assert_eq!(
        changes.breaking,
        [Breaking::LostLastProducer {
            event: "OrderCancelled".into(),
            producers: strings(&["OrdersFunction"])
        }]
    );
}

#[test]
fn schema_fields_added_removed_and_retyped() {
    let added = diff_of(&[(
        ORDERS,
        "    pub total_cents: u64,\n",
        "    pub total_cents: u64,\n    pub currency: String,\n",
    )]);
    assert_eq!(added.events_changed.len(), 1);
    assert_eq!(added.events_changed[0].fields_added, ["currency"]);
    assert!(added.breaking.is_empty(), "a new field breaks nobody");

    let removed = diff_of(&[(ORDERS, "    pub total_cents: u64,\n", "")]);
    assert_eq!(removed.events_changed[0].fields_removed, ["total_cents"]);
    assert_eq!(
        removed.breaking,
        [Breaking::FieldRemoved { event: "OrderPlaced".into(), field: "total_cents".into() }]
    );

    let retyped = diff_of(&[(ORDERS, "    pub total_cents: u64,\n", "    pub total_cents: i64,\n")]);
    assert_eq!(
        retyped.events_changed[0].fields_retyped,
        [("total_cents".to_owned(), "u64".to_owned(), "i64".to_owned())]
    );
    assert_eq!(
        retyped.breaking,
        [Breaking::FieldRetyped {
            event: "OrderPlaced".into(),
            field: "total_cents".into(),
            from: "u64".into(),
            to: "i64".into()
        }]
    );
}

#[test]
fn a_dead_letter_queue_for_the_email_function_resolves_its_finding() {
    let changes = diff_of(&[
        (
            TEMPLATE,
            "      CodeUri: email/\n",
            "      CodeUri: email/\n      DeadLetterQueue:\n        Type: SQS\n        TargetArn: !GetAtt EmailDeadLetterQueue.Arn\n",
        ),
        (
            TEMPLATE,
            "  EmailFunction:\n",
            "  EmailDeadLetterQueue:\n    Type: AWS::SQS::Queue\n\n  EmailFunction:\n",
        ),
    ]);
    assert_eq!(
        rules_and_subjects(&changes.findings_resolved),
        ["async-without-failure-destination EmailFunction"]
    );
    assert!(changes.findings_introduced.is_empty(), "{:?}", changes.findings_introduced);
    assert_eq!(changes.nodes_added, [node("EmailDeadLetterQueue", "sqs-queue")]);
    assert_eq!(
        changes.nodes_changed,
        [NodeChange {
            id: "EmailFunction".into(),
            changes: strings(&["failure paths: + EmailDeadLetterQueue"])
        }]
    );
}

/// A change of every kind at once: what reviewers see in the pull request.
fn mixed() -> (Snapshot, Snapshot, FlowDiff) {
    let base = state(&shop());
    let head = state(&edited(&[
        (TEMPLATE, "  ShippingDeadLetterQueue:\n    Type: AWS::SQS::Queue\n", ""),
        (
            TEMPLATE,
            "      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt ShippingDeadLetterQueue.Arn\n        maxReceiveCount: 5\n",
            "",
        ),
        (
            TEMPLATE,
            "      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt ShippingDeadLetterQueue.Arn\n",
            "",
        ),
        (
            TEMPLATE,
            "  EmailFunction:\n",
            "  AuditQueue:\n    Type: AWS::SQS::Queue\n\n  AuditSubscription:\n    Type: AWS::SNS::Subscription\n    Properties:\n      TopicArn: !Ref OrdersTopic\n      Protocol: sqs\n      Endpoint: !GetAtt AuditQueue.Arn\n\n  EmailFunction:\n",
        ),
        (EMAIL, "#[event_consumer(OrderCancelled, from = \"OrdersTopic\")]\n", ""),
        (ORDERS, "    pub total_cents: u64,\n", "    pub total_cents: i64,\n    pub currency: String,\n"),
    ]));
    let changes = diff::compare(&base, &head);
    (base, head, changes)
}

#[test]
fn the_pull_request_comment() {
    let (base, head, changes) = mixed();
    let comment = diff::markdown(&base, &head, &changes);
    insta::assert_snapshot!("pull_request_comment", comment);
}

#[test]
fn the_comment_is_well_formed_markdown_whatever_the_names() {
    let (base, head, changes) = mixed();
    let mut hostile = changes;
    hostile.events_added.push("Evil|`[x](http://e)`<b>".into());
    let comment = diff::markdown(&base, &head, &hostile);
    let parser = pulldown_cmark::Parser::new_ext(&comment, pulldown_cmark::Options::ENABLE_TABLES);
    let (mut cells_in_row, mut widths, mut links, mut html) = (0, Vec::new(), 0, 0);
    for event in parser {
        match event {
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::TableCell) => cells_in_row += 1,
            pulldown_cmark::Event::End(
                pulldown_cmark::TagEnd::TableRow | pulldown_cmark::TagEnd::TableHead,
            ) => {
                widths.push(cells_in_row);
                cells_in_row = 0;
            }
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { .. }) => links += 1,
            pulldown_cmark::Event::Html(text) | pulldown_cmark::Event::InlineHtml(text) => {
                assert!(
                    [diff::COMMENT_MARKER, "<sub>", "</sub>"].contains(&text.trim()),
                    "only the marker and the key's <sub> are HTML: {text}"
                );
                html += 1;
            }
            _ => {}
        }
    }
    assert_eq!(links, 0, "no name becomes a link");
    assert_eq!(html, 3);
    assert!(widths.iter().all(|&width| width == 5 || width == 3 || width == 4), "{widths:?}");
    assert!(comment.contains("`Evil\\|`"), "{comment}");
}

#[test]
fn the_merged_picture_marks_every_change() {
    let (base, head, changes) = mixed();
    let picture = diff::diagram(&base, &head, &changes);
    let look = |id: &str| {
        picture.nodes.iter().find(|node| node.id == id).map(|node| (node.name.clone(), node.change))
    };
    assert_eq!(look("AuditQueue"), Some(("+ AuditQueue".into(), Change::Added)));
    assert_eq!(look("ShippingDeadLetterQueue"), Some(("− ShippingDeadLetterQueue".into(), Change::Removed)));
    assert_eq!(look("ShippingQueue"), Some(("~ ShippingQueue".into(), Change::Changed)));
    assert_eq!(
        look("EmailFunction"),
        Some(("~ EmailFunction".into(), Change::Changed)),
        "it stopped consuming"
    );
    assert_eq!(look("OrdersTopic"), Some(("~ OrdersTopic".into(), Change::Changed)));
    assert_eq!(look("OrdersFunction"), None, "unchanged and connecting no changes");
    let trigger =
        picture.edges.iter().find(|e| e.from == "OrdersTopic" && e.to == "EmailFunction").expect("context");
    assert_eq!(trigger.change, Change::Context);
    assert!(
        picture
            .edges
            .iter()
            .any(|e| e.change == Change::Removed && e.label.iter().all(|l| l.starts_with("− ")))
    );

    let chart = flowdoc::render::mermaid::render(&picture);
    for class in ["added", "removed", "changed"] {
        assert!(chart.contains(&format!("classDef {class} ")), "{class}: {chart}");
    }
    let drawn = svg::render(&picture);
    let texts = common::svg::texts(&drawn);
    assert!(texts.iter().any(|text| text == "+ AuditQueue"), "{texts:?}");
    let overlaps = common::svg::overlaps(&drawn);
    assert!(overlaps.is_empty(), "{}", overlaps.join("\n"));
    assert!(drawn.contains("class=\"node added") || drawn.contains("added"), "the SVG styles the change");
}

/// The files in `folder` of the repository, sorted.
fn entries(folder: &str) -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(folder).unwrap().map(|entry| entry.unwrap().path()).collect();
    entries.sort();
    entries
}

/// The bundled pipeline (its `flowdoc.toml` names its template and crates) and every fixture
/// project with its template; the template fixtures stand alone, without crates.
fn projects() -> Vec<(PathBuf, Vec<String>)> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut projects =
        vec![(manifest.to_path_buf(), Vec::new()), (fixture().to_path_buf(), vec![TEMPLATE.to_owned()])];
    projects
        .extend(entries("tests/fixtures/rules").into_iter().map(|case| (case, vec![TEMPLATE.to_owned()])));
    for template in entries("tests/fixtures/templates").into_iter().filter(|path| path.is_file()) {
        let name = template.file_name().unwrap().to_str().unwrap().to_owned();
        projects.push((template.parent().unwrap().to_path_buf(), vec![name]));
    }
    projects
}

#[test]
fn a_state_built_from_a_flow_is_the_one_read_from_its_json() {
    let (mut severities, mut node_kinds, mut edge_kinds) =
        (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for (root, templates) in projects() {
        let files = DiskFiles::new(&root);
        let analysis = flowdoc::analyse(&flowdoc::Project::new(&files).templates(&templates))
            .unwrap_or_else(|failure| panic!("{} {templates:?}: {failure}", root.display()));
        let (flow, findings) = (&analysis.flow, &analysis.findings);
        let built = Snapshot::of(flow, findings);
        let read = Snapshot::parse(&json::render(flow, findings))
            .unwrap_or_else(|error| panic!("{} {templates:?}: {error}", root.display()));
        assert_eq!(built, read, "{} {templates:?}", root.display());
        severities.extend(built.findings.iter().map(|finding| finding.severity.name()));
        node_kinds.extend(built.nodes.iter().map(|node| node.kind.to_string()));
        edge_kinds.extend(built.edges.iter().map(|edge| edge.kind.to_string()));
    }
    assert_eq!(severities.into_iter().collect::<Vec<_>>(), ["error", "info", "warning"]);
    assert!(node_kinds.len() >= 17, "most node kinds: {node_kinds:?}");
    assert_eq!(edge_kinds.len(), 5, "{edge_kinds:?}");
}

/// A state written by hand: `nodes` and `edges` as JSON, no events or findings.
fn written(nodes: &str, edges: &str) -> Snapshot {
    let text = format!(
        "{{\"version\": 1, \"nodes\": [{nodes}], \"edges\": [{edges}], \"events\": [], \"findings\": []}}"
    );
    Snapshot::parse(&text).unwrap()
}

#[test]
fn the_picture_of_a_change_draws_nodes_as_the_docs_do() {
    let base = written("", "");
    let head = written(
        r#"{"id": "Orders", "kind": "function", "type": "AWS::Serverless::Function"},
           {"id": "arn:aws:sqs:eu-west-1:123456789012:Partner", "kind": "external"},
           {"id": "OrdersPolicy", "kind": "resource", "type": "AWS::SQS::QueuePolicy"},
           {"id": "OrdersDlq", "kind": "sqs-queue", "type": "AWS::SQS::Queue", "dlq": true},
           {"id": "OrdersHttpApi", "kind": "quantum-api", "type": "AWS::ApiGatewayV3::Api"}"#,
        r#"{"from": "Orders", "to": "arn:aws:sqs:eu-west-1:123456789012:Partner", "kind": "publish"},
           {"from": "Orders", "to": "OrdersPolicy", "kind": "route"},
           {"from": "Orders", "to": "OrdersDlq", "kind": "failure"},
           {"from": "OrdersHttpApi", "to": "Orders", "kind": "invoke"}"#,
    );
    let changes = diff::compare(&base, &head);
    let picture = diff::diagram(&base, &head, &changes);
    let drawn: Vec<(&str, &str, NodeLook, Change)> = picture
        .nodes
        .iter()
        .map(|node| (node.id.as_str(), node.caption.as_str(), node.look, node.change))
        .collect();
    assert_eq!(
        drawn,
        [
            ("Orders", "function", NodeLook::Function, Change::Added),
            ("OrdersDlq", "sqs-queue (DLQ)", NodeLook::DeadLetter, Change::Added),
            ("OrdersHttpApi", "AWS::ApiGatewayV3::Api", NodeLook::Other, Change::Added),
            ("OrdersPolicy", "AWS::SQS::QueuePolicy", NodeLook::Other, Change::Added),
            (
                "arn:aws:sqs:eu-west-1:123456789012:Partner",
                "outside the templates",
                NodeLook::External,
                Change::Added
            ),
        ]
    );
    let looks: Vec<(&str, &str, &str)> =
        picture.edges.iter().map(|edge| (edge.from.as_str(), edge.to.as_str(), edge.look.name())).collect();
    assert_eq!(
        looks,
        [
            ("Orders", "OrdersDlq", "failure"),
            ("Orders", "OrdersPolicy", "flow"),
            ("Orders", "arn:aws:sqs:eu-west-1:123456789012:Partner", "publish"),
            ("OrdersHttpApi", "Orders", "flow"),
        ]
    );
}

#[test]
fn the_json_is_sorted_complete_and_stable() {
    let (_, _, changes) = mixed();
    let text = changes.to_json();
    assert_eq!(text, mixed().2.to_json(), "byte-identical on every run");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["version"], 1);
    let body = &json["diff"];
    for key in [
        "nodes_added",
        "nodes_removed",
        "nodes_changed",
        "edges_added",
        "edges_removed",
        "edges_changed",
        "events_added",
        "events_removed",
        "events_changed",
        "findings_introduced",
        "findings_resolved",
        "breaking",
    ] {
        assert!(body[key].is_array(), "{key}");
    }
    let kinds: Vec<&str> =
        body["breaking"].as_array().unwrap().iter().map(|b| b["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["lost-last-consumer", "field-retyped"]);
}
