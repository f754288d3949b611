//! The layer under tower-http's `CorsLayer`, wrapped from outside as the docs direct, and the
//! inside order that the docs warn against. A browser hides a cross-origin response without
//! `Access-Control-Allow-Origin`, and a response header that is not exposed.
#![cfg(all(feature = "server", not(target_arch = "wasm32")))]

mod server_support;

use axum::body::Body;
use axum::http::{header, HeaderName, HeaderValue, Request, StatusCode};
use axum::Router;
use renew_fetch::server::AuthConfig;
use server_support::*;
use tower_http::cors::CorsLayer;

const APP_ORIGIN: &str = "http://127.0.0.1:5173";
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(HeaderValue::from_static(APP_ORIGIN))
        .allow_headers([header::AUTHORIZATION])
}

/// Builds the test routes behind the layer, with `cors` wrapped around the layer from outside.
fn app_with_cors_outside(config: &AuthConfig, cors: CorsLayer) -> Router {
    routes(&Calls::default())
        .route_layer(config.layer())
        .layer(cors)
}

fn cross_origin_get(token: Option<&str>) -> Request<Body> {
    let mut request = Request::get("/api/profile").header(header::ORIGIN, APP_ORIGIN);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(Body::empty()).expect("the request builds")
}

fn exposes(reply: &Reply, name: &str) -> bool {
    reply
        .header("access-control-expose-headers")
        .is_some_and(|list| {
            list.split(',')
                .any(|item| item.trim().eq_ignore_ascii_case(name))
        })
}

#[tokio::test]
async fn cors_outside_reaches_overdue_reply() {
    let (clock, config) = setup();
    let app = app_with_cors_outside(&config, cors());
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME + MIN));
    let reply = send(&app, cross_origin_get(Some(&token))).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "overdue status");
    assert_eq!(reply.code(), 401, "overdue code");
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(APP_ORIGIN),
        "the overdue reply allows the app's origin"
    );
    assert!(
        exposes(&reply, "authorization"),
        "the renewed token is exposed"
    );
    assert!(
        reply.header("authorization").is_some(),
        "the renewed token is sent"
    );
}

#[tokio::test]
async fn cors_outside_reaches_need_login_reply() {
    let (_clock, config) = setup();
    let app = app_with_cors_outside(&config, cors());
    let reply = send(&app, cross_origin_get(None)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "need-login status");
    assert_eq!(reply.code(), 1006, "need-login code");
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(APP_ORIGIN),
        "the need-login reply allows the app's origin"
    );
}

#[tokio::test]
async fn cors_outside_answers_preflight() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let app = routes(&calls).route_layer(config.layer()).layer(cors());
    let reply = send(&app, preflight(APP_ORIGIN, None)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "the CorsLayer's preflight status"
    );
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(APP_ORIGIN),
        "the preflight allows the app's origin"
    );
    assert!(
        reply.header("www-authenticate").is_none(),
        "the layer did not reject the preflight"
    );
    assert_eq!(calls.get(), 0, "no handler ran");
}

#[tokio::test]
async fn cors_outside_keeps_window_renewal() {
    let (clock, config) = setup();
    let app = app_with_cors_outside(&config, cors());
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - WINDOW));
    let reply = send(&app, cross_origin_get(Some(&token))).await;
    assert_eq!(reply.status, StatusCode::OK, "passes in the window");
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(APP_ORIGIN),
        "the handler's reply allows the app's origin"
    );
    assert!(
        exposes(&reply, "authorization"),
        "the renewed token is exposed"
    );
}

#[tokio::test]
async fn cors_expose_list_replaces_layer_value() {
    let (clock, config) = setup();
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - WINDOW));

    let without = app_with_cors_outside(&config, cors().expose_headers([REQUEST_ID]));
    let reply = send(&without, cross_origin_get(Some(&token))).await;
    assert!(
        reply.header("authorization").is_some(),
        "a renewed token is sent"
    );
    assert!(
        !exposes(&reply, "authorization"),
        "a list without Authorization hides the renewed token"
    );

    let with = app_with_cors_outside(
        &config,
        cors().expose_headers([REQUEST_ID, header::AUTHORIZATION]),
    );
    let reply = send(&with, cross_origin_get(Some(&token))).await;
    assert!(
        exposes(&reply, "authorization"),
        "a list with Authorization exposes the renewed token"
    );
}

#[tokio::test]
async fn cors_inside_misses_layer_replies() {
    let (clock, config) = setup();
    let app = routes(&Calls::default())
        .layer(cors())
        .layer(config.layer());
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME + MIN));
    let reply = send(&app, cross_origin_get(Some(&token))).await;
    assert_eq!(reply.code(), 401, "overdue code");
    assert_eq!(
        reply.header("access-control-allow-origin"),
        None,
        "a CorsLayer inside the layer never sees the overdue reply"
    );
}
