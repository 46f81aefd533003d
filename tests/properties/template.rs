//! The template loader on hostile text: it always returns, every place it reports is inside the
//! file, it reports no internal error (a panic caught on a worker thread), and loading the same
//! text twice gives the same result.

use crate::{config, pieces};
use flowdoc::files::MemoryFiles;
use flowdoc::location::Location;
use flowdoc::template::{self, LoadOptions, Templates, YamlLimits};
use proptest::prelude::*;

/// Pieces of YAML, JSON and CloudFormation: structure, keys the loader reads, intrinsic
/// functions long and short, anchors and aliases, tags it knows and does not, odd characters.
#[rustfmt::skip]
const FRAGMENTS: &[&str] = &[
    "Resources", "Resources:\n", "Type", "Type: ", "Properties", "Properties:\n", "AWS::SQS::Queue",
    "AWS::SNS::Topic", "AWS::Serverless::Function", "AWS::Lambda::EventSourceMapping",
    "AWS::SNS::Subscription", "AWS::Events::Rule", "AWS::CloudFormation::Stack",
    "AWS::Serverless::Application", "AWS::DynamoDB::Table", "Custom::Thing", "Globals", "Function", "Events",
    "Environment", "Variables", "Queue", "Topic", "Stream", "CodeUri", "Policies", "RedrivePolicy",
    "deadLetterTargetArn", "FilterPolicy", "DeadLetterQueue", "TemplateURL", "Location", "Condition",
    "Conditions", "Parameters", "Default", "Mappings", "Outputs", "Value", "Fn::Sub", "Fn::GetAtt", "Ref",
    "Fn::If", "Fn::Join", "Fn::Select", "Fn::FindInMap", "Fn::ImportValue", "Fn::Split", "Fn::Nope", ":",
    ": ", "- ", "-", "\n", "\n  ", "\n    ", "\n      ", "  ", " ", "\t", "\r", "\r\n", "{", "}", "[", "]",
    ",", ", ", "\"", "'", "&a ", "*a", "&b ", "*b", "<<: *a", "!Ref ", "!GetAtt ", "!Sub ", "!If ", "!Join ",
    "!Select ", "!FindInMap ", "!ImportValue ", "!Base64 ", "!Condition ", "!Custom ", "!!str ", "!!map ",
    "!<tag:x> ", "!", "#", "# comment\n", "?", "? ", "|", "|-\n", ">", ">\n", "%YAML 1.2\n", "---\n", "...\n",
    "é", "日本", "🦀", "\u{feff}", "\u{0}", "\u{85}", "\u{2028}", "${Q}", "${Q.Arn}", "${AWS::Region}",
    "${!Literal}", "${", "}", "Q", "F", "T", "Q.Arn", "F.Arn", "null", "~", "true", "60", "-1", "0x10", "1e3",
    "\\", "\\u00e9", "\"\\", "{\"Ref\": \"Q\"}", "[\"a\", \"b\"]", "{\"Fn::GetAtt\": [\"Q\", \"Arn\"]}",
];

/// A small valid SAM template that touches most of what the loader reads.
const BASE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Mappings:
  Names:
    dev: { Queue: WorkQueue }
Globals:
  Function:
    Runtime: provided.al2023
    Timeout: 10
    Environment:
      Variables:
        STAGE: !Ref Stage
Resources:
  ApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: api/
      Environment:
        Variables:
          QUEUE_URL: !Ref WorkQueue
          TOPIC_ARN: !If [IsProd, !Ref Topic, !Ref AWS::NoValue]
          TABLE: !Sub "${Table}-${AWS::Region}"
      Policies:
        - SQSSendMessagePolicy:
            QueueName: !GetAtt WorkQueue.QueueName
        - SNSPublishMessagePolicy: { TopicName: !GetAtt [Topic, TopicName] }
      Events:
        Post:
          Type: Api
          Properties: { Path: /orders, Method: post }
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: LATEST
            DestinationConfig:
              OnFailure:
                Destination: !GetAtt DeadLetters.Arn
        Nightly:
          Type: Schedule
          Properties: { Schedule: rate(1 day) }
      DeadLetterQueue:
        Type: SQS
        TargetArn: !GetAtt DeadLetters.Arn
  WorkerFunction:
    Type: AWS::Serverless::Function
    Condition: IsProd
    Properties:
      CodeUri: worker/
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt WorkQueue.Arn
        Notes:
          Type: SNS
          Properties:
            Topic: !Ref Topic
            FilterPolicy: { event_type: [OrderPlaced] }
  WorkQueue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !FindInMap [Names, !Ref Stage, Queue]
      VisibilityTimeout: 60
      RedrivePolicy: !Sub '{"deadLetterTargetArn": "${DeadLetters.Arn}", "maxReceiveCount": 3}'
  DeadLetters:
    Type: AWS::SQS::Queue
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      Subscription:
        - Endpoint: !GetAtt WorkQueue.Arn
          Protocol: sqs
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      StreamSpecification: { StreamViewType: NEW_IMAGE }
  Nested:
    Type: AWS::Serverless::Application
    Properties:
      Location: ./nested.yaml
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !Select [0, [!GetAtt WorkQueue.Arn]]
      FunctionName: !Join ["", [!Ref ApiFunction]]
