//! Kinesis Data Firehose delivery streams: the Kinesis stream or MSK cluster they read from, the
//! destinations they deliver to (S3, Redshift, OpenSearch, Splunk, HTTP endpoints, ...) with
//! their backup buckets, and the Lambda functions that process records on the way.

use super::emit::Emit;
use super::model::{Endpoint, RelationKind, Route, RouteVia, Trigger, TriggerSource};
use super::yaml::Node;

/// Where a destination configuration names what it delivers to, with whether a name or ARN is
/// expected there (rather than an endpoint URL).
const DESTINATION_KEYS: &[(&[&str], bool)] = &[
    (&["BucketARN"], true),
    (&["DomainARN"], true),
    (&["ClusterEndpoint"], false),
    (&["CollectionEndpoint"], false),
    (&["ClusterJDBCURL"], false),
    (&["HECEndpoint"], false),
    (&["AccountUrl"], false),
    (&["EndpointConfiguration", "Url"], false),
];

/// An `AWS::KinesisFirehose::DeliveryStream`.
pub(crate) fn delivery_stream(emit: &mut Emit<'_, '_>, this: &Endpoint, props: &Node) {
    for (config, key) in [
        ("KinesisStreamSourceConfiguration", "KinesisStreamARN"),
        ("MSKSourceConfiguration", "MSKClusterARN"),
    ] {
        if let Some((at, source)) = props.get(config).and_then(|c| c.entry(key)) {
            emit.relate_from_targets(source, this, &route("source"), at, false);
        }
    }
    for (key, config) in props.as_map().unwrap_or_default() {
        let Some(name) = key.as_str().and_then(|name| name.strip_suffix("DestinationConfiguration")) else {
            continue;
        };
        let name = if name.is_empty() { "S3" } else { name };
        destination(emit, this, name, key, config);
        for (inner, label) in
            [("S3Configuration", format!("{name} S3")), ("S3BackupConfiguration", "backup".to_owned())]
        {
            if let Some(bucket) = config.get(inner).and_then(|backup| backup.get("BucketARN")) {
                emit.relate_to_targets(this, bucket, &route(&label), key, false);
            }
        }
        processors(emit, this, config);
    }
}

/// A delivery stream route labelled `label`.
fn route(label: &str) -> RelationKind {
    RelationKind::Route(Route {
        via: RouteVia::DeliveryStream,
        label: Some(label.into()),
        ..Route::default()
    })
}

/// The primary destination of one `*DestinationConfiguration`.
fn destination(emit: &mut Emit<'_, '_>, this: &Endpoint, name: &str, at: &Node, config: &Node) {
    for (path, expects_name) in DESTINATION_KEYS {
        let Some(target) = config.path(path) else { continue };
        let references = match expects_name {
            true => emit.targets(target),
            false => emit.names.references(target, false),
        };
        for reference in references {
            if *expects_name || reference.target.resource().is_some() {
                emit.relate(this.clone(), reference.target, route(name), at, reference.conditional);
            }
        }
    }
}

/// The Lambda processors of a destination's `ProcessingConfiguration`.
fn processors(emit: &mut Emit<'_, '_>, this: &Endpoint, config: &Node) {
    let Some((at, processing)) = config.entry("ProcessingConfiguration") else { return };
    let enabled = emit.bool(processing.get("Enabled")).unwrap_or(true);
    for processor in processing.get("Processors").and_then(Node::as_seq).unwrap_or_default() {
        if emit.text(processor.get("Type")).is_some_and(|kind| kind != "Lambda") {
            continue;
        }
        for parameter in processor.get("Parameters").and_then(Node::as_seq).unwrap_or_default() {
            if emit.text(parameter.get("ParameterName")).as_deref() != Some("LambdaArn") {
                continue;
            }
            let Some(value) = parameter.get("ParameterValue") else {
                emit.warn(parameter, "LambdaArn processor parameter without a ParameterValue");
                continue;
            };
            for reference in emit.targets(value) {
                let kind = match emit.names.function_of(&reference.target) {
                    Some(_) => RelationKind::Trigger(Trigger {
                        source: TriggerSource::Firehose,
                        name: "ProcessingConfiguration".into(),
                        enabled,
                        ..Trigger::default()
                    }),
                    None => route("processor"),
                };
                let to =
                    emit.names.function_of(&reference.target).map_or(reference.target, Endpoint::Resource);
                emit.relate(this.clone(), to, kind, at, reference.conditional);
            }
        }
    }
}
