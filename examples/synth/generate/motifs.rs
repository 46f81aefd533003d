//! Motifs: the shapes of flow a domain grows from (API, table and topic fan-outs, queue, table
//! and Kinesis chains, event-bus rules, scheduled jobs) and the listeners and publishers that
//! join domains over the default event bus.

use super::plan::{
    Domain, Plan, Route, Topic, Trigger, consume, free_role, new_event, new_function, new_id, produce,
};
use super::resources::{
    add_queue, add_queue_policy, add_table, add_topic, async_failure, bus_policy, dead_letter_queue_yaml,
    domain_bus, dynamodb_policy, kinesis_policy, name_list, rule_dead_letter, sns_policy, sqs_event,
    sqs_policy, stream_event,
};
use super::rng::Rng;
use super::text::{fill, kebab, pascal, upper, words};
use super::vocabulary::{JOB_ROLES, JOB_VERBS, LIFECYCLES, MILESTONE_VERBS, PROCESS_VERBS, ROLES};

/// An API writes a thing's lifecycle events to a table; the table's stream is published to a
/// topic that fans out to two to five consumers.
pub(super) fn fan_out(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng, budget: usize) -> usize {
    let entity = domain.next_entity(rng);
    let lifecycle = *rng.pick(LIFECYCLES);
    let count = if rng.percent(60) { 3 } else { 2 };
    let steps = &lifecycle[..count];
    let events: Vec<usize> =
        steps.iter().map(|(verb, _, _)| new_event(plan, domain, rng, &entity, &[verb], true)).collect();
    let base = format!("{}{}", domain.pascal, entity.pascal());
    domain.comment(format!("{}: API, table, stream, topic and consumers", pascal(&entity.plural)));
    let (table, failure) = add_table(plan, domain, rng, &base, &format!("{}_id", entity.snake));

    let path = format!("/{}/{}", domain.kebab(), entity.plural.replace('_', "-"));
    let routes: Vec<Route> = steps
        .iter()
        .zip(&events)
        .enumerate()
        .map(|(position, ((_, verb, method), &event))| Route {
            method,
            path: if position == 0 { path.clone() } else { format!("{path}/{{id}}") },
            verb,
            event,
        })
        .collect();
    let api = new_function(plan, domain, rng, &entity, "api", Trigger::Api(routes.clone()));
    domain.has_api = true;
    let table_var = format!("{}_TABLE_NAME", upper(&entity.snake));
    {
        let function = &mut domain.functions[api];
        function.description = format!(
            "The {} API: {}.",
            entity.words(),
            routes
                .iter()
                .map(|r| format!("{} {}", r.method.to_uppercase(), r.path))
                .collect::<Vec<_>>()
                .join(", ")
        );
        function.add_env(&table_var, &format!("!Ref {table}"));
        function.add_policy(dynamodb_policy(&table));
        for route in &routes {
            let name = pascal(&format!("{}_{}", route.verb, entity.snake));
            function.events.push(fill(
                "@name@:\n  Type: Api\n  Properties:\n    Path: @path@\n    Method: @method@\n",
                &[("name", &name), ("path", &route.path), ("method", route.method)],
            ));
        }
    }
    let by_env = rng.percent(40);
    for &event in &events {
        produce(domain, api, event, &table, &table_var, "table", by_env);
    }

    let (topic, subscription_dlq) = add_topic(plan, domain, &base);
    let publisher = new_function(plan, domain, rng, &entity, "stream-publisher", Trigger::Stream);
    let topic_var = format!("{}_EVENTS_TOPIC_ARN", upper(&entity.snake));
    {
        let stream =
            stream_event("TableChanges", "DynamoDB", &format!("!GetAtt {table}.StreamArn"), &failure, rng);
        let function = &mut domain.functions[publisher];
        function.description =
            format!("Publishes the changes of the {table} as {} events on the {topic}.", entity.words());
        function.add_env(&topic_var, &format!("!Ref {topic}"));
        function.add_policy(sns_policy(&topic));
        function.add_policy(sqs_policy(&failure));
        function.events.push(stream);
    }
    consume(domain, publisher, &events, &table);
    let by_env = rng.percent(80);
    for &event in &events {
        produce(domain, publisher, event, &topic, &topic_var, "topic", by_env);
    }
    domain.topics.push(Topic { id: topic, dead_letter: subscription_dlq, events, entity });
    let topic_index = domain.topics.len() - 1;
    let consumers = rng.range(2, 5).min(budget - 2);
    for position in 0..consumers {
        topic_consumer(plan, domain, rng, topic_index, position == 0);
    }
    2 + consumers
}

