//! flowdoc against hostile input, end to end through the binary: names and doc comments made
//! to break out of SVG, HTML, Markdown and Mermaid; event names made to escape the output
//! folder; writes interrupted at every step; a project that would run code if anything were
//! built; output identical whatever the thread count or the locale.

mod common;

use common::{text, write_files};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn flowdoc(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_flowdoc"));
    command.arg("--root").arg(root).args(args).env("NO_COLOR", "1").env_remove("FLOWDOC_TEST_FAULT");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

/// Every file under `folder`: relative path → contents.
fn read_folder(folder: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(folder)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let relative = entry.path().strip_prefix(folder).unwrap().to_string_lossy().replace('\\', "/");
            (relative, std::fs::read(entry.path()).unwrap())
        })
        .collect()
}

/// Every path under `dir`, for checking that nothing appeared where it should not.
fn all_paths(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir).into_iter().map(|entry| entry.unwrap().into_path()).collect()
}

const TEMPLATE: &str = "AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersTopic:
    Type: AWS::SNS::Topic
  ApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: api/
      Handler: bootstrap
      Runtime: provided.al2023
      Tracing: Active
      Policies:
        - SNSPublishMessagePolicy:
            TopicName: !GetAtt OrdersTopic.TopicName
";

const MANIFEST: &str = "[package]\nname = \"api\"\nversion = \"0.1.0\"\nedition = \"2024\"\n";

/// Strings made to break out of every format flowdoc writes.
const ATTACKS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "]]><!--",
    "-->",
    "[click](javascript:alert(3))",
    "![pixel](https://evil.invalid/p.png)",
    "%%{init: {\"theme\": \"dark\"}}%%",
    "A-->B",
    "\"quoted\" 'single' `tick`",
    "a | b",
    "&amp; &lt;",
];

/// A project whose event names and doc comments are the attacks.
fn hostile_project(root: &Path) {
    let mut source = String::from("use flowdoc_annotations::{event, event_producer};\n\n");
    source.push_str("/// An order. <script>alert(1)</script> ]]> --> [click](javascript:alert(3))\n");
    source.push_str("/// ![pixel](https://evil.invalid/p.png) %%{init: {\"theme\": \"dark\"}}%% A-->B\n");
    source.push_str("#[event]\npub struct OrderPlaced {\n    /// <b onmouseover=alert(4)>id</b> | `x`\n    pub id: String,\n}\n\n");
    source.push_str("/// Publishes. <iframe src=javascript:alert(5)></iframe>\n");
    source.push_str("#[event_producer(OrderPlaced, to = \"OrdersTopic\")]\n");
    for (index, attack) in
        ATTACKS.iter().chain(&["../../escaped", "CON", "nul.txt", "..", "/etc/passwd"]).enumerate()
    {
        let literal = attack.replace('\\', "\\\\").replace('"', "\\\"");
        source.push_str(&format!("#[event_producer(\"{literal}\", to = \"OrdersTopic\")]\n"));
        let _ = index;
    }
    source.push_str("async fn handler() {}\n\nfn main() {}\n");
    write_files(
        root,
        &[("template.yaml", TEMPLATE), ("api/Cargo.toml", MANIFEST), ("api/src/main.rs", &source)],
    );
}

