//! floe-telemetry-jaeger's connection check over gRPC against the hostile gRPC peer
//! (`grpc.rs`): a TCP connect, then an OTLP/gRPC export of an empty batch (tonic, on the
//! exporter's own runtime) carrying the configured secret header, the planted credential
//! as an API key, which the peer echoes in `grpc-message`, its trailers and a header.
//!
//! Like the HTTP rows, nothing is traced by policy ([`super::NO_SPAN`]): each case checks
//! the error, the time, the log lines and the compiled artifacts. The export is
//! opentelemetry-otlp's, so its errors say what happened in its words ([`words`]): the
//! gRPC code (it never quotes `grpc-message`; its debug event that would, `ExportFailed`,
//! is compiled out: opentelemetry's `internal-logs` feature is off), and floe's bound on
//! the whole export says `did not answer within`.

use std::time::Duration;

use floe_core::plugin::categories::TelemetryBackend as _;
use floe_otel_testkit::hostile::When;
use floe_telemetry_jaeger::{JaegerConfig, JaegerTelemetryPlugin};

use super::grpc::{GrpcBehaviour, GrpcPeer};
use super::{CREDENTIAL_REF, NO_SPAN, Op, Row, outcome};

pub(crate) const ROW: Row = Row {
    plugin: "telemetry-jaeger",
    category: "telemetry_backend",
    kind: "jaeger",
    config: |url| {
        serde_json::json!({
            "endpoint": url.trim_end_matches('/'), "protocol": "grpc",
            "headers": { "x-api-key": CREDENTIAL_REF }, "timeout_ms": 2000,
        })
    },
    timeout: Duration::from_secs(2),
    ops: &[Op {
        name: "validate_connection_grpc",
        span: NO_SPAN,
        when: When::Always,
        normal: None,
        run: |config, _| {
            let config: JaegerConfig =
                serde_json::from_value(config).expect("the row's config decodes");
            let plugin = JaegerTelemetryPlugin::with_env(config, &|_: &str| None)
                .expect("the row's config is valid");
            Box::pin(async move { outcome(plugin.validate_connection().await) })
        },
    }],
};

/// Words one of which the error of `behaviour` must contain (see the module docs).
fn words(behaviour: GrpcBehaviour) -> Vec<String> {
    let words: &[&str] = match behaviour {
        GrpcBehaviour::EchoTrailersOnly { code: 16 }
        | GrpcBehaviour::EchoInTrailers { code: 16 } => &["gRPC code: Unauthenticated"],
        GrpcBehaviour::EchoTrailersOnly { code: 7 } | GrpcBehaviour::EchoInTrailers { code: 7 } => {
            &["gRPC code: PermissionDenied"]
        }
        GrpcBehaviour::EchoTrailersOnly { .. } | GrpcBehaviour::EchoInTrailers { .. } => {
            &["gRPC code: Unavailable", "did not answer within"]
        }
        // tonic refuses a non-gRPC answer (its content type) before reading its status.
        GrpcBehaviour::HttpStatus { .. }
        | GrpcBehaviour::GarbageFrame
        | GrpcBehaviour::GarbageMessage => &["gRPC code: Internal"],
        // Over tonic's 4 MiB decoding limit. OUT_OF_RANGE is retryable by the OTLP
        // specification (opentelemetry-otlp retries it with backoff, as it does
        // UNAVAILABLE: about 1 s of retries here idle), so on a loaded machine floe's bound
        // on the whole export may end it first.
        GrpcBehaviour::HugeMessage => &["gRPC code: OutOfRange", "did not answer within"],
        GrpcBehaviour::Dribble | GrpcBehaviour::Stall => &["did not answer within"],
        GrpcBehaviour::CloseMidAnswer => &["gRPC code: Unknown: error reading a body"],
        // "frame with invalid size", or "broken pipe" when the peer closes first.
        GrpcBehaviour::NotHttp2 => &["gRPC code: Unknown: transport error"],
    };
    words.iter().map(|word| (*word).to_owned()).collect()
}

/// Defines one test per `name => behaviour`, each against its own [`GrpcPeer`].
macro_rules! grpc_rows {
    ($($name:ident => $behaviour:expr),+ $(,)?) => {
        $(
            #[test]
            fn $name() {
                let behaviour = $behaviour;
                let start = move |_: &Op, _: &str| GrpcPeer::start(behaviour);
                super::run_cases(&ROW, stringify!($name), &words(behaviour), &start);
            }
        )+
    };
}

#[test]
fn compiled_artifacts_hold_no_credential() {
    super::compile_row(&ROW);
}

grpc_rows!(
    echo_unauthenticated_trailers_only => GrpcBehaviour::EchoTrailersOnly { code: 16 },
    echo_permission_denied_in_trailers => GrpcBehaviour::EchoInTrailers { code: 7 },
    echo_unavailable_after_retries => GrpcBehaviour::EchoTrailersOnly { code: 14 },
    http_status_forbidden => GrpcBehaviour::HttpStatus { status: 403 },
    http_status_redirect => GrpcBehaviour::HttpStatus { status: 307 },
    huge_message => GrpcBehaviour::HugeMessage,
    dribble_past_the_timeout => GrpcBehaviour::Dribble,
    stall_past_the_timeout => GrpcBehaviour::Stall,
    garbage_frame => GrpcBehaviour::GarbageFrame,
    garbage_message => GrpcBehaviour::GarbageMessage,
    close_mid_answer => GrpcBehaviour::CloseMidAnswer,
    not_http2 => GrpcBehaviour::NotHttp2,
);