/// A new consumer of a topic: through its own queue, or subscribed directly. `everything`: it
/// takes every event of the topic.
pub(super) fn topic_consumer(
    plan: &mut Plan,
    domain: &mut Domain,
    rng: &mut Rng,
    topic: usize,
    everything: bool,
) {
    let Topic { id: topic_id, dead_letter, events, entity } = domain.topics[topic].clone();
    let filtered = !everything && events.len() > 1 && rng.percent(60);
    let taken: Vec<usize> = if filtered {
        let count = rng.range(1, events.len() - 1);
        rng.sample(&events, count)
    } else {
        events.clone()
    };
    let role = free_role(domain, rng, &entity, ROLES);
    let direct = rng.percent(25);
    let function =
        new_function(plan, domain, rng, &entity, &role, if direct { Trigger::Sns } else { Trigger::Queue });
    let base = domain.functions[function].id.trim_end_matches("Function").to_owned();
    let what = taken.iter().map(|&e| plan.events[e].name.clone()).collect::<Vec<_>>().join(", ");
    domain.functions[function].description = format!("The {} {role}: handles {what}.", entity.words());
    if direct {
        let filter = if filtered {
            format!("    FilterPolicy:\n      event_type:\n{}", name_list(plan, &taken, 8))
        } else {
            String::new()
        };
        domain.functions[function].events.push(fill(
            "@name@:
  Type: SNS
  Properties:
    Topic: !Ref @topic@
@filter@    RedrivePolicy:
      deadLetterTargetArn: !GetAtt @dlq@.Arn
",
            &[
                ("name", &format!("{}Events", entity.pascal())),
                ("topic", &topic_id),
                ("filter", &filter),
                ("dlq", &dead_letter),
            ],
        ));
        async_failure(plan, domain, rng, function);
        consume(domain, function, &taken, &topic_id);
    } else {
        let visibility = domain.functions[function].timeout * 6 + if rng.percent(30) { 30 } else { 0 };
        let (queue, _) = add_queue(plan, domain, rng, &base, visibility);
        let subscription = new_id(plan, &format!("{base}Subscription"));
        let filter = if filtered {
            format!(
                "      FilterPolicyScope: MessageAttributes\n      FilterPolicy:\n        event_type:\n{}",
                name_list(plan, &taken, 10)
            )
        } else {
            String::new()
        };
        domain.resource(fill(
            "  @id@:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref @topic@
      Protocol: sqs
      Endpoint: !GetAtt @queue@.Arn
      RawMessageDelivery: true
@filter@      RedrivePolicy:
        deadLetterTargetArn: !GetAtt @dlq@.Arn
",
            &[
                ("id", &subscription),
                ("topic", &topic_id),
                ("queue", &queue),
                ("filter", &filter),
                ("dlq", &dead_letter),
            ],
        ));
        add_queue_policy(plan, domain, &queue, "sns.amazonaws.com", &format!("!Ref {topic_id}"));
        queue_trigger(plan, domain, rng, function, &queue);
        consume(domain, function, &taken, &queue);
    }
    domain.leaves.push(function);
}

