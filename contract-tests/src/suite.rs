//! The checks every row goes through.

use floe_core::audit::is_well_formed;
use floe_core::plugin::{PluginDescriptor, registered};
use floe_otel_testkit::{Capture, assert_span_tree, expect, fixtures::planted_secret};
use opentelemetry::trace::Status;

use crate::{PLUGIN_DIRECTORIES, Row};

/// The registered descriptors of `package` (a crate may register several plugins).
fn descriptors(package: &str) -> Vec<&'static PluginDescriptor> {
    let found: Vec<_> =
        registered().into_iter().filter(|d| d.metadata.package == package).collect();
    assert!(
        !found.is_empty(),
        "{package} is not registered: add floe_core::register_plugin! and link it from contract-tests"
    );
    found
}

/// Every package under `plugins/` is registered and has a row; every row names a
/// package under `plugins/`.
///
/// # Panics
/// Naming the packages that break it.
pub fn registration_contract(rows: &[Row]) {
    let with_rows: Vec<&str> = rows.iter().map(|r| r.package).collect();
    let missing_rows: Vec<&&str> =
        PLUGIN_DIRECTORIES.iter().filter(|p| !with_rows.contains(p)).collect();
    assert!(missing_rows.is_empty(), "plugins without a contract row: {missing_rows:?}");
    let unregistered: Vec<&&str> = PLUGIN_DIRECTORIES
        .iter()
        .filter(|p| !registered().iter().any(|d| d.metadata.package == **p))
        .collect();
    assert!(
        unregistered.is_empty(),
        "plugins in plugins/ that are not registered: {unregistered:?}"
    );
    let strays: Vec<&&str> = with_rows.iter().filter(|p| !PLUGIN_DIRECTORIES.contains(p)).collect();
    assert!(strays.is_empty(), "rows naming no plugin directory: {strays:?}");
}

/// The tracer name is present, well formed and unique; telemetry backends have none.
///
/// # Panics
/// When it is not.
pub fn tracer_contract(row: &Row) {
    for descriptor in descriptors(row.package) {
        let metadata = descriptor.metadata;
        match (metadata.category.excluded_from_tracing(), metadata.tracer_name()) {
            (true, None) => {}
            (true, Some(tracer)) => panic!(
                "{}: a telemetry backend must not declare a tracer, found {tracer:?}",
                row.package
            ),
            (false, None) => panic!("{}: declares no tracer name (FR-015)", row.package),
            (false, Some(tracer)) => {
                assert!(
                    is_well_formed(metadata.category, tracer),
                    "{}: tracer {tracer:?} is not floe.{}.<impl>",
                    row.package,
                    metadata.category.telemetry_prefix()
                );
                let sharing: Vec<&str> = registered()
                    .iter()
                    .filter(|d| {
                        d.metadata.tracer_name() == Some(tracer)
                            && d.metadata.package != row.package
                    })
                    .map(|d| d.metadata.package)
                    .collect();
                assert!(
                    sharing.is_empty(),
                    "{}: tracer {tracer:?} is also declared by {sharing:?}",
                    row.package
                );
            }
        }
    }
}

/// A real operation emits spans from the plugin's tracer that conform to the registry and
/// match the reviewed snapshot; a telemetry backend emits none.
///
/// # Panics
/// When it does not.
pub fn success_contract(row: &Row, snapshot: &str) {
    let metadata = descriptors(row.package)[0].metadata;
    let capture = Capture::start();
    (row.succeed)();
    let spans = capture.spans();
    let Some(tracer) = metadata.tracer_name() else {
        assert!(
            spans.is_empty(),
            "{}: a telemetry backend emitted spans: {:?}",
            row.package,
            spans.names()
        );
        return;
    };
    assert!(!spans.is_empty(), "{}: the real operation emitted no span", row.package);
    let own: Vec<_> =
        spans.all().iter().filter(|s| s.instrumentation_scope.name() == tracer).collect();
    assert!(
        !own.is_empty(),
        "{}: no span came from tracer {tracer:?}; scopes seen: {:?}",
        row.package,
        spans.all().iter().map(|s| s.instrumentation_scope.name().to_owned()).collect::<Vec<_>>()
    );
    // Every span must be declared for this tracer (assert_conforms checks that); at least
    // one must be named after the plugin's own category.
    let prefix = format!("{}.", metadata.category.telemetry_prefix());
    assert!(
        own.iter().any(|s| s.name.starts_with(&prefix)),
        "{}: no span is named {prefix}<operation>: {:?}",
        row.package,
        own.iter().map(|s| s.name.to_string()).collect::<Vec<_>>()
    );
    for span in &own {
        capture.assert_some(expect::span(span.name.as_ref()).scope(tracer).floe_attributes());
    }
    assert!(
        own.iter().any(|s| s.status == Status::Ok),
        "{}: no span of the successful operation ended Ok",
        row.package
    );
    spans.assert_conforms();
    capture.assert_nothing_escaped();
    assert_span_tree!(format!("contract__{snapshot}"), spans);
}

/// A forced failure ends a span as an error with a sanitized description, and the planted
/// secret appears nowhere in the capture.
///
/// # Panics
/// When it does not.
pub fn failure_contract(row: &Row) {
    let metadata = descriptors(row.package)[0].metadata;
    let secret = planted_secret();
    let capture = Capture::start();
    (row.fail)(&secret);
    let spans = capture.spans();
    if metadata.tracer_name().is_none() {
        assert!(
            spans.is_empty(),
            "{}: a telemetry backend emitted spans: {:?}",
            row.package,
            spans.names()
        );
        return;
    }
    let errors: Vec<_> =
        spans.all().iter().filter(|s| matches!(s.status, Status::Error { .. })).collect();
    assert!(
        !errors.is_empty(),
        "{}: the forced failure ended no span as an error:\n{}",
        row.package,
        spans.render()
    );
    for span in errors {
        let Status::Error { description } = &span.status else { continue };
        let again = floe_core::telemetry::sanitize_error_message(description);
        assert_eq!(
            again.as_str(),
            description.as_ref(),
            "{}: the error description of {:?} is not sanitized",
            row.package,
            span.name
        );
        assert!(
            !description.is_empty(),
            "{}: span {:?} ended as an error with no description",
            row.package,
            span.name
        );
    }
    spans.assert_no_secret(&secret);
    spans.assert_conforms();
}
