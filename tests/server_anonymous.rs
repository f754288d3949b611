//! `Option<Claims>`, and the layer's `allow_anonymous` mode, which lets a request without a
//! token reach the handler while every token is still checked and renewed.
#![cfg(all(feature = "server", not(target_arch = "wasm32")))]

mod server_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use renew_fetch::server::{AuthConfig, Claims};
use server_support::*;

/// Returns the user id of the request's claims, or "anonymous".
async fn user_id(claims: Option<Claims>) -> String {
    claims.map_or_else(|| "anonymous".to_owned(), |claims| claims.sub)
}

/// `/api/me` reads `Option<Claims>` and `/api/profile` reads `Claims`, both behind a layer
/// that allows anonymous requests.
fn anonymous_app(config: &AuthConfig) -> Router {
    Router::new()
        .route("/api/me", get(user_id))
        .route(
            "/api/profile",
            get(|claims: Claims| async move { claims.sub }),
        )
        .route_layer(config.layer().allow_anonymous())
}

#[tokio::test]
async fn optional_claims_read_both_ways() {
    let (_clock, config) = setup();
    let app = Router::new()
        .route("/api/me", get(user_id))
        .route_layer(config.layer())
        .route("/public/me", get(user_id));
    let token = config.issue_token("42", "ada").expect("issue");

    let reply = send(&app, get_with("/api/me", &token)).await;
    assert_eq!(reply.status, StatusCode::OK, "passes behind the layer");
    assert_eq!(reply.body, b"42", "the claims behind the layer");

    let recorder = LogRecorder::default();
    let guard = recorder.install();
    let reply = send(&app, get_with("/public/me", &token)).await;
    drop(guard);
    assert_eq!(reply.status, StatusCode::OK, "passes outside the layer");
    assert_eq!(
        reply.body, b"anonymous",
        "no claims outside the layer, even with a token"
    );
    let lines = recorder.lines();
    // This is the only request of the test binary with a token on a route without the layer,
    // so the process-wide limit of one WARN line a second lets its line through.
    assert!(
        lines.iter().any(|line| line.starts_with("WARN")
            && line.contains("Option<Claims> is None for a request with an Authorization header")),
        "a WARN line names the token that no layer saw: {lines:#?}"
    );

    let recorder = LogRecorder::default();
    let guard = recorder.install();
    let reply = send(&app, get_bare("/public/me")).await;
    drop(guard);
    assert_eq!(reply.body, b"anonymous", "no claims without a token");
    let lines = recorder.lines();
    assert!(
        lines.iter().any(|line| line.starts_with("DEBUG")
            && line.contains("Option<Claims> is None: the route is not behind RenewLayer")),
        "a DEBUG line names the missing layer for a request without a token: {lines:#?}"
    );
    assert!(
        !lines.iter().any(|line| line.starts_with("WARN")),
        "no WARN line for a request without a token: {lines:#?}"
    );

    let reply = send(&app, get_bare("/api/me")).await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "the default layer rejects a request without a token"
    );
    assert_eq!(reply.code(), 1006, "need-login");
}

#[tokio::test]
async fn anonymous_request_reaches_handler() {
    let (_clock, config) = setup();
    let reply = send(&anonymous_app(&config), get_bare("/api/me")).await;
    assert_eq!(reply.status, StatusCode::OK, "an anonymous request passes");
    assert_eq!(reply.body, b"anonymous", "with no claims");
    assert_eq!(reply.header("www-authenticate"), None, "and no challenge");
}

