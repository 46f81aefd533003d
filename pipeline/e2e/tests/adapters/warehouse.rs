//! `DynamoWarehouse` against moto's DynamoDB, on an inventory table as the warehouse team keeps
//! it: the string partition key `pk`, nothing else declared.
//!
//! Each test checks that the adapter keeps the books as `InMemoryWarehouse` does (the unit tests'
//! double), the stock and shipments read back from the table after every step.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use fulfilment::{
    DynamoWarehouse, Fulfiller, FulfilmentError, INVENTORY_KEY, MAX_PRODUCTS_PER_ORDER, Shipment,
};
use order_events::sqs::raw_delivery;
use order_events::{OrderCancelled, OrderEvent, OrderLine, OrderPlaced};
use pipeline_e2e::moto::{Moto, unique_name};

/// A new inventory table with the key schema the template's `InventoryTableName` parameter
/// describes, its client and name.
async fn inventory_table(moto: &Moto) -> (Client, String) {
    let client = Client::new(&moto.sdk_config());
    let table_name = unique_name("Inventory");
    client
        .create_table()
        .table_name(&table_name)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(INVENTORY_KEY)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(INVENTORY_KEY)
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    (client, table_name)
}

/// A warehouse on a new inventory table, with these products in stock.
async fn warehouse(moto: &Moto, stock: &[(&str, u32)]) -> DynamoWarehouse {
    let (client, table_name) = inventory_table(moto).await;
    let warehouse = DynamoWarehouse::new(client, table_name);
    for &(sku, count) in stock {
        warehouse.set_stock(sku, count).await.unwrap();
    }
    warehouse
}

fn line(sku: &str, quantity: u32) -> OrderLine {
    OrderLine { sku: sku.to_owned(), quantity, unit_price_cents: 1250 }
}

fn placed(order_id: &str, lines: Vec<OrderLine>) -> OrderPlaced {
    OrderPlaced {
        correlation_id: format!("corr-{order_id}"),
        order_id: order_id.to_owned(),
        customer_id: "customer-1".to_owned(),
        customer_email: "ada@example.com".to_owned(),
        currency: "EUR".to_owned(),
        total_cents: lines.iter().map(|line| u64::from(line.quantity) * line.unit_price_cents).sum(),
        lines,
    }
}

fn cancelled(order_id: &str) -> OrderCancelled {
    OrderCancelled {
        correlation_id: format!("corr-{order_id}"),
        order_id: order_id.to_owned(),
        customer_email: "ada@example.com".to_owned(),
        currency: "EUR".to_owned(),
        total_cents: 2500,
    }
}

#[tokio::test]
async fn shipping_reserves_the_stock() {
    let moto = Moto::start();
    let warehouse = warehouse(&moto, &[("MUG-BLUE", 5), ("TEAPOT", 2)]).await;
    let order = placed("order-1", vec![line("MUG-BLUE", 2), line("TEAPOT", 1)]);

    warehouse.ship(&order).await.unwrap();

    assert_eq!(warehouse.in_stock("MUG-BLUE").await.unwrap(), 3);
    assert_eq!(warehouse.in_stock("TEAPOT").await.unwrap(), 1);
    assert_eq!(warehouse.shipment("order-1").await.unwrap(), Some(Shipment::Shipping(order.lines)));
}

#[tokio::test]
async fn an_order_beyond_the_stock_reports_it_and_changes_nothing() {
    let moto = Moto::start();
    let warehouse = warehouse(&moto, &[("MUG-BLUE", 5), ("TEAPOT", 1)]).await;
    let order = placed("order-1", vec![line("MUG-BLUE", 2), line("TEAPOT", 3)]);

    let error = warehouse.ship(&order).await.unwrap_err();

    assert_eq!(error, FulfilmentError::OutOfStock { sku: "TEAPOT".to_owned(), wanted: 3, in_stock: 1 });
    assert_eq!(warehouse.in_stock("MUG-BLUE").await.unwrap(), 5, "no line is reserved alone");
    assert_eq!(warehouse.in_stock("TEAPOT").await.unwrap(), 1);
    assert_eq!(warehouse.shipment("order-1").await.unwrap(), None, "the order can be retried");
}

#[tokio::test]
async fn a_repeated_order_is_shipped_once() {
    let moto = Moto::start();
    let warehouse = warehouse(&moto, &[("MUG-BLUE", 5)]).await;
    let order = placed("order-1", vec![line("MUG-BLUE", 2)]);

    warehouse.ship(&order).await.unwrap();
    warehouse.ship(&order).await.unwrap();

    assert_eq!(warehouse.in_stock("MUG-BLUE").await.unwrap(), 3);
    assert_eq!(warehouse.shipment("order-1").await.unwrap(), Some(Shipment::Shipping(order.lines)));
}

