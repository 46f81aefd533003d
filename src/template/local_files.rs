//! Files a template names beside itself — OpenAPI definitions (`DefinitionUri`, `AWS::Include`),
//! state machine definitions (`DefinitionUri`) — read through the project's one door, within the
//! template's size limit, and placed at the line that names them. One that is not in the project
//! is a warning of the template; one that is there but cannot be read or parsed is a problem of
//! that file, reported as `unreadable-source` like a source file's. Nothing is fetched from S3 or
//! elsewhere: a warning says where such a definition lives. Also the stack name `samconfig.toml`
//! beside the template deploys it as.

use super::emit::{Emit, relocate};
use super::yaml::Node;
use super::{LoadOptions, yaml};
use crate::cache::{Key, Kind};
use crate::files::{ProjectFiles, ReadError};
use crate::location::Location;
use crate::scan::{ProblemKind, SourceProblem};

/// The project's files seen from a template's folder, for the definitions it includes.
pub(crate) struct LocalFiles<'f> {
    files: &'f dyn ProjectFiles,
    /// The template's folder.
    dir: String,
    options: LoadOptions,
    /// Bytes still to read: all the definitions of one template together stay within the
    /// template size limit, however often they are included.
    budget: std::cell::Cell<u64>,
    /// Every file read, as it was, so that a cached template can be checked against them;
    /// None once a read failed in a way that may not last (the template is not cached).
    reads: std::cell::RefCell<Option<Vec<FileRead>>>,
}

/// A file that loading a template read, as it was then.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileRead {
    /// Its project path.
    path: String,
    /// The hash of its bytes; None when there was no such file.
    bytes: Option<Key>,
}

impl FileRead {
    /// Whether the file is still as it was when the template was loaded.
    pub(crate) fn still_holds(&self, files: &dyn ProjectFiles, limit: u64) -> bool {
        match (files.read(&self.path, limit), &self.bytes) {
            (Ok(bytes), Some(key)) => file_key(&bytes) == *key,
            (Err(ReadError::Io(io)), None) => io.kind() == std::io::ErrorKind::NotFound,
            _ => false,
        }
    }
}

/// The hash a [`FileRead`] keeps of a file's bytes.
fn file_key(bytes: &[u8]) -> Key {
    Key::new(Kind::Templates, &[bytes])
}

