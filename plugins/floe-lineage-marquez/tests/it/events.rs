//! What Marquez receives: OpenLineage run events valid against the OpenLineage schema,
//! with the job, run id, datasets and facets; bearer auth; the connection check.

use floe_core::plugin::categories::{LineageBackend as _, RunEventType};
use floe_lineage_marquez::{
    EventError, MarquezConfig, MarquezError, MarquezPlugin, NamespaceStrategy,
};
use serde_json::json;

use crate::peer::{Marquez, check};
use crate::{RUN_ID, plugin, run_event};

#[tokio::test]
async fn start_complete_and_fail_are_valid_run_events_marquez_accepts() {
    let marquez = Marquez::start(Some("api-key-1"), &[]);
    let plugin = plugin(&marquez.url(), Some("api-key-1"));
    for event_type in [RunEventType::Start, RunEventType::Complete, RunEventType::Fail] {
        plugin.emit(&run_event(event_type)).await.expect("accepted");
    }

    let events = marquez.events();
    let types: Vec<&str> = events.iter().map(|e| e["eventType"].as_str().unwrap()).collect();
    assert_eq!(types, ["START", "COMPLETE", "FAIL"]);
    let event = &events[1];
    check(event).expect("valid OpenLineage");
    assert_eq!(event["eventTime"], "2026-01-15T09:30:00.000Z");
    assert_eq!(event["run"]["runId"], RUN_ID);
    assert_eq!(
        event["job"],
        json!({
            "namespace": "floe",
            "name": "dbt.analytics.fct_orders",
            "facets": { "jobType": {
                "_producer": "urn:floe:floe-lineage-marquez:0.1.0",
                "_schemaURL": "https://openlineage.io/spec/facets/2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
                "processingType": "BATCH", "integration": "DBT", "jobType": "MODEL"
            } }
        })
    );
    assert_eq!(event["inputs"][0]["name"], "staging.stg_orders");
    assert_eq!(event["outputs"][0]["facets"]["schema"]["fields"][1]["name"], "amount");
    assert_eq!(event["producer"], "urn:floe:floe-lineage-marquez:0.1.0");
    assert_eq!(
        event["schemaURL"],
        "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
    );
}

#[test]
fn the_peer_rejects_events_the_schema_rejects() {
    let mut event = json!({
        "eventType": "START", "eventTime": "2026-01-15T09:30:00Z", "producer": "urn:x",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": { "runId": RUN_ID }, "job": { "namespace": "n", "name": "j" }
    });
    assert!(check(&event).is_ok());
    event["run"]["runId"] = "run-1".into();
    assert!(check(&event).unwrap_err().contains("uuid"));
    event["run"]["runId"] = RUN_ID.into();
    event["job"]["facets"] = json!({ "sql": { "query": "select 1" } });
    assert!(check(&event).unwrap_err().contains("_producer"));
    event["job"]["facets"] = json!({});
    event["eventType"] = "DONE".into();
    assert!(check(&event).is_err());
}

#[tokio::test]
async fn an_event_the_plugin_cannot_make_valid_is_not_sent() {
    let marquez = Marquez::start(None, &[]);
    let plugin = plugin(&marquez.url(), None);
    let mut bad_run = run_event(RunEventType::Start);
    bad_run.run_id = "run-42".to_owned();
    let mut bad_facet = run_event(RunEventType::Start);
    bad_facet.run_facets = json!({ "custom": { "value": 1 } });

    let first = plugin.emit(&bad_run).await.unwrap_err();
    let second = plugin.emit(&bad_facet).await.unwrap_err();

    assert!(matches!(first, MarquezError::Event(EventError::RunId(_))), "{first:?}");
    assert_eq!(second.to_string(), "invalid run event: run facet \"custom\" has no _schemaURL");
    assert!(marquez.server.requests().is_empty());
}

#[tokio::test]
async fn the_namespace_comes_from_the_event_or_the_strategy() {
    let marquez = Marquez::start(None, &[]);
    let mut config = MarquezConfig::new(marquez.url());
    config.namespace =
        NamespaceStrategy::DataMesh { domain: "sales".into(), product: "orders".into() };
    let plugin = MarquezPlugin::new(config).unwrap();
    let mut own = run_event(RunEventType::Start);
    own.job_namespace = "dagster.prod".to_owned();

    plugin.emit(&run_event(RunEventType::Start)).await.unwrap();
    plugin.emit(&own).await.unwrap();

    let namespaces: Vec<String> = marquez
        .events()
        .iter()
        .map(|e| e["job"]["namespace"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(namespaces, ["sales.orders", "dagster.prod"]);
    assert_eq!(
        NamespaceStrategy::Centralized { environment: "prod".into(), platform: "lake".into() }
            .namespace(),
        "prod.lake"
    );
}

#[tokio::test]
async fn a_wrong_api_key_is_rejected_with_401() {
    let marquez = Marquez::start(Some("right-key"), &[]);
    let error = plugin(&marquez.url(), Some("wrong-key"))
        .emit(&run_event(RunEventType::Start))
        .await
        .unwrap_err();
    assert!(matches!(error, MarquezError::Rejected { status: 401, .. }), "{error:?}");
    assert!(!error.to_string().contains("wrong-key"));
}

#[tokio::test]
async fn the_connection_check_lists_namespaces_and_fails_on_anything_else() {
    let marquez = Marquez::start(Some("k"), &[]);
    plugin(&marquez.url(), Some("k")).check_connection().await.expect("a Marquez answers");
    let unauthorized = plugin(&marquez.url(), None).check_connection().await.unwrap_err();
    assert!(matches!(unauthorized, MarquezError::Rejected { status: 401, .. }));
    let not_marquez =
        axum::Router::new().route("/api/v1/namespaces", axum::routing::get(|| async { "{}" }));
    let other = floe_otel_testkit::http::LoopbackServer::start(not_marquez);
    let error = plugin(&other.url(""), None).check_connection().await.unwrap_err();
    assert!(matches!(error, MarquezError::NotMarquez { .. }), "{error:?}");
}
