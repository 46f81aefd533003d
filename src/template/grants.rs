//! Access grants: what a function (or connector source) may write to or read from. From SAM
//! `Policies` (policy templates, inline statements, AWS managed policies), the statements of the
//! IAM role a function uses and of the policies attached to that role, and SAM connectors
//! (embedded in a resource or `AWS::Serverless::Connector`), whose `Write` from a function or
//! state machine is also a declared write.

use super::emit::Emit;
use super::model::{Access, Endpoint, External, Grant, RelationKind, Write};
use super::policy_templates::{self, IamResource};
use super::types;
use super::yaml::Node;

/// Reads the grants of the resource `id`; `body` is its whole entry (for embedded connectors).
pub(crate) fn read(emit: &mut Emit<'_, '_>, id: &str, type_name: &str, props: &Node, body: &Node) {
    let this = Endpoint::Resource(id.to_owned());
    match type_name {
        "AWS::Serverless::Function" | "AWS::Serverless::StateMachine" => {
            // SAM turns `Policies` into the role it creates, and creates none when `Role` is set:
            // a function's policies are then dropped, a state machine is refused.
            match (props.entry("Policies"), props.get("Role")) {
                (Some((key, _)), Some(_)) if type_name == "AWS::Serverless::StateMachine" => {
                    emit.warn(key, "SAM refuses a state machine with both `Role` and `Policies`; `Policies` are not read");
                }
                (Some((key, _)), Some(_)) => emit.warn(
                    key,
                    "`Policies` are ignored where `Role` is set: SAM applies them only to the role it creates",
                ),
                (Some((_, policies)), None) => sam_policies(emit, &this, policies),
                (None, _) => {}
            }
            role(emit, &this, props);
        }
        "AWS::Lambda::Function" | "AWS::StepFunctions::StateMachine" => role(emit, &this, props),
        "AWS::SQS::QueuePolicy" => resource_policy(emit, props, "Queues", &format!("QueuePolicy {id}")),
        "AWS::SNS::TopicPolicy" => resource_policy(emit, props, "Topics", &format!("TopicPolicy {id}")),
        "AWS::Serverless::Connector" => {
            if let (Some(source), Some(key)) =
                (props.get("Source"), props.entry("Source").map(|(key, _)| key))
            {
                let declared_type = emit.text(source.get("Type"));
                for source in connector_ends(emit, source) {
                    let writer = writes_data(emit, &source, declared_type.as_deref());
                    connector(emit, &source, writer, props, key, &format!("Connector {id}"));
                }
            }
        }
        _ => {}
    }
    for (name, connector_body) in body.get("Connectors").and_then(Node::as_map).unwrap_or_default() {
        if let Some(connector_props) = connector_body.get("Properties") {
            let via = format!("Connector {}", name.as_str().unwrap_or_default());
            let writer = writes_data(emit, &this, Some(type_name));
            connector(emit, &this, writer, connector_props, name, &via);
        }
    }
}

/// A SAM `Policies` value: one item or a list of managed policy names, policy templates and
/// policy documents.
fn sam_policies(emit: &mut Emit<'_, '_>, grantee: &Endpoint, policies: &Node) {
    let items = match policies.as_seq() {
        Some(items) => items.to_vec(),
        None => vec![policies.clone()],
    };
    for item in &items {
        if item.intrinsic().is_some() {
            continue;
        }
        if let Some(name) = item.as_str() {
            managed_policy(emit, grantee, name, item);
            continue;
        }
        if item.get("Statement").is_some() {
            statements(emit, grantee, item, "Statement");
            continue;
        }
        let Some([(name_node, args)]) = item.as_map() else { continue };
        let Some(name) = name_node.as_str() else { continue };
        let Some(template) = policy_templates::policy_template(name) else {
            emit.warn(
                name_node,
                format!("`{name}` is not a SAM policy template; it grants nothing flowdoc can see"),
            );
            continue;
        };
        for parameter in template.resources {
            let Some(value) = args.get(parameter.parameter) else { continue };
            let kind = RelationKind::Grant(Grant { via: name.to_owned(), access: parameter.access });
            if parameter.resource == IamResource::EventBus {
                // `EventBusName: default` is the account's default bus.
                for reference in emit.names.bus_targets(value) {
                    emit.relate(
                        grantee.clone(),
                        reference.target,
                        kind.clone(),
                        name_node,
                        reference.conditional,
                    );
                }
            } else {
                emit.relate_to_targets(grantee, value, &kind, name_node, false);
            }
        }
    }
}

