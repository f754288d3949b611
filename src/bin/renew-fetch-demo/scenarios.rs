//! Misbehaving-server routes for the wasm client's tests, mounted under `/scenario` when the demo
//! server runs with `--scenarios`.
//!
//! Each route imitates one thing a real server or proxy does wrong or unusually: it responds
//! overdue forever, drops the renewed-token header, sends a malformed header, sends HTML, sends
//! nothing or responds slowly. Others send a body that never ends or a very large one. None of them
//! verifies a token, because each response is fixed by the route, not by the token's claims.
//! A header value with CR or LF, which hyper cannot send, comes from the hand-written HTTP/1.1
//! listener of the `raw_http` module. One route, `/scenario/sandboxed-frame`, is no server
//! behaviour but a page for tests to load in a sandboxed frame.
//!
//! Every route counts its requests under the `key` query parameter, so a test can read how many
//! requests reached the server with `GET /scenario/count?key=K` and start over with
//! `POST /scenario/reset?key=K`.

mod raw_http;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Query, RawQuery, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, AUTHORIZATION, CONTENT_ENCODING,
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, HOST, LOCATION,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use renew_fetch::protocol::{Codes, Envelope};
use renew_fetch::server::AuthConfig;
use serde::Deserialize;
use serde_json::{json, Value};

/// The maximum delay that `?delay_ms=` accepts, in milliseconds.
const MAX_DELAY_MS: u64 = 10_000;

/// The gap between two overdue responses of `/scenario/overdue-once`, so that the order in which
/// tokens are issued is also the order in which a client receives them. A debug wasm build on a
/// busy machine can leave its event loop blocked for tens of milliseconds, and 20 ms proved too
/// short for Node there.
const OVERDUE_ONCE_SPACING: Duration = Duration::from_millis(100);

/// How long `/scenario/never-ends` keeps its body open before it drops the connection, so that
/// a client that never gives up does not keep a server task forever.
const NEVER_ENDS_STALL: Duration = Duration::from_secs(30);

/// The default and the maximum size of the body of `/scenario/large`, in MiB.
const LARGE_DEFAULT_MIB: usize = 5;
const LARGE_MAX_MIB: usize = 16;

/// The page of `/scenario/sandboxed-frame`. Its script runs each script that its parent window
/// posts as `{ script }`, an expression, and posts back `{ value }` with the awaited result, or
/// `{ error }`. It posts `{ ready: true }` once it listens.
const SANDBOXED_FRAME_PAGE: &str = r#"<!doctype html>
<meta charset="utf-8">
<title>renew-fetch sandboxed frame</title>
<script type="module">
addEventListener("message", async (event) => {
  if (event.source !== parent || typeof event.data?.script !== "string") return;
  try {
    const value = await (0, eval)(event.data.script);
    parent.postMessage({ value }, "*");
  } catch (error) {
    parent.postMessage({ error: `${error?.name}: ${error?.message}` }, "*");
  }
});
parent.postMessage({ ready: true }, "*");
</script>
"#;

/// The user that scenario tokens are issued for.
const SCENARIO_USER: (&str, &str) = ("scenario", "scenario-user");

/// Shared state of the scenario routes.
#[derive(Clone)]
struct ScenarioState {
    config: AuthConfig,
    codes: Codes,
    inner: Arc<Mutex<Tallies>>,
}

/// The state that the scenario routes keep between requests, per `key` query parameter.
#[derive(Default)]
struct Tallies {
    /// Requests received per key.
    counts: HashMap<String, u64>,
    /// Tokens issued by `/scenario/overdue-once` and `/scenario/storm` per key, oldest first.
    issued: HashMap<String, Vec<String>>,
    /// The time at which the latest overdue response of `/scenario/overdue-once` or
    /// `/scenario/storm` is due to leave.
    last_overdue_slot: Option<Instant>,
    /// The `(key, call)` pairs to which `/scenario/storm` has already sent an overdue response.
    storm_overdue: HashSet<(String, String)>,
    /// Requests per key that `/scenario/storm` received through the `localhost` host name.
    localhost_requests: HashMap<String, u64>,
    /// The part of `localhost_requests` that carried an `Authorization` header.
    localhost_tokens: HashMap<String, u64>,
    /// The port of the `raw_http` listener, once it runs.
    raw_http_port: Option<u16>,
}

