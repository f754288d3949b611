//! The responses that the layer writes instead of the handler's, as one table that maps the
//! reason to the status, business code and `WWW-Authenticate` challenge.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::response::Response;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderValue, StatusCode};

use super::bearer::BearerError;
use super::detail::{Ahead, ClaimFaults, Mismatch};
use super::headers::{attach_renewed_token, NO_STORE};
use super::token::MAX_TOKEN_LEN;
use crate::protocol::{Codes, Envelope};

/// The reason the layer responded instead of the handler. Each reason is logged, with the
/// details that some of them carry, and maps to one [`Kind`] of response. The details never
/// reach the response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Reason {
    /// The `Authorization` header is missing or is not a single `Bearer <token68>`.
    Header(BearerError),
    /// The token is not a JWS of three base64url parts with a JSON header we support.
    MalformedToken,
    /// The header names an algorithm other than HS256.
    WrongAlgorithm,
    /// The HMAC does not match.
    BadSignature,
    /// A claim is missing or has the wrong type, or `sub` is empty.
    MalformedClaims(ClaimFaults),
    /// `iss` is missing or differs from the configured issuer.
    WrongIssuer(Box<Mismatch>),
    /// `aud` is missing, differs from the configured audience, or is present when none is set.
    WrongAudience(Box<Mismatch>),
    /// `nbf` is further in the future than the layer allows for clock skew.
    NotYetValid(Ahead),
    /// `iat` or `auth_time` is further in the future than the layer allows for clock skew.
    IssuedInFuture(Ahead),
    /// The times contradict each other (`exp` before `iat`, login after issue).
    InconsistentTimes,
    /// The token expired more than the grace period ago.
    ExpiredPastGrace,
    /// The session is older than the session cap.
    SessionCapReached,
    /// The app's revocation check returned true for the claims.
    Revoked,
    /// The token was good for an overdue renewal but issuing the renewed one failed.
    RenewalFailed,
    /// The token was good for an overdue renewal, but the renewed token would be this many bytes,
    /// longer than the layer accepts. A token from another issuer that shares the secret can be
    /// close enough to the limit for that.
    TooLongToRenew(usize),
    /// An overdue token was renewed, and the handler was not run.
    Overdue,
}

impl Reason {
    /// Returns the kind of response for this reason.
    pub(crate) fn kind(&self) -> Kind {
        match self {
            Self::Header(BearerError::Missing) => Kind::NeedLogin,
            Self::Header(_) => Kind::InvalidRequest,
            Self::MalformedToken
            | Self::WrongAlgorithm
            | Self::BadSignature
            | Self::MalformedClaims(_)
            | Self::WrongIssuer(_)
            | Self::WrongAudience(_)
            | Self::NotYetValid(_)
            | Self::IssuedInFuture(_)
            | Self::InconsistentTimes
            | Self::ExpiredPastGrace
            | Self::SessionCapReached
            | Self::Revoked
            | Self::TooLongToRenew(_) => Kind::InvalidToken,
            Self::Overdue => Kind::Overdue,
            Self::RenewalFailed => Kind::Internal,
        }
    }

    /// Returns the fixed text of this reason, without its details.
    fn summary(&self) -> &'static str {
        match self {
            Self::Header(e) => e.reason(),
            Self::MalformedToken => "token is not a well-formed JWS",
            Self::WrongAlgorithm => "token algorithm is not HS256",
            Self::BadSignature => "token signature does not verify",
            Self::MalformedClaims(_) => "token claims are missing or wrongly typed",
            Self::WrongIssuer(_) => "token issuer does not match",
            Self::WrongAudience(_) => "token audience does not match",
            Self::NotYetValid(_) => "token nbf is in the future",
            Self::IssuedInFuture(_) => "token iat or auth_time is in the future",
            Self::InconsistentTimes => "token times contradict each other",
            Self::ExpiredPastGrace => "token expired past the grace period",
            Self::SessionCapReached => "session cap reached",
            Self::Revoked => "token revoked by the app's check",
            Self::RenewalFailed => "renewing an overdue token failed",
            Self::TooLongToRenew(_) => "an overdue token cannot be renewed",
            Self::Overdue => "token expired within the grace period; renewed, handler not run",
        }
    }
}

