//! The domain span: names, attributes, truthful status, sanitized errors, nesting, async.

use floe_otel_testkit::{Capture, expect};
use floe_telemetry::ops::CatalogOp;
use floe_telemetry::{
    DomainSpan, FloeSpanAttributes, SanitizedMessage, attr, describe_error, in_span, in_span_async,
};
use opentelemetry::KeyValue;
use opentelemetry::trace::{SpanKind, TraceContextExt as _};

const TRACER: &str = "floe.test.core";

#[derive(Debug, thiserror::Error)]
#[error("cannot reach catalog at {url}")]
struct Unreachable {
    url: String,
    #[source]
    source: std::io::Error,
}

fn unreachable_with(password: &str) -> Unreachable {
    Unreachable {
        url: format!("https://floe:{password}@catalog.internal:8181/api"),
        source: std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            format!("connect: password={password}"),
        ),
    }
}

#[test]
fn success_ends_ok_with_kind_floe_attributes_and_caller_attributes() {
    let capture = Capture::start();
    let result: Result<u32, Unreachable> = in_span(
        TRACER,
        CatalogOp::CreateTable,
        [KeyValue::new(attr::CATALOG_TABLE, "orders")],
        |span| {
            span.set_attribute(KeyValue::new(attr::CATALOG_NAMESPACE, "bronze"));
            Ok(7)
        },
    );
    assert_eq!(result.unwrap(), 7);
    capture.assert_one(
        expect::span("catalog.create_table")
            .kind(SpanKind::Client)
            .ok()
            .root()
            .scope(TRACER)
            .floe_attributes()
            .attr(attr::FLOE_NAMESPACE, floe_otel_testkit::TEST_NAMESPACE)
            .attr(attr::CATALOG_TABLE, "orders")
            .attr(attr::CATALOG_NAMESPACE, "bronze")
            .no_event(attr::EXCEPTION_EVENT),
    );
    capture.assert_conforms();
}

#[test]
fn an_error_is_recorded_sanitized_with_its_source_chain_and_type() {
    let planted = "FLOETEST-p@ss/w0rd";
    let capture = Capture::start();
    let result: Result<(), Unreachable> =
        in_span(TRACER, CatalogOp::LoadTable, [], |_| Err(unreachable_with(planted)));
    let err = result.unwrap_err();
    assert!(err.url.contains(planted), "the caller still gets the real error");
    capture.assert_one(
        expect::span("catalog.load_table")
            .error_description(
                "cannot reach catalog at https://<REDACTED>@catalog.internal:8181/api: connect: password=<REDACTED>",
            )
            .exception("Unreachable")
            .exception_message_containing("catalog.internal:8181")
            .attr_contains(attr::ERROR_TYPE, "Unreachable"),
    );
    capture.assert_no_secret(planted);
    capture.assert_conforms();
}

#[test]
fn a_soft_failure_ends_as_an_error_even_when_the_call_returns_ok() {
    let capture = Capture::start();
    let status: Result<&str, Unreachable> = in_span(TRACER, CatalogOp::LoadTable, [], |span| {
        span.fail_soft("unhealthy", SanitizedMessage::from_static("catalog answered 503"));
        Ok("unhealthy")
    });
    assert_eq!(status.unwrap(), "unhealthy");
    capture.assert_one(
        expect::span("catalog.load_table")
            .error_description("catalog answered 503")
            .exception("unhealthy")
            .attr(attr::ERROR_TYPE, "unhealthy"),
    );
}

#[test]
fn the_guard_form_records_soft_failures_and_results() {
    let capture = Capture::start();
    DomainSpan::start(TRACER, CatalogOp::CreateTable)
        .fail_soft("rejected", SanitizedMessage::from_static("table exists"));
    DomainSpan::start(TRACER, CatalogOp::LoadTable).end_with(&Err::<(), _>(unreachable_with("x")));
    capture.assert_one(expect::span("catalog.create_table").error_description("table exists"));
    capture.assert_one(expect::span("catalog.load_table").error().exception("Unreachable"));
}

#[test]
fn nested_operations_are_children_of_the_current_span() {
    let capture = Capture::start();
    let _: Result<(), Unreachable> = in_span(TRACER, CatalogOp::CreateTable, [], |_| {
        in_span(TRACER, CatalogOp::LoadTable, [], |_| Ok(()))
    });
    capture.assert_tree(
        expect::tree(expect::span("catalog.create_table").root())
            .child(expect::tree(expect::span("catalog.load_table").ok()))
            .exact(),
    );
}

/// A span is held as the SDK made it until its context is asked for, then moves into that
/// context once: writes before, writes through the active context, a child, a recorder's
/// soft failure and writes after all land on one span, which ends once.
#[test]
fn writes_before_and_after_the_context_is_asked_for_reach_one_span() {
    let capture = Capture::start();
    let span = DomainSpan::start(TRACER, CatalogOp::CreateTable);
    span.set_attribute(KeyValue::new(attr::CATALOG_TABLE, "orders"));
    span.add_event(attr::CATALOG_RETRY_EVENT, vec![KeyValue::new(attr::CATALOG_ATTEMPT, 1_i64)]);
    {
        let _attached = span.context().clone().attach();
        opentelemetry::Context::current()
            .span()
            .set_attribute(KeyValue::new(attr::CATALOG_NAMESPACE, "bronze"));
        DomainSpan::start(TRACER, CatalogOp::LoadTable).succeed();
    }
    span.recorder().fail_soft("unhealthy", SanitizedMessage::from_static("catalog answered 503"));
    span.set_attribute(KeyValue::new(attr::CATALOG_WAREHOUSE, "lake"));
    span.succeed();
    capture.assert_tree(
        expect::tree(
            expect::span("catalog.create_table")
                .root()
                .attr(attr::CATALOG_TABLE, "orders")
                .attr(attr::CATALOG_NAMESPACE, "bronze")
                .attr(attr::CATALOG_WAREHOUSE, "lake")
                .event(expect::event(attr::CATALOG_RETRY_EVENT).attr(attr::CATALOG_ATTEMPT, 1_i64))
                .error_description("catalog answered 503")
                .exception("unhealthy"),
        )
        .child(expect::tree(expect::span("catalog.load_table").ok()))
        .exact(),
    );
}

