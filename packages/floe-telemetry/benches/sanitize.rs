//! Sanitizer speed: (a) one typical 100-byte message, (b) 1 MB of log text holding no
//! credential, (c) a realistic mix of error messages, (d) 1 MB adversarial inputs.
//!
//! `cargo bench -p floe-telemetry --bench sanitize`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use floe_telemetry::{sanitize_error_message, sanitize_with_max_len};

/// Typical messages of about 100 bytes: plain, with a key word that is no credential, with a
/// key/value credential, with URL user info.
const TYPICAL: &[(&str, &str)] = &[
    (
        "plain",
        "connection refused (os error 111) while connecting to 127.0.0.1:5432 for model orders",
    ),
    (
        "key_word",
        "secret \"db-password\" not found in namespace prod; token bucket exhausted, retry in 5s",
    ),
    (
        "key_value",
        "login rejected for user=loader password=Tr0ub4dor&3 host=db.internal port=5432 (retry)",
    ),
    (
        "userinfo",
        "could not connect using postgresql://loader:hunter2@db.internal:5432/analytics (timeout)",
    ),
];

/// Error messages the way plugins see them: most carry no secret at all.
const MIX: &[&str] = &[
    "connection refused (os error 111) while connecting to 127.0.0.1:5432",
    "HTTP status client error (404 Not Found) for url (https://api.example.com/v2/alerts)",
    "dbt run failed: Database Error in model orders (models/orders.sql) relation \"raw.orders\" does not exist",
    "connect failed: postgres://app:p@ss/w0rd@db.internal:5432/warehouse?sslmode=require",
    "token bucket exhausted, retry in 5s",
    "secret not found: prod/db/password",
    "invalid config: expected a string at line 12 column 3 for key `plugins.compute.config.threads`",
    "request failed: {\"client_id\": \"floe\", \"client_secret\": \"s3cr3t value\", \"grant_type\": \"client_credentials\"}",
    "POST https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX returned 404 no_service",
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "Kubernetes API returned 403: secrets \"db-credentials\" is forbidden: User \"system:serviceaccount:floe:runner\" cannot get resource",
    "timeout after 30s waiting for https://catalog.example.com/api/catalog/v1/config?warehouse=lake",
    "SMTP error 550 5.1.1 <ops-team@example.com>: Recipient address rejected: User unknown",
    "GET https://bucket.s3.amazonaws.com/k?X-Amz-Credential=AKID%2F2024&X-Amz-Signature=abcdef0123&X-Amz-Expires=60 failed",
    "Great Expectations suite orders_suite failed: 3 of 12 expectations unmet on table analytics.orders",
    "io error: No such file or directory (os error 2): /var/lib/floe/artifacts/compiled_artifacts.json",
];

/// Log lines of a platform run with no credential: dbt, Dagster, Kubernetes, DuckDB,
/// HTTP, Python and Rust errors, some with key words that name no secret.
const LOG: &[&str] = &[
    "10:42:01  Running with dbt=1.8.2",
    "10:42:02  Found 42 models, 118 data tests, 12 sources, 0 exposures, 0 metrics, 617 macros",
    "10:42:03  1 of 42 START sql table model analytics.stg_orders ............................ [RUN]",
    "10:42:05  1 of 42 OK created sql table model analytics.stg_orders ....................... [SELECT 1204 in 1.92s]",
    "10:42:06  2 of 42 ERROR creating sql incremental model analytics.fct_orders ............. [ERROR in 0.41s]",
    "2024-05-01 10:42:07 +0000 - dagster - DEBUG - orders_job - 6f1c2d3e-8a9b-4c0d-9e1f-2a3b4c5d6e7f - load_orders - STEP_START",
    "Catalog Error: Table with name orders does not exist! Did you mean \"order_items\"?",
    "Traceback (most recent call last):\n  File \"/app/pipeline.py\", line 42, in run\n    rows = source.fetch(limit=100)\nValueError: invalid literal for int() with base 10: 'abc'",
    "pipeline orders_pipeline load step failed: LoadClientJobFailed: Job for orders_20240101 failed terminally in load 1700000000.123",
    "Warning  BackOff  3m (x12 over 5m)  kubelet  Back-off restarting failed container runner in pod floe-runner-7d9f8c6b5-x2x9k_prod",
    "GET https://catalog.example.com/api/catalog/v1/namespaces/analytics/tables/orders 200 OK in 38ms",
    "thread 'main' panicked at src/main.rs:10:5: called `Result::unwrap()` on an `Err` value: Os { code: 2, kind: NotFound }",
    "connection to server at \"db.internal\" (10.0.0.5), port 5432 failed: Connection refused",
    "Error from server (NotFound): secrets \"warehouse-creds\" not found",
    "FATAL:  password authentication failed for user \"loader\"",
    "usage: prompt_tokens=1532 completion_tokens=211 total_tokens=1743",
];

fn log_text(size: usize) -> String {
    let mut text = String::with_capacity(size + 256);
    for line in LOG.iter().cycle() {
        if text.len() >= size {
            break;
        }
        text.push_str(line);
        text.push('\n');
    }
    text.truncate(size);
    text
}

/// Inputs built to make a sanitizer work hard: key words without values, unterminated
/// quotes and blocks, runs of `@`, token prefixes without bodies, nested braces.
const ADVERSARIAL: &[(&str, &str)] = &[
    ("kv_without_values", "password= "),
    ("nested_safe_keys", "secret_name="),
    ("at_signs", "a://@"),
    ("unterminated_pem", "-----BEGIN RSA PRIVATE KEY-----"),
    ("unterminated_quote", "\"password\": \"\\\\"),
    ("escaped_quotes", "token \"\\\""),
    ("long_token", "Ab1"),
    ("email_like", "a.b@c"),
    ("key_words", "key token secret "),
    ("credential_braces", "token {"),
    ("flags", " -p -u --user "),
    ("token_prefixes", "ghp_sk-AKIAeyJ."),
    ("webhooks", "hooks/"),
    ("crypt_hashes", "$2y$"),
];

fn adversarial(unit: &str) -> String {
    const SIZE: usize = 1 << 20;
    unit.repeat(SIZE / unit.len() + 1)[..SIZE].to_owned()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("sanitize_typical_100b");
    for (name, message) in TYPICAL {
        group.throughput(Throughput::Bytes(message.len() as u64));
        group.bench_function(*name, |b| {
            b.iter(|| black_box(sanitize_error_message(black_box(message))));
        });
    }
    group.finish();

    let text = log_text(1 << 20);
    let mut group = c.benchmark_group("sanitize_clean_1mb");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("log_without_credentials", |b| {
        b.iter(|| black_box(sanitize_with_max_len(black_box(&text), usize::MAX)));
    });
    group.finish();

    let total: usize = MIX.iter().map(|m| m.len()).sum();
    let mut group = c.benchmark_group("sanitize");
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("realistic_mix", |b| {
        b.iter(|| {
            for message in MIX {
                black_box(sanitize_error_message(black_box(message)));
            }
        });
    });
    group.finish();

    let mut group = c.benchmark_group("sanitize_adversarial_1mb");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(1 << 20));
    for (name, unit) in ADVERSARIAL {
        let input = adversarial(unit);
        group.bench_function(*name, |b| {
            b.iter(|| black_box(sanitize_with_max_len(black_box(&input), usize::MAX)));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
