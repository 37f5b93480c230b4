//! Tracing overhead on real operations (FR-024, SC-006).
//!
//! Each row runs a real operation with telemetry off (the global `TracerFactory` in its
//! default no-op state) and on (an SDK provider with the batch span processor and an
//! exporter that discards, installed in `TracerFactory::global()`). Criterion measures
//! each variant; then the report runs both variants interleaved, round after round in
//! this one process, with a third: the spans one run of the operation emits, replayed as
//! raw SDK spans on the same provider (`raw.rs`), the SDK's floor for that operation.
//!
//! The bench runs with the `floe` binary's allocator (mimalloc), as the operations do in
//! production.
//!
//! The budget (FR-024, issue 22): an operation's median overhead is at most 5 %; an
//! operation whose run takes less than 10 µs without telemetry, where one span alone is
//! more than 5 %, instead adds at most 1.2 times its raw spans' cost. The table says which
//! budget each row is held to; the bench exits 1 when a row is over it.
//!
//! `cargo bench -p contract-tests --bench overhead [-- <filter>]` (rows whose name contains
//! the filter; criterion's options pass through).
//!
//! Instruction counts, which a loaded machine does not change: with
//! `FLOE_OVERHEAD_COUNT=<row>:<off|on|raw>:<iterations>` the bench binary only runs that
//! variant of that row, after a fifth as many unmeasured runs (at most 200), inside
//! `counted_runs`, for `valgrind --tool=callgrind --collect-atstart=no
//! --toggle-collect='*counted_runs*'` (README, "Tracing overhead", has the commands and
//! the counts).
//!
//! This bench lives in contract-tests because that crate links every plugin: a plugin
//! operation becomes a row by adding a `Row` to `ROWS` whose `setup` builds the plugin
//! (against its loopback peer, which the closure keeps alive) and returns the operation.
//!
//! The rows are real operations: `floe compile` of the example platform (config decoding
//! of every plugin, the audit, the artifacts), the webhook plugin's signed `CloudEvent`
//! delivery to a loopback receiver (accepted, and rejected with a token in the URL's query:
//! the error path through the sanitizer), the DuckDB plugin's dbt profile, and the
//! Kubernetes `NetworkPolicy` documents of the network-security plugin.
#![expect(clippy::print_stdout, reason = "the bench prints its report on stdout")]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use contract_tests as _;
use criterion::Criterion;
use floe_alert_webhook::{WebhookAlertPlugin, WebhookConfig};
use floe_compute_duckdb::{DuckDbCompute, DuckDbConfig};
use floe_core::compile::{CompileRequest, compile};
use floe_core::plugin::categories::{AlertChannel as _, Compute as _, NetworkSecurity as _};
use floe_core::telemetry::{ProcessEnv, TracerFactory};
use floe_network_security_k8s::{NetworkSecurityConfig, NetworkSecurityPlugin};
use floe_otel_testkit::fixtures::contract_violation;
use floe_otel_testkit::http::LoopbackServer;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};

/// The `floe` binary's allocator: the rows are the binary's operations, and under glibc's
/// allocator the batch processor's export thread, freeing spans the operation's thread
/// allocated, slowed the operations themselves (`packages/floe-cli/src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "overhead/raw.rs"]
mod raw;

/// The highest acceptable overhead: `with / without`.
const LIMIT: f64 = 1.05;

/// Below this run time (without telemetry) an operation is held to [`FLOOR_LIMIT`] instead.
const SHORT_NS: f64 = 10_000.0;

/// The most a short operation may add, as a multiple of its spans' raw SDK cost.
const FLOOR_LIMIT: f64 = 1.2;

/// Interleaved rounds of the report (odd, for the median).
const ROUNDS: usize = 101;

/// How long one variant runs in one round.
const ROUND_TIME: Duration = Duration::from_millis(10);

/// One operation.
struct Row {
    /// The name in the table.
    name: &'static str,
    /// What it runs.
    what: &'static str,
    /// Builds the operation (and its peer); the closure runs it once.
    setup: fn() -> Box<dyn FnMut()>,
}

