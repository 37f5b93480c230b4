//! The hostile-peer suite (issue 19): every networked plugin's operations, health and
//! connection checks included, against a loopback peer that misbehaves
//! (`floe_otel_testkit::hostile`). Run it with `cargo test -p contract-tests --test it
//! hostile`.
//!
//! A test is one plugin × one behaviour; it drives every operation of the plugin at
//! once, each on its own thread against its own hostile peer and in its own capture,
//! and checks for each:
//! - the operation ends with an error that says what happened (`(401)`, `redirect`,
//!   `larger than`, `did not answer within`, `not the expected JSON`, `closed the
//!   connection`, ...), within the configured timeout plus one second (rows configure at
//!   most 2 s);
//! - the peer did answer with its behaviour, and a redirect's other origin was never
//!   contacted;
//! - the operation's span is a root that ends `Error` with a sanitized description;
//! - the planted credential and the planted value (plain and base64) are nowhere: not
//!   in a span, an event, a log line of any level, the error text or its `Debug`.
//!
//! One more test per plugin compiles a manifest selecting it with the same
//! configuration and checks that `floe compile`'s artifacts hold no planted credential.
//!
//! Each case prints `hostile <plugin> <operation> <behaviour> <ms> ms: <error>` to
//! standard error (`-- --nocapture` shows them).
//!
//! # Adding a plugin's rows
//! 1. Write `hostile/<plugin>.rs` with a [`Row`]: the manifest category and type, a
//!    `config` function that points the plugin at the peer's URL with
//!    [`CREDENTIAL_REF`] where it takes its credential and `timeout_secs` at most 2
//!    (`timeout` says which), and one [`Op`] per operation, health and connection checks
//!    included. An `Op` builds the plugin from the resolved config (with [`RETRY`]) and
//!    returns the operation as a future that turns its result into an [`Outcome`] with
//!    [`outcome`] (or [`health`] for a `HealthStatus`). An operation that must get
//!    through a first exchange (a login, a discovery document) before the call under
//!    test sets `when` to the requests that get the hostile answer and `normal` to the
//!    plugin's own loopback peer, which answers the others.
//! 2. End the file with `hostile_rows!(ROW);` for the standard behaviours, or list the
//!    behaviours that apply: `hostile_rows!(ROW; echo_unauthorized => Behaviour::Echo {
//!    status: 401 }, ...)`. A behaviour that cannot apply to a protocol (SMTP has no
//!    JSON) is left out with a comment saying why.
//! 3. Declare the module below.
//!
//! An operation excluded from tracing by policy (a telemetry backend's connection check)
//! sets its span to [`NO_SPAN`]: the case then checks that the capture holds no span at
//! all, instead of an `Error` span. A peer that does not speak HTTP (SMTP) implements
//! [`Hostile`] and runs its cases with [`run_cases`] (see `alert_email.rs`, and
//! `telemetry_jaeger_grpc.rs` with the hostile gRPC peer of `grpc.rs`). A plugin whose
//! errors come in a third-party transport's own words checks them with [`run_row_saying`]
//! (see `telemetry_jaeger.rs`).

mod alert_alertmanager;
mod alert_email;
mod alert_slack;
mod alert_webhook;
mod catalog_polaris;
mod grpc;
mod identity_keycloak;
mod lineage_marquez;
mod orchestrator_dagster;
mod secrets_infisical;
mod secrets_k8s;
mod semantic_cube;
mod smtp;
mod telemetry_jaeger;
mod telemetry_jaeger_grpc;

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use axum::Router;
use base64::Engine as _;
use floe_core::plugin::HealthStatus;
use floe_core::telemetry::sanitize_error_message;
use floe_otel_testkit::fixtures::planted_secret;
use floe_otel_testkit::hostile::{Behaviour, HostilePeer, When};
use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::{Capture, expect};
use opentelemetry::trace::Status;

/// The span of an operation excluded from tracing by policy: its case checks that no span
/// was emitted at all.
pub(crate) const NO_SPAN: &str = "";

/// Where a row's config takes the planted credential.
pub(crate) const CREDENTIAL_REF: &str = "${secret:hostile_credential}";

/// The retry policy rows give their plugins: short backoffs, the usual three attempts.
pub(crate) const RETRY: floe_core::http::RetryPolicy = floe_core::http::RetryPolicy {
    max_attempts: 3,
    initial_backoff: Duration::from_millis(10),
    max_backoff: Duration::from_millis(50),
};

