//! Compile-time behaviour of `#[traced]`: what compiles, and every diagnostic it emits.
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test -p floe-macros`
//! and read the diff: they follow the pinned toolchain.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
