//! The renewal invariants: the kept login time, the new jti, the session cap, and how renewal
//! composes with routers and response headers.
#![cfg(all(feature = "server", not(target_arch = "wasm32")))]

mod server_support;

use std::collections::HashSet;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use renew_fetch::server::{Claims, ManualClock};
use server_support::*;

#[tokio::test]
async fn renewal_chain_keeps_auth_time_and_session_id() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let mut token = config.issue_token("42", "ada").expect("issue");
    assert_eq!(
        claims_of(&token).auth_time,
        T0,
        "login sets auth_time to now"
    );
    let sid = claims_of(&token).sid.expect("login sets a session id");
    let other = config.issue_token("42", "ada").expect("issue");
    assert_ne!(
        claims_of(&other).sid,
        Some(sid.clone()),
        "a second login in the same second gets another session id"
    );
    for step in 0..10 {
        clock.advance(secs(LIFETIME - WINDOW + 60));
        let reply = send(&app, get_with("/api/profile", &token)).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "step {step}: passes in the window"
        );
        token = reply.renewed();
        let claims = claims_of(&token);
        assert_eq!(claims.auth_time, T0, "step {step}: auth_time kept");
        assert_eq!(
            claims.sid.as_ref(),
            Some(&sid),
            "step {step}: session id kept"
        );
        assert_eq!(claims.sub, "42", "step {step}: user id kept");
        assert_eq!(claims.username, "ada", "step {step}: username kept");
    }
}

#[tokio::test]
async fn renewal_of_token_without_session_id_adds_none() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let token = jws(HS256_HEADER, &payload(T0, T0 + LIFETIME, T0), SECRET);
    clock.advance(secs(LIFETIME - WINDOW + MIN));
    let reply = send(&app(&config, &calls), get_with("/api/profile", &token)).await;
    assert_eq!(
        claims_of(&reply.renewed()).sid,
        None,
        "a renewal keeps the session id of the token, and another issuer's token had none"
    );
}

#[tokio::test]
async fn renewal_issues_new_jti() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let first = config.issue_token("42", "ada").expect("issue");
    let mut seen = HashSet::from([claims_of(&first).jti]);
    let mut token = first;
    for step in 0..20 {
        clock.advance(secs(LIFETIME - WINDOW));
        let reply = send(&app, get_with("/api/profile", &token)).await;
        token = reply.renewed();
        let jti = claims_of(&token).jti;
        assert_eq!(jti.len(), 32, "step {step}: 128 bits of hex");
        assert!(seen.insert(jti), "step {step}: jti never repeats");
    }
    let (a, b) = (
        config.issue_token("42", "ada").expect("issue"),
        config.issue_token("42", "ada").expect("issue"),
    );
    assert_ne!(
        claims_of(&a).jti,
        claims_of(&b).jti,
        "two logins in the same second differ"
    );
}

#[tokio::test]
async fn renewed_exp_stays_within_cap() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let cap_end = T0 + CAP;
    let mut token = config.issue_token("42", "ada").expect("issue");
    let mut clamped = false;
    loop {
        clock.advance(secs(LIFETIME - WINDOW + 5 * MIN));
        let reply = send(&app, get_with("/api/profile", &token)).await;
        if reply.status != StatusCode::OK {
            assert!(
                clock.now() >= cap_end,
                "only the cap ends the session, at {}",
                clock.now()
            );
            assert_eq!(reply.code(), 1007, "cap reached is invalid-token");
            break;
        }
        let Some(next) = reply.header("authorization") else {
            // Near the cap a renewal cannot extend the token, so none is sent.
            assert_eq!(
                claims_of(&token).exp,
                cap_end,
                "no renewal only once exp is at the cap"
            );
            continue;
        };
        token = next.to_owned();
        let claims = claims_of(&token);
        assert!(
            claims.exp <= cap_end,
            "exp {} past the cap {cap_end}",
            claims.exp
        );
        assert!(claims.exp > clock.now(), "a renewed token has time left");
        clamped |= claims.exp == cap_end && claims.exp < clock.now() + LIFETIME;
    }
    assert!(clamped, "some renewal was clamped to the cap");
}

#[tokio::test]
async fn overdue_past_cap_is_invalid_token() {
    let (clock, config) = setup();
    let calls = Calls::default();
    // The last token of the session: its exp is the cap.
    let last = jws(
        HS256_HEADER,
        &payload(T0 + CAP - LIFETIME, T0 + CAP, T0),
        SECRET,
    );
    clock.set(T0 + CAP + 60); // expired one minute ago, within grace, but past the cap
    let reply = send(&app(&config, &calls), get_with("/api/profile", &last)).await;
    assert_rejected(
        &reply,
        StatusCode::UNAUTHORIZED,
        1007,
        Some("invalid_token"),
        "overdue past cap",
    );
    assert!(
        reply.header("authorization").is_none(),
        "no renewal past the cap"
    );
    assert_eq!(calls.get(), 0, "handler not run");
}

