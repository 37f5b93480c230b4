//! Sync functions and methods: status from the return value, `?`, panics, nesting,
//! generics, `&self`, `&mut self` and trait impls.

use std::panic::{AssertUnwindSafe, catch_unwind};

use floe_otel_testkit::{Capture, expect};
use floe_telemetry::attr;
use floe_telemetry::traced;
use opentelemetry::trace::SpanKind;

use super::{CatalogOp, PLANTED, TRACER_NAME, UNREACHABLE_DESCRIPTION, Unreachable, unreachable};

#[traced(op = CatalogOp::LoadTable)]
fn load(found: bool) -> Result<u32, Unreachable> {
    if found { Ok(7) } else { Err(unreachable()) }
}

#[traced(op = CatalogOp::CreateTable)]
fn create_via_question_mark() -> Result<u32, Unreachable> {
    let rows = load(false)?;
    Ok(rows + 1)
}

#[traced(name = "io.read")]
fn read_io(fail: bool) -> std::io::Result<usize> {
    if fail {
        return Err(std::io::Error::other(format!("read failed: token={PLANTED}")));
    }
    Ok(3)
}

#[traced(name = "work.boxed")]
fn boxed_error() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    Err(format!("boxed failure with password={PLANTED}").into())
}

#[traced(name = "work.plain")]
fn plain(x: u32) -> Option<u32> {
    x.checked_sub(10)
}

#[traced(name = "work.unit")]
fn unit() {}

#[traced(name = "work.panics")]
fn panics() -> u32 {
    panic!("exploded with password={PLANTED}");
}

#[traced(op = CatalogOp::CommitTable)]
fn commit() -> Result<(), Unreachable> {
    load(true)?;
    let _ = plain(20);
    Ok(())
}

#[traced(name = "work.generic")]
fn first<T: Clone + std::fmt::Debug>(items: &[T]) -> Result<T, Unreachable> {
    items.first().cloned().ok_or_else(unreachable)
}

#[test]
fn success_ends_ok_with_name_kind_scope_and_floe_attributes() {
    let capture = Capture::start();
    assert_eq!(load(true).unwrap(), 7);
    capture.assert_one(
        expect::span("catalog.load_table")
            .kind(SpanKind::Client)
            .ok()
            .root()
            .scope(TRACER_NAME)
            .floe_attributes()
            .attr(attr::FLOE_NAMESPACE, floe_otel_testkit::TEST_NAMESPACE)
            .no_event(attr::EXCEPTION_EVENT),
    );
}

#[test]
fn an_error_is_recorded_sanitized_with_its_type_and_source_chain() {
    let capture = Capture::start();
    let err = load(false).unwrap_err();
    assert!(err.url.contains(PLANTED), "the caller gets the real error");
    capture.assert_one(
        expect::span("catalog.load_table")
            .error_description(UNREACHABLE_DESCRIPTION)
            .exception("Unreachable")
            .exception_message_containing("catalog.internal:8181")
            .attr_contains(attr::ERROR_TYPE, "Unreachable"),
    );
    capture.assert_no_secret(PLANTED);
}

#[test]
fn a_question_mark_early_return_ends_both_spans_as_errors() {
    let capture = Capture::start();
    assert!(create_via_question_mark().is_err());
    capture.assert_tree(
        expect::tree(
            expect::span("catalog.create_table").root().error_description(UNREACHABLE_DESCRIPTION),
        )
        .child(expect::tree(expect::span("catalog.load_table").error().exception("Unreachable")))
        .exact(),
    );
    capture.assert_no_secret(PLANTED);
}

#[test]
fn an_io_result_alias_is_recognised_as_a_result() {
    let capture = Capture::start();
    assert_eq!(read_io(false).unwrap(), 3);
    assert!(read_io(true).is_err());
    capture.assert_one(expect::span("io.read").ok().kind(SpanKind::Internal));
    capture.assert_one(
        expect::span("io.read")
            .error_description("read failed: token=<REDACTED>")
            .exception("std::io::error::Error"),
    );
    capture.assert_no_secret(PLANTED);
}

#[test]
fn an_error_that_is_only_display_is_recorded_sanitized() {
    let capture = Capture::start();
    assert!(boxed_error().is_err());
    capture.assert_one(
        expect::span("work.boxed")
            .error_description("boxed failure with password=<REDACTED>")
            .exception("Box<dyn core::error::Error"),
    );
    capture.assert_no_secret(PLANTED);
}

