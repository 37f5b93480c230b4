//! The contract suite: written once, run against every registered plugin.
//!
//! Each plugin is a [`Row`] in `tests/it/rows/`: how to run one real operation that
//! succeeds, and one that fails with a planted secret in its configuration. Everything
//! else the suite takes from the registry and the captured spans:
//! - the tracer name is present, `floe.<category>.<impl>` and unique (telemetry backends:
//!   absent by policy, and they emit no span);
//! - the real operation emits spans from that tracer, named `<category>.<operation>`,
//!   carrying `FloeSpanAttributes`, conforming to the telemetry registry, and matching the
//!   reviewed span-tree snapshot in `snapshots/`;
//! - the forced failure ends a span as `Error` with a sanitized description, and the
//!   planted secret is nowhere in the capture.

mod suite;

include!(concat!(env!("OUT_DIR"), "/plugins.rs"));

pub use suite::{failure_contract, registration_contract, success_contract, tracer_contract};

/// One plugin's entry in the contract suite.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    /// The plugin's package (`floe-alert-slack`).
    pub package: &'static str,
    /// Runs a real operation of the plugin that succeeds (against the loopback peer its
    /// own tests use, or with no peer). Spans are captured around it.
    pub succeed: fn(),
    /// Runs an operation that fails (bad config value or unreachable loopback port), with
    /// `secret` planted where the plugin takes credentials.
    pub fail: fn(secret: &str),
}

/// Defines the suite's tests for each row, and the test that every plugin under
/// `plugins/` has a row and is registered:
///
/// ```text
/// contract_tests::contract_suite! { alert_slack => rows::alert_slack::ROW }
/// ```
#[macro_export]
macro_rules! contract_suite {
    ($($name:ident => $row:expr),* $(,)?) => {
        #[test]
        fn every_plugin_directory_is_registered_and_has_a_row() {
            $crate::registration_contract(&[$($row),*]);
        }
        $(
            mod $name {
                #[test]
                fn declares_a_well_formed_unique_tracer_or_is_excluded() {
                    $crate::tracer_contract(&$row);
                }

                #[test]
                fn a_real_operation_emits_conforming_spans_from_its_tracer() {
                    $crate::success_contract(&$row, stringify!($name));
                }

                #[test]
                fn a_forced_failure_ends_as_a_sanitized_error_without_the_secret() {
                    $crate::failure_contract(&$row);
                }
            }
        )*
    };
}
