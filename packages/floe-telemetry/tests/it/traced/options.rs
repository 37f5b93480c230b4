//! The options: names, tracers, static and dynamic attributes, `floe_attributes`, `skip`
//! and `fields`, and an `attributes_fn` that fails.

use floe_otel_testkit::{Capture, expect};
use floe_telemetry::traced;
use floe_telemetry::{FloeSpanAttributes, attr};
use opentelemetry::KeyValue;

use super::{CatalogOp, PLANTED, TRACER_NAME, Unreachable, unreachable};

const OTHER_TRACER: &str = "floe.test.other";

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "attributes_fn receives a reference to every parameter"
)]
fn table_attributes(namespace: &&str, table: &str, rows: &u32) -> Vec<KeyValue> {
    vec![
        KeyValue::new(attr::CATALOG_NAMESPACE, (*namespace).to_owned()),
        KeyValue::new(attr::CATALOG_TABLE, table.to_owned()),
        KeyValue::new("test.rows", i64::from(*rows)),
    ]
}

/// Static and dynamic attributes together; the token is skipped, so `attributes_fn`
/// never sees it, and it is not recorded because it is not in `fields`.
#[traced(
    op = CatalogOp::CreateTable,
    tracer = OTHER_TRACER,
    attributes(attr::CATALOG_WAREHOUSE = "lake", attr::CATALOG_URI = uri.trim_end_matches('/')),
    attributes_fn = table_attributes,
    skip(token, uri),
    fields(rows),
)]
fn create(namespace: &str, table: String, rows: u32, token: &str, uri: &str) -> usize {
    token.len() + table.len() + namespace.len() + usize::try_from(rows).unwrap_or(0) + uri.len()
}

#[test]
fn static_dynamic_and_field_attributes_compose_and_skipped_arguments_stay_out() {
    let capture = Capture::start();
    let len = create("bronze", "orders".to_owned(), 3, PLANTED, "http://127.0.0.1:1/");
    assert_eq!(len, PLANTED.len() + 6 + 6 + 3 + 19);
    capture.assert_one(
        expect::span("catalog.create_table")
            .ok()
            .scope(OTHER_TRACER)
            .attr(attr::CATALOG_WAREHOUSE, "lake")
            .attr(attr::CATALOG_URI, "http://127.0.0.1:1")
            .attr(attr::CATALOG_NAMESPACE, "bronze")
            .attr(attr::CATALOG_TABLE, "orders")
            .attr("test.rows", 3_i64)
            .attr("floe.arg.rows", 3_i64)
            .no_attr("floe.arg.token")
            .no_attr(attr::FLOE_INSTRUMENTATION_ERROR),
    );
    capture.assert_no_secret(PLANTED);
}

#[derive(Debug, thiserror::Error)]
#[error("cannot derive attributes from secret={0}")]
struct AttributesFailed(String);

fn failing_attributes(key: &&str) -> Result<[KeyValue; 1], AttributesFailed> {
    Err(AttributesFailed((*key).to_owned()))
}

fn panicking_attributes(key: &&str) -> Vec<KeyValue> {
    panic!("attributes exploded on password={key}");
}

#[traced(name = "work.failing_attributes", attributes_fn = failing_attributes)]
fn with_failing_attributes(key: &str) -> Result<usize, Unreachable> {
    if key.is_empty() { Err(unreachable()) } else { Ok(key.len()) }
}

#[traced(name = "work.panicking_attributes", attributes_fn = panicking_attributes)]
fn with_panicking_attributes(key: &str) -> usize {
    key.len()
}

#[test]
fn a_failing_attributes_fn_never_fails_the_call_and_is_reported_sanitized() {
    let capture = Capture::start();
    assert_eq!(with_failing_attributes(PLANTED).unwrap(), PLANTED.len());
    capture.assert_one(
        expect::span("work.failing_attributes")
            .ok()
            .attr(
                attr::FLOE_INSTRUMENTATION_ERROR,
                "attributes_fn failed: cannot derive attributes from secret=<REDACTED>",
            )
            .no_event(attr::EXCEPTION_EVENT),
    );
    capture.assert_no_secret(PLANTED);
}

#[test]
fn a_panicking_attributes_fn_never_fails_the_call_and_is_reported_sanitized() {
    let capture = Capture::start();
    assert_eq!(with_panicking_attributes(PLANTED), PLANTED.len());
    capture.assert_one(expect::span("work.panicking_attributes").ok().attr(
        attr::FLOE_INSTRUMENTATION_ERROR,
        "attributes_fn panicked: attributes exploded on password=<REDACTED>",
    ));
    capture.assert_no_secret(PLANTED);
}

#[traced]
fn default_named() -> u8 {
    1
}

#[traced(name = "work.with_tenant", floe_attributes = FloeSpanAttributes::new("tenant-b").with_mode("prod"))]
fn with_tenant() -> u8 {
    default_named()
}

#[test]
fn without_a_name_the_span_is_named_after_the_module_path_and_function() {
    let capture = Capture::start();
    assert_eq!(default_named(), 1);
    capture.assert_one(expect::span("it::traced::options.default_named").ok().root());
}

#[test]
fn floe_attributes_replace_the_context_ones_for_the_span_and_its_children() {
    let capture = Capture::start();
    assert_eq!(with_tenant(), 1);
    capture.assert_tree(
        expect::tree(
            expect::span("work.with_tenant")
                .attr(attr::FLOE_NAMESPACE, "tenant-b")
                .attr(attr::FLOE_MODE, "prod"),
        )
        .child(expect::tree(
            expect::span("it::traced::options.default_named")
                .attr(attr::FLOE_NAMESPACE, "tenant-b"),
        ))
        .exact(),
    );
}

/// `self` reaches `attributes_fn` as `&Self`; optional values record nothing when `None`.
#[derive(Debug)]
struct Warehouse {
    name: Option<String>,
}

impl Warehouse {
    fn span_attributes(&self, table: &&str) -> Vec<KeyValue> {
        vec![KeyValue::new(attr::CATALOG_TABLE, format!("{}:{table}", self.name.is_some()))]
    }

    #[traced(
        name = "warehouse.drop",
        attributes(attr::CATALOG_WAREHOUSE = self.name.clone()),
        attributes_fn = Self::span_attributes,
        fields(table),
    )]
    fn drop_table(&mut self, table: &str) -> Result<(), Unreachable> {
        self.name = None;
        if table.is_empty() { Err(unreachable()) } else { Ok(()) }
    }
}

#[test]
fn methods_pass_self_to_attributes_fn_and_none_values_record_nothing() {
    let capture = Capture::start();
    let mut named = Warehouse { name: Some("lake".to_owned()) };
    named.drop_table("orders").unwrap();
    let mut anonymous = Warehouse { name: None };
    anonymous.drop_table("").unwrap_err();
    capture.assert_one(
        expect::span("warehouse.drop")
            .ok()
            .attr(attr::CATALOG_WAREHOUSE, "lake")
            .attr(attr::CATALOG_TABLE, "true:orders")
            .attr("floe.arg.table", "orders"),
    );
    capture.assert_one(
        expect::span("warehouse.drop")
            .error()
            .no_attr(attr::CATALOG_WAREHOUSE)
            .attr(attr::CATALOG_TABLE, "false:")
            .attr("floe.arg.table", ""),
    );
    capture.assert_no_secret(PLANTED);
}
