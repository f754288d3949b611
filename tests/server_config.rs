//! The config builder: defaults, rejected settings and their messages, and a Debug that never
//! prints the secret.
#![cfg(all(feature = "server", not(target_arch = "wasm32")))]

mod server_support;

use std::time::Duration;

use renew_fetch::protocol::Codes;
use renew_fetch::server::{
    AuthConfig, ConfigError, IssueError, ManualClock, RenewLayer, DEFAULT_GRACE_PERIOD,
    DEFAULT_LEEWAY, DEFAULT_RENEW_WINDOW, DEFAULT_SESSION_CAP, DEFAULT_TOKEN_CACHE_CAPACITY,
    DEFAULT_TOKEN_LIFETIME, MAX_SESSION_CAP, MAX_TOKEN_CACHE_CAPACITY, MIN_SECRET_LEN,
};
use server_support::*;

fn err(builder: renew_fetch::server::AuthConfigBuilder) -> ConfigError {
    builder.build().expect_err("settings are rejected")
}

#[test]
fn defaults_match_documentation() {
    let config = AuthConfig::builder(SECRET.to_vec())
        .build()
        .expect("defaults build");
    assert_eq!(
        config.token_lifetime(),
        Duration::from_secs(2 * 3600),
        "lifetime 2 h"
    );
    assert_eq!(
        config.renew_window(),
        Duration::from_secs(30 * 60),
        "window 30 min"
    );
    assert_eq!(
        config.grace_period(),
        Duration::from_secs(10 * 60),
        "grace 10 min"
    );
    assert_eq!(
        config.session_cap(),
        Duration::from_secs(7 * 24 * 3600),
        "cap 7 days"
    );
    assert_eq!(config.leeway(), Duration::ZERO, "leeway 0");
    assert_eq!(config.issuer(), None, "no issuer");
    assert_eq!(config.audience(), None, "no audience");
    assert_eq!(config.codes(), &Codes::default(), "default codes");
    assert_eq!(config.realm(), "renew-fetch", "default realm");
    assert_eq!(
        DEFAULT_TOKEN_LIFETIME,
        config.token_lifetime(),
        "lifetime constant"
    );
    assert_eq!(
        DEFAULT_RENEW_WINDOW,
        config.renew_window(),
        "window constant"
    );
    assert_eq!(
        DEFAULT_GRACE_PERIOD,
        config.grace_period(),
        "grace constant"
    );
    assert_eq!(DEFAULT_SESSION_CAP, config.session_cap(), "cap constant");
    assert_eq!(DEFAULT_LEEWAY, config.leeway(), "leeway constant");
    assert_eq!(
        config.token_cache_capacity(),
        4096,
        "token cache of 4096 tokens"
    );
    assert_eq!(
        DEFAULT_TOKEN_CACHE_CAPACITY,
        config.token_cache_capacity(),
        "token cache constant"
    );
}

#[test]
fn token_cache_capacity_is_checked() {
    let clock = ManualClock::new(T0);
    let off = builder(&clock)
        .token_cache_capacity(0)
        .build()
        .expect("capacity 0 builds");
    assert_eq!(off.token_cache_capacity(), 0, "0 turns the cache off");

    let largest = builder(&clock)
        .token_cache_capacity(MAX_TOKEN_CACHE_CAPACITY)
        .build()
        .expect("the maximum builds");
    assert_eq!(
        largest.token_cache_capacity(),
        MAX_TOKEN_CACHE_CAPACITY,
        "the maximum is kept"
    );

    let too_large = MAX_TOKEN_CACHE_CAPACITY + 1;
    let e = err(builder(&clock).token_cache_capacity(too_large));
    assert_eq!(
        e,
        ConfigError::TokenCacheTooLarge {
            capacity: too_large
        },
        "one above the maximum"
    );

    let msg = e.to_string();
    assert!(
        msg.contains("token_cache_capacity is 1000001"),
        "message names the setting and value: {msg}"
    );
    assert!(
        msg.contains("use 1000000 or less, or 0"),
        "message gives the fix: {msg}"
    );

    assert_eq!(
        err(builder(&clock).token_cache_capacity(usize::MAX)),
        ConfigError::TokenCacheTooLarge {
            capacity: usize::MAX
        },
        "usize::MAX"
    );
}

