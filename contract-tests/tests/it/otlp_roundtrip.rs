//! The OTLP round trip: spans a real plugin operation produced (floe-catalog-polaris
//! creating a namespace against its loopback catalog: a span tree across two tracers) are
//! exported through floe-telemetry-jaeger's configuration over gRPC to the loopback OTLP
//! receiver, which decodes them with `opentelemetry-proto`; every span must arrive with its
//! name, kind, ids, parent, status, scope and every attribute unchanged.

use std::collections::BTreeMap;

use floe_core::plugin::categories::Catalog as _;
use floe_otel_testkit::Capture;
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry_proto::tonic::common::v1::any_value::Value as ProtoValue;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind as ProtoKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode as ProtoStatus;
use opentelemetry_sdk::trace::SpanData;

use crate::rows::catalog_polaris::peer as catalog_peer;
use crate::rows::telemetry_jaeger::{peer as otlp_peer, plugin as jaeger};

/// A span as both sides can describe it.
#[derive(Debug, PartialEq, Eq)]
struct Described {
    name: String,
    kind: i32,
    scope: String,
    trace_id: Vec<u8>,
    span_id: Vec<u8>,
    parent_span_id: Vec<u8>,
    status: i32,
    attributes: BTreeMap<String, String>,
}

fn sdk_value(value: &opentelemetry::Value) -> String {
    match value {
        opentelemetry::Value::Bool(b) => format!("bool:{b}"),
        opentelemetry::Value::I64(i) => format!("int:{i}"),
        opentelemetry::Value::F64(f) => format!("double:{f}"),
        opentelemetry::Value::String(s) => format!("string:{s}"),
        other => format!("other:{other}"),
    }
}

fn proto_value(value: Option<&ProtoValue>) -> String {
    match value {
        Some(ProtoValue::BoolValue(b)) => format!("bool:{b}"),
        Some(ProtoValue::IntValue(i)) => format!("int:{i}"),
        Some(ProtoValue::DoubleValue(f)) => format!("double:{f}"),
        Some(ProtoValue::StringValue(s)) => format!("string:{s}"),
        other => format!("other:{other:?}"),
    }
}

fn kind(kind: &SpanKind) -> ProtoKind {
    match kind {
        SpanKind::Client => ProtoKind::Client,
        SpanKind::Server => ProtoKind::Server,
        SpanKind::Producer => ProtoKind::Producer,
        SpanKind::Consumer => ProtoKind::Consumer,
        SpanKind::Internal => ProtoKind::Internal,
    }
}

fn described_sdk(span: &SpanData) -> Described {
    let parent = span.parent_span_id;
    Described {
        name: span.name.to_string(),
        kind: kind(&span.span_kind) as i32,
        scope: span.instrumentation_scope.name().to_owned(),
        trace_id: span.span_context.trace_id().to_bytes().to_vec(),
        span_id: span.span_context.span_id().to_bytes().to_vec(),
        parent_span_id: if parent == opentelemetry::trace::SpanId::INVALID {
            Vec::new()
        } else {
            parent.to_bytes().to_vec()
        },
        status: match span.status {
            Status::Unset => ProtoStatus::Unset,
            Status::Ok => ProtoStatus::Ok,
            Status::Error { .. } => ProtoStatus::Error,
        } as i32,
        attributes: span
            .attributes
            .iter()
            .map(|kv| (kv.key.to_string(), sdk_value(&kv.value)))
            .collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_of_a_real_operation_round_trip_through_the_jaeger_exporter_over_grpc() {
    let catalog = catalog_peer::start("round-trip-secret", Some(3600)).await;
    let config: floe_catalog_polaris::PolarisConfig =
        serde_json::from_value(catalog_peer::config(&catalog, "round-trip-secret")).unwrap();
    let polaris = floe_catalog_polaris::PolarisPlugin::new(&config).unwrap();
    let capture = Capture::start();
    polaris.create_namespace(&["bronze".to_owned()]).await.unwrap();
    let produced = capture.spans().all().to_vec();
    assert!(produced.len() >= 3, "a span tree across tracers:\n{}", capture.spans().render());
    let collector = otlp_peer::OtlpReceiver::start(None);

    jaeger(&collector.endpoint(), None)
        .span_exporter()
        .unwrap()
        .export(produced.clone())
        .await
        .unwrap();

    let received = collector.received();
    assert_eq!(received.len(), 1, "one export request");
    let content_type = received[0].content_type.as_deref().unwrap_or_default();
    assert!(content_type.starts_with("application/grpc"), "gRPC, not HTTP: {content_type}");
    let mut decoded = Vec::new();
    for resource_spans in &received[0].request.resource_spans {
        for scope_spans in &resource_spans.scope_spans {
            let scope = scope_spans.scope.as_ref().map(|s| s.name.clone()).unwrap_or_default();
            for span in &scope_spans.spans {
                decoded.push(Described {
                    name: span.name.clone(),
                    kind: span.kind,
                    scope: scope.clone(),
                    trace_id: span.trace_id.clone(),
                    span_id: span.span_id.clone(),
                    parent_span_id: span.parent_span_id.clone(),
                    status: span.status.as_ref().map_or(0, |s| s.code),
                    attributes: span
                        .attributes
                        .iter()
                        .map(|kv| {
                            (
                                kv.key.clone(),
                                proto_value(kv.value.as_ref().and_then(|v| v.value.as_ref())),
                            )
                        })
                        .collect(),
                });
            }
        }
    }
    let mut expected: Vec<Described> = produced.iter().map(described_sdk).collect();
    expected.sort_by(|a, b| a.span_id.cmp(&b.span_id));
    decoded.sort_by(|a, b| a.span_id.cmp(&b.span_id));
    assert_eq!(decoded, expected);
    // Spot checks in the receiver's own terms, so a bug shared by both descriptions above
    // cannot pass unnoticed.
    let create = decoded
        .iter()
        .find(|s| s.name == "catalog.create_namespace" && s.scope == "floe.catalog.polaris")
        .expect("the plugin's root span arrived");
    assert_eq!(create.kind, ProtoKind::Client as i32);
    assert_eq!(create.status, ProtoStatus::Ok as i32);
    assert_eq!(create.attributes["catalog.name"], "string:polaris");
    assert_eq!(create.attributes["catalog.namespace"], "string:bronze");
    assert_eq!(create.attributes["catalog.warehouse"], "string:lake");
    let token = decoded.iter().find(|s| s.name == "catalog.fetch_token").expect("token span");
    assert_eq!(token.attributes["http.response.status_code"], "int:200");
    let children: Vec<&str> = decoded
        .iter()
        .filter(|s| s.parent_span_id == create.span_id)
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(children.len(), 2, "connect and create under the plugin span: {children:?}");
    assert!(decoded.iter().all(|s| s.trace_id == create.trace_id), "one trace");
}
