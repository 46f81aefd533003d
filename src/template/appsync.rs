//! AppSync GraphQL APIs: each data source (`AWS::AppSync::DataSource`, or one of a SAM
//! `AWS::Serverless::GraphQLApi`'s `DataSources`) joins its API to what it reads or writes: a
//! trigger of a Lambda function, a route to a table, event bus, search domain, database or
//! HTTP endpoint of the template. The edges are labelled with the `Type.field`s of the resolvers
//! that use the data source, directly or through the functions of a pipeline resolver.

use super::emit::Emit;
use super::model::{Endpoint, Reference, RelationKind, Route, RouteVia, Trigger, TriggerSource};
use super::yaml::Node;

/// A data source as read: what it names, the API it belongs to, and how it is found again
/// from resolvers and functions.
struct DataSource<'t> {
    /// The data source's logical ID (for SAM, its key under `DataSources`).
    id: String,
    /// Its `Name`, as resolvers write it.
    name: Option<String>,
    /// The APIs it belongs to.
    apis: Vec<Endpoint>,
    /// What it reads or writes, with whether a name or ARN is expected there (rather than an
    /// endpoint URL).
    target: Option<(&'t Node, bool)>,
}

/// An `AWS::AppSync::DataSource`.
pub(crate) fn data_source(emit: &mut Emit<'_, '_>, id: &str, at: &Node, props: &Node) {
    let kind = emit.text(props.get("Type")).unwrap_or_default();
    let target = match kind.as_str() {
        "AWS_LAMBDA" => props.path(&["LambdaConfig", "LambdaFunctionArn"]).map(|node| (node, true)),
        "AMAZON_DYNAMODB" => props.path(&["DynamoDBConfig", "TableName"]).map(|node| (node, true)),
        "AMAZON_EVENTBRIDGE" => props.path(&["EventBridgeConfig", "EventBusArn"]).map(|node| (node, true)),
        "AMAZON_OPENSEARCH_SERVICE" => {
            props.path(&["OpenSearchServiceConfig", "Endpoint"]).map(|node| (node, false))
        }
        "AMAZON_ELASTICSEARCH" => props.path(&["ElasticsearchConfig", "Endpoint"]).map(|node| (node, false)),
        "RELATIONAL_DATABASE" => props
            .path(&["RelationalDatabaseConfig", "RdsHttpEndpointConfig", "DbClusterIdentifier"])
            .map(|node| (node, true)),
        "HTTP" => props.path(&["HttpConfig", "Endpoint"]).map(|node| (node, false)),
        _ => None,
    };
    if target.is_none() && !matches!(kind.as_str(), "NONE" | "AMAZON_BEDROCK_RUNTIME" | "HTTP") {
        emit.warn(at, format!("AppSync data source of type `{kind}` without the target flowdoc reads"));
    }
    let apis = props.get("ApiId").map(|api| endpoints(emit.targets(api))).unwrap_or_default();
    let source = DataSource { id: id.to_owned(), name: emit.text(props.get("Name")), apis, target };
    connect(emit, &source, at);
}

/// The data sources of a SAM `AWS::Serverless::GraphQLApi`.
pub(crate) fn graphql_api(emit: &mut Emit<'_, '_>, id: &str, props: &Node) {
    let sources = props.get("DataSources");
    for (kind, property) in [("Lambda", "FunctionArn"), ("DynamoDb", "TableName")] {
        for (key, config) in sources.and_then(|s| s.get(kind)).and_then(Node::as_map).unwrap_or_default() {
            let Some(source_id) = key.as_str() else { continue };
            let target = config.get(property).or_else(|| config.get("TableArn")).map(|node| (node, true));
            if target.is_none() {
                emit.warn(key, format!("{kind} data source without {property}"));
            }
            let source = DataSource {
                id: source_id.to_owned(),
                name: emit.text(config.get("Name")).or_else(|| Some(source_id.to_owned())),
                apis: vec![Endpoint::Resource(id.to_owned())],
                target,
            };
            connect(emit, &source, key);
        }
    }
}

/// The relations of the data source's APIs to its target, one per resolver field that uses it.
fn connect(emit: &mut Emit<'_, '_>, source: &DataSource<'_>, at: &Node) {
    let Some((target, expects_name)) = source.target else { return };
    let references = match expects_name {
        true => emit.targets(target),
        false => emit.names.references(target, false),
    };
    let mut fields = fields(emit, source);
    fields.sort();
    fields.dedup();
    let labels: Vec<Option<String>> =
        if fields.is_empty() { vec![None] } else { fields.into_iter().map(Some).collect() };
    for api in &source.apis {
        for reference in &references {
            for label in &labels {
                relate(emit, api, source, reference, label.clone(), at);
            }
        }
    }
}

