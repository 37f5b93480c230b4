//! `IcebergError`: every way a catalog operation fails, mapped from the REST error model.

use reqwest::StatusCode;

use crate::model::ErrorResponse;

/// A catalog operation failed.
///
/// Messages quote the catalog's own error message (which spans record only after
/// sanitizing) and never a token or a URI's user info.
#[derive(Debug, thiserror::Error)]
pub enum IcebergError {
    /// The client configuration cannot work; the reason never quotes the rejected value.
    #[error("invalid catalog configuration: {reason}")]
    InvalidConfig {
        /// What is wrong.
        reason: &'static str,
    },
    /// 404: the namespace or table does not exist.
    #[error("not found ({kind}): {message}")]
    NotFound {
        /// The error model's `type` (`NoSuchTableException`, ...).
        kind: String,
        /// The catalog's message.
        message: String,
    },
    /// 409 on a create: the namespace or table already exists.
    #[error("already exists ({kind}): {message}")]
    AlreadyExists {
        /// The error model's `type`.
        kind: String,
        /// The catalog's message.
        message: String,
    },
    /// 409 on a commit: a requirement no longer holds; reload the table and retry.
    #[error("commit conflict on table {table}: {message}")]
    CommitConflict {
        /// The table, `namespace.name`.
        table: String,
        /// The catalog's message.
        message: String,
    },
    /// 401 or 403: the credentials are missing, wrong, or not allowed to do this.
    #[error("catalog refused the credentials ({status}): {message}")]
    Unauthorized {
        /// 401 or 403.
        status: u16,
        /// The catalog's message.
        message: String,
    },
    /// Another 4xx: the catalog rejected the request (400, 406, 422, ...).
    #[error("catalog rejected the request ({status} {kind}): {message}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The error model's `type`.
        kind: String,
        /// The catalog's message.
        message: String,
    },
    /// 5xx: the catalog failed.
    #[error("catalog server error ({status} {kind}): {message}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// The error model's `type`.
        kind: String,
        /// The catalog's message.
        message: String,
    },
    /// The request did not complete: connection refused, timeout, TLS, I/O.
    #[error("request to the catalog failed")]
    Transport(#[source] reqwest::Error),
    /// The catalog answered with a body that is not the expected JSON.
    #[error("unexpected response body from the catalog")]
    Decode(#[source] serde_json::Error),
    /// A token provider could not produce a token.
    #[error("no catalog token was obtained: {reason}")]
    Token {
        /// What failed; never the token or a client secret.
        reason: String,
    },
}

/// Whether a 409 means "already exists" or "commit conflict".
#[derive(Clone, Copy, Debug)]
pub(crate) enum ConflictMeaning<'a> {
    AlreadyExists,
    CommitConflict { table: &'a str },
}

/// The error for a non-success `status` with `body`.
pub(crate) fn from_response(
    status: StatusCode,
    body: &[u8],
    conflict: ConflictMeaning<'_>,
) -> IcebergError {
    let (kind, message) = if let Ok(response) = serde_json::from_slice::<ErrorResponse>(body) {
        (response.error.kind, response.error.message)
    } else {
        // Not the error model: keep a bounded piece of the body as the message.
        let text = String::from_utf8_lossy(body);
        let message: String = text.chars().take(200).collect();
        (status.canonical_reason().unwrap_or("error").to_owned(), message)
    };
    let code = status.as_u16();
    match code {
        401 | 403 => IcebergError::Unauthorized { status: code, message },
        404 => IcebergError::NotFound { kind, message },
        409 => {
            if let ConflictMeaning::CommitConflict { table } = conflict {
                IcebergError::CommitConflict { table: table.to_owned(), message }
            } else {
                IcebergError::AlreadyExists { kind, message }
            }
        }
        500..=599 => IcebergError::Server { status: code, kind, message },
        _ => IcebergError::Rejected { status: code, kind, message },
    }
}

#[cfg(test)]
mod tests;
