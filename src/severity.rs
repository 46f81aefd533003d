//! How serious something found is: one scale for the findings of the rules and for the problems
//! template loading meets, so that a template's error can stay an error when it becomes a
//! finding.

use serde::Serialize;
use std::fmt;

/// How serious a finding or a template problem is. Ordered from the least serious, so a
/// threshold is a comparison (`severity >= Severity::Warning`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Worth knowing. Rules only: template loading has no such problems.
    Info,
    /// Likely to lose or delay events; in a template, something flowdoc could not follow.
    Warning,
    /// Broken: events are lost or the deployment fails; in a template, a mistake CloudFormation
    /// may refuse.
    Error,
}

impl Severity {
    /// The name used in output and configuration.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// The severity called `name`.
    pub fn from_name(name: &str) -> Option<Severity> {
        match name {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_order_by_seriousness() {
        for severity in [Severity::Info, Severity::Warning, Severity::Error] {
            assert_eq!(Severity::from_name(severity.name()), Some(severity));
            assert_eq!(severity.to_string(), severity.name());
        }
        assert_eq!(Severity::from_name("fatal"), None);
        assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Error);
    }
}
