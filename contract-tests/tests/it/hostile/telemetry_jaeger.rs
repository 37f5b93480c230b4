//! floe-telemetry-jaeger's connection check against the hostile peer: a TCP connect,
//! then an OTLP export over HTTP/protobuf of an empty batch carrying the configured secret
//! header (the planted credential, as an API key). The gRPC transport has rows of its own
//! against a hostile gRPC peer (`telemetry_jaeger_grpc.rs`, `grpc.rs`).
//!
//! The plugin is excluded from tracing by policy, so each case checks that nothing was
//! captured but log lines ([`super::NO_SPAN`]), and that the header value is in no log
//! line, no error and no compiled artifact. The OTLP answer's body is protobuf, never
//! JSON, so the JSON behaviours do not apply.
//!
//! The export is opentelemetry-otlp's own, so its errors say what happened in its words
//! ([`words`]): `status code: 401` (a redirect too: it is never followed, and the harness
//! checks the other origin was not contacted), `exceeded maximum allowed` for an answer
//! over its 4 MiB limit, `network error` for a connection closed mid-answer; floe's bound
//! on the whole export says `did not answer within`.

use std::time::Duration;

use floe_core::plugin::categories::TelemetryBackend as _;
use floe_otel_testkit::hostile::{Behaviour, When};
use floe_telemetry_jaeger::{JaegerConfig, JaegerTelemetryPlugin};

use super::{CREDENTIAL_REF, NO_SPAN, Op, Row, Run, outcome};

pub(crate) const ROW: Row = Row {
    plugin: "telemetry-jaeger",
    category: "telemetry_backend",
    kind: "jaeger",
    config: |url| {
        serde_json::json!({
            "endpoint": url.trim_end_matches('/'), "protocol": "http/protobuf",
            "headers": { "x-api-key": CREDENTIAL_REF }, "timeout_ms": 2000,
        })
    },
    timeout: Duration::from_secs(2),
    ops: &[op("validate_connection_http", |config, _| check(config))],
};

const fn op(name: &'static str, run: fn(serde_json::Value, String) -> Run) -> Op {
    Op { name, span: NO_SPAN, when: When::Always, normal: None, run }
}

fn check(config: serde_json::Value) -> Run {
    let config: JaegerConfig = serde_json::from_value(config).expect("the row's config decodes");
    let plugin = JaegerTelemetryPlugin::with_env(config, &|_: &str| None)
        .expect("the row's config is valid");
    Box::pin(async move { outcome(plugin.validate_connection().await) })
}

/// Words one of which the error of `behaviour` must contain (see the module docs).
fn words(behaviour: Behaviour) -> Vec<String> {
    let words: &[&str] = match behaviour {
        Behaviour::Echo { status }
        | Behaviour::EchoText { status }
        | Behaviour::EchoWith { status, .. }
        | Behaviour::Redirect { status } => return vec![format!("status code: {status}")],
        Behaviour::HugeBody { declared: true, .. } => &["exceeded maximum allowed"],
        Behaviour::HugeBody { declared: false, .. } => {
            &["exceeded maximum allowed", "did not answer within"]
        }
        Behaviour::Dribble | Behaviour::Stall => &["did not answer within"],
        Behaviour::CloseMidAnswer => &["network error"],
        Behaviour::MalformedJson | Behaviour::TruncatedJson | Behaviour::WrongShapeJson => {
            unreachable!("the OTLP answer is protobuf: the JSON behaviours do not apply")
        }
    };
    words.iter().map(|word| (*word).to_owned()).collect()
}

/// Defines one test per `name => behaviour`, checked with [`words`].
macro_rules! jaeger_rows {
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

jaeger_rows!(
    echo_unauthorized => Behaviour::Echo { status: 401 },
    echo_forbidden_as_text => Behaviour::EchoText { status: 403 },
    echo_refused => Behaviour::Echo { status: 400 },
    echo_failed => Behaviour::Echo { status: 500 },
    echo_unavailable => Behaviour::Echo { status: 503 },
    redirect_found_elsewhere => Behaviour::Redirect { status: 302 },
    redirect_temporary_elsewhere => Behaviour::Redirect { status: 307 },
    huge_body_declared => Behaviour::HugeBody { status: 200, declared: true },
    huge_body_streamed => Behaviour::HugeBody { status: 200, declared: false },
    dribble_past_the_timeout => Behaviour::Dribble,
    stall_past_the_timeout => Behaviour::Stall,
    close_mid_answer => Behaviour::CloseMidAnswer,
);
