//! The template loader on bad input (table-driven: every case a clear problem with its place, no
//! panic) and on the bundled pipeline's template.

use flowdoc::files::{DiskFiles, MemoryFiles};
use flowdoc::template::{
    self, Access, Endpoint, FailureVia, LoadOptions, RelationKind, ResourceKind, Severity, Template,
    Templates, YamlLimits,
};

fn load_text(text: impl Into<Vec<u8>>, options: &LoadOptions) -> Templates {
    let mut files = MemoryFiles::new();
    files.insert("t.yaml", text);
    template::load(&files, &["t.yaml".to_owned()], options)
}

fn refused(text: impl Into<Vec<u8>>, options: &LoadOptions) -> String {
    let loaded = load_text(text, options);
    assert!(loaded.templates().is_empty(), "expected the template to be refused");
    let error = &loaded.errors()[0];
    let related = error.related.as_ref().map(|at| format!(" (see {at})")).unwrap_or_default();
    format!("{} {}{related}", error.location, error.message)
}

/// Input that cannot be a template: refused with file, line and column.
#[test]
fn bad_templates_are_refused_with_their_place() {
    let small = LoadOptions { yaml: YamlLimits { max_depth: 64, max_nodes: 10_000 }, max_file_bytes: 4096 };
    let roomy = LoadOptions { max_file_bytes: 1 << 20, ..small };
    let mut bomb = String::from("Resources:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 0..8u8 {
        let (prev, next) = ((b'a' + level) as char, (b'b' + level) as char);
        let star = format!("*{prev}");
        bomb.push_str(&format!("  {next}: &{next} [{}]\n", vec![star; 9].join(", ")));
    }
    let cases: Vec<(&str, Vec<u8>, &LoadOptions, &str)> = vec![
        (
            "malformed YAML",
            b"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n   Bad: [\n".to_vec(),
            &small,
            "t.yaml:4:4 while parsing a block mapping, did not find expected key",
        ),
        (
            "malformed JSON",
            br#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue",}"#.to_vec(),
            &small,
            "while parsing a flow mapping, did not find expected ',' or '}'",
        ),
        (
            "empty file",
            Vec::new(),
            &small,
            "t.yaml:1:1 not a CloudFormation template: the document is not a mapping",
        ),
        ("only comments", b"# nothing here\n".to_vec(), &small, "t.yaml:1:1 not a CloudFormation template"),
        (
            "no Resources",
            b"AWSTemplateFormatVersion: '2010-09-09'\nOutputs: {}\n".to_vec(),
            &small,
            "t.yaml:1:1 not a CloudFormation template: it has no `Resources` section",
        ),
        (
            "Resources is a list",
            b"Resources:\n  - Q\n".to_vec(),
            &small,
            "t.yaml:1:1 `Resources` is a list; it must map logical IDs to resources",
        ),
        (
            "a list at the top",
            b"- Resources\n".to_vec(),
            &small,
            "t.yaml:1:1 not a CloudFormation template: the document is not a mapping",
        ),
        ("alias bomb", bomb.clone().into_bytes(), &roomy, "more than 10000 nodes"),
        (
            "deep nesting",
            format!("Resources:\n  Q:\n    Properties:\n      {}1\n", "- ".repeat(100)).into_bytes(),
            &roomy,
            "nesting deeper than the limit of 64 levels",
        ),
        (
            "not UTF-8",
            b"Resources:\n  Q: # caf\xe9\n".to_vec(),
            &small,
            "t.yaml:2:11 the template is not valid UTF-8",
        ),
        (
            "too large",
            vec![b'#'; 5000],
            &small,
            "t.yaml:1:1 template not loaded: file is 5000 bytes, over the limit of 4096 bytes",
        ),
        (
            "two documents",
            b"Resources: {}\n---\nResources: {}\n".to_vec(),
            &small,
            "t.yaml:2:1 a template is one YAML document",
        ),
        (
            "key runs on",
            b"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n\n  Topic:typo\n    Type: AWS::SNS::Topic\n"
                .to_vec(),
            &small,
            "t.yaml:5:3 this line has no `: ` after its key, so it runs on into line 6",
        ),
    ];
    for (name, text, options, expected) in cases {
        let message = refused(text, options);
        assert!(message.contains(expected), "{name}: got {message:?}, expected it to contain {expected:?}");
    }
}

