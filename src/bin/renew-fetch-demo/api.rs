//! The demo API: a login with built-in users and three protected routes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use renew_fetch::protocol::{Codes, Envelope};
use renew_fetch::server::{AuthConfig, Claims, Clock};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::clock::OffsetClock;

/// The business code of a failed login: wrong username or password.
pub const CODE_BAD_CREDENTIALS: i64 = 1001;

/// The business code of a request with an invalid parameter or body.
pub const CODE_BAD_REQUEST: i64 = 1002;

/// The maximum delay that `/api/items?delay_ms=` accepts, in milliseconds.
pub const MAX_DELAY_MS: u64 = 10_000;

/// The highest page number that `/api/items?page=` accepts.
const MAX_PAGE: u64 = 1_000;

/// Items on each page of `/api/items`.
const PAGE_SIZE: u64 = 5;

/// The built-in demo users: user id, username and password.
const USERS: [(&str, &str, &str); 2] = [
    ("1", "alice", "alice-password"),
    ("2", "bob", "bob-password"),
];

/// Shared state of the API routes.
#[derive(Clone)]
struct ApiState {
    config: AuthConfig,
    /// The clock that the config's layer reads, whose time `/api/config` reports.
    clock: OffsetClock,
    codes: Codes,
    counters: Arc<Counters>,
}

/// Handler runs per route, so that a page or a test can see how many requests reached the
/// handler. A request that the layer responds to itself, such as an overdue one, is not
/// counted.
#[derive(Default)]
struct Counters {
    login: AtomicU64,
    profile: AtomicU64,
    items: AtomicU64,
    echo: AtomicU64,
}

/// Builds the API router. The protected routes sit behind the renewal layer.
pub fn router(config: AuthConfig, clock: OffsetClock) -> Router {
    let state = ApiState {
        config: config.clone(),
        clock,
        codes: Codes::default(),
        counters: Arc::default(),
    };
    Router::new()
        .route("/api/profile", get(profile))
        .route("/api/items", get(items))
        .route("/api/echo", post(echo))
        .route_layer(config.layer())
        .route("/api/login", post(login))
        .route("/api/health", get(health))
        .route("/api/stats", get(stats))
        .route("/api/config", get(timings))
        .with_state(state)
}

/// The body of `POST /api/login`.
#[derive(Deserialize)]
struct LoginRequest {
    username: String,
    password: String,
}