/// A plugin's hostile rows.
pub(crate) struct Row {
    /// The plugin, for messages (`secrets-k8s`).
    pub(crate) plugin: &'static str,
    /// The manifest category key (`secrets`).
    pub(crate) category: &'static str,
    /// The plugin's type in the manifest (`k8s`).
    pub(crate) kind: &'static str,
    /// The config pointing at `url`, [`CREDENTIAL_REF`] where the credential goes.
    pub(crate) config: fn(url: &str) -> serde_json::Value,
    /// The timeout the config sets (at most 2 s).
    pub(crate) timeout: Duration,
    /// Every operation, health and connection checks included.
    pub(crate) ops: &'static [Op],
}

/// One operation of a plugin.
pub(crate) struct Op {
    /// The operation (`get_secret`, `health_check`, `login`).
    pub(crate) name: &'static str,
    /// Its span (`secrets.get_secret`).
    pub(crate) span: &'static str,
    /// Which requests get the hostile answer.
    pub(crate) when: When,
    /// The plugin's own peer, answering the other requests, accepting `credential`.
    pub(crate) normal: Option<fn(credential: &str) -> Router>,
    /// Builds the plugin from the resolved config and returns the operation, which
    /// starts when polled (its time is measured from there); `value` is a planted
    /// secret value for operations that write one.
    pub(crate) run: fn(config: serde_json::Value, value: String) -> Run,
}

/// A running operation.
pub(crate) type Run = Pin<Box<dyn Future<Output = Outcome>>>;

/// How an operation ended: `Ok` with a description of what it returned (never a value),
/// or the error's text and `Debug`.
pub(crate) type Outcome = Result<&'static str, (String, String)>;

/// The [`Outcome`] of an operation's result.
pub(crate) fn outcome<T, E: std::fmt::Display + std::fmt::Debug>(result: Result<T, E>) -> Outcome {
    result.map(|_| "a value").map_err(|error| (error.to_string(), format!("{error:?}")))
}

/// The [`Outcome`] of a health check: unhealthy is the error.
pub(crate) fn health(status: HealthStatus) -> Outcome {
    match status {
        HealthStatus::Unhealthy { reason } => Err((reason, String::new())),
        HealthStatus::Degraded { .. } => Ok("degraded"),
        HealthStatus::Healthy => Ok("healthy"),
    }
}

/// Words one of which the error of `behaviour` must contain.
pub(crate) fn expected_words(behaviour: Behaviour) -> Vec<String> {
    match behaviour {
        // `PeerError` writes `(401)`; `HttpDeliveryError` writes `with status 401`.
        Behaviour::Echo { status }
        | Behaviour::EchoText { status }
        | Behaviour::EchoWith { status, .. } => {
            vec![format!("({status})"), format!("status {status}")]
        }
        Behaviour::Redirect { .. } => vec!["redirect".to_owned()],
        Behaviour::HugeBody { declared: true, .. } => vec!["larger than".to_owned()],
        // Streamed, the limit is found by reading up to it: on a busy machine the time
        // budget can run out first. Either error is clear and within the bound; floe-core's
        // peer tests show the limit itself deterministically.
        Behaviour::HugeBody { declared: false, .. } => {
            vec!["larger than".to_owned(), "did not answer".to_owned()]
        }
        Behaviour::Dribble | Behaviour::Stall => vec!["did not answer".to_owned()],
        Behaviour::MalformedJson => vec!["not the expected JSON (syntax error)".to_owned()],
        Behaviour::TruncatedJson => vec!["not the expected JSON (truncated)".to_owned()],
        Behaviour::WrongShapeJson => {
            ["(wrong shape)", "the answer is not a", "neither", "names another"]
                .map(str::to_owned)
                .to_vec()
        }
        Behaviour::CloseMidAnswer => vec!["closed the connection".to_owned()],
    }
}

/// A misbehaving peer a case runs against.
pub(crate) trait Hostile {
    /// What the row's `config` gets as the peer's URL.
    fn url(&self) -> String;
    /// How many requests (connections, for SMTP) got the hostile answer.
    fn hostile_answers(&self) -> usize;
    /// Whether a redirect's other origin was contacted.
    fn redirect_target_contacted(&self) -> bool;
}

impl Hostile for HostilePeer {
    fn url(&self) -> String {
        HostilePeer::url(self, "")
    }

    fn hostile_answers(&self) -> usize {
        HostilePeer::hostile_answers(self)
    }

    fn redirect_target_contacted(&self) -> bool {
        HostilePeer::redirect_target_contacted(self)
    }
}

/// Starts the hostile peer of one case of `op`, accepting `credential` where the
/// plugin's own peer answers.
pub(crate) type StartPeer<'a, P> = &'a (dyn Fn(&Op, &str) -> P + Sync);