/// `function` polls `queue`: a SAM event mostly, sometimes its own event source mapping.
fn queue_trigger(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng, function: usize, queue: &str) {
    if rng.percent(15) {
        let mapping = new_id(plan, &format!("{}Mapping", domain.functions[function].id));
        let function_id = domain.functions[function].id.clone();
        domain.resource(fill(
            "  @id@:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt @queue@.Arn
      FunctionName: !Ref @function@
      BatchSize: 10
      FunctionResponseTypes:
        - ReportBatchItemFailures
",
            &[("id", &mapping), ("queue", queue), ("function", &function_id)],
        ));
        domain.functions[function]
            .add_policy(fill("- SQSPollerPolicy:\n    QueueName: !GetAtt @q@.QueueName\n", &[("q", queue)]));
    } else {
        let event = sqs_event("Messages", queue, rng);
        domain.functions[function].events.push(event);
    }
}

/// A leaf to extend, and whether it stays one.
fn take_leaf(domain: &mut Domain, rng: &mut Rng) -> usize {
    let position = rng.below(domain.leaves.len());
    let leaf = domain.leaves[position];
    if rng.percent(65) {
        domain.leaves.swap_remove(position);
    }
    leaf
}

/// A leaf sends a new event to a queue that a new worker polls.
pub(super) fn queue_chain(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng) -> usize {
    let leaf = take_leaf(domain, rng);
    let entity = domain.functions[leaf].entity.clone();
    let count = if rng.percent(20) { 2 } else { 1 };
    let typed = rng.percent(85);
    let events: Vec<usize> =
        (0..count).map(|_| new_event(plan, domain, rng, &entity, PROCESS_VERBS, typed)).collect();
    let role = free_role(domain, rng, &entity, ROLES);
    let worker = new_function(plan, domain, rng, &entity, &role, Trigger::Queue);
    let base = domain.functions[worker].id.trim_end_matches("Function").to_owned();
    let visibility = domain.functions[worker].timeout * 6;
    let (queue, _) = add_queue(plan, domain, rng, &base, visibility);
    queue_trigger(plan, domain, rng, worker, &queue);
    let what = events.iter().map(|&e| plan.events[e].name.clone()).collect::<Vec<_>>().join(" and ");
    domain.functions[worker].description =
        format!("The {} {role}: works off {what} from its queue.", entity.words());
    let var =
        domain.functions[leaf].free_var(&format!("{}_QUEUE_URL", upper(&format!("{}_{role}", entity.snake))));
    domain.functions[leaf].add_env(&var, &format!("!Ref {queue}"));
    domain.functions[leaf].add_policy(sqs_policy(&queue));
    let by_env = rng.percent(70);
    for &event in &events {
        produce(domain, leaf, event, &queue, &var, "queue", by_env);
    }
    consume(domain, worker, &events, &queue);
    domain.leaves.push(worker);
    1
}

/// A leaf puts events on the domain's bus; rules route them to one to three new functions.
pub(super) fn bus_fan_out(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng, budget: usize) -> usize {
    let leaf = take_leaf(domain, rng);
    let bus = domain_bus(plan, domain, rng);
    let entity = domain.functions[leaf].entity.clone();
    let count = if rng.percent(35) { 2 } else { 1 };
    let events: Vec<usize> =
        (0..count).map(|_| new_event(plan, domain, rng, &entity, PROCESS_VERBS, true)).collect();
    let var = domain.functions[leaf].free_var("EVENT_BUS_NAME");
    domain.functions[leaf].add_env(&var, &format!("!Ref {bus}"));
    domain.functions[leaf].add_policy(bus_policy(&format!("!Ref {bus}")));
    let by_env = rng.percent(60);
    for &event in &events {
        produce(domain, leaf, event, &bus, &var, "bus", by_env);
    }
    let targets = rng.range(1, 3).min(budget);
    for position in 0..targets {
        let taken = if position == 0 || events.len() == 1 {
            events.clone()
        } else {
            let count = rng.range(1, events.len());
            rng.sample(&events, count)
        };
        let role = free_role(domain, rng, &entity, ROLES);
        let function = new_function(plan, domain, rng, &entity, &role, Trigger::Bus);
        let what = taken.iter().map(|&e| plan.events[e].name.clone()).collect::<Vec<_>>().join(", ");
        let event_name = format!("{}Rule", pascal(&plan.events[taken[0]].name));
        let rule = fill(
            "@name@:
  Type: EventBridgeRule
  Properties:
    EventBusName: !Ref @bus@
    Pattern:
      source:
        - @source@
      detail-type:
@types@@dead@",
            &[
                ("name", &event_name),
                ("bus", &bus),
                ("source", &domain.name),
                ("types", &name_list(plan, &taken, 8)),
                ("dead", &rule_dead_letter(rng)),
            ],
        );
        domain.functions[function].events.push(rule);
        domain.functions[function].description =
            format!("The {} {role}: reacts to {what} on the {bus}.", entity.words());
        async_failure(plan, domain, rng, function);
        consume(domain, function, &taken, &bus);
        domain.leaves.push(function);
    }
    targets
}

