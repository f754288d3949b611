//! Token verification, and the decision the layer makes for each request: pass, pass and renew,
//! respond overdue, or reject.

use std::sync::Arc;

use http::HeaderMap;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::Algorithm;

use super::bearer::{bearer_token, BearerError};
use super::cache::Verified;
use super::config::Inner;
use super::rejection::Reason;
use super::token::{Claims, Fingerprint, IssueError, WireClaims};

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

/// The decision for a verified token, before the claims are attached.
enum Step {
    Pass,
    Renew(Renewed),
    Overdue(Renewed),
}

impl Step {
    fn with_claims(self, claims: impl FnOnce() -> Claims) -> Decision {
        match self {
            Self::Pass => Decision::Pass(claims()),
            Self::Renew(renewed) => Decision::Renew(claims(), renewed),
            Self::Overdue(renewed) => Decision::Overdue(renewed),
        }
    }
}

/// A token issued by renewal.
#[derive(Debug)]
pub(crate) struct Renewed {
    pub(crate) token: String,
    pub(crate) exp: u64,
    /// The user id (`sub`), for the log.
    pub(crate) user_id: String,
}

/// The decision, with the details that the log needs.
#[derive(Debug)]
pub(crate) struct Verdict<'a> {
    pub(crate) decision: Decision,
    /// The log fingerprint of the token, or of the raw header when it did not parse. Empty
    /// when there was no single header, and on a plain pass, which is not logged.
    pub(crate) fingerprint: Fingerprint<'a>,
    /// The error of a renewal that failed, for the log.
    pub(crate) renewal_note: Option<IssueError>,
    /// The user id (`sub`) of a token that verified but was rejected by a time check, such as
    /// the session cap, for the log.
    pub(crate) rejected_user: Option<String>,
}

/// A rejection, with the user id of the token when the token verified.
struct Rejected {
    reason: Reason,
    user_id: Option<String>,
}

impl From<Reason> for Rejected {
    fn from(reason: Reason) -> Self {
        Self {
            reason,
            user_id: None,
        }
    }
}

impl Reason {
    /// Attaches the user id of `verified` to this rejection.
    fn of(self, verified: &Verified) -> Rejected {
        Rejected {
            reason: self,
            user_id: Some(verified.claims.sub.clone()),
        }
    }
}

