//! The service that the layer wraps around a handler, and its response future.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::NestedPath;
use axum::response::Response;
use axum::BoxError;
use http::{HeaderValue, Request, StatusCode};
use pin_project_lite::pin_project;
use tower::Service;

use super::bearer::BearerError;
use super::config::AuthConfig;
use super::detail::Cut;
use super::extract::Anonymous;
use super::headers::attach_renewed_token;
use super::layer::RenewLayer;
use super::rejection::{internal_error, respond, Kind, Reason};
use super::token::Claims;
use super::verify::{Decision, Verdict};

/// The service made by [`RenewLayer`](super::RenewLayer).
///
/// For each request it does one of these:
///
/// | request | response |
/// |---|---|
/// | no `Authorization` header | 401, need-login envelope, `WWW-Authenticate: Bearer realm="…"` |
/// | no `Authorization` header, on a layer with [`allow_anonymous`](super::RenewLayer::allow_anonymous) | the handler runs with no claims |
/// | not a single `Bearer <token68>` | 400, invalid-token envelope, `error="invalid_request"` |
/// | bad signature, alg other than HS256, malformed or wrongly typed claims, empty `sub` | 401, invalid-token envelope, `error="invalid_token"` |
/// | `iss` or `aud` that does not match the config, or an `aud` when the config sets none | 401, invalid-token envelope, `error="invalid_token"` |
/// | `nbf`, `iat` or `auth_time` further ahead than the leeway or [`ISSUED_AHEAD_ALLOWANCE`](super::ISSUED_AHEAD_ALLOWANCE) allows, or `exp` before `iat` | 401, invalid-token envelope, `error="invalid_token"` |
/// | valid, more than the renewal window left, or a renewal window of zero | the handler runs and reads [`Claims`](super::Claims) |
/// | valid, and the app's [`revoked`](super::AuthConfigBuilder::revoked) check returns true | 401, invalid-token envelope, `error="invalid_token"` |
/// | valid, the window or less left | the handler runs, and its response gets the renewed token, unless its status is 401 or 403 |
/// | expired by no more than the grace period | the handler does NOT run: 401, overdue envelope, renewed token |
/// | expired by no more than the grace period, but the renewed token would be longer than the layer accepts, as another issuer's token with long claims can make it | 401, invalid-token envelope, `error="invalid_token"` |
/// | expired by no more than the grace period, but the system's random number generator or the signing failed | 500, envelope with the code 500 |
/// | expired past the grace period, or session cap reached | 401, invalid-token envelope, `error="invalid_token"` |
/// | CORS preflight (`OPTIONS` with `Access-Control-Request-Method`) that reaches the layer | checked like any other request, so without a token it gets the need-login response. With tower-http's `CorsLayer` outside, as below, none reaches it: `CorsLayer` (0.7) responds to every `OPTIONS` request itself |
///
/// A token that verified before may come from the config's cache of verified tokens (see
/// [`AuthConfigBuilder::token_cache_capacity`](super::AuthConfigBuilder::token_cache_capacity)),
/// which skips the signature check and the decoding but gives the same response as above.
///
/// A renewed token travels raw in the `Authorization` response header, with `Authorization`
/// merged into `Access-Control-Expose-Headers` and `Cache-Control: no-store`. The header value
/// is marked sensitive, so the `Debug` form of the response headers, which tower-http's
/// `TraceLayer` logs with `include_headers(true)`, shows `Sensitive` in place of the token. The
/// layer does not mark the request's `Authorization` header, which such a `TraceLayer` logs with
/// the token in it, so put tower-http's `SetSensitiveRequestHeadersLayer` for `AUTHORIZATION`
/// outside the `TraceLayer`.
///
/// Every response the layer writes itself is a JSON envelope marked no-store. Every rejection
/// and renewal is logged with `tracing`, with the reason and the first 8 hex digits of the
/// token's SHA-256, never the token. The reason of a rejected token names what failed: a
/// missing claim, a time claim ahead of the clock and by how much, or the issuer that was
/// expected. Any claim value in it is escaped and cut to 64 characters. A renewal's line also
/// names the user id, escaped and cut the same way, and so does the rejection of a token that
/// verified but failed a time check, such as the session cap.
/// Each kind of line logs once a second per config: rejections of a bad token or header at
/// WARN, failed renewals at ERROR, and requests without a token and renewals at INFO. So a
/// client that ignores its renewed tokens, and gets a new one with every request, does not
/// flood the log. The others of that second log at DEBUG, and the next line at the same level
/// counts them as `suppressed`. A count that no such
/// line has reported is logged when the config and every layer made from it are dropped.
///
/// Each of these lines names the method and the path. In a router that `Router::nest` mounts,
/// axum strips the prefix from the path before the request reaches the layer, so the line also
/// carries `nested_path`, the prefix as given to `nest`.
///
/// A token is valid through its `exp` second and a session through the second at which the
/// session cap ends, each plus the leeway. The overdue response ends at the cap itself, because
/// a renewed token cannot expire after it: a token that expired before the cap gets the
/// invalid-token 401 from the cap's last second on, leeway or not. A token lives at most the
/// configured lifetime from its `iat` and not past its session cap. One with a later `exp`,
/// signed by another issuer or before the config changed, counts as expiring at the earlier of
/// the two, so it is renewed and then replaced. The handler's
/// [`Claims::exp`](super::Claims::exp) is that expiry.
///
/// For a browser app on another origin, wrap this layer in tower-http's `CorsLayer` from
/// outside, as in `.route_layer(config.layer()).layer(cors)`. The layer's own 401 responses
/// never pass through a `CorsLayer` inside it, so they would lack
/// `Access-Control-Allow-Origin`, and the browser would hide the overdue code and the renewed
/// token from the client. The `CorsLayer` outside also responds to every `OPTIONS` request
/// itself, preflight or not, so a handler for `OPTIONS` behind both never runs. The layer
/// checks an `OPTIONS` request that reaches it like any other, preflight or not, because any client
/// can send a preflight's headers, and a handler that responds to `OPTIONS` would otherwise run
/// without a token.
///
/// The layer merges `Authorization` into `Access-Control-Expose-Headers` on each response that
/// carries a renewed token. A `CorsLayer` with an `expose_headers` list of its own replaces the
/// merged value, so that list must include `AUTHORIZATION`. `CorsLayer::permissive()` sets the
/// list to `*`, which browsers honour only for requests without credentials. It also sends
/// `Access-Control-Allow-Headers: *`, which under the Fetch standard does not cover
/// `Authorization`, so `allow_headers` should name `AUTHORIZATION` instead.
///
/// Tokens are stateless, so a renewal does not revoke the token it replaces. The old token
/// stays valid until its `exp` and can itself be renewed in the grace period, until the session
/// cap, which is what bounds a stolen token. The layer keeps no list of revoked tokens. To end
/// a session early, such as on logout or a password change, set a check with
/// [`AuthConfigBuilder::revoked`](super::AuthConfigBuilder::revoked), which runs before any
/// renewal. A middleware or handler behind the layer that rejects the [`Claims`](super::Claims)
/// with 401 or 403 stops the renewed token of that response. It is never called for an
/// overdue token, which the layer renews without calling the inner service.
#[derive(Clone, Debug)]
pub struct RenewService<S> {
    inner: S,
    config: AuthConfig,
    /// Whether a request without an `Authorization` header goes to `inner`, with no claims.
    allow_anonymous: bool,
}

