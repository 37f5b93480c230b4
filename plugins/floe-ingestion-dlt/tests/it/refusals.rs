//! A refused credential is never retried (retrying a wrong password can lock the account),
//! whatever the source: a PostgreSQL server refusing the login (SQLSTATE 28P01) and a REST
//! API answering 401, each echoing the credential back.

use std::process::Command;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use floe_core::plugin::categories::{Ingestion as _, PipelineSpec};
use floe_core::telemetry::attr;
use floe_ingestion_dlt::{DltError, DltPlugin, ErrorCategory};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::http::LoopbackServer;
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::peers::venv_bin;
use floe_otel_testkit::{Capture, expect};
use serde_json::json;

use crate::peer::Dlt;
use crate::postgres::RefusingPostgres;

fn auth_span(pipeline: &str, source_type: &str) -> expect::SpanExpectation {
    expect::span("ingestion.run")
        .root()
        .scope("floe.ingestion.dlt")
        .floe_attributes()
        .attr(attr::INGESTION_PIPELINE, pipeline.to_owned())
        .attr(attr::INGESTION_SOURCE_TYPE, source_type.to_owned())
        .attr(attr::INGESTION_ERROR_CATEGORY, "authentication")
        .attr(attr::INGESTION_ATTEMPTS, 1_i64)
        .exception("DltError")
        .no_event("ingestion.retry")
        .no_attr(attr::INGESTION_ROWS_LOADED)
}

#[tokio::test]
async fn a_database_refusing_the_password_is_tried_once_and_the_password_leaks_nowhere() {
    let dlt = Dlt::start();
    let server = RefusingPostgres::start();
    let secret = planted_secret();
    let mut config = dlt.config();
    config.max_attempts = 3;
    config.credentials.insert("shop_db".to_owned(), server.url(&secret).into());
    let spec = PipelineSpec {
        name: "shop_db".to_owned(),
        source_type: "sql_database".to_owned(),
        source: json!({ "tables": ["items"] }),
        destination: "duckdb".to_owned(),
        dataset: "shop".to_owned(),
    };
    let capture = Capture::start();

    let error = DltPlugin::new(config).expect("valid").run_pipeline(&spec).await.unwrap_err();

    let DltError::Failed { category, attempts, .. } = &error else {
        panic!("expected a reported failure, got {error:?}")
    };
    assert_eq!((*category, *attempts), (ErrorCategory::Authentication, 1));
    assert_eq!(server.attempts().len(), 1, "one login, never a second: {:?}", server.attempts());
    assert_eq!(server.attempts()[0], ("floe".to_owned(), secret.clone()));
    let text = error.to_string();
    assert!(text.starts_with("pipeline shop_db failed (authentication, attempt 1): "), "{text}");
    assert!(text.contains("password authentication failed for user"), "{text}");
    assert_text_clean("the error", &format!("{error} {error:?}"), &secret);
    capture.assert_one(
        auth_span("shop_db", "sql_database").error_containing("password authentication failed"),
    );
    capture.assert_no_secret(&secret);
    for line in capture.logs() {
        assert_text_clean("a log line", &line, &secret);
    }
    capture.assert_conforms();
}

#[tokio::test]
async fn an_api_answering_401_is_tried_once_and_the_echoed_token_leaks_nowhere() {
    let dlt = Dlt::start();
    let secret = planted_secret();
    let api = LoopbackServer::start(Router::new().route(
        "/orders",
        get(|headers: HeaderMap| async move {
            let sent = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
            let echo = format!("{{\"error\": \"token refused: {sent}\"}}");
            (StatusCode::UNAUTHORIZED, [("x-echo", sent.to_owned())], echo)
        }),
    ));
    let mut config = dlt.config();
    config.max_attempts = 3;
    config.credentials.insert("orders_api".to_owned(), secret.clone().into());
    let spec = PipelineSpec {
        name: "orders_api".to_owned(),
        source_type: "rest_api".to_owned(),
        source: json!({ "base_url": api.url("/"), "resources": ["orders"] }),
        destination: "duckdb".to_owned(),
        dataset: "api".to_owned(),
    };
    let capture = Capture::start();

    let error = DltPlugin::new(config).expect("valid").run_pipeline(&spec).await.unwrap_err();

    assert!(
        matches!(
            error,
            DltError::Failed { category: ErrorCategory::Authentication, attempts: 1, .. }
        ),
        "{error:?}"
    );
    assert_eq!(api.requests().len(), 1, "the refused token is sent once");
    assert_text_clean("the error", &format!("{error} {error:?}"), &secret);
    capture.assert_one(auth_span("orders_api", "rest_api").error_containing("401"));
    capture.assert_no_secret(&secret);
    capture.assert_conforms();
}

/// The driver's classification of failures as the common database drivers raise them
/// (`psycopg2` and `PyMySQL` report a refused password as `OperationalError`, which the driver
/// used to retry as transient; they are not in the test virtualenv, so their exceptions
/// are shaped here, each wrapped by `SQLAlchemy` as in a real run).
#[test]
fn refused_credentials_are_classified_as_authentication_before_transient() {
    let script = r#"
import json, sys
source = sys.stdin.read()
namespace = {"__name__": "floe_dlt_driver"}
exec(compile(source, "driver.py", "exec"), namespace)
category = namespace["category"]
import sqlalchemy.exc

class InvalidPassword(Exception):  # psycopg2.errors.InvalidPassword, an OperationalError
    pgcode = "28P01"
class OperationalError(Exception):  # pymysql.err.OperationalError(1045, ...)
    pass
def wrapped(orig):
    return sqlalchemy.exc.OperationalError("connect", {}, orig)
cases = {
    "psycopg2 invalid password": wrapped(InvalidPassword('FATAL:  password authentication failed for user "floe"')),
    "pymysql access denied": wrapped(OperationalError(1045, "Access denied for user 'floe'@'host'")),
    "server restarting": wrapped(OperationalError(2013, "Lost connection to MySQL server during query")),
    "connection refused": ConnectionRefusedError(111, "Connection refused"),
    "bad table": ValueError("no table named items"),
}
print(json.dumps({name: category(error) for name, error in cases.items()}))
"#;
    let mut child = Command::new(venv_bin("python").expect("venv"))
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python runs");
    std::io::Write::write_all(
        &mut child.stdin.take().expect("stdin"),
        include_str!("../../src/driver.py").as_bytes(),
    )
    .expect("writing the driver");
    let output = child.wait_with_output().expect("python ends");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let categories: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(
        categories,
        json!({
            "psycopg2 invalid password": "authentication",
            "pymysql access denied": "authentication",
            "server restarting": "transient",
            "connection refused": "transient",
            "bad table": "permanent",
        })
    );
}
