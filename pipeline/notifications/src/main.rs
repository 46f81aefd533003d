//! The `notifications` Lambda binary: batches from the `NotificationsQueue` in, batch item
//! failures out.

use aws_config::BehaviorVersion;
use aws_lambda_events::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use notifications::SesNotifier;

/// Notifies customers by email through Amazon SES, from the address `SENDER_EMAIL_ADDRESS`
/// names, until Lambda stops the function.
///
/// The SES client is built once per cold start; the SDK reads the region, credentials and
/// `AWS_ENDPOINT_URL` from the environment.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    order_events::logging::init()?;
    let from_address =
        std::env::var("SENDER_EMAIL_ADDRESS").map_err(|_| "SENDER_EMAIL_ADDRESS is not set")?;
    let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let notifier = SesNotifier::new(aws_sdk_sesv2::Client::new(&config), from_address);
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let notifier = &notifier;
        async move { Ok::<_, Error>(notifications::handle_batch(notifier, event.payload).await) }
    }))
    .await
}
