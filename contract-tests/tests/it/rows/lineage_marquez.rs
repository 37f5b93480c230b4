//! floe-lineage-marquez: a connection check, then START, RUNNING and COMPLETE events
//! accepted by the loopback Marquez (each validated against the OpenLineage 2-0-2 schema);
//! the forced failure sends the planted secret as API key to a Marquez expecting another,
//! which refuses it with 401.

#[path = "../../../../plugins/floe-lineage-marquez/tests/it/peer.rs"]
mod peer;

use std::time::{Duration, UNIX_EPOCH};

use contract_tests::Row;
use floe_core::plugin::categories::{LineageBackend as _, LineageDataset, RunEvent, RunEventType};
use floe_lineage_marquez::{MarquezConfig, MarquezPlugin};

use super::block_on;

pub(crate) const ROW: Row = Row { package: "floe-lineage-marquez", succeed, fail };

pub(crate) fn event(event_type: RunEventType) -> RunEvent {
    RunEvent {
        event_type,
        event_time: UNIX_EPOCH + Duration::from_mins(29_474_490),
        run_id: "0190a4a4-7f7e-7c2a-9a43-6f0f5e1c2b3d".to_owned(),
        job_namespace: String::new(),
        job_name: "dbt.analytics.fct_orders".to_owned(),
        inputs: vec![LineageDataset {
            namespace: "duckdb://warehouse".to_owned(),
            name: "staging.stg_orders".to_owned(),
            facets: serde_json::Value::Null,
        }],
        outputs: Vec::new(),
        run_facets: serde_json::Value::Null,
        job_facets: serde_json::Value::Null,
    }
}

fn succeed() {
    let marquez = peer::Marquez::start(Some("contract-api-key"), &[]);
    let mut config = MarquezConfig::new(marquez.url());
    config.api_key = Some("contract-api-key".to_owned().into());
    let plugin = MarquezPlugin::new(config).expect("a valid config");
    block_on(async {
        plugin.check_connection().await.expect("Marquez answers");
        for event_type in [RunEventType::Start, RunEventType::Running, RunEventType::Complete] {
            plugin.emit(&event(event_type)).await.expect("accepted");
        }
    });
    assert_eq!(marquez.events().len(), 3);
}

fn fail(secret: &str) {
    let marquez = peer::Marquez::start(Some("contract-api-key"), &[]);
    let mut config = MarquezConfig::new(marquez.url());
    config.api_key = Some(secret.to_owned().into());
    let plugin = MarquezPlugin::new(config).expect("a valid config");
    block_on(plugin.emit(&event(RunEventType::Start))).expect_err("the key is refused");
}
