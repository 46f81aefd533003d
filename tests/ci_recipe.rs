//! The GitHub Actions workflow in `docs/ci.md`, run as far as it runs off GitHub: its shell steps
//! in a clone of a scratch "origin" with a pull-request branch (as bash runs them there, with
//! `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`), and its comment script under Node.js against a
//! fake GitHub API.

mod common;

use common::{copy_folder, edit, git, isolated, shop, text};
use flowdoc::template::yaml::{self, Node, YamlLimits};
use std::path::{Path, PathBuf};
use std::process::Output;

fn workflow() -> Node {
    let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ci.md")).unwrap();
    let start = guide.find("```yaml\n").expect("docs/ci.md has a yaml block") + "```yaml\n".len();
    let end = start + guide[start..].find("\n```").unwrap();
    yaml::parse(&guide[start..=end], YamlLimits::default()).expect("the workflow is YAML").root
}

/// The steps of `job`.
fn steps(workflow: &Node, job: &str) -> Vec<Node> {
    workflow.path(&["jobs", job, "steps"]).and_then(Node::as_seq).expect("the job has steps").to_vec()
}

fn field<'n>(step: &'n Node, key: &str) -> Option<&'n str> {
    step.get(key).and_then(Node::as_str)
}

#[test]
fn the_workflow_checks_on_push_and_diffs_pull_requests() {
    let workflow = workflow();
    let check = steps(&workflow, "check");
    let diff = steps(&workflow, "diff");
    let runs: Vec<&str> = check.iter().chain(&diff).filter_map(|step| field(step, "run")).collect();
    assert!(
        runs.iter().any(|run| run.contains("flowdoc check --deny warnings --format sarif > flowdoc.sarif"))
    );
    assert!(
        runs.iter().any(|run| run.contains("flowdoc diff \"origin/$BASE_REF\" --exit-code > flow-diff.md"))
    );
    for run in &runs {
        // Values from the event go through `env`, never into the script's text.
        assert!(!run.contains("${{"), "expression in a script: {run}");
    }
    let upload = check
        .iter()
        .find(|step| field(step, "uses").is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif")));
    assert_eq!(
        upload.and_then(|step| field(step, "if")),
        Some("always()"),
        "the SARIF is uploaded when the check fails"
    );
    assert_eq!(
        workflow.path(&["jobs", "check", "permissions", "security-events"]).and_then(Node::as_str),
        Some("write")
    );
    assert_eq!(
        workflow.path(&["jobs", "diff", "permissions", "pull-requests"]).and_then(Node::as_str),
        Some("write")
    );
    assert_eq!(
        field(workflow.path(&["jobs", "diff"]).unwrap(), "if"),
        Some("github.event_name == 'pull_request'")
    );
}

/// A pull request's checkout: a clone of a bare "origin" whose `main` holds the shop, on a
/// branch with `change` made and committed, and without `origin/main` until the workflow
/// fetches it.
struct PullRequest {
    dir: tempfile::TempDir,
    checkout: PathBuf,
}

impl PullRequest {
    fn new(change: impl Fn(&Path)) -> PullRequest {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path();
        let (work, origin, checkout) = (home.join("work"), home.join("origin.git"), home.join("checkout"));
        copy_folder(shop(), &work);
        git(home, home, &["init", "--quiet", work.to_str().unwrap()]);
        git(&work, home, &["add", "--all"]);
        git(&work, home, &["commit", "--quiet", "--message", "the shop"]);
        git(home, home, &["clone", "--quiet", "--bare", work.to_str().unwrap(), origin.to_str().unwrap()]);
        let url = format!("file://{}", origin.display());
        git(home, home, &["clone", "--quiet", &url, checkout.to_str().unwrap()]);
        git(&checkout, home, &["checkout", "--quiet", "-b", "feature"]);
        change(&checkout);
        git(&checkout, home, &["commit", "--quiet", "--all", "--allow-empty", "--message", "the change"]);
        git(&checkout, home, &["update-ref", "-d", "refs/remotes/origin/main"]);
        PullRequest { dir, checkout }
    }

    /// Runs a step's script as GitHub's runner does (`bash --noprofile --norc -eo pipefail`),
    /// with the step's `env`, where `${{ github.base_ref }}` is `main`.
    fn run(&self, step: &Node) -> Output {
        let script = field(step, "run").expect("a run step");
        let flowdoc = Path::new(env!("CARGO_BIN_EXE_flowdoc"));
        let path =
            format!("{}:{}", flowdoc.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
        let mut command = isolated("bash", self.dir.path());
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(&self.checkout)
            .env("PATH", path)
            .env("GITHUB_OUTPUT", self.file("github-output"))
            .env("GITHUB_STEP_SUMMARY", self.file("step-summary"));
        for (key, value) in step.get("env").and_then(Node::as_map).unwrap_or_default() {
            let value = value.as_str().unwrap().replace("${{ github.base_ref }}", "main");
            assert!(!value.contains("${{"), "an expression this test does not know: {value}");
            command.env(key.as_str().unwrap(), value);
        }
        command.output().unwrap()
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.checkout.join(name)).unwrap_or_default()
    }

    /// Runs the job's shell steps but the installation, the way the runner decides: a step
    /// whose `if` asks for `steps.diff.outputs.status == '1'` runs only when it is. The exit
    /// status of each step that ran, by name.
    fn run_job(&self, job: &str) -> Vec<(String, Option<i32>, String)> {
        let mut ran = Vec::new();
        for step in steps(&workflow(), job) {
            let Some(script) = field(&step, "run") else { continue };
            if script.starts_with("cargo install") {
                continue;
            }
            match field(&step, "if") {
                None => {}
                Some("steps.diff.outputs.status == '1'") => {
                    let outputs = std::fs::read_to_string(self.file("github-output")).unwrap_or_default();
                    if !outputs.lines().any(|line| line == "status=1") {
                        continue;
                    }
                }
                Some(other) => panic!("a condition this test does not know: {other}"),
            }
            let output = self.run(&step);
            let name = field(&step, "name").unwrap_or("").to_owned();
            ran.push((name, output.status.code(), text(&output.stdout) + &text(&output.stderr)));
            if output.status.code() != Some(0) {
                break;
            }
        }
        ran
    }
}

#[test]
fn the_check_job_writes_sarif_and_fails_on_warnings() {
    let pull_request = PullRequest::new(|_| {});
    let ran = pull_request.run_job("check");
    assert_eq!(ran.len(), 1, "{ran:?}");
    assert_eq!(ran[0].1, Some(1), "the shop has two warnings: {ran:?}");
    let sarif: serde_json::Value =
        serde_json::from_str(&pull_request.read("flowdoc.sarif")).expect("SARIF JSON");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
}

#[test]
fn a_breaking_pull_request_is_commented_and_fails() {
    let pull_request = PullRequest::new(|checkout| {
        edit(
            &checkout.join("email/src/main.rs"),
            "#[event_consumer(OrderCancelled, from = \"OrdersTopic\")]\n",
            "",
        );
    });
    let ran = pull_request.run_job("diff");
    let names: Vec<(&str, Option<i32>)> = ran.iter().map(|(name, code, _)| (name.as_str(), *code)).collect();
    assert_eq!(
        names,
        [("What the pull request does to the event flow", Some(0)), ("Fail on breaking changes", Some(1))],
        "{ran:?}"
    );
    assert!(ran[1].2.starts_with("::error title=flowdoc::"), "{ran:?}");
    let comment = pull_request.read("flow-diff.md");
    assert!(comment.starts_with("<!-- flowdoc-diff -->\n"), "{comment}");
    assert!(comment.contains("- `OrderCancelled` is still produced, but its last consumers"), "{comment}");
    assert_eq!(std::fs::read_to_string(pull_request.file("step-summary")).unwrap(), comment);
    assert!(pull_request.read("flow-diff.svg").starts_with("<svg "));
    assert_eq!(std::fs::read_to_string(pull_request.file("github-output")).unwrap(), "status=1\n");
}

#[test]
fn a_harmless_pull_request_is_commented_and_passes() {
    let pull_request = PullRequest::new(|checkout| {
        edit(
            &checkout.join("orders/src/main.rs"),
            "    pub total_cents: u64,\n",
            "    pub total_cents: u64,\n    pub currency: String,\n",
        );
    });
    let ran = pull_request.run_job("diff");
    assert_eq!(ran.len(), 1, "the failing step is skipped: {ran:?}");
    assert_eq!(ran[0].1, Some(0), "{ran:?}");
    assert!(pull_request.read("flow-diff.md").contains("`+ currency`"));
    assert_eq!(std::fs::read_to_string(pull_request.file("github-output")).unwrap(), "status=0\n");
}

#[test]
fn an_unknown_base_fails_the_step_at_once() {
    let pull_request = PullRequest::new(|_| {});
    git(
        &pull_request.checkout,
        pull_request.dir.path(),
        &["remote", "set-url", "origin", "file:///nonexistent/origin.git"],
    );
    let ran = pull_request.run_job("diff");
    assert_eq!(ran.len(), 1, "{ran:?}");
    assert_ne!(ran[0].1, Some(0), "{ran:?}");
    assert!(!pull_request.file("github-output").exists(), "no status for the next steps");
}

/// Runs the comment script of the workflow under Node.js with a fake GitHub: `comments` are
/// the pull request's comments, `diff` the Markdown flowdoc wrote. What the script called.
#[allow(clippy::print_stderr, reason = "says why a part of the test did not run")]
fn comment_script(comments: &serde_json::Value, diff: &str) -> Option<Vec<serde_json::Value>> {
    let node = std::env::var_os("NODE").unwrap_or_else(|| "node".into());
    if std::process::Command::new(&node).arg("--version").output().is_err() {
        // `.ci/run` installs Node.js and insists; a clone without it runs every other test.
        assert!(std::env::var_os("FLOWDOC_REQUIRE_NODE").is_none(), "Node.js is required here");
        eprintln!("note: no Node.js; the comment script was not run");
        return None;
    }
    let workflow = workflow();
    let script = steps(&workflow, "diff")
        .iter()
        .find(|step| field(step, "uses").is_some_and(|uses| uses.starts_with("actions/github-script@")))
        .and_then(|step| step.path(&["with", "script"]).and_then(Node::as_str).map(str::to_owned))
        .expect("the comment step has a script");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("flow-diff.md"), diff).unwrap();
    std::fs::write(dir.path().join("script.js"), script).unwrap();
    std::fs::write(dir.path().join("comments.json"), comments.to_string()).unwrap();
    let harness = r#"
const fs = require('fs');
const calls = [];
const comments = JSON.parse(fs.readFileSync('comments.json', 'utf8'));
const github = {
  paginate: async (method, params) => { calls.push({ call: 'list', params }); return comments; },
  rest: { issues: {
    listComments: 'listComments',
    updateComment: async (params) => { calls.push({ call: 'update', params }); },
    createComment: async (params) => { calls.push({ call: 'create', params }); },
  } },
};
const context = { repo: { owner: 'shop', repo: 'orders' }, issue: { number: 7 } };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('require', 'github', 'context', fs.readFileSync('script.js', 'utf8'))(require, github, context)
  .then(() => console.log(JSON.stringify(calls)))
  .catch((error) => { console.error(error); process.exit(1); });
"#;
    std::fs::write(dir.path().join("harness.js"), harness).unwrap();
    let output = std::process::Command::new(node).arg("harness.js").current_dir(dir.path()).output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    Some(serde_json::from_slice(&output.stdout).unwrap())
}