/// Formats the fixed text, then a colon and the details when the reason has any, such as
/// `token claims are missing or wrongly typed: username is missing`.
impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.summary())?;
        match self {
            Self::MalformedClaims(faults) => write!(f, ": {faults}"),
            Self::WrongIssuer(mismatch) | Self::WrongAudience(mismatch) => {
                write!(f, ": {mismatch}")
            }
            Self::NotYetValid(ahead) | Self::IssuedInFuture(ahead) => write!(f, ": {ahead}"),
            Self::TooLongToRenew(len) => write!(
                f,
                ": the renewed token would be {len} bytes long, over the limit of {MAX_TOKEN_LEN} \
                 bytes"
            ),
            _ => Ok(()),
        }
    }
}

/// The kinds of response the layer writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// No credentials: ask for a login.
    NeedLogin,
    /// The header is malformed (RFC 6750 `invalid_request`).
    InvalidRequest,
    /// The token is rejected (RFC 6750 `invalid_token`).
    InvalidToken,
    /// Expired within grace: a renewed token rides along and the client replays.
    Overdue,
    /// A server-side failure. The response gives no detail.
    Internal,
}

/// One row of the table.
struct Row {
    status: StatusCode,
    code: fn(&Codes) -> i64,
    /// `None`: no challenge. `Some(None)`: a challenge without an error attribute.
    error: Option<Option<&'static str>>,
    msg: &'static str,
}

/// Returns the table row for `kind`. The messages are fixed strings, so internal error text never
/// reaches the client.
fn row(kind: Kind) -> Row {
    match kind {
        Kind::NeedLogin => Row {
            status: StatusCode::UNAUTHORIZED,
            code: |c| c.need_login,
            error: Some(None),
            msg: "login required",
        },
        Kind::InvalidRequest => Row {
            status: StatusCode::BAD_REQUEST,
            code: |c| c.invalid_token,
            error: Some(Some("invalid_request")),
            msg: "malformed Authorization header",
        },
        Kind::InvalidToken => Row {
            status: StatusCode::UNAUTHORIZED,
            code: |c| c.invalid_token,
            error: Some(Some("invalid_token")),
            msg: "invalid token",
        },
        Kind::Overdue => Row {
            status: StatusCode::UNAUTHORIZED,
            code: |c| c.overdue,
            error: Some(Some("invalid_token")),
            msg: "token expired; retry with the renewed token",
        },
        Kind::Internal => Row {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: |_| INTERNAL_CODE,
            error: None,
            msg: "internal server error",
        },
    }
}

/// The business code of a server-side failure, which [`Codes`] does not configure.
pub(crate) const INTERNAL_CODE: i64 = 500;

/// Builds the response for `kind`. `renewed` is the renewed token of an overdue response.
pub(crate) fn respond(
    kind: Kind,
    codes: &Codes,
    realm: &str,
    renewed: Option<HeaderValue>,
) -> Response {
    let row = row(kind);
    let envelope: Envelope<()> = Envelope::new((row.code)(codes), row.msg, None);
    let body = serde_json::to_vec(&envelope)
        .unwrap_or_else(|_| br#"{"code":500,"msg":"internal server error","data":null}"#.to_vec());
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = row.status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, NO_STORE);
    if let Some(error) = row.error {
        headers.insert(WWW_AUTHENTICATE, challenge(realm, error));
    }
    if let Some(token) = renewed {
        // The response is new, so it has no Authorization header of its own.
        let _ = attach_renewed_token(headers, token);
    }
    response
}

/// Builds the generic 500 response, for failures where no config is available.
pub(crate) fn internal_error() -> Response {
    respond(Kind::Internal, &Codes::default(), "", None)
}

