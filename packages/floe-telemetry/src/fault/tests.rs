//! Unit tests of the fault names and the `rename-span` mapping (the faults themselves are
//! tested per process in `tests/it/fault.rs`, since the fault is read once per process).

use super::{Fault, NAMES, renamed};

#[test]
fn every_name_parses_to_its_fault_and_back() {
    for (index, name) in NAMES.iter().enumerate() {
        let fault = Fault::parse(name).unwrap().unwrap();
        assert_eq!(fault as usize, index);
        assert_eq!(fault.name(), *name);
    }
}

#[test]
fn unset_or_blank_means_no_fault() {
    assert_eq!(Fault::parse(""), Ok(None));
    assert_eq!(Fault::parse("  "), Ok(None));
}

#[test]
fn an_unknown_name_is_refused_with_the_valid_names() {
    let message = Fault::parse("ok-on-falure").unwrap_err();
    assert!(message.contains("\"ok-on-falure\""), "{message}");
    for name in NAMES {
        assert!(message.contains(name), "{message} does not list {name}");
    }
}

#[test]
fn a_renamed_span_is_another_declared_operation_of_its_prefix() {
    let new = renamed("alert.send");
    assert_ne!(new, "alert.send");
    assert!(new.starts_with("alert."), "{new}");
    assert!(crate::conventions::span(&new).is_some(), "{new} is not declared");
}

#[test]
fn the_last_operation_of_a_prefix_wraps_to_the_first() {
    let alert: Vec<&str> = crate::conventions::spans()
        .iter()
        .map(|s| s.name)
        .filter(|n| n.starts_with("alert."))
        .collect();
    assert!(alert.len() > 1);
    assert_eq!(renamed(alert[alert.len() - 1]), alert[0]);
}

#[test]
fn an_undeclared_name_gets_a_suffix() {
    assert_eq!(renamed("bench.work"), "bench.work_renamed");
}
