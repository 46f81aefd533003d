//! The incremental cache in `target/flowdoc/cache/`: output byte-identical with and without
//! it, changes always seen, and a cache that cannot be trusted or written is a note, never a
//! wrong answer or a failed run.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

fn flowdoc(root: &Path, args: &[&str]) -> Output {
    common::flowdoc_at(root, args)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The shop fixture (three crates, a template) and the state machine fixture with its local
/// definition file, side by side in a scratch folder.
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    common::copy_folder(common::shop(), &root);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/definitions");
    common::copy_folder(&fixtures, &root.join("flows"));
    (dir, root)
}

fn pack(root: &Path, name: &str) -> PathBuf {
    root.join("target/flowdoc/cache").join(name)
}

/// Every file of a folder, by relative path.
fn files_of(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(folder)
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let relative = entry.path().strip_prefix(folder).unwrap().to_string_lossy().into_owned();
            (relative, std::fs::read(entry.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn output_is_the_same_without_a_cache_with_a_cold_one_and_with_a_warm_one() {
    let (dir, root) = project();
    let uncached = flowdoc(&root, &["--no-cache", "graph", "--format", "json"]);
    assert!(!root.join("target").exists(), "--no-cache writes no cache");
    let cold = flowdoc(&root, &["graph", "--format", "json"]);
    for name in ["sources.pack", "templates.pack"] {
        assert!(pack(&root, name).is_file(), "{name} written");
    }
    let warm = flowdoc(&root, &["--timings", "graph", "--format", "json"]);
    for run in [&cold, &warm] {
        assert_eq!(run.stdout, uncached.stdout);
        assert_eq!(run.status.code(), uncached.status.code());
    }
    // Nothing changed: the warm run printed what the cold one did, analysing nothing.
    let timings = stderr(&warm);
    assert!(timings.contains("memo") && timings.contains("nothing read has changed"), "{timings}");
    assert!(!timings.contains("parse"), "{timings}");
    assert!(!timings.contains("note: the cache"), "{timings}");
    // Another format has no memo yet: it analyses, with every file and template from the cache.
    let other = flowdoc(&root, &["--timings", "graph", "--format", "mermaid"]);
    assert_eq!(other.stdout, flowdoc(&root, &["--no-cache", "graph", "--format", "mermaid"]).stdout);
    let timings = stderr(&other);
    assert!(timings.contains("3 of 3 files from the cache"), "{timings}");
    assert!(timings.contains("2 of 2 templates from the cache"), "{timings}");

    // The docs too, pictures and all.
    let docs = |name: &str, cache: bool| {
        let out = dir.path().join(name);
        let mut args = vec!["generate", "--out", out.to_str().unwrap()];
        if !cache {
            args.insert(0, "--no-cache");
        }
        let run = flowdoc(&root, &args);
        assert!(run.status.success(), "{}", stderr(&run));
        files_of(&out)
    };
    let uncached = docs("uncached", false);
    assert_eq!(docs("cold", true), uncached);
    assert_eq!(docs("warm", true), uncached);
}

#[test]
fn a_changed_source_or_definition_file_is_read_again() {
    let (_dir, root) = project();
    let before = flowdoc(&root, &["graph", "--format", "json"]);
    assert!(before.status.success(), "{}", stderr(&before));

    // A source file: a consumer renamed.
    let source = root.join("shipping/src/main.rs");
    let text = std::fs::read_to_string(&source).unwrap();
    let renamed = text.replacen("fn ", "fn renamed_", 1);
    assert_ne!(renamed, text);
    std::fs::write(&source, renamed).unwrap();
    let after_source = flowdoc(&root, &["graph", "--format", "json"]);
    assert_eq!(after_source.stdout, flowdoc(&root, &["--no-cache", "graph", "--format", "json"]).stdout);
    assert_ne!(after_source.stdout, before.stdout);

    // A file the template reads beside itself: the state machine's definition.
    let definition = root.join("flows/statemachine/order-flow.asl.json");
    let text = std::fs::read_to_string(&definition).unwrap();
    std::fs::write(&definition, text.replace("${ChargeArn}", "arn:aws:lambda:eu-west-1:1:function:gone"))
        .unwrap();
    let after_definition = flowdoc(&root, &["graph", "--format", "json"]);
    assert_eq!(after_definition.stdout, flowdoc(&root, &["--no-cache", "graph", "--format", "json"]).stdout);
    assert_ne!(after_definition.stdout, after_source.stdout);

    // And one that disappears.
    std::fs::remove_file(&definition).unwrap();
    let gone = flowdoc(&root, &["graph", "--format", "json"]);
    assert_eq!(gone.stdout, flowdoc(&root, &["--no-cache", "graph", "--format", "json"]).stdout);
    assert_ne!(gone.stdout, after_definition.stdout);
}

/// A pack spoiled by `spoil` is left aside with a note naming it and why, the output is what it
/// would be without a cache, and the pack is rebuilt: the run after has no note.
fn spoiled_pack_is_rebuilt(spoil: impl Fn(&mut Vec<u8>), why: &[&str]) {
    spoiled_packs_are_rebuilt("sources.pack", &spoil, why);
    spoiled_packs_are_rebuilt("runs.pack", &spoil, why);
}

fn spoiled_packs_are_rebuilt(name: &str, spoil: &impl Fn(&mut Vec<u8>), why: &[&str]) {
    let (_dir, root) = project();
    let expected = flowdoc(&root, &["--no-cache", "graph", "--format", "json"]);
    flowdoc(&root, &["graph", "--format", "json"]);
    if name != "runs.pack" {
        // Without the memo of the run, the run looks up every file in the pack.
        std::fs::remove_file(pack(&root, "runs.pack")).unwrap();
    }
    let path = pack(&root, name);
    let mut bytes = std::fs::read(&path).unwrap();
    spoil(&mut bytes);
    std::fs::write(&path, &bytes).unwrap();

    let run = flowdoc(&root, &["graph", "--format", "json"]);
    assert_eq!(run.stdout, expected.stdout);
    assert_eq!(run.status.code(), expected.status.code());
    let messages = stderr(&run);
    assert!(
        messages.contains("note: the cache ") && messages.contains(&format!("{name} is not used")),
        "{messages}"
    );
    assert!(why.iter().any(|why| messages.contains(why)), "{messages}");

    let again = flowdoc(&root, &["--timings", "graph", "--format", "json"]);
    assert_eq!(again.stdout, expected.stdout);
    let messages = stderr(&again);
    assert!(!messages.contains("note: the cache"), "{messages}");
    assert!(messages.contains("nothing read has changed"), "{messages}");
}

/// Runs `args` with the cache, then without it, and checks that both say the same — on standard
/// output, on standard error (the findings, the stale docs) and in the exit code; the exit code,
/// and whether the run with the cache said it from its memo.
fn said_as_uncached(root: &Path, args: &[&str], what: &str) -> (Option<i32>, bool) {
    let uncached = flowdoc(root, &[&["--no-cache"], args].concat());
    let run = flowdoc(root, &[&["--timings"], args].concat());
    assert_eq!(run.stdout, uncached.stdout, "{what}");
    assert_eq!(run.status.code(), uncached.status.code(), "{what}");
    let messages = stderr(&run);
    let (said, timings) = messages.split_once("timings:").unwrap();
    assert_eq!(said, stderr(&uncached), "{what}: the same said the same way");
    (run.status.code(), timings.contains("nothing read has changed"))
}

/// The memo of a run is used only while every file it read reads the same and the project
/// lists the same files: what it prints — the graph, the findings, the exit code — is what a run
/// without a cache prints.
#[test]
fn the_memo_of_a_run_is_used_only_while_nothing_it_read_changed() {
    let (_dir, root) = project();
    let same_as_uncached = |what: &str| said_as_uncached(&root, &["graph", "--format", "json"], what).1;
    assert!(!same_as_uncached("the first run"));
    assert!(same_as_uncached("nothing changed"));
    // A new file nobody reads before: the listing differs.
    std::fs::write(
        root.join("shipping/src/extra.rs"),
        "#[event_consumer(OrderPlaced, from = \"Q\")]\nfn extra() {}\n",
    )
    .unwrap();
    assert!(!same_as_uncached("a new source file"));
    assert!(same_as_uncached("nothing changed since"));
    // The configuration, read from a file that was missing.
    std::fs::write(root.join("flowdoc.toml"), "[rules]\nqueue-without-dlq = \"error\"\n").unwrap();
    assert!(!same_as_uncached("a configuration that appears"));
    // A source file removed.
    std::fs::remove_file(root.join("shipping/src/extra.rs")).unwrap();
    assert!(!same_as_uncached("a source file removed"));
    assert!(same_as_uncached("nothing changed at the end"));
}

/// A pack an earlier version kept and this one does not is removed, and changes nothing.
#[test]
fn a_retired_pack_is_removed() {
    let (_dir, root) = project();
    let expected = flowdoc(&root, &["--no-cache", "graph", "--format", "json"]);
    std::fs::create_dir_all(pack(&root, "")).unwrap();
    std::fs::write(pack(&root, "modules.pack"), b"FDCACHE\nfrom an earlier version").unwrap();
    let run = flowdoc(&root, &["graph", "--format", "json"]);
    assert_eq!(run.stdout, expected.stdout);
    assert!(!stderr(&run).contains("note: the cache"), "{}", stderr(&run));
    assert!(!pack(&root, "modules.pack").exists(), "the retired pack is removed");
    assert!(pack(&root, "sources.pack").is_file());
}

#[test]
fn a_pack_of_garbage_is_rebuilt() {
    spoiled_pack_is_rebuilt(|bytes| *bytes = b"{\"not\": \"a cache\"}".to_vec(), &["not a flowdoc cache"]);
}

#[test]
fn a_truncated_pack_is_rebuilt() {
    spoiled_pack_is_rebuilt(|bytes| bytes.truncate(bytes.len() / 2), &["cut short", "damaged"]);
}

#[test]
fn a_damaged_pack_is_rebuilt() {
    spoiled_pack_is_rebuilt(
        |bytes| {
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0x20;
        },
        &["damaged"],
    );
}

#[test]
fn a_pack_another_build_wrote_is_rebuilt() {
    // The build id follows the magic (8 bytes), the layout (4) and its length (4).
    spoiled_pack_is_rebuilt(
        |bytes| {
            let len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
            let other = format!("0.0.9+{}", "0".repeat(len - 6));
            bytes[16..16 + len].copy_from_slice(other.as_bytes());
        },
        &["written by another flowdoc build (0.0.9+"],
    );
}

#[test]
fn a_cache_that_cannot_be_written_is_a_note_and_changes_nothing_else() {
    let (_dir, root) = project();
    let expected = flowdoc(&root, &["--no-cache", "graph", "--format", "json"]);
    // A file where the cache folder would be: no folder can be made there, whoever runs this.
    std::fs::create_dir_all(root.join("target/flowdoc")).unwrap();
    std::fs::write(root.join("target/flowdoc/cache"), "in the way").unwrap();
    let run = flowdoc(&root, &["graph", "--format", "json"]);
    assert_eq!(run.stdout, expected.stdout);
    assert_eq!(run.status.code(), expected.status.code());
    let messages = stderr(&run);
    assert!(messages.contains("note: the cache cannot be kept in"), "{messages}");
    assert_eq!(std::fs::read_to_string(root.join("target/flowdoc/cache")).unwrap(), "in the way");
}

/// `check`'s memo holds while the project and the docs folder both read as they did: an edited,
/// added or removed docs file, or a changed source, is seen, and what the run says is what a run
/// without a cache says.
#[test]
fn the_memo_of_check_is_used_only_while_neither_the_project_nor_the_docs_changed() {
    let (_dir, root) = project();
    let generated = flowdoc(&root, &["--no-cache", "generate"]);
    assert!(generated.status.success(), "{}", stderr(&generated));
    let check = |what: &str| said_as_uncached(&root, &["check", "--format", "json"], what);
    assert_eq!(check("the first run"), (Some(0), false));
    assert_eq!(check("nothing changed"), (Some(0), true));
    let index = root.join("docs/flow/index.md");
    let text = std::fs::read_to_string(&index).unwrap();
    std::fs::write(&index, format!("{text}\nan edit\n")).unwrap();
    assert_eq!(check("a docs page edited"), (Some(1), false));
    assert_eq!(check("still edited"), (Some(1), true));
    std::fs::write(&index, &text).unwrap();
    assert_eq!(check("the page as it was"), (Some(0), false));
    std::fs::write(root.join("docs/flow/extra.md"), "").unwrap();
    assert_eq!(check("a file added to the docs"), (Some(1), false));
    std::fs::remove_file(root.join("docs/flow/extra.md")).unwrap();
    std::fs::remove_file(&index).unwrap();
    assert_eq!(check("a docs page removed"), (Some(1), false));
    std::fs::write(&index, &text).unwrap();
    assert_eq!(check("the docs whole again"), (Some(0), false));
    let source = root.join("shipping/src/main.rs");
    let code = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&source, code.replacen("fn ", "fn renamed_", 1)).unwrap();
    assert_eq!(check("a source changed: the docs are stale"), (Some(1), false));
    assert_eq!(check("still changed"), (Some(1), true));
}

/// `generate`'s memo: while the project reads the same and the docs folder holds what the last
/// run left, the run says the docs are up to date without analysing; an edited docs file or a
/// changed source is written again, and the folder always ends as a run without a cache leaves
/// it.
#[test]
fn the_memo_of_generate_is_used_only_while_the_docs_are_as_it_left_them() {
    let (_dir, root) = project();
    // The same project beside it, generated without a cache: what the docs must be.
    let (_twin_dir, twin) = project();
    let expected = |what: &str| {
        let run = flowdoc(&twin, &["--no-cache", "generate"]);
        assert!(run.status.success(), "{what}: {}", stderr(&run));
        files_of(&twin.join("docs/flow"))
    };
    let generate = |what: &str| {
        let run = flowdoc(&root, &["--timings", "generate"]);
        assert!(run.status.success(), "{what}: {}", stderr(&run));
        assert_eq!(files_of(&root.join("docs/flow")), expected(what), "{what}");
        let messages = stderr(&run);
        let (said, timings) = messages.split_once("timings:").unwrap();
        (said.to_owned(), timings.contains("nothing read has changed"))
    };
    let (said, memo) = generate("the first run");
    assert!(said.contains("wrote") && !memo, "{said}");
    // The docs folder is in the project: the run after the first lists it anew and analyses.
    assert!(!generate("the docs listed for the first time").1);
    let (said, memo) = generate("nothing changed");
    assert!(memo && said.contains("is up to date"), "{said}");
    let uncached = flowdoc(&root, &["--no-cache", "generate"]);
    assert_eq!(said, stderr(&uncached), "said as a run without a cache says it");

    let index = root.join("docs/flow/index.md");
    let text = std::fs::read_to_string(&index).unwrap();
    std::fs::write(&index, format!("{text}\nan edit\n")).unwrap();
    let (said, memo) = generate("a docs page edited");
    assert!(!memo && said.contains("wrote 1 file"), "{said}");
    assert_eq!(std::fs::read_to_string(&index).unwrap(), text);

    let code = std::fs::read_to_string(root.join("shipping/src/main.rs")).unwrap();
    for project in [&root, &twin] {
        std::fs::write(project.join("shipping/src/main.rs"), code.replacen("fn ", "fn renamed_", 1)).unwrap();
    }
    let (said, memo) = generate("a source changed");
    assert!(!memo && said.contains("wrote"), "{said}");
}
