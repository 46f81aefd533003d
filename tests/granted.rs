//! Probable writes from grants: a write grant of a function on a resource one of its
//! environment variables names is drawn as a publish edge of source `grant` (granted, not
//! declared in code); a grant alone is listed on the function's page but not drawn; a write
//! the code declares stays the code's edge.

mod common;

use flowdoc::files::{DiskFiles, MemoryFiles};
use flowdoc::model::{EdgeKind, EdgeSource, Flow};
use flowdoc::render::diagram::{self, EdgeLook};
use flowdoc::render::docs::{self, DocsOptions};
use flowdoc::render::{dot, mermaid};
use std::path::Path;

/// The analysis of the rule fixture `case`.
fn fixture(case: &str) -> flowdoc::Analysis {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules").join(case);
    common::analyse(&DiskFiles::new(root), &["template.yaml"])
}

/// Every edge as `from -kind-> to source=… [events] labels conditional`.
fn edges(flow: &Flow) -> Vec<String> {
    flow.edges()
        .iter()
        .map(|(from, to, edge)| {
            let events: Vec<&str> = edge.events.iter().map(String::as_str).collect();
            format!(
                "{} -{}-> {} source={} [{}] {:?}{}",
                from.id,
                edge.kind.name(),
                to.id,
                edge.source.name(),
                events.join(", "),
                edge.labels,
                if edge.conditional { " conditional" } else { "" }
            )
        })
        .collect()
}

#[test]
fn a_grant_and_a_variable_naming_the_resource_draw_a_granted_edge() {
    let analysis = fixture("undeclared-write");
    assert_eq!(
        edges(&analysis.flow),
        [
            "ApiFunction -publish-> AuditQueue source=grant [] [\"AUDIT_QUEUE\"]",
            "ApiFunction -publish-> OrdersTable source=code [OrderPlaced] []",
        ],
        "the audit queue is granted and named by the Globals' AUDIT_QUEUE; the notes topic is only granted"
    );
    let (_, _, granted) = analysis.flow.edges().into_iter().find(|(_, to, _)| to.id == "AuditQueue").unwrap();
    assert!(granted.confirmed);
    assert_eq!(granted.location.line(), Some(11), "placed at the variable");
}

#[test]
fn a_write_the_code_declares_stays_the_codes_edge() {
    let analysis = fixture("undeclared-write-ok");
    let publishes: Vec<String> =
        edges(&analysis.flow).into_iter().filter(|edge| edge.contains("-publish->")).collect();
    assert_eq!(
        publishes,
        [
            "ApiFunction -publish-> AuditQueue source=code [OrderPlaced] []",
            "ApiFunction -publish-> OrdersTable source=code [OrderPlaced] []",
        ]
    );
}

#[test]
fn the_function_page_lists_the_granted_writes() {
    let analysis = fixture("undeclared-write");
    let files = docs::documents(&analysis.flow, &analysis.findings, &DocsOptions { out_dir: None });
    let page = &files["functions/apifunction.md"];
    let section = page.split("## Granted writes").nth(1).unwrap().split("\n## ").next().unwrap();
    let rows: Vec<&str> = section.lines().filter(|line| line.starts_with("| `")).collect();
    assert_eq!(rows.len(), 3, "{section}");
    assert!(rows[0].starts_with("| `AuditQueue` | SQSSendMessagePolicy |"), "{}", rows[0]);
    assert!(
        rows[0].ends_with("| granted, not declared in code: environment variable `AUDIT_QUEUE` names it |")
    );
    assert!(rows[1].starts_with("| `NotesTopic` | SNSPublishMessagePolicy |"), "{}", rows[1]);
    assert!(rows[1].ends_with("| no: no environment variable names it |"), "{}", rows[1]);
    assert!(rows[2].starts_with("| `OrdersTable` | DynamoDBCrudPolicy |"), "{}", rows[2]);
    assert!(rows[2].ends_with("| declared in code |"), "{}", rows[2]);

    let ok = fixture("undeclared-write-ok");
    let files = docs::documents(&ok.flow, &ok.findings, &DocsOptions { out_dir: None });
    let page = &files["functions/apifunction.md"];
    assert!(page.contains("| no: a failure path of the template lands there |"), "{page}");
    assert!(page.contains("| `sqs:*` |") && page.contains("| no: a grant on all of a service |"), "{page}");
}

#[test]
fn granted_edges_have_their_own_look() {
    let analysis = fixture("undeclared-write");
    let picture = diagram::overview(&analysis.flow);
    let looks: Vec<(&str, EdgeLook)> =
        picture.edges.iter().map(|edge| (edge.to.as_str(), edge.look)).collect();
    assert_eq!(looks, [("AuditQueue", EdgeLook::Granted), ("OrdersTable", EdgeLook::Publish)]);
    assert_eq!(diagram::edge_look(EdgeKind::Publish, EdgeSource::Grant), EdgeLook::Granted);
    assert_eq!(diagram::edge_look(EdgeKind::Publish, EdgeSource::Code), EdgeLook::Publish);
    assert_eq!(EdgeLook::Granted.meaning(), "granted, not declared in code");
    assert!(mermaid::render(&picture).contains("stroke:#0969da,stroke-dasharray:3 3"));
    assert!(dot::render(&picture).contains("style=dashed, color=\"#0969da\""));
    let svg = flowdoc::render::svg::render(&picture);
    assert!(svg.contains("class=\"edge granted\""), "{svg}");
    assert!(svg.contains("granted, not declared in code"), "the legend says what it means");
}

