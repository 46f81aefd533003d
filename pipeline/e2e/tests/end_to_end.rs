//! Orders through the whole pipeline, deployed from `pipeline/template.yaml` in moto's server
//! mode, with the harness playing API Gateway and Lambda's event source mappings.

use std::collections::BTreeSet;

use aws_sdk_sqs::types::QueueAttributeName;
use fulfilment::Shipment;
use pipeline_e2e::scenarios::{STOCK, lifecycle, new_order, out_of_stock_order, pipeline, place};
use pipeline_e2e::{Hop, Pipeline};
use serde_json::Value;

fn hop(from: &str, to: &str, event: &str) -> Hop {
    Hop::new(from, to, event)
}

/// The messages a queue holds, visible or not.
async fn messages_in(pipeline: &Pipeline, queue: &str) -> usize {
    let attributes = pipeline
        .sqs()
        .get_queue_attributes()
        .queue_url(&pipeline.deployment().queue(queue).url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap_or_default();
    [
        QueueAttributeName::ApproximateNumberOfMessages,
        QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
    ]
    .iter()
    .map(|name| attributes.get(name).map_or(0, |count| count.parse::<usize>().unwrap()))
    .sum()
}

#[tokio::test]
async fn an_order_flows_from_the_api_to_every_consumer_with_its_correlation_id() {
    let mut pipeline = pipeline().await;

    let order_id = lifecycle(&mut pipeline).await;

    // Every hop, in the order it happened.
    let placed = [
        Hop::request("ServerlessRestApi", "OrderApiFunction"),
        hop("OrderApiFunction", "OrdersTable", "OrderPlaced"),
        hop("OrdersTable", "StreamPublisherFunction", "OrderPlaced"),
        hop("StreamPublisherFunction", "OrderEventsTopic", "OrderPlaced"),
        hop("OrderEventsTopic", "FulfilmentQueue", "OrderPlaced"),
        hop("FulfilmentQueue", "FulfilmentFunction", "OrderPlaced"),
        hop("OrderEventsTopic", "NotificationsQueue", "OrderPlaced"),
        hop("NotificationsQueue", "NotificationsFunction", "OrderPlaced"),
    ];
    let updated = [
        Hop::request("ServerlessRestApi", "OrderApiFunction"),
        hop("OrderApiFunction", "OrdersTable", "OrderUpdated"),
        hop("OrdersTable", "StreamPublisherFunction", "OrderUpdated"),
        hop("StreamPublisherFunction", "OrderEventsTopic", "OrderUpdated"),
        // The fulfilment subscription's filter policy keeps OrderUpdated out of its queue.
        hop("OrderEventsTopic", "NotificationsQueue", "OrderUpdated"),
        hop("NotificationsQueue", "NotificationsFunction", "OrderUpdated"),
    ];
    let cancelled = [
        Hop::request("ServerlessRestApi", "OrderApiFunction"),
        hop("OrderApiFunction", "OrdersTable", "OrderCancelled"),
        hop("OrdersTable", "StreamPublisherFunction", "OrderCancelled"),
        hop("StreamPublisherFunction", "OrderEventsTopic", "OrderCancelled"),
        hop("OrderEventsTopic", "FulfilmentQueue", "OrderCancelled"),
        hop("FulfilmentQueue", "FulfilmentFunction", "OrderCancelled"),
        hop("OrderEventsTopic", "NotificationsQueue", "OrderCancelled"),
        hop("NotificationsQueue", "NotificationsFunction", "OrderCancelled"),
    ];
    let observed: Vec<_> =
        pipeline.observations().iter().map(|observation| observation.hop.clone()).collect();
    assert_eq!(observed, [&placed[..], &updated[..], &cancelled[..]].concat());

    // The correlation id of the request that placed the order, intact at every hop; each request
    // carries its own header.
    let requests: Vec<_> = pipeline
        .observations()
        .iter()
        .filter(|observation| observation.hop.event.is_none())
        .map(|observation| observation.correlation_ids.clone())
        .collect();
    let one = |id: &str| BTreeSet::from([id.to_owned()]);
    assert_eq!(requests, [one("corr-lifecycle"), one("corr-put-request"), one("corr-delete-request")]);
    for observation in pipeline.observations().iter().filter(|observation| observation.hop.event.is_some()) {
        assert_eq!(observation.correlation_ids, one("corr-lifecycle"), "at {:?}", observation.hop);
    }

    // What the consumers did, as the warehouse's table and the mail service have it.
    let warehouse = pipeline.warehouse();
    assert_eq!(warehouse.shipment(&order_id).await.unwrap(), Some(Shipment::Cancelled));
    assert_eq!(warehouse.in_stock("MUG-BLUE").await.unwrap(), STOCK[0].1);
    let mail: Vec<(String, String)> =
        pipeline.sent_mail().into_iter().map(|mail| (mail.to, mail.subject)).collect();
    let to = |subject: String| ("ada@example.com".to_owned(), subject);
    assert_eq!(
        mail,
        [
            to(format!("Your order {order_id} is confirmed")),
            to(format!("Your order {order_id} was changed")),
            to(format!("Your order {order_id} is cancelled")),
        ]
    );

    // Nothing left behind: the order is gone from its table, every queue is empty.
    let table = &pipeline.deployment().table("OrdersTable").name;
    let item = aws_sdk_dynamodb::Client::new(&pipeline.sdk_config())
        .get_item()
        .table_name(table)
        .key("order_id", aws_sdk_dynamodb::types::AttributeValue::S(order_id.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(item.item, None);
    for queue in pipeline.wiring().queues.keys() {
        assert_eq!(messages_in(&pipeline, queue).await, 0, "{queue} is not empty");
    }
}

#[tokio::test]
async fn a_message_fulfilment_keeps_failing_moves_to_its_dead_letter_queue_after_max_receive_count() {
    let mut pipeline = pipeline().await;
    let redrive = pipeline
        .wiring()
        .queue("FulfilmentQueue")
        .redrive
        .clone()
        .expect("FulfilmentQueue has a redrive policy");
    assert_eq!(redrive.dead_letter_queue, "FulfilmentDeadLetterQueue");

    out_of_stock_order(&mut pipeline).await;

    let receives = pipeline
        .observations()
        .iter()
        .filter(|observation| observation.hop == hop("FulfilmentQueue", "FulfilmentFunction", "OrderPlaced"))
        .count();
    assert_eq!(receives, usize::try_from(redrive.max_receive_count).unwrap());
    let dead_letters = pipeline.dead_letters("FulfilmentDeadLetterQueue");
    assert_eq!(dead_letters.len(), 1);
    assert_eq!(dead_letters[0].source, "FulfilmentQueue");
    assert_eq!(dead_letters[0].receive_count, redrive.max_receive_count);
    assert_eq!(dead_letters[0].attributes["event_type"], "OrderPlaced");
    assert_eq!(dead_letters[0].attributes["correlation_id"], "corr-poison");
    assert_eq!(messages_in(&pipeline, "FulfilmentQueue").await, 0);
    assert_eq!(messages_in(&pipeline, "FulfilmentDeadLetterQueue").await, 1);
    let last = pipeline.observations().last().expect("the run saw hops");
    assert_eq!(last.hop, hop("FulfilmentQueue", "FulfilmentDeadLetterQueue", "OrderPlaced"));
    assert_eq!(last.correlation_ids, BTreeSet::from(["corr-poison".to_owned()]));
    // The stock is as it was: nothing was reserved.
    assert_eq!(pipeline.warehouse().in_stock("TEAPOT").await.unwrap(), 0);

    // The other consumer is not held up by fulfilment's failure.
    assert_eq!(pipeline.sent_mail().len(), 1);
    assert!(pipeline.dead_letters("NotificationsDeadLetterQueue").is_empty());
    assert_eq!(messages_in(&pipeline, "NotificationsDeadLetterQueue").await, 0);
}

#[tokio::test]
async fn a_stream_batch_that_keeps_failing_goes_to_the_on_failure_destination_after_its_retries() {
    let mut pipeline = pipeline().await;
    let trigger = pipeline.wiring().stream.clone();
    let destination = trigger.on_failure.clone().expect("the stream trigger has an on-failure destination");
    let retries = trigger.maximum_retry_attempts.expect("the stream trigger limits its retries");
    // Every publish fails: the topic is gone.
    let topic = pipeline.deployment().topic_arn("OrderEventsTopic").to_owned();
    aws_sdk_sns::Client::new(&pipeline.sdk_config()).delete_topic().topic_arn(topic).send().await.unwrap();

    place(&mut pipeline, "corr-lost", new_order("MUG-BLUE", 1)).await;
    pipeline.run_until_idle().await;

    let deliveries = pipeline
        .observations()
        .iter()
        .filter(|observation| observation.hop == hop("OrdersTable", "StreamPublisherFunction", "OrderPlaced"))
        .count();
    assert_eq!(deliveries, usize::try_from(retries).unwrap() + 1);
    let last = pipeline.observations().last().expect("the run saw hops");
    assert_eq!(last.hop, hop("OrdersTable", &destination, "OrderPlaced"));
    assert_eq!(last.correlation_ids, BTreeSet::from(["corr-lost".to_owned()]));

    // The destination holds where the record is, which is still in the stream.
    let received = pipeline
        .sqs()
        .receive_message()
        .queue_url(&pipeline.deployment().queue(&destination).url)
        .send()
        .await
        .unwrap()
        .messages
        .unwrap_or_default();
    assert_eq!(received.len(), 1);
    let failure: Value = serde_json::from_str(received[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(failure["requestContext"]["condition"], "RetryAttemptsExhausted");
    assert_eq!(failure["requestContext"]["approximateInvokeCount"], retries + 1);
    let batch = &failure["DDBStreamBatchInfo"];
    assert_eq!(batch["batchSize"], 1);
    assert_eq!(batch["startSequenceNumber"], batch["endSequenceNumber"]);
    let stream_arn = pipeline.deployment().table("OrdersTable").stream_arn.clone().unwrap();
    assert_eq!(batch["streamArn"], stream_arn.as_str());
    let mut reader = pipeline_e2e::streams::StreamReader::new(
        aws_sdk_dynamodbstreams::Client::new(&pipeline.sdk_config()),
        &stream_arn,
        "TRIM_HORIZON",
    );
    let records = reader.read_new().await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(batch["shardId"], records[0].0.as_str());
    assert_eq!(batch["startSequenceNumber"], pipeline_e2e::payloads::sequence_number(&records[0].1));
    // Nobody heard of the order.
    assert!(pipeline.sent_mail().is_empty());
}

/// The docs must not lie: every hop the runs observe is an edge of flowdoc's graph of the
/// pipeline carrying that event, and every edge of the graph but the failure paths was observed.
#[tokio::test]
async fn the_hops_observed_are_the_edges_of_flowdocs_graph() {
    let mut observed = BTreeSet::new();
    let mut pipeline = pipeline().await;
    lifecycle(&mut pipeline).await;
    out_of_stock_order(&mut pipeline).await;
    observed.extend(pipeline.hops());

    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let files = flowdoc::files::DiskFiles::new(root);
    let analysis =
        flowdoc::analyse(&flowdoc::Project::new(&files)).unwrap_or_else(|failure| panic!("{failure}"));
    let flow = &analysis.flow;
    let mut edges = BTreeSet::new();
    let mut failure_paths = BTreeSet::new();
    for (from, to, edge) in flow.edges() {
        let hops: Vec<Hop> = if edge.events.is_empty() {
            vec![Hop::request(&from.id, &to.id)]
        } else {
            edge.events.iter().map(|event| hop(&from.id, &to.id, event)).collect()
        };
        if edge.kind == flowdoc::model::EdgeKind::Failure {
            failure_paths.extend(hops);
        } else {
            edges.extend(hops);
        }
    }
    let describe = |hops: Vec<&Hop>| -> String {
        hops.iter()
            .map(|hop| {
                format!("\n    {} -> {} ({})", hop.from, hop.to, hop.event.as_deref().unwrap_or("request"))
            })
            .collect()
    };
    let not_in_graph: Vec<&Hop> =
        observed.iter().filter(|hop| !edges.contains(*hop) && !failure_paths.contains(*hop)).collect();
    assert!(
        not_in_graph.is_empty(),
        "the runs saw hops flowdoc's graph does not have:{}",
        describe(not_in_graph)
    );
    let never_seen: Vec<&Hop> = edges.difference(&observed).collect();
    assert!(never_seen.is_empty(), "flowdoc's graph has edges the runs never saw:{}", describe(never_seen));
}