Outputs:
  Url:
    Value: !ImportValue Shared
"#;

/// A change to a text: at a place (taken modulo the length), insert, delete or replace.
#[derive(Clone, Debug)]
enum Edit {
    Insert(prop::sample::Index, String),
    Delete(prop::sample::Index),
    Replace(prop::sample::Index, String),
}

fn edit() -> impl Strategy<Value = Edit> {
    let text = prop_oneof![
        3 => prop::sample::select(&[
            ":", " ", "\n", "\t", "\r", "-", "{", "}", "[", "]", "\"", "'", "!", "&", "*", "#", "|", ">",
            "%", "@", "`", ",", "?", "é", "\u{0}", "\u{feff}", "!Ref ", "&x ", "*x", "${", "  ",
        ][..])
        .prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
    ];
    prop_oneof![
        (any::<prop::sample::Index>(), text.clone()).prop_map(|(at, text)| Edit::Insert(at, text)),
        any::<prop::sample::Index>().prop_map(Edit::Delete),
        (any::<prop::sample::Index>(), text).prop_map(|(at, text)| Edit::Replace(at, text)),
    ]
}

/// `text` with `edits` made, each at a character boundary.
fn edited(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<String> = text.chars().map(String::from).collect();
    for edit in edits {
        match edit {
            Edit::Insert(at, new) => {
                let at = at.index(chars.len() + 1);
                chars.insert(at, new.clone());
            }
            Edit::Delete(at) if !chars.is_empty() => {
                chars.remove(at.index(chars.len()));
            }
            Edit::Replace(at, new) if !chars.is_empty() => {
                let at = at.index(chars.len());
                chars[at] = new.clone();
            }
            Edit::Delete(_) | Edit::Replace(..) => {}
        }
    }
    chars.concat()
}

