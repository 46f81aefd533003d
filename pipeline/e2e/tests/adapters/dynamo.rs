//! `DynamoOrderStore` against moto's DynamoDB, on a table with the template's key schema and
//! stream.

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    StreamSpecification, StreamViewType,
};
use order_api::{DynamoOrderStore, OrderStore};
use order_events::{Message, Order, OrderLine};
use pipeline_e2e::moto::{Moto, unique_name};
use stream_publisher::{EventPublisher, PublishError};

/// The `OrdersTable` as `pipeline/template.yaml` declares it: `order_id` the string partition
/// key, a `NEW_AND_OLD_IMAGES` stream.
async fn orders_table(moto: &Moto) -> (Client, String) {
    let table = unique_name("OrdersTable");
    let client = Client::new(&moto.sdk_config());
    client
        .create_table()
        .table_name(&table)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("order_id")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder().attribute_name("order_id").key_type(KeyType::Hash).build().unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    (client, table)
}

fn order(order_id: &str, quantity: u32) -> Order {
    Order {
        order_id: order_id.to_owned(),
        correlation_id: format!("corr-{order_id}"),
        customer_id: "customer-1".to_owned(),
        customer_email: "ada@example.com".to_owned(),
        currency: "EUR".to_owned(),
        lines: vec![OrderLine { sku: "MUG-BLUE".to_owned(), quantity, unit_price_cents: 1250 }],
        total_cents: u64::from(quantity) * 1250,
    }
}

#[tokio::test]
async fn orders_are_inserted_read_replaced_and_deleted() {
    let moto = Moto::start();
    let (client, table) = orders_table(&moto).await;
    let store = DynamoOrderStore::new(client, table);

    assert_eq!(store.get("order-1").await.unwrap(), None);
    assert!(store.insert(order("order-1", 2)).await.unwrap());
    assert_eq!(store.get("order-1").await.unwrap(), Some(order("order-1", 2)));

    assert!(store.replace(order("order-1", 3)).await.unwrap());
    assert_eq!(store.get("order-1").await.unwrap(), Some(order("order-1", 3)));

    assert_eq!(store.delete("order-1").await.unwrap(), Some(order("order-1", 3)));
    assert_eq!(store.get("order-1").await.unwrap(), None);
}

#[tokio::test]
async fn a_second_insert_conflicts_and_writes_nothing() {
    let moto = Moto::start();
    let (client, table) = orders_table(&moto).await;
    let store = DynamoOrderStore::new(client, table);

    assert!(store.insert(order("order-1", 2)).await.unwrap());
    assert!(!store.insert(order("order-1", 5)).await.unwrap(), "a POST never overwrites an order");
    assert_eq!(store.get("order-1").await.unwrap(), Some(order("order-1", 2)));
}

#[tokio::test]
async fn replacing_or_deleting_a_missing_order_is_not_found_and_creates_nothing() {
    let moto = Moto::start();
    let (client, table) = orders_table(&moto).await;
    let store = DynamoOrderStore::new(client, table);

    assert!(!store.replace(order("order-1", 2)).await.unwrap());
    assert_eq!(store.get("order-1").await.unwrap(), None, "a PUT never creates an order");
    assert_eq!(store.delete("order-1").await.unwrap(), None);
}

#[tokio::test]
async fn a_table_that_does_not_exist_is_a_store_error() {
    let moto = Moto::start();
    let store = DynamoOrderStore::new(Client::new(&moto.sdk_config()), "NoSuchTable");

    let error = store.get("order-1").await.unwrap_err();
    assert!(error.to_string().contains("ResourceNotFoundException"), "{error}");
}

/// Takes what the stream publisher publishes.
#[derive(Default)]
struct Published(std::sync::Mutex<Vec<Message>>);

impl EventPublisher for Published {
    async fn publish(&self, message: Message) -> Result<(), PublishError> {
        self.0.lock().unwrap().push(message);
        Ok(())
    }
}

/// Regression guard for the item shape: the item the store writes, as a stream record's new
/// image, is what the stream publisher turns into `OrderPlaced`.
#[tokio::test]
async fn the_stored_item_is_what_the_stream_publisher_reads() {
    let moto = Moto::start();
    let (client, table) = orders_table(&moto).await;
    let store = DynamoOrderStore::new(client.clone(), &table);
    assert!(store.insert(order("order-1", 2)).await.unwrap());

    let item = client
        .get_item()
        .table_name(&table)
        .key("order_id", AttributeValue::S("order-1".to_owned()))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    let mut record = EventRecord::default();
    record.event_name = "INSERT".to_owned();
    record.change.new_image = serde_dynamo::Item::from(item);
    record.change.sequence_number = Some("1".to_owned());
    let mut batch = Event::default();
    batch.records.push(record);

    let published = Published::default();
    let response = stream_publisher::handle_batch(&published, batch).await;
    assert!(response.batch_item_failures.is_empty());
    let messages = published.0.into_inner().unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].attribute("event_type"), Some("OrderPlaced"));
    assert_eq!(messages[0].attribute("correlation_id"), Some("corr-order-1"));
    let body: serde_json::Value = serde_json::from_str(&messages[0].body).unwrap();
    assert_eq!(body["total_cents"], 2500);
    assert_eq!(body["lines"][0]["sku"], "MUG-BLUE");
}
