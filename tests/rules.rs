//! The rules on small real projects (`tests/fixtures/rules/<case>/`: a `template.yaml` and, where
//! the rule concerns code, crates using the attributes). For every rule a fixture that triggers
//! it and a close variant that must not; the exemptions and special cases each have their own.
//! Findings are compared as `rule severity subject file:line message`.

use flowdoc::config::Config;
use flowdoc::files::DiskFiles;
use flowdoc::model::{EdgeKind, Flow};
use flowdoc::rules::{self, RuleSettings, Severity};
use flowdoc::{Analysis, Project};
use std::collections::BTreeSet;
use std::path::Path;

/// The flow of the fixture project `case`: its crates scanned, its `template.yaml` loaded.
fn flow(case: &str) -> Flow {
    analysis(case, &RuleSettings::default()).flow
}

/// The analysis of the fixture project `case` with the rules set as `settings`.
fn analysis(case: &str, settings: &RuleSettings) -> Analysis {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules").join(case);
    assert!(root.is_dir(), "there is no fixture {case}");
    let config = Config { rules: settings.clone(), ..Config::default() };
    let templates = ["template.yaml".to_owned()];
    flowdoc::analyse(&Project::new(&DiskFiles::new(root)).templates(&templates).config(&config))
        .unwrap_or_else(|failure| panic!("{case}: {failure}"))
}

/// Every finding over `case` under `settings`, as `rule severity subject file:line message`.
fn findings_with(case: &str, settings: &RuleSettings) -> Vec<String> {
    analysis(case, settings)
        .findings
        .iter()
        .map(|finding| {
            let at = finding.location.as_ref().map_or_else(
                || "-".to_owned(),
                |at| at.line().map_or_else(|| at.file.clone(), |line| format!("{}:{line}", at.file)),
            );
            format!("{} {} {} {at} {}", finding.rule, finding.severity, finding.subject, finding.message)
        })
        .collect()
}

/// The findings of `rule` over `case`, with the default settings.
fn of_rule(case: &str, rule: &str) -> Vec<String> {
    findings_with(case, &RuleSettings::default())
        .into_iter()
        .filter(|line| line.split(' ').next() == Some(rule))
        .collect()
}

/// Every rule with a fixture that triggers it and a close variant that must not.
const CASES: &[(&str, &str, &str)] = &[
    ("unknown-resource", "unknown-resource", "unknown-resource-ok"),
    ("unwired-consumer", "unwired-consumer", "unwired-consumer-ok"),
    ("unwired-producer", "unwired-producer", "unwired-producer-ok"),
    ("unproduced-event", "unproduced-event", "unproduced-event-ok"),
    ("unconsumed-event", "unconsumed-event", "unconsumed-event-ok"),
    ("unhandled-event", "unhandled-event", "unhandled-event-filtered"),
    ("event-loop", "event-loop", "event-loop-filtered"),
    ("queue-without-dlq", "queue-without-dlq", "queue-with-redrive"),
    (
        "stream-without-failure-destination",
        "stream-without-failure-destination",
        "stream-with-failure-destination",
    ),
    (
        "async-without-failure-destination",
        "async-without-failure-destination",
        "async-with-failure-destination",
    ),
    ("subscription-without-dlq", "subscription-without-dlq", "subscription-with-dlq"),
    ("rule-target-without-dlq", "rule-target-without-dlq", "rule-target-with-dlq"),
    ("visibility-timeout-too-short", "visibility-timeout-too-short", "visibility-timeout-ok"),
    ("partial-batch-not-reported", "partial-batch-not-reported", "partial-batch-reported"),
    ("missing-correlation-id", "missing-correlation-id", "correlation-id-present"),
    ("tracing-disabled", "tracing-disabled", "tracing-active"),
    ("undocumented-function", "undocumented-function", "undocumented-function-ok"),
    ("unreadable-source", "unreadable-source", "unreadable-source-ok"),
    ("template-problem", "template-problem", "template-problem-ok"),
    ("undeclared-write", "undeclared-write", "undeclared-write-ok"),
];

