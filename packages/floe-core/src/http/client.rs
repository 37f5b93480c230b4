//! Building HTTP clients: rustls on the `ring` provider, a timeout on every request, and a
//! CA bundle for peers behind a private CA.

use std::time::Duration;

/// A client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client")]
pub struct ClientError(#[source] pub(crate) reqwest::Error);

/// A client trusting a CA bundle could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CaBundleError {
    /// The bundle holds no PEM certificate.
    #[error("the CA bundle holds no PEM certificate")]
    Empty,
    /// A certificate in the bundle cannot be read.
    #[error("the CA bundle holds a certificate that cannot be read")]
    Invalid(#[source] reqwest::Error),
    /// The client itself could not be built.
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// Installs rustls's `ring` provider for the process (once; later calls do nothing).
/// Building a rustls client without a provider panics, so every client goes through
/// [`client`]. The same function the OTLP HTTP exporter's set-up calls.
pub use floe_telemetry::install_crypto_provider;

/// A client whose requests time out after `timeout` (connecting after at most 10 s).
///
/// # Errors
/// When the TLS set-up fails.
pub fn client(timeout: Duration) -> Result<reqwest::Client, ClientError> {
    builder(timeout).build().map_err(ClientError)
}

/// The settings every floe client shares: the `ring` provider, the timeouts, the agent.
pub(crate) fn builder(timeout: Duration) -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("floe/", env!("CARGO_PKG_VERSION")))
}

/// The PEM certificates of `ca_bundle` added to `builder`'s roots.
pub(crate) fn trust(
    builder: reqwest::ClientBuilder,
    ca_bundle: &[u8],
) -> Result<reqwest::ClientBuilder, CaBundleError> {
    let certificates =
        reqwest::Certificate::from_pem_bundle(ca_bundle).map_err(CaBundleError::Invalid)?;
    if certificates.is_empty() {
        return Err(CaBundleError::Empty);
    }
    Ok(certificates.into_iter().fold(builder, reqwest::ClientBuilder::add_root_certificate))
}

/// A client like [`client`] that also trusts the PEM certificates in `ca_bundle` (a
/// private CA, such as a Kubernetes cluster's `ca.crt`), on top of the default roots.
///
/// # Errors
/// When the bundle holds no valid PEM certificate, or the TLS set-up fails.
pub fn client_with_ca(
    timeout: Duration,
    ca_bundle: &[u8],
) -> Result<reqwest::Client, CaBundleError> {
    Ok(trust(builder(timeout), ca_bundle)?.build().map_err(ClientError)?)
}