/// The query parameters that the scenario routes read.
#[derive(Default, Deserialize)]
struct ScenarioQuery {
    key: Option<String>,
    delay_ms: Option<u64>,
    code: Option<i64>,
    msg: Option<String>,
    form: Option<String>,
    status: Option<u16>,
    accept: Option<String>,
    call: Option<String>,
    overdue: Option<bool>,
    size_mib: Option<usize>,
    to: Option<String>,
    any_origin: Option<bool>,
}

impl ScenarioState {
    fn tallies(&self) -> MutexGuard<'_, Tallies> {
        // A handler that panicked while holding the lock leaves counts that are still usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts one request under its key. A request without a key is not counted.
    fn record(&self, query: &ScenarioQuery) {
        if let Some(key) = &query.key {
            *self.tallies().counts.entry(key.clone()).or_default() += 1;
        }
    }

    /// Reserves the time at which the next overdue response with a renewed token may leave: now,
    /// or 100 ms after the previous one, whichever is later.
    fn next_overdue_slot(tallies: &mut Tallies) -> Instant {
        let now = Instant::now();
        let slot = match tallies.last_overdue_slot {
            Some(last) if last + OVERDUE_ONCE_SPACING > now => last + OVERDUE_ONCE_SPACING,
            _ => now,
        };
        tallies.last_overdue_slot = Some(slot);
        slot
    }

    /// Issues a token for the scenario user, or None (logged) when issuing fails.
    fn fresh_token(&self) -> Option<String> {
        match self.config.issue_token(SCENARIO_USER.0, SCENARIO_USER.1) {
            Ok(token) => Some(token),
            Err(error) => {
                tracing::error!(%error, "scenario failed to issue a token");
                None
            }
        }
    }
}

/// Builds the scenario router. `config` issues the renewed tokens that the routes send.
pub fn router(config: AuthConfig) -> Router {
    let state = ScenarioState {
        codes: config.codes().clone(),
        config,
        inner: Arc::default(),
    };
    Router::new()
        .route("/count", any(count))
        .route("/reset", any(reset))
        .route("/ok", any(ok))
        .route("/echo-auth", any(ok))
        .route("/slow", any(slow))
        .route("/overdue-forever", any(overdue_forever))
        .route("/overdue-no-header", any(overdue_no_header))
        .route("/overdue-once", any(overdue_once))
        .route("/overdue-once/newest", any(overdue_once_newest))
        .route("/renewed", any(renewed))
        .route("/redirect", any(redirect))
        .route("/cross-origin-redirect", any(cross_origin_redirect))
        .route("/bad-header", any(bad_header))
        .route("/login-required", any(login_required))
        .route("/business", any(business))
        .route("/bare-envelope", any(bare_envelope))
        .route("/paged", any(paged))
        .route("/not-json", any(not_json))
        .route("/bad-encoding", any(bad_encoding))
        .route("/huge-code", any(huge_code))
        .route("/html-502", any(html_502))
        .route("/json-429", any(json_429))
        .route("/empty-204", any(empty_204))
        .route("/raw", any(raw))
        .route("/closed-port", any(closed_port))
        .route("/storm", any(storm))
        .route("/storm/inspect", any(storm_inspect))
        .route("/never-ends", any(never_ends))
        .route("/large", any(large))
        .route("/raw-http-port", any(raw_http_port))
        .route("/sandboxed-frame", any(sandboxed_frame))
        .with_state(state)
}

/// `GET /scenario/count?key=K`: the number of requests counted under K.
async fn count(State(state): State<ScenarioState>, Query(query): Query<ScenarioQuery>) -> Response {
    let key = query.key.unwrap_or_default();
    let count = state.tallies().counts.get(&key).copied().unwrap_or(0);
    success(&state, json!({ "key": key, "count": count }))
}