const ROWS: &[Row] = &[
    Row {
        name: "compile",
        what: "floe compile of examples/platform/manifest.yaml, in process, with every plugin contract-tests links: load, validate, resolve (config decoding), audit, assemble, write the artifacts (to tmpfs: a disk write costs ~2.5 ms on the test VM and its jitter swamps the comparison)",
        setup: compile_example,
    },
    Row {
        name: "webhook_delivery",
        what: "floe-alert-webhook: a contract violation as a signed CloudEvent POSTed to a loopback receiver (keep-alive client)",
        setup: webhook_delivery,
    },
    Row {
        name: "webhook_rejected",
        what: "the same delivery answered 403, with a token in the URL's query: the error path, its message sanitized onto the span as status and exception event",
        setup: webhook_rejected,
    },
    Row {
        name: "duckdb_profile",
        what: "floe-compute-duckdb: the dbt-duckdb profile (settings, extensions, a secret setting as an env_var reference)",
        setup: duckdb_profile,
    },
    Row {
        name: "network_policies",
        what: "floe-network-security-k8s: the NetworkPolicies of the example platform as typed Kubernetes documents, serialized",
        setup: network_policies,
    },
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(PathBuf::new, Path::to_path_buf)
}

fn compile_example() -> Box<dyn FnMut()> {
    let manifest = workspace_root().join("examples/platform/manifest.yaml");
    // tmpfs where there is one: the disk write's jitter would swamp the comparison.
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() }
        .expect("a temporary directory for the artifacts");
    let output = dir.path().join("compiled_artifacts.json");
    let registry = floe_core::plugin::registered();
    Box::new(move || {
        let _keep = &dir;
        let request = CompileRequest {
            manifest: &manifest,
            output: Some(&output),
            registry: &registry,
            env: &ProcessEnv,
        };
        black_box(compile(&request).expect("the example manifest compiles"));
    })
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime")
}

fn delivery(path: &'static str, ok: bool) -> Box<dyn FnMut()> {
    let server = LoopbackServer::start(
        Router::new()
            .route("/hooks/alert", post(|| async { StatusCode::OK }))
            .route("/hooks/rejected", post(|| async { StatusCode::FORBIDDEN })),
    );
    let url = format!("http://{}{path}", server.addr());
    let mut config = WebhookConfig::new(url).with_signing_secret("FLOEBENCH-signing-key");
    config.max_attempts = 1;
    let plugin = WebhookAlertPlugin::new(config).expect("a valid webhook config");
    let violation = contract_violation();
    let runtime = current_thread();
    Box::new(move || {
        let _keep = &server;
        let result = runtime.block_on(plugin.send(&violation));
        assert_eq!(result.is_ok(), ok, "unexpected delivery outcome: {result:?}");
        black_box(result.ok());
    })
}

fn webhook_delivery() -> Box<dyn FnMut()> {
    delivery("/hooks/alert", true)
}

fn webhook_rejected() -> Box<dyn FnMut()> {
    // A webhook URL may not carry user info (floe compile refuses it); a token in the
    // query is what such URLs carry instead, and the refusal is sanitized onto the span.
    delivery("/hooks/rejected?token=FLOEBENCH-s3cr3t-token", false)
}

fn duckdb_profile() -> Box<dyn FnMut()> {
    let mut config = DuckDbConfig::new("/var/lib/floe/warehouse.duckdb");
    config.extensions = vec!["iceberg".to_owned(), "httpfs".to_owned()];
    config.settings.insert("memory_limit".to_owned(), "2GB".to_owned());
    config
        .secret_settings
        .insert("s3_secret_access_key".to_owned(), "FLOEBENCH-s3".to_owned().into());
    let plugin = DuckDbCompute::new(config).expect("a valid DuckDB config");
    Box::new(move || {
        black_box(plugin.generate_profile("dev").expect("a profile"));
    })
}

fn network_policies() -> Box<dyn FnMut()> {
    let config: NetworkSecurityConfig = serde_json::from_value(serde_json::json!({
        "namespaces": ["floe-platform", "floe-jobs"],
        "platform_namespace": "floe-platform",
        "kubernetes_api": { "cidr": "10.96.0.1/32" },
        "https_egress": ["floe-jobs"],
        "egress_rules": [
            { "name": "warehouse", "namespaces": ["floe-jobs"], "cidr": "10.20.0.0/16", "ports": [{ "port": 5432 }] }
        ]
    }))
    .expect("a valid network-security config");
    let plugin = NetworkSecurityPlugin::new(config);
    Box::new(move || {
        black_box(plugin.network_policies().expect("the policies"));
    })
}

/// An exporter that drops every batch: the cost measured is the instrumentation's and the
/// SDK's, not a collector's.
#[derive(Debug)]
struct Discard;

impl SpanExporter for Discard {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        drop(black_box(batch));
        Ok(())
    }
}

/// Telemetry off or on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Off,
    On,
}

fn switch(mode: Mode, provider: &SdkTracerProvider) {
    match mode {
        Mode::Off => TracerFactory::global().disable(),
        Mode::On => TracerFactory::global().install(provider.clone()),
    }
}

