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
async fn the_stock_must_cover_every_line_of_a_product_together() {
    let warehouse = warehouse();
    let mut order = placed("order-1", "MUG-BLUE", 3);
    order.lines.push(order.lines[0].clone());
    let error = warehouse.ship(&order).await.unwrap_err();
    assert_eq!(error, FulfilmentError::OutOfStock { sku: "MUG-BLUE".into(), wanted: 6, in_stock: 5 });
    assert_eq!(warehouse.in_stock("MUG-BLUE"), 5);

    order.lines[1].quantity = 2;
    warehouse.ship(&order).await.unwrap();
    assert_eq!(warehouse.in_stock("MUG-BLUE"), 0);
}

#[tokio::test]
async fn an_order_with_more_products_than_one_reservation_holds_fails_whole() {
    let skus: Vec<String> = (0..=MAX_PRODUCTS_PER_ORDER).map(|index| format!("SKU-{index}")).collect();
    let warehouse = InMemoryWarehouse::with_stock(skus.iter().map(|sku| (sku.as_str(), 1)));
    let mut order = placed("order-1", "SKU-0", 1);
    order.lines =
        skus.iter().map(|sku| OrderLine { sku: sku.clone(), quantity: 1, unit_price_cents: 100 }).collect();
    let error = warehouse.ship(&order).await.unwrap_err();
    assert_eq!(error, FulfilmentError::TooManyProducts { products: MAX_PRODUCTS_PER_ORDER + 1 });
    assert!(skus.iter().all(|sku| warehouse.in_stock(sku) == 1));
    assert_eq!(warehouse.shipment("order-1"), None);

    order.lines.pop();
    warehouse.ship(&order).await.unwrap();
    assert_eq!(warehouse.in_stock("SKU-0"), 0);
    assert_eq!(warehouse.in_stock(&format!("SKU-{MAX_PRODUCTS_PER_ORDER}")), 1);
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
