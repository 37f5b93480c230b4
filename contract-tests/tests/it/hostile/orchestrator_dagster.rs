//! floe-orchestrator-dagster's GraphQL connection check (`POST /graphql` with
//! `{ version }`, through floe-core's peer-call path) against the hostile peer. The
//! planted credential is the `Dagster-Cloud-Api-Token` header and the webserver URL's
//! password (sent as basic auth).
//!
//! A 200 whose JSON parses but holds no `data.version` string (the wrong-shape answer) is
//! "did not answer the GraphQL query { version } with a version" ([`words`]).

use std::time::Duration;

use floe_core::plugin::Lifecycle as _;
use floe_core::plugin::categories::Orchestrator as _;
use floe_orchestrator_dagster::{DagsterConfig, DagsterPlugin};
use floe_otel_testkit::hostile::{Behaviour, When};

use super::{CREDENTIAL_REF, Op, RETRY, Row, expected_words, health, outcome};

fn plugin(config: serde_json::Value) -> DagsterPlugin {
    let config: DagsterConfig = serde_json::from_value(config).expect("the row's config decodes");
    DagsterPlugin::new(config).expect("the row's config is valid").with_retry_policy(RETRY)
}

const SPAN: &str = "orchestrator.validate_connection";

pub(crate) const ROW: Row = Row {
    plugin: "orchestrator-dagster",
    category: "orchestrator",
    kind: "dagster",
    config: |url| {
        serde_json::json!({
            "webserver_url": url.replace("http://", &format!("http://ops:{CREDENTIAL_REF}@")),
            "api_token": CREDENTIAL_REF,
            "timeout_secs": 2,
            "dbt": { "project_dir": "/srv/dbt", "profiles_dir": "/srv/dbt" },
        })
    },
    timeout: Duration::from_secs(2),
    ops: &[
        Op {
            name: "validate_connection",
            span: SPAN,
            when: When::Always,
            normal: None,
            run: |config, _| {
                let plugin = plugin(config);
                Box::pin(async move { outcome(plugin.validate_connection().await) })
            },
        },
        Op {
            name: "health_check",
            span: SPAN,
            when: When::Always,
            normal: None,
            run: |config, _| {
                let plugin = plugin(config);
                Box::pin(async move { health(plugin.health_check().await) })
            },
        },
    ],
};

/// Words one of which the error of `behaviour` must contain: the peer-call path's, but
/// for JSON without a version.
fn words(behaviour: Behaviour) -> Vec<String> {
    match behaviour {
        Behaviour::WrongShapeJson => vec!["with a version".to_owned()],
        other => expected_words(other),
    }
}

/// Defines one test per `name => behaviour`, checked with [`words`].
macro_rules! dagster_rows {
    ($($name:ident => $behaviour:expr),+ $(,)?) => {
        $(
            #[test]
            fn $name() {
                let behaviour = $behaviour;
                super::run_row_saying(&ROW, stringify!($name), behaviour, &words(behaviour));
            }
        )+
    };
}

#[test]
fn compiled_artifacts_hold_no_credential() {
    super::compile_row(&ROW);
}

dagster_rows!(
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
    malformed_json => Behaviour::MalformedJson,
    truncated_json => Behaviour::TruncatedJson,
    wrong_shape_json => Behaviour::WrongShapeJson,
    close_mid_answer => Behaviour::CloseMidAnswer,
);
