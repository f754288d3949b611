//! Ending a session early: the config's revocation check, and a rejection from behind the layer.
#![cfg(all(feature = "server", not(target_arch = "wasm32")))]

mod server_support;

use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use renew_fetch::server::{AuthConfig, Claims, ManualClock};
use server_support::*;

/// The `jti`s that the test app has logged out.
#[derive(Clone, Default)]
struct LoggedOut(Arc<RwLock<HashSet<String>>>);

impl LoggedOut {
    fn add(&self, token: &str) {
        let jti = claims_of(token).jti;
        self.0.write().expect("list lock").insert(jti);
    }
}

/// Returns a clock, a config whose check revokes the `jti`s in the returned list, and the list.
fn setup_revoking() -> (ManualClock, AuthConfig, LoggedOut) {
    let clock = ManualClock::new(T0);
    let logged_out = LoggedOut::default();
    let list = logged_out.clone();
    let config = builder(&clock)
        .revoked(move |claims: &Claims| {
            list.0
                .read()
                .is_ok_and(|set| set.contains(claims.jti.as_str()))
        })
        .build()
        .expect("the revoking config builds");
    (clock, config, logged_out)
}

#[tokio::test]
async fn revoked_token_rejected_before_handler() {
    let (_clock, config, logged_out) = setup_revoking();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let token = config.issue_token("42", "ada").expect("issue");
    let other = config.issue_token("42", "ada").expect("issue");

    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_eq!(reply.status, StatusCode::OK, "passes before the logout");
    logged_out.add(&token);

    // The first request put the token in the cache, which must not skip the check.
    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_invalid_token_reply(&reply, "a logged-out token");
    assert_eq!(calls.get(), 1, "the handler ran for the first request only");
    let reply = send(&app, get_with("/api/profile", &other)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "another token of the same user still passes"
    );
}

#[tokio::test]
async fn logout_by_session_id_ends_that_session_only() {
    let clock = ManualClock::new(T0);
    let sessions: Arc<RwLock<HashSet<String>>> = Arc::default();
    let list = Arc::clone(&sessions);
    let config = builder(&clock)
        .revoked(move |claims: &Claims| {
            let set = list.read().expect("list lock");
            set.contains(&claims.session_key())
        })
        .build()
        .expect("the revoking config builds");
    let calls = Calls::default();
    let app = app(&config, &calls);
    // Two logins of one user in the same second, such as in two browsers.
    let first = config.issue_token("42", "ada").expect("issue");
    let second = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - WINDOW + MIN));
    let renewed = send(&app, get_with("/api/profile", &first)).await.renewed();
    let key = claims_of(&first).session_key();
    assert_eq!(
        Some(&key),
        claims_of(&first).sid.as_ref(),
        "the session key of an issued token is its sid"
    );
    sessions.write().expect("list lock").insert(key);

    let reply = send(&app, get_with("/api/profile", &renewed)).await;
    assert_invalid_token_reply(&reply, "the renewed token of the logged-out session");
    let reply = send(&app, get_with("/api/profile", &second)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "the other session, with the same auth_time, still passes"
    );
    let relogin = config.issue_token("42", "ada").expect("issue");
    let reply = send(&app, get_with("/api/profile", &relogin)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "a new login right after the logout passes"
    );
}

#[tokio::test]
async fn revoked_token_gets_no_renewal_in_window() {
    let (clock, config, logged_out) = setup_revoking();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let token = config.issue_token("42", "ada").expect("issue");
    logged_out.add(&token);
    clock.advance(secs(LIFETIME - WINDOW + MIN));

    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_invalid_token_reply(&reply, "a logged-out token in the renewal window");
    assert_eq!(
        reply.header("authorization"),
        None,
        "no renewed token for a logged-out token"
    );
    assert_eq!(calls.get(), 0, "the handler did not run");
}