/// A tree of YAML that the loader will mostly parse: mappings of keys it reads, sequences,
/// scalars, and intrinsic functions in their long and short forms, nested at random.
#[derive(Clone, Debug)]
enum Tree {
    Scalar(&'static str),
    Seq(Vec<Tree>),
    Map(Vec<(&'static str, Tree)>),
    Tag(&'static str, Box<Tree>),
}

#[rustfmt::skip]
const KEYS: &[&str] = &[
    "Type", "Properties", "Events", "Queue", "Topic", "Stream", "Environment", "Variables", "Policies",
    "RedrivePolicy", "deadLetterTargetArn", "FilterPolicy", "DeadLetterQueue", "TargetArn",
    "DestinationConfig", "OnFailure", "Destination", "Subscription", "Endpoint", "Protocol", "TopicArn",
    "EventSourceArn", "FunctionName", "Targets", "Arn", "DeadLetterConfig", "EventPattern", "CodeUri",
    "Handler", "Connectors", "Source", "Destination", "Permissions", "Condition", "Ref", "Fn::GetAtt",
    "Fn::Sub", "Fn::If", "Fn::Join", "Fn::Select", "Fn::FindInMap", "Fn::ImportValue", "Fn::Split",
    "Fn::Nope", "QueueName", "TopicName", "TableName", "StreamSpecification", "Location", "TemplateURL",
    "Metadata", "BuildProperties", "Binary", "SQSSendMessagePolicy", "SNSPublishMessagePolicy",
    "DynamoDBCrudPolicy", "Statement", "Effect", "Action", "Resource", "Id", "Id2", "maxReceiveCount",
];

#[rustfmt::skip]
const SCALARS: &[&str] = &[
    "Q", "F", "T", "Table", "Q.Arn", "F.Arn", "T.TopicName", "Table.StreamArn", "AWS::Region", "AWS::NoValue",
    "Stage", "IsProd", "Names", "${Q}", "${Q.Arn}", "${Nope}", "${", "${!Q}", "${Q.}", "${.}",
    "arn:aws:sqs:us-east-1:123456789012:q", "SQS", "SNS", "DynamoDB", "Kinesis", "EventBridgeRule",
    "Schedule", "Api", "S3", "MSK", "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::Serverless::Function",
    "AWS::SNS::Subscription", "AWS::Events::Rule", "AWS::Serverless::Connector",
    "AWS::Serverless::Application", "AWS::CloudFormation::Stack", "Custom::X", "0", "1", "-1",
    "99999999999999999999", "true", "null", "", " ", "./n.yaml", "../x.yaml", "/abs.yaml",
    "{\"deadLetterTargetArn\": \"${Q.Arn}\"}", "{\"event_type\": [\"A\"]}", "{", "é", "日本", "🦀",
];

#[rustfmt::skip]
const TAGS: &[&str] = &[
    "!Ref", "!GetAtt", "!Sub", "!If", "!Join", "!Select", "!FindInMap", "!ImportValue", "!Split", "!Base64",
    "!Equals", "!Not", "!Condition", "!Custom", "!!str",
];

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = prop::sample::select(SCALARS).prop_map(Tree::Scalar);
    leaf.prop_recursive(6, 60, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Tree::Seq),
            prop::collection::vec((prop::sample::select(KEYS), inner.clone()), 0..5).prop_map(Tree::Map),
            (prop::sample::select(TAGS), inner).prop_map(|(tag, tree)| Tree::Tag(tag, Box::new(tree))),
        ]
    })
}

/// A scalar as YAML: plain where that reads back as the same text, else double-quoted.
fn scalar(text: &str) -> String {
    let plain = !text.is_empty()
        && text.chars().all(|c| c.is_alphanumeric() || ".:/-_ ".contains(c))
        && !text.starts_with([' ', '-', ':'])
        && !text.ends_with([' ', ':'])
        && !text.contains(": ");
    if plain { text.to_owned() } else { format!("{text:?}") }
}

