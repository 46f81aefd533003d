//! The template loader against AWS's documented behaviour: each fixture under
//! `tests/fixtures/templates/` is a small template a user would write, and the resources and
//! relations loaded from it are compared whole, as sorted text lines, with what SAM and
//! CloudFormation make of it (SAM's own translator, `samtranslator`, where SAM decides).
//!
//! A relation line reads `LINE FROM -KIND-> TO DETAILS`; a resource line `ID TYPE KIND LOCATION`
//! with `implicit` for the resources the SAM transform creates.

mod common;

use flowdoc::Project;
use flowdoc::files::{DiskFiles, MemoryFiles, ProjectFiles};
use flowdoc::template::{
    self, Access, Details, Endpoint, External, FailureVia, LoadOptions, Node, RelationKind, Template,
    Templates, TriggerSource, Value,
};
use std::path::Path;

fn fixtures() -> DiskFiles {
    DiskFiles::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/templates"))
}

/// Loads fixture templates (and what they nest); none may fail.
fn load(paths: &[&str]) -> Templates {
    common::relations::load(&fixtures(), paths)
}

/// One fixture template, which must load without problems.
fn fixture(path: &str) -> Template {
    let template = load(&[path]).into_templates().remove(0);
    assert_eq!(problems(&template), Vec::<String>::new(), "{path}");
    template
}

fn problems(template: &Template) -> Vec<String> {
    template.problems.iter().map(|problem| format!("{} {}", problem.location, problem.message)).collect()
}

/// A parsed policy or pattern as compact JSON-like text.
fn json(node: &Node) -> String {
    match &node.value {
        Value::Scalar { text, .. } => format!("{text:?}"),
        Value::Seq(items) => format!("[{}]", items.iter().map(json).collect::<Vec<_>>().join(",")),
        Value::Map(entries) => {
            let entries: Vec<String> =
                entries.iter().map(|(key, value)| format!("{}:{}", json(key), json(value))).collect();
            format!("{{{}}}", entries.join(","))
        }
        Value::Tagged(tag, inner) => format!("!{tag} {}", json(inner)),
    }
}

/// The relation's kind-specific details, only those that are set.
fn details(kind: &RelationKind) -> Vec<String> {
    let mut details = Vec::new();
    match kind {
        RelationKind::Trigger(trigger) => {
            details.push(format!("{:?}", trigger.source));
            details.push(format!("name={}", trigger.name));
            if trigger.asynchronous {
                details.push("async".into());
            }
            if let Some(size) = trigger.batch_size {
                details.push(format!("batch={size}"));
            }
            if let Some(position) = &trigger.starting_position {
                details.push(format!("start={position}"));
            }
            if !trigger.function_response_types.is_empty() {
                details.push(format!("responses={}", trigger.function_response_types.join(",")));
            }
            if let Some(retries) = trigger.maximum_retry_attempts {
                details.push(format!("retries={retries}"));
            }
            if let Some(age) = trigger.maximum_record_age {
                details.push(format!("max-age={age}"));
            }
            if let Some(bisect) = trigger.bisect_batch_on_error {
                details.push(format!("bisect={bisect}"));
            }
            if let Some(filter) = &trigger.filter_criteria {
                details.push(format!("filter={}", json(filter)));
            }
            if let Some(route) = &trigger.route {
                details.push(format!("route={route:?}"));
            }
            if !trigger.enabled {
                details.push("disabled".into());
            }
        }
        RelationKind::Subscription(subscription) => {
            details.push(subscription.protocol.clone());
            details.push(format!("by={}", subscription.declared_by));
            if let Some(filter) = &subscription.filter_policy {
                details.push(format!("filter={}", json(filter)));
            }
            if subscription.filter_scope != "MessageAttributes" {
                details.push(format!("scope={}", subscription.filter_scope));
            }
            if subscription.raw {
                details.push("raw".into());
            }
            if subscription.has_redrive {
                details.push("redrive".into());
            }
        }
        RelationKind::Route(route) => {
            details.push(format!("{:?}", route.via));
            if let Some(pattern) = &route.pattern {
                details.push(format!("pattern={}", json(pattern)));
            }
            if let Some(label) = &route.label {
                details.push(format!("label={label}"));
            }
            if route.has_dead_letter {
                details.push("dlq".into());
            }
        }
        RelationKind::Failure(failure) => {
            details.push(format!("{:?}", failure.via));
            if let Some(function) = &failure.function {
                details.push(format!("function={function}"));
            }
            if let Some(count) = failure.max_receive_count {
                details.push(format!("maxReceiveCount={count}"));
            }
        }
        RelationKind::Grant(grant) => {
            details.push(format!("{:?}", grant.access));
            details.push(format!("via={}", grant.via));
        }
        RelationKind::Env(variable) => details.push(variable.clone()),
        RelationKind::Permission(permission) => details.push(permission.principal.clone()),
        RelationKind::Write(write) => details.push(format!("via={}", write.via)),
    }
    details
}

/// Every relation as `LINE FROM -KIND-> TO DETAILS`, in the model's order (by location).
fn relations(template: &Template) -> Vec<String> {
    common::relations::relation_lines(template, |_| true, details)
}

/// The relations without their lines, sorted: what a template means, however it is written.
fn meaning(template: &Template) -> Vec<String> {
    common::relations::meaning(relations(template))
}

