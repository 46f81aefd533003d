//! The flow model of the bundled pipeline: its edges and events, no findings. (That it agrees
//! with what the pipeline really does is checked by `pipeline/e2e`, which runs it against an AWS
//! emulator and compares the hops it observes with this graph.)

mod common;

use flowdoc::files::{DiskFiles, MemoryFiles};
use flowdoc::model::{Binding, EdgeKind, Flow};

/// The bundled pipeline's flow, analysed with the repository's own `flowdoc.toml`.
fn pipeline() -> Flow {
    common::analyse(&DiskFiles::new(env!("CARGO_MANIFEST_DIR")), &[]).flow
}

#[test]
fn pipeline_edges_carry_the_events() {
    let flow = pipeline();
    let edges: Vec<String> = flow
        .edges()
        .iter()
        .map(|(from, to, edge)| {
            let events: Vec<&str> = edge.events.iter().map(String::as_str).collect();
            let confirmed = if edge.kind == EdgeKind::Publish {
                format!(" confirmed={}", edge.confirmed)
            } else {
                String::new()
            };
            format!("{} -{}-> {} [{}]{confirmed}", from.id, edge.kind.name(), to.id, events.join(", "))
        })
        .collect();
    insta::assert_snapshot!("pipeline_edges", edges.join("\n"));
    for handler in flow.handlers() {
        assert_eq!(handler.binding, Binding::CodeUri, "{}", handler.facts.name);
        assert_eq!(handler.functions.len(), 1, "{}", handler.facts.name);
    }
    let dlqs: Vec<&str> = flow.nodes().filter(|node| node.dlq).map(|node| node.id.as_str()).collect();
    assert_eq!(
        dlqs,
        [
            "FulfilmentDeadLetterQueue",
            "NotificationsDeadLetterQueue",
            "StreamFailureQueue",
            "SubscriptionDeadLetterQueue"
        ]
    );
}

/// The bundled pipeline comes out clean under every rule.
#[test]
fn pipeline_has_no_findings() {
    let findings = common::analyse(&DiskFiles::new(env!("CARGO_MANIFEST_DIR")), &[]).findings;
    assert!(findings.is_empty(), "{findings:#?}");
}

/// A subscription's dead-letter queue receives only the events that subscription delivers: a
/// message its filter policy keeps out is never delivered, so it never fails delivery.
#[test]
fn subscription_dead_letter_queues_follow_their_filter() {
    let mut files = MemoryFiles::new();
    files
        .insert("template.yaml", "Resources:
  Topic: {Type: AWS::SNS::Topic}
  PlacedQueue: {Type: AWS::SQS::Queue}
  AllQueue: {Type: AWS::SQS::Queue}
  SubscriptionDlq: {Type: AWS::SQS::Queue}
  PlacedSubscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !GetAtt PlacedQueue.Arn
      FilterPolicy: {event_type: [Placed]}
      RedrivePolicy: {deadLetterTargetArn: !GetAtt SubscriptionDlq.Arn}
  AllSubscription:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Topic, Protocol: sqs, Endpoint: !GetAtt AllQueue.Arn}
  Publisher:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: publisher/
      Policies: [{SNSPublishMessagePolicy: {TopicName: !GetAtt Topic.TopicName}}]
")
        .insert("publisher/Cargo.toml", "[package]\nname = \"publisher\"\n")
        .insert(
            "publisher/src/main.rs",
            "#[event_producer(\"Placed\", to = \"Topic\")]\n#[event_producer(\"Cancelled\", to = \"Topic\")]\nfn publish() {}\n",
        );
    let flow = common::analyse(&files, &["template.yaml"]).flow;
    let carried = |to: &str| -> Vec<String> {
        flow.outgoing("Topic")
            .iter()
            .find(|(node, _)| node.id == to)
            .map(|(_, edge)| edge.events.iter().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(carried("PlacedQueue"), ["Placed"]);
    assert_eq!(carried("AllQueue"), ["Cancelled", "Placed"]);
    assert_eq!(
        carried("SubscriptionDlq"),
        ["Placed"],
        "Cancelled is never delivered to the filtered subscription"
    );
}

/// Whether the analysis holds what the model was built from to its end or frees it at once
/// changes the memory a run needs, never what it finds.
#[test]
fn keeping_the_inputs_changes_nothing_found() {
    let files = DiskFiles::new(common::shop());
    let freed = flowdoc::analyse(&flowdoc::Project::new(&files)).unwrap();
    let kept = flowdoc::analyse(&flowdoc::Project::new(&files).keeping_inputs()).unwrap();
    assert!(freed.flow.nodes().count() > 5 && !freed.flow.handlers().is_empty());
    assert_eq!(format!("{:?}", kept.flow), format!("{:?}", freed.flow));
    assert_eq!(kept.findings, freed.findings);
}
