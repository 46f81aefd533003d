//! `template-problem`: mistakes in templates that still load, and what flowdoc could not follow.

use super::{Finding, Rule, RuleSettings, Severity, finding};
use crate::model::Flow;

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct TemplateProblem;

impl Rule for TemplateProblem {
    fn name(&self) -> &'static str {
        "template-problem"
    }

    fn default_severity(&self) -> Severity {
        Severity::Warning
    }

    fn summary(&self) -> &'static str {
        "a template has a mistake (error) or something flowdoc could not follow (warning)"
    }

    fn explain(&self) -> &'static str {
        "A template loaded, but something in it is wrong or could not be followed: a duplicate key (the \
last value is used, as CloudFormation does), a `!Ref` or `!GetAtt` to a name the template does not \
define, a resource without `Type`, an intrinsic function CloudFormation does not have, a policy \
string that is not JSON, a nested template that is not in the project. Mistakes are errors, things \
flowdoc could not follow are warnings, and a guess it made (an import matched to another template's \
export only by the end of its name) is an info.

Why it matters: a mistake usually fails the deployment or silently drops a setting; anything flowdoc \
could not follow is missing from the documented flow.

How to fix: as the message says; `cfn-lint` finds more of the first kind.

Example:

    error[template-problem]: duplicate key `VisibilityTimeout`; the last value is used (see template.yaml:12:7)
      --> template.yaml:14:7"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        flow.template_problems()
            .iter()
            .map(|problem| {
                // The subject leaves positions out, so it stays the same when lines move.
                let message = match &problem.related {
                    Some(related) => format!("{} (see {related})", problem.message),
                    None => problem.message.clone(),
                };
                let mut found = finding(
                    self,
                    format!("{}:{}", problem.location.file, problem.message),
                    message,
                    Some(problem.location.clone()),
                );
                // A mistake stays an error, and a guess flowdoc says it made stays a note.
                if problem.severity != Severity::Warning {
                    found.severity = problem.severity;
                }
                found
            })
            .collect()
    }
}
