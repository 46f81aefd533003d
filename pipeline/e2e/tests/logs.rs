//! The functions' logs, in a test binary of its own: tracing caches per call site whether anyone
//! listens, so a subscriber set for one test thread misses lines while other tests run.

use std::collections::BTreeSet;

use pipeline_e2e::LogCapture;
use pipeline_e2e::scenarios::{lifecycle, pipeline};

#[tokio::test]
async fn every_log_line_of_an_order_carries_its_correlation_id() {
    let logs = LogCapture::default();
    let writer = logs.clone();
    let _logging =
        tracing::subscriber::set_default(order_events::logging::subscriber(move || writer.clone(), "info"));
    let mut pipeline = pipeline().await;

    lifecycle(&mut pipeline).await;

    let lines = logs.lines();
    let messages: Vec<_> = lines.iter().map(|line| line["message"].as_str().unwrap_or_default()).collect();
    assert_eq!(
        messages,
        [
            "order placed",
            "event published",
            "shipment started",
            "message handled",
            "SES accepted the notification",
            "customer notified",
            "message handled",
            "order updated",
            "event published",
            "SES accepted the notification",
            "customer notified",
            "message handled",
            "order cancelled",
            "event published",
            "shipment stopped",
            "message handled",
            "SES accepted the notification",
            "customer notified",
            "message handled",
        ]
    );
    for line in &lines {
        assert_eq!(line["span"]["correlation_id"], "corr-lifecycle", "{line}");
    }
    // The change requests' own correlation ids are logged as their request ids.
    let request_ids: BTreeSet<_> =
        lines.iter().filter_map(|line| line["span"]["request_id"].as_str()).collect();
    assert_eq!(request_ids, BTreeSet::from(["corr-lifecycle", "corr-put-request", "corr-delete-request"]));
}