/// AWS managed policies that let a function write to every resource of a service.
const MANAGED_WRITE_POLICIES: &[(&str, &str)] = &[
    ("AWSLambdaRole", "lambda"),
    ("AWSLambda_FullAccess", "lambda"),
    ("AWSStepFunctionsFullAccess", "states"),
    ("AdministratorAccess", "*"),
    ("AmazonDynamoDBFullAccess", "dynamodb"),
    ("AmazonEventBridgeFullAccess", "events"),
    ("AmazonKinesisFirehoseFullAccess", "firehose"),
    ("AmazonKinesisFullAccess", "kinesis"),
    ("AmazonS3FullAccess", "s3"),
    ("AmazonSNSFullAccess", "sns"),
    ("AmazonSQSFullAccess", "sqs"),
    ("CloudWatchEventsFullAccess", "events"),
    ("PowerUserAccess", "*"),
];

/// A managed policy by name or ARN (`arn:aws:iam::aws:policy/AmazonSQSFullAccess`).
fn managed_policy(emit: &mut Emit<'_, '_>, grantee: &Endpoint, name: &str, at: &Node) {
    let short = name.rsplit('/').next().unwrap_or(name);
    if let Some((_, service)) = MANAGED_WRITE_POLICIES.iter().find(|(policy, _)| *policy == short) {
        let kind = RelationKind::Grant(Grant { via: short.to_owned(), access: Access::Write });
        emit.relate(
            grantee.clone(),
            Endpoint::External(External::Wildcard((*service).to_owned())),
            kind,
            at,
            false,
        );
    }
}

/// The IAM role a function or state machine uses (`Role`), its inline policies and managed
/// policies, and the `AWS::IAM::Policy` / `ManagedPolicy` resources attached to it.
fn role(emit: &mut Emit<'_, '_>, grantee: &Endpoint, props: &Node) {
    let Some(role_node) = props.get("Role").or_else(|| props.get("RoleArn")) else { return };
    let roles: Vec<String> = emit
        .targets(role_node)
        .into_iter()
        .filter_map(|reference| reference.target.resource().map(str::to_owned))
        .filter(|id| emit.names.resources.get(id).is_some_and(|type_name| type_name == "AWS::IAM::Role"))
        .collect();
    let names = emit.names;
    for role_id in roles {
        let Some(role_props) = names.properties.get(&role_id).copied() else { continue };
        let first = emit.relations.len();
        for policy in role_props.get("Policies").and_then(Node::as_seq).unwrap_or_default() {
            if let Some(document) = policy.get("PolicyDocument") {
                statements(emit, grantee, document, &format!("Role {role_id}"));
            }
        }
        for arn in role_props.get("ManagedPolicyArns").and_then(Node::as_seq).unwrap_or_default() {
            if let Some(text) = emit.text(Some(arn)) {
                managed_policy(emit, grantee, &text, arn);
            }
        }
        for (policy_id, policy_props) in &names.properties {
            let attached = matches!(
                names.resources.get(policy_id).map(String::as_str),
                Some("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy")
            ) && policy_props.get("Roles").is_some_and(|roles| {
                emit.targets(roles).iter().any(|r| r.target.resource() == Some(role_id.as_str()))
            });
            if attached && let Some(document) = policy_props.get("PolicyDocument") {
                let from = emit.relations.len();
                statements(emit, grantee, document, &format!("Policy {policy_id}"));
                if names.conditional.contains(policy_id) {
                    emit.make_conditional_since(from);
                }
            }
        }
        if names.conditional.contains(&role_id) {
            emit.make_conditional_since(first);
        }
    }
}

