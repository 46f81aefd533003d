//! API Gateway written out as resources: REST methods (`AWS::ApiGateway::Method`) with the path
//! their resource chain builds, HTTP and WebSocket routes (`AWS::ApiGatewayV2::Route`) joined to
//! their integrations, the quick-create target of an `AWS::ApiGatewayV2::Api`, and Lambda
//! authorizers. Each integration becomes a relation from the API: a trigger where it invokes a
//! function, a route where it calls another service (a queue, topic, stream, table, bus, state
//! machine, bucket, or an outside URL), labelled with method and path.

use super::emit::Emit;
use super::model::{Endpoint, External, Reference, RelationKind, Route, RouteVia, Trigger, TriggerSource};
use super::yaml::{Node, Value};

/// How deep a REST API's resource chain may go before flowdoc stops following it.
const MAX_PATH_DEPTH: usize = 64;

/// One integration of an API route, as REST methods, HTTP API integrations and OpenAPI write it.
#[derive(Debug, Default)]
pub(crate) struct Integration<'n> {
    /// `Type` / `IntegrationType` / `type`, lower case: `aws_proxy`, `aws`, `http`, `mock`, ...
    pub(crate) kind: Option<String>,
    /// `Uri` / `IntegrationUri` / `uri`.
    pub(crate) uri: Option<&'n Node>,
    /// `IntegrationSubtype` of HTTP API service integrations, such as `SQS-SendMessage`.
    pub(crate) subtype: Option<String>,
    /// `RequestParameters` / `requestParameters`.
    pub(crate) parameters: Option<&'n Node>,
    /// `RequestTemplates` / `requestTemplates`.
    pub(crate) templates: Option<&'n Node>,
}

/// Where an integration is declared and how its relations are named.
#[derive(Debug)]
pub(crate) struct Call<'c> {
    /// The API the request comes in on.
    pub(crate) api: &'c Endpoint,
    /// Method and path (`POST /orders`) or route key (`$connect`).
    pub(crate) label: &'c str,
    /// How a function behind it is invoked.
    pub(crate) source: TriggerSource,
    /// The name of what declares it: a logical ID, or the OpenAPI path.
    pub(crate) name: &'c str,
    /// Where it is written.
    pub(crate) at: &'c Node,
    /// Behind a condition.
    pub(crate) conditional: bool,
}

/// `AWS::ApiGateway::Method`: its integration, from the REST API, labelled `METHOD /path`.
pub(crate) fn method(emit: &mut Emit<'_, '_>, id: &str, key: &Node, props: &Node) {
    let Some((at, integration)) = props.entry("Integration") else { return };
    let Some(api_node) = props.get("RestApiId") else {
        emit.warn(key, "method without a RestApiId; its integration is not followed");
        return;
    };
    let method = emit.text(props.get("HttpMethod")).unwrap_or_else(|| "ANY".into()).to_uppercase();
    let label = match props.get("ResourceId").and_then(|resource| rest_path(emit, resource)) {
        Some(path) => format!("{method} {path}"),
        None => {
            emit.warn(key, "the method's ResourceId does not lead to the API's root; its path is not known");
            method
        }
    };
    let integration = Integration {
        kind: emit.text(integration.get("Type")).map(|kind| kind.to_lowercase()),
        uri: integration.get("Uri"),
        subtype: None,
        parameters: integration.get("RequestParameters"),
        templates: integration.get("RequestTemplates"),
    };
    integrate_from_each(emit, api_node, &integration, &label, &TriggerSource::Api, id, at);
}

/// The path of a REST API resource: `/` for the API's `RootResourceId`, else the `PathPart`s of
/// the `AWS::ApiGateway::Resource` chain up to it.
fn rest_path(emit: &Emit<'_, '_>, resource: &Node) -> Option<String> {
    let mut parts = Vec::new();
    let mut current = resource.clone();
    for _ in 0..MAX_PATH_DEPTH {
        let reference = emit.targets(&current).into_iter().next()?;
        if reference.attribute.as_deref() == Some("RootResourceId") {
            parts.reverse();
            return Some(format!("/{}", parts.join("/")));
        }
        let id = reference.target.resource()?;
        if emit.names.resources.get(id).map(String::as_str) != Some("AWS::ApiGateway::Resource") {
            return None;
        }
        let props = emit.names.properties.get(id)?;
        parts.push(emit.text(props.get("PathPart"))?);
        current = props.get("ParentId")?.clone();
    }
    None
}

