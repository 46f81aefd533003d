//! Template resources and pieces of function definitions: queues with dead-letter queues, tables
//! with streams, topics, event buses, failure destinations, policies and trigger events.

use super::plan::{Domain, Plan, new_id};
use super::rng::Rng;
use super::text::{fill, words};

/// A dead-letter queue that keeps messages for 14 days.
pub(super) fn dead_letter_queue_yaml(id: &str) -> String {
    fill(
        "  @id@:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: true
      MessageRetentionPeriod: 1209600
",
        &[("id", id)],
    )
}

/// A queue with its dead-letter queue; returns both ids.
pub(super) fn add_queue(
    plan: &mut Plan,
    domain: &mut Domain,
    rng: &mut Rng,
    base: &str,
    visibility: u32,
) -> (String, String) {
    let queue = new_id(plan, &format!("{base}Queue"));
    let dead_letter = new_id(plan, &format!("{base}DeadLetterQueue"));
    let max_receive = rng.range(3, 6).to_string();
    let visibility = visibility.to_string();
    let redrive = if rng.percent(15) {
        fill(
            "      RedrivePolicy: !Sub '{\"deadLetterTargetArn\": \"${@dlq@.Arn}\", \"maxReceiveCount\": @max@}'
",
            &[("dlq", &dead_letter), ("max", &max_receive)],
        )
    } else {
        fill(
            "      RedrivePolicy:
        deadLetterTargetArn: !GetAtt @dlq@.Arn
        maxReceiveCount: @max@
",
            &[("dlq", &dead_letter), ("max", &max_receive)],
        )
    };
    domain.resource(fill(
        "  @id@:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: true
      VisibilityTimeout: @vt@
@redrive@",
        &[("id", &queue), ("vt", &visibility), ("redrive", &redrive)],
    ));
    domain.resource(dead_letter_queue_yaml(&dead_letter));
    (queue, dead_letter)
}

/// A queue policy that lets `principal` send to `queue` from `source_arn` (a YAML value).
pub(super) fn add_queue_policy(
    plan: &mut Plan,
    domain: &mut Domain,
    queue: &str,
    principal: &str,
    source_arn: &str,
) {
    let id = new_id(plan, &format!("{queue}Policy"));
    domain.resource(fill(
        "  @id@:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues:
        - !Ref @queue@
      PolicyDocument:
        Version: \"2012-10-17\"
        Statement:
          - Effect: Allow
            Principal:
              Service: @principal@
            Action: sqs:SendMessage
            Resource: !GetAtt @queue@.Arn
            Condition:
              ArnEquals:
                aws:SourceArn: @source@
",
        &[("id", &id), ("queue", queue), ("principal", principal), ("source", source_arn)],
    ));
}

/// A table with a stream and the queue its stream consumers send failed batches to.
pub(super) fn add_table(
    plan: &mut Plan,
    domain: &mut Domain,
    rng: &mut Rng,
    base: &str,
    key: &str,
) -> (String, String) {
    let table = new_id(plan, &format!("{base}Table"));
    let failure = new_id(plan, &format!("{base}StreamFailureQueue"));
    let view = if rng.percent(70) { "NEW_AND_OLD_IMAGES" } else { "NEW_IMAGE" };
    let ttl = if rng.percent(30) {
        "      TimeToLiveSpecification:\n        AttributeName: expires_at\n        Enabled: true\n"
    } else {
        ""
    };
    domain.resource(fill(
        "  @id@:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: @key@
          AttributeType: S
      KeySchema:
        - AttributeName: @key@
          KeyType: HASH
      StreamSpecification:
        StreamViewType: @view@
      SSESpecification:
        SSEEnabled: true
      PointInTimeRecoverySpecification:
        PointInTimeRecoveryEnabled: true
@ttl@",
        &[("id", &table), ("key", key), ("view", view), ("ttl", ttl)],
    ));
    domain.resource(
        fill("  # Receives the metadata of stream batches that still failed after the retries.\n", &[])
            + &dead_letter_queue_yaml(&failure),
    );
    (table, failure)
}

/// A topic and the dead-letter queue of its subscriptions (with the policy that lets the topic
/// write to it).
pub(super) fn add_topic(plan: &mut Plan, domain: &mut Domain, base: &str) -> (String, String) {
    let topic = new_id(plan, &format!("{base}EventsTopic"));
    let dead_letter = new_id(plan, &format!("{base}SubscriptionDeadLetterQueue"));
    domain.resource(fill(
        "  @id@:\n    Type: AWS::SNS::Topic\n    Properties:\n      KmsMasterKeyId: alias/aws/sns\n",
        &[("id", &topic)],
    ));
    domain.resource(dead_letter_queue_yaml(&dead_letter));
    add_queue_policy(plan, domain, &dead_letter, "sns.amazonaws.com", &format!("!Ref {topic}"));
    (topic, dead_letter)
}

/// The domain's own event bus, created on first use.
pub(super) fn domain_bus(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng) -> String {
    if let Some(bus) = &domain.bus {
        return bus.clone();
    }
    let bus = new_id(plan, &format!("{}Bus", domain.pascal));
    let name = domain.kebab();
    let mut yaml = fill(
        "  @id@:
    Type: AWS::Events::EventBus
    Properties:
      Name: !Sub \"${AWS::StackName}-@name@\"
",
        &[("id", &bus), ("name", &name)],
    );
    if rng.percent(60) {
        let archive = new_id(plan, &format!("{bus}Archive"));
        yaml.push_str(&fill(
            "  @archive@:
    Type: AWS::Events::Archive
    Properties:
      Description: Replays @name@ events after an incident.
      SourceArn: !GetAtt @id@.Arn
      RetentionDays: 14
",
            &[("id", &bus), ("archive", &archive), ("name", &name)],
        ));
    }
    domain.comment(format!("The {} event bus", words(&domain.name)));
    domain.resource(yaml);
    domain.outputs.push((
        format!("{bus}Name"),
        format!("The event bus of the {} domain.", words(&domain.name)),
        format!("!Ref {bus}"),
        true,
    ));
    domain.bus = Some(bus.clone());
    bus
}

