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
    /// period gets the invalid-token 401, not the anonymous response. An `Authorization` header
    /// that is not one `Bearer` token, such as `Basic` credentials that a proxy passes on, gets
    /// the 400 with the invalid-token code, and not the anonymous response either.
    ///
    /// `Router::route_layer` wraps every route added to the router before it. So a second
    /// `route_layer` call on a router with protected routes would put two layers on them, which
    /// would check each request twice and sign two renewed tokens for a request in the renewal
    /// window. To serve anonymous routes beside protected ones, give each kind its own router
    /// and layer and merge them, as below, or put all of them behind one layer with
    /// `allow_anonymous`.
    ///
    /// ```
    /// use axum::routing::get;
    /// use axum::Router;
    /// use renew_fetch::server::{AuthConfig, Claims};
    ///
    /// # let config = AuthConfig::builder(b"replace with 32 or more random bytes".to_vec()).build()?;
    /// let feed = |claims: Option<Claims>| async move {
    ///     claims.map_or_else(|| "the public feed".to_owned(), |c| format!("{}'s feed", c.username))
    /// };
    /// let profile = |claims: Claims| async move { format!("hello {}", claims.username) };
    ///
    /// let anonymous = Router::new()
    ///     .route("/api/feed", get(feed))
    ///     .route_layer(config.layer().allow_anonymous());
    /// let protected = Router::new()
    ///     .route("/api/profile", get(profile))
    ///     .route_layer(config.layer());
    /// let app: Router = Router::new().merge(anonymous).merge(protected);
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
