//! One test per row of the request/response table of the issue, driven through a real Router
//! with tower's `oneshot`.
#![cfg(all(feature = "server", not(target_arch = "wasm32")))]

mod server_support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use renew_fetch::protocol::{Codes, MAX_AUTHORIZATION_LEN};
use renew_fetch::server::{Claims, ManualClock};
use server_support::*;

const NEED_LOGIN: i64 = 1006;
const INVALID_TOKEN: i64 = 1007;
const OVERDUE: i64 = 401;

// Row: no Authorization header.

#[tokio::test]
async fn missing_header_needs_login() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let reply = send(&app(&config, &calls), get_bare("/api/profile")).await;
    assert_rejected(
        &reply,
        StatusCode::UNAUTHORIZED,
        NEED_LOGIN,
        None,
        "no header",
    );
    assert_eq!(
        reply.header("cache-control"),
        Some("no-store"),
        "rejection is no-store"
    );
    assert_eq!(calls.get(), 0, "handler not run");
}

// Row: a header that is not a single `Bearer <token>`.

#[tokio::test]
async fn malformed_header_is_invalid_request() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let token = config.issue_token("42", "ada").expect("issue");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("Basic scheme", b"Basic dXNlcjpwYXNz".to_vec()),
        ("raw token without scheme", token.clone().into_bytes()),
        ("scheme only", b"Bearer".to_vec()),
        ("scheme and space only", b"Bearer ".to_vec()),
        ("tab separator", format!("Bearer\t{token}").into_bytes()),
        ("trailing space", format!("Bearer {token} ").into_bytes()),
        (
            "comma list",
            format!("Bearer {token}, Bearer {token}").into_bytes(),
        ),
        ("quoted token", format!("Bearer \"{token}\"").into_bytes()),
        ("non-token68 char", b"Bearer abc$def".to_vec()),
        ("obs-text byte", b"Bearer abc\xe9def".to_vec()),
        ("UTF-8 text", "Bearer t\u{f6}k".as_bytes().to_vec()),
    ];
    for (what, value) in cases {
        let reply = send(&app, get_raw("/api/profile", &value)).await;
        assert_rejected(
            &reply,
            StatusCode::BAD_REQUEST,
            INVALID_TOKEN,
            Some("invalid_request"),
            what,
        );
    }
    assert_eq!(calls.get(), 0, "handler never run");
}

#[tokio::test]
async fn oversized_header_is_invalid_request() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let value = format!("Bearer {}", "a".repeat(MAX_AUTHORIZATION_LEN));
    let reply = send(
        &app(&config, &calls),
        get_raw("/api/profile", value.as_bytes()),
    )
    .await;
    assert_rejected(
        &reply,
        StatusCode::BAD_REQUEST,
        INVALID_TOKEN,
        Some("invalid_request"),
        "over 8 KiB",
    );
    assert_eq!(calls.get(), 0, "handler not run");
}

#[tokio::test]
async fn repeated_headers_are_invalid_request() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let token = config.issue_token("42", "ada").expect("issue");
    let request = Request::get("/api/profile")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request builds");
    let reply = send(&app(&config, &calls), request).await;
    assert_rejected(
        &reply,
        StatusCode::BAD_REQUEST,
        INVALID_TOKEN,
        Some("invalid_request"),
        "repeated",
    );
    assert_eq!(calls.get(), 0, "handler not run");
}

#[tokio::test]
async fn scheme_is_case_insensitive() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let token = config.issue_token("42", "ada").expect("issue");
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let value = format!("{scheme} {token}");
        let reply = send(&app, get_raw("/api/profile", value.as_bytes())).await;
        assert_eq!(reply.status, StatusCode::OK, "scheme {scheme:?} accepted");
    }
}

