//! The cache of verified tokens changes no response. A token served from the cache gets the same
//! response as one the layer decodes, at every point of its life on a manual clock. A token one
//! byte away from a cached one is still rejected.
#![cfg(all(feature = "server", not(target_arch = "wasm32")))]

mod server_support;

use axum::http::StatusCode;
use axum::Router;
use renew_fetch::server::{AuthConfig, AuthConfigBuilder, ManualClock};
use serde_json::Value;
use server_support::*;

const OVERDUE: i64 = 401;

/// Two apps on one clock and secret: one with the default cache, one with the cache off.
struct Pair {
    clock: ManualClock,
    cached: Router,
    cached_calls: Calls,
    uncached: Router,
    uncached_calls: Calls,
    config: AuthConfig,
}

fn pair(configure: impl Fn(AuthConfigBuilder) -> AuthConfigBuilder) -> Pair {
    let clock = ManualClock::new(T0);
    let config = configure(builder(&clock)).build().expect("cached config");
    let uncached_config = configure(builder(&clock))
        .token_cache_capacity(0)
        .build()
        .expect("uncached config");
    assert!(config.token_cache_capacity() > 0, "the cache is on");
    assert_eq!(
        uncached_config.token_cache_capacity(),
        0,
        "the cache is off"
    );
    let cached_calls = Calls::default();
    let uncached_calls = Calls::default();
    Pair {
        cached: app(&config, &cached_calls),
        uncached: app(&uncached_config, &uncached_calls),
        clock,
        cached_calls,
        uncached_calls,
        config,
    }
}

/// What a client can see of a reply, with a renewed token reduced to its claims minus the jti,
/// which is random.
#[derive(Debug, PartialEq)]
struct Seen {
    status: StatusCode,
    body: Value,
    challenge: Option<String>,
    cache_control: Option<String>,
    renewed: Option<(String, u64, u64, u64)>,
}

fn seen(reply: &Reply) -> Seen {
    let renewed = reply.header("authorization").map(|token| {
        let claims = claims_of(token);
        (claims.sub, claims.iat, claims.exp, claims.auth_time)
    });
    Seen {
        status: reply.status,
        body: reply.json(),
        challenge: reply.header("www-authenticate").map(str::to_owned),
        cache_control: reply.header("cache-control").map(str::to_owned),
        renewed,
    }
}

/// Sends `token` to both apps at the clock's time and asserts that they reply alike. Returns
/// the reply of the cached app.
async fn same_reply(pair: &Pair, token: &str, case: &str) -> Reply {
    let uncached = send(&pair.uncached, get_with("/api/profile", token)).await;
    let cached = send(&pair.cached, get_with("/api/profile", token)).await;
    assert_eq!(seen(&cached), seen(&uncached), "{case}: same reply");
    assert_eq!(
        pair.cached_calls.get(),
        pair.uncached_calls.get(),
        "{case}: the handler ran as often"
    );
    cached
}

/// Warms the cache with `token` at the clock's time, then moves the clock to `at`, and checks
/// two cached requests against the uncached app.
async fn check_after_warm_up(pair: &Pair, token: &str, at: u64, case: &str) -> Reply {
    let warm = send(&pair.cached, get_with("/api/profile", token)).await;
    assert_eq!(warm.status, StatusCode::OK, "{case}: the warm-up passes");
    send(&pair.uncached, get_with("/api/profile", token)).await;
    pair.clock.set(at);
    same_reply(pair, token, &format!("{case}, first after warm-up")).await;
    same_reply(pair, token, &format!("{case}, second after warm-up")).await
}

#[tokio::test]
async fn hit_matches_miss_far_from_expiry() {
    let pair = pair(|b| b);
    let token = pair.config.issue_token("42", "ada").expect("issue");
    let reply = check_after_warm_up(&pair, &token, T0 + HOUR, "1 h in").await;
    assert_eq!(reply.status, StatusCode::OK, "passes");
    assert!(reply.header("authorization").is_none(), "no renewal");
    assert_eq!(reply.json()["sub"], "42", "the handler read the claims");
}