/// Gives an asynchronously invoked function somewhere to put what fails after Lambda's retries.
pub(super) fn async_failure(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng, function: usize) {
    let base = domain.functions[function].id.trim_end_matches("Function").to_owned();
    let extra = match rng.below(3) {
        0 => {
            let dead_letter = new_id(plan, &format!("{base}AsyncDeadLetterQueue"));
            domain.resource(dead_letter_queue_yaml(&dead_letter));
            fill(
                "      DeadLetterQueue:
        Type: SQS
        TargetArn: !GetAtt @dlq@.Arn
",
                &[("dlq", &dead_letter)],
            )
        }
        1 => {
            let dead_letter = new_id(plan, &format!("{base}FailureQueue"));
            domain.resource(dead_letter_queue_yaml(&dead_letter));
            fill(
                "      EventInvokeConfig:
        MaximumRetryAttempts: 1
        MaximumEventAgeInSeconds: 3600
        DestinationConfig:
          OnFailure:
            Type: SQS
            Destination: !GetAtt @dlq@.Arn
",
                &[("dlq", &dead_letter)],
            )
        }
        _ => "      EventInvokeConfig:
        MaximumRetryAttempts: 2
        DestinationConfig:
          OnFailure:
            Type: SQS
"
        .to_owned(),
    };
    domain.functions[function].extra.push(extra);
}

/// The SAM policy to send to `queue`.
pub(super) fn sqs_policy(queue: &str) -> String {
    fill("- SQSSendMessagePolicy:\n    QueueName: !GetAtt @q@.QueueName\n", &[("q", queue)])
}

/// The SAM policy to publish to `topic`.
pub(super) fn sns_policy(topic: &str) -> String {
    fill("- SNSPublishMessagePolicy:\n    TopicName: !GetAtt @t@.TopicName\n", &[("t", topic)])
}

/// The SAM policy to read and write `table`.
pub(super) fn dynamodb_policy(table: &str) -> String {
    fill("- DynamoDBCrudPolicy:\n    TableName: !Ref @t@\n", &[("t", table)])
}

/// The SAM policy to read and write `stream`.
pub(super) fn kinesis_policy(stream: &str) -> String {
    fill("- KinesisCrudPolicy:\n    StreamName: !Ref @s@\n", &[("s", stream)])
}

/// The SAM policy to put events on `bus` (a YAML value).
pub(super) fn bus_policy(bus: &str) -> String {
    fill("- EventBridgePutEventsPolicy:\n    EventBusName: @b@\n", &[("b", bus)])
}

/// The `event_type` list of a filter policy or the `detail-type` list of a pattern.
pub(super) fn name_list(plan: &Plan, events: &[usize], indent_by: usize) -> String {
    let pad = " ".repeat(indent_by);
    events.iter().map(|&event| format!("{pad}- {}\n", plan.events[event].name)).collect()
}

/// An SQS event of a SAM function.
pub(super) fn sqs_event(name: &str, queue: &str, rng: &mut Rng) -> String {
    let batch = rng.pick(&["10", "10", "5", "20"]);
    let window = if *batch == "20" { "    MaximumBatchingWindowInSeconds: 5\n" } else { "" };
    fill(
        "@name@:
  Type: SQS
  Properties:
    Queue: !GetAtt @q@.Arn
    BatchSize: @batch@
@window@    FunctionResponseTypes:
      - ReportBatchItemFailures
",
        &[("name", name), ("q", queue), ("batch", batch), ("window", window)],
    )
}

/// A DynamoDB or Kinesis stream event with bounded retries and an on-failure destination.
pub(super) fn stream_event(name: &str, kind: &str, stream_arn: &str, failure: &str, rng: &mut Rng) -> String {
    let position = if kind == "Kinesis" { "LATEST" } else { "TRIM_HORIZON" };
    let batch = rng.pick(&["25", "50", "100"]);
    let retries = rng.range(2, 6).to_string();
    fill(
        "@name@:
  Type: @kind@
  Properties:
    Stream: @arn@
    StartingPosition: @position@
    BatchSize: @batch@
    MaximumRetryAttempts: @retries@
    BisectBatchOnFunctionError: true
    FunctionResponseTypes:
      - ReportBatchItemFailures
    DestinationConfig:
      OnFailure:
        Destination: !GetAtt @failure@.Arn
",
        &[
            ("name", name),
            ("kind", kind),
            ("arn", stream_arn),
            ("position", position),
            ("batch", batch),
            ("retries", &retries),
            ("failure", failure),
        ],
    )
}

/// The retry policy and dead-letter queue of an EventBridge rule or schedule event.
pub(super) fn rule_dead_letter(rng: &mut Rng) -> String {
    let retries = rng.range(2, 8).to_string();
    fill(
        "    RetryPolicy:
      MaximumRetryAttempts: @n@
      MaximumEventAgeInSeconds: 3600
    DeadLetterConfig:
      Type: SQS
",
        &[("n", &retries)],
    )
}