/// A leaf writes a new event to a table of its own; the table's stream feeds a new function.
pub(super) fn table_chain(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng) -> usize {
    let leaf = take_leaf(domain, rng);
    let entity = domain.functions[leaf].entity.clone();
    let event = new_event(plan, domain, rng, &entity, PROCESS_VERBS, true);
    let noun = rng.pick(&["History", "Projection", "Ledger", "Outbox", "Journal"]);
    let base = format!("{}{}{noun}", domain.pascal, entity.pascal());
    let (table, failure) = add_table(plan, domain, rng, &base, "pk");
    let var =
        domain.functions[leaf].free_var(&format!("{}_{}_TABLE_NAME", upper(&entity.snake), upper(noun)));
    domain.functions[leaf].add_env(&var, &format!("!Ref {table}"));
    domain.functions[leaf].add_policy(dynamodb_policy(&table));
    let by_env = rng.percent(50);
    produce(domain, leaf, event, &table, &var, "table", by_env);
    let role = free_role(
        domain,
        rng,
        &entity,
        &["projector", "replicator", "history-feed", "outbox-relay", "journal-reader"],
    );
    let function = new_function(plan, domain, rng, &entity, &role, Trigger::Stream);
    let stream = stream_event("Changes", "DynamoDB", &format!("!GetAtt {table}.StreamArn"), &failure, rng);
    domain.functions[function].events.push(stream);
    domain.functions[function].add_policy(sqs_policy(&failure));
    domain.functions[function].description =
        format!("The {} {role}: follows the stream of the {table}.", entity.words());
    consume(domain, function, &[event], &table);
    domain.leaves.push(function);
    1
}

/// A leaf writes events to a Kinesis stream that a new function consumes.
pub(super) fn kinesis_chain(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng) -> usize {
    let leaf = take_leaf(domain, rng);
    let entity = domain.functions[leaf].entity.clone();
    let count = if rng.percent(30) { 2 } else { 1 };
    let events: Vec<usize> =
        (0..count).map(|_| new_event(plan, domain, rng, &entity, PROCESS_VERBS, true)).collect();
    let base = format!("{}{}Activity", domain.pascal, entity.pascal());
    let stream = new_id(plan, &format!("{base}Stream"));
    let failure = new_id(plan, &format!("{base}FailureQueue"));
    let shards = rng.range(1, 4).to_string();
    domain.resource(fill(
        "  @id@:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: @shards@
      RetentionPeriodHours: 24
      StreamEncryption:
        EncryptionType: KMS
        KeyId: alias/aws/kinesis
",
        &[("id", &stream), ("shards", &shards)],
    ));
    domain.resource(dead_letter_queue_yaml(&failure));
    let var = domain.functions[leaf].free_var(&format!("{}_ACTIVITY_STREAM_NAME", upper(&entity.snake)));
    domain.functions[leaf].add_env(&var, &format!("!Ref {stream}"));
    domain.functions[leaf].add_policy(kinesis_policy(&stream));
    let by_env = rng.percent(50);
    for &event in &events {
        produce(domain, leaf, event, &stream, &var, "stream", by_env);
    }
    let role =
        free_role(domain, rng, &entity, &["activity-sink", "analytics", "metrics-feed", "clickstream"]);
    let function = new_function(plan, domain, rng, &entity, &role, Trigger::Kinesis);
    let trigger = stream_event("Activity", "Kinesis", &format!("!GetAtt {stream}.Arn"), &failure, rng);
    domain.functions[function].events.push(trigger);
    domain.functions[function].add_policy(sqs_policy(&failure));
    domain.functions[function].description = format!("The {} {role}: reads the {stream}.", entity.words());
    consume(domain, function, &events, &stream);
    domain.leaves.push(function);
    1
}

