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

mod support;

use std::hint::black_box;
use std::time::Duration;

use axum::http::HeaderValue;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use tower::ServiceExt;

use support::{complete, request, Setup};

fn server_cost(c: &mut Criterion) {
    let setup = Setup::new();
    let authorization = &setup.authorization;

    let mut group = c.benchmark_group("server_cost");
    group.bench_function("jsonwebtoken_decode", |b| {
        b.iter(|| black_box(&setup).decode())
    });
    group.bench_function("layer_pass", |b| {
        b.iter_batched(
            || (setup.pass.clone(), request(authorization)),
            |(service, request)| complete(service.oneshot(request)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("layer_pass_cache_miss", |b| {
        // Each request carries a token issued in the untimed setup, new to the cache. Once the
        // cache is full, each insert also evicts a token.
        b.iter_batched(
            || {
                let token = setup
                    .cached_config
                    .issue_token("42", "ada")
                    .expect("the benchmark token is issued");
                let value = HeaderValue::try_from(format!("Bearer {token}"))
                    .expect("a JWT is a valid header value");
                (setup.pass_cached.clone(), request(&value))
            },
            |(service, request)| complete(service.oneshot(request)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("layer_pass_cache_hit", |b| {
        b.iter_batched(
            || (setup.pass_cached.clone(), request(authorization)),
            |(service, request)| complete(service.oneshot(request)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("layer_renew", |b| {
        b.iter_batched(
            || (setup.renew.clone(), request(authorization)),
            |(service, request)| complete(service.oneshot(request)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("layer_renew_cache_hit", |b| {
        b.iter_batched(
            || (setup.renew_cached.clone(), request(authorization)),
            |(service, request)| complete(service.oneshot(request)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("jsonwebtoken_decode_again", |b| {
        b.iter(|| black_box(&setup).decode())
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
