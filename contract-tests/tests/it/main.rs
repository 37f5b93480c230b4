//! The contract suite over every registered plugin: one row per plugin in `rows/`.

mod rows;

contract_tests::contract_suite! {
    alert_alertmanager => crate::rows::alert_alertmanager::ROW,
    alert_email => crate::rows::alert_email::ROW,
    alert_slack => crate::rows::alert_slack::ROW,
    alert_webhook => crate::rows::alert_webhook::ROW,
    lineage_marquez => crate::rows::lineage_marquez::ROW,
}
