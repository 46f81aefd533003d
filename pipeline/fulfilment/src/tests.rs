//! The warehouse's bookkeeping, and what a batch reports when an order cannot be fulfilled.

use order_events::sqs::raw_delivery;

use super::*;

fn placed(order_id: &str, sku: &str, quantity: u32) -> OrderPlaced {
    OrderPlaced {
        correlation_id: format!("corr-{order_id}"),
        order_id: order_id.to_owned(),
        customer_id: "customer-1".into(),
        customer_email: "ada@example.com".into(),
        currency: "EUR".into(),
        lines: vec![OrderLine { sku: sku.to_owned(), quantity, unit_price_cents: 1250 }],
        total_cents: u64::from(quantity) * 1250,
    }
}

fn cancelled(order_id: &str) -> OrderCancelled {
    OrderCancelled {
        correlation_id: format!("corr-{order_id}"),
        order_id: order_id.to_owned(),
        customer_email: "ada@example.com".into(),
        currency: "EUR".into(),
        total_cents: 1250,
    }
}

fn warehouse() -> InMemoryWarehouse {
    InMemoryWarehouse::with_stock([("MUG-BLUE", 5)])
}

#[tokio::test]
async fn shipping_reserves_the_stock_once() {
    let warehouse = warehouse();
    let order = placed("order-1", "MUG-BLUE", 2);
    warehouse.ship(&order).await.unwrap();
    warehouse.ship(&order).await.unwrap();
    assert_eq!(warehouse.in_stock("MUG-BLUE"), 3);
    assert_eq!(warehouse.shipment("order-1"), Some(Shipment::Shipping(order.lines)));
}

#[tokio::test]
async fn an_order_beyond_the_stock_fails_and_reserves_nothing() {
    let warehouse = warehouse();
    let mut order = placed("order-1", "MUG-BLUE", 2);
    order.lines.push(OrderLine { sku: "TEAPOT".into(), quantity: 1, unit_price_cents: 4500 });
    let error = warehouse.ship(&order).await.unwrap_err();
    assert_eq!(error.to_string(), "TEAPOT is out of stock: the order needs 1, there are 0");
    assert_eq!(warehouse.in_stock("MUG-BLUE"), 5);
    assert_eq!(warehouse.shipment("order-1"), None);
}

#[tokio::test]
async fn cancelling_puts_the_stock_back() {
    let warehouse = warehouse();
    warehouse.ship(&placed("order-1", "MUG-BLUE", 2)).await.unwrap();
    warehouse.cancel(&cancelled("order-1")).await.unwrap();
    assert_eq!(warehouse.in_stock("MUG-BLUE"), 5);
    assert_eq!(warehouse.shipment("order-1"), Some(Shipment::Cancelled));
}

#[tokio::test]
async fn a_cancellation_that_arrives_first_stops_the_late_order() {
    let warehouse = warehouse();
    warehouse.cancel(&cancelled("order-1")).await.unwrap();
    warehouse.ship(&placed("order-1", "MUG-BLUE", 2)).await.unwrap();
    assert_eq!(warehouse.in_stock("MUG-BLUE"), 5);
    assert_eq!(warehouse.shipment("order-1"), Some(Shipment::Cancelled));
}

#[tokio::test]
async fn a_batch_reports_the_orders_that_could_not_be_fulfilled() {
    let warehouse = warehouse();
    let events = [
        OrderEvent::Placed(placed("order-1", "MUG-BLUE", 1)),
        OrderEvent::Placed(placed("order-2", "TEAPOT", 1)),
        OrderEvent::Cancelled(cancelled("order-1")),
    ];
    let mut batch = SqsEvent::default();
    batch.records = events
        .iter()
        .enumerate()
        .map(|(index, event)| raw_delivery(&event.to_message(), &format!("m-{index}")))
        .collect();
    let response = handle_batch(&warehouse, batch).await;
    let failed: Vec<_> =
        response.batch_item_failures.iter().map(|failure| failure.item_identifier.as_str()).collect();
    assert_eq!(failed, ["m-1"]);
    assert_eq!(warehouse.shipment("order-1"), Some(Shipment::Cancelled));
}
