//! The process-wide TLS crypto provider.
//!
//! Every HTTP client in the workspace uses rustls on `ring` (see BUILD-NOTES.md: reqwest
//! is built with `rustls-no-provider`, so `aws-lc-rs` never enters the build). Cargo
//! unifies features across the workspace, so once any crate enables that reqwest feature,
//! building any reqwest client, the OTLP HTTP exporter's included, panics unless a
//! provider was installed first. Call [`install_crypto_provider`] before building one.

use std::sync::Once;

/// Installs rustls' `ring` provider as the process default, once. A provider someone else
/// installed first is kept.
///
/// # Examples
/// ```
/// floe_core::tls::install_crypto_provider();
/// floe_core::tls::install_crypto_provider(); // idempotent
/// assert!(rustls::crypto::CryptoProvider::get_default().is_some());
/// ```
pub fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // An error means another provider is already installed, which is what we need.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