/// `POST /scenario/reset?key=K`: removes the count and the issued tokens of K.
async fn reset(State(state): State<ScenarioState>, Query(query): Query<ScenarioQuery>) -> Response {
    let key = query.key.unwrap_or_default();
    let mut tallies = state.tallies();
    tallies.counts.remove(&key);
    tallies.issued.remove(&key);
    drop(tallies);
    success(&state, json!({ "key": key }))
}

/// `/scenario/ok` and `/scenario/echo-auth`: a success envelope that echoes the request, with
/// the `Authorization` header it carried (or null), so a test can check which token was sent.
async fn ok(
    State(state): State<ScenarioState>,
    method: Method,
    headers: HeaderMap,
    Query(query): Query<ScenarioQuery>,
    RawQuery(raw_query): RawQuery,
    body: Bytes,
) -> Response {
    state.record(&query);
    success(&state, echo(&method, raw_query.as_deref(), &headers, &body))
}

/// `/scenario/slow?delay_ms=N`: waits N milliseconds (at most 10 000), then responds like
/// `/scenario/ok`.
async fn slow(
    State(state): State<ScenarioState>,
    method: Method,
    headers: HeaderMap,
    Query(query): Query<ScenarioQuery>,
    RawQuery(raw_query): RawQuery,
    body: Bytes,
) -> Response {
    state.record(&query);
    let delay = query.delay_ms.unwrap_or(0).min(MAX_DELAY_MS);
    tokio::time::sleep(Duration::from_millis(delay)).await;
    success(&state, echo(&method, raw_query.as_deref(), &headers, &body))
}

/// `/scenario/overdue-forever`: always 401 with the overdue envelope and a fresh token in
/// `Authorization`, as a server whose clock is far ahead of the token would.
async fn overdue_forever(
    State(state): State<ScenarioState>,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    state.record(&query);
    match state.fresh_token() {
        Some(token) => with_token(overdue(&state), &token),
        None => issue_failed(),
    }
}

/// `/scenario/overdue-no-header?accept=T&delay_ms=N`: waits N milliseconds (at most 10 000),
/// then responds to a request that carries token T like `/scenario/ok`, and any other with 401 and
/// the overdue envelope but no renewed token, as when a proxy strips the header or CORS does not
/// expose it.
async fn overdue_no_header(
    State(state): State<ScenarioState>,
    method: Method,
    headers: HeaderMap,
    Query(query): Query<ScenarioQuery>,
    RawQuery(raw_query): RawQuery,
    body: Bytes,
) -> Response {
    state.record(&query);
    let delay = query.delay_ms.unwrap_or(0).min(MAX_DELAY_MS);
    tokio::time::sleep(Duration::from_millis(delay)).await;
    let accepted = query.accept.is_some() && bearer_token(&headers) == query.accept;
    if accepted {
        return success(&state, echo(&method, raw_query.as_deref(), &headers, &body));
    }
    overdue(&state)
}

/// `/scenario/overdue-once?key=K`: a request whose token this route issued under K succeeds.
/// Any other token (or none) gets 401 overdue with a fresh token, which is recorded under K.
///
/// Overdue responses leave the server at least 100 ms apart and in the order their tokens were
/// issued, so the last token a client receives is the last one issued.
async fn overdue_once(
    State(state): State<ScenarioState>,
    method: Method,
    headers: HeaderMap,
    Query(query): Query<ScenarioQuery>,
    RawQuery(raw_query): RawQuery,
    body: Bytes,
) -> Response {
    state.record(&query);
    let key = query.key.clone().unwrap_or_default();
    let sent = bearer_token(&headers);

    let send_at = {
        let mut tallies = state.tallies();
        let known = tallies.issued.get(&key).is_some_and(|tokens| {
            sent.as_deref()
                .is_some_and(|t| tokens.iter().any(|i| i == t))
        });
        if known {
            drop(tallies);
            return success(&state, echo(&method, raw_query.as_deref(), &headers, &body));
        }
        let Some(token) = state.fresh_token() else {
            return issue_failed();
        };
        let slot = ScenarioState::next_overdue_slot(&mut tallies);
        tallies.issued.entry(key).or_default().push(token.clone());
        (slot, token)
    };

    let (slot, token) = send_at;
    tokio::time::sleep_until(slot.into()).await;
    with_token(overdue(&state), &token)
}

