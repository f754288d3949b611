//! The services, token and requests that both benchmarks of the layer measure, and the check
//! that each service takes the path it is named after.

// Each benchmark compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, Response, StatusCode};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use renew_fetch::server::{AuthConfig, Claims, Clock, ManualClock, RenewService, SystemClock};
use tower::util::ServiceFn;
use tower::{service_fn, Layer, ServiceExt};

/// The benchmark secret: 48 bytes, above the 32-byte minimum.
const SECRET: &[u8] = b"renew-fetch benchmark secret, 48 bytes long ...";

/// How long after issue the renew benchmark runs: 100 minutes into the default 2-hour lifetime,
/// so inside the default 30-minute renewal window.
const RENEW_AT: Duration = Duration::from_secs(100 * 60);

/// The handler behind the layer: an empty 200 response, ready at once.
type Handler = ServiceFn<fn(Request<Body>) -> Ready<Result<Response<Body>, Infallible>>>;

/// The service that each layer benchmark calls.
pub type Service = RenewService<Handler>;

fn empty_ok(_request: Request<Body>) -> Ready<Result<Response<Body>, Infallible>> {
    ready(Ok(Response::new(Body::empty())))
}

/// Polls a future once and returns its output.
///
/// Every future here is ready on its first poll, because the handler returns a ready response
/// and the layer never waits, so no runtime is needed.
pub fn complete<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the layer's response future was not ready on its first poll"),
    }
}

/// Builds a GET request with `authorization` as its `Authorization` header.
pub fn request(authorization: &HeaderValue) -> Request<Body> {
    let mut request = Request::new(Body::empty());
    request
        .headers_mut()
        .insert(header::AUTHORIZATION, authorization.clone());
    request
}

/// Sends one request through `service` and returns its response.
pub fn call(service: &Service, authorization: &HeaderValue) -> Response<Body> {
    complete(service.clone().oneshot(request(authorization))).expect("the handler is infallible")
}

/// The token, the bare decode's key and validation, and the layer in each configuration.
pub struct Setup {
    /// A token issued now, 2 hours from expiry.
    pub token: String,
    /// `Bearer <token>`.
    pub authorization: HeaderValue,
    /// The bare decode's key, made once.
    pub key: DecodingKey,
    /// `Validation::new(HS256)`, as a plain jsonwebtoken user sets it up.
    pub validation: Validation,
    /// The config with the cache on and the wall clock, which issues the cache-miss tokens.
    pub cached_config: AuthConfig,
    /// Cache off, wall clock: every request decodes the token and passes.
    pub pass: Service,
    /// Cache on, wall clock: the token passes from the cache after its first request.
    pub pass_cached: Service,
    /// Cache off, a clock 100 minutes ahead: every request decodes the token and renews it.
    pub renew: Service,
    /// Cache on, the clock 100 minutes ahead: the token is read from the cache and renewed.
    pub renew_cached: Service,
}

impl Setup {
    /// Builds every service and checks once that each takes the path it is named after.
    pub fn new() -> Self {
        // The pass configs read the wall clock, as in production. The renew configs read a
        // clock that is 100 minutes ahead, so the same token is inside its renewal window.
        let pass_config = AuthConfig::builder(SECRET.to_vec())
            .token_cache_capacity(0)
            .build()
            .expect("the config without a cache builds");
        let cached_config = AuthConfig::builder(SECRET.to_vec())
            .build()
            .expect("the default config builds");
        let token = pass_config
            .issue_token("42", "ada")
            .expect("the benchmark token is issued");
        let renew_clock = ManualClock::new(SystemClock.now());
        renew_clock.advance(RENEW_AT);
        let renew_config = AuthConfig::builder(SECRET.to_vec())
            .clock(renew_clock.clone())
            .token_cache_capacity(0)
            .build()
            .expect("the config on the manual clock builds");
        let cached_renew_config = AuthConfig::builder(SECRET.to_vec())
            .clock(renew_clock)
            .build()
            .expect("the cached config on the manual clock builds");

        let authorization = HeaderValue::try_from(format!("Bearer {token}"))
            .expect("a JWT is a valid header value");
        let handler: Handler = service_fn(empty_ok);
        let setup = Self {
            key: DecodingKey::from_secret(SECRET).expect("a non-empty secret"),
            validation: Validation::new(Algorithm::HS256),
            pass: pass_config.layer().layer(handler),
            pass_cached: cached_config.layer().layer(handler),
            renew: renew_config.layer().layer(handler),
            renew_cached: cached_renew_config.layer().layer(handler),
            cached_config,
            token,
            authorization,
        };
        setup.check_paths();
        setup
    }

    /// Runs the bare decode once.
    pub fn decode(&self) -> jsonwebtoken::errors::Result<jsonwebtoken::TokenData<Claims>> {
        jsonwebtoken::decode::<Claims>(&self.token, &self.key, &self.validation)
    }

    fn check_paths(&self) {
        let decoded = self.decode().expect("the bare decode accepts the token");
        assert_eq!(decoded.claims.sub, "42", "the bare decode reads the claims");

        let passed = call(&self.pass, &self.authorization);
        assert_eq!(
            passed.status(),
            StatusCode::OK,
            "the pass path runs the handler"
        );
        assert!(
            !passed.headers().contains_key(header::AUTHORIZATION),
            "the pass path sends no renewed token"
        );
        for (what, service) in [("cold", &self.renew), ("warm", &self.renew_cached)] {
            // The first request on the cached service stores the token, and the second hits.
            for _ in 0..2 {
                let renewed = call(service, &self.authorization);
                assert_eq!(
                    renewed.status(),
                    StatusCode::OK,
                    "the {what} renew path runs the handler"
                );
                assert!(
                    renewed.headers().contains_key(header::AUTHORIZATION),
                    "the {what} renew path sends a renewed token"
                );
            }
        }
        for _ in 0..2 {
            let passed = call(&self.pass_cached, &self.authorization);
            assert_eq!(passed.status(), StatusCode::OK, "the warm pass path passes");
            assert!(
                !passed.headers().contains_key(header::AUTHORIZATION),
                "the warm pass path sends no renewed token"
            );
        }
    }
}