impl<S> RenewService<S> {
    /// Wraps `inner`. The layer usually does this instead.
    pub fn new(inner: S, config: AuthConfig) -> Self {
        Self::with_options(inner, config, false)
    }

    pub(crate) fn with_options(inner: S, config: AuthConfig, allow_anonymous: bool) -> Self {
        Self {
            inner,
            config,
            allow_anonymous,
        }
    }
}

impl RenewService<()> {
    /// Returns the layer that wraps services in a `RenewService`, the same as
    /// [`AuthConfig::layer`].
    ///
    /// ```
    /// use renew_fetch::server::{AuthConfig, RenewService};
    ///
    /// // An app reads 32 or more random bytes from its secret store instead.
    /// let secret = b"replace with 32 or more random bytes".to_vec();
    /// let config = AuthConfig::builder(secret).build()?;
    /// let app: axum::Router = axum::Router::new().layer(RenewService::layer(config));
    /// # Ok::<(), renew_fetch::server::ConfigError>(())
    /// ```
    pub fn layer(config: AuthConfig) -> RenewLayer {
        RenewLayer::new(config)
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for RenewService<S>
where
    S: Service<Request<ReqBody>, Response = http::Response<ResBody>>,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        let config = &self.config.inner;
        let Verdict {
            decision,
            fingerprint,
            renewal_note,
            rejected_user,
        } = config.verify(req.headers());
        let method = req.method();
        let path = req.uri().path();

        match decision {
            Decision::Reject(Reason::Header(BearerError::Missing)) if self.allow_anonymous => {
                req.extensions_mut().insert(Anonymous(self.config.clone()));
                ResponseFuture::inner(self.inner.call(req), None)
            }
            Decision::Pass(claims) => {
                if let Some(e) = renewal_note {
                    match config.error_limit.admit(config.clock.now()) {
                        Some(suppressed) => tracing::error!(%fingerprint, %method, path,
                            nested_path = nested_path(&req), error = %e, suppressed,
                            "token renewal failed; passing the request with the old token"),
                        None => tracing::debug!(%fingerprint, %method, path,
                            nested_path = nested_path(&req), error = %e,
                            "token renewal failed; passing the request with the old token"),
                    }
                }
                req.extensions_mut().insert(claims);
                ResponseFuture::inner(self.inner.call(req), None)
            }
            Decision::Renew(claims, renewed) => {
                let Ok(value) = HeaderValue::from_str(&renewed.token) else {
                    tracing::error!(%fingerprint, %method, path, nested_path = nested_path(&req),
                        "renewed token is not a valid header value; passing without it");
                    req.extensions_mut().insert(claims);
                    return ResponseFuture::inner(self.inner.call(req), None);
                };
                // The renewal is logged once the response shows that the token goes out.
                // The fields of the log line cost two SHA-256 hashes and some copies, so they are
                // taken only when the line can be written.
                let log = tracing::enabled!(tracing::Level::INFO).then(|| {
                    Box::new(RenewalLog {
                        fingerprint: fingerprint.to_string(),
                        new_fingerprint: super::token::fingerprint(renewed.token.as_bytes()),
                        new_exp: renewed.exp,
                        user_id: renewed.user_id,
                        method: method.to_string(),
                        path: path.to_owned(),
                        nested_path: nested_path(&req).map(str::to_owned),
                    })
                });
                let renewal = Renewal {
                    value,
                    config: self.config.clone(),
                    claims: config.revoked.is_some().then(|| Arc::clone(&claims)),
                    log,
                };
                req.extensions_mut().insert(claims);
                ResponseFuture::inner(self.inner.call(req), Some(renewal))
            }
            Decision::Overdue(renewed) => {
                let Ok(value) = HeaderValue::from_str(&renewed.token) else {
                    tracing::error!(%fingerprint, %method, path, nested_path = nested_path(&req),
                        reason = %Reason::RenewalFailed, "request rejected");
                    return ResponseFuture::ready(internal_error());
                };
                let new_fingerprint = super::token::fingerprint(renewed.token.as_bytes());
                let reason = Reason::Overdue;
                match config.renew_limit.admit(config.clock.now()) {
                    Some(suppressed) => tracing::info!(%fingerprint, %new_fingerprint,
                        new_exp = renewed.exp, user_id = %Cut(&renewed.user_id), %method, path,
                        nested_path = nested_path(&req), %reason, suppressed,
                        "overdue token renewed, handler skipped"),
                    None => tracing::debug!(%fingerprint, %new_fingerprint, new_exp = renewed.exp,
                        user_id = %Cut(&renewed.user_id), %method, path, nested_path = nested_path(&req),
                        %reason, "overdue token renewed, handler skipped"),
                }
                ResponseFuture::ready(respond(
                    Kind::Overdue,
                    &config.codes,
                    &config.realm,
                    Some(value),
                ))
            }
            Decision::Reject(reason) => {
                let kind = reason.kind();
                match kind {
                    Kind::NeedLogin => match config.info_limit.admit(config.clock.now()) {
                        Some(suppressed) => tracing::info!(%fingerprint, %method, path,
                            nested_path = nested_path(&req), %reason, suppressed, "request rejected"),
                        None => {
                            tracing::debug!(%fingerprint, %method, path, nested_path = nested_path(&req),
                            %reason, "request rejected")
                        }
                    },
                    Kind::Internal => {
                        let error = renewal_note.map(|e| e.to_string()).unwrap_or_default();
                        match config.error_limit.admit(config.clock.now()) {
                            Some(suppressed) => tracing::error!(%fingerprint, %method, path,
                                nested_path = nested_path(&req), %reason, error, suppressed,
                                "request rejected"),
                            None => tracing::debug!(%fingerprint, %method, path,
                                nested_path = nested_path(&req), %reason, error, "request rejected"),
                        }
                    }
                    _ => {
                        // Only a token that verified and then failed a time check, such as the
                        // session cap, names its user. The field is left out otherwise.
                        let user_id = rejected_user
                            .as_deref()
                            .map(|id| tracing::field::display(Cut(id)));
                        match config.warn_limit.admit(config.clock.now()) {
                            Some(suppressed) => tracing::warn!(%fingerprint, %method, path,
                                nested_path = nested_path(&req), %reason, user_id, suppressed, "request rejected"),
                            None => {
                                tracing::debug!(%fingerprint, %method, path, nested_path = nested_path(&req),
                                %reason, user_id, "request rejected")
                            }
                        }
                    }
                }
                ResponseFuture::ready(respond(kind, &config.codes, &config.realm, None))
            }
        }
    }
}

