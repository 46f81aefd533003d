//! Fixed code a handler file carries depending on its trigger: the outgoing message, reading the
//! records of SQS, SNS, DynamoDB streams, Kinesis and EventBridge, and the API request.

/// The message a handler sends, and where it goes.
pub(super) const OUTGOING: &str = "/// A message for a queue, topic, table, stream or bus, and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The queue URL, topic ARN, or table, stream or bus name, from the environment.
    pub destination: String,
    /// The event's name: the `event_type` attribute, or the EventBridge `detail-type`.
    pub event_type: &'static str,
    /// The event as JSON.
    pub body: String,
}

impl Outgoing {
    /// `event` for `destination`, as JSON.
    pub fn new(destination: &str, event_type: &'static str, event: &impl Serialize) -> Result<Self, String> {
        let body = serde_json::to_string(event).map_err(|error| error.to_string())?;
        Ok(Self { destination: destination.to_owned(), event_type, body })
    }
}
";

/// Reading the messages of an SQS batch.
pub(super) const SQS_RECORDS: &str =
    "/// The messages of an SQS batch. A body that is not JSON is kept as a string, so that record
/// fails on its own rather than the whole batch.
fn records(payload: &Value) -> Vec<Record> {
    payload
        .get(\"Records\")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|message| {
            let raw = message.get(\"body\").and_then(Value::as_str).unwrap_or_default();
            let body: Value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()));
            let event_type = message
                .pointer(\"/messageAttributes/event_type/stringValue\")
                .and_then(Value::as_str)
                .or_else(|| body.get(EVENT_TYPE).and_then(Value::as_str))
                .unwrap_or_default()
                .to_owned();
            let id = message.get(\"messageId\").and_then(Value::as_str).unwrap_or_default().to_owned();
            Record { id, event_type, body }
        })
        .collect()
}
";

/// Reading the messages of an SNS notification.
pub(super) const SNS_RECORDS: &str = "/// The messages of an SNS notification (one, in practice).
fn records(payload: &Value) -> Vec<Record> {
    payload
        .get(\"Records\")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|record| {
            let raw = record.pointer(\"/Sns/Message\").and_then(Value::as_str).unwrap_or_default();
            let body: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
            let event_type = record
                .pointer(\"/Sns/MessageAttributes/event_type/Value\")
                .and_then(Value::as_str)
                .or_else(|| body.get(EVENT_TYPE).and_then(Value::as_str))
                .unwrap_or_default()
                .to_owned();
            let id = record.pointer(\"/Sns/MessageId\").and_then(Value::as_str).unwrap_or_default().to_owned();
            Record { id, event_type, body }
        })
        .collect()
}
";

/// Reading the changes of a DynamoDB stream batch.
pub(super) const STREAM_RECORDS: &str = "/// The changes of a DynamoDB stream batch, their items as plain JSON. The id is the sequence
/// number, which is what batch item failures name.
fn records(payload: &Value) -> Vec<Record> {
    payload
        .get(\"Records\")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|change| {
            let image = change
                .pointer(\"/dynamodb/NewImage\")
                .or_else(|| change.pointer(\"/dynamodb/OldImage\"))
                .map_or(Value::Null, plain);
            let name = change.get(\"eventName\").and_then(Value::as_str).unwrap_or_default();
            let event_type = image
                .get(EVENT_TYPE)
                .and_then(Value::as_str)
                .map_or_else(|| event_type_of(name).to_owned(), str::to_owned);
            let id = change.pointer(\"/dynamodb/SequenceNumber\").and_then(Value::as_str).unwrap_or_default().to_owned();
            Record { id, event_type, body: image }
        })
        .collect()
}

/// A DynamoDB attribute value as plain JSON: `{\"S\": \"a\"}` becomes `\"a\"`, `{\"N\": \"1\"}` becomes `1`,
/// maps and lists recursively.
fn plain(value: &Value) -> Value {
    let Value::Object(map) = value else { return value.clone() };
    if map.len() == 1
        && let Some((kind, inner)) = map.iter().next()
    {
        match (kind.as_str(), inner) {
            (\"S\", Value::String(text)) => return Value::String(text.clone()),
            (\"N\", Value::String(text)) => {
                return text.parse::<u64>().map_or_else(|_| Value::String(text.clone()), Value::from);
            }
            (\"BOOL\", Value::Bool(flag)) => return Value::Bool(*flag),
            (\"NULL\", _) => return Value::Null,
            (\"M\", Value::Object(_)) => return plain(inner),
            (\"L\", Value::Array(items)) => return Value::Array(items.iter().map(plain).collect()),
            _ => {}
        }
    }
    Value::Object(map.iter().map(|(key, value)| (key.clone(), plain(value))).collect())
}
";

/// Reading the records of a Kinesis batch.
pub(super) const KINESIS_RECORDS: &str = "/// The records of a Kinesis batch: base64 data holding JSON events. The id is the sequence
/// number, which is what batch item failures name.
fn records(payload: &Value) -> Vec<Record> {
    payload
        .get(\"Records\")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|entry| {
            let data = entry.pointer(\"/kinesis/data\").and_then(Value::as_str).unwrap_or_default();
            let body: Value =
                decode_base64(data).and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or(Value::Null);
            let event_type = body.get(EVENT_TYPE).and_then(Value::as_str).unwrap_or_default().to_owned();
            let id = entry.pointer(\"/kinesis/sequenceNumber\").and_then(Value::as_str).unwrap_or_default().to_owned();
            Record { id, event_type, body }
        })
        .collect()
}

/// Standard base64 (padding ignored); None on a character outside the alphabet.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => continue,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push(u8::try_from(bits >> count).unwrap_or(u8::MAX));
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}
";

/// Reading the event EventBridge delivers.
pub(super) const EVENTBRIDGE_RECORDS: &str =
    "/// The event EventBridge delivers: its `detail-type` names it, its `detail` is the body.
fn records(payload: &Value) -> Vec<Record> {
    let text = |name: &str| payload.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
    vec![Record {
        id: text(\"id\"),
        event_type: text(\"detail-type\"),
        body: payload.get(\"detail\").cloned().unwrap_or(Value::Null),
    }]
}
";

/// Reading an API Gateway request, and the response.
pub(super) const API_REQUEST: &str = "/// An API Gateway request, as far as this function reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// `POST`, `PUT`, ...
    pub method: String,
    /// The route as declared, as in `/orders/{id}`.
    pub route: String,
    /// The `{id}` path parameter, if the route has one.
    pub id: String,
    /// The JSON body; `null` when there is none or it is not JSON.
    pub body: Value,
    /// The `x-correlation-id` header; empty when the caller sent none.
    pub correlation_id: String,
}

impl Request {
    /// Reads the request from the proxy integration's payload.
    pub fn from_payload(payload: &Value) -> Self {
        let text = |pointer: &str| payload.pointer(pointer).and_then(Value::as_str).unwrap_or_default().to_owned();
        let raw = text(\"/body\");
        Self {
            method: text(\"/httpMethod\"),
            route: text(\"/resource\"),
            id: text(\"/pathParameters/id\"),
            body: serde_json::from_str(&raw).unwrap_or(Value::Null),
            correlation_id: text(\"/headers/x-correlation-id\"),
        }
    }
}

/// A proxy integration response with a JSON body.
fn response(status: u16, body: &Value) -> Value {
    json!({
        \"statusCode\": status,
        \"headers\": { \"content-type\": \"application/json\" },
        \"body\": body.to_string(),
    })
}
";