/// A leaf span that never needed a context records what it was given and its ending.
#[test]
fn a_leaf_span_records_its_writes_and_its_failure() {
    let capture = Capture::start();
    let span = DomainSpan::start_with(
        TRACER,
        CatalogOp::LoadTable,
        [KeyValue::new(attr::CATALOG_TABLE, "orders")],
    );
    span.set_attribute(KeyValue::new(attr::CATALOG_NAMESPACE, "bronze"));
    span.fail(&unreachable_with("FLOETEST-leaf-secret"));
    capture.assert_one(
        expect::span("catalog.load_table")
            .root()
            .floe_attributes()
            .attr(attr::CATALOG_TABLE, "orders")
            .attr(attr::CATALOG_NAMESPACE, "bronze")
            .error()
            .exception("Unreachable")
            .attr_contains(attr::ERROR_TYPE, "Unreachable"),
    );
    capture.assert_no_secret("FLOETEST-leaf-secret");
}

#[test]
fn floe_attributes_come_from_the_context_first() {
    let capture = Capture::start();
    let _tenant = FloeSpanAttributes::new("tenant-a")
        .with_product("orders", "2.0.0")
        .with_mode("prod")
        .attach();
    DomainSpan::start(TRACER, CatalogOp::CreateTable).succeed();
    capture.assert_one(
        expect::span("catalog.create_table")
            .attr(attr::FLOE_NAMESPACE, "tenant-a")
            .attr(attr::FLOE_PRODUCT_NAME, "orders")
            .attr(attr::FLOE_PRODUCT_VERSION, "2.0.0")
            .attr(attr::FLOE_MODE, "prod"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_form_keeps_the_span_current_across_awaits_on_other_threads() {
    let capture = Capture::detached();
    let work = in_span_async(TRACER, CatalogOp::CreateTable, [], |span| async move {
        tokio::task::yield_now().await;
        let inner = tokio::spawn(
            async {
                in_span_async(TRACER, CatalogOp::LoadTable, [], |_| async {
                    Ok::<_, Unreachable>(1)
                })
                .await
            }
            .with_current_context_from(span.context()),
        );
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        inner.await.expect("task")
    });
    let result = tokio::spawn(capture.bind(work)).await.expect("task");
    assert_eq!(result.unwrap(), 1);
    capture.assert_tree(
        expect::tree(expect::span("catalog.create_table").root().ok())
            .child(expect::tree(expect::span("catalog.load_table").ok())),
    );
}

/// Lets a spawned future carry a given context.
trait WithContextFrom: Sized {
    fn with_current_context_from(
        self,
        cx: &opentelemetry::Context,
    ) -> opentelemetry::trace::WithContext<Self>;
}

impl<F: std::future::Future> WithContextFrom for F {
    fn with_current_context_from(
        self,
        cx: &opentelemetry::Context,
    ) -> opentelemetry::trace::WithContext<Self> {
        opentelemetry::trace::FutureExt::with_context(self, cx.clone())
    }
}

#[test]
fn a_cancelled_future_ends_its_span_with_floe_cancelled() {
    let capture = Capture::start();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    runtime.block_on(async {
        let slow = in_span_async(TRACER, CatalogOp::LoadTable, [], |_| async {
            tokio::time::sleep(std::time::Duration::from_mins(1)).await;
            Ok::<(), Unreachable>(())
        });
        let timed_out = tokio::time::timeout(std::time::Duration::from_millis(5), slow).await;
        assert!(timed_out.is_err());
    });
    capture.assert_one(expect::span("catalog.load_table").unset().attr(attr::FLOE_CANCELLED, true));
}

#[test]
fn a_panic_inside_the_span_ends_it_as_an_error_and_keeps_unwinding() {
    let capture = Capture::start();
    let outcome = std::panic::catch_unwind(|| {
        let _: Result<(), Unreachable> = in_span(TRACER, CatalogOp::CreateTable, [], |_| {
            panic!("boom with password=hunter2-FLOETEST")
        });
    });
    assert!(outcome.is_err(), "the panic propagates");
    capture.assert_one(
        expect::span("catalog.create_table")
            .error_description("operation panicked")
            .exception("panic"),
    );
    capture.assert_no_secret("hunter2-FLOETEST");
}

#[test]
fn describe_error_joins_sources_once_and_sanitizes() {
    let text = describe_error(&unreachable_with("FLOETEST-secret"));
    assert_eq!(
        text.as_str(),
        "cannot reach catalog at https://<REDACTED>@catalog.internal:8181/api: connect: password=<REDACTED>"
    );
}