/// A queue or topic policy: which services (and, through an `aws:SourceArn` condition, which of
/// their resources) may write to the queues or topics it is attached to. A subscription of a
/// queue to a topic delivers nothing without one.
fn resource_policy(emit: &mut Emit<'_, '_>, props: &Node, list_key: &str, via: &str) {
    let targets: Vec<Endpoint> = props
        .get(list_key)
        .map(|list| emit.targets(list).into_iter().map(|reference| reference.target).collect())
        .unwrap_or_default();
    let Some(document) = emit.json_object(props.get("PolicyDocument")) else { return };
    let Some(statement) = document.get("Statement") else { return };
    let list = match statement.as_seq() {
        Some(items) => items.to_vec(),
        None => vec![statement.clone()],
    };
    for statement in &list {
        if emit.text(statement.get("Effect")).is_some_and(|effect| effect != "Allow") {
            continue;
        }
        let writes = emit
            .strings(statement.get("Action"))
            .iter()
            .filter_map(|action| policy_templates::action_access(action))
            .any(|(_, granted)| granted == Access::Write);
        if !writes {
            continue;
        }
        let principal = statement.get("Principal");
        let services = match principal.and_then(|p| p.get("Service")) {
            Some(service) => emit.strings(Some(service)),
            None => principal.and_then(|p| emit.text(Some(p))).into_iter().collect(),
        };
        // The condition that narrows the grant to one source: `aws:SourceArn` under any operator.
        let sources: Vec<Endpoint> = statement
            .get("Condition")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .filter_map(|(_, test)| test.get("aws:SourceArn").or_else(|| test.get("AWS:SourceArn")))
            .flat_map(|arn| emit.targets(arn))
            .map(|reference| reference.target)
            .collect();
        let grantees: Vec<Endpoint> = if sources.is_empty() {
            services.into_iter().map(|service| Endpoint::External(External::Service(service))).collect()
        } else {
            sources
        };
        for grantee in &grantees {
            for target in &targets {
                let kind = RelationKind::Grant(Grant { via: via.to_owned(), access: Access::Write });
                emit.relate(grantee.clone(), target.clone(), kind, statement, false);
            }
        }
    }
}

/// The `Allow` statements of a policy document: for each resource a statement names, the
/// strongest access its actions give on that kind of resource.
fn statements(emit: &mut Emit<'_, '_>, grantee: &Endpoint, document: &Node, via: &str) {
    let Some(document) = emit.json_object(Some(document)) else { return };
    let Some(statement) = document.get("Statement") else { return };
    let list = match statement.as_seq() {
        Some(items) => items.to_vec(),
        None => vec![statement.clone()],
    };
    for statement in &list {
        if emit.text(statement.get("Effect")).is_some_and(|effect| effect != "Allow") {
            continue;
        }
        // `NotAction` allows everything but what it lists: as broad as `*` for flowdoc's purposes.
        let actions: Vec<(IamResource, Access)> = if statement.get("NotAction").is_some() {
            vec![(IamResource::Any, Access::Write)]
        } else {
            emit.strings(statement.get("Action"))
                .iter()
                .filter_map(|action| policy_templates::action_access(action))
                .collect()
        };
        if actions.is_empty() {
            continue;
        }
        let resources: Vec<Node> = match statement.get("Resource") {
            Some(resource) => resource.as_seq().map_or_else(|| vec![resource.clone()], <[Node]>::to_vec),
            None => Vec::new(),
        };
        let every_resource = statement.get("NotResource").is_some()
            || resources.iter().any(|resource| emit.text(Some(resource)).is_some_and(|text| text == "*"));
        if every_resource {
            for (granted_on, granted) in &actions {
                if *granted == Access::Write {
                    let service = granted_on.service().unwrap_or("*").to_owned();
                    let kind = RelationKind::Grant(Grant { via: via.to_owned(), access: Access::Write });
                    emit.relate(
                        grantee.clone(),
                        Endpoint::External(External::Wildcard(service)),
                        kind,
                        statement,
                        false,
                    );
                }
            }
        }
        for resource in &resources {
            for reference in emit.targets(resource) {
                let target_type = emit
                    .names
                    .type_of(&reference.target)
                    .and_then(types::resource_type)
                    .and_then(|row| row.iam);
                let granted = actions
                    .iter()
                    .filter(|(granted_on, _)| match target_type {
                        Some(target_type) => {
                            granted_on.covers(target_type) || stream_of_table(*granted_on, target_type)
                        }
                        None => true,
                    })
                    .map(|(_, granted)| *granted)
                    .max();
                if let Some(granted) = granted {
                    let kind = RelationKind::Grant(Grant { via: via.to_owned(), access: granted });
                    emit.relate(grantee.clone(), reference.target, kind, resource, reference.conditional);
                }
            }
        }
    }
}

