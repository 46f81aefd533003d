//! OpenAPI definitions of APIs: the `x-amazon-apigateway-integration` of each path and method
//! and the `x-amazon-apigateway-authorizer` of each security scheme, in the `DefinitionBody` of
//! SAM APIs and the `Body` of `AWS::ApiGateway::RestApi` and `AWS::ApiGatewayV2::Api`, written
//! inline, included with `Fn::Transform: AWS::Include`, or in a local file (`DefinitionUri`).
//! A definition in S3 is not fetched: a warning says where it lives.

use super::apigateway::{self, Call, Integration};
use super::emit::Emit;
use super::local_files;
use super::model::{Endpoint, TriggerSource};
use super::yaml::{Node, Value};

/// The methods of an OpenAPI path item, and `x-amazon-apigateway-any-method` (`ANY`).
const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The OpenAPI definition of the API `id` of type `type_name`, wherever it is written.
pub(crate) fn definition(emit: &mut Emit<'_, '_>, id: &str, type_name: &str, props: &Node) {
    let (body_key, file_key, source) = match type_name {
        "AWS::Serverless::Api" => ("DefinitionBody", "DefinitionUri", TriggerSource::Api),
        "AWS::Serverless::HttpApi" => ("DefinitionBody", "DefinitionUri", TriggerSource::HttpApi),
        "AWS::ApiGateway::RestApi" => ("Body", "BodyS3Location", TriggerSource::Api),
        _ => ("Body", "BodyS3Location", TriggerSource::HttpApi),
    };
    let api = Endpoint::Resource(id.to_owned());
    if let Some(body) = props.get(body_key) {
        let body = expand(emit, body);
        walk(emit, &api, &body, &source);
    } else if let Some((key, location)) = props.entry(file_key) {
        let Some(body) = local_files::document(emit, key, location, "API definition") else { return };
        walk(emit, &api, &body, &source);
    }
}

/// `node` with each `Fn::Transform` of `AWS::Include` replaced by the local document it names.
fn expand(emit: &mut Emit<'_, '_>, node: &Node) -> Node {
    if let Some(("Fn::Transform", args)) = node.intrinsic() {
        if args.get("Name").and_then(Node::as_str) != Some("AWS::Include") {
            return node.clone();
        }
        let Some((at, location)) = args.get("Parameters").and_then(|parameters| parameters.entry("Location"))
        else {
            emit.warn(node, "AWS::Include without a Location; the definition is not read");
            return node.clone();
        };
        let included = match emit.text(Some(location)) {
            Some(path) if path.contains("://") || path.contains("${") => {
                emit.warn(at, format!("the API definition lives at `{path}`; flowdoc does not fetch it"));
                None
            }
            Some(path) => local_files::read(emit, at, &path),
            None => None,
        };
        return included.unwrap_or_else(|| node.clone());
    }
    let value = match &node.value {
        Value::Map(entries) => {
            Value::Map(entries.iter().map(|(key, value)| (key.clone(), expand(emit, value))).collect())
        }
        Value::Seq(items) => Value::Seq(items.iter().map(|item| expand(emit, item)).collect()),
        Value::Tagged(tag, inner) => Value::Tagged(tag.clone(), Box::new(expand(emit, inner))),
        Value::Scalar { .. } => return node.clone(),
    };
    Node { value, line: node.line, column: node.column }
}

/// The integrations and authorizers of an OpenAPI document.
fn walk(emit: &mut Emit<'_, '_>, api: &Endpoint, body: &Node, source: &TriggerSource) {
    let api_name = api.resource().unwrap_or_default().to_owned();
    for (path, item) in body.get("paths").and_then(Node::as_map).unwrap_or_default() {
        let Some(path) = path.as_str() else { continue };
        for (method, operation) in item.as_map().unwrap_or_default() {
            let Some(method) = method.as_str() else { continue };
            let method = match method.to_ascii_lowercase().as_str() {
                "x-amazon-apigateway-any-method" => "ANY".to_owned(),
                lower if METHODS.contains(&lower) => lower.to_uppercase(),
                _ => continue,
            };
            let Some((at, integration)) = operation.entry("x-amazon-apigateway-integration") else {
                continue;
            };
            // An HTTP API's catch-all route, as SAM names it.
            let label = if path == "$default" && method == "ANY" {
                path.to_owned()
            } else {
                format!("{method} {path}")
            };
            let integration = Integration {
                kind: emit.text(integration.get("type")).map(|kind| kind.to_lowercase()),
                uri: integration.get("uri"),
                subtype: emit.text(integration.get("integrationSubtype")),
                parameters: integration.get("requestParameters"),
                templates: integration.get("requestTemplates"),
            };
            let call =
                Call { api, label: &label, source: source.clone(), name: &api_name, at, conditional: false };
            apigateway::integrate(emit, &integration, &call);
        }
    }
    let schemes = [body.get("securityDefinitions"), body.path(&["components", "securitySchemes"])];
    for (name, scheme) in
        schemes.into_iter().flatten().flat_map(|schemes| schemes.as_map().unwrap_or_default())
    {
        let Some(name_text) = name.as_str() else { continue };
        if let Some(uri) = scheme.path(&["x-amazon-apigateway-authorizer", "authorizerUri"]) {
            apigateway::authorize(emit, api, name_text, uri, name, false);
        }
    }
}
