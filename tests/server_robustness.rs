//! No header or token makes the layer panic: deep JSON nesting, huge numbers, garbage bytes.
#![cfg(all(feature = "server", not(target_arch = "wasm32")))]

mod server_support;

use axum::http::StatusCode;
use renew_fetch::protocol::MAX_AUTHORIZATION_LEN;
use server_support::*;

/// Sends `token` and asserts a clean invalid-token rejection.
async fn assert_rejected_cleanly(token: &str, what: &str) {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let reply = send(&app(&config, &calls), get_with("/api/profile", token)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}: 401");
    assert_eq!(reply.code(), 1007, "{what}: invalid-token");
    assert_eq!(calls.get(), 0, "{what}: handler not run");
}

/// Builds the deepest nesting of `open` and `close` that still fits the 8 KiB header limit
/// once base64url-encoded.
fn deep(open: &str, close: &str, overhead: usize) -> String {
    let budget = (MAX_AUTHORIZATION_LEN - overhead) * 3 / 4;
    let depth = budget / (open.len() + close.len());
    format!("{}{}", open.repeat(depth), close.repeat(depth))
}

#[tokio::test]
async fn nested_header_json_is_rejected() {
    let nested = deep("[", "]", 800);
    let header = format!(r#"{{"alg":"HS256","x":{nested}}}"#);
    let token = jws(&header, &payload(T0, T0 + LIFETIME, T0), SECRET);
    assert!(
        token.len() + 7 <= MAX_AUTHORIZATION_LEN,
        "fits the limit: {}",
        token.len()
    );
    assert_rejected_cleanly(&token, "nested arrays in the header").await;
    let nested = deep(r#"{"a":"#, "}", 800);
    let header = format!(r#"{{"alg":"HS256","x":{nested}}}"#);
    assert_rejected_cleanly(
        &jws(&header, &payload(T0, T0 + LIFETIME, T0), SECRET),
        "nested objects in the header",
    )
    .await;
}

#[tokio::test]
async fn nested_signed_claims_are_handled() {
    // Correctly signed, so the nesting reaches the claims parsers. serde_json skips an unknown
    // field iteratively and caps recursion at 128 levels for the rest.
    let nested = deep("[", "]", 800);
    let claims = format!(
        r#"{{"sub":"42","username":"ada","iat":{T0},"exp":{},"jti":"j","auth_time":{T0},"x":{nested}}}"#,
        T0 + LIFETIME
    );
    let token = jws(HS256_HEADER, &claims, SECRET);
    assert!(
        token.len() + 7 <= MAX_AUTHORIZATION_LEN,
        "fits the limit: {}",
        token.len()
    );
    let (_clock, config) = setup();
    let reply = send(
        &app(&config, &Calls::default()),
        get_with("/api/profile", &token),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "an unknown nested field in a signed token is skipped"
    );

    for claim in ["sub", "aud", "iss", "exp", "nbf"] {
        let claims = format!(
            r#"{{"sub":"42","username":"ada","iat":{T0},"exp":{},"jti":"j","auth_time":{T0},"{claim}":{}}}"#,
            T0 + LIFETIME,
            deep("[", "]", 900)
        );
        assert_rejected_cleanly(
            &jws(HS256_HEADER, &claims, SECRET),
            &format!("nested arrays as {claim}"),
        )
        .await;
        let claims = format!(r#"{{"{claim}":{}}}"#, deep(r#"{"a":"#, "}", 800));
        assert_rejected_cleanly(
            &jws(HS256_HEADER, &claims, SECRET),
            &format!("nested objects as {claim}"),
        )
        .await;
    }
}

#[tokio::test]
async fn extreme_claim_times_do_not_overflow() {
    let max = u64::MAX;
    for (what, iat, exp, auth_time) in [
        ("exp at u64::MAX", T0, max, T0),
        ("everything at u64::MAX", max, max, max),
        ("everything zero", 0, 0, 0),
        ("auth_time zero", T0, T0 + LIFETIME, 0),
    ] {
        let (_clock, config) = setup();
        let calls = Calls::default();
        let token = jws(HS256_HEADER, &payload(iat, exp, auth_time), SECRET);
        let reply = send(&app(&config, &calls), get_with("/api/profile", &token)).await;
        assert!(
            matches!(reply.status, StatusCode::OK | StatusCode::UNAUTHORIZED),
            "{what}: a clean answer, got {}",
            reply.status
        );
        if let Some(renewed) = reply.header("authorization") {
            let claims = claims_of(renewed);
            assert!(
                claims.exp <= claims.auth_time.saturating_add(CAP),
                "{what}: renewal within the cap"
            );
        }
    }
    // A session from the epoch is far past its cap.
    let (_clock, config) = setup();
    let token = jws(HS256_HEADER, &payload(T0, T0 + LIFETIME, 0), SECRET);
    let reply = send(
        &app(&config, &Calls::default()),
        get_with("/api/profile", &token),
    )
    .await;
    assert_eq!(reply.code(), 1007, "login at the epoch: cap long reached");
}

#[tokio::test]
async fn extreme_clock_values_do_not_panic() {
    let clock = renew_fetch::server::ManualClock::new(u64::MAX);
    let config = builder(&clock).build().expect("config builds");
    let e = config
        .issue_token("42", "ada")
        .expect_err("no time left at the end of time");
    assert!(
        matches!(e, renew_fetch::server::IssueError::SessionCapReached),
        "{e:?}"
    );
    for now in [0, 1, u64::MAX - 1] {
        let clock = renew_fetch::server::ManualClock::new(now);
        let config = builder(&clock).build().expect("config builds");
        let token = config.issue_token("42", "ada").expect("issue at any time");
        let reply = send(
            &app(&config, &Calls::default()),
            get_with("/api/profile", &token),
        )
        .await;
        assert!(
            matches!(reply.status, StatusCode::OK | StatusCode::UNAUTHORIZED),
            "clock at {now}: a clean answer, got {}",
            reply.status
        );
    }
}

#[tokio::test]
async fn random_header_values_never_panic() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let good = config.issue_token("42", "ada").expect("issue");
    // A small deterministic xorshift generator: no dependency, same cases every run.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet: Vec<u8> = (0x20..=0x7e).chain(0x80..=0xff).chain([b'\t']).collect();
    for case in 0..2_000 {
        let mut value: Vec<u8> = match case % 4 {
            // Random bytes.
            0 => (0..next() % 200)
                .map(|_| alphabet[(next() as usize) % alphabet.len()])
                .collect(),
            // A real token with one byte flipped.
            1 => {
                let mut v = format!("Bearer {good}").into_bytes();
                let i = 7 + (next() as usize) % good.len();
                v[i] = alphabet[(next() as usize) % alphabet.len()];
                v
            }
            // A real token truncated.
            2 => {
                let cut = (next() as usize) % good.len();
                format!("Bearer {}", &good[..cut]).into_bytes()
            }
            // Random token68 characters with dots.
            _ => {
                let chars = b"abcXYZ019-._~+/=";
                let mut v = b"Bearer ".to_vec();
                v.extend((0..next() % 300).map(|_| chars[(next() as usize) % chars.len()]));
                v
            }
        };
        if value.is_empty() {
            value.push(b'x');
        }
        let Ok(header) = axum::http::HeaderValue::from_bytes(&value) else {
            continue;
        };
        let request = axum::http::Request::get("/api/profile")
            .header(axum::http::header::AUTHORIZATION, header)
            .body(axum::body::Body::empty())
            .expect("request builds");
        let reply = send(&app, request).await;
        let ok = reply.status == StatusCode::OK && value == format!("Bearer {good}").into_bytes();
        assert!(
            ok || matches!(
                reply.status,
                StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED
            ),
            "case {case}: clean rejection, got {} for {:?}",
            reply.status,
            String::from_utf8_lossy(&value)
        );
    }
}