/// DynamoDB refuses two operations on one item in a transaction, and the stock must cover the
/// lines together: the adapter takes each product once, with the sum of its lines.
#[tokio::test]
async fn the_lines_of_one_product_are_reserved_together() {
    let moto = Moto::start();
    let warehouse = warehouse(&moto, &[("MUG-BLUE", 5)]).await;

    let too_many = placed("order-1", vec![line("MUG-BLUE", 3), line("MUG-BLUE", 3)]);
    let error = warehouse.ship(&too_many).await.unwrap_err();
    assert_eq!(error, FulfilmentError::OutOfStock { sku: "MUG-BLUE".to_owned(), wanted: 6, in_stock: 5 });
    assert_eq!(warehouse.in_stock("MUG-BLUE").await.unwrap(), 5);

    let order = placed("order-2", vec![line("MUG-BLUE", 3), line("MUG-BLUE", 2)]);
    warehouse.ship(&order).await.unwrap();
    assert_eq!(warehouse.in_stock("MUG-BLUE").await.unwrap(), 0);
    assert_eq!(warehouse.shipment("order-2").await.unwrap(), Some(Shipment::Shipping(order.lines)));
}

#[tokio::test]
async fn cancelling_gives_the_stock_back_once() {
    let moto = Moto::start();
    let warehouse = warehouse(&moto, &[("MUG-BLUE", 5), ("TEAPOT", 2)]).await;
    let order = placed("order-1", vec![line("MUG-BLUE", 2), line("TEAPOT", 1), line("MUG-BLUE", 1)]);
    warehouse.ship(&order).await.unwrap();
    assert_eq!(warehouse.in_stock("MUG-BLUE").await.unwrap(), 2);

    warehouse.cancel(&cancelled("order-1")).await.unwrap();
    warehouse.cancel(&cancelled("order-1")).await.unwrap();

    assert_eq!(warehouse.in_stock("MUG-BLUE").await.unwrap(), 5);
    assert_eq!(warehouse.in_stock("TEAPOT").await.unwrap(), 2);
    assert_eq!(warehouse.shipment("order-1").await.unwrap(), Some(Shipment::Cancelled));
}

#[tokio::test]
async fn a_cancellation_that_arrives_first_stops_the_late_order() {
    let moto = Moto::start();
    let warehouse = warehouse(&moto, &[("MUG-BLUE", 5)]).await;

    warehouse.cancel(&cancelled("order-1")).await.unwrap();
    assert_eq!(warehouse.shipment("order-1").await.unwrap(), Some(Shipment::Cancelled));
    warehouse.ship(&placed("order-1", vec![line("MUG-BLUE", 2)])).await.unwrap();

    assert_eq!(warehouse.in_stock("MUG-BLUE").await.unwrap(), 5);
    assert_eq!(warehouse.shipment("order-1").await.unwrap(), Some(Shipment::Cancelled));
}

/// A cancellation delivered twice: the stock comes back once, and the second finds the order
/// cancelled. (Delivered one after the other: moto rolls a failed transaction back by restoring
/// a copy of the whole table taken when it began, so two transactions sent at the same moment
/// can undo each other's writes there — a CI run saw two concurrent cancellations leave the
/// stock taken — and a test of the race against it would test moto's locking, not ours.)
#[tokio::test]
async fn a_cancellation_delivered_twice_gives_the_stock_back_once() {
    let moto = Moto::start();
    let warehouse = warehouse(&moto, &[("MUG-BLUE", 5)]).await;
    warehouse.ship(&placed("order-1", vec![line("MUG-BLUE", 2)])).await.unwrap();

    let order = cancelled("order-1");
    warehouse.cancel(&order).await.unwrap();
    warehouse.cancel(&order).await.unwrap();

    assert_eq!(warehouse.in_stock("MUG-BLUE").await.unwrap(), 5);
    assert_eq!(warehouse.shipment("order-1").await.unwrap(), Some(Shipment::Cancelled));
}

/// Before a cancellation's transaction leaves, runs another delivery of the same cancellation
/// to the end: the race the condition on the shipment's status is there to lose. The other
/// delivery runs on a thread and runtime of its own, so it is done before the transaction is
/// sent (moto never sees the two at once, see above).
#[derive(Debug)]
struct CancelledMeanwhile {
    sdk_config: aws_config::SdkConfig,
    table_name: String,
    order: OrderCancelled,
    done: std::sync::atomic::AtomicBool,
}