#[test]
fn the_comment_is_created_once_then_updated() {
    let changed = "<!-- flowdoc-diff -->\n### Event flow\n\nThis change touches 1 event.\n";
    let unchanged = "No changes to the event flow. <!-- flowdoc-diff -->\n";
    let bot = |id: u64, body: &str| serde_json::json!({ "id": id, "user": { "type": "Bot" }, "body": body });
    let person =
        |id: u64, body: &str| serde_json::json!({ "id": id, "user": { "type": "User" }, "body": body });
    let calls = |comments: serde_json::Value, diff: &str| -> Option<Vec<(String, serde_json::Value)>> {
        let all = comment_script(&comments, diff)?;
        Some(
            all.into_iter()
                .filter(|call| call["call"] != "list")
                .map(|call| (call["call"].as_str().unwrap().to_owned(), call["params"].clone()))
                .collect(),
        )
    };

    let Some(first) = calls(serde_json::json!([person(1, "LGTM")]), changed) else { return };
    assert_eq!(
        first,
        [(
            "create".to_owned(),
            serde_json::json!({ "owner": "shop", "repo": "orders", "issue_number": 7, "body": changed })
        )]
    );

    let quoted = person(2, &format!("> {changed}"));
    let again = calls(serde_json::json!([quoted, bot(3, "old <!-- flowdoc-diff -->")]), changed).unwrap();
    assert_eq!(
        again,
        [(
            "update".to_owned(),
            serde_json::json!({ "owner": "shop", "repo": "orders", "comment_id": 3, "body": changed })
        )],
        "the bot's comment is edited, not a person's that quotes it"
    );

    assert_eq!(
        calls(serde_json::json!([bot(3, changed)]), changed).unwrap(),
        [],
        "nothing new, nothing sent"
    );
    assert_eq!(
        calls(serde_json::json!([]), unchanged).unwrap(),
        [],
        "no comment for a pull request that changes no flow"
    );
    let stale = calls(serde_json::json!([bot(3, changed)]), unchanged).unwrap();
    assert_eq!(stale[0].0, "update", "an earlier comment never describes a state that is gone");

    let huge = format!("<!-- flowdoc-diff -->\n{}", "| + | `Event` | — | — | new |\n".repeat(4000));
    let cut = calls(serde_json::json!([]), &huge).unwrap();
    let body = cut[0].1["body"].as_str().unwrap();
    assert!(body.chars().count() <= 65000, "{}", body.len());
    assert!(body.starts_with("<!-- flowdoc-diff -->") && body.ends_with("<!-- flowdoc-diff -->\n"));
    assert!(body.contains("Cut at the size GitHub allows"));
}