#[tokio::test]
async fn overdue_near_cap_clamps_exp() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let token = jws(
        HS256_HEADER,
        &payload(T0 + CAP - 3 * HOUR, T0 + CAP - HOUR, T0),
        SECRET,
    );
    clock.set(T0 + CAP - HOUR + 5 * MIN); // overdue by 5 minutes, 55 minutes before the cap
    let reply = send(&app(&config, &calls), get_with("/api/profile", &token)).await;
    assert_eq!(reply.code(), 401, "overdue");
    let renewed = claims_of(&reply.renewed());
    assert_eq!(
        renewed.exp,
        T0 + CAP,
        "clamped to the cap, not now + lifetime"
    );
    assert_eq!(renewed.auth_time, T0, "auth_time kept");
}

#[tokio::test]
async fn overdue_skips_handler() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME + 1));
    for attempt in 0..3 {
        let request = Request::post("/api/echo")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from("side effect"))
            .expect("request builds");
        let reply = send(&app, request).await;
        assert_eq!(reply.code(), 401, "attempt {attempt}: overdue");
    }
    assert_eq!(
        calls.get(),
        0,
        "the handler ran for none of the overdue requests"
    );
}

#[tokio::test]
async fn window_and_grace_boundaries_are_exact() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let token = config.issue_token("42", "ada").expect("issue");
    let exp = T0 + LIFETIME;
    let at = |t: u64| {
        clock.set(t);
        send(&app, get_with("/api/profile", &token))
    };
    let reply = at(exp - WINDOW - 1).await;
    assert_eq!(reply.status, StatusCode::OK, "window + 1s left: passes");
    assert!(
        reply.header("authorization").is_none(),
        "window + 1s left: no renewal"
    );

    let reply = at(exp - WINDOW).await;
    assert_eq!(reply.status, StatusCode::OK, "window left: passes");
    assert!(
        reply.header("authorization").is_some(),
        "window left: renewed"
    );

    let reply = at(exp).await;
    assert_eq!(reply.status, StatusCode::OK, "at exp: still valid");
    assert!(reply.header("authorization").is_some(), "at exp: renewed");

    let reply = at(exp + 1).await;
    assert_eq!(reply.code(), 401, "1s after exp: overdue");
    let reply = at(exp + GRACE).await;
    assert_eq!(reply.code(), 401, "grace elapsed exactly: overdue");
    let reply = at(exp + GRACE + 1).await;
    assert_eq!(reply.code(), 1007, "1s past grace: invalid");
}

#[tokio::test]
async fn zero_grace_disables_overdue() {
    let clock = ManualClock::new(T0);
    let config = builder(&clock)
        .grace_period(secs(0))
        .build()
        .expect("config builds");
    let calls = Calls::default();
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME + 1));
    let reply = send(&app(&config, &calls), get_with("/api/profile", &token)).await;
    assert_eq!(reply.code(), 1007, "expired with no grace is invalid");
}

#[tokio::test]
async fn leeway_extends_validity() {
    let clock = ManualClock::new(T0);
    let config = builder(&clock)
        .leeway(secs(30))
        .build()
        .expect("config builds");
    let calls = Calls::default();
    let app = app(&config, &calls);
    let token = config.issue_token("42", "ada").expect("issue");
    clock.set(T0 + LIFETIME + 30);
    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "within the leeway the token is valid"
    );
    assert!(reply.header("authorization").is_some(), "and renewed");
    clock.set(T0 + LIFETIME + 31);
    assert_eq!(
        send(&app, get_with("/api/profile", &token)).await.code(),
        401,
        "past the leeway: overdue"
    );
}

/// A token signed with a longer lifetime than the config's, as by another issuer or before the
/// lifetime was shortened, expires at `iat` plus the config's lifetime, and the handler's
/// `Claims::exp` shows that expiry, not the token's `exp` claim.
#[tokio::test]
async fn handler_sees_enforced_exp_of_longer_token() {
    let (clock, config) = setup();
    let long_lived = builder(&clock)
        .token_lifetime(secs(10 * HOUR))
        .build()
        .expect("the 10 hour config builds");
    let token = long_lived.issue_token("42", "ada").expect("issue");
    assert_eq!(
        claims_of(&token).exp,
        T0 + 10 * HOUR,
        "the token's exp claim is 10 hours after login"
    );
    let calls = Calls::default();
    let app = app(&config, &calls);

    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_eq!(reply.status, StatusCode::OK, "a fresh token passes");
    assert_eq!(
        reply.json()["exp"],
        T0 + LIFETIME,
        "the handler sees iat plus the config's 2 hour lifetime"
    );
    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_eq!(
        reply.json()["exp"],
        T0 + LIFETIME,
        "the same expiry when the token comes from the cache"
    );
    assert_eq!(
        config.verify_token(&token).expect("valid").claims.exp,
        T0 + LIFETIME,
        "verify_token reports the same expiry"
    );

    clock.set(T0 + LIFETIME - WINDOW + MIN);
    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_eq!(
        reply.json()["exp"],
        T0 + LIFETIME,
        "in the window the handler sees the expiry that made the layer renew"
    );
    assert!(
        reply.header("authorization").is_some(),
        "the layer renews the token in the window of the enforced expiry"
    );

    clock.set(T0 + LIFETIME + 1);
    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_eq!(reply.code(), 401, "one second past that expiry: overdue");
}