#[tokio::test]
async fn hit_matches_miss_in_renewal_window() {
    let pair = pair(|b| b);
    let token = pair.config.issue_token("42", "ada").expect("issue");
    let at = T0 + LIFETIME - 10 * MIN;
    let reply = check_after_warm_up(&pair, &token, at, "10 min before exp").await;
    assert_eq!(reply.status, StatusCode::OK, "passes");
    assert_eq!(
        claims_of(&reply.renewed()).exp,
        at + LIFETIME,
        "a renewed token rides along"
    );
}

#[tokio::test]
async fn hit_matches_miss_at_exp() {
    let pair = pair(|b| b);
    let token = pair.config.issue_token("42", "ada").expect("issue");
    let reply = check_after_warm_up(&pair, &token, T0 + LIFETIME, "at exp").await;
    assert_eq!(reply.status, StatusCode::OK, "valid through exp");
    assert!(reply.header("authorization").is_some(), "renewed");
}

#[tokio::test]
async fn cached_token_becomes_overdue() {
    let pair = pair(|b| b);
    let token = pair.config.issue_token("42", "ada").expect("issue");
    for (case, at) in [
        ("1 s after exp", T0 + LIFETIME + 1),
        ("5 min after exp", T0 + LIFETIME + 5 * MIN),
        ("last second of grace", T0 + LIFETIME + GRACE),
    ] {
        pair.clock.set(T0);
        let reply = check_after_warm_up(&pair, &token, at, case).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{case}: 401");
        assert_eq!(reply.code(), OVERDUE, "{case}: overdue code");
        assert!(
            reply.header("authorization").is_some(),
            "{case}: a renewed token"
        );
    }
    assert_eq!(
        pair.cached_calls.get(),
        3,
        "only the warm-ups ran the handler"
    );
}

#[tokio::test]
async fn cached_token_expires_past_grace() {
    let pair = pair(|b| b);
    let token = pair.config.issue_token("42", "ada").expect("issue");
    let at = T0 + LIFETIME + GRACE + 1;
    let reply = check_after_warm_up(&pair, &token, at, "1 s past grace").await;
    assert_invalid_token_reply(&reply, "past grace");
    // After the cache dropped the token, the token verifies again as it did before.
    pair.clock.set(T0 + HOUR);
    let reply = same_reply(&pair, &token, "back at 1 h in").await;
    assert_eq!(reply.status, StatusCode::OK, "valid again at 1 h in");
}

#[tokio::test]
async fn cached_token_hits_session_cap() {
    // The last token of a session that began at T0: its exp is the end of the session cap.
    let pair = pair(|b| b.session_cap(secs(2 * LIFETIME)));
    let cap_end = T0 + 2 * LIFETIME;
    let token = jws(HS256_HEADER, &payload(T0 + LIFETIME, cap_end, T0), SECRET);
    pair.clock.set(T0 + LIFETIME);
    let reply = check_after_warm_up(&pair, &token, cap_end - MIN, "window at cap").await;
    assert_eq!(reply.status, StatusCode::OK, "passes in the window");
    assert!(
        reply.header("authorization").is_none(),
        "no renewal that the cap would cut short"
    );
    // The session is valid through the second at which the cap ends.
    pair.clock.set(T0 + LIFETIME);
    let reply = check_after_warm_up(&pair, &token, cap_end + 1, "cap passed").await;
    assert_invalid_token_reply(&reply, "cap passed");
}

