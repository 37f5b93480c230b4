//! floe-lineage-marquez against the hostile peer: every call goes to Marquez, so every
//! request gets the hostile answer; the credential is the API key (a bearer token).
//!
//! Every event type takes the same path (one `POST /api/v1/lineage`, whose answer is
//! judged by its status only), so one emit stands for all six. Marquez answers that post
//! 201 with no body, and the plugin reads none on success: a 200 with broken or odd JSON
//! is a success for `emit`, so the JSON behaviours are rows of the connection check only
//! (`answer_json` below), which reads the namespaces list.

use std::time::Duration;

use floe_core::plugin::Lifecycle as _;
use floe_core::plugin::categories::{LineageBackend as _, RunEventType};
use floe_lineage_marquez::MarquezPlugin;
use floe_otel_testkit::hostile::{Behaviour, When};

use super::{CREDENTIAL_REF, Op, RETRY, Row, health, hostile_rows, outcome};
use crate::rows::lineage_marquez::event;

fn config(url: &str) -> serde_json::Value {
    serde_json::json!({ "url": url, "api_key": CREDENTIAL_REF, "timeout_secs": 2 })
}

fn plugin(config: serde_json::Value) -> MarquezPlugin {
    let config = serde_json::from_value(config).expect("the row's config decodes");
    MarquezPlugin::new(config).expect("the row's config is valid").with_retry_policy(RETRY)
}

const CHECK_CONNECTION: Op = Op {
    name: "check_connection",
    span: "lineage.check_connection",
    when: When::Always,
    normal: None,
    run: |config, _| {
        let plugin = plugin(config);
        Box::pin(async move { outcome(plugin.check_connection().await) })
    },
};

const HEALTH_CHECK: Op = Op {
    name: "health_check",
    span: "lineage.check_connection",
    when: When::Always,
    normal: None,
    run: |config, _| {
        let plugin = plugin(config);
        Box::pin(async move { health(plugin.health_check().await) })
    },
};

pub(crate) const ROW: Row = Row {
    plugin: "lineage-marquez",
    category: "lineage_backend",
    kind: "marquez",
    config,
    timeout: Duration::from_secs(2),
    ops: &[
        Op {
            name: "emit",
            span: "lineage.emit",
            when: When::Always,
            normal: None,
            run: |config, _| {
                let plugin = plugin(config);
                Box::pin(async move { outcome(plugin.emit(&event(RunEventType::Start)).await) })
            },
        },
        CHECK_CONNECTION,
        HEALTH_CHECK,
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

/// The JSON behaviours, against the one operation that reads a JSON answer.
mod answer_json {
    use std::time::Duration;

    use floe_otel_testkit::hostile::Behaviour;

    use super::super::{Row, hostile_rows};
    use super::{CHECK_CONNECTION, HEALTH_CHECK, config};

    pub(crate) const ROW: Row = Row {
        plugin: "lineage-marquez",
        category: "lineage_backend",
        kind: "marquez",
        config,
        timeout: Duration::from_secs(2),
        ops: &[CHECK_CONNECTION, HEALTH_CHECK],
    };

    hostile_rows!(ROW;
        malformed_json => Behaviour::MalformedJson,
        truncated_json => Behaviour::TruncatedJson,
        wrong_shape_json => Behaviour::WrongShapeJson,
    );
}
