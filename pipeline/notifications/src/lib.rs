//! `NotificationsFunction`: tells customers what happened to their orders.
//!
//! It reads the `NotificationsQueue`, whose subscription to the `OrderEventsTopic` has no filter
//! policy, so it gets every order event. Each event becomes one [`Notification`] to the
//! customer's email address, sent through the [`Notifier`] trait. A message that cannot be sent
//! fails and is received again after the queue's visibility timeout; after `maxReceiveCount`
//! receives it moves to the `NotificationsDeadLetterQueue`.
//!
//! The deployed function wires [`SesNotifier`], which sends through Amazon SES;
//! [`InMemoryOutbox`] is the double the tests use.

use std::fmt;
use std::sync::{Mutex, PoisonError};

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use flowdoc_annotations::event_consumer;
use order_events::{OrderCancelled, OrderEvent, OrderPlaced, OrderUpdated};
use tracing::info;

mod ses;

pub use ses::SesNotifier;

/// An email to a customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    /// The customer's email address.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The text.
    pub body: String,
}

/// Sends notifications.
pub trait Notifier {
    /// Sends one notification; `Ok` once the mail service has accepted it.
    fn send(&self, notification: Notification) -> impl Future<Output = Result<(), NotifyError>> + Send;
}

/// The mail service did not accept a notification.
#[derive(Debug)]
pub struct NotifyError(pub String);

impl fmt::Display for NotifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the notification was not sent: {}", self.0)
    }
}

impl std::error::Error for NotifyError {}

/// Handles one batch from the `NotificationsQueue` and reports the messages that failed.
pub async fn handle_batch<N: Notifier>(notifier: &N, batch: SqsEvent) -> SqsBatchResponse {
    order_events::sqs::process_batch(batch, |event| notify(notifier, event)).await
}

/// Tells the customer about the event.
#[event_consumer(OrderPlaced, from = "NotificationsQueue")]
#[event_consumer(OrderUpdated, from = "NotificationsQueue")]
#[event_consumer(OrderCancelled, from = "NotificationsQueue")]
pub async fn notify<N: Notifier>(notifier: &N, event: OrderEvent) -> Result<(), NotifyError> {
    notifier.send(render(&event)).await?;
    info!(order_id = event.order_id(), "customer notified");
    Ok(())
}

/// The notification an event makes.
pub fn render(event: &OrderEvent) -> Notification {
    match event {
        OrderEvent::Placed(OrderPlaced {
            order_id, customer_email, currency, lines, total_cents, ..
        }) => {
            let items: u32 = lines.iter().map(|line| line.quantity).sum();
            Notification {
                to: customer_email.clone(),
                subject: format!("Your order {order_id} is confirmed"),
                body: format!(
                    "Thank you for your order of {items} item(s) for {}. We will let you know when it ships.",
                    amount(*total_cents, currency)
                ),
            }
        }
        OrderEvent::Updated(OrderUpdated {
            order_id,
            customer_email,
            currency,
            total_cents,
            previous_total_cents,
            ..
        }) => Notification {
            to: customer_email.clone(),
            subject: format!("Your order {order_id} was changed"),
            body: format!(
                "Your order now comes to {} (it was {}).",
                amount(*total_cents, currency),
                amount(*previous_total_cents, currency)
            ),
        },
        OrderEvent::Cancelled(OrderCancelled { order_id, customer_email, currency, total_cents, .. }) => {
            Notification {
                to: customer_email.clone(),
                subject: format!("Your order {order_id} is cancelled"),
                body: format!(
                    "Your order for {} is cancelled. If you have paid for it, the amount will be refunded.",
                    amount(*total_cents, currency)
                ),
            }
        }
    }
}

/// An amount as customers read it, as in `EUR 12.50`.
fn amount(cents: u64, currency: &str) -> String {
    format!("{currency} {}.{:02}", cents / 100, cents % 100)
}

/// A [`Notifier`] that keeps what it is given, for tests and the end-to-end run.
#[derive(Debug, Default)]
pub struct InMemoryOutbox {
    sent: Mutex<Vec<Notification>>,
}

impl InMemoryOutbox {
    /// The notifications sent so far, oldest first.
    pub fn sent(&self) -> Vec<Notification> {
        self.sent.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Notifier for InMemoryOutbox {
    async fn send(&self, notification: Notification) -> Result<(), NotifyError> {
        self.sent.lock().unwrap_or_else(PoisonError::into_inner).push(notification);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use aws_lambda_events::sqs::SqsMessage;
    use order_events::OrderLine;
    use order_events::sqs::raw_delivery;

    use super::*;

    fn line(quantity: u32) -> OrderLine {
        OrderLine { sku: "MUG-BLUE".into(), quantity, unit_price_cents: 1250 }
    }

    fn placed() -> OrderEvent {
        OrderEvent::Placed(OrderPlaced {
            correlation_id: "corr-1".into(),
            order_id: "order-1".into(),
            customer_id: "customer-1".into(),
            customer_email: "ada@example.com".into(),
            currency: "EUR".into(),
            lines: vec![line(2), line(1)],
            total_cents: 3750,
        })
    }

    fn updated() -> OrderEvent {
        OrderEvent::Updated(OrderUpdated {
            correlation_id: "corr-1".into(),
            order_id: "order-1".into(),
            customer_email: "ada@example.com".into(),
            currency: "EUR".into(),
            lines: vec![line(1)],
            total_cents: 1250,
            previous_total_cents: 3750,
        })
    }

    fn cancelled() -> OrderEvent {
        OrderEvent::Cancelled(OrderCancelled {
            correlation_id: "corr-1".into(),
            order_id: "order-1".into(),
            customer_email: "ada@example.com".into(),
            currency: "EUR".into(),
            total_cents: 1205,
        })
    }

    #[test]
    fn every_event_becomes_a_notification_to_the_customer() {
        let rendered = [placed(), updated(), cancelled()].map(|event| render(&event));
        assert!(rendered.iter().all(|notification| notification.to == "ada@example.com"));
        assert_eq!(rendered[0].subject, "Your order order-1 is confirmed");
        assert_eq!(
            rendered[0].body,
            "Thank you for your order of 3 item(s) for EUR 37.50. We will let you know when it ships."
        );
        assert_eq!(rendered[1].body, "Your order now comes to EUR 12.50 (it was EUR 37.50).");
        assert_eq!(rendered[2].subject, "Your order order-1 is cancelled");
        assert!(rendered[2].body.starts_with("Your order for EUR 12.05 is cancelled."));
    }

    #[tokio::test]
    async fn a_batch_sends_what_it_can_and_reports_the_rest() {
        let outbox = InMemoryOutbox::default();
        let mut unreadable: SqsMessage = raw_delivery(&updated().to_message(), "m-2");
        unreadable.body = Some("not json".into());
        let mut batch = SqsEvent::default();
        batch.records = vec![
            raw_delivery(&placed().to_message(), "m-1"),
            unreadable,
            raw_delivery(&cancelled().to_message(), "m-3"),
        ];
        let response = handle_batch(&outbox, batch).await;
        let failed: Vec<_> =
            response.batch_item_failures.iter().map(|failure| failure.item_identifier.as_str()).collect();
        assert_eq!(failed, ["m-2"]);
        let subjects: Vec<_> = outbox.sent().into_iter().map(|notification| notification.subject).collect();
        assert_eq!(subjects, ["Your order order-1 is confirmed", "Your order order-1 is cancelled"]);
    }
}
