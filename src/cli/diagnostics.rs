//! Messages for people, in the style of rustc: `warning[rule]: message`, `--> file:line:col`,
//! the source line and a caret under the place. Colour only on a terminal (and never with
//! `NO_COLOR`).

use flowdoc::files::ProjectFiles;
use flowdoc::location::Location;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Source files are read once per run for their lines; larger ones show no line.
const MAX_SHOWN_FILE_BYTES: u64 = 16 << 20;

/// Writes diagnostics, reading the lines they point at through the project's files.
pub(crate) struct Diagnostics<'f> {
    files: &'f dyn ProjectFiles,
    color: bool,
    texts: BTreeMap<String, Option<String>>,
}

/// How a diagnostic is headed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    Error,
    Warning,
    Info,
    Note,
}

impl Level {
    fn word(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
            Level::Note => "note",
        }
    }

    fn color(self) -> &'static str {
        match self {
            Level::Error => "\x1b[1;31m",
            Level::Warning => "\x1b[1;33m",
            Level::Info => "\x1b[1;36m",
            Level::Note => "\x1b[1;32m",
        }
    }
}

impl From<flowdoc::rules::Severity> for Level {
    fn from(severity: flowdoc::rules::Severity) -> Level {
        match severity {
            flowdoc::rules::Severity::Error => Level::Error,
            flowdoc::rules::Severity::Warning => Level::Warning,
            flowdoc::rules::Severity::Info => Level::Info,
        }
    }
}

impl<'f> Diagnostics<'f> {
    pub(crate) fn new(files: &'f dyn ProjectFiles, color: bool) -> Diagnostics<'f> {
        Diagnostics { files, color, texts: BTreeMap::new() }
    }

    /// One diagnostic: heading, place, source line with a caret, and notes.
    pub(crate) fn render(
        &mut self,
        level: Level,
        code: Option<&str>,
        message: &str,
        location: Option<&Location>,
        notes: &[(Level, String)],
    ) -> String {
        let mut out = String::new();
        let (bold, blue, reset) =
            if self.color { ("\x1b[1m", "\x1b[1;34m", "\x1b[0m") } else { ("", "", "") };
        let color = if self.color { level.color() } else { "" };
        let code = code.map(|code| format!("[{code}]")).unwrap_or_default();
        let _ = writeln!(out, "{color}{}{code}{reset}{bold}: {message}{reset}", level.word());
        if let Some(location) = location {
            let line_text = location.line().and_then(|line| self.line(&location.file, line));
            let number = location.line().unwrap_or(0).to_string();
            let gutter = " ".repeat(number.len());
            let _ = writeln!(out, "{gutter}{blue}-->{reset} {location}");
            if let Some(text) = line_text {
                let column = usize::try_from(location.column().unwrap_or(1).max(1)).unwrap_or(1);
                let indent: String =
                    text.chars().take(column - 1).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
                let width = marked_width(&text, column);
                let _ = writeln!(out, "{gutter} {blue}|{reset}");
                let _ = writeln!(out, "{blue}{number} |{reset} {text}");
                let _ = writeln!(out, "{gutter} {blue}|{reset} {indent}{color}{}{reset}", "^".repeat(width));
            }
        }
        for (note_level, note) in notes {
            let gutter = " ".repeat(location.map_or(0, |l| l.line().unwrap_or(0).to_string().len()));
            let _ = writeln!(out, "{gutter} {blue}={reset} {bold}{}{reset}: {note}", note_level.word());
        }
        out
    }

    /// The text of line `line` of `file`, tabs kept, trailing whitespace dropped.
    fn line(&mut self, file: &str, line: u32) -> Option<String> {
        let files = self.files;
        let text = self.texts.entry(file.to_owned()).or_insert_with(|| {
            files
                .read(file, MAX_SHOWN_FILE_BYTES)
                .ok()
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        });
        let text = text.as_ref()?;
        let line = text.split('\n').nth(usize::try_from(line).ok()?.checked_sub(1)?)?;
        Some(line.trim_end().to_owned())
    }
}

/// How many characters from `column` (1-based) to underline: the word or key there.
fn marked_width(text: &str, column: usize) -> usize {
    let rest: Vec<char> = text.chars().skip(column - 1).collect();
    let width = rest.iter().take_while(|c| !c.is_whitespace() && !matches!(c, ':' | ',' | '(')).count();
    width.clamp(1, 80)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowdoc::files::MemoryFiles;

    #[test]
    fn shows_the_line_and_marks_the_place() {
        let mut files = MemoryFiles::new();
        files.insert("template.yaml", "Resources:\n  FulfilmentQueue:\n    Type: AWS::SQS::Queue\n");
        let mut diagnostics = Diagnostics::new(&files, false);
        let text = diagnostics.render(
            Level::Warning,
            Some("queue-without-dlq"),
            "queue `FulfilmentQueue` has no redrive policy",
            Some(&Location::new("template.yaml", 2, 3)),
            &[(Level::Note, "see `flowdoc explain queue-without-dlq`".into())],
        );
        assert_eq!(
            text,
            "warning[queue-without-dlq]: queue `FulfilmentQueue` has no redrive policy
 --> template.yaml:2:3
  |
2 |   FulfilmentQueue:
  |   ^^^^^^^^^^^^^^^
  = note: see `flowdoc explain queue-without-dlq`
"
        );
    }

    #[test]
    fn places_without_lines_or_files() {
        let files = MemoryFiles::new();
        let mut diagnostics = Diagnostics::new(&files, false);
        let text =
            diagnostics.render(Level::Error, None, "cannot read", Some(&Location::file("gone.rs")), &[]);
        assert_eq!(text, "error: cannot read\n --> gone.rs\n");
        let text = diagnostics.render(Level::Error, Some("x"), "no place", None, &[]);
        assert_eq!(text, "error[x]: no place\n");
    }
}
