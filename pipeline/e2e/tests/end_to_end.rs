//! Orders through the whole pipeline, in process, wired by `pipeline/template.yaml`.

use std::collections::BTreeSet;

use fulfilment::Shipment;
use pipeline_e2e::Hop;
use pipeline_e2e::scenarios::{lifecycle, out_of_stock_order, pipeline};

/// The hops the runs below see, sorted; flowdoc's static graph must have an edge for each.
const RECORDED_HOPS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/observed-hops.json");

fn hop(from: &str, to: &str, event: &str) -> Hop {
    Hop::new(from, to, event)
}

#[tokio::test]
async fn an_order_flows_from_the_api_to_every_consumer_with_its_correlation_id() {
    let mut pipeline = pipeline();

    let order_id = lifecycle(&mut pipeline).await;

    // Every hop, in the order it happened.
    let placed = [
        hop("OrderApiFunction", "OrdersTable", "OrderPlaced"),
        hop("OrdersTable", "StreamPublisherFunction", "OrderPlaced"),
        hop("StreamPublisherFunction", "OrderEventsTopic", "OrderPlaced"),
        hop("OrderEventsTopic", "FulfilmentQueue", "OrderPlaced"),
        hop("OrderEventsTopic", "NotificationsQueue", "OrderPlaced"),
        hop("FulfilmentQueue", "FulfilmentFunction", "OrderPlaced"),
        hop("NotificationsQueue", "NotificationsFunction", "OrderPlaced"),
    ];
    let updated = [
        hop("OrderApiFunction", "OrdersTable", "OrderUpdated"),
        hop("OrdersTable", "StreamPublisherFunction", "OrderUpdated"),
        hop("StreamPublisherFunction", "OrderEventsTopic", "OrderUpdated"),
        // The fulfilment subscription's filter policy keeps OrderUpdated out of its queue.
        hop("OrderEventsTopic", "NotificationsQueue", "OrderUpdated"),
        hop("NotificationsQueue", "NotificationsFunction", "OrderUpdated"),
    ];
    let cancelled = [
        hop("OrderApiFunction", "OrdersTable", "OrderCancelled"),
        hop("OrdersTable", "StreamPublisherFunction", "OrderCancelled"),
        hop("StreamPublisherFunction", "OrderEventsTopic", "OrderCancelled"),
        hop("OrderEventsTopic", "FulfilmentQueue", "OrderCancelled"),
        hop("OrderEventsTopic", "NotificationsQueue", "OrderCancelled"),
        hop("FulfilmentQueue", "FulfilmentFunction", "OrderCancelled"),
        hop("NotificationsQueue", "NotificationsFunction", "OrderCancelled"),
    ];
    let observed: Vec<_> =
        pipeline.observations().iter().map(|observation| observation.hop.clone()).collect();
    assert_eq!(observed, [&placed[..], &updated[..], &cancelled[..]].concat());

    // The correlation id of the request that placed the order, intact at every hop.
    for observation in pipeline.observations() {
        let expected = BTreeSet::from(["corr-lifecycle".to_owned()]);
        assert_eq!(observation.correlation_ids, expected, "at {:?}", observation.hop);
    }

    // What the consumers did.
    assert_eq!(pipeline.warehouse().shipment(&order_id), Some(Shipment::Cancelled));
    assert_eq!(pipeline.warehouse().in_stock("MUG-BLUE"), 10);
    let subjects: Vec<_> =
        pipeline.outbox().sent().into_iter().map(|notification| notification.subject).collect();
    assert_eq!(
        subjects,
        [
            format!("Your order {order_id} is confirmed"),
            format!("Your order {order_id} was changed"),
            format!("Your order {order_id} is cancelled"),
        ]
    );
    assert_eq!(pipeline.table().item(&order_id), None);
    for queue in
        ["FulfilmentQueue", "NotificationsQueue", "FulfilmentDeadLetterQueue", "NotificationsDeadLetterQueue"]
    {
        assert!(pipeline.queue(queue).messages().is_empty(), "{queue} is not empty");
    }
}

#[tokio::test]
async fn a_message_fulfilment_keeps_failing_moves_to_its_dead_letter_queue_after_max_receive_count() {
    let mut pipeline = pipeline();
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
    let dead_letters = pipeline.queue("FulfilmentDeadLetterQueue").messages();
    assert_eq!(dead_letters.len(), 1);
    assert_eq!(dead_letters[0].receive_count, redrive.max_receive_count);
    assert_eq!(dead_letters[0].message.attribute("event_type"), Some("OrderPlaced"));
    assert_eq!(dead_letters[0].message.attribute("correlation_id"), Some("corr-poison"));
    assert!(pipeline.queue("FulfilmentQueue").messages().is_empty());
    let last = pipeline.observations().last().expect("the run saw hops");
    assert_eq!(last.hop, hop("FulfilmentQueue", "FulfilmentDeadLetterQueue", "OrderPlaced"));
    assert_eq!(last.correlation_ids, BTreeSet::from(["corr-poison".to_owned()]));

    // The other consumer is not held up by fulfilment's failure.
    assert_eq!(pipeline.outbox().sent().len(), 1);
    assert!(pipeline.queue("NotificationsDeadLetterQueue").messages().is_empty());
}

#[tokio::test]
async fn the_hops_observed_are_the_recorded_ones() {
    let mut pipeline = pipeline();
    lifecycle(&mut pipeline).await;
    out_of_stock_order(&mut pipeline).await;
    let observed: Vec<Hop> = pipeline.hops().into_iter().collect();
    let json = serde_json::to_string_pretty(&observed).expect("hops serialize") + "\n";

    if std::env::var_os("UPDATE_HOPS").is_some() {
        std::fs::write(RECORDED_HOPS, json).expect("observed-hops.json is writable");
        return;
    }
    let recorded = std::fs::read_to_string(RECORDED_HOPS).unwrap_or_default();
    let recorded: BTreeSet<Hop> = serde_json::from_str(&recorded).unwrap_or_default();
    let observed: BTreeSet<Hop> = observed.into_iter().collect();
    let describe = |hops: BTreeSet<&Hop>| -> String {
        hops.iter().map(|hop| format!("\n    {} -> {} ({})", hop.from, hop.to, hop.event)).collect()
    };
    assert!(
        observed == recorded,
        "the hops differ from {RECORDED_HOPS}\n  observed, not recorded:{}\n  recorded, not observed:{}\n\
         If the change is intended, re-record with UPDATE_HOPS=1 cargo test -p pipeline-e2e and review the diff.",
        describe(observed.difference(&recorded).collect()),
        describe(recorded.difference(&observed).collect()),
    );
    assert_eq!(
        std::fs::read_to_string(RECORDED_HOPS).unwrap(),
        json,
        "observed-hops.json is not formatted as written"
    );
}