#[test]
fn short_secret_error_names_length() {
    let e = err(AuthConfig::builder(b"only-17-bytes-lol".to_vec()));
    assert_eq!(
        e,
        ConfigError::SecretTooShort { len: 17 },
        "variant carries the length"
    );
    let msg = e.to_string();
    assert!(msg.contains("17 bytes"), "message names the length: {msg}");
    assert!(
        msg.contains("at least 32"),
        "message names the minimum: {msg}"
    );
    assert!(
        msg.contains("openssl rand"),
        "message says how to fix it: {msg}"
    );
    assert_eq!(
        err(AuthConfig::builder(Vec::new())),
        ConfigError::SecretTooShort { len: 0 },
        "empty secret"
    );
    assert_eq!(
        err(AuthConfig::builder(vec![b'x'; 31])),
        ConfigError::SecretTooShort { len: 31 },
        "31 bytes"
    );
    assert!(
        AuthConfig::builder(SECRET.to_vec()).build().is_ok(),
        "32 bytes is enough"
    );
}

#[test]
fn contradictory_durations_are_rejected() {
    let clock = ManualClock::new(T0);
    let b = || builder(&clock);
    assert_eq!(
        err(b().token_lifetime(secs(0)).renew_window(secs(0))),
        ConfigError::ZeroLifetime,
        "zero lifetime"
    );

    assert!(
        matches!(
            err(b().renew_window(secs(LIFETIME))),
            ConfigError::WindowNotShorterThanLifetime { .. }
        ),
        "window equal to lifetime"
    );
    let e = err(b().token_lifetime(secs(10 * MIN)));
    assert_eq!(
        e.to_string(),
        "renew_window (1800 s, its default) must be shorter than token_lifetime (600 s); set \
         renew_window below 600 s, such as 150 s for the last quarter of each token's life, or \
         token_lifetime above 1800 s",
        "a lifetime shorter than the default window names the default"
    );
    let e = err(b().token_lifetime(secs(3)).renew_window(secs(30 * MIN)));
    assert_eq!(
        e.to_string(),
        "renew_window (1800 s) must be shorter than token_lifetime (3 s); set renew_window below \
         3 s, or token_lifetime above 1800 s",
        "a window set to the default's value is not called the default, and a lifetime below \
         4 s gets no quarter"
    );
    assert!(
        matches!(
            err(b().renew_window(secs(LIFETIME + 1))),
            ConfigError::WindowNotShorterThanLifetime { .. }
        ),
        "window longer than lifetime"
    );

    assert!(
        matches!(
            err(b().session_cap(secs(LIFETIME - 1))),
            ConfigError::CapShorterThanLifetime { .. }
        ),
        "cap shorter than lifetime"
    );
    assert_eq!(
        err(b().session_cap(secs(LIFETIME))),
        ConfigError::CapEqualsLifetime {
            lifetime: secs(LIFETIME),
            window: secs(WINDOW),
            grace: secs(GRACE)
        },
        "cap equal to lifetime with the default window and grace"
    );
    let e = err(b().session_cap(secs(LIFETIME)).renew_window(secs(0)));
    assert!(
        matches!(e, ConfigError::CapEqualsLifetime { .. }),
        "cap equal to lifetime with a grace period but no window"
    );
    assert!(
        e.to_string()
            .contains("which leaves grace_period (600 s) without effect;"),
        "the message names only the setting that is not zero: {e}"
    );
    assert!(
        b().session_cap(secs(LIFETIME))
            .renew_window(secs(0))
            .grace_period(secs(0))
            .build()
            .is_ok(),
        "cap equal to lifetime without window and grace: one token a session"
    );
    assert!(
        b().session_cap(secs(LIFETIME + 1)).build().is_ok(),
        "cap one second longer than the lifetime leaves room for one renewal"
    );

    assert!(
        matches!(
            err(b().leeway(secs(LIFETIME))),
            ConfigError::LeewayNotShorterThanLifetime { .. }
        ),
        "leeway as long as the lifetime"
    );

    let e = err(b().grace_period(Duration::from_millis(1500)));
    assert!(
        matches!(
            e,
            ConfigError::SubSecond {
                setting: "grace_period",
                ..
            }
        ),
        "sub-second grace: {e:?}"
    );
    assert!(
        e.to_string().contains("grace_period"),
        "message names the setting: {e}"
    );

    assert!(
        b().renew_window(secs(0))
            .grace_period(secs(0))
            .build()
            .is_ok(),
        "zero window and grace are allowed"
    );
}