/// `/scenario/overdue-once/newest?key=K`: whether the request's token is the last one that
/// `/scenario/overdue-once` issued under K, and how many it issued.
async fn overdue_once_newest(
    State(state): State<ScenarioState>,
    headers: HeaderMap,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    let key = query.key.unwrap_or_default();
    let sent = bearer_token(&headers);
    let tallies = state.tallies();
    let tokens = tallies.issued.get(&key).map(Vec::as_slice).unwrap_or(&[]);
    let newest = sent.is_some() && tokens.last() == sent.as_ref();
    let issued = tokens.len();
    drop(tallies);
    success(&state, json!({ "newest": newest, "issued": issued }))
}

/// `/scenario/renewed?form=raw|bearer|token&delay_ms=N&any_origin=true`: waits N milliseconds (at
/// most 10 000), then responds with a success envelope with a fresh token in `Authorization`, raw
/// or after the scheme `Bearer` or `Token`. The token is also in `data.token`, so a test can compare it with the
/// stored one. With `any_origin=true` the response lets every origin read it and its
/// `Authorization`, the origin `null` of a request that a redirect took through another origin
/// included, as an app route that issues tokens to anyone might.
async fn renewed(
    State(state): State<ScenarioState>,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    state.record(&query);
    let delay = query.delay_ms.unwrap_or(0).min(MAX_DELAY_MS);
    tokio::time::sleep(Duration::from_millis(delay)).await;
    let Some(token) = state.fresh_token() else {
        return issue_failed();
    };
    let header = match query.form.as_deref() {
        Some("bearer") => format!("Bearer {token}"),
        Some("token") => format!("Token {token}"),
        _ => token.clone(),
    };
    let mut response = with_token(success(&state, json!({ "token": token })), &header);
    if query.any_origin == Some(true) {
        let headers = response.headers_mut();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        headers.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("authorization"),
        );
    }
    response
}

/// `/scenario/bad-header?form=space|tab|comma|scheme|long|undefined|null&status=200|401`: a
/// renewed-token header that is no token: a space, a tab or a comma inside the token, the bare
/// word `Bearer`, a token of 9,000 bytes, or the text of a missing value, `Bearer undefined` or
/// `null`. With `status=401` the body is the overdue envelope,
/// otherwise a success envelope.
///
/// A header value with CR or LF cannot be sent from here: hyper rejects it when the response is
/// built, and the HTTP/1.1 grammar forbids it. The listener of `/scenario/raw-http-port` writes
/// such headers by hand. The client's parser rejects CR and LF too, which the native tests of
/// the protocol module check.
async fn bad_header(
    State(state): State<ScenarioState>,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    state.record(&query);
    let long;
    let value = match query.form.as_deref() {
        Some("tab") => "bad\ttoken",
        Some("comma") => "one,two",
        Some("scheme") => "Bearer",
        Some("undefined") => "Bearer undefined",
        Some("null") => "null",
        Some("long") => {
            long = "a".repeat(9_000);
            long.as_str()
        }
        _ => "bad token",
    };
    let response = match query.status {
        Some(401) => overdue(&state),
        _ => success(&state, Value::Null),
    };
    with_token(response, value)
}

/// `/scenario/login-required?code=C&form=token&delay_ms=N`: waits N milliseconds (at most
/// 10 000), then responds 401 with business code C, by default need-login. With `form=token`
/// the response also carries a fresh token in `Authorization`, which the protocol never pairs
/// with a login-required code.
async fn login_required(
    State(state): State<ScenarioState>,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    state.record(&query);
    let delay = query.delay_ms.unwrap_or(0).min(MAX_DELAY_MS);
    tokio::time::sleep(Duration::from_millis(delay)).await;
    let code = query.code.unwrap_or(state.codes.need_login);
    let response = envelope(
        StatusCode::UNAUTHORIZED,
        code,
        "login required",
        Value::Null,
    );
    if query.form.as_deref() != Some("token") {
        return response;
    }
    match state.fresh_token() {
        Some(token) => with_token(response, &token),
        None => issue_failed(),
    }
}