#[test]
fn every_rule_has_a_fixture_that_triggers_it_and_one_that_does_not() {
    let names: BTreeSet<&str> = rules::all().iter().map(|rule| rule.name()).collect();
    let covered: BTreeSet<&str> = CASES.iter().map(|(rule, _, _)| *rule).collect();
    assert_eq!(covered, names, "every rule of rules::all() needs its cases");
    for (rule, triggers, clean) in CASES {
        assert!(!of_rule(triggers, rule).is_empty(), "{triggers} must trigger {rule}");
        assert_eq!(of_rule(clean, rule), Vec::<String>::new(), "{clean} must not trigger {rule}");
    }
}

#[test]
fn unknown_resource() {
    assert_eq!(
        of_rule("unknown-resource", "unknown-resource"),
        [
            "unknown-resource error OrderTopic/OrderPlaced publisher/src/main.rs:13 `publish` names \"OrderTopic\" \
             for OrderPlaced: no template defines a resource `OrderTopic`",
            "unknown-resource error REGION_NAME/OrderPlaced publisher/src/main.rs:17 `publish_regional` names \
             env(\"REGION_NAME\") for OrderPlaced: environment variable `REGION_NAME` of `PublisherFunction` \
             references no resource (its value is `eu-west-1`)",
            "unknown-resource error ORDER_TOPIC_ARN/OrderPlaced publisher/src/main.rs:21 `publish_again` names \
             env(\"ORDER_TOPIC_ARN\") for OrderPlaced: function `PublisherFunction` has no environment variable \
             `ORDER_TOPIC_ARN`",
        ]
    );
}

#[test]
fn unwired_consumer() {
    assert_eq!(
        of_rule("unwired-consumer", "unwired-consumer"),
        [
            "unwired-consumer error AuditQueue/archive/OrderPlaced archiver/src/main.rs:5 `archive` consumes \
             OrderPlaced from `AuditQueue`, but no template function runs it: no template function has its CodeUri \
             in `archiver` or builds one of its binaries; name the function with `function = \"LogicalId\"`",
            "unwired-consumer error OrdersQueue/WorkerFunction/OrderPlaced worker/src/main.rs:13 `work` consumes \
             OrderPlaced from `OrdersQueue`, but `OrdersQueue` does not trigger `WorkerFunction`",
        ]
    );
}

/// Only an access grant counts: a policy template, an IAM statement or a connector. An
/// environment variable naming the topic, or a grant to read, grants nothing.
#[test]
fn unwired_producer() {
    assert_eq!(
        of_rule("unwired-producer", "unwired-producer"),
        [
            "unwired-producer warning PublisherFunction/OrdersTopic/OrderPlaced publisher/src/main.rs:13 `publish` \
             writes OrderPlaced to `OrdersTopic`, but `PublisherFunction` has no grant to write to it (an \
             environment variable references it, which grants nothing)",
            "unwired-producer warning PublisherFunction/AuditQueue/OrderPlaced publisher/src/main.rs:17 `audit` \
             writes OrderPlaced to `AuditQueue`, but `PublisherFunction` has no grant to write to it",
        ]
    );
}

#[test]
fn unproduced_event() {
    assert_eq!(
        of_rule("unproduced-event", "unproduced-event"),
        [
            "unproduced-event warning OrderCancelled/FulfilmentFunction fulfilment/src/main.rs:7 `fulfil` consumes \
             OrderCancelled from `FulfilmentQueue`, but no producer's OrderCancelled reaches `FulfilmentFunction`"
        ]
    );
}

/// The subscription's filter policy on `event_type` names only `OrderPlaced`: the cancellation
/// the consumer waits for is produced, but never reaches it.
#[test]
fn a_filter_policy_keeping_an_event_out_leaves_its_consumer_unproduced() {
    assert_eq!(
        of_rule("unproduced-event-filtered", "unproduced-event"),
        [
            "unproduced-event warning OrderCancelled/FulfilmentFunction fulfilment/src/main.rs:7 `fulfil` consumes \
             OrderCancelled from `FulfilmentQueue`, but no producer's OrderCancelled reaches `FulfilmentFunction`"
        ]
    );
    assert_eq!(
        of_rule("unproduced-event-filtered", "unconsumed-event"),
        [
            "unconsumed-event warning OrderCancelled/OrdersTopic publisher/src/main.rs:21 OrderCancelled written by \
             `PublisherFunction` to `OrdersTopic` reaches no consumer: it reaches no function"
        ]
    );
}

