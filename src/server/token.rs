//! The claims, and issuing and renewing tokens: the jti, the expiry arithmetic, the signature
//! and the log fingerprint.

use std::fmt;
use std::sync::Arc;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::de::{self, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};

use super::cache::Verified;
use crate::protocol::{BEARER_SCHEME, MAX_AUTHORIZATION_LEN};

/// The deepest nesting of arrays and objects in the `ext` claim that
/// [`AuthConfig::issue_token_with`](super::AuthConfig::issue_token_with) accepts. serde_json,
/// which decodes every token, stops at 128 levels in the `ext` value, and the claims object is
/// one of them. serde_json (1.0.154) skips a top-level claim that [`Claims`] does not name
/// without a depth limit, on a heap stack rather than by recursion, so the layer accepts a
/// signed token whose unknown claim nests deeper. The 8 KiB limit on the `Authorization` header
/// bounds that work.
pub const MAX_EXT_DEPTH: usize = 64;

/// Returns true when `value` nests arrays and objects no deeper than `max` levels. A scalar is
/// level 0. It walks the value with a stack of its own, so a deep value cannot overflow the
/// thread's stack.
pub(crate) fn within_depth(value: &serde_json::Value, max: usize) -> bool {
    let mut stack = vec![(value, 0usize)];
    while let Some((value, depth)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &serde_json::Value>> = match value {
            serde_json::Value::Array(items) => Box::new(items.iter()),
            serde_json::Value::Object(fields) => Box::new(fields.values()),
            _ => continue,
        };
        if depth + 1 > max {
            return false;
        }
        stack.extend(children.map(|child| (child, depth + 1)));
    }
    true
}

/// The maximum length of a token that fits in an `Authorization: Bearer <token>` header that the
/// layer accepts, in bytes.
pub(crate) const MAX_TOKEN_LEN: usize = MAX_AUTHORIZATION_LEN - BEARER_SCHEME.len() - 1;

/// The verified claims of a token.
///
/// A handler behind the layer takes them as an extractor:
///
/// ```
/// use renew_fetch::server::Claims;
///
/// async fn profile(claims: Claims) -> String {
///     format!("hello {}", claims.username)
/// }
/// ```
///
/// A handler whose route is not behind the layer gets a 500 with a generic envelope instead, and
/// the cause is logged. An anonymous request on a layer with
/// [`RenewLayer::allow_anonymous`](super::RenewLayer::allow_anonymous) gets the need-login 401.
/// `Option<Claims>` reads `None` in both cases.
///
/// The layer puts them in the request extensions as an `Arc<Claims>`, which its cache of
/// verified tokens shares when the cache is on, so a request whose handler does not read them
/// costs no copy. The extractor copies them out of the `Arc`. A handler can take
/// `Extension<Arc<Claims>>` instead to skip the copy, and a middleware behind the layer reads
/// them with `request.extensions().get::<Arc<Claims>>()`. `request.extensions().get::<Claims>()`
/// returns `None`, so a middleware that looks for that type treats every request as one without
/// claims. `Extension<Claims>` finds nothing either, and axum rejects the request with a 500.
///
/// ```
/// use std::sync::Arc;
///
/// use axum::Extension;
/// use renew_fetch::server::Claims;
///
/// async fn user_id(Extension(claims): Extension<Arc<Claims>>) -> String {
///     claims.sub.clone()
/// }
/// ```
///
/// They are the claims of the token that the request sent, except that [`exp`](Self::exp) is
/// the expiry that the layer enforces. When the layer renews that token, the response carries
/// the new one, whose `iat`, `exp` and `jti` differ from these.
///
/// The layer accepts the tokens that [`AuthConfig::issue_token`](super::AuthConfig::issue_token)
/// and its renewals issue. A token from another issuer must carry every field below that is not
/// optional, with the type given, or the layer rejects it as malformed. `Claims` contains these
/// claims only, so a handler cannot read any other top-level claim of a token, and a renewal
/// does not carry one over. Data of the app's own, such as roles, goes in the `ext` claim, which
/// [`AuthConfig::issue_token_with`](super::AuthConfig::issue_token_with) sets and every renewal
/// copies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id (`sub`).
    pub sub: String,
    /// The username, for display.
    pub username: String,
    /// When this token was issued, in seconds since the UNIX epoch.
    pub iat: u64,
    /// When this token expires, in seconds since the UNIX epoch, as the layer enforces it. That
    /// is the earliest of the token's `exp` claim, `iat` plus the configured lifetime, and
    /// `auth_time` plus the session cap, as for a token signed with a longer lifetime or a
    /// longer cap by another issuer or before the config changed. For every token that this
    /// config issues, it equals the `exp` claim. The token stays valid through this second
    /// plus the leeway.
    pub exp: u64,
    /// The token id: 128 random bits in lowercase hex, new for every token, including a renewal.
    pub jti: String,
    /// When the user originally logged in, in seconds since the UNIX epoch. Renewal keeps it, and
    /// the session cap is measured from it.
    pub auth_time: u64,
    /// The session id: 128 random bits in lowercase hex, drawn at login and kept by every
    /// renewal, so it names one session of one user. Two logins in the same second share their
    /// `auth_time` but not their `sid`. `None` for a token from another issuer that carries none,
    /// and for its renewals. [`session_key`](Self::session_key) covers both cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The issuer, present when the config sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The audience, present when the config sets one. A token may carry `aud` as a string or,
    /// as RFC 7519 allows, as an array of strings that contains the configured audience. Both
    /// forms read as the configured audience here, and tokens the layer issues carry the string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// The app's own data, such as roles, as given to
    /// [`AuthConfig::issue_token_with`](super::AuthConfig::issue_token_with). Every renewal
    /// copies it unchanged, so it stays what it was at login until the session ends: look up
    /// data that may change during a session, such as a revoked role, by `sub` instead. `None`
    /// for a token issued without it. [`ext_as`](Self::ext_as) decodes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext: Option<serde_json::Value>,
}