/// The resources created implicitly, as `ID TYPE KIND LINE:COLUMN`.
fn implicit(template: &Template) -> Vec<String> {
    template
        .resources
        .values()
        .filter(|resource| resource.implicit)
        .map(|resource| {
            format!(
                "{} {} {} {}:{}",
                resource.id,
                resource.type_name,
                resource.kind.name(),
                resource.location.line().unwrap(),
                resource.location.column().unwrap()
            )
        })
        .collect()
}

/// Every resource's kind, by logical ID.
fn kinds(template: &Template) -> Vec<String> {
    template.resources.values().map(|resource| format!("{} {}", resource.id, resource.kind.name())).collect()
}

#[test]
fn api_events_use_the_implicit_or_the_named_api() {
    let template = fixture("sam-api-events.yaml");
    assert_eq!(
        relations(&template),
        [
            // Regression: SAM's `<Function>Url` was created but invoked nothing.
            "15 OrdersFunctionUrl -trigger-> OrdersFunction FunctionUrl name=FunctionUrlConfig",
            r#"18 ServerlessRestApi -trigger-> OrdersFunction Api name=ListOrders route="GET /orders""#,
            r#"23 AdminApi -trigger-> OrdersFunction Api name=PlaceOrder route="POST /orders""#,
            r#"29 ServerlessHttpApi -trigger-> OrdersFunction HttpApi name=Webhook route="POST /webhook""#,
            // SAM gives an HttpApi event with neither Path nor Method the catch-all `$default`
            // route (ImplicitHttpApiPlugin), not `ANY /`.
            r#"34 PublicHttpApi -trigger-> OrdersFunction HttpApi name=Health route="$default""#,
            r#"38 ServerlessHttpApi -trigger-> OrdersFunction HttpApi name=Everything route="$default""#,
        ]
    );
    // Each implicit API is placed at the first event (or the property) that makes SAM create it.
    assert_eq!(
        implicit(&template),
        [
            "OrdersFunctionUrl AWS::Lambda::Url http-api 15:7",
            "ServerlessHttpApi AWS::ApiGatewayV2::Api http-api 29:9",
            "ServerlessRestApi AWS::ApiGateway::RestApi api 18:9",
        ]
    );
    assert!(template.resources["AdminApi"].kind.name() == "api" && !template.resources["AdminApi"].implicit);
}

#[test]
fn stream_and_queue_events_keep_their_batch_retry_and_failure_settings() {
    let template = fixture("sam-stream-events.yaml");
    assert_eq!(
        relations(&template),
        [
            "45 OrdersTable -failure-> StreamFailures OnFailureDestination function=TablePublisher",
            r#"45 OrdersTable -trigger-> TablePublisher DynamoDb name=TableChanges batch=100 start=TRIM_HORIZON responses=ReportBatchItemFailures retries=3 max-age=3600 bisect=true filter={"Filters":[{"Pattern":"{\"eventName\": [\"INSERT\"]}"}]}"#,
            "71 ClickStream -trigger-> ClickCounter Kinesis name=Clicks batch=500 start=LATEST",
            // Regression: an enhanced fan-out consumer (`!GetAtt Consumer.ConsumerARN`) reads the
            // stream the consumer belongs to; the trigger was from the consumer, a dead end.
            "77 ClickStream -trigger-> ClickCounter Kinesis name=FanOut start=LATEST disabled",
            "92 JobsQueue -trigger-> JobWorker Sqs name=Jobs batch=10 responses=ReportBatchItemFailures",
        ]
    );
    assert!(implicit(&template).is_empty(), "pull events create no resource flowdoc shows");
    let Details::Table(table) = &template.resources["OrdersTable"].details else { panic!("table details") };
    assert_eq!(table.stream_view_type.as_deref(), Some("NEW_IMAGE"));
    let Details::Queue(queue) = &template.resources["JobsQueue"].details else { panic!("queue details") };
    assert_eq!(
        queue.visibility_timeout.as_ref().map(|(seconds, at)| (*seconds, at.line().unwrap())),
        Some((180, 33))
    );
    assert!(!queue.fifo);
}

#[test]
fn sns_events_subscribe_the_function_or_a_queue() {
    let template = fixture("sam-sns-events.yaml");
    assert_eq!(
        relations(&template),
        [
            "30 OrderEvents -subscription-> Auditor lambda by=AuditorEverything",
            "40 OrderEvents -failure-> SubscriptionDlq SubscriptionRedrive",
            r#"40 OrderEvents -subscription-> Mailer lambda by=MailerPlaced filter={"event_type":["OrderPlaced","OrderCancelled"]} redrive"#,
            // The `!Sub` JSON string, with the parameter's default in it.
            r#"50 OrderEvents -subscription-> Mailer lambda by=MailerTemplated filter={"event_type":["OrderPlaced"]} scope=MessageBody"#,
            // Regression: SAM's subscription for `SqsSubscription` sets no RawMessageDelivery
            // (samtranslator `SNS._inject_subscription`); it was marked raw.
            r#"62 OrderEvents -subscription-> ShipperBufferedQueue sqs by=ShipperBuffered filter={"event_type":["OrderPlaced"]}"#,
            "62 ShipperBufferedQueue -trigger-> Shipper Sqs name=Buffered",
            // Regression: a RedrivePolicy written as a `!Sub` JSON string was not read.
            "69 OrderEvents -failure-> SubscriptionDlq SubscriptionRedrive",
            "69 OrderEvents -subscription-> RefundsQueue sqs by=ShipperRefunds redrive",
            "69 RefundsQueue -trigger-> Shipper Sqs name=Refunds batch=5",
        ]
    );
    // `SqsSubscription: true` creates `<Function><Event>Queue`; a mapping names an existing queue.
    assert_eq!(implicit(&template), ["ShipperBufferedQueue AWS::SQS::Queue sqs-queue 62:9"]);
}

