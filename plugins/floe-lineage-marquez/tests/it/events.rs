//! What Marquez receives: OpenLineage run events valid against spec 2-0-2 and their facets'
//! schemas, for every event type, with the job, run id, datasets and facets; bearer auth;
//! the connection check.

use floe_core::http::PeerError;
use floe_core::plugin::categories::{LineageBackend as _, RunEventType};
use floe_lineage_marquez::{
    EventError, MarquezConfig, MarquezError, MarquezPlugin, NamespaceStrategy,
};
use serde_json::json;

use crate::peer::{Marquez, SPEC_ID, check};
use crate::{RUN_ID, plugin, run_event};

const ERROR_MESSAGE_FACET: &str = "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet";

#[tokio::test]
async fn every_2_0_2_event_type_is_a_valid_run_event_marquez_accepts() {
    let marquez = Marquez::start(Some("api-key-1"), &[]);
    let plugin = plugin(&marquez.url(), Some("api-key-1"));
    for event_type in RunEventType::ALL {
        let mut event = run_event(event_type);
        if event_type == RunEventType::Fail {
            event.run_facets = json!({ "errorMessage": {
                "_schemaURL": ERROR_MESSAGE_FACET,
                "message": "Binder Error: column amount not found", "programmingLanguage": "SQL"
            } });
        }
        plugin.emit(&event).await.expect("accepted");
    }

    let events = marquez.events();
    let types: Vec<&str> = events.iter().map(|e| e["eventType"].as_str().unwrap()).collect();
    assert_eq!(types, ["START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"]);
    let event = &events[2];
    check(event).expect("valid OpenLineage 2-0-2");
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
    assert_eq!(event["schemaURL"], format!("{SPEC_ID}#/$defs/RunEvent"));
    assert_eq!(events[4]["run"]["facets"]["errorMessage"]["programmingLanguage"], "SQL");
}

/// A run event valid against 2-0-2, with a dataset facet to break.
fn valid_event() -> serde_json::Value {
    json!({
        "eventType": "RUNNING", "eventTime": "2026-01-15T09:30:00Z", "producer": "urn:x",
        "schemaURL": format!("{SPEC_ID}#/$defs/RunEvent"),
        "run": { "runId": RUN_ID }, "job": { "namespace": "n", "name": "j" },
        "outputs": [{ "namespace": "duckdb://warehouse", "name": "analytics.fct_orders",
            "facets": { "schema": {
                "_producer": "urn:x",
                "_schemaURL": "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
                "fields": [{ "name": "order_id", "type": "INTEGER" }]
            } } }]
    })
}

#[test]
fn the_peer_checks_events_against_2_0_2_and_facets_against_their_schemas() {
    // RUNNING is a 2-0-2 event type (the schema the peer carried before refused it).
    assert_eq!(check(&valid_event()), Ok(()));
    let refused = |change: &dyn Fn(&mut serde_json::Value), expected: &str| {
        let mut event = valid_event();
        change(&mut event);
        let problem = check(&event).expect_err(expected);
        assert!(problem.contains(expected), "{problem} should contain {expected}");
    };
    refused(&|e| e["run"]["runId"] = "run-1".into(), "/run/runId");
    refused(&|e| e["eventType"] = "DONE".into(), "/eventType");
    refused(&|e| e.as_object_mut().unwrap().retain(|k, _| k != "schemaURL"), "schemaURL");
    refused(
        &|e| {
            e["schemaURL"] =
                "https://openlineage.io/spec/1-0-5/OpenLineage.json#/$defs/RunEvent".into();
        },
        "names no event definition of OpenLineage 2-0-2",
    );
    let facet = "/outputs/0/facets/schema";
    refused(
        &|e| {
            e.pointer_mut(facet).unwrap().as_object_mut().unwrap().remove("_producer");
        },
        "_producer",
    );
    // Spec 2-0-2 gave job and dataset facets a boolean `_deleted`; the schema the peer
    // carried before (no version, `definitions`) let any value through.
    refused(
        &|e| e.pointer_mut(facet).unwrap()["_deleted"] = "yes".into(),
        "/outputs/0/facets/schema/_deleted",
    );
    // The facet's own schema: every field of SchemaDatasetFacet 1-1-1 has a name.
    refused(
        &|e| e.pointer_mut(facet).unwrap()["fields"][0] = json!({ "type": "INTEGER" }),
        "/outputs/0/facets/schema/fields/0",
    );
    refused(
        &|e| {
            e.pointer_mut(facet).unwrap()["_schemaURL"] = "https://example.com/MyFacet.json".into();
        },
        "names no facet schema carried here",
    );
    refused(
        &|e| {
            e["job"]["facets"] = json!({ "jobType": {
            "_producer": "urn:x", "_schemaURL": "https://openlineage.io/spec/facets/2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
            "integration": "DBT"
        } });
        },
        "processingType",
    );
}

