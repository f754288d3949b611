//! Response headers beside a renewed token, the renewal log line, the expiry that a handler
//! reads for a token whose session cap ends first, and the claims in the request extensions.
#![cfg(all(feature = "server", not(target_arch = "wasm32")))]

mod server_support;

use std::sync::{Arc, Mutex};

use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Json, Router};
use renew_fetch::server::{Claims, ManualClock};
use server_support::*;

#[tokio::test]
async fn expose_authorization_once_with_obs_text() {
    let (clock, config) = setup();
    let app = Router::new()
        .route(
            "/x",
            get(|_: Claims| async {
                let mut response = "ok".into_response();
                let headers = response.headers_mut();
                headers.append(
                    header::ACCESS_CONTROL_EXPOSE_HEADERS,
                    HeaderValue::from_static("Authorization"),
                );
                // obs-text (RFC 9110 §5.5) is a valid field byte, but not visible ASCII.
                headers.append(
                    header::ACCESS_CONTROL_EXPOSE_HEADERS,
                    HeaderValue::from_bytes(b"X-Caf\xe9").expect("obs-text is a valid value"),
                );
                response
            }),
        )
        .layer(config.layer());
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - 60));
    let reply = send(&app, get_with("/x", &token)).await;
    assert_eq!(reply.status, StatusCode::OK, "passes in the window");
    assert!(reply.headers.contains_key(header::AUTHORIZATION), "renewed");
    let listed = reply
        .headers
        .get_all(header::ACCESS_CONTROL_EXPOSE_HEADERS)
        .iter()
        .flat_map(|v| v.as_bytes().split(|&b| b == b','))
        .filter(|name| name.trim_ascii().eq_ignore_ascii_case(b"authorization"))
        .count();
    assert_eq!(listed, 1, "Authorization exposed once: {:?}", reply.headers);
}

#[tokio::test]
async fn renewal_log_skips_dropped_token() {
    let (clock, config) = setup();
    let app = Router::new()
        .route(
            "/x",
            get(|_: Claims| async { ([(header::AUTHORIZATION, "from-handler")], "ok") }),
        )
        .layer(config.layer());
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - 60));
    let reply = send(&app, get_with("/x", &token)).await;
    assert_eq!(reply.header("authorization"), Some("from-handler"), "kept");
    let lines = recorder.lines();
    assert!(
        !lines
            .iter()
            .any(|line| line.contains("token renewed in the renewal window")),
        "expected no renewal line for a token that did not go out: {lines:#?}"
    );
    assert!(
        lines.iter().any(|line| line.starts_with("DEBUG")
            && line.contains("renewed token left off a response with an Authorization header")),
        "expected a DEBUG line that names the handler's header: {lines:#?}"
    );
}

/// Signs a token as another issuer that shares the secret would: issued an hour before the
/// session cap ends, with the full lifetime, so its `exp` is an hour past the cap.
fn token_past_cap() -> String {
    jws(
        HS256_HEADER,
        &payload(T0 + CAP - HOUR, T0 + CAP - HOUR + LIFETIME, T0),
        SECRET,
    )
}

#[tokio::test]
async fn handler_exp_past_session_cap() {
    let clock = ManualClock::new(T0 + CAP - HOUR);
    let config = builder(&clock).build().expect("default config builds");
    let app = Router::new()
        .route("/x", get(|claims: Claims| async move { Json(claims) }))
        .layer(config.layer());
    let token = token_past_cap();

    let reply = send(&app, get_with("/x", &token)).await;
    assert_eq!(reply.status, StatusCode::OK, "passes before the cap");
    let exp = reply.json()["exp"].as_u64().expect("exp is a number");

    // Claims::exp: "The token stays valid through this second plus the leeway."
    clock.set(exp);
    let reply = send(&app, get_with("/x", &token)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "valid through the claims.exp the handler read ({exp}, cap ends {})",
        T0 + CAP
    );
}

#[tokio::test]
async fn verify_token_exp_past_session_cap() {
    let clock = ManualClock::new(T0 + CAP - HOUR);
    let config = builder(&clock).build().expect("default config builds");
    let token = token_past_cap();
    let verified = config.verify_token(&token).expect("passes before the cap");
    let exp = verified.claims.exp;
    clock.set(exp);
    assert!(
        config.verify_token(&token).is_ok(),
        "valid through the claims.exp that verify_token returned ({exp}, cap ends {})",
        T0 + CAP
    );
}

/// The overdue response ends at the cap, leeway or not, because a renewed token cannot expire
/// after it.
#[tokio::test]
async fn no_overdue_in_leeway_after_cap() {
    let clock = ManualClock::new(T0);
    let config = builder(&clock)
        .leeway(secs(MIN))
        .build()
        .expect("a leeway of a minute builds");
    let calls = Calls::default();
    let app = app(&config, &calls);
    // Expired five minutes before the cap, so in the grace period at the cap.
    let token = jws(
        HS256_HEADER,
        &payload(T0 + CAP - HOUR, T0 + CAP - 5 * MIN, T0),
        SECRET,
    );
    clock.set(T0 + CAP + 30);
    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_eq!(
        reply.code(),
        renew_fetch::protocol::CODE_INVALID_TOKEN,
        "expected the invalid-token code in the leeway after the cap"
    );
}

/// The claims that the middleware and the handler of `claims_app` took, in order.
type Seen = Arc<Mutex<Vec<Arc<Claims>>>>;

/// Returns a route whose middleware and handler each record the `Arc<Claims>` of the request
/// extensions in `seen`.
fn claims_app(config: &renew_fetch::server::AuthConfig, seen: &Seen) -> Router {
    let in_handler = Arc::clone(seen);
    let in_middleware = Arc::clone(seen);
    Router::new()
        .route(
            "/x",
            get(
                move |Extension(claims): Extension<Arc<Claims>>| async move {
                    in_handler.lock().expect("not poisoned").push(claims);
                    "ok"
                },
            ),
        )
        .layer(middleware::from_fn(
            move |request: Request<axum::body::Body>, next: Next| {
                let seen = Arc::clone(&in_middleware);
                async move {
                    let claims = request.extensions().get::<Arc<Claims>>().cloned();
                    seen.lock().expect("not poisoned").extend(claims);
                    next.run(request).await
                }
            },
        ))
        .layer(config.layer())
}

#[tokio::test]
async fn extensions_hold_shared_claims() {
    let (clock, config) = setup();
    let seen = Seen::default();
    let app = claims_app(&config, &seen);
    let token = config.issue_token("42", "ada").expect("issue");

    let reply = send(&app, get_with("/x", &token)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "expected a handler that takes Extension<Arc<Claims>> to pass"
    );
    clock.advance(secs(LIFETIME - 60));
    let reply = send(&app, get_with("/x", &token)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "expected a pass in the renewal window"
    );
    assert!(
        reply.headers.contains_key(header::AUTHORIZATION),
        "expected a renewed token"
    );

    let seen = seen.lock().expect("not poisoned");
    assert_eq!(
        seen.len(),
        4,
        "expected the middleware and the handler to see claims on both requests: {seen:?}"
    );
    assert!(
        seen.iter().all(|claims| claims.sub == "42"),
        "expected the token's sub in every copy: {seen:?}"
    );
    assert!(
        seen.iter().all(|claims| Arc::ptr_eq(claims, &seen[0])),
        "expected one shared Arc for both requests of a cached token, not a copy each"
    );
}
