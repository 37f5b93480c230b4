//! stock-sync's telemetry, tested with floe-otel-testkit: 40 tests, each on its own
//! multi-thread tokio runtime, all in parallel, each checking the spans, events, metrics
//! and secrets of its own sync and nothing else's.
//!
//! No set-up anywhere: the first `Capture::start()` routes `opentelemetry::global`,
//! `tracing` and the global meter to the testkit.

use floe_otel_testkit::{Capture, expect};
use opentelemetry::trace::SpanKind;
use stock_sync::{Answer, Supplier, SyncError, sync};

/// A token unique to one test, sharing no 8 characters with its names (the testkit
/// checks that no part of it leaks).
fn token(case: &str) -> String {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    case.hash(&mut hasher);
    format!("FLOETEST-{:016x}-c2VjcmV0", hasher.finish())
}

/// The SKUs of one test, and the level the feed answers for each.
fn skus(case: &str, count: usize) -> Vec<(String, u32)> {
    (0..count).map(|i| (format!("{case}-sku-{i}"), 10 * u32::try_from(i).unwrap() + 1)).collect()
}

/// Syncs `count` SKUs that all answer, then checks everything the sync left behind.
async fn syncs_every_sku(case: &str, count: usize) {
    let token = token(case);
    let skus = skus(case, count);
    let supplier = Supplier::new(
        format!("{case}-supplier"),
        token.clone(),
        skus.iter().map(|(sku, level)| (sku.clone(), Answer::Level(*level))),
    );
    let asked: Vec<&str> = skus.iter().map(|(sku, _)| sku.as_str()).collect();

    let capture = Capture::start();
    let report = sync(&supplier, &asked).await.expect("every sku answers");

    assert_eq!(report.levels, skus);
    // one sync span (from `#[tracing::instrument]`) with one client span per SKU (from
    // `opentelemetry::global`, in tasks spawned on worker threads) below it, and nothing else
    let mut sync_tree = expect::tree(
        expect::span("stock.sync")
            .root()
            .scope("tracing")
            .attr("supplier", format!("{case}-supplier"))
            .attr("skus", i64::try_from(count).unwrap())
            .event(expect::event("stock synced").attr("level", "INFO")),
    );
    for (sku, level) in &skus {
        sync_tree = sync_tree.child(expect::tree(
            expect::span("supplier.fetch")
                .kind(SpanKind::Client)
                .scope("stock-sync")
                .ok()
                .attr("stock.sku", sku.clone())
                .attr("stock.level", i64::from(*level))
                .exact_attrs()
                .has_attr("supplier.name"),
        ));
    }
    capture.assert_trace_exactly([sync_tree]);
    capture.assert_metric(
        expect::metric("stock.synced")
            .counter()
            .unit("{sku}")
            .point(
                expect::point()
                    .attr("supplier.name", format!("{case}-supplier"))
                    .value(u32::try_from(count).unwrap()),
            )
            .point_count(1),
    );
    capture.assert_no_secret(&token);
    capture.assert_nothing_escaped();
}

/// Syncs SKUs of which the last answers `answer`, and checks the failure is told truly.
async fn fails_on_the_last_sku(case: &str, count: usize, answer: Answer, kind: &str, says: &str) {
    let token = token(case);
    let skus = skus(case, count);
    let failing = skus.last().expect("at least one sku").0.clone();
    let supplier = Supplier::new(
        format!("{case}-supplier"),
        token.clone(),
        skus.iter().map(|(sku, level)| {
            let answer = if *sku == failing { answer } else { Answer::Level(*level) };
            (sku.clone(), answer)
        }),
    );
    let asked: Vec<&str> = skus.iter().map(|(sku, _)| sku.as_str()).collect();

    let capture = Capture::start();
    let error = sync(&supplier, &asked).await.expect_err("the last sku fails");

    assert_eq!(error.kind(), kind);
    let failed = capture.assert_one(
        expect::span("supplier.fetch")
            .kind(SpanKind::Client)
            .parent("stock.sync")
            .attr("stock.sku", failing.clone())
            .attr("error.type", kind.to_owned())
            .no_attr("stock.level")
            .error_description(format!("supplier {case}-supplier {says} sku {failing}")),
    );
    capture.assert_count(expect::span("supplier.fetch").ok().parent("stock.sync"), count - 1);
    // the ERROR event marks the sync span failed; no metric for a failed sync
    capture.assert_one(
        expect::span("stock.sync")
            .error()
            .event_count(expect::event("a sku could not be synced").attr("level", "ERROR"), 1)
            .no_event("stock synced"),
    );
    assert!(capture.metrics().all().is_empty(), "{}", capture.metrics());
    let spans = capture.spans();
    assert_eq!(spans.children(&failed).len(), 0);
    capture.assert_secret_nowhere(&token, &[&error.to_string(), &format!("{error:?}")]);
    capture.assert_nothing_escaped();
}

macro_rules! syncs {
    ($($name:ident: $count:expr;)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            syncs_every_sku(stringify!($name), $count).await;
        }
    )*};
}

macro_rules! fails {
    ($($name:ident: $count:expr, $answer:expr, $kind:literal, $says:literal;)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            fails_on_the_last_sku(stringify!($name), $count, $answer, $kind, $says).await;
        }
    )*};
}

