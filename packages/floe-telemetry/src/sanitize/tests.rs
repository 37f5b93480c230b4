//! Table-driven tests for every credential shape and for what must stay readable.

use super::{ELLIPSIS, MARKER, sanitize_error_message, sanitize_with_max_len};

/// Asserts that the sanitized form of `input` is exactly `expected`.
#[track_caller]
fn redacts_to(input: &str, expected: &str) {
    let out = sanitize_error_message(input);
    assert_eq!(out.as_str(), expected, "input: {input:?}");
    assert_eq!(sanitize_error_message(out.as_str()).as_str(), expected, "not idempotent");
}

/// Asserts that `input` comes out unchanged.
#[track_caller]
fn survives(input: &str) {
    redacts_to(input, input);
}

#[test]
fn url_userinfo_with_url_hostile_password_is_redacted_and_host_kept() {
    redacts_to(
        "connect failed: postgres://app:p@ss/w0rd@db:5432/x",
        "connect failed: postgres://<REDACTED>@db:5432/x",
    );
    redacts_to("redis://:hunter2@cache:6379/0", "redis://<REDACTED>@cache:6379/0");
    redacts_to(
        "https://TOKEN123@git.example.com/repo.git",
        "https://<REDACTED>@git.example.com/repo.git",
    );
    redacts_to("mysql://root:a%40b%3Ac@10.0.0.1/db", "mysql://<REDACTED>@10.0.0.1/db");
    redacts_to("amqp://user:pa:ss@mq", "amqp://<REDACTED>@mq");
    redacts_to(
        "see 'postgresql://u:it's@h/db' for details",
        "see 'postgresql://<REDACTED>@h/db' for details",
    );
}

#[test]
fn urls_without_credentials_survive() {
    survives("GET https://api.example.com:8443/v1/items?page=2 returned 503");
    survives("npm ERR! 404 https://registry.npmjs.org/@scope/pkg not found");
    survives("connecting to db.internal:5432 timed out after 30s");
}

