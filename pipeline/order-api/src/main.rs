//! The `order-api` Lambda binary: API Gateway requests in, responses out.

use aws_lambda_events::apigw::ApiGatewayProxyRequest;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use order_api::{InMemoryOrderStore, OrderApi, UuidIds};

/// Serves the orders API until Lambda stops the function.
///
/// This reference build wires the in-memory store: it has no DynamoDB adapter, so orders live
/// only as long as one warm instance does and the table's stream stays empty. A deployment that
/// writes to the `OrdersTable` (named by `ORDERS_TABLE_NAME`) implements
/// [`order_api::OrderStore`] with the AWS SDK and passes it here instead.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    order_events::logging::init()?;
    let api = OrderApi::new(InMemoryOrderStore::default(), UuidIds);
    lambda_runtime::run(service_fn(|event: LambdaEvent<ApiGatewayProxyRequest>| {
        let api = &api;
        async move { Ok::<_, Error>(api.handle(event.payload).await) }
    }))
    .await
}
