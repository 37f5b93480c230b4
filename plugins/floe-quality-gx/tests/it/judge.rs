//! Great Expectations (from the Python package index, pinned by `scripts/setup validators`),
//! the judge of the parity test: `tests/judge/great_expectations_judge.py` validates
//! expectations on the same rows with GX's own pandas engine. One Python process answers
//! every case of the binary: importing GX alone takes seconds.

use std::path::Path;

use floe_otel_testkit::peers::{self, PEER_LIFETIME};
use serde_json::Value;

/// The version `scripts/setup` pins.
pub(crate) const GREAT_EXPECTATIONS_VERSION: &str = "1.24.1";

/// GX's answer to `request` (`{"tables": .., "cases": ..}`, see the script): one answer per
/// case, in order.
pub(crate) fn great_expectations(request: &Value) -> Vec<Value> {
    let python = peers::validators_bin("python").expect("scripts/setup validators installs GX");
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/judge/great_expectations_judge.py");
    let script = script.to_string_lossy();
    let answer = peers::ask_json(
        "Great Expectations",
        &python,
        &[script.as_ref()],
        &[],
        request,
        PEER_LIFETIME,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answer["great_expectations"], GREAT_EXPECTATIONS_VERSION, "the pinned judge");
    answer["answers"].as_array().cloned().expect("one answer per case")
}