/// A scheduled job asks a worker, through a queue, to do periodic work.
pub(super) fn scheduled_job(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng) -> usize {
    let entity = domain.used_entity(rng);
    let role = free_role(domain, rng, &entity, JOB_ROLES);
    let expression = (*rng.pick(&[
        "rate(5 minutes)",
        "rate(15 minutes)",
        "rate(1 hour)",
        "cron(0 3 * * ? *)",
        "cron(30 1 ? * MON-FRI *)",
    ]))
    .to_owned();
    let job = new_function(plan, domain, rng, &entity, &role, Trigger::Schedule(expression.clone()));
    domain.comment(format!("{}: scheduled {role}", pascal(&entity.plural)));
    let schedule = if rng.percent(50) {
        fill(
            "Tick:
  Type: Schedule
  Properties:
    Schedule: \"@e@\"
    Description: Starts the @role@.
@dead@",
            &[("e", &expression), ("role", &role), ("dead", &rule_dead_letter(rng))],
        )
    } else {
        fill(
            "Tick:
  Type: ScheduleV2
  Properties:
    ScheduleExpression: \"@e@\"
    ScheduleExpressionTimezone: Europe/Berlin
@dead@",
            &[("e", &expression), ("dead", &rule_dead_letter(rng))],
        )
    };
    domain.functions[job].events.push(schedule);
    domain.functions[job].description = format!("The {} {role}, on `{expression}`.", entity.words());
    async_failure(plan, domain, rng, job);
    let typed = rng.percent(60);
    let event = new_event(plan, domain, rng, &entity, JOB_VERBS, typed);
    let worker_role = free_role(domain, rng, &entity, &["worker", "executor", "batch-runner"]);
    let worker = new_function(plan, domain, rng, &entity, &worker_role, Trigger::Queue);
    let base = domain.functions[worker].id.trim_end_matches("Function").to_owned();
    let visibility = domain.functions[worker].timeout * 6;
    let (queue, _) = add_queue(plan, domain, rng, &base, visibility);
    queue_trigger(plan, domain, rng, worker, &queue);
    domain.functions[worker].description =
        format!("The {} {worker_role}: does what the {role} asks for.", entity.words());
    let var = format!("{}_WORK_QUEUE_URL", upper(&entity.snake));
    domain.functions[job].add_env(&var, &format!("!Ref {queue}"));
    domain.functions[job].add_policy(sqs_policy(&queue));
    let by_env = rng.percent(60);
    produce(domain, job, event, &queue, &var, "queue", by_env);
    consume(domain, worker, &[event], &queue);
    domain.leaves.push(worker);
    2
}

/// The only function of a tiny domain: a job that records a tick in a table.
pub(super) fn lone_job(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng) -> usize {
    let entity = domain.next_entity(rng);
    let job = new_function(plan, domain, rng, &entity, "scheduler", Trigger::Schedule("rate(1 hour)".into()));
    domain.functions[job].events.push(fill(
        "Tick:\n  Type: Schedule\n  Properties:\n    Schedule: rate(1 hour)\n@dead@",
        &[("dead", &rule_dead_letter(rng))],
    ));
    domain.functions[job].description = format!("The {} scheduler.", entity.words());
    async_failure(plan, domain, rng, job);
    1
}