/// A trigger of a function, a route to a resource of the template; outside things are left
/// out.
fn relate(
    emit: &mut Emit<'_, '_>,
    api: &Endpoint,
    source: &DataSource<'_>,
    reference: &Reference,
    label: Option<String>,
    at: &Node,
) {
    let kind = match emit.names.function_of(&reference.target) {
        Some(function) => {
            let trigger = Trigger {
                source: TriggerSource::AppSync,
                name: source.id.clone(),
                route: label,
                enabled: true,
                ..Trigger::default()
            };
            emit.relate(api.clone(), Endpoint::Resource(function), RelationKind::Trigger(trigger), at, false);
            return;
        }
        None if reference.target.resource().is_some() => {
            RelationKind::Route(Route { via: RouteVia::DataSource, label, ..Route::default() })
        }
        None => return,
    };
    emit.relate(api.clone(), reference.target.clone(), kind, at, reference.conditional);
}

/// The `Type.field`s of the resolvers that use the data source: unit resolvers naming it, and
/// pipeline resolvers with a function naming it, of CloudFormation or SAM.
fn fields(emit: &Emit<'_, '_>, source: &DataSource<'_>) -> Vec<String> {
    let names = emit.names;
    let mut fields = Vec::new();
    for (id, type_name) in &names.resources {
        let Some(props) = names.properties.get(id) else { continue };
        match type_name.as_str() {
            "AWS::AppSync::Resolver" if same_api(emit, props, source) => {
                let uses = match props.path(&["PipelineConfig", "Functions"]).and_then(Node::as_seq) {
                    Some(functions) => functions.iter().any(|function| {
                        let functions = endpoints(emit.targets(function));
                        functions.iter().filter_map(Endpoint::resource).any(|function| {
                            names.properties.get(function).is_some_and(|f| names_source(emit, f, source))
                        })
                    }),
                    None => names_source(emit, props, source),
                };
                if uses
                    && let (Some(type_name), Some(field)) =
                        (emit.text(props.get("TypeName")), emit.text(props.get("FieldName")))
                {
                    fields.push(format!("{type_name}.{field}"));
                }
            }
            "AWS::Serverless::GraphQLApi" if source.apis.contains(&Endpoint::Resource(id.clone())) => {
                sam_fields(emit, props, source, &mut fields);
            }
            _ => {}
        }
    }
    fields
}

/// The SAM resolvers whose pipeline has a function using the data source.
fn sam_fields(emit: &Emit<'_, '_>, api: &Node, source: &DataSource<'_>, out: &mut Vec<String>) {
    let functions = api.get("Functions");
    for (type_name, resolvers) in api.get("Resolvers").and_then(Node::as_map).unwrap_or_default() {
        for (key, resolver) in resolvers.as_map().unwrap_or_default() {
            let uses = emit.strings(resolver.get("Pipeline")).iter().any(|function| {
                functions.and_then(|f| f.get(function)).and_then(|f| f.get("DataSource")).is_some_and(
                    |named| {
                        emit.text(Some(named)).as_deref() == Some(source.id.as_str())
                            || names_source_by(emit, named, source)
                    },
                )
            });
            let field = emit.text(resolver.get("FieldName")).or_else(|| key.as_str().map(str::to_owned));
            if uses && let (Some(type_name), Some(field)) = (type_name.as_str(), field) {
                out.push(format!("{type_name}.{field}"));
            }
        }
    }
}

/// Whether a resolver or function configuration (`props`) uses the data source.
fn names_source(emit: &Emit<'_, '_>, props: &Node, source: &DataSource<'_>) -> bool {
    props.get("DataSourceName").is_some_and(|named| names_source_by(emit, named, source))
}

/// Whether the value `named` names the data source: `!GetAtt Source.Name`, or its name.
fn names_source_by(emit: &Emit<'_, '_>, named: &Node, source: &DataSource<'_>) -> bool {
    if emit.targets(named).iter().any(|reference| reference.target.resource() == Some(source.id.as_str())) {
        return true;
    }
    named.intrinsic().is_none() && source.name.is_some() && emit.text(Some(named)) == source.name
}

/// Whether a resolver belongs to the data source's API (when both are known).
fn same_api(emit: &Emit<'_, '_>, props: &Node, source: &DataSource<'_>) -> bool {
    let apis = props.get("ApiId").map(|api| endpoints(emit.targets(api))).unwrap_or_default();
    apis.is_empty() || source.apis.is_empty() || apis.iter().any(|api| source.apis.contains(api))
}

/// The resources references name.
fn endpoints(references: Vec<Reference>) -> Vec<Endpoint> {
    references
        .into_iter()
        .map(|reference| reference.target)
        .filter(|target| target.resource().is_some())
        .collect()
}