/// The second workflow of `docs/ci.md`: the onboarding site on GitHub Pages.
fn pages_workflow() -> Node {
    let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ci.md")).unwrap();
    let section = guide.find("## Publishing the onboarding site").expect("docs/ci.md publishes the site");
    let start = section + guide[section..].find("```yaml\n").unwrap() + "```yaml\n".len();
    let end = start + guide[start..].find("\n```").unwrap();
    yaml::parse(&guide[start..=end], YamlLimits::default()).expect("the workflow is YAML").root
}

#[test]
fn the_pages_workflow_publishes_the_site_on_every_push_to_the_default_branch() {
    let workflow = pages_workflow();
    let branches = workflow.path(&["on", "push", "branches"]).and_then(Node::as_seq).unwrap();
    assert_eq!(branches.iter().filter_map(Node::as_str).collect::<Vec<_>>(), ["main"]);
    assert!(workflow.path(&["on", "pull_request"]).is_none(), "pull requests do not publish");
    let build = steps(&workflow, "build");
    let runs: Vec<&str> = build.iter().filter_map(|step| field(step, "run")).collect();
    assert!(runs.contains(&"flowdoc site --out _site"), "{runs:?}");
    let upload = build
        .iter()
        .find(|step| {
            field(step, "uses").is_some_and(|uses| uses.starts_with("actions/upload-pages-artifact@"))
        })
        .expect("the site is uploaded as the Pages artifact");
    assert_eq!(upload.path(&["with", "path"]).and_then(Node::as_str), Some("_site"));
    let deploy = steps(&workflow, "deploy");
    assert!(
        deploy.iter().any(|step| field(step, "uses").is_some_and(|u| u.starts_with("actions/deploy-pages@")))
    );
    assert_eq!(workflow.path(&["jobs", "deploy", "needs"]).and_then(Node::as_str), Some("build"));
    for permission in ["pages", "id-token"] {
        assert_eq!(
            workflow.path(&["jobs", "deploy", "permissions", permission]).and_then(Node::as_str),
            Some("write"),
            "{permission}"
        );
    }
    assert_eq!(workflow.path(&["permissions", "contents"]).and_then(Node::as_str), Some("read"));

    // The command the workflow runs writes a site with its index.
    let out = tempfile::tempdir().unwrap();
    let written = std::process::Command::new(env!("CARGO_BIN_EXE_flowdoc"))
        .args(["--no-cache", "--root", env!("CARGO_MANIFEST_DIR"), "site", "--out"])
        .arg(out.path().join("_site"))
        .output()
        .unwrap();
    assert!(written.status.success(), "{}", String::from_utf8_lossy(&written.stderr));
    assert!(out.path().join("_site/index.html").is_file());
}
