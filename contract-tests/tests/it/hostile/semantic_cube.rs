//! floe-semantic-cube's readiness check (`GET /readyz`, through floe-core's peer-call
//! path) against the hostile peer. The plugin holds no Cube API secret (only a reference
//! to the Kubernetes Secret), so the one credential it sends is the server URL's user
//! info, as basic auth: the planted credential is that URL's password.
//!
//! The check reads `{"health":"HEALTH"}` from a 200; a 200 carrying anything else (broken,
//! cut or other JSON) is "not Cube's readiness answer", which is what the JSON behaviours
//! must say ([`words`]).

use std::time::Duration;

use floe_core::plugin::Lifecycle as _;
use floe_core::plugin::categories::SemanticLayer as _;
use floe_otel_testkit::hostile::{Behaviour, When};
use floe_semantic_cube::{CubeConfig, CubePlugin};

use super::{CREDENTIAL_REF, Op, RETRY, Row, expected_words, health, outcome};

fn plugin(config: serde_json::Value) -> CubePlugin {
    let config: CubeConfig = serde_json::from_value(config).expect("the row's config decodes");
    CubePlugin::new(config).expect("the row's config is valid").with_retry_policy(RETRY)
}

pub(crate) const ROW: Row = Row {
    plugin: "semantic-cube",
    category: "semantic_layer",
    kind: "cube",
    config: |url| {
        serde_json::json!({
            "server_url": url.replace("http://", &format!("http://floe:{CREDENTIAL_REF}@")),
            "api_secret": { "name": "cube-api", "key": "secret" },
            "datasource": { "type": "postgres", "host": "warehouse", "database": "analytics" },
            "timeout_secs": 2,
        })
    },
    timeout: Duration::from_secs(2),
    ops: &[
        Op {
            name: "health",
            span: "semantic.health_check",
            when: When::Always,
            normal: None,
            run: |config, _| {
                let plugin = plugin(config);
                Box::pin(async move { outcome(plugin.health().await) })
            },
        },
        Op {
            name: "health_check",
            span: "semantic.health_check",
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
/// for a 200 that is not Cube's answer.
fn words(behaviour: Behaviour) -> Vec<String> {
    match behaviour {
        Behaviour::MalformedJson | Behaviour::TruncatedJson | Behaviour::WrongShapeJson => {
            vec!["not Cube's readiness answer".to_owned()]
        }
        other => expected_words(other),
    }
}

/// Defines one test per `name => behaviour`, checked with [`words`].
macro_rules! cube_rows {
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

cube_rows!(
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
