//! The wire protocol that the client and the server layer share.
//!
//! Every JSON response body is an [`Envelope`]: `{"code": <int>, "msg": <string>, "data": <any or
//! null>}`. The client acts on the business code, not the HTTP status, because the server
//! responds to the overdue case with HTTP 401 and a body that the client must still read.
//!
//! A renewed token travels in the `Authorization` response header as the raw token. A client also
//! accepts `Bearer <token>` there.
//!
//! # Examples
//!
//! ```
//! use renew_fetch::protocol::{Codes, Envelope};
//!
//! let codes = Codes::default();
//! let body: Envelope<u32> = Envelope::new(codes.success, "ok", Some(7));
//! assert_eq!(body.code, 200);
//! ```

use serde::{Deserialize, Serialize};

/// The response header that carries a renewed token, raw or as `Bearer <token>`.
pub const RENEWED_TOKEN_HEADER: &str = "Authorization";

/// The request header that carries the bearer token.
pub const AUTHORIZATION_HEADER: &str = "Authorization";

/// The authentication scheme of the request header. It is matched without regard to case.
pub const BEARER_SCHEME: &str = "Bearer";

/// The largest `Authorization` request header the server layer parses, in bytes.
pub const MAX_AUTHORIZATION_LEN: usize = 8 * 1024;

/// The business code of a successful response. Default: 200.
pub const CODE_SUCCESS: i64 = 200;

/// The business code of a request whose token expired within the grace period. The response
/// carries a renewed token and the client replays the request with it. Default: 401.
pub const CODE_OVERDUE: i64 = 401;

/// The business code of a request that carried no token. Default: 1006.
pub const CODE_NEED_LOGIN: i64 = 1006;

/// The business code of a request whose token is malformed, forged, expired past the grace
/// period or past the session cap. Default: 1007.
pub const CODE_INVALID_TOKEN: i64 = 1007;

/// The business codes that one deployment uses. Both halves take them as configuration.
///
/// Only the layer sends `overdue`, `need_login` and `invalid_token`. A handler that sends one of
/// them in its own envelope makes the client replay the request or end the session, so the
/// app's own error codes differ from them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Codes {
    /// The code of a successful response. Default: [`CODE_SUCCESS`].
    pub success: i64,
    /// The code after which the client stores the renewed token and replays the request. Default:
    /// [`CODE_OVERDUE`].
    pub overdue: i64,
    /// The code of a request that carried no token. Default: [`CODE_NEED_LOGIN`].
    pub need_login: i64,
    /// The code of a request whose token was rejected. Default: [`CODE_INVALID_TOKEN`].
    pub invalid_token: i64,
}

impl Default for Codes {
    fn default() -> Self {
        Self {
            success: CODE_SUCCESS,
            overdue: CODE_OVERDUE,
            need_login: CODE_NEED_LOGIN,
            invalid_token: CODE_INVALID_TOKEN,
        }
    }
}

impl Codes {
    /// Returns the codes after which the user has to log in again: need-login and invalid-token.
    pub fn login_required(&self) -> [i64; 2] {
        [self.need_login, self.invalid_token]
    }
}

/// The JSON body of every API response: a business code, a message and optional data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The business code. See [`Codes`].
    pub code: i64,
    /// A short human-readable message. A body whose `msg` is missing or `null` reads as an
    /// empty message, as the client's JavaScript side reads it.
    #[serde(default, deserialize_with = "string_or_null")]
    pub msg: String,
    /// The payload, or `null`.
    pub data: Option<T>,
}

impl<T> Envelope<T> {
    /// Creates an envelope from its three fields.
    pub fn new(code: i64, msg: impl Into<String>, data: Option<T>) -> Self {
        Self {
            code,
            msg: msg.into(),
            data,
        }
    }
}

/// Reads a string, or `null` as the empty string.
fn string_or_null<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Option::<String>::deserialize(deserializer).map(Option::unwrap_or_default)
}

/// Extracts the token from a renewed-token header value, which is either the raw token or
/// `Bearer <token>` with the scheme in any case.
///
/// Returns `None` unless the token is token68, the form that RFC 6750 gives a bearer token
/// (`[A-Za-z0-9-._~+/]+=*`), as the layer requires of the tokens it reads. So a header with
/// CR/LF, a stray space, a comma list or the name of a scheme alone, such as `Bearer` or `Basic`,
/// never becomes a stored token. Neither does the text `null` or `undefined`, which a server
/// writes when it formats a missing token.
/// It also returns `None` for a value longer than [`MAX_AUTHORIZATION_LEN`], whose token the
/// layer would reject.
///
/// # Examples
///
/// ```
/// use renew_fetch::protocol::token_from_header;
///
/// assert_eq!(token_from_header("abc.def.ghi"), Some("abc.def.ghi"));
/// assert_eq!(token_from_header("bearer abc.def.ghi"), Some("abc.def.ghi"));
/// assert_eq!(token_from_header("abc def"), None);
/// assert_eq!(token_from_header("one,two"), None);
/// assert_eq!(token_from_header("Bearer undefined"), None);
/// ```
pub fn token_from_header(value: &str) -> Option<&str> {
    if value.len() > MAX_AUTHORIZATION_LEN {
        return None;
    }
    let token = match value.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case(BEARER_SCHEME) => rest,
        _ => value,
    };
    (is_token68(token) && !is_scheme_name(token) && !is_missing_value_text(token)).then_some(token)
}