impl std::fmt::Debug for LocalFiles<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("LocalFiles").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl<'f> LocalFiles<'f> {
    /// The files beside the template at `template` (a project path).
    pub(crate) fn new(files: &'f dyn ProjectFiles, template: &str, options: LoadOptions) -> LocalFiles<'f> {
        LocalFiles {
            files,
            dir: crate::files::parent(template).to_owned(),
            options,
            budget: std::cell::Cell::new(options.max_file_bytes),
            reads: std::cell::RefCell::new(Some(Vec::new())),
        }
    }

    /// The files read so far; None when one of them could not be read for a reason that may
    /// not last.
    pub(crate) fn reads(&self) -> Option<Vec<FileRead>> {
        self.reads.borrow().clone()
    }

    /// Reads the file at `path` within `limit`, noting what was read.
    fn read_noted(&self, path: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        let read = self.files.read(path, limit);
        let mut reads = self.reads.borrow_mut();
        match &read {
            Ok(bytes) => {
                if let Some(reads) = reads.as_mut() {
                    reads.push(FileRead { path: path.to_owned(), bytes: Some(file_key(bytes)) });
                }
            }
            Err(ReadError::Io(io)) if io.kind() == std::io::ErrorKind::NotFound => {
                if let Some(reads) = reads.as_mut() {
                    reads.push(FileRead { path: path.to_owned(), bytes: None });
                }
            }
            Err(_) => *reads = None,
        }
        read
    }

    /// The document at `relative` (to the template's folder), read within the template size
    /// limit; why not otherwise.
    pub(crate) fn read(&self, relative: &str) -> Result<Node, Unread> {
        let path = crate::files::join(&self.dir, relative).ok_or_else(|| {
            Unread::Absent(format!("`{relative}` is outside the project; the definition is not read"))
        })?;
        let unreadable = |kind: ProblemKind, location: Location, message: String| {
            Unread::Unreadable(SourceProblem { location, kind, message })
        };
        let bytes = self.read_noted(&path, self.budget.get()).map_err(|error| match error {
            ReadError::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
                Unread::Absent(format!("`{path}` is not in the project; the definition is not read"))
            }
            ReadError::TooLarge { size, limit } => unreadable(
                ProblemKind::Unreadable,
                Location::file(&path),
                format!(
                    "file is {size} bytes, over the {limit} bytes left of the size limit of the \
                     definitions its template names; it was not read"
                ),
            ),
            ReadError::Io(io) => {
                unreadable(ProblemKind::Unreadable, Location::file(&path), format!("cannot read: {io}"))
            }
        })?;
        self.budget.set(self.budget.get().saturating_sub(bytes.len() as u64));
        let text = String::from_utf8(bytes).map_err(|error| {
            let at = Location::at_offset(&path, error.as_bytes(), error.utf8_error().valid_up_to());
            unreadable(ProblemKind::NotUtf8, at, "the file is not valid UTF-8".to_owned())
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        yaml::parse(text, self.options.yaml).map(|document| document.root).map_err(|error| {
            unreadable(ProblemKind::Syntax, Location::new(&path, error.line, error.column), error.message)
        })
    }
}

/// Why a file a template names was not read.
#[derive(Debug)]
pub(crate) enum Unread {
    /// It is not in the project: a warning of the template.
    Absent(String),
    /// It is there but cannot be read or parsed: a problem of that file, as for a source file.
    Unreadable(SourceProblem),
}

/// The largest `samconfig.toml` read.
const MAX_SAMCONFIG_BYTES: u64 = 1 << 20;

impl LocalFiles<'_> {
    /// The stack name the SAM CLI deploys the template as: `stack_name` of
    /// `[default.deploy.parameters]` (or else `[default.global.parameters]`) in the
    /// `samconfig.toml` beside it. None when there is no such file or setting, or it does not
    /// read.
    pub(crate) fn stack_name(&self) -> Option<String> {
        let path = crate::files::join(&self.dir, "samconfig.toml")?;
        let bytes = self.read_noted(&path, MAX_SAMCONFIG_BYTES).ok()?;
        let config: toml::Table = std::str::from_utf8(&bytes).ok()?.parse().ok()?;
        let default = config.get("default")?;
        ["deploy", "global"].iter().find_map(|command| {
            let name = default.get(command)?.get("parameters")?.get("stack_name")?.as_str()?;
            (!name.is_empty()).then(|| name.to_owned())
        })
    }
}

/// The document a `DefinitionUri` (or `BodyS3Location`) names, placed at `key`, when it is a
/// local file; a warning naming `what` it is otherwise (in S3, at a URL, built at deploy time).
pub(crate) fn document(emit: &mut Emit<'_, '_>, key: &Node, location: &Node, what: &str) -> Option<Node> {
    let path = match location.as_map() {
        Some(_) if location.intrinsic().is_none() => None,
        _ => emit.text(Some(location)),
    };
    let Some(path) = path.filter(|path| !path.contains("${")) else {
        emit.warn(key, format!("the {what} lives in S3; flowdoc does not fetch it"));
        return None;
    };
    if path.contains("://") {
        emit.warn(key, format!("the {what} lives at `{path}`; flowdoc does not fetch it"));
        return None;
    }
    read(emit, key, &path)
}

/// The local document at `path`, its nodes placed at `at`; a warning at `at` if it cannot be
/// read.
pub(crate) fn read(emit: &mut Emit<'_, '_>, at: &Node, path: &str) -> Option<Node> {
    let Some(files) = emit.files else {
        emit.warn(at, format!("`{path}` is not read here; the definition is not followed"));
        return None;
    };
    match files.read(path) {
        Ok(document) => Some(relocate(document, at.line, at.column)),
        Err(Unread::Absent(message)) => {
            emit.warn(at, message);
            None
        }
        Err(Unread::Unreadable(problem)) => {
            emit.unreadable.push(problem);
            None
        }
    }
}
