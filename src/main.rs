//! The `flowdoc` command: parse the arguments, run, exit with what happened.

mod cli;

/// mimalloc rather than the system's allocator: faster for the many small values a run makes
/// on several threads, and a lower peak (measured in docs/benchmarks.md, "The allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