#[test]
fn unconsumed_event() {
    assert_eq!(
        of_rule("unconsumed-event", "unconsumed-event"),
        ["unconsumed-event warning OrderPlaced/OrdersTopic publisher/src/main.rs:20 OrderPlaced written by \
             `PublisherFunction` to `OrdersTopic` reaches no consumer: it reaches no function"]
    );
    assert_eq!(
        of_rule("unhandled-event", "unconsumed-event"),
        [
            "unconsumed-event warning OrderCancelled/OrdersTopic publisher/src/main.rs:21 OrderCancelled written by \
             `PublisherFunction` to `OrdersTopic` reaches no consumer: it reaches `FulfilmentFunction`, which does \
             not declare it consumes it"
        ]
    );
}

/// Without a filter policy the cancellation reaches a consumer that does not declare it; with
/// one on `event_type` (here written as a JSON string) it stays out.
#[test]
fn unhandled_event_and_the_filter_policy_that_stops_it() {
    assert_eq!(
        of_rule("unhandled-event", "unhandled-event"),
        ["unhandled-event warning OrderCancelled/FulfilmentFunction template.yaml:49 `FulfilmentFunction` \
             receives OrderCancelled from `FulfilmentQueue`, but none of its handlers consumes OrderCancelled"]
    );
    let filtered = flow("unhandled-event-filtered");
    assert_eq!(
        filtered.deliveries()["FulfilmentFunction"]["FulfilmentQueue"],
        BTreeSet::from(["OrderPlaced".into()])
    );
}

/// SNS to SQS to the worker, which publishes back to the same topic: one finding for the loop,
/// with its path, at the annotation that closes it.
#[test]
fn event_loop_through_a_topic_is_reported_once_with_its_path() {
    assert_eq!(
        of_rule("event-loop", "event-loop"),
        ["event-loop error OrdersTopic/WorkerFunction/WorkerQueue worker/src/main.rs:7 events loop back to \
             `WorkerFunction`: WorkerFunction → OrdersTopic → WorkerQueue → WorkerFunction (carrying OrderProcessed)"]
    );
}

/// A function that invokes itself loops with no resource between: the events its own edge
/// carries are named.
#[test]
fn a_function_invoking_itself_is_a_loop_that_names_its_events() {
    assert_eq!(
        of_rule("event-loop-self", "event-loop"),
        ["event-loop error TickerFunction ticker/src/main.rs:4 events loop back to `TickerFunction`: \
             TickerFunction → TickerFunction (carrying batch.next)"]
    );
}

/// The subscription filters the worker's own event out. Events still go round the same
/// resources (the API's `OrderPlaced` reaches the worker through the topic), but nothing the
/// worker publishes comes back to it: no loop.
#[test]
fn no_event_loop_when_the_workers_own_event_is_filtered_out() {
    assert_eq!(of_rule("event-loop-filtered", "event-loop"), Vec::<String>::new());
    let flow = flow("event-loop-filtered");
    let carried = |from: &str, to: &str| -> Vec<String> {
        flow.outgoing(from)
            .into_iter()
            .filter(|(node, _)| node.id == to)
            .flat_map(|(_, edge)| edge.events.iter().cloned())
            .collect()
    };
    assert_eq!(carried("WorkerFunction", "OrdersTopic"), ["OrderProcessed"]);
    assert_eq!(carried("OrdersTopic", "WorkerQueue"), ["OrderPlaced"]);
    assert_eq!(carried("WorkerQueue", "WorkerFunction"), ["OrderPlaced"]);
}

#[test]
fn queue_without_dlq() {
    assert_eq!(
        of_rule("queue-without-dlq", "queue-without-dlq"),
        [
            "queue-without-dlq warning OrdersQueue template.yaml:25 queue `OrdersQueue` triggers `WorkerFunction` but \
             has no redrive policy: a message that keeps failing is retried until it expires"
        ]
    );
}

