//! A git revision's files, read through the `git` command without touching the working tree or
//! the index: `git ls-tree` lists the revision's files with their sizes, `git cat-file --batch`
//! reads them on demand. A file over the read limit is refused from its listed size without
//! being fetched, and a large file the scanner streams is read piece by piece from its own
//! `git cat-file blob`. Only plumbing commands run: no hooks, nothing from the revision.

use flowdoc::files::{FileProblem, Listing, ProjectFiles, ReadError, is_skipped_dir};
use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;

/// A blob of the revision: its object id and size.
#[derive(Debug)]
struct Blob {
    oid: String,
    size: u64,
}

/// A running `git cat-file --batch`.
#[derive(Debug)]
struct Batch {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

/// The files of one revision, relative to the project root inside the repository.
#[derive(Debug)]
pub(crate) struct RevisionFiles {
    top: String,
    blobs: BTreeMap<String, Blob>,
    problems: Vec<FileProblem>,
    batch: Mutex<Option<Batch>>,
}

fn git_command(directory: &Path) -> Command {
    let mut command = Command::new("git");
    command.arg("-C").arg(directory).arg("--literal-pathspecs").stdin(Stdio::null());
    command
}

/// Runs git in `directory`; its standard output, or its complaint.
fn git(directory: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output =
        git_command(directory).args(args).output().map_err(|error| format!("cannot run git: {error}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
    }
    Ok(output.stdout)
}

fn line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim_end_matches(['\n', '\r']).to_owned()
}

impl RevisionFiles {
    /// The files of `revision` in the repository that holds `root`, below `root`.
    pub(crate) fn new(root: &Path, revision: &str) -> Result<RevisionFiles, String> {
        if revision.starts_with('-') || revision.is_empty() {
            return Err(format!("`{revision}` is not a git revision"));
        }
        let top = git(root, &["rev-parse", "--show-toplevel"]).map(|out| line(&out)).map_err(|_| {
            format!("`{}` is not inside a git repository, so `{revision}` cannot be read", root.display())
        })?;
        let prefix = line(&git(root, &["rev-parse", "--show-prefix"])?);
        let commit = git(
            root,
            &["rev-parse", "--verify", "--quiet", "--end-of-options", &format!("{revision}^{{commit}}")],
        )
        .map(|out| line(&out))
        .map_err(|_| format!("unknown revision `{revision}`: git knows no commit of that name"))?;
        let mut args = vec!["ls-tree", "-r", "-l", "-z", "--full-tree", commit.as_str()];
        if !prefix.is_empty() {
            args.extend(["--", prefix.as_str()]);
        }
        let listing = git(Path::new(&top), &args)?;
        let (blobs, problems) = parse_tree(&listing, &prefix);
        Ok(RevisionFiles { top, blobs, problems, batch: Mutex::new(None) })
    }

