//! The contract suite, with the demo plugin's row left out of the list.

mod rows;

contract_tests::contract_suite! {
    telemetry_console => rows::telemetry_console::ROW,
}