/// A queue that is itself a dead-letter or on-failure target needs none, whoever sends to it.
/// Each of these DLQs is drained by a function and has no redrive policy of its own.
#[test]
fn dead_letter_queues_are_exempt_from_queue_without_dlq() {
    let cases = [
        ("queue-with-redrive", "OrdersDeadLetterQueue"),
        ("dlq-of-subscription", "SubscriptionDeadLetterQueue"),
        ("dlq-of-rule-target", "RuleDeadLetterQueue"),
        ("dlq-of-event-source-mapping", "StreamFailureQueue"),
        ("dlq-of-function", "NotifyDeadLetterQueue"),
        ("dlq-of-function", "AuditFailureQueue"),
    ];
    for (case, queue) in cases {
        let flow = flow(case);
        let node = flow.node(queue).unwrap_or_else(|| panic!("{case}: no {queue}"));
        assert!(node.dlq, "{case}: {queue} is a dead-letter target");
        let drained = flow
            .outgoing(queue)
            .iter()
            .any(|(to, edge)| edge.kind == EdgeKind::Trigger && to.kind.is_function());
        assert!(drained, "{case}: a function reads {queue}");
        assert_eq!(of_rule(case, "queue-without-dlq"), Vec::<String>::new(), "{case}");
    }
}

/// A function's `DeadLetterQueue` keeps failed asynchronous invocations only: its SQS queue still
/// needs a redrive policy and its stream trigger an on-failure destination, and neither trigger
/// makes it asynchronous.
#[test]
fn a_function_dlq_does_not_cover_its_queue_or_stream_trigger() {
    let case = "function-dlq-not-for-queues-or-streams";
    assert_eq!(
        of_rule(case, "queue-without-dlq"),
        [
            "queue-without-dlq warning OrdersQueue template.yaml:29 queue `OrdersQueue` triggers `WorkerFunction` but \
             has no redrive policy: a message that keeps failing is retried until it expires"
        ]
    );
    assert_eq!(
        of_rule(case, "stream-without-failure-destination"),
        [
            "stream-without-failure-destination warning OrdersTable/PublisherFunction template.yaml:46 the stream \
             trigger from `OrdersTable` to `PublisherFunction` has no on-failure destination: records that keep \
             failing are dropped without a trace"
        ]
    );
    assert_eq!(of_rule(case, "async-without-failure-destination"), Vec::<String>::new());
}

#[test]
fn stream_without_failure_destination() {
    assert_eq!(
        of_rule("stream-without-failure-destination", "stream-without-failure-destination"),
        [
            "stream-without-failure-destination warning OrdersTable/PublisherFunction template.yaml:34 the stream \
             trigger from `OrdersTable` to `PublisherFunction` has no on-failure destination: records that keep \
             failing are dropped without a trace"
        ]
    );
}

/// `MaximumRetryAttempts` and `MaximumRecordAgeInSeconds` absent, or -1, retry forever, with or
/// without a destination (a SAM event and a CloudFormation mapping).
#[test]
fn stream_retrying_without_bound() {
    assert_eq!(
        of_rule("stream-unbounded-retries", "stream-without-failure-destination"),
        [
            "stream-without-failure-destination warning OrdersTable/PublisherFunction template.yaml:34 the stream \
             trigger from `OrdersTable` to `PublisherFunction` retries without bound: one bad record blocks its \
             shard until it expires",
            "stream-without-failure-destination warning OrdersStream/AnalyticsFunction template.yaml:56 the stream \
             trigger from `OrdersStream` to `AnalyticsFunction` has no on-failure destination and retries without \
             bound: one bad record blocks its shard until it expires, then is lost",
        ]
    );
}

#[test]
fn async_without_failure_destination() {
    assert_eq!(
        of_rule("async-without-failure-destination", "async-without-failure-destination"),
        [
            "async-without-failure-destination warning NotifyFunction template.yaml:16 `NotifyFunction` is invoked \
             asynchronously by `OrdersTopic` and has no dead-letter queue or on-failure destination: events that \
             fail after Lambda's retries are discarded"
        ]
    );
}

