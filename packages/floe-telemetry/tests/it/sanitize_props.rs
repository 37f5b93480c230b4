//! Properties of the sanitizer over generated credentials and messages.

use floe_otel_testkit::leak::assert_text_clean;
use floe_otel_testkit::strategy;
use floe_telemetry::{sanitize_error_message, sanitize_with_max_len};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn sanitized_message_never_contains_credential(planted in strategy::planted_message(strategy::credential())) {
        let clean = sanitize_error_message(&planted.message);
        assert_text_clean(&format!("sanitized {} message", planted.embedding), clean.as_str(), &planted.secret);
    }

    #[test]
    fn sanitized_message_never_contains_a_private_key(planted in strategy::planted_message(strategy::private_key())) {
        let clean = sanitize_with_max_len(&planted.message, usize::MAX);
        assert_text_clean("sanitized message", clean.as_str(), &planted.secret);
    }

    #[test]
    fn sanitizing_is_idempotent(planted in strategy::planted_message(strategy::credential()), max_len in 0usize..600) {
        let once = sanitize_with_max_len(&planted.message, max_len);
        let twice = sanitize_with_max_len(once.as_str(), max_len);
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn arbitrary_text_is_bounded_idempotent_and_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400), max_len in 0usize..300) {
        let text = String::from_utf8_lossy(&bytes);
        let once = sanitize_with_max_len(&text, max_len);
        prop_assert!(once.as_str().chars().count() <= max_len);
        prop_assert_eq!(sanitize_with_max_len(once.as_str(), max_len), once);
    }

    #[test]
    fn arbitrary_strings_round_trip_idempotently(text in "\\PC{0,200}") {
        let once = sanitize_error_message(&text);
        prop_assert_eq!(sanitize_error_message(once.as_str()), once);
    }

    #[test]
    fn ordinary_messages_pass_unchanged(message in strategy::ordinary_message()) {
        let clean = sanitize_error_message(&message);
        prop_assert_eq!(clean.as_str(), message.as_str());
    }
}