/// Formats `Bearer realm="…"`, with `, error="…"` when there is an error. The builder rejects a
/// realm that cannot be quoted, so the fallback value is unreachable through the public API.
fn challenge(realm: &str, error: Option<&str>) -> HeaderValue {
    let value = match error {
        Some(error) => format!("Bearer realm=\"{realm}\", error=\"{error}\""),
        None => format!("Bearer realm=\"{realm}\""),
    };
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("Bearer"))
}

/// Checks that `realm` fits inside a quoted-string without escaping. It must be visible ASCII or
/// spaces, without `"` or `\`.
pub(crate) fn is_valid_realm(realm: &str) -> bool {
    realm
        .bytes()
        .all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\')
}

/// Limits one kind of rejection log line to one a second, shared by every layer of one config,
/// so that a client that loops on a bad token, or a scanner that sends none, cannot flood the
/// log. The other rejections of that second are logged at DEBUG and counted in the next line
/// of the limited level. When the config and every layer made from it are dropped, as on
/// shutdown, a count that no such line has reported yet is logged at the limited level.
pub(crate) struct LogLimit {
    /// The level of the limited lines: ERROR, WARN or INFO.
    level: tracing::Level,
    /// The events that the lines report, such as "rejections", named in the line logged on drop.
    events: &'static str,
    /// The clock second of the last line at the limited level, or `u64::MAX` before the first.
    second: AtomicU64,
    /// The lines logged at DEBUG since the last line at the limited level.
    suppressed: AtomicU64,
}

impl LogLimit {
    pub(crate) const fn new(level: tracing::Level, events: &'static str) -> Self {
        Self {
            level,
            events,
            second: AtomicU64::new(u64::MAX),
            suppressed: AtomicU64::new(0),
        }
    }

    /// Returns the number of lines logged at DEBUG since the last line at the limited level
    /// when a line at clock second `now` may log at that level, and None when it logs at DEBUG.
    pub(crate) fn admit(&self, now: u64) -> Option<u64> {
        let last = self.second.load(Ordering::Relaxed);
        let won = last != now
            && self
                .second
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok();
        if won {
            return Some(self.suppressed.swap(0, Ordering::Relaxed));
        }
        self.suppressed.fetch_add(1, Ordering::Relaxed);
        None
    }
}

impl Drop for LogLimit {
    fn drop(&mut self) {
        let suppressed = *self.suppressed.get_mut();
        if suppressed == 0 {
            return;
        }
        let events = self.events;
        let message = "logged only at DEBUG before the auth config was dropped";
        if self.level == tracing::Level::ERROR {
            tracing::error!(suppressed, "{events} {message}");
        } else if self.level == tracing::Level::WARN {
            tracing::warn!(suppressed, "{events} {message}");
        } else {
            tracing::info!(suppressed, "{events} {message}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_formats() {
        assert_eq!(
            challenge("r", None),
            "Bearer realm=\"r\"",
            "no error attribute"
        );
        assert_eq!(
            challenge("r", Some("invalid_token")),
            "Bearer realm=\"r\", error=\"invalid_token\"",
            "with error attribute"
        );
    }

    #[test]
    fn realm_validation() {
        assert!(is_valid_realm("renew-fetch demo"), "plain realm");
        assert!(!is_valid_realm("a\"b"), "quote");
        assert!(!is_valid_realm("a\\b"), "backslash");
        assert!(!is_valid_realm("a\nb"), "newline");
    }

    #[test]
    fn every_header_error_but_missing_is_invalid_request() {
        use BearerError::*;
        for e in [Repeated, TooLong, NotVisibleAscii, NotBearer, NotToken68] {
            assert_eq!(Reason::Header(e).kind(), Kind::InvalidRequest, "{e:?}");
        }
        assert_eq!(
            Reason::Header(Missing).kind(),
            Kind::NeedLogin,
            "missing header"
        );
    }
}