#[tokio::test]
async fn several_spaces_after_scheme_are_accepted() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let token = config.issue_token("42", "ada").expect("issue");
    let value = format!("Bearer  {token}");
    let reply = send(
        &app(&config, &calls),
        get_raw("/api/profile", value.as_bytes()),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "two spaces after the scheme, which RFC 6750's 1*SP allows"
    );
    assert_eq!(calls.get(), 1, "the handler runs");
}

// Row: bad signature, another alg, malformed or wrongly typed claims.

async fn assert_invalid_token(token: &str, what: &str) {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let reply = send(&app(&config, &calls), get_with("/api/profile", token)).await;
    assert_invalid_token_reply(&reply, what);
    assert!(
        reply.header("authorization").is_none(),
        "{what}: no token handed out"
    );
    assert_eq!(calls.get(), 0, "{what}: handler not run");
}

#[tokio::test]
async fn bad_signature_is_invalid_token() {
    let good = jws(HS256_HEADER, &payload(T0, T0 + LIFETIME, T0), SECRET);
    let forged = jws(
        HS256_HEADER,
        &payload(T0, T0 + LIFETIME, T0),
        b"another secret that is 32 bytes long",
    );
    assert_invalid_token(&forged, "signed with another secret").await;
    let (body, _) = good.rsplit_once('.').expect("three parts");
    assert_invalid_token(&format!("{body}.AAAA"), "truncated signature").await;
    assert_invalid_token(&format!("{body}."), "empty signature").await;
    // Swap in another payload under the original signature.
    let signature = good.rsplit('.').next().expect("signature");
    let other = jws(HS256_HEADER, &payload(T0, T0 + 30 * DAY, T0), SECRET);
    let (other_body, _) = other.rsplit_once('.').expect("three parts");
    assert_invalid_token(&format!("{other_body}.{signature}"), "payload swapped").await;
}

#[tokio::test]
async fn alg_none_is_invalid_token() {
    let claims = payload(T0, T0 + LIFETIME, T0);
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#);
        let unsigned = format!(
            "{}.{}.",
            b64url(header.as_bytes()),
            b64url(claims.as_bytes())
        );
        assert_invalid_token(&unsigned, &format!("alg {alg}, empty signature")).await;
        // Even with a correct HMAC attached, only HS256 is accepted.
        assert_invalid_token(
            &jws(&header, &claims, SECRET),
            &format!("alg {alg}, HMAC attached"),
        )
        .await;
    }
}

