//! `flowdoc diff` as users run it, in a scratch git repository: the shop fixture in a folder
//! `app/` of the repository, committed, changed, and compared against revisions, the working
//! tree and `flow.json` files. Git runs with a fixed identity, no signing and no `GIT_*`
//! variables from the environment, so the tests behave the same on every machine.

mod common;

use common::{copy_folder, edit, isolated, shop as fixture, text};
use std::path::PathBuf;
use std::process::Output;

/// A scratch repository: `app/` holds the shop, `README.md` sits beside it; one commit.
struct Repository {
    _dir: tempfile::TempDir,
    top: PathBuf,
    app: PathBuf,
}

impl Repository {
    fn new() -> Repository {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().join("repo");
        let app = top.join("app");
        copy_folder(fixture(), &app);
        std::fs::write(top.join("README.md"), "A shop.\n").unwrap();
        let repository = Repository { _dir: dir, top, app };
        repository.git(&["init", "--quiet"]);
        repository.commit("the shop");
        repository
    }

    fn git(&self, args: &[&str]) -> String {
        common::git(&self.top, &self.top, args)
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "--all"]);
        self.git(&["commit", "--quiet", "--message", message]);
    }

    /// In `file` of the shop, the one place `from` stands becomes `to`.
    fn edit(&self, file: &str, from: &str, to: &str) {
        edit(&self.app.join(file), from, to);
    }

    /// `flowdoc --root app <args>`, run from the top of the repository.
    fn flowdoc(&self, args: &[&str]) -> Output {
        isolated(env!("CARGO_BIN_EXE_flowdoc"), &self.top)
            .args(["--root", "app"])
            .args(args)
            .current_dir(&self.top)
            .output()
            .unwrap()
    }
}

const DROP_CANCELLED_CONSUMER: (&str, &str, &str) =
    ("email/src/main.rs", "#[event_consumer(OrderCancelled, from = \"OrdersTopic\")]\n", "");

