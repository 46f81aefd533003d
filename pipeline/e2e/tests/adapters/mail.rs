//! `SesNotifier` against moto's SES (API v2), which refuses mail from an identity that is not
//! verified and keeps the mail it accepts, readable through [`Moto::sent_mail`].

use notifications::{Notification, Notifier, SesNotifier};
use order_events::sqs::raw_delivery;
use order_events::{OrderCancelled, OrderEvent};
use pipeline_e2e::moto::{Moto, unique_name};

/// A sender address no other test uses.
fn sender() -> String {
    format!("{}@example.com", unique_name("orders"))
}

fn notification(to: &str) -> Notification {
    Notification {
        to: to.to_owned(),
        subject: "Your order order-1 is confirmed".to_owned(),
        body: "Thank you for your order of 2 item(s) for EUR 25.00. Grüße!".to_owned(),
    }
}

/// The mail moto has accepted from `source`.
fn sent_from(moto: &Moto, source: &str) -> Vec<serde_json::Value> {
    moto.sent_mail().into_iter().filter(|mail| mail["source"] == source).collect()
}

/// Verifies `address` as an SES identity, as the account's owner does before deploying.
async fn verify(moto: &Moto, address: &str) {
    aws_sdk_sesv2::Client::new(&moto.sdk_config())
        .create_email_identity()
        .email_identity(address)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn mail_from_an_unverified_identity_is_refused_with_the_reason() {
    let moto = Moto::start();
    let from = sender();
    let notifier = SesNotifier::new(aws_sdk_sesv2::Client::new(&moto.sdk_config()), &from);

    let error = notifier.send(notification("ada@example.com")).await.unwrap_err();

    let text = error.to_string();
    assert!(text.contains("MessageRejected"), "{text}");
    assert!(text.contains("Email address not verified"), "{text}");
    assert_eq!(sent_from(&moto, &from), Vec::<serde_json::Value>::new());
}

#[tokio::test]
async fn mail_from_a_verified_identity_is_sent_to_the_customer() {
    let moto = Moto::start();
    let from = sender();
    verify(&moto, &from).await;
    let notifier = SesNotifier::new(aws_sdk_sesv2::Client::new(&moto.sdk_config()), &from);

    notifier.send(notification("ada@example.com")).await.unwrap();

    let sent = sent_from(&moto, &from);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["destinations"]["ToAddresses"], serde_json::json!(["ada@example.com"]));
    assert_eq!(sent[0]["subject"], "Your order order-1 is confirmed");
    assert_eq!(sent[0]["body"], "Thank you for your order of 2 item(s) for EUR 25.00. Grüße!");
}

/// From the queue's message to the mail: the handler renders the event and the adapter sends it.
#[tokio::test]
async fn a_batch_mails_each_event_to_its_customer() {
    let moto = Moto::start();
    let from = sender();
    verify(&moto, &from).await;
    let notifier = SesNotifier::new(aws_sdk_sesv2::Client::new(&moto.sdk_config()), &from);
    let event = OrderEvent::Cancelled(OrderCancelled {
        correlation_id: "corr-1".to_owned(),
        order_id: "order-1".to_owned(),
        customer_email: "grace@example.com".to_owned(),
        currency: "EUR".to_owned(),
        total_cents: 2500,
    });
    let mut batch = aws_lambda_events::sqs::SqsEvent::default();
    batch.records = vec![raw_delivery(&event.to_message(), "m-1")];

    let response = notifications::handle_batch(&notifier, batch).await;

    assert!(response.batch_item_failures.is_empty(), "{:?}", response.batch_item_failures);
    let sent = sent_from(&moto, &from);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["destinations"]["ToAddresses"], serde_json::json!(["grace@example.com"]));
    assert_eq!(sent[0]["subject"], "Your order order-1 is cancelled");
}
