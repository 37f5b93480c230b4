//! The REST client against a hostile peer (`floe_otel_testkit::hostile`), for the
//! operations floe-catalog-polaris's hostile rows cannot reach (`load_namespace`,
//! `commit_table`); every other operation goes through the same call path and is covered
//! there. The peer answers `/v1/config` normally and spoils everything under the prefix.
//! Each case ends with the error that says what happened, within the time budget plus
//! one second, its span an error, and the bearer token nowhere.

use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use floe_core::http::PeerError;
use floe_iceberg::{
    CatalogConfig, IcebergError, Namespace, RestCatalog, TableCommit, TableIdent, TableUpdate,
};
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::hostile::{Behaviour, HostilePeer, When};
use floe_otel_testkit::{Capture, expect};
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(1);

/// The normal answers: the config, with the prefix the spoiled paths start with.
fn config_router() -> Router {
    Router::new().route(
        "/v1/config",
        get(|| async {
            axum::Json(json!({ "defaults": {}, "overrides": { "prefix": "spoiled" } }))
        }),
    )
}

/// Runs `load_namespace` and `commit_table` against `behaviour` and returns their errors
/// after checking the rules every case shares.
async fn run(behaviour: Behaviour) -> [IcebergError; 2] {
    let token = planted_secret();
    let peer =
        HostilePeer::start_with(behaviour, When::PathStartsWith("/v1/spoiled/"), config_router());
    let config = CatalogConfig::new(&peer.url("/"))
        .expect("the peer's URL is valid")
        .with_token(token.clone())
        .with_timeout(TIMEOUT)
        .with_retry_policy(floe_core::http::RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
        });
    let catalog = RestCatalog::connect(config).await.expect("the config is served normally");
    let bronze = Namespace::single("bronze");
    let table = TableIdent::new(bronze.clone(), "orders");
    let commit = TableCommit::new().update(TableUpdate::RemoveProperties { removals: vec![] });
    let capture = Capture::start();

    let started = Instant::now();
    let (loaded, committed) = capture
        .bind(async {
            tokio::join!(catalog.load_namespace(&bronze), catalog.commit_table(&table, &commit),)
        })
        .await;
    let took = started.elapsed();

    let errors =
        [loaded.expect_err("a hostile load fails"), committed.expect_err("a hostile commit fails")];
    assert!(took <= TIMEOUT + Duration::from_secs(1), "{behaviour:?} took {took:?}");
    assert!(peer.hostile_answers() >= 2, "{behaviour:?}: the peer was not reached");
    assert!(!peer.redirect_target_contacted(), "{behaviour:?}: a redirect was followed");
    capture.assert_one(expect::span("catalog.load_namespace").root().error());
    capture.assert_one(expect::span("catalog.commit_table").root().error());
    for error in &errors {
        let texts = [error.to_string(), format!("{error:?}")];
        capture.assert_secret_nowhere(&token, &[&texts[0], &texts[1]]);
    }
    errors
}

#[tokio::test]
async fn an_echoed_token_in_a_refusal_is_scrubbed_from_errors_and_spans() {
    for status in [401, 403, 400, 404, 409, 500] {
        for error in run(Behaviour::Echo { status }).await {
            let expected = match status {
                401 | 403 => matches!(error, IcebergError::Unauthorized { .. }),
                400 => matches!(error, IcebergError::Rejected { status: 400, .. }),
                404 => matches!(error, IcebergError::NotFound { .. }),
                409 => matches!(
                    error,
                    IcebergError::AlreadyExists { .. } | IcebergError::CommitConflict { .. }
                ),
                _ => matches!(error, IcebergError::Server { status: 500, .. }),
            };
            assert!(expected, "{status}: {error:?}");
        }
    }
}

#[tokio::test]
async fn an_echo_inside_the_error_model_keeps_neither_its_type_nor_the_token() {
    let model = |echo: &str| json!({ "error": { "message": echo, "type": echo, "code": 404 } });
    for error in run(Behaviour::EchoWith { status: 404, body: model }).await {
        let IcebergError::NotFound { kind, message } = &error else { panic!("{error:?}") };
        assert_eq!(kind, "Not Found", "a type that is not an identifier is not kept");
        // The catalog's words stay, the token they quote does not.
        assert!(message.as_str().contains("authorization: Bearer <"), "{message}");
    }
}

#[tokio::test]
async fn an_unavailable_catalog_fails_after_the_retries() {
    for error in run(Behaviour::Echo { status: 503 }).await {
        assert!(matches!(error, IcebergError::Server { status: 503, .. }), "{error:?}");
    }
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_never_followed() {
    for status in [302, 307] {
        for error in run(Behaviour::Redirect { status }).await {
            assert!(
                matches!(error, IcebergError::Transport(PeerError::Redirected { .. })),
                "{error:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_huge_answer_is_refused_at_the_limit() {
    for error in run(Behaviour::HugeBody { status: 200, declared: true }).await {
        assert!(matches!(error, IcebergError::Transport(PeerError::TooLarge { .. })), "{error:?}");
    }
    for error in run(Behaviour::HugeBody { status: 500, declared: false }).await {
        assert!(
            matches!(
                error,
                IcebergError::Transport(PeerError::TooLarge { .. } | PeerError::TimedOut { .. })
            ),
            "{error:?}"
        );
    }
}

#[tokio::test]
async fn a_dribbling_or_stalled_answer_ends_at_the_time_budget() {
    for behaviour in [Behaviour::Dribble, Behaviour::Stall] {
        for error in run(behaviour).await {
            assert!(
                matches!(error, IcebergError::Transport(PeerError::TimedOut { .. })),
                "{error:?}"
            );
        }
    }
}

#[tokio::test]
async fn broken_json_is_named_by_its_category_only() {
    let cases = [
        (Behaviour::MalformedJson, "syntax error"),
        (Behaviour::TruncatedJson, "truncated"),
        (Behaviour::WrongShapeJson, "wrong shape"),
    ];
    for (behaviour, category) in cases {
        for error in run(behaviour).await {
            let IcebergError::Decode(PeerError::Malformed { category: got, .. }) = &error else {
                panic!("{behaviour:?}: {error:?}")
            };
            assert_eq!(*got, category);
        }
    }
}

#[tokio::test]
async fn a_connection_closed_mid_answer_is_an_incomplete_answer() {
    for error in run(Behaviour::CloseMidAnswer).await {
        assert!(
            matches!(error, IcebergError::Transport(PeerError::Incomplete { .. })),
            "{error:?}"
        );
    }
}