/// A grant on a resource no variable names, a variable naming a resource nothing grants, a
/// read grant and a grant on all of a service draw nothing; a variable behind `Fn::If` draws
/// a conditional edge.
#[test]
fn only_a_write_grant_on_a_named_resource_draws() {
    let template = r#"
Transform: AWS::Serverless-2016-10-31
Conditions:
  Audit: !Equals [!Ref AWS::Region, eu-west-1]
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      Handler: bootstrap
      CodeUri: worker/
      Environment:
        Variables:
          TABLE: !Ref Table
          READ_ONLY: !Ref ReadTable
          NOT_GRANTED: !Ref Topic
          AUDIT: !If [Audit, !Ref AuditQueue, !Ref AWS::NoValue]
          STREAM: !Ref Stream
      Policies:
        - DynamoDBWritePolicy:
            TableName: !Ref Table
        - DynamoDBReadPolicy:
            TableName: !Ref ReadTable
        - SQSSendMessagePolicy:
            QueueName: !GetAtt AuditQueue.QueueName
        - SQSSendMessagePolicy:
            QueueName: !GetAtt Elsewhere.QueueName
        - Statement:
            - Effect: Allow
              Action: kinesis:PutRecord
              Resource: "*"
  Table:
    Type: AWS::DynamoDB::Table
  ReadTable:
    Type: AWS::DynamoDB::Table
  Topic:
    Type: AWS::SNS::Topic
  AuditQueue:
    Type: AWS::SQS::Queue
  Elsewhere:
    Type: AWS::SQS::Queue
  Stream:
    Type: AWS::Kinesis::Stream
"#;
    let mut files = MemoryFiles::new();
    files.insert("template.yaml", template);
    let analysis = common::analyse(&files, &["template.yaml"]);
    assert_eq!(
        edges(&analysis.flow),
        [
            "Worker -publish-> AuditQueue source=grant [] [\"AUDIT\"] conditional",
            "Worker -publish-> Table source=grant [] [\"TABLE\"]",
        ]
    );
    assert!(
        analysis.findings.iter().all(|finding| finding.rule != "undeclared-write"),
        "nothing is annotated"
    );
}

/// A grant on something the stack is given (a parameter's table) draws no
/// edge, since there is no box to draw it to; the page says so and names the variables that
/// point there, and the Environment table says what each variable references.
#[test]
fn grants_outside_the_templates_are_listed_with_the_variables_that_name_them() {
    let template = r#"
Transform: AWS::Serverless-2016-10-31
Parameters:
  StockTableName: {Type: String}
  ArchiveTableName: {Type: String}
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      Handler: bootstrap
      CodeUri: worker/
      Environment:
        Variables:
          STOCK_TABLE: !Ref StockTableName
          AUDIT_QUEUE: !ImportValue audit-queue-url
          OWN_TABLE: !Ref Table
          MISSING: !Ref Nowhere
      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref StockTableName
        - DynamoDBWritePolicy:
            TableName: !Ref ArchiveTableName
  Table:
    Type: AWS::DynamoDB::Table
"#;
    let mut files = MemoryFiles::new();
    files.insert("template.yaml", template);
    let analysis = common::analyse(&files, &["template.yaml"]);
    assert!(edges(&analysis.flow).iter().all(|edge| !edge.contains("StockTableName")));
    let files = docs::documents(&analysis.flow, &analysis.findings, &DocsOptions { out_dir: None });
    let page = &files["functions/worker.md"];
    let section = |title: &str| page.split(title).nth(1).unwrap().split("\n## ").next().unwrap().to_owned();
    let granted = section("## Granted writes");
    let rows: Vec<&str> = granted.lines().filter(|line| line.starts_with("| `")).collect();
    assert_eq!(rows.len(), 2, "{page}");
    assert!(rows[0].starts_with("| `ArchiveTableName` | DynamoDBWritePolicy |"), "{}", rows[0]);
    assert!(rows[0].ends_with("| no: not a resource of the templates |"), "{}", rows[0]);
    assert!(rows[1].starts_with("| `StockTableName` | DynamoDBCrudPolicy |"), "{}", rows[1]);
    assert!(
        rows[1].ends_with(
            "| no: not a resource of the templates (environment variable `STOCK_TABLE` names it) |"
        ),
        "{}",
        rows[1]
    );
    let environment = section("## Environment");
    let rows: Vec<&str> = environment.lines().filter(|line| line.starts_with("| `")).collect();
    assert_eq!(
        rows,
        [
            "| `AUDIT_QUEUE` | import `audit-queue-url` |",
            "| `MISSING` | `Nowhere` (no such resource) |",
            "| `OWN_TABLE` | `Table` |",
            "| `STOCK_TABLE` | parameter `StockTableName` |",
        ]
    );
}

/// Grants through the function's role (its inline policies) and through an `AWS::IAM::Policy`
/// attached to that role draw as well.
#[test]
fn grants_through_the_role_and_attached_policies_draw() {
    let template = r#"
Resources:
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: provided.al2023
      Handler: bootstrap
      Code: { ZipFile: "" }
      Role: !GetAtt WorkerRole.Arn
      Environment:
        Variables:
          TOPIC_ARN: !Ref Topic
          BUS_NAME: !Ref Bus
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      Policies:
        - PolicyName: publish
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: sns:Publish
                Resource: !Ref Topic
  BusPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: bus
      Roles: [!Ref WorkerRole]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: events:PutEvents
            Resource: !GetAtt Bus.Arn
  Topic:
    Type: AWS::SNS::Topic
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: orders
"#;
    let mut files = MemoryFiles::new();
    files.insert("template.yaml", template);
    let analysis = common::analyse(&files, &["template.yaml"]);
    assert_eq!(
        edges(&analysis.flow),
        [
            "Worker -publish-> Bus source=grant [] [\"BUS_NAME\"]",
            "Worker -publish-> Topic source=grant [] [\"TOPIC_ARN\"]",
        ]
    );
}