#[test]
fn plain_and_unit_returns_end_ok_even_when_the_value_is_none() {
    let capture = Capture::start();
    assert_eq!(plain(3), None);
    unit();
    capture.assert_one(expect::span("work.plain").ok().no_event(attr::EXCEPTION_EVENT));
    capture.assert_one(expect::span("work.unit").ok());
}

#[test]
fn a_panic_is_recorded_sanitized_and_resumed() {
    let capture = Capture::start();
    let payload = catch_unwind(panics).unwrap_err();
    let message = payload.downcast_ref::<String>().unwrap();
    assert!(message.contains(PLANTED), "the panic continues with its own payload");
    capture.assert_one(
        expect::span("work.panics")
            .error_description("operation panicked: exploded with password=<REDACTED>")
            .exception("panic"),
    );
    capture.assert_no_secret(PLANTED);
}

#[test]
fn nested_traced_calls_are_children_of_the_calling_span() {
    let capture = Capture::start();
    commit().unwrap();
    capture.assert_tree(
        expect::tree(expect::span("catalog.commit_table").root().ok())
            .child(expect::tree(expect::span("catalog.load_table").ok()))
            .child(expect::tree(expect::span("work.plain").ok()))
            .in_order()
            .exact(),
    );
}

#[test]
fn generic_functions_are_traced_for_every_instantiation() {
    let capture = Capture::start();
    assert_eq!(first(&["a", "b"]).unwrap(), "a");
    assert!(first::<u8>(&[]).is_err());
    capture.assert_one(expect::span("work.generic").ok());
    capture.assert_one(expect::span("work.generic").error().exception("Unreachable"));
}

/// A catalog client stand-in with `&self`, `&mut self` and by-value methods.
#[derive(Debug, Default)]
struct Client {
    name: String,
    commits: u32,
}

trait Catalog {
    fn load_table(&self, table: &str) -> Result<String, Unreachable>;
}

impl Client {
    #[traced(name = "client.name")]
    fn name(&self) -> &str {
        &self.name
    }

    #[traced(op = CatalogOp::CommitTable)]
    fn commit(&mut self) -> Result<&mut u32, Unreachable> {
        self.commits += 1;
        Ok(&mut self.commits)
    }

    #[traced(name = "client.close")]
    fn close(self) -> u32 {
        self.commits
    }
}

impl Catalog for Client {
    #[traced(op = CatalogOp::LoadTable)]
    fn load_table(&self, table: &str) -> Result<String, Unreachable> {
        if table.is_empty() { Err(unreachable()) } else { Ok(format!("{}.{table}", self.name)) }
    }
}

#[test]
fn methods_taking_self_by_reference_mutable_reference_and_value_are_traced() {
    let capture = Capture::start();
    let mut client = Client { name: "lake".to_owned(), commits: 0 };
    assert_eq!(client.name(), "lake");
    *client.commit().unwrap() += 10;
    assert_eq!(client.close(), 11);
    capture.assert_one(expect::span("client.name").ok().root());
    capture.assert_one(expect::span("catalog.commit_table").ok().root());
    capture.assert_one(expect::span("client.close").ok().root());
}

#[test]
fn trait_impl_methods_are_traced_with_their_status() {
    let capture = Capture::start();
    let client = Client { name: "lake".to_owned(), commits: 0 };
    let catalog: &dyn Catalog = &client;
    assert_eq!(catalog.load_table("orders").unwrap(), "lake.orders");
    assert!(catalog.load_table("").is_err());
    capture.assert_one(expect::span("catalog.load_table").ok().kind(SpanKind::Client));
    capture
        .assert_one(expect::span("catalog.load_table").error_description(UNREACHABLE_DESCRIPTION));
    capture.assert_no_secret(PLANTED);
}

#[test]
fn panics_in_nested_calls_end_every_span_as_an_error() {
    #[traced(name = "work.outer")]
    fn outer() -> u32 {
        panics() + 1
    }
    let capture = Capture::start();
    assert!(catch_unwind(AssertUnwindSafe(outer)).is_err());
    capture.assert_tree(
        expect::tree(expect::span("work.outer").error_containing("operation panicked"))
            .child(expect::tree(expect::span("work.panics").error().exception("panic")))
            .exact(),
    );
    capture.assert_no_secret(PLANTED);
}
