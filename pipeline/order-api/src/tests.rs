//! The API's requests and responses, on an in-memory store.

use serde_json::{Value, json};

use super::*;

type Api = OrderApi<InMemoryOrderStore, SequentialIds>;

fn api() -> Api {
    OrderApi::new(InMemoryOrderStore::default(), SequentialIds::new("id"))
}

/// An API Gateway (REST, proxy integration) request as Lambda receives it.
fn request(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> ApiGatewayProxyRequest {
    let (resource, path_parameters) = match path.strip_prefix("/orders/") {
        Some(id) => ("/orders/{id}", json!({ "id": id })),
        None => (path, Value::Null),
    };
    let headers: serde_json::Map<String, Value> =
        headers.iter().map(|(name, value)| ((*name).to_owned(), Value::from(*value))).collect();
    serde_json::from_value(json!({
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "pathParameters": path_parameters,
        "requestContext": { "httpMethod": method, "requestId": "apigw-request-1", "stage": "Prod" },
        "body": body.map(|body| body.to_string()),
        "isBase64Encoded": false,
    }))
    .expect("a valid API Gateway request")
}

fn new_order() -> Value {
    json!({
        "customer_id": "customer-1",
        "customer_email": "ada@example.com",
        "currency": "EUR",
        "lines": [{ "sku": "MUG-BLUE", "quantity": 2, "unit_price_cents": 1250 }],
    })
}

fn body(response: &ApiGatewayProxyResponse) -> Value {
    match &response.body {
        Some(Body::Text(text)) => serde_json::from_str(text).expect("a JSON body"),
        other => panic!("expected a text body, got {other:?}"),
    }
}

fn header<'a>(response: &'a ApiGatewayProxyResponse, name: &str) -> Option<&'a str> {
    response.headers.get(name).and_then(|value| value.to_str().ok())
}

async fn stored(api: &Api, order_id: &str) -> Option<Order> {
    api.store().get(order_id).await.unwrap()
}