#[test]
fn key_value_secrets_are_redacted_in_every_notation() {
    redacts_to("password=secret123", "password=<REDACTED>");
    redacts_to("PASSWORD: hunter2 rejected", "PASSWORD: <REDACTED> rejected");
    redacts_to(
        r#"{"password": "p a s s", "user": "bob"}"#,
        r#"{"password": "<REDACTED>", "user": "bob"}"#,
    );
    redacts_to("{'client_secret': 'x y z', 'id': 3}", "{'client_secret': '<REDACTED>', 'id': 3}");
    redacts_to(r#"password="with spaces inside" end"#, r#"password="<REDACTED>" end"#);
    redacts_to(r#"token="esc\"aped" end"#, r#"token="<REDACTED>" end"#);
    redacts_to(
        "secret_key=abc api_key=def access_key=ghi",
        "secret_key=<REDACTED> api_key=<REDACTED> access_key=<REDACTED>",
    );
    redacts_to(
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG",
        "aws_secret_access_key = <REDACTED>",
    );
    redacts_to(
        "clientSecret=abc accessToken=def dbPassword=ghi",
        "clientSecret=<REDACTED> accessToken=<REDACTED> dbPassword=<REDACTED>",
    );
    redacts_to(
        "x-api-key: k1 apikey=k2 X-Auth-Token: k3",
        "x-api-key: <REDACTED> apikey=<REDACTED> X-Auth-Token: <REDACTED>",
    );
    redacts_to(
        "credentials => {\"user\": \"app\", \"password\": \"p4ss w0rd\"} done",
        "credentials => {\"user\": \"app\", \"password\": \"<REDACTED>\"} done",
    );
    redacts_to(
        "private_key_id: 12ab, passwd=x pwd=y",
        "private_key_id: <REDACTED>, passwd=<REDACTED> pwd=<REDACTED>",
    );
    redacts_to("session=abc; signature=def", "session=<REDACTED>; signature=<REDACTED>");
    redacts_to(
        "Server=db;User Id=app;Password=Sup3r;Database=x",
        "Server=db;User Id=app;Password=<REDACTED>;Database=x",
    );
    redacts_to(
        "AccountKey=Zm9vYmFy==;EndpointSuffix=core",
        "AccountKey=<REDACTED>;EndpointSuffix=core",
    );
}

#[test]
fn query_string_secrets_are_redacted_without_eating_the_rest() {
    redacts_to(
        "access_token=a&refresh_token=b&page=2",
        "access_token=<REDACTED>&refresh_token=<REDACTED>&page=2",
    );
    redacts_to(
        "GET https://bucket.s3.amazonaws.com/k?X-Amz-Credential=AKID%2F2024&X-Amz-Signature=abcdef&X-Amz-Expires=60",
        "GET https://bucket.s3.amazonaws.com/k?X-Amz-Credential=<REDACTED>&X-Amz-Signature=<REDACTED>&X-Amz-Expires=60",
    );
    redacts_to(
        "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=AbC%2Bd%3D",
        "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=<REDACTED>",
    );
    redacts_to(
        "https://s3.amazonaws.com/b/k?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=x%2By&Expires=1",
        "https://s3.amazonaws.com/b/k?AWSAccessKeyId=<REDACTED>&Signature=<REDACTED>&Expires=1",
    );
}

#[test]
fn http_headers_are_redacted_and_the_scheme_kept() {
    redacts_to("Authorization: Bearer abc.def.ghi", "Authorization: Bearer <REDACTED>");
    redacts_to(
        "authorization: Basic dXNlcjpwYXNz\nnext line",
        "authorization: Basic <REDACTED>\nnext line",
    );
    redacts_to(
        "Proxy-Authorization: Digest username=\"a\", response=\"b\"",
        "Proxy-Authorization: Digest <REDACTED>",
    );
    redacts_to(r#"{"Authorization": "Bearer abc"}"#, r#"{"Authorization": "Bearer <REDACTED>"}"#);
    redacts_to("Cookie: sid=abc; theme=dark", "Cookie: <REDACTED>");
    redacts_to("Set-Cookie: sid=abc; HttpOnly", "Set-Cookie: <REDACTED>");
    redacts_to(
        "request had bearer eyJhbGciOi.xyz123 attached",
        "request had bearer <REDACTED> attached",
    );
    redacts_to("PRIVATE-TOKEN: glpat-abc", "PRIVATE-TOKEN: <REDACTED>");
}

#[test]
fn webhook_urls_lose_their_secret_path() {
    redacts_to(
        "POST https://hooks.slack.com/services/T000/B000/XXXXXXXX failed",
        "POST https://hooks.slack.com/services/<REDACTED> failed",
    );
    redacts_to(
        "https://discord.com/api/webhooks/1234/abcd-efgh",
        "https://discord.com/api/webhooks/<REDACTED>",
    );
    redacts_to(
        "https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/x/y",
        "https://contoso.webhook.office.com/webhookb2/<REDACTED>",
    );
}

#[test]
fn provider_token_shapes_are_redacted_on_their_own() {
    let cases = [
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB",
        "github_pat_11ABCDEFG0123456789_abcdefghijkl",
        "glpat-abcdefghij0123456789",
        "xoxb-123456789012-abcdefghijklmnop",
        "sk_live_0123456789abcdefABCD",
        "AIzaSyA0123456789abcdefghijklmnopqrstuv",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "sk-proj-abcdefghijklmnopqrstuvwxyz012345",
        "npm_abcdefghijklmnopqrstuvwxyz0123456789",
    ];
    for token in cases {
        redacts_to(
            &format!("call failed with {token} in request"),
            "call failed with <REDACTED> in request",
        );
    }
}

#[test]
fn private_key_blocks_are_redacted_whole_even_when_cut_off() {
    redacts_to(
        "bad key -----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY----- in config",
        "bad key <REDACTED> in config",
    );
    redacts_to("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n", "<REDACTED>");
    survives("-----BEGIN PUBLIC KEY----- is not secret");
}

#[test]
fn email_local_parts_are_redacted() {
    redacts_to(
        "550 5.1.1 <bob.smith+ops@corp.example.com>: Recipient address rejected",
        "550 5.1.1 <<REDACTED>@corp.example.com>: Recipient address rejected",
    );
}

#[test]
fn ordinary_messages_stay_readable() {
    survives("password policy requires 12 characters");
    survives("token bucket exhausted, retry in 5s");
    survives("secret not found: prod/db/password");
    survives("secret_name=prod/db key_name=password token_type=bearer");
    survives("failed to resolve ${secret:db_password} and ${env:HOME}");
    survives("dbt: PASS=5 WARN=0 ERROR=1 SKIP=0 TOTAL=6");
    survives("Bearer authentication failed for realm floe");
    survives("Key (id)=(5) already exists.");
    survives("design=blue compass=north passwordless=true");
    survives("");
    survives("ünïcödé message with emoji 🦀 and CJK 数据");
}

#[test]
fn truncation_counts_characters_and_never_splits_one() {
    let long = "é".repeat(600);
    let out = sanitize_error_message(&long);
    assert_eq!(out.as_str().chars().count(), 500);
    assert!(out.as_str().ends_with(ELLIPSIS));
    assert_eq!(sanitize_with_max_len("abc", 3).as_str(), "abc");
    assert_eq!(sanitize_with_max_len("abcd", 3).as_str(), "ab…");
    assert_eq!(sanitize_with_max_len("abcd", 0).as_str(), "");
}

#[test]
fn truncation_never_leaves_part_of_a_secret_or_a_marker() {
    let input = format!("{}password=hunter2hunter2 tail", "x".repeat(490));
    for max_len in 480..520 {
        let out = sanitize_with_max_len(&input, max_len);
        let text = out.as_str();
        assert!(!text.contains("hunter"), "{max_len}: {text}");
        assert!(text.chars().count() <= max_len);
        let cut_marker = text.trim_end_matches(ELLIPSIS).ends_with('<')
            || (text.contains("<R") && !text.contains(MARKER));
        assert!(!cut_marker, "{max_len}: marker cut in {text}");
        assert_eq!(
            sanitize_with_max_len(text, max_len).as_str(),
            text,
            "{max_len}: not idempotent"
        );
    }
}

#[test]
fn truncation_inside_a_quoted_or_header_value_is_a_fixed_point() {
    for input in [
        r#"{"password": "hunter2hunter2"}"#,
        "Authorization: Bearer abcdefgh12345678",
        "Cookie: a=b",
        "https://hooks.slack.com/services/T/B/X",
    ] {
        for max_len in 1..input.len() + 12 {
            let once = sanitize_with_max_len(input, max_len);
            let twice = sanitize_with_max_len(once.as_str(), max_len);
            assert_eq!(once, twice, "{input} at {max_len}");
            assert_ne!(once.as_str(), MARKER, "{input} at {max_len} fell back to the marker");
        }
    }
}