impl Claims {
    /// Decodes the `ext` claim as `T`, or returns `Ok(None)` when the token carries none.
    ///
    /// ```
    /// use renew_fetch::server::AuthConfig;
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(Serialize, Deserialize, Debug, PartialEq)]
    /// struct Roles {
    ///     roles: Vec<String>,
    /// }
    ///
    /// let secret = b"an example secret, 32 bytes or more".to_vec();
    /// let config = AuthConfig::builder(secret).build()?;
    /// let roles = Roles { roles: vec!["admin".to_owned()] };
    /// let token = config.issue_token_with("42", "ada", &roles)?;
    /// let claims = config.verify_token(&token)?.claims;
    /// assert_eq!(claims.ext_as::<Roles>()?, Some(roles));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Returns serde_json's error when the claim does not decode as `T`.
    pub fn ext_as<T: serde::de::DeserializeOwned>(&self) -> Result<Option<T>, serde_json::Error> {
        self.ext.as_ref().map(T::deserialize).transpose()
    }

    /// Returns a key that names the session of this token, for a list of sessions that logged
    /// out: the `sid`, or `sub@auth_time` for a token without one, such as from another issuer.
    /// A `sid` that the layer issues never contains `@`, so the two forms do not collide. The second form names every
    /// session of the user that logged in in that second.
    pub fn session_key(&self) -> String {
        match &self.sid {
            Some(sid) => sid.clone(),
            None => format!("{}@{}", self.sub, self.auth_time),
        }
    }
}

/// The claims as read from a token: [`Claims`] plus the optional `nbf`, which the layer checks
/// but never issues.
#[derive(Deserialize)]
pub(crate) struct WireClaims {
    sub: String,
    username: String,
    iat: u64,
    exp: u64,
    jti: String,
    auth_time: u64,
    #[serde(default)]
    sid: Option<String>,
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    aud: Option<Audience>,
    #[serde(default)]
    nbf: Option<u64>,
    #[serde(default)]
    ext: Option<serde_json::Value>,
}

/// The `aud` claim in either form that RFC 7519 allows: the string, or `None` for an array.
/// jsonwebtoken has checked the members of an array against the configured audience, so they
/// are skipped here.
struct Audience(Option<String>);

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AudienceVisitor;

        impl<'de> Visitor<'de> for AudienceVisitor {
            type Value = Audience;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Audience, E> {
                Ok(Audience(Some(value.to_owned())))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Audience, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Audience(None))
            }
        }

        deserializer.deserialize_any(AudienceVisitor)
    }
}

impl WireClaims {
    /// Converts claims that jsonwebtoken has verified against `audience`, the configured one.
    ///
    /// jsonwebtoken accepts an `aud` array only when the config sets an audience and the array
    /// contains it, so an array becomes that audience.
    pub(crate) fn into_verified(self, audience: Option<&str>) -> Verified {
        let aud = match self.aud {
            None => None,
            Some(Audience(Some(aud))) => Some(aud),
            Some(Audience(None)) => audience.map(str::to_owned),
        };
        let claims = Claims {
            sub: self.sub,
            username: self.username,
            iat: self.iat,
            exp: self.exp,
            jti: self.jti,
            auth_time: self.auth_time,
            sid: self.sid,
            iss: self.iss,
            aud,
            ext: self.ext,
        };
        Verified {
            claims: Arc::new(claims),
            nbf: self.nbf,
            previous_secret: false,
        }
    }
}