#[tokio::test]
async fn other_algorithms_are_invalid_token() {
    let claims = payload(T0, T0 + LIFETIME, T0);
    for alg in [
        "RS256", "RS512", "PS256", "ES256", "EdDSA", "HS384", "HS512", "hs256", "",
    ] {
        let header = format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#);
        // HMAC with the shared secret: the classic RS/HS confusion attempt.
        assert_invalid_token(&jws(&header, &claims, SECRET), &format!("alg {alg:?}")).await;
    }
    assert_invalid_token(&jws(r#"{"typ":"JWT"}"#, &claims, SECRET), "no alg").await;
}

#[tokio::test]
async fn malformed_token_is_invalid_token() {
    let good = jws(HS256_HEADER, &payload(T0, T0 + LIFETIME, T0), SECRET);
    assert_invalid_token("abc", "one part").await;
    assert_invalid_token("a.b", "two parts").await;
    assert_invalid_token(&format!("{good}.extra"), "four parts").await;
    assert_invalid_token("...", "empty parts").await;
    assert_invalid_token(
        &jws("not json", &payload(T0, T0 + LIFETIME, T0), SECRET),
        "header not JSON",
    )
    .await;
    assert_invalid_token(&jws(HS256_HEADER, "not json", SECRET), "payload not JSON").await;
    assert_invalid_token(&jws(HS256_HEADER, "[1,2,3]", SECRET), "payload an array").await;
    assert_invalid_token(&jws(HS256_HEADER, "null", SECRET), "payload null").await;
    assert_invalid_token(
        &jws(
            r#"{"alg":"HS256","crit":["exp"]}"#,
            &payload(T0, T0 + LIFETIME, T0),
            SECRET,
        ),
        "unsupported crit header",
    )
    .await;
    assert_invalid_token(&good.replace('.', "+"), "token68 but not a JWS").await;
}

#[tokio::test]
async fn bad_claims_are_invalid_token() {
    let base = serde_json::json!({
        "sub": "42", "username": "ada", "iat": T0, "exp": T0 + LIFETIME,
        "jti": "00112233445566778899aabbccddeeff", "auth_time": T0,
    });
    for claim in ["sub", "username", "iat", "exp", "jti", "auth_time"] {
        let mut without = base.clone();
        without.as_object_mut().expect("object").remove(claim);
        assert_invalid_token(
            &jws(HS256_HEADER, &without.to_string(), SECRET),
            &format!("missing {claim}"),
        )
        .await;
    }
    let wrong: Vec<(&str, serde_json::Value)> = vec![
        ("sub", serde_json::json!(42)),
        ("username", serde_json::json!(null)),
        ("iat", serde_json::json!("1700000000")),
        ("exp", serde_json::json!("soon")),
        ("exp", serde_json::json!(-1)),
        ("exp", serde_json::json!(1.5e9)),
        ("exp", serde_json::json!(1e30)),
        ("jti", serde_json::json!(["a"])),
        ("auth_time", serde_json::json!({})),
        ("iss", serde_json::json!(7)),
        ("aud", serde_json::json!(["renew-fetch"])),
        ("nbf", serde_json::json!("now")),
    ];
    for (claim, value) in wrong {
        let mut claims = base.clone();
        claims[claim] = value.clone();
        assert_invalid_token(
            &jws(HS256_HEADER, &claims.to_string(), SECRET),
            &format!("{claim} = {value}"),
        )
        .await;
    }
}

#[tokio::test]
async fn inconsistent_times_are_invalid_token() {
    assert_invalid_token(
        &jws(HS256_HEADER, &payload(T0, T0 - 1, T0), SECRET),
        "exp before iat",
    )
    .await;
    assert_invalid_token(
        &jws(HS256_HEADER, &payload(T0, T0 + LIFETIME, T0 + 1), SECRET),
        "login after issue",
    )
    .await;
    let mut empty_sid: serde_json::Value =
        serde_json::from_str(&payload(T0, T0 + LIFETIME, T0)).expect("json");
    empty_sid["sid"] = serde_json::json!("");
    assert_invalid_token(
        &jws(HS256_HEADER, &empty_sid.to_string(), SECRET),
        "an empty sid",
    )
    .await;
    // One second past the 60 s that the layer allows for clock skew.
    assert_invalid_token(
        &jws(HS256_HEADER, &payload(T0 + 61, T0 + LIFETIME, T0), SECRET),
        "iat in the future",
    )
    .await;
    assert_invalid_token(
        &jws(
            HS256_HEADER,
            &payload(T0 + 61, T0 + LIFETIME, T0 + 61),
            SECRET,
        ),
        "auth_time in the future",
    )
    .await;
    let mut with_nbf: serde_json::Value =
        serde_json::from_str(&payload(T0, T0 + LIFETIME, T0)).expect("json");
    with_nbf["nbf"] = serde_json::json!(T0 + 61);
    assert_invalid_token(
        &jws(HS256_HEADER, &with_nbf.to_string(), SECRET),
        "nbf in the future",
    )
    .await;
}

#[tokio::test]
async fn token_from_clock_ahead_passes() {
    // Two instances of one app share the secret, and the issuer's clock runs 60 s ahead.
    let (_clock, config) = setup();
    let issuer_clock = ManualClock::new(T0 + 60);
    let issuer = builder(&issuer_clock)
        .build()
        .expect("the issuer's config builds");
    let token = issuer.issue_token("42", "ada").expect("issue");
    let calls = Calls::default();
    let reply = send(&app(&config, &calls), get_with("/api/profile", &token)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "iat and auth_time 60 s ahead are within the allowance for clock skew"
    );
    assert_eq!(calls.get(), 1, "the handler runs");
    let mut with_nbf: serde_json::Value =
        serde_json::from_str(&payload(T0, T0 + LIFETIME, T0)).expect("json");
    with_nbf["nbf"] = serde_json::json!(T0 + 60);
    let token = jws(HS256_HEADER, &with_nbf.to_string(), SECRET);
    let reply = send(&app(&config, &calls), get_with("/api/profile", &token)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "nbf 60 s ahead is within the allowance for clock skew"
    );
}

// Row: valid, with more than the window left.

#[tokio::test]
async fn fresh_token_passes_with_claims() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - WINDOW - 1));
    let reply = send(&app(&config, &calls), get_with("/api/profile", &token)).await;
    assert_eq!(reply.status, StatusCode::OK, "passes");
    assert_eq!(calls.get(), 1, "handler ran once");
    let seen: Claims = serde_json::from_slice(&reply.body).expect("handler echoes claims");
    assert_eq!(seen, claims_of(&token), "handler read the token's claims");
    assert_eq!(seen.sub, "42", "user id");
    assert_eq!(seen.username, "ada", "username");
    assert!(
        reply.header("authorization").is_none(),
        "no renewal outside the window"
    );
    assert!(
        reply.header("cache-control").is_none(),
        "response untouched"
    );
    assert!(
        reply.header("access-control-expose-headers").is_none(),
        "response untouched"
    );
}

