//! `PeerError`: how a credentialed call to a peer failed, in words safe to show and
//! record. Peer text in it has been scrubbed of the call's credentials and sanitized.

use std::time::Duration;

use crate::plugin::PluginErrorKind;
use crate::telemetry::SanitizedMessage;

/// A call through [`crate::http::Peer`] that did not get a usable answer.
///
/// Messages name the peer by `host[:port]` only; a `detail` is the peer's own words
/// (its error message), already scrubbed of every credential the call sent and
/// sanitized.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// 401 or 403: the peer refused the credentials (never retried: a lockout risk).
    #[error("{destination} refused the credentials ({status}){}", suffix(.detail))]
    Unauthorized {
        /// `host[:port]`.
        destination: String,
        /// 401 or 403.
        status: u16,
        /// The peer's message.
        detail: SanitizedMessage,
    },
    /// 404: what was asked for does not exist.
    #[error("{destination} has no such resource (404){}", suffix(.detail))]
    NotFound {
        /// `host[:port]`.
        destination: String,
        /// The peer's message.
        detail: SanitizedMessage,
    },
    /// Another 4xx: the peer refused the request.
    #[error("{destination} refused the request ({status}){}", suffix(.detail))]
    Refused {
        /// `host[:port]`.
        destination: String,
        /// The status.
        status: u16,
        /// The peer's message.
        detail: SanitizedMessage,
    },
    /// 5xx, or 408/429 after the last retry: the peer could not take the request.
    #[error("{destination} failed to answer ({status}){}", suffix(.detail))]
    Failed {
        /// `host[:port]`.
        destination: String,
        /// The status.
        status: u16,
        /// The peer's message.
        detail: SanitizedMessage,
    },
    /// A status the caller did not expect (1xx, or a 2xx other than the one it needs).
    #[error("{destination} answered with unexpected status {status}")]
    UnexpectedStatus {
        /// `host[:port]`.
        destination: String,
        /// The status.
        status: u16,
    },
    /// 3xx: credentialed calls never follow a redirect, to any origin.
    #[error(
        "{destination} answered with a redirect ({status}); calls that carry credentials never follow redirects"
    )]
    Redirected {
        /// `host[:port]`.
        destination: String,
        /// The status.
        status: u16,
    },
    /// No complete answer within the call's time budget (retries included).
    #[error("{destination} did not answer within {timeout:?}")]
    TimedOut {
        /// `host[:port]`.
        destination: String,
        /// The budget.
        timeout: Duration,
    },
    /// The connection could not be made (after the retries).
    #[error("cannot connect to {destination}")]
    Unreachable {
        /// `host[:port]`.
        destination: String,
        /// The transport error, without its URL.
        #[source]
        source: reqwest::Error,
    },
    /// The connection failed after the request went out, before an answer came.
    #[error("{destination} closed the connection without answering")]
    NoAnswer {
        /// `host[:port]`.
        destination: String,
        /// The transport error, without its URL.
        #[source]
        source: reqwest::Error,
    },
    /// The answer stopped before its end (the connection closed mid-body).
    #[error("{destination} closed the connection before the answer was complete")]
    Incomplete {
        /// `host[:port]`.
        destination: String,
        /// The transport error, without its URL.
        #[source]
        source: reqwest::Error,
    },
    /// The answer's body is larger than the call allows; it was not read past the limit.
    #[error("{destination} sent an answer ({status}) larger than {limit} bytes")]
    TooLarge {
        /// `host[:port]`.
        destination: String,
        /// The status of the answer.
        status: u16,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The body is not the JSON the protocol prescribes. Only serde's category is kept:
    /// its messages can quote the input, which may hold a credential.
    #[error("{destination} sent a body that is not the expected JSON ({category})")]
    Malformed {
        /// `host[:port]`.
        destination: String,
        /// `syntax error`, `truncated`, `wrong shape`.
        category: &'static str,
    },
    /// The request itself could not be made (its body does not serialize, its URL is not
    /// on the peer's origin).
    #[error("cannot send the request to {destination}: {reason}")]
    Request {
        /// `host[:port]`.
        destination: String,
        /// What is wrong (never a value).
        reason: &'static str,
    },
}

fn suffix(detail: &SanitizedMessage) -> String {
    if detail.as_str().is_empty() { String::new() } else { format!(": {detail}") }
}

impl PeerError {
    /// The kind of failure, for callers that react to it.
    ///
    /// # Examples
    /// ```
    /// use floe_core::http::PeerError;
    /// use floe_core::plugin::PluginErrorKind;
    /// use floe_core::telemetry::SanitizedMessage;
    ///
    /// let refused = PeerError::Unauthorized {
    ///     destination: "h".into(),
    ///     status: 401,
    ///     detail: SanitizedMessage::from_static(""),
    /// };
    /// assert_eq!(refused.kind(), PluginErrorKind::Unauthorized);
    /// ```
    pub fn kind(&self) -> PluginErrorKind {
        match self {
            Self::Unauthorized { .. } => PluginErrorKind::Unauthorized,
            Self::NotFound { .. } => PluginErrorKind::NotFound,
            Self::Refused { .. } => PluginErrorKind::Rejected,
            Self::Failed { .. } | Self::Unreachable { .. } | Self::NoAnswer { .. } => {
                PluginErrorKind::Unavailable
            }
            Self::TimedOut { .. } => PluginErrorKind::Timeout,
            Self::UnexpectedStatus { .. }
            | Self::Redirected { .. }
            | Self::Incomplete { .. }
            | Self::TooLarge { .. }
            | Self::Malformed { .. } => PluginErrorKind::Protocol,
            Self::Request { .. } => PluginErrorKind::Internal,
        }
    }

    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { status, .. }
            | Self::Refused { status, .. }
            | Self::Failed { status, .. }
            | Self::UnexpectedStatus { status, .. }
            | Self::Redirected { status, .. }
            | Self::TooLarge { status, .. } => Some(*status),
            Self::NotFound { .. } => Some(404),
            _ => None,
        }
    }
}
