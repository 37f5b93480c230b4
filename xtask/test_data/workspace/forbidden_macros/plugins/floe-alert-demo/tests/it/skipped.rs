//! Tests hidden from `cargo test`.

#[test]
#[ignore]
fn skipped() {}

#[test]
#[ignore = "flaky"]
fn skipped_with_a_reason() {}

#[test]
#[cfg_attr(not(feature = "peers"), ignore)]
fn skipped_without_a_feature() {}

mod nested {
    #[test]
    #[ignore]
    fn skipped_in_a_module() {}
}
