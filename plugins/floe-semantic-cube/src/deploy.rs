//! What a Cube deployment needs besides the data model: the data-source environment, the
//! security context, the API endpoints and the Helm values override. Secrets appear only
//! as `secretKeyRef`s.

use serde_json::{Map, Value, json};

use crate::CubePlugin;
use crate::config::SecretRef;

fn secret_key_ref(secret: &SecretRef) -> Value {
    json!({ "valueFrom": { "secretKeyRef": { "name": secret.name, "key": secret.key } } })
}

impl CubePlugin {
    /// The `CUBEJS_DB_*` environment of the Cube containers, the password by reference.
    pub(crate) fn datasource_env(&self) -> Value {
        let source = &self.config.datasource;
        let mut env = Map::new();
        env.insert("CUBEJS_DB_TYPE".to_owned(), json!({ "value": source.kind }));
        if source.kind == "duckdb" {
            env.insert(
                "CUBEJS_DB_DUCKDB_DATABASE_PATH".to_owned(),
                json!({ "value": source.database }),
            );
        } else {
            env.insert("CUBEJS_DB_NAME".to_owned(), json!({ "value": source.database }));
        }
        if let Some(host) = &source.host {
            env.insert("CUBEJS_DB_HOST".to_owned(), json!({ "value": host }));
        }
        if let Some(port) = source.port {
            env.insert("CUBEJS_DB_PORT".to_owned(), json!({ "value": port.to_string() }));
        }
        if let Some(user) = &source.user {
            env.insert("CUBEJS_DB_USER".to_owned(), json!({ "value": user }));
        }
        if let Some(password) = &source.password {
            env.insert("CUBEJS_DB_PASS".to_owned(), secret_key_ref(password));
        }
        Value::Object(env)
    }

    /// How Cube authenticates callers and what it filters on.
    pub(crate) fn security(&self) -> Value {
        let security = &self.config.security;
        let tenant = security.tenant_claim.as_ref().map(|claim| {
            json!({
                "claim": claim,
                "dimension": security.tenant_dimension.as_deref().unwrap_or(claim),
                "enforced_by": crate::tenant::CONFIG_FILE,
            })
        });
        json!({
            "check_auth": "jwt",
            "jwt": {
                "algorithms": ["HS256"],
                "claims_namespace": security.claims_namespace,
                "key": { "secretKeyRef": self.config.api_secret },
            },
            "tenant": tenant,
        })
    }

    /// The Cube APIs, as clients reach them (no user info).
    pub fn api_endpoints(&self) -> Value {
        let base = self.base_url();
        let api = format!("{base}{}", self.config.api_base_path.trim_end_matches('/'));
        json!({
            "rest": format!("{api}/v1"),
            "graphql": format!("{api}/graphql"),
            "sql": { "host": self.server_host(), "port": self.config.sql_port },
            "ready": format!("{base}/readyz"),
            "live": format!("{base}/livez"),
        })
    }

    /// Values for the Cube Helm chart: ports, the API secret and the data source by
    /// reference, production mode, and the generated data model mounted from a `ConfigMap`.
    pub fn helm_values(&self) -> Value {
        let source = &self.config.datasource;
        let mut datasource = Map::new();
        datasource.insert("type".to_owned(), json!(source.kind));
        datasource.insert("name".to_owned(), json!(source.database));
        if let Some(host) = &source.host {
            datasource.insert("host".to_owned(), json!(host));
        }
        if let Some(port) = source.port {
            datasource.insert("port".to_owned(), json!(port));
        }
        if let Some(user) = &source.user {
            datasource.insert("user".to_owned(), json!(user));
        }
        if let Some(password) = &source.password {
            datasource.insert("passFromSecret".to_owned(), json!(password));
        }
        json!({
            "config": {
                "apiPort": self.server_port(),
                "sqlPort": self.config.sql_port,
                "devMode": false,
                "apiSecretFromSecret": self.config.api_secret,
                "schemaPath": "model",
            },
            "datasources": { "default": datasource },
            "volumes": [{ "name": "cube-model", "configMap": { "name": "floe-cube-model" } }],
            "volumeMounts": [{ "name": "cube-model", "mountPath": "/cube/conf/model", "readOnly": true }],
        })
    }
}
