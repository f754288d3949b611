//! The strict parser of the `Authorization: Bearer <token>` request header (RFC 6750 §2.1).
//!
//! It follows the grammar `credentials = "Bearer" 1*SP b64token`: the scheme in any case, one
//! or more spaces, then one token68 and nothing after it.

use std::fmt;

use http::header::AUTHORIZATION;
use http::HeaderMap;

use super::token::MAX_TOKEN_LEN;
use crate::protocol::{BEARER_SCHEME, MAX_AUTHORIZATION_LEN};

/// The reason a request carries no usable bearer token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BearerError {
    /// No `Authorization` header at all.
    Missing,
    /// More than one `Authorization` header.
    Repeated,
    /// The header is longer than [`MAX_AUTHORIZATION_LEN`]. Nothing else was parsed.
    TooLong,
    /// The header contains a byte outside visible ASCII and space (a tab, obs-text, non-UTF-8).
    NotVisibleAscii,
    /// The header is not `<scheme> <credentials>` with the scheme `Bearer` in any case.
    ///
    /// Another scheme such as `Basic` gets 400 `invalid_request` too. RFC 6750 §3.1 allows the
    /// bare challenge for an unsupported scheme, but this layer reports a header that is present
    /// and unusable as a malformed request.
    NotBearer,
    /// The credentials are empty or not strict token68 (`[A-Za-z0-9-._~+/]+=*`), which also
    /// catches a space inside or after the token and a comma list.
    NotToken68,
}

impl BearerError {
    /// Returns a short reason for the log.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::Missing => "no Authorization header",
            Self::Repeated => "repeated Authorization header",
            Self::TooLong => "Authorization header over the size limit",
            Self::NotVisibleAscii => "Authorization header is not visible ASCII",
            Self::NotBearer => "Authorization scheme is not Bearer",
            Self::NotToken68 => "bearer credentials are not a single token68",
        }
    }
}

impl fmt::Display for BearerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

/// Returns the bearer token of a request, or why there is none.
///
/// Repeated headers are rejected before anything else, and an oversized header before any
/// parsing.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Result<&str, BearerError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next().ok_or(BearerError::Missing)?;
    if values.next().is_some() {
        return Err(BearerError::Repeated);
    }
    parse_bearer(value.as_bytes())
}

/// Parses one `Authorization` header value as exactly `Bearer`, one or more spaces, and one
/// token68.
pub(crate) fn parse_bearer(value: &[u8]) -> Result<&str, BearerError> {
    if value.len() > MAX_AUTHORIZATION_LEN {
        return Err(BearerError::TooLong);
    }
    if !all_bytes(value, |b| (0x20..=0x7e).contains(&b)) {
        return Err(BearerError::NotVisibleAscii);
    }
    let space = value
        .iter()
        .position(|&b| b == b' ')
        .ok_or(BearerError::NotBearer)?;
    let (scheme, rest) = (&value[..space], &value[space..]);
    if !scheme.eq_ignore_ascii_case(BEARER_SCHEME.as_bytes()) {
        return Err(BearerError::NotBearer);
    }
    let spaces = rest.iter().take_while(|&&b| b == b' ').count();
    let rest = &rest[spaces..];
    if !is_token68(rest) {
        return Err(BearerError::NotToken68);
    }
    // Every byte is visible ASCII, so this conversion cannot fail. The error is mapped anyway
    // because nothing on this path unwraps.
    std::str::from_utf8(rest).map_err(|_| BearerError::NotVisibleAscii)
}

/// Checks a token given without the header around it, as [`parse_bearer`] checks the token part
/// of a header value.
pub(crate) fn parse_token(token: &str) -> Result<&str, BearerError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(BearerError::TooLong);
    }
    if !is_token68(token.as_bytes()) {
        return Err(BearerError::NotToken68);
    }
    Ok(token)
}

/// Checks that `s` is token68: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
///
/// Because `=` is not a token68 character, this strips the trailing run of `=` and checks that a
/// non-empty rest of token68 characters remains.
fn is_token68(s: &[u8]) -> bool {
    let padding = s.iter().rev().take_while(|&&b| b == b'=').count();
    let body = &s[..s.len() - padding];
    !body.is_empty() && all_bytes(body, is_token68_char)
}

fn is_token68_char(b: u8) -> bool {
    // `|` rather than `||` keeps the check free of branches, so the loop in `all_bytes` vectorizes.
    b.is_ascii_alphanumeric()
        | (b == b'-')
        | (b == b'.')
        | (b == b'_')
        | (b == b'~')
        | (b == b'+')
        | (b == b'/')
}

