//! The command line: the only layer that knows clap and the filesystem. Arguments become a
//! validated project setup, the library does the work, and the outcome becomes an exit code:
//! 0 all good, 1 findings at or above the deny level (or stale docs), 2 input that cannot be read.

mod cache;
mod check;
mod diagnostics;
mod diff;
mod explain;
mod generate;
mod graph;
mod memo;
mod project;
mod revision;
mod site;
mod timings;

use clap::{Parser, Subcommand, ValueEnum};
use diagnostics::{Diagnostics, Level};
use flowdoc::cache::Kind;
use flowdoc::files::DiskFiles;
use flowdoc::{Analysis, Failure};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// flowdoc makes the event flow of a serverless system visible: it reads the Rust Lambda crates
/// (annotated with #[event_producer] / #[event_consumer]) and the SAM / CloudFormation templates,
/// builds the event-flow graph, checks it, and writes diagrams and Markdown docs.
#[derive(Debug, Parser)]
#[command(name = "flowdoc", version, long_about = None, propagate_version = true)]
#[command(
    about = "Makes the event flow of a serverless system visible: reads annotated Rust Lambda crates and SAM / CloudFormation templates, checks the flow, writes diagrams and docs."
)]
#[command(after_help = "Examples:
  flowdoc generate                     write docs/flow/ for the project here
  flowdoc check --deny warnings        fail on warnings or stale docs (for CI)
  flowdoc graph --format mermaid       print the overview as a Mermaid chart
  flowdoc diff origin/main             what this branch does to the flow, as Markdown
  flowdoc explain queue-without-dlq    what a rule checks and how to fix it")]
pub(crate) struct Cli {
    /// The project to document (default: the current directory).
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,

    /// A template to read instead of discovering them; repeat for several.
    #[arg(long = "template", global = true, value_name = "FILE")]
    templates: Vec<PathBuf>,

    /// Print how long each phase took (walk, pre-filter, parse, templates, model, rules,
    /// render, write) and the peak memory, on standard error at the end.
    #[arg(long, global = true)]
    timings: bool,

    /// Work everything out again: do not read or write the cache in target/flowdoc/cache/.
    #[arg(long, global = true)]
    no_cache: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the docs: an index with the whole system, a page per event and per function,
    /// findings, SVG diagrams and flow.json.
    ///
    /// The output folder is replaced as a whole, atomically: a failed run leaves the previous
    /// docs as they were. A non-empty folder flowdoc did not write is never replaced.
    #[command(after_help = "Examples:\n  flowdoc generate\n  flowdoc generate --out site/flow")]
    Generate {
        /// The output folder (default: `output` of flowdoc.toml, or docs/flow).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Write the onboarding site: the docs as static HTML to click through, with the pictures
    /// linked, events highlighted on hover and a search box; offline, from `file://` too.
    ///
    /// The output folder is replaced as a whole, atomically, as with `generate`.
    #[command(after_help = "Examples:\n  flowdoc site\n  flowdoc site --out _site")]
    Site {
        /// The output folder (default: target/flowdoc/site).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Check the flow against the rules and the committed docs against the code, for CI.
    ///
    /// Exits 1 when a finding is at or above the deny level (errors by default) or the docs in
    /// the output folder are not what `generate` would write now.
    #[command(
        after_help = "Examples:\n  flowdoc check\n  flowdoc check --deny warnings --format sarif > flowdoc.sarif\n  flowdoc check --format github"
    )]
    Check {
        /// The docs folder to compare (default: `output` of flowdoc.toml, or docs/flow).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Also fail on warnings, or on warnings and infos.
        #[arg(long, value_enum)]
        deny: Option<Deny>,
        /// How to report findings: for people, as JSON, as SARIF 2.1.0, or as GitHub annotations.
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
    },
    /// Print the event-flow graph to standard output.
    ///
    /// Findings are reported on standard error; they do not change the exit code (use `check`
    /// for that). Exits 2 when a template or source file cannot be read.
    #[command(
        after_help = "Examples:\n  flowdoc graph --format json | jq '.edges[] | select(.kind == \"publish\")'\n  flowdoc graph --format dot | dot -Tpng > flow.png"
    )]
    Graph {
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Json)]
        format: GraphFormat,
    },
    /// Show what a change does to the event flow: events, producers, consumers, schemas,
    /// connections, failure paths and findings, and whether it breaks someone.
    ///
    /// BASE and HEAD are each a git revision of the root's repository or a flow.json file (as
    /// `generate` writes or `graph --format json` prints). BASE defaults to HEAD, the last
    /// commit; HEAD defaults to the working tree. Revisions are read through git without
    /// touching the working tree or the index. Exits 2 when a side cannot be read.
    #[command(
        after_help = "Examples:\n  flowdoc diff                          the working tree against the last commit\n  flowdoc diff origin/main              this branch against main, as a PR comment\n  flowdoc diff main feature --format svg > change.svg\n  flowdoc diff old/flow.json docs/flow/flow.json --format json\n  flowdoc diff origin/main --exit-code  exit 1 when the change breaks a producer or consumer"
    )]
    Diff {
        /// The state before: a git revision or a flow.json file (default: HEAD).
        #[arg(value_name = "BASE")]
        base: Option<String>,
        /// The state after: a git revision or a flow.json file (default: the working tree).
        #[arg(value_name = "HEAD")]
        head: Option<String>,
        /// Markdown for a pull-request comment, the full classification as JSON, or the merged
        /// picture of the change as SVG.
        #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
        format: DiffFormat,
        /// Exit 1 when the change is breaking: an event still produced loses its last consumer,
        /// a consumer is left without producer, or an event type loses or retypes a field.
        #[arg(long)]
        exit_code: bool,
    },
    /// Explain a rule: what it checks, why it matters, how to fix it.
    #[command(after_help = "Example:\n  flowdoc explain async-without-failure-destination")]
    Explain {
        /// The rule's name, as in `warning[queue-without-dlq]`.
        rule: String,
    },
}

