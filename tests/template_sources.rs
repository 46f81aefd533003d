//! More sources of events and SAM connectors as flow, against AWS's documented behaviour: IoT
//! topic rules (actions and error action), Application Load Balancer target groups of type
//! `lambda`, CloudWatch Logs subscription filters, Cognito user pool triggers, CloudWatch alarm
//! actions, and `Write` connectors. Each fixture under `tests/fixtures/templates/sources/` is
//! written in YAML (short-form tags) and in JSON, and both must mean the same.
//!
//! A relation line reads `LINE FROM -KIND-> TO DETAILS` (the YAML's lines).

mod common;

use flowdoc::files::DiskFiles;
use flowdoc::template::{RelationKind, Template};
use std::path::Path;

fn fixtures() -> DiskFiles {
    DiskFiles::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/templates/sources"))
}

/// One fixture template, which must load.
fn load(path: &str) -> Template {
    common::relations::load(&fixtures(), &[path]).into_templates().remove(0)
}

/// The YAML fixture `name`, after checking that its JSON twin means the same.
fn fixture(name: &str) -> Template {
    let yaml = load(&format!("{name}.yaml"));
    let json = load(&format!("{name}.json"));
    assert_eq!(meaning(&yaml), meaning(&json), "{name}: YAML and JSON differ");
    yaml
}

fn problems(template: &Template) -> Vec<String> {
    template
        .problems
        .iter()
        .map(|problem| format!("{} {}", problem.location.line().unwrap_or(0), problem.message))
        .collect()
}

/// The relation's kind-specific details that these mechanisms set.
fn details(kind: &RelationKind) -> Vec<String> {
    let mut details = Vec::new();
    match kind {
        RelationKind::Trigger(trigger) => {
            details.push(format!("{:?}", trigger.source));
            details.push(format!("name={}", trigger.name));
            if trigger.asynchronous {
                details.push("async".into());
            }
            if let Some(route) = &trigger.route {
                details.push(format!("route={route:?}"));
            }
            if !trigger.enabled {
                details.push("disabled".into());
            }
        }
        RelationKind::Route(route) => {
            details.push(format!("{:?}", route.via));
            if let Some(label) = &route.label {
                details.push(format!("label={label}"));
            }
        }
        RelationKind::Failure(failure) => details.push(format!("{:?}", failure.via)),
        RelationKind::Grant(grant) => details.push(format!("{:?} via={}", grant.access, grant.via)),
        RelationKind::Write(write) => details.push(format!("via={}", write.via)),
        RelationKind::Subscription(subscription) => details.push(subscription.protocol.clone()),
        RelationKind::Env(variable) => details.push(variable.clone()),
        RelationKind::Permission(permission) => details.push(permission.principal.clone()),
    }
    details
}

/// Every relation but environment references, as `LINE FROM -KIND-> TO DETAILS`.
fn relations(template: &Template) -> Vec<String> {
    common::relations::relation_lines(
        template,
        |relation| !matches!(relation.kind, RelationKind::Env(_)),
        details,
    )
}

/// The relations without their lines, sorted.
fn meaning(template: &Template) -> Vec<String> {
    common::relations::meaning(relations(template))
}

/// The edges of the analysed fixture `name` (YAML) as `FROM -KIND-> TO [labels] flags`.
fn edges(name: &str) -> Vec<String> {
    let analysis = common::analyse(&fixtures(), &[&format!("{name}.yaml")]);
    analysis
        .flow
        .edges()
        .iter()
        .map(|(from, to, edge)| {
            let mut line = format!("{} -{}-> {} {:?}", from.id, edge.kind.name(), to.id, edge.labels);
            if edge.confirmed {
                line.push_str(" confirmed");
            }
            if edge.source != flowdoc::model::EdgeSource::Template {
                line.push_str(&format!(" source={}", edge.source.name()));
            }
            if !edge.events.is_empty() {
                line.push_str(&format!(" events={:?}", edge.events));
            }
            line
        })
        .collect()
}