/// `AWS::ApiGatewayV2::Route`: the integration its `Target` names, from the API, labelled with
/// the `RouteKey`.
pub(crate) fn route(emit: &mut Emit<'_, '_>, id: &str, key: &Node, props: &Node) {
    let Some((at, target)) = props.entry("Target") else { return };
    let route_key = emit.text(props.get("RouteKey")).unwrap_or_else(|| "$default".into());
    let integration_id = emit
        .names
        .references(target, false)
        .into_iter()
        .filter_map(|reference| reference.target.resource().map(str::to_owned))
        .find(|id| {
            emit.names
                .resources
                .get(id)
                .is_some_and(|type_name| type_name == "AWS::ApiGatewayV2::Integration")
        });
    let Some(integration_props) = integration_id.and_then(|id| emit.names.properties.get(&id).copied())
    else {
        emit.warn(at, "the route's Target names no integration of this template; it is not followed");
        return;
    };
    let Some(api_node) = props.get("ApiId").or_else(|| integration_props.get("ApiId")) else {
        emit.warn(key, "route without an ApiId; its integration is not followed");
        return;
    };
    let integration = v2_integration(emit, integration_props);
    integrate_from_each(emit, api_node, &integration, &route_key, &TriggerSource::HttpApi, id, at);
}

/// `integration`, declared at `at` by `name` for the route `label`, from each API `api_node`
/// names (more than one behind `Fn::If`).
fn integrate_from_each(
    emit: &mut Emit<'_, '_>,
    api_node: &Node,
    integration: &Integration<'_>,
    label: &str,
    source: &TriggerSource,
    name: &str,
    at: &Node,
) {
    for api in emit.targets(api_node) {
        let call =
            Call { api: &api.target, label, source: source.clone(), name, at, conditional: api.conditional };
        integrate(emit, integration, &call);
    }
}

/// The integration an `AWS::ApiGatewayV2::Integration` declares.
fn v2_integration<'n>(emit: &Emit<'_, '_>, props: &'n Node) -> Integration<'n> {
    Integration {
        kind: emit.text(props.get("IntegrationType")).map(|kind| kind.to_lowercase()),
        uri: props.get("IntegrationUri"),
        subtype: emit.text(props.get("IntegrationSubtype")),
        parameters: props.get("RequestParameters"),
        templates: props.get("RequestTemplates"),
    }
}

/// The quick-create `Target` of an `AWS::ApiGatewayV2::Api`: its one route (`RouteKey`, by
/// default `$default`) to a function.
pub(crate) fn quick_create(emit: &mut Emit<'_, '_>, id: &str, props: &Node) {
    let Some((at, target)) = props.entry("Target") else { return };
    let route_key = emit.text(props.get("RouteKey")).unwrap_or_else(|| "$default".into());
    let integration =
        Integration { kind: Some("aws_proxy".into()), uri: Some(target), ..Integration::default() };
    let api = Endpoint::Resource(id.to_owned());
    let call = Call {
        api: &api,
        label: &route_key,
        source: TriggerSource::HttpApi,
        name: id,
        at,
        conditional: false,
    };
    integrate(emit, &integration, &call);
}