#[test]
fn invalid_identity_settings_are_rejected() {
    let clock = ManualClock::new(T0);
    assert_eq!(
        err(builder(&clock).issuer("")),
        ConfigError::EmptyIssuer,
        "empty issuer"
    );
    assert_eq!(
        err(builder(&clock).audience("")),
        ConfigError::EmptyAudience,
        "empty audience"
    );
    for blank in [" ", "\t", "\n", " \r\n "] {
        assert_eq!(
            err(builder(&clock).issuer(blank)),
            ConfigError::EmptyIssuer,
            "issuer {blank:?}"
        );
        assert_eq!(
            err(builder(&clock).audience(blank)),
            ConfigError::EmptyAudience,
            "audience {blank:?}"
        );
    }
    assert!(
        builder(&clock)
            .issuer("https://auth.example")
            .audience("api")
            .build()
            .is_ok(),
        "a named issuer and audience build"
    );
    assert_eq!(
        err(builder(&clock).realm("a\"b")),
        ConfigError::InvalidRealm {
            realm: "a\"b".to_owned()
        },
        "quote in realm"
    );
    let e = err(builder(&clock).realm("a\r\nX-Evil: 1"));
    assert_eq!(
        e,
        ConfigError::InvalidRealm {
            realm: "a\r\nX-Evil: 1".to_owned()
        },
        "CRLF in realm"
    );
    assert!(
        e.to_string().contains(r#"realm "a\r\nX-Evil: 1""#),
        "the message shows the realm, escaped: {e}"
    );
    let codes = Codes {
        need_login: 401,
        ..Codes::default()
    };
    let e = err(builder(&clock).codes(codes));
    assert_eq!(
        e,
        ConfigError::DuplicateCode {
            code: 401,
            first: "overdue",
            second: "need_login"
        },
        "duplicate codes"
    );
    assert!(
        e.to_string()
            .starts_with("codes.overdue and codes.need_login are both 401;"),
        "the message names both fields and the code: {e}"
    );
}

#[test]
fn nonsense_settings_are_rejected() {
    let clock = ManualClock::new(T0);
    let e = err(AuthConfig::builder(vec![0u8; 32]).clock(clock.clone()));
    assert_eq!(e, ConfigError::RepeatedByteSecret, "32 zero bytes");
    assert!(
        e.to_string().contains("openssl rand"),
        "the message says how to make a secret: {e}"
    );

    let e = err(AuthConfig::builder(b"password".repeat(4)).clock(clock.clone()));
    assert_eq!(
        e,
        ConfigError::RepeatedSecret { period: 8 },
        "a word written four times"
    );
    assert!(
        e.to_string().contains("first 8 bytes repeated"),
        "the message names the repeated run: {e}"
    );
    let e = err(AuthConfig::builder(b"abc".repeat(11).to_vec()).clock(clock.clone()));
    assert_eq!(
        e,
        ConfigError::RepeatedSecret { period: 3 },
        "33 bytes of abc, cut inside the last run"
    );
    let half = MIN_SECRET_LEN / 2;
    let twice: Vec<u8> = (0..MIN_SECRET_LEN).map(|i| (i % half) as u8 + 1).collect();
    assert_eq!(
        err(AuthConfig::builder(twice).clock(clock.clone())),
        ConfigError::RepeatedSecret { period: half },
        "the first half written twice"
    );
    let mut almost = b"password".repeat(4);
    almost[31] = b'!';
    assert!(
        AuthConfig::builder(almost)
            .clock(clock.clone())
            .build()
            .is_ok(),
        "a secret whose last byte breaks the pattern builds"
    );

    let too_long = MAX_SESSION_CAP + secs(1);
    assert_eq!(
        err(builder(&clock).session_cap(too_long)),
        ConfigError::CapTooLong { cap: too_long },
        "a cap above the maximum"
    );
    assert!(
        builder(&clock).session_cap(MAX_SESSION_CAP).build().is_ok(),
        "a cap at the maximum builds"
    );

    let e = err(builder(&clock).grace_period(secs(8 * DAY)));
    assert_eq!(
        e,
        ConfigError::GraceLongerThanCap {
            grace: secs(8 * DAY),
            cap: secs(CAP)
        },
        "a grace period of 8 days against a cap of 7 days"
    );
    assert!(
        e.to_string().starts_with(
            "grace_period (691200 s) must not be longer than session_cap (604800 s), which ends \
             every session first"
        ),
        "the message gives both in seconds: {e}"
    );
    assert!(
        builder(&clock)
            .token_lifetime(secs(5 * MIN))
            .renew_window(secs(MIN))
            .build()
            .is_ok(),
        "a 5-minute lifetime with the 10-minute default grace period builds"
    );
    assert!(
        builder(&clock).grace_period(secs(CAP)).build().is_ok(),
        "a grace period as long as the cap builds"
    );

    let codes = Codes {
        overdue: 500,
        ..Codes::default()
    };
    assert_eq!(
        err(builder(&clock).codes(codes)),
        ConfigError::ReservedCode {
            code: 500,
            setting: "overdue"
        },
        "the internal-error code as the overdue code"
    );
}

#[test]
fn zero_cap_message_counts_seconds() {
    let clock = ManualClock::new(T0);
    let e = err(builder(&clock).session_cap(secs(0)));
    assert!(
        e.to_string()
            .starts_with("session_cap (0 s) must be at least token_lifetime (7200 s)"),
        "a zero cap in seconds, not 0ns: {e}"
    );
}

#[test]
fn duration_errors_name_the_fix() {
    let clock = ManualClock::new(T0);
    let cases = [
        (
            "a lifetime of 60 s under the default window",
            err(builder(&clock).token_lifetime(secs(60))),
            "set renew_window below 60 s, such as 15 s for the last quarter of each token's \
             life, or token_lifetime above 1800 s",
        ),
        (
            "a lifetime of 30 days under the default cap",
            err(builder(&clock).token_lifetime(secs(30 * DAY))),
            "set session_cap above 2592000 s, or session_cap to 2592000 s if renew_window and \
             grace_period are 0",
        ),
        (
            "a grace period of 8 days against the default cap",
            err(builder(&clock).grace_period(secs(8 * DAY))),
            "set grace_period to 604800 s or less, or a longer session_cap",
        ),
        (
            "a cap equal to the default lifetime",
            err(builder(&clock).session_cap(secs(LIFETIME))),
            "set session_cap above 7200 s, or set renew_window and grace_period to 0 for \
             sessions of one token",
        ),
        (
            "a lifetime of 200 years",
            err(builder(&clock).token_lifetime(secs(200 * 36_525 * DAY / 100))),
            "set token_lifetime below 3155760000 s and session_cap above it",
        ),
        (
            "a cap of 200 years",
            err(builder(&clock).session_cap(secs(200 * 36_525 * DAY / 100))),
            "set session_cap to 3155760000 s or less",
        ),
        (
            "a leeway as long as the default lifetime",
            err(builder(&clock).leeway(secs(LIFETIME))),
            "set leeway below 7200 s",
        ),
    ];
    for (what, error, fix) in cases {
        let message = error.to_string();
        assert!(
            message.ends_with(fix),
            "{what}: the message ends with {fix:?}, got {message:?}"
        );
    }
}

#[test]
fn every_config_error_has_a_message() {
    let clock = ManualClock::new(T0);
    for e in [
        err(builder(&clock).token_lifetime(secs(0))),
        err(builder(&clock).renew_window(secs(LIFETIME))),
        err(builder(&clock).session_cap(secs(1))),
        err(builder(&clock).session_cap(secs(LIFETIME))),
        err(builder(&clock).grace_period(secs(CAP + 1))),
        err(builder(&clock).token_lifetime(MAX_SESSION_CAP + secs(1))),
        err(builder(&clock).issuer("")),
        err(builder(&clock).realm("\"")),
        err(builder(&clock).token_cache_capacity(usize::MAX)),
    ] {
        assert!(!e.to_string().is_empty(), "{e:?} displays");
    }
}

#[test]
fn debug_hides_secret() {
    let secret = "a-very-secret-hmac-key-of-40-bytes-length";
    let builder = AuthConfig::builder(secret).issuer("iss-x");
    let shown = format!("{builder:?}");
    assert!(
        !shown.contains(secret),
        "builder Debug hides the secret: {shown}"
    );
    assert!(
        shown.contains("redacted"),
        "builder Debug says it is redacted: {shown}"
    );
    let config = builder.build().expect("builds");
    let shown = format!(
        "{config:?} {:?} {:?}",
        config.layer(),
        RenewLayer::new(config.clone())
    );
    assert!(
        !shown.contains(secret),
        "config Debug hides the secret: {shown}"
    );
    assert!(
        !shown.contains("a-very-secret"),
        "not even a prefix: {shown}"
    );
    assert!(
        shown.contains("iss-x"),
        "Debug still shows the settings: {shown}"
    );
}

#[test]
fn config_is_clone_send_sync() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<AuthConfig>();
    assert_traits::<RenewLayer>();
}