/// The lowest severity `check` fails on, beyond errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Deny {
    /// Fail on warnings and errors.
    Warnings,
    /// Fail on every finding.
    Infos,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    /// Messages with the source line, on standard error.
    Human,
    /// Findings and stale files as JSON on standard output.
    Json,
    /// SARIF 2.1.0 on standard output, for GitHub code scanning.
    Sarif,
    /// GitHub Actions annotations on standard output.
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum GraphFormat {
    /// The JSON graph: nodes, edges, events, handlers and findings (see docs/flow.schema.json).
    Json,
    /// The system overview as Graphviz DOT, every resource (Graphviz copes with large graphs).
    Dot,
    /// The system overview as a Mermaid flowchart (GitHub renders it in Markdown); a large
    /// system is drawn by its parts, as in the generated docs.
    Mermaid,
    /// The system overview as an SVG picture; a large system is drawn by its parts.
    Svg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// A pull-request comment: summary, breaking changes, one Mermaid picture, tables.
    Markdown,
    /// Every change, classified and sorted.
    Json,
    /// The merged picture of the change: added green, removed red and dashed, changed amber.
    Svg,
}

/// Where the docs of a run go and what earlier runs drew for them.
#[derive(Clone, Copy)]
pub(crate) struct DocsRun<'a> {
    /// The project root.
    pub(crate) root: &'a Path,
    /// The output folder named on the command line.
    pub(crate) out: Option<&'a Path>,
    /// The cache, for the pictures.
    pub(crate) cache: &'a flowdoc::cache::Cache,
}

/// Exit codes.
pub(crate) const FINE: u8 = 0;
pub(crate) const FINDINGS: u8 = 1;
pub(crate) const INPUT_ERROR: u8 = 2;

/// Where a run writes its messages.
pub(crate) struct Console<'f> {
    pub(crate) diagnostics: Diagnostics<'f>,
    pub(crate) stderr: std::io::StderrLock<'static>,
}

impl Console<'_> {
    /// Writes a message to standard error; a closed pipe is not worth a second error.
    pub(crate) fn error(&mut self, message: &str) {
        let text = self.diagnostics.render(Level::Error, None, message, None, &[]);
        let _ = self.stderr.write_all(text.as_bytes());
    }

    /// Writes a note to standard error: something worth knowing that changes nothing.
    pub(crate) fn note(&mut self, message: &str) {
        let text = self.diagnostics.render(Level::Note, None, message, None, &[]);
        let _ = self.stderr.write_all(text.as_bytes());
    }

    /// Writes a warning to standard error.
    pub(crate) fn warning(&mut self, message: &str) {
        let text = self.diagnostics.render(Level::Warning, None, message, None, &[]);
        let _ = self.stderr.write_all(text.as_bytes());
    }

    pub(crate) fn write(&mut self, text: &str) {
        let _ = self.stderr.write_all(text.as_bytes());
    }
}

/// Writes `text` to standard output; false when it could not be written (a closed pipe counts
/// as written: whoever reads stopped reading).
pub(crate) fn print(console: &mut Console<'_>, text: &str) -> bool {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => true,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => true,
        Err(error) => {
            console.error(&format!("cannot write to standard output: {error}"));
            false
        }
    }
}

