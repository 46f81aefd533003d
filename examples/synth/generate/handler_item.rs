//! One annotated item of a handler file: the function for a consumed event, a route or a job's
//! run, with its `#[event_consumer]` and `#[event_producer]` annotations.

use super::plan::{Consume, Dest, Function, Plan, Produce, Route, Style, Trigger};
use super::text::snake;
use std::fmt::Write as _;

/// One annotated piece of a handler: a function per consumed event, per route, or the job's run.
#[derive(Debug)]
pub(super) struct HandlerItem {
    pub(super) name: String,
    pub(super) doc: String,
    pub(super) consumes: Vec<Consume>,
    pub(super) produces: Vec<Produce>,
    pub(super) route: Option<Route>,
}

/// How the handler names events: by path, by imported name, or by string.
pub(super) struct Names<'p> {
    pub(super) plan: &'p Plan,
    pub(super) short: bool,
}

impl Names<'_> {
    /// The first argument of an annotation.
    fn reference(&self, event: usize) -> String {
        let spec = &self.plan.events[event];
        match &spec.rust {
            Some(rust) if self.short => rust.clone(),
            Some(rust) => format!("{}::{rust}", self.plan.domains[spec.domain].events_ident()),
            None => format!("\"{}\"", spec.name),
        }
    }

    /// The type, in code.
    pub(super) fn rust(&self, event: usize) -> Option<String> {
        self.plan.events[event].rust.as_ref().map(|_| self.reference(event))
    }
}

/// The `#[event_consumer]` and `#[event_producer]` lines for `consumes` and `produces`, each
/// attribute path after `prefix` (empty or `flowdoc_annotations::`).
pub(super) fn annotation_lines(
    names: &Names<'_>,
    prefix: &str,
    consumes: &[Consume],
    produces: &[Produce],
) -> String {
    let mut out = String::new();
    for consume in consumes {
        let _ = writeln!(
            out,
            "#[{prefix}event_consumer({}, from = \"{}\")]",
            names.reference(consume.event),
            consume.from
        );
    }
    for produce in produces {
        let to = match &produce.dest {
            Dest::Logical(id) => format!("\"{id}\""),
            Dest::Env => format!("env(\"{}\")", produce.var),
        };
        let _ = writeln!(out, "#[{prefix}event_producer({}, to = {to})]", names.reference(produce.event));
    }
    out
}

/// The text of one handler item: annotations (unless stacked on the entry point), signature,
/// reading what it consumes, building what it produces.
#[allow(clippy::too_many_arguments, reason = "the pieces of one item, all needed")]
pub(super) fn item_text(
    plan: &Plan,
    names: &Names<'_>,
    function: &Function,
    item: &HandlerItem,
    style: Style,
    prefix: &str,
    owner: &str,
    out_ty: &str,
) -> String {
    let annotations = if style == Style::Stacked {
        String::new()
    } else {
        annotation_lines(names, prefix, &item.consumes, &item.produces)
    };
    let methods = style == Style::Methods;
    let produces_any = !function.produces.is_empty();
    let mut body = String::new();
    let (signature, source, error_map) = if let Some(route) = &item.route {
        let params = match (produces_any, methods) {
            (_, true) => "&self, request: &Request",
            (true, false) => "targets: &Targets, request: &Request",
            (false, false) => "request: &Request",
        };
        if route.method == "post" {
            body.push_str(
                "    if !request.body.is_object() {
        return Err((400, \"the body must be a JSON object\".to_owned()));
    }
",
            );
        }
        body.push_str(
            "    let mut source = request.body.clone();
    if let Some(fields) = source.as_object_mut() {
        fields.insert(\"correlation_id\".to_owned(), Value::String(request.correlation_id.clone()));
",
        );
        if route.path.ends_with("{id}") {
            let _ = writeln!(
                body,
                "        fields.insert(\"{}_id\".to_owned(), Value::String(request.id.clone()));",
                function.entity.snake
            );
        }
        body.push_str("    }\n");
        (
            format!("async fn {}({params}) -> Result<{out_ty}, (u16, String)>", item.name),
            "&source",
            ".map_err(|error| (500, error))",
        )
    } else if matches!(function.trigger, Trigger::Schedule(_)) {
        let params = match (produces_any, methods) {
            (_, true) => "&self, source: &Value",
            (true, false) => "targets: &Targets, source: &Value",
            (false, false) => "source: &Value",
        };
        body.push_str(
            "    let requested_at = source.get(\"requested_at\").and_then(Value::as_str).unwrap_or_default();
    tracing::info!(requested_at, \"run\");
",
        );
        (format!("async fn {}({params}) -> Result<{out_ty}, String>", item.name), "source", "")
    } else {
        let params = match (produces_any && !item.produces.is_empty(), methods) {
            (_, true) => "&self, record: &Record",
            (true, false) => "targets: &Targets, record: &Record",
            (false, false) if produces_any => "_targets: &Targets, record: &Record",
            (false, false) => "record: &Record",
        };
        for consume in &item.consumes {
            match names.rust(consume.event) {
                Some(rust) => {
                    let _ = write!(
                        body,
                        "    let event: {rust} = decode(record)?;
    tracing::info!(correlation_id = event.correlation_id(), event_type = \"{}\", \"received\");
",
                        plan.events[consume.event].name
                    );
                }
                None => {
                    let _ = write!(
                        body,
                        "    let correlation_id = record.body.get(\"correlation_id\").and_then(Value::as_str).unwrap_or_default();
    tracing::info!(correlation_id, event_type = \"{}\", \"received\");
",
                        plan.events[consume.event].name
                    );
                }
            }
        }
        (format!("async fn {}({params}) -> Result<{out_ty}, String>", item.name), "&record.body", "")
    };
    if item.produces.is_empty() {
        body.push_str(if produces_any { "    Ok(Vec::new())\n" } else { "    Ok(())\n" });
    } else {
        body.push_str("    Ok(vec![\n");
        for produce in &item.produces {
            let spec = &plan.events[produce.event];
            let value = match &spec.rust {
                Some(rust) => format!("{}_from({source})", snake(rust)),
                None => format!("untyped({source}, \"{}\")", spec.name),
            };
            let _ = writeln!(
                body,
                "        Outgoing::new(&{owner}.{}, \"{}\", &{value}){error_map}?,",
                produce.var.to_ascii_lowercase(),
                spec.name
            );
        }
        body.push_str("    ])\n");
    }
    let visibility = if methods { "pub " } else { "" };
    format!("/// {}\n{annotations}{visibility}{signature} {{\n{body}}}\n", item.doc)
}
