//! `--timings`: how long each phase of a run took, and the run's peak memory, printed on
//! standard error at the end. For finding where a large project's time goes.

use flowdoc::timings::Timings;
use std::fmt::Write as _;

/// One line per phase, then the total and the peak memory.
pub(crate) fn report(timings: &Timings) -> String {
    let mut out = String::from("timings:\n");
    for phase in timings.phases() {
        let detail = if phase.detail.is_empty() { String::new() } else { format!("  ({})", phase.detail) };
        let _ = writeln!(out, "  {:<12} {:>9.1} ms{detail}", phase.name, phase.took.as_secs_f64() * 1000.0);
    }
    let _ = writeln!(out, "  {:<12} {:>9.1} ms", "total", timings.elapsed().as_secs_f64() * 1000.0);
    if let Some(peak) = peak_memory_kib() {
        let _ = writeln!(out, "  peak memory  {:>9.1} MiB", peak as f64 / 1024.0);
    }
    out
}

/// The most resident memory the process has had, where the system says (Linux).
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_reported_in_order_with_their_details() {
        let mut timings = Timings::new();
        timings.time("walk", || ());
        timings.detail("12,345 files".to_owned());
        timings.time("parse", || ());
        let report = report(&timings);
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines[0], "timings:");
        assert!(lines[1].starts_with("  walk ") && lines[1].ends_with("ms  (12,345 files)"), "{report}");
        assert!(lines[2].starts_with("  parse ") && lines[2].ends_with(" ms"), "{report}");
        assert!(lines[3].starts_with("  total "), "{report}");
    }
}