/// The error returned when a token cannot be issued.
#[derive(Debug)]
#[non_exhaustive]
pub enum IssueError {
    /// The user id is empty, so the token would have no subject.
    EmptyUserId,
    /// The session cap leaves no time for a new token.
    SessionCapReached,
    /// The operating system's random number generator failed while making the jti or the
    /// session id.
    Randomness(Box<dyn std::error::Error + Send + Sync>),
    /// Signing the token failed.
    Signing(Box<dyn std::error::Error + Send + Sync>),
    /// The `ext` data given to
    /// [`AuthConfig::issue_token_with`](super::AuthConfig::issue_token_with) does not serialize
    /// to JSON, such as a map whose keys are sequences, tuples or structs.
    Ext(serde_json::Error),
    /// The `ext` data nests arrays and objects deeper than [`MAX_EXT_DEPTH`], so the layer's
    /// JSON decoder would reject the token on every request.
    ExtTooDeep,
    /// The token would be longer than the layer accepts in an `Authorization` header, so every
    /// request that sent it would get a 400. The user id, the username and the `ext` data set
    /// its length.
    TokenTooLong {
        /// The length of the signed token, in bytes.
        len: usize,
        /// The maximum token length, in bytes: [`MAX_AUTHORIZATION_LEN`] less `"Bearer "`.
        max: usize,
    },
}

impl fmt::Display for IssueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyUserId => f.write_str("cannot issue a token: the user id is empty"),
            Self::SessionCapReached => {
                f.write_str("cannot issue a token: the session cap has been reached")
            }
            Self::Randomness(_) => {
                f.write_str("cannot issue a token: the system random number generator failed")
            }
            Self::Signing(_) => f.write_str("cannot issue a token: signing failed"),
            Self::Ext(error) => write!(
                f,
                "cannot issue a token: the ext data does not serialize to JSON: {error}"
            ),
            Self::ExtTooDeep => write!(
                f,
                "cannot issue a token: the ext data nests arrays and objects more than \
                 {MAX_EXT_DEPTH} levels deep; flatten it"
            ),
            Self::TokenTooLong { len, max } => write!(
                f,
                "cannot issue a token: it would be {len} bytes long, but the layer accepts \
                 tokens of at most {max} bytes; shorten the user id, the username or the ext \
                 data"
            ),
        }
    }
}

impl std::error::Error for IssueError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Randomness(source) | Self::Signing(source) => Some(source.as_ref()),
            Self::Ext(error) => Some(error),
            Self::EmptyUserId
            | Self::SessionCapReached
            | Self::ExtTooDeep
            | Self::TokenTooLong { .. } => None,
        }
    }
}

/// The times and identity settings that issuing needs, borrowed from the config.
pub(crate) struct Issuer<'a> {
    pub(crate) key: &'a EncodingKey,
    pub(crate) lifetime: u64,
    pub(crate) cap: u64,
    pub(crate) issuer: Option<&'a str>,
    pub(crate) audience: Option<&'a str>,
}

impl Issuer<'_> {
    /// Issues the first token of a session that starts at `now`.
    pub(crate) fn login(
        &self,
        now: u64,
        user_id: &str,
        username: &str,
        ext: Option<serde_json::Value>,
    ) -> Result<String, IssueError> {
        if user_id.is_empty() {
            return Err(IssueError::EmptyUserId);
        }
        let session = Session {
            sub: user_id.to_owned(),
            username: username.to_owned(),
            auth_time: now,
            sid: Some(random_id()?),
            ext,
        };
        self.sign(now, session).map(|(token, _)| token)
    }

    /// Issues the successor of `old` at `now`: same user, login time, session id and `ext`, new
    /// jti and iat, and `exp = min(now + lifetime, auth_time + cap)`.
    ///
    /// A login time ahead of `now`, from an instance whose clock runs ahead, counts as `now`, so
    /// that the new token's `iat` is never before its `auth_time`, which would make it invalid.
    pub(crate) fn renew(&self, now: u64, old: &Claims) -> Result<(String, Claims), IssueError> {
        let now = now.max(old.auth_time);
        let session = Session {
            sub: old.sub.clone(),
            username: old.username.clone(),
            auth_time: old.auth_time,
            sid: old.sid.clone(),
            ext: old.ext.clone(),
        };
        self.sign(now, session)
    }

    /// Computes the expiry of a token issued at `now` for a session that began at `auth_time`.
    pub(crate) fn expiry(&self, now: u64, auth_time: u64) -> u64 {
        now.saturating_add(self.lifetime)
            .min(auth_time.saturating_add(self.cap))
    }

    fn sign(&self, now: u64, session: Session) -> Result<(String, Claims), IssueError> {
        let exp = self.expiry(now, session.auth_time);
        if exp <= now {
            return Err(IssueError::SessionCapReached);
        }
        let claims = Claims {
            sub: session.sub,
            username: session.username,
            iat: now,
            exp,
            jti: random_id()?,
            auth_time: session.auth_time,
            sid: session.sid,
            iss: self.issuer.map(str::to_owned),
            aud: self.audience.map(str::to_owned),
            ext: session.ext,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, self.key)
            .map_err(|e| IssueError::Signing(Box::new(e)))?;
        if token.len() > MAX_TOKEN_LEN {
            return Err(IssueError::TokenTooLong {
                len: token.len(),
                max: MAX_TOKEN_LEN,
            });
        }
        Ok((token, claims))
    }
}

