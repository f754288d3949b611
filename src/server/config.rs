//! The configuration of the layer and its builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};
use serde::Serialize;

use super::cache::TokenCache;
use super::check::{outcome, TokenRejected, VerifiedToken};
use super::clock::{Clock, SystemClock};
use super::layer::RenewLayer;
use super::rejection::{is_valid_realm, LogLimit, INTERNAL_CODE};
use super::token::{within_depth, Claims, IssueError, Issuer, MAX_EXT_DEPTH};
use crate::protocol::Codes;

/// The shortest HMAC secret that [`AuthConfigBuilder::build`] accepts, in bytes: the output size
/// of SHA-256, as RFC 7518 §3.2 requires for HS256.
pub const MIN_SECRET_LEN: usize = 32;

/// The maximum length, in bytes, of a run whose repetition [`AuthConfigBuilder::build`] rejects
/// as a secret.
/// A random secret of [`MIN_SECRET_LEN`] bytes or more repeats no run this short, except with a
/// chance below 2^-127.
pub const MAX_REPEAT_PERIOD: usize = 64;

/// The default token lifetime: 2 hours.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);

/// The default renewal window, the time before expiry in which a request renews the token:
/// 30 minutes.
pub const DEFAULT_RENEW_WINDOW: Duration = Duration::from_secs(30 * 60);

/// The default grace period after expiry, in which a request gets the overdue response with a
/// renewed token: 10 minutes.
pub const DEFAULT_GRACE_PERIOD: Duration = Duration::from_secs(10 * 60);

/// The default session cap, measured from the original login: 7 days.
pub const DEFAULT_SESSION_CAP: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// The default leeway for clock skew on `exp` and the session cap: none.
pub const DEFAULT_LEEWAY: Duration = Duration::ZERO;

/// How far `nbf`, `iat` and `auth_time` may lie ahead of the layer's clock when the leeway is
/// shorter: 60 seconds, the default leeway of jsonwebtoken.
///
/// A token's times are whole seconds from the clock of the server that issued it. Without this
/// allowance, an instance whose clock runs a fraction of a second behind another's would reject
/// the tokens that the other just issued, and the client would end the session.
pub const ISSUED_AHEAD_ALLOWANCE: Duration = Duration::from_secs(60);

/// The default `WWW-Authenticate` realm: `renew-fetch`.
pub const DEFAULT_REALM: &str = "renew-fetch";

/// The default capacity of the cache of verified tokens: 4096 tokens, about 2.7 MB when full.
/// That size is an estimate of 650 bytes per entry: a 300-byte token, its claims and the cache's
/// bookkeeping. Tokens with a large `ext` claim take more: the cache keeps each token and its
/// decoded `ext`.
pub const DEFAULT_TOKEN_CACHE_CAPACITY: usize = 4096;

/// The largest capacity of the cache of verified tokens that [`AuthConfigBuilder::build`]
/// accepts: 1,000,000 tokens, an estimated 650 MB with tokens of 300 bytes.
pub const MAX_TOKEN_CACHE_CAPACITY: usize = 1_000_000;

/// The maximum session cap that [`AuthConfigBuilder::build`] accepts: 100 years of 365.25 days.
/// With a clock in the range of real dates, it keeps every `exp` far below 2^53, the largest
/// integer that a JavaScript number holds exactly. A test clock set near `u64::MAX` can issue a
/// larger `exp`.
pub const MAX_SESSION_CAP: Duration = Duration::from_secs(36_525 * 24 * 60 * 60);

/// The verified, shareable configuration of the layer.
///
/// Cloning is cheap (an [`Arc`] inside). The algorithm is pinned to HS256. `Debug` never prints
/// the secret.
#[derive(Clone)]
pub struct AuthConfig {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) encoding_key: EncodingKey,
    pub(crate) decoding_key: DecodingKey,
    pub(crate) validation: Validation,
    pub(crate) lifetime: u64,
    pub(crate) window: u64,
    pub(crate) grace: u64,
    pub(crate) cap: u64,
    pub(crate) leeway: u64,
    pub(crate) issuer: Option<String>,
    pub(crate) audience: Option<String>,
    pub(crate) codes: Codes,
    pub(crate) realm: String,
    pub(crate) clock: Arc<dyn Clock>,
    /// The verified tokens, or `None` when the capacity is zero.
    pub(crate) cache: Option<TokenCache>,
    pub(crate) cache_capacity: usize,
    /// The limit of WARN lines for rejected tokens and headers.
    pub(crate) warn_limit: LogLimit,
    /// The limit of INFO lines for requests without a token.
    pub(crate) info_limit: LogLimit,
    /// The limit of INFO lines for renewals.
    pub(crate) renew_limit: LogLimit,
    /// The limit of ERROR lines for renewals that failed.
    pub(crate) error_limit: LogLimit,
    /// The app's check of revoked claims, if it set one.
    pub(crate) revoked: Option<RevokedCheck>,
    /// The key of the secret before the current one, during a rotation.
    pub(crate) previous_key: Option<DecodingKey>,
}

/// The check that [`AuthConfigBuilder::revoked`] sets.
pub(crate) type RevokedCheck = Arc<dyn Fn(&Claims) -> bool + Send + Sync>;

