//! Step Functions task states, AppSync data sources and resolvers, and Kinesis Data Firehose
//! delivery streams against AWS's documented behaviour: each fixture under
//! `tests/fixtures/templates/states/` is written in YAML (short-form tags) and in JSON, and both
//! must load to the same relations, listed as `LINE FROM -KIND-> TO DETAILS`.

mod common;

use flowdoc::files::DiskFiles;
use flowdoc::template::{self, LoadOptions, RelationKind, Template};
use std::path::Path;

/// One fixture template of `tests/fixtures/templates/states/`, which must load without problems.
fn fixture(path: &str) -> Template {
    let files = DiskFiles::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/templates/states"));
    let loaded = template::load(&files, &[path.to_owned()], &LoadOptions::default());
    assert!(loaded.errors().is_empty(), "{:?}", loaded.errors());
    let template = loaded.into_templates().remove(0);
    let problems: Vec<String> =
        template.problems.iter().map(|problem| format!("{} {}", problem.location, problem.message)).collect();
    assert_eq!(problems, Vec::<String>::new(), "{path}");
    template
}

/// One template given as text, and its problems.
fn from_text(text: &str) -> (Template, Vec<String>) {
    let template = common::relations::from_text(text);
    let problems = template.problems.iter().map(|problem| problem.message.clone()).collect();
    (template, problems)
}

/// The relation's details that tell the kinds of this file apart.
fn details(kind: &RelationKind) -> Vec<String> {
    match kind {
        RelationKind::Trigger(trigger) => {
            let mut details = vec![format!("{:?}", trigger.source), format!("name={}", trigger.name)];
            if trigger.asynchronous {
                details.push("async".into());
            }
            if let Some(route) = &trigger.route {
                details.push(format!("route={route}"));
            }
            if !trigger.enabled {
                details.push("disabled".into());
            }
            details
        }
        RelationKind::Route(route) => {
            let mut details = vec![format!("{:?}", route.via)];
            if let Some(label) = &route.label {
                details.push(format!("label={label}"));
            }
            details
        }
        RelationKind::Grant(grant) => vec![format!("{:?}", grant.access), format!("via={}", grant.via)],
        other => vec![other.name().to_owned()],
    }
}

/// The relations that are not grants (which other tests cover), as
/// `LINE FROM -KIND-> TO DETAILS`.
fn relations(template: &Template) -> Vec<String> {
    common::relations::relation_lines(
        template,
        |relation| !matches!(relation.kind, RelationKind::Grant(_)),
        details,
    )
}

/// The relations without their lines, sorted: what a template means however it is written.
fn meaning(template: &Template) -> Vec<String> {
    common::relations::meaning(relations(template))
}

/// The YAML fixture and its JSON twin mean the same.
fn same_in_json(name: &str) -> Template {
    let yaml = fixture(&format!("{name}.yaml"));
    let json = fixture(&format!("{name}.json"));
    assert_eq!(meaning(&yaml), meaning(&json), "{name}");
    yaml
}

/// The edges of the analysed flow that start at `from`, as `FROM -KIND-> TO [LABELS]`.
fn flow_edges(name: &str, from: &str) -> Vec<String> {
    let files = DiskFiles::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/templates/states"));
    let analysis = common::analyse(&files, &[name]);
    analysis
        .flow
        .edges()
        .into_iter()
        .filter(|(source, _, _)| source.id == from)
        .map(|(source, target, edge)| {
            format!("{} -{}-> {} {:?}", source.id, edge.kind.name(), target.id, edge.labels)
        })
        .collect()
}