/// Runs flowdoc with the process's arguments.
pub(crate) fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Explain { rule } = &cli.command {
        return ExitCode::from(explain::run(rule));
    }
    let root = cli.root.clone().unwrap_or_else(|| PathBuf::from("."));
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let files = DiskFiles::new(&root);
    let mut console =
        Console { diagnostics: Diagnostics::new(&files, color), stderr: std::io::stderr().lock() };
    if !root.is_dir() {
        console.error(&format!("the root `{}` is not a folder", root.display()));
        return ExitCode::from(INPUT_ERROR);
    }
    let templates = match project::named_templates(&root, &cli.templates) {
        Ok(templates) => templates,
        Err(failure) => return ExitCode::from(report_failure(&mut console, &failure)),
    };
    if let Command::Diff { base, head, format, exit_code } = &cli.command {
        // Each side is read on its own; the working tree only when it is one of them.
        let sides = diff::Sides { base: base.as_deref(), head: head.as_deref() };
        return ExitCode::from(diff::run(&mut console, &root, &templates, &sides, *format, *exit_code));
    }
    let name = format!("`{}`", root.display());
    let cache = cache::open(&root, !cli.no_cache);
    // `graph`, `check` and `generate` say what they said before when nothing they read (or, for
    // the last two, the docs folder) has changed.
    let memo = match &cli.command {
        _ if !cache.is_enabled() => None,
        Command::Graph { format } => {
            let format =
                format.to_possible_value().map(|value| value.get_name().to_owned()).unwrap_or_default();
            Some(memo::Keys::new(memo::For::Graph, &format!("graph --format {format}"), &root, &templates))
        }
        Command::Check { out, deny, format } => {
            let args = format!("check --format {format:?} --deny {deny:?} --out {out:?}");
            Some(memo::Keys::new(memo::For::Check, &args, &root, &templates))
        }
        Command::Generate { out } => {
            let args = format!("generate --out {out:?}");
            Some(memo::Keys::new(memo::For::Generate, &args, &root, &templates))
        }
        _ => None,
    };
    let mut memo_timings = None;
    if let Some(keys) = memo {
        let mut timings = flowdoc::timings::Timings::new();
        match timings.time("memo", || memo::recall(&cache, keys, &files, &root)) {
            Ok(recalled) => {
                timings.detail("nothing read has changed: the output of the last run".to_owned());
                let memo::Recalled { findings, unreadable_sources, said } = recalled;
                let code = match (&cli.command, said) {
                    (Command::Check { deny, format, .. }, memo::Said::Docs(docs)) => {
                        check::show(&mut console, &findings, &docs, *deny, *format, unreadable_sources)
                    }
                    (_, memo::Said::Docs(_)) => unreachable!("only check keeps what it found of the docs"),
                    (_, memo::Said::UpToDate { folder, files }) => {
                        generate::up_to_date(&mut console, &findings, &folder, files, unreadable_sources)
                    }
                    (_, memo::Said::Text(text)) => {
                        graph::show(&mut console, &findings, &text, unreadable_sources)
                    }
                };
                timings.time("cache", || cache::save(&mut console, &root, &cache));
                if cli.timings {
                    console.write(&timings::report(&timings));
                }
                return ExitCode::from(code);
            }
            Err(miss) => {
                timings.detail(miss.detail().to_owned());
                memo_timings = Some(timings);
            }
        }
    }
    let recording = flowdoc::trace::Recording::new(&files);
    let analysing = flowdoc::Project::new(if memo.is_some() { &recording } else { &files })
        .templates(&templates)
        .named(&name)
        .cache(&cache);
    // `graph` only prints what it found and ends: what the model was built from can go with
    // the process. The docs' commands go on to render, and want that memory back first.
    let analysed = flowdoc::analyse(&if matches!(cli.command, Command::Graph { .. }) {
        analysing.keeping_inputs()
    } else {
        analysing
    });
    // The analysis is done with what it looked up: the old packs need not stay in memory.
    for kind in [Kind::Sources, Kind::Templates] {
        cache.settle(kind);
    }
    // What was worked out is kept even when the analysis stopped: the next run starts there.
    let mut project = match analysed {
        Ok(project) => project,
        Err(failure) => {
            cache::save(&mut console, &root, &cache);
            return ExitCode::from(report_failure(&mut console, &failure));
        }
    };
    // The commands add the phases of their own.
    let mut timings = std::mem::take(&mut project.timings);
    if let Some(mut earlier) = memo_timings {
        earlier.append(timings);
        timings = earlier;
    }
    let unreadable = !project.unreadable_sources().is_empty();
    let code = match cli.command {
        Command::Generate { out } => {
            let docs = DocsRun { root: &root, out: out.as_deref(), cache: &cache };
            let (code, written) = generate::run(&mut console, &project, docs, memo.is_some(), &mut timings);
            if let (Some(keys), Some(trace), Some(written)) = (memo, recording.trace(), written) {
                memo::keep_generate(&cache, keys, trace, &project.findings, written, unreadable);
            }
            code
        }
        Command::Check { out, deny, format } => {
            // The docs folder as it is before the comparison reads it: a change while it runs is
            // seen by the next run.
            let before = memo.and_then(|_| {
                flowdoc::output::folder_digest(&output_folder(&root, out.as_deref(), &project).0)
            });
            let docs = DocsRun { root: &root, out: out.as_deref(), cache: &cache };
            let (code, docs) = check::run(&mut console, &project, docs, deny, format, &mut timings);
            if let (Some(keys), Some(trace), Some(digest)) = (memo, recording.trace(), before) {
                memo::keep_check(&cache, keys, trace, &project.findings, &docs, digest, unreadable);
            }
            code
        }
        Command::Graph { format } => {
            let text = graph::output(&project, format, &mut timings);
            if let (Some(keys), Some(trace)) = (memo, recording.trace()) {
                memo::keep(&cache, keys, trace, &project.findings, &text, unreadable);
            }
            graph::show(&mut console, &project.findings, &text, unreadable)
        }
        Command::Site { out } => site::run(&mut console, &project, &root, out.as_deref(), &mut timings),
        Command::Explain { .. } | Command::Diff { .. } => FINE,
    };
    if cache.is_enabled() {
        timings.time("cache", || cache::save(&mut console, &root, &cache));
    }
    if cli.timings {
        console.write(&timings::report(&timings));
    }
    // Everything is said and written: the model and the cache's memory go back to the system
    // with the process, not piece by piece (freeing it on another thread left the allocator
    // sorting the freed pages at exit, on this one).
    std::mem::forget((project, cache));
    ExitCode::from(code)
}

