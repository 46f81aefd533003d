//! The payloads Lambda hands the functions and the failure destination, built from what the
//! emulator's APIs return: API Gateway proxy requests, DynamoDB stream batches, SQS batches, and
//! the record of a stream batch that failed every retry.

use aws_lambda_events::apigw::ApiGatewayProxyRequest;
use aws_lambda_events::dynamodb::EventRecord;
use aws_lambda_events::sqs::{SqsMessage, SqsMessageAttribute};
use aws_sdk_dynamodbstreams::types::Record;
use aws_sdk_sqs::types::{Message, MessageSystemAttributeName};
use serde_json::{Value, json};

/// The proxy request API Gateway sends for `method path` (`/orders` or `/orders/{id}`), with the
/// `x-correlation-id` header when given.
pub fn api_request(
    method: &str,
    path: &str,
    correlation_id: Option<&str>,
    body: Option<&Value>,
) -> ApiGatewayProxyRequest {
    let (resource, path_parameters) = match path.strip_prefix("/orders/") {
        Some(order_id) => ("/orders/{id}", json!({ "id": order_id })),
        None => (path, Value::Null),
    };
    let headers = correlation_id.map_or_else(|| json!({}), |id| json!({ "x-correlation-id": id }));
    serde_json::from_value(json!({
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "pathParameters": path_parameters,
        "requestContext": { "httpMethod": method, "requestId": "apigw-request", "stage": "Prod" },
        "body": body.map(Value::to_string),
    }))
    .expect("the harness builds valid API Gateway requests")
}

/// A stream record as Lambda passes it to the function (the DynamoDB Streams record, plus the
/// stream's ARN).
pub fn stream_record(record: &Record, stream_arn: &str) -> EventRecord {
    let change = record.dynamodb.as_ref().expect("the emulator's stream records have their change");
    let image = |image: Option<
        &std::collections::HashMap<String, aws_sdk_dynamodbstreams::types::AttributeValue>,
    >| {
        image.map_or(Value::Null, |image| {
            serde_json::to_value(serde_dynamo::Item::from(image.clone())).expect("an item is JSON")
        })
    };
    serde_json::from_value(json!({
        "eventID": record.event_id,
        "eventName": record.event_name.as_ref().map(|name| name.as_str()),
        "eventVersion": record.event_version,
        "eventSource": record.event_source,
        "awsRegion": record.aws_region,
        "eventSourceARN": stream_arn,
        "dynamodb": {
            "ApproximateCreationDateTime": change.approximate_creation_date_time.map(|time| time.as_secs_f64()),
            "Keys": image(change.keys.as_ref()),
            "NewImage": image(change.new_image.as_ref()),
            "OldImage": image(change.old_image.as_ref()),
            "SequenceNumber": change.sequence_number,
            "SizeBytes": change.size_bytes,
            "StreamViewType": change.stream_view_type.as_ref().map(|view| view.as_str()),
        },
    }))
    .expect("a stream record is a Lambda stream record")
}

/// The sequence number of a stream record.
pub fn sequence_number(record: &Record) -> &str {
    record.dynamodb.as_ref().and_then(|change| change.sequence_number.as_deref()).unwrap_or_default()
}

/// An SQS message as Lambda passes it to the function.
pub fn sqs_message(message: &Message, queue_arn: &str, region: &str) -> SqsMessage {
    let mut delivered = SqsMessage::default();
    delivered.message_id = message.message_id.clone();
    delivered.receipt_handle = message.receipt_handle.clone();
    delivered.body = message.body.clone();
    delivered.md5_of_body = message.md5_of_body.clone();
    delivered.md5_of_message_attributes = message.md5_of_message_attributes.clone();
    delivered.event_source = Some("aws:sqs".to_owned());
    delivered.event_source_arn = Some(queue_arn.to_owned());
    delivered.aws_region = Some(region.to_owned());
    for (name, value) in message.attributes.iter().flatten() {
        delivered.attributes.insert(name.as_str().to_owned(), value.clone());
    }
    for (name, value) in message.message_attributes.iter().flatten() {
        let mut attribute = SqsMessageAttribute::default();
        attribute.data_type = Some(value.data_type.clone());
        attribute.string_value = value.string_value.clone();
        delivered.message_attributes.insert(name.clone(), attribute);
    }
    delivered
}

/// How many times SQS has handed out the message, this receive included.
pub fn receive_count(message: &Message) -> u32 {
    message
        .attributes
        .as_ref()
        .and_then(|attributes| attributes.get(&MessageSystemAttributeName::ApproximateReceiveCount))
        .and_then(|count| count.parse().ok())
        .unwrap_or(0)
}

/// What Lambda sends a stream's on-failure destination when a batch has failed every retry:
/// where the records are in the stream, not the records.
pub fn stream_failure(
    invocation: &str,
    function_arn: &str,
    invocations: u32,
    shard_id: &str,
    stream_arn: &str,
    records: &[Record],
) -> Value {
    let arrival = |record: Option<&Record>| {
        record
            .and_then(|record| record.dynamodb.as_ref())
            .and_then(|change| change.approximate_creation_date_time)
            .map(|time| time.to_string())
    };
    json!({
        "requestContext": {
            "requestId": invocation,
            "functionArn": function_arn,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": invocations,
        },
        "responseContext": { "statusCode": 200, "executedVersion": "$LATEST" },
        "version": "1.0",
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": records.first().map(sequence_number),
            "endSequenceNumber": records.last().map(sequence_number),
            "approximateArrivalOfFirstRecord": arrival(records.first()),
            "approximateArrivalOfLastRecord": arrival(records.last()),
            "batchSize": records.len(),
            "streamArn": stream_arn,
        },
    })
}
