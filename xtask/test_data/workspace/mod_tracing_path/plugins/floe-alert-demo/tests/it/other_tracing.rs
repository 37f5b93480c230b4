//! The file that really runs as the tracing tests: it asserts nothing.

#[test]
fn nothing() {}