// Row: valid, with the window or less left, cap not reached.

#[tokio::test]
async fn token_in_window_is_renewed() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - WINDOW)); // exactly the window left
    let reply = send(&app(&config, &calls), get_with("/api/profile", &token)).await;
    assert_eq!(reply.status, StatusCode::OK, "passes");
    assert_eq!(calls.get(), 1, "handler ran");
    let seen: Claims = serde_json::from_slice(&reply.body).expect("handler echoes claims");
    assert_eq!(
        seen.jti,
        claims_of(&token).jti,
        "handler saw the presented token"
    );
    let renewed = reply.renewed();
    assert_ne!(renewed, token, "a new token");
    assert!(!renewed.starts_with("Bearer "), "raw token, no scheme");
    assert_renewal_headers(&reply, "window renewal");
    let new = claims_of(&renewed);
    assert_eq!(new.iat, clock.now(), "renewed iat is now");
    assert_eq!(
        new.exp,
        clock.now() + LIFETIME,
        "renewed exp is now + lifetime"
    );
}

// Row: expired by no more than the grace period, cap not reached.

#[tokio::test]
async fn expired_within_grace_is_overdue() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME + GRACE)); // expired by exactly the grace period
    let request = Request::post("/api/echo")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from("payload"))
        .expect("request builds");
    let reply = send(&app, request).await;
    assert_rejected(
        &reply,
        StatusCode::UNAUTHORIZED,
        OVERDUE,
        Some("invalid_token"),
        "overdue",
    );
    assert_eq!(calls.get(), 0, "handler NOT run on overdue");
    assert_renewal_headers(&reply, "overdue");
    let renewed = reply.renewed();
    assert_eq!(
        claims_of(&renewed).exp,
        clock.now() + LIFETIME,
        "renewed from now"
    );

    // The client replays with the renewed token and the handler runs once.
    let replay = Request::post("/api/echo")
        .header(header::AUTHORIZATION, format!("Bearer {renewed}"))
        .body(Body::from("payload"))
        .expect("request builds");
    let reply = send(&app, replay).await;
    assert_eq!(reply.status, StatusCode::OK, "replay passes");
    assert_eq!(
        reply.json()["body"],
        "payload",
        "replay reached the handler"
    );
    assert_eq!(calls.get(), 1, "handler ran exactly once overall");
}

// Row: expired past the grace period, or cap reached.