impl Inner {
    pub(crate) fn issuer(&self) -> Issuer<'_> {
        Issuer {
            key: &self.encoding_key,
            lifetime: self.lifetime,
            cap: self.cap,
            issuer: self.issuer.as_deref(),
            audience: self.audience.as_deref(),
        }
    }
}

impl AuthConfig {
    /// Starts a builder with the HMAC secret and every other setting at its default.
    ///
    /// The secret must be at least [`MIN_SECRET_LEN`] bytes, which [`AuthConfigBuilder::build`]
    /// checks. Its bytes are the HMAC key as given: a base64 or hex secret is not decoded, and
    /// a secret read from a file keeps a trailing newline. Every service that verifies or issues
    /// these tokens must use the same bytes, so trim or decode it first where they do.
    pub fn builder(secret: impl Into<Vec<u8>>) -> AuthConfigBuilder {
        AuthConfigBuilder::new(secret)
    }

    /// Issues the first token of a new session, for a login handler. Its `auth_time` and `iat`
    /// are now, by the configured clock.
    ///
    /// # Errors
    ///
    /// [`IssueError::EmptyUserId`] when `user_id` is empty, [`IssueError::TokenTooLong`] when
    /// `user_id` and `username` make a token longer than the layer accepts (about 6,000 bytes of
    /// the two together as JSON strings), [`IssueError::Randomness`] when the system random
    /// number generator fails, [`IssueError::Signing`] when signing fails.
    pub fn issue_token(&self, user_id: &str, username: &str) -> Result<String, IssueError> {
        let now = self.inner.clock.now();
        self.inner.issuer().login(now, user_id, username, None)
    }

    /// Issues the first token of a session, as [`issue_token`](Self::issue_token) does, with
    /// `ext` as the token's `ext` claim: data of the app's own, such as roles, that every
    /// renewal copies and a handler reads with [`Claims::ext_as`]. `ext` serializes to JSON,
    /// and a value that serializes to `null` leaves the claim out.
    ///
    /// The token carries `ext` in the clear, base64url-encoded, and anyone with the token can
    /// read it, so put no secret in it. It also counts toward the token's length, and the cache
    /// of verified tokens keeps a decoded copy of it with each token, so a large `ext` takes
    /// memory in every cache entry. A value that JSON cannot hold, such as `f64::NAN`, becomes
    /// `null`.
    ///
    /// Live sessions keep the `ext` of their login until the session cap, so a change of its
    /// type that old tokens do not decode as, such as a new field without `#[serde(default)]`,
    /// fails [`Claims::ext_as`] for those sessions.
    ///
    /// # Errors
    ///
    /// As for [`issue_token`](Self::issue_token), [`IssueError::Ext`] when `ext` does not
    /// serialize to JSON, and [`IssueError::ExtTooDeep`] when it nests arrays and objects more
    /// than [`MAX_EXT_DEPTH`](super::MAX_EXT_DEPTH) levels deep.
    pub fn issue_token_with<E: Serialize + ?Sized>(
        &self,
        user_id: &str,
        username: &str,
        ext: &E,
    ) -> Result<String, IssueError> {
        let ext = serde_json::to_value(ext).map_err(IssueError::Ext)?;
        if !within_depth(&ext, MAX_EXT_DEPTH) {
            return Err(IssueError::ExtTooDeep);
        }
        let now = self.inner.clock.now();
        self.inner
            .issuer()
            .login(now, user_id, username, (!ext.is_null()).then_some(ext))
    }

    /// Checks `token` as the layer checks the token of a request, for a route whose client
    /// cannot send the `Authorization` header, such as a browser's `WebSocket` or
    /// `EventSource`, which read the token from a query parameter or a first message.
    ///
    /// A token in a query parameter shows up wherever the URL is logged, such as by tower-http's
    /// `TraceLayer` and by proxies, so prefer the first message where the protocol allows.
    ///
    /// It runs the layer's checks, the cache and the [`revoked`](AuthConfigBuilder::revoked)
    /// check, and logs nothing, so the route decides what to log. A renewal that fails in the
    /// renewal window leaves [`VerifiedToken::renewed`] empty, as the layer then passes the
    /// request without one. A token in the renewal window
    /// passes with the renewed token in [`VerifiedToken::renewed`]. A token in the grace period
    /// is rejected with [`RejectionKind::Overdue`](super::RejectionKind::Overdue), because only
    /// a response of the layer can carry the overdue code: a request through the layer renews
    /// it.
    ///
    /// ```
    /// use renew_fetch::server::{AuthConfig, RejectionKind};
    ///
    /// let secret = b"an example secret, 32 bytes or more".to_vec();
    /// let config = AuthConfig::builder(secret).build()?;
    /// let token = config.issue_token("42", "ada")?;
    /// let verified = config.verify_token(&token)?;
    /// assert_eq!(verified.claims.sub, "42");
    /// let rejected = config.verify_token("not a token").unwrap_err();
    /// assert_eq!(rejected.kind(), RejectionKind::Malformed);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Returns a [`TokenRejected`] whose kind matches the response that the layer would send,
    /// and whose `Display` form names the reason without the token.
    pub fn verify_token(&self, token: &str) -> Result<VerifiedToken, TokenRejected> {
        outcome(self.inner.verify_token(token))
    }

