//! The layer over a real HTTP/1.1 connection on loopback, with raw requests so the tests can
//! send what a typed client would reject: repeated headers, obs-text bytes, oversized values.
#![cfg(all(feature = "server", not(target_arch = "wasm32")))]

mod server_support;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::response::Response;
use axum::Router;
use renew_fetch::protocol::MAX_AUTHORIZATION_LEN;
use renew_fetch::server::IssueError;
use server_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::util::MapResponseLayer;

/// Serves `app` on 127.0.0.1 on a free port.
async fn serve(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("server runs");
    });
    addr
}

struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

/// Sends one raw HTTP/1.1 request with the extra header lines and reads the whole response.
async fn request(addr: SocketAddr, method: &str, path: &str, extra: &[&[u8]]) -> Raw {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut bytes =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n").into_bytes();
    for line in extra {
        bytes.extend_from_slice(line);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"Content-Length: 0\r\n\r\n");
    stream.write_all(&bytes).await.expect("write request");
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .expect("read response");

    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of response head");
    let head = String::from_utf8(response[..split].to_vec()).expect("ASCII head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.to_owned(), v.trim().to_owned()))
        .collect::<Vec<_>>();
    let body = response[split + 4..].to_vec();
    Raw {
        status,
        headers,
        body,
    }
}

fn bearer(token: &str) -> Vec<u8> {
    format!("Authorization: Bearer {token}").into_bytes()
}

#[tokio::test]
async fn tcp_valid_token_passes() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let addr = serve(app(&config, &calls)).await;
    let token = config.issue_token("42", "ada").expect("issue");
    let reply = request(addr, "GET", "/api/profile", &[&bearer(&token)]).await;
    assert_eq!(reply.status, 200, "passes");
    assert_eq!(reply.json()["username"], "ada", "handler read the claims");
    assert_eq!(calls.get(), 1, "handler ran");
}

#[tokio::test]
async fn tcp_missing_header_needs_login() {
    let (_clock, config) = setup();
    let addr = serve(app(&config, &Calls::default())).await;
    let reply = request(addr, "GET", "/api/profile", &[]).await;
    assert_eq!(reply.status, 401, "401");
    assert_eq!(
        reply.header("www-authenticate"),
        ["Bearer realm=\"renew-fetch\""],
        "challenge"
    );
    assert_eq!(reply.header("content-type"), ["application/json"], "JSON");
    assert_eq!(reply.json()["code"], 1006, "need-login");
}

#[tokio::test]
async fn tcp_renewal_headers_arrive() {
    let (clock, config) = setup();
    let addr = serve(app(&config, &Calls::default())).await;
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - 60));
    let reply = request(addr, "GET", "/api/exposing", &[&bearer(&token)]).await;
    assert_eq!(reply.status, 200, "passes");
    let renewed = reply.header("authorization");
    assert_eq!(renewed.len(), 1, "one renewed token");
    assert_eq!(
        claims_of(renewed[0]).auth_time,
        T0,
        "renewed token keeps auth_time"
    );
    assert_eq!(
        reply.header("access-control-expose-headers"),
        ["X-Request-Id, ETag, Authorization"],
        "merged exposure"
    );
    assert_eq!(reply.header("cache-control"), ["no-store"], "no-store");
}

#[tokio::test]
async fn tcp_overdue_skips_handler() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let addr = serve(app(&config, &calls)).await;
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME + 60));
    let reply = request(addr, "POST", "/api/echo", &[&bearer(&token)]).await;
    assert_eq!(reply.status, 401, "401");
    assert_eq!(reply.json()["code"], 401, "overdue envelope");
    assert_eq!(reply.header("authorization").len(), 1, "renewed token");
    assert_eq!(calls.get(), 0, "handler not run");
}

#[tokio::test]
async fn tcp_repeated_headers_are_invalid_request() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let addr = serve(app(&config, &calls)).await;
    let token = config.issue_token("42", "ada").expect("issue");
    let reply = request(
        addr,
        "GET",
        "/api/profile",
        &[&bearer(&token), &bearer(&token)],
    )
    .await;
    assert_eq!(reply.status, 400, "repeated header rejected");
    assert_eq!(
        reply.header("www-authenticate"),
        ["Bearer realm=\"renew-fetch\", error=\"invalid_request\""],
        "invalid_request challenge"
    );
    assert_eq!(reply.json()["code"], 1007, "invalid-token envelope");
    assert_eq!(calls.get(), 0, "handler not run");
}

#[tokio::test]
async fn tcp_non_ascii_header_is_invalid_request() {
    let (_clock, config) = setup();
    let addr = serve(app(&config, &Calls::default())).await;
    for (what, line) in [
        ("obs-text", b"Authorization: Bearer abc\xe9def".to_vec()),
        (
            "invalid UTF-8",
            b"Authorization: Bearer abc\xff\xfedef".to_vec(),
        ),
        (
            "UTF-8",
            "Authorization: Bearer t\u{f6}k".as_bytes().to_vec(),
        ),
    ] {
        let reply = request(addr, "GET", "/api/profile", &[&line]).await;
        assert_eq!(reply.status, 400, "{what}: rejected");
        assert_eq!(reply.json()["code"], 1007, "{what}: invalid-token envelope");
    }
}