#[tokio::test]
async fn revoked_token_gets_no_renewal_in_grace() {
    let (clock, config, logged_out) = setup_revoking();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let token = config.issue_token("42", "ada").expect("issue");
    logged_out.add(&token);
    clock.advance(secs(LIFETIME + MIN));

    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_invalid_token_reply(&reply, "a logged-out token in the grace period");
    assert_eq!(
        reply.header("authorization"),
        None,
        "no overdue renewal for a logged-out token"
    );
}

#[tokio::test]
async fn logout_in_window_gets_no_renewed_token() {
    let (clock, config, logged_out) = setup_revoking();
    let list = logged_out.clone();
    let app = Router::new()
        .route(
            "/api/logout",
            axum::routing::post(move |claims: Claims| async move {
                list.0.write().expect("list lock").insert(claims.jti);
                "logged out"
            }),
        )
        .layer(config.layer());
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - WINDOW + MIN));

    let request = axum::http::Request::post("/api/logout")
        .header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .expect("request builds");
    let reply = send(&app, request).await;
    assert_eq!(reply.status, StatusCode::OK, "the logout handler ran");
    assert_eq!(
        reply.header("authorization"),
        None,
        "a handler that revoked the claims gets no renewed token on its response"
    );
}

#[tokio::test]
async fn revoked_rejection_logs_user_without_token() {
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    let (_clock, config, logged_out) = setup_revoking();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let token = config.issue_token("42", "ada").expect("issue");
    logged_out.add(&token);

    send(&app, get_with("/api/profile", &token)).await;
    let lines = recorder.lines();
    let line = lines
        .iter()
        .find(|line| line.contains("revoked"))
        .unwrap_or_else(|| panic!("a line names the revocation: {lines:?}"));
    assert!(line.contains("WARN"), "logged at WARN: {line}");
    assert!(line.contains("user_id=\"42\""), "names the user id: {line}");
    assert!(
        !lines.iter().any(|line| line.contains(&token)),
        "no line holds the token: {lines:?}"
    );
}

#[test]
fn revoked_check_shows_in_debug_without_detail() {
    let (_clock, config, _logged_out) = setup_revoking();
    let debug = format!("{config:?}");
    assert!(
        debug.contains("revoked: Some(\"a check\")"),
        "Debug says a check is set: {debug}"
    );
    let (_clock, plain) = setup();
    assert!(
        format!("{plain:?}").contains("revoked: None"),
        "Debug says no check is set"
    );
}

/// Routes behind the layer whose handlers reject with `status`, as an app's own session check
/// would, and one that serves.
fn rejecting_app(config: &AuthConfig) -> Router {
    Router::new()
        .route(
            "/api/reject-401",
            get(|_claims: Claims| async { (StatusCode::UNAUTHORIZED, "logged out") }),
        )
        .route(
            "/api/reject-403",
            get(|_claims: Claims| async { (StatusCode::FORBIDDEN, "not yours") }),
        )
        .route(
            "/api/not-found",
            get(|_claims: Claims| async { (StatusCode::NOT_FOUND, "no such item") }),
        )
        .layer(config.layer())
}

#[tokio::test]
async fn handler_rejection_gets_no_renewed_token() {
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    let (clock, config) = setup();
    let app = rejecting_app(&config);
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - WINDOW + MIN));

    for (path, status) in [
        ("/api/reject-401", StatusCode::UNAUTHORIZED),
        ("/api/reject-403", StatusCode::FORBIDDEN),
    ] {
        let reply = send(&app, get_with(path, &token)).await;
        assert_eq!(reply.status, status, "{path}: the handler's status");
        assert_eq!(
            reply.header("authorization"),
            None,
            "{path}: no renewed token on a rejection"
        );
    }
    let lines = recorder.lines();
    assert!(
        !lines
            .iter()
            .any(|line| line.starts_with("INFO") && line.contains("token renewed")),
        "no renewal is logged at INFO for a token left off: {lines:#?}"
    );
    let reply = send(&app, get_with("/api/not-found", &token)).await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "the handler's 404 passes through"
    );
    assert_ne!(
        reply.renewed(),
        token,
        "a 404 from the handler still carries a renewed token"
    );
    assert_renewal_headers(&reply, "the handler's 404 with a renewed token");
}