    /// Returns the layer for [`axum::Router::layer`] or [`axum::Router::route_layer`].
    pub fn layer(&self) -> RenewLayer {
        RenewLayer::new(self.clone())
    }

    /// Returns the token lifetime.
    pub fn token_lifetime(&self) -> Duration {
        Duration::from_secs(self.inner.lifetime)
    }

    /// Returns the renewal window before expiry.
    pub fn renew_window(&self) -> Duration {
        Duration::from_secs(self.inner.window)
    }

    /// Returns the grace period after expiry.
    pub fn grace_period(&self) -> Duration {
        Duration::from_secs(self.inner.grace)
    }

    /// Returns the session cap, measured from the original login.
    pub fn session_cap(&self) -> Duration {
        Duration::from_secs(self.inner.cap)
    }

    /// Returns the leeway for clock skew.
    pub fn leeway(&self) -> Duration {
        Duration::from_secs(self.inner.leeway)
    }

    /// Returns the required issuer, if one is set.
    pub fn issuer(&self) -> Option<&str> {
        self.inner.issuer.as_deref()
    }

    /// Returns the required audience, if one is set.
    pub fn audience(&self) -> Option<&str> {
        self.inner.audience.as_deref()
    }

    /// Returns the business codes of the envelopes that the layer writes.
    pub fn codes(&self) -> &Codes {
        &self.inner.codes
    }

    /// Returns the `WWW-Authenticate` realm.
    pub fn realm(&self) -> &str {
        &self.inner.realm
    }

    /// Returns the capacity of the cache of verified tokens. Zero means the cache is off.
    pub fn token_cache_capacity(&self) -> usize {
        self.inner.cache_capacity
    }
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("AuthConfig")
            .field("secret", &"[redacted]")
            .field(
                "previous_secret",
                &i.previous_key.as_ref().map(|_| "[redacted]"),
            )
            .field("algorithm", &Algorithm::HS256)
            .field("token_lifetime", &self.token_lifetime())
            .field("renew_window", &self.renew_window())
            .field("grace_period", &self.grace_period())
            .field("session_cap", &self.session_cap())
            .field("leeway", &self.leeway())
            .field("issuer", &i.issuer)
            .field("audience", &i.audience)
            .field("codes", &i.codes)
            .field("realm", &i.realm)
            .field("token_cache_capacity", &i.cache_capacity)
            .field("revoked", &i.revoked.as_ref().map(|_| "a check"))
            .finish_non_exhaustive()
    }
}

/// Builds an [`AuthConfig`]. Start with [`AuthConfig::builder`].
///
/// Every setting has a default, and [`build`](Self::build) checks them together.
pub struct AuthConfigBuilder {
    secret: Vec<u8>,
    previous_secret: Option<Vec<u8>>,
    lifetime: Duration,
    window: Duration,
    /// Whether the app called `renew_window`, so that an error can tell it from the default.
    window_set: bool,
    grace: Duration,
    cap: Duration,
    leeway: Duration,
    issuer: Option<String>,
    audience: Option<String>,
    codes: Codes,
    realm: String,
    clock: Arc<dyn Clock>,
    cache_capacity: usize,
    revoked: Option<RevokedCheck>,
}

