//! `flowdoc explain RULE`: what a rule checks, why it matters, how to fix it.

use super::{FINE, INPUT_ERROR};
use flowdoc::rules;
use std::io::Write;

pub(crate) fn run(name: &str) -> u8 {
    let Some(rule) = rules::find(name) else {
        let mut text = format!("error: there is no rule `{name}`; the rules are:\n");
        for rule in rules::all() {
            text.push_str(&format!(
                "  {:<36} {:<8} {}\n",
                rule.name(),
                rule.default_severity(),
                rule.summary()
            ));
        }
        let _ = std::io::stderr().write_all(text.as_bytes());
        return INPUT_ERROR;
    };
    let text = format!(
        "{} ({} by default): {}\n\n{}\n",
        rule.name(),
        rule.default_severity(),
        rule.summary(),
        rule.explain()
    );
    match std::io::stdout().write_all(text.as_bytes()) {
        Ok(()) => FINE,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => FINE,
        Err(_) => INPUT_ERROR,
    }
}