/// Places the standard order with the correlation id `corr-1` and returns its id.
async fn place(api: &Api) -> String {
    let response =
        api.handle(request("POST", "/orders", &[("x-correlation-id", "corr-1")], Some(new_order()))).await;
    assert_eq!(response.status_code, 201, "{:?}", response.body);
    body(&response)["order_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn post_stores_the_order_with_the_requests_correlation_id() {
    let api = api();
    let response =
        api.handle(request("POST", "/orders", &[("X-Correlation-Id", "corr-1")], Some(new_order()))).await;
    assert_eq!(response.status_code, 201);
    assert_eq!(header(&response, "location"), Some("/orders/id-1"));
    assert_eq!(header(&response, "x-correlation-id"), Some("corr-1"));
    let order = body(&response);
    assert_eq!(order["order_id"], "id-1");
    assert_eq!(order["total_cents"], 2500);
    let stored = stored(&api, "id-1").await.expect("the order is stored");
    assert_eq!(stored.correlation_id, "corr-1");
    assert_eq!(stored.customer_email, "ada@example.com");
}

#[tokio::test]
async fn post_without_a_usable_correlation_id_gets_a_new_one() {
    let api = api();
    let missing = api.handle(request("POST", "/orders", &[], Some(new_order()))).await;
    assert_eq!(header(&missing, "x-correlation-id"), Some("id-1"));
    assert_eq!(body(&missing)["order_id"], "id-2");
    let too_long = "c".repeat(MAX_CORRELATION_ID_LEN + 1);
    let unusable =
        api.handle(request("POST", "/orders", &[("x-correlation-id", &too_long)], Some(new_order()))).await;
    assert_eq!(header(&unusable, "x-correlation-id"), Some("id-3"));
}

#[tokio::test]
async fn post_rejects_invalid_orders_and_stores_nothing() {
    let api = api();
    let mut no_lines = new_order();
    no_lines["lines"] = json!([]);
    let cases = [
        (Some(no_lines), "an order needs at least one line"),
        (Some(json!({ "customer_id": "customer-1" })), "the body is not a valid order: missing field"),
        (None, "the body is not a valid order: EOF while parsing"),
    ];
    for (order, expected) in cases {
        let response = api.handle(request("POST", "/orders", &[], order)).await;
        assert_eq!(response.status_code, 400);
        let error = body(&response)["error"].as_str().unwrap().to_owned();
        assert!(error.starts_with(expected), "got {error:?}, expected {expected:?}");
    }
    assert_eq!(api.store().get("id-2").await.unwrap(), None);
}

#[tokio::test]
async fn put_replaces_the_lines_and_keeps_the_orders_correlation_id() {
    let api = api();
    let order_id = place(&api).await;
    let change = json!({ "lines": [{ "sku": "MUG-BLUE", "quantity": 3, "unit_price_cents": 1250 }] });
    let path = format!("/orders/{order_id}");
    let response = api.handle(request("PUT", &path, &[("x-correlation-id", "corr-2")], Some(change))).await;
    assert_eq!(response.status_code, 200);
    assert_eq!(header(&response, "x-correlation-id"), Some("corr-1"));
    assert_eq!(body(&response)["total_cents"], 3750);
    let stored = stored(&api, &order_id).await.unwrap();
    assert_eq!((stored.total_cents, stored.correlation_id.as_str()), (3750, "corr-1"));
}

#[tokio::test]
async fn put_rejects_invalid_lines_and_keeps_the_order() {
    let api = api();
    let order_id = place(&api).await;
    let change = json!({ "lines": [{ "sku": "MUG-BLUE", "quantity": 0, "unit_price_cents": 1250 }] });
    let response = api.handle(request("PUT", &format!("/orders/{order_id}"), &[], Some(change))).await;
    assert_eq!(response.status_code, 400);
    assert_eq!(body(&response)["error"], "line 1: quantity must be at least 1");
    assert_eq!(stored(&api, &order_id).await.unwrap().total_cents, 2500);
}

#[tokio::test]
async fn delete_removes_the_order() {
    let api = api();
    let order_id = place(&api).await;
    let response = api.handle(request("DELETE", &format!("/orders/{order_id}"), &[], None)).await;
    assert_eq!(response.status_code, 204);
    assert_eq!(response.body, None);
    assert_eq!(header(&response, "x-correlation-id"), Some("corr-1"));
    assert_eq!(stored(&api, &order_id).await, None);
}

#[tokio::test]
async fn unknown_orders_and_routes_are_404() {
    let api = api();
    let change = json!({ "lines": [{ "sku": "MUG-BLUE", "quantity": 1, "unit_price_cents": 1 }] });
    let put = api.handle(request("PUT", "/orders/nope", &[], Some(change))).await;
    let delete = api.handle(request("DELETE", "/orders/nope", &[], None)).await;
    for response in [put, delete] {
        assert_eq!(response.status_code, 404);
        assert_eq!(body(&response)["error"], "no order nope");
    }
    let route = api.handle(request("GET", "/orders", &[], None)).await;
    assert_eq!(route.status_code, 404);
    assert_eq!(body(&route)["error"], "no route for GET /orders");
}

/// A table that is down.
struct UnavailableStore;

impl OrderStore for UnavailableStore {
    async fn get(&self, _: &str) -> Result<Option<Order>, StoreError> {
        Err(StoreError("throttled".into()))
    }

    async fn insert(&self, _: Order) -> Result<bool, StoreError> {
        Err(StoreError("throttled".into()))
    }

    async fn replace(&self, _: Order) -> Result<bool, StoreError> {
        Err(StoreError("throttled".into()))
    }

    async fn delete(&self, _: &str) -> Result<Option<Order>, StoreError> {
        Err(StoreError("throttled".into()))
    }
}

#[tokio::test]
async fn store_failures_are_500_without_details() {
    let api = OrderApi::new(UnavailableStore, SequentialIds::new("id"));
    let response = api.handle(request("POST", "/orders", &[], Some(new_order()))).await;
    assert_eq!(response.status_code, 500);
    assert_eq!(body(&response)["error"], "internal error; try again later");
}

/// Gives every order the same id.
struct SameId;

impl IdGenerator for SameId {
    fn next_id(&self) -> String {
        "id-1".to_owned()
    }
}

#[tokio::test]
async fn a_post_never_overwrites_an_order_with_the_same_id() {
    let api = OrderApi::new(InMemoryOrderStore::default(), SameId);
    let first =
        api.handle(request("POST", "/orders", &[("x-correlation-id", "corr-1")], Some(new_order()))).await;
    assert_eq!(first.status_code, 201);
    let second =
        api.handle(request("POST", "/orders", &[("x-correlation-id", "corr-2")], Some(new_order()))).await;
    assert_eq!(second.status_code, 409);
    assert_eq!(body(&second)["error"], "order id-1 exists");
    assert_eq!(api.store().get("id-1").await.unwrap().unwrap().correlation_id, "corr-1");
}
