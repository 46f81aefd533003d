//! The runs the tests make: the pipeline deployed from the real template in a fresh emulator,
//! and the orders sent through it.

use std::collections::BTreeMap;

use crate::moto::Moto;
use aws_lambda_events::encodings::Body;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use fulfilment::{DynamoWarehouse, INVENTORY_KEY};
use serde_json::{Value, json};

use crate::deploy::Deployment;
use crate::template::Wiring;
use crate::{Environment, Pipeline};

/// The pipeline's template.
pub const TEMPLATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");

/// The products the warehouse has at the start of each run: ten blue mugs and no teapots.
pub const STOCK: [(&str, u32); 2] = [("MUG-BLUE", 10), ("TEAPOT", 0)];

/// The pipeline deployed from [`TEMPLATE`] in an emulator of its own (or the one
/// `AWS_ENDPOINT_URL` names), with what its parameters name provided first, as an operator
/// would: a verified SES identity to send from, and the warehouse's table stocked with
/// [`STOCK`].
pub async fn pipeline() -> Pipeline {
    let moto = Moto::start();
    let wiring = Wiring::load(TEMPLATE).unwrap_or_else(|error| panic!("{error}"));
    let stack = Deployment::new_stack_name();
    let config = moto.sdk_config();

    let sender = format!("orders@{stack}.example.com");
    aws_sdk_sesv2::Client::new(&config)
        .create_email_identity()
        .email_identity(&sender)
        .send()
        .await
        .expect("the sender's identity");
    let inventory = format!("{stack}-warehouse-stock");
    let dynamodb = aws_sdk_dynamodb::Client::new(&config);
    dynamodb
        .create_table()
        .table_name(&inventory)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(INVENTORY_KEY)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("name and type are set"),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(INVENTORY_KEY)
                .key_type(KeyType::Hash)
                .build()
                .expect("name and type are set"),
        )
        .send()
        .await
        .expect("the warehouse's table");
    let warehouse = DynamoWarehouse::new(dynamodb, &inventory);
    for (sku, count) in STOCK {
        warehouse.set_stock(sku, count).await.expect("stock the warehouse");
    }

    let parameters = BTreeMap::from([
        ("SenderEmailAddress".to_owned(), sender),
        ("InventoryTableName".to_owned(), inventory),
    ]);
    Pipeline::deploy(moto, wiring, Environment { parameters }, &stack).await
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
    let order_id = place(pipeline, "corr-lifecycle", new_order("MUG-BLUE", 2)).await;
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
    place(pipeline, "corr-poison", new_order("TEAPOT", 1)).await;
    pipeline.run_until_idle().await;
}

/// `POST /orders` with the body; the new order's id.
pub async fn place(pipeline: &mut Pipeline, correlation_id: &str, order: Value) -> String {
    let placed = pipeline.request("POST", "/orders", Some(correlation_id), Some(order)).await;
    assert_eq!(placed.status_code, 201, "{:?}", placed.body);
    let Some(Body::Text(order)) = placed.body else { panic!("POST /orders answers with the order") };
    let order: Value = serde_json::from_str(&order).expect("the order is JSON");
    order["order_id"].as_str().expect("the order has an id").to_owned()
}