syncs! {
    syncs_1_sku_a: 1; syncs_2_skus_a: 2; syncs_3_skus_a: 3; syncs_4_skus_a: 4;
    syncs_5_skus_a: 5; syncs_6_skus_a: 6; syncs_7_skus_a: 7; syncs_8_skus_a: 8;
    syncs_1_sku_b: 1; syncs_2_skus_b: 2; syncs_3_skus_b: 3; syncs_4_skus_b: 4;
    syncs_5_skus_b: 5; syncs_6_skus_b: 6; syncs_7_skus_b: 7; syncs_8_skus_b: 8;
    syncs_9_skus: 9; syncs_10_skus: 10; syncs_12_skus: 12; syncs_16_skus: 16;
    syncs_20_skus: 20; syncs_32_skus: 32;
}

fails! {
    refused_1: 1, Answer::Unauthorized, "unauthorized", "refused the shop's token for";
    refused_2: 2, Answer::Unauthorized, "unauthorized", "refused the shop's token for";
    refused_3: 3, Answer::Unauthorized, "unauthorized", "refused the shop's token for";
    refused_5: 5, Answer::Unauthorized, "unauthorized", "refused the shop's token for";
    refused_8: 8, Answer::Unauthorized, "unauthorized", "refused the shop's token for";
    refused_13: 13, Answer::Unauthorized, "unauthorized", "refused the shop's token for";
    unavailable_1: 1, Answer::Unavailable, "unavailable", "is unavailable for";
    unavailable_2: 2, Answer::Unavailable, "unavailable", "is unavailable for";
    unavailable_4: 4, Answer::Unavailable, "unavailable", "is unavailable for";
    unavailable_6: 6, Answer::Unavailable, "unavailable", "is unavailable for";
    unavailable_9: 9, Answer::Unavailable, "unavailable", "is unavailable for";
    unavailable_11: 11, Answer::Unavailable, "unavailable", "is unavailable for";
}

fn acme(token: &str) -> Supplier {
    Supplier::new(
        "acme",
        token,
        [("apple".to_owned(), Answer::Level(3)), ("pear".to_owned(), Answer::Level(5))],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_syncs_in_one_test_are_two_trees_and_one_counter() {
    let supplier = acme(&token("twice"));
    let capture = Capture::start();
    sync(&supplier, &["apple", "pear"]).await.unwrap();
    sync(&supplier, &["pear"]).await.unwrap();
    capture.assert_count(expect::span("stock.sync").root(), 2);
    capture.assert_count(expect::span("supplier.fetch").attr("stock.sku", "pear"), 2);
    capture.assert_metric(expect::metric("stock.synced").point(expect::point().value(3)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_the_test_spawns_is_captured_when_bound_to_the_capture() {
    let supplier = acme(&token("bound"));
    let capture = Capture::start();
    let report = tokio::spawn(capture.bind(async move { sync(&supplier, &["apple"]).await }))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.levels, [("apple".to_owned(), 3)]);
    capture.assert_tree(
        expect::tree(expect::span("stock.sync").root())
            .child(expect::tree(expect::span("supplier.fetch").ok()))
            .exact(),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_spawned_without_the_capture_is_not_captured_but_reported() {
    let supplier = acme(&token("lost"));
    let capture = Capture::start();
    // a worker thread has no capture context: this sync's trace is nobody's
    tokio::spawn(async move { sync(&supplier, &["apple"]).await }).await.unwrap().unwrap();
    capture.expect_no_spans();
    capture.assert_none(expect::span("stock.sync"));
    let (_, recent) = floe_otel_testkit::orphans();
    assert!(
        recent.iter().any(|o| o.name == "stock.sync" && o.trace_id != capture.trace_id()),
        "{recent:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_sku_fails_naming_it() {
    let supplier =
        Supplier::new("acme", token("unknown"), [("known".to_owned(), Answer::Level(3))]);
    let capture = Capture::start();
    let error = sync(&supplier, &["known", "mystery"]).await.unwrap_err();
    assert!(matches!(error, SyncError::UnknownSku { ref sku, .. } if sku == "mystery"));
    capture.assert_one(
        expect::span("supplier.fetch")
            .attr("stock.sku", "mystery")
            .error_matching("^supplier acme does not know sku mystery$"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_not_in_debug_events_either() {
    let token = token("debug");
    let supplier = Supplier::new("acme", token.clone(), [("a".to_owned(), Answer::Level(1))]);
    let capture = Capture::start();
    sync(&supplier, &["a"]).await.unwrap();
    // the DEBUG event is captured (failure output hides it; the leak check reads it)
    assert!(
        capture.logs().iter().any(|l| l.starts_with("DEBUG ") && l.contains("asking the supplier"))
    );
    capture.assert_no_secret(&token);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_two_sku_sync_matches_its_reviewed_span_tree() {
    let supplier = Supplier::new(
        "acme",
        token("snapshot"),
        [("apple".to_owned(), Answer::Level(3)), ("pear".to_owned(), Answer::Level(5))],
    );
    let capture = Capture::start();
    sync(&supplier, &["apple", "pear"]).await.unwrap();
    // the two client spans start at nearly the same time, in either order: sort siblings;
    // their DEBUG events land on the sync span in either order: leave them out
    let options = floe_otel_testkit::render::RenderOptions::default()
        .siblings_by_name()
        .events_from(tracing::Level::INFO);
    floe_otel_testkit::assert_span_tree!("two_skus", capture.spans(), options);
    // insta's conventions: `snapshots/` beside this file, `<module>__<name>.snap`
    let snapshot = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/sync__two_skus.snap");
    assert!(snapshot.is_file(), "{}", snapshot.display());
}