impl AuthConfigBuilder {
    /// Starts a builder with the HMAC secret and every other setting at its default. The same as
    /// [`AuthConfig::builder`].
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        Self {
            secret: secret.into(),
            previous_secret: None,
            lifetime: DEFAULT_TOKEN_LIFETIME,
            window: DEFAULT_RENEW_WINDOW,
            window_set: false,
            grace: DEFAULT_GRACE_PERIOD,
            cap: DEFAULT_SESSION_CAP,
            leeway: DEFAULT_LEEWAY,
            issuer: None,
            audience: None,
            codes: Codes::default(),
            realm: DEFAULT_REALM.to_owned(),
            clock: Arc::new(SystemClock),
            cache_capacity: DEFAULT_TOKEN_CACHE_CAPACITY,
            revoked: None,
        }
    }

    /// Sets the secret that tokens were signed with before the current one, to rotate the
    /// secret without logging every user out. Default: none.
    ///
    /// The layer accepts a token signed with either secret. A response to a token signed with
    /// this one always carries a renewed token, signed with the current secret, so each client
    /// moves to the current secret on its next request. [`AuthConfig::issue_token`] and every
    /// renewal sign with the current secret. Remove this setting once a token signed with it can
    /// no longer be used: the token lifetime plus the leeway plus the grace period after the
    /// change.
    /// [`build`](Self::build) checks it as it checks the secret, and rejects it when it equals
    /// the secret.
    pub fn previous_secret(mut self, secret: impl Into<Vec<u8>>) -> Self {
        self.previous_secret = Some(secret.into());
        self
    }

    /// Sets how long a token is valid from its issue, in whole seconds. Must be more than zero
    /// and longer than the renewal window. Default: [`DEFAULT_TOKEN_LIFETIME`], 2 hours.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// Sets the renewal window: a request whose token has this long or less left passes and gets
    /// a renewed token. Zero turns renewal before expiry off. Default:
    /// [`DEFAULT_RENEW_WINDOW`], 30 minutes.
    pub fn renew_window(mut self, window: Duration) -> Self {
        self.window = window;
        self.window_set = true;
        self
    }

    /// Sets the grace period: a request whose token expired this long ago or less gets the
    /// overdue response with a renewed token, and the handler is not run. Zero turns it off. At
    /// most the session cap. Default: [`DEFAULT_GRACE_PERIOD`], 10 minutes.
    pub fn grace_period(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Sets the absolute session cap, measured from the original login (`auth_time`): no token
    /// of the session, renewed or not, is valid past it plus the leeway, and no renewed token
    /// expires after it. Must be longer than the token lifetime, or equal to it for sessions of one
    /// token, with the renewal window and the grace period at zero, and at most
    /// [`MAX_SESSION_CAP`]. Default: [`DEFAULT_SESSION_CAP`], 7 days.
    pub fn session_cap(mut self, cap: Duration) -> Self {
        self.cap = cap;
        self
    }

    /// Sets the leeway for clock skew between servers: `exp` and the end of the session cap
    /// count this much later, and `nbf`, `iat` and `auth_time` may be this much in the future,
    /// or [`ISSUED_AHEAD_ALLOWANCE`] when that is longer. It is set explicitly on the verifier
    /// rather than left to the JWT library's default. Must be shorter than the token lifetime.
    /// Default: [`DEFAULT_LEEWAY`], zero.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Sets the issuer: issued tokens carry it as `iss`, and a token without it or with another
    /// is rejected. Default: none, and `iss` is then neither issued nor checked.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Sets the audience: issued tokens carry it as `aud`, and a token without it or with another
    /// is rejected. A token's `aud` may also be an array of strings that contains it, as RFC 7519
    /// allows. Default: none, and then a token that carries any `aud` is rejected.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Sets the business codes of the envelopes the layer writes. They must be four distinct
    /// values, and the client must use the same ones. Default: [`Codes::default()`].
    pub fn codes(mut self, codes: Codes) -> Self {
        self.codes = codes;
        self
    }

    /// Sets the realm of the `WWW-Authenticate` challenge. Visible ASCII and spaces, without `"`
    /// or `\`. Default: [`DEFAULT_REALM`], `renew-fetch`.
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = realm.into();
        self
    }

    /// Sets the clock that every time check and every issued token reads. Tests pass a
    /// [`ManualClock`](super::ManualClock). Default: [`SystemClock`].
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Sets how many verified tokens the layer keeps, so that a token it has seen before skips
    /// the signature check and the decoding. Zero turns the cache off. At most
    /// [`MAX_TOKEN_CACHE_CAPACITY`]. Default: [`DEFAULT_TOKEN_CACHE_CAPACITY`], 4096.
    ///
    /// The cache never changes a response. It stores a token only after the token verified and
    /// passed, keyed by the whole token string, and checks the renewal window, the grace period,
    /// the session cap, `nbf`, `iat` and `auth_time` against the clock on every request. A
    /// lookup drops a token after the grace period past its `exp`. A full cache evicts by
    /// quick_cache's Clock-PRO policy, which keeps tokens in repeated use over tokens seen once.
    /// Every layer made from one config, and from its clones, shares one cache.
    pub fn token_cache_capacity(mut self, capacity: usize) -> Self {
        self.cache_capacity = capacity;
        self
    }

    /// Sets a check that returns true for the claims of a token that the app has revoked.
    /// Default: none.
    ///
    /// To end a session, such as on logout, match its [`Claims::session_key`], which is the
    /// session id, `sid`: every token of the session keeps the `sid` of the login, and a token
    /// renewed from another carries a new `jti`. A `jti` names one token, so a list of them misses the tokens that renewals
    /// issued before the logout. `auth_time` counts whole seconds, so two logins of one user in
    /// the same second share it, and it names a session only together with `sid`. To end every
    /// session of a user, such as after a password change, match `sub` and an `auth_time`
    /// before the change.
    ///
    /// The layer calls the check on every token that verified, whether from the cache or not,
    /// before it passes, renews or responds overdue. A revoked token gets the invalid-token 401
    /// and never a renewed token, which a middleware behind the layer cannot prevent for an
    /// overdue token, because the layer responds to it without calling the inner service. The
    /// rejection is logged like the others, with the user id. On a request in the renewal
    /// window the check runs again once the handler has responded, so a logout handler that
    /// revokes the session gets no renewed token on its response.
    ///
    /// The check runs on the request path, once for each request with a valid token and twice
    /// for a renewal in the window, so it should return quickly and never block. Look the
    /// claims up in memory, such as in a set that a background task keeps current. A panic in
    /// the check is not caught, and a panic in the second run loses the response of a handler
    /// that has already run.
    ///
    /// Both sides of the set below recover the guard of a poisoned lock with
    /// `PoisonError::into_inner`. A panic elsewhere cannot leave a `HashSet` invalid, and a check
    /// that read poison as "not revoked" would accept logged-out tokens again.
    ///
    /// ```
    /// use std::collections::HashSet;
    /// use std::sync::{Arc, PoisonError, RwLock};
    ///
    /// use renew_fetch::server::{AuthConfig, Claims};
    ///
    /// // The session key of each session that logged out, kept until the session cap has
    /// // passed.
    /// let logged_out: Arc<RwLock<HashSet<String>>> = Arc::default();
    /// let list = Arc::clone(&logged_out);
    /// let config = AuthConfig::builder(b"an example secret, 32 bytes or more".to_vec())
    ///     .revoked(move |claims| {
    ///         let key = claims.session_key();
    ///         let set = list.read().unwrap_or_else(PoisonError::into_inner);
    ///         set.contains(&key)
    ///     })
    ///     .build()?;
    ///
    /// // The logout handler, which reads the claims of its request.
    /// let logout = |claims: &Claims| {
    ///     let mut set = logged_out.write().unwrap_or_else(PoisonError::into_inner);
    ///     set.insert(claims.session_key());
    /// };
    ///
    /// let token = config.issue_token("42", "ada")?;
    /// logout(&config.verify_token(&token)?.claims);
    /// assert!(config.verify_token(&token).is_err(), "a logged-out token is rejected");
    /// # // A thread that panics while it holds the write guard poisons the lock.
    /// # let poisoner = Arc::clone(&logged_out);
    /// # let panicked = std::thread::spawn(move || {
    /// #     let _guard = poisoner.write().unwrap_or_else(PoisonError::into_inner);
    /// #     panic!("a bug in a handler that writes the set");
    /// # })
    /// # .join();
    /// # assert!(panicked.is_err(), "the writing thread panicked");
    /// # assert!(logged_out.is_poisoned(), "the lock is poisoned");
    /// # assert!(config.verify_token(&token).is_err(), "still rejected after the poison");
    /// # let other = config.issue_token("7", "grace")?;
    /// # logout(&config.verify_token(&other)?.claims);
    /// # assert!(config.verify_token(&other).is_err(), "a logout after the poison works");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn revoked(mut self, check: impl Fn(&Claims) -> bool + Send + Sync + 'static) -> Self {
        self.revoked = Some(Arc::new(check));
        self
    }

    /// Checks the settings and builds the config.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] when:
    ///
    /// - the secret is shorter than [`MIN_SECRET_LEN`], or is one byte or a run of up to
    ///   [`MAX_REPEAT_PERIOD`] bytes repeated, such as a word written four times
    /// - a duration has a sub-second part
    /// - the lifetime is zero or longer than [`MAX_SESSION_CAP`], the window or leeway is not
    ///   shorter than the lifetime, the cap is shorter than the lifetime or longer than
    ///   [`MAX_SESSION_CAP`], or the grace period is longer than the cap
    /// - the cap equals the lifetime while the window or the grace period is not zero, which
    ///   neither can then act on
    /// - the previous secret fails a check of the secret, or equals the secret
    /// - the issuer or audience is empty or only whitespace, or the realm cannot be quoted
    /// - two business codes are equal, or one is 500, the code of the layer's internal errors
    /// - the token cache capacity is above [`MAX_TOKEN_CACHE_CAPACITY`]
    /// - jsonwebtoken has no crypto provider
    pub fn build(self) -> Result<AuthConfig, ConfigError> {
        if self.secret.len() < MIN_SECRET_LEN {
            return Err(ConfigError::SecretTooShort {
                len: self.secret.len(),
            });
        }
        match repeat_period(&self.secret) {
            Some(1) => return Err(ConfigError::RepeatedByteSecret),
            Some(period) => return Err(ConfigError::RepeatedSecret { period }),
            None => {}
        }
        if let Some(previous) = &self.previous_secret {
            let problem = if previous.len() < MIN_SECRET_LEN {
                Some(ConfigError::SecretTooShort {
                    len: previous.len(),
                })
            } else {
                match repeat_period(previous) {
                    Some(1) => Some(ConfigError::RepeatedByteSecret),
                    Some(period) => Some(ConfigError::RepeatedSecret { period }),
                    None => None,
                }
            };
            if let Some(problem) = problem {
                return Err(ConfigError::PreviousSecret {
                    problem: Box::new(problem),
                });
            }
            if *previous == self.secret {
                return Err(ConfigError::PreviousSecretIsSecret);
            }
        }
        // These run before the sub-second check, so that following its hint to use whole
        // seconds cannot lead into them.
        if self.lifetime > MAX_SESSION_CAP {
            return Err(ConfigError::LifetimeTooLong {
                lifetime: self.lifetime,
            });
        }
        if self.cap > MAX_SESSION_CAP {
            return Err(ConfigError::CapTooLong { cap: self.cap });
        }
        for (setting, value) in [
            ("token_lifetime", self.lifetime),
            ("renew_window", self.window),
            ("grace_period", self.grace),
            ("session_cap", self.cap),
            ("leeway", self.leeway),
        ] {
            if value.subsec_nanos() != 0 {
                return Err(ConfigError::SubSecond { setting, value });
            }
        }
        if self.lifetime.is_zero() {
            return Err(ConfigError::ZeroLifetime);
        }
        if self.window >= self.lifetime {
            return Err(ConfigError::WindowNotShorterThanLifetime {
                window: self.window,
                lifetime: self.lifetime,
                default: !self.window_set,
            });
        }
        if self.cap < self.lifetime {
            return Err(ConfigError::CapShorterThanLifetime {
                cap: self.cap,
                lifetime: self.lifetime,
            });
        }
        // Every token that the layer issues then expires at the cap, so a renewal cannot extend
        // it, and after its expiry the session cap rejects it before the grace period applies.
        if self.cap == self.lifetime && !(self.window.is_zero() && self.grace.is_zero()) {
            return Err(ConfigError::CapEqualsLifetime {
                lifetime: self.lifetime,
                window: self.window,
                grace: self.grace,
            });
        }
        if self.grace > self.cap {
            return Err(ConfigError::GraceLongerThanCap {
                grace: self.grace,
                cap: self.cap,
            });
        }
        if self.leeway >= self.lifetime {
            return Err(ConfigError::LeewayNotShorterThanLifetime {
                leeway: self.leeway,
                lifetime: self.lifetime,
            });
        }
        // jsonwebtoken compares `iss` and `aud` byte for byte, so a blank value matches only
        // the tokens that this layer issues with it, never those of another issuer.
        let blank = |value: &Option<String>| value.as_deref().is_some_and(|v| v.trim().is_empty());
        if blank(&self.issuer) {
            return Err(ConfigError::EmptyIssuer);
        }
        if blank(&self.audience) {
            return Err(ConfigError::EmptyAudience);
        }
        if !is_valid_realm(&self.realm) {
            return Err(ConfigError::InvalidRealm { realm: self.realm });
        }
        let c = &self.codes;
        let codes = [
            ("success", c.success),
            ("overdue", c.overdue),
            ("need_login", c.need_login),
            ("invalid_token", c.invalid_token),
        ];
        for (i, &(first, code)) in codes.iter().enumerate() {
            if let Some(&(second, _)) = codes[i + 1..].iter().find(|(_, other)| *other == code) {
                return Err(ConfigError::DuplicateCode {
                    code,
                    first,
                    second,
                });
            }
        }
        if let Some(&(setting, code)) = codes.iter().find(|(_, code)| *code == INTERNAL_CODE) {
            return Err(ConfigError::ReservedCode { code, setting });
        }
        if self.cache_capacity > MAX_TOKEN_CACHE_CAPACITY {
            return Err(ConfigError::TokenCacheTooLarge {
                capacity: self.cache_capacity,
            });
        }
        // jsonwebtoken 12 panics on use when it cannot pick a provider (both or neither of its
        // crypto features enabled). Failing here keeps that panic off the request path.
        if CryptoProvider::try_get_default().is_none() {
            return Err(ConfigError::NoCryptoProvider);
        }
        // Both fail only on an empty secret, which the length check has already rejected.
        let too_short = |_| ConfigError::SecretTooShort {
            len: self.secret.len(),
        };
        let decoding_key = DecodingKey::from_secret(&self.secret).map_err(too_short)?;
        let encoding_key = EncodingKey::from_secret(&self.secret).map_err(too_short)?;
        // The checks above rejected an empty previous secret too.
        let previous_key = self
            .previous_secret
            .as_deref()
            .map(DecodingKey::from_secret)
            .transpose()
            .map_err(too_short)?;

        let leeway = self.leeway.as_secs();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = leeway;
        // jsonwebtoken reads the system clock for exp and nbf, so the layer turns both checks off
        // and checks every time against the injected clock itself.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = true;
        let mut required = vec!["exp", "sub"];
        if let Some(issuer) = &self.issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        if let Some(audience) = &self.audience {
            validation.set_audience(&[audience]);
            required.push("aud");
        }
        validation.set_required_spec_claims(&required);
        let cache = (self.cache_capacity > 0).then(|| {
            let tail = leeway.saturating_add(self.grace.as_secs());
            TokenCache::new(self.cache_capacity, tail)
        });

        Ok(AuthConfig {
            inner: Arc::new(Inner {
                encoding_key,
                decoding_key,
                validation,
                lifetime: self.lifetime.as_secs(),
                window: self.window.as_secs(),
                grace: self.grace.as_secs(),
                cap: self.cap.as_secs(),
                leeway,
                issuer: self.issuer,
                audience: self.audience,
                codes: self.codes,
                realm: self.realm,
                clock: self.clock,
                cache,
                cache_capacity: self.cache_capacity,
                warn_limit: LogLimit::new(tracing::Level::WARN, "rejections"),
                info_limit: LogLimit::new(tracing::Level::INFO, "rejections"),
                renew_limit: LogLimit::new(tracing::Level::INFO, "renewals"),
                error_limit: LogLimit::new(tracing::Level::ERROR, "renewal failures"),
                revoked: self.revoked,
                previous_key,
            }),
        })
    }
}