/// `/scenario/business?code=C&msg=M`: HTTP 200 with business code C (default 4001) and
/// message M.
async fn business(
    State(state): State<ScenarioState>,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    state.record(&query);
    let code = query.code.unwrap_or(4001);
    let msg = query.msg.unwrap_or_else(|| "out of stock".to_owned());
    envelope(StatusCode::OK, code, &msg, json!({ "sku": "A-1" }))
}

/// `/scenario/bare-envelope?code=C`: HTTP 200 with an envelope that has business code C (default
/// 200) and neither `msg` nor `data`, as some servers send.
async fn bare_envelope(
    State(state): State<ScenarioState>,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    state.record(&query);
    let code = query.code.unwrap_or(200);
    let content_type = [(CONTENT_TYPE, "application/json")];
    (
        StatusCode::OK,
        content_type,
        json!({ "code": code }).to_string(),
    )
        .into_response()
}

/// `/scenario/paged?code=C`: HTTP 200 with an envelope that has business code C (default
/// success) and a page of a list in `rows` and `total` in place of `data`, as back ends built on
/// RuoYi send their lists.
async fn paged(State(state): State<ScenarioState>, Query(query): Query<ScenarioQuery>) -> Response {
    state.record(&query);
    let code = query.code.unwrap_or(state.codes.success);
    let body = json!({
        "code": code,
        "msg": "ok",
        "rows": [{ "id": 1, "name": "ada" }, { "id": 2, "name": "grace" }],
        "total": 12,
    });
    Json(body).into_response()
}

/// `/scenario/not-json`: HTTP 200 with a plain-text body.
async fn not_json(
    State(state): State<ScenarioState>,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    state.record(&query);
    let content_type = [(CONTENT_TYPE, "text/plain; charset=utf-8")];
    (StatusCode::OK, content_type, "plain text, not JSON").into_response()
}

/// `/scenario/bad-encoding`: HTTP 200 with `Content-Encoding: gzip` on a JSON body that is not
/// gzip, so the browser fails to decode the body after the headers arrived.
async fn bad_encoding(
    State(state): State<ScenarioState>,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    state.record(&query);
    let headers = [
        (CONTENT_TYPE, "application/json"),
        (CONTENT_ENCODING, "gzip"),
    ];
    (
        StatusCode::OK,
        headers,
        r#"{"code":200,"msg":"ok","data":null}"#,
    )
        .into_response()
}

/// `/scenario/huge-code`: HTTP 200 with an envelope whose code, 10^20, is a whole number beyond
/// the range of i64, which a JavaScript number does not represent exactly.
async fn huge_code(
    State(state): State<ScenarioState>,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    state.record(&query);
    let content_type = [(CONTENT_TYPE, "application/json")];
    let body = r#"{"code":100000000000000000000,"msg":"huge","data":null}"#;
    (StatusCode::OK, content_type, body).into_response()
}

/// `/scenario/html-502`: the HTML error page of a gateway whose upstream is down.
async fn html_502(
    State(state): State<ScenarioState>,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    state.record(&query);
    let content_type = [(CONTENT_TYPE, "text/html; charset=utf-8")];
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    (StatusCode::BAD_GATEWAY, content_type, page).into_response()
}