/// Checks that every byte of `bytes` satisfies `accept`.
///
/// Unlike `Iterator::all` it has no early exit, so the compiler can vectorize the loop. A header
/// value is at most [`MAX_AUTHORIZATION_LEN`] bytes, so reading all of it costs little.
fn all_bytes(bytes: &[u8], accept: impl Fn(u8) -> bool) -> bool {
    bytes.iter().fold(true, |ok, &b| ok & accept(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";

    fn parse(value: &str) -> Result<&str, BearerError> {
        parse_bearer(value.as_bytes())
    }

    #[test]
    fn accepts_canonical_scheme() {
        assert_eq!(parse(&format!("Bearer {JWT}")), Ok(JWT), "canonical Bearer");
    }

    #[test]
    fn accepts_lowercase_scheme() {
        assert_eq!(parse(&format!("bearer {JWT}")), Ok(JWT), "lowercase scheme");
    }

    #[test]
    fn accepts_uppercase_scheme() {
        assert_eq!(parse(&format!("BEARER {JWT}")), Ok(JWT), "uppercase scheme");
    }

    #[test]
    fn accepts_token68_punctuation_and_padding() {
        assert_eq!(
            parse("Bearer a-._~+/Z9=="),
            Ok("a-._~+/Z9=="),
            "all token68 chars"
        );
    }

    #[test]
    fn accepts_several_spaces_after_scheme() {
        assert_eq!(
            parse(&format!("Bearer  {JWT}")),
            Ok(JWT),
            "two spaces, which RFC 6750's 1*SP allows"
        );
        assert_eq!(parse(&format!("Bearer     {JWT}")), Ok(JWT), "five spaces");
        assert_eq!(
            parse("Bearer  "),
            Err(BearerError::NotToken68),
            "spaces and no token"
        );
    }

    #[test]
    fn rejects_space_inside_token() {
        assert_eq!(
            parse(&format!("Bearer {JWT} {JWT}")),
            Err(BearerError::NotToken68),
            "two tokens"
        );
    }

    #[test]
    fn rejects_tab_separator() {
        assert_eq!(
            parse(&format!("Bearer\t{JWT}")),
            Err(BearerError::NotVisibleAscii),
            "tab"
        );
    }

    #[test]
    fn rejects_trailing_space() {
        assert_eq!(
            parse(&format!("Bearer {JWT} ")),
            Err(BearerError::NotToken68),
            "trailing space"
        );
    }

    #[test]
    fn rejects_leading_space() {
        assert_eq!(
            parse(&format!(" Bearer {JWT}")),
            Err(BearerError::NotBearer),
            "leading space"
        );
    }

    #[test]
    fn rejects_empty_token() {
        assert_eq!(
            parse("Bearer "),
            Err(BearerError::NotToken68),
            "scheme and space only"
        );
        assert_eq!(parse("Bearer"), Err(BearerError::NotBearer), "scheme only");
        assert_eq!(parse(""), Err(BearerError::NotBearer), "empty value");
    }

    #[test]
    fn rejects_basic_scheme() {
        assert_eq!(
            parse("Basic dXNlcjpwYXNz"),
            Err(BearerError::NotBearer),
            "Basic"
        );
    }

    #[test]
    fn rejects_raw_token_without_scheme() {
        assert_eq!(parse(JWT), Err(BearerError::NotBearer), "raw token");
    }

    #[test]
    fn rejects_comma_list() {
        assert_eq!(
            parse(&format!("Bearer {JWT}, Bearer {JWT}")),
            Err(BearerError::NotToken68),
            "comma list of credentials"
        );
        assert_eq!(
            parse(&format!("Bearer {JWT},")),
            Err(BearerError::NotToken68),
            "trailing comma"
        );
    }

    #[test]
    fn rejects_padding_in_the_middle() {
        assert_eq!(
            parse("Bearer ab=cd"),
            Err(BearerError::NotToken68),
            "'=' before the end"
        );
        assert_eq!(
            parse("Bearer ===="),
            Err(BearerError::NotToken68),
            "padding only"
        );
    }

    #[test]
    fn rejects_over_8_kib_before_parsing() {
        let long = format!("Bearer {}", "a".repeat(MAX_AUTHORIZATION_LEN));
        assert_eq!(parse(&long), Err(BearerError::TooLong), "over the limit");
        let mut garbage = vec![0xffu8; MAX_AUTHORIZATION_LEN + 1];
        garbage[0] = b'\t';
        assert_eq!(
            parse_bearer(&garbage),
            Err(BearerError::TooLong),
            "length checked first"
        );
    }

    #[test]
    fn accepts_exactly_8_kib() {
        let token = "a".repeat(MAX_AUTHORIZATION_LEN - "Bearer ".len());
        let value = format!("Bearer {token}");
        assert_eq!(
            value.len(),
            MAX_AUTHORIZATION_LEN,
            "test value is at the limit"
        );
        assert_eq!(
            parse(&value),
            Ok(token.as_str()),
            "at the limit is accepted"
        );
    }

    #[test]
    fn rejects_non_ascii() {
        assert_eq!(
            parse_bearer("Bearer tök".as_bytes()),
            Err(BearerError::NotVisibleAscii),
            "UTF-8 outside ASCII"
        );
        assert_eq!(
            parse_bearer(b"Bearer t\xffk"),
            Err(BearerError::NotVisibleAscii),
            "non-UTF-8 byte"
        );
        assert_eq!(
            parse_bearer(b"Bearer t\x7fk"),
            Err(BearerError::NotVisibleAscii),
            "DEL"
        );
    }

    #[test]
    fn header_map_missing_and_repeated() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            bearer_token(&headers),
            Err(BearerError::Missing),
            "no header"
        );
        let value = HeaderValue::from_str(&format!("Bearer {JWT}")).expect("valid header value");
        headers.append(AUTHORIZATION, value.clone());
        assert_eq!(bearer_token(&headers), Ok(JWT), "one header");
        headers.append(AUTHORIZATION, value);
        assert_eq!(
            bearer_token(&headers),
            Err(BearerError::Repeated),
            "two headers"
        );
    }
}
