//! floe-catalog-polaris (and floe-iceberg's REST client under it) against the hostile
//! peer. The credential is the client secret. Every operation but the token request runs
//! behind a token and a `/v1/config` answered by floe-iceberg's spec-checked loopback
//! catalog, so the hostile answer meets the call under test with the bearer token on it;
//! the token request, the connection and the health check are also tested with the
//! hostile answer first. floe-iceberg's operations that Polaris does not reach
//! (`load_namespace`, `commit_table`) have their own hostile tests in floe-iceberg.

use std::time::Duration;

use floe_catalog_polaris::PolarisPlugin;
use floe_core::plugin::Lifecycle as _;
use floe_core::plugin::categories::{Catalog as _, TableIdent, TableSpec};
use floe_otel_testkit::hostile::{Behaviour, When};

use super::{CREDENTIAL_REF, Op, RETRY, Row, Run, health, hostile_rows, outcome};

/// The plugin's own peers (shared with its contract row).
use crate::rows::catalog_polaris::peer;

/// The calls under the catalog's path prefix (the loopback's `/v1/config` sets it).
const CATALOG_CALLS: When = When::PathStartsWith("/v1/lake-prefix/");

fn config(url: &str) -> serde_json::Value {
    serde_json::json!({
        "uri": url, "warehouse": peer::WAREHOUSE, "client_id": peer::CLIENT_ID,
        "client_secret": CREDENTIAL_REF, "timeout_secs": 2,
    })
}

pub(crate) const ROW: Row = Row {
    plugin: "catalog-polaris",
    category: "catalog",
    kind: "polaris",
    config,
    timeout: Duration::from_secs(2),
    ops: &[
        Op {
            name: "fetch_token",
            span: "catalog.connect",
            when: When::PathStartsWith("/v1/oauth/"),
            normal: None,
            run: |config, _| {
                let plugin = plugin(config);
                Box::pin(async move { outcome(plugin.connect().await) })
            },
        },
        Op {
            name: "connect",
            span: "catalog.connect",
            when: When::PathStartsWith("/v1/config"),
            normal: Some(peer::router),
            run: |config, _| {
                let plugin = plugin(config);
                Box::pin(async move { outcome(plugin.connect().await) })
            },
        },
        Op {
            name: "health_check",
            span: "catalog.health_check",
            when: When::PathStartsWith("/v1/config"),
            normal: Some(peer::router),
            run: health_check,
        },
        Op {
            name: "health_check_token",
            span: "catalog.health_check",
            when: When::PathStartsWith("/v1/oauth/"),
            normal: None,
            run: health_check,
        },
        catalog_call("create_namespace", "catalog.create_namespace", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.create_namespace(&bronze()).await) })
        }),
        catalog_call("list_namespaces", "catalog.list_namespaces", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.list_namespaces(None).await) })
        }),
        catalog_call("create_table", "catalog.create_table", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.create_table(&orders(), &spec()).await) })
        }),
        catalog_call("list_tables", "catalog.list_tables", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.list_tables(&bronze()).await) })
        }),
        catalog_call("vend_credentials", "catalog.vend_credentials", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.vend_credentials(&orders()).await) })
        }),
    ],
};

/// An operation whose catalog call gets the hostile answer after a normal token and
/// config.
const fn catalog_call(
    name: &'static str,
    span: &'static str,
    run: fn(serde_json::Value, String) -> Run,
) -> Op {
    Op { name, span, when: CATALOG_CALLS, normal: Some(peer::router), run }
}

fn plugin(config: serde_json::Value) -> PolarisPlugin {
    let config = serde_json::from_value(config).expect("the row's config decodes");
    PolarisPlugin::new(&config).expect("the row's config is valid").with_retry_policy(RETRY)
}

fn health_check(config: serde_json::Value, _: String) -> Run {
    let plugin = plugin(config);
    Box::pin(async move { health(plugin.health_check().await) })
}

fn bronze() -> Vec<String> {
    vec!["bronze".to_owned()]
}

fn orders() -> TableIdent {
    TableIdent { namespace: bronze(), name: "orders".to_owned() }
}

fn spec() -> TableSpec {
    TableSpec {
        schema: serde_json::json!({
            "type": "struct",
            "fields": [{ "id": 1, "name": "id", "type": "long", "required": true }]
        }),
        partition_spec: None,
        properties: std::collections::BTreeMap::new(),
    }
}

hostile_rows!(ROW);

/// The drops: their success answer is a 204 with no body, which the client does not
/// parse (as the Iceberg clients do, a 2xx body of a drop is ignored), so the broken-JSON
/// behaviours (malformed, truncated, wrong shape: all 200s) are successes for them and
/// are left out; every other behaviour applies.
mod drops {
    use std::time::Duration;

    use floe_core::plugin::categories::Catalog as _;
    use floe_otel_testkit::hostile::Behaviour;

    use super::{bronze, catalog_call, config, orders, outcome, plugin};
    use crate::hostile::{Row, hostile_rows};

    pub(crate) const ROW: Row = Row {
        plugin: "catalog-polaris",
        category: "catalog",
        kind: "polaris",
        config,
        timeout: Duration::from_secs(2),
        ops: &[
            catalog_call("drop_namespace", "catalog.drop_namespace", |config, _| {
                let plugin = plugin(config);
                Box::pin(async move { outcome(plugin.delete_namespace(&bronze()).await) })
            }),
            catalog_call("drop_table", "catalog.drop_table", |config, _| {
                let plugin = plugin(config);
                Box::pin(async move { outcome(plugin.drop_table(&orders(), true).await) })
            }),
        ],
    };

    hostile_rows!(ROW;
        echo_unauthorized => Behaviour::Echo { status: 401 },
        echo_forbidden_as_text => Behaviour::EchoText { status: 403 },
        echo_refused => Behaviour::Echo { status: 400 },
        echo_failed => Behaviour::Echo { status: 500 },
        echo_unavailable_after_retries => Behaviour::Echo { status: 503 },
        redirect_found_elsewhere => Behaviour::Redirect { status: 302 },
        redirect_temporary_elsewhere => Behaviour::Redirect { status: 307 },
        huge_body_declared => Behaviour::HugeBody { status: 200, declared: true },
        huge_body_streamed => Behaviour::HugeBody { status: 200, declared: false },
        huge_error_body => Behaviour::HugeBody { status: 500, declared: false },
        dribble_past_the_timeout => Behaviour::Dribble,
        stall_past_the_timeout => Behaviour::Stall,
        close_mid_answer => Behaviour::CloseMidAnswer,
    );
}