/// `AWS::ApiGateway::Authorizer` and `AWS::ApiGatewayV2::Authorizer`: the function behind a
/// Lambda authorizer, called by its API.
pub(crate) fn authorizer(emit: &mut Emit<'_, '_>, id: &str, type_name: &str, key: &Node, props: &Node) {
    let Some((at, uri)) = props.entry("AuthorizerUri") else { return };
    let api_key = if type_name == "AWS::ApiGateway::Authorizer" { "RestApiId" } else { "ApiId" };
    let Some(api_node) = props.get(api_key) else {
        emit.warn(key, format!("authorizer without an {api_key}; it is not followed"));
        return;
    };
    let name =
        emit.text(props.get("Name")).filter(|name| !name.contains("${")).unwrap_or_else(|| id.to_owned());
    for api in emit.targets(api_node) {
        authorize(emit, &api.target, &name, uri, at, api.conditional);
    }
}

/// SAM's `Auth.Authorizers` of an `AWS::Serverless::Api` or `HttpApi`: each `FunctionArn`.
pub(crate) fn sam_authorizers(emit: &mut Emit<'_, '_>, id: &str, props: &Node) {
    let api = Endpoint::Resource(id.to_owned());
    for (name, config) in props.path(&["Auth", "Authorizers"]).and_then(Node::as_map).unwrap_or_default() {
        let (Some(name_text), Some(function)) = (name.as_str(), config.get("FunctionArn")) else { continue };
        authorize(emit, &api, name_text, function, name, false);
    }
}

/// A Lambda authorizer `name` of `api`: `uri` names its function, as an invocation URI or an ARN.
pub(crate) fn authorize(
    emit: &mut Emit<'_, '_>,
    api: &Endpoint,
    name: &str,
    uri: &Node,
    at: &Node,
    conditional: bool,
) {
    let trigger = Trigger {
        source: TriggerSource::Authorizer,
        name: name.to_owned(),
        route: Some(format!("authorizer {name}")),
        enabled: true,
        ..Trigger::default()
    };
    for reference in function_references(emit, uri) {
        let function = emit.names.function_of(&reference.target).map_or(reference.target, Endpoint::Resource);
        let kind = RelationKind::Trigger(trigger.clone());
        emit.relate(api.clone(), function, kind, at, conditional || reference.conditional);
    }
}

/// What a Lambda invocation URI (`arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/
/// FUNCTION_ARN/invocations`) or a plain function ARN names.
fn function_references(emit: &Emit<'_, '_>, uri: &Node) -> Vec<Reference> {
    if let Some(text) = emit.text(Some(uri))
        && let Some(ServiceUri { service: "lambda", rest, .. }) = ServiceUri::parse(&text)
    {
        let function = rest
            .split_once("functions/")
            .map_or(rest, |(_, after)| after)
            .trim_end_matches('/')
            .trim_end_matches("/invocations");
        return resolve_text(emit, function, None, uri);
    }
    emit.targets(uri)
}

/// An integration's relations: a trigger to the function it invokes, or a route to the service
/// or URL it calls. A mock integration calls nothing.
pub(crate) fn integrate(emit: &mut Emit<'_, '_>, integration: &Integration<'_>, call: &Call<'_>) {
    if integration.kind.as_deref() == Some("mock") {
        return;
    }
    if let Some(subtype) = &integration.subtype {
        let (service, action) = subtype.split_once('-').unwrap_or((subtype.as_str(), ""));
        let service = match service.to_ascii_lowercase().as_str() {
            "eventbridge" => "events".to_owned(),
            "stepfunctions" => "states".to_owned(),
            other => other.to_owned(),
        };
        let targets = service_targets(emit, &service, action, integration, call.at);
        route_to(emit, targets, call);
        return;
    }
    let Some(uri) = integration.uri else {
        if matches!(integration.kind.as_deref(), Some("aws" | "aws_proxy" | "http" | "http_proxy")) {
            emit.warn(call.at, "integration without a Uri; it is not followed");
        }
        return;
    };
    let text = emit.text(Some(uri));
    match text.as_deref().and_then(ServiceUri::parse) {
        Some(ServiceUri { service: "lambda", .. }) => invoke(emit, function_references(emit, uri), call),
        Some(ServiceUri { service, rest, .. }) => {
            let targets = service_targets(emit, service, rest, integration, uri);
            route_to(emit, targets, call);
        }
        None if matches!(integration.kind.as_deref(), Some("http" | "http_proxy")) => {
            // A load balancer or listener by reference, a URL parameter, or the URL itself.
            let mut targets = emit.targets(uri);
            if targets.is_empty()
                && let Some(url) = text
            {
                targets.push(outside(emit, External::Service(url), uri));
            }
            route_to(emit, targets, call);
        }
        // An HTTP API's Lambda integration may name the function's ARN itself.
        None => invoke(emit, emit.targets(uri), call),
    }
}

