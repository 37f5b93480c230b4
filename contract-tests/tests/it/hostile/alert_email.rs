//! floe-alert-email against a hostile SMTP server ([`super::smtp`]). The credential is
//! the SMTP password, sent with `AUTH PLAIN`; the send and the health check (connect,
//! `EHLO`, `AUTH`, `NOOP`) both meet the hostile server.
//!
//! Behaviours of the HTTP peer that cannot apply to SMTP are left out: SMTP has no
//! redirects and no JSON, and its replies are lines, not bodies (a 50 MB reply is
//! `endless_reply`).

use std::time::Duration;

use floe_alert_email::{EmailAlertPlugin, EmailConfig};
use floe_core::plugin::Lifecycle as _;
use floe_core::plugin::categories::AlertChannel as _;
use floe_otel_testkit::fixtures::contract_violation;
use floe_otel_testkit::hostile::When;

use super::smtp::{HostileSmtp, SmtpBehaviour};
use super::{CREDENTIAL_REF, Op, Row, Run, compile_row, health, outcome, run_cases};

pub(crate) const ROW: Row = Row {
    plugin: "alert-email",
    category: "alert_channel",
    kind: "email",
    config: |url| {
        let authority = url.split("://").last().unwrap_or(url).trim_end_matches('/');
        let (host, port) = authority.rsplit_once(':').expect("host:port");
        serde_json::json!({
            "host": host, "port": port.parse::<u16>().expect("a port"), "tls": "none",
            "from": "alerts@floe.example.com", "to": ["oncall@data.example.com"],
            "username": "floe", "password": CREDENTIAL_REF,
            "timeout_secs": 2, "max_attempts": 2,
        })
    },
    timeout: Duration::from_secs(2),
    ops: &[
        op("send", "alert.send", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { outcome(plugin.send(&contract_violation()).await) })
        }),
        op("health_check", "alert.health_check", |config, _| {
            let plugin = plugin(config);
            Box::pin(async move { health(plugin.health_check().await) })
        }),
        // validate_config talks to no server.
    ],
};

const fn op(
    name: &'static str,
    span: &'static str,
    run: fn(serde_json::Value, String) -> Run,
) -> Op {
    Op { name, span, when: When::Always, normal: None, run }
}

fn plugin(config: serde_json::Value) -> EmailAlertPlugin {
    let config: EmailConfig = serde_json::from_value(config).expect("the row's config decodes");
    EmailAlertPlugin::new(config).expect("the row's config is valid")
}

fn run(name: &str, behaviour: SmtpBehaviour, words: &[&str]) {
    let words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    run_cases(&ROW, name, &words, &|_: &Op, _: &str| HostileSmtp::start(behaviour));
}

#[test]
fn compiled_artifacts_hold_no_credential() {
    compile_row(&ROW);
}

#[test]
fn echo_auth_refused() {
    run("echo_auth_refused", SmtpBehaviour::EchoAuth, &["rejected the mail", "535"]);
}

#[test]
fn dribble_past_the_timeout() {
    run("dribble_past_the_timeout", SmtpBehaviour::Dribble, &["did not answer in time"]);
}

#[test]
fn stall_past_the_timeout() {
    run("stall_past_the_timeout", SmtpBehaviour::Stall, &["did not answer in time"]);
}

#[test]
fn endless_reply() {
    run(
        "endless_reply",
        SmtpBehaviour::EndlessReply,
        &["response line too long", "did not answer in time"],
    );
}

#[test]
fn close_mid_reply() {
    run("close_mid_reply", SmtpBehaviour::CloseMidReply, &["incomplete response"]);
}
