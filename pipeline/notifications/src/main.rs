//! The `notifications` Lambda binary: batches from the `NotificationsQueue` in, batch item
//! failures out.

use aws_lambda_events::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use notifications::LoggingNotifier;

/// Notifies customers until Lambda stops the function.
///
/// This reference build wires [`LoggingNotifier`], which logs whom it would notify: it has no
/// mail adapter. A deployment implements [`notifications::Notifier`] with a mail service (such
/// as Amazon SES) and passes it here.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    order_events::logging::init()?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(notifications::handle_batch(&LoggingNotifier, event.payload).await)
    }))
    .await
}