#[test]
fn eventbridge_and_schedule_events_create_their_rules() {
    let template = fixture("sam-eventbridge-events.yaml");
    assert_eq!(
        relations(&template),
        [
            "24 FulfilmentOrderPlaced -failure-> RuleDlq TargetDeadLetter",
            r#"24 OrdersBus -route-> FulfilmentOrderPlaced BusToRule pattern={"source":["orders"],"detail-type":["OrderPlaced"]}"#,
            "24 FulfilmentOrderPlaced -trigger-> Fulfilment EventBridge name=OrderPlaced async",
            "35 FulfilmentInstanceStopped -failure-> FulfilmentInstanceStoppedQueue TargetDeadLetter",
            r#"35 external:default -route-> FulfilmentInstanceStopped BusToRule pattern={"source":["aws.ec2"]}"#,
            "35 FulfilmentInstanceStopped -trigger-> Fulfilment EventBridge name=InstanceStopped async",
            // Regression: `EventBusName: default` named nothing, so the rule had no bus.
            r#"42 external:default -route-> FulfilmentAdminActions BusToRule pattern={"source":["orders.admin"]}"#,
            "42 FulfilmentAdminActions -trigger-> Fulfilment EventBridge name=AdminActions async",
            r#"54 external:default -route-> AuditorLegacy BusToRule pattern={"source":["aws.s3"]}"#,
            // Regression: `Enabled: false` (SAM sets the rule's State to DISABLED) was ignored.
            "54 AuditorLegacy -trigger-> Auditor EventBridge name=Legacy async disabled",
            "60 AuditorRotated -failure-> AuditDlq TargetDeadLetter",
            r#"60 external:default -route-> AuditorRotated BusToRule pattern={"source":["aws.kms"]}"#,
            "60 AuditorRotated -trigger-> Auditor EventBridge name=Rotated async",
            "74 ReporterNightly -failure-> ReporterNightlyQueue TargetDeadLetter",
            "74 ReporterNightly -trigger-> Reporter Schedule name=Nightly async",
            "80 ReporterHourly -failure-> RuleDlq TargetDeadLetter",
            "80 ReporterHourly -trigger-> Reporter Schedule name=Hourly async",
            "86 ReporterWeekly -trigger-> Reporter Schedule name=Weekly async disabled",
        ]
    );
    // Rules and schedules are `<Function><Event>`; a DeadLetterConfig with only a Type creates
    // `<Function><Event>Queue`, or the queue its QueueLogicalId names (samtranslator
    // `EventBridgeRuleUtils`, and `SchedulerEventSource` for ScheduleV2).
    assert_eq!(
        implicit(&template),
        [
            "AuditDlq AWS::SQS::Queue sqs-queue 60:9",
            "AuditorLegacy AWS::Events::Rule event-rule 54:9",
            "AuditorRotated AWS::Events::Rule event-rule 60:9",
            "FulfilmentAdminActions AWS::Events::Rule event-rule 42:9",
            "FulfilmentInstanceStopped AWS::Events::Rule event-rule 35:9",
            "FulfilmentInstanceStoppedQueue AWS::SQS::Queue sqs-queue 35:9",
            "FulfilmentOrderPlaced AWS::Events::Rule event-rule 24:9",
            "ReporterHourly AWS::Scheduler::Schedule schedule 80:9",
            "ReporterNightly AWS::Events::Rule schedule 74:9",
            "ReporterNightlyQueue AWS::SQS::Queue sqs-queue 74:9",
            "ReporterWeekly AWS::Events::Rule schedule 86:9",
        ]
    );
}

#[test]
fn s3_and_generic_events_trigger_from_what_they_name() {
    let template = fixture("sam-s3-and-generic-events.yaml");
    assert_eq!(
        relations(&template),
        [
            r#"19 UploadsBucket -trigger-> Thumbnailer S3 name=Uploaded async route="s3:ObjectCreated:*, s3:ObjectRestore:Completed""#,
            r#"63 Cluster -trigger-> StreamReader Generic("MSK") name=Kafka start=LATEST"#,
            r#"69 Broker -trigger-> StreamReader Generic("MQ") name=Mq"#,
            r#"77 AppLogs -trigger-> StreamReader CloudWatchLogs name=Logs async route="ERROR""#,
            // Regression: SAM creates an `AWS::IoT::TopicRule` named `<Function><Event>` for each
            // IoTRule event; all of them were one shared `IoTRule` outside node.
            r#"82 StreamReaderSensors -trigger-> StreamReader IoT name=Sensors async route="sensors/#""#,
            r#"86 external:SelfManagedKafka -trigger-> StreamReader Generic("SelfManagedKafka") name=External"#,
        ]
    );
    assert_eq!(implicit(&template), ["StreamReaderSensors AWS::IoT::TopicRule iot-rule 82:9"]);
    assert_eq!(
        kinds(&template),
        [
            "AppLogs log-group",
            "Broker resource",
            "Cluster resource",
            "StreamReader function",
            "StreamReaderSensors iot-rule",
            "Thumbnailer function",
            "UploadsBucket s3-bucket",
        ],
        "types flowdoc does not know are generic nodes"
    );
}

