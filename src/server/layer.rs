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
}

impl RenewLayer {
    /// Creates the layer from a built config.
    pub fn new(config: AuthConfig) -> Self {
        Self { config }
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
        RenewService::new(inner, self.config.clone())
    }
}
