//! API Gateway integrations written out and in OpenAPI definitions: each fixture under
//! `tests/fixtures/apis/` (in YAML and the same in JSON) loads to edges from the API
//! to the functions it invokes (triggers labelled `METHOD /path`), the services it calls (routes
//! labelled the same way) and its Lambda authorizers (`authorizer NAME`).
//!
//! A relation line reads `FROM -KIND-> TO DETAILS`, sorted.

mod common;

use flowdoc::files::{DiskFiles, MemoryFiles};
use flowdoc::template::{self, LoadOptions, RelationKind, Template, Templates};
use std::path::Path;

fn fixtures() -> DiskFiles {
    DiskFiles::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apis"))
}

/// Loads fixture templates; none may fail.
fn load(paths: &[&str]) -> Templates {
    common::relations::load(&fixtures(), paths)
}

/// One fixture template.
fn fixture(path: &str) -> Template {
    load(&[path]).into_templates().remove(0)
}

/// One template given as text, with other files beside it.
fn from_files(files: &[(&str, &str)]) -> Template {
    let mut memory = MemoryFiles::new();
    for (path, text) in files {
        memory.insert(*path, *text);
    }
    let loaded = template::load(&memory, &["template.yaml".to_owned()], &LoadOptions::default());
    assert!(loaded.errors().is_empty(), "{:?}", loaded.errors());
    loaded.into_templates().remove(0)
}

fn problems(template: &Template) -> Vec<String> {
    template.problems.iter().map(|problem| format!("{} {}", problem.location, problem.message)).collect()
}

/// The API relations (triggers from APIs and authorizers, API integration routes) as sorted
/// `FROM -KIND-> TO DETAILS` lines.
fn api_relations(template: &Template) -> Vec<String> {
    let mut lines: Vec<String> = template
        .relations
        .iter()
        .filter_map(|relation| {
            let details = match &relation.kind {
                RelationKind::Trigger(trigger) => {
                    format!(
                        "{:?} name={} route={:?}",
                        trigger.source,
                        trigger.name,
                        trigger.route.as_deref()?
                    )
                }
                RelationKind::Route(route) if route.via == template::RouteVia::ApiIntegration => {
                    format!("{:?} label={}", route.via, route.label.as_deref().unwrap_or("-"))
                }
                _ => return None,
            };
            let conditional = if relation.conditional { " conditional" } else { "" };
            Some(format!(
                "{} -{}-> {} {details}{conditional}",
                common::relations::endpoint(&relation.from),
                relation.kind.name(),
                common::relations::endpoint(&relation.to)
            ))
        })
        .collect();
    lines.sort();
    lines
}

/// The YAML fixture and its JSON twin give the same relations, and no problems.
fn both(name: &str) -> Vec<String> {
    let yaml = fixture(&format!("{name}.yaml"));
    let json = fixture(&format!("{name}.json"));
    assert_eq!(problems(&yaml), Vec::<String>::new(), "{name}.yaml");
    assert_eq!(problems(&json), Vec::<String>::new(), "{name}.json");
    let relations = api_relations(&yaml);
    assert_eq!(relations, api_relations(&json), "{name}: YAML and JSON differ");
    relations
}

#[test]
fn rest_methods_integrate_with_functions_and_services() {
    assert_eq!(
        both("rest"),
        [
            "Api -route-> Bus ApiIntegration label=DELETE /orders/{id}",
            "Api -route-> Flow ApiIntegration label=POST /orders/{id}",
            "Api -route-> Queue ApiIntegration label=POST /orders",
            // `sqs:action/SendMessage` with the queue's URL in a request parameter.
            "Api -route-> Queue ApiIntegration label=POST /orders/send",
            "Api -route-> Table ApiIntegration label=PATCH /orders/{id}",
            "Api -route-> Topic ApiIntegration label=PUT /orders",
            "Api -route-> Uploads ApiIntegration label=HEAD /orders/{id}",
            "Api -route-> external:https://legacy.example.com/orders ApiIntegration label=GET /orders",
            // The stream is chosen per request: the edge goes to the service.
            "Api -route-> external:kinesis ApiIntegration label=PUT /orders/{id}",
            // Either function, behind `Fn::If`.
            "Api -trigger-> Authorize Api name=GetSend route=\"GET /orders/send\" conditional",
            "Api -trigger-> Authorize Authorizer name=token route=\"authorizer token\"",
            // Through the alias `Live`.
            "Api -trigger-> Handler Api name=GetOrder route=\"GET /orders/{id}\"",
            "Api -trigger-> Handler Api name=GetRoot route=\"GET /\"",
            "Api -trigger-> Handler Api name=GetSend route=\"GET /orders/send\" conditional",
        ]
    );
}

