//! The axum layer that verifies HS256 bearer JWTs and renews them.
//!
//! Near expiry the layer adds a renewed token to the handler's response. Just after expiry it
//! skips the handler and responds with the overdue code and a renewed token, so the client can
//! store the token and replay the request.
//!
//! Build an [`AuthConfig`], issue tokens from a login handler with
//! [`AuthConfig::issue_token`], or with [`AuthConfig::issue_token_with`] to carry data of the
//! app's own such as roles, put [`AuthConfig::layer`] on the protected routes and read
//! [`Claims`] in their handlers. [`RenewService`] lists the response to each kind of request.
//!
//! `Router::route_layer` puts the layer on the routes added before it, so a request for an
//! unknown path still gets axum's 404. `Router::layer` on the top-level router, as in the
//! example below, wraps the fallback too, and a request for an unknown path without a token
//! gets the need-login 401. On a router that `Router::nest` mounts, axum 0.8 routes an unknown
//! path under the prefix to the outer router's fallback, which the layer does not wrap, so it
//! gets the 404.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//!
//! use axum::body::Body;
//! use axum::http::{header, Request, StatusCode};
//! use axum::routing::get;
//! use axum::Router;
//! use renew_fetch::server::{AuthConfig, Claims, ManualClock};
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let clock = ManualClock::new(1_700_000_000);
//! let config = AuthConfig::builder(b"an example secret, 32 bytes or more".to_vec())
//!     .token_lifetime(Duration::from_secs(2 * 60 * 60))
//!     .renew_window(Duration::from_secs(30 * 60))
//!     .clock(clock.clone())
//!     .build()?;
//!
//! async fn profile(claims: Claims) -> String {
//!     format!("hello {}", claims.username)
//! }
//! let app = Router::new()
//!     .route("/api/profile", get(profile))
//!     .layer(config.layer());
//!
//! let token = config.issue_token("42", "ada")?;
//! // 100 minutes later the token is inside the 30 minute renewal window.
//! clock.advance(Duration::from_secs(100 * 60));
//! let request = Request::get("/api/profile")
//!     .header(header::AUTHORIZATION, format!("Bearer {token}"))
//!     .body(Body::empty())?;
//! let response = app.oneshot(request).await?;
//!
//! assert_eq!(response.status(), StatusCode::OK);
//! let renewed = response.headers()[header::AUTHORIZATION].to_str()?;
//! assert_ne!(renewed, token, "a renewed token rides on the response");
//! # Ok(())
//! # }
//! ```

mod bearer;
mod cache;
mod check;
mod clock;
mod config;
mod detail;
mod extract;
mod headers;
mod layer;
mod rejection;
mod service;
mod token;
mod verify;

pub use check::{RejectionKind, TokenRejected, VerifiedToken};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
    AuthConfig, AuthConfigBuilder, ConfigError, DEFAULT_GRACE_PERIOD, DEFAULT_LEEWAY,
    DEFAULT_REALM, DEFAULT_RENEW_WINDOW, DEFAULT_SESSION_CAP, DEFAULT_TOKEN_CACHE_CAPACITY,
    DEFAULT_TOKEN_LIFETIME, ISSUED_AHEAD_ALLOWANCE, MAX_REPEAT_PERIOD, MAX_SESSION_CAP,
    MAX_TOKEN_CACHE_CAPACITY, MIN_SECRET_LEN,
};
pub use extract::MissingClaims;
pub use layer::RenewLayer;
pub use service::{RenewService, ResponseFuture};
pub use token::{Claims, IssueError, MAX_EXT_DEPTH};

/// Entry points for the fuzz targets under `fuzz/`, behind the `fuzzing` cargo feature. Not a
/// stable API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    /// Parses one `Authorization` header value as exactly `Bearer <token68>`, as the layer does.
    ///
    /// # Errors
    ///
    /// Returns the log reason when the value is not a single bearer token.
    pub fn parse_bearer(value: &[u8]) -> Result<&str, &'static str> {
        super::bearer::parse_bearer(value).map_err(|e| e.reason())
    }
}
