//! `OrderApiFunction`: the orders API behind API Gateway.
//!
//! - `POST /orders` places an order: it validates the body ([`NewOrder`]), gives the order a new
//!   id and stores it. Its correlation id is the request's `x-correlation-id` header, or a new one
//!   when the header is missing or unusable.
//! - `PUT /orders/{id}` replaces an order's lines ([`OrderChange`]).
//! - `DELETE /orders/{id}` cancels an order by deleting it.
//!
//! The function writes only to the `OrdersTable`; the table's stream turns each write into an
//! `OrderPlaced`, `OrderUpdated` or `OrderCancelled` event. A change keeps the correlation id the
//! order was placed with, so every event of one order carries the same one; the change request's
//! own `x-correlation-id` header is logged as its `request_id`. Every response about an order
//! carries the order's correlation id in the `x-correlation-id` header.

pub mod dynamo;
pub mod ids;
pub mod request;
pub mod store;

use std::fmt;

use aws_lambda_events::apigw::{ApiGatewayProxyRequest, ApiGatewayProxyResponse};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::HeaderValue;
use aws_lambda_events::http::header::{CONTENT_TYPE, LOCATION};
use flowdoc_annotations::event_producer;
use order_events::{Order, OrderCancelled, OrderPlaced, OrderUpdated};
use serde::Serialize;
use tracing::{Instrument, Span, error, field, info, info_span, warn};

pub use crate::dynamo::DynamoOrderStore;
pub use crate::ids::{IdGenerator, SequentialIds, UuidIds};
pub use crate::request::{NewOrder, OrderChange};
pub use crate::store::{InMemoryOrderStore, OrderStore, StoreError};

/// The request and response header that carries the correlation id.
pub const CORRELATION_ID_HEADER: &str = "x-correlation-id";

/// The longest correlation id the API accepts from a client.
pub const MAX_CORRELATION_ID_LEN: usize = 128;

/// The orders API: a store for the orders and a source of new ids.
#[derive(Debug)]
pub struct OrderApi<S, I> {
    store: S,
    ids: I,
}

impl<S: OrderStore, I: IdGenerator> OrderApi<S, I> {
    /// An API that keeps orders in `store` and names them with `ids`.
    pub fn new(store: S, ids: I) -> OrderApi<S, I> {
        OrderApi { store, ids }
    }

    /// The store the API writes to.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Answers one API Gateway request: routes it, and turns what went wrong into a 4xx or 5xx
    /// response with a JSON `{"error": "..."}` body.
    pub async fn handle(&self, request: ApiGatewayProxyRequest) -> ApiGatewayProxyResponse {
        let order_id = request.path_parameters.get("id").cloned();
        match (request.http_method.as_str(), request.resource.as_deref(), order_id) {
            ("POST", Some("/orders"), _) => self.post(&request).await,
            ("PUT", Some("/orders/{id}"), Some(order_id)) => self.put(&request, order_id).await,
            ("DELETE", Some("/orders/{id}"), Some(order_id)) => self.delete(&request, order_id).await,
            (method, resource, _) => {
                ApiError::NotFound(format!("no route for {method} {}", resource.unwrap_or_default()))
                    .into_response()
            }
        }
    }

    async fn post(&self, request: &ApiGatewayProxyRequest) -> ApiGatewayProxyResponse {
        let correlation_id = correlation_header(request).unwrap_or_else(|| self.ids.next_id());
        let span = info_span!(
            "request",
            correlation_id = %correlation_id,
            request_id = request_id(request),
            route = "POST /orders",
        );
        respond_in(span, async {
            let order = self.create_order(correlation_id, parse_body(request)?).await?;
            let mut response = order_response(201, &order);
            if let Ok(location) = HeaderValue::from_str(&format!("/orders/{}", order.order_id)) {
                response.headers.insert(LOCATION, location);
            }
            Ok(response)
        })
        .await
    }

    async fn put(&self, request: &ApiGatewayProxyRequest, order_id: String) -> ApiGatewayProxyResponse {
        let span = info_span!(
            "request",
            correlation_id = field::Empty,
            request_id = request_id(request),
            route = "PUT /orders/{id}",
            order_id = %order_id,
        );
        respond_in(span, async {
            let order = self.find(&order_id).await?;
            let order = self.update_order(order, parse_body(request)?).await?;
            Ok(order_response(200, &order))
        })
        .await
    }

    async fn delete(&self, request: &ApiGatewayProxyRequest, order_id: String) -> ApiGatewayProxyResponse {
        let span = info_span!(
            "request",
            correlation_id = field::Empty,
            request_id = request_id(request),
            route = "DELETE /orders/{id}",
            order_id = %order_id,
        );
        respond_in(span, async {
            let order = self.cancel_order(&order_id).await?;
            let mut response = order_response(204, &order);
            response.body = None;
            response.headers.remove(CONTENT_TYPE);
            Ok(response)
        })
        .await
    }

    /// `POST /orders`: validates the new order, gives it an id and stores it with the request's
    /// correlation id. The new item reaches consumers as `OrderPlaced`.
    #[event_producer(OrderPlaced, to = "OrdersTable")]
    pub async fn create_order(&self, correlation_id: String, new_order: NewOrder) -> Result<Order, ApiError> {
        let total_cents = new_order.validate().map_err(ApiError::BadRequest)?;
        let order = Order {
            order_id: self.ids.next_id(),
            correlation_id,
            customer_id: new_order.customer_id,
            customer_email: new_order.customer_email,
            currency: new_order.currency,
            lines: new_order.lines,
            total_cents,
        };
        if !self.store.insert(order.clone()).await? {
            return Err(ApiError::Conflict(format!("order {} exists", order.order_id)));
        }
        info!(order_id = %order.order_id, total_cents, "order placed");
        Ok(order)
    }