#[tokio::test]
async fn route_layer_protects_only_its_routes() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let app = routes(&calls)
        .route_layer(config.layer())
        .route("/public", get(|| async { "public" }));
    let reply = send(&app, get_bare("/api/profile")).await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "layered route needs a token"
    );

    let reply = send(&app, get_bare("/public")).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "route added after route_layer is public"
    );

    let reply = send(&app, get_bare("/nowhere")).await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "route_layer leaves the fallback alone"
    );

    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - 60));
    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "token accepted through route_layer"
    );
    assert_renewal_headers(&reply, "route_layer renewal");
}

/// `Router::layer` on the top-level router wraps its fallback, but on a router that `nest`
/// mounts it does not: axum sends the outer router's 404 for an unknown path under the prefix.
#[tokio::test]
async fn layer_wraps_fallback_only_at_top_level() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let top = app(&config, &calls);
    let reply = send(&top, get_bare("/nowhere")).await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "top-level layer: an unknown path without a token needs login"
    );
    assert_eq!(reply.code(), 1006, "top-level layer: the need-login code");

    let nested = Router::new().nest("/v2", app(&config, &calls));
    let reply = send(&nested, get_bare("/v2/api/profile")).await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "nested layer: a known path without a token needs login"
    );
    let reply = send(&nested, get_bare("/v2/nowhere")).await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "nested layer: an unknown path gets axum's 404"
    );
}

#[tokio::test]
async fn renewal_merges_expose_headers() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - 60));
    let reply = send(&app(&config, &calls), get_with("/api/exposing", &token)).await;
    let values: Vec<&str> = reply
        .headers
        .get_all(header::ACCESS_CONTROL_EXPOSE_HEADERS)
        .iter()
        .map(|v| v.to_str().expect("ascii"))
        .collect();
    assert_eq!(
        values,
        ["X-Request-Id, ETag, Authorization"],
        "existing values kept, Authorization added once"
    );
    assert!(
        reply.header("authorization").is_some(),
        "renewed token present"
    );
}

#[tokio::test]
async fn renewal_keeps_exposed_authorization_once() {
    let (clock, config) = setup();
    let app = Router::new()
        .route(
            "/x",
            get(|_: Claims| async {
                (
                    [(header::ACCESS_CONTROL_EXPOSE_HEADERS, "authorization")],
                    "ok",
                )
            }),
        )
        .layer(config.layer());
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - 60));
    let reply = send(&app, get_with("/x", &token)).await;
    assert_eq!(
        reply.header("access-control-expose-headers"),
        Some("authorization"),
        "not duplicated"
    );
}

#[tokio::test]
async fn handler_authorization_is_kept() {
    let (clock, config) = setup();
    let app = Router::new()
        .route(
            "/x",
            get(|_: Claims| async { ([(header::AUTHORIZATION, "from-handler")], "ok") }),
        )
        .layer(config.layer());
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - 60));
    let reply = send(&app, get_with("/x", &token)).await;
    assert_eq!(
        reply.header("authorization"),
        Some("from-handler"),
        "handler's token wins"
    );
    assert_renewal_headers(&reply, "handler token");
}

#[tokio::test]
async fn renewal_applies_to_error_responses() {
    let (clock, config) = setup();
    let app = Router::new()
        .route(
            "/x",
            get(|_: Claims| async { (StatusCode::UNPROCESSABLE_ENTITY, "nope") }),
        )
        .layer(config.layer());
    let token = config.issue_token("42", "ada").expect("issue");
    clock.advance(secs(LIFETIME - 60));
    let reply = send(&app, get_with("/x", &token)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "handler status kept"
    );
    assert!(
        reply.header("authorization").is_some(),
        "renewed token still delivered"
    );
}

#[tokio::test]
async fn issuer_and_audience_are_checked() {
    let clock = ManualClock::new(T0);
    let config = builder(&clock)
        .issuer("https://auth.example")
        .audience("renew-fetch-demo")
        .build()
        .expect("config builds");
    let calls = Calls::default();
    let app = app(&config, &calls);
    let token = config.issue_token("42", "ada").expect("issue");
    let claims = claims_of(&token);
    assert_eq!(
        claims.iss.as_deref(),
        Some("https://auth.example"),
        "iss issued"
    );
    assert_eq!(
        claims.aud.as_deref(),
        Some("renew-fetch-demo"),
        "aud issued"
    );
    assert_eq!(
        send(&app, get_with("/api/profile", &token)).await.status,
        StatusCode::OK,
        "own token passes"
    );

    let with = |iss: Option<&str>, aud: Option<&str>| {
        let mut p: serde_json::Value =
            serde_json::from_str(&payload(T0, T0 + LIFETIME, T0)).expect("json");
        if let Some(iss) = iss {
            p["iss"] = iss.into();
        }
        if let Some(aud) = aud {
            p["aud"] = aud.into();
        }
        jws(HS256_HEADER, &p.to_string(), SECRET)
    };
    for (what, token) in [
        ("missing iss", with(None, Some("renew-fetch-demo"))),
        (
            "other iss",
            with(Some("https://evil.example"), Some("renew-fetch-demo")),
        ),
        ("missing aud", with(Some("https://auth.example"), None)),
        (
            "other aud",
            with(Some("https://auth.example"), Some("other-app")),
        ),
    ] {
        let reply = send(&app, get_with("/api/profile", &token)).await;
        assert_rejected(
            &reply,
            StatusCode::UNAUTHORIZED,
            1007,
            Some("invalid_token"),
            what,
        );
    }
    clock.advance(secs(LIFETIME - 60));
    let reply = send(&app, get_with("/api/profile", &token)).await;
    let renewed = claims_of(&reply.renewed());
    assert_eq!(
        renewed.iss.as_deref(),
        Some("https://auth.example"),
        "renewal keeps iss"
    );
    assert_eq!(
        renewed.aud.as_deref(),
        Some("renew-fetch-demo"),
        "renewal keeps aud"
    );
    assert_eq!(
        calls.get(),
        2,
        "only the two good requests reached the handler"
    );
}

