//! The `flowdoc` command: parse the arguments, run, exit with what happened.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
