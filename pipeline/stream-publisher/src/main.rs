//! The `stream-publisher` Lambda binary: batches of `OrdersTable` stream records in, batch item
//! failures out.

use aws_lambda_events::dynamodb::Event;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use stream_publisher::LoggingPublisher;

/// Publishes the events of the table's changes until Lambda stops the function.
///
/// This reference build wires [`LoggingPublisher`], which logs each message instead of sending
/// it: it has no SNS adapter. A deployment implements [`stream_publisher::EventPublisher`] with
/// the AWS SDK, publishing to the topic named by `ORDER_EVENTS_TOPIC_ARN`, and passes it here.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    order_events::logging::init()?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Event>| async move {
        Ok::<_, Error>(stream_publisher::handle_batch(&LoggingPublisher, event.payload).await)
    }))
    .await
}