fn time(op: &mut dyn FnMut(), iters: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        op();
    }
    start.elapsed()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The measured line of one row.
struct Line {
    name: &'static str,
    spans: usize,
    ns_without: f64,
    ns_with: f64,
    ratio: f64,
    /// Median over rounds of `with - without`.
    ns_added: f64,
    /// The operation's spans replayed as raw SDK spans.
    ns_raw: f64,
}

impl Line {
    fn is_short(&self) -> bool {
        self.ns_without < SHORT_NS
    }

    /// The budget this row is held to, and how much of it is used.
    fn budget(&self) -> (String, f64) {
        if self.is_short() {
            (
                format!("added ≤ {FLOOR_LIMIT} × raw spans"),
                self.ns_added / self.ns_raw / FLOOR_LIMIT,
            )
        } else {
            (format!("ratio ≤ {LIMIT}"), (self.ratio - 1.0) / (LIMIT - 1.0))
        }
    }

    fn within_budget(&self) -> bool {
        if self.is_short() {
            self.ns_added <= FLOOR_LIMIT * self.ns_raw
        } else {
            self.ratio <= LIMIT
        }
    }
}

/// Whole iterations of `op` that take about [`ROUND_TIME`] (at least one).
fn iterations(op: &mut dyn FnMut()) -> u64 {
    let calibration = time(op, 20);
    let iters = (ROUND_TIME.as_secs_f64() / (calibration.as_secs_f64() / 20.0)).max(1.0);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a small positive count"
    )]
    let iters = iters as u64;
    iters
}

/// One of the three interleaved variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    Off,
    On,
    Raw,
}

impl Variant {
    /// Telemetry for this variant: on only for `On` (the raw spans go to the bench's own
    /// provider, with the factory off).
    fn mode(self) -> Mode {
        if self == Self::On { Mode::On } else { Mode::Off }
    }
}

/// The three variants interleaved, `ROUNDS` times, the order reversed every other round
/// so drift in the machine's load hits them alike; the ratio is the median of the
/// per-round ratios, the added time the median of the per-round differences.
fn interleaved(row: &Row, provider: &SdkTracerProvider) -> Line {
    let mut op = (row.setup)();
    let raw = raw::RawSpans::record(&mut *op, provider);
    let mut replay = || raw.replay();
    switch(Mode::On, provider);
    let iters = iterations(&mut *op);
    let raw_iters = iterations(&mut replay);
    let (mut without, mut with, mut ratios, mut added, mut raws) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let mut order = [Variant::Off, Variant::On, Variant::Raw];
        if round % 2 == 1 {
            order.reverse();
        }
        let mut nanos = [0.0; 3];
        for variant in order {
            #[expect(clippy::cast_precision_loss, reason = "iteration counts are far below 2^52")]
            let per_op = |elapsed: Duration, iters: u64| elapsed.as_secs_f64() * 1e9 / iters as f64;
            switch(variant.mode(), provider);
            nanos[variant as usize] = match variant {
                Variant::Off | Variant::On => per_op(time(&mut *op, iters), iters),
                Variant::Raw => per_op(time(&mut replay, raw_iters), raw_iters),
            };
        }
        without.push(nanos[0]);
        with.push(nanos[1]);
        raws.push(nanos[2]);
        ratios.push(nanos[1] / nanos[0]);
        added.push(nanos[1] - nanos[0]);
    }
    switch(Mode::Off, provider);
    Line {
        name: row.name,
        spans: raw.len(),
        ns_without: median(&mut without),
        ns_with: median(&mut with),
        ratio: median(&mut ratios),
        ns_added: median(&mut added),
        ns_raw: median(&mut raws),
    }
}

/// Criterion's options that take a value (the value is not a filter).
const VALUE_OPTIONS: &[&str] = &[
    "--warm-up-time",
    "--measurement-time",
    "--sample-size",
    "--nresamples",
    "--noise-threshold",
    "--confidence-level",
    "--significance-level",
    "--save-baseline",
    "--baseline",
    "--load-baseline",
    "--profile-time",
    "--output-format",
    "--color",
    "--format",
    "--plotting-backend",
];

/// The rows whose name contains the filter (criterion's positional argument), if any.
fn selected(args: &[String]) -> Vec<&'static Row> {
    let mut filter = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if VALUE_OPTIONS.contains(&arg.as_str()) {
            rest.next();
        } else if !arg.starts_with('-') && filter.is_none() {
            filter = Some(arg.as_str());
        }
    }
    ROWS.iter().filter(|r| filter.is_none_or(|f| r.name.contains(f))).collect()
}