/// Stream actions on a table's stream ARN are about the table for flowdoc.
fn stream_of_table(granted: IamResource, target: IamResource) -> bool {
    granted == IamResource::DynamoDbStream && target == IamResource::DynamoDbTable
}

/// The ends a connector's `Source` or `Destination` names: `{Id: LogicalId}` or `{Arn: ...}`.
fn connector_ends(emit: &Emit<'_, '_>, end: &Node) -> Vec<Endpoint> {
    let ends = match end.as_seq() {
        Some(items) => items.to_vec(),
        None => vec![end.clone()],
    };
    let mut endpoints = Vec::new();
    for end in &ends {
        if let Some(id) = end.get("Id").and_then(|id| emit.text(Some(id))) {
            let known = emit.names.resources.contains_key(&id);
            endpoints.push(if known { Endpoint::Resource(id) } else { Endpoint::Missing(id) });
        } else if let Some(arn) = end.get("Arn") {
            endpoints.extend(emit.targets(arn).into_iter().map(|reference| reference.target));
        }
    }
    endpoints
}

/// Whether a `Write` connector from `source` (of `declared_type` where the template does not
/// define it) is flow: a function or state machine puts data into its destinations. From
/// anything else (a queue, topic, bucket, rule or API to a function, a topic to a queue) a
/// `Write` connector only lets the source invoke or deliver to the destination; the wiring that
/// makes it do so (an event, subscription, notification or target) is declared elsewhere.
fn writes_data(emit: &Emit<'_, '_>, source: &Endpoint, declared_type: Option<&str>) -> bool {
    let type_name = emit.names.type_of(source).or(declared_type);
    emit.names.function_of(source).is_some()
        || matches!(
            type_name,
            Some(
                "AWS::Lambda::Function"
                    | "AWS::Serverless::Function"
                    | "AWS::StepFunctions::StateMachine"
                    | "AWS::Serverless::StateMachine"
            )
        )
}

/// A connector from `source`: `Destination` (or `Destinations`) with `Permissions`. Each
/// destination is granted; where `writer` (see [`writes_data`]) and `Permissions` include
/// `Write`, the source also writes to it.
fn connector(emit: &mut Emit<'_, '_>, source: &Endpoint, writer: bool, props: &Node, at: &Node, via: &str) {
    let permissions = emit.strings(props.get("Permissions"));
    let access =
        if permissions.iter().any(|permission| permission == "Write") { Access::Write } else { Access::Read };
    let Some(destination) = props.get("Destination").or_else(|| props.get("Destinations")) else {
        emit.warn(at, "connector without a Destination");
        return;
    };
    for destination in connector_ends(emit, destination) {
        let kind = RelationKind::Grant(Grant { via: via.to_owned(), access });
        emit.relate(source.clone(), destination.clone(), kind, at, false);
        if writer && access == Access::Write {
            let write = RelationKind::Write(Write { via: via.to_owned() });
            emit.relate(source.clone(), destination, write, at, false);
        }
    }
}