/// A function of `domain` that listens on the default bus for `event` of an earlier domain.
pub(super) fn listener(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng, event: usize) {
    let upstream = plan.events[event].domain;
    let upstream_name = plan.domains[upstream].name.clone();
    let event_name = plan.events[event].name.clone();
    let rust = plan.events[event].rust.clone().unwrap_or_else(|| pascal(&event_name));
    let entity = domain.next_entity(rng);
    let role = format!("{}-listener", kebab(&rust));
    let function = new_function(plan, domain, rng, &entity, &role, Trigger::Bus);
    let function_id = domain.functions[function].id.clone();
    domain.comment(format!("{event_name} from the {} domain", words(&upstream_name)));
    let from = if rng.percent(50) {
        // An explicit rule on the default bus, with a dead-letter queue and the permission to invoke.
        let rule = new_id(plan, &format!("{}{}Rule", domain.pascal, pascal(&rust)));
        let dead_letter = new_id(plan, &format!("{rule}DeadLetterQueue"));
        let permission = new_id(plan, &format!("{rule}Permission"));
        let retries = rng.range(2, 8).to_string();
        domain.resource(fill(
            "  @rule@:
    Type: AWS::Events::Rule
    Properties:
      Description: @event@ from the @upstream@ domain, to @function@.
      EventPattern:
        source:
          - @upstream@
        detail-type:
          - @event@
      State: ENABLED
      Targets:
        - Id: @function@
          Arn: !GetAtt @function@.Arn
          RetryPolicy:
            MaximumRetryAttempts: @retries@
            MaximumEventAgeInSeconds: 3600
          DeadLetterConfig:
            Arn: !GetAtt @dlq@.Arn
  @permission@:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !GetAtt @function@.Arn
      Principal: events.amazonaws.com
      SourceArn: !GetAtt @rule@.Arn
",
            &[
                ("rule", &rule),
                ("event", &event_name),
                ("upstream", &upstream_name),
                ("function", &function_id),
                ("retries", &retries),
                ("dlq", &dead_letter),
                ("permission", &permission),
            ],
        ));
        domain.resource(dead_letter_queue_yaml(&dead_letter));
        add_queue_policy(plan, domain, &dead_letter, "events.amazonaws.com", &format!("!GetAtt {rule}.Arn"));
        rule
    } else {
        let name = format!("From{}", pascal(&upstream_name));
        domain.functions[function].events.push(fill(
            "@name@:
  Type: EventBridgeRule
  Properties:
    Pattern:
      source:
        - @upstream@
      detail-type:
        - @event@
@dead@",
            &[
                ("name", &name),
                ("upstream", &upstream_name),
                ("event", &event_name),
                ("dead", &rule_dead_letter(rng)),
            ],
        ));
        format!("{function_id}{name}")
    };
    domain.functions[function].description = format!(
        "Takes {event_name} from the {} domain into the {} domain.",
        words(&upstream_name),
        words(&domain.name)
    );
    async_failure(plan, domain, rng, function);
    consume(domain, function, &[event], &from);
    domain.leaves.push(function);
}

/// Functions of `domain` that tell later domains about milestones, over the default bus.
pub(super) fn publish_integration(plan: &mut Plan, domain: &mut Domain, rng: &mut Rng) -> Vec<usize> {
    let mut candidates: Vec<usize> = (0..domain.functions.len())
        .filter(|&index| !matches!(domain.functions[index].trigger, Trigger::Api(_)))
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    rng.shuffle(&mut candidates);
    let publishers = rng.range(1, 2).min(candidates.len());
    let mut published = Vec::new();
    for (position, &function) in candidates.iter().take(publishers).enumerate() {
        let count = if publishers == 1 || position == 0 { rng.range(1, 2) } else { 1 };
        let entity = domain.functions[function].entity.clone();
        let var = "INTEGRATION_BUS_ARN";
        domain.functions[function].add_env(
            var,
            "!Sub \"arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default\"",
        );
        domain.functions[function].add_policy(bus_policy("default"));
        for _ in 0..count {
            let event = new_event(plan, domain, rng, &entity, MILESTONE_VERBS, true);
            produce(domain, function, event, "default", var, "default bus", true);
            published.push(event);
        }
    }
    published
}