#[test]
fn iot_topic_rules_trigger_their_functions_and_route_to_their_actions() {
    let template = fixture("iot");
    assert_eq!(
        relations(&template),
        [
            // The rule SAM creates for an IoTRule event, labelled with the SQL's topic.
            r#"35 HandlerSensors -trigger-> Handler IoT name=Sensors async route="sensors/#""#,
            r#"46 DeviceRule -trigger-> Handler IoT name=DeviceRule async route="devices/+/telemetry""#,
            "48 DeviceRule -route-> Telemetry TopicRuleAction label=devices/+/telemetry",
            "51 DeviceRule -route-> Alerts TopicRuleAction label=devices/+/telemetry",
            "54 DeviceRule -route-> Readings TopicRuleAction label=devices/+/telemetry",
            "57 DeviceRule -route-> Archive TopicRuleAction label=devices/+/telemetry",
            // `PutItem.TableName` by the table's name; the state machine by its name too.
            "60 DeviceRule -route-> Devices TopicRuleAction label=devices/+/telemetry",
            "64 DeviceRule -route-> Raw TopicRuleAction label=devices/+/telemetry",
            "68 DeviceRule -route-> Workflow TopicRuleAction label=devices/+/telemetry",
            // A name no resource has is a table of another stack. A metric is not flow.
            "71 DeviceRule -route-> external:dynamodb:other-stack-table TopicRuleAction label=devices/+/telemetry",
            "83 DeviceRule -failure-> Failures RuleErrorAction",
        ]
    );
    assert_eq!(problems(&template), Vec::<String>::new());
    let edges = edges("iot");
    assert!(
        edges.contains(&r#"DeviceRule -trigger-> Handler ["devices/+/telemetry"]"#.to_owned()),
        "{edges:#?}"
    );
    assert!(edges.contains(&r#"HandlerSensors -trigger-> Handler ["sensors/#"]"#.to_owned()), "{edges:#?}");
    assert!(edges.contains(&"DeviceRule -failure-> Failures []".to_owned()), "{edges:#?}");
}

#[test]
fn iot_rules_that_are_disabled_odd_or_unknown_warn_and_never_panic() {
    let template = common::relations::from_text(
        r#"
Resources:
  Fn:
    Type: AWS::Lambda::Function
  NoPayload:
    Type: AWS::IoT::TopicRule
    Properties: {}
  Odd:
    Type: AWS::IoT::TopicRule
    Properties:
      TopicRulePayload:
        Sql: SELECT *
        RuleDisabled: true
        Actions:
          - Lambda: {FunctionArn: !GetAtt Fn.Arn}
          - Sqs: {RoleArn: x}
          - Teleport: {Where: mars}
          - "not an action"
          - Republish: {Topic: devices/out}
        ErrorAction: [1, 2]
"#,
    );
    assert_eq!(
        relations(&template),
        [
            "15 Odd -trigger-> Fn IoT name=Odd async disabled",
            "19 Odd -route-> external:mqtt:devices/out TopicRuleAction",
        ]
    );
    assert_eq!(
        problems(&template),
        [
            "5 topic rule without a TopicRulePayload",
            "16 IoT rule action `Sqs` without `QueueUrl`",
            "17 IoT rule action `Teleport` is not followed",
        ]
    );
}

#[test]
fn cognito_user_pool_triggers_name_their_trigger() {
    let template = fixture("cognito");
    assert_eq!(
        relations(&template),
        [
            r#"10 Users -trigger-> SignUp Cognito name=PreSignUp route="PreSignUp""#,
            r#"11 Users -trigger-> SignUp Cognito name=PostConfirmation route="PostConfirmation""#,
            r#"12 Users -trigger-> Tokens Cognito name=PreTokenGeneration route="PreTokenGeneration""#,
            r#"15 Users -trigger-> Mailer Cognito name=CustomEmailSender route="CustomEmailSender""#,
            // A SAM Cognito event: the pool it names, for each of its triggers.
            r#"40 Users -trigger-> Messages Cognito name=Custom route="CustomMessage, PostAuthentication""#,
        ]
    );
    assert_eq!(problems(&template), Vec::<String>::new());
    let edges = edges("cognito");
    // Two triggers of one function are one edge with both labels; Cognito waits for the answer.
    assert!(
        edges.contains(&r#"Users -trigger-> SignUp ["PostConfirmation", "PreSignUp"]"#.to_owned()),
        "{edges:#?}"
    );
    let analysis = common::analyse(&fixtures(), &["cognito.yaml"]);
    assert!(
        !analysis.findings.iter().any(|finding| finding.rule == "async-without-failure-destination"),
        "Cognito invokes synchronously"
    );
}

#[test]
fn log_subscription_filters_trigger_or_route_from_their_log_group() {
    let template = fixture("logs");
    assert_eq!(
        relations(&template),
        [
            r#"30 AppLogs -trigger-> Subscriber CloudWatchLogs name=Errors async route="ERROR""#,
            // The empty pattern (everything) is no label.
            "36 GeneratorLogs -trigger-> Subscriber CloudWatchLogs name=ByRef async",
            // `/aws/lambda/${Generator}` is the log group with that name, never the function.
            "42 GeneratorLogs -route-> Shipping LogSubscription label=[level=WARN, ...]",
            // A log group the template does not define is an outside thing.
            "49 external:logs:/ecs/payments -trigger-> Subscriber CloudWatchLogs name=Outside async",
        ]
    );
    assert_eq!(problems(&template), Vec::<String>::new());
    let edges = edges("logs");
    assert!(
        !edges.iter().any(|edge| edge.starts_with("Generator ")),
        "a function's logs are not its output: {edges:#?}"
    );
    assert!(edges.contains(&r#"AppLogs -trigger-> Subscriber ["ERROR"]"#.to_owned()), "{edges:#?}");
}

#[test]
fn alarm_actions_notify_topics_and_invoke_functions() {
    let template = fixture("alarms");
    assert_eq!(
        relations(&template),
        [
            // The Auto Scaling policy among the actions moves no data; the metric's dimension
            // (the function watched) is not flow either.
            "37 Errors -route-> Alerts AlarmAction label=ALARM",
            r#"37 Errors -trigger-> Remediate Generic("CloudWatchAlarm") name=AlarmActions async route="ALARM""#,
            "41 Errors -route-> Recovered AlarmAction label=OK",
            "43 Errors -route-> external:OnCallTopicArn AlarmAction label=INSUFFICIENT_DATA",
            "53 Both -route-> external:arn:aws:sns:eu-west-1:123456789012:pager AlarmAction label=ALARM",
        ]
    );
    assert_eq!(problems(&template), Vec::<String>::new());
    let edges = edges("alarms");
    assert!(edges.contains(&r#"Errors -route-> Recovered ["OK"]"#.to_owned()), "{edges:#?}");
    assert!(!edges.iter().any(|edge| edge.contains("Worker")), "{edges:#?}");
}

#[test]
fn load_balancers_trigger_the_functions_of_their_lambda_target_groups() {
    let template = fixture("load-balancers");
    assert_eq!(
        relations(&template),
        [
            // A listener's default action: labelled with its port.
            r#"41 Balancer -trigger-> HomeFunction LoadBalancer name=Home route="port 443""#,
            // A listener rule's weighted forward: labelled with its path, from the listener's balancer.
            r#"47 Balancer -trigger-> ApiFunction LoadBalancer name=Api route="/api/*""#,
            // No listener forwards to it: from the target group itself. Instance targets are not flow.
            "53 Orphan -trigger-> ApiFunction LoadBalancer name=Orphan",
        ]
    );
    assert_eq!(problems(&template), Vec::<String>::new());
    let edges = edges("load-balancers");
    assert!(edges.contains(&r#"Balancer -trigger-> HomeFunction ["port 443"]"#.to_owned()), "{edges:#?}");
    assert!(edges.contains(&r#"Balancer -trigger-> ApiFunction ["/api/*"]"#.to_owned()), "{edges:#?}");
}

#[test]
fn a_listener_rule_on_a_listener_of_another_stack_triggers_from_the_target_group() {
    let template = common::relations::from_text(
        r#"
Resources:
  Fn:
    Type: AWS::Lambda::Function
  Group:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
      Targets: [{Id: !GetAtt Fn.Arn}, {Port: 80}]
  Rule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !ImportValue shared-listener
      Conditions: [{PathPatternConfig: {Values: [/orders, /orders/*]}}]
      Actions: [{Type: forward, TargetGroupArn: !Ref Group}]
"#,
    );
    assert_eq!(
        relations(&template),
        [r#"9 Group -trigger-> Fn LoadBalancer name=Group route="/orders, /orders/*""#]
    );
    assert_eq!(problems(&template), ["9 target group target without an Id"]);
}

#[test]
fn write_connectors_from_functions_and_state_machines_are_declared_writes() {
    let template = fixture("connectors");
    assert_eq!(
        relations(&template),
        [
            "16 Flow -grant-> Outbox Write via=Connector ToOutbox",
            "16 Flow -write-> Outbox via=Connector ToOutbox",
            "27 Api -grant-> Orders Write via=Connector OrdersConn",
            "27 Api -write-> Orders via=Connector OrdersConn",
            "32 Api -grant-> Announcements Write via=Connector Notify",
            "32 Api -grant-> Flow Write via=Connector Notify",
            "32 Api -write-> Announcements via=Connector Notify",
            "32 Api -write-> Flow via=Connector Notify",
            // Read only: a grant, no write.
            "49 Reader -grant-> Orders Read via=Connector ReaderToOrders",
            // From a topic, `Write` lets it deliver; the subscription is the wiring, declared elsewhere.
            "58 Announcements -grant-> Outbox Write via=Connector TopicToOutbox",
            "67 Reader -grant-> Outbox Write via=Connector ReaderToOutbox",
            "67 Reader -write-> Outbox via=Connector ReaderToOutbox",
        ]
    );
    assert_eq!(problems(&template), Vec::<String>::new());
    assert_eq!(
        edges("connectors"),
        [
            "Api -publish-> Announcements [] confirmed source=connector",
            "Api -publish-> Flow [] confirmed source=connector",
            "Api -publish-> Orders [] confirmed source=connector",
            "Flow -publish-> Outbox [] confirmed source=connector",
            "Reader -publish-> Outbox [] confirmed source=connector",
        ]
    );
}

#[test]
fn odd_sources_warn_and_never_panic() {
    let template = common::relations::from_text(
        r#"
Resources:
  Fn:
    Type: AWS::Lambda::Function
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      LambdaConfig:
        CustomSMSSender: {LambdaVersion: V1_0}
        PreSignUp: [1, 2]
  NoDestination:
    Type: AWS::Logs::SubscriptionFilter
    Properties: {LogGroupName: x}
  NoGroup:
    Type: AWS::Logs::SubscriptionFilter
    Properties: {DestinationArn: !GetAtt Fn.Arn}
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties: {AlarmActions: "arn:aws:automate:eu-west-1:ec2:stop", OKActions: {Nested: map}}
  NotLambda:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Targets: [{Id: !GetAtt Fn.Arn}]}
"#,
    );
    assert_eq!(relations(&template), Vec::<String>::new());
    assert_eq!(
        problems(&template),
        [
            "9 user pool trigger `CustomSMSSender` without a LambdaArn",
            "11 subscription filter without a DestinationArn",
            "14 subscription filter without a LogGroupName",
        ]
    );
}

#[test]
fn vpc_lattice_services_trigger_the_functions_of_their_lambda_target_groups() {
    let template = fixture("lattice");
    assert_eq!(
        relations(&template),
        [
            // A listener's weighted forward: both target groups, from the listener's service.
            r#"42 Service -trigger-> PrimaryFunction Generic("VpcLattice") name=Primary"#,
            r#"48 Service -trigger-> SecondaryFunction Generic("VpcLattice") name=Secondary"#,
            // A rule names its listener, which names the service.
            r#"54 Service -trigger-> PrimaryFunction Generic("VpcLattice") name=AdminGroup"#,
            // Nothing forwards to it: from the target group itself.
            r#"60 Spare -trigger-> SecondaryFunction Generic("VpcLattice") name=Spare"#,
        ]
    );
    assert_eq!(problems(&template), Vec::<String>::new());
    let edges = edges("lattice");
    assert!(edges.contains(&"Service -trigger-> PrimaryFunction []".to_owned()), "{edges:#?}");
}
