//! The handler file of a function: its annotated entry points, reading the records of its
//! trigger, building and sending what it produces.

use super::handler_item::{HandlerItem, Names, annotation_lines, item_text};
use super::handler_snippets::{
    API_REQUEST, EVENTBRIDGE_RECORDS, KINESIS_RECORDS, OUTGOING, SNS_RECORDS, SQS_RECORDS, STREAM_RECORDS,
};
use super::plan::{Consume, Function, Plan, Produce, Shape, Style, Trigger};
use super::rng::Rng;
use super::rust_file::{RustFile, Subject, fill_file, target_lines};
use super::service_crate::trigger_sentence;
use super::text::{article, fill, indent, pascal, snake};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The handler file of `function`: the annotated items in one of the [`Style`]s, reading the
/// records of its trigger, building and sending what it produces, then ordinary items.
pub(super) fn handler_file(plan: &Plan, function: &Function, subject: &Subject, rng: &mut Rng) -> String {
    let names = Names { plan, short: rng.percent(55) };
    let produces_any = !function.produces.is_empty();
    let style = match rng.below(100) {
        0..=29 => Style::Stacked,
        30..=74 => Style::PerItem,
        _ if produces_any => Style::Methods,
        _ => Style::PerItem,
    };
    let qualified = rng.percent(10);
    let prefix = if qualified { "flowdoc_annotations::" } else { "" };
    let event_name = |event: usize| plan.events[event].name.clone();

    // The items, and which of them produces what.
    let mut items: Vec<HandlerItem> = Vec::new();
    match &function.trigger {
        Trigger::Api(routes) => {
            for route in routes {
                items.push(HandlerItem {
                    name: format!("{}_{}", route.verb, function.entity.snake),
                    doc: format!(
                        "`{} {}`: {}s {} {} and stores it.",
                        route.method.to_uppercase(),
                        route.path,
                        route.verb,
                        article(&function.entity.words()),
                        function.entity.words()
                    ),
                    consumes: Vec::new(),
                    produces: Vec::new(),
                    route: Some(route.clone()),
                });
            }
        }
        Trigger::Schedule(_) => items.push(HandlerItem {
            name: "run".to_owned(),
            doc: format!(
                "One run of the {}: asks for the work that is due.",
                function.role.replace('-', " ")
            ),
            consumes: Vec::new(),
            produces: Vec::new(),
            route: None,
        }),
        _ => {
            for consume in &function.consumes {
                let name = format!("on_{}", snake(&pascal(&event_name(consume.event))));
                let verbs = ["Handles", "Reacts to", "Takes care of", "Processes"];
                items.push(HandlerItem {
                    doc: format!(
                        "{} {}: the {} part of this function.",
                        rng.pick(&verbs),
                        event_name(consume.event),
                        function.role.replace('-', " ")
                    ),
                    name,
                    consumes: vec![consume.clone()],
                    produces: Vec::new(),
                    route: None,
                });
            }
        }
    }
    for (position, produce) in function.produces.iter().enumerate() {
        if items.is_empty() {
            break;
        }
        let same_event = items.iter().position(|item| {
            item.consumes.iter().any(|c| c.event == produce.event)
                || item.route.as_ref().is_some_and(|r| r.event == produce.event)
        });
        let target = same_event.unwrap_or(position % items.len());
        items[target].produces.push(produce.clone());
    }

    let mut file = RustFile::new(&fill(
        "The Lambda handler of `@package@`: @description@

@trigger@",
        &[
            ("package", &function.package),
            ("description", &function.description),
            ("trigger", &trigger_sentence(function)),
        ],
    ));
    for reserved in [
        "Outgoing",
        "Targets",
        "Record",
        "Request",
        "Handler",
        "EVENT_TYPE",
        "handle",
        "dispatch",
        "records",
        "deliver",
        "decode",
        "field",
        "untyped",
        "response",
        "plain",
        "event_type_of",
        "decode_base64",
    ] {
        file.names.insert(reserved.to_owned());
    }
    for item in &items {
        file.names.insert(item.name.clone());
    }
    for event in function.consumes.iter().map(|c| c.event).chain(function.produces.iter().map(|p| p.event)) {
        if let Some(rust) = &plan.events[event].rust {
            file.names.insert(rust.clone());
        }
    }

    // Imports.
    if !qualified {
        let mut attributes = Vec::new();
        if !function.consumes.is_empty() {
            attributes.push("event_consumer");
        }
        if produces_any {
            attributes.push("event_producer");
        }
        match attributes.as_slice() {
            [] => {}
            [one] => file.add_use(&format!("flowdoc_annotations::{one}")),
            several => file.add_use(&format!("flowdoc_annotations::{{{}}}", several.join(", "))),
        }
    }
    file.add_use("lambda_runtime::{Error, LambdaEvent}");
    let batch = matches!(function.trigger, Trigger::Queue | Trigger::Stream | Trigger::Kinesis);
    let uses_json = batch || matches!(function.trigger, Trigger::Api(_) | Trigger::Schedule(_));
    file.add_use(if uses_json { "serde_json::{Value, json}" } else { "serde_json::Value" });
    if !uses_json {
        file.test_uses.insert("serde_json::json".to_owned());
    }
    let typed_consumed: Vec<usize> =
        function.consumes.iter().map(|c| c.event).filter(|&e| plan.events[e].rust.is_some()).collect();
    let typed_produced: Vec<usize> = {
        let mut seen = BTreeSet::new();
        function
            .produces
            .iter()
            .map(|p| p.event)
            .filter(|&e| plan.events[e].rust.is_some() && seen.insert(e))
            .collect()
    };
    let untyped_produced = function.produces.iter().any(|p| plan.events[p.event].rust.is_none());
    let mut serde_imports = Vec::new();
    if produces_any {
        serde_imports.push("Serialize");
    }
    if !typed_consumed.is_empty() || !typed_produced.is_empty() {
        serde_imports.push("de::DeserializeOwned");
    }
    match serde_imports.as_slice() {
        [] => {}
        [one] => file.add_use(&format!("serde::{one}")),
        several => file.add_use(&format!("serde::{{{}}}", several.join(", "))),
    }
    let crates_consumed: BTreeSet<usize> = typed_consumed.iter().map(|&e| plan.events[e].domain).collect();
    for &domain in &crates_consumed {
        file.add_use(&format!("{}::DomainEvent as _", plan.domains[domain].events_ident()));
    }
    if names.short {
        let mut by_crate: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
        for event in typed_consumed.iter().chain(&typed_produced) {
            let spec = &plan.events[*event];
            by_crate.entry(spec.domain).or_default().insert(spec.rust.clone().unwrap_or_default());
        }
        for (domain, types) in by_crate {
            let crate_name = plan.domains[domain].events_ident();
            let types: Vec<String> = types.into_iter().collect();
            if types.len() == 1 {
                file.add_use(&format!("{crate_name}::{}", types[0]));
            } else {
                file.add_use(&format!("{crate_name}::{{{}}}", types.join(", ")));
            }
        }
    }

    let reads_event_type =
        matches!(function.trigger, Trigger::Queue | Trigger::Stream | Trigger::Kinesis | Trigger::Sns);
    if reads_event_type || untyped_produced {
        file.item(
            "/// The message attribute (or JSON field) that names the event a message carries.
const EVENT_TYPE: &str = \"event_type\";
"
            .to_owned(),
        );
    }

    // Where things go.
    let mut targets: Vec<(String, &'static str)> = Vec::new();
    for produce in &function.produces {
        if !targets.iter().any(|(var, _)| *var == produce.var) {
            targets.push((produce.var.clone(), produce.kind));
        }
    }
    if produces_any {
        file.item(OUTGOING.to_owned());
        file.test(
            "#[test]
fn outgoing_messages_are_json() {
    let message = Outgoing::new(\"q\", \"Ping\", &json!({ \"a\": 1 })).unwrap();
    assert_eq!(message.body, \"{\\\"a\\\":1}\");
}
"
            .to_owned(),
        );
        let mut fields = String::new();
        let mut reads = String::new();
        for (var, kind) in &targets {
            let _ = writeln!(
                fields,
                "    /// From `{var}`: the {kind} to send to.\n    pub {}: String,",
                var.to_ascii_lowercase()
            );
            let _ = writeln!(reads, "            {}: std::env::var(\"{var}\")?,", var.to_ascii_lowercase());
        }
        file.item(fill(
            "/// Where this function sends what it produces, read from its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
@fields@}

impl Targets {
    /// Reads the destinations from the environment.
    pub fn from_env() -> Result<Self, std::env::VarError> {
        Ok(Self {
@reads@        })
    }
}
",
            &[("fields", &fields), ("reads", &reads)],
        ));
    }

    // Reading the input.
    let consumer =
        !function.consumes.is_empty() && !matches!(function.trigger, Trigger::Api(_) | Trigger::Schedule(_));
    if consumer {
        file.item(
            "/// One message, change or event: its id, the name of the event it carries, and its body.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The id failures are reported by.
    pub id: String,
    /// The event's name.
    pub event_type: String,
    /// The event as JSON.
    pub body: Value,
}
"
            .to_owned(),
        );
        let consumed_names: Vec<String> = {
            let mut seen = BTreeSet::new();
            function
                .consumes
                .iter()
                .map(|c| event_name(c.event))
                .filter(|name| seen.insert(name.clone()))
                .collect()
        };
        match function.trigger {
            Trigger::Queue => {
                file.item(SQS_RECORDS.to_owned());
                file.test("#[test]
fn reads_the_messages_of_a_batch() {
    let payload = json!({ \"Records\": [{ \"messageId\": \"m-1\", \"body\": \"{\\\"event_type\\\":\\\"X\\\"}\" }] });
    let batch = records(&payload);
    assert_eq!(batch.len(), 1);
    assert_eq!(batch[0].event_type, \"X\");
    assert!(records(&json!({})).is_empty());
}
".to_owned());
            }
            Trigger::Sns => {
                file.item(SNS_RECORDS.to_owned());
                file.test("#[test]
fn reads_the_messages_of_a_notification() {
    let payload = json!({ \"Records\": [{ \"Sns\": { \"MessageId\": \"n-1\", \"Message\": \"{}\", \"MessageAttributes\": { \"event_type\": { \"Value\": \"X\" } } } }] });
    assert_eq!(records(&payload)[0].event_type, \"X\");
}
".to_owned());
            }
            Trigger::Stream => {
                file.item(STREAM_RECORDS.to_owned());
                let arms = match consumed_names.as_slice() {
                    [only] => format!("    let _ = change;\n    \"{only}\"\n"),
                    [first, rest @ ..] => {
                        let mut arms = format!("    match change {{\n        \"INSERT\" => \"{first}\",\n");
                        if rest.len() > 1 {
                            let _ = writeln!(arms, "        \"MODIFY\" => \"{}\",", rest[0]);
                        }
                        let _ = write!(arms, "        _ => \"{}\",\n    }}\n", rest[rest.len() - 1]);
                        arms
                    }
                    [] => "    let _ = change;\n    \"\"\n".to_owned(),
                };
                file.item(format!(
                    "/// The event a change stands for when its item does not say.
fn event_type_of(change: &str) -> &'static str {{
{arms}}}
"
                ));
                file.test("#[test]
fn attribute_values_become_plain_json() {
    assert_eq!(plain(&json!({ \"S\": \"a\" })), json!(\"a\"));
    assert_eq!(plain(&json!({ \"N\": \"12\" })), json!(12));
    assert_eq!(plain(&json!({ \"id\": { \"S\": \"x\" }, \"n\": { \"N\": \"1\" } })), json!({ \"id\": \"x\", \"n\": 1 }));
}
".to_owned());
            }
            Trigger::Kinesis => {
                file.item(KINESIS_RECORDS.to_owned());
                file.test(
                    "#[test]
fn decodes_base64() {
    assert_eq!(decode_base64(\"aGVsbG8=\"), Some(b\"hello\".to_vec()));
    assert_eq!(decode_base64(\"*\"), None);
}
"
                    .to_owned(),
                );
            }
            _ => {
                file.item(EVENTBRIDGE_RECORDS.to_owned());
                file.test(
                    "#[test]
fn reads_the_event() {
    let read = records(&json!({ \"id\": \"e-1\", \"detail-type\": \"X\", \"detail\": { \"a\": 1 } }));
    assert_eq!((read[0].id.as_str(), read[0].event_type.as_str()), (\"e-1\", \"X\"));
}
"
                    .to_owned(),
                );
            }
        }
        if !typed_consumed.is_empty() {
            file.item(
                "/// The record's body as a `T`.
fn decode<T: DeserializeOwned>(record: &Record) -> Result<T, String> {
    serde_json::from_value(record.body.clone())
        .map_err(|error| format!(\"record {} is not a {}: {error}\", record.id, record.event_type))
}
"
                .to_owned(),
            );
        }
    }
    if matches!(function.trigger, Trigger::Api(_)) {
        file.item(API_REQUEST.to_owned());
    }

    // The entry point and the items.
    let methods = style == Style::Methods;
    let owner = if methods { "self.targets" } else { "targets" };
    let out_ty = if produces_any { "Vec<Outgoing>" } else { "()" };
    let stacked = if style == Style::Stacked {
        let consumes: Vec<Consume> = items.iter().flat_map(|item| item.consumes.clone()).collect();
        let produces: Vec<Produce> = items.iter().flat_map(|item| item.produces.clone()).collect();
        annotation_lines(&names, prefix, &consumes, &produces)
    } else {
        String::new()
    };
    let setup = match (produces_any, methods) {
        (false, _) => String::new(),
        (true, false) => "    let targets = Targets::from_env()?;\n".to_owned(),
        (true, true) => {
            "    let targets = Targets::from_env()?;\n    let handler = Handler { targets: &targets };\n"
                .to_owned()
        }
    };
    let call_prefix = if methods { "handler." } else { "" };
    let call_args = if produces_any && !methods { "&targets, " } else { "" };
    let mut item_texts = Vec::new();
    for item in &items {
        item_texts.push(item_text(plan, &names, function, item, style, prefix, owner, out_ty));
    }
    match &function.trigger {
        Trigger::Api(_) => {
            let arms: String = items
                .iter()
                .map(|item| {
                    let route = item
                        .route
                        .as_ref()
                        .map(|r| (r.method.to_uppercase(), r.path.clone()))
                        .unwrap_or_default();
                    format!(
                        "        (\"{}\", \"{}\") => {call_prefix}{}({call_args}&request).await,\n",
                        route.0, route.1, item.name
                    )
                })
                .collect();
            file.item(fill(
                "/// Entry point: one API Gateway request, answered with a JSON body.
@stacked@pub async fn handle(event: LambdaEvent<Value>) -> Result<Value, Error> {
@setup@    let request = Request::from_payload(&event.payload);
    let result = match (request.method.as_str(), request.route.as_str()) {
@arms@        _ => Err((404, format!(\"no route for {} {}\", request.method, request.route))),
    };
    Ok(match result {
        Ok(outgoing) => {
            deliver(&outgoing);
            response(202, &json!({ \"accepted\": outgoing.len() }))
        }
        Err((status, message)) => response(status, &json!({ \"message\": message })),
    })
}
",
                &[("stacked", &stacked), ("setup", &setup), ("arms", &arms)],
            ));
        }
        Trigger::Schedule(_) => {
            let (run, result) = if produces_any {
                (
                    format!(
                        "    let outgoing = {call_prefix}run({call_args}&source).await?;
    deliver(&outgoing);
"
                    ),
                    "json!({ \"sent\": outgoing.len() })",
                )
            } else {
                (format!("    {call_prefix}run(&source).await?;\n"), "json!({ \"ok\": true })")
            };
            file.item(fill(
                "/// Entry point: one tick of the schedule.
@stacked@pub async fn handle(event: LambdaEvent<Value>) -> Result<Value, Error> {
@setup@    let source = json!({
        \"correlation_id\": event.payload.get(\"id\").and_then(Value::as_str).unwrap_or_default(),
        \"requested_at\": event.payload.get(\"time\").and_then(Value::as_str).unwrap_or_default(),
    });
@run@    Ok(@result@)
}
",
                &[("stacked", &stacked), ("setup", &setup), ("run", &run), ("result", result)],
            ));
        }
        _ => {
            let dispatch_param = match (produces_any, methods) {
                (false, _) => "",
                (true, false) => "targets: &Targets, ",
                (true, true) => "handler: &Handler<'_>, ",
            };
            let dispatch_args = match (produces_any, methods) {
                (false, _) => "",
                (true, false) => "&targets, ",
                (true, true) => "&handler, ",
            };
            let item_args = if produces_any && !methods { "targets, " } else { "" };
            let mut arms = String::new();
            let mut seen = BTreeSet::new();
            for item in &items {
                let name = event_name(item.consumes[0].event);
                if seen.insert(name.clone()) {
                    let _ = writeln!(
                        arms,
                        "        \"{name}\" => {call_prefix}{}({item_args}record).await,",
                        item.name
                    );
                }
            }
            file.item(fill(
                "/// Finds the handler of the record's event.
async fn dispatch(@param@record: &Record) -> Result<@out@, String> {
    match record.event_type.as_str() {
@arms@        other => Err(format!(\"unexpected event type `{other}`\")),
    }
}
",
                &[("param", dispatch_param), ("out", out_ty), ("arms", &arms)],
            ));
            let source = function.consumes[0].from.clone();
            if batch {
                let (ok_arm, collect, send) = if produces_any {
                    (
                        "Ok(mut messages) => outgoing.append(&mut messages),",
                        "    let mut outgoing = Vec::new();\n",
                        "    deliver(&outgoing);\n",
                    )
                } else {
                    ("Ok(()) => {}", "", "")
                };
                file.item(fill(
                    "/// Entry point: one batch from `@source@`. A record that fails is reported as a batch
/// item failure, so only it is retried.
@stacked@pub async fn handle(event: LambdaEvent<Value>) -> Result<Value, Error> {
@setup@@collect@    let mut failures = Vec::new();
    for record in records(&event.payload) {
        match dispatch(@args@&record).await {
            @ok@
            Err(error) => {
                tracing::warn!(record = record.id.as_str(), error = error.as_str(), \"record failed\");
                failures.push(json!({ \"itemIdentifier\": record.id }));
            }
        }
    }
@send@    Ok(json!({ \"batchItemFailures\": failures }))
}
",
                    &[
                        ("source", &source),
                        ("stacked", &stacked),
                        ("setup", &setup),
                        ("collect", collect),
                        ("args", dispatch_args),
                        ("ok", ok_arm),
                        ("send", send),
                    ],
                ));
            } else {
                let (collect, call, send) = if produces_any {
                    (
                        "    let mut outgoing = Vec::new();\n",
                        format!(
                            "        let mut messages = dispatch({dispatch_args}&record).await.map_err(Error::from)?;
        outgoing.append(&mut messages);
"
                        ),
                        "    deliver(&outgoing);\n",
                    )
                } else {
                    ("", "        dispatch(&record).await.map_err(Error::from)?;\n".to_owned(), "")
                };
                file.item(fill(
                    "/// Entry point: invoked asynchronously through `@source@`. An error makes Lambda retry,
/// then send the event to the function's failure destination.
@stacked@pub async fn handle(event: LambdaEvent<Value>) -> Result<Value, Error> {
@setup@@collect@    for record in records(&event.payload) {
@call@    }
@send@    Ok(Value::Null)
}
",
                    &[
                        ("source", &source),
                        ("stacked", &stacked),
                        ("setup", &setup),
                        ("collect", collect),
                        ("call", &call),
                        ("send", send),
                    ],
                ));
            }
        }
    }
    if methods {
        let body: String = item_texts.iter().map(|text| indent(text, 4)).collect::<Vec<_>>().join("\n");
        file.item(format!(
            "/// The handlers of `{}`, with where they send what they produce.
#[derive(Debug)]
pub struct Handler<'a> {{
    targets: &'a Targets,
}}

impl Handler<'_> {{
{body}}}
",
            function.package
        ));
    } else {
        for text in item_texts {
            file.item(text);
        }
    }

    // Building what is produced.
    for &event in &typed_produced {
        let spec = &plan.events[event];
        let rust = names.rust(event).unwrap_or_default();
        let builder = format!("{}_from", snake(spec.rust.as_deref().unwrap_or_default()));
        let (constructor, fields) = match &spec.shape {
            Shape::Struct(fields) => (rust.clone(), fields.clone()),
            Shape::Enum(variants) => (format!("{rust}::{}", variants[0].0), variants[0].2.clone()),
            Shape::Untyped => (rust.clone(), Vec::new()),
        };
        let values: String = fields
            .iter()
            .map(|field| format!("        {0}: field(source, \"{0}\"),\n", field.name))
            .collect();
        file.item(format!(
            "/// {} `{}` from the fields of `source` it shares; the others at their defaults.
fn {builder}(source: &Value) -> {rust} {{
    {constructor} {{
{values}    }}
}}
",
            if spec.name.starts_with(['A', 'E', 'I', 'O', 'U']) { "An" } else { "A" },
            spec.name
        ));
        if matches!(spec.shape, Shape::Struct(_)) && file.tests.len() < 6 {
            file.test(format!(
                "#[test]
fn {builder}_keeps_the_correlation_id() {{
    let event = {builder}(&json!({{ \"correlation_id\": \"c-7\" }}));
    assert_eq!(event.correlation_id, \"c-7\");
}}
"
            ));
        }
    }
    if !typed_produced.is_empty() {
        file.item("/// The field `name` of `source` as a `T`, or `T`'s default when it is missing or of another shape.
fn field<T: DeserializeOwned + Default>(source: &Value, name: &str) -> T {
    source.get(name).cloned().and_then(|value| serde_json::from_value(value).ok()).unwrap_or_default()
}
".to_owned());
    }
    if untyped_produced {
        file.item(
            "/// `source` with its event type set, for events without a Rust type.
fn untyped(source: &Value, event_type: &str) -> Value {
    let mut body = source.clone();
    if let Some(fields) = body.as_object_mut() {
        fields.insert(EVENT_TYPE.to_owned(), Value::String(event_type.to_owned()));
    }
    body
}
"
            .to_owned(),
        );
    }
    if produces_any {
        file.item(
            "/// Sends what the handlers produced. This build logs each message; a deployment passes the
/// AWS SDK client of the destination's service here.
fn deliver(outgoing: &[Outgoing]) {
    for message in outgoing {
        tracing::info!(
            destination = message.destination.as_str(),
            event_type = message.event_type,
            bytes = message.body.len(),
            \"sending\"
        );
    }
}
"
            .to_owned(),
        );
    }
    let target = target_lines(rng).max(file.lines + 20);
    let target = target.min(file.lines + 200);
    fill_file(&mut file, rng, subject, &[], target);
    file.render()
}