#[tokio::test]
async fn tcp_oversized_header_is_invalid_request() {
    let (_clock, config) = setup();
    let addr = serve(app(&config, &Calls::default())).await;
    let line = format!(
        "Authorization: Bearer {}",
        "a".repeat(MAX_AUTHORIZATION_LEN)
    );
    let reply = request(addr, "GET", "/api/profile", &[line.as_bytes()]).await;
    assert_eq!(reply.status, 400, "over 8 KiB rejected");
    assert_eq!(reply.json()["code"], 1007, "invalid-token envelope");
}

#[tokio::test]
async fn tcp_preflight_needs_login() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let addr = serve(app(&config, &calls)).await;
    let reply = request(
        addr,
        "OPTIONS",
        "/api/profile",
        &[
            b"Origin: http://localhost:8080",
            b"Access-Control-Request-Method: GET",
        ],
    )
    .await;
    assert_eq!(reply.status, 401, "preflight without a token rejected");
    assert_eq!(reply.json()["code"], 1006, "need-login envelope");
    assert!(
        reply.header("x-preflight-handler").is_empty(),
        "the OPTIONS handler did not answer"
    );
    assert_eq!(calls.get(), 0, "handler not run");
}

/// Serves `app` behind an outer layer that records the `Debug` text of every response's headers,
/// as tower-http's `TraceLayer` logs them with `DefaultOnResponse::include_headers(true)`.
async fn serve_recording_headers(app: Router) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let app = app.layer(MapResponseLayer::new(move |response: Response| {
        let text = format!("{:?}", response.headers());
        record.lock().expect("record lock").push(text);
        response
    }));
    (serve(app).await, seen)
}

#[tokio::test]
async fn tcp_renewed_tokens_are_sensitive() {
    // A token in its renewal window reaches the handler, whose response gets a renewed token.
    // A token in its grace period gets the layer's overdue envelope with one.
    for (case, age, overdue) in [
        ("renewal window", LIFETIME - 60, false),
        ("grace period", LIFETIME + 60, true),
    ] {
        let (clock, config) = setup();
        let (addr, seen) = serve_recording_headers(app(&config, &Calls::default())).await;
        let token = config.issue_token("42", "ada").expect("issue");
        clock.advance(secs(age));
        let reply = request(addr, "GET", "/api/profile", &[&bearer(&token)]).await;
        if overdue {
            assert_eq!(reply.json()["code"], 401, "{case}: the overdue envelope");
        }
        let renewed = reply.header("authorization");
        assert_eq!(
            renewed.len(),
            1,
            "{case}: the response carries a renewed token"
        );

        let seen = seen.lock().expect("record lock");
        assert_eq!(seen.len(), 1, "{case}: one response was recorded");
        // The message leaves out the recorded text, which would print the token on a failure.
        assert!(
            !seen[0].contains(renewed[0]),
            "{case}: the Debug text of the response headers hides the renewed token"
        );
    }
}

#[tokio::test]
async fn tcp_issued_tokens_fit_header_limit() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let addr = serve(app(&config, &calls)).await;
    // Usernames from 5,800 to 6,200 bytes give tokens on both sides of the header limit.
    let mut issued = 0;
    let mut too_long = 0;
    for len in (5_800..=6_200).step_by(50) {
        let username = "a".repeat(len);
        match config.issue_token("42", &username) {
            Ok(token) => {
                issued += 1;
                let reply = request(addr, "GET", "/api/profile", &[&bearer(&token)]).await;
                assert_eq!(
                    reply.status, 200,
                    "a token issued for a {len}-byte username passes the layer"
                );
            }
            Err(IssueError::TokenTooLong {
                len: token_len,
                max,
            }) => {
                too_long += 1;
                assert!(
                    token_len > max,
                    "a {len}-byte username: TokenTooLong reports {token_len} bytes over {max}"
                );
            }
            Err(error) => {
                panic!("a {len}-byte username: expected a token or TokenTooLong, got {error}")
            }
        }
    }
    assert!(issued > 0, "the shorter usernames get tokens");
    assert!(too_long > 0, "the longer usernames get TokenTooLong");
}

#[tokio::test]
async fn tcp_nested_router_logs_nested_path() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let app = Router::new().nest("/v1", routes(&calls).route_layer(config.layer()));
    let addr = serve(app).await;
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    let reply = request(addr, "GET", "/v1/api/profile", &[]).await;
    assert_eq!(reply.status, 401, "the nested route needs a token");

    let lines = recorder.lines();
    let line = lines
        .iter()
        .find(|line| line.contains("request rejected"))
        .unwrap_or_else(|| panic!("a rejection line was logged: {lines:?}"));
    assert!(
        line.contains(r#"nested_path="/v1""#),
        "the line names the path the router is nested at: {line}"
    );
}

#[tokio::test]
async fn tcp_nested_missing_claims_logs_nested_path() {
    // The routes read Claims but are not behind the layer.
    let app = Router::new().nest("/v1", routes(&Calls::default()));
    let addr = serve(app).await;
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    let reply = request(addr, "GET", "/v1/api/profile", &[]).await;
    assert_eq!(reply.status, 500, "the extractor rejects the request");

    let lines = recorder.lines();
    let line = lines
        .iter()
        .find(|line| line.contains("not behind RenewLayer"))
        .unwrap_or_else(|| panic!("the extractor logged its cause: {lines:?}"));
    assert!(
        line.contains(r#"nested_path="/v1""#),
        "the line names the path the router is nested at: {line}"
    );
}