#[test]
fn http_and_websocket_routes_join_their_integrations() {
    assert_eq!(
        both("v2"),
        [
            // The topic's ARN is in the mapping template, inside `Fn::Sub`.
            "Chat -route-> Topic ApiIntegration label=publish",
            "Chat -trigger-> Handler HttpApi name=Connect route=\"$connect\"",
            "HttpApi -route-> Bus ApiIntegration label=POST /events",
            "HttpApi -route-> Flow ApiIntegration label=POST /flows",
            "HttpApi -route-> Queue ApiIntegration label=POST /orders",
            // `EventBridge-PutEvents` without an `EventBusName` puts on the default bus.
            "HttpApi -route-> external:default ApiIntegration label=POST /default-events",
            "HttpApi -trigger-> Authorize Authorizer name=lambda route=\"authorizer lambda\"",
            "HttpApi -trigger-> Handler HttpApi name=GetOrders route=\"GET /orders\"",
            "Quick -trigger-> Handler HttpApi name=Quick route=\"$default\"",
            "SamApi -trigger-> Authorize Authorizer name=Token route=\"authorizer Token\"",
            "SamHttpApi -trigger-> Authorize Authorizer name=Lambda route=\"authorizer Lambda\"",
        ]
    );
}

#[test]
fn openapi_definitions_inline_included_and_in_files() {
    assert_eq!(
        both("openapi"),
        [
            "BodyApi -trigger-> Handler HttpApi name=BodyApi route=\"$default\"",
            // `DefinitionUri: ./definitions/http.json`.
            "FileHttpApi -route-> Bus ApiIntegration label=POST /events",
            "FileHttpApi -trigger-> Authorize Authorizer name=Lambda route=\"authorizer Lambda\"",
            // `Fn::Transform: AWS::Include` of `definitions/rest.yaml`.
            "IncludedApi -route-> Table ApiIntegration label=POST /items",
            "IncludedApi -trigger-> Handler Api name=IncludedApi route=\"GET /items\"",
            "InlineApi -route-> Queue ApiIntegration label=PUT /orders",
            "InlineApi -route-> external:https://legacy.example.com/{proxy} ApiIntegration label=ANY /{proxy+}",
            "InlineApi -trigger-> Authorize Authorizer name=Token route=\"authorizer Token\"",
            // The definition and the function's `Api` event say the same: one edge in the graph.
            "InlineApi -trigger-> Handler Api name=InlineApi route=\"POST /orders\"",
            "InlineApi -trigger-> Handler Api name=PostOrders route=\"POST /orders\"",
        ]
    );
}

/// In the flow graph, the OpenAPI integration and the function's `Api` event to the same route
/// are one trigger edge with one label; services are route edges labelled the same way, and the
/// authorizer is an edge of kind `authorizer` labelled with its name.
#[test]
fn end_to_end_edges_merge_and_keep_one_label() {
    let flow = common::analyse(&fixtures(), &["openapi.yaml"]).flow;
    let edges: Vec<String> = flow
        .edges()
        .iter()
        .filter(|(from, _, _)| from.id.ends_with("Api"))
        .map(|(from, to, edge)| {
            format!(
                "{} -{}-> {} {:?} line {}",
                from.id,
                edge.kind.name(),
                to.id,
                edge.labels,
                edge.location.line().unwrap()
            )
        })
        .collect();
    assert_eq!(
        edges,
        [
            "BodyApi -trigger-> Handler [\"$default\"] line 93",
            // What a definition file declares is placed where the template names the file.
            "FileHttpApi -authorizer-> Authorize [\"authorizer Lambda\"] line 83",
            "FileHttpApi -route-> Bus [\"POST /events\"] line 83",
            "IncludedApi -trigger-> Handler [\"GET /items\"] line 79",
            "IncludedApi -route-> Table [\"POST /items\"] line 79",
            "InlineApi -authorizer-> Authorize [\"authorizer Token\"] line 64",
            // The function's event (line 12) and the definition (line 47) merged.
            "InlineApi -trigger-> Handler [\"POST /orders\"] line 12",
            "InlineApi -route-> Queue [\"PUT /orders\"] line 52",
            "InlineApi -route-> https://legacy.example.com/{proxy} [\"ANY /{proxy+}\"] line 58",
        ]
    );
}

