//! Nested stacks joined (`tests/fixtures/templates/nested/`): a nested template's parameter is
//! what its parent passes, and `Fn::GetAtt <Stack>.Outputs.<Name>` in the parent is what the
//! nested template's output names.

mod common;

use flowdoc::files::{DiskFiles, MemoryFiles};

fn edges(flow: &flowdoc::model::Flow) -> Vec<String> {
    flow.edges()
        .iter()
        .map(|(from, to, edge)| format!("{} -{}-> {}", from.id, edge.kind.name(), to.id))
        .collect()
}

fn nested() -> flowdoc::Analysis {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/templates/nested");
    common::analyse(&DiskFiles::new(root), &["parent.yaml"])
}

#[test]
fn parameters_and_outputs_join_the_nested_stacks() {
    let analysis = nested();
    assert_eq!(
        edges(&analysis.flow),
        [
            // An output the nested template does not have: the stack itself.
            "Elsewhere -route-> Worker",
            // The queue the parent passes as `InboxArn`, in the nested event source mapping.
            "Inbox -trigger-> Processor",
            // `${Alerts.Outputs.AlertFunctionArn}` in the parent: the JSON application's function.
            "Nightly -route-> AlertFunction",
            // Granted: a publish grant on the output, which the function's environment names.
            "Notifier -publish-> Topic",
            // The output `TopicArn`, passed on to the application as a parameter.
            "Topic -subscription-> AlertFunction",
            // `!GetAtt Worker.Outputs.TopicArn` in the parent.
            "Topic -subscription-> Notifier",
        ]
    );
}

#[test]
fn the_same_when_the_nested_templates_are_named_too() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/templates/nested");
    let all = common::analyse(&DiskFiles::new(root), &["alerts.json", "parent.yaml", "worker.yaml"]);
    assert_eq!(edges(&all.flow), edges(&nested().flow));
}

#[test]
fn the_loader_records_outputs_and_what_is_passed() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/templates/nested");
    let loaded = flowdoc::template::load(
        &DiskFiles::new(root),
        &["parent.yaml".to_owned()],
        &flowdoc::template::LoadOptions::default(),
    );
    let [alerts, parent, worker] = loaded.templates() else { panic!("three templates") };
    let outputs = |template: &flowdoc::template::Template| -> Vec<String> {
        template
            .outputs
            .iter()
            .map(|output| format!("{} {:?} {}", output.name, output.target, output.location))
            .collect()
    };
    assert_eq!(outputs(alerts), [r#"AlertFunctionArn Resource("AlertFunction") alerts.json:21:5"#]);
    assert_eq!(
        outputs(worker),
        [
            r#"ProcessorName Resource("Processor") worker.yaml:33:3"#,
            r#"TopicArn Resource("Topic") worker.yaml:31:3"#
        ]
    );
    let nested: Vec<String> = parent
        .nested
        .iter()
        .map(|stack| format!("{} {} {:?}", stack.resource, stack.template, stack.parameters))
        .collect();
    assert_eq!(
        nested,
        [
            r#"Worker worker.yaml {"InboxArn": Resource("Inbox")}"#,
            r#"Alerts alerts.json {"AlertTopicArn": External(StackOutput { stack: "Worker", output: "TopicArn" })}"#,
        ]
    );
}

/// A parent passing `value` as `QueueArn` to `child.yaml`, whose function the queue triggers.
fn parent_passing(value: &str) -> String {
    format!(
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: orders\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: child.yaml\n      Parameters:\n        QueueArn: {value}\n"
    )
}

const CHILD: &str = "Parameters:\n  QueueArn: {Type: String}\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n  Map:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !Ref Fn\n      EventSourceArn: !Ref QueueArn\n";

#[test]
fn literal_names_and_arns_passed_are_resolved_in_the_parent() {
    let flow_of = |value: &str| {
        let mut files = MemoryFiles::new();
        files.insert("parent.yaml", parent_passing(value)).insert("child.yaml", CHILD);
        edges(&common::analyse(&files, &["parent.yaml"]).flow)
    };
    // The parent's queue by its physical name's ARN.
    assert_eq!(flow_of("arn:aws:sqs:eu-west-1:123456789012:orders"), ["Queue -trigger-> Fn"]);
    // An ARN of nothing in the project: that ARN, not the parameter's name.
    assert_eq!(
        flow_of("arn:aws:sqs:eu-west-1:123456789012:elsewhere"),
        ["arn:aws:sqs:eu-west-1:123456789012:elsewhere -trigger-> Fn"]
    );
}

#[test]
fn a_template_nested_twice_with_different_values_keeps_its_parameter() {
    let mut files = MemoryFiles::new();
    files
        .insert("a/parent.yaml", parent_passing("!GetAtt Queue.Arn").replace("child.yaml", "../child.yaml"))
        .insert("b/parent.yaml", parent_passing("!GetAtt Queue.Arn").replace("child.yaml", "../child.yaml"))
        .insert("child.yaml", CHILD);
    let flow = common::analyse(&files, &["a/parent.yaml", "b/parent.yaml"]).flow;
    assert_eq!(edges(&flow), ["QueueArn -trigger-> Fn"]);
}

#[test]
fn a_nested_template_has_no_stack_name_of_its_own() {
    let mut files = MemoryFiles::new();
    files
        .insert("parent.yaml", parent_passing("!GetAtt Queue.Arn"))
        .insert("child.yaml", CHILD)
        .insert("samconfig.toml", "[default.deploy.parameters]\nstack_name = \"shop\"\n");
    let loaded = flowdoc::template::load(
        &files,
        &["child.yaml".to_owned(), "parent.yaml".to_owned()],
        &flowdoc::template::LoadOptions::default(),
    );
    let names: Vec<(&str, Option<&str>)> = loaded
        .templates()
        .iter()
        .map(|template| (template.path.as_str(), template.stack_name.as_deref()))
        .collect();
    assert_eq!(names, [("child.yaml", None), ("parent.yaml", Some("shop"))]);
}

#[test]
fn outputs_of_a_conditional_stack_are_conditional_and_alarms_notify_them() {
    let mut files = MemoryFiles::new();
    files
        .insert(
            "parent.yaml",
            "Conditions:\n  WithAlerts: !Equals [a, a]\nResources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Condition: WithAlerts\n    Properties:\n      TemplateURL: child.yaml\n  Alarm:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n      AlarmActions:\n        - !GetAtt Child.Outputs.TopicArn\n",
        )
        .insert(
            "child.yaml",
            "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\nOutputs:\n  TopicArn:\n    Value: !Ref Topic\n",
        );
    let flow = common::analyse(&files, &["parent.yaml"]).flow;
    let found: Vec<String> = flow
        .edges()
        .iter()
        .map(|(from, to, edge)| {
            format!("{} -{}-> {} conditional={}", from.id, edge.kind.name(), to.id, edge.conditional)
        })
        .collect();
    assert_eq!(found, ["Alarm -route-> Topic conditional=true"]);
}
