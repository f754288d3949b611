//! The cost of the layer per request, against a bare `jsonwebtoken::decode` of the same token.
//!
//! - `server_cost/jsonwebtoken_decode`: `decode::<Claims>` with `Validation::new(HS256)`, the
//!   work that every HS256 check does at least.
//! - `server_cost/layer_pass`: one request with a valid token far from expiry through
//!   `RenewService` around a trivial inner service, from `oneshot` to the response, with the
//!   token cache off, so every request decodes the token (cold).
//! - `server_cost/layer_pass_cache_miss`: the same with the cache on and a token it has not
//!   seen, so the layer decodes the token and stores it (cold, plus the insert).
//! - `server_cost/layer_pass_cache_hit`: the same with the cache on and a token it holds, so
//!   the layer skips the decode and runs only the time checks (warm).
//! - `server_cost/layer_renew`: a token inside the renewal window with the cache off, so the
//!   layer decodes it, signs a new token and puts it on the response (cold).
//! - `server_cost/layer_renew_cache_hit`: the same with the token in the cache (warm). The
//!   layer still signs a new token on every request.
//! - `server_cost/jsonwebtoken_decode_again`: the bare decode once more, so that a change of
//!   load on a shared machine during the run shows as a gap between the two decode figures.
//!
//! Building the request and cloning the service happen outside the timed routine. No `tracing`
//! subscriber is installed, so the renewal's log line costs only its disabled check.
//!
//! `scripts/bench.sh` runs this with `cargo bench --features server --bench layer` and computes
//! each benchmark's ratio to the decode from criterion's estimates.

use std::convert::Infallible;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, Response, StatusCode};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use renew_fetch::server::{AuthConfig, Claims, Clock, ManualClock, SystemClock};
use tower::{service_fn, Layer, ServiceExt};

/// The benchmark secret: 48 bytes, above the 32-byte minimum.
const SECRET: &[u8] = b"renew-fetch benchmark secret, 48 bytes long ...";

/// How long after issue the renew benchmark runs: 100 minutes into the default 2-hour lifetime,
/// so inside the default 30-minute renewal window.
const RENEW_AT: Duration = Duration::from_secs(100 * 60);

/// Polls a future once and returns its output.
///
/// Every future here is ready on its first poll, because the inner service returns a ready
/// response and the layer never waits, so no runtime is needed.
fn complete<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the layer's response future was not ready on its first poll"),
    }
}

fn request(authorization: &HeaderValue) -> Request<Body> {
    let mut request = Request::new(Body::empty());
    request
        .headers_mut()
        .insert(header::AUTHORIZATION, authorization.clone());
    request
}

fn server_cost(c: &mut Criterion) {
    // The pass configs read the wall clock, as in production. The renew configs read a clock
    // that is 100 minutes ahead, so the same token is inside its renewal window. The cold
    // configs turn the token cache off, and the others keep its default capacity.
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

    let authorization =
        HeaderValue::try_from(format!("Bearer {token}")).expect("a JWT is a valid header value");
    let inner = service_fn(|_request: Request<Body>| async {
        Ok::<_, Infallible>(Response::new(Body::empty()))
    });
    let pass_service = pass_config.layer().layer(inner);
    let cached_service = cached_config.layer().layer(inner);
    let renew_service = renew_config.layer().layer(inner);
    let cached_renew_service = cached_renew_config.layer().layer(inner);

    let key = DecodingKey::from_secret(SECRET).expect("a non-empty secret");
    let validation = Validation::new(Algorithm::HS256);

    // Check once, outside the measurement, that each routine takes the path it is named after.
    let decoded = jsonwebtoken::decode::<Claims>(&token, &key, &validation)
        .expect("the bare decode accepts the token");
    assert_eq!(decoded.claims.sub, "42", "the bare decode reads the claims");
    let passed = complete(pass_service.clone().oneshot(request(&authorization)))
        .expect("the inner service is infallible");
    assert_eq!(
        passed.status(),
        StatusCode::OK,
        "the pass path runs the handler"
    );
    assert!(
        !passed.headers().contains_key(header::AUTHORIZATION),
        "the pass path sends no renewed token"
    );
    for (what, service) in [("cold", &renew_service), ("warm", &cached_renew_service)] {
        // The first request on the cached service stores the token, and the second hits.
        for _ in 0..2 {
            let renewed = complete(service.clone().oneshot(request(&authorization)))
                .expect("the inner service is infallible");
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
        let passed = complete(cached_service.clone().oneshot(request(&authorization)))
            .expect("the inner service is infallible");
        assert_eq!(passed.status(), StatusCode::OK, "the warm pass path passes");
        assert!(
            !passed.headers().contains_key(header::AUTHORIZATION),
            "the warm pass path sends no renewed token"
        );
    }

    let mut group = c.benchmark_group("server_cost");
    group.bench_function("jsonwebtoken_decode", |b| {
        b.iter(|| jsonwebtoken::decode::<Claims>(black_box(&token), &key, &validation))
    });
    group.bench_function("layer_pass", |b| {
        b.iter_batched(
            || (pass_service.clone(), request(&authorization)),
            |(service, request)| complete(service.oneshot(request)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("layer_pass_cache_miss", |b| {
        // Each request carries a token issued in the untimed setup, new to the cache. Once the
        // cache is full, each insert also evicts a token.
        b.iter_batched(
            || {
                let token = cached_config
                    .issue_token("42", "ada")
                    .expect("the benchmark token is issued");
                let value = HeaderValue::try_from(format!("Bearer {token}"))
                    .expect("a JWT is a valid header value");
                (cached_service.clone(), request(&value))
            },
            |(service, request)| complete(service.oneshot(request)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("layer_pass_cache_hit", |b| {
        b.iter_batched(
            || (cached_service.clone(), request(&authorization)),
            |(service, request)| complete(service.oneshot(request)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("layer_renew", |b| {
        b.iter_batched(
            || (renew_service.clone(), request(&authorization)),
            |(service, request)| complete(service.oneshot(request)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("layer_renew_cache_hit", |b| {
        b.iter_batched(
            || (cached_renew_service.clone(), request(&authorization)),
            |(service, request)| complete(service.oneshot(request)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("jsonwebtoken_decode_again", |b| {
        b.iter(|| jsonwebtoken::decode::<Claims>(black_box(&token), &key, &validation))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // Short runs keep the whole benchmark near a minute. The figures are noisy on a shared
    // machine, which is why scripts/bench.sh reports ratios measured in the same run.
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = server_cost
}
criterion_main!(benches);
