//! The hostile token and header corpus. Each row goes through the real Router and layer and
//! asserts its own status and business code.
//!
//! Items of the corpus that earlier tests already cover exactly, and that this file does not
//! repeat:
//!
//! | item | test |
//! |---|---|
//! | alg `none`, `None`, `nOnE`, each with an empty and a non-empty signature | `server_table::alg_none_is_invalid_token` |
//! | a valid token made with another secret | `server_table::bad_signature_is_invalid_token` |
//! | exp as the string `"soon"`, the float `1.5e9`, the number `1e30` | `server_table::bad_claims_are_invalid_token` |
//! | nbf in the future | `server_table::inconsistent_times_are_invalid_token` |
//! | a payload that is not JSON | `server_table::malformed_token_is_invalid_token` |
//! | a claim nested as deep as fits in 8 KiB, which reaches the JSON parsers | `server_robustness::nested_signed_claims_are_handled` |
//! | a lowercase or uppercase scheme | `server_table::scheme_is_case_insensitive` |
//! | two spaces after the scheme | `server_table::several_spaces_after_scheme_are_accepted` |
//! | a tab, a trailing space, an empty token, `Basic …`, a comma list | `server_table::malformed_header_is_invalid_request` |
//! | a repeated header | `server_table::repeated_headers_are_invalid_request` |
//!
//! Those tests send the header values straight to the Router. [`header_wire_corpus`] sends the
//! same header items as raw bytes to a loopback listener, where hyper parses them first.
//!
//! Every row here, and a rebuilt copy of each item above, is also a seed file of the fuzz targets
//! under `fuzz/corpus/`. [`fuzz_seeds_are_current`] fails when the files differ from the rows,
//! and `RENEW_FETCH_WRITE_SEEDS=1 cargo test --features server --test hardening_corpus` rewrites
//! them.
#![cfg(all(feature = "server", not(target_arch = "wasm32")))]

mod server_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use jsonwebtoken::{Algorithm, EncodingKey};
use renew_fetch::protocol::{Envelope, CODE_INVALID_TOKEN, CODE_SUCCESS, MAX_AUTHORIZATION_LEN};
use renew_fetch::server::{AuthConfig, Claims, ManualClock};
use serde_json::{json, Value};
use server_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A 2048-bit RSA key made with `openssl genrsa -traditional 2048` for this file only. It
/// protects nothing.
const RSA_PRIVATE_PEM: &str = "-----BEGIN RSA PRIVATE KEY-----
MIIEpQIBAAKCAQEAuGOfP2drEDgG5hXbHEcfQyfBzPusZ2+p9kzS7JcGWmtYKLX9
uFPskscTp6FCMIQ6yOnCwjpttNOKYlW5ehHmP4xig1gZ7zwsbN33Lj3wwx/vdP6b
ptKpXSXf8BWcB6ktNjflvS2fro5g28cF6ihJc3vOQSktcHRVOxILmt7EIpESg26J
twnExKgzE2vSPo+9piXi0sL1Sg4tKiF4DlZCjXSlEelNUNjYOxQuhOJCRyA5dTqV
rFFkYh+/gb5Cl+G2Ypa2U74vBvGAjVRAnMn1jkO+EhpkJ+0S7CESu5kXyU15mZCm
44JyLJC9sBTKEPl4/42oGgzU0jOi3WyWLYkxvQIDAQABAoIBABMjviQ79SxQEIFC
HAYdqNRU9GQ1bJIpEFyhYVSPIajxkwtYxr8jMP+UXAkurzrvgtWXlDCKlZgrTCZE
bTYLVRncFd653qlLVvYu/Skm406xyi6b/iatH8jsNUhLyfAuoqOJ3lZKfdSF8W5m
xImniGZNH936Kv4NCUrSJvO6s2O9+ybom5wsqZMCWDGEwn1F/cow8pNov+ywwObr
bv0tEMSEbARWDN77D0ZuQPMSMc8smd/Yxf2NY9YHMacRqaUAwjGIIoZbqlOmsFpP
m0OtSnF8CmGWyE0nhVPhVQZOnwv0hZIS9kERJv4DEs1W/xGXeS5lxrq/YcDkCgHW
Bq718dECgYEA/bFzQ7doeMtfUaE8M5odI8nO36w81PbHj3CwcWJZMlSQfXmhz8hD
K6PCOmaV64JnOOxqJbenPN6KK6WRRfPk3NonAzPXuXM0QRix9xsr2W2aWoaamT59
DU7RSoHv3Lac3F3V+8AYk5UzPYLbrYLbEzLBsfrwFJwCv21On3L0JlECgYEAuhDY
XBslwsozbqon3gNdg/FUW86c9MwCymfaOrQAhxHjWoxM5sxL3lc7ZdbGAdacTlSw
RKq2k7o5fr0bskiCImL9XNXG9FjMPA8wfrnT/oA/RakNhxU1yY7Mboius8ieUvtq
Rkiul6iR5o6tpsE4oE20yOpWwDhhpPIRZN5KPa0CgYEAscV7I+SNzLeWX7lAWliQ
Otfbo1kqd4FGbfllas6j+mTPq11kShnnF9l07T+dpp6GfpkL+Mos4rZ+0/79Qaua
oDguRkw5yrYz07neW24q1/25v926z8++CWlFt5Q95MgCO1l17Se7EQ/oDB56maes
pFNY78MMISUBt+p8wbbn50ECgYEAiR3w06+N3EZ2MI9kYc/JEnq92Aoi0KOnStHN
mIUd/mvIR+osocjcADX4p8vmj2RAO9ldLL1BXwxVYnip+HBGtmCMpeVEgL0PhRMM
gdcfyuVnu0YhmfKfeLGrJanEVOj7A9wTLUhSoaCwJF/wyHqL6FZba9SFqZHjI1Lg
Tp0hyOECgYEAgK+ELbdjpMU7ogE5XNroX9rXA7cRn/099Vbn+HwXbdrstECvXOIK
j8leuysB3qzwSY1MLmJcDOLqr9T3plQoMwjjrDAnApIgT1cIV9qfZXN3TU8oA6ip
Yrv6t17zUb/44Nu9gAzXTXQgwb/ezKLWiu1is88mvm8oknbSJGueH64=
-----END RSA PRIVATE KEY-----
";

