//! The tower layer.

use tower::Layer;

use super::config::AuthConfig;
use super::service::RenewService;

/// The tower layer that verifies bearer tokens and renews them. Works with
/// [`axum::Router::layer`] and [`axum::Router::route_layer`].
///
/// Make one with [`AuthConfig::layer`] or [`RenewLayer::new`]. [`RenewService`] lists the
/// response to each kind of request.
#[derive(Clone, Debug)]
pub struct RenewLayer {
    config: AuthConfig,
    allow_anonymous: bool,
}

impl RenewLayer {
    /// Creates the layer from a built config.
    pub fn new(config: AuthConfig) -> Self {
        Self {
            config,
            allow_anonymous: false,
        }
    }

    /// Lets a request without an `Authorization` header reach the handler, with no claims, for
    /// routes that serve anonymous and logged-in users alike. Such a handler reads
    /// `Option<Claims>`, which is `None` for an anonymous request. A handler that reads `Claims`
    /// responds to an anonymous request with the need-login 401, so one such layer can cover
    /// routes for everyone and routes for logged-in users. A request that carries a token is
    /// checked, renewed or rejected as on any other route, so a token that expired past the grace
    /// period gets the invalid-token 401, not the anonymous response.
    ///
    /// ```
    /// use axum::routing::get;
    /// use renew_fetch::server::{AuthConfig, Claims};
    ///
    /// # let config = AuthConfig::builder(b"replace with 32 or more random bytes".to_vec()).build()?;
    /// let feed = |claims: Option<Claims>| async move {
    ///     claims.map_or_else(|| "the public feed".to_owned(), |c| format!("{}'s feed", c.username))
    /// };
    /// let app: axum::Router = axum::Router::new()
    ///     .route("/api/feed", get(feed))
    ///     .route_layer(config.layer().allow_anonymous());
    /// # Ok::<(), renew_fetch::server::ConfigError>(())
    /// ```
    #[must_use]
    pub fn allow_anonymous(mut self) -> Self {
        self.allow_anonymous = true;
        self
    }
}

impl From<AuthConfig> for RenewLayer {
    fn from(config: AuthConfig) -> Self {
        Self::new(config)
    }
}

impl<S> Layer<S> for RenewLayer {
    type Service = RenewService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RenewService::with_options(inner, self.config.clone(), self.allow_anonymous)
    }
}