/// A template named on the command line that does not exist is an error of its own; only a
/// nested one is a warning of the template that nests it (see `template_relations.rs`).
#[test]
fn a_missing_template_is_an_error_at_its_start() {
    let loaded = template::load(&MemoryFiles::new(), &["gone.yaml".to_owned()], &LoadOptions::default());
    assert!(loaded.templates().is_empty());
    let errors: Vec<String> = loaded
        .errors()
        .iter()
        .map(|error| format!("{} {:?} {} {:?}", error.location, error.severity, error.message, error.related))
        .collect();
    assert_eq!(errors, ["gone.yaml:1:1 Error no such template file None"]);
}

/// 100,000 levels of nesting in YAML and in JSON: refused in bounded time, no stack overflow.
#[test]
fn hundred_thousand_levels_are_refused() {
    for text in [
        format!("Resources:\n  Q:\n    Properties:\n      {}1\n", "- ".repeat(100_000)),
        format!("{{\"Resources\": {}1{}}}", "[".repeat(100_000), "]".repeat(100_000)),
    ] {
        let message = refused(text, &LoadOptions::default());
        assert!(message.contains("limit"), "{message}");
    }
}

/// Input that is a template with mistakes: it loads, and each mistake is a problem with its place.
#[test]
fn flawed_templates_load_with_their_problems() {
    let loaded = load_text(
        "Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 30
      VisibilityTimeout: 60
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          QUEUE: !Ref Nowhere
          OTHER: !GetAtt Missing.Arn
          MAGIC: !Frobnicate x
          CUSTOM: {\"Fn::Frobnicate\": [a, b]}
  Untyped:
    Properties: {}
  Custom:
    Type: Custom::Thing
    Properties: {Queue: !Ref Queue}
",
        &LoadOptions::default(),
    );
    assert!(loaded.errors().is_empty(), "{:?}", loaded.errors());
    let template = &loaded.templates()[0];
    let problems: Vec<String> = template
        .problems
        .iter()
        .map(|problem| {
            let related = problem.related.as_ref().map(|at| format!(" (see {at})")).unwrap_or_default();
            format!("{} {:?} {}{related}", problem.location, problem.severity, problem.message)
        })
        .collect();
    assert_eq!(
        problems,
        [
            "t.yaml:6:7 Error duplicate key `VisibilityTimeout`; the last value is used (see t.yaml:5:7)",
            "t.yaml:12:18 Error `Nowhere` is not a resource, parameter or pseudo parameter of this template",
            "t.yaml:13:18 Error `Missing` is not a resource, parameter or pseudo parameter of this template",
            "t.yaml:15:19 Warning unknown intrinsic function `Fn::Frobnicate`; its arguments are read as plain values",
            "t.yaml:16:3 Error resource `Untyped` has no Type; it is ignored",
        ]
    );
    let queue = &template.resources["Queue"];
    let template::Details::Queue(details) = &queue.details else { panic!("queue details") };
    assert_eq!(
        details.visibility_timeout.as_ref().map(|(seconds, _)| *seconds),
        Some(60),
        "the last value wins"
    );
    assert_eq!(template.resources["Custom"].kind, ResourceKind::Other, "unknown types are generic nodes");
    let env_targets: Vec<String> = template
        .relations
        .iter()
        .filter(|relation| matches!(relation.kind, RelationKind::Env(_)))
        .map(|relation| format!("{:?}", relation.to))
        .collect();
    assert_eq!(
        env_targets,
        ["Missing(\"Nowhere\")", "Missing(\"Missing\")"],
        "missing names are kept for the rules"
    );
}

/// The model as text, one line per relation, for reading and for snapshots.
fn describe(template: &Template) -> Vec<String> {
    let endpoint = |endpoint: &Endpoint| match endpoint {
        Endpoint::Resource(id) => id.clone(),
        Endpoint::External(external) => format!("external:{}", external.label()),
        Endpoint::Missing(id) => format!("missing:{id}"),
    };
    template
        .relations
        .iter()
        .map(|relation| {
            let detail = match &relation.kind {
                RelationKind::Trigger(trigger) => format!(
                    "{:?} batch={:?} retries={:?} bisect={:?} responses={:?} route={:?}",
                    trigger.source,
                    trigger.batch_size,
                    trigger.maximum_retry_attempts,
                    trigger.bisect_batch_on_error,
                    trigger.function_response_types,
                    trigger.route
                ),
                RelationKind::Subscription(subscription) => format!(
                    "{} raw={} redrive={} filter={}",
                    subscription.protocol,
                    subscription.raw,
                    subscription.has_redrive,
                    subscription.filter_policy.is_some()
                ),
                RelationKind::Failure(failure) => {
                    format!(
                        "{:?} function={:?} maxReceiveCount={:?}",
                        failure.via, failure.function, failure.max_receive_count
                    )
                }
                RelationKind::Grant(grant) => format!("{} {:?}", grant.via, grant.access),
                RelationKind::Env(variable) => variable.clone(),
                RelationKind::Route(route) => format!("{:?}", route.via),
                RelationKind::Permission(permission) => permission.principal.clone(),
                RelationKind::Write(write) => write.via.clone(),
            };
            format!(
                "{:>3} {} -{}-> {} {detail}",
                relation.location.line().unwrap(),
                endpoint(&relation.from),
                relation.kind.name(),
                endpoint(&relation.to)
            )
        })
        .collect()
}

fn pipeline() -> Templates {
    let files = DiskFiles::new(env!("CARGO_MANIFEST_DIR"));
    template::load(&files, &["pipeline/template.yaml".to_owned()], &LoadOptions::default())
}

#[test]
fn pipeline_template_model() {
    let loaded = pipeline();
    assert!(loaded.errors().is_empty(), "{:?}", loaded.errors());
    let template = &loaded.templates()[0];
    assert!(template.problems.is_empty(), "{:?}", template.problems);
    insta::assert_snapshot!("pipeline_relations", describe(template).join("\n"));

    let kinds: Vec<(&str, &str, bool)> = template
        .resources
        .values()
        .map(|resource| (resource.id.as_str(), resource.kind.name(), resource.implicit))
        .collect();
    assert!(kinds.contains(&("ServerlessRestApi", "api", true)));
    assert!(kinds.contains(&("OrdersTable", "dynamodb-table", false)));
    assert_eq!(template.resources["OrdersTable"].location.to_string(), "pipeline/template.yaml:77:3");

    let template::Details::Function(publisher) = &template.resources["StreamPublisherFunction"].details
    else {
        panic!("function details")
    };
    assert_eq!(publisher.code_uri.as_deref(), Some("stream-publisher/"));
    assert_eq!(publisher.binary.as_deref(), Some("stream-publisher"));
    assert_eq!(publisher.timeout.as_ref().map(|(seconds, _)| *seconds), Some(10), "from Globals");
    assert!(publisher.tracing_active, "from Globals");
    let topic_var = &publisher.environment["ORDER_EVENTS_TOPIC_ARN"];
    assert_eq!(topic_var.references[0].target, Endpoint::Resource("OrderEventsTopic".into()));

    let grants: Vec<(&str, &str, Access)> = template
        .relations
        .iter()
        .filter_map(|relation| match &relation.kind {
            RelationKind::Grant(grant) => {
                Some((relation.from.resource()?, relation.to.resource()?, grant.access))
            }
            _ => None,
        })
        .collect();
    assert!(grants.contains(&("StreamPublisherFunction", "OrderEventsTopic", Access::Write)), "{grants:?}");
    assert!(grants.contains(&("OrderApiFunction", "OrdersTable", Access::Write)), "{grants:?}");

    let redrives = template
        .relations
        .iter()
        .filter(|relation| matches!(&relation.kind, RelationKind::Failure(failure) if failure.via == FailureVia::QueueRedrive && failure.max_receive_count == Some(5)))
        .count();
    assert_eq!(redrives, 2, "each consumer queue redrives after five receives");
    let warnings = template.problems.iter().filter(|problem| problem.severity == Severity::Warning).count();
    assert_eq!(warnings, 0);
}

/// The same template written with short-form tags, long-form maps and as JSON reads the same.
#[test]
fn yaml_short_long_and_json_read_the_same() {
    let short = "Resources:
  Q: {Type: AWS::SQS::Queue}
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        E: {Type: SQS, Properties: {Queue: !GetAtt Q.Arn, BatchSize: 5}}
      Environment: {Variables: {QUEUE: !Sub '${Q}', ARN: !GetAtt [Q, Arn]}}
";
    let long = "Resources:
  Q: {Type: AWS::SQS::Queue}
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        E: {Type: SQS, Properties: {Queue: {Fn::GetAtt: Q.Arn}, BatchSize: 5}}
      Environment: {Variables: {QUEUE: {Fn::Sub: '${Q}'}, ARN: {Fn::GetAtt: [Q, Arn]}}}
";
    let json = r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}, "F": {"Type": "AWS::Serverless::Function",
      "Properties": {"Events": {"E": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Q", "Arn"]}, "BatchSize": 5}}},
      "Environment": {"Variables": {"QUEUE": {"Fn::Sub": "${Q}"}, "ARN": {"Fn::GetAtt": ["Q", "Arn"]}}}}}}}"#;
    let shapes: Vec<Vec<String>> = [short, long, json]
        .iter()
        .map(|text| {
            let loaded = load_text(*text, &LoadOptions::default());
            assert!(loaded.errors().is_empty(), "{:?}", loaded.errors());
            let mut lines: Vec<String> =
                describe(&loaded.templates()[0]).iter().map(|line| line[4..].to_owned()).collect();
            lines.sort();
            lines
        })
        .collect();
    assert_eq!(shapes[0], shapes[1]);
    assert_eq!(shapes[0], shapes[2]);
    assert_eq!(shapes[0].len(), 3, "{:?}", shapes[0]);
}