impl Intercept for CancelledMeanwhile {
    fn name(&self) -> &'static str {
        "CancelledMeanwhile"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let target = context.request().headers().get("x-amz-target").unwrap_or_default();
        if !target.ends_with(".TransactWriteItems")
            || self.done.swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return Ok(());
        }
        std::thread::scope(|scope| {
            scope
                .spawn(|| -> Result<(), BoxError> {
                    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                    runtime.block_on(async {
                        let other = DynamoWarehouse::new(Client::new(&self.sdk_config), &self.table_name);
                        other.cancel(&self.order).await
                    })?;
                    Ok(())
                })
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }
}

/// A cancellation that loses the race to another delivery of it, between reading the shipment
/// and writing: its transaction changes nothing (the stock comes back once, by the winner) and
/// it fails, to be tried again — when it finds the order cancelled.
#[tokio::test]
async fn a_cancellation_that_loses_the_race_changes_nothing_and_is_tried_again() {
    let moto = Moto::start();
    let (client, table_name) = inventory_table(&moto).await;
    let warehouse = DynamoWarehouse::new(client, &table_name);
    warehouse.set_stock("MUG-BLUE", 5).await.unwrap();
    warehouse.ship(&placed("order-1", vec![line("MUG-BLUE", 2)])).await.unwrap();

    let order = cancelled("order-1");
    let meanwhile = CancelledMeanwhile {
        sdk_config: moto.sdk_config(),
        table_name: table_name.clone(),
        order: order.clone(),
        done: std::sync::atomic::AtomicBool::new(false),
    };
    let config = aws_sdk_dynamodb::config::Builder::from(&moto.sdk_config()).interceptor(meanwhile).build();
    let loser = DynamoWarehouse::new(Client::from_conf(config), &table_name);
    match loser.cancel(&order).await {
        Err(FulfilmentError::Warehouse(message)) => {
            assert!(
                message.contains("order order-1's shipment changed while it was being cancelled"),
                "{message}"
            );
        }
        other => panic!("the cancellation that lost the race must fail, to be tried again: {other:?}"),
    }
    assert_eq!(warehouse.in_stock("MUG-BLUE").await.unwrap(), 5, "the stock came back once");
    assert_eq!(warehouse.shipment("order-1").await.unwrap(), Some(Shipment::Cancelled));

    // Tried again, it finds the order cancelled: nothing more to do.
    loser.cancel(&order).await.unwrap();
    assert_eq!(warehouse.in_stock("MUG-BLUE").await.unwrap(), 5);
}

/// An order delivered twice: the stock is taken once, and the second finds the shipment there,
/// a no-op. (One after the other, for the reason above.)
#[tokio::test]
async fn an_order_delivered_twice_reserves_the_stock_once() {
    let moto = Moto::start();
    let warehouse = warehouse(&moto, &[("MUG-BLUE", 5)]).await;

    let order = placed("order-1", vec![line("MUG-BLUE", 2)]);
    warehouse.ship(&order).await.unwrap();
    warehouse.ship(&order).await.unwrap();

    assert_eq!(warehouse.in_stock("MUG-BLUE").await.unwrap(), 3);
}

#[tokio::test]
async fn a_product_the_warehouse_does_not_know_is_out_of_stock() {
    let moto = Moto::start();
    let warehouse = warehouse(&moto, &[("MUG-BLUE", 5)]).await;

    let error = warehouse
        .ship(&placed("order-1", vec![line("MUG-BLUE", 1), line("NO-SUCH-SKU", 1)]))
        .await
        .unwrap_err();

    assert_eq!(error, FulfilmentError::OutOfStock { sku: "NO-SUCH-SKU".to_owned(), wanted: 1, in_stock: 0 });
    assert_eq!(warehouse.in_stock("NO-SUCH-SKU").await.unwrap(), 0);
    assert_eq!(warehouse.in_stock("MUG-BLUE").await.unwrap(), 5);
    assert_eq!(warehouse.shipment("order-1").await.unwrap(), None);
}

