//! `SnsPublisher` against moto's SNS, with SQS queues subscribed to the topic as the template
//! subscribes the consumers' queues.

use std::collections::BTreeMap;

use aws_sdk_sqs::types::QueueAttributeName;
use order_events::{OrderCancelled, OrderEvent};
use pipeline_e2e::moto::{Moto, unique_name};
use stream_publisher::{EventPublisher, SnsPublisher};

fn cancelled() -> OrderEvent {
    OrderEvent::Cancelled(OrderCancelled {
        correlation_id: "corr-1".to_owned(),
        order_id: "order-1".to_owned(),
        customer_email: "ada@example.com".to_owned(),
        currency: "EUR".to_owned(),
        total_cents: 2500,
    })
}

/// A topic with a queue subscribed (with raw message delivery or not); the topic's ARN, the SQS
/// client and the queue's URL.
async fn topic_with_queue(moto: &Moto, raw: bool) -> (String, aws_sdk_sqs::Client, String) {
    let config = moto.sdk_config();
    let sns = aws_sdk_sns::Client::new(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);
    let topic_arn =
        sns.create_topic().name(unique_name("OrderEventsTopic")).send().await.unwrap().topic_arn.unwrap();
    let queue_url = sqs
        .create_queue()
        .queue_name(unique_name("NotificationsQueue"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let queue_arn = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap()
        .remove(&QueueAttributeName::QueueArn)
        .unwrap();
    sns.subscribe()
        .topic_arn(&topic_arn)
        .protocol("sqs")
        .endpoint(queue_arn)
        .attributes("RawMessageDelivery", raw.to_string())
        .send()
        .await
        .unwrap();
    (topic_arn, sqs, queue_url)
}

/// The one message on the queue: its body and its String message attributes.
async fn receive(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> (String, BTreeMap<String, String>) {
    let messages = sqs
        .receive_message()
        .queue_url(queue_url)
        .message_attribute_names("All")
        .max_number_of_messages(10)
        .wait_time_seconds(1)
        .send()
        .await
        .unwrap()
        .messages
        .unwrap_or_default();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let message = &messages[0];
    let attributes = message
        .message_attributes
        .iter()
        .flatten()
        .map(|(name, value)| {
            assert_eq!(value.data_type(), "String");
            (name.clone(), value.string_value().unwrap().to_owned())
        })
        .collect();
    (message.body.clone().unwrap(), attributes)
}

fn expected_attributes() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("correlation_id".to_owned(), "corr-1".to_owned()),
        ("event_type".to_owned(), "OrderCancelled".to_owned()),
    ])
}

/// As the template subscribes the consumers' queues: the body is the event, the attributes are
/// SQS message attributes.
#[tokio::test]
async fn with_raw_delivery_the_queue_gets_the_event_and_its_attributes() {
    let moto = Moto::start();
    let (topic_arn, sqs, queue_url) = topic_with_queue(&moto, true).await;
    let publisher = SnsPublisher::new(aws_sdk_sns::Client::new(&moto.sdk_config()), topic_arn);

    let message = cancelled().to_message();
    publisher.publish(message.clone()).await.unwrap();

    let (body, attributes) = receive(&sqs, &queue_url).await;
    assert_eq!(body, message.body);
    assert_eq!(attributes, expected_attributes());
}

/// Without raw delivery the body is SNS's envelope, which carries the attributes itself.
#[tokio::test]
async fn without_raw_delivery_the_envelope_carries_the_attributes() {
    let moto = Moto::start();
    let (topic_arn, sqs, queue_url) = topic_with_queue(&moto, false).await;
    let publisher = SnsPublisher::new(aws_sdk_sns::Client::new(&moto.sdk_config()), topic_arn);

    let message = cancelled().to_message();
    publisher.publish(message.clone()).await.unwrap();

    let (body, _) = receive(&sqs, &queue_url).await;
    let envelope: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(envelope["Message"], message.body.as_str());
    let attributes: BTreeMap<String, String> = envelope["MessageAttributes"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, value)| {
            assert_eq!(value["Type"], "String");
            (name.clone(), value["Value"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(attributes, expected_attributes());
}

#[tokio::test]
async fn a_topic_that_does_not_exist_is_a_publish_error() {
    let moto = Moto::start();
    let publisher = SnsPublisher::new(
        aws_sdk_sns::Client::new(&moto.sdk_config()),
        "arn:aws:sns:eu-west-1:123456789012:NoSuchTopic",
    );
    let error = publisher.publish(cancelled().to_message()).await.unwrap_err();
    assert!(error.to_string().contains("NotFound"), "{error}");
}
