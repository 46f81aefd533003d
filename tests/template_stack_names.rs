//! Stack names from `samconfig.toml`: `${AWS::StackName}` in export and import names is the
//! stack name the SAM CLI deploys the template as, so an import matches its export exactly.

mod common;

/// A bus stack exporting `${AWS::StackName}-BusName` and an orders stack importing `import`,
/// each with the `samconfig.toml` given (none where empty).
fn with_stack_names(bus_config: &str, import: &str) -> Vec<String> {
    let mut files = flowdoc::files::MemoryFiles::new();
    files.insert(
        "bus/template.yaml",
        "Resources:\n  Bus:\n    Type: AWS::Events::EventBus\n    Properties:\n      Name: shared\nOutputs:\n  BusName:\n    Value: !Ref Bus\n    Export:\n      Name: !Sub \"${AWS::StackName}-BusName\"\n",
    );
    files.insert(
        "orders/template.yaml",
        format!(
            "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n  Rule:\n    Type: AWS::Events::Rule\n    Properties:\n      EventBusName: {import}\n      EventPattern: {{source: [orders]}}\n      Targets:\n        - Id: fn\n          Arn: !GetAtt Fn.Arn\n"
        ),
    );
    if !bus_config.is_empty() {
        files.insert("bus/samconfig.toml", bus_config);
    }
    files.insert(
        "orders/samconfig.toml",
        "version = 0.1\n[default.deploy.parameters]\nstack_name = \"shop-orders\"\n",
    );
    let analysis = common::analyse(&files, &["bus/template.yaml", "orders/template.yaml"]);
    let mut found: Vec<String> = analysis
        .flow
        .edges()
        .iter()
        .map(|(from, to, edge)| format!("{} -{}-> {}", from.id, edge.kind.name(), to.id))
        .collect();
    found.extend(
        analysis
            .findings
            .iter()
            .filter(|finding| finding.rule == "template-problem")
            .map(|finding| finding.message.clone()),
    );
    found
}

#[test]
fn stack_names_from_samconfig_match_imports_exactly() {
    let deploy = "version = 0.1\n[default.deploy.parameters]\nstack_name = \"shop-bus\"\n";
    // The stack name known: matched exactly, with nothing to say.
    assert_eq!(
        with_stack_names(deploy, "!ImportValue shop-bus-BusName"),
        ["Bus -route-> Rule", "Rule -trigger-> Fn"]
    );
    // `[default.global.parameters]` too.
    let global = "[default.global.parameters]\nstack_name = \"shop-bus\"\n";
    assert_eq!(
        with_stack_names(global, "!ImportValue shop-bus-BusName"),
        ["Bus -route-> Rule", "Rule -trigger-> Fn"]
    );
    // Another stack's export of the same shape: not this one.
    assert_eq!(
        with_stack_names(deploy, "!ImportValue other-bus-BusName"),
        ["Rule -trigger-> Fn", "import:other-bus-BusName -route-> Rule"]
    );
    // The importing template's own stack name fills `${AWS::StackName}` in its import.
    let orders_bus = "[default.deploy.parameters]\nstack_name = \"shop-orders\"\n";
    assert_eq!(
        with_stack_names(orders_bus, "!ImportValue {\"Fn::Sub\": \"${AWS::StackName}-BusName\"}"),
        ["Bus -route-> Rule", "Rule -trigger-> Fn"]
    );
    // No samconfig.toml beside the bus: matched past the stack name, and said so.
    let unknown = with_stack_names("", "!ImportValue shop-bus-BusName");
    assert_eq!(unknown[..2], ["Bus -route-> Rule", "Rule -trigger-> Fn"]);
    assert!(unknown[2].contains("match past the stack name"), "{unknown:?}");
}
