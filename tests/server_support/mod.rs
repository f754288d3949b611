//! Shared helpers of the server integration tests: a config on a manual clock, a test app that
//! counts handler calls, a hand-rolled JWS signer for forged tokens, and a log recorder.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, Response, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::BodyExt;
use renew_fetch::server::{AuthConfig, AuthConfigBuilder, Claims, ManualClock};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

/// The test secret: 32 bytes exactly.
pub const SECRET: &[u8; 32] = b"renew-fetch test secret 32 bytes";
/// The time every test starts at.
pub const T0: u64 = 1_700_000_000;
pub const MIN: u64 = 60;
pub const HOUR: u64 = 60 * MIN;
pub const DAY: u64 = 24 * HOUR;
/// The defaults, in seconds.
pub const LIFETIME: u64 = 2 * HOUR;
pub const WINDOW: u64 = 30 * MIN;
pub const GRACE: u64 = 10 * MIN;
pub const CAP: u64 = 7 * DAY;

pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Returns a builder with the test secret on `clock` and every other setting at its default.
pub fn builder(clock: &ManualClock) -> AuthConfigBuilder {
    AuthConfig::builder(SECRET.to_vec()).clock(clock.clone())
}

/// Returns a clock at [`T0`] and a default config on it.
pub fn setup() -> (ManualClock, AuthConfig) {
    let clock = ManualClock::new(T0);
    let config = builder(&clock).build().expect("default test config builds");
    (clock, config)
}

/// Counts the calls that reached a handler.
#[derive(Clone, Default)]
pub struct Calls(Arc<AtomicUsize>);

impl Calls {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
    fn hit(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Routes that report the claims they saw and count their calls, unlayered.
pub fn routes(calls: &Calls) -> Router {
    let profile_calls = calls.clone();
    let echo_calls = calls.clone();
    let options_calls = calls.clone();
    Router::new()
        .route(
            "/api/profile",
            get(move |claims: Claims| async move {
                profile_calls.hit();
                Json(claims)
            })
            .options(move || async move {
                options_calls.hit();
                (StatusCode::NO_CONTENT, [("x-preflight-handler", "yes")])
            }),
        )
        .route(
            "/api/echo",
            post(move |claims: Claims, body: String| async move {
                echo_calls.hit();
                Json(serde_json::json!({ "sub": claims.sub, "body": body }))
            }),
        )
        .route(
            "/api/exposing",
            get(|_claims: Claims| async {
                (
                    [(header::ACCESS_CONTROL_EXPOSE_HEADERS, "X-Request-Id, ETag")],
                    "ok",
                )
            }),
        )
}

/// [`routes`] behind the layer.
pub fn app(config: &AuthConfig, calls: &Calls) -> Router {
    routes(calls).layer(config.layer())
}

/// Builds a CORS preflight for `/api/profile` from `origin`, with `token` as a bearer token when
/// one is given. Browsers send none, but any other client can.
pub fn preflight(origin: &str, token: Option<&str>) -> Request<Body> {
    let mut request = Request::options("/api/profile")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(Body::empty()).expect("the preflight builds")
}

/// A collected response.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("header is visible ASCII"))
    }

    pub fn code(&self) -> i64 {
        self.json()["code"]
            .as_i64()
            .expect("envelope has an integer code")
    }

    /// The renewed token on the response, which must be there.
    pub fn renewed(&self) -> String {
        self.header("authorization")
            .expect("a renewed token in Authorization")
            .to_owned()
    }
}

pub async fn collect(response: Response<Body>) -> Reply {
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .expect("body collects")
        .to_bytes()
        .to_vec();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// Sends one request through `app` with tower's `oneshot`.
pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app
        .clone()
        .oneshot(request)
        .await
        .expect("router is infallible");
    collect(response).await
}

/// `GET path` with `Authorization: Bearer <token>`.
pub fn get_with(path: &str, token: &str) -> Request<Body> {
    Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request builds")
}

/// `GET path` with a raw `Authorization` value.
pub fn get_raw(path: &str, authorization: &[u8]) -> Request<Body> {
    Request::get(path)
        .header(
            header::AUTHORIZATION,
            header::HeaderValue::from_bytes(authorization).expect("header value builds"),
        )
        .body(Body::empty())
        .expect("request builds")
}

/// `GET path` without credentials.
pub fn get_bare(path: &str) -> Request<Body> {
    Request::get(path)
        .body(Body::empty())
        .expect("request builds")
}

/// Verifies a token with the test secret, ignoring every time, and returns its claims.
pub fn claims_of(token: &str) -> Claims {
    claims_with(token, SECRET)
}

/// Verifies a token with `secret`, ignoring every time, and returns its claims.
pub fn claims_with(token: &str, secret: &[u8]) -> Claims {
    decode_with(token, secret)
}

/// Verifies a token with the test secret, ignoring every time, and returns its payload as JSON.
pub fn payload_of(token: &str) -> Value {
    decode_with(token, SECRET)
}

fn decode_with<T: serde::de::DeserializeOwned>(token: &str, secret: &[u8]) -> T {
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    validation.validate_aud = false;
    jsonwebtoken::decode::<T>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(secret).expect("key"),
        &validation,
    )
    .expect("token verifies with the given secret")
    .claims
}

