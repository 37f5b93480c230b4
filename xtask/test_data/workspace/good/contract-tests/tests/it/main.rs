//! The contract suite over every plugin.

mod rows;

contract_tests::contract_suite! {
    alert_demo => rows::alert_demo::ROW,
    telemetry_console => rows::telemetry_console::ROW,
}