#[test]
fn hostile_names_and_docs_are_escaped_everywhere_and_stay_in_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    hostile_project(&root);
    let out = dir.path().join("out/docs");
    let output = flowdoc(&root, &["generate", "--out", out.to_str().unwrap()], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));

    // Nothing outside the output folder and the project.
    for path in all_paths(dir.path()) {
        assert!(
            path.starts_with(&root)
                || path.starts_with(&out)
                || path == dir.path()
                || path == out.parent().unwrap(),
            "{}",
            path.display()
        );
    }
    let files = read_folder(&out);
    let event_pages: Vec<&String> = files.keys().filter(|path| path.starts_with("events/")).collect();
    assert!(event_pages.len() >= 2 * (ATTACKS.len() + 5), "a page and a picture per event: {event_pages:?}");
    for path in files.keys().filter(|path| *path != flowdoc::render::docs::MARKER) {
        for part in path.split('/') {
            let stem = part.split('.').next().unwrap().to_ascii_lowercase();
            assert!(!stem.is_empty() && part != ".." && part != ".", "{path}");
            assert!(!["con", "prn", "aux", "nul"].contains(&stem.as_str()), "reserved name {path}");
            assert!(part.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)), "{path}");
        }
    }

    for (path, contents) in &files {
        let contents = text(contents);
        if path.ends_with(".svg") {
            // No markup of the attacker's: every tag is one flowdoc writes.
            for tag in contents.split('<').skip(1) {
                let name: String = tag
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '?' || *c == '!')
                    .collect();
                let name = name.trim_start_matches('/');
                assert!(
                    [
                        "svg", "g", "rect", "path", "text", "tspan", "title", "defs", "marker", "polygon",
                        "line", "style", "?xml", "desc", "circle", "ellipse", "polyline", "!--"
                    ]
                    .contains(&name),
                    "{path}: unexpected tag <{name} in {contents}"
                );
            }
            assert!(!contents.contains("onerror") || !contents.contains("<img"), "{path}");
            assert!(!contents.contains("]]>"), "{path}: CDATA end in the picture");
        }
        if path.ends_with(".md") {
            check_markdown(path, &contents);
        }
        if path.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(&contents)
                .unwrap_or_else(|error| panic!("{path}: {error}"));
        }
    }
}

/// The page holds no HTML, link or image of the attacker's, and its Mermaid charts no
/// directive or arrow that did not come from flowdoc.
fn check_markdown(path: &str, contents: &str) {
    use pulldown_cmark::{Event, Parser, Tag};
    let mut in_code_block = false;
    let mut code = String::new();
    for event in Parser::new(contents) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                // flowdoc's own header and anchors are the only HTML it writes.
                let ours = [
                    "<!-- Generated by flowdoc.",
                    "<a id=\"",
                    "<details>",
                    "<summary>The same graph as",
                    "</details>",
                ]
                .iter()
                .any(|own| html.starts_with(own));
                assert!(ours && !html.contains("script"), "{path}: HTML {html}");
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                assert!(
                    !dest_url.contains(':') || dest_url.starts_with("https://github.com/"),
                    "{path}: link to {dest_url}"
                );
                assert!(!dest_url.starts_with("javascript"), "{path}: link to {dest_url}");
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                assert!(dest_url.ends_with(".svg") && !dest_url.contains(':'), "{path}: image {dest_url}");
            }
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(pulldown_cmark::TagEnd::CodeBlock) => {
                in_code_block = false;
                assert!(!code.contains("%%{"), "{path}: directive in a chart:\n{code}");
                assert!(!code.contains("<script"), "{path}: script in a chart:\n{code}");
                code.clear();
            }
            Event::Text(text) if in_code_block => code.push_str(&text),
            _ => {}
        }
    }
}

/// A small project whose docs change when `second_event` is set.
fn small_project(root: &Path, second_event: bool) {
    let mut source = String::from(
        "use flowdoc_annotations::{event, event_producer};\n\n#[event]\npub struct OrderPlaced {\n    pub id: String,\n}\n\n",
    );
    source.push_str("#[event_producer(OrderPlaced, to = \"OrdersTopic\")]\n");
    if second_event {
        source.push_str("#[event_producer(\"order.audited\", to = \"OrdersTopic\")]\n");
    }
    source.push_str("async fn handler() {}\n\nfn main() {}\n");
    write_files(
        root,
        &[("template.yaml", TEMPLATE), ("api/Cargo.toml", MANIFEST), ("api/src/main.rs", &source)],
    );
}