/// Definitions flowdoc cannot read are warnings at the property that names them; nothing else
/// of the template is lost.
#[test]
fn unreadable_definitions_are_warnings() {
    let template = from_files(&[
        (
            "template.yaml",
            r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  InS3:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionUri: s3://bucket/api.yaml
  InS3Object:
    Type: AWS::ApiGateway::RestApi
    Properties:
      BodyS3Location: {Bucket: bucket, Key: api.yaml}
  Missing:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters:
            Location: missing.yaml
  Broken:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: broken.yaml
  Outside:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: ../../api.yaml
  Method:
    Type: AWS::ApiGateway::Method
    Properties:
      HttpMethod: GET
      ResourceId: abc123
      Integration: {Type: AWS_PROXY}
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      RouteKey: GET /
      Target: integrations/abc123
"#,
        ),
        ("broken.yaml", "paths: [unclosed\n"),
    ]);
    assert_eq!(
        problems(&template),
        [
            "template.yaml:8:7 the API definition lives at `s3://bucket/api.yaml`; flowdoc does not fetch it",
            "template.yaml:12:7 the API definition lives in S3; flowdoc does not fetch it",
            "template.yaml:21:13 `missing.yaml` is not in the project; the definition is not read",
            "template.yaml:29:7 `../../api.yaml` is outside the project; the definition is not read",
            "template.yaml:30:3 method without a RestApiId; its integration is not followed",
            "template.yaml:40:7 the route's Target names no integration of this template; it is not followed",
        ]
    );
    // A file that is there but does not parse is a problem of that file, reported like a
    // source file that cannot be read.
    let unreadable: Vec<String> = template
        .unreadable
        .iter()
        .map(|problem| format!("{} {:?} {}", problem.location, problem.kind, problem.message))
        .collect();
    assert_eq!(unreadable, ["broken.yaml:2:1 Syntax while parsing a flow sequence, expected ',' or ']'"]);
    assert_eq!(api_relations(&template), Vec::<String>::new());
}

/// The definitions one template includes are read within the template size limit, all
/// together: including one file many times does not multiply what is held.
#[test]
fn included_definitions_share_the_size_limit() {
    let mut files = MemoryFiles::new();
    let mut template = String::from("Resources:\n");
    for index in 0..3 {
        template.push_str(&format!(
            "  Api{index}:\n    Type: AWS::Serverless::Api\n    Properties:\n      DefinitionUri: api.yaml\n"
        ));
    }
    files.insert("template.yaml", template);
    files.insert("api.yaml", format!("paths: {{}}\ninfo: {{description: {}}}\n", "x".repeat(400)));
    let options = LoadOptions { max_file_bytes: 1000, ..LoadOptions::default() };
    let loaded = template::load(&files, &["template.yaml".to_owned()], &options);
    assert_eq!(loaded.templates()[0].problems, []);
    let unreadable: Vec<String> =
        loaded.templates()[0].unreadable.iter().map(|p| format!("{} {}", p.location, p.message)).collect();
    assert_eq!(
        unreadable,
        [
            "api.yaml file is 432 bytes, over the 136 bytes left of the size limit of the definitions its template names; it was not read"
        ]
    );
    // In the analysis, it is an unreadable source: the run goes on, and ends as a failed one.
    let config = flowdoc::config::Config { load: options, ..flowdoc::config::Config::default() };
    let templates = ["template.yaml".to_owned()];
    let analysis = flowdoc::analyse(&flowdoc::Project::new(&files).templates(&templates).config(&config))
        .expect("it loads");
    assert_eq!(analysis.unreadable_sources().len(), 1);
    assert!(analysis.findings.iter().any(|finding| finding.rule == "unreadable-source"));
}
