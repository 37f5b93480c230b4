//! What Alertmanager holds after a delivery, read back through its API, and what it
//! rejects.

use floe_alert_alertmanager::AlertmanagerError;
use floe_core::plugin::categories::{AlertChannel as _, DeliveryFailure as _, DeliveryStatus};
use floe_otel_testkit::fixtures::contract_violation;

use crate::peer::Alertmanager;
use crate::plugin;

#[tokio::test]
async fn a_delivered_alert_is_held_by_alertmanager_with_its_labels_and_annotations() {
    let alertmanager = Alertmanager::start();
    let report = plugin(&alertmanager.url()).send(&contract_violation()).await.expect("delivered");
    assert_eq!(report.attempts, 1);

    let alerts = alertmanager.alerts();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let alert = &alerts[0];
    let labels = &alert["labels"];
    assert_eq!(labels["alertname"], "FloeContractViolation");
    assert_eq!(labels["severity"], "critical");
    assert_eq!(labels["contract"], "orders_contract");
    assert_eq!(labels["contract_version"], "2.1.0");
    assert_eq!(labels["violation_type"], "schema_drift");
    assert_eq!(labels["model"], "fct_orders");
    assert_eq!(labels["team"], "data");
    assert_eq!(
        alert["annotations"]["summary"],
        "[CRITICAL] Contract violation: orders_contract v2.1.0 (schema_drift)"
    );
    let description = alert["annotations"]["description"].as_str().unwrap();
    assert!(description.starts_with("column amount changed type"), "{description}");
    assert!(description.contains("\nModel: fct_orders\ncolumn: amount"), "{description}");
    assert_eq!(alert["startsAt"], "2026-01-15T09:30:00.000Z");
    assert_eq!(alert["generatorURL"], "https://floe.example.com/contracts/orders_contract");
    assert_eq!(alert["status"]["state"], "active");
}

#[tokio::test]
async fn sending_the_same_violation_twice_keeps_one_alert() {
    let alertmanager = Alertmanager::start();
    let plugin = plugin(&alertmanager.url());
    plugin.send(&contract_violation()).await.unwrap();
    plugin.send(&contract_violation()).await.unwrap();
    let mut other = contract_violation();
    other.contract_name = "customers_contract".to_owned();
    plugin.send(&other).await.unwrap();

    let mut contracts: Vec<String> =
        alertmanager.alerts().iter().map(|a| a["labels"]["contract"].to_string()).collect();
    contracts.sort();
    assert_eq!(contracts, ["\"customers_contract\"", "\"orders_contract\""]);
}

#[tokio::test]
async fn a_label_alertmanager_refuses_is_a_rejected_delivery_with_its_reason() {
    let alertmanager = Alertmanager::start();
    let mut config = floe_alert_alertmanager::AlertmanagerConfig::new(alertmanager.url());
    config.labels.insert("data-team".to_owned(), "x".to_owned());
    let plugin = floe_alert_alertmanager::AlertmanagerPlugin::new(config).unwrap();

    let error = plugin.send(&contract_violation()).await.unwrap_err();

    assert!(matches!(error, AlertmanagerError::Delivery(_)));
    assert_eq!(error.delivery_status(), DeliveryStatus::Rejected);
    let text = error.to_string();
    assert!(text.contains("rejected the alert with status 400"), "{text}");
    assert!(text.contains("invalid label set"), "{text}");
    assert!(alertmanager.alerts().is_empty());
}