/// `generate` stopped at each step of its write in turn — by a failing step, and by the
/// process ending there as a kill would — leaves the output folder as the old docs or the new
/// ones, never a mix and never missing; the next run cleans up what a killed one left.
#[test]
fn an_interrupted_write_leaves_the_old_docs_or_the_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    let out = dir.path().join("site/docs");
    let out_arg = out.to_str().unwrap().to_owned();
    let generate = |env: &[(&str, &str)]| flowdoc(&root, &["generate", "--out", &out_arg], env);

    small_project(&root, true);
    assert_eq!(generate(&[]).status.code(), Some(0));
    let new_docs = read_folder(&out);
    small_project(&root, false);
    assert_eq!(generate(&[]).status.code(), Some(0));
    let old_docs = read_folder(&out);
    assert_ne!(old_docs, new_docs);

    for kind in ["fail", "exit"] {
        // From the old docs: with the new ones in place already, there would be nothing to write.
        small_project(&root, false);
        assert_eq!(generate(&[]).status.code(), Some(0));
        assert_eq!(read_folder(&out), old_docs);
        small_project(&root, true);
        let mut step = 1;
        loop {
            let fault = format!("{kind}:{step}");
            let output = generate(&[("FLOWDOC_TEST_FAULT", fault.as_str())]);
            let now = read_folder(&out);
            assert!(now == old_docs || now == new_docs, "{fault}: a mix of old and new docs");
            match output.status.code() {
                Some(0) => {
                    assert_eq!(now, new_docs, "{fault}: finished, so the new docs");
                    break;
                }
                Some(99) => assert_eq!(kind, "exit"),
                Some(2) => {
                    assert_eq!(kind, "fail");
                    assert!(text(&output.stderr).contains("injected fault"), "{}", text(&output.stderr));
                    // A failed step is cleaned up at once: nothing but the docs beside them.
                    let beside: Vec<String> = std::fs::read_dir(out.parent().unwrap())
                        .unwrap()
                        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                        .collect();
                    assert_eq!(beside, ["docs"], "{fault}");
                }
                other => panic!("{fault}: exit {other:?}: {}", text(&output.stderr)),
            }
            // Back to the old docs for the next step.
            if now == new_docs {
                small_project(&root, false);
                assert_eq!(generate(&[]).status.code(), Some(0));
                small_project(&root, true);
            }
            step += 1;
            assert!(step < 200, "the write never finished");
        }
        assert!(step > 5, "{kind}: the write has a step per folder and file, and a swap");
    }
    // Killed runs left their staging folders; the runs after them removed them.
    let beside: Vec<String> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside, ["docs"]);
}

/// The old folder that cannot be removed after the swap: the new docs are in place, the run
/// succeeds with a warning, and the next run removes the leftover.
#[test]
fn an_old_folder_that_cannot_be_removed_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("docs");
    let files = |page: &str| -> BTreeMap<String, String> {
        BTreeMap::from([
            (flowdoc::render::docs::MARKER.to_owned(), String::new()),
            ("index.md".to_owned(), page.to_owned()),
        ])
    };
    flowdoc::output::write_folder(&out, &files("old")).unwrap();
    let written = flowdoc::output::write_folder_with(&out, &files("new"), &mut |step| match step {
        flowdoc::output::Step::RemoveOld(_) => Err(std::io::Error::other("injected fault")),
        _ => Ok(()),
    })
    .unwrap();
    assert_eq!(std::fs::read_to_string(out.join("index.md")).unwrap(), "new");
    let leftover = written.leftover.expect("the old folder is left");
    assert_eq!(std::fs::read_to_string(leftover.join("index.md")).unwrap(), "old");
}

/// Every file under `folder`: relative path → (inode, modification time), to tell a file left
/// alone from one written again with the same bytes.
#[cfg(unix)]
fn identities(folder: &Path) -> BTreeMap<String, (u64, i64, i64)> {
    use std::os::unix::fs::MetadataExt;
    read_folder(folder)
        .into_keys()
        .map(|relative| {
            let meta = std::fs::metadata(folder.join(&relative)).unwrap();
            (relative, (meta.ino(), meta.mtime(), meta.mtime_nsec()))
        })
        .collect()
}