/// Triggers to the functions among `references` (routes to anything else they name).
fn invoke(emit: &mut Emit<'_, '_>, references: Vec<Reference>, call: &Call<'_>) {
    let trigger = Trigger {
        source: call.source.clone(),
        name: call.name.to_owned(),
        route: Some(call.label.to_owned()),
        enabled: true,
        ..Trigger::default()
    };
    for reference in references {
        let conditional = call.conditional || reference.conditional;
        match emit.names.function_of(&reference.target) {
            Some(function) => emit.relate(
                call.api.clone(),
                Endpoint::Resource(function),
                RelationKind::Trigger(trigger.clone()),
                call.at,
                conditional,
            ),
            None => emit.relate(call.api.clone(), reference.target, api_route(call), call.at, conditional),
        }
    }
}

/// Routes from the API to each of `targets`.
fn route_to(emit: &mut Emit<'_, '_>, targets: Vec<Reference>, call: &Call<'_>) {
    for reference in targets {
        let conditional = call.conditional || reference.conditional;
        emit.relate(call.api.clone(), reference.target, api_route(call), call.at, conditional);
    }
}

/// The route relation of an API integration.
fn api_route(call: &Call<'_>) -> RelationKind {
    RelationKind::Route(Route {
        via: RouteVia::ApiIntegration,
        label: Some(call.label.to_owned()),
        ..Route::default()
    })
}

/// A reference to something outside the template, written at `at`.
fn outside(emit: &Emit<'_, '_>, external: External, at: &Node) -> Reference {
    Reference {
        target: Endpoint::External(external),
        attribute: None,
        conditional: false,
        location: emit.at(at),
    }
}

/// An API Gateway service URI: `arn:PARTITION:apigateway:REGION:SERVICE:(path|action)/REST`.
#[derive(Debug)]
struct ServiceUri<'t> {
    /// The AWS service, such as `sqs` or `lambda`.
    service: &'t str,
    /// What follows `path/` or `action/`: a path or an action name.
    rest: &'t str,
}

impl<'t> ServiceUri<'t> {
    fn parse(text: &'t str) -> Option<ServiceUri<'t>> {
        let rest = text.strip_prefix("arn:")?;
        let (_partition, rest) = rest.split_once(':')?;
        let rest = rest.strip_prefix("apigateway:")?;
        // The region may be `${AWS::Region}`, which holds colons of its own.
        let rest = match rest.strip_prefix("${") {
            Some(placeholder) => placeholder.split_once('}')?.1.strip_prefix(':')?,
            None => rest.split_once(':')?.1,
        };
        let (service, rest) = rest.split_once(':')?;
        let rest = rest.strip_prefix("path/").or_else(|| rest.strip_prefix("action/")).unwrap_or(rest);
        Some(ServiceUri { service, rest })
    }
}

/// The property names that name the target of each service's actions.
fn target_keys(service: &str) -> &'static [&'static str] {
    match service {
        "sqs" => &["QueueUrl"],
        "sns" => &["TopicArn", "TargetArn"],
        "kinesis" => &["StreamName", "StreamARN"],
        "firehose" => &["DeliveryStreamName"],
        "dynamodb" => &["TableName"],
        "events" => &["EventBusName"],
        "states" => &["StateMachineArn"],
        "lambda" => &["FunctionName"],
        _ => &[],
    }
}

