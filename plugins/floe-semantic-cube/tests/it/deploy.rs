//! Deployment configuration: secrets only by reference, endpoints without user info.

use floe_core::plugin::Plugin as _;
use floe_core::plugin::categories::SemanticLayer as _;
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::leak::assert_text_clean;
use serde_json::json;

use crate::plugin;

#[test]
fn the_datasource_environment_references_the_password_secret() {
    let env = plugin("http://127.0.0.1:4000").datasource_config();

    assert_eq!(
        env,
        json!({
            "CUBEJS_DB_TYPE": { "value": "postgres" },
            "CUBEJS_DB_NAME": { "value": "analytics" },
            "CUBEJS_DB_HOST": { "value": "warehouse.floe.svc" },
            "CUBEJS_DB_PORT": { "value": "5432" },
            "CUBEJS_DB_USER": { "value": "cube" },
            "CUBEJS_DB_PASS": {
                "valueFrom": { "secretKeyRef": { "name": "warehouse-credentials", "key": "password" } }
            },
        })
    );
}

#[test]
fn a_duckdb_datasource_names_the_database_file() {
    let mut config = crate::peer::config("http://127.0.0.1:4000");
    config["datasource"] = json!({ "type": "duckdb", "database": "/data/warehouse.duckdb" });
    let plugin =
        floe_semantic_cube::CubePlugin::new(serde_json::from_value(config).unwrap()).unwrap();

    assert_eq!(
        plugin.datasource_config(),
        json!({
            "CUBEJS_DB_TYPE": { "value": "duckdb" },
            "CUBEJS_DB_DUCKDB_DATABASE_PATH": { "value": "/data/warehouse.duckdb" },
        })
    );
}

#[test]
fn the_security_context_is_jwt_with_the_tenant_claim() {
    let security = plugin("http://127.0.0.1:4000").security_context();

    assert_eq!(security["check_auth"], "jwt");
    assert_eq!(security["jwt"]["algorithms"], json!(["HS256"]));
    assert_eq!(
        security["jwt"]["key"],
        json!({ "secretKeyRef": { "name": "cube-api", "key": "secret" } })
    );
    assert_eq!(
        security["tenant"],
        json!({ "claim": "tenant_id", "dimension": "customer_id", "enforced_by": "cube.js" })
    );
}

#[test]
fn endpoints_and_helm_values_never_carry_the_url_user_info() {
    let password = planted_secret();
    let plugin = plugin(&format!("https://cube:{password}@cube.floe.svc:4443/ignored?x=1"));

    let endpoints = plugin.api_endpoints();
    let helm = plugin.helm_values();
    let generated = plugin.generated_config().unwrap();

    assert_eq!(endpoints["rest"], "https://cube.floe.svc:4443/cubejs-api/v1");
    assert_eq!(endpoints["graphql"], "https://cube.floe.svc:4443/cubejs-api/graphql");
    assert_eq!(endpoints["ready"], "https://cube.floe.svc:4443/readyz");
    assert_eq!(endpoints["sql"], json!({ "host": "cube.floe.svc", "port": 15432 }));
    assert_eq!(helm["config"]["apiPort"], 4443);
    assert_eq!(
        helm["config"]["apiSecretFromSecret"],
        json!({ "name": "cube-api", "key": "secret" })
    );
    assert_eq!(
        helm["datasources"]["default"]["passFromSecret"],
        json!({ "name": "warehouse-credentials", "key": "password" })
    );
    assert_eq!(plugin.server(), "cube.floe.svc:4443");
    for (what, value) in
        [("endpoints", &endpoints), ("helm values", &helm), ("generated config", &generated)]
    {
        assert_text_clean(what, &value.to_string(), &password);
    }
}