    /// `PUT /orders/{id}`: replaces the lines of a stored order, keeping its correlation id. The
    /// changed item reaches consumers as `OrderUpdated`.
    #[event_producer(OrderUpdated, to = env("ORDERS_TABLE_NAME"))]
    pub async fn update_order(&self, mut order: Order, change: OrderChange) -> Result<Order, ApiError> {
        let total_cents = change.validate().map_err(ApiError::BadRequest)?;
        let previous_total_cents = order.total_cents;
        order.lines = change.lines;
        order.total_cents = total_cents;
        if !self.store.replace(order.clone()).await? {
            return Err(not_found(&order.order_id));
        }
        info!(total_cents, previous_total_cents, "order updated");
        Ok(order)
    }

    /// `DELETE /orders/{id}`: deletes the order and returns what it was. The deleted item reaches
    /// consumers as `OrderCancelled`.
    #[event_producer(OrderCancelled, to = env("ORDERS_TABLE_NAME"))]
    pub async fn cancel_order(&self, order_id: &str) -> Result<Order, ApiError> {
        let order = self.store.delete(order_id).await?.ok_or_else(|| not_found(order_id))?;
        Span::current().record("correlation_id", order.correlation_id.as_str());
        info!(total_cents = order.total_cents, "order cancelled");
        Ok(order)
    }

    /// The stored order with this id; from here on the request's logs carry its correlation id.
    async fn find(&self, order_id: &str) -> Result<Order, ApiError> {
        let order = self.store.get(order_id).await?.ok_or_else(|| not_found(order_id))?;
        Span::current().record("correlation_id", order.correlation_id.as_str());
        Ok(order)
    }
}

/// Why a request failed; each becomes a response with a JSON `{"error": "..."}` body.
#[derive(Debug)]
pub enum ApiError {
    /// 400: the body is not valid JSON or not a valid order.
    BadRequest(String),
    /// 404: no such order, or no such route.
    NotFound(String),
    /// 409: an order with the new order's id exists.
    Conflict(String),
    /// 500: the orders table failed; the details are logged, not returned.
    Store(StoreError),
}

impl ApiError {
    /// The response that tells the client, after logging the error in the current span.
    pub fn into_response(self) -> ApiGatewayProxyResponse {
        let (status, message) = match self {
            ApiError::BadRequest(message) => (400, message),
            ApiError::NotFound(message) => (404, message),
            ApiError::Conflict(message) => (409, message),
            ApiError::Store(error) => {
                error!(%error, "request failed");
                return json_response(500, &ErrorBody { error: "internal error; try again later" });
            }
        };
        warn!(status, error = %message, "request rejected");
        json_response(status, &ErrorBody { error: &message })
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::BadRequest(message) | ApiError::NotFound(message) | ApiError::Conflict(message) => {
                f.write_str(message)
            }
            ApiError::Store(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for ApiError {}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        ApiError::Store(error)
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
}

fn not_found(order_id: &str) -> ApiError {
    ApiError::NotFound(format!("no order {order_id}"))
}

/// Runs the work of one request inside its span, errors included, so every line it logs carries
/// the span's fields.
async fn respond_in(
    span: Span,
    work: impl Future<Output = Result<ApiGatewayProxyResponse, ApiError>>,
) -> ApiGatewayProxyResponse {
    async { work.await.unwrap_or_else(ApiError::into_response) }.instrument(span).await
}

/// The request's `x-correlation-id` header, if it is there and usable: 1 to
/// [`MAX_CORRELATION_ID_LEN`] visible ASCII characters.
fn correlation_header(request: &ApiGatewayProxyRequest) -> Option<String> {
    let value = request.headers.get(CORRELATION_ID_HEADER)?.to_str().ok()?;
    let usable = !value.is_empty()
        && value.len() <= MAX_CORRELATION_ID_LEN
        && value.bytes().all(|byte| byte.is_ascii_graphic());
    usable.then(|| value.to_owned())
}

/// What the request's log lines call it: its `x-correlation-id` header, or else the id API
/// Gateway gave it.
fn request_id(request: &ApiGatewayProxyRequest) -> String {
    correlation_header(request).or_else(|| request.request_context.request_id.clone()).unwrap_or_default()
}

fn parse_body<T: serde::de::DeserializeOwned>(request: &ApiGatewayProxyRequest) -> Result<T, ApiError> {
    let body = request.body.as_deref().unwrap_or_default();
    serde_json::from_str(body)
        .map_err(|error| ApiError::BadRequest(format!("the body is not a valid order: {error}")))
}

/// A response with the order as its JSON body and its correlation id in the header.
fn order_response(status: i64, order: &Order) -> ApiGatewayProxyResponse {
    let mut response = json_response(status, order);
    if let Ok(correlation_id) = HeaderValue::from_str(&order.correlation_id) {
        response.headers.insert(CORRELATION_ID_HEADER, correlation_id);
    }
    response
}

fn json_response(status: i64, body: &impl Serialize) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = status;
    response.headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let body = serde_json::to_string(body).expect("orders and error bodies always serialize");
    response.body = Some(Body::Text(body));
    response
}

#[cfg(test)]
mod tests;