#[test]
fn issue_token_starts_session() {
    let (clock, config) = setup();
    clock.set(T0 + 123);
    let claims = claims_of(&config.issue_token("42", "ada").expect("issue"));
    assert_eq!(claims.iat, T0 + 123, "iat is now");
    assert_eq!(claims.auth_time, T0 + 123, "auth_time is now");
    assert_eq!(claims.exp, T0 + 123 + LIFETIME, "exp is now + lifetime");
    assert_eq!(claims.iss, None, "no iss unless configured");
    assert_eq!(claims.aud, None, "no aud unless configured");
}

#[test]
fn issue_token_rejects_empty_user_id() {
    let (_clock, config) = setup();
    let e = config
        .issue_token("", "ada")
        .expect_err("empty user id is rejected");
    assert!(matches!(e, IssueError::EmptyUserId), "EmptyUserId: {e:?}");
    assert!(!e.to_string().is_empty(), "IssueError displays");
}

#[test]
fn issued_tokens_are_hs256_jwts() {
    let (_clock, config) = setup();
    let token = config.issue_token("42", "ada").expect("issue");
    let header = jsonwebtoken::decode_header(&token).expect("header decodes");
    assert_eq!(
        header.alg,
        jsonwebtoken::Algorithm::HS256,
        "pinned to HS256"
    );
    assert_eq!(token.split('.').count(), 3, "compact JWS");
}

