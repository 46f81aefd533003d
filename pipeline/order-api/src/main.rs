//! The `order-api` Lambda binary: API Gateway requests in, responses out.

// The handler's future nests the SDK's request futures deeper than the default limit lets rustc
// compute its layout.
#![recursion_limit = "256"]

use aws_config::BehaviorVersion;
use aws_lambda_events::apigw::ApiGatewayProxyRequest;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use order_api::{DynamoOrderStore, OrderApi, UuidIds};

/// Serves the orders API, on the `OrdersTable` named by `ORDERS_TABLE_NAME`, until Lambda stops
/// the function.
///
/// The DynamoDB client is built once per cold start; the SDK reads the region, credentials and
/// `AWS_ENDPOINT_URL` from the environment.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    order_events::logging::init()?;
    let table_name = std::env::var("ORDERS_TABLE_NAME").map_err(|_| "ORDERS_TABLE_NAME is not set")?;
    let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let api =
        OrderApi::new(DynamoOrderStore::new(aws_sdk_dynamodb::Client::new(&config), table_name), UuidIds);
    lambda_runtime::run(service_fn(|event: LambdaEvent<ApiGatewayProxyRequest>| {
        let api = &api;
        async move { Ok::<_, Error>(api.handle(event.payload).await) }
    }))
    .await
}
