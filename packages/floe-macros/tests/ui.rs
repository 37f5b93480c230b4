//! Compile-time behaviour of `#[traced]`: what compiles, and every diagnostic it emits.
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test -p floe-macros`
//! and read the diff: they follow the pinned toolchain.
//!
//! The cases import `floe_telemetry::traced`: trybuild compiles them against this crate's
//! dev-dependencies, which leave floe-core out (see `Cargo.toml`). The `floe_core::traced`
//! entry point expands to the same code under `::floe_core::__private`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