#[tokio::test]
async fn unexpected_audience_is_rejected() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let mut p: serde_json::Value =
        serde_json::from_str(&payload(T0, T0 + LIFETIME, T0)).expect("json");
    p["aud"] = "some-other-service".into();
    let token = jws(HS256_HEADER, &p.to_string(), SECRET);
    let reply = send(&app(&config, &calls), get_with("/api/profile", &token)).await;
    assert_eq!(
        reply.code(),
        1007,
        "a token meant for another audience is rejected"
    );
}

#[tokio::test]
async fn extractor_without_layer_is_500() {
    let app = Router::new().route("/x", get(|claims: Claims| async move { Json(claims) }));
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    let reply = send(&app, get_bare("/x")).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "500");
    assert_eq!(
        reply.header("content-type"),
        Some("application/json"),
        "JSON"
    );
    let body = reply.json();
    assert_eq!(
        body["msg"], "internal server error",
        "generic message, no cause"
    );
    assert!(body["data"].is_null(), "no data");
    assert!(
        recorder
            .lines()
            .iter()
            .any(|l| l.contains("not behind RenewLayer")),
        "cause logged: {:?}",
        recorder.lines()
    );
}

/// Renews a token of `user_id` in the renewal window and returns the renewal's log line.
async fn renewal_line(user_id: &str) -> String {
    let (clock, config) = setup();
    let app = app(&config, &Calls::default());
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    let token = config.issue_token(user_id, "ada").expect("issue");
    clock.advance(secs(LIFETIME - 60));
    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert!(
        reply.header("authorization").is_some(),
        "the token was renewed"
    );

    let lines = recorder.lines();
    lines
        .iter()
        .find(|line| line.contains("token renewed in the renewal window"))
        .unwrap_or_else(|| panic!("a renewal line was logged: {lines:?}"))
        .clone()
}

