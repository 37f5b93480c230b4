//! What the receiver gets: a CloudEvents 1.0 structured-mode envelope, valid against the
//! CloudEvents JSON schema, signed when a secret is configured.

use floe_alert_webhook::WebhookAlertError;
use floe_alert_webhook::event::{
    SIGNATURE_HEADER, TIMESTAMP_HEADER, envelope, event_id, signature,
};
use floe_core::plugin::categories::{AlertChannel as _, DeliveryFailure as _, DeliveryStatus};
use floe_otel_testkit::fixtures::contract_violation;
use floe_otel_testkit::http::RecordedRequest;

use crate::peer::{Receiver, Signed, TOLERANCE_SECS, check, now};
use crate::plugin;

/// The signature headers `request` came with.
fn signed(request: &RecordedRequest) -> Signed {
    Signed {
        signature: request.header(SIGNATURE_HEADER).map(str::to_owned),
        timestamp: request.header(TIMESTAMP_HEADER).map(str::to_owned),
    }
}

/// No signature headers.
fn unsigned() -> Signed {
    Signed::default()
}

#[tokio::test]
async fn the_envelope_is_a_valid_structured_cloudevent_carrying_the_violation() {
    let receiver = Receiver::start(None, &[]);
    plugin(&receiver.url(), None).send(&contract_violation()).await.expect("delivered");

    let request = &receiver.server.requests()[0];
    assert_eq!(request.header("content-type"), Some("application/cloudevents+json; charset=utf-8"));
    assert_eq!(request.header(SIGNATURE_HEADER), None, "unsigned without a secret");
    assert_eq!(request.header(TIMESTAMP_HEADER), None, "unsigned without a secret");
    let event =
        check(request.header("content-type"), &unsigned(), &request.body, None, now()).unwrap();
    assert_eq!(event["specversion"], "1.0");
    assert_eq!(event["type"], "com.floe.contract.violation");
    assert_eq!(event["source"], "/floe/contracts");
    assert_eq!(event["subject"], "orders_contract");
    assert_eq!(event["time"], "2026-01-15T09:30:00.000Z");
    assert_eq!(event["datacontenttype"], "application/json");
    assert_eq!(event["id"].as_str().map(str::len), Some(32));
    let data = &event["data"];
    assert_eq!(data["contract_version"], "2.1.0");
    assert_eq!(data["violation_type"], "schema_drift");
    assert_eq!(data["severity"], "critical");
    assert_eq!(data["affected_model"], "fct_orders");
    assert_eq!(data["details"]["column"], "amount");
    assert!(data["message"].as_str().unwrap().contains("changed type"));
}

#[test]
fn the_peer_rejects_what_is_not_a_cloudevent() {
    let good = serde_json::to_vec(&envelope(&contract_violation(), "/floe/contracts")).unwrap();
    let ce = Some("application/cloudevents+json");
    let at = now();
    assert!(check(ce, &unsigned(), &good, None, at).is_ok());
    let json = check(Some("application/json"), &unsigned(), &good, None, at).unwrap_err();
    assert!(json.contains("structured"), "{json}");
    let mut missing = envelope(&contract_violation(), "/x");
    missing.as_object_mut().unwrap().remove("id");
    let missing = serde_json::to_vec(&missing).unwrap();
    assert!(check(ce, &unsigned(), &missing, None, at).unwrap_err().contains("not a CloudEvent"));
    let mut bad_time = envelope(&contract_violation(), "/x");
    bad_time["time"] = "yesterday".into();
    let bad_time = serde_json::to_vec(&bad_time).unwrap();
    assert!(check(ce, &unsigned(), &bad_time, None, at).unwrap_err().contains("date-time"));
}

#[test]
fn the_id_is_stable_for_one_violation_and_differs_between_violations() {
    let violation = contract_violation();
    assert_eq!(event_id(&violation), event_id(&violation.clone()));
    let mut later = violation.clone();
    later.timestamp += std::time::Duration::from_secs(1);
    assert_ne!(event_id(&violation), event_id(&later));
}

#[tokio::test]
async fn a_signed_delivery_verifies_and_a_retry_carries_the_same_id_and_signature() {
    let secret = "whsec-test-key";
    let receiver = Receiver::start(Some(secret), &[503]);
    let report = plugin(&receiver.url(), Some(secret))
        .send(&contract_violation())
        .await
        .expect("delivered on the retry");

    assert_eq!(report.attempts, 2);
    let requests = receiver.server.requests();
    let (first, second) = (&requests[0], &requests[1]);
    assert_eq!(first.body, second.body, "the retry resends the same event");
    assert_eq!(first.header(SIGNATURE_HEADER), second.header(SIGNATURE_HEADER));
    assert_eq!(first.header(TIMESTAMP_HEADER), second.header(TIMESTAMP_HEADER));
    let timestamp: u64 = first.header(TIMESTAMP_HEADER).unwrap().parse().unwrap();
    assert_eq!(
        first.header(SIGNATURE_HEADER),
        Some(signature(secret.as_bytes(), timestamp, &first.body).as_str())
    );
    check(first.header("content-type"), &signed(first), &first.body, Some(secret), now())
        .expect("the receiver verifies the signature");
}

#[tokio::test]
async fn a_signed_delivery_carries_its_send_time_so_a_replay_later_is_refused() {
    let secret = "whsec-replay-key";
    let receiver = Receiver::start(Some(secret), &[]);
    let before = now();

    plugin(&receiver.url(), Some(secret)).send(&contract_violation()).await.expect("delivered");

    let request = &receiver.server.requests()[0];
    let headers = signed(request);
    let sent: u64 = headers.timestamp.as_deref().expect("a signed send time").parse().unwrap();
    assert!((before..=now()).contains(&sent), "{sent} is not the send time");
    let content_type = request.header("content-type");
    check(content_type, &headers, &request.body, Some(secret), sent + TOLERANCE_SECS)
        .expect("accepted within the tolerance");
    let replayed =
        check(content_type, &headers, &request.body, Some(secret), sent + TOLERANCE_SECS + 1)
            .unwrap_err();
    assert!(replayed.starts_with("the signature is stale"), "{replayed}");
    // The send time is signed: moving it to look fresh breaks the signature.
    let moved = Signed { timestamp: Some((sent + 600).to_string()), ..headers.clone() };
    let forged = check(content_type, &moved, &request.body, Some(secret), sent + 600).unwrap_err();
    assert_eq!(forged, "the signature does not verify");
    let missing = Signed { timestamp: None, ..headers };
    let bare = check(content_type, &missing, &request.body, Some(secret), sent).unwrap_err();
    assert_eq!(bare, "missing x-floe-signature-timestamp");
}

#[tokio::test]
async fn a_receiver_with_another_secret_rejects_the_signature() {
    let receiver = Receiver::start(Some("the-receivers-key"), &[]);
    let error =
        plugin(&receiver.url(), Some("another-key")).send(&contract_violation()).await.unwrap_err();

    assert_eq!(error.delivery_status(), DeliveryStatus::Rejected);
    assert!(matches!(error, WebhookAlertError::Delivery(_)));
    assert!(error.to_string().contains("the signature does not verify"), "{error}");
}