/// A second `generate` with nothing changed says the docs are up to date and leaves every file
/// as it was; one with a change writes what changed and keeps the rest, the same files.
#[cfg(unix)]
#[test]
fn a_generate_with_nothing_changed_touches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    let out = dir.path().join("docs");
    let out_arg = out.to_str().unwrap().to_owned();
    let generate = || flowdoc(&root, &["generate", "--out", &out_arg], &[]);

    small_project(&root, false);
    let first = generate();
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let files = read_folder(&out).len();
    assert!(
        text(&first.stderr).contains(&format!("wrote {files} files to {out_arg}\n")),
        "{}",
        text(&first.stderr)
    );
    let before = identities(&out);

    let again = generate();
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    let said = text(&again.stderr);
    assert!(said.contains(&format!("{out_arg} is up to date ({files} files, none written)")), "{said}");
    assert!(!said.contains("wrote"), "{said}");
    assert_eq!(identities(&out), before);

    small_project(&root, true);
    let old_docs = read_folder(&out);
    let changed = generate();
    assert_eq!(changed.status.code(), Some(0), "{}", text(&changed.stderr));
    let new_docs = read_folder(&out);
    let after = identities(&out);
    let same: Vec<&String> =
        new_docs.keys().filter(|file| old_docs.get(*file) == new_docs.get(*file)).collect();
    let written = new_docs.len() - same.len();
    assert!(!same.is_empty() && written > 0, "the change touches some pages, not all");
    let said = text(&changed.stderr);
    assert!(
        said.contains(&format!("wrote {written} files to {out_arg}, kept {} unchanged", same.len())),
        "{said}"
    );
    for file in &same {
        assert_eq!(after[*file], before[*file], "{file}: kept as it was");
    }
    for file in new_docs.keys().filter(|file| !same.contains(file)) {
        assert!(before.get(file).is_none_or(|old| old.0 != after[file].0), "{file}: a new file");
    }
}

/// A run killed halfway through an update leaves its new folder beside the docs; the next run
/// removes it even when it has nothing to write.
#[cfg(unix)]
#[test]
fn a_killed_update_is_cleaned_up_by_a_run_with_nothing_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    let out = dir.path().join("site/docs");
    let out_arg = out.to_str().unwrap().to_owned();
    let generate = |env: &[(&str, &str)]| flowdoc(&root, &["generate", "--out", &out_arg], env);
    let beside = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(out.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };

    small_project(&root, false);
    assert_eq!(generate(&[]).status.code(), Some(0));
    let old_docs = read_folder(&out);
    let before = identities(&out);
    small_project(&root, true);
    // Killed at its third step, with the new folder begun beside the docs.
    assert_eq!(generate(&[("FLOWDOC_TEST_FAULT", "exit:3")]).status.code(), Some(99));
    assert_eq!(read_folder(&out), old_docs);
    assert_eq!(identities(&out), before, "the old docs, not a copy");
    assert_eq!(beside().len(), 2, "the killed run's new folder is left: {:?}", beside());

    small_project(&root, false);
    let again = generate(&[]);
    assert!(text(&again.stderr).contains("is up to date"), "{}", text(&again.stderr));
    assert_eq!(identities(&out), before);
    assert_eq!(beside(), ["docs"]);
}