/// What a service integration calls: the queue of an SQS path, the bucket of an S3 path, or the
/// resource its request parameters or templates name. Where the target is chosen per request,
/// the service itself; where an `events` call names no bus, the default bus.
fn service_targets(
    emit: &Emit<'_, '_>,
    service: &str,
    rest: &str,
    integration: &Integration<'_>,
    at: &Node,
) -> Vec<Reference> {
    let segment = |index: usize| rest.split('/').nth(index).filter(|part| !part.is_empty());
    let from_path = match service {
        "sqs" => segment(1),
        "s3" => segment(0),
        _ => None,
    };
    let mut named_any = false;
    let mut found = Vec::new();
    if let Some(name) = from_path
        && !is_dynamic(name, true)
    {
        named_any = true;
        found.extend(resolve_text(emit, name, None, at));
    }
    for key in target_keys(service) {
        for written in written_values(emit, integration, key) {
            named_any = true;
            match written {
                Written::Text(value, variables, at) => {
                    if !is_dynamic(&value, variables.is_some()) {
                        found.extend(resolve_text(emit, &value, variables.flatten(), at));
                    }
                }
                Written::Value(node) => found.extend(emit.targets(node)),
            }
        }
    }
    let mut unique: Vec<Reference> = Vec::new();
    for reference in found {
        if !unique.iter().any(|known| known.target == reference.target) {
            unique.push(reference);
        }
    }
    if unique.is_empty() {
        let external = if service == "events" && !named_any {
            External::DefaultEventBus
        } else {
            External::Service(service.to_owned())
        };
        unique.push(outside(emit, external, at));
    }
    unique
}

/// A value written for a target key.
#[derive(Debug)]
enum Written<'n> {
    /// Its text, the `Fn::Sub` variables it is read with (`Some(None)` inside a `Fn::Sub`
    /// without a variable map, `None` outside `Fn::Sub`), and where.
    Text(String, Option<Option<&'n Node>>, &'n Node),
    /// A value built by intrinsic functions that give no text (such as `Fn::If`).
    Value(&'n Node),
}

/// The values the request parameters and templates of `integration` give `key` (matched
/// without regard to case): `integration.request.querystring.TopicArn: "'arn:...'"`, `QueueUrl:
/// !Ref Queue`, `"TableName": "..."` or `TopicArn=...` in a template.
fn written_values<'n>(emit: &Emit<'_, '_>, integration: &Integration<'n>, key: &str) -> Vec<Written<'n>> {
    let mut values = Vec::new();
    for (name, value) in integration.parameters.and_then(Node::as_map).unwrap_or_default() {
        let Some(name) = name.as_str() else { continue };
        if !name.rsplit('.').next().is_some_and(|last| last.eq_ignore_ascii_case(key)) {
            continue;
        }
        match (sub_parts(value), emit.text(Some(value))) {
            (Some((text, variables)), _) => values.push(Written::Text(unquote(text), Some(variables), value)),
            (None, Some(text)) => {
                let sub = value.intrinsic().map(|_| None);
                values.push(Written::Text(unquote(&text), sub, value));
            }
            (None, None) => values.push(Written::Value(value)),
        }
    }
    for (_, template) in integration.templates.and_then(Node::as_map).unwrap_or_default() {
        let (text, variables) = match sub_parts(template) {
            Some((text, variables)) => (text.to_owned(), Some(variables)),
            None => match emit.text(Some(template)) {
                Some(text) => (text, template.intrinsic().map(|_| None)),
                None => continue,
            },
        };
        for value in values_in_text(&text, key) {
            values.push(Written::Text(value, variables, template));
        }
    }
    values
}

/// The template text and variable map of a `Fn::Sub`.
fn sub_parts(node: &Node) -> Option<(&str, Option<&Node>)> {
    let ("Fn::Sub", args) = node.intrinsic()? else { return None };
    match &args.value {
        Value::Seq(items) => Some((items.first()?.as_str()?, items.get(1))),
        _ => Some((args.as_str()?, None)),
    }
}

/// `text` without the single or double quotes around it.
fn unquote(text: &str) -> String {
    let text = text.trim();
    for quote in ['\'', '"'] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|rest| rest.strip_suffix(quote)) {
            return inner.to_owned();
        }
    }
    text.to_owned()
}

