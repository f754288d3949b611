//! Token verification, and the decision the layer makes for each request: pass, pass and renew,
//! respond overdue, or reject.

use http::HeaderMap;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::Algorithm;

use super::bearer::{bearer_token, BearerError};
use super::config::Inner;
use super::rejection::Reason;
use super::token::{fingerprint, Claims, IssueError, WireClaims};

/// The action the layer takes for a request.
#[derive(Debug)]
pub(crate) enum Decision {
    /// Run the handler with these claims.
    Pass(Claims),
    /// Run the handler with these claims and put the renewed token on its response.
    Renew(Claims, Renewed),
    /// Skip the handler and respond overdue with the renewed token.
    Overdue(Renewed),
    /// Skip the handler and respond with the rejection for this reason.
    Reject(Reason),
}

/// A token issued by renewal.
#[derive(Debug)]
pub(crate) struct Renewed {
    pub(crate) token: String,
    pub(crate) exp: u64,
}

/// The decision, with the details that the log needs.
#[derive(Debug)]
pub(crate) struct Verdict {
    pub(crate) decision: Decision,
    /// The log fingerprint of the token, or of the raw header when it did not parse. `None`
    /// when there was no single header, and on a plain pass, which is not logged.
    pub(crate) fingerprint: Option<String>,
    /// The error of a renewal that failed, for the log.
    pub(crate) renewal_note: Option<IssueError>,
}

impl Inner {
    /// Decides the action for a request that carries `headers`.
    pub(crate) fn verify(&self, headers: &HeaderMap) -> Verdict {
        let token = match bearer_token(headers) {
            Ok(token) => token,
            Err(e) => {
                let fingerprint = match e {
                    BearerError::Missing | BearerError::Repeated => None,
                    _ => headers
                        .get(http::header::AUTHORIZATION)
                        .map(|v| fingerprint(v.as_bytes())),
                };
                return Verdict {
                    decision: Decision::Reject(Reason::Header(e)),
                    fingerprint,
                    renewal_note: None,
                };
            }
        };
        let mut renewal_note = None;
        let decision = match self.decide(token, &mut renewal_note) {
            Ok(decision) => decision,
            Err(reason) => Decision::Reject(reason),
        };
        let fingerprint = match decision {
            Decision::Pass(_) if renewal_note.is_none() => None,
            _ => Some(fingerprint(token.as_bytes())),
        };
        Verdict {
            decision,
            fingerprint,
            renewal_note,
        }
    }

    fn decide(&self, token: &str, note: &mut Option<IssueError>) -> Result<Decision, Reason> {
        let claims = self.decode(token)?;
        let (wire_nbf, claims) = (claims.nbf, claims.into_claims());
        let now = self.clock.now();
        let leeway = self.leeway;
        let horizon = now.saturating_add(leeway);

        if wire_nbf.is_some_and(|nbf| nbf > horizon) {
            return Err(Reason::NotYetValid);
        }
        if claims.iat > horizon || claims.auth_time > horizon {
            return Err(Reason::IssuedInFuture);
        }
        if claims.exp < claims.iat || claims.auth_time > claims.iat {
            return Err(Reason::InconsistentTimes);
        }
        if now >= claims.auth_time.saturating_add(self.cap) {
            return Err(Reason::SessionCapReached);
        }

        // Valid through `exp` inclusive, as jsonwebtoken counts it, plus the leeway.
        let last_valid = claims.exp.saturating_add(leeway);
        if now <= last_valid {
            if claims.exp.saturating_sub(now) > self.window {
                return Ok(Decision::Pass(claims));
            }
            // Inside the window. Near the cap a renewal may not extend the token, and then the
            // layer sends none.
            if self.issuer().expiry(now, claims.auth_time) <= claims.exp {
                return Ok(Decision::Pass(claims));
            }
            return Ok(match self.issuer().renew(now, &claims) {
                Ok((token, renewed)) => Decision::Renew(
                    claims,
                    Renewed {
                        token,
                        exp: renewed.exp,
                    },
                ),
                Err(e) => {
                    // The token is still valid, so serve the request and renew on a later one.
                    *note = Some(e);
                    Decision::Pass(claims)
                }
            });
        }
        if now - last_valid > self.grace {
            return Err(Reason::ExpiredPastGrace);
        }
        match self.issuer().renew(now, &claims) {
            Ok((token, renewed)) => Ok(Decision::Overdue(Renewed {
                token,
                exp: renewed.exp,
            })),
            Err(e) => {
                *note = Some(e);
                Err(Reason::RenewalFailed)
            }
        }
    }

    /// Checks the algorithm, the signature, the claim types and the issuer and audience. Every
    /// time check is left to [`decide`](Self::decide), against the injected clock.
    fn decode(&self, token: &str) -> Result<WireClaims, Reason> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| Reason::MalformedToken)?;
        if header.alg != Algorithm::HS256 {
            return Err(Reason::WrongAlgorithm);
        }
        jsonwebtoken::decode::<WireClaims>(token, &self.decoding_key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature => Reason::BadSignature,
                ErrorKind::InvalidAlgorithm
                | ErrorKind::UnsupportedAlgorithm
                | ErrorKind::MissingAlgorithm => Reason::WrongAlgorithm,
                ErrorKind::InvalidIssuer => Reason::WrongIssuer,
                ErrorKind::MissingRequiredClaim(claim) if claim == "iss" => Reason::WrongIssuer,
                ErrorKind::InvalidAudience => Reason::WrongAudience,
                ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => Reason::WrongAudience,
                ErrorKind::InvalidClaimFormat(claim) if claim == "aud" => Reason::WrongAudience,
                ErrorKind::MissingRequiredClaim(_)
                | ErrorKind::InvalidClaimFormat(_)
                | ErrorKind::Json(_) => Reason::MalformedClaims,
                _ => Reason::MalformedToken,
            })
    }
}
