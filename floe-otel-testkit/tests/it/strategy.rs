//! The credential strategies generate what they promise.

use floe_otel_testkit::strategy::{self, SENTINEL};
use proptest::prelude::*;
use proptest::strategy::ValueTree as _;
use proptest::test_runner::TestRunner;

#[test]
fn any_credential_includes_every_shape_private_keys_too() {
    let mut runner = TestRunner::deterministic();
    let strategy = strategy::credential();
    let mut shapes = std::collections::BTreeSet::new();
    for _ in 0..500 {
        shapes.insert(strategy.new_tree(&mut runner).unwrap().current().shape);
    }
    assert_eq!(
        shapes.into_iter().collect::<Vec<_>>(),
        [
            "aws_access_key_id",
            "bearer_token",
            "github",
            "gitlab",
            "google",
            "jwt",
            "password",
            "private_key",
            "slack",
            "stripe"
        ]
    );
}

proptest! {
    #[test]
    fn every_credential_carries_the_sentinel(credential in strategy::credential()) {
        prop_assert!(credential.value.contains(SENTINEL), "{credential:?}");
    }

    #[test]
    fn planted_messages_contain_their_secret_in_clear_or_encoded(planted in strategy::planted_message(strategy::credential())) {
        let encoded_sentinel = planted.message.contains(SENTINEL);
        prop_assert!(encoded_sentinel, "{planted:?}");
    }

    #[test]
    fn provider_tokens_keep_their_recognisable_prefix(token in strategy::provider_token()) {
        let known = ["ghp_", "glpat-", "xoxb-", "sk_live_", "AIza"].iter().any(|p| token.value.starts_with(p));
        prop_assert!(known && token.recognisable, "{token:?}");
    }

    #[test]
    fn private_keys_are_whole_pem_blocks(key in strategy::private_key()) {
        prop_assert!(key.value.starts_with("-----BEGIN ") && key.value.ends_with("PRIVATE KEY-----"));
    }

    #[test]
    fn ordinary_messages_hold_no_sentinel(message in strategy::ordinary_message()) {
        prop_assert!(!message.contains(SENTINEL));
    }
}