#[tokio::test]
async fn an_event_the_plugin_cannot_make_valid_is_not_sent() {
    let marquez = Marquez::start(None, &[]);
    let plugin = plugin(&marquez.url(), None);
    let mut bad_run = run_event(RunEventType::Start);
    bad_run.run_id = "run-42".to_owned();
    let mut no_schema = run_event(RunEventType::Start);
    no_schema.run_facets = json!({ "custom": { "value": 1 } });
    let mut relative_schema = run_event(RunEventType::Start);
    relative_schema.run_facets = json!({ "custom": { "_schemaURL": "Custom.json", "value": 1 } });
    let mut string_deleted = run_event(RunEventType::Other);
    string_deleted.outputs[0].facets["schema"]["_deleted"] = "yes".into();

    let errors = [
        plugin.emit(&bad_run).await.unwrap_err(),
        plugin.emit(&no_schema).await.unwrap_err(),
        plugin.emit(&relative_schema).await.unwrap_err(),
        plugin.emit(&string_deleted).await.unwrap_err(),
    ];

    assert!(matches!(errors[0], MarquezError::Event(EventError::RunId(_))), "{:?}", errors[0]);
    let texts: Vec<String> = errors[1..].iter().map(ToString::to_string).collect();
    assert_eq!(
        texts,
        [
            "invalid run event: run facet \"custom\" has no _schemaURL",
            "invalid run event: run facet \"custom\": _schemaURL must be an absolute URI",
            "invalid run event: dataset analytics.fct_orders facet \"schema\": _deleted must be a boolean",
        ]
    );
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
async fn a_wrong_api_key_is_refused_with_401_once_and_never_retried() {
    let marquez = Marquez::start(Some("right-key"), &[]);
    let error = plugin(&marquez.url(), Some("wrong-key"))
        .emit(&run_event(RunEventType::Start))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            MarquezError::Emit {
                event_type: "START",
                source: PeerError::Unauthorized { status: 401, .. }
            }
        ),
        "{error:?}"
    );
    assert!(!error.to_string().contains("wrong-key"));
    assert_eq!(marquez.server.requests().len(), 1, "a refused key is never retried");
}

#[tokio::test]
async fn the_connection_check_lists_namespaces_and_fails_on_anything_else() {
    let marquez = Marquez::start(Some("k"), &[]);
    plugin(&marquez.url(), Some("k")).check_connection().await.expect("a Marquez answers");
    let unauthorized = plugin(&marquez.url(), None).check_connection().await.unwrap_err();
    assert!(
        matches!(
            unauthorized,
            MarquezError::Connection { source: PeerError::Unauthorized { status: 401, .. } }
        ),
        "{unauthorized:?}"
    );
    let not_marquez =
        axum::Router::new().route("/api/v1/namespaces", axum::routing::get(|| async { "{}" }));
    let other = floe_otel_testkit::http::LoopbackServer::start(not_marquez);
    let error = plugin(&other.url(""), None).check_connection().await.unwrap_err();
    assert!(
        matches!(
            error,
            MarquezError::Connection {
                source: PeerError::Malformed { category: "wrong shape", .. }
            }
        ),
        "{error:?}"
    );
}
