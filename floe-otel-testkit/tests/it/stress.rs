//! 64 tests capturing at once, each on its own thread with its own multi-thread runtime,
//! std threads and `tracing` spans, each asserting it sees exactly its own spans.
//!
//! `scripts/stress-capture` runs these 20 times at `--test-threads=16`.

use std::collections::BTreeSet;

use floe_otel_testkit::Capture;
use floe_telemetry::{DomainSpan, Operation, TracerFactory};
use opentelemetry::trace::{Span as _, Tracer as _};
use opentelemetry_sdk::trace::{IdGenerator as _, RandomIdGenerator};

#[derive(Clone, Copy)]
struct Leaked(&'static str);

impl Operation for Leaked {
    fn span_name(self) -> &'static str {
        self.0
    }
}

fn random_name(tag: &str) -> String {
    format!("{tag}.{}", RandomIdGenerator::default().new_span_id())
}

fn run_isolated(tag: &'static str) {
    let capture = Capture::start();
    let mut expected = BTreeSet::new();
    let tracer = TracerFactory::global().tracer("floe.test.stress");

    // On the test thread, through floe's domain span and the raw API.
    let op = Leaked(Box::leak(random_name(tag).into_boxed_str()));
    DomainSpan::start("floe.test.stress", op).succeed();
    expected.insert(op.0.to_owned());
    for _ in 0..4 {
        let name = random_name(tag);
        tracer.start(name.clone()).end();
        expected.insert(name);
    }

    // On std threads that attach the capture's context.
    let names: Vec<String> = (0..3).map(|_| random_name(tag)).collect();
    std::thread::scope(|scope| {
        for name in &names {
            let cx = capture.context();
            let tracer = tracer.clone();
            scope.spawn(move || {
                let _attached = cx.attach();
                tracer.start(name.clone()).end();
            });
        }
    });
    expected.extend(names);

    // On a multi-thread runtime, in tasks bound to the capture.
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().expect("runtime");
    let task_names: Vec<String> = (0..6).map(|_| random_name(tag)).collect();
    runtime.block_on(async {
        let handles: Vec<_> = task_names
            .iter()
            .cloned()
            .map(|name| {
                let tracer = tracer.clone();
                tokio::spawn(capture.bind(async move {
                    tokio::task::yield_now().await;
                    tracer.start(name).end();
                }))
            })
            .collect();
        for handle in handles {
            handle.await.expect("task");
        }
    });
    expected.extend(task_names);

    // Through `tracing` and tracing-opentelemetry.
    let bridged = random_name(tag);
    tracing::info_span!("stress", otel.name = bridged.as_str()).in_scope(|| {});
    expected.insert(bridged);

    let spans = capture.spans();
    let seen: BTreeSet<String> = spans.all().iter().map(|s| s.name.to_string()).collect();
    assert_eq!(spans.len(), expected.len(), "duplicate or foreign spans: {:?}", spans.names());
    assert_eq!(seen, expected, "capture {tag} saw spans that are not its own, or lost some");
    capture.assert_nothing_escaped();
}

macro_rules! stress_tests {
    ($($name:ident)*) => {
        $(
            #[test]
            fn $name() {
                run_isolated(stringify!($name));
            }
        )*
    };
}

stress_tests! {
    stress_00 stress_01 stress_02 stress_03 stress_04 stress_05 stress_06 stress_07
    stress_08 stress_09 stress_10 stress_11 stress_12 stress_13 stress_14 stress_15
    stress_16 stress_17 stress_18 stress_19 stress_20 stress_21 stress_22 stress_23
    stress_24 stress_25 stress_26 stress_27 stress_28 stress_29 stress_30 stress_31
    stress_32 stress_33 stress_34 stress_35 stress_36 stress_37 stress_38 stress_39
    stress_40 stress_41 stress_42 stress_43 stress_44 stress_45 stress_46 stress_47
    stress_48 stress_49 stress_50 stress_51 stress_52 stress_53 stress_54 stress_55
    stress_56 stress_57 stress_58 stress_59 stress_60 stress_61 stress_62 stress_63
}
