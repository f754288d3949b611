//! The layer's pass and renew paths against the bare decode, timed in alternation.
//!
//! The criterion benchmark in `layer.rs` measures each routine for seconds on end, so a change of
//! load on a shared machine between two routines shows up in their ratio. Here the three routines
//! take turns in rounds, and each round times a batch of each. The rounds take the six orders of
//! the three in turn, so drift and the batch that ran just before weigh on all three alike. Each
//! round gives one ratio of the layer's time to the decode's, and the figures are the median of
//! those ratios with a 95% bootstrap interval. The interval covers the noise within one run only,
//! and `scripts/bench.sh` runs the benchmark several times to show the spread between runs.
//!
//! - `decode`: `jsonwebtoken::decode::<Claims>` with `Validation::new(HS256)`.
//! - `pass`: one request with a valid token far from expiry through `RenewService` around a
//!   trivial handler, with the token cache off, so every request decodes the token.
//! - `renew`: the same token 100 minutes into its life, inside the renewal window, with the cache
//!   off, so every request decodes the token and signs a new one.
//!
//! As in `layer.rs`, the decoded claims are dropped inside the timed loop, and so are the layer's
//! requests, which the handler drops with the claims in their extensions. The layer's requests
//! are built before the timer starts, and its responses are dropped after it stops.
//!
//! `cargo bench --features server --bench layer_paired` prints one line a figure, which
//! `scripts/bench.sh` reads:
//!
//! ```text
//! batch 400
//! decode_ns 2173.9
//! pass_ns 2760.4
//! renew_ns 5324.0
//! pass_ratio 1.270 1.268 1.272 1381
//! renew_ratio 2.452 2.447 2.458 1381
//! ```
//!
//! `batch` gives the calls per batch. A `_ns` line gives the median time per call over the rounds, in nanoseconds. A `_ratio` line
//! gives the median ratio, the low and high ends of its interval and the number of rounds.

mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, Response};
use tower::ServiceExt;

use support::{complete, request, Service, Setup};

/// Calls per batch. At the 2 to 3 µs that a decode took on this machine, a batch of decodes is
/// about 1 ms of work, and a batch of the renew path about 2 ms.
const BATCH: usize = 400;
/// Rounds run and discarded before the measurement.
const WARM_UP: Duration = Duration::from_secs(1);
/// The measurement ends after this time or [`MAX_ROUNDS`], whichever comes first.
const MEASUREMENT: Duration = Duration::from_secs(6);
const MAX_ROUNDS: usize = 5_000;
/// Bootstrap resamples of the rounds for each interval.
const RESAMPLES: usize = 2_000;

#[derive(Clone, Copy)]
enum Routine {
    Decode,
    Pass,
    Renew,
}

const ROUTINES: [Routine; 3] = [Routine::Decode, Routine::Pass, Routine::Renew];

/// Times one batch of `routine` and returns the nanoseconds per call.
fn time_batch(setup: &Setup, routine: Routine) -> f64 {
    let elapsed = match routine {
        Routine::Decode => {
            let started = Instant::now();
            for _ in 0..BATCH {
                drop(black_box(black_box(setup).decode()));
            }
            started.elapsed()
        }
        Routine::Pass => time_layer(&setup.pass, setup),
        Routine::Renew => time_layer(&setup.renew, setup),
    };
    elapsed.as_nanos() as f64 / BATCH as f64
}

fn time_layer(service: &Service, setup: &Setup) -> Duration {
    let inputs: Vec<(Service, Request<Body>)> = (0..BATCH)
        .map(|_| (service.clone(), request(&setup.authorization)))
        .collect();
    let mut outputs: Vec<Response<Body>> = Vec::with_capacity(BATCH);
    let started = Instant::now();
    for (service, request) in inputs {
        outputs.push(complete(service.oneshot(request)).expect("the handler is infallible"));
    }
    let elapsed = started.elapsed();
    drop(black_box(outputs));
    elapsed
}

/// The six orders of the three routines, by index into [`ROUTINES`].
const ORDERS: [[usize; 3]; 6] = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
];

/// Runs one round: a batch of each routine, in the order `ORDERS[turn % 6]`.
fn round(setup: &Setup, turn: usize) -> [f64; 3] {
    let mut times = [0.0; 3];
    for index in ORDERS[turn % ORDERS.len()] {
        times[index] = time_batch(setup, ROUTINES[index]);
    }
    times
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

/// A xorshift64* generator, enough to draw bootstrap resamples.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }
}

/// Returns the 2.5th and 97.5th percentiles of the median over bootstrap resamples of `ratios`.
fn interval(ratios: &[f64], draw: &mut Draw) -> (f64, f64) {
    let mut medians: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            let mut sample: Vec<f64> = (0..ratios.len())
                .map(|_| ratios[draw.below(ratios.len())])
                .collect();
            median(&mut sample)
        })
        .collect();
    medians.sort_by(f64::total_cmp);
    let at = |q: f64| medians[((RESAMPLES - 1) as f64 * q).round() as usize];
    (at(0.025), at(0.975))
}

fn main() {
    let setup = Setup::new();

    let warm_up_started = Instant::now();
    let mut turn = 0;
    while warm_up_started.elapsed() < WARM_UP {
        round(&setup, turn);
        turn += 1;
    }

    let mut rounds = Vec::new();
    let started = Instant::now();
    while started.elapsed() < MEASUREMENT && rounds.len() < MAX_ROUNDS {
        rounds.push(round(&setup, turn));
        turn += 1;
    }

    let mut draw = Draw(0x9e37_79b9_7f4a_7c15);
    println!("batch {BATCH}");
    for (index, name) in ["decode", "pass", "renew"].into_iter().enumerate() {
        let mut times: Vec<f64> = rounds.iter().map(|r| r[index]).collect();
        println!("{name}_ns {:.1}", median(&mut times));
    }
    for (index, name) in [(1, "pass"), (2, "renew")] {
        let mut ratios: Vec<f64> = rounds.iter().map(|r| r[index] / r[0]).collect();
        let (low, high) = interval(&ratios, &mut draw);
        let mid = median(&mut ratios);
        println!("{name}_ratio {mid:.3} {low:.3} {high:.3} {}", rounds.len());
    }
}
