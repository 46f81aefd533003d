//! Helpers shared by the benches that compare flowdoc's pictures with Graphviz's
//! (`benches/scale.rs`, `benches/crossings.rs`): running `dot`, medians, the machine's name.

pub(crate) mod svg_geometry;

use flowdoc::render::{diagram::Diagram, dot};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The median of some samples.
pub(crate) fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

/// Whether a tool is on the PATH.
pub(crate) fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

/// `dot -Tsvg` on a picture's DOT: the median time and the SVG; None when dot cannot run or
/// writes no SVG.
pub(crate) fn graphviz(diagram: &Diagram, runs: usize) -> Option<(Duration, String)> {
    let text = dot::render(diagram);
    let mut times = Vec::new();
    let mut svg = String::new();
    for _ in 0..runs {
        let start = Instant::now();
        let mut child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut input = child.stdin.take()?;
        let bytes = text.clone().into_bytes();
        let writer = std::thread::spawn(move || std::io::Write::write_all(&mut input, &bytes));
        let output = child.wait_with_output().ok()?;
        let _ = writer.join();
        times.push(start.elapsed());
        svg = String::from_utf8(output.stdout).ok()?;
    }
    (!svg.is_empty()).then(|| (median(times), svg))
}

/// The machine, for the record.
pub(crate) fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .map(|line| line.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    format!("{cpus} cores, {model}, {}", std::env::consts::OS)
}
