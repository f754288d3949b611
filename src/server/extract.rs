//! The axum extractor for the verified claims.

use std::convert::Infallible;
use std::fmt;

use axum::extract::{FromRequestParts, NestedPath, OptionalFromRequestParts};
use axum::response::{IntoResponse, Response};
use http::request::Parts;

use super::clock::{Clock, SystemClock};
use super::rejection::{internal_error, LogLimit};
use super::token::Claims;

/// The limit of ERROR lines for requests without claims, one a second for the whole process,
/// because the extractor has no config of its own. A route that reads `Claims` without the
/// layer fails on every request, and one line a second is enough to find it.
static MISSING_CLAIMS_LOG: LogLimit = LogLimit::new(tracing::Level::ERROR, "missing claims");

/// The rejection of the [`Claims`] extractor when the request has no verified claims: the route
/// is not behind the layer, or the layer allows anonymous requests and this one had no token.
///
/// Its response is a 500 with a generic envelope. The cause goes to the log, never to the client:
/// at ERROR once a second for the whole process, and at DEBUG for the other requests of that
/// second, which the next ERROR line counts as `suppressed`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MissingClaims;

impl fmt::Display for MissingClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "no verified claims in the request: the route is not behind RenewLayer, or the \
             layer allows anonymous requests and the handler should read Option<Claims>",
        )
    }
}

impl std::error::Error for MissingClaims {}

impl IntoResponse for MissingClaims {
    fn into_response(self) -> Response {
        internal_error()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Claims {
    type Rejection = MissingClaims;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Claims>().cloned().ok_or_else(|| {
            let method = &parts.method;
            let path = parts.uri.path();
            let nested_path = parts.extensions.get::<NestedPath>().map(NestedPath::as_str);
            match MISSING_CLAIMS_LOG.admit(SystemClock.now()) {
                Some(suppressed) => tracing::error!(%method, path, nested_path, suppressed,
                    "{MissingClaims}, so the request gets a 500"),
                None => tracing::debug!(%method, path, nested_path,
                    "{MissingClaims}, so the request gets a 500"),
            }
            MissingClaims
        })
    }
}

/// `Option<Claims>` reads `None`, with no log line, for an anonymous request on a layer with
/// [`RenewLayer::allow_anonymous`](super::RenewLayer::allow_anonymous) and on a route that is not
/// behind the layer.
impl<S: Send + Sync> OptionalFromRequestParts<S> for Claims {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Claims>().cloned())
    }
}