/// `/scenario/json-429`: the JSON error of a rate-limiting proxy in front of the API, which
/// sends no envelope.
async fn json_429(
    State(state): State<ScenarioState>,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    state.record(&query);
    let body = json!({ "error": "rate limited", "retryAfter": 2 });
    (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response()
}

/// `/scenario/empty-204`: HTTP 204 with no body.
async fn empty_204(
    State(state): State<ScenarioState>,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    state.record(&query);
    StatusCode::NO_CONTENT.into_response()
}

/// `/scenario/raw`: HTTP 200 with the five bytes 0, 1, 2, 3, 255, as a file download would send.
async fn raw(State(state): State<ScenarioState>, Query(query): Query<ScenarioQuery>) -> Response {
    state.record(&query);
    let content_type = [(CONTENT_TYPE, "application/octet-stream")];
    (StatusCode::OK, content_type, vec![0u8, 1, 2, 3, 255]).into_response()
}

/// `/scenario/closed-port`: a port of 127.0.0.1 that nothing listens on, in `data.port`. The
/// route binds a free port and closes it at once, so another program could take the port in
/// between, but that is unlikely within one test.
async fn closed_port(State(state): State<ScenarioState>) -> Response {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port());
    match port {
        Ok(port) => success(&state, json!({ "port": port })),
        Err(error) => {
            tracing::error!(%error, "scenario failed to find a free port");
            envelope(
                StatusCode::INTERNAL_SERVER_ERROR,
                500,
                "no free port",
                Value::Null,
            )
        }
    }
}

/// `/scenario/storm?key=K&call=C&delay_ms=N&overdue=true`: waits N milliseconds (at most
/// 10 000), then responds like `/scenario/ok`, with `data.replayed` true when this call got
/// an overdue response before. With `overdue=true`, the first request for call C under K gets 401
/// overdue with a fresh token instead. The token is recorded under K, and the response is spaced
/// like those of `/scenario/overdue-once`.
///
/// Requests that reach the server through the `localhost` host name are also counted on their
/// own, with the number of them that carried an `Authorization` header, for
/// `/scenario/storm/inspect`.
async fn storm(
    State(state): State<ScenarioState>,
    method: Method,
    headers: HeaderMap,
    Query(query): Query<ScenarioQuery>,
    RawQuery(raw_query): RawQuery,
    body: Bytes,
) -> Response {
    state.record(&query);
    let key = query.key.clone().unwrap_or_default();
    if reached_through_localhost(&headers) {
        let mut tallies = state.tallies();
        *tallies.localhost_requests.entry(key.clone()).or_default() += 1;
        if headers.contains_key(AUTHORIZATION) {
            *tallies.localhost_tokens.entry(key.clone()).or_default() += 1;
        }
    }
    let delay = query.delay_ms.unwrap_or(0).min(MAX_DELAY_MS);
    tokio::time::sleep(Duration::from_millis(delay)).await;

    let call = (key.clone(), query.call.clone().unwrap_or_default());
    let overdue_answer = {
        let mut tallies = state.tallies();
        let replayed = tallies.storm_overdue.contains(&call);
        if query.overdue != Some(true) || replayed {
            Err(replayed)
        } else {
            let Some(token) = state.fresh_token() else {
                return issue_failed();
            };
            tallies.storm_overdue.insert(call);
            let slot = ScenarioState::next_overdue_slot(&mut tallies);
            tallies.issued.entry(key).or_default().push(token.clone());
            Ok((slot, token))
        }
    };

    match overdue_answer {
        Ok((slot, token)) => {
            tokio::time::sleep_until(slot.into()).await;
            with_token(overdue(&state), &token)
        }
        Err(replayed) => {
            let mut data = echo(&method, raw_query.as_deref(), &headers, &body);
            data["replayed"] = Value::Bool(replayed);
            success(&state, data)
        }
    }
}

/// `/scenario/storm/inspect?key=K`: what `/scenario/storm` recorded under K. `data.count` is
/// its requests, `data.issued` the tokens it issued, `data.localhostRequests` the requests
/// through `localhost` and `data.localhostTokens` those of them with an `Authorization` header.
/// `data.newest` is whether this request's token is the last one issued under K.
async fn storm_inspect(
    State(state): State<ScenarioState>,
    headers: HeaderMap,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    let key = query.key.unwrap_or_default();
    let sent = bearer_token(&headers);
    let tallies = state.tallies();
    let tokens = tallies.issued.get(&key).map(Vec::as_slice).unwrap_or(&[]);
    let data = json!({
        "count": tallies.counts.get(&key).copied().unwrap_or(0),
        "issued": tokens.len(),
        "newest": sent.is_some() && tokens.last() == sent.as_ref(),
        "localhostRequests": tallies.localhost_requests.get(&key).copied().unwrap_or(0),
        "localhostTokens": tallies.localhost_tokens.get(&key).copied().unwrap_or(0),
    });
    drop(tallies);
    success(&state, data)
}

