//! Configuration of the Kubernetes Secrets plugin.

use std::path::PathBuf;

use floe_core::secret::Secret;
use serde::Deserialize;

/// The in-cluster API server address.
pub const IN_CLUSTER_API_SERVER: &str = "https://kubernetes.default.svc";
/// Where Kubernetes mounts a pod's service-account token.
pub const IN_CLUSTER_TOKEN_FILE: &str = "/var/run/secrets/kubernetes.io/serviceaccount/token";
/// Where Kubernetes mounts the cluster CA bundle.
pub const IN_CLUSTER_CA_FILE: &str = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";

/// `plugins.secrets.config` for `type: k8s`.
///
/// Authentication is a bearer token: `token` when given (a `${secret:..}` reference),
/// otherwise the file `token_file` (default: the in-cluster service-account token, read
/// on every call because the kubelet rotates it). `api_server` is `https`, plain `http`
/// to this machine (`kubectl proxy`), or plain `http` elsewhere only with
/// `allow_insecure_http`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct K8sSecretsConfig {
    /// The API server (default: the in-cluster address).
    #[serde(default = "default_api_server")]
    pub api_server: String,
    /// The namespace the Secrets live in.
    pub namespace: String,
    /// A bearer token; takes precedence over `token_file`.
    #[serde(default)]
    pub token: Option<Secret<String>>,
    /// A file holding the bearer token (default: the in-cluster service-account token).
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// Send no token at all (a local proxy such as `kubectl proxy` authenticates).
    #[serde(default)]
    pub anonymous: bool,
    /// PEM CA bundle to trust for the API server (default: the in-cluster `ca.crt` when
    /// it exists).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Only Secrets matching this label selector are listed.
    #[serde(default)]
    pub label_selector: Option<String>,
    /// Seconds a call to the API server may take, retries included.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Allow plain `http` to an API server that is not on this machine (the token and
    /// every secret value then cross the network in clear; only for a trusted network).
    #[serde(default)]
    pub allow_insecure_http: bool,
}

fn default_api_server() -> String {
    IN_CLUSTER_API_SERVER.to_owned()
}

const fn default_timeout_secs() -> u64 {
    10
}

/// The JSON schema of [`K8sSecretsConfig`].
pub fn schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["namespace"],
        "properties": {
            "api_server": { "type": "string", "format": "uri", "default": IN_CLUSTER_API_SERVER },
            "namespace": { "type": "string" },
            "token": { "type": "string", "writeOnly": true },
            "token_file": { "type": "string" },
            "anonymous": { "type": "boolean", "default": false },
            "ca_file": { "type": "string" },
            "label_selector": { "type": "string" },
            "timeout_secs": { "type": "integer", "minimum": 1, "default": 10 },
            "allow_insecure_http": { "type": "boolean", "default": false }
        }
    })
}