/// Runs every operation of `row` against `behaviour` at once, each on a thread of its
/// own with its own runtime, so one case's set-up never eats into another's timeout.
///
/// # Panics
/// Once every case has ended, when any broke a rule, listing each with the plugin,
/// operation and behaviour.
pub(crate) fn run_row(row: &Row, name: &str, behaviour: Behaviour) {
    run_row_saying(row, name, behaviour, &expected_words(behaviour));
}

/// [`run_row`] for a plugin whose errors say what happened in words of their own (a
/// third-party transport's): one of `words` must be in each error.
///
/// # Panics
/// As [`run_row`].
pub(crate) fn run_row_saying(row: &Row, name: &str, behaviour: Behaviour, words: &[String]) {
    let start = move |op: &Op, credential: &str| match op.normal {
        Some(normal) => HostilePeer::start_with(behaviour, op.when, normal(credential)),
        None => HostilePeer::start_with(behaviour, op.when, Router::new()),
    };
    run_cases(row, name, words, &start);
}

/// [`run_row`] with any [`Hostile`] peer: `words` are those one of which each error must
/// contain, `start` starts each case's peer.
///
/// # Panics
/// As [`run_row`].
pub(crate) fn run_cases<P: Hostile>(
    row: &Row,
    name: &str,
    words: &[String],
    start: StartPeer<'_, P>,
) {
    assert!(
        row.timeout <= Duration::from_secs(2),
        "{}: hostile rows configure at most 2 s",
        row.plugin
    );
    let failures: Vec<String> = std::thread::scope(|scope| {
        let cases: Vec<_> = row
            .ops
            .iter()
            .map(|op| {
                std::thread::Builder::new()
                    .name(format!("hostile::{}::{}::{name}", row.plugin, op.name))
                    .spawn_scoped(scope, move || {
                        let runtime = tokio::runtime::Builder::new_current_thread()
                            .enable_all()
                            .build()
                            .expect("a current-thread runtime");
                        runtime.block_on(run_case(row, op, name, words, start));
                    })
                    .expect("a thread per case")
            })
            .collect();
        cases.into_iter().filter_map(|case| case.join().err()).map(|p| panic_text(&*p)).collect()
    });
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|text| (*text).to_owned()))
        .unwrap_or_else(|| "a case panicked".to_owned())
}