impl Inner {
    /// Decides the action for a request that carries `headers`.
    pub(crate) fn verify<'a>(&self, headers: &'a HeaderMap) -> Verdict<'a> {
        let token = match bearer_token(headers) {
            Ok(token) => token,
            Err(e) => {
                let fingerprint = match e {
                    BearerError::Missing | BearerError::Repeated => Fingerprint(None),
                    _ => Fingerprint(
                        headers
                            .get(http::header::AUTHORIZATION)
                            .map(|v| v.as_bytes()),
                    ),
                };
                return Verdict {
                    decision: Decision::Reject(Reason::Header(e)),
                    fingerprint,
                    renewal_note: None,
                    rejected_user: None,
                };
            }
        };
        let mut renewal_note = None;
        let mut rejected_user = None;
        let decision = match self.decide(token, &mut renewal_note) {
            Ok(decision) => decision,
            Err(Rejected { reason, user_id }) => {
                rejected_user = user_id;
                Decision::Reject(reason)
            }
        };
        let fingerprint = match decision {
            Decision::Pass(_) if renewal_note.is_none() => Fingerprint(None),
            _ => Fingerprint(Some(token.as_bytes())),
        };
        Verdict {
            decision,
            fingerprint,
            renewal_note,
            rejected_user,
        }
    }

    /// Decides for `token`, from the cache when it contains the token and by decoding it otherwise.
    /// Both ways run the same time checks against the clock.
    fn decide(&self, token: &str, note: &mut Option<IssueError>) -> Result<Decision, Rejected> {
        let now = self.clock.now();
        let Some(cache) = &self.cache else {
            let verified = self.decode(token)?;
            let step = self
                .judge(now, &verified, note)
                .map_err(|r| r.of(&verified))?;
            return Ok(step.with_claims(|| verified.claims));
        };
        if let Some(verified) = cache.get(token, now) {
            let step = self
                .judge(now, &verified, note)
                .map_err(|r| r.of(&verified))?;
            return Ok(step.with_claims(|| verified.claims.clone()));
        }
        let verified = Arc::new(self.decode(token)?);
        let step = self
            .judge(now, &verified, note)
            .map_err(|r| r.of(&verified))?;
        // Only a token that passes now is stored: an overdue one is about to be replaced, and
        // every rejected one stays out.
        if matches!(step, Step::Pass | Step::Renew(_)) {
            cache.insert(token, Arc::clone(&verified));
        }
        Ok(step.with_claims(|| verified.claims.clone()))
    }

    /// Runs every time check on verified claims at `now`, and renews when the token is in the
    /// renewal window or the grace period.
    fn judge(
        &self,
        now: u64,
        verified: &Verified,
        note: &mut Option<IssueError>,
    ) -> Result<Step, Reason> {
        let claims = &verified.claims;
        if self.revoked.as_ref().is_some_and(|revoked| revoked(claims)) {
            return Err(Reason::Revoked);
        }
        let leeway = self.leeway;
        let horizon = now.saturating_add(leeway);

        if verified.nbf.is_some_and(|nbf| nbf > horizon) {
            return Err(Reason::NotYetValid);
        }
        if claims.iat > horizon || claims.auth_time > horizon {
            return Err(Reason::IssuedInFuture);
        }
        if claims.exp < claims.iat || claims.auth_time > claims.iat {
            return Err(Reason::InconsistentTimes);
        }
        // The session, like each token, is valid through its last second inclusive plus the
        // leeway, so the last token of a session, whose `exp` is the cap, gets the same leeway
        // as any other token.
        if now
            > claims
                .auth_time
                .saturating_add(self.cap)
                .saturating_add(leeway)
        {
            return Err(Reason::SessionCapReached);
        }

        // Valid through `exp` inclusive, as jsonwebtoken counts it, plus the leeway.
        let last_valid = claims.exp.saturating_add(leeway);
        if now <= last_valid {
            // A zero window turns renewal before expiry off, at `exp` and in the leeway too.
            if self.window == 0 || claims.exp.saturating_sub(now) > self.window {
                return Ok(Step::Pass);
            }
            // Inside the window. Near the cap a renewal may not extend the token, and then the
            // layer sends none.
            if self.issuer().expiry(now, claims.auth_time) <= claims.exp {
                return Ok(Step::Pass);
            }
            return Ok(match self.issuer().renew(now, claims) {
                Ok((token, renewed)) => Step::Renew(Renewed {
                    token,
                    exp: renewed.exp,
                    user_id: renewed.sub,
                }),
                Err(e) => {
                    // The token is still valid, so serve the request and renew on a later one.
                    *note = Some(e);
                    Step::Pass
                }
            });
        }
        if now - last_valid > self.grace {
            return Err(Reason::ExpiredPastGrace);
        }
        match self.issuer().renew(now, claims) {
            Ok((token, renewed)) => Ok(Step::Overdue(Renewed {
                token,
                exp: renewed.exp,
                user_id: renewed.sub,
            })),
            // At the cap's last second a renewed token would expire at once.
            Err(IssueError::SessionCapReached) => Err(Reason::SessionCapReached),
            Err(e) => {
                *note = Some(e);
                Err(Reason::RenewalFailed)
            }
        }
    }

    /// Checks the algorithm, the signature, the claim types and the issuer and audience. Every
    /// time check is left to [`decide`](Self::decide), against the injected clock.
    fn decode(&self, token: &str) -> Result<Verified, Reason> {
        let verified =
            jsonwebtoken::decode::<WireClaims>(token, &self.decoding_key, &self.validation)
                .map(|data| data.claims.into_verified(self.audience.as_deref()))
                .map_err(|e| classify(token, &e))?;
        // `issue_token` never issues an empty user id, so a signed token with one is malformed.
        if verified.claims.sub.is_empty() {
            return Err(Reason::MalformedClaims);
        }
        Ok(verified)
    }
}