#[test]
fn discovery_finds_templates_and_leaves_other_yaml() {
    let mut files = MemoryFiles::new();
    files
        .insert(
            "infra/template.yaml",
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  F: {Type: AWS::Serverless::Function}\n",
        )
        .insert("infra/stack.json", r#"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}"#)
        .insert(".github/workflows/ci.yml", "on: push\njobs: {}\n")
        .insert("docker-compose.yml", "services: {}\n")
        .insert("package.json", "{\"name\": \"x\"}\n")
        .insert("cdk.out/Stack.template.json", r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}"#)
        .insert("target/debug/template.yaml", "Resources: {}\nAWSTemplateFormatVersion: x\n")
        .insert("config/openapi.yaml", "openapi: 3.0.0\npaths: {}\n")
        // flowdoc's own output, marked as such: its graph names resources and AWS types.
        .insert("docs/flow/.flowdoc-generated", "")
        .insert(
            "docs/flow/flow.json",
            r#"{"nodes": [{"id": "ResourcesTable", "type": "AWS::DynamoDB::Table"}]}"#,
        )
        .insert("site/.flowdoc-generated", "")
        .insert("site/data/search.json", r#"{"Resources": "AWS::SQS::Queue"}"#);
    let found =
        template::discover(&files, &flowdoc::files::ProjectFiles::list(&files), &LoadOptions::default());
    assert_eq!(found, ["infra/stack.json", "infra/template.yaml"]);
}
