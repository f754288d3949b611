//! Fuzzes the `Authorization` header parser of the layer with arbitrary bytes.
//!
//! Beyond "no panic", every accepted value must be `<Bearer in any case>`, one or more spaces
//! and a token68, and the returned token must be the value after those spaces.
#![no_main]

use libfuzzer_sys::fuzz_target;
use renew_fetch::protocol::MAX_AUTHORIZATION_LEN;
use renew_fetch::server::fuzzing::parse_bearer;

fuzz_target!(|value: &[u8]| {
    let Ok(token) = parse_bearer(value) else {
        return;
    };
    assert!(
        value.len() <= MAX_AUTHORIZATION_LEN,
        "accepted a value of {} bytes, over the limit",
        value.len()
    );
    assert!(
        value.len() > 7 && value[..7].eq_ignore_ascii_case(b"bearer "),
        "accepted a value whose scheme is not Bearer"
    );
    let spaces = value[7..].iter().take_while(|&&b| b == b' ').count();
    assert_eq!(
        token.as_bytes(),
        &value[7 + spaces..],
        "the token is not the rest of the value after the scheme and its spaces"
    );
    let body_len = token
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)))
        .unwrap_or(token.len());
    assert!(body_len > 0, "accepted a token with no token68 characters");
    assert!(
        token.as_bytes()[body_len..].iter().all(|&b| b == b'='),
        "accepted a token with a character outside token68"
    );
});