/// The tree in flow style (on one line): what a tagged node or a small value is written as.
fn flow(tree: &Tree) -> String {
    match tree {
        Tree::Scalar(text) => scalar(text),
        Tree::Seq(items) => format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Tree::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(key, value)| format!("{}: {}", scalar(key), flow(value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Tree::Tag(tag, inner) => format!("{tag} {}", flow(inner)),
    }
}

/// The tree in block style, indented by `indent` spaces, as the value after `key:`.
fn block(out: &mut String, key: &str, tree: &Tree, indent: usize) {
    let pad = " ".repeat(indent);
    match tree {
        Tree::Map(entries) if !entries.is_empty() => {
            out.push_str(&format!("{pad}{}:\n", scalar(key)));
            for (child_key, child) in entries {
                block(out, child_key, child, indent + 2);
            }
        }
        Tree::Seq(items) if !items.is_empty() => {
            out.push_str(&format!("{pad}{}:\n", scalar(key)));
            for item in items {
                out.push_str(&format!("{pad}  - {}\n", flow(item)));
            }
        }
        other => out.push_str(&format!("{pad}{}: {}\n", scalar(key), flow(other))),
    }
}

/// A template whose resources are random trees.
fn tree_template() -> impl Strategy<Value = String> {
    let resource = (prop::sample::select(SCALARS), tree());
    prop::collection::vec(resource, 0..5).prop_map(|resources| {
        let mut out = String::from("Transform: AWS::Serverless-2016-10-31\nResources:\n");
        for (index, (type_name, properties)) in resources.iter().enumerate() {
            let id = ["Q", "F", "T", "Table", "Id"][index % 5];
            out.push_str(&format!("  {id}:\n    Type: {}\n", scalar(type_name)));
            block(&mut out, "Properties", properties, 4);
        }
        out
    })
}

/// Every place the loader reports, with what it is.
fn places(loaded: &Templates) -> Vec<(String, &Location)> {
    let mut places = Vec::new();
    for error in loaded.errors() {
        places.push((format!("error {:?}", error.message), &error.location));
        if let Some(related) = &error.related {
            places.push((format!("related place of error {:?}", error.message), related));
        }
    }
    for template in loaded.templates() {
        for problem in &template.problems {
            places.push((format!("problem {:?}", problem.message), &problem.location));
            if let Some(related) = &problem.related {
                places.push((format!("related place of problem {:?}", problem.message), related));
            }
        }
        for resource in template.resources.values() {
            places.push((format!("resource {}", resource.id), &resource.location));
        }
        for (name, parameter) in &template.parameters {
            places.push((format!("parameter {name}"), &parameter.location));
        }
        for relation in &template.relations {
            places.push((format!("relation {:?}", relation.kind), &relation.location));
        }
    }
    places
}

/// Loads `bytes` as `t.yaml` twice; checks the places, the absence of internal errors, and that
/// both loads agree.
fn check(bytes: &[u8], options: &LoadOptions) -> Result<(), TestCaseError> {
    let mut files = MemoryFiles::new();
    files.insert("t.yaml", bytes);
    let paths = ["t.yaml".to_owned()];
    let loaded = template::load(&files, &paths, options);
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.split('\n').collect();
    for (what, location) in places(&loaded) {
        prop_assert_eq!(&location.file, "t.yaml", "{} is in another file", what);
        prop_assert!(
            location.line().unwrap() >= 1 && location.line().unwrap() as usize <= text.lines().count() + 1,
            "{} is at line {} of a text of {} lines",
            what,
            location.line().unwrap(),
            text.lines().count()
        );
        prop_assert!(location.column().unwrap() >= 1, "{} is at column 0", what);
        if let Some(line) = lines.get(location.line().unwrap() as usize - 1) {
            prop_assert!(
                location.column().unwrap() as usize <= line.chars().count() + 1,
                "{} is at {}:{}, past the end of the line {:?}",
                what,
                location.line().unwrap(),
                location.column().unwrap(),
                line
            );
        }
    }
    for error in loaded.errors() {
        prop_assert!(!error.message.contains("internal error"), "the loader panicked: {}", error.message);
    }
    let again = template::load(&files, &paths, options);
    prop_assert_eq!(&loaded, &again, "two loads of the same text differ");
    Ok(())
}

/// The default limits, and small ones that hostile text reaches.
fn options() -> impl Strategy<Value = LoadOptions> {
    prop_oneof![
        3 => Just(LoadOptions::default()),
        1 => Just(LoadOptions { yaml: YamlLimits { max_depth: 6, max_nodes: 40 }, max_file_bytes: 1 << 20 }),
    ]
}

proptest! {
    #![proptest_config(config(256, 0x7e3a_0001))]

    #[test]
    fn fragments_load_without_panics_and_point_inside_the_file(
        prefix in prop::sample::select(&["", "Resources:\n  ", "Resources:\n  Q:\n    Type: ", "{\"Resources\": "][..]),
        body in pieces(FRAGMENTS, 0..80),
        options in options(),
    ) {
        check(format!("{prefix}{body}").as_bytes(), &options)?;
    }

    #[test]
    fn edited_templates_load_without_panics_and_point_inside_the_file(
        edits in prop::collection::vec(edit(), 1..5),
        options in options(),
    ) {
        check(edited(BASE, &edits).as_bytes(), &options)?;
    }

    #[test]
    fn random_trees_load_without_panics_and_point_inside_the_file(text in tree_template()) {
        check(text.as_bytes(), &LoadOptions::default())?;
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused_with_their_place(
        at in any::<prop::sample::Index>(),
        byte in 0x80u8..=0xff,
    ) {
        let mut bytes = BASE.as_bytes().to_vec();
        bytes.insert(at.index(bytes.len() + 1), byte);
        check(&bytes, &LoadOptions::default())?;
    }
}

#[test]
fn the_base_template_loads_cleanly() {
    let mut files = MemoryFiles::new();
    files.insert("t.yaml", BASE);
    let loaded = template::load(&files, &["t.yaml".to_owned()], &LoadOptions::default());
    assert!(loaded.errors().is_empty(), "{:?}", loaded.errors());
    assert_eq!(loaded.templates().len(), 1);
    assert!(loaded.templates()[0].resources.len() >= 9, "{:?}", loaded.templates()[0].resources.keys());
}