/// Maps a failed decode of `token` to the reason that the log and the response report.
///
/// The header is parsed a second time only on this failure path, because a decode that succeeds
/// has already parsed it and checked its `alg` against the HS256-only validation. A header that
/// does not parse makes a malformed token, and any `alg` but HS256 the wrong algorithm, whatever
/// else is wrong with the token.
fn classify(token: &str, error: &jsonwebtoken::errors::Error) -> Reason {
    match jsonwebtoken::decode_header(token) {
        Err(_) => return Reason::MalformedToken,
        Ok(header) if header.alg != Algorithm::HS256 => return Reason::WrongAlgorithm,
        Ok(_) => {}
    }
    match error.kind() {
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
    }
}

#[cfg(test)]
mod tests {
    use http::header::AUTHORIZATION;
    use http::HeaderValue;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    use super::*;
    use crate::server::{AuthConfig, ManualClock};

    const SECRET: &[u8] = b"renew-fetch test secret 32 bytes";
    const NOW: u64 = 1_700_000_000;

    fn config() -> AuthConfig {
        AuthConfig::builder(SECRET.to_vec())
            .clock(ManualClock::new(NOW))
            .build()
            .expect("the test config builds")
    }

    fn claims() -> serde_json::Value {
        json!({
            "sub": "1", "username": "ada", "iat": NOW, "exp": NOW + 7200,
            "jti": "00112233445566778899aabbccddeeff", "auth_time": NOW,
        })
    }

    fn sign(alg: Algorithm, claims: &serde_json::Value, secret: &[u8]) -> String {
        let key = EncodingKey::from_secret(secret).expect("non-empty secret");
        jsonwebtoken::encode(&Header::new(alg), claims, &key).expect("the test token signs")
    }

    fn decision(token: &str) -> Decision {
        let mut headers = HeaderMap::new();
        let value = HeaderValue::try_from(format!("Bearer {token}")).expect("a header value");
        headers.insert(AUTHORIZATION, value);
        config().inner.verify(&headers).decision
    }

    fn reason(token: &str) -> Option<Reason> {
        match decision(token) {
            Decision::Reject(reason) => Some(reason),
            _ => None,
        }
    }

    #[test]
    fn valid_token_passes() {
        let token = sign(Algorithm::HS256, &claims(), SECRET);
        assert!(
            matches!(decision(&token), Decision::Pass(_)),
            "a valid HS256 token far from expiry passes"
        );
    }

    #[test]
    fn other_algorithm_is_wrong_algorithm() {
        let token = sign(Algorithm::HS384, &claims(), SECRET);
        assert_eq!(reason(&token), Some(Reason::WrongAlgorithm), "HS384");
    }

    #[test]
    fn other_algorithm_wins_over_bad_signature() {
        let token = sign(
            Algorithm::HS512,
            &claims(),
            b"another secret of 32 bytes or more",
        );
        assert_eq!(
            reason(&token),
            Some(Reason::WrongAlgorithm),
            "HS512 under another secret"
        );
    }

    #[test]
    fn unparsable_header_is_malformed_token() {
        // The header part is base64url of `not json`.
        let token = "bm90IGpzb24.e30.c2ln";
        assert_eq!(
            reason(token),
            Some(Reason::MalformedToken),
            "non-JSON header"
        );
    }

    #[test]
    fn other_secret_is_bad_signature() {
        let token = sign(
            Algorithm::HS256,
            &claims(),
            b"another secret of 32 bytes or more",
        );
        assert_eq!(reason(&token), Some(Reason::BadSignature), "another secret");
    }

    #[test]
    fn audience_array_reads_as_configured_audience() {
        let config = AuthConfig::builder(SECRET.to_vec())
            .clock(ManualClock::new(NOW))
            .audience("api")
            .build()
            .expect("the audience config builds");
        let mut claims = claims();
        claims["aud"] = json!(["web", "api"]);
        let token = sign(Algorithm::HS256, &claims, SECRET);
        let mut headers = HeaderMap::new();
        let value = HeaderValue::try_from(format!("Bearer {token}")).expect("a header value");
        headers.insert(AUTHORIZATION, value);
        match config.inner.verify(&headers).decision {
            Decision::Pass(claims) => assert_eq!(
                claims.aud.as_deref(),
                Some("api"),
                "an aud array that holds the configured audience reads as that audience"
            ),
            other => panic!("expected the token to pass, got {other:?}"),
        }
    }

