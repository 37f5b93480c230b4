//! `IcebergError`: every way a catalog operation fails, mapped from the REST error model.

use floe_core::http::{EndpointError, PeerAnswer, PeerError};
use floe_core::plugin::PluginErrorKind;
use floe_core::telemetry::SanitizedMessage;

use crate::model::ErrorResponse;

/// A catalog operation failed.
///
/// A `message` is the catalog's own words, scrubbed of every credential the call sent
/// (the bearer token) and then sanitized; a `kind` is the error model's `type` when it
/// is a plain identifier. No message holds a token, a URI's user info or a body the
/// catalog sent beyond that excerpt.
#[derive(Debug, thiserror::Error)]
pub enum IcebergError {
    /// The client configuration cannot work; the reason never quotes the rejected value.
    #[error("invalid catalog configuration: {reason}")]
    InvalidConfig {
        /// What is wrong.
        reason: &'static str,
    },
    /// The catalog URI cannot receive the token (plain `http` to another machine without
    /// `allow_insecure_http`, user info, a query).
    #[error("invalid catalog endpoint")]
    Endpoint(#[source] EndpointError),
    /// 404: the namespace or table does not exist.
    #[error("not found ({kind}): {message}")]
    NotFound {
        /// The error model's `type` (`NoSuchTableException`, ...).
        kind: String,
        /// The catalog's message.
        message: SanitizedMessage,
    },
    /// 409 on a create: the namespace or table already exists.
    #[error("already exists ({kind}): {message}")]
    AlreadyExists {
        /// The error model's `type`.
        kind: String,
        /// The catalog's message.
        message: SanitizedMessage,
    },
    /// 409 on a namespace drop: the namespace still holds tables or namespaces.
    #[error("namespace not empty ({kind}): {message}")]
    NotEmpty {
        /// The error model's `type`.
        kind: String,
        /// The catalog's message.
        message: SanitizedMessage,
    },
    /// 409 on a commit: a requirement no longer holds; reload the table and retry.
    #[error("commit conflict on table {table}: {message}")]
    CommitConflict {
        /// The table, `namespace.name`.
        table: String,
        /// The catalog's message.
        message: SanitizedMessage,
    },
    /// 401 or 403: the credentials are missing, wrong, or not allowed to do this.
    #[error("catalog refused the credentials ({status}): {message}")]
    Unauthorized {
        /// 401 or 403.
        status: u16,
        /// The catalog's message.
        message: SanitizedMessage,
    },
    /// Another 4xx: the catalog rejected the request (400, 406, 422, ...).
    #[error("catalog rejected the request with status {status} ({kind}): {message}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The error model's `type`.
        kind: String,
        /// The catalog's message.
        message: SanitizedMessage,
    },
    /// 5xx: the catalog failed (503 only after the retries).
    #[error("catalog failed the request with status {status} ({kind}): {message}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// The error model's `type`.
        kind: String,
        /// The catalog's message.
        message: SanitizedMessage,
    },
    /// No usable answer: connection refused, time budget spent, a redirect (never
    /// followed), a body over the limit, a connection closed mid-answer.
    #[error("request to the catalog failed")]
    Transport(#[source] PeerError),
    /// The catalog answered a success with a body that is not the expected JSON (only
    /// serde's category is kept: its messages can quote the body).
    #[error("unexpected response body from the catalog")]
    Decode(#[source] PeerError),
    /// A token provider could not produce a token.
    #[error("no catalog token was obtained: {reason}")]
    Token {
        /// What failed; never the token or a client secret.
        reason: String,
    },
}

impl IcebergError {
    /// The kind of failure, for callers that react to it.
    pub fn kind(&self) -> PluginErrorKind {
        match self {
            Self::InvalidConfig { .. } | Self::Endpoint(_) => PluginErrorKind::Config,
            Self::NotFound { .. } => PluginErrorKind::NotFound,
            Self::Unauthorized { .. } | Self::Token { .. } => PluginErrorKind::Unauthorized,
            Self::AlreadyExists { .. }
            | Self::NotEmpty { .. }
            | Self::CommitConflict { .. }
            | Self::Rejected { .. } => PluginErrorKind::Rejected,
            Self::Server { .. } => PluginErrorKind::Unavailable,
            Self::Transport(source) => source.kind(),
            Self::Decode(_) => PluginErrorKind::Protocol,
        }
    }
}

/// What a 409 means for the operation: "already exists" (a create), "not empty" (a
/// namespace drop) or "commit conflict".
#[derive(Clone, Copy, Debug)]
pub(crate) enum ConflictMeaning<'a> {
    AlreadyExists,
    NotEmpty,
    CommitConflict { table: &'a str },
}

/// The error model's `type` when it is a plain identifier (`NoSuchTableException`);
/// anything else (which a hostile catalog could fill with an echoed credential) is
/// replaced by the status's reason phrase.
fn error_kind(model: Option<&ErrorResponse>, status: u16) -> String {
    model
        .map(|m| m.error.kind.as_str())
        .filter(|kind| {
            !kind.is_empty()
                && kind.len() <= 64
                && kind.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.'))
        })
        .map_or_else(
            || {
                reqwest::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("error")
                    .to_owned()
            },
            str::to_owned,
        )
}

/// The error for a non-success `answer`: the error model's `type` and message (or the
/// body's first line when it is not the model), scrubbed of the call's credentials and
/// sanitized.
pub(crate) fn from_answer(answer: &PeerAnswer, conflict: ConflictMeaning<'_>) -> IcebergError {
    let model = serde_json::from_slice::<ErrorResponse>(answer.body()).ok();
    let kind = error_kind(model.as_ref(), answer.status());
    let message = answer.peer_text(|_| model.map(|m| m.error.message));
    let status = answer.status();
    match status {
        401 | 403 => IcebergError::Unauthorized { status, message },
        404 => IcebergError::NotFound { kind, message },
        409 => match conflict {
            ConflictMeaning::CommitConflict { table } => {
                IcebergError::CommitConflict { table: table.to_owned(), message }
            }
            ConflictMeaning::AlreadyExists => IcebergError::AlreadyExists { kind, message },
            ConflictMeaning::NotEmpty => IcebergError::NotEmpty { kind, message },
        },
        500..=599 => IcebergError::Server { status, kind, message },
        400..=499 => IcebergError::Rejected { status, kind, message },
        _ => IcebergError::Transport(answer.error()),
    }
}