/// Asserts the headers that expose a renewed token.
pub fn assert_renewal_headers(reply: &Reply, what: &str) {
    let exposed = reply
        .header("access-control-expose-headers")
        .unwrap_or_else(|| panic!("{what}: Access-Control-Expose-Headers present"));
    assert!(
        exposed
            .split(',')
            .any(|n| n.trim().eq_ignore_ascii_case("authorization")),
        "{what}: Authorization exposed, got {exposed:?}"
    );
    assert_eq!(
        reply.header("cache-control"),
        Some("no-store"),
        "{what}: no-store"
    );
}

/// Asserts that `reply` is the layer's invalid-token rejection: 401, the invalid-token code and
/// `error="invalid_token"` in the challenge.
pub fn assert_invalid_token_reply(reply: &Reply, what: &str) {
    assert_rejected(
        reply,
        StatusCode::UNAUTHORIZED,
        renew_fetch::protocol::CODE_INVALID_TOKEN,
        Some("invalid_token"),
        what,
    );
}

/// Asserts a rejection's status, business code and `WWW-Authenticate` error attribute.
pub fn assert_rejected(
    reply: &Reply,
    status: StatusCode,
    code: i64,
    error: Option<&str>,
    what: &str,
) {
    assert_eq!(reply.status, status, "{what}: status");
    assert_eq!(
        reply.header("content-type"),
        Some("application/json"),
        "{what}: JSON content type"
    );
    let body = reply.json();
    assert_eq!(body["code"], code, "{what}: business code, body {body}");
    assert!(body["msg"].is_string(), "{what}: envelope msg is a string");
    assert!(body["data"].is_null(), "{what}: envelope data is null");
    let challenge = reply
        .header("www-authenticate")
        .unwrap_or_else(|| panic!("{what}: WWW-Authenticate present"));
    match error {
        Some(error) => assert_eq!(
            challenge,
            format!("Bearer realm=\"renew-fetch\", error=\"{error}\""),
            "{what}: challenge"
        ),
        None => assert_eq!(
            challenge, "Bearer realm=\"renew-fetch\"",
            "{what}: challenge"
        ),
    }
}

// --- A hand-rolled JWS, so tests can sign anything: other algs, bad types, deep nesting. ---

pub fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// Builds a JWS from this header and payload JSON, signed with HMAC-SHA256 and `secret`
/// whatever `alg` the header names.
pub fn jws(header_json: &str, payload_json: &str, secret: &[u8]) -> String {
    let message = format!(
        "{}.{}",
        b64url(header_json.as_bytes()),
        b64url(payload_json.as_bytes())
    );
    let signature = b64url(&hmac_sha256(secret, message.as_bytes()));
    format!("{message}.{signature}")
}

/// Builds the payload of a well-formed token issued at `iat` for a session from `auth_time`.
pub fn payload(iat: u64, exp: u64, auth_time: u64) -> String {
    serde_json::json!({
        "sub": "42", "username": "ada", "iat": iat, "exp": exp,
        "jti": "00112233445566778899aabbccddeeff", "auth_time": auth_time,
    })
    .to_string()
}

pub const HS256_HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

// --- A tracing subscriber that records every event as text, to check what gets logged. ---

#[derive(Clone, Default)]
pub struct LogRecorder {
    lines: Arc<Mutex<Vec<String>>>,
}

impl LogRecorder {
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().expect("log lock").clone()
    }

    /// Records the events of this thread until the guard drops.
    ///
    /// A global subscriber routes each event to the recorder of the thread that logged it.
    /// `tracing::subscriber::set_default` alone is racy in a test binary: a callsite that
    /// another test thread registers first can cache an interest computed without the scoped
    /// recorder, and that event is then lost.
    pub fn install(&self) -> RecorderGuard {
        static GLOBAL: std::sync::Once = std::sync::Once::new();
        GLOBAL.call_once(|| {
            tracing::subscriber::set_global_default(ThreadRouter)
                .expect("no other global subscriber is set in the test binaries");
        });
        CURRENT.with(|current| *current.borrow_mut() = Some(self.clone()));
        RecorderGuard
    }
}

thread_local! {
    static CURRENT: std::cell::RefCell<Option<LogRecorder>> = const { std::cell::RefCell::new(None) };
}

/// Stops recording the current thread's events when dropped.
pub struct RecorderGuard;

impl Drop for RecorderGuard {
    fn drop(&mut self) {
        CURRENT.with(|current| *current.borrow_mut() = None);
    }
}

/// The global subscriber behind [`LogRecorder::install`]: always enabled, so no callsite caches
/// a "never" interest, and it passes each event to the current thread's recorder, if any.
struct ThreadRouter;

impl tracing::Subscriber for ThreadRouter {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        CURRENT.with(|current| {
            if let Some(recorder) = current.borrow().as_ref() {
                tracing::Subscriber::event(recorder, event);
            }
        });
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

struct LineVisitor<'a>(&'a mut String);

impl tracing::field::Visit for LineVisitor<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl tracing::Subscriber for LogRecorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = event.metadata().level().to_string();
        event.record(&mut LineVisitor(&mut line));
        self.lines.lock().expect("log lock").push(line);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}