/// S3 notifications, schedules and EventBridge rules invoke asynchronously too. A rule target's
/// dead-letter config keeps what EventBridge cannot deliver, not what the function fails on.
#[test]
fn s3_schedules_and_rules_invoke_asynchronously() {
    assert_eq!(
        of_rule("async-sources", "async-without-failure-destination"),
        [
            "async-without-failure-destination warning ThumbnailFunction template.yaml:15 `ThumbnailFunction` is \
             invoked asynchronously by `UploadsBucket` and has no dead-letter queue or on-failure destination: events \
             that fail after Lambda's retries are discarded",
            "async-without-failure-destination warning ReportFunction template.yaml:26 `ReportFunction` is invoked \
             asynchronously by `ReportFunctionNightly` and has no dead-letter queue or on-failure destination: \
             events that fail after Lambda's retries are discarded",
            "async-without-failure-destination warning ShippedFunction template.yaml:38 `ShippedFunction` is invoked \
             asynchronously by `ShippedFunctionShipped` and has no dead-letter queue or on-failure destination: \
             events that fail after Lambda's retries are discarded",
        ]
    );
}

/// A plain CloudFormation function with no trigger in the template: an `AWS::Lambda::Permission`
/// for `sns.amazonaws.com` says a topic (of another stack) invokes it; one for API Gateway does not
/// make it asynchronous.
#[test]
fn a_permission_for_sns_makes_a_function_asynchronous() {
    assert_eq!(
        of_rule("async-permission", "async-without-failure-destination"),
        [
            "async-without-failure-destination warning NotifyFunction template.yaml:9 `NotifyFunction` is invoked \
             asynchronously by `OrdersTopicArn` (sns.amazonaws.com) and has no dead-letter queue or on-failure \
             destination: events that fail after Lambda's retries are discarded"
        ]
    );
    assert_eq!(of_rule("async-permission-ok", "async-without-failure-destination"), Vec::<String>::new());
}

#[test]
fn subscription_without_dlq() {
    assert_eq!(
        of_rule("subscription-without-dlq", "subscription-without-dlq"),
        [
            "subscription-without-dlq warning OrdersTopic/FulfilmentQueue template.yaml:17 the sqs subscription of \
             `FulfilmentQueue` to `OrdersTopic` has no redrive policy: messages it cannot deliver are discarded"
        ]
    );
}

/// The rule's queue target has a dead-letter config, its function target has none: the one does
/// not cover the other. And a SAM `EventBridgeRule` event without one.
#[test]
fn rule_target_without_dlq() {
    assert_eq!(
        of_rule("rule-target-without-dlq", "rule-target-without-dlq"),
        [
            "rule-target-without-dlq warning OrderPlacedRule/FulfilmentFunction template.yaml:20 target \
             `FulfilmentFunction` of `OrderPlacedRule` has no dead-letter config: events EventBridge cannot deliver \
             are dropped",
            "rule-target-without-dlq warning ShippedFunctionShipped/ShippedFunction template.yaml:44 target \
             `ShippedFunction` of `ShippedFunctionShipped` has no dead-letter config: events EventBridge cannot \
             deliver are dropped",
        ]
    );
}

/// 5× the function's timeout is a warning, 0.5× an error; a queue without `VisibilityTimeout`
/// has SQS's 30 s, a function without `Timeout` takes it from `Globals`.
#[test]
fn visibility_timeout_too_short() {
    assert_eq!(
        of_rule("visibility-timeout-too-short", "visibility-timeout-too-short"),
        [
            "visibility-timeout-too-short warning FiveTimesQueue/FiveTimesFunction template.yaml:16 queue \
             `FiveTimesQueue` has a visibility timeout of 50 s, under six times the 10 s timeout of \
             `FiveTimesFunction` (60 s)",
            "visibility-timeout-too-short error HalfQueue/HalfFunction template.yaml:37 queue `HalfQueue` has a \
             visibility timeout of 15 s, under six times the 30 s timeout of `HalfFunction` (180 s); under the \
             timeout itself, the event source mapping cannot be created",
            "visibility-timeout-too-short warning DefaultQueue/DefaultFunction template.yaml:56 queue `DefaultQueue` \
             has a visibility timeout of 30 s, under six times the 10 s timeout of `DefaultFunction` (60 s)",
        ]
    );
}