/// A crate with a build script, a proc-macro dependency and a `#[path]` to a file outside:
/// nothing of it runs, nothing outside the project is read.
#[test]
fn nothing_the_project_holds_is_built_or_run() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    let marker = dir.path().join("ran");
    let script = format!(
        "fn main() {{ std::fs::write({:?}, \"build.rs ran\").unwrap(); }}\n",
        marker.to_str().unwrap()
    );
    let macro_crate = format!(
        "use proc_macro::TokenStream;\n#[proc_macro_attribute]\npub fn event_producer(_: TokenStream, item: TokenStream) -> TokenStream {{ std::fs::write({:?}, \"macro ran\").unwrap(); item }}\n",
        marker.to_str().unwrap()
    );
    let source = "use flowdoc_annotations::event_producer;\n#[event_producer(\"order.placed\", to = \"OrdersTopic\")]\nasync fn handler() {}\nfn main() {}\n";
    write_files(
        &root,
        &[
            ("template.yaml", TEMPLATE),
            (
                "api/Cargo.toml",
                "[package]\nname = \"api\"\nversion = \"0.1.0\"\nedition = \"2024\"\nbuild = \"build.rs\"\n\n[dependencies]\nflowdoc-annotations = { path = \"../macros\", package = \"macros\" }\n",
            ),
            ("api/build.rs", &script),
            ("api/src/main.rs", source),
            (
                "macros/Cargo.toml",
                "[package]\nname = \"macros\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[lib]\nproc-macro = true\n",
            ),
            ("macros/src/lib.rs", &macro_crate),
        ],
    );
    for args in [
        &["graph", "--format", "json"][..],
        &["generate", "--out", dir.path().join("docs").to_str().unwrap()],
        &["check", "--out", dir.path().join("docs").to_str().unwrap()],
    ] {
        let output = flowdoc(&root, args, &[]);
        assert!(output.status.code().is_some(), "{args:?}");
        assert!(!marker.exists(), "{args:?} ran the project's code");
    }
    let graph = text(&flowdoc(&root, &["graph", "--format", "json"], &[]).stdout);
    assert!(graph.contains("order.placed"), "the annotation is read as text");
    // `target/` holds flowdoc's own cache, nothing cargo would build.
    let built: Vec<_> = std::fs::read_dir(root.join("target"))
        .map(|entries| entries.map(|entry| entry.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(built.iter().all(|name| name == "flowdoc"), "nothing was built: {built:?}");
    assert!(!root.join("api/target").exists(), "nothing was built");
}

/// flowdoc starts no program but git, and git only for `diff`: the sources say so.
#[test]
fn the_only_program_flowdoc_starts_is_git() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut starts = Vec::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|extension| extension != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(entry.path()).unwrap();
        for (line, text) in source.lines().enumerate() {
            if text.contains("Command::new(") || text.contains("process::Command") {
                starts.push(format!(
                    "{}:{}: {}",
                    entry.path().strip_prefix(&src).unwrap().display(),
                    line + 1,
                    text.trim()
                ));
            }
        }
    }
    assert!(!starts.is_empty());
    for start in &starts {
        assert!(start.starts_with("cli/revision.rs:"), "a program started outside the git reader: {start}");
    }
}

/// The same docs whatever the number of threads or the locale.
#[test]
fn output_is_identical_across_thread_counts_and_locales() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    hostile_project(&root);
    let mut seen: Vec<BTreeMap<String, Vec<u8>>> = Vec::new();
    for (threads, locale) in [(1, "C"), (2, "C.UTF-8"), (8, "tr_TR.UTF-8"), (3, "de_DE.UTF-8")] {
        std::fs::write(root.join("flowdoc.toml"), format!("[limits]\nthreads = {threads}\n")).unwrap();
        let out = dir.path().join(format!("docs-{threads}"));
        let output = flowdoc(
            &root,
            &["generate", "--out", out.to_str().unwrap()],
            &[("LC_ALL", locale), ("LANG", locale), ("TZ", "Pacific/Kiritimati")],
        );
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        let docs = read_folder(&out);
        if let Some(first) = seen.first() {
            assert_eq!(first, &docs, "{threads} threads, {locale}");
        }
        seen.push(docs);
    }
}

