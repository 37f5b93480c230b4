//! The spans of the Dagster plugin: generation, and the GraphQL connection check against
//! a real `dagster-webserver`, a loopback server that is not Dagster, and a closed port.

use axum::Router;
use axum::routing::post;
use base64::Engine as _;
use floe_core::SpanKind;
use floe_core::http::PeerError;
use floe_core::plugin::Lifecycle as _;
use floe_core::plugin::Plugin as _;
use floe_core::plugin::categories::Orchestrator as _;
use floe_core::plugin::{PluginCategory, ResolvedConfig, find};
use floe_core::telemetry::attr;
use floe_orchestrator_dagster::{DagsterError, DagsterPlugin};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::http::LoopbackServer;
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::peers::closed_port;
use floe_otel_testkit::{Capture, expect};
use serde_json::json;

use crate::peer::{DbtProject, Webserver, write_files};

mod runs;

fn check_span() -> expect::SpanExpectation {
    expect::span("orchestrator.validate_connection")
        .root()
        .scope("floe.orchestrator.dagster")
        .kind(SpanKind::Client)
        .floe_attributes()
        .attr(attr::ORCHESTRATOR_NAME, "dagster")
        .attr(attr::SERVER_ADDRESS, "127.0.0.1")
        .has_attr(attr::SERVER_PORT)
}

#[tokio::test]
async fn a_real_webserver_answers_the_graphql_version_query_under_an_ok_client_span() {
    let project = DbtProject::start();
    let secret = planted_secret();
    let out = tempfile::tempdir().expect("tempdir");
    let generator = DagsterPlugin::new(project.config("http://127.0.0.1:3000")).expect("valid");
    let capture = Capture::start();
    write_files(
        out.path(),
        &generator.generate_definitions(&project.artifacts()).expect("generated"),
    );
    let webserver = Webserver::start(out.path());
    let mut config = project.config(&webserver.url());
    config.api_token = Some(secret.clone().into());

    let plugin = DagsterPlugin::new(config).expect("valid");
    plugin.validate_connection().await.expect("the webserver answers");

    capture.assert_one(
        expect::span("orchestrator.generate_definitions")
            .root()
            .kind(SpanKind::Internal)
            .ok()
            .attr(attr::ORCHESTRATOR_NAME, "dagster")
            .attr(attr::ORCHESTRATOR_ASSETS_COUNT, 2_i64),
    );
    capture.assert_one(check_span().ok().attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64));
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
    assert_text_clean(
        "the generated config",
        &plugin.generated_config().expect("config").to_string(),
        &secret,
    );
}

#[tokio::test]
async fn a_server_that_is_not_dagster_is_an_error_span() {
    let server = LoopbackServer::start(
        Router::new().route("/graphql", post(|| async { axum::Json(json!({ "data": {} })) })),
    );
    let capture = Capture::start();

    let unhealthy = DagsterPlugin::new(floe_orchestrator_dagster::DagsterConfig::new(
        server.url(""),
        "/srv/dbt",
    ))
    .expect("valid")
    .health_check()
    .await;

    assert!(!unhealthy.is_healthy());
    let request = &server.requests()[0];
    assert_eq!(request.json(), json!({ "query": "{ version }" }));
    capture.assert_one(
        check_span()
            .error_containing("did not answer the GraphQL query { version } with a version")
            .exception("DagsterError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 200_i64),
    );
}

#[tokio::test]
async fn an_unreachable_webserver_is_an_error_span_and_the_token_leaks_nowhere() {
    let secret = planted_secret();
    let mut config = floe_orchestrator_dagster::DagsterConfig::new(
        format!("http://floe:{secret}@{}", closed_port()),
        "/srv/dbt",
    );
    config.api_token = Some(secret.clone().into());
    let plugin = DagsterPlugin::new(config).expect("valid");
    let capture = Capture::start();

    let error = plugin.validate_connection().await.unwrap_err();

    assert_text_clean("the error", &format!("{error} {error:?}"), &secret);
    assert_text_clean(
        "the generated config",
        &plugin.generated_config().expect("config").to_string(),
        &secret,
    );
    capture.assert_one(check_span().error_containing("cannot connect to 127.0.0.1"));
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
    for line in capture.logs() {
        assert_text_clean("a log line", &line, &secret);
    }
}

#[test]
fn artifacts_without_models_are_an_error_generation_span() {
    let plugin = DagsterPlugin::new(floe_orchestrator_dagster::DagsterConfig::new(
        "http://127.0.0.1:3000",
        "/srv/dbt",
    ))
    .expect("valid");
    let capture = Capture::start();

    let error =
        plugin.generate_definitions(&json!({ "platform": { "name": "demo" } })).unwrap_err();

    assert!(matches!(error, DagsterError::Artifacts(_)), "{error:?}");
    capture.assert_one(
        expect::span("orchestrator.generate_definitions")
            .root()
            .scope("floe.orchestrator.dagster")
            .error_containing(
                "cannot generate Dagster definitions: the artifacts have no dbt_manifest.nodes",
            )
            .exception("DagsterError")
            .no_attr(attr::ORCHESTRATOR_ASSETS_COUNT),
    );
}

#[tokio::test]
async fn a_webserver_answering_an_error_status_or_too_slowly_is_an_error_span() {
    let failing = LoopbackServer::start(Router::new().route(
        "/graphql",
        post(|| async { (axum::http::StatusCode::SERVICE_UNAVAILABLE, "maintenance") }),
    ));
    let slow = LoopbackServer::start(Router::new().route(
        "/graphql",
        post(|| async {
            // Slower than the plugin's one-second timeout: what the test is about.
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
            axum::Json(json!({ "data": { "version": "1.13.27" } }))
        }),
    ));
    let mut slow_config = floe_orchestrator_dagster::DagsterConfig::new(slow.url(""), "/srv/dbt");
    slow_config.timeout_secs = 1;
    let capture = Capture::start();

    let status = DagsterPlugin::new(floe_orchestrator_dagster::DagsterConfig::new(
        failing.url(""),
        "/srv/dbt",
    ))
    .expect("valid")
    .validate_connection()
    .await
    .unwrap_err();
    let started = std::time::Instant::now();
    let timed_out =
        DagsterPlugin::new(slow_config).expect("valid").validate_connection().await.unwrap_err();

    assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
    assert!(
        matches!(
            status,
            DagsterError::Connection { source: PeerError::Failed { status: 503, .. } }
        ),
        "{status:?}"
    );
    assert!(
        matches!(timed_out, DagsterError::Connection { source: PeerError::TimedOut { .. } }),
        "{timed_out:?}"
    );
    capture.assert_one(
        check_span()
            .error_containing("failed to answer (503): maintenance")
            .exception("DagsterError")
            .attr(attr::HTTP_RESPONSE_STATUS_CODE, 503_i64),
    );
    capture.assert_one(
        check_span()
            .error_containing("did not answer within 1s")
            .exception("DagsterError")
            .no_attr(attr::HTTP_RESPONSE_STATUS_CODE),
    );
    capture.assert_conforms();
}

#[tokio::test]
async fn the_webserver_urls_user_info_goes_as_basic_auth_never_in_the_url() {
    let secret = planted_secret();
    let server = LoopbackServer::start(Router::new().route(
        "/graphql",
        post(|| async { axum::Json(json!({ "data": { "version": "1.13.27" } })) }),
    ));
    let url = server.url("").replace("http://", &format!("http://ops:{secret}@"));
    let mut config = floe_orchestrator_dagster::DagsterConfig::new(url, "/srv/dbt");
    config.api_token = Some(secret.clone().into());
    let capture = Capture::start();

    let plugin = DagsterPlugin::new(config).expect("valid");
    plugin.validate_connection().await.expect("the webserver answers");

    let request = &server.requests()[0];
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("ops:{secret}"));
    assert_eq!(request.header("authorization"), Some(format!("Basic {basic}").as_str()));
    assert_eq!(request.header("dagster-cloud-api-token"), Some(secret.as_str()));
    assert_eq!(request.path, "/graphql");
    capture.assert_one(check_span().ok());
    capture.assert_no_secret(&secret);
    let generated = plugin.generated_config().expect("config").to_string();
    assert_text_clean("the generated config", &generated, &secret);
}