/// The public half of [`RSA_PRIVATE_PEM`], as `openssl rsa -pubout` writes it.
const RSA_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuGOfP2drEDgG5hXbHEcf
QyfBzPusZ2+p9kzS7JcGWmtYKLX9uFPskscTp6FCMIQ6yOnCwjpttNOKYlW5ehHm
P4xig1gZ7zwsbN33Lj3wwx/vdP6bptKpXSXf8BWcB6ktNjflvS2fro5g28cF6ihJ
c3vOQSktcHRVOxILmt7EIpESg26JtwnExKgzE2vSPo+9piXi0sL1Sg4tKiF4DlZC
jXSlEelNUNjYOxQuhOJCRyA5dTqVrFFkYh+/gb5Cl+G2Ypa2U74vBvGAjVRAnMn1
jkO+EhpkJ+0S7CESu5kXyU15mZCm44JyLJC9sBTKEPl4/42oGgzU0jOi3WyWLYkx
vQIDAQAB
-----END PUBLIC KEY-----
";

/// A key that an attacker controls, for tokens that point the layer at another key.
const ATTACKER_KEY: &[u8] = b"attacker-controlled key, 32 bytes or more";

/// The audience of the rows that run with one configured.
const AUDIENCE: &str = "renew-fetch-api";

/// The longest seed file written for the fuzzers, in bytes. `scripts/fuzz.sh` passes the same
/// number as libFuzzer's `-max_len`, which would cut a longer seed anyway.
const MAX_SEED_LEN: usize = 16 * 1024;

/// The outcome a row expects from the layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// The handler runs and returns its success envelope.
    Pass,
    /// 400 with `error="invalid_request"` and the invalid-token code.
    InvalidRequest,
    /// 401 with `error="invalid_token"` and the invalid-token code.
    InvalidToken,
}

impl Expect {
    fn status(self) -> StatusCode {
        match self {
            Self::Pass => StatusCode::OK,
            Self::InvalidRequest => StatusCode::BAD_REQUEST,
            Self::InvalidToken => StatusCode::UNAUTHORIZED,
        }
    }

    fn code(self) -> i64 {
        match self {
            Self::Pass => CODE_SUCCESS,
            Self::InvalidRequest | Self::InvalidToken => CODE_INVALID_TOKEN,
        }
    }

    fn challenge(self) -> Option<&'static str> {
        match self {
            Self::Pass => None,
            Self::InvalidRequest => Some(r#"Bearer realm="renew-fetch", error="invalid_request""#),
            Self::InvalidToken => Some(r#"Bearer realm="renew-fetch", error="invalid_token""#),
        }
    }
}

/// One hostile request: the `Authorization` values it carries, and the expected outcome.
struct Row {
    name: String,
    authorization: Vec<Vec<u8>>,
    /// The header and payload JSON of a token signed with the test secret, for the fuzz seed
    /// that lets libFuzzer mutate the claims and still reach the claim checks.
    signed: Option<(String, String)>,
    expect: Expect,
}

impl Row {
    fn raw(name: impl Into<String>, authorization: &[u8], expect: Expect) -> Self {
        Self {
            name: name.into(),
            authorization: vec![authorization.to_vec()],
            signed: None,
            expect,
        }
    }

    fn token(name: impl Into<String>, token: &str, expect: Expect) -> Self {
        Self::raw(name, format!("Bearer {token}").as_bytes(), expect)
    }

