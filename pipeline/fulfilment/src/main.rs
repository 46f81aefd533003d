//! The `fulfilment` Lambda binary: batches from the `FulfilmentQueue` in, batch item failures
//! out.

use aws_lambda_events::sqs::SqsEvent;
use fulfilment::LoggingFulfiller;
use lambda_runtime::{Error, LambdaEvent, service_fn};

/// Fulfils orders until Lambda stops the function.
///
/// This reference build wires [`LoggingFulfiller`], which logs what it would do: it has no
/// warehouse to call. A deployment implements [`fulfilment::Fulfiller`] with the warehouse's API
/// and passes it here.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    order_events::logging::init()?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(fulfilment::handle_batch(&LoggingFulfiller, event.payload).await)
    }))
    .await
}