#[test]
fn a_clean_working_tree_is_no_change() {
    let repository = Repository::new();
    let output = repository.flowdoc(&["diff"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "No changes to the event flow. <!-- flowdoc-diff -->\n");
    assert_eq!(text(&output.stderr), "");
    let picture = text(&repository.flowdoc(&["diff", "--format", "svg"]).stdout);
    assert!(
        picture.starts_with("<svg ") && picture.contains(">No changes to the event flow.</text>"),
        "{picture}"
    );

    // A change of schema only has nothing to draw either, and says so.
    repository.edit(
        "orders/src/main.rs",
        "    pub total_cents: u64,\n",
        "    pub total_cents: u64,\n    pub currency: String,\n",
    );
    let picture = text(&repository.flowdoc(&["diff", "--format", "svg"]).stdout);
    assert!(
        picture.contains(">This change touches 1 event. The shape of the flow is the same.</text>"),
        "{picture}"
    );
}

#[test]
fn the_working_tree_against_the_last_commit_without_touching_either() {
    let repository = Repository::new();
    let (file, from, to) = DROP_CANCELLED_CONSUMER;
    repository.edit(file, from, to);
    repository.git(&["add", &format!("app/{file}")]);
    repository.edit(
        "orders/src/main.rs",
        "    pub total_cents: u64,\n",
        "    pub total_cents: u64,\n    pub currency: String,\n",
    );
    let status_before = repository.git(&["status", "--porcelain"]);
    let index_before = std::fs::read(repository.top.join(".git/index")).unwrap();

    let output = repository.flowdoc(&["diff"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "without --exit-code breaking is no failure: {}",
        text(&output.stderr)
    );
    let comment = text(&output.stdout);
    assert!(comment.starts_with("<!-- flowdoc-diff -->\n### Event flow\n"), "{comment}");
    assert!(
        comment.contains("#### Breaking\n\n- `OrderCancelled` is still produced, but its last consumers"),
        "{comment}"
    );
    assert!(
        comment.contains("| ~ | `OrderPlaced` | — | — | `+ currency` |"),
        "the unstaged edit counts too: {comment}"
    );

    let failing = repository.flowdoc(&["diff", "--exit-code"]);
    assert_eq!(failing.status.code(), Some(1));
    assert_eq!(failing.stdout, output.stdout);

    assert_eq!(repository.git(&["status", "--porcelain"]), status_before);
    assert_eq!(
        std::fs::read(repository.top.join(".git/index")).unwrap(),
        index_before,
        "the index is untouched"
    );
    assert_eq!(repository.git(&["stash", "list"]), "");
}

#[test]
fn two_revisions_and_their_flow_json_files_give_the_same_diff() {
    let repository = Repository::new();
    let before = repository.flowdoc(&["graph", "--format", "json"]);
    assert_eq!(before.status.code(), Some(0), "{}", text(&before.stderr));
    let (file, from, to) = DROP_CANCELLED_CONSUMER;
    repository.edit(file, from, to);
    repository.commit("email stops caring about cancellations");
    let after = repository.flowdoc(&["graph", "--format", "json"]);
    // Outside the repository's tree, so that the revisions stay as they are.
    let files = repository.top.parent().unwrap();
    std::fs::write(files.join("before.json"), &before.stdout).unwrap();
    std::fs::write(files.join("after.json"), &after.stdout).unwrap();

    let by_revision = repository.flowdoc(&["diff", "HEAD~1", "HEAD", "--format", "json"]);
    assert_eq!(by_revision.status.code(), Some(0), "{}", text(&by_revision.stderr));
    let json: serde_json::Value = serde_json::from_slice(&by_revision.stdout).unwrap();
    assert_eq!(json["diff"]["breaking"][0]["kind"], "lost-last-consumer");
    assert_eq!(json["diff"]["breaking"][0]["event"], "OrderCancelled");

    let by_base_only = repository.flowdoc(&["diff", "HEAD~1", "--format", "json"]);
    assert_eq!(by_base_only.stdout, by_revision.stdout, "HEAD defaults to the working tree, clean here");

    let (before, after) = (files.join("before.json"), files.join("after.json"));
    let by_file =
        repository.flowdoc(&["diff", before.to_str().unwrap(), after.to_str().unwrap(), "--format", "json"]);
    assert_eq!(by_file.status.code(), Some(0), "{}", text(&by_file.stderr));
    assert_eq!(by_file.stdout, by_revision.stdout);

    let mixed = repository.flowdoc(&["diff", before.to_str().unwrap(), "--format", "json", "--exit-code"]);
    assert_eq!(mixed.status.code(), Some(1));
    assert_eq!(mixed.stdout, by_revision.stdout);

    let picture = repository.flowdoc(&["diff", "HEAD~1", "HEAD", "--format", "svg"]);
    assert_eq!(picture.status.code(), Some(0));
    let svg = text(&picture.stdout);
    assert!(svg.starts_with("<svg ") && svg.contains("~ EmailFunction"), "{svg}");
}

#[test]
fn a_revision_before_the_project_existed() {
    let repository = Repository::new();
    // A commit of an empty tree, made without touching the working tree.
    let empty_tree = repository.git(&["mktree"]);
    let commit = repository.git(&["commit-tree", empty_tree.trim(), "-m", "nothing"]);
    repository.git(&["branch", "empty", commit.trim()]);
    let output = repository.flowdoc(&["diff", "empty"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        "error: cannot read the flow of revision `empty`\nerror: no SAM or CloudFormation template found in revision `empty`; name one with --template or in flowdoc.toml\n"
    );
}

#[test]
fn sides_that_cannot_be_read_exit_2_with_a_clear_message() {
    let repository = Repository::new();
    let outside = repository.top.parent().unwrap();
    std::fs::write(outside.join("broken.json"), "{\n  \"version\": 1,\n  \"nodes\": [\n").unwrap();
    std::fs::write(outside.join("future.json"), "{\"version\": 2, \"nodes\": []}").unwrap();
    std::fs::write(outside.join("list.json"), "[1, 2]").unwrap();
    std::fs::write(outside.join("text.json"), "<html>not a graph</html>\n").unwrap();
    std::fs::write(outside.join("bare.json"), "{\"version\": 1}").unwrap();
    std::fs::write(
        outside.join("kindless.json"),
        "{\"version\": 1, \"nodes\": [{\"id\": \"Queue\"}], \"edges\": [], \"events\": [], \"findings\": []}",
    )
    .unwrap();
    std::fs::write(
        outside.join("fatal.json"),
        "{\"version\": 1, \"nodes\": [], \"edges\": [], \"events\": [],\n \"findings\": [{\"rule\": \"r\", \"severity\": \"fatal\", \"subject\": \"s\", \"message\": \"m\"}]}",
    )
    .unwrap();
    let path = |name: &str| outside.join(name).to_str().unwrap().to_owned();
    let cases: Vec<(Vec<String>, String)> = vec![
        (vec!["nope".into()], "error: unknown revision `nope`: git knows no commit of that name\n".into()),
        (vec!["HEAD".into(), "--upload-pack=x".into()], String::new()),
        (
            vec![path("broken.json")],
            format!(
                "error: {}:4:1: EOF while parsing a list; not a flow.json flowdoc can read\n",
                path("broken.json")
            ),
        ),
        (
            vec![path("future.json")],
            format!(
                "error: {}: this is a flow.json of format version 2; this flowdoc reads version 1\n",
                path("future.json")
            ),
        ),
        (
            vec![path("list.json")],
            format!(
                "error: {}:1:1: not a flowdoc flow.json: it has no `version`; not a flow.json flowdoc can read\n",
                path("list.json")
            ),
        ),
        (
            vec![path("text.json")],
            format!("error: {}:1:1: expected value; not a flow.json flowdoc can read\n", path("text.json")),
        ),
        (
            vec![path("bare.json")],
            format!(
                "error: {}:1:14: missing field `nodes`; not a flow.json flowdoc can read\n",
                path("bare.json")
            ),
        ),
        (
            vec![path("kindless.json")],
            format!(
                "error: {}:1:40: missing field `kind`; not a flow.json flowdoc can read\n",
                path("kindless.json")
            ),
        ),
        (
            vec![path("fatal.json"), path("bare.json")],
            format!(
                "error: {}:2:47: unknown severity `fatal`: a finding is an `error`, a `warning` or `info`; not a flow.json flowdoc can read\n",
                path("fatal.json")
            ),
        ),
        (vec![path("missing.json")], format!("error: there is no file `{}`\n", path("missing.json"))),
    ];
    for (args, message) in cases {
        let mut all = vec!["diff"];
        all.extend(args.iter().map(String::as_str));
        let output = repository.flowdoc(&all);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", text(&output.stderr));
        if !message.is_empty() {
            assert_eq!(text(&output.stderr), message, "{args:?}");
        }
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

/// A `flow.json` a newer flowdoc wrote: still format version 1 (kinds and fields are added
/// without a new version), with a node and an edge of kinds this flowdoc does not know and a field
/// it has never seen. It is read, and the kinds are compared and shown by name.
#[test]
fn kinds_from_a_newer_flowdoc_are_compared_by_name() {
    let repository = Repository::new();
    let graph = repository.flowdoc(&["graph", "--format", "json"]);
    assert_eq!(graph.status.code(), Some(0), "{}", text(&graph.stderr));
    let mut newer: serde_json::Value = serde_json::from_slice(&graph.stdout).unwrap();
    let place = serde_json::json!({ "file": "template.yaml", "line": 90, "column": 3 });
    let mut node = serde_json::json!({
        "id": "OrdersHttpApi", "kind": "quantum-api", "type": "AWS::ApiGatewayV3::Api", "template": "template.yaml",
        "logical_id": "OrdersHttpApi", "dlq": false, "implicit": false, "conditional": false,
    });
    let mut edge = serde_json::json!({
        "from": "OrdersHttpApi", "to": "OrdersFunction", "kind": "invoke", "events": [], "confirmed": false,
        "conditional": false, "labels": ["POST /orders"], "source": "template",
    });
    for item in [&mut node, &mut edge] {
        item.as_object_mut().unwrap().extend(place.as_object().unwrap().clone());
    }
    newer["nodes"].as_array_mut().unwrap().push(node);
    newer["edges"].as_array_mut().unwrap().push(edge);
    let files = repository.top.parent().unwrap();
    let (before, after) = (files.join("before.json"), files.join("newer.json"));
    std::fs::write(&before, &graph.stdout).unwrap();
    std::fs::write(&after, serde_json::to_string_pretty(&newer).unwrap()).unwrap();
    let (before, after) = (before.to_str().unwrap(), after.to_str().unwrap());

    let json = repository.flowdoc(&["diff", before, after, "--format", "json"]);
    assert_eq!(json.status.code(), Some(0), "{}", text(&json.stderr));
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        json["diff"]["nodes_added"],
        serde_json::json!([{ "id": "OrdersHttpApi", "kind": "quantum-api" }])
    );
    assert_eq!(json["diff"]["edges_added"][0]["kind"], "invoke");
    let same = repository.flowdoc(&["diff", after, after, "--format", "json"]);
    let same: serde_json::Value = serde_json::from_slice(&same.stdout).unwrap();
    assert_eq!(same["diff"]["nodes_changed"], serde_json::json!([]), "the same unknown kind is no change");

    let comment = repository.flowdoc(&["diff", before, after]);
    assert_eq!(comment.status.code(), Some(0), "{}", text(&comment.stderr));
    let comment = text(&comment.stdout);
    assert!(comment.contains("| + | `OrdersHttpApi` | quantum\\-api |"), "{comment}");
    assert!(
        comment.contains("+ OrdersHttpApi<br/><small>AWS::ApiGatewayV3::Api</small>"),
        "drawn as any other resource: {comment}"
    );
}

#[test]
fn a_root_outside_any_repository() {
    let dir = tempfile::tempdir().unwrap();
    copy_folder(fixture(), &dir.path().join("app"));
    let output = isolated(env!("CARGO_BIN_EXE_flowdoc"), dir.path())
        .env("GIT_CEILING_DIRECTORIES", dir.path())
        .args(["--root", "app", "diff"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        "error: `app` is not inside a git repository, so `HEAD` cannot be read\n"
    );
}