/// Symbolic link loops and links out of the root, names that are not UTF-8, a root that is a
/// file: each is reported with its path, and the rest of the project is read.
#[cfg(unix)]
#[test]
fn filesystem_hostility_is_reported_and_the_rest_is_read() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    small_project(&root, true);
    let outside = dir.path().join("outside");
    write_files(
        &outside,
        &[("secret.rs", "#[event_producer(\"leaked\", to = \"OrdersTopic\")]\nfn leak() {}\n")],
    );
    std::os::unix::fs::symlink(&outside, root.join("api/src/linked")).unwrap();
    std::os::unix::fs::symlink(root.join("api"), root.join("api/src/loop")).unwrap();
    let bad_name = std::ffi::OsStr::from_bytes(b"caf\xe9.rs");
    std::fs::write(root.join("api/src").join(bad_name), "fn x() {}\n").unwrap();

    let output = flowdoc(&root, &["graph", "--format", "json"], &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let graph = text(&output.stdout);
    assert!(graph.contains("order.audited"), "the rest is read");
    assert!(!graph.contains("leaked"), "nothing is read out of the root");
    for expected in [
        "api/src/linked",
        "symbolic link leads outside the project root or nowhere; not followed",
        "api/src/loop",
        "symbolic link loop",
        "api/src/caf",
        "path is not valid UTF-8; skipped",
    ] {
        assert!(stderr.contains(expected), "{expected} in {stderr}");
    }

    let output = flowdoc(&root.join("template.yaml"), &["graph"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("is not a folder"), "{}", text(&output.stderr));
}

/// Files and folders that cannot be read — injected, since permissions do not stop root —
/// are reported with their paths, and the rest of the project is read.
#[test]
fn unreadable_files_and_folders_are_reported_and_the_rest_is_read() {
    use flowdoc::files::{FileProblem, Listing, ProjectFiles, ReadError};
    struct Failing {
        inner: flowdoc::files::DiskFiles,
    }
    impl ProjectFiles for Failing {
        fn list(&self) -> Listing {
            let mut listing = self.inner.list();
            listing.files.retain(|path| !path.starts_with("api/src/locked/"));
            listing.problems.push(FileProblem {
                path: "api/src/locked".into(),
                message: "cannot list: Permission denied (os error 13)".into(),
            });
            listing
        }
        fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
            if path == "api/src/secret.rs" {
                return Err(ReadError::Io(std::io::Error::from(std::io::ErrorKind::PermissionDenied)));
            }
            self.inner.read(path, limit)
        }
        fn open(&self, path: &str) -> std::io::Result<Box<dyn std::io::Read + '_>> {
            self.inner.open(path)
        }
    }
    let dir = tempfile::tempdir().unwrap();
    small_project(dir.path(), true);
    write_files(
        dir.path(),
        &[
            (
                "api/src/secret.rs",
                "use flowdoc_annotations::event_producer;\n#[event_producer(\"hidden\", to = \"OrdersTopic\")]\nfn h() {}\n",
            ),
            ("api/src/locked/mod.rs", "fn l() {}\n"),
        ],
    );
    let files = Failing { inner: flowdoc::files::DiskFiles::new(dir.path()) };
    let listing = files.list();
    let options = flowdoc::scan::ScanOptions::default();
    let facts = flowdoc::scan::parse(
        &files,
        &listing,
        flowdoc::scan::prefilter(&files, &listing, &options),
        &options,
    );
    let problems: Vec<String> = facts
        .problems
        .iter()
        .map(|problem| format!("{} {}", problem.location.file, problem.message))
        .collect();
    assert_eq!(
        problems,
        [
            "api/src/locked cannot list: Permission denied (os error 13)".to_owned(),
            "api/src/secret.rs cannot read: permission denied".to_owned(),
        ],
    );
    let events: Vec<&str> = facts
        .handlers
        .iter()
        .flat_map(|handler| handler.annotations.iter().map(|a| a.event.as_str()))
        .collect();
    assert_eq!(events, ["OrderPlaced", "order.audited"]);
}
