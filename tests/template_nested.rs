//! Nested stacks joined (`tests/fixtures/templates/nested/`): a nested template's parameter is
//! what its parent passes, and `Fn::GetAtt <Stack>.Outputs.<Name>` in the parent is what the
//! nested template's output names.

mod common;

use flowdoc::files::{DiskFiles, MemoryFiles};

fn edges(flow: &flowdoc::model::Flow) -> Vec<String> {
    flow.edges()
        .iter()
        .map(|(from, to, edge)| format!("{} -{}-> {}", from.id, edge.kind.name(), to.id))
        .collect()
}

fn nested() -> flowdoc::Analysis {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/templates/nested");
    common::analyse(&DiskFiles::new(root), &["parent.yaml"])
}

#[test]
fn parameters_and_outputs_join_the_nested_stacks() {
    let analysis = nested();
    assert_eq!(
        edges(&analysis.flow),
        [
            // An output the nested template does not have: the stack itself.
            "Elsewhere -route-> Worker",
            // The queue the parent passes as `InboxArn`, in the nested event source mapping.
            "Inbox -trigger-> Processor",
            // `${Alerts.Outputs.AlertFunctionArn}` in the parent: the JSON application's function.
            "Nightly -route-> AlertFunction",
            // The output `TopicArn`, passed on to the application as a parameter.
            "Topic -subscription-> AlertFunction",
            // `!GetAtt Worker.Outputs.TopicArn` in the parent.
            "Topic -subscription-> Notifier",
        ]
    );
}
