//! Unit tests may build raw statuses: this file is a `#[cfg(test)]` module.

#[test]
fn an_error_status_can_be_built_in_a_unit_test() {
    let status = opentelemetry::trace::Status::error("boom");
    assert!(matches!(status, opentelemetry::trace::Status::Error { .. }));
}