pin_project! {
    /// The response future of [`RenewService`].
    ///
    /// It resolves to the handler's response, with the renewed token added when there is one, or
    /// to the response that the layer built itself.
    pub struct ResponseFuture<F> {
        #[pin]
        state: State<F>,
    }
}

/// A renewed token for the handler's response, with what its log line needs.
struct Renewal {
    value: HeaderValue,
    config: AuthConfig,
    /// The claims of the request, kept when the config has a revocation check, which runs again
    /// after the handler, such as a logout handler that revoked them.
    claims: Option<Arc<Claims>>,
    /// The fields of the log line, or None when no subscriber takes INFO lines from the layer.
    log: Option<Box<RenewalLog>>,
}

/// The fields of a renewal's log line.
struct RenewalLog {
    fingerprint: String,
    new_fingerprint: String,
    new_exp: u64,
    user_id: String,
    method: String,
    path: String,
    nested_path: Option<String>,
}

impl Renewal {
    /// Puts the renewed token on `response` and logs the renewal, unless the response rejects
    /// the caller with 401 or 403, has an `Authorization` header of its own, or the claims were
    /// revoked while the handler ran.
    fn attach(self, response: &mut Response) {
        let config = &self.config.inner;
        let status = response.status();
        // A 401 or 403 from behind the layer rejects the caller, such as a session that the app
        // ended, so the session is not extended.
        let rejected = matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
        let revoked = match (&self.claims, &config.revoked) {
            (Some(claims), Some(revoked)) => revoked(claims),
            _ => false,
        };
        // A handler's own Authorization header goes out in place of the renewed token, and so
        // does an inner layer's renewal, which that layer logs.
        let attached =
            !(rejected || revoked) && attach_renewed_token(response.headers_mut(), self.value);
        let Some(log) = &self.log else {
            return;
        };
        if !attached {
            let RenewalLog {
                fingerprint,
                new_fingerprint,
                user_id,
                method,
                path,
                nested_path,
                ..
            } = &**log;
            let reason = if rejected || revoked {
                "a rejection or a revoked session"
            } else {
                "a response with an Authorization header of its own"
            };
            tracing::debug!(%fingerprint, %new_fingerprint, user_id = %Cut(user_id), %method, path,
                nested_path, status = status.as_u16(), revoked, "renewed token left off {reason}");
            return;
        }
        let RenewalLog {
            fingerprint,
            new_fingerprint,
            new_exp,
            user_id,
            method,
            path,
            nested_path,
        } = &**log;
        match config.renew_limit.admit(config.clock.now()) {
            Some(suppressed) => tracing::info!(%fingerprint, %new_fingerprint, new_exp,
                user_id = %Cut(user_id), %method, path, nested_path, suppressed,
                "token renewed in the renewal window"),
            None => {
                tracing::debug!(%fingerprint, %new_fingerprint, new_exp, user_id = %Cut(user_id),
                %method, path, nested_path, "token renewed in the renewal window")
            }
        }
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Inner {
            #[pin]
            future: F,
            renewed: Option<Renewal>,
        },
        Ready {
            response: Option<Response>,
        },
    }
}

impl<F> ResponseFuture<F> {
    fn inner(future: F, renewed: Option<Renewal>) -> Self {
        Self {
            state: State::Inner { future, renewed },
        }
    }

    fn ready(response: Response) -> Self {
        Self {
            state: State::Ready {
                response: Some(response),
            },
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<http::Response<B>, E>>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Inner { future, renewed } => {
                let mut response = ready!(future.poll(cx))?.map(Body::new);
                if let Some(renewal) = renewed.take() {
                    renewal.attach(&mut response);
                }
                Poll::Ready(Ok(response))
            }
            // A future polled again after completion returns a 500 instead of panicking.
            StateProj::Ready { response } => {
                Poll::Ready(Ok(response.take().unwrap_or_else(internal_error)))
            }
        }
    }
}

/// Returns the prefix that `Router::nest` stripped from the request's URI before the request
/// reached the layer, if any. The log lines call it only when they are enabled, so the pass
/// path does not look the extension up.
fn nested_path<B>(req: &Request<B>) -> Option<&str> {
    req.extensions().get::<NestedPath>().map(NestedPath::as_str)
}
