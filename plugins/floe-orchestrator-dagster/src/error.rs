//! The Dagster plugin's error.

use floe_core::http::{CaBundleError, EndpointError, PeerError};
use floe_core::plugin::OutOfRange;
use floe_core::process::ProcessError;

/// Why definitions could not be generated, a run failed, or the webserver was not reached.
/// No message holds the API token or the URL's user info.
#[derive(Debug, thiserror::Error)]
pub enum DagsterError {
    /// The webserver URL cannot be used.
    #[error("dagster webserver url: {0}")]
    Endpoint(#[from] EndpointError),
    /// A setting is out of range.
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client")]
    Client(#[source] CaBundleError),
    /// A configuration value decodes but cannot be used.
    #[error("{key}: {reason}")]
    Config {
        /// The key, relative to the plugin's config (`schedules[0].cron`).
        key: String,
        /// What is wrong (never the value).
        reason: String,
    },
    /// The artifacts or the config cannot make valid definitions.
    #[error("cannot generate Dagster definitions: {0}")]
    Artifacts(String),
    /// The connection check got no usable answer: refused, failed, redirected, not in
    /// time, too large, cut short, or not JSON.
    #[error("the dagster connection check (POST /graphql) failed: {source}")]
    Connection {
        /// What the peer-call path saw (the webserver as `host[:port]`, its words
        /// scrubbed of the credentials sent and sanitized).
        #[source]
        source: PeerError,
    },
    /// The webserver answered something that is not a Dagster version.
    #[error("{destination} did not answer the GraphQL query {{ version }} with a version")]
    NotDagster {
        /// The webserver.
        destination: String,
    },
    /// The in-process run could not be started or did not finish.
    #[error("in-process run")]
    Process(#[from] ProcessError),
    /// The run ended without reporting.
    #[error("the in-process run exited with {status} without a result: {tail}")]
    NoResult {
        /// The exit status.
        status: String,
        /// The end of its output, sanitized.
        tail: String,
    },
    /// The run failed.
    #[error("run {run_id} failed: {message}")]
    RunFailed {
        /// The run id (empty when loading the definitions failed).
        run_id: String,
        /// Dagster's failure, sanitized.
        message: String,
    },
}
