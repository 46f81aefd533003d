//! Every template of the real-world corpus (`tests/corpus/`, 471 SAM / CloudFormation templates
//! written by others) loads without a panic, and the model agrees with the facts counted
//! independently in the corpus README.

use flowdoc::files::{DiskFiles, ProjectFiles};
use flowdoc::template::{self, Endpoint, LoadOptions, Node, RelationKind, Template, Templates};
use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// Each template of the corpus loaded on its own, by path.
fn load_corpus() -> Vec<(String, Templates)> {
    let files = DiskFiles::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus"));
    let listing = files.list();
    let paths: Vec<&String> =
        listing.files.iter().filter(|path| path.ends_with(".yaml") || path.ends_with(".yml")).collect();
    assert_eq!(paths.len(), 471, "the corpus README counts 471 templates");
    paths
        .into_iter()
        .map(|path| {
            let loaded = catch_unwind(AssertUnwindSafe(|| {
                template::load(&files, std::slice::from_ref(path), &LoadOptions::default())
            }))
            .unwrap_or_else(|_| panic!("loading {path} panicked"));
            (path.clone(), loaded)
        })
        .collect()
}

fn has_type(template: &Template, types: &[&str]) -> bool {
    template
        .resources
        .values()
        .any(|resource| types.contains(&resource.type_name.as_str()) && !resource.implicit)
}

/// The SAM function events of a template, as (function, event name, event type, event node).
fn sam_events(template: &Template) -> Vec<(String, String, String, Node)> {
    let mut events = Vec::new();
    for resource in template.resources.values() {
        if resource.type_name != "AWS::Serverless::Function" {
            continue;
        }
        for (name, event) in resource.properties.get("Events").and_then(Node::as_map).unwrap_or_default() {
            if let (Some(name_text), Some(kind)) = (name.as_str(), event.get("Type").and_then(Node::as_str)) {
                events.push((resource.id.clone(), name_text.to_owned(), kind.to_owned(), name.clone()));
            }
        }
    }
    events
}

#[test]
fn the_corpus_loads_and_agrees_with_its_readme() {
    let corpus = load_corpus();

    let refused: Vec<String> = corpus
        .iter()
        .flat_map(|(_, loaded)| loaded.errors())
        .map(|error| format!("{}:{}", error.location.file, error.location.line().unwrap()))
        .collect();
    assert_eq!(
        refused,
        [
            "serverless-patterns/apigw-custom-domain-edge/template.yaml:34",
            "serverless-patterns/rds-sns-event-notification/template.yaml:3"
        ],
        "exactly the two malformed templates are refused, at their lines"
    );
    for (_, loaded) in &corpus {
        for warning in loaded.templates().iter().flat_map(|template| &template.problems) {
            assert!(
                warning.location.line().unwrap() >= 1 && warning.location.column().unwrap() >= 1,
                "{warning:?}"
            );
        }
    }

    let templates: Vec<&Template> = corpus.iter().flat_map(|(_, loaded)| loaded.templates()).collect();
    let sam_functions = templates.iter().filter(|t| has_type(t, &["AWS::Serverless::Function"])).count();
    let any_functions = templates
        .iter()
        .filter(|t| has_type(t, &["AWS::Serverless::Function", "AWS::Lambda::Function"]))
        .count();
    assert_eq!(sam_functions, 330, "templates with AWS::Serverless::Function");
    assert_eq!(any_functions, 335, "templates with Lambda functions of either type");

    const FLOW_EVENTS: &[&str] = &["SQS", "SNS", "DynamoDB", "EventBridgeRule", "Kinesis"];
    let mut with_flow_events = BTreeSet::new();
    for template in &templates {
        for (function, event, kind, node) in sam_events(template) {
            if !FLOW_EVENTS.contains(&kind.as_str()) {
                continue;
            }
            with_flow_events.insert(template.path.clone());
            // Each such event yields its relation into the function (a trigger, or for SNS a
            // subscription), written at the event's line.
            let into_function = template.relations.iter().any(|relation| {
                relation.location.line().unwrap() == node.line
                    && match &relation.kind {
                        RelationKind::Trigger(_) => relation.to == Endpoint::Resource(function.clone()),
                        RelationKind::Subscription(_) => true,
                        _ => false,
                    }
            });
            assert!(
                into_function,
                "{}: event {event} of {function} ({kind}) yields no relation",
                template.path
            );
        }
    }
    assert_eq!(
        with_flow_events.len(),
        65,
        "templates with SAM SQS/SNS/DynamoDB/EventBridgeRule/Kinesis events"
    );

    let mapping_only: Vec<&String> = templates
        .iter()
        .filter(|template| !with_flow_events.contains(&template.path))
        .filter(|template| has_type(template, &["AWS::Lambda::EventSourceMapping"]))
        .map(|template| &template.path)
        .collect();
    assert_eq!(mapping_only.len(), 4, "templates that wire event source mappings instead: {mapping_only:?}");
    for path in mapping_only {
        let template = templates.iter().find(|template| &template.path == path).unwrap();
        let mappings =
            template.resources.values().filter(|r| r.type_name == "AWS::Lambda::EventSourceMapping").count();
        let triggers = template
            .relations
            .iter()
            .filter(|relation| matches!(&relation.kind, RelationKind::Trigger(trigger) if template.resources.contains_key(&trigger.name)))
            .count();
        assert!(triggers >= mappings, "{path}: {mappings} mappings but {triggers} triggers");
    }
}

/// Discovery finds the corpus's templates and nothing else, and loading them all at once
/// qualifies nothing it need not.
#[test]
fn discovery_finds_every_template() {
    let files = DiskFiles::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus"));
    let listing = files.list();
    let found = template::discover(&files, &listing, &LoadOptions::default());
    assert_eq!(found.len(), 471);
}