#[test]
fn cloudformation_lambda_wiring() {
    let template = fixture("cfn-lambda-wiring.yaml");
    assert_eq!(
        relations(&template),
        [
            "27 Worker -failure-> AsyncDlq DeadLetterQueue",
            // The mapping names the function through its alias; every setting is kept.
            r#"60 Ledger -trigger-> Worker DynamoDb name=LedgerMapping batch=50 start=TRIM_HORIZON responses=ReportBatchItemFailures retries=2 max-age=600 bisect=true filter={"Filters":[{"Pattern":"{\"eventName\": [\"MODIFY\"]}"}]}"#,
            "76 Ledger -failure-> StreamFailures OnFailureDestination function=Worker",
            "78 Inbox -trigger-> Worker Sqs name=InboxMapping batch=5 disabled",
            "94 Worker -failure-> AsyncDlq InvokeOnFailure",
            "96 Worker -route-> Succeeded OnSuccess",
            "98 Succeeded -permission-> Worker sns.amazonaws.com",
            // Regression: `!Sub "arn:${AWS::Partition}:s3:::${Uploads}"` also gave a second,
            // outside source: the ARN text itself.
            "106 Uploads -permission-> Worker s3.amazonaws.com",
            // Regression: a mapping with SelfManagedEventSource (no EventSourceArn) triggered nothing.
            r#"118 external:SelfManagedKafka -trigger-> Worker Generic("SelfManagedKafka") name=PaymentsMapping start=LATEST"#,
            // Regression: an `AWS::Lambda::Url` invoked nothing.
            "128 WorkerUrl -trigger-> Worker FunctionUrl name=WorkerUrl",
            "134 external:events.amazonaws.com -permission-> Worker events.amazonaws.com",
        ]
    );
    let Details::Function(worker) = &template.resources["Worker"].details else { panic!("function details") };
    assert_eq!(worker.timeout.as_ref().map(|(seconds, _)| *seconds), Some(60));
    assert!(worker.tracing_active, "TracingConfig.Mode: Active");
    assert_eq!(worker.code_uri, None, "CodeUri is SAM's");
}

#[test]
fn sam_dead_letter_queues_and_invoke_destinations() {
    let template = fixture("sam-destinations.yaml");
    assert_eq!(
        relations(&template),
        [
            "24 Notifier -failure-> NotifierDlq DeadLetterQueue",
            "28 Notifications -subscription-> Notifier lambda by=NotifierMessages",
            "40 Archiver -route-> Archived OnSuccess",
            "43 Archiver -failure-> ArchiverEventInvokeConfigOnFailureQueue InvokeOnFailure",
            "46 Notifications -subscription-> Archiver lambda by=ArchiverMessages",
            "57 Tracker -failure-> NotifierDlq InvokeOnFailure",
            "60 Tracker -route-> TrackerEventInvokeConfigOnSuccessTopic OnSuccess",
        ]
    );
    // A destination given only a Type SQS or SNS is created as `<Function>EventInvokeConfig<On...>Queue`
    // or `...Topic` (samtranslator `_validate_and_inject_resource`).
    assert_eq!(
        implicit(&template),
        [
            "ArchiverEventInvokeConfigOnFailureQueue AWS::SQS::Queue sqs-queue 43:11",
            "TrackerEventInvokeConfigOnSuccessTopic AWS::SNS::Topic sns-topic 60:11",
        ]
    );
}

#[test]
fn queue_redrive_and_topic_subscriptions() {
    let template = fixture("cfn-messaging.yaml");
    assert_eq!(
        relations(&template),
        [
            // The inline list has only Endpoint and Protocol: no filter, raw or redrive.
            "10 OrderEvents -subscription-> AuditQueue sqs by=OrderEvents",
            "12 OrderEvents -subscription-> Indexer lambda by=OrderEvents",
            "14 OrderEvents -subscription-> external:email:ops@example.com email by=OrderEvents",
            "30 FulfilmentQueue -failure-> FulfilmentDlq QueueRedrive maxReceiveCount=5",
            // A JSON string with a literal ARN, matched by the queue's name; the count is a string.
            "42 NotificationsQueue -failure-> FulfilmentDlq QueueRedrive maxReceiveCount=3",
            // Regression: `!Sub '{"deadLetterTargetArn": "${AuditDlq.Arn}", ...}'` named nothing.
            "48 AuditQueue -failure-> AuditDlq QueueRedrive maxReceiveCount=10",
            "56 OrderEvents -failure-> SubscriptionDlq SubscriptionRedrive",
            r#"56 OrderEvents -subscription-> FulfilmentQueue sqs by=FulfilmentSubscription filter={"event_type":["OrderPlaced"]} raw redrive"#,
            // Regression: a `!Sub` with a variable map (`${Dlq}` from `!GetAtt`) was dropped whole.
            "68 OrderEvents -failure-> SubscriptionDlq SubscriptionRedrive",
            r#"68 OrderEvents -subscription-> NotificationsQueue sqs by=NotificationsSubscription filter={"order":{"status":["cancelled"]}} scope=MessageBody redrive"#,
        ]
    );
}

