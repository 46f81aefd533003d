//! The `stream-publisher` Lambda binary: batches of `OrdersTable` stream records in, batch item
//! failures out.

use aws_config::BehaviorVersion;
use aws_lambda_events::dynamodb::Event;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use stream_publisher::SnsPublisher;

/// Publishes the events of the table's changes to the topic named by `ORDER_EVENTS_TOPIC_ARN`
/// until Lambda stops the function.
///
/// The SNS client is built once per cold start; the SDK reads the region, credentials and
/// `AWS_ENDPOINT_URL` from the environment.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    order_events::logging::init()?;
    let topic_arn =
        std::env::var("ORDER_EVENTS_TOPIC_ARN").map_err(|_| "ORDER_EVENTS_TOPIC_ARN is not set")?;
    let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let publisher = SnsPublisher::new(aws_sdk_sns::Client::new(&config), topic_arn);
    lambda_runtime::run(service_fn(|event: LambdaEvent<Event>| {
        let publisher = &publisher;
        async move { Ok::<_, Error>(stream_publisher::handle_batch(publisher, event.payload).await) }
    }))
    .await
}
