//! Configuration of the Cube plugin.
//!
//! The plugin holds no secret value: the API secret and the data-source password are
//! references to Kubernetes Secrets, which the Helm values and the data-source
//! configuration pass on by reference.

use serde::{Deserialize, Serialize};

/// `plugins.semantic_layer.config` for `type: cube`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CubeConfig {
    /// The Cube API server (`http://cube.floe.svc:4000`). Only its `host[:port]` is ever
    /// recorded.
    pub server_url: String,
    /// Allows plain `http` to a host other than loopback when `server_url` carries user
    /// info (sent as basic auth); without user info plain `http` is always allowed.
    #[serde(default)]
    pub allow_insecure_http: bool,
    /// The REST API's base path.
    #[serde(default = "default_api_base_path")]
    pub api_base_path: String,
    /// The port of Cube's SQL API (Postgres wire protocol).
    #[serde(default = "default_sql_port")]
    pub sql_port: u16,
    /// The Kubernetes Secret holding `CUBEJS_API_SECRET`.
    pub api_secret: SecretRef,
    /// The warehouse Cube queries.
    pub datasource: DatasourceConfig,
    /// Row-level security from the JWT security context.
    #[serde(default)]
    pub security: SecurityConfig,
    /// Only dbt models with one of these tags become cubes (all models when empty).
    #[serde(default)]
    pub include_tags: Vec<String>,
    /// Seconds before a call to the server times out.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

/// A key of a Kubernetes Secret.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    /// The Secret's name.
    pub name: String,
    /// The key in it.
    pub key: String,
}

/// The warehouse Cube connects to.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasourceConfig {
    /// Cube's driver name (`postgres`, `trino`, `duckdb`, `snowflake`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// The database host.
    #[serde(default)]
    pub host: Option<String>,
    /// The database port.
    #[serde(default)]
    pub port: Option<u16>,
    /// The database (for `duckdb`: the database file).
    pub database: String,
    /// The database user.
    #[serde(default)]
    pub user: Option<String>,
    /// The Kubernetes Secret holding the password.
    #[serde(default)]
    pub password: Option<SecretRef>,
}

/// Row-level security: queries are filtered by a claim of the caller's JWT.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityConfig {
    /// The claim naming the caller's tenant (`tenant_id`); no filtering when absent.
    #[serde(default)]
    pub tenant_claim: Option<String>,
    /// The dimension every cube that has it is filtered on (default: the claim's name).
    #[serde(default)]
    pub tenant_dimension: Option<String>,
    /// Where the claims sit in the JWT (`https://floe.dev/claims`), if namespaced.
    #[serde(default)]
    pub claims_namespace: Option<String>,
}

fn default_api_base_path() -> String {
    "/cubejs-api".to_owned()
}

const fn default_sql_port() -> u16 {
    15432
}

const fn default_timeout_secs() -> u64 {
    10
}

/// The JSON schema of [`CubeConfig`].
pub fn schema() -> serde_json::Value {
    let secret_ref = serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "key"],
        "properties": { "name": { "type": "string" }, "key": { "type": "string" } }
    });
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["server_url", "api_secret", "datasource"],
        "properties": {
            "server_url": { "type": "string", "format": "uri" },
            "allow_insecure_http": { "type": "boolean", "default": false },
            "api_base_path": { "type": "string", "default": "/cubejs-api" },
            "sql_port": { "type": "integer", "default": 15432 },
            "api_secret": secret_ref,
            "datasource": {
                "type": "object",
                "additionalProperties": false,
                "required": ["type", "database"],
                "properties": {
                    "type": { "type": "string" },
                    "host": { "type": "string" },
                    "port": { "type": "integer" },
                    "database": { "type": "string" },
                    "user": { "type": "string" },
                    "password": secret_ref
                }
            },
            "security": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "tenant_claim": { "type": "string" },
                    "tenant_dimension": { "type": "string" },
                    "claims_namespace": { "type": "string" }
                }
            },
            "include_tags": { "type": "array", "items": { "type": "string" } },
            "timeout_secs": { "type": "integer", "minimum": 1, "default": 10 }
        }
    })
}
