//! Errors of the Cube plugin. Messages name the model, column or server (as `host[:port]`)
//! and never hold a URL's user info or a secret.

use floe_core::http::PeerError;
use floe_core::plugin::{PluginError, PluginErrorKind};
use floe_core::telemetry::SanitizedMessage;

/// A failed Cube operation.
#[derive(Debug, thiserror::Error)]
pub enum CubeError {
    /// The plugin's configuration is not usable.
    #[error("invalid configuration: {reason}")]
    Config {
        /// What is wrong (names the key, never a credential).
        reason: String,
    },
    /// The dbt manifest is not one the plugin can read.
    #[error("invalid dbt manifest: {reason}")]
    Manifest {
        /// What is missing or malformed.
        reason: String,
    },
    /// A model or column name cannot be a Cube member name.
    #[error("{what} {name:?} of model {model} is not a valid Cube name ([A-Za-z_][A-Za-z0-9_]*)")]
    InvalidName {
        /// `model`, `column`, `join` or `segment`.
        what: &'static str,
        /// The offending name.
        name: String,
        /// The dbt model.
        model: String,
    },
    /// Two members of one cube would have the same name (Cube refuses the data model).
    #[error(
        "member {member} of model {model} is defined twice (a column, a generated measure or a segment share the name)"
    )]
    DuplicateMember {
        /// The dbt model.
        model: String,
        /// The name.
        member: String,
    },
    /// A column's `meta.cube` asks for something Cube does not have.
    #[error("column {column} of model {model}: {reason}")]
    Meta {
        /// The dbt model.
        model: String,
        /// The column.
        column: String,
        /// What is wrong.
        reason: String,
    },
    /// A generated file could not be written as YAML.
    #[error("cannot write the data model of {model} as YAML")]
    Yaml {
        /// The dbt model.
        model: String,
        /// Why.
        #[source]
        source: serde_saphyr::SerializeError,
    },
    /// `GET /readyz` got no usable answer: the server could not be reached, did not
    /// answer in time, redirected, or sent an answer too large or cut short.
    #[error("cube readiness check (GET /readyz) failed: {source}")]
    Readyz {
        /// What the peer-call path saw (names the server as `host[:port]`).
        #[source]
        source: PeerError,
    },
    /// Something answered 200 that is not Cube's readiness answer (another service on the
    /// port, a proxy's page).
    #[error(
        "the server at {destination} answered GET /readyz with 200 but not Cube's readiness answer"
    )]
    NotCube {
        /// `host[:port]`.
        destination: String,
    },
    /// The server answered that it is not ready (any status but 200).
    #[error("cube server at {destination} is not ready: GET /readyz answered status {status}{}", suffix(.detail))]
    NotReady {
        /// `host[:port]`.
        destination: String,
        /// The HTTP status.
        status: u16,
        /// The answer's first line, scrubbed of the URL's user info and sanitized.
        detail: SanitizedMessage,
    },
}

fn suffix(detail: &SanitizedMessage) -> String {
    if detail.as_str().is_empty() { String::new() } else { format!(": {detail}") }
}

impl CubeError {
    /// The kind of failure, for callers that react to it.
    pub fn kind(&self) -> PluginErrorKind {
        match self {
            Self::Config { .. } => PluginErrorKind::Config,
            Self::Manifest { .. }
            | Self::InvalidName { .. }
            | Self::DuplicateMember { .. }
            | Self::Meta { .. }
            | Self::Yaml { .. } => PluginErrorKind::Rejected,
            Self::Readyz { source } => source.kind(),
            Self::NotReady { .. } | Self::NotCube { .. } => PluginErrorKind::Unavailable,
        }
    }
}

impl From<CubeError> for PluginError {
    fn from(error: CubeError) -> Self {
        let kind = error.kind();
        PluginError::from_error("semantic_layer/cube", kind, error)
    }
}