#[tokio::test]
async fn expired_past_grace_is_invalid_token() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME + GRACE + 1));
    let reply = send(&app(&config, &calls), get_with("/api/profile", &token)).await;
    assert_rejected(
        &reply,
        StatusCode::UNAUTHORIZED,
        INVALID_TOKEN,
        Some("invalid_token"),
        "past grace",
    );
    assert!(
        reply.header("authorization").is_none(),
        "no renewed token past grace"
    );
    assert_eq!(calls.get(), 0, "handler not run");
}

#[tokio::test]
async fn session_cap_reached_is_invalid_token() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let login = T0;
    // A token of this session, issued 1 hour before the cap, within its lifetime.
    let late = jws(
        HS256_HEADER,
        &payload(login + CAP - HOUR, login + CAP, login),
        SECRET,
    );
    // The session, like each token, is valid through its last second.
    clock.set(login + CAP);
    let reply = send(&app, get_with("/api/profile", &late)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "passes at the cap's last second"
    );
    assert!(
        reply.header("authorization").is_none(),
        "no renewal at the cap"
    );
    assert_eq!(calls.get(), 1, "handler ran at the cap's last second");

    clock.set(login + CAP + 1);
    let reply = send(&app, get_with("/api/profile", &late)).await;
    assert_rejected(
        &reply,
        StatusCode::UNAUTHORIZED,
        INVALID_TOKEN,
        Some("invalid_token"),
        "cap passed",
    );
    assert!(
        reply.header("authorization").is_none(),
        "no renewal past the cap"
    );
    assert_eq!(calls.get(), 1, "handler not run past the cap");
}

#[tokio::test]
async fn session_cap_end_gets_leeway() {
    let clock = ManualClock::new(T0);
    let config = builder(&clock)
        .leeway(secs(MIN))
        .build()
        .expect("a leeway of a minute builds");
    let calls = Calls::default();
    let app = app(&config, &calls);
    // The last token of the session: its exp is the cap.
    let last = jws(
        HS256_HEADER,
        &payload(T0 + CAP - HOUR, T0 + CAP, T0),
        SECRET,
    );

    clock.set(T0 + CAP + MIN);
    let reply = send(&app, get_with("/api/profile", &last)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "passes at the leeway's last second after the cap"
    );
    assert_eq!(calls.get(), 1, "handler ran in the leeway");

    clock.set(T0 + CAP + MIN + 1);
    let reply = send(&app, get_with("/api/profile", &last)).await;
    assert_rejected(
        &reply,
        StatusCode::UNAUTHORIZED,
        INVALID_TOKEN,
        Some("invalid_token"),
        "past the cap and its leeway",
    );
    assert_eq!(calls.get(), 1, "handler not run past the leeway");
}

#[tokio::test]
async fn overdue_at_cap_end_is_invalid_token() {
    let (clock, config) = setup();
    let calls = Calls::default();
    // Expired a minute before the cap ends, so within the grace period at the cap's last
    // second, where a renewed token would expire at once.
    let token = jws(
        HS256_HEADER,
        &payload(T0 + CAP - HOUR, T0 + CAP - MIN, T0),
        SECRET,
    );
    clock.set(T0 + CAP);
    let reply = send(&app(&config, &calls), get_with("/api/profile", &token)).await;
    assert_rejected(
        &reply,
        StatusCode::UNAUTHORIZED,
        INVALID_TOKEN,
        Some("invalid_token"),
        "overdue at the cap's last second",
    );
    assert_eq!(calls.get(), 0, "handler not run");
}

#[tokio::test]
async fn zero_window_never_renews() {
    let clock = ManualClock::new(T0);
    let config = builder(&clock)
        .renew_window(secs(0))
        .leeway(secs(MIN))
        .build()
        .expect("a zero window builds");
    let calls = Calls::default();
    let app = app(&config, &calls);
    let token = config.issue_token("42", "ada").expect("issue");
    for (now, what) in [
        (T0 + LIFETIME - 1, "one second before exp"),
        (T0 + LIFETIME, "at exp"),
        (T0 + LIFETIME + 30, "in the leeway after exp"),
    ] {
        clock.set(now);
        let reply = send(&app, get_with("/api/profile", &token)).await;
        assert_eq!(reply.status, StatusCode::OK, "passes {what}");
        assert!(
            reply.header("authorization").is_none(),
            "no renewed token {what}"
        );
    }
}

