//! Fuzzes the verify-and-renew path: the real axum Router behind the layer, on a manual clock.
//!
//! The first byte of an input picks the mode, and the rest is its data:
//!
//! - `S`: the data is `<header JSON>\n<payload JSON>` (or only the payload, under an HS256
//!   header). The target signs it with HMAC-SHA256 and the test secret, whatever `alg` the
//!   header names, so mutated claims still reach the claim checks.
//! - `R`: a renewal session under a one-day session cap. The target issues a token at the start
//!   time, and then each data byte, up to 24, is one request. Its low 7 bits advance the clock
//!   by that many 2-minute steps, and its high bit sends the login token instead of the newest.
//! - anything else: the data is the raw `Authorization` values, one per line. No data sends no
//!   header, and a line that is not a valid header value is skipped.
//!
//! The bar for every input is no panic and no 5xx. Each response the layer writes must be an
//! envelope, and each renewed token must verify, keep the login time and stay inside the session
//! cap.
#![no_main]

use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};
use libfuzzer_sys::fuzz_target;
use renew_fetch::server::{AuthConfig, Claims, ManualClock};
use tower::ServiceExt;

/// The HMAC secret of the fuzzed layer. The seed files under `fuzz/corpus/verify_renew` are signed
/// with the same bytes, so keep the two in step.
const SECRET: &[u8; 32] = b"renew-fetch test secret 32 bytes";
/// The clock's start time, which the seed tokens' times are relative to.
const T0: u64 = 1_700_000_000;
/// The layer's default timings, in seconds.
const GRACE: u64 = 10 * 60;
const CAP: u64 = 7 * 24 * 60 * 60;
/// The session cap of the `R` mode: one day, so that a session of [`MAX_SESSION_STEPS`] steps
/// can reach it.
const SESSION_CAP: u64 = 24 * 60 * 60;
/// The business codes of the default protocol.
const OVERDUE: i64 = 401;
const INVALID_TOKEN: i64 = 1007;
/// The maximum number of requests that one `R` input sends.
const MAX_SESSION_STEPS: usize = 24;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let runtime = runtime();
    match mode {
        b'S' => runtime.block_on(signed(rest)),
        b'R' => runtime.block_on(session(rest)),
        _ => runtime.block_on(raw(rest)),
    }
});

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime builds")
    })
}

/// Builds a layer with the default timings and session cap `cap` on a manual clock at [`T0`],
/// around one protected route.
fn app(cap: u64) -> (ManualClock, AuthConfig, Router) {
    let clock = ManualClock::new(T0);
    let config = AuthConfig::builder(SECRET.to_vec())
        .session_cap(Duration::from_secs(cap))
        .clock(clock.clone())
        .build()
        .expect("the fuzz config builds");
    let router = Router::new()
        .route("/api/profile", get(|claims: Claims| async { Json(claims) }))
        .layer(config.layer());
    (clock, config, router)
}

/// The parts of a response that the checks read.
struct Reply {
    status: StatusCode,
    code: Option<i64>,
    renewed: Option<String>,
}

async fn send(router: &Router, authorization: &[HeaderValue]) -> Reply {
    let mut request = Request::get("/api/profile");
    for value in authorization {
        request = request.header(header::AUTHORIZATION, value.clone());
    }
    let request = request.body(Body::empty()).expect("the request builds");
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("the router is infallible");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("the body collects").to_bytes();
    assert!(
        !parts.status.is_server_error(),
        "expected no 5xx, got {}",
        parts.status
    );
    let code = if parts.status == StatusCode::OK {
        None
    } else {
        let envelope: serde_json::Value =
            serde_json::from_slice(&body).expect("a rejection body is a JSON envelope");
        Some(
            envelope["code"]
                .as_i64()
                .expect("the envelope has an integer code"),
        )
    };
    let renewed = parts.headers.get(header::AUTHORIZATION).map(|value| {
        value
            .to_str()
            .expect("a renewed token is visible ASCII")
            .to_owned()
    });
    Reply {
        status: parts.status,
        code,
        renewed,
    }
}

/// Verifies a token that the layer issued, ignoring every time, and returns its claims.
fn claims_of(token: &str) -> Claims {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let key = DecodingKey::from_secret(SECRET).expect("the secret is not empty");
    jsonwebtoken::decode::<Claims>(token, &key, &validation)
        .expect("a renewed token verifies with the secret")
        .claims
}