#[test]
fn eventbridge_rules_targets_and_schedules() {
    let template = fixture("cfn-eventbridge.yaml");
    assert_eq!(
        relations(&template),
        [
            r#"28 OrdersBus -route-> OrderPlacedRule BusToRule pattern={"source":["orders"],"detail-type":["OrderPlaced"]}"#,
            "32 OrderPlacedRule -failure-> TargetDlq TargetDeadLetter",
            "32 OrderPlacedRule -trigger-> Handler EventBridge name=handler async",
            "36 OrderPlacedRule -route-> Backlog RuleTarget label=backlog",
            // Regression: the default bus's ARN built with pseudo parameters was an outside ARN.
            "38 OrderPlacedRule -route-> external:default RuleTarget label=forward",
            r#"45 external:default -route-> AwsEventsRule BusToRule pattern={"source":["aws.health"]}"#,
            "48 AwsEventsRule -trigger-> Handler EventBridge name=handler async disabled",
            // Regression: `EventBusName: default` gave the rule no bus at all.
            r#"55 external:default -route-> DefaultBusRule BusToRule pattern={"source":["billing"]}"#,
            "58 DefaultBusRule -route-> Backlog RuleTarget label=backlog",
            "66 Tick -trigger-> Handler Schedule name=tick async",
            "74 Reminder -failure-> TargetDlq TargetDeadLetter",
            "74 Reminder -trigger-> Handler Schedule name=Target async",
        ]
    );
    assert_eq!(
        kinds(&template),
        [
            "AwsEventsRule event-rule",
            "Backlog sqs-queue",
            "DefaultBusRule event-rule",
            "Handler function",
            "OrderPlacedRule event-rule",
            "OrdersBus event-bus",
            "Reminder schedule",
            "TargetDlq sqs-queue",
            "Tick schedule",
        ]
    );
    let has_dead_letter: Vec<(String, bool)> = template
        .relations
        .iter()
        .filter_map(|relation| match &relation.kind {
            RelationKind::Route(route) if route.label.is_some() => {
                Some((route.label.clone().unwrap_or_default(), route.has_dead_letter))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        has_dead_letter,
        [("backlog".into(), false), ("forward".into(), false), ("backlog".into(), false)]
    );
}

#[test]
fn bucket_notifications_pipes_state_machines_and_streaming_destinations() {
    let template = load(&["s3-pipes-state-machines.yaml"]).into_templates().remove(0);
    // The definition file it names is not in the fixtures: said, and stood for by its
    // substitutions.
    assert_eq!(
        problems(&template),
        [
            "s3-pipes-state-machines.yaml:55:7 `statemachine/checkout.asl.json` is not in the project; the definition is not read"
        ]
    );
    assert_eq!(
        relations(&template),
        [
            r#"11 Ingest -trigger-> Resizer S3 name=LambdaConfigurations async route="s3:ObjectCreated:*""#,
            // Regression: a function of another stack was a route of the wrong kind (bus to rule).
            "13 Ingest -route-> external:arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:virus-scan Notification label=s3:ObjectCreated:Copy",
            "16 Ingest -route-> Removals Notification label=s3:ObjectRemoved:*",
            "19 Ingest -route-> Restores Notification label=s3:ObjectRestore:Completed",
            "21 Ingest -route-> external:default Notification label=EventBridge",
            "48 Removals -route-> OrdersPipe Pipe",
            r#"49 OrdersPipe -trigger-> Enricher Generic("Pipe") name=Enrichment"#,
            "50 OrdersPipe -route-> Checkout Pipe",
            "56 Checkout -route-> Receipts StateMachineTask",
            r#"56 Checkout -trigger-> Charge Generic("StepFunctions") name=DefinitionSubstitutions"#,
            r#"56 Checkout -trigger-> Ship Generic("StepFunctions") name=DefinitionSubstitutions"#,
            "61 Checkout -grant-> Charge Write via=LambdaInvokePolicy",
            "63 Checkout -grant-> Receipts Write via=DynamoDBWritePolicy",
            r#"84 Refunds -trigger-> Charge Generic("StepFunctions") name=Refund"#,
            "98 Receipts -route-> ReceiptStream StreamingDestination",
        ]
    );
    assert_eq!(template.resources["OrdersPipe"].kind.name(), "pipe");
    assert_eq!(template.resources["Checkout"].kind.name(), "state-machine");
    assert_eq!(template.resources["Refunds"].kind.name(), "state-machine");
}

#[test]
fn globals_are_merged_into_functions() {
    let template = fixture("globals.yaml");
    assert_eq!(
        relations(&template),
        ["14 Inherits -env-> SharedTable TABLE_NAME", "44 Overrides -env-> OwnTable TABLE_NAME"]
    );
    let function = |id: &str| match &template.resources[id].details {
        Details::Function(details) => details.clone(),
        other => panic!("{id}: {other:?}"),
    };
    let inherits = function("Inherits");
    assert_eq!(
        inherits.timeout.as_ref().map(|(seconds, at)| (*seconds, at.line().unwrap())),
        Some((15, 9)),
        "from Globals"
    );
    assert!(inherits.tracing_active, "Tracing: Active from Globals");
    assert_eq!(inherits.runtime.as_deref(), Some("provided.al2023"));
    let variables: Vec<(&str, Option<&str>)> =
        inherits.environment.iter().map(|(name, var)| (name.as_str(), var.text.as_deref())).collect();
    assert_eq!(variables, [("LOG_LEVEL", Some("info")), ("TABLE_NAME", Some("${SharedTable}"))]);

    let overrides = function("Overrides");
    assert_eq!(
        overrides.timeout.as_ref().map(|(seconds, at)| (*seconds, at.line().unwrap())),
        Some((120, 40))
    );
    assert!(!overrides.tracing_active, "Tracing: PassThrough wins over the global Active");
    let variables: Vec<(&str, Option<&str>, u32)> = overrides
        .environment
        .iter()
        .map(|(name, var)| (name.as_str(), var.text.as_deref(), var.location.line().unwrap()))
        .collect();
    // Variables merge key by key; the function's own value wins.
    assert_eq!(
        variables,
        [
            ("EXTRA", Some("yes"), 45),
            ("LOG_LEVEL", Some("info"), 13),
            ("TABLE_NAME", Some("${OwnTable}"), 44)
        ]
    );
    assert_eq!(
        overrides.environment["TABLE_NAME"].references[0].target,
        Endpoint::Resource("OwnTable".into())
    );
}

#[test]
fn sam_policies_grant_access() {
    let loaded = load(&["sam-policies.yaml"]);
    let template = &loaded.templates()[0];
    assert_eq!(
        relations(template),
        [
            "41 Writer -grant-> Orders Write via=DynamoDBCrudPolicy",
            "43 Writer -grant-> Customers Read via=DynamoDBReadPolicy",
            "45 Writer -grant-> Outbox Write via=SQSSendMessagePolicy",
            "47 Writer -grant-> Alerts Write via=SNSPublishMessagePolicy",
            "49 Writer -grant-> Bus Write via=EventBridgePutEventsPolicy",
            // Regression: `EventBusName: default` granted nothing.
            "51 Writer -grant-> external:default Write via=EventBridgePutEventsPolicy",
            "65 Statements -grant-> Orders Write via=Statement",
            "66 Statements -grant-> Orders Write via=Statement",
            "69 Statements -grant-> Customers Read via=Statement",
            "70 Statements -grant-> external:sns:* Write via=Statement",
            "84 Broad -grant-> external:sqs:* Write via=AmazonSQSFullAccess",
            // Regression: OwnRole's SQSSendMessagePolicy was a grant, but SAM builds no role
            // (and so applies no Policies) where Role is set.
        ]
    );
    assert_eq!(
        problems(template),
        [
            "sam-policies.yaml:91:7 `Policies` are ignored where `Role` is set: SAM applies them only to the role it creates"
        ]
    );
}

#[test]
fn iam_roles_and_attached_policies_grant_access() {
    let template = fixture("iam-roles.yaml");
    assert_eq!(
        relations(&template),
        [
            "33 Processor -grant-> external:kinesis:* Write via=AmazonKinesisFullAccess",
            "41 Processor -grant-> Events Write via=Role ProcessorRole",
            "44 Processor -grant-> Work Read via=Role ProcessorRole",
            "56 Processor -grant-> Archive Write via=Policy ArchiveWrites",
            // Regression: a policy with a Condition granted unconditionally.
            "68 Processor -grant-> Work Write via=Policy AuditWrites conditional",
        ]
    );
}

#[test]
fn connectors_grant_access() {
    let template = fixture("connectors.yaml");
    assert_eq!(
        relations(&template),
        [
            "22 Api -grant-> Orders Write via=Connector OrdersConn",
            // A `Write` connector from a function is also a write the template declares.
            "22 Api -write-> Orders via=Connector OrdersConn",
            "27 Api -grant-> Announcements Write via=Connector OutboxConn",
            "27 Api -grant-> Outbox Write via=Connector OutboxConn",
            "27 Api -write-> Announcements via=Connector OutboxConn",
            "27 Api -write-> Outbox via=Connector OutboxConn",
            "48 Reader -grant-> Orders Read via=Connector ReaderToOrders",
            "57 Announcements -grant-> Outbox Write via=Connector TopicToOutbox",
        ]
    );
    let access: Vec<Access> = template
        .relations
        .iter()
        .filter_map(|relation| match &relation.kind {
            RelationKind::Grant(grant) => Some(grant.access),
            _ => None,
        })
        .collect();
    assert_eq!(access, [Access::Write, Access::Write, Access::Write, Access::Read, Access::Write]);
}

#[test]
fn values_name_resources_through_intrinsics_parameters_and_literals() {
    let template = fixture("references.yaml");
    assert_eq!(
        relations(&template),
        [
            "61 App -env-> Orders ORDERS_QUEUE_URL",
            "62 App -env-> Orders ORDERS_QUEUE_ARN",
            "63 App -env-> Orders ORDERS_QUEUE_NAME",
            // The queue URL's last segment is the queue's name (here, a parameter's default).
            "64 App -env-> Ledger LEDGER_URL",
            "65 App -env-> Audit TABLE conditional",
            "65 App -env-> Scratch TABLE conditional",
            "66 App -env-> Orders MAPPED_QUEUE",
            "67 App -env-> Orders REGIONAL_QUEUE",
            "68 App -env-> external:import:SharedBusArn SHARED_BUS",
            "69 App -env-> external:PaymentsTopicArn PAYMENTS_TOPIC",
            "70 App -env-> external:arn:aws:sqs:eu-west-1:999999999999:partner-inbox PARTNER_QUEUE",
            // Regression: an ARN with `${AWS::Region}` in it did not parse, so its name was not matched.
            "71 App -env-> Ledger LEDGER_ARN",
            // Regression: `${Stage}` inside a longer name also gave an outside parameter `Stage`.
            "72 App -env-> Orders STAGE_QUEUE",
            "73 App -env-> Orders STAGE_QUEUE_URL",
            // A parameter alone is the deploy-time value: an outside thing when it names nothing.
            "74 App -env-> external:Stage STAGE",
            // Regression: the mapping has a Condition, its relation was unconditional; and
            // `!Ref App.Alias` (SAM's reference to the published alias) was a missing name.
            "77 Ledger -trigger-> App Sqs name=AuditMapping conditional",
        ]
    );
    assert_eq!(template.resources["Audit"].condition.as_deref(), Some("IsProd"));
    assert_eq!(template.parameters["Stage"].default.as_ref().and_then(Node::as_str), Some("prod"));
    assert_eq!(template.parameters["PaymentsTopicArn"].default, None);

    let Details::Function(app) = &template.resources["App"].details else { panic!("function details") };
    let table = &app.environment["TABLE"];
    assert_eq!(table.text, None, "an `Fn::If` has no single text");
    let targets: Vec<(String, bool)> = table
        .references
        .iter()
        .map(|reference| (common::relations::endpoint(&reference.target), reference.conditional))
        .collect();
    assert_eq!(targets, [("Audit".into(), true), ("Scratch".into(), true)]);
    assert_eq!(
        app.environment["SHARED_BUS"].references[0].target,
        Endpoint::External(External::Import("SharedBusArn".into()))
    );
    assert_eq!(
        app.environment["PAYMENTS_TOPIC"].references[0].target,
        Endpoint::External(External::Parameter("PaymentsTopicArn".into()))
    );
    assert_eq!(app.environment["GREETING"].references, [], "plain text names nothing");
    assert_eq!(
        app.environment["LEDGER_URL"].text.as_deref(),
        Some("https://sqs.${AWS::Region}.amazonaws.com/${AWS::AccountId}/ledger")
    );
}

#[test]
fn short_form_long_form_and_json_mean_the_same() {
    let loaded = load(&["forms/short.yaml", "forms/long.yaml", "forms/template.json"]);
    let [long, short, json_form] = loaded.templates() else { panic!("three templates") };
    assert_eq!(
        meaning(short),
        [
            "Jobs -failure-> JobsDlq QueueRedrive maxReceiveCount=4",
            "Jobs -trigger-> Worker Sqs name=Jobs batch=5",
            "Worker -env-> Alerts ALERTS conditional",
            "Worker -env-> Jobs JOBS",
            "Worker -grant-> Alerts Write via=SNSPublishMessagePolicy",
        ]
    );
    assert_eq!(meaning(long), meaning(short));
    assert_eq!(meaning(json_form), meaning(short));
    // Locations are each file's own.
    assert_eq!(short.resources["Worker"].location.to_string(), "forms/short.yaml:17:3");
    assert_eq!(json_form.resources["Worker"].location.to_string(), "forms/template.json:20:5");
}

#[test]
fn nested_stacks_load_and_clashing_ids_are_qualified() {
    let loaded = load(&["stacks/root.yaml"]);
    let paths: Vec<&str> = loaded.templates().iter().map(|template| template.path.as_str()).collect();
    assert_eq!(paths, ["stacks/root.yaml", "stacks/services/billing.yaml", "stacks/services/orders.yaml"]);
    // A local TemplateURL or Location is loaded; a missing one is the parent's warning at the
    // resource; a serverless repository application and an S3 URL are left alone.
    assert_eq!(
        problems(&loaded.templates()[0]),
        [
            "stacks/root.yaml:19:3 nested template `stacks/services/payments.yaml` is not in the project; not loaded"
        ]
    );
    assert_eq!(relations(&loaded.templates()[2]), ["16 Queue -trigger-> Worker Sqs name=Work"]);

    // In the flow, a logical ID several templates define is qualified by its template.
    let flow = flowdoc::analyse(&Project::new(&fixtures()).templates(&["stacks/root.yaml".to_owned()]))
        .expect("the nested stacks load")
        .flow;
    let queues: Vec<&str> =
        flow.nodes().map(|node| node.id.as_str()).filter(|id| id.ends_with("Queue")).collect();
    assert_eq!(
        queues,
        ["stacks/root.yaml#Queue", "stacks/services/billing.yaml#Queue", "stacks/services/orders.yaml#Queue"]
    );
    assert!(flow.node("Worker").is_some(), "an ID defined once stays as it is");
    assert!(flow.node("Invoices").is_some());
}

#[test]
fn two_templates_with_the_same_logical_id_in_memory() {
    let template = |queue_name: &str| {
        format!(
            "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: {queue_name}\n"
        )
    };
    let mut files = MemoryFiles::new();
    files
        .insert("orders/template.yaml", template("orders"))
        .insert("billing/template.yaml", template("billing"));
    let paths = ["orders/template.yaml".to_owned(), "billing/template.yaml".to_owned()];
    let flow = flowdoc::analyse(&Project::new(&files).templates(&paths)).expect("both load").flow;
    let ids: Vec<&str> = flow.nodes().map(|node| node.id.as_str()).collect();
    assert_eq!(ids, ["billing/template.yaml#Queue", "orders/template.yaml#Queue"], "sorted by path");
}

#[test]
fn every_fixture_is_discovered_as_a_template() {
    let files = fixtures();
    let listing = files.list();
    let discovered = template::discover(&files, &listing, &LoadOptions::default());
    assert_eq!(discovered.len(), listing.files.len(), "{discovered:?}");
    for path in &discovered {
        let loaded = template::load(&files, std::slice::from_ref(path), &LoadOptions::default());
        assert!(loaded.errors().is_empty(), "{path}: {:?}", loaded.errors());
    }
}

/// Small regressions as a table: what was loaded wrong, the template, and the relations and
/// problems it must give (all of them, lines included).
#[test]
fn regressions() {
    let cases: &[(&str, &str, &[&str], &[&str])] = &[
        (
            "a conditional subscription's relations were unconditional",
            "Conditions:
  Prod: !Equals [!Ref AWS::Region, eu-west-1]
Resources:
  Topic: {Type: AWS::SNS::Topic}
  Queue: {Type: AWS::SQS::Queue}
  Sub:
    Type: AWS::SNS::Subscription
    Condition: Prod
    Properties: {TopicArn: !Ref Topic, Protocol: sqs, Endpoint: !GetAtt Queue.Arn}
",
            &["6 Topic -subscription-> Queue sqs by=Sub conditional"],
            &[],
        ),
        (
            "a SqsSubscription mapping without QueueArn created a queue SAM refuses to create",
            "Resources:
  Topic: {Type: AWS::SNS::Topic}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Buffered: {Type: SNS, Properties: {Topic: !Ref Topic, SqsSubscription: {BatchSize: 5}}}
",
            &[],
            &[
                "template.yaml:7:9 SqsSubscription names no QueueArn (SAM needs QueueArn and QueueUrl); it is ignored",
            ],
        ),
        (
            "an SqsSubscription's Enabled: false was read, but SAM always enables the mapping it creates",
            "Resources:
  Topic: {Type: AWS::SNS::Topic}
  Queue: {Type: AWS::SQS::Queue}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Buffered:
          Type: SNS
          Properties:
            Topic: !Ref Topic
            SqsSubscription: {QueueArn: !GetAtt Queue.Arn, QueueUrl: !Ref Queue, Enabled: false}
",
            &["8 Topic -subscription-> Queue sqs by=FnBuffered", "8 Queue -trigger-> Fn Sqs name=Buffered"],
            &[],
        ),
        (
            "an EventBridgeRule event's Enabled: false was ignored (samtranslator reads it as for CloudWatchEvent)",
            "Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Off: {Type: EventBridgeRule, Properties: {Pattern: {source: [x]}, Enabled: false}}
",
            &[
                r#"6 external:default -route-> FnOff BusToRule pattern={"source":["x"]}"#,
                "6 FnOff -trigger-> Fn EventBridge name=Off async disabled",
            ],
            &[],
        ),
        (
            "a state machine's Policies granted access though SAM refuses Policies beside Role",
            "Resources:
  Queue: {Type: AWS::SQS::Queue}
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Role: arn:aws:iam::123456789012:role/flow
      Policies: [{SQSSendMessagePolicy: {QueueName: !GetAtt Queue.QueueName}}]
",
            &[],
            &[
                "template.yaml:7:7 SAM refuses a state machine with both `Role` and `Policies`; `Policies` are not read",
            ],
        ),
        (
            "a parameter inside a Join was an outside parameter besides the name the Join builds",
            "Parameters:
  Name: {Type: String, Default: jobs}
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties: {QueueName: !Ref Name}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Environment:
        Variables:
          JOBS_ARN: !Join [':', [arn, aws, sqs, !Ref AWS::Region, !Ref AWS::AccountId, !Ref Name]]
",
            &["12 Fn -env-> Jobs JOBS_ARN"],
            &[],
        ),
        (
            "the default bus's ARN in an IAM statement was an outside ARN, so PutEvents granted nothing known",
            "Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - Effect: Allow
              Action: events:PutEvents
              Resource: !Sub arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default
",
            &["9 Fn -grant-> external:default Write via=Statement"],
            &[],
        ),
    ];
    for (what, text, expected, expected_problems) in cases {
        let template = common::relations::from_text(text);
        assert_eq!(relations(&template), *expected, "{what}");
        assert_eq!(problems(&template), *expected_problems, "{what}");
        if what.contains("without QueueArn") {
            assert!(implicit(&template).is_empty(), "SAM creates no queue for a mapping");
        }
    }
}

/// A few facts spelled out on the model itself rather than its text form.
#[test]
fn the_model_carries_the_details() {
    let template = fixture("sam-stream-events.yaml");
    let trigger = template
        .relations
        .iter()
        .find_map(|relation| match &relation.kind {
            RelationKind::Trigger(trigger) if trigger.name == "TableChanges" => Some(trigger),
            _ => None,
        })
        .expect("the DynamoDB trigger");
    assert_eq!(trigger.source, TriggerSource::DynamoDb);
    assert_eq!(trigger.batch_size, Some(100));
    assert_eq!(trigger.bisect_batch_on_error, Some(true));
    assert!(!trigger.asynchronous);

    let template = fixture("cfn-messaging.yaml");
    let redrive = template
        .relations
        .iter()
        .find(|relation| relation.from == Endpoint::Resource("FulfilmentQueue".into()))
        .expect("the redrive");
    let RelationKind::Failure(failure) = &redrive.kind else { panic!("a failure path") };
    assert_eq!((failure.via, failure.max_receive_count), (FailureVia::QueueRedrive, Some(5)));
    assert_eq!(redrive.location.to_string(), "cfn-messaging.yaml:30:7");
    assert!(!redrive.conditional);
}
