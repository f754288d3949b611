//! The axum extractor for the verified claims.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;

use axum::extract::{FromRequestParts, NestedPath, OptionalFromRequestParts};
use axum::response::{IntoResponse, Response};
use http::request::Parts;

use super::clock::{Clock, SystemClock};
use super::config::AuthConfig;
use super::rejection::{internal_error, respond, Kind, LogLimit};
use super::token::Claims;

/// The limit of ERROR lines for requests without claims, one a second for the whole process,
/// because the extractor has no config of its own. A route that reads `Claims` without the
/// layer fails on every request, and one line a second is enough to find it.
static MISSING_CLAIMS_LOG: LogLimit = LogLimit::new(tracing::Level::ERROR, "missing claims");

/// The limit of WARN lines for an `Option<Claims>` that reads `None` on a route without the
/// layer, for a request with an `Authorization` header, which serves a logged-in user as an
/// anonymous one. One line a second for the whole process, as above.
static OPTIONAL_CLAIMS_LOG: LogLimit =
    LogLimit::new(tracing::Level::WARN, "tokens on routes without the layer");

/// The mark that a layer with [`RenewLayer::allow_anonymous`](super::RenewLayer::allow_anonymous)
/// puts on a request without a token, with the config that its need-login response needs.
#[derive(Clone)]
pub(crate) struct Anonymous(pub(crate) AuthConfig);

/// The rejection of the [`Claims`] extractor when the request has no verified claims.
///
/// On a layer with [`RenewLayer::allow_anonymous`](super::RenewLayer::allow_anonymous), a
/// request without a token gets the need-login 401 that the layer sends on other routes, so one
/// anonymous-friendly layer can cover handlers that read `Claims` and handlers that read
/// `Option<Claims>`. It is logged as the layer logs it.
///
/// On a route that is not behind the layer, the response is a 500 with a generic envelope. The
/// cause goes to the log, never to the client: at ERROR once a second for the whole process, and
/// at DEBUG for the other requests of that second, which the next ERROR line counts as
/// `suppressed`.
#[derive(Clone)]
pub struct MissingClaims {
    /// The config of the layer that let the anonymous request through, or `None` when no layer
    /// saw the request.
    need_login: Option<AuthConfig>,
}

/// Shows whether the request was anonymous, and not the config.
impl fmt::Debug for MissingClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MissingClaims")
            .field("anonymous", &self.is_anonymous())
            .finish()
    }
}

impl MissingClaims {
    /// Returns true when the request had no token and a layer that allows anonymous requests
    /// let it through, so the response is the need-login 401.
    pub fn is_anonymous(&self) -> bool {
        self.need_login.is_some()
    }
}

impl fmt::Display for MissingClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_anonymous() {
            "no verified claims in the request: it carries no token, and the handler reads \
             Claims, so it gets the need-login response; read Option<Claims> to serve it"
        } else {
            "no verified claims in the request: the route is not behind RenewLayer"
        })
    }
}

impl std::error::Error for MissingClaims {}

impl IntoResponse for MissingClaims {
    fn into_response(self) -> Response {
        match self.need_login {
            Some(config) => {
                let config = &config.inner;
                respond(Kind::NeedLogin, &config.codes, &config.realm, None)
            }
            None => internal_error(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Claims {
    type Rejection = MissingClaims;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(claims) = parts.extensions.get::<Arc<Claims>>() {
            return Ok(Claims::clone(claims));
        }
        let method = &parts.method;
        let path = parts.uri.path();
        let nested_path = parts.extensions.get::<NestedPath>().map(NestedPath::as_str);
        if let Some(Anonymous(config)) = parts.extensions.get::<Anonymous>() {
            let inner = &config.inner;
            let reason = "no Authorization header, and the handler reads Claims";
            match inner.info_limit.admit(inner.clock.now()) {
                Some(suppressed) => tracing::info!(fingerprint = "-", %method, path, nested_path,
                    reason, suppressed, "request rejected"),
                None => tracing::debug!(fingerprint = "-", %method, path, nested_path, reason,
                    "request rejected"),
            }
            return Err(MissingClaims {
                need_login: Some(config.clone()),
            });
        }
        let missing = MissingClaims { need_login: None };
        match MISSING_CLAIMS_LOG.admit(SystemClock.now()) {
            Some(suppressed) => tracing::error!(%method, path, nested_path, suppressed,
                "{missing}, so the request gets a 500"),
            None => tracing::debug!(%method, path, nested_path,
                "{missing}, so the request gets a 500"),
        }
        Err(missing)
    }
}

/// `Option<Claims>` reads `None` for an anonymous request on a layer with
/// [`RenewLayer::allow_anonymous`](super::RenewLayer::allow_anonymous), and on a route that is not
/// behind the layer. On such a route it is `None` even for a request with a valid token. So a
/// request there that carries an `Authorization` header logs a WARN line, once a second for the
/// whole process and at DEBUG for the others of that second, and any other request a DEBUG
/// line.
impl<S: Send + Sync> OptionalFromRequestParts<S> for Claims {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let claims = parts
            .extensions
            .get::<Arc<Claims>>()
            .map(|c| Claims::clone(c));
        if claims.is_none() && parts.extensions.get::<Anonymous>().is_none() {
            let method = &parts.method;
            let path = parts.uri.path();
            let nested_path = parts.extensions.get::<NestedPath>().map(NestedPath::as_str);
            let has_header = parts.headers.contains_key(http::header::AUTHORIZATION);
            let admitted = has_header
                .then(|| OPTIONAL_CLAIMS_LOG.admit(SystemClock.now()))
                .flatten();
            match admitted {
                Some(suppressed) => tracing::warn!(%method, path, nested_path, suppressed,
                    "Option<Claims> is None for a request with an Authorization header: the \
                     route is not behind RenewLayer"),
                None => tracing::debug!(%method, path, nested_path, has_header,
                    "Option<Claims> is None: the route is not behind RenewLayer"),
            }
        }
        Ok(claims)
    }
}
