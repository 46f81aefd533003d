//! The pipeline's log format, shared by every function.
//!
//! One JSON object per line, with the fields of the current span: each function handles a
//! request, a stream record or a message inside a span that has a `correlation_id` field, so
//! that field is on every line it logs and one order can be followed through all the functions'
//! logs (in CloudWatch Logs Insights: `filter span.correlation_id = "..."`).

use tracing::Subscriber;
use tracing::subscriber::SetGlobalDefaultError;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// The environment variable with the log filter, as in `info` or `info,order_api=debug`.
pub const LOG_LEVEL_VARIABLE: &str = "RUST_LOG";

/// A subscriber that writes the pipeline's JSON lines to `writer`, keeping what `filter` (a
/// `RUST_LOG`-style directive list) lets through.
pub fn subscriber<W>(writer: W, filter: &str) -> impl Subscriber + Send + Sync + 'static
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_env_filter(EnvFilter::new(filter))
        .with_writer(writer)
        .finish()
}

/// Sends the function's logs to standard output (which Lambda forwards to CloudWatch Logs),
/// filtered by [`LOG_LEVEL_VARIABLE`], `info` when it is not set.
pub fn init() -> Result<(), SetGlobalDefaultError> {
    let filter = std::env::var(LOG_LEVEL_VARIABLE).unwrap_or_else(|_| "info".to_owned());
    tracing::subscriber::set_global_default(subscriber(std::io::stdout, &filter))
}
