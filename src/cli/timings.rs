//! `--timings`: how long each phase of a run took, and the run's peak memory, printed on
//! standard error at the end. For finding where a large project's time goes.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// The phases of one run, in order.
#[derive(Debug)]
pub(crate) struct Timings {
    started: Instant,
    phases: Vec<(&'static str, Duration, String)>,
}

impl Timings {
    pub(crate) fn new() -> Timings {
        Timings { started: Instant::now(), phases: Vec::new() }
    }

    /// Runs `work` as the phase `name`.
    pub(crate) fn time<T>(&mut self, name: &'static str, work: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let result = work();
        self.phases.push((name, start.elapsed(), String::new()));
        result
    }

    /// A phase timed by the caller.
    pub(crate) fn record(&mut self, name: &'static str, took: Duration) {
        self.phases.push((name, took, String::new()));
    }

    /// What the last phase worked on, as `1,234 files`.
    pub(crate) fn detail(&mut self, text: String) {
        if let Some(last) = self.phases.last_mut() {
            last.2 = text;
        }
    }

    /// One line per phase, then the total and the peak memory.
    pub(crate) fn report(&self) -> String {
        let mut out = String::from("timings:\n");
        for (name, took, detail) in &self.phases {
            let detail = if detail.is_empty() { String::new() } else { format!("  ({detail})") };
            let _ = writeln!(out, "  {name:<12} {:>9.1} ms{detail}", took.as_secs_f64() * 1000.0);
        }
        let _ = writeln!(out, "  {:<12} {:>9.1} ms", "total", self.started.elapsed().as_secs_f64() * 1000.0);
        if let Some(peak) = peak_memory_kib() {
            let _ = writeln!(out, "  peak memory  {:>9.1} MiB", peak as f64 / 1024.0);
        }
        out
    }
}

/// The most resident memory the process has had, where the system says (Linux).
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `count` things: `1 template`, `12,345 files`.
pub(crate) fn things(value: usize, thing: &str) -> String {
    if value == 1 { format!("1 {thing}") } else { format!("{} {thing}s", count(value)) }
}

/// `12345` as `12,345`.
pub(crate) fn count(value: usize) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_reported_in_order_with_their_details() {
        let mut timings = Timings::new();
        let value = timings.time("walk", || 7);
        timings.detail(format!("{} files", count(12345)));
        timings.time("parse", || ());
        let report = timings.report();
        assert_eq!(value, 7);
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines[0], "timings:");
        assert!(lines[1].starts_with("  walk ") && lines[1].ends_with("ms  (12,345 files)"), "{report}");
        assert!(lines[2].starts_with("  parse ") && lines[2].ends_with(" ms"), "{report}");
        assert!(lines[3].starts_with("  total "), "{report}");
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(things(1, "file"), "1 file");
        assert_eq!(things(1000, "file"), "1,000 files");
    }
}
