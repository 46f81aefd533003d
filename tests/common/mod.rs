//! Helpers shared by the tests that run git and flowdoc in scratch repositories and projects.

#![allow(dead_code, unreachable_pub)]

pub mod browser;
pub mod relations;
pub mod svg;

use std::path::Path;
use std::process::Command;

/// The shop fixture: a template and three crates, the base the diff tests change.
pub fn shop() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/diff/shop"))
}

/// The built `flowdoc` run on the project at `root` with `args`, colours off and no injected
/// fault.
pub fn flowdoc_at(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_flowdoc"))
        .arg("--root")
        .arg(root)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("FLOWDOC_TEST_FAULT")
        .output()
        .unwrap()
}

/// Copies the folder `from` to `to`, creating what is missing.
pub fn copy_folder(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A command with none of the caller's `GIT_*` variables and no global or system git
/// configuration: `home` stands in for the home folder.
pub fn isolated(program: impl AsRef<std::ffi::OsStr>, home: &Path) -> Command {
    let mut command = Command::new(program);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("GIT_") {
            command.env_remove(name);
        }
    }
    command
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", home.join("no-global-gitconfig"))
        .env("NO_COLOR", "1");
    command
}

/// Runs git in `dir` with a fixed identity and no signing; its standard output.
pub fn git(dir: &Path, home: &Path, args: &[&str]) -> String {
    let output = isolated("git", home)
        .args(["-c", "user.name=flowdoc tests", "-c", "user.email=tests@flowdoc.invalid"])
        .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", "-c", "core.autocrlf=false"])
        .args(["-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// In `path`, the one place `from` stands becomes `to`.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{} must hold {from:?} exactly once", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Writes each `(relative path, contents)` under `root`, creating the folders on the way.
pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (path, contents) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
}

/// The analysis of the project `files`, reading `templates` (none: the templates its
/// configuration names or discovery finds), which must load.
pub fn analyse(files: &dyn flowdoc::files::ProjectFiles, templates: &[&str]) -> flowdoc::Analysis {
    let templates: Vec<String> = templates.iter().map(|path| (*path).to_owned()).collect();
    flowdoc::analyse(&flowdoc::Project::new(files).templates(&templates))
        .unwrap_or_else(|failure| panic!("the project does not load: {failure}"))
}