#[tokio::test]
async fn anonymous_mode_still_checks_tokens() {
    let (clock, config) = setup();
    let app = anonymous_app(&config);
    let token = config.issue_token("42", "ada").expect("issue");

    let reply = send(&app, get_with("/api/me", &token)).await;
    assert_eq!(reply.body, b"42", "a valid token gives its claims");

    let forged = jws(
        HS256_HEADER,
        &payload(T0, T0 + LIFETIME, T0),
        b"not the secret, but 32 bytes long",
    );
    let reply = send(&app, get_with("/api/me", &forged)).await;
    assert_invalid_token_reply(&reply, "a forged token");

    let reply = send(&app, get_raw("/api/me", b"Basic abc")).await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "a malformed header is still rejected"
    );

    clock.advance(secs(LIFETIME - WINDOW));
    let reply = send(&app, get_with("/api/me", &token)).await;
    assert_eq!(reply.status, StatusCode::OK, "passes in the window");
    assert_renewal_headers(&reply, "window renewal in anonymous mode");

    clock.advance(secs(WINDOW + MIN));
    let reply = send(&app, get_with("/api/me", &token)).await;
    assert_eq!(
        reply.code(),
        401,
        "an expired token within grace is overdue"
    );
    assert!(
        reply.header("authorization").is_some(),
        "with a renewed token"
    );
}

#[tokio::test]
async fn required_claims_without_token_needs_login() {
    let (_clock, config) = setup();
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    let reply = send(&anonymous_app(&config), get_bare("/api/profile")).await;
    assert_rejected(
        &reply,
        StatusCode::UNAUTHORIZED,
        1006,
        None,
        "an anonymous request to a handler that reads Claims",
    );
    let lines = recorder.lines();
    assert!(
        lines.iter().any(|line| line.starts_with("INFO")
            && line.contains("reason=\"no Authorization header, and the handler reads Claims\"")),
        "the rejection is logged at INFO with its reason: {lines:#?}"
    );
}

/// Builds protected and anonymous routes in two routers, each with its own `route_layer`, and
/// merges them into one app with a login route outside both.
fn merged_app(config: &AuthConfig, calls: &Arc<AtomicUsize>) -> Router {
    let profile_calls = Arc::clone(calls);
    let protected = Router::new()
        .route(
            "/api/profile",
            get(move |claims: Claims| async move {
                profile_calls.fetch_add(1, Ordering::SeqCst);
                claims.sub
            }),
        )
        .route_layer(config.layer());
    let anonymous = Router::new()
        .route("/api/feed", get(user_id))
        .route_layer(config.layer().allow_anonymous());
    Router::new()
        .merge(protected)
        .merge(anonymous)
        .route("/api/login", get(|| async { "login" }))
}

#[tokio::test]
async fn merged_routers_renew_once() {
    let (clock, config) = setup();
    let calls = Arc::default();
    let app = merged_app(&config, &calls);
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - WINDOW + MIN));

    let recorder = LogRecorder::default();
    let guard = recorder.install();
    let reply = send(&app, get_with("/api/profile", &token)).await;
    drop(guard);
    assert_eq!(reply.status, StatusCode::OK, "passes in the window");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the handler runs once");
    assert_eq!(
        reply.headers.get_all("authorization").iter().count(),
        1,
        "one renewed token on the response"
    );
    let lines = recorder.lines();
    let renewals = lines
        .iter()
        .filter(|line| line.contains("token renewed in the renewal window"))
        .count();
    assert_eq!(
        renewals, 1,
        "one layer renews, so one renewal is logged: {lines:#?}"
    );
}

#[tokio::test]
async fn merged_routers_keep_each_mode() {
    let (_clock, config) = setup();
    let app = merged_app(&config, &Arc::default());

    let reply = send(&app, get_bare("/api/feed")).await;
    assert_eq!(reply.status, StatusCode::OK, "the feed serves anonymous");
    assert_eq!(reply.body, b"anonymous", "with no claims");

    let reply = send(&app, get_bare("/api/profile")).await;
    assert_rejected(
        &reply,
        StatusCode::UNAUTHORIZED,
        1006,
        None,
        "the profile without a token",
    );

    let reply = send(&app, get_bare("/api/login")).await;
    assert_eq!(reply.status, StatusCode::OK, "login is outside both layers");

    let reply = send(&app, get_bare("/nowhere")).await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "an unknown path gets axum's 404"
    );
}