    /// Reads one blob through the shared `git cat-file --batch`, starting it on first use.
    fn fetch(&self, blob: &Blob) -> io::Result<Vec<u8>> {
        let mut guard = self.batch.lock().map_err(|_| io::Error::other("git cat-file failed earlier"))?;
        if guard.is_none() {
            let mut child = git_command(Path::new(&self.top))
                .args(["cat-file", "--batch"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()?;
            let input = child.stdin.take().ok_or_else(|| io::Error::other("git cat-file has no input"))?;
            let output = child.stdout.take().ok_or_else(|| io::Error::other("git cat-file has no output"))?;
            *guard = Some(Batch { child, input, output: BufReader::new(output) });
        }
        let Some(batch) = guard.as_mut() else { return Err(io::Error::other("git cat-file did not start")) };
        let result = read_blob(batch, blob);
        if result.is_err() {
            // The protocol may be out of step now: start afresh next time.
            if let Some(mut broken) = guard.take() {
                let _ = broken.child.kill();
                let _ = broken.child.wait();
            }
        }
        result
    }
}

fn read_blob(batch: &mut Batch, blob: &Blob) -> io::Result<Vec<u8>> {
    writeln!(batch.input, "{}", blob.oid)?;
    batch.input.flush()?;
    let mut header = String::new();
    batch.output.read_line(&mut header)?;
    let mut parts = header.split_whitespace();
    let (Some(_), Some("blob"), Some(size)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(io::Error::other(format!("git cat-file answered `{}`", header.trim())));
    };
    let size: u64 = size.parse().map_err(|_| io::Error::other("git cat-file gave no size"))?;
    let mut contents = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    (&mut batch.output).take(size).read_to_end(&mut contents)?;
    let mut newline = [0u8; 1];
    batch.output.read_exact(&mut newline)?;
    if contents.len() as u64 != size {
        return Err(io::Error::other("git cat-file ended early"));
    }
    Ok(contents)
}

/// The blobs below `prefix` in `git ls-tree -r -l -z` output, and the entries that cannot be
/// read: paths that are not UTF-8. Symbolic links and submodules are not files of the project.
fn parse_tree(listing: &[u8], prefix: &str) -> (BTreeMap<String, Blob>, Vec<FileProblem>) {
    let mut blobs = BTreeMap::new();
    let mut problems = Vec::new();
    for entry in listing.split(|&byte| byte == 0).filter(|entry| !entry.is_empty()) {
        let Some(tab) = entry.iter().position(|&byte| byte == b'\t') else { continue };
        let (meta, path) = (String::from_utf8_lossy(&entry[..tab]), &entry[tab + 1..]);
        let fields: Vec<&str> = meta.split_whitespace().collect();
        let [mode, kind, oid, size] = fields[..] else { continue };
        if kind != "blob" || !(mode == "100644" || mode == "100755") {
            continue;
        }
        let Ok(path) = std::str::from_utf8(path) else {
            let lossy = String::from_utf8_lossy(path);
            problems.push(FileProblem {
                path: lossy.strip_prefix(prefix).unwrap_or(&lossy).to_owned(),
                message: "path is not valid UTF-8; skipped".into(),
            });
            continue;
        };
        let Some(relative) = path.strip_prefix(prefix) else { continue };
        let Ok(size) = size.parse() else { continue };
        blobs.insert(relative.to_owned(), Blob { oid: oid.to_owned(), size });
    }
    problems.sort();
    (blobs, problems)
}

impl ProjectFiles for RevisionFiles {
    fn list(&self) -> Listing {
        let files = self
            .blobs
            .keys()
            .filter(|path| {
                let mut folders: Vec<&str> = path.split('/').collect();
                folders.pop();
                !folders.iter().any(|folder| is_skipped_dir(folder))
            })
            .cloned()
            .collect();
        Listing { files, problems: self.problems.clone() }
    }

    fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        let blob =
            self.blobs.get(path).ok_or_else(|| ReadError::Io(io::Error::from(io::ErrorKind::NotFound)))?;
        if blob.size > limit {
            return Err(ReadError::TooLarge { size: blob.size, limit });
        }
        self.fetch(blob).map_err(ReadError::Io)
    }

    fn open(&self, path: &str) -> io::Result<Box<dyn Read + '_>> {
        let blob = self.blobs.get(path).ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
        let mut child = git_command(Path::new(&self.top))
            .args(["cat-file", "blob", &blob.oid])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let output = child.stdout.take().ok_or_else(|| io::Error::other("git cat-file has no output"))?;
        Ok(Box::new(Streamed { child, output }))
    }
}

/// A blob read piece by piece from its own `git cat-file blob`, which ends with the reader.
struct Streamed {
    child: Child,
    output: ChildStdout,
}

impl Read for Streamed {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.output.read(buffer)
    }
}

impl Drop for Streamed {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RevisionFiles {
    fn drop(&mut self) {
        if let Ok(guard) = self.batch.get_mut()
            && let Some(mut batch) = guard.take()
        {
            // Closing its input ends `git cat-file --batch`.
            drop(batch.input);
            let _ = batch.child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_listing_keeps_files_below_the_prefix() {
        let listing = b"100644 blob aaaa      12\tapp/src/main.rs\0\
100755 blob bbbb       3\tapp/run.sh\0\
120000 blob cccc       9\tapp/link.rs\0\
160000 commit dddd       -\tapp/vendor\0\
100644 blob eeee       5\tother/template.yaml\0\
100644 blob ffff       5\tapp/caf\xe9.rs\0";
        let (blobs, problems) = parse_tree(listing, "app/");
        let paths: Vec<(&str, u64)> = blobs.iter().map(|(path, blob)| (path.as_str(), blob.size)).collect();
        assert_eq!(paths, [("run.sh", 3), ("src/main.rs", 12)]);
        assert_eq!(blobs["src/main.rs"].oid, "aaaa");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "caf\u{fffd}.rs");
    }
}