#[tokio::test]
async fn cached_token_rechecks_iat_and_nbf() {
    let pair = pair(|b| b.leeway(secs(MIN)));
    // Issued 30 s in the future and valid from 30 s ago, both inside the leeway.
    let claims = serde_json::json!({
        "sub": "42", "username": "ada", "iat": T0 + 30, "exp": T0 + LIFETIME,
        "jti": "00112233445566778899aabbccddeeff", "auth_time": T0, "nbf": T0 + 30,
    });
    let token = jws(HS256_HEADER, &claims.to_string(), SECRET);
    // A minute earlier, both times are past the leeway.
    let reply = check_after_warm_up(&pair, &token, T0 - MIN, "clock set back").await;
    assert_invalid_token_reply(&reply, "nbf and iat in the future");
    pair.clock.set(T0);
    let reply = same_reply(&pair, &token, "clock back at the start").await;
    assert_eq!(reply.status, StatusCode::OK, "inside the leeway again");
}

#[tokio::test]
async fn one_byte_off_cached_token_is_rejected() {
    let pair = pair(|b| b);
    let token = pair.config.issue_token("42", "ada").expect("issue");
    let warm = send(&pair.cached, get_with("/api/profile", &token)).await;
    assert_eq!(warm.status, StatusCode::OK, "the warm-up passes");

    let first_dot = token.find('.').expect("three parts");
    let last_dot = token.rfind('.').expect("three parts");
    let signature_middle = last_dot + (token.len() - last_dot) / 2;
    let mut variants: Vec<(String, String)> = Vec::new();
    for (case, at) in [
        ("header byte", first_dot / 2),
        ("payload byte", (first_dot + last_dot) / 2),
        ("signature byte", signature_middle),
    ] {
        let mut bytes = token.clone().into_bytes();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(bytes).expect("ASCII");
        variants.push((case.to_owned(), changed));
    }
    variants.push(("one byte longer".to_owned(), format!("{token}A")));
    variants.push((
        "one byte shorter".to_owned(),
        token[..token.len() - 1].to_owned(),
    ));
    for (case, changed) in &variants {
        assert_ne!(changed, &token, "{case}: the variant differs");
        let reply = send(&pair.cached, get_with("/api/profile", changed)).await;
        assert_invalid_token_reply(&reply, case);
        assert!(
            reply.header("authorization").is_none(),
            "{case}: no token handed out"
        );
    }
    assert_eq!(
        pair.cached_calls.get(),
        1,
        "only the warm-up ran the handler"
    );
    let again = send(&pair.cached, get_with("/api/profile", &token)).await;
    assert_eq!(again.status, StatusCode::OK, "the original still passes");
}

#[tokio::test]
async fn header_rows_unchanged_by_warm_cache() {
    let pair = pair(|b| b);
    let token = pair.config.issue_token("42", "ada").expect("issue");
    let warm = send(&pair.cached, get_with("/api/profile", &token)).await;
    assert_eq!(warm.status, StatusCode::OK, "the warm-up passes");
    send(&pair.uncached, get_with("/api/profile", &token)).await;

    let cases: Vec<(&str, Option<Vec<u8>>)> = vec![
        ("no header", None),
        ("Basic scheme", Some(b"Basic dXNlcjpwYXNz".to_vec())),
        ("raw token without scheme", Some(token.clone().into_bytes())),
        ("two spaces", Some(format!("Bearer  {token}").into_bytes())),
        (
            "trailing space",
            Some(format!("Bearer {token} ").into_bytes()),
        ),
        (
            "lowercase scheme",
            Some(format!("bearer {token}").into_bytes()),
        ),
    ];
    for (case, value) in cases {
        let request = || match &value {
            Some(value) => get_raw("/api/profile", value),
            None => get_bare("/api/profile"),
        };
        let uncached = send(&pair.uncached, request()).await;
        let cached = send(&pair.cached, request()).await;
        assert_eq!(seen(&cached), seen(&uncached), "{case}: same reply");
    }
    assert_eq!(
        pair.cached_calls.get(),
        pair.uncached_calls.get(),
        "the handler ran as often"
    );
    assert_eq!(
        pair.cached_calls.get(),
        3,
        "only the warm-up, the two spaces and the lowercase scheme ran the handler"
    );
}