#[test]
fn user_info_over_plain_http_to_another_host_is_refused_naming_webserver_url() {
    let secret = planted_secret();
    let refused = |url: String| {
        let value = json!({
            "webserver_url": url,
            "dbt": { "project_dir": "/srv/dbt", "profiles_dir": "/srv/dbt" },
        });
        let resolved = ResolvedConfig::literal("plugins.orchestrator.config", value);
        let descriptor = find(PluginCategory::Orchestrator, "dagster").expect("registered");
        (descriptor.construct)(&resolved).map(|_| ()).unwrap_err()
    };

    let error = refused(format!("http://ops:{secret}@dagster.floe.svc:3000"));
    let query = refused(format!("https://dagster.floe.svc/?token={secret}"));

    for error in [error.to_string(), query.to_string()] {
        assert!(error.contains("plugins.orchestrator.config.webserver_url"), "{error}");
        assert_text_clean("the config error", &error, &secret);
    }
    assert!(error.to_string().contains("allow_insecure_http"), "{error}");
}

#[tokio::test]
async fn a_run_whose_interpreter_is_missing_or_reports_nothing_is_an_error_span() {
    let dir = tempfile::tempdir().expect("tempdir");
    let silent = dir.path().join("silent-python");
    floe_otel_testkit::fixtures::write_executable(
        &silent,
        "#!/bin/sh\necho 'ImportError: no module named dagster' >&2\nexit 1\n",
    )
    .expect("writing the stand-in");
    let with_python = |python: &std::path::Path| {
        let mut config =
            floe_orchestrator_dagster::DagsterConfig::new("http://127.0.0.1:3000", "/srv/dbt");
        config.python = python.display().to_string();
        DagsterPlugin::new(config).expect("valid")
    };
    let capture = Capture::start();

    let missing = with_python(&dir.path().join("no-python"))
        .materialize(dir.path(), &["orders"])
        .await
        .unwrap_err();
    let silent = with_python(&silent).materialize(dir.path(), &["orders"]).await.unwrap_err();

    assert!(matches!(missing, floe_orchestrator_dagster::DagsterError::Process(_)), "{missing:?}");
    assert!(
        matches!(silent, floe_orchestrator_dagster::DagsterError::NoResult { .. }),
        "{silent:?}"
    );
    let run = || {
        expect::span("orchestrator.materialize")
            .root()
            .scope("floe.orchestrator.dagster")
            .floe_attributes()
            .attr(attr::ORCHESTRATOR_NAME, "dagster")
            .attr(attr::ORCHESTRATOR_ASSETS_COUNT, 1_i64)
            .exception("DagsterError")
            .no_attr(attr::ORCHESTRATOR_RUN_ID)
            .without_text(dir.path().to_string_lossy())
    };
    capture.assert_one(run().error_containing("cannot start no-python"));
    capture.assert_one(
        run().error_containing("without a result: ImportError: no module named dagster"),
    );
    capture.assert_conforms();
}