#[test]
fn too_long_durations_are_named_before_fractions() {
    let clock = ManualClock::new(T0);
    let two_centuries = secs(2 * MAX_SESSION_CAP.as_secs());
    assert_eq!(
        err(builder(&clock).token_lifetime(two_centuries)),
        ConfigError::LifetimeTooLong {
            lifetime: two_centuries
        },
        "a lifetime of 200 years under the default cap"
    );
    assert_eq!(
        err(builder(&clock).token_lifetime(Duration::MAX)),
        ConfigError::LifetimeTooLong {
            lifetime: Duration::MAX
        },
        "Duration::MAX as the lifetime, whose fraction is not the problem"
    );
    assert_eq!(
        err(builder(&clock).session_cap(Duration::MAX)),
        ConfigError::CapTooLong { cap: Duration::MAX },
        "Duration::MAX as the cap"
    );
}

#[test]
fn duration_error_fixes_build() {
    let clock = ManualClock::new(T0);
    let b = || builder(&clock);
    let below_max = MAX_SESSION_CAP - secs(1);
    // Each case: the broken settings, then the settings that the fix in its message requests.
    let cases = [
        (
            "a lifetime of 200 years",
            b().token_lifetime(secs(2 * MAX_SESSION_CAP.as_secs())),
            b().token_lifetime(below_max).session_cap(MAX_SESSION_CAP),
        ),
        (
            "Duration::MAX as the lifetime",
            b().token_lifetime(Duration::MAX),
            b().token_lifetime(below_max).session_cap(MAX_SESSION_CAP),
        ),
        (
            "a cap of 200 years",
            b().session_cap(secs(2 * MAX_SESSION_CAP.as_secs())),
            b().session_cap(MAX_SESSION_CAP),
        ),
        (
            "a lifetime of 30 days under the default cap",
            b().token_lifetime(secs(30 * DAY)),
            b().token_lifetime(secs(30 * DAY))
                .session_cap(secs(30 * DAY + 1)),
        ),
        (
            "a cap equal to the default lifetime",
            b().session_cap(secs(LIFETIME)),
            b().session_cap(secs(LIFETIME + 1)),
        ),
        (
            "a lifetime at the maximum cap, with the default window",
            b().token_lifetime(MAX_SESSION_CAP)
                .session_cap(MAX_SESSION_CAP),
            b().token_lifetime(below_max).session_cap(MAX_SESSION_CAP),
        ),
        (
            "a grace period of 8 days",
            b().grace_period(secs(8 * DAY)),
            b().grace_period(secs(CAP)),
        ),
        (
            "a grace period of 8 days, with the cap as the fix",
            b().grace_period(secs(8 * DAY)),
            b().grace_period(secs(8 * DAY)).session_cap(secs(8 * DAY)),
        ),
    ];
    for (what, broken, fixed) in cases {
        let message = err(broken).to_string();
        let built = fixed.build();
        assert!(
            built.is_ok(),
            "{what}: the fix of {message:?} builds, got {:?}",
            built.err()
        );
    }
}

#[test]
fn cap_fix_at_maximum_lifetime_shrinks_lifetime() {
    let clock = ManualClock::new(T0);
    let message = err(builder(&clock)
        .token_lifetime(MAX_SESSION_CAP)
        .session_cap(MAX_SESSION_CAP))
    .to_string();
    assert!(
        message.contains(
            "set token_lifetime below 3155760000 s, the maximum session_cap, and session_cap \
             above it"
        ),
        "no cap can pass the maximum, so the fix shortens the lifetime: {message}"
    );
}
