//! The runs the tests make: a pipeline wired by the real template, and the orders sent through it.

use aws_lambda_events::encodings::Body;
use fulfilment::InMemoryWarehouse;
use serde_json::{Value, json};

use crate::Pipeline;
use crate::template::Wiring;

/// The pipeline's template.
pub const TEMPLATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");

/// A pipeline wired by [`TEMPLATE`], whose warehouse has ten blue mugs and no teapots.
pub fn pipeline() -> Pipeline {
    let wiring = Wiring::load(TEMPLATE).unwrap_or_else(|error| panic!("{error}"));
    Pipeline::new(wiring, InMemoryWarehouse::with_stock([("MUG-BLUE", 10), ("TEAPOT", 0)]))
}

/// The body of `POST /orders` for `quantity` items of `sku` at 12.50 EUR each.
pub fn new_order(sku: &str, quantity: u32) -> Value {
    json!({
        "customer_id": "customer-1",
        "customer_email": "ada@example.com",
        "currency": "EUR",
        "lines": [{ "sku": sku, "quantity": quantity, "unit_price_cents": 1250 }],
    })
}

/// Places an order of two blue mugs as `corr-lifecycle`, changes it to three and cancels it,
/// letting the pipeline settle after each request. The change requests carry correlation ids of
/// their own, `corr-put-request` and `corr-delete-request`, which the order's events must not
/// pick up. Returns the order's id.
pub async fn lifecycle(pipeline: &mut Pipeline) -> String {
    let placed =
        pipeline.request("POST", "/orders", Some("corr-lifecycle"), Some(new_order("MUG-BLUE", 2))).await;
    assert_eq!(placed.status_code, 201, "{:?}", placed.body);
    let Some(Body::Text(order)) = placed.body else { panic!("POST /orders answers with the order") };
    let order: Value = serde_json::from_str(&order).expect("the order is JSON");
    let order_id = order["order_id"].as_str().expect("the order has an id").to_owned();
    pipeline.run_until_idle().await;

    let path = format!("/orders/{order_id}");
    let change = json!({ "lines": [{ "sku": "MUG-BLUE", "quantity": 3, "unit_price_cents": 1250 }] });
    let updated = pipeline.request("PUT", &path, Some("corr-put-request"), Some(change)).await;
    assert_eq!(updated.status_code, 200, "{:?}", updated.body);
    pipeline.run_until_idle().await;

    let cancelled = pipeline.request("DELETE", &path, Some("corr-delete-request"), None).await;
    assert_eq!(cancelled.status_code, 204, "{:?}", cancelled.body);
    pipeline.run_until_idle().await;
    order_id
}

/// Places an order of a teapot, which is out of stock, as `corr-poison`, and lets the pipeline
/// settle.
pub async fn out_of_stock_order(pipeline: &mut Pipeline) {
    let placed = pipeline.request("POST", "/orders", Some("corr-poison"), Some(new_order("TEAPOT", 1))).await;
    assert_eq!(placed.status_code, 201, "{:?}", placed.body);
    pipeline.run_until_idle().await;
}
