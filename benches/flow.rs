//! How long the flow of a larger system takes to build: a synthetic project of 100 functions
//! (about 500 template resources: function, queue, dead-letter queue, subscription, queue policy
//! per consumer, plus topics and tables) and 100 annotated crates, held in memory so only
//! flowdoc's own work is measured. Prints the median of repeated runs per phase.
//!
//! `cargo bench --bench flow`

use flowdoc::files::{MemoryFiles, ProjectFiles};
use flowdoc::model;
use flowdoc::render::docs::{self, DocsOptions};
use flowdoc::rules::{self, RuleSettings};
use flowdoc::scan::{self, ScanOptions};
use flowdoc::template::{self, LoadOptions};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// A project with `services` services in a chain: the first runs on a schedule, each other
/// consumes the previous service's event from its queue (subscribed to the previous topic), and
/// all but the last publish an event of their own.
fn project(services: usize) -> MemoryFiles {
    let mut files = MemoryFiles::new();
    let mut template = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Runtime: provided.al2023\n    Handler: bootstrap\n    Tracing: Active\n    Timeout: 10\nResources:\n",
    );
    for i in 0..services {
        if i == 0 {
            let _ = write!(
                template,
                "  Topic0:\n    Type: AWS::SNS::Topic\n  Function0:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: services/service0/\n      Environment:\n        Variables:\n          TOPIC_ARN: !Ref Topic0\n      Policies:\n        - SNSPublishMessagePolicy:\n            TopicName: !GetAtt Topic0.TopicName\n      Events:\n        Nightly:\n          Type: ScheduleV2\n          Properties:\n            ScheduleExpression: rate(1 day)\n            DeadLetterConfig:\n              Type: SQS\n      DeadLetterQueue:\n        Type: SQS\n        TargetArn: !GetAtt Dlq0.Arn\n  Dlq0:\n    Type: AWS::SQS::Queue\n"
            );
            files.insert(
                "services/service0/Cargo.toml",
                "[package]\nname = \"service0\"\nversion = \"0.1.0\"\n",
            );
            files.insert(
                "services/service0/src/main.rs",
                "use flowdoc_annotations::{event, event_producer};\n\n/// Event 0.\n#[event(name = \"Event0\")]\npub struct Event0 {\n    pub correlation_id: String,\n}\n\n#[event_producer(Event0, to = env(\"TOPIC_ARN\"))]\npub async fn start() {}\n\nfn main() {}\n",
            );
            continue;
        }
        let upstream = i - 1;
        let last = i + 1 == services;
        let _ = write!(
            template,
            "  Topic{i}:\n    Type: AWS::SNS::Topic\n  Queue{i}:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 60\n      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt Dlq{i}.Arn\n        maxReceiveCount: 5\n  Dlq{i}:\n    Type: AWS::SQS::Queue\n  SubscriptionDlq{i}:\n    Type: AWS::SQS::Queue\n  Subscription{i}:\n    Type: AWS::SNS::Subscription\n    Properties:\n      TopicArn: !Ref Topic{upstream}\n      Protocol: sqs\n      Endpoint: !GetAtt Queue{i}.Arn\n      RawMessageDelivery: true\n      FilterPolicy:\n        event_type: [Event{upstream}]\n      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt SubscriptionDlq{i}.Arn\n  QueuePolicy{i}:\n    Type: AWS::SQS::QueuePolicy\n    Properties:\n      Queues: [!Ref Queue{i}]\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal: {{Service: sns.amazonaws.com}}\n            Action: sqs:SendMessage\n            Resource: !GetAtt Queue{i}.Arn\n            Condition: {{ArnEquals: {{aws:SourceArn: !Ref Topic{upstream}}}}}\n  Function{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: services/service{i}/\n      Environment:\n        Variables:\n          TOPIC_ARN: !Ref Topic{i}\n      Policies:\n        - SNSPublishMessagePolicy:\n            TopicName: !GetAtt Topic{i}.TopicName\n      Events:\n        Messages:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Queue{i}.Arn\n            BatchSize: 10\n            FunctionResponseTypes: [ReportBatchItemFailures]\n"
        );
        files.insert(
            format!("services/service{i}/Cargo.toml"),
            format!("[package]\nname = \"service{i}\"\nversion = \"0.1.0\"\n"),
        );
        files.insert(
            format!("services/service{i}/src/main.rs"),
            format!(
                "use flowdoc_annotations::{{event, event_consumer, event_producer}};\n\n/// Event {i}.\n#[event(name = \"Event{i}\")]\npub struct Event{i} {{\n    /// Joins the log lines.\n    pub correlation_id: String,\n    pub id: u64,\n}}\n\n/// Handles event {upstream}.\n#[event_consumer(\"Event{upstream}\", from = \"Queue{i}\")]\n{}pub async fn handle() {{}}\n\nfn main() {{}}\n",
                if last { String::new() } else { format!("#[event_producer(Event{i}, to = env(\"TOPIC_ARN\"))]\n") }
            ),
        );
        for module in 0..4 {
            files.insert(
                format!("services/service{i}/src/part{module}.rs"),
                format!("//! Ordinary code without annotations.\npub fn helper{module}(values: &[u64]) -> u64 {{\n    values.iter().map(|v| v * {module}).sum()\n}}\n"),
            );
        }
    }
    files.insert("template.yaml", template);
    files
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[allow(clippy::print_stdout, reason = "a benchmark prints its figures")]
fn main() {
    let files = project(100);
    let listing = files.list();
    let template_paths = ["template.yaml".to_owned()];
    let runs = 15;
    let (mut scan_t, mut load_t, mut build_t, mut rules_t, mut docs_t) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut resources = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let facts = scan::scan(&files, &listing, &ScanOptions::default());
        scan_t.push(start.elapsed());
        let start = Instant::now();
        let templates = template::load(&files, &template_paths, &LoadOptions::default());
        load_t.push(start.elapsed());
        resources = templates.templates()[0].resources.len();
        let start = Instant::now();
        let flow = model::build(&facts, &templates);
        build_t.push(start.elapsed());
        let start = Instant::now();
        let findings = rules::check(&flow, &RuleSettings::default());
        rules_t.push(start.elapsed());
        assert!(findings.is_empty(), "the synthetic project is clean: {findings:?}");
        let start = Instant::now();
        let documents = docs::documents(&flow, &findings, &DocsOptions { out_dir: Some("docs/flow".into()) });
        docs_t.push(start.elapsed());
        assert!(documents.len() > 200);
    }
    println!(
        "flow bench: 100 services, {resources} template resources, {} source files, median of {runs} runs",
        listing.files.len() - 1
    );
    for (phase, samples) in [
        ("scan", scan_t),
        ("load templates", load_t),
        ("build flow", build_t),
        ("rules", rules_t),
        ("render docs", docs_t),
    ] {
        println!("  {phase:<16} {:>9.2} ms", median(samples).as_secs_f64() * 1000.0);
    }
}