    /// Builds a row whose token is the header and payload JSON signed with HMAC-SHA256 and
    /// `key`, whatever `alg` the header names.
    fn hmac(
        name: impl Into<String>,
        header_json: &str,
        payload_json: &str,
        key: &[u8],
        expect: Expect,
    ) -> Self {
        let mut row = Self::token(name, &jws(header_json, payload_json, key), expect);
        if key == SECRET {
            row.signed = Some((header_json.to_owned(), payload_json.to_owned()));
        }
        row
    }
}

/// Returns the claims of a well-formed token issued at [`T0`], with `changes` applied. A `null`
/// in `changes` removes the claim.
fn claims_with(changes: Value) -> Value {
    let mut claims = json!({
        "sub": "42", "username": "ada", "iat": T0, "exp": T0 + LIFETIME,
        "jti": "00112233445566778899aabbccddeeff", "auth_time": T0,
    });
    let object = claims
        .as_object_mut()
        .expect("the base claims are an object");
    for (name, value) in changes.as_object().expect("the changes are an object") {
        if value.is_null() {
            object.remove(name);
        } else {
            object.insert(name.clone(), value.clone());
        }
    }
    claims
}

/// Returns the claims of a well-formed token with `claim` set to raw JSON text, which `json!`
/// cannot write for numbers outside f64 and u64.
fn claims_with_raw(claim: &str, raw_json: &str) -> String {
    let mut claims = claims_with(json!({}));
    claims
        .as_object_mut()
        .expect("the base claims are an object")
        .remove(claim);
    let text = claims.to_string();
    format!(r#"{},"{claim}":{raw_json}}}"#, &text[..text.len() - 1])
}

fn valid_claims() -> String {
    claims_with(json!({})).to_string()
}

/// Decodes standard base64 with or without padding, as in a PEM body.
fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut bits, mut count) = (0u32, 0);
    for byte in text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
    {
        let value = ALPHABET
            .iter()
            .position(|&a| a == byte)
            .expect("the PEM body is base64");
        bits = (bits << 6) | value as u32;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

/// Signs a token with RS256 and [`RSA_PRIVATE_PEM`].
fn rs256(header_json: &str, payload_json: &str) -> String {
    let body: String = RSA_PRIVATE_PEM
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    let key = EncodingKey::from_rsa_der(&base64_decode(&body));
    let message = format!(
        "{}.{}",
        b64url(header_json.as_bytes()),
        b64url(payload_json.as_bytes())
    );
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::RS256)
        .expect("RS256 signing with the test key succeeds");
    format!("{message}.{signature}")
}

/// Builds `depth` nested JSON arrays.
fn nested_arrays(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

// --- Running rows through the Router. ---

/// Counts the requests that reached the handler.
#[derive(Clone, Default)]
struct HandlerCalls(Arc<AtomicUsize>);

impl HandlerCalls {
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Builds one protected route behind the layer, which returns a success envelope.
fn corpus_app(config: &AuthConfig, calls: &HandlerCalls) -> Router {
    let calls = calls.clone();
    Router::new()
        .route(
            "/api/profile",
            get(move |claims: Claims| async move {
                calls.0.fetch_add(1, Ordering::SeqCst);
                Json(Envelope::new(CODE_SUCCESS, "ok", Some(claims)))
            }),
        )
        .layer(config.layer())
}

fn request(authorization: &[Vec<u8>]) -> Request<Body> {
    let mut request = Request::get("/api/profile");
    for value in authorization {
        let value = HeaderValue::from_bytes(value).expect("a row's header value is valid");
        request = request.header(header::AUTHORIZATION, value);
    }
    request.body(Body::empty()).expect("the request builds")
}

/// Sends every row through a layer built from `config` and asserts its outcome.
async fn run_rows(table: &str, config: &AuthConfig, rows: &[Row]) {
    let calls = HandlerCalls::default();
    let app = corpus_app(config, &calls);
    for row in rows {
        let before = calls.get();
        let reply = send(&app, request(&row.authorization)).await;
        assert_row(&reply, calls.get() - before, row);
    }
    eprintln!("hardening corpus: {table}: {} rows passed", rows.len());
}

fn assert_row(reply: &Reply, handler_runs: usize, row: &Row) {
    let name = &row.name;
    let expect = row.expect;
    assert_eq!(
        reply.status,
        expect.status(),
        "{name}: expected status {}",
        expect.status()
    );
    assert_eq!(
        reply.code(),
        expect.code(),
        "{name}: expected business code {}",
        expect.code()
    );
    assert_eq!(
        reply.header("www-authenticate"),
        expect.challenge(),
        "{name}: expected challenge {:?}",
        expect.challenge()
    );
    let expected_runs = usize::from(expect == Expect::Pass);
    assert_eq!(
        handler_runs, expected_runs,
        "{name}: expected the handler to run {expected_runs} times"
    );
    assert!(
        reply.header("authorization").is_none(),
        "{name}: expected no renewed token"
    );
}

fn default_config() -> AuthConfig {
    setup().1
}

fn audience_config() -> AuthConfig {
    builder(&ManualClock::new(T0))
        .audience(AUDIENCE)
        .build()
        .expect("the audience config builds")
}

// --- The tables. ---

fn key_confusion_rows() -> Vec<Row> {
    let claims = valid_claims();
    let public_pem = RSA_PUBLIC_PEM.as_bytes();
    vec![
        Row::hmac(
            "HS256 signed with the RSA public key PEM as the HMAC secret",
            HS256_HEADER,
            &claims,
            public_pem,
            Expect::InvalidToken,
        ),
        Row::hmac(
            "HS256 signed with the public key PEM without its final newline",
            HS256_HEADER,
            &claims,
            RSA_PUBLIC_PEM.trim_end().as_bytes(),
            Expect::InvalidToken,
        ),
        Row::hmac(
            "RS256 header signed by HMAC with the public key PEM",
            r#"{"alg":"RS256","typ":"JWT"}"#,
            &claims,
            public_pem,
            Expect::InvalidToken,
        ),
        Row::token(
            "RS256 with a real RSA signature",
            &rs256(r#"{"alg":"RS256","typ":"JWT"}"#, &claims),
            Expect::InvalidToken,
        ),
        Row::token(
            "HS256 header over a real RSA signature",
            &rs256(HS256_HEADER, &claims),
            Expect::InvalidToken,
        ),
    ]
}

/// Header fields that name a key. The layer has one fixed HMAC secret, so it ignores `kid`,
/// `jku`, `x5u` and `jwk`: a token signed with the secret passes whatever they contain, and a token
/// signed with the key they point to is rejected.
fn header_field_rows(key_url: &str) -> Vec<Row> {
    let claims = valid_claims();
    let header = |fields: Value| {
        let mut header = json!({"alg": "HS256", "typ": "JWT"});
        for (name, value) in fields.as_object().expect("the fields are an object") {
            header[name] = value.clone();
        }
        header.to_string()
    };
    let path_kid = header(json!({"kid": "../../../../../../dev/null"}));
    let sql_kid = header(json!({"kid": "x' UNION SELECT 'attacker-controlled key' --"}));
    let jku = header(json!({"jku": format!("{key_url}/jwks.json")}));
    let x5u = header(json!({"x5u": format!("{key_url}/cert.pem")}));
    let jwk = header(json!({"jwk": {"kty": "oct", "k": b64url(ATTACKER_KEY)}}));
    vec![
        Row::hmac(
            "kid holding a path, signed with the secret",
            &path_kid,
            &claims,
            SECRET,
            Expect::Pass,
        ),
        Row::hmac(
            "kid holding a path, signed with the empty key",
            &path_kid,
            &claims,
            b"",
            Expect::InvalidToken,
        ),
        Row::hmac(
            "kid holding SQL, signed with the secret",
            &sql_kid,
            &claims,
            SECRET,
            Expect::Pass,
        ),
        Row::hmac(
            "kid holding SQL, signed with the key the SQL selects",
            &sql_kid,
            &claims,
            ATTACKER_KEY,
            Expect::InvalidToken,
        ),
        Row::hmac(
            "kid as a number",
            &header(json!({"kid": 7})),
            &claims,
            SECRET,
            Expect::InvalidToken,
        ),
        Row::hmac(
            "jku present, signed with the secret",
            &jku,
            &claims,
            SECRET,
            Expect::Pass,
        ),
        Row::hmac(
            "jku present, signed with the key it points to",
            &jku,
            &claims,
            ATTACKER_KEY,
            Expect::InvalidToken,
        ),
        Row::hmac(
            "x5u present, signed with the secret",
            &x5u,
            &claims,
            SECRET,
            Expect::Pass,
        ),
        Row::hmac(
            "x5u present, signed with the key it points to",
            &x5u,
            &claims,
            ATTACKER_KEY,
            Expect::InvalidToken,
        ),
        Row::hmac(
            "embedded jwk, signed with the secret",
            &jwk,
            &claims,
            SECRET,
            Expect::Pass,
        ),
        Row::hmac(
            "embedded jwk, signed with the embedded key",
            &jwk,
            &claims,
            ATTACKER_KEY,
            Expect::InvalidToken,
        ),
    ]
}

fn exp_rows() -> Vec<Row> {
    let row = |name: &str, exp: Value, expect| {
        Row::hmac(
            name,
            HS256_HEADER,
            &claims_with(json!({ "exp": exp })).to_string(),
            SECRET,
            expect,
        )
    };
    let raw = |name: &str, exp: &str, expect| {
        Row::hmac(
            name,
            HS256_HEADER,
            &claims_with_raw("exp", exp),
            SECRET,
            expect,
        )
    };
    vec![
        row(
            "exp as a numeric string",
            json!((T0 + LIFETIME).to_string()),
            Expect::InvalidToken,
        ),
        raw("exp null", "null", Expect::InvalidToken),
        row("exp true", json!(true), Expect::InvalidToken),
        row(
            "exp a float with a fraction",
            json!((T0 + LIFETIME) as f64 + 0.5),
            Expect::InvalidToken,
        ),
        raw(
            "exp a float with no fraction",
            &format!("{}.0", T0 + LIFETIME),
            Expect::InvalidToken,
        ),
        raw(
            "exp 2^64, one past u64",
            "18446744073709551616",
            Expect::InvalidToken,
        ),
        raw("exp 1e400, past f64", "1e400", Expect::InvalidToken),
        raw(
            "exp with 400 digits",
            &"9".repeat(400),
            Expect::InvalidToken,
        ),
        row("exp zero, before iat", json!(0), Expect::InvalidToken),
        // A huge exp that fits u64 is a well-formed claim. The layer still counts the token's
        // life from its iat, as `huge_exp_lives_one_lifetime` shows.
        row("exp u64::MAX", json!(u64::MAX), Expect::Pass),
    ]
}

fn audience_rows(configured: bool) -> Vec<Row> {
    let with = if configured {
        "with an audience"
    } else {
        "without an audience"
    };
    let row = |name: &str, aud: Value, expect| {
        Row::hmac(
            format!("aud {name}, {with}"),
            HS256_HEADER,
            &claims_with(json!({ "aud": aud })).to_string(),
            SECRET,
            expect,
        )
    };
    let mut rows = vec![
        row("[] (an empty array)", json!([]), Expect::InvalidToken),
        row(
            r#"[""] (an array of the empty string)"#,
            json!([""]),
            Expect::InvalidToken,
        ),
        row("a number", json!(7), Expect::InvalidToken),
        row("a float", json!(7.5), Expect::InvalidToken),
        row("the empty string", json!(""), Expect::InvalidToken),
        row("an object", json!({"aud": AUDIENCE}), Expect::InvalidToken),
    ];
    if configured {
        rows.extend([
            row("the configured string", json!(AUDIENCE), Expect::Pass),
            row("another string", json!("other-api"), Expect::InvalidToken),
            // RFC 7519 allows an array that contains the audience.
            row(
                "an array holding the configured one",
                json!([AUDIENCE]),
                Expect::Pass,
            ),
            row(
                "an array holding another and the configured one",
                json!(["other-api", AUDIENCE]),
                Expect::Pass,
            ),
            row(
                "an array holding only others",
                json!(["other-api", "third-api"]),
                Expect::InvalidToken,
            ),
            row(
                "an array holding the configured one and a number",
                json!([AUDIENCE, 7]),
                Expect::InvalidToken,
            ),
            Row::hmac(
                format!("aud missing, {with}"),
                HS256_HEADER,
                &valid_claims(),
                SECRET,
                Expect::InvalidToken,
            ),
        ]);
    } else {
        rows.push(row("a string", json!(AUDIENCE), Expect::InvalidToken));
    }
    rows
}

fn size_rows() -> Vec<Row> {
    // 10,000 nested arrays are 20,000 bytes of JSON, about 26.7 KB in base64url, so the 8 KiB
    // header limit rejects them before any parsing.
    let deep_claim = claims_with_raw("deep", &nested_arrays(10_000));
    let deep_header = format!(r#"{{"alg":"HS256","x":{}}}"#, nested_arrays(10_000));
    let at_limit = ".".repeat(MAX_AUTHORIZATION_LEN - "Bearer ".len());
    vec![
        Row::hmac(
            "a claim nested 10,000 arrays deep",
            HS256_HEADER,
            &deep_claim,
            SECRET,
            Expect::InvalidRequest,
        ),
        Row::hmac(
            "a header field nested 10,000 arrays deep",
            &deep_header,
            &valid_claims(),
            SECRET,
            Expect::InvalidRequest,
        ),
        Row::token(
            "Bearer and 1 MB of dots",
            &".".repeat(1024 * 1024),
            Expect::InvalidRequest,
        ),
        Row::token(
            "Bearer and dots up to the 8 KiB limit",
            &at_limit,
            Expect::InvalidToken,
        ),
        Row::token("Bearer and two dots", "..", Expect::InvalidToken),
    ]
}

fn payload_rows() -> Vec<Row> {
    let header = b64url(HS256_HEADER.as_bytes());
    // A run of '?' (0x3f) encodes to '_' in base64url, so the standard alphabet differs.
    let payload = b64url(
        claims_with(json!({"username": "ada??????"}))
            .to_string()
            .as_bytes(),
    );
    assert!(
        payload.contains(['-', '_']),
        "expected a payload with base64url-only characters"
    );
    let signature = |message: &str| b64url(&hmac_sha256(SECRET, message.as_bytes()));
    let signed = |header: &str, payload: &str| {
        let message = format!("{header}.{payload}");
        format!("{message}.{}", signature(&message))
    };
    let duplicate_exp = format!(
        r#"{{"sub":"42","username":"ada","iat":{T0},"exp":{},"exp":{},"jti":"j","auth_time":{T0}}}"#,
        T0 + LIFETIME,
        T0 + 30 * DAY
    );
    vec![
        Row::token(
            "payload of binary bytes",
            &signed(&header, &b64url(&[0xff, 0xfe, 0x00, 0x80, 0x7b])),
            Expect::InvalidToken,
        ),
        Row::token(
            "payload in standard base64 with + and /",
            &signed(&header, &payload.replace('-', "+").replace('_', "/")),
            Expect::InvalidToken,
        ),
        // token68 allows '=' only at the end, so padding inside the token fails the header
        // parser.
        Row::token(
            "payload with base64 padding",
            &signed(&header, &format!("{payload}==")),
            Expect::InvalidRequest,
        ),
        Row::token(
            "signature with base64 padding",
            &format!("{}=", signed(&header, &payload)),
            Expect::InvalidToken,
        ),
        Row::hmac(
            "payload with a byte order mark",
            HS256_HEADER,
            &format!("\u{feff}{}", valid_claims()),
            SECRET,
            Expect::InvalidToken,
        ),
        Row::hmac(
            "payload with text after the JSON",
            HS256_HEADER,
            &format!("{}xyz", valid_claims()),
            SECRET,
            Expect::InvalidToken,
        ),
        Row::hmac(
            "payload with exp twice",
            HS256_HEADER,
            &duplicate_exp,
            SECRET,
            Expect::InvalidToken,
        ),
    ]
}

/// Rebuilds the items that the `server_table` tests cover, for the fuzz seeds only.
fn seed_only_rows() -> Vec<Row> {
    let claims = valid_claims();
    let good = jws(HS256_HEADER, &claims, SECRET);
    let mut rows = Vec::new();
    for alg in ["none", "None", "nOnE"] {
        let header = format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#);
        let unsigned = format!(
            "{}.{}.",
            b64url(header.as_bytes()),
            b64url(claims.as_bytes())
        );
        rows.push(Row::token(
            format!("alg {alg}, empty signature"),
            &unsigned,
            Expect::InvalidToken,
        ));
        rows.push(Row::hmac(
            format!("alg {alg}, HMAC signature"),
            &header,
            &claims,
            SECRET,
            Expect::InvalidToken,
        ));
    }
    rows.push(Row::hmac(
        "valid token made with another secret",
        HS256_HEADER,
        &claims,
        b"another secret that is 32 bytes long",
        Expect::InvalidToken,
    ));
    rows.push(Row::hmac(
        "nbf in the future",
        HS256_HEADER,
        &claims_with(json!({"nbf": T0 + 61})).to_string(),
        SECRET,
        Expect::InvalidToken,
    ));
    rows.push(Row::hmac(
        "payload not JSON",
        HS256_HEADER,
        "not json",
        SECRET,
        Expect::InvalidToken,
    ));
    rows.extend(
        header_rows(&good)
            .into_iter()
            .filter(|header| header.covered_elsewhere)
            .map(|header| header.row),
    );
    rows
}

/// A header item: the row as the Router reads it, and the outcome over the wire.
struct HeaderRow {
    row: Row,
    /// The outcome when hyper parses the request from a socket first. hyper drops the optional
    /// whitespace around a field value (RFC 9110 §5.5), so a leading or trailing space or tab
    /// that the Router rejects is gone before the layer reads the header.
    wire: Expect,
    /// Whether a `server_table` test already sends this item straight to the Router.
    covered_elsewhere: bool,
}

/// Builds the header items, each with its outcome straight to the Router and over the wire.
fn header_rows(token: &str) -> Vec<HeaderRow> {
    let value = |text: String| text.into_bytes();
    let rows: Vec<(&str, Vec<Vec<u8>>, Expect, Expect)> = vec![
        // (name, values, straight to the Router, over the wire)
        (
            "lowercase scheme",
            vec![value(format!("bearer {token}"))],
            Expect::Pass,
            Expect::Pass,
        ),
        (
            "uppercase scheme",
            vec![value(format!("BEARER {token}"))],
            Expect::Pass,
            Expect::Pass,
        ),
        (
            "two spaces",
            vec![value(format!("Bearer  {token}"))],
            Expect::Pass,
            Expect::Pass,
        ),
        (
            "a tab after the scheme",
            vec![value(format!("Bearer\t{token}"))],
            Expect::InvalidRequest,
            Expect::InvalidRequest,
        ),
        (
            "a trailing space",
            vec![value(format!("Bearer {token} "))],
            Expect::InvalidRequest,
            Expect::Pass,
        ),
        (
            "a trailing tab",
            vec![value(format!("Bearer {token}\t"))],
            Expect::InvalidRequest,
            Expect::Pass,
        ),
        (
            "a leading space",
            vec![value(format!(" Bearer {token}"))],
            Expect::InvalidRequest,
            Expect::Pass,
        ),
        (
            "an empty token",
            vec![b"Bearer ".to_vec()],
            Expect::InvalidRequest,
            Expect::InvalidRequest,
        ),
        (
            "an empty value",
            vec![Vec::new()],
            Expect::InvalidRequest,
            Expect::InvalidRequest,
        ),
        (
            "Basic credentials",
            vec![b"Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ=".to_vec()],
            Expect::InvalidRequest,
            Expect::InvalidRequest,
        ),
        (
            "a comma list",
            vec![value(format!("Bearer {token}, Bearer {token}"))],
            Expect::InvalidRequest,
            Expect::InvalidRequest,
        ),
        (
            "a comma list of Basic and Bearer",
            vec![value(format!("Basic YWxpY2U6eA==, Bearer {token}"))],
            Expect::InvalidRequest,
            Expect::InvalidRequest,
        ),
        (
            "a repeated header",
            vec![
                value(format!("Bearer {token}")),
                value(format!("Bearer {token}")),
            ],
            Expect::InvalidRequest,
            Expect::InvalidRequest,
        ),
        (
            "a repeated header, the second empty",
            vec![value(format!("Bearer {token}")), Vec::new()],
            Expect::InvalidRequest,
            Expect::InvalidRequest,
        ),
        (
            "Bearer and 16 KiB of dots",
            vec![value(format!("Bearer {}", ".".repeat(16 * 1024)))],
            Expect::InvalidRequest,
            Expect::InvalidRequest,
        ),
    ];
    const COVERED: [&str; 9] = [
        "lowercase scheme",
        "uppercase scheme",
        "two spaces",
        "a tab after the scheme",
        "a trailing space",
        "an empty token",
        "Basic credentials",
        "a comma list",
        "a repeated header",
    ];
    rows.into_iter()
        .map(|(name, authorization, direct, wire)| HeaderRow {
            row: Row {
                name: format!("header with {name}"),
                authorization,
                signed: None,
                expect: direct,
            },
            wire,
            covered_elsewhere: COVERED.contains(&name),
        })
        .collect()
}

// --- The tests. ---

#[tokio::test]
async fn header_corpus() {
    let token = jws(HS256_HEADER, &valid_claims(), SECRET);
    let rows: Vec<Row> = header_rows(&token)
        .into_iter()
        .filter(|header| !header.covered_elsewhere)
        .map(|header| header.row)
        .collect();
    run_rows("header items", &default_config(), &rows).await;
}

#[tokio::test]
async fn key_confusion_corpus() {
    run_rows("key confusion", &default_config(), &key_confusion_rows()).await;
}

#[tokio::test]
async fn header_field_corpus() {
    // The key URLs point at a loopback listener that must see no connection, which shows that
    // the layer never fetches a key.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port binds");
    listener
        .set_nonblocking(true)
        .expect("the listener turns non-blocking");
    let key_url = format!(
        "http://{}",
        listener.local_addr().expect("the listener has an address")
    );
    run_rows(
        "header fields",
        &default_config(),
        &header_field_rows(&key_url),
    )
    .await;
    let accepted = listener.accept();
    assert!(
        matches!(&accepted, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "expected no connection to the jku or x5u address, got {accepted:?}"
    );
}

#[tokio::test]
async fn exp_type_corpus() {
    run_rows("exp types", &default_config(), &exp_rows()).await;
}

#[tokio::test]
async fn huge_exp_lives_one_lifetime() {
    let clock = ManualClock::new(T0);
    let config = builder(&clock).build().expect("the config builds");
    let app = app(&config, &Calls::default());
    let token = jws(
        HS256_HEADER,
        &claims_with(json!({"exp": u64::MAX})).to_string(),
        SECRET,
    );
    // The layer counts the token's life from its iat, as if exp were iat plus the lifetime.
    clock.set(T0 + LIFETIME - WINDOW - 1);
    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "exp u64::MAX passes before the window"
    );
    assert_eq!(
        reply.header("authorization"),
        None,
        "no renewal before the window"
    );
    clock.set(T0 + LIFETIME - MIN);
    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "exp u64::MAX passes in the window"
    );
    assert_eq!(
        claims_of(&reply.renewed()).exp,
        T0 + LIFETIME - MIN + LIFETIME,
        "the renewed token has an exp of one lifetime"
    );
    clock.set(T0 + LIFETIME + MIN);
    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "overdue after one lifetime"
    );
    assert_eq!(reply.code(), 401, "the overdue code");
    clock.set(T0 + LIFETIME + GRACE + 1);
    let reply = send(&app, get_with("/api/profile", &token)).await;
    assert_eq!(
        reply.code(),
        CODE_INVALID_TOKEN,
        "invalid past the grace period"
    );
    eprintln!("hardening corpus: huge exp lives one lifetime: 4 checks passed");
}

#[tokio::test]
async fn audience_corpus_without_audience() {
    run_rows(
        "aud without an audience",
        &default_config(),
        &audience_rows(false),
    )
    .await;
}

#[tokio::test]
async fn audience_corpus_with_audience() {
    run_rows(
        "aud with an audience",
        &audience_config(),
        &audience_rows(true),
    )
    .await;
}

#[tokio::test]
async fn size_corpus() {
    run_rows("sizes", &default_config(), &size_rows()).await;
}

#[tokio::test]
async fn payload_corpus() {
    run_rows("payloads", &default_config(), &payload_rows()).await;
}

/// Sends a raw HTTP/1.1 request to `addr` and returns the status and the body.
async fn send_raw(addr: std::net::SocketAddr, head: &[u8]) -> (u16, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("the loopback server accepts");
    stream.write_all(head).await.expect("the request is sent");
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .expect("the response is read");
    let text = String::from_utf8_lossy(&response);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("expected an HTTP status line, got {text:?}"));
    let body = match response.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(end) => response[end + 4..].to_vec(),
        None => Vec::new(),
    };
    (status, body)
}

#[tokio::test]
async fn header_wire_corpus() {
    let (_clock, config) = setup();
    let calls = HandlerCalls::default();
    let app = corpus_app(&config, &calls);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port binds");
    let addr = listener.local_addr().expect("the listener has an address");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let token = jws(HS256_HEADER, &valid_claims(), SECRET);
    let rows = header_rows(&token);
    for HeaderRow { row, wire, .. } in &rows {
        let mut head =
            b"GET /api/profile HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n".to_vec();
        for value in &row.authorization {
            head.extend_from_slice(b"Authorization: ");
            head.extend_from_slice(value);
            head.extend_from_slice(b"\r\n");
        }
        head.extend_from_slice(b"\r\n");
        let before = calls.get();
        let (status, body) = send_raw(addr, &head).await;
        let name = &row.name;
        assert_eq!(
            status,
            wire.status().as_u16(),
            "{name} over the wire: expected status {}",
            wire.status()
        );
        let envelope: Value = serde_json::from_slice(&body)
            .unwrap_or_else(|e| panic!("{name} over the wire: expected a JSON envelope ({e})"));
        assert_eq!(
            envelope["code"],
            wire.code(),
            "{name} over the wire: expected business code {}",
            wire.code()
        );
        let expected_runs = usize::from(*wire == Expect::Pass);
        assert_eq!(
            calls.get() - before,
            expected_runs,
            "{name} over the wire: expected the handler to run {expected_runs} times"
        );
    }

    // hyper rejects these with its own 400 before the layer reads them.
    for (name, line) in [
        (
            "a folded header line",
            format!("Authorization: Bearer\r\n {token}\r\n"),
        ),
        (
            "a NUL byte in the value",
            format!("Authorization: Bearer {token}\0\r\n"),
        ),
    ] {
        let head = format!(
            "GET /api/profile HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{line}\r\n"
        );
        let before = calls.get();
        let (status, _body) = send_raw(addr, head.as_bytes()).await;
        assert_eq!(status, 400, "{name} over the wire: expected hyper's 400");
        assert_eq!(
            calls.get(),
            before,
            "{name} over the wire: expected the handler not to run"
        );
    }
    server.abort();
    eprintln!(
        "hardening corpus: header items over the wire: {} rows passed",
        rows.len() + 2
    );
}

// --- The fuzz seeds. ---

/// Builds every seed file, by path under `fuzz/corpus/`.
fn seed_files() -> BTreeMap<PathBuf, Vec<u8>> {
    let mut rows = key_confusion_rows();
    rows.extend(header_field_rows("http://127.0.0.1:9"));
    rows.extend(exp_rows());
    rows.extend(audience_rows(false));
    rows.extend(audience_rows(true));
    rows.extend(size_rows());
    rows.extend(payload_rows());
    rows.extend(seed_only_rows());

    let mut files = BTreeMap::new();
    for row in &rows {
        let slug: String = row
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let slug = slug
            .split('-')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let mut bearer = row.authorization[0].clone();
        bearer.truncate(MAX_SEED_LEN);
        let fresh = files.insert(Path::new("bearer_header").join(&slug), bearer);
        assert!(
            fresh.is_none(),
            "expected a unique seed name for {:?}",
            row.name
        );

        let mut raw = b"H".to_vec();
        raw.extend(row.authorization.join(&b'\n'));
        raw.truncate(MAX_SEED_LEN);
        files.insert(Path::new("verify_renew").join(&slug), raw);

        if let Some((header_json, payload_json)) = &row.signed {
            let mut signed = format!("S{header_json}\n{payload_json}").into_bytes();
            signed.truncate(MAX_SEED_LEN);
            files.insert(
                Path::new("verify_renew").join(format!("{slug}-signed")),
                signed,
            );
        }
    }
    // Signed tokens at the clock's start time that the layer renews.
    for (name, iat, exp) in [
        (
            "signed-token-in-the-renewal-window",
            T0 - 100 * MIN,
            T0 + 20 * MIN,
        ),
        (
            "signed-token-expired-within-the-grace-period",
            T0 - LIFETIME - 5 * MIN,
            T0 - 5 * MIN,
        ),
    ] {
        let claims = claims_with(json!({"iat": iat, "exp": exp, "auth_time": T0 - DAY}));
        files.insert(
            Path::new("verify_renew").join(name),
            format!("S{HS256_HEADER}\n{claims}").into_bytes(),
        );
    }
    // Renewal sessions: each byte is one request after that many 2-minute clock steps, and the
    // high bit sends the login token again.
    for (name, steps) in [
        ("session-renews-in-the-window", vec![46u8, 1, 1, 46, 1]),
        ("session-overdue-then-replay", vec![61u8, 0, 61, 0]),
        ("session-past-the-grace-period", vec![66u8, 0]),
        (
            "session-reuses-the-login-token",
            vec![46u8, 0x80 | 1, 0x80 | 8],
        ),
        ("session-runs-into-the-cap", vec![55u8; 24]),
    ] {
        let mut seed = b"R".to_vec();
        seed.extend(steps);
        files.insert(Path::new("verify_renew").join(name), seed);
    }
    files
}

#[test]
fn fuzz_seeds_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let files = seed_files();
    if std::env::var_os("RENEW_FETCH_WRITE_SEEDS").is_some() {
        for (path, bytes) in &files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().expect("a seed path has a folder"))
                .expect("the seed folder is created");
            std::fs::write(&path, bytes).expect("the seed file is written");
        }
    }
    let stale: Vec<String> = files
        .iter()
        .filter(|(path, bytes)| std::fs::read(root.join(path)).ok().as_ref() != Some(*bytes))
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(
        stale.is_empty(),
        "expected the fuzz seeds under fuzz/corpus to match the corpus rows, but {} of {} are \
         missing or differ, such as {:?}. Rewrite them with RENEW_FETCH_WRITE_SEEDS=1 cargo test \
         --features server --test hardening_corpus fuzz_seeds_are_current",
        stale.len(),
        files.len(),
        stale.first()
    );
    eprintln!("hardening corpus: {} fuzz seed files current", files.len());
}