/// The claims that every token of a session carries alike.
struct Session {
    sub: String,
    username: String,
    auth_time: u64,
    sid: Option<String>,
    ext: Option<serde_json::Value>,
}

/// 128 random bits from the operating system, as 32 lowercase hex digits: a `jti` or a `sid`.
fn random_id() -> Result<String, IssueError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| IssueError::Randomness(e.to_string().into()))?;
    Ok(hex(&bytes))
}

/// Computes the log fingerprint of a token: the first 8 hex digits of its SHA-256. The token
/// itself is never logged.
pub(crate) fn fingerprint(token: &[u8]) -> String {
    hex(&Sha256::digest(token)[..4])
}

/// The log fingerprint of a token or header value, computed only when a log line formats it,
/// so a request that logs nothing never hashes. It formats as `-` when there is no value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fingerprint<'a>(pub(crate) Option<&'a [u8]>);

impl fmt::Display for Fingerprint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(bytes) => f.write_str(&fingerprint(bytes)),
            None => f.write_str("-"),
        }
    }
}

/// Encodes `bytes` as lowercase hex, two digits a byte, without the formatting machinery.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_key_without_sid() {
        let mut claims = Claims {
            sub: "42".to_owned(),
            username: "ada".to_owned(),
            iat: 1_700_000_100,
            exp: 1_700_007_300,
            jti: "00112233445566778899aabbccddeeff".to_owned(),
            auth_time: 1_700_000_000,
            sid: None,
            iss: None,
            aud: None,
            ext: None,
        };
        assert_eq!(
            claims.session_key(),
            "42@1700000000",
            "without a sid, the user id and the login time"
        );
        claims.sid = Some("ffeeddccbbaa99887766554433221100".to_owned());
        assert_eq!(
            claims.session_key(),
            "ffeeddccbbaa99887766554433221100",
            "with a sid, the sid"
        );
    }

    #[test]
    fn jti_is_32_hex_digits_and_unique() {
        let a = random_id().expect("os randomness");
        let b = random_id().expect("os randomness");
        assert_eq!(a.len(), 32, "128 bits as hex");
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
            "lowercase hex: {a}"
        );
        assert_ne!(a, b, "two jtis differ");
    }

    #[test]
    fn hex_is_lowercase_two_digits_a_byte() {
        assert_eq!(
            hex(&[0x00, 0x0f, 0xa5, 0xff]),
            "000fa5ff",
            "every nibble position"
        );
        assert_eq!(hex(&[]), "", "empty input");
    }

    #[test]
    fn fingerprint_is_first_8_hex_of_sha256() {
        // SHA-256("abc") = ba7816bf8f01cfea...
        assert_eq!(fingerprint(b"abc"), "ba7816bf", "known digest prefix");
    }

    #[test]
    fn fingerprint_display_is_lazy_digest_or_dash() {
        assert_eq!(
            Fingerprint(Some(b"abc")).to_string(),
            "ba7816bf",
            "a value formats as its fingerprint"
        );
        assert_eq!(
            Fingerprint(None).to_string(),
            "-",
            "no value formats as a dash"
        );
    }

    #[test]
    fn expiry_never_passes_the_cap() {
        let key = EncodingKey::from_secret(&[7u8; 32]).expect("non-empty secret");
        let issuer = Issuer {
            key: &key,
            lifetime: 100,
            cap: 1_000,
            issuer: None,
            audience: None,
        };
        assert_eq!(issuer.expiry(50, 0), 150, "lifetime when far from the cap");
        assert_eq!(issuer.expiry(950, 0), 1_000, "clamped to the cap");
        assert_eq!(
            issuer.expiry(u64::MAX, u64::MAX),
            u64::MAX,
            "saturates instead of overflowing"
        );
    }
}