/// Reports the problems that stopped the analysis; the exit code for them.
fn report_failure(console: &mut Console<'_>, failure: &Failure) -> u8 {
    let text = render_failure(&mut console.diagnostics, failure);
    console.write(&text);
    INPUT_ERROR
}

/// The problems that stopped an analysis, each an error with its place and the places it
/// refers to as notes.
pub(crate) fn render_failure(diagnostics: &mut Diagnostics<'_>, failure: &Failure) -> String {
    let mut text = String::new();
    for problem in &failure.problems {
        let notes: Vec<(Level, String)> =
            problem.related.iter().map(|related| (Level::Note, format!("see {related}"))).collect();
        text.push_str(&diagnostics.render(
            Level::Error,
            None,
            &problem.message,
            problem.location.as_ref(),
            &notes,
        ));
    }
    text
}

/// The output folder: `--out` (relative to the current directory), or the configured one
/// (relative to the root); and whether it was chosen rather than defaulted.
pub(crate) fn output_folder(root: &Path, out: Option<&Path>, project: &Analysis) -> (PathBuf, bool) {
    match out {
        Some(out) => (out.to_owned(), true),
        None => (root.join(&project.config.output), project.config.source.is_some()),
    }
}

/// The output folder relative to the root, `/`-separated, when it is inside it.
pub(crate) fn relative_output(root: &Path, out: &Path) -> Option<String> {
    let root = root.canonicalize().ok()?;
    // The folder may not exist yet: resolve its nearest existing ancestor.
    let mut existing = out.to_owned();
    let mut rest = Vec::new();
    while !existing.exists() {
        rest.push(existing.file_name()?.to_owned());
        existing =
            existing.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_owned();
    }
    let mut full = existing.canonicalize().ok()?;
    for part in rest.iter().rev() {
        full.push(part);
    }
    let relative = full.strip_prefix(&root).ok()?;
    let parts: Option<Vec<&str>> = relative.components().map(|c| c.as_os_str().to_str()).collect();
    parts.map(|parts| parts.join("/"))
}

/// Reports the findings in rustc style on standard error.
pub(crate) fn report_findings(console: &mut Console<'_>, findings: &[flowdoc::rules::Finding]) {
    for finding in findings {
        let notes = [(Level::Note, format!("`flowdoc explain {}` says why and how to fix it", finding.rule))];
        let text = console.diagnostics.render(
            finding.severity.into(),
            Some(finding.rule),
            &finding.message,
            finding.location.as_ref(),
            &notes,
        );
        console.write(&text);
    }
}