/// Criterion's measurement of each variant of each row.
fn measure(rows: &[&Row], provider: &SdkTracerProvider) {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    for row in rows {
        for (mode, label) in [(Mode::Off, "without"), (Mode::On, "with")] {
            let mut op = (row.setup)();
            criterion.bench_function(&format!("overhead/{}/{label}", row.name), |b| {
                b.iter_custom(|iters| {
                    switch(mode, provider);
                    time(&mut *op, iters)
                });
            });
        }
    }
    switch(Mode::Off, provider);
    criterion.final_summary();
}

/// The interleaved comparison: prints the table; returns the rows over the limit.
fn report(rows: &[&Row], provider: &SdkTracerProvider) -> Vec<String> {
    println!("\nTracing overhead, interleaved in this run (median of {ROUNDS} rounds):\n");
    println!(
        "| operation | spans | ns without | ns with | ratio | ns added | ns raw spans | budget | used |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"
    );
    let mut over = Vec::new();
    for row in rows {
        let line = interleaved(row, provider);
        let (budget, used) = line.budget();
        println!(
            "| {} | {} | {:.0} | {:.0} | {:.3} | {:.0} | {:.0} | {budget} | {:.0} % |",
            line.name,
            line.spans,
            line.ns_without,
            line.ns_with,
            line.ratio,
            line.ns_added,
            line.ns_raw,
            used * 100.0
        );
        if !line.within_budget() {
            over.push(format!("{} ({budget}: {:.0} % of it used)", line.name, used * 100.0));
        }
    }
    println!();
    for row in rows {
        println!("- {}: {}", row.name, row.what);
    }
    over
}

/// The runs callgrind counts (`FLOE_OVERHEAD_COUNT`); kept out of line so its name is
/// in the binary for `--toggle-collect`.
#[inline(never)]
fn counted_runs(op: &mut dyn FnMut(), iterations: u64) {
    for _ in 0..iterations {
        op();
    }
}

/// `FLOE_OVERHEAD_COUNT=<row>:<off|on|raw>:<iterations>`: runs only that, for callgrind.
fn count_only(spec: &str, provider: &SdkTracerProvider) -> Result<(), String> {
    let mut parts = spec.split(':');
    let (Some(name), Some(variant), Some(iterations), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!(
            "FLOE_OVERHEAD_COUNT is <row>:<off|on|raw>:<iterations>, not {spec:?}"
        ));
    };
    let row = ROWS.iter().find(|r| r.name == name).ok_or_else(|| {
        let names: Vec<&str> = ROWS.iter().map(|r| r.name).collect();
        format!("FLOE_OVERHEAD_COUNT: no row {name:?} (rows: {})", names.join(", "))
    })?;
    let variant = match variant {
        "off" => Variant::Off,
        "on" => Variant::On,
        "raw" => Variant::Raw,
        other => return Err(format!("FLOE_OVERHEAD_COUNT: {other:?} is not off, on or raw")),
    };
    let iterations: u64 = iterations
        .parse()
        .map_err(|_| format!("FLOE_OVERHEAD_COUNT: {iterations:?} is not a number of runs"))?;
    let mut op = (row.setup)();
    let raw = raw::RawSpans::record(&mut *op, provider);
    let mut replay = || raw.replay();
    switch(variant.mode(), provider);
    let op: &mut dyn FnMut() = if variant == Variant::Raw { &mut replay } else { &mut *op };
    for _ in 0..(iterations / 5).clamp(1, 200) {
        op();
    }
    counted_runs(op, iterations);
    Ok(())
}

fn main() {
    if let Ok(spec) = std::env::var("FLOE_OVERHEAD_COUNT") {
        let provider = SdkTracerProvider::builder().with_batch_exporter(Discard).build();
        let counted = count_only(&spec, &provider);
        let _ = provider.shutdown();
        if let Err(message) = counted {
            eprintln!("{message}");
            std::process::exit(2);
        }
        return;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rows = selected(&args);
    let provider = SdkTracerProvider::builder().with_batch_exporter(Discard).build();
    measure(&rows, &provider);
    // `cargo bench` passes `--bench`; `--test` (one quick pass) and `--list` get no report.
    let benching =
        args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--list" || a == "--test");
    let over = if benching { report(&rows, &provider) } else { Vec::new() };
    let _ = provider.shutdown();
    if !over.is_empty() {
        eprintln!("tracing overhead over budget: {}", over.join(", "));
        std::process::exit(1);
    }
}