#[test]
fn partial_batch_not_reported() {
    assert_eq!(
        of_rule("partial-batch-not-reported", "partial-batch-not-reported"),
        [
            "partial-batch-not-reported info OrdersQueue/WorkerFunction template.yaml:17 `WorkerFunction` receives \
             batches of up to 10 from `OrdersQueue` without reporting batch item failures: one failure retries the \
             whole batch",
            "partial-batch-not-reported info OrdersTable/PublisherFunction template.yaml:28 `PublisherFunction` \
             receives batches of up to 100 from `OrdersTable` without reporting batch item failures: one failure \
             retries the whole batch",
        ]
    );
}

/// A struct without the field, an enum with a variant without it, and a struct with a field
/// that counts only when configured.
#[test]
fn missing_correlation_id() {
    assert_eq!(
        of_rule("missing-correlation-id", "missing-correlation-id"),
        [
            "missing-correlation-id warning OrderPlaced events/src/lib.rs:7 event OrderPlaced has no correlation id \
             field (one of `correlation_id`, `correlationId`, `trace_id`)",
            "missing-correlation-id warning order.changed events/src/lib.rs:13 event order.changed has no correlation \
             id field (one of `correlation_id`, `correlationId`, `trace_id`)",
            "missing-correlation-id warning OrderShipped events/src/lib.rs:20 event OrderShipped has no correlation \
             id field (one of `correlation_id`, `correlationId`, `trace_id`)",
        ]
    );
}

#[test]
fn correlation_fields_are_configurable() {
    let settings = RuleSettings { correlation_fields: vec!["request_id".into()], ..RuleSettings::default() };
    assert_eq!(
        findings_with("missing-correlation-id", &settings),
        [
            "missing-correlation-id warning OrderPlaced events/src/lib.rs:7 event OrderPlaced has no correlation id \
             field (one of `request_id`)",
            "missing-correlation-id warning order.changed events/src/lib.rs:13 event order.changed has no correlation \
             id field (one of `request_id`)",
        ]
    );
}

#[test]
fn tracing_disabled() {
    assert_eq!(
        of_rule("tracing-disabled", "tracing-disabled"),
        [
            "tracing-disabled info ApiFunction template.yaml:11 `ApiFunction` does not have active tracing",
            "tracing-disabled info ReportFunction template.yaml:17 `ReportFunction` does not have active tracing",
        ]
    );
}

#[test]
fn undocumented_function() {
    assert_eq!(
        of_rule("undocumented-function", "undocumented-function"),
        [
            "undocumented-function info ReportFunction template.yaml:20 `ReportFunction` has no annotated handler, so \
             its events are not documented"
        ]
    );
}

/// A write grant on a resource no annotation names, whether an environment variable names it
/// (drawn as granted) or not; a grant on a resource the code writes to, on the function's own
/// dead-letter queue or on all of SQS is no finding (see `undeclared-write-ok`).
#[test]
fn undeclared_write() {
    assert_eq!(
        of_rule("undeclared-write", "undeclared-write"),
        [
            "undeclared-write info ApiFunction/AuditQueue template.yaml:26 `ApiFunction` may write to `AuditQueue` \
             (SQSSendMessagePolicy), but no annotation of its handlers names `AuditQueue`: the docs cannot say \
             which events go there",
            "undeclared-write info ApiFunction/NotesTopic template.yaml:28 `ApiFunction` may write to `NotesTopic` \
             (SNSPublishMessagePolicy), but no annotation of its handlers names `NotesTopic`: the docs cannot say \
             which events go there",
        ]
    );
}

/// The file that does not parse is skipped; so its handler is missing and its function looks
/// undocumented.
#[test]
fn unreadable_source() {
    assert_eq!(
        findings_with("unreadable-source", &RuleSettings::default()),
        [
            "unreadable-source error api/src/handler.rs api/src/handler.rs:7 cannot parse Rust source: expected one \
             of: `for`, parentheses, `unsafe`, `fn`, `extern`, identifier, `::`, `<`, `dyn`, square brackets, `*`, \
             `&`, `!`, `impl`, `_`, lifetime; the file is skipped",
            "undocumented-function info ApiFunction template.yaml:5 `ApiFunction` has no annotated handler, so its \
             events are not documented",
        ]
    );
}

