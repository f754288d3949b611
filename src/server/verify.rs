//! Token verification, and the decision the layer makes for each request: pass, pass and renew,
//! respond overdue, or reject.

use std::sync::Arc;

use http::HeaderMap;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::Algorithm;

use super::bearer::{bearer_token, parse_token, BearerError};
use super::cache::Verified;
use super::config::{Inner, ISSUED_AHEAD_ALLOWANCE};
use super::detail::{Ahead, ClaimFault, ClaimFaults, Mismatch, TimeClaim};
use super::rejection::Reason;
use super::token::{Claims, Fingerprint, IssueError, WireClaims};

/// The action the layer takes for a request.
#[derive(Debug)]
pub(crate) enum Decision {
    /// Run the handler with these claims.
    Pass(Arc<Claims>),
    /// Run the handler with these claims and put the renewed token on its response.
    Renew(Arc<Claims>, Renewed),
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
    fn with_claims(self, claims: impl FnOnce() -> Arc<Claims>) -> Decision {
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

    /// Decides for a token given without a header, such as from a query parameter, with the
    /// checks and the cache of [`verify`](Self::verify).
    pub(crate) fn verify_token(&self, token: &str) -> Decision {
        let token = match parse_token(token) {
            Ok(token) => token,
            Err(e) => return Decision::Reject(Reason::Header(e)),
        };
        self.decide(token, &mut None)
            .unwrap_or_else(|rejected| Decision::Reject(rejected.reason))
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
            return Ok(step.with_claims(|| Arc::clone(&verified.claims)));
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
        Ok(step.with_claims(|| Arc::clone(&verified.claims)))
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
        let allowed = leeway.max(ISSUED_AHEAD_ALLOWANCE.as_secs());
        let horizon = now.saturating_add(allowed);

        if let Some(nbf) = verified.nbf.filter(|&nbf| nbf > horizon) {
            let ahead = Ahead::new(TimeClaim::Nbf, nbf, now, allowed);
            return Err(Reason::NotYetValid(ahead));
        }
        if claims.iat > horizon {
            let ahead = Ahead::new(TimeClaim::Iat, claims.iat, now, allowed);
            return Err(Reason::IssuedInFuture(ahead));
        }
        if claims.auth_time > horizon {
            let ahead = Ahead::new(TimeClaim::AuthTime, claims.auth_time, now, allowed);
            return Err(Reason::IssuedInFuture(ahead));
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

        // `decode` has already capped `exp` at `iat` plus the configured lifetime and at the
        // session cap.
        let exp = claims.exp;
        // Valid through `exp` inclusive, as jsonwebtoken counts it, plus the leeway.
        let last_valid = exp.saturating_add(leeway);
        if now <= last_valid {
            // A token signed with the previous secret of a rotation is renewed on every request,
            // so that the client moves to the current secret.
            if !verified.previous_secret {
                // A zero window turns renewal before expiry off, at `exp` and in the leeway too.
                if self.window == 0 || exp.saturating_sub(now) > self.window {
                    return Ok(Step::Pass);
                }
                // Inside the window. Near the cap a renewal may not extend the token, and then
                // the layer sends none.
                if self.issuer().expiry(now, claims.auth_time) <= exp {
                    return Ok(Step::Pass);
                }
            }
            return Ok(match self.issuer().renew(now, claims) {
                Ok((token, renewed)) => Step::Renew(Renewed {
                    token,
                    exp: renewed.exp,
                    user_id: renewed.sub,
                }),
                // A token of the previous secret at the end of its session cannot be renewed. It
                // passes until it expires, as the current secret's tokens do at the cap.
                Err(IssueError::SessionCapReached) => Step::Pass,
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
            // The renewal of this token is too long to send, and would be on every request, so
            // the client has to log in again.
            Err(IssueError::TokenTooLong { len, .. }) => Err(Reason::TooLongToRenew(len)),
            Err(e) => {
                *note = Some(e);
                Err(Reason::RenewalFailed)
            }
        }
    }

    /// Checks the algorithm, the signature, the claim types and the issuer and audience. Every
    /// time check is left to [`decide`](Self::decide), against the injected clock.
    fn decode(&self, token: &str) -> Result<Verified, Reason> {
        let decode = |key| jsonwebtoken::decode::<WireClaims>(token, key, &self.validation);
        let (decoded, previous_secret) = match (decode(&self.decoding_key), &self.previous_key) {
            // During a rotation a token whose signature fails may be signed with the previous
            // secret. Its claims errors are then real, and a second signature failure reports
            // the first one.
            (Err(e), Some(previous)) if *e.kind() == ErrorKind::InvalidSignature => {
                match decode(previous) {
                    Err(again) if *again.kind() == ErrorKind::InvalidSignature => (Err(e), false),
                    other => (other, true),
                }
            }
            (decoded, _) => (decoded, false),
        };
        let mut verified = decoded
            .map(|data| data.claims.into_verified(self.audience.as_deref()))
            .map_err(|e| classify(self, token, &e))?;
        verified.previous_secret = previous_secret;
        // A token lives at most the configured lifetime from its `iat`, and not past its
        // session cap, even when its `exp` is later. So a token that another issuer signed with
        // a longer life or cap, or that was issued before the config changed, is renewed and
        // overdue on this config's schedule. The handler, the revocation check and the cache
        // all read this capped `exp`. A token issued after its cap ended keeps its `exp`, so
        // that the time checks reject it for the cap and not for inconsistent times.
        let claims = Arc::make_mut(&mut verified.claims);
        claims.exp = claims.exp.min(claims.iat.saturating_add(self.lifetime));
        let cap_end = claims.auth_time.saturating_add(self.cap);
        if cap_end >= claims.iat {
            claims.exp = claims.exp.min(cap_end);
        }
        // `issue_token` never issues an empty user id, so a signed token with one is malformed.
        if verified.claims.sub.is_empty() {
            return Err(Reason::MalformedClaims(ClaimFault::EmptySubject.into()));
        }
        if verified.claims.sid.as_deref() == Some("") {
            return Err(Reason::MalformedClaims(ClaimFault::EmptySessionId.into()));
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
///
/// jsonwebtoken checks the claims only after the signature, so a claim, issuer or audience error
/// comes from a token signed with the secret. Only then is the payload decoded again, for the
/// details of the log line.
fn classify(config: &Inner, token: &str, error: &jsonwebtoken::errors::Error) -> Reason {
    match jsonwebtoken::decode_header(token) {
        Err(_) => return Reason::MalformedToken,
        Ok(header) if header.alg != Algorithm::HS256 => return Reason::WrongAlgorithm,
        Ok(_) => {}
    }
    let wrong_issuer = || {
        let mismatch = Mismatch::of(token, "iss", config.issuer.as_deref());
        Reason::WrongIssuer(Box::new(mismatch))
    };
    let wrong_audience = || {
        let mismatch = Mismatch::of(token, "aud", config.audience.as_deref());
        Reason::WrongAudience(Box::new(mismatch))
    };
    match error.kind() {
        ErrorKind::InvalidSignature => Reason::BadSignature,
        ErrorKind::InvalidAlgorithm
        | ErrorKind::UnsupportedAlgorithm
        | ErrorKind::MissingAlgorithm => Reason::WrongAlgorithm,
        ErrorKind::InvalidIssuer => wrong_issuer(),
        ErrorKind::MissingRequiredClaim(claim) if claim == "iss" => wrong_issuer(),
        ErrorKind::InvalidAudience => wrong_audience(),
        ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => wrong_audience(),
        ErrorKind::InvalidClaimFormat(claim) if claim == "aud" => wrong_audience(),
        ErrorKind::MissingRequiredClaim(_)
        | ErrorKind::InvalidClaimFormat(_)
        | ErrorKind::Json(_) => Reason::MalformedClaims(ClaimFaults::of(token, error)),
        _ => Reason::MalformedToken,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use http::header::AUTHORIZATION;
    use http::HeaderValue;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    use super::*;
    use crate::server::{AuthConfig, AuthConfigBuilder, ManualClock};

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
        let Some(Reason::MalformedClaims(faults)) = reason(&token) else {
            panic!("expected malformed claims, got {:?}", reason(&token));
        };
        assert_eq!(
            faults.faults(),
            [ClaimFault::Missing { claim: "username" }],
            "the missing username is named"
        );
    }

    /// Returns the reason that `config` rejects `token` for, or None when it does not.
    fn reason_with(config: &AuthConfig, token: &str) -> Option<Reason> {
        let mut headers = HeaderMap::new();
        let value = HeaderValue::try_from(format!("Bearer {token}")).expect("a header value");
        headers.insert(AUTHORIZATION, value);
        match config.inner.verify(&headers).decision {
            Decision::Reject(reason) => Some(reason),
            _ => None,
        }
    }

    /// Returns the log text of the reason that `config` rejects `token` for.
    fn logged(config: &AuthConfig, token: &str) -> String {
        reason_with(config, token)
            .unwrap_or_else(|| panic!("expected the token to be rejected"))
            .to_string()
    }

    fn config_with(build: impl FnOnce(AuthConfigBuilder) -> AuthConfigBuilder) -> AuthConfig {
        build(AuthConfig::builder(SECRET.to_vec()).clock(ManualClock::new(NOW)))
            .build()
            .expect("the test config builds")
    }

    #[test]
    fn log_names_missing_claims() {
        let mut claims = claims();
        let object = claims.as_object_mut().expect("an object");
        for claim in ["username", "jti", "auth_time", "iat"] {
            object.remove(claim);
        }
        let token = sign(Algorithm::HS256, &claims, SECRET);
        assert_eq!(
            logged(&config(), &token),
            "token claims are missing or wrongly typed: username is missing, iat is missing, \
             jti is missing, auth_time is missing",
            "every missing claim is named"
        );
    }

    #[test]
    fn log_names_wrongly_typed_claim() {
        let mut claims = claims();
        claims["jti"] = json!(42);
        let token = sign(Algorithm::HS256, &claims, SECRET);
        assert_eq!(
            logged(&config(), &token),
            "token claims are missing or wrongly typed: jti is the number 42, expected a string",
            "the claim, the value and the expected type"
        );
    }

    #[test]
    fn log_names_empty_subject() {
        let mut claims = claims();
        claims["sub"] = json!("");
        let token = sign(Algorithm::HS256, &claims, SECRET);
        assert_eq!(
            logged(&config(), &token),
            "token claims are missing or wrongly typed: sub is the empty string, expected a \
             user id",
            "the empty sub is named"
        );
    }

    /// Claims whose JSON gives `sub` twice.
    struct DuplicateSubject;

    impl serde::Serialize for DuplicateSubject {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = serializer.serialize_map(None)?;
            map.serialize_entry("sub", "1")?;
            map.serialize_entry("sub", "2")?;
            map.serialize_entry("username", "ada")?;
            map.serialize_entry("iat", &NOW)?;
            map.serialize_entry("exp", &(NOW + 7200))?;
            map.serialize_entry("jti", "00112233445566778899aabbccddeeff")?;
            map.serialize_entry("auth_time", &NOW)?;
            map.end()
        }
    }

    #[test]
    fn log_names_claim_given_twice() {
        // serde_json reads a duplicate key into a map by keeping the last value, so only the
        // decoder's own message names this fault.
        let key = EncodingKey::from_secret(SECRET).expect("non-empty secret");
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &DuplicateSubject, &key)
            .expect("the test token signs");
        let logged = logged(&config(), &token);
        assert!(
            logged.starts_with(
                "token claims are missing or wrongly typed: the payload does not decode: "
            ),
            "the decoder's message is the fault: {logged}"
        );
        assert!(
            logged.contains("duplicate field `sub`"),
            "the message names the claim: {logged}"
        );
    }

    #[test]
    fn log_names_time_claim_in_future() {
        let config = config_with(|b| b.leeway(Duration::from_secs(120)));
        let mut iat_ahead = claims();
        iat_ahead["iat"] = json!(NOW + 300);
        let mut login_ahead = claims();
        login_ahead["auth_time"] = json!(NOW + 300);
        let cases = [
            (
                "iat",
                iat_ahead,
                "iat is 300 s ahead of the layer's clock, more than the 120 s allowed for clock skew",
            ),
            (
                "auth_time",
                login_ahead,
                "auth_time is 300 s ahead of the layer's clock, more than the 120 s allowed for clock \
                 skew",
            ),
        ];
        for (claim, claims, detail) in cases {
            let token = sign(Algorithm::HS256, &claims, SECRET);
            assert_eq!(
                logged(&config, &token),
                format!("token iat or auth_time is in the future: {detail}"),
                "{claim} in the future"
            );
        }
    }

    #[test]
    fn log_names_nbf_in_future() {
        let mut claims = claims();
        claims["nbf"] = json!(NOW + 90);
        let token = sign(Algorithm::HS256, &claims, SECRET);
        assert_eq!(
            logged(&config(), &token),
            "token nbf is in the future: nbf is 90 s ahead of the layer's clock, more than the \
             60 s allowed for clock skew",
            "nbf and how far ahead"
        );
    }

    #[test]
    fn log_names_issuer_values() {
        let config = config_with(|b| b.issuer("https://auth.example"));
        let mut claims = claims();
        claims["iss"] = json!("https://other.example");
        let token = sign(Algorithm::HS256, &claims, SECRET);
        assert_eq!(
            logged(&config, &token),
            "token issuer does not match: iss is the string \"https://other.example\", \
             expected \"https://auth.example\"",
            "another issuer"
        );
        let token = sign(Algorithm::HS256, &self::claims(), SECRET);
        assert_eq!(
            logged(&config, &token),
            "token issuer does not match: iss is missing, expected \"https://auth.example\"",
            "no issuer"
        );
    }

    #[test]
    fn log_names_audience_values() {
        let config = config_with(|b| b.audience("api"));
        let cases = [
            (json!("web"), r#"aud is the string "web", expected "api""#),
            (
                json!(["web", "app"]),
                r#"aud is the array "[\"web\",\"app\"]", expected "api""#,
            ),
            (json!([1, 2]), r#"aud is the array "[1,2]", expected "api""#),
        ];
        for (aud, detail) in cases {
            let mut claims = claims();
            claims["aud"] = aud.clone();
            let token = sign(Algorithm::HS256, &claims, SECRET);
            assert_eq!(
                logged(&config, &token),
                format!("token audience does not match: {detail}"),
                "aud {aud}"
            );
        }
        let token = sign(Algorithm::HS256, &claims(), SECRET);
        assert_eq!(
            logged(&config, &token),
            r#"token audience does not match: aud is missing, expected "api""#,
            "no aud"
        );
    }

    #[test]
    fn log_names_unexpected_audience() {
        let mut claims = claims();
        claims["aud"] = json!("web");
        let token = sign(Algorithm::HS256, &claims, SECRET);
        assert_eq!(
            logged(&config(), &token),
            "token audience does not match: aud is the string \"web\", expected none because \
             the config sets no audience",
            "an aud when the config sets none"
        );
    }

    /// No detail shows the token, a part of it, or the secret, even when a claim is long.
    #[test]
    fn log_detail_never_shows_token() {
        let issuer_config = config_with(|b| b.issuer("https://auth.example"));
        let long = "x".repeat(500);
        let mut wrong_type = claims();
        wrong_type["username"] = json!([long.clone()]);
        let mut other_issuer = claims();
        other_issuer["iss"] = json!(long.clone());
        let mut future = claims();
        future["iat"] = json!(NOW + 120);
        let cases = [
            ("wrong type", config(), wrong_type),
            ("other issuer", issuer_config, other_issuer),
            ("iat in the future", config(), future),
        ];
        for (what, config, claims) in cases {
            let token = sign(Algorithm::HS256, &claims, SECRET);
            let logged = logged(&config, &token);
            assert!(!logged.contains(&token), "{what}: the token is not logged");
            for (i, part) in token.split('.').enumerate() {
                assert!(
                    !logged.contains(part),
                    "{what}: part {i} of the token is not logged: {logged}"
                );
            }
            let secret = std::str::from_utf8(SECRET).expect("an ASCII secret");
            assert!(!logged.contains(secret), "{what}: the secret is not logged");
            assert!(
                !logged.contains(&long),
                "{what}: the long value is cut: {logged}"
            );
        }
    }
}
