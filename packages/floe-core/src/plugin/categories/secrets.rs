//! Secrets providers.

use std::collections::BTreeMap;

use super::CategoryError;
use crate::secret::Secret;

/// Reads and writes secrets. Keys are `name/key` where the store has two levels.
pub trait SecretsProvider {
    /// The plugin's error.
    type Error: CategoryError;

    /// One secret; `None` when it does not exist (the span ends `Ok`, `secrets.found` false).
    fn get_secret(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<Secret<String>>, Self::Error>> + Send;
    /// One secret that must exist: a missing one is an error (and an error span), not `None`.
    fn require_secret(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Secret<String>, Self::Error>> + Send;
    /// Every key of a multi-key secret.
    fn get_multi(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<BTreeMap<String, Secret<String>>, Self::Error>> + Send;
    /// Creates or replaces a secret.
    fn set_secret(
        &self,
        key: &str,
        value: &Secret<String>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
    /// Deletes a secret; `Ok(false)` when there was nothing to delete.
    fn delete_secret(&self, key: &str) -> impl Future<Output = Result<bool, Self::Error>> + Send;
    /// Lists secret names (values are never listed).
    fn list_secrets(
        &self,
        prefix: Option<&str>,
    ) -> impl Future<Output = Result<Vec<String>, Self::Error>> + Send;
    /// A pod `env` spec that injects the given keys from the store.
    ///
    /// # Errors
    /// When a key is malformed.
    fn pod_env_spec(&self, keys: &[&str]) -> Result<serde_json::Value, Self::Error>;
}