/// Checks a renewed token against the renewal rules and returns its claims.
fn check_renewed(token: &str, now: u64, cap: u64, auth_time: Option<u64>) -> Claims {
    let claims = claims_of(token);
    assert!(
        claims.exp <= claims.auth_time.saturating_add(cap),
        "expected a renewed exp within the session cap"
    );
    assert!(
        claims.exp > now,
        "expected a renewed token that is not expired"
    );
    // A login time ahead of the clock, within the allowance for clock skew, counts as now.
    assert_eq!(
        claims.iat,
        now.max(claims.auth_time),
        "expected a renewed iat of now, or of a later login time"
    );
    assert!(
        claims.auth_time <= claims.iat,
        "expected a renewed token issued no earlier than its login"
    );
    if let Some(auth_time) = auth_time {
        assert_eq!(claims.auth_time, auth_time, "expected the login time kept");
    }
    claims
}

/// Returns the app of the `S` and raw modes, built once, because their clock never moves.
fn fixed_app() -> &'static (ManualClock, AuthConfig, Router) {
    static APP: OnceLock<(ManualClock, AuthConfig, Router)> = OnceLock::new();
    APP.get_or_init(|| app(CAP))
}

async fn raw(data: &[u8]) {
    let (clock, _config, router) = fixed_app();
    let values: Vec<HeaderValue> = if data.is_empty() {
        Vec::new()
    } else {
        data.split(|&b| b == b'\n')
            .filter_map(|line| HeaderValue::from_bytes(line).ok())
            .collect()
    };
    let reply = send(router, &values).await;
    if let Some(token) = &reply.renewed {
        check_renewed(token, clock.now(), CAP, None);
    }
}

async fn signed(data: &[u8]) {
    let (header_json, payload_json) = match data.iter().position(|&b| b == b'\n') {
        Some(newline) => (&data[..newline], &data[newline + 1..]),
        None => (&br#"{"alg":"HS256","typ":"JWT"}"#[..], data),
    };
    let message = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header_json),
        URL_SAFE_NO_PAD.encode(payload_json)
    );
    let key = EncodingKey::from_secret(SECRET).expect("the secret is not empty");
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::HS256)
        .expect("HMAC signing does not fail");
    let token = format!("{message}.{signature}");
    let Ok(value) = HeaderValue::from_str(&format!("Bearer {token}")) else {
        return;
    };
    let (clock, _config, router) = fixed_app();
    let reply = send(router, &[value]).await;
    if reply.status == StatusCode::OK || reply.renewed.is_some() {
        let header = jsonwebtoken::decode_header(&token).expect("an accepted token has a header");
        assert_eq!(header.alg, Algorithm::HS256, "expected only HS256 accepted");
    }
    if let Some(renewed) = &reply.renewed {
        check_renewed(renewed, clock.now(), CAP, None);
    }
}

async fn session(steps: &[u8]) {
    let (clock, config, router) = app(SESSION_CAP);
    let login = config
        .issue_token("42", "ada")
        .expect("login issues a token");
    let mut tokens = vec![login];
    let mut jtis = HashSet::from([claims_of(&tokens[0]).jti]);
    for &step in steps.iter().take(MAX_SESSION_STEPS) {
        clock.advance(Duration::from_secs(u64::from(step & 0x7f) * 120));
        let sent = if step & 0x80 != 0 {
            tokens[0].clone()
        } else {
            tokens[tokens.len() - 1].clone()
        };
        let sent_exp = claims_of(&sent).exp;
        let value = HeaderValue::from_str(&format!("Bearer {sent}")).expect("a token is ASCII");
        let reply = send(&router, &[value]).await;
        let now = clock.now();
        if now > sent_exp + GRACE {
            assert!(
                reply.renewed.is_none(),
                "expected no renewal of a token expired past the grace period"
            );
            assert_eq!(
                reply.code,
                Some(INVALID_TOKEN),
                "expected invalid-token for a token expired past the grace period"
            );
        } else if now > sent_exp && reply.renewed.is_some() {
            assert_eq!(
                reply.code,
                Some(OVERDUE),
                "expected overdue within the grace period"
            );
        }
        if let Some(renewed) = reply.renewed {
            let claims = check_renewed(&renewed, now, SESSION_CAP, Some(T0));
            assert!(
                jtis.insert(claims.jti),
                "expected a new jti on every renewal"
            );
            tokens.push(renewed);
        }
    }
}