/// One transaction holds at most 100 operations: the shipment and 99 products. An order with
/// more is refused whole (unless it was cancelled first), and one with exactly 99 fits.
#[tokio::test]
async fn more_products_than_one_transaction_holds_reserve_nothing() {
    let moto = Moto::start();
    let skus: Vec<String> = (0..=MAX_PRODUCTS_PER_ORDER).map(|index| format!("SKU-{index:03}")).collect();
    let stock: Vec<(&str, u32)> = skus.iter().map(|sku| (sku.as_str(), 1)).collect();
    let warehouse = warehouse(&moto, &stock).await;
    let lines: Vec<OrderLine> = skus.iter().map(|sku| line(sku, 1)).collect();

    let error = warehouse.ship(&placed("order-1", lines.clone())).await.unwrap_err();
    assert_eq!(error, FulfilmentError::TooManyProducts { products: MAX_PRODUCTS_PER_ORDER + 1 });
    for sku in &skus {
        assert_eq!(warehouse.in_stock(sku).await.unwrap(), 1, "{sku}");
    }
    assert_eq!(warehouse.shipment("order-1").await.unwrap(), None);

    // Once cancelled, the order needs no reservation, as in InMemoryWarehouse.
    warehouse.cancel(&cancelled("order-1")).await.unwrap();
    warehouse.ship(&placed("order-1", lines.clone())).await.unwrap();
    assert_eq!(warehouse.in_stock(&skus[0]).await.unwrap(), 1);

    warehouse.ship(&placed("order-2", lines[..MAX_PRODUCTS_PER_ORDER].to_vec())).await.unwrap();
    assert_eq!(warehouse.in_stock(&skus[0]).await.unwrap(), 0);
    assert_eq!(warehouse.in_stock(&skus[MAX_PRODUCTS_PER_ORDER]).await.unwrap(), 1);
}

/// Regression guard for the item shapes the module documents: the warehouse team reads and
/// writes the same table.
#[tokio::test]
async fn the_items_have_the_documented_shapes() {
    let moto = Moto::start();
    let (client, table_name) = inventory_table(&moto).await;
    let warehouse = DynamoWarehouse::new(client.clone(), &table_name);
    warehouse.set_stock("MUG-BLUE", 5).await.unwrap();
    warehouse.ship(&placed("order-1", vec![line("MUG-BLUE", 2)])).await.unwrap();
    warehouse.cancel(&cancelled("order-2")).await.unwrap();

    let item = |key: &str| {
        let request =
            client.get_item().table_name(&table_name).key(INVENTORY_KEY, AttributeValue::S(key.to_owned()));
        async move { request.send().await.unwrap().item.unwrap() }
    };
    let stock = item("stock#MUG-BLUE").await;
    assert_eq!(stock["sku"], AttributeValue::S("MUG-BLUE".to_owned()));
    assert_eq!(stock["in_stock"], AttributeValue::N("3".to_owned()));

    let shipping = item("shipment#order-1").await;
    assert_eq!(shipping["order_id"], AttributeValue::S("order-1".to_owned()));
    assert_eq!(shipping["status"], AttributeValue::S("shipping".to_owned()));
    let lines = shipping["lines"].as_l().unwrap();
    assert_eq!(lines.len(), 1);
    let first = lines[0].as_m().unwrap();
    assert_eq!(first["sku"], AttributeValue::S("MUG-BLUE".to_owned()));
    assert_eq!(first["quantity"], AttributeValue::N("2".to_owned()));
    assert_eq!(first["unit_price_cents"], AttributeValue::N("1250".to_owned()));

    let early = item("shipment#order-2").await;
    assert_eq!(early["status"], AttributeValue::S("cancelled".to_owned()));
    assert!(!early.contains_key("lines"));
}

#[tokio::test]
async fn a_batch_reports_the_orders_the_warehouse_could_not_fulfil() {
    let moto = Moto::start();
    let warehouse = warehouse(&moto, &[("MUG-BLUE", 5)]).await;
    let events = [
        OrderEvent::Placed(placed("order-1", vec![line("MUG-BLUE", 1)])),
        OrderEvent::Placed(placed("order-2", vec![line("TEAPOT", 1)])),
        OrderEvent::Cancelled(cancelled("order-1")),
    ];
    let mut batch = aws_lambda_events::sqs::SqsEvent::default();
    batch.records = events
        .iter()
        .enumerate()
        .map(|(index, event)| raw_delivery(&event.to_message(), &format!("m-{index}")))
        .collect();

    let response = fulfilment::handle_batch(&warehouse, batch).await;

    let failed: Vec<_> =
        response.batch_item_failures.iter().map(|failure| failure.item_identifier.as_str()).collect();
    assert_eq!(failed, ["m-1"]);
    assert_eq!(warehouse.shipment("order-1").await.unwrap(), Some(Shipment::Cancelled));
    assert_eq!(warehouse.in_stock("MUG-BLUE").await.unwrap(), 5);
}

#[tokio::test]
async fn a_table_that_does_not_exist_is_a_warehouse_error() {
    let moto = Moto::start();
    let warehouse = DynamoWarehouse::new(Client::new(&moto.sdk_config()), unique_name("NoSuchTable"));

    let error = warehouse.ship(&placed("order-1", vec![line("MUG-BLUE", 1)])).await.unwrap_err();

    assert!(matches!(error, FulfilmentError::Warehouse(_)), "{error:?}");
    assert!(error.to_string().contains("ResourceNotFoundException"), "{error}");
}
