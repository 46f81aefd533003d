//! Stacks joined: an `Fn::ImportValue` in one template of the project is the resource another
//! template exports under that name (`tests/fixtures/templates/joined/`: a bus stack in YAML, an
//! orders stack in YAML, a billing stack in JSON).

mod common;

use flowdoc::files::DiskFiles;

fn joined() -> flowdoc::Analysis {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/templates/joined");
    common::analyse(
        &DiskFiles::new(root),
        &["bus/template.yaml", "orders/template.yaml", "billing/template.json"],
    )
}

#[test]
fn imports_are_the_resources_other_templates_export() {
    let analysis = joined();
    let edges: Vec<String> = analysis
        .flow
        .edges()
        .iter()
        .map(|(from, to, edge)| format!("{} -{}-> {}", from.id, edge.kind.name(), to.id))
        .collect();
    assert_eq!(
        edges,
        [
            // By a name built from a stack name flowdoc does not know, matched past it.
            "InboxQueue -trigger-> BillingFunction",
            "OrdersFunctionPlaced -trigger-> OrdersFunction",
            // By the exact export name.
            "SharedBus -route-> OrdersFunctionPlaced",
        ]
    );
    assert!(analysis.flow.nodes().all(|node| !node.id.starts_with("import:")), "no import left outside");
}

#[test]
fn a_match_past_the_stack_name_is_said_as_such() {
    let analysis = joined();
    let notes: Vec<String> = analysis
        .findings
        .iter()
        .filter(|finding| finding.rule == "template-problem")
        .map(|finding| {
            format!("{} {} {}", finding.severity, finding.location.as_ref().unwrap(), finding.message)
        })
        .collect();
    assert_eq!(
        notes,
        [
            "info billing/template.json:10:5 the import `${BusStack}-InboxArn` is taken to be the export `${AWS::StackName}-InboxArn` of bus/template.yaml: the names match past the stack name, which flowdoc does not know"
        ]
    );
}

#[test]
fn an_import_nobody_exports_stays_outside() {
    let mut files = flowdoc::files::MemoryFiles::new();
    files.insert(
        "a.yaml",
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n  Map:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !Ref Fn\n      EventSourceArn: !ImportValue elsewhere-QueueArn\n",
    );
    files.insert(
        "b.yaml",
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\nOutputs:\n  Arn:\n    Value: !GetAtt Queue.Arn\n    Export: {Name: other-Arn}\n",
    );
    let flow = common::analyse(&files, &["a.yaml", "b.yaml"]).flow;
    let edges: Vec<String> = flow
        .edges()
        .iter()
        .map(|(from, to, edge)| format!("{} -{}-> {}", from.id, edge.kind.name(), to.id))
        .collect();
    assert_eq!(edges, ["import:elsewhere-QueueArn -trigger-> Fn"]);
}

/// The stack names in `flowdoc.toml` (`[stacks]`, template path = stack name) fill in
/// `${AWS::StackName}`: an import then matches an export exactly, or not at all.
#[test]
fn stack_names_from_the_configuration_match_exactly() {
    let project = |config: &str, import: &str| {
        let mut files = flowdoc::files::MemoryFiles::new();
        files.insert("flowdoc.toml", config);
        files.insert(
            "bus.yaml",
            "Resources:\n  Inbox:\n    Type: AWS::SQS::Queue\nOutputs:\n  Arn:\n    Value: !GetAtt Inbox.Arn\n    Export: {Name: !Sub \"${AWS::StackName}-InboxArn\"}\n",
        );
        files.insert(
            "billing.yaml",
            format!("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n  Map:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !Ref Fn\n      EventSourceArn: !ImportValue {import}\n"),
        );
        let analysis = common::analyse(&files, &["bus.yaml", "billing.yaml"]);
        let edges: Vec<String> = analysis
            .flow
            .edges()
            .iter()
            .map(|(from, to, edge)| format!("{} -{}-> {}", from.id, edge.kind.name(), to.id))
            .collect();
        let guessed = analysis.findings.iter().any(|finding| finding.message.contains("past the stack name"));
        (edges, guessed)
    };
    let named = "[stacks]\n\"bus.yaml\" = \"orders-bus\"\n";
    assert_eq!(project(named, "orders-bus-InboxArn"), (vec!["Inbox -trigger-> Fn".to_owned()], false));
    assert_eq!(
        project(named, "payments-bus-InboxArn"),
        (vec!["import:payments-bus-InboxArn -trigger-> Fn".to_owned()], false),
        "a known stack name that differs is another stack's export"
    );
    assert_eq!(project("", "payments-bus-InboxArn"), (vec!["Inbox -trigger-> Fn".to_owned()], true));
}
