//! Integration tests of the Marquez lineage plugin against a loopback Marquez that
//! validates every event against the OpenLineage 2-0-2 JSON schema and its facets against
//! their published schemas, and against the hostile loopback peer.

mod config;
mod events;
mod peer;
mod tracing;

use std::time::{Duration, UNIX_EPOCH};

use floe_core::plugin::categories::{LineageDataset, RunEvent, RunEventType};
use floe_lineage_marquez::{MarquezConfig, MarquezPlugin};
use serde_json::json;

/// The run id of [`run_event`].
const RUN_ID: &str = "0190a4a4-7f7e-7c2a-9a43-6f0f5e1c2b3d";

/// A plugin sending to `url`, with `token` as API key when given.
fn plugin(url: &str, token: Option<&str>) -> MarquezPlugin {
    let mut config = MarquezConfig::new(url);
    config.api_key = token.map(|t| t.to_owned().into());
    config.timeout_secs = 5;
    MarquezPlugin::new(config).expect("a valid config")
}

/// A dbt model run: one input, one output with a schema facet, a job facet.
fn run_event(event_type: RunEventType) -> RunEvent {
    RunEvent {
        event_type,
        event_time: UNIX_EPOCH + Duration::from_mins(29_474_490),
        run_id: RUN_ID.to_owned(),
        job_namespace: String::new(),
        job_name: "dbt.analytics.fct_orders".to_owned(),
        inputs: vec![LineageDataset {
            namespace: "duckdb://warehouse".to_owned(),
            name: "staging.stg_orders".to_owned(),
            facets: serde_json::Value::Null,
        }],
        outputs: vec![LineageDataset {
            namespace: "duckdb://warehouse".to_owned(),
            name: "analytics.fct_orders".to_owned(),
            facets: json!({ "schema": {
                "_schemaURL": "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
                "fields": [{ "name": "order_id", "type": "INTEGER" }, { "name": "amount", "type": "DECIMAL(10,2)" }]
            } }),
        }],
        run_facets: serde_json::Value::Null,
        job_facets: json!({ "jobType": {
            "_schemaURL": "https://openlineage.io/spec/facets/2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
            "processingType": "BATCH", "integration": "DBT", "jobType": "MODEL"
        } }),
    }
}
