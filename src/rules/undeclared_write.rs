//! `undeclared-write`: a function with annotated handlers that the template lets write to a
//! resource no annotation of its handlers names.

use super::{Finding, Rule, RuleSettings, Severity, finding, subject};
use crate::model::{EdgeKind, Flow, GrantInfo, is_specific_write};
use std::collections::BTreeSet;

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct UndeclaredWrite;

impl Rule for UndeclaredWrite {
    fn name(&self) -> &'static str {
        "undeclared-write"
    }

    fn default_severity(&self) -> Severity {
        Severity::Info
    }

    fn summary(&self) -> &'static str {
        "the template lets an annotated function write to a resource no annotation names"
    }

    fn explain(&self) -> &'static str {
        "A function runs annotated handlers, and the template grants it a write on a resource (a SAM \
policy template such as `DynamoDBCrudPolicy` or `SQSSendMessagePolicy`, an inline statement, its \
role or a policy attached to the role), yet no annotation of its handlers names that resource. \
Grants on all of a service (`sqs:*`) and on the function's own failure destinations (where Lambda \
writes, not the code) do not count.

Why it matters: the function may well write there, but the documentation cannot say which events \
go there; where an environment variable names the resource, the picture shows the write as \
\"granted, not declared in code\". Often the grant is also broader than the code needs.

How to fix: annotate the write, or narrow the grant (a read policy such as `DynamoDBReadPolicy`) \
when the function only reads. Functions with no annotated handler are left to \
`undocumented-function`.

Example:

    # template: OrderApiFunction gets DynamoDBCrudPolicy on AuditTable, AUDIT_TABLE: !Ref AuditTable
    #[event_producer(OrderAudited, to = env(\"AUDIT_TABLE\"))]
    async fn audit(order: &Order) -> Result<(), Error> { /* ... */ }"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        let mut findings = Vec::new();
        for function in flow.functions() {
            let named = named_resources(flow, &function.id);
            if named.is_none() {
                continue;
            }
            let named = named.unwrap_or_default();
            let mut grants: Vec<&GrantInfo> = flow
                .grants()
                .get(&function.id)
                .into_iter()
                .flatten()
                .filter(|grant| is_specific_write(grant) && flow.node(&grant.target).is_some())
                .filter(|grant| !named.contains(grant.target.as_str()))
                .filter(|grant| !is_failure_destination(flow, &function.id, &grant.target))
                .collect();
            grants.sort_by(|a, b| (&a.target, &a.location, &a.via).cmp(&(&b.target, &b.location, &b.via)));
            grants.dedup_by(|a, b| a.target == b.target);
            for grant in grants {
                findings.push(finding(
                    self,
                    subject(&[&function.id, &grant.target]),
                    format!(
                        "`{}` may write to `{}` ({}), but no annotation of its handlers names `{}`: the docs \
                         cannot say which events go there",
                        function.id, grant.target, grant.via, grant.target
                    ),
                    Some(grant.location.clone()),
                ));
            }
        }
        findings
    }
}

/// The resources the annotations of the handlers `function` runs name, as resolved for it;
/// `None` when no annotated handler runs in it.
fn named_resources<'f>(flow: &'f Flow, function: &str) -> Option<BTreeSet<&'f str>> {
    let mut handlers = flow.handlers_of(function).peekable();
    handlers.peek()?;
    Some(
        handlers
            .flat_map(|handler| &handler.annotations)
            .flat_map(|annotation| &annotation.targets)
            .filter(|target| target.function.as_deref() == Some(function))
            .filter_map(|target| target.resource.as_deref().ok())
            .collect(),
    )
}

/// Whether the template sends data from `function` to `target` itself: a failure path of the
/// function or of what triggers it (a DLQ, an on-failure destination of its mapping or of its
/// asynchronous invocations), or other wiring of the template from the function to it. Lambda
/// writes there with the function's role, not the code.
pub(crate) fn is_failure_destination(flow: &Flow, function: &str, target: &str) -> bool {
    flow.failure_paths().iter().any(|path| {
        path.to == target && (path.from == function || path.function.as_deref() == Some(function))
    }) || flow
        .outgoing(function)
        .iter()
        .any(|(node, edge)| node.id == target && edge.kind != EdgeKind::Publish)
}