async fn login(
    State(state): State<ApiState>,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Response {
    state.counters.login.fetch_add(1, Ordering::Relaxed);
    let Json(request) = match body {
        Ok(body) => body,
        Err(rejection) => {
            tracing::info!(reason = %rejection.body_text(), "login rejected: invalid body");
            return bad_request(
                "invalid login body: send JSON {\"username\": \"…\", \"password\": \"…\"}",
            );
        }
    };
    let user = USERS
        .iter()
        .find(|(_, name, password)| *name == request.username && *password == request.password);
    let Some((user_id, username, _)) = user else {
        tracing::info!(username = %request.username, "login rejected: wrong username or password");
        return envelope(
            StatusCode::UNAUTHORIZED,
            CODE_BAD_CREDENTIALS,
            "wrong username or password",
            Value::Null,
        );
    };
    match state.config.issue_token(user_id, username) {
        Ok(token) => {
            tracing::info!(user_id, "login succeeded");
            let data = json!({ "token": token, "user": { "id": user_id, "username": username } });
            let mut response = envelope(StatusCode::OK, state.codes.success, "ok", data);
            // No cache may keep a response with a token, as RFC 6749 section 5.1 requires.
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => {
            tracing::error!(%error, user_id, "failed to issue a token");
            envelope(
                StatusCode::INTERNAL_SERVER_ERROR,
                CODE_BAD_REQUEST,
                "internal error",
                Value::Null,
            )
        }
    }
}

async fn profile(State(state): State<ApiState>, claims: Claims) -> Response {
    state.counters.profile.fetch_add(1, Ordering::Relaxed);
    let data = json!({
        "userId": claims.sub,
        "username": claims.username,
        "issuedAt": claims.iat,
        "expiresAt": claims.exp,
        "loginAt": claims.auth_time,
    });
    envelope(StatusCode::OK, state.codes.success, "ok", data)
}

async fn items(
    State(state): State<ApiState>,
    claims: Claims,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    state.counters.items.fetch_add(1, Ordering::Relaxed);
    let page = match parse_bounded(&query, "page", 1, MAX_PAGE) {
        Ok(value) => value.unwrap_or(1).max(1),
        Err(message) => return bad_request(&message),
    };
    let delay = match parse_bounded(&query, "delay_ms", 0, MAX_DELAY_MS) {
        Ok(value) => value.unwrap_or(0),
        Err(message) => return bad_request(&message),
    };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let first = (page - 1) * PAGE_SIZE + 1;
    let list: Vec<Value> = (first..first + PAGE_SIZE)
        .map(|id| json!({ "id": id, "name": format!("Item {id}"), "owner": claims.username }))
        .collect();
    let data = json!({ "page": page, "items": list, "delayMs": delay });
    envelope(StatusCode::OK, state.codes.success, "ok", data)
}

async fn echo(State(state): State<ApiState>, body: Result<Json<Value>, JsonRejection>) -> Response {
    state.counters.echo.fetch_add(1, Ordering::Relaxed);
    match body {
        Ok(Json(value)) => envelope(StatusCode::OK, state.codes.success, "ok", value),
        Err(rejection) => {
            tracing::info!(reason = %rejection.body_text(), "echo rejected: invalid body");
            bad_request("invalid echo body: send a JSON value with Content-Type: application/json")
        }
    }
}

async fn health(State(state): State<ApiState>) -> Response {
    envelope(StatusCode::OK, state.codes.success, "ok", Value::Null)
}

async fn stats(State(state): State<ApiState>) -> Response {
    let counters = &state.counters;
    let data = json!({
        "login": counters.login.load(Ordering::Relaxed),
        "profile": counters.profile.load(Ordering::Relaxed),
        "items": counters.items.load(Ordering::Relaxed),
        "echo": counters.echo.load(Ordering::Relaxed),
    });
    envelope(StatusCode::OK, state.codes.success, "ok", data)
}

/// Returns the token timings in seconds, so that the demo page shows the values the server uses,
/// and the server's time in `now`, so that its countdown follows the test clock.
async fn timings(State(state): State<ApiState>) -> Response {
    let config = &state.config;
    let data = json!({
        "now": state.clock.now(),
        "tokenLifetimeSecs": config.token_lifetime().as_secs(),
        "renewWindowSecs": config.renew_window().as_secs(),
        "gracePeriodSecs": config.grace_period().as_secs(),
        "sessionCapSecs": config.session_cap().as_secs(),
    });
    envelope(StatusCode::OK, state.codes.success, "ok", data)
}

/// Reads an optional whole-number parameter and checks that it lies within `min..=max`.
fn parse_bounded(
    query: &HashMap<String, String>,
    name: &str,
    min: u64,
    max: u64,
) -> Result<Option<u64>, String> {
    let Some(text) = query.get(name) else {
        return Ok(None);
    };
    match text.parse::<u64>() {
        Ok(value) if (min..=max).contains(&value) => Ok(Some(value)),
        _ => Err(format!(
            "invalid {name} {text:?}: use a whole number from {min} to {max}"
        )),
    }
}

fn bad_request(message: &str) -> Response {
    envelope(
        StatusCode::BAD_REQUEST,
        CODE_BAD_REQUEST,
        message,
        Value::Null,
    )
}

fn envelope(status: StatusCode, code: i64, msg: &str, data: Value) -> Response {
    let data = (!data.is_null()).then_some(data);
    (status, Json(Envelope::new(code, msg, data))).into_response()
}
