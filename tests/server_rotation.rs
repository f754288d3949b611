//! Rotating the secret: tokens signed with the previous secret pass and move to the current one.
#![cfg(all(feature = "server", not(target_arch = "wasm32")))]

mod server_support;

use axum::http::StatusCode;
use renew_fetch::server::{AuthConfig, ConfigError, ManualClock};
use server_support::*;

/// The secret after the rotation: 32 bytes, none repeated.
const NEW_SECRET: &[u8; 32] = b"the secret after the rotation 32";

/// Returns a config on `clock` that signs with [`NEW_SECRET`] and accepts [`SECRET`] as the
/// previous one.
fn rotated(clock: &ManualClock) -> AuthConfig {
    AuthConfig::builder(NEW_SECRET.to_vec())
        .previous_secret(SECRET.to_vec())
        .clock(clock.clone())
        .build()
        .expect("the rotated config builds")
}

/// Returns a config on `clock` that accepts only [`NEW_SECRET`].
fn new_only(clock: &ManualClock) -> AuthConfig {
    AuthConfig::builder(NEW_SECRET.to_vec())
        .clock(clock.clone())
        .build()
        .expect("the config of the new secret builds")
}

#[tokio::test]
async fn old_token_passes_and_moves_to_new_secret() {
    let (clock, before) = setup();
    let old = before.issue_token("42", "ada").expect("issue");
    let calls = Calls::default();
    let app = app(&rotated(&clock), &calls);

    let reply = send(&app, get_with("/api/profile", &old)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "a token of the previous secret passes"
    );
    assert_eq!(calls.get(), 1, "the handler ran");
    let moved = reply.renewed();
    let claims = claims_with(&moved, NEW_SECRET);
    assert_eq!(claims.sub, "42", "the renewed token keeps the user");
    assert_eq!(
        claims.auth_time, T0,
        "the renewed token keeps the login time"
    );

    let strict = app_of(&new_only(&clock));
    let reply = send(&strict, get_with("/api/profile", &moved)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "the renewed token is signed with the current secret"
    );
    let reply = send(&app, get_with("/api/profile", &moved)).await;
    assert_eq!(
        reply.header("authorization"),
        None,
        "a token of the current secret, outside the window, gets no renewed token"
    );
}

#[tokio::test]
async fn old_token_renewed_on_every_request() {
    let (clock, before) = setup();
    let old = before.issue_token("42", "ada").expect("issue");
    let app = app(&rotated(&clock), &Calls::default());
    for attempt in 0..3 {
        let reply = send(&app, get_with("/api/profile", &old)).await;
        assert_ne!(
            reply.renewed(),
            old,
            "request {attempt} with the old token gets a renewed token"
        );
    }
}

#[tokio::test]
async fn overdue_old_token_gets_new_secret() {
    let (clock, before) = setup();
    let old = before.issue_token("42", "ada").expect("issue");
    let app = app(&rotated(&clock), &Calls::default());
    clock.advance(secs(LIFETIME + MIN));

    let reply = send(&app, get_with("/api/profile", &old)).await;
    assert_eq!(
        reply.code(),
        renew_fetch::protocol::CODE_OVERDUE,
        "an overdue token of the previous secret gets the overdue reply"
    );
    let strict = app_of(&new_only(&clock));
    let reply = send(&strict, get_with("/api/profile", &reply.renewed())).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "the overdue reply's token is signed with the current secret"
    );
}

#[tokio::test]
async fn other_secret_still_rejected() {
    let clock = ManualClock::new(T0);
    let app = app(&rotated(&clock), &Calls::default());
    let forged = jws(
        HS256_HEADER,
        &payload(T0, T0 + LIFETIME, T0),
        b"neither secret, but 32 bytes lon",
    );
    let reply = send(&app, get_with("/api/profile", &forged)).await;
    assert_invalid_token_reply(&reply, "a token of a third secret");
}

#[tokio::test]
async fn old_token_rejected_without_previous_secret() {
    let (clock, before) = setup();
    let old = before.issue_token("42", "ada").expect("issue");
    let app = app(&new_only(&clock), &Calls::default());
    let reply = send(&app, get_with("/api/profile", &old)).await;
    assert_invalid_token_reply(&reply, "a token of a secret that the config does not know");
}

