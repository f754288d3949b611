//! `AuthConfig::verify_token`: the layer's checks for a token that arrives without a header.
#![cfg(all(feature = "server", not(target_arch = "wasm32")))]

mod server_support;

use renew_fetch::server::{ManualClock, RejectionKind};
use server_support::*;

#[test]
fn fresh_token_verifies_without_renewal() {
    let (_clock, config) = setup();
    let token = config.issue_token("42", "ada").expect("issue");
    let verified = config.verify_token(&token).expect("a fresh token verifies");
    assert_eq!(verified.claims.sub, "42", "the claims of the token");
    assert_eq!(verified.renewed, None, "no renewal outside the window");
}

#[test]
fn token_in_window_verifies_with_renewed_token() {
    let (clock, config) = setup();
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - WINDOW + MIN));
    let verified = config
        .verify_token(&token)
        .expect("a token in the window verifies");
    let renewed = verified.renewed.expect("a renewed token in the window");
    assert_eq!(
        claims_of(&renewed).exp,
        T0 + LIFETIME - WINDOW + MIN + LIFETIME,
        "the renewed token lives a full lifetime from now"
    );
    assert!(
        config.verify_token(&renewed).is_ok(),
        "the renewed token verifies"
    );
}

#[test]
fn overdue_and_expired_tokens_are_rejected_by_kind() {
    let (clock, config) = setup();
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME + MIN));
    let overdue = config.verify_token(&token).expect_err("an expired token");
    assert_eq!(
        overdue.kind(),
        RejectionKind::Overdue,
        "within the grace period: {overdue}"
    );
    assert_eq!(
        overdue.to_string(),
        "token expired within the grace period; a request through the layer renews it",
        "the message says how the token gets renewed"
    );
    clock.advance(secs(GRACE));
    let expired = config.verify_token(&token).expect_err("an expired token");
    assert_eq!(
        expired.kind(),
        RejectionKind::Invalid,
        "past the grace period: {expired}"
    );
    assert_eq!(
        expired.to_string(),
        "token expired past the grace period",
        "the reason that the layer would log"
    );
}

#[test]
fn malformed_and_forged_tokens_rejected() {
    let (_clock, config) = setup();
    let token = config.issue_token("42", "ada").expect("issue");
    let other = ManualClock::new(T0);
    let forged =
        renew_fetch::server::AuthConfig::builder(b"another secret that is 32 bytes!".to_vec())
            .clock(other)
            .build()
            .expect("the other config builds")
            .issue_token("42", "ada")
            .expect("issue");
    let cases = [
        ("", RejectionKind::Malformed, "an empty token"),
        ("not a token", RejectionKind::Malformed, "spaces"),
        (
            &format!("Bearer {token}") as &str,
            RejectionKind::Malformed,
            "the scheme included",
        ),
        (
            &"a".repeat(9000) as &str,
            RejectionKind::Malformed,
            "over the header limit",
        ),
        ("a.b.c", RejectionKind::Invalid, "not a JWS"),
        (&forged as &str, RejectionKind::Invalid, "another secret"),
    ];
    for (value, kind, what) in cases {
        let rejected = config.verify_token(value).expect_err(what);
        assert_eq!(rejected.kind(), kind, "{what}: {rejected}");
        assert!(
            !rejected.to_string().contains("header"),
            "{what}: the message names no header that was never sent: {rejected}"
        );
        assert!(
            value.is_empty() || !rejected.to_string().contains(value),
            "{what}: the message leaves the token out: {rejected}"
        );
    }
}

#[test]
fn revoked_token_is_invalid() {
    let clock = ManualClock::new(T0);
    let config = builder(&clock)
        .revoked(|claims| claims.sub == "42")
        .build()
        .expect("the revoking config builds");
    let token = config.issue_token("42", "ada").expect("issue");
    let rejected = config.verify_token(&token).expect_err("a revoked token");
    assert_eq!(rejected.kind(), RejectionKind::Invalid, "{rejected}");
}

#[test]
fn debug_hides_renewed_token() {
    let (clock, config) = setup();
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - WINDOW + MIN));
    let verified = config
        .verify_token(&token)
        .expect("a token in the window verifies");
    let renewed = verified
        .renewed
        .clone()
        .expect("a renewed token in the window");
    let debug = format!("{verified:?}");
    assert!(
        !debug.contains(&renewed),
        "expected the Debug form to leave out the renewed token"
    );
    assert!(
        debug.contains("renewed: Some(\"[redacted, fingerprint "),
        "expected the Debug form to show a fingerprint in place of the token: {debug}"
    );
    assert!(
        debug.contains("sub: \"42\""),
        "expected the Debug form to show the claims: {debug}"
    );
}
