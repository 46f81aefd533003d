//! The `fulfilment` Lambda binary: batches from the `FulfilmentQueue` in, batch item failures
//! out.

// The handler's future nests the SDK's request futures deeper than the default limit lets rustc
// compute its layout.
#![recursion_limit = "256"]

use aws_config::BehaviorVersion;
use aws_lambda_events::sqs::SqsEvent;
use fulfilment::DynamoWarehouse;
use lambda_runtime::{Error, LambdaEvent, service_fn};

/// Fulfils orders from the warehouse's stock table named by `INVENTORY_TABLE_NAME` until Lambda
/// stops the function.
///
/// The DynamoDB client is built once per cold start; the SDK reads the region, credentials and
/// `AWS_ENDPOINT_URL` from the environment.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    order_events::logging::init()?;
    let table_name = std::env::var("INVENTORY_TABLE_NAME").map_err(|_| "INVENTORY_TABLE_NAME is not set")?;
    let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let warehouse = DynamoWarehouse::new(aws_sdk_dynamodb::Client::new(&config), table_name);
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let warehouse = &warehouse;
        async move { Ok::<_, Error>(fulfilment::handle_batch(warehouse, event.payload).await) }
    }))
    .await
}