/// Mistakes are errors (CloudFormation refuses a reference to a name the template does not
/// define); the subject leaves positions out so it survives edits that move lines.
#[test]
fn template_problem() {
    assert_eq!(
        of_rule("template-problem", "template-problem"),
        [
            "template-problem error template.yaml:duplicate key `VisibilityTimeout`; the last value is used \
             template.yaml:9 duplicate key `VisibilityTimeout`; the last value is used (see template.yaml:8:7)",
            "template-problem error template.yaml:`OrderDeadLetterQueue` is not a resource, parameter or pseudo \
             parameter of this template template.yaml:11 `OrderDeadLetterQueue` is not a resource, parameter or \
             pseudo parameter of this template",
        ]
    );
}

/// `Fn::If` in a redrive policy: both branches are dead-letter queues, marked conditional, and
/// the queue has one either way. A queue with a `Condition` is still checked: where it exists, it
/// has no dead-letter queue.
#[test]
fn conditional_resources_and_branches() {
    let flow = flow("conditional-resources");
    for dead_letter in ["ProdDeadLetterQueue", "DevDeadLetterQueue"] {
        assert!(flow.node(dead_letter).is_some_and(|node| node.dlq), "{dead_letter}");
        let failure = flow.outgoing("OrdersQueue").into_iter().find(|(to, _)| to.id == dead_letter);
        assert!(
            failure.is_some_and(|(_, edge)| edge.kind == EdgeKind::Failure && edge.conditional),
            "{dead_letter}"
        );
    }
    assert!(flow.node("ProdDeadLetterQueue").is_some_and(|node| node.conditional));
    assert!(flow.node("AuditQueue").is_some_and(|node| node.conditional));
    assert_eq!(
        of_rule("conditional-resources", "queue-without-dlq"),
        [
            "queue-without-dlq warning AuditQueue template.yaml:51 queue `AuditQueue` triggers `AuditFunction` but \
             has no redrive policy: a message that keeps failing is retried until it expires"
        ]
    );
}

/// A configured severity replaces the default, also where a rule raised a finding to error; a
/// rule set to `None` is off.
#[test]
fn severities_are_configurable_and_rules_can_be_turned_off() {
    let settings = RuleSettings {
        severities: [
            ("queue-without-dlq".to_owned(), Some(Severity::Error)),
            ("undocumented-function".to_owned(), None),
        ]
        .into(),
        ..RuleSettings::default()
    };
    assert_eq!(
        findings_with("queue-without-dlq", &settings),
        [
            "queue-without-dlq error OrdersQueue template.yaml:25 queue `OrdersQueue` triggers `WorkerFunction` but \
             has no redrive policy: a message that keeps failing is retried until it expires"
        ]
    );
    let settings = RuleSettings {
        severities: [("visibility-timeout-too-short".to_owned(), Some(Severity::Info))].into(),
        ..RuleSettings::default()
    };
    let severities: Vec<String> = findings_with("visibility-timeout-too-short", &settings)
        .iter()
        .filter(|line| line.starts_with("visibility-timeout-too-short "))
        .map(|line| line.split(' ').nth(1).unwrap_or_default().to_owned())
        .collect();
    assert_eq!(severities, ["info", "info", "info"]);
}

/// Regression: the mappings of two functions on one table stream share a failure queue. Their
/// failure edges merge into one, which named only the first function, and the second was
/// reported as having no destination.
#[test]
fn stream_consumers_sharing_a_failure_queue_both_have_a_destination() {
    assert_eq!(
        of_rule("stream-with-failure-destination", "stream-without-failure-destination"),
        Vec::<String>::new()
    );
}

/// A `RedrivePolicy` written as a JSON string built with `!Sub`, as older templates do: the
/// queue has a dead-letter queue, and that one is exempt.
#[test]
fn redrive_policy_as_a_sub_json_string() {
    let flow = flow("redrive-policy-as-sub-string");
    assert!(flow.node("OrdersDeadLetterQueue").is_some_and(|node| node.dlq));
    assert_eq!(of_rule("redrive-policy-as-sub-string", "queue-without-dlq"), Vec::<String>::new());
}
