//! Checking a token outside the layer, for routes whose clients cannot send the
//! `Authorization` header.

use std::fmt;
use std::sync::Arc;

use super::bearer::BearerError;
use super::rejection::{Kind, Reason};
use super::token::{fingerprint, Claims, MAX_TOKEN_LEN};
use super::verify::Decision;

/// A token that [`AuthConfig::verify_token`](super::AuthConfig::verify_token) accepted.
///
/// Its `Debug` form shows the renewed token as the first 8 hex digits of its SHA-256, as the
/// layer's log lines do, so `tracing::debug!(?verified)` logs no live token.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedToken {
    /// The claims of the token.
    pub claims: Claims,
    /// The renewed token, when the token is in the renewal window or was signed with the
    /// previous secret, as the layer would send it on the response. The route can hand it to
    /// its client, such as in the first message of a WebSocket.
    pub renewed: Option<String>,
}

impl fmt::Debug for VerifiedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let renewed = self
            .renewed
            .as_ref()
            .map(|token| format!("[redacted, fingerprint {}]", fingerprint(token.as_bytes())));
        f.debug_struct("VerifiedToken")
            .field("claims", &self.claims)
            .field("renewed", &renewed)
            .finish()
    }
}

/// Why [`AuthConfig::verify_token`](super::AuthConfig::verify_token) rejected a token.
///
/// Its `Display` form names what failed, as the layer's log line does, but never the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRejected {
    reason: Reason,
}

/// The kinds of [`TokenRejected`], which match the responses of the layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RejectionKind {
    /// The token is empty, too long or not token68. The layer responds to such an
    /// `Authorization` header with 400 and `error="invalid_request"`.
    Malformed,
    /// The token is invalid, expired past the grace period, past the session cap or revoked.
    /// The layer responds to it with the invalid-token 401.
    Invalid,
    /// The token expired within the grace period. The layer would respond with the overdue
    /// code and a renewed token, so a request through the layer renews it, after which the
    /// route can be called again with the new token.
    Overdue,
    /// Issuing the renewed token failed. The layer responds to it with a 500.
    Internal,
}

impl TokenRejected {
    /// Returns the kind of rejection.
    pub fn kind(&self) -> RejectionKind {
        match self.reason.kind() {
            Kind::NeedLogin | Kind::InvalidRequest => RejectionKind::Malformed,
            Kind::InvalidToken => RejectionKind::Invalid,
            Kind::Overdue => RejectionKind::Overdue,
            Kind::Internal => RejectionKind::Internal,
        }
    }
}

/// The reasons of the layer, but in the words of a token that came without a header.
impl fmt::Display for TokenRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            Reason::Header(BearerError::TooLong) => {
                write!(f, "token longer than the limit of {MAX_TOKEN_LEN} bytes")
            }
            Reason::Header(_) => f.write_str(
                "token is not a single token68: it is empty, or contains a space or another \
                 character outside A-Z a-z 0-9 - . _ ~ + / and trailing =; pass the token \
                 without \"Bearer \"",
            ),
            Reason::Overdue => f.write_str(
                "token expired within the grace period; a request through the layer renews it",
            ),
            reason => reason.fmt(f),
        }
    }
}

impl std::error::Error for TokenRejected {}

/// Turns the layer's decision into the result of `verify_token`.
pub(crate) fn outcome(decision: Decision) -> Result<VerifiedToken, TokenRejected> {
    match decision {
        Decision::Pass(claims) => Ok(VerifiedToken {
            claims: Arc::unwrap_or_clone(claims),
            renewed: None,
        }),
        Decision::Renew(claims, renewed) => Ok(VerifiedToken {
            claims: Arc::unwrap_or_clone(claims),
            renewed: Some(renewed.token),
        }),
        Decision::Overdue(_) => Err(TokenRejected {
            reason: Reason::Overdue,
        }),
        Decision::Reject(reason) => Err(TokenRejected { reason }),
    }
}