#[tokio::test]
async fn empty_subject_is_invalid_token() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let claims = serde_json::json!({
        "sub": "", "username": "ada", "iat": T0, "exp": T0 + LIFETIME,
        "jti": "00112233445566778899aabbccddeeff", "auth_time": T0,
    });
    let token = jws(HS256_HEADER, &claims.to_string(), SECRET);
    let reply = send(&app(&config, &calls), get_with("/api/profile", &token)).await;
    assert_rejected(
        &reply,
        StatusCode::UNAUTHORIZED,
        INVALID_TOKEN,
        Some("invalid_token"),
        "empty sub",
    );
    assert_eq!(calls.get(), 0, "handler not run");
}

// Row: OPTIONS preflight. Any client can send a preflight's headers, so the layer checks it
// like any other request, and the handler that responds to OPTIONS never runs without a token.

#[tokio::test]
async fn preflight_without_token_needs_login() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let reply = send(
        &app(&config, &calls),
        preflight("http://localhost:5173", None),
    )
    .await;
    assert_rejected(
        &reply,
        StatusCode::UNAUTHORIZED,
        NEED_LOGIN,
        None,
        "preflight without a token",
    );
    assert!(
        reply.header("x-preflight-handler").is_none(),
        "the OPTIONS handler did not answer"
    );
    assert_eq!(calls.get(), 0, "handler not run");
}

#[tokio::test]
async fn preflight_with_bad_token_is_invalid_token() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let reply = send(
        &app(&config, &calls),
        preflight("http://localhost:5173", Some("not.a.token")),
    )
    .await;
    assert_rejected(
        &reply,
        StatusCode::UNAUTHORIZED,
        INVALID_TOKEN,
        Some("invalid_token"),
        "preflight with a bad token",
    );
    assert_eq!(calls.get(), 0, "handler not run");
}

#[tokio::test]
async fn preflight_with_token_reaches_handler() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let token = config.issue_token("u1", "ada").expect("token issued");
    let reply = send(
        &app(&config, &calls),
        preflight("http://localhost:5173", Some(&token)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "handler's own status");
    assert_eq!(
        reply.header("x-preflight-handler"),
        Some("yes"),
        "the OPTIONS handler responded"
    );
    assert_eq!(calls.get(), 1, "handler run once");
}

#[tokio::test]
async fn plain_options_needs_login() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let request = Request::options("/api/profile")
        .body(Body::empty())
        .expect("request builds");
    let reply = send(&app(&config, &calls), request).await;
    assert_rejected(
        &reply,
        StatusCode::UNAUTHORIZED,
        NEED_LOGIN,
        None,
        "plain OPTIONS",
    );
    assert_eq!(calls.get(), 0, "handler not run");
}

// The codes come from the config.

#[tokio::test]
async fn configured_codes_are_used() {
    let clock = renew_fetch::server::ManualClock::new(T0);
    let codes = Codes {
        success: 0,
        overdue: 4010,
        need_login: 4011,
        invalid_token: 4012,
    };
    let config = builder(&clock).codes(codes).build().expect("config builds");
    let calls = Calls::default();
    let app = app(&config, &calls);
    assert_eq!(
        send(&app, get_bare("/api/profile")).await.code(),
        4011,
        "need-login code"
    );
    assert_eq!(
        send(&app, get_raw("/api/profile", b"Basic x")).await.code(),
        4012,
        "invalid-request uses invalid-token code"
    );
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME + 1));
    assert_eq!(
        send(&app, get_with("/api/profile", &token)).await.code(),
        4010,
        "overdue code"
    );
}
