//! The e-mail plugin's error: what failed, naming no address and no password.

use floe_core::plugin::OutOfRange;
use floe_core::plugin::categories::{DeliveryFailure, DeliveryStatus};

/// Why an e-mail alert could not be configured or delivered. No message holds an address
/// or the password; SMTP replies are sanitized.
#[derive(Debug, thiserror::Error)]
pub enum EmailAlertError {
    /// A setting is out of range.
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
    /// A required setting is empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// An address does not parse (the address itself is not repeated).
    #[error("{field}[{index}] is not a valid mailbox")]
    Address {
        /// `from`, `to` or `cc`.
        field: &'static str,
        /// Its position (0 for `from`).
        index: usize,
        /// Why.
        #[source]
        source: lettre::address::AddressError,
    },
    /// `username` without `password`, or the reverse.
    #[error("set both username and password, or neither")]
    HalfCredentials,
    /// Plain SMTP to a host that is not loopback, without the opt-in.
    #[error(
        "tls: none to {destination} sends mail and password in clear: use starttls or tls, or set allow_insecure_smtp"
    )]
    Insecure {
        /// The server.
        destination: String,
    },
    /// The CA certificate cannot be read or used.
    #[error("cannot use ca_certificate {path}")]
    CaCertificate {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The message could not be built.
    #[error("cannot build the alert mail")]
    Build(#[source] lettre::error::Error),
    /// The server refused the mail for good (5xx).
    #[error("{destination} rejected the mail: {detail}")]
    Rejected {
        /// The server.
        destination: String,
        /// The reply, sanitized.
        detail: String,
    },
    /// The server could not take the mail now (4xx), after the last retry.
    #[error("{destination} deferred the mail: {detail}")]
    Deferred {
        /// The server.
        destination: String,
        /// The reply, sanitized.
        detail: String,
    },
    /// The server did not answer in time.
    #[error("{destination} did not answer in time")]
    TimedOut {
        /// The server.
        destination: String,
    },
    /// The server could not be reached, or the TLS or SMTP conversation failed.
    #[error("cannot deliver through {destination}: {detail}")]
    Transport {
        /// The server.
        destination: String,
        /// What failed, sanitized.
        detail: String,
    },
}

impl EmailAlertError {
    /// The config key a configuration error is about (`floe compile` names it):
    /// `host`, `to`, `to[1]`, `tls`, ...
    pub fn key(&self) -> Option<String> {
        match self {
            Self::OutOfRange(range) => Some(range.setting.to_owned()),
            Self::Empty(key) => Some((*key).to_owned()),
            Self::Address { field: "from", .. } => Some("from".to_owned()),
            Self::Address { field, index, .. } => Some(format!("{field}[{index}]")),
            Self::HalfCredentials => Some("username".to_owned()),
            Self::Insecure { .. } => Some("tls".to_owned()),
            Self::CaCertificate { .. } => Some("ca_certificate".to_owned()),
            Self::Build(_)
            | Self::Rejected { .. }
            | Self::Deferred { .. }
            | Self::TimedOut { .. }
            | Self::Transport { .. } => None,
        }
    }
}

impl DeliveryFailure for EmailAlertError {
    fn delivery_status(&self) -> DeliveryStatus {
        match self {
            Self::Rejected { .. } => DeliveryStatus::Rejected,
            _ => DeliveryStatus::Failed,
        }
    }
}
