//! Sanitizer throughput on a realistic message mix, and time on 1 MB adversarial inputs.
//!
//! `cargo bench -p floe-core --bench sanitize`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use floe_telemetry::{sanitize_error_message, sanitize_with_max_len};

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

fn adversarial(kind: &str) -> String {
    const SIZE: usize = 1 << 20;
    let unit = match kind {
        "kv_without_values" => "password= ",
        "nested_safe_keys" => "secret_name=",
        "at_signs" => "a://@",
        "unterminated_pem" => "-----BEGIN RSA PRIVATE KEY-----",
        "unterminated_quote" => "\"password\": \"\\\\",
        "long_token" => "Ab1",
        "email_like" => "a.b@c",
        _ => unreachable!("unknown adversarial input"),
    };
    unit.repeat(SIZE / unit.len() + 1)[..SIZE].to_owned()
}

fn bench(c: &mut Criterion) {
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
    for kind in [
        "kv_without_values",
        "nested_safe_keys",
        "at_signs",
        "unterminated_pem",
        "unterminated_quote",
        "long_token",
        "email_like",
    ] {
        let input = adversarial(kind);
        group.bench_function(kind, |b| {
            b.iter(|| black_box(sanitize_with_max_len(black_box(&input), usize::MAX)));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