#[tokio::test]
async fn log_escapes_user_id() {
    // A user id from a login form can contain a line break that would forge a log line.
    let line = renewal_line("evil\nINFO forged line").await;
    assert!(
        line.contains(r#"user_id="evil\nINFO forged line""#),
        "the user id is quoted and its line break escaped: {line}"
    );
}

#[tokio::test]
async fn log_cuts_long_user_id() {
    // A user id of a few thousand characters would fill the log with each renewal.
    let line = renewal_line(&"x".repeat(3000)).await;
    let expected = format!(r#"user_id="{}" (cut from 3000 characters)"#, "x".repeat(64));
    assert!(
        line.contains(&expected),
        "expected the user id cut to 64 characters with its length: {}",
        line.chars().take(300).collect::<String>()
    );
    assert!(
        line.len() < 1000,
        "expected a line under 1,000 bytes, got {} bytes",
        line.len()
    );
}

#[tokio::test]
async fn log_cuts_long_user_id_overdue_and_capped() {
    let (clock, config) = setup();
    let app = app(&config, &Calls::default());
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    let long_id = "x".repeat(3000);

    let token = config.issue_token(&long_id, "ada").expect("issue");
    clock.advance(secs(LIFETIME + 60));
    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert!(
        reply.header("authorization").is_some(),
        "expected the overdue token renewed"
    );

    // The last token of the session, one second after the cap.
    let mut claims: serde_json::Value =
        serde_json::from_str(&payload(T0 + CAP - HOUR, T0 + CAP, T0)).expect("a JSON payload");
    claims["sub"] = serde_json::json!(long_id);
    let capped = jws(HS256_HEADER, &claims.to_string(), SECRET);
    clock.set(T0 + CAP + 1);
    let reply = send(&app, get_with("/api/profile", &capped)).await;
    assert_eq!(reply.code(), 1007, "expected the session cap reached");

    let expected = format!(r#"user_id="{}" (cut from 3000 characters)"#, "x".repeat(64));
    let lines = recorder.lines();
    for marker in ["overdue token renewed", "session cap reached"] {
        let line = lines
            .iter()
            .find(|line| line.contains(marker))
            .unwrap_or_else(|| panic!("expected a line with {marker:?}: {} lines", lines.len()));
        assert!(
            line.contains(&expected),
            "expected the {marker:?} line to cut the user id: {}",
            line.chars().take(300).collect::<String>()
        );
    }
}

#[tokio::test]
async fn logs_fingerprint_not_token() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let recorder = LogRecorder::default();
    let _guard = recorder.install();

    let token = config.issue_token("42", "ada").expect("issue");
    let forged = jws(
        HS256_HEADER,
        &payload(T0, T0 + LIFETIME, T0),
        b"not the secret, but 32 bytes long",
    );
    send(&app, get_bare("/api/profile")).await;
    send(
        &app,
        get_raw("/api/profile", format!("Basic {token}").as_bytes()),
    )
    .await;
    send(&app, get_with("/api/profile", &forged)).await;
    clock.advance(secs(LIFETIME - 60));
    let renewed = send(&app, get_with("/api/profile", &token)).await.renewed();
    clock.advance(secs(LIFETIME + 60));
    let overdue = send(&app, get_with("/api/profile", &renewed))
        .await
        .renewed();

    let lines = recorder.lines();
    let all = lines.join("\n");
    for (what, secret) in [
        ("token", &token),
        ("forged", &forged),
        ("renewed", &renewed),
        ("overdue", &overdue),
    ] {
        // No third of any token shows up in the log, not even the signature.
        for part in secret.split('.') {
            assert!(
                !all.contains(part),
                "{what} part {part:?} leaked into the log:\n{all}"
            );
        }
    }
    let expect = [
        "no Authorization header",
        "Authorization scheme is not Bearer",
        "token signature does not verify",
        "token renewed in the renewal window",
        "overdue token renewed, handler skipped",
    ];
    for needle in expect {
        assert!(all.contains(needle), "log mentions {needle:?}:\n{all}");
    }
    for needle in [
        "token renewed in the renewal window",
        "overdue token renewed",
    ] {
        let line = lines
            .iter()
            .find(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("a log line mentions {needle:?}:\n{all}"));
        assert!(
            line.contains("user_id=\"42\""),
            "the line {needle:?} names the user id: {line}"
        );
    }
    let fp = |t: &str| {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(t.as_bytes());
        digest[..4]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert!(
        all.contains(&fp(&forged)),
        "forged token's fingerprint logged:\n{all}"
    );
    assert!(
        all.contains(&fp(&token)),
        "renewed-from fingerprint logged:\n{all}"
    );
    assert!(
        all.contains(&fp(&renewed)),
        "overdue fingerprint logged:\n{all}"
    );
}

/// Returns the "request rejected" lines that `lines` has at `level`.
fn rejection_lines(lines: &[String], level: &str) -> Vec<String> {
    lines
        .iter()
        .filter(|line| line.starts_with(level) && line.contains("request rejected"))
        .cloned()
        .collect()
}

#[tokio::test]
async fn rejection_warnings_once_a_second() {
    let (clock, config) = setup();
    let app = app(&config, &Calls::default());
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    let forged = jws(
        HS256_HEADER,
        &payload(T0, T0 + LIFETIME, T0),
        b"not the secret, but 32 bytes long",
    );
    for _ in 0..5 {
        send(&app, get_with("/api/profile", &forged)).await;
    }
    clock.advance(secs(1));
    send(&app, get_with("/api/profile", &forged)).await;

    let lines = recorder.lines();
    let rejected = |level: &str| rejection_lines(&lines, level);
    let warnings = rejected("WARN");
    assert_eq!(warnings.len(), 2, "one WARN line a second: {lines:#?}");
    assert_eq!(
        rejected("DEBUG").len(),
        4,
        "the other rejections of the first second at DEBUG: {lines:#?}"
    );
    assert!(
        warnings[0].contains("suppressed=0"),
        "the first WARN line counts none: {}",
        warnings[0]
    );
    assert!(
        warnings[1].contains("suppressed=4"),
        "the next WARN line counts the four at DEBUG: {}",
        warnings[1]
    );
}

#[tokio::test]
async fn missing_token_info_once_a_second() {
    let (clock, config) = setup();
    let app = app(&config, &Calls::default());
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    for _ in 0..3 {
        send(&app, get_bare("/api/profile")).await;
    }
    clock.advance(secs(1));
    send(&app, get_bare("/api/profile")).await;

    let lines = recorder.lines();
    let rejected = |level: &str| rejection_lines(&lines, level);
    let infos = rejected("INFO");
    assert_eq!(infos.len(), 2, "one INFO line a second: {lines:#?}");
    assert_eq!(
        rejected("DEBUG").len(),
        2,
        "the other requests of the first second at DEBUG: {lines:#?}"
    );
    assert!(
        infos[1].contains("suppressed=2"),
        "the next INFO line counts the two at DEBUG: {}",
        infos[1]
    );
    assert!(
        rejected("WARN").is_empty(),
        "a missing token is not a warning: {lines:#?}"
    );
}

/// Returns the renewal lines of `lines` at `level`, in the window and overdue alike.
fn renewal_lines(lines: &[String], level: &str) -> Vec<String> {
    lines
        .iter()
        .filter(|line| line.starts_with(level) && line.contains(" renewed"))
        .cloned()
        .collect()
}

#[tokio::test]
async fn renewal_info_once_a_second() {
    let (clock, config) = setup();
    let app = app(&config, &Calls::default());
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    let in_window = config.issue_token("42", "ada").expect("issue");
    let overdue = config.issue_token("43", "bob").expect("issue");
    clock.advance(secs(LIFETIME - WINDOW + MIN));
    // A client that ignores the renewed token gets a new one with every request.
    for _ in 0..3 {
        let reply = send(&app, get_with("/api/profile", &in_window)).await;
        assert_eq!(reply.status, StatusCode::OK, "passes in the window");
    }
    clock.advance(secs(WINDOW));
    let reply = send(&app, get_with("/api/profile", &overdue)).await;
    assert_eq!(
        reply.code(),
        renew_fetch::protocol::CODE_OVERDUE,
        "overdue in the grace period"
    );

    let lines = recorder.lines();
    let infos = renewal_lines(&lines, "INFO");
    assert_eq!(infos.len(), 2, "one INFO line a second: {lines:#?}");
    assert_eq!(
        renewal_lines(&lines, "DEBUG").len(),
        2,
        "the other renewals of the first second at DEBUG: {lines:#?}"
    );
    assert!(
        infos[1].contains("suppressed=2") && infos[1].contains("overdue token renewed"),
        "the overdue line of the next second counts the two at DEBUG: {}",
        infos[1]
    );
}

#[tokio::test]
async fn dropped_config_logs_unreported_count() {
    let (_clock, config) = setup();
    let app = app(&config, &Calls::default());
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    let forged = jws(
        HS256_HEADER,
        &payload(T0, T0 + LIFETIME, T0),
        b"not the secret, but 32 bytes long",
    );
    for _ in 0..3 {
        send(&app, get_with("/api/profile", &forged)).await;
    }
    for _ in 0..2 {
        send(&app, get_bare("/api/profile")).await;
    }
    drop(app);
    drop(config);

    let lines = recorder.lines();
    let dropped = |level: &str| -> Vec<String> {
        lines
            .iter()
            .filter(|line| line.starts_with(level) && line.contains("config was dropped"))
            .cloned()
            .collect()
    };
    let warnings = dropped("WARN");
    assert_eq!(warnings.len(), 1, "one WARN line on drop: {lines:#?}");
    assert!(
        warnings[0].contains("suppressed=2"),
        "the WARN line counts the two forged tokens at DEBUG: {}",
        warnings[0]
    );
    let infos = dropped("INFO");
    assert_eq!(infos.len(), 1, "one INFO line on drop: {lines:#?}");
    assert!(
        infos[0].contains("suppressed=1"),
        "the INFO line counts the one missing token at DEBUG: {}",
        infos[0]
    );
    assert!(
        infos[0].contains("rejections logged only at DEBUG"),
        "the INFO line says what it counts: {}",
        infos[0]
    );
}

#[tokio::test]
async fn dropped_config_quiet_without_count() {
    let (_clock, config) = setup();
    let app = app(&config, &Calls::default());
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    send(&app, get_bare("/api/profile")).await;
    drop(app);
    drop(config);

    let lines = recorder.lines();
    assert!(
        !lines.iter().any(|line| line.contains("config was dropped")),
        "no line on drop when every rejection was reported: {lines:#?}"
    );
}

#[tokio::test]
async fn missing_claims_error_once_a_second() {
    // The routes read Claims but are not behind the layer, so every request fails.
    let app = routes(&Calls::default());
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    let requests = 20;
    for _ in 0..requests {
        let reply = send(&app, get_bare("/api/profile")).await;
        assert_eq!(
            reply.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "no claims, 500"
        );
    }

    let lines = recorder.lines();
    let missing = |level: &str| {
        lines
            .iter()
            .filter(|line| line.starts_with(level) && line.contains("not behind RenewLayer"))
            .count()
    };
    // The limit is shared by the whole process, so another test may hold this second's ERROR
    // line, and the loop may cross into a second second.
    assert!(
        missing("ERROR") <= 2,
        "at most one ERROR line a second: {lines:#?}"
    );
    assert_eq!(
        missing("ERROR") + missing("DEBUG"),
        requests,
        "every request logged once, at ERROR or DEBUG: {lines:#?}"
    );
}

#[tokio::test]
async fn rejection_names_verified_user() {
    let (clock, config) = setup();
    let app = app(&config, &Calls::default());
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    // The last token of the session, one second after the cap.
    let capped = jws(
        HS256_HEADER,
        &payload(T0 + CAP - HOUR, T0 + CAP, T0),
        SECRET,
    );
    clock.set(T0 + CAP + 1);
    let reply = send(&app, get_with("/api/profile", &capped)).await;
    assert_eq!(reply.code(), 1007, "the session cap is reached");
    clock.advance(secs(1));
    let forged = jws(
        HS256_HEADER,
        &payload(T0, T0 + LIFETIME, T0),
        b"not the secret, but 32 bytes long",
    );
    send(&app, get_with("/api/profile", &forged)).await;

    let lines = rejection_lines(&recorder.lines(), "WARN");
    assert_eq!(lines.len(), 2, "one WARN line a second: {lines:#?}");
    assert!(
        lines[0].contains("session cap reached"),
        "the first line is the session cap's: {}",
        lines[0]
    );
    assert!(
        lines[0].contains("user_id=\"42\""),
        "the rejection of a verified token names its user: {}",
        lines[0]
    );
    assert!(
        !lines[1].contains("user_id"),
        "a token that did not verify names no user: {}",
        lines[1]
    );
}

#[tokio::test]
async fn rejection_log_names_missing_claims() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    // A token from a login service that signs with the same secret but leaves out claims that
    // the layer requires.
    let claims = serde_json::json!({ "sub": "42", "iat": T0, "exp": T0 + LIFETIME });
    let token = jws(HS256_HEADER, &claims.to_string(), SECRET);
    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_invalid_token_reply(&reply, "claims missing");
    assert_eq!(
        reply.json()["msg"],
        "invalid token",
        "the response keeps its fixed message"
    );

    let lines = rejection_lines(&recorder.lines(), "WARN");
    assert_eq!(lines.len(), 1, "one WARN line: {lines:#?}");
    assert!(
        lines[0].contains(
            "reason=token claims are missing or wrongly typed: username is missing, jti is \
             missing, auth_time is missing"
        ),
        "the line names each missing claim: {}",
        lines[0]
    );
    for (i, part) in token.split('.').enumerate() {
        assert!(
            !lines[0].contains(part),
            "part {i} of the token is not logged: {}",
            lines[0]
        );
    }
}

#[tokio::test]
async fn rejection_detail_logged_at_debug_too() {
    let clock = ManualClock::new(T0);
    let config = builder(&clock)
        .issuer("https://auth.example")
        .build()
        .expect("the issuer config builds");
    let app = app(&config, &Calls::default());
    let recorder = LogRecorder::default();
    let _guard = recorder.install();
    let mut claims: serde_json::Value =
        serde_json::from_str(&payload(T0, T0 + LIFETIME, T0)).expect("the payload is JSON");
    claims["iss"] = serde_json::json!("https://evil.example\nWARN forged");
    let token = jws(HS256_HEADER, &claims.to_string(), SECRET);
    let mut future: serde_json::Value =
        serde_json::from_str(&payload(T0 + 120, T0 + LIFETIME, T0)).expect("the payload is JSON");
    future["iss"] = serde_json::json!("https://auth.example");
    let early = jws(HS256_HEADER, &future.to_string(), SECRET);
    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_invalid_token_reply(&reply, "another issuer");
    let reply = send(&app, get_with("/api/profile", &early)).await;
    assert_invalid_token_reply(&reply, "iat in the future");

    let lines = recorder.lines();
    let warnings = rejection_lines(&lines, "WARN");
    assert_eq!(warnings.len(), 1, "one WARN line a second: {lines:#?}");
    assert!(
        warnings[0].contains(
            r#"reason=token issuer does not match: iss is the string "https://evil.example\nWARN forged", expected "https://auth.example""#
        ),
        "the WARN line names both issuers, the received one escaped: {}",
        warnings[0]
    );
    let debug = rejection_lines(&lines, "DEBUG");
    assert_eq!(debug.len(), 1, "the second rejection at DEBUG: {lines:#?}");
    assert!(
        debug[0].contains(
            "reason=token iat or auth_time is in the future: iat is 120 s ahead of the layer's \
             clock, more than the 60 s allowed for clock skew"
        ),
        "the DEBUG line names the claim and how far ahead: {}",
        debug[0]
    );
}

/// Returns a token signed with the test secret but with the shorter header `{"alg":"HS256"}`
/// and a one-letter `jti`, as another issuer that shares the secret might sign it, whose
/// username makes it as long as the layer accepts. Its renewal, with the longer header and
/// `jti` that the layer issues, is too long to send.
fn longest_foreign_token(iat: u64) -> String {
    let max = renew_fetch::protocol::MAX_AUTHORIZATION_LEN - "Bearer ".len();
    let sign = |name_len: usize| {
        let claims = serde_json::json!({
            "sub": "42", "username": "a".repeat(name_len), "iat": iat, "exp": iat + LIFETIME,
            "jti": "j", "auth_time": iat,
        });
        jws(r#"{"alg":"HS256"}"#, &claims.to_string(), SECRET)
    };
    let mut name_len = max * 3 / 4;
    while sign(name_len).len() > max {
        name_len -= 1;
    }
    sign(name_len)
}

#[tokio::test]
async fn token_too_long_to_renew_passes_then_ends() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let token = longest_foreign_token(T0);
    let recorder = LogRecorder::default();
    let _guard = recorder.install();

    clock.advance(secs(LIFETIME - WINDOW + MIN));
    for attempt in 0..3 {
        let reply = send(&app, get_with("/api/profile", &token)).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "request {attempt} in the window passes with the old token"
        );
        assert_eq!(
            reply.header("authorization"),
            None,
            "request {attempt} in the window gets no renewed token"
        );
    }
    let lines = recorder.lines();
    let errors: Vec<_> = lines
        .iter()
        .filter(|line| line.starts_with("ERROR") && line.contains("token renewal failed"))
        .collect();
    assert_eq!(
        errors.len(),
        1,
        "one ERROR line a second for the failed renewals: {lines:#?}"
    );

    clock.advance(secs(WINDOW + MIN));
    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_invalid_token_reply(
        &reply,
        "an overdue token whose renewal would be too long to send",
    );
    let lines = recorder.lines();
    let warnings = rejection_lines(&lines, "WARN");
    assert_eq!(warnings.len(), 1, "one WARN line: {lines:#?}");
    assert!(
        warnings[0]
            .contains("reason=an overdue token cannot be renewed: the renewed token would be"),
        "the WARN line names the cause: {}",
        warnings[0]
    );
    assert_eq!(
        calls.get(),
        3,
        "the handler ran for the requests in the window only"
    );
}

#[tokio::test]
async fn ext_claim_reaches_handler_and_survives_renewals() {
    let (clock, config) = setup();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let ext = serde_json::json!({ "roles": ["admin", "editor"], "tenant": 7 });
    let token = config
        .issue_token_with("42", "ada", &ext)
        .expect("issue with ext");
    assert_eq!(claims_of(&token).ext, Some(ext.clone()), "login sets ext");

    // The second request takes the layer's cache of verified tokens.
    for attempt in 0..2 {
        let reply = send(&app, get_with("/api/profile", &token)).await;
        assert_eq!(reply.status, StatusCode::OK, "attempt {attempt}: passes");
        assert_eq!(
            reply.json()["ext"],
            ext,
            "attempt {attempt}: the handler's claims carry ext"
        );
    }

    clock.advance(secs(LIFETIME - WINDOW + MIN));
    let reply = send(&app, get_with("/api/profile", &token)).await;
    let renewed = reply.renewed();
    assert_eq!(
        claims_of(&renewed).ext,
        Some(ext.clone()),
        "a renewal in the window copies ext"
    );

    clock.advance(secs(LIFETIME + MIN));
    let reply = send(&app, get_with("/api/profile", &renewed)).await;
    assert_eq!(reply.code(), 401, "overdue");
    assert_eq!(
        claims_of(&reply.renewed()).ext,
        Some(ext),
        "an overdue renewal copies ext"
    );
}

#[tokio::test]
async fn ext_claim_left_out_when_null_or_absent() {
    let (_clock, config) = setup();
    let plain = config.issue_token("42", "ada").expect("issue");
    assert_eq!(claims_of(&plain).ext, None, "issue_token sets no ext");
    let null = config
        .issue_token_with("42", "ada", &Option::<u8>::None)
        .expect("issue with a null ext");
    assert_eq!(claims_of(&null).ext, None, "a null ext is left out");
    let payload = payload_of(&null);
    assert!(
        payload.get("ext").is_none(),
        "the token has no ext claim: {payload}"
    );
}

#[tokio::test]
async fn ext_not_serializable_rejected() {
    let (_clock, config) = setup();
    let mut map = std::collections::BTreeMap::new();
    map.insert(vec![1u8], "bytes as a key");
    let error = config
        .issue_token_with("42", "ada", &map)
        .expect_err("a map with non-string keys");
    assert!(
        matches!(error, renew_fetch::server::IssueError::Ext(_)),
        "the error names ext, got {error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("cannot issue a token: the ext data does not serialize to JSON: "),
        "the message names the ext data, got {error}"
    );
}

#[tokio::test]
async fn ext_claim_too_long_names_ext() {
    let (_clock, config) = setup();
    let ext = serde_json::json!({ "blob": "x".repeat(8_000) });
    let error = config
        .issue_token_with("42", "ada", &ext)
        .expect_err("an ext longer than a token may be");
    assert!(
        error
            .to_string()
            .ends_with("shorten the user id, the username or the ext data"),
        "the message names ext as a cause, got {error}"
    );
}

#[tokio::test]
async fn ext_depth_limit_enforced_at_issue() {
    let (_clock, config) = setup();
    let calls = Calls::default();
    let app = app(&config, &calls);
    let nested = |levels: usize| {
        (0..levels).fold(serde_json::json!(1), |inner, _| serde_json::json!([inner]))
    };
    let max = renew_fetch::server::MAX_EXT_DEPTH;

    let token = config
        .issue_token_with("42", "ada", &nested(max))
        .expect("an ext at the depth limit");
    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "a token whose ext is at the depth limit passes the layer"
    );

    let error = config
        .issue_token_with("42", "ada", &nested(max + 1))
        .expect_err("an ext one level deeper than the limit");
    assert!(
        matches!(error, renew_fetch::server::IssueError::ExtTooDeep),
        "the error names the depth, got {error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "cannot issue a token: the ext data nests arrays and objects more than {max} levels \
             deep; flatten it"
        ),
        "the message gives the limit and the fix"
    );
}