#[test]
fn previous_secret_checked_like_secret() {
    let build = |previous: &[u8]| {
        AuthConfig::builder(NEW_SECRET.to_vec())
            .previous_secret(previous.to_vec())
            .build()
            .expect_err("a bad previous secret")
    };
    let short = build(b"short");
    assert_eq!(
        short,
        ConfigError::PreviousSecret {
            problem: Box::new(ConfigError::SecretTooShort { len: 5 })
        },
        "a short previous secret"
    );
    assert_eq!(
        short.to_string(),
        "the previous_secret is 5 bytes long, but HS256 needs at least 32; use 32 or more \
         random bytes, for example the output of `openssl rand -base64 48`",
        "the message names previous_secret"
    );
    assert_eq!(
        build(&[b'x'; 40]).to_string(),
        "the previous_secret is one byte repeated, so it is not random; use random bytes, for \
         example the output of `openssl rand -base64 48`",
        "a repeated previous secret"
    );
    assert_eq!(
        build(NEW_SECRET),
        ConfigError::PreviousSecretIsSecret,
        "a previous secret equal to the secret"
    );
}

#[test]
fn previous_secret_redacted_in_debug() {
    let clock = ManualClock::new(T0);
    let config = rotated(&clock);
    let debug = format!("{config:?}");
    assert!(
        debug.contains("previous_secret: Some(\"[redacted]\")"),
        "Debug says a previous secret is set: {debug}"
    );
    let secret = String::from_utf8_lossy(SECRET).into_owned();
    assert!(
        !debug.contains(&secret),
        "Debug never shows the previous secret: {debug}"
    );
}

/// Returns [`routes`] behind the layer of `config`, for a second app on the same clock.
fn app_of(config: &AuthConfig) -> axum::Router {
    app(config, &Calls::default())
}

#[tokio::test]
async fn old_token_at_session_cap_passes_without_error() {
    let clock = ManualClock::new(T0);
    let short_cap = |secret: &[u8]| {
        AuthConfig::builder(secret.to_vec())
            .session_cap(secs(LIFETIME))
            .renew_window(secs(0))
            .grace_period(secs(0))
            .clock(clock.clone())
    };
    let before = short_cap(SECRET).build().expect("the config before builds");
    let old = before.issue_token("42", "ada").expect("issue");
    let rotated = short_cap(NEW_SECRET)
        .previous_secret(SECRET.to_vec())
        .build()
        .expect("the rotated config builds");
    let app = app(&rotated, &Calls::default());
    let recorder = LogRecorder::default();
    let _guard = recorder.install();

    // The last second of the session, which no renewed token could outlive.
    clock.set(T0 + LIFETIME);
    let reply = send(&app, get_with("/api/profile", &old)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "a token of the previous secret passes in its last second"
    );
    assert_eq!(
        reply.header("authorization"),
        None,
        "no renewed token, which would expire at once"
    );
    let lines = recorder.lines();
    assert!(
        lines.iter().all(|line| !line.starts_with("ERROR")),
        "the end of a session is not an error: {lines:#?}"
    );
}

#[tokio::test]
async fn old_token_from_clock_ahead_renews() {
    // The instance that still signs with the old secret runs 30 s ahead of this one.
    let ahead = ManualClock::new(T0 + 30);
    let before = AuthConfig::builder(SECRET.to_vec())
        .clock(ahead)
        .build()
        .expect("the config before builds");
    let old = before.issue_token("42", "ada").expect("issue");
    let clock = ManualClock::new(T0);
    let app = app(&rotated(&clock), &Calls::default());

    let reply = send(&app, get_with("/api/profile", &old)).await;
    assert_eq!(reply.status, StatusCode::OK, "the old token passes");
    let moved = reply.renewed();
    let claims = claims_with(&moved, NEW_SECRET);
    assert!(
        claims.auth_time <= claims.iat,
        "the renewed token is not issued before its login: auth_time {}, iat {}",
        claims.auth_time,
        claims.iat
    );
    let reply = send(&app, get_with("/api/profile", &moved)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "the renewed token passes on the instance that renewed it"
    );
}