#[test]
fn state_machine_tasks_at_any_depth() {
    let template = same_in_json("step-functions");
    assert_eq!(
        relations(&template),
        [
            r#"15 Orders -trigger-> Validate Generic("StepFunctions") name=Validate"#,
            "24 Orders -route-> Topic StateMachineTask label=Notify",
            "38 Orders -route-> Table StateMachineTask label=Store",
            r#"47 Orders -trigger-> Charge Generic("StepFunctions") name=Charge"#,
            "57 Orders -route-> Bus StateMachineTask label=Publish",
            "57 Orders -route-> external:default StateMachineTask label=Publish",
            "66 Orders -route-> Queue StateMachineTask label=Enqueue",
            "73 Orders -route-> Archive StateMachineTask label=Archive",
            "86 Orders -route-> Refunds StateMachineTask label=Child",
            "92 Orders -route-> Cluster StateMachineTask label=Container",
            "92 Orders -route-> TaskDef StateMachineTask label=Container",
            "108 Refunds -route-> Queue StateMachineTask label=Log",
            r#"108 Refunds -trigger-> Charge Generic("StepFunctions") name=Refund"#,
            r#"135 Joined -trigger-> Validate Generic("StepFunctions") name=Run"#,
        ]
    );
}

#[test]
fn state_machine_tasks_are_flow_edges_labelled_with_their_states() {
    assert_eq!(
        flow_edges("step-functions.yaml", "Refunds"),
        [r#"Refunds -trigger-> Charge []"#, r#"Refunds -route-> Queue ["Log"]"#]
    );
}

#[test]
fn odd_definitions_do_not_stop_the_template() {
    let (template, problems) = from_text(
        "Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        States:
          NoResource: {Type: Task}
          Odd: {Type: Parallel, Branches: nope}
          Deep: {Type: Map, ItemProcessor: [1, 2]}
          Dynamic:
            Type: Task
            Resource: arn:aws:states:::sqs:sendMessage
            Parameters: {QueueUrl.$: $.queue}
          Numbered: {Type: Task, Resource: 42}
      DefinitionSubstitutions: not-a-map
",
    );
    assert_eq!(relations(&template), Vec::<String>::new());
    assert_eq!(problems, ["task state `NoResource` has no Resource"]);
}

#[test]
fn an_unread_definition_file_is_stood_for_by_its_substitutions() {
    let (template, _) = from_text(
        "Resources:
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/machine.asl.json
      DefinitionSubstitutions:
        Worker: !GetAtt Worker.Arn
        Table: !Ref Table
  Worker:
    Type: AWS::Lambda::Function
    Properties: {Role: r, Code: {ZipFile: x}}
  Table:
    Type: AWS::DynamoDB::Table
",
    );
    assert_eq!(
        relations(&template),
        [
            "6 Machine -route-> Table StateMachineTask",
            r#"6 Machine -trigger-> Worker Generic("StepFunctions") name=DefinitionSubstitutions"#,
        ]
    );
}

#[test]
fn appsync_data_sources_join_their_api_to_what_they_use() {
    let template = same_in_json("appsync");
    assert_eq!(
        relations(&template),
        [
            "14 Api -trigger-> Resolve AppSync name=LambdaSource route=Query.getOrder",
            "23 Api -route-> Orders DataSource label=Mutation.placeOrder",
            "23 Api -route-> Orders DataSource label=Query.listOrders",
            "33 Api -route-> Bus DataSource label=Mutation.placeOrder",
            "127 SamApi -trigger-> Resolve AppSync name=Answer route=Query.ask",
            "127 SamApi -trigger-> Resolve AppSync name=Answer route=Query.getItem",
            "130 SamApi -route-> Orders DataSource label=Query.getItem",
            "159 SamApi -route-> RelayApi DataSource label=Mutation.relay",
        ]
    );
    assert_eq!(
        flow_edges("appsync.yaml", "Api"),
        [
            r#"Api -route-> Bus ["Mutation.placeOrder"]"#,
            r#"Api -route-> Orders ["Mutation.placeOrder", "Query.listOrders"]"#,
            r#"Api -trigger-> Resolve ["Query.getOrder"]"#,
        ]
    );
}

#[test]
fn firehose_delivery_streams_read_deliver_and_process() {
    let template = same_in_json("firehose");
    assert_eq!(
        relations(&template),
        [
            "17 Clicks -route-> FromStream DeliveryStream label=source",
            "19 FromStream -route-> Backup DeliveryStream label=backup",
            "19 FromStream -route-> Lake DeliveryStream label=ExtendedS3",
            "22 FromStream -trigger-> Transform Firehose name=ProcessingConfiguration",
            "40 DirectPut -route-> Collector DeliveryStream label=HttpEndpoint",
            "40 DirectPut -route-> Lake DeliveryStream label=HttpEndpoint S3",
            "46 DirectPut -trigger-> Transform Firehose name=ProcessingConfiguration disabled",
        ]
    );
    assert_eq!(
        flow_edges("firehose.yaml", "FromStream"),
        [
            r#"FromStream -route-> Backup ["backup"]"#,
            r#"FromStream -route-> Lake ["ExtendedS3"]"#,
            r#"FromStream -trigger-> Transform []"#,
        ]
    );
}

#[test]
fn odd_appsync_and_firehose_properties_are_warnings() {
    let (template, problems) = from_text(
        "Resources:
  Source:
    Type: AWS::AppSync::DataSource
    Properties: {ApiId: [1], Type: AWS_LAMBDA, Name: {x: 1}}
  Resolver:
    Type: AWS::AppSync::Resolver
    Properties: {PipelineConfig: {Functions: 3}, DataSourceName: [a]}
  Sam:
    Type: AWS::Serverless::GraphQLApi
    Properties:
      DataSources: {Lambda: {Fn: {}}, DynamoDb: [1]}
      Resolvers: {Query: [1], Mutation: {a: {Pipeline: 5}}}
      Functions: 7
  Stream:
    Type: AWS::KinesisFirehose::DeliveryStream
    Properties:
      KinesisStreamSourceConfiguration: 1
      S3DestinationConfiguration: [1]
      ExtendedS3DestinationConfiguration:
        ProcessingConfiguration:
          Processors: [{Parameters: [{ParameterName: LambdaArn}, 1]}, 2]
",
    );
    assert_eq!(relations(&template), Vec::<String>::new());
    assert_eq!(
        problems,
        [
            "AppSync data source of type `AWS_LAMBDA` without the target flowdoc reads",
            "Lambda data source without FunctionArn",
            "LambdaArn processor parameter without a ParameterValue",
        ]
    );
}

#[test]
fn literal_function_arns_and_names_are_the_template_functions() {
    let (template, problems) = from_text(
        "Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: ByArn
        States:
          ByArn:
            Type: Task
            Resource: arn:aws:lambda:us-east-1:123456789012:function:charge-fn:live
            Next: ByName
          ByName:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Arguments: {FunctionName: charge-fn, InvocationType: Event}
            Next: Elsewhere
          Elsewhere:
            Type: Task
            Resource: arn:aws:lambda:us-east-1:123456789012:function:other-account
            End: true
  Charge:
    Type: AWS::Lambda::Function
    Properties: {FunctionName: charge-fn, Role: r, Code: {ZipFile: x}}
",
    );
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(
        relations(&template),
        [
            r#"8 Machine -trigger-> Charge Generic("StepFunctions") name=ByArn"#,
            r#"12 Machine -trigger-> Charge Generic("StepFunctions") name=ByName async"#,
        ]
    );
}

/// A definition in a local file (`DefinitionUri`) is read, its substitutions applied, its states
/// placed where the template names the file; one in S3 is not fetched, and a warning says so.
#[test]
fn a_definition_file_beside_the_template_is_read() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/definitions");
    let analysis = common::analyse(&flowdoc::files::DiskFiles::new(root), &["template.yaml"]);
    let edges: Vec<String> = analysis
        .flow
        .edges()
        .iter()
        .map(|(from, to, edge)| {
            format!(
                "{} -{}-> {} {:?} line {}",
                from.id,
                edge.kind.name(),
                to.id,
                edge.labels,
                edge.location.line().unwrap()
            )
        })
        .collect();
    assert_eq!(
        edges,
        [
            "OrderFlow -trigger-> ChargeFunction [] line 9",
            "OrderFlow -route-> NoticeTopic [\"Tell\"] line 9",
            "OrderFlow -route-> OrdersTable [\"Record\"] line 9",
        ]
    );
    let problems: Vec<String> = analysis
        .flow
        .template_problems()
        .iter()
        .map(|problem| format!("{} {}", problem.location, problem.message))
        .collect();
    assert_eq!(
        problems,
        ["template.yaml:17:7 the state machine definition lives in S3; flowdoc does not fetch it"]
    );
}
