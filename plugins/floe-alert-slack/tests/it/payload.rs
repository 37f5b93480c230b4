//! The Block Kit message Slack receives: its structure, and Slack's limits kept by
//! cutting text rather than failing the delivery.

use std::collections::BTreeMap;

use floe_alert_slack::blocks::{limits, message};
use floe_core::plugin::categories::AlertChannel as _;
use floe_otel_testkit::fixtures::contract_violation;
use serde_json::{Value, json};

use crate::peer::{SlackWebhook, check};
use crate::plugin;

#[tokio::test]
async fn the_message_has_a_severity_header_facts_the_message_and_context() {
    let webhook = SlackWebhook::start(&[]);
    plugin(&webhook.url(), Some("#data-alerts")).send(&contract_violation()).await.unwrap();

    let sent = &webhook.messages()[0];
    check(sent).expect("within Slack's rules");
    assert_eq!(sent["channel"], "#data-alerts");
    assert!(
        sent["text"]
            .as_str()
            .unwrap()
            .starts_with("[CRITICAL] Contract violation: orders_contract")
    );
    let blocks = sent["blocks"].as_array().unwrap();
    let kinds: Vec<&str> = blocks.iter().map(|b| b["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["header", "section", "section", "context"]);
    assert_eq!(blocks[0]["text"]["text"], ":rotating_light: CRITICAL: contract violation");
    let fields: Vec<&str> = blocks[1]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "*Contract*\norders_contract v2.1.0",
            "*Violation*\nschema_drift",
            "*Severity*\ncritical",
            "*Model*\nfct_orders",
            "*column*\namount",
        ]
    );
    assert!(blocks[2]["text"]["text"].as_str().unwrap().contains("changed type"));
    assert_eq!(
        blocks[3]["elements"][0]["text"],
        "Detected 2026-01-15T09:30:00Z by floe data contracts"
    );
}

#[tokio::test]
async fn an_oversized_violation_is_cut_to_the_limits_and_still_delivered() {
    let mut violation = contract_violation();
    violation.message = "<huge> & ".repeat(1000);
    violation.contract_name = "c".repeat(400);
    violation.details = (0..30)
        .map(|i| (format!("k{i:02}"), json!("v".repeat(3000))))
        .collect::<BTreeMap<_, Value>>();
    let webhook = SlackWebhook::start(&[]);

    plugin(&webhook.url(), None).send(&violation).await.expect("cut, not rejected");

    let sent = &webhook.messages()[0];
    check(sent).expect("within Slack's rules");
    let section = sent["blocks"][2]["text"]["text"].as_str().unwrap();
    let len = section.chars().count();
    assert!((limits::SECTION_TEXT - 5..=limits::SECTION_TEXT).contains(&len), "{len}");
    assert!(section.ends_with('…') && section.starts_with("&lt;huge&gt; &amp; "));
    let fields = sent["blocks"][1]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), limits::SECTION_FIELDS);
    assert_eq!(fields[9]["text"], "*More details*\n25 more not shown");
    assert!(
        fields.iter().all(|f| f["text"].as_str().unwrap().chars().count() <= limits::FIELD_TEXT)
    );
    assert!(sent["text"].as_str().unwrap().chars().count() <= limits::FALLBACK_TEXT);
}

#[test]
fn the_peer_enforces_the_limits_it_checks() {
    let header = |text: String| json!({ "text": "t", "blocks": [{ "type": "header", "text": { "type": "plain_text", "text": text } }] });
    assert!(check(&header("x".repeat(150))).is_ok());
    assert!(check(&header("x".repeat(151))).unwrap_err().contains("151 characters"));
    let blocks: Vec<Value> = (0..51).map(|_| json!({ "type": "divider" })).collect();
    assert!(check(&json!({ "text": "t", "blocks": blocks })).unwrap_err().contains("51 blocks"));
    let mut too_many_fields = message(&contract_violation(), None, None);
    too_many_fields["blocks"][1]["fields"] =
        json!(vec![json!({ "type": "mrkdwn", "text": "x" }); 11]);
    assert!(check(&too_many_fields).unwrap_err().contains("11 fields"));
}
