//! How long each phase of an analysis took, and what it worked on: for `--timings` and the
//! benchmarks, to find where a large project's time goes.

use std::time::{Duration, Instant};

/// The phases of one run, in order.
#[derive(Debug)]
pub struct Timings {
    started: Instant,
    phases: Vec<Phase>,
}

/// One phase of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase {
    /// Its name, such as `parse`.
    pub name: &'static str,
    /// How long it took.
    pub took: Duration,
    /// What it worked on, as `1,234 files`; empty when nothing is said.
    pub detail: String,
}

impl Default for Timings {
    fn default() -> Timings {
        Timings::new()
    }
}

impl Timings {
    /// Timings of a run that starts now.
    pub fn new() -> Timings {
        Timings { started: Instant::now(), phases: Vec::new() }
    }

    /// Runs `work` as the phase `name`.
    pub fn time<T>(&mut self, name: &'static str, work: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let result = work();
        self.record(name, start.elapsed());
        result
    }

    /// A phase timed by the caller.
    pub fn record(&mut self, name: &'static str, took: Duration) {
        self.phases.push(Phase { name, took, detail: String::new() });
    }

    /// What the last phase worked on, as `1,234 files`.
    pub fn detail(&mut self, text: String) {
        if let Some(last) = self.phases.last_mut() {
            last.detail = text;
        }
    }

    /// The phases, in the order they ran.
    pub fn phases(&self) -> &[Phase] {
        &self.phases
    }

    /// The phase named `name`, if it ran.
    pub fn phase(&self, name: &str) -> Option<&Phase> {
        self.phases.iter().find(|phase| phase.name == name)
    }

    /// These phases followed by those of `later`, which ran after them.
    pub fn append(&mut self, later: Timings) {
        self.phases.extend(later.phases);
    }

    /// The time since the run started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// `count` things: `1 template`, `12,345 files`.
pub fn things(value: usize, thing: &str) -> String {
    if value == 1 { format!("1 {thing}") } else { format!("{} {thing}s", count(value)) }
}

/// `12345` as `12,345`.
pub fn count(value: usize) -> String {
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
    fn phases_keep_their_order_and_details() {
        let mut timings = Timings::new();
        let value = timings.time("walk", || 7);
        timings.detail(things(12345, "file"));
        timings.time("parse", || ());
        assert_eq!(value, 7);
        let names: Vec<&str> = timings.phases().iter().map(|phase| phase.name).collect();
        assert_eq!(names, ["walk", "parse"]);
        assert_eq!(timings.phase("walk").map(|phase| phase.detail.as_str()), Some("12,345 files"));
        assert_eq!(timings.phase("parse").map(|phase| phase.detail.as_str()), Some(""));
        assert!(timings.phase("render").is_none());
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