/// Returns true for `null` or `undefined` in any case: the text that JavaScript and JSON code
/// write for a missing value, such as `"Bearer " + undefined`, and never a real token.
pub(crate) fn is_missing_value_text(token: &str) -> bool {
    token.eq_ignore_ascii_case("null") || token.eq_ignore_ascii_case("undefined")
}

/// Returns true for the name of an HTTP authentication scheme, with or without trailing `=`,
/// such as the bare word `Basic` that a server sends in place of a token.
fn is_scheme_name(token: &str) -> bool {
    let word = token.trim_end_matches('=');
    ["Bearer", "Basic", "Digest", "Negotiate", "DPoP", "Token"]
        .iter()
        .any(|scheme| word.eq_ignore_ascii_case(scheme))
}

/// Returns true for a token68 string: at least one of `A-Z a-z 0-9 - . _ ~ + /`, then any
/// number of `=`.
fn is_token68(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-._~+/".contains(&byte))
}

/// Returns true for a non-empty string of visible ASCII characters, `!` to `~`, which covers
/// every character of a JWT.
pub fn is_visible_ascii(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|byte| byte.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn envelope_msg_missing_or_null_reads_empty() {
        for body in [
            r#"{"code":200,"data":1}"#,
            r#"{"code":200,"msg":null,"data":1}"#,
        ] {
            let envelope: Envelope<i64> =
                serde_json::from_str(body).expect("an envelope without a message reads");
            assert_eq!(envelope.msg, "", "{body}: the message is empty");
            assert_eq!(envelope.data, Some(1), "{body}: the data is kept");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn envelope_msg_of_wrong_type_rejected() {
        let result = serde_json::from_str::<Envelope<i64>>(r#"{"code":200,"msg":7}"#);
        assert!(result.is_err(), "a number as the message is rejected");
    }

    #[test]
    fn token_from_header_rejects_non_token68() {
        let cases = [
            ("one,two", "a comma list"),
            ("Bearer", "the bare scheme"),
            ("bearer", "the bare scheme in lowercase"),
            ("Bearer Bearer", "the scheme as the token"),
            ("\"a.b.c\"", "a JSON-quoted token"),
            ("a=b", "padding inside the token"),
            ("=", "padding alone"),
        ];
        for (value, what) in cases {
            assert_eq!(token_from_header(value), None, "{what}: {value:?}");
        }
    }

    #[test]
    fn token_from_header_accepts_padding_and_symbols() {
        assert_eq!(
            token_from_header("Bearer a-b._c~d+e/f=="),
            Some("a-b._c~d+e/f=="),
            "every token68 character and trailing padding"
        );
    }

    #[test]
    fn token_from_header_rejects_over_limit() {
        let at_limit = format!(
            "Bearer {}",
            "a".repeat(MAX_AUTHORIZATION_LEN - "Bearer ".len())
        );
        assert!(
            token_from_header(&at_limit).is_some(),
            "a header of {MAX_AUTHORIZATION_LEN} bytes is read"
        );
        let over = format!("{at_limit}a");
        assert_eq!(token_from_header(&over), None, "one byte over the limit");
    }

    #[test]
    fn token_from_header_accepts_raw_token() {
        assert_eq!(token_from_header("a.b.c"), Some("a.b.c"), "raw token");
    }

    #[test]
    fn token_from_header_strips_bearer_in_any_case() {
        assert_eq!(token_from_header("Bearer a.b.c"), Some("a.b.c"));
        assert_eq!(token_from_header("BEARER a.b.c"), Some("a.b.c"));
        assert_eq!(token_from_header("bearer a.b.c"), Some("a.b.c"));
    }

    #[test]
    fn token_from_header_rejects_empty() {
        assert_eq!(token_from_header(""), None, "empty value");
        assert_eq!(token_from_header("Bearer "), None, "scheme without token");
    }

    #[test]
    fn token_from_header_rejects_whitespace_and_controls() {
        assert_eq!(token_from_header("a.b\r\nc"), None, "CR/LF inside");
        assert_eq!(token_from_header("Bearer a b"), None, "space inside");
        assert_eq!(token_from_header("a.b.c\t"), None, "trailing tab");
        assert_eq!(token_from_header("Bearer  a.b.c"), None, "two spaces");
        assert_eq!(token_from_header("a\u{0}b"), None, "NUL inside");
        assert_eq!(
            token_from_header("a.b\u{e9}"),
            None,
            "Latin-1 letter inside"
        );
        assert_eq!(
            token_from_header("\u{442}\u{43e}\u{43a}"),
            None,
            "Cyrillic token"
        );
    }

    #[test]
    fn envelope_serializes_null_data() {
        let body: Envelope<()> = Envelope::new(CODE_NEED_LOGIN, "login required", None);
        let json = serde_json::to_string(&body).expect("envelope serializes");
        assert_eq!(json, r#"{"code":1006,"msg":"login required","data":null}"#);
    }

    #[test]
    fn codes_default_matches_protocol() {
        let codes = Codes::default();
        assert_eq!(codes.success, 200);
        assert_eq!(codes.overdue, 401);
        assert_eq!(codes.need_login, 1006);
        assert_eq!(codes.invalid_token, 1007);
    }
}
