//! The command line: the only layer that knows clap and the filesystem. Arguments become a
//! validated project setup, the library does the work, and the outcome becomes an exit code:
//! 0 all good, 1 findings at or above the deny level (or stale docs), 2 input that cannot be read.

mod diagnostics;
mod project;

use clap::{Parser, Subcommand, ValueEnum};
use diagnostics::{Diagnostics, Level};
use flowdoc::files::DiskFiles;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// flowdoc makes the event flow of a serverless system visible: it reads the Rust Lambda crates
/// (annotated with #[event_producer] / #[event_consumer]) and the SAM / CloudFormation templates,
/// builds the event-flow graph and checks it.
#[derive(Debug, Parser)]
#[command(name = "flowdoc", version, about, long_about = None, propagate_version = true)]
#[command(
    after_help = "Examples:\n  flowdoc graph --format json > flow.json\n  flowdoc --root services/orders --template infra/template.yaml graph"
)]
pub(crate) struct Cli {
    /// The project to document (default: the current directory).
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,

    /// A template to read instead of discovering them; repeat for several.
    #[arg(long = "template", global = true, value_name = "FILE")]
    templates: Vec<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the event-flow graph to standard output.
    ///
    /// Findings are reported on standard error; they do not change the exit code (use `check`
    /// for that). Exits 2 when a template or source file cannot be read.
    #[command(
        after_help = "Examples:\n  flowdoc graph --format json\n  flowdoc graph --format json | jq '.edges[] | select(.kind == \"publish\")'"
    )]
    Graph {
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Json)]
        format: GraphFormat,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum GraphFormat {
    /// The JSON graph: nodes, edges, events, handlers and findings (see docs/flow.schema.json).
    Json,
    /// The system overview as an SVG picture.
    Svg,
}

/// Exit codes.
const FINE: u8 = 0;
const INPUT_ERROR: u8 = 2;

/// Runs flowdoc with the process's arguments.
pub(crate) fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli.root.clone().unwrap_or_else(|| PathBuf::from("."));
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let files = DiskFiles::new(&root);
    let mut diagnostics = Diagnostics::new(&files, color);
    let mut stderr = std::io::stderr().lock();
    if !root.is_dir() {
        let message = format!("the root `{}` is not a folder", root.display());
        let _ = stderr.write_all(diagnostics.render(Level::Error, None, &message, None, &[]).as_bytes());
        return ExitCode::from(INPUT_ERROR);
    }
    let project = match project::analyse(&files, &root, &cli.templates) {
        Ok(project) => project,
        Err(failure) => {
            for problem in &failure.problems {
                let text = diagnostics.render(
                    Level::Error,
                    None,
                    &problem.message,
                    problem.location.as_ref(),
                    &problem.notes,
                );
                let _ = stderr.write_all(text.as_bytes());
            }
            return ExitCode::from(INPUT_ERROR);
        }
    };
    for finding in &project.findings {
        let notes = [(Level::Note, format!("`flowdoc explain {}` says why and how to fix it", finding.rule))];
        let text = diagnostics.render(
            finding.severity.into(),
            Some(finding.rule),
            &finding.message,
            finding.location.as_ref(),
            &notes,
        );
        let _ = stderr.write_all(text.as_bytes());
    }
    match cli.command {
        Command::Graph { format } => {
            let text = match format {
                GraphFormat::Json => flowdoc::render::json::render(&project.flow, &project.findings),
                GraphFormat::Svg => {
                    flowdoc::render::svg::render(&flowdoc::render::diagram::overview(&project.flow))
                }
            };
            if let Err(error) = std::io::stdout().lock().write_all(text.as_bytes())
                && error.kind() != std::io::ErrorKind::BrokenPipe
            {
                let message = format!("cannot write the graph: {error}");
                let _ =
                    stderr.write_all(diagnostics.render(Level::Error, None, &message, None, &[]).as_bytes());
                return ExitCode::from(INPUT_ERROR);
            }
        }
    }
    if project.unreadable_sources {
        return ExitCode::from(INPUT_ERROR);
    }
    ExitCode::from(FINE)
}