/// The values a request template gives `key`: `"key": "value"` (JSON) or `key=value` (a form
/// body, the value perhaps wrapped in `$util.urlEncode("...")`).
fn values_in_text(text: &str, key: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let key_lower = key.to_ascii_lowercase();
    let mut values = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find(&key_lower) {
        let start = from + found;
        from = start + key_lower.len();
        let before = lower[..start].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let after = text[from..].trim_start_matches('"').trim_start();
        let Some(after) = after.strip_prefix(':').or_else(|| after.strip_prefix('=')) else { continue };
        let after = after.trim_start();
        let after = after.strip_prefix("$util.urlEncode(").unwrap_or(after);
        let value = match after.chars().next() {
            Some(quote @ ('"' | '\'')) => after[1..].split(quote).next().unwrap_or_default(),
            _ => after.split(['&', '"', ',', '}', ')', ' ', '\n', '\r', '\t']).next().unwrap_or_default(),
        };
        if !value.is_empty() {
            values.push(value.to_owned());
        }
    }
    values
}

/// Whether a value is chosen per request (a mapping-template or request variable, a path
/// parameter) rather than written in the template. `${...}` placeholders are references when
/// the value is read inside `Fn::Sub`.
fn is_dynamic(value: &str, in_sub: bool) -> bool {
    let mut rest = value.to_owned();
    if in_sub {
        while let Some(start) = rest.find("${") {
            let Some(end) = rest[start..].find('}') else { break };
            rest.replace_range(start..start + end + 1, "");
        }
    }
    rest.contains('$')
        || rest.contains('{')
        || rest.starts_with("method.request")
        || rest.starts_with("stageVariables")
        || value.trim().is_empty()
}

/// What a name, ARN or URL written as text names. Inside `Fn::Sub` (`variables` is `Some`),
/// `${...}` placeholders are references, with the variable map if there is one.
fn resolve_text(emit: &Emit<'_, '_>, text: &str, variables: Option<&Node>, at: &Node) -> Vec<Reference> {
    let (line, column) = (at.line, at.column);
    let scalar = Node::scalar(text, line, column);
    let node = if text.contains("${") {
        let args = match variables {
            Some(variables) => Node { value: Value::Seq(vec![scalar, variables.clone()]), line, column },
            None => scalar,
        };
        Node { value: Value::Map(vec![(Node::scalar("Fn::Sub", line, column), args)]), line, column }
    } else {
        scalar
    };
    emit.targets(&node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_uris() {
        let uri =
            ServiceUri::parse("arn:aws:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/q").unwrap();
        assert_eq!((uri.service, uri.rest), ("sqs", "${AWS::AccountId}/q"));
        let uri = ServiceUri::parse("arn:aws:apigateway:eu-west-1:dynamodb:action/PutItem").unwrap();
        assert_eq!((uri.service, uri.rest), ("dynamodb", "PutItem"));
        assert!(ServiceUri::parse("http://example.com").is_none());
    }

    #[test]
    fn values_in_templates() {
        assert_eq!(values_in_text(r#"{"TableName": "Music", "Item": {}}"#, "TableName"), ["Music"]);
        assert_eq!(
            values_in_text(r#"Action=Publish&TopicArn=$util.urlEncode("${T}")&M=x"#, "TopicArn"),
            ["${T}"]
        );
        assert_eq!(values_in_text(r#""stateMachineArn": "${Arn}""#, "StateMachineArn"), ["${Arn}"]);
        assert!(values_in_text(r#""MyTableName": "x""#, "TableName").is_empty());
    }

    #[test]
    fn dynamic_values() {
        assert!(is_dynamic("$input.params('name')", true));
        assert!(is_dynamic("{bucket}", false));
        assert!(is_dynamic("method.request.path.topic", false));
        assert!(!is_dynamic("${Topic}", true));
        assert!(is_dynamic("${Topic}", false));
        assert!(!is_dynamic("Music", false));
    }
}