/// `/scenario/redirect?to=PATH`: a 307 redirect to PATH on this server, under the host name of the
/// request. PATH must start with `/scenario/`.
async fn redirect(
    State(state): State<ScenarioState>,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    state.record(&query);
    match query.to.filter(|to| to.starts_with("/scenario/")) {
        Some(to) => (StatusCode::TEMPORARY_REDIRECT, [(LOCATION, to)]).into_response(),
        None => envelope(
            StatusCode::BAD_REQUEST,
            400,
            "to must be a path under /scenario/, such as to=/scenario/renewed",
            Value::Null,
        ),
    }
}

/// `/scenario/cross-origin-redirect?to=PATH`: a 307 redirect to PATH on this server under its
/// other loopback name, `localhost` for `127.0.0.1` and the other way round, which is another
/// origin. PATH must start with `/scenario/`, so the route sends no one to another server.
async fn cross_origin_redirect(
    State(state): State<ScenarioState>,
    headers: HeaderMap,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    state.record(&query);
    let Some(to) = query.to.filter(|to| to.starts_with("/scenario/")) else {
        return envelope(
            StatusCode::BAD_REQUEST,
            400,
            "to must be a path under /scenario/, such as to=/scenario/renewed",
            Value::Null,
        );
    };
    let port = headers
        .get(HOST)
        .and_then(|value| value.to_str().ok())
        .and_then(|host| host.rsplit_once(':'))
        .map_or("80", |(_, port)| port);
    let other = if reached_through_localhost(&headers) {
        "127.0.0.1"
    } else {
        "localhost"
    };
    let location = format!("http://{other}:{port}{to}");
    (StatusCode::TEMPORARY_REDIRECT, [(LOCATION, location)]).into_response()
}

/// Returns true when the request's `Host` is `localhost`, with or without a port.
fn reached_through_localhost(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(HOST).and_then(|value| value.to_str().ok()) else {
        return false;
    };
    host == "localhost" || host.starts_with("localhost:")
}

/// `/scenario/never-ends?key=K`: HTTP 200 with a JSON content type and the first bytes of an
/// envelope, then a body that never finishes, as an upstream that hangs behind a streaming proxy
/// would send. After 30 s the server gives up and drops the connection.
async fn never_ends(
    State(state): State<ScenarioState>,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    state.record(&query);
    let body = StalledBody {
        first: Some(Bytes::from_static(br#"{"code":200,"msg":"ok","data":["#)),
        stall: Box::pin(tokio::time::sleep(NEVER_ENDS_STALL)),
    };
    let content_type = [(CONTENT_TYPE, "application/json")];
    (StatusCode::OK, content_type, Body::new(body)).into_response()
}

/// A response body that sends one chunk, then nothing until `stall` elapses, and then fails.
struct StalledBody {
    first: Option<Bytes>,
    stall: Pin<Box<tokio::time::Sleep>>,
}

impl http_body::Body for StalledBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        if let Some(chunk) = self.first.take() {
            return Poll::Ready(Some(Ok(http_body::Frame::data(chunk))));
        }
        match self.stall.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the stalled body of /scenario/never-ends gave up",
            )))),
        }
    }
}

/// `/scenario/large?size_mib=N`: a success envelope of more than N MiB (default 5, at most 16).
/// `data.count` is the number of `data.items`, and item i is the string `item-` followed by i in
/// 8 digits, a dash, and `x` up to 100 characters.
async fn large(State(state): State<ScenarioState>, Query(query): Query<ScenarioQuery>) -> Response {
    state.record(&query);
    let mib = query
        .size_mib
        .unwrap_or(LARGE_DEFAULT_MIB)
        .clamp(1, LARGE_MAX_MIB);
    // Each item takes 103 bytes in the JSON text: 100 characters, two quotes and a comma.
    let count = mib * 1024 * 1024 / 103 + 1;
    let items: Vec<String> = (0..count).map(large_item).collect();
    success(&state, json!({ "count": count, "items": items }))
}