    #[test]
    fn missing_claim_is_malformed_claims() {
        let mut claims = claims();
        claims
            .as_object_mut()
            .expect("an object")
            .remove("username");
        let token = sign(Algorithm::HS256, &claims, SECRET);
        assert_eq!(reason(&token), Some(Reason::MalformedClaims), "no username");
    }
}

#[cfg(test)]
mod cache_tests {
    use std::time::Duration;

    use http::header::AUTHORIZATION;
    use http::HeaderValue;

    use super::*;
    use crate::server::{AuthConfig, ManualClock};

    const SECRET: &[u8] = b"renew-fetch test secret 32 bytes";
    const NOW: u64 = 1_700_000_000;

    fn config(capacity: usize) -> AuthConfig {
        AuthConfig::builder(SECRET.to_vec())
            .clock(ManualClock::new(NOW))
            .token_cache_capacity(capacity)
            .build()
            .expect("the test config builds")
    }

    fn headers(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = HeaderValue::try_from(format!("Bearer {token}")).expect("a header value");
        headers.insert(AUTHORIZATION, value);
        headers
    }

    fn cached(config: &AuthConfig) -> usize {
        config.inner.cache.as_ref().expect("the cache is on").len()
    }

    #[test]
    fn zero_capacity_turns_cache_off() {
        let config = config(0);
        assert!(config.inner.cache.is_none(), "no cache is built");
        let token = config.issue_token("1", "ada").expect("issue");
        for round in 0..2 {
            let decision = config.inner.verify(&headers(&token)).decision;
            assert!(
                matches!(decision, Decision::Pass(_)),
                "round {round}: the token passes without a cache"
            );
        }
    }

    #[test]
    fn passing_token_is_cached() {
        let config = config(16);
        let token = config.issue_token("1", "ada").expect("issue");
        assert_eq!(cached(&config), 0, "empty at start");
        let first = config.inner.verify(&headers(&token)).decision;
        assert!(matches!(first, Decision::Pass(_)), "first request passes");
        assert_eq!(cached(&config), 1, "stored after the first pass");
        let second = config.inner.verify(&headers(&token)).decision;
        assert!(matches!(second, Decision::Pass(_)), "second request passes");
        assert_eq!(cached(&config), 1, "a hit stores nothing more");
    }

    #[test]
    fn rejected_tokens_are_not_cached() {
        let config = config(16);
        let good = config.issue_token("1", "ada").expect("issue");
        let other = AuthConfig::builder(b"another secret of 32 bytes or more".to_vec())
            .clock(ManualClock::new(NOW))
            .build()
            .expect("the other config builds")
            .issue_token("1", "ada")
            .expect("issue");
        let (body, _) = good.rsplit_once('.').expect("three parts");
        for (what, token) in [
            ("another secret", other),
            ("truncated signature", format!("{body}.AAAA")),
            ("not a JWT", "not.a.jwt".to_owned()),
        ] {
            let decision = config.inner.verify(&headers(&token)).decision;
            assert!(matches!(decision, Decision::Reject(_)), "{what}: rejected");
            assert_eq!(cached(&config), 0, "{what}: not stored");
        }
    }

    #[test]
    fn overdue_token_is_not_cached() {
        let clock = ManualClock::new(NOW);
        let config = AuthConfig::builder(SECRET.to_vec())
            .clock(clock.clone())
            .build()
            .expect("the test config builds");
        let token = config.issue_token("1", "ada").expect("issue");
        clock.advance(config.token_lifetime() + Duration::from_secs(1));
        let decision = config.inner.verify(&headers(&token)).decision;
        assert!(matches!(decision, Decision::Overdue(_)), "overdue");
        assert_eq!(cached(&config), 0, "an overdue token is not stored");
    }

    #[test]
    fn many_distinct_tokens_stay_bounded() {
        let config = config(64);
        for i in 0..1_000 {
            let token = config.issue_token(&i.to_string(), "ada").expect("issue");
            let decision = config.inner.verify(&headers(&token)).decision;
            assert!(matches!(decision, Decision::Pass(_)), "token {i} passes");
            assert!(cached(&config) <= 64, "after {i}: {}", cached(&config));
        }
        assert!(cached(&config) > 0, "recent tokens stay");
    }
}