impl fmt::Debug for AuthConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfigBuilder")
            .field("secret", &"[redacted]")
            .field(
                "previous_secret",
                &self.previous_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("token_lifetime", &self.lifetime)
            .field("renew_window", &self.window)
            .field("grace_period", &self.grace)
            .field("session_cap", &self.cap)
            .field("leeway", &self.leeway)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("codes", &self.codes)
            .field("realm", &self.realm)
            .field("token_cache_capacity", &self.cache_capacity)
            .field("revoked", &self.revoked.as_ref().map(|_| "a check"))
            .finish_non_exhaustive()
    }
}

/// The error returned when [`AuthConfigBuilder::build`] rejects the settings.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The HMAC secret is shorter than [`MIN_SECRET_LEN`] bytes.
    SecretTooShort {
        /// The length of the secret that was given, in bytes.
        len: usize,
    },
    /// The HMAC secret is one byte repeated, such as 32 zero bytes, so it is not random.
    RepeatedByteSecret,
    /// The HMAC secret is its first `period` bytes repeated, such as a word written four
    /// times, so it is not random.
    RepeatedSecret {
        /// The length of the repeated run, in bytes: from 2 to [`MAX_REPEAT_PERIOD`].
        period: usize,
    },
    /// A duration has a sub-second part, but tokens count whole seconds.
    SubSecond {
        /// The builder setting.
        setting: &'static str,
        /// The value that was given.
        value: Duration,
    },
    /// The token lifetime is zero.
    ZeroLifetime,
    /// The token lifetime is longer than [`MAX_SESSION_CAP`], so no session cap could hold it.
    LifetimeTooLong {
        /// The token lifetime.
        lifetime: Duration,
    },
    /// The renewal window is not shorter than the token lifetime, so every token would renew on
    /// every request.
    WindowNotShorterThanLifetime {
        /// The renewal window.
        window: Duration,
        /// The token lifetime.
        lifetime: Duration,
        /// Whether the window is the default, which the app never set.
        default: bool,
    },
    /// The session cap is shorter than the token lifetime.
    CapShorterThanLifetime {
        /// The session cap.
        cap: Duration,
        /// The token lifetime.
        lifetime: Duration,
    },
    /// The session cap is longer than [`MAX_SESSION_CAP`].
    CapTooLong {
        /// The session cap.
        cap: Duration,
    },
    /// The session cap equals the token lifetime, so every token that the layer issues expires
    /// at the cap and is never renewed, but the renewal window or the grace period is not zero.
    CapEqualsLifetime {
        /// The token lifetime, which is also the session cap.
        lifetime: Duration,
        /// The renewal window.
        window: Duration,
        /// The grace period.
        grace: Duration,
    },
    /// The grace period is longer than the session cap, which ends every session first.
    GraceLongerThanCap {
        /// The grace period.
        grace: Duration,
        /// The session cap.
        cap: Duration,
    },
    /// The leeway is not shorter than the token lifetime.
    LeewayNotShorterThanLifetime {
        /// The leeway.
        leeway: Duration,
        /// The token lifetime.
        lifetime: Duration,
    },
    /// The issuer is empty or only whitespace.
    EmptyIssuer,
    /// The audience is empty or only whitespace.
    EmptyAudience,
    /// The realm contains a `"`, a `\` or a byte outside visible ASCII and space.
    InvalidRealm {
        /// The realm that was given.
        realm: String,
    },
    /// Two of the business codes are equal, so the client could not tell them apart.
    DuplicateCode {
        /// The code that appears twice.
        code: i64,
        /// The field of [`Codes`] that has it first, such as `"success"`.
        first: &'static str,
        /// The next field of [`Codes`] that has it.
        second: &'static str,
    },
    /// A business code is 500, which the layer's internal-error responses carry, so the client
    /// would read a server failure as that code.
    ReservedCode {
        /// The reserved code.
        code: i64,
        /// The field of [`Codes`] that has it, such as `"overdue"`.
        setting: &'static str,
    },
    /// jsonwebtoken has no crypto provider: enable exactly one of its `rust_crypto` and
    /// `aws_lc_rs` features, or install one.
    NoCryptoProvider,
    /// The previous secret fails a check of the secret.
    PreviousSecret {
        /// The error that the previous secret would get as the secret.
        problem: Box<ConfigError>,
    },
    /// The previous secret equals the secret, so it rotates nothing.
    PreviousSecretIsSecret,
    /// The token cache capacity is above [`MAX_TOKEN_CACHE_CAPACITY`].
    TokenCacheTooLarge {
        /// The capacity that was given.
        capacity: usize,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SecretTooShort { len } => write!(
                f,
                "the HMAC secret is {len} bytes long, but HS256 needs at least {MIN_SECRET_LEN}; \
                 use {MIN_SECRET_LEN} or more random bytes, for example the output of \
                 `openssl rand -base64 48`"
            ),
            Self::SubSecond { setting, value } => write!(
                f,
                "{setting} is {value:?}, but token times are whole seconds; use Duration::from_secs"
            ),
            Self::RepeatedByteSecret => f.write_str(
                "the HMAC secret is one byte repeated, so it is not random; use random bytes, \
                 for example the output of `openssl rand -base64 48`",
            ),
            Self::RepeatedSecret { period } => write!(
                f,
                "the HMAC secret is its first {period} bytes repeated, so it is not random; use \
                 random bytes, for example the output of `openssl rand -base64 48`"
            ),
            Self::ZeroLifetime => {
                f.write_str("token_lifetime is zero; give it at least one second")
            }
            Self::LifetimeTooLong { lifetime } => write!(
                f,
                "token_lifetime ({} s) is longer than the maximum session_cap of {max} s (100 \
                 years), and no token may outlive its session; set token_lifetime below {max} s \
                 and session_cap above it",
                lifetime.as_secs(),
                max = MAX_SESSION_CAP.as_secs()
            ),
            Self::WindowNotShorterThanLifetime {
                window,
                lifetime,
                default,
            } => {
                let (window, lifetime) = (window.as_secs(), lifetime.as_secs());
                let default = if *default { ", its default" } else { "" };
                write!(
                    f,
                    "renew_window ({window} s{default}) must be shorter than token_lifetime \
                     ({lifetime} s); set renew_window below {lifetime} s"
                )?;
                let quarter = lifetime / 4;
                if quarter > 0 {
                    write!(
                        f,
                        ", such as {quarter} s for the last quarter of each token's life"
                    )?;
                }
                write!(f, ", or token_lifetime above {window} s")
            }
            Self::CapShorterThanLifetime { cap, lifetime } => {
                write!(
                    f,
                    "session_cap ({} s) must be at least token_lifetime ({} s); ",
                    cap.as_secs(),
                    lifetime.as_secs()
                )?;
                write_cap_fix(f, *lifetime)?;
                write!(
                    f,
                    ", or session_cap to {} s if renew_window and grace_period are 0",
                    lifetime.as_secs()
                )
            }
            Self::CapEqualsLifetime {
                lifetime,
                window,
                grace,
            } => {
                // Only the settings that are not zero are without effect.
                let unused = [("renew_window", window), ("grace_period", grace)]
                    .into_iter()
                    .filter(|(_, value)| !value.is_zero())
                    .map(|(name, value)| format!("{name} ({} s)", value.as_secs()))
                    .collect::<Vec<_>>()
                    .join(" and ");
                write!(
                    f,
                    "session_cap equals token_lifetime ({} s), so every token that the layer \
                     issues expires at the cap and is never renewed, which leaves {unused} \
                     without effect; ",
                    lifetime.as_secs(),
                )?;
                write_cap_fix(f, *lifetime)?;
                f.write_str(", or set renew_window and grace_period to 0 for sessions of one token")
            }
            Self::CapTooLong { cap } => write!(
                f,
                "session_cap ({} s) is longer than the maximum of {max} s (100 years); set \
                 session_cap to {max} s or less",
                cap.as_secs(),
                max = MAX_SESSION_CAP.as_secs()
            ),
            Self::GraceLongerThanCap { grace, cap } => write!(
                f,
                "grace_period ({grace} s) must not be longer than session_cap ({cap} s), which \
                 ends every session first; set grace_period to {cap} s or less, or a longer \
                 session_cap",
                grace = grace.as_secs(),
                cap = cap.as_secs()
            ),
            Self::LeewayNotShorterThanLifetime { leeway, lifetime } => write!(
                f,
                "leeway ({leeway} s) must be shorter than token_lifetime ({lifetime} s); set \
                 leeway below {lifetime} s",
                leeway = leeway.as_secs(),
                lifetime = lifetime.as_secs()
            ),
            Self::EmptyIssuer => f.write_str(
                "issuer is empty or only whitespace, so it names no issuer; set the issuer that \
                 tokens carry in iss, or none",
            ),
            Self::EmptyAudience => f.write_str(
                "audience is empty or only whitespace, so it names no audience; set the audience \
                 that tokens carry in aud, or none",
            ),
            Self::InvalidRealm { realm } => write!(
                f,
                "realm {realm:?} must be visible ASCII and spaces, without '\"' or '\\'"
            ),
            Self::DuplicateCode {
                code,
                first,
                second,
            } => write!(
                f,
                "codes.{first} and codes.{second} are both {code}; the success, overdue, \
                 need_login and invalid_token codes must differ, so change one of the two"
            ),
            Self::ReservedCode { code, setting } => write!(
                f,
                "codes.{setting} is {code}, the code of the layer's internal-error responses; \
                 pick another code"
            ),
            Self::NoCryptoProvider => f.write_str(
                "jsonwebtoken has no crypto provider; enable exactly one of its `rust_crypto` \
                 and `aws_lc_rs` features",
            ),
            Self::PreviousSecret { problem } => {
                let problem = problem.to_string();
                let problem = problem.strip_prefix("the HMAC secret").unwrap_or(&problem);
                write!(f, "the previous_secret{problem}")
            }
            Self::PreviousSecretIsSecret => f.write_str(
                "previous_secret equals the secret, so it rotates nothing; give the secret that \
                 tokens were signed with before the current one, or remove previous_secret",
            ),
            Self::TokenCacheTooLarge { capacity } => write!(
                f,
                "token_cache_capacity is {capacity}, above the maximum of \
                 {MAX_TOKEN_CACHE_CAPACITY}; use {MAX_TOKEN_CACHE_CAPACITY} or less, or 0 to turn \
                 the cache off"
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Writes the change that makes the session cap longer than `lifetime`. At the maximum lifetime
/// no cap can be longer, so the lifetime must shrink first.
fn write_cap_fix(f: &mut fmt::Formatter<'_>, lifetime: Duration) -> fmt::Result {
    let max = MAX_SESSION_CAP.as_secs();
    if lifetime < MAX_SESSION_CAP {
        write!(f, "set session_cap above {} s", lifetime.as_secs())
    } else {
        write!(
            f,
            "set token_lifetime below {max} s, the maximum session_cap, and session_cap above it"
        )
    }
}

/// Returns the shortest period of `secret` up to [`MAX_REPEAT_PERIOD`] and half its length: the
/// smallest `p` such that every byte equals the byte `p` places before it.
fn repeat_period(secret: &[u8]) -> Option<usize> {
    let longest = MAX_REPEAT_PERIOD.min(secret.len() / 2);
    (1..=longest).find(|&p| secret[p..].iter().zip(secret).all(|(a, b)| a == b))
}