fn large_item(index: usize) -> String {
    format!("{:x<100}", format!("item-{index:08}-"))
}

/// `/scenario/raw-http-port`: the port of 127.0.0.1 on which the hand-written HTTP/1.1
/// listener of the `raw_http` module listens, in `data.port`. The first request starts it.
async fn raw_http_port(State(state): State<ScenarioState>) -> Response {
    let mut tallies = state.tallies();
    let port = match tallies.raw_http_port {
        Some(port) => Ok(port),
        None => raw_http::start(state.clone()),
    };
    match port {
        Ok(port) => {
            tallies.raw_http_port = Some(port);
            drop(tallies);
            success(&state, json!({ "port": port }))
        }
        Err(error) => {
            drop(tallies);
            tracing::error!(%error, "scenario failed to start the raw HTTP listener");
            envelope(
                StatusCode::INTERNAL_SERVER_ERROR,
                500,
                "raw HTTP listener failed to start",
                Value::Null,
            )
        }
    }
}

/// `/scenario/sandboxed-frame`: an HTML page for a test to load in a sandboxed frame, which runs
/// the scripts that its parent window posts to it (see [`SANDBOXED_FRAME_PAGE`]). The
/// `Content-Security-Policy: sandbox allow-scripts` header gives the page the opaque origin
/// `null` wherever it is loaded, so its scripts never act as the server's origin.
async fn sandboxed_frame(
    State(state): State<ScenarioState>,
    Query(query): Query<ScenarioQuery>,
) -> Response {
    state.record(&query);
    let headers = [
        (CONTENT_TYPE, "text/html; charset=utf-8"),
        (CONTENT_SECURITY_POLICY, "sandbox allow-scripts"),
    ];
    (StatusCode::OK, headers, SANDBOXED_FRAME_PAGE).into_response()
}

/// Describes a request: its method, query string, `Authorization`, `Content-Type` and `X-Test`
/// headers (or null) and its body as text.
fn echo(method: &Method, query: Option<&str>, headers: &HeaderMap, body: &Bytes) -> Value {
    let header = |name| {
        headers
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
    };
    json!({
        "method": method.as_str(),
        "query": query.unwrap_or(""),
        "authorization": header(AUTHORIZATION),
        "contentType": header(CONTENT_TYPE),
        "xTest": header(HeaderName::from_static("x-test")),
        "body": String::from_utf8_lossy(body),
    })
}

/// Returns the token of a `Bearer <token>` request header.
fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.to_owned())
}

fn success(state: &ScenarioState, data: Value) -> Response {
    envelope(StatusCode::OK, state.codes.success, "ok", data)
}

fn overdue(state: &ScenarioState) -> Response {
    envelope(
        StatusCode::UNAUTHORIZED,
        state.codes.overdue,
        "token overdue",
        Value::Null,
    )
}

fn issue_failed() -> Response {
    envelope(
        StatusCode::INTERNAL_SERVER_ERROR,
        500,
        "token issue failed",
        Value::Null,
    )
}

fn envelope(status: StatusCode, code: i64, msg: &str, data: Value) -> Response {
    let data = (!data.is_null()).then_some(data);
    (status, Json(Envelope::new(code, msg, data))).into_response()
}

/// Puts `value` in the `Authorization` response header. A value that is not a valid header
/// (which only a bug in this file could produce) becomes a 500.
fn with_token(mut response: Response, value: &str) -> Response {
    match HeaderValue::from_str(value) {
        Ok(header) => {
            response.headers_mut().insert(AUTHORIZATION, header);
            response
        }
        Err(_) => envelope(
            StatusCode::INTERNAL_SERVER_ERROR,
            500,
            "scenario built an invalid header",
            Value::Null,
        ),
    }
}