async fn run_case<P: Hostile>(
    row: &Row,
    op: &Op,
    name: &str,
    words: &[String],
    start: StartPeer<'_, P>,
) {
    let case = format!("{} {} {name}", row.plugin, op.name);
    let credential = planted_secret();
    let value = planted_secret();
    let peer = start(op, &credential);
    let config = resolve(&(row.config)(&peer.url()), &credential);

    let capture = Capture::start();
    // The plugin is built here; the operation starts when its future is first polled.
    let operation = capture.in_scope(|| (op.run)(config, value.clone()));
    let started = Instant::now();
    let ended = capture.bind(operation).await;
    let took = started.elapsed();

    let (text, debug) = match ended {
        Ok(what) => {
            panic!("{case}: the operation succeeded ({what}) against a hostile peer after {took:?}")
        }
        Err(error) => error,
    };
    eprintln!("hostile {case} {} ms: {text}", took.as_millis());
    assert!(
        words.iter().any(|word| text.contains(word.as_str())),
        "{case}: the error does not say what happened ({words:?}): {text}"
    );
    assert!(took <= row.timeout + Duration::from_secs(1), "{case}: took {took:?}");
    assert!(peer.hostile_answers() > 0, "{case}: the hostile peer was never reached");
    assert!(!peer.redirect_target_contacted(), "{case}: a redirect was followed");
    if op.span == NO_SPAN {
        let spans = capture.spans();
        assert!(
            spans.is_empty(),
            "{case}: excluded from tracing, yet emitted:\n{}",
            spans.render()
        );
    } else {
        let span = capture.assert_one(expect::span(op.span).root().error());
        let Status::Error { description } = &span.status else { unreachable!("asserted error") };
        assert!(!description.is_empty(), "{case}: the span's error has no description");
        assert_eq!(
            sanitize_error_message(description).as_str(),
            description.as_ref(),
            "{case}: the span's description is not sanitized"
        );
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(&value);
    for secret in [&credential, &value, &encoded] {
        if op.span == NO_SPAN {
            // Nothing was captured but log lines: check those and the error.
            for line in capture.logs() {
                assert_text_clean(&format!("{case}: a log line"), &line, secret);
            }
            assert_text_clean(&format!("{case}: the error"), &format!("{text} {debug}"), secret);
        } else {
            capture.assert_secret_nowhere(secret, &[&text, &debug]);
        }
    }
}

/// The config with the credential in place of [`CREDENTIAL_REF`], as `floe compile`
/// resolves it.
fn resolve(template: &serde_json::Value, credential: &str) -> serde_json::Value {
    let secrets = std::collections::BTreeMap::from([(
        "hostile_credential".to_owned(),
        floe_core::secret::Secret::new(credential.to_owned()),
    )]);
    let resolved = floe_core::plugin::resolve_references(
        "plugins.hostile.config",
        template,
        &secrets,
        &|_: &str| None,
    )
    .expect("the row's config resolves");
    resolved.decode("hostile").expect("a resolved config is JSON")
}

/// `floe compile` of a manifest selecting the row's plugin, configured for a hostile
/// peer with a planted credential, writes artifacts without it.
///
/// # Panics
/// When compile refuses the config or the artifacts hold the credential.
pub(crate) fn compile_row(row: &Row) {
    // Nothing listens there for long: compiling must not call it.
    let peer = HostilePeer::start(Behaviour::Stall);
    let credential = planted_secret();
    let artifacts = compile(row, &(row.config)(&peer.url("")), &credential);
    assert!(artifacts.contains(&format!("\"name\": \"{}\"", row.kind)), "{artifacts}");
    assert_text_clean(&format!("{}: compiled artifacts", row.plugin), &artifacts, &credential);
    assert_eq!(peer.hostile_answers(), 0, "compiling calls no peer");
}

/// The artifacts `floe compile` writes for a manifest selecting the row's plugin with
/// `template` (the credential coming from `FLOE_SECRET_HOSTILE_CREDENTIAL`).
fn compile(row: &Row, template: &serde_json::Value, credential: &str) -> String {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let manifest = dir.path().join("manifest.yaml");
    let output = dir.path().join("artifacts.json");
    let text = format!(
        "api_version: floe/v1\nplatform: {{ name: hostile, namespace: hostile }}\nplugins:\n  {}:\n    - type: {}\n      config: {template}\n",
        row.category, row.kind
    );
    std::fs::write(&manifest, text).expect("the manifest is written");
    let registry = floe_core::plugin::registered();
    let env =
        |name: &str| (name == "FLOE_SECRET_HOSTILE_CREDENTIAL").then(|| credential.to_owned());
    floe_core::compile::compile(&floe_core::compile::CompileRequest {
        manifest: &manifest,
        output: Some(&output),
        registry: &registry,
        env: &env,
    })
    .unwrap_or_else(|error| {
        panic!("{}: floe compile refuses the row's config: {error}", row.plugin)
    });
    std::fs::read_to_string(&output).expect("the artifacts are written")
}

/// Defines one test per behaviour for `$row`: the standard behaviours, or the ones
/// listed (`name => behaviour`), with the test that compiled artifacts hold no credential
/// (`cases:` leaves that test out, for a second row of the same plugin).
macro_rules! hostile_rows {
    (cases: $row:path; $($name:ident => $behaviour:expr),+ $(,)?) => {
        $(
            #[test]
            fn $name() {
                $crate::hostile::run_row(&$row, stringify!($name), $behaviour);
            }
        )+
    };
    ($row:path) => {
        hostile_rows!($row;
            echo_unauthorized => Behaviour::Echo { status: 401 },
            echo_forbidden_as_text => Behaviour::EchoText { status: 403 },
            echo_refused => Behaviour::Echo { status: 400 },
            echo_failed => Behaviour::Echo { status: 500 },
            echo_unavailable_after_retries => Behaviour::Echo { status: 503 },
            redirect_found_elsewhere => Behaviour::Redirect { status: 302 },
            redirect_temporary_elsewhere => Behaviour::Redirect { status: 307 },
            huge_body_declared => Behaviour::HugeBody { status: 200, declared: true },
            huge_body_streamed => Behaviour::HugeBody { status: 200, declared: false },
            huge_error_body => Behaviour::HugeBody { status: 500, declared: false },
            dribble_past_the_timeout => Behaviour::Dribble,
            stall_past_the_timeout => Behaviour::Stall,
            malformed_json => Behaviour::MalformedJson,
            truncated_json => Behaviour::TruncatedJson,
            wrong_shape_json => Behaviour::WrongShapeJson,
            close_mid_answer => Behaviour::CloseMidAnswer,
        );
    };
    ($row:path; $($name:ident => $behaviour:expr),+ $(,)?) => {
        #[test]
        fn compiled_artifacts_hold_no_credential() {
            $crate::hostile::compile_row(&$row);
        }
        $(
            #[test]
            fn $name() {
                $crate::hostile::run_row(&$row, stringify!($name), $behaviour);
            }
        )+
    };
}
pub(crate) use hostile_rows;
